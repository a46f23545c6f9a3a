/*
 * tests/core/vm/test_temp.c: the temp schema (core/vm/temp.c): TEMP objects
 * are private to their connection and gone when it closes, shadow main
 * objects of the same name, follow the connection's transaction (COMMIT,
 * ROLLBACK, ROLLBACK TO a savepoint older than the temp database), make
 * prepared statements recompile, never reach the database file (stock
 * sqlite3 reads it back as the oracle) and take no write lock on main
 * (read-only databases, another connection's write transaction).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "test_support.h"
#include "value.h"
#include "vm_fixture.h"

/* Every row of sql, columns joined by '|' and rows by ','; owned. NULL
 * when the statement fails. */
static char *
query(vm_conn *conn, const char *sql)
{
    vm_stmt *st;
    strbuf sb;
    int rc, n_rows = 0;

    if (vm_prepare(conn, sql, -1, &st, NULL) != CHORUS_OK)
        return NULL;
    strbuf_init(&sb);
    while ((rc = vm_step(st)) == CHORUS_ROW) {
        if (n_rows++ > 0)
            strbuf_append(&sb, ",", 1);
        for (int c = 0; c < vm_column_count(st); c++) {
            const value *v = vm_column(st, c);
            value t;
            if (c > 0)
                strbuf_append(&sb, "|", 1);
            if (v->type == VALUE_NULL) {
                strbuf_append(&sb, "NULL", 4);
                continue;
            }
            assert_int_equal(value_to_text(v, &t), CHORUS_OK);
            strbuf_append(&sb, t.u.z, (size_t)t.n);
            value_clear(&t);
        }
    }
    vm_finalize(st);
    if (rc != CHORUS_DONE) {
        free(strbuf_finish(&sb));
        return NULL;
    }
    return strbuf_finish(&sb);
}

static void
assert_query(vm_conn *conn, const char *sql, const char *expected)
{
    char *got = query(conn, sql);

    if (got == NULL)
        fail_msg("%s failed: %s", sql, vm_conn_errmsg(conn));
    assert_string_equal(got, expected);
    free(got);
}

static void
assert_error(vm_conn *conn, const char *sql, const char *message)
{
    assert_int_not_equal(fx_exec(conn, sql), CHORUS_OK);
    assert_string_equal(vm_conn_errmsg(conn), message);
}

static void
test_temp_objects_are_invisible_to_other_connections(void **state)
{
    fixture *f = *state;
    vm_conn *other;

    assert_int_equal(fx_exec(f->conn, "CREATE TEMP TABLE t(a); INSERT INTO t VALUES (1);"
                                      "CREATE TEMP VIEW v AS SELECT a + 1 FROM t"),
                     CHORUS_OK);
    assert_int_equal(vm_conn_open(f->db, &other), CHORUS_OK);
    assert_error(other, "SELECT * FROM t", "no such table: t");
    assert_error(other, "SELECT * FROM v", "no such table: v");
    assert_int_equal(fx_exec(other, "CREATE TEMP TABLE t(b, c); INSERT INTO t VALUES (8, 9)"),
                     CHORUS_OK);
    assert_query(other, "SELECT * FROM t", "8|9");
    assert_query(f->conn, "SELECT * FROM v", "2");
    vm_conn_close(other);
}

static void
test_temp_objects_are_gone_when_the_connection_closes(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE m(x); CREATE TEMP TABLE t(a);"
                                      "INSERT INTO t VALUES (1); INSERT INTO m SELECT a FROM t"),
                     CHORUS_OK);
    vm_conn_close(f->conn);
    assert_int_equal(vm_conn_open(f->db, &f->conn), CHORUS_OK);
    assert_error(f->conn, "SELECT * FROM t", "no such table: t");
    assert_query(f->conn, "SELECT x FROM m", "1");
    assert_query(f->conn, "SELECT count(*) FROM sqlite_temp_master", "0");
}

static void
test_temp_objects_never_reach_the_database_file(void **state)
{
    fixture *f = *state;
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE m(x); CREATE TEMP TABLE t(a);"
                                      "CREATE INDEX ti ON t(a); INSERT INTO t VALUES (1), (2);"
                                      "CREATE TEMP VIEW v AS SELECT * FROM m"),
                     CHORUS_OK);
    vm_conn_close(f->conn);         /* the temp database goes; the file stays */
    vm_db_close(f->db);
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM sqlite_master", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "m");
    sqlite3_finalize(st);
    sqlite3_close(db);
    f->conn = NULL;
    f->db = NULL;
}

