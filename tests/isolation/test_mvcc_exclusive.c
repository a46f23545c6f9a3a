/*
 * tests/isolation/test_mvcc_exclusive.c: BEGIN, BEGIN IMMEDIATE and BEGIN
 * EXCLUSIVE in journal_mode=mvcc through chorus.h (mvcc R20, core/vm/
 * mvcc_mode.c VM5): one exclusive writer at a time, which never loses a
 * write conflict (a concurrent transaction in its way is wounded), while
 * concurrent transactions keep running and wait at COMMIT; BEGIN DEFERRED
 * becomes exclusive at its first write (CHORUS_BUSY_SNAPSHOT when a commit
 * came after its snapshot); autocommit writes stay concurrent. Also
 * journal_mode switches refused while another connection has a
 * transaction open (VM3), and SQL savepoints over the version store (tx.c
 * T6). Connections of one thread with short busy
 * timeouts show the waits; one test waits across threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chorus.h"
#include "mvcc_fixture.h"
#include "mvcc_workers.h"
#include "test_support.h"

static int
setup(void **state)
{
    static mvcc_pair p;

    return mvcc_pair_setup(state, &p, "x.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                                            "INSERT INTO t VALUES (1, 'one'), (2, 'two')", 50);
}

static void
test_concurrent_commit_waits_while_an_immediate_writer_is_open(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN IMMEDIATE; INSERT INTO t VALUES (3, 'a')");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; INSERT INTO t VALUES (4, 'b')");
    assert_int_equal(chorus_exec(f->b, "COMMIT"), CHORUS_BUSY);
    assert_string_equal(chorus_errmsg(f->b), "database is locked");
    assert_int_equal(chorus_in_transaction(f->b), 1);      /* COMMIT can be retried */
    mvcc_exec_ok(f->a, "COMMIT");
    mvcc_exec_ok(f->b, "COMMIT");
    mw_assert_text(f->a, "SELECT group_concat(v) FROM t WHERE id > 2", "a,b");
}

static void
test_one_exclusive_writer_at_a_time(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN EXCLUSIVE");
    assert_int_equal(chorus_exec(f->b, "BEGIN IMMEDIATE"), CHORUS_BUSY);
    assert_string_equal(chorus_errmsg(f->b), "database is locked");
    assert_int_equal(chorus_in_transaction(f->b), 0);
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; SELECT * FROM t; ROLLBACK");   /* readers run */
    mvcc_exec_ok(f->a, "COMMIT");
    mvcc_exec_ok(f->b, "BEGIN IMMEDIATE; COMMIT");
}

static void
test_autocommit_write_waits_for_the_exclusive_writer(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN IMMEDIATE; UPDATE t SET v = 'x' WHERE id = 1");
    assert_int_equal(chorus_exec(f->b, "INSERT INTO t VALUES (5, 'e')"), CHORUS_BUSY);
    mvcc_exec_ok(f->a, "COMMIT");
    mvcc_exec_ok(f->b, "INSERT INTO t VALUES (5, 'e')");
    mw_assert_text(f->b, "SELECT group_concat(v) FROM t", "x,two,e");
}

static void
test_exclusive_writer_wounds_a_concurrent_one_in_its_way(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; UPDATE t SET v = 'b' WHERE id = 1");
    mvcc_exec_ok(f->a, "BEGIN IMMEDIATE; UPDATE t SET v = 'a' WHERE id = 1");  /* no conflict */
    mvcc_exec_ok(f->a, "COMMIT");
    assert_int_equal(chorus_exec(f->b, "UPDATE t SET v = 'b' WHERE id = 2"), CHORUS_CONFLICT);
    assert_non_null(strstr(chorus_errmsg(f->b), "exclusive transaction"));
    assert_int_equal(chorus_exec(f->b, "COMMIT"), CHORUS_CONFLICT);
    mw_assert_text(f->b, "SELECT group_concat(v) FROM t", "a,two");
    /* The wounded one also fails at COMMIT when it writes nothing more. */
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; UPDATE t SET v = 'b' WHERE id = 2");
    mvcc_exec_ok(f->a, "BEGIN; UPDATE t SET v = 'c' WHERE id = 2; COMMIT");
    assert_int_equal(chorus_exec(f->b, "COMMIT"), CHORUS_CONFLICT);
    mw_assert_text(f->a, "SELECT group_concat(v) FROM t", "a,c");
}

