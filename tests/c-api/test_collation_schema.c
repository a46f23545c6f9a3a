/*
 * tests/c-api/test_collation_schema.c: application collations named by
 * tables and indexes (catalog define.c D4, record/collation_user.c CU1-CU2,
 * vm stmt.c M5): the b-trees follow the collation and pass integrity_check;
 * a connection without the collation reads the table and fails, with
 * sqlite3's message, exactly the statements that compare under it or write
 * an index ordered by it; a reopened database loads such a schema; removing
 * the collation makes statements that need it fail until it is defined again;
 * in MVCC mode a checkpoint by a connection without it leaves the rows in the
 * log.
 * Expected results from Python's sqlite3 with the same collation.
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

static const char schema[] =
    "CREATE TABLE t(a TEXT COLLATE rev, b TEXT, UNIQUE(b COLLATE rev));"
    "CREATE INDEX ta ON t(a);"
    "INSERT INTO t VALUES ('a','x'), ('c','z'), ('b','y'), ('d','w');";

/* Byte order, reversed. */
static int
reverse_compare(void *user_data, int na, const void *a, int nb, const void *b)
{
    int n = na < nb ? na : nb;
    int c = memcmp(a, b, (size_t)n);

    (void)user_data;
    if (c == 0)
        c = na - nb;
    return -c;
}

static int
setup(void **state)
{
    capi_fixture *f;

    if (capi_fixture_setup(state, NULL) != 0)
        return -1;
    f = *state;
    if (chorus_create_collation(f->conn, "rev", NULL, reverse_compare, NULL) != CHORUS_OK ||
        chorus_exec(f->conn, schema) != CHORUS_OK)
        return -1;
    return 0;
}

/* Asserts that the first row of sql (PRAGMA index_xinfo) names coll in its
 * coll column (the fifth). */
static void
index_coll_check(chorus_conn *conn, const char *sql, const char *coll)
{
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 4), coll);
    chorus_finalize(stmt);
}

static void
test_table_and_index_order_by_the_collation(void **state)
{
    capi_fixture *f = *state;

    capi_assert_query(f->conn, "SELECT group_concat(a, '') FROM (SELECT a FROM t ORDER BY a)",
                      "dcba");
    capi_assert_query(f->conn, "SELECT group_concat(a, '') FROM t INDEXED BY ta", "dcba");
    capi_assert_query(f->conn, "SELECT group_concat(a, '') FROM t WHERE a > 'b'", "a");
    capi_assert_query(f->conn,
                      "SELECT group_concat(b, '') FROM t INDEXED BY sqlite_autoindex_t_1 "
                      "WHERE b COLLATE rev < ''",
                      "zyxw");
    index_coll_check(f->conn, "PRAGMA index_xinfo('ta')", "rev");
    capi_assert_query(f->conn, "PRAGMA integrity_check", "ok");
    capi_assert_query_fails(f->conn, "INSERT INTO t VALUES ('e', 'x')", CHORUS_CONSTRAINT,
                            "UNIQUE constraint failed: t.b");
}

