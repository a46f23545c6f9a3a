/*
 * core/func/json_parse.c: the JSON document (node array and byte pool) and
 * the parser of JSON text with the JSON5 extensions SQLite 3.42+ accepts:
 * comments and extra whitespace, trailing commas, unquoted keys, single
 * quoted strings, the escapes \' \v \0 \xHH and line continuations, raw
 * control characters in strings, hex integers, leading '+', leading or
 * trailing '.', Infinity and NaN. Any JSON5 in a parse sets doc->nonstd.
 *
 * The parser is recursive descent; depth is capped at JSON_MAX_DEPTH (J3 in
 * json_int.h), so the C stack stays small. An end of input and a NUL byte
 * both end the text, as in SQLite.
 *
 * Ownership: nodes borrow the parsed text; doc owns its arrays.
 * Callers: the JSON files of core/func through json_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

struct json_chunk {
    json_chunk *next;
    char bytes[];
};

void
json_doc_init(json_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    doc->err_at = -1;
}

void
json_doc_free(json_doc *doc)
{
    while (doc->pool != NULL) {
        json_chunk *next = doc->pool->next;
        free(doc->pool);
        doc->pool = next;
    }
    free(doc->nodes);
    json_doc_init(doc);
}

const char *
json_doc_keep(json_doc *doc, const char *z, size_t n)
{
    json_chunk *c = malloc(sizeof *c + n + 1);

    if (c == NULL) {
        doc->oom = true;
        return NULL;
    }
    memcpy(c->bytes, z, n);
    c->bytes[n] = '\0';
    c->next = doc->pool;
    doc->pool = c;
    return c->bytes;
}

int32_t
json_node_new(json_doc *doc, int type)
{
    json_node *node;

    if (doc->n_nodes == doc->cap) {
        int32_t cap = doc->cap ? doc->cap * 2 : 16;
        json_node *nodes = realloc(doc->nodes, (size_t)cap * sizeof *nodes);
        if (nodes == NULL) {
            doc->oom = true;
            return -1;
        }
        doc->nodes = nodes;
        doc->cap = cap;
    }
    node = &doc->nodes[doc->n_nodes];
    memset(node, 0, sizeof *node);
    node->type = (uint8_t)type;
    node->parent = node->first = node->last = node->next = -1;
    node->id = doc->next_id++;
    return doc->n_nodes++;
}

void
json_node_append(json_doc *doc, int32_t parent, int32_t child)
{
    json_node *p = &doc->nodes[parent];

    doc->nodes[child].parent = parent;
    doc->nodes[child].next = -1;
    if (p->last < 0)
        p->first = child;
    else
        doc->nodes[p->last].next = child;
    p->last = child;
}

/* --- the parser ------------------------------------------------------------ */

typedef struct parser {
    json_doc *doc;
    const unsigned char *z;
    int64_t n;
    int64_t i;              /* the next byte */
} parser;

static int
at(const parser *p, int64_t i)
{
    return i < p->n ? p->z[i] : 0;
}

static bool
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool
is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
is_ident_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '$' || c >= 0x80;
}

/* Bytes of a line comment starting at i ("//"), up to the end of line. */
static int64_t
line_comment_len(const parser *p, int64_t i)
{
    int64_t j = i + 2;

    while (j < p->n && p->z[j] != '\n' && p->z[j] != '\r' && p->z[j] != 0 &&
           !(p->z[j] == 0xe2 && at(p, j + 1) == 0x80 && (at(p, j + 2) | 1) == 0xa9))
        j++;
    return j - i;
}

/* Bytes of a block comment at i, 0 when it is not closed. */
static int64_t
block_comment_len(const parser *p, int64_t i)
{
    for (int64_t j = i + 2; j + 1 < p->n && p->z[j] != 0; j++)
        if (p->z[j] == '*' && p->z[j + 1] == '/')
            return j + 2 - i;
    return 0;
}

