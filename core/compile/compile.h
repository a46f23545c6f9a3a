/*
 * core/compile/compile.h: the compiler's surface: a parsed statement (AST,
 * sql.h) checked against a catalog and turned into a plan that the VM
 * (core/vm) executes.
 *
 * A plan is a tree of query nodes (plan_query) over statement-wide cursors
 * (plan_cursor), with compiled expression trees (cx) in every node; see
 * core/vm/README.md for why a tree of operators and not bytecode. The plan
 * also holds the run-time state of its nodes (marked "run" below): a plan
 * belongs to one prepared statement, which is used by one thread at a time,
 * so the state needs no separate copy. The compiler zeroes every run field;
 * only core/vm writes them.
 *
 * Ownership: everything in a plan lives in plan->arena, except the objects
 * the run fields own (b-tree cursors, row stores), which the VM frees when a
 * run ends. Catalog objects (tables, indexes) are borrowed from the catalog
 * the plan was compiled against; the statement keeps a reference to it.
 * AST pointers are borrowed from the statement's parse arena.
 */
#ifndef CHORUS_COMPILE_H
#define CHORUS_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "btree.h"
#include "store.h"
#include "catalog.h"
#include "common.h"
#include "func.h"
#include "record.h"
#include "sql.h"
#include "value.h"

typedef struct cx cx;
typedef struct plan_query plan_query;
typedef struct plan_cursor plan_cursor;
typedef struct plan_stmt plan_stmt;
struct vm_rows;
struct vm_rowset;
struct vm_autoindex;
struct json_each;

/* ------------------------------------------------ compiled expressions */

typedef enum cx_kind {
    CX_CONST = 1,           /* v */
    CX_PARAM,               /* parameter number index (1-based) */
    CX_COLUMN,              /* column `column` of cursor `cursor` (-1: rowid) */
    CX_AGG,                 /* result of aggregate `index` of query `sub` */
    CX_GROUPCOL,            /* value `index` of the current group row of query `sub` */
    CX_UNARY,               /* op (AST_OP_NEG, PLUS, NOT, BITNOT) left */
    CX_ARITH,               /* left op right, op an arithmetic/bit/concat ast_op */
    CX_CMP,                 /* left op right: EQ NE LT LE GT GE IS IS_NOT */
    CX_AND,
    CX_OR,
    CX_CAST,                /* CAST(left AS aff) */
    CX_FUNC,                /* fn(args) */
    CX_CASE,                /* CASE [left] WHEN args[2i] THEN args[2i+1] ... ELSE right */
    CX_BETWEEN,             /* left [NOT] BETWEEN args[0] AND args[1] */
    CX_IN_LIST,             /* left [NOT] IN (args) */
    CX_IN_SELECT,           /* left [NOT] IN (sub) */
    CX_LIKE,                /* left [NOT] LIKE/GLOB right [ESCAPE extra], op */
    CX_ISNULL,              /* left IS NULL (is_not: NOT NULL) */
    CX_EXISTS,              /* [NOT] EXISTS (sub) */
    CX_SUBQUERY,            /* (sub): its first row's column `column`, or NULL */
    CX_VECTOR,              /* (args): only inside comparisons and IN */
    CX_WINDOW,              /* result of window function `index` of query `sub` */
    CX_WINCOL,              /* value `index` of the current window row of query `sub` */
    CX_RAISE                /* RAISE(op, left): trigger programs only; op an AST_RAISE_* */
} cx_kind;

struct cx {
    uint8_t kind;           /* cx_kind */
    uint8_t op;             /* ast_op */
    bool is_not;
    bool is_correlated;     /* subqueries: reads cursors of enclosing queries */
    char aff;               /* enum affinity of the expression's value (NONE if none) */
    char cmp_aff;           /* IN (select): affinity both sides get before comparing */
    uint8_t coll;           /* enum collation */
    bool coll_explicit;     /* coll comes from a COLLATE operator */
    int32_t cursor;         /* COLUMN */
    int32_t column;         /* COLUMN; SUBQUERY: column of the row */
    int32_t index;          /* PARAM number; AGG / GROUPCOL index; SUBQUERY: 1 when it
                               reads one column of a multi-column row (rowvalue.c);
                               BETWEEN: the lower bound's comparison collation, the
                               upper's << 8; FUNC: the collation its arguments compare
                               with (min, max, nullif: expr.c X10) */
    cx *left, *right, *extra;
    int n_args;
    cx **args;
    value v;                /* CONST; bytes in the plan arena */
    const func_def *fn;     /* FUNC */
    value *argv;            /* FUNC: n_args scratch values (run) */
    plan_query *sub;        /* subqueries; AGG/GROUPCOL: the aggregate query */
    const ast_expr *ast;    /* the source expression (names, messages) */
    /* run: cached results of uncorrelated subqueries */
    bool cached;
    bool in_run_list;       /* registered for release at the end of the run */
    int cache_truth;        /* EXISTS: 0/1; IN: unused */
    value cache;            /* SUBQUERY: owned copy of the result */
    struct vm_rowset *set;  /* IN (select): the right side's distinct values */
    bool set_has_null;
};

