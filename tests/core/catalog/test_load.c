/*
 * tests/core/catalog/test_load.c: catalog_load on schemas made by sqlite3,
 * catalog_edit_begin, and the lookups (core/catalog/load.c, schema.c,
 * define.c).
 */
#include "catalog_fixture.h"

static fixture *
load_schema(void **state, const char *sql)
{
    fixture *f = *state;
    char *err = NULL;

    fx_sqlite_exec(f->path, sql);
    if (fx_begin_read(f, &err) != CHORUS_OK)
        fail_msg("catalog_load: %s", err ? err : "?");
    return f;
}

static void
test_load_reads_columns_types_and_affinities(void **state)
{
    fixture *f = load_schema(state, "CREATE TABLE t(a INT, b VARCHAR(10), c BLOB, d, e REAL, "
                                    "f DECIMAL(10,2) NOT NULL DEFAULT 0, g TEXT COLLATE NOCASE)");
    const catalog_table *t = catalog_table_find(f->cat, "T");

    assert_non_null(t);
    assert_string_equal(t->name, "t");
    assert_int_equal(t->n_cols, 7);
    assert_int_equal(t->cols[0].affinity, AFFINITY_INTEGER);
    assert_int_equal(t->cols[1].affinity, AFFINITY_TEXT);
    assert_string_equal(t->cols[1].type, "VARCHAR(10)");
    assert_int_equal(t->cols[2].affinity, AFFINITY_BLOB);
    assert_int_equal(t->cols[3].affinity, AFFINITY_BLOB);
    assert_null(t->cols[3].type);
    assert_int_equal(t->cols[4].affinity, AFFINITY_REAL);
    assert_int_equal(t->cols[5].affinity, AFFINITY_NUMERIC);
    assert_true(t->cols[5].not_null);
    assert_string_equal(t->cols[5].default_text, "0");
    assert_int_equal(t->cols[6].collation, COLLATE_NOCASE);
    assert_int_equal(t->rowid_alias, -1);
    assert_int_equal(catalog_table_count(f->cat), 1);
    assert_int_equal(catalog_cookie(f->cat), 1);
    fx_end_read(f);
}

static void
test_load_finds_rowid_alias_by_sqlites_rule(void **state)
{
    fixture *f = load_schema(state,
        "CREATE TABLE a1(x INTEGER PRIMARY KEY, y);"
        "CREATE TABLE a2(x INT PRIMARY KEY, y);"
        "CREATE TABLE a3(x INTEGER PRIMARY KEY DESC, y);"
        "CREATE TABLE a4(y, x integer, PRIMARY KEY(x DESC));"
        "CREATE TABLE a5(x INTEGER, y, PRIMARY KEY(x, y));");

    assert_int_equal(catalog_table_find(f->cat, "a1")->rowid_alias, 0);
    assert_int_equal(catalog_table_find(f->cat, "a1")->n_indexes, 0);
    assert_int_equal(catalog_table_find(f->cat, "a2")->rowid_alias, -1);
    assert_int_equal(catalog_table_find(f->cat, "a2")->n_indexes, 1);
    assert_int_equal(catalog_table_find(f->cat, "a3")->rowid_alias, -1);
    assert_int_equal(catalog_table_find(f->cat, "a4")->rowid_alias, 1);
    assert_int_equal(catalog_table_find(f->cat, "a5")->rowid_alias, -1);
    assert_int_equal(catalog_table_find(f->cat, "a5")->n_pk, 2);
    fx_end_read(f);
}

static void
test_load_matches_autoindexes_to_constraints_in_order(void **state)
{
    fixture *f = *state;
    const catalog_table *t;
    const catalog_index *pk;
    char *roots, *err = NULL;

    fx_sqlite_exec(f->path, "CREATE TABLE t7(a UNIQUE, b UNIQUE, c PRIMARY KEY, "
                            "UNIQUE(a), UNIQUE(b,c));"
                            "CREATE INDEX i7 ON t7(a);");
    roots = fx_sqlite_query(f->path, "SELECT rootpage FROM sqlite_schema WHERE "
                                     "name='sqlite_autoindex_t7_3'");
    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    t = catalog_table_find(f->cat, "t7");

    assert_int_equal(t->n_indexes, 5);
    assert_string_equal(t->indexes[0]->name, "sqlite_autoindex_t7_1");
    assert_string_equal(t->indexes[3]->name, "sqlite_autoindex_t7_4");
    assert_int_equal(t->indexes[3]->n_cols, 2);
    assert_string_equal(t->indexes[4]->name, "i7");
    pk = catalog_index_find(f->cat, "sqlite_autoindex_t7_3");
    assert_int_equal(pk->origin, CATALOG_INDEX_PK);
    assert_int_equal(pk->root, strtol(roots, NULL, 10));
    assert_int_equal(t->indexes[0]->origin, CATALOG_INDEX_UNIQUE);
    assert_int_equal(t->indexes[4]->origin, CATALOG_INDEX_CREATE);
    assert_false(t->indexes[4]->unique);
    free(roots);
    fx_end_read(f);
}

