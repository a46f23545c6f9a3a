/*
 * tests/differential/test_regressions.c: every difference the differential
 * tester ever found, kept as tests/differential/regress/<name>.sql and run
 * on ChorusDB and SQLite every time; the engines must agree on every
 * statement of every file (compare.c rules; "-- ordered" before a query
 * compares its rows in order).
 *
 * A file that still differs fails the test and names the file and the
 * statement. With arguments, each argument is a .sql file to run the same
 * way, printing both engines' answers for every statement (a tool for
 * writing and checking regression files):
 *   test_regressions [--show] FILE.sql ...
 *
 * Callers: CTest (tests/CMakeLists.txt), and people writing regress files.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_support.h"

#include "compare.h"
#include "gen.h"

/* The folder of this source file, where regress/ lives. */
static void
regress_dir(char *buf, size_t n)
{
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    int len = slash ? (int)(slash - file) : 1;
    snprintf(buf, n, "%.*s/regress", len, slash ? file : ".");
}

/* Runs one file; returns how many statements differ (0: all agree), printing
 * each difference. With is_show, prints every statement's outcome. */
static int
regress_file_run(const char *path, int is_show)
{
    char *text = test_read_file(path);
    gen_script script = {0};
    diff_engines *engines;
    int n_diffs = 0;
    if (text == NULL) {
        printf("%s: cannot read\n", path);
        return 1;
    }
    diff_script_parse(text, &script);
    free(text);
    if (diff_engines_open(&engines) != 0) {
        gen_script_free(&script);
        return 1;
    }
    for (size_t i = 0; i < script.n_stmts; i++) {
        const gen_stmt *st = &script.stmts[i];
        gen_buf report = {0};
        int outcome = diff_engines_run(engines, st->sql, st->is_ordered,
                                       st->kind != GEN_STMT_QUERY, &report);
        if (outcome == DIFF_DIFFERENT) {
            printf("%s: statement %zu differs\n%s", path, i + 1, gen_buf_text(&report));
            n_diffs++;
            gen_buf_free(&report);
            break;  /* later statements would repeat the same difference */
        } else if (is_show) {
            printf("%s: statement %zu %s: %s\n%s", path, i + 1,
                   outcome == DIFF_SKIPPED ? "skipped" : "agrees", st->sql,
                   gen_buf_text(&report));
        }
        gen_buf_free(&report);
    }
    diff_engines_close(engines);
    gen_script_free(&script);
    return n_diffs;
}

static int
name_is_sql(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

static int
name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_regressions_every_file_agrees_with_sqlite(void **state)
{
    char dir[4096];
    char path[8192];
    char *names[1024];
    size_t n_names = 0;
    int n_failing = 0;
    regress_dir(dir, sizeof dir);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL && n_names < 1024)
        if (name_is_sql(entry->d_name))
            names[n_names++] = strdup(entry->d_name);
    closedir(d);
    qsort(names, n_names, sizeof names[0], name_order);
    for (size_t i = 0; i < n_names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (regress_file_run(path, 0) != 0)
            n_failing++;
        free(names[i]);
    }
    printf("regressions: %zu files, %d still differ\n", n_names, n_failing);
    assert_int_equal(n_failing, 0);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        int is_show = 0;
        int n_failing = 0;
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--show") == 0)
                is_show = 1;
            else if (regress_file_run(argv[i], is_show) != 0)
                n_failing++;
        }
        return n_failing ? 1 : 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regressions_every_file_agrees_with_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
