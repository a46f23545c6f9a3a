/*
 * core/pager/wal_index.c: the in-memory WAL index: which frame holds which
 * page. This is the heap replacement for SQLite's -shm wal-index (we run in
 * exclusive locking mode, README R3).
 *
 * Layout: three arrays indexed by frame number (1-based) give each frame's
 * page, the previous frame of the same page and, for commit frames, the
 * database size. An open-addressing table maps a page number to its newest
 * frame. Finding the newest frame <= mark for a page starts at the newest
 * frame and walks the per-page chain backwards, so the newest snapshot finds
 * its frame at once and an old snapshot walks past the frames it cannot see.
 *
 * Invariants
 *   I1  frame_prev[f] < f, and frame_pgno[frame_prev[f]] == frame_pgno[f].
 *   I2  For each page with frames, its slot holds the newest frame
 *       (<= n_frames), or 0 after wal_index_truncate() removed all of them.
 *   I3  Slots are never removed, only set to frame 0, so probe chains stay
 *       intact; wal_index_clear() empties the table.
 *
 * Locking: the caller holds the pager mutex (pager_int.h).
 * Ownership: the index owns its arrays.
 * Callers: wal.c (recovery), pager.c (commit, restart, lookups),
 * checkpoint.c.
 */
#include "pager_int.h"

#include <stdlib.h>
#include <string.h>

void
wal_index_init(wal_index *ix)
{
    memset(ix, 0, sizeof *ix);
}

void
wal_index_free(wal_index *ix)
{
    free(ix->frame_pgno);
    free(ix->frame_prev);
    free(ix->frame_dbsize);
    free(ix->slot_pgno);
    free(ix->slot_frame);
    wal_index_init(ix);
}

void
wal_index_clear(wal_index *ix)
{
    ix->n_frames = 0;
    ix->n_used = 0;
    if (ix->n_slots > 0) {
        memset(ix->slot_pgno, 0, ix->n_slots * sizeof *ix->slot_pgno);
        memset(ix->slot_frame, 0, ix->n_slots * sizeof *ix->slot_frame);
    }
}

static uint32_t
slot_hash(uint32_t pgno, uint32_t n_slots)
{
    return (pgno * 2654435761u) & (n_slots - 1);
}

/* The slot holding pgno, or the empty slot where it would go. */
static uint32_t
slot_find(const wal_index *ix, uint32_t pgno)
{
    uint32_t i = slot_hash(pgno, ix->n_slots);
    while (ix->slot_pgno[i] != 0 && ix->slot_pgno[i] != pgno)
        i = (i + 1) & (ix->n_slots - 1);
    return i;
}

static int
slots_grow(wal_index *ix)
{
    uint32_t n = ix->n_slots ? ix->n_slots * 2 : 256;
    uint32_t *old_pgno = ix->slot_pgno;
    uint32_t *old_frame = ix->slot_frame;
    uint32_t old_n = ix->n_slots;
    uint32_t *np = calloc(n, sizeof *np);
    uint32_t *nf = calloc(n, sizeof *nf);

    if (np == NULL || nf == NULL) {
        free(np);
        free(nf);
        return CHORUS_NOMEM;
    }
    ix->slot_pgno = np;
    ix->slot_frame = nf;
    ix->n_slots = n;
    for (uint32_t i = 0; i < old_n; i++) {
        if (old_pgno[i] != 0) {
            uint32_t s = slot_find(ix, old_pgno[i]);
            ix->slot_pgno[s] = old_pgno[i];
            ix->slot_frame[s] = old_frame[i];
        }
    }
    free(old_pgno);
    free(old_frame);
    return CHORUS_OK;
}

static int
frames_grow(wal_index *ix)
{
    uint32_t cap = ix->cap ? ix->cap * 2 : 1024;
    uint32_t *a = realloc(ix->frame_pgno, cap * sizeof *a);
    if (a == NULL)
        return CHORUS_NOMEM;
    ix->frame_pgno = a;
    a = realloc(ix->frame_prev, cap * sizeof *a);
    if (a == NULL)
        return CHORUS_NOMEM;
    ix->frame_prev = a;
    a = realloc(ix->frame_dbsize, cap * sizeof *a);
    if (a == NULL)
        return CHORUS_NOMEM;
    ix->frame_dbsize = a;
    ix->cap = cap;
    return CHORUS_OK;
}

int
wal_index_append(wal_index *ix, uint32_t pgno, uint32_t dbsize)
{
    uint32_t f = ix->n_frames + 1;
    uint32_t s;
    int rc;

    if (f >= ix->cap && (rc = frames_grow(ix)) != CHORUS_OK)
        return rc;
    if ((ix->n_used + 1) * 2 > ix->n_slots && (rc = slots_grow(ix)) != CHORUS_OK)
        return rc;
    s = slot_find(ix, pgno);
    if (ix->slot_pgno[s] == 0) {
        ix->slot_pgno[s] = pgno;
        ix->n_used++;
    }
    ix->frame_pgno[f] = pgno;
    ix->frame_prev[f] = ix->slot_frame[s];          /* I1 */
    ix->frame_dbsize[f] = dbsize;
    ix->slot_frame[s] = f;                          /* I2 */
    ix->n_frames = f;
    return CHORUS_OK;
}

void
wal_index_truncate(wal_index *ix, uint32_t n_frames)
{
    while (ix->n_frames > n_frames) {
        uint32_t f = ix->n_frames;
        uint32_t s = slot_find(ix, ix->frame_pgno[f]);
        ix->slot_frame[s] = ix->frame_prev[f];      /* I2, I3 */
        ix->n_frames--;
    }
}

uint32_t
wal_index_find(const wal_index *ix, uint32_t pgno, uint32_t mark)
{
    uint32_t f;

    if (ix->n_slots == 0 || mark == 0)
        return 0;
    f = ix->slot_frame[slot_find(ix, pgno)];
    while (f > mark)
        f = ix->frame_prev[f];
    return f;
}
