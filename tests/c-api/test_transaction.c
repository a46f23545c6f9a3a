/*
 * tests/c-api/test_transaction.c: chorus_run_transaction (c-api/
 * transaction.c): commit on success, rollback and no retry on other
 * failures, retry with backoff on conflicts up to max_attempts, interrupt
 * during the backoff, and a real write-write conflict in MVCC mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"
#include "test_support.h"

static int
setup(void **state)
{
    return capi_fixture_setup(state, "CREATE TABLE t(id INTEGER PRIMARY KEY, n INT);"
                                     "INSERT INTO t VALUES (1, 0)");
}

static int64_t
counter(chorus_conn *conn)
{
    return capi_query_int(conn, "SELECT n FROM t WHERE id = 1");
}

/* The transaction body of most cases: increments the counter, then returns
 * the next code of a script (CHORUS_OK once the script is used up). */
typedef struct script {
    int calls;
    int n_codes;
    int codes[4];
    bool interrupt;         /* call chorus_interrupt before returning */
} script;

static int
scripted_body(chorus_conn *conn, void *arg)
{
    script *sc = arg;
    int rc = chorus_exec(conn, "UPDATE t SET n = n + 1 WHERE id = 1");

    if (rc != CHORUS_OK)
        return rc;
    assert_int_equal(chorus_in_transaction(conn), 1);
    if (sc->interrupt)
        chorus_interrupt(conn);
    return sc->calls < sc->n_codes ? sc->codes[sc->calls++] : (sc->calls++, CHORUS_OK);
}

static void
test_success_commits_once(void **state)
{
    capi_fixture *f = *state;
    script sc = { 0 };

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 0, scripted_body, &sc),
                     CHORUS_OK);
    assert_int_equal(sc.calls, 1);
    assert_int_equal(chorus_in_transaction(f->conn), 0);
    assert_int_equal(counter(f->conn), 1);
}

static void
test_every_mode_begins_a_transaction(void **state)
{
    capi_fixture *f = *state;
    script sc = { 0 };

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_IMMEDIATE, 1, scripted_body, &sc),
                     CHORUS_OK);
    assert_int_equal(counter(f->conn), 1);
    /* CONCURRENT needs MVCC mode in a file database; outside it the engine
     * may refuse it, which must come back as an error, not a crash. */
    if (chorus_run_transaction(f->conn, CHORUS_TX_CONCURRENT, 1, scripted_body, &sc) == CHORUS_OK)
        assert_int_equal(counter(f->conn), 2);
    assert_int_equal(chorus_in_transaction(f->conn), 0);
}

static void
test_other_failure_rolls_back_without_retry(void **state)
{
    capi_fixture *f = *state;
    script sc = { .n_codes = 1, .codes = { CHORUS_CONSTRAINT } };

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 5, scripted_body, &sc),
                     CHORUS_CONSTRAINT);
    assert_int_equal(sc.calls, 1);
    assert_int_equal(chorus_in_transaction(f->conn), 0);
    assert_int_equal(counter(f->conn), 0);
}

static void
test_conflict_is_retried_until_success(void **state)
{
    capi_fixture *f = *state;
    script sc = { .n_codes = 2, .codes = { CHORUS_CONFLICT, CHORUS_BUSY_SNAPSHOT } };

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 0, scripted_body, &sc),
                     CHORUS_OK);
    assert_int_equal(sc.calls, 3);
    assert_int_equal(counter(f->conn), 1);     /* the failed attempts were rolled back */
}

static void
test_conflict_gives_up_after_max_attempts(void **state)
{
    capi_fixture *f = *state;
    script sc = { .n_codes = 4, .codes = { CHORUS_CONFLICT, CHORUS_CONFLICT, CHORUS_CONFLICT,
                                            CHORUS_CONFLICT } };

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 3, scripted_body, &sc),
                     CHORUS_CONFLICT);
    assert_int_equal(sc.calls, 3);
    assert_int_equal(chorus_in_transaction(f->conn), 0);
    assert_int_equal(counter(f->conn), 0);
}

static int
always_conflict(chorus_conn *conn, void *arg)
{
    (void)conn;
    ++*(int *)arg;
    return CHORUS_CONFLICT;
}

