/*
 * tests/core/catalog/test_without_rowid.c: the row writer on WITHOUT ROWID
 * tables (core/catalog/without_rowid.c WO1-WO3, define.c D3 and D5): the
 * table b-tree holds records keyed by the PRIMARY KEY (PK columns first),
 * secondary index entries end with the PK; PK and UNIQUE conflicts under
 * each action, NOT NULL on PK columns, updates that move a row, deletes,
 * the victims a REPLACE would delete, and the rowid entry points refused.
 * sqlite3 checks the files afterwards.
 */
#include "catalog_fixture.h"

/* d's UNIQUE comes first, so its autoindex is sqlite_autoindex_t_1 and the
 * PK's (the table itself) sqlite_autoindex_t_2. */
static const char schema[] =
    "CREATE TABLE t(a TEXT, b INT, c, d UNIQUE, PRIMARY KEY(b DESC, a)) WITHOUT ROWID;"
    "CREATE INDEX tc ON t(c);"
    "INSERT INTO t VALUES('x', 1, 'c1', 'd1'), ('y', 2, 'c2', 'd2');";

static fixture *
with_schema(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    return f;
}

static const catalog_table *
table(fixture *f)
{
    const catalog_table *t = catalog_table_find(f->cat, "t");
    assert_non_null(t);
    return t;
}

static int
insert(fixture *f, int conflict, catalog_row_result *res, const value *vals)
{
    return catalog_row_insert(f->w, table(f), vals, NULL, conflict, res);
}

