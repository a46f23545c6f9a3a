/*
 * tests/mvcc/test_cursor_suspend.c: a suspended cursor (mv_cursor_suspend)
 * holds back no reclamation, as a cursor kept open between statements must
 * not: versions GC prunes are freed only after every open cursor's epoch
 * section ends, and a suspended cursor has none; resumed, it reads again.
 * Fixture (mv_fixture.h): f->a writes, f->b holds the cursor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mv_fixture.h"

enum { ROWS = 50, ROUNDS = 20 };

static void
write_round(mv_fixture *f, int64_t value)
{
    mv_tx_begin(f->a);
    for (int64_t i = 0; i < ROWS; i++) {
        mv_outcome o = value == 0 ? mv_table_insert(f->a, f->t, i, &value, sizeof value)
                                  : mv_table_update(f->a, f->t, i, &value, sizeof value);
        assert_int_equal(o, MV_OK);
    }
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
}

/* Versions allocated but no longer in any chain: pruned, not yet freed. */
static int64_t
unfreed(mv_fixture *f)
{
    mv_stats st;

    for (int i = 0; i < 8; i++)         /* each pass may end one grace period */
        mv_gc_run(f->a);
    mv_db_stats(f->db, &st);
    return st.n_versions - st.n_versions_live;
}

static void
test_suspended_cursor_lets_pruned_versions_go(void **state)
{
    mv_fixture *f = *state;
    mv_cursor *cur;

    for (int64_t v = 0; v < ROUNDS; v++)
        write_round(f, v);
    mv_tx_begin(f->b);                  /* sees the newest versions only */
    assert_int_equal(mv_cursor_open_table(f->b, f->t, &cur), CHORUS_OK);
    assert_true(unfreed(f) > 0);        /* the cursor's epoch section holds them */
    mv_cursor_suspend(cur);
    assert_int_equal(unfreed(f), 0);
    mv_cursor_suspend(cur);             /* twice is harmless */
    mv_cursor_resume(cur);
    assert_true(mv_cursor_seek_rowid(cur, 7));
    assert_int_equal(mv_cursor_rowid(cur), 7);
    assert_int_equal(mv_fixture_get(f->b, f->t, 7), ROUNDS - 1);
    mv_cursor_resume(cur);              /* twice is harmless */
    mv_cursor_close(cur);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_OK);
}

static void
test_suspended_cursor_closes_cleanly(void **state)
{
    mv_fixture *f = *state;
    mv_cursor *cur;

    write_round(f, 0);
    mv_tx_begin(f->b);
    assert_int_equal(mv_cursor_open_table(f->b, f->t, &cur), CHORUS_OK);
    mv_cursor_suspend(cur);
    mv_cursor_close(cur);               /* no second leave of the section */
    write_round(f, 1);
    assert_int_equal(unfreed(f), 0);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        MV_TEST(test_suspended_cursor_lets_pruned_versions_go),
        MV_TEST(test_suspended_cursor_closes_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
