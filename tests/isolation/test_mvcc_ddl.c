/*
 * tests/isolation/test_mvcc_ddl.c: schema changes in journal_mode=mvcc
 * through chorus.h (core/vm/mvcc_mode.c VM4, mvcc R21): DDL runs as the
 * exclusive writer after a full checkpoint, so CREATE INDEX, DROP, ALTER
 * and VACUUM see every commit the version store holds; new indexes are
 * versioned like rows and used by queries; a write transaction that began
 * before a committed schema change fails at COMMIT with
 * CHORUS_CONFLICT_SCHEMA; a dropped table's root, when reused, shows
 * nothing of the old table; a transaction that starts with CREATE TABLE
 * keeps its rows in the version store; PRAGMA foreign_key_check reads
 * through the store (fkcheck.c FK5). Expected values follow SQLite's
 * answers for the same statements.
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

#include "chorus.h"
#include "test_support.h"

typedef struct fixture {
    chorus_db *db;
    chorus_conn *a, *b;
    char path[512];
} fixture;

static int
setup(void **state)
{
    static fixture f;
    chorus_stmt *stmt;

    if (test_tmpdir() == NULL)
        return -1;
    test_path(f.path, sizeof f.path, "d.db");
    unlink(f.path);
    if (chorus_open(f.path, 0, &f.db) != CHORUS_OK || chorus_connect(f.db, &f.a) != CHORUS_OK ||
        chorus_connect(f.db, &f.b) != CHORUS_OK)
        return -1;
    if (chorus_exec(f.a, "CREATE TABLE t(id INTEGER PRIMARY KEY, x INT, y TEXT)") != CHORUS_OK)
        return -1;
    if (chorus_prepare(f.a, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) != CHORUS_OK ||
        chorus_step(stmt) != CHORUS_ROW || strcmp(chorus_column_text(stmt, 0), "mvcc") != 0)
        return -1;
    chorus_finalize(stmt);
    /* Commits that only the version store holds (no checkpoint yet). */
    if (chorus_exec(f.a, "INSERT INTO t VALUES (1, 30, 'c'), (2, 10, 'a'), (3, 20, 'b');"
                         "UPDATE t SET x = 40 WHERE id = 1; DELETE FROM t WHERE id = 3;"
                         "INSERT INTO t VALUES (4, 10, 'd')") != CHORUS_OK)
        return -1;
    chorus_busy_timeout(f.a, 200);
    chorus_busy_timeout(f.b, 200);
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

static void
exec_ok(chorus_conn *conn, const char *sql)
{
    int rc = chorus_exec(conn, sql);
    if (rc != CHORUS_OK)
        fail_msg("%s: %d %s", sql, rc, chorus_errmsg(conn));
}

/* The rows of sql, columns joined by '|', rows by ','. */
static const char *
rows_of(chorus_conn *conn, const char *sql)
{
    static char buf[512];
    chorus_stmt *stmt;
    size_t n = 0;
    int rc;

    buf[0] = 0;
    if (chorus_prepare(conn, sql, -1, &stmt, NULL) != CHORUS_OK)
        fail_msg("%s: %s", sql, chorus_errmsg(conn));
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        for (int i = 0; i < chorus_column_count(stmt); i++) {
            const char *v = (const char *)chorus_column_text(stmt, i);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "|" : (n ? "," : ""),
                                  v ? v : "NULL");
        }
    }
    if (rc != CHORUS_DONE)
        fail_msg("%s: %d %s", sql, rc, chorus_errmsg(conn));
    chorus_finalize(stmt);
    return buf;
}

static void
test_create_index_sees_uncheckpointed_commits_and_is_used(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "CREATE INDEX t_x ON t(x)");
    assert_non_null(strstr(rows_of(f->a, "EXPLAIN QUERY PLAN SELECT id FROM t WHERE x = 10"),
                           "SEARCH t USING COVERING INDEX t_x (x=?)"));
    assert_string_equal(rows_of(f->a, "SELECT id FROM t WHERE x = 10"), "2,4");
    /* Later writes keep the index in step through the version store. */
    exec_ok(f->b, "UPDATE t SET x = 10 WHERE id = 1; DELETE FROM t WHERE id = 2");
    assert_string_equal(rows_of(f->a, "SELECT id FROM t WHERE x = 10"), "1,4");
    assert_string_equal(rows_of(f->a, "SELECT id FROM t WHERE x > 5 ORDER BY x, id"), "1,4");
    assert_string_equal(rows_of(f->a, "PRAGMA integrity_check"), "ok");
}

