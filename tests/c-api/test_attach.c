/*
 * tests/c-api/test_attach.c: ATTACH of database files (core/vm/attach.c
 * AT1-AT4, core/vm/db.c D3, core/vm/temp.c TP2, TP7, TP9): one pager per
 * file in the process, so a connection on the file (opened or attached
 * under another spelling of its path) sees an attached database's commits
 * and none of its uncommitted rows; the file outliving the handle that
 * opened it; a transaction over main and an attached file; PRAGMA
 * database_list naming the file; DETACH refused while a statement reads
 * the database; sqlite3 reading what was written through ATTACH; and the
 * refusals: a missing directory, VACUUM of an attached database, a file in
 * journal_mode=mvcc (when attached, or switched later), and BEGIN
 * CONCURRENT writing an attached file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "capi_fixture.h"
#include "chorus.h"
#include "test_support.h"

typedef struct attach_fixture {
    char dir[512], aux_path[600], main_path[600];
    chorus_db *mem_db;          /* ":memory:" */
    chorus_conn *mem;           /* a connection on it, which attaches aux_path */
} attach_fixture;

static int
setup(void **state)
{
    attach_fixture *f = calloc(1, sizeof *f);

    *state = f;
    if (f == NULL)
        return -1;
    const char *dir = test_tmpdir();
    if (dir == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    snprintf(f->aux_path, sizeof f->aux_path, "%s/aux.db", f->dir);
    snprintf(f->main_path, sizeof f->main_path, "%s/main.db", f->dir);
    if (chorus_open(":memory:", 0, &f->mem_db) != CHORUS_OK ||
        chorus_connect(f->mem_db, &f->mem) != CHORUS_OK)
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    attach_fixture *f = *state;
    chorus_disconnect(f->mem);
    chorus_close(f->mem_db);
    test_tmpdir_remove();
    free(f);
    return 0;
}

static void
exec_ok(chorus_conn *conn, const char *sql)
{
    int rc = chorus_exec(conn, sql);

    if (rc != CHORUS_OK)
        fail_msg("%s: %s", sql, chorus_errmsg(conn));
}

static void
attach_as(chorus_conn *conn, const char *path, const char *name)
{
    char sql[1024];

    snprintf(sql, sizeof sql, "ATTACH '%s' AS %s", path, name);
    exec_ok(conn, sql);
}

static void
test_commits_are_seen_by_a_connection_on_the_file(void **state)
{
    attach_fixture *f = *state;
    chorus_db *db;
    chorus_conn *other;

    attach_as(f->mem, f->aux_path, "aux");
    exec_ok(f->mem, "CREATE TABLE aux.t(a); INSERT INTO aux.t VALUES (1)");
    assert_int_equal(chorus_open(f->aux_path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &other), CHORUS_OK);
    assert_int_equal(capi_query_int(other, "SELECT count(*) FROM t"), 1);
    exec_ok(other, "INSERT INTO t VALUES (2)");
    assert_int_equal(capi_query_int(f->mem, "SELECT sum(a) FROM aux.t"), 3);
    exec_ok(f->mem, "BEGIN; INSERT INTO aux.t VALUES (3)");
    assert_int_equal(capi_query_int(other, "SELECT count(*) FROM t"), 2);
    exec_ok(f->mem, "COMMIT");
    assert_int_equal(capi_query_int(other, "SELECT count(*) FROM t"), 3);
    /* the other connection's write waits for, then follows, ours */
    exec_ok(f->mem, "BEGIN; INSERT INTO aux.t VALUES (4)");
    chorus_busy_timeout(other, 0);
    capi_assert_query_fails(other, "INSERT INTO t VALUES (5)", CHORUS_BUSY, "database is locked");
    exec_ok(f->mem, "COMMIT");
    exec_ok(other, "INSERT INTO t VALUES (5)");
    assert_int_equal(capi_query_int(f->mem, "SELECT count(*) FROM aux.t"), 5);
    chorus_disconnect(other);
    chorus_close(db);
}

static void
test_two_spellings_of_one_path_share_the_file(void **state)
{
    attach_fixture *f = *state;
    char spelled[600];
    chorus_stmt *stmt;
    int rows = 0;
    chorus_db *db;
    chorus_conn *other;

    snprintf(spelled, sizeof spelled, "%s/./aux.db", f->dir);
    attach_as(f->mem, spelled, "a1");
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &other), CHORUS_OK);
    attach_as(other, f->aux_path, "a2");
    exec_ok(f->mem, "CREATE TABLE a1.t(a); INSERT INTO a1.t VALUES ('first')");
    capi_assert_query(other, "SELECT a FROM a2.t", "first");
    exec_ok(other, "UPDATE a2.t SET a = 'second'");
    capi_assert_query(f->mem, "SELECT a FROM a1.t", "second");
    /* database_list: main (in memory: no file), then a1 by its canonical path */
    assert_int_equal(chorus_prepare(f->mem, "PRAGMA database_list", -1, &stmt, NULL), CHORUS_OK);
    while (chorus_step(stmt) == CHORUS_ROW) {
        if (rows++ == 0) {
            assert_string_equal((const char *)chorus_column_text(stmt, 2), "");
            continue;
        }
        assert_int_equal(chorus_column_int64(stmt, 0), 2);
        assert_string_equal((const char *)chorus_column_text(stmt, 1), "a1");
        assert_non_null(strstr((const char *)chorus_column_text(stmt, 2), "/aux.db"));
        assert_null(strstr((const char *)chorus_column_text(stmt, 2), "/./"));
    }
    assert_int_equal(rows, 2);
    chorus_finalize(stmt);
    chorus_disconnect(other);
    chorus_close(db);
}

