/*
 * core/btree/delete.c: removing entries, and freeing whole trees.
 *
 * A leaf entry is dropped in place (its overflow chain freed); a leaf left
 * underfull (more than two thirds free) is balanced with its siblings, which
 * merges pages, so the tree shrinks as rows go (balance.c).
 *
 * An index entry on an interior page (key K) is replaced by its predecessor
 * P, the last entry of its left subtree:
 *   1. copy P and delete it from its leaf (balancing as above);
 *   2. seek K again (the balance may have moved it);
 *   3. if K now sits on a leaf, delete it there and insert P normally;
 *      otherwise replace K's cell with P's, keeping K's left child. P sorts
 *      after everything left in K's left subtree and before K's successor.
 *
 * Rule B3: the cursor is left saved on the deleted key; next() then finds
 * the first entry after it and prev() the last one before it.
 * Callers: the vm through btree.h; meta.c (bt_tree_free).
 */
#include "btree_int.h"

#include <stdlib.h>
#include <string.h>

int
bt_delete_leaf_entry(btree_cursor *cur)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];
    uint32_t free_bytes;
    bt_cell c;
    int rc = bt_cell_parse(&cur->env, p, cur->idx[top], &c);

    if (rc == CHORUS_OK)
        rc = bt_overflow_free(&cur->env, &c);
    if (rc == CHORUS_OK)
        rc = bt_page_drop_cell(&cur->env, p, cur->idx[top], c.size);
    if (rc != CHORUS_OK || top == 0)
        return rc;
    rc = bt_page_free_space(&cur->env, p, &free_bytes);
    if (rc == CHORUS_OK && bt_page_is_underfull(&cur->env, p, free_bytes))
        rc = bt_balance_underfull(cur, top);
    return rc;
}

/* Replaces K's interior cell with P's (step 3, second case). */
static int
replace_interior(btree_cursor *cur, const uint8_t *pkey, uint32_t plen)
{
    int top = cur->depth - 1;
    uint32_t size;
    bt_cell old, built;
    int rc = bt_reserve(&cur->buf, &cur->buf_cap, bt_cell_max_size(&cur->env) + 4);

    if (rc == CHORUS_OK)
        rc = bt_cell_parse(&cur->env, &cur->path[top], cur->idx[top], &old);
    if (rc == CHORUS_OK)
        rc = bt_cell_build(&cur->env, BT_FLAG_INDEX_LEAF, 0, pkey, plen, cur->buf + 4, &size);
    if (rc == CHORUS_OK)
        rc = bt_cell_parse_bytes(&cur->env, BT_FLAG_INDEX_LEAF, cur->buf + 4, size, &built);
    if (rc == CHORUS_OK)
        rc = bt_overflow_free(&cur->env, &old);
    if (rc != CHORUS_OK)
        return rc;
    bt_put4(cur->buf, old.child);
    size = 4 + built.header + built.local + (built.local < built.payload ? 4 : 0);
    return bt_balance_replace(cur, top, cur->idx[top], true, cur->buf, size, false);
}

/* Deletes the index entry on an interior page (steps 1-3 above). K is in
 * cur->saved_key already. */
static int
delete_interior(btree_cursor *cur)
{
    bt_key k = {.rec = cur->saved_key, .nrec = cur->saved_len};
    const uint8_t *data;
    uint8_t *pkey = NULL;
    uint32_t plen = 0;
    bool eof;
    int cmp, rc = btree_prev(cur, &eof);

    if (rc == CHORUS_OK && (eof || !cur->path[cur->depth - 1].is_leaf))
        rc = CHORUS_CORRUPT_HERE();
    if (rc == CHORUS_OK)
        rc = btree_payload(cur, &data, &plen);
    if (rc == CHORUS_OK) {
        pkey = malloc(plen ? plen : 1);
        if (pkey == NULL)
            rc = CHORUS_NOMEM;
        else
            memcpy(pkey, data, plen);
    }
    if (rc == CHORUS_OK)
        rc = bt_delete_leaf_entry(cur);
    if (rc == CHORUS_OK)
        rc = bt_cursor_seek(cur, &k, false, true, &cmp);
    if (rc == CHORUS_OK && cmp != 0)
        rc = CHORUS_CORRUPT_HERE();
    if (rc == CHORUS_OK) {
        if (cur->path[cur->depth - 1].is_leaf) {
            rc = bt_delete_leaf_entry(cur);
            if (rc == CHORUS_OK)
                rc = bt_index_put(cur, pkey, plen);
        } else {
            rc = replace_interior(cur, pkey, plen);
        }
    }
    free(pkey);
    return rc;
}

int
btree_delete(btree_cursor *cur)
{
    int cmp, rc;

    if (!cur->writable)
        return CHORUS_READONLY;
    rc = bt_cursor_restore(cur, &cmp);
    if (rc != CHORUS_OK)
        return rc;
    if (cur->state != BT_CUR_VALID || cmp != 0)
        return CHORUS_MISUSE;
    rc = bt_cursor_save_others(cur);
    if (rc == CHORUS_OK)
        rc = bt_cursor_copy_key(cur);
    if (rc == CHORUS_OK) {
        if (cur->path[cur->depth - 1].is_leaf)
            rc = bt_delete_leaf_entry(cur);
        else
            rc = delete_interior(cur);
    }
    bt_cursor_release_path(cur);
    cur->state = rc == CHORUS_OK ? BT_CUR_SAVED : BT_CUR_INVALID;    /* rule B3 */
    return rc;
}

int
bt_tree_free(const bt_env *env, uint32_t pgno, int depth, bool free_root)
{
    bt_page p;
    int rc;

    if (depth >= BTREE_MAX_DEPTH)
        return CHORUS_CORRUPT_HERE();
    rc = bt_page_get(env, pgno, &p);
    if (rc != CHORUS_OK)
        return rc;
    for (uint32_t i = 0; i < p.n_cells && rc == CHORUS_OK; i++) {
        bt_cell c;
        rc = bt_cell_parse(env, &p, i, &c);
        if (rc == CHORUS_OK && c.local < c.payload)
            rc = bt_overflow_free(env, &c);
    }
    for (uint32_t i = 0; !p.is_leaf && i <= p.n_cells && rc == CHORUS_OK; i++)
        rc = bt_tree_free(env, bt_page_child(env, &p, i), depth + 1, true);
    bt_page_release(&p);
    if (rc == CHORUS_OK && free_root)
        rc = bt_free_page(env, pgno);
    return rc;
}
