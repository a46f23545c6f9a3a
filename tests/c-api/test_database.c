/*
 * tests/c-api/test_database.c: chorus_open, chorus_close, the registry of
 * open files, chorus_open_errmsg and the library-level calls (version,
 * errstr) of c-api/database.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"
#include "test_support.h"

static int
setup(void **state)
{
    (void)state;
    return test_tmpdir() != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

static void
test_version_is_0_1_0_and_number_1000(void **state)
{
    (void)state;
    assert_string_equal(chorus_version(), "0.1.0");
    assert_int_equal(chorus_version_number(), 1000);
}

static void
test_errstr_names_primary_codes(void **state)
{
    (void)state;
    assert_string_equal(chorus_errstr(CHORUS_OK), "not an error");
    assert_string_equal(chorus_errstr(CHORUS_BUSY), "database is locked");
    assert_string_equal(chorus_errstr(CHORUS_MISUSE), "bad parameter or other API misuse");
    assert_string_equal(chorus_errstr(CHORUS_CONFLICT), "conflict with a concurrent transaction");
    assert_string_equal(chorus_errstr(CHORUS_DONE), "no more rows available");
}

static void
test_errstr_reads_extended_codes_as_their_primary(void **state)
{
    (void)state;
    assert_string_equal(chorus_errstr(CHORUS_CONSTRAINT_UNIQUE), "constraint failed");
    assert_string_equal(chorus_errstr(CHORUS_BUSY_SNAPSHOT), "database is locked");
    assert_string_equal(chorus_errstr(CHORUS_IOERR_FSYNC), "disk I/O error");
}

static void
test_errstr_of_unknown_codes_says_unknown_error(void **state)
{
    (void)state;
    assert_string_equal(chorus_errstr(-1), "unknown error");
    assert_string_equal(chorus_errstr(16), "unknown error");
    assert_string_equal(chorus_errstr(CHORUS_CONSTRAINT | (99 << 8)), "unknown error");
}

static void
test_open_memory_and_close(void **state)
{
    chorus_db *db = NULL;

    (void)state;
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_non_null(db);
    assert_null(chorus_open_errmsg());
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_open_rejects_null_path_and_null_out(void **state)
{
    chorus_db *db = (chorus_db *)&db;

    (void)state;
    assert_int_equal(chorus_open(NULL, 0, &db), CHORUS_MISUSE);
    assert_null(db);
    assert_non_null(chorus_open_errmsg());
    assert_int_equal(chorus_open(":memory:", 0, NULL), CHORUS_MISUSE);
}

static void
test_open_of_missing_directory_fails_with_a_message(void **state)
{
    char path[512];
    chorus_db *db = (chorus_db *)&db;

    (void)state;
    test_path(path, sizeof path, "no/such/dir/x.db");
    assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &db),
                     CHORUS_CANTOPEN);
    assert_null(db);
    assert_non_null(chorus_open_errmsg());
    assert_true(strlen(chorus_open_errmsg()) > 0);
}

static void
test_open_readwrite_without_create_of_missing_file_fails(void **state)
{
    char path[512];
    chorus_db *db;

    (void)state;
    test_path(path, sizeof path, "missing.db");
    assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE, &db), CHORUS_CANTOPEN);
    assert_null(db);
}

static void
test_open_of_a_non_database_file_fails_with_notadb(void **state)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;
    FILE *f;
    int rc;

    (void)state;
    test_path(path, sizeof path, "junk.db");
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database file at all. ", f);
    fclose(f);
    rc = chorus_open(path, 0, &db);
    if (rc == CHORUS_OK) {
        /* The engine may defer reading the header to the first statement. */
        assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
        rc = chorus_exec(conn, "SELECT * FROM sqlite_schema");
        chorus_disconnect(conn);
        chorus_close(db);
    }
    assert_int_equal(rc, CHORUS_NOTADB);
}

