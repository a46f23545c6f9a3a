/*
 * core/vm/blob.c: incremental blob I/O (sqlite3_blob_* semantics): one text
 * or blob value of one row, read and written in pieces by byte offset.
 *
 * A handle keeps two statements of its connection: `row` (SELECT the value
 * and the row's other columns WHERE rowid = ?1, by a name of the rowid
 * that no column takes: BL5) and, when opened for writing, `update`
 * (UPDATE the column WHERE rowid = ?2). It reads from its
 * own copy of the value, so a piece costs a memcpy, and writes by running
 * `update` with the whole value patched (its size never changes).
 *
 * Rules
 *   BL1 Outside BEGIN ... COMMIT, `row` stays running (stepped to its row)
 *       between calls, so the connection's read snapshot stays open as the
 *       statement of a sqlite3 blob keeps it: commits of other connections
 *       are not seen (WAL and MVCC mode alike). Inside a transaction, whose
 *       snapshot stays open anyway, each call resets it again, so that
 *       ROLLBACK (refused while statements run) works with a blob open; the
 *       ROLLBACK or COMMIT bumps write_gen, and BL2 checks the row after it.
 *   BL2 Expiry. Each run of a statement of the connection that may write
 *       bumps conn->write_gen (stmt.c M9). When it moved since the handle
 *       last saw its row, the next read or write runs `row` again and
 *       compares: a row gone, or any column changed (the value, or the hash
 *       of the others), expires the handle: that call and every later read,
 *       write or reopen fail with CHORUS_ABORT ("query aborted") and
 *       vm_blob_bytes is 0, as sqlite3 after SQLITE_ABORT. An UPDATE that
 *       writes the values the row already holds does not expire it
 *       (sqlite3's does).
 *   BL3 A write is an UPDATE of that row in the connection's transaction
 *       (autocommit: committed at once), so it checks constraints and fires
 *       the table's UPDATE triggers, which sqlite3's blob writes do not. A
 *       failed write expires the handle (its copy may be ahead of the row).
 *   BL4 Open checks what sqlite3_blob_open checks, with its messages: the
 *       table ("no such table: db.t", views, WITHOUT ROWID), the column
 *       (no such column: "c"), for writing no index on the column nor an
 *       expression index on the table, and with foreign_keys on no foreign
 *       key through it; the row ("no such rowid: N"); and that the stored
 *       value is text or a blob ("cannot open value of type integer"; the
 *       INTEGER PRIMARY KEY and VIRTUAL generated columns read as null).
 *   BL5 The statements name the row by a name of the rowid that no column
 *       takes (the INTEGER PRIMARY KEY, else rowid, _rowid_ or oid), so a
 *       column called rowid does not stand in for it. A table whose
 *       columns take all three and that has no INTEGER PRIMARY KEY cannot
 *       be opened (sqlite3 can: it does not go through SQL).
 * Callers: c-api/blob.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

struct vm_blob {
    vm_conn *conn;
    vm_stmt *row;           /* owned; running while the handle is usable (BL1) */
    vm_stmt *update;        /* owned; NULL when read-only */
    int64_t rowid;
    bool stored_null;       /* the column reads as null in the record (BL4) */
    uint8_t type;           /* VALUE_TEXT or VALUE_BLOB */
    char *bytes;            /* owned copy of the value */
    int n;
    uint64_t others_hash;   /* of the row's other columns (BL2) */
    uint64_t gen;           /* conn->write_gen when the row was last seen */
    bool expired;
};

/* --- finding the column --------------------------------------------------- */

/* The catalog of database db_name as prepared statement probe sees it (main,
 * temp or an attached one), or NULL when the connection has none of the name. */
static const catalog *
schema_catalog(const vm_stmt *probe, const char *db_name)
{
    const vm_conn *conn = probe->conn;
    int slot;

    if (strcasecmp(db_name, "main") == 0)
        return probe->cat;
    if (strcasecmp(db_name, "temp") == 0)
        return conn->schemas[0] != NULL ? vm_temp_catalog(conn) : NULL;
    slot = vm_schema_find(conn, db_name);
    return slot > 0 ? probe->schema_cats[slot] : NULL;
}

