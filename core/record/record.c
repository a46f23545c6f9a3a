/*
 * core/record/record.c: SQLite's record format: serial types, encoding and
 * decoding of rows and index keys.
 *
 * Layout of a record
 *   varint  header length H, counting itself
 *   varint  serial type of column 0, 1, ... (until byte H)
 *   body    the columns' bytes, in order, sizes given by their serial types
 *
 *   type 0 NULL; 1..6 big-endian two's complement ints of 1,2,3,4,6,8 bytes;
 *   7 big-endian IEEE double; 8 and 9 the integers 0 and 1 (no body); 10, 11
 *   reserved (corrupt); N >= 12 even: blob of (N-12)/2 bytes; N >= 13 odd:
 *   text of (N-13)/2 bytes.
 *
 * Invariants
 *   R1  The encoder uses the smallest integer type and 8/9 for 0/1, so our
 *       bytes equal sqlite3's for the same values (schema format 4).
 *   R2  A parsed record never lets a column extend past nbytes: a header or
 *       body that runs past the end is CHORUS_CORRUPT. Trailing bytes after
 *       the last column are tolerated, as sqlite3 does.
 *   R3  A record cursor decodes its header lazily, as sqlite3's column cache:
 *       open reads the header length, reach parses serial types only as far
 *       as the highest column asked for, and keeps what it parsed, so a row
 *       read column by column parses each serial type once. A malformed
 *       column is reported whenever the parse reaches it (the cursor stops
 *       before it), and R2 holds for every column parsed.
 *
 * Ownership: record_cursor keeps a borrowed pointer to the record bytes and
 * owns its type/offset arrays only when more than 16 columns need them.
 * Callers: vm (rows), btree (index keys), catalog (sqlite_schema rows).
 */
#include "record_int.h"

#include <stdlib.h>
#include <string.h>

/* Headers larger than this are treated as corrupt (sqlite3 uses a similar bound). */
enum { RECORD_MAX_HEADER = 98307 };

uint64_t
record_serial_type(const value *v)
{
    int64_t i;

    switch (v->type) {
    case VALUE_INTEGER:
        i = v->u.i;
        if (i == 0)
            return 8;
        if (i == 1)
            return 9;
        if (i >= -128 && i <= 127)
            return 1;
        if (i >= -32768 && i <= 32767)
            return 2;
        if (i >= -8388608 && i <= 8388607)
            return 3;
        if (i >= -2147483648LL && i <= 2147483647LL)
            return 4;
        if (i >= -140737488355328LL && i <= 140737488355327LL)
            return 5;
        return 6;
    case VALUE_REAL:
        return 7;
    case VALUE_TEXT:
        return (uint64_t)v->n * 2 + 13;
    case VALUE_BLOB:
        return (uint64_t)v->n * 2 + 12;
    default:
        return 0;
    }
}

int64_t
record_serial_size(uint64_t st)
{
    static const int8_t fixed[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1};

    if (st < 12)
        return fixed[st];
    return (int64_t)((st - 12) / 2);
}

size_t
record_size(const value *vals, int n)
{
    size_t types = 0, body = 0;
    int hl = 1;

    for (int i = 0; i < n; i++) {
        uint64_t st = record_serial_type(&vals[i]);
        types += (size_t)varint_len(st);
        body += (size_t)record_serial_size(st);
    }
    while (varint_len(types + (size_t)hl) > hl)
        hl++;
    return (size_t)hl + types + body;
}

/* Writes the low nbytes of u big-endian. */
static void
put_be(uint8_t *p, uint64_t u, int nbytes)
{
    for (int i = nbytes - 1; i >= 0; i--) {
        p[i] = (uint8_t)u;
        u >>= 8;
    }
}

size_t
record_encode(const value *vals, int n, uint8_t *buf)
{
    size_t types = 0, hdr, pos, body;
    int hl = 1;

    for (int i = 0; i < n; i++)
        types += (size_t)varint_len(record_serial_type(&vals[i]));
    while (varint_len(types + (size_t)hl) > hl)
        hl++;
    hdr = (size_t)hl + types;
    pos = (size_t)varint_put(buf, hdr);
    body = hdr;
    for (int i = 0; i < n; i++) {
        const value *v = &vals[i];
        uint64_t st = record_serial_type(v);
        int64_t size = record_serial_size(st);
        uint64_t bits;

        pos += (size_t)varint_put(buf + pos, st);
        if (st >= 1 && st <= 6) {
            put_be(buf + body, (uint64_t)v->u.i, (int)size);
        } else if (st == 7) {
            memcpy(&bits, &v->u.r, sizeof bits);
            put_be(buf + body, bits, 8);
        } else if (st >= 12 && size > 0) {
            memcpy(buf + body, v->u.z, (size_t)size);
        }
        body += (size_t)size;
    }
    return body;
}

