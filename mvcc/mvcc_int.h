/*
 * mvcc/mvcc_int.h: struct layouts and functions shared by the files of the
 * mvcc module only. Nothing outside mvcc/ includes it.
 *
 * Rules cited as "mvcc Rn" live in mvcc/README.md.
 */
#ifndef CHORUS_MVCC_INT_H
#define CHORUS_MVCC_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <ck_epoch.h>

#include "mvcc.h"

/* --- stamps (mvcc R1) ------------------------------------------------------ */

/*
 * A stamp is a 64-bit word in a version's begin or end field:
 *   bit 63 clear: a commit timestamp (< MV_TS_LIMIT), or MV_STAMP_INF;
 *   bit 63 set:   a transaction id: slot index in bits 0..19, the slot's
 *                 generation in bits 20..62.
 * MV_STAMP_INF compares above every timestamp: "never" as a begin (an aborted
 * version), "still current" as an end.
 */
#define MV_STAMP_TXID_BIT (UINT64_C(1) << 63)
#define MV_STAMP_INF (MV_STAMP_TXID_BIT - 1)
#define MV_TS_LIMIT (UINT64_C(1) << 62)
#define MV_SLOT_BITS 20
#define MV_SLOT_MASK ((UINT64_C(1) << MV_SLOT_BITS) - 1)

static inline bool mv_stamp_is_txid(uint64_t s) { return (s & MV_STAMP_TXID_BIT) != 0; }
static inline uint32_t mv_stamp_slot(uint64_t s) { return (uint32_t)(s & MV_SLOT_MASK); }
static inline uint64_t
mv_stamp_make_txid(uint32_t slot, uint64_t generation)
{
    return MV_STAMP_TXID_BIT | (generation << MV_SLOT_BITS) | slot;
}

/* --- transaction slots (mvcc R2) ------------------------------------------- */

/* Transaction states in the low two bits of mv_slot.state; the commit
 * timestamp sits above them (state >> 2). PREPARING with timestamp 0 means
 * "taking its timestamp now" (mvcc R6). */
enum {
    MV_TX_ACTIVE = 0,
    MV_TX_PREPARING = 1,
    MV_TX_COMMITTED = 2,
    MV_TX_ABORTED = 3
};
#define MV_STATE(kind, ts) (((uint64_t)(ts) << 2) | (uint64_t)(kind))
#define MV_STATE_KIND(w) ((int)((w) & 3))
#define MV_STATE_TS(w) ((w) >> 2)

/* mv_slot.snapshot when no transaction is open, and while one takes it. */
#define MV_SNAP_NONE UINT64_MAX
#define MV_SNAP_PENDING (UINT64_MAX - 1)

#define MV_SLOTS_PER_CHUNK 256
#define MV_SLOT_CHUNKS 64

/* One transaction slot, owned by one mv_tx from mv_tx_new() to mv_tx_free(). */
typedef struct mv_slot {
    _Atomic uint64_t id;        /* stamp of the slot's current or last transaction;
                                   written by the owner only (mvcc R2) */
    _Atomic uint64_t state;     /* MV_STATE(kind, ts) of that transaction; owner writes */
    _Atomic uint64_t snapshot;  /* live snapshot ts or MV_SNAP_*; owner writes, GC reads */
    _Atomic uint32_t in_use;    /* claimed by an mv_tx (CAS 0 -> 1) */
    char pad[64 - 3 * sizeof(uint64_t) - sizeof(uint32_t)];
} mv_slot;

/* What a transaction-id stamp resolves to (mvcc R2). */
typedef struct mv_resolved {
    int kind;                   /* MV_TX_* or MV_RESOLVE_STALE */
    uint64_t ts;                /* commit timestamp for PREPARING/COMMITTED (0: pending) */
} mv_resolved;
#define MV_RESOLVE_STALE 4

mv_slot *mv_slot_get(mv_db *db, uint32_t index);

/* clock.c */
uint64_t mv_clock_tick(mv_db *db);
uint64_t mv_clock_snapshot(mv_db *db, mv_slot *slot);
mv_resolved mv_stamp_resolve(mv_db *db, uint64_t stamp);

/* --- versions and nodes ------------------------------------------------------ */

enum { MV_KIND_ROW = 1, MV_KIND_TOMBSTONE = 2 };

/*
 * One version of a row or index entry (mvcc R4). After publication only
 * begin, end and older change: begin and end by the writing transaction
 * (commit or abort rewrite, mvcc R7) and by the superseding one (end);
 * older by GC under the node's gc_busy flag (mvcc R11).
 */
