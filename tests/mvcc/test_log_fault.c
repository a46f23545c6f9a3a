/*
 * tests/mvcc/test_log_fault.c: faults injected into the logical log through
 * its I/O seam (mvcc/log_io.h), seen through chorus.h in journal_mode=mvcc
 * with synchronous=FULL, for the pwrite/fdatasync backend (forced with
 * CHORUS_URING=0) and for the io_uring backend (skipped where the kernel
 * refuses io_uring).
 *
 * Each case commits rows (acknowledged), arms one fault and checks:
 *   F1  the COMMIT that meets the fault fails with the code the fault
 *       means (failed write: CHORUS_IOERR_WRITE; ENOSPC: CHORUS_FULL; failed
 *       fsync: CHORUS_IOERR_FSYNC) and a message that names the MVCC log,
 *       its path and the reason (strerror);
 *   F2  the failure is sticky (mvcc R13): the next commit fails the same way,
 *       with the same message, while reads go on;
 *   F3  after a reopen (recovery) every acknowledged row is there, the
 *       database is still in MVCC mode, integrity_check is ok and new commits
 *       succeed.
 * A short write alone is not a failure: the backend writes the rest and the
 * commit succeeds; a short write followed by ENOSPC (a disk filling up)
 * leaves a torn frame that recovery cuts off. When a batch fails under
 * several committers, every one of them gets the error (group commit W3).
 * A log rewrite after a checkpoint that fails before its rename is dropped:
 * the old log goes on, commits keep succeeding, and the next checkpoint cuts
 * the log (log_rewrite.c RW1). The rename is made durable by a directory
 * fsync before commits go to the new file (RW2): when that fsync fails the
 * log fails, and a power loss that takes the rename back (simulated by
 * putting the old file back under the name) loses no acknowledged commit.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "chorus.h"
#include "log_io.h"
#include "mvcc.h"
#include "test_support.h"

enum { N_ACKED = 25 };

typedef enum fault_kind {
    FAULT_NONE,
    FAULT_WRITE_EIO,
    FAULT_WRITE_ENOSPC,
    FAULT_FSYNC_EIO,
    FAULT_SHORT_WRITE,              /* once, then the rest goes through */
    FAULT_SHORT_WRITE_THEN_ENOSPC,
    FAULT_RENAME_EIO,               /* the log rewrite after a checkpoint (mvcc R19) */
    FAULT_NEW_FSYNC_EIO,            /* its fdatasync of the new file, before the rename */
    FAULT_DIR_FSYNC_EIO             /* its fsync of the directory, after the rename */
} fault_kind;

/* Written by the test thread, read by whichever thread leads a log batch:
 * atomics, so the hooks never race with arming (seq_cst: not hot). */
static _Atomic int armed = FAULT_NONE;
static _Atomic int n_short_writes;
static _Atomic int n_uring_results;
static _Atomic int n_renames;           /* successful renames */
static _Atomic int n_dir_syncs_after_rename;
static char renamed_log_keep[600];      /* a second name for the file a rename replaced */

static int
teardown(void **state)
{
    (void)state;
    atomic_store(&armed, FAULT_NONE);
    mv_log_io_install(NULL);
    unsetenv("CHORUS_URING");
    test_tmpdir_remove();
    return 0;
}

/* --- the hooks ------------------------------------------------------------------ */

static ssize_t
fault_pwrite(int fd, const void *buf, size_t nbytes, off_t offset)
{
    switch (atomic_load(&armed)) {
    case FAULT_WRITE_EIO:
        errno = EIO;
        return -1;
    case FAULT_WRITE_ENOSPC:
        errno = ENOSPC;
        return -1;
    case FAULT_SHORT_WRITE:
    case FAULT_SHORT_WRITE_THEN_ENOSPC:
        if (atomic_fetch_add(&n_short_writes, 1) == 0 && nbytes > 1)
            return pwrite(fd, buf, nbytes / 2, offset);     /* really torn */
        if (atomic_load(&armed) == FAULT_SHORT_WRITE_THEN_ENOSPC) {
            errno = ENOSPC;
            return -1;
        }
        break;
    default:
        break;
    }
    return pwrite(fd, buf, nbytes, offset);
}