static void
test_file_outlives_the_handle_that_opened_it_and_sqlite3_reads_it(void **state)
{
    attach_fixture *f = *state;
    chorus_db *db;
    chorus_conn *other;
    sqlite3 *oracle;
    sqlite3_stmt *q;

    assert_int_equal(chorus_open(f->aux_path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &other), CHORUS_OK);
    exec_ok(other, "CREATE TABLE t(a TEXT); INSERT INTO t VALUES ('from other')");
    attach_as(f->mem, f->aux_path, "aux");
    chorus_disconnect(other);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    exec_ok(f->mem, "INSERT INTO aux.t VALUES ('after close'); CREATE INDEX aux.t_a ON t(a)");
    assert_int_equal(capi_query_int(f->mem, "SELECT count(*) FROM aux.t"), 2);
    exec_ok(f->mem, "DETACH aux");
    assert_int_equal(sqlite3_open_v2(f->aux_path, &oracle, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(oracle, "SELECT group_concat(a, ',') FROM t INDEXED BY t_a",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "after close,from other");
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(oracle, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
    sqlite3_close(oracle);
}

static void
test_transaction_over_main_and_attached_file(void **state)
{
    attach_fixture *f = *state;
    chorus_db *db, *db2;
    chorus_conn *conn, *conn2;

    assert_int_equal(chorus_open(f->main_path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    attach_as(conn, f->aux_path, "aux");
    exec_ok(conn, "CREATE TABLE m(a); CREATE TABLE aux.x(a)");
    exec_ok(conn, "BEGIN; INSERT INTO m VALUES (1); INSERT INTO aux.x VALUES (1); ROLLBACK");
    exec_ok(conn, "BEGIN; INSERT INTO m VALUES (2); INSERT INTO aux.x VALUES (2); COMMIT");
    assert_int_equal(chorus_open(f->main_path, 0, &db2), CHORUS_OK);
    assert_int_equal(chorus_connect(db2, &conn2), CHORUS_OK);
    attach_as(conn2, f->aux_path, "other");
    assert_int_equal(capi_query_int(conn2, "SELECT (SELECT sum(a) FROM m) * 10 +"
                                           " (SELECT sum(a) FROM other.x)"),
                     22);
    /* an attached database's DDL is seen by the other connection */
    exec_ok(conn, "CREATE TABLE aux.y(b); INSERT INTO aux.y VALUES ('y')");
    capi_assert_query(conn2, "SELECT b FROM other.y", "y");
    chorus_disconnect(conn2);
    chorus_close(db2);
    chorus_disconnect(conn);
    chorus_close(db);
}

static void
test_detach_waits_for_the_statements_reading_it(void **state)
{
    attach_fixture *f = *state;
    chorus_stmt *stmt;

    attach_as(f->mem, f->aux_path, "aux");
    exec_ok(f->mem, "CREATE TABLE aux.t(a); INSERT INTO aux.t VALUES (1), (2)");
    assert_int_equal(chorus_prepare(f->mem, "SELECT a FROM aux.t", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_exec(f->mem, "DETACH aux"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->mem), "database aux is locked");
    assert_int_equal(chorus_finalize(stmt), CHORUS_OK);
    exec_ok(f->mem, "DETACH aux");
    capi_assert_query_fails(f->mem, "SELECT a FROM aux.t", CHORUS_ERROR, "no such table: aux.t");
}

static void
test_refusals(void **state)
{
    attach_fixture *f = *state;
    char sql[1200], mvcc_path[600], msg[1200];
    chorus_db *db;
    chorus_conn *conn;

    snprintf(sql, sizeof sql, "ATTACH '%s/nodir/x.db' AS x", f->dir);
    assert_int_equal(chorus_exec(f->mem, sql), CHORUS_CANTOPEN);
    snprintf(msg, sizeof msg, "unable to open database: %s/nodir/x.db", f->dir);
    assert_string_equal(chorus_errmsg(f->mem), msg);
    exec_ok(f->mem, "ATTACH ':memory:' AS m2; CREATE TABLE m2.s(x)");
    assert_int_equal(chorus_exec(f->mem, "VACUUM m2"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->mem),
                        "not supported yet: VACUUM and ANALYZE of an attached database");
    /* TP9: a file in journal_mode=mvcc */
    snprintf(mvcc_path, sizeof mvcc_path, "%s/mvcc.db", f->dir);
    assert_int_equal(chorus_open(mvcc_path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    exec_ok(conn, "PRAGMA journal_mode = mvcc; CREATE TABLE t(a)");
    snprintf(sql, sizeof sql, "ATTACH '%s' AS m", mvcc_path);
    assert_int_equal(chorus_exec(f->mem, sql), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->mem),
                        "not supported yet: ATTACH of a database in journal_mode=mvcc");
    /* a file switched to mvcc after ATTACH fails the next statement */
    {
        char late_path[600];
        chorus_db *late_db;
        chorus_conn *late;
        snprintf(late_path, sizeof late_path, "%s/late.db", f->dir);
        attach_as(f->mem, late_path, "late");
        exec_ok(f->mem, "CREATE TABLE late.t(a)");
        assert_int_equal(chorus_open(late_path, 0, &late_db), CHORUS_OK);
        assert_int_equal(chorus_connect(late_db, &late), CHORUS_OK);
        exec_ok(late, "PRAGMA journal_mode = mvcc");
        capi_assert_query_fails(f->mem, "SELECT 1", CHORUS_ERROR,
                                "not supported yet: attached database late in journal_mode=mvcc");
        exec_ok(f->mem, "DETACH late");
        assert_int_equal(capi_query_int(f->mem, "SELECT 1"), 1);
        chorus_disconnect(late);
        chorus_close(late_db);
    }
    /* BEGIN CONCURRENT reads an attached file but does not write it */
    attach_as(conn, f->aux_path, "aux");
    exec_ok(conn, "CREATE TABLE aux.t(a); INSERT INTO aux.t VALUES (1)");
    exec_ok(conn, "BEGIN CONCURRENT; INSERT INTO t VALUES (1)");
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM aux.t"), 1);
    capi_assert_query_fails(conn, "INSERT INTO aux.t VALUES (2)", CHORUS_ERROR,
                            "cannot write attached database aux in BEGIN CONCURRENT");
    exec_ok(conn, "COMMIT");
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM t"), 1);
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM aux.t"), 1);
    chorus_disconnect(conn);
    chorus_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commits_are_seen_by_a_connection_on_the_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_spellings_of_one_path_share_the_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_file_outlives_the_handle_that_opened_it_and_sqlite3_reads_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_over_main_and_attached_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_detach_waits_for_the_statements_reading_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
