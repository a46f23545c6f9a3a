/*
 * tests/mvcc/test_long_reader_log.c: a long reader does not hold the
 * logical log back (core/store/mvcc_mode.c MM6, mvcc R17, R19). The log is
 * only for recovery; what the reader reads is its B-tree snapshot (older
 * than the checkpoint's commit) plus the versions the store keeps for it
 * (mvcc R11). So while a reader keeps a snapshot from before many updates
 * and inserts, PRAGMA wal_checkpoint writes every commit into the B-tree
 * and cuts the log to its header, the reader still sees its snapshot, and
 * a process that dies right after (no close, no checkpoint at close) loses
 * no acknowledged commit at the next open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "chorus.h"
#include "test_support.h"

enum { N_FIRST = 10, N_MORE = 400, N_AFTER = 5, LOG_HEADER = 32 };

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

static int64_t
file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* In the child: exits with the step that failed (0: all passed). The rows
 * 1..N_FIRST hold v = id; the writer then adds 1000 to each and inserts
 * N_MORE rows, while the reader keeps its snapshot of the first ones. */
static int
child_run(const char *path, const char *log)
{
    chorus_db *db;
    chorus_conn *writer, *reader;
    chorus_stmt *stmt;
    char sql[128];
    int64_t grown;
    bool on;

    if (chorus_open(path, 0, &db) != CHORUS_OK || chorus_connect(db, &writer) != CHORUS_OK ||
        chorus_connect(db, &reader) != CHORUS_OK)
        return 1;
    on = chorus_prepare(writer, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    if (!on)
        return 77;                                      /* no MVCC mode: skip */
    if (chorus_exec(writer, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;"
                            "CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)") != CHORUS_OK)
        return 2;
    for (int id = 1; id <= N_FIRST; id++) {
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, %d)", id, id);
        if (chorus_exec(writer, sql) != CHORUS_OK)
            return 3;
    }
    if (chorus_exec(reader, "BEGIN") != CHORUS_OK ||
        test_query_int(reader, "SELECT sum(v) FROM t") != N_FIRST * (N_FIRST + 1) / 2)
        return 4;
    if (chorus_exec(writer, "UPDATE t SET v = v + 1000") != CHORUS_OK)
        return 5;
    for (int id = N_FIRST + 1; id <= N_FIRST + N_MORE; id++) {
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, %d)", id, id);
        if (chorus_exec(writer, sql) != CHORUS_OK)
            return 6;
    }
    grown = file_size(log);
    if (chorus_exec(writer, "PRAGMA wal_checkpoint") != CHORUS_OK)
        return 7;
    print_message("log: %lld bytes before the checkpoint, %lld after, the reader still open\n",
                  (long long)grown, (long long)file_size(log));
    if (file_size(log) != LOG_HEADER)
        return 8;                                       /* MM6: cut although the reader is open */
    if (test_query_int(reader, "SELECT sum(v) FROM t") != N_FIRST * (N_FIRST + 1) / 2 ||
        test_query_int(reader, "SELECT count(*) FROM t") != N_FIRST)
        return 9;                                       /* its snapshot, unchanged */
    for (int id = N_FIRST + N_MORE + 1; id <= N_FIRST + N_MORE + N_AFTER; id++) {
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, %d)", id, id);
        if (chorus_exec(writer, sql) != CHORUS_OK)
            return 10;
    }
    if (test_query_int(reader, "SELECT count(*) FROM t") != N_FIRST || chorus_exec(reader, "COMMIT"))
        return 11;
    if (test_query_int(reader, "SELECT count(*) FROM t") != N_FIRST + N_MORE + N_AFTER)
        return 12;
    return 0;                                           /* dies without closing */
}

static void
test_checkpoint_cuts_the_log_under_a_long_reader(void **state)
{
    char path[512], log[600];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    int status;
    pid_t pid;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "reader.db");
    snprintf(log, sizeof log, "%s-log", path);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(child_run(path, log));
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    if (WEXITSTATUS(status) != 0)
        fail_msg("the child failed at step %d", WEXITSTATUS(status));
    /* Recovery: the B-tree holds what the log no longer has. */
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(test_query_int(conn, "SELECT count(*) FROM t"), N_FIRST + N_MORE + N_AFTER);
    assert_int_equal(test_query_int(conn, "SELECT count(*) FROM t WHERE v = id + (id <= 10) * 1000"),
                     N_FIRST + N_MORE + N_AFTER);
    assert_int_equal(chorus_prepare(conn, "PRAGMA integrity_check", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "ok");
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_checkpoint_cuts_the_log_under_a_long_reader, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
