/*
 * core/btree/cursor.c: cursors: open/close, first/last/next/prev, seeks,
 * reading the entry under the cursor, and saved positions (rules B1-B4 in
 * btree.h).
 *
 * A cursor holds the path from the root to its page: path[0] is the root
 * (held for the cursor's whole life), path[depth-1] the page of the entry,
 * idx[l] the child index taken at interior level l, or the cell index at the
 * last level. Index trees keep entries in interior cells too, so the entry
 * may sit on an interior page; table trees keep them only in leaves.
 *
 * Saved positions (rule B2): the cursors of one tree are linked in a
 * bt_shared hung on the root page's extra pointer. Before a cursor changes
 * the tree, it saves every other cursor of the tree: a valid one copies its
 * key (rowid or index record) and drops its pages below the root. The next
 * move re-seeks that key: next() goes to the first entry > key, prev() to the
 * last entry < key, and a read to the entry >= key. Rule B3 falls out of the
 * same mechanism: a deleting cursor saves the key it deleted.
 *
 * No allocation on the read path: payloads spilled to overflow pages are
 * assembled into cursor-owned buffers that only grow.
 * Callers: the vm and catalog through btree.h; insert.c, delete.c,
 * balance.c internally.
 */
#include "btree_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int
bt_reserve(uint8_t **buf, uint32_t *cap, uint32_t need)
{
    uint8_t *grown;
    uint32_t size = *cap ? *cap : 256;

    if (need <= *cap)
        return CHORUS_OK;
    while (size < need)
        size = size > 0x40000000 ? need : size * 2;
    grown = realloc(*buf, size);
    if (grown == NULL)
        return CHORUS_NOMEM;
    *buf = grown;
    *cap = size;
    return CHORUS_OK;
}

static int
shared_attach(btree_cursor *cur)
{
    pager_page *root = cur->path[0].pg;
    bt_shared *sh = root->extra;

    if (sh == NULL) {
        sh = calloc(1, sizeof *sh);
        if (sh == NULL)
            return CHORUS_NOMEM;
        root->extra = sh;
    }
    sh->refs++;
    cur->next_in_tree = sh->head;
    sh->head = cur;
    cur->shared = sh;
    return CHORUS_OK;
}

static void
shared_detach(btree_cursor *cur)
{
    bt_shared *sh = cur->shared;
    btree_cursor **link;

    if (sh == NULL)
        return;
    for (link = &sh->head; *link != NULL; link = &(*link)->next_in_tree) {
        if (*link == cur) {
            *link = cur->next_in_tree;
            break;
        }
    }
    if (--sh->refs == 0) {
        cur->path[0].pg->extra = NULL;
        free(sh);
    }
    cur->shared = NULL;
}

int
btree_cursor_open(pager_tx *tx, uint32_t root, const key_info *ki, bool writable,
                  btree_cursor **out)
{
    btree_cursor *cur;
    int rc;

    *out = NULL;
    if (tx == NULL || root == 0)
        return CHORUS_MISUSE;
    if (writable && !pager_tx_is_write(tx))
        return CHORUS_READONLY;
    /* Not calloc: glibc's calloc skips the per-thread cache, which tripled
     * the cost of opening a cursor (one per tree a statement touches, again
     * at every execution). Only path[] past the root is left unzeroed: a
     * level is written by descend() before the path reaches it. */
    cur = malloc(sizeof *cur);
    if (cur == NULL)
        return CHORUS_NOMEM;
    memset(cur, 0, offsetof(btree_cursor, path) + sizeof cur->path[0]);
    memset(cur->idx, 0, sizeof *cur - offsetof(btree_cursor, idx));
    rc = bt_env_init(&cur->env, tx);
    if (rc != CHORUS_OK)
        goto fail;
    cur->root = root;
    cur->ki = ki;
    cur->writable = writable;
    if (pager_tx_page_count(tx) == 0 && root == 1 && !writable) {
        /* A new, still empty file: its sqlite_schema is an empty table that
         * has no page yet. The cursor stays unpositioned (tree_is_absent). */
        cur->is_table = true;
        cur->state = BT_CUR_INVALID;
        *out = cur;
        return CHORUS_OK;
    }
    rc = bt_page_get(&cur->env, root, &cur->path[0]);
    if (rc != CHORUS_OK)
        goto fail;
    cur->depth = 1;
    cur->is_table = cur->path[0].is_table;
    rc = shared_attach(cur);
    if (rc != CHORUS_OK)
        goto fail;
    *out = cur;                 /* the caller owns cur; btree_cursor_close frees it */
    return CHORUS_OK;
fail:
    btree_cursor_close(cur);
    return rc;
}

