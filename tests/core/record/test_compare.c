/*
 * tests/core/record/test_compare.c: collations, value order and index key
 * comparison (core/record/compare.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

static int
sign(int c)
{
    return (c > 0) - (c < 0);
}

static void
test_collations_fold_ascii_and_trim_spaces(void **state)
{
    assert_true(collation_compare(COLLATE_BINARY, "ABC", 3, "abc", 3) < 0);
    assert_int_equal(collation_compare(COLLATE_NOCASE, "ABC", 3, "abc", 3), 0);
    assert_true(collation_compare(COLLATE_NOCASE, "ab", 2, "ABC", 3) < 0);
    /* Only ASCII folds: a two-byte UTF-8 letter keeps its bytes. */
    assert_true(collation_compare(COLLATE_NOCASE, "\xc3\x89", 2, "\xc3\xa9", 2) != 0);
    assert_int_equal(collation_compare(COLLATE_RTRIM, "ab  ", 4, "ab", 2), 0);
    assert_true(collation_compare(COLLATE_RTRIM, " ab", 3, "ab", 2) < 0);
    assert_true(collation_compare(COLLATE_BINARY, "ab ", 3, "ab", 2) > 0);
}

static void
test_collation_find_is_case_insensitive(void **state)
{
    assert_int_equal(collation_find("nocase"), COLLATE_NOCASE);
    assert_int_equal(collation_find("RTrim"), COLLATE_RTRIM);
    assert_int_equal(collation_find("BINARY"), COLLATE_BINARY);
    assert_int_equal(collation_find("binaryx"), -1);
    assert_string_equal(collation_name(COLLATE_NOCASE), "NOCASE");
}

static void
test_value_compare_orders_types_like_sqlite(void **state)
{
    value null, i, r, t, b;

    value_set_null(&null);
    value_set_int(&i, 1000000);
    value_set_real(&r, -1e300);
    value_set_text_ref(&t, "", 0);
    value_set_blob_ref(&b, "", 0);
    assert_true(value_compare(&null, &r, COLLATE_BINARY) < 0);
    assert_true(value_compare(&r, &i, COLLATE_BINARY) < 0);
    assert_true(value_compare(&i, &t, COLLATE_BINARY) < 0);
    assert_true(value_compare(&t, &b, COLLATE_BINARY) < 0);
    assert_int_equal(value_compare(&null, &null, COLLATE_BINARY), 0);
}

static void
test_value_compare_is_exact_between_large_ints_and_doubles(void **state)
{
    value i, r;

    /* 2^53 + 1 is not a double; it must still compare above 2^53. */
    value_set_int(&i, 9007199254740993LL);
    value_set_real(&r, 9007199254740992.0);
    assert_int_equal(sign(value_compare(&i, &r, COLLATE_BINARY)), 1);
    assert_int_equal(sign(value_compare(&r, &i, COLLATE_BINARY)), -1);
    value_set_int(&i, INT64_MAX);
    value_set_real(&r, 9223372036854775808.0);
    assert_int_equal(sign(value_compare(&i, &r, COLLATE_BINARY)), -1);
    value_set_int(&i, INT64_MIN);
    value_set_real(&r, -9223372036854775808.0);
    assert_int_equal(value_compare(&i, &r, COLLATE_BINARY), 0);
    value_set_int(&i, 3);
    value_set_real(&r, 3.5);
    assert_int_equal(sign(value_compare(&i, &r, COLLATE_BINARY)), -1);
    value_set_real(&r, 3.0);
    assert_int_equal(value_compare(&i, &r, COLLATE_BINARY), 0);
    value_set_int(&i, -3);
    value_set_real(&r, -3.5);
    assert_int_equal(sign(value_compare(&i, &r, COLLATE_BINARY)), 1);
}

static void
test_value_compare_blobs_by_bytes_then_length(void **state)
{
    value a, b;

    value_set_blob_ref(&a, "\x01\x02", 2);
    value_set_blob_ref(&b, "\x01\x02\x00", 3);
    assert_true(value_compare(&a, &b, COLLATE_NOCASE) < 0);
    value_set_blob_ref(&b, "\x02", 1);
    assert_true(value_compare(&a, &b, COLLATE_BINARY) < 0);
}

