/*
 * tests/core/catalog/test_alter.c: ALTER TABLE RENAME TO, RENAME COLUMN,
 * ADD COLUMN and DROP COLUMN,
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

/* Runs stmts on a copy of the database with sqlite3 and with the catalog;
 * the schema rows and query's rows must match. */
static void
assert_like_sqlite(fixture *f, const char *setup, const char *const *stmts, size_t n,
                   const char *query)
{
    char oracle[600];
    char *expected;

    snprintf(oracle, sizeof oracle, "%s.oracle", f->path);
    fx_sqlite_exec(oracle, setup);
    for (size_t i = 0; i < n; i++)
        fx_sqlite_exec(oracle, stmts[i]);
    expected = fx_sqlite_query(oracle, query);
    fx_sqlite_exec(f->path, setup);
    fx_begin_write(f);
    for (size_t i = 0; i < n; i++)
        fx_ddl_ok(f, stmts[i]);
    fx_commit(f);
    fx_close(f);
    fx_assert_sqlite(f->path, "PRAGMA integrity_check", "ok\n");
    fx_assert_sqlite(f->path, query, expected);
    free(expected);
}

static const char refs_schema[] =
    "CREATE TABLE p(id INTEGER PRIMARY KEY, a);"
    "CREATE TABLE t(a INT, b TEXT CHECK(b <> a), c AS (a+1), FOREIGN KEY(a) REFERENCES p(a),"
    " UNIQUE(b, a));"
    "CREATE TABLE q(z REFERENCES t(a), w, FOREIGN KEY (w) REFERENCES \"t\"(a));"
    "CREATE INDEX ti ON t(a, b COLLATE nocase) WHERE a > 0;"
    "CREATE VIEW v AS SELECT t.a, t.b, x.a AS xa FROM t, p AS x WHERE t.a = x.id;"
    "CREATE VIEW v3 AS SELECT a, b FROM t WHERE a IN (SELECT id FROM p);"
    "CREATE VIEW v2 AS SELECT a FROM p;"
    "CREATE TRIGGER tr AFTER UPDATE OF a ON t WHEN new.a > 0 BEGIN"
    " INSERT INTO q(z) VALUES (new.a); UPDATE t SET a = old.a WHERE a = 5;"
    " INSERT INTO t(a,b) SELECT a, 1 FROM t; END;"
    "INSERT INTO p VALUES (1, 1); INSERT INTO t(a, b) VALUES (1, 'x');";

static void
test_rename_column_rewrites_every_reference_as_sqlite(void **state)
{
    const char *stmts[] = {"ALTER TABLE t RENAME COLUMN a TO x",
                           "ALTER TABLE t RENAME COLUMN b TO \"weird\"\"q\""};

    assert_like_sqlite(*state, refs_schema, stmts, CHORUS_ARRAY_LEN(stmts),
                       "SELECT type, name, tbl_name, sql FROM sqlite_schema; SELECT * FROM t");
}

static void
test_rename_table_rewrites_views_triggers_and_foreign_keys(void **state)
{
    const char *stmts[] = {"ALTER TABLE t RENAME TO t2", "ALTER TABLE p RENAME TO \"P 2\""};

    assert_like_sqlite(*state, refs_schema, stmts, CHORUS_ARRAY_LEN(stmts),
                       "SELECT type, name, tbl_name, sql FROM sqlite_schema; SELECT * FROM t2");
}

static void
test_rename_column_errors_use_sqlites_words(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, refs_schema);
    fx_begin_write(f);
    fx_ddl_fails(f, "ALTER TABLE t RENAME COLUMN nope TO y", "no such column: \"nope\"");
    fx_ddl_fails(f, "ALTER TABLE t RENAME COLUMN b TO c",
                 "error in table t after rename: duplicate column name: c");
    fx_ddl_fails(f, "ALTER TABLE v RENAME COLUMN a TO y", "cannot rename columns of view \"v\"");
    fx_ddl_fails(f, "ALTER TABLE sqlite_schema RENAME COLUMN a TO y",
                 "table sqlite_master may not be altered");
    fx_ddl_fails(f, "ALTER TABLE nosuch RENAME COLUMN a TO y", "no such table: nosuch");
    fx_commit(f);
}