void
bt_cursor_truncate_path(btree_cursor *cur, int depth)
{
    while (cur->depth > depth)
        bt_page_release(&cur->path[--cur->depth]);
}

void
bt_cursor_release_path(btree_cursor *cur)
{
    bt_cursor_truncate_path(cur, 1);
}

void
btree_cursor_close(btree_cursor *cur)
{
    if (cur == NULL)
        return;
    bt_cursor_release_path(cur);
    shared_detach(cur);
    bt_page_release(&cur->path[0]);
    free(cur->saved_key);
    free(cur->buf);
    free(cur->cmp_buf);
    free(cur->scratch);
    bt_chunks_free(cur->bal_mem);
    free(cur);
}

int
bt_cursor_move_to_root(btree_cursor *cur)
{
    bt_page *root = &cur->path[0];
    int rc;

    bt_cursor_release_path(cur);
    cur->state = BT_CUR_INVALID;
    cur->idx[0] = 0;
    rc = bt_page_parse(&cur->env, root);
    if (rc != CHORUS_OK)
        return rc;
    if (root->is_table != cur->is_table)
        return CHORUS_CORRUPT_HERE();
    /* Only page 1 may be an interior page without cells (too big a child). */
    if (!root->is_leaf && root->n_cells == 0 && root->pgno != 1)
        return CHORUS_CORRUPT_HERE();
    return CHORUS_OK;
}

/* Descends from path[depth-1] into child idx[depth-1]. */
static int
descend(btree_cursor *cur)
{
    bt_page *parent = &cur->path[cur->depth - 1], *child;
    uint32_t pgno = bt_page_child(&cur->env, parent, cur->idx[cur->depth - 1]);
    int rc;

    if (cur->depth >= BTREE_MAX_DEPTH || pgno < 2)
        return CHORUS_CORRUPT_HERE();
    child = &cur->path[cur->depth];
    rc = bt_page_get(&cur->env, pgno, child);
    if (rc != CHORUS_OK)
        return rc;
    if (child->is_table != cur->is_table || child->n_cells == 0) {
        bt_page_release(child);
        return CHORUS_CORRUPT_HERE();
    }
    cur->idx[cur->depth] = 0;
    cur->depth++;
    return CHORUS_OK;
}

static int
move_leftmost(btree_cursor *cur)
{
    int rc;

    while (!cur->path[cur->depth - 1].is_leaf) {
        cur->idx[cur->depth - 1] = 0;
        rc = descend(cur);
        if (rc != CHORUS_OK)
            return rc;
    }
    cur->idx[cur->depth - 1] = 0;
    return CHORUS_OK;
}

static int
move_rightmost(btree_cursor *cur)
{
    int rc;

    while (!cur->path[cur->depth - 1].is_leaf) {
        cur->idx[cur->depth - 1] = cur->path[cur->depth - 1].n_cells;
        rc = descend(cur);
        if (rc != CHORUS_OK)
            return rc;
    }
    cur->idx[cur->depth - 1] = cur->path[cur->depth - 1].n_cells - 1;
    return CHORUS_OK;
}

/* True for the cursor on the schema of a file with no page yet
 * (btree_cursor_open): it holds no root, so depth is 0, which no other
 * cursor has; every move finds nothing. */
static bool
tree_is_absent(const btree_cursor *cur)
{
    return cur->depth == 0;
}

