/*
 * tests/shell/test_shell.c: the chorus shell (the programs of shell/) run as a program:
 * output modes, dot commands, options, error messages and exit status.
 *
 * The shell is $CHORUS_SHELL (set by tests/CMakeLists.txt); the cases skip
 * when it was not built. Expected texts are what the sqlite3 3.40 CLI
 * prints for the same input; the last cases also run /usr/bin/sqlite3 on
 * the same scripts, when it is installed, and compare byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_support.h"

static const char *shell_path;

static int
setup(void **state)
{
    (void)state;
    shell_path = getenv("CHORUS_SHELL");
    if (shell_path != NULL && access(shell_path, X_OK) != 0)
        shell_path = NULL;
    return test_tmpdir() != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

typedef struct run_result {
    int status;
    char *out;
    char *err;
} run_result;

/* Runs the shell with args (already quoted for sh) and script on stdin. */
static run_result
shell_run(const char *args, const char *script)
{
    char cmd[2048];
    run_result r;

    if (shell_path == NULL)
        skip();
    snprintf(cmd, sizeof cmd, "'%s' %s", shell_path, args);
    r.status = test_run_command(cmd, script, &r.out, &r.err);
    assert_non_null(r.out);
    assert_non_null(r.err);
    return r;
}

static void
run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

/* Runs script on a fresh memory database; checks stdout and a clean exit. */
static void
expect_output(const char *script, const char *want)
{
    run_result r = shell_run(":memory:", script);

    assert_string_equal(r.out, want);
    assert_string_equal(r.err, "");
    assert_int_equal(r.status, 0);
    run_free(&r);
}

static const char setup_sql[] =
    "CREATE TABLE t(a INTEGER, b TEXT);\n"
    "INSERT INTO t VALUES (1, 'hello'), (NULL, 'a,b \"q\"'), (-20, '');\n";

static void
test_list_mode_is_the_default(void **state)
{
    (void)state;
    expect_output("SELECT 1, 'x', NULL, 2.5;\nSELECT 2\n  ;\n", "1|x||2.5\n2\n");
}

static void
test_statements_may_span_lines_and_share_one(void **state)
{
    (void)state;
    expect_output("SELECT\n  1\n  + 1; SELECT 'a;b';\n", "2\na;b\n");
}

static void
test_headers_on_print_names_before_the_first_row(void **state)
{
    char script[512];

    (void)state;
    snprintf(script, sizeof script, "%s.headers on\nSELECT * FROM t;\nSELECT 1 WHERE 0;\n",
             setup_sql);
    expect_output(script, "a|b\n1|hello\n|a,b \"q\"\n-20|\n");
}

static void
test_csv_mode_quotes_and_ends_rows_with_crlf(void **state)
{
    char script[512];

    (void)state;
    snprintf(script, sizeof script, "%s.mode csv\n.headers on\nSELECT * FROM t;\n", setup_sql);
    expect_output(script, "a,b\r\n1,hello\r\n,\"a,b \"\"q\"\"\"\r\n-20,\"\"\r\n");
}

static void
test_json_mode_prints_an_array_of_objects(void **state)
{
    char script[512];

    (void)state;
    snprintf(script, sizeof script, "%s.mode json\nSELECT * FROM t;\nSELECT 1 WHERE 0;\n"
                                    "SELECT 1.5 AS r, x'41' AS b;\n",
             setup_sql);
    expect_output(script, "[{\"a\":1,\"b\":\"hello\"},\n{\"a\":null,\"b\":\"a,b \\\"q\\\"\"},\n"
                          "{\"a\":-20,\"b\":\"\"}]\n[{\"r\":1.5,\"b\":\"A\"}]\n");
}

static void
test_line_mode_aligns_names(void **state)
{
    (void)state;
    expect_output(".mode line\nSELECT 1 AS a, 'x' AS longer_name;\nSELECT 2 AS a;\n",
                  "          a = 1\nlonger_name = x\n    a = 2\n");
}

