/*
 * tests/core/store/test_store.c: the storage seam (core/store): the B-tree
 * path behaves as btree.h, and the MVCC path's merged cursor shows exactly
 * what a snapshot sees of the B-tree plus the version store (store rules
 * S2-S4, merge.c M1-M3), with conflicts naming table and row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store_int.h"      /* keys.c is tested directly */
#include "test_support.h"

typedef struct fixture {
    char path[512];
    pager *pager;
    store_db *store;
    mv_db *mv;
    uint32_t table;             /* rows 10, 20, ..., 10 * N_BASE (value = rowid) */
    uint32_t index;             /* index on the value, descending */
    key_info ki;
} fixture;

enum { N_BASE = 50 };

/* A transaction over the fixture: a pager read (or write) tx plus an MVCC tx. */
typedef struct txn {
    pager_tx *ptx;
    mv_tx *mtx;
    store_tx st;
} txn;

static uint8_t *
rec_int(int64_t v, uint32_t *n)
{
    value val;
    uint8_t *buf;
    size_t nb;

    value_set_int(&val, v);
    assert_int_equal(record_build(&val, 1, &buf, &nb), CHORUS_OK);
    *n = (uint32_t)nb;
    return buf;
}

static uint8_t *
index_rec(int64_t v, int64_t rowid, uint32_t *n)
{
    value vals[2];
    uint8_t *buf;
    size_t nb;

    value_set_int(&vals[0], v);
    value_set_int(&vals[1], rowid);
    assert_int_equal(record_build(vals, 2, &buf, &nb), CHORUS_OK);
    *n = (uint32_t)nb;
    return buf;
}

static int64_t
rec_value(const uint8_t *data, uint32_t n)
{
    value v;
    assert_int_equal(record_column(data, n, 0, &v), CHORUS_OK);
    return v.u.i;
}

