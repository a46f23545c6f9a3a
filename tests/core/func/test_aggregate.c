/*
 * tests/core/func/test_aggregate.c: the aggregates of
 * core/func/aggregate.c. Each runs over row sets here and in libsqlite3,
 * as a plain aggregate and as a sliding window (step, inverse, value),
 * plus the error and corner cases named in the brief.
 */
#include "func_oracle.inc"

static int
setup(void **state)
{
    if (oracle_setup(state) != 0)
        return -1;
    return sqlite3_exec(oracle_db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b)", NULL, NULL,
                        NULL);
}

/* An aggregate run by hand, as the executor would. */
typedef struct agg_run {
    const func_def *def;
    func_ctx ctx;
} agg_run;

static void
agg_begin(agg_run *run, const char *name, int argc)
{
    run->def = func_find(name, argc, NULL);
    assert_non_null(run->def);
    assert_true(run->def->flags & FUNC_AGGREGATE);
    ctx_init(&run->ctx);
    run->ctx.state = calloc(1, run->def->state_size);
    assert_non_null(run->ctx.state);
}

/* Ends the run: the result of final (owned by *out) and the rc. */
static int
agg_end(agg_run *run, value *out, char **err)
{
    int rc = run->ctx.rc;

    if (rc == CHORUS_OK)
        rc = run->def->final(&run->ctx);
    if (run->def->destroy != NULL)
        run->def->destroy(run->ctx.state);
    free(run->ctx.state);
    *out = run->ctx.result;
    *err = run->ctx.errmsg;
    return rc;
}

/* The row sets, as lists of (a, b) pairs; b serves as a separator. */
typedef struct row_set {
    int n;
    value a[8];
    value b[8];
} row_set;

static int
row_sets(row_set *sets)
{
    const row_set all[] = {
        { 0, { { 0 } }, { { 0 } } },
        { 3, { v_int(1), v_int(2), v_int(3) }, { v_text("-"), v_text("+"), v_null() } },
        { 6, { v_int(1), v_real(2.5), v_text("3"), v_null(), v_text("4abc"), v_blob("5", 1) },
             { v_text(";"), v_text(";"), v_text(";"), v_text(";"), v_null(), v_int(7) } },
        { 3, { v_null(), v_null(), v_null() }, { v_text(","), v_text(","), v_text(",") } },
        { 4, { v_text(""), v_text(""), v_text("a"), v_text("B") },
             { v_text(","), v_null(), v_text("xy"), v_text("") } },
        { 5, { v_real(0.1), v_real(0.2), v_real(0.3), v_real(1e100), v_real(-1e100) },
             { v_int(1), v_int(2), v_int(3), v_int(4), v_int(5) } },
        { 3, { v_int(INT64_MAX), v_int(1), v_real(1.0) }, { v_null(), v_null(), v_null() } },
        { 3, { v_int(INT64_MAX), v_int(1), v_int(-1) }, { v_null(), v_null(), v_null() } },
        { 2, { v_int(INT64_MIN), v_int(-1) }, { v_null(), v_null() } },
        { 4, { v_text("b"), v_int(10), v_real(-3.5), v_blob("\x00", 1) },
             { v_null(), v_null(), v_null(), v_null() } },
    };
    memcpy(sets, all, sizeof all);
    return (int)(sizeof all / sizeof all[0]);
}

