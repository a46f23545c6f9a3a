/*
 * core/func/string.c: the text and blob functions: length, octet_length,
 * lower, upper, trim/ltrim/rtrim, replace, substr/substring, instr, char,
 * unicode, hex, unhex, quote, soundex, concat, concat_ws, like, glob.
 *
 * Text is UTF-8. Positions and lengths count characters for text and
 * bytes for blobs, as SQLite does; a number argument is taken as its text
 * rendering. Case mapping is ASCII-only (SQLite without ICU).
 *
 * Ownership: results are owned by ctx->result; arguments are borrowed.
 * Callers: core/vm through func_find().
 */
#include <stdlib.h>
#include <string.h>

#include "func_int.h"

/* Bytes of the UTF-8 character starting at z[i] (at least 1, within n). */
static int
utf8_char_len(const char *z, int i, int n)
{
    int j = i + 1;

    if ((unsigned char)z[i] >= 0xc0)
        while (j < n && ((unsigned char)z[j] & 0xc0) == 0x80)
            j++;
    return j - i;
}

/* Characters in z[0..n), stopping at a NUL as SQLite's length() does.
 * Eight bytes at a time while none of them is a NUL: every byte but a
 * continuation byte (10xxxxxx) starts a character. */
static int64_t
utf8_count(const char *z, int n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    int64_t count = 0;
    int i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, z + i, 8);
        if (((w - ones) & ~w & highs) != 0)
            break;  /* a NUL among these bytes */
        uint64_t continuations = (w & ~(w << 1) & highs) >> 7;    /* 0 or 1 per byte */
        count += 8 - (int64_t)((continuations * ones) >> 56);       /* their sum */
    }
    for (; i < n && z[i] != '\0'; i++)
        if (((unsigned char)z[i] & 0xc0) != 0x80)
            count++;
    return count;
}

/* Byte offset of character number k (0-based) in z[0..n), or n. */
static int
utf8_offset(const char *z, int n, int64_t k)
{
    int i = 0;

    while (k-- > 0 && i < n)
        i += utf8_char_len(z, i, n);
    return i;
}

/* Reads one code point at z[*i] and advances. */
static int
utf8_read(const char *z, int n, int *i)
{
    int c = (unsigned char)z[(*i)++];

    if (c < 0xc0)
        return c;
    c &= c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f;
    while (*i < n && ((unsigned char)z[*i] & 0xc0) == 0x80)
        c = (c << 6) | ((unsigned char)z[(*i)++] & 0x3f);
    return c;
}

static void
utf8_append(strbuf *sb, unsigned c)
{
    char buf[4];

    if (c < 0x80) {
        buf[0] = (char)c;
        strbuf_append(sb, buf, 1);
    } else if (c < 0x800) {
        buf[0] = (char)(0xc0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3f));
        strbuf_append(sb, buf, 2);
    } else if (c < 0x10000) {
        buf[0] = (char)(0xe0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        buf[2] = (char)(0x80 | (c & 0x3f));
        strbuf_append(sb, buf, 3);
    } else {
        buf[0] = (char)(0xf0 | (c >> 18));
        buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        buf[3] = (char)(0x80 | (c & 0x3f));
        strbuf_append(sb, buf, 4);
    }
}

static int
fn_length(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z;

    if (argv[0].type == VALUE_BLOB) {
        func_result_int(ctx, argv[0].n);
    } else if ((z = func_arg_text(&argv[0], buf, &n)) != NULL) {
        func_result_int(ctx, utf8_count(z, n));
    }
    return CHORUS_OK;
}

static int
fn_octet_length(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n;

    if (func_arg_text(&argv[0], buf, &n) != NULL)
        func_result_int(ctx, n);
    return CHORUS_OK;
}

/* lower/upper: ASCII letters only. */
static int
change_case(func_ctx *ctx, const value *v, bool upper)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z = func_arg_text(v, buf, &n);

    if (z == NULL)
        return CHORUS_OK;
    int rc = func_result_text(ctx, z, n);
    if (rc != CHORUS_OK)
        return rc;
    char *out = (char *)ctx->result.u.z;
    for (int i = 0; i < n; i++) {
        if (upper && out[i] >= 'a' && out[i] <= 'z')
            out[i] = (char)(out[i] - 'a' + 'A');
        else if (!upper && out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    }
    return CHORUS_OK;
}

static int
fn_lower(func_ctx *ctx, int argc, const value *argv)
{
    return change_case(ctx, &argv[0], false);
}

static int
fn_upper(func_ctx *ctx, int argc, const value *argv)
{
    return change_case(ctx, &argv[0], true);
}

