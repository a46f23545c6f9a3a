/*
 * tests/core/catalog/test_fkcheck.c: PRAGMA foreign_key_check against the
 * sqlite3 oracle (the same file read by both), and its errors.
 */
#include "pragma_fixture.h"

static const char schema[] =
    "CREATE TABLE p(id INTEGER PRIMARY KEY, u UNIQUE, v, w, x, UNIQUE(w, x));"
    "CREATE TABLE c(x REFERENCES p, y REFERENCES p(u), z);"
    "CREATE TABLE d(a, b, FOREIGN KEY(a, b) REFERENCES q(m, n));"
    "CREATE TABLE g(a TEXT REFERENCES p);"
    "CREATE TABLE h(a, b, FOREIGN KEY(b, a) REFERENCES p(x, w));"
    "INSERT INTO p VALUES (1, 'a', 1, 10, 20), (2, 'b', 2, 11, 21);"
    "INSERT INTO c VALUES (1, 'a', 0), (3, 'a', 0), (NULL, 'zz', 0), (2, NULL, 0),"
    " ('1', 'b', 0), (1.0, 'c', 0), ('x', 'a', 0);"
    "INSERT INTO d VALUES (1, 2), (NULL, 3);"
    "INSERT INTO g VALUES ('2'), ('5');"
    "INSERT INTO h VALUES (10, 20), (20, 10), (11, NULL), (11, 21);";

static void
fails_with(fixture *f, const char *text, const char *msg)
{
    int rc;
    char *got = fx_pragma_run(f, text, &rc);

    assert_int_equal(rc, CHORUS_ERROR);
    assert_string_equal(got, msg);
    free(got);
}

static void
test_rowid_and_unique_parents_match_sqlite(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_pragma_same_as_sqlite(f, "PRAGMA foreign_key_check(c)");
}

static void
test_missing_parent_table_reports_every_non_null_key(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_pragma_same_as_sqlite(f, "PRAGMA foreign_key_check(d)");
}

static void
test_text_child_values_get_the_parent_affinity(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_pragma_same_as_sqlite(f, "PRAGMA foreign_key_check(g)");
}

static void
test_composite_key_in_other_column_order_matches_sqlite(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fx_pragma_same_as_sqlite(f, "PRAGMA foreign_key_check(h)");
}

static void
test_whole_database_check_lists_every_table(void **state)
{
    fixture *f = *state;
    char *got;
    int rc;

    fx_sqlite_exec(f->path, schema);
    got = fx_pragma_run(f, "PRAGMA foreign_key_check", &rc);
    assert_int_equal(rc, CHORUS_OK);
    assert_string_equal(got, "c|2|p|1\nc|3|p|0\nc|6|p|0\nc|7|p|1\nd|1|q|0\ng|2|p|0\n"
                             "h|2|p|0\n");
    free(got);
}

static void
test_clean_database_gives_no_rows(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE p(id INTEGER PRIMARY KEY);"
                            "CREATE TABLE c(x REFERENCES p); INSERT INTO p VALUES (1);"
                            "INSERT INTO c VALUES (1), (NULL);");
    fx_pragma_same_as_sqlite(f, "PRAGMA foreign_key_check");
}

static void
test_unknown_table_fails(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, schema);
    fails_with(f, "PRAGMA foreign_key_check(nosuch)", "no such table: nosuch");
}

static void
test_parent_without_unique_key_is_a_mismatch(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE p(v); CREATE TABLE e(a REFERENCES p(v));"
                            "INSERT INTO e VALUES (1);");
    fails_with(f, "PRAGMA foreign_key_check(e)",
               "foreign key mismatch - \"e\" referencing \"p\"");
}

static void
test_parent_without_primary_key_is_a_mismatch(void **state)
{
    fixture *f = *state;

    fx_sqlite_exec(f->path, "CREATE TABLE p(v); CREATE TABLE e(a REFERENCES p);");
    fails_with(f, "PRAGMA foreign_key_check", "foreign key mismatch - \"e\" referencing \"p\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rowid_and_unique_parents_match_sqlite, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_missing_parent_table_reports_every_non_null_key,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_text_child_values_get_the_parent_affinity,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_composite_key_in_other_column_order_matches_sqlite,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_whole_database_check_lists_every_table, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_clean_database_gives_no_rows, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_table_fails, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_parent_without_unique_key_is_a_mismatch, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_parent_without_primary_key_is_a_mismatch, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
