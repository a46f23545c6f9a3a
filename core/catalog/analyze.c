/*
 * core/catalog/analyze.c: ANALYZE, which writes sqlite_stat1, and the
 * loading of those numbers into a catalog's indexes for the planner.
 *
 * Invariants
 *   AN1 sqlite_stat1 is created on first use with SQLite's text
 *       "CREATE TABLE sqlite_stat1(tbl,idx,stat)" (bumping the schema
 *       cookie); an existing one is reused without a cookie change.
 *   AN2 Rows as SQLite writes them: per non-empty index of an analyzed
 *       table, (tbl, idx, "nrow a1 .. an") where ai = ceil-ish
 *       (nrow + d - 1) / d over the d distinct prefixes of i key columns
 *       (NULLs equal, key collations), lowered from 2 to 1 when
 *       nrow * 10 <= d * 11; per non-empty table with no full (non-partial)
 *       index, (tbl, NULL, "nrow"). Tables named sqlite_* are skipped. A
 *       WITHOUT ROWID table's PRIMARY KEY index is named by its table.
 *   AN3 Old rows go first: all of them for ANALYZE of the database, the
 *       table's for ANALYZE table, the index's for ANALYZE index (which
 *       writes no table row).
 *   AN4 Rows are written through catalog_row_insert/delete (rule W1); then,
 *       as SQLite does after every ANALYZE, the whole of sqlite_stat1 is
 *       read again into the writer's private catalog (index n_stat/stat,
 *       table stat_rows), so the published copy carries the numbers and
 *       hand-written rows count too (ANALYZE sqlite_schema only re-reads).
 *   AN5 Loading ignores stat rows that name no table or do not parse; a
 *       row whose idx is NULL or names no index is the table's row count
 *       (catalog_table.stat_rows), as SQLite reads it. Only I/O errors and
 *       NOMEM fail a load. Of the words after the numbers, "sz=N" is kept
 *       (stat_size, the planner's row size guess); others ("unordered",
 *       "noskipscan") are ignored.
 * Locking: runs in the writer's (or loader's) transaction.
 * Ownership: stat arrays live in the catalog's arena; scan buffers are
 * malloc()ed per index and freed before returning (no malloc per row).
 * Callers: catalog_ddl_execute (create.c), catalog_load and
 * catalog_edit_begin (load.c).
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

static const char stat1_sql[] = "CREATE TABLE sqlite_stat1(tbl,idx,stat)";

/* --- sqlite_stat1 ------------------------------------------------------------------- */

/* AN1. */
static int
stat1_table(catalog_writer *w, const catalog_table **out)
{
    table_def *td;
    char *err = NULL;
    uint32_t root;
    int rc;

    *out = catalog_table_find(w->cat, "sqlite_stat1");
    if (*out != NULL)
        return CHORUS_OK;
    writer_cursors_close(w);
    rc = btree_create(w->tx, BTREE_TABLE, &root);
    if (rc == CHORUS_OK)
        rc = ddl_schema_insert(w, "table", "sqlite_stat1", "sqlite_stat1", root, stat1_sql);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = define_table(w->cat, stat1_sql, root, &td, &err);
    if (rc == CHORUS_OK)
        rc = catalog_table_attach(w->cat, td);
    free(err);
    if (rc == CHORUS_OK)
        *out = &td->pub;
    return rc;
}

/* Whether column col of record rec is text equal (case-insensitively) to name;
 * name NULL matches every row. */
static bool
stat_row_names(const record_cursor *rec, int col, const char *name)
{
    value v;

    if (name == NULL)
        return true;
    record_cursor_column(rec, col, &v);
    return v.type == VALUE_TEXT && (size_t)v.n == strlen(name) &&
           collation_compare(COLLATE_NOCASE, v.u.z, v.n, name, v.n) == 0;
}

/* AN3: deletes the rows whose tbl is tbl (NULL: any) and idx is idx (NULL: any). */
static int
stat1_delete(catalog_writer *w, const catalog_table *st, const char *tbl, const char *idx)
{
    btree_cursor *cur = NULL;
    record_cursor rec;
    int64_t *rowids = NULL;
    size_t n = 0, cap = 0;
    bool eof;
    int rc = btree_cursor_open(w->tx, st->root, NULL, false, &cur);

    record_cursor_init(&rec);
    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        rc = btree_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(&rec, data, nbytes);
        if (rc == CHORUS_OK && stat_row_names(&rec, 0, tbl) && stat_row_names(&rec, 1, idx)) {
            if (n == cap) {
                int64_t *p = realloc(rowids, (cap = cap ? cap * 2 : 16) * sizeof *p);
                if (p == NULL)
                    rc = CHORUS_NOMEM;
                else
                    rowids = p;
            }
            if (rc == CHORUS_OK)
                rc = btree_rowid(cur, &rowids[n++]);
        }
        if (rc == CHORUS_OK)
            rc = btree_next(cur, &eof);
    }
    record_cursor_free(&rec);
    btree_cursor_close(cur);
    for (size_t i = 0; rc == CHORUS_OK && i < n; i++)
        rc = catalog_row_delete(w, st, rowids[i]);
    free(rowids);
    return rc;
}