static void
test_same_path_shares_one_database(void **state)
{
    char path[512], dir[512], other[600];
    chorus_db *a, *b;
    chorus_conn *ca, *cb;

    (void)state;
    test_path(path, sizeof path, "shared.db");
    /* The second spelling of the path goes through "." to check that the
     * registry compares canonical paths. */
    snprintf(other, sizeof other, "%s./shared.db", test_path(dir, sizeof dir, ""));
    assert_int_equal(chorus_open(path, 0, &a), CHORUS_OK);
    assert_int_equal(chorus_open(other, 0, &b), CHORUS_OK);
    assert_ptr_not_equal(a, b);
    assert_int_equal(chorus_connect(a, &ca), CHORUS_OK);
    assert_int_equal(chorus_connect(b, &cb), CHORUS_OK);
    assert_int_equal(chorus_exec(ca, "CREATE TABLE t(x); INSERT INTO t VALUES (42)"), CHORUS_OK);
    assert_int_equal(capi_query_int(cb, "SELECT x FROM t"), 42);
    assert_int_equal(chorus_disconnect(ca), CHORUS_OK);
    assert_int_equal(chorus_disconnect(cb), CHORUS_OK);
    assert_int_equal(chorus_close(a), CHORUS_OK);
    assert_int_equal(chorus_close(b), CHORUS_OK);
}

static void
test_database_stays_open_until_its_last_handle_closes(void **state)
{
    char path[512];
    chorus_db *a, *b;
    chorus_conn *conn;

    (void)state;
    test_path(path, sizeof path, "refcount.db");
    assert_int_equal(chorus_open(path, 0, &a), CHORUS_OK);
    assert_int_equal(chorus_open(path, 0, &b), CHORUS_OK);
    assert_int_equal(chorus_connect(a, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(x); INSERT INTO t VALUES (7)"), CHORUS_OK);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(a), CHORUS_OK);
    assert_int_equal(chorus_connect(b, &conn), CHORUS_OK);
    assert_int_equal(capi_query_int(conn, "SELECT x FROM t"), 7);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(b), CHORUS_OK);
}

static void
test_reopen_after_close_sees_the_data(void **state)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    test_path(path, sizeof path, "reopen.db");
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(x); INSERT INTO t VALUES (3)"), CHORUS_OK);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(capi_query_int(conn, "SELECT x FROM t"), 3);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_memory_databases_are_always_private(void **state)
{
    chorus_db *a, *b;
    chorus_conn *ca, *cb;
    chorus_stmt *stmt;

    (void)state;
    assert_int_equal(chorus_open(":memory:", 0, &a), CHORUS_OK);
    assert_int_equal(chorus_open(":memory:", 0, &b), CHORUS_OK);
    assert_int_equal(chorus_connect(a, &ca), CHORUS_OK);
    assert_int_equal(chorus_connect(b, &cb), CHORUS_OK);
    assert_int_equal(chorus_exec(ca, "CREATE TABLE t(x)"), CHORUS_OK);
    assert_int_equal(chorus_prepare(cb, "SELECT * FROM t", -1, &stmt, NULL), CHORUS_ERROR);
    assert_null(stmt);
    assert_non_null(strstr(chorus_errmsg(cb), "no such table"));
    chorus_disconnect(ca);
    chorus_disconnect(cb);
    chorus_close(a);
    chorus_close(b);
}

static void
test_close_is_busy_while_a_connection_is_open(void **state)
{
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_BUSY);
    /* Nothing was closed: the connection still works. */
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(x)"), CHORUS_OK);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_close_of_null_is_ok_and_of_a_closed_handle_is_misuse(void **state)
{
    chorus_db *db;

    (void)state;
    assert_int_equal(chorus_close(NULL), CHORUS_OK);
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_MISUSE);
}

static void
test_connect_to_a_closed_database_is_misuse(void **state)
{
    chorus_db *db;
    chorus_conn *conn = (chorus_conn *)&conn;

    (void)state;
    assert_int_equal(chorus_connect(NULL, &conn), CHORUS_MISUSE);
    assert_null(conn);
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_MISUSE);
    assert_null(conn);
}

