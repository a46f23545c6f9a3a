/*
 * core/catalog/load.c: builds a catalog from sqlite_schema (catalog_load)
 * and copies one for editing (catalog_edit_begin).
 *
 * sqlite_schema rows are (type, name, tbl_name, rootpage, sql). Loading
 * reads them in two passes so that the order of rows never matters:
 * tables and views first, then indexes and triggers, which name a table.
 * An index row with NULL sql is an autoindex: it names an index that its
 * table's definition already made (define.c rule D2) and only supplies the
 * root page.
 *
 * Invariants
 *   L1  After a successful load every index has a root page (autoindexes
 *       missing their row make the schema malformed).
 *   L2  A copy is built from the objects' SQL text and root pages, so it
 *       shares no memory with its base.
 * Callers: the engine (vm) through catalog.h; create.c's error paths.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

typedef struct schema_row {
    char *type, *name, *tbl_name, *sql;     /* malloc()ed, NULL for SQL NULL */
    int64_t root;
} schema_row;

static void
schema_row_clear(schema_row *r)
{
    free(r->type);
    free(r->name);
    free(r->tbl_name);
    free(r->sql);
    memset(r, 0, sizeof *r);
}

static int
column_text(const record_cursor *rc, int i, char **out)
{
    value v;

    *out = NULL;
    record_cursor_column(rc, i, &v);
    if (v.type != VALUE_TEXT)
        return CHORUS_OK;
    *out = malloc((size_t)v.n + 1);
    if (*out == NULL)
        return CHORUS_NOMEM;
    memcpy(*out, v.u.z, (size_t)v.n);
    (*out)[v.n] = '\0';
    return CHORUS_OK;
}

static int
row_decode(btree_cursor *cur, record_cursor *rc, schema_row *row)
{
    const uint8_t *data;
    uint32_t nbytes;
    value v;
    int err;

    err = btree_payload(cur, &data, &nbytes);
    if (err == CHORUS_OK)
        err = record_cursor_parse(rc, data, nbytes);
    if (err != CHORUS_OK)
        return err;
    err = column_text(rc, 0, &row->type);
    if (err == CHORUS_OK)
        err = column_text(rc, 1, &row->name);
    if (err == CHORUS_OK)
        err = column_text(rc, 2, &row->tbl_name);
    if (err == CHORUS_OK)
        err = column_text(rc, 4, &row->sql);
    record_cursor_column(rc, 3, &v);
    row->root = v.type == VALUE_INTEGER ? v.u.i : 0;
    return err;
}

static int
malformed(const char *name, const char *why, char **errmsg_out)
{
    *errmsg_out = common_mprintf("malformed database schema (%s)%s%s", name ? name : "?",
                                 why ? " - " : "", why ? why : "");
    return *errmsg_out == NULL ? CHORUS_NOMEM : CHORUS_CORRUPT_HERE();
}

/* Adds one row of the given pass (0: tables and views, 1: the rest). */
static int
row_add(catalog *cat, const schema_row *row, int pass, uint32_t n_pages, char **why)
{
    bool is_table = row->type && strcmp(row->type, "table") == 0;
    bool is_view = row->type && strcmp(row->type, "view") == 0;
    bool is_index = row->type && strcmp(row->type, "index") == 0;
    bool is_trigger = row->type && strcmp(row->type, "trigger") == 0;
    int rc;

    if ((pass == 0) != (is_table || is_view) || (!is_table && !is_view && !is_index && !is_trigger))
        return CHORUS_OK;
    if ((is_table || is_index) && (row->root < 1 || row->root > n_pages))
        return CHORUS_CORRUPT;
    if (is_index && row->sql == NULL) {
        catalog_index *idx = (catalog_index *)catalog_index_find(cat, row->name);
        if (idx == NULL || idx->sql != NULL)
            return CHORUS_CORRUPT;
        idx->root = (uint32_t)row->root;
        return CHORUS_OK;
    }
    if (row->sql == NULL)
        return CHORUS_CORRUPT;
    if (is_table) {
        table_def *td;
        rc = define_table(cat, row->sql, (uint32_t)row->root, &td, why);
        return rc == CHORUS_OK ? catalog_table_attach(cat, td) : rc;
    }
    if (is_view) {
        catalog_view *v;
        rc = define_view(cat, row->sql, &v, why);
        return rc == CHORUS_OK ? catalog_view_attach(cat, v) : rc;
    }
    if (is_index) {
        catalog_index *idx;
        rc = define_index(cat, row->sql, (uint32_t)row->root, &idx, why);
        return rc == CHORUS_OK ? catalog_index_attach(cat, idx) : rc;
    }
    catalog_trigger *tr;
    rc = define_trigger(cat, row->sql, &tr, why);
    return rc == CHORUS_OK ? catalog_trigger_attach(cat, tr) : rc;
}

