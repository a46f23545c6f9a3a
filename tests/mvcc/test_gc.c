/*
 * tests/mvcc/test_gc.c: garbage collection (mvcc R11): memory stays bounded
 * under steady updates with a long reader, the reader keeps its snapshot,
 * aborted versions go, checkpointed chains are dropped (mvcc R11c), GC
 * running beside writers and readers breaks nothing, and the maps of dropped
 * tables are freed once no snapshot older than the drop remains (store.c D3,
 * gc.c G6: memory stays flat over many DROP TABLE rounds). Prints the memory one
 * version costs. Fixture (mv_fixture.h): f->a writes, f->b is the reader.
 */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mv_fixture.h"

enum { ROWS = 10 };

static void
write_all(mv_fixture *f, int64_t value, bool update)
{
    mv_tx_begin(f->a);
    for (int64_t i = 0; i < ROWS; i++) {
        mv_outcome o = update ? mv_table_update(f->a, f->t, i, &value, sizeof value)
                              : mv_table_insert(f->a, f->t, i, &value, sizeof value);
        assert_int_equal(o, MV_OK);
    }
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
}

static void
test_long_reader_does_not_make_versions_pile_up(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;
    int64_t peak = 0;

    write_all(f, 0, false);
    mv_tx_begin(f->b);                  /* the long reader */
    for (int64_t round = 1; round <= 3000; round++) {
        write_all(f, round, true);
        mv_db_stats(f->db, &st);
        if (st.n_versions_live > peak)
            peak = st.n_versions_live;
        if (round % 500 == 0)
            assert_int_equal(mv_fixture_get(f->b, f->t, 3), 0);
    }
    print_message("peak live versions %lld for %d rows and one long reader\n", (long long)peak, ROWS);
    /* Per row: the reader's version, the newest, and the versions newer than
     * the live-snapshot set's horizon, which is refreshed every 32 commits
     * (gc.c MV_SNAPSET_EVERY): bounded, whatever the number of rounds. */
    assert_true(peak <= ROWS * (32 + 4));
    for (int64_t i = 0; i < ROWS; i++)
        assert_int_equal(mv_fixture_get(f->b, f->t, i), 0);
    mv_tx_rollback(f->b);
    mv_gc_run(f->a);
    mv_db_stats(f->db, &st);
    assert_int_equal(st.n_versions_live, ROWS);
    mv_tx_begin(f->b);
    assert_int_equal(mv_fixture_get(f->b, f->t, 5), 3000);
    mv_tx_rollback(f->b);
}

static void
test_freed_versions_leave_the_allocation_count(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;

    write_all(f, 0, false);
    for (int64_t round = 1; round <= 2000; round++)
        write_all(f, round, true);
    for (int i = 0; i < 4; i++)
        mv_gc_run(f->a);
    mv_tx_free(f->a);           /* waits for the grace period, frees its retirees */
    f->a = NULL;
    mv_db_stats(f->db, &st);
    print_message("allocated versions after 20010 writes: %lld (live %lld)\n",
                  (long long)st.n_versions, (long long)st.n_versions_live);
    assert_int_equal(st.n_versions, st.n_versions_live);
    assert_int_equal(st.n_versions_live, ROWS);
}

static void
test_aborted_versions_are_unlinked(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;
    int64_t v = 5;

    write_all(f, 0, false);
    for (int i = 0; i < 100; i++) {
        mv_tx_begin(f->a);
        assert_int_equal(mv_table_update(f->a, f->t, 1, &v, sizeof v), MV_OK);
        mv_tx_rollback(f->a);
    }
    mv_db_stats(f->db, &st);
    assert_int_equal(st.n_versions_live, ROWS);
    assert_int_equal(st.n_aborts, 100);
}

static void
test_checkpointed_chains_are_dropped_and_reads_fall_to_the_btree(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;
    int64_t v = 77;

    write_all(f, 1, false);
    write_all(f, 2, true);
    mv_gc_set_checkpoint_ts(f->db, mv_db_clock(f->db));
    mv_gc_run(f->a);
    mv_db_stats(f->db, &st);
    assert_int_equal(st.n_nodes, 0);
    assert_int_equal(st.n_versions_live, 0);
    mv_tx_begin(f->b);
    const void *rec;
    uint32_t n;
    assert_int_equal(mv_table_get(f->b, f->t, 3, &rec, &n), MV_ABSENT);
    mv_tx_rollback(f->b);
    /* The key can be written again: a new node replaces the removed one. */
    mv_tx_begin(f->a);
    assert_int_equal(mv_table_update(f->a, f->t, 3, &v, sizeof v), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->b);
    assert_int_equal(mv_fixture_get(f->b, f->t, 3), 77);
    mv_tx_rollback(f->b);
}

