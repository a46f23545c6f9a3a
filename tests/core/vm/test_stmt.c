/*
 * tests/core/vm/test_stmt.c: statements and transactions through vm.h:
 * autocommit, BEGIN/COMMIT/ROLLBACK and their errors, savepoints, statement
 * atomicity (vm/tx.c rule T1), parameters, result column metadata, change
 * counters, re-preparation after a schema change, and files that stock
 * sqlite3 reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "test_support.h"
#include "value.h"
#include "vm_fixture.h"

/* The first column of the first row as text ("NULL" for NULL); owned. */
static char *
query1(vm_conn *conn, const char *sql)
{
    vm_stmt *st;
    char *out = NULL;

    assert_int_equal(vm_prepare(conn, sql, -1, &st, NULL), CHORUS_OK);
    if (vm_step(st) == CHORUS_ROW) {
        const value *v = vm_column(st, 0);
        value t;
        if (v->type == VALUE_NULL) {
            out = strdup("NULL");
        } else {
            assert_int_equal(value_to_text(v, &t), CHORUS_OK);
            out = strndup(t.u.z, (size_t)t.n);
            value_clear(&t);
        }
    }
    vm_finalize(st);
    return out;
}

static void
assert_query(vm_conn *conn, const char *sql, const char *expected)
{
    char *got = query1(conn, sql);

    assert_non_null(got);
    assert_string_equal(got, expected);
    free(got);
}

static void
test_select_without_from_computes_expressions(void **state)
{
    fixture *f = *state;

    assert_query(f->conn, "SELECT 1 + 2 * 3", "7");
    assert_query(f->conn, "SELECT 'a' || 1.5", "a1.5");
    assert_query(f->conn, "SELECT NULL IS NULL AND 1 < 2", "1");
}

static void
test_result_columns_are_named_as_sqlite_names_them(void **state)
{
    fixture *f = *state;
    vm_stmt *st;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(Alpha INTEGER, b TEXT)"), CHORUS_OK);
    assert_int_equal(vm_prepare(f->conn, "SELECT alpha, b AS bee, alpha+1, * FROM t", -1, &st,
                                NULL), CHORUS_OK);
    assert_int_equal(vm_column_count(st), 5);
    assert_string_equal(vm_column_name(st, 0), "Alpha");
    assert_string_equal(vm_column_name(st, 1), "bee");
    assert_string_equal(vm_column_name(st, 2), "alpha+1");
    assert_string_equal(vm_column_name(st, 3), "Alpha");
    assert_string_equal(vm_column_decltype(st, 0), "INTEGER");
    assert_null(vm_column_decltype(st, 2));
    assert_string_equal(vm_column_table(st, 1), "t");
    assert_string_equal(vm_column_origin(st, 1), "b");
    vm_finalize(st);
}

static void
test_unknown_names_fail_in_sqlite_words(void **state)
{
    fixture *f = *state;
    vm_stmt *st;

    assert_int_equal(vm_prepare(f->conn, "SELECT x FROM nowhere", -1, &st, NULL), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn), "no such table: nowhere");
    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a)"), CHORUS_OK);
    assert_int_equal(vm_prepare(f->conn, "SELECT zz FROM t", -1, &st, NULL), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn), "no such column: zz");
    assert_int_equal(vm_prepare(f->conn, "SELECT a FROM t ORDER BY 2", -1, &st, NULL),
                     CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn),
                        "1st ORDER BY term out of range - should be between 1 and 1");
}

static void
test_autocommit_insert_is_visible_to_the_next_statement(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a); INSERT INTO t VALUES (1), (2)"),
                     CHORUS_OK);
    assert_query(f->conn, "SELECT sum(a) FROM t", "3");
    assert_int_equal(vm_conn_changes(f->conn), 2);
    assert_int_equal(vm_conn_last_insert_rowid(f->conn), 2);
}

static void
test_rollback_undoes_the_transaction(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a); BEGIN; INSERT INTO t VALUES (1)"),
                     CHORUS_OK);
    assert_true(vm_conn_in_transaction(f->conn));
    assert_query(f->conn, "SELECT count(*) FROM t", "1");
    assert_int_equal(fx_exec(f->conn, "ROLLBACK"), CHORUS_OK);
    assert_false(vm_conn_in_transaction(f->conn));
    assert_query(f->conn, "SELECT count(*) FROM t", "0");
}

