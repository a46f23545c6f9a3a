/*
 * core/catalog/drop.c: DROP TABLE, DROP INDEX, DROP VIEW, DROP TRIGGER.
 *
 * Outline: find the object (ddl_check.c reports SQLite's errors when it is
 * missing or of another kind, at prepare and again here: DC1), free its
 * b-trees with btree_drop, delete its sqlite_schema rows (a table's rows
 * include its indexes and triggers, found by tbl_name), forget its
 * sqlite_sequence row, bump the schema cookie, then detach it from the
 * catalog (last, so a failure leaves the catalog as it was: catalog.h
 * rule C4).
 *
 * Callers: catalog_ddl_execute.
 */
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

/* --- sqlite_schema deletion ------------------------------------------------------ */

static bool
text_eq(const value *v, const char *s, bool nocase)
{
    size_t n = strlen(s);

    if (v->type != VALUE_TEXT || (size_t)v->n != n)
        return false;
    if (!nocase)
        return memcmp(v->u.z, s, n) == 0;
    return collation_compare(COLLATE_NOCASE, v->u.z, v->n, s, (int)n) == 0;
}

int
ddl_schema_delete(catalog_writer *w, bool (*match)(void *arg, const value *row), void *arg)
{
    store_cursor *cur;
    record_cursor *rec = &w->rec[1];
    bool eof;
    int rc = writer_cursor(w, 1, NULL, &cur);

    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        value row[5];
        rc = store_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(rec, data, nbytes);
        if (rc != CHORUS_OK)
            break;
        for (int i = 0; i < 5; i++)
            record_cursor_column(rec, i, &row[i]);
        if (match(arg, row)) {
            rc = store_delete(cur);             /* btree rule B3: next is the one after */
            if (rc != CHORUS_OK)
                break;
        }
        rc = store_next(cur, &eof);
    }
    return rc;
}

static bool
match_name(void *arg, const value *row)
{
    return text_eq(&row[1], arg, true);
}

/* A table's or view's rows: itself, and everything whose tbl_name it is. */
static bool
match_owner(void *arg, const value *row)
{
    return text_eq(&row[1], arg, true) || text_eq(&row[2], arg, true);
}

static int
sequence_forget(catalog_writer *w, const char *table)
{
    const catalog_table *seq = catalog_table_find(w->cat, "sqlite_sequence");
    store_cursor *cur;
    record_cursor *rec = &w->rec[1];
    bool eof;
    int rc;

    if (seq == NULL)
        return CHORUS_OK;
    rc = writer_cursor(w, seq->root, NULL, &cur);
    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        value name;
        rc = store_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(rec, data, nbytes);
        if (rc != CHORUS_OK)
            break;
        record_cursor_column(rec, 0, &name);
        if (text_eq(&name, table, false) && (rc = store_delete(cur)) != CHORUS_OK)
            break;
        rc = store_next(cur, &eof);
    }
    return rc;
}

/* --- DROP TABLE ------------------------------------------------------------------- */

static int
drop_table(catalog_writer *w, const ast_drop *d)
{
    const catalog_table *t = catalog_table_find(w->cat, d->name);
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++)
        if (t->indexes[i]->root != t->root)
            rc = btree_drop(w->tx, t->indexes[i]->root);
    if (rc == CHORUS_OK)
        rc = btree_drop(w->tx, t->root);
    if (rc == CHORUS_OK)
        rc = ddl_schema_delete(w, match_owner, (void *)t->name);
    if (rc == CHORUS_OK && t->autoincrement)
        rc = sequence_forget(w, t->name);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        catalog_table_detach(w->cat, t);
    return rc;
}

/* --- DROP INDEX, VIEW, TRIGGER --------------------------------------------------------- */

static int
drop_index(catalog_writer *w, const ast_drop *d)
{
    const catalog_index *idx = catalog_index_find(w->cat, d->name);
    int rc;

    if (idx->sql == NULL)
        return writer_fail(w, CHORUS_ERROR, "index associated with UNIQUE or PRIMARY KEY "
                                            "constraint cannot be dropped");
    rc = btree_drop(w->tx, idx->root);
    if (rc == CHORUS_OK)
        rc = ddl_schema_delete(w, match_name, (void *)idx->name);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        catalog_index_detach(w->cat, idx);
    return rc;
}

static int
drop_view(catalog_writer *w, const ast_drop *d)
{
    const catalog_view *v = catalog_view_find(w->cat, d->name);
    int rc;

    rc = ddl_schema_delete(w, match_owner, (void *)v->name);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc != CHORUS_OK)
        return rc;
    for (int i = catalog_trigger_count(w->cat) - 1; i >= 0; i--) {
        const catalog_trigger *tr = catalog_trigger_at(w->cat, i);
        if (catalog_name_eq(tr->table, v->name))
            catalog_trigger_detach(w->cat, tr);
    }
    catalog_view_detach(w->cat, v);
    return CHORUS_OK;
}

static int
drop_trigger(catalog_writer *w, const ast_drop *d)
{
    const catalog_trigger *tr = catalog_trigger_find(w->cat, d->name);
    int rc;

    rc = ddl_schema_delete(w, match_name, (void *)tr->name);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        catalog_trigger_detach(w->cat, tr);
    return rc;
}

int
ddl_drop(catalog_writer *w, const ast_stmt *stmt)
{
    const ast_drop *d = &stmt->u.drop;
    ddl_scope scope = writer_scope(w);
    char *err = NULL;
    bool absent;
    int rc = ddl_scope_drop_check(&scope, d, &absent, &err);

    if (rc != CHORUS_OK)
        return writer_fail_take(w, rc, err);
    if (absent)
        return CHORUS_OK;           /* IF EXISTS */
    switch (d->what) {
    case AST_DROP_TABLE:
        return drop_table(w, d);
    case AST_DROP_INDEX:
        return drop_index(w, d);
    case AST_DROP_VIEW:
        return drop_view(w, d);
    case AST_DROP_TRIGGER:
        return drop_trigger(w, d);
    default:
        return writer_fail(w, CHORUS_MISUSE, "unknown DROP");
    }
}