/* Whether the character z[i..i+len) is one of the characters of set. */
static bool
char_in_set(const char *z, int len, const char *set, int set_n)
{
    for (int j = 0; j < set_n;) {
        int cl = utf8_char_len(set, j, set_n);
        if (cl == len && memcmp(set + j, z, (size_t)len) == 0)
            return true;
        j += cl;
    }
    return false;
}

/* Length of the last character of z[0..end). */
static int
utf8_last_len(const char *z, int end)
{
    int i = end - 1;

    while (i > 0 && ((unsigned char)z[i] & 0xc0) == 0x80)
        i--;
    return end - i;
}

/* trim (flags 3), ltrim (1), rtrim (2): drop characters of the set (a
 * space by default) from the chosen ends. */
static int
trim_ends(func_ctx *ctx, int argc, const value *argv, int ends)
{
    char buf[VALUE_REAL_BUF], set_buf[VALUE_REAL_BUF];
    int n, set_n = 1;
    const char *z = func_arg_text(&argv[0], buf, &n);
    const char *set = " ";

    if (z == NULL)
        return CHORUS_OK;
    if (argc == 2 && (set = func_arg_text(&argv[1], set_buf, &set_n)) == NULL)
        return CHORUS_OK;
    set_n = (int)strnlen(set, (size_t)set_n);   /* as SQLite: the set ends at a NUL */
    int start = 0, end = n;
    if (set_n > 0) {
        while ((ends & 1) && start < end &&
               char_in_set(z + start, utf8_char_len(z, start, end), set, set_n))
            start += utf8_char_len(z, start, end);
        while ((ends & 2) && end > start &&
               char_in_set(z + end - utf8_last_len(z, end), utf8_last_len(z, end), set, set_n))
            end -= utf8_last_len(z, end);
    }
    return func_result_text(ctx, z + start, end - start);
}

static int
fn_trim(func_ctx *ctx, int argc, const value *argv)
{
    return trim_ends(ctx, argc, argv, 3);
}

static int
fn_ltrim(func_ctx *ctx, int argc, const value *argv)
{
    return trim_ends(ctx, argc, argv, 1);
}

static int
fn_rtrim(func_ctx *ctx, int argc, const value *argv)
{
    return trim_ends(ctx, argc, argv, 2);
}

static int
fn_replace(func_ctx *ctx, int argc, const value *argv)
{
    char b0[VALUE_REAL_BUF], b1[VALUE_REAL_BUF], b2[VALUE_REAL_BUF];
    int n, pn, rn;
    const char *z = func_arg_text(&argv[0], b0, &n);
    const char *pat = func_arg_text(&argv[1], b1, &pn);
    const char *rep = func_arg_text(&argv[2], b2, &rn);
    strbuf sb;

    if (z == NULL || pat == NULL)
        return CHORUS_OK;
    if (pn == 0 || pat[0] == 0) {
        /* X comes back as it was, except that a blob has become text (a
         * pattern starting with a NUL byte is empty to SQLite too). */
        int rc = func_result_value(ctx, &argv[0]);
        if (rc == CHORUS_OK && ctx->result.type == VALUE_BLOB)
            ctx->result.type = VALUE_TEXT;
        return rc;
    }
    if (rep == NULL)
        return CHORUS_OK;
    strbuf_init(&sb);
    for (int i = 0; i < n;) {
        if (i + pn <= n && memcmp(z + i, pat, (size_t)pn) == 0) {
            strbuf_append(&sb, rep, (size_t)rn);
            i += pn;
        } else {
            strbuf_putc(&sb, z[i++]);
        }
        if (sb.len > FUNC_MAX_LENGTH)
            break;
    }
    return func_result_strbuf(ctx, &sb);
}

/* An int argument as SQLite's sqlite3_value_int reads it (32 bits). */
static int64_t
arg_int32(const value *v)
{
    return (int32_t)(uint32_t)(uint64_t)value_to_int64(v);
}

/*
 * substr(X, start[, len]) with SQLite's rules: start 1 is the first
 * character, 0 is before it, negative counts from the end; a negative len
 * takes characters before start.
 */
