/*
 * tests/c-api/test_blob.c: incremental blob I/O (c-api/blob.c BB1-BB2,
 * core/vm/blob.c BL1-BL4): reads and writes in pieces, the size rule,
 * read-only handles, reopen, expiry when the row changes (SQLITE_ABORT),
 * text values, WAL and MVCC files, and the open errors with sqlite3's
 * messages (expected texts from sqlite3 3.40.1 through Python's sqlite3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static const char schema_sql[] =
    "CREATE TABLE t(a BLOB, b, c UNIQUE, d INTEGER PRIMARY KEY, e AS (b || 'x'));"
    "INSERT INTO t VALUES (x'00010203040506070809', 'hello', 3, 1);"
    "INSERT INTO t VALUES (x'ffff', 'ab', 4, 2);"
    "INSERT INTO t VALUES (1, 2.5, 5, 3);"
    "CREATE INDEX t_b ON t(b);"
    "CREATE VIEW v AS SELECT * FROM t;"
    "CREATE TABLE w(k PRIMARY KEY, x) WITHOUT ROWID;"
    "CREATE TABLE p(x INTEGER PRIMARY KEY);"
    "CREATE TABLE ch(y REFERENCES p(x), z);"
    "INSERT INTO ch VALUES (x'01', x'02');"
    "CREATE TABLE u(s TEXT);"
    "INSERT INTO u VALUES ('hello world');";

static int
setup(void **state)
{
    return capi_fixture_setup(state, schema_sql);
}

static chorus_conn *
conn_of(void **state)
{
    return ((capi_fixture *)*state)->conn;
}

static void
test_blob_reads_in_pieces(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;
    unsigned char buf[16];

    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 1, 0, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_bytes(blob), 10);
    assert_int_equal(chorus_blob_read(blob, buf, 4, 3), CHORUS_OK);
    assert_memory_equal(buf, "\x03\x04\x05\x06", 4);
    assert_int_equal(chorus_blob_read(blob, buf, 10, 0), CHORUS_OK);
    assert_memory_equal(buf, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 10);
    assert_int_equal(chorus_blob_read(blob, buf, 0, 10), CHORUS_OK);
    /* outside the value: SQLITE_ERROR */
    assert_int_equal(chorus_blob_read(blob, buf, 2, 9), CHORUS_ERROR);
    assert_int_equal(chorus_blob_read(blob, buf, -1, 0), CHORUS_ERROR);
    assert_int_equal(chorus_blob_read(blob, buf, 1, -1), CHORUS_ERROR);
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
    assert_int_equal(chorus_blob_close(NULL), CHORUS_OK);
}

static void
test_blob_writes_in_place(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;

    assert_int_equal(chorus_blob_open(conn, NULL, "t", "a", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "\xaa\xbb", 2, 8), CHORUS_OK);
    capi_assert_query(conn, "SELECT hex(a) FROM t WHERE rowid = 1", "0001020304050607AABB");
    /* still usable after its own write, and the size never changes */
    assert_int_equal(chorus_blob_write(blob, "\xcc", 1, 0), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "\xcc\xcc", 2, 9), CHORUS_ERROR);
    assert_int_equal(chorus_blob_bytes(blob), 10);
    capi_assert_query(conn, "SELECT hex(a) FROM t WHERE rowid = 1", "CC01020304050607AABB");
    capi_assert_query(conn, "SELECT typeof(a) FROM t WHERE rowid = 1", "blob");
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
}

static void
test_blob_text_stays_text(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;
    char buf[8] = {0};

    assert_int_equal(chorus_blob_open(conn, "main", "u", "s", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_bytes(blob), 11);
    assert_int_equal(chorus_blob_write(blob, "W", 1, 6), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 5, 6), CHORUS_OK);
    assert_string_equal(buf, "World");
    capi_assert_query(conn, "SELECT typeof(s) || ':' || s FROM u", "text:hello World");
    chorus_blob_close(blob);
}

static void
test_readonly_blob_refuses_writes(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;

    /* an indexed column opens for reading */
    assert_int_equal(chorus_blob_open(conn, "main", "t", "b", 1, 0, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "x", 1, 0), CHORUS_READONLY);
    assert_string_equal(chorus_errmsg(conn), "attempt to write a readonly database");
    chorus_blob_close(blob);
}

static void
test_reopen_moves_to_another_row(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;
    unsigned char buf[2];

    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 1, 0, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_reopen(blob, 2), CHORUS_OK);
    assert_int_equal(chorus_blob_bytes(blob), 2);
    assert_int_equal(chorus_blob_read(blob, buf, 2, 0), CHORUS_OK);
    assert_memory_equal(buf, "\xff\xff", 2);
    /* row 3 holds an integer: the handle is unusable afterwards */
    assert_int_equal(chorus_blob_reopen(blob, 3), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "cannot open value of type integer");
    assert_int_equal(chorus_blob_read(blob, buf, 1, 0), CHORUS_ABORT);
    assert_int_equal(chorus_blob_reopen(blob, 1), CHORUS_ABORT);
    chorus_blob_close(blob);

    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 1, 0, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_reopen(blob, 99), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "no such rowid: 99");
    chorus_blob_close(blob);
}

