/*
 * core/btree/btree_int.h: structures and helpers shared by the files of the
 * btree module only. Nothing outside core/btree includes it.
 *
 * Page layout (SQLite 3 b-tree page; page 1 starts its b-tree header at 100)
 *   off  size  field
 *   0    1     flags: 0x02 index interior, 0x05 table interior,
 *              0x0a index leaf, 0x0d table leaf
 *   1    2     first freeblock (0 = none)
 *   3    2     number of cells
 *   5    2     start of the cell content area (0 means 65536)
 *   7    1     fragmented free bytes
 *   8    4     right-most child (interior pages only)
 *   then the cell pointer array (2 bytes per cell, in key order), free
 *   space, the cell content area up to the usable size U.
 *
 * Cells
 *   table leaf:     varint P, varint rowid, local payload, [4-byte overflow]
 *   table interior: 4-byte left child, varint rowid
 *   index leaf:     varint P, local payload, [4-byte overflow]
 *   index interior: 4-byte left child, varint P, local payload, [overflow]
 *   A cell occupies at least 4 bytes (shorter ones are zero padded).
 *
 * The module's rules (B1-B4 in btree.h) and the balance invariants are
 * written in core/btree/README.md.
 */
#ifndef CHORUS_BTREE_INT_H
#define CHORUS_BTREE_INT_H

#include "btree.h"

enum {
    BTREE_MAX_DEPTH = 20,               /* sqlite3's bound; deeper means a loop */
    BT_FLAG_INDEX_INTERIOR = 0x02,
    BT_FLAG_TABLE_INTERIOR = 0x05,
    BT_FLAG_INDEX_LEAF = 0x0a,
    BT_FLAG_TABLE_LEAF = 0x0d,
    BT_LEAF_BIT = 0x08
};

