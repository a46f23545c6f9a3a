/*
 * tests/interop/test_interop.c: files move both ways between ChorusDB and
 * stock SQLite (libsqlite3 as the oracle).
 *
 * chorus -> sqlite3: tens of thousands of rows, text and blobs that overflow,
 * several indexes, deletes that free pages, a WITHOUT ROWID table (keyed by a
 * DESC primary key, with a secondary index and a UNIQUE constraint, rows
 * whose key changes); once after a clean close
 * (checkpointed) and once from a writer process that died with its commits
 * still in the WAL. sqlite3 must report integrity_check 'ok' and the same
 * content.
 * sqlite3 -> chorus: the same kinds of files made by sqlite3 with page sizes
 * 512, 4096 and 65536, in rollback-journal and WAL mode, read back
 * identically; chorus then writes to them and sqlite3 still agrees.
 *
 * Content is compared through a canonical dump: every row of a query
 * rendered with its type, on both engines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "chorus.h"
#include "common.h"
#include "test_support.h"

static const char *const dump_queries[] = {
    "SELECT id, k, t, b FROM big ORDER BY id",
    "SELECT k, id FROM big ORDER BY k, id",
    "SELECT id, name, note FROM small ORDER BY id",
    "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
    "SELECT k, id, t, b FROM wr ORDER BY k DESC, id",
    "SELECT t, id FROM wr ORDER BY t, id",
};

/* Appends one value in a form both engines produce identically. */
static void
dump_value(strbuf *sb, int type, int64_t i, double r, const unsigned char *bytes, int n)
{
    switch (type) {
    case CHORUS_INTEGER: strbuf_printf(sb, "i%lld", (long long)i); break;
    case CHORUS_FLOAT: strbuf_printf(sb, "r%.17g", r); break;
    case CHORUS_TEXT: strbuf_printf(sb, "t%d:", n); strbuf_append(sb, (const char *)bytes, n); break;
    case CHORUS_BLOB:
        strbuf_printf(sb, "b%d:", n);
        for (int j = 0; j < n; j++)
            strbuf_printf(sb, "%02x", bytes[j]);
        break;
    default: strbuf_puts(sb, "n"); break;
    }
    strbuf_putc(sb, '|');
}

static char *
chorus_dump(chorus_conn *conn, const char *sql)
{
    chorus_stmt *st = NULL;
    strbuf sb;
    strbuf_init(&sb);
    int rc = chorus_prepare(conn, sql, -1, &st, NULL);
    if (rc != CHORUS_OK) {
        print_error("chorus prepare %s: %s\n", sql, chorus_errmsg(conn));
        return NULL;
    }
    while ((rc = chorus_step(st)) == CHORUS_ROW) {
        for (int c = 0; c < chorus_column_count(st); c++) {
            int type = chorus_column_type(st, c);
            const unsigned char *bytes = type == CHORUS_BLOB ? chorus_column_blob(st, c)
                                                              : (const unsigned char *)chorus_column_text(st, c);
            dump_value(&sb, type, chorus_column_int64(st, c), chorus_column_double(st, c), bytes,
                       chorus_column_bytes(st, c));
        }
        strbuf_putc(&sb, '\n');
    }
    if (rc != CHORUS_DONE)
        print_error("chorus step %s: %s\n", sql, chorus_errmsg(conn));
    chorus_finalize(st);
    return rc == CHORUS_DONE ? strbuf_finish(&sb) : (strbuf_free(&sb), NULL);
}

static char *
sqlite_dump(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    strbuf sb;
    strbuf_init(&sb);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        print_error("sqlite prepare %s: %s\n", sql, sqlite3_errmsg(db));
        return NULL;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            int type = sqlite3_column_type(st, c);
            const unsigned char *bytes = type == SQLITE_BLOB ? sqlite3_column_blob(st, c)
                                                             : sqlite3_column_text(st, c);
            dump_value(&sb, type, sqlite3_column_int64(st, c), sqlite3_column_double(st, c), bytes,
                       sqlite3_column_bytes(st, c));
        }
        strbuf_putc(&sb, '\n');
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? strbuf_finish(&sb) : (strbuf_free(&sb), NULL);
}

