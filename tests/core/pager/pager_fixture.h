/*
 * tests/core/pager/pager_fixture.h: what the pager tests share: the files
 * of a test (t.db, its WAL and journal, and a crash copy c.db with its WAL
 * and journal, all in a fresh temporary directory), opening a pager, a
 * valid page 1, and small page writers and readers.
 *
 * The page writers that return an rc (pages_grow, page_put, page_put32,
 * tx_end) never assert, so threads and forked children may use them; the
 * rest assert. Paths are static storage filled by pager_fixture_setup().
 * Header-only (static inline functions) because each test file is its own
 * program. Callers: tests/core/pager/test_*.c.
 */
#ifndef CHORUS_TEST_PAGER_FIXTURE_H
#define CHORUS_TEST_PAGER_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "pager.h"
#include "test_support.h"

static char db_path[600], wal_path[620], journal_path[620];
static char copy_path[600], copy_wal[620], copy_journal[620];

/* Group or test setup: a fresh temporary directory and the paths in it. */
static inline int
pager_fixture_setup(void **state)
{
    (void)state;
    assert_non_null(test_tmpdir());
    test_path(db_path, sizeof db_path, "t.db");
    test_path(copy_path, sizeof copy_path, "c.db");
    snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
    snprintf(journal_path, sizeof journal_path, "%s-journal", db_path);
    snprintf(copy_wal, sizeof copy_wal, "%s-wal", copy_path);
    snprintf(copy_journal, sizeof copy_journal, "%s-journal", copy_path);
    return 0;
}

static inline int
pager_fixture_teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

/* A test case run inside the fixture. */
#define PAGER_TEST(f) \
    cmocka_unit_test_setup_teardown(f, pager_fixture_setup, pager_fixture_teardown)

/* Opens (creating) the database at path, which must give expect_rc; the
 * pager (NULL on failure) is the caller's to close. page_size 0: default. */
static inline pager *
open_pager(const char *path, uint32_t page_size, int expect_rc)
{
    pager_config cfg = { .create = true, .page_size = page_size };
    pager *p = NULL;
    char *msg = NULL;
    int rc = pager_open(path, &cfg, &p, &msg);
    if (rc != expect_rc)
        fail_msg("pager_open(%s): %d, want %d (%s)", path, rc, expect_rc, msg ? msg : "");
    free(msg);
    return p;
}

/* Page 1 of an empty database with page size ps: the 100-byte header,
 * then an empty table leaf. */
static inline void
format_page1(uint8_t *d, uint32_t ps)
{
    memset(d, 0, 100);
    memcpy(d, "SQLite format 3", 16);
    d[16] = (uint8_t)((ps == 65536 ? 1 : ps) >> 8);
    d[17] = (uint8_t)(ps == 65536 ? 1 : ps);
    d[18] = d[19] = 1;
    d[21] = 64;
    d[22] = d[23] = 32;
    d[27] = 1;                      /* change counter */
    d[47] = 4;                      /* schema format */
    d[59] = 1;                      /* UTF-8 */
    d[95] = 1;                      /* version-valid-for */
    d[100] = 0x0d;                  /* table leaf, no cells */
    d[105] = (uint8_t)(ps >> 8);    /* cell content at the page end (0: 65536) */
    d[106] = (uint8_t)ps;
}

static inline uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends pages until tx has n. Page 1, when appended, becomes an empty
 * database's page 1 for page size page1_ps, or stays zeroed for 0: the
 * pager keeps a formatted page 1's page count current at commit, which
 * adds page 1 frames that tests counting frames do not expect. */
static inline int
pages_grow(pager_tx *tx, uint32_t n, uint32_t page1_ps)
{
    int rc = CHORUS_OK;
    while (rc == CHORUS_OK && pager_tx_page_count(tx) < n) {
        pager_page *pg;
        rc = pager_page_append(tx, &pg);
        if (rc == CHORUS_OK && pg->pgno == 1 && page1_ps != 0)
            format_page1(pg->data, page1_ps);
        pager_page_release(pg);
    }
    return rc;
}