static void
test_unique_index_is_checked_against_every_commit(void **state)
{
    fixture *f = *state;

    assert_int_equal(chorus_exec(f->a, "CREATE UNIQUE INDEX t_x ON t(x)"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->a), "UNIQUE constraint failed: t.x");
    exec_ok(f->a, "CREATE UNIQUE INDEX t_y ON t(y)");
    assert_int_equal(chorus_exec(f->b, "INSERT INTO t VALUES (5, 1, 'a')"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->b), "UNIQUE constraint failed: t.y");
}

static void
test_writer_that_began_before_a_schema_change_fails_at_commit(void **state)
{
    fixture *f = *state;

    exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO t VALUES (7, 70, 'g')");
    exec_ok(f->a, "CREATE TABLE u(a)");
    assert_int_equal(chorus_exec(f->b, "COMMIT"), CHORUS_CONFLICT);
    assert_int_equal(chorus_extended_errcode(f->b), CHORUS_CONFLICT_SCHEMA);
    assert_non_null(strstr(chorus_errmsg(f->b), "schema changed since the transaction began"));
    assert_int_equal(chorus_in_transaction(f->b), 0);
    assert_string_equal(rows_of(f->b, "SELECT count(*) FROM t WHERE id = 7"), "0");
    /* A reader that began before commits; a new writer succeeds. */
    exec_ok(f->b, "BEGIN CONCURRENT; SELECT * FROM t");
    exec_ok(f->a, "CREATE INDEX t_y ON t(y)");
    exec_ok(f->b, "COMMIT");
    exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO t VALUES (7, 70, 'g'); COMMIT");
    /* Autocommit writes retry by themselves. */
    exec_ok(f->b, "INSERT INTO u VALUES (1)");
}

static void
test_schema_change_inside_begin_concurrent_is_refused(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->a, "CREATE TABLE v(a)"), CHORUS_ERROR);
    assert_non_null(strstr(chorus_errmsg(f->a), "BEGIN CONCURRENT"));
    exec_ok(f->a, "ROLLBACK");
    exec_ok(f->a, "BEGIN; INSERT INTO t VALUES (8, 80, 'h')");
    assert_int_equal(chorus_exec(f->a, "CREATE INDEX t_y ON t(y)"), CHORUS_ERROR);
    assert_non_null(strstr(chorus_errmsg(f->a), "after row changes in the same transaction"));
    exec_ok(f->a, "CREATE TABLE v(a); INSERT INTO v VALUES (1); COMMIT");
    assert_string_equal(rows_of(f->b, "SELECT count(*) FROM t, v WHERE t.id = 8"), "1");
}

static void
test_transaction_starting_with_create_table_writes_through_the_version_store(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "BEGIN; CREATE TABLE n(k INTEGER PRIMARY KEY, v UNIQUE);"
                  "INSERT INTO n VALUES (1, 'a'), (2, 'b'); UPDATE n SET v = 'c' WHERE k = 2");
    /* The exclusive writer holds the gate: b's write waits, then gives up. */
    assert_int_equal(chorus_exec(f->b, "UPDATE t SET y = 'z' WHERE id = 1"), CHORUS_BUSY);
    exec_ok(f->a, "COMMIT");
    exec_ok(f->b, "BEGIN CONCURRENT; UPDATE n SET v = 'x' WHERE k = 1");
    assert_int_equal(chorus_exec(f->a, "UPDATE n SET v = 'y' WHERE k = 1"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->a), "conflict: key ('a') of index sqlite_autoindex_n_1 "
                                             "was changed by a concurrent transaction");
    exec_ok(f->b, "COMMIT");
    assert_string_equal(rows_of(f->a, "SELECT * FROM n ORDER BY k"), "1|x,2|c");
}

static void
test_dropped_table_root_reused_shows_nothing_old(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "CREATE TABLE big(k INTEGER PRIMARY KEY, v)");
    exec_ok(f->a, "CREATE INDEX big_v ON big(v)");
    exec_ok(f->a, "INSERT INTO big VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    exec_ok(f->b, "BEGIN; SELECT * FROM big");              /* an older reader */
    exec_ok(f->a, "DROP TABLE big; CREATE TABLE fresh(k INTEGER PRIMARY KEY, w)");
    exec_ok(f->a, "CREATE INDEX fresh_w ON fresh(w)");
    assert_string_equal(rows_of(f->a, "SELECT count(*) FROM fresh"), "0");
    assert_string_equal(rows_of(f->a, "SELECT count(*) FROM fresh WHERE w > ''"), "0");
    exec_ok(f->a, "INSERT INTO fresh VALUES (1, 'new')");
    assert_string_equal(rows_of(f->a, "SELECT * FROM fresh"), "1|new");
    /* The older reader must not read the reused trees as its table. */
    assert_int_equal(chorus_exec(f->b, "SELECT * FROM big"), CHORUS_CONFLICT);
    assert_int_equal(chorus_extended_errcode(f->b), CHORUS_CONFLICT_SCHEMA);
    exec_ok(f->b, "ROLLBACK");
    assert_string_equal(rows_of(f->b, "SELECT * FROM fresh"), "1|new");
}

