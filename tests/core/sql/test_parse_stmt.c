/*
 * tests/core/sql/test_parse_stmt.c: INSERT, REPLACE, UPDATE, DELETE with
 * upserts and RETURNING, transactions, PRAGMA, VACUUM, ANALYZE, REINDEX,
 * ATTACH and DETACH (core/sql/parse_stmt.c).
 */
#include "parse_fixture.h"

static void
test_insert_parses_target_columns_and_values(void **state)
{
    ast_insert *ins;
    (void)state;
    ins = &stmt_of("INSERT INTO main.t AS x (a, b) VALUES (1, 2), (3, 4)", STMT_INSERT)->u.insert;
    assert_int_equal(ins->conflict, AST_CONFLICT_DEFAULT);
    assert_string_equal(ins->schema, "main");
    assert_string_equal(ins->table, "t");
    assert_string_equal(ins->alias, "x");
    assert_int_equal(ins->columns.n, 2);
    assert_string_equal(ins->columns.items[1].name, "b");
    assert_true(ins->select->cores->is_values);
    assert_int_equal(ins->select->cores->values.n, 2);
}

static void
test_insert_parses_conflict_modes_and_sources(void **state)
{
    ast_insert *ins;
    (void)state;
    ins = &stmt_of("REPLACE INTO t SELECT * FROM u", STMT_INSERT)->u.insert;
    assert_int_equal(ins->conflict, AST_CONFLICT_REPLACE);
    assert_non_null(ins->select->cores->from);
    ins = &stmt_of("INSERT OR IGNORE INTO t DEFAULT VALUES", STMT_INSERT)->u.insert;
    assert_int_equal(ins->conflict, AST_CONFLICT_IGNORE);
    assert_null(ins->select);
    ins = &stmt_of("INSERT OR ROLLBACK INTO t VALUES (1)", STMT_INSERT)->u.insert;
    assert_int_equal(ins->conflict, AST_CONFLICT_ROLLBACK);
    ins = &stmt_of("INSERT OR ABORT INTO t VALUES (1)", STMT_INSERT)->u.insert;
    assert_int_equal(ins->conflict, AST_CONFLICT_ABORT);
    ins = &stmt_of("INSERT OR FAIL INTO t VALUES (1)", STMT_INSERT)->u.insert;
    assert_int_equal(ins->conflict, AST_CONFLICT_FAIL);
    assert_error("INSERT OR NOTHING INTO t VALUES (1)", "near \"NOTHING\": syntax error");
    assert_error("INSERT INTO t", "incomplete input");
}

static void
test_insert_parses_several_upserts_and_returning(void **state)
{
    ast_insert *ins;
    ast_upsert *u;
    (void)state;
    ins = &stmt_of("INSERT INTO t VALUES (1) "
                   "ON CONFLICT (a COLLATE nocase, b) WHERE a > 0 DO NOTHING "
                   "ON CONFLICT (c) DO UPDATE SET d = excluded.d, (e, f) = (1, 2) WHERE d < 0 "
                   "ON CONFLICT DO NOTHING RETURNING *, a AS x",
                   STMT_INSERT)->u.insert;
    u = ins->upsert;
    assert_int_equal(u->target.n, 2);
    assert_string_equal(u->target.items[0].collation, "nocase");
    assert_dump(u->target.items[0].expr, "a");
    assert_dump(u->target_where, "(> a 0)");
    assert_true(u->do_nothing);
    u = u->next;
    assert_false(u->do_nothing);
    assert_int_equal(u->set.n, 3);
    assert_string_equal(u->set.items[0].name, "d");
    assert_int_equal(u->set_group[0], -1);
    assert_int_equal(u->set_group[1], 0);
    assert_int_equal(u->set_group[2], 0);
    assert_dump(u->set.items[1].expr, "(VECTOR 1 2)");
    assert_null(u->set.items[2].expr);
    assert_dump(u->where, "(< d 0)");
    u = u->next;
    assert_int_equal(u->target.n, 0);
    assert_null(u->next);
    assert_int_equal(ins->returning.n, 2);
    assert_string_equal(ins->returning.items[1].name, "x");
}

static void
test_with_prefix_attaches_to_dml_statements(void **state)
{
    ast_stmt *stmt;
    (void)state;
    stmt = stmt_of("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", STMT_INSERT);
    assert_string_equal(stmt->with->ctes->name, "x");
    stmt = stmt_of("WITH x AS (SELECT 1) UPDATE t SET a = 1", STMT_UPDATE);
    assert_non_null(stmt->with);
    stmt = stmt_of("WITH x AS (SELECT 1) DELETE FROM t", STMT_DELETE);
    assert_non_null(stmt->with);
    assert_error("WITH x AS (SELECT 1) DROP TABLE t", "near \"DROP\": syntax error");
}

