/*
 * tests/core/btree/test_page.c: page layout: local payload sizes, in-place
 * cell insertion and removal, the freeblock chain rules P1-P3 and
 * defragmentation (core/btree/page.c, core/btree/overflow.c).
 */
#include "btree_fixture.h"
#include "btree_int.h"

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static void
test_local_sizes_follow_the_x_m_k_thresholds(void **state)
{
    fixture f;
    bt_env env;

    fixture_open(&f, 4096);
    assert_int_equal(bt_env_init(&env, f.tx), CHORUS_OK);
    assert_int_equal(env.max_local_table, 4061);
    assert_int_equal(env.max_local_index, 1002);
    assert_int_equal(env.min_local, 489);
    assert_int_equal(bt_local_size(&env, true, 4061), 4061);
    assert_int_equal(bt_local_size(&env, true, 4062), 489);     /* K = 4062 > X */
    assert_int_equal(bt_local_size(&env, true, 5000), 908);     /* K = 489 + 4511 % 4092 */
    assert_int_equal(bt_local_size(&env, false, 1002), 1002);
    assert_int_equal(bt_local_size(&env, false, 1003), 489 + (1003 - 489) % 4092 <= 1002
                                                           ? 489 + (1003 - 489) % 4092 : 489);
    assert_int_equal(bt_local_size(&env, false, 100000), 489 + (100000 - 489) % 4092 <= 1002
                                                             ? 489 + (100000 - 489) % 4092 : 489);
    fixture_close(&f);
}

/* Walks the freeblock chain of p and checks rule P1; returns its byte sum. */
static uint32_t
check_freeblocks(const bt_env *env, const bt_page *p)
{
    const uint8_t *data = BT_DATA(p);
    uint32_t fb = bt_get2(data + p->hdr + 1), sum = 0, prev_end = 0;

    while (fb != 0) {
        uint32_t size = bt_get2(data + fb + 2);
        assert_true(fb > bt_page_content_start(p));
        assert_true(prev_end == 0 || fb >= prev_end + 4);
        assert_true(fb + size <= env->usable);
        sum += size;
        prev_end = fb + size;
        fb = bt_get2(data + fb);
    }
    return sum;
}

static void
test_dropped_cells_become_ordered_merged_freeblocks(void **state)
{
    fixture f;
    bt_env env;
    bt_page p;
    uint32_t root, free_before, free_after, sizes[40];
    uint8_t payload[600], cell[700], *scratch = NULL;
    uint32_t scratch_cap = 0;
    bool fitted;

    fixture_open(&f, 4096);
    assert_int_equal(bt_env_init(&env, f.tx), CHORUS_OK);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(bt_page_get(&env, root, &p), CHORUS_OK);
    for (uint32_t i = 0; i < 40; i++) {
        fill_payload(payload, 20 + i * 3, i);
        assert_int_equal(bt_cell_build(&env, BT_FLAG_TABLE_LEAF, i, payload, 20 + i * 3, cell,
                                       &sizes[i]), CHORUS_OK);
        assert_int_equal(bt_page_insert_cell(&env, &p, i, cell, sizes[i], &scratch, &scratch_cap,
                                             &fitted),
                         CHORUS_OK);
        assert_true(fitted);
    }
    assert_int_equal(bt_page_free_space(&env, &p, &free_before), CHORUS_OK);
    /* Drop every other cell from the end: freeblocks that never touch. */
    for (int i = 38; i >= 0; i -= 2) {
        bt_cell c;
        assert_int_equal(bt_cell_parse(&env, &p, (uint32_t)i, &c), CHORUS_OK);
        assert_int_equal(bt_page_drop_cell(&env, &p, (uint32_t)i, c.size), CHORUS_OK);
        check_freeblocks(&env, &p);
    }
    assert_int_equal(bt_page_free_space(&env, &p, &free_after), CHORUS_OK);
    assert_true(free_after > free_before);
    assert_true(check_freeblocks(&env, &p) > 0);
    /* Dropping the rest merges everything back (rule P3 at the end). */
    while (p.n_cells > 0) {
        bt_cell c;
        assert_int_equal(bt_cell_parse(&env, &p, p.n_cells / 2, &c), CHORUS_OK);
        assert_int_equal(bt_page_drop_cell(&env, &p, p.n_cells / 2, c.size), CHORUS_OK);
        check_freeblocks(&env, &p);
    }
    assert_int_equal(bt_page_content_start(&p), 4096);
    assert_int_equal(bt_get2(BT_DATA(&p) + 1), 0);
    bt_page_release(&p);
    free(scratch);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
}

