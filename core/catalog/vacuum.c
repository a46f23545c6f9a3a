/*
 * core/catalog/vacuum.c: VACUUM and VACUUM INTO 'file'.
 *
 * Both build a compact image of the database in a second pager: every
 * sqlite_schema row is copied in rowid order, each b-tree it names is
 * created fresh and filled from the old one in key order (table payloads
 * and index entries are copied as bytes, so nothing is re-encoded), and the
 * header fields a user sets (user_version, application_id, default cache
 * size, schema format) go along.
 *   - VACUUM INTO writes that image to a new file (a real pager,
 *     committed and checkpointed) and leaves the database unchanged.
 *   - VACUUM builds the image in memory, then copies its pages over the
 *     database's inside the caller's write transaction and truncates the
 *     rest, so the change commits or rolls back as one transaction.
 *
 * Invariants
 *   VA1 Page 1 keeps its first 100 bytes (the file header that the pager
 *       and the journal mode own) except the freelist fields, which become
 *       0; the schema cookie is bumped so every connection reloads.
 *   VA2 The writer's private catalog gets the new root pages (rule C3):
 *       the caller publishes it after COMMIT like any DDL.
 *   VA3 No cursor of the transaction may be open while pages are
 *       overwritten: the writer's are closed here, and the engine refuses
 *       VACUUM while other statements run or inside BEGIN ... COMMIT.
 * Locking: the caller's write transaction; the image's pager is private.
 * Ownership: the image pager, its transaction and the copied schema rows
 * are opened and freed here.
 * Callers: catalog_ddl_execute (create.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog_int.h"

/* A b-tree of the old database and its copy. */
typedef struct vacuum_tree {
    uint32_t old_root, new_root;
    const key_info *ki;             /* borrowed from the catalog; NULL: table */
} vacuum_tree;

/* One sqlite_schema row, copied (malloc()ed bytes). */
typedef struct vacuum_row {
    int64_t rowid;
    uint8_t *rec;
    uint32_t n;
} vacuum_row;

typedef struct vacuum_ctx {
    pager_tx *src, *dst;
    const catalog *cat;
    vacuum_row *rows;               /* owned */
    int n_rows;
    vacuum_tree *trees;             /* owned, one per row with a root page */
    int n_trees;
} vacuum_ctx;

static void
vacuum_ctx_free(vacuum_ctx *v)
{
    for (int i = 0; i < v->n_rows; i++)
        free(v->rows[i].rec);
    free(v->rows);
    free(v->trees);
}

/* --- the schema --------------------------------------------------------------------- */

static int
schema_rows_read(vacuum_ctx *v)
{
    btree_cursor *cur = NULL;
    int cap = 0;
    bool eof;
    int rc = btree_cursor_open(v->src, 1, NULL, false, &cur);

    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t n;
        vacuum_row *r;
        if (v->n_rows == cap) {
            vacuum_row *p = realloc(v->rows, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *p);
            if (p == NULL) {
                rc = CHORUS_NOMEM;
                break;
            }
            v->rows = p;
        }
        r = &v->rows[v->n_rows];
        rc = btree_payload(cur, &data, &n);
        if (rc == CHORUS_OK)
            rc = btree_rowid(cur, &r->rowid);
        if (rc == CHORUS_OK && (r->rec = malloc(n ? n : 1)) == NULL)
            rc = CHORUS_NOMEM;
        if (rc != CHORUS_OK)
            break;
        memcpy(r->rec, data, n);
        r->n = n;
        v->n_rows++;
        rc = btree_next(cur, &eof);
    }
    btree_cursor_close(cur);
    return rc;
}

/* The key order of the index b-tree at root, or NULL for a table b-tree. */
static const key_info *
tree_key_info(const catalog *cat, uint32_t root)
{
    for (int i = 0; i < catalog_index_count(cat); i++)
        if (catalog_index_at(cat, i)->root == root)
            return &catalog_index_at(cat, i)->ki;
    return NULL;
}

