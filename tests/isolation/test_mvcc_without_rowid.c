/*
 * tests/isolation/test_mvcc_without_rowid.c: WITHOUT ROWID tables in
 * journal_mode=mvcc through chorus.h (core/vm/mvcc_mode.c VM9; store
 * merge.c M6, mvcc_mode.c MM8; mvcc R8, R9): the table's tree is a map of
 * keyed rows (key = its PRIMARY KEY), its other indexes end their entries
 * with the PK. Checked: CRUD answers as SQLite's for the same statements; a
 * BEGIN CONCURRENT snapshot does not see later commits (by PK, by index, by
 * scan); writers of disjoint PKs both commit; two writers of one PK conflict
 * (CHORUS_CONFLICT naming the table and the key); a UNIQUE index of the
 * table conflicts across PKs, NULLs never; checkpoints, reopen (recovery
 * replays keyed rows), a crash without close, the switch back to WAL,
 * integrity_check and stock sqlite3 on the file after close; threads moving
 * money between rows while a reader audits the sum and a checkpointer runs
 * (under TSan in ci/test's concurrency set).
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

/* In WAL mode (so in the B-tree), then the switch to mvcc. */
static const char schema[] =
    "CREATE TABLE w(k TEXT PRIMARY KEY, v INT, u TEXT UNIQUE) WITHOUT ROWID;"
    "CREATE INDEX w_v ON w(v DESC);"
    "INSERT INTO w VALUES ('a', 1, 'x'), ('b', 2, 'y'), ('c', 3, NULL)";

static int
setup(void **state)
{
    static mvcc_pair p;

    return mvcc_pair_setup(state, &p, "w.db", schema, 200);
}

static const char all_rows[] =
    "SELECT k || ':' || v || ':' || ifnull(u, '-') FROM w ORDER BY k";

/* The CRUD statements whose answers sqlite3 3.40 gives below. */
static void
crud(chorus_conn *conn)
{
    mvcc_exec_ok(conn, "INSERT INTO w VALUES ('e', 5, 'z'), ('d', 4, NULL);"
                       "UPDATE w SET v = v * 10 WHERE k IN ('a', 'e');"
                       "DELETE FROM w WHERE k = 'b';"
                       "UPDATE w SET k = 'bb' WHERE k = 'c';"
                       "INSERT OR REPLACE INTO w VALUES ('a', 7, 'y2');"
                       "INSERT OR REPLACE INTO w VALUES ('f', 6, 'z');"
                       "INSERT OR IGNORE INTO w VALUES ('d', 0, 'q');"
                       "REPLACE INTO w VALUES ('g', 7, NULL)");
}

static const char crud_rows[] = "a:7:y2,bb:3:-,d:4:-,f:6:z,g:7:-";

static void
assert_crud_answers(chorus_conn *conn)
{
    assert_string_equal(mvcc_rows_of(conn, all_rows), crud_rows);
    assert_string_equal(mvcc_rows_of(conn, "SELECT k FROM w WHERE v >= 6 ORDER BY v DESC, k"),
                        "a,g,f");
    assert_string_equal(mvcc_rows_of(conn, "SELECT k FROM w ORDER BY k DESC"), "g,f,d,bb,a");
    assert_string_equal(mvcc_rows_of(conn, "SELECT k FROM w WHERE u = 'z'"), "f");
    assert_string_equal(mvcc_rows_of(conn, "SELECT count(*), sum(v) FROM w"), "5|27");
    assert_string_equal(mvcc_rows_of(conn, "PRAGMA integrity_check"), "ok");
}

static void
test_crud_answers_as_sqlite(void **state)
{
    mvcc_pair *f = *state;

    crud(f->a);
    assert_crud_answers(f->a);
    assert_crud_answers(f->b);
    assert_int_equal(chorus_exec(f->a, "INSERT INTO w VALUES ('a', 1, 'n')"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->a), "UNIQUE constraint failed: w.k");
    assert_int_equal(chorus_exec(f->a, "INSERT INTO w VALUES ('h', 1, 'y2')"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->a), "UNIQUE constraint failed: w.u");
    assert_int_equal(chorus_exec(f->a, "UPDATE w SET k = 'd' WHERE k = 'a'"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->a), "UNIQUE constraint failed: w.k");
    assert_string_equal(mvcc_rows_of(f->b, all_rows), crud_rows);
}