/* Sets *eof_out from the state after a move that ended with rc. */
static int
finish_move(btree_cursor *cur, int rc, bool *eof_out)
{
    if (rc != CHORUS_OK)
        cur->state = BT_CUR_INVALID;
    *eof_out = cur->state != BT_CUR_VALID;
    return rc;
}

int
btree_first(btree_cursor *cur, bool *eof_out)
{
    int rc;

    if (tree_is_absent(cur)) {
        *eof_out = true;
        return CHORUS_OK;
    }
    rc = bt_cursor_move_to_root(cur);
    if (rc == CHORUS_OK && (!cur->path[0].is_leaf || cur->path[0].n_cells > 0)) {
        rc = move_leftmost(cur);
        cur->state = BT_CUR_VALID;
    }
    return finish_move(cur, rc, eof_out);
}

int
btree_last(btree_cursor *cur, bool *eof_out)
{
    int rc;

    if (tree_is_absent(cur)) {
        *eof_out = true;
        return CHORUS_OK;
    }
    rc = bt_cursor_move_to_root(cur);
    if (rc == CHORUS_OK && (!cur->path[0].is_leaf || cur->path[0].n_cells > 0)) {
        rc = move_rightmost(cur);
        cur->state = BT_CUR_VALID;
    }
    return finish_move(cur, rc, eof_out);
}

/* From a valid position to the next entry; state INVALID at the end. */
static int
next_entry(btree_cursor *cur)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];

    if (!p->is_leaf) {          /* an index entry on an interior page */
        cur->idx[top]++;
        int rc = descend(cur);
        return rc != CHORUS_OK ? rc : move_leftmost(cur);
    }
    if (++cur->idx[top] < p->n_cells)
        return CHORUS_OK;
    while (cur->depth > 1) {
        bt_page_release(&cur->path[--cur->depth]);
        top = cur->depth - 1;
        p = &cur->path[top];
        if (cur->idx[top] < p->n_cells) {
            if (!cur->is_table)
                return CHORUS_OK;       /* the divider cell is the next entry */
            cur->idx[top]++;
            int rc = descend(cur);
            return rc != CHORUS_OK ? rc : move_leftmost(cur);
        }
    }
    cur->state = BT_CUR_INVALID;
    return CHORUS_OK;
}

/* From a valid position to the previous entry; state INVALID at the start. */
static int
prev_entry(btree_cursor *cur)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];

    if (!p->is_leaf) {          /* left child of the interior entry */
        int rc = descend(cur);
        return rc != CHORUS_OK ? rc : move_rightmost(cur);
    }
    if (cur->idx[top] > 0) {
        cur->idx[top]--;
        return CHORUS_OK;
    }
    while (cur->depth > 1) {
        bt_page_release(&cur->path[--cur->depth]);
        top = cur->depth - 1;
        if (cur->idx[top] > 0) {
            cur->idx[top]--;
            if (!cur->is_table)
                return CHORUS_OK;
            int rc = descend(cur);
            return rc != CHORUS_OK ? rc : move_rightmost(cur);
        }
    }
    cur->state = BT_CUR_INVALID;
    return CHORUS_OK;
}

/* The key a saved cursor re-seeks. */
static void
saved_key(const btree_cursor *cur, bt_key *key)
{
    memset(key, 0, sizeof *key);
    key->rowid = cur->saved_rowid;
    key->rec = cur->saved_key;
    key->nrec = cur->saved_len;
}

int
btree_next(btree_cursor *cur, bool *eof_out)
{
    int rc = CHORUS_OK, cmp = 0;

    if (cur->state == BT_CUR_SAVED) {
        bt_key key;
        saved_key(cur, &key);
        rc = bt_cursor_seek(cur, &key, false, true, &cmp);
        if (rc == CHORUS_OK)
            rc = bt_cursor_settle(cur, true, eof_out);
        /* Landing on the saved key itself means it still exists: step past it. */
        if (rc != CHORUS_OK || *eof_out || cmp != 0)
            return finish_move(cur, rc, eof_out);
    }
    if (cur->state == BT_CUR_VALID)
        rc = next_entry(cur);
    return finish_move(cur, rc, eof_out);
}

