/*
 * core/btree/page.c: the layout of one b-tree page: header parsing, cell
 * parsing, local payload sizes, and in-place cell insertion and removal with
 * the freeblock chain (layout table in btree_int.h).
 *
 * Invariants this file keeps on every page it writes
 *   P1  The freeblock chain is in increasing offset order, blocks do not
 *       touch (two blocks closer than 4 bytes are merged, absorbing the
 *       fragment bytes between them), and no block starts at the content
 *       start (such a block is absorbed into the unallocated gap).
 *   P2  The fragment count only shrinks: new space is taken from the gap
 *       between the pointer array and the content area, after a defragment
 *       when the gap is too small, never from freeblocks.
 *   P3  A page whose last cell is removed is reset to the empty layout
 *       (content start U, no freeblocks, no fragments).
 * Every cell pointer and cell read is bounds-checked against U; bad bytes
 * give CHORUS_CORRUPT_HERE().
 *
 * Callers: the other files of core/btree.
 */
#include "btree_int.h"

#include <string.h>

int
bt_env_init(bt_env *env, pager_tx *tx)
{
    pager *p = pager_tx_pager(tx);
    uint32_t u;

    memset(env, 0, sizeof *env);
    env->tx = tx;
    env->page_size = pager_page_size(p);
    env->usable = u = pager_usable_size(p);
    if (env->page_size < 512 || env->page_size > 65536 || (env->page_size & (env->page_size - 1))
        || u < 480 || u > env->page_size)
        return CHORUS_CORRUPT_HERE();
    env->max_local_table = u - 35;
    env->max_local_index = (u - 12) * 64 / 255 - 23;
    env->min_local = (u - 12) * 32 / 255 - 23;
    return CHORUS_OK;
}

static bool
flags_valid(uint8_t flags)
{
    return flags == BT_FLAG_INDEX_INTERIOR || flags == BT_FLAG_TABLE_INTERIOR
           || flags == BT_FLAG_INDEX_LEAF || flags == BT_FLAG_TABLE_LEAF;
}

uint32_t
bt_page_content_start(const bt_page *p)
{
    uint32_t cs = bt_get2(BT_DATA(p) + p->hdr + 5);

    return cs == 0 ? 65536 : cs;
}

int
bt_page_parse(const bt_env *env, bt_page *p)
{
    const uint8_t *data = BT_DATA(p);

    p->hdr = p->pgno == 1 ? 100 : 0;
    p->flags = data[p->hdr];
    if (!flags_valid(p->flags))
        return CHORUS_CORRUPT_HERE();
    p->is_leaf = (p->flags & BT_LEAF_BIT) != 0;
    p->is_table = (p->flags & 1) != 0;
    p->ptr_off = p->hdr + (p->is_leaf ? 8 : 12);
    p->n_cells = bt_get2(data + p->hdr + 3);
    if (p->ptr_off + 2 * p->n_cells > bt_page_content_start(p)
        || bt_page_content_start(p) > env->usable)
        return CHORUS_CORRUPT_HERE();
    return CHORUS_OK;
}

int
bt_page_get(const bt_env *env, uint32_t pgno, bt_page *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if (pgno == 0 || pgno > pager_tx_page_count(env->tx))
        return CHORUS_CORRUPT_HERE();
    rc = pager_page_get(env->tx, pgno, &out->pg);
    if (rc != CHORUS_OK)
        return rc;
    out->pgno = pgno;
    rc = bt_page_parse(env, out);
    if (rc != CHORUS_OK)
        bt_page_release(out);
    return rc;
}

void
bt_page_release(bt_page *p)
{
    if (p->pg != NULL)
        pager_page_release(p->pg);
    p->pg = NULL;
}

int
bt_page_make_writable(bt_page *p)
{
    return pager_page_write(p->pg);
}

uint32_t
bt_page_child(const bt_env *env, const bt_page *p, uint32_t i)
{
    uint32_t off;

    if (i >= p->n_cells)
        return bt_get4(BT_DATA(p) + p->hdr + 8);
    off = bt_cell_offset(env, p, i);
    return off == 0 ? 0 : bt_get4(BT_DATA(p) + off);
}

uint32_t
bt_local_size(const bt_env *env, bool table_leaf, uint64_t payload)
{
    uint32_t max_local = table_leaf ? env->max_local_table : env->max_local_index;
    uint32_t m = env->min_local;
    uint64_t k;

    if (payload <= max_local)
        return (uint32_t)payload;
    k = m + (payload - m) % (env->usable - 4);
    return k <= max_local ? (uint32_t)k : m;
}

