/*
 * core/btree/balance.c: keeping the tree's shape after a page overflows or
 * becomes underfull.
 *
 * A change to page L of the cursor's path is described as the page's new
 * list of cells (a bt_cells, possibly too big for one page). balance_level()
 * then:
 *   1. writes the list to the page when it fits and the page is the root or
 *      not underfull (less than a third in use);
 *   2. at the root: collapses an interior root without cells into its only
 *      child (tree height shrinks), or pushes an overflowing root's cells
 *      down into a new child (height grows; the root keeps its page number);
 *   3. elsewhere: takes the page with up to two siblings (three pages around
 *      it in the parent), pours all their cells plus the dividers between
 *      them into one list, and deals that list into as few pages as hold it
 *      (BA4), evening out the fill from right to left; then replaces the old
 *      dividers in the parent with the new ones. When they fit, the parent
 *      is edited in place (its other cells are neither parsed nor copied)
 *      and balanced only if left underfull or, at the root, empty;
 *      otherwise its whole list is rebuilt and balanced (one level up, so
 *      the recursion ends at the root).
 *
 * Dividers: in a table tree a leaf divider is [left child][varint rowid of
 * the left page's last entry] and leaf cells never move up. In an index tree
 * and at interior levels, the cell between two pages moves up into the
 * parent as the divider (its left child becomes the left page's right-most
 * child) and comes down again when pages merge.
 *
 * Bulk append (sqlite3's balance_quick, balance_quick() below): a table
 * leaf that overflows by a cell appended at its end, while it is its
 * parent's right-most child, keeps its cells untouched (neither copied nor
 * rewritten) and the new cell starts a new right-most page; the parent gains
 * one divider in place. Tables filled in rowid order end up with full pages.
 *
 * Invariants kept (and checked by integrity.c)
 *   BA1 All leaves stay at the same depth (siblings share one level).
 *   BA2 No page other than the root is left without cells; only page 1 may
 *       be an interior page without cells (when its child does not fit in it).
 *   BA3 Cell bytes move verbatim, so overflow chains stay attached.
 *   BA4 A balance that is not a bulk append fills the pages it deals to at
 *       most 7/8 (deal_capacity(); a speed rule, not checked by integrity.c).
 *
 * Memory: all lists and copies of pages come from the cursor's chunks
 * (bal_alloc), which outlive one balance and are reused by the next, so a
 * balance neither zeroes nor (once the chunks have grown) allocates memory.
 * Callers: insert.c and delete.c.
 */
#include "btree_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct bt_chunk {
    bt_chunk *next;
    size_t cap;             /* bytes in data */
    size_t used;            /* bytes handed out by the running balance */
    max_align_t data[];
};

enum { BT_CHUNK_MIN = 64 * 1024 };

typedef struct balancer {
    btree_cursor *cur;
    const bt_env *env;
    bt_chunk *chunk;        /* the chunk being filled; cur->bal_mem is the first */
} balancer;

void
bt_chunks_free(bt_chunk *head)
{
    while (head != NULL) {
        bt_chunk *next = head->next;
        free(head);
        head = next;
    }
}

/* Starts a balance on cur: every chunk of the cursor is empty again. */
static void
balancer_init(balancer *b, btree_cursor *cur)
{
    b->cur = cur;
    b->env = &cur->env;
    b->chunk = cur->bal_mem;
    for (bt_chunk *c = cur->bal_mem; c != NULL; c = c->next)
        c->used = 0;
}

/*
 * n bytes (8-aligned, not zeroed) that live until the cursor's next balance
 * or its close. Fills the cursor's chunks in order and appends a new one,
 * twice the size of the last, when they are full. NULL when out of memory.
 */
static void *
bal_alloc(balancer *b, size_t n)
{
    size_t need = (n + 7) & ~(size_t)7;
    bt_chunk *c = b->chunk, **link = &b->cur->bal_mem;
    size_t cap = BT_CHUNK_MIN;

    while (c != NULL && c->cap - c->used < need) {
        cap = c->cap * 2;
        link = &c->next;
        c = c->next;
    }
    if (c == NULL) {            /* *link is the end of the cursor's list */
        while (cap < need)
            cap *= 2;
        c = malloc(sizeof *c + cap);
        if (c == NULL)
            return NULL;
        c->next = NULL;
        c->cap = cap;
        c->used = 0;
        *link = c;
    }
    b->chunk = c;
    c->used += need;
    return (uint8_t *)c->data + c->used - need;
}