static void
test_chain_a_live_snapshot_still_needs_is_not_dropped(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;

    write_all(f, 1, false);
    mv_tx_begin(f->b);
    write_all(f, 2, true);
    mv_gc_set_checkpoint_ts(f->db, mv_db_clock(f->db));
    mv_gc_run(f->a);
    mv_db_stats(f->db, &st);
    assert_int_equal(st.n_nodes, ROWS);
    assert_int_equal(mv_fixture_get(f->b, f->t, 0), 1);
    mv_tx_rollback(f->b);
}

static void
test_memory_per_version_is_printed(void **state)
{
    mv_fixture *f = *state;
    mv_stats before, after;
    (void)f;

    void *probe = malloc(mv_version_footprint(100));
    print_message("version header %zu bytes; a 100-byte row costs %zu bytes (%zu with malloc's rounding)\n",
                  mv_version_footprint(0), mv_version_footprint(100), malloc_usable_size(probe) + 8);
    free(probe);
    mv_db_stats(f->db, &before);
    write_all(f, 0, false);
    mv_db_stats(f->db, &after);
    print_message("10 rows of 8 bytes: %lld bytes of versions\n",
                  (long long)(after.bytes_versions - before.bytes_versions));
    assert_int_equal(after.bytes_versions - before.bytes_versions, ROWS * (int64_t)mv_version_footprint(8));
}

/* --- GC beside writers and readers ----------------------------------------------- */

/*
 * The bank: BANK accounts start at 0 in one commit C0, and the "B-tree"
 * holds that state: checkpoint ts = C0, so GC drops the chains of accounts
 * nobody touched since (mvcc R11c) and a reader that finds nothing in the
 * store reads 0, as the B-tree would give it. Transfers keep the sum 0.
 */
enum { BANK = 256 };

typedef struct worker {
    mv_fixture *f;
    int id;
    _Atomic int *stop;
    int errors;
    int commits;
} worker;

static int64_t
balance(mv_tx *tx, mv_table *t, int64_t rowid)
{
    const void *rec;
    uint32_t n;
    int64_t v = 0;      /* absent from the store: the B-tree's 0 */

    if (mv_table_get(tx, t, rowid, &rec, &n) == MV_ROW)
        memcpy(&v, rec, sizeof v);
    return v;
}

static void *
writer(void *arg)
{
    worker *w = arg;
    mv_tx *tx;
    unsigned seed = (unsigned)w->id + 1;

    mv_tx_new(w->f->db, &tx);
    for (int i = 0; i < 3000; i++) {
        int64_t a = rand_r(&seed) % BANK, b = (a + 1 + rand_r(&seed) % (BANK - 1)) % BANK;
        mv_tx_begin(tx);
        int64_t va = balance(tx, w->f->t, a) - 1, vb = balance(tx, w->f->t, b) + 1;
        mv_table_update(tx, w->f->t, a, &va, sizeof va);
        mv_table_update(tx, w->f->t, b, &vb, sizeof vb);
        if (mv_tx_commit(tx, MV_SYNC_OFF) == CHORUS_OK)
            w->commits++;
    }
    atomic_fetch_add(w->stop, 1);
    mv_tx_free(tx);
    return NULL;
}

static void *
reader(void *arg)
{
    worker *w = arg;
    mv_tx *tx;

    mv_tx_new(w->f->db, &tx);
    while (atomic_load(w->stop) < 2) {
        mv_tx_begin(tx);
        int64_t sum = 0;
        for (int64_t i = 0; i < BANK; i++)
            sum += balance(tx, w->f->t, i);
        if (sum != 0)
            w->errors++;
        mv_tx_rollback(tx);
    }
    mv_tx_free(tx);
    return NULL;
}

static void *
collector(void *arg)
{
    worker *w = arg;
    mv_tx *tx;

    mv_tx_new(w->f->db, &tx);
    while (atomic_load(w->stop) < 2)
        mv_gc_run(tx);
    mv_tx_free(tx);
    return NULL;
}

