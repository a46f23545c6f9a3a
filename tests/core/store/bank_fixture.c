/*
 * tests/core/store/bank_fixture.c: the bank of bank_fixture.h (its rules
 * there): accounts, transfers, snapshot checks and the thread bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bank_fixture.h"
#include "test_support.h"

static int
no_index(void *ctx, uint32_t root, bool is_index, key_info *ki_out, char *name_out,
         size_t name_size)
{
    if (name_out != NULL)
        snprintf(name_out, name_size, "%s", is_index ? "" : "bank");
    return is_index ? CHORUS_CORRUPT : CHORUS_OK;
}

static uint8_t *
rec_int(int64_t v, uint32_t *n)
{
    value val;
    uint8_t *buf;
    size_t nb;

    value_set_int(&val, v);
    if (record_build(&val, 1, &buf, &nb) != CHORUS_OK)
        return NULL;
    *n = (uint32_t)nb;
    return buf;
}

void
bank_fail_with(bank *b, int rc)
{
    int zero = 0;
    atomic_compare_exchange_strong(&b->failed, &zero, rc);
}

/* Begins: MVCC snapshot first, then the B-tree's; both again when a
 * checkpoint past live snapshots committed in between (store MM6, the
 * engine's core/vm/mvcc_mode.c VM6). */
int
bank_begin(bank *b, mv_tx *mtx, pager_tx **ptx, store_tx *st)
{
    mv_db *mv = store_db_mvcc(b->store);
    int rc;

    for (;;) {
        uint64_t seq = mv_db_full_checkpoint_seq(mv);
        rc = mv_tx_begin(mtx);
        if (rc == CHORUS_OK)
            rc = pager_tx_begin_read(b->pager, ptx);
        if (rc != CHORUS_OK || ((seq & 1) == 0 && mv_db_full_checkpoint_seq(mv) == seq))
            break;
        pager_tx_rollback(*ptx);
        *ptx = NULL;
        mv_tx_rollback(mtx);
    }
    store_tx_init(st, b->store, *ptx, mtx);
    return rc;
}

/* Ends what bank_begin began: commits when asked and rc is CHORUS_OK,
 * else rolls back; returns the commit's result or rc. */
static int
end(mv_tx *mtx, pager_tx *ptx, store_tx *st, int rc, bool commit)
{
    if (rc == CHORUS_OK && commit)
        rc = mv_tx_commit(mtx, MV_SYNC_OFF);
    else
        mv_tx_rollback(mtx);
    if (ptx != NULL)
        pager_tx_rollback(ptx);
    store_tx_clear(st);
    return rc;
}

static int
read_balance(store_cursor *c, int64_t rowid, int64_t *out)
{
    const uint8_t *data;
    uint32_t n;
    value v;
    bool eof, exact;
    int rc = store_seek_rowid(c, rowid, BTREE_SEEK_GE, &eof, &exact);

    if (rc == CHORUS_OK && !exact)
        rc = CHORUS_CORRUPT;
    if (rc == CHORUS_OK)
        rc = store_payload(c, &data, &n);
    if (rc == CHORUS_OK)
        rc = record_column(data, n, 0, &v);
    *out = v.u.i;
    return rc;
}

static int
write_balance(store_cursor *c, int64_t rowid, int64_t v)
{
    uint32_t n;
    uint8_t *r = rec_int(v, &n);
    int rc = r != NULL ? store_insert(c, rowid, r, n) : CHORUS_NOMEM;

    free(r);
    return rc;
}

/* One transfer attempt: CHORUS_OK, CHORUS_CONFLICT, or a failure. */
static int
transfer(bank *b, mv_tx *mtx, uint64_t *seed)
{
    pager_tx *ptx = NULL;
    store_tx st;
    store_cursor *c = NULL;
    int64_t from, to, bf, bt;
    int rc;

    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    from = 1 + (int64_t)((*seed >> 33) % BANK_ACCOUNTS);
    to = 1 + (int64_t)((*seed >> 13) % BANK_ACCOUNTS);
    if (to == from)
        to = to % BANK_ACCOUNTS + 1;
    rc = bank_begin(b, mtx, &ptx, &st);
    if (rc == CHORUS_OK)
        rc = store_cursor_open(&st, b->table, NULL, true, "accounts", &c);
    if (rc == CHORUS_OK)
        rc = read_balance(c, from, &bf);
    if (rc == CHORUS_OK)
        rc = read_balance(c, to, &bt);
    if (rc == CHORUS_OK)
        rc = write_balance(c, from, bf - 7);
    if (rc == CHORUS_OK)
        rc = write_balance(c, to, bt + 7);
    store_cursor_close(c);
    return end(mtx, ptx, &st, rc, true);
}

