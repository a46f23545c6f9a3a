/*
 * c-api/transaction.c: chorus_run_transaction, the retry loop around one
 * application transaction.
 *
 * One attempt is BEGIN <mode>; fn(conn, arg); COMMIT. An attempt that fails
 * with a write-write conflict (CHORUS_CONFLICT, or CHORUS_BUSY whose
 * extended code is CHORUS_BUSY_SNAPSHOT) is rolled back and, after a
 * backoff, tried again; any other failure is rolled back and returned.
 *
 * Backoff: attempt k (1-based) waits a random time in [d/2, d] with
 * d = min(BACKOFF_BASE_US << (k - 1), BACKOFF_CAP_US), so that transactions
 * that collided once spread out instead of colliding again. The random
 * numbers come from a per-thread generator (no shared state between
 * threads). The wait is cut into slices of at most one millisecond; a
 * chorus_interrupt() on the connection during the wait ends the loop with
 * CHORUS_INTERRUPT.
 *
 * Invariants
 *   T1  When this function returns, the connection is not inside a
 *       transaction that this function began.
 *   T2  The error reported on the connection after a failure is the failure
 *       that ended the loop, not the ROLLBACK's.
 *
 * Locking: none; the connection's thread rule applies.
 * Callers: the public API (bindings build their retry helpers on it).
 */
#include "capi_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    BACKOFF_BASE_US = 200,
    BACKOFF_CAP_US = 50000,
    BACKOFF_SLICE_US = 1000,
    DEFAULT_ATTEMPTS = 8
};

static _Thread_local uint64_t rng_state;   /* this thread's generator; 0 = unseeded */

/* xorshift64*: a uniform 64-bit number from this thread's generator. */
static uint64_t
rng_next(void)
{
    uint64_t x = rng_state;

    if (x == 0)
        x = (uint64_t)common_now_ns() ^ (uint64_t)(uintptr_t)&rng_state ^ 0x9e3779b97f4a7c15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static bool
is_conflict(chorus_conn *conn, int rc)
{
    if ((rc & 0xff) == CHORUS_CONFLICT || rc == CHORUS_BUSY_SNAPSHOT)
        return true;
    return rc == CHORUS_BUSY && chorus_extended_errcode(conn) == CHORUS_BUSY_SNAPSHOT;
}

/*
 * Sleeps the backoff of attempt (1-based). Returns false when
 * chorus_interrupt() was called on conn since the loop began (the count
 * seen then is interrupts_at_start).
 */
static bool
backoff_sleep(chorus_conn *conn, int attempt, unsigned interrupts_at_start)
{
    int shift = attempt - 1 < 16 ? attempt - 1 : 16;
    uint64_t d = (uint64_t)BACKOFF_BASE_US << shift;
    uint64_t wait_us;

    if (d > BACKOFF_CAP_US)
        d = BACKOFF_CAP_US;
    wait_us = d / 2 + rng_next() % (d / 2 + 1);
    while (wait_us > 0) {
        uint64_t slice = wait_us < BACKOFF_SLICE_US ? wait_us : BACKOFF_SLICE_US;
        struct timespec ts = { 0, (long)(slice * 1000) };

        /* Relaxed: only the count is compared (see chorus_interrupt). */
        if (atomic_load_explicit(&conn->interrupts, memory_order_relaxed) != interrupts_at_start)
            return false;
        nanosleep(&ts, NULL);
        wait_us -= slice;
    }
    return atomic_load_explicit(&conn->interrupts, memory_order_relaxed) == interrupts_at_start;
}

/* Rolls back the transaction this loop began, keeping the connection's
 * error (T1, T2). A COMMIT that failed may have ended it already. */
static void
rollback_keeping_error(chorus_conn *conn)
{
    int ext;
    char *msg;

    if (!chorus_in_transaction(conn))
        return;
    ext = chorus_extended_errcode(conn);
    msg = strdup(chorus_errmsg(conn));
    chorus_exec(conn, "ROLLBACK");
    if (ext != CHORUS_OK)
        vm_conn_set_error(conn->vconn, ext, "%s", msg != NULL ? msg : chorus_errstr(ext));
    free(msg);
}

/* One attempt; *began_out says whether BEGIN succeeded, so that a failure
 * rolls back only a transaction of our own (T1). */
static int
attempt_once(chorus_conn *conn, const char *begin, chorus_tx_fn fn, void *arg, bool *began_out)
{
    int rc = chorus_exec(conn, begin);

    *began_out = rc == CHORUS_OK;
    if (rc == CHORUS_OK)
        rc = fn(conn, arg);
    if (rc == CHORUS_OK)
        rc = chorus_exec(conn, "COMMIT");
    return rc;
}

int
chorus_run_transaction(chorus_conn *conn, int mode, int max_attempts, chorus_tx_fn fn, void *arg)
{
    static const char *const begin_sql[] = {
        [CHORUS_TX_DEFERRED] = "BEGIN DEFERRED",
        [CHORUS_TX_IMMEDIATE] = "BEGIN IMMEDIATE",
        [CHORUS_TX_CONCURRENT] = "BEGIN CONCURRENT",
    };
    unsigned interrupts_at_start;
    bool began;
    int attempts = max_attempts <= 0 ? DEFAULT_ATTEMPTS : max_attempts;
    int rc = CHORUS_OK;

    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    if (fn == NULL || mode < CHORUS_TX_DEFERRED || mode > CHORUS_TX_CONCURRENT) {
        vm_conn_set_error(conn->vconn, CHORUS_MISUSE,
                          "chorus_run_transaction: NULL fn or unknown mode %d", mode);
        return CHORUS_MISUSE;
    }
    /* Relaxed: see backoff_sleep. */
    interrupts_at_start = atomic_load_explicit(&conn->interrupts, memory_order_relaxed);
    for (int attempt = 1; attempt <= attempts; attempt++) {
        rc = attempt_once(conn, begin_sql[mode], fn, arg, &began);
        if (rc == CHORUS_OK)
            return CHORUS_OK;
        if (!began)
            return rc;          /* BEGIN failed: nothing of ours to undo */
        rollback_keeping_error(conn);
        if (!is_conflict(conn, rc) || attempt == attempts)
            return rc;
        if (!backoff_sleep(conn, attempt, interrupts_at_start)) {
            vm_conn_set_error(conn->vconn, CHORUS_INTERRUPT, "interrupted");
            return CHORUS_INTERRUPT;
        }
    }
    return rc;
}
