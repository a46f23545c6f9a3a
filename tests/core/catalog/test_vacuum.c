/*
 * tests/core/catalog/test_vacuum.c: VACUUM and VACUUM INTO give files that
 * sqlite3 finds intact, compact (no free pages) and holding the same
 * schema, rows and header settings; the writer's catalog follows the new
 * root pages; errors.
 */
#include "catalog_fixture.h"

#include <unistd.h>

static const char schema[] =
    "PRAGMA user_version = 42; PRAGMA application_id = 7;"
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c);"
    "CREATE INDEX tb ON t(b);"
    "CREATE TABLE u(x UNIQUE, y);"
    "CREATE VIEW tv AS SELECT a FROM t;"
    "CREATE TRIGGER tr AFTER INSERT ON u BEGIN SELECT 1; END;"
    "CREATE TABLE big(a, b);"
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 1500)"
    " INSERT INTO t SELECT i, printf('%0200d', i), randomblob(30) FROM r;"
    "INSERT INTO u SELECT b, a FROM t WHERE a % 3 = 0;"
    "INSERT INTO big VALUES (1, zeroblob(20000));"
    "DELETE FROM t WHERE a % 2 = 0;"
    "CREATE TABLE junk AS SELECT * FROM t; DROP TABLE junk;";

static const char dump[] =
    "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid;"
    "SELECT count(*), sum(a), sum(length(b)), sum(length(c)) FROM t;"
    "SELECT count(*), sum(y) FROM u; SELECT a, length(b) FROM big;"
    "PRAGMA user_version; PRAGMA application_id; PRAGMA integrity_check";

static void
test_vacuum_compacts_and_keeps_everything(void **state)
{
    fixture *f = *state;
    char *before;

    fx_sqlite_exec(f->path, schema);
    before = fx_sqlite_query(f->path, dump);
    fx_assert_sqlite(f->path, "SELECT freelist_count > 0 FROM pragma_freelist_count", "1\n");
    fx_begin_write(f);
    fx_ddl_ok(f, "VACUUM");
    fx_commit(f);
    fx_release_file(f);
    fx_assert_sqlite(f->path, dump, before);
    fx_assert_sqlite(f->path, "PRAGMA freelist_count", "0\n");
    free(before);
}

static void
test_vacuum_moves_the_writers_catalog_to_the_new_roots(void **state)
{
    fixture *f = *state;
    const catalog_table *t;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    fx_ddl_ok(f, "VACUUM main");
    t = catalog_table_find(f->cat, "t");
    assert_int_equal(fx_count(f, t->root, NULL), 750);
    assert_int_equal(fx_count(f, t->indexes[0]->root, &t->indexes[0]->ki), 750);
    assert_int_equal(fx_count(f, catalog_index_find(f->cat, "sqlite_autoindex_u_1")->root,
                              &catalog_index_find(f->cat, "sqlite_autoindex_u_1")->ki), 500);
}

static void
test_vacuum_bumps_the_schema_cookie(void **state)
{
    fixture *f = *state;
    uint32_t before, after;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    assert_int_equal(btree_meta_get(f->tx, BTREE_META_SCHEMA_COOKIE, &before), CHORUS_OK);
    fx_ddl_ok(f, "VACUUM");
    assert_int_equal(btree_meta_get(f->tx, BTREE_META_SCHEMA_COOKIE, &after), CHORUS_OK);
    assert_int_equal(after, before + 1);
    assert_int_equal(catalog_cookie(f->cat), after);
}

static void
test_vacuum_of_an_empty_database_works(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "VACUUM");
    fx_commit(f);
    fx_release_file(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check; PRAGMA page_count", "ok\n1\n");
}

static void
test_vacuum_into_writes_a_compact_copy(void **state)
{
    fixture *f = *state;
    char into[600], sql[700];
    char *before;

    snprintf(into, sizeof into, "%s.copy", f->path);
    fx_sqlite_exec(f->path, schema);
    before = fx_sqlite_query(f->path, dump);
    fx_begin_write(f);
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", into);
    fx_ddl_ok(f, sql);
    fx_commit(f);
    fx_release_file(f);
    fx_assert_sqlite(into, dump, before);
    fx_assert_sqlite(into, "PRAGMA freelist_count", "0\n");
    fx_assert_sqlite(f->path, "SELECT freelist_count > 0 FROM pragma_freelist_count", "1\n");
    remove(into);
    free(before);
}

static void
test_vacuum_into_an_existing_file_fails(void **state)
{
    fixture *f = *state;
    char sql[700];

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", f->path);
    fx_ddl_fails(f, sql, "output file already exists");
}

static void
test_vacuum_of_unknown_schema_fails(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    fx_ddl_fails(f, "VACUUM other", "unknown database other");
    fx_ddl_fails(f, "VACUUM INTO 1 + 2", "not supported yet: VACUUM INTO an expression");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_vacuum_compacts_and_keeps_everything, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_moves_the_writers_catalog_to_the_new_roots,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_bumps_the_schema_cookie, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_of_an_empty_database_works, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_into_writes_a_compact_copy, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_into_an_existing_file_fails, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_vacuum_of_unknown_schema_fails, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
