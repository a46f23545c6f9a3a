/*
 * tests/crash/test_kill_commits.c: a writer killed with SIGKILL at random
 * instants loses nothing it acknowledged and leaves nothing half-applied.
 *
 * Each round forks a child that opens the database (synchronous FULL, a
 * small auto-checkpoint threshold so that checkpoints get killed too) and
 * commits transactions of three rows sharing one sequence number n, writing
 * n to a pipe after each COMMIT returns. The parent kills it after a random
 * delay, reopens the file and checks:
 *   K1  every acknowledged n is present;
 *   K2  every n present has exactly its three rows (atomicity);
 *   K3  at most one n beyond the last acknowledged one is present (the
 *       commit in flight);
 *   K4  PRAGMA integrity_check is ok, in chorus and, after the last round,
 *       in sqlite3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "chorus.h"
#include "test_support.h"

enum { ROUNDS = 25 };

static void
child_write(const char *path, int fd, int64_t start)
{
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    if (chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &db) != CHORUS_OK ||
        chorus_connect(db, &conn) != CHORUS_OK)
        _exit(2);
    if (chorus_exec(conn, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 40;"
                          "CREATE TABLE IF NOT EXISTS log(n INTEGER, part INTEGER, pad TEXT);"
                          "CREATE INDEX IF NOT EXISTS log_n ON log(n)") != CHORUS_OK)
        _exit(3);
    chorus_stmt *ins = NULL;
    if (chorus_prepare(conn, "INSERT INTO log(n, part, pad) VALUES (?1, ?2, zeroblob(?1 % 700))",
                       -1, &ins, NULL) != CHORUS_OK)
        _exit(4);
    for (int64_t n = start;; n++) {
        if (chorus_exec(conn, "BEGIN") != CHORUS_OK)
            _exit(5);
        for (int part = 0; part < 3; part++) {
            chorus_bind_int64(ins, 1, n);
            chorus_bind_int64(ins, 2, part);
            if (chorus_step(ins) != CHORUS_DONE)
                _exit(6);
            chorus_reset(ins);
        }
        if (chorus_exec(conn, "COMMIT") != CHORUS_OK)
            _exit(7);
        if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
            _exit(8);
    }
}

static int64_t
query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *st = NULL;
    assert_int_equal(chorus_prepare(conn, sql, -1, &st, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(st), CHORUS_ROW);
    int64_t v = chorus_column_int64(st, 0);
    chorus_finalize(st);
    return v;
}

/* False when the writer was killed before its CREATE TABLE committed. */
static bool
log_exists(chorus_conn *conn)
{
    return query_int(conn, "SELECT count(*) FROM sqlite_master WHERE name = 'log'") > 0;
}

static void
check_database(const char *path, int64_t last_acked)
{
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    if (access(path, F_OK) != 0) {
        /* Killed before it even created the file: nothing was acknowledged. */
        assert_int_equal(last_acked, 0);
        return;
    }
    assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);

    chorus_stmt *st = NULL;
    assert_int_equal(chorus_prepare(conn, "PRAGMA integrity_check", -1, &st, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(st), CHORUS_ROW);
    assert_string_equal(chorus_column_text(st, 0), "ok");
    chorus_finalize(st);

    if (!log_exists(conn)) {
        /* Killed before its schema committed: nothing can have been acknowledged. */
        assert_int_equal(last_acked, 0);
        chorus_disconnect(conn);
        assert_int_equal(chorus_close(db), CHORUS_OK);
        return;
    }
    if (last_acked > 0) {
        /* K1 and K2: n = 1..last_acked each have exactly three rows. */
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM (SELECT n FROM log WHERE n <= %lld GROUP BY n"
                 " HAVING count(*) = 3 AND count(DISTINCT part) = 3)", (long long)last_acked);
        assert_int_equal(query_int(conn, sql), last_acked);
    }
    /* K2 for the rest, K3. */
    assert_int_equal(query_int(conn, "SELECT count(*) FROM (SELECT n FROM log GROUP BY n"
                                     " HAVING count(*) <> 3)"), 0);
    assert_true(query_int(conn, "SELECT coalesce(max(n), 0) FROM log") <= last_acked + 1);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_killed_writer_keeps_every_acknowledged_commit(void **state)
{
    char path[600];
    test_tmpdir();
    test_path(path, sizeof path, "crash.db");
    srand((unsigned)time(NULL));
    int64_t last_acked = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_write(path, fds[1], last_acked + 1);
        }
        close(fds[1]);
        usleep((useconds_t)(2000 + rand() % 60000));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status))
            print_error("round %d: child exited with %d before the kill\n", round,
                        WEXITSTATUS(status));
        assert_true(WIFSIGNALED(status));
        int64_t n;
        while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n)
            last_acked = n;
        close(fds[0]);
        check_database(path, last_acked);
        if (access(path, F_OK) != 0)
            continue;
        /* The next round continues after whatever the killed commit left. */
        chorus_db *db = NULL;
        chorus_conn *conn = NULL;
        assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE, &db), CHORUS_OK);
        assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
        last_acked = log_exists(conn) ? query_int(conn, "SELECT coalesce(max(n), 0) FROM log") : 0;
        chorus_disconnect(conn);
        chorus_close(db);
    }
    assert_true(last_acked > 0);

    sqlite3 *ref = NULL;
    assert_int_equal(sqlite3_open_v2(path, &ref, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ref, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(ref);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_writer_keeps_every_acknowledged_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