static void
test_column_mode_pads_and_underlines(void **state)
{
    char script[512];

    (void)state;
    snprintf(script, sizeof script, "%s.mode column\nSELECT * FROM t;\n", setup_sql);
    expect_output(script, "a    b      \n---  -------\n1    hello  \n     a,b \"q\"\n-20         \n");
}

static void
test_box_mode_draws_lines(void **state)
{
    (void)state;
    expect_output(".mode box\nSELECT 1 AS ab, 'long text' AS c;\n",
                  "┌────┬───────────┐\n"
                  "│ ab │     c     │\n"
                  "├────┼───────────┤\n"
                  "│ 1  │ long text │\n"
                  "└────┴───────────┘\n");
}

static void
test_tables_and_schema(void **state)
{
    (void)state;
    expect_output("CREATE TABLE t2(x);\nCREATE TABLE t1(y);\nCREATE INDEX i1 ON t1(y);\n"
                  ".tables\n.schema\n.schema t2\n",
                  "t1  t2\n"
                  "CREATE TABLE t2(x);\nCREATE TABLE t1(y);\nCREATE INDEX i1 ON t1(y);\n"
                  "CREATE TABLE t2(x);\n");
}

/* Outputs of the sqlite3 3.40 CLI for the same input. */
static void
test_indexes_separator_and_nullvalue(void **state)
{
    (void)state;
    expect_output("CREATE TABLE t(a UNIQUE, b);\nCREATE INDEX tb ON t(b);\n"
                  "CREATE TABLE u(x);\nCREATE INDEX ux ON u(x);\n"
                  ".indexes\n.indices u%\n.nullvalue -\nSELECT NULL, 1;\n"
                  ".separator , \\n\nSELECT 1, 2;\n.mode csv\nSELECT NULL, 5;\n"
                  ".mode list\nSELECT 3, NULL;\n",
                  "sqlite_autoindex_t_1  tb                    ux                  \n"
                  "ux\n-|1\n1,2\n-,5\r\n3|-\n");
}

/* An unterminated statement at the end of the input is reported without
 * the line's newline: the CLI joins lines with one between them. */
static void
test_unterminated_token_at_end_of_input(void **state)
{
    run_result r = shell_run(":memory:", "SELECT 'x;\n");

    (void)state;
    assert_string_equal(r.err, "Parse error near line 1: unrecognized token: \"'x;\"\n");
    run_free(&r);
}

/* The sqlite3 3.40 CLI's .dump of the same database, byte for byte. */
static void
test_dump_prints_the_database_as_sql(void **state)
{
    (void)state;
    expect_output("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB);\n"
                  "INSERT INTO t VALUES (1, 'x''y', 1.5, x'00ff'), "
                  "(2, 'l' || char(10) || 'm', 2.0, NULL);\n"
                  "CREATE TABLE \"w i\"(x, y AS (x * 2));\n"
                  "INSERT INTO \"w i\"(x) VALUES (3);\n"
                  "CREATE TABLE au(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\n"
                  "INSERT INTO au(v) VALUES (7);\n"
                  "CREATE INDEX tb ON t(b);\nCREATE VIEW v AS SELECT a FROM t;\n.dump\n",
                  "PRAGMA foreign_keys=OFF;\n"
                  "BEGIN TRANSACTION;\n"
                  "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB);\n"
                  "INSERT INTO t VALUES(1,'x''y',1.5,X'00ff');\n"
                  "INSERT INTO t VALUES(2,replace('l\\nm','\\n',char(10)),2.0,NULL);\n"
                  "CREATE TABLE IF NOT EXISTS \"w i\"(x, y AS (x * 2));\n"
                  "INSERT INTO \"w i\" VALUES(3);\n"
                  "CREATE TABLE au(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\n"
                  "INSERT INTO au VALUES(1,7);\n"
                  "DELETE FROM sqlite_sequence;\n"
                  "INSERT INTO sqlite_sequence VALUES('au',1);\n"
                  "CREATE INDEX tb ON t(b);\n"
                  "CREATE VIEW v AS SELECT a FROM t;\n"
                  "COMMIT;\n");
}

