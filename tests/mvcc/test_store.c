/*
 * tests/mvcc/test_store.c: the version store under one and many threads:
 * visibility (mvcc R5), first-updater-wins (mvcc R8), UNIQUE keys (mvcc R9),
 * the rowid allocator (mvcc R10), cursors, and the bank-transfer invariant.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mv_fixture.h"

static mv_outcome
put(mv_tx *tx, mv_table *t, int64_t rowid, int64_t value, bool update)
{
    return update ? mv_table_update(tx, t, rowid, &value, sizeof value)
                  : mv_table_insert(tx, t, rowid, &value, sizeof value);
}

static void
commit_row(mv_fixture *f, int64_t rowid, int64_t value, bool update)
{
    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(put(f->a, f->t, rowid, value, update), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
}

static void
test_own_write_is_visible_only_to_its_transaction_until_commit(void **state)
{
    mv_fixture *f = *state;

    mv_tx_begin(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(put(f->a, f->t, 42, 7, false), MV_OK);
    assert_int_equal(mv_fixture_get(f->a, f->t, 42), 7);
    assert_int_equal(mv_fixture_get(f->b, f->t, 42), -2);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_fixture_get(f->b, f->t, 42), -2);     /* b's snapshot predates the commit */
    mv_tx_rollback(f->b);
    mv_tx_begin(f->b);
    assert_int_equal(mv_fixture_get(f->b, f->t, 42), 7);
    mv_tx_rollback(f->b);
}

static void
test_commit_timestamp_is_above_every_earlier_snapshot(void **state)
{
    mv_fixture *f = *state;

    mv_tx_begin(f->b);
    uint64_t snap = mv_tx_snapshot(f->b);
    commit_row(f, 1, 1, false);
    assert_true(mv_tx_commit_ts(f->a) > snap);
    assert_int_equal(mv_db_clock(f->db), mv_tx_commit_ts(f->a));
    mv_tx_rollback(f->b);
}

static void
test_read_only_commit_does_not_tick_the_clock(void **state)
{
    mv_fixture *f = *state;
    uint64_t before = mv_db_clock(f->db);

    mv_tx_begin(f->a);
    mv_fixture_get(f->a, f->t, 5);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_FULL), CHORUS_OK);
    assert_int_equal(mv_db_clock(f->db), before);
}

static void
test_begin_twice_is_misuse(void **state)
{
    mv_fixture *f = *state;

    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f->a), CHORUS_MISUSE);
    mv_tx_rollback(f->a);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_MISUSE);
}

static void
test_second_updater_of_a_row_conflicts_at_once(void **state)
{
    mv_fixture *f = *state;

    commit_row(f, 42, 1, false);
    mv_tx_begin(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(put(f->a, f->t, 42, 2, true), MV_OK);
    assert_int_equal(put(f->b, f->t, 42, 3, true), MV_CONFLICT_ACTIVE);
    assert_int_equal(mv_tx_conflict_outcome(f->b), MV_CONFLICT_ACTIVE);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_CONFLICT);
    mv_tx_begin(f->a);
    assert_int_equal(mv_fixture_get(f->a, f->t, 42), 2);
    mv_tx_rollback(f->a);
}

static void
test_update_of_a_row_committed_after_the_snapshot_conflicts(void **state)
{
    mv_fixture *f = *state;

    commit_row(f, 42, 1, false);
    mv_tx_begin(f->b);
    commit_row(f, 42, 2, true);
    assert_int_equal(put(f->b, f->t, 42, 3, true), MV_CONFLICT_COMMITTED);
    mv_tx_rollback(f->b);
}

