/*
 * tests/core/btree/test_interop.c: files written by the btree are sound for
 * sqlite3 (PRAGMA integrity_check = 'ok', same content), and files written
 * by sqlite3 read back through the btree with the same content, pass our
 * integrity check and stay sound for sqlite3 after we change them. sqlite3
 * is the oracle here only.
 */
#include "btree_fixture.h"

#include <sqlite3.h>

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

/* --- helpers ---------------------------------------------------------------- */

static void
sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sqlite3: %s\n%s", err, sql);
}

static void
sql_expect_ok(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
        fail_msg("sqlite3 integrity_check: %s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static int64_t
sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("sqlite3: %s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Encodes vals and inserts them at rowid / into the index. */
static void
put_row(btree_cursor *cur, int64_t rowid, const value *vals, int n)
{
    uint8_t *rec;
    size_t len;

    assert_int_equal(record_build(vals, n, &rec, &len), CHORUS_OK);
    if (rowid >= 0)
        assert_int_equal(btree_insert(cur, rowid, rec, (uint32_t)len), CHORUS_OK);
    else
        assert_int_equal(btree_index_insert(cur, rec, (uint32_t)len), CHORUS_OK);
    free(rec);
}

static void
put_schema(btree_cursor *schema, int64_t rowid, const char *type, const char *name,
           const char *tbl, uint32_t root, const char *sql)
{
    value v[5];

    value_set_text_ref(&v[0], type, (int32_t)strlen(type));
    value_set_text_ref(&v[1], name, (int32_t)strlen(name));
    value_set_text_ref(&v[2], tbl, (int32_t)strlen(tbl));
    value_set_int(&v[3], root);
    value_set_text_ref(&v[4], sql, (int32_t)strlen(sql));
    put_row(schema, rowid, v, 5);
}

/* Blob contents for row r: size varies from empty to several pages. */
static uint32_t
row_blob(int64_t r, uint32_t page_size, uint8_t *buf)
{
    uint32_t size = r % 23 == 0 ? (uint32_t)(r * 131 % (3 * page_size)) : (uint32_t)(r * 7 % 90);

    fill_payload(buf, size, (uint64_t)r);
    return size;
}

/* Index record (b, rowid) of row r. */
static void
index_entry(int64_t r, uint32_t page_size, uint8_t *blob, value v[2])
{
    value_set_blob_ref(&v[0], blob, (int32_t)row_blob(r, page_size, blob));
    value_set_int(&v[1], r);
}

static void
write_database(uint32_t page_size)
{
    fixture f;
    btree_cursor *t, *ix, *schema;
    uint32_t troot, iroot;
    key_info ki = {.n_fields = 1};
    uint8_t *blob = malloc(3 * 65536);
    char sql[200];
    int n = page_size >= 65536 ? 1500 : 3000;

    fixture_open(&f, page_size);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &troot), CHORUS_OK);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &iroot), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, 1, NULL, true, &schema), CHORUS_OK);
    put_schema(schema, 1, "table", "t", "t", troot, "CREATE TABLE t(a INTEGER, b BLOB)");
    put_schema(schema, 2, "index", "i", "t", iroot, "CREATE INDEX i ON t(b)");
    btree_cursor_close(schema);
    assert_int_equal(btree_meta_set(f.tx, BTREE_META_SCHEMA_COOKIE, 1), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, troot, NULL, true, &t), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, iroot, &ki, true, &ix), CHORUS_OK);
    for (int64_t r = 1; r <= n; r++) {
        value v[2];
        int64_t rowid = (r * 7919) % n + 1;     /* every rowid once, shuffled */
        index_entry(rowid, page_size, blob, v);
        put_row(ix, -1, v, 2);
        value_set_int(&v[0], rowid * 3);
        value_set_blob_ref(&v[1], blob, (int32_t)row_blob(rowid, page_size, blob));
        put_row(t, rowid, v, 2);
    }
    /* Delete every third row and its index entry: pages go to the freelist. */
    for (int64_t rowid = 3; rowid <= n; rowid += 3) {
        value v[2];
        bool eof, exact;
        const uint8_t *data;
        uint32_t len;
        uint8_t *rec;
        size_t rlen;
        int rc;
        assert_int_equal(btree_seek_rowid(t, rowid, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
        assert_true(exact);
        assert_int_equal(btree_delete(t), CHORUS_OK);
        index_entry(rowid, page_size, blob, v);
        assert_int_equal(btree_seek_key(ix, v, 2, BTREE_SEEK_GE, &eof), CHORUS_OK);
        assert_false(eof);
        assert_int_equal(btree_payload(ix, &data, &len), CHORUS_OK);
        assert_int_equal(record_build(v, 2, &rec, &rlen), CHORUS_OK);
        assert_int_equal(record_compare(&ki, data, len, rec, rlen, &rc), 0);
        free(rec);
        assert_int_equal(btree_delete(ix), CHORUS_OK);
    }
    btree_cursor_close(t);
    btree_cursor_close(ix);
    fixture_check(&f, (uint32_t[]){1, troot, iroot}, (const key_info *[]){NULL, NULL, &ki}, 3);
    fixture_close(&f);

    sql_expect_ok(f.path);
    assert_int_equal(sql_int(f.path, "SELECT count(*) FROM t"), n - n / 3);
    assert_int_equal(sql_int(f.path, "SELECT sum(a) FROM t WHERE a % 9 = 0"), 0);
    assert_int_equal(sql_int(f.path, "PRAGMA page_size"), page_size);
    assert_true(sql_int(f.path, "PRAGMA freelist_count") > 0);
    for (int64_t r = 1; r <= n; r += 97) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM t INDEXED BY i WHERE b = (SELECT b FROM t WHERE rowid = %lld)",
                 (long long)r);
        assert_int_equal(sql_int(f.path, sql), r % 3 == 0 ? 0 : 1);
        snprintf(sql, sizeof sql, "SELECT length(b) FROM t WHERE rowid = %lld", (long long)r);
        if (r % 3 != 0)
            assert_int_equal(sql_int(f.path, sql), row_blob(r, page_size, blob));
    }
    free(blob);
}

