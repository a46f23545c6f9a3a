/*
 * tests/mvcc/test_checkpoint_truncate.c: truncating <db>-log after a
 * checkpoint while commits keep arriving (mvcc R19, log_rewrite.c).
 *
 * The log keeps exactly the commit frames above the mark, under a new salt,
 * and appends go on after them; appenders that never pause lose nothing
 * while truncations run, and the file stays small; a child process that
 * appends and truncates is SIGKILLed at random points over several seeds,
 * and every frame it acknowledged above the last truncation it began comes
 * back in recovery (the ones below are, by the caller's contract, in the
 * B-tree already). A stale <db>-log-new is removed at open.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mvcc.h"
#include "test_support.h"

enum { MAX_TS = 1 << 16, N_APPENDERS = 3 };

static int
append(mv_log *log, uint64_t ts, mv_sync sync)
{
    int64_t payload = (int64_t)ts * 7;
    mv_log_record rec = {MV_LOG_ROW_PUT, 1, (int64_t)ts, (const uint8_t *)&payload,
                         sizeof payload, NULL, 0};

    return mv_log_append(log, ts, &rec, 1, sync);
}

/* What recovery handed out: how often each timestamp came back. */
typedef struct seen {
    uint8_t count[MAX_TS];
    uint64_t n;
} seen;

static int
collect(void *ctx, const mv_log_frame *frame)
{
    seen *s = ctx;
    uint32_t pos = 0;
    mv_log_record rec;
    int64_t payload;

    assert_true(frame->commit_ts < MAX_TS);
    assert_int_equal(mv_log_frame_next(frame, &pos, &rec), 1);
    assert_int_equal(rec.rowid, (int64_t)frame->commit_ts);
    assert_int_equal(rec.nbytes, sizeof payload);
    memcpy(&payload, rec.data, sizeof payload);     /* records are not aligned */
    assert_int_equal(payload, (int64_t)frame->commit_ts * 7);
    s->count[frame->commit_ts]++;
    s->n++;
    return CHORUS_OK;
}

static seen *
recover(const char *path, mv_log_recovery *rec)
{
    seen *s = calloc(1, sizeof *s);

    assert_non_null(s);
    assert_int_equal(mv_log_recover(path, collect, s, rec), CHORUS_OK);
    return s;
}

static int64_t
file_size(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static mv_log *
log_open(const char *path)
{
    mv_log_options opts = {.use_uring = 0};
    mv_log *log;

    assert_int_equal(mv_log_open(path, &opts, NULL, NULL, NULL, &log), CHORUS_OK);
    return log;
}

static void
test_truncation_keeps_the_frames_above_the_mark(void **state)
{
    char path[512], tmp[600];
    mv_log_truncation cut;
    mv_log_recovery rec;
    mv_log *log;
    seen *s;
    int64_t before;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "keep-log");
    unlink(path);
    log = log_open(path);
    for (uint64_t ts = 1; ts <= 100; ts++)
        assert_int_equal(append(log, ts, MV_SYNC_NORMAL), CHORUS_OK);
    assert_int_equal(mv_log_checkpoint(log, 60, MV_SYNC_FULL), CHORUS_OK);
    before = mv_log_size(log);
    assert_int_equal(mv_log_truncate(log, 60, &cut), CHORUS_OK);
    assert_int_equal(cut.n_frames, 100);
    assert_int_equal(cut.n_kept, 40);
    assert_int_equal(mv_log_size(log), cut.bytes_after);
    assert_true(cut.bytes_after < before / 2);
    for (uint64_t ts = 101; ts <= 110; ts++)   /* appends go on in the new file */
        assert_int_equal(append(log, ts, MV_SYNC_FULL), CHORUS_OK);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    snprintf(tmp, sizeof tmp, "%s-new", path);
    assert_int_not_equal(access(tmp, F_OK), 0);
    s = recover(path, &rec);
    assert_int_equal(s->n, 50);
    for (uint64_t ts = 1; ts <= 110; ts++)
        assert_int_equal(s->count[ts], ts > 60 ? 1 : 0);
    assert_int_equal(rec.max_ts, 110);
    assert_int_equal(rec.checkpoint_ts, 0);
    assert_false(rec.torn_tail);
    free(s);
    /* Nothing above the mark: the log is its header alone. */
    log = log_open(path);
    assert_int_equal(mv_log_truncate(log, 110, &cut), CHORUS_OK);
    assert_int_equal(cut.n_kept, 0);
    assert_true(mv_log_is_empty(log));
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(file_size(path), 32);
}

