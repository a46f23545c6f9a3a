/*
 * tests/c-api/test_backup.c: the online backup API (c-api/backup.c B1-B3,
 * core/vm/backup.c BK1-BK5): a copy in one step and in many, progress
 * counts, a restart when the source changes between steps, the
 * destination's readers seeing the old database until the end, an mvcc
 * source's uncheckpointed rows in the copy, an empty source, and sqlite3
 * (the CLI) opening the copy with integrity ok; refusals as sqlite3's: one
 * connection as both ends, an unknown schema, a destination in a
 * transaction, different page sizes, and disconnect during a backup.
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

#include "capi_fixture.h"
#include "chorus.h"
#include "test_support.h"

/* Two file databases in a fresh directory, one connection each. */
typedef struct backup_fixture {
    char dir[512], src_path[600], dest_path[600];
    chorus_db *src_db, *dest_db;
    chorus_conn *src, *dest;
} backup_fixture;

static const char source_sql[] =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, pad BLOB);"
    "CREATE INDEX t_name ON t(name);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
    " INSERT INTO t SELECT i, 'name' || i, zeroblob(200) FROM n;"
    "PRAGMA user_version = 7;";

static int
open_pair(backup_fixture *f)
{
    return chorus_open(f->src_path, 0, &f->src_db) == CHORUS_OK &&
                   chorus_connect(f->src_db, &f->src) == CHORUS_OK &&
                   chorus_open(f->dest_path, 0, &f->dest_db) == CHORUS_OK &&
                   chorus_connect(f->dest_db, &f->dest) == CHORUS_OK
               ? 0
               : -1;
}

static void
close_pair(backup_fixture *f)
{
    chorus_disconnect(f->src);
    chorus_disconnect(f->dest);
    chorus_close(f->src_db);
    chorus_close(f->dest_db);
    f->src = f->dest = NULL;
    f->src_db = f->dest_db = NULL;
}

static int
setup(void **state)
{
    backup_fixture *f = calloc(1, sizeof *f);

    *state = f;
    if (f == NULL)
        return -1;
    const char *dir = test_tmpdir();
    if (dir == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    snprintf(f->src_path, sizeof f->src_path, "%s/src.db", f->dir);
    snprintf(f->dest_path, sizeof f->dest_path, "%s/dest.db", f->dir);
    if (open_pair(f) != 0)
        return -1;
    return chorus_exec(f->src, source_sql) == CHORUS_OK &&
                   chorus_exec(f->dest, "CREATE TABLE old(x); INSERT INTO old VALUES (1)") ==
                       CHORUS_OK
               ? 0
               : -1;
}

static int
teardown(void **state)
{
    backup_fixture *f = *state;
    close_pair(f);
    test_tmpdir_remove();
    free(f);
    return 0;
}

/* Runs the sqlite3 CLI on path with sql; its output, newlines as '|'. */
static void
sqlite3_output(const char *path, const char *sql, char *out, size_t n)
{
    char cmd[512];
    FILE *p;
    size_t len;

    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\" 2>&1", path, sql);
    p = popen(cmd, "r");
    assert_non_null(p);
    len = fread(out, 1, n - 1, p);
    out[len] = 0;
    pclose(p);
    for (char *c = out; *c; c++)
        if (*c == '\n')
            *c = '|';
}

static void
test_backup_copies_the_database_in_one_step(void **state)
{
    backup_fixture *f = *state;
    chorus_backup *b = chorus_backup_init(f->dest, "main", f->src, "main");
    char out[256];

    assert_non_null(b);
    assert_int_equal(chorus_backup_remaining(b), 0);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_DONE);
    assert_int_equal(chorus_backup_remaining(b), 0);
    assert_int_equal(chorus_backup_pagecount(b),
                     (int)capi_query_int(f->src, "PRAGMA page_count"));
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_DONE);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM t WHERE name > 'name4'"), 166);
    assert_int_equal(capi_query_int(f->dest, "PRAGMA user_version"), 7);
    capi_assert_query(f->dest, "PRAGMA integrity_check", "ok");
    capi_assert_query_fails(f->dest, "SELECT * FROM old", CHORUS_ERROR, "no such table: old");
    close_pair(f);
    sqlite3_output(f->dest_path, "PRAGMA integrity_check; SELECT count(*), sum(length(pad)) FROM t",
                   out, sizeof out);
    assert_string_equal(out, "ok|500|100000|");
}

