/*
 * mvcc/log_gather.c: how long a group-commit leader waits for the batch to
 * fill before it writes and syncs (mvcc R12, log_writer.c W7).
 *
 * Without a wait, committers that loop (commit, run the next transaction,
 * commit again) split into two cohorts that alternate: the ones released by
 * one fsync come back while the next fsync already runs, so every fsync
 * carries half of them. When an fsync costs much more than a transaction,
 * letting the leader wait for the committers the previous batch released
 * doubles what one fsync carries.
 *
 * The record keeps who enqueued into the batch now filling (cur) and into
 * the batch taken before it (prev); a committer is an opaque identity (its
 * transaction object, reused across its transactions). The leader of cur
 * waits while members of prev have not enqueued again, and at most half the
 * recent sync time (never when syncs are cheap: then the wake-ups would
 * cost more than the syncs they save).
 *
 * Invariants
 *   G1  prev_back[i] is set at most once per batch; n_back counts them, so
 *       n_back <= n_prev and missing = n_prev - n_back.
 *   G2  A batch with more than MV_GATHER_MAX committers, or with one that
 *       gave no identity, is not tracked (n_prev = 0 afterwards): nobody
 *       waits for it.
 *   G3  The wait never exceeds MV_GATHER_MAX_WAIT_NS nor half the average
 *       sync time, and is zero below MV_GATHER_MIN_SYNC_NS.
 *
 * Locking: none here; the log's mu guards the record (log_writer.c).
 * Callers: mvcc/log_writer.c.
 */
#include <string.h>

#include "mvcc_int.h"

enum {
    MV_GATHER_MIN_SYNC_NS = 50 * 1000,      /* cheaper syncs: no wait (G3) */
    MV_GATHER_MAX_WAIT_NS = 2 * 1000 * 1000
};

void
mv_gather_note(mv_log_gather *g, const void *committer)
{
    if (committer == NULL || g->n_cur >= MV_GATHER_MAX) {
        g->cur_untracked = true;            /* G2 */
    } else {
        g->cur[g->n_cur++] = committer;
    }
    for (uint32_t i = 0; committer != NULL && i < g->n_prev; i++) {
        if (g->prev[i] == committer && !g->prev_back[i]) {
            g->prev_back[i] = true;         /* G1 */
            g->n_back++;
            break;
        }
    }
}

void
mv_gather_swap(mv_log_gather *g)
{
    g->n_prev = g->cur_untracked ? 0 : g->n_cur;        /* G2 */
    memcpy(g->prev, g->cur, g->n_prev * sizeof g->prev[0]);
    memset(g->prev_back, 0, g->n_prev * sizeof g->prev_back[0]);
    g->n_back = 0;
    g->n_cur = 0;
    g->cur_untracked = false;
}

uint32_t
mv_gather_missing(const mv_log_gather *g)
{
    return g->n_prev - g->n_back;
}

int64_t
mv_gather_wait_ns(const mv_log_gather *g)
{
    int64_t ns = g->sync_ns_avg / 2;

    if (g->sync_ns_avg < MV_GATHER_MIN_SYNC_NS || mv_gather_missing(g) == 0)
        return 0;
    return ns < MV_GATHER_MAX_WAIT_NS ? ns : MV_GATHER_MAX_WAIT_NS;    /* G3 */
}

void
mv_gather_sync_took(mv_log_gather *g, int64_t ns)
{
    /* An average over about the last eight syncs. */
    g->sync_ns_avg = g->sync_ns_avg == 0 ? ns : g->sync_ns_avg + (ns - g->sync_ns_avg) / 8;
}