/* Whether column col of t takes part in a foreign key, as child or parent. */
static bool
column_in_fkey(const catalog *cat, const catalog_table *t, int col)
{
    for (int k = 0; k < t->n_fkeys; k++)
        for (int j = 0; j < t->fkeys[k].n_cols; j++)
            if (t->fkeys[k].from_cols[j] == col)
                return true;
    for (int i = 0; i < catalog_table_count(cat); i++) {
        const catalog_table *child = catalog_table_at(cat, i);
        for (int k = 0; k < child->n_fkeys; k++) {
            const catalog_fkey *fk = &child->fkeys[k];
            if (strcasecmp(fk->to_table, t->name) != 0)
                continue;
            if (fk->to_cols == NULL && t->cols[col].is_pk)
                return true;
            for (int j = 0; fk->to_cols != NULL && j < fk->n_cols; j++)
                if (strcasecmp(fk->to_cols[j], t->cols[col].name) == 0)
                    return true;
        }
    }
    return false;
}

/* Whether an index of t holds column col or an expression (which may read it). */
static bool
column_indexed(const catalog_table *t, int col)
{
    for (int i = 0; i < t->n_indexes; i++)
        for (int j = 0; j < t->indexes[i]->n_cols; j++) {
            int c = t->indexes[i]->cols[j].column;
            if (c == col || c == CATALOG_COLUMN_EXPR)
                return true;
        }
    return false;
}

/* BL4, the schema part: finds table and column in cat; the error on conn. */
static int
find_column(vm_conn *conn, const catalog *cat, const char *db_name, const char *table,
            const char *column, bool write, const catalog_table **t_out, int *col_out)
{
    const catalog_table *t = cat != NULL ? catalog_table_find(cat, table) : NULL;
    int col;

    if (t == NULL) {
        if (cat != NULL && catalog_view_find(cat, table) != NULL)
            vm_conn_set_error(conn, CHORUS_ERROR, "cannot open view: %s", table);
        else
            vm_conn_set_error(conn, CHORUS_ERROR, "no such table: %s.%s", db_name, table);
        return CHORUS_ERROR;
    }
    if (t->without_rowid) {
        vm_conn_set_error(conn, CHORUS_ERROR, "cannot open table without rowid: %s", t->name);
        return CHORUS_ERROR;
    }
    col = catalog_table_column_find(t, column);
    if (col < 0) {
        vm_conn_set_error(conn, CHORUS_ERROR, "no such column: \"%s\"", column);
        return CHORUS_ERROR;
    }
    if (write && conn->foreign_keys && column_in_fkey(cat, t, col)) {
        vm_conn_set_error(conn, CHORUS_ERROR, "cannot open foreign key column for writing");
        return CHORUS_ERROR;
    }
    if (write && column_indexed(t, col)) {
        vm_conn_set_error(conn, CHORUS_ERROR, "cannot open indexed column for writing");
        return CHORUS_ERROR;
    }
    *t_out = t;
    *col_out = col;
    return CHORUS_OK;
}

/* --- the statements ------------------------------------------------------- */

/* Prepares the SQL in sb (consumed) into *out; the error on conn. */
static int
prepare_text(vm_conn *conn, strbuf *sb, vm_stmt **out)
{
    char *sql = strbuf_finish(sb);
    int rc;

    if (sql == NULL) {
        vm_conn_set_error(conn, CHORUS_NOMEM, "out of memory");
        return CHORUS_NOMEM;
    }
    rc = vm_prepare(conn, sql, -1, out, NULL);
    free(sql);
    return rc;
}

/* BL5: a name of t's rowid that no column of t takes: its INTEGER PRIMARY
 * KEY, else the first free one of rowid, _rowid_ and oid. */
static const char *
rowid_name(const catalog_table *t)
{
    static const char *const names[] = {"rowid", "_rowid_", "oid"};

    if (t->rowid_alias >= 0)
        return t->cols[t->rowid_alias].name;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (catalog_table_column_find(t, names[i]) < 0)
            return names[i];
    return NULL;
}

/* The `row` and `update` statements of the handle (BL1, BL3). */
static int
prepare_statements(vm_blob *b, const char *db_name, const catalog_table *t, int col,
                   bool write)
{
    const char *rowid = rowid_name(t);
    strbuf sb;
    int rc;

    if (rowid == NULL) {
        vm_conn_set_error(b->conn, CHORUS_ERROR, "cannot open table with rowid, _rowid_ and oid "
                          "all taken by columns: %s", t->name);
        return CHORUS_ERROR;
    }

    strbuf_init(&sb);
    strbuf_puts(&sb, "SELECT ");
    strbuf_put_quoted(&sb, t->cols[col].name);
    for (int i = 0; i < t->n_cols; i++)
        if (i != col) {
            strbuf_puts(&sb, ", ");
            strbuf_put_quoted(&sb, t->cols[i].name);
        }
    strbuf_puts(&sb, " FROM ");
    strbuf_put_quoted(&sb, db_name);
    strbuf_putc(&sb, '.');
    strbuf_put_quoted(&sb, t->name);
    strbuf_puts(&sb, " WHERE ");
    strbuf_put_quoted(&sb, rowid);
    strbuf_puts(&sb, " = ?1");
    rc = prepare_text(b->conn, &sb, &b->row);
    if (rc != CHORUS_OK || !write)
        return rc;
    strbuf_init(&sb);
    strbuf_puts(&sb, "UPDATE ");
    strbuf_put_quoted(&sb, db_name);
    strbuf_putc(&sb, '.');
    strbuf_put_quoted(&sb, t->name);
    strbuf_puts(&sb, " SET ");
    strbuf_put_quoted(&sb, t->cols[col].name);
    strbuf_puts(&sb, " = ?1 WHERE ");
    strbuf_put_quoted(&sb, rowid);
    strbuf_puts(&sb, " = ?2");
    return prepare_text(b->conn, &sb, &b->update);
}

