/*
 * core/func/printf.c: SQLite's printf() (also named format()): the format
 * language of SQLite's own printf as SQL functions see it.
 *
 * A conversion is %[flags][width][.precision][l|ll]conv with
 *   flags      '-' left-justify, '+' and ' ' sign of positive numbers,
 *              '0' zero padding, '#' alternate form, '!' alternate form 2
 *              (characters instead of bytes for %s/%q/%c widths, one digit
 *              after the point for %g), ',' thousands separators (%d %i %u)
 *   width and precision  digits or '*' (taken from the next argument)
 *   conv       d i u x X o p r  integers (r: ordinal "1st")
 *              f e E g G        reals (core/value/format.c)
 *              s z              text;  q Q w  SQL-escaped text
 *              c                a character (precision repeats it)
 *              %                a percent sign;  n  nothing
 * Arguments are read as SQLite reads them for each conversion (integer
 * prefix, numeric prefix, text rendering); missing arguments read as 0,
 * 0.0 or NULL. An unknown conversion ends the output there.
 *
 * Ownership: the output is built in a strbuf and handed to the caller.
 * Callers: core/vm (printf(), format()), anyone needing SQL-style quoting.
 */
#include <stdlib.h>
#include <string.h>

#include "func_int.h"

/* The arguments not yet consumed. */
typedef struct arg_list {
    int argc;
    const value *argv;
    int next;
} arg_list;

static int64_t
arg_int(arg_list *args)
{
    return args->next < args->argc ? value_to_int64(&args->argv[args->next++]) : 0;
}

static double
arg_double(arg_list *args)
{
    return args->next < args->argc ? value_to_double(&args->argv[args->next++]) : 0.0;
}

/* The next argument's text, NUL-bounded as C text is; NULL for NULL. */
static const char *
arg_text(arg_list *args, char buf[VALUE_REAL_BUF], int *n_out)
{
    const char *z;
    const char *nul;

    *n_out = 0;
    if (args->next >= args->argc)
        return NULL;
    z = func_arg_text(&args->argv[args->next++], buf, n_out);
    if (z != NULL && (nul = memchr(z, '\0', (size_t)*n_out)) != NULL)
        *n_out = (int)(nul - z);
    return z;
}

/* One parsed conversion. */
typedef struct conv_spec {
    bool left, plus, space, alt, alt2, zero, comma;
    int64_t width;          /* 0 when none */
    int64_t precision;      /* -1 when none */
    char conv;
} conv_spec;

/* Appends z[0..n) padded with spaces to width (counted in chars units). */
static void
pad_append(strbuf *sb, const conv_spec *spec, const char *z, size_t n, int64_t units)
{
    int64_t pad = spec->width - units;

    for (int64_t i = 0; !spec->left && i < pad; i++)
        strbuf_putc(sb, ' ');
    strbuf_append(sb, z, n);
    for (int64_t i = 0; spec->left && i < pad; i++)
        strbuf_putc(sb, ' ');
}

/* Inserts ',' every three digits of the n digits ending at end; returns
 * the new start (the buffer has room before digits). */
static char *
commas_insert(char *digits, char *end)
{
    int n = (int)(end - digits);
    int groups = (n - 1) / 3;

    if (groups <= 0)
        return digits;
    char *start = digits - groups;
    char *w = start;
    for (int i = 0; i < n; i++) {
        *w++ = digits[i];
        if (i < n - 1 && (n - 1 - i) % 3 == 0)
            *w++ = ',';
    }
    return start;
}