/* A BEGIN CONCURRENT snapshot keeps its view: by PK, by index, by scan. */
static void
test_concurrent_reader_does_not_see_later_commits(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->b, "BEGIN CONCURRENT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT v FROM w WHERE k = 'a'"), "1");
    mvcc_exec_ok(f->a, "UPDATE w SET v = 100 WHERE k = 'a'; INSERT INTO w VALUES ('d', 4, 'w');"
                       "DELETE FROM w WHERE k = 'b'");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT v FROM w WHERE k = 'a'"), "1");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT k FROM w WHERE v >= 2 ORDER BY v"), "b,c");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT group_concat(k) FROM (SELECT k FROM w ORDER BY k)"),
                        "a,b,c");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT k FROM w WHERE u = 'w'"), "");
    mvcc_exec_ok(f->b, "COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT group_concat(k || v) FROM (SELECT * FROM w ORDER BY k)"),
                        "a100,c3,d4");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT k FROM w WHERE v >= 2 ORDER BY v"), "c,d,a");
}

static void
test_writers_of_disjoint_keys_both_commit(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; UPDATE w SET v = 10 WHERE k = 'a';"
                       "INSERT INTO w VALUES ('d', 4, 'p')");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; UPDATE w SET v = 20 WHERE k = 'b';"
                       "INSERT INTO w VALUES ('e', 5, 'q'); DELETE FROM w WHERE k = 'c'");
    mvcc_exec_ok(f->a, "COMMIT");
    mvcc_exec_ok(f->b, "COMMIT");
    assert_string_equal(mvcc_rows_of(f->a, all_rows), "a:10:x,b:20:y,d:4:p,e:5:q");
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA integrity_check"), "ok");
}

/* mvcc R8 on the PRIMARY KEY: updates, and inserts of one new key. */
static void
test_writers_of_one_key_conflict_naming_table_and_key(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; UPDATE w SET v = 10 WHERE k = 'a'");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->b, "UPDATE w SET v = 20 WHERE k = 'a'"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->b),
                        "conflict: row ('a') of table w was changed by a concurrent transaction");
    mvcc_exec_ok(f->b, "ROLLBACK");
    mvcc_exec_ok(f->a, "COMMIT");

    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; SELECT * FROM w");
    mvcc_exec_ok(f->a, "DELETE FROM w WHERE k = 'b'");          /* committed after b began */
    assert_int_equal(chorus_exec(f->b, "UPDATE w SET v = 0 WHERE k = 'b'"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->b),
                        "conflict: row ('b') of table w was changed by a concurrent transaction");
    mvcc_exec_ok(f->b, "ROLLBACK");

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; INSERT INTO w VALUES ('n', 1, NULL)");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->b, "INSERT INTO w VALUES ('n', 2, NULL)"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->b),
                        "conflict: row ('n') of table w was changed by a concurrent transaction");
    mvcc_exec_ok(f->b, "ROLLBACK");
    mvcc_exec_ok(f->a, "COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, all_rows), "a:10:x,c:3:-,n:1:-");
}

/* mvcc R9 in an index that ends with the PK: one UNIQUE value, two PKs. */
static void
test_unique_index_conflicts_across_keys(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; INSERT INTO w VALUES ('p', 1, 'uu')");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->b, "INSERT INTO w VALUES ('q', 2, 'uu')"), CHORUS_CONFLICT);
    assert_non_null(strstr(chorus_errmsg(f->b), "of index sqlite_autoindex_w_2 was"));
    assert_non_null(strstr(chorus_errmsg(f->b), "('uu', 'q')"));
    mvcc_exec_ok(f->b, "ROLLBACK");
    /* NULLs are distinct: both commit. */
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO w VALUES ('r', 3, NULL)");
    mvcc_exec_ok(f->a, "INSERT INTO w VALUES ('s', 4, NULL); COMMIT");
    mvcc_exec_ok(f->b, "COMMIT");
    /* Committed before: the statement sees it (SQLite's error). */
    assert_int_equal(chorus_exec(f->b, "INSERT INTO w VALUES ('t', 5, 'uu')"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->b), "UNIQUE constraint failed: w.u");
    /* The same row moving its UNIQUE value is no conflict with itself. */
    mvcc_exec_ok(f->b, "UPDATE w SET u = 'uv' WHERE k = 'p'; UPDATE w SET u = 'uu' WHERE k = 'p'");
    assert_string_equal(mvcc_rows_of(f->a, all_rows), "a:1:x,b:2:y,c:3:-,p:1:uu,r:3:-,s:4:-");
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA integrity_check"), "ok");
}

/* DDL after the transaction's own keyed-row writes sees them (VM4,
 * store_mvcc_write_own); ALTER, VACUUM, DROP and SAVEPOINTs over them. */