typedef struct mv_version {
    _Atomic uint64_t begin;             /* stamp: creator */
    _Atomic uint64_t end;               /* stamp: superseder, MV_STAMP_INF while newest */
    struct mv_version *_Atomic older;   /* next older version; NULL at the tail */
    uint32_t nbytes;                    /* immutable */
    uint8_t kind;                       /* MV_KIND_*; immutable */
    _Alignas(8) uint8_t data[];         /* record bytes (tables), 8-aligned; empty for indexes */
} mv_version;

#define MV_MAX_HEIGHT 20
#define MV_HEAD_SEALED ((uintptr_t)1)   /* in mv_node.head: the node is being removed */
#define MV_LINK_MARK ((uintptr_t)1)     /* in mv_node.next[i]: unlinking at that level */

/*
 * A skiplist node: one key (rowid, or key bytes + rowid) and its version
 * chain. Key fields are immutable. Nodes are removed only by GC (mvcc R11c).
 */
typedef struct mv_node {
    _Atomic uintptr_t head;     /* newest version, | MV_HEAD_SEALED once removed */
    int64_t rowid;
    uint32_t key_len;           /* index key bytes follow next[height] */
    uint8_t height;
    _Atomic uint8_t linked;     /* 1 once linked on every level (inserter writes) */
    _Atomic uint8_t gc_busy;    /* try-lock for GC, rollback and sealing of this chain */
    _Atomic uintptr_t next[];   /* height links, each | MV_LINK_MARK when unlinking */
} mv_node;

static inline const uint8_t *
mv_node_key(const mv_node *n)
{
    return (const uint8_t *)&n->next[n->height];
}

static inline mv_version *
mv_node_head(mv_node *n)
{
    /* Acquire: the version's fields, written before the publishing CAS,
     * are visible (pairs with the release CAS in chain_publish()). */
    return (mv_version *)(atomic_load_explicit(&n->head, memory_order_acquire) & ~MV_HEAD_SEALED);
}

/* --- maps: one per table and one per index ------------------------------------ */

typedef struct mv_map {
    mv_db *db;                  /* owner; immutable */
    uint32_t id;                /* table or index id; immutable */
    bool is_index;              /* immutable */
    char *name;                 /* owned; immutable */
    mv_key_compare compare;     /* indexes; immutable */
    mv_key_compare same_unique; /* indexes: one UNIQUE key (mv_index_open_prefix); NULL:
                                   equal key bytes; immutable */
    void *compare_ctx;
    mv_node *head;              /* sentinel, MV_MAX_HEIGHT links; owned */
    _Atomic int64_t max_rowid;  /* rowid allocator (mvcc R10) */
    bool dropped;               /* guarded by db->mu: the table or index is gone (store.c D1) */
    ck_epoch_entry_t reclaim;   /* a dropped map's retirement (store.c D3) */
    uint64_t dropped_at;        /* guarded by db->mu: first timestamp without it (R21) */
    uint64_t valid_from;        /* immutable: snapshots below it must not use the map (R21) */
} mv_map;

struct mv_table {
    mv_map map;
};
struct mv_index {
    mv_map map;
};

/* A search key: rowid alone for tables, key bytes + rowid for indexes. */
typedef struct mv_key {
    const uint8_t *bytes;
    uint32_t nbytes;
    int64_t rowid;
} mv_key;

int mv_map_init(mv_map *map, mv_db *db, uint32_t id, bool is_index, const char *name,
                mv_key_compare compare, mv_key_compare same_unique, void *compare_ctx);
void mv_map_destroy(mv_map *map);       /* frees every node and version; quiescent only */
/* Retires (through tx's epoch record) every dropped map that no snapshot
 * can reach: dropped_at <= oldest, the oldest live snapshot or, when it is
 * older, the horizon of the same set (store.c D3). Returns how many. */
uint32_t mv_db_reclaim_dropped(mv_tx *tx, uint64_t oldest);

/* skiplist.c */
int mv_skip_compare(const mv_map *map, const mv_node *n, const mv_key *k);
mv_node *mv_skip_find(mv_map *map, const mv_key *k);    /* live node with key k, or NULL */
mv_node *mv_skip_seek_ge(mv_map *map, const mv_key *k); /* first live node >= k */
mv_node *mv_skip_seek_lt(mv_map *map, const mv_key *k); /* last live node < k */
mv_node *mv_skip_first(mv_map *map);
mv_node *mv_skip_last(mv_map *map);
mv_node *mv_skip_next(mv_map *map, mv_node *n);         /* next live node after n */
mv_node *mv_skip_node_new(const mv_key *k, mv_version *head);
/* Links node (built by mv_skip_node_new) unless a live node with its key
 * exists: returns node itself, or the existing node (node is then unused). */
