/*
 * core/compile/compile_int.h: what the files of core/compile share: the
 * compile context, name scopes and the helpers that build plan nodes.
 * Included only by the .c files of core/compile.
 *
 * Scopes: each SELECT core being compiled has a scope listing its FROM
 * sources (one cursor each). A column reference is looked up from the
 * innermost scope outwards; a hit in an outer scope makes the inner queries
 * correlated. While the output of an aggregate query is compiled
 * (scope.agg_mode), column references of that scope become group row
 * values and aggregate calls become plan_agg entries.
 */
#ifndef CHORUS_COMPILE_INT_H
#define CHORUS_COMPILE_INT_H

#include "compile.h"

/* How a source's column shows (scope_source.col_hidden). */
enum scope_col_hidden {
    SCOPE_COL_SHOWN = 0,
    SCOPE_COL_COALESCED = 1,        /* right side of USING/NATURAL: skipped by * and
                                       unqualified names */
    SCOPE_COL_ARGUMENT = 2          /* a table-valued function's argument column: skipped
                                       by * and t.*, found by name */
};

/* One FROM source visible in a scope. */
typedef struct scope_source {
    const char *name;               /* alias, or table/view/CTE name */
    int cursor;
    int n_cols;
    const char **col_names;
    char *col_aff;
    uint8_t *col_coll;
    const char **col_decltype;      /* NULL entries for expressions */
    const char **col_origin_table;  /* table a column comes from, or NULL */
    const char **col_origin_col;
    uint8_t *col_hidden;            /* enum scope_col_hidden per column */
    const catalog_table *table;     /* PC_TABLE sources */
    int *col_using_src;             /* RIGHT/FULL JOIN USING or NATURAL: per column, the
                                       source of the right side's copy that an unqualified
                                       read coalesces with (-1 none); NULL when none */
    int *col_using_col;             /* that copy's column */
} scope_source;

typedef struct scope scope;
struct scope {
    scope *outer;
    int n_src;
    scope_source *src;
    plan_query *q;                  /* the core being compiled */
    int first_cursor;               /* cursors >= this belong to this scope or nested ones */
    bool agg_mode;                  /* compiling the output of an aggregate query */
    bool in_agg_arg;                /* compiling an aggregate's arguments */
    bool no_agg;                    /* aggregates are misuse here (WHERE, ON, GROUP BY) */
    const ast_list *aliases;        /* result columns whose aliases names may use */
    const ast_expr *where_ast;      /* the core's WHERE, for pushdown.c */
    bool *correlated;               /* set when a name resolves to an outer scope */
    cx **level_on;                  /* per loop level: its ON terms (LEFT JOIN) */
    cx *group_on;                   /* ON terms of parenthesized joins joined by an inner
                                       join: WHERE terms (from.c F6) */
    bool fixed_order;               /* a CROSS JOIN: the loops run in FROM order (where.c P3) */
    bool plan_late;                 /* cc_where_plan keeps its terms in where_terms for
                                       cc_where_access (where.c P8) */
    struct term_list *where_terms;
    /* growable lists of the aggregate query */
    int cap_gcols, cap_aggs;
    /* window functions (window.c) */
    const ast_window *windows;      /* the core's WINDOW definitions */
    bool win_ok;                    /* window functions may appear here (result, ORDER BY) */
    int cap_wcols, cap_windows, cap_windefs;
};

/* A CTE visible to the statement. */
typedef struct cc_cte {
    const ast_cte *cte;
    struct cc_cte *next;
    int rec_cursor;                 /* while its recursive part compiles: the cursor of the
                                       queued row, else -1 */
    plan_query *rec_seed;           /* meanwhile: its seed query (names, affinities) */
    int rec_refs;                   /* meanwhile: references to the queue in the recursive
                                       SELECT being compiled (SQLite allows one) */
} cc_cte;

typedef struct cctx {
    const compile_env *env;
    plan_stmt *plan;
    arena *a;                       /* plan->arena */
    char *errmsg;                   /* malloc()ed first error */
    int n_cursors, cap_cursors;
    plan_cursor *cursors;           /* malloc()ed while compiling; moved to the arena */
    cc_cte *ctes;
    int max_param;
    int cap_params;
    const char **param_names;       /* malloc()ed [0..cap_params): name of parameter i */
    int min_ref;                    /* lowest cursor a column reference read (correlation) */
    int n_levels, cap_levels;
    plan_level **levels;            /* malloc()ed: every planned table level */
    int depth;                      /* view / subquery nesting, against runaway recursion */
    scope *base;                    /* trigger programs: NEW and OLD, found by qualified
                                       names that no scope has (trigger.c) */
    bool in_trigger;                /* RAISE() is allowed */
    /* An aggregate call whose arguments compile in an enclosing owner's scope
     * (expr.c X4): that scope and the one the call appears in, where its
     * NULL tests fold (X6) as SQLite folds them before choosing the owner. */
    scope *agg_owner, *agg_origin;
} cctx;

