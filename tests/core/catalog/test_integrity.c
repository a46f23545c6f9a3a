/*
 * tests/core/catalog/test_integrity.c: PRAGMA integrity_check and
 * quick_check on clean files and on files whose indexes we damage on
 * purpose, compared with what sqlite3 reports (core/catalog/integrity.c).
 */
#include "catalog_fixture.h"

static char *
check(fixture *f, const char *pragma)
{
    catalog_pragma_env env;
    catalog_hooks hooks = {f, fx_eval};
    catalog_result r;
    strbuf sb;
    char *err = NULL;

    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    memset(&env, 0, sizeof env);
    env.pager = f->p;
    env.tx = f->tx;
    env.cat = f->cat;
    env.hooks = &hooks;
    catalog_result_init(&r);
    assert_int_equal(catalog_pragma(&env, &fx_parse(f, pragma)->u.pragma, &r, &err), CHORUS_OK);
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    for (int64_t i = 0; i < r.n_rows; i++)
        strbuf_printf(&sb, "%.*s\n", (int)r.cells[i].n, r.cells[i].u.z);
    catalog_result_free(&r);
    fx_end_read(f);
    fx_close(f);
    return strbuf_finish(&sb);
}

static void
same_as_sqlite(fixture *f, const char *pragma)
{
    char *theirs = fx_sqlite_query(f->path, pragma);
    char *ours = check(f, pragma);

    if (strcmp(ours, theirs) != 0)
        fail_msg("%s\n ours:\n%s\n sqlite3:\n%s", pragma, ours, theirs);
    free(ours);
    free(theirs);
}

/* Removes the index entry of rowid from index name (a damaged file). */
static void
drop_entry(fixture *f, const char *name, int64_t rowid)
{
    const catalog_index *idx;
    btree_cursor *cur;
    bool eof;

    fx_begin_write(f);
    idx = catalog_index_find(f->cat, name);
    assert_int_equal(btree_cursor_open(f->tx, idx->root, &idx->ki, true, &cur), CHORUS_OK);
    assert_int_equal(btree_first(cur, &eof), CHORUS_OK);
    while (!eof) {
        const uint8_t *data;
        uint32_t n;
        value v;
        assert_int_equal(btree_payload(cur, &data, &n), CHORUS_OK);
        assert_int_equal(record_column(data, n, idx->n_cols, &v), CHORUS_OK);
        if (v.u.i == rowid) {
            assert_int_equal(btree_delete(cur), CHORUS_OK);
            break;
        }
        assert_int_equal(btree_next(cur, &eof), CHORUS_OK);
    }
    btree_cursor_close(cur);
    fx_commit(f);
    fx_close(f);
}

static void
test_clean_file_checks_ok(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a NOT NULL, b UNIQUE); CREATE INDEX ia ON t(a);"
                            "CREATE INDEX p ON t(b) WHERE b > 1;"
                            "INSERT INTO t VALUES(1, 1), (2, 2), (3, NULL);");
    same_as_sqlite(f, "PRAGMA integrity_check");
    same_as_sqlite(f, "PRAGMA quick_check");
}

static void
test_missing_index_entry_is_reported_like_sqlite(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a, b); CREATE INDEX ia ON t(a);"
                            "INSERT INTO t VALUES(1, 1), (2, 2), (3, 3);");
    drop_entry(f, "ia", 2);
    same_as_sqlite(f, "PRAGMA integrity_check");
}

static void
test_missing_partial_index_entry_is_reported(void **state)
{
    fixture *f = *state;
    char *out;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a, b); CREATE INDEX p ON t(a) WHERE b > 1;"
                            "INSERT INTO t VALUES(1, 1), (2, 2), (3, 3);");
    drop_entry(f, "p", 3);
    out = check(f, "PRAGMA integrity_check");
    assert_string_equal(out, "row 3 missing from index p\nwrong # of entries in index p\n");
    free(out);
}

static void
test_null_in_not_null_column_is_reported(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a, b); INSERT INTO t VALUES(1, NULL);"
                            "PRAGMA writable_schema = ON;"
                            "UPDATE sqlite_schema SET sql = 'CREATE TABLE t(a, b NOT NULL)';");
    same_as_sqlite(f, "PRAGMA integrity_check");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_clean_file_checks_ok),
        T(test_missing_index_entry_is_reported_like_sqlite),
        T(test_missing_partial_index_entry_is_reported),
        T(test_null_in_not_null_column_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
