/*
 * tests/core/sql/test_parse_ddl.c: CREATE TABLE / INDEX / VIEW / TRIGGER /
 * VIRTUAL TABLE, DROP and ALTER TABLE (core/sql/parse_ddl.c).
 */
#include "parse_fixture.h"

static void
test_create_table_parses_names_types_and_options(void **state)
{
    ast_create_table *ct;
    ast_column_def *col;
    (void)state;
    ct = &stmt_of("CREATE TEMP TABLE IF NOT EXISTS main.t(a INTEGER, b VARCHAR ( 10, 2 ), "
                  "c UNSIGNED  BIG INT, d, \"e f\" \"my type\", generated generated) "
                  "WITHOUT ROWID, STRICT", STMT_CREATE_TABLE)->u.create_table;
    assert_true(ct->is_temp);
    assert_true(ct->if_not_exists);
    assert_true(ct->without_rowid);
    assert_true(ct->is_strict);
    assert_string_equal(ct->schema, "main");
    assert_string_equal(ct->name, "t");
    col = ct->columns;
    assert_string_equal(col->type, "INTEGER");
    assert_string_equal((col = col->next)->type, "VARCHAR ( 10, 2 )");
    assert_string_equal((col = col->next)->type, "UNSIGNED  BIG INT");
    assert_null((col = col->next)->type);
    col = col->next;
    assert_string_equal(col->name, "e f");
    assert_string_equal(col->type, "my type");
    assert_string_equal((col = col->next)->type, "generated");
    assert_null(col->next);
}

static void
test_create_table_parses_column_constraints(void **state)
{
    ast_constraint *c;
    (void)state;
    c = stmt_of("CREATE TABLE t(a INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT REPLACE "
                "AUTOINCREMENT NOT NULL ON CONFLICT FAIL NULL UNIQUE ON CONFLICT IGNORE "
                "CHECK ( a > 0 ) COLLATE nocase)",
                STMT_CREATE_TABLE)->u.create_table.columns->constraints;
    assert_int_equal(c->kind, AST_CONS_PRIMARY_KEY);
    assert_string_equal(c->name, "pk");
    assert_int_equal(c->order, AST_ORDER_DESC);
    assert_int_equal(c->conflict, AST_CONFLICT_REPLACE);
    assert_true(c->autoincrement);
    assert_int_equal((c = c->next)->kind, AST_CONS_NOT_NULL);
    assert_int_equal(c->conflict, AST_CONFLICT_FAIL);
    assert_int_equal((c = c->next)->kind, AST_CONS_NULL);
    assert_int_equal((c = c->next)->kind, AST_CONS_UNIQUE);
    assert_int_equal(c->conflict, AST_CONFLICT_IGNORE);
    assert_int_equal((c = c->next)->kind, AST_CONS_CHECK);
    assert_span_text(c->expr_span, "a > 0");
    assert_int_equal((c = c->next)->kind, AST_CONS_COLLATE);
    assert_string_equal(c->collation, "nocase");
    assert_null(c->next);
}

static void
test_create_table_keeps_default_text_as_written(void **state)
{
    ast_column_def *col;
    (void)state;
    col = stmt_of("CREATE TABLE t(a DEFAULT 1, b DEFAULT -1, c DEFAULT +5, d DEFAULT 'x''y', "
                  "e DEFAULT (1+ 2), f DEFAULT CURRENT_TIMESTAMP, g DEFAULT abc, h DEFAULT true, "
                  "i DEFAULT NULL, j DEFAULT x'00')", STMT_CREATE_TABLE)->u.create_table.columns;
    assert_span_text(col->constraints->expr_span, "1");
    assert_span_text((col = col->next)->constraints->expr_span, "-1");
    assert_int_equal(col->constraints->expr->kind, EXPR_UNARY);
    assert_span_text((col = col->next)->constraints->expr_span, "+5");
    assert_span_text((col = col->next)->constraints->expr_span, "'x''y'");
    assert_span_text((col = col->next)->constraints->expr_span, "1+ 2");
    assert_int_equal((col = col->next)->constraints->expr->kind, EXPR_FUNCTION);
    assert_int_equal((col = col->next)->constraints->expr->kind, EXPR_STRING);
    assert_string_equal(col->constraints->expr->str, "abc");
    assert_int_equal((col = col->next)->constraints->expr->kind, EXPR_COLUMN);
    assert_int_equal((col = col->next)->constraints->expr->kind, EXPR_NULL);
    assert_int_equal((col = col->next)->constraints->expr->kind, EXPR_BLOB);
}

