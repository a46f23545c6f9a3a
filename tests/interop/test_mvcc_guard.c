/*
 * tests/interop/test_mvcc_guard.c: stock SQLite never reads stale data from a
 * database in journal_mode=mvcc (DESIGN.md; core/vm/mvcc_mode.c VM7,
 * core/pager README R17), with libsqlite3 as the oracle.
 *
 * While <db>-log holds commits the B-tree lacks, page 1 says 255 in bytes
 * 18/19 and sqlite3 refuses the file (SQLITE_NOTADB), whether it reads the
 * WAL or only the database file; after PRAGMA wal_checkpoint(TRUNCATE) with
 * nothing left in the log, and after a clean close, it opens the file,
 * integrity_check says ok and it sees every row. The next write arms the
 * guard again. A 255 file whose log is gone is refused by chorus too.
 * PRAGMA wal_autocheckpoint (pages of log growth) runs checkpoints on the
 * database's checkpointer thread, keeping the log small (core/vm/mvcc_mode.c
 * VM8, checkpointer.c CK1-CK3). TRUNCATE
 * checkpoints beside writers on other connections lose no row and end with
 * a plain file once the writers stop.
 * sqlite3 reads copies of the files (chorus holds its OS lock on the
 * original while open), as a process that crashed would have left them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "chorus.h"
#include "mvcc.h"
#include "test_support.h"

static char db_path[512], copy_path[512];

/* Copies path to to (a missing source removes to). */
static void
copy_file(const char *path, const char *to)
{
    FILE *in = fopen(path, "rb"), *out;
    char buf[65536];
    size_t n;

    unlink(to);
    if (in == NULL)
        return;
    out = fopen(to, "wb");
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Copies the database, and its WAL when with_wal, next to it. */
static void
snapshot(bool with_wal)
{
    char from[600], to[600];

    copy_file(db_path, copy_path);
    snprintf(from, sizeof from, "%s-wal", db_path);
    snprintf(to, sizeof to, "%s-wal", copy_path);
    if (with_wal)
        copy_file(from, to);
    else
        unlink(to);
    snprintf(to, sizeof to, "%s-shm", copy_path);
    unlink(to);
}

/* The header's bytes 18 and 19 of the file at path. */
static int
header_version(const char *path)
{
    unsigned char hdr[20];
    FILE *f = fopen(path, "rb");

    assert_non_null(f);
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    fclose(f);
    assert_int_equal(hdr[18], hdr[19]);
    return hdr[18];
}

/* sqlite3's answer on the copy: SQLITE_OK with the row count and an
 * integrity check, or the error code of its first read. */
static int
sqlite_count(int64_t *count_out)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = sqlite3_open_v2(copy_path, &db, SQLITE_OPEN_READWRITE, NULL);

    *count_out = -1;
    assert_int_equal(rc, SQLITE_OK);
    rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        *count_out = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rc;
}

static int64_t
chorus_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *st;
    int64_t v;

    assert_int_equal(chorus_prepare(conn, sql, -1, &st, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(st), CHORUS_ROW);
    v = chorus_column_int64(st, 0);
    chorus_finalize(st);
    return v;
}

static void
exec_ok(chorus_conn *conn, const char *sql)
{
    if (chorus_exec(conn, sql) != CHORUS_OK)
        fail_msg("%s: %s", sql, chorus_errmsg(conn));
}

static void
open_mvcc(chorus_db **db, chorus_conn **conn)
{
    assert_int_equal(chorus_open(db_path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, db),
                     CHORUS_OK);
    assert_int_equal(chorus_connect(*db, conn), CHORUS_OK);
}

static void
setup_paths(void)
{
    char log[600];

    assert_non_null(test_tmpdir());
    test_path(db_path, sizeof db_path, "g.db");
    test_path(copy_path, sizeof copy_path, "copy.db");
    unlink(db_path);
    snprintf(log, sizeof log, "%s-log", db_path);
    unlink(log);
}

