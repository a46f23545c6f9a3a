/*
 * tests/core/sql/test_parse_select.c: SELECT and VALUES
 * (core/sql/parse_select.c): result columns and their names, FROM items
 * and joins, compound selects, WITH, WINDOW, ORDER BY and LIMIT.
 */
#include "parse_fixture.h"

static void
test_select_names_result_columns_after_their_text(void **state)
{
    ast_select_core *c;
    (void)state;
    c = select_of("SELECT a+1, b AS x, c y, d 'z', 1 /* c */ , (2) FROM t")->cores;
    assert_int_equal(c->result.n, 6);
    assert_span_text(c->result.items[0].expr->span, "a+1");
    assert_null(c->result.items[0].name);
    assert_string_equal(c->result.items[1].name, "x");
    assert_string_equal(c->result.items[2].name, "y");
    assert_string_equal(c->result.items[3].name, "z");
    assert_span_text(c->result.items[4].expr->span, "1 /* c */");
    assert_span_text(c->result.items[5].expr->span, "(2)");
}

static void
test_select_takes_fallback_keywords_as_implicit_aliases(void **state)
{
    ast_select_core *c;
    (void)state;
    c = select_of("SELECT a desc, b key, c offset, d window FROM t")->cores;
    assert_string_equal(c->result.items[0].name, "desc");
    assert_string_equal(c->result.items[1].name, "key");
    assert_string_equal(c->result.items[2].name, "offset");
    assert_string_equal(c->result.items[3].name, "window");
}

static void
test_select_parses_stars(void **state)
{
    ast_select_core *c;
    (void)state;
    c = select_of("SELECT *, t.*, \"u\".* FROM t, u")->cores;
    assert_dump(c->result.items[0].expr, "*");
    assert_dump(c->result.items[1].expr, "t.*");
    assert_dump(c->result.items[2].expr, "u.*");
}

static void
test_select_parses_every_join_form(void **state)
{
    ast_from_item *f;
    (void)state;
    f = select_of("SELECT * FROM a, b JOIN c ON 1 NATURAL LEFT OUTER JOIN d "
                  "RIGHT JOIN e USING (x, y) FULL JOIN f ON 2 CROSS JOIN g INNER JOIN h ON 3")
            ->cores->from;
    assert_int_equal(f->join, AST_JOIN_NONE);
    assert_string_equal(f->name, "a");
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_COMMA);
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_INNER);
    assert_non_null(f->on);
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_LEFT);
    assert_true(f->is_natural);
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_RIGHT);
    assert_int_equal(f->using_cols.n, 2);
    assert_string_equal(f->using_cols.items[1].name, "y");
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_FULL);
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_CROSS);
    f = f->next;
    assert_int_equal(f->join, AST_JOIN_INNER);
    assert_string_equal(f->name, "h");
    assert_null(f->next);
}

static void
test_select_parses_from_item_kinds(void **state)
{
    ast_from_item *f;
    (void)state;
    f = select_of("SELECT * FROM main.t AS x INDEXED BY i, u NOT INDEXED, (SELECT 1) s, "
                  "json_each('[1]') j, (a JOIN b) n, ((c)) AS m")->cores->from;
    assert_int_equal(f->kind, AST_FROM_TABLE);
    assert_string_equal(f->schema, "main");
    assert_string_equal(f->alias, "x");
    assert_string_equal(f->indexed_by, "i");
    f = f->next;
    assert_true(f->not_indexed);
    f = f->next;
    assert_int_equal(f->kind, AST_FROM_SUBQUERY);
    assert_string_equal(f->alias, "s");
    f = f->next;
    assert_int_equal(f->kind, AST_FROM_FUNCTION);
    assert_int_equal(f->args.n, 1);
    f = f->next;
    assert_int_equal(f->kind, AST_FROM_NESTED);
    assert_string_equal(f->alias, "n");
    assert_string_equal(f->nested->next->name, "b");
    f = f->next;
    assert_int_equal(f->kind, AST_FROM_TABLE);
    assert_string_equal(f->name, "c");
    assert_string_equal(f->alias, "m");
    assert_int_equal(f->join, AST_JOIN_COMMA);
}