int
record_build(const value *vals, int n, uint8_t **buf_out, size_t *nbytes_out)
{
    size_t size = record_size(vals, n);
    uint8_t *buf = malloc(size ? size : 1);

    *buf_out = NULL;
    *nbytes_out = 0;
    if (buf == NULL)
        return CHORUS_NOMEM;
    record_encode(vals, n, buf);
    *buf_out = buf;
    *nbytes_out = size;
    return CHORUS_OK;
}

/* Reads nbytes big-endian as a sign-extended integer. */
static int64_t
get_be_signed(const uint8_t *p, int nbytes)
{
    uint64_t u = (p[0] & 0x80) ? ~(uint64_t)0 : 0;

    for (int i = 0; i < nbytes; i++)
        u = (u << 8) | p[i];
    return (int64_t)u;
}

void
record_value_decode(uint64_t st, const uint8_t *body, value *out)
{
    static const uint8_t int_bytes[7] = {0, 1, 2, 3, 4, 6, 8};
    uint64_t bits = 0;
    double r;

    /* text and blob first, then integers: the common types in the fewest tests */
    if (st >= 12) {
        if (st & 1)
            value_set_text_ref(out, (const char *)body, (int32_t)((st - 13) / 2));
        else
            value_set_blob_ref(out, body, (int32_t)((st - 12) / 2));
    } else if (st - 1 < 6) {        /* 1..6 */
        value_set_int(out, get_be_signed(body, int_bytes[st]));
    } else if (st == 7) {
        for (int i = 0; i < 8; i++)
            bits = (bits << 8) | body[i];
        memcpy(&r, &bits, sizeof r);
        value_set_real(out, r);
    } else if (st == 8 || st == 9) {
        value_set_int(out, (int64_t)st - 8);
    } else {                        /* 0, and the reserved 10 and 11 */
        value_set_null(out);
    }
}

int
record_header_open(const uint8_t *rec, size_t nbytes, uint32_t *hdr_len_out, uint32_t *pos_out)
{
    uint64_t hdr_len;
    int n = varint_get(rec, nbytes, &hdr_len);

    *hdr_len_out = 0;
    *pos_out = 0;
    if (n == 0 || hdr_len < (uint64_t)n || hdr_len > nbytes || hdr_len > RECORD_MAX_HEADER)
        return CHORUS_CORRUPT_HERE();
    *hdr_len_out = (uint32_t)hdr_len;
    *pos_out = (uint32_t)n;
    return CHORUS_OK;
}

void
record_cursor_init(record_cursor *rc)
{
    memset(rc, 0, sizeof *rc);
    rc->cap = (int)CHORUS_ARRAY_LEN(rc->types_inline);
    rc->types = rc->types_inline;
    rc->offsets = rc->offsets_inline;
}

/* Makes room for at least n columns; keeps nothing of the old contents. */
static int
cursor_reserve(record_cursor *rc, int n)
{
    uint64_t *types;
    uint32_t *offsets;
    int cap = rc->cap;

    if (n <= rc->cap)
        return CHORUS_OK;
    while (cap < n)
        cap *= 2;
    types = malloc(sizeof *types * (size_t)cap);
    offsets = malloc(sizeof *offsets * (size_t)cap);
    if (types == NULL || offsets == NULL) {
        free(types);
        free(offsets);
        return CHORUS_NOMEM;
    }
    record_cursor_free(rc);
    rc->types = types;
    rc->offsets = offsets;
    rc->cap = cap;
    return CHORUS_OK;
}

/* record_cursor_open for any header length: a multi-byte one, or more
 * serial types than the cursor has room for. */
static int
open_general(record_cursor *rc, const uint8_t *rec, size_t nbytes)
{
    uint32_t hdr_len, pos;
    int err = record_header_open(rec, nbytes, &hdr_len, &pos);

    if (err != CHORUS_OK)
        return err;
    /* Each serial type takes at least one byte, so hdr_len bounds the count. */
    if ((err = cursor_reserve(rc, (int)(hdr_len - pos))) != CHORUS_OK)
        return err;
    rc->hdr_len = hdr_len;
    rc->hdr_pos = pos;
    rc->body = hdr_len;
    return CHORUS_OK;
}