static bool
is_directory(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_rewrite_file(int fd)
{
    char link[64], target[600];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof target - 1);
    if (n <= 4)
        return false;
    target[n] = 0;
    return strcmp(target + n - 4, "-new") == 0;
}

static int
fault_fdatasync(int fd)
{
    int kind = atomic_load(&armed);

    if (is_directory(fd) && atomic_load(&n_renames) > 0) {
        atomic_fetch_add(&n_dir_syncs_after_rename, 1);
        if (kind == FAULT_DIR_FSYNC_EIO) {
            errno = EIO;
            return -1;
        }
    }
    if (kind == FAULT_FSYNC_EIO || (kind == FAULT_NEW_FSYNC_EIO && is_rewrite_file(fd))) {
        errno = EIO;
        return -1;
    }
    return fdatasync(fd);
}

/* Keeps the replaced log under renamed_log_keep (when set), as the directory
 * would after a power loss that took the rename back. */
static int
fault_rename(const char *from, const char *to)
{
    if (atomic_load(&armed) == FAULT_RENAME_EIO) {
        errno = EIO;
        return -1;
    }
    if (renamed_log_keep[0] != 0 && link(to, renamed_log_keep) != 0)
        return -1;
    if (rename(from, to) != 0)
        return -1;
    atomic_fetch_add(&n_renames, 1);
    return 0;
}

/* io_uring: the kernel did the I/O; the hook reports what the fault says. */
static int
fault_uring_result(mv_log_io_op op, int fd, size_t nbytes, int res)
{
    int kind = atomic_load(&armed);

    (void)fd;
    atomic_fetch_add(&n_uring_results, 1);
    if (op == MV_LOG_IO_FSYNC)
        return kind == FAULT_FSYNC_EIO ? -EIO : res;
    switch (kind) {
    case FAULT_WRITE_EIO:
        return -EIO;
    case FAULT_WRITE_ENOSPC:
        return -ENOSPC;
    case FAULT_SHORT_WRITE:
    case FAULT_SHORT_WRITE_THEN_ENOSPC:
        if (atomic_fetch_add(&n_short_writes, 1) == 0 && res > 1)
            return (int)(nbytes / 2);
        return kind == FAULT_SHORT_WRITE_THEN_ENOSPC ? -ENOSPC : res;
    default:
        return res;
    }
}

static void
install_hooks(bool use_uring)
{
    mv_log_io io = mv_log_io_system;

    io.pwrite = fault_pwrite;
    io.fdatasync = fault_fdatasync;
    io.rename = fault_rename;
    io.uring_result = fault_uring_result;
    mv_log_io_install(&io);         /* IO1: before any log is open */
    atomic_store(&n_short_writes, 0);
    atomic_store(&n_uring_results, 0);
    atomic_store(&n_renames, 0);
    atomic_store(&n_dir_syncs_after_rename, 0);
    renamed_log_keep[0] = 0;
    if (use_uring)
        unsetenv("CHORUS_URING");
    else
        setenv("CHORUS_URING", "0", 1);
}

/* --- SQL helpers ------------------------------------------------------------------ */

static int64_t
query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int64_t v = -1;

    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    if (chorus_step(stmt) == CHORUS_ROW)
        v = chorus_column_int64(stmt, 0);
    chorus_finalize(stmt);
    return v;
}

static void
assert_query_text(chorus_conn *conn, const char *sql, const char *want)
{
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), want);
    chorus_finalize(stmt);
}

static int
insert_row(chorus_conn *conn, int64_t id)
{
    char sql[128];

    snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%lld, 'row %lld')", (long long)id,
             (long long)id);
    return chorus_exec(conn, sql);
}

/* Creates the database in MVCC mode and commits rows 1..N_ACKED (the last
 * ten in one BEGIN CONCURRENT transaction); false when the engine has no
 * MVCC mode or (use_uring) the log did not get io_uring. */
