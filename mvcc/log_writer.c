/*
 * mvcc/log_writer.c: appending frames to <db>-log with group commit
 * (mvcc R12, R13).
 *
 * Committers copy their sealed frame into the open buffer under a short
 * mutex and get an LSN (the log's byte count after their frame). Whoever
 * then needs the log to move and finds no leader becomes the leader: it
 * swaps the buffers, drops the mutex, writes the whole batch with one write
 * and (when any waiter asked for FULL, or NORMAL's unsynced bytes passed
 * their limit) one fdatasync, retakes the mutex, advances written/synced and
 * wakes everyone. Committers that arrive meanwhile fill the other buffer and
 * ride the next batch. So one write and one fsync serve every commit that
 * arrived together, and the mutex is never held across I/O: a transaction
 * that is not committing never waits for the log at all.
 *
 * Synchronous levels, per commit (a leader syncs for any FULL waiter in its
 * batch, whatever its own level): FULL returns once synced >= lsn; NORMAL
 * once written >= lsn (fsync every normal_sync_bytes, at checkpoint marks and
 * at close); OFF returns at once and leaves the writing to the next leader
 * (or writes itself when more than MV_LOG_OFF_FLUSH bytes wait).
 *
 * Invariants
 *   W1  enq_lsn >= written_lsn >= synced_lsn; bytes below written_lsn are
 *       in the file at file offset lsn + lsn_delta.
 *   W2  At most one leader; only the leader touches the file or the buffer
 *       it took.
 *   W3  After an I/O error the log is failed for good (mvcc R13): every
 *       later enqueue and wait returns the error, and mv_log_errmsg() names
 *       the call, the file and errno's reason (log_io.h IO3). A rewrite
 *       dropped before its rename (mv_log_gate_cancel) is no log error.
 *   W4  The truncation gate (mv_log_gate_enter/leave) is the leader role
 *       held across the switch to a rewritten file: committers keep
 *       enqueueing (sealed with the new salt), nobody writes, and the fd,
 *       the salt and lsn_delta change together under mu. A rewrite dropped
 *       before its rename leaves through mv_log_gate_cancel: the old salt
 *       comes back and the held-back frames are sealed again under it, so
 *       the old file goes on as if the gate had never been held.
 *   W5  Checkpoints of the log's database run one at a time under ckpt_mu
 *       (mv_log_checkpoint_lock), which is taken before the pager's writer
 *       lock and never while holding mu.
 *   W6  The commit fence: a writing commit brackets itself with
 *       mv_log_commit_enter/leave; mv_log_commits_hold() sets commits_held
 *       and waits until none is inside, so that its holder sees a log no
 *       commit can add to until mv_log_commits_release(). Dekker-style:
 *       both sides store their flag, then load the other's (seq_cst).
 *
 *   W7  Gathering: a leader that must sync first waits, mu released and
 *       the leader role held, for the committers the previous batch
 *       released to enqueue again (log_gather.c), at most half the recent
 *       sync time; an enqueue that completes the gathering wakes it
 *       (fill_cv). Checkpoint syncs (force_sync) never wait.
 *   W8  A committer waiting for a leader's batch spins, yielding the CPU,
 *       while batches take under MV_LOG_SPIN_MAX_NS on average (at most
 *       twice that average), and sleeps on cv only after: on fast storage
 *       a sleep and a wake-up per commit cost more than the I/O. It
 *       watches state_seq, which every broadcast on cv bumps under mu (a
 *       batch's end, and also the gate, a reset or the commit fence giving
 *       the log back: wake_waiters), so no wake-up is lost: the waiter
 *       re-checks it under mu before it sleeps.
 *   W9  Only batches that sync use the io_uring backend (io_write).
 *   W10 Preallocation: a batch that syncs and ends past alloc_end first
 *       writes zeros from its end to MV_LOG_PREALLOC beyond it, so the
 *       batches after it overwrite blocks the file already has and their
 *       fdatasync flushes data alone, not a new file size and new blocks
 *       (measured here: write + fdatasync of 400 bytes, 190 us appending,
 *       125 us over written zeros). Zeros end the log for recovery (a frame
 *       of size 0 is malformed, R15) and are no torn tail: an open keeps
 *       them, a clean close cuts them. A fill that fails is no log error:
 *       the file is cut back to alloc_end (so the blocks it took on a disk
 *       filling up are free for the batch) and the batch's own write
 *       decides.
 *
 * Locking: mu guards every field marked so; it is held only to copy a frame
 * or swap buffers, never across write or fsync. Lock order: mu is a leaf.
 * Ownership: the log owns both buffers, the path, the fd and the ring.
 * Callers: mvcc/tx.c (commit), the integration (open, checkpoint, close).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log_io.h"
#include "mvcc_int.h"

#define MV_LOG_OFF_FLUSH (256 * 1024)
#define MV_LOG_SPIN_MAX_NS (50 * 1000)      /* W8 */
#define MV_LOG_PREALLOC (1024 * 1024)       /* W10 */

