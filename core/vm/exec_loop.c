/*
 * core/vm/exec_loop.c: the nested loops of a query core. Each plan level
 * moves one cursor through the rows its access path selects (scan, rowid
 * lookup or range, index equality prefix plus range, IN lists); the loop
 * nest yields one row per combination that passes every level's filter.
 *
 * State machine of vm_loop_next (q->loop_state):
 *   LOOP_START --first call--> LOOP_RUN --every level exhausted--> LOOP_DONE
 * In LOOP_RUN the innermost level advances first; a level that runs out
 * hands control to the one outside it, which advances; a level that finds
 * a row passes control inwards, the inner level restarting (its "first").
 *
 * Rules
 *   L1  The access path only narrows the rows (planner rule P1): a level
 *       re-checks every term in its filter.
 *   L2  LEFT JOIN: a level that ran out without any row passing its filter
 *       (matched false) yields once more with its cursor in null_row mode;
 *       its post terms (WHERE terms on it) are checked then.
 *   L3  Probe values for index seeks are owned copies with the comparison
 *       affinity applied; a NULL probe ends the level (= NULL never holds),
 *       except for an IS equality (plan_level.eq_is), where it finds the
 *       NULL entries (NULLs compare equal in index keys).
 *   L4  RIGHT / FULL JOIN: the rowid of every row of such a level that
 *       passes its ON terms is remembered; when the loops end, each such
 *       level in turn, first to last, has its right_pass scan the table
 *       again and take each row not remembered, every earlier cursor in
 *       null_row mode, if the WHERE terms up to that level
 *       (right_pass->post) hold; the levels after it then run for each such
 *       row as for any other (a later RIGHT JOIN level remembering the rows
 *       they match before its own pass).
 *   L6  A range on a DESC index column runs forwards (in key order) from
 *       its upper value bound down to its lower one, past which (or at the
 *       NULLs, which come last) it ends; such a level never runs backwards
 *       (order.c O7).
 *   L5  A level with reverse set (order.c O4) visits its rows last first:
 *       a scan from the table's end, a rowid range from its upper bound
 *       down to the lower, an index prefix and range from the last entry
 *       at or below the upper bound down to the lower bound (or the
 *       NULLs, which no range holds), rowid IN values in descending order.
 *   L7  An automatic index level (PA_AUTO_INDEX, compile/where.c P15)
 *       builds its transient index when it first starts in a query run
 *       (autoindex.c AI4), then, for each start, probes it with its eq
 *       values (L3: a NULL probe ends it unless from IS) and visits the
 *       rows found, reading them from the index (autoindex.c AI5).
 *   L8  A MULTI-INDEX OR level (PA_MULTI_OR, compile/where.c P16), at each
 *       start, runs each branch level's lookup on its cursor in turn and
 *       keeps the rowids of the rows for which that branch (its filter)
 *       holds, each once, in the order found; it then visits those rows
 *       (SQLite's RowSet: each row once, from the first branch it passes).
 * Callers: exec_query.c, agg.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

enum { LOOP_START = 0, LOOP_RUN, LOOP_DONE, LOOP_RIGHT };

static plan_cursor *
level_cursor(vm_run *r, const plan_level *lv)
{
    return &r->plan->cursors[lv->cursor];
}

/* The rowid a value designates, if any (rowid = x holds only for these): a
 * real only when integer affinity makes it an integer, which it does not
 * for -9223372036854775808.0 (SQLite's rule), so that rowid finds nothing. */
static bool
value_rowid(const value *v, int64_t *out)
{
    value n;

    if (v->type == VALUE_INTEGER) {
        *out = v->u.i;
        return true;
    }
    if (v->type == VALUE_REAL) {
        n = *v;
    } else if (v->type == VALUE_TEXT) {
        if (!value_looks_numeric(v->u.z, v->n))
            return false;
        value_text_to_numeric(v->u.z, v->n, &n);
        if (n.type == VALUE_INTEGER) {
            *out = n.u.i;
            return true;
        }
    } else {
        return false;
    }
    if (n.u.r > -9223372036854775808.0 && n.u.r < 9223372036854775808.0 &&
        n.u.r == floor(n.u.r)) {
        *out = (int64_t)n.u.r;
        return true;
    }
    return false;
}

static int
eval_probe(vm_run *r, cx *e, char aff, value *out, bool *is_null)
{
    value v;
    int rc = vm_eval(r, e, &v);

    if (rc != CHORUS_OK)
        return rc;
    value_clear(out);
    rc = value_copy(out, &v);
    value_clear(&v);
    if (rc == CHORUS_OK && aff != AFFINITY_NONE)
        rc = value_apply_compare_affinity(out, aff);
    *is_null = out->type == VALUE_NULL;
    return rc;
}

/* ------------------------------------------------------------ IN lists */

static int
in_value_cmp(const void *a, const void *b, void *coll)
{
    return value_compare(a, b, *(const collation *)coll);
}