/* --- the row ------------------------------------------------------------- */

/* FNV-1a of the record of the row's columns after the first (BL2). */
static int
hash_others(vm_blob *b, uint64_t *out)
{
    int n = vm_column_count(b->row) - 1;
    value *vals = malloc((size_t)(n > 0 ? n : 1) * sizeof *vals);
    uint8_t *rec;
    size_t size;
    uint64_t h = 14695981039346656037ull;

    if (vals == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n; i++)
        vals[i] = *vm_column(b->row, i + 1);
    size = record_size(vals, n);
    rec = malloc(size);
    if (rec == NULL) {
        free(vals);
        return CHORUS_NOMEM;
    }
    record_encode(vals, n, rec);
    for (size_t i = 0; i < size; i++)
        h = (h ^ rec[i]) * 1099511628211ull;
    free(rec);
    free(vals);
    *out = h;
    return CHORUS_OK;
}

/* Runs `row` for b->rowid from the start: CHORUS_ROW with the row current,
 * CHORUS_DONE when there is none, or an error (on conn). */
static int
row_fetch(vm_blob *b)
{
    value key;

    vm_reset(b->row);
    value_set_int(&key, b->rowid);
    vm_bind(b->row, 1, &key);
    return vm_step(b->row);
}

/* BL1: lets go of the running `row` inside a transaction. */
static void
row_release(vm_blob *b)
{
    if (b->conn->explicit_tx)
        vm_reset(b->row);
}

/* Loads the value of the current row into b (BL4's type check). */
static int
row_load(vm_blob *b)
{
    const value *v = vm_column(b->row, 0);
    int type = b->stored_null ? VALUE_NULL : v->type;
    char *copy;
    int rc;

    if (type != VALUE_TEXT && type != VALUE_BLOB) {
        vm_conn_set_error(b->conn, CHORUS_ERROR, "cannot open value of type %s",
                          value_type_name(type));
        return CHORUS_ERROR;
    }
    copy = malloc(v->n > 0 ? (size_t)v->n : 1);
    if (copy == NULL || (rc = hash_others(b, &b->others_hash)) != CHORUS_OK) {
        free(copy);
        vm_conn_set_error(b->conn, CHORUS_NOMEM, "out of memory");
        return CHORUS_NOMEM;
    }
    if (v->n > 0)
        memcpy(copy, v->u.z, (size_t)v->n);
    free(b->bytes);
    b->bytes = copy;
    b->n = v->n;
    b->type = (uint8_t)type;
    b->gen = b->conn->write_gen;
    row_release(b);
    return CHORUS_OK;
}

/* Fetches and loads row b->rowid; "no such rowid: N" when it is missing. */
static int
row_open(vm_blob *b)
{
    int rc = row_fetch(b);

    if (rc == CHORUS_DONE) {
        vm_conn_set_error(b->conn, CHORUS_ERROR, "no such rowid: %" PRId64, b->rowid);
        return CHORUS_ERROR;
    }
    return rc == CHORUS_ROW ? row_load(b) : rc;
}

static int
expire(vm_blob *b)
{
    b->expired = true;
    vm_reset(b->row);
    vm_conn_set_error(b->conn, CHORUS_ABORT, "%s", chorus_errstr(CHORUS_ABORT));
    return CHORUS_ABORT;
}

/* BL2: CHORUS_OK when the row is as the handle last saw it, else expires. */
static int
row_check(vm_blob *b)
{
    const value *v;
    uint64_t h;

    if (b->expired)
        return expire(b);
    if (b->gen == b->conn->write_gen)
        return CHORUS_OK;
    if (row_fetch(b) != CHORUS_ROW)
        return expire(b);
    v = vm_column(b->row, 0);
    if ((!b->stored_null && v->type != b->type) || v->n != b->n ||
        (b->n > 0 && memcmp(v->u.z, b->bytes, (size_t)b->n) != 0) ||
        hash_others(b, &h) != CHORUS_OK || h != b->others_hash)
        return expire(b);
    b->gen = b->conn->write_gen;
    row_release(b);
    return CHORUS_OK;
}

