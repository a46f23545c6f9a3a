/*
 * core/catalog/writer.c: the write context of one statement: its cursors,
 * row and record buffers, error message, expression hooks, and the reading
 * and encoding of table rows.
 *
 * Invariants
 *   WR1 A writer holds at most one cursor per (root, key_info) pair, opened
 *       on first use and kept until catalog_writer_close or DDL
 *       (writer_cursors_close), so a statement's rows reuse them (rule W2);
 *       a parked writer keeps them, suspended, for the next statement.
 *   WR2 Buffers only grow; after the first rows of a statement no call
 *       allocates, except affinity conversions of numbers into TEXT columns
 *       and expression evaluation in the hooks. A closed writer goes back to
 *       its catalog as the spare (one per catalog) with its buffers, so the
 *       next statement's writer starts warm; its cursors are closed (btree
 *       rule B1: the transaction may end meanwhile).
 *   WR4 Only values [0, n_row_used) of row/old/tmp may own memory.
 *   WR5 A WITHOUT ROWID table's record holds its PRIMARY KEY index's columns
 *       first, a column named twice there (with two collations) twice, as
 *       SQLite stores it, then its other stored columns: enc needs room for
 *       t->n_cols + t->n_pk values (writer_row_reserve).
 *   WR3 Rows read back lay out their values by table column: the rowid alias
 *       holds the rowid, VIRTUAL columns hold NULL, fields missing from a
 *       short record hold the column DEFAULT. A WITHOUT ROWID table's rows
 *       are found by their PK (writer_row_seek_key) and read the same way.
 *
 * Ownership: the writer borrows tx and cat; everything else is its own.
 * Callers: the engine (open/close/errmsg), row_write.c, constraint.c and the
 * DDL files.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

/* Takes the catalog's spare writer, or allocates one. */
static catalog_writer *
writer_take(catalog *cat)
{
    /* Acquire: pairs with the release in writer_give_back, so the buffers
     * the closing thread left in the writer are visible here. */
    catalog_writer *w = atomic_exchange_explicit(&cat->spare_writer, NULL, memory_order_acquire);

    if (w != NULL)
        return w;
    w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    record_cursor_init(&w->rec[0]);
    record_cursor_init(&w->rec[1]);
    w->rand_state = (uint64_t)common_now_ns() | 1;
    return w;
}

/* What a statement's writer starts with. */
static void
writer_statement_begin(catalog_writer *w, const catalog_hooks *hooks)
{
    w->main = NULL;
    memset(&w->hooks, 0, sizeof w->hooks);
    if (hooks != NULL)
        w->hooks = *hooks;
    w->conflict = AST_CONFLICT_ABORT;
}

int
catalog_writer_open(pager_tx *tx, catalog *cat, const catalog_hooks *hooks,
                    catalog_writer **out)
{
    catalog_writer *w;

    *out = NULL;
    w = writer_take(cat);
    if (w == NULL)
        return CHORUS_NOMEM;
    w->tx = tx;
    store_tx_init(&w->own_st, NULL, tx, NULL);
    w->st = &w->own_st;
    w->cat = cat;
    writer_statement_begin(w, hooks);
    *out = w;
    return CHORUS_OK;
}

void
catalog_writer_use_store(catalog_writer *w, store_tx *st)
{
    writer_cursors_close(w);
    w->st = st;
}

void
writer_cursors_close(catalog_writer *w)
{
    for (int i = 0; i < w->n_cursors; i++)
        store_cursor_close(w->cursors[i].cur);
    w->n_cursors = 0;
}

static void
values_clear(value *vals, int n)
{
    for (int i = 0; vals != NULL && i < n; i++)
        value_clear(&vals[i]);
}

void
writer_free(catalog_writer *w)
{
    if (w == NULL)
        return;
    writer_cursors_close(w);
    free(w->cursors);
    values_clear(w->row, w->n_row_used);
    values_clear(w->old, w->n_row_used);
    values_clear(w->tmp, w->n_row_used);
    free(w->row);
    free(w->old);
    free(w->tmp);
    free(w->enc);                   /* borrowed copies only: nothing to clear */
    free(w->buf);
    for (int i = 0; i < 2; i++) {
        free(w->rowbuf[i]);
        record_cursor_free(&w->rec[i]);
    }
    free(w->seqs);
    free(w->errmsg);
    free(w);
}

/* Large buffers (a statement over huge rows) are not kept for the next. */
enum { WRITER_KEEP_BYTES = 1 << 20 };