mv_node *mv_skip_insert(mv_map *map, mv_node *node);
/* One search: the live node with key k, or a new node with head linked
 * (*inserted_out); NULL on no memory. */
mv_node *mv_skip_find_or_insert(mv_map *map, const mv_key *k, mv_version *head,
                                bool *inserted_out);
/* GC only: unlinks a sealed node from every level; the caller retires it. */
void mv_skip_remove(mv_map *map, mv_node *node);

/* --- transactions --------------------------------------------------------- */

/* One write of a transaction, in order. */
typedef struct mv_write {
    mv_map *map;
    mv_node *node;
    mv_version *version;        /* ours */
    mv_version *superseded;     /* the version whose end we set, or NULL */
    bool check_unique;          /* re-check the key at commit (mvcc R9) */
} mv_write;

/* A batch of retired versions and nodes, freed together after a grace period. */
#define MV_RETIRE_BATCH 62
typedef struct mv_retire_bag {
    ck_epoch_entry_t entry;
    mv_db *db;
    uint32_t n;
    void *items[MV_RETIRE_BATCH];       /* mv_version *, or mv_node * | 1 */
} mv_retire_bag;

struct mv_tx {
    mv_db *db;                          /* immutable */
    mv_slot *slot;                      /* claimed in mv_tx_new(); immutable */
    uint32_t slot_index;
    ck_epoch_record_t *epoch;           /* owned; registered with db->epoch */
    uint64_t generation;                /* of the slot's current transaction id */
    uint64_t id;                        /* txid stamp of the open transaction */
    uint64_t snapshot;
    uint64_t commit_ts;                 /* of the last commit */
    uint64_t end_ts;                    /* while committing */
    bool is_open;
    mv_outcome doom;                    /* MV_OK, or why the transaction is doomed */
    mv_write *writes;                   /* owned; reused across transactions */
    uint32_t n_writes;
    uint32_t cap_writes;
    struct mv_frame_buf *frame;         /* owned log frame buffer, reused */
    mv_retire_bag *bag;                 /* owned; filling */
    uint32_t n_retired_since_poll;
    bool is_exclusive;                  /* holds the exclusive writer gate (mvcc R20) */
    bool changes_schema;                /* commit publishes a schema change (mvcc R21) */
    bool base_ahead;                    /* the B-tree holds our writes: full_ckpt_seq odd (R21) */
    int busy_ms;                        /* how long gate waits last (mv_tx_set_wait) */
    const _Atomic int *interrupt;       /* borrowed; a set flag ends gate waits */
    /* The write that lost at commit (mvcc R9), for the message: its map's
     * kind and name and its key, copied (owned, reused across transactions:
     * the map may be dropped and reclaimed once our snapshot is released,
     * store.c D3). */
    bool has_lost;
    bool lost_is_index;
    char *lost_name;
    int64_t lost_rowid;
    uint8_t *lost_key;
    uint32_t lost_key_len;
    uint32_t lost_key_cap;
};

/* tx.c */
void mv_tx_doom(mv_tx *tx, mv_outcome why);
/* mvcc R20: the exclusive writer tx aborts the ACTIVE transaction whose id
 * is stamp; true when that transaction is now aborted (or already over). */
bool mv_tx_wound(mv_tx *tx, uint64_t stamp);
/* Whether another transaction wounded tx (its slot says ABORTED while tx
 * still runs): it must doom itself (mvcc R20). */
bool mv_tx_is_wounded(const mv_tx *tx);
/* Makes room for one more write record; CHORUS_OK or CHORUS_NOMEM. */
int mv_tx_write_reserve(mv_tx *tx);
void mv_epoch_enter(mv_tx *tx);
void mv_epoch_leave(mv_tx *tx);
/* Hands v (unlinked) or a node (unlinked, tag 1) to tx's retire bag. */
void mv_retire(mv_tx *tx, void *item);
void mv_retire_flush(mv_tx *tx);
void mv_free_item(mv_db *db, void *item);

