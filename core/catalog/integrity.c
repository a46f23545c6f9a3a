/*
 * core/catalog/integrity.c: PRAGMA integrity_check and quick_check.
 *
 * Outline:
 *   1. the b-tree structure of every tree (btree_integrity_check over
 *      sqlite_schema, each table and each index with its key_info);
 *   2. integrity_check only: for every row of every table, NOT NULL
 *      columns hold values ("NULL value in t.a") and each index holds the
 *      row's entry ("row N missing from index i"; N is the rowid, or the
 *      row's position in a WITHOUT ROWID table); then each index has one
 *      entry per row it covers ("wrong # of entries in index i").
 * Messages use SQLite's words; "ok" when nothing is wrong.
 *
 * Expression and partial indexes need the engine's evaluator (the hooks);
 * without it their contents are not compared (step 2 skips them).
 * Callers: pragma.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

typedef struct check_state {
    catalog_writer *w;              /* reads rows, builds keys */
    strbuf *errors;
    int n_errors;
    int max_errors;
    bool can_eval;
} check_state;

static bool
check_full(check_state *s)
{
    return s->n_errors >= s->max_errors;
}

static void
check_error(check_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check_error(check_state *s, const char *fmt, ...)
{
    va_list ap;

    if (check_full(s))
        return;
    if (s->errors->len > 0)
        strbuf_putc(s->errors, '\n');
    va_start(ap, fmt);
    strbuf_vprintf(s->errors, fmt, ap);
    va_end(ap);
    s->n_errors++;
}

/* Step 1. */
static int
check_structure(pager_tx *tx, const catalog *cat, check_state *s)
{
    int n = 1 + catalog_table_count(cat) + catalog_index_count(cat);
    uint32_t *roots = calloc((size_t)n, sizeof *roots);
    const key_info **kis = calloc((size_t)n, sizeof *kis);
    int k = 0, found = 0, rc;

    if (roots == NULL || kis == NULL) {
        free(roots);
        free(kis);
        return CHORUS_NOMEM;
    }
    roots[k++] = 1;
    for (int i = 0; i < catalog_table_count(cat); i++) {
        const catalog_table *t = catalog_table_at(cat, i);
        roots[k] = t->root;
        for (int j = 0; j < t->n_indexes; j++)
            if (t->indexes[j]->root == t->root)
                kis[k] = &t->indexes[j]->ki;    /* WITHOUT ROWID: keyed by its PK */
        k++;
    }
    for (int i = 0; i < catalog_index_count(cat); i++) {
        const catalog_index *idx = catalog_index_at(cat, i);
        if (idx->root == idx->table->root)
            continue;
        roots[k] = idx->root;
        kis[k++] = &idx->ki;
    }
    rc = btree_integrity_check(tx, roots, (const key_info *const *)kis, k,
                               s->max_errors - s->n_errors, s->errors, &found);
    s->n_errors += found;
    free(roots);
    free(kis);
    return rc;
}

static bool
index_checkable(const check_state *s, const catalog_index *idx)
{
    if (idx->root == idx->table->root)
        return false;
    if (idx->where != NULL && !s->can_eval)
        return false;
    for (int i = 0; i < idx->n_cols; i++)
        if (idx->cols[i].column == CATALOG_COLUMN_EXPR && !s->can_eval)
            return false;
    return true;
}

static int
entry_present(catalog_writer *w, const catalog_index *idx, const value *key, bool *out)
{
    store_cursor *cur;
    const uint8_t *data;
    uint32_t nbytes;
    bool eof;
    int cmp_rc, rc = writer_cursor(w, idx->root, &idx->ki, &cur);

    *out = false;
    if (rc == CHORUS_OK)
        rc = store_seek_key(cur, key, catalog_index_entry_fields(idx), BTREE_SEEK_GE, &eof);
    if (rc != CHORUS_OK || eof)
        return rc;
    rc = store_payload(cur, &data, &nbytes);
    if (rc != CHORUS_OK)
        return rc;
    *out = record_compare_probe(&idx->ki, data, nbytes, key, catalog_index_entry_fields(idx),
                                &cmp_rc) == 0 &&
           cmp_rc == CHORUS_OK;
    return CHORUS_OK;
}

/* Step 2 for one row (rowid: its number in messages); expected[i] counts
 * the entries index i should have. */
static int
check_row(check_state *s, const catalog_table *t, int64_t rowid, int64_t *expected)
{
    catalog_writer *w = s->w;
    int rc = CHORUS_OK;

    for (int i = 0; i < t->n_cols; i++)
        if (t->cols[i].not_null && w->old[i].type == VALUE_NULL && i != t->rowid_alias)
            check_error(s, "NULL value in %s.%s", t->name, t->cols[i].name);
    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        bool skip, has_null, present;
        if (!index_checkable(s, idx))
            continue;
        rc = constraint_index_key(w, idx, w->old, t->without_rowid ? 0 : rowid, w->key, &skip,
                                  &has_null);
        if (rc != CHORUS_OK)
            break;
        if (!skip) {
            expected[i]++;
            rc = entry_present(w, idx, w->key, &present);
            if (rc == CHORUS_OK && !present)
                check_error(s, "row %lld missing from index %s", (long long)rowid, idx->name);
        }
        constraint_key_clear(idx, w->key);
    }
    return rc;
}