static void
test_schema_changes_over_keyed_rows(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO w VALUES ('d', 4, 'p'); UPDATE w SET v = 9 WHERE k = 'a';"
                       "CREATE INDEX w_uv ON w(u, v); DELETE FROM w WHERE k = 'b'; COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT k FROM w INDEXED BY w_uv WHERE u >= 'a' ORDER BY u"),
                        "d,a");
    mvcc_exec_ok(f->a, "ALTER TABLE w ADD COLUMN z DEFAULT 'zz';"
                       "INSERT INTO w VALUES ('e', 5, 'q', 'ze')");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT group_concat(k || z) FROM (SELECT * FROM w ORDER BY k)"),
                        "azz,czz,dzz,eze");
    mvcc_exec_ok(f->a, "BEGIN; INSERT INTO w VALUES ('f', 6, 'r', 'zf'); SAVEPOINT s;"
                       "UPDATE w SET v = 0; DELETE FROM w WHERE k = 'c'; ROLLBACK TO s; COMMIT");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT sum(v), count(*) FROM w"), "27|5");
    mvcc_exec_ok(f->a, "VACUUM");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT k FROM w WHERE v = 9"), "a");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; SELECT * FROM w");
    mvcc_exec_ok(f->a, "DROP TABLE w; CREATE TABLE r(a INTEGER PRIMARY KEY, b);"
                       "INSERT INTO r VALUES (1, 'x')");
    assert_int_equal(chorus_exec(f->b, "SELECT * FROM r"), CHORUS_ERROR);   /* not in its schema */
    mvcc_exec_ok(f->b, "ROLLBACK");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT * FROM r"), "1|x");
    assert_string_equal(mvcc_rows_of(f->b, "PRAGMA integrity_check"), "ok");
}

static void
reopen(mvcc_pair *f)
{
    assert_int_equal(chorus_open(f->path, 0, &f->db), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->a), CHORUS_OK);
    assert_int_equal(chorus_connect(f->db, &f->b), CHORUS_OK);
}

static void
close_pair(mvcc_pair *f)
{
    chorus_disconnect(f->a);
    chorus_disconnect(f->b);
    assert_int_equal(chorus_close(f->db), CHORUS_OK);
}

/* Checkpoints write keyed rows into the B-tree (MM8); recovery replays the
 * ones after the last checkpoint. */
static void
test_checkpoint_then_reopen(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "INSERT INTO w VALUES ('e', 5, 'z'), ('d', 4, NULL);"
                       "UPDATE w SET v = v * 10 WHERE k IN ('a', 'e'); DELETE FROM w WHERE k = 'b'");
    mvcc_exec_ok(f->a, "PRAGMA wal_checkpoint");
    mvcc_exec_ok(f->a, "UPDATE w SET k = 'bb' WHERE k = 'c';"
                       "INSERT OR REPLACE INTO w VALUES ('a', 7, 'y2');"
                       "INSERT OR REPLACE INTO w VALUES ('f', 6, 'z');"
                       "INSERT OR IGNORE INTO w VALUES ('d', 0, 'q');"
                       "REPLACE INTO w VALUES ('g', 7, NULL)");
    assert_crud_answers(f->b);
    close_pair(f);
    reopen(f);
    assert_string_equal(mvcc_rows_of(f->a, "PRAGMA journal_mode"), "mvcc");
    assert_crud_answers(f->a);
    mvcc_exec_ok(f->a, "PRAGMA wal_checkpoint(TRUNCATE)");
    assert_crud_answers(f->b);
}

/* In a child that ends without closing: commits (one after a checkpoint),
 * then a transaction left open. Exit status 0 when all ran. */
static int
crash_after_commits(const char *path)
{
    chorus_db *db;
    chorus_conn *conn;

    if (chorus_open(path, 0, &db) != CHORUS_OK || chorus_connect(db, &conn) != CHORUS_OK)
        return 1;
    if (chorus_exec(conn, "PRAGMA synchronous = FULL;"
                          "INSERT INTO w VALUES ('e', 5, 'z'), ('d', 4, NULL);"
                          "UPDATE w SET v = v * 10 WHERE k IN ('a', 'e'); DELETE FROM w WHERE k = 'b';"
                          "PRAGMA wal_checkpoint") != CHORUS_OK)
        return 2;
    if (chorus_exec(conn, "UPDATE w SET k = 'bb' WHERE k = 'c';"
                          "INSERT OR REPLACE INTO w VALUES ('a', 7, 'y2');"
                          "INSERT OR REPLACE INTO w VALUES ('f', 6, 'z');"
                          "INSERT OR IGNORE INTO w VALUES ('d', 0, 'q');"
                          "REPLACE INTO w VALUES ('g', 7, NULL)") != CHORUS_OK)
        return 3;
    if (chorus_exec(conn, "BEGIN CONCURRENT; DELETE FROM w; INSERT INTO w VALUES ('lost', 0, 0)")
        != CHORUS_OK)
        return 4;
    return 0;
}

