/*
 * tests/c-api/capi_fixture.h: what the tests of chorus.h share: the cmocka
 * fixture of one in-memory database with one connection, and one-value
 * queries checked with cmocka asserts.
 *
 * Rules: a fixture is heap-allocated by capi_fixture_setup() and freed by
 * capi_fixture_teardown(), so each test starts on a fresh database; the
 * query helpers finalize every statement they prepare, also on failure.
 */
#ifndef CHORUS_TESTS_CAPI_FIXTURE_H
#define CHORUS_TESTS_CAPI_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "chorus.h"

typedef struct capi_fixture {
    chorus_db *db;
    chorus_conn *conn;
} capi_fixture;

/* cmocka setup: opens ":memory:", connects, runs schema_sql (NULL: none)
 * and stores the fixture in *state. Returns 0, or -1 when any step fails. */
int capi_fixture_setup(void **state, const char *schema_sql);
/* cmocka teardown: disconnects, closes the database, frees the fixture. */
int capi_fixture_teardown(void **state);

/* Runs sql and copies the text of the first column of its first row into
 * buf (size n; "NULL" for SQL NULL, "" without a row). Returns the code of
 * the prepare when it fails, else of the first step. */
int capi_query_text(chorus_conn *conn, const char *sql, char *buf, size_t n);
/* Asserts that sql gives a row whose first column reads as expected. */
void capi_assert_query(chorus_conn *conn, const char *sql, const char *expected);
/* Asserts that sql fails with rc and, unless errmsg is NULL, with exactly
 * that message on conn. */
void capi_assert_query_fails(chorus_conn *conn, const char *sql, int rc, const char *errmsg);
/* The first column of sql's first row as an integer; asserts that there is
 * a row and that the statement finalizes cleanly. */
int64_t capi_query_int(chorus_conn *conn, const char *sql);

#endif /* CHORUS_TESTS_CAPI_FIXTURE_H */
