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
 *       fsync: CHORUS_IOERR_FSYNC) and a non-empty message;
 *   F2  the failure is sticky (mvcc R13): the next commit fails the same way;
 *   F3  after a reopen (recovery) every acknowledged row is there, the
 *       database is still in MVCC mode, integrity_check is ok and new commits
 *       succeed.
 * A short write alone is not a failure: the backend writes the rest and the
 * commit succeeds; a short write followed by ENOSPC (a disk filling up)
 * leaves a torn frame that recovery cuts off. When a batch fails under
 * several committers, every one of them gets the error (group commit W3).
 * A log rewrite after a checkpoint whose rename fails loses nothing either.
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
#include <unistd.h>
#include <cmocka.h>

#include "chorus.h"
#include "log_io.h"
#include "test_support.h"

enum { N_ACKED = 25 };

typedef enum fault_kind {
    FAULT_NONE,
    FAULT_WRITE_EIO,
    FAULT_WRITE_ENOSPC,
    FAULT_FSYNC_EIO,
    FAULT_SHORT_WRITE,              /* once, then the rest goes through */
    FAULT_SHORT_WRITE_THEN_ENOSPC,
    FAULT_RENAME_EIO                /* the log rewrite after a checkpoint (mvcc R19) */
} fault_kind;

/* Written by the test thread, read by whichever thread leads a log batch:
 * atomics, so the hooks never race with arming (seq_cst: not hot). */
static _Atomic int armed = FAULT_NONE;
static _Atomic int n_short_writes;
static _Atomic int n_uring_results;

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

static int
fault_fdatasync(int fd)
{
    if (atomic_load(&armed) == FAULT_FSYNC_EIO) {
        errno = EIO;
        return -1;
    }
    return fdatasync(fd);
}

static int
fault_rename(const char *from, const char *to)
{
    if (atomic_load(&armed) == FAULT_RENAME_EIO) {
        errno = EIO;
        return -1;
    }
    return rename(from, to);
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
        assert_true(strlen(chorus_errmsg(conn)) > 0);
        print_message("COMMIT: %s\n", chorus_errmsg(conn));
        atomic_store(&armed, FAULT_NONE);                   /* the device is back... */
        assert_int_equal(insert_row(conn, N_ACKED + 2), want_ext & 0xff);   /* F2 */
        assert_int_equal(chorus_extended_errcode(conn), want_ext);
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

/* A checkpoint whose log rewrite cannot rename its new file over the old
 * one: whatever the checkpoint answers, the old log still holds every
 * acknowledged commit the B-tree lacks, and the next open recovers them and
 * drops the stale new file. */
static void
test_failed_rename_of_the_rewritten_log_loses_nothing(void **state)
{
    char path[512], stale[600];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    int64_t last_acked = N_ACKED;
    int rc;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "rename.db");
    install_hooks(false);
    if (!open_with_acked_rows(path, false, &db, &conn))
        skip();
    atomic_store(&armed, FAULT_RENAME_EIO);
    rc = chorus_exec(conn, "PRAGMA wal_checkpoint");
    print_message("PRAGMA wal_checkpoint with a failing rename: %s\n",
                  rc == CHORUS_OK ? "ok" : chorus_errmsg(conn));
    for (int64_t id = N_ACKED + 1; id <= N_ACKED + 5 && insert_row(conn, id) == CHORUS_OK; id++)
        last_acked = id;
    print_message("%lld commits acknowledged after it\n", (long long)(last_acked - N_ACKED));
    atomic_store(&armed, FAULT_NONE);
    chorus_disconnect(conn);
    chorus_close(db);
    reopen_and_check(path, last_acked);
    snprintf(stale, sizeof stale, "%s-log-new", path);
    assert_int_equal(access(stale, F_OK), -1);
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
        cmocka_unit_test_teardown(test_failed_rename_of_the_rewritten_log_loses_nothing, teardown),
        cmocka_unit_test_teardown(test_log_that_cannot_be_created_refuses_the_switch, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