/* Makes room for n more cells in c (the old arrays are left unused in the
 * balance memory). */
static int
cells_reserve(balancer *b, bt_cells *c, uint32_t n)
{
    uint32_t cap = c->cap ? c->cap : 64;
    uint8_t **cells;
    uint32_t *sizes;

    if (c->n + n <= c->cap)
        return CHORUS_OK;
    while (cap < c->n + n)
        cap *= 2;
    cells = bal_alloc(b, sizeof *cells * cap);
    sizes = bal_alloc(b, sizeof *sizes * cap);
    if (cells == NULL || sizes == NULL)
        return CHORUS_NOMEM;
    if (c->n > 0) {
        memcpy(cells, c->cell, sizeof *cells * c->n);
        memcpy(sizes, c->size, sizeof *sizes * c->n);
    }
    c->cell = cells;
    c->size = sizes;
    c->cap = cap;
    return CHORUS_OK;
}

static int
cells_push(balancer *b, bt_cells *c, uint8_t *cell, uint32_t size)
{
    if (c->n == c->cap) {
        int rc = cells_reserve(b, c, 1);
        if (rc != CHORUS_OK)
            return rc;
    }
    c->cell[c->n] = cell;
    c->size[c->n] = size;
    c->n++;
    return CHORUS_OK;
}

static uint8_t *
copy_bytes(balancer *b, const uint8_t *p, uint32_t n)
{
    uint8_t *copy = bal_alloc(b, n);

    if (copy != NULL)
        memcpy(copy, p, n);
    return copy;
}

/*
 * The cells of page p as a list pointing into a copy of the page; only each
 * cell's size is read. The loop works on local copies of env and of p's
 * header fields: the stores into the lists cannot alias them, so nothing is
 * reloaded per cell.
 */
static int
cells_from_page(balancer *b, const bt_page *p, bt_cells *out)
{
    const bt_env env = *b->env;
    const uint32_t n = p->n_cells, ptr_off = p->ptr_off, min = ptr_off + 2 * n;
    const uint8_t flags = p->flags;
    uint8_t *copy = copy_bytes(b, BT_DATA(p), env.usable);
    int rc;

    memset(out, 0, sizeof *out);
    if (copy == NULL)
        return CHORUS_NOMEM;
    out->flags = flags;
    out->right = p->is_leaf ? 0 : bt_get4(copy + p->hdr + 8);
    rc = cells_reserve(b, out, n + 1);
    for (uint32_t i = 0; i < n && rc == CHORUS_OK; i++) {
        uint32_t off = bt_get2(copy + ptr_off + 2 * i), size;

        if (off < min || off > env.usable - 4)
            return CHORUS_CORRUPT_HERE();
        rc = bt_cell_size(&env, flags, copy + off, env.usable - off, &size);
        out->cell[i] = copy + off;
        out->size[i] = size;
    }
    out->n = rc == CHORUS_OK ? n : 0;
    return rc;
}

static uint32_t
cells_used(const bt_cells *c)
{
    uint32_t used = 0;

    for (uint32_t i = 0; i < c->n; i++)
        used += c->size[i] + 2;
    return used;
}

/* Bytes for cells and pointers on a page of this kind (hdr 100 on page 1). */
static uint32_t
page_capacity(const bt_env *env, uint32_t hdr, uint8_t flags)
{
    return env->usable - hdr - ((flags & BT_LEAF_BIT) ? 8 : 12);
}

bool
bt_page_is_underfull(const bt_env *env, const bt_page *p, uint32_t free_bytes)
{
    return p->n_cells == 0 || (uint64_t)free_bytes * 3 > (uint64_t)env->usable * 2;
}

