/*
 * tests/core/catalog/test_pragma.c: catalog_pragma answers compared with
 * what sqlite3 answers for the same PRAGMA on the same file
 * (core/catalog/pragma.c).
 */
#include "catalog_fixture.h"

static const char schema[] =
    "CREATE TABLE p(id INTEGER PRIMARY KEY, x TEXT NOT NULL DEFAULT 'abc', y DEFAULT (1+2));"
    "CREATE TABLE c(a REFERENCES p(id) ON DELETE CASCADE, b INT, z DEFAULT -5 UNIQUE,"
    " FOREIGN KEY(b) REFERENCES p ON UPDATE SET NULL);"
    "CREATE INDEX ci ON c(a DESC, b COLLATE NOCASE) WHERE b > 0;"
    "CREATE TABLE w(k1, k2 TEXT, v, PRIMARY KEY(k2, k1)) WITHOUT ROWID;"
    "CREATE TABLE g(a, b AS (a+1), c GENERATED ALWAYS AS (a*2) STORED);"
    "PRAGMA user_version = 7; PRAGMA application_id = -3;";

/* Formats a result as sqlite3_exec rows: "a|b\n". */
static char *
result_text(const catalog_result *r)
{
    strbuf sb;

    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    for (int64_t i = 0; i < r->n_rows; i++) {
        for (int c = 0; c < r->n_cols; c++) {
            const value *v = &r->cells[i * r->n_cols + c];
            if (c)
                strbuf_putc(&sb, '|');
            if (v->type == VALUE_INTEGER)
                strbuf_printf(&sb, "%lld", (long long)v->u.i);
            else if (v->type == VALUE_TEXT)
                strbuf_printf(&sb, "%.*s", (int)v->n, v->u.z);
        }
        strbuf_putc(&sb, '\n');
    }
    return strbuf_finish(&sb);
}

/* Runs text (one PRAGMA) through catalog_pragma in a read transaction. */
static char *
run_pragma(fixture *f, const char *text, int *rc_out)
{
    catalog_pragma_env env;
    catalog_result r;
    int busy = 5000;
    bool fk = false, rt = false;
    int64_t cache = -2000;
    char *err = NULL, *out;
    ast_stmt *stmt = fx_parse(f, text);

    memset(&env, 0, sizeof env);
    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    env.pager = f->p;
    env.path = f->path;
    env.tx = f->tx;
    env.cat = f->cat;
    env.busy_timeout_ms = &busy;
    env.foreign_keys = &fk;
    env.recursive_triggers = &rt;
    env.cache_size = &cache;
    catalog_result_init(&r);
    *rc_out = catalog_pragma(&env, &stmt->u.pragma, &r, &err);
    out = *rc_out == CHORUS_OK ? result_text(&r) : err;
    catalog_result_free(&r);
    fx_end_read(f);
    return out;
}

/* The same PRAGMA through sqlite3 (with our pager closed) and through us. */
static void
same_as_sqlite(fixture *f, const char *text)
{
    char *ours, *theirs;
    int rc;

    fx_close(f);
    theirs = fx_sqlite_query(f->path, text);
    ours = run_pragma(f, text, &rc);
    assert_int_equal(rc, CHORUS_OK);
    if (strcmp(ours, theirs) != 0)
        fail_msg("%s\n ours:\n%s\n sqlite3:\n%s", text, ours, theirs);
    free(ours);
    free(theirs);
}

static int
setup_schema(void **state)
{
    fixture *f;

    fx_setup(state);
    f = *state;
    fx_sqlite_exec(f->path, schema);
    return 0;
}

static void
test_table_info_and_xinfo_match_sqlite(void **state)
{
    fixture *f = *state;

    same_as_sqlite(f, "PRAGMA table_info(p)");
    same_as_sqlite(f, "PRAGMA table_info('c')");
    same_as_sqlite(f, "PRAGMA main.table_info(w)");
    same_as_sqlite(f, "PRAGMA table_info(g)");
    same_as_sqlite(f, "PRAGMA table_xinfo(g)");
    same_as_sqlite(f, "PRAGMA table_info(nosuch)");
}

static void
test_index_pragmas_match_sqlite(void **state)
{
    fixture *f = *state;

    same_as_sqlite(f, "PRAGMA index_list(c)");
    same_as_sqlite(f, "PRAGMA index_list(w)");
    same_as_sqlite(f, "PRAGMA index_info(ci)");
    same_as_sqlite(f, "PRAGMA index_xinfo(ci)");
    same_as_sqlite(f, "PRAGMA index_xinfo(sqlite_autoindex_c_1)");
    same_as_sqlite(f, "PRAGMA index_xinfo(sqlite_autoindex_w_1)");
    same_as_sqlite(f, "PRAGMA index_info(nosuch)");
}

