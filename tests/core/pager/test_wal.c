/*
 * tests/core/pager/test_wal.c: the WAL file: recovery after a crash,
 * corrupt and truncated logs, and interoperation with sqlite3 in both
 * directions (core/pager/wal.c, pager.c; README R2, R11, R12, R13, R15).
 *
 * A "crash" is a copy of the database and WAL files taken while the pager
 * still has them open, before close() checkpoints.
 */
#include <unistd.h>

#include "pager_fixture.h"

enum { PS = 1024, FRAME = 24 + PS };

/* Copies the database and its WAL as a crash would leave them. */
static void
crash_copy(void)
{
    copy_file(db_path, copy_path);
    copy_file(wal_path, copy_wal);
}

static void
write_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

/* Commit i of the standard history: sets byte 0 of page 2 to i; commit 1
 * also creates page 1 (with a header) and page 2. Frames: commit 1 writes
 * frames 1-2, commit i > 1 writes frame i + 1. */
static void
commit_value(pager *p, int i)
{
    pager_tx *tx;
    uint8_t byte = (uint8_t)i;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pages_grow(tx, 2, PS), CHORUS_OK);
    assert_int_equal(page_put(tx, 2, 0, &byte, 1), CHORUS_OK);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

/* Writes commits 1..n, takes a crash copy, closes the original. */
static void
history_then_crash(int n)
{
    pager *p = open_pager(db_path, PS, CHORUS_OK);
    pager_set_autocheckpoint(p, 0);
    for (int i = 1; i <= n; i++)
        commit_value(p, i);
    crash_copy();
    assert_int_equal(pager_close(p), CHORUS_OK);
}

/* The value of page 2 in the copy, or -1 when the copy has one page. */
static int
copy_value(void)
{
    pager *p = open_pager(copy_path, PS, CHORUS_OK);
    pager_tx *tx;
    int v = -1;

    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    if (pager_tx_page_count(tx) >= 2)
        v = page_byte(tx, 2);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
    return v;
}

static void
test_recovery_replays_every_commit_of_a_crashed_wal(void **state)
{
    history_then_crash(5);
    assert_int_equal(copy_value(), 5);
    assert_int_equal(copy_value(), 5);     /* and again after checkpoint + close */
}

static void
test_torn_last_frame_loses_only_the_last_commit(void **state)
{
    history_then_crash(5);
    assert_int_equal(truncate(copy_wal, 32 + 5 * FRAME + FRAME / 2), 0);
    assert_int_equal(copy_value(), 4);
}

static void
test_bad_checksum_ends_the_log(void **state)
{
    uint8_t junk = 0xee;

    history_then_crash(5);
    patch_file(copy_wal, 32 + 3 * FRAME + 24 + 500, &junk, 1);    /* page of frame 4 */
    assert_int_equal(copy_value(), 2);
}

static void
test_salt_mismatch_ends_the_log(void **state)
{
    uint8_t junk[4] = { 1, 2, 3, 4 };

    history_then_crash(5);
    patch_file(copy_wal, 32 + 4 * FRAME + 8, junk, 4);            /* salt-1 of frame 5 */
    assert_int_equal(copy_value(), 3);
}

static void
test_garbage_wal_header_is_ignored(void **state)
{
    uint8_t junk[32];

    memset(junk, 0x5a, sizeof junk);
    history_then_crash(3);
    patch_file(copy_wal, 0, junk, sizeof junk);
    assert_int_equal(copy_value(), -1);    /* the file alone: the empty page 1 (R12) */
}

static void
test_short_wal_file_is_ignored(void **state)
{
    history_then_crash(3);
    assert_int_equal(truncate(copy_wal, 20), 0);
    assert_int_equal(copy_value(), -1);
}

static void
test_recovered_wal_can_be_appended_to(void **state)
{
    pager *p;

    history_then_crash(3);
    assert_int_equal(truncate(copy_wal, 32 + 3 * FRAME + 10), 0);   /* tears commit 3 */
    p = open_pager(copy_path, PS, CHORUS_OK);
    pager_set_autocheckpoint(p, 0);
    commit_value(p, 9);
    copy_file(copy_path, db_path);          /* crash again, into t.db */
    copy_file(copy_wal, wal_path);
    assert_int_equal(pager_close(p), CHORUS_OK);
    assert_int_equal(rename(db_path, copy_path), 0);
    assert_int_equal(rename(wal_path, copy_wal), 0);
    assert_int_equal(copy_value(), 9);
}

