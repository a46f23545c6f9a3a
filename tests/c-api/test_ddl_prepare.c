/*
 * tests/c-api/test_ddl_prepare.c: DDL errors that sqlite3_prepare reports
 * are reported by chorus_prepare (catalog ddl_check.c DC1, vm stmt.c M7):
 * CREATE of a taken name, DROP of a missing object or of another kind,
 * CREATE INDEX on a missing table or column, CREATE TRIGGER on a missing
 * table, ALTER TABLE of a missing table or column; IF [NOT] EXISTS forms
 * prepare; a statement prepared before a schema change fails at step by
 * the schema it then finds, and again at each step until the schema
 * allows it (vm stmt.c M8). Messages from sqlite3 3.40.1 (its shell's "Parse error", which
 * marks a failed prepare).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static const char schema[] =
    "CREATE TABLE t(a, b);"
    "CREATE VIEW v AS SELECT a FROM t;"
    "CREATE INDEX ti ON t(a);"
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;";

static int
setup(void **state)
{
    return capi_fixture_setup(state, schema);
}

/* Asserts that preparing sql fails with errmsg, leaving no statement. */
static void
assert_prepare_fails(chorus_conn *conn, const char *sql, const char *errmsg)
{
    chorus_stmt *st = (chorus_stmt *)&st;

    assert_int_equal(chorus_prepare(conn, sql, -1, &st, NULL), CHORUS_ERROR);
    assert_null(st);
    assert_string_equal(chorus_errmsg(conn), errmsg);
}

/* Asserts that sql prepares, then runs to the end. */
static void
assert_prepare_runs(chorus_conn *conn, const char *sql)
{
    chorus_stmt *st = NULL;

    assert_int_equal(chorus_prepare(conn, sql, -1, &st, NULL), CHORUS_OK);
    assert_non_null(st);
    assert_int_equal(chorus_step(st), CHORUS_DONE);
    assert_int_equal(chorus_finalize(st), CHORUS_OK);
}

static void
test_create_of_a_taken_name(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    assert_prepare_fails(conn, "CREATE TABLE t(x)", "table t already exists");
    assert_prepare_fails(conn, "CREATE TABLE v(x)", "view v already exists");
    assert_prepare_fails(conn, "CREATE TABLE ti(x)", "there is already an index named ti");
    assert_prepare_fails(conn, "CREATE VIEW t AS SELECT 1", "table t already exists");
    assert_prepare_fails(conn, "CREATE INDEX ti ON t(b)", "index ti already exists");
    assert_prepare_fails(conn, "CREATE INDEX t ON t(b)", "there is already a table named t");
    assert_prepare_fails(conn, "CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END",
                         "trigger tr already exists");
    assert_prepare_fails(conn, "CREATE TABLE sqlite_x(a)",
                         "object name reserved for internal use: sqlite_x");
    assert_prepare_fails(conn, "CREATE TABLE nosuch.x(a)", "unknown database nosuch");
    assert_prepare_runs(conn, "CREATE TABLE IF NOT EXISTS t(x)");
    assert_prepare_runs(conn, "CREATE INDEX IF NOT EXISTS ti ON t(b)");
}

static void
test_drop_of_a_missing_object(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    assert_prepare_fails(conn, "DROP TABLE nosuch", "no such table: nosuch");
    assert_prepare_fails(conn, "DROP TABLE main.nosuch", "no such table: main.nosuch");
    assert_prepare_fails(conn, "DROP TABLE aux.nosuch", "no such table: aux.nosuch");
    assert_prepare_fails(conn, "DROP INDEX nosuch", "no such index: nosuch");
    assert_prepare_fails(conn, "DROP VIEW nosuch", "no such view: nosuch");
    assert_prepare_fails(conn, "DROP TRIGGER nosuch", "no such trigger: nosuch");
    assert_prepare_fails(conn, "DROP TABLE v", "use DROP VIEW to delete view v");
    assert_prepare_fails(conn, "DROP VIEW t", "use DROP TABLE to delete table t");
    assert_prepare_fails(conn, "DROP TABLE sqlite_master",
                         "table sqlite_master may not be dropped");
    assert_prepare_runs(conn, "DROP TABLE IF EXISTS nosuch");
    assert_prepare_runs(conn, "DROP INDEX IF EXISTS nosuch");
    assert_prepare_runs(conn, "DROP TRIGGER IF EXISTS aux.nosuch");
}

