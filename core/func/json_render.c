/*
 * core/func/json_render.c: turning JSON nodes into text and SQL values, and
 * SQL values into JSON: minified and pretty rendering, string escaping as
 * SQLite writes it, the rewriting of JSON5 literals into canonical JSON,
 * the decoding of escapes, and the SQL value of a node (json_extract).
 *
 * Rendering keeps what the input wrote (J1 in json_int.h): canonical
 * strings and numbers come out byte for byte; JSON5 ones are rewritten:
 * hex becomes decimal, Infinity 9.0e999, NaN null, '.5' 0.5, '5.' 5.0,
 * single quotes double quotes, and JSON5 escapes \u escapes.
 *
 * The renderer walks the tree without recursion (the parent links give the
 * way back), so documents built deeper than the parser's limit by editing
 * still render.
 *
 * Ownership: results go to ctx->result or the caller's strbuf.
 * Callers: the JSON files of core/func through json_int.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

static const char hex_digits[] = "0123456789abcdef";

static int
hex_value(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Appends control character c as SQLite escapes it. */
static void
append_control(strbuf *sb, int c)
{
    static const char short_esc[] = { ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
                                      ['\r'] = 'r', ['\t'] = 't' };
    char buf[6] = { '\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15] };

    if (c < (int)sizeof short_esc && short_esc[c] != 0) {
        char esc[2] = { '\\', short_esc[c] };
        strbuf_append(sb, esc, 2);
    } else {
        strbuf_append(sb, buf, 6);
    }
}

void
json_append_string(strbuf *sb, const char *z, int n)
{
    int start = 0;

    strbuf_putc(sb, '"');
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)z[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_append(sb, z + start, (size_t)(i - start));
        if (c < 0x20) {
            append_control(sb, c);
        } else {
            char esc[2] = { '\\', (char)c };
            strbuf_append(sb, esc, 2);
        }
        start = i + 1;
    }
    strbuf_append(sb, z + start, (size_t)(n - start));
    strbuf_putc(sb, '"');
}

/* Length of the line continuation (a backslash and a line end: LF, CR,
 * CRLF, U+2028 or U+2029) at z[i], or 0 when z[i] starts another escape. */
static int
continuation_len(const char *z, int i, int n)
{
    int c = i + 1 < n ? (unsigned char)z[i + 1] : 0;

    if (c == '\n')
        return 2;
    if (c == '\r')
        return i + 2 < n && z[i + 2] == '\n' ? 3 : 2;
    return c == 0xe2 ? 4 : 0;
}

/* Length of the JSON5 escape at z[i] (a backslash) and its canonical
 * rewriting appended to sb. */
static int
translate_escape(const char *z, int i, int n, strbuf *sb)
{
    int c = i + 1 < n ? (unsigned char)z[i + 1] : 0;

    switch (c) {
    case '\'':
        strbuf_putc(sb, '\'');
        return 2;
    case 'v':
        strbuf_puts(sb, "\\u000b");
        return 2;
    case '0':
        strbuf_puts(sb, "\\u0000");
        return 2;
    case 'x':
        strbuf_puts(sb, "\\u00");
        strbuf_append(sb, z + i + 2, 2);
        return 4;
    case '\n':
    case '\r':
    case 0xe2:
        return continuation_len(z, i, n);
    case 'u':
        strbuf_append(sb, z + i, 6);
        return 6;
    default:
        strbuf_append(sb, z + i, 2);
        return 2;
    }
}

/* Appends a string body of the given kind as a canonical JSON literal. */
static void
append_text(strbuf *sb, const char *z, int n, int kind)
{
    if (kind == JSON_TEXT_SQL) {
        json_append_string(sb, z, n);
        return;
    }
    strbuf_putc(sb, '"');
    if (kind != JSON_TEXT_JSON5) {
        strbuf_append(sb, z, (size_t)n);
    } else {
        for (int i = 0; i < n;) {
            unsigned char c = (unsigned char)z[i];
            if (c == '\\') {
                i += translate_escape(z, i, n, sb);
                continue;
            }
            if (c < 0x20)
                append_control(sb, c);
            else if (c == '"')
                strbuf_puts(sb, "\\\"");
            else
                strbuf_putc(sb, (char)c);
            i++;
        }
    }
    strbuf_putc(sb, '"');
}

