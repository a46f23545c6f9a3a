/*
 * bench/bench_concurrent.c: concurrent write throughput, ChorusDB and SQLite
 * (libsqlite3, the peer) side by side in one run: Turso's published
 * benchmark (reference/TURSO.md §5.2) plus a 1-row and a hot-row variant.
 *
 * One point = (workload, synchronous, connections, engine). Each point runs
 * on a fresh database file in a scratch folder:
 *   CREATE TABLE test_table(id INTEGER PRIMARY KEY, data TEXT NOT NULL)
 *   CREATE TABLE hot(id INTEGER PRIMARY KEY, n INTEGER NOT NULL)  -- row (1, 0)
 * N threads, each with its own connection (ChorusDB: one chorus_db, one
 * chorus_connect per thread; SQLite: one sqlite3* per thread on the same
 * file, WAL, busy_timeout 5000), run a closed loop of transactions for a
 * fixed time:
 *   batch  BEGIN; 100 x INSERT INTO test_table(id, data) VALUES (?, ?); COMMIT
 *          ids from one shared counter, so every transaction's ids are
 *          disjoint from every other's; data is "data_<id>"
 *   single the same with 1 row per transaction
 *   hot    BEGIN; UPDATE hot SET n = n + 1 WHERE id = 1; COMMIT
 * BEGIN is BEGIN CONCURRENT for ChorusDB in MVCC mode and BEGIN IMMEDIATE
 * otherwise (SQLite always; ChorusDB when PRAGMA journal_mode='mvcc' does not
 * answer "mvcc": the WAL fallback, announced in the output header).
 *
 * A transaction that fails with a conflict (CHORUS_CONFLICT, SQLITE_BUSY_SNAPSHOT)
 * or with BUSY is rolled back and retried after a random backoff (between
 * half and all of 50 us doubled per failed attempt, at most 10 ms); conflicts
 * and retries are counted. Latency is measured per committed transaction,
 * from the first BEGIN to the acknowledged COMMIT (retries and lock waits
 * included: what the application waits); the COMMIT statement alone is also
 * timed (CSV only). Only transactions acknowledged inside the measured window
 * count toward throughput. After each point the table is checked: row count
 * (batch, single) or counter value (hot) equal to the committed transactions.
 *
 * Memory per version (ChorusDB in MVCC mode only), measured once before the
 * matrix on a fresh heap: a reader opens a snapshot first (so neither GC nor
 * a checkpoint may drop what follows), then MEM_ROWS rows of the batch
 * workload are committed; the growth of malloc's bytes in use (mallinfo2)
 * and of resident memory, divided by the rows, is the cost of one row
 * version (version header, record, skiplist node). Skipped in the WAL
 * fallback.
 *
 * Output: one table line per engine per point (ratio = chorus / sqlite,
 * > 1 means ChorusDB is faster), then a CSV block between "--- csv ---" and
 * "--- end csv ---" that bench/plot_concurrent.py draws.
 *
 * Each point runs `rounds` times per engine, the engines alternating which
 * goes first; the median round by throughput is printed.
 *
 * Usage: bench_concurrent [-d seconds] [-r rounds] [-c 1,2,4,8]
 *                         [-w batch,single,hot] [-s full,normal]
 *                         [-m auto|wal] [-D dir] [-o file.csv]
 * (defaults: 3 s, 1 round, every workload, connection count and level;
 * -m wal forces the WAL fallback; -D is the parent of the scratch folder).
 * Threads: main starts the workers of a point, releases them through a
 * barrier and joins them; workers share only the id counter (atomic).
 */
#include <chorus.h>
#include <sqlite3.h>

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { MAX_THREADS = 64, MAX_ROUNDS = 15, BATCH_ROWS = 100 };
enum { BACKOFF_BASE_NS = 50000, BACKOFF_CAP_NS = 10000000 };

/* What one step of a statement came to, for either engine. */
typedef enum outcome { OUT_DONE, OUT_ROW, OUT_CONFLICT, OUT_BUSY, OUT_ERROR } outcome;

/* The message of this thread's last failed step, saved before the reset. */
static _Thread_local char last_error[256];

static void
die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_concurrent: %s: %s\n", what, msg ? msg : "?");
    exit(1);
}

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- engines ------------------------------------------------------------- */

/*
 * The operations a point needs from an engine. A database handle (db) lives
 * for one point; a connection (conn) belongs to one thread. step() runs a
 * statement once and, unless it returned OUT_ROW, resets it.
 */
typedef struct engine engine;
struct engine {
    const char *name;
    void *(*db_open)(const char *path);
    void (*db_close)(void *db);
    void *(*conn_open)(void *db, const char *path);
    void (*conn_close)(void *conn);
    void *(*prepare)(void *conn, const char *sql);
    outcome (*step)(void *conn, void *stmt);
    void (*reset)(void *stmt);
    void (*finalize)(void *stmt);
    void (*bind_int)(void *stmt, int idx, int64_t v);
    void (*bind_text)(void *stmt, int idx, const char *s, int n);
    int64_t (*column_int)(void *stmt, int col);
    const char *(*column_text)(void *stmt, int col);
    const char *(*column_name)(void *stmt, int col);
    int (*column_count)(void *stmt);
    int (*in_tx)(void *conn);
};