static bool
open_with_acked_rows(const char *path, bool use_uring, chorus_db **db_out,
                     chorus_conn **conn_out)
{
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    bool on;

    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                                       "CREATE UNIQUE INDEX t_v ON t(v)"),
                     CHORUS_OK);
    on = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    if (on) {
        assert_int_equal(chorus_exec(conn, "PRAGMA synchronous = FULL"), CHORUS_OK);
        for (int64_t id = 1; id <= N_ACKED - 10; id++)
            assert_int_equal(insert_row(conn, id), CHORUS_OK);
        assert_int_equal(chorus_exec(conn, "BEGIN CONCURRENT"), CHORUS_OK);
        for (int64_t id = N_ACKED - 9; id <= N_ACKED; id++)
            assert_int_equal(insert_row(conn, id), CHORUS_OK);
        assert_int_equal(chorus_exec(conn, "COMMIT"), CHORUS_OK);
    }
    if (on && use_uring && atomic_load(&n_uring_results) == 0) {
        print_message("io_uring refused here: the uring case is the pwrite case\n");
        on = false;
    }
    if (!on) {
        chorus_disconnect(conn);
        chorus_close(db);
        return false;
    }
    *db_out = db;
    *conn_out = conn;
    return true;
}

/* F3: reopens (recovery) and checks that rows 1..last_acked are there. */
static void
reopen_and_check(const char *path, int64_t last_acked)
{
    chorus_db *db;
    chorus_conn *conn;
    char sql[128];

    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_query_text(conn, "PRAGMA journal_mode", "mvcc");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE id <= %lld", (long long)last_acked);
    assert_int_equal(query_int(conn, sql), last_acked);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t WHERE v = 'row ' || id"),
                     query_int(conn, "SELECT count(*) FROM t"));
    assert_query_text(conn, "PRAGMA integrity_check", "ok");
    assert_int_equal(insert_row(conn, 1000), CHORUS_OK);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t WHERE id = 1000"), 1);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

/* F1: the message names the log file and the reason the fault gave. */
static void
assert_log_error_named(chorus_conn *conn, const char *db_path, fault_kind kind)
{
    char want[700];
    const char *msg = chorus_errmsg(conn);

    snprintf(want, sizeof want, "the MVCC log %s-log: %s", db_path,
             strerror(kind == FAULT_WRITE_EIO || kind == FAULT_FSYNC_EIO ? EIO : ENOSPC));
    assert_non_null(strstr(msg, want));
    assert_non_null(strstr(msg, kind == FAULT_FSYNC_EIO ? "syncing" : "writing"));
    assert_non_null(strstr(msg, kind == FAULT_WRITE_EIO || kind == FAULT_FSYNC_EIO
                                    ? "disk I/O error" : "database or disk is full"));
}

/* The whole case: acknowledged rows, the fault at COMMIT (F1), sticky (F2),
 * reopen (F3). want_ext is the extended code, CHORUS_OK when the fault is
 * one the log must ride out. */
static void
run_case(fault_kind kind, bool use_uring, int want_ext)
{
    char path[512];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    int64_t last_acked = N_ACKED;
    int rc;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "fault.db");
    install_hooks(use_uring);
    if (!open_with_acked_rows(path, use_uring, &db, &conn))
        skip();
    atomic_store(&armed, kind);
    assert_int_equal(chorus_exec(conn, "BEGIN CONCURRENT"), CHORUS_OK);
    assert_int_equal(insert_row(conn, N_ACKED + 1), CHORUS_OK);
    rc = chorus_exec(conn, "COMMIT");
    assert_int_equal(rc, want_ext & 0xff);                                  /* F1 */
    if (want_ext == CHORUS_OK) {
        assert_int_equal(insert_row(conn, N_ACKED + 2), CHORUS_OK);
        last_acked = N_ACKED + 2;
        assert_true(atomic_load(&n_short_writes) > 0);
    } else {
        assert_int_equal(chorus_extended_errcode(conn), want_ext);
        print_message("COMMIT: %s\n", chorus_errmsg(conn));
        assert_log_error_named(conn, path, kind);
        atomic_store(&armed, FAULT_NONE);                   /* the device is back... */
        assert_int_equal(insert_row(conn, N_ACKED + 2), want_ext & 0xff);   /* F2 */
        assert_int_equal(chorus_extended_errcode(conn), want_ext);
        assert_log_error_named(conn, path, kind);
        assert_true(query_int(conn, "SELECT count(*) FROM t") >= N_ACKED);
    }
    atomic_store(&armed, FAULT_NONE);
    chorus_disconnect(conn);
    chorus_close(db);           /* its checkpoint may fail too: the log is failed */
    reopen_and_check(path, last_acked);
}