/* chain.c */
mv_version *mv_version_new(mv_db *db, uint8_t kind, const void *data, uint32_t nbytes);
void mv_version_free(mv_db *db, mv_version *v);
/* The visible version of node for tx (or NULL) and its outcome (mvcc R5). */
mv_outcome mv_chain_read(mv_tx *tx, mv_node *node, mv_version **out);
/* Newest version not aborted (or NULL), and its creator's resolution. */
mv_version *mv_chain_effective(mv_tx *tx, mv_node *node, uintptr_t *head_out);
/* GC (mvcc R11): v is aborted and its creator will not touch it again. */
bool mv_version_is_aborted(mv_db *db, mv_version *v);
/* Waits out a PREPARING owner (mvcc R6); returns the final resolution. */
mv_resolved mv_stamp_settle(mv_db *db, _Atomic uint64_t *field, uint64_t stamp,
                            uint64_t snapshot);

enum mv_write_op { MV_OP_INSERT, MV_OP_UPDATE, MV_OP_DELETE };
mv_outcome mv_chain_write(mv_tx *tx, mv_map *map, const mv_key *k, enum mv_write_op op,
                          uint8_t kind, const void *data, uint32_t nbytes, bool check_unique);

/* conflict.c */
mv_outcome mv_unique_check_insert(mv_tx *tx, mv_map *map, const mv_key *k);
mv_outcome mv_unique_check_commit(mv_tx *tx, const mv_write *w);

/* gc.c */
typedef struct mv_snapset {
    ck_epoch_entry_t entry;
    uint64_t horizon;           /* clock when computed: later snapshots are >= it */
    uint32_t n;
    uint64_t snaps[];           /* live snapshots, ascending */
} mv_snapset;
void mv_gc_prune_chain(mv_tx *tx, mv_map *map, mv_node *node, const mv_snapset *set);
void mv_gc_after_commit(mv_tx *tx);
void mv_gc_free_snapset(mv_snapset *set);

/* --- the database ------------------------------------------------------------- */

/*
 * Per-row statistics, striped: a thread counts in the stripe its first
 * count chose (round robin), so writers on different cores do not bounce
 * one cache line per row; mv_db_stats() sums the stripes. Relaxed: a sum is
 * exact only while the store is quiet.
 */
enum { MV_COUNT_STRIPES = 16 };
typedef struct mv_count_stripe {
    _Atomic int64_t n_versions;         /* allocated, not yet freed */
    _Atomic int64_t n_versions_live;    /* linked into chains */
    _Atomic int64_t n_nodes;            /* map nodes linked */
    _Atomic int64_t bytes_versions;
    char pad[64 - 4 * sizeof(int64_t)]; /* a stripe per cache line (at most two per line
                                           where malloc aligns to 16) */
} mv_count_stripe;
mv_count_stripe *mv_count_stripe_here(mv_db *db);
#define MV_COUNT(db, field, delta) \
    atomic_fetch_add_explicit(&mv_count_stripe_here(db)->field, (delta), memory_order_relaxed)

struct mv_db {
    _Atomic uint64_t clock;             /* newest commit timestamp handed out (mvcc R3) */
    ck_epoch_t epoch;                   /* the reclamation domain */
    pthread_mutex_t mu;                 /* guards slot chunk creation and the map registry */
    mv_slot *_Atomic slot_chunks[MV_SLOT_CHUNKS];   /* created under mu, never freed before close */
    mv_map **maps;                      /* guarded by mu; dropped ones leave when reclaimed
                                           (store.c D3) */
    uint32_t n_maps;
    uint32_t cap_maps;
    _Atomic uint32_t n_dropped;         /* dropped maps still registered (written under mu) */
    pthread_mutex_t gc_mu;              /* try-locked by a full GC pass and a snapset refresh */
    mv_snapset *_Atomic snapset;        /* newest live-snapshot set; retired through epochs */
    _Atomic uint64_t checkpoint_ts;     /* the B-tree holds every commit <= this, and every
                                           live snapshot's B-tree view does too (R11c) */
    /* The newest checkpoint not yet in checkpoint_ts (gc.c G5): its timestamp
     * and the clock tick taken after its B-tree commit; visible_at 0: none.
     * Written by the checkpointer only (one at a time), read under gc_mu. */
    _Atomic uint64_t ckpt_pending_ts;
    _Atomic uint64_t ckpt_pending_visible_at;
    _Atomic uint32_t commits_since_snapset;
    mv_log *_Atomic log;                /* attached log, borrowed */
    /* The exclusive writer gate (mvcc R20). exclusive is set and cleared
     * under gate_mu (seq_cst stores: a committer's seq_cst increment of
     * n_committing and its load of exclusive, against the writer's store of
     * exclusive and its load of n_committing, cannot both miss each other). */
    pthread_mutex_t gate_mu;
    pthread_cond_t gate_cv;             /* broadcast when exclusive is cleared */
    mv_tx *_Atomic exclusive;           /* the exclusive writer, or NULL */
    _Atomic uint32_t n_committing;      /* concurrent commits between gate and publish */
    _Atomic uint64_t schema_ts;         /* commit timestamp of the newest schema change (R21) */
    _Atomic uint64_t full_ckpt_seq;     /* odd while a schema change's checkpoint runs (R21) */
    _Atomic uint64_t last_commit_ts;    /* newest published commit (the clock also moves
                                           without commits: aborted ones, checkpoints) */
    ck_epoch_record_t **records;        /* guarded by mu; every epoch record made, owned */
    uint32_t n_records;
    uint32_t cap_records;
    /* Statistics; relaxed: nothing is ordered by them. */
    mv_count_stripe counts[MV_COUNT_STRIPES];   /* per-row counts (MV_COUNT) */
    _Atomic int64_t n_commits;
    _Atomic int64_t n_aborts;
};

