/*
 * mvcc/mvcc.h: the MVCC module's surface: clock and transactions, the
 * version store (tables and indexes), conflicts, garbage collection and the
 * logical log <db>-log with group commit and recovery.
 *
 * Rules cited as "mvcc Rn" live in mvcc/README.md.
 *
 * Objects and lifetimes
 *   mv_db      one per database; owns the clock, the transaction slots, the
 *              epoch domain and every table and index map. Thread-safe.
 *   mv_tx      one per connection, reused for each of its transactions
 *              (begin, reads and writes, commit or rollback). Used by one
 *              thread at a time. It holds the connection's epoch record.
 *   mv_table   the version map of one table (rowid -> version chain).
 *   mv_index   the version map of one index ((key bytes, rowid) -> entry).
 *              An entry may carry a row (keyed rows: a WITHOUT ROWID
 *              table's map, key = its PRIMARY KEY, rowid 0; mv_index_put_row).
 *              Tables and indexes are owned by their mv_db; the pointers
 *              returned by mv_table_open()/mv_index_open() are borrowed until
 *              mv_db_close().
 *   mv_cursor  an ordered walk over one table or index map under a
 *              transaction's snapshot; keeps an epoch section open until
 *              mv_cursor_close().
 *   mv_log     the logical log; may be attached to an mv_db so that commits
 *              append frames to it.
 *
 * Outcomes. Expected MVCC results (visible, absent, lost the write race) are
 * mv_outcome values, not result codes; mv_outcome_rc() turns one into a
 * result code and a message naming the table and the row or key.
 *
 * Thread rule: mv_db, mv_table, mv_index and mv_log calls are thread-safe;
 * an mv_tx and its cursors belong to one thread at a time.
 */
#ifndef CHORUS_MVCC_H
#define CHORUS_MVCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

typedef struct mv_db mv_db;
typedef struct mv_tx mv_tx;
typedef struct mv_table mv_table;
typedef struct mv_index mv_index;
typedef struct mv_cursor mv_cursor;
typedef struct mv_log mv_log;

/* --- outcomes ------------------------------------------------------------ */

typedef enum mv_outcome {
    MV_OK = 0,              /* the write is published (uncommitted) */
    MV_ROW,                 /* read: a row version is visible */
    MV_DELETED,             /* read: a delete is visible; the row does not exist */
    MV_ABSENT,              /* read: the store has nothing visible; ask the B-tree */
    MV_EXISTS,              /* insert: a visible row or key already exists */
    MV_NOT_FOUND,           /* update/delete: the store shows the row deleted */
    MV_CONFLICT_ACTIVE,     /* another transaction holds an uncommitted write (mvcc R8) */
    MV_CONFLICT_COMMITTED,  /* another transaction committed after our snapshot (mvcc R8) */
    MV_CONFLICT_UNIQUE,     /* commit: a concurrent transaction committed the same key (mvcc R9) */
    MV_CONFLICT_SCHEMA,     /* commit: the schema changed after our snapshot (mvcc R21) */
    MV_CONFLICT_WOUNDED,    /* an exclusive writer took over a row we wrote (mvcc R20) */
    MV_DOOMED,              /* the transaction already lost a conflict; roll it back */
    MV_NOMEM                /* out of memory; nothing was published */
} mv_outcome;

/*
 * Turns an outcome into a result code: MV_OK, MV_ROW, MV_DELETED, MV_ABSENT
 * -> CHORUS_OK; MV_EXISTS -> CHORUS_CONSTRAINT; MV_NOT_FOUND ->
 * CHORUS_INTERNAL (the caller read the row first); conflicts and MV_DOOMED ->
 * CHORUS_CONFLICT (MV_CONFLICT_SCHEMA: CHORUS_CONFLICT_SCHEMA, whose primary
 * code is CHORUS_CONFLICT); MV_NOMEM -> CHORUS_NOMEM. When msg_out is not NULL it
 * receives a malloc()ed message (free() it; NULL for the OK outcomes or when
 * out of memory) naming the object and key, e.g.
 * "conflict: row 42 of table orders was changed by a concurrent transaction".
 * key_text describes the key of an index outcome (NULL: "a key").
 */
int mv_outcome_rc(mv_outcome outcome, const char *object_kind, const char *object_name,
                  int64_t rowid, const char *key_text, char **msg_out);
