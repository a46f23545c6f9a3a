/*
 * core/catalog/schema.c: catalog objects: creation, reference counting, the
 * object lists, lookups by name.
 *
 * Invariants
 *   S1  Every object in a list of cat lives in cat->mem; the lists only hold
 *       pointers. Detaching an object removes the pointer, never the memory.
 *   S2  A table_def's pub.indexes/pub.n_indexes (and triggers) always mirror
 *       its ptr_lists (catalog_table_sync after each change).
 *   S3  Names are unique across tables, views and indexes, and across
 *       triggers, compared case-insensitively (the DDL checks before adding).
 *
 * Locking: only the reference count is shared between threads (atomic); a
 * published catalog is never modified (catalog.h C2).
 * Callers: every file of the module; the lookups are the module surface.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

/* --- ptr_list ------------------------------------------------------------- */

int
ptr_list_push(ptr_list *l, void *p)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        void **items = realloc(l->items, (size_t)cap * sizeof *items);
        if (items == NULL)
            return CHORUS_NOMEM;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = p;
    return CHORUS_OK;
}

void
ptr_list_remove_at(ptr_list *l, int i)
{
    memmove(&l->items[i], &l->items[i + 1], (size_t)(l->n - i - 1) * sizeof *l->items);
    l->n--;
}

void
ptr_list_free(ptr_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

static int
ptr_list_find(const ptr_list *l, const void *p)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i] == p)
            return i;
    return -1;
}

/* --- names ---------------------------------------------------------------- */

static int
ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int
catalog_name_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = ascii_lower((unsigned char)*a), cb = ascii_lower((unsigned char)*b);
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

bool
catalog_name_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && catalog_name_cmp(a, b) == 0;
}

bool
catalog_name_is_reserved(const char *name)
{
    static const char prefix[] = "sqlite_";
    for (size_t i = 0; i < sizeof prefix - 1; i++)
        if (ascii_lower((unsigned char)name[i]) != prefix[i])
            return false;
    return true;
}

/* --- lifetime --------------------------------------------------------------- */

int
catalog_new(catalog **out)
{
    catalog *cat;
    int rc;

    *out = NULL;
    cat = calloc(1, sizeof *cat);
    if (cat == NULL)
        return CHORUS_NOMEM;
    atomic_init(&cat->refs, 1);
    arena_init(&cat->mem);
    rc = define_schema_table(cat, &cat->schema_table);
    if (rc != CHORUS_OK) {
        catalog_release(cat);
        return rc;
    }
    *out = cat;
    return CHORUS_OK;
}

catalog *
catalog_retain(catalog *cat)
{
    /* Relaxed: taking a new reference needs no ordering; the caller already
     * holds one, so the catalog cannot be freed meanwhile. */
    if (cat != NULL)
        atomic_fetch_add_explicit(&cat->refs, 1, memory_order_relaxed);
    return cat;
}

static void
table_lists_free(table_def *td)
{
    ptr_list_free(&td->indexes);
    ptr_list_free(&td->triggers);
}

