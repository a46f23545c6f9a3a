/*
 * tests/core/catalog/catalog_fixture.h: what the catalog tests share: a
 * database file in a fresh temporary directory, made or checked with the
 * sqlite3 library (the oracle), opened with the pager; a write transaction
 * with a loaded catalog and a writer; DDL from SQL text; a small
 * expression evaluator for the writer's hooks.
 *
 * Header-only (static functions) so every test file stays one executable.
 */
#ifndef CHORUS_CATALOG_FIXTURE_H
#define CHORUS_CATALOG_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "catalog.h"
#include "test_support.h"

/* Not every test file uses every helper. */
#define FX_FN static __attribute__((unused))

typedef struct fixture {
    char path[512];
    pager *p;
    pager_tx *tx;
    catalog *cat;
    catalog_writer *w;
    arena a;
} fixture;

/* --- the oracle ---------------------------------------------------------------- */

FX_FN void
fx_sqlite_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    char *err = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sqlite3: %s", err);
    sqlite3_close(db);
}

FX_FN int
fx_collect(void *arg, int n, char **vals, char **names)
{
    strbuf *sb = arg;
    (void)names;
    for (int i = 0; i < n; i++) {
        if (i)
            strbuf_putc(sb, '|');
        strbuf_puts(sb, vals[i] ? vals[i] : "");
    }
    strbuf_putc(sb, '\n');
    return 0;
}

/* Runs sql with sqlite3 and returns its rows as "a|b\n..." (malloc()ed). */
FX_FN char *
fx_sqlite_query(const char *path, const char *sql)
{
    sqlite3 *db;
    char *err = NULL;
    strbuf sb;

    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, fx_collect, &sb, &err) != SQLITE_OK)
        fail_msg("sqlite3: %s", err);
    sqlite3_close(db);
    return strbuf_finish(&sb);
}

FX_FN void
fx_assert_sqlite(const char *path, const char *sql, const char *expected)
{
    char *got = fx_sqlite_query(path, sql);
    if (strcmp(got, expected) != 0)
        fail_msg("%s\n got:\n%s\n expected:\n%s", sql, got, expected);
    free(got);
}

/* --- the engine pieces under test ------------------------------------------------- */

FX_FN int
fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_non_null(test_tmpdir());
    test_path(f->path, sizeof f->path, "test.db");
    arena_init(&f->a);
    *state = f;
    return 0;
}

FX_FN void
fx_close(fixture *f)
{
    catalog_writer_close(f->w);
    f->w = NULL;
    if (f->tx != NULL)
        pager_tx_rollback(f->tx);
    f->tx = NULL;
    catalog_release(f->cat);
    f->cat = NULL;
    if (f->p != NULL)
        assert_int_equal(pager_close(f->p), CHORUS_OK);
    f->p = NULL;
}

FX_FN int
fx_teardown(void **state)
{
    fixture *f = *state;
    fx_close(f);
    arena_free(&f->a);
    free(f);
    test_tmpdir_remove();
    return 0;
}

FX_FN void
fx_open(fixture *f)
{
    pager_config cfg;
    char *err = NULL;

    if (f->p != NULL)
        return;
    memset(&cfg, 0, sizeof cfg);
    cfg.create = true;
    if (pager_open(f->path, &cfg, &f->p, &err) != CHORUS_OK)
        fail_msg("pager_open: %s", err ? err : "?");
}

/* Loads the catalog in a read transaction. */
FX_FN int
fx_begin_read(fixture *f, char **err)
{
    fx_open(f);
    assert_int_equal(pager_tx_begin_read(f->p, &f->tx), CHORUS_OK);
    catalog_release(f->cat);
    f->cat = NULL;
    return catalog_load(f->tx, &f->cat, err);
}

FX_FN int fx_eval(void *arg, const catalog_table *t, const ast_expr *e, const value *row,
                   int64_t rowid, value *out, char **errmsg_out);