/* As the sqlite3 3.40 CLI prints them. */
static void
test_insert_mode(void **state)
{
    (void)state;
    expect_output("CREATE TABLE t(a, b);\nINSERT INTO t VALUES (1, 'x''y'), (2.5, NULL);\n"
                  ".mode insert t2\nSELECT * FROM t;\n.headers on\n.mode insert \"my t\"\n"
                  "SELECT a AS \"a b\", b FROM t LIMIT 1;\n.mode insert\nSELECT x'01';\n",
                  "INSERT INTO t2 VALUES(1,'x''y');\nINSERT INTO t2 VALUES(2.5,NULL);\n"
                  "INSERT INTO \"my t\"(\"a b\",b) VALUES(1,'x''y');\n"
                  "INSERT INTO \"table\"(\"x'01'\") VALUES(X'01');\n");
}

static void
test_parse_error_names_the_line_and_goes_on(void **state)
{
    run_result r = shell_run(":memory:", "SELECT 1;\n\nSELECT * FROM nope;\nSELECT 2;\n");

    (void)state;
    assert_string_equal(r.out, "1\n2\n");
    assert_string_equal(r.err, "Parse error near line 3: no such table: nope\n");
    assert_int_equal(r.status, 1);
    run_free(&r);
}

static void
test_runtime_error_names_the_code(void **state)
{
    run_result r = shell_run(":memory:", "CREATE TABLE u(x UNIQUE);\nINSERT INTO u VALUES (1);\n"
                                         "INSERT INTO u VALUES (1);\n");

    (void)state;
    assert_string_equal(r.err, "Runtime error near line 3: UNIQUE constraint failed: u.x (19)\n");
    assert_int_equal(r.status, 1);
    run_free(&r);
}

/* As the sqlite3 CLI: a plain SQLITE_ERROR carries no code. */
static void
test_runtime_error_of_code_1_has_no_code(void **state)
{
    run_result r = shell_run(":memory:", "SELECT abs(-9223372036854775808);\n");

    (void)state;
    assert_string_equal(r.err, "Runtime error near line 1: integer overflow\n");
    assert_int_equal(r.status, 1);
    run_free(&r);
}

/* As the sqlite3 CLI draws it (its output for the same statements). */
static void
test_query_plan_is_drawn_as_a_tree(void **state)
{
    run_result r = shell_run(":memory:", "CREATE TABLE p(id INTEGER PRIMARY KEY, v);\n"
                                         "/* c */ explain  QUERY\nPLAN SELECT * FROM p a JOIN p b"
                                         " ON a.id = b.id;\n");

    (void)state;
    assert_string_equal(r.out, "QUERY PLAN\n"
                               "|--SCAN a\n"
                               "`--SEARCH b USING INTEGER PRIMARY KEY (rowid=?)\n");
    assert_int_equal(r.status, 0);
    run_free(&r);
}

static void
test_bail_stops_at_the_first_error(void **state)
{
    run_result r = shell_run("-bail :memory:", "SELECT * FROM nope;\nSELECT 2;\n");
    run_result d = shell_run(":memory:", ".bail on\nSELECT * FROM nope;\nSELECT 2;\n");

    (void)state;
    assert_string_equal(r.out, "");
    assert_int_equal(r.status, 1);
    assert_string_equal(d.out, "");
    assert_int_equal(d.status, 1);
    run_free(&r);
    run_free(&d);
}

static void
test_sql_argument_runs_instead_of_stdin(void **state)
{
    run_result r = shell_run(":memory: 'SELECT 1; SELECT 2'", "SELECT 3;\n");

    (void)state;
    assert_string_equal(r.out, "1\n2\n");
    assert_int_equal(r.status, 0);
    run_free(&r);
}