/* ChorusDB */

static void *
ch_db_open(const char *path)
{
    chorus_db *db;
    if (chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &db) != CHORUS_OK)
        die("chorus_open", chorus_open_errmsg());
    return db;
}

static void
ch_db_close(void *db)
{
    if (chorus_close(db) != CHORUS_OK)
        die("chorus_close", "failed");
}

static void *
ch_conn_open(void *db, const char *path)
{
    chorus_conn *conn;
    (void)path;
    if (chorus_connect(db, &conn) != CHORUS_OK)
        die("chorus_connect", "failed");
    chorus_busy_timeout(conn, 5000);
    return conn;
}

static void ch_conn_close(void *conn) { chorus_disconnect(conn); }

static void *
ch_prepare(void *conn, const char *sql)
{
    chorus_stmt *st;
    if (chorus_prepare(conn, sql, -1, &st, NULL) != CHORUS_OK || st == NULL)
        die(sql, chorus_errmsg(conn));
    return st;
}

static outcome
ch_step(void *conn, void *st)
{
    int rc = chorus_step(st);
    if (rc == CHORUS_ROW)
        return OUT_ROW;
    if (rc == CHORUS_DONE) {
        chorus_reset(st);
        return OUT_DONE;
    }
    int ext = chorus_extended_errcode(conn);
    snprintf(last_error, sizeof last_error, "%s", chorus_errmsg(conn));
    chorus_reset(st);
    if ((rc & 0xff) == CHORUS_CONFLICT || rc == CHORUS_BUSY_SNAPSHOT || ext == CHORUS_BUSY_SNAPSHOT)
        return OUT_CONFLICT;
    if ((rc & 0xff) == CHORUS_BUSY)
        return OUT_BUSY;
    return OUT_ERROR;
}

static void ch_reset(void *st) { chorus_reset(st); }
static void ch_finalize(void *st) { chorus_finalize(st); }
static void ch_bind_int(void *st, int i, int64_t v) { chorus_bind_int64(st, i, v); }
static void ch_bind_text(void *st, int i, const char *s, int n) { chorus_bind_text(st, i, s, n, CHORUS_STATIC); }
static int64_t ch_column_int(void *st, int c) { return chorus_column_int64(st, c); }
static const char *ch_column_text(void *st, int c) { return chorus_column_text(st, c); }
static const char *ch_column_name(void *st, int c) { return chorus_column_name(st, c); }
static int ch_column_count(void *st) { return chorus_column_count(st); }
static int ch_in_tx(void *conn) { return chorus_in_transaction(conn); }

static const engine chorus_engine = {
    "chorus", ch_db_open, ch_db_close, ch_conn_open, ch_conn_close, ch_prepare, ch_step,
    ch_reset, ch_finalize, ch_bind_int, ch_bind_text, ch_column_int, ch_column_text,
    ch_column_name, ch_column_count, ch_in_tx,
};

/* SQLite: the "database" of a point is nothing; each connection opens the file. */

static void *sq_db_open(const char *path) { (void)path; return NULL; }
static void sq_db_close(void *db) { (void)db; }

static void *
sq_conn_open(void *db, const char *path)
{
    sqlite3 *conn;
    (void)db;
    if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("sqlite3_open_v2", sqlite3_errmsg(conn));
    sqlite3_extended_result_codes(conn, 1);
    sqlite3_busy_timeout(conn, 5000);
    return conn;
}

static void
sq_conn_close(void *conn)
{
    if (sqlite3_close(conn) != SQLITE_OK)
        die("sqlite3_close", sqlite3_errmsg(conn));
}

static void *
sq_prepare(void *conn, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK || st == NULL)
        die(sql, sqlite3_errmsg(conn));
    return st;
}

static outcome
sq_step(void *conn, void *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return OUT_ROW;
    if (rc != SQLITE_DONE)
        snprintf(last_error, sizeof last_error, "%s", sqlite3_errmsg(conn));
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return OUT_DONE;
    if (rc == SQLITE_BUSY_SNAPSHOT)
        return OUT_CONFLICT;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return OUT_BUSY;
    return OUT_ERROR;
}