static void
test_delete_of_a_row_written_by_a_running_transaction_conflicts(void **state)
{
    mv_fixture *f = *state;

    commit_row(f, 9, 1, false);
    mv_tx_begin(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(mv_table_delete(f->a, f->t, 9), MV_OK);
    assert_int_equal(mv_table_delete(f->b, f->t, 9), MV_CONFLICT_ACTIVE);
    mv_tx_rollback(f->a);
    mv_tx_rollback(f->b);
}

static void
test_doomed_transaction_fails_every_later_call(void **state)
{
    mv_fixture *f = *state;

    commit_row(f, 1, 1, false);
    mv_tx_begin(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(put(f->a, f->t, 1, 2, true), MV_OK);
    assert_int_equal(put(f->b, f->t, 2, 5, false), MV_OK);
    assert_int_equal(put(f->b, f->t, 1, 3, true), MV_CONFLICT_ACTIVE);
    assert_int_equal(put(f->b, f->t, 3, 3, false), MV_DOOMED);
    const void *rec;
    uint32_t n;
    assert_int_equal(mv_table_get(f->b, f->t, 2, &rec, &n), MV_DOOMED);
    /* b's earlier insert of row 2 is already undone for everyone. */
    assert_int_equal(mv_fixture_get(f->a, f->t, 2), -2);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_CONFLICT);
    assert_false(mv_tx_is_open(f->b));
    mv_tx_rollback(f->a);
}

static void
test_rollback_restores_the_previous_version_for_later_writers(void **state)
{
    mv_fixture *f = *state;

    commit_row(f, 7, 70, false);
    mv_tx_begin(f->a);
    assert_int_equal(put(f->a, f->t, 7, 71, true), MV_OK);
    assert_int_equal(mv_table_delete(f->a, f->t, 7), MV_OK);
    mv_tx_rollback(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(mv_fixture_get(f->b, f->t, 7), 70);
    assert_int_equal(put(f->b, f->t, 7, 72, true), MV_OK);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->a);
    assert_int_equal(mv_fixture_get(f->a, f->t, 7), 72);
    mv_tx_rollback(f->a);
}

static void
test_insert_over_a_visible_row_reports_exists(void **state)
{
    mv_fixture *f = *state;

    commit_row(f, 3, 1, false);
    mv_tx_begin(f->a);
    assert_int_equal(put(f->a, f->t, 3, 2, false), MV_EXISTS);
    assert_true(mv_tx_is_open(f->a));
    assert_int_equal(mv_table_delete(f->a, f->t, 3), MV_OK);
    assert_int_equal(mv_fixture_get(f->a, f->t, 3), -1);
    assert_int_equal(mv_table_delete(f->a, f->t, 3), MV_NOT_FOUND);
    assert_int_equal(put(f->a, f->t, 3, 4, false), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->b);
    assert_int_equal(mv_fixture_get(f->b, f->t, 3), 4);
    mv_tx_rollback(f->b);
}

static void
test_two_inserts_of_one_rowid_let_only_the_first_through(void **state)
{
    mv_fixture *f = *state;

    mv_tx_begin(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(put(f->a, f->t, 11, 1, false), MV_OK);
    assert_int_equal(put(f->b, f->t, 11, 2, false), MV_CONFLICT_ACTIVE);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_rollback(f->b);
}

static void
test_deleted_row_is_reported_deleted_not_absent(void **state)
{
    mv_fixture *f = *state;

    mv_tx_begin(f->a);
    /* A row the store never saw: the B-tree's; delete makes a tombstone. */
    assert_int_equal(mv_table_delete(f->a, f->t, 100), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->b);
    assert_int_equal(mv_fixture_get(f->b, f->t, 100), -1);
    mv_tx_rollback(f->b);
}

static void
test_outcome_message_names_table_and_row(void **state)
{
    char *msg = NULL;
    (void)state;

    assert_int_equal(mv_outcome_rc(MV_CONFLICT_ACTIVE, "table", "orders", 42, NULL, &msg),
                     CHORUS_CONFLICT);
    assert_string_equal(msg, "conflict: row 42 of table orders was changed by a concurrent transaction");
    free(msg);
    assert_int_equal(mv_outcome_rc(MV_CONFLICT_UNIQUE, "index", "by_email", 0, "'a@b'", &msg),
                     CHORUS_CONFLICT);
    assert_string_equal(msg, "conflict: key 'a@b' of index by_email was inserted by a concurrent transaction");
    free(msg);
    assert_int_equal(mv_outcome_rc(MV_EXISTS, "table", "t", 1, NULL, &msg), CHORUS_CONSTRAINT);
    free(msg);
    assert_int_equal(mv_outcome_rc(MV_ROW, "table", "t", 1, NULL, &msg), CHORUS_OK);
    assert_null(msg);
    assert_int_equal(mv_outcome_rc(MV_NOMEM, "table", "t", 1, NULL, NULL), CHORUS_NOMEM);
    assert_string_equal(mv_outcome_name(MV_DOOMED), "MV_DOOMED");
}

static void
test_cursor_walks_keys_in_order_both_ways(void **state)
{
    mv_fixture *f = *state;
    int64_t rowids[] = {50, 10, 40, 20, 30};
    mv_cursor *cur;
    int64_t seen[5];
    int n = 0;

    mv_tx_begin(f->a);
    for (int i = 0; i < 5; i++)
        assert_int_equal(put(f->a, f->t, rowids[i], rowids[i] * 10, false), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->b);
    assert_int_equal(mv_cursor_open_table(f->b, f->t, &cur), CHORUS_OK);
    for (bool ok = mv_cursor_first(cur); ok; ok = mv_cursor_next(cur))
        seen[n++] = mv_cursor_rowid(cur);
    assert_int_equal(n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], (i + 1) * 10);
    assert_true(mv_cursor_seek_rowid(cur, 25));
    assert_int_equal(mv_cursor_rowid(cur), 30);
    const void *rec;
    uint32_t nb;
    assert_int_equal(mv_cursor_row(cur, &rec, &nb), MV_ROW);
    assert_int_equal(*(const int64_t *)rec, 300);
    assert_true(mv_cursor_prev(cur));
    assert_int_equal(mv_cursor_rowid(cur), 20);
    assert_true(mv_cursor_last(cur));
    assert_int_equal(mv_cursor_rowid(cur), 50);
    assert_false(mv_cursor_seek_rowid(cur, 51));
    assert_true(mv_cursor_first(cur));
    assert_false(mv_cursor_prev(cur));
    mv_cursor_close(cur);
    mv_tx_rollback(f->b);
}

static void
test_index_cursor_orders_by_key_then_rowid(void **state)
{
    mv_fixture *f = *state;
    mv_index *ix;
    mv_cursor *cur;

    assert_int_equal(mv_index_open(f->db, 3, "ix", NULL, NULL, &ix), CHORUS_OK);
    mv_tx_begin(f->a);
    assert_int_equal(mv_index_insert(f->a, ix, "b", 1, 1, false), MV_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "a", 1, 9, false), MV_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "a", 1, 2, false), MV_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "ab", 2, 0, false), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->b);
    assert_int_equal(mv_cursor_open_index(f->b, ix, &cur), CHORUS_OK);
    const char *want_key[] = {"a", "a", "ab", "b"};
    int64_t want_rowid[] = {2, 9, 0, 1};
    int i = 0;
    for (bool ok = mv_cursor_first(cur); ok; ok = mv_cursor_next(cur), i++) {
        uint32_t n;
        const void *k = mv_cursor_key(cur, &n);
        assert_int_equal(n, strlen(want_key[i]));
        assert_memory_equal(k, want_key[i], n);
        assert_int_equal(mv_cursor_rowid(cur), want_rowid[i]);
        assert_int_equal(mv_cursor_row(cur, NULL, NULL), MV_ROW);
    }
    assert_int_equal(i, 4);
    assert_true(mv_cursor_seek_key(cur, "a", 1, 3));
    assert_int_equal(mv_cursor_rowid(cur), 9);
    mv_cursor_close(cur);
    mv_tx_rollback(f->b);
}