static void
chorus_ok(chorus_conn *conn, const char *sql)
{
    int rc = chorus_exec(conn, sql);
    if (rc != CHORUS_OK)
        print_error("chorus exec %s: %s\n", sql, chorus_errmsg(conn));
    assert_int_equal(rc, CHORUS_OK);
}

static void
sqlite_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        print_error("sqlite exec %s: %s\n", sql, err);
    sqlite3_free(err);
    assert_int_equal(rc, SQLITE_OK);
}

static const char schema_sql[] =
    "CREATE TABLE big(id INTEGER PRIMARY KEY, k INTEGER, t TEXT, b BLOB);"
    "CREATE INDEX big_k ON big(k);"
    "CREATE INDEX big_t ON big(t, k DESC);"
    "CREATE TABLE small(id INTEGER PRIMARY KEY, name TEXT UNIQUE, note TEXT);"
    "CREATE TABLE wr(id INTEGER UNIQUE, k INTEGER, t TEXT, b BLOB, PRIMARY KEY(k DESC, id))"
    " WITHOUT ROWID;"
    "CREATE INDEX wr_t ON wr(t);";

/* The WITHOUT ROWID table's rows, from big once it is filled (both engines). */
static const char wr_fill_sql[] =
    "INSERT INTO wr SELECT id, k, t, b FROM big WHERE id % 2 = 0;"
    "UPDATE wr SET k = k + 1, t = t || '?' WHERE id % 10 = 0;"
    "DELETE FROM wr WHERE id % 6 = 0;";

/* Row i's values: a text up to ~6 KB and a blob up to ~9 KB so that some
 * rows spill to overflow pages at every page size. */
static void
row_text(int64_t i, char *buf, size_t cap)
{
    size_t len = (size_t)((i * 37) % 97 == 0 ? 6000 : 8 + (i * 13) % 90);
    if (len >= cap)
        len = cap - 1;
    for (size_t j = 0; j < len; j++)
        buf[j] = (char)('a' + (i + (int64_t)j * 7) % 26);
    buf[len] = '\0';
}

static int
row_blob(int64_t i, unsigned char *buf, size_t cap)
{
    int len = (i * 53) % 211 == 0 ? 9000 : (int)((i * 11) % 40);
    if ((size_t)len > cap)
        len = (int)cap;
    for (int j = 0; j < len; j++)
        buf[j] = (unsigned char)((i * 31 + j) & 0xff);
    return len;
}

enum { N_BIG = 20000 };

static void
chorus_fill(chorus_conn *conn)
{
    static char text[8192];
    static unsigned char blob[10000];
    chorus_ok(conn, schema_sql);
    chorus_stmt *ins = NULL;
    assert_int_equal(chorus_prepare(conn, "INSERT INTO big(id, k, t, b) VALUES (?, ?, ?, ?)", -1,
                                    &ins, NULL), CHORUS_OK);
    chorus_ok(conn, "BEGIN");
    for (int64_t i = 1; i <= N_BIG; i++) {
        row_text(i, text, sizeof text);
        int n = row_blob(i, blob, sizeof blob);
        chorus_bind_int64(ins, 1, i);
        chorus_bind_int64(ins, 2, (i * 7919) % 1000);
        chorus_bind_text(ins, 3, text, -1, CHORUS_TRANSIENT);
        if (i % 5 == 0)
            chorus_bind_null(ins, 4);
        else
            chorus_bind_blob(ins, 4, blob, n, CHORUS_TRANSIENT);
        assert_int_equal(chorus_step(ins), CHORUS_DONE);
        chorus_reset(ins);
    }
    chorus_ok(conn, "COMMIT");
    chorus_finalize(ins);
    chorus_ok(conn, "DELETE FROM big WHERE id % 3 = 0 OR id BETWEEN 5000 AND 9000");
    chorus_ok(conn, "INSERT INTO small(name, note) VALUES ('a', 'x'), ('b', NULL), ('c', 'é ünïcode')");
    chorus_ok(conn, "UPDATE big SET k = -k, t = t || '!' WHERE id % 7 = 1");
    chorus_ok(conn, wr_fill_sql);
}

