/*
 * core/compile/where.c: the planner. Splits WHERE and inner-join ON
 * conditions into AND terms, gives each term to the innermost loop level
 * it reads, and picks each level's access path: rowid lookup or range,
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
 *   P3  The join order is the FROM order; inner levels use lookups through
 *       terms that read only outer levels.
 *   P4  A LEFT JOIN level chooses its access path from its ON terms only;
 *       WHERE terms on it run after its null row is made (plan_level.post).
 *   P5  A partial index serves a level only when the level's terms imply
 *       its WHERE (partial_index_usable), so it holds every row they pass.
 * Callers: select.c (compile_core), dml.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

typedef struct term {
    cx *e;
    int level;              /* level whose filter holds it, -1 for the pre-filter */
    bool on_left;           /* ON term of a LEFT JOIN level */
} term;

typedef struct term_list {
    int n, cap;
    term *items;
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

/* Collects the usable forms of term t for cursor (BETWEEN gives two). */
static int
usable_forms(const cx *t, int cursor, uint64_t later, usable *out)
{
    int n = 0;

    if (t->kind == CX_CMP && t->op != AST_OP_NE && t->op != AST_OP_IS && t->op != AST_OP_IS_NOT) {
        if (is_col_of(t->left, cursor) && !(cx_cursor_mask(t->right) & later)) {
            out[n++] = (usable){t->left->column, t->op, t->left, t->right, (cx *)t, t->coll};
        } else if (is_col_of(t->right, cursor) && !(cx_cursor_mask(t->left) & later)) {
            out[n++] = (usable){t->right->column, flip_op(t->op), t->right, t->left, (cx *)t,
                                t->coll};
        }
    } else if (t->kind == CX_BETWEEN && !t->is_not && is_col_of(t->left, cursor)) {
        if (!(cx_cursor_mask(t->args[0]) & later))
            out[n++] = (usable){t->left->column, AST_OP_GE, t->left, t->args[0], (cx *)t,
                                cx_compare_collation(t->left, t->args[0])};
        if (!(cx_cursor_mask(t->args[1]) & later))
            out[n++] = (usable){t->left->column, AST_OP_LE, t->left, t->args[1], (cx *)t,
                                cx_compare_collation(t->left, t->args[1])};
    } else if ((t->kind == CX_IN_LIST || t->kind == CX_IN_SELECT) && !t->is_not &&
               is_col_of(t->left, cursor)) {
        uint64_t m = 0;
        for (int i = 0; i < t->n_args; i++)
            m |= cx_cursor_mask(t->args[i]);
        if (t->kind == CX_IN_SELECT && t->is_correlated)
            m = ~(uint64_t)0;
        if (!(m & later))
            out[n++] = (usable){t->left->column, OP_IN, t->left, NULL, (cx *)t, t->coll};
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

    if (u->coll != col_coll)
        return false;
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
    int score;
    const catalog_index *index;
    int access;
    int n_eq;
    cx *eq[KEY_INFO_MAX];
    char eq_aff[KEY_INFO_MAX];
    cx *lo, *hi;
    bool lo_incl, hi_incl;
    cx *in_list;
    const char *cols[KEY_INFO_MAX + 1];     /* for the plan text */
    const char *ops[KEY_INFO_MAX + 1];
    int n_text;
} candidate;

static void
range_pick(candidate *cd, const usable *u, int nu, int column, const catalog_table *t,
           char aff, uint8_t coll, bool check_index)
{
    for (int i = 0; i < nu; i++) {
        const usable *f = &u[i];
        bool is_rowid = column < 0;
        if (is_rowid ? !(f->column == -1 || (t->rowid_alias >= 0 && f->column == t->rowid_alias))
                     : f->column != column)
            continue;
        if (check_index && !index_column_ok(f, aff, coll))
            continue;
        if ((f->op == AST_OP_GT || f->op == AST_OP_GE) && cd->lo == NULL) {
            cd->lo = f->other;
            cd->lo_incl = f->op == AST_OP_GE;
        } else if ((f->op == AST_OP_LT || f->op == AST_OP_LE) && cd->hi == NULL) {
            cd->hi = f->other;
            cd->hi_incl = f->op == AST_OP_LE;
        }
    }
}

static const usable *
find_form(const usable *u, int nu, int column, int op, const catalog_table *t, char aff,
          uint8_t coll, bool is_index)
{
    for (int i = 0; i < nu; i++) {
        const usable *f = &u[i];
        bool col_ok = column < 0 ? (f->column == -1 ||
                                    (t->rowid_alias >= 0 && f->column == t->rowid_alias))
                                 : f->column == column;
        if (col_ok && f->op == op && (!is_index || index_column_ok(f, aff, coll)))
            return f;
    }
    return NULL;
}

static void
plan_rowid(const catalog_table *t, const usable *u, int nu, candidate *best)
{
    const usable *f = find_form(u, nu, -1, AST_OP_EQ, t, 0, 0, false);
    candidate cd;

    memset(&cd, 0, sizeof cd);
    if (f != NULL) {
        cd.access = PA_ROWID_EQ;
        cd.eq[0] = f->other;
        cd.n_eq = 1;
        cd.score = 1000;
    } else if ((f = find_form(u, nu, -1, OP_IN, t, 0, 0, false)) != NULL) {
        cd.access = PA_ROWID_IN;
        cd.in_list = f->term;
        cd.score = 500;
    } else {
        range_pick(&cd, u, nu, -1, t, 0, 0, false);
        if (cd.lo == NULL && cd.hi == NULL)
            return;
        cd.access = PA_ROWID_RANGE;
        cd.score = cd.lo && cd.hi ? 60 : 30;
    }
    if (cd.score > best->score)
        *best = cd;
}

static const char *
column_name(const catalog_table *t, int col)
{
    return col >= 0 ? t->cols[col].name : "rowid";
}

static void
plan_index(const catalog_table *t, const catalog_index *ix, const usable *u, int nu,
           candidate *best)
{
    candidate cd;
    int k = 0;

    memset(&cd, 0, sizeof cd);
    cd.index = ix;
    cd.access = PA_INDEX;
    for (; k < ix->n_cols && k < KEY_INFO_MAX; k++) {
        const catalog_index_column *ic = &ix->cols[k];
        const usable *f;
        char aff;
        if (ic->column < 0)
            break;
        aff = t->cols[ic->column].affinity;
        f = find_form(u, nu, ic->column, AST_OP_EQ, t, aff, ic->collation, true);
        if (f == NULL && k == 0 && (f = find_form(u, nu, ic->column, OP_IN, t, aff,
                                                  ic->collation, true)) != NULL) {
            cd.access = PA_INDEX_IN;
            cd.in_list = f->term;
            cd.eq_aff[0] = probe_affinity(f);
            cd.cols[cd.n_text] = column_name(t, ic->column);
            cd.ops[cd.n_text++] = "=";
            cd.n_eq = 1;
            continue;
        }
        if (f == NULL)
            break;
        cd.eq[k] = f->other;
        cd.eq_aff[k] = probe_affinity(f);
        cd.cols[cd.n_text] = column_name(t, ic->column);
        cd.ops[cd.n_text++] = "=";
        cd.n_eq = k + 1;
    }
    if (k < ix->n_cols && ix->cols[k].column >= 0 && !ix->cols[k].desc &&
        cd.access == PA_INDEX) {
        const catalog_index_column *ic = &ix->cols[k];
        range_pick(&cd, u, nu, ic->column, t, t->cols[ic->column].affinity, ic->collation, true);
        if (cd.lo != NULL || cd.hi != NULL) {
            const usable *f = NULL;
            for (int i = 0; i < nu && f == NULL; i++)
                if (u[i].other == cd.lo || u[i].other == cd.hi)
                    f = &u[i];
            cd.eq_aff[k] = f != NULL ? probe_affinity(f) : AFFINITY_NONE;
            if (cd.lo != NULL) {
                cd.cols[cd.n_text] = column_name(t, ic->column);
                cd.ops[cd.n_text++] = ">";
            }
            if (cd.hi != NULL) {
                cd.cols[cd.n_text] = column_name(t, ic->column);
                cd.ops[cd.n_text++] = "<";
            }
        }
    }
    if (cd.n_eq == 0 && cd.lo == NULL && cd.hi == NULL)
        return;
    cd.score = cd.n_eq * 20 + (cd.lo ? 5 : 0) + (cd.hi ? 5 : 0);
    if (cd.access == PA_INDEX_IN)
        cd.score -= 5;
    if (ix->unique && cd.n_eq == ix->n_cols && cd.access == PA_INDEX)
        cd.score += 200;
    if (cd.score > best->score)
        *best = cd;
}

static char *
plan_text(cctx *c, const plan_level *lv, const catalog_table *t, const char *alias,
          const candidate *cd)
{
    strbuf sb;
    const char *name = alias != NULL ? alias : t->name;

    strbuf_init(&sb);
    if (cd->access == 0) {
        strbuf_printf(&sb, "SCAN %s", name);
    } else if (cd->access == PA_ROWID_EQ || cd->access == PA_ROWID_IN) {
        strbuf_printf(&sb, "SEARCH %s USING INTEGER PRIMARY KEY (rowid=?)", name);
    } else if (cd->access == PA_ROWID_RANGE) {
        strbuf_printf(&sb, "SEARCH %s USING INTEGER PRIMARY KEY (%s%s%s)", name,
                      cd->lo ? "rowid>?" : "", cd->lo && cd->hi ? " AND " : "",
                      cd->hi ? "rowid<?" : "");
    } else {
        strbuf_printf(&sb, "SEARCH %s USING INDEX %s (", name, cd->index->name);
        for (int i = 0; i < cd->n_text; i++)
            strbuf_printf(&sb, "%s%s%s?", i ? " AND " : "", cd->cols[i], cd->ops[i]);
        strbuf_putc(&sb, ')');
    }
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
        strbuf_printf(&sb, "SCAN %s USING COVERING INDEX %s", lv->name, lv->index->name);
    }
    text = strbuf_finish(&sb);
    if (text == NULL)
        return CHORUS_NOMEM;
    lv->plan_text = cc_strdup(c, text);
    free(text);
    return lv->plan_text == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

/* SQLite's size estimate of a column (szEst; an integer is 1), from its
 * declared type as sqlite3AffinityType reads it: TEXT, CLOB or BLOB 5,
 * CHAR(k) or BLOB(k) k/4 + 1, others (and no type) 1. */
static unsigned
column_size_estimate(const char *type)
{
    uint32_t h = 0;
    const char *at = NULL, *digits;
    bool text_or_blob = false, numeric = true;
    unsigned v = 0;

    for (const char *p = type; p != NULL && *p != '\0'; ) {
        h = (h << 8) + (uint32_t)tolower((unsigned char)*p++);
        if (h == 0x63686172u) {                         /* char */
            text_or_blob = true;
            numeric = false;
            at = p;
        } else if (h == 0x636c6f62u || h == 0x74657874u) {      /* clob, text */
            text_or_blob = true;
            numeric = false;
        } else if (h == 0x626c6f62u && numeric) {       /* blob */
            text_or_blob = true;
            numeric = false;
            if (*p == '(')
                at = p;
        } else if ((h & 0xffffffu) == 0x696e74u) {      /* int */
            text_or_blob = false;
            break;
        }
    }
    if (type == NULL || *type == '\0' || !text_or_blob)
        return 1;
    if (at == NULL)
        v = 16;
    for (digits = at; digits != NULL && *digits != '\0'; digits++) {
        if (isdigit((unsigned char)*digits)) {
            v = (unsigned)strtoul(digits, NULL, 10);
            break;
        }
    }
    v = v / 4 + 1;
    return v > 255 ? 255 : v;
}

/* SQLite's LogEst of x (about 10 * log2(x)), as sqlite3LogEst computes it. */
static int
log_est(uint64_t x)
{
    static const int a[] = {0, 2, 3, 5, 6, 7, 8, 9};
    int y = 40;

    if (x < 8) {
        if (x < 2)
            return 0;
        while (x < 8) {
            y -= 10;
            x <<= 1;
        }
    } else {
        while (x > 255) {
            y += 40;
            x >>= 4;
        }
        while (x > 15) {
            y += 10;
            x >>= 1;
        }
    }
    return a[x & 7] + y - 10;
}

/* SQLite's szTabRow and szIdxRow: the LogEst of 4 times the summed column
 * estimates (a table without INTEGER PRIMARY KEY adds 1 for its rowid; an
 * index counts its rowid and expression columns as 1). */
static int
table_row_size(const catalog_table *t)
{
    unsigned w = t->rowid_alias < 0 ? 1 : 0;

    for (int i = 0; i < t->n_cols; i++)
        w += column_size_estimate(t->cols[i].type);
    return log_est((uint64_t)w * 4);
}

static int
index_row_size(const catalog_index *ix)
{
    unsigned w = 1;     /* the rowid */

    for (int k = 0; k < ix->n_cols; k++)
        w += ix->cols[k].column >= 0 ? column_size_estimate(ix->table->cols[ix->cols[k].column].type)
                                     : 1;
    return log_est((uint64_t)w * 4);
}

/* A full scan reads a covering index instead of the table, as SQLite does
 * when the index entry is estimated smaller than the table row: the one of
 * least cost (15 * szIdxRow / szTabRow, in integers), the newest of equal
 * ones (SQLite lists a table's indexes newest first). */
static const catalog_index *
narrowest_cover(const plan_cursor *cur)
{
    const catalog_table *t = cur->table;
    const catalog_index *best = NULL;
    int tab = table_row_size(t), best_cost = 0;

    for (int i = 0; i < t->n_indexes; i++) {
        const catalog_index *ix = t->indexes[i];
        int size, cost;
        if (ix->where != NULL || !index_covers(ix, cur))
            continue;       /* a partial index misses rows */
        size = index_row_size(ix);
        cost = 15 * size / tab;
        if (size < tab && (best == NULL || cost <= best_cost)) {
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

int
cc_where_finish(cctx *c)
{
    for (int i = 0; i < c->n_levels; i++) {
        plan_level *lv = c->levels[i];
        const plan_cursor *cur = cc_cursor(c, lv->cursor);
        int rc;
        if (cur->kind != PC_TABLE || lv->not_indexed)
            continue;
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
                   !index_covers(lv->index, cur)) {
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

/* Whether two compiled expressions are the same computation (SQLite's
 * sqlite3ExprCompare in spirit): constants of one type and value, one
 * column of one cursor, same operators, functions and collations. */
static bool
cx_same(const cx *a, const cx *b)
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
    if (!cx_same(a->left, b->left) || !cx_same(a->right, b->right) ||
        !cx_same(a->extra, b->extra))
        return false;
    for (int i = 0; i < a->n_args; i++)
        if (!cx_same(a->args[i], b->args[i]))
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
        return cx_same(t->left, x) || cx_same(t->right, x);
    if (t->kind == CX_BETWEEN || t->kind == CX_IN_LIST || t->kind == CX_IN_SELECT ||
        t->kind == CX_LIKE)
        return cx_same(t->left, x);
    return not_null_operand(t) != NULL && cx_same(not_null_operand(t), x);
}

/* Whether index term w holds for every row the level's terms let through. */
static bool
term_implied(const cx *w, const term_list *tl, int li, const plan_level *lv)
{
    const cx *x = not_null_operand(w);

    if (w->kind == CX_CONST && value_truth(&w->v) == 1)
        return true;
    for (int i = 0; i < tl->n; i++) {
        const term *tm = &tl->items[i];
        if (tm->level != li || (lv->is_left && !tm->on_left))
            continue;
        if (cx_same(tm->e, w) || (x != NULL && rejects_null(tm->e, x)))
            return true;
    }
    return false;
}

static bool
where_implied(const cx *w, const term_list *tl, int li, const plan_level *lv)
{
    if (w->kind == CX_AND)
        return where_implied(w->left, tl, li, lv) && where_implied(w->right, tl, li, lv);
    return term_implied(w, tl, li, lv);
}

/* P5: whether partial index ix holds every row level li may pass: each
 * AND term of its WHERE, compiled over the level's source, is one of the
 * level's terms, or x IS NOT NULL where a term compares x. */
static bool
partial_index_usable(cctx *c, scope *s, int li, const catalog_index *ix, const term_list *tl)
{
    scope row;
    cx *w = NULL;
    char *prior_error = c->errmsg;
    plan_cursor *cur = cc_cursor(c, s->src[li].cursor);
    uint64_t used = cur->used;      /* the columns it names are not read */
    int rc;

    memset(&row, 0, sizeof row);
    row.n_src = 1;
    row.src = &s->src[li];
    row.no_agg = true;
    row.first_cursor = s->src[li].cursor;
    rc = cc_expr(c, &row, ix->where, &w);
    cur->used = used;
    if (rc != CHORUS_OK || w == NULL) {
        if (prior_error == NULL) {      /* the index is then not used, as SQLite */
            free(c->errmsg);
            c->errmsg = NULL;
        }
        return false;
    }
    return where_implied(w, tl, li, &s->q->levels[li]);
}

/* Chooses the access path of a table level from the terms it may use. */
static int
plan_level_access(cctx *c, scope *s, plan_query *q, int li, const term_list *tl)
{
    plan_level *lv = &q->levels[li];
    const plan_cursor *cur = cc_cursor(c, lv->cursor);
    const catalog_table *t = cur->table;
    uint64_t later = cursor_bit(63);
    usable forms[128];
    int nu = 0, rc;
    candidate best;

    if (cur->kind != PC_TABLE) {
        lv->plan_text = cc_strdup(c, "SCAN (subquery)");
        return CHORUS_OK;
    }
    for (int i = li; i < q->n_levels; i++)
        later |= cursor_bit(q->levels[i].cursor);
    for (int i = 0; i < tl->n && nu < 120; i++) {
        const term *tm = &tl->items[i];
        if (tm->level != li || (lv->is_left && !tm->on_left))
            continue;
        nu += usable_forms(tm->e, lv->cursor, later, &forms[nu]);
    }
    memset(&best, 0, sizeof best);
    plan_rowid(t, forms, nu, &best);
    for (int i = 0; i < t->n_indexes && !lv->not_indexed; i++) {
        const catalog_index *ix = t->indexes[i];
        if ((lv->indexed_by == NULL || lv->indexed_by == ix) &&
            (ix->where == NULL || partial_index_usable(c, s, li, ix, tl)))
            plan_index(t, ix, forms, nu, &best);
    }
    lv->name = s->src[li].name;
    lv->plan_text = plan_text(c, lv, t, s->src[li].name, &best);
    if (lv->plan_text == NULL)
        return CHORUS_NOMEM;
    rc = remember_level(c, lv);
    if (rc != CHORUS_OK || best.access == 0)
        return rc;
    lv->access = (uint8_t)best.access;
    lv->index = best.index;
    lv->n_eq = best.n_eq;
    memcpy(lv->eq, best.eq, sizeof lv->eq);
    memcpy(lv->eq_aff, best.eq_aff, sizeof lv->eq_aff);
    lv->lo = best.lo;
    lv->hi = best.hi;
    lv->lo_incl = best.lo_incl;
    lv->hi_incl = best.hi_incl;
    lv->in_list = best.in_list;
    return CHORUS_OK;
}

/* The scan of a RIGHT or FULL JOIN's last level that finds the rows no
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

/* The level of the query's RIGHT or FULL JOIN, or -1 (one at most). */
static int
right_level(const plan_query *q)
{
    for (int i = 0; i < q->n_levels; i++)
        if (q->levels[i].is_right)
            return i;
    return -1;
}

/* Gives each term to its level (P1, P4). With a RIGHT or FULL JOIN, a
 * WHERE term that reads a cursor up to that join's level waits for the
 * row of that level: it is checked after it (exec_loop.c L4); later
 * terms go to their levels as usual. */
static void
place_terms(cctx *c, plan_query *q, term_list *tl)
{
    int right = right_level(q);

    for (int i = 0; i < tl->n; i++) {
        term *tm = &tl->items[i];
        int level = tm->level >= 0 && tm->on_left ? tm->level
                                                  : term_level(q, cx_cursor_mask(tm->e));
        plan_level *lv;
        if (tm->on_left && !q->levels[level].is_left && level > right &&
            cx_cursor_mask(tm->e) == 0) {
            q->pre_filter = cx_and(c, q->pre_filter, tm->e);    /* as SQLite: a constant
                                    ON term of an inner join after the RIGHT JOIN */
            continue;
        }
        if (right >= 0 && level >= 0 && level <= right && !tm->on_left) {
            tm->level = right;
            q->levels[right].post = cx_and(c, q->levels[right].post, tm->e);
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

int
cc_where_plan(cctx *c, scope *s, plan_query *q, const ast_expr *where, const ast_from_item *from)
{
    term_list tl = {0, 0, NULL};
    cx *w = NULL;
    int rc;

    if (where != NULL) {
        if (ast_contains_aggregate(where))
            return cc_error(c, "misuse of aggregate function in WHERE clause");
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
    if (rc != CHORUS_OK)
        return rc;
    place_terms(c, q, &tl);
    for (int i = 0; i < q->n_levels; i++) {
        rc = plan_level_access(c, s, q, i, &tl);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (right_level(q) >= 0)
        return right_pass_plan(c, &q->levels[right_level(q)]);
    return CHORUS_OK;
}
