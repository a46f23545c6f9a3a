/*
 * core/catalog/constraint.c: index keys and UNIQUE / PRIMARY KEY checks.
 *
 * An index entry is a record of the index's key values followed by the
 * rowid, or by the PK suffix on a WITHOUT ROWID table (catalog.h). Two
 * rows conflict in a UNIQUE index when their key values are all
 * non-NULL and compare equal under the index's key_info (collations
 * included); NULLs are distinct, as SQLite.
 *
 * Invariants
 *   K1  A key's table-column values borrow from the row they were built
 *       from; expression values are owned by the key until
 *       constraint_key_clear.
 *   K2  The conflict action for a constraint is the statement's OR action
 *       when given, else the constraint's ON CONFLICT, else ABORT.
 * Callers: row_write.c, create.c (CREATE INDEX), integrity.c.
 */
#include <string.h>

#include "catalog_int.h"

/* Rule K2. */
int
constraint_action(int stmt_conflict, int own_conflict)
{
    if (stmt_conflict != AST_CONFLICT_DEFAULT)
        return stmt_conflict;
    if (own_conflict != AST_CONFLICT_DEFAULT)
        return own_conflict;
    return AST_CONFLICT_ABORT;
}

void
constraint_key_clear(const catalog_index *idx, value *key)
{
    for (int i = 0; i < idx->n_cols; i++)
        if (idx->cols[i].column == CATALOG_COLUMN_EXPR)
            value_clear(&key[i]);
}

static int
where_holds(catalog_writer *w, const catalog_index *idx, const value *vals, int64_t rowid,
            bool *holds_out)
{
    value v;
    int rc = writer_eval(w, idx->table, idx->where, vals, rowid, &v);

    *holds_out = rc == CHORUS_OK && value_truth(&v) == 1;
    value_clear(&v);
    return rc;
}

int
constraint_index_key(catalog_writer *w, const catalog_index *idx, const value *vals,
                     int64_t rowid, value *key, bool *skip_out, bool *has_null_out)
{
    int rc;

    *skip_out = false;
    *has_null_out = false;
    if (idx->where != NULL) {
        bool holds;
        rc = where_holds(w, idx, vals, rowid, &holds);
        if (rc != CHORUS_OK)
            return rc;
        if (!holds) {
            *skip_out = true;
            return CHORUS_OK;
        }
    }
    for (int i = 0; i < idx->n_cols; i++) {
        int16_t c = idx->cols[i].column;
        if (c >= 0) {
            key[i] = vals[c];
            key[i].flags = VALUE_BORROWED;      /* rule K1 */
        } else if (c == CATALOG_COLUMN_ROWID) {
            value_set_int(&key[i], rowid);
        } else {
            rc = writer_eval(w, idx->table, idx->cols[i].expr, vals, rowid, &key[i]);
            if (rc != CHORUS_OK) {
                for (int j = 0; j < i; j++)
                    if (idx->cols[j].column == CATALOG_COLUMN_EXPR)
                        value_clear(&key[j]);
                return rc;
            }
        }
        if (key[i].type == VALUE_NULL)
            *has_null_out = true;
    }
    for (int j = 0; j < idx->n_suffix; j++) {
        key[idx->n_cols + j] = vals[idx->suffix[j]];
        key[idx->n_cols + j].flags = VALUE_BORROWED;    /* rule K1 */
    }
    if (!idx->table->without_rowid)
        value_set_int(&key[idx->n_cols], rowid);
    return CHORUS_OK;
}

static bool
value_same(const value *a, const value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case VALUE_NULL:
        return true;
    case VALUE_INTEGER:
        return a->u.i == b->u.i;
    case VALUE_REAL:
        return memcmp(&a->u.r, &b->u.r, sizeof a->u.r) == 0;
    default:
        return a->n == b->n && (a->n == 0 || memcmp(a->u.z, b->u.z, (size_t)a->n) == 0);
    }
}

bool
constraint_key_same(const catalog_index *idx, const value *a, const value *b)
{
    for (int i = 0; i < catalog_index_entry_fields(idx); i++)
        if (!value_same(&a[i], &b[i]))
            return false;
    return true;
}