/* The enum name of an outcome ("MV_CONFLICT_ACTIVE"); static text. */
const char *mv_outcome_name(mv_outcome outcome);

/* --- database, clock, transactions --------------------------------------- */

/*
 * Creates an empty MVCC database object with its clock at first_ts (the
 * highest commit timestamp already applied, 0 for a fresh one; recovery
 * passes the highest replayed timestamp). *out is owned: mv_db_close().
 * Returns CHORUS_OK or CHORUS_NOMEM.
 */
int mv_db_open(uint64_t first_ts, mv_db **out);
/* Frees everything. Every mv_tx must be freed first. NULL is harmless. */
void mv_db_close(mv_db *db);
/* The current clock value: the newest commit timestamp handed out. */
uint64_t mv_db_clock(mv_db *db);
/*
 * Forgets the map of a dropped table (is_index false) or index id: later
 * mv_table_open()/mv_index_open() calls for id (a reused root page) get a
 * new, empty map; checkpoints and GC no longer visit the old one. Its
 * memory is freed once no snapshot older than the drop remains and every
 * epoch section of that time has ended (store.c D3), so cursors still on
 * it stay valid.
 * Only by the exclusive writer, after every commit of the map is in the
 * B-tree (store README, schema changes).
 */
void mv_db_drop_map(mv_db *db, uint32_t id, bool is_index);
/* The same for every map (VACUUM renumbers every tree). */
void mv_db_drop_maps(mv_db *db);
/*
 * Whether tx may read and write through a map (mvcc R21): false when the map
 * replaced a dropped one and tx's snapshot is older than the drop (the
 * caller reports a schema change); the exclusive writer that dropped it may.
 */
bool mv_table_usable(const mv_table *table, const mv_tx *tx);
bool mv_index_usable(const mv_index *index, const mv_tx *tx);
/*
 * Attaches (log != NULL) or detaches the logical log: from now on every
 * committing write transaction appends one frame to it (mvcc R12). The log
 * stays owned by the caller and must outlive the attachment.
 */
void mv_db_attach_log(mv_db *db, mv_log *log);

/* Synchronous levels for mv_tx_commit() (PRAGMA synchronous). */
typedef enum mv_sync {
    MV_SYNC_OFF = 0,        /* return after the frame is queued */
    MV_SYNC_NORMAL = 1,     /* return after the frame is written (no fsync) */
    MV_SYNC_FULL = 2        /* return after the frame is written and fsynced */
} mv_sync;

/*
 * Creates the transaction context of one connection; it claims one
 * transaction slot (mvcc R2) until mv_tx_free(). *out is owned.
 * Returns CHORUS_OK, CHORUS_NOMEM, or CHORUS_BUSY when every slot is taken.
 */
int mv_tx_new(mv_db *db, mv_tx **out);
/* Frees it; an open transaction is rolled back first. NULL is harmless. */
void mv_tx_free(mv_tx *tx);
/* Frees the memory of a context whose mv_db is already closed (it was not
 * open then), touching nothing of that mv_db. NULL is harmless. */
void mv_tx_discard(mv_tx *tx);
/* Starts a transaction: takes the snapshot (mvcc R3). CHORUS_MISUSE if one is open. */
int mv_tx_begin(mv_tx *tx);
/*
 * Commits: a write transaction other than the exclusive writer first waits
 * while one is open (mvcc R20); then validates the schema timestamp (R21)
 * and UNIQUE keys (mvcc R9), appends the frame to the attached log,
 * publishes the commit timestamp and waits as sync says (mvcc R12).
 * Returns CHORUS_OK, CHORUS_CONFLICT (the transaction is rolled back; see
 * mv_tx_conflict_outcome()), CHORUS_BUSY or CHORUS_INTERRUPT (the gate wait
 * ended, mv_tx_set_wait(); rolled back), CHORUS_NOMEM (rolled back), or a
 * CHORUS_IOERR code when the log failed after the commit became visible
 * (mvcc R13: the log is then failed for good). The transaction is over in
 * every case.
 */