/* ------------------------------------------------------------- cursors */

typedef enum plan_cursor_kind {
    PC_TABLE = 1,           /* a table b-tree */
    PC_EPHEMERAL            /* rows materialized from a query (subquery, view, CTE); with
                               no source, its rows are set by its owner (a recursive CTE
                               node, or the new row of INSERT/UPDATE) */
} plan_cursor_kind;

struct plan_cursor {
    uint8_t kind;           /* plan_cursor_kind */
    const catalog_table *table;     /* PC_TABLE */
    plan_query *source;     /* PC_EPHEMERAL: the query whose rows fill it */
    int n_cols;
    uint64_t used;          /* columns read (bit i: column i, 62: rowid, 63: column >= 62) */
    /* run */
    store_cursor *bt;
    const catalog_index *cover;     /* rows are read from this index's entries */
    store_cursor *cover_bt; /* the index cursor those entries come from (a level's ix) */
    bool null_row;          /* every column reads NULL (outer join, no match) */
    bool have_rec;          /* rec holds the parsed current row */
    bool eof;
    record_cursor rec;
    int64_t rowid;
    bool rowid_unread;      /* PC_TABLE: rowid not read from the b-tree row yet (vm
                               cursor.c C8) */
    struct vm_rows *rows;   /* PC_EPHEMERAL storage */
    int64_t pos;            /* PC_EPHEMERAL: current row */
    const value *row;       /* PC_EPHEMERAL: current row's values (borrowed from rows) */
    bool filled;            /* PC_EPHEMERAL: rows materialized for this run */
    bool refill;            /* PC_EPHEMERAL: its source reads other cursors (a table-valued
                               function of a column): materialized again at each scan */
    const value *held;      /* PC_TABLE: the automatic index row the cursor stands on, its
                               b-tree not moved there (vm autoindex.c AI5), or NULL */
    const int *held_pos;    /* column -> its place in held, -1 when not held */
};

/* ------------------------------------------------------- loop levels */

typedef enum plan_access {
    PA_SCAN = 1,            /* every row, in rowid order */
    PA_ROWID_EQ,            /* rowid = key[0] */
    PA_ROWID_IN,            /* rowid IN (in_list) */
    PA_ROWID_RANGE,         /* lo <op> rowid <op> hi */
    PA_INDEX,               /* index: eq prefix, then optional range on the next column */
    PA_INDEX_IN,            /* index: first column IN (in_list), then eq */
    PA_EPH_SCAN,            /* ephemeral rows in order */
    PA_AUTO_INDEX,          /* a transient index built when the level first runs: the
                               rows whose auto_col equal eq (where.c P15) */
    PA_MULTI_OR             /* the rows each of or_branches finds, each once, branch by
                               branch (where.c P16) */
} plan_access;