/* Creates the new b-tree of every schema row that has one. */
static int
trees_create(vacuum_ctx *v)
{
    value root;
    int rc = CHORUS_OK;

    v->trees = calloc((size_t)v->n_rows + 1, sizeof *v->trees);
    if (v->trees == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; rc == CHORUS_OK && i < v->n_rows; i++) {
        vacuum_tree *t = &v->trees[v->n_trees];
        rc = record_column(v->rows[i].rec, v->rows[i].n, 3, &root);
        if (rc != CHORUS_OK || root.type != VALUE_INTEGER || root.u.i == 0)
            continue;
        if (root.u.i < 0 || root.u.i > UINT32_MAX)
            return CHORUS_CORRUPT_HERE();
        t->old_root = (uint32_t)root.u.i;
        t->ki = tree_key_info(v->cat, t->old_root);
        rc = btree_create(v->dst, t->ki ? BTREE_INDEX : BTREE_TABLE, &t->new_root);
        v->n_trees++;
    }
    return rc;
}

static uint32_t
tree_new_root(const vacuum_ctx *v, uint32_t old_root)
{
    for (int i = 0; i < v->n_trees; i++)
        if (v->trees[i].old_root == old_root)
            return v->trees[i].new_root;
    return old_root;
}

/* One schema row into the image, its root page replaced. */
static int
schema_row_write(vacuum_ctx *v, btree_cursor *cur, const vacuum_row *r, uint8_t **buf,
                 size_t *cap)
{
    record_cursor rec;
    value vals[5];
    size_t n;
    int rc;

    record_cursor_init(&rec);
    rc = record_cursor_parse(&rec, r->rec, r->n);
    for (int c = 0; rc == CHORUS_OK && c < 5; c++)
        record_cursor_column(&rec, c, &vals[c]);
    if (rc == CHORUS_OK && vals[3].type == VALUE_INTEGER && vals[3].u.i != 0)
        vals[3].u.i = tree_new_root(v, (uint32_t)vals[3].u.i);
    n = rc == CHORUS_OK ? record_size(vals, 5) : 0;
    if (rc == CHORUS_OK && n > *cap) {
        uint8_t *p = realloc(*buf, n);
        if (p == NULL)
            rc = CHORUS_NOMEM;
        else {
            *buf = p;
            *cap = n;
        }
    }
    if (rc == CHORUS_OK)
        rc = btree_insert(cur, r->rowid, *buf, (uint32_t)record_encode(vals, 5, *buf));
    record_cursor_free(&rec);
    return rc;
}

static int
schema_write(vacuum_ctx *v)
{
    btree_cursor *cur = NULL;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = btree_cursor_open(v->dst, 1, NULL, true, &cur);

    for (int i = 0; rc == CHORUS_OK && i < v->n_rows; i++)
        rc = schema_row_write(v, cur, &v->rows[i], &buf, &cap);
    btree_cursor_close(cur);
    free(buf);
    return rc;
}

/* --- contents ----------------------------------------------------------------------- */

static int
tree_copy(vacuum_ctx *v, const vacuum_tree *t)
{
    btree_cursor *from = NULL, *to = NULL;
    bool eof;
    int rc = btree_cursor_open(v->src, t->old_root, t->ki, false, &from);

    if (rc == CHORUS_OK)
        rc = btree_cursor_open(v->dst, t->new_root, t->ki, true, &to);
    if (rc == CHORUS_OK)
        rc = btree_first(from, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t n;
        int64_t rowid = 0;
        rc = btree_payload(from, &data, &n);
        if (rc == CHORUS_OK && t->ki == NULL)
            rc = btree_rowid(from, &rowid);
        if (rc == CHORUS_OK)
            rc = t->ki ? btree_index_insert(to, data, n) : btree_insert(to, rowid, data, n);
        if (rc == CHORUS_OK)
            rc = btree_next(from, &eof);
    }
    btree_cursor_close(from);
    btree_cursor_close(to);
    return rc;
}

