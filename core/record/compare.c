/*
 * core/record/compare.c: collations and SQLite's sort order of values and
 * index records.
 *
 * Order: NULL < INTEGER and REAL (compared as numbers, exactly, even when a
 * 64-bit integer is not representable as a double) < TEXT (by collation) <
 * BLOB (memcmp, then length).
 *
 * Collations: BINARY (memcmp, then length), NOCASE (ASCII letters folded to
 * lower case, other bytes as they are, up to a NUL both share, then length,
 * as sqlite3's sqlite3StrNICmp does), RTRIM (trailing
 * spaces ignored, then BINARY); ids from COLLATE_USER_FIRST up are the
 * application's (collation_user.c).
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
        if (a[i] == '\0')
            break;
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
    default: {
        int c;
        if (coll != COLLATE_BINARY && collation_user_compare((int)coll, a, na, b, nb, &c))
            return c;
        return bytes_compare(a, na, b, nb);
    }
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
    return collation_user_find(name);
}

const char *
collation_name(collation coll)
{
    const char *user;

    if ((unsigned)coll < CHORUS_ARRAY_LEN(collation_names))
        return collation_names[coll];
    user = collation_user_name((int)coll);
    return user != NULL ? user : "BINARY";
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

/*
 * Walks the fields of one record without decoding them: the header position
 * and body offset. Comparisons read fields in place; only the mixed and rare
 * cases (reals, integers against reals) build value structs.
 */
typedef struct field_iter {
    const uint8_t *rec;
    size_t nbytes;
    uint32_t hdr_len;
    uint32_t pos;
    uint64_t body;
} field_iter;

/* Opens rec; a one-byte header length (every key of up to 126 columns) is
 * read inline, with the checks of record_header_open(). */
static inline int
iter_open(field_iter *it, const uint8_t *rec, size_t nbytes)
{
    it->rec = rec;
    it->nbytes = nbytes;
    it->body = 0;
    if (nbytes > 0 && rec[0] < 0x80 && rec[0] >= 1 && rec[0] <= nbytes) {
        it->hdr_len = rec[0];
        it->pos = 1;
    } else if (record_header_open(rec, nbytes, &it->hdr_len, &it->pos) != CHORUS_OK) {
        return CHORUS_CORRUPT;
    }
    it->body = it->hdr_len;
    return CHORUS_OK;
}

/* Steps to the next field: *st_out gets its serial type and *body_out its
 * bytes (bounds-checked). CHORUS_OK, CHORUS_DONE at the end of the header,
 * or CHORUS_CORRUPT. */
static inline int
iter_next(field_iter *it, uint64_t *st_out, const uint8_t **body_out)
{
    static const int8_t fixed[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1};
    uint64_t st, size;

    if (it->pos >= it->hdr_len)
        return CHORUS_DONE;
    st = it->rec[it->pos];
    if (st < 0x80) {
        it->pos++;
    } else {
        int n = varint_get(it->rec + it->pos, it->hdr_len - it->pos, &st);
        if (n == 0)
            return CHORUS_CORRUPT_HERE();
        it->pos += (uint32_t)n;
    }
    if (st < 12) {
        if (fixed[st] < 0)
            return CHORUS_CORRUPT_HERE();
        size = (uint64_t)fixed[st];
    } else {
        size = (st - 12) / 2;
    }
    if (it->body + size > it->nbytes)
        return CHORUS_CORRUPT_HERE();
    *st_out = st;
    *body_out = it->rec + it->body;
    it->body += size;
    return CHORUS_OK;
}

/* 0 NULL, 1 number, 2 text, 3 blob, as type_class() (types 10 and 11 never
 * get past iter_next). */
static inline int
serial_class(uint64_t st)
{
    return st == 0 ? 0 : st < 12 ? 1 : (st & 1) ? 2 : 3;
}

/* The integer of serial type 1..6, 8 or 9 at p. */
static inline int64_t
serial_int(uint64_t st, const uint8_t *p)
{
    static const uint8_t width[7] = {0, 1, 2, 3, 4, 6, 8};
    uint64_t u;

    if (st >= 8)
        return (int64_t)st - 8;
    u = (p[0] & 0x80) ? ~(uint64_t)0 : 0;
    for (int i = 0; i < width[st]; i++)
        u = (u << 8) | p[i];
    return (int64_t)u;
}

