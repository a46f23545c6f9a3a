/*
 * tests/stress/stress_workload.c: the randomized MVCC workload, its
 * invariant checks and its watchdog (stress.h S1-S5).
 *
 * Each thread draws, per iteration, one of: a BEGIN CONCURRENT transaction
 * of 1-20 random writes; the same under BEGIN IMMEDIATE or plain BEGIN
 * (exclusive writers, mvcc R20); one with a SAVEPOINT rolled back to or
 * released (mvcc R18); an autocommit write; chorus_run_transaction (a
 * transfer and a tick, retried); a long read-only snapshot checking
 * S1-S4 twice with a pause between; PRAGMA wal_checkpoint; a schema change
 * (CREATE/DROP INDEX, ALTER TABLE ADD COLUMN; autocommit or inside BEGIN
 * IMMEDIATE with ticks around it: core/vm/mvcc_mode.c VM4); a change of
 * PRAGMA synchronous (not in kill mode, which stays FULL). Every
 * connection sets wal_autocheckpoint to 1-4 pages, so the checkpointer
 * thread (core/vm/checkpointer.c) runs all the time.
 * A "tick" is the thread's acknowledged unit: its counter row + 1 and a
 * ledger row with the new value, in the transaction; the thread adds the
 * transaction's ticks to `acked` once COMMIT returns CHORUS_OK (and writes
 * them to the pipe in kill mode).
 * Randomness: one generator per thread seeded from (seed, thread), so the
 * choices replay; the interleaving does not.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

/* ----------------------------------------------------------------- helpers */

