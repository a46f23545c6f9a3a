/*
 * core/store/store.h: the storage seam (DESIGN.md, "Layout"): one
 * transaction + cursor interface over table and index trees, with two
 * implementations underneath.
 *
 *   B-tree path  (single-writer WAL mode, the default): every call goes
 *                straight to btree.h inside the pager transaction; the only
 *                cost is one branch per call.
 *   MVCC path    (journal_mode=mvcc): a cursor merges the B-tree (the state
 *                as of the last checkpoint, read in the pager transaction)
 *                with the version store under the MVCC transaction's
 *                snapshot; writes go to the version store.
 * Above this seam no code knows which journal mode it runs in: a store_tx
 * whose mv is NULL takes the B-tree path.
 *
 * Rules
 *   S1  A cursor belongs to one store_tx and must be closed before its
 *       transaction ends (btree rule B1; on the MVCC path it also holds an
 *       epoch section of the MVCC transaction).
 *   S2  Moves, seeks and payloads keep btree.h's meaning (rules B2-B4),
 *       whichever path runs: the merged cursor shows exactly the rows visible
 *       to the snapshot, in key order, each once.
 *   S3  Index keys are B-tree index records (key columns, then the rowid) on
 *       both paths. In the version store an index entry is keyed by the key
 *       columns' record plus the rowid, so UNIQUE checks see one key across
 *       rowids (mvcc R9). WITHOUT ROWID trees (key_info layout, record.h)
 *       have no rowid: the table's entries are keyed by the PRIMARY KEY's
 *       columns and carry the row (mvcc keyed rows), its other indexes'
 *       entries by all their columns, UNIQUE on the leading ones (merge.c
 *       M6).
 *   S4  An MVCC write that loses a conflict returns CHORUS_CONFLICT and
 *       leaves a message naming the table or index and the row or key in the
 *       transaction (store_tx_errmsg); the MVCC transaction is then doomed
 *       (mvcc R7) until it is rolled back.
 *
 * Thread rule: a store_db is shared by every connection of a database and is
 * thread-safe; a store_tx and its cursors belong to one thread at a time.
 */
#ifndef CHORUS_STORE_H
#define CHORUS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "btree.h"
#include "common.h"
#include "mvcc.h"
#include "pager.h"
#include "record.h"

typedef struct store_db store_db;
typedef struct store_cursor store_cursor;

/*
 * The transaction a cursor reads and writes in. The connection owns it and
 * fills it as its transaction begins: pager is the pager transaction (read
 * or write; the B-tree base on the MVCC path), mv the open MVCC transaction
 * (NULL: the B-tree path), db the database's store. msg is owned: the
 * message of the last MVCC failure (S4), freed by store_tx_clear().
 */
typedef struct store_tx {
    store_db *db;
    pager_tx *pager;
    mv_tx *mv;
    char *msg;
} store_tx;

/* --- the database ------------------------------------------------------- */

/*
 * Creates the store of one database, in B-tree mode. *out is owned:
 * store_db_close(). Returns CHORUS_OK or CHORUS_NOMEM.
 */
int store_db_open(store_db **out);
/* Frees it (the attached mv_db stays the caller's). NULL is harmless. */
void store_db_close(store_db *db);
/*
 * Attaches the version store: cursors of transactions with an mv_tx then
 * take the MVCC path over it. mv is borrowed and must outlive the store_db
 * (or a later store_db_attach_mvcc(db, NULL)). Not while cursors are open.
 */
void store_db_attach_mvcc(store_db *db, mv_db *mv);
/* The attached version store, or NULL in B-tree mode. Borrowed. */
mv_db *store_db_mvcc(const store_db *db);

/* --- transactions -------------------------------------------------------- */

/* Fills tx for a new transaction (pager may be NULL until it starts). */
void store_tx_init(store_tx *tx, store_db *db, pager_tx *pager, mv_tx *mv);
/* Frees tx's message; the pager and MVCC transactions are the caller's. */
void store_tx_clear(store_tx *tx);
/*
 * Commits tx's MVCC transaction (mv_tx_commit()); a conflict returns
 * CHORUS_CONFLICT or CHORUS_CONFLICT_SCHEMA and leaves its message in tx
 * (S4: a lost UNIQUE key names its index and key).
 */
int store_tx_commit(store_tx *tx, mv_sync sync);
/* The message of the last MVCC failure (S4), "" if none. Borrowed until the
 * next store call on tx. */