static void
rows_load(const row_set *set)
{
    sqlite3_stmt *ins;

    sqlite3_exec(oracle_db, "DELETE FROM t", NULL, NULL, NULL);
    sqlite3_prepare_v2(oracle_db, "INSERT INTO t(a, b) VALUES(?1, ?2)", -1, &ins, NULL);
    for (int i = 0; i < set->n; i++) {
        oracle_bind(ins, 1, &set->a[i]);
        oracle_bind(ins, 2, &set->b[i]);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
}

/* Compares name over one row set; returns 1 on a difference. */
static int
aggregate_check(const char *name, int argc, const row_set *set)
{
    char sql[128];
    sqlite3_stmt *sel;
    agg_run run;
    value got;
    char *err;

    snprintf(sql, sizeof sql, "SELECT %s(%s) FROM t", name,
             argc == 0 ? "*" : argc == 1 ? "a" : "a, b");
    assert_int_equal(sqlite3_prepare_v2(oracle_db, sql, -1, &sel, NULL), SQLITE_OK);
    agg_begin(&run, name, argc);
    for (int i = 0; i < set->n; i++) {
        value args[2] = { set->a[i], set->b[i] };
        if (run.def->step(&run.ctx, argc, args) != CHORUS_OK)
            break;
    }
    int rc = agg_end(&run, &got, &err);
    int src = sqlite3_step(sel);
    int diff = src == SQLITE_ROW ? rc != CHORUS_OK || !oracle_same(sel, 0, &got, 1e-15)
                                 : rc == CHORUS_OK || strcmp(err, sqlite3_errmsg(oracle_db)) != 0;
    if (diff) {
        print_message("%s over %d rows differs\n", sql, set->n);
        value_print("  chorus", &got);
    }
    value_clear(&got);
    free(err);
    sqlite3_finalize(sel);
    return diff;
}

/* Compares name as a window of the current and previous row. */
static int
window_check(const char *name, int argc, const row_set *set)
{
    char sql[160];
    sqlite3_stmt *sel;
    agg_run run;
    int diffs = 0;

    snprintf(sql, sizeof sql, "SELECT %s(%s) OVER (ORDER BY id ROWS 1 PRECEDING) FROM t", name,
             argc == 0 ? "" : argc == 1 ? "a" : "a, b");
    assert_int_equal(sqlite3_prepare_v2(oracle_db, sql, -1, &sel, NULL), SQLITE_OK);
    agg_begin(&run, name, argc);
    for (int i = 0; i < set->n; i++) {
        value args[2] = { set->a[i], set->b[i] };
        if (i >= 2) {
            value old[2] = { set->a[i - 2], set->b[i - 2] };
            run.def->inverse(&run.ctx, argc, old);
        }
        run.def->step(&run.ctx, argc, args);
        run.def->value(&run.ctx);
        assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
        if (run.ctx.rc == CHORUS_OK && !oracle_same(sel, 0, &run.ctx.result, 1e-12)) {
            print_message("%s row %d differs\n", sql, i);
            value_print("  chorus", &run.ctx.result);
            diffs++;
        }
        value_clear(&run.ctx.result);
        run.ctx.rc = CHORUS_OK;
    }
    value got;
    char *err;
    agg_end(&run, &got, &err);
    value_clear(&got);
    free(err);
    sqlite3_finalize(sel);
    return diffs;
}

static const struct { const char *name; int argc; bool window; } aggs[] = {
    { "count", 0, true }, { "count", 1, true }, { "sum", 1, true }, { "total", 1, true },
    { "avg", 1, true }, { "group_concat", 1, true }, { "group_concat", 2, true },
    { "max", 1, false }, { "min", 1, false },
};

static void
test_aggregates_agree_with_libsqlite3(void **state)
{
    row_set sets[16];
    int n = row_sets(sets);
    int diffs = 0;

    (void)state;
    for (int s = 0; s < n; s++) {
        rows_load(&sets[s]);
        for (size_t a = 0; a < sizeof aggs / sizeof aggs[0]; a++) {
            /* Sets 5 and 6 sum as 3.45 does (compensated; overflow excused
             * by a later real), not as the 3.40 oracle: see the literals. */
            if ((s == 5 || s == 6) && aggs[a].argc == 1 &&
                (strcmp(aggs[a].name, "sum") == 0 || strcmp(aggs[a].name, "total") == 0 ||
                 strcmp(aggs[a].name, "avg") == 0))
                continue;
            diffs += aggregate_check(aggs[a].name, aggs[a].argc, &sets[s]);
        }
    }
    assert_int_equal(diffs, 0);
}

static void
test_window_inverse_agrees_with_libsqlite3(void **state)
{
    row_set sets[16];
    int n = row_sets(sets);
    int diffs = 0;

    (void)state;
    for (int s = 0; s < n; s++) {
        if (s == 6 || s == 7 || s == 8)
            continue;   /* overflowing sums: covered by the aggregate test */
        rows_load(&sets[s]);
        for (size_t a = 0; a < sizeof aggs / sizeof aggs[0]; a++)
            if (aggs[a].window)
                diffs += window_check(aggs[a].name, aggs[a].argc, &sets[s]);
    }
    assert_int_equal(diffs, 0);
}

static void
test_string_agg_is_group_concat_with_a_separator(void **state)
{
    agg_run run;
    value rows[2][2] = { { v_text("a"), v_text("; ") }, { v_int(2), v_text("; ") } };
    value out;
    char *err;

    (void)state;
    agg_begin(&run, "string_agg", 2);
    run.def->step(&run.ctx, 2, rows[0]);
    run.def->step(&run.ctx, 2, rows[1]);
    assert_int_equal(agg_end(&run, &out, &err), CHORUS_OK);
    assert_string_equal(out.u.z, "a; 2");
    value_clear(&out);
}

/* Runs sum over rows and returns its result (owned by *out). */
static int
sum_of(const char *name, const value *rows, int n, value *out)
{
    agg_run run;
    char *err;

    agg_begin(&run, name, 1);
    for (int i = 0; i < n; i++)
        run.def->step(&run.ctx, 1, &rows[i]);
    int rc = agg_end(&run, out, &err);
    free(err);
    return rc;
}

static void
test_sum_is_compensated_as_sqlite_3_45(void **state)
{
    value rows[5] = { v_real(0.1), v_real(0.2), v_real(0.3), v_real(1e100), v_real(-1e100) };
    value out;

    (void)state;
    sum_of("sum", rows, 5, &out);
    assert_true(out.type == VALUE_REAL && out.u.r == 0.6);
    sum_of("avg", rows, 5, &out);
    assert_true(out.type == VALUE_REAL && out.u.r == 0.12);
}

static void
test_sum_overflow_is_excused_by_a_later_real(void **state)
{
    value rows[3] = { v_int(INT64_MAX), v_int(1), v_real(1.0) };
    value out;

    (void)state;
    assert_int_equal(sum_of("sum", rows, 3, &out), CHORUS_OK);
    assert_true(out.type == VALUE_REAL && out.u.r == 9223372036854775808.0 + 1.0);
}

static void
test_sum_reports_integer_overflow(void **state)
{
    agg_run run;
    value rows[2] = { v_int(INT64_MAX), v_int(1) };
    value out;
    char *err;

    (void)state;
    agg_begin(&run, "sum", 1);
    run.def->step(&run.ctx, 1, &rows[0]);
    run.def->step(&run.ctx, 1, &rows[1]);
    assert_int_equal(agg_end(&run, &out, &err), CHORUS_ERROR);
    assert_string_equal(err, "integer overflow");
    free(err);
}

static void
test_total_of_nothing_is_zero_and_sum_is_null(void **state)
{
    agg_run run;
    value out;
    char *err;

    (void)state;
    agg_begin(&run, "total", 1);
    agg_end(&run, &out, &err);
    assert_true(out.type == VALUE_REAL && out.u.r == 0.0);
    agg_begin(&run, "sum", 1);
    agg_end(&run, &out, &err);
    assert_int_equal(out.type, VALUE_NULL);
}

static void
test_aggregate_max_uses_the_collation_and_keeps_the_first_equal(void **state)
{
    agg_run run;
    value rows[3] = { v_text("b"), v_text("B"), v_text("a") };
    value out;
    char *err;

    (void)state;
    agg_begin(&run, "max", 1);
    run.ctx.coll = COLLATE_NOCASE;
    for (int i = 0; i < 3; i++)
        run.def->step(&run.ctx, 1, &rows[i]);
    agg_end(&run, &out, &err);
    assert_string_equal(out.u.z, "b");
    value_clear(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregates_agree_with_libsqlite3),
        cmocka_unit_test(test_window_inverse_agrees_with_libsqlite3),
        cmocka_unit_test(test_string_agg_is_group_concat_with_a_separator),
        cmocka_unit_test(test_sum_is_compensated_as_sqlite_3_45),
        cmocka_unit_test(test_sum_overflow_is_excused_by_a_later_real),
        cmocka_unit_test(test_sum_reports_integer_overflow),
        cmocka_unit_test(test_total_of_nothing_is_zero_and_sum_is_null),
        cmocka_unit_test(test_aggregate_max_uses_the_collation_and_keeps_the_first_equal),
    };
    return cmocka_run_group_tests(tests, setup, oracle_teardown);
}