static int
stat1_insert(catalog_writer *w, const catalog_table *st, const char *tbl, const char *idx,
             const int64_t *nums, int n)
{
    catalog_row_result res;
    value vals[3];
    strbuf sb;
    char *text;
    int rc;

    strbuf_init(&sb);
    for (int i = 0; i < n; i++)
        strbuf_printf(&sb, i ? " %lld" : "%lld", (long long)nums[i]);
    text = strbuf_finish(&sb);
    if (text == NULL)
        return CHORUS_NOMEM;
    value_set_text_ref(&vals[0], tbl, (int32_t)strlen(tbl));
    if (idx != NULL)
        value_set_text_ref(&vals[1], idx, (int32_t)strlen(idx));
    else
        value_set_null(&vals[1]);
    value_set_text_ref(&vals[2], text, (int32_t)strlen(text));
    rc = catalog_row_insert(w, st, vals, NULL, AST_CONFLICT_ABORT, &res);
    free(text);
    return rc;
}

/* --- counting ----------------------------------------------------------------------- */

/* The scan state of one index: the previous entry's bytes and distinct counts. */
typedef struct stat_scan {
    const catalog_index *idx;
    uint8_t *prev;                  /* owned copy of the previous entry */
    size_t n_prev, cap_prev;
    record_cursor prev_rec, cur_rec;
    int64_t n_rows;
    int64_t distinct[KEY_INFO_MAX]; /* distinct prefixes of 1..n_cols columns */
} stat_scan;

/* The first key column where the entry differs from the previous one. */
static int
stat_first_difference(const stat_scan *s)
{
    for (int i = 0; i < s->idx->n_cols; i++) {
        value a, b;
        record_cursor_column(&s->prev_rec, i, &a);
        record_cursor_column(&s->cur_rec, i, &b);
        if (value_compare(&a, &b, (collation)s->idx->cols[i].collation) != 0)
            return i;
    }
    return s->idx->n_cols;
}

static int
stat_scan_entry(stat_scan *s, const uint8_t *data, uint32_t nbytes)
{
    int first = 0;
    int rc = record_cursor_parse(&s->cur_rec, data, nbytes);

    if (rc != CHORUS_OK)
        return rc;
    if (s->n_rows > 0)
        first = stat_first_difference(s);
    for (int i = first; i < s->idx->n_cols; i++)
        s->distinct[i]++;
    s->n_rows++;
    if (nbytes > s->cap_prev) {
        uint8_t *p = realloc(s->prev, nbytes);
        if (p == NULL)
            return CHORUS_NOMEM;
        s->prev = p;
        s->cap_prev = nbytes;
    }
    memcpy(s->prev, data, nbytes);
    s->n_prev = nbytes;
    return record_cursor_parse(&s->prev_rec, s->prev, s->n_prev);
}

static int
stat_scan_run(pager_tx *tx, stat_scan *s)
{
    btree_cursor *cur = NULL;
    bool eof;
    int rc = btree_cursor_open(tx, s->idx->root, &s->idx->ki, false, &cur);

    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        rc = btree_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = stat_scan_entry(s, data, nbytes);
        if (rc == CHORUS_OK)
            rc = btree_next(cur, &eof);
    }
    btree_cursor_close(cur);
    return rc;
}

/* AN2: the averages of a scanned index into nums[0..n_cols]. */
static void
stat_numbers(const stat_scan *s, int64_t *nums)
{
    nums[0] = s->n_rows;
    for (int i = 0; i < s->idx->n_cols; i++) {
        int64_t d = s->distinct[i];
        int64_t avg = (s->n_rows + d - 1) / d;
        if (avg == 2 && s->n_rows * 10 <= d * 11)
            avg = 1;
        nums[i + 1] = avg;
    }
}

/* AN4: keeps the numbers on the catalog's index. */
static int
stat_keep(catalog *cat, catalog_index *idx, const int64_t *nums, int n)
{
    int64_t *copy = arena_alloc(&cat->mem, (size_t)n * sizeof *copy);

    if (copy == NULL)
        return CHORUS_NOMEM;
    memcpy(copy, nums, (size_t)n * sizeof *copy);
    idx->stat = copy;
    idx->n_stat = n;
    return CHORUS_OK;
}