static void
test_update_parses_every_clause(void **state)
{
    ast_update *up;
    (void)state;
    up = &stmt_of("UPDATE OR REPLACE main.t AS x INDEXED BY i SET a = 1, (b, c) = (SELECT 1, 2) "
                  "FROM u WHERE x.id = u.id RETURNING a ORDER BY a LIMIT 1 OFFSET 2",
                  STMT_UPDATE)->u.update;
    assert_int_equal(up->conflict, AST_CONFLICT_REPLACE);
    assert_string_equal(up->schema, "main");
    assert_string_equal(up->alias, "x");
    assert_string_equal(up->indexed_by, "i");
    assert_int_equal(up->set.n, 3);
    assert_int_equal(up->set_group[0], -1);
    assert_int_equal(up->set_group[1], 0);
    assert_string_equal(up->set.items[2].name, "c");
    assert_string_equal(up->from->name, "u");
    assert_non_null(up->where);
    assert_int_equal(up->returning.n, 1);
    assert_int_equal(up->order_by.n, 1);
    assert_int_equal(up->limit->ival, 1);
    assert_int_equal(up->offset->ival, 2);
    up = &stmt_of("UPDATE t NOT INDEXED SET a = 1", STMT_UPDATE)->u.update;
    assert_true(up->not_indexed);
    assert_error("UPDATE t a = 1", "near \"a\": syntax error");
    assert_error("UPDATE t SET", "incomplete input");
}

static void
test_delete_parses_every_clause(void **state)
{
    ast_delete *del;
    (void)state;
    del = &stmt_of("DELETE FROM s.t WHERE a = 1 RETURNING * ORDER BY a LIMIT 2, 3",
                   STMT_DELETE)->u.del;
    assert_string_equal(del->schema, "s");
    assert_string_equal(del->table, "t");
    assert_non_null(del->where);
    assert_int_equal(del->returning.n, 1);
    assert_int_equal(del->offset->ival, 2);
    assert_int_equal(del->limit->ival, 3);
    assert_error("DELETE t", "near \"t\": syntax error");
}

static void
test_transaction_statements_parse_modes_and_savepoints(void **state)
{
    static const struct {
        const char *sql;
        int kind, mode;
        const char *savepoint;  /* NULL: none */
    } cases[] = {
        {"BEGIN", AST_TX_BEGIN, AST_TX_DEFERRED, NULL},
        {"BEGIN IMMEDIATE TRANSACTION", AST_TX_BEGIN, AST_TX_IMMEDIATE, NULL},
        {"BEGIN EXCLUSIVE TRANSACTION name", AST_TX_BEGIN, AST_TX_EXCLUSIVE, NULL},
        {"begin concurrent", AST_TX_BEGIN, AST_TX_CONCURRENT, NULL},
        {"END TRANSACTION", AST_TX_COMMIT, AST_TX_DEFERRED, NULL},
        {"COMMIT", AST_TX_COMMIT, AST_TX_DEFERRED, NULL},
        {"ROLLBACK", AST_TX_ROLLBACK, AST_TX_DEFERRED, NULL},
        {"ROLLBACK TRANSACTION TO SAVEPOINT sp", AST_TX_ROLLBACK_TO, AST_TX_DEFERRED, "sp"},
        {"SAVEPOINT \"a b\"", AST_TX_SAVEPOINT, AST_TX_DEFERRED, "a b"},
        {"RELEASE SAVEPOINT sp", AST_TX_RELEASE, AST_TX_DEFERRED, "sp"},
        {"RELEASE sp", AST_TX_RELEASE, AST_TX_DEFERRED, "sp"},
    };
    (void)state;
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(cases); i++) {
        ast_transaction *tx = &stmt_of(cases[i].sql, STMT_TRANSACTION)->u.tx;
        assert_int_equal(tx->kind, cases[i].kind);
        assert_int_equal(tx->mode, cases[i].mode);
        if (cases[i].savepoint == NULL)
            assert_null(tx->savepoint);
        else
            assert_string_equal(tx->savepoint, cases[i].savepoint);
    }
    assert_error("BEGIN foo", "near \"foo\": syntax error");
    assert_error("ROLLBACK TO", "incomplete input");
}