/* --- the cases ---------------------------------------------------------------------- */

#define FAULT_TESTS(backend, use_uring)                                                    \
    static void test_failed_write_##backend(void **state)                                  \
    {                                                                                      \
        (void)state;                                                                       \
        run_case(FAULT_WRITE_EIO, use_uring, CHORUS_IOERR_WRITE);                          \
    }                                                                                      \
    static void test_full_disk_##backend(void **state)                                     \
    {                                                                                      \
        (void)state;                                                                       \
        run_case(FAULT_WRITE_ENOSPC, use_uring, CHORUS_FULL);                              \
    }                                                                                      \
    static void test_failed_fsync_##backend(void **state)                                  \
    {                                                                                      \
        (void)state;                                                                       \
        run_case(FAULT_FSYNC_EIO, use_uring, CHORUS_IOERR_FSYNC);                          \
    }                                                                                      \
    static void test_short_write_is_completed_##backend(void **state)                      \
    {                                                                                      \
        (void)state;                                                                       \
        run_case(FAULT_SHORT_WRITE, use_uring, CHORUS_OK);                                 \
    }                                                                                      \
    static void test_short_write_then_full_disk_##backend(void **state)                    \
    {                                                                                      \
        (void)state;                                                                       \
        run_case(FAULT_SHORT_WRITE_THEN_ENOSPC, use_uring, CHORUS_FULL);                   \
    }

FAULT_TESTS(pwrite, false)
FAULT_TESTS(uring, true)

/* Group commit: committers waiting on one failed batch all get the error,
 * and nothing any of them was told committed is lost. */
enum { N_COMMITTERS = 4, ROWS_EACH = 100000 };

typedef struct committer {
    chorus_db *db;
    int index;
    int64_t last_acked;         /* written by the thread, read after join */
    int rc;                     /* extended code of the failed commit */
} committer;

static void *
committer_main(void *arg)
{
    committer *c = arg;
    chorus_conn *conn;

    if (chorus_connect(c->db, &conn) != CHORUS_OK) {
        c->rc = CHORUS_CANTOPEN;
        return NULL;
    }
    chorus_exec(conn, "PRAGMA synchronous = FULL");
    for (int64_t id = 1000 + (int64_t)c->index * ROWS_EACH;; id++) {
        if (insert_row(conn, id) != CHORUS_OK)
            break;
        c->last_acked = id;
    }
    c->rc = chorus_extended_errcode(conn);
    chorus_disconnect(conn);
    return NULL;
}

