/*
 * tests/core/btree/test_meta.c: a new database's header, meta fields, and
 * creating trees (core/btree/meta.c).
 */
#include "btree_fixture.h"

#include <sqlite3.h>

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static void
test_new_database_has_the_header_sqlite_writes(void **state)
{
    fixture f;
    pager_page *pg;
    static const uint8_t fixed[] = {0x10, 0x00, 0x02, 0x02, 0x00, 0x40, 0x20, 0x20};
    static const uint8_t btree_hdr[] = {0x0d, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00};
    uint32_t v;

    fixture_open(&f, 4096);
    assert_int_equal(pager_page_get(f.tx, 1, &pg), CHORUS_OK);
    assert_memory_equal(pg->data, "SQLite format 3", 16);
    assert_memory_equal(pg->data + 16, fixed, sizeof fixed);
    assert_memory_equal(pg->data + 100, btree_hdr, sizeof btree_hdr);
    assert_int_equal(pg->data[96 + 1], 0x2e);       /* 3040001 = 0x002e6301 */
    pager_page_release(pg);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_SCHEMA_FORMAT, &v), CHORUS_OK);
    assert_int_equal(v, 4);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_TEXT_ENCODING, &v), CHORUS_OK);
    assert_int_equal(v, 1);
    /* A second call on a non-empty file changes nothing. */
    assert_int_equal(btree_init_database(f.tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(f.tx), 1);
    fixture_close(&f);
}

static void
test_new_database_of_64k_pages_encodes_sizes_as_sqlite(void **state)
{
    fixture f;
    pager_page *pg;

    fixture_open(&f, 65536);
    assert_int_equal(pager_page_get(f.tx, 1, &pg), CHORUS_OK);
    assert_int_equal(pg->data[16], 0);
    assert_int_equal(pg->data[17], 1);              /* 65536 is stored as 1 */
    assert_int_equal(pg->data[105], 0);
    assert_int_equal(pg->data[106], 0);             /* content start 65536 is stored as 0 */
    pager_page_release(pg);
    fixture_close(&f);
}

static void
test_sqlite3_opens_an_empty_database_we_made(void **state)
{
    fixture f;
    sqlite3 *db;
    sqlite3_stmt *st;

    fixture_open(&f, 0);
    fixture_close(&f);
    assert_int_equal(sqlite3_open(f.path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES (1)", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void
test_meta_set_and_get_round_trip(void **state)
{
    fixture f;
    uint32_t v;

    fixture_open(&f, 0);
    assert_int_equal(btree_meta_set(f.tx, BTREE_META_USER_VERSION, 42), CHORUS_OK);
    assert_int_equal(btree_meta_set(f.tx, BTREE_META_SCHEMA_COOKIE, 7), CHORUS_OK);
    fixture_commit(&f);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_USER_VERSION, &v), CHORUS_OK);
    assert_int_equal(v, 42);
    assert_int_equal(btree_meta_get(f.tx, BTREE_META_SCHEMA_COOKIE, &v), CHORUS_OK);
    assert_int_equal(v, 7);
    fixture_close(&f);
}

static void
test_meta_rejects_fields_outside_the_header(void **state)
{
    fixture f;
    uint32_t v = 99;

    fixture_open(&f, 0);
    assert_int_equal(btree_meta_get(f.tx, 2, &v), CHORUS_MISUSE);
    assert_int_equal(v, 0);
    assert_int_equal(btree_meta_get(f.tx, 41, &v), CHORUS_MISUSE);
    assert_int_equal(btree_meta_set(f.tx, 100, 1), CHORUS_MISUSE);
    assert_int_equal(btree_meta_set(f.tx, 20, 1), CHORUS_MISUSE);
    fixture_close(&f);
}

static void
test_create_makes_empty_roots_of_each_kind(void **state)
{
    fixture f;
    uint32_t t, i, bad;
    pager_page *pg;

    fixture_open(&f, 0);
    assert_int_equal(btree_create(f.tx, BTREE_TABLE, &t), CHORUS_OK);
    assert_int_equal(btree_create(f.tx, BTREE_INDEX, &i), CHORUS_OK);
    assert_int_equal(btree_create(f.tx, 7, &bad), CHORUS_MISUSE);
    assert_int_equal(t, 2);
    assert_int_equal(i, 3);
    assert_int_equal(pager_page_get(f.tx, i, &pg), CHORUS_OK);
    assert_int_equal(pg->data[0], 0x0a);
    pager_page_release(pg);
    fixture_check(&f, (uint32_t[]){1, t, i}, NULL, 3);
    fixture_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_new_database_has_the_header_sqlite_writes, teardown),
        cmocka_unit_test_teardown(test_new_database_of_64k_pages_encodes_sizes_as_sqlite, teardown),
        cmocka_unit_test_teardown(test_sqlite3_opens_an_empty_database_we_made, teardown),
        cmocka_unit_test_teardown(test_meta_set_and_get_round_trip, teardown),
        cmocka_unit_test_teardown(test_meta_rejects_fields_outside_the_header, teardown),
        cmocka_unit_test_teardown(test_create_makes_empty_roots_of_each_kind, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
