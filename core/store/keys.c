/*
 * core/store/keys.c: the two forms of an index entry (store rule S3): the
 * B-tree index record (key columns, then the rowid as the last column) and
 * the version store's (record of the key columns only, rowid beside it),
 * and the growable buffers they are built in.
 *
 * Invariants
 *   K1  split and join are inverse: join(split(r)) == r byte for byte when r
 *       was built by record_build (smallest integer serial type for the
 *       rowid, 8/9 for 0/1), so the merged cursor's payloads equal what the
 *       B-tree path would hold.
 *   K2  Corrupt record bytes from the file give CHORUS_CORRUPT, never a read
 *       past nbytes.
 *   K3  Entries of WITHOUT ROWID trees (key_info layout PK_ROW or PK_SUFFIX)
 *       have no rowid: split gives the n_fields key columns and rowid 0, and
 *       they are never joined (a PK_SUFFIX entry is its key columns; a
 *       PK_ROW entry's row is carried by its version, mvcc keyed rows).
 * Ownership: buffers belong to the caller (a cursor) and only grow.
 * Callers: merge.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int
store_buf_reserve(store_buf *b, uint32_t n)
{
    uint8_t *p;
    uint32_t cap;

    if (n <= b->cap)
        return CHORUS_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < n)
        cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL)
        return CHORUS_NOMEM;
    b->p = p;
    b->cap = cap;
    return CHORUS_OK;
}

void
store_buf_free(store_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* Header length needed for serial types taking types_len bytes. */
static uint32_t
header_len(uint32_t types_len)
{
    uint32_t l = 1;

    while ((uint32_t)varint_len(types_len + l) > l)
        l++;
    return types_len + l;
}

int
store_key_split(const key_info *ki, const uint8_t *rec, uint32_t nbytes, store_buf *key_out,
                int64_t *rowid_out)
{
    int n_key = ki->n_fields;
    uint64_t hdr, st;
    uint32_t pos, types_len = 0, body_len = 0, hl;
    value v;
    int n, rc;

    n = varint_get(rec, nbytes, &hdr);
    if (n == 0 || hdr > nbytes)
        return CHORUS_CORRUPT_HERE();
    pos = (uint32_t)n;
    for (int i = 0; i < n_key; i++) {
        n = varint_get(rec + pos, (size_t)(hdr - pos), &st);
        if (n == 0 || record_serial_size(st) < 0)
            return CHORUS_CORRUPT_HERE();
        pos += (uint32_t)n;
        types_len += (uint32_t)n;
        body_len += (uint32_t)record_serial_size(st);
    }
    if (hdr + body_len > nbytes)
        return CHORUS_CORRUPT_HERE();
    *rowid_out = 0;                             /* K3 */
    if (ki->layout == KEY_LAYOUT_ROWID) {
        rc = record_column(rec, nbytes, n_key, &v);
        if (rc != CHORUS_OK)
            return rc;
        if (v.type != VALUE_INTEGER)
            return CHORUS_CORRUPT_HERE();
        *rowid_out = v.u.i;
    }
    hl = header_len(types_len);
    rc = store_buf_reserve(key_out, hl + body_len);
    if (rc != CHORUS_OK)
        return rc;
    n = varint_put(key_out->p, hl);
    memcpy(key_out->p + n, rec + (pos - types_len), types_len);
    memcpy(key_out->p + hl, rec + hdr, body_len);
    key_out->n = hl + body_len;
    return CHORUS_OK;
}

bool
store_key_has_null(const uint8_t *key, uint32_t nbytes, int n_cols)
{
    uint64_t hdr, st;
    uint32_t pos;
    int n = varint_get(key, nbytes, &hdr);

    if (n == 0 || hdr > nbytes)
        return false;
    pos = (uint32_t)n;
    for (int i = 0; i < n_cols && pos < hdr; i++) {
        n = varint_get(key + pos, (size_t)(hdr - pos), &st);
        if (n == 0)
            return false;
        if (st == 0)
            return true;
        pos += (uint32_t)n;
    }
    return false;
}

/* The serial type and big-endian bytes of an integer (K1). */
static uint32_t
int_serial(int64_t v, uint8_t bytes[8], uint32_t *len_out)
{
    static const uint32_t sizes[] = {0, 1, 2, 3, 4, 6, 8};
    uint32_t st;

    if (v == 0 || v == 1) {
        *len_out = 0;
        return v == 0 ? 8 : 9;
    }
    if (v >= -128 && v <= 127)
        st = 1;
    else if (v >= -32768 && v <= 32767)
        st = 2;
    else if (v >= -8388608 && v <= 8388607)
        st = 3;
    else if (v >= -2147483648LL && v <= 2147483647LL)
        st = 4;
    else if (v >= -140737488355328LL && v <= 140737488355327LL)
        st = 5;
    else
        st = 6;
    *len_out = sizes[st];
    for (uint32_t i = 0; i < sizes[st]; i++)
        bytes[i] = (uint8_t)((uint64_t)v >> (8 * (sizes[st] - 1 - i)));
    return st;
}

int
store_key_join(const uint8_t *key, uint32_t nbytes, int64_t rowid, store_buf *out)
{
    uint8_t bytes[8];
    uint32_t len, st, types_len, hl, body_len;
    uint64_t hdr;
    int n, rc;

    n = varint_get(key, nbytes, &hdr);
    if (n == 0 || hdr > nbytes)
        return CHORUS_CORRUPT_HERE();
    st = int_serial(rowid, bytes, &len);
    types_len = (uint32_t)hdr - (uint32_t)n;
    body_len = nbytes - (uint32_t)hdr;
    hl = header_len(types_len + 1);     /* serial types 1..9 take one byte */
    rc = store_buf_reserve(out, hl + body_len + len);
    if (rc != CHORUS_OK)
        return rc;
    n = varint_put(out->p, hl);
    memcpy(out->p + n, key + (hdr - types_len), types_len);
    out->p[n + types_len] = (uint8_t)st;
    memcpy(out->p + hl, key + hdr, body_len);
    memcpy(out->p + hl + body_len, bytes, len);
    out->n = hl + body_len + len;
    return CHORUS_OK;
}