int
bt_cell_parse_bytes(const bt_env *env, uint8_t flags, const uint8_t *cell, uint32_t avail,
                    bt_cell *out)
{
    uint32_t pos = 0;
    uint64_t v;
    int n;

    memset(out, 0, sizeof *out);
    if (!(flags & BT_LEAF_BIT)) {
        if (avail < 4)
            return CHORUS_CORRUPT_HERE();
        out->child = bt_get4(cell);
        pos = 4;
    }
    if (flags == BT_FLAG_TABLE_INTERIOR) {
        n = bt_varint(cell + pos, avail - pos, &v);
        if (n == 0)
            return CHORUS_CORRUPT_HERE();
        out->rowid = (int64_t)v;
        out->header = out->size = pos + (uint32_t)n;
        return CHORUS_OK;
    }
    n = bt_varint(cell + pos, avail - pos, &v);
    if (n == 0 || v > 0x7fffffff)
        return CHORUS_CORRUPT_HERE();
    pos += (uint32_t)n;
    out->payload = (uint32_t)v;
    if (flags == BT_FLAG_TABLE_LEAF) {
        n = bt_varint(cell + pos, avail - pos, &v);
        if (n == 0)
            return CHORUS_CORRUPT_HERE();
        pos += (uint32_t)n;
        out->rowid = (int64_t)v;
    }
    out->header = pos;
    out->local = bt_local_size(env, flags == BT_FLAG_TABLE_LEAF, out->payload);
    out->size = pos + out->local + (out->local < out->payload ? 4 : 0);
    if (out->size > avail)
        return CHORUS_CORRUPT_HERE();
    if (out->local < out->payload)
        out->overflow = bt_get4(cell + pos + out->local);
    if (out->size < 4)
        out->size = 4;
    if (out->size > avail)
        return CHORUS_CORRUPT_HERE();
    return CHORUS_OK;
}

/*
 * bt_cell_size() for every kind of cell: the hot path of balancing and
 * defragmenting, which need sizes but no other field. A cell whose payload
 * spills, or whose varints are long, goes through bt_cell_parse_bytes(),
 * which checks the same bounds.
 */
int
bt_cell_size_general(const bt_env *env, uint8_t flags, const uint8_t *cell, uint32_t avail,
                     uint32_t *size_out)
{
    uint32_t pos = (flags & BT_LEAF_BIT) ? 0 : 4, size = avail + 1;
    uint32_t max_local = flags == BT_FLAG_TABLE_LEAF ? env->max_local_table : env->max_local_index;
    uint64_t payload;
    bt_cell c;
    int n, rc;

    if (flags == BT_FLAG_TABLE_INTERIOR) {
        while (pos < 12 && pos < avail && (cell[pos] & 0x80))
            pos++;
        size = pos + 1;
    } else if (pos < avail && (n = bt_varint(cell + pos, avail - pos, &payload)) > 0
               && payload <= max_local) {
        pos += (uint32_t)n;
        if (flags == BT_FLAG_TABLE_LEAF) {  /* skip the rowid varint */
            uint32_t stop = pos + 8;
            while (pos < stop && pos < avail && (cell[pos] & 0x80))
                pos++;
            pos++;
        }
        size = pos + (uint32_t)payload;     /* the payload is all local */
        if (size < 4)
            size = 4;
    }
    if (size <= avail) {
        *size_out = size;
        return CHORUS_OK;
    }
    rc = bt_cell_parse_bytes(env, flags, cell, avail, &c);    /* spills, or corrupt */
    *size_out = rc == CHORUS_OK ? c.size : 0;
    return rc;
}

int
bt_cell_parse(const bt_env *env, const bt_page *p, uint32_t i, bt_cell *out)
{
    uint32_t off = bt_cell_offset(env, p, i);
    int rc;

    if (off == 0) {
        memset(out, 0, sizeof *out);
        return CHORUS_CORRUPT_HERE();
    }
    rc = bt_cell_parse_bytes(env, p->flags, BT_DATA(p) + off, env->usable - off, out);
    out->offset = off;
    return rc;
}

int
bt_cell_rowid(const bt_env *env, const bt_page *p, uint32_t i, int64_t *out)
{
    uint32_t off = bt_cell_offset(env, p, i), avail;
    const uint8_t *cell = BT_DATA(p) + off;
    uint64_t v;
    int n;

    *out = 0;
    if (off == 0)
        return CHORUS_CORRUPT_HERE();
    avail = env->usable - off;
    if (p->is_leaf) {               /* skip the payload size */
        n = bt_varint(cell, avail, &v);
        if (n == 0)
            return CHORUS_CORRUPT_HERE();
    } else {
        n = 4;                      /* skip the left child */
    }
    if (bt_varint(cell + n, avail - (uint32_t)n, &v) == 0)
        return CHORUS_CORRUPT_HERE();
    *out = (int64_t)v;
    return CHORUS_OK;
}