static void
test_select_parses_where_group_having_window(void **state)
{
    ast_select_core *c;
    (void)state;
    c = select_of("SELECT a FROM t WHERE a > 1 GROUP BY a, b HAVING count(*) > 1 "
                  "WINDOW w AS (PARTITION BY a), v AS (w ORDER BY b)")->cores;
    assert_dump(c->where, "(> a 1)");
    assert_int_equal(c->group_by.n, 2);
    assert_dump(c->having, "(> (count *) 1)");
    assert_string_equal(c->windows->name, "w");
    assert_int_equal(c->windows->partition_by.n, 1);
    assert_string_equal(c->windows->next->name, "v");
    assert_string_equal(c->windows->next->base, "w");
}

static void
test_select_parses_compounds_order_and_limit(void **state)
{
    ast_select *s;
    ast_select_core *c;
    (void)state;
    s = select_of("SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT VALUES (4) EXCEPT "
                  "SELECT DISTINCT 5 ORDER BY 1 DESC NULLS LAST, 2 ASC NULLS FIRST "
                  "LIMIT 10 OFFSET 5");
    c = s->cores;
    assert_int_equal(c->compound, AST_COMPOUND_NONE);
    assert_int_equal((c = c->next)->compound, AST_COMPOUND_UNION);
    assert_int_equal((c = c->next)->compound, AST_COMPOUND_UNION_ALL);
    assert_int_equal((c = c->next)->compound, AST_COMPOUND_INTERSECT);
    assert_true(c->is_values);
    assert_int_equal((c = c->next)->compound, AST_COMPOUND_EXCEPT);
    assert_true(c->is_distinct);
    assert_int_equal(s->order_by.n, 2);
    assert_int_equal(s->order_by.items[0].order, AST_ORDER_DESC);
    assert_int_equal(s->order_by.items[0].nulls, AST_NULLS_LAST);
    assert_int_equal(s->order_by.items[1].order, AST_ORDER_ASC);
    assert_int_equal(s->order_by.items[1].nulls, AST_NULLS_FIRST);
    assert_int_equal(s->limit->ival, 10);
    assert_int_equal(s->offset->ival, 5);
    s = select_of("SELECT 1 LIMIT 5, 10");
    assert_int_equal(s->offset->ival, 5);
    assert_int_equal(s->limit->ival, 10);
}

static void
test_select_rejects_order_by_before_a_compound(void **state)
{
    (void)state;
    assert_error("SELECT 1 ORDER BY 1 UNION SELECT 2",
                       "ORDER BY clause should come after UNION not before");
    assert_error("SELECT 1 LIMIT 1 EXCEPT SELECT 2",
                       "LIMIT clause should come after EXCEPT not before");
    assert_error("VALUES (1) ORDER BY 1", "near \"ORDER\": syntax error");
}

static void
test_select_parses_values_rows_as_vectors(void **state)
{
    ast_select_core *c;
    (void)state;
    c = select_of("VALUES (1, 2), (3, 4), (5, 6)")->cores;
    assert_true(c->is_values);
    assert_int_equal(c->values.n, 3);
    assert_dump(c->values.items[2].expr, "(VECTOR 5 6)");
}

static void
test_select_parses_with_clauses(void **state)
{
    ast_select *s;
    ast_cte *cte;
    (void)state;
    s = select_of("WITH RECURSIVE c(n, m) AS (SELECT 1, 2), d AS MATERIALIZED (SELECT 1), "
                  "e AS NOT MATERIALIZED (SELECT 2) SELECT * FROM c");
    assert_non_null(s->with);
    assert_true(s->with->is_recursive);
    cte = s->with->ctes;
    assert_string_equal(cte->name, "c");
    assert_int_equal(cte->columns.n, 2);
    assert_int_equal(cte->materialized, 0);
    assert_int_equal(cte->next->materialized, 1);
    assert_int_equal(cte->next->next->materialized, -1);
    assert_int_equal(s->span.start, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_names_result_columns_after_their_text),
        cmocka_unit_test(test_select_takes_fallback_keywords_as_implicit_aliases),
        cmocka_unit_test(test_select_parses_stars),
        cmocka_unit_test(test_select_parses_every_join_form),
        cmocka_unit_test(test_select_parses_from_item_kinds),
        cmocka_unit_test(test_select_parses_where_group_having_window),
        cmocka_unit_test(test_select_parses_compounds_order_and_limit),
        cmocka_unit_test(test_select_rejects_order_by_before_a_compound),
        cmocka_unit_test(test_select_parses_values_rows_as_vectors),
        cmocka_unit_test(test_select_parses_with_clauses),
    };
    return cmocka_run_group_tests(tests, parse_fixture_setup, parse_fixture_teardown);
}