const char *store_tx_errmsg(const store_tx *tx);

/* --- cursors --------------------------------------------------------------- */

/*
 * Opens a cursor on the tree at root (ki NULL: a table; else an index,
 * borrowed for the cursor's life). name (copied on first use) names the
 * table or index in conflict messages; NULL names it by root page. The
 * cursor starts unpositioned (eof). *out is owned: store_cursor_close().
 */
int store_cursor_open(store_tx *tx, uint32_t root, const key_info *ki, bool writable,
                      const char *name, store_cursor **out);
void store_cursor_close(store_cursor *cur);
/*
 * Suspend makes an open cursor hold nothing that blocks other transactions
 * (MVCC: its epoch section) so it may wait, unused, between statements of
 * its transaction; resume makes it usable again, unpositioned: its next use
 * must be a seek, a first/last or a write.
 */
void store_cursor_suspend(store_cursor *cur);
void store_cursor_resume(store_cursor *cur);

/* Moves; *eof_out is true when there is no entry there (btree.h). */
int store_first(store_cursor *cur, bool *eof_out);
int store_last(store_cursor *cur, bool *eof_out);
int store_next(store_cursor *cur, bool *eof_out);
int store_prev(store_cursor *cur, bool *eof_out);
bool store_eof(store_cursor *cur);

/* Seeks as btree_seek_rowid() / btree_seek_key() (enum btree_seek_op). */
int store_seek_rowid(store_cursor *cur, int64_t rowid, int op, bool *eof_out, bool *exact_out);
int store_seek_key(store_cursor *cur, const value *probe, int n, int op, bool *eof_out);

/* The rowid under a table cursor. */
int store_rowid(store_cursor *cur, int64_t *out);
/* The record (table) or index record (index) under the cursor. Borrowed
 * until the cursor moves, the tree changes, or the cursor closes. */
int store_payload(store_cursor *cur, const uint8_t **data_out, uint32_t *nbytes_out);

/* Table: inserts, or replaces the record at rowid; the cursor is left on it.
 * MVCC: CHORUS_CONFLICT per mvcc R8 (S4). */
int store_insert(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes);
/* Table: inserts at rowid unless a row has it (then *taken_out, nothing
 * written, the cursor on that row): the B-tree path checks and writes in
 * one seek. */
int store_insert_new(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes,
                     bool *taken_out);
/* Index: inserts the index record key. unique: the index is UNIQUE, so on
 * the MVCC path the key is also checked against concurrent transactions
 * (mvcc R9; the caller has checked what its snapshot sees). */
int store_index_insert(store_cursor *cur, const uint8_t *key, uint32_t nbytes, bool unique);
/* Deletes the entry under the cursor (btree rule B3). */
int store_delete(store_cursor *cur);
/* Entries visible in the tree. */
int store_count(store_cursor *cur, int64_t *out);
/* Whether the cursor takes the MVCC path (store rule ST1). */
bool store_cursor_is_mvcc(const store_cursor *cur);

/*
 * A rowid for an insert without one into a table: one above the largest
 * rowid (B-tree path; CHORUS_FULL when that is INT64_MAX, so the caller
 * searches for a free one), or from the table's atomic allocator (MVCC path,
 * mvcc R10), so concurrent appenders never collide.
 */
int store_rowid_next(store_cursor *cur, int64_t *out);

/* --- MVCC mode: log, recovery, checkpoint (mvcc_mode.c) ------------------- */

/*
 * Recovery and checkpoints run below the catalog, so the store asks its
 * caller about a tree by root page. is_index: fill *ki_out with the
 * key_info of the index tree (a WITHOUT ROWID table's tree is one) and
 * return CHORUS_OK, or CHORUS_CORRUPT for a root that is no index; else
 * (a table: ki_out NULL) return CHORUS_OK. name_out (NULL: not wanted)
 * receives the name of the table or index there, for conflict messages
 * (a WITHOUT ROWID table's tree: the table's), cut to name_size bytes, ""
 * when unknown.
 */
typedef int (*store_index_info_fn)(void *ctx, uint32_t root, bool is_index, key_info *ki_out,
                                   char *name_out, size_t name_size);

