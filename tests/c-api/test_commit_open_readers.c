/*
 * tests/c-api/test_commit_open_readers.c: COMMIT while read statements of
 * the same connection are still stepping (#5; core/vm/tx.c tx_commit, pager
 * tx.c T9). As in SQLite (checked against libsqlite3 3.40): the commit takes
 * effect at once (other connections see it and may write), the open reader
 * goes on over the snapshot of that commit, a writing statement still
 * running makes COMMIT fail with "SQL statements in progress", and
 * autocommit writes made while the reader runs commit at once, too.
 * Stock sqlite3 reads the file back as the oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "capi_fixture.h"
#include "chorus.h"
#include "test_support.h"

typedef struct fixture {
    char path[512];
    chorus_db *db;
    chorus_conn *a;             /* the connection with the open reader */
    chorus_conn *b;             /* another connection to the same file */
} fixture;

static int
setup(void **state)
{
    static fixture f;

    test_tmpdir();
    test_path(f.path, sizeof f.path, "readers.db");
    if (chorus_open(f.path, 0, &f.db) != CHORUS_OK || chorus_connect(f.db, &f.a) != CHORUS_OK
        || chorus_connect(f.db, &f.b) != CHORUS_OK)
        return -1;
    if (chorus_exec(f.a, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3)")
        != CHORUS_OK)
        return -1;
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    chorus_disconnect(f->a);
    chorus_disconnect(f->b);
    chorus_close(f->db);
    test_tmpdir_remove();
    return 0;
}

/* A reader of t, stepped to its first row. */
static chorus_stmt *
reader_open(chorus_conn *conn)
{
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(conn, "SELECT x FROM t ORDER BY rowid", -1, &stmt, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 0), 1);
    return stmt;
}

/* Steps stmt to its end, checking the values expected[0..n). */
static void
reader_expect_rest(chorus_stmt *stmt, const int64_t *expected, int n)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(chorus_step(stmt), CHORUS_ROW);
        assert_int_equal(chorus_column_int64(stmt, 0), expected[i]);
    }
    assert_int_equal(chorus_step(stmt), CHORUS_DONE);
}

/* Closes the fixture's handles (ChorusDB owns the file while open), then
 * returns the number sqlite3 itself reads from the file with sql, after an
 * integrity check. */
static int
sqlite3_count_after_close(fixture *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *stmt;
    int n = -1;

    chorus_disconnect(f->a);
    chorus_disconnect(f->b);
    chorus_close(f->db);
    f->a = f->b = NULL;
    f->db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

static void
test_commit_with_an_open_reader_publishes_at_once(void **state)
{
    fixture *f = *state;
    chorus_stmt *reader;
    const int64_t rest[] = {2, 3, 4};

    assert_int_equal(chorus_exec(f->a, "BEGIN; INSERT INTO t VALUES (4)"), CHORUS_OK);
    reader = reader_open(f->a);
    assert_int_equal(chorus_exec(f->a, "COMMIT"), CHORUS_OK);
    assert_int_equal(chorus_in_transaction(f->a), 0);
    assert_int_equal(capi_query_int(f->b, "SELECT count(*) FROM t"), 4);
    /* the writer lock is free again: another connection writes meanwhile */
    assert_int_equal(chorus_exec(f->b, "INSERT INTO t VALUES (5)"), CHORUS_OK);
    /* the reader goes on over the snapshot of its own commit */
    reader_expect_rest(reader, rest, 3);
    chorus_finalize(reader);
    assert_int_equal(capi_query_int(f->a, "SELECT count(*) FROM t"), 5);
    assert_int_equal(sqlite3_count_after_close(f, "SELECT count(*) FROM t"), 5);
}

static void
test_commit_with_an_open_reader_keeps_ddl(void **state)
{
    fixture *f = *state;
    chorus_stmt *reader;
    const int64_t rest[] = {2, 3};

    assert_int_equal(chorus_exec(f->a, "BEGIN; CREATE TABLE u(y); INSERT INTO u VALUES (7)"),
                     CHORUS_OK);
    reader = reader_open(f->a);
    assert_int_equal(chorus_exec(f->a, "COMMIT"), CHORUS_OK);
    assert_int_equal(capi_query_int(f->b, "SELECT y FROM u"), 7);
    reader_expect_rest(reader, rest, 2);
    chorus_finalize(reader);
    assert_int_equal(sqlite3_count_after_close(f, "SELECT y FROM u"), 7);
}

static void
test_commit_refused_while_a_writing_statement_runs(void **state)
{
    fixture *f = *state;
    chorus_stmt *writer;

    assert_int_equal(chorus_exec(f->a, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_prepare(f->a, "INSERT INTO t VALUES (8), (9) RETURNING x", -1,
                                    &writer, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(writer), CHORUS_ROW);
    assert_int_equal(chorus_exec(f->a, "COMMIT"), CHORUS_BUSY);
    assert_string_equal(chorus_errmsg(f->a),
                        "cannot commit transaction - SQL statements in progress");
    assert_int_equal(chorus_in_transaction(f->a), 1);
    assert_int_equal(capi_query_int(f->b, "SELECT count(*) FROM t"), 3);
    chorus_finalize(writer);
    assert_int_equal(chorus_exec(f->a, "COMMIT"), CHORUS_OK);
    assert_int_equal(capi_query_int(f->b, "SELECT count(*) FROM t"), 5);
}

static void
test_autocommit_writes_under_an_open_reader_commit_at_once(void **state)
{
    fixture *f = *state;
    chorus_stmt *reader;
    const int64_t rest[] = {2, 3, 104, 5};   /* what libsqlite3 3.40 returns here */

    assert_int_equal(chorus_exec(f->a, "BEGIN; INSERT INTO t VALUES (4)"), CHORUS_OK);
    reader = reader_open(f->a);
    assert_int_equal(chorus_exec(f->a, "COMMIT"), CHORUS_OK);
    /* the pages the reader holds change again, each change its own commit */
    assert_int_equal(chorus_exec(f->a, "UPDATE t SET x = x + 100 WHERE x = 4"), CHORUS_OK);
    assert_int_equal(chorus_exec(f->a, "INSERT INTO t VALUES (5)"), CHORUS_OK);
    assert_int_equal(chorus_in_transaction(f->a), 0);
    assert_int_equal(capi_query_int(f->b, "SELECT sum(x) FROM t"), 1 + 2 + 3 + 104 + 5);
    assert_int_equal(chorus_exec(f->b, "INSERT INTO t VALUES (6)"), CHORUS_OK);
    /* the reader sees its own connection's changes, not b's */
    reader_expect_rest(reader, rest, 4);
    chorus_finalize(reader);
    assert_int_equal(sqlite3_count_after_close(f, "SELECT sum(x) FROM t"), 1 + 2 + 3 + 104 + 5 + 6);
}

static void
test_failed_commit_without_transaction_still_errors(void **state)
{
    fixture *f = *state;
    chorus_stmt *reader = reader_open(f->a);

    assert_int_equal(chorus_exec(f->a, "COMMIT"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->a), "cannot commit - no transaction is active");
    chorus_finalize(reader);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_with_an_open_reader_publishes_at_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_with_an_open_reader_keeps_ddl, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commit_refused_while_a_writing_statement_runs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_autocommit_writes_under_an_open_reader_commit_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_commit_without_transaction_still_errors,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
