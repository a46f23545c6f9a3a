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

/*
 * Rows appended in rowid order take balance.c's quick path: each full leaf
 * is left as it is and the next row starts a new right-most leaf, so every
 * leaf but the last ends up full (here 18 rows of 53-byte cells on 1024-byte
 * pages). Cursors come and go as the catalog's do, some rows spill to
 * overflow pages, and deleting every row from the front gives all pages
 * back.
 */
static void
test_rowid_order_appends_fill_every_leaf_then_delete_cleanly(void **state)
{
    enum { ROWS = 5000 };
    fixture f;
    btree_cursor *cur = NULL;
    uint32_t root, pages_full, freelist;
    uint8_t *buf = malloc(4096), *want = malloc(4096);
    int64_t n = 0;
    bool eof;

    fixture_open(&f, 1024);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    for (int64_t id = 1; id <= ROWS; id++) {
        uint32_t size = id % 997 == 0 ? 3000 : 50;
        if (id % 100 == 1) {
            btree_cursor_close(cur);
            assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
        }
        fill_payload(buf, size, (uint64_t)id);
        assert_int_equal(btree_insert(cur, id, buf, size), CHORUS_OK);
    }
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    /* 278 full leaves, one more beside each of the 5 big rows, their 10
     * overflow pages, 3-4 interior pages, the root and page 1 (leaves split
     * in halves would need about 560 pages). */
    assert_true(pager_tx_page_count(f.tx) <= 305);
    for (btree_first(cur, &eof); !eof; btree_next(cur, &eof)) {
        const uint8_t *data;
        uint32_t len;
        int64_t rowid;
        assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
        assert_int_equal(rowid, ++n);
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        assert_int_equal(len, rowid % 997 == 0 ? 3000 : 50);
        fill_payload(want, len, (uint64_t)rowid);
        assert_memory_equal(data, want, len);
    }
    assert_int_equal(n, ROWS);
    pages_full = pager_tx_page_count(f.tx);
    while (btree_first(cur, &eof) == CHORUS_OK && !eof)
        assert_int_equal(btree_delete(cur), CHORUS_OK);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, 0);
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_FREELIST_COUNT, &freelist), CHORUS_OK);
    assert_int_equal(freelist, pages_full - 2);
    fixture_close(&f);
    free(buf);
    free(want);
}

/* Index key (k, id): an integer key with a rowid, as CREATE INDEX on k. */
static uint32_t
int_key(int64_t k, int64_t id, uint8_t *buf)
{
    value vals[2];

    value_set_int(&vals[0], k);
    value_set_int(&vals[1], id);
    return (uint32_t)record_encode(vals, 2, buf);
}

/*
 * Keys (i * 7919) % n arrive as many interleaved ascending runs (the core
 * benchmark's index): leaves split in the middle of the tree all the time,
 * so the parents take new dividers in place and, on 512-byte pages, split
 * themselves. The order, the count and the structure are checked, then
 * after deleting every other key again.
 */
static void
test_interleaved_ascending_index_keys_keep_the_tree_valid(void **state)
{
    enum { KEYS = 20000 };
    key_info ki = {.n_fields = 1};
    fixture f;
    btree_cursor *cur;
    uint32_t root;
    uint8_t buf[64];
    int64_t n, expect = 0;
    bool eof;

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, &ki, true, &cur), CHORUS_OK);
    for (int64_t i = 1; i <= KEYS; i++)
        assert_int_equal(btree_index_insert(cur, buf, int_key((i * 7919) % KEYS, i, buf)),
                         CHORUS_OK);
    fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, &ki}, 2);
    for (btree_first(cur, &eof); !eof; btree_next(cur, &eof)) {
        const uint8_t *data;
        uint32_t len;
        value v;
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        assert_int_equal(record_column(data, len, 0, &v), CHORUS_OK);
        assert_int_equal(v.u.i, expect++);      /* 7919 is prime to 20000: every k once */
    }
    assert_int_equal(expect, KEYS);
    for (int64_t i = 2; i <= KEYS; i += 2) {
        value probe[2];
        value_set_int(&probe[0], (i * 7919) % KEYS);
        value_set_int(&probe[1], i);
        assert_int_equal(btree_seek_key(cur, probe, 2, BTREE_SEEK_GE, &eof), CHORUS_OK);
        assert_false(eof);
        assert_int_equal(btree_delete(cur), CHORUS_OK);
    }
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, KEYS / 2);
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, &ki}, 2);
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
        cmocka_unit_test_teardown(test_rowid_order_appends_fill_every_leaf_then_delete_cleanly,
                                  teardown),
        cmocka_unit_test_teardown(test_interleaved_ascending_index_keys_keep_the_tree_valid,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