static void
test_create_table_parses_foreign_keys(void **state)
{
    ast_create_table *ct;
    ast_constraint *c;
    (void)state;
    ct = &stmt_of("CREATE TABLE t(a REFERENCES p(id) ON DELETE CASCADE ON UPDATE SET NULL "
                  "MATCH FULL DEFERRABLE INITIALLY DEFERRED, b REFERENCES p ON DELETE SET DEFAULT "
                  "ON UPDATE RESTRICT NOT DEFERRABLE INITIALLY DEFERRED NOT NULL, "
                  "FOREIGN KEY (a, b) REFERENCES q(x, y) ON DELETE NO ACTION)",
                  STMT_CREATE_TABLE)->u.create_table;
    c = ct->columns->constraints;
    assert_int_equal(c->kind, AST_CONS_FOREIGN_KEY);
    assert_string_equal(c->fk_table, "p");
    assert_string_equal(c->fk_columns.items[0].name, "id");
    assert_int_equal(c->on_delete, AST_FK_CASCADE);
    assert_int_equal(c->on_update, AST_FK_SET_NULL);
    assert_true(c->deferred);
    c = ct->columns->next->constraints;
    assert_int_equal(c->on_delete, AST_FK_SET_DEFAULT);
    assert_int_equal(c->on_update, AST_FK_RESTRICT);
    assert_false(c->deferred);
    assert_int_equal(c->next->kind, AST_CONS_NOT_NULL);
    c = ct->constraints;
    assert_int_equal(c->kind, AST_CONS_FOREIGN_KEY);
    assert_int_equal(c->columns.n, 2);
    assert_int_equal(c->fk_columns.n, 2);
    assert_int_equal(c->on_delete, AST_FK_NO_ACTION);
}

static void
test_create_table_parses_table_constraints(void **state)
{
    ast_constraint *c;
    (void)state;
    c = stmt_of("CREATE TABLE t(a, b, CONSTRAINT pk PRIMARY KEY (a DESC, b COLLATE nocase) "
                "ON CONFLICT ABORT UNIQUE (b) CHECK (a <> b), CONSTRAINT dangling)",
                STMT_CREATE_TABLE)->u.create_table.constraints;
    assert_int_equal(c->kind, AST_CONS_PRIMARY_KEY);
    assert_string_equal(c->name, "pk");
    assert_int_equal(c->columns.items[0].order, AST_ORDER_DESC);
    assert_string_equal(c->columns.items[1].collation, "nocase");
    assert_int_equal(c->conflict, AST_CONFLICT_ABORT);
    assert_int_equal((c = c->next)->kind, AST_CONS_UNIQUE);
    assert_int_equal((c = c->next)->kind, AST_CONS_CHECK);
    assert_null(c->next);
    c = stmt_of("CREATE TABLE t(a, PRIMARY KEY (a AUTOINCREMENT))", STMT_CREATE_TABLE)
            ->u.create_table.constraints;
    assert_true(c->autoincrement);
    assert_error("CREATE TABLE t(a, PRIMARY KEY (a),)", "near \")\": syntax error");
}

static void
test_create_table_parses_generated_columns_and_as_select(void **state)
{
    ast_create_table *ct;
    ast_constraint *c;
    (void)state;
    ct = &stmt_of("CREATE TABLE t(a, b AS (a + 1), c INT GENERATED ALWAYS AS (a * 2) STORED, "
                  "d GENERATED ALWAYS AS (a) VIRTUAL)", STMT_CREATE_TABLE)->u.create_table;
    c = ct->columns->next->constraints;
    assert_int_equal(c->kind, AST_CONS_GENERATED);
    assert_false(c->is_stored);
    assert_span_text(c->expr_span, "a + 1");
    c = ct->columns->next->next->constraints;
    assert_true(c->is_stored);
    assert_null(ct->columns->next->next->next->type);
    ct = &stmt_of("CREATE TABLE t AS SELECT 1 AS a", STMT_CREATE_TABLE)->u.create_table;
    assert_non_null(ct->as_select);
    assert_null(ct->columns);
}