static int
meta_copy(vacuum_ctx *v)
{
    static const int fields[] = {BTREE_META_SCHEMA_COOKIE, BTREE_META_SCHEMA_FORMAT,
                                 BTREE_META_DEFAULT_CACHE, BTREE_META_USER_VERSION,
                                 BTREE_META_APPLICATION_ID};
    int rc = CHORUS_OK;

    for (size_t i = 0; rc == CHORUS_OK && i < CHORUS_ARRAY_LEN(fields); i++) {
        uint32_t x;
        rc = btree_meta_get(v->src, fields[i], &x);
        if (rc == CHORUS_OK)
            rc = btree_meta_set(v->dst, fields[i], x);
    }
    return rc;
}

/* The whole image into v->dst (an empty write transaction). */
static int
image_build(vacuum_ctx *v)
{
    int rc = btree_init_database(v->dst);

    if (rc == CHORUS_OK)
        rc = schema_rows_read(v);
    if (rc == CHORUS_OK)
        rc = trees_create(v);
    if (rc == CHORUS_OK)
        rc = schema_write(v);
    for (int i = 0; rc == CHORUS_OK && i < v->n_trees; i++)
        rc = tree_copy(v, &v->trees[i]);
    if (rc == CHORUS_OK)
        rc = meta_copy(v);
    return rc;
}

/* The page size of the database (header offset 16; 1 means 65536). */
static int
page_size_read(pager_tx *tx, uint32_t *out)
{
    pager_page *pg;
    int rc = pager_page_get(tx, 1, &pg);

    if (rc != CHORUS_OK)
        return rc;
    *out = ((uint32_t)pg->data[16] << 8) | pg->data[17];
    if (*out == 1)
        *out = 65536;
    rc = pg->data[20] != 0 ? CHORUS_ERROR : CHORUS_OK;     /* reserved bytes */
    pager_page_release(pg);
    return rc;
}

/* --- VACUUM ------------------------------------------------------------------------- */

static int
page_copy(pager_tx *to, pager_tx *from, uint32_t pgno, uint32_t page_size)
{
    pager_page *src = NULL, *dst = NULL;
    int rc = pager_page_get(from, pgno, &src);

    if (rc == CHORUS_OK)
        rc = pgno <= pager_tx_page_count(to) ? pager_page_get(to, pgno, &dst)
                                             : pager_page_append(to, &dst);
    if (rc == CHORUS_OK && dst->pgno != pgno)
        rc = CHORUS_INTERNAL;
    if (rc == CHORUS_OK)
        rc = pager_page_write(dst);
    if (rc == CHORUS_OK && pgno == 1) {
        memcpy(dst->data + 100, src->data + 100, page_size - 100);     /* VA1 */
        memset(dst->data + 32, 0, 8);
    } else if (rc == CHORUS_OK)
        memcpy(dst->data, src->data, page_size);
    if (dst != NULL)
        pager_page_release(dst);
    if (src != NULL)
        pager_page_release(src);
    return rc;
}

/* VA2. */
static void
catalog_roots_move(catalog *cat, const vacuum_ctx *v)
{
    for (int i = 0; i < cat->tables.n; i++) {
        table_def *td = cat->tables.items[i];
        td->pub.root = tree_new_root(v, td->pub.root);
        for (int j = 0; j < td->indexes.n; j++) {
            catalog_index *idx = td->indexes.items[j];
            idx->root = tree_new_root(v, idx->root);
        }
    }
}

