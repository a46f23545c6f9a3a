/*
 * core/catalog/row_write.c: INSERT, UPDATE and DELETE of one row of a
 * rowid table with its index entries (catalog.h rule W1). WITHOUT ROWID
 * tables take the steps shared here (1, 3, 5's index entries) and their own
 * key checks in without_rowid.c.
 *
 * The steps of a row write, in SQLite's order:
 *   1. copy the values and apply column affinity (writer row buffer);
 *   2. the rowid: from the rowid alias, the caller, or allocated;
 *   3. NOT NULL, per column;
 *   4. uniqueness of the rowid, then of each UNIQUE index (RW4), first for
 *      every constraint whose action is not REPLACE (so an IGNORE or ABORT
 *      never follows a deletion), then REPLACE deletes the rows in the way;
 *   5. the table record, then each index entry (on UPDATE only the entries
 *      whose key changed);
 *   6. AUTOINCREMENT: the writer notes the largest rowid a row was given
 *      (inserted or not, as SQLite: an ignored row, an upsert's DO NOTHING
 *      or DO UPDATE count too); it goes to sqlite_sequence once, when the
 *      statement ends (writer_seq_flush).
 * catalog_row_replace_victims runs steps 1-4 without writing: REPLACE
 * then notes the rows in its way instead of deleting them, so that the
 * engine can delete them with their triggers and foreign keys first.
 *
 * Invariants
 *   RW1 Constraint failures leave the b-trees as they were unless the
 *       action is REPLACE (whose deletions the caller's statement savepoint
 *       undoes if the statement fails later: rule W3).
 *   RW2 w->row, w->old and w->tmp are reused across rows; w->row's values
 *       are cleared at the start of the next write.
 *   RW3 An INSERT whose rowid conflict cannot be REPLACE, into a table
 *       without UNIQUE indexes, checks its explicit rowid in the seek of the
 *       table write (store_insert_new) instead of a seek of its own: no other
 *       check can fail first, and a taken rowid writes nothing (RW1).
 *   RW4 Indexes are checked newest first, as SQLite keeps a table's
 *       index list (each new index goes to its front): a row that breaks
 *       two constraints reports the newer one, and REPLACE deletes the
 *       newer one's row first.
 * Callers: the engine through catalog.h; create.c (CREATE TABLE AS rows go
 * through catalog_row_insert too).
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

enum { RANDOM_ROWID_TRIES = 100 };

typedef struct row_op {
    const catalog_table *t;
    int conflict;                   /* statement's OR action */
    bool has_old;                   /* UPDATE: old_rowid names the row being changed */
    int64_t old_rowid;
    int64_t rowid;                  /* the row's (new) rowid */
    bool rowid_explicit;            /* not allocated: may conflict */
    bool rowid_deferred;            /* its rowid check is the table write's seek (RW3) */
    catalog_row_result *out;
    /* catalog_row_replace_victims: REPLACE notes the rows in the way here
     * instead of deleting them (at most one per constraint) */
    bool collect;
    int64_t *victims;
    int n_victims;
} row_op;

/* --- step 1: values -------------------------------------------------------- */

/* A STRICT table's value after affinity: NULL, or of the column's type (an
 * ANY column takes anything), as SQLite checks it. */
static int
row_strict_check(catalog_writer *w, const catalog_table *t, int i)
{
    static const char *const value_types[] = {
        [VALUE_INTEGER] = "INT", [VALUE_REAL] = "REAL", [VALUE_TEXT] = "TEXT", [VALUE_BLOB] = "BLOB"};
    const catalog_column *col = &t->cols[i];
    int type = w->row[i].type;
    bool ok;

    switch (col->strict_type) {
    case CATALOG_STRICT_INT:
    case CATALOG_STRICT_INTEGER:
        ok = type == VALUE_INTEGER;
        break;
    case CATALOG_STRICT_REAL:
        ok = type == VALUE_REAL;
        break;
    case CATALOG_STRICT_TEXT:
        ok = type == VALUE_TEXT;
        break;
    case CATALOG_STRICT_BLOB:
        ok = type == VALUE_BLOB;
        break;
    default:
        ok = true;
        break;
    }
    if (ok || type == VALUE_NULL)
        return CHORUS_OK;
    return writer_fail(w, CHORUS_CONSTRAINT_DATATYPE, "cannot store %s value in %s column %s.%s",
                       value_types[type], catalog_strict_type_name(col->strict_type), t->name,
                       col->name);
}

