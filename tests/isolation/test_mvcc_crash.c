/*
 * tests/isolation/test_mvcc_crash.c: kill -9 rounds in journal_mode=mvcc
 * with synchronous=FULL (DESIGN.md "Durability", "Recovery").
 *
 * Each round forks a child that opens the database (recovering what the
 * previous round left) and commits from several threads at once, each with
 * its own connection:
 *   - batch writers: BEGIN CONCURRENT, three rows sharing a transaction
 *     number, COMMIT (disjoint rows, so they never conflict);
 *   - a counter thread: chorus_run_transaction incrementing one hot row
 *     of a WITHOUT ROWID table (keyed rows, core/vm/mvcc_mode.c VM9; many
 *     connections touch it: conflicts and retries happen);
 *   - every few rounds the child also runs PRAGMA wal_checkpoint between
 *     commits, when the engine answers it in MVCC mode.
 * After each acknowledged COMMIT the thread writes what it committed to a
 * pipe (one write of 16 bytes: atomic). The parent SIGKILLs the child after
 * a random delay (0 to 120 ms: during recovery, between commits, inside
 * group commits), reopens the database and checks:
 *   K1  every acknowledged transaction is present, with its three rows;
 *   K2  every transaction present has exactly three rows (atomicity);
 *   K3  the counter is at least the largest acknowledged value;
 *   K4  PRAGMA integrity_check is ok and the database is still in MVCC mode.
 *
 * Rounds: 20 by default (a few seconds); `--rounds N` and `--seed S` on the
 * command line for long runs and for replaying one seed (printed).
 */
#include <errno.h>
#include <pthread.h>
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
#include "mvcc_workers.h"
#include "test_support.h"

enum { N_BATCH_WRITERS = 3, ROWS_PER_TX = 3, TX_PER_WRITER = 1000000000 };

static int n_rounds = 20;
static unsigned seed;

/* One acknowledgement through the pipe. */
typedef struct ack {
    int64_t kind;               /* ACK_TX or ACK_COUNTER */
    int64_t value;              /* transaction number, or the counter value committed */
} ack;
enum { ACK_TX = 1, ACK_COUNTER = 2 };

typedef struct child_ctx {
    chorus_db *db;
    int ack_fd;
    int64_t first_tx[N_BATCH_WRITERS];
    bool checkpoints;
} child_ctx;

typedef struct writer_arg {
    child_ctx *c;
    int index;
} writer_arg;

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

static void
child_ack(child_ctx *c, int64_t kind, int64_t value)
{
    ack a = {kind, value};

    if (write(c->ack_fd, &a, sizeof a) != (ssize_t)sizeof a)
        _exit(4);
}

static void *
batch_writer(void *arg)
{
    writer_arg *w = arg;
    child_ctx *c = w->c;
    chorus_conn *conn;
    char sql[256];

    if (chorus_connect(c->db, &conn) != CHORUS_OK ||
        chorus_exec(conn, "PRAGMA synchronous = FULL") != CHORUS_OK)
        _exit(2);
    for (int64_t tx = c->first_tx[w->index];; tx++) {
        snprintf(sql, sizeof sql,
                 "BEGIN CONCURRENT;"
                 "INSERT INTO t(tx, part, pad) VALUES (%lld, 0, hex(randomblob(%d)));"
                 "INSERT INTO t(tx, part, pad) VALUES (%lld, 1, 'b');"
                 "INSERT INTO t(tx, part, pad) VALUES (%lld, 2, 'c')",
                 (long long)tx, (int)(tx % 300), (long long)tx, (long long)tx);
        if (chorus_exec(conn, sql) != CHORUS_OK)
            _exit(5);
        if (chorus_exec(conn, "COMMIT") != CHORUS_OK)
            _exit(6);
        child_ack(c, ACK_TX, tx);
        if (c->checkpoints && tx % 50 == 0 && w->index == 0 &&
            chorus_exec(conn, "PRAGMA wal_checkpoint") != CHORUS_OK)
            _exit(8);
    }
    return NULL;
}

static int
increment(chorus_conn *conn, void *arg)
{
    int64_t *value = arg;
    int rc = chorus_exec(conn, "UPDATE counter SET n = n + 1 WHERE id = 1");

    if (rc == CHORUS_OK)
        *value = mw_query_int(conn, "SELECT n FROM counter WHERE id = 1");
    return rc;
}

static void *
counter_writer(void *arg)
{
    child_ctx *c = arg;
    chorus_conn *conn;

    if (chorus_connect(c->db, &conn) != CHORUS_OK ||
        chorus_exec(conn, "PRAGMA synchronous = FULL") != CHORUS_OK)
        _exit(2);
    for (;;) {
        int64_t value = -1;
        int rc = chorus_run_transaction(conn, CHORUS_TX_CONCURRENT, 0, increment, &value);
        if (rc == CHORUS_OK)
            child_ack(c, ACK_COUNTER, value);
        else if (rc != CHORUS_CONFLICT)
            _exit(7);
    }
    return NULL;
}

