/*
 * tests/core/catalog/test_row_write.c: catalog_row_insert/update/delete:
 * affinity, rowids, NOT NULL, UNIQUE/PRIMARY KEY conflicts under each
 * conflict action, index maintenance (checked by scanning the index
 * b-trees), AUTOINCREMENT; sqlite3 checks the files afterwards
 * (core/catalog/row_write.c, constraint.c).
 */
#include "catalog_fixture.h"

static fixture *
with_schema(void **state, const char *sql)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, sql);
    fx_begin_write(f);
    return f;
}

static const catalog_table *
table(fixture *f, const char *name)
{
    const catalog_table *t = catalog_table_find(f->cat, name);
    assert_non_null(t);
    return t;
}

static int
insert(fixture *f, const char *name, int conflict, catalog_row_result *res, const value *vals)
{
    return catalog_row_insert(f->w, table(f, name), vals, NULL, conflict, res);
}

static void
insert_ok(fixture *f, const char *name, const value *vals)
{
    catalog_row_result res;
    int rc = insert(f, name, AST_CONFLICT_DEFAULT, &res, vals);

    if (rc != CHORUS_OK)
        fail_msg("insert: %d %s", rc, catalog_writer_errmsg(f->w));
    assert_false(res.ignored);
}

/* Commits, closes, and asks sqlite3. */
static void
check_with_sqlite(fixture *f, const char *sql, const char *expected)
{
    if (f->tx != NULL)
        fx_commit(f);
    fx_release_file(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check", "ok\n");
    fx_assert_sqlite(f->path, sql, expected);
}

static void
test_insert_allocates_rowids_and_stores_alias_as_null(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY, a);"
                                    "INSERT INTO t VALUES(5, 'x');");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "n", "t:y");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_OK);
    assert_int_equal(res.rowid, 6);
    assert_int_equal(catalog_writer_row(f->w)[0].u.i, 6);
    fx_values(v, 2, "t: 9 ", "t:z");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_OK);
    assert_int_equal(res.rowid, 9);
    check_with_sqlite(f, "SELECT id, a, typeof(id) FROM t",
                      "5|x|integer\n6|y|integer\n9|z|integer\n");
}

static void
test_insert_applies_column_affinity(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a INT, b TEXT, c REAL, d BLOB, e NUMERIC)");
    value v[5];

    fx_values(v, 5, "t:12", "i:7", "i:3", "t:4", "t:1.0");
    insert_ok(f, "t", v);
    check_with_sqlite(f, "SELECT typeof(a), typeof(b), b, typeof(c), typeof(d), typeof(e), e FROM t",
                      "integer|text|7|real|text|integer|1\n");
}

static void
test_insert_rejects_non_integer_rowid_alias(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY, a)");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "t:x", "n");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_MISMATCH);
    assert_string_equal(catalog_writer_errmsg(f->w), "datatype mismatch");
    fx_values(v, 2, "r:1.5", "n");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_MISMATCH);
    fx_values(v, 2, "r:2.0", "n");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_OK);
    assert_int_equal(res.rowid, 2);
    fx_commit(f);
}

static void
test_insert_not_null_fails_ignores_or_uses_default(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a NOT NULL, b DEFAULT 5 NOT NULL, c)");
    catalog_row_result res;
    value v[3];

    fx_values(v, 3, "n", "i:1", "i:1");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_CONSTRAINT_NOTNULL);
    assert_string_equal(catalog_writer_errmsg(f->w), "NOT NULL constraint failed: t.a");
    assert_int_equal(catalog_writer_conflict(f->w), AST_CONFLICT_ABORT);
    assert_int_equal(insert(f, "t", AST_CONFLICT_FAIL, &res, v), CHORUS_CONSTRAINT_NOTNULL);
    assert_int_equal(catalog_writer_conflict(f->w), AST_CONFLICT_FAIL);
    assert_int_equal(insert(f, "t", AST_CONFLICT_IGNORE, &res, v), CHORUS_OK);
    assert_true(res.ignored);
    fx_values(v, 3, "i:1", "n", "i:1");
    assert_int_equal(insert(f, "t", AST_CONFLICT_REPLACE, &res, v), CHORUS_OK);
    assert_false(res.ignored);
    /* REPLACE without a default is ABORT. */
    fx_values(v, 3, "n", "i:1", "i:1");
    assert_int_equal(insert(f, "t", AST_CONFLICT_REPLACE, &res, v), CHORUS_CONSTRAINT_NOTNULL);
    check_with_sqlite(f, "SELECT * FROM t", "1|5|1\n");
}