typedef struct plan_level {
    int cursor;             /* the table or ephemeral cursor this level moves */
    uint8_t access;         /* plan_access */
    bool is_left;           /* LEFT JOIN: a row of NULLs when nothing matches */
    bool is_right;          /* RIGHT/FULL JOIN (the last level only): after the loops,
                               each row of this level that matched no earlier row
                               comes once more, every earlier level NULL */
    struct plan_level *right_pass;  /* is_right: the scan that finds those rows; its
                               post holds the WHERE terms */
    const catalog_index *index;
    int n_eq;               /* equality terms on the leading index columns */
    cx *eq[KEY_INFO_MAX];   /* the values they compare with */
    char eq_aff[KEY_INFO_MAX];      /* affinity applied to each probe value */
    uint32_t eq_is;         /* bit i: eq[i] comes from IS (or IS NULL): a NULL probe
                               finds the NULL entries (exec_loop.c L3) */
    cx *lo, *hi;            /* range bounds (rowid, or index column n_eq) */
    bool lo_incl, hi_incl;
    cx *in_list;            /* PA_*_IN: the CX_IN_LIST or CX_IN_SELECT term */
    int *auto_col;          /* PA_AUTO_INDEX: the table column eq[i] probes */
    uint8_t *auto_coll;     /* and the collation it compares under */
    cx *auto_where;         /* PA_AUTO_INDEX: terms on the level alone that every row of
                               the index passes (SQLite's PARTIAL), or NULL */
    struct plan_level *or_branches;     /* PA_MULTI_OR: a lookup level per OR branch, on
                               the same cursor */
    int n_or;
    cx *filter;             /* terms that decide a match (ON terms; all terms of inner levels) */
    cx *post;               /* LEFT JOIN: WHERE terms checked after the null row is made */
    bool covering;          /* the index holds every column read: no table lookup */
    bool not_indexed;       /* NOT INDEXED: scan or rowid paths only */
    bool keep_order;        /* ORDER BY relies on this level's order (order.c O3) */
    bool reverse;           /* PA_SCAN, PA_ROWID_*, PA_INDEX: visit the rows in the
                               opposite order, last first (order.c O4) */
    bool is_dml_target;     /* the table UPDATE/DELETE writes: a full scan reads the table
                               in rowid order, never a covering index (as SQLite) */
    const catalog_index *indexed_by;        /* INDEXED BY: the only index allowed */
    const char *name;       /* the source's name in plans (alias or table) */
    const char *plan_text;  /* EXPLAIN QUERY PLAN line */
    /* run */
    store_cursor *ix;       /* index cursor */
    bool started;
    bool matched;           /* LEFT JOIN: some row matched in this round */
    bool in_null_row;       /* LEFT JOIN: producing the null row */
    struct vm_rowset *right_seen;   /* is_right: rowids of the rows that matched */
    value probe[KEY_INFO_MAX + 1];  /* owned probe values */
    int n_probe;
    value *in_vals;         /* sorted distinct IN values (owned) */
    int n_in, in_pos;
    struct vm_autoindex *auto_ix;   /* PA_AUTO_INDEX: the transient index (owned) */
    int64_t *or_ids;        /* PA_MULTI_OR: the rowids found, in order (owned) */
    int64_t n_or_ids, or_pos;
} plan_level;

/* ------------------------------------------------------------ windows */

/* Window functions that are not aggregates (an aggregate used as a window
 * function has a func_def instead). */
typedef enum plan_win_builtin {
    WIN_AGGREGATE = 0,
    WIN_ROW_NUMBER, WIN_RANK, WIN_DENSE_RANK, WIN_PERCENT_RANK, WIN_CUME_DIST, WIN_NTILE,
    WIN_LAG, WIN_LEAD, WIN_FIRST_VALUE, WIN_LAST_VALUE, WIN_NTH_VALUE
} plan_win_builtin;

/* One window definition (partition, order, frame) shared by the calls that
 * use an equal one. Its keys are window row values first_key.. : the
 * n_part PARTITION BY keys, then the n_order ORDER BY keys. */
typedef struct plan_windef {
    int n_part, n_order;
    int first_key;
    uint8_t *desc;          /* per key (partition keys ascending) */
    uint8_t *coll;          /* per key */
    uint8_t unit;           /* ast_frame_unit, never NONE (defaults are filled in) */
    uint8_t start_bound, end_bound;     /* ast_frame_bound */
    uint8_t exclude;        /* ast_frame_exclude */
    cx *start_expr, *end_expr;          /* N of N PRECEDING / FOLLOWING, constant */
    /* compile: the source of the definition, to find equal ones */
    const ast_list *part_ast, *order_ast;
    const ast_expr *start_ast, *end_ast;
} plan_windef;

/* One window function call. Its arguments (and FILTER) are window row
 * values first_arg.. ; its result is window row value n_wcols + index. */
