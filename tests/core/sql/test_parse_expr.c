/*
 * tests/core/sql/test_parse_expr.c: expressions (core/sql/parse_expr.c):
 * SQLite's operator precedence checked by tree shape, every primary form,
 * literal values, keywords used as names, spans and heights.
 */
#include "parse_fixture.h"

/* The first result column of "SELECT <text>". */
static ast_expr *
expr_of(const char *text)
{
    char sql[4096];
    snprintf(sql, sizeof sql, "SELECT %s", text);
    /* The tree's spans index the text, so it lives in the arena too. */
    return select_of(arena_strdup(&parse_test_arena, sql))->cores->result.items[0].expr;
}

static void
assert_shape(const char *text, const char *expected)
{
    char *got = dump_expr_string(expr_of(text));
    if (strcmp(got, expected) != 0)
        fail_msg("%s\n  expected: %s\n  got:      %s", text, expected, got);
    free(got);
}

static void
test_expr_binds_arithmetic_tighter_than_comparison(void **state)
{
    (void)state;
    assert_shape("a + b * c", "(+ a (* b c))");
    assert_shape("a * b + c", "(+ (* a b) c)");
    assert_shape("a - b - c", "(- (- a b) c)");
    assert_shape("a / b % c", "(% (/ a b) c)");
    assert_shape("a < b + 1", "(< a (+ b 1))");
    assert_shape("a || b * c", "(* (|| a b) c)");
    assert_shape("a & b + c", "(& a (+ b c))");
    assert_shape("a << 1 | 2", "(| (<< a 1) 2)");
    assert_shape("a -> 'x' ->> 'y'", "(->> (-> a 'x') 'y')");
}

static void
test_expr_orders_logic_below_comparison(void **state)
{
    (void)state;
    assert_shape("a OR b AND c", "(OR a (AND b c))");
    assert_shape("a AND b OR c", "(OR (AND a b) c)");
    assert_shape("a = 1 AND b < 2", "(AND (= a 1) (< b 2))");
    assert_shape("a = b = c", "(= (= a b) c)");
    assert_shape("a = b < c", "(= a (< b c))");
    assert_shape("a < b = c", "(= (< a b) c)");
    assert_shape("a == b <> c != d", "(!= (!= (= a b) c) d)");
}

static void
test_expr_gives_prefix_not_its_own_level(void **state)
{
    (void)state;
    assert_shape("NOT a = b", "(NOT (= a b))");
    assert_shape("NOT a AND b", "(AND (NOT a) b)");
    assert_shape("NOT NOT a", "(NOT (NOT a))");
    assert_shape("1 + NOT 0 = 0", "(+ 1 (NOT (= 0 0)))");
    assert_shape("a = NOT b", "(= a (NOT b))");
}

static void
test_expr_binds_unary_operators_tightest(void **state)
{
    (void)state;
    assert_shape("-a * b", "(* (- a) b)");
    assert_shape("- - a", "(- (- a))");
    assert_shape("~a + +b", "(+ (~ a) (+ b))");
    assert_shape("-a COLLATE x", "(COLLATE (- a) x)");
    assert_shape("a || b COLLATE x", "(|| a (COLLATE b x))");
    assert_shape("a COLLATE x COLLATE y", "(COLLATE (COLLATE a x) y)");
}

static void
test_expr_parses_between_tighter_than_and(void **state)
{
    (void)state;
    assert_shape("a BETWEEN 1 AND 2 AND c", "(AND (BETWEEN a 1 2) c)");
    assert_shape("a NOT BETWEEN b + 1 AND c * 2", "(NOT-BETWEEN a (+ b 1) (* c 2))");
    assert_shape("a BETWEEN 1 AND 2 = 1", "(= (BETWEEN a 1 2) 1)");
    assert_shape("a BETWEEN b = c AND d", "(BETWEEN a (= b c) d)");
}

static void
test_expr_parses_null_tests(void **state)
{
    (void)state;
    assert_shape("a IS NULL", "(IS a NULL)");
    assert_shape("a IS NOT NULL", "(ISNOT a NULL)");
    assert_shape("a ISNULL", "(ISNULL a)");
    assert_shape("a NOTNULL", "(NOTNULL a)");
    assert_shape("a NOT NULL", "(NOTNULL a)");
    assert_shape("a + 1 NOT NULL", "(NOTNULL (+ a 1))");
    assert_shape("a IS DISTINCT FROM b", "(ISNOT a b)");
    assert_shape("a IS NOT DISTINCT FROM b", "(IS a b)");
    assert_shape("a IS b + 1", "(IS a (+ b 1))");
}