static void
test_sql_argument_error_has_the_prepare_shape(void **state)
{
    run_result r = shell_run(":memory: 'SELECT 1; SELECT * FROM nope; SELECT 2'", NULL);

    (void)state;
    assert_string_equal(r.out, "1\n");
    assert_string_equal(r.err, "Error: in prepare, no such table: nope\n");
    assert_int_equal(r.status, 1);
    run_free(&r);
}

static void
test_options_csv_json_header_and_cmd(void **state)
{
    run_result a = shell_run("-csv -header :memory: \"SELECT 1 AS a, 'x y' AS b\"", NULL);
    run_result b = shell_run("-json :memory: 'SELECT 1 AS a'", NULL);
    run_result c = shell_run("-cmd '.mode csv' :memory:", "SELECT 1, 2;\n");

    (void)state;
    assert_string_equal(a.out, "a,b\r\n1,\"x y\"\r\n");
    assert_string_equal(b.out, "[{\"a\":1}]\n");
    assert_string_equal(c.out, "1,2\r\n");
    run_free(&a);
    run_free(&b);
    run_free(&c);
}

static void
test_version_and_help_options(void **state)
{
    run_result v = shell_run("-version", NULL);
    run_result h = shell_run("-help", NULL);
    run_result bad = shell_run("-frobnicate", NULL);

    (void)state;
    assert_string_equal(v.out, "0.1.0\n");
    assert_int_equal(v.status, 0);
    assert_non_null(strstr(h.out, "-bail"));
    assert_int_equal(h.status, 0);
    assert_int_equal(bad.status, 1);
    assert_non_null(strstr(bad.err, "unknown option"));
    run_free(&v);
    run_free(&h);
    run_free(&bad);
}

static void
test_read_runs_a_file_and_reports_a_missing_one(void **state)
{
    char path[512], script[1200];
    FILE *f;
    run_result r;

    (void)state;
    test_path(path, sizeof path, "part.sql");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("SELECT 'from file';\n", f);
    fclose(f);
    snprintf(script, sizeof script, ".read %s\n.read %s.missing\nSELECT 9;\n", path, path);
    r = shell_run(":memory:", script);
    assert_string_equal(r.out, "from file\n9\n");
    assert_non_null(strstr(r.err, "Error: cannot open \""));
    assert_int_equal(r.status, 1);
    run_free(&r);
}

static void
test_unknown_dot_command_and_mode_are_errors(void **state)
{
    run_result r = shell_run(":memory:", ".foo\n.mode nope\nSELECT 1;\n");

    (void)state;
    assert_string_equal(r.out, "1\n");
    assert_string_equal(r.err,
                        "Error: unknown command or invalid arguments:  \"foo\". Enter \".help\" for help\n"
                        "Error: mode should be one of: box column csv insert json line list\n");
    assert_int_equal(r.status, 1);
    run_free(&r);
}

static void
test_timer_prints_run_time(void **state)
{
    run_result r = shell_run(":memory:", ".timer on\nSELECT 1;\n");

    (void)state;
    assert_non_null(strstr(r.out, "1\nRun Time: real "));
    assert_non_null(strstr(r.out, " user "));
    assert_non_null(strstr(r.out, " sys "));
    run_free(&r);
}

static void
test_quit_and_exit_code(void **state)
{
    run_result q = shell_run(":memory:", "SELECT 1;\n.quit\nSELECT 2;\n");
    run_result e = shell_run(":memory:", ".exit 3\n");

    (void)state;
    assert_string_equal(q.out, "1\n");
    assert_int_equal(q.status, 0);
    assert_int_equal(e.status, 3);
    run_free(&q);
    run_free(&e);
}

static void
test_unterminated_sql_at_end_of_input_runs(void **state)
{
    (void)state;
    expect_output("SELECT 1;\nSELECT 2 -- no semicolon\n", "1\n2\n");
}

