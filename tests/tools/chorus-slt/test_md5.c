/*
 * tests/tools/test_md5.c: the MD5 of tools/chorus-slt/md5.c against the
 * test suite of RFC 1321 (appendix A.5) and split updates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../tools/chorus-slt/md5.c"

static void
check(const char *text, const char *want)
{
    md5_ctx ctx;
    char hex[33];

    md5_init(&ctx);
    md5_update(&ctx, text, strlen(text));
    md5_hex(&ctx, hex);
    assert_string_equal(hex, want);
}

static void
test_md5_matches_the_rfc_1321_suite(void **state)
{
    (void)state;
    check("", "d41d8cd98f00b204e9800998ecf8427e");
    check("a", "0cc175b9c0f1b6a831c399e269772661");
    check("abc", "900150983cd24fb0d6963f7d28e17f72");
    check("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
    check("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
    check("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
          "d174ab98d277d9f5a5611c2c9f419d9f");
    check("1234567890123456789012345678901234567890123456789012345678901234567890123456789"
          "0",
          "57edf4a22be3c955ac49da2e2107b67a");
}

static void
test_md5_of_pieces_equals_md5_of_the_whole(void **state)
{
    char text[300], whole[33], pieces[33];
    md5_ctx ctx;

    (void)state;
    for (int i = 0; i < (int)sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    md5_init(&ctx);
    md5_update(&ctx, text, sizeof text);
    md5_hex(&ctx, whole);
    md5_init(&ctx);
    for (size_t off = 0, step = 1; off < sizeof text; off += step, step = step * 2 + 1)
        md5_update(&ctx, text + off, off + step <= sizeof text ? step : sizeof text - off);
    md5_hex(&ctx, pieces);
    assert_string_equal(whole, pieces);
}

static void
test_md5_handles_lengths_around_the_padding_boundary(void **state)
{
    /* 55, 56 and 64 bytes take one or two final blocks. */
    (void)state;
    check("0123456789012345678901234567890123456789012345678901234",
          "6e7a4fc92eb1c3f6e652425bcc8d44b5");
    check("01234567890123456789012345678901234567890123456789012345",
          "8af270b2847610e742b0791b53648c09");
    check("0123456789012345678901234567890123456789012345678901234567890123",
          "7f7bfd348709deeaace19e3f535f8c54");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_matches_the_rfc_1321_suite),
        cmocka_unit_test(test_md5_of_pieces_equals_md5_of_the_whole),
        cmocka_unit_test(test_md5_handles_lengths_around_the_padding_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