static void sq_reset(void *st) { sqlite3_reset(st); }
static void sq_finalize(void *st) { sqlite3_finalize(st); }
static void sq_bind_int(void *st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
static void sq_bind_text(void *st, int i, const char *s, int n) { sqlite3_bind_text(st, i, s, n, SQLITE_STATIC); }
static int64_t sq_column_int(void *st, int c) { return sqlite3_column_int64(st, c); }
static const char *sq_column_text(void *st, int c) { return (const char *)sqlite3_column_text(st, c); }
static const char *sq_column_name(void *st, int c) { return sqlite3_column_name(st, c); }
static int sq_column_count(void *st) { return sqlite3_column_count(st); }
static int sq_in_tx(void *conn) { return !sqlite3_get_autocommit(conn); }

static const engine sqlite_engine = {
    "sqlite", sq_db_open, sq_db_close, sq_conn_open, sq_conn_close, sq_prepare, sq_step,
    sq_reset, sq_finalize, sq_bind_int, sq_bind_text, sq_column_int, sq_column_text,
    sq_column_name, sq_column_count, sq_in_tx,
};

/* Runs sql (no rows expected, or rows dropped); dies on failure. */
static void
exec_sql(const engine *e, void *conn, const char *sql)
{
    void *st = e->prepare(conn, sql);
    outcome out;
    while ((out = e->step(conn, st)) == OUT_ROW)
        ;
    if (out != OUT_DONE)
        die(sql, last_error);
    e->finalize(st);
}

/*
 * Sets *out to the first column of the first row of sql. Returns false,
 * with the message in last_error, when the query fails or has no row.
 */
static bool
query_int(const engine *e, void *conn, const char *sql, int64_t *out)
{
    void *st = e->prepare(conn, sql);
    outcome out_step = e->step(conn, st);
    if (out_step == OUT_ROW) {
        *out = e->column_int(st, 0);
        e->reset(st);
    } else if (out_step == OUT_DONE) {
        snprintf(last_error, sizeof last_error, "no row");
    }
    e->finalize(st);
    return out_step == OUT_ROW;
}

/* --- the chorus mode ----------------------------------------------------- */

static bool chorus_mvcc;        /* PRAGMA journal_mode='mvcc' answered "mvcc" */
static char chorus_mode_note[256];

/*
 * Asks a scratch database for journal_mode 'mvcc' and BEGIN CONCURRENT; sets
 * chorus_mvcc and a note on what was found. force_wal skips the attempt.
 */
static void
chorus_mode_detect(const char *dir, bool force_wal)
{
    char path[600];
    if (force_wal) {
        snprintf(chorus_mode_note, sizeof chorus_mode_note, "WAL + BEGIN IMMEDIATE (-m wal)");
        return;
    }
    snprintf(path, sizeof path, "%s/probe.db", dir);
    chorus_db *db = ch_db_open(path);
    chorus_conn *conn = ch_conn_open(db, path);
    chorus_stmt *st;
    char answer[128] = "";
    int rc = chorus_prepare(conn, "PRAGMA journal_mode='mvcc'", -1, &st, NULL);
    if (rc == CHORUS_OK) {
        rc = chorus_step(st);
        if (rc == CHORUS_ROW && chorus_column_text(st, 0) != NULL)
            snprintf(answer, sizeof answer, "answered \"%s\"", chorus_column_text(st, 0));
        else if (rc != CHORUS_ROW)
            snprintf(answer, sizeof answer, "failed: %s", chorus_errmsg(conn));
        chorus_finalize(st);
    } else {
        snprintf(answer, sizeof answer, "failed: %s", chorus_errmsg(conn));
    }
    chorus_mvcc = strcmp(answer, "answered \"mvcc\"") == 0;
    if (chorus_mvcc && chorus_exec(conn, "BEGIN CONCURRENT; ROLLBACK") != CHORUS_OK) {
        chorus_mvcc = false;
        snprintf(answer, sizeof answer, "answered mvcc, but BEGIN CONCURRENT failed: %s",
                 chorus_errmsg(conn));
    }
    if (chorus_mvcc)
        snprintf(chorus_mode_note, sizeof chorus_mode_note, "MVCC + BEGIN CONCURRENT");
    else
        snprintf(chorus_mode_note, sizeof chorus_mode_note,
                 "WAL FALLBACK + BEGIN IMMEDIATE (PRAGMA journal_mode='mvcc' %s)", answer);
    chorus_disconnect(conn);
    chorus_close(db);
}

/* --- workloads and points ------------------------------------------------ */

typedef enum workload { W_BATCH, W_SINGLE, W_HOT, W_COUNT } workload;
static const char *const workload_names[W_COUNT] = {"batch", "single", "hot"};
static const char *const workload_titles[W_COUNT] = {
    "100-row tx, disjoint ids", "1-row tx, disjoint ids", "hot row (counter += 1)"};

typedef struct point_cfg {
    const engine *e;
    workload w;
    bool sync_full;
    int n_threads;
    bool mvcc;                  /* BEGIN CONCURRENT (ChorusDB in MVCC mode) */
    double seconds;
    const char *path;
} point_cfg;

/* The dynamic array of one thread's latencies, in nanoseconds. */
typedef struct lat_vec {
    int64_t *v;
    size_t n, cap;
} lat_vec;

static void
lat_push(lat_vec *l, int64_t ns)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL)
            die("realloc", "out of memory");
    }
    l->v[l->n++] = ns;
}