static void
test_deferred_transaction_becomes_exclusive_at_its_first_write(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN; SELECT * FROM t; INSERT INTO t VALUES (6, 'f')");
    assert_int_equal(chorus_exec(f->b, "BEGIN IMMEDIATE"), CHORUS_BUSY);
    mvcc_exec_ok(f->a, "COMMIT");
    /* A commit after a deferred transaction's snapshot: its first write is
     * refused as in SQLite's WAL mode. */
    mvcc_exec_ok(f->a, "BEGIN; SELECT * FROM t");
    mvcc_exec_ok(f->b, "INSERT INTO t VALUES (7, 'g')");
    assert_int_equal(chorus_exec(f->a, "INSERT INTO t VALUES (8, 'h')"), CHORUS_BUSY);
    assert_int_equal(chorus_extended_errcode(f->a), CHORUS_BUSY_SNAPSHOT);
    mvcc_exec_ok(f->a, "ROLLBACK");
    mw_assert_text(f->a, "SELECT count(*) FROM t", "4");
}

static void
test_begin_concurrent_writes_stay_concurrent(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; UPDATE t SET v = 'a' WHERE id = 1");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT; UPDATE t SET v = 'b' WHERE id = 2");
    mvcc_exec_ok(f->a, "COMMIT");
    mvcc_exec_ok(f->b, "COMMIT");
    mw_assert_text(f->a, "SELECT group_concat(v) FROM t", "a,b");
}

/* core/vm/tx.c T6: SQL savepoints undo row writes in the version store. */
static void
test_rollback_to_savepoint_undoes_row_writes(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; SAVEPOINT a; INSERT INTO t VALUES (3, 'c');"
                       "ROLLBACK TO a; INSERT INTO t VALUES (4, 'd'); COMMIT");
    mvcc_exec_ok(f->a, "SAVEPOINT b; INSERT INTO t VALUES (5, 'e'); SAVEPOINT c;"
                       "UPDATE t SET v = 'x'; ROLLBACK TO c; RELEASE b");
    mw_assert_text(f->b, "SELECT group_concat(id || v) FROM t", "1one,2two,4d,5e");
}

typedef struct waiter {
    chorus_conn *conn;
    _Atomic int rc;             /* -1 while running */
} waiter;

static void *
waiter_main(void *arg)
{
    waiter *w = arg;
    atomic_store(&w->rc, chorus_exec(w->conn, "INSERT INTO t VALUES (9, 'i')"));
    return NULL;
}

static void
test_waiting_commit_proceeds_when_the_exclusive_writer_commits(void **state)
{
    mvcc_pair *f = *state;
    waiter w = {f->b, -1};
    pthread_t th;

    chorus_busy_timeout(f->b, 5000);
    mvcc_exec_ok(f->a, "BEGIN IMMEDIATE; INSERT INTO t VALUES (10, 'j')");
    assert_int_equal(pthread_create(&th, NULL, waiter_main, &w), 0);
    usleep(100 * 1000);
    assert_int_equal(atomic_load(&w.rc), -1);               /* still waiting */
    mvcc_exec_ok(f->a, "COMMIT");
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&w.rc), CHORUS_OK);
    mw_assert_text(f->a, "SELECT group_concat(id) FROM t WHERE id > 2", "9,10");
}

/* Transfers between 8 accounts: two threads as exclusive writers (BEGIN
 * IMMEDIATE, which must never see a conflict), two as concurrent ones
 * retried by chorus_run_transaction; the total never changes. */
enum { N_ACCOUNTS = 8, N_TRANSFERS = 60 };

typedef struct bank_thread {
    chorus_db *db;
    int index;
    bool exclusive;
    int failures;               /* statements that failed (exclusive: any) */
    int last_rc;
} bank_thread;