static int
vacuum_in_place(catalog_writer *w, uint32_t page_size)
{
    pager_config cfg = {.in_memory = true, .create = true, .page_size = page_size};
    vacuum_ctx v = {.src = w->tx, .cat = w->cat};
    pager *img = NULL;
    uint32_t n = 0, lock_page = (uint32_t)(1073741824u / page_size) + 1;
    int rc = pager_open(":memory:", &cfg, &img, NULL);

    if (rc == CHORUS_OK)
        rc = pager_tx_begin_write(img, 0, NULL, &v.dst);
    if (rc == CHORUS_OK)
        rc = image_build(&v);
    if (rc == CHORUS_OK)
        n = pager_tx_page_count(v.dst);
    for (uint32_t pgno = 1; rc == CHORUS_OK && pgno <= n; pgno++)
        if (pgno != lock_page)              /* neither file uses the lock-byte page */
            rc = page_copy(w->tx, v.dst, pgno, page_size);
    if (rc == CHORUS_OK && pager_tx_page_count(w->tx) > n)
        rc = pager_tx_truncate(w->tx, n);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        catalog_roots_move(w->cat, &v);
    if (v.dst != NULL)
        pager_tx_rollback(v.dst);
    if (img != NULL)
        pager_close(img);
    vacuum_ctx_free(&v);
    return rc;
}

/* --- VACUUM INTO -------------------------------------------------------------------- */

/* The absolute path of name (malloc()ed), or NULL when out of memory. */
static char *
path_absolute(const char *name)
{
    char cwd[4096];

    if (name[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
        return common_mprintf("%s", name);
    return common_mprintf("%s/%s", cwd, name);
}

static int
vacuum_into(catalog_writer *w, const char *name, uint32_t page_size)
{
    pager_config cfg = {.create = true, .page_size = page_size};
    vacuum_ctx v = {.src = w->tx, .cat = w->cat};
    pager *out = NULL;
    char *path = path_absolute(name);
    char *err = NULL;
    int rc;

    if (path == NULL)
        return CHORUS_NOMEM;
    if (access(path, F_OK) == 0) {
        free(path);
        return writer_fail(w, CHORUS_ERROR, "output file already exists");
    }
    rc = pager_open(path, &cfg, &out, &err);
    if (rc != CHORUS_OK)
        rc = writer_fail(w, rc, "unable to open database: %s", err ? err : name);
    if (rc == CHORUS_OK)
        rc = pager_tx_begin_write(out, 0, NULL, &v.dst);
    if (rc == CHORUS_OK)
        rc = image_build(&v);
    if (rc == CHORUS_OK) {
        rc = pager_tx_commit(v.dst);
        v.dst = NULL;
    }
    if (rc == CHORUS_OK)
        rc = pager_checkpoint(out, PAGER_CKPT_TRUNCATE, NULL, NULL);
    if (v.dst != NULL)
        pager_tx_rollback(v.dst);
    if (out != NULL)
        pager_close(out);
    if (rc != CHORUS_OK)
        unlink(path);
    vacuum_ctx_free(&v);
    free(err);
    free(path);
    return rc;
}

int
ddl_vacuum(catalog_writer *w, const ast_stmt *stmt)
{
    const ast_misc *m = &stmt->u.misc;
    uint32_t page_size;
    int rc;

    if (m->schema != NULL && catalog_name_eq(m->schema, "temp") && m->expr == NULL)
        return CHORUS_OK;                   /* the temp schema is never kept on disk */
    if (m->schema != NULL && !catalog_name_eq(m->schema, "main"))
        return writer_fail(w, CHORUS_ERROR, "unknown database %s", m->schema);
    if (m->expr != NULL && m->expr->kind != EXPR_STRING)
        return writer_fail(w, CHORUS_ERROR, "not supported yet: VACUUM INTO an expression");
    if (w->cat->is_temp)
        return writer_fail(w, CHORUS_ERROR, "not supported yet: VACUUM of the temp schema");
    rc = page_size_read(w->tx, &page_size);
    if (rc == CHORUS_ERROR)
        return writer_fail(w, rc, "not supported yet: VACUUM of a file with reserved bytes");
    if (rc != CHORUS_OK)
        return rc;
    writer_cursors_close(w);                /* VA3 */
    if (m->expr != NULL)
        return vacuum_into(w, m->expr->str, page_size);
    return vacuum_in_place(w, page_size);
}
