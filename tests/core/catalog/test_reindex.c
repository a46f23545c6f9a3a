/*
 * tests/core/catalog/test_reindex.c: REINDEX rebuilds emptied index
 * b-trees (all, a table's, one, by collation) and fails on unknown names.
 */
#include "catalog_fixture.h"

static const char schema[] =
    "CREATE TABLE t(a, b COLLATE NOCASE, c);"
    "CREATE INDEX ta ON t(a);"
    "CREATE INDEX tb ON t(b);"
    "CREATE UNIQUE INDEX tc ON t(c DESC);"
    "CREATE TABLE u(x PRIMARY KEY, y);"
    "CREATE INDEX uy ON u(y) WHERE y > 1;"
    "INSERT INTO t VALUES (3, 'b', 1), (1, 'A', 2), (2, 'a', 3), (NULL, NULL, NULL);"
    "INSERT INTO u VALUES (5, 1), (4, 2), (6, 3);";

/* Empties every index b-tree behind the catalog's back. */
static void
empty_indexes(fixture *f)
{
    for (int i = 0; i < catalog_index_count(f->cat); i++)
        assert_int_equal(btree_clear(f->tx, catalog_index_at(f->cat, i)->root, NULL), CHORUS_OK);
}

static void
assert_t_indexes_full(fixture *f)
{
    fx_assert_index(f, "ta", "NULL,4;1,2;2,3;3,1;");
    fx_assert_index(f, "tb", "NULL,4;A,2;a,3;b,1;");
    fx_assert_index(f, "tc", "3,3;2,2;1,1;NULL,4;");
}

static void
test_reindex_rebuilds_every_index(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    empty_indexes(f);
    fx_ddl_ok(f, "REINDEX");
    assert_t_indexes_full(f);
    fx_assert_index(f, "sqlite_autoindex_u_1", "4,2;5,1;6,3;");
    fx_assert_index(f, "uy", "2,2;3,3;");
    fx_commit(f);
    fx_release_file(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check", "ok\n");
}

static void
test_reindex_table_rebuilds_only_its_indexes(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    empty_indexes(f);
    fx_ddl_ok(f, "REINDEX t");
    assert_t_indexes_full(f);
    fx_assert_index(f, "uy", "");
}

static void
test_reindex_index_rebuilds_that_index(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    empty_indexes(f);
    fx_ddl_ok(f, "REINDEX main.tc");
    fx_assert_index(f, "tc", "3,3;2,2;1,1;NULL,4;");
    fx_assert_index(f, "ta", "");
}

static void
test_reindex_collation_rebuilds_indexes_using_it(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    empty_indexes(f);
    fx_ddl_ok(f, "REINDEX nocase");
    fx_assert_index(f, "tb", "NULL,4;A,2;a,3;b,1;");
    fx_assert_index(f, "ta", "");
}

static void
test_reindex_of_unknown_name_fails(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    fx_ddl_fails(f, "REINDEX nosuch", "unable to identify the object to be reindexed");
    fx_ddl_fails(f, "REINDEX other.t", "unknown database other");
}

static void
test_reindex_of_unique_index_over_duplicates_fails(void **state)
{
    fixture *f = *state;
    btree_cursor *cur;
    value rec[3];
    uint8_t buf[32];
    size_t n;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    /* a second row with c = 1, written past the writer's checks */
    assert_int_equal(btree_cursor_open(f->tx, catalog_table_find(f->cat, "t")->root, NULL, true,
                                       &cur), CHORUS_OK);
    fx_values(rec, 3, "i:9", "t:z", "i:1");
    n = record_encode(rec, 3, buf);
    assert_int_equal(btree_insert(cur, 99, buf, (uint32_t)n), CHORUS_OK);
    btree_cursor_close(cur);
    fx_ddl_fails(f, "REINDEX tc", "UNIQUE constraint failed: t.c");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reindex_rebuilds_every_index, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reindex_table_rebuilds_only_its_indexes, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_reindex_index_rebuilds_that_index, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_reindex_collation_rebuilds_indexes_using_it,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reindex_of_unknown_name_fails, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_reindex_of_unique_index_over_duplicates_fails,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
