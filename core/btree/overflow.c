/*
 * core/btree/overflow.c: building cells and the overflow chains of payloads
 * too large to stay on their page.
 *
 * With U the usable size and P the payload size: X = U-35 for table leaves
 * and (U-12)*64/255-23 for index cells, M = (U-12)*32/255-23,
 * K = M + (P-M) % (U-4). P <= X stays local; otherwise K bytes stay local
 * when K <= X, else M bytes. The rest goes to a chain of overflow pages, each
 * [next pgno 4][U-4 bytes of payload], the last with next = 0.
 *
 * Invariants: a chain holds exactly ceil((P - local) / (U - 4)) pages; the
 * readers here never follow more links than that, so a loop in a corrupt
 * chain cannot make them spin.
 * Ownership: cell_out/dst are the caller's buffers (bt_cell_max_size bytes /
 * P bytes). Callers: insert.c, delete.c, cursor.c, balance.c, meta.c.
 */
#include "btree_int.h"

#include <string.h>

uint32_t
bt_cell_max_size(const bt_env *env)
{
    /* child + two varints + the largest local part + the overflow pointer */
    return 4 + 9 + 9 + env->max_local_table + 4;
}

/* Writes the part of data after the local prefix into a new overflow chain;
 * *first_out gets its first page. */
static int
overflow_write(const bt_env *env, const uint8_t *data, uint32_t nbytes, uint32_t *first_out)
{
    pager_page *prev = NULL, *pg;
    uint32_t chunk = env->usable - 4;
    int rc = CHORUS_OK;

    *first_out = 0;
    while (nbytes > 0) {
        uint32_t n = nbytes < chunk ? nbytes : chunk;

        rc = bt_alloc_raw(env, &pg);
        if (rc != CHORUS_OK)
            break;
        bt_put4(pg->data, 0);
        memcpy(pg->data + 4, data, n);
        if (prev == NULL)
            *first_out = pg->pgno;
        else {
            bt_put4(prev->data, pg->pgno);
            pager_page_release(prev);
        }
        prev = pg;
        data += n;
        nbytes -= n;
    }
    if (prev != NULL)
        pager_page_release(prev);
    return rc;
}

int
bt_cell_build(const bt_env *env, uint8_t flags, int64_t rowid, const uint8_t *data,
              uint32_t nbytes, uint8_t *cell_out, uint32_t *size_out)
{
    uint32_t pos, local;
    int rc;

    *size_out = 0;
    if (nbytes > 0x7fffffff)
        return CHORUS_TOOBIG;
    pos = (uint32_t)varint_put(cell_out, nbytes);
    if (flags == BT_FLAG_TABLE_LEAF)
        pos += (uint32_t)varint_put(cell_out + pos, (uint64_t)rowid);
    local = bt_local_size(env, flags == BT_FLAG_TABLE_LEAF, nbytes);
    if (local > 0)
        memcpy(cell_out + pos, data, local);
    pos += local;
    if (local < nbytes) {
        uint32_t first;

        rc = overflow_write(env, data + local, nbytes - local, &first);
        if (rc != CHORUS_OK)
            return rc;
        bt_put4(cell_out + pos, first);
        pos += 4;
    }
    while (pos < 4)
        cell_out[pos++] = 0;
    *size_out = pos;
    return CHORUS_OK;
}

/* Pages in the overflow chain of cell. */
static uint32_t
chain_length(const bt_env *env, const bt_cell *cell)
{
    uint32_t rest = cell->payload - cell->local;

    return (rest + env->usable - 5) / (env->usable - 4);
}

int
bt_overflow_free(const bt_env *env, const bt_cell *cell)
{
    uint32_t pgno = cell->overflow, n = chain_length(env, cell);

    for (uint32_t i = 0; i < n; i++) {
        pager_page *pg;
        uint32_t next;
        int rc;

        if (pgno < 2 || pgno > pager_tx_page_count(env->tx))
            return CHORUS_CORRUPT_HERE();
        rc = pager_page_get(env->tx, pgno, &pg);
        if (rc != CHORUS_OK)
            return rc;
        next = bt_get4(pg->data);
        pager_page_release(pg);
        rc = bt_free_page(env, pgno);
        if (rc != CHORUS_OK)
            return rc;
        pgno = next;
    }
    return CHORUS_OK;
}

int
bt_payload_read(const bt_env *env, const uint8_t *cell_start, const bt_cell *cell, uint8_t *dst)
{
    uint32_t rest = cell->payload - cell->local, pgno = cell->overflow;
    uint32_t chunk = env->usable - 4;

    memcpy(dst, cell_start + cell->header, cell->local);
    dst += cell->local;
    while (rest > 0) {
        uint32_t n = rest < chunk ? rest : chunk;
        pager_page *pg;
        int rc;

        if (pgno < 2 || pgno > pager_tx_page_count(env->tx))
            return CHORUS_CORRUPT_HERE();
        rc = pager_page_get(env->tx, pgno, &pg);
        if (rc != CHORUS_OK)
            return rc;
        memcpy(dst, pg->data + 4, n);
        pgno = bt_get4(pg->data);
        pager_page_release(pg);
        dst += n;
        rest -= n;
    }
    return CHORUS_OK;
}