/* One worker thread's state and counters. */
typedef struct worker {
    const point_cfg *cfg;
    void *db;
    void *conn;
    void *begin, *commit, *rollback, *write;
    unsigned rng;
    int64_t commits_window;     /* acknowledged inside the measured window */
    int64_t commits_total;      /* acknowledged at all (for the check) */
    int64_t conflicts, busy, retries, gave_up;
    lat_vec tx_lat, commit_lat;
    char error[256];
} worker;

static pthread_barrier_t start_barrier;
static _Atomic int64_t next_id;
static int64_t window_end_ns;   /* written by main between the two barrier waits */

static void
backoff_sleep(worker *wk, int attempt)
{
    int shift = attempt - 1 < 12 ? attempt - 1 : 12;
    int64_t d = (int64_t)BACKOFF_BASE_NS << shift;
    if (d > BACKOFF_CAP_NS)
        d = BACKOFF_CAP_NS;
    int64_t ns = d / 2 + (int64_t)(rand_r(&wk->rng) % (unsigned)(d / 2 + 1));
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* One attempt of one transaction; *commit_ns gets the COMMIT's duration. */
static outcome
tx_attempt(worker *wk, int64_t first_id, int64_t *commit_ns)
{
    const engine *e = wk->cfg->e;
    outcome out = e->step(wk->conn, wk->begin);
    if (out != OUT_DONE)
        return out;
    if (wk->cfg->w == W_HOT) {
        out = e->step(wk->conn, wk->write);
    } else {
        int n = wk->cfg->w == W_BATCH ? BATCH_ROWS : 1;
        char data[32];
        for (int i = 0; i < n && out == OUT_DONE; i++) {
            int len = snprintf(data, sizeof data, "data_%lld", (long long)(first_id + i));
            e->bind_int(wk->write, 1, first_id + i);
            e->bind_text(wk->write, 2, data, len);
            out = e->step(wk->conn, wk->write);
        }
    }
    if (out != OUT_DONE)
        return out;
    int64_t t0 = now_ns();
    out = e->step(wk->conn, wk->commit);
    *commit_ns = now_ns() - t0;
    return out;
}

/*
 * Runs one transaction to its commit, retrying conflicts and BUSY with
 * backoff. Returns false on any other failure (message in wk->error).
 */
static bool
tx_run(worker *wk)
{
    const engine *e = wk->cfg->e;
    int rows = wk->cfg->w == W_BATCH ? BATCH_ROWS : 1;
    int64_t first_id = wk->cfg->w == W_HOT ? 0 : atomic_fetch_add(&next_id, rows);
    int64_t t0 = now_ns(), commit_ns = 0;
    for (int attempt = 1;; attempt++) {
        outcome out = tx_attempt(wk, first_id, &commit_ns);
        if (out == OUT_DONE)
            break;
        if (out == OUT_ERROR || out == OUT_ROW) {
            snprintf(wk->error, sizeof wk->error, "%s", last_error);
            return false;
        }
        if (out == OUT_CONFLICT)
            wk->conflicts++;
        else
            wk->busy++;
        if (e->in_tx(wk->conn))
            e->step(wk->conn, wk->rollback);
        if (now_ns() > window_end_ns + 2000000000LL) {
            wk->gave_up++;          /* the window is long over: stop retrying */
            return true;
        }
        wk->retries++;
        backoff_sleep(wk, attempt);
    }
    int64_t t1 = now_ns();
    wk->commits_total++;
    if (t1 <= window_end_ns) {
        wk->commits_window++;
        lat_push(&wk->tx_lat, t1 - t0);
        lat_push(&wk->commit_lat, commit_ns);
    }
    return true;
}

static void *
worker_main(void *arg)
{
    worker *wk = arg;
    const point_cfg *cfg = wk->cfg;
    const engine *e = cfg->e;
    wk->conn = e->conn_open(wk->db, cfg->path);
    exec_sql(e, wk->conn, cfg->sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    wk->begin = e->prepare(wk->conn, cfg->mvcc ? "BEGIN CONCURRENT" : "BEGIN IMMEDIATE");
    wk->commit = e->prepare(wk->conn, "COMMIT");
    wk->rollback = e->prepare(wk->conn, "ROLLBACK");
    wk->write = e->prepare(wk->conn, cfg->w == W_HOT ? "UPDATE hot SET n = n + 1 WHERE id = 1"
                                                     : "INSERT INTO test_table(id, data) VALUES (?, ?)");
    pthread_barrier_wait(&start_barrier);       /* connected */
    pthread_barrier_wait(&start_barrier);       /* window_end_ns is set */
    while (now_ns() < window_end_ns)
        if (!tx_run(wk))
            break;
    e->finalize(wk->begin);
    e->finalize(wk->commit);
    e->finalize(wk->rollback);
    e->finalize(wk->write);
    e->conn_close(wk->conn);
    return NULL;
}

/* The result of one point (one round). */
typedef struct point_result {
    double rows_s, tx_s;
    int64_t commits, conflicts, retries, busy, gave_up;
    double p50_ms, p99_ms, commit_p50_ms, commit_p99_ms;
    bool verified;
    char error[256];
} point_result;

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Percentile q (0..1) of the union of the workers' vectors, in ms. */
static void
percentiles(worker *wks, int n, bool commit_only, double *p50, double *p99)
{
    size_t total = 0, k = 0;
    for (int i = 0; i < n; i++)
        total += (commit_only ? wks[i].commit_lat : wks[i].tx_lat).n;
    *p50 = *p99 = 0;
    if (total == 0)
        return;
    int64_t *all = malloc(total * sizeof *all);
    if (all == NULL)
        die("malloc", "out of memory");
    for (int i = 0; i < n; i++) {
        lat_vec *l = commit_only ? &wks[i].commit_lat : &wks[i].tx_lat;
        if (l->n > 0)
            memcpy(all + k, l->v, l->n * sizeof *all);
        k += l->n;
    }
    qsort(all, total, sizeof *all, cmp_i64);
    *p50 = (double)all[(total - 1) / 2] / 1e6;
    *p99 = (double)all[(size_t)((double)(total - 1) * 0.99)] / 1e6;
    free(all);
}

static void
remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", "-log"};
    char buf[600];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(buf, sizeof buf, "%s%s", path, suffixes[i]);
        unlink(buf);
    }
}

