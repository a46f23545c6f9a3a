/*
 * tests/c-api/capi_fixture.c: the shared fixture and query asserts of the
 * chorus.h tests (capi_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "capi_fixture.h"

int
capi_fixture_setup(void **state, const char *schema_sql)
{
    capi_fixture *f = calloc(1, sizeof *f);

    if (f == NULL)
        return -1;
    *state = f;
    if (chorus_open(":memory:", 0, &f->db) != CHORUS_OK ||
        chorus_connect(f->db, &f->conn) != CHORUS_OK ||
        (schema_sql != NULL && chorus_exec(f->conn, schema_sql) != CHORUS_OK)) {
        capi_fixture_teardown(state);   /* cmocka runs no teardown after a failed setup */
        return -1;
    }
    return 0;
}

int
capi_fixture_teardown(void **state)
{
    capi_fixture *f = *state;

    chorus_disconnect(f->conn);
    chorus_close(f->db);
    free(f);
    return 0;
}

int
capi_query_text(chorus_conn *conn, const char *sql, char *buf, size_t n)
{
    chorus_stmt *stmt;
    int rc = chorus_prepare(conn, sql, -1, &stmt, NULL);

    buf[0] = 0;
    if (rc != CHORUS_OK)
        return rc;
    rc = chorus_step(stmt);
    if (rc == CHORUS_ROW) {
        const char *text = chorus_column_text(stmt, 0);
        snprintf(buf, n, "%s", text != NULL ? text : "NULL");
    }
    chorus_finalize(stmt);
    return rc;
}

void
capi_assert_query(chorus_conn *conn, const char *sql, const char *expected)
{
    char buf[256];

    assert_int_equal(capi_query_text(conn, sql, buf, sizeof buf), CHORUS_ROW);
    assert_string_equal(buf, expected);
}

void
capi_assert_query_fails(chorus_conn *conn, const char *sql, int rc, const char *errmsg)
{
    char buf[256];

    assert_int_equal(capi_query_text(conn, sql, buf, sizeof buf), rc);
    if (errmsg != NULL)
        assert_string_equal(chorus_errmsg(conn), errmsg);
}

int64_t
capi_query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int64_t v;

    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    v = chorus_column_int64(stmt, 0);
    assert_int_equal(chorus_finalize(stmt), CHORUS_OK);
    return v;
}