static void
test_insert_unique_conflicts_name_their_columns(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, UNIQUE(a, b));"
                                    "CREATE TABLE w(a, b, PRIMARY KEY(a, b));"
                                    "CREATE TABLE u(x);"
                                    "INSERT INTO t VALUES(1, 1, 1); INSERT INTO w VALUES(1, 2);"
                                    "INSERT INTO u(rowid, x) VALUES(3, 3);");
    catalog_row_result res;
    value v[3], rowid;

    fx_values(v, 3, "n", "i:1", "i:1");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_CONSTRAINT_UNIQUE);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: t.a, t.b");
    fx_values(v, 3, "i:1", "i:2", "i:2");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_CONSTRAINT_PRIMARYKEY);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: t.id");
    fx_values(v, 2, "i:1", "i:2");
    assert_int_equal(insert(f, "w", 0, &res, v), CHORUS_CONSTRAINT_PRIMARYKEY);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: w.a, w.b");
    value_set_int(&rowid, 3);
    fx_values(v, 1, "i:4");
    assert_int_equal(catalog_row_insert(f->w, table(f, "u"), v, &rowid, 0, &res),
                     CHORUS_CONSTRAINT_ROWID);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: u.rowid");
    /* NULLs are distinct. */
    fx_values(v, 3, "n", "n", "i:1");
    insert_ok(f, "t", v);
    insert_ok(f, "t", v);
    fx_assert_index(f, "sqlite_autoindex_t_1", "NULL,1,2;NULL,1,3;1,1,1;");
    fx_commit(f);
}

static void
test_insert_or_ignore_skips_conflicting_rows(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a UNIQUE, b UNIQUE);"
                                    "INSERT INTO t VALUES(1, 1);");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "i:2", "i:1");
    assert_int_equal(insert(f, "t", AST_CONFLICT_IGNORE, &res, v), CHORUS_OK);
    assert_true(res.ignored);
    fx_assert_index(f, "sqlite_autoindex_t_1", "1,1;");
    check_with_sqlite(f, "SELECT count(*) FROM t", "1\n");
}

static void
test_insert_or_replace_deletes_every_conflicting_row(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY, a UNIQUE, b UNIQUE);"
                                    "CREATE INDEX tb ON t(b);"
                                    "INSERT INTO t VALUES(1, 1, 10), (2, 2, 20), (3, 3, 30);");
    catalog_row_result res;
    value v[3];

    fx_values(v, 3, "i:1", "i:2", "i:30");
    assert_int_equal(insert(f, "t", AST_CONFLICT_REPLACE, &res, v), CHORUS_OK);
    assert_int_equal(res.n_replaced, 3);
    assert_int_equal(res.rowid, 1);
    fx_assert_index(f, "sqlite_autoindex_t_1", "2,1;");
    fx_assert_index(f, "sqlite_autoindex_t_2", "30,1;");
    fx_assert_index(f, "tb", "30,1;");
    check_with_sqlite(f, "SELECT * FROM t", "1|2|30\n");
}

static void
test_constraint_on_conflict_clause_applies_without_or(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a UNIQUE ON CONFLICT REPLACE, b);"
                                    "INSERT INTO t VALUES(1, 'old');");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "i:1", "t:new");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_OK);
    assert_int_equal(res.n_replaced, 1);
    assert_int_equal(insert(f, "t", AST_CONFLICT_ABORT, &res, v), CHORUS_CONSTRAINT_UNIQUE);
    check_with_sqlite(f, "SELECT * FROM t", "1|new\n");
}