static void
test_transaction_errors_use_sqlite_words(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "COMMIT"), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn), "cannot commit - no transaction is active");
    assert_int_equal(fx_exec(f->conn, "BEGIN; BEGIN"), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn),
                        "cannot start a transaction within a transaction");
    assert_int_equal(fx_exec(f->conn, "ROLLBACK TO nope"), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn), "no such savepoint: nope");
    assert_int_equal(fx_exec(f->conn, "COMMIT"), CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "BEGIN CONCURRENT"), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn),
                        "BEGIN CONCURRENT requires journal_mode=mvcc");
}

static void
test_savepoint_rollback_to_keeps_earlier_work(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a); SAVEPOINT s1; INSERT INTO t VALUES (1);"
                                      "SAVEPOINT s2; INSERT INTO t VALUES (2); ROLLBACK TO s2;"
                                      "RELEASE s1"), CHORUS_OK);
    assert_false(vm_conn_in_transaction(f->conn));
    assert_query(f->conn, "SELECT group_concat(a) FROM t", "1");
}

static void
test_failed_statement_is_undone_but_transaction_stays(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a UNIQUE); BEGIN; INSERT INTO t VALUES (1)"),
                     CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "INSERT INTO t VALUES (2), (1)"), CHORUS_CONSTRAINT);
    assert_string_equal(vm_conn_errmsg(f->conn), "UNIQUE constraint failed: t.a");
    assert_int_equal(vm_conn_extended_errcode(f->conn), CHORUS_CONSTRAINT_UNIQUE);
    assert_true(vm_conn_in_transaction(f->conn));
    assert_int_equal(fx_exec(f->conn, "COMMIT"), CHORUS_OK);
    assert_query(f->conn, "SELECT group_concat(a) FROM t", "1");
}

static void
test_check_constraint_names_the_failing_check(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a INT CHECK (a > 0), "
                                      "b CONSTRAINT positive CHECK (b > 0))"), CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "INSERT INTO t VALUES (0, 1)"), CHORUS_CONSTRAINT);
    assert_string_equal(vm_conn_errmsg(f->conn), "CHECK constraint failed: a > 0");
    assert_int_equal(fx_exec(f->conn, "INSERT INTO t VALUES (1, -1)"), CHORUS_CONSTRAINT);
    assert_string_equal(vm_conn_errmsg(f->conn), "CHECK constraint failed: positive");
    assert_int_equal(fx_exec(f->conn, "INSERT INTO t VALUES ('5', 1)"), CHORUS_OK);
}

static void
test_parameters_bind_by_number_and_name(void **state)
{
    fixture *f = *state;
    vm_stmt *st;
    value v;

    assert_int_equal(vm_prepare(f->conn, "SELECT ?1 + :x, :x", -1, &st, NULL), CHORUS_OK);
    assert_int_equal(vm_param_count(st), 2);
    assert_int_equal(vm_param_index(st, ":x"), 2);
    value_set_int(&v, 40);
    assert_int_equal(vm_bind(st, 1, &v), CHORUS_OK);
    value_set_int(&v, 2);
    assert_int_equal(vm_bind(st, 2, &v), CHORUS_OK);
    assert_int_equal(vm_step(st), CHORUS_ROW);
    assert_int_equal(vm_column(st, 0)->u.i, 42);
    assert_int_equal(vm_step(st), CHORUS_DONE);
    vm_finalize(st);
}

static void
test_statement_reprepares_after_schema_change(void **state)
{
    fixture *f = *state;
    vm_stmt *st;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a); INSERT INTO t VALUES (7)"), CHORUS_OK);
    assert_int_equal(vm_prepare(f->conn, "SELECT * FROM t", -1, &st, NULL), CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "CREATE TABLE u(b)"), CHORUS_OK);
    assert_int_equal(vm_step(st), CHORUS_ROW);
    assert_int_equal(vm_column(st, 0)->u.i, 7);
    vm_finalize(st);
}

