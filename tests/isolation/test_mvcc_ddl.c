/*
 * tests/isolation/test_mvcc_ddl.c: schema changes in journal_mode=mvcc
 * through chorus.h (core/vm/mvcc_mode.c VM4, mvcc R21): DDL runs as the
 * exclusive writer after a full checkpoint, so CREATE INDEX, DROP, ALTER
 * and VACUUM see every commit the version store holds; new indexes are
 * versioned like rows and used by queries; a write transaction that began
 * before a committed schema change fails at COMMIT with
 * CHORUS_CONFLICT_SCHEMA; a dropped table's root, when reused, shows
 * nothing of the old table; a transaction that starts with CREATE TABLE
 * keeps its rows in the version store; migrations run DDL after their own
 * row changes and inside SAVEPOINTs (ROLLBACK TO undoes both sides, the
 * commit is one WAL commit that stock sqlite3 reads); PRAGMA foreign_key_check reads
 * through the store (fkcheck.c FK5); WITHOUT ROWID tables are allowed
 * (VM9). Expected values follow SQLite's
 * answers for the same statements.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chorus.h"
#include "mvcc_fixture.h"
#include "mvcc_workers.h"
#include "test_support.h"

static int
setup(void **state)
{
    static mvcc_pair p;

    if (mvcc_pair_setup(state, &p, "d.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, x INT, y TEXT)",
                        200) != 0)
        return -1;
    /* Commits that only the version store holds (no checkpoint yet). */
    return chorus_exec(p.a, "INSERT INTO t VALUES (1, 30, 'c'), (2, 10, 'a'), (3, 20, 'b');"
                            "UPDATE t SET x = 40 WHERE id = 1; DELETE FROM t WHERE id = 3;"
                            "INSERT INTO t VALUES (4, 10, 'd')") == CHORUS_OK ? 0 : -1;
}

static void
test_create_index_sees_uncheckpointed_commits_and_is_used(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "CREATE INDEX t_x ON t(x)");
    assert_non_null(strstr(mvcc_rows_of(f->a, "EXPLAIN QUERY PLAN SELECT id FROM t WHERE x = 10"),
                           "SEARCH t USING COVERING INDEX t_x (x=?)"));
    assert_string_equal(mvcc_rows_of(f->a, "SELECT id FROM t WHERE x = 10"), "2,4");
    /* Later writes keep the index in step through the version store. */
    mvcc_exec_ok(f->b, "UPDATE t SET x = 10 WHERE id = 1; DELETE FROM t WHERE id = 2");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT id FROM t WHERE x = 10"), "1,4");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT id FROM t WHERE x > 5 ORDER BY x, id"), "1,4");
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA integrity_check"), "ok");
}

static void
test_unique_index_is_checked_against_every_commit(void **state)
{
    mvcc_pair *f = *state;

    assert_int_equal(chorus_exec(f->a, "CREATE UNIQUE INDEX t_x ON t(x)"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->a), "UNIQUE constraint failed: t.x");
    mvcc_exec_ok(f->a, "CREATE UNIQUE INDEX t_y ON t(y)");
    assert_int_equal(chorus_exec(f->b, "INSERT INTO t VALUES (5, 1, 'a')"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->b), "UNIQUE constraint failed: t.y");
}

static void
test_writer_that_began_before_a_schema_change_fails_at_commit(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO t VALUES (7, 70, 'g')");
    mvcc_exec_ok(f->a, "CREATE TABLE u(a)");
    assert_int_equal(chorus_exec(f->b, "COMMIT"), CHORUS_CONFLICT);
    assert_int_equal(chorus_extended_errcode(f->b), CHORUS_CONFLICT_SCHEMA);
    assert_non_null(strstr(chorus_errmsg(f->b), "schema changed since the transaction began"));
    assert_int_equal(chorus_in_transaction(f->b), 0);
    assert_string_equal(mvcc_rows_of(f->b, "SELECT count(*) FROM t WHERE id = 7"), "0");
    /* A reader that began before commits; a new writer succeeds. */
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; SELECT * FROM t");
    mvcc_exec_ok(f->a, "CREATE INDEX t_y ON t(y)");
    mvcc_exec_ok(f->b, "COMMIT");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO t VALUES (7, 70, 'g'); COMMIT");
    /* Autocommit writes retry by themselves. */
    mvcc_exec_ok(f->b, "INSERT INTO u VALUES (1)");
}

