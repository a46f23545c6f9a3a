/*
 * tests/core/catalog/test_create.c: CREATE and DROP of tables, indexes,
 * views and triggers through catalog_ddl_execute, with SQLite's error
 * messages, checked afterwards by sqlite3 (core/catalog/create.c, drop.c).
 */
#include "catalog_fixture.h"

static void
finish_and_check(fixture *f)
{
    fx_commit(f);
    fx_release_file(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check", "ok\n");
}

static void
test_create_table_is_readable_by_sqlite3(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "create  table IF NOT EXISTS main.t(id INTEGER PRIMARY KEY, a TEXT UNIQUE, "
                 "b, c, UNIQUE(b, c))");
    assert_int_equal(catalog_cookie(f->cat), 1);
    assert_non_null(catalog_table_find(f->cat, "t"));
    finish_and_check(f);
    fx_assert_sqlite(f->path, "SELECT type, name, tbl_name, sql FROM sqlite_schema",
                     "table|t|t|CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT UNIQUE, b, c, "
                     "UNIQUE(b, c))\n"
                     "index|sqlite_autoindex_t_1|t|\n"
                     "index|sqlite_autoindex_t_2|t|\n");
    fx_assert_sqlite(f->path, "PRAGMA schema_version", "1\n");
    fx_assert_sqlite(f->path, "INSERT INTO t VALUES(1, 'x', 2, 3); SELECT * FROM t",
                     "1|x|2|3\n");
}

static void
test_create_table_errors_use_sqlites_words(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE TABLE t(a)");
    fx_ddl_ok(f, "CREATE VIEW v AS SELECT 1");
    fx_ddl_ok(f, "CREATE INDEX i ON t(a)");
    fx_ddl_fails(f, "CREATE TABLE t(x)", "table t already exists");
    fx_ddl_fails(f, "CREATE TABLE T(x)", "table T already exists");
    fx_ddl_fails(f, "CREATE TABLE v(x)", "view v already exists");
    fx_ddl_fails(f, "CREATE TABLE i(x)", "there is already an index named i");
    fx_ddl_fails(f, "CREATE TABLE u(a, a)", "duplicate column name: a");
    fx_ddl_fails(f, "CREATE TABLE u(a INT PRIMARY KEY AUTOINCREMENT)",
                 "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
    fx_ddl_fails(f, "CREATE TABLE u(a PRIMARY KEY, b PRIMARY KEY)",
                 "table \"u\" has more than one primary key");
    fx_ddl_fails(f, "CREATE TABLE u(a) WITHOUT ROWID", "PRIMARY KEY missing on table u");
    fx_ddl_fails(f, "CREATE TABLE u(a COLLATE foo)", "no such collation sequence: foo");
    fx_ddl_fails(f, "CREATE TABLE u(a, PRIMARY KEY(b))", "no such column: b");
    fx_ddl_fails(f, "CREATE TABLE sqlite_x(a)", "object name reserved for internal use: sqlite_x");
    fx_ddl_fails(f, "CREATE TABLE foo.u(a)", "unknown database foo");
    fx_ddl_fails(f, "CREATE TABLE u(a) STRICT", "missing datatype for u.a");
    fx_ddl_ok(f, "CREATE TABLE IF NOT EXISTS t(x)");
    assert_int_equal(catalog_table_find(f->cat, "t")->n_cols, 1);
    assert_null(catalog_table_find(f->cat, "u"));
    finish_and_check(f);
}

static void
test_autoincrement_creates_sqlite_sequence(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, x)");
    fx_ddl_ok(f, "CREATE TABLE u(id INTEGER PRIMARY KEY AUTOINCREMENT)");
    assert_true(catalog_table_find(f->cat, "t")->autoincrement);
    finish_and_check(f);
    fx_assert_sqlite(f->path, "SELECT name FROM sqlite_schema", "t\nsqlite_sequence\nu\n");
    fx_assert_sqlite(f->path, "INSERT INTO t(x) VALUES(1); SELECT * FROM sqlite_sequence",
                     "t|1\n");
}