static void
test_foreign_key_list_matches_sqlite(void **state)
{
    same_as_sqlite(*state, "PRAGMA foreign_key_list(c)");
}

static void
test_header_pragmas_match_sqlite(void **state)
{
    fixture *f = *state;

    same_as_sqlite(f, "PRAGMA user_version");
    same_as_sqlite(f, "PRAGMA application_id");
    same_as_sqlite(f, "PRAGMA schema_version");
    same_as_sqlite(f, "PRAGMA page_size");
    same_as_sqlite(f, "PRAGMA page_count");
    same_as_sqlite(f, "PRAGMA freelist_count");
    same_as_sqlite(f, "PRAGMA encoding");
    same_as_sqlite(f, "PRAGMA integrity_check");
    same_as_sqlite(f, "PRAGMA quick_check");
}

static void
test_settings_pragmas_answer_and_change(void **state)
{
    fixture *f = *state;
    char *out;
    int rc;

    out = run_pragma(f, "PRAGMA journal_mode", &rc);
    assert_string_equal(out, "wal\n");
    free(out);
    out = run_pragma(f, "PRAGMA journal_mode = delete", &rc);
    assert_string_equal(out, "wal\n");
    free(out);
    out = run_pragma(f, "PRAGMA journal_mode = mvcc", &rc);
    assert_int_equal(rc, CHORUS_ERROR);
    assert_string_equal(out, "not supported yet: journal_mode=mvcc");
    free(out);
    out = run_pragma(f, "PRAGMA busy_timeout = 100", &rc);
    assert_string_equal(out, "100\n");
    free(out);
    out = run_pragma(f, "PRAGMA foreign_keys", &rc);
    assert_string_equal(out, "0\n");
    free(out);
    out = run_pragma(f, "PRAGMA foreign_keys = ON", &rc);
    assert_string_equal(out, "");
    free(out);
    out = run_pragma(f, "PRAGMA no_such_pragma", &rc);
    assert_int_equal(rc, CHORUS_OK);
    assert_string_equal(out, "");
    free(out);
    out = run_pragma(f, "PRAGMA foo.table_info(p)", &rc);
    assert_int_equal(rc, CHORUS_ERROR);
    assert_string_equal(out, "unknown database foo");
    free(out);
    out = run_pragma(f, "PRAGMA synchronous = NORMAL", &rc);
    free(out);
    out = run_pragma(f, "PRAGMA synchronous", &rc);
    assert_string_equal(out, "1\n");
    free(out);
}

static void
test_header_pragmas_write_in_a_write_transaction(void **state)
{
    fixture *f = *state;
    catalog_pragma_env env;
    catalog_result r;
    char *err = NULL;

    fx_begin_write(f);
    memset(&env, 0, sizeof env);
    env.pager = f->p;
    env.tx = f->tx;
    env.cat = f->cat;
    catalog_result_init(&r);
    assert_int_equal(catalog_pragma_access(&fx_parse(f, "PRAGMA user_version = 42")->u.pragma),
                     CATALOG_PRAGMA_WRITE);
    assert_int_equal(catalog_pragma_access(&fx_parse(f, "PRAGMA user_version")->u.pragma),
                     CATALOG_PRAGMA_READ);
    assert_int_equal(catalog_pragma(&env, &fx_parse(f, "PRAGMA user_version = 42")->u.pragma, &r,
                                    &err), CHORUS_OK);
    assert_int_equal(r.n_rows, 0);
    assert_int_equal(catalog_pragma(&env, &fx_parse(f, "PRAGMA schema_version = 9")->u.pragma,
                                    &r, &err), CHORUS_OK);
    assert_true(r.schema_changed);
    catalog_result_free(&r);
    fx_commit(f);
    fx_close(f);
    fx_assert_sqlite(f->path, "PRAGMA user_version", "42\n");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_schema, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_table_info_and_xinfo_match_sqlite),
        T(test_index_pragmas_match_sqlite),
        T(test_foreign_key_list_matches_sqlite),
        T(test_header_pragmas_match_sqlite),
        T(test_settings_pragmas_answer_and_change),
        T(test_header_pragmas_write_in_a_write_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