static void
test_create_index_parses_columns_and_where(void **state)
{
    ast_create_index *ci;
    (void)state;
    ci = &stmt_of("CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t(a DESC, b COLLATE nocase ASC, "
                  "lower(c)) WHERE a IS NOT NULL", STMT_CREATE_INDEX)->u.create_index;
    assert_true(ci->is_unique);
    assert_true(ci->if_not_exists);
    assert_string_equal(ci->schema, "main");
    assert_string_equal(ci->name, "i");
    assert_string_equal(ci->table, "t");
    assert_int_equal(ci->columns.n, 3);
    assert_int_equal(ci->columns.items[0].order, AST_ORDER_DESC);
    assert_string_equal(ci->columns.items[1].collation, "nocase");
    assert_int_equal(ci->columns.items[1].order, AST_ORDER_ASC);
    assert_int_equal(ci->columns.items[2].expr->kind, EXPR_FUNCTION);
    assert_non_null(ci->where);
    assert_error("CREATE TEMP INDEX i ON t(a)", "near \"INDEX\": syntax error");
}

static void
test_create_view_parses_columns_and_select(void **state)
{
    ast_create_view *cv;
    (void)state;
    cv = &stmt_of("CREATE TEMP VIEW IF NOT EXISTS v(a, b) AS SELECT 1, 2", STMT_CREATE_VIEW)
              ->u.create_view;
    assert_true(cv->is_temp);
    assert_int_equal(cv->columns.n, 2);
    assert_non_null(cv->select);
}

static void
test_create_trigger_parses_header_and_body(void **state)
{
    ast_create_trigger *tr;
    ast_stmt *body;
    (void)state;
    tr = &stmt_of("CREATE TRIGGER IF NOT EXISTS main.r BEFORE UPDATE OF a, b ON t FOR EACH ROW "
                  "WHEN new.a > 0 BEGIN INSERT INTO log VALUES (new.a); UPDATE u SET x = 1; "
                  "DELETE FROM u WHERE x = old.a; SELECT RAISE(ABORT, 'no'); END",
                  STMT_CREATE_TRIGGER)->u.create_trigger;
    assert_int_equal(tr->time, AST_TRIGGER_BEFORE);
    assert_int_equal(tr->event, AST_TRIGGER_UPDATE);
    assert_int_equal(tr->update_of.n, 2);
    assert_string_equal(tr->table, "t");
    assert_true(tr->for_each_row);
    assert_non_null(tr->when);
    body = tr->body;
    assert_int_equal(body->kind, STMT_INSERT);
    assert_int_equal((body = body->next)->kind, STMT_UPDATE);
    assert_int_equal((body = body->next)->kind, STMT_DELETE);
    assert_int_equal((body = body->next)->kind, STMT_SELECT);
    assert_null(body->next);
    tr = &stmt_of("CREATE TEMP TRIGGER r INSTEAD OF DELETE ON v BEGIN SELECT 1; END",
                  STMT_CREATE_TRIGGER)->u.create_trigger;
    assert_int_equal(tr->time, AST_TRIGGER_INSTEAD_OF);
    assert_int_equal(tr->event, AST_TRIGGER_DELETE);
    tr = &stmt_of("CREATE TRIGGER r INSERT ON t BEGIN SELECT 1; END", STMT_CREATE_TRIGGER)
              ->u.create_trigger;
    assert_int_equal(tr->time, AST_TRIGGER_BEFORE);
    assert_int_equal(tr->event, AST_TRIGGER_INSERT);
}

static void
test_create_trigger_rejects_bad_bodies(void **state)
{
    (void)state;
    assert_error("CREATE TRIGGER r INSERT ON t BEGIN END", "near \"END\": syntax error");
    assert_error("CREATE TRIGGER r INSERT ON t BEGIN SELECT 1 END", "incomplete input");
    assert_error("CREATE TRIGGER r INSERT ON t BEGIN CREATE TABLE x(a); END",
                 "near \"CREATE\": syntax error");
    assert_error("CREATE TRIGGER r INSERT ON t BEGIN DELETE FROM main.u; END",
                 "qualified table names are not allowed on INSERT, UPDATE, and DELETE "
                 "statements within triggers");
}

