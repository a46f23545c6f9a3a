/*
 * tests/isolation/mvcc_workers.h: the thread machinery of the MVCC
 * workload tests (test_mvcc_workloads.c, test_mvcc_invariants.c): opening a
 * database in journal_mode=mvcc, and groups of threads, each with its own
 * connection, running one step function in a loop and counting outcomes.
 *
 * A step is one transaction (or one check): it returns CHORUS_OK (counted
 * in commits), CHORUS_CONFLICT (conflicts) or anything else (failures; the
 * first failure's code and message are kept). A step that finds an
 * invariant broken returns MW_BROKEN after mw_group_fail() with its
 * message, so the test prints what broke instead of a bare count.
 */
#ifndef CHORUS_TESTS_MVCC_WORKERS_H
#define CHORUS_TESTS_MVCC_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "chorus.h"

enum { MW_MAX_THREADS = 16, MW_BROKEN = -1 };

typedef struct mw_group mw_group;

/* One step of thread `thread` (0-based), iteration i; arg is the group's. */
typedef int (*mw_step_fn)(mw_group *g, chorus_conn *conn, int thread, int i);

typedef struct mw_thread {
    mw_group *group;
    int index;
    pthread_t handle;
} mw_thread;

struct mw_group {
    /* Set by the caller before mw_group_start(). */
    chorus_db *db;
    mw_step_fn step;
    void *arg;
    int n_threads;              /* 1..MW_MAX_THREADS */
    int n_steps;                /* per thread; 0: until mw_group_stop() */
    /* Results, read after mw_group_join(). */
    _Atomic int commits;
    _Atomic int conflicts;
    _Atomic int failures;
    _Atomic int first_failure;  /* rc of the first failure, 0 while none */
    char failure_msg[256];      /* written by the thread that set first_failure */
    /* Private. */
    _Atomic bool stopping;      /* seq_cst: only polled once per step */
    mw_thread threads[MW_MAX_THREADS];
};

/* Opens <tmpdir>/name, runs setup (WAL mode), switches to journal_mode=mvcc;
 * NULL when the engine answers anything but "mvcc" (the test then skips). */
chorus_db *mw_open_mvcc(const char *name, const char *setup);

/* The first column of the first row of sql as an integer, -1 without a
 * row, INT64_MIN when sql fails. */
int64_t mw_query_int(chorus_conn *conn, const char *sql);

/* Asserts (cmocka) that sql's first row's first column is the text want. */
void mw_assert_text(chorus_conn *conn, const char *sql, const char *want);

/* Starts the group's threads (each connects, loops, disconnects). */
void mw_group_start(mw_group *g);
/* Asks an open-ended group (n_steps 0) to finish after its current step. */
void mw_group_stop(mw_group *g);
bool mw_group_stopping(mw_group *g);
void mw_group_join(mw_group *g);
/* Records an invariant failure (the first message is kept); returns MW_BROKEN. */
int mw_group_fail(mw_group *g, const char *fmt, ...);
/* Asserts (cmocka) that the group had no failures, printing the first one. */
void mw_group_assert_clean(mw_group *g, const char *what);

/* A deterministic pseudo-random number for (thread, i, salt): steps may run
 * more than once (retries), so they draw from their coordinates. */
uint32_t mw_draw(int thread, int i, uint32_t salt);

#endif /* CHORUS_TESTS_MVCC_WORKERS_H */