static void
test_schema_change_inside_begin_concurrent_is_refused(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->a, "CREATE TABLE v(a)"), CHORUS_ERROR);
    assert_non_null(strstr(chorus_errmsg(f->a), "BEGIN CONCURRENT"));
    mvcc_exec_ok(f->a, "ROLLBACK");
    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO t VALUES (8, 80, 'h')");
    mvcc_exec_ok(f->a, "CREATE TABLE v(a); INSERT INTO v VALUES (1); COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT count(*) FROM t, v WHERE t.id = 8"), "1");
}

/* core/vm/mvcc_mode.c VM9: WITHOUT ROWID tables are versioned
 * (test_mvcc_without_rowid.c): created in MVCC mode, or there before it. */
static void
test_without_rowid_tables_are_allowed_in_mvcc_mode(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID;"
                       "INSERT INTO w VALUES (1, 'a')");
    mvcc_exec_ok(f->a, "CREATE TEMP TABLE tw(k PRIMARY KEY, v) WITHOUT ROWID;"
                       "INSERT INTO tw VALUES (1, 'a'); DROP TABLE tw");
    mvcc_exec_ok(f->a, "PRAGMA journal_mode = wal");
    mvcc_exec_ok(f->a, "CREATE TABLE w2(k PRIMARY KEY, v) WITHOUT ROWID");
    mvcc_exec_ok(f->a, "PRAGMA journal_mode = mvcc; INSERT INTO w2 SELECT * FROM w");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM w2"), "1|a");
    assert_string_equal(mvcc_rows_of(f->b, "PRAGMA journal_mode"), "mvcc");
}

static void
test_transaction_starting_with_create_table_writes_through_the_version_store(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN; CREATE TABLE n(k INTEGER PRIMARY KEY, v UNIQUE);"
                       "INSERT INTO n VALUES (1, 'a'), (2, 'b'); UPDATE n SET v = 'c' WHERE k = 2");
    /* The exclusive writer holds the gate: b's write waits, then gives up. */
    assert_int_equal(chorus_exec(f->b, "UPDATE t SET y = 'z' WHERE id = 1"), CHORUS_BUSY);
    mvcc_exec_ok(f->a, "COMMIT");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; UPDATE n SET v = 'x' WHERE k = 1");
    assert_int_equal(chorus_exec(f->a, "UPDATE n SET v = 'y' WHERE k = 1"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->a), "conflict: key ('a') of index sqlite_autoindex_n_1 "
                                             "was changed by a concurrent transaction");
    mvcc_exec_ok(f->b, "COMMIT");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT * FROM n ORDER BY k"), "1|x,2|c");
}

static void
test_dropped_table_root_reused_shows_nothing_old(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "CREATE TABLE big(k INTEGER PRIMARY KEY, v)");
    mvcc_exec_ok(f->a, "CREATE INDEX big_v ON big(v)");
    mvcc_exec_ok(f->a, "INSERT INTO big VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    mvcc_exec_ok(f->b, "BEGIN; SELECT * FROM big");              /* an older reader */
    mvcc_exec_ok(f->a, "DROP TABLE big; CREATE TABLE fresh(k INTEGER PRIMARY KEY, w)");
    mvcc_exec_ok(f->a, "CREATE INDEX fresh_w ON fresh(w)");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT count(*) FROM fresh"), "0");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT count(*) FROM fresh WHERE w > ''"), "0");
    mvcc_exec_ok(f->a, "INSERT INTO fresh VALUES (1, 'new')");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT * FROM fresh"), "1|new");
    /* The older reader must not read the reused trees as its table. */
    assert_int_equal(chorus_exec(f->b, "SELECT * FROM big"), CHORUS_CONFLICT);
    assert_int_equal(chorus_extended_errcode(f->b), CHORUS_CONFLICT_SCHEMA);
    mvcc_exec_ok(f->b, "ROLLBACK");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM fresh"), "1|new");
}

