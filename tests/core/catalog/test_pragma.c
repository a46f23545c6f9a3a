/*
 * tests/core/catalog/test_pragma.c: catalog_pragma answers compared with
 * what sqlite3 answers for the same PRAGMA on the same file
 * (core/catalog/pragma.c).
 */
#include "pragma_fixture.h"

static const char schema[] =
    "CREATE TABLE p(id INTEGER PRIMARY KEY, x TEXT NOT NULL DEFAULT 'abc', y DEFAULT (1+2));"
    "CREATE TABLE c(a REFERENCES p(id) ON DELETE CASCADE, b INT, z DEFAULT -5 UNIQUE,"
    " FOREIGN KEY(b) REFERENCES p ON UPDATE SET NULL);"
    "CREATE INDEX ci ON c(a DESC, b COLLATE NOCASE) WHERE b > 0;"
    "CREATE TABLE w(k1, k2 TEXT, v, PRIMARY KEY(k2, k1)) WITHOUT ROWID;"
    "CREATE TABLE g(a, b AS (a+1), c GENERATED ALWAYS AS (a*2) STORED);"
    "PRAGMA user_version = 7; PRAGMA application_id = -3;";

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

    fx_pragma_same_as_sqlite(f, "PRAGMA table_info(p)");
    fx_pragma_same_as_sqlite(f, "PRAGMA table_info('c')");
    fx_pragma_same_as_sqlite(f, "PRAGMA main.table_info(w)");
    fx_pragma_same_as_sqlite(f, "PRAGMA table_info(g)");
    fx_pragma_same_as_sqlite(f, "PRAGMA table_xinfo(g)");
    fx_pragma_same_as_sqlite(f, "PRAGMA table_info(nosuch)");
}

static void
test_index_pragmas_match_sqlite(void **state)
{
    fixture *f = *state;

    fx_pragma_same_as_sqlite(f, "PRAGMA index_list(c)");
    fx_pragma_same_as_sqlite(f, "PRAGMA index_list(w)");
    fx_pragma_same_as_sqlite(f, "PRAGMA index_info(ci)");
    fx_pragma_same_as_sqlite(f, "PRAGMA index_xinfo(ci)");
    fx_pragma_same_as_sqlite(f, "PRAGMA index_xinfo(sqlite_autoindex_c_1)");
    fx_pragma_same_as_sqlite(f, "PRAGMA index_xinfo(sqlite_autoindex_w_1)");
    fx_pragma_same_as_sqlite(f, "PRAGMA index_info(nosuch)");
}

static void
test_foreign_key_list_matches_sqlite(void **state)
{
    fx_pragma_same_as_sqlite(*state, "PRAGMA foreign_key_list(c)");
}

static void
test_header_pragmas_match_sqlite(void **state)
{
    fixture *f = *state;

    fx_pragma_same_as_sqlite(f, "PRAGMA user_version");
    fx_pragma_same_as_sqlite(f, "PRAGMA application_id");
    fx_pragma_same_as_sqlite(f, "PRAGMA schema_version");
    fx_pragma_same_as_sqlite(f, "PRAGMA page_size");
    fx_pragma_same_as_sqlite(f, "PRAGMA page_count");
    fx_pragma_same_as_sqlite(f, "PRAGMA freelist_count");
    fx_pragma_same_as_sqlite(f, "PRAGMA encoding");
    fx_pragma_same_as_sqlite(f, "PRAGMA integrity_check");
    fx_pragma_same_as_sqlite(f, "PRAGMA quick_check");
}

static void
test_settings_pragmas_answer_and_change(void **state)
{
    fixture *f = *state;
    char *out;
    int rc;

    out = fx_pragma_run(f, "PRAGMA journal_mode", &rc);
    assert_string_equal(out, "wal\n");
    free(out);
    out = fx_pragma_run(f, "PRAGMA journal_mode = delete", &rc);
    assert_string_equal(out, "wal\n");
    free(out);
    out = fx_pragma_run(f, "PRAGMA journal_mode = mvcc", &rc);
    assert_int_equal(rc, CHORUS_ERROR);
    assert_string_equal(out, "not supported yet: journal_mode=mvcc");
    free(out);
    out = fx_pragma_run(f, "PRAGMA busy_timeout = 100", &rc);
    assert_string_equal(out, "100\n");
    free(out);
    out = fx_pragma_run(f, "PRAGMA foreign_keys", &rc);
    assert_string_equal(out, "0\n");
    free(out);
    out = fx_pragma_run(f, "PRAGMA foreign_keys = ON", &rc);
    assert_string_equal(out, "");
    free(out);
    out = fx_pragma_run(f, "PRAGMA no_such_pragma", &rc);
    assert_int_equal(rc, CHORUS_OK);
    assert_string_equal(out, "");
    free(out);
    out = fx_pragma_run(f, "PRAGMA foo.table_info(p)", &rc);
    assert_int_equal(rc, CHORUS_ERROR);
    assert_string_equal(out, "unknown database foo");
    free(out);
    out = fx_pragma_run(f, "PRAGMA synchronous = NORMAL", &rc);
    free(out);
    out = fx_pragma_run(f, "PRAGMA synchronous", &rc);
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