static void
test_every_waiter_of_a_failed_group_commit_gets_the_error(void **state)
{
    char path[512];
    chorus_db *db = NULL, *db2;
    chorus_conn *conn = NULL;
    committer cs[N_COMMITTERS];
    pthread_t th[N_COMMITTERS];

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "group.db");
    install_hooks(false);
    if (!open_with_acked_rows(path, false, &db, &conn))
        skip();
    chorus_disconnect(conn);
    for (int i = 0; i < N_COMMITTERS; i++) {
        cs[i] = (committer){.db = db, .index = i, .last_acked = -1};
        assert_int_equal(pthread_create(&th[i], NULL, committer_main, &cs[i]), 0);
    }
    usleep(30000);
    atomic_store(&armed, FAULT_WRITE_EIO);
    for (int i = 0; i < N_COMMITTERS; i++)
        pthread_join(th[i], NULL);
    atomic_store(&armed, FAULT_NONE);
    chorus_close(db);
    assert_int_equal(chorus_open(path, 0, &db2), CHORUS_OK);
    assert_int_equal(chorus_connect(db2, &conn), CHORUS_OK);
    for (int i = 0; i < N_COMMITTERS; i++) {
        char sql[160];
        int64_t first = 1000 + (int64_t)i * ROWS_EACH;
        assert_int_equal(cs[i].rc, CHORUS_IOERR_WRITE);
        if (cs[i].last_acked < first)
            continue;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE id BETWEEN %lld AND %lld",
                 (long long)first, (long long)cs[i].last_acked);
        assert_int_equal(query_int(conn, sql), cs[i].last_acked - first + 1);
    }
    assert_query_text(conn, "PRAGMA integrity_check", "ok");
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db2), CHORUS_OK);
}

static int64_t
file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* Where the log's frames end (the file may go on with preallocated zeros:
 * mvcc/log_writer.c W10). */
static int64_t
log_end(const char *path)
{
    mv_log_recovery rec;
    assert_int_equal(mv_log_recover(path, NULL, NULL, &rec), CHORUS_OK);
    return rec.end_offset;
}

/* RW1: a checkpoint whose log rewrite fails before its rename (the rename
 * itself, or the fdatasync of the new file) drops the rewrite: the old log
 * goes on and every commit after it succeeds; once the fault clears, the
 * next checkpoint cuts the log although no commit came in between; the new
 * file is gone at once; a reopen recovers every acknowledged row. */
static void
run_dropped_rewrite(fault_kind kind)
{
    char path[512], log[600], stale[600];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    int64_t before;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "rename.db");
    snprintf(log, sizeof log, "%s-log", path);
    snprintf(stale, sizeof stale, "%s-log-new", path);
    install_hooks(false);
    if (!open_with_acked_rows(path, false, &db, &conn))
        skip();
    atomic_store(&armed, kind);
    before = log_end(log);
    assert_int_equal(chorus_exec(conn, "PRAGMA wal_checkpoint"), CHORUS_IOERR);
    print_message("PRAGMA wal_checkpoint with the fault: %s\n", chorus_errmsg(conn));
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(atomic_load(&n_renames), 0);
    for (int64_t id = N_ACKED + 1; id <= N_ACKED + 5; id++)
        assert_int_equal(insert_row(conn, id), CHORUS_OK);
    assert_true(log_end(log) > before);
    atomic_store(&armed, FAULT_NONE);
    assert_int_equal(chorus_exec(conn, "PRAGMA wal_checkpoint"), CHORUS_OK);
    assert_int_equal(atomic_load(&n_renames), 1);
    assert_true(log_end(log) < before);
    assert_int_equal(insert_row(conn, N_ACKED + 6), CHORUS_OK);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    reopen_and_check(path, N_ACKED + 6);
}

static void
test_failed_rename_drops_the_rewrite(void **state)
{
    (void)state;
    run_dropped_rewrite(FAULT_RENAME_EIO);
}

static void
test_failed_sync_of_the_new_log_drops_the_rewrite(void **state)
{
    (void)state;
    run_dropped_rewrite(FAULT_NEW_FSYNC_EIO);
}

/* RW1 under load: committers keep committing while checkpoints' rewrites
 * fail at the rename, so their frames are held back under the new salt and
 * must be sealed again for the old file (mv_log_gate_cancel); every commit
 * succeeds and a reopen finds every acknowledged row. */
enum { N_LOADERS = 3, N_FAILING_CHECKPOINTS = 20 };

typedef struct loader {
    chorus_db *db;
    int index;
    _Atomic bool *stop;
    int64_t n_acked;            /* written by the thread, read after join */
    int rc;
} loader;

