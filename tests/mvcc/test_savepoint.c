/*
 * tests/mvcc/test_savepoint.c: savepoints inside a transaction (mvcc R18):
 * rolling back to a mark undoes exactly the later writes, for the
 * transaction itself and for everyone else, and leaves it open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mvcc.h"

typedef struct fix {
    mv_db *db;
    mv_table *t;
    mv_index *ix;
    mv_tx *a, *b;
} fix;

static void
fix_open(fix *f)
{
    assert_int_equal(mv_db_open(0, &f->db), CHORUS_OK);
    assert_int_equal(mv_table_open(f->db, 1, "t", &f->t), CHORUS_OK);
    assert_int_equal(mv_index_open(f->db, 2, "t_u", NULL, NULL, &f->ix), CHORUS_OK);
    assert_int_equal(mv_tx_new(f->db, &f->a), CHORUS_OK);
    assert_int_equal(mv_tx_new(f->db, &f->b), CHORUS_OK);
    /* Committed base: rows 1 and 2 = "base". */
    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_table_insert(f->a, f->t, 1, "base", 4), MV_OK);
    assert_int_equal(mv_table_insert(f->a, f->t, 2, "base", 4), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
}

static void
fix_close(fix *f)
{
    mv_tx_free(f->a);
    mv_tx_free(f->b);
    mv_db_close(f->db);
}

static void
expect(mv_tx *tx, mv_table *t, int64_t rowid, const char *want)
{
    const void *rec;
    uint32_t n;
    mv_outcome o = mv_table_get(tx, t, rowid, &rec, &n);

    if (want == NULL) {
        assert_true(o == MV_DELETED || o == MV_ABSENT);
        return;
    }
    assert_int_equal(o, MV_ROW);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(rec, want, n);
}

static void
test_rollback_to_undoes_only_the_writes_after_the_mark(void **state)
{
    fix f;
    uint32_t mark;

    fix_open(&f);
    assert_int_equal(mv_tx_begin(f.a), CHORUS_OK);
    assert_int_equal(mv_table_update(f.a, f.t, 1, "kept", 4), MV_OK);
    mark = mv_tx_savepoint(f.a);
    assert_int_equal(mv_table_update(f.a, f.t, 1, "gone", 4), MV_OK);     /* same key twice */
    assert_int_equal(mv_table_delete(f.a, f.t, 2), MV_OK);
    assert_int_equal(mv_table_insert(f.a, f.t, 3, "gone", 4), MV_OK);
    mv_tx_rollback_to(f.a, mark);
    assert_true(mv_tx_is_open(f.a));
    expect(f.a, f.t, 1, "kept");
    expect(f.a, f.t, 2, "base");
    expect(f.a, f.t, 3, NULL);
    assert_int_equal(mv_table_insert(f.a, f.t, 4, "late", 4), MV_OK);     /* goes on writing */
    assert_int_equal(mv_tx_commit(f.a, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f.b), CHORUS_OK);
    expect(f.b, f.t, 1, "kept");
    expect(f.b, f.t, 2, "base");
    expect(f.b, f.t, 3, NULL);
    expect(f.b, f.t, 4, "late");
    mv_tx_rollback(f.b);
    fix_close(&f);
}

static void
test_undone_writes_no_longer_conflict_with_other_writers(void **state)
{
    fix f;
    uint32_t mark;

    fix_open(&f);
    assert_int_equal(mv_tx_begin(f.a), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f.b), CHORUS_OK);
    mark = mv_tx_savepoint(f.a);
    assert_int_equal(mv_table_update(f.a, f.t, 2, "a", 1), MV_OK);
    assert_int_equal(mv_index_insert(f.a, f.ix, "key", 3, 7, true), MV_OK);
    mv_tx_rollback_to(f.a, mark);
    assert_int_equal(mv_table_update(f.b, f.t, 2, "b", 1), MV_OK);
    assert_int_equal(mv_index_insert(f.b, f.ix, "key", 3, 8, true), MV_OK);
    assert_int_equal(mv_tx_commit(f.a, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_tx_commit(f.b, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f.a), CHORUS_OK);
    expect(f.a, f.t, 2, "b");
    mv_tx_rollback(f.a);
    fix_close(&f);
}

static void
test_rollback_to_is_harmless_when_doomed_or_past_the_end(void **state)
{
    fix f;

    fix_open(&f);
    assert_int_equal(mv_tx_begin(f.a), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f.b), CHORUS_OK);
    mv_tx_rollback_to(f.a, 5);                                  /* past the end */
    assert_int_equal(mv_table_update(f.a, f.t, 1, "a", 1), MV_OK);
    assert_int_equal(mv_table_update(f.b, f.t, 1, "b", 1), MV_CONFLICT_ACTIVE);
    mv_tx_rollback_to(f.b, 0);                                  /* doomed: nothing left */
    assert_int_equal(mv_tx_conflict_outcome(f.b), MV_CONFLICT_ACTIVE);
    assert_int_equal(mv_table_update(f.b, f.t, 2, "b", 1), MV_DOOMED);
    assert_int_equal(mv_tx_commit(f.b, MV_SYNC_OFF), CHORUS_CONFLICT);
    assert_int_equal(mv_tx_commit(f.a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_rollback_to(f.a, 0);                                  /* not open */
    fix_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback_to_undoes_only_the_writes_after_the_mark),
        cmocka_unit_test(test_undone_writes_no_longer_conflict_with_other_writers),
        cmocka_unit_test(test_rollback_to_is_harmless_when_doomed_or_past_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