static void
child_main(const char *path, const int64_t *first_tx, bool checkpoints, int ack_fd)
{
    child_ctx c = {.ack_fd = ack_fd, .checkpoints = checkpoints};
    writer_arg args[N_BATCH_WRITERS];
    pthread_t th[N_BATCH_WRITERS + 1];

    if (chorus_open(path, 0, &c.db) != CHORUS_OK)
        _exit(2);
    for (int i = 0; i < N_BATCH_WRITERS; i++) {
        c.first_tx[i] = first_tx[i];
        args[i] = (writer_arg){&c, i};
        if (pthread_create(&th[i], NULL, batch_writer, &args[i]) != 0)
            _exit(3);
    }
    if (pthread_create(&th[N_BATCH_WRITERS], NULL, counter_writer, &c) != 0)
        _exit(3);
    pthread_join(th[0], NULL);
    _exit(0);
}

/* --- the parent --------------------------------------------------------------------- */

static bool
checkpoint_works(chorus_conn *conn)
{
    return chorus_exec(conn, "PRAGMA wal_checkpoint") == CHORUS_OK;
}

/* K1: every transaction first..last (one writer's, all acknowledged) is
 * present; with K2 each has all its rows. */
static void
assert_txs_present(chorus_conn *conn, int64_t first, int64_t last, int round)
{
    char sql[160];
    int64_t n;

    snprintf(sql, sizeof sql, "SELECT count(DISTINCT tx) FROM t WHERE tx BETWEEN %lld AND %lld",
             (long long)first, (long long)last);
    n = mw_query_int(conn, sql);
    if (n != last - first + 1)
        print_message("round %d (seed %u): %lld of the acknowledged transactions %lld..%lld\n",
                      round, seed, (long long)n, (long long)first, (long long)last);
    assert_int_equal(n, last - first + 1);
}

static void
test_every_acknowledged_commit_survives_kill_9(void **state)
{
    char path[512];
    int64_t next_tx[N_BATCH_WRITERS];
    int64_t counter_acked = 0, n_tx_acked = 0;
    chorus_db *db;
    chorus_conn *conn;
    bool checkpoints;

    (void)state;
    db = mw_open_mvcc("crash.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, tx INTEGER NOT NULL,"
                                  " part INTEGER NOT NULL, pad TEXT);"
                                  "CREATE UNIQUE INDEX t_tx_part ON t(tx, part);"
                                  "CREATE TABLE counter(id INTEGER PRIMARY KEY, n INTEGER) WITHOUT ROWID;"
                                  "INSERT INTO counter VALUES (1, 0)");
    if (db == NULL)
        skip();
    test_path(path, sizeof path, "crash.db");
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    checkpoints = checkpoint_works(conn);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    print_message("seed %u, %d rounds, checkpoints %s\n", seed, n_rounds,
                  checkpoints ? "on" : "off (PRAGMA wal_checkpoint fails in MVCC mode)");
    srand(seed);
    for (int i = 0; i < N_BATCH_WRITERS; i++)
        next_tx[i] = (int64_t)i * TX_PER_WRITER + 1;
    for (int round = 0; round < n_rounds; round++) {
        int64_t last_acked[N_BATCH_WRITERS];
        int fds[2], status;
        ack a;
        pid_t pid;

        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_main(path, next_tx, checkpoints && round % 3 == 2, fds[1]);
        }
        close(fds[1]);
        usleep((useconds_t)(rand() % 120000));
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status))
            print_message("round %d (seed %u): child exited with %d\n", round, seed,
                          WEXITSTATUS(status));
        assert_true(WIFSIGNALED(status));
        for (int i = 0; i < N_BATCH_WRITERS; i++)
            last_acked[i] = next_tx[i] - 1;
        while (read(fds[0], &a, sizeof a) == (ssize_t)sizeof a) {
            if (a.kind == ACK_TX) {
                last_acked[a.value / TX_PER_WRITER] = a.value;
                n_tx_acked++;
            } else if (a.value > counter_acked) {
                counter_acked = a.value;
            }
        }
        close(fds[0]);

        assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);        /* recovery */
        assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
        mw_assert_text(conn, "PRAGMA journal_mode", "mvcc");               /* K4 */
        for (int i = 0; i < N_BATCH_WRITERS; i++) {
            char sql[160];
            assert_txs_present(conn, (int64_t)i * TX_PER_WRITER + 1, last_acked[i], round);
            /* The next round starts above whatever the crash left (an
             * unacknowledged commit may have survived). */
            snprintf(sql, sizeof sql, "SELECT coalesce(max(tx), %lld) FROM t WHERE tx / %d = %d",
                     (long long)next_tx[i] - 1, TX_PER_WRITER, i);
            next_tx[i] = mw_query_int(conn, sql) + 1;
        }
        assert_int_equal(mw_query_int(conn, "SELECT count(*) FROM (SELECT tx FROM t GROUP BY tx"
                                            " HAVING count(*) <> 3)"),
                         0);                                            /* K2 */
        assert_true(mw_query_int(conn, "SELECT n FROM counter WHERE id = 1") >= counter_acked);
        mw_assert_text(conn, "PRAGMA integrity_check", "ok");              /* K4 */
        chorus_disconnect(conn);
        assert_int_equal(chorus_close(db), CHORUS_OK);
    }
    print_message("%lld transactions and counter value %lld acknowledged over %d kill -9 rounds,"
                  " all present\n",
                  (long long)n_tx_acked, (long long)counter_acked, n_rounds);
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_acknowledged_commit_survives_kill_9, teardown),
    };

    seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rounds") == 0)
            n_rounds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = (unsigned)strtoul(argv[i + 1], NULL, 10);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
