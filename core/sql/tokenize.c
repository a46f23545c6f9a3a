/*
 * core/sql/tokenize.c: splits SQL text into tokens by SQLite's rules.
 *
 * One call scans one token and returns its length; nothing is allocated and
 * the text is never written. The scanner is context free; the parser
 * decides later whether a context keyword (WINDOW, OVER, FILTER) or a
 * fallback keyword acts as an identifier.
 *
 * Rules (SQLite's):
 *   - identifiers start with a letter, '_' or a byte >= 0x80 and go on with
 *     those, digits and '$'; "..", `..` and [..] quote them ("" and ``
 *     escape the quote; a bracket ends at the first ']').
 *   - '...' is a string ('' escapes); x'..' a blob, which needs an even
 *     number of hex digits. An unterminated quote is TK_ILLEGAL up to the end.
 *   - numbers: digits [. digits] [e [+-] digits], .digits, 0x hexdigits; a
 *     number running straight into identifier characters is TK_ILLEGAL.
 *   - parameters: ?, ?digits, and :name @name #name $name, where $name may
 *     carry "::" parts and a "(...)" suffix without spaces (Tcl style).
 *   - comments: -- to the end of the line, and slash-star to star-slash or
 *     to the end of the input.
 *
 * Invariants: the returned length is >= 1 and <= n; bytes past n are never
 * read.
 * Callers: parse.c, complete.c, normalize.c.
 */
#include "sql_int.h"

/* Byte i of the input, or 0 past its end. */
#define AT(i) ((size_t)(i) < n ? (unsigned char)z[i] : 0)