/* Whether v is the text s. */
static bool
text_is(const value *v, const char *s)
{
    return v->type == VALUE_TEXT && (size_t)v->n == strlen(s) && memcmp(v->u.z, s, v->n) == 0;
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
test_insert_writes_records_in_key_order_with_index_suffixes(void **state)
{
    fixture *f = with_schema(state);
    catalog_row_result res;
    value v[4];

    fx_values(v, 4, "t:w", "t: 2", "i:3", "n");         /* b gets INT affinity */
    assert_int_equal(insert(f, 0, &res, v), CHORUS_OK);
    assert_false(res.ignored);
    assert_int_equal(res.rowid, 0);
    fx_assert_index(f, "sqlite_autoindex_t_2", "2,w,3,NULL;2,y,c2,d2;1,x,c1,d1;");
    fx_assert_index(f, "tc", "3,2,w;c1,1,x;c2,2,y;");
    fx_assert_index(f, "sqlite_autoindex_t_1", "NULL,2,w;d1,1,x;d2,2,y;");
    check_with_sqlite(f, "SELECT * FROM t WHERE b = 2 ORDER BY a", "w|2|3|\ny|2|c2|d2\n");
}

static void
test_primary_key_conflicts_fail_ignore_or_replace(void **state)
{
    fixture *f = with_schema(state);
    catalog_row_result res;
    value v[4];

    fx_values(v, 4, "t:x", "i:1", "t:new", "t:d9");
    assert_int_equal(insert(f, 0, &res, v), CHORUS_CONSTRAINT_PRIMARYKEY);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: t.b, t.a");
    assert_int_equal(insert(f, AST_CONFLICT_IGNORE, &res, v), CHORUS_OK);
    assert_true(res.ignored);
    assert_int_equal(insert(f, AST_CONFLICT_REPLACE, &res, v), CHORUS_OK);
    assert_int_equal(res.n_replaced, 1);
    fx_assert_index(f, "tc", "c2,2,y;new,1,x;");
    check_with_sqlite(f, "SELECT * FROM t", "y|2|c2|d2\nx|1|new|d9\n");
}

static void
test_null_in_a_primary_key_column_fails_not_null(void **state)
{
    fixture *f = with_schema(state);
    catalog_row_result res;
    value v[4];

    fx_values(v, 4, "n", "i:5", "n", "n");
    assert_int_equal(insert(f, 0, &res, v), CHORUS_CONSTRAINT_NOTNULL);
    assert_string_equal(catalog_writer_errmsg(f->w), "NOT NULL constraint failed: t.a");
    assert_int_equal(insert(f, AST_CONFLICT_IGNORE, &res, v), CHORUS_OK);
    assert_true(res.ignored);
    check_with_sqlite(f, "SELECT count(*) FROM t", "2\n");
}

static void
test_unique_index_conflict_replace_deletes_the_other_row(void **state)
{
    fixture *f = with_schema(state);
    catalog_row_result res;
    value v[4];

    fx_values(v, 4, "t:z", "i:9", "t:c9", "t:d1");
    assert_int_equal(insert(f, 0, &res, v), CHORUS_CONSTRAINT_UNIQUE);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: t.d");
    assert_int_equal(insert(f, AST_CONFLICT_REPLACE, &res, v), CHORUS_OK);
    assert_int_equal(res.n_replaced, 1);
    fx_assert_index(f, "tc", "c2,2,y;c9,9,z;");
    check_with_sqlite(f, "SELECT a, b, d FROM t", "z|9|d1\ny|2|d2\n");
}

static void
test_update_key_moves_the_row_and_its_index_entries(void **state)
{
    fixture *f = with_schema(state);
    catalog_row_result res;
    value old[4], v[4];

    fx_values(old, 4, "t:x", "i:1", "n", "n");          /* only the PK is read */
    fx_values(v, 4, "t:x", "i:7", "t:c1", "t:d1");
    assert_int_equal(catalog_row_update_key(f->w, table(f), old, v, 0, &res), CHORUS_OK);
    assert_false(res.ignored);
    fx_assert_index(f, "sqlite_autoindex_t_2", "7,x,c1,d1;2,y,c2,d2;");
    fx_assert_index(f, "tc", "c1,7,x;c2,2,y;");
    fx_values(old, 4, "t:y", "i:2", "n", "n");
    fx_values(v, 4, "t:x", "i:7", "t:c2", "t:d2");
    assert_int_equal(catalog_row_update_key(f->w, table(f), old, v, 0, &res),
                     CHORUS_CONSTRAINT_PRIMARYKEY);
    fx_values(old, 4, "t:gone", "i:2", "n", "n");
    assert_int_equal(catalog_row_update_key(f->w, table(f), old, v, 0, &res), CHORUS_OK);
    assert_true(res.ignored);
    check_with_sqlite(f, "SELECT * FROM t", "x|7|c1|d1\ny|2|c2|d2\n");
}

static void
test_delete_key_removes_row_and_index_entries(void **state)
{
    fixture *f = with_schema(state);
    value key[4];

    fx_values(key, 4, "t:y", "i:2", "n", "n");
    assert_int_equal(catalog_row_delete_key(f->w, table(f), key), CHORUS_OK);
    assert_int_equal(catalog_row_delete_key(f->w, table(f), key), CHORUS_OK);   /* gone: fine */
    fx_assert_index(f, "tc", "c1,1,x;");
    fx_assert_index(f, "sqlite_autoindex_t_1", "d1,1,x;");
    check_with_sqlite(f, "SELECT * FROM t", "x|1|c1|d1\n");
}

static void
test_replace_victims_key_copies_the_rows_in_the_way(void **state)
{
    fixture *f = with_schema(state);
    value v[4], victims[8];
    bool ignored;
    int n;

    memset(victims, 0, sizeof victims);
    fx_values(v, 4, "t:x", "i:1", "t:c", "t:d2");   /* the PK of one row, the d of the other */
    assert_int_equal(catalog_row_replace_victims_key(f->w, table(f), v, NULL,
                                                     AST_CONFLICT_REPLACE, victims, &n, &ignored),
                     CHORUS_OK);
    assert_false(ignored);
    assert_int_equal(n, 2);
    assert_true(text_is(&victims[0], "x"));
    assert_true(text_is(&victims[4 + 3], "d2"));
    for (int i = 0; i < n * 4; i++)
        value_clear(&victims[i]);
    assert_int_equal(catalog_row_replace_victims_key(f->w, table(f), v, NULL,
                                                     AST_CONFLICT_IGNORE, victims, &n, &ignored),
                     CHORUS_OK);
    assert_true(ignored);
    assert_int_equal(n, 0);
    check_with_sqlite(f, "SELECT count(*) FROM t", "2\n");     /* nothing was written */
}

static void
test_rowid_entry_points_are_refused(void **state)
{
    fixture *f = with_schema(state);
    catalog_row_result res;
    value v[4], rowid;

    assert_int_equal(catalog_row_delete(f->w, table(f), 1), CHORUS_MISUSE);
    assert_string_equal(catalog_writer_errmsg(f->w), "table t has no rowid");
    fx_values(v, 4, "t:q", "i:3", "n", "n");
    value_set_int(&rowid, 5);
    assert_int_equal(catalog_row_insert(f->w, table(f), v, &rowid, 0, &res), CHORUS_MISUSE);
    assert_int_equal(catalog_row_update(f->w, table(f), 1, v, NULL, 0, &res), CHORUS_MISUSE);
    check_with_sqlite(f, "SELECT count(*) FROM t", "2\n");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_insert_writes_records_in_key_order_with_index_suffixes),
        T(test_primary_key_conflicts_fail_ignore_or_replace),
        T(test_null_in_a_primary_key_column_fails_not_null),
        T(test_unique_index_conflict_replace_deletes_the_other_row),
        T(test_update_key_moves_the_row_and_its_index_entries),
        T(test_delete_key_removes_row_and_index_entries),
        T(test_replace_victims_key_copies_the_rows_in_the_way),
        T(test_rowid_entry_points_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