static void
test_alter_and_vacuum_keep_every_commit(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "ALTER TABLE t ADD COLUMN z DEFAULT 'zz'");
    mvcc_exec_ok(f->a, "UPDATE t SET z = 'q' WHERE id = 2");
    mvcc_exec_ok(f->a, "ALTER TABLE t DROP COLUMN y");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT * FROM t"), "1|40|zz,2|10|q,4|10|zz");
    mvcc_exec_ok(f->a, "ALTER TABLE t RENAME TO t2");
    mvcc_exec_ok(f->a, "INSERT INTO t2 VALUES (5, 50, 'e')");
    mvcc_exec_ok(f->a, "VACUUM");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM t2"), "1|40|zz,2|10|q,4|10|zz,5|50|e");
    assert_string_equal(mvcc_rows_of(f->b, "PRAGMA integrity_check"), "ok");
}

/* A schema change's statements and savepoints undo its B-tree side too. */
static void
test_failed_and_rolled_back_schema_changes_leave_no_trace(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "INSERT INTO t VALUES (5, 10, 'e')");
    assert_int_equal(chorus_exec(f->a, "CREATE UNIQUE INDEX u ON t(x)"), CHORUS_CONSTRAINT);
    mvcc_exec_ok(f->a, "BEGIN; CREATE TABLE w(a); SAVEPOINT e; CREATE INDEX wi ON w(a);"
                       "INSERT INTO w VALUES (1); ROLLBACK TO e; INSERT INTO w VALUES (2); COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT name FROM sqlite_schema ORDER BY name"), "t,w");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM w"), "2");
    /* ROLLBACK undoes the rows written before the DDL and after it. */
    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO w VALUES (3); UPDATE t SET x = 0;"
                       "CREATE INDEX t_x ON t(x);"
                       "DELETE FROM t WHERE id = 1; ALTER TABLE t DROP COLUMN y; ROLLBACK");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM t ORDER BY id"),
                        "1|40|c,2|10|a,4|10|d,5|10|e");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM w"), "2");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT name FROM sqlite_schema ORDER BY name"), "t,w");
}

/* A migration (Django, Alembic, Rails): DDL after the transaction's own row
 * changes sees them, and a concurrent writer fails at COMMIT. */
static void
test_migration_after_own_row_changes(void **state)
{
    mvcc_pair *f = *state;
    char cmd[700];
    char *out = NULL;

    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO t VALUES (20, 200, 'v')");
    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO t VALUES (8, 80, 'h'); UPDATE t SET x = 11 WHERE id = 2;"
                       "DELETE FROM t WHERE id = 4; CREATE INDEX t_x ON t(x)");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT id FROM t WHERE x > 10 ORDER BY x"), "2,1,8");
    /* Others see nothing of it before COMMIT. */
    assert_string_equal(mvcc_rows_of(f->b, "SELECT count(*) FROM t WHERE id IN (4, 8)"), "1");
    mvcc_exec_ok(f->a, "ALTER TABLE t ADD COLUMN z DEFAULT 'zz';"
                       "INSERT INTO t VALUES (9, 90, 'i', 'q');"
                       "ALTER TABLE t DROP COLUMN y; CREATE TABLE m(k INTEGER PRIMARY KEY, v);"
                       "INSERT INTO m SELECT id, x FROM t; CREATE UNIQUE INDEX m_v ON m(v)");
    mvcc_exec_ok(f->a, "COMMIT");
    assert_int_equal(chorus_exec(f->b, "COMMIT"), CHORUS_CONFLICT);
    assert_int_equal(chorus_extended_errcode(f->b), CHORUS_CONFLICT_SCHEMA);
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM t ORDER BY id"),
                        "1|40|zz,2|11|zz,8|80|zz,9|90|q");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT k, v FROM m WHERE v > 0 ORDER BY v"),
                        "2|11,1|40,8|80,9|90");
    chorus_disconnect(f->a);
    chorus_disconnect(f->b);
    assert_int_equal(chorus_close(f->db), CHORUS_OK);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' 'PRAGMA integrity_check; SELECT group_concat(id) FROM t WHERE x > 10; "
             "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema ORDER BY name)'",
             f->path);
    assert_int_equal(test_run_command(cmd, NULL, &out, NULL), 0);
    assert_string_equal(out, "ok\n2,1,8,9\nm,m_v,t,t_x\n");
    free(out);
    assert_int_equal(chorus_open(f->path, 0, &f->db), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->a), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->b), CHORUS_OK);
    assert_string_equal(mvcc_rows_of(f->a, "SELECT * FROM m ORDER BY k"), "1|40,2|11,8|80,9|90");
}