static int
is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
is_xdigit(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
is_id_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int
is_id_char(unsigned char c)
{
    return is_id_start(c) || is_digit(c) || c == '$';
}

/* A quoted string or identifier opened by z[0]; the doubled quote escapes. */
static size_t
scan_quoted(const char *z, size_t n, int *type_out)
{
    unsigned char quote = (unsigned char)z[0];
    size_t i = 1;

    while (i < n) {
        if ((unsigned char)z[i] == quote) {
            if (AT(i + 1) == quote) {
                i += 2;
                continue;
            }
            *type_out = quote == '\'' ? TK_STRING : TK_ID;
            return i + 1;
        }
        i++;
    }
    *type_out = TK_ILLEGAL;
    return n;
}

static size_t
scan_number(const char *z, size_t n, int *type_out)
{
    size_t i = 0;

    *type_out = TK_INTEGER;
    if (z[0] == '0' && (AT(1) == 'x' || AT(1) == 'X') && is_xdigit(AT(2))) {
        for (i = 3; is_xdigit(AT(i)); i++) {
        }
        return i;
    }
    while (is_digit(AT(i)))
        i++;
    if (AT(i) == '.') {
        i++;
        while (is_digit(AT(i)))
            i++;
        *type_out = TK_FLOAT;
    }
    if ((AT(i) == 'e' || AT(i) == 'E') &&
        (is_digit(AT(i + 1)) || ((AT(i + 1) == '+' || AT(i + 1) == '-') && is_digit(AT(i + 2))))) {
        i += 2;
        while (is_digit(AT(i)))
            i++;
        *type_out = TK_FLOAT;
    }
    while (is_id_char(AT(i))) {
        *type_out = TK_ILLEGAL;
        i++;
    }
    return i;
}

/* :name @name #name $name, with the Tcl-style "::" and "(...)" suffixes. */
static size_t
scan_named_param(const char *z, size_t n, int *type_out)
{
    size_t i;
    int n_name = 0;

    *type_out = TK_VARIABLE;
    for (i = 1; i < n; i++) {
        unsigned char c = (unsigned char)z[i];
        if (is_id_char(c)) {
            n_name++;
        } else if (c == '(' && n_name > 0) {
            do {
                i++;
            } while (i < n && !is_space((unsigned char)z[i]) && z[i] != ')');
            if (AT(i) == ')')
                i++;
            else
                *type_out = TK_ILLEGAL;
            break;
        } else if (c == ':' && AT(i + 1) == ':') {
            i++;
        } else {
            break;
        }
    }
    if (n_name == 0)
        *type_out = TK_ILLEGAL;
    return i;
}

/* x'hex' (z[0] is x or X, z[1] the quote). */
static size_t
scan_blob(const char *z, size_t n, int *type_out)
{
    size_t i;

    *type_out = TK_BLOB;
    for (i = 2; is_xdigit(AT(i)); i++) {
    }
    if (AT(i) != '\'' || i % 2 != 0) {
        *type_out = TK_ILLEGAL;
        while (i < n && z[i] != '\'')
            i++;
    }
    return i < n ? i + 1 : i;
}

static size_t
scan_word(const char *z, size_t n, int *type_out)
{
    size_t i = 1;

    while (is_id_char(AT(i)))
        i++;
    *type_out = sql_keyword_code(z, i);
    return i;
}

/* The two- and three-byte operators and the comments that start like them. */
static size_t
scan_operator(const char *z, size_t n, int *type_out)
{
    unsigned char c = (unsigned char)z[0], d = AT(1);
    size_t i;

    switch (c) {
    case '-':
        if (d == '-') {
            for (i = 2; i < n && z[i] != '\n'; i++) {
            }
            *type_out = TK_COMMENT;
            return i;
        }
        if (d == '>') {
            *type_out = TK_PTR;
            return AT(2) == '>' ? 3 : 2;
        }
        *type_out = TK_MINUS;
        return 1;
    case '/':
        if (d != '*') {
            *type_out = TK_SLASH;
            return 1;
        }
        for (i = 2; i < n && !(z[i] == '*' && AT(i + 1) == '/'); i++) {
        }
        *type_out = TK_COMMENT;
        return i < n ? i + 2 : n;
    case '=':
        *type_out = TK_EQ;
        return d == '=' ? 2 : 1;
    case '<':
        *type_out = d == '=' ? TK_LE : d == '>' ? TK_NE : d == '<' ? TK_LSHIFT : TK_LT;
        return *type_out == TK_LT ? 1 : 2;
    case '>':
        *type_out = d == '=' ? TK_GE : d == '>' ? TK_RSHIFT : TK_GT;
        return *type_out == TK_GT ? 1 : 2;
    case '!':
        *type_out = d == '=' ? TK_NE : TK_ILLEGAL;
        return d == '=' ? 2 : 1;
    case '|':
        *type_out = d == '|' ? TK_CONCAT : TK_BITOR;
        return d == '|' ? 2 : 1;
    default:
        *type_out = TK_ILLEGAL;
        return 1;
    }
}

size_t
sql_token_scan(const char *z, size_t n, int *type_out)
{
    unsigned char c = (unsigned char)z[0];
    size_t i;

    switch (c) {
    case ';': *type_out = TK_SEMI; return 1;
    case '(': *type_out = TK_LP; return 1;
    case ')': *type_out = TK_RP; return 1;
    case ',': *type_out = TK_COMMA; return 1;
    case '+': *type_out = TK_PLUS; return 1;
    case '*': *type_out = TK_STAR; return 1;
    case '%': *type_out = TK_REM; return 1;
    case '&': *type_out = TK_BITAND; return 1;
    case '~': *type_out = TK_BITNOT; return 1;
    case '\'': case '"': case '`':
        return scan_quoted(z, n, type_out);
    case '[':
        for (i = 1; i < n && z[i] != ']'; i++) {
        }
        *type_out = i < n ? TK_ID : TK_ILLEGAL;
        return i < n ? i + 1 : n;
    case '.':
        if (is_digit(AT(1)))
            return scan_number(z, n, type_out);
        *type_out = TK_DOT;
        return 1;
    case '?':
        for (i = 1; is_digit(AT(i)); i++) {
        }
        *type_out = TK_VARIABLE;
        return i;
    case ':': case '@': case '#': case '$':
        return scan_named_param(z, n, type_out);
    default:
        break;
    }
    if (is_space(c)) {
        for (i = 1; is_space(AT(i)); i++) {
        }
        *type_out = TK_SPACE;
        return i;
    }
    if (is_digit(c))
        return scan_number(z, n, type_out);
    if ((c == 'x' || c == 'X') && AT(1) == '\'')
        return scan_blob(z, n, type_out);
    if (is_id_start(c))
        return scan_word(z, n, type_out);
    return scan_operator(z, n, type_out);
}