/* Snapshot of the registered maps (malloc()ed array, free() it). */
int mv_db_maps(mv_db *db, mv_map ***out, uint32_t *n_out);
mv_map *mv_db_map_by_id(mv_db *db, uint32_t id, bool is_index);

/* --- log (log_format.c, log_writer.c, log_uring.c, log_recover.c) ------------ */

#define MV_LOG_HEADER_SIZE 32
#define MV_LOG_FRAME_HEADER 20
#define MV_LOG_FRAME_TRAILER 4
#define MV_LOG_RECORD_HEADER 17
enum { MV_LOG_FRAME_COMMIT = 1, MV_LOG_FRAME_CHECKPOINT = 2 };

uint32_t mv_crc32c(uint32_t crc, const void *data, size_t n);
void mv_log_header_encode(uint8_t *out, uint64_t salt);
int mv_log_header_decode(const uint8_t *in, size_t n, uint64_t *salt_out);
/* Frame building into a growable buffer: begin reserves the header, each
 * record is appended, finish writes the header fields and the checksum. */
typedef struct mv_frame_buf {
    uint8_t *data;              /* owned by whoever owns the frame_buf */
    size_t len;
    size_t cap;
    uint32_t n_records;
} mv_frame_buf;
int mv_frame_begin(mv_frame_buf *fb);
int mv_frame_add(mv_frame_buf *fb, const mv_log_record *r);
/* The log record of version v of node in map (mvcc R12, R17): the op, the
 * object, the rowid and the bytes (borrowed from node and v). */
void mv_log_record_of(const mv_map *map, const mv_node *node, const mv_version *v,
                      mv_log_record *out);
int mv_frame_finish(mv_frame_buf *fb, int kind, uint64_t ts);
/* Writes the checksum of a finished frame under the log's salt (mvcc R14). */
void mv_frame_seal(uint8_t *frame, size_t nbytes, uint64_t salt);
/* Seals again, under salt, the finished frames lying back to back in
 * frames[0..nbytes) (log_writer.c: frames held back by a dropped rewrite). */
void mv_frames_reseal(uint8_t *frames, size_t nbytes, uint64_t salt);
/* Checks the frame at buf (avail bytes): 1 valid (fills *frame, *kind,
 * *size), 0 torn or corrupt. */
int mv_frame_parse(const uint8_t *buf, size_t avail, uint64_t salt, mv_log_frame *frame,
                   int *kind, uint32_t *size);

uint64_t mv_log_salt(const mv_log *log);
/* Scans an open log file (log_recover.c): *fresh_out when it has no valid
 * header yet (empty, or a header torn before anything followed it). */
int mv_log_scan_fd(int fd, mv_log_replay_fn replay, void *ctx, mv_log_recovery *out,
                   uint64_t *salt_out, bool *fresh_out);
/* How long a group-commit leader waits for its batch to fill
 * (log_gather.c; the log's mu guards it). */