static int
check_counts(check_state *s, const catalog_table *t, const int64_t *expected)
{
    for (int i = 0; i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        store_cursor *cur;
        int64_t n;
        int rc;
        if (!index_checkable(s, idx))
            continue;
        rc = writer_cursor(s->w, idx->root, &idx->ki, &cur);
        if (rc == CHORUS_OK)
            rc = store_count(cur, &n);
        if (rc != CHORUS_OK)
            return rc;
        if (n != expected[i])
            check_error(s, "wrong # of entries in index %s", idx->name);
    }
    return CHORUS_OK;
}

static int
check_table(check_state *s, const catalog_table *t)
{
    const catalog_index *pk = catalog_table_pk_index(t);
    store_cursor *scan = NULL;
    int64_t *expected = calloc((size_t)t->n_indexes + 1, sizeof *expected);
    int64_t n_rows = 0;
    bool eof;
    int rc = expected == NULL ? CHORUS_NOMEM : writer_row_reserve(s->w, t->n_cols);

    if (rc == CHORUS_OK)
        rc = store_cursor_open(s->w->st, t->root, pk != NULL ? &pk->ki : NULL, false, NULL, &scan);
    if (rc == CHORUS_OK)
        rc = store_first(scan, &eof);
    while (rc == CHORUS_OK && !eof && !check_full(s)) {
        int64_t rowid = ++n_rows;
        if (!t->without_rowid)
            rc = store_rowid(scan, &rowid);
        if (rc == CHORUS_OK)
            rc = writer_row_load(s->w, t, scan, rowid, 0, s->w->old);
        if (rc == CHORUS_OK)
            rc = check_row(s, t, rowid, expected);
        if (rc == CHORUS_OK)
            rc = store_next(scan, &eof);
    }
    if (rc == CHORUS_OK && !check_full(s))
        rc = check_counts(s, t, expected);
    store_cursor_close(scan);
    free(expected);
    return rc;
}

static int
check_contents(const catalog *cat, check_state *s)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < catalog_table_count(cat) && !check_full(s); i++) {
        rc = check_table(s, catalog_table_at(cat, i));
    }
    /* A corrupt row is a finding, not a failure of the check itself. */
    if (rc == CHORUS_CORRUPT) {
        check_error(s, "database disk image is malformed");
        rc = CHORUS_OK;
    }
    return rc;
}

static int
add_lines(catalog_result *out, const char *text)
{
    const char *p = text;
    int rc = CHORUS_OK;

    while (rc == CHORUS_OK && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        value *row;
        rc = result_add_row(out, &row);
        if (rc == CHORUS_OK)
            rc = value_set_text_copy(&row[0], p, (int32_t)n);
        p += n + (nl ? 1 : 0);
    }
    return rc;
}

int
integrity_run(pager_tx *tx, const catalog *cat, const catalog_hooks *hooks, bool quick,
              int max_errors, catalog_result *out, char **errmsg_out)
{
    catalog_writer *w = NULL;
    strbuf errors;
    check_state s;
    int rc;

    strbuf_init(&errors);
    memset(&s, 0, sizeof s);
    s.errors = &errors;
    s.max_errors = max_errors > 0 ? max_errors : 100;
    s.can_eval = hooks != NULL && hooks->eval != NULL;
    rc = catalog_writer_open(tx, (catalog *)cat, hooks, &w);
    s.w = w;
    if (rc == CHORUS_OK && pager_tx_page_count(tx) > 0)
        rc = check_structure(tx, cat, &s);
    if (rc == CHORUS_OK && !quick && !check_full(&s))
        rc = check_contents(cat, &s);
    if (rc != CHORUS_OK && w != NULL && catalog_writer_errmsg(w)[0] != 0)
        *errmsg_out = common_mprintf("%s", catalog_writer_errmsg(w));
    catalog_writer_close(w);
    if (rc == CHORUS_OK && errors.failed)
        rc = CHORUS_NOMEM;
    if (rc == CHORUS_OK)
        rc = s.n_errors == 0 ? add_lines(out, "ok") : add_lines(out, errors.data);
    strbuf_free(&errors);
    return rc;
}