static void
test_backup_in_steps_counts_down_and_keeps_readers_on_the_old_data(void **state)
{
    backup_fixture *f = *state;
    chorus_backup *b = chorus_backup_init(f->dest, NULL, f->src, NULL);
    int pages, steps = 0, rc;

    assert_non_null(b);
    assert_int_equal(chorus_backup_step(b, 5), CHORUS_OK);
    pages = chorus_backup_pagecount(b);
    assert_true(pages > 10);
    assert_int_equal(chorus_backup_remaining(b), pages - 5);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM old"), 1);
    assert_int_equal(chorus_busy_timeout(f->dest, 0), CHORUS_OK);
    capi_assert_query_fails(f->dest, "INSERT INTO old VALUES (2)", CHORUS_BUSY, NULL);
    while ((rc = chorus_backup_step(b, 5)) == CHORUS_OK)
        steps++;
    assert_int_equal(rc, CHORUS_DONE);
    assert_int_equal(steps, (pages - 5 - 1) / 5);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM t"), 500);
}

static void
test_backup_restarts_when_the_source_changes_between_steps(void **state)
{
    backup_fixture *f = *state;
    chorus_backup *b = chorus_backup_init(f->dest, "main", f->src, "main");
    chorus_conn *writer;
    int rc, steps = 0;

    assert_non_null(b);
    assert_int_equal(chorus_backup_step(b, 10), CHORUS_OK);
    assert_int_equal(chorus_connect(f->src_db, &writer), CHORUS_OK);
    assert_int_equal(chorus_exec(writer, "INSERT INTO t VALUES (501, 'late', zeroblob(9000))"),
                     CHORUS_OK);
    assert_int_equal(chorus_disconnect(writer), CHORUS_OK);
    assert_int_equal(chorus_backup_step(b, 1), CHORUS_OK);
    assert_int_equal(chorus_backup_remaining(b), chorus_backup_pagecount(b) - 1);
    while ((rc = chorus_backup_step(b, 10)) == CHORUS_OK)
        steps++;
    assert_int_equal(rc, CHORUS_DONE);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(capi_query_int(f->dest, "SELECT length(pad) FROM t WHERE name = 'late'"),
                     9000);
    capi_assert_query(f->dest, "PRAGMA integrity_check", "ok");
}

static void
test_backup_of_an_mvcc_source_holds_its_logged_rows(void **state)
{
    backup_fixture *f = *state;
    chorus_backup *b;
    char out[128];

    capi_assert_query(f->src, "PRAGMA journal_mode = 'mvcc'", "mvcc");
    assert_int_equal(chorus_exec(f->src, "UPDATE t SET name = 'mv' || id WHERE id <= 3;"
                                         "INSERT INTO t VALUES (600, 'logged', NULL)"),
                     CHORUS_OK);
    b = chorus_backup_init(f->dest, "main", f->src, "main");
    assert_non_null(b);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_DONE);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    capi_assert_query(f->dest,
                      "SELECT group_concat(name) FROM "
                      "(SELECT name FROM t WHERE id <= 3 OR id = 600 ORDER BY id)",
                      "mv1,mv2,mv3,logged");
    close_pair(f);
    sqlite3_output(f->dest_path, "PRAGMA integrity_check; SELECT count(*) FROM t", out,
                   sizeof out);
    assert_string_equal(out, "ok|501|");
}

static void
test_backup_of_an_empty_source_empties_the_destination(void **state)
{
    backup_fixture *f = *state;
    chorus_db *empty_db;
    chorus_conn *empty;
    chorus_backup *b;

    assert_int_equal(chorus_open(":memory:", 0, &empty_db), CHORUS_OK);
    assert_int_equal(chorus_connect(empty_db, &empty), CHORUS_OK);
    b = chorus_backup_init(f->dest, "main", empty, "main");
    assert_non_null(b);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_DONE);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM sqlite_schema"), 0);
    capi_assert_query(f->dest, "PRAGMA integrity_check", "ok");
    assert_int_equal(chorus_exec(f->dest, "CREATE TABLE again(x)"), CHORUS_OK);
    chorus_disconnect(empty);
    chorus_close(empty_db);
}

static void
test_backup_into_memory_and_back(void **state)
{
    backup_fixture *f = *state;
    chorus_db *mem_db;
    chorus_conn *mem;
    chorus_backup *b;

    assert_int_equal(chorus_open(":memory:", 0, &mem_db), CHORUS_OK);
    assert_int_equal(chorus_connect(mem_db, &mem), CHORUS_OK);
    b = chorus_backup_init(mem, "main", f->src, "main");
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_DONE);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(chorus_exec(mem, "DELETE FROM t WHERE id > 10"), CHORUS_OK);
    b = chorus_backup_init(f->dest, "main", mem, "main");
    assert_int_equal(chorus_backup_step(b, 3), CHORUS_OK);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_DONE);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM t"), 10);
    capi_assert_query(f->dest, "PRAGMA integrity_check", "ok");
    chorus_disconnect(mem);
    chorus_close(mem_db);
}

