/*
 * tests/isolation/test_mvcc_crash.c: kill -9 rounds in journal_mode=mvcc
 * with synchronous=FULL (DESIGN.md "Durability", "Recovery"): a child
 * process commits rows and reports each acknowledged commit through a pipe;
 * the parent kills it at a random moment, reopens the database (recovery
 * replays the log) and checks that every acknowledged row is there and that
 * integrity_check says ok. Skips itself while the engine has no MVCC mode.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "chorus.h"
#include "test_support.h"

enum { ROUNDS = 6 };

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static int64_t
query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int64_t v = -1;

    if (chorus_prepare(conn, sql, -1, &stmt, NULL) != CHORUS_OK)
        return -1;
    if (chorus_step(stmt) == CHORUS_ROW)
        v = chorus_column_int64(stmt, 0);
    chorus_finalize(stmt);
    return v;
}

/* The child: commits rows first, first + 1, ... and reports each one. */
static void
child_main(const char *path, int64_t first, int fd)
{
    chorus_db *db;
    chorus_conn *conn;
    char sql[128];

    if (chorus_open(path, 0, &db) != CHORUS_OK || chorus_connect(db, &conn) != CHORUS_OK)
        _exit(2);
    chorus_exec(conn, "PRAGMA synchronous = FULL");
    for (int64_t id = first;; id++) {
        snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%lld, 'row %lld')", (long long)id,
                 (long long)id);
        if (chorus_exec(conn, sql) != CHORUS_OK)
            _exit(3);
        if (write(fd, &id, sizeof id) != (ssize_t)sizeof id)
            _exit(4);
    }
}

static bool
setup_mvcc(const char *path)
{
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    bool on;

    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"),
                     CHORUS_OK);
    on = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    return on;
}

static void
test_every_acknowledged_commit_survives_kill_9(void **state)
{
    char path[512];
    int64_t acked = 0;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "crash.db");
    if (!setup_mvcc(path))
        skip();
    srand((unsigned)time(NULL));
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2], status;
        int64_t id;
        pid_t pid;
        chorus_db *db;
        chorus_conn *conn;
        chorus_stmt *stmt;

        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_main(path, acked + 1, fds[1]);
        }
        close(fds[1]);
        usleep(20000 + (useconds_t)(rand() % 80000));
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        while (read(fds[0], &id, sizeof id) == (ssize_t)sizeof id)
            acked = id;
        close(fds[0]);
        assert_true(WIFSIGNALED(status));

        assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);     /* recovery */
        assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
        assert_int_equal(query_int(conn, "SELECT count(*) FROM t WHERE id <= (SELECT max(id) FROM t)"),
                         query_int(conn, "SELECT max(id) FROM t"));  /* no holes */
        assert_true(query_int(conn, "SELECT coalesce(max(id), 0) FROM t") >= acked);
        acked = query_int(conn, "SELECT coalesce(max(id), 0) FROM t");
        assert_int_equal(chorus_prepare(conn, "PRAGMA integrity_check", -1, &stmt, NULL),
                         CHORUS_OK);
        assert_int_equal(chorus_step(stmt), CHORUS_ROW);
        assert_string_equal(chorus_column_text(stmt, 0), "ok");
        chorus_finalize(stmt);
        chorus_disconnect(conn);
        assert_int_equal(chorus_close(db), CHORUS_OK);
    }
    print_message("%lld rows acknowledged over %d kill -9 rounds, all present\n",
                  (long long)acked, ROUNDS);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_acknowledged_commit_survives_kill_9, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
