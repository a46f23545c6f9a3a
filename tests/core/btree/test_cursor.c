/*
 * tests/core/btree/test_cursor.c: cursor moves, seeks, payloads and the
 * cursor rules B2-B4 of btree.h (core/btree/cursor.c).
 */
#include "btree_fixture.h"

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

/* Inserts rowids 2, 4, ..., 2n with small payloads "r<rowid>". */
static void
fill_even(btree_cursor *cur, int n)
{
    for (int i = n; i >= 1; i--) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "r%d", 2 * i);
        assert_int_equal(btree_insert(cur, 2 * i, (const uint8_t *)buf, (uint32_t)len), CHORUS_OK);
    }
}

static void
test_cursor_on_empty_tree_is_at_eof(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root;
    bool eof = false, exact = true;
    int64_t n = -1;

    fixture_open(&f, 0);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, false, &cur), CHORUS_OK);
    assert_true(btree_eof(cur));
    assert_int_equal(btree_first(cur, &eof), CHORUS_OK);
    assert_true(eof);
    assert_int_equal(btree_last(cur, &eof), CHORUS_OK);
    assert_true(eof);
    assert_int_equal(btree_seek_rowid(cur, 5, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_true(eof);
    assert_false(exact);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, 0);
    btree_cursor_close(cur);
    fixture_close(&f);
}

static void
test_cursor_scans_rows_in_rowid_order_both_ways(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root;
    bool eof;
    int64_t rowid, expect, n;

    fixture_open(&f, 1024);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    fill_even(cur, 3000);
    expect = 2;
    for (btree_first(cur, &eof); !eof; btree_next(cur, &eof)) {
        const uint8_t *data;
        uint32_t len;
        char want[32];
        assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
        assert_int_equal(rowid, expect);
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        snprintf(want, sizeof want, "r%lld", (long long)expect);
        assert_int_equal(len, strlen(want));
        assert_memory_equal(data, want, len);
        expect += 2;
    }
    assert_int_equal(expect, 6002);
    for (btree_last(cur, &eof); !eof; btree_prev(cur, &eof)) {
        expect -= 2;
        assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
        assert_int_equal(rowid, expect);
    }
    assert_int_equal(expect, 2);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, 3000);
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
}

static void
test_seek_rowid_positions_per_op(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root;
    bool eof, exact;
    int64_t rowid;
    struct { int64_t key; int op; bool eof; int64_t at; bool exact; } cases[] = {
        {10, BTREE_SEEK_GE, false, 10, true},  {11, BTREE_SEEK_GE, false, 12, false},
        {10, BTREE_SEEK_GT, false, 12, false}, {11, BTREE_SEEK_GT, false, 12, false},
        {10, BTREE_SEEK_LE, false, 10, true},  {11, BTREE_SEEK_LE, false, 10, false},
        {10, BTREE_SEEK_LT, false, 8, false},  {11, BTREE_SEEK_LT, false, 10, false},
        {1, BTREE_SEEK_LT, true, 0, false},    {2, BTREE_SEEK_LT, true, 0, false},
        {1, BTREE_SEEK_LE, true, 0, false},    {1, BTREE_SEEK_GE, false, 2, false},
        {4000, BTREE_SEEK_GE, false, 4000, true}, {4000, BTREE_SEEK_GT, true, 0, false},
        {5000, BTREE_SEEK_LE, false, 4000, false}, {-5, BTREE_SEEK_GT, false, 2, false},
    };

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    fill_even(cur, 2000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(btree_seek_rowid(cur, cases[i].key, cases[i].op, &eof, &exact),
                         CHORUS_OK);
        assert_int_equal(eof, cases[i].eof);
        if (!eof) {
            assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
            assert_int_equal(rowid, cases[i].at);
            assert_int_equal(exact, cases[i].exact);
        }
    }
    btree_cursor_close(cur);
    fixture_close(&f);
}