/* Compares two encoded fields under coll, ascending. */
static int
raw_compare(collation coll, uint64_t sa, const uint8_t *pa, uint64_t sb, const uint8_t *pb)
{
    int ca = serial_class(sa), cb = serial_class(sb);
    value va, vb;

    if (ca != cb)
        return ca < cb ? -1 : 1;
    switch (ca) {
    case 0:
        return 0;
    case 1:
        if (sa != 7 && sb != 7) {
            int64_t x = serial_int(sa, pa), y = serial_int(sb, pb);
            return x < y ? -1 : x > y;
        }
        break;
    case 2:
        return collation_compare(coll, (const char *)pa, (int)((sa - 13) / 2), (const char *)pb,
                                 (int)((sb - 13) / 2));
    default:
        return bytes_compare((const char *)pa, (int)((sa - 12) / 2), (const char *)pb,
                             (int)((sb - 12) / 2));
    }
    record_value_decode(sa, pa, &va);
    record_value_decode(sb, pb, &vb);
    return value_compare(&va, &vb, coll);
}

/* Compares an encoded field with a value under coll, ascending. */
static int
raw_value_compare(collation coll, uint64_t sa, const uint8_t *pa, const value *b)
{
    int ca = serial_class(sa), cb = type_class(b);
    value va;

    if (ca != cb)
        return ca < cb ? -1 : 1;
    switch (ca) {
    case 0:
        return 0;
    case 1:
        if (sa != 7 && b->type == VALUE_INTEGER) {
            int64_t x = serial_int(sa, pa);
            return x < b->u.i ? -1 : x > b->u.i;
        }
        break;
    case 2:
        return collation_compare(coll, (const char *)pa, (int)((sa - 13) / 2), b->u.z, b->n);
    default:
        return bytes_compare((const char *)pa, (int)((sa - 12) / 2), b->u.z, b->n);
    }
    record_value_decode(sa, pa, &va);
    return value_compare(&va, b, coll);
}

/* Field i's collation and direction under ki; later fields (the rowid) are
 * BINARY ascending. */
static inline void
field_order(const key_info *ki, int i, collation *coll_out, bool *desc_out)
{
    if (ki == NULL || i >= ki->n_fields) {
        *coll_out = COLLATE_BINARY;
        *desc_out = false;
        return;
    }
    *coll_out = (collation)ki->coll[i];
    *desc_out = ki->desc[i] != 0;
}

/*
 * Compares rec with the values vals[0, n_vals). When the fields both have
 * are equal: a prefix comparison (whole) gives 0, a whole-record one orders
 * the record with fewer fields first.
 */
static int
compare_values(const key_info *ki, const uint8_t *rec, size_t nbytes, const value *vals,
               int n_vals, bool whole, int *rc_out)
{
    field_iter it;
    uint64_t st = 0;
    const uint8_t *body = NULL;
    int rc;

    *rc_out = iter_open(&it, rec, nbytes);
    if (*rc_out != CHORUS_OK)
        return 0;
    for (int i = 0; i < n_vals; i++) {
        collation coll;
        bool desc;
        int c;

        rc = iter_next(&it, &st, &body);
        if (rc == CHORUS_DONE)
            return whole ? -1 : 0;
        if (rc != CHORUS_OK) {
            *rc_out = rc;
            return 0;
        }
        field_order(ki, i, &coll, &desc);
        c = raw_value_compare(coll, st, body, &vals[i]);
        if (c != 0)
            return desc ? -c : c;
    }
    if (!whole)
        return 0;
    rc = iter_next(&it, &st, &body);
    if (rc == CHORUS_CORRUPT)
        *rc_out = rc;
    return rc == CHORUS_OK ? 1 : 0;
}

int
record_compare_probe(const key_info *ki, const uint8_t *rec, size_t nbytes, const value *probe,
                     int n_probe, int *rc_out)
{
    return compare_values(ki, rec, nbytes, probe, n_probe, false, rc_out);
}

int
record_compare_unpacked(const key_info *ki, const uint8_t *rec, size_t nbytes,
                        const value *vals, int n_vals, int *rc_out)
{
    return compare_values(ki, rec, nbytes, vals, n_vals, true, rc_out);
}

int
record_compare(const key_info *ki, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
               int *rc_out)
{
    field_iter ia, ib;

    *rc_out = iter_open(&ia, a, na);
    if (*rc_out == CHORUS_OK)
        *rc_out = iter_open(&ib, b, nb);
    if (*rc_out != CHORUS_OK)
        return 0;
    for (int i = 0;; i++) {
        uint64_t sa = 0, sb = 0;
        const uint8_t *pa = NULL, *pb = NULL;
        collation coll;
        bool desc;
        int ra = iter_next(&ia, &sa, &pa), rb = iter_next(&ib, &sb, &pb), c;

        if (ra == CHORUS_CORRUPT || rb == CHORUS_CORRUPT) {
            *rc_out = CHORUS_CORRUPT;
            return 0;
        }
        if (ra == CHORUS_DONE && rb == CHORUS_DONE)
            return 0;
        if (ra == CHORUS_DONE || rb == CHORUS_DONE)
            return ra == CHORUS_DONE ? -1 : 1;
        field_order(ki, i, &coll, &desc);
        c = raw_compare(coll, sa, pa, sb, pb);
        if (c != 0)
            return desc ? -c : c;
    }
}