static void
test_update_moves_only_changed_index_entries(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a, b, c);"
                                    "CREATE INDEX ia ON t(a); CREATE UNIQUE INDEX ib ON t(b);"
                                    "INSERT INTO t VALUES(1, 10, 'x'), (2, 20, 'y');");
    catalog_row_result res;
    value v[3];

    fx_values(v, 3, "i:5", "i:10", "t:z");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 1, v, NULL, 0, &res), CHORUS_OK);
    fx_assert_index(f, "ia", "2,2;5,1;");
    fx_assert_index(f, "ib", "10,1;20,2;");
    fx_values(v, 3, "i:5", "i:20", "t:z");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 1, v, NULL, 0, &res),
                     CHORUS_CONSTRAINT_UNIQUE);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: t.b");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 1, v, NULL, AST_CONFLICT_REPLACE,
                                        &res), CHORUS_OK);
    assert_int_equal(res.n_replaced, 1);
    fx_assert_index(f, "ia", "5,1;");
    fx_assert_index(f, "ib", "20,1;");
    check_with_sqlite(f, "SELECT rowid, * FROM t", "1|5|20|z\n");
}

static void
test_update_of_the_rowid_moves_the_row(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY, a);"
                                    "CREATE INDEX ia ON t(a);"
                                    "INSERT INTO t VALUES(1, 'a'), (2, 'b');");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "i:2", "t:a");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 1, v, NULL, 0, &res),
                     CHORUS_CONSTRAINT_PRIMARYKEY);
    fx_values(v, 2, "n", "t:a");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 1, v, NULL, 0, &res),
                     CHORUS_MISMATCH);
    fx_values(v, 2, "i:7", "t:a");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 1, v, NULL, 0, &res), CHORUS_OK);
    assert_int_equal(res.rowid, 7);
    fx_assert_index(f, "ia", "a,7;b,2;");
    check_with_sqlite(f, "SELECT * FROM t", "2|b\n7|a\n");
}

static void
test_delete_removes_row_and_index_entries(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a UNIQUE, b);"
                                    "CREATE INDEX ib ON t(b);"
                                    "INSERT INTO t VALUES(1, 'x'), (2, 'y');");

    assert_int_equal(catalog_row_delete(f->w, table(f, "t"), 1), CHORUS_OK);
    assert_int_equal(catalog_row_delete(f->w, table(f, "t"), 42), CHORUS_OK);
    fx_assert_index(f, "ib", "y,2;");
    fx_assert_index(f, "sqlite_autoindex_t_1", "2,2;");
    check_with_sqlite(f, "SELECT * FROM t", "2|y\n");
}

static void
test_autoincrement_never_reuses_rowids(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, a);"
                                    "INSERT INTO t VALUES(NULL, 1), (NULL, 2);"
                                    "DELETE FROM t WHERE id = 2;");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "n", "i:3");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_OK);
    assert_int_equal(res.rowid, 3);
    fx_values(v, 2, "i:100", "i:4");
    insert_ok(f, "t", v);
    check_with_sqlite(f, "SELECT seq FROM sqlite_sequence WHERE name='t'", "100\n");
}

static void
test_rowid_after_the_largest_is_random_or_full(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a);"
                                    "CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT);"
                                    "INSERT INTO t(rowid, a) VALUES(9223372036854775807, 1);"
                                    "INSERT INTO s VALUES(9223372036854775807);");
    catalog_row_result res;
    value v[1];

    fx_values(v, 1, "i:2");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_OK);
    assert_true(res.rowid > 0 && res.rowid < INT64_MAX);
    fx_values(v, 1, "n");
    assert_int_equal(insert(f, "s", 0, &res, v), CHORUS_FULL);
    assert_string_equal(catalog_writer_errmsg(f->w), "database or disk is full");
    fx_commit(f);
}