/* An index leaf cell turned into an interior cell with left child `child`. */
static uint8_t *
cell_to_interior(balancer *b, const uint8_t *cell, uint32_t child, uint32_t *size_out)
{
    bt_cell c;
    uint8_t *out;
    uint32_t n;

    if (bt_cell_parse_bytes(b->env, BT_FLAG_INDEX_LEAF, cell, bt_cell_max_size(b->env), &c)
        != CHORUS_OK)
        return NULL;
    n = c.header + c.local + (c.local < c.payload ? 4 : 0);
    out = bal_alloc(b, n + 4);
    if (out == NULL)
        return NULL;
    bt_put4(out, child);
    memcpy(out + 4, cell, n);
    *size_out = n + 4;
    return out;
}

/* An index interior cell turned into a leaf cell (padded to 4 bytes). */
static uint8_t *
cell_to_leaf(balancer *b, const uint8_t *cell, uint32_t size, uint32_t *size_out)
{
    uint32_t n = size - 4;
    uint8_t *out = bal_alloc(b, n < 4 ? 4 : n);

    if (out == NULL)
        return NULL;
    memcpy(out, cell + 4, n);
    *size_out = n < 4 ? 4 : n;
    return out;
}

/* A copy of an interior cell with its left child replaced. */
static uint8_t *
cell_with_child(balancer *b, const uint8_t *cell, uint32_t size, uint32_t child)
{
    uint8_t *out = copy_bytes(b, cell, size);

    if (out != NULL)
        bt_put4(out, child);
    return out;
}

static int balance_level(balancer *b, int level, bt_cells *content, bool bulk);
static int balance_siblings(balancer *b, int level, bt_cells *content, bool bulk);

/* Step 2a: an interior root without cells takes over its only child. */
static int
collapse_root(balancer *b, uint32_t child_pgno)
{
    btree_cursor *cur = b->cur;
    bt_page *root = &cur->path[0], child;
    bt_cells cc;
    int rc;

    bt_cursor_release_path(cur);
    rc = bt_page_get(b->env, child_pgno, &child);
    if (rc != CHORUS_OK)
        return rc;
    if (child.is_table != root->is_table || child_pgno == root->pgno) {
        bt_page_release(&child);
        return CHORUS_CORRUPT_HERE();
    }
    rc = cells_from_page(b, &child, &cc);
    bt_page_release(&child);
    if (rc != CHORUS_OK)
        return rc;
    if (cells_used(&cc) > page_capacity(b->env, root->hdr, cc.flags)) {
        /* Only page 1 is smaller than its child; it keeps no cells (BA2). */
        uint8_t flags = root->is_table ? BT_FLAG_TABLE_INTERIOR : BT_FLAG_INDEX_INTERIOR;
        return bt_page_write_cells(b->env, root, flags, NULL, NULL, 0, child_pgno);
    }
    rc = bt_page_write_cells(b->env, root, cc.flags, cc.cell, cc.size, cc.n, cc.right);
    if (rc == CHORUS_OK)
        rc = bt_free_page(b->env, child_pgno);
    return rc;
}

/* Step 2b: the root's cells move into a new child; the root points at it. */
static int
push_down(balancer *b, bt_cells *content, bool bulk)
{
    btree_cursor *cur = b->cur;
    bt_page child;
    uint8_t flags = (content->flags & 1) ? BT_FLAG_TABLE_INTERIOR : BT_FLAG_INDEX_INTERIOR;
    int rc;

    bt_cursor_release_path(cur);
    rc = bt_alloc_page(b->env, &child, content->flags);
    if (rc != CHORUS_OK)
        return rc;
    rc = bt_page_write_cells(b->env, &cur->path[0], flags, NULL, NULL, 0, child.pgno);
    if (rc != CHORUS_OK) {
        bt_page_release(&child);
        return rc;
    }
    cur->path[1] = child;       /* the path now owns the reference */
    cur->idx[0] = 0;
    cur->depth = 2;
    return balance_level(b, 1, content, bulk);
}

/*
 * Deals cells into pages of capacity cap: page j gets cells
 * [start[j], end[j]); between pages of a list that is not a table leaf list,
 * cell end[j] is the divider. *k_out gets the number of pages.
 */
