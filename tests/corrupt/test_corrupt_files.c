/*
 * tests/corrupt/test_corrupt_files.c: damaged files give CHORUS_CORRUPT or
 * CHORUS_NOTADB, never a crash (run under ASan/UBSan in CI).
 *
 * Cases: not a database at all; every byte of the 100-byte header flipped;
 * random bytes overwritten inside b-tree pages (cell pointers, cell
 * contents, child pointers, overflow links); the database file truncated;
 * the WAL truncated at every frame boundary and in the middle of frames
 * (recovery keeps the committed prefix, the file stays consistent).
 *
 * "Survives" below means: every call returns, with a result code from the
 * allowed set, and the process is still alive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "chorus.h"
#include "test_support.h"

static int
allowed_code(int rc)
{
    int primary = rc & 0xff;
    return primary == CHORUS_OK || primary == CHORUS_ROW || primary == CHORUS_DONE ||
           primary == CHORUS_CORRUPT || primary == CHORUS_NOTADB || primary == CHORUS_ERROR ||
           primary == CHORUS_CANTOPEN || primary == CHORUS_IOERR || primary == CHORUS_READONLY;
}

/* A code outside the allowed set is printed before the assertion fails. */
static int
allowed(int rc)
{
    if (!allowed_code(rc))
        print_error("unexpected result code %d (%s)\n", rc, chorus_errstr(rc));
    return allowed_code(rc);
}

static void
write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static unsigned char *
read_file(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *n_out = (size_t)n;
    return buf;
}

/* Runs every statement of a read-heavy probe and returns the worst code. */
static int
probe_database(const char *path)
{
    static const char *const probes[] = {
        "PRAGMA synchronous = OFF",     /* the writes below test parsing, not durability */
        "SELECT count(*) FROM t",
        "SELECT * FROM t ORDER BY a",
        "SELECT * FROM t WHERE b > 'm' ORDER BY b",
        "SELECT sum(length(c)) FROM t",
        "PRAGMA integrity_check",
        "INSERT INTO t(b, c) VALUES ('new', zeroblob(3000))",
        "DELETE FROM t WHERE a % 5 = 0",
    };
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    int rc = chorus_open(path, CHORUS_OPEN_READWRITE, &db);
    assert_true(allowed(rc));
    if (rc != CHORUS_OK)
        return rc;
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    int worst = CHORUS_OK;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        chorus_stmt *st = NULL;
        rc = chorus_prepare(conn, probes[i], -1, &st, NULL);
        assert_true(allowed(rc));
        while (rc == CHORUS_OK && st != NULL && (rc = chorus_step(st)) == CHORUS_ROW) {
            for (int c = 0; c < chorus_column_count(st); c++)
                (void)chorus_column_text(st, c);
        }
        assert_true(allowed(rc));
        if (rc != CHORUS_DONE && rc != CHORUS_OK)
            worst = rc;
        chorus_finalize(st);
    }
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    return worst;
}

static char good_path[600];
static unsigned char *good;
static size_t good_len;

/* A healthy database with a table, an index and overflow rows, made by
 * sqlite3 in rollback mode (so the whole content is in the one file). */
static int
setup_good(void **state)
{
    (void)state;
    test_tmpdir();
    test_path(good_path, sizeof good_path, "good.db");
    sqlite3 *db = NULL;
    if (sqlite3_open(good_path, &db) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(db,
        "PRAGMA page_size = 1024;"
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB);"
        "CREATE INDEX t_b ON t(b);"
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 600)"
        " INSERT INTO t(b, c) SELECT printf('%05d-%s', i * 7 % 600, hex(randomblob(8))),"
        " CASE WHEN i % 50 = 0 THEN zeroblob(5000) ELSE randomblob(i % 60) END FROM s;",
        NULL, NULL, NULL);
    sqlite3_close(db);
    if (rc != SQLITE_OK)
        return -1;
    good = read_file(good_path, &good_len);
    return 0;
}

static int
teardown_good(void **state)
{
    (void)state;
    free(good);
    test_tmpdir_remove();
    return 0;
}

static void
test_text_file_is_not_a_database(void **state)
{
    char path[600];
    const char text[] = "this is a plain text file, certainly not a database file at all\n"
                        "with a second line so that it is longer than a header\n";
    test_path(path, sizeof path, "text.db");
    write_file(path, text, sizeof text - 1);
    int rc = probe_database(path);
    assert_int_equal(rc & 0xff, CHORUS_NOTADB);
}