int
row_prepare(catalog_writer *w, const catalog_table *t, const value *vals)
{
    int rc = writer_row_reserve(w, t->n_cols);

    for (int i = 0; rc == CHORUS_OK && i < t->n_cols; i++) {
        value_clear(&w->row[i]);
        w->row[i] = vals[i];
        w->row[i].flags = VALUE_BORROWED;   /* the caller's bytes, read only */
        rc = value_apply_affinity(&w->row[i], t->cols[i].affinity);
        if (rc == CHORUS_OK && t->is_strict && i != t->rowid_alias)
            rc = row_strict_check(w, t, i);
    }
    return rc;
}

/* --- step 2: rowid --------------------------------------------------------- */

static int
rowid_from_value(catalog_writer *w, const value *v, int64_t *out)
{
    value tmp = *v;

    tmp.flags = VALUE_BORROWED;
    if (tmp.type != VALUE_INTEGER && value_apply_affinity(&tmp, AFFINITY_INTEGER) != CHORUS_OK)
        return CHORUS_NOMEM;
    if (tmp.type != VALUE_INTEGER) {
        value_clear(&tmp);
        return writer_fail(w, CHORUS_MISMATCH, "datatype mismatch");
    }
    *out = tmp.u.i;
    return CHORUS_OK;
}

static uint64_t
random_next(catalog_writer *w)
{
    uint64_t x = w->rand_state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    w->rand_state = x;
    return x;
}

static int
seq_load(catalog_writer *w, const catalog_table *t, int64_t *seq_out);

/* Max rowid + 1; a random free rowid after INT64_MAX; AUTOINCREMENT above
 * every rowid sqlite_sequence remembers. */
static int
rowid_allocate(catalog_writer *w, const catalog_table *t, int64_t *out)
{
    store_cursor *cur;
    int64_t max = 0;
    bool eof, exact;
    int rc = writer_cursor(w, t->root, NULL, &cur);

    if (rc == CHORUS_OK && store_cursor_is_mvcc(cur) && !t->autoincrement) {
        rc = store_rowid_next(cur, out);        /* mvcc R10: appenders never collide */
        return rc == CHORUS_FULL ? writer_fail(w, rc, "database or disk is full") : rc;
    }
    if (rc == CHORUS_OK)
        rc = store_last(cur, &eof);
    if (rc == CHORUS_OK && !eof)
        rc = store_rowid(cur, &max);
    if (rc == CHORUS_OK && t->autoincrement) {
        int64_t seq;
        rc = seq_load(w, t, &seq);
        if (rc == CHORUS_OK && seq > max)
            max = seq;
        if (rc == CHORUS_OK && max == INT64_MAX)
            return writer_fail(w, CHORUS_FULL, "database or disk is full");
    }
    if (rc != CHORUS_OK)
        return rc;
    if (max < INT64_MAX) {
        *out = max + 1;
        return CHORUS_OK;
    }
    for (int i = 0; i < RANDOM_ROWID_TRIES; i++) {
        int64_t r = (int64_t)(random_next(w) >> 1);
        if (r == 0)
            continue;
        rc = store_seek_rowid(cur, r, BTREE_SEEK_GE, &eof, &exact);
        if (rc != CHORUS_OK)
            return rc;
        if (eof || !exact) {
            *out = r;
            return CHORUS_OK;
        }
    }
    return writer_fail(w, CHORUS_FULL, "database or disk is full");
}