static void
test_partial_and_expression_indexes_use_the_hooks(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a, b);"
                                    "CREATE INDEX p ON t(a) WHERE b > 0;"
                                    "CREATE UNIQUE INDEX e ON t(a + b);");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "i:1", "i:1");
    insert_ok(f, "t", v);
    fx_values(v, 2, "i:5", "i:-1");
    insert_ok(f, "t", v);
    fx_assert_index(f, "p", "1,1;");
    fx_assert_index(f, "e", "2,1;4,2;");
    fx_values(v, 2, "i:0", "i:2");
    assert_int_equal(insert(f, "t", 0, &res, v), CHORUS_CONSTRAINT_UNIQUE);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: index 'e'");
    fx_values(v, 2, "i:5", "i:3");
    assert_int_equal(catalog_row_update(f->w, table(f, "t"), 2, v, NULL, 0, &res), CHORUS_OK);
    fx_assert_index(f, "p", "1,1;5,2;");
    fx_assert_index(f, "e", "2,1;8,2;");
    check_with_sqlite(f, "SELECT * FROM t", "1|1\n5|3\n");
}

/* RW3: without UNIQUE indexes the table write's own seek finds a taken
 * rowid; it writes neither the row nor its index entries. */
static void
test_taken_rowid_found_by_the_write_writes_nothing(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(id INTEGER PRIMARY KEY ON CONFLICT IGNORE, k);"
                                    "CREATE INDEX t_k ON t(k);"
                                    "CREATE TABLE u(id INTEGER PRIMARY KEY, k);"
                                    "CREATE INDEX u_k ON u(k);"
                                    "INSERT INTO t VALUES(1, 10); INSERT INTO u VALUES(1, 10);");
    catalog_row_result res;
    value v[2];

    fx_values(v, 2, "i:2", "i:20");
    insert_ok(f, "t", v);
    insert_ok(f, "u", v);
    fx_values(v, 2, "i:1", "i:30");
    assert_int_equal(insert(f, "t", AST_CONFLICT_DEFAULT, &res, v), CHORUS_OK);
    assert_true(res.ignored);
    assert_int_equal(insert(f, "u", AST_CONFLICT_IGNORE, &res, v), CHORUS_OK);
    assert_true(res.ignored);
    assert_int_equal(insert(f, "u", AST_CONFLICT_DEFAULT, &res, v), CHORUS_CONSTRAINT_PRIMARYKEY);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: u.id");
    assert_int_equal(catalog_writer_conflict(f->w), AST_CONFLICT_ABORT);
    assert_int_equal(insert(f, "u", AST_CONFLICT_FAIL, &res, v), CHORUS_CONSTRAINT_PRIMARYKEY);
    assert_int_equal(catalog_writer_conflict(f->w), AST_CONFLICT_FAIL);
    fx_assert_index(f, "t_k", "10,1;20,2;");
    fx_assert_index(f, "u_k", "10,1;20,2;");
    check_with_sqlite(f, "SELECT 't', * FROM t UNION ALL SELECT 'u', * FROM u",
                      "t|1|10\nt|2|20\nu|1|10\nu|2|20\n");
}

static void
test_writes_to_sqlite_schema_are_refused(void **state)
{
    fixture *f = with_schema(state, "CREATE TABLE t(a)");
    catalog_row_result res;
    value v[5];

    fx_values(v, 5, "t:table", "t:x", "t:x", "i:2", "n");
    assert_int_equal(insert(f, "sqlite_master", 0, &res, v), CHORUS_ERROR);
    assert_string_equal(catalog_writer_errmsg(f->w), "table sqlite_master may not be modified");
    fx_commit(f);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_insert_allocates_rowids_and_stores_alias_as_null),
        T(test_insert_applies_column_affinity),
        T(test_insert_rejects_non_integer_rowid_alias),
        T(test_insert_not_null_fails_ignores_or_uses_default),
        T(test_insert_unique_conflicts_name_their_columns),
        T(test_insert_or_ignore_skips_conflicting_rows),
        T(test_insert_or_replace_deletes_every_conflicting_row),
        T(test_constraint_on_conflict_clause_applies_without_or),
        T(test_update_moves_only_changed_index_entries),
        T(test_update_of_the_rowid_moves_the_row),
        T(test_delete_removes_row_and_index_entries),
        T(test_autoincrement_never_reuses_rowids),
        T(test_rowid_after_the_largest_is_random_or_full),
        T(test_partial_and_expression_indexes_use_the_hooks),
        T(test_taken_rowid_found_by_the_write_writes_nothing),
        T(test_writes_to_sqlite_schema_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