static void
test_short_file_is_not_a_database(void **state)
{
    write_file(db_path, "hello", 5);
    open_pager(db_path, PS, CHORUS_NOTADB);
}

static void
test_bad_header_is_not_a_database(void **state)
{
    static const struct {
        int offset;
        uint8_t byte;
    } bad[] = {
        { 21, 65 },             /* payload fraction must be 64 */
        { 16, 0x03 },           /* page size 0x0300: not a power of two */
        { 19, 3 },              /* read version 3 */
    };
    uint8_t page[PS] = { 0 };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        format_page1(page, PS);
        page[bad[i].offset] = bad[i].byte;
        write_file(db_path, page, sizeof page);
        open_pager(db_path, PS, CHORUS_NOTADB);
    }
}

static void
test_write_version_above_two_opens_read_only(void **state)
{
    uint8_t page[PS] = { 0 };
    pager *p;
    pager_tx *tx;

    format_page1(page, PS);
    page[18] = 3;
    page[31] = 1;               /* one page */
    write_file(db_path, page, sizeof page);
    p = open_pager(db_path, PS, CHORUS_OK);
    assert_true(pager_is_readonly(p));
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_READONLY);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_second_open_is_busy_with_a_message(void **state)
{
    pager *p = open_pager(db_path, PS, CHORUS_OK);
    pager_config cfg = { 0 };
    pager *q = NULL;
    char *msg = NULL;

    assert_int_equal(pager_open(db_path, &cfg, &q, &msg), CHORUS_BUSY);
    assert_null(q);
    assert_non_null(strstr(msg, "database is locked by another process"));
    free(msg);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_read_only_opens_share_and_read_a_crashed_wal(void **state)
{
    pager_config ro = { .readonly = true, .page_size = PS };
    pager *a, *b, *w = NULL;
    pager_tx *tx;
    pager_page *pg;

    history_then_crash(4);
    assert_int_equal(pager_open(copy_path, &ro, &a, NULL), CHORUS_OK);
    assert_int_equal(pager_open(copy_path, &ro, &b, NULL), CHORUS_OK);
    assert_true(pager_is_readonly(a));
    assert_int_equal(pager_tx_begin_read(b, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 2, &pg), CHORUS_OK);
    assert_int_equal(pg->data[0], 4);
    pager_page_release(pg);
    pager_tx_rollback(tx);
    assert_int_equal(pager_tx_begin_write(a, 0, NULL, &tx), CHORUS_READONLY);
    open_pager(copy_path, PS, CHORUS_BUSY);            /* no writer while readers hold it */
    assert_int_equal(pager_close(a), CHORUS_OK);
    assert_int_equal(pager_close(b), CHORUS_OK);
    assert_int_equal(access(copy_wal, F_OK), 0); /* a reader never removes the WAL */
    w = open_pager(copy_path, PS, CHORUS_OK);
    assert_int_equal(pager_close(w), CHORUS_OK);
}

static void
test_read_only_open_of_a_missing_file_fails(void **state)
{
    pager_config ro = { .readonly = true };
    pager *p = NULL;
    char *msg = NULL;

    assert_int_equal(pager_open(copy_path, &ro, &p, &msg), CHORUS_CANTOPEN);
    assert_non_null(strstr(msg, "unable to open database file"));
    free(msg);
}

/* --- sqlite3 as the oracle ------------------------------------------------- */

static int64_t
sql_int(sqlite3 *db, const char *sql, int *rc_out)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            v = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc_out != NULL)
        *rc_out = rc;
    else if (rc != SQLITE_OK)
        fail_msg("sqlite3: %s: rc %d", sql, rc);
    return v;
}