static int seq_store(catalog_writer *w, const catalog_table *t, int64_t rowid);

/* An AUTOINCREMENT table's sqlite_sequence follows every rowid a row was
 * given, inserted or not (an upsert's DO NOTHING or DO UPDATE, an ignored
 * row), as SQLite's counter does. */
int
catalog_row_new_rowid(catalog_writer *w, const catalog_table *t, int64_t *out)
{
    int rc = rowid_allocate(w, t, out);

    if (rc == CHORUS_OK && t->autoincrement)
        rc = seq_store(w, t, *out);
    return rc;
}

int
catalog_row_rowid_used(catalog_writer *w, const catalog_table *t, int64_t rowid)
{
    return t->autoincrement ? seq_store(w, t, rowid) : CHORUS_OK;
}

/* The rowid of the new row image in w->row (rowid_val: the caller's). */
static int
row_rowid(catalog_writer *w, row_op *op, const value *rowid_val)
{
    const catalog_table *t = op->t;
    const value *v = t->rowid_alias >= 0 ? &w->row[t->rowid_alias] : rowid_val;
    int rc;

    op->rowid_explicit = true;
    if (v == NULL && op->has_old) {
        op->rowid = op->old_rowid;
        return CHORUS_OK;
    }
    if (v == NULL || v->type == VALUE_NULL) {
        if (op->has_old)
            return writer_fail(w, CHORUS_MISMATCH, "datatype mismatch");
        op->rowid_explicit = false;
        if (op->collect) {          /* nothing is written: allocate nothing */
            op->rowid = INT64_MIN;
            return CHORUS_OK;
        }
        rc = rowid_allocate(w, t, &op->rowid);
    } else {
        rc = rowid_from_value(w, v, &op->rowid);
    }
    if (rc == CHORUS_OK && t->rowid_alias >= 0) {
        value_clear(&w->row[t->rowid_alias]);
        value_set_int(&w->row[t->rowid_alias], op->rowid);
    }
    return rc;
}

/* --- step 3: NOT NULL ---------------------------------------------------------- */

void
row_fail_action(catalog_writer *w, int action)
{
    w->conflict = action == AST_CONFLICT_FAIL || action == AST_CONFLICT_ROLLBACK
                      ? action : AST_CONFLICT_ABORT;
}

int
row_not_null(catalog_writer *w, const catalog_table *t, int conflict, catalog_row_result *out)
{
    for (int i = 0; i < t->n_cols; i++) {
        const catalog_column *col = &t->cols[i];
        int action, rc;
        if (!col->not_null || w->row[i].type != VALUE_NULL || i == t->rowid_alias)
            continue;
        action = constraint_action(conflict, col->not_null_conflict);
        if (action == AST_CONFLICT_REPLACE && col->default_expr != NULL) {
            rc = writer_default(w, t, i, &w->row[i]);
            if (rc == CHORUS_OK)
                rc = value_apply_affinity(&w->row[i], col->affinity);
            if (rc != CHORUS_OK)
                return rc;
            if (w->row[i].type != VALUE_NULL)
                continue;
        }
        if (action == AST_CONFLICT_IGNORE) {
            out->ignored = true;
            return CHORUS_OK;
        }
        row_fail_action(w, action);
        return writer_fail(w, CHORUS_CONSTRAINT_NOTNULL, "NOT NULL constraint failed: %s.%s",
                           t->name, col->name);
    }
    return CHORUS_OK;
}

/* --- step 4: uniqueness ----------------------------------------------------------- */