static void
test_a_temp_table_shadows_the_main_table_of_the_same_name(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(x); INSERT INTO t VALUES ('main');"
                                      "CREATE TEMP TABLE t(x); INSERT INTO t VALUES ('temp')"),
                     CHORUS_OK);
    assert_query(f->conn, "SELECT x FROM t", "temp");
    assert_query(f->conn, "SELECT x FROM temp.t", "temp");
    assert_query(f->conn, "SELECT x FROM main.t", "main");
    assert_int_equal(fx_exec(f->conn, "DROP TABLE t"), CHORUS_OK);
    assert_query(f->conn, "SELECT x FROM t", "main");
}

static void
test_database_list_shows_temp_once_it_exists(void **state)
{
    fixture *f = *state;
    char expected[600];

    snprintf(expected, sizeof expected, "0|main|%s", f->path);
    assert_query(f->conn, "PRAGMA database_list", expected);
    assert_int_equal(fx_exec(f->conn, "CREATE TEMP VIEW v AS SELECT 1"), CHORUS_OK);
    snprintf(expected, sizeof expected, "0|main|%s,1|temp|", f->path);
    assert_query(f->conn, "PRAGMA database_list", expected);
}

static void
test_a_prepared_statement_recompiles_when_a_temp_table_shadows_its_table(void **state)
{
    fixture *f = *state;
    vm_stmt *st;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE t(x); INSERT INTO t VALUES ('main')"),
                     CHORUS_OK);
    assert_int_equal(vm_prepare(f->conn, "SELECT x FROM t", -1, &st, NULL), CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "CREATE TEMP TABLE t(x); INSERT INTO t VALUES ('temp')"),
                     CHORUS_OK);
    assert_int_equal(vm_step(st), CHORUS_ROW);
    assert_int_equal(vm_column(st, 0)->n, 4);
    assert_memory_equal(vm_column(st, 0)->u.z, "temp", 4);
    vm_finalize(st);
}

static void
test_rollback_undoes_temp_ddl_and_rows(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TEMP TABLE keep(a); INSERT INTO keep VALUES (1)"),
                     CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "BEGIN; CREATE TEMP TABLE gone(a);"
                                      "INSERT INTO gone VALUES (1);"
                                      "INSERT INTO keep VALUES (2); ROLLBACK"),
                     CHORUS_OK);
    assert_error(f->conn, "SELECT * FROM gone", "no such table: gone");
    assert_query(f->conn, "SELECT group_concat(a) FROM keep", "1");
    assert_int_equal(fx_exec(f->conn, "BEGIN; INSERT INTO keep VALUES (3); COMMIT"), CHORUS_OK);
    assert_query(f->conn, "SELECT group_concat(a) FROM keep", "1,3");
}

static void
test_rollback_to_a_savepoint_older_than_the_temp_database_undoes_it(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "SAVEPOINT a; CREATE TEMP TABLE t(x);"
                                      "INSERT INTO t VALUES (1);"
                                      "SAVEPOINT b; INSERT INTO t VALUES (2); ROLLBACK TO b"),
                     CHORUS_OK);
    assert_query(f->conn, "SELECT group_concat(x) FROM t", "1");
    assert_int_equal(fx_exec(f->conn, "ROLLBACK TO a; RELEASE a"), CHORUS_OK);
    assert_error(f->conn, "SELECT * FROM t", "no such table: t");
    assert_query(f->conn, "SELECT count(*) FROM sqlite_temp_master", "0");
}

static void
test_a_failed_statement_undoes_only_its_own_temp_rows(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TEMP TABLE t(x UNIQUE); INSERT INTO t VALUES (1)"),
                     CHORUS_OK);
    assert_error(f->conn, "INSERT INTO t VALUES (2), (1)", "UNIQUE constraint failed: t.x");
    assert_query(f->conn, "SELECT group_concat(x) FROM t", "1");
}

static void
test_temp_ddl_errors_use_sqlite_words(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE m(x)"), CHORUS_OK);
    assert_error(f->conn, "CREATE TEMP TABLE main.t(x)",
                 "temporary table name must be unqualified");
    assert_error(f->conn, "CREATE TEMP TRIGGER tr AFTER INSERT ON nope BEGIN SELECT 1; END",
                 "no such table: nope");
    assert_error(f->conn, "CREATE TEMP TRIGGER tr INSTEAD OF INSERT ON m BEGIN SELECT 1; END",
                 "cannot create INSTEAD OF trigger on table: m");
    assert_int_equal(fx_exec(f->conn, "CREATE TEMP VIEW v AS SELECT 1"), CHORUS_OK);
    assert_error(f->conn, "CREATE TEMP VIEW v AS SELECT 2", "view v already exists");
    assert_error(f->conn, "DROP TABLE v", "use DROP VIEW to delete view v");
}

