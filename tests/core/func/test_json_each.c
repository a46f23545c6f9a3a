/*
 * tests/core/func/test_json_each.c: the json_each/json_tree iterator of
 * core/func/json_each.c. Rows and every column are compared with
 * libsqlite3 3.40's json_each and json_tree (the oracle) where 3.40 is
 * right; the root rows of json_tree below a path, which 3.40 numbers
 * wrongly, are checked against SQLite 3.45's answers by hand.
 */
#include "func_oracle.inc"

#include "json.h"

/* Compares every row and column of ours with the oracle's for doc and path
 * (NULL for none). Returns the number of differences (printed). */
static int
each_check(const char *doc, const char *path, bool recursive)
{
    char sql[160];
    sqlite3_stmt *stmt;
    json_each *it;
    value d = v_text(doc), p = path != NULL ? v_text(path) : v_null();
    int diffs = 0, rows = 0;

    snprintf(sql, sizeof sql, "SELECT key, value, type, atom, id, parent, fullkey, path, json, "
             "root FROM %s(?1%s)", recursive ? "json_tree" : "json_each", path ? ", ?2" : "");
    assert_int_equal(sqlite3_prepare_v2(oracle_db, sql, -1, &stmt, NULL), SQLITE_OK);
    oracle_bind(stmt, 1, &d);
    if (path != NULL)
        oracle_bind(stmt, 2, &p);
    assert_int_equal(json_each_open(&d, path != NULL ? &p : NULL, recursive, &it, NULL),
                     CHORUS_OK);
    for (;;) {
        int src = sqlite3_step(stmt), rc = json_each_next(it);
        if (src != SQLITE_ROW || rc != CHORUS_ROW) {
            if ((src == SQLITE_ROW) != (rc == CHORUS_ROW)) {
                print_message("%s %s: row %d: sqlite %d, chorus %d\n", doc, path, rows, src, rc);
                diffs++;
            }
            break;
        }
        for (int col = 0; col < JSON_EACH_N_COLUMNS; col++) {
            value v;
            assert_int_equal(json_each_column(it, col, &v), CHORUS_OK);
            if (!oracle_same(stmt, col, &v, 0)) {
                print_message("%s %s: row %d column %s: sqlite '%s'\n", doc, path, rows,
                              json_each_column_name(col),
                              (const char *)sqlite3_column_text(stmt, col));
                value_print("  chorus", &v);
                diffs++;
            }
            value_clear(&v);
        }
        rows++;
    }
    json_each_close(it);
    sqlite3_finalize(stmt);
    return diffs;
}

static json_each *open_first(const char *doc, const char *path, bool recursive);
static void assert_column_text(json_each *it, int col, const char *want);

static const char nested[] =
    "{\"a\":[1,{\"b c\":2,\"d\":[true,null]}],\"e\":\"x\\u0041\",\"f\":{},\"g\":[],\"h\":-2.5e3}";

static void
test_json_each_visits_the_children_of_the_root(void **state)
{
    (void)state;
    assert_int_equal(each_check(nested, NULL, false), 0);
    assert_int_equal(each_check("[1,2,[3]]", NULL, false), 0);
    assert_int_equal(each_check("[]", NULL, false), 0);
    assert_int_equal(each_check("{}", NULL, false), 0);
}

static void
test_json_each_below_a_path_visits_that_container(void **state)
{
    (void)state;
    assert_int_equal(each_check(nested, "$.a", false), 0);
    assert_int_equal(each_check(nested, "$.a[1]", false), 0);
    assert_int_equal(each_check(nested, "$.a[1].d", false), 0);
    assert_int_equal(each_check(nested, "$.zz", false), 0);
    assert_int_equal(each_check(nested, "$.a[9]", false), 0);
}

static void
test_json_each_of_a_scalar_is_one_row(void **state)
{
    (void)state;
    assert_int_equal(each_check("5", NULL, false), 0);
    assert_int_equal(each_check("\"s\"", NULL, false), 0);
    assert_int_equal(each_check(nested, "$.h[0]", false), 0);
}

/* SQLite 3.45 names the row of a scalar root by the root path's last step
 * (3.40 gave NULL). */
static void
test_json_each_of_a_scalar_below_a_path_is_keyed_by_its_last_step(void **state)
{
    json_each *it = open_first("{\"e\":[5]}", "$.e[0]", false);
    value v;

    (void)state;
    assert_int_equal(json_each_column(it, JSON_EACH_KEY, &v), CHORUS_OK);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 0);
    assert_column_text(it, JSON_EACH_FULLKEY, "$.e[0]");
    assert_column_text(it, JSON_EACH_PATH, "$.e[0]");
    assert_int_equal(json_each_next(it), CHORUS_DONE);
    json_each_close(it);
    it = open_first("{\"e\":[5]}", "$.e", true);
    assert_column_text(it, JSON_EACH_KEY, "e");
    json_each_close(it);
}

static void
test_json_tree_walks_parents_before_children(void **state)
{
    (void)state;
    assert_int_equal(each_check(nested, NULL, true), 0);
    assert_int_equal(each_check("[[[[]]],[{}],1]", NULL, true), 0);
    assert_int_equal(each_check("7", NULL, true), 0);
    assert_int_equal(each_check(nested, "$.a", true), 0);
    assert_int_equal(each_check(nested, "$.zz", true), 0);
}

