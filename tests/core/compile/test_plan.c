/*
 * tests/core/compile/test_plan.c: the planner's choices, seen through
 * EXPLAIN QUERY PLAN and compared with libsqlite3's lines (the oracle) for
 * rowid lookups and ranges, index equality and ranges, covering indexes,
 * NOT INDEXED and joins, and sqlite_stat1 numbers read at open; and the
 * compiler's errors for misused aggregates.
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
#include "vm.h"

static const char *const SCHEMA =
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b INT, c TEXT, d);"
    "CREATE INDEX tb ON t(b);"
    "CREATE INDEX tcd ON t(c, d);";

static const char *const QUERIES[] = {
    "SELECT * FROM t",
    "SELECT * FROM t WHERE a = 5",
    "SELECT * FROM t WHERE a > 5 AND a < 9",
    "SELECT * FROM t WHERE b = 3",
    "SELECT * FROM t WHERE b > 3",
    "SELECT * FROM t WHERE b > 3 AND b <= 9",
    "SELECT b FROM t WHERE b = 3",
    "SELECT * FROM t WHERE c = 'x' AND d = 1",
    "SELECT * FROM t WHERE c = 'x' AND d > 1",
    "SELECT * FROM t NOT INDEXED WHERE b = 3",
    "SELECT * FROM t WHERE d = 1",
    "SELECT * FROM t AS x WHERE x.b = 1",
};

/* The detail column of every plan line, joined by newlines; owned. */
static char *
sqlite_plan(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    strbuf sb;
    char buf[512];

    snprintf(buf, sizeof buf, "EXPLAIN QUERY PLAN %s", sql);
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    assert_int_equal(sqlite3_prepare_v2(db, buf, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        strbuf_puts(&sb, (const char *)sqlite3_column_text(st, 3));
        strbuf_putc(&sb, '\n');
    }
    sqlite3_finalize(st);
    return strbuf_finish(&sb);
}

static char *
chorus_plan(vm_conn *conn, const char *sql)
{
    vm_stmt *st;
    strbuf sb;
    char buf[512];

    snprintf(buf, sizeof buf, "EXPLAIN QUERY PLAN %s", sql);
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    assert_int_equal(vm_prepare(conn, buf, -1, &st, NULL), CHORUS_OK);
    while (vm_step(st) == CHORUS_ROW) {
        const value *v = vm_column(st, 3);
        strbuf_append(&sb, v->u.z, (size_t)v->n);
        strbuf_putc(&sb, '\n');
    }
    vm_finalize(st);
    return strbuf_finish(&sb);
}

static int
exec(vm_conn *conn, const char *sql)
{
    const char *tail = sql;

    while (tail != NULL && *tail) {
        vm_stmt *st;
        int rc = vm_prepare(conn, tail, -1, &st, &tail);
        if (rc != CHORUS_OK)
            return rc;
        if (st == NULL)
            break;
        rc = vm_step(st);
        vm_finalize(st);
        if (rc != CHORUS_DONE)
            return rc;
    }
    return CHORUS_OK;
}

static void
test_plans_match_sqlite_for_simple_access_paths(void **state)
{
    sqlite3 *sdb;
    vm_db *db;
    vm_conn *conn;
    char *err = NULL;
    int failures = 0;

    assert_int_equal(sqlite3_open(":memory:", &sdb), SQLITE_OK);
    assert_int_equal(sqlite3_exec(sdb, SCHEMA, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(vm_db_open(":memory:", CHORUS_OPEN_CREATE, &db, &err), CHORUS_OK);
    assert_int_equal(vm_conn_open(db, &conn), CHORUS_OK);
    assert_int_equal(exec(conn, SCHEMA), CHORUS_OK);
    for (size_t i = 0; i < sizeof QUERIES / sizeof QUERIES[0]; i++) {
        char *want = sqlite_plan(sdb, QUERIES[i]);
        char *got = chorus_plan(conn, QUERIES[i]);
        if (strcmp(want, got) != 0) {
            fprintf(stderr, "PLAN %s\n  sqlite: %s  chorus: %s", QUERIES[i], want, got);
            failures++;
        }
        free(want);
        free(got);
    }
    vm_conn_close(conn);
    vm_db_close(db);
    sqlite3_close(sdb);
    assert_int_equal(failures, 0);
}

static void
test_aggregate_in_where_is_misuse(void **state)
{
    vm_db *db;
    vm_conn *conn;
    vm_stmt *st;
    char *err = NULL;

    assert_int_equal(vm_db_open(":memory:", CHORUS_OPEN_CREATE, &db, &err), CHORUS_OK);
    assert_int_equal(vm_conn_open(db, &conn), CHORUS_OK);
    assert_int_equal(exec(conn, SCHEMA), CHORUS_OK);
    assert_int_equal(vm_prepare(conn, "SELECT b FROM t GROUP BY max(b)", -1, &st, NULL),
                     CHORUS_ERROR);
    assert_int_equal(vm_prepare(conn, "SELECT sum(max(b)) FROM t", -1, &st, NULL), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(conn), "misuse of aggregate function max()");
    assert_int_equal(vm_prepare(conn, "SELECT 1 HAVING 1", -1, &st, NULL), CHORUS_ERROR);
    assert_string_equal(vm_conn_errmsg(conn), "HAVING clause on a non-aggregate query");
    vm_conn_close(conn);
    vm_db_close(db);
}

/* Compares the plans of sql in both engines; a difference is printed and counted. */
static int
plan_differs(sqlite3 *sdb, vm_conn *conn, const char *sql)
{
    char *want = sqlite_plan(sdb, sql);
    char *got = chorus_plan(conn, sql);
    int differs = strcmp(want, got) != 0;

    if (differs)
        fprintf(stderr, "PLAN %s\n  sqlite: %s  chorus: %s", sql, want, got);
    free(want);
    free(got);
    return differs;
}

/* sqlite_stat1 rows written by hand count once the schema is read again:
 * at the next open of the file, as in SQLite (core/catalog/analyze.c AN4). */
static void
test_stat1_rows_count_from_the_next_open(void **state)
{
    static const char *const stats =
        "ANALYZE;"
        "INSERT INTO sqlite_stat1 VALUES('t','tb','1000 500'),('t','tcd','1000 1 1');";
    static const char *const query = "SELECT * FROM t WHERE b = 1 AND c = 'x'";
    char spath[512], cpath[512];
    sqlite3 *sdb;
    vm_db *db;
    vm_conn *conn;
    char *err = NULL;
    int failures = 0;

    (void)state;
    test_tmpdir();
    test_path(spath, sizeof spath, "sqlite.db");
    test_path(cpath, sizeof cpath, "chorus.db");
    assert_int_equal(sqlite3_open(spath, &sdb), SQLITE_OK);
    assert_int_equal(sqlite3_exec(sdb, SCHEMA, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(sdb, stats, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(vm_db_open(cpath, CHORUS_OPEN_CREATE, &db, &err), CHORUS_OK);
    assert_int_equal(vm_conn_open(db, &conn), CHORUS_OK);
    assert_int_equal(exec(conn, SCHEMA), CHORUS_OK);
    assert_int_equal(exec(conn, stats), CHORUS_OK);
    failures += plan_differs(sdb, conn, query);     /* the guesses still */
    vm_conn_close(conn);
    vm_db_close(db);
    sqlite3_close(sdb);
    assert_int_equal(sqlite3_open(spath, &sdb), SQLITE_OK);
    assert_int_equal(vm_db_open(cpath, 0, &db, &err), CHORUS_OK);
    assert_int_equal(vm_conn_open(db, &conn), CHORUS_OK);
    failures += plan_differs(sdb, conn, query);     /* the numbers */
    failures += plan_differs(sdb, conn, "SELECT * FROM t WHERE c = 'x'");
    vm_conn_close(conn);
    vm_db_close(db);
    sqlite3_close(sdb);
    test_tmpdir_remove();
    assert_int_equal(failures, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans_match_sqlite_for_simple_access_paths),
        cmocka_unit_test(test_stat1_rows_count_from_the_next_open),
        cmocka_unit_test(test_aggregate_in_where_is_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