static void
fixture_open(fixture *f)
{
    pager_config cfg = {.create = true};
    store_tx st;
    store_cursor *t, *ix;
    pager_tx *tx;
    char *err = NULL;

    memset(f, 0, sizeof *f);
    assert_non_null(test_tmpdir());
    test_path(f->path, sizeof f->path, "store.db");
    assert_int_equal(pager_open(f->path, &cfg, &f->pager, &err), CHORUS_OK);
    free(err);
    assert_int_equal(store_db_open(&f->store), CHORUS_OK);
    f->ki.n_fields = 1;
    f->ki.desc[0] = 1;
    assert_int_equal(pager_tx_begin_write(f->pager, 1000, NULL, &tx), CHORUS_OK);
    assert_int_equal(btree_init_database(tx), CHORUS_OK);
    assert_int_equal(btree_create(tx, BTREE_TABLE, &f->table), CHORUS_OK);
    assert_int_equal(btree_create(tx, BTREE_INDEX, &f->index), CHORUS_OK);
    store_tx_init(&st, f->store, tx, NULL);
    assert_int_equal(store_cursor_open(&st, f->table, NULL, true, "t", &t), CHORUS_OK);
    assert_int_equal(store_cursor_open(&st, f->index, &f->ki, true, "t_v", &ix), CHORUS_OK);
    for (int i = 1; i <= N_BASE; i++) {
        uint32_t n;
        uint8_t *r = rec_int(10 * i, &n);
        assert_int_equal(store_insert(t, 10 * i, r, n), CHORUS_OK);
        free(r);
        r = index_rec(10 * i, 10 * i, &n);
        assert_int_equal(store_index_insert(ix, r, n, false), CHORUS_OK);
        free(r);
    }
    store_cursor_close(t);
    store_cursor_close(ix);
    store_tx_clear(&st);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

static void
fixture_mvcc(fixture *f)
{
    assert_int_equal(mv_db_open(0, &f->mv), CHORUS_OK);
    store_db_attach_mvcc(f->store, f->mv);
}

static void
fixture_close(fixture *f)
{
    store_db_close(f->store);
    mv_db_close(f->mv);
    assert_int_equal(pager_close(f->pager), CHORUS_OK);
    test_tmpdir_remove();
}

static void
txn_begin(fixture *f, txn *x)
{
    assert_int_equal(pager_tx_begin_read(f->pager, &x->ptx), CHORUS_OK);
    assert_int_equal(mv_tx_new(f->mv, &x->mtx), CHORUS_OK);
    assert_int_equal(mv_tx_begin(x->mtx), CHORUS_OK);
    store_tx_init(&x->st, f->store, x->ptx, x->mtx);
}

static int
txn_end(txn *x, bool commit)
{
    int rc = CHORUS_OK;

    if (commit)
        rc = mv_tx_commit(x->mtx, MV_SYNC_OFF);
    else
        mv_tx_rollback(x->mtx);
    mv_tx_free(x->mtx);
    pager_tx_rollback(x->ptx);
    store_tx_clear(&x->st);
    return rc;
}

static store_cursor *
table_cursor(fixture *f, txn *x)
{
    store_cursor *c;
    assert_int_equal(store_cursor_open(&x->st, f->table, NULL, true, "t", &c), CHORUS_OK);
    return c;
}

static store_cursor *
index_cursor(fixture *f, txn *x)
{
    store_cursor *c;
    assert_int_equal(store_cursor_open(&x->st, f->index, &f->ki, true, "t_v", &c), CHORUS_OK);
    return c;
}

/* Writes the visible rowids in scan order (forward or backward) to out;
 * returns how many. Checks each payload's value against expect_value
 * (NULL: value == rowid). */
static int
scan(store_cursor *c, bool forward, int64_t *out, int max)
{
    bool eof;
    int n = 0;

    assert_int_equal(forward ? store_first(c, &eof) : store_last(c, &eof), CHORUS_OK);
    while (!eof) {
        assert_true(n < max);
        assert_int_equal(store_rowid(c, &out[n]), CHORUS_OK);
        n++;
        assert_int_equal(forward ? store_next(c, &eof) : store_prev(c, &eof), CHORUS_OK);
    }
    return n;
}

static void
put(store_cursor *c, int64_t rowid, int64_t v)
{
    uint32_t n;
    uint8_t *r = rec_int(v, &n);
    assert_int_equal(store_insert(c, rowid, r, n), CHORUS_OK);
    free(r);
}

static void
remove_row(store_cursor *c, int64_t rowid)
{
    bool eof, exact;
    assert_int_equal(store_seek_rowid(c, rowid, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_true(exact);
    assert_int_equal(store_delete(c), CHORUS_OK);
}

/* --- the B-tree path ------------------------------------------------------- */

static void
test_btree_path_reads_writes_and_counts_like_the_btree(void **state)
{
    fixture f;
    store_tx st;
    store_cursor *c;
    pager_tx *tx;
    int64_t rows[N_BASE + 1], n;
    bool eof, exact;

    fixture_open(&f);
    assert_int_equal(pager_tx_begin_write(f.pager, 1000, NULL, &tx), CHORUS_OK);
    store_tx_init(&st, f.store, tx, NULL);
    assert_int_equal(store_cursor_open(&st, f.table, NULL, true, "t", &c), CHORUS_OK);
    assert_true(store_eof(c));
    assert_int_equal(scan(c, true, rows, N_BASE + 1), N_BASE);
    assert_int_equal(rows[0], 10);
    assert_int_equal(rows[N_BASE - 1], 10 * N_BASE);
    assert_int_equal(store_seek_rowid(c, 15, BTREE_SEEK_LE, &eof, &exact), CHORUS_OK);
    assert_false(eof);
    assert_false(exact);
    assert_int_equal(store_rowid(c, &n), CHORUS_OK);
    assert_int_equal(n, 10);
    remove_row(c, 20);
    assert_int_equal(store_next(c, &eof), CHORUS_OK);           /* B3 */
    assert_int_equal(store_rowid(c, &n), CHORUS_OK);
    assert_int_equal(n, 30);
    assert_int_equal(store_count(c, &n), CHORUS_OK);
    assert_int_equal(n, N_BASE - 1);
    assert_int_equal(store_rowid_next(c, &n), CHORUS_OK);
    assert_int_equal(n, 10 * N_BASE + 1);
    put(c, INT64_MAX, 1);
    assert_int_equal(store_rowid_next(c, &n), CHORUS_FULL);
    store_cursor_close(c);
    pager_tx_rollback(tx);
    store_tx_clear(&st);
    fixture_close(&f);
}

static void
test_btree_path_is_taken_when_the_transaction_has_no_mvcc_tx(void **state)
{
    fixture f;
    store_tx st;
    store_cursor *c;
    pager_tx *tx;
    int64_t rows[N_BASE + 1];

    fixture_open(&f);
    fixture_mvcc(&f);           /* attached, but this transaction is not an MVCC one */
    assert_int_equal(pager_tx_begin_read(f.pager, &tx), CHORUS_OK);
    store_tx_init(&st, f.store, tx, NULL);
    assert_int_equal(store_cursor_open(&st, f.table, NULL, false, "t", &c), CHORUS_OK);
    assert_int_equal(scan(c, false, rows, N_BASE + 1), N_BASE);
    assert_int_equal(rows[0], 10 * N_BASE);
    assert_string_equal(store_tx_errmsg(&st), "");
    store_cursor_close(c);
    pager_tx_rollback(tx);
    fixture_close(&f);
}

/* --- the MVCC path: tables ------------------------------------------------- */

static void
test_mvcc_scan_merges_btree_rows_and_store_rows_in_order_both_ways(void **state)
{
    fixture f;
    txn a;
    store_cursor *c;
    int64_t rows[N_BASE + 8];
    const uint8_t *data;
    uint32_t n;
    bool eof, exact;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    c = table_cursor(&f, &a);
    put(c, 5, 5);               /* before the first B-tree row */
    put(c, 15, 15);             /* between B-tree rows */
    put(c, 20, 2000);           /* over a B-tree row: an update */
    put(c, 1000, 1000);         /* after the last */
    remove_row(c, 30);
    assert_int_equal(scan(c, true, rows, N_BASE + 8), N_BASE + 2);
    assert_int_equal(rows[0], 5);
    assert_int_equal(rows[1], 10);
    assert_int_equal(rows[2], 15);
    assert_int_equal(rows[3], 20);
    assert_int_equal(rows[4], 40);
    assert_int_equal(rows[N_BASE + 1], 1000);
    assert_int_equal(scan(c, false, rows, N_BASE + 8), N_BASE + 2);
    assert_int_equal(rows[0], 1000);
    assert_int_equal(rows[N_BASE - 3], 40);
    assert_int_equal(rows[N_BASE - 2], 20);
    assert_int_equal(rows[N_BASE + 1], 5);
    assert_int_equal(store_seek_rowid(c, 20, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_true(exact);
    assert_int_equal(store_payload(c, &data, &n), CHORUS_OK);
    assert_int_equal(rec_value(data, n), 2000);
    assert_int_equal(store_seek_rowid(c, 10, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_int_equal(store_payload(c, &data, &n), CHORUS_OK);
    assert_int_equal(rec_value(data, n), 10);
    assert_int_equal(store_count(c, &rows[0]), CHORUS_OK);
    assert_int_equal(rows[0], N_BASE + 2);
    store_cursor_close(c);
    assert_int_equal(txn_end(&a, true), CHORUS_OK);
    fixture_close(&f);
}

static void
test_mvcc_seeks_skip_rows_the_snapshot_cannot_see(void **state)
{
    fixture f;
    txn a;
    store_cursor *c;
    int64_t r;
    bool eof, exact;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    c = table_cursor(&f, &a);
    remove_row(c, 20);
    remove_row(c, 30);
    put(c, 25, 25);
    assert_int_equal(store_seek_rowid(c, 20, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_false(exact);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 25);
    assert_int_equal(store_seek_rowid(c, 25, BTREE_SEEK_GT, &eof, &exact), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 40);
    assert_int_equal(store_seek_rowid(c, 39, BTREE_SEEK_LE, &eof, &exact), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 25);
    assert_int_equal(store_seek_rowid(c, 25, BTREE_SEEK_LT, &eof, &exact), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 10);
    assert_int_equal(store_seek_rowid(c, 10, BTREE_SEEK_LT, &eof, &exact), CHORUS_OK);
    assert_true(eof);
    assert_true(store_eof(c));
    assert_int_equal(store_seek_rowid(c, 10 * N_BASE, BTREE_SEEK_GT, &eof, &exact), CHORUS_OK);
    assert_true(eof);
    store_cursor_close(c);
    assert_int_equal(txn_end(&a, false), CHORUS_OK);
    fixture_close(&f);
}

static void
test_mvcc_next_and_prev_alternate_around_store_rows(void **state)
{
    fixture f;
    txn a;
    store_cursor *c;
    int64_t r;
    bool eof, exact;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    c = table_cursor(&f, &a);
    put(c, 15, 15);
    put(c, 16, 16);
    assert_int_equal(store_seek_rowid(c, 15, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_int_equal(store_next(c, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 16);
    assert_int_equal(store_prev(c, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 15);
    assert_int_equal(store_prev(c, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 10);
    assert_int_equal(store_next(c, &eof), CHORUS_OK);
    assert_int_equal(store_next(c, &eof), CHORUS_OK);
    assert_int_equal(store_next(c, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 20);
    store_cursor_close(c);
    assert_int_equal(txn_end(&a, false), CHORUS_OK);
    fixture_close(&f);
}

static void
test_mvcc_delete_stays_invisible_to_an_older_snapshot_after_commit(void **state)
{
    fixture f;
    txn a, b, c2;
    store_cursor *ca, *cb, *cc;
    int64_t rows[N_BASE + 1];

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    txn_begin(&f, &b);
    ca = table_cursor(&f, &a);
    remove_row(ca, 10);
    put(ca, 7, 7);
    store_cursor_close(ca);
    assert_int_equal(txn_end(&a, true), CHORUS_OK);
    cb = table_cursor(&f, &b);          /* b's snapshot predates a's commit */
    assert_int_equal(scan(cb, true, rows, N_BASE + 1), N_BASE);
    assert_int_equal(rows[0], 10);
    store_cursor_close(cb);
    assert_int_equal(txn_end(&b, false), CHORUS_OK);
    txn_begin(&f, &c2);
    cc = table_cursor(&f, &c2);
    assert_int_equal(scan(cc, true, rows, N_BASE + 1), N_BASE);
    assert_int_equal(rows[0], 7);
    assert_int_equal(rows[1], 20);
    store_cursor_close(cc);
    assert_int_equal(txn_end(&c2, false), CHORUS_OK);
    fixture_close(&f);
}

static void
test_mvcc_second_updater_of_a_btree_row_gets_a_conflict_naming_table_and_row(void **state)
{
    fixture f;
    txn a, b;
    store_cursor *ca, *cb;
    uint32_t n;
    uint8_t *r = rec_int(99, &n);

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    txn_begin(&f, &b);
    ca = table_cursor(&f, &a);
    cb = table_cursor(&f, &b);
    put(ca, 40, 41);
    assert_int_equal(store_insert(cb, 40, r, n), CHORUS_CONFLICT);
    assert_non_null(strstr(store_tx_errmsg(&b.st), "40"));
    assert_non_null(strstr(store_tx_errmsg(&b.st), "t"));
    assert_int_equal(store_insert(cb, 50, r, n), CHORUS_CONFLICT);     /* doomed */
    store_cursor_close(ca);
    store_cursor_close(cb);
    assert_int_equal(txn_end(&a, true), CHORUS_OK);
    assert_int_equal(txn_end(&b, true), CHORUS_CONFLICT);
    free(r);
    fixture_close(&f);
}

static void
test_mvcc_delete_of_a_row_committed_after_the_snapshot_conflicts(void **state)
{
    fixture f;
    txn a, b;
    store_cursor *ca, *cb;
    bool eof, exact;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    txn_begin(&f, &b);
    ca = table_cursor(&f, &a);
    put(ca, 40, 41);
    store_cursor_close(ca);
    assert_int_equal(txn_end(&a, true), CHORUS_OK);
    cb = table_cursor(&f, &b);
    assert_int_equal(store_seek_rowid(cb, 40, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_true(exact);         /* b still sees the B-tree's version */
    assert_int_equal(store_delete(cb), CHORUS_CONFLICT);
    assert_non_null(strstr(store_tx_errmsg(&b.st), "40"));
    store_cursor_close(cb);
    assert_int_equal(txn_end(&b, false), CHORUS_OK);
    fixture_close(&f);
}

static void
test_mvcc_rowid_next_never_hands_out_a_rowid_twice(void **state)
{
    fixture f;
    txn a, b;
    store_cursor *ca, *cb;
    int64_t ra, rb;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    txn_begin(&f, &b);
    ca = table_cursor(&f, &a);
    cb = table_cursor(&f, &b);
    assert_int_equal(store_rowid_next(ca, &ra), CHORUS_OK);
    assert_int_equal(store_rowid_next(cb, &rb), CHORUS_OK);
    assert_int_equal(ra, 10 * N_BASE + 1);
    assert_int_equal(rb, 10 * N_BASE + 2);
    put(ca, 5000, 1);
    assert_int_equal(store_rowid_next(cb, &rb), CHORUS_OK);
    assert_int_equal(rb, 5001);
    store_cursor_close(ca);
    store_cursor_close(cb);
    txn_end(&a, false);
    txn_end(&b, false);
    fixture_close(&f);
}

/* --- the MVCC path: indexes ----------------------------------------------- */

static void
index_put(store_cursor *c, int64_t v, int64_t rowid, bool unique, int want)
{
    uint32_t n;
    uint8_t *r = index_rec(v, rowid, &n);
    assert_int_equal(store_index_insert(c, r, n, unique), want);
    free(r);
}

static void
test_mvcc_index_scan_merges_entries_in_key_order_with_btree_payloads(void **state)
{
    fixture f;
    txn a;
    store_cursor *c;
    const uint8_t *data;
    uint32_t n, nwant;
    int64_t rows[N_BASE + 4], r;
    uint8_t *want;
    value probe[2];
    bool eof;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    c = index_cursor(&f, &a);
    index_put(c, 25, 7, false, CHORUS_OK);
    index_put(c, 20, 3, false, CHORUS_OK);      /* same key as the B-tree's (20, 20) */
    assert_int_equal(scan(c, true, rows, N_BASE + 4), N_BASE + 2);
    assert_int_equal(rows[0], 10 * N_BASE);     /* descending key */
    assert_int_equal(rows[N_BASE - 2], 7);      /* 25 */
    assert_int_equal(rows[N_BASE - 1], 3);      /* (20, 3) before (20, 20) */
    assert_int_equal(rows[N_BASE], 20);
    assert_int_equal(rows[N_BASE + 1], 10);
    value_set_int(&probe[0], 20);
    assert_int_equal(store_seek_key(c, probe, 1, BTREE_SEEK_GE, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 3);
    assert_int_equal(store_payload(c, &data, &n), CHORUS_OK);
    want = index_rec(20, 3, &nwant);
    assert_int_equal(n, nwant);
    assert_memory_equal(data, want, n);
    free(want);
    assert_int_equal(store_seek_key(c, probe, 1, BTREE_SEEK_GT, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 10);
    assert_int_equal(store_seek_key(c, probe, 1, BTREE_SEEK_LT, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 7);
    assert_int_equal(store_seek_key(c, probe, 1, BTREE_SEEK_LE, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 20);
    assert_int_equal(store_delete(c), CHORUS_OK);
    assert_int_equal(store_seek_key(c, probe, 1, BTREE_SEEK_LE, &eof), CHORUS_OK);
    assert_int_equal(store_rowid(c, &r), CHORUS_OK);
    assert_int_equal(r, 3);
    store_cursor_close(c);
    assert_int_equal(txn_end(&a, true), CHORUS_OK);
    fixture_close(&f);
}

static void
test_mvcc_unique_key_inserted_by_two_transactions_lets_only_one_commit(void **state)
{
    fixture f;
    txn a, b;
    store_cursor *ca, *cb;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    txn_begin(&f, &b);
    ca = index_cursor(&f, &a);
    cb = index_cursor(&f, &b);
    index_put(ca, 12345, 601, true, CHORUS_OK);
    index_put(cb, 12345, 602, true, CHORUS_CONFLICT);
    assert_non_null(strstr(store_tx_errmsg(&b.st), "t_v"));
    assert_non_null(strstr(store_tx_errmsg(&b.st), "12345"));
    store_cursor_close(ca);
    store_cursor_close(cb);
    assert_int_equal(txn_end(&a, true), CHORUS_OK);
    assert_int_equal(txn_end(&b, true), CHORUS_CONFLICT);
    fixture_close(&f);
}

/* mvcc R9 at commit: the loser's message names the index and the key
 * (store_tx_commit). a skips the insert-time check, as when both inserters
 * checked before either published. */
static void
test_mvcc_unique_key_lost_at_commit_names_index_and_key(void **state)
{
    fixture f;
    txn a, b;
    store_cursor *ca, *cb;

    fixture_open(&f);
    fixture_mvcc(&f);
    txn_begin(&f, &a);
    txn_begin(&f, &b);
    ca = index_cursor(&f, &a);
    cb = index_cursor(&f, &b);
    index_put(cb, 12345, 602, true, CHORUS_OK);
    index_put(ca, 12345, 601, false, CHORUS_OK);
    store_cursor_close(ca);
    store_cursor_close(cb);
    assert_int_equal(store_tx_commit(&a.st, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(store_tx_commit(&b.st, MV_SYNC_OFF), CHORUS_CONFLICT);
    assert_string_equal(store_tx_errmsg(&b.st),
                        "conflict: key (12345) of index t_v was inserted by a concurrent "
                        "transaction");
    txn_end(&a, false);
    txn_end(&b, false);
    fixture_close(&f);
}

/* --- keys (keys.c) ----------------------------------------------------------- */

static void
test_key_split_and_join_give_back_the_btree_record(void **state)
{
    static const int64_t rowids[] = {0, 1, -1, 127, 128, -32769, 1 << 23, 1LL << 40,
                                     INT64_MAX, INT64_MIN};
    store_buf key = {0}, joined = {0};

    for (size_t i = 0; i < sizeof rowids / sizeof rowids[0]; i++) {
        value vals[3];
        uint8_t *rec;
        size_t n;
        int64_t rowid;

        value_set_text_ref(&vals[0], "abc", 3);
        value_set_null(&vals[1]);
        value_set_int(&vals[2], rowids[i]);
        assert_int_equal(record_build(vals, 3, &rec, &n), CHORUS_OK);
        assert_int_equal(store_key_split(&(key_info){.n_fields = 2}, rec, (uint32_t)n, &key,
                                         &rowid), CHORUS_OK);
        assert_int_equal(rowid, rowids[i]);
        assert_int_equal(store_key_join(key.p, key.n, rowid, &joined), CHORUS_OK);
        assert_int_equal(joined.n, n);
        assert_memory_equal(joined.p, rec, n);
        free(rec);
    }
    store_buf_free(&key);
    store_buf_free(&joined);
}

static void
test_key_split_rejects_a_record_shorter_than_its_header(void **state)
{
    static const uint8_t bad[] = {0x09, 0x01, 0x01};
    static const uint8_t text_rowid[] = {0x03, 0x01, 0x0f, 0x05, 'a'};
    store_buf key = {0};
    int64_t rowid;

    key_info one = {.n_fields = 1};

    assert_int_equal(store_key_split(&one, bad, sizeof bad, &key, &rowid), CHORUS_CORRUPT);
    assert_int_equal(store_key_split(&one, text_rowid, sizeof text_rowid, &key, &rowid),
                     CHORUS_CORRUPT);
    store_buf_free(&key);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_btree_path_reads_writes_and_counts_like_the_btree),
        cmocka_unit_test(test_btree_path_is_taken_when_the_transaction_has_no_mvcc_tx),
        cmocka_unit_test(test_mvcc_scan_merges_btree_rows_and_store_rows_in_order_both_ways),
        cmocka_unit_test(test_mvcc_seeks_skip_rows_the_snapshot_cannot_see),
        cmocka_unit_test(test_mvcc_next_and_prev_alternate_around_store_rows),
        cmocka_unit_test(test_mvcc_delete_stays_invisible_to_an_older_snapshot_after_commit),
        cmocka_unit_test(test_mvcc_second_updater_of_a_btree_row_gets_a_conflict_naming_table_and_row),
        cmocka_unit_test(test_mvcc_delete_of_a_row_committed_after_the_snapshot_conflicts),
        cmocka_unit_test(test_mvcc_rowid_next_never_hands_out_a_rowid_twice),
        cmocka_unit_test(test_mvcc_index_scan_merges_entries_in_key_order_with_btree_payloads),
        cmocka_unit_test(test_mvcc_unique_key_inserted_by_two_transactions_lets_only_one_commit),
        cmocka_unit_test(test_mvcc_unique_key_lost_at_commit_names_index_and_key),
        cmocka_unit_test(test_key_split_and_join_give_back_the_btree_record),
        cmocka_unit_test(test_key_split_rejects_a_record_shorter_than_its_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
