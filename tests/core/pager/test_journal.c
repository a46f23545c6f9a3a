/*
 * tests/core/pager/test_journal.c: hot rollback journals left by sqlite3
 * are rolled back on open (core/pager/journal.c; README R16).
 *
 * sqlite3 makes the hot journal: a transaction larger than its cache
 * spills changed pages into the database file after journaling them; a
 * copy of the database and journal taken then is what a crash leaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "pager.h"
#include "test_support.h"

enum { PS = 1024 };

static char db_path[600], journal_path[620], copy_path[600], copy_journal[620];

static int
setup(void **state)
{
    assert_non_null(test_tmpdir());
    test_path(db_path, sizeof db_path, "t.db");
    test_path(copy_path, sizeof copy_path, "c.db");
    snprintf(journal_path, sizeof journal_path, "%s-journal", db_path);
    snprintf(copy_journal, sizeof copy_journal, "%s-journal", copy_path);
    return 0;
}

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static void
copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[8192];
    size_t n;

    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static void
sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sqlite3: %s: %s", sql, err ? err : "");
}

/* Leaves c.db + c.db-journal as a crash in the middle of a big sqlite3
 * transaction would, and t.db as the state before that transaction. */
static void
make_hot_journal(void)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_exec(db, "PRAGMA page_size=1024; PRAGMA journal_mode=delete; CREATE TABLE t(a, b);"
                 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 400)"
                 " INSERT INTO t SELECT i, randomblob(200) FROM c;");
    sql_exec(db, "PRAGMA cache_size=5; BEGIN; UPDATE t SET b = randomblob(300);"
                 "INSERT INTO t SELECT a + 1000, b FROM t;");
    assert_int_equal(access(journal_path, F_OK), 0);
    copy_file(db_path, copy_path);
    copy_file(journal_path, copy_journal);
    sql_exec(db, "ROLLBACK");
    sqlite3_close(db);
}

static int
files_differ(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int ca, cb, differ = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        differ |= ca != cb;
    } while (ca != EOF && cb != EOF && !differ);
    fclose(fa);
    fclose(fb);
    return differ;
}

static void
test_hot_journal_is_rolled_back_on_open(void **state)
{
    pager_config cfg = { 0 };
    pager *p;
    pager_tx *tx;
    FILE *f;
    uint8_t want[PS];
    long n_pages;

    make_hot_journal();
    assert_true(files_differ(db_path, copy_path));   /* the spill reached the file */
    assert_int_equal(pager_open(copy_path, &cfg, &p, NULL), CHORUS_OK);
    assert_int_not_equal(access(copy_journal, F_OK), 0);
    f = fopen(db_path, "rb");
    fseek(f, 0, SEEK_END);
    n_pages = ftell(f) / PS;
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), n_pages);
    for (long i = 1; i <= n_pages; i++) {
        pager_page *pg;
        fseek(f, (i - 1) * PS, SEEK_SET);
        assert_int_equal(fread(want, 1, PS, f), PS);
        assert_int_equal(pager_page_get(tx, (uint32_t)i, &pg), CHORUS_OK);
        assert_memory_equal(pg->data, want, PS);
        pager_page_release(pg);
    }
    fclose(f);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
    assert_false(files_differ(db_path, copy_path));
}

static void
test_hot_journal_refuses_a_read_only_open(void **state)
{
    pager_config cfg = { .readonly = true };
    pager *p = NULL;
    char *msg = NULL;

    make_hot_journal();
    assert_int_equal(pager_open(copy_path, &cfg, &p, &msg), CHORUS_CANTOPEN);
    assert_non_null(strstr(msg, "hot journal"));
    free(msg);
    assert_int_equal(access(copy_journal, F_OK), 0);
}

static void
test_journal_with_a_zeroed_header_is_not_hot(void **state)
{
    pager_config cfg = { 0 };
    pager *p;
    FILE *f;
    uint8_t zeros[28] = { 0 };

    make_hot_journal();
    f = fopen(copy_journal, "r+b");
    fwrite(zeros, 1, sizeof zeros, f);
    fclose(f);
    assert_int_equal(pager_open(copy_path, &cfg, &p, NULL), CHORUS_OK);
    assert_int_equal(access(copy_journal, F_OK), 0);     /* left alone */
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_torn_journal_record_ends_the_playback(void **state)
{
    pager_config cfg = { 0 };
    pager *p;
    FILE *f;
    long size;

    make_hot_journal();
    f = fopen(copy_journal, "rb");
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(truncate(copy_journal, size - 100), 0);
    assert_int_equal(pager_open(copy_path, &cfg, &p, NULL), CHORUS_OK);
    assert_int_not_equal(access(copy_journal, F_OK), 0);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hot_journal_is_rolled_back_on_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hot_journal_refuses_a_read_only_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_with_a_zeroed_header_is_not_hot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_journal_record_ends_the_playback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
