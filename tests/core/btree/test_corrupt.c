/*
 * tests/core/btree/test_corrupt.c: corrupt pages give CHORUS_CORRUPT (never
 * a crash, also under ASan) from reads, writes and btree_count, and the
 * integrity check reports them with at least one line.
 */
#include "btree_fixture.h"

#include <fcntl.h>
#include <unistd.h>

enum { PAGE = 1024 };

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

/* A closed database with one table of 400 rows (rows 1, 51, 101, ... spill
 * to overflow chains). *root_out gets the table's root. */
static void
make_db(fixture *f, uint32_t *root_out)
{
    btree_cursor *cur;
    uint8_t buf[3000];

    fixture_open(f, PAGE);
    assert_int_equal(btree_create(f->tx, BTREE_TABLE, root_out), CHORUS_OK);
    assert_int_equal(btree_cursor_open(f->tx, *root_out, NULL, true, &cur), CHORUS_OK);
    for (int i = 0; i < 400; i++) {
        uint32_t size = i % 50 == 0 ? 2500 : 40;
        fill_payload(buf, size, (uint64_t)i);
        assert_int_equal(btree_insert(cur, i, buf, size), CHORUS_OK);
    }
    btree_cursor_close(cur);
    fixture_close(f);
}

static void
file_read(const fixture *f, uint32_t pgno, uint32_t off, void *buf, size_t n)
{
    int fd = open(f->path, O_RDONLY);

    assert_true(fd >= 0);
    assert_int_equal(pread(fd, buf, n, (off_t)(pgno - 1) * PAGE + off), (ssize_t)n);
    close(fd);
}

static void
file_write(const fixture *f, uint32_t pgno, uint32_t off, const void *buf, size_t n)
{
    int fd = open(f->path, O_WRONLY);

    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, buf, n, (off_t)(pgno - 1) * PAGE + off), (ssize_t)n);
    close(fd);
}

