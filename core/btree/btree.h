/*
 * core/btree/btree.h: table and index B-trees in the SQLite 3 file format,
 * inside a pager transaction.
 *
 * A table B-tree (intkey) maps a 64-bit rowid to a record; an index B-tree
 * holds records ordered by a key_info (record.h). The module also owns page
 * allocation (freelist trunk/leaf pages, reused before the file grows), the
 * overflow chains, the header fields of page 1 and the integrity check.
 *
 * Cursor rules
 *   B1  A cursor belongs to one pager transaction and must be closed before it
 *       ends.
 *   B2  After an insert or delete through any cursor, every other open cursor
 *       on the same tree keeps its logical position: its next move continues
 *       from the key it was on, as if the tree had not changed shape
 *       (SQLite's saved cursor positions).
 *   B3  After btree_delete(cur), btree_next(cur) moves to the entry after the
 *       deleted one and btree_prev(cur) to the one before it.
 *   B4  Payload pointers are borrowed: valid until the cursor moves, the tree
 *       changes, or the cursor closes.
 * No per-row malloc on the read path: cursors keep their buffers.
 */
#ifndef CHORUS_BTREE_H
#define CHORUS_BTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "pager.h"
#include "record.h"

typedef struct btree_cursor btree_cursor;

enum btree_kind {
    BTREE_TABLE = 1,        /* intkey: rowid -> record (flags 0x05/0x0d) */
    BTREE_INDEX = 2         /* key records (flags 0x02/0x0a) */
};

/* Where a seek leaves the cursor. */
enum btree_seek_op {
    BTREE_SEEK_GE = 0,      /* first entry >= key */
    BTREE_SEEK_GT = 1,      /* first entry > key */
    BTREE_SEEK_LE = 2,      /* last entry <= key */
    BTREE_SEEK_LT = 3       /* last entry < key */
};

/* Offsets of the 4-byte header fields of page 1 that upper layers use. */
enum btree_meta {
    BTREE_META_FREELIST_COUNT = 36,
    BTREE_META_SCHEMA_COOKIE = 40,
    BTREE_META_SCHEMA_FORMAT = 44,
    BTREE_META_DEFAULT_CACHE = 48,
    BTREE_META_TEXT_ENCODING = 56,
    BTREE_META_USER_VERSION = 60,
    BTREE_META_APPLICATION_ID = 68
};

/*
 * Makes page 1 a valid empty database (header plus empty sqlite_schema root)
 * when the file is empty; does nothing otherwise. Called by the first write
 * transaction on a new file.
 */
int btree_init_database(pager_tx *tx);

/* Creates an empty tree; *root_out is its root page. Write transaction. */
int btree_create(pager_tx *tx, int kind, uint32_t *root_out);
/* Frees every page of the tree rooted at root, the root included. */
int btree_drop(pager_tx *tx, uint32_t root);
/* Removes every entry, keeping the root; *n_out (may be NULL) gets the count. */
int btree_clear(pager_tx *tx, uint32_t root, int64_t *n_out);

int btree_meta_get(pager_tx *tx, int field, uint32_t *out);
int btree_meta_set(pager_tx *tx, int field, uint32_t value);

/*
 * Opens a cursor on the tree at root. ki is NULL for a table tree; for an
 * index it is borrowed for the cursor's life. The cursor starts unpositioned
 * (eof). writable: the cursor may insert/delete (write transaction).
 */
int btree_cursor_open(pager_tx *tx, uint32_t root, const key_info *ki, bool writable,
                      btree_cursor **out);
void btree_cursor_close(btree_cursor *cur);

/* Moves; *eof_out is true when there is no entry there. */
int btree_first(btree_cursor *cur, bool *eof_out);
int btree_last(btree_cursor *cur, bool *eof_out);
int btree_next(btree_cursor *cur, bool *eof_out);
int btree_prev(btree_cursor *cur, bool *eof_out);
bool btree_eof(btree_cursor *cur);

/* Table trees: positions per op relative to rowid. *eof_out as above;
 * *exact_out (may be NULL) is true when the entry's rowid equals rowid. */
int btree_seek_rowid(btree_cursor *cur, int64_t rowid, int op, bool *eof_out, bool *exact_out);
/* Index trees: positions per op relative to the probe key (a prefix of n
 * values compares equal to every entry it prefixes). */
int btree_seek_key(btree_cursor *cur, const value *probe, int n, int op, bool *eof_out);

/* The rowid under a table cursor. */
int btree_rowid(btree_cursor *cur, int64_t *out);
/* The record (table) or key (index) under the cursor, assembled from
 * overflow pages when needed. Borrowed (rule B4). */
int btree_payload(btree_cursor *cur, const uint8_t **data_out, uint32_t *nbytes_out);

/* Table trees: inserts, or replaces the record at rowid. The cursor is left
 * on the new entry. */
int btree_insert(btree_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes);
/* Table trees: inserts at rowid unless it is taken, in one seek. A taken
 * rowid sets *taken_out, writes nothing and leaves the cursor on that entry. */
int btree_insert_new(btree_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes,
                     bool *taken_out);
/* Index trees: inserts key (an existing equal key is replaced). */
int btree_index_insert(btree_cursor *cur, const uint8_t *key, uint32_t nbytes);
/* Deletes the entry under the cursor (rule B3). */
int btree_delete(btree_cursor *cur);

/* Entries in the tree. */
int btree_count(btree_cursor *cur, int64_t *out);

/*
 * Checks the structure of the whole file: every tree in roots (page numbers,
 * with sqlite_schema's root 1 included by the caller), page ownership (each
 * page used exactly once, freelist included, none missing), key order, cell
 * bounds, overflow chains, freeblocks. Appends one line per problem to errors
 * (at most max_errors lines) in SQLite's wording; *n_errors_out counts them.
 */
int btree_integrity_check(pager_tx *tx, const uint32_t *roots, const key_info *const *kis,
                          int n_roots, int max_errors, strbuf *errors, int *n_errors_out);

#endif /* CHORUS_BTREE_H */
