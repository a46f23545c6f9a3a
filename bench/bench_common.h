/*
 * bench/bench_common.h: what the side-by-side benchmarks share: one engine
 * adapter that runs the same SQL on ChorusDB and on SQLite (libsqlite3, the
 * peer), a monotonic clock, database file removal and the median of rounds.
 *
 * Header-only (every function static inline, the adapters static const):
 * bench/CMakeLists.txt builds each .c file of bench/ as its own program, so a shared
 * .c file would become a program of its own.
 *
 * The adapter's raw calls report failure (-1, NULL) with the message in
 * errmsg(db); the bench_*() wrappers below die on failure instead, for
 * workloads where any error is a bug of the benchmark.
 *
 * Ownership: open() returns a handle owned by the caller, freed by close();
 * prepare() a statement freed by finalize(); column_text() returns text that
 * belongs to the statement until its next step, reset or finalize.
 * Threads: one thread per handle.
 * Callers: bench/bench_core.c, bench/bench_queries.c.
 */
#ifndef CHORUS_BENCH_COMMON_H
#define CHORUS_BENCH_COMMON_H

#include <chorus.h>
#include <sqlite3.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Column types are the engines' own codes, which coincide. */
_Static_assert(CHORUS_INTEGER == SQLITE_INTEGER && CHORUS_FLOAT == SQLITE_FLOAT &&
                   CHORUS_TEXT == SQLITE_TEXT && CHORUS_BLOB == SQLITE_BLOB &&
                   CHORUS_NULL == SQLITE_NULL,
               "ChorusDB and SQLite column type codes differ");

typedef struct bench_engine bench_engine;
struct bench_engine {
    const char *name;
    void *(*open)(const char *path);                /* dies on failure */
    void (*close)(void *db);
    const char *(*errmsg)(void *db);                /* the last failure's message */
    int (*exec)(void *db, const char *sql);         /* 0, or -1 on failure */
    void *(*prepare)(void *db, const char *sql);    /* NULL on failure */
    void (*bind_int)(void *stmt, int idx, int64_t v);
    void (*bind_text)(void *stmt, int idx, const char *s, int n); /* s kept, not copied */
    int (*step)(void *stmt);                        /* 1 row, 0 done, -1 failure */
    int (*column_count)(void *stmt);
    int (*column_type)(void *stmt, int col);
    int64_t (*column_int)(void *stmt, int col);
    double (*column_double)(void *stmt, int col);
    const char *(*column_text)(void *stmt, int col); /* NULL for SQL NULL */
    int (*column_bytes)(void *stmt, int col);
    void (*reset)(void *stmt);
    void (*finalize)(void *stmt);
};

static inline void
bench_die(const char *what, const char *msg)
{
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, msg ? msg : "?");
    exit(1);
}

/* --- ChorusDB ------------------------------------------------------------ */

typedef struct bench_chorus_handle {
    chorus_db *db;
    chorus_conn *conn;
} bench_chorus_handle;

static inline void *
bench_ch_open(const char *path)
{
    bench_chorus_handle *h = calloc(1, sizeof *h);
    if (h == NULL)
        bench_die("calloc", "out of memory");
    if (chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &h->db) != CHORUS_OK)
        bench_die("chorus_open", chorus_open_errmsg());
    if (chorus_connect(h->db, &h->conn) != CHORUS_OK)
        bench_die("chorus_connect", "failed");
    return h;
}

static inline void
bench_ch_close(void *p)
{
    bench_chorus_handle *h = p;
    chorus_disconnect(h->conn);
    chorus_close(h->db);
    free(h);
}

static inline const char *
bench_ch_errmsg(void *p)
{
    return chorus_errmsg(((bench_chorus_handle *)p)->conn);
}

static inline int
bench_ch_exec(void *p, const char *sql)
{
    return chorus_exec(((bench_chorus_handle *)p)->conn, sql) == CHORUS_OK ? 0 : -1;
}

static inline void *
bench_ch_prepare(void *p, const char *sql)
{
    chorus_stmt *st;
    if (chorus_prepare(((bench_chorus_handle *)p)->conn, sql, -1, &st, NULL) != CHORUS_OK)
        return NULL;
    return st;
}

static inline void
bench_ch_bind_int(void *st, int i, int64_t v)
{
    chorus_bind_int64(st, i, v);
}

static inline void
bench_ch_bind_text(void *st, int i, const char *s, int n)
{
    chorus_bind_text(st, i, s, n, CHORUS_STATIC);
}