static void
test_one_connection_as_both_ends_is_refused(void **state)
{
    backup_fixture *f = *state;
    chorus_conn *second;

    assert_null(chorus_backup_init(f->src, "main", f->src, "main"));
    assert_int_equal(chorus_errcode(f->src), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->src), "source and destination must be distinct");
    assert_int_equal(chorus_connect(f->src_db, &second), CHORUS_OK);
    assert_null(chorus_backup_init(second, "main", f->src, "main"));
    assert_string_equal(chorus_errmsg(second), "source and destination must be distinct");
    chorus_disconnect(second);
    assert_null(chorus_backup_init(NULL, "main", f->src, "main"));
}

static void
test_unknown_schema_is_refused(void **state)
{
    backup_fixture *f = *state;

    assert_null(chorus_backup_init(f->dest, "main", f->src, "aux"));
    assert_string_equal(chorus_errmsg(f->dest), "unknown database aux");
    assert_null(chorus_backup_init(f->dest, "other", f->src, "main"));
    assert_string_equal(chorus_errmsg(f->dest), "unknown database other");
}

static void
test_destination_in_a_transaction_is_refused(void **state)
{
    backup_fixture *f = *state;
    chorus_backup *b;

    assert_int_equal(chorus_exec(f->dest, "BEGIN; SELECT * FROM old"), CHORUS_OK);
    assert_null(chorus_backup_init(f->dest, "main", f->src, "main"));
    assert_int_equal(chorus_errcode(f->dest), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->dest), "destination database is in use");
    assert_int_equal(chorus_exec(f->dest, "COMMIT"), CHORUS_OK);
    b = chorus_backup_init(f->dest, "main", f->src, "main");
    assert_non_null(b);
    assert_int_equal(chorus_exec(f->dest, "BEGIN; SELECT * FROM old"), CHORUS_OK);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->dest), "destination database is in use");
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_ERROR);      /* B2 */
    assert_int_equal(chorus_exec(f->dest, "COMMIT"), CHORUS_OK);
    assert_int_equal(chorus_backup_finish(b), CHORUS_ERROR);
    assert_int_equal(chorus_errcode(f->dest), CHORUS_ERROR);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM old"), 1);
}

static void
test_connections_stay_open_until_finish(void **state)
{
    backup_fixture *f = *state;
    chorus_backup *b = chorus_backup_init(f->dest, "main", f->src, "main");

    assert_non_null(b);
    assert_int_equal(chorus_backup_step(b, 2), CHORUS_OK);
    assert_int_equal(chorus_disconnect(f->src), CHORUS_BUSY);
    assert_string_equal(chorus_errmsg(f->src),
                        "unable to close due to unfinished backup operations");
    assert_int_equal(chorus_disconnect(f->dest), CHORUS_BUSY);
    assert_int_equal(chorus_backup_finish(b), CHORUS_OK);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM old"), 1);   /* rolled back */
    assert_int_equal(chorus_backup_finish(NULL), CHORUS_OK);
    assert_int_equal(chorus_backup_step(NULL, 1), CHORUS_MISUSE);
}

static void
test_different_page_sizes_are_refused(void **state)
{
    backup_fixture *f = *state;
    char path[600], cmd[1400];
    chorus_db *db;
    chorus_conn *conn;
    chorus_backup *b;

    snprintf(path, sizeof path, "%s/small.db", f->dir);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' 'PRAGMA page_size = 1024; CREATE TABLE s(x); INSERT INTO s VALUES (1)'",
             path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    b = chorus_backup_init(f->dest, "main", conn, "main");
    assert_non_null(b);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_READONLY);
    assert_int_equal(chorus_backup_step(b, -1), CHORUS_READONLY);
    assert_int_equal(chorus_backup_finish(b), CHORUS_READONLY);
    assert_int_equal(chorus_errcode(f->dest), CHORUS_READONLY);
    assert_int_equal(capi_query_int(f->dest, "SELECT count(*) FROM old"), 1);
    chorus_disconnect(conn);
    chorus_close(db);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_backup_copies_the_database_in_one_step),
        T(test_backup_in_steps_counts_down_and_keeps_readers_on_the_old_data),
        T(test_backup_restarts_when_the_source_changes_between_steps),
        T(test_backup_of_an_mvcc_source_holds_its_logged_rows),
        T(test_backup_of_an_empty_source_empties_the_destination),
        T(test_backup_into_memory_and_back),
        T(test_one_connection_as_both_ends_is_refused),
        T(test_unknown_schema_is_refused),
        T(test_destination_in_a_transaction_is_refused),
        T(test_connections_stay_open_until_finish),
        T(test_different_page_sizes_are_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
