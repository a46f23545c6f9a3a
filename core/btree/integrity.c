/*
 * core/btree/integrity.c: the structural check behind PRAGMA
 * integrity_check.
 *
 * What is checked
 *   I1  Every page of the file is used exactly once: by one tree, one
 *       overflow chain or the freelist ("2nd reference to page N",
 *       "Page N: never used"); the lock-byte page is exempt.
 *   I2  The freelist: trunk leaf counts within bounds, and the number of
 *       pages equals header field 36.
 *   I3  Each b-tree page: a valid header and page kind, cells inside the
 *       page and not overlapping each other, the header or freeblocks;
 *       freeblocks in order; the fragment count equals the bytes no cell or
 *       freeblock covers; non-root pages hold cells.
 *   I4  Keys in order: table rowids strictly increasing with dividers >= the
 *       keys on their left and < those on their right; index entries
 *       strictly increasing under their key_info.
 *   I5  All leaves of a tree at one depth; overflow chains of the right
 *       length.
 * Messages follow sqlite3's wording; the first is preceded by the line
 * "*** in database main ***". A sound file produces no lines at all.
 *
 * Memory: a page-sized coverage map, a page-usage map and key buffers, all
 * freed before returning. Callers: the catalog's PRAGMA integrity_check.
 */
#include "btree_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct checker {
    bt_env env;
    uint32_t n_pages;
    uint8_t *seen;              /* owned: 1 per page already used */
    uint8_t *cover;             /* owned: per-byte use of the page being checked */
    strbuf *errors;             /* borrowed */
    int max_errors;
    int n_errors;
    const key_info *ki;         /* borrowed; the current index's */
    bool has_last;
    int64_t last_rowid;
    uint8_t *last_key;          /* owned: previous index key */
    uint32_t last_len, last_cap;
    uint8_t *key;               /* owned: current index key */
    uint32_t key_cap;
} checker;