typedef struct plan_window {
    const func_def *fn;     /* aggregate used as a window function, else NULL */
    uint8_t builtin;        /* plan_win_builtin */
    int def;                /* index into the query's windefs */
    int n_args;
    int first_arg;
    int filter_col;         /* window row value holding FILTER (WHERE ...), or -1 */
    uint8_t coll;           /* collation of the first argument */
    const char *name;       /* for messages */
} plan_window;

/* ---------------------------------------------------------- queries */

typedef enum plan_query_kind {
    PQ_CORE = 1,            /* SELECT ... FROM ... WHERE ... GROUP BY ... */
    PQ_VALUES,              /* VALUES (...), (...) */
    PQ_COMPOUND,            /* left op right */
    PQ_RECURSIVE,           /* recursive CTE: left seeds a queue; right runs once per
                               queued row, reading it through cursor rec_cursor */
    PQ_TABLE_FN             /* json_each / json_tree over fn_args (core/func/json.h) */
} plan_query_kind;

/* Sort key flags (order_desc bytes): descending; NULLs at the other end than
 * the direction puts them (NULLS LAST ascending, NULLS FIRST descending). */
#define PLAN_ORDER_DESC         0x01
#define PLAN_ORDER_NULLS_FLIP   0x02

typedef struct plan_agg {
    const func_def *fn;
    int n_args;
    int first_arg;          /* its arguments: group row values first_arg.. */
    bool distinct;
    uint8_t coll;           /* collation of the first argument (min/max, distinct) */
    int filter_col;         /* group row value holding FILTER (WHERE ...), or -1 */
    int n_order;            /* f(x ORDER BY k...): keys are group row values first_order.. */
    int first_order;
    uint8_t *order_desc, *order_coll;   /* PLAN_ORDER_* flags, collation per key */
    /* run */
    struct vm_rows *ordered;        /* n_order > 0: the group's rows, stepped sorted at the end */
    void *state;            /* fn->state_size bytes, owned */
    struct vm_rowset *seen; /* DISTINCT: values already stepped */
    value result;           /* owned */
} plan_agg;

struct plan_query {
    uint8_t kind;           /* plan_query_kind */
    int n_cols;
    cx **result;            /* CORE: n_cols result expressions */
    char *col_aff;          /* affinity of each result column */
    const char **col_names;         /* names as the statement's result (first core) */
    const char **src_names;         /* names as a FROM subquery's columns */
    const char **col_decltypes;     /* declared type when a column is a table column */
    const char **col_tables;        /* origin table of a column reference, else NULL */
    const char **col_origins;       /* origin column of a column reference, else NULL */
    uint8_t *col_coll;      /* collation of each result column */
    bool distinct;
    bool distinct_in_order; /* the loops give DISTINCT's rows grouped, or it is redundant
                               (group_order.c G4): EXPLAIN shows no temp b-tree for it */
    uint64_t skip_cols;     /* FROM subquery: result columns no reader uses (bit i, i < 62),
                               left NULL instead of evaluated (pushdown.c D4) */

    /* CORE: loops */
    int n_levels;
    plan_level *levels;
    cx *pre_filter;         /* WHERE terms that read no cursor of this query */

    /* CORE: aggregation. Each input row is evaluated into a group row of
     * n_gcols values: the n_group GROUP BY keys, then the aggregate
     * arguments, then the other column references of the output. */
    bool is_agg;
    int n_group;
    int n_gcols;
    cx **gcols;
    uint8_t *group_coll;    /* collation per GROUP BY key */
    bool group_in_order;    /* the loops read the rows with equal keys adjacent, in the
                               order the groups come out: not sorted (group_order.c G3) */
    bool minmax_query;      /* SQLite's min/max query: EXPLAIN says SEARCH (minmax.c M1) */
    bool minmax_first;      /* the loops read min()/max()'s argument in its order: the
                               first non-NULL one ends the input (minmax.c M2, agg.c A6) */
    int n_aggs;
    plan_agg *aggs;
    cx *having;

    /* VALUES */
    int n_rows;
    cx ***rows;             /* n_rows arrays of n_cols expressions */

