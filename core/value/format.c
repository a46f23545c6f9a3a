/*
 * core/value/format.c: rendering numbers as text the way SQLite does: reals
 * as "%!.15g" (1.0, 1.0e+20, Inf) and the floating-point conversions of
 * SQLite's printf (%f %e %g with their flags).
 *
 * How digits are made: a double is decoded into at most 19 significant
 * decimal digits, truncated (SQLite scales the number into [1e17, 1e19) and
 * takes the integer part: 19 digits when the value is at least 1e18, else
 * 18), and a decimal point position. The requested rounding then looks at
 * one digit and rounds half away from zero, capped at 16 significant digits
 * (26 with the '!' flag). glibc's printf("%.25e") supplies the exact
 * digits, so no binary-to-decimal arithmetic is done here.
 *
 * Ownership: value_format_real and value_format_int write caller buffers;
 * value_format_real_spec appends to the caller's strbuf.
 * Callers: core/value/convert.c (value_to_text), core/value/affinity.c,
 * core/func/printf.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

enum { DECIMAL_MAX_DIGITS = 28 };

/*
 * A non-negative finite real as digits: value = 0.d[0]d[1]...d[n-1] x
 * 10^dp. Zero is the single digit "0" with dp 1.
 */
typedef struct decimal {
    char d[DECIMAL_MAX_DIGITS];
    int n;
    int dp;
} decimal;

/* Decodes r (finite, > 0) into truncated significant digits. */
static void
decimal_decode(double r, decimal *out)
{
    char buf[48];
    int nraw = r >= 1e18 ? 19 : 18;

    if (r == 0.0) {
        out->d[0] = '0';
        out->n = 1;
        out->dp = 1;
        return;
    }
    /* "d.ddddddddddddddddddddddddde+XX": 26 significant digits. */
    snprintf(buf, sizeof buf, "%.25e", r);
    out->n = 0;
    for (const char *p = buf; *p != 'e'; p++)
        if (*p != '.' && out->n < nraw)
            out->d[out->n++] = *p;
    out->dp = atoi(strchr(buf, 'e') + 1) + 1;
}

static void
decimal_strip_zeros(decimal *dec)
{
    while (dec->n > 1 && dec->d[dec->n - 1] == '0')
        dec->n--;
}

/*
 * Rounds to sig significant digits (capped at max_sig), half away from
 * zero. sig 0 rounds into a new leading digit; sig < 0 leaves the digits
 * as they are (they print as zeros).
 */
static void
decimal_round(decimal *dec, int sig, int max_sig)
{
    if (sig == 0) {
        if (dec->d[0] < '5')
            return;
        memmove(dec->d + 1, dec->d, (size_t)(dec->n < DECIMAL_MAX_DIGITS - 1 ? dec->n : dec->n - 1));
        dec->d[0] = '0';
        dec->n = dec->n < DECIMAL_MAX_DIGITS - 1 ? dec->n + 1 : dec->n;
        dec->dp++;
        sig = 1;
    }
    if (sig < 0 || (sig >= dec->n && dec->n <= max_sig))
        return;
    if (sig > max_sig)
        sig = max_sig;
    if (sig >= dec->n) {
        decimal_strip_zeros(dec);
        return;
    }
    bool up = dec->d[sig] >= '5';
    dec->n = sig;
    for (int j = sig - 1; up && j >= 0; j--) {
        if (dec->d[j] < '9') {
            dec->d[j]++;
            up = false;
        } else {
            dec->d[j] = '0';
        }
    }
    if (up) {
        memmove(dec->d + 1, dec->d, (size_t)dec->n);
        dec->d[0] = '1';
        dec->n++;
        dec->dp++;
    }
    decimal_strip_zeros(dec);
}

static char
decimal_digit(const decimal *dec, int *j)
{
    return *j < dec->n ? dec->d[(*j)++] : '0';
}

/*
 * Where formatted text goes: the caller's strbuf (printf), or a fixed
 * buffer (value_format_real, whose output is bounded) so that rendering a
 * real on a hot path never allocates.
 */
typedef struct sink {
    strbuf *sb;             /* borrowed; NULL when writing to buf */
    char *buf;              /* borrowed fixed buffer */
    size_t len;             /* bytes in buf */
    size_t cap;             /* size of buf; one byte stays for the NUL */
} sink;

static void
sink_putc(sink *s, char c)
{
    if (s->sb != NULL)
        strbuf_putc(s->sb, c);
    else if (s->len + 1 < s->cap)
        s->buf[s->len++] = c;
}

static void
sink_puts(sink *s, const char *z)
{
    while (*z)
        sink_putc(s, *z++);
}

/* The bytes written so far and their count (NULL after a failed append). */
static char *
sink_data(sink *s, size_t **len_out)
{
    if (s->sb != NULL) {
        *len_out = &s->sb->len;
        return s->sb->failed ? NULL : s->sb->data;
    }
    *len_out = &s->len;
    return s->buf;
}

/* Drops trailing zeros after the point written since start, and the point
 * itself unless alt2 asks for one zero after it. */