/* Writes n bytes at offset off of page pgno. */
static inline int
page_put(pager_tx *tx, uint32_t pgno, size_t off, const void *bytes, size_t n)
{
    pager_page *pg;
    int rc = pager_page_get(tx, pgno, &pg);
    if (rc == CHORUS_OK && (rc = pager_page_write(pg)) == CHORUS_OK)
        memcpy(pg->data + off, bytes, n);
    pager_page_release(pg);
    return rc;
}

/* Writes v big-endian at offset off of page pgno. */
static inline int
page_put32(pager_tx *tx, uint32_t pgno, size_t off, uint32_t v)
{
    uint8_t bytes[4];
    put32(bytes, v);
    return page_put(tx, pgno, off, bytes, sizeof bytes);
}

/* Commits tx when rc is CHORUS_OK, else rolls it back; returns the rc. */
static inline int
tx_end(pager_tx *tx, int rc)
{
    if (rc != CHORUS_OK) {
        pager_tx_rollback(tx);
        return rc;
    }
    return pager_tx_commit(tx);
}

/* Commit c of the concurrency tests: writes c to pages 2..9, creating pages
 * 1..9 on first use (page 1 stays zeroed), waiting up to 5 s for the writer
 * lock. */
static inline int
commit_pages_2_to_9(pager *p, uint32_t c)
{
    pager_tx *tx;
    int rc = pager_tx_begin_write(p, 5000, NULL, &tx);

    if (rc != CHORUS_OK)
        return rc;
    rc = pages_grow(tx, 9, 0);
    for (uint32_t pgno = 2; rc == CHORUS_OK && pgno <= 9; pgno++)
        rc = page_put32(tx, pgno, 0, c);
    return tx_end(tx, rc);
}

/* Copies n bytes at offset off of page pgno into out. */
static inline void
page_read(pager_tx *tx, uint32_t pgno, size_t off, void *out, size_t n)
{
    pager_page *pg;
    assert_int_equal(pager_page_get(tx, pgno, &pg), CHORUS_OK);
    memcpy(out, pg->data + off, n);
    pager_page_release(pg);
}

/* Byte 0 of page pgno. */
static inline int
page_byte(pager_tx *tx, uint32_t pgno)
{
    uint8_t byte;
    page_read(tx, pgno, 0, &byte, 1);
    return byte;
}

/* The big-endian value at offset off of page pgno. */
static inline uint32_t
page_get32(pager_tx *tx, uint32_t pgno, size_t off)
{
    uint8_t bytes[4];
    page_read(tx, pgno, off, bytes, sizeof bytes);
    return get32(bytes);
}

static inline void
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

/* Writes n bytes at offset off of the existing file at path. */
static inline void
patch_file(const char *path, long off, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

/* The size of the file at path, or -1 when there is none. */
static inline int64_t
file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* In a read transaction of p, the database has exactly the pages of the
 * file at path (page size ps), byte for byte. */
static inline void
assert_pages_match_file(pager *p, const char *path, uint32_t ps)
{
    FILE *f = fopen(path, "rb");
    uint8_t *want = malloc(ps);
    uint32_t n_pages = (uint32_t)(file_size(path) / ps);
    pager_tx *tx;

    assert_non_null(f);
    assert_non_null(want);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), n_pages);
    for (uint32_t pgno = 1; pgno <= n_pages; pgno++) {
        pager_page *pg;
        assert_int_equal(fread(want, 1, ps, f), ps);
        assert_int_equal(pager_page_get(tx, pgno, &pg), CHORUS_OK);
        assert_memory_equal(pg->data, want, ps);
        pager_page_release(pg);
    }
    pager_tx_rollback(tx);
    free(want);
    fclose(f);
}

/* Runs sql on the oracle connection db; fails the test on an error. */
static inline void
sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sqlite3: %s: %s", sql, err ? err : "");
}

#endif