/* Integer conversions d i u x X o p r. */
static void
int_conv(strbuf *sb, conv_spec *spec, int64_t iv)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    bool is_signed = spec->conv == 'd' || spec->conv == 'i' || spec->conv == 'r';
    int base = spec->conv == 'x' || spec->conv == 'X' || spec->conv == 'p' ? 16
               : spec->conv == 'o' ? 8 : 10;
    const char *digit_chars = spec->conv == 'x' ? lower : upper;
    char prefix = 0;
    uint64_t v = (uint64_t)iv;
    char buf[256];
    char *end = buf + sizeof buf - 4, *p = end;

    if (is_signed && iv < 0) {
        v = 0 - (uint64_t)iv;
        prefix = '-';
    } else if (is_signed) {
        prefix = spec->plus ? '+' : spec->space ? ' ' : 0;
    }
    if (v == 0)
        spec->alt = false;
    int64_t precision = spec->conv == 'r' ? -1 : spec->precision;
    if (spec->zero && precision < spec->width - (prefix != 0))
        precision = spec->width - (prefix != 0);
    if (precision > 120)
        precision = 120;    /* more zeros than the buffer holds are pointless */
    if (spec->conv == 'r') {
        static const char *const suffix[] = { "th", "st", "nd", "rd" };
        int x = (int)(v % 10);
        const char *s = x >= 4 || (v / 10) % 10 == 1 ? "th" : suffix[x];
        memcpy(end, s, 3);
        end += 2;
    }
    do {
        *--p = digit_chars[v % (uint64_t)base];
        v /= (uint64_t)base;
    } while (v != 0);
    while ((end - p) - (spec->conv == 'r' ? 2 : 0) < precision)
        *--p = '0';
    if (spec->comma && base == 10)
        p = commas_insert(p, end - (spec->conv == 'r' ? 2 : 0));
    if (spec->alt && spec->conv == 'o' && *p != '0')
        *--p = '0';
    if (spec->alt && (spec->conv == 'x' || spec->conv == 'X')) {
        *--p = spec->conv;
        *--p = '0';
    }
    if (prefix)
        *--p = prefix;
    pad_append(sb, spec, p, (size_t)(end - p), end - p);
}

/* Real conversions f e E g G, with zero padding after the sign. */
static void
real_conv(strbuf *sb, const conv_spec *spec, double r)
{
    value_real_spec rs = {
        .conv = spec->conv, .precision = (int)(spec->precision > 100000000 ? 100000000
                                                                             : spec->precision),
        .alt = spec->alt, .alt2 = spec->alt2, .zero_pad = spec->zero,
        .sign_prefix = spec->plus ? '+' : spec->space ? ' ' : 0,
    };
    strbuf tmp;

    strbuf_init(&tmp);
    value_format_real_spec(r, &rs, &tmp);
    if (tmp.failed) {
        sb->failed = true;
        return;
    }
    if (spec->zero && !spec->left && (int64_t)tmp.len < spec->width) {
        size_t has_prefix = tmp.data[0] == '-' || tmp.data[0] == '+' || tmp.data[0] == ' ';
        strbuf_append(sb, tmp.data, has_prefix);
        for (int64_t i = (int64_t)tmp.len; i < spec->width; i++)
            strbuf_putc(sb, '0');
        strbuf_append(sb, tmp.data + has_prefix, tmp.len - has_prefix);
    } else {
        pad_append(sb, spec, tmp.data ? tmp.data : "", tmp.len, (int64_t)tmp.len);
    }
    strbuf_free(&tmp);
}

/* Characters in z[0..n) (UTF-8 lead bytes). */
static int64_t
char_count(const char *z, int n)
{
    int64_t count = 0;

    for (int i = 0; i < n; i++)
        count += ((unsigned char)z[i] & 0xc0) != 0x80;
    return count;
}

/* Bytes of the first `limit` units of z: characters with '!', else bytes. */
static int
prefix_bytes(const char *z, int n, int64_t limit, bool chars)
{
    if (limit < 0)
        return n;
    if (!chars)
        return limit < n ? (int)limit : n;
    int i = 0;
    for (int64_t k = 0; i < n; i++) {
        if (((unsigned char)z[i] & 0xc0) != 0x80 && k++ == limit)
            break;
    }
    return i;
}

static void
string_conv(strbuf *sb, const conv_spec *spec, const char *z, int n)
{
    if (z == NULL)
        z = "";
    n = prefix_bytes(z, n, spec->precision, spec->alt2);
    pad_append(sb, spec, z, (size_t)n, spec->alt2 ? char_count(z, n) : n);
}