struct mv_log {
    int fd;                     /* the leader's (W2); switched only by the gate's holder (W4) */
    char *path;                 /* owned; immutable */
    mv_uring *uring;            /* NULL: pwrite backend; used by the leader only (W2) */
    int64_t normal_sync_bytes;  /* immutable */
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* signalled when a batch finishes */
    pthread_cond_t fill_cv;     /* CLOCK_MONOTONIC; signalled when a waiting leader's
                                   batch is gathered (W7) */
    bool fill_waiting;          /* guarded by mu: a leader waits on fill_cv */
    mv_log_gather gather;       /* guarded by mu (W7) */
    int64_t batch_ns_avg;       /* guarded by mu: recent time of one batch's I/O (W8) */
    _Atomic uint64_t state_seq; /* W8: bumped under mu (release) at each wake-up (wake_waiters) */
    _Atomic uint64_t salt;      /* written under mu (reset); read lock-free to seal */
    uint8_t *buf[2];            /* guarded by mu, except the one the leader took */
    size_t cap[2];
    int cur;                    /* guarded by mu: the buffer committers fill */
    size_t len;                 /* guarded by mu: bytes in buf[cur] */
    uint64_t enq_lsn;           /* guarded by mu (W1) */
    uint64_t written_lsn;       /* guarded by mu */
    uint64_t synced_lsn;        /* guarded by mu */
    uint64_t want_sync_lsn;     /* guarded by mu: largest LSN a FULL waiter needs */
    int64_t lsn_delta;          /* guarded by mu: file offset = lsn + lsn_delta */
    int64_t alloc_end;          /* guarded by mu: the file holds written bytes or zeros up to here (W10) */
    int64_t unsynced_bytes;     /* guarded by mu */
    bool leader;                /* guarded by mu (W2) */
    int error;                  /* guarded by mu (W3) */
    int error_errno;            /* guarded by mu: errno of that failure (log_io.h IO3) */
    uint64_t cut_ts;            /* guarded by ckpt_mu: the mark the file was last cut at (R19) */
    int64_t base_bytes;         /* guarded by mu: file size after the last truncation or open */
    pthread_mutex_t ckpt_mu;    /* one checkpoint at a time (W5); taken before anything else */
    _Atomic int64_t n_commits_in;   /* W6: commits between commit_enter and commit_leave */
    _Atomic bool commits_held;      /* W6: commit_enter waits while set */
    mv_log_stats stats;         /* guarded by mu */
};

uint64_t
mv_log_salt(const mv_log *log)
{
    /* Acquire: pairs with the release store in mv_log_reset(). */
    return atomic_load_explicit(&((mv_log *)log)->salt, memory_order_acquire);
}

const char *
mv_log_backend(const mv_log *log)
{
    return log->uring != NULL ? "io_uring" : "pwrite";
}

uint64_t
mv_log_salt_new(void)
{
    uint64_t salt = 0;

    if (getrandom(&salt, sizeof salt, 0) != (ssize_t)sizeof salt)
        salt = (uint64_t)common_now_ns() ^ ((uint64_t)getpid() << 32);
    return salt;
}

/* --- file I/O (outside mu) ---------------------------------------------------- */