int mv_tx_commit(mv_tx *tx, mv_sync sync);
/* Rolls back every write of the open transaction; harmless when none is open. */
void mv_tx_rollback(mv_tx *tx);
/*
 * Savepoints (mvcc R18): mv_tx_savepoint() marks the writes made so far;
 * mv_tx_rollback_to() undoes every write after the mark (a failed statement
 * inside a transaction), leaving the transaction open and its snapshot as
 * it was. Marks stay valid while the writes before them stand; a doomed
 * transaction has nothing left to undo.
 */
uint32_t mv_tx_savepoint(const mv_tx *tx);
void mv_tx_rollback_to(mv_tx *tx, uint32_t mark);
bool mv_tx_is_open(const mv_tx *tx);
/* The snapshot timestamp of the open transaction (mvcc R3). */
uint64_t mv_tx_snapshot(const mv_tx *tx);
/* The commit timestamp of the last committed transaction of tx, 0 if none. */
uint64_t mv_tx_commit_ts(const mv_tx *tx);
/* The outcome that doomed the transaction (MV_OK when it is not doomed). */
mv_outcome mv_tx_conflict_outcome(const mv_tx *tx);
/*
 * After a commit lost its UNIQUE check (mv_tx_conflict_outcome() is
 * MV_CONFLICT_UNIQUE): the write that lost, for the message: whether it is
 * an index entry, its map's name (borrowed until mv_db_close()), rowid and
 * key bytes (*key_out NULL when unknown; borrowed until the next
 * mv_tx_begin()). false when there is no such write.
 */
bool mv_tx_conflict_where(const mv_tx *tx, bool *is_index_out, const char **name_out,
                          int64_t *rowid_out, const void **key_out, uint32_t *nkey_out);

/*
 * Exclusive writers (mvcc R20): BEGIN IMMEDIATE/EXCLUSIVE, and BEGIN
 * DEFERRED from its first write. One transaction at a time holds the gate;
 * it never loses a write conflict (it wounds concurrent transactions whose
 * uncommitted writes are in its way), and while it is open every other
 * committing write transaction waits in mv_tx_commit().
 *
 * mv_tx_set_wait() sets how long gate waits of tx last (busy_ms; 0 or less:
 * fail at once) and the flag that ends them early (interrupt, borrowed, may
 * be NULL): a wait returns CHORUS_BUSY or CHORUS_INTERRUPT when it ends so.
 * mv_tx_begin_exclusive() waits for the gate and for the commits already
 * past it, then begins (so its snapshot sees every commit).
 * mv_tx_make_exclusive() takes the gate for the open transaction; when a
 * commit happened after its snapshot it gives the gate back and returns
 * CHORUS_BUSY_SNAPSHOT (SQLite's answer to a stale deferred writer).
 * mv_tx_wait_exclusive() waits until no other transaction holds the gate
 * (an explicit COMMIT calls it first, so that CHORUS_BUSY leaves its
 * transaction open). The gate is given back when the transaction ends.
 */
void mv_tx_set_wait(mv_tx *tx, int busy_ms, const _Atomic int *interrupt);
int mv_tx_begin_exclusive(mv_tx *tx);
int mv_tx_make_exclusive(mv_tx *tx);
int mv_tx_wait_exclusive(mv_tx *tx);
bool mv_tx_is_exclusive(const mv_tx *tx);

/*
 * Schema changes (mvcc R21): the exclusive transaction that changes the
 * schema marks itself; its commit (writes or not) takes a timestamp and
 * records it as the schema timestamp. A write transaction whose snapshot is
 * older fails at commit with MV_CONFLICT_SCHEMA. mv_db_schema_ts() is the
 * newest schema timestamp (0: none since open).
 */
void mv_tx_mark_schema_change(mv_tx *tx);
uint64_t mv_db_schema_ts(mv_db *db);
/*
 * The checkpoint before a schema change, and every online checkpoint
 * (core/store/mvcc_mode.c MM6), write commits newer than older live
 * snapshots into the B-tree. Each is bracketed by
 * mv_db_full_checkpoint_mark() (the count is odd while it runs, the second
 * call after the B-tree commit; brackets never interleave): a transaction
 * that read an even count before its snapshot and the same count after its
 * B-tree snapshot began knows its B-tree holds nothing newer than its
 * snapshot; otherwise it begins again.
 */