int
btree_prev(btree_cursor *cur, bool *eof_out)
{
    int rc = CHORUS_OK, cmp = 0;

    if (cur->state == BT_CUR_SAVED) {
        bt_key key;
        saved_key(cur, &key);
        rc = bt_cursor_seek(cur, &key, true, false, &cmp);
        if (rc == CHORUS_OK)
            rc = bt_cursor_settle(cur, false, eof_out);
        if (rc != CHORUS_OK || *eof_out)
            return finish_move(cur, rc, eof_out);
        rc = bt_cursor_key_compare(cur, &cur->path[cur->depth - 1], cur->idx[cur->depth - 1],
                                   &key, &cmp);
        if (rc != CHORUS_OK || cmp != 0)
            return finish_move(cur, rc, eof_out);
    }
    if (cur->state == BT_CUR_VALID)
        rc = prev_entry(cur);
    return finish_move(cur, rc, eof_out);
}

bool
btree_eof(btree_cursor *cur)
{
    return cur->state == BT_CUR_INVALID;
}

/* The payload of cell c on page p, assembled into *buf when it spills. */
static int
cell_payload(btree_cursor *cur, const bt_page *p, const bt_cell *c, uint8_t **buf,
             uint32_t *cap, const uint8_t **out)
{
    int rc;

    if (c->local == c->payload) {
        *out = BT_DATA(p) + c->offset + c->header;
        return CHORUS_OK;
    }
    rc = bt_reserve(buf, cap, c->payload);
    if (rc == CHORUS_OK)
        rc = bt_payload_read(&cur->env, BT_DATA(p) + c->offset, c, *buf);
    *out = *buf;
    return rc;
}

/*
 * The payload of cell i of p (a table leaf or an index page) when it lies
 * wholly on the page, the common case: *payload_out points into the page,
 * or stays NULL when the payload spills (or a varint is unusual) and the
 * caller must parse the cell in full.
 */
static int
payload_in_place(const bt_env *env, const bt_page *p, uint32_t i, const uint8_t **payload_out,
                 uint32_t *nbytes_out)
{
    uint32_t off = bt_cell_offset(env, p, i), pos = p->is_leaf ? 0 : 4, avail, max_local;
    const uint8_t *cell;
    uint64_t nbytes;
    int n;

    *payload_out = NULL;
    if (off == 0)
        return CHORUS_CORRUPT_HERE();
    cell = BT_DATA(p) + off;
    avail = env->usable - off;      /* at least 4, so pos <= avail */
    n = bt_varint(cell + pos, avail - pos, &nbytes);
    if (n == 0)
        return CHORUS_OK;
    pos += (uint32_t)n;
    max_local = env->max_local_index;
    if (p->is_table) {              /* skip the rowid */
        uint64_t rowid;
        n = pos < avail ? bt_varint(cell + pos, avail - pos, &rowid) : 0;
        if (n == 0)
            return CHORUS_OK;
        pos += (uint32_t)n;
        max_local = env->max_local_table;
    }
    if (nbytes <= max_local && pos + nbytes <= avail) {
        *payload_out = cell + pos;
        *nbytes_out = (uint32_t)nbytes;
    }
    return CHORUS_OK;
}

/* Compares index cell i of p with key: in place when the payload is local,
 * else after assembling it from its overflow chain into cmp_buf. */
/*
 * The inline answer for most index probes (as sqlite3's
 * vdbeRecordCompareInt): when the entry's first field is an integer and so
 * is the key's first value, and they differ, that decides the order (the
 * first field's direction applied); true then, with *cmp_out set. false
 * sends the caller to the full comparison (equal first fields, other types,
 * a long header or anything out of bounds).
 */