    /* TABLE_FN: json_each (json_tree when fn_recursive) of its 1 or 2 arguments,
     * or, with fn_pragma set, PRAGMA fn_pragma read as a table: its result
     * columns, then its arg and schema (the 0 to 2 arguments) */
    bool fn_recursive;
    const char *fn_pragma;
    const char *fn_schema;          /* the source's schema qualifier, or NULL */
    int n_fn_args;
    cx **fn_args;
    struct json_each *fn_iter;      /* run: owned */
    struct catalog_result *fn_rows; /* run: owned, the pragma's rows */
    int64_t fn_pos;                 /* run: the next of them */
    value fn_arg_values[2];         /* run: owned, its arg and schema as given */

    /* COMPOUND, RECURSIVE */
    uint8_t op;             /* ast_compound_op */
    bool merge_dedup;       /* COMPOUND under an ORDER BY (exec_query.c Q2) */
    plan_query *left, *right;
    int rec_cursor;         /* RECURSIVE: the cursor whose one row is the queued row */

    /* ORDER BY / LIMIT over the query's rows. Sort rows hold the n_cols
     * result values, then n_extra extra key values. */
    int n_order;
    int *order_col;         /* key i is sort row value order_col[i] */
    uint8_t *order_desc;    /* PLAN_ORDER_* flags per key */
    uint8_t *order_coll;
    int n_extra;
    cx **extra;             /* CORE: extra key expressions */
    bool merge_in_order;    /* an arm of a compound under ORDER BY whose loops give that
                               order (select.c; EXPLAIN shows no sort for it, E4) */
    bool order_by_group;    /* the ORDER BY is the GROUP BY's (or DISTINCT's) sort, as
                               SQLite's: no ORDER BY b-tree in EXPLAIN (group_order.c G5) */
    cx *limit, *offset;

    /* run */
    value *row;             /* the current output row (n_cols values), borrowed from
                               scratch or from sorted */
    value *scratch;         /* n_cols + n_extra values being evaluated */
    int state;              /* exec_query.c's state machine */
    int loop_state;         /* exec_loop.c's state machine */
    int64_t n_limit, n_skip;        /* remaining LIMIT (-1 none) and OFFSET */
    struct vm_rows *sorted; /* ORDER BY / GROUP BY / compound store */
    int64_t sorted_pos;
    struct vm_rowset *seen; /* DISTINCT / UNION store */
    struct vm_rows *groups; /* GROUP BY: the group rows, sorted by key; compound: its
                               distinct rows */
    int64_t group_pos;
    struct vm_rowset *other;        /* INTERSECT / EXCEPT: the right side's rows */
    int phase;              /* compound: which side runs */
    value *group_row;       /* current group row (aggregation) */
    value *last_group;      /* owned copy of the group row without GROUP BY whose
                               bare values show (agg.c A2) */
    int hit_agg;            /* agg.c A2: the min()/max() whose new values choose the
                               row of the bare values (1 + index; 0 none), set on the first run */
    bool hit_ties_last;     /* agg.c A2: that max() takes the last of equal values */
    bool hit_have;          /* hit_best holds the group's min/max so far */
    value hit_best;         /* owned */
    int values_pos;
    bool group_open;
    bool done;

    /* CORE: window functions. Every row of the loops (or groups) is
     * evaluated into a window row of n_wcols values (wcols) plus one
     * result slot per window function; result expressions read window
     * rows only (CX_WINCOL, CX_WINDOW). core/vm/exec_window.c. */
    int n_wcols;
    cx **wcols;
    int n_windows;
    plan_window *windows;
    int n_windefs;
    plan_windef *windefs;
    /* run */
    struct vm_rows *win_rows;       /* every window row, in output order */
    int64_t win_pos;
    value *win_row;                 /* current window row (borrowed from win_rows) */
};

/* ------------------------------------------------------------ statements */

typedef enum plan_kind {
    PLAN_SELECT = 1,        /* query's rows are the result */
    PLAN_INSERT,
    PLAN_UPDATE,
    PLAN_DELETE,
    PLAN_DDL,               /* catalog_ddl_execute */
    PLAN_CREATE_AS,         /* CREATE TABLE ... AS SELECT */
    PLAN_PRAGMA,            /* catalog_pragma */
    PLAN_TX,                /* BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE */
    PLAN_ATTACH,            /* ATTACH: args[0] the file, args[1] the name */
    PLAN_DETACH,            /* DETACH: args[0] the name */
    PLAN_ROWS               /* rows computed at compile time (EXPLAIN QUERY PLAN) */
} plan_kind;