void mv_db_full_checkpoint_mark(mv_db *db);
uint64_t mv_db_full_checkpoint_seq(mv_db *db);
/*
 * The schema change's commit puts its own writes into the B-tree before its
 * version store commit (core/vm/mvcc_mode.c VM4): mv_tx_mark_base_ahead()
 * makes the count odd before that B-tree commit, and tx's mv_tx_commit()
 * (or mv_tx_rollback()) makes it even again before the gate opens, so no
 * transaction begins with a B-tree that holds writes its snapshot lacks.
 */
void mv_tx_mark_base_ahead(mv_tx *tx);

/* --- tables ---------------------------------------------------------------- */

/*
 * The version map of table id (the integration uses the B-tree root page or
 * a table number; it is what the log records). Created on first use.
 * Borrowed: valid until mv_db_close(). name (copied) names the table in
 * conflict messages. Returns CHORUS_OK or CHORUS_NOMEM.
 */
int mv_table_open(mv_db *db, uint32_t id, const char *name, mv_table **out);
const char *mv_table_name(const mv_table *table);
uint32_t mv_table_id(const mv_table *table);

/*
 * Rowid allocator (mvcc R10): mv_table_rowid_next() returns a rowid no other
 * caller got, above every rowid passed to mv_table_rowid_seen(). Seed it once
 * with the B-tree's largest rowid and tell it every explicit rowid.
 */
int64_t mv_table_rowid_next(mv_table *table);
void mv_table_rowid_seen(mv_table *table, int64_t rowid);

/*
 * Writes (mvcc R4, R8). rec (nbytes) is the row's record, copied. Outcomes:
 * MV_OK; MV_EXISTS (insert: a visible row exists in the store; the B-tree is
 * the caller's to check); MV_NOT_FOUND (update/delete of a row the store
 * shows deleted); MV_CONFLICT_* (the transaction is now doomed: every later
 * call returns MV_DOOMED until mv_tx_rollback() or mv_tx_commit());
 * MV_DOOMED; MV_NOMEM.
 */
mv_outcome mv_table_insert(mv_tx *tx, mv_table *table, int64_t rowid, const void *rec,
                           uint32_t nbytes);
mv_outcome mv_table_update(mv_tx *tx, mv_table *table, int64_t rowid, const void *rec,
                           uint32_t nbytes);
mv_outcome mv_table_delete(mv_tx *tx, mv_table *table, int64_t rowid);
/*
 * Reads row rowid under the snapshot (mvcc R5): MV_ROW with *rec_out and
 * *nbytes_out set (borrowed: valid until the transaction ends), MV_DELETED,
 * MV_ABSENT (ask the B-tree) or MV_DOOMED.
 */
mv_outcome mv_table_get(mv_tx *tx, mv_table *table, int64_t rowid, const void **rec_out,
                        uint32_t *nbytes_out);

/* --- indexes ------------------------------------------------------------- */

/*
 * Orders index key bytes (without the rowid): <0, 0, >0. The integration
 * passes a record comparison under the index's collations; NULL compares
 * bytes (memcmp, then length).
 */
typedef int (*mv_key_compare)(void *ctx, const void *a, uint32_t na, const void *b, uint32_t nb);

/* The version map of index id, created on first use; as mv_table_open(). */
int mv_index_open(mv_db *db, uint32_t id, const char *name, mv_key_compare compare,
                  void *compare_ctx, mv_index **out);
/*
 * The same for an index whose UNIQUE key is the leading part of its key
 * bytes rather than all of them (an index of a WITHOUT ROWID table ends its
 * entries with PRIMARY KEY columns, not a rowid; its entries use rowid 0):
 * same_unique(compare_ctx, a, na, b, nb) is 0 when key bytes a and b hold
 * one UNIQUE key, and such keys must be adjacent in compare's order. The
 * UNIQUE checks (mvcc R9) then look at every other entry with that key.
 * The first open of id decides (replay passes it too, mv_replay_map_fn).
 */
int mv_index_open_prefix(mv_db *db, uint32_t id, const char *name, mv_key_compare compare,
                         mv_key_compare same_unique, void *compare_ctx, mv_index **out);
const char *mv_index_name(const mv_index *index);

