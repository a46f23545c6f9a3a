/*
 * tests/mvcc/test_log_crash.c: a forked child commits rows through the store
 * with synchronous FULL from two threads and reports each acknowledged
 * commit through a pipe; the parent SIGKILLs it mid-stream and recovers the
 * log: every acknowledged commit must be there (mvcc R12, R15). Crash-prone,
 * so the writing happens in its own process.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mvcc.h"
#include "test_support.h"

enum { MAX_ROWID = 1 << 20 };

typedef struct child_ctx {
    mv_db *db;
    mv_table *t;
    int ack_fd;
} child_ctx;

static void *
child_committer(void *arg)
{
    child_ctx *c = arg;
    mv_tx *tx;

    if (mv_tx_new(c->db, &tx) != CHORUS_OK)
        _exit(3);
    for (;;) {
        int64_t rowid = mv_table_rowid_next(c->t);
        mv_tx_begin(tx);
        if (mv_table_insert(tx, c->t, rowid, &rowid, sizeof rowid) != MV_OK)
            _exit(4);
        if (mv_tx_commit(tx, MV_SYNC_FULL) != CHORUS_OK)
            _exit(5);
        /* Acknowledged: durable by contract from here on. */
        if (write(c->ack_fd, &rowid, sizeof rowid) != sizeof rowid)
            _exit(6);
    }
    return NULL;
}

static void
child_main(const char *path, int ack_fd)
{
    child_ctx c = {.ack_fd = ack_fd};
    mv_log *log;
    pthread_t th[2];

    if (mv_log_open(path, NULL, NULL, NULL, NULL, &log) != CHORUS_OK ||
        mv_db_open(0, &c.db) != CHORUS_OK || mv_table_open(c.db, 5, "t", &c.t) != CHORUS_OK)
        _exit(2);
    mv_db_attach_log(c.db, log);
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, child_committer, &c);
    pthread_join(th[0], NULL);
    _exit(0);
}

static int
collect_rowids(void *ctx, const mv_log_frame *frame)
{
    uint8_t *present = ctx;
    uint32_t pos = 0;
    mv_log_record rec;
    int r;

    while ((r = mv_log_frame_next(frame, &pos, &rec)) == 1) {
        if (rec.op != MV_LOG_ROW_PUT || rec.rowid <= 0 || rec.rowid >= MAX_ROWID)
            return CHORUS_CORRUPT;
        present[rec.rowid] = 1;
    }
    return r == 0 ? CHORUS_OK : r;
}

static void
crash_once(int round)
{
    char path[512];
    int fds[2];
    int64_t acked[4096];
    int n_acked = 0, status;
    mv_log_recovery rec;
    uint8_t *present = calloc(MAX_ROWID, 1);
    pid_t pid;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_main(path, fds[1]);
    }
    close(fds[1]);
    /* Let it run for a while: up to a few hundred acknowledgements, varying
     * by round so the kill lands at different points of a batch. */
    int target = 100 + round * 37;
    while (n_acked < target) {
        ssize_t got = read(fds[0], &acked[n_acked], sizeof acked[0]);
        if (got != sizeof acked[0])
            break;
        n_acked++;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    /* Acknowledgements already in the pipe count too. */
    while (n_acked < (int)CHORUS_ARRAY_LEN(acked) &&
           read(fds[0], &acked[n_acked], sizeof acked[0]) == sizeof acked[0])
        n_acked++;
    close(fds[0]);
    assert_int_equal(mv_log_recover(path, collect_rowids, present, &rec), CHORUS_OK);
    print_message("round %d: %d acknowledged, %llu frames recovered, torn tail %d\n", round, n_acked,
                  (unsigned long long)rec.n_frames, rec.torn_tail);
    assert_true(rec.n_frames >= (uint64_t)n_acked);
    for (int i = 0; i < n_acked; i++)
        assert_true(present[acked[i]]);
    free(present);
    test_tmpdir_remove();
}

static void
test_sigkilled_writer_loses_no_acknowledged_commit(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++)
        crash_once(round);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkilled_writer_loses_no_acknowledged_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
