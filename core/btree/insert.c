/*
 * core/btree/insert.c: inserting and replacing entries.
 *
 * An insert seeks its key (a table cursor already on the entry just before
 * it stays there: table_append_position), builds the new cell (spilling to overflow pages as
 * needed) and puts it on the leaf in place when it fits. Otherwise the page's
 * new cell list goes to balance.c. A replaced entry's old cell is removed
 * first and its overflow chain freed.
 *
 * Cursor state afterwards (btree.h): on the new entry. When the cell went in
 * place, the path stays valid; after a balance, the cursor is saved on the
 * new key and re-seeks it on its next use (rule B2 machinery).
 * Callers: the vm through btree.h; delete.c (re-inserting a moved index key).
 */
#include "btree_int.h"

#include <string.h>

/* Bytes of a built index leaf cell without its padding to 4 bytes. */
static int
unpadded_size(const bt_env *env, const uint8_t *cell, uint32_t size, uint32_t *out)
{
    bt_cell c;
    int rc = bt_cell_parse_bytes(env, BT_FLAG_INDEX_LEAF, cell, size, &c);

    *out = c.header + c.local + (c.local < c.payload ? 4 : 0);
    return rc;
}

/* Cells up to this size are built on the stack: no cursor buffer (and so
 * no allocation) on a fresh cursor's insert of a typical row. */
enum { BT_SMALL_CELL = 512 };

/* Puts a new cell for (rowid, data) at the cursor's leaf position, replacing
 * the entry there when exact. */
static int
leaf_put(btree_cursor *cur, uint8_t flags, int64_t rowid, const uint8_t *data, uint32_t nbytes,
         bool exact)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];
    uint32_t i = cur->idx[top], size;
    uint8_t small[BT_SMALL_CELL], *cell = small;
    bool fitted;
    int rc = CHORUS_OK;

    if (nbytes > BT_SMALL_CELL - 2 * VARINT_MAX_LEN - 4) {
        rc = bt_reserve(&cur->buf, &cur->buf_cap, bt_cell_max_size(&cur->env));
        cell = cur->buf;
    }
    if (rc == CHORUS_OK)
        rc = bt_cell_build(&cur->env, flags, rowid, data, nbytes, cell, &size);
    if (rc != CHORUS_OK)
        return rc;
    if (exact) {
        bt_cell old;
        rc = bt_cell_parse(&cur->env, p, i, &old);
        if (rc == CHORUS_OK)
            rc = bt_overflow_free(&cur->env, &old);
        if (rc == CHORUS_OK)
            rc = bt_page_drop_cell(&cur->env, p, i, old.size);
        if (rc != CHORUS_OK)
            return rc;
    }
    rc = bt_page_insert_cell(&cur->env, p, i, cell, size, &cur->scratch, &cur->scratch_cap,
                             &fitted);
    if (rc != CHORUS_OK)
        return rc;
    if (fitted) {
        cur->state = BT_CUR_VALID;
        return CHORUS_OK;
    }
    rc = bt_balance_replace(cur, top, i, false, cell, size, !exact);
    cur->state = rc == CHORUS_OK ? BT_CUR_SAVED : BT_CUR_INVALID;
    return rc;
}

/* Replaces the index entry at an interior position with key. */
static int
interior_replace(btree_cursor *cur, const uint8_t *key, uint32_t nbytes)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];
    uint32_t size, unpadded;
    bt_cell old;
    int rc = bt_reserve(&cur->buf, &cur->buf_cap, bt_cell_max_size(&cur->env) + 4);

    if (rc == CHORUS_OK)
        rc = bt_cell_parse(&cur->env, p, cur->idx[top], &old);
    if (rc == CHORUS_OK)
        rc = bt_cell_build(&cur->env, BT_FLAG_INDEX_LEAF, 0, key, nbytes, cur->buf + 4, &size);
    if (rc == CHORUS_OK)
        rc = unpadded_size(&cur->env, cur->buf + 4, size, &unpadded);
    if (rc == CHORUS_OK)
        rc = bt_overflow_free(&cur->env, &old);
    if (rc != CHORUS_OK)
        return rc;
    bt_put4(cur->buf, old.child);
    rc = bt_balance_replace(cur, top, cur->idx[top], true, cur->buf, unpadded + 4, false);
    cur->state = rc == CHORUS_OK ? BT_CUR_SAVED : BT_CUR_INVALID;
    return rc;
}