static int
fn_substr(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n;
    bool is_blob = argv[0].type == VALUE_BLOB;
    bool neg_len = false;
    const char *z;

    for (int i = 0; i < argc; i++)
        if (argv[i].type == VALUE_NULL)
            return CHORUS_OK;
    z = func_arg_text(&argv[0], buf, &n);
    if (is_blob && n == 0)
        return CHORUS_OK;   /* as SQLite: an empty blob reads as no blob at all */
    if (!is_blob)
        n = (int)strnlen(z, (size_t)n);     /* as SQLite: text ends at its first NUL here */
    int64_t len = is_blob ? n : utf8_count(z, n);
    int64_t p1 = arg_int32(&argv[1]);
    int64_t p2 = argc == 3 ? arg_int32(&argv[2]) : FUNC_MAX_LENGTH;
    if (p2 < 0) {
        p2 = -p2;
        neg_len = true;
    }
    if (p1 < 0) {
        p1 += len;
        if (p1 < 0) {
            p2 += p1;
            if (p2 < 0)
                p2 = 0;
            p1 = 0;
        }
    } else if (p1 > 0) {
        p1--;
    } else if (p2 > 0) {
        p2--;
    }
    if (neg_len) {
        p1 -= p2;
        if (p1 < 0) {
            p2 += p1;
            p1 = 0;
        }
    }
    if (is_blob) {
        if (p1 > n)
            p1 = n;
        if (p1 + p2 > n)
            p2 = n - p1;
        return func_result_blob(ctx, z + p1, (int32_t)p2);
    }
    int from = utf8_offset(z, n, p1);
    int to = from + utf8_offset(z + from, n - from, p2);
    return func_result_text(ctx, z + from, to - from);
}

/* instr(X, Y): 1-based position of Y in X (characters, or bytes when both
 * are blobs); 0 when absent. */
static int
fn_instr(func_ctx *ctx, int argc, const value *argv)
{
    char b0[VALUE_REAL_BUF], b1[VALUE_REAL_BUF];
    int n, pn;
    const char *z = func_arg_text(&argv[0], b0, &n);
    const char *pat = func_arg_text(&argv[1], b1, &pn);
    bool bytes = argv[0].type == VALUE_BLOB && argv[1].type == VALUE_BLOB;
    int64_t pos = 1;

    if (z == NULL || pat == NULL)
        return CHORUS_OK;
    for (int i = 0; i + pn <= n; pos++) {
        if (memcmp(z + i, pat, (size_t)pn) == 0) {
            func_result_int(ctx, pos);
            return CHORUS_OK;
        }
        i += bytes ? 1 : utf8_char_len(z, i, n);
    }
    func_result_int(ctx, 0);
    return CHORUS_OK;
}

static int
fn_char(func_ctx *ctx, int argc, const value *argv)
{
    strbuf sb;

    strbuf_init(&sb);
    for (int i = 0; i < argc; i++) {
        int64_t c = value_to_int64(&argv[i]);
        utf8_append(&sb, c < 0 || c > 0x10ffff ? 0xfffd : (unsigned)c);
    }
    return func_result_strbuf(ctx, &sb);
}

static int
fn_unicode(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n, i = 0;
    const char *z = func_arg_text(&argv[0], buf, &n);

    if (z != NULL && n > 0 && z[0] != '\0')
        func_result_int(ctx, utf8_read(z, n, &i));
    return CHORUS_OK;
}