/* --- appenders that never pause ---------------------------------------------- */

typedef struct load {
    mv_log *log;
    _Atomic uint64_t next_ts;
    _Atomic uint64_t limit;     /* appenders take no timestamp at or above it */
    _Atomic int stop;
    uint8_t acked[MAX_TS];      /* each index written by the one appender that owns it */
} load;

static void *
appender(void *arg)
{
    load *l = arg;

    while (!atomic_load(&l->stop)) {
        if (atomic_load(&l->next_ts) >= atomic_load(&l->limit)) {
            usleep(100);
            continue;
        }
        uint64_t ts = atomic_fetch_add(&l->next_ts, 1);
        if (ts >= MAX_TS)
            break;
        if (append(l->log, ts, MV_SYNC_FULL) != CHORUS_OK)
            return (void *)1;
        l->acked[ts] = 1;
    }
    return NULL;
}

static void
test_truncations_under_a_steady_append_load_lose_nothing(void **state)
{
    char path[512];
    load *l = calloc(1, sizeof *l);
    pthread_t th[N_APPENDERS];
    mv_log_truncation cut;
    uint64_t upto = 0;
    int64_t largest = 0, n_shrinks = 0;
    seen *s;

    (void)state;
    assert_non_null(l);
    test_path(path, sizeof path, "load-log");
    unlink(path);
    l->log = log_open(path);
    atomic_init(&l->next_ts, 1);
    for (int i = 0; i < N_APPENDERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, appender, l), 0);
    for (int round = 0; round < 30; round++) {
        /* Pace by appends, not by time: every round sees 100 new
         * timestamps and lets 100 more be taken while it truncates, so
         * no round's mark stands still and a descheduled main thread
         * cannot let the appenders run out of timestamps. Bounded
         * (10 s) in case every appender failed. */
        uint64_t start = atomic_load(&l->next_ts);
        atomic_store(&l->limit, start + 200);
        for (int waited = 0; atomic_load(&l->next_ts) < start + 100 && waited < 10000; waited++)
            usleep(1000);
        /* A checkpoint "wrote" everything below a point the appenders
         * passed: timestamps there are taken (acknowledged or about to be). */
        uint64_t now = atomic_load(&l->next_ts);
        upto = now > 40 ? now - 40 : 0;
        assert_int_equal(mv_log_checkpoint(l->log, upto, MV_SYNC_FULL), CHORUS_OK);
        assert_int_equal(mv_log_truncate(l->log, upto, &cut), CHORUS_OK);
        if (cut.bytes_after > largest)
            largest = cut.bytes_after;
        n_shrinks += cut.n_kept < cut.n_frames;
    }
    atomic_store(&l->stop, 1);
    for (int i = 0; i < N_APPENDERS; i++) {
        void *ret;
        assert_int_equal(pthread_join(th[i], &ret), 0);
        assert_null(ret);
    }
    /* Truncations dropped what was below their marks (not every round
     * need find new frames on a loaded machine), so the file never held
     * the run (each frame is 49 bytes). */
    assert_true(n_shrinks >= 10);
    assert_true(largest < (int64_t)atomic_load(&l->next_ts) * 49);
    assert_int_equal(mv_log_close(l->log), CHORUS_OK);
    s = recover(path, NULL);
    for (uint64_t ts = 1; ts < MAX_TS; ts++) {
        assert_true(s->count[ts] <= 1);
        if (ts > upto && l->acked[ts])
            assert_int_equal(s->count[ts], 1);
    }
    free(s);
    free(l);
}