/* %q %Q %w: quotes doubled; %Q adds the quotes, or prints NULL. */
static void
escape_conv(strbuf *sb, const conv_spec *spec, const char *z, int n)
{
    char quote = spec->conv == 'w' ? '"' : '\'';
    strbuf out;

    if (z == NULL) {
        /* The stand-in is itself cut to the precision, quotes added. */
        z = spec->conv == 'Q' ? "NULL" : "(NULL)";
        n = prefix_bytes(z, (int)strlen(z), spec->precision, spec->alt2);
        pad_append(sb, spec, z, (size_t)n, n);
        return;
    }
    n = prefix_bytes(z, n, spec->precision, spec->alt2);
    strbuf_init(&out);
    if (spec->conv == 'Q')
        strbuf_putc(&out, quote);
    for (int i = 0; i < n; i++) {
        if (z[i] == quote)
            strbuf_putc(&out, quote);
        strbuf_putc(&out, z[i]);
    }
    if (spec->conv == 'Q')
        strbuf_putc(&out, quote);
    if (out.failed)
        sb->failed = true;
    else
        pad_append(sb, spec, out.data ? out.data : "", out.len,
                   spec->alt2 ? char_count(out.data, (int)out.len) : (int64_t)out.len);
    strbuf_free(&out);
}

/* %c: the first character of the text (a NUL for NULL or empty text),
 * repeated precision times. */
static void
char_conv(strbuf *sb, const conv_spec *spec, const char *z, int n)
{
    char one[4] = { 0 };
    int len = 1;
    strbuf out;

    if (z != NULL && n > 0) {
        one[0] = z[0];
        if (((unsigned char)z[0] & 0xc0) == 0xc0)
            while (len < 4 && len < n && ((unsigned char)z[len] & 0xc0) == 0x80) {
                one[len] = z[len];
                len++;
            }
    }
    int64_t times = spec->precision > 1 ? spec->precision : 1;
    strbuf_init(&out);
    for (int64_t i = 0; i < times && !out.failed; i++)
        strbuf_append(&out, one, (size_t)len);
    if (out.failed)
        sb->failed = true;
    else
        pad_append(sb, spec, out.data, out.len, times);
    strbuf_free(&out);
}

/* Parses flags, width, precision and length modifiers at fmt[*i]. */
static void
spec_parse(const char *fmt, int n, int *i, arg_list *args, conv_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->precision = -1;
    for (; *i < n; (*i)++) {
        char c = fmt[*i];
        if (c == '-') spec->left = true;
        else if (c == '+') spec->plus = true;
        else if (c == ' ') spec->space = true;
        else if (c == '#') spec->alt = true;
        else if (c == '!') spec->alt2 = true;
        else if (c == '0') spec->zero = true;
        else if (c == ',') spec->comma = true;
        else break;
    }
    if (*i < n && fmt[*i] == '*') {
        spec->width = arg_int(args);
        if (spec->width < 0) {
            spec->left = true;
            spec->width = spec->width == INT64_MIN ? 0 : -spec->width;
        }
        (*i)++;
    } else {
        while (*i < n && fmt[*i] >= '0' && fmt[*i] <= '9' && spec->width < INT32_MAX)
            spec->width = spec->width * 10 + (fmt[(*i)++] - '0');
    }
    if (*i < n && fmt[*i] == '.') {
        (*i)++;
        spec->precision = 0;
        if (*i < n && fmt[*i] == '*') {
            spec->precision = arg_int(args);
            if (spec->precision < 0)
                spec->precision = spec->precision == INT64_MIN ? -1 : -spec->precision;
            (*i)++;
        } else {
            while (*i < n && fmt[*i] >= '0' && fmt[*i] <= '9' && spec->precision < INT32_MAX)
                spec->precision = spec->precision * 10 + (fmt[(*i)++] - '0');
        }
    }
    while (*i < n && fmt[*i] == 'l')
        (*i)++;
    spec->conv = *i < n ? fmt[(*i)++] : '\0';
}