/* The rowid stored as the last field of the index entry under cur. */
static int
entry_rowid(store_cursor *cur, const catalog_index *idx, const uint8_t *data, uint32_t nbytes,
            int64_t *out)
{
    value v;
    int rc = record_column(data, nbytes, idx->n_cols, &v);

    if (rc != CHORUS_OK)
        return rc;
    if (v.type != VALUE_INTEGER)
        return CHORUS_CORRUPT_HERE();
    *out = v.u.i;
    return CHORUS_OK;
}

int
constraint_unique_probe(catalog_writer *w, const catalog_index *idx, const value *key,
                        int64_t rowid, bool *found_out, int64_t *other_out)
{
    store_cursor *cur;
    bool eof;
    int rc;

    *found_out = false;
    rc = writer_cursor(w, idx->root, &idx->ki, &cur);
    if (rc == CHORUS_OK)
        rc = store_seek_key(cur, key, idx->n_cols, BTREE_SEEK_GE, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        int64_t other = 0;
        int cmp_rc;
        rc = store_payload(cur, &data, &nbytes);
        if (rc != CHORUS_OK)
            break;
        if (record_compare_probe(&idx->ki, data, nbytes, key, idx->n_cols, &cmp_rc) != 0 ||
            cmp_rc != CHORUS_OK) {
            rc = cmp_rc;
            break;
        }
        rc = entry_rowid(cur, idx, data, nbytes, &other);
        if (rc == CHORUS_OK && other != rowid) {
            *found_out = true;
            *other_out = other;
            break;
        }
        if (rc == CHORUS_OK)
            rc = store_next(cur, &eof);
    }
    return rc;
}

int
constraint_unique_fail(catalog_writer *w, const catalog_index *idx)
{
    const catalog_table *t = idx->table;
    int code = idx->origin == CATALOG_INDEX_PK ? CHORUS_CONSTRAINT_PRIMARYKEY
                                               : CHORUS_CONSTRAINT_UNIQUE;
    strbuf sb;

    strbuf_init(&sb);
    strbuf_puts(&sb, "UNIQUE constraint failed: ");
    for (int i = 0; i < idx->n_cols; i++)
        if (idx->cols[i].column == CATALOG_COLUMN_EXPR) {
            strbuf_free(&sb);
            return writer_fail(w, code, "UNIQUE constraint failed: index '%s'", idx->name);
        }
    for (int i = 0; i < idx->n_cols; i++) {
        int16_t c = idx->cols[i].column;
        strbuf_printf(&sb, "%s%s.%s", i ? ", " : "", t->name, c >= 0 ? t->cols[c].name : "rowid");
    }
    return writer_fail_take(w, code, strbuf_finish(&sb));
}

int
constraint_index_insert(catalog_writer *w, const catalog_index *idx, const value *key)
{
    store_cursor *cur;
    size_t nbytes = record_size(key, catalog_index_entry_fields(idx));
    int rc = writer_buf_reserve(w, nbytes);

    if (rc == CHORUS_OK)
        rc = writer_cursor(w, idx->root, &idx->ki, &cur);
    if (rc != CHORUS_OK)
        return rc;
    nbytes = record_encode(key, catalog_index_entry_fields(idx), w->buf);
    return store_index_insert(cur, w->buf, (uint32_t)nbytes, idx->unique);
}

int
constraint_index_delete(catalog_writer *w, const catalog_index *idx, const value *key)
{
    store_cursor *cur;
    const uint8_t *data;
    uint32_t nbytes;
    bool eof;
    int cmp, cmp_rc;
    int rc = writer_cursor(w, idx->root, &idx->ki, &cur);

    if (rc == CHORUS_OK)
        rc = store_seek_key(cur, key, catalog_index_entry_fields(idx), BTREE_SEEK_GE, &eof);
    if (rc != CHORUS_OK || eof)
        return rc;
    rc = store_payload(cur, &data, &nbytes);
    if (rc != CHORUS_OK)
        return rc;
    cmp = record_compare_probe(&idx->ki, data, nbytes, key, catalog_index_entry_fields(idx),
                               &cmp_rc);
    if (cmp_rc != CHORUS_OK)
        return cmp_rc;
    return cmp == 0 ? store_delete(cur) : CHORUS_OK;
}