static void
test_pragma_parses_every_value_form(void **state)
{
    ast_pragma *pr;
    (void)state;
    pr = &stmt_of("PRAGMA cache_size", STMT_PRAGMA)->u.pragma;
    assert_string_equal(pr->name, "cache_size");
    assert_null(pr->value);
    pr = &stmt_of("PRAGMA main.cache_size = -2000", STMT_PRAGMA)->u.pragma;
    assert_string_equal(pr->schema, "main");
    assert_dump(pr->value, "-2000");
    pr = &stmt_of("PRAGMA user_version = +5", STMT_PRAGMA)->u.pragma;
    assert_dump(pr->value, "5");
    pr = &stmt_of("PRAGMA x = -1.5", STMT_PRAGMA)->u.pragma;
    assert_dump(pr->value, "-1.5");
    pr = &stmt_of("PRAGMA x = -9223372036854775808", STMT_PRAGMA)->u.pragma;
    assert_dump(pr->value, "-9223372036854775808");
    pr = &stmt_of("PRAGMA journal_mode = wal", STMT_PRAGMA)->u.pragma;
    assert_int_equal(pr->value->kind, EXPR_COLUMN);
    assert_string_equal(pr->value->name, "wal");
    pr = &stmt_of("PRAGMA journal_mode = 'mvcc'", STMT_PRAGMA)->u.pragma;
    assert_int_equal(pr->value->kind, EXPR_STRING);
    pr = &stmt_of("PRAGMA foreign_keys = ON", STMT_PRAGMA)->u.pragma;
    assert_string_equal(pr->value->name, "ON");
    pr = &stmt_of("PRAGMA secure_delete = DELETE", STMT_PRAGMA)->u.pragma;
    assert_string_equal(pr->value->name, "DELETE");
    pr = &stmt_of("PRAGMA locking_mode = EXCLUSIVE", STMT_PRAGMA)->u.pragma;
    assert_string_equal(pr->value->name, "EXCLUSIVE");
    pr = &stmt_of("PRAGMA table_info(\"t\")", STMT_PRAGMA)->u.pragma;
    assert_string_equal(pr->value->name, "t");
    assert_true(pr->value->is_quoted);
    assert_error("PRAGMA x = (1)", "near \"(\": syntax error");
    assert_error("PRAGMA x =", "incomplete input");
}

static void
test_misc_statements_parse_their_operands(void **state)
{
    ast_stmt *stmt;
    (void)state;
    stmt = stmt_of("VACUUM", STMT_VACUUM);
    assert_null(stmt->u.misc.schema);
    stmt = stmt_of("VACUUM aux INTO 'f.db'", STMT_VACUUM);
    assert_string_equal(stmt->u.misc.schema, "aux");
    assert_dump(stmt->u.misc.expr, "'f.db'");
    stmt = stmt_of("ANALYZE main.t", STMT_ANALYZE);
    assert_string_equal(stmt->u.misc.schema, "main");
    assert_string_equal(stmt->u.misc.name, "t");
    stmt = stmt_of("REINDEX nocase", STMT_REINDEX);
    assert_string_equal(stmt->u.misc.name, "nocase");
    stmt = stmt_of("REINDEX", STMT_REINDEX);
    assert_null(stmt->u.misc.name);
    stmt = stmt_of("ATTACH DATABASE 'f.db' AS aux", STMT_ATTACH);
    assert_dump(stmt->u.misc.expr, "'f.db'");
    assert_string_equal(stmt->u.misc.name, "aux");
    stmt = stmt_of("DETACH aux", STMT_DETACH);
    assert_string_equal(stmt->u.misc.name, "aux");
    assert_error("ATTACH 'f.db'", "incomplete input");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_parses_target_columns_and_values),
        cmocka_unit_test(test_insert_parses_conflict_modes_and_sources),
        cmocka_unit_test(test_insert_parses_several_upserts_and_returning),
        cmocka_unit_test(test_with_prefix_attaches_to_dml_statements),
        cmocka_unit_test(test_update_parses_every_clause),
        cmocka_unit_test(test_delete_parses_every_clause),
        cmocka_unit_test(test_transaction_statements_parse_modes_and_savepoints),
        cmocka_unit_test(test_pragma_parses_every_value_form),
        cmocka_unit_test(test_misc_statements_parse_their_operands),
    };
    return cmocka_run_group_tests(tests, parse_fixture_setup, parse_fixture_teardown);
}