/* Encodes (text, int) into buf and returns its size. */
static size_t
make_key(uint8_t *buf, const char *text, int64_t rowid)
{
    value vals[2];

    value_set_text_ref(&vals[0], text, (int32_t)strlen(text));
    value_set_int(&vals[1], rowid);
    return record_encode(vals, 2, buf);
}

static void
test_record_compare_probe_honours_desc_and_collation(void **state)
{
    key_info ki = {.n_fields = 1};
    uint8_t rec[64];
    size_t n = make_key(rec, "Apple", 7);
    value probe[2];
    int rc;

    value_set_text_ref(&probe[0], "apple", 5);
    value_set_int(&probe[1], 7);
    assert_true(record_compare_probe(&ki, rec, n, probe, 1, &rc) < 0);
    assert_int_equal(rc, CHORUS_OK);
    ki.coll[0] = COLLATE_NOCASE;
    assert_int_equal(record_compare_probe(&ki, rec, n, probe, 2, &rc), 0);
    value_set_int(&probe[1], 8);
    assert_true(record_compare_probe(&ki, rec, n, probe, 2, &rc) < 0);
    ki.coll[0] = COLLATE_BINARY;
    ki.desc[0] = 1;
    assert_true(record_compare_probe(&ki, rec, n, probe, 1, &rc) > 0);
}

static void
test_record_compare_probe_treats_prefix_as_equal(void **state)
{
    key_info ki = {.n_fields = 1};
    uint8_t rec[64];
    size_t n = make_key(rec, "k", 1);
    value probe[3];
    int rc;

    value_set_text_ref(&probe[0], "k", 1);
    value_set_int(&probe[1], 1);
    value_set_int(&probe[2], 99);
    assert_int_equal(record_compare_probe(&ki, rec, n, probe, 1, &rc), 0);
    assert_int_equal(record_compare_probe(&ki, rec, n, probe, 3, &rc), 0);
    assert_int_equal(rc, CHORUS_OK);
}

static void
test_record_compare_probe_reports_corruption(void **state)
{
    static const uint8_t bad[] = {0x03, 0x0a, 0x01};
    value probe;
    int rc;

    value_set_int(&probe, 1);
    record_compare_probe(NULL, bad, sizeof bad, &probe, 1, &rc);
    assert_int_equal(rc, CHORUS_CORRUPT);
    record_compare_probe(NULL, bad, 1, &probe, 1, &rc);
    assert_int_equal(rc, CHORUS_CORRUPT);
}

static void
test_record_compare_sorts_prefix_first_and_uses_key_info(void **state)
{
    key_info ki = {.n_fields = 1, .desc = {1}};
    uint8_t a[64], b[64], short_key[16];
    size_t na = make_key(a, "a", 5), nb = make_key(b, "b", 1), ns;
    value v;
    int rc;

    value_set_text_ref(&v, "a", 1);
    ns = record_encode(&v, 1, short_key);
    assert_true(record_compare(NULL, a, na, b, nb, &rc) < 0);
    assert_true(record_compare(&ki, a, na, b, nb, &rc) > 0);
    assert_true(record_compare(&ki, short_key, ns, a, na, &rc) < 0);
    assert_true(record_compare(&ki, a, na, short_key, ns, &rc) > 0);
    assert_int_equal(record_compare(&ki, a, na, a, na, &rc), 0);
    assert_int_equal(rc, CHORUS_OK);
    record_compare(&ki, a, na, (const uint8_t *)"\x09", 1, &rc);
    assert_int_equal(rc, CHORUS_CORRUPT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collations_fold_ascii_and_trim_spaces),
        cmocka_unit_test(test_collation_find_is_case_insensitive),
        cmocka_unit_test(test_value_compare_orders_types_like_sqlite),
        cmocka_unit_test(test_value_compare_is_exact_between_large_ints_and_doubles),
        cmocka_unit_test(test_value_compare_blobs_by_bytes_then_length),
        cmocka_unit_test(test_record_compare_probe_honours_desc_and_collation),
        cmocka_unit_test(test_record_compare_probe_treats_prefix_as_equal),
        cmocka_unit_test(test_record_compare_probe_reports_corruption),
        cmocka_unit_test(test_record_compare_sorts_prefix_first_and_uses_key_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