/* What a statement leaves in the writer, dropped (WR4). */
static void
writer_statement_end(catalog_writer *w)
{
    values_clear(w->row, w->n_row_used);
    values_clear(w->old, w->n_row_used);
    values_clear(w->tmp, w->n_row_used);
    w->n_row_used = 0;
    w->n_seqs = 0;
    free(w->errmsg);
    w->errmsg = NULL;
}

/* Keeps w's buffers for the next writer of its catalog (rule WR2 across
 * statements); frees w when the catalog already has a spare. */
static void
writer_give_back(catalog_writer *w)
{
    catalog *cat = w->cat;
    catalog_writer *expected = NULL;

    writer_cursors_close(w);
    writer_statement_end(w);
    w->tx = NULL;
    w->cat = NULL;
    if (w->cap_buf > WRITER_KEEP_BYTES || w->cap_rowbuf[0] > WRITER_KEEP_BYTES ||
        w->cap_rowbuf[1] > WRITER_KEEP_BYTES) {
        writer_free(w);
        return;
    }
    /* Release: pairs with the acquire in writer_take. Failure order relaxed:
     * another writer is already the spare and w is simply freed. */
    if (!atomic_compare_exchange_strong_explicit(&cat->spare_writer, &expected, w,
                                                 memory_order_release, memory_order_relaxed))
        writer_free(w);
}

int
catalog_writer_finish(catalog_writer *w)
{
    return writer_seq_flush(w);
}

void
catalog_writer_park(catalog_writer *w)
{
    for (int i = 0; i < w->n_cursors; i++)
        store_cursor_suspend(w->cursors[i].cur);
    writer_statement_end(w);
}

void
catalog_writer_resume(catalog_writer *w, const catalog_hooks *hooks)
{
    for (int i = 0; i < w->n_cursors; i++)
        store_cursor_resume(w->cursors[i].cur);
    writer_statement_begin(w, hooks);
}

pager_tx *
catalog_writer_tx(const catalog_writer *w)
{
    return w->tx;
}

const store_tx *
catalog_writer_store(const catalog_writer *w)
{
    return w->st;
}

void
catalog_writer_close(catalog_writer *w)
{
    if (w == NULL)
        return;
    if (w->n_seqs > 0 && pager_tx_is_write(w->tx))
        (void)writer_seq_flush(w);      /* catalog.h: errors here have no reader */
    writer_give_back(w);
}

const char *
catalog_writer_errmsg(const catalog_writer *w)
{
    return w->errmsg != NULL ? w->errmsg : "";
}

int
catalog_writer_conflict(const catalog_writer *w)
{
    return w->conflict;
}

catalog *
catalog_writer_catalog(const catalog_writer *w)
{
    return w->cat;
}

int
writer_fail_take(catalog_writer *w, int rc, char *msg)
{
    free(w->errmsg);
    w->errmsg = msg;
    return rc;
}

int
writer_fail(catalog_writer *w, int rc, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = common_vmprintf(fmt, ap);
    va_end(ap);
    return writer_fail_take(w, rc, msg);
}

/* The name of the table or index at root, for conflict messages (store
 * rule S4); NULL when the catalog does not know the root. */
static const char *
root_name(const catalog_writer *w, uint32_t root, const key_info *ki)
{
    if (ki == NULL) {
        for (int i = 0; i < catalog_table_count(w->cat); i++)
            if (catalog_table_at(w->cat, i)->root == root)
                return catalog_table_at(w->cat, i)->name;
        return NULL;
    }
    for (int i = 0; i < catalog_index_count(w->cat); i++) {
        const catalog_index *idx = catalog_index_at(w->cat, i);
        if (idx->root == root)          /* a WITHOUT ROWID table's tree is named as the table */
            return catalog_index_is_table(idx) ? idx->table->name : idx->name;
    }
    return NULL;
}

/* Rule WR1. */
int
writer_cursor(catalog_writer *w, uint32_t root, const key_info *ki, store_cursor **out)
{
    writer_slot *slot;
    int rc;

    for (int i = 0; i < w->n_cursors; i++)
        if (w->cursors[i].root == root && w->cursors[i].ki == ki) {
            *out = w->cursors[i].cur;
            return CHORUS_OK;
        }
    *out = NULL;
    if (ki != NULL && (rc = define_key_collation_undefined(ki)) >= 0)     /* define.c D4 */
        return writer_fail(w, CHORUS_ERROR, "no such collation sequence: %s",
                           collation_name((collation)rc));
    if (w->n_cursors == w->cap_cursors) {
        int cap = w->cap_cursors ? w->cap_cursors * 2 : 8;
        writer_slot *s = realloc(w->cursors, (size_t)cap * sizeof *s);
        if (s == NULL)
            return CHORUS_NOMEM;
        w->cursors = s;
        w->cap_cursors = cap;
    }
    slot = &w->cursors[w->n_cursors];
    rc = store_cursor_open(w->st, root, ki, pager_tx_is_write(w->tx),
                           w->st->mv != NULL ? root_name(w, root, ki) : NULL, &slot->cur);
    if (rc != CHORUS_OK)
        return rc;
    slot->root = root;
    slot->ki = ki;
    w->n_cursors++;
    *out = slot->cur;
    return CHORUS_OK;
}