static void
zeros_strip(sink *s, size_t start, bool alt2)
{
    size_t *len;
    char *data = sink_data(s, &len);

    if (data == NULL)
        return;
    while (*len > start && data[*len - 1] == '0')
        (*len)--;
    if (*len > start && data[*len - 1] == '.') {
        if (alt2)
            (*len)++;       /* the '0' after the point is still there */
        else
            (*len)--;
    }
    if (s->sb != NULL)
        data[*len] = '\0';
}

/* Appends the exponent suffix: e, sign, at least two digits. */
static void
exponent_append(sink *out, char e_char, int exp10)
{
    char buf[16];

    snprintf(buf, sizeof buf, "%c%c%02d", e_char, exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    sink_puts(out, buf);
}

/*
 * Appends the digits of dec in fixed (e2 = exponent of the first digit) or
 * exponent form (e2 = 0), with precision digits after the point, then
 * strips trailing zeros when asked.
 */
static void
digits_append(sink *out, const decimal *dec, int e2, int precision, bool keep_point,
              bool strip, bool alt2)
{
    int j = 0;
    size_t *len;

    sink_data(out, &len);
    size_t start = *len;
    if (e2 < 0) {
        sink_putc(out, '0');
    } else {
        for (; e2 >= 0; e2--)
            sink_putc(out, decimal_digit(dec, &j));
    }
    if (keep_point)
        sink_putc(out, '.');
    /* With alt2 a '0' always follows the point, so stripping can keep it. */
    if (keep_point && strip && alt2 && precision == 0)
        sink_putc(out, '0');
    for (e2++; e2 < 0 && precision > 0; precision--, e2++)
        sink_putc(out, '0');
    while (precision-- > 0)
        sink_putc(out, decimal_digit(dec, &j));
    if (strip && keep_point)
        zeros_strip(out, start, alt2);
}

/* Infinity and NaN: "Inf" with its sign, "NaN"; under the zero-pad flag
 * "null" and 9e+999 (dec is set and false returned to print it). */
static bool
special_append(double r, const value_real_spec *spec, sink *out, decimal *dec)
{
    if (isnan(r)) {
        sink_puts(out, spec->zero_pad ? "null" : "NaN");
        return true;
    }
    if (!isinf(r))
        return false;
    if (spec->zero_pad) {
        dec->d[0] = '9';
        dec->n = 1;
        dec->dp = 1000;
        return false;
    }
    if (r < 0)
        sink_putc(out, '-');
    else if (spec->sign_prefix)
        sink_putc(out, spec->sign_prefix);
    sink_puts(out, "Inf");
    return true;
}

/*
 * The conversion itself:
 *   1. infinities and NaN;
 *   2. the sign;
 *   3. digits, rounded for the precision (%f counts after the point, %e and
 *      %g count significant digits);
 *   4. %g picks fixed or exponent form from the rounded exponent;
 *   5. the digits, the point, and the exponent.
 */
static void
real_format(double r, const value_real_spec *spec, sink *out)
{
    decimal dec;
    int precision = spec->precision < 0 ? 6 : spec->precision;
    int max_sig = spec->alt2 ? 26 : 16;
    char conv = spec->conv;
    bool is_generic = conv == 'g' || conv == 'G';
    bool strip;

    if (precision > 100000000)
        precision = 100000000;
    if (special_append(r, spec, out, &dec))                         /* 1 */
        return;
    if (r < 0)                                                      /* 2 */
        sink_putc(out, '-');
    else if (spec->sign_prefix)
        sink_putc(out, spec->sign_prefix);
    if (!isinf(r))                                                  /* 3 */
        decimal_decode(fabs(r), &dec);
    if (is_generic && precision > 0)
        precision--;
    if (conv == 'f')
        decimal_round(&dec, dec.dp + precision, max_sig);
    else if (!isinf(r))
        decimal_round(&dec, precision + 1, max_sig);
    int exp10 = dec.dp - 1;
    bool use_exp = conv == 'e' || conv == 'E';
    if (is_generic) {                                               /* 4 */
        strip = !spec->alt;
        if (exp10 < -4 || exp10 > precision)
            use_exp = true;
        else
            precision -= exp10;
    } else {
        strip = spec->alt2;
    }
    bool keep_point = precision > 0 || spec->alt || spec->alt2;
    digits_append(out, &dec, use_exp ? 0 : exp10, precision, keep_point, strip, spec->alt2); /* 5 */
    if (use_exp)
        exponent_append(out, conv == 'E' || conv == 'G' ? 'E' : 'e', exp10);
}

void
value_format_real_spec(double r, const value_real_spec *spec, strbuf *out)
{
    sink s = { .sb = out };

    real_format(r, spec, &s);
}

int
value_format_real(double r, char buf[VALUE_REAL_BUF])
{
    static const value_real_spec spec = { .conv = 'g', .precision = 15, .alt2 = true };
    sink s = { .buf = buf, .cap = VALUE_REAL_BUF };

    /* "%!.15g" never needs more than 23 bytes, so nothing is cut. */
    real_format(r, &spec, &s);
    buf[s.len] = '\0';
    return (int)s.len;
}

int
value_format_int(int64_t i, char buf[VALUE_INT_BUF])
{
    return snprintf(buf, VALUE_INT_BUF, "%lld", (long long)i);
}
