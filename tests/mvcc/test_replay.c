/*
 * tests/mvcc/test_replay.c: recovered log frames replayed into a fresh
 * store (mvcc R16): rows, deletes and index entries come back committed at
 * their timestamps, in log order; the clock and the rowid allocator move
 * above them; malformed frames and failing callbacks stop the replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mvcc.h"
#include "test_support.h"

enum { TABLE = 7, INDEX = 9 };

typedef struct replay_ctx {
    mv_db *db;
    int n_index_calls;
    int fail_index;             /* index callback returns this when non-zero */
} replay_ctx;

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static int
index_info(void *ctx, uint32_t object, bool is_index, const char **name_out,
           mv_key_compare *compare_out, mv_key_compare *same_unique_out, void **compare_ctx_out)
{
    replay_ctx *r = ctx;

    if (!is_index) {
        assert_int_equal(object, TABLE);
        *name_out = "t";
        return CHORUS_OK;
    }
    r->n_index_calls++;
    if (r->fail_index != 0)
        return r->fail_index;
    assert_int_equal(object, INDEX);
    *name_out = "t_k";
    *compare_out = NULL;        /* bytes */
    *same_unique_out = NULL;
    *compare_ctx_out = NULL;
    return CHORUS_OK;
}

static int
replay(void *ctx, const mv_log_frame *frame)
{
    replay_ctx *r = ctx;
    return mv_replay_frame(r->db, frame, index_info, r);
}

/* Writes a log with three commits through a store with the log attached. */
static void
write_log(const char *path, uint64_t *last_ts)
{
    mv_log_options opts = {.use_uring = 0};
    mv_log *log;
    mv_db *db;
    mv_tx *tx;
    mv_table *t;
    mv_index *ix;

    assert_int_equal(mv_log_open(path, &opts, NULL, NULL, NULL, &log), CHORUS_OK);
    assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
    mv_db_attach_log(db, log);
    assert_int_equal(mv_table_open(db, TABLE, "t", &t), CHORUS_OK);
    assert_int_equal(mv_index_open(db, INDEX, "t_k", NULL, NULL, &ix), CHORUS_OK);
    assert_int_equal(mv_tx_new(db, &tx), CHORUS_OK);

    assert_int_equal(mv_tx_begin(tx), CHORUS_OK);          /* 1: rows 1, 2, 3 */
    for (int64_t r = 1; r <= 3; r++)
        assert_int_equal(mv_table_insert(tx, t, r, "v1", 2), MV_OK);
    assert_int_equal(mv_index_insert(tx, ix, "k1", 2, 1, true), MV_OK);
    assert_int_equal(mv_tx_commit(tx, MV_SYNC_FULL), CHORUS_OK);

    assert_int_equal(mv_tx_begin(tx), CHORUS_OK);          /* 2: update 2, delete 3 */
    assert_int_equal(mv_table_update(tx, t, 2, "v2", 2), MV_OK);
    assert_int_equal(mv_table_delete(tx, t, 3), MV_OK);
    assert_int_equal(mv_tx_commit(tx, MV_SYNC_FULL), CHORUS_OK);

    assert_int_equal(mv_tx_begin(tx), CHORUS_OK);          /* 3: row 100, index moves */
    assert_int_equal(mv_table_insert(tx, t, 100, "v3", 2), MV_OK);
    assert_int_equal(mv_index_delete(tx, ix, "k1", 2, 1), MV_OK);
    assert_int_equal(mv_index_insert(tx, ix, "k2", 2, 1, true), MV_OK);
    assert_int_equal(mv_tx_commit(tx, MV_SYNC_FULL), CHORUS_OK);
    *last_ts = mv_tx_commit_ts(tx);

    mv_tx_free(tx);
    mv_db_attach_log(db, NULL);
    mv_db_close(db);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
}