/*
 * Adds or removes the entry (key, rowid) (mvcc R4, R8). With is_unique,
 * mv_index_insert() first checks the key against other rowids: a visible
 * entry gives MV_EXISTS, a concurrent uncommitted or newer one a conflict;
 * the key is checked again at commit (mvcc R9). Outcomes as for tables.
 */
mv_outcome mv_index_insert(mv_tx *tx, mv_index *index, const void *key, uint32_t nbytes,
                           int64_t rowid, bool is_unique);
mv_outcome mv_index_delete(mv_tx *tx, mv_index *index, const void *key, uint32_t nbytes,
                           int64_t rowid);
/*
 * Keyed rows (a WITHOUT ROWID table's map): inserts the row rec (nrec > 0
 * bytes, copied) under key (rowid 0) as the key's new version; a delete is
 * mv_index_delete(). One chain per key, so writers of one PRIMARY KEY meet
 * at one CAS (mvcc R8): an insert over a visible row is MV_EXISTS, a key
 * another transaction wrote after our snapshot or still holds conflicts.
 * Reads: mv_cursor_row() returns the row. Logged as MV_LOG_KEYED_PUT.
 */
mv_outcome mv_index_put_row(mv_tx *tx, mv_index *index, const void *key, uint32_t nkey,
                            const void *rec, uint32_t nrec);

/* --- cursors --------------------------------------------------------------- */

/*
 * An ordered walk over the keys the store holds for a table or index under
 * tx's snapshot. Every key with a version chain is visited, each with its
 * visibility outcome (MV_ROW, MV_DELETED or MV_ABSENT), so the caller can
 * merge it with the B-tree (a store key hides the B-tree's row unless
 * MV_ABSENT). The cursor keeps tx's epoch section open: close it before the
 * transaction ends. *out is owned: mv_cursor_close(). CHORUS_NOMEM.
 */
int mv_cursor_open_table(mv_tx *tx, mv_table *table, mv_cursor **out);
int mv_cursor_open_index(mv_tx *tx, mv_index *index, mv_cursor **out);
void mv_cursor_close(mv_cursor *cur);
/*
 * Suspend leaves the cursor's epoch section (a cursor kept between
 * statements must not hold back reclamation) and forgets its position;
 * resume enters it again. A suspended cursor may only be resumed or
 * closed; a resumed one must be positioned before it is read.
 */
void mv_cursor_suspend(mv_cursor *cur);
void mv_cursor_resume(mv_cursor *cur);
/* Positions on the first key >= rowid (tables) / >= (key, rowid) (indexes);
 * false when there is none. */
bool mv_cursor_seek_rowid(mv_cursor *cur, int64_t rowid);
bool mv_cursor_seek_key(mv_cursor *cur, const void *key, uint32_t nbytes, int64_t rowid);
bool mv_cursor_first(mv_cursor *cur);
bool mv_cursor_last(mv_cursor *cur);
bool mv_cursor_next(mv_cursor *cur);
bool mv_cursor_prev(mv_cursor *cur);
bool mv_cursor_valid(const mv_cursor *cur);
int64_t mv_cursor_rowid(const mv_cursor *cur);
/* Index key bytes of the current entry; borrowed until the cursor closes. */
const void *mv_cursor_key(const mv_cursor *cur, uint32_t *nbytes_out);
/* Visibility of the current key under the snapshot; for MV_ROW on a table
 * (or a keyed row) rec_out and nbytes_out (either may be NULL) are borrowed
 * until the cursor closes (a plain index entry has 0 bytes). */
mv_outcome mv_cursor_row(mv_cursor *cur, const void **rec_out, uint32_t *nbytes_out);

/* --- garbage collection ---------------------------------------------------- */

/*
 * One full GC pass (mvcc R11): recomputes the set of live snapshots, prunes
 * every chain of every map of versions no live snapshot can see, and retires
 * them through epochs; versions whose grace period has passed are freed.
 * Runs in tx's thread (tx must not be open). Only one pass runs at a time;
 * a concurrent call returns at once. Commits also prune their own chains.
 */
void mv_gc_run(mv_tx *tx);
/*
 * The B-tree now holds every commit with timestamp <= ts (a checkpoint's
 * B-tree commit finished; call it after that commit). GC drops whole chains
 * at or below ts once every live snapshot began after this call (mvcc R11c):
 * only those read a B-tree that holds ts. One caller at a time.
 */