int
row_delete_known(catalog_writer *w, const catalog_table *t, int64_t rowid, const value *vals)
{
    store_cursor *cur;
    bool eof, exact;
    int rc = CHORUS_OK;

    if (t->without_rowid)
        return row_delete_known_key(w, t, vals);
    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        bool skip, has_null;
        rc = constraint_index_key(w, idx, vals, rowid, w->key2, &skip, &has_null);
        if (rc != CHORUS_OK)
            break;
        if (!skip)
            rc = constraint_index_delete(w, idx, w->key2);
        constraint_key_clear(idx, w->key2);
    }
    if (rc == CHORUS_OK)
        rc = writer_cursor(w, t->root, NULL, &cur);
    if (rc == CHORUS_OK)
        rc = store_seek_rowid(cur, rowid, BTREE_SEEK_GE, &eof, &exact);
    if (rc == CHORUS_OK && !eof && exact)
        rc = store_delete(cur);
    return rc;
}

/* REPLACE: removes row rowid, which stands in the new row's way (or notes
 * it, once, when collecting). */
static int
row_replace_other(catalog_writer *w, row_op *op, int64_t rowid)
{
    bool found;
    int rc;

    if (op->collect) {
        for (int i = 0; i < op->n_victims; i++)
            if (op->victims[i] == rowid)
                return CHORUS_OK;
        op->victims[op->n_victims++] = rowid;
        return CHORUS_OK;
    }
    rc = writer_row_read(w, op->t, rowid, 1, w->tmp, &found);

    if (rc != CHORUS_OK || !found)
        return rc;
    rc = row_delete_known(w, op->t, rowid, w->tmp);
    if (rc == CHORUS_OK)
        op->out->n_replaced++;
    return rc;
}

static int
rowid_fail(catalog_writer *w, const catalog_table *t)
{
    if (t->rowid_alias >= 0)
        return writer_fail(w, CHORUS_CONSTRAINT_PRIMARYKEY, "UNIQUE constraint failed: %s.%s",
                           t->name, t->cols[t->rowid_alias].name);
    return writer_fail(w, CHORUS_CONSTRAINT_ROWID, "UNIQUE constraint failed: %s.rowid", t->name);
}

/* The conflict action of the rowid: the statement's OR, else the INTEGER
 * PRIMARY KEY's ON CONFLICT. */
static int
rowid_action(const row_op *op)
{
    return constraint_action(op->conflict, op->t->rowid_alias >= 0 ? op->t->pk_conflict : 0);
}

/* The new row's rowid is taken and its action is not REPLACE. */
static int
rowid_taken(catalog_writer *w, const row_op *op, int action)
{
    if (action == AST_CONFLICT_IGNORE) {
        op->out->ignored = true;
        return CHORUS_OK;
    }
    row_fail_action(w, action);
    return rowid_fail(w, op->t);
}

static bool
has_unique_index(const catalog_table *t)
{
    for (int i = 0; i < t->n_indexes; i++)
        if (t->indexes[i]->unique)
            return true;
    return false;
}

/* Rowid conflict: pass 0 checks non-REPLACE actions, pass 1 replaces. */
static int
rowid_unique(catalog_writer *w, row_op *op, int pass)
{
    const catalog_table *t = op->t;
    int action = rowid_action(op);
    store_cursor *cur;
    bool eof, exact;
    int rc;

    if (!op->rowid_explicit || (op->has_old && op->rowid == op->old_rowid))
        return CHORUS_OK;
    if ((pass == 1) != (action == AST_CONFLICT_REPLACE))
        return CHORUS_OK;
    if (action != AST_CONFLICT_REPLACE && !op->has_old && !op->collect && !has_unique_index(t)) {
        op->rowid_deferred = true;          /* RW3 */
        return CHORUS_OK;
    }
    rc = writer_cursor(w, t->root, NULL, &cur);
    if (rc == CHORUS_OK)
        rc = store_seek_rowid(cur, op->rowid, BTREE_SEEK_GE, &eof, &exact);
    if (rc != CHORUS_OK || eof || !exact)
        return rc;
    if (action == AST_CONFLICT_REPLACE)
        return row_replace_other(w, op, op->rowid);
    return rowid_taken(w, op, action);
}