static int
distribute(balancer *b, const bt_cells *all, uint32_t cap, bool table_leaf, bool bulk,
           uint32_t **start_out, uint32_t **end_out, uint32_t *k_out)
{
    uint32_t n = all->n, k = 0, tot = 0;
    uint32_t *start = bal_alloc(b, sizeof *start * (n + 1));
    uint32_t *end = bal_alloc(b, sizeof *end * (n + 1));
    uint32_t *used = bal_alloc(b, sizeof *used * (n + 1));

    if (start == NULL || end == NULL || used == NULL)
        return CHORUS_NOMEM;
    start[0] = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t sz = all->size[i] + 2;
        if (tot + sz <= cap) {
            tot += sz;
            i++;
            continue;
        }
        if (tot == 0)
            return CHORUS_CORRUPT_HERE();   /* a cell larger than a page */
        end[k] = i;
        used[k++] = tot;
        tot = 0;
        start[k] = table_leaf ? i : i + 1;
        i = start[k];
    }
    end[k] = n;
    used[k++] = tot;
    for (uint32_t j = k - 1; !bulk && j > 0; j--) {
        for (;;) {
            uint32_t last = end[j - 1] - 1;                 /* leaves the left page */
            uint32_t in = table_leaf ? last : end[j - 1];   /* joins the right page */
            uint32_t new_right = used[j] + all->size[in] + 2;
            uint32_t new_left = used[j - 1] - all->size[last] - 2;

            if (end[j - 1] - start[j - 1] <= 1 || new_right > cap)
                break;
            if (used[j] > 0 && new_right > new_left)
                break;
            used[j] = new_right;
            used[j - 1] = new_left;
            end[j - 1]--;
            start[j]--;
        }
    }
    for (uint32_t j = 0; j < k; j++) {
        if (end[j] <= start[j] && n > 0)
            return CHORUS_CORRUPT_HERE();   /* cells too big to share pages */
    }
    *start_out = start;
    *end_out = end;
    *k_out = k;
    return CHORUS_OK;
}

/*
 * BA4: the capacity to deal cells into. A balance that is not a bulk append
 * fills the pages it writes to at most 7/8 (when every cell fits that), so
 * they keep room for the inserts that come next to them. Filled to the
 * brim, the next insert nearby overflowed again at once: with random index
 * keys, 709 of 764 balances (20k keys) re-dealt three full pages into three,
 * each parsing and rewriting about a thousand cells for a few bytes of
 * room. A bulk append keeps full pages (tables filled in rowid order).
 */
static uint32_t
deal_capacity(const bt_cells *all, uint32_t cap, bool bulk)
{
    uint32_t target = cap - cap / 8;

    if (bulk)
        return cap;
    for (uint32_t i = 0; i < all->n; i++)
        if (all->size[i] + 2 > target)
            return cap;
    return target;
}

/* Appends the cells of sibling src and, unless it is the last one, the
 * parent's divider after it, to the combined list. */
static int
gather(balancer *b, bt_cells *all, const bt_cells *src, const uint8_t *divider,
       uint32_t divider_size)
{
    bool leaf = (all->flags & BT_LEAF_BIT) != 0, table = (all->flags & 1) != 0;
    int rc = cells_reserve(b, all, src->n + 1);
    uint8_t *cell;
    uint32_t size = divider_size;

    if (rc != CHORUS_OK)
        return rc;
    memcpy(all->cell + all->n, src->cell, sizeof *src->cell * src->n);
    memcpy(all->size + all->n, src->size, sizeof *src->size * src->n);
    all->n += src->n;
    all->right = src->right;
    if (divider == NULL || (leaf && table))
        return CHORUS_OK;
    if (leaf)
        cell = cell_to_leaf(b, divider, divider_size, &size);
    else
        cell = cell_with_child(b, divider, divider_size, src->right);
    return cell == NULL ? CHORUS_NOMEM : cells_push(b, all, cell, size);
}

