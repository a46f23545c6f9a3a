/*
 * tests/core/catalog/test_analyze.c: ANALYZE writes the sqlite_stat1 rows
 * sqlite3 writes for the same data, and catalog_load reads them (ours or
 * sqlite3's) into the indexes.
 */
#include "catalog_fixture.h"

static const char schema[] =
    "CREATE TABLE t(a, b, c);"
    "CREATE INDEX ta ON t(a);"
    "CREATE INDEX tab ON t(a, b);"
    "CREATE UNIQUE INDEX tc ON t(c);"
    "CREATE TABLE v(s COLLATE NOCASE, n);"
    "CREATE INDEX vs ON v(s, n);"
    "CREATE TABLE e(x); CREATE INDEX ex ON e(x);"
    "CREATE TABLE z(x);"
    "CREATE TABLE n(x);"
    "CREATE TABLE p(x); CREATE INDEX px ON p(x) WHERE x > 3;"
    "CREATE TABLE u(a); CREATE INDEX ua ON u(a);"
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 100)"
    " INSERT INTO t SELECT i % 7, CASE WHEN i % 5 THEN i % 3 END, i FROM r;"
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 20)"
    " INSERT INTO u SELECT i FROM r;"
    "INSERT INTO u VALUES (1), (2);"
    "INSERT INTO v VALUES ('a', 1), ('A', 1), ('b', NULL), ('B', NULL), (NULL, NULL), (NULL, 2);"
    "INSERT INTO n VALUES (1), (2);"
    "INSERT INTO p VALUES (1), (5), (6);";

static const char stat_query[] = "SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx";

/* Runs ANALYZE text through our writer and commits. */
static void
analyze(fixture *f, const char *text)
{
    fx_begin_write(f);
    fx_ddl_ok(f, text);
    fx_commit(f);
    fx_release_file(f);
}

/* The same data analyzed by sqlite3 in a second file. */
static char *
sqlite_stats(fixture *f, const char *before, const char *text)
{
    char path[600], sql[512];
    char *out;

    snprintf(path, sizeof path, "%s.oracle", f->path);
    fx_sqlite_exec(path, schema);
    if (before != NULL)
        fx_sqlite_exec(path, before);
    snprintf(sql, sizeof sql, "%s; %s", text, stat_query);
    out = fx_sqlite_query(path, sql);
    remove(path);
    return out;
}

static void
same_stats_as_sqlite(fixture *f, const char *before, const char *text)
{
    char *theirs = sqlite_stats(f, before, text);
    char *ours;

    fx_sqlite_exec(f->path, schema);
    if (before != NULL)
        fx_sqlite_exec(f->path, before);
    analyze(f, text);
    ours = fx_sqlite_query(f->path, stat_query);
    if (strcmp(ours, theirs) != 0)
        fail_msg("%s\n ours:\n%s\n sqlite3:\n%s", text, ours, theirs);
    free(ours);
    free(theirs);
}

static void
test_analyze_writes_the_rows_sqlite_writes(void **state)
{
    same_stats_as_sqlite(*state, NULL, "ANALYZE");
}

static void
test_analyze_creates_sqlite_stat1_as_sqlite_does(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    analyze(f, "ANALYZE");
    fx_assert_sqlite(f->path, "SELECT sql FROM sqlite_schema WHERE name = 'sqlite_stat1';"
                              "PRAGMA integrity_check",
                     "CREATE TABLE sqlite_stat1(tbl,idx,stat)\nok\n");
}

static void
test_analyze_table_replaces_only_its_rows(void **state)
{
    same_stats_as_sqlite(*state, "ANALYZE; DELETE FROM t WHERE a = 0; DELETE FROM u;",
                         "ANALYZE t");
}

static void
test_analyze_index_replaces_only_its_row(void **state)
{
    same_stats_as_sqlite(*state, "ANALYZE; DELETE FROM t WHERE a = 0;", "ANALYZE tab");
}

static void
test_analyze_of_unknown_name_fails(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    fx_ddl_fails(f, "ANALYZE nosuch", "no such table: nosuch");
    fx_ddl_fails(f, "ANALYZE other.t", "unknown database other");
    assert_null(catalog_table_find(f->cat, "sqlite_stat1"));
}

static void
assert_stat(const catalog *cat, const char *index, int n, const int64_t *expected)
{
    const catalog_index *idx = catalog_index_find(cat, index);

    assert_non_null(idx);
    assert_int_equal(idx->n_stat, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(idx->stat[i], expected[i]);
}

static void
test_load_reads_the_numbers_into_the_indexes(void **state)
{
    fixture *f = *state;
    char *err = NULL;
    catalog *copy;

    fx_sqlite_exec(f->path, schema);
    fx_sqlite_exec(f->path, "ANALYZE");
    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    assert_stat(f->cat, "tab", 3, (const int64_t[]){100, 15, 4});
    assert_stat(f->cat, "ua", 2, (const int64_t[]){22, 1});
    assert_stat(f->cat, "ex", 0, NULL);
    assert_int_equal(catalog_edit_begin(f->cat, &copy), CHORUS_OK);
    assert_stat(copy, "tab", 3, (const int64_t[]){100, 15, 4});
    catalog_release(copy);
    fx_end_read(f);
}

static void
test_analyze_updates_the_writers_catalog(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    fx_ddl_ok(f, "ANALYZE");
    assert_stat(f->cat, "tc", 2, (const int64_t[]){100, 1});
    assert_stat(f->cat, "vs", 3, (const int64_t[]){6, 2, 2});
}

static void
test_load_ignores_malformed_rows(void **state)
{
    fixture *f = *state;
    char *err = NULL;

    fx_sqlite_exec(f->path, schema);
    fx_sqlite_exec(f->path, "ANALYZE; UPDATE sqlite_stat1 SET stat = 'garbage' WHERE idx = 'ta';"
                            "UPDATE sqlite_stat1 SET tbl = 'u' WHERE idx = 'tc';"
                            "UPDATE sqlite_stat1 SET stat = '10 x' WHERE idx = 'tab';"
                            "INSERT INTO sqlite_stat1 VALUES ('t', 'nosuch', '1 1'), (1, 2, 3);");
    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    assert_stat(f->cat, "ta", 0, NULL);
    assert_stat(f->cat, "tc", 0, NULL);
    assert_stat(f->cat, "tab", 1, (const int64_t[]){10});
    fx_end_read(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_analyze_writes_the_rows_sqlite_writes, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_analyze_creates_sqlite_stat1_as_sqlite_does,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_analyze_table_replaces_only_its_rows, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_analyze_index_replaces_only_its_row, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_analyze_of_unknown_name_fails, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_reads_the_numbers_into_the_indexes, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_analyze_updates_the_writers_catalog, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_ignores_malformed_rows, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