static void
test_payload_spills_to_overflow_and_reads_back(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root, sizes[] = {0, 1, 477, 478, 479, 1000, 4061, 4062, 5000, 100000};
    uint8_t *big = malloc(100000), *want = malloc(100000);
    bool eof, exact;

    fixture_open(&f, 4096);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    for (int i = 0; i < 10; i++) {
        fill_payload(big, sizes[i], (uint64_t)i);
        assert_int_equal(btree_insert(cur, i + 1, big, sizes[i]), CHORUS_OK);
    }
    for (int i = 0; i < 10; i++) {
        const uint8_t *data;
        uint32_t len;
        assert_int_equal(btree_seek_rowid(cur, i + 1, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
        assert_true(exact);
        assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
        assert_int_equal(len, sizes[i]);
        fill_payload(want, sizes[i], (uint64_t)i);
        assert_memory_equal(data, want, len);
    }
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
    free(big);
    free(want);
}

static void
test_insert_replaces_existing_rowid(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root, len;
    uint8_t big[9000];
    const uint8_t *data;
    bool eof, exact;
    int64_t n;

    fixture_open(&f, 1024);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    fill_payload(big, sizeof big, 7);
    assert_int_equal(btree_insert(cur, 5, big, sizeof big), CHORUS_OK);
    assert_int_equal(btree_insert(cur, 5, (const uint8_t *)"x", 1), CHORUS_OK);
    assert_int_equal(btree_seek_rowid(cur, 5, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_int_equal(btree_payload(cur, &data, &len), CHORUS_OK);
    assert_int_equal(len, 1);
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, 1);
    btree_cursor_close(cur);
    /* The old overflow pages went to the freelist. */
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
}

static void
test_other_cursor_keeps_position_across_inserts(void **state)
{
    fixture f;
    btree_cursor *writer, *reader;
    uint32_t root;
    bool eof;
    int64_t rowid, expect = 2;

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &writer), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, false, &reader), CHORUS_OK);
    fill_even(writer, 500);
    /* Rule B2: inserting odd rowids (page splits) while reading must not skip
     * or repeat the even rows the reader walks. */
    for (btree_first(reader, &eof); !eof; btree_next(reader, &eof)) {
        assert_int_equal(btree_rowid(reader, &rowid), CHORUS_OK);
        if (rowid % 2 == 0) {
            assert_int_equal(rowid, expect);
            expect += 2;
            uint8_t pad[200] = {0};
            assert_int_equal(btree_insert(writer, rowid + 1001, pad, sizeof pad), CHORUS_OK);
        }
    }
    assert_true(expect > 1000);
    btree_cursor_close(reader);
    btree_cursor_close(writer);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
}

static void
test_delete_then_next_and_prev_follow_rule_b3(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root;
    bool eof, exact;
    int64_t rowid, n;

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, true, &cur), CHORUS_OK);
    fill_even(cur, 1000);
    assert_int_equal(btree_seek_rowid(cur, 100, BTREE_SEEK_GE, &eof, &exact), CHORUS_OK);
    assert_int_equal(btree_delete(cur), CHORUS_OK);
    assert_int_equal(btree_next(cur, &eof), CHORUS_OK);
    assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
    assert_int_equal(rowid, 102);
    assert_int_equal(btree_delete(cur), CHORUS_OK);
    assert_int_equal(btree_prev(cur, &eof), CHORUS_OK);
    assert_int_equal(btree_rowid(cur, &rowid), CHORUS_OK);
    assert_int_equal(rowid, 98);
    /* Delete everything walking forward: each next lands after the deleted row. */
    assert_int_equal(btree_first(cur, &eof), CHORUS_OK);
    while (!eof) {
        assert_int_equal(btree_delete(cur), CHORUS_OK);
        assert_int_equal(btree_next(cur, &eof), CHORUS_OK);
    }
    assert_int_equal(btree_count(cur, &n), CHORUS_OK);
    assert_int_equal(n, 0);
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
}

static void
test_read_only_cursor_refuses_writes(void **state)
{
    fixture f;
    btree_cursor *cur;
    uint32_t root;

    fixture_open(&f, 0);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, NULL, false, &cur), CHORUS_OK);
    assert_int_equal(btree_insert(cur, 1, NULL, 0), CHORUS_READONLY);
    assert_int_equal(btree_delete(cur), CHORUS_READONLY);
    assert_int_equal(btree_seek_key(cur, NULL, 0, BTREE_SEEK_GE, &(bool){0}), CHORUS_MISUSE);
    btree_cursor_close(cur);
    fixture_close(&f);
}

/* Index entries (a, rowid) for a in 10, 20, 30 and rowid 1..200. */
static void
fill_index(btree_cursor *cur)
{
    for (int r = 200; r >= 1; r--) {
        for (int a = 10; a <= 30; a += 10) {
            value v[2];
            uint8_t rec[32];
            value_set_int(&v[0], a);
            value_set_int(&v[1], r);
            size_t n = record_encode(v, 2, rec);
            assert_int_equal(btree_index_insert(cur, rec, (uint32_t)n), CHORUS_OK);
        }
    }
}