static void
test_unique_key_taken_by_a_running_transaction_conflicts(void **state)
{
    mv_fixture *f = *state;
    mv_index *ix;

    assert_int_equal(mv_index_open(f->db, 4, "by_email", NULL, NULL, &ix), CHORUS_OK);
    mv_tx_begin(f->a);
    mv_tx_begin(f->b);
    assert_int_equal(mv_index_insert(f->a, ix, "x@y", 3, 1, true), MV_OK);
    assert_int_equal(mv_index_insert(f->b, ix, "x@y", 3, 2, true), MV_CONFLICT_ACTIVE);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_rollback(f->b);
    mv_tx_begin(f->b);
    assert_int_equal(mv_index_insert(f->b, ix, "x@y", 3, 2, true), MV_EXISTS);
    assert_int_equal(mv_index_delete(f->b, ix, "x@y", 3, 1), MV_OK);
    assert_int_equal(mv_index_insert(f->b, ix, "x@y", 3, 2, true), MV_OK);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_OK);
}

static void
test_unique_key_committed_after_the_snapshot_conflicts(void **state)
{
    mv_fixture *f = *state;
    mv_index *ix;

    assert_int_equal(mv_index_open(f->db, 5, "u", NULL, NULL, &ix), CHORUS_OK);
    mv_tx_begin(f->b);
    mv_tx_begin(f->a);
    assert_int_equal(mv_index_insert(f->a, ix, "k", 1, 1, true), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_index_insert(f->b, ix, "k", 1, 2, true), MV_CONFLICT_COMMITTED);
    mv_tx_rollback(f->b);
}

/* --- many threads ------------------------------------------------------------- */

typedef struct worker {
    mv_db *db;
    mv_table *t;
    mv_index *ix;
    int id;
    int n;
    int commits;
    int conflicts;
    int failures;
    _Atomic int *stop;
} worker;