static uint64_t
next_rand(st_thread *t)
{
    uint64_t z = (t->rng += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int
draw(st_thread *t, int n)
{
    return (int)(next_rand(t) % (uint64_t)n);
}

static void
run_fail(st_run *run, const char *fmt, ...)
{
    va_list ap;

    pthread_mutex_lock(&run->fail_mu);
    if (!atomic_load(&run->failed)) {
        va_start(ap, fmt);
        vsnprintf(run->failure, sizeof run->failure, fmt, ap);
        va_end(ap);
        atomic_store(&run->failed, true);
        fprintf(stderr, "stress: seed %u: %s\n", run->seed, run->failure);
    }
    pthread_mutex_unlock(&run->fail_mu);
}

static void
note_sql(st_thread *t, const char *sql)
{
    pthread_mutex_lock(&t->sql_mu);
    snprintf(t->sql, sizeof t->sql, "%s", sql);
    pthread_mutex_unlock(&t->sql_mu);
    atomic_fetch_add(&t->progress, 1);
}

/* Whether rc (with conn's message) is one of the outcomes stress.h allows;
 * anything else fails the run. */
static bool
outcome_allowed(st_thread *t, const char *sql, int rc)
{
    const char *msg = chorus_errmsg(t->conn);
    int ext = chorus_extended_errcode(t->conn);

    switch (rc & 0xff) {
    case CHORUS_OK:
    case CHORUS_ROW:
    case CHORUS_DONE:
        return true;
    case CHORUS_CONFLICT:
        t->n_conflicts++;
        if (strncmp(msg, "conflict: ", 10) == 0)
            return true;
        break;
    case CHORUS_BUSY:
        t->n_busy++;
        if (strstr(msg, "database is locked") != NULL)
            return true;
        break;
    case CHORUS_CONSTRAINT:
        t->n_constraints++;
        if ((ext == CHORUS_CONSTRAINT_UNIQUE || ext == CHORUS_CONSTRAINT_PRIMARYKEY)
            && strstr(msg, "constraint failed") != NULL)
            return true;
        break;
    }
    run_fail(t->run, "thread %d: %s: rc %d (extended %d): %s", t->index, sql, rc, ext, msg);
    return false;
}

/* Runs sql (printf-formatted); returns its code. Codes outside stress.h's
 * list fail the run, and the thread stops at its next check. */
static int
exec_sql(st_thread *t, const char *fmt, ...)
{
    char sql[240];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    note_sql(t, sql);
    rc = chorus_exec(t->conn, sql);
    outcome_allowed(t, sql, rc);
    return rc;
}

/* The first column of sql's first row; CHORUS_OK or the failing code (an
 * allowed one, or the run fails). */
static int
query_int(st_thread *t, const char *sql, int64_t *out)
{
    chorus_stmt *stmt = NULL;
    int rc;

    note_sql(t, sql);
    *out = -1;
    rc = chorus_prepare(t->conn, sql, -1, &stmt, NULL);
    if (rc == CHORUS_OK) {
        rc = chorus_step(stmt);
        if (rc == CHORUS_ROW)
            *out = chorus_column_int64(stmt, 0);
        rc = rc == CHORUS_ROW || rc == CHORUS_DONE ? CHORUS_OK : rc;
    }
    if (rc != CHORUS_OK)
        outcome_allowed(t, sql, rc);
    chorus_finalize(stmt);
    return rc;
}

static bool
stopping(st_thread *t)
{
    return atomic_load(&t->run->failed);
}

/* Ends the open transaction, if any, with ROLLBACK. */
static void
rollback(st_thread *t)
{
    if (chorus_in_transaction(t->conn) && exec_sql(t, "ROLLBACK") != CHORUS_OK)
        run_fail(t->run, "thread %d: ROLLBACK failed", t->index);
}

/* ------------------------------------------------------------- invariants */

typedef struct snap_values {
    int64_t v[12];
} snap_values;

/* S1-S3 inside the connection's current snapshot (the caller's BEGIN).
 * CHORUS_OK with the values read; an allowed failure code; or
 * ST_BROKEN after run_fail. */
enum { ST_BROKEN = -1 };

static const char *const snap_sql[] = {
    "SELECT sum(bal) FROM bank",
    "SELECT count(*) FROM bank",
    "SELECT count(*) FROM items NOT INDEXED",
    "SELECT count(*) FROM items INDEXED BY items_grp WHERE grp >= -1000000",
    "SELECT count(*) FROM items WHERE tag >= ''",
    "SELECT count(*) FROM kv NOT INDEXED",
    "SELECT count(*) FROM kv INDEXED BY kv_v WHERE v >= -1000000",
    "SELECT count(*) FROM kv WHERE u >= -1000000",
    "SELECT count(*) FROM counters c WHERE c.n <> (SELECT count(*) FROM ledger l "
    "WHERE l.tid = c.tid)",
    "SELECT count(*) FROM ledger l WHERE l.n < 1 OR l.n > (SELECT n FROM counters c "
    "WHERE c.tid = l.tid)",
    "SELECT count(*) FROM (SELECT tid, n FROM ledger GROUP BY tid, n HAVING count(*) > 1)",
    "SELECT count(*) FROM (SELECT u FROM kv GROUP BY u HAVING count(*) > 1)",
};

static int
read_snapshot(st_thread *t, snap_values *out)
{
    for (int i = 0; i < 12; i++) {
        int rc = query_int(t, snap_sql[i], &out->v[i]);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* The rules between the values of one snapshot; NULL when they hold. */
static const char *
snapshot_broken(const snap_values *s)
{
    if (s->v[0] != (int64_t)ST_ACCOUNTS * ST_BALANCE || s->v[1] != ST_ACCOUNTS)
        return "S1 bank total";
    if (s->v[2] != s->v[3] || s->v[2] != s->v[4])
        return "S3 items: scan, items_grp and the tag index disagree";
    if (s->v[5] != s->v[6] || s->v[5] != s->v[7])
        return "S3 kv: scan, kv_v and the u index disagree";
    if (s->v[8] != 0 || s->v[9] != 0 || s->v[10] != 0)
        return "S2 ledger and counters disagree";
    if (s->v[11] != 0)
        return "S3 a UNIQUE u twice";
    return NULL;
}

/* The rows of items and kv as text, by a scan and through each index,
 * and the counters and ledger (the failure message of a broken S2-S4
 * shows them). */
static void
print_rows(st_thread *t, const char *when)
{
    static const char *const sql[] = {
        "SELECT group_concat(id || ':' || tag || ':' || grp, ' ') FROM items NOT INDEXED",
        "SELECT group_concat(id || ':' || grp, ' ') FROM items INDEXED BY items_grp "
        "WHERE grp >= -1000000",
        "SELECT group_concat(id || ':' || tag, ' ') FROM items WHERE tag >= ''",
        "SELECT group_concat(k || ':' || v || ':' || u, ' ') FROM kv NOT INDEXED",
        "SELECT group_concat(k || ':' || v, ' ') FROM kv INDEXED BY kv_v WHERE v >= -1000000",
        "SELECT group_concat(k || ':' || u, ' ') FROM kv WHERE u >= -1000000",
        "SELECT group_concat(tid || ':' || n, ' ') FROM counters",
        "SELECT group_concat(tid || ':' || c || ':' || m, ' ') FROM (SELECT tid, count(*) AS c, "
        "max(n) AS m FROM ledger GROUP BY tid)",
    };

    for (int i = 0; i < 8; i++) {
        chorus_stmt *stmt = NULL;
        if (chorus_prepare(t->conn, sql[i], -1, &stmt, NULL) == CHORUS_OK &&
            chorus_step(stmt) == CHORUS_ROW)
            fprintf(stderr, "stress: thread %d %s: %s\n  %s\n", t->index, when, sql[i],
                    chorus_column_text(stmt, 0));
        chorus_finalize(stmt);
    }
}

static void
fail_snapshot(st_thread *t, const char *what, const snap_values *a, const snap_values *b)
{
    char vals[400];
    int n = 0;

    for (int i = 0; i < 12; i++)
        n += snprintf(vals + n, sizeof vals - (size_t)n, " %" PRId64 "/%" PRId64, a->v[i],
                      b != NULL ? b->v[i] : a->v[i]);
    print_rows(t, "in the broken snapshot");
    run_fail(t->run, "thread %d: %s; values (first/second read):%s", t->index, what, vals);
}

/* --------------------------------------------------------------- writes */

/* A random write to items or kv (stress.h S3's tables). */
static int
random_row_write(st_thread *t)
{
    int r = draw(t, 100), key = draw(t, 150), key2 = draw(t, 150), grp = draw(t, 16);

    if (r < 20)
        return exec_sql(t, "INSERT INTO items(tag, grp, note) VALUES ('t%d', %d, 'n%d')", key,
                        grp, t->index);
    if (r < 34)
        return exec_sql(t, "UPDATE items SET grp = %d, note = 'u%d' WHERE tag = 't%d'", grp,
                        t->index, key);
    if (r < 42)
        return exec_sql(t, "UPDATE items SET tag = 't%d' WHERE tag = 't%d'", key2, key);
    if (r < 52)
        return exec_sql(t, "DELETE FROM items WHERE tag = 't%d'", key);
    if (r < 54)
        return exec_sql(t, "DELETE FROM items WHERE grp = %d", grp);
    if (r < 66)
        return exec_sql(t, "INSERT INTO kv(k, v, u) VALUES ('k%d', %d, %d)", key, grp, key2);
    if (r < 76)
        return exec_sql(t, "INSERT OR REPLACE INTO kv(k, v, u) VALUES ('k%d', %d, %d)", key,
                        grp, key2);
    if (r < 88)
        return exec_sql(t, "UPDATE kv SET v = v + 1 WHERE k = 'k%d'", key);
    if (r < 92)
        return exec_sql(t, "UPDATE kv SET u = %d WHERE k = 'k%d'", key2, key);
    return exec_sql(t, "DELETE FROM kv WHERE k = 'k%d'", key);
}

static int
transfer(st_thread *t)
{
    int from = 1 + draw(t, ST_ACCOUNTS), to = 1 + draw(t, ST_ACCOUNTS), amount = draw(t, 50);
    int rc = exec_sql(t, "UPDATE bank SET bal = bal - %d WHERE id = %d", amount, from);

    if (rc == CHORUS_OK)
        rc = exec_sql(t, "UPDATE bank SET bal = bal + %d WHERE id = %d", amount, to);
    return rc;
}

/* The thread's counter + 1 and its ledger row (S2). */
static int
tick(st_thread *t)
{
    int rc = exec_sql(t, "UPDATE counters SET n = n + 1 WHERE tid = %d", t->index);

    if (rc == CHORUS_OK)
        rc = exec_sql(t, "INSERT INTO ledger(tid, n) VALUES (%d, (SELECT n FROM counters "
                         "WHERE tid = %d))", t->index, t->index);
    return rc;
}

/* Whether a statement's code lets the transaction go on: success, or a
 * constraint failure (the statement alone is undone). */
static bool
goes_on(int rc)
{
    return rc == CHORUS_OK || (rc & 0xff) == CHORUS_CONSTRAINT;
}

/* n random writes, ticks and transfers; *ticks counts the ticks done.
 * The code of the first statement that ends the transaction, else OK. */
static int
random_writes(st_thread *t, int n, int *ticks)
{
    for (int i = 0; i < n && !stopping(t); i++) {
        int r = draw(t, 10), rc;
        if (r == 0) {
            rc = tick(t);
            *ticks += rc == CHORUS_OK;
        } else if (r == 1) {
            rc = transfer(t);
        } else {
            rc = random_row_write(t);
        }
        if (!goes_on(rc))
            return rc;
    }
    return CHORUS_OK;
}

static void
acknowledge(st_thread *t, int ticks)
{
    st_ack a;

    t->n_commits++;
    if (ticks == 0)
        return;
    t->acked += ticks;
    if (t->run->ack_fd >= 0) {
        a.thread = t->index;
        a.acked = (int32_t)t->acked;
        if (write(t->run->ack_fd, &a, sizeof a) != (ssize_t)sizeof a)
            run_fail(t->run, "thread %d: ack write failed", t->index);
    }
}

/* COMMIT; on CHORUS_BUSY the transaction stays open (VM5): try once more,
 * then roll back. A conflicted COMMIT ends the transaction (DESIGN.md
 * "Conflicts"). */
static void
commit(st_thread *t, int ticks)
{
    int rc = exec_sql(t, "COMMIT");

    if (rc == CHORUS_BUSY && chorus_in_transaction(t->conn))
        rc = exec_sql(t, "COMMIT");
    if (rc == CHORUS_OK) {
        if (chorus_in_transaction(t->conn))
            run_fail(t->run, "thread %d: still in a transaction after COMMIT", t->index);
        acknowledge(t, ticks);
        return;
    }
    if ((rc & 0xff) == CHORUS_CONFLICT && chorus_in_transaction(t->conn))
        run_fail(t->run, "thread %d: a conflicted COMMIT left the transaction open", t->index);
    rollback(t);
}

/* ------------------------------------------------------- transaction kinds */

static const char *const begin_kinds[] = {"BEGIN CONCURRENT", "BEGIN IMMEDIATE", "BEGIN"};

static void
write_tx(st_thread *t, int kind)
{
    int ticks = 0, rc;

    atomic_store(&t->phase, begin_kinds[kind]);
    if (exec_sql(t, "%s", begin_kinds[kind]) != CHORUS_OK)
        return;
    rc = random_writes(t, 1 + draw(t, 20), &ticks);
    if (goes_on(rc) && !stopping(t))
        commit(t, ticks);
    else
        rollback(t);
}

/* mvcc R18: writes, a savepoint, more writes, then ROLLBACK TO or RELEASE,
 * maybe more writes, COMMIT. */
static void
savepoint_tx(st_thread *t)
{
    int ticks = 0, inner = 0, rc;

    atomic_store(&t->phase, "savepoint");
    if (exec_sql(t, "%s", begin_kinds[draw(t, 3) == 0 ? 1 : 0]) != CHORUS_OK)
        return;
    rc = random_writes(t, 1 + draw(t, 6), &ticks);
    if (goes_on(rc))
        rc = exec_sql(t, "SAVEPOINT sp");
    if (goes_on(rc)) {
        rc = random_writes(t, 1 + draw(t, 8), &inner);
        if (goes_on(rc))
            rc = tick(t);
        inner += rc == CHORUS_OK;
    }
    if (goes_on(rc) && draw(t, 2) == 0) {
        rc = exec_sql(t, "ROLLBACK TO sp");
        inner = 0;
        if (rc == CHORUS_OK)
            rc = random_writes(t, draw(t, 4), &ticks);
    } else if (goes_on(rc)) {
        rc = exec_sql(t, "RELEASE sp");
    }
    if (goes_on(rc) && !stopping(t))
        commit(t, ticks + inner);
    else
        rollback(t);
}

static void
autocommit_write(st_thread *t)
{
    atomic_store(&t->phase, "autocommit");
    random_row_write(t);
}

typedef struct body_arg {
    st_thread *t;
} body_arg;

static int
transfer_and_tick(chorus_conn *conn, void *arg)
{
    st_thread *t = ((body_arg *)arg)->t;
    int rc = transfer(t);

    (void)conn;
    return rc == CHORUS_OK ? tick(t) : rc;
}

static void
retried_tx(st_thread *t)
{
    body_arg arg = {t};
    int mode = draw(t, 4) == 0 ? CHORUS_TX_IMMEDIATE : CHORUS_TX_CONCURRENT;
    int rc;

    atomic_store(&t->phase, "chorus_run_transaction");
    rc = chorus_run_transaction(t->conn, mode, 20, transfer_and_tick, &arg);
    if (chorus_in_transaction(t->conn))
        run_fail(t->run, "thread %d: chorus_run_transaction left a transaction open", t->index);
    if (rc == CHORUS_OK)
        acknowledge(t, 1);
    else
        outcome_allowed(t, "chorus_run_transaction", rc);
}

/* S1-S4: a read-only snapshot read twice, with a pause between. */
static void
reader(st_thread *t)
{
    snap_values a, b;
    const char *broken;

    atomic_store(&t->phase, "reader");
    if (exec_sql(t, "BEGIN") != CHORUS_OK)
        return;
    if (read_snapshot(t, &a) == CHORUS_OK) {
        broken = snapshot_broken(&a);
        if (broken != NULL)
            fail_snapshot(t, broken, &a, NULL);
        usleep((useconds_t)draw(t, 3000));
        if (broken == NULL && read_snapshot(t, &b) == CHORUS_OK &&
            memcmp(&a, &b, sizeof a) != 0)
            fail_snapshot(t, "S4 the snapshot moved", &a, &b);
        t->n_reads++;
    }
    if (!stopping(t) && exec_sql(t, "COMMIT") != CHORUS_OK)
        rollback(t);
}

static void
checkpoint(st_thread *t)
{
    static const char *const modes[] = {"PASSIVE", "FULL", "RESTART", "TRUNCATE"};

    atomic_store(&t->phase, "wal_checkpoint");
    exec_sql(t, "PRAGMA wal_checkpoint(%s)", modes[draw(t, 4)]);
}

/* One schema change (VM4): autocommit, or inside BEGIN IMMEDIATE with a
 * tick before and after it. ALTER TABLE adds at most 6 columns per run,
 * named after the run's seed (kill rounds run one after another). */
static int
schema_change(st_thread *t)
{
    int r = draw(t, 5), seq;

    if (r == 0)
        return exec_sql(t, "CREATE INDEX IF NOT EXISTS items_note ON items(note, grp)");
    if (r == 1)
        return exec_sql(t, "DROP INDEX IF EXISTS items_note");
    if (r == 2)
        return exec_sql(t, "CREATE INDEX IF NOT EXISTS kv_vu ON kv(v, u)");
    if (r == 3)
        return exec_sql(t, "DROP INDEX IF EXISTS kv_vu");
    seq = atomic_fetch_add(&t->run->ddl_seq, 1);
    if (seq >= 6)
        return CHORUS_OK;
    return exec_sql(t, "ALTER TABLE %s ADD COLUMN c%u_%d INT DEFAULT %d",
                    seq % 2 ? "kv" : "items", t->run->seed, seq, seq);
}

static void
ddl(st_thread *t)
{
    int ticks = 0, rc;

    atomic_store(&t->phase, "ddl");
    if (draw(t, 2) == 0) {
        schema_change(t);
        return;
    }
    if (exec_sql(t, "BEGIN IMMEDIATE") != CHORUS_OK)
        return;
    rc = tick(t);
    ticks += rc == CHORUS_OK;
    if (goes_on(rc))
        rc = schema_change(t);
    if (goes_on(rc))
        rc = random_writes(t, draw(t, 4), &ticks);
    if (goes_on(rc) && !stopping(t))
        commit(t, ticks);
    else
        rollback(t);
}

static void
set_synchronous(st_thread *t)
{
    static const char *const levels[] = {"OFF", "NORMAL", "FULL"};

    atomic_store(&t->phase, "synchronous");
    exec_sql(t, "PRAGMA synchronous = %s", levels[draw(t, 3)]);
}

/* The iteration kinds, by weight out of 200 (stress.h ST_KIND_*). */
static const struct {
    const char *name;
    int weight;
} kinds[ST_N_KINDS] = {
    {"concurrent", 60}, {"immediate", 16}, {"deferred", 10}, {"savepoint", 20},
    {"autocommit", 34}, {"retry", 22}, {"reader", 26}, {"checkpoint", 4},
    {"ddl", 3}, {"synchronous", 5},
};

int
st_kind_by_name(const char *name)
{
    for (int k = 0; k < ST_N_KINDS; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return k;
    return -1;
}

static int
draw_kind(st_thread *t)
{
    int r = draw(t, 200), k = 0;

    while (k < ST_N_KINDS - 1 && r >= kinds[k].weight) {
        r -= kinds[k].weight;
        k++;
    }
    if ((t->run->skip_kinds >> k & 1) || (k == ST_KIND_SYNCHRONOUS && t->run->ack_fd >= 0))
        return ST_KIND_READER;      /* kill mode stays FULL; a skipped kind reads */
    return k;
}

static void
one_iteration(st_thread *t)
{
    switch (draw_kind(t)) {
    case ST_KIND_CONCURRENT: write_tx(t, 0); break;
    case ST_KIND_IMMEDIATE: write_tx(t, 1); break;
    case ST_KIND_DEFERRED: write_tx(t, 2); break;
    case ST_KIND_SAVEPOINT: savepoint_tx(t); break;
    case ST_KIND_AUTOCOMMIT: autocommit_write(t); break;
    case ST_KIND_RETRY: retried_tx(t); break;
    case ST_KIND_READER: reader(t); break;
    case ST_KIND_CHECKPOINT: checkpoint(t); break;
    case ST_KIND_DDL: ddl(t); break;
    default: set_synchronous(t); break;
    }
    if (chorus_in_transaction(t->conn) && !stopping(t))
        run_fail(t->run, "thread %d: %s left a transaction open", t->index,
                 atomic_load(&t->phase));
}

static void *
thread_main(void *arg)
{
    st_thread *t = arg;
    st_run *run = t->run;
    char sql[80];
    int64_t n;

    if (chorus_connect(run->db, &t->conn) != CHORUS_OK) {
        run_fail(run, "thread %d: chorus_connect failed", t->index);
        return NULL;
    }
    chorus_busy_timeout(t->conn, 2000);
    exec_sql(t, "PRAGMA wal_autocheckpoint = %d", 1 + draw(t, 4));
    if (run->ack_fd >= 0)
        exec_sql(t, "PRAGMA synchronous = FULL");
    else
        set_synchronous(t);
    /* The counter as recovered: only this thread writes its row. */
    snprintf(sql, sizeof sql, "SELECT n FROM counters WHERE tid = %d", t->index);
    if (query_int(t, sql, &n) == CHORUS_OK)
        t->acked = n;
    for (int i = 0; (run->n_iters == 0 || i < run->n_iters) && !stopping(t); i++)
        one_iteration(t);
    atomic_store(&t->phase, "done");
    chorus_disconnect(t->conn);
    t->conn = NULL;
    return NULL;
}

/* ---------------------------------------------------------------- watchdog */

static void
print_threads(st_run *run)
{
    char cmd[128];

    fprintf(stderr, "stress: seed %u: no progress for %d s; threads:\n", run->seed, run->hang_s);
    for (int i = 0; i < run->n_threads; i++) {
        st_thread *t = &run->t[i];
        pthread_mutex_lock(&t->sql_mu);
        fprintf(stderr, "  thread %d: %s, statement %" PRId64 ": %s\n", i,
                atomic_load(&t->phase), atomic_load(&t->progress), t->sql);
        pthread_mutex_unlock(&t->sql_mu);
    }
    snprintf(cmd, sizeof cmd, "gdb -p %d -batch -ex 'thread apply all bt' 1>&2 2>/dev/null",
             (int)getpid());
    if (system(cmd) != 0)
        fprintf(stderr, "stress: (no gdb backtrace)\n");
}

static void *
watchdog_main(void *arg)
{
    st_run *run = arg;
    int64_t seen[ST_MAX_THREADS] = {0};
    struct timespec last[ST_MAX_THREADS], now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    for (int i = 0; i < run->n_threads; i++)
        last[i] = now;
    while (!atomic_load(&run->done)) {
        usleep(100000);
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (int i = 0; i < run->n_threads; i++) {
            int64_t p = atomic_load(&run->t[i].progress);
            const char *phase = atomic_load(&run->t[i].phase);
            if (p != seen[i] || strcmp(phase, "done") == 0) {
                seen[i] = p;
                last[i] = now;
            } else if (now.tv_sec - last[i].tv_sec > run->hang_s) {
                print_threads(run);
                abort();
            }
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------- runs */

bool
st_create(const char *path, int n_threads)
{
    chorus_db *db;
    chorus_conn *conn;
    char sql[128];
    int rc;

    if (chorus_open(path, 0, &db) != CHORUS_OK)
        return false;
    rc = chorus_connect(db, &conn);
    if (rc == CHORUS_OK)
        rc = chorus_exec(conn,
                         "PRAGMA journal_mode = wal;"
                         "CREATE TABLE bank(id INTEGER PRIMARY KEY, bal INT NOT NULL);"
                         "CREATE TABLE counters(tid INTEGER PRIMARY KEY, n INT NOT NULL);"
                         "CREATE TABLE ledger(id INTEGER PRIMARY KEY, tid INT NOT NULL, "
                         "  n INT NOT NULL);"
                         "CREATE INDEX ledger_tid ON ledger(tid, n);"
                         "CREATE TABLE items(id INTEGER PRIMARY KEY, tag TEXT UNIQUE, "
                         "  grp INT NOT NULL, note TEXT);"
                         "CREATE INDEX items_grp ON items(grp);"
                         "CREATE TABLE kv(k TEXT PRIMARY KEY, v INT NOT NULL, u INT UNIQUE) "
                         "  WITHOUT ROWID;"
                         "CREATE INDEX kv_v ON kv(v);"
                         "PRAGMA journal_mode = 'mvcc'");
    for (int i = 1; rc == CHORUS_OK && i <= ST_ACCOUNTS; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO bank VALUES (%d, %d)", i, ST_BALANCE);
        rc = chorus_exec(conn, sql);
    }
    for (int i = 0; rc == CHORUS_OK && i < n_threads; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO counters VALUES (%d, 0)", i);
        rc = chorus_exec(conn, sql);
    }
    if (rc != CHORUS_OK)
        fprintf(stderr, "stress: creating %s: %s\n", path, chorus_errmsg(conn));
    chorus_disconnect(conn);
    return chorus_close(db) == CHORUS_OK && rc == CHORUS_OK;
}

bool
st_run_workload(st_run *run)
{
    pthread_t watchdog;

    pthread_mutex_init(&run->fail_mu, NULL);
    if (chorus_open(run->path, 0, &run->db) != CHORUS_OK) {
        run_fail(run, "chorus_open %s: %s", run->path, chorus_open_errmsg());
        return false;
    }
    for (int i = 0; i < run->n_threads; i++) {
        st_thread *t = &run->t[i];
        t->run = run;
        t->index = i;
        t->rng = ((uint64_t)run->seed << 8) + (uint64_t)i;
        atomic_store(&t->phase, "starting");
        pthread_mutex_init(&t->sql_mu, NULL);
    }
    pthread_create(&watchdog, NULL, watchdog_main, run);
    for (int i = 0; i < run->n_threads; i++)
        pthread_create(&run->t[i].handle, NULL, thread_main, &run->t[i]);
    for (int i = 0; i < run->n_threads; i++)
        pthread_join(run->t[i].handle, NULL);
    if (chorus_close(run->db) != CHORUS_OK)
        run_fail(run, "chorus_close failed");
    atomic_store(&run->done, true);
    pthread_join(watchdog, NULL);
    for (int i = 0; i < run->n_threads; i++)
        pthread_mutex_destroy(&run->t[i].sql_mu);
    pthread_mutex_destroy(&run->fail_mu);
    return !atomic_load(&run->failed);
}

/* One-shot query on a checking connection: the value, or INT64_MIN. */
static int64_t
check_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt = NULL;
    int64_t v = INT64_MIN;

    if (chorus_prepare(conn, sql, -1, &stmt, NULL) == CHORUS_OK && chorus_step(stmt) == CHORUS_ROW)
        v = chorus_column_int64(stmt, 0);
    chorus_finalize(stmt);
    return v;
}

static bool
check_text(chorus_conn *conn, const char *sql, const char *want)
{
    chorus_stmt *stmt = NULL;
    bool ok = chorus_prepare(conn, sql, -1, &stmt, NULL) == CHORUS_OK &&
              chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL &&
              strcmp(chorus_column_text(stmt, 0), want) == 0;

    chorus_finalize(stmt);
    return ok;
}

bool
st_check_closed(const char *path, int n_threads, const int64_t *acked, bool exact, char *msg,
                size_t msg_size)
{
    chorus_db *db;
    chorus_conn *conn;
    st_run run = {.seed = 0};
    st_thread *t = &run.t[0];
    snap_values s = {{0}};
    const char *broken = NULL;

    msg[0] = 0;
    if (chorus_open(path, 0, &db) != CHORUS_OK) {
        snprintf(msg, msg_size, "reopen: %s", chorus_open_errmsg());
        return false;
    }
    chorus_connect(db, &conn);
    pthread_mutex_init(&run.fail_mu, NULL);
    pthread_mutex_init(&t->sql_mu, NULL);
    t->run = &run;
    t->conn = conn;
    if (chorus_exec(conn, "BEGIN") != CHORUS_OK || read_snapshot(t, &s) != CHORUS_OK)
        broken = "reading the snapshot failed";
    else
        broken = snapshot_broken(&s);
    chorus_exec(conn, "COMMIT");
    if (broken == NULL && atomic_load(&run.failed))
        broken = run.failure;
    for (int i = 0; broken == NULL && i < n_threads; i++) {
        char sql[80];
        int64_t n;
        snprintf(sql, sizeof sql, "SELECT n FROM counters WHERE tid = %d", i);
        n = check_int(conn, sql);
        if (exact ? n != acked[i] : n < acked[i]) {
            snprintf(msg, msg_size, "S5 thread %d: counter %" PRId64 ", acknowledged %" PRId64,
                     i, n, acked[i]);
            broken = msg;
        }
    }
    if (broken == NULL && !check_text(conn, "PRAGMA integrity_check", "ok"))
        broken = "S5 integrity_check is not ok";
    if (broken == NULL && !check_text(conn, "PRAGMA journal_mode", "mvcc"))
        broken = "the database left journal_mode=mvcc";
    if (broken != NULL && broken != msg) {
        char vals[300];
        int n = 0;
        for (int i = 0; i < 12; i++)
            n += snprintf(vals + n, sizeof vals - (size_t)n, " %" PRId64, s.v[i]);
        snprintf(msg, msg_size, "%s; values:%s", broken, vals);
    }
    chorus_disconnect(conn);
    if (chorus_close(db) != CHORUS_OK && broken == NULL) {
        snprintf(msg, msg_size, "closing after the check failed");
        broken = msg;
    }
    pthread_mutex_destroy(&t->sql_mu);
    pthread_mutex_destroy(&run.fail_mu);
    return broken == NULL;
}
