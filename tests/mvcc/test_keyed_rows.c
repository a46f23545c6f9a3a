/*
 * tests/mvcc/test_keyed_rows.c: keyed rows and prefix-UNIQUE index maps,
 * the version store's side of WITHOUT ROWID tables (mvcc.h
 * mv_index_put_row, mv_index_open_prefix): writers of one key meet at its
 * chain (mvcc R8) and a reader gets the row back; a UNIQUE key that is the
 * leading part of the key bytes is checked against every other entry with
 * it, before and after the inserting key's place (R9); a keyed row put
 * survives the log (MV_LOG_KEYED_PUT: written, recovered, replayed, R16)
 * and the checkpoint scan hands it over with its key (R17); a frame whose
 * key length passes its bytes is malformed.
 * Keys here are plain bytes; a "UNIQUE" key is their first byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mv_fixture.h"
#include "mvcc.h"
#include "test_support.h"

enum { KEYED = 40, PREFIXED = 41 };

static int
first_byte_same(void *ctx, const void *a, uint32_t na, const void *b, uint32_t nb)
{
    (void)ctx;
    if (na == 0 || nb == 0)
        return na == nb ? 0 : 1;
    return *(const uint8_t *)a - *(const uint8_t *)b;
}

/* The row a fresh reader (tx, not open) sees under key; "" when none. */
static const char *
read_row(mv_tx *tx, mv_index *ix, const char *key)
{
    static char buf[64];
    mv_cursor *cur;
    const void *rec = NULL;
    uint32_t n = 0;

    buf[0] = 0;
    assert_int_equal(mv_tx_begin(tx), CHORUS_OK);
    assert_int_equal(mv_cursor_open_index(tx, ix, &cur), CHORUS_OK);
    if (mv_cursor_seek_key(cur, key, (uint32_t)strlen(key), 0) &&
        mv_cursor_row(cur, &rec, &n) == MV_ROW) {
        uint32_t nk = 0;
        const void *k = mv_cursor_key(cur, &nk);
        if (nk == strlen(key) && memcmp(k, key, nk) == 0)
            snprintf(buf, sizeof buf, "%.*s", (int)n, (const char *)rec);
    }
    mv_cursor_close(cur);
    mv_tx_rollback(tx);
    return buf;
}

static void
test_writers_of_one_key_meet_at_its_chain(void **state)
{
    mv_fixture *f = *state;
    mv_index *ix;
    char *msg = NULL;

    assert_int_equal(mv_index_open(f->db, KEYED, "w", NULL, NULL, &ix), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f->b), CHORUS_OK);
    assert_int_equal(mv_index_put_row(f->a, ix, "k1", 2, "row-a", 5), MV_OK);
    assert_int_equal(mv_index_put_row(f->b, ix, "k2", 2, "row-b", 5), MV_OK);
    assert_int_equal(mv_index_put_row(f->b, ix, "k1", 2, "row-x", 5), MV_CONFLICT_ACTIVE);
    assert_int_equal(mv_outcome_rc(MV_CONFLICT_ACTIVE, "table", "w", 0, "('k1')", &msg),
                     CHORUS_CONFLICT);
    assert_string_equal(msg, "conflict: row ('k1') of table w was changed by a concurrent "
                             "transaction");
    free(msg);
    mv_tx_rollback(f->b);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    assert_string_equal(read_row(f->b, ix, "k1"), "row-a");
    assert_string_equal(read_row(f->b, ix, "k2"), "");

    /* Over a visible row an insert is MV_EXISTS; after our delete it is new. */
    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_index_put_row(f->a, ix, "k1", 2, "row-2", 5), MV_EXISTS);
    assert_int_equal(mv_index_delete(f->a, ix, "k1", 2, 0), MV_OK);
    assert_int_equal(mv_index_put_row(f->a, ix, "k1", 2, "row-2", 5), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);
    assert_string_equal(read_row(f->b, ix, "k1"), "row-2");
}

static void
test_prefix_unique_keys_are_checked_on_both_sides(void **state)
{
    mv_fixture *f = *state;
    mv_index *ix;

    assert_int_equal(mv_index_open_prefix(f->db, PREFIXED, "w_u", NULL, first_byte_same, NULL,
                                          &ix), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "u1", 2, 0, true), MV_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "v3", 2, 0, true), MV_OK);
    assert_int_equal(mv_tx_commit(f->a, MV_SYNC_OFF), CHORUS_OK);

    assert_int_equal(mv_tx_begin(f->b), CHORUS_OK);
    assert_int_equal(mv_index_insert(f->b, ix, "u2", 2, 0, true), MV_EXISTS);  /* after u1 */
    assert_int_equal(mv_index_insert(f->b, ix, "v1", 2, 0, true), MV_EXISTS);  /* before v3 */
    assert_int_equal(mv_index_insert(f->b, ix, "w1", 2, 0, true), MV_OK);
    /* Its own entry is no other one. */
    assert_int_equal(mv_index_delete(f->b, ix, "w1", 2, 0), MV_OK);
    assert_int_equal(mv_index_insert(f->b, ix, "w1", 2, 0, true), MV_OK);

    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "w2", 2, 0, true), MV_CONFLICT_ACTIVE);
    mv_tx_rollback(f->a);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_OK);
    /* Committed after a's snapshot: a conflict, not a constraint. */
    assert_int_equal(mv_tx_begin(f->a), CHORUS_OK);
    assert_int_equal(mv_tx_begin(f->b), CHORUS_OK);
    assert_int_equal(mv_index_insert(f->b, ix, "x5", 2, 0, true), MV_OK);
    assert_int_equal(mv_tx_commit(f->b, MV_SYNC_OFF), CHORUS_OK);
    assert_int_equal(mv_index_insert(f->a, ix, "x1", 2, 0, true), MV_CONFLICT_COMMITTED);
    mv_tx_rollback(f->a);
}