static void
test_gc_beside_writers_and_readers_keeps_every_snapshot_whole(void **state)
{
    mv_fixture *f = *state;
    pthread_t th[4];
    worker w[4];
    _Atomic int stop = 0;
    int64_t zero = 0;

    mv_tx_begin(f->a);
    for (int64_t i = 0; i < BANK; i++)
        assert_int_equal(mv_table_insert(f->a, f->t, i, &zero, sizeof zero), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_gc_set_checkpoint_ts(f->db, mv_tx_commit_ts(f->a));
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){.f = f, .id = i, .stop = &stop};
        pthread_create(&th[i], NULL, i < 2 ? writer : i == 2 ? reader : collector, &w[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(w[2].errors, 0);
    assert_true(w[0].commits + w[1].commits > 0);
    mv_tx_begin(f->b);
    int64_t sum = 0;
    for (int64_t i = 0; i < BANK; i++)
        sum += balance(f->b, f->t, i);
    assert_int_equal(sum, 0);
    mv_tx_rollback(f->b);
}

/* --- dropped maps (store.c D3, gc.c G6) --------------------------------------- */

enum { DROPPED_ID = 100, DROP_ROUNDS = 400 };

/* DROP TABLE as the engine runs it: an exclusive schema change drops the
 * map (by then the B-tree would hold its rows) and commits (mvcc R21). */
static void
drop_table(mv_fixture *f)
{
    assert_int_equal(mv_tx_begin_exclusive(f->a), CHORUS_OK);
    mv_tx_mark_schema_change(f->a);
    mv_db_drop_map(f->db, DROPPED_ID, false);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
}

/* One round for a table created again on the same root: a map for the id,
 * rows committed into it, the table dropped. */
static void
create_fill_drop(mv_fixture *f, int64_t value)
{
    mv_table *t;

    assert_int_equal(mv_table_open(f->db, DROPPED_ID, "dropped", &t), CHORUS_OK);
    mv_tx_begin(f->a);
    for (int64_t i = 0; i < ROWS; i++)
        assert_int_equal(mv_table_insert(f->a, t, i, &value, sizeof value), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    drop_table(f);
}

/* Full GC passes until the maps retired through the epochs are freed. */
static void
gc_until_reclaimed(mv_fixture *f)
{
    mv_stats st;

    for (int i = 0; i < 8; i++) {
        mv_gc_run(f->a);
        mv_db_stats(f->db, &st);
        if (st.n_maps_dropped == 0 && st.n_versions == 0)
            return;
    }
}

static void
test_dropped_maps_are_reclaimed_without_memory_growth(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;
    int64_t peak_maps = 0, peak_versions = 0;

    for (int64_t round = 1; round <= DROP_ROUNDS; round++) {
        create_fill_drop(f, round);
        mv_db_stats(f->db, &st);
        if (st.n_maps > peak_maps)
            peak_maps = st.n_maps;
        if (st.n_versions > peak_versions)
            peak_versions = st.n_versions;
    }
    print_message("%d tables dropped: at most %lld maps and %lld versions held\n", DROP_ROUNDS,
                  (long long)peak_maps, (long long)peak_versions);
    /* The live-snapshot set is refreshed every 32 commits (two per round),
     * and what it retires is freed a grace period later: a few dozen
     * dropped maps wait at most, whatever the number of rounds. */
    assert_true(peak_maps <= 1 + 40);
    assert_true(peak_versions <= ROWS * 40);
    gc_until_reclaimed(f);
    mv_db_stats(f->db, &st);
    assert_int_equal(st.n_maps, 1);                     /* the fixture's t */
    assert_int_equal(st.n_maps_dropped, 0);
    assert_int_equal(st.n_versions, 0);
    assert_int_equal(st.n_versions_live, 0);
    assert_int_equal(st.n_nodes, 0);
}

/* A snapshot taken before the drop keeps the map: it still reads it (under
 * ASan, a freed map would show here) while later rounds drop and reclaim
 * their own maps; once it ends, its map goes too. */
static void
test_a_snapshot_older_than_the_drop_keeps_the_map(void **state)
{
    mv_fixture *f = *state;
    mv_stats st;
    mv_table *old;

    assert_int_equal(mv_table_open(f->db, DROPPED_ID, "dropped", &old), CHORUS_OK);
    mv_tx_begin(f->a);
    for (int64_t i = 0; i < ROWS; i++) {
        int64_t value = 7;
        assert_int_equal(mv_table_insert(f->a, old, i, &value, sizeof value), MV_OK);
    }
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    mv_tx_begin(f->b);                                  /* older than the drop */
    assert_int_equal(mv_fixture_get(f->b, old, 3), 7);
    drop_table(f);
    for (int64_t round = 1; round <= 100; round++)
        create_fill_drop(f, round);
    gc_until_reclaimed(f);
    mv_db_stats(f->db, &st);
    assert_true(st.n_maps_dropped >= 1);
    for (int64_t i = 0; i < ROWS; i++)
        assert_int_equal(mv_fixture_get(f->b, old, i), 7);
    mv_tx_rollback(f->b);
    gc_until_reclaimed(f);
    mv_db_stats(f->db, &st);
    assert_int_equal(st.n_maps_dropped, 0);
    assert_int_equal(st.n_maps, 1);
    assert_int_equal(st.n_versions, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        MV_TEST(test_long_reader_does_not_make_versions_pile_up),
        MV_TEST(test_freed_versions_leave_the_allocation_count),
        MV_TEST(test_aborted_versions_are_unlinked),
        MV_TEST(test_checkpointed_chains_are_dropped_and_reads_fall_to_the_btree),
        MV_TEST(test_chain_a_live_snapshot_still_needs_is_not_dropped),
        MV_TEST(test_memory_per_version_is_printed),
        MV_TEST(test_gc_beside_writers_and_readers_keeps_every_snapshot_whole),
        MV_TEST(test_dropped_maps_are_reclaimed_without_memory_growth),
        MV_TEST(test_a_snapshot_older_than_the_drop_keeps_the_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
