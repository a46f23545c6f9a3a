/*
 * bench/bench_core.c: the storage engine's basic workloads, ChorusDB and
 * SQLite (libsqlite3, the peer) side by side in one run.
 *
 * Workloads (each on a fresh database file in a temporary directory, WAL
 * mode, synchronous NORMAL for both engines):
 *   point insert   one INSERT per autocommit transaction
 *   bulk insert    N rows in one transaction through one prepared statement
 *   point lookup   SELECT by random rowid through one prepared statement
 *   index lookup   SELECT by random key of a secondary index
 *   full scan      SELECT sum(length(b)) over the whole table
 * Each workload runs `rounds` times per engine, alternating engines; the
 * median operations per second of each is printed with the ratio
 * chorus/sqlite (> 1 means ChorusDB is faster).
 *
 * Usage: bench_core [rows] [rounds]   (defaults 100000 and 3)
 */
#include <chorus.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct engine engine;
struct engine {
    const char *name;
    void *(*open)(const char *path);
    void (*close)(void *db);
    void (*exec)(void *db, const char *sql);
    void *(*prepare)(void *db, const char *sql);
    void (*bind_int)(void *stmt, int idx, int64_t v);
    void (*bind_text)(void *stmt, int idx, const char *s, int n);
    int (*step)(void *stmt);        /* 1 = row, 0 = done */
    int64_t (*column_int)(void *stmt, int col);
    void (*reset)(void *stmt);
    void (*finalize)(void *stmt);
};

static void
die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_core: %s: %s\n", what, msg ? msg : "?");
    exit(1);
}

/* --- ChorusDB ------------------------------------------------------------ */

typedef struct chorus_handle {
    chorus_db *db;
    chorus_conn *conn;
} chorus_handle;

static void *
ch_open(const char *path)
{
    chorus_handle *h = calloc(1, sizeof *h);
    if (chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &h->db) != CHORUS_OK)
        die("chorus_open", chorus_open_errmsg());
    if (chorus_connect(h->db, &h->conn) != CHORUS_OK)
        die("chorus_connect", "failed");
    return h;
}

static void
ch_close(void *p)
{
    chorus_handle *h = p;
    chorus_disconnect(h->conn);
    chorus_close(h->db);
    free(h);
}

static chorus_conn *ch_last_conn;

static void
ch_exec(void *p, const char *sql)
{
    chorus_handle *h = p;
    if (chorus_exec(h->conn, sql) != CHORUS_OK)
        die(sql, chorus_errmsg(h->conn));
}

static void *
ch_prepare(void *p, const char *sql)
{
    chorus_handle *h = p;
    chorus_stmt *st;
    if (chorus_prepare(h->conn, sql, -1, &st, NULL) != CHORUS_OK)
        die(sql, chorus_errmsg(h->conn));
    ch_last_conn = h->conn;
    return st;
}

static void ch_bind_int(void *st, int i, int64_t v) { chorus_bind_int64(st, i, v); }
static void ch_bind_text(void *st, int i, const char *s, int n) { chorus_bind_text(st, i, s, n, CHORUS_STATIC); }

static int
ch_step(void *st)
{
    int rc = chorus_step(st);
    if (rc == CHORUS_ROW)
        return 1;
    if (rc != CHORUS_DONE)
        die("chorus_step", chorus_errmsg(ch_last_conn));
    return 0;
}

static int64_t ch_column_int(void *st, int c) { return chorus_column_int64(st, c); }
static void ch_reset(void *st) { chorus_reset(st); }
static void ch_finalize(void *st) { chorus_finalize(st); }

static const engine chorus_engine = {
    "chorus", ch_open, ch_close, ch_exec, ch_prepare, ch_bind_int, ch_bind_text,
    ch_step, ch_column_int, ch_reset, ch_finalize,
};

/* --- SQLite -------------------------------------------------------------- */

static sqlite3 *sq_last_db;