static void
sqlite_fill(sqlite3 *db)
{
    static char text[8192];
    static unsigned char blob[10000];
    sqlite_ok(db, schema_sql);
    sqlite3_stmt *ins = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO big(id, k, t, b) VALUES (?, ?, ?, ?)", -1,
                                        &ins, NULL), SQLITE_OK);
    sqlite_ok(db, "BEGIN");
    for (int64_t i = 1; i <= N_BIG; i++) {
        row_text(i, text, sizeof text);
        int n = row_blob(i, blob, sizeof blob);
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_int64(ins, 2, (i * 7919) % 1000);
        sqlite3_bind_text(ins, 3, text, -1, SQLITE_TRANSIENT);
        if (i % 5 == 0)
            sqlite3_bind_null(ins, 4);
        else
            sqlite3_bind_blob(ins, 4, blob, n, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite_ok(db, "COMMIT");
    sqlite3_finalize(ins);
    sqlite_ok(db, "DELETE FROM big WHERE id % 3 = 0 OR id BETWEEN 5000 AND 9000");
    sqlite_ok(db, "INSERT INTO small(name, note) VALUES ('a', 'x'), ('b', NULL), ('c', 'é ünïcode')");
    sqlite_ok(db, "UPDATE big SET k = -k, t = t || '!' WHERE id % 7 = 1");
    sqlite_ok(db, wr_fill_sql);
}

/* Checks with sqlite3 that path is intact and holds what the reference
 * database ref_path holds (both opened read-only by sqlite3). */
static void
sqlite_check_same(const char *path, const char *ref_path)
{
    sqlite3 *db = NULL, *ref = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_open_v2(ref_path, &ref, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char *ic = sqlite_dump(db, "PRAGMA integrity_check");
    assert_non_null(ic);
    assert_string_equal(ic, "t2:ok|\n");
    free(ic);
    for (size_t q = 0; q < sizeof dump_queries / sizeof dump_queries[0]; q++) {
        char *got = sqlite_dump(db, dump_queries[q]);
        char *want = sqlite_dump(ref, dump_queries[q]);
        assert_non_null(got);
        assert_non_null(want);
        if (strcmp(got, want) != 0)
            print_error("query differs: %s\n", dump_queries[q]);
        assert_string_equal(got, want);
        free(got);
        free(want);
    }
    sqlite3_close(db);
    sqlite3_close(ref);
}

static char ref_path[600];

/* The reference database, made once by sqlite3 itself. */
static int
setup_reference(void **state)
{
    (void)state;
    if (test_tmpdir() == NULL)
        return -1;
    sqlite3 *db = NULL;
    test_path(ref_path, sizeof ref_path, "reference.db");
    if (sqlite3_open(ref_path, &db) != SQLITE_OK)
        return -1;
    sqlite_fill(db);
    sqlite3_close(db);
    return 0;
}

static int
teardown_reference(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

static void
test_chorus_file_after_clean_close_passes_sqlite_integrity_check(void **state)
{
    char path[600];
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    test_path(path, sizeof path, "clean.db");
    assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    chorus_fill(conn);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    sqlite_check_same(path, ref_path);
}

static void
test_chorus_wal_left_by_a_dead_writer_is_recovered_by_sqlite(void **state)
{
    char path[600];
    test_path(path, sizeof path, "dead-writer.db");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        chorus_db *db = NULL;
        chorus_conn *conn = NULL;
        if (chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &db) != CHORUS_OK ||
            chorus_connect(db, &conn) != CHORUS_OK)
            _exit(2);
        chorus_exec(conn, "PRAGMA wal_autocheckpoint = 0");
        chorus_fill(conn);
        _exit(0);           /* dies without closing: the commits stay in the WAL */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char wal[620];
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_equal(access(wal, F_OK), 0);
    sqlite_check_same(path, ref_path);
}

/* Makes a database with sqlite3 at the given page size and journal mode. */
static void
make_sqlite_db(const char *path, int page_size, const char *journal_mode)
{
    sqlite3 *db = NULL;
    char sql[128];
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof sql, "PRAGMA page_size = %d; PRAGMA journal_mode = %s;", page_size,
             journal_mode);
    sqlite_ok(db, sql);
    sqlite_fill(db);
    sqlite3_close(db);
}

static void
check_chorus_reads_sqlite_file(int page_size, const char *journal_mode)
{
    char path[600], name[64];
    snprintf(name, sizeof name, "sqlite-%d-%s.db", page_size, journal_mode);
    test_path(path, sizeof path, name);
    make_sqlite_db(path, page_size, journal_mode);

    sqlite3 *ref = NULL;
    assert_int_equal(sqlite3_open(ref_path, &ref), SQLITE_OK);
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    for (size_t q = 0; q < sizeof dump_queries / sizeof dump_queries[0]; q++) {
        char *got = chorus_dump(conn, dump_queries[q]);
        char *want = sqlite_dump(ref, dump_queries[q]);
        assert_non_null(got);
        assert_non_null(want);
        if (strcmp(got, want) != 0)
            print_error("page size %d %s: query differs: %s\n", page_size, journal_mode,
                        dump_queries[q]);
        assert_string_equal(got, want);
        free(got);
        free(want);
    }
    /* Writing to it keeps it a valid SQLite file with the same changes as sqlite3 makes. */
    const char *change = "DELETE FROM big WHERE id % 11 = 0; INSERT INTO small(name) VALUES ('zz');"
                         "DELETE FROM wr WHERE id % 11 = 0; INSERT INTO wr VALUES (1, 5, 'one', x'01');"
                         "UPDATE wr SET id = -id WHERE k = 5";
    chorus_ok(conn, change);
    sqlite_ok(ref, change);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    sqlite3_close(ref);
    sqlite_check_same(path, ref_path);
}

static void
test_chorus_reads_sqlite_rollback_file_with_512_byte_pages(void **state)
{
    check_chorus_reads_sqlite_file(512, "delete");
}

static void
test_chorus_reads_sqlite_wal_file_with_65536_byte_pages(void **state)
{
    check_chorus_reads_sqlite_file(65536, "wal");
}

static void
test_chorus_reads_sqlite_rollback_file_with_65536_byte_pages(void **state)
{
    check_chorus_reads_sqlite_file(65536, "delete");
}

static void
test_chorus_reads_sqlite_wal_file_with_4096_byte_pages(void **state)
{
    check_chorus_reads_sqlite_file(4096, "wal");
}

int
main(void)
{
    /* The sqlite -> chorus cases change the reference, so each sets up a
     * fresh one. */
    const struct CMUnitTest to_sqlite[] = {
        cmocka_unit_test(test_chorus_file_after_clean_close_passes_sqlite_integrity_check),
        cmocka_unit_test(test_chorus_wal_left_by_a_dead_writer_is_recovered_by_sqlite),
    };
    const struct CMUnitTest from_sqlite[] = {
        cmocka_unit_test_setup_teardown(test_chorus_reads_sqlite_rollback_file_with_512_byte_pages,
                                        setup_reference, teardown_reference),
        cmocka_unit_test_setup_teardown(test_chorus_reads_sqlite_wal_file_with_65536_byte_pages,
                                        setup_reference, teardown_reference),
        cmocka_unit_test_setup_teardown(test_chorus_reads_sqlite_rollback_file_with_65536_byte_pages,
                                        setup_reference, teardown_reference),
        cmocka_unit_test_setup_teardown(test_chorus_reads_sqlite_wal_file_with_4096_byte_pages,
                                        setup_reference, teardown_reference),
    };
    int failed = cmocka_run_group_tests_name("chorus to sqlite", to_sqlite, setup_reference,
                                             teardown_reference);
    failed += cmocka_run_group_tests_name("sqlite to chorus", from_sqlite, NULL, NULL);
    return failed;
}