/* Runs one conversion; false for an unknown one (output ends there). */
static bool
conv_run(strbuf *sb, conv_spec *spec, arg_list *args)
{
    char buf[VALUE_REAL_BUF];
    const char *z;
    int n;

    switch (spec->conv) {
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p': case 'r':
        int_conv(sb, spec, arg_int(args));
        return true;
    case 'f': case 'e': case 'E': case 'g': case 'G':
        real_conv(sb, spec, arg_double(args));
        return true;
    case 's': case 'z':
        z = arg_text(args, buf, &n);
        string_conv(sb, spec, z, n);
        return true;
    case 'q': case 'Q': case 'w':
        z = arg_text(args, buf, &n);
        escape_conv(sb, spec, z, n);
        return true;
    case 'c':
        z = arg_text(args, buf, &n);
        char_conv(sb, spec, z, n);
        return true;
    case '%':
        pad_append(sb, spec, "%", 1, 1);
        return true;
    case 'n':
        return true;
    default:
        return false;
    }
}

/* Formats fmt[0..n) into sb. CHORUS_TOOBIG for absurd widths. */
static int
format_run(const char *fmt, int n, arg_list *args, strbuf *sb)
{
    for (int i = 0; i < n && !sb->failed;) {
        if (fmt[i] != '%') {
            int j = i;
            while (j < n && fmt[j] != '%')
                j++;
            strbuf_append(sb, fmt + i, (size_t)(j - i));
            i = j;
            continue;
        }
        conv_spec spec;
        if (++i == n) {
            strbuf_putc(sb, '%');   /* a lone '%' at the end stays */
            break;
        }
        spec_parse(fmt, n, &i, args, &spec);
        if (spec.width > FUNC_MAX_LENGTH || spec.precision > FUNC_MAX_LENGTH)
            return CHORUS_TOOBIG;
        if (!conv_run(sb, &spec, args))
            break;
        if (sb->len > FUNC_MAX_LENGTH)
            return CHORUS_TOOBIG;
    }
    return sb->failed ? CHORUS_NOMEM : CHORUS_OK;
}

int
func_format(const char *fmt, int argc, const value *argv, value *out)
{
    arg_list args = { argc, argv, 0 };
    strbuf sb;
    int rc;

    value_set_null(out);
    strbuf_init(&sb);
    rc = format_run(fmt, (int)strlen(fmt), &args, &sb);
    if (rc != CHORUS_OK) {
        strbuf_free(&sb);
        return rc;
    }
    size_t len = sb.len;
    char *z = len == 0 ? calloc(1, 1) : strbuf_finish(&sb);
    strbuf_free(&sb);
    if (z == NULL)
        return CHORUS_NOMEM;
    value_set_text_owned(out, z, (int32_t)len);
    return CHORUS_OK;
}

/* printf(FORMAT, ...) and format(FORMAT, ...): NULL for a NULL format. */
static int
fn_printf(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *fmt = argc > 0 ? func_arg_text(&argv[0], buf, &n) : NULL;
    const char *nul;
    arg_list args = { argc - 1, argv + 1, 0 };
    strbuf sb;

    if (fmt == NULL)
        return CHORUS_OK;
    if ((nul = memchr(fmt, '\0', (size_t)n)) != NULL)
        n = (int)(nul - fmt);
    strbuf_init(&sb);
    int rc = format_run(fmt, n, &args, &sb);
    if (rc != CHORUS_OK) {
        strbuf_free(&sb);
        func_error(ctx, rc, rc == CHORUS_TOOBIG ? "string or blob too big" : "out of memory");
        return ctx->rc;
    }
    return func_result_strbuf(ctx, &sb);
}

static const func_def defs[] = {
    { .name = "printf", .n_args = -1, .flags = FUNC_DETERMINISTIC, .scalar = fn_printf },
    { .name = "format", .n_args = -1, .flags = FUNC_DETERMINISTIC, .scalar = fn_printf },
};

const func_table func_printf_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