/* Bytes of one piece of JSON5-only whitespace or comment at i, else 0. */
static int64_t
json5_space_len(const parser *p, int64_t i)
{
    int c = at(p, i), c1 = at(p, i + 1), c2 = at(p, i + 2);

    switch (c) {
    case 0x0b: case 0x0c:
        return 1;
    case '/':
        return c1 == '/' ? line_comment_len(p, i) : c1 == '*' ? block_comment_len(p, i) : 0;
    case 0xc2:
        return c1 == 0xa0 ? 2 : 0;
    case 0xef:
        return c1 == 0xbb && c2 == 0xbf ? 3 : 0;
    case 0xe1:
        return c1 == 0x9a && c2 == 0x80 ? 3 : 0;
    case 0xe2:
        if (c1 == 0x80 && (c2 <= 0x8a || c2 == 0xa8 || c2 == 0xa9 || c2 == 0xaf) && c2 >= 0x80)
            return 3;
        return c1 == 0x81 && c2 == 0x9f ? 3 : 0;
    case 0xe3:
        return c1 == 0x80 && c2 == 0x80 ? 3 : 0;
    default:
        return 0;
    }
}

static void
skip_space(parser *p)
{
    for (;;) {
        int c = at(p, p->i);
        int64_t len;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p->i++;
        } else if ((len = json5_space_len(p, p->i)) > 0) {
            p->doc->nonstd = true;
            p->i += len;
        } else {
            return;
        }
    }
}

static int32_t
fail(parser *p, int64_t i)
{
    p->doc->err_at = i;
    return -1;
}

/* Whether z at i spells word (lower case) ignoring ASCII case. */
static bool
match_word_nocase(const parser *p, int64_t i, const char *word)
{
    for (; *word; word++, i++) {
        int c = at(p, i);
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != *word)
            return false;
    }
    return true;
}

static bool
match_word(const parser *p, int64_t i, const char *word)
{
    size_t len = strlen(word);

    return i + (int64_t)len <= p->n && memcmp(p->z + i, word, len) == 0 &&
           !is_ident_char(at(p, i + (int64_t)len));
}

/* Length of the escape sequence after the backslash at i, with *kind
 * raised to what it needs; 0 for an invalid escape. */
static int64_t
escape_len(parser *p, int64_t i, int *kind)
{
    int c = at(p, i + 1);

    if (strchr("\"\\/bfnrt", c) != NULL && c != 0) {
        if (*kind < JSON_TEXT_ESC)
            *kind = JSON_TEXT_ESC;
        return 2;
    }
    if (c == 'u' && is_hex(at(p, i + 2)) && is_hex(at(p, i + 3)) && is_hex(at(p, i + 4)) &&
        is_hex(at(p, i + 5))) {
        if (*kind < JSON_TEXT_ESC)
            *kind = JSON_TEXT_ESC;
        return 6;
    }
    *kind = JSON_TEXT_JSON5;
    p->doc->nonstd = true;
    if (c == '\'' || c == 'v' || c == '0' || c == '\n')
        return 2;
    if (c == '\r')
        return at(p, i + 2) == '\n' ? 3 : 2;
    if (c == 0xe2 && at(p, i + 2) == 0x80 && (at(p, i + 3) | 1) == 0xa9)
        return 4;
    if (c == 'x' && is_hex(at(p, i + 2)) && is_hex(at(p, i + 3)))
        return 4;
    return 0;
}

/* Scans the string literal at p->i (quote included); sets *z, *n, *kind to
 * its body. Returns false on an error (recorded). */
static bool
scan_string(parser *p, const char **z, uint32_t *n, int *kind)
{
    int quote = at(p, p->i);
    int64_t i = p->i + 1;

    *kind = JSON_TEXT_PLAIN;
    if (quote == '\'') {
        *kind = JSON_TEXT_JSON5;
        p->doc->nonstd = true;
    }
    for (;;) {
        int c = at(p, i);
        if (c == quote)
            break;
        if (c == '\\') {
            int64_t len = escape_len(p, i, kind);
            if (len == 0)
                return fail(p, i + 1), false;
            i += len;
            continue;
        }
        if (c < 0x20) {
            if (c == 0)
                return fail(p, i), false;
            *kind = JSON_TEXT_JSON5;
            p->doc->nonstd = true;
        }
        i++;
    }
    *z = (const char *)p->z + p->i + 1;
    *n = (uint32_t)(i - p->i - 1);
    p->i = i + 1;
    return true;
}