static void
test_update_and_delete_change_the_selected_rows(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a INTEGER PRIMARY KEY, b);"
                                      "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);"
                                      "UPDATE t SET b = b + 1 WHERE a >= 2"), CHORUS_OK);
    assert_int_equal(vm_conn_changes(f->conn), 2);
    assert_query(f->conn, "SELECT group_concat(b) FROM t", "10,21,31");
    assert_int_equal(fx_exec(f->conn, "DELETE FROM t WHERE b > 20"), CHORUS_OK);
    assert_int_equal(vm_conn_changes(f->conn), 2);
    assert_query(f->conn, "SELECT count(*) FROM t", "1");
}

/* SQLite's rule: one 'now' for the whole of a statement run, read when a
 * date function first asks (core/vm/stmt.c env_now), new at the next run. */
static void
test_now_is_one_instant_per_statement_run(void **state)
{
    fixture *f = *state;
    const char *now_ms = "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    struct timespec pause = {0, 5 * 1000 * 1000};
    char *first, *second;

    assert_query(f->conn, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
                          "WHERE i < 20000) "
                          "SELECT count(DISTINCT strftime('%Y-%m-%d %H:%M:%f', 'now')) FROM c",
                 "1");
    first = query1(f->conn, now_ms);
    nanosleep(&pause, NULL);
    second = query1(f->conn, now_ms);
    assert_true(strtoll(second, NULL, 10) > strtoll(first, NULL, 10));
    free(first);
    free(second);
}

static void
test_unsupported_statements_fail_cleanly(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(a)"), CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "SELECT 1 FROM (t AS u RIGHT JOIN t AS v ON 1), t"),
                     CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn),
                        "not supported yet: a RIGHT or FULL JOIN inside parentheses");
    assert_int_equal(fx_exec(f->conn, "CREATE VIRTUAL TABLE v USING fts5(x)"), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(f->conn), "not supported yet: CREATE VIRTUAL TABLE");
}

static void
test_written_file_is_read_by_sqlite3(void **state)
{
    char path[512];
    vm_db *db;
    vm_conn *conn;
    char *err = NULL;
    sqlite3 *s;
    sqlite3_stmt *st;

    test_tmpdir();
    test_path(path, sizeof path, "w.db");
    assert_int_equal(vm_db_open(path, CHORUS_OPEN_CREATE | CHORUS_OPEN_READWRITE, &db, &err),
                     CHORUS_OK);
    assert_int_equal(vm_conn_open(db, &conn), CHORUS_OK);
    assert_int_equal(fx_exec(conn, "CREATE TABLE t(a, b TEXT); CREATE INDEX tb ON t(b);"
                                   "INSERT INTO t VALUES (1, 'x'), (2, 'y')"), CHORUS_OK);
    vm_conn_close(conn);
    vm_db_close(db);
    assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT group_concat(b) FROM t WHERE a > 0", -1, &st,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "x,y");
    sqlite3_finalize(st);
    sqlite3_close(s);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST_MEMORY(test_select_without_from_computes_expressions),
        VM_TEST_MEMORY(test_result_columns_are_named_as_sqlite_names_them),
        VM_TEST_MEMORY(test_unknown_names_fail_in_sqlite_words),
        VM_TEST_MEMORY(test_autocommit_insert_is_visible_to_the_next_statement),
        VM_TEST_MEMORY(test_rollback_undoes_the_transaction),
        VM_TEST_MEMORY(test_transaction_errors_use_sqlite_words),
        VM_TEST_MEMORY(test_savepoint_rollback_to_keeps_earlier_work),
        VM_TEST_MEMORY(test_failed_statement_is_undone_but_transaction_stays),
        VM_TEST_MEMORY(test_check_constraint_names_the_failing_check),
        VM_TEST_MEMORY(test_parameters_bind_by_number_and_name),
        VM_TEST_MEMORY(test_statement_reprepares_after_schema_change),
        VM_TEST_MEMORY(test_update_and_delete_change_the_selected_rows),
        VM_TEST_MEMORY(test_now_is_one_instant_per_statement_run),
        VM_TEST_MEMORY(test_unsupported_statements_fail_cleanly),
        cmocka_unit_test(test_written_file_is_read_by_sqlite3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