static void
test_handle_of_another_kind_is_misuse(void **state)
{
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_close((chorus_db *)conn), CHORUS_MISUSE);
    assert_int_equal(chorus_disconnect((chorus_conn *)db), CHORUS_MISUSE);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

enum { N_OPENERS = 8 };

static char shared_path[512];

static int
insert_one(chorus_conn *conn, void *arg)
{
    (void)arg;
    return chorus_exec(conn, "INSERT INTO t VALUES (1)");
}

/* One thread: opens the shared file, adds a row, closes. Returns the first
 * failing code through its result. */
static void *
opener_thread(void *arg)
{
    chorus_db *db;
    chorus_conn *conn;
    int rc;

    (void)arg;
    rc = chorus_open(shared_path, 0, &db);
    if (rc != CHORUS_OK)
        return (void *)(intptr_t)rc;
    rc = chorus_connect(db, &conn);
    if (rc == CHORUS_OK) {
        rc = chorus_run_transaction(conn, CHORUS_TX_IMMEDIATE, 0, insert_one, NULL);
        chorus_disconnect(conn);
    }
    if (chorus_close(db) != CHORUS_OK && rc == CHORUS_OK)
        rc = CHORUS_MISUSE;
    return (void *)(intptr_t)rc;
}

static void
test_threads_opening_one_file_share_it(void **state)
{
    pthread_t threads[N_OPENERS];
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    test_path(shared_path, sizeof shared_path, "threads.db");
    assert_int_equal(chorus_open(shared_path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(x)"), CHORUS_OK);
    for (int i = 0; i < N_OPENERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, opener_thread, NULL), 0);
    for (int i = 0; i < N_OPENERS; i++) {
        void *result;

        assert_int_equal(pthread_join(threads[i], &result), 0);
        assert_int_equal((int)(intptr_t)result, CHORUS_OK);
    }
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM t"), N_OPENERS);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void *
open_errmsg_thread(void *arg)
{
    (void)arg;
    return (void *)chorus_open_errmsg();
}

static void
test_open_errmsg_is_per_thread(void **state)
{
    chorus_db *db;
    pthread_t thread;
    void *result;

    (void)state;
    assert_int_equal(chorus_open(NULL, 0, &db), CHORUS_MISUSE);
    assert_non_null(chorus_open_errmsg());
    /* Another thread that has not failed sees no message. */
    assert_int_equal(pthread_create(&thread, NULL, open_errmsg_thread, NULL), 0);
    assert_int_equal(pthread_join(thread, &result), 0);
    assert_null(result);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_is_0_1_0_and_number_1000),
        cmocka_unit_test(test_errstr_names_primary_codes),
        cmocka_unit_test(test_errstr_reads_extended_codes_as_their_primary),
        cmocka_unit_test(test_errstr_of_unknown_codes_says_unknown_error),
        cmocka_unit_test(test_open_memory_and_close),
        cmocka_unit_test(test_open_rejects_null_path_and_null_out),
        cmocka_unit_test_setup_teardown(test_open_of_missing_directory_fails_with_a_message,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_readwrite_without_create_of_missing_file_fails,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_of_a_non_database_file_fails_with_notadb,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_path_shares_one_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_stays_open_until_its_last_handle_closes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_after_close_sees_the_data, setup, teardown),
        cmocka_unit_test(test_memory_databases_are_always_private),
        cmocka_unit_test(test_close_is_busy_while_a_connection_is_open),
        cmocka_unit_test(test_close_of_null_is_ok_and_of_a_closed_handle_is_misuse),
        cmocka_unit_test(test_connect_to_a_closed_database_is_misuse),
        cmocka_unit_test(test_handle_of_another_kind_is_misuse),
        cmocka_unit_test_setup_teardown(test_threads_opening_one_file_share_it, setup, teardown),
        cmocka_unit_test(test_open_errmsg_is_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