static void *
loader_main(void *arg)
{
    loader *l = arg;
    chorus_conn *conn;

    if (chorus_connect(l->db, &conn) != CHORUS_OK) {
        l->rc = CHORUS_CANTOPEN;
        return NULL;
    }
    chorus_exec(conn, "PRAGMA synchronous = FULL");
    while (!atomic_load(l->stop)) {
        l->rc = insert_row(conn, 1000 + (int64_t)l->index * ROWS_EACH + l->n_acked);
        if (l->rc != CHORUS_OK)
            break;
        l->n_acked++;
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_commits_during_dropped_rewrites_are_kept(void **state)
{
    char path[512];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    _Atomic bool stop = false;
    loader ls[N_LOADERS];
    pthread_t th[N_LOADERS];
    char sql[160], log[600];
    mv_log_recovery rec;
    int64_t n_acked = 0;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "held.db");
    install_hooks(false);
    if (!open_with_acked_rows(path, false, &db, &conn))
        skip();
    for (int i = 0; i < N_LOADERS; i++) {
        ls[i] = (loader){.db = db, .index = i, .stop = &stop};
        assert_int_equal(pthread_create(&th[i], NULL, loader_main, &ls[i]), 0);
    }
    atomic_store(&armed, FAULT_RENAME_EIO);
    for (int i = 0; i < N_FAILING_CHECKPOINTS; i++) {
        int rc = chorus_exec(conn, "PRAGMA wal_checkpoint");
        assert_true(rc == CHORUS_OK || rc == CHORUS_IOERR);
        usleep(2000);
    }
    atomic_store(&armed, FAULT_NONE);
    atomic_store(&stop, true);
    for (int i = 0; i < N_LOADERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ls[i].rc, CHORUS_OK);
        n_acked += ls[i].n_acked;
    }
    /* The log as a crash would leave it: every byte is a valid frame (a
     * held-back frame left under the dropped salt would end it early). */
    snprintf(log, sizeof log, "%s-log", path);
    assert_int_equal(mv_log_recover(log, NULL, NULL, &rec), CHORUS_OK);
    assert_false(rec.torn_tail);
    assert_int_equal(rec.alloc_end, file_size(log));
    assert_true((int64_t)(rec.n_frames + rec.n_skipped) >= n_acked);
    chorus_disconnect(conn);
    chorus_close(db);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    for (int i = 0; i < N_LOADERS; i++) {
        int64_t first = 1000 + (int64_t)i * ROWS_EACH;
        print_message("committer %d: %lld commits acknowledged\n", i, (long long)ls[i].n_acked);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE id BETWEEN %lld AND %lld",
                 (long long)first, (long long)(first + ls[i].n_acked - 1));
        assert_int_equal(query_int(conn, sql), ls[i].n_acked);
    }
    assert_query_text(conn, "PRAGMA integrity_check", "ok");
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

/* RW2: every rename of a rewritten log is followed by a directory fsync
 * before the next commit can be acknowledged in the new file. */
static void
test_rename_of_the_rewritten_log_is_made_durable(void **state)
{
    char path[512];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "dirsync.db");
    install_hooks(false);
    if (!open_with_acked_rows(path, false, &db, &conn))
        skip();
    assert_int_equal(chorus_exec(conn, "PRAGMA wal_checkpoint"), CHORUS_OK);
    assert_int_equal(atomic_load(&n_renames), 1);
    assert_int_equal(atomic_load(&n_dir_syncs_after_rename), 1);
    assert_int_equal(insert_row(conn, N_ACKED + 1), CHORUS_OK);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    reopen_and_check(path, N_ACKED + 1);
}

/* RW2 under power loss: the directory fsync after the rename fails, so the
 * log fails (no commit is acknowledged in a file a power loss may unname);
 * then the "power loss" takes the rename back: the replaced file is put
 * back under <db>-log. The reopen finds every acknowledged row in it. */
