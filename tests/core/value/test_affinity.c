/*
 * tests/core/value/test_affinity.c: declared-type affinity, storage
 * affinity and CAST (core/value/affinity.c). Storage affinity is checked
 * against libsqlite3 by inserting each operand into columns of every
 * affinity; CAST against CAST(?1 AS type).
 */
#include "oracle.inc"

static void
test_affinity_from_type_follows_sqlite_rule_order(void **state)
{
    (void)state;
    assert_int_equal(affinity_from_type("INTEGER"), AFFINITY_INTEGER);
    assert_int_equal(affinity_from_type("bigint"), AFFINITY_INTEGER);
    assert_int_equal(affinity_from_type("FLOATING POINT"), AFFINITY_INTEGER);
    assert_int_equal(affinity_from_type("VARCHAR(10)"), AFFINITY_TEXT);
    assert_int_equal(affinity_from_type("clob"), AFFINITY_TEXT);
    assert_int_equal(affinity_from_type("CHARINT"), AFFINITY_INTEGER);
    assert_int_equal(affinity_from_type("BLOBTEXT"), AFFINITY_TEXT);
    assert_int_equal(affinity_from_type("blob"), AFFINITY_BLOB);
    assert_int_equal(affinity_from_type("REALBLOB"), AFFINITY_BLOB);
    assert_int_equal(affinity_from_type(""), AFFINITY_BLOB);
    assert_int_equal(affinity_from_type(NULL), AFFINITY_BLOB);
    assert_int_equal(affinity_from_type("double precision"), AFFINITY_REAL);
    assert_int_equal(affinity_from_type("Float"), AFFINITY_REAL);
    assert_int_equal(affinity_from_type("DECIMAL(10,5)"), AFFINITY_NUMERIC);
    assert_int_equal(affinity_from_type("STRING"), AFFINITY_NUMERIC);
    assert_int_equal(affinity_from_type("DATE"), AFFINITY_NUMERIC);
}

static void
test_apply_affinity_keeps_non_numeric_text(void **state)
{
    value v = v_text("12abc");

    (void)state;
    assert_int_equal(value_apply_affinity(&v, AFFINITY_NUMERIC), CHORUS_OK);
    assert_int_equal(v.type, VALUE_TEXT);
    v = v_text("0x10");
    value_apply_affinity(&v, AFFINITY_INTEGER);
    assert_int_equal(v.type, VALUE_TEXT);
}

static void
test_apply_affinity_converts_whole_numbers(void **state)
{
    value v = v_text(" 1e17 ");

    (void)state;
    value_apply_affinity(&v, AFFINITY_INTEGER);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 100000000000000000);
    v = v_real(3.0);
    value_apply_affinity(&v, AFFINITY_NUMERIC);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 3);
    v = v_text("9223372036854775808");
    value_apply_affinity(&v, AFFINITY_NUMERIC);
    assert_int_equal(v.type, VALUE_REAL);
    v = v_int(3);
    value_apply_affinity(&v, AFFINITY_REAL);
    assert_true(v.type == VALUE_REAL && v.u.r == 3.0);
    v = v_real(3.0);
    value_apply_affinity(&v, AFFINITY_REAL);
    assert_int_equal(v.type, VALUE_REAL);
}

static void
test_apply_affinity_frees_owned_text_it_replaces(void **state)
{
    value v;

    (void)state;
    assert_int_equal(value_set_text_copy(&v, "42", 2), CHORUS_OK);
    value_apply_affinity(&v, AFFINITY_NUMERIC);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 42);
    v = v_real(1.5);
    assert_int_equal(value_apply_affinity(&v, AFFINITY_TEXT), CHORUS_OK);
    assert_int_equal(v.flags, VALUE_OWNED);
    assert_string_equal(v.u.z, "1.5");
    value_clear(&v);
}

static void
test_apply_affinity_leaves_blobs_and_nulls(void **state)
{
    value v = v_blob("12", 2);

    (void)state;
    value_apply_affinity(&v, AFFINITY_INTEGER);
    assert_int_equal(v.type, VALUE_BLOB);
    value_apply_affinity(&v, AFFINITY_TEXT);
    assert_int_equal(v.type, VALUE_BLOB);
    v = v_null();
    value_apply_affinity(&v, AFFINITY_REAL);
    assert_int_equal(v.type, VALUE_NULL);
}