static int
analyze_index(catalog_writer *w, const catalog_table *st, catalog_index *idx)
{
    stat_scan s;
    int64_t nums[KEY_INFO_MAX + 1];
    int rc;

    memset(&s, 0, sizeof s);
    s.idx = idx;
    record_cursor_init(&s.prev_rec);
    record_cursor_init(&s.cur_rec);
    rc = stat_scan_run(w->tx, &s);
    if (rc == CHORUS_OK && s.n_rows > 0) {
        stat_numbers(&s, nums);
        rc = stat1_insert(w, st, idx->table->name,      /* a WITHOUT ROWID PK: the table's name */
                          catalog_index_is_table(idx) ? idx->table->name : idx->name, nums,
                          idx->n_cols + 1);
    }
    record_cursor_free(&s.prev_rec);
    record_cursor_free(&s.cur_rec);
    free(s.prev);
    return rc;
}

/* The rows of t (a table row is written only when no full index counts them). */
static int
analyze_table_rows(catalog_writer *w, const catalog_table *st, const catalog_table *t)
{
    btree_cursor *cur = NULL;
    int64_t n = 0;
    int rc;

    for (int i = 0; i < t->n_indexes; i++)
        if (t->indexes[i]->where == NULL)
            return CHORUS_OK;
    rc = btree_cursor_open(w->tx, t->root, NULL, false, &cur);
    if (rc == CHORUS_OK)
        rc = btree_count(cur, &n);
    btree_cursor_close(cur);
    if (rc == CHORUS_OK && n > 0)
        rc = stat1_insert(w, st, t->name, NULL, &n, 1);
    return rc;
}

static int
analyze_table(catalog_writer *w, const catalog_table *st, const catalog_table *t)
{
    table_def *td = table_def_of(t);
    int rc = CHORUS_OK;

    if (catalog_name_is_reserved(t->name))
        return CHORUS_OK;                   /* AN2 */
    /* SQLite visits a table's indexes newest first. */
    for (int i = td->indexes.n - 1; rc == CHORUS_OK && i >= 0; i--)
        rc = analyze_index(w, st, td->indexes.items[i]);
    if (rc == CHORUS_OK)
        rc = analyze_table_rows(w, st, t);
    return rc;
}

/* --- ANALYZE ------------------------------------------------------------------------ */

static int
analyze_all(catalog_writer *w, const catalog_table *st)
{
    int rc = stat1_delete(w, st, NULL, NULL);

    for (int i = 0; rc == CHORUS_OK && i < catalog_table_count(w->cat); i++)
        rc = analyze_table(w, st, catalog_table_at(w->cat, i));
    return rc;
}

/* AN4: the numbers of every table and index, read again from sqlite_stat1. */
static int
stats_reload(catalog_writer *w, int rc)
{
    if (rc != CHORUS_OK)
        return rc;
    for (int i = 0; i < catalog_table_count(w->cat); i++) {
        table_def_of(catalog_table_at(w->cat, i))->pub.stat_rows = 0;
        table_def_of(catalog_table_at(w->cat, i))->pub.stat_size = 0;
    }
    for (int i = 0; i < w->cat->indexes.n; i++) {
        catalog_index *idx = w->cat->indexes.items[i];
        idx->n_stat = 0;
        idx->stat = NULL;
        idx->stat_size = 0;
    }
    return analyze_stats_load(w->tx, w->cat);
}

int
ddl_analyze(catalog_writer *w, const ast_stmt *stmt)
{
    const ast_misc *m = &stmt->u.misc;
    const char *schema = m->schema;
    const catalog_table *st, *t = NULL;
    catalog_index *idx = NULL;
    int rc;

    if (schema == NULL && m->name != NULL && catalog_name_eq(m->name, "main"))
        schema = m->name;                   /* ANALYZE main */
    else if (m->name != NULL) {
        idx = (catalog_index *)catalog_index_find(w->cat, m->name);
        t = idx == NULL ? catalog_table_find(w->cat, m->name) : NULL;
        if (idx == NULL && t == NULL)
            return writer_fail(w, CHORUS_ERROR, "no such table: %s", m->name);
    }
    rc = ddl_check_schema_name(w, schema);
    if (rc == CHORUS_OK)
        rc = stat1_table(w, &st);
    if (rc != CHORUS_OK)
        return rc;
    if (idx != NULL) {
        rc = stat1_delete(w, st, NULL, idx->name);
        if (rc == CHORUS_OK && !catalog_name_is_reserved(idx->table->name))
            rc = analyze_index(w, st, idx);
    } else if (t == NULL) {
        rc = analyze_all(w, st);
    } else {
        rc = stat1_delete(w, st, t->name, NULL);
        if (rc == CHORUS_OK)
            rc = analyze_table(w, st, t);
    }
    return stats_reload(w, rc);
}

/* --- loading ------------------------------------------------------------------------ */