/* Appends a JSON5 hex literal (after its sign) in decimal. */
static void
append_hex(strbuf *sb, const char *z, int n, bool negative)
{
    uint64_t u = 0;

    for (int i = 2; i < n; i++) {
        if (u > UINT64_MAX >> 4) {
            strbuf_puts(sb, negative ? "-9.0e999" : "9.0e999");
            return;
        }
        u = u * 16 + (uint64_t)hex_value((unsigned char)z[i]);
    }
    strbuf_printf(sb, "%s%llu", negative ? "-" : "", (unsigned long long)u);
}

/* Appends a number literal; JSON5 ones in canonical form. */
static void
append_number(strbuf *sb, const json_node *node)
{
    const char *z = node->z;
    int n = (int)node->n;
    bool negative;

    if (node->kind == JSON_NUM_PLAIN) {
        strbuf_append(sb, z, (size_t)n);
        return;
    }
    negative = z[0] == '-';
    if (z[0] == '-' || z[0] == '+')
        z++, n--;
    if ((z[0] | 0x20) == 'i') {
        strbuf_puts(sb, negative ? "-9.0e999" : "9.0e999");
        return;
    }
    if (n > 1 && (z[1] | 0x20) == 'x') {
        append_hex(sb, z, n, negative);
        return;
    }
    if (negative)
        strbuf_putc(sb, '-');
    if (z[0] == '.')
        strbuf_putc(sb, '0');
    for (int i = 0; i < n; i++) {
        strbuf_putc(sb, z[i]);
        if (z[i] == '.' && (i + 1 == n || z[i + 1] < '0' || z[i + 1] > '9'))
            strbuf_putc(sb, '0');
    }
}

/* Appends a scalar node (no key). */
static void
append_scalar(strbuf *sb, const json_node *node)
{
    switch (node->type) {
    case JSON_NULL:
        strbuf_puts(sb, "null");
        break;
    case JSON_TRUE:
        strbuf_puts(sb, "true");
        break;
    case JSON_FALSE:
        strbuf_puts(sb, "false");
        break;
    case JSON_STRING:
        append_text(sb, node->z, (int)node->n, node->kind);
        break;
    default:
        append_number(sb, node);
        break;
    }
}

static void
append_newline(strbuf *sb, const char *indent, int depth)
{
    if (indent == NULL)
        return;
    strbuf_putc(sb, '\n');
    while (depth-- > 0)
        strbuf_puts(sb, indent);
}

/*
 * Renders the subtree at root. Outline: (1) write the node at i, with its
 * key when its parent is an object; (2) descend into a non-empty container;
 * (3) otherwise move to the next sibling, closing containers on the way up
 * until root is closed.
 */
void
json_render(const json_doc *doc, int32_t root, const char *indent, strbuf *sb)
{
    int32_t i = root;
    int depth = 0;

    for (;;) {
        const json_node *node = &doc->nodes[i];
        /* 1 */
        if (i != root && node->key != NULL) {
            append_text(sb, node->key, (int)node->key_n, node->key_kind);
            strbuf_puts(sb, indent != NULL ? ": " : ":");
        }
        if (node->type == JSON_ARRAY || node->type == JSON_OBJECT) {
            strbuf_putc(sb, node->type == JSON_ARRAY ? '[' : '{');
            /* 2 */
            if (node->first >= 0) {
                append_newline(sb, indent, ++depth);
                i = node->first;
                continue;
            }
            strbuf_putc(sb, node->type == JSON_ARRAY ? ']' : '}');
        } else {
            append_scalar(sb, node);
        }
        /* 3 */
        while (i != root && doc->nodes[i].next < 0) {
            i = doc->nodes[i].parent;
            append_newline(sb, indent, --depth);
            strbuf_putc(sb, doc->nodes[i].type == JSON_ARRAY ? ']' : '}');
        }
        if (i == root)
            return;
        strbuf_putc(sb, ',');
        append_newline(sb, indent, depth);
        i = doc->nodes[i].next;
    }
}

/* --- decoding ---------------------------------------------------------------- */