int
record_cursor_open(record_cursor *rc, const uint8_t *rec, size_t nbytes)
{
    uint32_t hdr_len = nbytes > 0 ? rec[0] : 0;

    rc->rec = rec;
    rc->nbytes = nbytes;
    rc->n_cols = 0;
    rc->hdr_len = 0;
    rc->hdr_pos = 0;
    rc->body = 0;
    if (hdr_len < 1 || hdr_len >= 0x80 || hdr_len > nbytes || hdr_len - 1 > (uint32_t)rc->cap)
        return open_general(rc, rec, nbytes);
    rc->hdr_len = hdr_len;          /* a one-byte header length: the usual case */
    rc->hdr_pos = 1;
    rc->body = hdr_len;
    return CHORUS_OK;
}

int
record_cursor_reach(record_cursor *rc, int i)
{
    static const int8_t fixed_size[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1};
    const uint8_t *rec = rc->rec;
    uint64_t *types = rc->types;        /* locals: the stores below cannot alias them */
    uint32_t *offsets = rc->offsets;
    uint32_t pos = rc->hdr_pos, hdr_len = rc->hdr_len;
    uint64_t body = rc->body, nbytes = rc->nbytes;
    int n_cols = rc->n_cols, err = CHORUS_OK;

    if (i < rc->reach_hint)
        i = rc->reach_hint;
    while (n_cols <= i && pos < hdr_len) {
        uint64_t st = rec[pos], size;
        uint32_t next = pos + 1;    /* pos moves past a serial type only when it is sound */

        if (st >= 0x80) {           /* one-byte serial types cover strings up to 57 bytes */
            int n = varint_get(rec + pos, hdr_len - pos, &st);
            if (n == 0) {
                err = CHORUS_CORRUPT_HERE();
                break;
            }
            next = pos + (uint32_t)n;
        }
        if (st >= 12) {
            size = (st - 12) / 2;
        } else if (fixed_size[st] >= 0) {
            size = (uint64_t)fixed_size[st];
        } else {
            err = CHORUS_CORRUPT_HERE();
            break;
        }
        if (body + size > nbytes) {
            err = CHORUS_CORRUPT_HERE();
            break;
        }
        types[n_cols] = st;
        offsets[n_cols] = (uint32_t)body;
        body += size;
        pos = next;
        n_cols++;
    }
    rc->hdr_pos = pos;
    rc->body = body;
    rc->n_cols = n_cols;
    return err;
}

int
record_cursor_parse(record_cursor *rc, const uint8_t *rec, size_t nbytes)
{
    int err = record_cursor_open(rc, rec, nbytes);

    return err != CHORUS_OK ? err : record_cursor_reach(rc, INT32_MAX);
}

void
record_cursor_column(const record_cursor *rc, int i, value *out)
{
    if (i < 0 || i >= rc->n_cols) {
        value_set_null(out);
        return;
    }
    record_value_decode(rc->types[i], rc->rec + rc->offsets[i], out);
}

void
record_cursor_free(record_cursor *rc)
{
    if (rc->types != rc->types_inline)
        free(rc->types);
    if (rc->offsets != rc->offsets_inline)
        free(rc->offsets);
    rc->types = rc->types_inline;
    rc->offsets = rc->offsets_inline;
    rc->cap = (int)CHORUS_ARRAY_LEN(rc->types_inline);
    rc->n_cols = 0;
}

int
record_column(const uint8_t *rec, size_t nbytes, int i, value *out)
{
    uint32_t hdr_len, pos;
    uint64_t body;
    int rc;

    value_set_null(out);
    rc = record_header_open(rec, nbytes, &hdr_len, &pos);
    if (rc != CHORUS_OK)
        return rc;
    body = hdr_len;
    for (int col = 0; pos < hdr_len; col++) {
        uint64_t st;
        int n = varint_get(rec + pos, hdr_len - pos, &st);
        int64_t size = record_serial_size(st);

        if (n == 0 || size < 0 || body + (uint64_t)size > nbytes)
            return CHORUS_CORRUPT_HERE();
        pos += (uint32_t)n;
        if (col == i) {
            record_value_decode(st, rec + body, out);
            return CHORUS_OK;
        }
        body += (uint64_t)size;
    }
    return CHORUS_OK;
}