void *
bank_writer_main(void *arg)
{
    bank *b = arg;
    uint64_t seed = (uint64_t)(uintptr_t)&seed;
    mv_tx *mtx;
    int done = 0;

    if (mv_tx_new(store_db_mvcc(b->store), &mtx) != CHORUS_OK) {
        bank_fail_with(b, CHORUS_NOMEM);
        atomic_fetch_sub(&b->writers_left, 1);
        return NULL;
    }
    /* Writers never pause while checkpoints run: past min_checkpoints. */
    while ((done < b->transfers || atomic_load(&b->checkpoints) < b->min_checkpoints)
           && atomic_load(&b->failed) == 0) {
        int rc = transfer(b, mtx, &seed);
        if (rc == CHORUS_OK)
            done++;
        else if (rc == CHORUS_CONFLICT)
            atomic_fetch_add(&b->conflicts, 1);
        else
            bank_fail_with(b, rc);
    }
    mv_tx_free(mtx);
    atomic_fetch_sub(&b->writers_left, 1);
    return NULL;
}

/* Count and sum of every account in st's snapshot. */
int
bank_check_snapshot(bank *b, store_tx *st)
{
    store_cursor *c = NULL;
    int64_t n = 0, sum = 0;
    bool eof;
    int rc = store_cursor_open(st, b->table, NULL, false, "accounts", &c);

    for (rc = rc == CHORUS_OK ? store_first(c, &eof) : rc; rc == CHORUS_OK && !eof;
         rc = store_next(c, &eof)) {
        const uint8_t *data;
        uint32_t len;
        value v;
        rc = store_payload(c, &data, &len);
        if (rc == CHORUS_OK)
            rc = record_column(data, len, 0, &v);
        if (rc != CHORUS_OK)
            break;
        n++;
        sum += v.u.i;
    }
    store_cursor_close(c);
    if (rc == CHORUS_OK && (n != BANK_ACCOUNTS || sum != (int64_t)BANK_ACCOUNTS * BANK_START))
        rc = CHORUS_INTERNAL;
    return rc;
}

/* One check in a fresh snapshot. */
int
bank_check_once(bank *b, mv_tx *mtx)
{
    pager_tx *ptx = NULL;
    store_tx st;
    int rc = bank_begin(b, mtx, &ptx, &st);

    if (rc == CHORUS_OK)
        rc = bank_check_snapshot(b, &st);
    return end(mtx, ptx, &st, rc, false);
}

void *
bank_reader_main(void *arg)
{
    bank *b = arg;
    mv_tx *mtx;

    if (mv_tx_new(store_db_mvcc(b->store), &mtx) != CHORUS_OK) {
        bank_fail_with(b, CHORUS_NOMEM);
        return NULL;
    }
    do {                        /* at least once, however fast the writers are */
        int rc = bank_check_once(b, mtx);
        if (rc != CHORUS_OK)
            bank_fail_with(b, rc);
        atomic_fetch_add(&b->checks, 1);
    } while (atomic_load(&b->writers_left) > 0 && atomic_load(&b->failed) == 0);
    mv_tx_free(mtx);
    return NULL;
}

void
bank_open(bank *b)
{
    pager_config cfg = {.create = true};
    mv_log_options opts = {.use_uring = 0};
    store_tx st;
    store_cursor *c;
    pager_tx *tx;
    char *err = NULL;

    memset(b, 0, sizeof *b);
    assert_non_null(test_tmpdir());
    test_path(b->path, sizeof b->path, "bank.db");
    test_path(b->log_path, sizeof b->log_path, "bank.db-log");
    assert_int_equal(pager_open(b->path, &cfg, &b->pager, &err), CHORUS_OK);
    free(err);
    assert_int_equal(store_db_open(&b->store), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(b->pager, 1000, NULL, &tx), CHORUS_OK);
    assert_int_equal(btree_init_database(tx), CHORUS_OK);
    assert_int_equal(btree_create(tx, BTREE_TABLE, &b->table), CHORUS_OK);
    store_tx_init(&st, b->store, tx, NULL);
    assert_int_equal(store_cursor_open(&st, b->table, NULL, true, "accounts", &c), CHORUS_OK);
    for (int64_t r = 1; r <= BANK_ACCOUNTS; r++)
        assert_int_equal(write_balance(c, r, BANK_START), CHORUS_OK);
    store_cursor_close(c);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(store_mvcc_open(b->store, b->log_path, &opts, no_index, NULL, NULL),
                     CHORUS_OK);
}
