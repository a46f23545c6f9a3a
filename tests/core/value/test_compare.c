/*
 * tests/core/value/test_compare.c: comparison under SQLite's affinity rules
 * (core/value/compare.c). Every pair of awkward operands, stored in columns
 * of each affinity (or bound with none), is compared by libsqlite3 and by
 * value_compare_sql.
 */
#include "oracle.inc"

static int
sign(int x)
{
    return (x > 0) - (x < 0);
}

static void
test_compare_text_column_with_number_compares_as_text(void **state)
{
    value a = v_text("1");
    value b = v_int(1);

    (void)state;
    assert_int_equal(value_compare_sql(&a, AFFINITY_TEXT, &b, AFFINITY_NONE, COLLATE_BINARY), 0);
    /* A BLOB-affinity column is not "no affinity": nothing converts. */
    assert_int_not_equal(value_compare_sql(&a, AFFINITY_TEXT, &b, AFFINITY_BLOB, COLLATE_BINARY),
                         0);
}

static void
test_compare_numeric_side_converts_numeric_text(void **state)
{
    value a = v_int(10);
    value b = v_text(" 10 ");
    value c = v_text("10x");

    (void)state;
    assert_int_equal(value_compare_sql(&a, AFFINITY_INTEGER, &b, AFFINITY_NONE, COLLATE_BINARY),
                     0);
    assert_true(value_compare_sql(&a, AFFINITY_NUMERIC, &c, AFFINITY_TEXT, COLLATE_BINARY) < 0);
    assert_true(value_compare_sql(&a, AFFINITY_NONE, &b, AFFINITY_NONE, COLLATE_BINARY) < 0);
}

static void
test_compare_uses_the_collation_for_text(void **state)
{
    value a = v_text("ABC");
    value b = v_text("abc");

    (void)state;
    assert_int_equal(value_compare_sql(&a, AFFINITY_NONE, &b, AFFINITY_NONE, COLLATE_NOCASE), 0);
    assert_true(value_compare_sql(&a, AFFINITY_NONE, &b, AFFINITY_NONE, COLLATE_BINARY) < 0);
}

/* The comparisons of one pair, x stored everywhere in t1 and y in t2. */
static int
pair_check(sqlite3 *db, sqlite3_stmt *sel, const value *x, const value *y)
{
    static const char affs[] = { AFFINITY_BLOB, AFFINITY_TEXT, AFFINITY_NUMERIC,
                                 AFFINITY_INTEGER, AFFINITY_REAL, AFFINITY_NONE };
    sqlite3_stmt *ins;
    value sx[6], sy[6];
    int diffs = 0;

    for (int t = 0; t < 2; t++) {
        const value *v = t == 0 ? x : y;
        value *stored = t == 0 ? sx : sy;
        sqlite3_prepare_v2(db, t == 0 ? "INSERT INTO t1 VALUES(?1,?1,?1,?1,?1)"
                                      : "INSERT INTO t2 VALUES(?1,?1,?1,?1,?1)", -1, &ins, NULL);
        oracle_bind(ins, 1, v);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_finalize(ins);
        for (int k = 0; k < 6; k++) {
            assert_int_equal(value_copy(&stored[k], v), CHORUS_OK);
            value_apply_affinity(&stored[k], affs[k]);
        }
    }
    oracle_bind(sel, 1, x);
    oracle_bind(sel, 2, y);
    assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
    for (int l = 0; l < 6; l++) {
        for (int r = 0; r < 6; r++) {
            int want = sqlite3_column_int(sel, l * 6 + r);
            int got = sign(value_compare_sql(&sx[l], affs[l], &sy[r], affs[r], COLLATE_BINARY));
            if (want != got) {
                print_message("affinities %c/%c: sqlite %d chorus %d\n", affs[l] ? affs[l] : '0',
                              affs[r] ? affs[r] : '0', want, got);
                diffs++;
            }
        }
    }
    sqlite3_reset(sel);
    for (int k = 0; k < 6; k++) {
        value_clear(&sx[k]);
        value_clear(&sy[k]);
    }
    sqlite3_exec(db, "DELETE FROM t1; DELETE FROM t2", NULL, NULL, NULL);
    return diffs;
}

static void
test_compare_agrees_with_libsqlite3_for_every_affinity_pair(void **state)
{
    static const char *cols[] = { "t1.a", "t1.b", "t1.c", "t1.d", "t1.e", "?1" };
    static const char *rcols[] = { "t2.a", "t2.b", "t2.c", "t2.d", "t2.e", "?2" };
    value vals[64];
    int n = oracle_operands(vals, 64);
    char sql[8192];
    size_t len;
    sqlite3 *db = oracle_db;
    sqlite3_stmt *sel;
    int diffs = 0;

    (void)state;
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t1(a, b TEXT, c NUMERIC, d INTEGER, e REAL);"
                                      "CREATE TABLE t2(a, b TEXT, c NUMERIC, d INTEGER, e REAL)",
                                  NULL, NULL, NULL), SQLITE_OK);
    len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (int l = 0; l < 6; l++)
        for (int r = 0; r < 6; r++)
            len += (size_t)snprintf(sql + len, sizeof sql - len,
                                    "%sCASE WHEN %s < %s THEN -1 WHEN %s = %s THEN 0 ELSE 1 END",
                                    l + r ? ", " : "", cols[l], rcols[r], cols[l], rcols[r]);
    snprintf(sql + len, sizeof sql - len, " FROM t1, t2");
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &sel, NULL), SQLITE_OK);
    for (int x = 0; x < n; x++)
        for (int y = 0; y < n; y++)
            if (vals[x].type != VALUE_NULL && vals[y].type != VALUE_NULL)
                diffs += pair_check(db, sel, &vals[x], &vals[y]);
    sqlite3_finalize(sel);
    assert_int_equal(diffs, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_text_column_with_number_compares_as_text),
        cmocka_unit_test(test_compare_numeric_side_converts_numeric_text),
        cmocka_unit_test(test_compare_uses_the_collation_for_text),
        cmocka_unit_test(test_compare_agrees_with_libsqlite3_for_every_affinity_pair),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
