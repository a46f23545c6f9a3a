/*
 * tests/stress/stress.h: the seeded, randomized MVCC workload of
 * test_mvcc_stress.c (stress_workload.c): N threads, each with its own
 * connection, drawing transactions of every kind the engine offers against
 * one schema whose invariants hold in every snapshot, and a watchdog that
 * turns a hang into a failure with every thread's state printed.
 *
 * Invariants (checked inside one snapshot by readers, and at the end):
 *   S1 bank: 16 accounts, the sum of balances constant (transfers move
 *      money inside one transaction);
 *   S2 ledger: each thread's counter row equals the number of its ledger
 *      rows, which are exactly 1..n (a tick updates both in one
 *      transaction: nothing half-applied);
 *   S3 indexes agree with their tables: count(*) through each secondary
 *      index (items_grp, the UNIQUE tag, kv_v, the UNIQUE u) equals the
 *      count by a scan, and no UNIQUE key appears twice;
 *   S4 a snapshot does not move: a long reader reads the same values at
 *      its start and at its end;
 *   S5 at the end, each thread's counter equals the ticks it had
 *      acknowledged (in-process runs) or is at least that (after kill -9),
 *      and PRAGMA integrity_check says ok.
 * Outcomes a statement may have besides success: CHORUS_CONFLICT with a
 * "conflict: " message, CHORUS_BUSY with "database is locked", a UNIQUE or
 * PRIMARY KEY constraint (random keys collide). Anything else fails the run.
 */
#ifndef CHORUS_TESTS_STRESS_H
#define CHORUS_TESTS_STRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "chorus.h"

enum { ST_MAX_THREADS = 8, ST_ACCOUNTS = 16, ST_BALANCE = 1000 };

/* The kinds of iteration (stress_workload.c draws them by weight). */
enum {
    ST_KIND_CONCURRENT, ST_KIND_IMMEDIATE, ST_KIND_DEFERRED, ST_KIND_SAVEPOINT,
    ST_KIND_AUTOCOMMIT, ST_KIND_RETRY, ST_KIND_READER, ST_KIND_CHECKPOINT, ST_KIND_DDL,
    ST_KIND_SYNCHRONOUS, ST_N_KINDS
};

typedef struct st_run st_run;

typedef struct st_thread {
    st_run *run;
    int index;
    pthread_t handle;
    uint64_t rng;
    chorus_conn *conn;
    int64_t acked;                      /* ticks of this thread acknowledged */
    int n_commits, n_conflicts, n_busy, n_constraints, n_reads;
    /* What the watchdog prints. */
    _Atomic int64_t progress;           /* bumped at every statement */
    _Atomic(const char *) phase;        /* a string literal */
    pthread_mutex_t sql_mu;
    char sql[240];                      /* the statement running, under sql_mu */
} st_thread;

struct st_run {
    /* Set by the caller. */
    const char *path;                   /* the database file */
    unsigned seed;
    int n_threads;                      /* 2..ST_MAX_THREADS */
    int n_iters;                        /* per thread; 0: until killed */
    int ack_fd;                         /* >= 0: kill mode (synchronous FULL, acks written) */
    int hang_s;                         /* watchdog: seconds without progress */
    unsigned skip_kinds;                /* bit per ST_KIND_*: drawn as a reader instead */
    /* Results. */
    chorus_db *db;
    _Atomic bool failed;
    char failure[512];
    st_thread t[ST_MAX_THREADS];
    /* Private. */
    pthread_mutex_t fail_mu;
    _Atomic int ddl_seq;
    _Atomic bool done;
};

/* One acknowledgement through the kill-mode pipe (8 bytes: atomic). */
typedef struct st_ack {
    int32_t thread;
    int32_t acked;
} st_ack;

/* The ST_KIND_* named name ("ddl", "savepoint", ...), or -1. */
int st_kind_by_name(const char *name);

/* Creates the database at path in journal_mode=mvcc with the schema and
 * the opening rows; false (with a message on stderr) on any failure. */
bool st_create(const char *path, int n_threads);

/* Runs the workload: opens run->path, runs the threads and the watchdog,
 * closes. False when something broke (run->failure says what). */
bool st_run_workload(st_run *run);

/* S1-S3 and S5 on a database closed by everyone else: opens it, checks in
 * one snapshot, compares each thread's counter with acked[] (exact: equal,
 * else at least), checks integrity and the journal mode, closes. Writes the
 * first broken rule into msg; false when one broke. */
bool st_check_closed(const char *path, int n_threads, const int64_t *acked, bool exact,
                     char *msg, size_t msg_size);

#endif /* CHORUS_TESTS_STRESS_H */