/* --- SIGKILL during truncations ------------------------------------------------ */

/* Messages from the child: an acknowledged timestamp, or (bit 63) the mark
 * of a truncation about to begin. */
#define MARK_BIT (UINT64_C(1) << 63)

typedef struct child {
    mv_log *log;
    _Atomic uint64_t next_ts;
    int fd;
    pthread_mutex_t mu;         /* one message at a time on the pipe */
} child;

static void
tell(child *c, uint64_t msg)
{
    pthread_mutex_lock(&c->mu);
    if (write(c->fd, &msg, sizeof msg) != sizeof msg)
        _exit(6);
    pthread_mutex_unlock(&c->mu);
}

static void *
child_appender(void *arg)
{
    child *c = arg;

    for (;;) {
        uint64_t ts = atomic_fetch_add(&c->next_ts, 1);
        if (ts >= MAX_TS || append(c->log, ts, MV_SYNC_FULL) != CHORUS_OK)
            _exit(5);
        tell(c, ts);            /* acknowledged: durable by contract */
    }
    return NULL;
}

static void
child_main(const char *path, int fd)
{
    child c = {.fd = fd};
    pthread_t th[2];

    pthread_mutex_init(&c.mu, NULL);
    atomic_init(&c.next_ts, 1);
    c.log = log_open(path);
    for (int i = 0; i < 2; i++)
        if (pthread_create(&th[i], NULL, child_appender, &c) != 0)
            _exit(3);
    for (;;) {
        mv_log_truncation cut;
        uint64_t now = atomic_load(&c.next_ts);
        uint64_t upto = now > 30 ? now - 30 : 0;
        usleep(1000);
        tell(&c, upto | MARK_BIT);      /* before the mark: recovery skips below it */
        if (mv_log_checkpoint(c.log, upto, MV_SYNC_FULL) != CHORUS_OK)
            _exit(7);
        if (mv_log_truncate(c.log, upto, &cut) != CHORUS_OK)
            _exit(8);
    }
}

static void
crash_round(unsigned seed)
{
    char path[512];
    uint8_t *acked = calloc(MAX_TS, 1);
    uint64_t msg, upto = 0;
    int fds[2], status;
    pid_t pid;
    seen *s;

    assert_non_null(acked);
    snprintf(path, sizeof path, "%s/crash-%u-log", test_tmpdir(), seed);
    unlink(path);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_main(path, fds[1]);
        _exit(0);
    }
    close(fds[1]);
    srand(seed);
    usleep(20000 + (useconds_t)(rand() % 60000));
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    while (read(fds[0], &msg, sizeof msg) == sizeof msg) {
        if (msg & MARK_BIT)
            upto = msg & ~MARK_BIT;
        else
            acked[msg] = 1;
    }
    close(fds[0]);
    s = recover(path, NULL);
    for (uint64_t ts = 1; ts < MAX_TS; ts++) {
        assert_true(s->count[ts] <= 1);
        if (ts > upto && acked[ts] && s->count[ts] != 1)
            fail_msg("seed %u: acknowledged ts %llu above mark %llu lost", seed,
                     (unsigned long long)ts, (unsigned long long)upto);
    }
    /* The next open removes a rewrite cut short before its rename. */
    mv_log_close(log_open(path));
    snprintf(path + strlen(path), sizeof path - strlen(path), "-new");
    assert_int_not_equal(access(path, F_OK), 0);
    free(s);
    free(acked);
}

static void
test_sigkill_during_truncations_loses_no_acknowledged_frame(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 8; seed++)
        crash_round(seed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncation_keeps_the_frames_above_the_mark),
        cmocka_unit_test(test_truncations_under_a_steady_append_load_lose_nothing),
        cmocka_unit_test(test_sigkill_during_truncations_loses_no_acknowledged_frame),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    test_tmpdir_remove();
    return rc;
}
