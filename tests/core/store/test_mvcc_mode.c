/*
 * tests/core/store/test_mvcc_mode.c: MVCC mode under the storage seam
 * (core/store/mvcc_mode.c): commits reach the log and come back after a
 * reopen (recovery replays them, MM1), checkpoints write them into the
 * B-tree without going past the oldest live snapshot (mvcc R17, MM2, MM3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store.h"
#include "test_support.h"

typedef struct fixture {
    char path[512];
    char log_path[512];
    pager *pager;
    store_db *store;
    uint32_t table, index;
    key_info ki;
    int n_info_calls;
} fixture;

typedef struct txn {
    pager_tx *ptx;
    mv_tx *mtx;
    store_tx st;
} txn;

static int
index_info(void *ctx, uint32_t root, bool is_index, key_info *ki_out, char *name_out,
           size_t name_size)
{
    fixture *f = ctx;

    if (name_out != NULL)
        snprintf(name_out, name_size, "%s", "");
    if (!is_index)
        return CHORUS_OK;
    f->n_info_calls++;
    if (root != f->index)
        return CHORUS_CORRUPT;
    *ki_out = f->ki;
    return CHORUS_OK;
}

static void
fixture_open(fixture *f)
{
    pager_config cfg = {.create = true};
    pager_tx *tx;
    char *err = NULL;

    memset(f, 0, sizeof *f);
    assert_non_null(test_tmpdir());
    test_path(f->path, sizeof f->path, "m.db");
    test_path(f->log_path, sizeof f->log_path, "m.db-log");
    assert_int_equal(pager_open(f->path, &cfg, &f->pager, &err), CHORUS_OK);
    free(err);
    f->ki.n_fields = 1;
    assert_int_equal(pager_tx_begin_write(f->pager, 1000, NULL, &tx), CHORUS_OK);
    assert_int_equal(btree_init_database(tx), CHORUS_OK);
    assert_int_equal(btree_create(tx, BTREE_TABLE, &f->table), CHORUS_OK);
    assert_int_equal(btree_create(tx, BTREE_INDEX, &f->index), CHORUS_OK);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

static void
mode_open(fixture *f, mv_log_recovery *rec)
{
    mv_log_options opts = {.use_uring = 0};

    assert_int_equal(store_db_open(&f->store), CHORUS_OK);
    assert_int_equal(store_mvcc_open(f->store, f->log_path, &opts, index_info, f, rec),
                     CHORUS_OK);
}

static void
mode_close(fixture *f)
{
    assert_int_equal(store_mvcc_close(f->store), CHORUS_OK);
    store_db_close(f->store);
    f->store = NULL;
}

static void
fixture_close(fixture *f)
{
    if (f->store != NULL)
        mode_close(f);
    assert_int_equal(pager_close(f->pager), CHORUS_OK);
    test_tmpdir_remove();
}

static void
txn_begin(fixture *f, txn *x)
{
    /* The MVCC snapshot first, then the B-tree's (checkpoint horizon, R17). */
    assert_int_equal(mv_tx_new(store_db_mvcc(f->store), &x->mtx), CHORUS_OK);
    assert_int_equal(mv_tx_begin(x->mtx), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(f->pager, &x->ptx), CHORUS_OK);
    store_tx_init(&x->st, f->store, x->ptx, x->mtx);
}

static void
txn_commit(txn *x)
{
    assert_int_equal(mv_tx_commit(x->mtx, MV_SYNC_FULL), CHORUS_OK);
    mv_tx_free(x->mtx);
    pager_tx_rollback(x->ptx);
    store_tx_clear(&x->st);
}

static void
txn_drop(txn *x)
{
    mv_tx_free(x->mtx);
    pager_tx_rollback(x->ptx);
    store_tx_clear(&x->st);
}

static uint8_t *
rec_int(int64_t v, int n_vals, int64_t rowid, uint32_t *n)
{
    value vals[2];
    uint8_t *buf;
    size_t nb;

    value_set_int(&vals[0], v);
    value_set_int(&vals[1], rowid);
    assert_int_equal(record_build(vals, n_vals, &buf, &nb), CHORUS_OK);
    *n = (uint32_t)nb;
    return buf;
}