static void check_error(checker *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check_error(checker *ck, const char *fmt, ...)
{
    va_list ap;

    if (ck->n_errors >= ck->max_errors)
        return;
    if (ck->n_errors == 0)
        strbuf_puts(ck->errors, "*** in database main ***\n");
    va_start(ap, fmt);
    strbuf_vprintf(ck->errors, fmt, ap);
    va_end(ap);
    strbuf_putc(ck->errors, '\n');
    ck->n_errors++;
}

static uint32_t
lock_page(const checker *ck)
{
    return 1073741824u / ck->env.page_size + 1;
}

/* Marks pgno used (rule I1); false when it may not be read. */
static bool
mark_page(checker *ck, uint32_t pgno)
{
    if (pgno < 1 || pgno > ck->n_pages || pgno == lock_page(ck)) {
        check_error(ck, "invalid page number %u", pgno);
        return false;
    }
    if (ck->seen[pgno]) {
        check_error(ck, "2nd reference to page %u", pgno);
        return false;
    }
    ck->seen[pgno] = 1;
    return true;
}

/* Rule I2. */
static void
check_freelist(checker *ck, const uint8_t *page1)
{
    uint32_t trunk = bt_get4(page1 + 32), expected = bt_get4(page1 + 36), count = 0;

    while (trunk != 0 && mark_page(ck, trunk)) {
        pager_page *pg;
        uint32_t n_leaves;

        if (pager_page_get(ck->env.tx, trunk, &pg) != CHORUS_OK) {
            check_error(ck, "Main freelist: cannot read page %u", trunk);
            return;
        }
        n_leaves = bt_get4(pg->data + 4);
        if (n_leaves > ck->env.usable / 4 - 2) {
            check_error(ck, "freelist leaf count too big on page %u", trunk);
            pager_page_release(pg);
            return;
        }
        for (uint32_t i = 0; i < n_leaves; i++)
            mark_page(ck, bt_get4(pg->data + 8 + 4 * i));
        count += 1 + n_leaves;
        trunk = bt_get4(pg->data);
        pager_page_release(pg);
    }
    if (count != expected)
        check_error(ck, "Main freelist: size is %u but should be %u", count, expected);
}

/* Rule I5, overflow part. */
static void
check_overflow(checker *ck, uint32_t pgno, uint32_t i, const bt_cell *c)
{
    uint32_t want = (c->payload - c->local + ck->env.usable - 5) / (ck->env.usable - 4);
    uint32_t next = c->overflow, n = 0;

    while (n < want && next != 0 && mark_page(ck, next)) {
        pager_page *pg;
        if (pager_page_get(ck->env.tx, next, &pg) != CHORUS_OK)
            break;
        n++;
        next = bt_get4(pg->data);
        pager_page_release(pg);
    }
    if (n < want)
        check_error(ck, "Page %u cell %u: overflow list length is %u but should be %u", pgno, i,
                    n, want);
    else if (next != 0)
        check_error(ck, "Page %u cell %u: extends past the end of its overflow chain", pgno, i);
}

/* Marks [start, end) of the page; false (once reported) on overlap. */
static bool
cover(checker *ck, uint32_t pgno, uint32_t start, uint32_t end)
{
    for (uint32_t b = start; b < end; b++) {
        if (ck->cover[b]) {
            check_error(ck, "Multiple uses for byte %u of page %u", b, pgno);
            return false;
        }
        ck->cover[b] = 1;
    }
    return true;
}

/* Rule I3 for one page; *ok_out false when its cells cannot be trusted. */
static void
check_layout(checker *ck, const bt_page *p, bool *ok_out)
{
    const uint8_t *data = BT_DATA(p);
    uint32_t u = ck->env.usable, ptr_end = p->ptr_off + 2 * p->n_cells;
    uint32_t cs = bt_page_content_start(p), fb, prev_end = 0, uncovered = 0;
    bool ok = true;

    memset(ck->cover, 0, u);
    cover(ck, p->pgno, 0, ptr_end);
    cover(ck, p->pgno, ptr_end, cs);
    for (uint32_t i = 0; i < p->n_cells && ok; i++) {
        bt_cell c;
        uint32_t off = bt_get2(data + p->ptr_off + 2 * i);
        if (off < cs || off > u - 4 || bt_cell_parse(&ck->env, p, i, &c) != CHORUS_OK) {
            check_error(ck, "Page %u cell %u: offset %u out of range", p->pgno, i, off);
            ok = false;
        } else {
            ok = cover(ck, p->pgno, off, off + c.size);
        }
    }
    for (fb = bt_get2(data + p->hdr + 1); fb != 0 && ok; fb = bt_get2(data + fb)) {
        uint32_t size = fb <= u - 4 ? bt_get2(data + fb + 2) : 0;
        if (fb < cs || fb <= prev_end || size < 4 || fb + size > u) {
            check_error(ck, "Page %u: corrupt freeblock at offset %u", p->pgno, fb);
            ok = false;
            break;
        }
        ok = cover(ck, p->pgno, fb, fb + size);
        prev_end = fb + size;
    }
    for (uint32_t b = 0; b < u && ok; b++)
        uncovered += !ck->cover[b];
    if (ok && uncovered != data[p->hdr + 7])
        check_error(ck, "Fragmentation of %u bytes reported as %u on page %u", uncovered,
                    data[p->hdr + 7], p->pgno);
    *ok_out = ok;
}

/* Rule I4 for one entry or divider. */
static void
check_key(checker *ck, const bt_page *p, uint32_t i, const bt_cell *c)
{
    const uint8_t *payload = BT_DATA(p) + c->offset + c->header;
    int rc = CHORUS_OK, cmp;

    if (p->is_table) {
        bool divider = !p->is_leaf;
        if (ck->has_last && (divider ? c->rowid < ck->last_rowid : c->rowid <= ck->last_rowid))
            check_error(ck, "Page %u cell %u: Rowid %lld out of order", p->pgno, i,
                        (long long)c->rowid);
        ck->last_rowid = c->rowid;
        ck->has_last = true;
        return;
    }
    if (c->local < c->payload) {
        rc = bt_reserve(&ck->key, &ck->key_cap, c->payload);
        if (rc == CHORUS_OK)
            rc = bt_payload_read(&ck->env, BT_DATA(p) + c->offset, c, ck->key);
        payload = ck->key;
    }
    if (rc != CHORUS_OK)
        return;                         /* the chain was reported by check_overflow */
    if (ck->has_last) {
        cmp = record_compare(ck->ki, ck->last_key, ck->last_len, payload, c->payload, &rc);
        if (rc != CHORUS_OK)
            check_error(ck, "Page %u cell %u: corrupt index record", p->pgno, i);
        else if (cmp >= 0)
            check_error(ck, "Page %u cell %u: index key out of order", p->pgno, i);
    }
    if (bt_reserve(&ck->last_key, &ck->last_cap, c->payload) == CHORUS_OK) {
        memmove(ck->last_key, payload, c->payload);
        ck->last_len = c->payload;
        ck->has_last = true;
    }
}

/* Checks the subtree at pgno in key order; *height_out gets its height. */
static void
check_page(checker *ck, uint32_t pgno, int depth, bool is_root, bool is_table, int *height_out)
{
    bt_page p;
    bool ok;
    int height = -1;

    *height_out = -1;
    if (depth >= BTREE_MAX_DEPTH) {
        check_error(ck, "Page %u: the tree is too deep (a loop?)", pgno);
        return;
    }
    if (!mark_page(ck, pgno))
        return;
    if (bt_page_get(&ck->env, pgno, &p) != CHORUS_OK) {
        check_error(ck, "Page %u: bad b-tree page header", pgno);
        return;
    }
    if (p.is_table != is_table)
        check_error(ck, "Page %u: wrong page type", pgno);
    else if (!is_root && p.n_cells == 0)
        check_error(ck, "Page %u: no cells on a non-root page", pgno);
    check_layout(ck, &p, &ok);
    for (uint32_t i = 0; ok && p.is_table == is_table && i <= p.n_cells; i++) {
        bt_cell c = {0};
        int h = 0;
        if (i < p.n_cells && bt_cell_parse(&ck->env, &p, i, &c) != CHORUS_OK)
            break;
        if (!p.is_leaf)
            check_page(ck, bt_page_child(&ck->env, &p, i), depth + 1, false, is_table, &h);
        if (!p.is_leaf && height >= 0 && h != height)
            check_error(ck, "Page %u: Child page depth differs", pgno);
        height = h;
        if (i == p.n_cells)
            break;
        if (c.local < c.payload)
            check_overflow(ck, pgno, i, &c);
        check_key(ck, &p, i, &c);
    }
    *height_out = p.is_leaf ? 0 : height + 1;
    bt_page_release(&p);
}

static void
check_unused(checker *ck)
{
    for (uint32_t pgno = 1; pgno <= ck->n_pages; pgno++) {
        if (!ck->seen[pgno] && pgno != lock_page(ck))
            check_error(ck, "Page %u: never used", pgno);
    }
}

int
btree_integrity_check(pager_tx *tx, const uint32_t *roots, const key_info *const *kis,
                      int n_roots, int max_errors, strbuf *errors, int *n_errors_out)
{
    checker ck = {.errors = errors, .max_errors = max_errors};
    pager_page *page1 = NULL;
    int rc, height;

    *n_errors_out = 0;
    ck.n_pages = pager_tx_page_count(tx);
    if (ck.n_pages == 0)
        return CHORUS_OK;
    rc = bt_env_init(&ck.env, tx);
    if (rc != CHORUS_OK)
        return rc;
    ck.seen = calloc((size_t)ck.n_pages + 1, 1);
    ck.cover = malloc(ck.env.page_size);
    rc = ck.seen == NULL || ck.cover == NULL ? CHORUS_NOMEM : pager_page_get(tx, 1, &page1);
    if (rc == CHORUS_OK) {
        check_freelist(&ck, page1->data);
        for (int i = 0; i < n_roots; i++) {
            bt_page root;
            bool is_table = true;
            if (roots[i] >= 1 && roots[i] <= ck.n_pages
                && bt_page_get(&ck.env, roots[i], &root) == CHORUS_OK) {
                is_table = root.is_table;
                bt_page_release(&root);
            }
            ck.ki = kis != NULL ? kis[i] : NULL;
            ck.has_last = false;
            check_page(&ck, roots[i], 0, true, is_table, &height);
        }
        check_unused(&ck);
        pager_page_release(page1);
    }
    free(ck.seen);
    free(ck.cover);
    free(ck.last_key);
    free(ck.key);
    *n_errors_out = ck.n_errors;
    return rc;
}
