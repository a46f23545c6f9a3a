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
#include "bench_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef bench_engine engine;

static char dir[256];
static int64_t n_rows = 100000;

/* Opens a fresh database with table t(a INTEGER PRIMARY KEY, k INT, b TEXT)
 * and an index on k. */
static void *
fresh(const engine *e, const char *path)
{
    bench_remove_db(path);
    void *db = e->open(path);
    bench_exec(e, db, "PRAGMA journal_mode=WAL");
    bench_exec(e, db, "PRAGMA synchronous=NORMAL");
    bench_exec(e, db, "CREATE TABLE t(a INTEGER PRIMARY KEY, k INT, b TEXT)");
    bench_exec(e, db, "CREATE INDEX t_k ON t(k)");
    return db;
}

static void
fill(const engine *e, void *db, int64_t n)
{
    static const char payload[] = "the quick brown fox jumps over the lazy dog 0123456789";
    void *ins = bench_prepare(e, db, "INSERT INTO t(a, k, b) VALUES (?, ?, ?)");
    bench_exec(e, db, "BEGIN");
    for (int64_t i = 1; i <= n; i++) {
        e->bind_int(ins, 1, i);
        e->bind_int(ins, 2, (i * 7919) % n);
        e->bind_text(ins, 3, payload, (int)(sizeof payload - 1));
        bench_step(e, db, ins);
        e->reset(ins);
    }
    bench_exec(e, db, "COMMIT");
    e->finalize(ins);
}

/* Each workload returns operations per second. */
static double
w_point_insert(const engine *e, const char *path)
{
    void *db = fresh(e, path);
    int64_t n = n_rows / 20;
    void *ins = bench_prepare(e, db, "INSERT INTO t(k, b) VALUES (?, 'x')");
    double t0 = bench_now_s();
    for (int64_t i = 0; i < n; i++) {
        e->bind_int(ins, 1, i);
        bench_step(e, db, ins);
        e->reset(ins);
    }
    double t = bench_now_s() - t0;
    e->finalize(ins);
    e->close(db);
    return (double)n / t;
}

static double
w_bulk_insert(const engine *e, const char *path)
{
    void *db = fresh(e, path);
    double t0 = bench_now_s();
    fill(e, db, n_rows);
    double t = bench_now_s() - t0;
    e->close(db);
    return (double)n_rows / t;
}

static void *shared_db;

static double
w_point_lookup(const engine *e, const char *path)
{
    void *sel = bench_prepare(e, shared_db, "SELECT b FROM t WHERE a = ?");
    unsigned seed = 42;
    double t0 = bench_now_s();
    for (int64_t i = 0; i < n_rows; i++) {
        e->bind_int(sel, 1, 1 + rand_r(&seed) % n_rows);
        if (!bench_step(e, shared_db, sel))
            bench_die("point lookup", "row missing");
        e->reset(sel);
    }
    double t = bench_now_s() - t0;
    e->finalize(sel);
    return (double)n_rows / t;
}

static double
w_index_lookup(const engine *e, const char *path)
{
    void *sel = bench_prepare(e, shared_db, "SELECT a FROM t WHERE k = ?");
    unsigned seed = 7;
    double t0 = bench_now_s();
    for (int64_t i = 0; i < n_rows; i++) {
        e->bind_int(sel, 1, rand_r(&seed) % n_rows);
        while (bench_step(e, shared_db, sel))
            ;
        e->reset(sel);
    }
    double t = bench_now_s() - t0;
    e->finalize(sel);
    return (double)n_rows / t;
}

static double
w_full_scan(const engine *e, const char *path)
{
    void *sel = bench_prepare(e, shared_db, "SELECT sum(length(b)) FROM t");
    double t0 = bench_now_s();
    int scans = 5;
    for (int i = 0; i < scans; i++) {
        bench_step(e, shared_db, sel);
        e->reset(sel);
    }
    double t = bench_now_s() - t0;
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

int
main(int argc, char **argv)
{
    int rounds = 3;
    if (argc > 1)
        n_rows = atoll(argv[1]);
    if (argc > 2)
        rounds = atoi(argv[2]);
    if (n_rows < 100 || rounds < 1 || rounds > 99)
        bench_die("usage", "bench_core [rows >= 100] [rounds 1..99]");
    snprintf(dir, sizeof dir, "/tmp/chorus-bench-XXXXXX");
    if (mkdtemp(dir) == NULL)
        bench_die("mkdtemp", "failed");

    const engine *engines[2] = {&bench_chorus, &bench_sqlite};
    printf("rows=%lld rounds=%d (median of rounds; ratio = chorus / sqlite, > 1 is faster)\n",
           (long long)n_rows, rounds);
    printf("%-28s %14s %14s %8s  %s\n", "workload", "chorus", "sqlite", "ratio", "unit");
    for (size_t w = 0; w < sizeof workloads / sizeof workloads[0]; w++) {
        double results[2][99];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                const engine *e = engines[(r + k) % 2];
                int slot = (e == &bench_chorus) ? 0 : 1;
                char path[320];
                snprintf(path, sizeof path, "%s/%s.db", dir, e->name);
                if (workloads[w].needs_filled_db) {
                    shared_db = fresh(e, path);
                    fill(e, shared_db, n_rows);
                }
                results[slot][r] = workloads[w].run(e, path);
                if (workloads[w].needs_filled_db)
                    e->close(shared_db);
                bench_remove_db(path);
            }
        }
        double c = bench_median(results[0], rounds), s = bench_median(results[1], rounds);
        printf("%-28s %14.0f %14.0f %8.2f  %s\n", workloads[w].name, c, s, c / s, workloads[w].unit);
        fflush(stdout);
    }
    rmdir(dir);
    return 0;
}
