/*
 * tests/sql/test_oracle.c: compares ChorusDB's answers with libsqlite3's
 * (the oracle, linked into tests only) on many queries over one schema.
 *
 * Each case runs the same setup script on a fresh database of each engine,
 * then each query; results are compared row by row as (type, text) pairs,
 * and errors must match in kind (both fail) and, for the messages listed,
 * in wording.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "value.h"
#include "vm.h"

static const char *const SETUP =
    "CREATE TABLE t1(a INTEGER PRIMARY KEY, b INT, c TEXT, d REAL, e);"
    "INSERT INTO t1 VALUES(1, 10, 'one', 1.5, NULL);"
    "INSERT INTO t1 VALUES(2, 20, 'two', 2.0, 'x');"
    "INSERT INTO t1 VALUES(3, NULL, 'Three', NULL, 3);"
    "INSERT INTO t1 VALUES(4, 20, NULL, -4.25, x'00ff');"
    "INSERT INTO t1 VALUES(5, 5, '5', 5, '5');"
    "CREATE TABLE t2(x INT, y TEXT COLLATE NOCASE, z);"
    "CREATE INDEX t2x ON t2(x);"
    "CREATE INDEX t2y ON t2(y);"
    "INSERT INTO t2 VALUES(1, 'a', 1), (2, 'B', 2), (2, 'b', 3), (NULL, 'c', 4), (10, 'A', 5);"
    "CREATE VIEW v1 AS SELECT a, b*2 AS bb FROM t1 WHERE b IS NOT NULL;";

static const char *const QUERIES[] = {
    "SELECT 1, 2.5, 'x', NULL, x'41', -9223372036854775808, 1e100",
    "SELECT 7/2, 7.0/2, 7%3, -7%3, 1/0, 5.5%2, '3'+4, 'abc'+1, 2||3",
    "SELECT NULL=NULL, NULL IS NULL, 1 IS NOT 2, 1=1.0, '1'=1, 'a'<'b', x'01'>'z'",
    "SELECT * FROM t1",
    "SELECT a, b, c FROM t1 WHERE b > 5 ORDER BY b DESC, a",
    "SELECT a FROM t1 WHERE c = 5",
    "SELECT a FROM t1 WHERE e = 5",
    "SELECT a FROM t1 WHERE e = '5'",
    "SELECT a, typeof(d), d FROM t1 ORDER BY d",
    "SELECT count(*), count(b), sum(b), avg(b), min(c), max(c), total(d) FROM t1",
    "SELECT b, count(*), group_concat(a) FROM t1 GROUP BY b ORDER BY 1",
    "SELECT b, count(*) FROM t1 GROUP BY b HAVING count(*) > 1",
    "SELECT DISTINCT b FROM t1 ORDER BY b",
    "SELECT count(DISTINCT b) FROM t1",
    "SELECT x, y FROM t2 WHERE y = 'b' ORDER BY x, z",
    "SELECT x, y, z FROM t2 WHERE x = 2 ORDER BY z",
    "SELECT z FROM t2 WHERE x IN (1, 10, NULL) ORDER BY z",
    "SELECT z FROM t2 WHERE x BETWEEN 2 AND 10 ORDER BY z",
    "SELECT z FROM t2 WHERE x > 1 ORDER BY z",
    "SELECT z FROM t2 WHERE x < 10 ORDER BY z",
    "SELECT y FROM t2 ORDER BY y, z",
    "SELECT y FROM t2 ORDER BY y COLLATE BINARY, z",
    "SELECT t1.a, t2.z FROM t1, t2 WHERE t1.a = t2.x ORDER BY 1, 2",
    "SELECT t1.a, t2.z FROM t1 LEFT JOIN t2 ON t1.a = t2.x ORDER BY 1, 2",
    "SELECT t1.a, t2.z FROM t1 LEFT JOIN t2 ON t1.a = t2.x WHERE t2.z IS NULL ORDER BY 1",
    "SELECT a, (SELECT count(*) FROM t2 WHERE t2.x = t1.a) FROM t1 ORDER BY a",
    "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE x = a) ORDER BY a",
    "SELECT a FROM t1 WHERE a IN (SELECT x FROM t2) ORDER BY a",
    "SELECT a FROM t1 WHERE a NOT IN (SELECT x FROM t2)",
    "SELECT a FROM t1 WHERE a NOT IN (SELECT x FROM t2 WHERE x IS NOT NULL) ORDER BY a",
    "SELECT (SELECT max(x) FROM t2), (SELECT y FROM t2 WHERE z = 99)",
    "SELECT a FROM t1 UNION SELECT x FROM t2",
    "SELECT a FROM t1 UNION ALL SELECT x FROM t2",
    "SELECT a FROM t1 INTERSECT SELECT x FROM t2",
    "SELECT a FROM t1 EXCEPT SELECT x FROM t2",
    "SELECT a, c FROM t1 UNION SELECT x, y FROM t2 ORDER BY 2 DESC, 1 LIMIT 4",
    "SELECT * FROM v1 ORDER BY a",
    "SELECT * FROM (SELECT a, c FROM t1 WHERE a < 4) AS s WHERE s.a > 1 ORDER BY 1",
    "WITH c(n) AS (SELECT a * 10 FROM t1) SELECT n FROM c WHERE n > 20",
    "SELECT a FROM t1 ORDER BY a LIMIT 2 OFFSET 1",
    "SELECT a FROM t1 ORDER BY a LIMIT -1 OFFSET 3",
    "SELECT CASE b WHEN 10 THEN 'ten' WHEN 20 THEN 'twenty' ELSE 'other' END FROM t1",
    "SELECT CASE WHEN b > 10 THEN 1 END FROM t1",
    "SELECT CAST('12abc' AS INTEGER), CAST(3.9 AS INTEGER), CAST(5 AS TEXT), CAST('1e2' AS REAL)",
    "SELECT 'abc' LIKE 'A%', 'abc' GLOB 'A*', 'a_c' LIKE 'a\\_c' ESCAPE '\\', NULL LIKE 'a'",
    "SELECT abs(-3), length('héllo'), upper('abc'), substr('abcdef', 2, 3), coalesce(NULL, 2)",
    "SELECT a, b FROM t1 WHERE b IS NULL OR c IS NULL",
    "SELECT NOT 0, NOT NULL, 1 AND NULL, 0 AND NULL, 1 OR NULL, 0 OR NULL",
    "SELECT max(a), c FROM t1",
    "SELECT count(*) FROM t1 WHERE 0",
    "SELECT sum(b) FROM t1 WHERE 0",
    "SELECT b FROM t1 GROUP BY b",
    "SELECT a AS k FROM t1 ORDER BY k DESC",
    "SELECT a + 1 AS k FROM t1 WHERE k > 3",
    "VALUES (1, 'a'), (2, 'b')",
    "SELECT * FROM t1 NATURAL JOIN t1 AS t",
    "SELECT * FROM t2 AS p JOIN t2 AS q USING (x) ORDER BY p.z, q.z",
    "SELECT no_such_col FROM t1",
    "SELECT * FROM no_such_table",
    "SELECT a FROM t1, t1",
    "SELECT max() FROM t1",
    "SELECT nofunc(1)",
    "SELECT a FROM t1 WHERE count(*) > 1",
    "SELECT (SELECT a, b FROM t1)",
    "SELECT a FROM t1 ORDER BY 3",
    "SELECT a FROM t1 UNION SELECT x FROM t2 ORDER BY zz",
    "SELECT rowid, oid, _rowid_ FROM t2 ORDER BY 1",
    "SELECT b, a FROM t1 WHERE b IN (20, 5) ORDER BY a",
    "SELECT a FROM t1 WHERE a IN (3, 1, 3) ",
    "SELECT a FROM t1 WHERE a > 2 AND a <= 4",
    "SELECT a FROM t1 WHERE a >= 2.5",
    "SELECT a FROM t1 WHERE a = '3'",
    /* window functions (sqlwin) */
    "SELECT a, b, row_number() OVER (ORDER BY b), rank() OVER (ORDER BY b), "
    "dense_rank() OVER (ORDER BY b DESC), percent_rank() OVER (ORDER BY b) FROM t1",
    "SELECT a, sum(b) OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), "
    "avg(d) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t1",
    "SELECT x, y, group_concat(z) OVER (PARTITION BY y ORDER BY x), "
    "count(*) OVER (ORDER BY x GROUPS 1 PRECEDING EXCLUDE TIES) FROM t2",
    "SELECT a, lag(c) OVER w, lead(c, 2, 'none') OVER w, first_value(c) OVER w, "
    "nth_value(c, 2) OVER w FROM t1 WINDOW w AS (ORDER BY a)",
    "SELECT b, count(*), sum(count(*)) OVER (ORDER BY b) FROM t1 GROUP BY b",
    "SELECT a, ntile(2) OVER (ORDER BY a), cume_dist() OVER (ORDER BY b) FROM t1",
    "SELECT x, max(z) OVER (ORDER BY x ROWS 1 PRECEDING), min(z) FILTER (WHERE z > 1) "
    "OVER (ORDER BY x) FROM t2",
    "SELECT row_number() FROM t1",
    "SELECT sum(a) OVER nowin FROM t1",
    /* RIGHT and FULL joins (sqlwin) */
    "SELECT a, x, z FROM t1 RIGHT JOIN t2 ON t1.b = t2.x * 10",
    "SELECT a, x, z FROM t1 FULL JOIN t2 ON t1.a = t2.z WHERE coalesce(t2.x, 0) < 5",
    "SELECT * FROM t2 AS p FULL JOIN t2 AS q USING (x, y)",
    /* row values (sqlwin) */
    "SELECT a, b FROM t1 WHERE (b, a) > (10, 1) ORDER BY a",
    "SELECT x, y FROM t2 WHERE (x, y) IN (SELECT b / 10, 'b' FROM t1)",
    "SELECT (1, NULL) = (1, 2), (1, NULL) < (2, 0), (a, b) BETWEEN (2, 0) AND (4, 20) FROM t1",
    "SELECT (1, 2) IN ((1, 2), (3))",
};