/* The (a, rowid) of the entry under cur. */
static void
entry_at(btree_cursor *cur, int64_t *a, int64_t *r)
{
    const uint8_t *data;
    uint32_t n;
    value v;

    assert_int_equal(btree_payload(cur, &data, &n), CHORUS_OK);
    assert_int_equal(record_column(data, n, 0, &v), CHORUS_OK);
    *a = v.u.i;
    assert_int_equal(record_column(data, n, 1, &v), CHORUS_OK);
    *r = v.u.i;
}

static void
test_seek_key_with_prefix_probe_positions_per_op(void **state)
{
    fixture f;
    btree_cursor *cur;
    key_info ki = {.n_fields = 1};
    uint32_t root;
    struct { int n; int64_t a, r; int op; bool eof; int64_t at_a, at_r; } cases[] = {
        {1, 20, 0, BTREE_SEEK_GE, false, 20, 1},   {1, 20, 0, BTREE_SEEK_GT, false, 30, 1},
        {1, 20, 0, BTREE_SEEK_LE, false, 20, 200}, {1, 20, 0, BTREE_SEEK_LT, false, 10, 200},
        {1, 15, 0, BTREE_SEEK_GE, false, 20, 1},   {1, 15, 0, BTREE_SEEK_GT, false, 20, 1},
        {1, 15, 0, BTREE_SEEK_LE, false, 10, 200}, {1, 15, 0, BTREE_SEEK_LT, false, 10, 200},
        {1, 5, 0, BTREE_SEEK_LT, true, 0, 0},      {1, 5, 0, BTREE_SEEK_LE, true, 0, 0},
        {1, 5, 0, BTREE_SEEK_GE, false, 10, 1},    {1, 30, 0, BTREE_SEEK_GT, true, 0, 0},
        {1, 30, 0, BTREE_SEEK_LE, false, 30, 200}, {2, 20, 50, BTREE_SEEK_GE, false, 20, 50},
        {2, 20, 50, BTREE_SEEK_GT, false, 20, 51}, {2, 20, 50, BTREE_SEEK_LE, false, 20, 50},
        {2, 20, 50, BTREE_SEEK_LT, false, 20, 49}, {0, 0, 0, BTREE_SEEK_GE, false, 10, 1},
    };

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, &ki, true, &cur), CHORUS_OK);
    fill_index(cur);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        value probe[2];
        bool eof;
        int64_t a, r;
        value_set_int(&probe[0], cases[i].a);
        value_set_int(&probe[1], cases[i].r);
        assert_int_equal(btree_seek_key(cur, probe, cases[i].n, cases[i].op, &eof), CHORUS_OK);
        assert_int_equal(eof, cases[i].eof);
        if (!eof) {
            entry_at(cur, &a, &r);
            if (a != cases[i].at_a || r != cases[i].at_r)
                fail_msg("case %zu: at (%lld, %lld)", i, (long long)a, (long long)r);
        }
    }
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, &ki}, 2);
    fixture_close(&f);
}

/* First fields of every integer width (serial types 1-6, 8, 9), both
 * signs, with NULL, real and text among them: each index seek, which
 * compares integer first fields inline (cursor.c), must land where the
 * full record comparison says, ascending and descending. */