static void
test_alter_and_vacuum_keep_every_commit(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "ALTER TABLE t ADD COLUMN z DEFAULT 'zz'");
    exec_ok(f->a, "UPDATE t SET z = 'q' WHERE id = 2");
    exec_ok(f->a, "ALTER TABLE t DROP COLUMN y");
    assert_string_equal(rows_of(f->a, "SELECT * FROM t"), "1|40|zz,2|10|q,4|10|zz");
    exec_ok(f->a, "ALTER TABLE t RENAME TO t2");
    exec_ok(f->a, "INSERT INTO t2 VALUES (5, 50, 'e')");
    exec_ok(f->a, "VACUUM");
    assert_string_equal(rows_of(f->b, "SELECT * FROM t2"), "1|40|zz,2|10|q,4|10|zz,5|50|e");
    assert_string_equal(rows_of(f->b, "PRAGMA integrity_check"), "ok");
}

/* A schema change's statements and savepoints undo its B-tree side too. */
static void
test_failed_and_rolled_back_schema_changes_leave_no_trace(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "INSERT INTO t VALUES (5, 10, 'e')");
    assert_int_equal(chorus_exec(f->a, "CREATE UNIQUE INDEX u ON t(x)"), CHORUS_CONSTRAINT);
    exec_ok(f->a, "BEGIN; CREATE TABLE w(a); SAVEPOINT e; CREATE INDEX wi ON w(a);"
                  "INSERT INTO w VALUES (1); ROLLBACK TO e; INSERT INTO w VALUES (2); COMMIT");
    assert_string_equal(rows_of(f->b, "SELECT name FROM sqlite_schema ORDER BY name"), "t,w");
    assert_string_equal(rows_of(f->b, "SELECT * FROM w"), "2");
    exec_ok(f->a, "SAVEPOINT d");
    assert_int_equal(chorus_exec(f->a, "CREATE TABLE z(a)"), CHORUS_ERROR);
    assert_non_null(strstr(chorus_errmsg(f->a), "inside a SAVEPOINT"));
    exec_ok(f->a, "ROLLBACK");
}

/* core/catalog/fkcheck.c FK5: the check reads what the transaction sees. */
static void
test_foreign_key_check_sees_the_transactions_view(void **state)
{
    fixture *f = *state;

    exec_ok(f->a, "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(x, pid REFERENCES p(id));"
                  "INSERT INTO p VALUES (1); INSERT INTO c VALUES ('a', 1), ('b', 2)");
    assert_string_equal(rows_of(f->a, "PRAGMA foreign_key_check"), "c|2|p|0");
    exec_ok(f->a, "BEGIN; INSERT INTO p VALUES (2); INSERT INTO c VALUES ('z', 3)");
    assert_string_equal(rows_of(f->a, "PRAGMA foreign_key_check"), "c|3|p|0");
    assert_string_equal(rows_of(f->b, "PRAGMA foreign_key_check(c)"), "c|2|p|0");
    exec_ok(f->a, "ROLLBACK");
}

static void
test_stock_sqlite3_reads_the_changed_schema_after_close(void **state)
{
    fixture *f = *state;
    char cmd[700];
    char *out = NULL;

    exec_ok(f->a, "CREATE INDEX t_x ON t(x); INSERT INTO t VALUES (9, 10, 'i');"
                  "DROP INDEX t_x; CREATE INDEX t_xy ON t(x, y)");
    chorus_disconnect(f->a);
    chorus_disconnect(f->b);
    assert_int_equal(chorus_close(f->db), CHORUS_OK);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' 'PRAGMA integrity_check; SELECT group_concat(id) FROM t "
             "WHERE x = 10; SELECT name FROM sqlite_schema ORDER BY name'", f->path);
    assert_int_equal(test_run_command(cmd, NULL, &out, NULL), 0);
    assert_string_equal(out, "ok\n2,4,9\nt\nt_xy\n");
    free(out);
    assert_int_equal(chorus_open(f->path, 0, &f->db), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->a), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->b), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_index_sees_uncheckpointed_commits_and_is_used,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_index_is_checked_against_every_commit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_writer_that_began_before_a_schema_change_fails_at_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_change_inside_begin_concurrent_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_transaction_starting_with_create_table_writes_through_the_version_store, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_dropped_table_root_reused_shows_nothing_old, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_alter_and_vacuum_keep_every_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_and_rolled_back_schema_changes_leave_no_trace,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_key_check_sees_the_transactions_view, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stock_sqlite3_reads_the_changed_schema_after_close,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
