/*
 * core/store/store_int.h: private layouts of the store module: the store_db
 * and the cursor both paths share. Used only inside core/store/.
 */
#ifndef CHORUS_STORE_INT_H
#define CHORUS_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "store.h"

/* The comparison context of one index map of the attached mv_db: a copy of
 * the index's key_info, alive as long as the store_db (the map outlives any
 * catalog, mvcc store.c D1). */
typedef struct store_index_ctx {
    struct store_index_ctx *next;
    uint32_t root;
    key_info ki;
} store_index_ctx;

struct store_db {
    pthread_mutex_t mu;         /* guards indexes (cold path: cursor open) */
    mv_db *mv;                  /* attached version store; written only with no cursor open */
    store_index_ctx *indexes;   /* owned list */
    bool owns_mv;               /* mv and log were made by store_mvcc_open() */
    mv_log *log;                /* owned in MVCC mode */
    store_index_info_fn info;   /* borrowed callback (store_mvcc_open) */
    void *info_ctx;
    _Atomic uint64_t checkpoint_ts;     /* last checkpoint; relaxed: a hint for the next one */
};

/* Where the merged cursor's current entry comes from (MVCC path). */
enum store_src {
    SRC_NONE = 0,               /* eof */
    SRC_BTREE = 1,              /* the B-tree's entry (the store has nothing newer) */
    SRC_STORE = 2               /* the version store's visible version */
};

/* A growable byte buffer owned by a cursor. */
typedef struct store_buf {
    uint8_t *p;
    uint32_t n;
    uint32_t cap;
} store_buf;

struct store_cursor {
    btree_cursor *bt;           /* owned: the B-tree cursor (both paths) */
    store_tx *tx;               /* borrowed: outlives the cursor (S1) */
    const key_info *ki;         /* borrowed; NULL for a table */
    /* MVCC path only (mv != NULL): */
    mv_cursor *mv;              /* owned: the version store cursor */
    mv_table *table;            /* borrowed from the mv_db */
    mv_index *index;            /* borrowed from the mv_db */
    int dir;                    /* +1 after a forward move or seek, -1 backward */
    int src;                    /* enum store_src */
    int64_t rowid;              /* current entry's rowid (valid unless SRC_NONE) */
    store_buf key;              /* index: current entry's key columns (S3) */
    store_buf bt_key;           /* index: the B-tree entry's key columns */
    int64_t bt_rowid;           /* index: the B-tree entry's rowid */
    bool bt_key_ok;             /* bt_key/bt_rowid describe the B-tree position */
    bool need_seek;             /* a write went through the cursor (M2) */
    store_buf payload;          /* index: the store entry as an index record */
    const void *row;            /* WITHOUT ROWID table, SRC_STORE: the row (M6), NULL once
                                   deleted through the cursor */
    uint32_t nrow;
    bool bt_max_known;          /* table: bt_max holds the B-tree's largest rowid (M5) */
    int64_t bt_max;             /* ... INT64_MIN for an empty tree */
};

/* --- merge.c: the MVCC path ------------------------------------------------ */
int store_mv_open(store_cursor *cur, uint32_t root, const char *name);
void store_mv_close(store_cursor *cur);
int store_mv_first(store_cursor *cur, bool *eof_out);
int store_mv_last(store_cursor *cur, bool *eof_out);
int store_mv_next(store_cursor *cur, bool *eof_out);
int store_mv_prev(store_cursor *cur, bool *eof_out);
int store_mv_seek_rowid(store_cursor *cur, int64_t rowid, int op, bool *eof_out, bool *exact_out);
int store_mv_seek_key(store_cursor *cur, const value *probe, int n, int op, bool *eof_out);
int store_mv_payload(store_cursor *cur, const uint8_t **data_out, uint32_t *nbytes_out);
int store_mv_insert(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes);
int store_mv_insert_new(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes,
                        bool *taken_out);
int store_mv_index_insert(store_cursor *cur, const uint8_t *key, uint32_t nbytes, bool unique);
int store_mv_delete(store_cursor *cur);
int store_mv_rowid_next(store_cursor *cur, int64_t *out);

/* --- keys.c: index records <-> (key columns, rowid) (S3) -------------------- */
int store_key_split(const key_info *ki, const uint8_t *rec, uint32_t nbytes, store_buf *key_out,
                    int64_t *rowid_out);
int store_key_join(const uint8_t *key, uint32_t nbytes, int64_t rowid, store_buf *out);
/* Whether one of the first n_cols columns of the key record is NULL (a
 * UNIQUE key with a NULL never collides: M7). */
bool store_key_has_null(const uint8_t *key, uint32_t nbytes, int n_cols);
int store_buf_reserve(store_buf *b, uint32_t n);
void store_buf_free(store_buf *b);

/* --- store.c ----------------------------------------------------------------- */
/* The comparison context of the index at root, registered on first use
 * from ki, or (ki NULL) from the index info callback. */
int store_db_index_ctx(store_db *db, uint32_t root, const key_info *ki, key_info **out);
/* Version store comparison of index keys (S3); ctx is a key_info. */
int store_index_compare(void *ctx, const void *a, uint32_t na, const void *b, uint32_t nb);
/* Whether index keys a and b hold one UNIQUE key: their leading n_fields -
 * n_suffix columns compare equal (an index of a WITHOUT ROWID table, M6;
 * keys with a NULL there are never checked, M7); ctx is its key_info. */
int store_index_same_unique(void *ctx, const void *a, uint32_t na, const void *b, uint32_t nb);
/* The same_unique comparison of ki's version store map (mv_index_open_prefix):
 * store_index_same_unique for layout PK_SUFFIX, else NULL. */
mv_key_compare store_index_same_unique_fn(const key_info *ki);
/* Records an MVCC outcome's message in the transaction (S4); returns its code. */
int store_outcome(store_cursor *cur, mv_outcome o, const uint8_t *key, uint32_t nkey);

#endif /* CHORUS_STORE_INT_H */