/* One pass over sqlite_schema. */
static int
load_pass(pager_tx *tx, catalog *cat, int pass, char **errmsg_out)
{
    btree_cursor *cur = NULL;
    record_cursor rec;
    schema_row row;
    bool eof;
    int rc;

    memset(&row, 0, sizeof row);
    record_cursor_init(&rec);
    rc = btree_cursor_open(tx, 1, NULL, false, &cur);
    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        char *why = NULL;
        rc = row_decode(cur, &rec, &row);
        if (rc == CHORUS_OK)
            rc = row_add(cat, &row, pass, pager_tx_page_count(tx), &why);
        if (rc == CHORUS_ERROR || rc == CHORUS_CORRUPT)
            rc = malformed(row.name, why, errmsg_out);
        free(why);
        schema_row_clear(&row);
        if (rc == CHORUS_OK)
            rc = btree_next(cur, &eof);
    }
    record_cursor_free(&rec);
    btree_cursor_close(cur);
    return rc;
}

/* Rule L1. */
static int
check_roots(const catalog *cat, char **errmsg_out)
{
    for (int i = 0; i < cat->indexes.n; i++) {
        const catalog_index *idx = cat->indexes.items[i];
        if (idx->root == 0)
            return malformed(idx->name, NULL, errmsg_out);
    }
    return CHORUS_OK;
}

int
catalog_load(pager_tx *tx, catalog **out, char **errmsg_out)
{
    catalog *cat;
    int rc;

    *out = NULL;
    *errmsg_out = NULL;
    rc = catalog_new(&cat);
    if (rc != CHORUS_OK)
        return rc;
    if (pager_tx_page_count(tx) > 0) {
        rc = btree_meta_get(tx, BTREE_META_SCHEMA_COOKIE, &cat->cookie);
        if (rc == CHORUS_OK)
            rc = load_pass(tx, cat, 0, errmsg_out);
        if (rc == CHORUS_OK)
            rc = load_pass(tx, cat, 1, errmsg_out);
        if (rc == CHORUS_OK)
            rc = check_roots(cat, errmsg_out);
        if (rc == CHORUS_OK)
            rc = analyze_stats_load(tx, cat);
    }
    if (rc != CHORUS_OK) {
        catalog_release(cat);
        return rc;
    }
    *out = cat;
    return CHORUS_OK;
}

/* --- copies ------------------------------------------------------------------ */

static int
copy_table(catalog *cat, const table_def *base)
{
    table_def *td;
    char *why = NULL;
    int rc = define_table(cat, base->pub.sql, base->pub.root, &td, &why);

    free(why);
    if (rc != CHORUS_OK)
        return rc == CHORUS_NOMEM ? rc : CHORUS_INTERNAL;
    for (int i = 0; i < td->indexes.n; i++) {
        catalog_index *idx = td->indexes.items[i];
        for (int j = 0; j < base->indexes.n; j++) {
            const catalog_index *old = base->indexes.items[j];
            if (old->sql == NULL && strcmp(old->name, idx->name) == 0)
                idx->root = old->root;
        }
    }
    return catalog_table_attach(cat, td);
}

static int
copy_objects(catalog *cat, const catalog *base)
{
    char *why = NULL;
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < base->tables.n; i++)
        rc = copy_table(cat, base->tables.items[i]);
    for (int i = 0; rc == CHORUS_OK && i < base->views.n; i++) {
        const catalog_view *old = base->views.items[i];
        catalog_view *v;
        rc = define_view(cat, old->sql, &v, &why);
        if (rc == CHORUS_OK)
            rc = catalog_view_attach(cat, v);
    }
    for (int i = 0; rc == CHORUS_OK && i < base->indexes.n; i++) {
        const catalog_index *old = base->indexes.items[i];
        catalog_index *idx;
        if (old->sql == NULL)
            continue;
        rc = define_index(cat, old->sql, old->root, &idx, &why);
        if (rc == CHORUS_OK)
            rc = catalog_index_attach(cat, idx);
    }
    for (int i = 0; rc == CHORUS_OK && i < base->triggers.n; i++) {
        const catalog_trigger *old = base->triggers.items[i];
        catalog_trigger *tr;
        rc = define_trigger(cat, old->sql, &tr, &why);
        if (rc == CHORUS_OK)
            rc = catalog_trigger_attach(cat, tr);
    }
    free(why);
    return rc == CHORUS_ERROR ? CHORUS_INTERNAL : rc;
}

int
catalog_edit_begin(const catalog *base, catalog **out)
{
    catalog *cat;
    int rc;

    *out = NULL;
    rc = catalog_new(&cat);
    if (rc != CHORUS_OK)
        return rc;
    cat->cookie = base->cookie;
    if (base->is_temp)
        catalog_set_temp(cat);
    rc = copy_objects(cat, base);
    if (rc == CHORUS_OK)
        rc = analyze_stats_copy(cat, base);
    if (rc != CHORUS_OK) {
        catalog_release(cat);
        return rc;
    }
    *out = cat;
    return CHORUS_OK;
}