static int
index_unique(catalog_writer *w, row_op *op, const catalog_index *idx, int pass)
{
    int action = constraint_action(op->conflict, idx->on_conflict);
    int64_t self = op->has_old ? op->old_rowid : op->rowid;
    bool skip, has_null, found = true;
    int64_t other;
    int rc;

    if (!idx->unique || (pass == 1) != (action == AST_CONFLICT_REPLACE))
        return CHORUS_OK;
    rc = constraint_index_key(w, idx, w->row, op->rowid, w->key, &skip, &has_null);
    if (rc != CHORUS_OK)
        return rc;
    while (rc == CHORUS_OK && found && !skip && !has_null) {
        rc = constraint_unique_probe(w, idx, w->key, self, &found, &other);
        if (rc != CHORUS_OK || !found)
            break;
        if (action == AST_CONFLICT_REPLACE) {
            rc = row_replace_other(w, op, other);
            if (op->collect)
                break;          /* the row stays: the probe would find it again */
        } else if (action == AST_CONFLICT_IGNORE) {
            op->out->ignored = true;
            break;
        } else {
            row_fail_action(w, action);
            rc = constraint_unique_fail(w, idx);
        }
    }
    constraint_key_clear(idx, w->key);
    return rc;
}

static int
row_unique(catalog_writer *w, row_op *op)
{
    int rc = CHORUS_OK;

    for (int pass = 0; pass < 2 && rc == CHORUS_OK && !op->out->ignored; pass++) {
        rc = rowid_unique(w, op, pass);
        for (int i = op->t->n_indexes - 1; rc == CHORUS_OK && !op->out->ignored && i >= 0; i--)
            rc = index_unique(w, op, op->t->indexes[i], pass);      /* RW4 */
    }
    return rc;
}

/* --- step 6: AUTOINCREMENT ---------------------------------------------------------- */

/* Reads t's row of sqlite_sequence into *e (absent: row 0, seq 0). */
static int
seq_read(catalog_writer *w, const catalog_table *seq_t, writer_seq *e)
{
    store_cursor *cur;
    record_cursor *rec = &w->rec[1];
    size_t name_len = strlen(e->t->name);
    bool eof;
    int rc = writer_cursor(w, seq_t->root, NULL, &cur);

    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        value name, seq;
        rc = store_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(rec, data, nbytes);
        if (rc != CHORUS_OK)
            break;
        record_cursor_column(rec, 0, &name);
        record_cursor_column(rec, 1, &seq);
        if (name.type == VALUE_TEXT && (size_t)name.n == name_len &&
            memcmp(name.u.z, e->t->name, name_len) == 0) {
            e->seq = seq.type == VALUE_INTEGER ? seq.u.i : 0;
            return store_rowid(cur, &e->row);
        }
        rc = store_next(cur, &eof);
    }
    return rc;
}

/* The statement's counter of t, read from sqlite_sequence on first use. */
static int
seq_entry(catalog_writer *w, const catalog_table *t, writer_seq **out)
{
    const catalog_table *seq_t;
    writer_seq *e;
    int rc;

    *out = NULL;
    for (int i = 0; i < w->n_seqs; i++)
        if (w->seqs[i].t == t) {
            *out = &w->seqs[i];
            return CHORUS_OK;
        }
    if (w->n_seqs == w->cap_seqs) {
        int cap = w->cap_seqs ? w->cap_seqs * 2 : 4;
        writer_seq *s = realloc(w->seqs, (size_t)cap * sizeof *s);
        if (s == NULL)
            return CHORUS_NOMEM;
        w->seqs = s;
        w->cap_seqs = cap;
    }
    e = &w->seqs[w->n_seqs];
    *e = (writer_seq){t, 0, 0, false};
    seq_t = catalog_table_find(w->cat, "sqlite_sequence");
    rc = seq_t != NULL ? seq_read(w, seq_t, e) : CHORUS_OK;
    if (rc != CHORUS_OK)
        return rc;
    w->n_seqs++;
    *out = e;
    return CHORUS_OK;
}