static void *
disjoint_inserter(void *arg)
{
    worker *w = arg;
    mv_tx *tx;

    assert_int_equal(mv_tx_new(w->db, &tx), CHORUS_OK);
    for (int i = 0; i < w->n; i++) {
        int64_t rowid = mv_table_rowid_next(w->t);
        mv_tx_begin(tx);
        if (put(tx, w->t, rowid, w->id, false) != MV_OK)
            w->failures++;
        if (mv_tx_commit(tx, MV_SYNC_OFF) != CHORUS_OK)
            w->failures++;
        else
            w->commits++;
    }
    mv_tx_free(tx);
    return NULL;
}

static void
test_concurrent_inserts_of_disjoint_rowids_never_conflict(void **state)
{
    mv_fixture *f = *state;
    enum { THREADS = 4, PER = 3000 };
    pthread_t th[THREADS];
    worker w[THREADS];
    mv_cursor *cur;
    int n = 0;

    mv_table_rowid_seen(f->t, 1000);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.db = f->db, .t = f->t, .id = i, .n = PER};
        pthread_create(&th[i], NULL, disjoint_inserter, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
        assert_int_equal(w[i].commits, PER);
    }
    mv_tx_begin(f->a);
    mv_cursor_open_table(f->a, f->t, &cur);
    int64_t last = 0;
    for (bool ok = mv_cursor_first(cur); ok; ok = mv_cursor_next(cur), n++) {
        assert_true(mv_cursor_rowid(cur) > last);
        assert_true(mv_cursor_rowid(cur) > 1000);
        last = mv_cursor_rowid(cur);
        assert_int_equal(mv_cursor_row(cur, NULL, NULL), MV_ROW);
    }
    mv_cursor_close(cur);
    mv_tx_rollback(f->a);
    assert_int_equal(n, THREADS * PER);
}

static void *
counter_incrementer(void *arg)
{
    worker *w = arg;
    mv_tx *tx;

    assert_int_equal(mv_tx_new(w->db, &tx), CHORUS_OK);
    for (int i = 0; i < w->n; i++) {
        mv_tx_begin(tx);
        int64_t v = mv_fixture_get(tx, w->t, 1);
        mv_outcome o = put(tx, w->t, 1, v + 1, true);
        int rc = mv_tx_commit(tx, MV_SYNC_OFF);
        if (o == MV_OK && rc == CHORUS_OK)
            w->commits++;
        else if (rc == CHORUS_CONFLICT)
            w->conflicts++;
        else
            w->failures++;
    }
    mv_tx_free(tx);
    return NULL;
}

static void
test_racing_updaters_of_one_row_lose_no_update(void **state)
{
    mv_fixture *f = *state;
    enum { THREADS = 4, PER = 3000 };
    pthread_t th[THREADS];
    worker w[THREADS];
    int commits = 0, conflicts = 0;

    commit_row(f, 1, 0, false);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.db = f->db, .t = f->t, .id = i, .n = PER};
        pthread_create(&th[i], NULL, counter_incrementer, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
        commits += w[i].commits;
        conflicts += w[i].conflicts;
    }
    assert_int_equal(commits + conflicts, THREADS * PER);
    mv_tx_begin(f->a);
    assert_int_equal(mv_fixture_get(f->a, f->t, 1), commits);     /* P4: no lost update */
    mv_tx_rollback(f->a);
}

static void *
unique_racer(void *arg)
{
    worker *w = arg;
    mv_tx *tx;

    assert_int_equal(mv_tx_new(w->db, &tx), CHORUS_OK);
    for (int round = 0; round < w->n; round++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", round);
        mv_tx_begin(tx);
        mv_outcome o = mv_index_insert(tx, w->ix, key, (uint32_t)strlen(key), w->id + 1, true);
        int rc = mv_tx_commit(tx, MV_SYNC_OFF);
        if (o == MV_OK && rc == CHORUS_OK)
            w->commits++;
        else if (o == MV_EXISTS)
            w->conflicts++;     /* it lost after the winner committed */
        else if (rc != CHORUS_CONFLICT)
            w->failures++;
    }
    mv_tx_free(tx);
    return NULL;
}

static void
test_racing_inserts_of_one_unique_key_commit_exactly_one(void **state)
{
    mv_fixture *f = *state;
    enum { THREADS = 4, ROUNDS = 2000 };
    pthread_t th[THREADS];
    worker w[THREADS];
    mv_index *ix;
    int commits = 0;

    assert_int_equal(mv_index_open(f->db, 6, "uk", NULL, NULL, &ix), CHORUS_OK);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.db = f->db, .ix = ix, .id = i, .n = ROUNDS};
        pthread_create(&th[i], NULL, unique_racer, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
        commits += w[i].commits;
    }
    assert_int_equal(commits, ROUNDS);
}