static inline uint32_t bt_get2(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t bt_get4(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void bt_put2(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void bt_put4(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* varint_get with the one- to three-byte cases inline: most lengths and
 * rowids. */
static inline int bt_varint(const uint8_t *p, size_t avail, uint64_t *out)
{
    if (avail > 0 && p[0] < 0x80) {
        *out = p[0];
        return 1;
    }
    if (avail > 1 && p[1] < 0x80) {
        *out = (uint64_t)(p[0] & 0x7f) << 7 | p[1];
        return 2;
    }
    if (avail > 2 && p[2] < 0x80) {     /* p[0] and p[1] continue: below 2^21 */
        *out = (uint64_t)(p[0] & 0x7f) << 14 | (uint64_t)(p[1] & 0x7f) << 7 | p[2];
        return 3;
    }
    return varint_get(p, avail, out);
}

/* What every btree function needs to know about the file; fixed per tx. */
typedef struct bt_env {
    pager_tx *tx;           /* borrowed; outlives every cursor (rule B1) */
    uint32_t page_size;
    uint32_t usable;        /* U: page size minus reserved bytes */
    uint32_t max_local_table;   /* X for table leaves: U - 35 */
    uint32_t max_local_index;   /* X for index cells: (U-12)*64/255 - 23 */
    uint32_t min_local;         /* M: (U-12)*32/255 - 23 */
} bt_env;

int bt_env_init(bt_env *env, pager_tx *tx);

/* A referenced b-tree page and its parsed header. data is always pg->data:
 * it moves when the page is made writable. */
typedef struct bt_page {
    pager_page *pg;         /* reference owned by the holder of this struct */
    uint32_t pgno;
    uint32_t hdr;           /* 100 on page 1, else 0 */
    uint32_t ptr_off;       /* offset of the cell pointer array */
    uint32_t n_cells;
    uint8_t flags;
    bool is_leaf;
    bool is_table;
} bt_page;

#define BT_DATA(p) ((p)->pg->data)

/* Offset of cell i of p (i < n_cells), or 0 when the pointer leaves the
 * cell content area: every caller turns 0 into CHORUS_CORRUPT_HERE(). */
static inline uint32_t
bt_cell_offset(const bt_env *env, const bt_page *p, uint32_t i)
{
    uint32_t off = bt_get2(BT_DATA(p) + p->ptr_off + 2 * i);

    if (off < p->ptr_off + 2 * p->n_cells || off > env->usable - 4)
        return 0;
    return off;
}

/* A parsed cell. */
typedef struct bt_cell {
    uint32_t offset;        /* cell start within its page (or 0 for a loose copy) */
    int64_t rowid;          /* table cells */
    uint32_t payload;       /* P: payload bytes (0 for table interior) */
    uint32_t header;        /* bytes before the payload (child pointer, varints) */
    uint32_t local;         /* payload bytes stored in the cell */
    uint32_t size;          /* bytes the cell occupies (at least 4) */
    uint32_t overflow;      /* first overflow page, 0 if none */
    uint32_t child;         /* left child of an interior cell */
} bt_cell;

/* --- page.c ------------------------------------------------------------ */

int bt_page_get(const bt_env *env, uint32_t pgno, bt_page *out);
int bt_page_parse(const bt_env *env, bt_page *p);
void bt_page_release(bt_page *p);
int bt_page_make_writable(bt_page *p);
uint32_t bt_page_content_start(const bt_page *p);
uint32_t bt_page_child(const bt_env *env, const bt_page *p, uint32_t i);
uint32_t bt_local_size(const bt_env *env, bool table_leaf, uint64_t payload);
int bt_cell_parse_bytes(const bt_env *env, uint8_t flags, const uint8_t *cell, uint32_t avail,
                        bt_cell *out);
int bt_cell_size_general(const bt_env *env, uint8_t flags, const uint8_t *cell, uint32_t avail,
                         uint32_t *size_out);

/*
 * The bytes a cell occupies, read from its first bytes only (avail bytes of
 * the page follow cell). Index cells with a one-byte payload size, the bulk
 * of most index pages, are sized inline; the rest by bt_cell_size_general().
 */
static inline int
bt_cell_size(const bt_env *env, uint8_t flags, const uint8_t *cell, uint32_t avail,
             uint32_t *size_out)
{
    uint32_t skip = flags == BT_FLAG_INDEX_INTERIOR ? 4 : 0, size;

    if ((flags == BT_FLAG_INDEX_LEAF || skip) && avail > skip && cell[skip] < 0x80
        && cell[skip] <= env->max_local_index) {
        size = skip + 1 + cell[skip];
        if (size < 4)
            size = 4;
        if (size <= avail) {
            *size_out = size;
            return CHORUS_OK;
        }
    }
    return bt_cell_size_general(env, flags, cell, avail, size_out);
}
int bt_cell_parse(const bt_env *env, const bt_page *p, uint32_t i, bt_cell *out);
int bt_cell_rowid(const bt_env *env, const bt_page *p, uint32_t i, int64_t *out);
int bt_page_free_space(const bt_env *env, const bt_page *p, uint32_t *out);
int bt_page_insert_cell(const bt_env *env, bt_page *p, uint32_t i, const uint8_t *cell,
                        uint32_t size, uint8_t **scratch, uint32_t *scratch_cap,
                        bool *fitted_out);
int bt_page_drop_cell(const bt_env *env, bt_page *p, uint32_t i, uint32_t size);
int bt_page_write_cells(const bt_env *env, bt_page *p, uint8_t flags, uint8_t *const *cells,
                        const uint32_t *sizes, uint32_t n, uint32_t right);
int bt_page_init_empty(const bt_env *env, bt_page *p, uint8_t flags);

/* --- overflow.c -------------------------------------------------------- */

uint32_t bt_cell_max_size(const bt_env *env);
int bt_cell_build(const bt_env *env, uint8_t flags, int64_t rowid, const uint8_t *data,
                  uint32_t nbytes, uint8_t *cell_out, uint32_t *size_out);
int bt_overflow_free(const bt_env *env, const bt_cell *cell);
int bt_payload_read(const bt_env *env, const uint8_t *cell_start, const bt_cell *cell,
                    uint8_t *dst);

/* --- freelist.c -------------------------------------------------------- */

int bt_alloc_page(const bt_env *env, bt_page *out, uint8_t flags);
int bt_alloc_raw(const bt_env *env, pager_page **out);
int bt_free_page(const bt_env *env, uint32_t pgno);

/* --- cursor.c: internal positioning ---------------------------------------- */

/* A search key: a rowid, an encoded index record, or probe values. */
typedef struct bt_key {
    int64_t rowid;
    const uint8_t *rec;
    uint32_t nrec;
    const value *probe;
    int n_probe;
    bool whole;             /* probe is a whole record unpacked (record_compare_unpacked) */
} bt_key;

enum bt_cursor_state {
    BT_CUR_INVALID = 0,     /* unpositioned or at eof */
    BT_CUR_VALID = 1,       /* path[depth-1] / idx[depth-1] is the entry */
    BT_CUR_SAVED = 2        /* position kept as a key; pages released (rule B2) */
};

/* The cursors of one tree in one transaction, hung on the root page's
 * extra pointer (every cursor holds the root, so it lives as long as they). */
/* A block of balance scratch memory (layout private to balance.c). */
typedef struct bt_chunk bt_chunk;

typedef struct bt_shared {
    int refs;
    btree_cursor *head;
} bt_shared;

struct btree_cursor {
    bt_env env;
    uint32_t root;
    const key_info *ki;     /* borrowed; NULL for tables */
    bool writable;
    bool is_table;
    uint8_t state;          /* enum bt_cursor_state */
    int depth;              /* levels held in path; path[0] is the root, always held */
    bt_page path[BTREE_MAX_DEPTH];
    uint32_t idx[BTREE_MAX_DEPTH];   /* cell (leaf) or child (interior) index per level */
    int64_t saved_rowid;
    uint8_t *saved_key;     /* owned: the saved index key */
    uint32_t saved_len;
    uint32_t saved_cap;
    uint8_t *buf;           /* owned: payload assembled from overflow pages */
    uint32_t buf_cap;
    uint8_t *cmp_buf;       /* owned: payloads assembled while comparing */
    uint32_t cmp_cap;
    uint8_t *scratch;       /* owned: one page of scratch (defragment), made on first use */
    uint32_t scratch_cap;
    bt_chunk *bal_mem;      /* owned: balance.c's scratch memory, reused by each balance */
    bt_shared *shared;      /* on the root page's extra; see bt_shared */
    btree_cursor *next_in_tree;
};

int bt_cursor_move_to_root(btree_cursor *cur);
int bt_cursor_seek(btree_cursor *cur, const bt_key *key, bool after, bool stop_exact,
                   int *cmp_out);
int bt_cursor_settle(btree_cursor *cur, bool forward, bool *eof_out);
int bt_cursor_restore(btree_cursor *cur, int *cmp_out);
int bt_cursor_save_others(btree_cursor *cur);
int bt_cursor_save_position(btree_cursor *cur);
int bt_cursor_copy_key(btree_cursor *cur);
int bt_count_tree(const bt_env *env, uint32_t pgno, int depth, bool is_table, int64_t *n);
void bt_cursor_release_path(btree_cursor *cur);
void bt_cursor_truncate_path(btree_cursor *cur, int depth);
int bt_cursor_cell(btree_cursor *cur, bt_cell *out);
int bt_cursor_key_compare(btree_cursor *cur, const bt_page *p, uint32_t i, const bt_key *key,
                          int *cmp_out);
int bt_reserve(uint8_t **buf, uint32_t *cap, uint32_t need);

/* --- balance.c --------------------------------------------------------- */

/* Frees a cursor's balance memory (bal_mem); NULL is fine. */
void bt_chunks_free(bt_chunk *head);

/* Loose cells of a page whose new contents are being computed. */
typedef struct bt_cells {
    uint8_t **cell;
    uint32_t *size;
    uint32_t n;
    uint32_t cap;
    uint32_t right;         /* right-most child for interior contents */
    uint8_t flags;          /* the page kind these cells belong to */
} bt_cells;

int bt_balance_replace(btree_cursor *cur, int level, uint32_t at, bool remove_old,
                       const uint8_t *cell, uint32_t size, bool bulk);
int bt_balance_underfull(btree_cursor *cur, int level);
bool bt_page_is_underfull(const bt_env *env, const bt_page *p, uint32_t free_bytes);

/* --- delete.c / insert.c ----------------------------------------------- */

int bt_delete_leaf_entry(btree_cursor *cur);
int bt_index_put(btree_cursor *cur, const uint8_t *key, uint32_t nbytes);
int bt_tree_free(const bt_env *env, uint32_t pgno, int depth, bool free_root);

#endif /* CHORUS_BTREE_INT_H */