static void
test_a_main_view_does_not_see_temp_tables(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TEMP TABLE t(x); CREATE VIEW mv AS SELECT * FROM t;"
                                      "CREATE TEMP VIEW tv AS SELECT * FROM t"),
                     CHORUS_OK);
    assert_error(f->conn, "SELECT * FROM mv", "no such table: main.t");     /* sqlite3's words */
    assert_query(f->conn, "SELECT count(*) FROM tv", "0");
}

static void
test_temp_tables_work_on_a_read_only_database(void **state)
{
    fixture *f = *state;
    vm_db *ro;
    vm_conn *conn;
    char *err = NULL;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE m(x); INSERT INTO m VALUES (1), (2)"),
                     CHORUS_OK);
    vm_conn_close(f->conn);
    vm_db_close(f->db);
    f->conn = NULL;
    f->db = NULL;
    assert_int_equal(vm_db_open(f->path, CHORUS_OPEN_READONLY, &ro, &err), CHORUS_OK);
    assert_int_equal(vm_conn_open(ro, &conn), CHORUS_OK);
    assert_int_equal(fx_exec(conn, "CREATE TEMP TABLE t AS SELECT x * 10 AS y FROM m;"
                                   "CREATE INDEX ti ON t(y); UPDATE t SET y = y + 1"),
                     CHORUS_OK);
    assert_query(conn, "SELECT y FROM t ORDER BY y", "11,21");
    assert_int_not_equal(fx_exec(conn, "INSERT INTO m VALUES (3)"), CHORUS_OK);
    vm_conn_close(conn);
    vm_db_close(ro);
}

static void
test_temp_writes_do_not_wait_for_another_connections_write_transaction(void **state)
{
    fixture *f = *state;
    vm_conn *other;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE m(x)"), CHORUS_OK);
    assert_int_equal(vm_conn_open(f->db, &other), CHORUS_OK);
    vm_conn_set_busy_timeout(f->conn, 0);
    assert_int_equal(fx_exec(other, "BEGIN IMMEDIATE; INSERT INTO m VALUES (1)"), CHORUS_OK);
    assert_int_equal(fx_exec(f->conn, "CREATE TEMP TABLE t(a); INSERT INTO t VALUES (1);"
                                      "DELETE FROM t; DROP TABLE t"),
                     CHORUS_OK);
    assert_int_equal(fx_exec(other, "COMMIT"), CHORUS_OK);
    vm_conn_close(other);
}

static void
test_a_trigger_on_a_temp_table_writes_main_tables_atomically(void **state)
{
    fixture *f = *state;

    assert_int_equal(fx_exec(f->conn, "CREATE TABLE m(x UNIQUE); CREATE TEMP TABLE t(a);"
                                      "CREATE TRIGGER t_ai AFTER INSERT ON t "
                                      "BEGIN INSERT INTO m VALUES (new.a); END;"
                                      "INSERT INTO t VALUES (1), (2)"),
                     CHORUS_OK);
    assert_query(f->conn, "SELECT group_concat(x) FROM m", "1,2");
    assert_error(f->conn, "INSERT INTO t VALUES (3), (1)", "UNIQUE constraint failed: m.x");
    assert_query(f->conn, "SELECT group_concat(x) FROM m", "1,2");
    assert_query(f->conn, "SELECT group_concat(a) FROM t", "1,2");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST_FILE(test_temp_objects_are_invisible_to_other_connections),
        VM_TEST_FILE(test_temp_objects_are_gone_when_the_connection_closes),
        VM_TEST_FILE(test_temp_objects_never_reach_the_database_file),
        VM_TEST_FILE(test_a_temp_table_shadows_the_main_table_of_the_same_name),
        VM_TEST_FILE(test_database_list_shows_temp_once_it_exists),
        VM_TEST_FILE(test_a_prepared_statement_recompiles_when_a_temp_table_shadows_its_table),
        VM_TEST_FILE(test_rollback_undoes_temp_ddl_and_rows),
        VM_TEST_FILE(test_rollback_to_a_savepoint_older_than_the_temp_database_undoes_it),
        VM_TEST_FILE(test_a_failed_statement_undoes_only_its_own_temp_rows),
        VM_TEST_FILE(test_temp_ddl_errors_use_sqlite_words),
        VM_TEST_FILE(test_a_main_view_does_not_see_temp_tables),
        VM_TEST_FILE(test_temp_tables_work_on_a_read_only_database),
        VM_TEST_FILE(test_temp_writes_do_not_wait_for_another_connections_write_transaction),
        VM_TEST_FILE(test_a_trigger_on_a_temp_table_writes_main_tables_atomically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
