/*
 * tests/core/pager/test_wal.c: the WAL file: recovery after a crash,
 * corrupt and truncated logs, and interoperation with sqlite3 in both
 * directions (core/pager/wal.c, pager.c; README R2, R11, R12, R13, R15).
 *
 * A "crash" is a copy of the database and WAL files taken while the pager
 * still has them open, before close() checkpoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "pager.h"
#include "test_support.h"

enum { PS = 1024, FRAME = 24 + PS };

static char db_path[600], wal_path[620], copy_path[600], copy_wal[620];

static int
setup(void **state)
{
    assert_non_null(test_tmpdir());
    test_path(db_path, sizeof db_path, "t.db");
    test_path(copy_path, sizeof copy_path, "c.db");
    snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
    snprintf(copy_wal, sizeof copy_wal, "%s-wal", copy_path);
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

/* Copies the database and its WAL as a crash would leave them. */
static void
crash_copy(void)
{
    copy_file(db_path, copy_path);
    copy_file(wal_path, copy_wal);
}

static void
patch_file(const char *path, long off, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static pager *
open_at(const char *path, int expect_rc)
{
    pager_config cfg = { .create = true, .page_size = PS };
    pager *p = NULL;
    char *msg = NULL;
    int rc = pager_open(path, &cfg, &p, &msg);
    if (rc != expect_rc)
        fail_msg("pager_open(%s): %d, want %d (%s)", path, rc, expect_rc, msg ? msg : "");
    free(msg);
    return p;
}

static void
format_header(uint8_t *d)
{
    memset(d, 0, 100);
    memcpy(d, "SQLite format 3", 16);
    d[16] = PS >> 8;
    d[18] = d[19] = 1;
    d[21] = 64;
    d[22] = d[23] = 32;
    d[27] = 1;
    d[47] = 4;
    d[59] = 1;
    d[95] = 1;
    d[100] = 0x0d;              /* empty table leaf */
    d[105] = PS >> 8;
}

/* Commit i of the standard history: sets byte 0 of page 2 to i; commit 1
 * also creates page 1 (with a header) and page 2. Frames: commit 1 writes
 * frames 1-2, commit i > 1 writes frame i + 1. */
static void
commit_value(pager *p, int i)
{
    pager_tx *tx;
    pager_page *pg;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    if (pager_tx_page_count(tx) == 0) {
        assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
        format_header(pg->data);
        pager_page_release(pg);
        assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
        pager_page_release(pg);
    }
    assert_int_equal(pager_page_get(tx, 2, &pg), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[0] = (uint8_t)i;
    pager_page_release(pg);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

/* Writes commits 1..n, takes a crash copy, closes the original. */
static void
history_then_crash(int n)
{
    pager *p = open_at(db_path, CHORUS_OK);
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
    pager *p = open_at(copy_path, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;
    int v = -1;

    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    if (pager_tx_page_count(tx) >= 2) {
        assert_int_equal(pager_page_get(tx, 2, &pg), CHORUS_OK);
        v = pg->data[0];
        pager_page_release(pg);
    }
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
    p = open_at(copy_path, CHORUS_OK);
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
    FILE *f = fopen(db_path, "wb");
    fputs("hello", f);
    fclose(f);
    open_at(db_path, CHORUS_NOTADB);
}

static void
test_bad_header_is_not_a_database(void **state)
{
    uint8_t page[PS];
    FILE *f;

    format_header(page);
    page[21] = 65;              /* payload fraction must be 64 */
    f = fopen(db_path, "wb");
    fwrite(page, 1, sizeof page, f);
    fclose(f);
    open_at(db_path, CHORUS_NOTADB);
    format_header(page);
    page[16] = 0x03;            /* page size 0x0300: not a power of two */
    f = fopen(db_path, "wb");
    fwrite(page, 1, sizeof page, f);
    fclose(f);
    open_at(db_path, CHORUS_NOTADB);
    format_header(page);
    page[19] = 3;               /* read version 3 */
    f = fopen(db_path, "wb");
    fwrite(page, 1, sizeof page, f);
    fclose(f);
    open_at(db_path, CHORUS_NOTADB);
}

static void
test_write_version_above_two_opens_read_only(void **state)
{
    uint8_t page[PS];
    FILE *f;
    pager *p;
    pager_tx *tx;

    format_header(page);
    page[18] = 3;
    page[31] = 1;               /* one page */
    f = fopen(db_path, "wb");
    fwrite(page, 1, sizeof page, f);
    fclose(f);
    p = open_at(db_path, CHORUS_OK);
    assert_true(pager_is_readonly(p));
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_READONLY);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_second_open_is_busy_with_a_message(void **state)
{
    pager *p = open_at(db_path, CHORUS_OK);
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
    open_at(copy_path, CHORUS_BUSY);            /* no writer while readers hold it */
    assert_int_equal(pager_close(a), CHORUS_OK);
    assert_int_equal(pager_close(b), CHORUS_OK);
    assert_int_equal(access(copy_wal, F_OK), 0); /* a reader never removes the WAL */
    w = open_at(copy_path, CHORUS_OK);
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

static void
sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sqlite3: %s: %s", sql, err ? err : "");
}

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
    pager_page *pg;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 1, &pg), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[60] = (uint8_t)(v >> 24);
    pg->data[61] = (uint8_t)(v >> 16);
    pg->data[62] = (uint8_t)(v >> 8);
    pg->data[63] = (uint8_t)v;
    pager_page_release(pg);
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
    p = open_at(db_path, CHORUS_OK);
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
    p = open_at(db_path, CHORUS_OK);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_int(db, "SELECT count(*) FROM t", &rc);
    assert_int_equal(rc, SQLITE_BUSY);
    sqlite3_close(db);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_new_database_we_made_opens_in_sqlite3(void **state)
{
    pager *p = open_at(db_path, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;
    sqlite3 *db;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
    format_header(pg->data);
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
    pager_tx *tx;
    FILE *f;
    uint8_t want[PS];
    long n_pages;

    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sql_exec(db, "PRAGMA page_size=1024; PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0;"
                 "CREATE TABLE t(a, b); CREATE INDEX ta ON t(a);");
    sql_exec(db, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 300)"
                 " INSERT INTO t SELECT i, randomblob(100) FROM c;");
    sql_exec(db, "DELETE FROM t WHERE a % 3 = 0; PRAGMA user_version = 7;");
    crash_copy();
    sqlite3_close(db);          /* checkpoints: t.db is now the oracle */

    p = open_at(copy_path, CHORUS_OK);
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
    assert_int_equal(sqlite3_open(copy_path, &db), SQLITE_OK);
    assert_string_equal(sql_text_ok(db, "PRAGMA integrity_check"), "ok");
    assert_int_equal(sql_int(db, "SELECT count(*) FROM t", NULL), 200);
    sqlite3_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_recovery_replays_every_commit_of_a_crashed_wal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_last_frame_loses_only_the_last_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_checksum_ends_the_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_salt_mismatch_ends_the_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_wal_header_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_wal_file_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovered_wal_can_be_appended_to, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_file_is_not_a_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_header_is_not_a_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_version_above_two_opens_read_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_open_is_busy_with_a_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_opens_share_and_read_a_crashed_wal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_open_of_a_missing_file_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite3_reads_a_wal_we_wrote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite3_cannot_read_while_we_hold_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_database_we_made_opens_in_sqlite3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_we_recover_a_wal_written_by_sqlite3, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