static void
test_expr_parses_pattern_operators(void **state)
{
    (void)state;
    assert_shape("a LIKE 'x%'", "(LIKE a 'x%')");
    assert_shape("a NOT LIKE b ESCAPE '!'", "(NOT-LIKE a b '!')");
    assert_shape("a GLOB b || c", "(GLOB a (|| b c))");
    assert_shape("a NOT REGEXP b", "(NOT-REGEXP a b)");
    assert_shape("a MATCH b AND c", "(AND (MATCH a b) c)");
    assert_shape("a LIKE b = 1", "(= (LIKE a b) 1)");
}

static void
test_expr_parses_in_forms(void **state)
{
    (void)state;
    assert_shape("a IN (1, 2)", "(IN a (1 2))");
    assert_shape("a NOT IN ()", "(NOT-IN a ())");
    assert_shape("a IN (SELECT 1)", "(IN a SELECT)");
    assert_shape("a IN (VALUES (1))", "(IN a SELECT)");
    assert_shape("a IN t", "(IN a t)");
    assert_shape("a NOT IN main.t", "(NOT-IN a main.t)");
    assert_shape("a IN f(1)", "(IN a f)");
    assert_shape("(a, b) IN (SELECT 1, 2)", "(IN (VECTOR a b) SELECT)");
    assert_shape("a IN (1) = 0", "(= (IN a (1)) 0)");
}

static void
test_expr_parses_function_calls(void **state)
{
    (void)state;
    assert_shape("count(*)", "(count *)");
    assert_shape("count(DISTINCT a)", "(count DISTINCT a)");
    assert_shape("f()", "(f)");
    assert_shape("f(ALL a, b)", "(f a b)");
    assert_shape("group_concat(a, ',' ORDER BY b DESC)", "(group_concat a ',' ORDER-BY b)");
    assert_shape("sum(a) FILTER (WHERE a > 0)", "(sum a [FILTER (> a 0)])");
    assert_shape("sum(a) OVER w", "(sum a [OVER w])");
    assert_shape("sum(a) OVER (PARTITION BY b)", "(sum a [OVER (..)])");
    assert_shape("replace(a, 'x', 'y')", "(replace a 'x' 'y')");
    assert_shape("like(a, b)", "(like a b)");
    assert_shape("left(a, 1)", "(left a 1)");
    assert_shape("CURRENT_TIME", "(CURRENT_TIME)");
    assert_shape("current_date", "(current_date)");
}

static void
test_expr_parses_window_frames(void **state)
{
    ast_window *w;
    (void)state;
    w = expr_of("sum(a) OVER (base PARTITION BY b, c ORDER BY d ROWS BETWEEN 2 PRECEDING "
                "AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW)")->over;
    assert_string_equal(w->base, "base");
    assert_int_equal(w->partition_by.n, 2);
    assert_int_equal(w->order_by.n, 1);
    assert_int_equal(w->unit, AST_FRAME_ROWS);
    assert_int_equal(w->start_bound, AST_BOUND_PRECEDING);
    assert_int_equal(w->start_expr->ival, 2);
    assert_int_equal(w->end_bound, AST_BOUND_UNBOUNDED_FOLLOWING);
    assert_int_equal(w->exclude, AST_EXCLUDE_CURRENT_ROW);
    w = expr_of("sum(a) OVER (RANGE CURRENT ROW)")->over;
    assert_int_equal(w->unit, AST_FRAME_RANGE);
    assert_int_equal(w->start_bound, AST_BOUND_CURRENT_ROW);
    assert_int_equal(w->end_bound, AST_BOUND_CURRENT_ROW);
    w = expr_of("sum(a) OVER (GROUPS UNBOUNDED PRECEDING EXCLUDE TIES)")->over;
    assert_int_equal(w->unit, AST_FRAME_GROUPS);
    assert_int_equal(w->start_bound, AST_BOUND_UNBOUNDED_PRECEDING);
    assert_int_equal(w->exclude, AST_EXCLUDE_TIES);
    w = expr_of("sum(a) OVER ()")->over;
    assert_null(w->base);
    assert_int_equal(w->unit, AST_FRAME_NONE);
}

static void
test_expr_parses_case_cast_exists_raise(void **state)
{
    (void)state;
    assert_shape("CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END",
                 "(CASE a (WHEN 1 'x') (WHEN 2 'y') (ELSE 'z'))");
    assert_shape("CASE WHEN a THEN b END", "(CASE (WHEN a b))");
    assert_shape("CAST(a AS INTEGER)", "(CAST a INTEGER)");
    assert_shape("CAST(a AS varchar ( 10 ))", "(CAST a varchar ( 10 ))");
    assert_shape("CAST(a AS)", "(CAST a <none>)");
    assert_shape("EXISTS (SELECT 1)", "(EXISTS SELECT)");
    assert_shape("NOT EXISTS (SELECT 1)", "(NOT-EXISTS SELECT)");
    assert_shape("(SELECT 1) + 1", "(+ (SELECT) 1)");
    assert_shape("RAISE(IGNORE)", "(RAISE IGNORE)");
    assert_shape("RAISE(ABORT, 'msg')", "(RAISE ABORT 'msg')");
    assert_shape("(1, 2) = (3, 4)", "(= (VECTOR 1 2) (VECTOR 3 4))");
    assert_shape("((a))", "a");
}