static void
test_crash_recovery_brings_keyed_rows_back(void **state)
{
    mvcc_pair *f = *state;
    int status;
    pid_t child;

    close_pair(f);
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(crash_after_commits(f->path));
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    reopen(f);
    assert_crud_answers(f->a);
    assert_crud_answers(f->b);
    /* The maps replay made name the table (store mvcc_mode.c replay_map). */
    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; UPDATE w SET v = 1 WHERE k = 'a'");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->b, "DELETE FROM w WHERE k = 'a'"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->b),
                        "conflict: row ('a') of table w was changed by a concurrent transaction");
    mvcc_exec_ok(f->b, "ROLLBACK");
    mvcc_exec_ok(f->a, "ROLLBACK");
}

static void
test_switch_back_to_wal_keeps_the_rows(void **state)
{
    mvcc_pair *f = *state;

    crud(f->a);
    mvcc_exec_ok(f->a, "PRAGMA journal_mode = wal");
    assert_string_equal(mvcc_rows_of(f->b, "PRAGMA journal_mode"), "wal");
    assert_crud_answers(f->b);
    mvcc_exec_ok(f->a, "PRAGMA journal_mode = mvcc; DELETE FROM w WHERE k = 'g'");
    assert_string_equal(mvcc_rows_of(f->b, "SELECT count(*) FROM w"), "4");
}

static void
test_stock_sqlite3_reads_the_file_after_close(void **state)
{
    mvcc_pair *f = *state;
    char cmd[900];
    char *out = NULL;

    crud(f->a);
    mvcc_exec_ok(f->a, "CREATE TABLE w2(a, b, PRIMARY KEY(b, a)) WITHOUT ROWID;"
                       "INSERT INTO w2 VALUES (1, 'x'), (2, 'x'), (3, 'a')");
    close_pair(f);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"PRAGMA integrity_check;"
             " SELECT group_concat(k || ':' || v || ':' || ifnull(u, '-')) FROM w;"
             " SELECT group_concat(a) FROM w2\"", f->path);
    assert_int_equal(test_run_command(cmd, NULL, &out, NULL), 0);
    assert_string_equal(out, "ok\na:7:y2,bb:3:-,d:4:-,f:6:z,g:7:-\n3,1,2\n");
    free(out);
    reopen(f);
}

/* --- threads: transfers between keyed rows, an auditor, a checkpointer --- */

enum { N_ACCOUNTS = 8, N_TRANSFERS = 150, TOTAL = N_ACCOUNTS * 100 };

static int
transfer(chorus_conn *conn, void *arg)
{
    const int *pair = arg;
    char sql[200];

    snprintf(sql, sizeof sql,
             "UPDATE acct SET bal = bal - 7 WHERE id = 'k%d';"
             "UPDATE acct SET bal = bal + 7 WHERE id = 'k%d'", pair[0], pair[1]);
    return chorus_exec(conn, sql);
}

static int
bank_step(mw_group *g, chorus_conn *conn, int thread, int i)
{
    uint32_t r = mw_draw(thread, i, 17);
    int pair[2] = {(int)(r % N_ACCOUNTS), (int)((r / N_ACCOUNTS) % (N_ACCOUNTS - 1))};
    int64_t by_key, by_index;

    if (thread == 0) {                  /* the auditor, in one snapshot */
        if (chorus_exec(conn, "BEGIN CONCURRENT") != CHORUS_OK)
            return mw_group_fail(g, "begin: %s", chorus_errmsg(conn));
        by_key = mw_query_int(conn, "SELECT sum(bal) FROM acct");
        by_index = mw_query_int(conn, "SELECT sum(bal) FROM acct INDEXED BY acct_bal "
                                      "WHERE bal > -1000000");
        chorus_exec(conn, "COMMIT");
        if (by_key != TOTAL || by_index != TOTAL)
            return mw_group_fail(g, "audit saw %lld by key, %lld by index", (long long)by_key,
                                 (long long)by_index);
        return CHORUS_OK;
    }
    if (thread == 1)                    /* the checkpointer */
        return chorus_exec(conn, "PRAGMA wal_checkpoint");
    if (pair[1] >= pair[0])
        pair[1]++;
    return chorus_run_transaction(conn, CHORUS_TX_CONCURRENT, 1000, transfer, pair);
}