/* In a child that ends without closing (a crash after COMMIT returned): a
 * committed migration, then one left open. Exit status 0 when both ran. */
static int
crash_after_migrations(const char *path)
{
    chorus_db *db;
    chorus_conn *conn;

    if (chorus_open(path, 0, &db) != CHORUS_OK || chorus_connect(db, &conn) != CHORUS_OK)
        return 1;
    if (chorus_exec(conn, "BEGIN; INSERT INTO t VALUES (8, 80, 'h'); CREATE INDEX t_x ON t(x);"
                          "INSERT INTO t VALUES (9, 90, 'i'); COMMIT") != CHORUS_OK)
        return 2;
    if (chorus_exec(conn, "BEGIN; DELETE FROM t; CREATE TABLE lost(a); INSERT INTO lost VALUES (1)")
        != CHORUS_OK)
        return 3;
    return 0;
}

/* Recovery after a crash: the committed migration is whole (its log frame
 * replays over the B-tree that already holds it), the open one is gone. */
static void
test_crash_keeps_committed_migrations_whole(void **state)
{
    mvcc_pair *f = *state;
    int status;
    pid_t child;

    chorus_disconnect(f->a);
    chorus_disconnect(f->b);
    assert_int_equal(chorus_close(f->db), CHORUS_OK);
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(crash_after_migrations(f->path));
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(chorus_open(f->path, 0, &f->db), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->a), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->b), CHORUS_OK);
    assert_string_equal(mvcc_rows_of(f->a, "SELECT id FROM t WHERE x >= 10 ORDER BY x"), "2,4,1,8,9");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT name FROM sqlite_schema ORDER BY name"), "t,t_x");
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA integrity_check"), "ok");
}

/* SAVEPOINTs around DDL: ROLLBACK TO undoes the schema and the rows after it. */
static void
test_schema_changes_inside_savepoints(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO t VALUES (5, 50, 'e'); SAVEPOINT s1;"
                       "INSERT INTO t VALUES (6, 60, 'f'); CREATE TABLE m(a);"
                       "INSERT INTO m VALUES (1);"
                       "CREATE INDEX t_x ON t(x); ROLLBACK TO s1");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT name FROM sqlite_schema"), "t");
    mvcc_exec_ok(f->a, "INSERT INTO t VALUES (7, 70, 'g'); SAVEPOINT s2;"
                       "DELETE FROM t WHERE id = 1;"
                       "CREATE INDEX t_y ON t(y)");
    assert_string_equal(mvcc_rows_of(f->a, "SELECT id FROM t WHERE y > 'a' ORDER BY y"), "4,5,7");
    mvcc_exec_ok(f->a, "RELEASE s2; SAVEPOINT s3; UPDATE t SET x = 0; CREATE TABLE gone(a);"
                       "ROLLBACK TO s3; RELEASE s3; COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM t ORDER BY id"),
                        "2|10|a,4|10|d,5|50|e,7|70|g");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT name FROM sqlite_schema ORDER BY name"), "t,t_y");
    assert_string_equal(mvcc_rows_of(f->b, "PRAGMA integrity_check"), "ok");
}

enum { MIGRATIONS = 40 };