/*
 * W9: a batch that syncs goes through io_uring (the write and the
 * fdatasync linked in one submission) when the log has a ring; one that
 * does not sync is a plain pwrite: a buffered write finishes in
 * microseconds, and handing it to the kernel's io_uring worker costs a
 * cross-thread wake-up per batch (about 60 us on an idle machine: 20k
 * NORMAL commits/s on one connection against 500k with pwrite).
 */
static int
io_write(mv_log *log, const uint8_t *p, size_t n, int64_t off, bool sync)
{
    if (log->uring != NULL && sync)
        return mv_uring_write(log->uring, log->fd, p, n, off, sync);
    int rc = mv_log_pwrite_all(log->fd, p, n, off);
    if (rc == CHORUS_OK && sync && mv_log_io_calls.fdatasync(log->fd) != 0)
        rc = CHORUS_IOERR_FSYNC;
    return rc;
}

/*
 * W8: every change that a waiter on cv waits for (a batch's end, the leader
 * role given back by a reset or the truncation gate, the commit fence
 * released) bumps state_seq and broadcasts, both under mu: a waiter that
 * spun with mu released and saw no bump has missed no broadcast.
 */
static void
wake_waiters(mv_log *log)
{
    /* Release: W8's spinners read the new state under mu after they see
     * the bump; the order only keeps them from spinning too long. */
    atomic_fetch_add_explicit(&log->state_seq, 1, memory_order_release);
    pthread_cond_broadcast(&log->cv);
}

/* W10: writes zeros over [from, to), 64 KiB at a time. */
static int
zero_fill(int fd, int64_t from, int64_t to)
{
    static const uint8_t zeros[64 * 1024];
    int rc = CHORUS_OK;

    while (rc == CHORUS_OK && from < to) {
        size_t n = to - from < (int64_t)sizeof zeros ? (size_t)(to - from) : sizeof zeros;
        rc = mv_log_pwrite_all(fd, zeros, n, from);
        from += (int64_t)n;
    }
    return rc;
}

/* W10: where a syncing batch ending at end should fill zeros to; 0: no fill. */
static int64_t
prealloc_target(const mv_log *log, int64_t end, bool sync)
{
    if (!sync || end <= log->alloc_end)
        return 0;
    return end + MV_LOG_PREALLOC;
}

static bool
batch_needs_sync(const mv_log *log, bool force_sync)
{
    return force_sync || log->want_sync_lsn > log->synced_lsn ||
           log->unsynced_bytes + (int64_t)log->len >= log->normal_sync_bytes;
}