static void
expect_row(mv_tx *tx, mv_table *t, int64_t rowid, const char *want)
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
test_replayed_frames_show_the_last_committed_state(void **state)
{
    char path[512];
    uint64_t last_ts;
    replay_ctx r = {0};
    mv_log_recovery rec;
    mv_table *t;
    mv_index *ix;
    mv_cursor *cur;
    mv_tx *tx;

    assert_non_null(test_tmpdir());
    write_log(test_path(path, sizeof path, "db-log"), &last_ts);
    assert_int_equal(mv_db_open(0, &r.db), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, replay, &r, &rec), CHORUS_OK);
    assert_int_equal(rec.n_frames, 3);
    assert_int_equal(r.n_index_calls, 1);                   /* opened once */
    assert_int_equal(mv_db_clock(r.db), last_ts);

    assert_int_equal(mv_table_open(r.db, TABLE, "t", &t), CHORUS_OK);
    assert_int_equal(mv_index_open(r.db, INDEX, "t_k", NULL, NULL, &ix), CHORUS_OK);
    assert_int_equal(mv_tx_new(r.db, &tx), CHORUS_OK);
    assert_int_equal(mv_tx_begin(tx), CHORUS_OK);
    expect_row(tx, t, 1, "v1");
    expect_row(tx, t, 2, "v2");
    expect_row(tx, t, 3, NULL);
    expect_row(tx, t, 100, "v3");
    assert_int_equal(mv_cursor_open_index(tx, ix, &cur), CHORUS_OK);
    assert_true(mv_cursor_first(cur));
    {
        uint32_t n;
        const void *k = mv_cursor_key(cur, &n);
        assert_int_equal(mv_cursor_row(cur, NULL, NULL), MV_DELETED);   /* k1 */
        assert_memory_equal(k, "k1", 2);
    }
    assert_true(mv_cursor_next(cur));
    assert_int_equal(mv_cursor_row(cur, NULL, NULL), MV_ROW);           /* k2 */
    assert_false(mv_cursor_next(cur));
    mv_cursor_close(cur);
    assert_int_equal(mv_table_rowid_next(t), 101);
    mv_tx_rollback(tx);

    /* A new commit is stamped above everything replayed, and can supersede it. */
    assert_int_equal(mv_tx_begin(tx), CHORUS_OK);
    assert_int_equal(mv_table_update(tx, t, 2, "v4", 2), MV_OK);
    assert_int_equal(mv_tx_commit(tx, MV_SYNC_OFF), CHORUS_OK);
    assert_true(mv_tx_commit_ts(tx) > last_ts);
    mv_tx_free(tx);
    mv_db_close(r.db);
}

static void
test_replay_keeps_superseded_versions_under_the_newest(void **state)
{
    /* Replay keeps the superseded versions (ends stamped), so a snapshot at
     * an intermediate timestamp would read them; GC may drop them later. */
    char path[512];
    uint64_t last_ts;
    replay_ctx r = {0};
    mv_stats st;

    assert_non_null(test_tmpdir());
    write_log(test_path(path, sizeof path, "db-log"), &last_ts);
    assert_int_equal(mv_db_open(0, &r.db), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, replay, &r, NULL), CHORUS_OK);
    mv_db_stats(r.db, &st);
    assert_int_equal(st.n_versions_live, 9);    /* 3 + 1, 2, 3 records */
    assert_int_equal(st.n_nodes, 6);            /* rows 1, 2, 3, 100; keys k1, k2 */
    mv_db_close(r.db);
}

static void
test_replay_stops_with_the_index_callbacks_error(void **state)
{
    char path[512];
    uint64_t last_ts;
    replay_ctx r = {.fail_index = CHORUS_CORRUPT};

    assert_non_null(test_tmpdir());
    write_log(test_path(path, sizeof path, "db-log"), &last_ts);
    assert_int_equal(mv_db_open(0, &r.db), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, replay, &r, NULL), CHORUS_CORRUPT);
    mv_db_close(r.db);
}

static void
test_replay_rejects_a_frame_whose_records_do_not_fit(void **state)
{
    static const uint8_t bad[] = {MV_LOG_ROW_PUT, 1, 2, 3};
    mv_log_frame frame = {.commit_ts = 5, .n_records = 1, .records = bad, .nbytes = sizeof bad};
    mv_db *db;

    assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
    assert_int_equal(mv_replay_frame(db, &frame, NULL, NULL), CHORUS_CORRUPT);
    assert_int_equal(mv_db_clock(db), 0);
    mv_db_close(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_replayed_frames_show_the_last_committed_state, teardown),
        cmocka_unit_test_teardown(test_replay_keeps_superseded_versions_under_the_newest,
                                  teardown),
        cmocka_unit_test_teardown(test_replay_stops_with_the_index_callbacks_error, teardown),
        cmocka_unit_test(test_replay_rejects_a_frame_whose_records_do_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