FX_FN void
fx_begin_write(fixture *f)
{
    catalog_hooks hooks = {f, fx_eval};
    char *err = NULL;

    fx_open(f);
    assert_int_equal(pager_tx_begin_write(f->p, 1000, NULL, &f->tx), CHORUS_OK);
    assert_int_equal(btree_init_database(f->tx), CHORUS_OK);
    catalog_release(f->cat);
    f->cat = NULL;
    if (catalog_load(f->tx, &f->cat, &err) != CHORUS_OK)
        fail_msg("catalog_load: %s", err ? err : "?");
    assert_int_equal(catalog_writer_open(f->tx, f->cat, &hooks, &f->w), CHORUS_OK);
}

FX_FN void
fx_commit(fixture *f)
{
    catalog_writer_close(f->w);
    f->w = NULL;
    assert_int_equal(pager_tx_commit(f->tx), CHORUS_OK);
    f->tx = NULL;
}

FX_FN void
fx_end_read(fixture *f)
{
    assert_int_equal(pager_tx_commit(f->tx), CHORUS_OK);
    f->tx = NULL;
}

/* Closes the pager so that sqlite3 may read the file. */
FX_FN void
fx_release_file(fixture *f)
{
    fx_close(f);
}

FX_FN ast_stmt *
fx_parse(fixture *f, const char *sql)
{
    ast_stmt *stmt = NULL;
    const char *tail;
    char *err = NULL;

    if (sql_parse(sql, (int)strlen(sql), &f->a, &stmt, &tail, &err) != CHORUS_OK)
        fail_msg("parse %s: %s", sql, err ? err : "?");
    assert_non_null(stmt);
    return stmt;
}

/* Runs one DDL statement through the writer; returns its code. */
FX_FN int
fx_ddl(fixture *f, const char *sql)
{
    return catalog_ddl_execute(f->w, fx_parse(f, sql), sql);
}

FX_FN void
fx_ddl_ok(fixture *f, const char *sql)
{
    int rc = fx_ddl(f, sql);
    if (rc != CHORUS_OK)
        fail_msg("%s: %d %s", sql, rc, catalog_writer_errmsg(f->w));
}

FX_FN void
fx_ddl_fails(fixture *f, const char *sql, const char *msg)
{
    int rc = fx_ddl(f, sql);
    if (rc == CHORUS_OK)
        fail_msg("%s succeeded; expected %s", sql, msg);
    if (strcmp(catalog_writer_errmsg(f->w), msg) != 0)
        fail_msg("%s: got \"%s\", expected \"%s\"", sql, catalog_writer_errmsg(f->w), msg);
}

/* --- values ----------------------------------------------------------------------- */

/* Builds values from a compact spec: "i:5", "r:1.5", "t:abc", "n", "b:xy". */
FX_FN void
fx_values(value *out, int n, ...)
{
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *s = va_arg(ap, const char *);
        switch (s[0]) {
        case 'i': value_set_int(&out[i], strtoll(s + 2, NULL, 10)); break;
        case 'r': value_set_real(&out[i], strtod(s + 2, NULL)); break;
        case 't': value_set_text_ref(&out[i], s + 2, (int32_t)strlen(s + 2)); break;
        case 'b': value_set_blob_ref(&out[i], s + 2, (int32_t)strlen(s + 2)); break;
        default: value_set_null(&out[i]); break;
        }
    }
    va_end(ap);
}

/* --- a small evaluator for the hooks: columns, literals, arithmetic, comparisons --- */