static void
test_data_written_to_a_file_persists(void **state)
{
    char path[512], args[600];
    run_result w, r;

    (void)state;
    test_path(path, sizeof path, "persist.db");
    snprintf(args, sizeof args, "'%s'", path);
    w = shell_run(args, "CREATE TABLE t(x);\nINSERT INTO t VALUES (42);\n");
    r = shell_run(args, "SELECT x FROM t;\n");
    assert_int_equal(w.status, 0);
    assert_string_equal(r.out, "42\n");
    run_free(&w);
    run_free(&r);
}

/* --- the sqlite3 CLI as the oracle ------------------------------------------------- */

static const char oracle_script[] =
    "CREATE TABLE t(a INTEGER, b TEXT, c REAL);\n"
    "INSERT INTO t VALUES (1, 'hello', 1.5), (NULL, 'a,b \"q\"', 0.25), (-20, '', 100.0),\n"
    "  (3, 'two\nlines', 2.0), (4, 'é ü', NULL);\n"
    "CREATE VIEW v AS SELECT a, b AS \"b c\" FROM t;\n"
    "SELECT * FROM t;\n.headers on\nSELECT * FROM t ORDER BY a;\n"
    ".mode csv\nSELECT * FROM t;\n.headers off\nSELECT * FROM t;\n"
    ".mode json\nSELECT * FROM t;\n.mode line\nSELECT * FROM t;\n"
    ".mode column\nSELECT * FROM t;\n.headers on\nSELECT a, c FROM t;\n"
    ".mode box\nSELECT * FROM t;\nSELECT a, c FROM t;\n"
    ".mode list\n.tables\n.schema\n.schema v\n"
    "SELECT * FROM nope;\nSELECT 'after error';\n";

static void
test_output_matches_the_sqlite3_cli(void **state)
{
    char cmd[1024], path[512];
    char *want_out, *want_err;
    run_result got;
    int want_status;

    (void)state;
    if (access("/usr/bin/sqlite3", X_OK) != 0)
        skip();
    test_path(path, sizeof path, "oracle.db");
    snprintf(cmd, sizeof cmd, "/usr/bin/sqlite3 '%s'", path);
    want_status = test_run_command(cmd, oracle_script, &want_out, &want_err);
    test_path(path, sizeof path, "chorus.db");
    snprintf(cmd, sizeof cmd, "'%s'", path);
    got = shell_run(cmd, oracle_script);
    assert_string_equal(got.out, want_out);
    assert_string_equal(got.err, want_err);
    assert_int_equal(got.status, want_status);
    free(want_out);
    free(want_err);
    run_free(&got);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_list_mode_is_the_default),
        T(test_statements_may_span_lines_and_share_one),
        T(test_headers_on_print_names_before_the_first_row),
        T(test_csv_mode_quotes_and_ends_rows_with_crlf),
        T(test_json_mode_prints_an_array_of_objects),
        T(test_line_mode_aligns_names),
        T(test_column_mode_pads_and_underlines),
        T(test_box_mode_draws_lines),
        T(test_tables_and_schema),
        T(test_parse_error_names_the_line_and_goes_on),
        T(test_runtime_error_names_the_code),
        T(test_runtime_error_of_code_1_has_no_code),
        T(test_query_plan_is_drawn_as_a_tree),
        T(test_bail_stops_at_the_first_error),
        T(test_sql_argument_runs_instead_of_stdin),
        T(test_sql_argument_error_has_the_prepare_shape),
        T(test_options_csv_json_header_and_cmd),
        T(test_version_and_help_options),
        T(test_read_runs_a_file_and_reports_a_missing_one),
        T(test_unknown_dot_command_and_mode_are_errors),
        T(test_timer_prints_run_time),
        T(test_quit_and_exit_code),
        T(test_unterminated_sql_at_end_of_input_runs),
        T(test_unterminated_token_at_end_of_input),
        T(test_indexes_separator_and_nullvalue),
        T(test_dump_prints_the_database_as_sql),
        T(test_insert_mode),
        T(test_data_written_to_a_file_persists),
        T(test_output_matches_the_sqlite3_cli),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