/* Resident memory of this process in bytes (from /proc/self/statm). */
static int64_t
rss_bytes(void)
{
    long pages_total = 0, pages_rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &pages_total, &pages_rss) != 2)
        pages_rss = 0;
    fclose(f);
    return (int64_t)pages_rss * sysconf(_SC_PAGESIZE);
}

/* Creates the schema in the fresh database db at cfg->path. */
static void
point_setup(const point_cfg *cfg, void *db)
{
    const engine *e = cfg->e;
    void *conn = e->conn_open(db, cfg->path);
    const char *mode = cfg->mvcc ? "PRAGMA journal_mode='mvcc'" : "PRAGMA journal_mode=WAL";
    exec_sql(e, conn, mode);
    exec_sql(e, conn, "CREATE TABLE test_table(id INTEGER PRIMARY KEY, data TEXT NOT NULL)");
    exec_sql(e, conn, "CREATE TABLE hot(id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    exec_sql(e, conn, "INSERT INTO hot(id, n) VALUES (1, 0)");
    e->conn_close(conn);
}

/* Checks the table against the commits counted. */
static void
point_check(const point_cfg *cfg, void *db, point_result *r)
{
    const engine *e = cfg->e;
    void *conn = e->conn_open(db, cfg->path);
    int64_t rows_per_tx = cfg->w == W_BATCH ? BATCH_ROWS : 1;
    int64_t expect = r->commits * rows_per_tx;
    int64_t got = -1;
    const char *sql = cfg->w == W_HOT ? "SELECT n FROM hot WHERE id = 1" : "SELECT count(*) FROM test_table";
    if (!query_int(e, conn, sql, &got)) {
        r->verified = false;
        if (r->error[0] == 0)
            snprintf(r->error, sizeof r->error, "check: %s: %.180s", sql, last_error);
    } else {
        r->verified = got == expect;
        if (!r->verified && r->error[0] == 0)
            snprintf(r->error, sizeof r->error, "check: expected %lld, found %lld",
                     (long long)expect, (long long)got);
    }
    e->conn_close(conn);
}

static void
point_run(const point_cfg *cfg, point_result *r)
{
    const engine *e = cfg->e;
    worker wks[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    memset(r, 0, sizeof *r);
    memset(wks, 0, sizeof wks);
    remove_db(cfg->path);
    void *db = e->db_open(cfg->path);
    point_setup(cfg, db);
    atomic_store(&next_id, 1);
    if (pthread_barrier_init(&start_barrier, NULL, (unsigned)cfg->n_threads + 1) != 0)
        die("pthread_barrier_init", "failed");
    for (int i = 0; i < cfg->n_threads; i++) {
        wks[i].cfg = cfg;
        wks[i].db = db;
        wks[i].rng = 0x9e3779b9u * (unsigned)(i + 1);
        if (pthread_create(&tids[i], NULL, worker_main, &wks[i]) != 0)
            die("pthread_create", "failed");
    }
    pthread_barrier_wait(&start_barrier);
    window_end_ns = now_ns() + (int64_t)(cfg->seconds * 1e9);
    pthread_barrier_wait(&start_barrier);
    for (int i = 0; i < cfg->n_threads; i++)
        pthread_join(tids[i], NULL);
    pthread_barrier_destroy(&start_barrier);

    int64_t window = 0;
    for (int i = 0; i < cfg->n_threads; i++) {
        window += wks[i].commits_window;
        r->commits += wks[i].commits_total;
        r->conflicts += wks[i].conflicts;
        r->busy += wks[i].busy;
        r->retries += wks[i].retries;
        r->gave_up += wks[i].gave_up;
        if (wks[i].error[0] != 0 && r->error[0] == 0)
            snprintf(r->error, sizeof r->error, "%s", wks[i].error);
    }
    r->tx_s = (double)window / cfg->seconds;
    r->rows_s = r->tx_s * (cfg->w == W_BATCH ? BATCH_ROWS : 1);
    percentiles(wks, cfg->n_threads, false, &r->p50_ms, &r->p99_ms);
    percentiles(wks, cfg->n_threads, true, &r->commit_p50_ms, &r->commit_p99_ms);
    for (int i = 0; i < cfg->n_threads; i++) {
        free(wks[i].tx_lat.v);
        free(wks[i].commit_lat.v);
    }
    point_check(cfg, db, r);
    e->db_close(db);
    remove_db(cfg->path);
}

/* --- the matrix and the output ------------------------------------------- */

/* --- memory per version ---------------------------------------------------- */

enum { MEM_ROWS = 100000 };

static int64_t
heap_bytes(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (int64_t)(mi.uordblks + mi.hblkhd);
}

/*
 * Measures the memory one row version costs (header comment) and returns a
 * line describing it (static storage).
 */
static const char *
memory_probe(const char *dir)
{
    static char note[256];
    char path[600];
    snprintf(path, sizeof path, "%s/memory.db", dir);
    remove_db(path);
    void *db = ch_db_open(path);
    void *setup = ch_conn_open(db, path);
    exec_sql(&chorus_engine, setup, "PRAGMA journal_mode='mvcc'");
    exec_sql(&chorus_engine, setup,
             "CREATE TABLE test_table(id INTEGER PRIMARY KEY, data TEXT NOT NULL)");
    ch_conn_close(setup);
    void *reader = ch_conn_open(db, path);
    void *writer = ch_conn_open(db, path);
    int64_t count = -1;
    exec_sql(&chorus_engine, writer, "PRAGMA synchronous=OFF");
    exec_sql(&chorus_engine, reader, "BEGIN CONCURRENT");
    if (!query_int(&chorus_engine, reader, "SELECT count(*) FROM test_table", &count))
        die("memory probe", last_error);
    int64_t heap_before = heap_bytes(), rss_before = rss_bytes();
    chorus_stmt *ins;
    if (chorus_prepare(writer, "INSERT INTO test_table(id, data) VALUES (?, ?)", -1, &ins, NULL) !=
        CHORUS_OK)
        die("memory probe", chorus_errmsg(writer));
    for (int64_t id = 1; id <= MEM_ROWS; id++) {
        char data[32];
        if (id % BATCH_ROWS == 1)
            exec_sql(&chorus_engine, writer, "BEGIN CONCURRENT");
        snprintf(data, sizeof data, "data_%lld", (long long)id);
        chorus_bind_int64(ins, 1, id);
        chorus_bind_text(ins, 2, data, -1, CHORUS_TRANSIENT);
        if (chorus_step(ins) != CHORUS_DONE)
            die("memory probe insert", chorus_errmsg(writer));
        chorus_reset(ins);
        if (id % BATCH_ROWS == 0)
            exec_sql(&chorus_engine, writer, "COMMIT");
    }
    chorus_finalize(ins);
    int64_t heap = heap_bytes() - heap_before, rss = rss_bytes() - rss_before;
    exec_sql(&chorus_engine, reader, "COMMIT");
    ch_conn_close(reader);
    ch_conn_close(writer);
    ch_db_close(db);
    remove_db(path);
    snprintf(note, sizeof note,
             "%.0f bytes of heap (%.0f resident) per row version, %d rows of 'data_<id>' held "
             "by an open snapshot",
             (double)heap / MEM_ROWS, (double)rss / MEM_ROWS, MEM_ROWS);
    return note;
}

typedef struct options {
    double seconds;
    int rounds;
    int conns[16];
    int n_conns;
    bool workloads[W_COUNT];
    bool syncs[2];              /* [0] FULL, [1] NORMAL */
    bool force_wal;
    const char *dir;
    const char *csv_path;
} options;

/* Orders point results by throughput (qsort). */
static int
cmp_result(const void *a, const void *b)
{
    double x = ((const point_result *)a)->rows_s, y = ((const point_result *)b)->rows_s;
    return (x > y) - (x < y);
}

/*
 * The median round of rounds results rs (reordered) by throughput, with
 * conflicts and retries per round and every round's check.
 */
static point_result
point_median(point_result *rs, int rounds)
{
    int64_t conflicts = 0, retries = 0, busy = 0, gave_up = 0;
    bool verified = true;
    char error[256] = "";
    for (int i = 0; i < rounds; i++) {
        conflicts += rs[i].conflicts;
        retries += rs[i].retries;
        busy += rs[i].busy;
        gave_up += rs[i].gave_up;
        verified = verified && rs[i].verified;
        if (rs[i].error[0] != 0 && error[0] == 0)
            snprintf(error, sizeof error, "%s", rs[i].error);
    }
    qsort(rs, (size_t)rounds, sizeof rs[0], cmp_result);
    point_result m = rs[rounds / 2];
    m.conflicts = conflicts / rounds;           /* per round, like the throughput */
    m.retries = retries / rounds;
    m.busy = busy / rounds;
    m.gave_up = gave_up;
    m.verified = verified;
    snprintf(m.error, sizeof m.error, "%s", error);
    return m;
}

/*
 * Runs the rounds of one point for both engines, alternating which goes
 * first, so that both see the same machine (other load, disk state).
 */
static void
point_pair_run(point_cfg *ch, point_cfg *sq, int rounds, point_result *ch_out, point_result *sq_out)
{
    point_result ch_rs[MAX_ROUNDS], sq_rs[MAX_ROUNDS];
    for (int i = 0; i < rounds; i++) {
        if (i % 2 == 0) {
            point_run(ch, &ch_rs[i]);
            point_run(sq, &sq_rs[i]);
        } else {
            point_run(sq, &sq_rs[i]);
            point_run(ch, &ch_rs[i]);
        }
    }
    *ch_out = point_median(ch_rs, rounds);
    *sq_out = point_median(sq_rs, rounds);
}

static void
print_line(FILE *f, const point_cfg *cfg, const point_result *r, double ratio)
{
    char rat[16] = "";
    if (ratio > 0)
        snprintf(rat, sizeof rat, "%.2f", ratio);
    fprintf(f, "%-7s %-6s %5d  %-6s %11.0f %10.0f %6s %9lld %8lld %9.3f %9.3f  %s%s\n",
            workload_names[cfg->w], cfg->sync_full ? "FULL" : "NORMAL", cfg->n_threads,
            cfg->e->name, r->rows_s, r->tx_s, rat, (long long)r->conflicts, (long long)r->retries,
            r->p50_ms, r->p99_ms, r->verified ? "ok" : "FAILED ", r->error);
    fflush(f);
}

/* One CSV row per engine per point. */
typedef struct csv_row {
    point_cfg cfg;
    point_result r;
    double ratio;
} csv_row;

static void
csv_write(FILE *f, const csv_row *rows, size_t n)
{
    fprintf(f, "workload,sync,connections,engine,mode,rows_per_s,tx_per_s,ratio,conflicts,retries,"
               "busy,p50_ms,p99_ms,commit_p50_ms,commit_p99_ms,verified\n");
    for (size_t i = 0; i < n; i++) {
        const csv_row *c = &rows[i];
        const char *mode = c->cfg.e == &sqlite_engine ? "wal" : (c->cfg.mvcc ? "mvcc" : "wal-fallback");
        char ratio[32] = "";
        if (c->ratio > 0)
            snprintf(ratio, sizeof ratio, "%.3f", c->ratio);
        fprintf(f, "%s,%s,%d,%s,%s,%.1f,%.1f,%s,%lld,%lld,%lld,%.4f,%.4f,%.4f,%.4f,%s\n",
                workload_names[c->cfg.w], c->cfg.sync_full ? "FULL" : "NORMAL", c->cfg.n_threads,
                c->cfg.e->name, mode, c->r.rows_s, c->r.tx_s, ratio, (long long)c->r.conflicts,
                (long long)c->r.retries, (long long)c->r.busy, c->r.p50_ms, c->r.p99_ms,
                c->r.commit_p50_ms, c->r.commit_p99_ms, c->r.verified ? "ok" : "FAILED");
    }
}

static int
parse_list(const char *s, int *out, int max)
{
    int n = 0;
    char *copy = strdup(s), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && n < max; tok = strtok_r(NULL, ",", &save))
        out[n++] = atoi(tok);
    free(copy);
    return n;
}

static bool
parse_names(const char *s, const char *const *names, int n_names, bool *out)
{
    char *copy = strdup(s), *save = NULL;
    bool ok = true;
    memset(out, 0, sizeof(bool) * (size_t)n_names);
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < n_names && strcasecmp(tok, names[k]) != 0)
            k++;
        if (k == n_names)
            ok = false;
        else
            out[k] = true;
    }
    free(copy);
    return ok;
}

