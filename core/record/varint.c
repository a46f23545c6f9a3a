/*
 * core/record/varint.c: SQLite's variable-length integers.
 *
 * A varint is 1 to 9 bytes, big-endian. Each of the first eight bytes gives
 * seven bits and its high bit says whether another byte follows; a ninth byte
 * gives all eight of its bits. So 1 byte holds up to 0x7f, 8 bytes up to
 * 2^56 - 1, and values needing more (negative numbers as uint64) take 9.
 *
 * Invariants: varint_put(p, v) writes exactly varint_len(v) bytes, and
 * varint_get() of those bytes returns v.
 * Thread rule: pure functions. Callers: record.c, compare.c and the btree.
 */
#include "record.h"

int
varint_get(const uint8_t *p, size_t avail, uint64_t *out)
{
    uint64_t v = 0;
    size_t limit = avail < 8 ? avail : 8;

    for (size_t i = 0; i < limit; i++) {
        v = (v << 7) | (p[i] & 0x7f);
        if ((p[i] & 0x80) == 0) {
            *out = v;
            return (int)i + 1;
        }
    }
    if (avail < 9) {
        *out = 0;
        return 0;
    }
    *out = (v << 8) | p[8];
    return 9;
}

int
varint_len(uint64_t v)
{
    int n = 1;

    if (v > 0x00ffffffffffffffULL)
        return 9;
    while (v > 0x7f) {
        v >>= 7;
        n++;
    }
    return n;
}

int
varint_put(uint8_t *p, uint64_t v)
{
    int n;

    if (v <= 0x7f) {
        p[0] = (uint8_t)v;
        return 1;
    }
    if (v > 0x00ffffffffffffffULL) {
        p[8] = (uint8_t)v;
        v >>= 8;
        for (int i = 7; i >= 0; i--) {
            p[i] = (uint8_t)((v & 0x7f) | 0x80);
            v >>= 7;
        }
        return 9;
    }
    n = varint_len(v);
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (uint8_t)((v & 0x7f) | 0x80);
        v >>= 7;
    }
    p[n - 1] &= 0x7f;
    return n;
}