static void
test_sqlite3_refuses_while_the_log_holds_commits(void **state)
{
    chorus_db *db;
    chorus_conn *conn;
    int64_t n;

    (void)state;
    setup_paths();
    open_mvcc(&db, &conn);
    exec_ok(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    exec_ok(conn, "INSERT INTO t(v) VALUES ('before')");
    exec_ok(conn, "PRAGMA journal_mode = mvcc");
    exec_ok(conn, "INSERT INTO t(v) VALUES ('a'), ('b')");
    /* The file itself says 255, and so does page 1 in the WAL. */
    assert_int_equal(header_version(db_path), 255);
    snapshot(true);
    assert_int_equal(sqlite_count(&n), SQLITE_NOTADB);
    snapshot(false);
    assert_int_equal(sqlite_count(&n), SQLITE_NOTADB);
    /* A checkpoint alone keeps the guard: the log is not empty after a
     * write that followed it. */
    exec_ok(conn, "PRAGMA wal_checkpoint(PASSIVE)");
    exec_ok(conn, "INSERT INTO t(v) VALUES ('c')");
    snapshot(true);
    assert_int_equal(sqlite_count(&n), SQLITE_NOTADB);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    /* Clean close: a plain SQLite database with every row. */
    assert_int_equal(header_version(db_path), 2);
    snapshot(true);
    assert_int_equal(sqlite_count(&n), SQLITE_OK);
    assert_int_equal(n, 4);
}

static void
test_truncate_checkpoint_opens_the_file_and_a_write_closes_it_again(void **state)
{
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *st;
    int64_t n;

    (void)state;
    setup_paths();
    open_mvcc(&db, &conn);
    exec_ok(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    exec_ok(conn, "PRAGMA journal_mode = mvcc");
    for (int i = 0; i < 50; i++)
        exec_ok(conn, "INSERT INTO t(v) VALUES (hex(randomblob(20)))");
    /* busy 0: the log was emptied, the header set back, the WAL truncated. */
    assert_int_equal(chorus_prepare(conn, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(st), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(st, 0), 0);
    assert_int_equal(chorus_column_int64(st, 1), 50);
    assert_int_equal(chorus_column_int64(st, 2), 50);
    chorus_finalize(st);
    assert_int_equal(header_version(db_path), 2);
    snapshot(false);                /* the WAL is empty: the file alone is whole */
    assert_int_equal(sqlite_count(&n), SQLITE_OK);
    assert_int_equal(n, 50);
    /* The next write arms the guard before its frame reaches the log. */
    exec_ok(conn, "UPDATE t SET v = 'x' WHERE id = 7");
    assert_int_equal(header_version(db_path), 255);
    snapshot(true);
    assert_int_equal(sqlite_count(&n), SQLITE_NOTADB);
    assert_int_equal(chorus_int(conn, "SELECT count(*) FROM t WHERE v = 'x'"), 1);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    snapshot(true);
    assert_int_equal(sqlite_count(&n), SQLITE_OK);
    assert_int_equal(n, 50);
}

static void
test_a_guarded_file_without_its_log_is_refused(void **state)
{
    chorus_db *db;
    chorus_conn *conn;
    char log[600], copy_log[600], saved_log[600];

    (void)state;
    setup_paths();
    snprintf(log, sizeof log, "%s-log", db_path);
    snprintf(copy_log, sizeof copy_log, "%s-log", copy_path);
    test_path(saved_log, sizeof saved_log, "saved-log");
    open_mvcc(&db, &conn);
    exec_ok(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    exec_ok(conn, "PRAGMA journal_mode = mvcc");
    exec_ok(conn, "INSERT INTO t(v) VALUES ('only in the log')");
    snapshot(true);                 /* as a crash leaves it, minus the log */
    copy_file(log, saved_log);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    unlink(copy_log);
    assert_int_equal(chorus_open(copy_path, CHORUS_OPEN_READWRITE, &db), CHORUS_CANTOPEN);
    assert_non_null(strstr(chorus_open_errmsg(), "its log"));
    /* With its log back it opens, in MVCC mode, with the row. */
    copy_file(saved_log, copy_log);
    assert_int_equal(chorus_open(copy_path, CHORUS_OPEN_READWRITE, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_int(conn, "SELECT count(*) FROM t"), 1);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

/* Where the log's frames end (the file may go on with preallocated zeros:
 * mvcc/log_writer.c W10). */
static int64_t
log_bytes(void)
{
    char log[600];
    mv_log_recovery rec;

    snprintf(log, sizeof log, "%s-log", db_path);
    assert_int_equal(mv_log_recover(log, NULL, NULL, &rec), CHORUS_OK);
    return rec.end_offset;
}

/* 600 commits of about 250 bytes each: 150 kB of log without checkpoints. */
static int64_t
insert_rows(chorus_conn *conn)
{
    for (int i = 0; i < 600; i++)
        exec_ok(conn, "INSERT INTO t(v) VALUES (hex(randomblob(100)))");
    return log_bytes();
}

static void
test_the_log_size_threshold_runs_checkpoints_by_itself(void **state)
{
    chorus_db *db;
    chorus_conn *conn;
    int64_t n;

    (void)state;
    setup_paths();
    open_mvcc(&db, &conn);
    /* As sqlite3 answers: the default, a setting, a negative one (off). */
    assert_int_equal(chorus_int(conn, "PRAGMA wal_autocheckpoint"), 1000);
    assert_int_equal(chorus_int(conn, "PRAGMA wal_autocheckpoint = 5"), 5);
    assert_int_equal(chorus_int(conn, "PRAGMA wal_autocheckpoint = -3"), 0);
    assert_int_equal(chorus_int(conn, "PRAGMA wal_autocheckpoint"), 0);
    exec_ok(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    exec_ok(conn, "PRAGMA journal_mode = mvcc");
    exec_ok(conn, "PRAGMA synchronous = NORMAL");
    assert_true(insert_rows(conn) > 100 * 1024);       /* off: it only grows */
    /* 2 pages of 4 KiB: the committer past 8 KiB of growth checkpoints and
     * the log is cut back to what came after the mark. */
    assert_int_equal(chorus_int(conn, "PRAGMA wal_autocheckpoint = 2"), 2);
    /* The checkpointer thread may lag; a committer catches up itself once
     * the log grew four thresholds past what the last cut kept
     * (core/vm/checkpointer.c CK3), and a cut keeps what committed while it
     * ran: well under the 150 kB of no checkpoints. */
    assert_true(insert_rows(conn) < 8 * 8192);
    assert_int_equal(chorus_int(conn, "SELECT count(*) FROM t"), 1200);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    snapshot(true);
    assert_int_equal(sqlite_count(&n), SQLITE_OK);
    assert_int_equal(n, 1200);
}

/* Writers on their own connections; the guard is cleared and armed again
 * around them (commit fence, VM7) without a lost row or a deadlock. */
typedef struct writer_arg {
    chorus_db *db;
    int failed;
} writer_arg;

static void *
writer_main(void *p)
{
    writer_arg *w = p;
    chorus_conn *conn;

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        w->failed = 1;
        return NULL;
    }
    chorus_busy_timeout(conn, 10000);
    for (int i = 0; i < 150 && !w->failed; i++)
        if (chorus_exec(conn, "INSERT INTO t(v) VALUES ('w')") != CHORUS_OK)
            w->failed = 1;
    chorus_disconnect(conn);
    return NULL;
}

static void
test_truncate_checkpoints_beside_writers(void **state)
{
    writer_arg w[2];
    pthread_t th[2];
    chorus_db *db;
    chorus_conn *conn;
    int64_t n;

    (void)state;
    setup_paths();
    open_mvcc(&db, &conn);
    chorus_busy_timeout(conn, 10000);
    exec_ok(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    exec_ok(conn, "PRAGMA journal_mode = mvcc");
    for (int i = 0; i < 2; i++) {
        w[i] = (writer_arg){db, 0};
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
    }
    for (int i = 0; i < 20; i++)
        exec_ok(conn, "PRAGMA wal_checkpoint(TRUNCATE)");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].failed, 0);
    }
    assert_int_equal(chorus_int(conn, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);     /* not busy */
    assert_int_equal(header_version(db_path), 2);
    snapshot(false);
    assert_int_equal(sqlite_count(&n), SQLITE_OK);
    assert_int_equal(n, 300);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite3_refuses_while_the_log_holds_commits),
        cmocka_unit_test(test_truncate_checkpoint_opens_the_file_and_a_write_closes_it_again),
        cmocka_unit_test(test_a_guarded_file_without_its_log_is_refused),
        cmocka_unit_test(test_the_log_size_threshold_runs_checkpoints_by_itself),
        cmocka_unit_test(test_truncate_checkpoints_beside_writers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    test_tmpdir_remove();
    return rc;
}
