/*
 * core/btree/meta.c: the database header on page 1, and creating, dropping
 * and clearing whole trees.
 *
 * A new database is page 1 alone: the 100-byte header as sqlite3 3.40
 * writes it for a WAL database (write/read versions 2/2, payload fractions
 * 64/32/32, schema format 4, UTF-8, version-valid-for equal to the change
 * counter), followed by the empty table leaf that is sqlite_schema's root.
 *
 * Callers: the catalog (create/drop/clear, schema cookie), the pager's first
 * write transaction on an empty file via the connection layer.
 */
#include "btree_int.h"

#include <string.h>

enum { BT_SQLITE_VERSION = 3040001 };

int
btree_init_database(pager_tx *tx)
{
    static const char magic[16] = "SQLite format 3";
    pager *p = pager_tx_pager(tx);
    pager_page *pg;
    uint8_t *h;
    uint32_t page_size = pager_page_size(p), usable = pager_usable_size(p);
    int rc;

    if (pager_tx_page_count(tx) > 0)
        return CHORUS_OK;
    if (!pager_tx_is_write(tx))
        return CHORUS_READONLY;
    rc = pager_page_append(tx, &pg);
    if (rc != CHORUS_OK)
        return rc;
    h = pg->data;
    memcpy(h, magic, 16);
    bt_put2(h + 16, page_size == 65536 ? 1 : page_size);
    h[18] = 2;
    h[19] = 2;
    h[20] = (uint8_t)(page_size - usable);
    h[21] = 64;
    h[22] = 32;
    h[23] = 32;
    bt_put4(h + 24, 1);                 /* change counter */
    bt_put4(h + 28, 1);                 /* pages */
    bt_put4(h + BTREE_META_SCHEMA_FORMAT, 4);
    bt_put4(h + BTREE_META_TEXT_ENCODING, 1);
    bt_put4(h + 92, 1);                 /* version-valid-for = change counter */
    bt_put4(h + 96, BT_SQLITE_VERSION);
    h[100] = BT_FLAG_TABLE_LEAF;
    bt_put2(h + 105, usable == 65536 ? 0 : usable);
    pager_page_release(pg);
    return CHORUS_OK;
}

static bool
meta_field_ok(int field)
{
    return field >= 24 && field <= 96 && field % 4 == 0;
}

int
btree_meta_get(pager_tx *tx, int field, uint32_t *out)
{
    pager_page *pg;
    int rc;

    *out = 0;
    if (!meta_field_ok(field))
        return CHORUS_MISUSE;
    if (pager_tx_page_count(tx) == 0)
        return CHORUS_OK;               /* an empty file reads as all zeros */
    rc = pager_page_get(tx, 1, &pg);
    if (rc != CHORUS_OK)
        return rc;
    *out = bt_get4(pg->data + field);
    pager_page_release(pg);
    return CHORUS_OK;
}

int
btree_meta_set(pager_tx *tx, int field, uint32_t value)
{
    pager_page *pg;
    int rc;

    if (!meta_field_ok(field))
        return CHORUS_MISUSE;
    rc = pager_page_get(tx, 1, &pg);
    if (rc != CHORUS_OK)
        return rc;
    rc = pager_page_write(pg);
    if (rc == CHORUS_OK)
        bt_put4(pg->data + field, value);
    pager_page_release(pg);
    return rc;
}

int
btree_create(pager_tx *tx, int kind, uint32_t *root_out)
{
    bt_env env;
    bt_page p;
    int rc;

    *root_out = 0;
    if (kind != BTREE_TABLE && kind != BTREE_INDEX)
        return CHORUS_MISUSE;
    rc = bt_env_init(&env, tx);
    if (rc == CHORUS_OK)
        rc = bt_alloc_page(&env, &p, kind == BTREE_TABLE ? BT_FLAG_TABLE_LEAF : BT_FLAG_INDEX_LEAF);
    if (rc != CHORUS_OK)
        return rc;
    *root_out = p.pgno;
    bt_page_release(&p);
    return CHORUS_OK;
}

int
btree_drop(pager_tx *tx, uint32_t root)
{
    bt_env env;
    int rc;

    if (root < 2)
        return CHORUS_MISUSE;
    rc = bt_env_init(&env, tx);
    if (rc == CHORUS_OK)
        rc = bt_tree_free(&env, root, 0, true);
    return rc;
}

/* Saves every cursor open on the tree at root (they re-seek an empty tree). */
static int
save_cursors(const bt_page *root)
{
    bt_shared *sh = root->pg->extra;

    for (btree_cursor *c = sh ? sh->head : NULL; c != NULL; c = c->next_in_tree) {
        int rc = bt_cursor_save_position(c);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

int
btree_clear(pager_tx *tx, uint32_t root, int64_t *n_out)
{
    bt_env env;
    bt_page p;
    int64_t n = 0;
    int rc;

    if (n_out != NULL)
        *n_out = 0;
    rc = bt_env_init(&env, tx);
    if (rc == CHORUS_OK)
        rc = bt_page_get(&env, root, &p);
    if (rc != CHORUS_OK)
        return rc;
    rc = save_cursors(&p);
    if (rc == CHORUS_OK && n_out != NULL)
        rc = bt_count_tree(&env, root, 0, p.is_table, &n);
    if (rc == CHORUS_OK)
        rc = bt_tree_free(&env, root, 0, false);
    if (rc == CHORUS_OK)
        rc = bt_page_init_empty(&env, &p, p.is_table ? BT_FLAG_TABLE_LEAF : BT_FLAG_INDEX_LEAF);
    bt_page_release(&p);
    if (rc == CHORUS_OK && n_out != NULL)
        *n_out = n;
    return rc;
}