/* Scans a decimal number's digits, point and exponent from i; returns the
 * end, or -1 (recorded) on an error. *is_real and *json5 are set. */
static int64_t
scan_decimal(parser *p, int64_t i, bool *is_real, bool *json5)
{
    int64_t digits = 0, frac = 0;

    if (at(p, i) == '0' && is_digit(at(p, i + 1)))
        return fail(p, i + 1);
    while (is_digit(at(p, i)))
        i++, digits++;
    if (at(p, i) == '.') {
        *is_real = true;
        i++;
        while (is_digit(at(p, i)))
            i++, frac++;
        if (digits == 0 && frac == 0)
            return fail(p, i - 1);
        if (digits == 0 || frac == 0)
            *json5 = true;
    } else if (digits == 0) {
        return fail(p, i);
    }
    if (at(p, i) == 'e' || at(p, i) == 'E') {
        *is_real = true;
        i++;
        if (at(p, i) == '+' || at(p, i) == '-')
            i++;
        if (!is_digit(at(p, i)))
            return fail(p, i);
        while (is_digit(at(p, i)))
            i++;
    }
    return i;
}

/* Parses the number (or signed Infinity) at p->i into a new node. */
static int32_t
parse_number(parser *p)
{
    int64_t start = p->i, i = p->i;
    bool is_real = false, json5 = false;
    int32_t node;

    if (at(p, i) == '+')
        json5 = true;
    if (at(p, i) == '+' || at(p, i) == '-')
        i++;
    if (match_word_nocase(p, i, "inf")) {
        i += match_word_nocase(p, i + 3, "inity") ? 8 : 3;
        is_real = json5 = true;
    } else if (at(p, i) == '0' && (at(p, i + 1) | 0x20) == 'x' && is_hex(at(p, i + 2))) {
        for (i += 2; is_hex(at(p, i)); i++)
            ;
        json5 = true;
    } else if ((i = scan_decimal(p, i, &is_real, &json5)) < 0) {
        return -1;
    }
    if (json5)
        p->doc->nonstd = true;
    node = json_node_new(p->doc, is_real ? JSON_REAL : JSON_INT);
    if (node < 0)
        return -1;
    p->doc->nodes[node].z = (const char *)p->z + start;
    p->doc->nodes[node].n = (uint32_t)(i - start);
    p->doc->nodes[node].kind = json5 ? JSON_NUM_JSON5 : JSON_NUM_PLAIN;
    p->i = i;
    return node;
}

/* true, false, null and the NaN spellings; -1 (recorded) for other words. */
static int32_t
parse_word(parser *p)
{
    static const struct { const char *word; int type; bool nocase; } words[] = {
        { "true", JSON_TRUE, false }, { "false", JSON_FALSE, false },
        { "null", JSON_NULL, false }, { "nan", JSON_NULL, true },
        { "qnan", JSON_NULL, true }, { "snan", JSON_NULL, true },
    };

    for (size_t k = 0; k < CHORUS_ARRAY_LEN(words); k++) {
        size_t len = strlen(words[k].word);
        if (words[k].nocase ? !match_word_nocase(p, p->i, words[k].word)
                            : !match_word(p, p->i, words[k].word))
            continue;
        if (words[k].nocase)
            p->doc->nonstd = true;
        p->i += (int64_t)len;
        return json_node_new(p->doc, words[k].type);
    }
    return fail(p, p->i);
}

static int32_t parse_value(parser *p, int depth);

/* Parses an object member's key at p->i into *node's key fields. */
static bool
parse_key(parser *p, const char **key, uint32_t *key_n, int *kind)
{
    int c = at(p, p->i);
    int64_t i = p->i;

    if (c == '"' || c == '\'')
        return scan_string(p, key, key_n, kind);
    if (!is_ident_char(c) || is_digit(c))
        return fail(p, i), false;
    while (is_ident_char(at(p, i)))
        i++;
    p->doc->nonstd = true;
    *key = (const char *)p->z + p->i;
    *key_n = (uint32_t)(i - p->i);
    *kind = JSON_TEXT_PLAIN;
    p->i = i;
    return true;
}