/* One ON CONFLICT clause of an INSERT (upsert). Each probe looks for the
 * row that the new row (cursor excl_cursor, "excluded") conflicts with on
 * one uniqueness constraint (the rowid or a UNIQUE index): a clause with a
 * target has one probe, a clause without one a probe per constraint. A
 * probe yields [rowid] for DO NOTHING, else [rowid, new value of each table
 * column, DO UPDATE WHERE (1 when none), old value of each column] of the
 * conflicting row. */
typedef struct plan_upsert {
    bool do_nothing;
    int n_probes;
    plan_query **probes;
} plan_upsert;

/* A column assignment of INSERT or UPDATE. */
typedef struct plan_assign {
    int column;             /* table column, or -1 for the rowid */
    cx *expr;
    bool repeated;          /* INSERT: the column was named before in the column list;
                               its value is not stored (SQLite keeps the first) */
} plan_assign;

struct plan_stmt {
    uint8_t kind;           /* plan_kind */
    bool readonly;
    bool is_ddl;            /* changes the schema */
    arena arena;            /* owns the plan */
    const ast_stmt *ast;    /* borrowed from the statement's parse arena */

    int n_cursors;
    plan_cursor *cursors;
    plan_query *query;      /* SELECT; INSERT/CREATE AS source; UPDATE/DELETE row finder */

    /* result columns */
    int n_cols;
    const char **col_names;
    const char **col_decltypes;
    const char **col_tables;
    const char **col_origins;

    /* INSERT / UPDATE / DELETE */
    const catalog_table *table;
    int target_cursor;      /* UPDATE/DELETE: the cursor over table */
    int conflict;           /* ast_conflict */
    int n_assign;
    plan_assign *assign;    /* INSERT: one per source column; UPDATE: SET list */
    bool values_first;      /* INSERT ... VALUES whose rows read the target table: every
                               row is evaluated before the first is written (as SQLite) */
    cx **defaults;          /* INSERT: per table column, its DEFAULT (or NULL) */
    cx **checks;            /* table->n_checks CHECK expressions over the new row */
    int row_cursor;         /* cursor of kind PC_EPHEMERAL whose row is the new row
                               (CHECK and DEFAULT expressions read it) */

    /* RETURNING (INSERT/UPDATE/DELETE): n_cols expressions over ret_cursor, an
     * ephemeral cursor whose row is the written row (DELETE: the deleted one) */
    cx **returning;
    int ret_cursor;
    /* UPDATE and DELETE collect the old row too (triggers, foreign keys, RETURNING):
     * UPDATE [old rowid, new rowid, new columns..., old columns...], DELETE
     * [rowid, old columns...] */
    bool with_old;
    /* INSERT ... ON CONFLICT clauses, in order; excl_cursor holds the new row */
    int n_upserts;
    plan_upsert *upserts;
    int excl_cursor;
    /* compile_row_expr and trigger WHEN (compile_trigger_stmt with no statement) */
    cx *row_expr;
    /* ATTACH / DETACH operands; NULL where the AST's operand is a bare name,
       which means that name as text (as SQLite) */
    cx *args[2];
    /* Sub-plans compiled later and owned by this plan (trigger programs,
     * row expressions), freed by plan_free; the VM keeps the list */
    struct plan_sub *subs;

    /* PLAN_ROWS */
    int64_t n_rows;
    value *rows;

    /* parameters */
    int n_params;
    const char **param_names;   /* [1..n_params]; NULL for nameless */
};

/* Everything the compiler may look at. */
typedef struct compile_env {
    const catalog *cat;
    const char *sql;        /* the text the AST's spans index */
    const catalog *temp_cat;        /* the connection's temp schema, or NULL: unqualified
                                       names look there first, then in cat */
    int n_attached;                 /* attached databases in ATTACH order (core/vm/temp.c
                                       TP4): unqualified names not in temp or cat are
                                       looked up there; 0 in views and triggers of main
                                       or an attached database (TP8) */
    const catalog *const *attached;
    const char *const *attached_names;
    const char *view_schema;        /* inside a view: the name of its schema, which an
                                       unknown table's error names ("no such table:
                                       main.t", as SQLite); else NULL */
    bool case_sensitive_like;       /* PRAGMA case_sensitive_like: LIKE ranges use BINARY
                                       indexes, not NOCASE ones (like_range.c LK2) */
    bool automatic_index;           /* PRAGMA automatic_index: joins may build transient
                                       indexes (where.c P15) */
    const int *limits;              /* the connection's run-time limits by CHORUS_LIMIT_*
                                       id (EXPR_DEPTH, FUNCTION_ARG checked by cc_expr),
                                       or NULL: only the parser's fixed bounds */
    /* The connection's authorizer (authorize.c AZ1-AZ3), or NULL: the callback of
     * chorus_set_authorizer, asked with CHORUS_AUTH_* actions. */
    int (*auth)(void *arg, int action, const char *a, const char *b, const char *db,
                const char *inner);
    void *auth_arg;
} compile_env;

