/*
 * tests/core/pager/test_journal.c: hot rollback journals left by sqlite3
 * are rolled back on open (core/pager/journal.c; README R16).
 *
 * sqlite3 makes the hot journal: a transaction larger than its cache
 * spills changed pages into the database file after journaling them; a
 * copy of the database and journal taken then is what a crash leaves.
 */
#include <unistd.h>

#include "pager_fixture.h"

enum { PS = 1024 };

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

    make_hot_journal();
    assert_true(files_differ(db_path, copy_path));   /* the spill reached the file */
    assert_int_equal(pager_open(copy_path, &cfg, &p, NULL), CHORUS_OK);
    assert_int_not_equal(access(copy_journal, F_OK), 0);
    assert_pages_match_file(p, db_path, PS);
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
    uint8_t zeros[28] = { 0 };

    make_hot_journal();
    patch_file(copy_journal, 0, zeros, sizeof zeros);
    assert_int_equal(pager_open(copy_path, &cfg, &p, NULL), CHORUS_OK);
    assert_int_equal(access(copy_journal, F_OK), 0);     /* left alone */
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_torn_journal_record_ends_the_playback(void **state)
{
    pager_config cfg = { 0 };
    pager *p;

    make_hot_journal();
    assert_int_equal(truncate(copy_journal, file_size(copy_journal) - 100), 0);
    assert_int_equal(pager_open(copy_path, &cfg, &p, NULL), CHORUS_OK);
    assert_int_not_equal(access(copy_journal, F_OK), 0);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_hot_journal_is_rolled_back_on_open),
        PAGER_TEST(test_hot_journal_refuses_a_read_only_open),
        PAGER_TEST(test_journal_with_a_zeroed_header_is_not_hot),
        PAGER_TEST(test_torn_journal_record_ends_the_playback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