static void
test_row_change_expires_the_handle(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;
    unsigned char buf[4];

    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 1, 1, &blob), CHORUS_OK);
    /* a write elsewhere leaves it alone */
    assert_int_equal(chorus_exec(conn, "UPDATE t SET c = 40 WHERE rowid = 2"), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 4, 0), CHORUS_OK);
    /* another column of its row changes: expired */
    assert_int_equal(chorus_exec(conn, "UPDATE t SET c = 30 WHERE rowid = 1"), CHORUS_OK);
    assert_int_equal(chorus_blob_bytes(blob), 10);
    assert_int_equal(chorus_blob_read(blob, buf, 4, 0), CHORUS_ABORT);
    assert_int_equal(chorus_errcode(conn), CHORUS_ABORT);
    assert_string_equal(chorus_errmsg(conn), "query aborted");
    assert_int_equal(chorus_blob_bytes(blob), 0);
    assert_int_equal(chorus_blob_write(blob, buf, 1, 0), CHORUS_ABORT);
    chorus_blob_close(blob);

    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "DELETE FROM t WHERE rowid = 1"), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, buf, 1, 0), CHORUS_ABORT);
    chorus_blob_close(blob);
}

static void
test_rollback_with_a_blob_open(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;
    unsigned char buf[2];

    /* a rollback that leaves the row as it was: the handle goes on */
    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 2, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 2, 0), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "ROLLBACK"), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 2, 0), CHORUS_OK);
    /* one that undoes the handle's own write: expired */
    assert_int_equal(chorus_exec(conn, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "\x01", 1, 0), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "ROLLBACK"), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 2, 0), CHORUS_ABORT);
    chorus_blob_close(blob);
    capi_assert_query(conn, "SELECT hex(a) FROM t WHERE rowid = 2", "FFFF");
}

/* chorus_blob_open's error and its message on conn; *out stays NULL. */
static void
assert_open_fails(chorus_conn *conn, const char *db, const char *table, const char *column,
                  int64_t rowid, int flags, const char *msg)
{
    chorus_blob *blob = (chorus_blob *)1;

    assert_int_equal(chorus_blob_open(conn, db, table, column, rowid, flags, &blob),
                     CHORUS_ERROR);
    assert_null(blob);
    assert_string_equal(chorus_errmsg(conn), msg);
}