static void
test_every_flipped_header_byte_is_survived(void **state)
{
    char path[600];
    test_path(path, sizeof path, "header.db");
    unsigned char *copy = malloc(good_len);
    for (int off = 0; off < 100; off++) {
        memcpy(copy, good, good_len);
        copy[off] ^= 0xA5;
        write_file(path, copy, good_len);
        probe_database(path);
        unlink(path);
    }
    free(copy);
}

static void
test_random_page_damage_is_survived(void **state)
{
    char path[600];
    test_path(path, sizeof path, "pages.db");
    unsigned char *copy = malloc(good_len);
    unsigned seed = 12345;
    size_t n_pages = good_len / 1024;
    for (int round = 0; round < 300; round++) {
        memcpy(copy, good, good_len);
        size_t page = 1 + rand_r(&seed) % (n_pages - 1);
        int n_hits = 1 + rand_r(&seed) % 4;
        for (int h = 0; h < n_hits; h++) {
            /* Aim at the page header and cell pointer array half the time. */
            size_t off = rand_r(&seed) % 2 ? rand_r(&seed) % 40 : rand_r(&seed) % 1024;
            copy[page * 1024 + off] = (unsigned char)rand_r(&seed);
        }
        write_file(path, copy, good_len);
        probe_database(path);
        unlink(path);
    }
    free(copy);
}

static void
test_truncated_database_file_is_survived(void **state)
{
    char path[600];
    test_path(path, sizeof path, "short.db");
    size_t cuts[] = {50, 100, 1024, 1500, 4096, good_len / 2, good_len - 1024, good_len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, good, cuts[i]);
        probe_database(path);
        unlink(path);
    }
}

/* A WAL cut at any length recovers to a committed prefix: the table then
 * holds rows 1..k for some k, with nothing half-applied. */
static void
test_truncated_wal_recovers_a_committed_prefix(void **state)
{
    char path[600], wal[620];
    test_path(path, sizeof path, "wal.db");
    snprintf(wal, sizeof wal, "%s-wal", path);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        chorus_db *db = NULL;
        chorus_conn *conn = NULL;
        if (chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &db) != CHORUS_OK ||
            chorus_connect(db, &conn) != CHORUS_OK)
            _exit(2);
        if (chorus_exec(conn, "PRAGMA wal_autocheckpoint = 0;"
                              "CREATE TABLE w(n INTEGER PRIMARY KEY, pad BLOB)") != CHORUS_OK)
            _exit(3);
        for (int n = 1; n <= 60; n++) {
            char sql[128];
            snprintf(sql, sizeof sql, "INSERT INTO w VALUES (%d, zeroblob(%d))", n, n * 97);
            if (chorus_exec(conn, sql) != CHORUS_OK)
                _exit(4);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    size_t db_len = 0, wal_len = 0;
    unsigned char *db_bytes = read_file(path, &db_len);
    unsigned char *wal_bytes = read_file(wal, &wal_len);
    assert_true(wal_len > 32);
    for (size_t cut = 0; cut <= wal_len; cut += 1 + wal_len / 97) {
        write_file(path, db_bytes, db_len);
        write_file(wal, wal_bytes, cut);
        chorus_db *db = NULL;
        chorus_conn *conn = NULL;
        int rc = chorus_open(path, CHORUS_OPEN_READWRITE, &db);
        assert_true(allowed(rc));
        if (rc != CHORUS_OK)
            continue;
        assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
        chorus_stmt *st = NULL;
        rc = chorus_prepare(conn, "SELECT count(*), coalesce(max(n), 0) FROM w", -1, &st, NULL);
        if (rc == CHORUS_OK) {
            assert_int_equal(chorus_step(st), CHORUS_ROW);
            assert_int_equal(chorus_column_int64(st, 0), chorus_column_int64(st, 1));
            chorus_finalize(st);
        } else {
            /* Cut before the CREATE TABLE commit: the table does not exist yet. */
            assert_int_equal(rc, CHORUS_ERROR);
        }
        chorus_disconnect(conn);
        assert_int_equal(chorus_close(db), CHORUS_OK);
    }
    free(db_bytes);
    free(wal_bytes);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_file_is_not_a_database),
        cmocka_unit_test(test_every_flipped_header_byte_is_survived),
        cmocka_unit_test(test_random_page_damage_is_survived),
        cmocka_unit_test(test_truncated_database_file_is_survived),
        cmocka_unit_test(test_truncated_wal_recovers_a_committed_prefix),
    };
    return cmocka_run_group_tests(tests, setup_good, teardown_good);
}