/*
 * Switches db to MVCC mode: creates the version store, opens the logical
 * log at log_path (created if missing), replays the commits after its
 * checkpoint mark into the store (mvcc R15, R16) and attaches both, so that
 * every commit appends a frame. info (with ctx) must stay callable until
 * store_mvcc_close(). opts may be NULL (mv_log_open()). rec_out (may be
 * NULL) receives what recovery found. Not while cursors are open.
 * Returns CHORUS_OK, CHORUS_MISUSE (already in MVCC mode), or the log's or
 * replay's code (db then stays in B-tree mode).
 */
int store_mvcc_open(store_db *db, const char *log_path, const mv_log_options *opts,
                    store_index_info_fn info, void *ctx, mv_log_recovery *rec_out);
/*
 * Leaves MVCC mode: detaches and frees the version store and closes the log
 * (what it holds stays for the next recovery: checkpoint first for a clean
 * close). Every mv_tx must be freed first. Returns the log's sticky error.
 */
int store_mvcc_close(store_db *db);
/* The log in MVCC mode (borrowed), else NULL. */
mv_log *store_mvcc_log(const store_db *db);
/* The timestamp the B-tree holds every commit up to (the last checkpoint). */
uint64_t store_mvcc_checkpoint_ts(const store_db *db);

/*
 * Checkpoint, step 1 (DESIGN.md "Checkpoint"): writes every commit up to the
 * horizon (the oldest live snapshot, mvcc R17) into the B-tree through wtx,
 * a pager write transaction the caller began and will commit. scratch is an
 * mv_tx with no open transaction (it lends its epoch record). *ts_out gets
 * the horizon. Readers and writers of the store keep running.
 */
int store_mvcc_checkpoint(store_db *db, pager_tx *wtx, mv_tx *scratch, uint64_t *ts_out);
/*
 * The same up to a timestamp the caller chooses: the DDL of an exclusive
 * transaction (core/vm/mvcc_mode.c VM4) writes every commit, upto = the
 * clock, past older live snapshots: their pager snapshots keep the old
 * B-tree and the store keeps their versions (so no GC chain removal
 * follows: store_mvcc_checkpoint_done() without reset_log).
 */
int store_mvcc_checkpoint_upto(store_db *db, pager_tx *wtx, mv_tx *scratch, uint64_t upto,
                               uint64_t *ts_out);
/*
 * Writes the final image of every key the open transaction tx wrote into
 * the B-tree through wtx, as a checkpoint writes commits (MM2, idempotent):
 * the exclusive writer that changes the schema (core/vm/mvcc_mode.c VM4)
 * puts its own writes there before a DDL that reads rows and before its
 * commit. tx's versions stay in the store, the same images.
 */
int store_mvcc_write_own(store_db *db, pager_tx *wtx, const mv_tx *tx);
/*
 * Checkpoint, step 2, after wtx committed: appends the checkpoint mark ts to
 * the log, so recovery skips what the B-tree now holds, synced unless sync
 * is MV_SYNC_OFF (mv_log_checkpoint: the database's synchronous level);
 * with reset_log (only when no transaction is open or committing: e.g. at
 * close) the log is emptied. Returns the log's code.
 */
int store_mvcc_checkpoint_done(store_db *db, uint64_t ts, mv_sync sync, bool reset_log);

/* What store_mvcc_checkpoint_run() did. */
typedef struct store_checkpoint_info {
    bool busy;                  /* another checkpoint, or the pager's writer lock, was
                                   not free in time: nothing was done */
    uint64_t ts;                /* the B-tree holds every commit <= ts */
    int64_t n_frames;           /* commit frames the log held before its truncation */
    int64_t n_kept;             /* of which above ts: still in the log */
    int64_t log_bytes;          /* size of the log after */
} store_checkpoint_info;

/*
 * A whole online checkpoint (mvcc_mode.c MM5): the log's checkpoint lock
 * (waited for with wait, else tried), the pager's writer lock within
 * busy_ms, the B-tree written up to the clock, past live snapshots (MM6:
 * beginners follow the full-checkpoint bracket, mvcc.h), and committed
 * durably, the mark, the log truncated to the commits above it (mvcc R19),
 * and GC. Readers and writers keep running. A failed log rewrite before its
 * rename is returned but leaves the log working (mv_log_truncate). Busy is not an error (out->busy). Returns
 * CHORUS_OK, CHORUS_MISUSE (not in MVCC mode), or the pager's or log's code.
 */
int store_mvcc_checkpoint_run(store_db *db, pager *p, int busy_ms, bool wait,
                              store_checkpoint_info *out);

#endif /* CHORUS_STORE_H */