static int
in_add(plan_level *lv, const value *v, int *cap)
{
    if (lv->n_in == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        value *p = realloc(lv->in_vals, (size_t)ncap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        lv->in_vals = p;
        *cap = ncap;
    }
    value_set_null(&lv->in_vals[lv->n_in]);
    if (value_copy(&lv->in_vals[lv->n_in], v) != CHORUS_OK)
        return CHORUS_NOMEM;
    lv->n_in++;
    return CHORUS_OK;
}

/* Collects the IN values (affinity applied, NULLs dropped), sorted and
 * distinct, as SQLite visits them. */
static int
in_collect(vm_run *r, plan_level *lv, char aff, uint8_t coll, bool rowid)
{
    cx *in = lv->in_list;
    int cap = 0, rc = CHORUS_OK;
    value v;

    lv->n_in = 0;
    if (in->kind == CX_IN_LIST) {
        for (int i = 0; i < in->n_args && rc == CHORUS_OK; i++) {
            rc = vm_eval(r, in->args[i], &v);
            if (rc != CHORUS_OK)
                break;
            if (aff != AFFINITY_NONE)
                rc = value_apply_compare_affinity(&v, aff);
            if (rc == CHORUS_OK && v.type != VALUE_NULL)
                rc = in_add(lv, &v, &cap);
            value_clear(&v);
        }
    } else {
        rc = vm_query_open(r, in->sub);
        while (rc == CHORUS_OK && (rc = vm_query_next(r, in->sub)) == CHORUS_ROW) {
            v = in->sub->row[0];
            v.flags = VALUE_BORROWED;
            rc = aff != AFFINITY_NONE ? value_apply_affinity(&v, aff) : CHORUS_OK;
            if (rc == CHORUS_OK && v.type != VALUE_NULL)
                rc = in_add(lv, &v, &cap);
            value_clear(&v);
        }
        vm_query_close(r, in->sub);
        if (rc == CHORUS_DONE)
            rc = CHORUS_OK;
    }
    if (rc != CHORUS_OK)
        return rc;
    if (rowid) {
        int k = 0;
        for (int i = 0; i < lv->n_in; i++) {
            int64_t id;
            if (value_rowid(&lv->in_vals[i], &id)) {
                value_clear(&lv->in_vals[i]);
                value_set_int(&lv->in_vals[k++], id);
            } else {
                value_clear(&lv->in_vals[i]);
            }
        }
        lv->n_in = k;
    }
    if (lv->n_in > 1) {
        collation c = (collation)coll;
        qsort_r(lv->in_vals, (size_t)lv->n_in, sizeof *lv->in_vals, in_value_cmp, &c);
    }
    {
        int k = 0;
        for (int i = 0; i < lv->n_in; i++) {
            if (k > 0 && value_compare(&lv->in_vals[k - 1], &lv->in_vals[i], coll) == 0) {
                value_clear(&lv->in_vals[i]);
                continue;
            }
            lv->in_vals[k++] = lv->in_vals[i];
        }
        lv->n_in = k;
    }
    lv->in_pos = 0;
    return CHORUS_OK;
}

/* Reverses the collected IN values (a descending index column, L5). */
static void
in_reverse(plan_level *lv)
{
    for (int i = 0, j = lv->n_in - 1; i < j; i++, j--) {
        value t = lv->in_vals[i];
        lv->in_vals[i] = lv->in_vals[j];
        lv->in_vals[j] = t;
    }
}

/* ------------------------------------------------------------ rowid paths */

static int
seek_rowid(vm_run *r, plan_cursor *cur, int64_t id, bool *found)
{
    bool eof, exact = false;
    int rc = store_seek_rowid(cur->bt, id, BTREE_SEEK_GE, &eof, &exact);

    *found = rc == CHORUS_OK && !eof && exact;
    if (*found) {
        vm_cursor_reset(cur);
        cur->rowid = id;
        cur->rowid_unread = false;                  /* cursor.c C8 */
    }
    return rc;
}

static int
rowid_in_next(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    while (lv->in_pos < lv->n_in) {
        bool found;
        int rc = seek_rowid(r, cur, lv->in_vals[lv->in_pos++].u.i, &found);
        if (rc != CHORUS_OK)
            return rc;
        if (found) {
            *eof = false;
            return CHORUS_OK;
        }
    }
    *eof = true;
    return CHORUS_OK;
}

/* L7: the next row of an automatic index probe. */
static int
auto_index_next(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    *eof = !vm_autoindex_next(lv->auto_ix, cur);
    return CHORUS_OK;
}

static int eph_fill(vm_run *r, plan_cursor *cur);

static int
auto_index_first(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    int rc = CHORUS_OK;

    *eof = true;
    if (cur->kind == PC_EPHEMERAL)
        rc = cur->filled ? CHORUS_OK : eph_fill(r, cur);
    else if ((rc = vm_cursor_open_table(r, cur)) == CHORUS_OK)
        cur->have_rec = false;
    if (rc != CHORUS_OK)
        return rc;
    if (lv->auto_ix == NULL && (rc = vm_autoindex_build(r, lv, cur, &lv->auto_ix)) != CHORUS_OK)
        return rc;
    for (int i = 0; i < lv->n_eq; i++) {
        bool is_null;
        rc = eval_probe(r, lv->eq[i], lv->eq_aff[i], &lv->probe[i], &is_null);
        if (rc != CHORUS_OK || (is_null && !(lv->eq_is >> i & 1)))
            return rc;
    }
    vm_autoindex_probe(lv->auto_ix, lv->probe);
    return auto_index_next(r, lv, cur, eof);
}

/* Positions a rowid range level on its first row (lower bound). */
static int
rowid_range_first(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    bool is_null = false;
    int rc;

    value_clear(&lv->probe[1]);
    value_set_null(&lv->probe[1]);
    if (lv->hi != NULL) {
        rc = eval_probe(r, lv->hi, AFFINITY_NUMERIC, &lv->probe[1], &is_null);
        if (rc != CHORUS_OK || is_null) {
            *eof = true;
            return rc;
        }
    }
    if (lv->lo != NULL) {
        rc = eval_probe(r, lv->lo, AFFINITY_NUMERIC, &lv->probe[0], &is_null);
        if (rc != CHORUS_OK || is_null) {
            *eof = true;
            return rc;
        }
        if (lv->probe[0].type == VALUE_INTEGER) {
            return store_seek_rowid(cur->bt, lv->probe[0].u.i,
                                    lv->lo_incl ? BTREE_SEEK_GE : BTREE_SEEK_GT, eof, NULL);
        }
        if (lv->probe[0].type == VALUE_REAL) {
            double d = lv->probe[0].u.r;
            if (d >= 9223372036854775807.0) {
                *eof = true;
                return CHORUS_OK;
            }
            if (d > -9223372036854775808.0) {
                double c = ceil(d);
                int op = (c == d && !lv->lo_incl) ? BTREE_SEEK_GT : BTREE_SEEK_GE;
                return store_seek_rowid(cur->bt, (int64_t)c, op, eof, NULL);
            }
        }
        if (lv->probe[0].type == VALUE_TEXT || lv->probe[0].type == VALUE_BLOB) {
            *eof = true;        /* text and blobs sort after every rowid */
            return CHORUS_OK;
        }
    }
    return store_first(cur->bt, eof);
}

/* L5: positions a backwards rowid range level on its last row (upper
 * bound); the lower bound goes to probe[1]. */
static int
rowid_range_last(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    bool is_null = false;
    int rc;

    value_clear(&lv->probe[1]);
    value_set_null(&lv->probe[1]);
    if (lv->lo != NULL) {
        rc = eval_probe(r, lv->lo, AFFINITY_NUMERIC, &lv->probe[1], &is_null);
        if (rc != CHORUS_OK || is_null) {
            *eof = true;
            return rc;
        }
    }
    if (lv->hi != NULL) {
        rc = eval_probe(r, lv->hi, AFFINITY_NUMERIC, &lv->probe[0], &is_null);
        if (rc != CHORUS_OK || is_null) {
            *eof = true;
            return rc;
        }
        if (lv->probe[0].type == VALUE_INTEGER) {
            return store_seek_rowid(cur->bt, lv->probe[0].u.i,
                                    lv->hi_incl ? BTREE_SEEK_LE : BTREE_SEEK_LT, eof, NULL);
        }
        if (lv->probe[0].type == VALUE_REAL) {
            double d = lv->probe[0].u.r;
            if (d < -9223372036854775808.0) {
                *eof = true;
                return CHORUS_OK;
            }
            if (d < 9223372036854775807.0) {
                double f = floor(d);
                int op = (f == d && !lv->hi_incl) ? BTREE_SEEK_LT : BTREE_SEEK_LE;
                return store_seek_rowid(cur->bt, (int64_t)f, op, eof, NULL);
            }
        }
        /* text and blobs sort after every rowid: no upper bound */
    }
    return store_last(cur->bt, eof);
}

/* Whether the row under a backwards rowid range cursor is past the lower bound. */
static bool
rowid_past_lo(const plan_level *lv, int64_t id)
{
    const value *lo = &lv->probe[1];

    if (lv->lo == NULL)
        return false;
    if (lo->type == VALUE_INTEGER)
        return lv->lo_incl ? id < lo->u.i : id <= lo->u.i;
    if (lo->type == VALUE_REAL)
        return lv->lo_incl ? (double)id < lo->u.r : (double)id <= lo->u.r;
    return true;        /* text and blobs are above every rowid */
}

/* Whether the row under a rowid range cursor is past the upper bound. */
static bool
rowid_past_hi(const plan_level *lv, int64_t id)
{
    const value *hi = &lv->probe[1];

    if (lv->hi == NULL)
        return false;
    if (hi->type == VALUE_INTEGER)
        return lv->hi_incl ? id > hi->u.i : id >= hi->u.i;
    if (hi->type == VALUE_REAL)
        return lv->hi_incl ? (double)id > hi->u.r : (double)id >= hi->u.r;
    return false;       /* text and blobs are above every rowid */
}

/* Whether the row under a rowid range cursor is past the bound it moves to. */
static bool
rowid_past_end(const plan_level *lv, int64_t id)
{
    return lv->reverse ? rowid_past_lo(lv, id) : rowid_past_hi(lv, id);
}

/* Ends a rowid range level whose row is past its end. */
static int
range_check(const plan_level *lv, plan_cursor *cur, bool *eof)
{
    int64_t id;
    int rc = vm_cursor_rowid(cur, &id);

    if (rc == CHORUS_OK && rowid_past_end(lv, id))
        *eof = true;
    return rc;
}

/* ------------------------------------------------------------ index paths */

static int
index_open(vm_run *r, plan_level *lv)
{
    pager_tx *tx;
    int rc;

    if (lv->ix != NULL)
        return CHORUS_OK;
    rc = vm_schema_tx_for(r->conn, lv->index->table, &tx);  /* temp.c TP4 */
    if (rc != CHORUS_OK)
        return rc;
    return store_cursor_open(vm_store_tx(r->conn, tx), lv->index->root, &lv->index->ki, false,
                             lv->index->name, &lv->ix);
}

/* L6: whether the level's range is on a DESC index column, whose entries
 * run from the upper value bound down to the lower one. */
static bool
range_desc(const plan_level *lv)
{
    return (lv->lo != NULL || lv->hi != NULL) && lv->index->cols[lv->n_eq].desc;
}

/* Builds the probe of the equality columns (from column `from` on) and the
 * bound a forward scan stops at (the upper one, or the lower one on a DESC
 * column, L6); *eof when a NULL makes every comparison false (L3). */
static int
index_probe(vm_run *r, plan_level *lv, int from, bool *eof)
{
    cx *stop = range_desc(lv) ? lv->lo : lv->hi;
    bool is_null = false;
    int rc;

    *eof = false;
    for (int i = from; i < lv->n_eq; i++) {
        rc = eval_probe(r, lv->eq[i], lv->eq_aff[i], &lv->probe[i], &is_null);
        if (rc != CHORUS_OK || (is_null && !(lv->eq_is & (1u << i)))) {
            *eof = true;
            return rc;
        }
    }
    value_clear(&lv->probe[KEY_INFO_MAX]);
    value_set_null(&lv->probe[KEY_INFO_MAX]);
    if (stop != NULL) {
        rc = eval_probe(r, stop, lv->eq_aff[lv->n_eq], &lv->probe[KEY_INFO_MAX], &is_null);
        if (rc != CHORUS_OK || is_null) {
            *eof = true;
            return rc;
        }
    }
    return CHORUS_OK;
}

static int
index_seek(vm_run *r, plan_level *lv, bool *eof)
{
    int n = lv->n_eq;
    int rc;
    bool is_null = false, desc = range_desc(lv);
    cx *start = desc ? lv->hi : lv->lo;

    if (start != NULL) {
        rc = eval_probe(r, start, lv->eq_aff[n], &lv->probe[n], &is_null);
        if (rc != CHORUS_OK || is_null) {
            *eof = true;
            return rc;
        }
        return store_seek_key(lv->ix, lv->probe, n + 1,
                              (desc ? lv->hi_incl : lv->lo_incl) ? BTREE_SEEK_GE
                                                                 : BTREE_SEEK_GT, eof);
    }
    if (lv->hi != NULL && !desc) {
        value_clear(&lv->probe[n]);
        value_set_null(&lv->probe[n]);     /* skip the NULLs, which sort first */
        return store_seek_key(lv->ix, lv->probe, n + 1, BTREE_SEEK_GT, eof);
    }
    if (n == 0)
        return store_first(lv->ix, eof);
    return store_seek_key(lv->ix, lv->probe, n, BTREE_SEEK_GE, eof);
}

/* L5: positions a backwards index level on the last entry of its prefix
 * at or below the upper bound (index_probe put it in probe[KEY_INFO_MAX]);
 * the lower bound then goes to probe[KEY_INFO_MAX] for index_accept. */
static int
index_seek_last(vm_run *r, plan_level *lv, bool *eof)
{
    int n = lv->n_eq;
    bool is_null = false;
    int rc;

    if (lv->hi != NULL) {
        value_clear(&lv->probe[n]);
        lv->probe[n] = lv->probe[KEY_INFO_MAX];
        value_set_null(&lv->probe[KEY_INFO_MAX]);
        rc = store_seek_key(lv->ix, lv->probe, n + 1,
                            lv->hi_incl ? BTREE_SEEK_LE : BTREE_SEEK_LT, eof);
    } else if (n > 0) {
        rc = store_seek_key(lv->ix, lv->probe, n, BTREE_SEEK_LE, eof);
    } else {
        rc = store_last(lv->ix, eof);
    }
    if (rc != CHORUS_OK || *eof || lv->lo == NULL)
        return rc;
    rc = eval_probe(r, lv->lo, lv->eq_aff[n], &lv->probe[KEY_INFO_MAX], &is_null);
    *eof = *eof || is_null;
    return rc;
}

/* Whether the range column value v of an index entry is past the bound
 * the level moves to: the upper one forwards, the lower one backwards,
 * where the NULLs (which sort first) also end a range. */
static bool
index_past_end(const plan_level *lv, const value *v, collation coll)
{
    int cmp;

    if (!lv->reverse && range_desc(lv)) {      /* L6: down to the lower bound */
        if (lv->lo == NULL)
            return false;
        cmp = value_compare(v, &lv->probe[KEY_INFO_MAX], coll);
        return cmp < 0 || (cmp == 0 && !lv->lo_incl);
    }
    if (!lv->reverse) {
        if (lv->hi == NULL)
            return false;
        cmp = value_compare(v, &lv->probe[KEY_INFO_MAX], coll);
        return cmp > 0 || (cmp == 0 && !lv->hi_incl);
    }
    if (lv->lo == NULL && lv->hi == NULL)
        return false;
    if (v->type == VALUE_NULL)
        return true;
    if (lv->lo == NULL)
        return false;
    cmp = value_compare(v, &lv->probe[KEY_INFO_MAX], coll);
    return cmp < 0 || (cmp == 0 && !lv->lo_incl);
}

/* A WITHOUT ROWID table's index entry names its row by the PK suffix; its
 * PK index is the table itself (cursor.c C6). */
static int
index_accept_key(plan_level *lv, plan_cursor *cur, const uint8_t *rec, uint32_t n, bool *skip)
{
    const catalog_index *ix = lv->index;
    const catalog_table *t = ix->table;
    const catalog_index *pk = catalog_table_pk_index(t);
    int16_t fields[KEY_INFO_MAX];
    value probe[KEY_INFO_MAX];
    const uint8_t *data;
    uint32_t nbytes;
    bool eof = true;
    int rc = CHORUS_OK, rc2 = CHORUS_OK;

    cur->rowid = 0;
    cur->rowid_unread = false;
    cur->have_rec = false;
    if (lv->covering || catalog_index_is_table(ix)) {
        cur->cover = ix;
        cur->cover_bt = lv->ix;
        return CHORUS_OK;
    }
    catalog_index_pk_fields(ix, fields);
    for (int k = 0; k < t->n_pk && rc == CHORUS_OK; k++)
        rc = record_column(rec, n, fields[k], &probe[k]);
    if (rc == CHORUS_OK)
        rc = store_seek_key(cur->bt, probe, t->n_pk, BTREE_SEEK_GE, &eof);
    if (rc == CHORUS_OK && !eof)
        rc = store_payload(cur->bt, &data, &nbytes);
    *skip = rc == CHORUS_OK &&
            (eof || record_compare_probe(&pk->ki, data, nbytes, probe, t->n_pk, &rc2) != 0);
    return rc != CHORUS_OK ? rc : rc2;
}

/* Checks the entry under the index cursor against the equality prefix and
 * the bound it moves to, then moves the table cursor to its row. */
static int
index_accept(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof, bool *skip)
{
    const catalog_index *ix = lv->index;
    const uint8_t *rec;
    uint32_t n;
    value v;
    int rc, cmp, rc2 = CHORUS_OK;
    bool found;

    *skip = false;
    rc = store_payload(lv->ix, &rec, &n);
    if (rc != CHORUS_OK)
        return rc;
    if (lv->n_eq > 0) {
        cmp = record_compare_probe(&ix->ki, rec, n, lv->probe, lv->n_eq, &rc2);
        if (rc2 != CHORUS_OK)
            return rc2;
        if (cmp != 0) {
            *eof = true;
            return CHORUS_OK;
        }
    }
    if (lv->hi != NULL || ((lv->reverse || range_desc(lv)) && lv->lo != NULL)) {
        rc = record_column(rec, n, lv->n_eq, &v);
        if (rc != CHORUS_OK)
            return rc;
        if (index_past_end(lv, &v, (collation)ix->cols[lv->n_eq].collation)) {
            *eof = true;
            return CHORUS_OK;
        }
    }
    if (ix->table->without_rowid)
        return index_accept_key(lv, cur, rec, n, skip);
    rc = record_column(rec, n, ix->n_cols, &v);
    if (rc != CHORUS_OK)
        return rc;
    if (v.type != VALUE_INTEGER)
        return vm_run_error(r, CHORUS_CORRUPT_HERE(), "database disk image is malformed");
    if (lv->covering) {
        cur->cover = ix;
        cur->cover_bt = lv->ix;
        cur->rowid = v.u.i;
        cur->rowid_unread = false;
        cur->have_rec = false;
        return CHORUS_OK;
    }
    rc = seek_rowid(r, cur, v.u.i, &found);
    *skip = rc == CHORUS_OK && !found;
    return rc;
}

/* Moves an index level to the next IN value that has entries. */
static int
index_in_advance(vm_run *r, plan_level *lv, bool *eof)
{
    int rc;

    while (lv->in_pos < lv->n_in) {
        value_clear(&lv->probe[0]);
        rc = value_copy(&lv->probe[0], &lv->in_vals[lv->in_pos++]);
        if (rc != CHORUS_OK)
            return rc;
        rc = store_seek_key(lv->ix, lv->probe, lv->n_eq, BTREE_SEEK_GE, eof);
        if (rc != CHORUS_OK)
            return rc;
        if (!*eof) {
            const uint8_t *rec;
            uint32_t n;
            int rc2 = CHORUS_OK;
            rc = store_payload(lv->ix, &rec, &n);
            if (rc != CHORUS_OK)
                return rc;
            if (record_compare_probe(&lv->index->ki, rec, n, lv->probe, lv->n_eq, &rc2) == 0 &&
                rc2 == CHORUS_OK)
                return CHORUS_OK;
            if (rc2 != CHORUS_OK)
                return rc2;
        }
    }
    *eof = true;
    return CHORUS_OK;
}

/* Validates the index entry the cursor is on, stepping over stale ones. */
static int
index_settle(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    bool skip;
    int rc;

    for (;;) {
        if (*eof) {
            if (lv->access != PA_INDEX_IN)
                return CHORUS_OK;
            rc = index_in_advance(r, lv, eof);
            if (rc != CHORUS_OK || *eof)
                return rc;
        }
        rc = index_accept(r, lv, cur, eof, &skip);
        if (rc != CHORUS_OK)
            return rc;
        if (*eof && lv->access == PA_INDEX_IN)
            continue;
        if (*eof || !skip)
            return CHORUS_OK;
        rc = lv->reverse ? store_prev(lv->ix, eof) : store_next(lv->ix, eof);
        if (rc != CHORUS_OK)
            return rc;
    }
}

/* ------------------------------------------------------------ ephemeral */

static int
eph_fill(vm_run *r, plan_cursor *cur)
{
    plan_query *src = cur->source;
    int rc;

    if (cur->rows == NULL) {
        rc = vm_rows_new(cur->n_cols, &cur->rows);
        if (rc != CHORUS_OK)
            return rc;
    } else {
        vm_rows_free(cur->rows);
        cur->rows = NULL;
        rc = vm_rows_new(cur->n_cols, &cur->rows);
        if (rc != CHORUS_OK)
            return rc;
    }
    rc = vm_query_open(r, src);
    while (rc == CHORUS_OK && (rc = vm_query_next(r, src)) == CHORUS_ROW)
        rc = vm_rows_append(cur->rows, src->row);
    vm_query_close(r, src);
    if (rc == CHORUS_DONE)
        rc = CHORUS_OK;
    cur->filled = rc == CHORUS_OK;
    return rc;
}

static void
eph_position(plan_cursor *cur, bool *eof)
{
    *eof = cur->pos >= cur->rows->n;
    cur->row = *eof ? NULL : cur->rows->rows[cur->pos];
    cur->rowid = cur->pos + 1;
}

/* ---------------------------------------------------------------- levels */

static int level_first(vm_run *r, plan_level *lv, bool *eof);
static int level_next(vm_run *r, plan_level *lv, bool *eof);

/* L8: the next row of a MULTI-INDEX OR level. */
static int
multi_or_next(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    while (lv->or_pos < lv->n_or_ids) {
        bool found;
        int rc = seek_rowid(r, cur, lv->or_ids[lv->or_pos++], &found);
        if (rc != CHORUS_OK || found) {
            *eof = rc != CHORUS_OK;
            return rc;
        }
    }
    *eof = true;
    return CHORUS_OK;
}

/* L8: keeps id unless seen. */
static int
multi_or_keep(plan_level *lv, vm_rowset *seen, int64_t id, int64_t *cap)
{
    value v;
    bool added;
    int rc;

    value_set_int(&v, id);
    rc = vm_rowset_add(seen, &v, &added);
    if (rc != CHORUS_OK || !added)
        return rc;
    if (lv->n_or_ids == *cap) {
        int64_t ncap = *cap ? *cap * 2 : 16, *p = realloc(lv->or_ids, (size_t)ncap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        lv->or_ids = p;
        *cap = ncap;
    }
    lv->or_ids[lv->n_or_ids++] = id;
    return CHORUS_OK;
}

static int
multi_or_first(vm_run *r, plan_level *lv, plan_cursor *cur, bool *eof)
{
    vm_rowset *seen;
    int64_t cap = 0;
    int rc = vm_rowset_new(1, NULL, &seen);

    free(lv->or_ids);
    lv->or_ids = NULL;
    lv->n_or_ids = lv->or_pos = 0;
    for (int b = 0; b < lv->n_or && rc == CHORUS_OK; b++) {
        plan_level *sub = &lv->or_branches[b];
        bool done;
        for (rc = level_first(r, sub, &done); rc == CHORUS_OK && !done;
             rc = level_next(r, sub, &done)) {
            bool pass;
            int64_t id;
            rc = vm_eval_condition(r, sub->filter, &pass);
            if (rc == CHORUS_OK && pass && (rc = vm_cursor_rowid(cur, &id)) == CHORUS_OK)
                rc = multi_or_keep(lv, seen, id, &cap);
            if (rc != CHORUS_OK)
                break;
        }
    }
    vm_rowset_free(seen);
    return rc != CHORUS_OK ? rc : multi_or_next(r, lv, cur, eof);
}

static int
level_first(vm_run *r, plan_level *lv, bool *eof)
{
    plan_cursor *cur = level_cursor(r, lv);
    bool found, is_null = false;
    int rc;

    *eof = true;
    if (lv->access == PA_EPH_SCAN) {
        if (cur->source == NULL && cur->rows == NULL)
            return CHORUS_OK;       /* fed by its owner, which has no row now */
        if (cur->source != NULL && (!cur->filled || cur->refill) &&
            (rc = eph_fill(r, cur)) != CHORUS_OK)
            return rc;
        cur->pos = 0;
        eph_position(cur, eof);
        return CHORUS_OK;
    }
    if (lv->access == PA_AUTO_INDEX)
        return auto_index_first(r, lv, cur, eof);
    rc = vm_cursor_open_table(r, cur);
    if (rc != CHORUS_OK)
        return rc;
    cur->have_rec = false;
    switch (lv->access) {
    case PA_ROWID_EQ: {
        int64_t id;
        rc = eval_probe(r, lv->eq[0], AFFINITY_NONE, &lv->probe[0], &is_null);
        if (rc != CHORUS_OK || is_null || !value_rowid(&lv->probe[0], &id))
            return rc;
        rc = seek_rowid(r, cur, id, &found);
        *eof = !found;
        return rc;
    }
    case PA_MULTI_OR:
        return multi_or_first(r, lv, cur, eof);
    case PA_ROWID_IN:
        rc = in_collect(r, lv, AFFINITY_NUMERIC, COLLATE_BINARY, true);
        if (rc == CHORUS_OK && lv->reverse)
            in_reverse(lv);
        return rc != CHORUS_OK ? rc : rowid_in_next(r, lv, cur, eof);
    case PA_ROWID_RANGE:
        rc = lv->reverse ? rowid_range_last(r, lv, cur, eof) : rowid_range_first(r, lv, cur, eof);
        break;
    case PA_INDEX:
    case PA_INDEX_IN:
        rc = index_open(r, lv);
        if (rc == CHORUS_OK)
            rc = index_probe(r, lv, lv->access == PA_INDEX_IN ? 1 : 0, eof);
        if (rc != CHORUS_OK || *eof)
            return rc;
        if (lv->access == PA_INDEX_IN) {
            rc = in_collect(r, lv, lv->eq_aff[0], lv->index->cols[0].collation, false);
            if (rc == CHORUS_OK && lv->index->cols[0].desc)
                in_reverse(lv);
            *eof = true;
        } else {
            rc = lv->reverse ? index_seek_last(r, lv, eof) : index_seek(r, lv, eof);
        }
        return rc != CHORUS_OK ? rc : index_settle(r, lv, cur, eof);
    default:
        rc = lv->reverse ? store_last(cur->bt, eof) : store_first(cur->bt, eof);
        break;
    }
    if (rc == CHORUS_OK && !*eof) {
        rc = vm_cursor_load(cur);
        if (rc == CHORUS_OK && lv->access == PA_ROWID_RANGE)
            rc = range_check(lv, cur, eof);
    }
    return rc;
}

static int
level_next(vm_run *r, plan_level *lv, bool *eof)
{
    plan_cursor *cur = level_cursor(r, lv);
    int rc;

    *eof = true;
    switch (lv->access) {
    case PA_EPH_SCAN:
        cur->pos++;
        eph_position(cur, eof);
        return CHORUS_OK;
    case PA_ROWID_EQ:
        return CHORUS_OK;
    case PA_ROWID_IN:
        return rowid_in_next(r, lv, cur, eof);
    case PA_AUTO_INDEX:
        return auto_index_next(r, lv, cur, eof);
    case PA_MULTI_OR:
        return multi_or_next(r, lv, cur, eof);
    case PA_INDEX:
    case PA_INDEX_IN:
        rc = lv->reverse ? store_prev(lv->ix, eof) : store_next(lv->ix, eof);
        return rc != CHORUS_OK ? rc : index_settle(r, lv, cur, eof);
    default:
        rc = lv->reverse ? store_prev(cur->bt, eof) : store_next(cur->bt, eof);
        break;
    }
    if (rc == CHORUS_OK && !*eof) {
        rc = vm_cursor_load(cur);
        if (rc == CHORUS_OK && lv->access == PA_ROWID_RANGE)
            rc = range_check(lv, cur, eof);
    }
    return rc;
}

static int
check(vm_run *r, cx *e, bool *pass)
{
    *pass = true;
    return e != NULL ? vm_eval_condition(r, e, pass) : CHORUS_OK;   /* expr_eval.c E4 */
}

/* L4: the identity of the row under a RIGHT / FULL JOIN level's cursor
 * into id (*n_out values; clear each): its rowid, or the PK of a WITHOUT
 * ROWID table, whose rows have no rowid (cursor.c C6). */
static int
right_identity(vm_run *r, plan_cursor *cur, value *id, int *n_out)
{
    const catalog_table *t = cur->kind == PC_TABLE ? cur->table : NULL;
    int rc = CHORUS_OK;

    *n_out = 0;
    if (t == NULL || !t->without_rowid) {
        rc = vm_cursor_column(r, cur, -1, &id[0]);
        *n_out = rc == CHORUS_OK;
        return rc;
    }
    for (int k = 0; k < t->n_pk && rc == CHORUS_OK; k++) {
        rc = vm_cursor_column(r, cur, t->pk_cols[k], &id[k]);
        *n_out += rc == CHORUS_OK;
    }
    return rc;
}

/* L4: remembers the current row of a RIGHT / FULL JOIN level. */
static int
right_mark(vm_run *r, plan_level *lv)
{
    static const uint8_t binary[KEY_INFO_MAX];          /* COLLATE_BINARY, 0 */
    value id[KEY_INFO_MAX];
    bool added;
    int n, rc = right_identity(r, level_cursor(r, lv), id, &n);

    if (rc == CHORUS_OK && lv->right_seen == NULL)
        rc = vm_rowset_new(n, binary, &lv->right_seen);
    if (rc == CHORUS_OK)
        rc = vm_rowset_add(lv->right_seen, id, &added);
    vm_values_clear(id, n);
    return rc;
}

/* The first RIGHT / FULL JOIN level after level `after`, or -1. */
static int
right_level_after(const plan_query *q, int after)
{
    for (int i = after + 1; i < q->n_levels; i++)
        if (q->levels[i].is_right)
            return i;
    return -1;
}

/* The RIGHT / FULL JOIN level whose pass (L4) runs: the last one started. */
static int
right_level_passing(const plan_query *q)
{
    for (int i = q->n_levels - 1; i >= 0; i--)
        if (q->levels[i].is_right && q->levels[i].right_pass->started)
            return i;
    return -1;
}

/* L4: moves the RIGHT / FULL JOIN level lv to its next row that nothing
 * matched (*row_out), every earlier level in null_row mode; *exhausted
 * when none is left. */
static int
right_step(vm_run *r, plan_query *q, plan_level *lv, bool *row_out, bool *exhausted)
{
    plan_level *rp = lv->right_pass;
    plan_cursor *cur = level_cursor(r, lv);
    bool eof, pass;
    value id[KEY_INFO_MAX];
    int n, rc;

    *row_out = false;
    *exhausted = false;
    if (!rp->started) {
        for (plan_level *before = q->levels; before < lv; before++)
            level_cursor(r, before)->null_row = true;
        cur->null_row = false;
        cur->cover = NULL;
        cur->cover_bt = NULL;
        rp->started = true;
        rc = level_first(r, rp, &eof);
    } else {
        rc = level_next(r, rp, &eof);
    }
    if (rc != CHORUS_OK)
        return rc;
    if (eof) {
        *exhausted = true;
        return CHORUS_OK;
    }
    rc = right_identity(r, cur, id, &n);
    if (rc != CHORUS_OK) {
        vm_values_clear(id, n);
        return rc;
    }
    pass = lv->right_seen == NULL || !vm_rowset_contains(lv->right_seen, id);
    vm_values_clear(id, n);
    if (pass && (rc = check(r, rp->post, &pass)) != CHORUS_OK)
        return rc;
    *row_out = pass;
    return CHORUS_OK;
}

/* Moves level lv once; *row_out when it holds a row for the inner levels. */
static int
level_step(vm_run *r, plan_level *lv, bool *row_out, bool *exhausted)
{
    plan_cursor *cur = level_cursor(r, lv);
    bool eof, pass;
    int rc;

    *row_out = false;
    *exhausted = false;
    if (lv->in_null_row) {
        lv->in_null_row = false;
        cur->null_row = false;
        eof = true;
        rc = CHORUS_OK;
    } else if (!lv->started) {
        lv->started = true;
        lv->matched = false;
        rc = level_first(r, lv, &eof);
    } else {
        rc = level_next(r, lv, &eof);
    }
    if (rc != CHORUS_OK)
        return rc;
    if (eof) {
        if (!lv->is_left || lv->matched) {
            *exhausted = true;
            return CHORUS_OK;
        }
        lv->matched = true;                               /* L2 */
        lv->in_null_row = true;
        cur->null_row = true;
        rc = check(r, lv->post, &pass);
        *row_out = rc == CHORUS_OK && pass;
        return rc;
    }
    rc = check(r, lv->filter, &pass);                     /* L1 */
    if (rc != CHORUS_OK || !pass)
        return rc;
    lv->matched = true;
    if (lv->is_right && (rc = right_mark(r, lv)) != CHORUS_OK)
        return rc;
    rc = check(r, lv->post, &pass);
    *row_out = rc == CHORUS_OK && pass;
    return rc;
}

int
vm_loop_next(vm_run *r, plan_query *q)
{
    int n = q->n_levels, i, rc;
    int right = q->loop_state == LOOP_RIGHT ? right_level_passing(q) : -1;

    if (q->loop_state == LOOP_DONE)
        return CHORUS_DONE;
    if (q->loop_state == LOOP_START) {
        bool pass;
        rc = check(r, q->pre_filter, &pass);
        if (rc != CHORUS_OK)
            return rc;
        q->loop_state = (n == 0 || !pass) ? LOOP_DONE : LOOP_RUN;
        if (n == 0)
            return pass ? CHORUS_ROW : CHORUS_DONE;
        if (!pass)
            return CHORUS_DONE;
        i = 0;
        q->levels[0].started = false;
        q->levels[0].in_null_row = false;
    } else {
        i = n - 1;
    }
    for (;;) {
        plan_level *lv = &q->levels[i];
        bool row, exhausted;
        if ((rc = vm_run_tick(r)) != CHORUS_OK)
            return rc;
        if (q->loop_state == LOOP_RIGHT && i == right)
            rc = right_step(r, q, lv, &row, &exhausted);            /* L4 */
        else
            rc = level_step(r, lv, &row, &exhausted);
        if (rc != CHORUS_OK)
            return rc;
        if (exhausted) {
            if ((i == 0 && q->loop_state == LOOP_RUN) ||
                (q->loop_state == LOOP_RIGHT && i == right)) {
                /* the rows nothing matched of the next RIGHT JOIN level, then
                 * the levels after them again (L4) */
                right = right_level_after(q, right);
                if (right < 0) {
                    q->loop_state = LOOP_DONE;
                    return CHORUS_DONE;
                }
                q->loop_state = LOOP_RIGHT;
                i = right;
                continue;
            }
            if (i == 0) {
                q->loop_state = LOOP_DONE;
                return CHORUS_DONE;
            }
            i--;
            continue;
        }
        if (!row)
            continue;
        if (i == n - 1)
            return CHORUS_ROW;
        i++;
        q->levels[i].started = false;
        q->levels[i].in_null_row = false;
    }
}

/* Releases the run state of a level's lookup (its index cursor, probes, IN
 * values). */
static void
lookup_close(plan_level *lv)
{
    if (lv->ix != NULL) {
        store_cursor_close(lv->ix);
        lv->ix = NULL;
    }
    for (int k = 0; k <= KEY_INFO_MAX; k++)
        value_clear(&lv->probe[k]);
    vm_values_clear(lv->in_vals, lv->n_in);
    free(lv->in_vals);
    lv->in_vals = NULL;
    lv->n_in = 0;
}

void
vm_loop_close(vm_run *r, plan_query *q)
{
    for (int i = 0; i < q->n_levels; i++) {
        plan_level *lv = &q->levels[i];
        plan_cursor *cur = level_cursor(r, lv);
        lookup_close(lv);
        vm_autoindex_free(lv->auto_ix);         /* L7 */
        lv->auto_ix = NULL;
        for (int b = 0; b < lv->n_or; b++)      /* L8 */
            lookup_close(&lv->or_branches[b]);
        free(lv->or_ids);
        lv->or_ids = NULL;
        lv->n_or_ids = lv->or_pos = 0;
        lv->started = false;
        lv->in_null_row = false;
        if (lv->right_pass != NULL) {
            plan_level *rp = lv->right_pass;
            if (rp->ix != NULL) {
                store_cursor_close(rp->ix);
                rp->ix = NULL;
            }
            for (int k = 0; k <= KEY_INFO_MAX; k++)
                value_clear(&rp->probe[k]);
            rp->started = false;
            vm_rowset_free(lv->right_seen);
            lv->right_seen = NULL;
        }
        vm_cursor_close(cur);
    }
    q->loop_state = LOOP_START;
}