static inline int
bench_ch_step(void *st)
{
    int rc = chorus_step(st);
    if (rc == CHORUS_ROW)
        return 1;
    return rc == CHORUS_DONE ? 0 : -1;
}

static inline int bench_ch_column_count(void *st) { return chorus_column_count(st); }
static inline int bench_ch_column_type(void *st, int c) { return chorus_column_type(st, c); }
static inline int64_t bench_ch_column_int(void *st, int c) { return chorus_column_int64(st, c); }
static inline double bench_ch_column_double(void *st, int c) { return chorus_column_double(st, c); }

static inline const char *
bench_ch_column_text(void *st, int c)
{
    return chorus_column_text(st, c);
}

static inline int bench_ch_column_bytes(void *st, int c) { return chorus_column_bytes(st, c); }
static inline void bench_ch_reset(void *st) { chorus_reset(st); }
static inline void bench_ch_finalize(void *st) { chorus_finalize(st); }

static const bench_engine bench_chorus = {
    "chorus", bench_ch_open, bench_ch_close, bench_ch_errmsg, bench_ch_exec, bench_ch_prepare,
    bench_ch_bind_int, bench_ch_bind_text, bench_ch_step, bench_ch_column_count,
    bench_ch_column_type, bench_ch_column_int, bench_ch_column_double, bench_ch_column_text,
    bench_ch_column_bytes, bench_ch_reset, bench_ch_finalize,
};

/* --- SQLite -------------------------------------------------------------- */

static inline void *
bench_sq_open(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        bench_die("sqlite3_open", sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static inline void bench_sq_close(void *db) { sqlite3_close(db); }
static inline const char *bench_sq_errmsg(void *db) { return sqlite3_errmsg(db); }

static inline int
bench_sq_exec(void *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static inline void *
bench_sq_prepare(void *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

static inline void
bench_sq_bind_int(void *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

static inline void
bench_sq_bind_text(void *st, int i, const char *s, int n)
{
    sqlite3_bind_text(st, i, s, n, SQLITE_STATIC);
}

static inline int
bench_sq_step(void *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -1;
}

static inline int bench_sq_column_count(void *st) { return sqlite3_column_count(st); }
static inline int bench_sq_column_type(void *st, int c) { return sqlite3_column_type(st, c); }
static inline int64_t bench_sq_column_int(void *st, int c) { return sqlite3_column_int64(st, c); }

static inline double
bench_sq_column_double(void *st, int c)
{
    return sqlite3_column_double(st, c);
}

static inline const char *
bench_sq_column_text(void *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

static inline int bench_sq_column_bytes(void *st, int c) { return sqlite3_column_bytes(st, c); }
static inline void bench_sq_reset(void *st) { sqlite3_reset(st); }
static inline void bench_sq_finalize(void *st) { sqlite3_finalize(st); }

static const bench_engine bench_sqlite = {
    "sqlite", bench_sq_open, bench_sq_close, bench_sq_errmsg, bench_sq_exec, bench_sq_prepare,
    bench_sq_bind_int, bench_sq_bind_text, bench_sq_step, bench_sq_column_count,
    bench_sq_column_type, bench_sq_column_int, bench_sq_column_double, bench_sq_column_text,
    bench_sq_column_bytes, bench_sq_reset, bench_sq_finalize,
};

/* --- wrappers that die on failure ---------------------------------------- */

static inline void
bench_exec(const bench_engine *e, void *db, const char *sql)
{
    if (e->exec(db, sql) != 0)
        bench_die(sql, e->errmsg(db));
}

/* The statement is owned by the caller: e->finalize() frees it. */
static inline void *
bench_prepare(const bench_engine *e, void *db, const char *sql)
{
    void *st = e->prepare(db, sql);
    if (st == NULL)
        bench_die(sql, e->errmsg(db));
    return st;
}

/* 1 = row, 0 = done. */
static inline int
bench_step(const bench_engine *e, void *db, void *st)
{
    int rc = e->step(st);
    if (rc < 0)
        bench_die("step", e->errmsg(db));
    return rc;
}

/* --- clock, files, statistics -------------------------------------------- */

static inline double
bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Removes a database file and its -wal, -shm and -journal companions. */
static inline void
bench_remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char buf[512];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(buf, sizeof buf, "%s%s", path, suffixes[i]);
        unlink(buf);
    }
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n samples; sorts them in place. */
static inline double
bench_median(double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof(double), bench_cmp_double);
    return samples[n / 2];
}

#endif /* CHORUS_BENCH_COMMON_H */
