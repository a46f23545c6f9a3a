/*
 * tests/core/catalog/test_alter.c: ALTER TABLE RENAME TO and ADD COLUMN,
 * compared with the sqlite_schema sqlite3 itself writes for the same
 * statements (core/catalog/alter.c).
 */
#include "catalog_fixture.h"

static const char schema[] =
    "CREATE TABLE t(a UNIQUE, b); CREATE INDEX i ON t(b);"
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"
    "CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT); INSERT INTO s VALUES(NULL);"
    "INSERT INTO t VALUES(1, 2);"
    "CREATE VIEW v AS SELECT 1;";

static void
test_rename_and_add_column_write_what_sqlite_writes(void **state)
{
    fixture *f = *state;
    const char *stmts[] = {"ALTER TABLE t RENAME TO u", "ALTER TABLE s RENAME TO s2",
                           "ALTER TABLE u ADD COLUMN c INT DEFAULT 5",
                           "ALTER TABLE u ADD d TEXT NOT NULL DEFAULT 'x'"};
    char oracle[600];
    char *expected;

    snprintf(oracle, sizeof oracle, "%s.oracle", f->path);
    fx_sqlite_exec(oracle, schema);
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(stmts); i++)
        fx_sqlite_exec(oracle, stmts[i]);
    expected = fx_sqlite_query(oracle, "SELECT * FROM sqlite_schema; SELECT * FROM sqlite_sequence;"
                                       "SELECT * FROM u");

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(stmts); i++)
        fx_ddl_ok(f, stmts[i]);
    assert_null(catalog_table_find(f->cat, "t"));
    assert_int_equal(catalog_table_find(f->cat, "u")->n_cols, 4);
    assert_int_equal(catalog_table_find(f->cat, "u")->n_indexes, 2);
    assert_int_equal(catalog_table_find(f->cat, "u")->n_triggers, 1);
    assert_non_null(catalog_index_find(f->cat, "sqlite_autoindex_u_1"));
    fx_commit(f);
    fx_close(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check", "ok\n");
    fx_assert_sqlite(f->path, "SELECT * FROM sqlite_schema; SELECT * FROM sqlite_sequence;"
                              "SELECT * FROM u", expected);
    free(expected);
}

static void
test_alter_errors_use_sqlites_words(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_begin_write(f);
    fx_ddl_fails(f, "ALTER TABLE t ADD COLUMN e PRIMARY KEY", "Cannot add a PRIMARY KEY column");
    fx_ddl_fails(f, "ALTER TABLE t ADD COLUMN e UNIQUE", "Cannot add a UNIQUE column");
    fx_ddl_fails(f, "ALTER TABLE t ADD COLUMN e NOT NULL",
                 "Cannot add a NOT NULL column with default value NULL");
    fx_ddl_fails(f, "ALTER TABLE t ADD COLUMN e DEFAULT (random())",
                 "Cannot add a column with non-constant default");
    fx_ddl_fails(f, "ALTER TABLE t ADD COLUMN a", "duplicate column name: a");
    fx_ddl_fails(f, "ALTER TABLE v ADD COLUMN x", "Cannot add a column to a view");
    fx_ddl_fails(f, "ALTER TABLE v RENAME TO w", "view v may not be altered");
    fx_ddl_fails(f, "ALTER TABLE nosuch RENAME TO w", "no such table: nosuch");
    fx_ddl_fails(f, "ALTER TABLE t RENAME TO s",
                 "there is already another table or index with this name: s");
    fx_ddl_fails(f, "ALTER TABLE t RENAME TO i",
                 "there is already another table or index with this name: i");
    fx_ddl_fails(f, "ALTER TABLE sqlite_sequence RENAME TO x",
                 "table sqlite_sequence may not be altered");
    fx_ddl_fails(f, "ALTER TABLE t RENAME TO sqlite_x",
                 "object name reserved for internal use: sqlite_x");
    fx_ddl_fails(f, "ALTER TABLE t RENAME COLUMN a TO z",
                 "not supported yet: ALTER TABLE RENAME COLUMN");
    fx_commit(f);
}

static void
test_rows_written_before_add_column_read_the_default(void **state)
{
    fixture *f = *state;
    catalog_row_result res;
    value v[3];

    fx_sqlite_exec(f->path, "CREATE TABLE t(a, b UNIQUE); INSERT INTO t VALUES(1, 1);");
    fx_begin_write(f);
    fx_ddl_ok(f, "ALTER TABLE t ADD COLUMN c DEFAULT 7");
    fx_ddl_ok(f, "CREATE INDEX ic ON t(c)");
    fx_assert_index(f, "ic", "7,1;");
    fx_values(v, 3, "i:2", "i:1", "i:8");
    assert_int_equal(catalog_row_insert(f->w, catalog_table_find(f->cat, "t"), v, NULL,
                                        AST_CONFLICT_REPLACE, &res), CHORUS_OK);
    assert_int_equal(res.n_replaced, 1);
    fx_assert_index(f, "ic", "8,2;");
    fx_commit(f);
    fx_close(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check", "ok\n");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_rename_and_add_column_write_what_sqlite_writes),
        T(test_alter_errors_use_sqlites_words),
        T(test_rows_written_before_add_column_read_the_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