/*
 * Walks the freeblock chain: *sum_out gets the bytes in freeblocks. Checks
 * P1's order and bounds (blocks of at least 4 bytes inside the content area).
 */
static int
freeblocks_sum(const bt_env *env, const bt_page *p, uint32_t *sum_out)
{
    const uint8_t *data = BT_DATA(p);
    uint32_t fb = bt_get2(data + p->hdr + 1), sum = 0, min = bt_page_content_start(p);

    *sum_out = 0;
    while (fb != 0) {
        uint32_t size;

        if (fb < min || fb > env->usable - 4)
            return CHORUS_CORRUPT_HERE();
        size = bt_get2(data + fb + 2);
        if (size < 4 || fb + size > env->usable)
            return CHORUS_CORRUPT_HERE();
        sum += size;
        min = fb + size;
        fb = bt_get2(data + fb);
    }
    *sum_out = sum;
    return CHORUS_OK;
}

int
bt_page_free_space(const bt_env *env, const bt_page *p, uint32_t *out)
{
    uint32_t fb_sum;
    int rc = freeblocks_sum(env, p, &fb_sum);

    *out = 0;
    if (rc != CHORUS_OK)
        return rc;
    *out = bt_page_content_start(p) - (p->ptr_off + 2 * p->n_cells) + fb_sum
           + BT_DATA(p)[p->hdr + 7];
    return CHORUS_OK;
}

static void
put_content_start(bt_page *p, uint32_t cs)
{
    bt_put2(BT_DATA(p) + p->hdr + 5, cs == 65536 ? 0 : cs);
}

/* Packs every cell against the end of the usable area (no freeblocks, no
 * fragments), going through scratch (one page). The page is writable. Cell
 * pointer i is rewritten right after cell i is read: pointers live below the
 * content area, so no later read sees a new value. */
static int
defragment(const bt_env *env, bt_page *p, uint8_t *scratch)
{
    uint8_t *data = BT_DATA(p);
    uint32_t pos = env->usable, ptr_end = p->ptr_off + 2 * p->n_cells;

    for (uint32_t i = 0; i < p->n_cells; i++) {
        uint32_t off = bt_cell_offset(env, p, i), size;
        int rc;

        if (off == 0)
            return CHORUS_CORRUPT_HERE();
        rc = bt_cell_size(env, p->flags, data + off, env->usable - off, &size);
        if (rc != CHORUS_OK)
            return rc;
        if (size > pos - ptr_end)
            return CHORUS_CORRUPT_HERE();
        pos -= size;
        memcpy(scratch + pos, data + off, size);
        bt_put2(data + p->ptr_off + 2 * i, pos);
    }
    memcpy(data + pos, scratch + pos, env->usable - pos);
    bt_put2(data + p->hdr + 1, 0);
    data[p->hdr + 7] = 0;
    put_content_start(p, pos);
    return CHORUS_OK;
}

/*
 * Inserts cell as cell i of p when the page has room, defragmenting it
 * first when the room is not contiguous; *fitted_out says whether it went
 * in (p unchanged otherwise). *scratch (capacity *scratch_cap, grown with
 * bt_reserve) is the defragment's page of scratch, allocated only then.
 */
int
bt_page_insert_cell(const bt_env *env, bt_page *p, uint32_t i, const uint8_t *cell,
                    uint32_t size, uint8_t **scratch, uint32_t *scratch_cap, bool *fitted_out)
{
    uint32_t cs = bt_page_content_start(p), ptr_end = p->ptr_off + 2 * p->n_cells;
    uint8_t *data;
    int rc;

    *fitted_out = false;
    if (cs - ptr_end < size + 2) {
        uint32_t free_bytes;

        rc = bt_page_free_space(env, p, &free_bytes);
        if (rc != CHORUS_OK || free_bytes < size + 2)
            return rc;
        rc = bt_reserve(scratch, scratch_cap, env->page_size);
        if (rc == CHORUS_OK)
            rc = bt_page_make_writable(p);
        if (rc == CHORUS_OK)
            rc = defragment(env, p, *scratch);
        if (rc != CHORUS_OK)
            return rc;
        cs = bt_page_content_start(p);
    } else {
        rc = bt_page_make_writable(p);
        if (rc != CHORUS_OK)
            return rc;
    }
    data = BT_DATA(p);
    cs -= size;
    memcpy(data + cs, cell, size);
    memmove(data + p->ptr_off + 2 * (i + 1), data + p->ptr_off + 2 * i, 2 * (p->n_cells - i));
    bt_put2(data + p->ptr_off + 2 * i, cs);
    p->n_cells++;
    bt_put2(data + p->hdr + 3, p->n_cells);
    put_content_start(p, cs);
    *fitted_out = true;
    return CHORUS_OK;
}