/* Error messages that must be word for word SQLite's. */
static const char *const EXACT_ERRORS[] = {
    "no such column: no_such_col",
    "no such table: no_such_table",
    "ambiguous column name: a",
    "wrong number of arguments to function max()",
    "no such function: nofunc",
    "sub-select returns 2 columns - expected 1",
    "1st ORDER BY term out of range - should be between 1 and 1",
    "1st ORDER BY term does not match any column in the result set",
    "misuse of window function row_number()",
    "no such window: nowin",
    "IN(...) element has 1 term - expected 2",
};

static void
render(strbuf *sb, int type, const char *text, int n)
{
    strbuf_printf(sb, "%d:", type);
    if (text != NULL)
        strbuf_append(sb, text, (size_t)n);
    strbuf_putc(sb, '|');
}

static char *
run_sqlite(sqlite3 *db, const char *sql, char **err)
{
    sqlite3_stmt *st;
    strbuf sb;
    int rc;

    *err = NULL;
    strbuf_init(&sb);
    strbuf_putc(&sb, 0);
    sb.len = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *err = strdup(sqlite3_errmsg(db));
        return strbuf_finish(&sb);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            int t = sqlite3_column_type(st, i);
            const char *z = (const char *)sqlite3_column_text(st, i);
            render(&sb, t, z, sqlite3_column_bytes(st, i));
        }
        strbuf_putc(&sb, '\n');
    }
    if (rc != SQLITE_DONE)
        *err = strdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return strbuf_finish(&sb);
}