void mv_gc_set_checkpoint_ts(mv_db *db, uint64_t ts);

/* Statistics (relaxed counters; exact when the store is quiet). */
typedef struct mv_stats {
    int64_t n_versions;         /* versions allocated and not yet freed */
    int64_t n_versions_live;    /* versions linked into chains */
    int64_t n_nodes;            /* map nodes linked */
    int64_t bytes_versions;     /* bytes of version memory not yet freed */
    int64_t n_commits;
    int64_t n_aborts;
    int64_t n_maps;             /* maps registered, dropped ones not yet reclaimed included */
    int64_t n_maps_dropped;     /* of which dropped (mvcc R21) */
} mv_stats;
void mv_db_stats(mv_db *db, mv_stats *out);
/* Bytes one version of a payload of nbytes costs (header and payload). */
size_t mv_version_footprint(uint32_t nbytes);

/* --- logical log ------------------------------------------------------------ */

/* Record kinds in a log frame. */
typedef enum mv_log_op {
    MV_LOG_ROW_PUT = 1,         /* table row image: object, rowid, record */
    MV_LOG_ROW_DELETE = 2,      /* table row delete: object, rowid */
    MV_LOG_INDEX_PUT = 3,       /* index entry insert: object, rowid, key */
    MV_LOG_INDEX_DELETE = 4,    /* index entry or keyed row delete: object, rowid, key */
    MV_LOG_KEYED_PUT = 5        /* keyed row image (mv_index_put_row): object, key, record */
} mv_log_op;

/* One record of a recovered frame; data and key are borrowed from the frame. */
typedef struct mv_log_record {
    mv_log_op op;
    uint32_t object;            /* table or index id */
    int64_t rowid;              /* 0 for KEYED_PUT */
    const uint8_t *data;        /* record (ROW_PUT, KEYED_PUT) or key (INDEX_*); NULL for
                                   ROW_DELETE */
    uint32_t nbytes;
    const uint8_t *key;         /* KEYED_PUT: the key; else unused */
    uint32_t nkey;
} mv_log_record;

/* A recovered commit frame; bytes are borrowed for the callback's duration. */
typedef struct mv_log_frame {
    uint64_t commit_ts;
    uint32_t n_records;
    const uint8_t *records;     /* encoded records; walk with mv_log_frame_next() */
    uint32_t nbytes;
} mv_log_frame;

/*
 * Walks the records of a frame: *pos starts at 0. Returns 1 with *out filled,
 * 0 at the end, or CHORUS_CORRUPT when a record does not fit (a frame with a
 * good checksum whose records are malformed).
 */
int mv_log_frame_next(const mv_log_frame *frame, uint32_t *pos, mv_log_record *out);

/* Called once per committed frame in log order; non-OK stops recovery with that rc. */
typedef int (*mv_log_replay_fn)(void *ctx, const mv_log_frame *frame);

typedef struct mv_log_recovery {
    uint64_t checkpoint_ts;     /* from the newest checkpoint mark, 0 if none */
    uint64_t max_ts;            /* largest commit timestamp seen (replayed or not) */
    uint64_t n_frames;          /* commit frames handed to the callback */
    uint64_t n_skipped;         /* commit frames at or below checkpoint_ts */
    int64_t end_offset;         /* where the valid prefix ends; writing resumes here */
    int64_t alloc_end;          /* the file's end when only zeros (preallocated) follow the
                                   prefix, else end_offset */
    bool torn_tail;             /* bytes other than zeros after the valid prefix were ignored */
} mv_log_recovery;

typedef struct mv_log_options {
    int use_uring;              /* 1: try io_uring (fallback if refused); 0: pwrite */
    int64_t normal_sync_bytes;  /* NORMAL: fsync after this many unsynced bytes (0: 4 MiB) */
} mv_log_options;

/*
 * Opens (creating it if missing) the log at path, runs recovery on its
 * contents (replay may be NULL to only scan) and leaves it ready to append
 * after the valid prefix; a torn tail is cut off. opts may be NULL: io_uring
 * unless the environment says CHORUS_URING=0. *out is owned: mv_log_close().
 * rec_out (may be NULL) receives what recovery found. Returns CHORUS_OK,
 * CHORUS_CANTOPEN, CHORUS_NOTADB (the header is not a log's),
 * CHORUS_IOERR_*, CHORUS_NOMEM, or the callback's code.
 */