/* Inserts rows lo..hi (value = 10 * rowid) with their index entries. */
static void
write_rows(fixture *f, store_tx *st, int64_t lo, int64_t hi)
{
    store_cursor *t, *ix;

    assert_int_equal(store_cursor_open(st, f->table, NULL, true, "t", &t), CHORUS_OK);
    assert_int_equal(store_cursor_open(st, f->index, &f->ki, true, "t_v", &ix), CHORUS_OK);
    for (int64_t r = lo; r <= hi; r++) {
        uint32_t n;
        uint8_t *rec = rec_int(10 * r, 1, 0, &n);
        assert_int_equal(store_insert(t, r, rec, n), CHORUS_OK);
        free(rec);
        rec = rec_int(10 * r, 2, r, &n);
        assert_int_equal(store_index_insert(ix, rec, n, true), CHORUS_OK);
        free(rec);
    }
    store_cursor_close(t);
    store_cursor_close(ix);
}

static void
delete_row(fixture *f, store_tx *st, int64_t rowid)
{
    store_cursor *t, *ix;
    value probe[2];
    bool eof, exact;

    assert_int_equal(store_cursor_open(st, f->table, NULL, true, "t", &t), CHORUS_OK);
    assert_int_equal(store_cursor_open(st, f->index, &f->ki, true, "t_v", &ix), CHORUS_OK);
    assert_int_equal(store_seek_rowid(t, rowid, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_true(exact);
    assert_int_equal(store_delete(t), CHORUS_OK);
    value_set_int(&probe[0], 10 * rowid);
    value_set_int(&probe[1], rowid);
    assert_int_equal(store_seek_key(ix, probe, 2, BTREE_SEEK_GE, &eof), CHORUS_OK);
    assert_false(eof);
    assert_int_equal(store_delete(ix), CHORUS_OK);
    store_cursor_close(t);
    store_cursor_close(ix);
}

/* Counts table rows and index entries as st sees them; checks they agree. */
static int64_t
count_rows(fixture *f, store_tx *st)
{
    store_cursor *t, *ix;
    int64_t nt, ni;

    assert_int_equal(store_cursor_open(st, f->table, NULL, false, "t", &t), CHORUS_OK);
    assert_int_equal(store_cursor_open(st, f->index, &f->ki, false, "t_v", &ix), CHORUS_OK);
    assert_int_equal(store_count(t, &nt), CHORUS_OK);
    assert_int_equal(store_count(ix, &ni), CHORUS_OK);
    assert_int_equal(nt, ni);
    store_cursor_close(t);
    store_cursor_close(ix);
    return nt;
}

/* Rows the B-tree alone holds (the B-tree path), with an integrity check. */
static int64_t
btree_rows(fixture *f)
{
    uint32_t roots[3] = {1, f->table, f->index};
    const key_info *kis[3] = {NULL, NULL, &f->ki};
    store_tx st;
    pager_tx *tx;
    strbuf errors;
    int n_errors = -1;
    int64_t n;

    assert_int_equal(pager_tx_begin_read(f->pager, &tx), CHORUS_OK);
    store_tx_init(&st, f->store, tx, NULL);
    n = count_rows(f, &st);
    strbuf_init(&errors);
    assert_int_equal(btree_integrity_check(tx, roots, kis, 3, 10, &errors, &n_errors),
                     CHORUS_OK);
    if (n_errors != 0)
        fail_msg("integrity: %s", errors.data);
    strbuf_free(&errors);
    pager_tx_rollback(tx);
    return n;
}

static uint64_t
checkpoint(fixture *f, bool reset)
{
    mv_tx *scratch;
    pager_tx *wtx;
    uint64_t ts;

    assert_int_equal(mv_tx_new(store_db_mvcc(f->store), &scratch), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(f->pager, 1000, NULL, &wtx), CHORUS_OK);
    assert_int_equal(store_mvcc_checkpoint(f->store, wtx, scratch, &ts), CHORUS_OK);
    assert_int_equal(pager_tx_commit(wtx), CHORUS_OK);
    assert_int_equal(store_mvcc_checkpoint_done(f->store, ts, MV_SYNC_FULL, reset), CHORUS_OK);
    mv_tx_free(scratch);
    return ts;
}

static void
test_commits_come_back_from_the_log_after_a_reopen(void **state)
{
    fixture f;
    mv_log_recovery rec;
    txn a;

    fixture_open(&f);
    mode_open(&f, &rec);
    assert_int_equal(rec.n_frames, 0);
    txn_begin(&f, &a);
    write_rows(&f, &a.st, 1, 20);
    txn_commit(&a);
    txn_begin(&f, &a);
    delete_row(&f, &a.st, 7);
    txn_commit(&a);
    mode_close(&f);                 /* no checkpoint: only the log has them */
    assert_int_equal(btree_rows(&f), 0);
    f.n_info_calls = 0;
    mode_open(&f, &rec);
    assert_int_equal(rec.n_frames, 2);
    assert_int_equal(f.n_info_calls, 1);
    txn_begin(&f, &a);
    assert_int_equal(count_rows(&f, &a.st), 19);
    txn_drop(&a);
    fixture_close(&f);
}

static void
test_checkpoint_writes_commits_into_the_btree_and_recovery_skips_them(void **state)
{
    fixture f;
    mv_log_recovery rec;
    txn a;
    uint64_t ts;

    fixture_open(&f);
    mode_open(&f, NULL);
    txn_begin(&f, &a);
    write_rows(&f, &a.st, 1, 300);
    txn_commit(&a);
    txn_begin(&f, &a);
    delete_row(&f, &a.st, 5);
    delete_row(&f, &a.st, 299);
    txn_commit(&a);
    ts = checkpoint(&f, false);
    assert_int_equal(ts, 2);
    assert_int_equal(btree_rows(&f), 298);
    txn_begin(&f, &a);              /* merged view unchanged by the checkpoint */
    assert_int_equal(count_rows(&f, &a.st), 298);
    txn_drop(&a);
    /* Nothing new: harmless. Its horizon is the clock, which the first
     * checkpoint ticked past the last commit (gc.c G5). */
    assert_int_equal(checkpoint(&f, true), 3);
    mode_close(&f);
    mode_open(&f, &rec);
    assert_int_equal(rec.n_frames, 0);
    txn_begin(&f, &a);
    assert_int_equal(count_rows(&f, &a.st), 298);
    txn_drop(&a);
    fixture_close(&f);
}

static void
test_checkpoint_stops_at_the_oldest_live_snapshot(void **state)
{
    fixture f;
    mv_log_recovery rec;
    txn old, w;

    fixture_open(&f);
    mode_open(&f, NULL);
    txn_begin(&f, &w);
    write_rows(&f, &w.st, 1, 10);
    txn_commit(&w);
    txn_begin(&f, &old);            /* snapshot 1 */
    txn_begin(&f, &w);
    write_rows(&f, &w.st, 11, 20);
    txn_commit(&w);                 /* ts 2 */
    assert_int_equal(checkpoint(&f, false), 1);
    assert_int_equal(btree_rows(&f), 10);
    assert_int_equal(count_rows(&f, &old.st), 10);
    txn_drop(&old);
    assert_int_equal(checkpoint(&f, false), 3);     /* the clock: ts 2 + the tick of G5 */
    assert_int_equal(btree_rows(&f), 20);
    mode_close(&f);
    mode_open(&f, &rec);
    assert_int_equal(rec.n_frames, 0);
    assert_int_equal(rec.n_skipped, 2);
    fixture_close(&f);
}

static void
test_open_fails_cleanly_when_an_index_is_unknown(void **state)
{
    fixture f;
    txn a;
    mv_log_options opts = {.use_uring = 0};

    fixture_open(&f);
    mode_open(&f, NULL);
    txn_begin(&f, &a);
    write_rows(&f, &a.st, 1, 3);
    txn_commit(&a);
    mode_close(&f);
    f.index = 999;                  /* the callback no longer knows the index */
    assert_int_equal(store_db_open(&f.store), CHORUS_OK);
    assert_int_equal(store_mvcc_open(f.store, f.log_path, &opts, index_info, &f, NULL),
                     CHORUS_CORRUPT);
    assert_null(store_db_mvcc(f.store));
    assert_null(store_mvcc_log(f.store));
    store_db_close(f.store);
    f.store = NULL;
    fixture_close(&f);
}

static void
test_open_twice_is_misuse(void **state)
{
    fixture f;
    mv_log_options opts = {.use_uring = 0};

    fixture_open(&f);
    mode_open(&f, NULL);
    assert_int_equal(store_mvcc_open(f.store, f.log_path, &opts, index_info, &f, NULL),
                     CHORUS_MISUSE);
    assert_non_null(store_mvcc_log(f.store));
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commits_come_back_from_the_log_after_a_reopen),
        cmocka_unit_test(test_checkpoint_writes_commits_into_the_btree_and_recovery_skips_them),
        cmocka_unit_test(test_checkpoint_stops_at_the_oldest_live_snapshot),
        cmocka_unit_test(test_open_fails_cleanly_when_an_index_is_unknown),
        cmocka_unit_test(test_open_twice_is_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
