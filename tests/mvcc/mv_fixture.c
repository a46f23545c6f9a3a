/*
 * tests/mvcc/mv_fixture.c: the shared version-store test fixture
 * (mv_fixture.h).
 */
#include "mv_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int
mv_fixture_setup(void **state)
{
    mv_fixture *f = calloc(1, sizeof *f);

    assert_non_null(f);
    assert_int_equal(mv_db_open(0, &f->db), CHORUS_OK);
    assert_int_equal(mv_table_open(f->db, 1, "t", &f->t), CHORUS_OK);
    assert_int_equal(mv_tx_new(f->db, &f->a), CHORUS_OK);
    assert_int_equal(mv_tx_new(f->db, &f->b), CHORUS_OK);
    *state = f;
    return 0;
}

int
mv_fixture_teardown(void **state)
{
    mv_fixture *f = *state;

    mv_tx_free(f->a);
    mv_tx_free(f->b);
    mv_db_close(f->db);
    free(f);
    return 0;
}

int64_t
mv_fixture_get(mv_tx *tx, mv_table *t, int64_t rowid)
{
    const void *rec;
    uint32_t n;
    int64_t v;
    mv_outcome o = mv_table_get(tx, t, rowid, &rec, &n);

    if (o == MV_DELETED)
        return -1;
    if (o == MV_ABSENT)
        return -2;
    assert_int_equal(o, MV_ROW);
    assert_int_equal(n, sizeof v);
    memcpy(&v, rec, sizeof v);
    return v;
}