int mv_log_open(const char *path, const mv_log_options *opts, mv_log_replay_fn replay,
                void *ctx, mv_log_recovery *rec_out, mv_log **out);
/* Writes and fsyncs what is queued, then closes. Returns the sticky error, if any. */
int mv_log_close(mv_log *log);
/* Only scans path as mv_log_open() would, without opening it for writing;
 * out may be NULL. */
int mv_log_recover(const char *path, mv_log_replay_fn replay, void *ctx, mv_log_recovery *out);
/* Writes and fsyncs everything queued so far. */
int mv_log_sync(mv_log *log);
/* Writes everything queued so far, and fsyncs it when sync is set. */
int mv_log_flush(mv_log *log, bool sync);
/*
 * Appends a checkpoint mark: the B-tree holds every commit <= ts, so recovery
 * skips those frames. Synced before it returns, but with MV_SYNC_OFF (the
 * database's synchronous=OFF: the B-tree commit was not synced either),
 * which leaves it to the next leader like an OFF commit (mvcc R12).
 */
int mv_log_checkpoint(mv_log *log, uint64_t ts, mv_sync sync);
/* Empties the log (new salt, header only, synced). Only when every frame in
 * it is checkpointed and no commit is in flight. */
int mv_log_reset(mv_log *log);
/* Which writer runs: "io_uring" or "pwrite". Static text. */
const char *mv_log_backend(const mv_log *log);
/* Bytes of the log file once everything enqueued is written (header included). */
int64_t mv_log_size(mv_log *log);
/* No frame in the log, written or enqueued (only its header). */
bool mv_log_is_empty(mv_log *log);
/* Whether the log grew by threshold bytes (> 0) since it was opened or
 * last truncated: time for an automatic checkpoint. */
bool mv_log_checkpoint_due(mv_log *log, int64_t threshold);
/*
 * One checkpoint of the log's database at a time: takes the log's checkpoint
 * lock (waiting, or not: false when another holds it). Take it before the
 * pager's writer lock. mv_log_checkpoint_unlock() releases it.
 */
bool mv_log_checkpoint_lock(mv_log *log, bool wait);
void mv_log_checkpoint_unlock(mv_log *log);
/*
 * The commit fence: a commit that may append a frame runs between
 * mv_log_commit_enter() and mv_log_commit_leave() (enter waits while a
 * holder is in); mv_log_commits_hold() waits until no commit is between them
 * and keeps new ones out until mv_log_commits_release(), so the holder can
 * act on "the log is empty" (the stock-sqlite3 header guard). Never hold
 * commits while waiting for something a committer inside may hold.
 */
void mv_log_commit_enter(mv_log *log);
void mv_log_commit_leave(mv_log *log);
void mv_log_commits_hold(mv_log *log);
void mv_log_commits_release(mv_log *log);

/* What mv_log_truncate() did. */
typedef struct mv_log_truncation {
    int64_t n_frames;           /* commit frames the old file held */
    int64_t n_kept;             /* of which above the checkpoint: copied */
    int64_t bytes_after;        /* size of the new file when it took over */
} mv_log_truncation;

/*
 * Rewrites the log to hold only the commit frames above upto_ts (mvcc R19),
 * while commits keep arriving: <path>-new is filled, synced and renamed over
 * the log. The B-tree must durably hold every commit <= upto_ts and the mark
 * upto_ts must be in the log (mv_log_checkpoint) before the call; one
 * truncation at a time. out receives the counts. Returns CHORUS_OK,
 * CHORUS_CANTOPEN, CHORUS_NOMEM, CHORUS_FULL or CHORUS_IOERR_*: an error
 * before the rename drops the rewrite (its file is removed, the old log stays
 * in use, unharmed: the next checkpoint tries again), one after it fails the
 * log for good (mvcc R13).
 */
int mv_log_truncate(mv_log *log, uint64_t upto_ts, mv_log_truncation *out);
/* The checkpoint mark the log file was last cut at by mv_log_truncate (0
 * since open): a checkpoint truncates only above it (mvcc R19). Under the
 * log's checkpoint lock. */
uint64_t mv_log_cut_ts(const mv_log *log);