int
bt_index_put(btree_cursor *cur, const uint8_t *key, uint32_t nbytes)
{
    bt_key k = {.rec = key, .nrec = nbytes};
    int cmp, rc = bt_cursor_seek(cur, &k, false, true, &cmp);

    if (rc != CHORUS_OK)
        return rc;
    if (!cur->path[cur->depth - 1].is_leaf)
        return interior_replace(cur, key, nbytes);
    return leaf_put(cur, BT_FLAG_INDEX_LEAF, 0, key, nbytes, cmp == 0);
}

/*
 * Whether a cursor valid on a table leaf already sits where rowid goes: the
 * entry under it is below rowid and the next one (on this leaf; past its
 * end only on the rightmost leaf) is not. Then it moves there and sets
 * *cmp_out as bt_cursor_seek would. Ascending inserts through one cursor
 * (checkpoints, INSERT ... SELECT) skip the descent from the root this way;
 * a VALID path is current, since a write through any other cursor saves
 * this one first (B2).
 */
static bool
table_append_position(btree_cursor *cur, int64_t rowid, int *cmp_out)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];
    uint32_t i = cur->idx[top];
    int64_t here, next;

    if (cur->state != BT_CUR_VALID || !p->is_leaf || i >= p->n_cells)
        return false;
    if (bt_cell_rowid(&cur->env, p, i, &here) != CHORUS_OK || here >= rowid)
        return false;
    if (i + 1 < p->n_cells) {
        if (bt_cell_rowid(&cur->env, p, i + 1, &next) != CHORUS_OK || next < rowid)
            return false;
        *cmp_out = next == rowid ? 0 : 1;
    } else {
        for (int level = 0; level < top; level++)
            if (cur->idx[level] != cur->path[level].n_cells)
                return false;       /* a leaf further right may hold rowid */
        *cmp_out = 1;
    }
    cur->idx[top] = i + 1;
    return true;
}

/* A table insert: seeks rowid, then writes (replacing a taken rowid unless
 * only_new, which reports it in *taken and writes nothing). */
static int
table_put(btree_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes, bool only_new,
          bool *taken)
{
    bt_key k = {.rowid = rowid};
    int cmp, rc;

    *taken = false;
    if (!cur->writable)
        return CHORUS_READONLY;
    if (!cur->is_table)
        return CHORUS_MISUSE;
    rc = bt_cursor_save_others(cur);
    if (rc == CHORUS_OK && !table_append_position(cur, rowid, &cmp))
        rc = bt_cursor_seek(cur, &k, false, false, &cmp);
    if (rc == CHORUS_OK && only_new && cmp == 0) {
        *taken = true;              /* the cursor stays on the entry that has rowid */
        return CHORUS_OK;
    }
    if (rc == CHORUS_OK)
        rc = leaf_put(cur, BT_FLAG_TABLE_LEAF, rowid, data, nbytes, cmp == 0);
    cur->saved_rowid = rowid;
    if (rc != CHORUS_OK)
        cur->state = BT_CUR_INVALID;
    return rc;
}

int
btree_insert(btree_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes)
{
    bool taken;

    return table_put(cur, rowid, data, nbytes, false, &taken);
}

int
btree_insert_new(btree_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes,
                 bool *taken_out)
{
    return table_put(cur, rowid, data, nbytes, true, taken_out);
}

int
btree_index_insert(btree_cursor *cur, const uint8_t *key, uint32_t nbytes)
{
    int rc;

    if (!cur->writable)
        return CHORUS_READONLY;
    if (cur->is_table)
        return CHORUS_MISUSE;
    rc = bt_cursor_save_others(cur);
    if (rc == CHORUS_OK)
        rc = bt_index_put(cur, key, nbytes);
    if (rc == CHORUS_OK && cur->state == BT_CUR_SAVED) {
        rc = bt_reserve(&cur->saved_key, &cur->saved_cap, nbytes);
        if (rc == CHORUS_OK) {
            memcpy(cur->saved_key, key, nbytes);
            cur->saved_len = nbytes;
        }
    }
    if (rc != CHORUS_OK)
        cur->state = BT_CUR_INVALID;
    return rc;
}