void
catalog_release(catalog *cat)
{
    if (cat == NULL)
        return;
    /* Acq_rel: the release orders this thread's reads of the catalog before
     * the decrement; the thread that drops the last reference acquires every
     * other thread's release before freeing. */
    if (atomic_fetch_sub_explicit(&cat->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (int i = 0; i < cat->tables.n; i++)
        table_lists_free(cat->tables.items[i]);
    if (cat->schema_table != NULL)
        table_lists_free(cat->schema_table);
    ptr_list_free(&cat->tables);
    ptr_list_free(&cat->indexes);
    ptr_list_free(&cat->views);
    ptr_list_free(&cat->triggers);
    arena_free(&cat->mem);
    catalog_release(cat->retired);
    /* Relaxed: the last reference is ours (acquired above); no writer can
     * be opened or closed on cat any more. */
    writer_free(atomic_load_explicit(&cat->spare_writer, memory_order_relaxed));
    free(cat);
}

uint32_t
catalog_cookie(const catalog *cat)
{
    return cat->cookie;
}

/* --- lookups --------------------------------------------------------------- */

static bool
is_schema_table_name(const catalog *cat, const char *name)
{
    if (cat->is_temp && (catalog_name_eq(name, "sqlite_temp_schema") ||
                         catalog_name_eq(name, "sqlite_temp_master")))
        return true;
    return catalog_name_eq(name, "sqlite_schema") || catalog_name_eq(name, "sqlite_master");
}

void
catalog_set_temp(catalog *cat)
{
    cat->is_temp = true;
    cat->schema_table->pub.is_temp = true;
    for (int i = 0; i < cat->tables.n; i++)
        ((table_def *)cat->tables.items[i])->pub.is_temp = true;
}

bool
catalog_is_temp(const catalog *cat)
{
    return cat->is_temp;
}

const catalog_table *
catalog_table_find(const catalog *cat, const char *name)
{
    if (name == NULL)
        return NULL;
    if (is_schema_table_name(cat, name))
        return &cat->schema_table->pub;
    for (int i = 0; i < cat->tables.n; i++) {
        const table_def *td = cat->tables.items[i];
        if (catalog_name_eq(td->pub.name, name))
            return &td->pub;
    }
    return NULL;
}

const catalog_index *
catalog_index_find(const catalog *cat, const char *name)
{
    for (int i = 0; name != NULL && i < cat->indexes.n; i++) {
        const catalog_index *idx = cat->indexes.items[i];
        if (catalog_name_eq(idx->name, name))
            return idx;
    }
    return NULL;
}

const catalog_view *
catalog_view_find(const catalog *cat, const char *name)
{
    for (int i = 0; name != NULL && i < cat->views.n; i++) {
        const catalog_view *v = cat->views.items[i];
        if (catalog_name_eq(v->name, name))
            return v;
    }
    return NULL;
}

const catalog_trigger *
catalog_trigger_find(const catalog *cat, const char *name)
{
    for (int i = 0; name != NULL && i < cat->triggers.n; i++) {
        const catalog_trigger *tr = cat->triggers.items[i];
        if (catalog_name_eq(tr->name, name))
            return tr;
    }
    return NULL;
}

char
catalog_object_kind(const catalog *cat, const char *name)
{
    if (catalog_table_find(cat, name) != NULL)
        return 't';
    if (catalog_view_find(cat, name) != NULL)
        return 'v';
    if (catalog_index_find(cat, name) != NULL)
        return 'i';
    if (catalog_trigger_find(cat, name) != NULL)
        return 'r';
    return 0;
}

int
catalog_table_column_find(const catalog_table *t, const char *name)
{
    for (int i = 0; name != NULL && i < t->n_cols; i++)
        if (catalog_name_eq(t->cols[i].name, name))
            return i;
    return -1;
}

int
catalog_table_column_resolve(const catalog_table *t, const char *name)
{
    int i = catalog_table_column_find(t, name);

    if (i >= 0)
        return i;
    if (catalog_name_eq(name, "rowid") || catalog_name_eq(name, "oid") ||
        catalog_name_eq(name, "_rowid_")) {
        if (t->rowid_alias >= 0)
            return t->rowid_alias;
        if (!t->without_rowid)
            return CATALOG_COLUMN_ROWID;
    }
    return -2;
}

int
catalog_table_count(const catalog *cat)
{
    return cat->tables.n;
}

const catalog_table *
catalog_table_at(const catalog *cat, int i)
{
    return &((const table_def *)cat->tables.items[i])->pub;
}

int
catalog_view_count(const catalog *cat)
{
    return cat->views.n;
}

const catalog_view *
catalog_view_at(const catalog *cat, int i)
{
    return cat->views.items[i];
}

int
catalog_index_count(const catalog *cat)
{
    return cat->indexes.n;
}

const catalog_index *
catalog_index_at(const catalog *cat, int i)
{
    return cat->indexes.items[i];
}

int
catalog_trigger_count(const catalog *cat)
{
    return cat->triggers.n;
}

const catalog_trigger *
catalog_trigger_at(const catalog *cat, int i)
{
    return cat->triggers.items[i];
}

/* --- attach and detach ----------------------------------------------------- */

void
catalog_table_sync(table_def *td)
{
    td->pub.n_indexes = td->indexes.n;
    td->pub.indexes = (catalog_index *const *)td->indexes.items;
    td->pub.n_triggers = td->triggers.n;
    td->pub.triggers = (catalog_trigger *const *)td->triggers.items;
}

int
catalog_table_attach(catalog *cat, table_def *td)
{
    int rc = ptr_list_push(&cat->tables, td);

    for (int i = 0; rc == CHORUS_OK && i < td->indexes.n; i++)
        rc = ptr_list_push(&cat->indexes, td->indexes.items[i]);
    return rc;
}

int
catalog_index_attach(catalog *cat, catalog_index *idx)
{
    table_def *td = table_def_of(idx->table);
    int rc = ptr_list_push(&td->indexes, idx);

    if (rc != CHORUS_OK)
        return rc;
    catalog_table_sync(td);
    rc = ptr_list_push(&cat->indexes, idx);
    if (rc != CHORUS_OK) {
        td->indexes.n--;
        catalog_table_sync(td);
    }
    return rc;
}

int
catalog_view_attach(catalog *cat, catalog_view *v)
{
    return ptr_list_push(&cat->views, v);
}

int
catalog_trigger_attach(catalog *cat, catalog_trigger *tr)
{
    const catalog_table *t = catalog_table_find(cat, tr->table);
    int rc;

    if (t != NULL) {
        table_def *td = table_def_of(t);
        rc = ptr_list_push(&td->triggers, tr);
        if (rc != CHORUS_OK)
            return rc;
        catalog_table_sync(td);
    }
    rc = ptr_list_push(&cat->triggers, tr);
    if (rc != CHORUS_OK && t != NULL) {
        table_def_of(t)->triggers.n--;
        catalog_table_sync(table_def_of(t));
    }
    return rc;
}

void
catalog_index_detach(catalog *cat, const catalog_index *idx)
{
    table_def *td = table_def_of(idx->table);
    int i = ptr_list_find(&td->indexes, idx);

    if (i >= 0) {
        ptr_list_remove_at(&td->indexes, i);
        catalog_table_sync(td);
    }
    i = ptr_list_find(&cat->indexes, idx);
    if (i >= 0)
        ptr_list_remove_at(&cat->indexes, i);
}

void
catalog_trigger_detach(catalog *cat, const catalog_trigger *tr)
{
    const catalog_table *t = catalog_table_find(cat, tr->table);
    int i;

    if (t != NULL) {
        table_def *td = table_def_of(t);
        i = ptr_list_find(&td->triggers, tr);
        if (i >= 0) {
            ptr_list_remove_at(&td->triggers, i);
            catalog_table_sync(td);
        }
    }
    i = ptr_list_find(&cat->triggers, tr);
    if (i >= 0)
        ptr_list_remove_at(&cat->triggers, i);
}

void
catalog_table_detach(catalog *cat, const catalog_table *t)
{
    table_def *td = table_def_of(t);
    int i;

    while (td->indexes.n > 0)
        catalog_index_detach(cat, td->indexes.items[td->indexes.n - 1]);
    while (td->triggers.n > 0)
        catalog_trigger_detach(cat, td->triggers.items[td->triggers.n - 1]);
    table_lists_free(td);
    catalog_table_sync(td);
    i = ptr_list_find(&cat->tables, td);
    if (i >= 0)
        ptr_list_remove_at(&cat->tables, i);
}

void
catalog_view_detach(catalog *cat, const catalog_view *v)
{
    int i = ptr_list_find(&cat->views, v);

    if (i >= 0)
        ptr_list_remove_at(&cat->views, i);
}