#define MV_GATHER_MAX 64
typedef struct mv_log_gather {
    const void *cur[MV_GATHER_MAX];     /* committers of the batch filling now */
    uint32_t n_cur;
    bool cur_untracked;
    const void *prev[MV_GATHER_MAX];    /* committers of the batch taken before it */
    bool prev_back[MV_GATHER_MAX];      /* ... that enqueued again since */
    uint32_t n_prev;
    uint32_t n_back;
    int64_t sync_ns_avg;                /* recent write + sync time */
} mv_log_gather;
/* An enqueue by committer (NULL: unknown) into the filling batch. */
void mv_gather_note(mv_log_gather *g, const void *committer);
/* The filling batch is taken by its leader. */
void mv_gather_swap(mv_log_gather *g);
/* Committers of the previous batch not back yet. */
uint32_t mv_gather_missing(const mv_log_gather *g);
/* How long the leader may still wait for them (0: write now). */
int64_t mv_gather_wait_ns(const mv_log_gather *g);
/* A batch's write and sync took ns. */
void mv_gather_sync_took(mv_log_gather *g, int64_t ns);

/* Enqueues a finished frame (bytes copied) and waits as sync says (mvcc R12). */
int mv_log_submit(mv_log *log, const uint8_t *frame, size_t nbytes, mv_sync sync);
/* Reserves the frame's place without waiting; returns the lsn to wait for.
 * committer identifies who commits (the same for all of one connection's
 * transactions; NULL: unknown) so a leader can wait for it (W7). */
int mv_log_enqueue(mv_log *log, const uint8_t *frame, size_t nbytes, mv_sync sync,
                   const void *committer, uint64_t *lsn_out);
int mv_log_wait(mv_log *log, uint64_t lsn, mv_sync sync);
/* A fresh random salt for a new log generation (mvcc R14). */
uint64_t mv_log_salt_new(void);

/* The truncation gate (log_writer.c, used by log_rewrite.c; one rewrite at a
 * time, the caller serialises them):
 *   mv_log_written_extent  the fd, salt and file end of what is written now;
 *   mv_log_gate_enter      writes out everything enqueued, then holds the
 *                          leader role (no batch is written; commits still
 *                          enqueue) and makes new_salt the salt of every
 *                          frame enqueued from now on; returns the old fd
 *                          and the file end, which no longer moves;
 *   mv_log_gate_leave      with rc == CHORUS_OK switches the writer to
 *                          new_fd whose valid bytes end at new_end (the
 *                          frames held back follow them) and closes the old
 *                          fd; otherwise (the rename happened, the switch
 *                          is not durable) fails the log for good (mvcc R13);
 *   mv_log_gate_cancel     drops a rewrite before its rename: old_salt (the
 *                          old file's) comes back, the frames held back are
 *                          sealed again under it, the old fd stays;
 *   mv_log_set_cut_ts      records the mark a rewrite cut the file at
 *                          (mv_log_cut_ts, mvcc.h). */
void mv_log_written_extent(mv_log *log, int *fd_out, uint64_t *salt_out, int64_t *end_out);
int mv_log_gate_enter(mv_log *log, uint64_t new_salt, int *fd_out, int64_t *end_out);
void mv_log_gate_leave(mv_log *log, int new_fd, int64_t new_end, int rc);
void mv_log_gate_cancel(mv_log *log, uint64_t old_salt);
void mv_log_set_cut_ts(mv_log *log, uint64_t ts);
const char *mv_log_path(const mv_log *log);
/* Removes a <path>-new left by a rewrite that a crash interrupted before its
 * rename (log_rewrite.c); the log at path is then the whole truth. */
void mv_log_rewrite_discard(const char *path);

/* Walks the valid frames of fd in [from, to) under salt (log_recover.c):
 * fn gets each frame, its kind and its raw bytes (borrowed for the call);
 * *end_out is where the valid frames end (< to when one was bad). */
typedef int (*mv_log_raw_fn)(void *ctx, int kind, const mv_log_frame *frame,
                             const uint8_t *raw, uint32_t size);
int mv_log_scan_range(int fd, uint64_t salt, int64_t from, int64_t to, mv_log_raw_fn fn,
                      void *ctx, int64_t *end_out);

/* io_uring writer (log_uring.c). */
typedef struct mv_uring mv_uring;
/* CHORUS_OK, or CHORUS_CANTOPEN when io_uring is missing or refused. */
int mv_uring_open(mv_uring **out);
void mv_uring_close(mv_uring *u);
/* Writes n bytes at off, then (with sync) fdatasyncs, as one linked chain. */
int mv_uring_write(mv_uring *u, int fd, const void *buf, size_t n, int64_t off, bool sync);

#endif /* CHORUS_MVCC_INT_H */