static int
transfer(chorus_conn *conn, void *arg)
{
    int *step = arg;
    char sql[160];

    snprintf(sql, sizeof sql, "UPDATE acct SET n = n - 1 WHERE id = %d;"
                              "UPDATE acct SET n = n + 1 WHERE id = %d",
             *step % N_ACCOUNTS, (*step * 3 + 1) % N_ACCOUNTS);
    return chorus_exec(conn, sql);
}

static void *
bank_main(void *arg)
{
    bank_thread *t = arg;
    chorus_conn *conn;

    if (chorus_connect(t->db, &conn) != CHORUS_OK) {
        t->failures++;
        return NULL;
    }
    chorus_busy_timeout(conn, 10000);
    for (int i = 0; i < N_TRANSFERS; i++) {
        int step = t->index * 7 + i;
        int rc;
        if (t->exclusive) {
            rc = chorus_exec(conn, "BEGIN IMMEDIATE");
            if (rc == CHORUS_OK)
                rc = transfer(conn, &step);
            rc = rc == CHORUS_OK ? chorus_exec(conn, "COMMIT") : rc;
            if (rc != CHORUS_OK)
                chorus_exec(conn, "ROLLBACK");
        } else {
            rc = chorus_run_transaction(conn, CHORUS_TX_CONCURRENT, 1000, transfer, &step);
        }
        if (rc != CHORUS_OK) {
            t->failures++;
            t->last_rc = rc;
        }
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_exclusive_and_concurrent_transfers_keep_the_total(void **state)
{
    mvcc_pair *f = *state;
    bank_thread th[4];
    pthread_t handles[4];

    mvcc_exec_ok(f->a, "CREATE TABLE acct(id INTEGER PRIMARY KEY, n INT)");
    for (int i = 0; i < N_ACCOUNTS; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "INSERT INTO acct VALUES (%d, 100)", i);
        mvcc_exec_ok(f->a, sql);
    }
    for (int i = 0; i < 4; i++) {
        th[i] = (bank_thread){f->db, i, i < 2, 0, 0};
        assert_int_equal(pthread_create(&handles[i], NULL, bank_main, &th[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(handles[i], NULL);
    for (int i = 0; i < 4; i++)
        if (th[i].failures != 0)
            fail_msg("thread %d (%s): %d failures, last rc %d", i,
                     th[i].exclusive ? "exclusive" : "concurrent", th[i].failures, th[i].last_rc);
    mw_assert_text(f->a, "SELECT sum(n) FROM acct", "800");
}

static void
test_journal_mode_switch_waits_for_other_connections(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->b, "BEGIN; SELECT * FROM t");
    assert_int_equal(chorus_exec(f->a, "PRAGMA journal_mode = 'wal'"), CHORUS_BUSY);
    assert_non_null(strstr(chorus_errmsg(f->a), "another connection has a transaction open"));
    mvcc_exec_ok(f->b, "COMMIT");
    mw_assert_text(f->a, "PRAGMA journal_mode = 'wal'", "wal");
    mvcc_exec_ok(f->b, "BEGIN; SELECT * FROM t");
    assert_int_equal(chorus_exec(f->a, "PRAGMA journal_mode = 'mvcc'"), CHORUS_BUSY);
    mvcc_exec_ok(f->b, "COMMIT");
    mw_assert_text(f->a, "PRAGMA journal_mode = 'mvcc'", "mvcc");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_concurrent_commit_waits_while_an_immediate_writer_is_open,
            setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_one_exclusive_writer_at_a_time, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_autocommit_write_waits_for_the_exclusive_writer, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_exclusive_writer_wounds_a_concurrent_one_in_its_way,
                                        setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(
            test_deferred_transaction_becomes_exclusive_at_its_first_write,
            setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_begin_concurrent_writes_stay_concurrent, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_rollback_to_savepoint_undoes_row_writes, setup,
                                        mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(
            test_waiting_commit_proceeds_when_the_exclusive_writer_commits,
            setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_exclusive_and_concurrent_transfers_keep_the_total,
                                        setup, mvcc_pair_teardown),
        cmocka_unit_test_setup_teardown(test_journal_mode_switch_waits_for_other_connections, setup,
                                        mvcc_pair_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