static void
test_threads_move_money_between_keyed_rows(void **state)
{
    mw_group g = {.step = bank_step, .n_threads = 5, .n_steps = N_TRANSFERS};
    char setup_sql[600];
    chorus_conn *conn;
    size_t n;

    (void)state;
    n = (size_t)snprintf(setup_sql, sizeof setup_sql,
                         "CREATE TABLE acct(id TEXT PRIMARY KEY, bal INT) WITHOUT ROWID;"
                         "CREATE INDEX acct_bal ON acct(bal); INSERT INTO acct VALUES ");
    for (int i = 0; i < N_ACCOUNTS; i++)
        n += (size_t)snprintf(setup_sql + n, sizeof setup_sql - n, "%s('k%d', 100)",
                              i ? ", " : "", i);
    g.db = mw_open_mvcc("bank.db", setup_sql);
    if (g.db == NULL)
        skip();
    mw_group_start(&g);
    mw_group_join(&g);
    mw_group_assert_clean(&g, "transfers");
    assert_true(atomic_load(&g.commits) > 2 * N_TRANSFERS);
    assert_int_equal(chorus_connect(g.db, &conn), CHORUS_OK);
    assert_int_equal(mw_query_int(conn, "SELECT sum(bal) FROM acct"), TOTAL);
    assert_int_equal(mw_query_int(conn, "SELECT count(*) FROM acct"), N_ACCOUNTS);
    mw_assert_text(conn, "PRAGMA integrity_check", "ok");
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(g.db), CHORUS_OK);
    test_tmpdir_remove();
}

/* Racing inserts of a few UNIQUE values under many PKs (mvcc R9 in a
 * prefix map): whatever commits, no value is held twice. */
static int
claim(chorus_conn *conn, void *arg)
{
    const uint32_t *draw = arg;
    char sql[160];

    snprintf(sql, sizeof sql, "INSERT INTO claims VALUES ('p%u', 'v%u')", draw[0], draw[1]);
    return chorus_exec(conn, sql);
}

static int
claim_step(mw_group *g, chorus_conn *conn, int thread, int i)
{
    uint32_t draw[2] = {(uint32_t)(thread * 100000 + i), mw_draw(thread, i, 5) % 40};
    int rc = chorus_run_transaction(conn, CHORUS_TX_CONCURRENT, 0, claim, draw);

    (void)g;
    return (rc & 0xff) == CHORUS_CONSTRAINT ? CHORUS_CONFLICT : rc;  /* the value was taken */
}

static void
test_racing_unique_values_are_held_once(void **state)
{
    mw_group g = {.step = claim_step, .n_threads = 4, .n_steps = 100};
    chorus_conn *conn;

    (void)state;
    g.db = mw_open_mvcc("claims.db", "CREATE TABLE claims(pk TEXT PRIMARY KEY, val TEXT UNIQUE)"
                                     " WITHOUT ROWID");
    if (g.db == NULL)
        skip();
    mw_group_start(&g);
    mw_group_join(&g);
    mw_group_assert_clean(&g, "claims");
    print_message("claims: %d committed, %d taken or conflicted\n", atomic_load(&g.commits),
                  atomic_load(&g.conflicts));
    assert_int_equal(chorus_connect(g.db, &conn), CHORUS_OK);
    assert_int_equal(mw_query_int(conn, "SELECT count(*) FROM claims"), atomic_load(&g.commits));
    assert_int_equal(mw_query_int(conn, "SELECT count(DISTINCT val) FROM claims"),
                     atomic_load(&g.commits));
    assert_true(atomic_load(&g.commits) <= 40);
    mw_assert_text(conn, "PRAGMA integrity_check", "ok");
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(g.db), CHORUS_OK);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud_answers_as_sqlite, setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_reader_does_not_see_later_commits, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_writers_of_disjoint_keys_both_commit, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_writers_of_one_key_conflict_naming_table_and_key,
                                        setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_unique_index_conflicts_across_keys, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_schema_changes_over_keyed_rows, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_then_reopen, setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_crash_recovery_brings_keyed_rows_back, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_switch_back_to_wal_keeps_the_rows, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_stock_sqlite3_reads_the_file_after_close, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test(test_threads_move_money_between_keyed_rows),
        cmocka_unit_test(test_racing_unique_values_are_held_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