/* sqlite3's range rule for a read or write of n bytes at offset. */
static int
range_check(vm_blob *b, int n, int offset)
{
    if (n < 0 || offset < 0 || (int64_t)offset + n > b->n) {
        vm_conn_set_error(b->conn, CHORUS_ERROR, "%s", chorus_errstr(CHORUS_ERROR));
        return CHORUS_ERROR;
    }
    return CHORUS_OK;
}

/* --- the surface ------------------------------------------------------------ */

int
vm_blob_open(vm_conn *conn, const char *db_name, const char *table, const char *column,
             int64_t rowid, bool write, vm_blob **out)
{
    vm_stmt *probe = NULL;
    const catalog_table *t = NULL;
    int col = -1;
    vm_blob *b;
    int rc;

    *out = NULL;
    if (db_name == NULL)
        db_name = "main";
    /* any statement compiles against the current catalogs (stmt.c) */
    rc = vm_prepare(conn, "SELECT 1", -1, &probe, NULL);
    if (rc == CHORUS_OK)
        rc = find_column(conn, schema_catalog(probe, db_name), db_name, table, column, write,
                         &t, &col);
    if (rc != CHORUS_OK) {
        vm_finalize(probe);
        return rc;
    }
    b = calloc(1, sizeof *b);
    if (b == NULL) {
        vm_finalize(probe);
        vm_conn_set_error(conn, CHORUS_NOMEM, "out of memory");
        return CHORUS_NOMEM;
    }
    b->conn = conn;
    b->rowid = rowid;
    b->stored_null = col == t->rowid_alias || t->cols[col].stored_index < 0;
    rc = prepare_statements(b, db_name, t, col, write);
    vm_finalize(probe);         /* t lives in the statements' catalogs from here */
    if (rc == CHORUS_OK)
        rc = row_open(b);
    if (rc != CHORUS_OK) {
        vm_blob_close(b);
        return rc;
    }
    vm_conn_clear_error(conn);
    *out = b;
    return CHORUS_OK;
}

int
vm_blob_bytes(const vm_blob *b)
{
    return b->expired ? 0 : b->n;
}

int
vm_blob_read(vm_blob *b, void *buf, int n, int offset)
{
    int rc = b->expired ? expire(b) : range_check(b, n, offset);

    if (rc == CHORUS_OK)
        rc = row_check(b);
    if (rc != CHORUS_OK)
        return rc;
    if (n > 0)
        memcpy(buf, b->bytes + offset, (size_t)n);
    vm_conn_clear_error(b->conn);
    return CHORUS_OK;
}

int
vm_blob_write(vm_blob *b, const void *buf, int n, int offset)
{
    value v, key;
    int rc;

    if (b->expired)
        return expire(b);
    if (b->update == NULL) {
        vm_conn_set_error(b->conn, CHORUS_READONLY, "%s", chorus_errstr(CHORUS_READONLY));
        return CHORUS_READONLY;
    }
    if ((rc = range_check(b, n, offset)) != CHORUS_OK || (rc = row_check(b)) != CHORUS_OK)
        return rc;
    if (n > 0)
        memcpy(b->bytes + offset, buf, (size_t)n);
    if (b->type == VALUE_TEXT)
        value_set_text_ref(&v, b->bytes, b->n);
    else
        value_set_blob_ref(&v, b->bytes, b->n);
    value_set_int(&key, b->rowid);
    vm_bind(b->update, 1, &v);
    vm_bind(b->update, 2, &key);
    rc = vm_step(b->update);
    vm_reset(b->update);
    if (rc != CHORUS_DONE) {            /* BL3; the error stays the update's */
        b->expired = true;
        vm_reset(b->row);
        return rc;
    }
    b->gen = b->conn->write_gen;
    row_release(b);
    vm_conn_clear_error(b->conn);
    return CHORUS_OK;
}

int
vm_blob_reopen(vm_blob *b, int64_t rowid)
{
    int rc;

    if (b->expired)
        return expire(b);
    b->rowid = rowid;
    rc = row_open(b);
    if (rc != CHORUS_OK) {
        b->expired = true;
        vm_reset(b->row);
        return rc;
    }
    vm_conn_clear_error(b->conn);
    return CHORUS_OK;
}

void
vm_blob_close(vm_blob *b)
{
    if (b == NULL)
        return;
    vm_finalize(b->row);
    vm_finalize(b->update);
    free(b->bytes);
    free(b);
}