static const char usage[] =
    "usage: bench_concurrent [-d seconds] [-r rounds] [-c 1,2,4,8] [-w batch,single,hot]\n"
    "                        [-s full,normal] [-m auto|wal] [-D dir] [-o file.csv]";

static void
options_parse(int argc, char **argv, options *o)
{
    static const char *const sync_names[2] = {"full", "normal"};
    int opt;
    memset(o, 0, sizeof *o);
    o->seconds = 3;
    o->rounds = 1;
    o->n_conns = parse_list("1,2,4,8", o->conns, 16);
    for (int w = 0; w < W_COUNT; w++)
        o->workloads[w] = true;
    o->syncs[0] = o->syncs[1] = true;
    o->dir = NULL;
    while ((opt = getopt(argc, argv, "d:r:c:w:s:m:D:o:h")) != -1) {
        switch (opt) {
        case 'd': o->seconds = atof(optarg); break;
        case 'r': o->rounds = atoi(optarg); break;
        case 'c': o->n_conns = parse_list(optarg, o->conns, 16); break;
        case 'w':
            if (!parse_names(optarg, workload_names, W_COUNT, o->workloads))
                die("-w", usage);
            break;
        case 's':
            if (!parse_names(optarg, sync_names, 2, o->syncs))
                die("-s", usage);
            break;
        case 'm':
            if (strcmp(optarg, "wal") != 0 && strcmp(optarg, "auto") != 0)
                die("-m", usage);
            o->force_wal = strcmp(optarg, "wal") == 0;
            break;
        case 'D': o->dir = optarg; break;
        case 'o': o->csv_path = optarg; break;
        default: die("options", usage);
        }
    }
    if (o->seconds <= 0 || o->rounds < 1 || o->rounds > MAX_ROUNDS || o->n_conns < 1)
        die("options", usage);
    for (int i = 0; i < o->n_conns; i++)
        if (o->conns[i] < 1 || o->conns[i] > MAX_THREADS)
            die("-c", "connections must be 1..64");
}