static void
test_create_index_fills_it_from_existing_rows(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a, b); INSERT INTO t VALUES(3, 'c'), (1, 'a'), "
                            "(2, 'b'), (NULL, 'n');");
    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE INDEX ia ON t(a DESC)");
    fx_ddl_ok(f, "CREATE UNIQUE INDEX IF NOT EXISTS ib ON t(b)");
    fx_ddl_ok(f, "CREATE UNIQUE INDEX IF NOT EXISTS ib ON t(a)");
    fx_assert_index(f, "ia", "3,1;2,3;1,2;NULL,4;");
    fx_assert_index(f, "ib", "a,2;b,3;c,1;n,4;");
    assert_int_equal(catalog_table_find(f->cat, "t")->n_indexes, 2);
    finish_and_check(f);
    fx_assert_sqlite(f->path, "SELECT a FROM t INDEXED BY ia WHERE a > 1", "3\n2\n");
}

static void
test_create_unique_index_over_duplicates_fails(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE t(a, b); INSERT INTO t VALUES(1, 1), (1, 2), "
                            "(NULL, 2), (NULL, 2);");
    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE UNIQUE INDEX ok ON t(a, b)");
    assert_int_equal(fx_ddl(f, "CREATE UNIQUE INDEX bad ON t(a)"), CHORUS_CONSTRAINT_UNIQUE);
    assert_string_equal(catalog_writer_errmsg(f->w), "UNIQUE constraint failed: t.a");
    assert_null(catalog_index_find(f->cat, "bad"));
    fx_commit(f);
}

static void
test_create_index_errors_use_sqlites_words(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE TABLE t(a)");
    fx_ddl_ok(f, "CREATE VIEW v AS SELECT 1 AS a");
    fx_ddl_ok(f, "CREATE INDEX i ON t(a)");
    fx_ddl_fails(f, "CREATE INDEX x ON nosuch(a)", "no such table: main.nosuch");
    fx_ddl_fails(f, "CREATE INDEX x ON t(nosuch)", "no such column: nosuch");
    fx_ddl_fails(f, "CREATE INDEX x ON v(a)", "views may not be indexed");
    fx_ddl_fails(f, "CREATE INDEX x ON sqlite_master(name)",
                 "table sqlite_master may not be indexed");
    fx_ddl_fails(f, "CREATE INDEX i ON t(a)", "index i already exists");
    fx_ddl_fails(f, "CREATE INDEX t ON t(a)", "there is already a table named t");
    fx_ddl_fails(f, "CREATE INDEX sqlite_i ON t(a)",
                 "object name reserved for internal use: sqlite_i");
    finish_and_check(f);
}

static void
test_views_and_triggers_are_stored(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE TABLE t(a)");
    fx_ddl_ok(f, "CREATE VIEW v(x) AS SELECT a FROM t");
    fx_ddl_ok(f, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END");
    fx_ddl_ok(f, "CREATE TRIGGER tv INSTEAD OF INSERT ON v BEGIN SELECT 1; END");
    fx_ddl_fails(f, "CREATE VIEW v AS SELECT 2", "view v already exists");
    fx_ddl_fails(f, "CREATE VIEW t AS SELECT 2", "table t already exists");
    fx_ddl_fails(f, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
                 "trigger tr already exists");
    fx_ddl_fails(f, "CREATE TRIGGER x AFTER INSERT ON v BEGIN SELECT 1; END",
                 "cannot create AFTER trigger on view: v");
    fx_ddl_fails(f, "CREATE TRIGGER x INSTEAD OF INSERT ON t BEGIN SELECT 1; END",
                 "cannot create INSTEAD OF trigger on table: t");
    fx_ddl_fails(f, "CREATE TRIGGER x AFTER INSERT ON nosuch BEGIN SELECT 1; END",
                 "no such table: main.nosuch");
    fx_ddl_fails(f, "CREATE TRIGGER x AFTER INSERT ON sqlite_master BEGIN SELECT 1; END",
                 "cannot create trigger on system table");
    finish_and_check(f);
    fx_assert_sqlite(f->path, "SELECT type, name, tbl_name, rootpage FROM sqlite_schema",
                     "table|t|t|2\nview|v|v|0\ntrigger|tr|t|0\ntrigger|tv|v|0\n");
    fx_assert_sqlite(f->path, "INSERT INTO t VALUES(4); SELECT * FROM v", "4\n");
}

static void
test_drop_table_frees_its_trees_and_schema_rows(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE keep(x); CREATE TABLE t(a UNIQUE, b);"
                            "CREATE INDEX ib ON t(b);"
                            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"
                            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c "
                            "WHERE i < 500) INSERT INTO t SELECT i, randomblob(100) FROM c;");
    fx_begin_write(f);
    fx_ddl_ok(f, "DROP TABLE t");
    assert_null(catalog_table_find(f->cat, "t"));
    assert_null(catalog_index_find(f->cat, "ib"));
    assert_null(catalog_trigger_find(f->cat, "tr"));
    assert_int_equal(catalog_index_count(f->cat), 0);
    finish_and_check(f);
    fx_assert_sqlite(f->path, "SELECT name FROM sqlite_schema", "keep\n");
    fx_assert_sqlite(f->path, "SELECT freelist_count > 10 FROM pragma_freelist_count", "1\n");
}