static bool
first_int_field_decides(const key_info *ki, const uint8_t *rec, uint32_t nbytes,
                        const bt_key *key, int *cmp_out)
{
    static const uint8_t width[10] = {0, 1, 2, 3, 4, 6, 8, 0, 0, 0};
    uint32_t hdr_len, st;
    const uint8_t *body;
    int64_t x, y;
    uint64_t u;

    if (key->n_probe < 1 || key->probe[0].type != VALUE_INTEGER || nbytes < 2)
        return false;
    hdr_len = rec[0];
    st = rec[1];
    if (hdr_len < 2 || hdr_len >= 0x80 || hdr_len > nbytes || st < 1 || st > 9 || st == 7
        || hdr_len + width[st] > nbytes)
        return false;
    body = rec + hdr_len;
    if (st >= 8) {
        x = (int64_t)st - 8;
    } else {
        u = (body[0] & 0x80) ? ~(uint64_t)0 : 0;   /* sign-extend big-endian */
        for (uint32_t b = 0; b < width[st]; b++)
            u = (u << 8) | body[b];
        x = (int64_t)u;
    }
    y = key->probe[0].u.i;
    if (x == y)
        return false;
    *cmp_out = x < y ? -1 : 1;
    if (ki != NULL && ki->n_fields > 0 && ki->desc[0])
        *cmp_out = -*cmp_out;
    return true;
}

static int
index_key_compare(btree_cursor *cur, const bt_page *p, uint32_t i, const bt_key *key,
                  int *cmp_out)
{
    const uint8_t *payload;
    uint32_t nbytes = 0;
    int rc = payload_in_place(&cur->env, p, i, &payload, &nbytes);

    if (rc == CHORUS_OK && payload != NULL && key->rec == NULL
        && first_int_field_decides(cur->ki, payload, nbytes, key, cmp_out))
        return CHORUS_OK;
    if (rc == CHORUS_OK && payload == NULL) {
        bt_cell c;
        rc = bt_cell_parse(&cur->env, p, i, &c);
        if (rc == CHORUS_OK)
            rc = cell_payload(cur, p, &c, &cur->cmp_buf, &cur->cmp_cap, &payload);
        nbytes = c.payload;
    }
    if (rc != CHORUS_OK)
        return rc;
    if (key->rec != NULL)
        *cmp_out = record_compare(cur->ki, payload, nbytes, key->rec, key->nrec, &rc);
    else if (key->whole)
        *cmp_out = record_compare_unpacked(cur->ki, payload, nbytes, key->probe, key->n_probe,
                                           &rc);
    else
        *cmp_out = record_compare_probe(cur->ki, payload, nbytes, key->probe, key->n_probe, &rc);
    return rc;
}

int
bt_cursor_key_compare(btree_cursor *cur, const bt_page *p, uint32_t i, const bt_key *key,
                      int *cmp_out)
{
    int64_t rowid;
    int rc;

    *cmp_out = 0;
    if (!cur->is_table)
        return index_key_compare(cur, p, i, key, cmp_out);
    rc = bt_cell_rowid(&cur->env, p, i, &rowid);
    *cmp_out = rowid < key->rowid ? -1 : rowid > key->rowid;
    return rc;
}

/*
 * Binary search of table page p for the first cell whose rowid is >= rowid
 * (> rowid when after), reading each probed rowid in place. *lo_out and
 * *cmp_out as for page_search().
 */
static int
table_page_search(const bt_env *env, const bt_page *p, int64_t rowid, bool after,
                  uint32_t *lo_out, int *cmp_out)
{
    const uint8_t *data = BT_DATA(p);
    uint32_t lo = 0, hi = p->n_cells, skip = p->is_leaf ? 0 : 4;
    int cmp = 1;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, off = bt_cell_offset(env, p, mid), pos = skip;
        uint32_t avail = env->usable - off;
        uint64_t v;
        int n;

        if (off == 0)
            return CHORUS_CORRUPT_HERE();
        if (p->is_leaf) {           /* skip the payload size (at most 9 bytes) */
            while (pos < 8 && pos < avail && (data[off + pos] & 0x80))
                pos++;
            pos++;
        }
        n = pos < avail ? bt_varint(data + off + pos, avail - pos, &v) : 0;
        if (n == 0)
            return CHORUS_CORRUPT_HERE();
        if ((int64_t)v > rowid || ((int64_t)v == rowid && !after)) {
            hi = mid;
            cmp = (int64_t)v > rowid;
            if (cmp == 0) {         /* rowids are unique */
                lo = mid;
                break;
            }
        } else {
            lo = mid + 1;
        }
    }
    *lo_out = lo;
    *cmp_out = lo < p->n_cells ? cmp : 1;
    return CHORUS_OK;
}