/* The divider placed in the parent for new page j (left child pgno). */
static int
make_divider(balancer *b, const bt_cells *all, const uint32_t *end, uint32_t j, uint32_t pgno,
             uint8_t **cell_out, uint32_t *size_out)
{
    bool leaf = (all->flags & BT_LEAF_BIT) != 0, table = (all->flags & 1) != 0;

    if (leaf && table) {
        bt_cell c;
        uint32_t i = end[j] - 1;
        int rc = bt_cell_parse_bytes(b->env, all->flags, all->cell[i], all->size[i], &c);
        uint8_t *cell = bal_alloc(b, 4 + VARINT_MAX_LEN);

        if (rc != CHORUS_OK)
            return rc;
        if (cell == NULL)
            return CHORUS_NOMEM;
        bt_put4(cell, pgno);
        *size_out = 4 + (uint32_t)varint_put(cell + 4, (uint64_t)c.rowid);
        *cell_out = cell;
        return CHORUS_OK;
    }
    if (leaf)
        *cell_out = cell_to_interior(b, all->cell[end[j]], pgno, size_out);
    else {
        *size_out = all->size[end[j]];
        *cell_out = cell_with_child(b, all->cell[end[j]], *size_out, pgno);
    }
    return *cell_out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

/* Writes the k new sibling pages; pgnos[j] gets page j's number. */
static int
write_siblings(balancer *b, const bt_cells *all, const uint32_t *start, const uint32_t *end,
               uint32_t k, const uint32_t *old, uint32_t m, uint32_t *pgnos)
{
    bool leaf = (all->flags & BT_LEAF_BIT) != 0;
    int rc = CHORUS_OK;

    for (uint32_t j = 0; j < k && rc == CHORUS_OK; j++) {
        bt_page p;
        uint32_t right = 0;

        if (j < m) {
            memset(&p, 0, sizeof p);
            rc = pager_page_get(b->env->tx, old[j], &p.pg);
            p.pgno = old[j];
        } else {
            rc = bt_alloc_page(b->env, &p, all->flags);
        }
        if (rc != CHORUS_OK)
            break;
        pgnos[j] = p.pgno;
        if (!leaf)
            right = j + 1 < k ? bt_get4(all->cell[end[j]]) : all->right;
        rc = bt_page_write_cells(b->env, &p, all->flags, all->cell + start[j], all->size + start[j],
                                 end[j] - start[j], right);
        bt_page_release(&p);
    }
    for (uint32_t j = k; j < m && rc == CHORUS_OK; j++)
        rc = bt_free_page(b->env, old[j]);
    return rc;
}

/* The new dividers that replace a group of siblings in their parent, and
 * the page that becomes the group's last child. */
typedef struct bt_dividers {
    uint8_t **cell;
    uint32_t *size;
    uint32_t n;
    uint32_t last_child;
} bt_dividers;

/*
 * Step 3e, general case: the parent's cell list is rebuilt with the cells
 * before the group, the new dividers and the cells after it, and balanced
 * (used when the dividers do not fit in place).
 */
static int
parent_rebuild(balancer *b, int level, uint32_t first, uint32_t last, const bt_dividers *d)
{
    bt_cells pc, parent = {0};
    int rc = cells_from_page(b, &b->cur->path[level], &pc);

    if (rc != CHORUS_OK)
        return rc;
    parent.flags = pc.flags;
    parent.right = last == pc.n ? d->last_child : pc.right;
    rc = cells_reserve(b, &parent, pc.n + d->n);
    for (uint32_t i = 0; i < first && rc == CHORUS_OK; i++)
        rc = cells_push(b, &parent, pc.cell[i], pc.size[i]);
    for (uint32_t j = 0; j < d->n && rc == CHORUS_OK; j++)
        rc = cells_push(b, &parent, d->cell[j], d->size[j]);
    for (uint32_t i = last; i < pc.n && rc == CHORUS_OK; i++) {
        uint8_t *cell = i == last ? cell_with_child(b, pc.cell[i], pc.size[i], d->last_child)
                                  : pc.cell[i];
        rc = cell == NULL ? CHORUS_NOMEM : cells_push(b, &parent, cell, pc.size[i]);
    }
    if (rc != CHORUS_OK)
        return rc;
    return balance_level(b, level, &parent, false);
}

/* The size of cell i of p, read in place. */
static int
page_cell_size(const bt_env *env, const bt_page *p, uint32_t i, uint32_t *size_out)
{
    uint32_t off = bt_cell_offset(env, p, i);

    *size_out = 0;
    if (off == 0)
        return CHORUS_CORRUPT_HERE();
    return bt_cell_size(env, p->flags, BT_DATA(p) + off, env->usable - off, size_out);
}

/*
 * After the in-place edit of step 3e the parent may hold no cells (an
 * interior root collapses into its child) or too few (a non-root page is
 * balanced with its siblings): the same outcomes balance_level() gives.
 */
static int
parent_settle(balancer *b, int level)
{
    bt_page *p = &b->cur->path[level];
    bt_cells content;
    uint32_t free_bytes;
    int rc;

    if (level == 0) {
        if (p->n_cells > 0)
            return CHORUS_OK;
        return collapse_root(b, bt_get4(BT_DATA(p) + p->hdr + 8));
    }
    rc = bt_page_free_space(b->env, p, &free_bytes);
    if (rc != CHORUS_OK || !bt_page_is_underfull(b->env, p, free_bytes))
        return rc;
    rc = cells_from_page(b, p, &content);
    return rc != CHORUS_OK ? rc : balance_siblings(b, level, &content, false);
}

/*
 * Step 3e: the parent at level loses the old dividers of children
 * [first, last] and gains d's, and the child after them (or its right-most
 * pointer) becomes d->last_child. Edited in place when the new dividers fit,
 * so the parent's other cells are neither parsed nor copied; otherwise
 * rebuilt by parent_rebuild().
 */
static int
parent_update(balancer *b, int level, uint32_t first, uint32_t last, const bt_dividers *d)
{
    btree_cursor *cur = b->cur;
    bt_page *p = &cur->path[level];
    uint32_t free_bytes, size;
    uint64_t need = 0;
    uint8_t *data;
    bool fitted;
    int rc = bt_page_free_space(b->env, p, &free_bytes);

    for (uint32_t i = first; i < last && rc == CHORUS_OK; i++) {
        rc = page_cell_size(b->env, p, i, &size);
        free_bytes += size + 2;
    }
    for (uint32_t j = 0; j < d->n; j++)
        need += d->size[j] + 2;
    if (rc != CHORUS_OK)
        return rc;
    if (need > free_bytes)
        return parent_rebuild(b, level, first, last, d);
    rc = bt_page_make_writable(p);
    if (rc != CHORUS_OK)
        return rc;
    data = BT_DATA(p);
    if (last < p->n_cells) {
        uint32_t off = bt_cell_offset(b->env, p, last);
        if (off == 0)
            return CHORUS_CORRUPT_HERE();
        bt_put4(data + off, d->last_child);
    } else {
        bt_put4(data + p->hdr + 8, d->last_child);
    }
    for (uint32_t i = last; i > first && rc == CHORUS_OK; i--) {
        rc = page_cell_size(b->env, p, i - 1, &size);
        if (rc == CHORUS_OK)
            rc = bt_page_drop_cell(b->env, p, i - 1, size);
    }
    for (uint32_t j = 0; j < d->n && rc == CHORUS_OK; j++) {
        rc = bt_page_insert_cell(b->env, p, first + j, d->cell[j], d->size[j], &cur->scratch,
                                 &cur->scratch_cap, &fitted);
        if (rc == CHORUS_OK && !fitted)
            rc = CHORUS_INTERNAL;       /* the space was counted above */
    }
    return rc != CHORUS_OK ? rc : parent_settle(b, level);
}

/*
 * sqlite3's balance_quick: the table leaf at level, the right-most child of
 * its parent, overflowed by a cell appended after its last one. The leaf
 * keeps its cells untouched; the new cell starts a new right-most leaf, and
 * the parent gains one divider (the leaf's last rowid). Tables filled in
 * rowid order so end up with full pages, each written once.
 */
static int
balance_quick(balancer *b, int level, const uint8_t *cell, uint32_t size)
{
    btree_cursor *cur = b->cur;
    bt_page *leaf = &cur->path[level], fresh;
    uint8_t divider[4 + VARINT_MAX_LEN], *div_cell = divider;
    uint32_t div_size = 0;
    bt_dividers d = {.cell = &div_cell, .size = &div_size, .n = 1};
    int64_t rowid;
    bool fitted;
    int rc = bt_cell_rowid(b->env, leaf, leaf->n_cells - 1, &rowid);

    if (rc == CHORUS_OK)
        rc = bt_alloc_page(b->env, &fresh, BT_FLAG_TABLE_LEAF);
    if (rc != CHORUS_OK)
        return rc;
    rc = bt_page_insert_cell(b->env, &fresh, 0, cell, size, &cur->scratch, &cur->scratch_cap,
                             &fitted);
    if (rc == CHORUS_OK && !fitted)
        rc = CHORUS_INTERNAL;           /* one cell always fits an empty page */
    d.last_child = fresh.pgno;
    bt_page_release(&fresh);
    if (rc != CHORUS_OK)
        return rc;
    bt_put4(divider, leaf->pgno);
    div_size = 4 + (uint32_t)varint_put(divider + 4, (uint64_t)rowid);
    bt_cursor_truncate_path(cur, level);    /* keeps the parent and above */
    return parent_update(b, level - 1, cur->idx[level - 1], cur->idx[level - 1], &d);
}

/*
 * Step 3 of the file comment:
 *   3a. choose the siblings: the page and up to two neighbours (only the
 *       page itself for a bulk append at the right edge);
 *   3b. gather their cells and the dividers between them into one list;
 *   3c. distribute the list into k pages;
 *   3d. write the pages, reusing the old page numbers, allocating or
 *       freeing the difference;
 *   3e. replace the old dividers in the parent with the new ones
 *       (parent_update), which balances the parent when needed.
 */
static int
balance_siblings(balancer *b, int level, bt_cells *content, bool bulk)
{
    btree_cursor *cur = b->cur;
    bt_page *pp = &cur->path[level - 1];
    uint32_t pidx = cur->idx[level - 1], n_parent = pp->n_cells, first, last, m, k = 0;
    uint32_t old[3], *pgnos, *start = NULL, *end = NULL;
    bt_cells all = {.flags = content->flags};
    bt_dividers d = {0};
    bool table_leaf = content->flags == BT_FLAG_TABLE_LEAF;
    int rc = CHORUS_OK;

    if (pidx > n_parent)
        return CHORUS_CORRUPT_HERE();
    bulk = bulk && table_leaf && pidx == n_parent;     /* 3a */
    if (bulk)
        first = last = pidx;
    else if (n_parent < 2)
        first = 0, last = n_parent;
    else {
        first = pidx == 0 ? 0 : pidx - 1;
        if (first + 2 > n_parent)
            first = n_parent - 2;
        last = first + 2;
    }
    m = last - first + 1;
    for (uint32_t s = 0; s < m && rc == CHORUS_OK; s++) {
        uint32_t ci = first + s, div_size = 0;
        uint8_t *div = NULL;
        bt_cells sib;
        const bt_cells *src = content;

        old[s] = bt_page_child(b->env, pp, ci);
        if (s + 1 < m) {
            uint32_t off = bt_cell_offset(b->env, pp, ci);
            if (off == 0)
                return CHORUS_CORRUPT_HERE();
            div = BT_DATA(pp) + off;    /* read by gather() before the parent changes */
            rc = page_cell_size(b->env, pp, ci, &div_size);
        }
        if (rc == CHORUS_OK && ci != pidx) {
            bt_page p;
            if (old[s] < 2)
                return CHORUS_CORRUPT_HERE();
            rc = bt_page_get(b->env, old[s], &p);
            if (rc != CHORUS_OK)
                return rc;
            if (p.flags != content->flags || p.n_cells == 0)
                rc = CHORUS_CORRUPT_HERE();
            else
                rc = cells_from_page(b, &p, &sib);
            bt_page_release(&p);
            src = &sib;
        } else if (rc == CHORUS_OK && old[s] != cur->path[level].pgno) {
            rc = CHORUS_CORRUPT_HERE();
        }
        if (rc == CHORUS_OK)                                /* 3b */
            rc = gather(b, &all, src, div, div_size);
    }
    if (rc == CHORUS_OK)                                    /* 3c */
        rc = distribute(b, &all, deal_capacity(&all, page_capacity(b->env, 0, all.flags), bulk),
                        table_leaf, bulk, &start, &end, &k);
    if (rc != CHORUS_OK)
        return rc;
    pgnos = bal_alloc(b, sizeof *pgnos * k);
    d.cell = bal_alloc(b, sizeof *d.cell * k);
    d.size = bal_alloc(b, sizeof *d.size * k);
    if (pgnos == NULL || d.cell == NULL || d.size == NULL)
        return CHORUS_NOMEM;
    bt_cursor_truncate_path(cur, level);    /* keeps the parent and above */
    rc = write_siblings(b, &all, start, end, k, old, m, pgnos);     /* 3d */
    for (uint32_t j = 0; j + 1 < k && rc == CHORUS_OK; j++, d.n++)
        rc = make_divider(b, &all, end, j, pgnos[j], &d.cell[j], &d.size[j]);
    d.last_child = pgnos[k - 1];
    return rc != CHORUS_OK ? rc : parent_update(b, level - 1, first, last, &d);     /* 3e */
}

static int
balance_level(balancer *b, int level, bt_cells *content, bool bulk)
{
    bt_page *p = &b->cur->path[level];
    uint32_t cap = page_capacity(b->env, p->hdr, content->flags), used = cells_used(content);

    if (level == 0) {
        if (!(content->flags & BT_LEAF_BIT) && content->n == 0)
            return collapse_root(b, content->right);
        if (used <= cap)
            return bt_page_write_cells(b->env, p, content->flags, content->cell, content->size,
                                       content->n, content->right);
        return push_down(b, content, bulk);
    }
    if (used <= cap && content->n > 0
        && (uint64_t)(cap - used) * 3 <= (uint64_t)b->env->usable * 2)
        return bt_page_write_cells(b->env, p, content->flags, content->cell, content->size,
                                   content->n, content->right);
    return balance_siblings(b, level, content, bulk);
}

/* Ends a balance: releases the cursor's path (the caller saves its
 * position). Returns rc. */
static int
balance_finish(btree_cursor *cur, int rc)
{
    bt_cursor_release_path(cur);
    return rc;
}

/* Whether a new cell at `at` of the page at level qualifies for
 * balance_quick(): a bulk append after the last cell of a table leaf that
 * is its parent's right-most child. */
static bool
quick_applies(const btree_cursor *cur, int level, uint32_t at, bool bulk)
{
    const bt_page *p = &cur->path[level];

    return bulk && level > 0 && p->flags == BT_FLAG_TABLE_LEAF && p->n_cells > 0
           && at == p->n_cells && cur->idx[level - 1] == cur->path[level - 1].n_cells;
}

int
bt_balance_replace(btree_cursor *cur, int level, uint32_t at, bool remove_old,
                   const uint8_t *cell, uint32_t size, bool bulk)
{
    balancer b;
    bt_cells page, content = {0};
    uint8_t *copy;
    int rc;

    balancer_init(&b, cur);
    if (!remove_old && quick_applies(cur, level, at, bulk))
        return balance_finish(cur, balance_quick(&b, level, cell, size));
    rc = cells_from_page(&b, &cur->path[level], &page);
    copy = copy_bytes(&b, cell, size);
    if (rc == CHORUS_OK && copy == NULL)
        rc = CHORUS_NOMEM;
    content.flags = page.flags;
    content.right = page.right;
    if (rc == CHORUS_OK)
        rc = cells_reserve(&b, &content, page.n + 1);
    for (uint32_t i = 0; i <= page.n && rc == CHORUS_OK; i++) {
        if (i == at)
            rc = cells_push(&b, &content, copy, size);
        if (rc == CHORUS_OK && i < page.n && !(remove_old && i == at))
            rc = cells_push(&b, &content, page.cell[i], page.size[i]);
    }
    if (rc == CHORUS_OK)
        rc = balance_level(&b, level, &content, bulk && at == page.n);
    return balance_finish(cur, rc);
}

int
bt_balance_underfull(btree_cursor *cur, int level)
{
    balancer b;
    bt_cells content;
    int rc;

    balancer_init(&b, cur);
    rc = cells_from_page(&b, &cur->path[level], &content);
    if (rc == CHORUS_OK)
        rc = balance_level(&b, level, &content, false);
    return balance_finish(cur, rc);
}
