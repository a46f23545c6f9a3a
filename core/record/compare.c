/*
 * core/record/compare.c: collations and SQLite's sort order of values and
 * index records.
 *
 * Order: NULL < INTEGER and REAL (compared as numbers, exactly, even when a
 * 64-bit integer is not representable as a double) < TEXT (by collation) <
 * BLOB (memcmp, then length).
 *
 * Collations: BINARY (memcmp, then length), NOCASE (ASCII letters folded to
 * lower case, other bytes as they are, as sqlite3 does), RTRIM (trailing
 * spaces ignored, then BINARY).
 *
 * Index keys: fields below key_info.n_fields use that field's collation and
 * direction; later fields (the rowid of an index entry) compare BINARY
 * ascending.
 *
 * Thread rule: pure functions. Callers: the btree (seeks, inserts, integrity
 * check), vm (comparison opcodes, sorting).
 */
#include "record_int.h"

#include <string.h>

static const char *const collation_names[] = {"BINARY", "NOCASE", "RTRIM"};

static int
bytes_compare(const char *a, int na, const char *b, int nb)
{
    int n = na < nb ? na : nb;
    int c = n > 0 ? memcmp(a, b, (size_t)n) : 0;

    if (c != 0)
        return c;
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static int
fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int
nocase_compare(const char *a, int na, const char *b, int nb)
{
    int n = na < nb ? na : nb;

    for (int i = 0; i < n; i++) {
        int d = fold((unsigned char)a[i]) - fold((unsigned char)b[i]);
        if (d != 0)
            return d;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

int
collation_compare(collation coll, const char *a, int na, const char *b, int nb)
{
    switch (coll) {
    case COLLATE_NOCASE:
        return nocase_compare(a, na, b, nb);
    case COLLATE_RTRIM:
        while (na > 0 && a[na - 1] == ' ')
            na--;
        while (nb > 0 && b[nb - 1] == ' ')
            nb--;
        return bytes_compare(a, na, b, nb);
    default:
        return bytes_compare(a, na, b, nb);
    }
}

int
collation_find(const char *name)
{
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(collation_names); i++) {
        const char *want = collation_names[i];
        size_t len = strlen(want);
        if (strlen(name) == len && nocase_compare(name, (int)len, want, (int)len) == 0)
            return (int)i;
    }
    return -1;
}

const char *
collation_name(collation coll)
{
    if ((unsigned)coll >= CHORUS_ARRAY_LEN(collation_names))
        return "BINARY";
    return collation_names[coll];
}

/* Compares integer i with double r exactly: <0, 0, >0 as i <, =, > r.
 * NaN sorts below every number (sqlite3 never stores NaN; it becomes NULL). */
static int
int_real_compare(int64_t i, double r)
{
    int64_t t;
    double frac;

    if (r != r)
        return 1;
    if (r < -9223372036854775808.0)
        return 1;
    if (r >= 9223372036854775808.0)
        return -1;
    t = (int64_t)r;             /* exact truncation: r is within int64 range */
    if (i != t)
        return i < t ? -1 : 1;
    /* r - t is exact: below 2^52 t fits a double's mantissa, above it r is integral. */
    frac = r - (double)t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

static int
real_compare(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    if (a == b)
        return 0;
    return (a == a) - (b == b);   /* NaN below numbers, equal to NaN */
}

/* 0 NULL, 1 number, 2 text, 3 blob. */
static int
type_class(const value *v)
{
    switch (v->type) {
    case VALUE_INTEGER:
    case VALUE_REAL:
        return 1;
    case VALUE_TEXT:
        return 2;
    case VALUE_BLOB:
        return 3;
    default:
        return 0;
    }
}

int
value_compare(const value *a, const value *b, collation coll)
{
    int ca = type_class(a), cb = type_class(b);

    if (ca != cb)
        return ca < cb ? -1 : 1;
    switch (ca) {
    case 1:
        if (a->type == VALUE_INTEGER && b->type == VALUE_INTEGER)
            return a->u.i < b->u.i ? -1 : a->u.i > b->u.i ? 1 : 0;
        if (a->type == VALUE_REAL && b->type == VALUE_REAL)
            return real_compare(a->u.r, b->u.r);
        if (a->type == VALUE_INTEGER)
            return int_real_compare(a->u.i, b->u.r);
        return -int_real_compare(b->u.i, a->u.r);
    case 2:
        return collation_compare(coll, a->u.z, a->n, b->u.z, b->n);
    case 3:
        return bytes_compare(a->u.z, a->n, b->u.z, b->n);
    default:
        return 0;
    }
}

/* Walks the fields of one record: the header position and body offset. */
typedef struct field_iter {
    const uint8_t *rec;
    size_t nbytes;
    uint32_t hdr_len;
    uint32_t pos;
    uint64_t body;
} field_iter;

static int
iter_open(field_iter *it, const uint8_t *rec, size_t nbytes)
{
    it->rec = rec;
    it->nbytes = nbytes;
    it->body = 0;
    if (record_header_open(rec, nbytes, &it->hdr_len, &it->pos) != CHORUS_OK)
        return CHORUS_CORRUPT;
    it->body = it->hdr_len;
    return CHORUS_OK;
}

/* Decodes the next field into out: CHORUS_OK, CHORUS_DONE at the end of the
 * header, or CHORUS_CORRUPT. */
static int
iter_next(field_iter *it, value *out)
{
    uint64_t st;
    int64_t size;
    int n;

    if (it->pos >= it->hdr_len)
        return CHORUS_DONE;
    n = varint_get(it->rec + it->pos, it->hdr_len - it->pos, &st);
    size = record_serial_size(st);
    if (n == 0 || size < 0 || it->body + (uint64_t)size > it->nbytes)
        return CHORUS_CORRUPT_HERE();
    it->pos += (uint32_t)n;
    record_value_decode(st, it->rec + it->body, out);
    it->body += (uint64_t)size;
    return CHORUS_OK;
}

/* Compares field i of two keys under ki. */
static int
field_compare(const key_info *ki, int i, const value *a, const value *b)
{
    int c;

    if (ki == NULL || i >= ki->n_fields)
        return value_compare(a, b, COLLATE_BINARY);
    c = value_compare(a, b, (collation)ki->coll[i]);
    return ki->desc[i] ? -c : c;
}

int
record_compare_probe(const key_info *ki, const uint8_t *rec, size_t nbytes, const value *probe,
                     int n_probe, int *rc_out)
{
    field_iter it;
    value v;

    *rc_out = iter_open(&it, rec, nbytes);
    if (*rc_out != CHORUS_OK)
        return 0;
    for (int i = 0; i < n_probe; i++) {
        int rc = iter_next(&it, &v), c;

        if (rc == CHORUS_DONE)
            return 0;
        if (rc != CHORUS_OK) {
            *rc_out = rc;
            return 0;
        }
        c = field_compare(ki, i, &v, &probe[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

int
record_compare(const key_info *ki, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
               int *rc_out)
{
    field_iter ia, ib;
    value va, vb;

    *rc_out = iter_open(&ia, a, na);
    if (*rc_out == CHORUS_OK)
        *rc_out = iter_open(&ib, b, nb);
    if (*rc_out != CHORUS_OK)
        return 0;
    for (int i = 0;; i++) {
        int ra = iter_next(&ia, &va), rb = iter_next(&ib, &vb), c;

        if (ra == CHORUS_CORRUPT || rb == CHORUS_CORRUPT) {
            *rc_out = CHORUS_CORRUPT;
            return 0;
        }
        if (ra == CHORUS_DONE && rb == CHORUS_DONE)
            return 0;
        if (ra == CHORUS_DONE || rb == CHORUS_DONE)
            return ra == CHORUS_DONE ? -1 : 1;
        c = field_compare(ki, i, &va, &vb);
        if (c != 0)
            return c;
    }
}