/*
 * Binary search of page p for the first cell that satisfies the predicate
 * (cell >= key, or cell > key when after). *lo_out gets its index (n_cells
 * when none does) and *cmp_out its comparison (1 when none).
 */
static int
page_search(btree_cursor *cur, const bt_page *p, const bt_key *key, bool after, uint32_t *lo_out,
            int *cmp_out)
{
    uint32_t lo = 0, hi = p->n_cells;
    int cmp = 1, rc;

    if (cur->is_table)
        return table_page_search(&cur->env, p, key->rowid, after, lo_out, cmp_out);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c;

        rc = index_key_compare(cur, p, mid, key, &c);
        if (rc != CHORUS_OK)
            return rc;
        if (c > 0 || (c == 0 && !after)) {
            hi = mid;
            cmp = c;
        } else {
            lo = mid + 1;
        }
    }
    *lo_out = lo;
    *cmp_out = lo < p->n_cells ? cmp : 1;
    return CHORUS_OK;
}

/* Keys of up to this many columns are unpacked once per seek. */
enum { BT_UNPACK_MAX = 16 };

/*
 * Unpacks the encoded record of key into vals (borrowing from its bytes)
 * and makes *out the same key as whole-record probe values, so that each
 * comparison of the seek parses only the cell's record. False when the
 * record is too wide (or malformed: the caller then compares the encoded
 * bytes, which reports the corruption).
 */
static bool
key_unpack(const bt_key *key, value *vals, bt_key *out)
{
    record_cursor rec;
    bool ok;

    if (key->nrec == 0 || key->rec[0] > BT_UNPACK_MAX)   /* header length, serial types */
        return false;
    record_cursor_init(&rec);
    ok = record_cursor_parse(&rec, key->rec, key->nrec) == CHORUS_OK;
    for (int i = 0; ok && i < rec.n_cols; i++)
        record_cursor_column(&rec, i, &vals[i]);
    *out = *key;
    out->rec = NULL;
    out->probe = vals;
    out->n_probe = rec.n_cols;
    out->whole = true;
    record_cursor_free(&rec);
    return ok;
}

int
bt_cursor_seek(btree_cursor *cur, const bt_key *key, bool after, bool stop_exact, int *cmp_out)
{
    int rc = bt_cursor_move_to_root(cur), cmp = 1;
    uint32_t lo = 0;
    value vals[BT_UNPACK_MAX];
    bt_key unpacked;

    *cmp_out = 1;
    if (rc != CHORUS_OK)
        return rc;
    if (key->rec != NULL && key_unpack(key, vals, &unpacked))
        key = &unpacked;
    for (;;) {
        bt_page *p = &cur->path[cur->depth - 1];

        rc = page_search(cur, p, key, after, &lo, &cmp);
        if (rc != CHORUS_OK)
            return rc;
        cur->idx[cur->depth - 1] = lo;
        if (p->is_leaf)
            break;
        if (stop_exact && !cur->is_table && cmp == 0 && lo < p->n_cells) {
            cur->state = BT_CUR_VALID;      /* the entry is this interior cell */
            *cmp_out = 0;
            return CHORUS_OK;
        }
        rc = descend(cur);
        if (rc != CHORUS_OK)
            return rc;
    }
    cur->state = BT_CUR_VALID;
    *cmp_out = cmp;
    return CHORUS_OK;
}