static const char *
sql_text_ok(sqlite3 *db, const char *sql)
{
    static char out[256];
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* Sets user_version (header offset 60) through the pager. */
static void
set_user_version(pager *p, uint32_t v)
{
    pager_tx *tx;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(page_put32(tx, 1, 60, v), CHORUS_OK);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

static void
test_sqlite3_reads_a_wal_we_wrote(void **state)
{
    sqlite3 *db;
    pager *p;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_exec(db, "PRAGMA page_size=1024; CREATE TABLE t(a); INSERT INTO t VALUES (1), (2);");
    sqlite3_close(db);
    p = open_pager(db_path, PS, CHORUS_OK);
    set_user_version(p, 12345);
    crash_copy();
    assert_int_equal(sqlite3_open(copy_path, &db), SQLITE_OK);
    assert_int_equal(sql_int(db, "PRAGMA user_version", NULL), 12345);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t", NULL), 2);
    assert_string_equal(sql_text_ok(db, "PRAGMA integrity_check"), "ok");
    assert_string_equal(sql_text_ok(db, "PRAGMA journal_mode"), "wal");
    sqlite3_close(db);
    assert_int_equal(pager_close(p), CHORUS_OK);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sql_int(db, "PRAGMA user_version", NULL), 12345);
    assert_string_equal(sql_text_ok(db, "PRAGMA integrity_check"), "ok");
    sqlite3_close(db);
}

static void
test_sqlite3_cannot_read_while_we_hold_the_file(void **state)
{
    sqlite3 *db;
    pager *p;
    int rc;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_exec(db, "CREATE TABLE t(a)");
    sqlite3_close(db);
    p = open_pager(db_path, PS, CHORUS_OK);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_int(db, "SELECT count(*) FROM t", &rc);
    assert_int_equal(rc, SQLITE_BUSY);
    sqlite3_close(db);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_new_database_we_made_opens_in_sqlite3(void **state)
{
    pager *p = open_pager(db_path, PS, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;
    sqlite3 *db;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
    format_page1(pg->data, PS);
    pager_page_release(pg);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    set_user_version(p, 99);
    crash_copy();
    assert_int_equal(sqlite3_open(copy_path, &db), SQLITE_OK);
    assert_int_equal(sql_int(db, "PRAGMA user_version", NULL), 99);
    assert_string_equal(sql_text_ok(db, "PRAGMA integrity_check"), "ok");
    sql_exec(db, "CREATE TABLE x(a)");
    sqlite3_close(db);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_we_recover_a_wal_written_by_sqlite3(void **state)
{
    sqlite3 *db;
    pager *p;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_exec(db, "PRAGMA page_size=1024; PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0;"
                 "CREATE TABLE t(a, b); CREATE INDEX ta ON t(a);");
    sql_exec(db, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 300)"
                 " INSERT INTO t SELECT i, randomblob(100) FROM c;");
    sql_exec(db, "DELETE FROM t WHERE a % 3 = 0; PRAGMA user_version = 7;");
    crash_copy();
    sqlite3_close(db);          /* checkpoints: t.db is now the oracle */

    p = open_pager(copy_path, PS, CHORUS_OK);
    assert_pages_match_file(p, db_path, PS);
    assert_int_equal(pager_close(p), CHORUS_OK);
    assert_int_equal(sqlite3_open(copy_path, &db), SQLITE_OK);
    assert_string_equal(sql_text_ok(db, "PRAGMA integrity_check"), "ok");
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t", NULL), 200);
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_recovery_replays_every_commit_of_a_crashed_wal),
        PAGER_TEST(test_torn_last_frame_loses_only_the_last_commit),
        PAGER_TEST(test_bad_checksum_ends_the_log),
        PAGER_TEST(test_salt_mismatch_ends_the_log),
        PAGER_TEST(test_garbage_wal_header_is_ignored),
        PAGER_TEST(test_short_wal_file_is_ignored),
        PAGER_TEST(test_recovered_wal_can_be_appended_to),
        PAGER_TEST(test_short_file_is_not_a_database),
        PAGER_TEST(test_bad_header_is_not_a_database),
        PAGER_TEST(test_write_version_above_two_opens_read_only),
        PAGER_TEST(test_second_open_is_busy_with_a_message),
        PAGER_TEST(test_read_only_opens_share_and_read_a_crashed_wal),
        PAGER_TEST(test_read_only_open_of_a_missing_file_fails),
        PAGER_TEST(test_sqlite3_reads_a_wal_we_wrote),
        PAGER_TEST(test_sqlite3_cannot_read_while_we_hold_the_file),
        PAGER_TEST(test_new_database_we_made_opens_in_sqlite3),
        PAGER_TEST(test_we_recover_a_wal_written_by_sqlite3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