static void
test_create_virtual_table_keeps_module_arguments(void **state)
{
    ast_create_virtual *cv;
    (void)state;
    cv = &stmt_of("CREATE VIRTUAL TABLE IF NOT EXISTS v USING fts5(a, b (c), tokenize = 'porter' )",
                  STMT_CREATE_VIRTUAL)->u.create_virtual;
    assert_true(cv->if_not_exists);
    assert_string_equal(cv->module, "fts5");
    assert_span_text(cv->args, "a, b (c), tokenize = 'porter'");
    cv = &stmt_of("CREATE VIRTUAL TABLE v USING m", STMT_CREATE_VIRTUAL)->u.create_virtual;
    assert_int_equal(cv->args.len, 0);
    assert_error("CREATE VIRTUAL TABLE v USING m(a", "incomplete input");
}

static void
test_drop_parses_every_kind(void **state)
{
    ast_drop *d;
    (void)state;
    d = &stmt_of("DROP TABLE IF EXISTS main.t", STMT_DROP)->u.drop;
    assert_int_equal(d->what, AST_DROP_TABLE);
    assert_true(d->if_exists);
    assert_string_equal(d->schema, "main");
    assert_int_equal(stmt_of("DROP INDEX i", STMT_DROP)->u.drop.what, AST_DROP_INDEX);
    assert_int_equal(stmt_of("DROP VIEW v", STMT_DROP)->u.drop.what, AST_DROP_VIEW);
    assert_int_equal(stmt_of("DROP TRIGGER r", STMT_DROP)->u.drop.what, AST_DROP_TRIGGER);
    assert_error("DROP t", "near \"t\": syntax error");
}

static void
test_alter_parses_every_action(void **state)
{
    ast_alter *al;
    (void)state;
    al = &stmt_of("ALTER TABLE main.t RENAME TO u", STMT_ALTER)->u.alter;
    assert_int_equal(al->action, AST_ALTER_RENAME_TABLE);
    assert_string_equal(al->new_name, "u");
    al = &stmt_of("ALTER TABLE t RENAME COLUMN a TO b", STMT_ALTER)->u.alter;
    assert_int_equal(al->action, AST_ALTER_RENAME_COLUMN);
    assert_string_equal(al->old_name, "a");
    assert_string_equal(al->new_name, "b");
    al = &stmt_of("ALTER TABLE t RENAME a TO b", STMT_ALTER)->u.alter;
    assert_int_equal(al->action, AST_ALTER_RENAME_COLUMN);
    al = &stmt_of("ALTER TABLE t ADD COLUMN c INT DEFAULT 0 NOT NULL", STMT_ALTER)->u.alter;
    assert_int_equal(al->action, AST_ALTER_ADD_COLUMN);
    assert_string_equal(al->column->name, "c");
    assert_span_text(al->column_span, "c INT DEFAULT 0 NOT NULL");
    al = &stmt_of("ALTER TABLE t DROP c", STMT_ALTER)->u.alter;
    assert_int_equal(al->action, AST_ALTER_DROP_COLUMN);
    assert_string_equal(al->old_name, "c");
    assert_error("ALTER TABLE t RENAME", "incomplete input");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_table_parses_names_types_and_options),
        cmocka_unit_test(test_create_table_parses_column_constraints),
        cmocka_unit_test(test_create_table_keeps_default_text_as_written),
        cmocka_unit_test(test_create_table_parses_foreign_keys),
        cmocka_unit_test(test_create_table_parses_table_constraints),
        cmocka_unit_test(test_create_table_parses_generated_columns_and_as_select),
        cmocka_unit_test(test_create_index_parses_columns_and_where),
        cmocka_unit_test(test_create_view_parses_columns_and_select),
        cmocka_unit_test(test_create_trigger_parses_header_and_body),
        cmocka_unit_test(test_create_trigger_rejects_bad_bodies),
        cmocka_unit_test(test_create_virtual_table_keeps_module_arguments),
        cmocka_unit_test(test_drop_parses_every_kind),
        cmocka_unit_test(test_alter_parses_every_action),
    };
    return cmocka_run_group_tests(tests, parse_fixture_setup, parse_fixture_teardown);
}
