/*
 * core/compile/where.c: the planner. Splits WHERE and inner-join ON
 * conditions into AND terms, orders the loops of inner joins (join_order.c),
 * gives each term to the innermost loop level it reads, and picks each
 * level's access path by estimated cost (cost.c): rowid lookup or range,
 * index equality prefix plus range or IN, else a full scan.
 *
 * Rules
 *   P1  Every term stays in the filter of its level even when the access
 *       path already implies it: the access path only narrows the rows a
 *       level visits, it never decides a result (the VM re-checks).
 *   P2  An index column is used for a comparison only when the comparison
 *       affinity suits the column (BLOB/none: always; TEXT: TEXT columns;
 *       numeric: numeric columns) and the comparison collation is the
 *       column's collation in the index (SQLite's rule).
 *   P3  The join order is the FROM order when a RIGHT or FULL JOIN, a
 *       CROSS JOIN, a table-valued function reading another source or the
 *       DML target is among the levels; else the order of least estimated
 *       cost (join_order.c) in which each LEFT JOIN level stays inside the
 *       sources before it. Inner levels use lookups through terms that
 *       read only outer levels.
 *   P4  A LEFT, RIGHT or FULL JOIN level chooses its access path from its
 *       ON terms only; WHERE terms on it run after its null row is made
 *       (plan_level.post).
 *   P5  A partial index serves a level only when the level's terms imply
 *       its WHERE (partial_index_usable), so it holds every row they pass.
 *   P6  Each access path is costed (cost.c): the full scan, then rowid
 *       paths, then each index newest first (as SQLite lists them); the
 *       cheapest run wins, then the fewest rows out, then the first tried.
 *   P7  An index column on an expression serves terms comparing the same
 *       computation (cx_same) as a column would; EXPLAIN shows "<expr>".
 *       A search of join orders weighs those, not partial indexes.
 *   P8  A SELECT core (scope.plan_late) chooses its paths after its result,
 *       HAVING and ORDER BY are compiled (cc_where_access), so the columns
 *       it reads are known and a covering index costs no table lookups.
 *   P9  In such a core, a LEFT JOIN level whose null row a WHERE term
 *       rejects (rejects_null_row) becomes an inner join level, its ON
 *       terms WHERE terms, as SQLite does: no row changes.
 *   P10 Where a core's one level may give the ORDER BY order (order.c O2),
 *       a path that leaves a sort pays SQLite's guess of its cost, and a
 *       full scan of each index that reads the rows in that order is a
 *       path too ("SCAN t USING INDEX i"); order.c then drops the sort.
 *   P11 x IS y and x IS NULL serve an index lookup as x = y does; their
 *       probe may be NULL and then finds the NULL entries (plan_level.eq_is,
 *       exec_loop.c L3); a rowid is never NULL, so a NULL rowid probe finds
 *       nothing, as IS demands.
 *   P12 A term x = a OR x = b ... (x one column, a, b constants or
 *       parameters) also gives a stand-in term x IN (a, b, ...) that only
 *       serves access paths, never filters (SQLite's OR-to-IN rewrite).
 *   P13 Transitive terms: from x = y (two columns, not an ON term of an
 *       outer join, SQLite's equivalence: equal affinities or both numeric,
 *       a BINARY comparison or both columns of one collation) and y = v (v
 *       reading no cursor), a stand-in x = v that only serves access paths
 *       (as P12), chained through further equivalences; so
 *       "a.x = b.y AND b.y = 5" looks a.x up by 5 (SQLite's WO_EQUIV).
 *   P14 x LIKE 'abc%' and x GLOB 'abc*' give stand-ins x >= 'abc' and
 *       x < 'abd' under the collation of the pattern's case rule, serving
 *       access paths only, as P12 (like_range.c LK1-LK4).
 *   P15 Automatic indexes (PRAGMA automatic_index, on by default): a table
 *       level, or a view or subquery filled once per run (cost.c CO5 its
 *       rows, its one-time cost 38 below a table's), with = or IS terms on
 *       its columns (not the rowid)
 *       whose other side the outer levels give may build a transient index
 *       on those columns when it first runs (exec_loop.c L7), as SQLite
 *       does, priced as SQLite prices it: a one-time cost of N log N plus
 *       28 (LogEst) for N rows, spread over the rows the outer levels pass
 *       on (join_order.c), and a lookup of log N + 20 rows; never with
 *       fewer than about 1.25 outer rows, for a WITHOUT ROWID table, under
 *       INDEXED BY or NOT INDEXED, for the target of UPDATE or DELETE, or
 *       in a core with a RIGHT or FULL JOIN. Its key columns come in
 *       SQLite's order (terms in WHERE order, then those it commutes, last
 *       first: auto_form_rank); the level's other terms on it alone (no
 *       subquery, deterministic) are its PARTIAL condition, which rows pass
 *       before they enter it. Its rows come in the order of SQLite's
 *       covering index (vm autoindex.c AI3).
 *   P16 MULTI-INDEX OR: an OR term of a table level (written as such, not
 *       a row value comparison; not x = a OR x = b, P12) whose every branch
 *       (its AND terms, with the level's other comparisons, as SQLite adds
 *       them) has a rowid or index lookup, no scan, gives a path that runs
 *       each branch's cheapest lookup in turn and visits each row once,
 *       found by the first branch that holds for it (exec_loop.c L8),
 *       priced as SQLite prices it: the branches' costs and rows added,
 *       plus one; not for WITHOUT ROWID tables, NOT INDEXED or a RIGHT JOIN
 *       level (the target of UPDATE or DELETE too: SQLite then writes in
 *       two passes, vm exec_dml.c W4). The OR term still filters (P1). A
 *       branch nests no MULTI-INDEX OR of its own.
 * Callers: select.c (compile_core), dml.c.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

typedef struct term {
    cx *e;
    uint64_t mask;          /* cx_cursor_mask(e) */
    int level;              /* level whose filter holds it, -1 for the pre-filter */
    bool on_left;           /* ON term of a LEFT JOIN level */
    bool stands_in;         /* access paths only: P12, P13, P14 */
} term;

typedef struct term_list {
    int n, cap;
    term *items;
    cx *null_value;         /* a NULL constant: the value IS NULL terms look up (P11) */
} term_list;

