/*
 * tests/isolation/mvcc_fixture.h: the cmocka fixture of the single-thread
 * MVCC tests (test_mvcc_ddl.c, test_mvcc_exclusive.c,
 * test_mvcc_without_rowid.c): one database file in journal_mode=mvcc
 * (opened by mw_open_mvcc()) with two connections, a and b, of the same
 * thread, and a helper that reads a query's rows as one string.
 *
 * Rules: the fixture lives in the caller's static storage; teardown
 * disconnects both connections, closes the database and removes the
 * test's temporary directory, so a test that closes and reopens them must
 * leave all three open again.
 */
#ifndef CHORUS_TESTS_MVCC_FIXTURE_H
#define CHORUS_TESTS_MVCC_FIXTURE_H

#include "chorus.h"

typedef struct mvcc_pair {
    chorus_db *db;
    chorus_conn *a, *b;
    char path[512];             /* the database file */
} mvcc_pair;

/* cmocka setup: opens <tmpdir>/name through mw_open_mvcc(name, schema_sql),
 * connects a and b with busy timeout busy_ms and stores p in *state.
 * Returns 0, or -1 when any step fails or the engine refuses mvcc. */
int mvcc_pair_setup(void **state, mvcc_pair *p, const char *name, const char *schema_sql,
                    int busy_ms);
/* cmocka teardown of mvcc_pair_setup(). */
int mvcc_pair_teardown(void **state);

/* Runs sql on conn; fails the test with sql, the code and the message
 * unless it succeeds. */
void mvcc_exec_ok(chorus_conn *conn, const char *sql);
/* The rows sql returns on conn, columns joined by '|', rows by ','
 * (static storage, valid until the next call); fails the test on an error. */
const char *mvcc_rows_of(chorus_conn *conn, const char *sql);

#endif /* CHORUS_TESTS_MVCC_FIXTURE_H */
