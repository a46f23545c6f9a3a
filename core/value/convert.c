/*
 * core/value/convert.c: numeric text scanning and the conversions between
 * value types that CAST, arithmetic and truth tests use.
 *
 * SQLite reads a number from text in two ways, and both are here:
 *   - whole-text tests (affinity): the text, less surrounding spaces, must be
 *     exactly one number (value_looks_numeric, value_text_to_numeric's
 *     return value);
 *   - prefix conversions (CAST, arithmetic, truth): the longest numeric
 *     prefix counts and the rest is ignored ('12abc' is 12).
 * CAST(x AS INTEGER) reads only the integer prefix ('1e3' is 1), while
 * arithmetic and CAST AS REAL/NUMERIC read the full prefix ('1e3' is 1000).
 *
 * Doubles are produced by strtod() from a normalised digit string (digits
 * and an exponent, no decimal point, so the locale cannot interfere), which
 * rounds correctly.
 *
 * Ownership: only value_to_text allocates (the rendering of a number).
 * Callers: the rest of core/value, core/func and core/vm.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"
#include "value_int.h"

/* Significant digits kept before the sticky digit; far beyond the 17 a
 * double needs, so rounding stays correct. */
enum { SCAN_MAX_DIGITS = 40, SCAN_EXP_LIMIT = 100000 };

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The integer of the digits z[start..end), with the sign; sets *fits when
 * it is inside the int64 range, else saturates. */
static int64_t
digits_to_int(const char *z, int start, int end, bool neg, bool *fits)
{
    uint64_t u = 0;
    bool over = false;

    for (int i = start; i < end; i++) {
        unsigned d = (unsigned)(z[i] - '0');
        if (u > (UINT64_MAX - d) / 10) {
            over = true;
            break;
        }
        u = u * 10 + d;
    }
    if (!neg && (over || u > (uint64_t)INT64_MAX)) {
        *fits = false;
        return INT64_MAX;
    }
    if (neg && (over || u > (uint64_t)INT64_MAX + 1)) {
        *fits = false;
        return INT64_MIN;
    }
    *fits = true;
    return neg ? (int64_t)(0 - u) : (int64_t)u;
}

/*
 * The double of mantissa digits (int part z[a..b), fraction z[c..d)) times
 * ten to exp10, with the sign.
 */
static double
digits_to_double(const char *z, int a, int b, int c, int d, int exp10, bool neg)
{
    char buf[SCAN_MAX_DIGITS + 24];
    int nd = 0;
    int dropped = 0;
    bool sticky = false;

    for (int pass = 0; pass < 2; pass++) {
        int from = pass == 0 ? a : c;
        int to = pass == 0 ? b : d;
        for (int i = from; i < to; i++) {
            if (nd == 0 && z[i] == '0') {
                if (pass == 1)
                    exp10--;
                continue;
            }
            if (nd < SCAN_MAX_DIGITS) {
                buf[nd++] = z[i];
            } else {
                sticky |= z[i] != '0';
                dropped++;
            }
            if (pass == 1)
                exp10--;
        }
    }
    if (nd == 0)
        return neg ? -0.0 : 0.0;
    exp10 += dropped;
    if (sticky) {
        buf[nd++] = '1';
        exp10--;
    }
    snprintf(buf + nd, sizeof buf - (size_t)nd, "e%d", exp10);
    double r = strtod(buf, NULL);
    return neg ? -r : r;
}

/* Parses an exponent at z[*pos] ('e' already seen at z[*pos - 1]); moves
 * *pos past it and returns true when digits follow. */
static bool
exponent_scan(const char *z, int n, int *pos, int *exp_out)
{
    int p = *pos;
    bool neg = false;
    int e = 0;

    if (p < n && (z[p] == '+' || z[p] == '-')) {
        neg = z[p] == '-';
        p++;
    }
    if (p >= n || !is_digit(z[p]))
        return false;
    while (p < n && is_digit(z[p])) {
        if (e < SCAN_EXP_LIMIT)
            e = e * 10 + (z[p] - '0');
        p++;
    }
    *pos = p;
    *exp_out = neg ? -e : e;
    return true;
}

void
num_scan_text(const char *z, int n, num_scan *out)
{
    int pos = 0;
    bool neg = false;
    bool has_dot = false;
    bool has_exp = false;
    int exp10 = 0;

    memset(out, 0, sizeof *out);
    while (pos < n && num_is_space(z[pos]))
        pos++;
    if (pos < n && (z[pos] == '+' || z[pos] == '-'))
        neg = z[pos++] == '-';
    int int_start = pos;
    while (pos < n && is_digit(z[pos]))
        pos++;
    int int_end = pos;
    int frac_start = pos, frac_end = pos;
    if (pos < n && z[pos] == '.') {
        has_dot = true;
        frac_start = ++pos;
        while (pos < n && is_digit(z[pos]))
            pos++;
        frac_end = pos;
    }
    if (int_end == int_start && frac_end == frac_start)
        return;
    if (pos < n && (z[pos] == 'e' || z[pos] == 'E')) {
        pos++;
        has_exp = exponent_scan(z, n, &pos, &exp10);
        if (!has_exp)
            pos--;
    }
    int tail = pos;
    while (tail < n && num_is_space(z[tail]))
        tail++;
    out->has_digits = true;
    out->whole = tail == n;
    out->is_int = !has_dot && !has_exp;
    if (out->is_int)
        out->i = digits_to_int(z, int_start, int_end, neg, &out->int_fits);
    if (!out->int_fits)
        out->i = 0;
    out->r = digits_to_double(z, int_start, int_end, frac_start, frac_end, exp10, neg);
}