static void
test_zero_attempts_means_eight(void **state)
{
    capi_fixture *f = *state;
    int calls = 0;

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 0, always_conflict, &calls),
                     CHORUS_CONFLICT);
    assert_int_equal(calls, 8);
}

static void
test_interrupt_stops_the_backoff(void **state)
{
    capi_fixture *f = *state;
    script sc = { .n_codes = 4, .codes = { CHORUS_CONFLICT, CHORUS_CONFLICT }, .interrupt = true };

    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 8, scripted_body, &sc),
                     CHORUS_INTERRUPT);
    assert_int_equal(sc.calls, 1);
    assert_int_equal(chorus_in_transaction(f->conn), 0);
    assert_int_equal(chorus_exec(f->conn, "SELECT 1"), CHORUS_OK);
}

static void
test_misuse_is_reported(void **state)
{
    capi_fixture *f = *state;
    int calls = 0;

    assert_int_equal(chorus_run_transaction(NULL, 0, 1, always_conflict, &calls), CHORUS_MISUSE);
    assert_int_equal(chorus_run_transaction(f->conn, 0, 1, NULL, NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_run_transaction(f->conn, 7, 1, always_conflict, &calls), CHORUS_MISUSE);
    assert_int_equal(calls, 0);
}

static void
test_failing_begin_is_returned(void **state)
{
    capi_fixture *f = *state;
    script sc = { 0 };

    assert_int_equal(chorus_exec(f->conn, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_run_transaction(f->conn, CHORUS_TX_DEFERRED, 1, scripted_body, &sc),
                     CHORUS_ERROR);
    assert_int_equal(sc.calls, 0);
    assert_int_equal(chorus_exec(f->conn, "ROLLBACK"), CHORUS_OK);
}

/* MVCC: the body's first attempt lets another connection commit a change to
 * the same row after our snapshot, so our update loses the race. */
typedef struct race {
    chorus_conn *other;
    int calls;
} race;

static int
racing_body(chorus_conn *conn, void *arg)
{
    race *r = arg;

    if (r->calls++ == 0) {
        int rc = chorus_exec(conn, "SELECT n FROM t");     /* takes the snapshot */
        if (rc != CHORUS_OK)
            return rc;
        assert_int_equal(chorus_exec(r->other, "UPDATE t SET n = n + 100 WHERE id = 1"),
                         CHORUS_OK);
    }
    return chorus_exec(conn, "UPDATE t SET n = n + 1 WHERE id = 1");
}

/* Switches conn's database to MVCC mode; false when the engine cannot. */
static bool
mvcc_mode_on(chorus_conn *conn)
{
    chorus_stmt *stmt;
    bool on;

    if (chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) != CHORUS_OK)
        return false;
    on = chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    return on;
}

static void
test_real_conflict_in_mvcc_mode_is_retried(void **state)
{
    char path[512];
    chorus_db *db;
    chorus_conn *a, *b;
    race r = { 0 };

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "mvcc.db");
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &a), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &b), CHORUS_OK);
    if (!mvcc_mode_on(a)
        || chorus_exec(a, "CREATE TABLE t(id INTEGER PRIMARY KEY, n INT);"
                          "INSERT INTO t VALUES (1, 0)") != CHORUS_OK) {
        chorus_disconnect(a);
        chorus_disconnect(b);
        chorus_close(db);
        test_tmpdir_remove();
        skip();
    }
    r.other = b;
    assert_int_equal(chorus_run_transaction(a, CHORUS_TX_CONCURRENT, 4, racing_body, &r),
                     CHORUS_OK);
    assert_int_equal(counter(a), 101);
    if (r.calls == 1)
        print_message("note: no conflict happened (the engine serialised the writers)\n");
    chorus_disconnect(a);
    chorus_disconnect(b);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    test_tmpdir_remove();
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_success_commits_once),
        T(test_every_mode_begins_a_transaction),
        T(test_other_failure_rolls_back_without_retry),
        T(test_conflict_is_retried_until_success),
        T(test_conflict_gives_up_after_max_attempts),
        T(test_zero_attempts_means_eight),
        T(test_interrupt_stops_the_backoff),
        T(test_misuse_is_reported),
        T(test_failing_begin_is_returned),
        cmocka_unit_test(test_real_conflict_in_mvcc_mode_is_retried),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