/* W7: called with mu held and the leader role taken. */
static void
gather(mv_log *log)
{
    int64_t wait_ns = mv_gather_wait_ns(&log->gather);
    struct timespec deadline;

    if (wait_ns == 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += wait_ns;
    deadline.tv_sec += deadline.tv_nsec / 1000000000;
    deadline.tv_nsec %= 1000000000;
    log->fill_waiting = true;
    while (log->error == CHORUS_OK && mv_gather_missing(&log->gather) > 0)
        if (pthread_cond_timedwait(&log->fill_cv, &log->mu, &deadline) != 0)
            break;
    log->fill_waiting = false;
}

/*
 * Leads one batch (W2): called with mu held and no leader; returns with mu
 * held. Writes everything enqueued so far and fsyncs when asked to.
 */
static void
lead(mv_log *log, bool force_sync)
{
    log->leader = true;
    if (!force_sync && batch_needs_sync(log, false))
        gather(log);

    uint8_t *batch = log->buf[log->cur];
    size_t nbytes = log->len;
    uint64_t end = log->enq_lsn;
    int64_t off = (int64_t)log->written_lsn + log->lsn_delta;
    bool sync = batch_needs_sync(log, force_sync);
    int64_t fill_to = prealloc_target(log, off + (int64_t)nbytes, sync);
    int64_t alloc_before = log->alloc_end;
    int64_t started = common_now_ns(), took;
    int rc;

    log->cur ^= 1;
    log->len = 0;
    mv_gather_swap(&log->gather);
    pthread_mutex_unlock(&log->mu);
    if (fill_to > 0 && zero_fill(log->fd, off + (int64_t)nbytes, fill_to) != CHORUS_OK) {
        /* W10: the blocks a failed fill took go back before the batch's
         * own write needs them (a full disk); nothing valid lies past
         * alloc_before. A failed cut leaves the batch's write to decide. */
        (void)mv_log_io_calls.ftruncate(log->fd, alloc_before);
        fill_to = 0;
    }
    rc = (nbytes > 0 || sync) ? io_write(log, batch, nbytes, off, sync) : CHORUS_OK;
    int err = errno;            /* log_io.h IO3 */
    pthread_mutex_lock(&log->mu);
    if (log->alloc_end < off + (int64_t)nbytes)
        log->alloc_end = off + (int64_t)nbytes;
    if (log->alloc_end < fill_to)
        log->alloc_end = fill_to;
    took = common_now_ns() - started;
    log->batch_ns_avg += (took - log->batch_ns_avg) / 8;        /* W8 */
    if (sync && rc == CHORUS_OK)
        mv_gather_sync_took(&log->gather, took);
    if (rc != CHORUS_OK) {
        log->error = rc;        /* W3 */
        log->error_errno = err;
    } else {
        log->written_lsn = end;
        log->unsynced_bytes += (int64_t)nbytes;
        if (sync) {
            log->synced_lsn = end;
            log->unsynced_bytes = 0;
            log->stats.n_syncs++;
        }
        if (nbytes > 0)
            log->stats.n_writes++;
        log->stats.bytes += (int64_t)nbytes;
    }
    log->leader = false;
    wake_waiters(log);
}

/*
 * W8: waits for the batch a leader is writing to end. Called with mu held
 * and returns with it held; the caller checks again what it waits for.
 */
static void
wait_for_batch(mv_log *log)
{
    int64_t limit = 2 * log->batch_ns_avg;
    uint64_t seq = atomic_load_explicit(&log->state_seq, memory_order_relaxed);

    if (limit > 0 && log->batch_ns_avg < MV_LOG_SPIN_MAX_NS) {
        int64_t end = common_now_ns() + limit;
        unsigned round = 0;

        pthread_mutex_unlock(&log->mu);
        /* Acquire: pairs with the release bump in wake_waiters(). */
        while (atomic_load_explicit(&log->state_seq, memory_order_acquire) == seq &&
               common_now_ns() < end) {
            if (++round < 16)
                __builtin_ia32_pause();
            else
                sched_yield();
        }
        pthread_mutex_lock(&log->mu);
        if (atomic_load_explicit(&log->state_seq, memory_order_relaxed) != seq)
            return;
    }
    pthread_cond_wait(&log->cv, &log->mu);
}

/* --- enqueue and wait ------------------------------------------------------------- */

static int
buffer_append(mv_log *log, const uint8_t *frame, size_t nbytes)
{
    int b = log->cur;

    if (log->len + nbytes > log->cap[b]) {
        size_t cap = log->cap[b] ? log->cap[b] : 64 * 1024;
        while (cap < log->len + nbytes)
            cap *= 2;
        uint8_t *grown = realloc(log->buf[b], cap);
        if (grown == NULL)
            return CHORUS_NOMEM;
        log->buf[b] = grown;
        log->cap[b] = cap;
    }
    memcpy(log->buf[b] + log->len, frame, nbytes);
    log->len += nbytes;
    return CHORUS_OK;
}

int
mv_log_enqueue(mv_log *log, const uint8_t *frame, size_t nbytes, mv_sync sync,
               const void *committer, uint64_t *lsn_out)
{
    uint64_t salt = mv_log_salt(log);
    int rc;

    /* The checksum is computed outside the mutex; a reset in between is
     * caught below and the frame sealed again. */
    mv_frame_seal((uint8_t *)frame, nbytes, salt);
    pthread_mutex_lock(&log->mu);
    rc = log->error;
    if (rc == CHORUS_OK) {
        uint64_t now = atomic_load_explicit(&log->salt, memory_order_relaxed);
        if (now != salt)
            mv_frame_seal((uint8_t *)frame, nbytes, now);
        rc = buffer_append(log, frame, nbytes);
    }
    if (rc == CHORUS_OK) {
        log->enq_lsn += nbytes;
        *lsn_out = log->enq_lsn;
        if (sync == MV_SYNC_FULL && log->want_sync_lsn < log->enq_lsn)
            log->want_sync_lsn = log->enq_lsn;
        log->stats.n_frames++;
        mv_gather_note(&log->gather, committer);
        if (log->fill_waiting && mv_gather_missing(&log->gather) == 0)
            pthread_cond_signal(&log->fill_cv);         /* W7 */
    }
    pthread_mutex_unlock(&log->mu);
    return rc;
}

static bool
reached(const mv_log *log, uint64_t lsn, mv_sync sync)
{
    if (sync == MV_SYNC_FULL)
        return log->synced_lsn >= lsn;
    return log->written_lsn >= lsn;
}

int
mv_log_wait(mv_log *log, uint64_t lsn, mv_sync sync)
{
    int rc;

    pthread_mutex_lock(&log->mu);
    if (sync == MV_SYNC_OFF) {
        if (!log->leader && log->len >= MV_LOG_OFF_FLUSH)
            lead(log, false);
    } else {
        while (log->error == CHORUS_OK && !reached(log, lsn, sync)) {
            if (!log->leader)
                lead(log, false);
            else
                wait_for_batch(log);
        }
    }
    rc = log->error;
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int
mv_log_submit(mv_log *log, const uint8_t *frame, size_t nbytes, mv_sync sync)
{
    uint64_t lsn;
    int rc = mv_log_enqueue(log, frame, nbytes, sync, NULL, &lsn);

    return rc == CHORUS_OK ? mv_log_wait(log, lsn, sync) : rc;
}

int
mv_log_flush(mv_log *log, bool sync)
{
    int rc;

    pthread_mutex_lock(&log->mu);
    uint64_t target = log->enq_lsn;
    if (sync && log->want_sync_lsn < target)
        log->want_sync_lsn = target;
    while (log->error == CHORUS_OK && (sync ? log->synced_lsn : log->written_lsn) < target) {
        if (!log->leader)
            lead(log, sync);
        else
            wait_for_batch(log);
    }
    rc = log->error;
    pthread_mutex_unlock(&log->mu);
    return rc;
}

int
mv_log_sync(mv_log *log)
{
    return mv_log_flush(log, true);
}

int
mv_log_append(mv_log *log, uint64_t commit_ts, const mv_log_record *records, uint32_t n_records,
              mv_sync sync)
{
    mv_frame_buf fb = {0};
    int rc = mv_frame_begin(&fb);

    for (uint32_t i = 0; rc == CHORUS_OK && i < n_records; i++)
        rc = mv_frame_add(&fb, &records[i]);
    if (rc == CHORUS_OK)
        rc = mv_frame_finish(&fb, MV_LOG_FRAME_COMMIT, commit_ts);
    if (rc == CHORUS_OK)
        rc = mv_log_submit(log, fb.data, fb.len, sync);
    free(fb.data);
    return rc;
}

int
mv_log_checkpoint(mv_log *log, uint64_t ts, mv_sync sync)
{
    mv_frame_buf fb = {0};
    int rc = mv_frame_begin(&fb);

    if (rc == CHORUS_OK)
        rc = mv_frame_finish(&fb, MV_LOG_FRAME_CHECKPOINT, ts);
    if (rc == CHORUS_OK)
        rc = mv_log_submit(log, fb.data, fb.len, sync == MV_SYNC_OFF ? MV_SYNC_OFF : MV_SYNC_FULL);
    free(fb.data);
    return rc;
}

/* --- open, reset, close ----------------------------------------------------------- */

/* Writes a fresh header with salt at offset 0, cutting the file to it. */
static int
header_write(int fd, uint64_t salt)
{
    uint8_t hdr[MV_LOG_HEADER_SIZE];

    if (mv_log_io_calls.ftruncate(fd, 0) != 0)
        return CHORUS_IOERR_TRUNCATE;
    if (mv_log_io_calls.fdatasync(fd) != 0)
        return CHORUS_IOERR_FSYNC;
    mv_log_header_encode(hdr, salt);
    int rc = mv_log_pwrite_all(fd, hdr, sizeof hdr, 0);
    if (rc == CHORUS_OK && mv_log_io_calls.fdatasync(fd) != 0)
        rc = CHORUS_IOERR_FSYNC;
    return rc;
}

int
mv_log_reset(mv_log *log)
{
    int rc = mv_log_sync(log);
    uint64_t salt = mv_log_salt_new();

    if (rc != CHORUS_OK)
        return rc;
    pthread_mutex_lock(&log->mu);
    while (log->leader || log->written_lsn < log->enq_lsn) {
        if (!log->leader)
            lead(log, true);
        else
            pthread_cond_wait(&log->cv, &log->mu);
        if (log->error != CHORUS_OK)
            break;
    }
    rc = log->error;
    if (rc == CHORUS_OK) {
        /* Frames enqueued from now on go to the new generation (W1). */
        log->leader = true;
        log->lsn_delta = MV_LOG_HEADER_SIZE - (int64_t)log->enq_lsn;
        log->base_bytes = MV_LOG_HEADER_SIZE;
        log->alloc_end = MV_LOG_HEADER_SIZE;
        /* Release: pairs with mv_log_salt()'s acquire in enqueue. */
        atomic_store_explicit(&log->salt, salt, memory_order_release);
        pthread_mutex_unlock(&log->mu);
        rc = header_write(log->fd, salt);
        int err = errno;
        pthread_mutex_lock(&log->mu);
        if (rc != CHORUS_OK) {
            log->error = rc;
            log->error_errno = err;
        }
        log->leader = false;
        wake_waiters(log);
    }
    pthread_mutex_unlock(&log->mu);
    return rc;
}

/* --- checkpoint lock (W5) and commit fence (W6) ------------------------------------ */

bool
mv_log_checkpoint_lock(mv_log *log, bool wait)
{
    if (wait)
        return pthread_mutex_lock(&log->ckpt_mu) == 0;
    return pthread_mutex_trylock(&log->ckpt_mu) == 0;
}

void
mv_log_checkpoint_unlock(mv_log *log)
{
    pthread_mutex_unlock(&log->ckpt_mu);
}

void
mv_log_commit_enter(mv_log *log)
{
    for (;;) {
        /* Seq_cst (W6): our count is in the total order before our load of
         * commits_held; the holder stores the flag before loading counts. */
        atomic_fetch_add_explicit(&log->n_commits_in, 1, memory_order_seq_cst);
        if (!atomic_load_explicit(&log->commits_held, memory_order_seq_cst))
            return;
        mv_log_commit_leave(log);
        pthread_mutex_lock(&log->mu);
        while (atomic_load_explicit(&log->commits_held, memory_order_seq_cst))
            pthread_cond_wait(&log->cv, &log->mu);
        pthread_mutex_unlock(&log->mu);
    }
}

void
mv_log_commit_leave(mv_log *log)
{
    /* Seq_cst (W6): a holder that loaded our count before this decrement
     * stored its flag before, so we see the flag and wake it. */
    atomic_fetch_sub_explicit(&log->n_commits_in, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&log->commits_held, memory_order_seq_cst)) {
        pthread_mutex_lock(&log->mu);
        wake_waiters(log);
        pthread_mutex_unlock(&log->mu);
    }
}

void
mv_log_commits_hold(mv_log *log)
{
    pthread_mutex_lock(&log->mu);
    atomic_store_explicit(&log->commits_held, true, memory_order_seq_cst);
    while (atomic_load_explicit(&log->n_commits_in, memory_order_seq_cst) > 0)
        pthread_cond_wait(&log->cv, &log->mu);
    pthread_mutex_unlock(&log->mu);
}

void
mv_log_commits_release(mv_log *log)
{
    pthread_mutex_lock(&log->mu);
    atomic_store_explicit(&log->commits_held, false, memory_order_seq_cst);
    wake_waiters(log);
    pthread_mutex_unlock(&log->mu);
}

/* --- the truncation gate (W4; log_rewrite.c drives it) ----------------------------- */

const char *
mv_log_path(const mv_log *log)
{
    return log->path;
}

bool
mv_log_checkpoint_due(mv_log *log, int64_t threshold)
{
    bool due;

    pthread_mutex_lock(&log->mu);
    due = threshold > 0 && (int64_t)log->enq_lsn + log->lsn_delta - log->base_bytes >= threshold;
    pthread_mutex_unlock(&log->mu);
    return due;
}

bool
mv_log_is_empty(mv_log *log)
{
    return mv_log_size(log) <= MV_LOG_HEADER_SIZE;
}

int64_t
mv_log_size(mv_log *log)
{
    int64_t size;

    pthread_mutex_lock(&log->mu);
    size = (int64_t)log->enq_lsn + log->lsn_delta;
    pthread_mutex_unlock(&log->mu);
    return size;
}

void
mv_log_written_extent(mv_log *log, int *fd_out, uint64_t *salt_out, int64_t *end_out)
{
    pthread_mutex_lock(&log->mu);
    *fd_out = log->fd;
    *salt_out = atomic_load_explicit(&log->salt, memory_order_relaxed);
    *end_out = (int64_t)log->written_lsn + log->lsn_delta;
    pthread_mutex_unlock(&log->mu);
}

int
mv_log_gate_enter(mv_log *log, uint64_t new_salt, int *fd_out, int64_t *end_out)
{
    int rc;

    pthread_mutex_lock(&log->mu);
    while (log->error == CHORUS_OK && (log->leader || log->written_lsn < log->enq_lsn)) {
        if (!log->leader)
            lead(log, false);
        else
            pthread_cond_wait(&log->cv, &log->mu);
    }
    rc = log->error;
    if (rc == CHORUS_OK) {
        log->leader = true;                 /* W4: held until mv_log_gate_leave() */
        *fd_out = log->fd;
        *end_out = (int64_t)log->written_lsn + log->lsn_delta;
        /* Release: pairs with mv_log_salt()'s acquire in enqueue; frames
         * enqueued from now on are sealed for the new file. */
        atomic_store_explicit(&log->salt, new_salt, memory_order_release);
    }
    pthread_mutex_unlock(&log->mu);
    return rc;
}

void
mv_log_gate_leave(mv_log *log, int new_fd, int64_t new_end, int rc)
{
    int old_fd = -1, err = errno;       /* the failure's, when rc is one (IO3) */

    pthread_mutex_lock(&log->mu);
    if (rc == CHORUS_OK) {
        old_fd = log->fd;
        log->fd = new_fd;
        /* Nothing was written while the gate was held, so written_lsn is
         * where the new file's valid bytes end; all of them are synced. */
        log->lsn_delta = new_end - (int64_t)log->written_lsn;
        log->base_bytes = new_end;
        log->alloc_end = new_end;
        log->synced_lsn = log->written_lsn;
        log->unsynced_bytes = 0;
    } else {
        log->error = rc;                    /* W3 */
        log->error_errno = err;
    }
    log->leader = false;
    wake_waiters(log);
    pthread_mutex_unlock(&log->mu);
    if (old_fd >= 0)
        close(old_fd);
}

void
mv_log_gate_cancel(mv_log *log, uint64_t old_salt)
{
    pthread_mutex_lock(&log->mu);
    /* The frames held back were sealed for the dropped file: seal them
     * again for the old one. Release: pairs with mv_log_salt()'s acquire. */
    mv_frames_reseal(log->buf[log->cur], log->len, old_salt);
    atomic_store_explicit(&log->salt, old_salt, memory_order_release);
    log->leader = false;
    wake_waiters(log);
    pthread_mutex_unlock(&log->mu);
}

uint64_t
mv_log_cut_ts(const mv_log *log)
{
    return log->cut_ts;
}

void
mv_log_set_cut_ts(mv_log *log, uint64_t ts)
{
    log->cut_ts = ts;
}

char *
mv_log_errmsg(mv_log *log)
{
    char *msg = NULL;

    pthread_mutex_lock(&log->mu);
    if ((log->error & 0xff) == CHORUS_IOERR || log->error == CHORUS_FULL)
        msg = mv_log_io_errmsg(log->error, log->error_errno, log->path);
    pthread_mutex_unlock(&log->mu);
    return msg;
}

static bool
uring_wanted(const mv_log_options *opts)
{
    const char *env = getenv("CHORUS_URING");

    if (env != NULL && strcmp(env, "0") == 0)
        return false;
    return opts == NULL || opts->use_uring;
}

/* Makes the file end at the valid prefix: a fresh header or a cut tail. */
static int
prepare_file(int fd, const mv_log_recovery *rec, bool fresh, uint64_t *salt)
{
    if (fresh) {
        *salt = mv_log_salt_new();
        return header_write(fd, *salt);
    }
    if (rec->torn_tail) {
        if (mv_log_io_calls.ftruncate(fd, rec->end_offset) != 0)
            return CHORUS_IOERR_TRUNCATE;
        if (mv_log_io_calls.fdatasync(fd) != 0)
            return CHORUS_IOERR_FSYNC;
    }
    return CHORUS_OK;
}

int
mv_log_open(const char *path, const mv_log_options *opts, mv_log_replay_fn replay, void *ctx,
            mv_log_recovery *rec_out, mv_log **out)
{
    mv_log_recovery rec;
    mv_log *log = NULL;
    uint64_t salt = 0;
    bool fresh = false;
    int fd, rc;

    *out = NULL;
    mv_log_rewrite_discard(path);
    fd = mv_log_io_calls.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return CHORUS_CANTOPEN;
    rc = mv_log_scan_fd(fd, replay, ctx, &rec, &salt, &fresh);
    if (rc == CHORUS_OK)
        rc = prepare_file(fd, &rec, fresh, &salt);
    if (rc == CHORUS_OK && (log = calloc(1, sizeof *log)) == NULL)
        rc = CHORUS_NOMEM;
    if (rc == CHORUS_OK && (log->path = strdup(path)) == NULL)
        rc = CHORUS_NOMEM;
    if (rc != CHORUS_OK) {
        free(log);
        close(fd);
        return rc;
    }
    if (fresh)
        rec.end_offset = MV_LOG_HEADER_SIZE;
    log->fd = fd;
    log->normal_sync_bytes = opts != NULL && opts->normal_sync_bytes > 0 ? opts->normal_sync_bytes
                                                                         : 4 * 1024 * 1024;
    pthread_mutex_init(&log->mu, NULL);
    pthread_cond_init(&log->cv, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&log->fill_cv, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&log->ckpt_mu, NULL);
    atomic_init(&log->salt, salt);
    log->lsn_delta = rec.end_offset;
    log->base_bytes = rec.end_offset;
    log->alloc_end = fresh || rec.torn_tail ? rec.end_offset : rec.alloc_end;
    if (uring_wanted(opts) && mv_uring_open(&log->uring) != CHORUS_OK)
        log->uring = NULL;  /* refused (seccomp, old kernel): pwrite fallback */
    if (rec_out != NULL)
        *rec_out = rec;
    *out = log;
    return CHORUS_OK;
}

int
mv_log_close(mv_log *log)
{
    int rc;

    if (log == NULL)
        return CHORUS_OK;
    rc = mv_log_sync(log);
    /* W10: a closed log ends at its last frame; the cut needs no sync, as
     * zeros left by a crash end the log as well. */
    int64_t end = (int64_t)log->written_lsn + log->lsn_delta;
    if (rc == CHORUS_OK && log->alloc_end > end && mv_log_io_calls.ftruncate(log->fd, end) != 0)
        rc = CHORUS_IOERR_TRUNCATE;
    mv_uring_close(log->uring);
    close(log->fd);
    pthread_mutex_destroy(&log->mu);
    pthread_cond_destroy(&log->cv);
    pthread_cond_destroy(&log->fill_cv);
    pthread_mutex_destroy(&log->ckpt_mu);
    free(log->buf[0]);
    free(log->buf[1]);
    free(log->path);
    free(log);
    return rc;
}

void
mv_log_get_stats(mv_log *log, mv_log_stats *out)
{
    pthread_mutex_lock(&log->mu);
    *out = log->stats;
    pthread_mutex_unlock(&log->mu);
}
