/*
 * tests/mvcc/test_ddl_sync.c: schema changes in journal_mode=mvcc honour
 * PRAGMA synchronous for the logical log (mvcc R12). A schema change runs a
 * full checkpoint whose mark goes into the log (core/vm/mvcc_mode.c VM4);
 * with synchronous=OFF that mark is not synced, as no commit is (and the
 * WAL is not: pager_wal_sync), while FULL syncs it. The log's fdatasyncs are
 * counted through its I/O seam (mvcc/log_io.h) with the pwrite backend
 * (CHORUS_URING=0), directory fsyncs apart.
 */
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
#include "test_support.h"

static _Atomic int n_log_syncs;

static int
counting_fdatasync(int fd)
{
    struct stat st;

    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        atomic_fetch_add(&n_log_syncs, 1);
    return fdatasync(fd);
}

static int
teardown(void **state)
{
    (void)state;
    mv_log_io_install(NULL);
    unsetenv("CHORUS_URING");
    test_tmpdir_remove();
    return 0;
}

/* Opens a database in MVCC mode at the given synchronous level, with a
 * table holding a row; false when the engine has no MVCC mode. */
static bool
open_mvcc(const char *level, chorus_db **db_out, chorus_conn **conn_out)
{
    char path[512], sql[64];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    mv_log_io io = mv_log_io_system;
    bool on;

    io.fdatasync = counting_fdatasync;
    mv_log_io_install(&io);             /* IO1: before the log opens */
    setenv("CHORUS_URING", "0", 1);
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "ddl.db");
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    on = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    if (!on) {
        chorus_disconnect(conn);
        chorus_close(db);
        return false;
    }
    snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", level);
    assert_int_equal(chorus_exec(conn, sql), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(a); INSERT INTO t VALUES (1)"), CHORUS_OK);
    *db_out = db;
    *conn_out = conn;
    return true;
}

/* Schema changes after row commits, so that each one's full checkpoint has
 * commits to write and a mark to append; returns the log syncs they made. */
static int
log_syncs_of_schema_changes(chorus_conn *conn)
{
    int before = atomic_load(&n_log_syncs);

    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES (2)"), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE u(b)"), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES (3); INSERT INTO u VALUES (1)"),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "DROP TABLE u"), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES (4)"), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "BEGIN; INSERT INTO t VALUES (5); CREATE INDEX t_a ON t(a);"
                                       "COMMIT"),
                     CHORUS_OK);
    return atomic_load(&n_log_syncs) - before;
}

static void
test_schema_changes_at_synchronous_off_do_not_sync_the_log(void **state)
{
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    if (!open_mvcc("OFF", &db, &conn))
        skip();
    assert_int_equal(log_syncs_of_schema_changes(conn), 0);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_schema_changes_at_synchronous_full_sync_the_log(void **state)
{
    chorus_db *db;
    chorus_conn *conn;

    (void)state;
    if (!open_mvcc("FULL", &db, &conn))
        skip();
    assert_true(log_syncs_of_schema_changes(conn) >= 3);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_schema_changes_at_synchronous_off_do_not_sync_the_log,
                                  teardown),
        cmocka_unit_test_teardown(test_schema_changes_at_synchronous_full_sync_the_log, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