/* The message of the log's failure (mvcc R13) when it is an I/O error or a
 * full disk, naming the call, the log file and the reason, e.g. "disk I/O
 * error: writing the MVCC log <path>: No space left on device"; malloc()ed;
 * NULL when the log has not failed so (or no memory). */
char *mv_log_errmsg(mv_log *log);

typedef struct mv_log_stats {
    int64_t n_frames;           /* commit frames appended */
    int64_t n_writes;           /* write batches issued */
    int64_t n_syncs;            /* fdatasyncs issued */
    int64_t bytes;              /* bytes written */
} mv_log_stats;
void mv_log_get_stats(mv_log *log, mv_log_stats *out);

/*
 * Appends one commit frame built by the caller's records (used by tests and
 * by tools; commits build theirs from the write set). Waits as sync says.
 */
int mv_log_append(mv_log *log, uint64_t commit_ts, const mv_log_record *records,
                  uint32_t n_records, mv_sync sync);

/* --- replay of recovered frames (replay.c) ---------------------------------- */

/*
 * Tells replay how to open the map of a log object (a table when is_index
 * is false): its name for conflict messages (*name_out starts NULL: "table"
 * or "index"; borrowed until the next call) and, for an index, its key
 * comparisons (as mv_index_open_prefix() wants them; *same_unique_out
 * starts NULL: the whole key). Returns CHORUS_OK, or a code that stops the
 * replay (e.g. CHORUS_CORRUPT for an index the schema does not know).
 */
typedef int (*mv_replay_map_fn)(void *ctx, uint32_t object, bool is_index, const char **name_out,
                                mv_key_compare *compare_out, mv_key_compare *same_unique_out,
                                void **compare_ctx_out);

/*
 * Applies one recovered commit frame (from an mv_log_replay_fn) to db: each
 * record becomes a committed version stamped frame->commit_ts on top of its
 * key's chain (mvcc R16), table rowids feed the allocator (R10), and the
 * clock is raised to the frame's timestamp. Only during recovery: one thread,
 * no transaction open, frames in log order. map_fn (may be NULL) is asked
 * once per map replay creates. Returns CHORUS_OK, CHORUS_CORRUPT (a
 * malformed record), CHORUS_NOMEM, or map_fn's code.
 */
int mv_replay_frame(mv_db *db, const mv_log_frame *frame, mv_replay_map_fn map_fn, void *ctx);

/* --- checkpoint (checkpoint.c) ---------------------------------------------- */

/*
 * After recovery (mv_log_open on a store with its replayed frames): raises
 * the clock to the largest timestamp the log holds, replayed or not, and to
 * its checkpoint mark, so that later commits and marks sort above them; and
 * tells GC what the B-tree holds (mvcc R11c). Before any transaction.
 */
void mv_checkpoint_recovered(mv_db *db, const mv_log_recovery *rec);

/*
 * The newest commit timestamp a checkpoint may write into the B-tree now:
 * the oldest live snapshot, or the clock when none is live (mvcc R17).
 */
uint64_t mv_checkpoint_horizon(mv_db *db);

/* One key's state for the B-tree; rec borrows from the store (valid during
 * the call). Non-OK stops the scan with that code. */
typedef int (*mv_checkpoint_fn)(void *ctx, const mv_log_record *rec);

/*
 * Calls fn once for every key whose newest version committed at or below
 * upto_ts was committed above after_ts (the previous checkpoint): ROW_PUT /
 * INDEX_PUT / KEYED_PUT for a row or entry, ROW_DELETE / INDEX_DELETE for a
 * tombstone
 * (mvcc R17). tx (not open) lends its epoch record. Writers keep running.
 */
int mv_checkpoint_scan(mv_tx *tx, uint64_t after_ts, uint64_t upto_ts, mv_checkpoint_fn fn,
                       void *ctx);

/*
 * Calls fn once for every key the open transaction tx wrote, with its final
 * image as the commit's frame would hold it (writes to maps dropped since
 * are left out). The exclusive writer that changes the schema uses it to
 * put its own writes into the B-tree (core/vm/mvcc_mode.c VM4).
 */
int mv_tx_own_writes(const mv_tx *tx, mv_checkpoint_fn fn, void *ctx);

#endif /* CHORUS_MVCC_H */