/* Parses "n a1 a2 ..." (AN5: a word that is not a number ends the list). */
static int
stat_parse(const char *z, int32_t n, int64_t *nums, int max)
{
    int count = 0;
    int32_t i = 0;

    while (count < max) {
        int64_t v = 0;
        int32_t start;
        while (i < n && z[i] == ' ')
            i++;
        start = i;
        while (i < n && z[i] >= '0' && z[i] <= '9' && v < INT64_MAX / 10)
            v = v * 10 + (z[i++] - '0');
        if (i == start)
            break;
        nums[count++] = v;
    }
    return count;
}

/* N of the word "sz=N" in stat text z (SQLite's size guess), or 0. */
static int
stat_size_word(const char *z, int32_t n)
{
    for (int32_t i = 0; i + 3 < n; i++) {
        if ((i == 0 || z[i - 1] == ' ') && memcmp(z + i, "sz=", 3) == 0 && z[i + 3] >= '0' &&
            z[i + 3] <= '9') {
            int v = 0;
            for (int32_t k = i + 3; k < n && z[k] >= '0' && z[k] <= '9' && v < 1000000; k++)
                v = v * 10 + (z[k] - '0');
            return v;
        }
    }
    return 0;
}

/* Text value v as a C string in buf (of size n), or NULL. */
static const char *
stat_text(const value *v, char *buf, size_t n)
{
    if (v->type != VALUE_TEXT || (size_t)v->n >= n)
        return NULL;
    memcpy(buf, v->u.z, (size_t)v->n);
    buf[v->n] = '\0';
    return buf;
}

/* One row of sqlite_stat1 onto the table it names: onto its index, or,
 * where idx is NULL or names no index, onto the table (as SQLite). */
static int
stat_row_load(catalog *cat, const record_cursor *rec)
{
    value tbl, name, stat;
    const catalog_table *t;
    catalog_index *idx = NULL;
    int64_t nums[KEY_INFO_MAX + 1];
    char tbuf[256], ibuf[256];
    const char *tname, *iname;
    int n;

    record_cursor_column(rec, 0, &tbl);
    record_cursor_column(rec, 1, &name);
    record_cursor_column(rec, 2, &stat);
    tname = stat_text(&tbl, tbuf, sizeof tbuf);
    t = tname != NULL ? catalog_table_find(cat, tname) : NULL;
    if (t == NULL || stat.type != VALUE_TEXT)
        return CHORUS_OK;
    iname = stat_text(&name, ibuf, sizeof ibuf);
    if (iname != NULL)
        idx = (catalog_index *)catalog_index_find(cat, iname);
    if (idx == NULL) {
        if (stat_parse(stat.u.z, stat.n, nums, 1) == 1) {
            table_def_of(t)->pub.stat_rows = nums[0];
            table_def_of(t)->pub.stat_size = stat_size_word(stat.u.z, stat.n);
        }
        return CHORUS_OK;
    }
    if (idx->table != t)
        return CHORUS_OK;
    n = stat_parse(stat.u.z, stat.n, nums, idx->n_cols + 1);
    if (n > 0)
        idx->stat_size = stat_size_word(stat.u.z, stat.n);
    return n > 0 ? stat_keep(cat, idx, nums, n) : CHORUS_OK;
}

int
analyze_stats_load(pager_tx *tx, catalog *cat)
{
    const catalog_table *st = catalog_table_find(cat, "sqlite_stat1");
    btree_cursor *cur = NULL;
    record_cursor rec;
    bool eof;
    int rc;

    if (st == NULL || st->root == 0)
        return CHORUS_OK;
    record_cursor_init(&rec);
    rc = btree_cursor_open(tx, st->root, NULL, false, &cur);
    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        rc = btree_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK && record_cursor_parse(&rec, data, nbytes) == CHORUS_OK)
            rc = stat_row_load(cat, &rec);
        if (rc == CHORUS_OK)
            rc = btree_next(cur, &eof);
    }
    record_cursor_free(&rec);
    btree_cursor_close(cur);
    return rc;
}

int
analyze_stats_copy(catalog *cat, const catalog *base)
{
    int rc = CHORUS_OK;

    for (int i = 0; i < catalog_table_count(base); i++) {
        const catalog_table *old = catalog_table_at(base, i);
        const catalog_table *t = catalog_table_find(cat, old->name);
        if (t != NULL) {
            table_def_of(t)->pub.stat_rows = old->stat_rows;
            table_def_of(t)->pub.stat_size = old->stat_size;
        }
    }
    for (int i = 0; rc == CHORUS_OK && i < base->indexes.n; i++) {
        const catalog_index *old = base->indexes.items[i];
        catalog_index *idx;
        if (old->n_stat == 0)
            continue;
        idx = (catalog_index *)catalog_index_find(cat, old->name);
        if (idx != NULL) {
            idx->stat_size = old->stat_size;
            rc = stat_keep(cat, idx, old->stat, old->n_stat);
        }
    }
    return rc;
}