static _Atomic bool migrations_over;

/* Migrations that each write two rows of k, one before its DDL and one
 * after, and count themselves in c (an update: the store keeps the old
 * version, the B-tree gets the new one); returns the first failing code as a pointer-sized int. */
static void *
migrate_in_pairs(void *arg)
{
    chorus_conn *conn = arg;
    char sql[200];

    for (int i = 0; i < MIGRATIONS; i++) {
        snprintf(sql, sizeof sql, "BEGIN; INSERT INTO k(v) VALUES (%d); UPDATE c SET n = n + 1;"
                                  "CREATE TABLE x%d(a);"
                                  "INSERT INTO k(v) VALUES (%d); COMMIT", i, i, i);
        int rc = chorus_exec(conn, sql);
        if (rc != CHORUS_OK) {
            migrations_over = true;
            return (void *)(intptr_t)rc;
        }
    }
    migrations_over = true;
    return NULL;
}

/* VM4/VM6: a migration's rows reach the B-tree before its version store
 * commit; no reader may begin with a B-tree that holds them while its
 * snapshot lacks them (it would see new rows of k with the old count). */
static void
test_readers_never_see_part_of_a_migration(void **state)
{
    mvcc_pair *f = *state;
    pthread_t writer;
    void *result;
    bool over;

    mvcc_exec_ok(f->a, "CREATE TABLE k(id INTEGER PRIMARY KEY, v); CREATE TABLE c(n);"
                       "INSERT INTO c VALUES (0)");
    migrations_over = false;
    assert_int_equal(pthread_create(&writer, NULL, migrate_in_pairs, f->a), 0);
    do {
        over = migrations_over;
        assert_string_equal(mvcc_rows_of(f->b, "SELECT (SELECT count(*) FROM k) - 2 * n FROM c"), "0");
    } while (!over);
    assert_int_equal(pthread_join(writer, &result), 0);
    assert_null(result);
    assert_string_equal(mvcc_rows_of(f->b, "SELECT count(*), sum(v) FROM k"), "80|1560");
}

/* core/catalog/fkcheck.c FK5: the check reads what the transaction sees. */
static void
test_foreign_key_check_sees_the_transactions_view(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "CREATE TABLE p(id INTEGER PRIMARY KEY);"
                       "CREATE TABLE c(x, pid REFERENCES p(id));"
                       "INSERT INTO p VALUES (1); INSERT INTO c VALUES ('a', 1), ('b', 2)");
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA foreign_key_check"), "c|2|p|0");
    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO p VALUES (2); INSERT INTO c VALUES ('z', 3)");
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA foreign_key_check"), "c|3|p|0");
    assert_string_equal(mvcc_rows_of(f->b, "PRAGMA foreign_key_check(c)"), "c|2|p|0");
    mvcc_exec_ok(f->a, "ROLLBACK");
}

static void
test_stock_sqlite3_reads_the_changed_schema_after_close(void **state)
{
    mvcc_pair *f = *state;
    char cmd[700];
    char *out = NULL;

    mvcc_exec_ok(f->a, "CREATE INDEX t_x ON t(x); INSERT INTO t VALUES (9, 10, 'i');"
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
                                        setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_unique_index_is_checked_against_every_commit, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(
            test_writer_that_began_before_a_schema_change_fails_at_commit,
            setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_schema_change_inside_begin_concurrent_is_refused,
                                        setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_without_rowid_tables_are_allowed_in_mvcc_mode, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(
            test_transaction_starting_with_create_table_writes_through_the_version_store,
            setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_dropped_table_root_reused_shows_nothing_old, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_alter_and_vacuum_keep_every_commit, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_failed_and_rolled_back_schema_changes_leave_no_trace,
                                        setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_migration_after_own_row_changes, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_crash_keeps_committed_migrations_whole, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_schema_changes_inside_savepoints, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_readers_never_see_part_of_a_migration, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_key_check_sees_the_transactions_view, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_stock_sqlite3_reads_the_changed_schema_after_close,
                                        setup, mvcc_pair_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