/* Parses one member (key, ':', value) into object obj. */
static bool
parse_member(parser *p, int32_t obj, int depth)
{
    const char *key;
    uint32_t key_n;
    int kind;
    int32_t child;

    if (!parse_key(p, &key, &key_n, &kind))
        return false;
    skip_space(p);
    if (at(p, p->i) != ':')
        return fail(p, p->i), false;
    p->i++;
    p->doc->next_id++;              /* SQLite 3.40 numbers the key as a node */
    skip_space(p);
    if ((child = parse_value(p, depth + 1)) < 0)
        return false;
    p->doc->nodes[child].key = key;
    p->doc->nodes[child].key_n = key_n;
    p->doc->nodes[child].key_kind = (uint8_t)kind;
    json_node_append(p->doc, obj, child);
    return true;
}

/* Parses an array or object at p->i: elements or members separated by
 * commas, a trailing comma allowed as JSON5. */
static int32_t
parse_container(parser *p, int depth)
{
    bool is_object = at(p, p->i) == '{';
    int close = is_object ? '}' : ']';
    int32_t node;

    if (depth > JSON_MAX_DEPTH)
        return fail(p, p->i);
    node = json_node_new(p->doc, is_object ? JSON_OBJECT : JSON_ARRAY);
    if (node < 0)
        return -1;
    p->i++;
    skip_space(p);
    while (at(p, p->i) != close) {
        if (is_object) {
            if (!parse_member(p, node, depth))
                return -1;
        } else {
            int32_t child = parse_value(p, depth + 1);
            if (child < 0)
                return -1;
            json_node_append(p->doc, node, child);
        }
        skip_space(p);
        if (at(p, p->i) == ',') {
            p->i++;
            skip_space(p);
            if (at(p, p->i) == close)
                p->doc->nonstd = true;
        } else if (at(p, p->i) != close) {
            return fail(p, p->i);
        }
    }
    p->i++;
    return node;
}

/* Parses one value at p->i (after whitespace). Returns the node, or -1
 * with the error recorded in doc. */
static int32_t
parse_value(parser *p, int depth)
{
    int c = at(p, p->i);
    int32_t node;

    if (c == '{' || c == '[')
        return parse_container(p, depth);
    if (c == '"' || c == '\'') {
        const char *z;
        uint32_t n;
        int kind;
        if (!scan_string(p, &z, &n, &kind) || (node = json_node_new(p->doc, JSON_STRING)) < 0)
            return -1;
        p->doc->nodes[node].z = z;
        p->doc->nodes[node].n = n;
        p->doc->nodes[node].kind = (uint8_t)kind;
        return node;
    }
    if (is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'I' || c == 'i')
        return parse_number(p);
    return parse_word(p);
}

int
json_parse(json_doc *doc, const char *z, int n, int32_t *root_out)
{
    parser p = { doc, (const unsigned char *)z, n, 0 };
    int32_t root;

    *root_out = -1;
    doc->err_at = -1;
    skip_space(&p);
    root = parse_value(&p, 1);
    if (root >= 0) {
        skip_space(&p);
        if (at(&p, p.i) != 0)
            root = fail(&p, p.i);
    }
    if (doc->oom)
        return CHORUS_NOMEM;
    if (root < 0)
        return CHORUS_ERROR;
    *root_out = root;
    return CHORUS_OK;
}

int
json_parse_arg(func_ctx *ctx, json_doc *doc, const value *v, int32_t *root_out)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z = func_arg_text(v, buf, &n);
    int rc;

    *root_out = -1;
    if (z == buf && (z = json_doc_keep(doc, buf, (size_t)n)) == NULL)
        rc = CHORUS_NOMEM;
    else
        rc = json_parse(doc, z != NULL ? z : "", n, root_out);
    if (rc == CHORUS_NOMEM)
        func_error(ctx, CHORUS_NOMEM, "out of memory");
    else if (rc != CHORUS_OK)
        func_error(ctx, CHORUS_ERROR, "malformed JSON");
    return rc;
}