static void
test_connection_without_the_collation_reads_the_table(void **state)
{
    capi_fixture *f = *state;
    chorus_conn *other;

    assert_int_equal(chorus_connect(f->db, &other), CHORUS_OK);
    capi_assert_query(other, "SELECT group_concat(a || b, ',') FROM t", "ax,cz,by,dw");
    capi_assert_query_fails(other, "SELECT a FROM t WHERE a = 'b'", CHORUS_ERROR,
                            "no such collation sequence: rev");
    capi_assert_query_fails(other, "SELECT a FROM t NOT INDEXED ORDER BY a", CHORUS_ERROR,
                            "no such collation sequence: rev");
    capi_assert_query_fails(other, "SELECT a FROM t GROUP BY a", CHORUS_ERROR,
                            "no such collation sequence: rev");
    capi_assert_query_fails(other, "SELECT a FROM t WHERE a < 'b' COLLATE rev", CHORUS_ERROR,
                            "no such collation sequence: rev");
    capi_assert_query_fails(other, "PRAGMA integrity_check", CHORUS_ERROR,
                            "no such collation sequence: rev");
    assert_int_equal(chorus_exec(other, "INSERT INTO t VALUES ('e', 'v')"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(other), "no such collation sequence: rev");
    assert_int_equal(chorus_exec(other, "CREATE TABLE u(x COLLATE rev)"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(other), "no such collation sequence: rev");
    assert_int_equal(chorus_exec(other, "CREATE INDEX tb ON t(b COLLATE rev)"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(other), "no such collation sequence: rev");
    capi_assert_query(other, "SELECT count(*) FROM t", "4");
    assert_int_equal(chorus_disconnect(other), CHORUS_OK);
    capi_assert_query(f->conn, "PRAGMA integrity_check", "ok");
}

static void
test_removed_collation_fails_statements_that_need_it(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(f->conn, "SELECT a FROM t NOT INDEXED ORDER BY a", -1, &stmt,
                                    NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_create_collation(f->conn, "rev", NULL, NULL, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->conn), "no such collation sequence: rev");
    assert_int_equal(chorus_exec(f->conn, "DELETE FROM t WHERE a = 'a'"), CHORUS_ERROR);
    capi_assert_query(f->conn, "SELECT count(*) FROM t", "4");
    assert_int_equal(chorus_create_collation(f->conn, "REV", NULL, reverse_compare, NULL),
                     CHORUS_OK);
    chorus_reset(stmt);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "d");
    chorus_finalize(stmt);
    assert_int_equal(chorus_exec(f->conn, "DELETE FROM t WHERE a = 'a'"), CHORUS_OK);
    capi_assert_query(f->conn, "PRAGMA integrity_check", "ok");
}

static void
test_reopened_database_loads_a_schema_naming_the_collation(void **state)
{
    char dir[] = "/tmp/chorus-collXXXXXX", path[64];
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.db", dir);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_create_collation(conn, "rev", NULL, reverse_compare, NULL), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, schema), CHORUS_OK);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);

    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    capi_assert_query(conn, "SELECT group_concat(a || b, '') FROM t", "axczbydw");
    capi_assert_query_fails(conn, "SELECT max(a) FROM t", CHORUS_ERROR,
                            "no such collation sequence: rev");
    assert_int_equal(chorus_create_collation(conn, "rev", NULL, reverse_compare, NULL), CHORUS_OK);
    capi_assert_query(conn, "SELECT max(a) FROM t", "a");
    capi_assert_query(conn, "PRAGMA integrity_check", "ok");
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    unlink(path);
    rmdir(dir);
}

/* store/mvcc_mode.c MM7: a checkpoint run by a connection without the
 * collation leaves the rows in the log instead of misplacing them. */
static void
test_mvcc_checkpoint_needs_the_collation(void **state)
{
    char dir[] = "/tmp/chorus-collXXXXXX", path[64], buf[64];
    chorus_db *db;
    chorus_conn *conn, *other;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/m.db", dir);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &other), CHORUS_OK);
    assert_int_equal(chorus_create_collation(conn, "rev", NULL, reverse_compare, NULL), CHORUS_OK);
    assert_int_equal(capi_query_text(conn, "PRAGMA journal_mode = 'mvcc'", buf, sizeof buf),
                     CHORUS_ROW);
    assert_int_equal(chorus_exec(conn, schema), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE plain(x)"), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES ('e', 'v'), ('f', 'u')"), CHORUS_OK);
    assert_int_equal(chorus_exec(other, "INSERT INTO plain VALUES (1)"), CHORUS_OK);
    assert_int_not_equal(capi_query_text(other, "PRAGMA wal_checkpoint(TRUNCATE)", buf,
                                         sizeof buf),
                         CHORUS_ROW);
    capi_assert_query(conn, "PRAGMA wal_checkpoint(TRUNCATE)", "0");
    capi_assert_query(conn, "PRAGMA integrity_check", "ok");
    capi_assert_query(conn, "SELECT group_concat(a, '') FROM t INDEXED BY ta WHERE a > 'z'",
                      "fedcba");
    assert_int_equal(chorus_disconnect(other), CHORUS_OK);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
    assert_int_equal(system(buf), 0);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_table_and_index_order_by_the_collation),
        T(test_connection_without_the_collation_reads_the_table),
        T(test_removed_collation_fails_statements_that_need_it),
        cmocka_unit_test(test_reopened_database_loads_a_schema_naming_the_collation),
        cmocka_unit_test(test_mvcc_checkpoint_needs_the_collation),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