FX_FN int
fx_eval(void *arg, const catalog_table *t, const ast_expr *e, const value *row, int64_t rowid,
        value *out, char **errmsg_out)
{
    value a, b;
    int rc, col, cmp;

    (void)arg;
    value_set_null(out);
    switch (e->kind) {
    case EXPR_INTEGER: value_set_int(out, e->ival); return CHORUS_OK;
    case EXPR_FLOAT: value_set_real(out, e->rval); return CHORUS_OK;
    case EXPR_STRING: return value_set_text_copy(out, e->str, e->str_len);
    case EXPR_NULL: return CHORUS_OK;
    case EXPR_COLUMN:
        col = catalog_table_column_resolve(t, e->name);
        if (col == CATALOG_COLUMN_ROWID)
            value_set_int(out, rowid);
        else if (col >= 0 && row != NULL)
            return value_copy(out, &row[col]);
        return CHORUS_OK;
    case EXPR_BINARY:
        rc = fx_eval(arg, t, e->left, row, rowid, &a, errmsg_out);
        if (rc == CHORUS_OK)
            rc = fx_eval(arg, t, e->right, row, rowid, &b, errmsg_out);
        if (rc != CHORUS_OK)
            return rc;
        if (e->op >= AST_OP_EQ && e->op <= AST_OP_GE && e->op != AST_OP_IS &&
            e->op != AST_OP_IS_NOT) {
            if (a.type != VALUE_NULL && b.type != VALUE_NULL) {
                cmp = value_compare(&a, &b, COLLATE_BINARY);
                value_set_int(out, e->op == AST_OP_EQ ? cmp == 0 : e->op == AST_OP_NE ? cmp != 0
                                   : e->op == AST_OP_LT ? cmp < 0 : e->op == AST_OP_LE ? cmp <= 0
                                   : e->op == AST_OP_GT ? cmp > 0 : cmp >= 0);
            }
        } else {
            rc = value_arith(e->op, &a, &b, out);
        }
        value_clear(&a);
        value_clear(&b);
        return rc;
    default:
        *errmsg_out = strdup("fx_eval: unsupported expression");
        return CHORUS_ERROR;
    }
}

/* --- b-tree inspection ---------------------------------------------------------------- */

/* Counts the entries of the tree at root. */
FX_FN int64_t
fx_count(fixture *f, uint32_t root, const key_info *ki)
{
    btree_cursor *cur;
    int64_t n = -1;

    assert_int_equal(btree_cursor_open(f->tx, root, ki, false, &cur), CHORUS_OK);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    btree_cursor_close(cur);
    return n;
}

/* The entries of an index as text: "v1,v2,rowid;..." in index order. */
FX_FN char *
fx_index_dump(fixture *f, const catalog_index *idx)
{
    btree_cursor *cur;
    record_cursor rc;
    strbuf sb;
    bool eof;

    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    record_cursor_init(&rc);
    assert_int_equal(btree_cursor_open(f->tx, idx->root, &idx->ki, false, &cur), CHORUS_OK);
    assert_int_equal(btree_first(cur, &eof), CHORUS_OK);
    while (!eof) {
        const uint8_t *data;
        uint32_t n;
        assert_int_equal(btree_payload(cur, &data, &n), CHORUS_OK);
        assert_int_equal(record_cursor_parse(&rc, data, n), CHORUS_OK);
        for (int i = 0; i < rc.n_cols; i++) {
            value v;
            record_cursor_column(&rc, i, &v);
            if (i)
                strbuf_putc(&sb, ',');
            if (v.type == VALUE_INTEGER)
                strbuf_printf(&sb, "%lld", (long long)v.u.i);
            else if (v.type == VALUE_REAL)
                strbuf_printf(&sb, "%g", v.u.r);
            else if (v.type == VALUE_TEXT || v.type == VALUE_BLOB)
                strbuf_printf(&sb, "%.*s", (int)v.n, v.u.z);
            else
                strbuf_puts(&sb, "NULL");
        }
        strbuf_putc(&sb, ';');
        assert_int_equal(btree_next(cur, &eof), CHORUS_OK);
    }
    btree_cursor_close(cur);
    record_cursor_free(&rc);
    return strbuf_finish(&sb);
}

FX_FN void
fx_assert_index(fixture *f, const char *index, const char *expected)
{
    const catalog_index *idx = catalog_index_find(f->cat, index);
    char *got;

    assert_non_null(idx);
    got = fx_index_dump(f, idx);
    if (strcmp(got, expected) != 0)
        fail_msg("index %s: got \"%s\", expected \"%s\"", index, got, expected);
    free(got);
}

#endif /* CHORUS_CATALOG_FIXTURE_H */