static void
test_sqlite3_accepts_our_database_4k(void **state)
{
    write_database(4096);
}

static void
test_sqlite3_accepts_our_database_512(void **state)
{
    write_database(512);
}

static void
test_sqlite3_accepts_our_database_64k(void **state)
{
    write_database(65536);
}

static void
test_schema_on_page_one_splits_and_collapses_soundly(void **state)
{
    fixture f;
    btree_cursor *schema;
    uint32_t roots[400];
    char name[32], sql[200];
    bool eof, exact;

    fixture_open(&f, 1024);
    assert_int_equal(btree_cursor_open(f.tx, 1, NULL, true, &schema), CHORUS_OK);
    for (int i = 0; i < 400; i++) {
        assert_int_equal(btree_create(f.tx, BTREE_TABLE, &roots[i]), CHORUS_OK);
        snprintf(name, sizeof name, "table_number_%d", i);
        snprintf(sql, sizeof sql, "CREATE TABLE %s(a, b, c, padding_to_make_rows_longer)", name);
        put_schema(schema, i + 1, "table", name, name, roots[i], sql);
    }
    btree_cursor_close(schema);
    assert_int_equal(btree_meta_set(f.tx, BTREE_META_SCHEMA_COOKIE, 1), CHORUS_OK);
    fixture_close(&f);
    sql_expect_ok(f.path);
    assert_int_equal(sql_int(f.path, "SELECT count(*) FROM sqlite_schema"), 400);

    /* Drop all tables but three: page 1 takes back what its children held. */
    fixture_open_path(&f, f.path, 0);
    assert_int_equal(btree_cursor_open(f.tx, 1, NULL, true, &schema), CHORUS_OK);
    for (int i = 0; i < 400; i++) {
        if (i % 150 == 0)
            continue;
        assert_int_equal(btree_seek_rowid(schema, i + 1, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
        assert_true(exact);
        assert_int_equal(btree_delete(schema), CHORUS_OK);
        assert_int_equal(btree_drop(f.tx, roots[i]), CHORUS_OK);
    }
    btree_cursor_close(schema);
    assert_int_equal(btree_meta_set(f.tx, BTREE_META_SCHEMA_COOKIE, 2), CHORUS_OK);
    fixture_check(&f, (uint32_t[]){1, roots[0], roots[150], roots[300]}, NULL, 4);
    fixture_close(&f);
    sql_expect_ok(f.path);
    assert_int_equal(sql_int(f.path, "SELECT count(*) FROM sqlite_schema"), 3);
    /* The dropped roots and the schema pages merged away are all free. */
    assert_true(sql_int(f.path, "PRAGMA freelist_count") > 397);
    assert_int_equal(sql_int(f.path, "PRAGMA freelist_count") + 4,
                     sql_int(f.path, "PRAGMA page_count"));
}

/* --- the other way ---------------------------------------------------------- */

static void
sqlite_make(const char *path, uint32_t page_size)
{
    sqlite3 *db;
    char sql[128];

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof sql, "PRAGMA page_size = %u", page_size);
    sql_exec(db, sql);
    sql_exec(db,
             "CREATE TABLE t(a INTEGER, b TEXT, c BLOB);"
             "CREATE INDEX ib ON t(b);"
             "CREATE INDEX ic ON t(c DESC, a);"
             "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)"
             " INSERT INTO t SELECT x, hex(randomblob(x % 40)) || x,"
             " randomblob(CASE WHEN x % 29 = 0 THEN 2000 + x * 7 % 140000 ELSE x % 120 END) FROM n;"
             "INSERT INTO t VALUES (NULL, NULL, NULL), (2.5, 'x', NULL), (-7, '', x'');"
             "DELETE FROM t WHERE a % 7 = 0;");
    sqlite3_close(db);
}

/* Compares every entry of the tree at root with the rows of query, whose
 * columns are the record's columns (plus the rowid first for tables). */
static void
compare_tree(fixture *f, sqlite3 *db, uint32_t root, const key_info *ki, const char *query,
             int64_t min_rows)
{
    btree_cursor *cur;
    sqlite3_stmt *st;
    bool eof;
    record_cursor rc;
    int64_t n = 0;

    record_cursor_init(&rc);
    assert_int_equal(sqlite3_prepare_v2(db, query, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(btree_cursor_open(f->tx, root, ki, false, &cur), CHORUS_OK);
    for (btree_first(cur, &eof); !eof; btree_next(cur, &eof), n++) {
        const uint8_t *data;
        uint32_t len;
        int col = 0;
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        if (ki == NULL) {
            int64_t rowid;
            assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
            assert_int_equal(rowid, sqlite3_column_int64(st, 0));
            col = 1;
        }
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        assert_int_equal(record_cursor_parse(&rc, data, len), CHORUS_OK);
        for (int i = 0; i < rc.n_cols; i++, col++) {
            value v;
            record_cursor_column(&rc, i, &v);
            assert_int_equal(v.type, sqlite3_column_type(st, col));
            if (v.type == VALUE_INTEGER)
                assert_int_equal(v.u.i, sqlite3_column_int64(st, col));
            else if (v.type == VALUE_REAL)
                assert_true(v.u.r == sqlite3_column_double(st, col));
            else if (v.type == VALUE_TEXT || v.type == VALUE_BLOB) {
                assert_int_equal(v.n, sqlite3_column_bytes(st, col));
                if (v.n > 0)
                    assert_memory_equal(v.u.z, sqlite3_column_blob(st, col), (size_t)v.n);
            }
        }
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_true(n >= min_rows);
    sqlite3_finalize(st);
    btree_cursor_close(cur);
    record_cursor_free(&rc);
}

static uint32_t
root_of(const char *path, const char *name)
{
    char sql[128];

    snprintf(sql, sizeof sql, "SELECT rootpage FROM sqlite_schema WHERE name = '%s'", name);
    return (uint32_t)sql_int(path, sql);
}

static void
read_sqlite_database(uint32_t page_size)
{
    fixture f;
    char path[512], copy[512], cmd[1200];
    sqlite3 *db;
    key_info kib = {.n_fields = 1}, kic = {.n_fields = 2, .desc = {1, 0}};
    uint32_t rt, rb, rcx;
    btree_cursor *t, *ib, *ic;
    bool eof;
    int64_t deleted = 0;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "sqlite.db");
    sqlite_make(path, page_size);
    rt = root_of(path, "t");
    rb = root_of(path, "ib");
    rcx = root_of(path, "ic");
    /* The oracle reads a copy: our pager locks the original. */
    test_path(copy, sizeof copy, "oracle.db");
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, copy);
    assert_int_equal(system(cmd), 0);
    fixture_open_path(&f, path, 0);
    assert_int_equal(sqlite3_open_v2(copy, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    compare_tree(&f, db, 1, NULL, "SELECT rowid, * FROM sqlite_schema ORDER BY rowid", 3);
    compare_tree(&f, db, rt, NULL, "SELECT rowid, a, b, c FROM t ORDER BY rowid", 3000);
    compare_tree(&f, db, rb, &kib, "SELECT b, rowid FROM t ORDER BY b, rowid", 3000);
    compare_tree(&f, db, rcx, &kic, "SELECT c, a, rowid FROM t ORDER BY c DESC, a, rowid", 3000);
    sqlite3_close(db);
    fixture_check(&f, (uint32_t[]){1, rt, rb, rcx},
                  (const key_info *[]){NULL, NULL, &kib, &kic}, 4);

    /* Change the sqlite3 file: delete every fifth row with its index entries. */
    assert_int_equal(btree_cursor_open(f.tx, rt, NULL, true, &t), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, rb, &kib, true, &ib), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, rcx, &kic, true, &ic), CHORUS_OK);
    for (btree_first(t, &eof); !eof; btree_next(t, &eof)) {
        int64_t rowid;
        const uint8_t *data;
        uint32_t len;
        record_cursor rc;
        value key[3];
        bool ieof;
        assert_int_equal(btree_rowid(t, &rowid), CHORUS_OK);
        if (rowid % 5 != 0)
            continue;
        assert_int_equal(btree_payload(t, &data, &len), CHORUS_OK);
        uint8_t *row = malloc(len);
        memcpy(row, data, len);
        record_cursor_init(&rc);
        assert_int_equal(record_cursor_parse(&rc, row, len), CHORUS_OK);
        record_cursor_column(&rc, 1, &key[0]);
        value_set_int(&key[1], rowid);
        assert_int_equal(btree_seek_key(ib, key, 2, BTREE_SEEK_GE, &ieof), CHORUS_OK);
        assert_false(ieof);
        assert_int_equal(btree_delete(ib), CHORUS_OK);
        record_cursor_column(&rc, 2, &key[0]);
        record_cursor_column(&rc, 0, &key[1]);
        value_set_int(&key[2], rowid);
        assert_int_equal(btree_seek_key(ic, key, 3, BTREE_SEEK_GE, &ieof), CHORUS_OK);
        assert_false(ieof);
        assert_int_equal(btree_delete(ic), CHORUS_OK);
        record_cursor_free(&rc);
        free(row);
        assert_int_equal(btree_delete(t), CHORUS_OK);
        deleted++;
    }
    btree_cursor_close(t);
    btree_cursor_close(ib);
    btree_cursor_close(ic);
    fixture_check(&f, (uint32_t[]){1, rt, rb, rcx},
                  (const key_info *[]){NULL, NULL, &kib, &kic}, 4);
    fixture_close(&f);
    sql_expect_ok(path);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM t WHERE rowid % 5 = 0"), 0);
    assert_true(deleted > 500);
}

static void
test_btree_reads_and_changes_sqlite3_database_512(void **state)
{
    read_sqlite_database(512);
}

static void
test_btree_reads_and_changes_sqlite3_database_65536(void **state)
{
    read_sqlite_database(65536);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sqlite3_accepts_our_database_4k, teardown),
        cmocka_unit_test_teardown(test_sqlite3_accepts_our_database_512, teardown),
        cmocka_unit_test_teardown(test_sqlite3_accepts_our_database_64k, teardown),
        cmocka_unit_test_teardown(test_schema_on_page_one_splits_and_collapses_soundly, teardown),
        cmocka_unit_test_teardown(test_btree_reads_and_changes_sqlite3_database_512, teardown),
        cmocka_unit_test_teardown(test_btree_reads_and_changes_sqlite3_database_65536, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
