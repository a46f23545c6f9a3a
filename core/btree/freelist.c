/*
 * core/btree/freelist.c: page allocation and the freelist.
 *
 * Layout: header field 32 of page 1 is the first trunk page, field 36 the
 * count of all free pages (trunks and leaves). A trunk page is
 * [next trunk 4][leaf count L 4][L leaf page numbers 4 each].
 *
 * Invariants
 *   F1  Free pages are reused before the file grows.
 *   F2  A trunk holds at most U/4 - 8 leaves (sqlite3 leaves the last six
 *       slots unused); one read with more than U/4 - 2 is corrupt.
 *   F3  Fields 32 and 36 change together, in the same write of page 1.
 *   F4  When the file grows, field 28 (database size in pages) is set to the
 *       new page count, so the header stays valid for sqlite3.
 * Callers: overflow.c, balance.c, meta.c, delete.c.
 */
#include "btree_int.h"

#include <string.h>

/* Page 1, writable. */
static int
page1_write(const bt_env *env, pager_page **out)
{
    int rc = pager_page_get(env->tx, 1, out);

    if (rc != CHORUS_OK)
        return rc;
    rc = pager_page_write(*out);
    if (rc != CHORUS_OK) {
        pager_page_release(*out);
        *out = NULL;
    }
    return rc;
}

/* Gets pgno writable, checking it is a page of the file other than page 1. */
static int
page_get_writable(const bt_env *env, uint32_t pgno, pager_page **out)
{
    int rc;

    *out = NULL;
    if (pgno < 2 || pgno > pager_tx_page_count(env->tx))
        return CHORUS_CORRUPT_HERE();
    rc = pager_page_get(env->tx, pgno, out);
    if (rc != CHORUS_OK)
        return rc;
    rc = pager_page_write(*out);
    if (rc != CHORUS_OK) {
        pager_page_release(*out);
        *out = NULL;
    }
    return rc;
}

static int
grow_file(const bt_env *env, pager_page *p1, pager_page **out)
{
    int rc = pager_page_append(env->tx, out);

    if (rc == CHORUS_OK)
        bt_put4(p1->data + 28, pager_tx_page_count(env->tx));      /* rule F4 */
    return rc;
}

/* Takes a page from the freelist of page 1 (writable) into *out. */
static int
freelist_take(const bt_env *env, pager_page *p1, pager_page **out)
{
    uint32_t first = bt_get4(p1->data + 32), count = bt_get4(p1->data + 36), n_leaves, next;
    pager_page *trunk;
    int rc = page_get_writable(env, first, &trunk);

    if (rc != CHORUS_OK)
        return rc;
    next = bt_get4(trunk->data);
    n_leaves = bt_get4(trunk->data + 4);
    if (n_leaves > env->usable / 4 - 2) {
        pager_page_release(trunk);
        return CHORUS_CORRUPT_HERE();
    }
    if (n_leaves == 0) {                    /* the trunk itself is the page */
        bt_put4(p1->data + 32, next);
        *out = trunk;
    } else {
        uint32_t pgno = bt_get4(trunk->data + 8 + 4 * (n_leaves - 1));
        bt_put4(trunk->data + 4, n_leaves - 1);
        pager_page_release(trunk);
        rc = page_get_writable(env, pgno, out);
        if (rc != CHORUS_OK)
            return rc;
    }
    bt_put4(p1->data + 36, count - 1);     /* rule F3 */
    return CHORUS_OK;
}

int
bt_alloc_raw(const bt_env *env, pager_page **out)
{
    pager_page *p1;
    int rc = page1_write(env, &p1);

    *out = NULL;
    if (rc != CHORUS_OK)
        return rc;
    if (bt_get4(p1->data + 36) > 0 && bt_get4(p1->data + 32) != 0)
        rc = freelist_take(env, p1, out);   /* rule F1 */
    else
        rc = grow_file(env, p1, out);
    pager_page_release(p1);
    return rc;
}

int
bt_alloc_page(const bt_env *env, bt_page *out, uint8_t flags)
{
    int rc;

    memset(out, 0, sizeof *out);
    rc = bt_alloc_raw(env, &out->pg);
    if (rc != CHORUS_OK)
        return rc;
    out->pgno = out->pg->pgno;
    rc = bt_page_init_empty(env, out, flags);
    if (rc != CHORUS_OK)
        bt_page_release(out);
    return rc;
}

int
bt_free_page(const bt_env *env, uint32_t pgno)
{
    pager_page *p1, *pg;
    uint32_t first, count;
    int rc;

    if (pgno < 2 || pgno > pager_tx_page_count(env->tx))
        return CHORUS_CORRUPT_HERE();
    rc = page1_write(env, &p1);
    if (rc != CHORUS_OK)
        return rc;
    first = bt_get4(p1->data + 32);
    count = bt_get4(p1->data + 36);
    if (first != 0) {
        rc = page_get_writable(env, first, &pg);
        if (rc != CHORUS_OK)
            goto done;
        uint32_t n_leaves = bt_get4(pg->data + 4);
        if (n_leaves > env->usable / 4 - 2) {
            pager_page_release(pg);
            rc = CHORUS_CORRUPT_HERE();
            goto done;
        }
        if (n_leaves < env->usable / 4 - 8) {       /* rule F2 */
            bt_put4(pg->data + 8 + 4 * n_leaves, pgno);
            bt_put4(pg->data + 4, n_leaves + 1);
            bt_put4(p1->data + 36, count + 1);
            pager_page_release(pg);
            goto done;
        }
        pager_page_release(pg);
    }
    rc = page_get_writable(env, pgno, &pg);     /* pgno becomes the first trunk */
    if (rc != CHORUS_OK)
        goto done;
    bt_put4(pg->data, first);
    bt_put4(pg->data + 4, 0);
    pager_page_release(pg);
    bt_put4(p1->data + 32, pgno);
    bt_put4(p1->data + 36, count + 1);
done:
    pager_page_release(p1);
    return rc;
}
