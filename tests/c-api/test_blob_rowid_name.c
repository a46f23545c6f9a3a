/*
 * tests/c-api/test_blob_rowid_name.c: chorus_blob_open finds the row by its
 * rowid when a column takes the name rowid (core/vm/blob.c BL5), and reads
 * and writes that row. Expected values are sqlite3 3.40.1's (Python's
 * sqlite3 Blob).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static const char schema_sql[] =
    "CREATE TABLE sh(rowid TEXT, b BLOB); INSERT INTO sh VALUES ('5', x'0102');"
    "CREATE TABLE all3(rowid, _rowid_, oid, b); INSERT INTO all3 VALUES (7, 7, 7, x'09');"
    "CREATE TABLE ipk(rowid INTEGER PRIMARY KEY, b); INSERT INTO ipk VALUES (3, x'0304');";

static int
setup(void **state)
{
    return capi_fixture_setup(state, schema_sql);
}

static void
test_shadowed_rowid(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;
    chorus_blob *blob;
    unsigned char buf[2];

    /* the row's rowid is 1; the column named rowid holds '5' */
    assert_int_equal(chorus_blob_open(conn, "main", "sh", "b", 5, 0, &blob), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "no such rowid: 5");
    assert_int_equal(chorus_blob_open(conn, "main", "sh", "b", 1, 1, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_read(blob, buf, 2, 0), CHORUS_OK);
    assert_int_equal(buf[0], 1);
    assert_int_equal(buf[1], 2);
    assert_int_equal(chorus_blob_write(blob, "\x07", 1, 1), CHORUS_OK);
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
    capi_assert_query(conn, "SELECT hex(b) FROM sh", "0107");
}

static void
test_rowid_alias_named_rowid(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;
    chorus_blob *blob;

    assert_int_equal(chorus_blob_open(conn, "main", "ipk", "b", 3, 0, &blob), CHORUS_OK);
    assert_int_equal(chorus_blob_bytes(blob), 2);
    assert_int_equal(chorus_blob_close(blob), CHORUS_OK);
}

/* Every name of the rowid taken by a column: refused (sqlite3 opens it). */
static void
test_all_names_taken(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;
    chorus_blob *blob;

    assert_int_equal(chorus_blob_open(conn, "main", "all3", "b", 1, 0, &blob), CHORUS_ERROR);
    assert_null(blob);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_shadowed_rowid),
        T(test_rowid_alias_named_rowid),
        T(test_all_names_taken),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