static char *
run_chorus(vm_conn *conn, const char *sql, char **err)
{
    vm_stmt *st;
    strbuf sb;
    int rc;

    *err = NULL;
    strbuf_init(&sb);
    strbuf_putc(&sb, 0);
    sb.len = 0;
    if (vm_prepare(conn, sql, -1, &st, NULL) != CHORUS_OK) {
        *err = strdup(vm_conn_errmsg(conn));
        return strbuf_finish(&sb);
    }
    while ((rc = vm_step(st)) == CHORUS_ROW) {
        for (int i = 0; i < vm_column_count(st); i++) {
            const value *v = vm_column(st, i);
            value t;
            if (v->type == VALUE_NULL) {
                render(&sb, SQLITE_NULL, NULL, 0);
                continue;
            }
            assert_int_equal(value_to_text(v, &t), CHORUS_OK);
            render(&sb, v->type == VALUE_REAL ? SQLITE_FLOAT : v->type == VALUE_INTEGER
                        ? SQLITE_INTEGER : v->type == VALUE_TEXT ? SQLITE_TEXT : SQLITE_BLOB,
                   t.u.z, t.n);
            value_clear(&t);
        }
        strbuf_putc(&sb, '\n');
    }
    if (rc != CHORUS_DONE)
        *err = strdup(vm_conn_errmsg(conn));
    vm_finalize(st);
    return strbuf_finish(&sb);
}

static bool
error_must_match(const char *msg)
{
    for (size_t i = 0; i < sizeof EXACT_ERRORS / sizeof EXACT_ERRORS[0]; i++)
        if (strcmp(EXACT_ERRORS[i], msg) == 0)
            return true;
    return false;
}

static void
exec_chorus(vm_conn *conn, const char *sql)
{
    const char *tail = sql;

    while (tail && *tail) {
        vm_stmt *st;
        assert_int_equal(vm_prepare(conn, tail, -1, &st, &tail), CHORUS_OK);
        if (st == NULL)
            break;
        assert_int_equal(vm_step(st), CHORUS_DONE);
        vm_finalize(st);
    }
}

static void
test_every_query_matches_sqlite(void **state)
{
    sqlite3 *sdb;
    vm_db *db;
    vm_conn *conn;
    char *err = NULL;
    int failures = 0;

    assert_int_equal(sqlite3_open(":memory:", &sdb), SQLITE_OK);
    assert_int_equal(sqlite3_exec(sdb, SETUP, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(vm_db_open(":memory:", CHORUS_OPEN_CREATE, &db, &err), CHORUS_OK);
    assert_int_equal(vm_conn_open(db, &conn), CHORUS_OK);
    exec_chorus(conn, SETUP);
    for (size_t i = 0; i < sizeof QUERIES / sizeof QUERIES[0]; i++) {
        char *e1, *e2;
        char *r1 = run_sqlite(sdb, QUERIES[i], &e1);
        char *r2 = run_chorus(conn, QUERIES[i], &e2);
        bool ok = (e1 == NULL) == (e2 == NULL);
        if (ok && e1 == NULL)
            ok = strcmp(r1, r2) == 0;
        else if (ok && error_must_match(e1))
            ok = strcmp(e1, e2) == 0;
        if (!ok) {
            failures++;
            fprintf(stderr, "MISMATCH %s\n  sqlite: %s%s\n  chorus: %s%s\n", QUERIES[i],
                    e1 ? e1 : "", r1, e2 ? e2 : "", r2);
        }
        free(r1);
        free(r2);
        free(e1);
        free(e2);
    }
    vm_conn_close(conn);
    vm_db_close(db);
    sqlite3_close(sdb);
    assert_int_equal(failures, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_query_matches_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