static void
test_load_reads_index_key_info_views_and_triggers(void **state)
{
    fixture *f = load_schema(state,
        "CREATE TABLE t(a TEXT COLLATE NOCASE, b, c);"
        "CREATE UNIQUE INDEX i ON t(a, b DESC, c COLLATE RTRIM) WHERE c > 0;"
        "CREATE INDEX e ON t(b + c);"
        "CREATE VIEW v(x, y) AS SELECT a, b FROM t;"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;");
    const catalog_index *i = catalog_index_find(f->cat, "I");
    const catalog_index *e = catalog_index_find(f->cat, "e");
    const catalog_view *v = catalog_view_find(f->cat, "v");
    const catalog_trigger *tr = catalog_trigger_find(f->cat, "tr");

    assert_true(i->unique);
    assert_non_null(i->where);
    assert_int_equal(i->ki.n_fields, 3);
    assert_int_equal(i->ki.coll[0], COLLATE_NOCASE);
    assert_int_equal(i->ki.desc[1], 1);
    assert_int_equal(i->ki.coll[2], COLLATE_RTRIM);
    assert_int_equal(e->cols[0].column, CATALOG_COLUMN_EXPR);
    assert_non_null(e->cols[0].expr);
    assert_non_null(v);
    assert_int_equal(v->columns->n, 2);
    assert_non_null(v->select);
    assert_non_null(tr);
    assert_string_equal(tr->table, "t");
    assert_int_equal(catalog_table_find(f->cat, "t")->n_triggers, 1);
    fx_end_read(f);
}

static void
test_load_of_empty_file_gives_empty_catalog(void **state)
{
    fixture *f = *state;
    char *err = NULL;

    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    assert_int_equal(catalog_table_count(f->cat), 0);
    assert_int_equal(catalog_cookie(f->cat), 0);
    assert_non_null(catalog_table_find(f->cat, "sqlite_master"));
    fx_end_read(f);
}

static void
test_load_reports_malformed_schema(void **state)
{
    fixture *f = *state;
    char *err = NULL;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a); PRAGMA writable_schema=ON;"
                            "UPDATE sqlite_schema SET sql='CREATE TABLE t(a,' WHERE name='t';");
    assert_int_equal(fx_begin_read(f, &err), CHORUS_CORRUPT);
    assert_non_null(err);
    assert_non_null(strstr(err, "malformed database schema (t)"));
    free(err);
    assert_null(f->cat);
    fx_end_read(f);
}

static void
test_load_reports_a_duplicate_column_as_malformed(void **state)
{
    fixture *f = *state;
    char *err = NULL;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a); PRAGMA writable_schema=ON;"
                            "UPDATE sqlite_schema SET sql='CREATE TABLE t(a, a)' WHERE name='t';");
    assert_int_equal(fx_begin_read(f, &err), CHORUS_CORRUPT);
    assert_string_equal(err, "malformed database schema (t) - duplicate column name: a");
    free(err);
    fx_end_read(f);
}

static void
test_edit_begin_copies_every_object(void **state)
{
    fixture *f = load_schema(state, "CREATE TABLE t(a PRIMARY KEY, b);"
                                    "CREATE INDEX ib ON t(b); CREATE VIEW v AS SELECT 1;"
                                    "CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END;");
    catalog *copy;

    assert_int_equal(catalog_edit_begin(f->cat, &copy), CHORUS_OK);
    assert_int_equal(catalog_cookie(copy), catalog_cookie(f->cat));
    assert_ptr_not_equal(catalog_table_find(copy, "t"), catalog_table_find(f->cat, "t"));
    assert_int_equal(catalog_table_find(copy, "t")->n_indexes, 2);
    assert_int_equal(catalog_index_find(copy, "sqlite_autoindex_t_1")->root,
                     catalog_index_find(f->cat, "sqlite_autoindex_t_1")->root);
    assert_int_equal(catalog_index_find(copy, "ib")->root,
                     catalog_index_find(f->cat, "ib")->root);
    assert_non_null(catalog_view_find(copy, "v"));
    assert_int_equal(catalog_table_find(copy, "t")->n_triggers, 1);
    assert_ptr_equal(catalog_retain(copy), copy);
    catalog_release(copy);
    catalog_release(copy);
    fx_end_read(f);
}

static void
test_column_resolve_understands_rowid_names(void **state)
{
    fixture *f = load_schema(state, "CREATE TABLE a(id INTEGER PRIMARY KEY, x);"
                                    "CREATE TABLE b(x, oid);");
    const catalog_table *a = catalog_table_find(f->cat, "a");
    const catalog_table *b = catalog_table_find(f->cat, "b");

    assert_int_equal(catalog_table_column_resolve(a, "ROWID"), 0);
    assert_int_equal(catalog_table_column_resolve(a, "X"), 1);
    assert_int_equal(catalog_table_column_resolve(b, "_rowid_"), CATALOG_COLUMN_ROWID);
    assert_int_equal(catalog_table_column_resolve(b, "oid"), 1);
    assert_int_equal(catalog_table_column_resolve(b, "nope"), -2);
    fx_end_read(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_reads_columns_types_and_affinities, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_finds_rowid_alias_by_sqlites_rule, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_matches_autoindexes_to_constraints_in_order,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_reads_index_key_info_views_and_triggers,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_of_empty_file_gives_empty_catalog, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_reports_malformed_schema, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_load_reports_a_duplicate_column_as_malformed,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_edit_begin_copies_every_object, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_column_resolve_understands_rowid_names, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