static void
test_insert_defragments_when_only_freeblocks_have_room(void **state)
{
    fixture f;
    bt_env env;
    bt_page p;
    uint32_t root, size, free_bytes;
    uint8_t payload[200], cell[4096], *scratch = NULL;
    uint32_t scratch_cap = 0;
    bool fitted;
    int64_t rowid = 0;

    fixture_open(&f, 4096);
    assert_int_equal(bt_env_init(&env, f.tx), CHORUS_OK);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &root), CHORUS_OK);
    assert_int_equal(bt_page_get(&env, root, &p), CHORUS_OK);
    /* Fill the page with 100-byte rows. */
    for (;;) {
        fill_payload(payload, 100, (uint64_t)rowid);
        assert_int_equal(bt_cell_build(&env, BT_FLAG_TABLE_LEAF, rowid, payload, 100, cell, &size),
                         CHORUS_OK);
        assert_int_equal(bt_page_insert_cell(&env, &p, p.n_cells, cell, size, &scratch,
                                             &scratch_cap, &fitted),
                         CHORUS_OK);
        if (!fitted)
            break;
        rowid++;
    }
    /* Free two neighbours in the middle, then insert one cell as big as both. */
    for (int k = 0; k < 2; k++) {
        bt_cell c;
        assert_int_equal(bt_cell_parse(&env, &p, 10, &c), CHORUS_OK);
        assert_int_equal(bt_page_drop_cell(&env, &p, 10, c.size), CHORUS_OK);
    }
    assert_int_equal(bt_page_free_space(&env, &p, &free_bytes), CHORUS_OK);
    fill_payload(payload, 150, 99);
    assert_int_equal(bt_cell_build(&env, BT_FLAG_TABLE_LEAF, 10, payload, 150, cell, &size),
                     CHORUS_OK);
    assert_true(size + 2 <= free_bytes);
    assert_int_equal(bt_page_insert_cell(&env, &p, 10, cell, size, &scratch, &scratch_cap,
                                         &fitted),
                     CHORUS_OK);
    assert_true(fitted);
    assert_int_equal(bt_get2(BT_DATA(&p) + 1), 0);       /* defragmented: no freeblocks */
    assert_non_null(scratch);                           /* made by the defragment */
    bt_page_release(&p);
    free(scratch);
    fixture_check(&f, (uint32_t[]){1, root}, NULL, 2);
    fixture_close(&f);
}

static void
test_cell_parse_rejects_cells_running_off_the_page(void **state)
{
    fixture f;
    bt_env env;
    bt_cell c;
    uint8_t cell[16] = {0x81, 0x00, 0x01};      /* payload 128 bytes, rowid 1 */

    fixture_open(&f, 4096);
    assert_int_equal(bt_env_init(&env, f.tx), CHORUS_OK);
    assert_int_equal(bt_cell_parse_bytes(&env, BT_FLAG_TABLE_LEAF, cell, 16, &c), CHORUS_CORRUPT);
    assert_int_equal(bt_cell_parse_bytes(&env, BT_FLAG_TABLE_LEAF, cell, 1, &c), CHORUS_CORRUPT);
    assert_int_equal(bt_cell_parse_bytes(&env, BT_FLAG_TABLE_INTERIOR, cell, 3, &c),
                     CHORUS_CORRUPT);
    cell[0] = 0x02;
    assert_int_equal(bt_cell_parse_bytes(&env, BT_FLAG_TABLE_LEAF, cell, 16, &c), CHORUS_OK);
    assert_int_equal(c.size, 4);
    assert_int_equal(c.payload, 2);
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_local_sizes_follow_the_x_m_k_thresholds, teardown),
        cmocka_unit_test_teardown(test_dropped_cells_become_ordered_merged_freeblocks, teardown),
        cmocka_unit_test_teardown(test_insert_defragments_when_only_freeblocks_have_room,
                                  teardown),
        cmocka_unit_test_teardown(test_cell_parse_rejects_cells_running_off_the_page, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