static int
seq_load(catalog_writer *w, const catalog_table *t, int64_t *seq_out)
{
    writer_seq *e;
    int rc = seq_entry(w, t, &e);

    *seq_out = rc == CHORUS_OK ? e->seq : 0;
    return rc;
}

/* Notes that t used rowid; sqlite_sequence follows at writer_seq_flush. */
static int
seq_store(catalog_writer *w, const catalog_table *t, int64_t rowid)
{
    writer_seq *e;
    int rc = seq_entry(w, t, &e);

    if (rc == CHORUS_OK && rowid > e->seq) {
        e->seq = rowid;
        e->dirty = true;
    }
    return rc;
}

static int
seq_write(catalog_writer *w, store_cursor *cur, writer_seq *e)
{
    value rec[2];
    size_t nbytes;
    int rc = CHORUS_OK;

    if (e->row == 0) {
        bool eof;
        int64_t max = 0;
        rc = store_last(cur, &eof);
        if (rc == CHORUS_OK && !eof)
            rc = store_rowid(cur, &max);
        e->row = max + 1;
    }
    value_set_text_ref(&rec[0], e->t->name, (int32_t)strlen(e->t->name));
    value_set_int(&rec[1], e->seq);
    nbytes = record_size(rec, 2);
    if (rc == CHORUS_OK)
        rc = writer_buf_reserve(w, nbytes);
    if (rc != CHORUS_OK)
        return rc;
    nbytes = record_encode(rec, 2, w->buf);
    rc = store_insert(cur, e->row, w->buf, (uint32_t)nbytes);
    if (rc == CHORUS_OK)
        e->dirty = false;
    return rc;
}

int
writer_seq_flush(catalog_writer *w)
{
    const catalog_table *seq_t = NULL;
    store_cursor *cur = NULL;
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < w->n_seqs; i++) {
        if (!w->seqs[i].dirty)
            continue;
        if (cur == NULL) {
            seq_t = catalog_table_find(w->cat, "sqlite_sequence");
            if (seq_t == NULL)
                break;
            rc = writer_cursor(w, seq_t->root, NULL, &cur);
            if (rc != CHORUS_OK)
                break;
        }
        rc = seq_write(w, cur, &w->seqs[i]);
    }
    if (rc == CHORUS_OK)
        w->n_seqs = 0;
    return rc;
}

/* --- step 5 and the entry points ----------------------------------------------------- */

/* Writes the table record of w->row at rowid; a deferred rowid check
 * (RW3) happens here, and a taken rowid writes nothing. */
static int
table_write(catalog_writer *w, const row_op *op)
{
    store_cursor *cur;
    size_t nbytes;
    bool taken = false;
    int rc = writer_row_encode(w, op->t, w->row, &nbytes);

    if (rc == CHORUS_OK)
        rc = writer_cursor(w, op->t->root, NULL, &cur);
    if (rc == CHORUS_OK && op->rowid_deferred)
        rc = store_insert_new(cur, op->rowid, w->buf, (uint32_t)nbytes, &taken);
    else if (rc == CHORUS_OK)
        rc = store_insert(cur, op->rowid, w->buf, (uint32_t)nbytes);
    if (rc == CHORUS_OK && taken)
        rc = rowid_taken(w, op, rowid_action(op));
    return rc;
}

int
row_indexes_insert(catalog_writer *w, const catalog_table *t, int64_t rowid)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        bool skip, has_null;
        if (catalog_index_is_table(idx))
            continue;                       /* the table write (without_rowid.c) */
        rc = constraint_index_key(w, idx, w->row, rowid, w->key, &skip, &has_null);
        if (rc != CHORUS_OK)
            break;
        if (!skip)
            rc = constraint_index_insert(w, idx, w->key);
        constraint_key_clear(idx, w->key);
    }
    return rc;
}

int
row_write_check(catalog_writer *w, const catalog_table *t)
{
    free(w->errmsg);
    w->errmsg = NULL;
    w->conflict = AST_CONFLICT_ABORT;
    if (t->root == 1 || catalog_name_eq(t->name, "sqlite_schema"))
        return writer_fail(w, CHORUS_ERROR, "table sqlite_master may not be modified");
    return CHORUS_OK;
}

