/*
 * tests/core/btree/test_append.c: table inserts through a cursor that
 * already sits before the new rowid (insert.c table_append_position): runs
 * of ascending rowids, gaps filled later, descending runs, a second cursor
 * writing in between and replacements must leave exactly the rows written,
 * in order, and a tree the integrity check accepts.
 */
#include "btree_fixture.h"

enum { N_ROWIDS = 6000 };

static void
put(btree_cursor *cur, int64_t rowid, bool *present, int64_t *n_present)
{
    char rec[64];
    int len = snprintf(rec + 2, sizeof rec - 2, "row %lld", (long long)rowid);

    rec[0] = 2;                                 /* header: size 2, one TEXT column */
    rec[1] = (char)(13 + 2 * len);
    assert_int_equal(btree_insert(cur, rowid, (const uint8_t *)rec, (uint32_t)len + 2), CHORUS_OK);
    if (!present[rowid])
        (*n_present)++;
    present[rowid] = true;
}

static void
test_append_positions_keep_the_tree_ordered(void **state)
{
    static bool present[N_ROWIDS + 1];
    int64_t n_present = 0, n_seen = 0, prev = 0;
    btree_cursor *a, *b, *scan;
    uint32_t root;
    fixture f;
    bool eof;

    (void)state;
    fixture_open(&f, 1024);                     /* small pages: many leaves and levels */
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &a), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &b), CHORUS_OK);
    for (int64_t r = 2; r <= N_ROWIDS; r += 3)          /* ascending, with gaps */
        put(a, r, present, &n_present);
    for (int64_t r = 1; r <= N_ROWIDS; r += 3) {        /* each gap, just before a row */
        put(a, r, present, &n_present);
        if (r % 300 == 1)
            put(b, N_ROWIDS - r, present, &n_present);  /* another cursor moves the tree */
    }
    for (int64_t r = N_ROWIDS; r >= 3; r -= 3)          /* descending: never the fast path */
        put(a, r, present, &n_present);
    for (int64_t r = 2; r <= N_ROWIDS; r += 3)          /* replacements, ascending */
        put(b, r, present, &n_present);
    btree_cursor_close(a);
    btree_cursor_close(b);

    assert_int_equal(btree_cursor_open(f.tx, root, NULL, false, &scan), CHORUS_OK);
    for (int rc = btree_first(scan, &eof); !eof; rc = btree_next(scan, &eof)) {
        int64_t rowid;
        assert_int_equal(rc, CHORUS_OK);
        assert_int_equal(btree_rowid(scan, &rowid), CHORUS_OK);
        assert_true(rowid > prev);
        assert_true(present[rowid]);
        prev = rowid;
        n_seen++;
    }
    btree_cursor_close(scan);
    assert_int_equal(n_seen, n_present);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_positions_keep_the_tree_ordered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