static void
test_open_errors_match_sqlite(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;

    assert_open_fails(conn, "main", "t", "a", 9, 0, "no such rowid: 9");
    assert_open_fails(conn, "main", "t", "b", 1, 1, "cannot open indexed column for writing");
    assert_open_fails(conn, "main", "t", "c", 1, 1, "cannot open indexed column for writing");
    assert_open_fails(conn, "main", "t", "c", 1, 0, "cannot open value of type integer");
    assert_open_fails(conn, "main", "t", "b", 3, 0, "cannot open value of type real");
    assert_open_fails(conn, "main", "t", "d", 1, 0, "cannot open value of type null");
    assert_open_fails(conn, "main", "t", "e", 1, 0, "cannot open value of type null");
    assert_open_fails(conn, "main", "t", "zz", 1, 0, "no such column: \"zz\"");
    assert_open_fails(conn, "main", "tt", "a", 1, 0, "no such table: main.tt");
    assert_open_fails(conn, "foo", "t", "a", 1, 0, "no such table: foo.t");
    assert_open_fails(conn, "main", "v", "a", 1, 0, "cannot open view: v");
    assert_open_fails(conn, "main", "w", "x", 1, 0, "cannot open table without rowid: w");
    /* foreign key columns only with foreign_keys on */
    assert_int_equal(chorus_blob_open(conn, "main", "ch", "y", 1, 1, &blob), CHORUS_OK);
    chorus_blob_close(blob);
    assert_int_equal(chorus_exec(conn, "PRAGMA foreign_keys = ON"), CHORUS_OK);
    assert_open_fails(conn, "main", "ch", "y", 1, 1, "cannot open foreign key column for writing");
    assert_int_equal(chorus_blob_open(conn, "main", "ch", "z", 1, 1, &blob), CHORUS_OK);
    chorus_blob_close(blob);
    /* misuse */
    assert_int_equal(chorus_blob_open(NULL, "main", "t", "a", 1, 0, &blob), CHORUS_MISUSE);
    assert_int_equal(chorus_blob_open(conn, "main", NULL, "a", 1, 0, &blob), CHORUS_MISUSE);
    assert_int_equal(chorus_blob_open(conn, "main", "t", "a", 1, 0, NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_blob_read(NULL, NULL, 0, 0), CHORUS_MISUSE);
    assert_int_equal(chorus_blob_bytes(NULL), 0);
}

static void
test_temp_and_attached_tables(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_blob *blob;
    unsigned char buf[3];

    assert_int_equal(chorus_exec(conn, "CREATE TEMP TABLE tt(x); INSERT INTO tt VALUES (x'616263');"
                                       "ATTACH ':memory:' AS aux;"
                                       "CREATE TABLE aux.at(x); INSERT INTO aux.at VALUES ('xyz')"),
                     CHORUS_OK);
    assert_int_equal(chorus_blob_open(conn, "temp", "tt", "x", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "B", 1, 1), CHORUS_OK);
    chorus_blob_close(blob);
    capi_assert_query(conn, "SELECT CAST(x AS TEXT) FROM tt", "aBc");
    assert_int_equal(chorus_blob_open(conn, "aux", "at", "x", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 3, 0), CHORUS_OK);
    assert_memory_equal(buf, "xyz", 3);
    assert_int_equal(chorus_blob_write(blob, "Z", 1, 2), CHORUS_OK);
    chorus_blob_close(blob);
    capi_assert_query(conn, "SELECT x FROM aux.at", "xyZ");
}

static void
test_disconnect_closes_open_blobs(void **state)
{
    capi_fixture *f = *state;
    chorus_blob *blob;

    assert_int_equal(chorus_blob_open(f->conn, "main", "t", "a", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_disconnect(f->conn), CHORUS_OK);
    assert_int_equal(chorus_blob_bytes(blob), 0);
    assert_int_equal(chorus_blob_close(blob), CHORUS_MISUSE);
    assert_int_equal(chorus_connect(f->db, &f->conn), CHORUS_OK);
}

/* A file database in journal_mode jmode, two connections: an open handle
 * reads its snapshot (BL1); writes are seen by others once committed. */
static void
blob_on_file(const char *jmode)
{
    char dir[] = "/tmp/chorus-blob-XXXXXX", path[96], sql[64];
    chorus_db *db;
    chorus_conn *c1, *c2;
    chorus_blob *blob;
    unsigned char buf[4];

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/b.db", dir);
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = '%s'", jmode);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &c1), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &c2), CHORUS_OK);
    assert_int_equal(chorus_exec(c1, sql), CHORUS_OK);
    assert_int_equal(chorus_exec(c1, "CREATE TABLE t(x); INSERT INTO t VALUES (zeroblob(4))"),
                     CHORUS_OK);
    /* a commit of another connection is not seen by the open handle */
    assert_int_equal(chorus_blob_open(c1, "main", "t", "x", 1, 0, &blob), CHORUS_OK);
    assert_int_equal(chorus_exec(c2, "UPDATE t SET x = x'05060708'"), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 4, 0), CHORUS_OK);
    assert_memory_equal(buf, "\x00\x00\x00\x00", 4);
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
    /* autocommit writes */
    assert_int_equal(chorus_blob_open(c1, "main", "t", "x", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "\x01\x02", 2, 1), CHORUS_OK);
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
    capi_assert_query(c2, "SELECT hex(x) FROM t", "05010208");
    /* inside a transaction: seen by others at COMMIT */
    assert_int_equal(chorus_exec(c1, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_blob_open(c1, "main", "t", "x", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_write(blob, "\x09", 1, 0), CHORUS_OK);
    capi_assert_query(c1, "SELECT hex(x) FROM t", "09010208");
    capi_assert_query(c2, "SELECT hex(x) FROM t", "05010208");
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
    assert_int_equal(chorus_exec(c1, "COMMIT"), CHORUS_OK);
    capi_assert_query(c2, "SELECT hex(x) FROM t", "09010208");
    chorus_disconnect(c1);
    chorus_disconnect(c2);
    chorus_close(db);
    snprintf(sql, sizeof sql, "rm -rf '%s'", dir);
    assert_int_equal(system(sql), 0);
}

static void
test_blob_on_a_wal_file(void **state)
{
    (void)state;
    blob_on_file("wal");
}

static void
test_blob_on_an_mvcc_file(void **state)
{
    (void)state;
    blob_on_file("mvcc");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_blob_reads_in_pieces),
        T(test_blob_writes_in_place),
        T(test_blob_text_stays_text),
        T(test_readonly_blob_refuses_writes),
        T(test_reopen_moves_to_another_row),
        T(test_row_change_expires_the_handle),
        T(test_rollback_with_a_blob_open),
        T(test_open_errors_match_sqlite),
        T(test_temp_and_attached_tables),
        T(test_disconnect_closes_open_blobs),
        T(test_blob_on_a_wal_file),
        T(test_blob_on_an_mvcc_file),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