/*
 * authorize.c AZ2: asks env's authorizer (if any) about stmt's own action.
 * CHORUS_OK (*ignore_out: the authorizer said IGNORE, so the statement is to
 * do nothing), or CHORUS_AUTH / CHORUS_ERROR / CHORUS_NOMEM with a malloc()ed
 * *errmsg_out.
 */
int compile_authorize_stmt(const compile_env *env, const ast_stmt *stmt, bool *ignore_out,
                           char **errmsg_out);

/* The built-in window functions that are not aggregates (row_number, lag,
 * ...), one entry per arity: the i-th (from 0) in *name_out (static) and
 * *n_args_out; false past the last. For PRAGMA function_list. */
bool compile_window_function_at(int i, const char **name_out, int *n_args_out);

/*
 * Compiles stmt against env->cat into *out (owned by the caller; free with
 * plan_free). On failure returns CHORUS_ERROR (or CHORUS_NOMEM) and
 * *errmsg_out gets a malloc()ed message in SQLite's words.
 */
int compile_stmt(const compile_env *env, const ast_stmt *stmt, plan_stmt **out,
                 char **errmsg_out);

/*
 * Compiles expr (an expression of t's schema: an index column, a partial
 * index WHERE, a DEFAULT, a generated column) over one row of t: the plan
 * has one ephemeral cursor (0) whose row and rowid the caller sets, and the
 * expression in plan->row_expr. sql: the text expr's spans index.
 */
int compile_row_expr(const compile_env *env, const catalog_table *t, const ast_expr *expr,
                     plan_stmt **out, char **errmsg_out);

/*
 * Compiles one statement of a trigger body (stmt), or when stmt is NULL
 * the trigger's WHEN expression into plan->row_expr, in the context where
 * NEW and OLD name rows of t: cursors 0 (NEW) and 1 (OLD), ephemeral, their
 * rows and rowids set by the caller. env->sql is the trigger's text.
 */
int compile_trigger_stmt(const compile_env *env, const catalog_table *t, const ast_stmt *stmt,
                         const ast_expr *when, plan_stmt **out, char **errmsg_out);

/* UPDATE OF a, b: whether an UPDATE whose SET list is set (NULL: unknown)
 * fires trigger a, that is, the list names one of a's columns or a has no
 * OF list. */
bool compile_trigger_update_of_matches(const ast_create_trigger *a, const ast_list *set);

/* The collation of a comparison of l and r as SQLite picks it (expr.c):
 * an explicit COLLATE, left first, else the first side whose value carries
 * a collation (a column), else BINARY. The VM's CASE x WHEN y uses it. */
uint8_t cx_compare_collation(const cx *l, const cx *r);

/* A sub-plan owned by a plan (plan_stmt.subs); key identifies it for its
 * user (an ast_expr or trigger statement pointer, with a use count). */
typedef struct plan_sub {
    const void *key;
    int instance;           /* copies of the same key (recursive triggers) */
    bool busy;              /* the VM is running it */
    bool auth_ignored;      /* a trigger body statement the authorizer ignored (exec_trigger.c G9) */
    plan_stmt *plan;
    arena *ast_arena;       /* the AST of generated SQL (foreign keys), malloc()ed, or NULL */
    char *sql;              /* its text, malloc()ed, or NULL */
    struct plan_sub *next;
} plan_sub;

/* Frees the sub-plans of a plan (plan_stmt.subs) and empties the list. */
void plan_subs_free(plan_stmt *plan);

/* Frees the plan's arena. Run-time state must have been released by the VM
 * first (vm's run end). NULL is a no-op. */
void plan_free(plan_stmt *plan);

#endif /* CHORUS_COMPILE_H */