static void
test_index_and_trigger_targets(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    assert_prepare_fails(conn, "CREATE INDEX i ON nosuch(a)", "no such table: main.nosuch");
    assert_prepare_fails(conn, "CREATE INDEX i ON t(nosuch)", "no such column: nosuch");
    assert_prepare_fails(conn, "CREATE INDEX i ON t(a COLLATE nocase, zz)", "no such column: zz");
    assert_prepare_fails(conn, "CREATE INDEX i ON v(a)", "views may not be indexed");
    assert_prepare_fails(conn, "CREATE TRIGGER x AFTER INSERT ON nosuch BEGIN SELECT 1; END",
                         "no such table: main.nosuch");
    assert_prepare_fails(conn, "CREATE TRIGGER x AFTER INSERT ON v BEGIN SELECT 1; END",
                         "cannot create AFTER trigger on view: v");
    assert_prepare_fails(conn, "CREATE TRIGGER x INSTEAD OF INSERT ON t BEGIN SELECT 1; END",
                         "cannot create INSTEAD OF trigger on table: t");
}

static void
test_alter_of_a_missing_table_or_column(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    assert_prepare_fails(conn, "ALTER TABLE nosuch RENAME TO x", "no such table: nosuch");
    assert_prepare_fails(conn, "ALTER TABLE t RENAME TO v",
                         "there is already another table or index with this name: v");
    assert_prepare_fails(conn, "ALTER TABLE t ADD COLUMN a", "duplicate column name: a");
    assert_prepare_fails(conn, "ALTER TABLE t RENAME COLUMN zz TO yy", "no such column: \"zz\"");
    assert_prepare_fails(conn, "ALTER TABLE t DROP COLUMN zz", "no such column: \"zz\"");
    assert_prepare_fails(conn, "ALTER TABLE v ADD COLUMN c", "Cannot add a column to a view");
    assert_prepare_fails(conn, "ALTER TABLE sqlite_master ADD COLUMN c",
                         "table sqlite_master may not be altered");
}

/* Prepared while the schema allowed it, stepped after it changed: the step
 * checks again; prepared while it did not, it fails before any step. */
static void
test_schema_change_between_prepare_and_step(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;
    chorus_stmt *create = NULL, *drop = NULL;

    assert_int_equal(chorus_prepare(conn, "CREATE TABLE n(x)", -1, &create, NULL), CHORUS_OK);
    assert_int_equal(chorus_prepare(conn, "DROP TABLE n", -1, &drop, NULL), CHORUS_ERROR);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE n(y)"), CHORUS_OK);
    assert_int_equal(chorus_step(create), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "table n already exists");
    chorus_reset(create);                                   /* stmt.c M8 */
    assert_int_equal(chorus_column_count(create), 0);
    assert_int_equal(chorus_step(create), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "table n already exists");
    chorus_reset(create);
    assert_int_equal(chorus_exec(conn, "DROP TABLE n"), CHORUS_OK);
    assert_int_equal(chorus_step(create), CHORUS_DONE);
    chorus_finalize(create);
    assert_int_equal(chorus_exec(conn, "DROP TABLE n; CREATE TABLE n(y)"), CHORUS_OK);
    assert_int_equal(chorus_prepare(conn, "DROP TABLE n", -1, &drop, NULL), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "DROP TABLE n"), CHORUS_OK);
    assert_int_equal(chorus_step(drop), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "no such table: n");
    chorus_finalize(drop);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_of_a_taken_name),
        T(test_drop_of_a_missing_object),
        T(test_index_and_trigger_targets),
        T(test_alter_of_a_missing_table_or_column),
        T(test_schema_change_between_prepare_and_step),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