static void
test_drop_errors_use_sqlites_words(void **state)
{
    fixture *f = *state;

    fx_begin_write(f);
    fx_ddl_ok(f, "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, a UNIQUE)");
    fx_ddl_ok(f, "CREATE VIEW v AS SELECT 1");
    fx_ddl_fails(f, "DROP TABLE nosuch", "no such table: nosuch");
    fx_ddl_fails(f, "DROP TABLE v", "use DROP VIEW to delete view v");
    fx_ddl_fails(f, "DROP VIEW t", "use DROP TABLE to delete table t");
    fx_ddl_fails(f, "DROP VIEW nosuch", "no such view: nosuch");
    fx_ddl_fails(f, "DROP INDEX nosuch", "no such index: nosuch");
    fx_ddl_fails(f, "DROP TRIGGER nosuch", "no such trigger: nosuch");
    fx_ddl_fails(f, "DROP INDEX sqlite_autoindex_t_1",
                 "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped");
    fx_ddl_fails(f, "DROP TABLE sqlite_sequence", "table sqlite_sequence may not be dropped");
    fx_ddl_fails(f, "DROP TABLE sqlite_master", "table sqlite_master may not be dropped");
    fx_ddl_ok(f, "DROP TABLE IF EXISTS nosuch");
    fx_ddl_ok(f, "DROP INDEX IF EXISTS nosuch");
    fx_ddl_ok(f, "DROP VIEW v");
    assert_null(catalog_view_find(f->cat, "v"));
    finish_and_check(f);
}

static void
test_create_table_as_writes_sqlites_text(void **state)
{
    fixture *f = *state;
    const char *names[] = {"a", "x y", "a", "select", "n"};
    const char aff[] = {AFFINITY_INTEGER, AFFINITY_TEXT, AFFINITY_REAL, AFFINITY_NONE,
                        AFFINITY_NUMERIC};
    const catalog_table *t = NULL;
    const char *sql = "CREATE TABLE t2 AS SELECT 1";

    fx_begin_write(f);
    assert_int_equal(catalog_create_table_as(f->w, fx_parse(f, sql), 5, names, aff, &t),
                     CHORUS_OK);
    assert_non_null(t);
    assert_string_equal(t->cols[2].name, "a:1");
    finish_and_check(f);
    fx_assert_sqlite(f->path, "SELECT sql FROM sqlite_schema",
                     "CREATE TABLE t2(\n  a INT,\n  \"x y\" TEXT,\n  \"a:1\" REAL,\n"
                     "  \"select\",\n  n NUM\n)\n");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_table_is_readable_by_sqlite3),
        T(test_create_table_errors_use_sqlites_words),
        T(test_autoincrement_creates_sqlite_sequence),
        T(test_create_index_fills_it_from_existing_rows),
        T(test_create_unique_index_over_duplicates_fails),
        T(test_create_index_errors_use_sqlites_words),
        T(test_views_and_triggers_are_stored),
        T(test_drop_table_frees_its_trees_and_schema_rows),
        T(test_drop_errors_use_sqlites_words),
        T(test_create_table_as_writes_sqlites_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