/*
 * After bt_cursor_seek left the cursor on a leaf at the first cell that
 * satisfies the predicate: forward keeps that entry (moving on past the end
 * of the leaf when needed), !forward moves to the entry before it.
 */
int
bt_cursor_settle(btree_cursor *cur, bool forward, bool *eof_out)
{
    int top = cur->depth - 1;
    bt_page *p = &cur->path[top];
    int rc = CHORUS_OK;

    if (p->is_leaf && p->n_cells == 0) {
        cur->state = BT_CUR_INVALID;        /* an empty tree */
    } else if (!p->is_leaf) {
        if (!forward)
            rc = prev_entry(cur);
    } else if (forward) {
        if (cur->idx[top] >= p->n_cells) {
            cur->idx[top] = p->n_cells - 1;
            rc = next_entry(cur);
        }
    } else if (cur->idx[top] > 0) {
        cur->idx[top]--;
    } else {
        rc = prev_entry(cur);
    }
    return finish_move(cur, rc, eof_out);
}

int
btree_seek_rowid(btree_cursor *cur, int64_t rowid, int op, bool *eof_out, bool *exact_out)
{
    bt_key key = {.rowid = rowid};
    bool after = op == BTREE_SEEK_GT || op == BTREE_SEEK_LE;
    bool forward = op == BTREE_SEEK_GE || op == BTREE_SEEK_GT;
    int cmp, rc;

    *eof_out = true;
    if (exact_out != NULL)
        *exact_out = false;
    if (!cur->is_table || op < BTREE_SEEK_GE || op > BTREE_SEEK_LT)
        return CHORUS_MISUSE;
    if (tree_is_absent(cur))
        return CHORUS_OK;
    rc = bt_cursor_seek(cur, &key, after, false, &cmp);
    if (rc == CHORUS_OK)
        rc = bt_cursor_settle(cur, forward, eof_out);
    if (rc == CHORUS_OK && !*eof_out && exact_out != NULL) {
        int64_t at;
        rc = btree_rowid(cur, &at);
        *exact_out = rc == CHORUS_OK && at == rowid;
    }
    return finish_move(cur, rc, eof_out);
}

int
btree_seek_key(btree_cursor *cur, const value *probe, int n, int op, bool *eof_out)
{
    bt_key key = {.probe = probe, .n_probe = n};
    bool after = op == BTREE_SEEK_GT || op == BTREE_SEEK_LE;
    bool forward = op == BTREE_SEEK_GE || op == BTREE_SEEK_GT;
    int cmp, rc;

    *eof_out = true;
    if (cur->is_table || op < BTREE_SEEK_GE || op > BTREE_SEEK_LT)
        return CHORUS_MISUSE;
    rc = bt_cursor_seek(cur, &key, after, false, &cmp);
    if (rc == CHORUS_OK)
        rc = bt_cursor_settle(cur, forward, eof_out);
    return finish_move(cur, rc, eof_out);
}

/* Brings a saved cursor back onto the entry >= its saved key. */
int
bt_cursor_restore(btree_cursor *cur, int *cmp_out)
{
    bt_key key;
    bool eof;
    int rc;

    *cmp_out = 0;
    if (cur->state != BT_CUR_SAVED)
        return CHORUS_OK;
    saved_key(cur, &key);
    rc = bt_cursor_seek(cur, &key, false, true, cmp_out);
    if (rc == CHORUS_OK)
        rc = bt_cursor_settle(cur, true, &eof);
    return rc;
}

int
bt_cursor_cell(btree_cursor *cur, bt_cell *out)
{
    int cmp, rc = bt_cursor_restore(cur, &cmp);

    memset(out, 0, sizeof *out);
    if (rc != CHORUS_OK)
        return rc;
    if (cur->state != BT_CUR_VALID)
        return CHORUS_MISUSE;
    return bt_cell_parse(&cur->env, &cur->path[cur->depth - 1], cur->idx[cur->depth - 1], out);
}