static void
header_print(const options *o, const char *dir, const char *memory_note)
{
    char host[128] = "?";
    gethostname(host, sizeof host);
    printf("bench_concurrent: chorus %s vs sqlite %s; %.1f s per point, %d round(s) (median), "
           "%ld online CPUs, host %s\n",
           chorus_version(), sqlite3_libversion(), o->seconds, o->rounds,
           sysconf(_SC_NPROCESSORS_ONLN), host);
    printf("files in %s\n", dir);
    printf("chorus mode : %s\n", chorus_mode_note);
    printf("sqlite mode : WAL + BEGIN IMMEDIATE, busy_timeout 5000\n");
    if (memory_note != NULL)
        printf("memory      : %s\n", memory_note);
    printf("latency = first BEGIN to acknowledged COMMIT (retries and lock waits included); "
           "ratio = chorus/sqlite rows/s\n\n");
    printf("%-7s %-6s %5s  %-6s %11s %10s %6s %9s %8s %9s %9s  %s\n", "work", "sync", "conns",
           "engine", "rows/s", "tx/s", "ratio", "conflicts", "retries", "p50 ms", "p99 ms",
           "check");
}

int
main(int argc, char **argv)
{
    options o;
    char dir[512];
    options_parse(argc, argv, &o);
    snprintf(dir, sizeof dir, "%s/chorus-bench-conc-XXXXXX", o.dir ? o.dir : "/tmp");
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", dir);
    chorus_mode_detect(dir, o.force_wal);
    header_print(&o, dir, chorus_mvcc ? memory_probe(dir) : NULL);

    size_t max_rows = (size_t)W_COUNT * 2 * (size_t)o.n_conns * 2, n_rows = 0;
    csv_row *rows = calloc(max_rows, sizeof *rows);
    char path[600];
    snprintf(path, sizeof path, "%s/bench.db", dir);
    for (int w = 0; w < W_COUNT; w++) {
        for (int s = 0; s < 2; s++) {
            if (!o.workloads[w] || !o.syncs[s])
                continue;
            for (int c = 0; c < o.n_conns; c++) {
                point_cfg ch = {&chorus_engine, (workload)w, s == 0, o.conns[c], chorus_mvcc,
                                o.seconds, path};
                point_cfg sq = ch;
                sq.e = &sqlite_engine;
                sq.mvcc = false;
                point_result rc, rs;
                point_pair_run(&ch, &sq, o.rounds, &rc, &rs);
                double ratio = rs.rows_s > 0 ? rc.rows_s / rs.rows_s : 0;
                print_line(stdout, &ch, &rc, ratio);
                print_line(stdout, &sq, &rs, 0);
                rows[n_rows++] = (csv_row){ch, rc, ratio};
                rows[n_rows++] = (csv_row){sq, rs, 0};
            }
        }
    }
    printf("\nworkloads: batch = %s; single = %s; hot = %s\n", workload_titles[W_BATCH],
           workload_titles[W_SINGLE], workload_titles[W_HOT]);
    printf("--- csv ---\n");
    csv_write(stdout, rows, n_rows);
    printf("--- end csv ---\n");
    if (o.csv_path != NULL) {
        FILE *f = fopen(o.csv_path, "w");
        if (f == NULL)
            die(o.csv_path, strerror(errno));
        csv_write(f, rows, n_rows);
        fclose(f);
    }
    free(rows);
    char probe[600];
    snprintf(probe, sizeof probe, "%s/probe.db", dir);
    remove_db(probe);
    rmdir(dir);
    return 0;
}