static void
test_expr_parses_literal_values(void **state)
{
    ast_expr *e;
    (void)state;
    assert_shape("0x7FFFFFFFFFFFFFFF", "9223372036854775807");
    assert_shape("0xFFFFFFFFFFFFFFFF", "-1");
    assert_shape("0x00000000000000000001", "1");
    assert_shape("9223372036854775807", "9223372036854775807");
    assert_shape("-9223372036854775808", "-9223372036854775808");
    assert_shape("-(9223372036854775808)", "-9223372036854775808");
    assert_shape("9223372036854775808", "9.2233720368547758e+18");
    assert_shape("- 9223372036854775809", "(- 9.2233720368547758e+18)");
    assert_shape("1.5e3", "1500");
    assert_shape(".5", "0.5");
    assert_shape("'it''s'", "'it's'");
    assert_shape("x'00ff'", "x'00ff'");
    assert_shape("NULL", "NULL");
    e = expr_of("-9223372036854775808");
    assert_int_equal(e->kind, EXPR_INTEGER);
    e = expr_of("X'4142'");
    assert_int_equal(e->str_len, 2);
    assert_memory_equal(e->str, "AB", 2);
}

static void
test_expr_resolves_names_and_keywords_used_as_names(void **state)
{
    ast_expr *e;
    (void)state;
    assert_shape("t.a", "t.a");
    assert_shape("s.t.a", "s.t.a");
    assert_shape("true", "true");
    assert_shape("key + replace - end", "(- (+ key replace) end)");
    assert_shape("rowid", "rowid");
    assert_shape("\"a b\"", "a b");
    assert_shape("[x]", "x");
    assert_shape("`y`", "y");
    assert_shape("'t'.a", "t.a");
    e = expr_of("\"quoted\"");
    assert_int_equal(e->kind, EXPR_COLUMN);
    assert_true(e->is_quoted);
    e = expr_of("[quoted]");
    assert_false(e->is_quoted);
    assert_shape("window", "window");
    assert_shape("over", "over");
    assert_shape("filter", "filter");
}

static void
test_expr_spans_cover_the_source_text(void **state)
{
    ast_select_core *c;
    ast_expr *e;
    (void)state;
    c = select_of("SELECT (a + b) * c, f( x ), -1 FROM t WHERE a  =  b")->cores;
    e = c->result.items[0].expr;
    assert_int_equal(e->span.start, 7);
    assert_int_equal(e->span.len, strlen("(a + b) * c"));
    assert_int_equal(e->left->span.start, 7);
    assert_int_equal(e->left->span.len, strlen("(a + b)"));
    assert_int_equal(e->left->left->span.start, 8);
    assert_int_equal(e->left->left->span.len, 1);
    e = c->result.items[1].expr;
    assert_int_equal(e->span.len, strlen("f( x )"));
    e = c->where;
    assert_int_equal(e->span.len, strlen("a  =  b"));
}

static void
test_expr_heights_count_the_deepest_path(void **state)
{
    (void)state;
    assert_int_equal(expr_of("1")->height, 1);
    assert_int_equal(expr_of("1 + 2")->height, 2);
    assert_int_equal(expr_of("1 + 2 * (3 - 4)")->height, 4);
    assert_int_equal(expr_of("f(1, g(2))")->height, 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr_binds_arithmetic_tighter_than_comparison),
        cmocka_unit_test(test_expr_orders_logic_below_comparison),
        cmocka_unit_test(test_expr_gives_prefix_not_its_own_level),
        cmocka_unit_test(test_expr_binds_unary_operators_tightest),
        cmocka_unit_test(test_expr_parses_between_tighter_than_and),
        cmocka_unit_test(test_expr_parses_null_tests),
        cmocka_unit_test(test_expr_parses_pattern_operators),
        cmocka_unit_test(test_expr_parses_in_forms),
        cmocka_unit_test(test_expr_parses_function_calls),
        cmocka_unit_test(test_expr_parses_window_frames),
        cmocka_unit_test(test_expr_parses_case_cast_exists_raise),
        cmocka_unit_test(test_expr_parses_literal_values),
        cmocka_unit_test(test_expr_resolves_names_and_keywords_used_as_names),
        cmocka_unit_test(test_expr_spans_cover_the_source_text),
        cmocka_unit_test(test_expr_heights_count_the_deepest_path),
    };
    return cmocka_run_group_tests(tests, parse_fixture_setup, parse_fixture_teardown);
}