int
btree_rowid(btree_cursor *cur, int64_t *out)
{
    bt_cell c;
    int rc;

    *out = 0;
    if (!cur->is_table)
        return CHORUS_MISUSE;
    if (cur->state == BT_CUR_VALID)     /* read in place, no full parse */
        return bt_cell_rowid(&cur->env, &cur->path[cur->depth - 1], cur->idx[cur->depth - 1], out);
    rc = bt_cursor_cell(cur, &c);
    if (rc == CHORUS_OK)
        *out = c.rowid;
    return rc;
}

int
btree_payload(btree_cursor *cur, const uint8_t **data_out, uint32_t *nbytes_out)
{
    bt_cell c;
    int rc;

    *data_out = NULL;
    *nbytes_out = 0;
    if (cur->state == BT_CUR_VALID) {
        rc = payload_in_place(&cur->env, &cur->path[cur->depth - 1], cur->idx[cur->depth - 1],
                              data_out, nbytes_out);
        if (rc != CHORUS_OK || *data_out != NULL)
            return rc;
    }
    rc = bt_cursor_cell(cur, &c);
    if (rc != CHORUS_OK)
        return rc;
    rc = cell_payload(cur, &cur->path[cur->depth - 1], &c, &cur->buf, &cur->buf_cap, data_out);
    if (rc == CHORUS_OK)
        *nbytes_out = c.payload;
    return rc;
}

/* Copies the key under a valid cursor into its saved fields. */
int
bt_cursor_copy_key(btree_cursor *cur)
{
    bt_cell c;
    const uint8_t *payload;
    const bt_page *p = &cur->path[cur->depth - 1];
    int rc = bt_cell_parse(&cur->env, p, cur->idx[cur->depth - 1], &c);

    if (rc != CHORUS_OK)
        return rc;
    if (cur->is_table) {
        cur->saved_rowid = c.rowid;
        return CHORUS_OK;
    }
    rc = cell_payload(cur, p, &c, &cur->cmp_buf, &cur->cmp_cap, &payload);
    if (rc == CHORUS_OK)
        rc = bt_reserve(&cur->saved_key, &cur->saved_cap, c.payload);
    if (rc != CHORUS_OK)
        return rc;
    memcpy(cur->saved_key, payload, c.payload);
    cur->saved_len = c.payload;
    return CHORUS_OK;
}

int
bt_cursor_save_position(btree_cursor *cur)
{
    int rc = CHORUS_OK;

    if (cur->state == BT_CUR_VALID) {
        rc = bt_cursor_copy_key(cur);
        cur->state = rc == CHORUS_OK ? BT_CUR_SAVED : BT_CUR_INVALID;
    }
    bt_cursor_release_path(cur);
    return rc;
}

int
bt_cursor_save_others(btree_cursor *cur)
{
    for (btree_cursor *other = cur->shared->head; other != NULL; other = other->next_in_tree) {
        if (other != cur) {
            int rc = bt_cursor_save_position(other);
            if (rc != CHORUS_OK)
                return rc;
        }
    }
    return CHORUS_OK;
}

/* Entries in the subtree at pgno, added to *n. */
int
bt_count_tree(const bt_env *env, uint32_t pgno, int depth, bool is_table, int64_t *n)
{
    bt_page p;
    int rc;

    if (depth >= BTREE_MAX_DEPTH)
        return CHORUS_CORRUPT_HERE();
    rc = bt_page_get(env, pgno, &p);
    if (rc != CHORUS_OK)
        return rc;
    if (p.is_table != is_table)
        rc = CHORUS_CORRUPT_HERE();
    else if (p.is_leaf || !is_table)
        *n += p.n_cells;
    for (uint32_t i = 0; rc == CHORUS_OK && !p.is_leaf && i <= p.n_cells; i++)
        rc = bt_count_tree(env, bt_page_child(env, &p, i), depth + 1, is_table, n);
    bt_page_release(&p);
    return rc;
}

int
btree_count(btree_cursor *cur, int64_t *out)
{
    *out = 0;
    if (tree_is_absent(cur))
        return CHORUS_OK;
    return bt_count_tree(&cur->env, cur->root, 0, cur->is_table, out);
}