static int
fn_hex(func_ctx *ctx, int argc, const value *argv)
{
    static const char digits[] = "0123456789ABCDEF";
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z = func_arg_text(&argv[0], buf, &n);
    strbuf sb;

    strbuf_init(&sb);
    for (int i = 0; z != NULL && i < n; i++) {
        char pair[2] = { digits[(unsigned char)z[i] >> 4], digits[z[i] & 15] };
        strbuf_append(&sb, pair, 2);
    }
    return func_result_strbuf(ctx, &sb);
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* unhex(X[, Y]): the blob of X's hex digit pairs; characters of Y may sit
 * between pairs; anything else gives NULL. */
static int
fn_unhex(func_ctx *ctx, int argc, const value *argv)
{
    char b0[VALUE_REAL_BUF], b1[VALUE_REAL_BUF];
    int n, ign_n = 0;
    const char *z = func_arg_text(&argv[0], b0, &n);
    const char *ignore = "";
    strbuf sb;

    if (z == NULL || (argc == 2 && (ignore = func_arg_text(&argv[1], b1, &ign_n)) == NULL))
        return CHORUS_OK;
    strbuf_init(&sb);
    for (int i = 0; i < n;) {
        int cl = utf8_char_len(z, i, n);
        if (char_in_set(z + i, cl, ignore, ign_n)) {
            i += cl;
            continue;
        }
        int hi = hex_value(z[i]);
        int lo = i + 1 < n ? hex_value(z[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            strbuf_free(&sb);
            return CHORUS_OK;
        }
        strbuf_putc(&sb, (char)(hi << 4 | lo));
        i += 2;
    }
    int rc = func_result_strbuf(ctx, &sb);
    ctx->result.type = rc == CHORUS_OK ? VALUE_BLOB : ctx->result.type;
    return rc;
}

/*
 * quote(X): an SQL literal for X. Text in single quotes (stopping at a
 * NUL, as SQLite's %Q does); reals in the shortest of %!.15g and %!.20e
 * that reads back exactly; blobs as X'..'.
 */
static void
quote_append(strbuf *sb, const value *v)
{
    static const char digits[] = "0123456789ABCDEF";
    char buf[VALUE_REAL_BUF];

    switch (v->type) {
    case VALUE_INTEGER:
        strbuf_append(sb, buf, (size_t)value_format_int(v->u.i, buf));
        break;
    case VALUE_REAL: {
        value_real_spec spec = { .conv = 'g', .precision = 15, .alt2 = true, .zero_pad = true };
        size_t start = sb->len;
        value_format_real_spec(v->u.r, &spec, sb);
        if (!sb->failed && value_to_double(&(value){ .type = VALUE_TEXT,
                                                     .n = (int32_t)(sb->len - start),
                                                     .u.z = sb->data + start }) != v->u.r) {
            sb->len = start;
            spec.conv = 'e';
            spec.precision = 20;
            value_format_real_spec(v->u.r, &spec, sb);
        }
        break;
    }
    case VALUE_TEXT:
        strbuf_putc(sb, '\'');
        for (int i = 0; i < v->n && v->u.z[i] != '\0'; i++) {
            if (v->u.z[i] == '\'')
                strbuf_putc(sb, '\'');
            strbuf_putc(sb, v->u.z[i]);
        }
        strbuf_putc(sb, '\'');
        break;
    case VALUE_BLOB:
        strbuf_puts(sb, "X'");
        for (int i = 0; i < v->n; i++) {
            char pair[2] = { digits[(unsigned char)v->u.z[i] >> 4], digits[v->u.z[i] & 15] };
            strbuf_append(sb, pair, 2);
        }
        strbuf_putc(sb, '\'');
        break;
    default:
        strbuf_puts(sb, "NULL");
    }
}

static int
fn_quote(func_ctx *ctx, int argc, const value *argv)
{
    strbuf sb;

    strbuf_init(&sb);
    quote_append(&sb, &argv[0]);
    return func_result_strbuf(ctx, &sb);
}

/* soundex(X): the letter and three digits of the American soundex code;
 * "?000" when X has no ASCII letter. */
static int
fn_soundex(func_ctx *ctx, int argc, const value *argv)
{
    /* Codes of A..Z; 0 for vowels and H W Y. */
    static const char codes[] = "01230120022455012623010202";
    char buf[VALUE_REAL_BUF], out[5] = "?000";
    int n, i = 0;
    const char *z = func_arg_text(&argv[0], buf, &n);

    while (z != NULL && i < n && !((z[i] | 0x20) >= 'a' && (z[i] | 0x20) <= 'z'))
        i++;
    if (z != NULL && i < n) {
        char prev = codes[(z[i] | 0x20) - 'a'];
        int j = 1;
        out[0] = (char)(z[i] & ~0x20);
        for (i++; i < n && j < 4; i++) {
            /* As SQLite, bytes past ASCII are read by their low 7 bits. */
            char c = (char)((z[i] & 0x7f) | 0x20);
            if (z[i] == '\0')
                break;
            /* Non-letters, like vowels, separate equal codes. */
            char code = c >= 'a' && c <= 'z' ? codes[c - 'a'] : '0';
            if (code != '0' && code != prev)
                out[j++] = code;
            prev = code;
        }
    }
    return func_result_text(ctx, out, 4);
}

/* concat(...) and concat_ws(sep, ...): NULL arguments are skipped. */
static int
concat_args(func_ctx *ctx, int argc, const value *argv, const char *sep, int sep_n)
{
    char buf[VALUE_REAL_BUF];
    strbuf sb;
    bool first = true;

    strbuf_init(&sb);
    for (int i = 0; i < argc; i++) {
        int n;
        const char *z = func_arg_text(&argv[i], buf, &n);
        if (z == NULL)
            continue;
        if (!first)
            strbuf_append(&sb, sep, (size_t)sep_n);
        strbuf_append(&sb, z, (size_t)n);
        first = false;
    }
    return func_result_strbuf(ctx, &sb);
}

static int
fn_concat(func_ctx *ctx, int argc, const value *argv)
{
    return concat_args(ctx, argc, argv, "", 0);
}

static int
fn_concat_ws(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int sep_n;
    const char *sep = func_arg_text(&argv[0], buf, &sep_n);

    if (sep == NULL)
        return CHORUS_OK;
    return concat_args(ctx, argc - 1, argv + 1, sep, sep_n);
}

enum { LIKE_PATTERN_MAX = 50000 };

/* like(P, X[, E]) and glob(P, X): note the pattern comes first. */
static int
pattern_call(func_ctx *ctx, int argc, const value *argv, bool is_glob)
{
    char b0[VALUE_REAL_BUF], b1[VALUE_REAL_BUF], b2[VALUE_REAL_BUF];
    int pn, tn, en;
    const char *pat = func_arg_text(&argv[0], b0, &pn);
    const char *text = func_arg_text(&argv[1], b1, &tn);
    int escape = -1;

    if (pn > LIKE_PATTERN_MAX) {
        func_error(ctx, CHORUS_TOOBIG, "LIKE or GLOB pattern too complex");
        return ctx->rc;
    }
    if (argc == 3) {
        const char *e = func_arg_text(&argv[2], b2, &en);
        if (e == NULL)
            return CHORUS_OK;
        int i = 0;
        if (en == 0 || (escape = utf8_read(e, en, &i), i != en)) {
            func_error(ctx, CHORUS_ERROR, "ESCAPE expression must be a single character");
            return ctx->rc;
        }
    }
    if (pat == NULL || text == NULL)
        return CHORUS_OK;
    bool m = is_glob ? value_glob(pat, pn, text, tn) : value_like(pat, pn, text, tn, escape, false);
    func_result_int(ctx, m);
    return CHORUS_OK;
}

static int
fn_like(func_ctx *ctx, int argc, const value *argv)
{
    return pattern_call(ctx, argc, argv, false);
}

static int
fn_glob(func_ctx *ctx, int argc, const value *argv)
{
    return pattern_call(ctx, argc, argv, true);
}

#define DET FUNC_DETERMINISTIC
static const func_def defs[] = {
    { .name = "length", .n_args = 1, .flags = DET, .scalar = fn_length },
    { .name = "octet_length", .n_args = 1, .flags = DET, .scalar = fn_octet_length },
    { .name = "lower", .n_args = 1, .flags = DET, .scalar = fn_lower },
    { .name = "upper", .n_args = 1, .flags = DET, .scalar = fn_upper },
    { .name = "trim", .n_args = 1, .flags = DET, .scalar = fn_trim },
    { .name = "trim", .n_args = 2, .flags = DET, .scalar = fn_trim },
    { .name = "ltrim", .n_args = 1, .flags = DET, .scalar = fn_ltrim },
    { .name = "ltrim", .n_args = 2, .flags = DET, .scalar = fn_ltrim },
    { .name = "rtrim", .n_args = 1, .flags = DET, .scalar = fn_rtrim },
    { .name = "rtrim", .n_args = 2, .flags = DET, .scalar = fn_rtrim },
    { .name = "replace", .n_args = 3, .flags = DET, .scalar = fn_replace },
    { .name = "substr", .n_args = 2, .flags = DET, .scalar = fn_substr },
    { .name = "substr", .n_args = 3, .flags = DET, .scalar = fn_substr },
    { .name = "substring", .n_args = 2, .flags = DET, .scalar = fn_substr },
    { .name = "substring", .n_args = 3, .flags = DET, .scalar = fn_substr },
    { .name = "instr", .n_args = 2, .flags = DET, .scalar = fn_instr },
    { .name = "char", .n_args = -1, .flags = DET, .scalar = fn_char },
    { .name = "unicode", .n_args = 1, .flags = DET, .scalar = fn_unicode },
    { .name = "hex", .n_args = 1, .flags = DET, .scalar = fn_hex },
    { .name = "unhex", .n_args = 1, .flags = DET, .scalar = fn_unhex },
    { .name = "unhex", .n_args = 2, .flags = DET, .scalar = fn_unhex },
    { .name = "quote", .n_args = 1, .flags = DET, .scalar = fn_quote },
    { .name = "soundex", .n_args = 1, .flags = DET, .scalar = fn_soundex },
    { .name = "concat", .n_args = -1, .min_args = 1, .flags = DET, .scalar = fn_concat },
    { .name = "concat_ws", .n_args = -1, .min_args = 2, .flags = DET, .scalar = fn_concat_ws },
    { .name = "like", .n_args = 2, .flags = DET, .scalar = fn_like },
    { .name = "like", .n_args = 3, .flags = DET, .scalar = fn_like },
    { .name = "glob", .n_args = 2, .flags = DET, .scalar = fn_glob },
};

const func_table func_string_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