/* The rowid entry points on a WITHOUT ROWID table: the engine names its
 * rows by key (catalog.h). */
static int
rowid_only(catalog_writer *w, const catalog_table *t)
{
    return writer_fail(w, CHORUS_MISUSE, "table %s has no rowid", t->name);
}

int
catalog_row_insert(catalog_writer *w, const catalog_table *t, const value *vals,
                   const value *rowid, int conflict, catalog_row_result *out)
{
    row_op op = {.t = t, .conflict = conflict, .out = out};
    int rc;

    memset(out, 0, sizeof *out);
    rc = row_write_check(w, t);
    if (rc == CHORUS_OK && t->without_rowid)
        return rowid != NULL ? rowid_only(w, t) : row_insert_key(w, t, vals, conflict, out);
    if (rc == CHORUS_OK)
        rc = row_prepare(w, t, vals);
    if (rc == CHORUS_OK)
        rc = row_rowid(w, &op, rowid);          /* a mismatch fails before NOT NULL */
    if (rc == CHORUS_OK && t->autoincrement)
        rc = seq_store(w, t, op.rowid);         /* inserted or not: catalog_row_new_rowid */
    if (rc == CHORUS_OK)
        rc = row_not_null(w, t, conflict, out);
    if (rc == CHORUS_OK && !out->ignored)
        rc = row_unique(w, &op);
    if (rc != CHORUS_OK || out->ignored)
        return rc;
    rc = table_write(w, &op);
    if (rc != CHORUS_OK || out->ignored)
        return rc;
    rc = row_indexes_insert(w, t, op.rowid);
    out->rowid = op.rowid;
    return rc;
}

int
catalog_row_delete(catalog_writer *w, const catalog_table *t, int64_t rowid)
{
    bool found;
    int rc = row_write_check(w, t);

    if (rc == CHORUS_OK && t->without_rowid)
        return rowid_only(w, t);
    if (rc == CHORUS_OK)
        rc = writer_row_reserve(w, t->n_cols);
    if (rc == CHORUS_OK)
        rc = writer_row_read(w, t, rowid, 0, w->old, &found);
    if (rc != CHORUS_OK || !found)
        return rc;
    return row_delete_known(w, t, rowid, w->old);
}

/* UPDATE step 5: each index entry whose key changed moves (w->old to
 * w->row). */
int
row_indexes_update(catalog_writer *w, const catalog_table *t, int64_t old_rowid, int64_t rowid)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        bool skip_old, skip_new, has_null;
        if (catalog_index_is_table(idx))
            continue;                       /* the table write (without_rowid.c) */
        rc = constraint_index_key(w, idx, w->old, old_rowid, w->key2, &skip_old, &has_null);
        if (rc != CHORUS_OK)
            break;
        rc = constraint_index_key(w, idx, w->row, rowid, w->key, &skip_new, &has_null);
        if (rc == CHORUS_OK && !(skip_old == skip_new &&
                                 (skip_old || constraint_key_same(idx, w->key2, w->key)))) {
            if (!skip_old)
                rc = constraint_index_delete(w, idx, w->key2);
            if (rc == CHORUS_OK && !skip_new)
                rc = constraint_index_insert(w, idx, w->key);
        }
        constraint_key_clear(idx, w->key2);
        constraint_key_clear(idx, w->key);
    }
    return rc;
}

static int
table_move(catalog_writer *w, const row_op *op)
{
    store_cursor *cur;
    bool eof, exact;
    int rc;

    if (op->rowid != op->old_rowid) {
        rc = writer_cursor(w, op->t->root, NULL, &cur);
        if (rc == CHORUS_OK)
            rc = store_seek_rowid(cur, op->old_rowid, BTREE_SEEK_GE, &eof, &exact);
        if (rc == CHORUS_OK && !eof && exact)
            rc = store_delete(cur);
        if (rc != CHORUS_OK)
            return rc;
    }
    return table_write(w, op);
}

