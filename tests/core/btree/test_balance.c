/*
 * tests/core/btree/test_balance.c: randomized inserts, replaces and deletes
 * in table and index trees, checked against an in-memory model after every
 * batch together with the integrity check (balance invariants BA1-BA3,
 * freelist rules F1-F4, integrity rules I1-I5).
 */
#include "btree_fixture.h"

enum { N_IDS = 20000 };

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t
rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Payload sizes from empty to several pages, mostly small. */
static uint32_t
random_size(uint32_t page_size)
{
    switch (rnd(10)) {
    case 0:
        return rnd(3 * page_size);
    case 1:
    case 2:
        return rnd(page_size / 2);
    default:
        return rnd(60);
    }
}

typedef struct model {
    int32_t len[N_IDS];         /* -1: absent */
    uint32_t seed[N_IDS];
    int64_t count;
} model;

static void
check_table(btree_cursor *cur, const model *m)
{
    bool eof;
    int64_t rowid, n = 0, prev = -1;
    uint8_t *want = malloc(65536 * 4);

    for (btree_first(cur, &eof); !eof; btree_next(cur, &eof)) {
        const uint8_t *data;
        uint32_t len;
        assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
        assert_true(rowid > prev && rowid < N_IDS);
        for (int64_t r = prev + 1; r < rowid; r++)
            assert_int_equal(m->len[r], -1);
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        assert_int_equal((int32_t)len, m->len[rowid]);
        fill_payload(want, len, m->seed[rowid]);
        assert_memory_equal(data, want, len);
        prev = rowid;
        n++;
    }
    assert_int_equal(n, m->count);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, m->count);
    free(want);
}

static void
run_table(uint32_t page_size, int batches, int ops_per_batch)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root, pages_full, freelist;
    model *m = malloc(sizeof *m);
    uint8_t *buf = malloc(65536 * 4);

    for (int i = 0; i < N_IDS; i++)
        m->len[i] = -1;
    m->count = 0;
    fixture_open(&f, page_size);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    for (int b = 0; b < batches; b++) {
        assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
        for (int op = 0; op < ops_per_batch; op++) {
            uint32_t id = rnd(N_IDS);
            bool eof, exact;
            /* Early batches mostly insert, later ones mostly delete. */
            if (rnd(batches) >= (uint32_t)b || m->len[id] < 0) {
                uint32_t size = random_size(page_size);
                m->seed[id] = rnd(1u << 30);
                fill_payload(buf, size, m->seed[id]);
                assert_int_equal(btree_insert(cur, id, buf, size), CHORUS_OK);
                m->count += m->len[id] < 0;
                m->len[id] = (int32_t)size;
            } else {
                assert_int_equal(btree_seek_rowid(cur, id, BTREE_SEEK_GE, &eof, &exact),
                                 CHORUS_OK);
                assert_true(exact);
                assert_int_equal(btree_delete(cur), CHORUS_OK);
                m->len[id] = -1;
                m->count--;
            }
        }
        check_table(cur, m);
        btree_cursor_close(cur);
        fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
        fixture_commit(&f);
    }
    /* Deleting every row gives the pages back: the tree shrinks to its root. */
    pages_full = pager_tx_page_count(f.tx);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    for (int id = 0; id < N_IDS; id++) {
        bool eof, exact;
        if (m->len[id] < 0)
            continue;
        assert_int_equal(btree_seek_rowid(cur, id, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
        assert_true(exact);
        assert_int_equal(btree_delete(cur), CHORUS_OK);
        m->len[id] = -1;
        m->count--;
    }
    check_table(cur, m);
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_FREELIST_COUNT, &freelist), CHORUS_OK);
    assert_int_equal(freelist, pages_full - 2);
    fixture_close(&f);
    free(m);
    free(buf);
}

static void
test_random_table_operations_match_the_model_4k(void **state)
{
    run_table(4096, 12, 2500);
}

static void
test_random_table_operations_match_the_model_512(void **state)
{
    run_table(512, 8, 2000);
}

static void
test_random_table_operations_match_the_model_64k(void **state)
{
    run_table(65536, 4, 1500);
}

/* --- index trees ---------------------------------------------------------- */

/* Index key for id: (text of a length and letters derived from id, id). */
static uint32_t
index_key(uint32_t id, uint32_t page_size, uint8_t *buf, char *text)
{
    uint32_t len = id % 13 == 0 ? (id * 7919u) % (2 * page_size) : (id * 31u) % 40;
    value vals[2];

    for (uint32_t i = 0; i < len; i++)
        text[i] = (char)((i == 0 ? 'a' + (id * 17) % 26 : 'A' + (id + i) % 26) ^ (i % 2 ? 32 : 0));
    value_set_text_ref(&vals[0], text, (int32_t)len);
    value_set_int(&vals[1], id);
    return (uint32_t)record_encode(vals, 2, buf);
}

