/*
 * tests/mvcc/mv_fixture.h: the fixture the version-store tests share: an
 * in-memory MVCC database with table 1 "t" and two transaction objects,
 * made by a cmocka setup and freed by its teardown, and a reader of the
 * 8-byte integer rows those tests write.
 * Callers: tests/mvcc/test_gc.c, tests/mvcc/test_store.c.
 */
#ifndef CHORUS_TEST_MV_FIXTURE_H
#define CHORUS_TEST_MV_FIXTURE_H

#include <stdint.h>

#include "mvcc.h"

typedef struct mv_fixture {
    mv_db *db;
    mv_table *t;
    mv_tx *a;               /* not begun */
    mv_tx *b;               /* not begun */
} mv_fixture;

/* cmocka setup and teardown: *state is the mv_fixture. */
int mv_fixture_setup(void **state);
int mv_fixture_teardown(void **state);

/* A test case run inside the fixture. */
#define MV_TEST(f) cmocka_unit_test_setup_teardown(f, mv_fixture_setup, mv_fixture_teardown)

/* The int64 row value of rowid as tx sees it; -1 deleted, -2 absent. Fails
 * the test on any other outcome or a row of another size. */
int64_t mv_fixture_get(mv_tx *tx, mv_table *t, int64_t rowid);

#endif