/* Opens an iterator; returns it after the first next(). */
static json_each *
open_first(const char *doc, const char *path, bool recursive)
{
    value d = v_text(doc), p = v_text(path);
    json_each *it;

    assert_int_equal(json_each_open(&d, &p, recursive, &it, NULL), CHORUS_OK);
    assert_int_equal(json_each_next(it), CHORUS_ROW);
    return it;
}

static void
assert_column_text(json_each *it, int col, const char *want)
{
    value v;

    assert_int_equal(json_each_column(it, col, &v), CHORUS_OK);
    assert_int_equal(v.type, VALUE_TEXT);
    assert_string_equal(v.u.z, want);
    value_clear(&v);
}

static void
test_json_tree_root_row_takes_its_key_and_path_from_the_root_path(void **state)
{
    json_each *it;
    value v;

    (void)state;
    it = open_first("{\"a\":[1,[2]]}", "$.a[1]", true);
    assert_int_equal(json_each_column(it, JSON_EACH_KEY, &v), CHORUS_OK);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 1);
    assert_column_text(it, JSON_EACH_FULLKEY, "$.a[1]");
    assert_column_text(it, JSON_EACH_PATH, "$.a");
    assert_int_equal(json_each_next(it), CHORUS_ROW);
    assert_column_text(it, JSON_EACH_FULLKEY, "$.a[1][0]");
    assert_column_text(it, JSON_EACH_PATH, "$.a[1]");
    assert_int_equal(json_each_next(it), CHORUS_DONE);
    assert_int_equal(json_each_next(it), CHORUS_DONE);
    json_each_close(it);

    it = open_first("{\"a b\":{\"c\":1}}", "$.\"a b\"", true);
    assert_column_text(it, JSON_EACH_KEY, "a b");
    assert_column_text(it, JSON_EACH_PATH, "$");
    json_each_close(it);
}

static void
test_json_each_reports_malformed_json_and_bad_paths(void **state)
{
    value bad = v_text("[1,"), good = v_text("[1]"), path = v_text("$[x"), null = v_null();
    json_each *it;
    char *err;

    (void)state;
    assert_int_equal(json_each_open(&bad, NULL, false, &it, &err), CHORUS_ERROR);
    assert_null(it);
    assert_string_equal(err, "malformed JSON");
    free(err);
    assert_int_equal(json_each_open(&good, &path, true, &it, &err), CHORUS_ERROR);
    assert_string_equal(err, "JSON path error near '[x'");
    free(err);
    assert_int_equal(json_each_open(&null, NULL, false, &it, &err), CHORUS_OK);
    assert_int_equal(json_each_next(it), CHORUS_DONE);
    json_each_close(it);
    assert_int_equal(json_each_open(&good, &null, false, &it, &err), CHORUS_OK);
    assert_int_equal(json_each_next(it), CHORUS_DONE);
    json_each_close(it);
}

static void
test_json_each_columns_refuse_a_missing_row(void **state)
{
    value doc = v_text("[1]"), v;
    json_each *it;

    (void)state;
    assert_int_equal(json_each_open(&doc, NULL, false, &it, NULL), CHORUS_OK);
    assert_int_equal(json_each_column(it, JSON_EACH_KEY, &v), CHORUS_RANGE);
    assert_int_equal(json_each_next(it), CHORUS_ROW);
    assert_int_equal(json_each_column(it, JSON_EACH_N_COLUMNS, &v), CHORUS_RANGE);
    assert_int_equal(json_each_column(it, -1, &v), CHORUS_RANGE);
    assert_int_equal(json_each_next(it), CHORUS_DONE);
    assert_int_equal(json_each_column(it, JSON_EACH_KEY, &v), CHORUS_RANGE);
    json_each_close(it);
    json_each_close(NULL);
}

static void
test_json_each_names_its_columns(void **state)
{
    (void)state;
    assert_string_equal(json_each_column_name(JSON_EACH_KEY), "key");
    assert_string_equal(json_each_column_name(JSON_EACH_ROOT), "root");
    assert_null(json_each_column_name(JSON_EACH_N_COLUMNS));
    assert_true(json_each_column_hidden(JSON_EACH_JSON));
    assert_false(json_each_column_hidden(JSON_EACH_FULLKEY));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_each_visits_the_children_of_the_root),
        cmocka_unit_test(test_json_each_below_a_path_visits_that_container),
        cmocka_unit_test(test_json_each_of_a_scalar_is_one_row),
        cmocka_unit_test(test_json_each_of_a_scalar_below_a_path_is_keyed_by_its_last_step),
        cmocka_unit_test(test_json_tree_walks_parents_before_children),
        cmocka_unit_test(test_json_tree_root_row_takes_its_key_and_path_from_the_root_path),
        cmocka_unit_test(test_json_each_reports_malformed_json_and_bad_paths),
        cmocka_unit_test(test_json_each_columns_refuse_a_missing_row),
        cmocka_unit_test(test_json_each_names_its_columns),
    };

    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