enum { ACCOUNTS = 16, START = 100 };

static void *
bank_teller(void *arg)
{
    worker *w = arg;
    mv_tx *tx;
    unsigned seed = (unsigned)w->id * 7919u + 1;

    assert_int_equal(mv_tx_new(w->db, &tx), CHORUS_OK);
    for (int i = 0; i < w->n; i++) {
        int64_t from = rand_r(&seed) % ACCOUNTS, to = rand_r(&seed) % ACCOUNTS;
        if (from == to)
            continue;
        mv_tx_begin(tx);
        int64_t a = mv_fixture_get(tx, w->t, from), b = mv_fixture_get(tx, w->t, to);
        if (put(tx, w->t, from, a - 1, true) == MV_OK && put(tx, w->t, to, b + 1, true) == MV_OK)
            (void)0;
        if (mv_tx_commit(tx, MV_SYNC_OFF) == CHORUS_OK)
            w->commits++;
        else
            w->conflicts++;
    }
    atomic_store(w->stop, 1);
    mv_tx_free(tx);
    return NULL;
}

static void *
bank_auditor(void *arg)
{
    worker *w = arg;
    mv_tx *tx;

    assert_int_equal(mv_tx_new(w->db, &tx), CHORUS_OK);
    while (!atomic_load(w->stop)) {
        mv_tx_begin(tx);
        int64_t sum = 0;
        for (int64_t i = 0; i < ACCOUNTS; i++)
            sum += mv_fixture_get(tx, w->t, i);
        /* Read the first account again: a snapshot does not move. */
        int64_t again = 0;
        for (int64_t i = 0; i < ACCOUNTS; i++)
            again += mv_fixture_get(tx, w->t, i);
        if (sum != ACCOUNTS * START || again != sum)
            w->failures++;
        w->commits++;
        mv_tx_commit(tx, MV_SYNC_OFF);
    }
    mv_tx_free(tx);
    return NULL;
}

static void
test_snapshot_reads_keep_the_bank_total_while_transfers_commit(void **state)
{
    mv_fixture *f = *state;
    pthread_t th[4];
    worker w[4];
    _Atomic int stop = 0;

    mv_tx_begin(f->a);
    for (int64_t i = 0; i < ACCOUNTS; i++)
        assert_int_equal(put(f->a, f->t, i, START, false), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){.db = f->db, .t = f->t, .id = i, .n = 4000, .stop = &stop};
        pthread_create(&th[i], NULL, i < 2 ? bank_teller : bank_auditor, &w[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(w[2].failures + w[3].failures, 0);
    assert_true(w[0].commits + w[1].commits > 0);
    mv_tx_begin(f->a);
    int64_t sum = 0;
    for (int64_t i = 0; i < ACCOUNTS; i++)
        sum += mv_fixture_get(f->a, f->t, i);
    assert_int_equal(sum, ACCOUNTS * START);
    mv_tx_rollback(f->a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        MV_TEST(test_own_write_is_visible_only_to_its_transaction_until_commit),
        MV_TEST(test_commit_timestamp_is_above_every_earlier_snapshot),
        MV_TEST(test_read_only_commit_does_not_tick_the_clock),
        MV_TEST(test_begin_twice_is_misuse),
        MV_TEST(test_second_updater_of_a_row_conflicts_at_once),
        MV_TEST(test_update_of_a_row_committed_after_the_snapshot_conflicts),
        MV_TEST(test_delete_of_a_row_written_by_a_running_transaction_conflicts),
        MV_TEST(test_doomed_transaction_fails_every_later_call),
        MV_TEST(test_rollback_restores_the_previous_version_for_later_writers),
        MV_TEST(test_insert_over_a_visible_row_reports_exists),
        MV_TEST(test_two_inserts_of_one_rowid_let_only_the_first_through),
        MV_TEST(test_deleted_row_is_reported_deleted_not_absent),
        MV_TEST(test_outcome_message_names_table_and_row),
        MV_TEST(test_cursor_walks_keys_in_order_both_ways),
        MV_TEST(test_index_cursor_orders_by_key_then_rowid),
        MV_TEST(test_unique_key_taken_by_a_running_transaction_conflicts),
        MV_TEST(test_unique_key_committed_after_the_snapshot_conflicts),
        MV_TEST(test_concurrent_inserts_of_disjoint_rowids_never_conflict),
        MV_TEST(test_racing_updaters_of_one_row_lose_no_update),
        MV_TEST(test_racing_inserts_of_one_unique_key_commit_exactly_one),
        MV_TEST(test_snapshot_reads_keep_the_bank_total_while_transfers_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