static uint32_t
be4(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The first child of the root (an interior page after 400 rows). */
static uint32_t
first_child(const fixture *f, uint32_t root)
{
    uint8_t page[PAGE];

    file_read(f, root, 0, page, PAGE);
    assert_int_equal(page[0], 0x05);
    return be4(page + ((uint32_t)page[12] << 8 | page[13]));
}

/* Scans, counts, inserts and checks: every path must end in CORRUPT or OK,
 * and the integrity check must say something. */
static void
expect_corrupt(fixture *f, uint32_t root)
{
    btree_cursor *cur;
    bool eof = false;
    int rc = CHORUS_OK, steps = 0;
    int64_t n;
    strbuf errors;
    int n_errors = 0;
    uint8_t buf[3000] = {0};

    fixture_open_path(f, f->path, 0);
    rc = btree_cursor_open(f->tx, root, NULL, true, &cur);
    if (rc == CHORUS_OK) {
        for (rc = btree_first(cur, &eof); rc == CHORUS_OK && !eof && steps < 10000; steps++) {
            const uint8_t *data;
            uint32_t len;
            rc = btree_payload(cur, &data, &len);
            if (rc == CHORUS_OK)
                rc = btree_next(cur, &eof);
        }
        int rc2 = btree_count(cur, &n);
        assert_true(rc2 == CHORUS_OK || rc2 == CHORUS_CORRUPT);
        for (int i = 0; i < 400 && rc2 == CHORUS_OK; i += 7)
            rc2 = btree_insert(cur, 1000 + i, buf, i % 3 == 0 ? 2900 : 30);
        assert_true(rc2 == CHORUS_OK || rc2 == CHORUS_CORRUPT);
        rc = rc == CHORUS_OK ? rc2 : rc;
        btree_cursor_close(cur);
    }
    assert_true(rc == CHORUS_OK || rc == CHORUS_CORRUPT);
    strbuf_init(&errors);
    assert_int_equal(btree_integrity_check(f->tx, (uint32_t[]){1, root}, NULL, 2, 50, &errors,
                                           &n_errors), CHORUS_OK);
    assert_true(n_errors > 0);
    assert_non_null(strstr(errors.data, "*** in database main ***\n"));
    strbuf_free(&errors);
    pager_tx_rollback(f->tx);
    f->tx = NULL;
    assert_int_equal(pager_close(f->pager), CHORUS_OK);
}

static void
test_sound_database_passes_integrity_check_with_no_lines(void **state)
{
    fixture f;
    uint32_t root, n_pages;
    strbuf errors;
    int n_errors = -1;

    make_db(&f, &root);
    fixture_open_path(&f, f.path, 0);
    n_pages = pager_tx_page_count(f.tx);
    assert_true(n_pages > 20);
    strbuf_init(&errors);
    assert_int_equal(btree_integrity_check(f.tx, (uint32_t[]){1, root}, NULL, 2, 50, &errors,
                                           &n_errors), CHORUS_OK);
    assert_int_equal(n_errors, 0);
    assert_null(errors.data);
    /* Leaving a tree out of the roots makes its pages "never used". */
    assert_int_equal(btree_integrity_check(f.tx, (uint32_t[]){1}, NULL, 1, 5, &errors, &n_errors),
                     CHORUS_OK);
    assert_int_equal(n_errors, 5);
    assert_non_null(strstr(errors.data, "never used"));
    strbuf_free(&errors);
    fixture_close(&f);
}

static void
test_bad_page_flags_are_corrupt(void **state)
{
    fixture f;
    uint32_t root;
    uint8_t bad = 0x07;

    make_db(&f, &root);
    file_write(&f, first_child(&f, root), 0, &bad, 1);
    expect_corrupt(&f, root);
}

static void
test_cell_pointer_past_page_end_is_corrupt(void **state)
{
    fixture f;
    uint32_t root;
    uint8_t ptr[2] = {0x03, 0xff};

    make_db(&f, &root);
    file_write(&f, first_child(&f, root), 8 + 2, ptr, 2);
    expect_corrupt(&f, root);
}

static void
test_cell_count_too_large_is_corrupt(void **state)
{
    fixture f;
    uint32_t root;
    uint8_t count[2] = {0x7f, 0xff};

    make_db(&f, &root);
    file_write(&f, first_child(&f, root), 3, count, 2);
    expect_corrupt(&f, root);
}

static void
test_child_pointer_loop_is_corrupt(void **state)
{
    fixture f;
    uint32_t root;
    uint8_t right[4];

    make_db(&f, &root);
    /* The root's right-most child points back at the root. */
    right[0] = 0;
    right[1] = 0;
    right[2] = (uint8_t)(root >> 8);
    right[3] = (uint8_t)root;
    file_write(&f, root, 8, right, 4);
    expect_corrupt(&f, root);
}

static void
test_overflow_chain_loop_is_corrupt(void **state)
{
    fixture f;
    uint32_t root, leaf, first;
    uint8_t page[PAGE];

    make_db(&f, &root);
    leaf = first_child(&f, root);
    file_read(&f, leaf, 0, page, PAGE);
    /* Row 0 is the first cell of the first leaf and spills: find its chain. */
    uint32_t off = (uint32_t)page[8] << 8 | page[9];
    uint32_t local = 0;
    {
        /* table leaf cell: varint payload (2 bytes for 2500), varint rowid (1 byte) */
        uint32_t usable = PAGE, x = usable - 35, m = (usable - 12) * 32 / 255 - 23;
        uint32_t k = m + (2500 - m) % (usable - 4);
        local = k <= x ? k : m;
    }
    first = be4(page + off + 3 + local);
    assert_true(first > 1);
    /* The first overflow page points at itself. */
    uint8_t self[4] = {(uint8_t)(first >> 24), (uint8_t)(first >> 16), (uint8_t)(first >> 8),
                       (uint8_t)first};
    file_write(&f, first, 0, self, 4);
    expect_corrupt(&f, root);
}

static void
test_freeblock_chain_out_of_order_is_corrupt(void **state)
{
    fixture f;
    uint32_t root, leaf;
    uint8_t fb[4] = {0x00, 0x09, 0x00, 0x08};

    make_db(&f, &root);
    leaf = first_child(&f, root);
    /* A freeblock inside the pointer array: below the content area. */
    file_write(&f, leaf, 1, fb, 2);
    expect_corrupt(&f, root);
}

static void
test_payload_size_past_page_is_corrupt(void **state)
{
    fixture f;
    uint32_t root, leaf;
    uint8_t page[PAGE];
    uint8_t huge[2] = {0xbf, 0x7f};     /* varint 0x1fff: 8191 bytes */

    make_db(&f, &root);
    leaf = first_child(&f, root);
    file_read(&f, leaf, 0, page, PAGE);
    /* The last cell of the leaf is a 40-byte row: claim 8191 bytes instead. */
    uint32_t n = (uint32_t)page[3] << 8 | page[4];
    uint32_t off = (uint32_t)page[8 + 2 * (n - 1)] << 8 | page[9 + 2 * (n - 1)];
    assert_int_equal(page[off], 40);
    file_write(&f, leaf, off, huge, 1);
    expect_corrupt(&f, root);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sound_database_passes_integrity_check_with_no_lines,
                                  teardown),
        cmocka_unit_test_teardown(test_bad_page_flags_are_corrupt, teardown),
        cmocka_unit_test_teardown(test_cell_pointer_past_page_end_is_corrupt, teardown),
        cmocka_unit_test_teardown(test_cell_count_too_large_is_corrupt, teardown),
        cmocka_unit_test_teardown(test_child_pointer_loop_is_corrupt, teardown),
        cmocka_unit_test_teardown(test_overflow_chain_loop_is_corrupt, teardown),
        cmocka_unit_test_teardown(test_freeblock_chain_out_of_order_is_corrupt, teardown),
        cmocka_unit_test_teardown(test_payload_size_past_page_is_corrupt, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