static void *
sq_open(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("sqlite3_open", sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void sq_close(void *db) { sqlite3_close(db); }

static void
sq_exec(void *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        die(sql, err);
}

static void *
sq_prepare(void *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(db));
    sq_last_db = db;
    return st;
}

static void sq_bind_int(void *st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
static void sq_bind_text(void *st, int i, const char *s, int n) { sqlite3_bind_text(st, i, s, n, SQLITE_STATIC); }

static int
sq_step(void *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        die("sqlite3_step", sqlite3_errmsg(sq_last_db));
    return 0;
}

static int64_t sq_column_int(void *st, int c) { return sqlite3_column_int64(st, c); }
static void sq_reset(void *st) { sqlite3_reset(st); }
static void sq_finalize(void *st) { sqlite3_finalize(st); }

static const engine sqlite_engine = {
    "sqlite", sq_open, sq_close, sq_exec, sq_prepare, sq_bind_int, sq_bind_text,
    sq_step, sq_column_int, sq_reset, sq_finalize,
};

/* --- workloads ----------------------------------------------------------- */

static char dir[256];
static int64_t n_rows = 100000;

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
remove_db(const char *path)
{
    char buf[300];
    unlink(path);
    snprintf(buf, sizeof buf, "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof buf, "%s-shm", path);
    unlink(buf);
    snprintf(buf, sizeof buf, "%s-journal", path);
    unlink(buf);
}

/* Opens a fresh database with table t(a INTEGER PRIMARY KEY, k INT, b TEXT)
 * and an index on k. */
static void *
fresh(const engine *e, const char *path)
{
    remove_db(path);
    void *db = e->open(path);
    e->exec(db, "PRAGMA journal_mode=WAL");
    e->exec(db, "PRAGMA synchronous=NORMAL");
    e->exec(db, "CREATE TABLE t(a INTEGER PRIMARY KEY, k INT, b TEXT)");
    e->exec(db, "CREATE INDEX t_k ON t(k)");
    return db;
}

static void
fill(const engine *e, void *db, int64_t n)
{
    static const char payload[] = "the quick brown fox jumps over the lazy dog 0123456789";
    void *ins = e->prepare(db, "INSERT INTO t(a, k, b) VALUES (?, ?, ?)");
    e->exec(db, "BEGIN");
    for (int64_t i = 1; i <= n; i++) {
        e->bind_int(ins, 1, i);
        e->bind_int(ins, 2, (i * 7919) % n);
        e->bind_text(ins, 3, payload, (int)(sizeof payload - 1));
        e->step(ins);
        e->reset(ins);
    }
    e->exec(db, "COMMIT");
    e->finalize(ins);
}

/* Each workload returns operations per second. */
static double
w_point_insert(const engine *e, const char *path)
{
    void *db = fresh(e, path);
    int64_t n = n_rows / 20;
    void *ins = e->prepare(db, "INSERT INTO t(k, b) VALUES (?, 'x')");
    double t0 = now_s();
    for (int64_t i = 0; i < n; i++) {
        e->bind_int(ins, 1, i);
        e->step(ins);
        e->reset(ins);
    }
    double t = now_s() - t0;
    e->finalize(ins);
    e->close(db);
    return (double)n / t;
}

static double
w_bulk_insert(const engine *e, const char *path)
{
    void *db = fresh(e, path);
    double t0 = now_s();
    fill(e, db, n_rows);
    double t = now_s() - t0;
    e->close(db);
    return (double)n_rows / t;
}

static void *shared_db;

static double
w_point_lookup(const engine *e, const char *path)
{
    void *sel = e->prepare(shared_db, "SELECT b FROM t WHERE a = ?");
    unsigned seed = 42;
    double t0 = now_s();
    for (int64_t i = 0; i < n_rows; i++) {
        e->bind_int(sel, 1, 1 + rand_r(&seed) % n_rows);
        if (!e->step(sel))
            die("point lookup", "row missing");
        e->reset(sel);
    }
    double t = now_s() - t0;
    e->finalize(sel);
    return (double)n_rows / t;
}

static double
w_index_lookup(const engine *e, const char *path)
{
    void *sel = e->prepare(shared_db, "SELECT a FROM t WHERE k = ?");
    unsigned seed = 7;
    double t0 = now_s();
    for (int64_t i = 0; i < n_rows; i++) {
        e->bind_int(sel, 1, rand_r(&seed) % n_rows);
        while (e->step(sel))
            ;
        e->reset(sel);
    }
    double t = now_s() - t0;
    e->finalize(sel);
    return (double)n_rows / t;
}

static double
w_full_scan(const engine *e, const char *path)
{
    void *sel = e->prepare(shared_db, "SELECT sum(length(b)) FROM t");
    double t0 = now_s();
    int scans = 5;
    for (int i = 0; i < scans; i++) {
        e->step(sel);
        e->reset(sel);
    }
    double t = now_s() - t0;
    e->finalize(sel);
    return (double)n_rows * scans / t;
}

typedef struct workload {
    const char *name;
    const char *unit;
    double (*run)(const engine *e, const char *path);
    int needs_filled_db;
} workload;

static const workload workloads[] = {
    {"point insert (autocommit)", "rows/s", w_point_insert, 0},
    {"bulk insert (1 tx)", "rows/s", w_bulk_insert, 0},
    {"point lookup (rowid)", "lookups/s", w_point_lookup, 1},
    {"index lookup", "lookups/s", w_index_lookup, 1},
    {"full scan", "rows/s", w_full_scan, 1},
};

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    int rounds = 3;
    if (argc > 1)
        n_rows = atoll(argv[1]);
    if (argc > 2)
        rounds = atoi(argv[2]);
    if (n_rows < 100 || rounds < 1 || rounds > 99)
        die("usage", "bench_core [rows >= 100] [rounds 1..99]");
    snprintf(dir, sizeof dir, "/tmp/chorus-bench-XXXXXX");
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", "failed");

    const engine *engines[2] = {&chorus_engine, &sqlite_engine};
    printf("rows=%lld rounds=%d (median of rounds; ratio = chorus / sqlite, > 1 is faster)\n",
           (long long)n_rows, rounds);
    printf("%-28s %14s %14s %8s  %s\n", "workload", "chorus", "sqlite", "ratio", "unit");
    for (size_t w = 0; w < sizeof workloads / sizeof workloads[0]; w++) {
        double results[2][99];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                const engine *e = engines[(r + k) % 2];
                int slot = (e == &chorus_engine) ? 0 : 1;
                char path[320];
                snprintf(path, sizeof path, "%s/%s.db", dir, e->name);
                if (workloads[w].needs_filled_db) {
                    shared_db = fresh(e, path);
                    fill(e, shared_db, n_rows);
                }
                results[slot][r] = workloads[w].run(e, path);
                if (workloads[w].needs_filled_db)
                    e->close(shared_db);
                remove_db(path);
            }
        }
        qsort(results[0], rounds, sizeof(double), cmp_double);
        qsort(results[1], rounds, sizeof(double), cmp_double);
        double c = results[0][rounds / 2], s = results[1][rounds / 2];
        printf("%-28s %14.0f %14.0f %8.2f  %s\n", workloads[w].name, c, s, c / s, workloads[w].unit);
        fflush(stdout);
    }
    rmdir(dir);
    return 0;
}