int
catalog_row_update(catalog_writer *w, const catalog_table *t, int64_t old_rowid,
                   const value *vals, const value *new_rowid, int conflict,
                   catalog_row_result *out)
{
    row_op op = {.t = t, .conflict = conflict, .has_old = true, .old_rowid = old_rowid,
                 .rowid = old_rowid, .rowid_explicit = true, .out = out};
    bool found;
    int rc;

    memset(out, 0, sizeof *out);
    out->rowid = old_rowid;
    rc = row_write_check(w, t);
    if (rc == CHORUS_OK && t->without_rowid)
        return rowid_only(w, t);
    if (rc == CHORUS_OK)
        rc = writer_row_reserve(w, t->n_cols);
    if (rc == CHORUS_OK)
        rc = writer_row_read(w, t, old_rowid, 0, w->old, &found);
    if (rc == CHORUS_OK && !found)
        out->ignored = true;    /* gone (a REPLACE removed it): nothing written */
    if (rc != CHORUS_OK || !found)
        return rc;
    rc = row_prepare(w, t, vals);
    if (rc == CHORUS_OK)
        rc = row_rowid(w, &op, new_rowid);      /* a mismatch fails before NOT NULL */
    if (rc == CHORUS_OK)
        rc = row_not_null(w, t, conflict, out);
    if (rc == CHORUS_OK && !out->ignored)
        rc = row_unique(w, &op);
    if (rc != CHORUS_OK || out->ignored)
        return rc;
    rc = row_indexes_update(w, t, op.old_rowid, op.rowid);
    if (rc == CHORUS_OK)
        rc = table_move(w, &op);
    if (rc == CHORUS_OK && t->autoincrement)
        rc = seq_store(w, t, op.rowid);
    out->rowid = op.rowid;
    return rc;
}

int
catalog_row_replace_victims(catalog_writer *w, const catalog_table *t, const value *vals,
                            const value *rowid, const int64_t *old_rowid, int conflict,
                            int64_t *victims, int *n_out, bool *ignored_out)
{
    catalog_row_result res;
    row_op op = {.t = t, .conflict = conflict, .has_old = old_rowid != NULL,
                 .old_rowid = old_rowid != NULL ? *old_rowid : 0,
                 .rowid = old_rowid != NULL ? *old_rowid : 0, .rowid_explicit = old_rowid != NULL,
                 .out = &res, .collect = true, .victims = victims};
    int rc;

    memset(&res, 0, sizeof res);
    *n_out = 0;
    *ignored_out = false;
    rc = row_write_check(w, t);
    if (rc != CHORUS_OK || t->without_rowid)
        return rc;                          /* its REPLACE deletes in the writer (catalog.h) */
    rc = writer_row_reserve(w, t->n_cols);
    if (rc == CHORUS_OK)
        rc = row_prepare(w, t, vals);
    if (rc == CHORUS_OK)
        rc = row_rowid(w, &op, rowid);          /* a mismatch fails before NOT NULL */
    if (rc == CHORUS_OK)
        rc = row_not_null(w, t, conflict, &res);
    if (rc == CHORUS_OK && !res.ignored)
        rc = row_unique(w, &op);
    *n_out = op.n_victims;
    *ignored_out = res.ignored;
    return rc;
}

int
catalog_row_read(catalog_writer *w, const catalog_table *t, int64_t rowid,
                 const value **row_out, bool *found_out)
{
    int rc = writer_row_reserve(w, t->n_cols);

    *row_out = w->tmp;
    *found_out = false;
    if (rc == CHORUS_OK && !t->without_rowid)
        rc = writer_row_read(w, t, rowid, 1, w->tmp, found_out);
    return rc;
}

const value *
catalog_writer_row(const catalog_writer *w)
{
    return w->row;
}