static void
test_power_loss_undoing_an_unsynced_rename_loses_nothing(void **state)
{
    char path[512], log[600];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "powerloss.db");
    snprintf(log, sizeof log, "%s-log", path);
    install_hooks(false);
    if (!open_with_acked_rows(path, false, &db, &conn))
        skip();
    snprintf(renamed_log_keep, sizeof renamed_log_keep, "%s-log-before-rename", path);
    atomic_store(&armed, FAULT_DIR_FSYNC_EIO);
    assert_int_equal(chorus_exec(conn, "PRAGMA wal_checkpoint"), CHORUS_IOERR);
    assert_int_equal(chorus_extended_errcode(conn), CHORUS_IOERR_FSYNC);
    assert_int_equal(atomic_load(&n_renames), 1);
    atomic_store(&armed, FAULT_NONE);
    assert_int_equal(insert_row(conn, N_ACKED + 1), CHORUS_IOERR);     /* mvcc R13 */
    assert_int_equal(chorus_extended_errcode(conn), CHORUS_IOERR_FSYNC);
    assert_non_null(strstr(chorus_errmsg(conn), "syncing the MVCC log"));
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t WHERE id <= 25"), N_ACKED);
    chorus_disconnect(conn);
    chorus_close(db);
    assert_int_equal(rename(renamed_log_keep, log), 0);     /* the rename is lost */
    reopen_and_check(path, N_ACKED);
}

/* A log that cannot even be created: switching to MVCC fails clearly and the
 * database stays usable in its old mode. */
static int
failing_ftruncate(int fd, off_t length)
{
    (void)fd;
    (void)length;
    errno = EIO;
    return -1;
}

static void
test_log_that_cannot_be_created_refuses_the_switch(void **state)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    mv_log_io io = mv_log_io_system;
    int rc;

    io.ftruncate = failing_ftruncate;
    mv_log_io_install(&io);
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "nolog.db");
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                                       "INSERT INTO t VALUES (1, 'row 1')"),
                     CHORUS_OK);
    rc = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL);
    if (rc == CHORUS_OK)
        rc = chorus_step(stmt);
    if (rc == CHORUS_ROW && strstr(chorus_column_text(stmt, 0), "not supported") != NULL) {
        chorus_finalize(stmt);
        chorus_disconnect(conn);
        chorus_close(db);
        skip();
    }
    assert_int_equal(rc, CHORUS_IOERR);
    assert_int_equal(chorus_extended_errcode(conn), CHORUS_IOERR_TRUNCATE);
    chorus_finalize(stmt);
    mv_log_io_install(NULL);
    assert_query_text(conn, "PRAGMA journal_mode", "wal");
    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES (2, 'row 2')"), CHORUS_OK);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM t"), 2);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_failed_write_pwrite, teardown),
        cmocka_unit_test_teardown(test_full_disk_pwrite, teardown),
        cmocka_unit_test_teardown(test_failed_fsync_pwrite, teardown),
        cmocka_unit_test_teardown(test_short_write_is_completed_pwrite, teardown),
        cmocka_unit_test_teardown(test_short_write_then_full_disk_pwrite, teardown),
        cmocka_unit_test_teardown(test_failed_write_uring, teardown),
        cmocka_unit_test_teardown(test_full_disk_uring, teardown),
        cmocka_unit_test_teardown(test_failed_fsync_uring, teardown),
        cmocka_unit_test_teardown(test_short_write_is_completed_uring, teardown),
        cmocka_unit_test_teardown(test_short_write_then_full_disk_uring, teardown),
        cmocka_unit_test_teardown(test_every_waiter_of_a_failed_group_commit_gets_the_error,
                                  teardown),
        cmocka_unit_test_teardown(test_failed_rename_drops_the_rewrite, teardown),
        cmocka_unit_test_teardown(test_failed_sync_of_the_new_log_drops_the_rewrite, teardown),
        cmocka_unit_test_teardown(test_commits_during_dropped_rewrites_are_kept, teardown),
        cmocka_unit_test_teardown(test_rename_of_the_rewritten_log_is_made_durable, teardown),
        cmocka_unit_test_teardown(test_power_loss_undoing_an_unsynced_rename_loses_nothing,
                                  teardown),
        cmocka_unit_test_teardown(test_log_that_cannot_be_created_refuses_the_switch, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