static const char drop_schema[] =
    "CREATE TABLE t(a INT,   b  TEXT , c /* x */, d, e AS (d * 2), PRIMARY KEY(d));"
    "INSERT INTO t(a, b, c, d) VALUES (1,2,3,4),(5,6,7,8);"
    "CREATE TABLE u(a, b); INSERT INTO u VALUES (1, 2);"
    "ALTER TABLE u ADD COLUMN z DEFAULT 9;"
    "CREATE TABLE tu(a, b, c);"
    "CREATE TRIGGER tut AFTER DELETE ON u BEGIN UPDATE tu SET c = 1; END;";

static void
test_drop_column_cuts_the_definition_and_rewrites_rows(void **state)
{
    const char *stmts[] = {"ALTER TABLE t DROP COLUMN a", "ALTER TABLE t DROP COLUMN c",
                           "ALTER TABLE t DROP COLUMN e", "ALTER TABLE u DROP COLUMN b",
                           "ALTER TABLE tu DROP COLUMN c"};

    assert_like_sqlite(*state, drop_schema, stmts, CHORUS_ARRAY_LEN(stmts),
                       "SELECT * FROM sqlite_schema; SELECT * FROM t; SELECT * FROM u");
}

static void
test_drop_column_refuses_columns_in_use_with_sqlites_words(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path,
                   "CREATE TABLE p(id INTEGER PRIMARY KEY, a UNIQUE, b, c, d, f, g, h AS (c+1),"
                   " j CHECK (j > 0), k);"
                   "CREATE INDEX pi ON p(d); CREATE VIEW pv AS SELECT k FROM p;"
                   "CREATE TRIGGER ptr AFTER INSERT ON p BEGIN SELECT new.f; END;"
                   "CREATE TABLE one(a); CREATE TABLE fk(a, b, FOREIGN KEY(b) REFERENCES p(id));"
                   "CREATE TABLE pk2(a, b, PRIMARY KEY(a,b)); CREATE TABLE un2(a, b, c, UNIQUE(a,b));"
                   "CREATE TABLE ck(a, b, CHECK (a > b));");
    fx_begin_write(f);
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN id", "cannot drop PRIMARY KEY column: \"id\"");
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN a", "cannot drop UNIQUE column: \"a\"");
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN d",
                 "error in index pi after drop column: no such column: d");
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN c",
                 "error in table p after drop column: no such column: c");
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN k",
                 "error in view pv after drop column: no such column: k");
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN f",
                 "error in trigger ptr after drop column: no such column: new.f");
    fx_ddl_fails(f, "ALTER TABLE p DROP COLUMN zz", "no such column: \"zz\"");
    fx_ddl_fails(f, "ALTER TABLE one DROP COLUMN a",
                 "cannot drop column \"a\": no other columns exist");
    fx_ddl_fails(f, "ALTER TABLE fk DROP COLUMN b",
                 "error in table fk after drop column: unknown column \"b\" in foreign key "
                 "definition");
    fx_ddl_fails(f, "ALTER TABLE pk2 DROP COLUMN b", "cannot drop PRIMARY KEY column: \"b\"");
    fx_ddl_fails(f, "ALTER TABLE un2 DROP COLUMN b",
                 "error in table un2 after drop column: no such column: b");
    fx_ddl_fails(f, "ALTER TABLE ck DROP COLUMN b",
                 "error in table ck after drop column: no such column: b");
    fx_ddl_fails(f, "ALTER TABLE pv DROP COLUMN k", "cannot drop column from view \"pv\"");
    fx_ddl_ok(f, "ALTER TABLE p DROP COLUMN g");
    fx_ddl_ok(f, "ALTER TABLE p DROP COLUMN j");
    assert_int_equal(catalog_table_find(f->cat, "p")->n_cols, 8);
    fx_commit(f);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_rename_and_add_column_write_what_sqlite_writes),
        T(test_alter_errors_use_sqlites_words),
        T(test_rows_written_before_add_column_read_the_default),
        T(test_rename_column_rewrites_every_reference_as_sqlite),
        T(test_rename_table_rewrites_views_triggers_and_foreign_keys),
        T(test_rename_column_errors_use_sqlites_words),
        T(test_drop_column_cuts_the_definition_and_rewrites_rows),
        T(test_drop_column_refuses_columns_in_use_with_sqlites_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