static void
append_utf8(strbuf *sb, uint32_t c)
{
    char buf[4];
    size_t n;

    if (c < 0x80) {
        buf[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        buf[0] = (char)(0xc0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        buf[0] = (char)(0xe0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        buf[2] = (char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        buf[0] = (char)(0xf0 | (c >> 18));
        buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        buf[3] = (char)(0x80 | (c & 0x3f));
        n = 4;
    }
    strbuf_append(sb, buf, n);
}

static uint32_t
hex4(const char *z)
{
    uint32_t c = 0;

    for (int k = 0; k < 4; k++)
        c = c * 16 + (uint32_t)hex_value((unsigned char)z[k]);
    return c;
}

/* Decodes a \u escape at z[i] (with a following low surrogate when z[i]
 * starts a pair); returns its length. */
static int
decode_unicode(const char *z, int i, int n, strbuf *sb)
{
    uint32_t c = hex4(z + i + 2);

    if (c >= 0xd800 && c < 0xdc00 && i + 12 <= n && z[i + 6] == '\\' && z[i + 7] == 'u') {
        uint32_t low = hex4(z + i + 8);
        if (low >= 0xdc00 && low < 0xe000) {
            append_utf8(sb, 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00));
            return 12;
        }
    }
    append_utf8(sb, c);
    return 6;
}

/* Decodes the escape at z[i] (a backslash); returns its length. The parser
 * validated it. */
static int
decode_escape(const char *z, int i, int n, strbuf *sb)
{
    static const char simple[][2] = {
        { 'b', '\b' }, { 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' }, { 't', '\t' },
        { 'v', '\v' }, { '0', '\0' },
    };
    int c = i + 1 < n ? (unsigned char)z[i + 1] : 0;

    if (c == 'u')
        return decode_unicode(z, i, n, sb);
    if (c == 'x') {
        append_utf8(sb, (uint32_t)(hex_value((unsigned char)z[i + 2]) * 16 +
                                   hex_value((unsigned char)z[i + 3])));
        return 4;
    }
    if (continuation_len(z, i, n) > 0)
        return continuation_len(z, i, n);
    for (size_t k = 0; k < CHORUS_ARRAY_LEN(simple); k++) {
        if (simple[k][0] == c) {
            strbuf_append(sb, &simple[k][1], 1);
            return 2;
        }
    }
    strbuf_putc(sb, (char)c);
    return 2;
}

void
json_text_decode(const char *z, int n, int kind, strbuf *sb)
{
    int start = 0;

    if (kind == JSON_TEXT_PLAIN || kind == JSON_TEXT_SQL) {
        strbuf_append(sb, z, (size_t)n);
        return;
    }
    for (int i = 0; i < n;) {
        if (z[i] != '\\') {
            i++;
            continue;
        }
        strbuf_append(sb, z + start, (size_t)(i - start));
        i += decode_escape(z, i, n, sb);
        start = i;
    }
    strbuf_append(sb, z + start, (size_t)(n - start));
}

/* --- results ----------------------------------------------------------------- */

int
json_result_strbuf(func_ctx *ctx, strbuf *sb)
{
    int rc = func_result_strbuf(ctx, sb);

    if (rc == CHORUS_OK)
        ctx->result.subtype = JSON_SUBTYPE;
    return rc;
}

int
json_result_json(func_ctx *ctx, const json_doc *doc, int32_t node)
{
    strbuf sb;

    strbuf_init(&sb);
    json_render(doc, node, NULL, &sb);
    return json_result_strbuf(ctx, &sb);
}

/* The SQL value of a number literal. */
static void
result_number(func_ctx *ctx, const json_node *node)
{
    value text, num;
    const char *z = node->z;
    int n = (int)node->n;
    bool negative = z[0] == '-';

    if (z[0] == '+' || z[0] == '-') {
        z++;
        n--;
    }
    if ((z[0] | 0x20) == 'i') {
        func_result_real(ctx, negative ? -INFINITY : INFINITY);
        return;
    }
    if (n > 1 && (z[1] | 0x20) == 'x') {
        uint64_t u = 0;
        for (int i = 2; i < n; i++)
            u = u * 16 + (uint64_t)hex_value((unsigned char)z[i]);
        if (u <= INT64_MAX || (negative && u == (uint64_t)INT64_MAX + 1))
            func_result_int(ctx, negative ? (int64_t)(0 - u) : (int64_t)u);
        else
            func_result_real(ctx, negative ? -(double)u : (double)u);
        return;
    }
    value_set_text_ref(&text, node->z[0] == '+' ? z : node->z, node->z[0] == '+' ? n : (int)node->n);
    if (node->type == JSON_REAL) {
        func_result_real(ctx, value_to_double(&text));
        return;
    }
    value_text_to_numeric(text.u.z, text.n, &num);
    func_result_value(ctx, &num);
}

int
json_result_node(func_ctx *ctx, const json_doc *doc, int32_t i)
{
    const json_node *node = &doc->nodes[i];
    strbuf sb;

    switch (node->type) {
    case JSON_NULL:
        func_result_null(ctx);
        return CHORUS_OK;
    case JSON_TRUE:
    case JSON_FALSE:
        func_result_int(ctx, node->type == JSON_TRUE);
        return CHORUS_OK;
    case JSON_INT:
    case JSON_REAL:
        result_number(ctx, node);
        return CHORUS_OK;
    case JSON_STRING:
        strbuf_init(&sb);
        json_text_decode(node->z, (int)node->n, node->kind, &sb);
        return func_result_strbuf(ctx, &sb);
    default:
        return json_result_json(ctx, doc, i);
    }
}

const char *
json_type_name(const json_doc *doc, int32_t node)
{
    static const char *const names[] = {
        [JSON_NULL] = "null", [JSON_TRUE] = "true", [JSON_FALSE] = "false",
        [JSON_INT] = "integer", [JSON_REAL] = "real", [JSON_STRING] = "text",
        [JSON_ARRAY] = "array", [JSON_OBJECT] = "object",
    };

    return names[doc->nodes[node].type];
}

/* --- SQL values as JSON ---------------------------------------------------------- */

/* Renders a real as SQLite's JSON functions do ("%!0.15g": infinities
 * become 9.0e+999, which reads back as infinity). */
static void
append_real(strbuf *sb, double r)
{
    value_real_spec spec = { .conv = 'g', .precision = 15, .alt2 = true, .zero_pad = true };

    value_format_real_spec(r, &spec, sb);
}

int
json_append_sql(func_ctx *ctx, strbuf *sb, const value *v)
{
    char buf[VALUE_INT_BUF];

    switch (v->type) {
    case VALUE_NULL:
        strbuf_puts(sb, "null");
        return CHORUS_OK;
    case VALUE_INTEGER:
        strbuf_append(sb, buf, (size_t)value_format_int(v->u.i, buf));
        return CHORUS_OK;
    case VALUE_REAL:
        append_real(sb, v->u.r);
        return CHORUS_OK;
    case VALUE_TEXT:
        if (v->subtype == JSON_SUBTYPE)
            strbuf_append(sb, v->u.z, (size_t)v->n);
        else
            json_append_string(sb, v->u.z, v->n);
        return CHORUS_OK;
    default:
        func_error(ctx, CHORUS_ERROR, "JSON cannot hold BLOB values");
        return CHORUS_ERROR;
    }
}

int
json_node_from_sql(func_ctx *ctx, json_doc *doc, const value *v, int32_t *node_out)
{
    static const uint8_t types[] = { [VALUE_NULL] = JSON_NULL, [VALUE_INTEGER] = JSON_INT,
                                     [VALUE_REAL] = JSON_REAL, [VALUE_TEXT] = JSON_STRING };
    strbuf sb;
    int32_t node;

    if (v->type == VALUE_BLOB) {
        func_error(ctx, CHORUS_ERROR, "JSON cannot hold BLOB values");
        return CHORUS_ERROR;
    }
    if (v->type == VALUE_TEXT && v->subtype == JSON_SUBTYPE)
        return json_parse_arg(ctx, doc, v, node_out);
    if ((node = json_node_new(doc, types[v->type])) < 0)
        goto nomem;
    if (v->type == VALUE_TEXT) {
        doc->nodes[node].z = v->n > 0 ? v->u.z : "";
        doc->nodes[node].n = (uint32_t)v->n;
        doc->nodes[node].kind = JSON_TEXT_SQL;
    } else if (v->type != VALUE_NULL) {
        const char *z;
        strbuf_init(&sb);
        json_append_sql(ctx, &sb, v);
        z = sb.failed ? NULL : json_doc_keep(doc, sb.len ? sb.data : "", sb.len);
        doc->nodes[node].n = (uint32_t)sb.len;
        strbuf_free(&sb);
        if (z == NULL)
            goto nomem;
        doc->nodes[node].z = z;
    }
    *node_out = node;
    return CHORUS_OK;
nomem:
    func_error(ctx, CHORUS_NOMEM, "out of memory");
    return CHORUS_NOMEM;
}