static int
terms_add(cctx *c, term_list *tl, cx *e, bool on_left, int level)
{
    if (e == NULL)
        return CHORUS_OK;
    if (e->kind == CX_AND) {
        int rc = terms_add(c, tl, e->left, on_left, level);
        return rc != CHORUS_OK ? rc : terms_add(c, tl, e->right, on_left, level);
    }
    if (tl->n == tl->cap) {
        int cap = tl->cap ? tl->cap * 2 : 16;
        term *p = cc_alloc(c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (tl->n > 0)
            memcpy(p, tl->items, (size_t)tl->n * sizeof *p);
        tl->items = p;
        tl->cap = cap;
    }
    tl->items[tl->n].e = e;
    tl->items[tl->n].mask = cx_cursor_mask(e);
    tl->items[tl->n].stands_in = false;
    tl->items[tl->n].on_left = on_left;
    tl->items[tl->n].level = level;
    tl->n++;
    return CHORUS_OK;
}

static uint64_t
cursor_bit(int cursor)
{
    return (uint64_t)1 << (cursor < 63 ? cursor : 63);
}

/* The innermost level a term reads, or -1 when it reads none of them. */
static int
term_level(const plan_query *q, uint64_t mask)
{
    int level = -1;

    if (mask & cursor_bit(63))
        return q->n_levels - 1;
    for (int i = 0; i < q->n_levels; i++)
        if (mask & cursor_bit(q->levels[i].cursor))
            level = i;
    return level;
}

/* --------------------------------------------------------- access paths */

enum { OP_IN = 1000 };

/* A usable comparison of a column of cursor with a value computed from
 * outer levels only. */
typedef struct usable {
    int column;
    int op;                 /* AST_OP_EQ/LT/LE/GT/GE or OP_IN */
    cx *colx, *other;       /* the column side and the value side */
    cx *term;
    uint8_t coll;
    bool is;                /* from IS or IS NULL: a NULL value finds NULLs (P11) */
} usable;

static int
flip_op(int op)
{
    switch (op) {
    case AST_OP_LT: return AST_OP_GT;
    case AST_OP_LE: return AST_OP_GE;
    case AST_OP_GT: return AST_OP_LT;
    case AST_OP_GE: return AST_OP_LE;
    default: return op;
    }
}

static bool
is_col_of(const cx *e, int cursor)
{
    return e->kind == CX_COLUMN && e->cursor == cursor;
}

static bool index_covers(const catalog_index *ix, const plan_cursor *cur);
static const catalog_index *narrowest_cover(const plan_cursor *cur);
static int right_level(const plan_query *q);
static bool or_of_equalities(const cx *t, const cx **col, cx **vals, int *n, int max);

/* What a form constrains: a column of a cursor, or (expr not NULL) an
 * index expression, recorded as column expr_column (P7). */
typedef struct form_target {
    int cursor;
    const cx *expr;
    int expr_column;
    cx *null_value;         /* term_list.null_value */
} form_target;

enum { FORM_EXPR_COLUMN = -100 };   /* FORM_EXPR_COLUMN - k: index column k's expression */

static bool
is_target(const cx *e, const form_target *tg)
{
    return tg->expr != NULL ? cc_cx_same(e, tg->expr) : is_col_of(e, tg->cursor);
}

static int
target_column(const cx *e, const form_target *tg)
{
    return tg->expr != NULL ? tg->expr_column : e->column;
}

/* Collects the usable forms of term t for target tg (BETWEEN gives two). */
static int
usable_forms(const cx *t, const form_target *tg, uint64_t later, usable *out)
{
    int n = 0;

    if (t->kind == CX_CMP && t->op != AST_OP_NE && t->op != AST_OP_IS_NOT) {
        bool is = t->op == AST_OP_IS;
        int op = is ? AST_OP_EQ : t->op;
        if (is_target(t->left, tg) && !(cx_cursor_mask(t->right) & later)) {
            out[n++] = (usable){target_column(t->left, tg), op, t->left, t->right, (cx *)t,
                                t->coll, is};
        } else if (is_target(t->right, tg) && !(cx_cursor_mask(t->left) & later)) {
            out[n++] = (usable){target_column(t->right, tg), flip_op(op), t->right, t->left,
                                (cx *)t, t->coll, is};
        }
    } else if (t->kind == CX_ISNULL && !t->is_not && tg->null_value != NULL &&
               is_target(t->left, tg)) {
        out[n++] = (usable){target_column(t->left, tg), AST_OP_EQ, t->left, tg->null_value,
                            (cx *)t, t->left->coll, true};
    } else if (t->kind == CX_BETWEEN && !t->is_not && is_target(t->left, tg)) {
        int col = target_column(t->left, tg);
        if (!(cx_cursor_mask(t->args[0]) & later))
            out[n++] = (usable){col, AST_OP_GE, t->left, t->args[0], (cx *)t,
                                cx_compare_collation(t->left, t->args[0]), false};
        if (!(cx_cursor_mask(t->args[1]) & later))
            out[n++] = (usable){col, AST_OP_LE, t->left, t->args[1], (cx *)t,
                                cx_compare_collation(t->left, t->args[1]), false};
    } else if ((t->kind == CX_IN_LIST || t->kind == CX_IN_SELECT) && !t->is_not &&
               is_target(t->left, tg)) {
        uint64_t m = 0;
        for (int i = 0; i < t->n_args; i++)
            m |= cx_cursor_mask(t->args[i]);
        if (t->kind == CX_IN_SELECT && t->is_correlated)
            m = ~(uint64_t)0;
        if (!(m & later))
            out[n++] = (usable){target_column(t->left, tg), OP_IN, t->left, NULL, (cx *)t,
                                t->coll, false};
    }
    return n;
}

/* The comparison affinity of a usable form (for IN over a subquery, the
 * subquery's column; for an IN list, the column's own). */
static char
usable_affinity(const usable *u)
{
    if (u->op == OP_IN) {
        if (u->term->kind == CX_IN_SELECT) {
            cx tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.aff = u->term->sub->col_aff[0];
            return cx_compare_affinity(u->colx, &tmp);
        }
        return u->colx->aff;
    }
    return cx_compare_affinity(u->colx, u->other);
}

/* Rule P2. */
static bool
index_column_ok(const usable *u, char col_aff, uint8_t col_coll)
{
    char aff = usable_affinity(u);

    if (u->coll != col_coll &&
        !(u->is && u->other->kind == CX_CONST && u->other->v.type == VALUE_NULL))
        return false;       /* IS NULL finds NULLs under any collation */
    if (aff == AFFINITY_NONE || aff == AFFINITY_BLOB)
        return true;
    if (aff == AFFINITY_TEXT)
        return col_aff == AFFINITY_TEXT;
    return col_aff >= AFFINITY_NUMERIC;
}

static char
probe_affinity(const usable *u)
{
    char aff = usable_affinity(u);

    return aff == AFFINITY_BLOB ? AFFINITY_NONE : aff;
}

typedef struct candidate {
    int run, out;           /* estimates (cost.c, LogEst): work, rows passed on */
    int total;              /* run and the sort it leaves (P10) */
    const catalog_index *index;
    int access;
    int n_eq;
    cx *eq[KEY_INFO_MAX];
    char eq_aff[KEY_INFO_MAX];
    uint32_t eq_is;         /* plan_level.eq_is */
    cx *lo, *hi;
    bool lo_incl, hi_incl;
    cx *in_list;
    int n_used;
    const cx *used[KEY_INFO_MAX + 2];       /* the terms the path applies */
    const char *cols[KEY_INFO_MAX + 1];     /* for the plan text */
    const char *ops[KEY_INFO_MAX + 1];
    int n_text;
    int auto_col[KEY_INFO_MAX];     /* PA_AUTO_INDEX (P15) */
    uint8_t auto_coll[KEY_INFO_MAX];
    bool auto_partial;
    int or_term;                    /* PA_MULTI_OR: its OR term in the level's term list */
} candidate;

enum { MAX_FORMS = 128, MAX_WEIGHED = 16 };

/* An index path already weighed for the level (consider). */
typedef struct weighed {
    int run, out;
    int n_used;
    const cx *used[KEY_INFO_MAX + 2];
} weighed;

/* What the access path of one level is chosen from. */
typedef struct level_view {
    cctx *c;
    scope *s;
    const plan_query *q;
    int li;
    const plan_level *lv;
    scope_source *src;
    const catalog_table *t;         /* NULL for a materialized source */
    uint64_t self;                  /* the level's cursor */
    uint64_t later;                 /* cursors not positioned before the level (its own
                                       too), and bit 63 */
    bool search;                    /* join_order.c weighs an order (P3, P7) */
    int rows;                       /* the table's rows (cost.c) */
    int outer_rows;                 /* rows the outer levels pass on (LogEst, P15) */
    const term_list *tl;
    int nu;
    usable forms[MAX_FORMS];
    int n_weighed;
    weighed weighed[MAX_WEIGHED];
} level_view;

/* Whether term tm belongs to the level: a LEFT, RIGHT or FULL JOIN level's
 * are its ON terms (P4: the WHERE terms place_terms gives a RIGHT JOIN
 * level run after it, and a row they drop still matched); else, in a
 * search, the terms that read the level's cursor and no other not
 * positioned yet; else those place_terms gave it. */
static bool
term_of_level(const level_view *v, const term *tm)
{
    bool outer = v->lv->is_left || v->lv->is_right;

    if (v->search && !tm->on_left && !v->lv->is_left)
        return (tm->mask & v->self) != 0 && !(tm->mask & v->later & ~v->self);
    return tm->level == v->li && (!outer || tm->on_left);
}

/* Whether form f constrains column (CATALOG_COLUMN_ROWID: the rowid or its alias). */
static bool
form_on(const usable *f, int column, const catalog_table *t)
{
    if (column == CATALOG_COLUMN_ROWID)
        return f->column == -1 || (t->rowid_alias >= 0 && f->column == t->rowid_alias);
    return f->column == column;
}

static void
use_term(candidate *cd, const usable *f)
{
    if (cd->n_used < KEY_INFO_MAX + 2)
        cd->used[cd->n_used++] = f->term;
}

static void
range_pick(candidate *cd, const usable *u, int nu, int column, const catalog_table *t,
           char aff, uint8_t coll, bool check_index)
{
    for (int i = 0; i < nu; i++) {
        const usable *f = &u[i];
        if (!form_on(f, column, t) || (check_index && !index_column_ok(f, aff, coll)))
            continue;
        if ((f->op == AST_OP_GT || f->op == AST_OP_GE) && cd->lo == NULL) {
            cd->lo = f->other;
            cd->lo_incl = f->op == AST_OP_GE;
            use_term(cd, f);
        } else if ((f->op == AST_OP_LT || f->op == AST_OP_LE) && cd->hi == NULL) {
            cd->hi = f->other;
            cd->hi_incl = f->op == AST_OP_LE;
            use_term(cd, f);
        }
    }
}

static const usable *
find_form(const usable *u, int nu, int column, int op, const catalog_table *t, char aff,
          uint8_t coll, bool is_index)
{
    for (int i = 0; i < nu; i++) {
        const usable *f = &u[i];
        if (form_on(f, column, t) && f->op == op && (!is_index || index_column_ok(f, aff, coll)))
            return f;
    }
    return NULL;
}

/* The values an IN term probes: its list's length, or SQLite's guess of
 * 25 rows for a subquery (LogEst). */
static int
in_size(const cx *in)
{
    return in->kind == CX_IN_LIST ? cost_log((uint64_t)in->n_args) : 46;
}

/* A range bound keeps a quarter of the rows, two bounds 1/64 (not below
 * 2 rows), as SQLite guesses without stat4. */
static void
range_rows(candidate *cd)
{
    int n = cd->out - (cd->lo ? 20 : 0) - (cd->hi ? 20 : 0) - (cd->lo && cd->hi ? 20 : 0);

    if (n < 10)
        n = 10;
    if (n < cd->out)
        cd->out = n;
}

/* The run cost of a path that seeks (seeks more times for IN values),
 * reads cd->out entries of relative size entry, and, with lookup, finds
 * each row in the table. */
static void
path_cost(candidate *cd, const level_view *v, int seeks, int entry, bool lookup)
{
    cd->run = cost_add(cost_seek(v->rows) + seeks, cd->out + 1 + entry);
    if (lookup)
        cd->run = cost_add(cd->run, cd->out + 16);
}

/* Whether e is an integer constant -1, 0 or 1. */
static bool
small_int_constant(const cx *e)
{
    return e->kind == CX_CONST && e->v.type == VALUE_INTEGER && e->v.u.i >= -1 && e->v.u.i <= 1;
}

/* Terms of the level the path does not apply still filter its rows: one
 * step each, and an equality at least 1/4 of the table (1/2 when it
 * compares with -1, 0 or 1), as SQLite estimates. */
static void
output_adjust(const level_view *v, candidate *cd)
{
    int reduce = 0;

    for (int i = 0; i < v->tl->n; i++) {
        const term *tm = &v->tl->items[i];
        bool used = false;
        if (!term_of_level(v, tm) || tm->stands_in)
            continue;
        for (int k = 0; k < cd->n_used && !used; k++)
            used = cd->used[k] == tm->e;
        if (used)
            continue;
        cd->out -= 1;
        if (tm->e->kind == CX_CMP && (tm->e->op == AST_OP_EQ || tm->e->op == AST_OP_IS)) {
            int k = small_int_constant(tm->e->left) || small_int_constant(tm->e->right) ? 10
                                                                                          : 20;
            if (reduce < k)
                reduce = k;
        }
    }
    if (cd->out > v->rows - reduce)
        cd->out = v->rows - reduce;
}

/* Whether path a applies fewer terms than b, each of them one b applies. */
static bool
uses_proper_subset(const cx *const *a, int na, const cx *const *b, int nb)
{
    if (na >= nb)
        return false;
    for (int i = 0; i < na; i++) {
        bool found = false;
        for (int j = 0; j < nb && !found; j++)
            found = a[i] == b[j];
        if (!found)
            return false;
    }
    return true;
}

/* P10: the cost of sorting the rows a path passes on, as SQLite guesses
 * it (rows, times 2 for the result width, more with LIMIT, a log factor),
 * when the path leaves a sort for the ORDER BY; else 0. */
static int
sort_cost(const level_view *v, const candidate *cd)
{
    const cx *limit = v->q->limit;
    int served, rows = cd->out, cost;

    if (v->search)
        return 0;
    if (cd->access == PA_MULTI_OR || cd->access == PA_AUTO_INDEX)     /* P15, P16: */
        served = cc_order_served(v->c, v->s, v->q, v->lv, NULL, 0, false) < 0 ? -1 : 0;
    else                        /* their rows come in no order: sorted, if it matters */
        served = cc_order_served(
            v->c, v->s, v->q, v->lv,
            cd->access == PA_INDEX || cd->access == PA_INDEX_IN ? cd->index : NULL,
            cd->access == PA_INDEX_IN ? 0 : cd->n_eq,
            cd->access == PA_INDEX_IN || (cd->access == PA_INDEX && (cd->lo != NULL || cd->hi != NULL) &&
                                          cd->index->cols[cd->n_eq].desc));
    if (served != 0)
        return 0;
    cost = cd->out + cost_log((uint64_t)(v->q->n_cols + 59) / 30);
    if (limit != NULL && limit->kind == CX_CONST && limit->v.type == VALUE_INTEGER) {
        cost += 10;
        if (limit->v.u.i > 0 && cost_log((uint64_t)limit->v.u.i) < rows)
            rows = cost_log((uint64_t)limit->v.u.i);
    }
    return cost + cost_seek(rows);
}

/* cd's total: its run and the sort it leaves. */
static void
set_total(const level_view *v, candidate *cd)
{
    int sort = sort_cost(v, cd);

    cd->total = sort > 0 ? cost_add(cd->run, sort) : cd->run;
}

/* P6: keeps cd when it is cheaper than best. As SQLite does, an index path
 * that applies every term another index path applies, and more, is taken
 * as no costlier than that one and passing one row fewer (and the other
 * way round). */
static void
consider(level_view *v, candidate *cd, candidate *best)
{
    if (cd->access != PA_AUTO_INDEX && cd->access != PA_MULTI_OR)
        output_adjust(v, cd);       /* SQLite's guesses stand (P15, P16) */
    if (cd->index != NULL) {
        for (int i = 0; i < v->n_weighed; i++) {
            const weighed *w = &v->weighed[i];
            if (uses_proper_subset(w->used, w->n_used, cd->used, cd->n_used)) {
                cd->run = cd->run < w->run ? cd->run : w->run;
                cd->out = (cd->out < w->out ? cd->out : w->out) - 1;
            } else if (uses_proper_subset(cd->used, cd->n_used, w->used, w->n_used)) {
                cd->run = cd->run > w->run ? cd->run : w->run;
                cd->out = (cd->out > w->out ? cd->out : w->out) + 1;
            }
        }
        if (v->n_weighed < MAX_WEIGHED) {
            weighed *w = &v->weighed[v->n_weighed++];
            w->run = cd->run;
            w->out = cd->out;
            w->n_used = cd->n_used;
            memcpy(w->used, cd->used, sizeof w->used);
        }
    }
    set_total(v, cd);
    if (cd->total < best->total || (cd->total == best->total && cd->out < best->out))
        *best = *cd;
}

/* The full scan: of the table, or of the covering index cc_where_finish
 * will read instead (cheaper by the smaller entries). */
static void
plan_scan(const level_view *v, candidate *best)
{
    const catalog_index *cover = NULL;

    memset(best, 0, sizeof *best);
    best->out = v->rows;
    best->run = v->rows + 16;
    if (v->t != NULL && !v->lv->not_indexed)
        cover = narrowest_cover(cc_cursor(v->c, v->lv->cursor));
    if (cover != NULL)
        best->run = v->rows + 1 + 15 * cost_index_row_size(cover) / cost_table_row_size(v->t);
    output_adjust(v, best);
    set_total(v, best);
}

/* P10: a full scan of index ix, when it reads the rows in ORDER BY order. */
static void
plan_ordered_scan(level_view *v, const catalog_index *ix, candidate *best)
{
    candidate cd;

    if (v->search || ix->where != NULL || catalog_index_is_table(ix) ||
        cc_order_served(v->c, v->s, v->q, v->lv, ix, 0, false) != 1)
        return;
    memset(&cd, 0, sizeof cd);
    cd.index = ix;
    cd.access = PA_INDEX;
    cd.out = v->rows;
    cd.run = v->rows + 1 + 15 * cost_index_row_size(ix) / cost_table_row_size(v->t);
    if (!index_covers(ix, cc_cursor(v->c, v->lv->cursor)))
        cd.run = cost_add(cd.run, cd.out + 16);
    consider(v, &cd, best);
}

static void
plan_rowid(level_view *v, candidate *best)
{
    const usable *f = find_form(v->forms, v->nu, CATALOG_COLUMN_ROWID, AST_OP_EQ, v->t, 0, 0,
                                false);
    int seeks = 0;
    candidate cd;

    memset(&cd, 0, sizeof cd);
    if (f != NULL) {
        cd.access = PA_ROWID_EQ;
        cd.eq[0] = f->other;
        cd.n_eq = 1;
        use_term(&cd, f);
    } else if ((f = find_form(v->forms, v->nu, CATALOG_COLUMN_ROWID, OP_IN, v->t, 0, 0,
                              false)) != NULL) {
        cd.access = PA_ROWID_IN;
        cd.in_list = f->term;
        cd.out = seeks = in_size(f->term);
        use_term(&cd, f);
    } else {
        range_pick(&cd, v->forms, v->nu, CATALOG_COLUMN_ROWID, v->t, 0, 0, false);
        if (cd.lo == NULL && cd.hi == NULL)
            return;
        cd.access = PA_ROWID_RANGE;
        cd.out = v->rows;
        range_rows(&cd);
    }
    path_cost(&cd, v, seeks, 15, false);
    consider(v, &cd, best);
}

static const char *
column_name(const catalog_table *t, int col)
{
    if (col <= FORM_EXPR_COLUMN)
        return "<expr>";
    return col >= 0 ? t->cols[col].name : "rowid";
}

/* Index ix's lookup from forms u (exprs: its expression columns compiled
 * over the level's source, NULL where not). */
static void
plan_index(level_view *v, const catalog_index *ix, const usable *u, int nu,
           cx *const *exprs, candidate *best)
{
    const catalog_table *t = v->t;
    candidate cd;
    int k = 0, seeks = 0;

    memset(&cd, 0, sizeof cd);
    cd.index = ix;
    cd.access = PA_INDEX;
    for (; k < ix->n_cols && k < KEY_INFO_MAX; k++) {
        const catalog_index_column *ic = &ix->cols[k];
        int col = ic->column >= 0 ? ic->column : FORM_EXPR_COLUMN - k;
        const usable *f;
        char aff;
        if (ic->column < 0 && exprs[k] == NULL)
            break;
        aff = ic->column >= 0 ? t->cols[ic->column].affinity : exprs[k]->aff;
        f = find_form(u, nu, col, AST_OP_EQ, t, aff, ic->collation, true);
        if (f == NULL && k == 0 &&
            (f = find_form(u, nu, col, OP_IN, t, aff, ic->collation, true)) != NULL) {
            cd.access = PA_INDEX_IN;
            cd.in_list = f->term;
            seeks = in_size(f->term);
            cd.eq_aff[0] = probe_affinity(f);
            cd.cols[cd.n_text] = column_name(t, col);
            cd.ops[cd.n_text++] = "=";
            cd.n_eq = 1;
            use_term(&cd, f);
            continue;
        }
        if (f == NULL)
            break;
        cd.eq[k] = f->other;
        cd.eq_aff[k] = probe_affinity(f);
        if (f->is)
            cd.eq_is |= 1u << k;
        cd.cols[cd.n_text] = column_name(t, col);
        cd.ops[cd.n_text++] = "=";
        cd.n_eq = k + 1;
        use_term(&cd, f);
    }
    cd.out = cost_index_rows(ix, cd.n_eq) + seeks;
    if (k < ix->n_cols && (ix->cols[k].column >= 0 || exprs[k] != NULL) &&
        cd.access == PA_INDEX) {       /* a DESC column too (exec_loop.c L6) */
        const catalog_index_column *ic = &ix->cols[k];
        int col = ic->column >= 0 ? ic->column : FORM_EXPR_COLUMN - k;
        range_pick(&cd, u, nu, col, t, ic->column >= 0 ? t->cols[col].affinity : exprs[k]->aff,
                   ic->collation, true);
        if (cd.lo != NULL || cd.hi != NULL) {
            const usable *f = NULL;
            for (int i = 0; i < nu && f == NULL; i++)
                if (u[i].other == cd.lo || u[i].other == cd.hi)
                    f = &u[i];
            cd.eq_aff[k] = f != NULL ? probe_affinity(f) : AFFINITY_NONE;
            if (cd.lo != NULL) {
                cd.cols[cd.n_text] = column_name(t, col);
                cd.ops[cd.n_text++] = ">";
            }
            if (cd.hi != NULL) {
                cd.cols[cd.n_text] = column_name(t, col);
                cd.ops[cd.n_text++] = "<";
            }
            range_rows(&cd);
        }
    }
    if (cd.n_eq == 0 && cd.lo == NULL && cd.hi == NULL)
        return;
    if (catalog_index_is_table(ix))     /* a WITHOUT ROWID table's own key: no lookup */
        path_cost(&cd, v, seeks, 15, false);
    else
        path_cost(&cd, v, seeks, 15 * cost_index_row_size(ix) / cost_table_row_size(t),
                  !index_covers(ix, cc_cursor(v->c, v->lv->cursor)));
    consider(v, &cd, best);
}

/* ------------------------------------------------ automatic indexes (P15) */

/* Whether e reads nothing but its own row (no subquery, aggregate or window
 * value, only deterministic functions): SQLite's table constraint. */
static bool
row_constant(const cx *e)
{
    if (e == NULL)
        return true;
    switch (e->kind) {
    case CX_AGG: case CX_GROUPCOL: case CX_IN_SELECT: case CX_EXISTS: case CX_SUBQUERY:
    case CX_WINDOW: case CX_WINCOL: case CX_RAISE:
        return false;
    case CX_FUNC:
        if (!(e->fn->flags & FUNC_DETERMINISTIC))
            return false;
        break;
    default:
        break;
    }
    for (int i = 0; i < e->n_args; i++)
        if (!row_constant(e->args[i]))
            return false;
    return row_constant(e->left) && row_constant(e->right) && row_constant(e->extra);
}

/* P15: whether term tm is part of the automatic index's PARTIAL condition. */
static bool
auto_partial_term(const level_view *v, const term *tm)
{
    return term_of_level(v, tm) && !tm->stands_in && tm->mask == v->self && row_constant(tm->e);
}

/* P15: the place of form f among the automatic index's key columns: a term
 * comparing two columns that names the level's column on the right comes
 * after the others, last first, as SQLite's commuted copies of such terms
 * are appended to its WHERE terms in reverse order; 0 for a form that
 * cannot key it. */
static int
auto_form_rank(const level_view *v, const usable *f)
{
    const cx *t = f->term;

    if (t->kind != CX_CMP || f->op != AST_OP_EQ || f->column < 0 ||
        (v->t != NULL && f->column == v->t->rowid_alias))
        return 0;
    if (!index_column_ok(f, v->t != NULL ? v->t->cols[f->column].affinity
                                         : v->src->col_aff[f->column], f->coll))
        return 0;
    return f->colx != t->left && t->left->kind == CX_COLUMN ? 2 : 1;
}

/* P15: whether the level may have an automatic index: a table, or a view
 * or subquery filled once per run (not json_each, a recursive CTE's queue
 * or a correlated FROM subquery). */
static bool
auto_index_allowed(const level_view *v)
{
    const plan_level *lv = v->lv;
    const plan_cursor *cur = cc_cursor(v->c, lv->cursor);

    if (!v->c->env->automatic_index || lv->not_indexed || lv->indexed_by != NULL ||
        lv->is_right || lv->is_dml_target || right_level(v->q) >= 0 || v->outer_rows < 3)
        return false;
    if (v->t != NULL)
        return !v->t->without_rowid;
    return cur->source != NULL && !cur->refill && cur->source->kind != PQ_TABLE_FN;
}

/* The name of column col of the level's source, for plans. */
static const char *
source_column_name(const level_view *v, int col)
{
    return v->t != NULL ? column_name(v->t, col) : v->src->col_names[col];
}

static void
plan_auto_index(level_view *v, candidate *best)
{
    int log_rows = cost_seek(v->rows), n = 0, setup;
    uint64_t keyed = 0;
    candidate cd;

    if (!auto_index_allowed(v))
        return;
    memset(&cd, 0, sizeof cd);
    cd.access = PA_AUTO_INDEX;
    for (int pass = 1; pass <= 2; pass++) {
        for (int k = 0; k < v->nu && n < 32; k++) {       /* eq_is has 32 bits */
            const usable *f = &v->forms[pass == 1 ? k : v->nu - 1 - k];
            if (f->column < 0)
                continue;                   /* the rowid: its own seek serves it */
            uint64_t bit = (uint64_t)1 << (f->column < 63 ? f->column : 63);
            if (auto_form_rank(v, f) != pass || (keyed & bit))
                continue;
            keyed |= bit;
            cd.eq[n] = f->other;
            cd.eq_aff[n] = probe_affinity(f);
            cd.auto_col[n] = f->column;
            cd.auto_coll[n] = f->coll;
            if (f->is)
                cd.eq_is |= 1u << n;
            cd.cols[cd.n_text] = source_column_name(v, f->column);
            cd.ops[cd.n_text++] = "=";
            use_term(&cd, f);
            n++;
        }
    }
    if (n == 0)
        return;
    cd.n_eq = n;
    for (int i = 0; i < v->tl->n && !cd.auto_partial; i++)
        cd.auto_partial = auto_partial_term(v, &v->tl->items[i]);
    cd.out = 43;                                                /* 20 rows */
    setup = log_rows + v->rows + (v->t != NULL ? 28 : -10);     /* views: more eagerly */
    cd.run = cost_add(setup > 0 ? setup : 0, v->outer_rows + cost_add(log_rows, cd.out)) -
             v->outer_rows;
    consider(v, &cd, best);
}

/* ---------------------------------------------------- MULTI-INDEX OR (P16) */

enum { OR_BRANCHES_MAX = 16, OR_BRANCH_TERMS_MAX = 16 };

static void level_view_init(level_view *v, cctx *c, scope *s, const plan_query *q, int li,
                            const term_list *tl, uint64_t later, int outer_rows, bool search);
static void plan_index_exprs(level_view *v, const catalog_index *ix, candidate *best);

/* The branches of the OR e into out from n on; -1 past max. */
static int
or_split(cx *e, cx **out, int n, int max)
{
    if (e->kind == CX_OR) {
        n = or_split(e->left, out, n, max);
        return n < 0 ? n : or_split(e->right, out, n, max);
    }
    if (n == max)
        return -1;
    out[n] = e;
    return n + 1;
}

static int or_in_list(cctx *c, const cx *t, cx **out);

/* The AND terms of branch b, placed as the OR term tm is, into out from n
 * on, with the IN stand-in of an OR of equalities (P12); -1 past max. */
static int
branch_terms(cctx *c, cx *b, const term *tm, term *out, int n, int max)
{
    cx *in;

    if (b->kind == CX_AND) {
        n = branch_terms(c, b->left, tm, out, n, max);
        return n < 0 ? n : branch_terms(c, b->right, tm, out, n, max);
    }
    if (n >= max - 1 || or_in_list(c, b, &in) != CHORUS_OK)
        return -1;
    out[n] = *tm;
    out[n].e = in != NULL ? in : b;
    out[n].mask = cx_cursor_mask(out[n].e);
    return n + 1;
}

/* P16: whether the level's term tm joins each branch's terms, as SQLite
 * ANDs the other comparisons of the WHERE (no subquery) into each branch. */
static bool
joins_branches(const level_view *v, const term *tm, const term *or_term)
{
    int k = tm->e->kind;

    return tm != or_term && !tm->stands_in && term_of_level(v, tm) &&
           (k == CX_CMP || k == CX_BETWEEN || k == CX_IN_LIST || k == CX_ISNULL || k == CX_OR) &&
           row_constant(tm->e);
}

/* P16: the cheapest lookup of the level's table (rowid or index, never a
 * scan) by the terms of branch b of OR term tm and the terms that join
 * each branch; false if none. */
static bool
or_branch_lookup(const level_view *v, const term *tm, cx *b, candidate *out)
{
    term items[OR_BRANCH_TERMS_MAX];
    int n = branch_terms(v->c, b, tm, items, 0, OR_BRANCH_TERMS_MAX);
    term_list btl;
    level_view *bv;

    for (int i = 0; i < v->tl->n && n >= 0 && n < OR_BRANCH_TERMS_MAX; i++)
        if (joins_branches(v, &v->tl->items[i], tm))
            items[n++] = v->tl->items[i];
    btl = (term_list){n, n, items, v->tl->null_value};
    memset(out, 0, sizeof *out);
    if (n < 0 || (bv = malloc(sizeof *bv)) == NULL)
        return false;
    level_view_init(bv, v->c, v->s, v->q, v->li, &btl, v->later, v->outer_rows, v->search);
    out->total = out->out = INT_MAX;
    if (!v->t->without_rowid)
        plan_rowid(bv, out);
    for (int i = v->t->n_indexes - 1; i >= 0; i--) {
        const catalog_index *ix = v->t->indexes[i];
        if (ix->where == NULL && (v->lv->indexed_by == NULL || v->lv->indexed_by == ix))
            plan_index_exprs(bv, ix, out);
    }
    free(bv);
    return out->access != 0;
}

/* P16: an OR term whose every branch looks rows up (not x = a OR x = b,
 * P12's IN) may read the rows each branch finds, SQLite's MULTI-INDEX OR:
 * its branches' costs and rows added, one more. */
static void
plan_multi_or(level_view *v, candidate *best)
{
    const plan_level *lv = v->lv;

    if (lv->not_indexed || lv->is_right || v->t->without_rowid)
        return;
    for (int i = 0; i < v->tl->n; i++) {
        const term *tm = &v->tl->items[i];
        cx *branches[OR_BRANCHES_MAX], *vals[64];
        const cx *col = NULL;
        int n = 0, nv = 0;
        candidate cd, bc;
        if (tm->e->kind != CX_OR || tm->e->ast == NULL || tm->stands_in ||
            !term_of_level(v, tm) || or_of_equalities(tm->e, &col, vals, &nv, 64))
            continue;       /* no AST: a vector comparison, whole in SQLite (rowvalue.c) */
        n = or_split(tm->e, branches, 0, OR_BRANCHES_MAX);
        memset(&cd, 0, sizeof cd);
        cd.access = PA_MULTI_OR;
        cd.or_term = i;
        for (int b = 0; b < n; b++) {
            if (!or_branch_lookup(v, tm, branches[b], &bc)) {
                n = -1;
                break;
            }
            cd.run = b > 0 ? cost_add(cd.run, bc.run) : bc.run;
            cd.out = b > 0 ? cost_add(cd.out, bc.out) : bc.out;
        }
        if (n < 2)
            continue;
        cd.run++;
        cd.used[cd.n_used++] = tm->e;
        consider(v, &cd, best);
    }
}

/* P15: the PARTIAL condition of the level's automatic index. */
static cx *
auto_where(const level_view *v)
{
    cx *w = NULL;

    for (int i = 0; i < v->tl->n; i++)
        if (auto_partial_term(v, &v->tl->items[i]))
            w = cx_and(v->c, w, v->tl->items[i].e);
    return w;
}

static char *
plan_text(cctx *c, const plan_level *lv, const catalog_table *t, const char *alias,
          const candidate *cd)
{
    strbuf sb;
    const char *name = alias != NULL ? alias : t->name;     /* t NULL: alias given */

    strbuf_init(&sb);
    if (cd->access == 0) {
        strbuf_printf(&sb, "SCAN %s", name);
    } else if (cd->access == PA_ROWID_EQ || cd->access == PA_ROWID_IN) {
        strbuf_printf(&sb, "SEARCH %s USING INTEGER PRIMARY KEY (rowid=?)", name);
    } else if (cd->access == PA_ROWID_RANGE) {
        strbuf_printf(&sb, "SEARCH %s USING INTEGER PRIMARY KEY (%s%s%s)", name,
                      cd->lo ? "rowid>?" : "", cd->lo && cd->hi ? " AND " : "",
                      cd->hi ? "rowid<?" : "");
    } else if (cd->access == PA_MULTI_OR) {
        strbuf_puts(&sb, "MULTI-INDEX OR");
    } else if (cd->access == PA_AUTO_INDEX) {
        strbuf_printf(&sb, "SEARCH %s USING AUTOMATIC %sCOVERING INDEX (", name,
                      cd->auto_partial ? "PARTIAL " : "");
        for (int i = 0; i < cd->n_text; i++)
            strbuf_printf(&sb, "%s%s=?", i ? " AND " : "", cd->cols[i]);
        strbuf_putc(&sb, ')');
    } else if (cd->n_text == 0) {                       /* P10: a full index scan */
        strbuf_printf(&sb, "SCAN %s USING INDEX %s", name, cd->index->name);
    } else {
        if (catalog_index_is_table(cd->index))         /* a WITHOUT ROWID table's own key */
            strbuf_printf(&sb, "SEARCH %s USING PRIMARY KEY (", name);
        else
            strbuf_printf(&sb, "SEARCH %s USING INDEX %s (", name, cd->index->name);
        for (int i = 0; i < cd->n_text; i++)
            strbuf_printf(&sb, "%s%s%s?", i ? " AND " : "", cd->cols[i], cd->ops[i]);
        strbuf_putc(&sb, ')');
    }
    if (lv->is_left && cd->access != PA_MULTI_OR)
        strbuf_puts(&sb, " LEFT-JOIN");
    {
        char *text = strbuf_finish(&sb);
        char *out = text ? cc_strdup(c, text) : NULL;
        free(text);
        return out;
    }
}

static int
remember_level(cctx *c, plan_level *lv)
{
    if (c->n_levels == c->cap_levels) {
        int cap = c->cap_levels ? c->cap_levels * 2 : 16;
        plan_level **p = realloc(c->levels, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        c->levels = p;
        c->cap_levels = cap;
    }
    c->levels[c->n_levels++] = lv;
    return CHORUS_OK;
}

/* Whether index ix holds every column of its table that cursor cur reads
 * (a partial one: of the rows it holds, P5). */
static bool
index_covers(const catalog_index *ix, const plan_cursor *cur)
{
    const catalog_table *t = cur->table;

    if (cur->used >> 63)
        return false;
    for (int col = 0; col < t->n_cols && col < 62; col++) {
        bool held = col == t->rowid_alias;
        if (!(cur->used & ((uint64_t)1 << col)))
            continue;
        for (int k = 0; k < ix->n_cols && !held; k++)
            held = ix->cols[k].column == col;
        for (int k = 0; k < ix->n_suffix && !held && ix->origin == CATALOG_INDEX_CREATE; k++)
            held = ix->suffix[k] == col;        /* WITHOUT ROWID: the PK after the key; SQLite
                                                   does not count it in its autoindexes */
        if (!held)
            return false;
    }
    return true;
}

static int
covering_text(cctx *c, plan_level *lv)
{
    const char *old = lv->plan_text;
    const char *at = strstr(old, "USING INDEX ");
    strbuf sb;
    char *text;

    strbuf_init(&sb);
    if (at != NULL) {
        strbuf_append(&sb, old, (size_t)(at - old));
        strbuf_puts(&sb, "USING COVERING INDEX ");
        strbuf_puts(&sb, at + strlen("USING INDEX "));
    } else {
        strbuf_printf(&sb, "SCAN %s USING COVERING INDEX %s%s", lv->name, lv->index->name,
                      lv->is_left ? " LEFT-JOIN" : "");
    }
    text = strbuf_finish(&sb);
    if (text == NULL)
        return CHORUS_NOMEM;
    lv->plan_text = cc_strdup(c, text);
    free(text);
    return lv->plan_text == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

/* A full scan reads a covering index instead of the table, as SQLite does
 * when the index entry is estimated smaller than the table row: the one of
 * least cost (15 * szIdxRow / szTabRow, in integers), the newest of equal
 * ones (SQLite lists a table's indexes newest first). A WITHOUT ROWID
 * table's own scan has such a cost too (its PK index's, listed after every
 * CREATE INDEX), which a covering index must match. */
static const catalog_index *
narrowest_cover(const plan_cursor *cur)
{
    const catalog_table *t = cur->table;
    const catalog_index *best = NULL, *pk = catalog_table_pk_index(t);
    int tab = cost_table_row_size(t), best_cost = 0;
    int pk_cost = pk != NULL ? 15 * cost_index_row_size(pk) / tab : 0;

    for (int i = 0; i < t->n_indexes; i++) {
        const catalog_index *ix = t->indexes[i];
        int size, cost;
        if (ix->where != NULL || !index_covers(ix, cur) || catalog_index_is_table(ix))
            continue;       /* a partial index misses rows; a WITHOUT ROWID PK is the table */
        size = cost_index_row_size(ix);
        cost = 15 * size / tab;
        if ((pk != NULL ? cost <= pk_cost : size < tab) && (best == NULL || cost <= best_cost)) {
            best = ix;
            best_cost = cost;
        }
    }
    return best;
}

const catalog_index *
cc_where_narrowest_cover(const plan_cursor *cur)
{
    return narrowest_cover(cur);
}

const catalog_index *
cc_where_scan_index_next(const plan_level *lv, const plan_cursor *cur, int *pos)
{
    const catalog_table *t = cur->table;
    const catalog_index *cover = narrowest_cover(cur);

    while (*pos < 2 * t->n_indexes) {
        int pass = *pos / t->n_indexes;
        const catalog_index *ix = t->indexes[*pos % t->n_indexes];
        (*pos)++;
        if ((pass == 0) != (ix == cover) || ix->where != NULL || catalog_index_is_table(ix) ||
            (lv->indexed_by != NULL && lv->indexed_by != ix))
            continue;
        return ix;
    }
    return NULL;
}

/* P16: a MULTI-INDEX OR branch whose index holds every column read shows
 * as covering, as SQLite's (its rows are still read from the table). */
static int
branches_finish(cctx *c, const plan_level *lv, const plan_cursor *cur)
{
    int rc = CHORUS_OK;

    for (int b = 0; b < lv->n_or && rc == CHORUS_OK; b++) {
        plan_level *sub = &lv->or_branches[b];
        if ((sub->access == PA_INDEX || sub->access == PA_INDEX_IN) &&
            !catalog_index_is_table(sub->index) && index_covers(sub->index, cur))
            rc = covering_text(c, sub);
    }
    return rc;
}

int
cc_where_finish(cctx *c)
{
    for (int i = 0; i < c->n_levels; i++) {
        plan_level *lv = c->levels[i];
        const plan_cursor *cur = cc_cursor(c, lv->cursor);
        int rc;
        if (cur->kind != PC_TABLE || lv->not_indexed)
            continue;
        if (lv->access == PA_MULTI_OR) {
            rc = branches_finish(c, lv, cur);
            if (rc != CHORUS_OK)
                return rc;
            continue;
        }
        if (lv->access == PA_SCAN && (lv->keep_order || lv->is_dml_target))
            continue;           /* order.c O3; SQLite's one-pass DML scans the table */
        if (lv->access == PA_SCAN) {
            const catalog_index *ix = narrowest_cover(cur);
            if (ix == NULL)
                continue;
            lv->access = PA_INDEX;
            lv->index = ix;
            lv->n_eq = 0;
        } else if ((lv->access != PA_INDEX && lv->access != PA_INDEX_IN) ||
                   !index_covers(lv->index, cur) || catalog_index_is_table(lv->index)) {
            continue;
        }
        lv->covering = true;
        rc = covering_text(c, lv);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* ------------------------------------------------ partial indexes (P5) */

bool
cc_cx_same(const cx *a, const cx *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->kind != b->kind || a->op != b->op || a->is_not != b->is_not ||
        a->n_args != b->n_args || a->coll != b->coll)
        return false;
    switch (a->kind) {
    case CX_CONST:
        return a->v.type == b->v.type && value_compare(&a->v, &b->v, COLLATE_BINARY) == 0;
    case CX_COLUMN:
        return a->cursor == b->cursor && a->column == b->column;
    case CX_FUNC:
        if (a->fn != b->fn)
            return false;
        break;
    case CX_BETWEEN:
        if (a->index != b->index)
            return false;
        break;
    case CX_CAST:
        if (a->aff != b->aff)
            return false;
        break;
    case CX_UNARY: case CX_ARITH: case CX_CMP: case CX_AND: case CX_OR: case CX_CASE:
    case CX_IN_LIST: case CX_LIKE: case CX_ISNULL:
        break;
    default:
        return false;       /* parameters, subqueries, aggregates: never the same */
    }
    if (!cc_cx_same(a->left, b->left) || !cc_cx_same(a->right, b->right) ||
        !cc_cx_same(a->extra, b->extra))
        return false;
    for (int i = 0; i < a->n_args; i++)
        if (!cc_cx_same(a->args[i], b->args[i]))
            return false;
    return true;
}

/* The column x of x IS NOT NULL (or NOTNULL), else NULL. */
static const cx *
not_null_operand(const cx *e)
{
    if (e->kind == CX_ISNULL && e->is_not)
        return e->left;
    if (e->kind == CX_CMP && e->op == AST_OP_IS_NOT && e->right->kind == CX_CONST &&
        e->right->v.type == VALUE_NULL)
        return e->left;
    return NULL;
}

/* Whether term t is false or NULL whenever x is NULL (it compares x). */
static bool
rejects_null(const cx *t, const cx *x)
{
    if (t->kind == CX_CMP && t->op != AST_OP_IS && t->op != AST_OP_IS_NOT)
        return cc_cx_same(t->left, x) || cc_cx_same(t->right, x);
    if (t->kind == CX_BETWEEN || t->kind == CX_IN_LIST || t->kind == CX_IN_SELECT ||
        t->kind == CX_LIKE)
        return cc_cx_same(t->left, x);
    return not_null_operand(t) != NULL && cc_cx_same(not_null_operand(t), x);
}

/* Whether index term w holds for every row the level's terms let through. */
static bool
term_implied(const cx *w, const level_view *v)
{
    const cx *x = not_null_operand(w);

    if (w->kind == CX_CONST && value_truth(&w->v) == 1)
        return true;
    for (int i = 0; i < v->tl->n; i++) {
        const term *tm = &v->tl->items[i];
        if (!term_of_level(v, tm))
            continue;
        if (cc_cx_same(tm->e, w) || (x != NULL && rejects_null(tm->e, x)))
            return true;
    }
    return false;
}

static bool
where_implied(const cx *w, const level_view *v)
{
    if (w->kind == CX_AND)
        return where_implied(w->left, v) && where_implied(w->right, v);
    return term_implied(w, v);
}

cx *
cc_compile_on_source(cctx *c, scope_source *src, const ast_expr *ast)
{
    scope row;
    cx *e = NULL;
    char *prior_error = c->errmsg;
    plan_cursor *cur = cc_cursor(c, src->cursor);
    uint64_t used = cur->used;
    int rc;

    memset(&row, 0, sizeof row);
    row.n_src = 1;
    row.src = src;
    row.no_agg = true;
    row.first_cursor = src->cursor;
    rc = cc_expr(c, &row, ast, &e);
    cur->used = used;
    if (rc != CHORUS_OK && prior_error == NULL) {
        free(c->errmsg);
        c->errmsg = NULL;
    }
    return rc == CHORUS_OK ? e : NULL;
}

/* P5: whether partial index ix holds every row the level may pass: each
 * AND term of its WHERE, compiled over the level's source, is one of the
 * level's terms, or x IS NOT NULL where a term compares x. */
static bool
partial_index_usable(const level_view *v, const catalog_index *ix)
{
    const cx *w = cc_compile_on_source(v->c, v->src, ix->where);

    return w != NULL && where_implied(w, v);
}

/* P7: index ix's lookup, its expression columns compiled over the source
 * and their forms added to the level's. */
static void
plan_index_exprs(level_view *v, const catalog_index *ix, candidate *best)
{
    cx *exprs[KEY_INFO_MAX];
    usable forms[MAX_FORMS];
    int nu = v->nu;
    bool has_expr = false;

    for (int k = 0; k < ix->n_cols && k < KEY_INFO_MAX; k++) {
        exprs[k] = NULL;
        has_expr = has_expr || ix->cols[k].column == CATALOG_COLUMN_EXPR;
    }
    if (!has_expr) {
        plan_index(v, ix, v->forms, v->nu, exprs, best);
        return;
    }
    memcpy(forms, v->forms, (size_t)nu * sizeof *forms);
    for (int k = 0; k < ix->n_cols && k < KEY_INFO_MAX; k++) {
        form_target tg = {v->lv->cursor, NULL, FORM_EXPR_COLUMN - k, v->tl->null_value};
        if (ix->cols[k].column != CATALOG_COLUMN_EXPR)
            continue;
        exprs[k] = cc_compile_on_source(v->c, v->src, ix->cols[k].expr);
        tg.expr = exprs[k];
        for (int i = 0; exprs[k] != NULL && i < v->tl->n && nu < MAX_FORMS - 2; i++)
            if (term_of_level(v, &v->tl->items[i]))
                nu += usable_forms(v->tl->items[i].e, &tg, v->later, &forms[nu]);
    }
    plan_index(v, ix, forms, nu, exprs, best);
}

/* The source a level moves (levels may run in another order than the
 * sources, P3). */
static scope_source *
level_source(scope *s, const plan_level *lv)
{
    for (int i = 0; i < s->n_src; i++)
        if (s->src[i].cursor == lv->cursor)
            return &s->src[i];
    return NULL;
}

/* The forms and estimates of level li when the cursors in later are not
 * positioned before it and the levels outside it pass on outer_rows rows. */
static void
level_view_init(level_view *v, cctx *c, scope *s, const plan_query *q, int li,
                const term_list *tl, uint64_t later, int outer_rows, bool search)
{
    const plan_cursor *cur;
    form_target tg;

    v->c = c;
    v->s = s;
    v->q = q;
    v->li = li;
    v->lv = &q->levels[li];
    v->src = level_source(s, v->lv);
    cur = cc_cursor(c, v->lv->cursor);
    v->t = cur->kind == PC_TABLE ? cur->table : NULL;
    v->self = cursor_bit(v->lv->cursor);
    v->later = later | v->self | cursor_bit(63);
    v->search = search;
    v->rows = v->t != NULL         ? cost_table_rows(v->t)
              : cur->source != NULL ? cost_query_rows(cur->source)
                                    : COST_DEFAULT_ROWS;
    v->outer_rows = outer_rows;
    v->tl = tl;
    v->nu = 0;
    v->n_weighed = 0;
    tg = (form_target){v->lv->cursor, NULL, 0, tl->null_value};
    for (int i = 0; i < tl->n && v->nu < MAX_FORMS - 2; i++)
        if (term_of_level(v, &tl->items[i]))
            v->nu += usable_forms(tl->items[i].e, &tg, v->later, &v->forms[v->nu]);
}

/* P6: the cheapest access path of the level (of a materialized source: its
 * scan, or an automatic index, P15). */
static void
best_access(level_view *v, candidate *best)
{
    const plan_level *lv = v->lv;

    plan_scan(v, best);
    if (v->t == NULL) {
        plan_auto_index(v, best);
        return;
    }
    if (!v->t->without_rowid)
        plan_rowid(v, best);
    for (int i = v->t->n_indexes - 1; i >= 0 && !lv->not_indexed; i--) {
        const catalog_index *ix = v->t->indexes[i];
        if (lv->indexed_by != NULL && lv->indexed_by != ix)
            continue;
        plan_ordered_scan(v, ix, best);
        if (ix->where != NULL && (v->search || !partial_index_usable(v, ix)))
            continue;
        plan_index_exprs(v, ix, best);
    }
    plan_multi_or(v, best);
    plan_auto_index(v, best);
}

/* Gives lv the access path cd. */
static void
level_take(plan_level *lv, const candidate *cd)
{
    lv->access = (uint8_t)cd->access;
    lv->index = cd->index;
    lv->n_eq = cd->n_eq;
    memcpy(lv->eq, cd->eq, sizeof lv->eq);
    memcpy(lv->eq_aff, cd->eq_aff, sizeof lv->eq_aff);
    lv->eq_is = cd->eq_is;
    lv->lo = cd->lo;
    lv->hi = cd->hi;
    lv->lo_incl = cd->lo_incl;
    lv->hi_incl = cd->hi_incl;
    lv->in_list = cd->in_list;
}

/* P16: gives lv a lookup level per branch of the OR term cd chose. */
static int
multi_or_set(const level_view *v, plan_level *lv, const candidate *cd)
{
    const term *tm = &v->tl->items[cd->or_term];
    cx *branches[OR_BRANCHES_MAX];
    int n = or_split(tm->e, branches, 0, OR_BRANCHES_MAX);

    lv->or_branches = cc_alloc(v->c, (size_t)n * sizeof *lv->or_branches);
    if (lv->or_branches == NULL)
        return CHORUS_NOMEM;
    lv->n_or = n;
    for (int b = 0; b < n; b++) {
        plan_level *sub = &lv->or_branches[b];
        candidate bc;
        memset(sub, 0, sizeof *sub);
        or_branch_lookup(v, tm, branches[b], &bc);
        sub->cursor = lv->cursor;
        sub->name = lv->name;
        sub->filter = branches[b];          /* exec_loop.c L8 */
        level_take(sub, &bc);
        sub->is_left = lv->is_left;         /* " LEFT-JOIN" on each branch's line */
        sub->plan_text = plan_text(v->c, sub, v->t, lv->name, &bc);
        sub->is_left = false;
        if (sub->plan_text == NULL)
            return CHORUS_NOMEM;
    }
    return CHORUS_OK;
}

/* P15: gives lv the key of the automatic index cd chose. */
static int
auto_index_set(const level_view *v, plan_level *lv, const candidate *cd)
{
    lv->auto_col = cc_alloc(v->c, (size_t)cd->n_eq * sizeof *lv->auto_col);
    lv->auto_coll = cc_alloc(v->c, (size_t)cd->n_eq);
    if (lv->auto_col == NULL || lv->auto_coll == NULL)
        return CHORUS_NOMEM;
    memcpy(lv->auto_col, cd->auto_col, (size_t)cd->n_eq * sizeof *lv->auto_col);
    memcpy(lv->auto_coll, cd->auto_coll, (size_t)cd->n_eq);
    lv->auto_where = auto_where(v);
    return CHORUS_OK;
}

/* Chooses the access path of level li from the terms it may use, the
 * levels outside it passing on outer_rows rows; *out_rows: the rows it
 * passes on for each of those. */
static int
plan_level_access(cctx *c, scope *s, plan_query *q, int li, const term_list *tl,
                  int outer_rows, int *out_rows)
{
    plan_level *lv = &q->levels[li];
    uint64_t later = 0;
    level_view *v = malloc(sizeof *v);
    candidate best;
    int rc = CHORUS_OK;

    if (v == NULL)
        return CHORUS_NOMEM;
    for (int i = li; i < q->n_levels; i++)
        later |= cursor_bit(q->levels[i].cursor);
    level_view_init(v, c, s, q, li, tl, later, outer_rows, false);
    lv->name = v->src->name != NULL ? v->src->name : "(subquery)";
    best_access(v, &best);
    *out_rows = best.out;
    lv->plan_text = plan_text(c, lv, v->t, lv->name, &best);
    if (best.access == PA_AUTO_INDEX)
        rc = auto_index_set(v, lv, &best);
    else if (best.access == PA_MULTI_OR)
        rc = multi_or_set(v, lv, &best);
    free(v);
    if (lv->plan_text == NULL || rc != CHORUS_OK)
        return CHORUS_NOMEM;
    rc = remember_level(c, lv);
    if (rc != CHORUS_OK || best.access == 0)
        return rc;
    level_take(lv, &best);
    return CHORUS_OK;
}

/* ------------------------------------------------------ join order (P3) */

typedef struct order_search {
    cctx *c;
    scope *s;
    const plan_query *q;
    const term_list *tl;
    level_view v;
} order_search;

/* join_order.c's question: level li's cost with the levels in ready outside it. */
static void
level_cost(void *arg, int li, uint32_t ready, int outer_rows, int *run, int *out)
{
    order_search *os = arg;
    uint64_t later = 0;
    candidate best;

    for (int i = 0; i < os->q->n_levels; i++)
        if (!(ready & (1u << i)))
            later |= cursor_bit(os->q->levels[i].cursor);
    level_view_init(&os->v, os->c, os->s, os->q, li, os->tl, later, outer_rows, true);
    best_access(&os->v, &best);
    *run = best.run;
    *out = best.out;
}

/* Whether the levels may run in another order than the sources' (P3):
 * then requires[j] holds the levels that must run outside level j (a LEFT
 * JOIN level: every source before it, as SQLite; its ON terms read no
 * later one). LEFT JOINs move only in a SELECT core (scope.plan_late),
 * whose expressions are all compiled, since expr.c reads levels by source
 * while compiling. */
static bool
order_is_free(cctx *c, const scope *s, const plan_query *q, const term_list *tl,
              uint32_t *requires)
{
    bool dml = c->plan->kind == PLAN_UPDATE || c->plan->kind == PLAN_DELETE;

    if (q->n_levels < 2 || q->n_levels > JOIN_ORDER_MAX_LEVELS || s->fixed_order)
        return false;
    for (int i = 0; i < q->n_levels; i++) {
        const plan_level *lv = &q->levels[i];
        if ((lv->is_left && !s->plan_late) || lv->is_right || cc_cursor(c, lv->cursor)->refill ||
            (dml && lv->cursor == c->plan->target_cursor))
            return false;
        requires[i] = lv->is_left ? (1u << i) - 1 : 0;
    }
    for (int i = 0; i < tl->n; i++) {
        const term *tm = &tl->items[i];
        for (int k = tm->on_left ? tm->level + 1 : q->n_levels; k < q->n_levels; k++)
            if (tm->mask & cursor_bit(q->levels[k].cursor))
                return false;
    }
    return true;
}

/* P3: puts the levels in the order of least estimated cost. */
static int
order_levels(cctx *c, scope *s, plan_query *q, term_list *tl)
{
    order_search *os;
    plan_level *sorted;
    int order[JOIN_ORDER_MAX_LEVELS], position[JOIN_ORDER_MAX_LEVELS];
    uint32_t requires[JOIN_ORDER_MAX_LEVELS];

    if (!order_is_free(c, s, q, tl, requires))
        return CHORUS_OK;
    os = malloc(sizeof *os);
    sorted = malloc((size_t)q->n_levels * sizeof *sorted);
    if (os == NULL || sorted == NULL) {
        free(os);
        free(sorted);
        return CHORUS_NOMEM;
    }
    *os = (order_search){.c = c, .s = s, .q = q, .tl = tl};
    cc_join_order(q->n_levels, requires, level_cost, os, order);
    for (int i = 0; i < q->n_levels; i++) {
        sorted[i] = q->levels[order[i]];
        position[order[i]] = i;
    }
    memcpy(q->levels, sorted, (size_t)q->n_levels * sizeof *sorted);
    for (int i = 0; i < tl->n; i++)         /* ON terms keep their LEFT JOIN level */
        if (tl->items[i].on_left)
            tl->items[i].level = position[tl->items[i].level];
    free(sorted);
    free(os);
    return CHORUS_OK;
}

/* The scan of a RIGHT or FULL JOIN's level that finds the rows no
 * earlier row matched: every row (rowid order, or a covering index's), checked against the
 * WHERE terms only (exec_loop.c L4). */
static int
right_pass_plan(cctx *c, plan_level *lv)
{
    plan_level *rp = cc_alloc(c, sizeof *rp);

    if (rp == NULL)
        return CHORUS_NOMEM;
    *rp = *lv;
    if (rp->access != PA_EPH_SCAN)
        rp->access = PA_SCAN;
    rp->index = NULL;
    rp->n_eq = 0;
    rp->lo = rp->hi = NULL;
    rp->in_list = NULL;
    rp->filter = NULL;
    rp->is_left = rp->is_right = false;
    rp->covering = false;
    rp->right_pass = NULL;
    lv->right_pass = rp;
    return remember_level(c, rp);   /* may read a covering index, as SQLite's pass does */
}

/* The level of the query's first RIGHT or FULL JOIN, or -1. */
static int
right_level(const plan_query *q)
{
    for (int i = 0; i < q->n_levels; i++)
        if (q->levels[i].is_right)
            return i;
    return -1;
}

/* The level of the query's last RIGHT or FULL JOIN, or -1. */
static int
last_right_level(const plan_query *q)
{
    for (int i = q->n_levels - 1; i >= 0; i--)
        if (q->levels[i].is_right)
            return i;
    return -1;
}

/* Gives each term to its level (P1, P4). With RIGHT or FULL JOINs, a
 * WHERE term that reads a cursor up to the last such join's level waits
 * for the row of that level: it is checked after it (exec_loop.c L4: the
 * pass of that join's unmatched rows makes every earlier cursor NULL);
 * later terms go to their levels as usual. */
static void
place_terms(cctx *c, plan_query *q, term_list *tl)
{
    int right = right_level(q), last_right = last_right_level(q);

    for (int i = 0; i < tl->n; i++) {
        term *tm = &tl->items[i];
        int level = tm->level >= 0 && tm->on_left ? tm->level
                                                  : term_level(q, cx_cursor_mask(tm->e));
        plan_level *lv;
        if (tm->stands_in) {        /* P12: its OR term filters */
            tm->level = level;
            continue;
        }
        if (tm->on_left && !q->levels[level].is_left && !q->levels[level].is_right &&
            level > right && cx_cursor_mask(tm->e) == 0) {
            q->pre_filter = cx_and(c, q->pre_filter, tm->e);    /* as SQLite: a constant
                                    ON term of an inner join after the RIGHT JOIN */
            continue;
        }
        if (last_right >= 0 && level >= 0 && level <= last_right && !tm->on_left) {
            tm->level = last_right;
            q->levels[last_right].post = cx_and(c, q->levels[last_right].post, tm->e);
            continue;
        }
        tm->level = level;
        if (level < 0) {
            q->pre_filter = cx_and(c, q->pre_filter, tm->e);
            continue;
        }
        lv = &q->levels[level];
        if (lv->is_left && !tm->on_left)
            lv->post = cx_and(c, lv->post, tm->e);
        else
            lv->filter = cx_and(c, lv->filter, tm->e);
    }
}

/* Whether e is NULL or false whenever cursor's row is all NULLs, as SQLite
 * judges it: a column of the cursor reached through comparisons (not IS;
 * an IN list of one value is one), arithmetic, NOT, CAST or BETWEEN's
 * operand; IS NULL, OR, CASE, IN, LIKE, functions and subqueries end the
 * search. */
static bool
rejects_null_row(const cx *e, int cursor)
{
    switch (e->kind) {
    case CX_COLUMN:
        return e->cursor == cursor;
    case CX_CMP:
        if (e->op == AST_OP_IS || e->op == AST_OP_IS_NOT)
            return false;
        /* fall through */
    case CX_ARITH:
        return rejects_null_row(e->left, cursor) || rejects_null_row(e->right, cursor);
    case CX_AND:
        return rejects_null_row(e->left, cursor) && rejects_null_row(e->right, cursor);
    case CX_UNARY: case CX_CAST: case CX_BETWEEN:
        return rejects_null_row(e->left, cursor);
    case CX_IN_LIST:        /* x IN (y) is x = y to SQLite */
        return e->n_args == 1 &&
               (rejects_null_row(e->left, cursor) || rejects_null_row(e->args[0], cursor));
    default:
        return false;
    }
}

/* P9: a LEFT JOIN whose null row a WHERE term rejects is an inner join (its
 * ON terms join the WHERE terms), as SQLite simplifies it. */
static void
simplify_left_joins(const scope *s, plan_query *q, term_list *tl)
{
    if (!s->plan_late || right_level(q) >= 0)
        return;
    for (int j = 0; j < q->n_levels; j++) {
        bool rejected = false;
        if (!q->levels[j].is_left)
            continue;
        for (int i = 0; i < tl->n && !rejected; i++)
            rejected = !tl->items[i].on_left && !tl->items[i].stands_in &&
                       rejects_null_row(tl->items[i].e, q->levels[j].cursor);
        if (!rejected)
            continue;
        q->levels[j].is_left = false;
        for (int i = 0; i < tl->n; i++) {
            if (tl->items[i].on_left && tl->items[i].level == j) {
                tl->items[i].on_left = false;
                tl->items[i].level = -1;
            }
        }
    }
}

/* Whether t, an OR of equalities between one column and constants or
 * parameters (the comparison in the column's collation), gives its values
 * into vals (up to max; *n counted) and its column into *col. */
static bool
or_of_equalities(const cx *t, const cx **col, cx **vals, int *n, int max)
{
    const cx *c_side, *v_side;

    if (t->kind == CX_OR)
        return or_of_equalities(t->left, col, vals, n, max) &&
               or_of_equalities(t->right, col, vals, n, max);
    if (t->kind != CX_CMP || t->op != AST_OP_EQ || *n == max)
        return false;
    c_side = t->left->kind == CX_COLUMN ? t->left : t->right;
    v_side = c_side == t->left ? t->right : t->left;
    if (c_side->kind != CX_COLUMN || (v_side->kind != CX_CONST && v_side->kind != CX_PARAM) ||
        t->coll != c_side->coll)
        return false;
    if (*col != NULL && ((*col)->cursor != c_side->cursor || (*col)->column != c_side->column))
        return false;
    *col = c_side;
    vals[(*n)++] = (cx *)v_side;
    return true;
}

/* P14: the range stand-ins of a LIKE or GLOB term (like_range.c). */
static int
add_like_range(cctx *c, term_list *tl, int i)
{
    cx *lo, *hi;
    int rc = cc_like_range(c, tl->items[i].e, &lo, &hi);

    for (int k = 0; k < 2 && rc == CHORUS_OK && lo != NULL; k++) {
        rc = terms_add(c, tl, k == 0 ? lo : hi, tl->items[i].on_left, tl->items[i].level);
        if (rc == CHORUS_OK)
            tl->items[tl->n - 1].stands_in = true;
    }
    return rc;
}

/* P12: the stand-in x IN (a, b, ...) of t when it is x = a OR x = b ...,
 * else *out NULL. */
static int
or_in_list(cctx *c, const cx *t, cx **out)
{
    cx *vals[64], *in;
    const cx *col = NULL;
    int n = 0;

    *out = NULL;
    if (t->kind != CX_OR || !or_of_equalities(t, &col, vals, &n, 64))
        return CHORUS_OK;
    in = cx_new(c, CX_IN_LIST, NULL);
    if (in == NULL || (in->args = cc_alloc(c, (size_t)n * sizeof *in->args)) == NULL)
        return CHORUS_NOMEM;
    in->left = (cx *)col;
    in->n_args = n;
    in->coll = col->coll;
    memcpy(in->args, vals, (size_t)n * sizeof *vals);
    *out = in;
    return CHORUS_OK;
}

/* P12: for each term x = a OR x = b ..., a term x IN (a, b, ...) of the
 * same kind (WHERE or ON) that only serves access paths (SQLite's OR-to-IN
 * rewrite); the OR term stays the filter, so the rows are the same. P14:
 * the range stand-ins of LIKE and GLOB terms. */
static int
add_stand_ins(cctx *c, term_list *tl)
{
    int n_terms = tl->n;

    for (int i = 0; i < n_terms; i++) {
        int rc;
        cx *in;
        if (tl->items[i].e->kind == CX_LIKE) {
            rc = add_like_range(c, tl, i);
            if (rc != CHORUS_OK)
                return rc;
            continue;
        }
        rc = or_in_list(c, tl->items[i].e, &in);
        if (rc == CHORUS_OK && in != NULL &&
            (rc = terms_add(c, tl, in, tl->items[i].on_left, tl->items[i].level)) == CHORUS_OK)
            tl->items[tl->n - 1].stands_in = true;
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* Whether a and b (either may be NULL) read the same column. */
static bool
same_column(const cx *a, const cx *b)
{
    return a != NULL && b != NULL && a->kind == CX_COLUMN && b->kind == CX_COLUMN &&
           a->cursor == b->cursor && a->column == b->column;
}

/* P13: whether x = y makes the columns x and y equivalent. */
static bool
is_equivalence(const term *tm)
{
    const cx *e = tm->e, *l = e->left, *r = e->right;

    if (e->kind != CX_CMP || e->op != AST_OP_EQ || tm->on_left || tm->stands_in ||
        !same_column(l, l) || !same_column(r, r))
        return false;
    return (l->aff == r->aff || (l->aff >= AFFINITY_NUMERIC && r->aff >= AFFINITY_NUMERIC)) &&
           (cx_compare_collation(l, r) == COLLATE_BINARY || l->coll == r->coll);
}

/* P13: the value side of tm when it is "col = v" (either way round), v
 * reading no cursor; else NULL. */
static cx *
constant_for(const term *tm, const cx *col)
{
    const cx *e = tm->e;

    if (e->kind != CX_CMP || e->op != AST_OP_EQ || tm->on_left || e->left == NULL ||
        e->right == NULL)
        return NULL;
    if (same_column(e->left, col) && cx_cursor_mask(e->right) == 0)
        return e->right;
    if (same_column(e->right, col) && cx_cursor_mask(e->left) == 0)
        return e->left;
    return NULL;
}

/* P13: adds x = v for the equivalence x = y and the term y = v, unless a
 * term already gives x that value. */
static int
add_transitive_term(cctx *c, term_list *tl, const cx *x, cx *v, uint8_t coll)
{
    cx *e;
    int rc;

    for (int k = 0; k < tl->n; k++)
        if (constant_for(&tl->items[k], x) == v)
            return CHORUS_OK;
    e = cx_new(c, CX_CMP, NULL);
    if (e == NULL)
        return CHORUS_NOMEM;
    e->op = AST_OP_EQ;
    e->left = (cx *)x;
    e->right = v;
    e->coll = coll;
    rc = terms_add(c, tl, e, false, -1);
    if (rc == CHORUS_OK)
        tl->items[tl->n - 1].stands_in = true;
    return rc;
}

static int
add_transitive(cctx *c, term_list *tl)
{
    int rc = CHORUS_OK;

    for (int j = 0; j < tl->n && rc == CHORUS_OK; j++) {       /* grows: chains */
        for (int i = 0; i < tl->n && rc == CHORUS_OK; i++) {
            const term *eq = &tl->items[i];
            cx *v;
            if (!is_equivalence(eq))
                continue;
            if ((v = constant_for(&tl->items[j], eq->e->right)) != NULL)
                rc = add_transitive_term(c, tl, eq->e->left, v, tl->items[j].e->coll);
            else if ((v = constant_for(&tl->items[j], eq->e->left)) != NULL)
                rc = add_transitive_term(c, tl, eq->e->right, v, tl->items[j].e->coll);
        }
    }
    return rc;
}

/* The join order, the terms' levels and each level's access path. */
static int
where_access(cctx *c, scope *s, plan_query *q, term_list *tl)
{
    int rc;

    simplify_left_joins(s, q, tl);
    rc = order_levels(c, s, q, tl);

    if (rc != CHORUS_OK)
        return rc;
    place_terms(c, q, tl);
    for (int i = 0, outer = 0; i < q->n_levels; i++) {
        int out;
        rc = plan_level_access(c, s, q, i, tl, outer, &out);
        if (rc != CHORUS_OK)
            return rc;
        outer += out;
    }
    for (int i = 0; i < q->n_levels && rc == CHORUS_OK; i++)
        if (q->levels[i].is_right)
            rc = right_pass_plan(c, &q->levels[i]);
    return rc;
}

int
cc_where_plan(cctx *c, scope *s, plan_query *q, const ast_expr *where, const ast_from_item *from)
{
    term_list tl = {0, 0, NULL, NULL};
    cx *w = NULL;
    int rc;

    if (where != NULL) {
        if (ast_contains_aggregate(where))
            return cc_error(c, "misuse of aggregate function %s()",
                            ast_first_aggregate(where)->name);
        rc = cc_expr(c, s, where, &w);
        if (rc != CHORUS_OK)
            return rc;
    }
    rc = terms_add(c, &tl, w, false, -1);
    if (rc == CHORUS_OK)
        rc = terms_add(c, &tl, s->group_on, false, -1);    /* from.c F6 */
    for (int i = 0; i < q->n_levels && rc == CHORUS_OK; i++) {
        if (q->levels[i].is_left || right_level(q) >= 0)
            rc = terms_add(c, &tl, s->level_on[i], true, i);
        else
            rc = terms_add(c, &tl, s->level_on[i], false, -1);
    }
    if (rc == CHORUS_OK && right_level(q) < 0)
        rc = add_stand_ins(c, &tl);
    if (rc == CHORUS_OK && right_level(q) < 0)
        rc = add_transitive(c, &tl);
    for (int i = 0; i < tl.n && rc == CHORUS_OK && tl.null_value == NULL; i++)
        if (tl.items[i].e->kind == CX_ISNULL && !tl.items[i].e->is_not &&
            (tl.null_value = cx_new(c, CX_CONST, NULL)) == NULL)
            rc = CHORUS_NOMEM;
    if (rc != CHORUS_OK)
        return rc;
    if (s->plan_late) {             /* P8 */
        s->where_terms = cc_alloc(c, sizeof tl);
        if (s->where_terms == NULL)
            return CHORUS_NOMEM;
        *s->where_terms = tl;
        return CHORUS_OK;
    }
    return where_access(c, s, q, &tl);
}

int
cc_where_access(cctx *c, scope *s, plan_query *q)
{
    return s->where_terms != NULL ? where_access(c, s, q, s->where_terms) : CHORUS_OK;
}