/* errors.c-like helpers (compile.c) */
int cc_error(cctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The catalog where name (a table or view) is looked up under schema (NULL,
 * "main", "temp" or an attached name; from.c): an unqualified name finds
 * the connection's temp schema first (compile_env.temp_cat), then main,
 * then the attached databases in order. *out is NULL for
 * "temp" when the connection has no temp schema. An unknown schema is an
 * error ("no such table: x.name", as SQLite). */
int cc_catalog_for(cctx *c, const char *schema, const char *name, const catalog **out);
int cc_nomem(cctx *c);
void *cc_alloc(cctx *c, size_t nbytes);
char *cc_strdup(cctx *c, const char *s);
char *cc_span_text(cctx *c, ast_span span);
int cc_cursor_new(cctx *c, int kind, int *out);
plan_cursor *cc_cursor(cctx *c, int i);

/* expr.c */
int cc_expr(cctx *c, scope *s, const ast_expr *e, cx **out);
cx *cx_new(cctx *c, int kind, const ast_expr *ast);
/* authorize.c AZ1-AZ2: asks the authorizer about action (CHORUS_AUTH_*) on
 * (a, b), in the database holding t (NULL: none). CHORUS_OK with
 * *ignore_out set when it said IGNORE, or the failure (message on c). */
int cc_authorize(cctx *c, int action, const char *a, const char *b, const catalog_table *t,
                 bool *ignore_out);
/* The READ of column col (-1: the rowid) of src when it is a table; *null_out:
 * NULL, or the NULL constant to compile instead when the answer was IGNORE. */
int cc_authorize_column(cctx *c, const scope_source *src, int col, cx **null_out);
/* e where a row value may stand (UPDATE SET (a, b) = ...): as cc_expr, but a
 * subquery may give several columns (rowvalue.c V3). */
int cc_row_value(cctx *c, scope *s, const ast_expr *e, cx **out);
cx *cx_const_int(cctx *c, int64_t i);
cx *cx_and(cctx *c, cx *a, cx *b);
bool ast_is_aggregate_call(const ast_expr *e);
/* Column col (-1 rowid) of source src of s, read through the group row in
 * an aggregate query's output. */
int cc_source_column(cctx *c, scope *s, int src, int col, const ast_expr *ast, cx **out);
bool ast_contains_aggregate(const ast_expr *e);
/* The first aggregate call in e (for "misuse of aggregate function f()"), or NULL. */
const ast_expr *ast_first_aggregate(const ast_expr *e);
/* Whether e is an AND that SQLite's parser folds to 0 (a side is the
 * literal 0, x IN (), or such an AND; expr.c X7). */
bool ast_and_folds(const ast_expr *e);
/* Whether e holds an aggregate call that belongs to s's query (expr.c X4):
 * directly, with an argument naming s's sources or none, or inside a
 * subquery, with arguments naming s's sources and none of the subquery's;
 * what SQLite folds to a constant first names nothing. */
bool cc_owns_aggregate(cctx *c, scope *s, const ast_expr *e);
/* Comparison affinity of two operands as SQLite computes it. */
char cx_compare_affinity(const cx *l, const cx *r);
/* Whether e's value carries e->coll (SQLite's rule: a column, a COLLATE
 * inside, CAST, unary '+', a scalar subquery's column); the 0/1 result of a
 * comparison, IN, BETWEEN or LIKE carries none (their coll is the one they
 * compare with). */
bool cx_carries_collation(const cx *e);
/* Bit i set when the expression reads cursor i (i < 64); bit 63 covers the rest.
 * *other_out (may be NULL) is set when it reads parameters-like state that
 * rules out compile-time use (subqueries, non-deterministic functions). */
uint64_t cx_cursor_mask(const cx *e);

/* select.c */
int cc_select(cctx *c, scope *outer, const ast_select *sel, plan_query **out);
/* Result column names of a compiled query, for sources and the statement. */
typedef struct cc_names {
    const char **names;
    const char **decltypes;
    const char **tables;
    const char **origins;
} cc_names;
/* The body of a recursive CTE e (seed UNION [ALL] recursive part). */
int cc_select_recursive(cctx *c, scope *outer, cc_cte *e, plan_query **out);
/* Whether the select reads a table named name in a FROM clause anywhere. */
bool ast_select_reads(const ast_select *sel, const char *name);
int cc_select_names(cctx *c, scope *outer, const ast_select *sel, plan_query *q,
                    cc_names *out);

/* from.c */
int cc_from(cctx *c, scope *s, const ast_from_item *from);
int cc_source_add_table(cctx *c, scope *s, const catalog_table *t, const char *alias,
                        int *cursor_out);

/* pushdown.c: the select to compile for FROM item it (named item_name in
 * the query; sel its view's, subquery's or CTE's select, names its column
 * list or NULL): sel, or a copy with the pushable terms of s's WHERE. */
int cc_pushdown(cctx *c, const scope *s, const ast_from_item *it, const char *item_name,
                const ast_select *sel, const ast_list *names, const ast_select **out);

/* pushdown.c D4: after the whole statement is compiled, marks the result
 * columns of FROM subqueries that nothing reads (plan_query.skip_cols). */
void cc_prune_columns(cctx *c);

/* like_range.c: for a LIKE or GLOB term t (CX_LIKE), the stand-in
 * comparisons x >= prefix and x < prefix-raised its pattern allows (LK1-LK4),
 * or both NULL. */
int cc_like_range(cctx *c, const cx *t, cx **lo_out, cx **hi_out);

/* where.c */
int cc_where_plan(cctx *c, scope *s, plan_query *q, const ast_expr *where,
                  const ast_from_item *from);
/* With s->plan_late, cc_where_plan only compiles and keeps the terms; this
 * then chooses the join order and the access paths (where.c P8). */
int cc_where_access(cctx *c, scope *s, plan_query *q);
/* After the whole statement is compiled (every column use known): turns
 * index lookups and scans into covering-index reads where possible. */
int cc_where_finish(cctx *c);
/* The index a full scan of cur would read instead of the table, or NULL. */
const catalog_index *cc_where_narrowest_cover(const plan_cursor *cur);
/* The indexes a full scan of lv (on cur's table) may read in the table's
 * place, in the order SQLite tries them: the narrowest covering one first,
 * then the others; partial ones, the table's own b-tree and any but an
 * INDEXED BY index left out. *pos starts at 0; NULL after the last. */
const catalog_index *cc_where_scan_index_next(const plan_level *lv, const plan_cursor *cur,
                                              int *pos);
/* Whether two compiled expressions are the same computation (SQLite's
 * sqlite3ExprCompare in spirit): constants of one type and value, one
 * column of one cursor, same operators, functions and collations. */
bool cc_cx_same(const cx *a, const cx *b);
/* ast (an index expression or partial index condition) compiled over source
 * src alone, or NULL where it does not compile there (the index then serves
 * nothing, as in SQLite); the columns it names are not marked read. */
cx *cc_compile_on_source(cctx *c, scope_source *src, const ast_expr *ast);

/* cost.c: estimates in LogEst units (10 * log2 of a count) */
enum { COST_DEFAULT_ROWS = 200 };   /* a table's rows without statistics: about 1M */
int cost_log(uint64_t x);
/* The LogEst of the sum of two counts given as LogEst. */
int cost_add(int a, int b);
/* The work of a seek into a b-tree of rows entries (LogEst of log2(rows)). */
int cost_seek(int rows);
int cost_table_rows(const catalog_table *t);
/* The rows of a materialized query (CO5). */
int cost_query_rows(const plan_query *q);
/* Rows per distinct value of the first n_eq columns (0: the index's entries). */
int cost_index_rows(const catalog_index *ix, int n_eq);
/* SQLite's szTabRow and szIdxRow: LogEst of 4 times the summed column sizes. */
int cost_table_row_size(const catalog_table *t);
int cost_index_row_size(const catalog_index *ix);

/* join_order.c: the order of n levels of least estimated cost into order
 * (order[i]: the level that runs i-th) in which the levels of bit set
 * requires[j] run outside level j (the given order must be one); cost
 * gives a level's run cost and rows out when the levels of bit set ready
 * run outside it, passing on outer_rows rows (LogEst). */
enum { JOIN_ORDER_MAX_LEVELS = 32 };
typedef void (*cc_level_cost_fn)(void *arg, int level, uint32_t ready, int outer_rows, int *run,
                                 int *out);
void cc_join_order(int n, const uint32_t *requires, cc_level_cost_fn cost, void *arg,
                   int *order);

/* order.c */
/* PLAN_ORDER_* flags of an ORDER BY term. */
uint8_t cc_order_flags(const ast_list_item *item);

/* dml.c */
int cc_insert(cctx *c, const ast_stmt *stmt);
int cc_update(cctx *c, const ast_stmt *stmt);
int cc_delete(cctx *c, const ast_stmt *stmt);

/* window.c */
/* Compiles a call with OVER (or a built-in window function without it,
 * which is misuse) into a CX_WINDOW node of s's query. */
int cc_window_call(cctx *c, scope *s, const ast_expr *e, cx **out);
/* Whether name is a window-only function (row_number, rank, lag, ...). */
bool cc_window_is_builtin(const char *name);
/* After a core with window functions is compiled: rewrites its result and
 * ORDER BY expressions to read window rows only. */
int cc_window_finish(cctx *c, plan_query *q);

/* compile.c: a compilation in a fresh context; setup (may be NULL) prepares
 * the context (trigger.c) and, when stmt is NULL, compiles everything */
int cc_compile(const compile_env *env, const ast_stmt *stmt, int (*setup)(cctx *c, void *arg),
               void *arg, plan_stmt **out, char **errmsg_out);

/* trigger.c: a scope whose one source (named name, or t's name) is a row of t
 * held by a new ephemeral cursor; hidden: its columns need qualified names */
int cc_row_source(cctx *c, scope *s, plan_query *holder, const catalog_table *t,
                  const char *name, bool hidden, int *cursor_out);

/* RAISE(...) inside a trigger program */
int cc_raise(cctx *c, scope *s, const ast_expr *e, cx **out);

/* upsert.c */
int cc_upsert(cctx *c, const ast_insert *ins, const catalog_table *t);

/* view_dml.c: views as INSERT/UPDATE/DELETE targets (IV1-IV3) */
/* IV1: fails unless view (of cat) has an INSTEAD OF trigger for event (and
 * the SET list of an UPDATE), or has_returning and any trigger; *item_out:
 * a FROM item naming the view. */
int cc_view_dml_check(cctx *c, const catalog *cat, const char *schema, const char *view,
                      int event, const ast_list *set, bool has_returning,
                      ast_from_item **item_out);
/* The view of FROM item it compiled as the one source of a new scope that
 * is never run (*out). */
int cc_view_dml_source(cctx *c, ast_from_item *it, scope **out);
/* IV2: the stand-in table of view (of cat), whose FROM source is src. */
int cc_view_dml_table(cctx *c, const catalog *cat, const scope_source *src, const char *view,
                      const catalog_table **out);
bool cc_view_dml_is_stand_in(const catalog_table *t);

/* returning.c */
int cc_returning(cctx *c, const ast_list *returning, const catalog_table *t, const char *alias);

/* rowvalue.c: row values, compiled into scalar comparisons */
int cc_vector_size(const cx *e);
/* Element i of a vector, a multi-column subquery (V3) or a scalar (itself). */
int cc_vector_element(cctx *c, cx *e, int i, cx **out);
int cc_row_compare(cctx *c, const ast_expr *ast, int op, cx *l, cx *r, cx **out);
int cc_row_in_list(cctx *c, const ast_expr *ast, cx *left, cx **items, int n, bool is_not,
                   cx **out);
int cc_row_between(cctx *c, const ast_expr *ast, cx *x, cx *lo, cx *hi, bool is_not, cx **out);

/* order.c: drops the sort when the rows come in ORDER BY order already
 * (s: the core's scope, for its index expressions; NULL: no expression
 * index column matches) */
int cc_order_plan(cctx *c, scope *s, plan_query *q);
/* Whether q's one level lv, reading its rows through index ix (NULL: a scan
 * or rowid path) with n_eq leading columns fixed (forward_only: an IN list
 * on the first, or a range on a DESC column: O6, O7), gives them in ORDER BY
 * order (1) or leaves a sort (0); -1 where the order is never taken from
 * the level (no ORDER BY, joins, aggregates: O2). */
int cc_order_served(cctx *c, scope *s, const plan_query *q, const plan_level *lv,
                    const catalog_index *ix, int n_eq, bool forward_only);

/* order.c: level lv, a full scan, scans index ix instead (plan text "SCAN t
 * USING INDEX i"; cc_where_finish makes it covering where it is) */
int cc_order_index_scan(cctx *c, plan_level *lv, const catalog_index *ix);

/* group_order.c: GROUP BY / DISTINCT served by the level's order (G1-G7) */
int cc_group_plan(cctx *c, plan_query *q);
/* Whether comparisons under coll work now: built in, or defined by the
 * connection (a plan that skips them must not hide a missing one, G7) */
bool cc_collation_usable(uint8_t coll);

/* minmax.c: SQLite's min/max optimization (M1-M3) */
int cc_minmax_plan(cctx *c, plan_query *q);

/* explain.c */
int cc_explain_query_plan(cctx *c);

#endif /* CHORUS_COMPILE_INT_H */