static void
test_cast_examples_from_the_brief(void **state)
{
    value v = v_text("12abc");

    (void)state;
    value_cast(&v, "INTEGER");
    assert_true(v.type == VALUE_INTEGER && v.u.i == 12);
    v = v_real(1e30);
    value_cast(&v, "int");
    assert_true(v.type == VALUE_INTEGER && v.u.i == INT64_MAX);
    v = v_int(5);
    assert_int_equal(value_cast(&v, "BLOB"), CHORUS_OK);
    assert_true(v.type == VALUE_BLOB && v.n == 1 && v.u.z[0] == '5');
    value_clear(&v);
    v = v_null();
    value_cast(&v, "TEXT");
    assert_int_equal(v.type, VALUE_NULL);
}

static void
test_storage_affinity_agrees_with_libsqlite3(void **state)
{
    static const char aff_of_col[] = { AFFINITY_BLOB, AFFINITY_TEXT, AFFINITY_NUMERIC,
                                       AFFINITY_INTEGER, AFFINITY_REAL };
    value vals[64];
    int n = oracle_operands(vals, 64);
    sqlite3 *db = oracle_db;
    sqlite3_stmt *ins, *sel;
    int diffs = 0;

    (void)state;
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a, b TEXT, c NUMERIC, d INTEGER, e REAL)",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1,?1,?1,?1,?1)", -1, &ins,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT a, b, c, d, e FROM t", -1, &sel, NULL),
                     SQLITE_OK);
    for (int k = 0; k < n; k++) {
        oracle_bind(ins, 1, &vals[k]);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
        assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
        for (int col = 0; col < 5; col++) {
            value v;
            assert_int_equal(value_copy(&v, &vals[k]), CHORUS_OK);
            assert_int_equal(value_apply_affinity(&v, aff_of_col[col]), CHORUS_OK);
            if (!oracle_same(sel, col, &v, 0)) {
                print_message("operand %d, column %d differs\n", k, col);
                diffs++;
            }
            value_clear(&v);
        }
        sqlite3_reset(sel);
        sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(sel);
    assert_int_equal(diffs, 0);
}

static void
test_cast_agrees_with_libsqlite3(void **state)
{
    static const char *types[] = { "INTEGER", "REAL", "NUMERIC", "TEXT", "BLOB", "DECIMAL",
                                   "VARCHAR(3)" };
    value vals[64];
    int n = oracle_operands(vals, 64);
    sqlite3 *db = oracle_db;
    int diffs = 0;

    (void)state;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        char sql[64];
        sqlite3_stmt *stmt;
        snprintf(sql, sizeof sql, "SELECT CAST(?1 AS %s)", types[t]);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
        for (int k = 0; k < n; k++) {
            value v;
            oracle_bind(stmt, 1, &vals[k]);
            assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
            assert_int_equal(value_copy(&v, &vals[k]), CHORUS_OK);
            assert_int_equal(value_cast(&v, types[t]), CHORUS_OK);
            if (!oracle_same(stmt, 0, &v, 0)) {
                print_message("%s of operand %d differs\n", sql, k);
                diffs++;
            }
            value_clear(&v);
            sqlite3_reset(stmt);
        }
        sqlite3_finalize(stmt);
    }
    assert_int_equal(diffs, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_affinity_from_type_follows_sqlite_rule_order),
        cmocka_unit_test(test_apply_affinity_keeps_non_numeric_text),
        cmocka_unit_test(test_apply_affinity_converts_whole_numbers),
        cmocka_unit_test(test_apply_affinity_frees_owned_text_it_replaces),
        cmocka_unit_test(test_apply_affinity_leaves_blobs_and_nulls),
        cmocka_unit_test(test_cast_examples_from_the_brief),
        cmocka_unit_test(test_storage_affinity_agrees_with_libsqlite3),
        cmocka_unit_test(test_cast_agrees_with_libsqlite3),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