typedef struct keyed_seen {
    int n;
    mv_log_op op[4];
    char key[4][16];
    char data[4][16];
} keyed_seen;

static void
note(keyed_seen *s, const mv_log_record *r)
{
    int i = s->n++;

    assert_true(i < 4);
    s->op[i] = r->op;
    snprintf(s->key[i], sizeof s->key[i], "%.*s", (int)r->nkey, r->key ? (char *)r->key : "");
    snprintf(s->data[i], sizeof s->data[i], "%.*s", (int)r->nbytes,
             r->data ? (char *)r->data : "");
}

static int
note_record(void *ctx, const mv_log_record *r)
{
    note(ctx, r);
    return CHORUS_OK;
}

static int
collect(void *ctx, const mv_log_frame *frame)
{
    uint32_t pos = 0;
    mv_log_record r;
    int more;

    while ((more = mv_log_frame_next(frame, &pos, &r)) == 1)
        note(ctx, &r);
    return more == 0 ? CHORUS_OK : more;
}

static int
index_info(void *ctx, uint32_t object, bool is_index, const char **name_out,
           mv_key_compare *compare_out, mv_key_compare *same_unique_out, void **compare_ctx_out)
{
    (void)ctx;
    assert_true(is_index);
    assert_int_equal(object, KEYED);
    *name_out = "w";
    *compare_out = NULL;
    *same_unique_out = NULL;
    *compare_ctx_out = NULL;
    return CHORUS_OK;
}

static int
replay(void *ctx, const mv_log_frame *frame)
{
    return mv_replay_frame(ctx, frame, index_info, NULL);
}

static void
test_a_keyed_row_survives_the_log(void **state)
{
    mv_log_record recs[2] = {
        {MV_LOG_KEYED_PUT, KEYED, 0, (const uint8_t *)"row-1", 5, (const uint8_t *)"k1", 2},
        {MV_LOG_INDEX_DELETE, KEYED, 0, (const uint8_t *)"k0", 2, NULL, 0},
    };
    char path[512];
    keyed_seen s = {0};
    mv_log_recovery rec;
    mv_log *log;
    mv_db *db;
    mv_tx *tx;
    mv_index *ix;

    (void)state;
    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, &rec, &log), CHORUS_OK);
    assert_int_equal(mv_log_append(log, 7, recs, 2, MV_SYNC_FULL), CHORUS_OK);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.op[0], MV_LOG_KEYED_PUT);
    assert_string_equal(s.key[0], "k1");
    assert_string_equal(s.data[0], "row-1");
    assert_int_equal(s.op[1], MV_LOG_INDEX_DELETE);
    assert_string_equal(s.data[1], "k0");

    assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, replay, db, &rec), CHORUS_OK);
    assert_int_equal(mv_index_open(db, KEYED, "w", NULL, NULL, &ix), CHORUS_OK);
    assert_int_equal(mv_tx_new(db, &tx), CHORUS_OK);
    assert_string_equal(read_row(tx, ix, "k1"), "row-1");
    assert_string_equal(read_row(tx, ix, "k0"), "");

    /* The checkpoint scan hands the row over with its key (R17). */
    s.n = 0;
    assert_int_equal(mv_checkpoint_scan(tx, 0, mv_db_clock(db), note_record, &s), CHORUS_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.op[0], MV_LOG_INDEX_DELETE);
    assert_int_equal(s.op[1], MV_LOG_KEYED_PUT);
    assert_string_equal(s.key[1], "k1");
    assert_string_equal(s.data[1], "row-1");
    mv_tx_free(tx);
    mv_db_close(db);
    test_tmpdir_remove();
}

static void
test_a_key_longer_than_its_record_is_malformed(void **state)
{
    /* op 5, object, key length 9, n 4, then 4 bytes. */
    static const uint8_t bad[] = {MV_LOG_KEYED_PUT, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0,
                                  4, 0, 0, 0, 'a', 'b', 'c', 'd'};
    mv_log_frame frame = {.commit_ts = 1, .n_records = 1, .records = bad, .nbytes = sizeof bad};
    mv_log_record r;
    uint32_t pos = 0;

    (void)state;
    assert_int_equal(mv_log_frame_next(&frame, &pos, &r), CHORUS_CORRUPT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        MV_TEST(test_writers_of_one_key_meet_at_its_chain),
        MV_TEST(test_prefix_unique_keys_are_checked_on_both_sides),
        cmocka_unit_test(test_a_keyed_row_survives_the_log),
        cmocka_unit_test(test_a_key_longer_than_its_record_is_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