bool
value_looks_numeric(const char *z, int n)
{
    num_scan s;

    num_scan_text(z, n, &s);
    return s.has_digits && s.whole;
}

int
value_text_to_numeric(const char *z, int n, value *out)
{
    num_scan s;

    num_scan_text(z, n, &s);
    if (!s.has_digits)
        value_set_int(out, 0);
    else if (s.int_fits)
        value_set_int(out, s.i);
    else
        value_set_real(out, s.r);
    return s.has_digits && s.whole;
}

/* r truncated toward zero and clamped to the int64 range; NaN is 0. */
static int64_t
real_to_int64(double r)
{
    if (isnan(r))
        return 0;
    if (r <= -9223372036854775808.0)
        return INT64_MIN;
    if (r >= 9223372036854775808.0)
        return INT64_MAX;
    return (int64_t)r;
}

/* The integer prefix of text: sign and digits only, saturating. */
static int64_t
text_int_prefix(const char *z, int n)
{
    int pos = 0;
    bool neg = false;
    bool fits;

    while (pos < n && num_is_space(z[pos]))
        pos++;
    if (pos < n && (z[pos] == '+' || z[pos] == '-'))
        neg = z[pos++] == '-';
    int start = pos;
    while (pos < n && is_digit(z[pos]))
        pos++;
    return digits_to_int(z, start, pos, neg, &fits);
}

int64_t
value_to_int64(const value *v)
{
    switch (v->type) {
    case VALUE_INTEGER:
        return v->u.i;
    case VALUE_REAL:
        return real_to_int64(v->u.r);
    case VALUE_TEXT:
    case VALUE_BLOB:
        return text_int_prefix(v->u.z, v->n);
    default:
        return 0;
    }
}

double
value_to_double(const value *v)
{
    num_scan s;

    switch (v->type) {
    case VALUE_INTEGER:
        return (double)v->u.i;
    case VALUE_REAL:
        return v->u.r;
    case VALUE_TEXT:
    case VALUE_BLOB:
        num_scan_text(v->u.z, v->n, &s);
        return s.r;
    default:
        return 0.0;
    }
}

/* SQLite's test for a real that CAST AS NUMERIC turns into an integer: zero,
 * or an exact integer of magnitude below 2^51. */
static bool
real_same_as_int(double r, int64_t *out)
{
    if (r == 0.0) {
        *out = 0;
        return true;
    }
    if (!(r > -2251799813685248.0 && r < 2251799813685248.0))
        return false;
    int64_t i = (int64_t)r;
    *out = i;
    return (double)i == r;
}

int
value_to_numeric(const value *v, value *out)
{
    num_scan s;
    int64_t i;

    if (v->type != VALUE_TEXT && v->type != VALUE_BLOB) {
        *out = *v;
        out->flags = VALUE_BORROWED;
        return CHORUS_OK;
    }
    num_scan_text(v->u.z, v->n, &s);
    if (s.int_fits || !s.has_digits)
        value_set_int(out, s.i);
    else if (real_same_as_int(s.r, &i))
        value_set_int(out, i);
    else
        value_set_real(out, s.r);
    return CHORUS_OK;
}

int
value_to_text(const value *v, value *out)
{
    char buf[VALUE_REAL_BUF];
    int n;

    switch (v->type) {
    case VALUE_TEXT:
    case VALUE_BLOB:
        value_set_text_ref(out, v->u.z, v->n);
        return CHORUS_OK;
    case VALUE_INTEGER:
        n = value_format_int(v->u.i, buf);
        break;
    case VALUE_REAL:
        n = value_format_real(v->u.r, buf);
        break;
    default:
        value_set_null(out);
        return CHORUS_OK;
    }
    return value_set_text_copy(out, buf, n);
}

const char *
value_type_name(int type)
{
    switch (type) {
    case VALUE_INTEGER:
        return "integer";
    case VALUE_REAL:
        return "real";
    case VALUE_TEXT:
        return "text";
    case VALUE_BLOB:
        return "blob";
    default:
        return "null";
    }
}

int
value_truth(const value *v)
{
    switch (v->type) {
    case VALUE_NULL:
        return -1;
    case VALUE_INTEGER:
        return v->u.i != 0;
    default:
        return value_to_double(v) != 0.0;
    }
}