static void
check_integer_first_fields(bool desc)
{
    static const int64_t ints[] = {
        0, 1, -1, 2, 127, -128, 128, 255, 32767, -32768, 40000, 8388607, -8388608,
        2147483647, -2147483647 - 1, INT64_C(140737488355327), -INT64_C(140737488355328),
        INT64_C(1) << 62, INT64_MAX, INT64_MIN,
    };
    enum { N_INTS = sizeof ints / sizeof ints[0], N_KEYS = N_INTS + 3, ROWIDS = 12 };
    key_info ki = {.n_fields = 1, .desc = {desc}};
    btree_cursor *cur;
    fixture f;
    uint32_t root;

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, &ki, true, &cur), CHORUS_OK);
    for (int r = 1; r <= ROWIDS; r++) {
        for (int k = 0; k < N_KEYS; k++) {
            value v[2];
            uint8_t rec[64];
            if (k < N_INTS)
                value_set_int(&v[0], ints[(k * 7 + r) % N_INTS]);
            else if (k == N_INTS)
                value_set_null(&v[0]);
            else if (k == N_INTS + 1)
                value_set_real(&v[0], 2.5);
            else
                value_set_text_ref(&v[0], "x", 1);
            value_set_int(&v[1], r);
            size_t n = record_encode(v, 2, rec);
            assert_int_equal(btree_index_insert(cur, rec, (uint32_t)n), CHORUS_OK);
        }
    }
    for (int i = 0; i < N_INTS + 2; i++) {
        int64_t want = i < N_INTS ? ints[i] : i == N_INTS ? 3 : -3;   /* and two absent */
        const uint8_t *data;
        uint32_t n;
        value probe;
        bool eof;
        int rc = CHORUS_OK, c;

        value_set_int(&probe, want);
        assert_int_equal(btree_seek_key(cur, &probe, 1, BTREE_SEEK_GE, &eof), CHORUS_OK);
        assert_false(eof);
        assert_int_equal(btree_payload(cur, &data, &n), CHORUS_OK);
        c = record_compare_probe(&ki, data, n, &probe, 1, &rc);
        assert_int_equal(rc, CHORUS_OK);
        assert_true(c >= 0);                        /* at or after the probe */
        assert_int_equal(btree_prev(cur, &eof), CHORUS_OK);
        if (!eof) {
            assert_int_equal(btree_payload(cur, &data, &n), CHORUS_OK);
            c = record_compare_probe(&ki, data, n, &probe, 1, &rc);
            assert_true(c < 0);                     /* and the first such entry */
        }
    }
    btree_cursor_close(cur);
    fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, &ki}, 2);
    fixture_close(&f);
}

static void
test_index_seek_on_integer_first_fields_ascending(void **state)
{
    check_integer_first_fields(false);
}

static void
test_index_seek_on_integer_first_fields_descending(void **state)
{
    check_integer_first_fields(true);
}

static void
test_index_reader_keeps_position_across_writes(void **state)
{
    fixture f;
    btree_cursor *writer, *reader;
    key_info ki = {.n_fields = 1};
    uint32_t root;
    bool eof;
    int64_t seen = 0, a, r, prev_a = 0, prev_r = 0;

    fixture_open(&f, 512);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &root), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, &ki, true, &writer), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f.tx, root, &ki, false, &reader), CHORUS_OK);
    fill_index(writer);
    /* Rule B2: entries (25, r) are added and (30, r) deleted while the
     * reader walks (10, *) and (20, *); it sees each original entry once. */
    for (btree_first(reader, &eof); !eof; btree_next(reader, &eof)) {
        entry_at(reader, &a, &r);
        assert_true(a > prev_a || (a == prev_a && r > prev_r));
        prev_a = a;
        prev_r = r;
        if (a == 25)
            continue;
        seen++;
        if (a == 20) {
            value v[2];
            uint8_t rec[32];
            bool weof;
            value_set_int(&v[0], 25);
            value_set_int(&v[1], r);
            size_t n = record_encode(v, 2, rec);
            assert_int_equal(btree_index_insert(writer, rec, (uint32_t)n), CHORUS_OK);
            value_set_int(&v[0], 30);
            assert_int_equal(btree_seek_key(writer, v, 2, BTREE_SEEK_GE, &weof), CHORUS_OK);
            assert_int_equal(btree_delete(writer), CHORUS_OK);
        }
    }
    assert_int_equal(seen, 400);
    btree_cursor_close(reader);
    btree_cursor_close(writer);
    fixture_check(&f, (uint32_t[]){1, root}, (const key_info *[]){NULL, &ki}, 2);
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_cursor_on_empty_tree_is_at_eof, teardown),
        cmocka_unit_test_teardown(test_cursor_scans_rows_in_rowid_order_both_ways, teardown),
        cmocka_unit_test_teardown(test_seek_rowid_positions_per_op, teardown),
        cmocka_unit_test_teardown(test_payload_spills_to_overflow_and_reads_back, teardown),
        cmocka_unit_test_teardown(test_insert_replaces_existing_rowid, teardown),
        cmocka_unit_test_teardown(test_other_cursor_keeps_position_across_inserts, teardown),
        cmocka_unit_test_teardown(test_delete_then_next_and_prev_follow_rule_b3, teardown),
        cmocka_unit_test_teardown(test_read_only_cursor_refuses_writes, teardown),
        cmocka_unit_test_teardown(test_seek_key_with_prefix_probe_positions_per_op, teardown),
        cmocka_unit_test_teardown(test_index_reader_keeps_position_across_writes, teardown),
        cmocka_unit_test_teardown(test_index_seek_on_integer_first_fields_ascending, teardown),
        cmocka_unit_test_teardown(test_index_seek_on_integer_first_fields_descending, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