static int
grow_values(value **vals, int old_cap, int cap)
{
    value *v = realloc(*vals, (size_t)cap * sizeof *v);

    if (v == NULL)
        return CHORUS_NOMEM;
    for (int i = old_cap; i < cap; i++)
        value_set_null(&v[i]);
    *vals = v;
    return CHORUS_OK;
}

int
writer_row_reserve(catalog_writer *w, int n)
{
    int cap = w->cap_row;
    int rc = CHORUS_OK;

    if (n > w->n_row_used)
        w->n_row_used = n <= cap ? n : cap;
    if (n <= cap)
        return CHORUS_OK;
    while (cap < n)
        cap = cap ? cap * 2 : 16;
    rc = grow_values(&w->row, w->cap_row, cap);
    if (rc == CHORUS_OK)
        rc = grow_values(&w->old, w->cap_row, cap);
    if (rc == CHORUS_OK)
        rc = grow_values(&w->tmp, w->cap_row, cap);
    if (rc == CHORUS_OK)
        rc = grow_values(&w->enc, w->cap_row, cap);
    if (rc == CHORUS_OK) {
        w->cap_row = cap;
        w->n_row_used = n;
    }
    return rc;
}

static int
bytes_reserve(uint8_t **buf, size_t *cap, size_t n)
{
    size_t c = *cap;
    uint8_t *p;

    if (n <= c)
        return CHORUS_OK;
    while (c < n)
        c = c ? c * 2 : 256;
    p = realloc(*buf, c);
    if (p == NULL)
        return CHORUS_NOMEM;
    *buf = p;
    *cap = c;
    return CHORUS_OK;
}

int
writer_buf_reserve(catalog_writer *w, size_t n)
{
    return bytes_reserve(&w->buf, &w->cap_buf, n);
}

int
writer_eval(catalog_writer *w, const catalog_table *t, const ast_expr *expr, const value *vals,
            int64_t rowid, value *out)
{
    char *msg = NULL;
    int rc;

    value_set_null(out);
    if (w->hooks.eval == NULL)
        return writer_fail(w, CHORUS_ERROR, "not supported yet: expressions in the schema of %s",
                           t->name);
    rc = w->hooks.eval(w->hooks.arg, t, expr, vals, rowid, out, &msg);
    if (rc != CHORUS_OK) {
        value_clear(out);
        return writer_fail_take(w, rc, msg);
    }
    free(msg);
    return CHORUS_OK;
}

/* Literal defaults need no hook (the common case of ALTER TABLE ADD COLUMN). */
static bool
literal_value(const ast_expr *e, value *out)
{
    bool neg = false;

    if (e->kind == EXPR_UNARY && (e->op == AST_OP_NEG || e->op == AST_OP_PLUS) && e->left) {
        neg = e->op == AST_OP_NEG;
        e = e->left;
    }
    switch (e->kind) {
    case EXPR_NULL:
        value_set_null(out);
        return !neg;
    case EXPR_INTEGER:
        value_set_int(out, neg ? (int64_t)(0 - (uint64_t)e->ival) : e->ival);
        return !(neg && e->ival == INT64_MIN);
    case EXPR_FLOAT:
        value_set_real(out, neg ? -e->rval : e->rval);
        return true;
    case EXPR_STRING:
        value_set_text_ref(out, e->str, e->str_len);
        return !neg;
    case EXPR_BLOB:
        value_set_blob_ref(out, e->str, e->str_len);
        return !neg;
    default:
        return false;
    }
}

int
writer_default(catalog_writer *w, const catalog_table *t, int col, value *out)
{
    const ast_expr *e = t->cols[col].default_expr;

    value_set_null(out);
    if (e == NULL || literal_value(e, out))
        return CHORUS_OK;
    return writer_eval(w, t, e, NULL, 0, out);
}