static void
check_index(btree_cursor *cur, const key_info *ki, const bool *present, int64_t count)
{
    bool eof;
    int64_t n = 0;
    uint8_t *prev = malloc(4 * 65536);
    uint32_t prev_len = 0;

    for (btree_first(cur, &eof); !eof; btree_next(cur, &eof)) {
        const uint8_t *data;
        uint32_t len;
        value v;
        int rc;
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        assert_int_equal(record_column(data, len, 1, &v), CHORUS_OK);
        assert_true(v.type == VALUE_INTEGER && v.u.i >= 0 && v.u.i < N_IDS);
        assert_true(present[v.u.i]);
        if (n > 0)
            assert_true(record_compare(ki, prev, prev_len, data, len, &rc) < 0);
        memcpy(prev, data, len);
        prev_len = len;
        n++;
    }
    assert_int_equal(n, count);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, count);
    free(prev);
}

static void
run_index(uint32_t page_size, const key_info *ki, int batches, int ops_per_batch)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root, freelist, pages_full;
    bool *present = calloc(N_IDS, sizeof *present);
    uint8_t *buf = malloc(4 * 65536);
    char *text = malloc(2 * 65536);
    int64_t count = 0;

    fixture_open(&f, page_size);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &root), CHORUS_OK);
    for (int b = 0; b < batches; b++) {
        assert_int_equal(btree_cursor_open(f.tx, root, ki, true, &cur), CHORUS_OK);
        for (int op = 0; op < ops_per_batch; op++) {
            uint32_t id = rnd(N_IDS), len = index_key(id, page_size, buf, text);
            if (rnd(batches) >= (uint32_t)b || !present[id]) {
                int irc = btree_index_insert(cur, buf, len);
                if (irc != CHORUS_OK)
                    fail_msg("insert %u: rc %d at %s", id, irc, common_corrupt_site());
                count += !present[id];
                present[id] = true;
            } else {
                value probe[2];
                bool eof;
                const uint8_t *data;
                uint32_t n;
                int rc;
                record_cursor rcur;
                record_cursor_init(&rcur);
                assert_int_equal(record_cursor_parse(&rcur, buf, len), CHORUS_OK);
                record_cursor_column(&rcur, 0, &probe[0]);
                record_cursor_column(&rcur, 1, &probe[1]);
                assert_int_equal(btree_seek_key(cur, probe, 2, BTREE_SEEK_GE, &eof), CHORUS_OK);
                assert_false(eof);
                assert_int_equal(btree_payload(cur, &data, &n), CHORUS_OK);
                assert_int_equal(record_compare(ki, data, n, buf, len, &rc), 0);
                record_cursor_free(&rcur);
                assert_int_equal(btree_delete(cur), CHORUS_OK);
                present[id] = false;
                count--;
            }
        }
        check_index(cur, ki, present, count);
        btree_cursor_close(cur);
        fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, ki}, 2);
        fixture_commit(&f);
    }
    pages_full = pager_tx_page_count(f.tx);
    assert_int_equal(btree_cursor_open(f.tx, root, ki, true, &cur), CHORUS_OK);
    for (bool eof = (btree_first(cur, &eof), eof); !eof; btree_next(cur, &eof))
        assert_int_equal(btree_delete(cur), CHORUS_OK);
    memset(present, 0, N_IDS * sizeof *present);
    check_index(cur, ki, present, 0);
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, ki}, 2);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_FREELIST_COUNT, &freelist), CHORUS_OK);
    assert_int_equal(freelist, pages_full - 2);
    fixture_close(&f);
    free(present);
    free(buf);
    free(text);
}

static void
test_random_index_operations_match_the_model(void **state)
{
    key_info ki = {.n_fields = 1};

    run_index(4096, &ki, 8, 2500);
}

static void
test_random_index_operations_with_desc_nocase_keys(void **state)
{
    key_info ki = {.n_fields = 1, .desc = {1}, .coll = {COLLATE_NOCASE}};

    run_index(1024, &ki, 8, 2000);
}

static void
test_drop_returns_every_page_to_the_freelist(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root, freelist, root2;
    uint8_t buf[3000];
    int64_t n;

    fixture_open(&f, 1024);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    for (int i = 0; i < 2000; i++) {
        uint32_t size = random_size(1024) % sizeof buf;
        fill_payload(buf, size, (uint64_t)i);
        assert_int_equal(btree_insert(cur, i, buf, size), CHORUS_OK);
    }
    btree_cursor_close(cur);
    assert_int_equal(btree_clear(f.tx, root, &n), CHORUS_OK);
    assert_int_equal(n, 2000);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    assert_int_equal(btree_drop(f.tx, root), CHORUS_OK);
    fixture_check(&f, (uint32_t[]){1}, NULL, 1);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_FREELIST_COUNT, &freelist), CHORUS_OK);
    assert_int_equal(freelist, pager_tx_page_count(f.tx) - 1);
    /* Free pages are reused before the file grows (rule F1). */
    uint32_t before = pager_tx_page_count(f.tx);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &root2), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(f.tx), before);
    assert_int_equal(btree_drop(f.tx, 1), CHORUS_MISUSE);
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_random_table_operations_match_the_model_4k, teardown),
        cmocka_unit_test_teardown(test_random_table_operations_match_the_model_512, teardown),
        cmocka_unit_test_teardown(test_random_table_operations_match_the_model_64k, teardown),
        cmocka_unit_test_teardown(test_random_index_operations_match_the_model, teardown),
        cmocka_unit_test_teardown(test_random_index_operations_with_desc_nocase_keys, teardown),
        cmocka_unit_test_teardown(test_drop_returns_every_page_to_the_freelist, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