/*
 * Returns [start, start+size) to the page's free space (rule P1): merged with
 * a neighbouring freeblock less than 4 bytes away (the bytes between are
 * fragments), absorbed into the gap when it starts at the content start.
 */
static int
free_region(const bt_env *env, bt_page *p, uint32_t start, uint32_t size)
{
    uint8_t *data = BT_DATA(p);
    uint32_t hdr = p->hdr, prev = 0, fb = bt_get2(data + hdr + 1), end = start + size;
    uint32_t frag = data[hdr + 7];

    while (fb != 0 && fb < start) {
        if (fb > env->usable - 4 || (prev != 0 && fb <= prev))
            return CHORUS_CORRUPT_HERE();
        prev = fb;
        fb = bt_get2(data + fb);
    }
    if (fb != 0 && (fb < end || fb > env->usable - 4))
        return CHORUS_CORRUPT_HERE();
    if (fb != 0 && fb - end < 4) {          /* merge with the next block */
        uint32_t gap = fb - end;
        if (gap > frag)
            return CHORUS_CORRUPT_HERE();
        frag -= gap;
        end = fb + bt_get2(data + fb + 2);
        if (end > env->usable)
            return CHORUS_CORRUPT_HERE();
        fb = bt_get2(data + fb);
    }
    if (prev != 0) {
        uint32_t prev_end = prev + bt_get2(data + prev + 2);
        if (prev_end > start)
            return CHORUS_CORRUPT_HERE();
        if (start - prev_end < 4) {         /* merge into the previous block */
            uint32_t gap = start - prev_end;
            if (gap > frag)
                return CHORUS_CORRUPT_HERE();
            frag -= gap;
            start = prev;
        }
    }
    data[hdr + 7] = (uint8_t)frag;
    if (start == bt_page_content_start(p)) {
        /* Only the first block can start at the content start. */
        bt_put2(data + hdr + 1, fb);
        put_content_start(p, end);
        return CHORUS_OK;
    }
    if (start != prev)
        bt_put2(prev == 0 ? data + hdr + 1 : data + prev, start);
    bt_put2(data + start, fb);
    bt_put2(data + start + 2, end - start);
    return CHORUS_OK;
}

int
bt_page_drop_cell(const bt_env *env, bt_page *p, uint32_t i, uint32_t size)
{
    uint32_t off;
    uint8_t *data;
    int rc;

    if (i >= p->n_cells)
        return CHORUS_CORRUPT_HERE();
    off = bt_cell_offset(env, p, i);
    if (off == 0 || off + size > env->usable)
        return CHORUS_CORRUPT_HERE();
    rc = bt_page_make_writable(p);
    if (rc != CHORUS_OK)
        return rc;
    data = BT_DATA(p);
    if (p->n_cells == 1) {                  /* rule P3 */
        p->n_cells = 0;
        bt_put2(data + p->hdr + 1, 0);
        bt_put2(data + p->hdr + 3, 0);
        data[p->hdr + 7] = 0;
        put_content_start(p, env->usable);
        return CHORUS_OK;
    }
    memmove(data + p->ptr_off + 2 * i, data + p->ptr_off + 2 * (i + 1),
            2 * (p->n_cells - i - 1));
    p->n_cells--;
    bt_put2(data + p->hdr + 3, p->n_cells);
    return free_region(env, p, off, size);
}

int
bt_page_write_cells(const bt_env *env, bt_page *p, uint8_t flags, uint8_t *const *cells,
                    const uint32_t *sizes, uint32_t n, uint32_t right)
{
    uint32_t hdr = p->pgno == 1 ? 100 : 0;
    uint32_t ptr_off = hdr + ((flags & BT_LEAF_BIT) ? 8 : 12), pos = env->usable;
    uint8_t *data;
    int rc = bt_page_make_writable(p);

    if (rc != CHORUS_OK)
        return rc;
    data = BT_DATA(p);
    for (uint32_t i = 0; i < n; i++) {
        if (sizes[i] > pos || pos - sizes[i] < ptr_off + 2 * n)
            return CHORUS_INTERNAL;
        pos -= sizes[i];
        memcpy(data + pos, cells[i], sizes[i]);
        bt_put2(data + ptr_off + 2 * i, pos);
    }
    data[hdr] = flags;
    bt_put2(data + hdr + 1, 0);
    bt_put2(data + hdr + 3, n);
    data[hdr + 7] = 0;
    if (!(flags & BT_LEAF_BIT))
        bt_put4(data + hdr + 8, right);
    p->hdr = hdr;
    put_content_start(p, pos);
    return bt_page_parse(env, p);
}

int
bt_page_init_empty(const bt_env *env, bt_page *p, uint8_t flags)
{
    return bt_page_write_cells(env, p, flags, NULL, NULL, 0, 0);
}