/* Lays out one record field per table column (rule WR3). */
static int
row_fields(catalog_writer *w, const catalog_table *t, int64_t rowid, const record_cursor *rec,
           value *vals)
{
    for (int i = 0; i < t->n_cols; i++) {
        const catalog_column *col = &t->cols[i];
        value_clear(&vals[i]);
        if (i == t->rowid_alias)
            value_set_int(&vals[i], rowid);
        else if (col->stored_index < 0)
            value_set_null(&vals[i]);
        else if (col->stored_index < rec->n_cols)
            record_cursor_column(rec, col->stored_index, &vals[i]);
        else {
            int rc = writer_default(w, t, i, &vals[i]);
            if (rc != CHORUS_OK)
                return rc;
        }
    }
    return CHORUS_OK;
}

int
writer_row_load(catalog_writer *w, const catalog_table *t, store_cursor *cur, int64_t rowid,
                int slot, value *vals)
{
    const uint8_t *data;
    uint32_t nbytes;
    int rc = store_payload(cur, &data, &nbytes);

    if (rc == CHORUS_OK)
        rc = bytes_reserve(&w->rowbuf[slot], &w->cap_rowbuf[slot], nbytes ? nbytes : 1);
    if (rc != CHORUS_OK)
        return rc;
    memcpy(w->rowbuf[slot], data, nbytes);
    rc = record_cursor_parse(&w->rec[slot], w->rowbuf[slot], nbytes);
    if (rc == CHORUS_OK)
        rc = row_fields(w, t, rowid, &w->rec[slot], vals);
    return rc;
}

int
writer_row_read(catalog_writer *w, const catalog_table *t, int64_t rowid, int slot,
                value *vals, bool *found_out)
{
    store_cursor *cur;
    bool eof, exact = false;
    int rc;

    *found_out = false;
    rc = writer_cursor(w, t->root, NULL, &cur);
    if (rc == CHORUS_OK)
        rc = store_seek_rowid(cur, rowid, BTREE_SEEK_GE, &eof, &exact);
    if (rc != CHORUS_OK || eof || !exact)
        return rc;
    rc = writer_row_load(w, t, cur, rowid, slot, vals);
    *found_out = rc == CHORUS_OK;
    return rc;
}

int
writer_row_seek_key(catalog_writer *w, const catalog_table *t, const value *key_row,
                    store_cursor **cur_out, bool *found_out)
{
    const catalog_index *pk = catalog_table_pk_index(t);
    value probe[KEY_INFO_MAX];
    const uint8_t *data;
    uint32_t nbytes;
    bool eof;
    int cmp_rc, rc = writer_cursor(w, t->root, &pk->ki, cur_out);

    *found_out = false;
    for (int k = 0; k < t->n_pk; k++) {
        probe[k] = key_row[t->pk_cols[k]];
        probe[k].flags = VALUE_BORROWED;
    }
    if (rc == CHORUS_OK)
        rc = store_seek_key(*cur_out, probe, t->n_pk, BTREE_SEEK_GE, &eof);
    if (rc != CHORUS_OK || eof)
        return rc;
    rc = store_payload(*cur_out, &data, &nbytes);
    if (rc == CHORUS_OK)
        *found_out = record_compare_probe(&pk->ki, data, nbytes, probe, t->n_pk, &cmp_rc) == 0;
    return rc != CHORUS_OK ? rc : cmp_rc;
}

int
writer_row_read_key(catalog_writer *w, const catalog_table *t, const value *key_row, int slot,
                    value *vals, bool *found_out)
{
    store_cursor *cur;
    int rc = writer_row_seek_key(w, t, key_row, &cur, found_out);

    if (rc == CHORUS_OK && *found_out)
        rc = writer_row_load(w, t, cur, 0, slot, vals);
    *found_out = *found_out && rc == CHORUS_OK;
    return rc;
}

int
writer_row_encode(catalog_writer *w, const catalog_table *t, const value *vals,
                  size_t *nbytes_out)
{
    const catalog_index *pk = catalog_table_pk_index(t);
    int n = 0, rc;
    size_t nbytes;

    for (int k = 0; pk != NULL && k < pk->n_cols; k++, n++)
        w->enc[k] = vals[pk->cols[k].column];   /* WR5: the PK's fields first, repeats kept */
    for (int i = 0; i < t->n_cols; i++) {
        int16_t k = t->cols[i].stored_index;
        if (k < 0 || (pk != NULL && t->cols[i].is_pk))
            continue;
        if (i == t->rowid_alias)
            value_set_null(&w->enc[k]);
        else
            w->enc[k] = vals[i];
        n++;
    }
    nbytes = record_size(w->enc, n);
    rc = writer_buf_reserve(w, nbytes);
    if (rc != CHORUS_OK)
        return rc;
    *nbytes_out = record_encode(w->enc, n, w->buf);
    return CHORUS_OK;
}
