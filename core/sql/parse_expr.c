/*
 * core/sql/parse_expr.c: expressions, by precedence climbing over SQLite's
 * operator levels (sql_int.h SQL_LV_*), lowest first:
 *
 *   OR; AND; NOT x; = == != <> IS [NOT] [DISTINCT FROM] [NOT] IN, LIKE, GLOB,
 *   MATCH, REGEXP, BETWEEN, ISNULL, NOTNULL, NOT NULL; < <= > >=; (ESCAPE);
 *   & | << >>; + -; * / %; || -> ->>; COLLATE; prefix - + ~ (tightest).
 *
 * Binary operators are left associative. Prefix NOT takes everything down to
 * its own level ("NOT a = b" is NOT (a = b), and "1 + NOT 0 = 0" is
 * 1 + NOT (0 = 0)), as in SQLite's grammar. BETWEEN's lower bound is an
 * expression above AND, its upper bound one above the equality level.
 *
 * Invariants
 *   E1  Every node's span runs from its first to its last token; a
 *       parenthesized expression's span includes the parentheses.
 *   E2  Every node's height is set when the node is complete; a height over
 *       SQL_MAX_DEPTH is an error, as is nesting deeper than SQL_MAX_DEPTH.
 *   E3  Parameters get their indexes in text order by SQLite's rules (see
 *       assign_param).
 *
 * Callers: parse_select.c, parse_stmt.c, parse_ddl.c.
 */
#include "sql_int.h"

#include <stdlib.h>
#include <string.h>

ast_expr *
parse_expr_new(parser *p, int kind, uint32_t start)
{
    ast_expr *e = parse_alloc(p, sizeof *e);

    if (e == NULL)
        return NULL;
    e->kind = (uint8_t)kind;
    e->span.start = start;
    e->height = 1;
    return e;
}

static int32_t
list_height(const ast_list *list)
{
    int32_t h = 0;

    for (int i = 0; i < list->n; i++)
        if (list->items[i].expr != NULL && list->items[i].expr->height > h)
            h = list->items[i].expr->height;
    return h;
}

static int32_t
max_height(int32_t h, const ast_expr *e)
{
    return e != NULL && e->height > h ? e->height : h;
}

/* Completes a node whose last token was just consumed (E1, E2). */
static ast_expr *
expr_finish(parser *p, ast_expr *e)
{
    int32_t h;

    if (p->rc != CHORUS_OK)
        return NULL;
    h = list_height(&e->list);
    h = max_height(h, e->left);
    h = max_height(h, e->right);
    h = max_height(h, e->escape);
    h = max_height(h, e->filter);
    if (e->order_by.n > 0 && list_height(&e->order_by) > h)
        h = list_height(&e->order_by);
    e->height = h + 1;
    e->span = parse_span_from(p, e->span.start);
    if (e->height > SQL_MAX_DEPTH) {
        parse_error(p, CHORUS_ERROR, "Expression tree is too large (maximum depth %d)",
                    SQL_MAX_DEPTH);
        return NULL;
    }
    return e;
}

/* ------------------------------------------------------------ literals */

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* An INTEGER token: decimal (EXPR_FLOAT when it overflows int64) or hex. */
static ast_expr *
parse_integer(parser *p, ast_expr *e)
{
    const char *z = p->sql + p->tok.start;
    uint32_t n = p->tok.len, i;
    uint64_t u = 0;

    if (n > 2 && (z[1] == 'x' || z[1] == 'X')) {
        for (i = 2; i < n && z[i] == '0'; i++) {
        }
        if (n - i > 16) {
            parse_error(p, CHORUS_ERROR, "hex literal too big: %.*s", (int)n, z);
            return NULL;
        }
        for (; i < n; i++)
            u = u * 16 + (uint64_t)hex_value(z[i]);
        e->ival = (int64_t)u;
        return e;
    }
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(z[i] - '0');
        if (u > (UINT64_MAX - d) / 10 || u * 10 + d > (uint64_t)INT64_MAX) {
            const char *text = arena_strndup(p->arena, z, n);
            e->kind = EXPR_FLOAT;
            e->rval = text != NULL ? strtod(text, NULL) : 0.0;
            return e;
        }
        u = u * 10 + d;
    }
    e->ival = (int64_t)u;
    return e;
}

static ast_expr *
parse_blob(parser *p, ast_expr *e)
{
    const char *z = p->sql + p->tok.start + 2;
    int32_t nbytes = (int32_t)(p->tok.len - 3) / 2;
    char *bytes = parse_alloc(p, (size_t)nbytes + 1);

    if (bytes == NULL)
        return NULL;
    for (int32_t i = 0; i < nbytes; i++)
        bytes[i] = (char)(hex_value(z[2 * i]) * 16 + hex_value(z[2 * i + 1]));
    e->str = bytes;
    e->str_len = nbytes;
    return e;
}

/*
 * SQLite's numbering: ? takes the next index after the largest so far; ?N
 * takes N (1..SQL_MAX_PARAMS); a name reuses the index of its earlier use,
 * else takes the next index.
 */
static int
assign_param(parser *p, ast_expr *e)
{
    const char *z = p->sql + p->tok.start;
    uint32_t n = p->tok.len;
    int64_t index = 0;

    if (n == 1) {
        index = ++p->n_params;
    } else if (z[0] == '?') {
        for (uint32_t i = 1; i < n && index <= SQL_MAX_PARAMS; i++)
            index = index * 10 + (z[i] - '0');
        if (index < 1 || index > SQL_MAX_PARAMS)
            return parse_error(p, CHORUS_ERROR, "variable number must be between ?1 and ?%d",
                               SQL_MAX_PARAMS);
        if (index > p->n_params)
            p->n_params = (int32_t)index;
    } else {
        for (int32_t i = 0; i < p->n_named; i++)
            if (p->params[i].len == n && memcmp(p->params[i].name, z, n) == 0)
                index = p->params[i].index;
        if (index == 0) {
            if (p->n_named == p->cap_named) {
                int32_t cap = p->cap_named ? 2 * p->cap_named : 8;
                sql_param_name *grown = parse_alloc(p, sizeof *grown * (size_t)cap);
                if (grown == NULL)
                    return p->rc;
                if (p->n_named > 0)
                    memcpy(grown, p->params, sizeof *grown * (size_t)p->n_named);
                p->params = grown;
                p->cap_named = cap;
            }
            index = ++p->n_params;
            p->params[p->n_named++] = (sql_param_name){z, n, (int32_t)index};
        }
    }
    if (index > SQL_MAX_PARAMS)
        return parse_error(p, CHORUS_ERROR, "too many SQL variables");
    e->param_index = (int32_t)index;
    if (n > 1)
        e->name = arena_strndup(p->arena, z, n);
    return p->rc;
}

/* A literal token at p->tok: number, string, blob, NULL, parameter or
 * CURRENT_TIME/DATE/TIMESTAMP (a function call without arguments). */
static ast_expr *
parse_literal(parser *p)
{
    ast_expr *e = parse_expr_new(p, EXPR_NULL, p->tok.start);

    if (e == NULL)
        return NULL;
    switch (p->tok.type) {
    case TK_INTEGER:
        e->kind = EXPR_INTEGER;
        e = parse_integer(p, e);
        break;
    case TK_FLOAT: {
        const char *text = arena_strndup(p->arena, p->sql + p->tok.start, p->tok.len);
        e->kind = EXPR_FLOAT;
        e->rval = text != NULL ? strtod(text, NULL) : 0.0;
        break;
    }
    case TK_STRING:
        e->kind = EXPR_STRING;
        e->str = parse_token_text(p, &p->tok);
        e->str_len = e->str != NULL ? (int32_t)strlen(e->str) : 0;
        break;
    case TK_BLOB:
        e->kind = EXPR_BLOB;
        e = parse_blob(p, e);
        break;
    case TK_VARIABLE:
        e->kind = EXPR_PARAM;
        assign_param(p, e);
        break;
    case TK_CURRENT_TIME:
    case TK_CURRENT_DATE:
    case TK_CURRENT_TIMESTAMP:
        e->kind = EXPR_FUNCTION;
        e->name = parse_token_text(p, &p->tok);
        break;
    case TK_NULL:
        break;
    default:
        parse_error_syntax(p);
        return NULL;
    }
    if (p->rc != CHORUS_OK)
        return NULL;
    parse_advance(p);
    return expr_finish(p, e);
}

ast_expr *
parse_literal_term(parser *p)
{
    return parse_literal(p);
}

/* --------------------------------------------------------------- types */

/* A signed number inside a type's parentheses. */
static int
parse_type_number(parser *p)
{
    if (!parse_accept(p, TK_PLUS))
        parse_accept(p, TK_MINUS);
    if (p->tok.type != TK_INTEGER && p->tok.type != TK_FLOAT)
        return parse_error_syntax(p);
    parse_advance(p);
    return p->rc;
}

/*
 * typetoken: words [ ( number [, number] ) ], kept as written (SQLite keeps
 * the declared type's text; a type opening with a quote is dequoted up to
 * its closing quote). In a column definition (in_column) GENERATED ALWAYS
 * starts a constraint; GENERATED alone is a type word, as in SQLite. NULL when there is no type (or on error).
 */
static const char *
parse_type_words(parser *p, int in_column)
{
    uint32_t start = p->tok.start;
    sql_token first = p->tok;
    const char *z = p->sql + start;
    ast_span span;

    while (parse_tok_is_ids(p) &&
           !(in_column && p->tok.type == TK_GENERATED && parse_peek(p, 1) == TK_ALWAYS))
        parse_advance(p);
    if (p->tok.start == start || p->rc != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_LP)) {
        if (parse_type_number(p) != CHORUS_OK)
            return NULL;
        if (parse_accept(p, TK_COMMA) && parse_type_number(p) != CHORUS_OK)
            return NULL;
        if (parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
    }
    if (z[0] == '"' || z[0] == '\'' || z[0] == '`' || z[0] == '[')
        return parse_token_text(p, &first);
    span = parse_span_from(p, start);
    return arena_strndup(p->arena, z, span.len);
}

const char *
parse_type_name(parser *p, int in_column)
{
    return parse_type_words(p, in_column);
}

/* ------------------------------------------------------------ windows */

/* One frame bound; start is 1 for the first bound of a frame. */
static int
parse_frame_bound(parser *p, int start, uint8_t *bound, ast_expr **expr)
{
    if (parse_accept(p, TK_UNBOUNDED)) {
        *bound = start ? AST_BOUND_UNBOUNDED_PRECEDING : AST_BOUND_UNBOUNDED_FOLLOWING;
        return parse_expect(p, start ? TK_PRECEDING : TK_FOLLOWING);
    }
    if (parse_accept(p, TK_CURRENT)) {
        *bound = AST_BOUND_CURRENT_ROW;
        return parse_expect(p, TK_ROW);
    }
    *expr = parse_expr(p);
    if (*expr == NULL)
        return p->rc;
    if (parse_accept(p, TK_PRECEDING))
        *bound = AST_BOUND_PRECEDING;
    else if (parse_expect(p, TK_FOLLOWING) == CHORUS_OK)
        *bound = AST_BOUND_FOLLOWING;
    return p->rc;
}

static int
parse_frame_exclude(parser *p, ast_window *w)
{
    if (!parse_accept(p, TK_EXCLUDE))
        return p->rc;
    if (parse_accept(p, TK_NO)) {
        w->exclude = AST_EXCLUDE_NO_OTHERS;
        return parse_expect(p, TK_OTHERS);
    }
    if (parse_accept(p, TK_CURRENT)) {
        w->exclude = AST_EXCLUDE_CURRENT_ROW;
        return parse_expect(p, TK_ROW);
    }
    if (parse_accept(p, TK_GROUP)) {
        w->exclude = AST_EXCLUDE_GROUP;
        return p->rc;
    }
    w->exclude = AST_EXCLUDE_TIES;
    return parse_expect(p, TK_TIES);
}

/* [ROWS|RANGE|GROUPS] frame, after the PARTITION BY and ORDER BY parts. */
static int
parse_frame(parser *p, ast_window *w)
{
    switch (p->tok.type) {
    case TK_ROWS: w->unit = AST_FRAME_ROWS; break;
    case TK_RANGE: w->unit = AST_FRAME_RANGE; break;
    case TK_GROUPS: w->unit = AST_FRAME_GROUPS; break;
    default: return p->rc;
    }
    parse_advance(p);
    if (parse_accept(p, TK_BETWEEN)) {
        if (parse_frame_bound(p, 1, &w->start_bound, &w->start_expr) != CHORUS_OK ||
            parse_expect(p, TK_AND) != CHORUS_OK ||
            parse_frame_bound(p, 0, &w->end_bound, &w->end_expr) != CHORUS_OK)
            return p->rc;
    } else {
        if (parse_frame_bound(p, 1, &w->start_bound, &w->start_expr) != CHORUS_OK)
            return p->rc;
        w->end_bound = AST_BOUND_CURRENT_ROW;
    }
    return parse_frame_exclude(p, w);
}

int
parse_window_spec(parser *p, ast_window *w)
{
    int t = p->tok.type;

    if (parse_tok_is_id(p) && t != TK_PARTITION && t != TK_RANGE && t != TK_ROWS &&
        t != TK_GROUPS) {
        w->base = parse_name(p);
        if (w->base == NULL)
            return p->rc;
    }
    if (parse_accept(p, TK_PARTITION)) {
        if (parse_expect(p, TK_BY) != CHORUS_OK || parse_expr_list(p, &w->partition_by) != CHORUS_OK)
            return p->rc;
    }
    if (parse_accept(p, TK_ORDER)) {
        if (parse_expect(p, TK_BY) != CHORUS_OK || parse_order_by(p, &w->order_by) != CHORUS_OK)
            return p->rc;
    }
    return parse_frame(p, w);
}

/* OVER (spec) or OVER name, after OVER. */
static ast_window *
parse_over(parser *p)
{
    ast_window *w = parse_alloc(p, sizeof *w);

    if (w == NULL)
        return NULL;
    if (!parse_accept(p, TK_LP)) {
        w->name = parse_name(p);
        return w->name != NULL ? w : NULL;
    }
    if (parse_window_spec(p, w) != CHORUS_OK || parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    return w;
}

/* ---------------------------------------------------------- primaries */

/* name ( [DISTINCT|ALL] args [ORDER BY ...] | * ) [FILTER (WHERE e)] [OVER ...];
 * p->tok is the '('. */
static ast_expr *
parse_function(parser *p, const char *name, uint32_t start)
{
    ast_expr *e = parse_expr_new(p, EXPR_FUNCTION, start);

    if (e == NULL || parse_expect(p, TK_LP) != CHORUS_OK)
        return NULL;
    e->name = name;
    if (parse_accept(p, TK_STAR)) {
        e->is_star = true;
    } else if (p->tok.type != TK_RP) {
        if (parse_accept(p, TK_DISTINCT))
            e->is_distinct = true;
        else
            parse_accept(p, TK_ALL);
        if (p->tok.type != TK_RP && parse_expr_list(p, &e->list) != CHORUS_OK)
            return NULL;
        if (parse_accept(p, TK_ORDER) &&
            (parse_expect(p, TK_BY) != CHORUS_OK || parse_order_by(p, &e->order_by) != CHORUS_OK))
            return NULL;
    }
    if (parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_FILTER)) {
        if (parse_expect(p, TK_LP) != CHORUS_OK || parse_expect(p, TK_WHERE) != CHORUS_OK)
            return NULL;
        e->filter = parse_expr(p);
        if (e->filter == NULL || parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
    }
    if (parse_accept(p, TK_OVER)) {
        e->over = parse_over(p);
        if (e->over == NULL)
            return NULL;
    }
    return expr_finish(p, e);
}

/* An identifier-led primary: column, table.column, schema.table.column or a
 * function call. */
static ast_expr *
parse_name_expr(parser *p)
{
    uint32_t start = p->tok.start;
    sql_token first = p->tok;
    const char *name = parse_name(p);
    ast_expr *e;

    if (name == NULL)
        return NULL;
    if (p->tok.type == TK_LP && first.type != TK_STRING)
        return parse_function(p, name, start);
    e = parse_expr_new(p, EXPR_COLUMN, start);
    if (e == NULL)
        return NULL;
    e->name = name;
    e->is_quoted = p->sql[first.start] == '"';
    if (parse_accept(p, TK_DOT)) {
        sql_token second = p->tok;
        e->table = name;
        e->name = parse_name(p);
        e->is_quoted = p->sql[second.start] == '"';
        if (e->name != NULL && parse_accept(p, TK_DOT)) {
            sql_token third = p->tok;
            e->schema = e->table;
            e->table = e->name;
            e->name = parse_name(p);
            e->is_quoted = p->sql[third.start] == '"';
        }
    }
    return expr_finish(p, e);
}

/* A new expression of kind that starts at the current token, a keyword,
 * which it consumes; NULL when out of memory. */
static ast_expr *
expr_new_at_keyword(parser *p, int kind)
{
    ast_expr *e = parse_expr_new(p, kind, p->tok.start);

    if (e != NULL)
        parse_advance(p);
    return e;
}

/* CASE [base] WHEN a THEN b ... [ELSE c] END */
static ast_expr *
parse_case(parser *p)
{
    ast_expr *e = expr_new_at_keyword(p, EXPR_CASE);

    if (e == NULL)
        return NULL;
    if (p->tok.type != TK_WHEN && (e->left = parse_expr(p)) == NULL)
        return NULL;
    if (p->tok.type != TK_WHEN) {
        parse_error_syntax(p);
        return NULL;
    }
    while (parse_accept(p, TK_WHEN)) {
        ast_list_item *when, *then;
        if (parse_list_push(p, &e->list, &when) != CHORUS_OK || (when->expr = parse_expr(p)) == NULL)
            return NULL;
        if (parse_expect(p, TK_THEN) != CHORUS_OK ||
            parse_list_push(p, &e->list, &then) != CHORUS_OK || (then->expr = parse_expr(p)) == NULL)
            return NULL;
    }
    if (parse_accept(p, TK_ELSE) && (e->right = parse_expr(p)) == NULL)
        return NULL;
    if (parse_expect(p, TK_END) != CHORUS_OK)
        return NULL;
    return expr_finish(p, e);
}

/* CAST ( expr AS type ); an empty type leaves name NULL. */
static ast_expr *
parse_cast(parser *p)
{
    ast_expr *e = expr_new_at_keyword(p, EXPR_CAST);

    if (e == NULL)
        return NULL;
    if (parse_expect(p, TK_LP) != CHORUS_OK || (e->left = parse_expr(p)) == NULL ||
        parse_expect(p, TK_AS) != CHORUS_OK)
        return NULL;
    e->name = parse_type_words(p, 0);
    if (parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    return expr_finish(p, e);
}

/* EXISTS ( select ) */
static ast_expr *
parse_exists(parser *p)
{
    ast_expr *e = expr_new_at_keyword(p, EXPR_EXISTS);

    if (e == NULL)
        return NULL;
    if (parse_expect(p, TK_LP) != CHORUS_OK || (e->select = parse_select(p)) == NULL ||
        parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    return expr_finish(p, e);
}

/* RAISE ( IGNORE ) | RAISE ( ROLLBACK|ABORT|FAIL , message ) */
static ast_expr *
parse_raise(parser *p)
{
    ast_expr *e = expr_new_at_keyword(p, EXPR_RAISE);

    if (e == NULL)
        return NULL;
    if (parse_expect(p, TK_LP) != CHORUS_OK)
        return NULL;
    switch (p->tok.type) {
    case TK_IGNORE: e->op = AST_RAISE_IGNORE; break;
    case TK_ROLLBACK: e->op = AST_RAISE_ROLLBACK; break;
    case TK_ABORT: e->op = AST_RAISE_ABORT; break;
    case TK_FAIL: e->op = AST_RAISE_FAIL; break;
    default: parse_error_syntax(p); return NULL;
    }
    parse_advance(p);
    if (e->op != AST_RAISE_IGNORE &&
        (parse_expect(p, TK_COMMA) != CHORUS_OK || (e->right = parse_expr(p)) == NULL))
        return NULL;
    if (parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    return expr_finish(p, e);
}

/* ( select ) | ( expr ) | ( expr, expr, ... ) */
static ast_expr *
parse_paren(parser *p)
{
    uint32_t start = p->tok.start;
    ast_expr *e;

    parse_advance(p);
    if (parse_starts_select(p)) {
        e = parse_expr_new(p, EXPR_SUBQUERY, start);
        if (e == NULL || (e->select = parse_select(p)) == NULL || parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
        return expr_finish(p, e);
    }
    e = parse_expr(p);
    if (e == NULL)
        return NULL;
    if (p->tok.type == TK_COMMA) {
        ast_expr *v = parse_expr_new(p, EXPR_VECTOR, start);
        ast_list_item *item;
        if (v == NULL || parse_list_push(p, &v->list, &item) != CHORUS_OK)
            return NULL;
        item->expr = e;
        while (parse_accept(p, TK_COMMA)) {
            if (parse_list_push(p, &v->list, &item) != CHORUS_OK || (item->expr = parse_expr(p)) == NULL)
                return NULL;
        }
        if (parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
        return expr_finish(p, v);
    }
    if (parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    e->span = parse_span_from(p, start);
    return e;
}

static ast_expr *
parse_primary(parser *p)
{
    switch (p->tok.type) {
    case TK_INTEGER:
    case TK_FLOAT:
    case TK_BLOB:
    case TK_NULL:
    case TK_VARIABLE:
    case TK_CURRENT_TIME:
    case TK_CURRENT_DATE:
    case TK_CURRENT_TIMESTAMP:
        return parse_literal(p);
    case TK_STRING:
        if (parse_peek(p, 1) == TK_DOT)
            return parse_name_expr(p);
        return parse_literal(p);
    case TK_LP: return parse_paren(p);
    case TK_CASE: return parse_case(p);
    case TK_CAST: return parse_cast(p);
    case TK_EXISTS: return parse_exists(p);
    case TK_RAISE: return parse_raise(p);
    default:
        if (parse_tok_is_nm(p))
            return parse_name_expr(p);
        parse_error_syntax(p);
        return NULL;
    }
}

/* ---------------------------------------------------------- operators */

/* The operand of unary minus is the literal 9223372036854775808 (possibly
 * in parentheses): -that is INT64_MIN, as in SQLite. */
static int
is_int64_min_magnitude(const parser *p, const ast_expr *e)
{
    static const char digits[] = "9223372036854775808";
    const char *z = p->sql + e->span.start;
    uint32_t j = 0;

    if (e->kind != EXPR_FLOAT)
        return 0;
    for (uint32_t i = 0; i < e->span.len; i++) {
        char c = z[i];
        if (c >= '0' && c <= '9') {
            if (j >= sizeof digits - 1 || digits[j++] != c)
                return 0;
        } else if (c != '(' && c != ')' && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return 0;
        }
    }
    return j == sizeof digits - 1;
}

static ast_expr *
make_unary(parser *p, int op, uint32_t start, ast_expr *operand)
{
    ast_expr *e;

    if (operand == NULL)
        return NULL;
    if (op == AST_OP_NEG && is_int64_min_magnitude(p, operand)) {
        operand->kind = EXPR_INTEGER;
        operand->ival = INT64_MIN;
        operand->rval = 0;
        operand->span = parse_span_from(p, start);
        return operand;
    }
    if (op == AST_OP_NOT && operand->kind == EXPR_EXISTS && !operand->is_not) {
        operand->is_not = true;
        operand->span = parse_span_from(p, start);
        return operand;
    }
    e = parse_expr_new(p, EXPR_UNARY, start);
    if (e == NULL)
        return NULL;
    e->op = (uint8_t)op;
    e->left = operand;
    return expr_finish(p, e);
}

/* Prefix operators: - + ~ bind tightest; NOT takes an expression down to
 * its own level. */
static ast_expr *
parse_unary(parser *p)
{
    uint32_t start = p->tok.start;
    ast_expr *e;
    int op;

    switch (p->tok.type) {
    case TK_MINUS: op = AST_OP_NEG; break;
    case TK_PLUS: op = AST_OP_PLUS; break;
    case TK_BITNOT: op = AST_OP_BITNOT; break;
    case TK_NOT: op = AST_OP_NOT; break;
    default: return parse_primary(p);
    }
    if (parse_depth_enter(p) != CHORUS_OK)
        return NULL;
    parse_advance(p);
    if (op == AST_OP_NOT)
        e = make_unary(p, op, start, parse_expr_level(p, SQL_LV_NOT));
    else
        e = make_unary(p, op, start, parse_unary(p));
    parse_depth_leave(p);
    return e;
}

static ast_expr *
make_binary(parser *p, int kind, int op, ast_expr *left, ast_expr *right)
{
    ast_expr *e;

    if (left == NULL || right == NULL)
        return NULL;
    e = parse_expr_new(p, kind, left->span.start);
    if (e == NULL)
        return NULL;
    e->op = (uint8_t)op;
    e->left = left;
    e->right = right;
    return expr_finish(p, e);
}

/* The level of the binary or postfix operator at p->tok, or 0. */
static int
operator_level(const parser *p)
{
    switch (p->tok.type) {
    case TK_OR: return SQL_LV_OR;
    case TK_AND: return SQL_LV_AND;
    case TK_EQ: case TK_NE: case TK_IS: case TK_IN: case TK_LIKE: case TK_GLOB:
    case TK_REGEXP: case TK_MATCH: case TK_BETWEEN: case TK_ISNULL: case TK_NOTNULL:
    case TK_NOT:
        return SQL_LV_EQ;
    case TK_LT: case TK_LE: case TK_GT: case TK_GE: return SQL_LV_CMP;
    case TK_BITAND: case TK_BITOR: case TK_LSHIFT: case TK_RSHIFT: return SQL_LV_BIT;
    case TK_PLUS: case TK_MINUS: return SQL_LV_ADD;
    case TK_STAR: case TK_SLASH: case TK_REM: return SQL_LV_MUL;
    case TK_CONCAT: case TK_PTR: return SQL_LV_CONCAT;
    case TK_COLLATE: return SQL_LV_COLLATE;
    default: return 0;
    }
}

static int
binary_op(const parser *p)
{
    switch (p->tok.type) {
    case TK_OR: return AST_OP_OR;
    case TK_AND: return AST_OP_AND;
    case TK_EQ: return AST_OP_EQ;
    case TK_NE: return AST_OP_NE;
    case TK_LT: return AST_OP_LT;
    case TK_LE: return AST_OP_LE;
    case TK_GT: return AST_OP_GT;
    case TK_GE: return AST_OP_GE;
    case TK_BITAND: return AST_OP_BITAND;
    case TK_BITOR: return AST_OP_BITOR;
    case TK_LSHIFT: return AST_OP_LSHIFT;
    case TK_RSHIFT: return AST_OP_RSHIFT;
    case TK_PLUS: return AST_OP_ADD;
    case TK_MINUS: return AST_OP_SUB;
    case TK_STAR: return AST_OP_MUL;
    case TK_SLASH: return AST_OP_DIV;
    case TK_REM: return AST_OP_MOD;
    case TK_CONCAT: return AST_OP_CONCAT;
    default: return p->tok.len == 3 ? AST_OP_JSON_GET_SQL : AST_OP_JSON_GET;   /* TK_PTR */
    }
}

/* [NOT] IN ( select ) | ( list ) | [schema.]table[(args)]; p->tok is IN. */
static ast_expr *
parse_in(parser *p, ast_expr *left, bool is_not)
{
    ast_expr *e = parse_expr_new(p, EXPR_IN_LIST, left->span.start);

    if (e == NULL)
        return NULL;
    e->left = left;
    e->is_not = is_not;
    parse_advance(p);
    if (parse_accept(p, TK_LP)) {
        if (parse_starts_select(p)) {
            e->kind = EXPR_IN_SELECT;
            e->select = parse_select(p);
        } else if (p->tok.type != TK_RP) {
            parse_expr_list(p, &e->list);
        }
        if (parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
        return expr_finish(p, e);
    }
    e->kind = EXPR_IN_TABLE;
    e->ival = ++p->n_selects;       /* the SELECT SQLite makes of it (ast_select_core.sel_id) */
    if ((e->name = parse_name(p)) == NULL)
        return NULL;
    if (parse_accept(p, TK_DOT)) {
        e->schema = e->name;
        if ((e->name = parse_name(p)) == NULL)
            return NULL;
    }
    if (parse_accept(p, TK_LP)) {
        if (p->tok.type != TK_RP && parse_expr_list(p, &e->list) != CHORUS_OK)
            return NULL;
        if (parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
    }
    return expr_finish(p, e);
}

/* [NOT] LIKE|GLOB|REGEXP|MATCH pattern [ESCAPE e]; p->tok is the operator. */
static ast_expr *
parse_like(parser *p, ast_expr *left, bool is_not)
{
    ast_expr *e = parse_expr_new(p, EXPR_LIKE, left->span.start);

    if (e == NULL)
        return NULL;
    switch (p->tok.type) {
    case TK_LIKE: e->op = AST_OP_LIKE; break;
    case TK_GLOB: e->op = AST_OP_GLOB; break;
    case TK_REGEXP: e->op = AST_OP_REGEXP; break;
    default: e->op = AST_OP_MATCH; break;
    }
    parse_advance(p);
    e->left = left;
    e->is_not = is_not;
    if ((e->right = parse_expr_level(p, SQL_LV_CMP)) == NULL)
        return NULL;
    if (parse_accept(p, TK_ESCAPE) && (e->escape = parse_expr_level(p, SQL_LV_CMP)) == NULL)
        return NULL;
    return expr_finish(p, e);
}

static ast_expr *parse_operators(parser *p, ast_expr *left, int min_level);

/* [NOT] BETWEEN low AND high; p->tok is BETWEEN. An OR in the lower bound
 * swallows every later AND in SQLite's grammar, so the BETWEEN can never
 * be completed: the error comes where that longer expression ends. */
static ast_expr *
parse_between(parser *p, ast_expr *left, bool is_not)
{
    ast_expr *e = parse_expr_new(p, EXPR_BETWEEN, left->span.start);
    ast_list_item *low, *high;

    if (e == NULL)
        return NULL;
    parse_advance(p);
    e->left = left;
    e->is_not = is_not;
    if (parse_list_push(p, &e->list, &low) != CHORUS_OK ||
        (low->expr = parse_expr_level(p, SQL_LV_NOT)) == NULL)
        return NULL;
    if (p->tok.type == TK_OR) {
        if (parse_operators(p, low->expr, SQL_LV_OR) != NULL)
            parse_error_syntax(p);
        return NULL;
    }
    if (parse_expect(p, TK_AND) != CHORUS_OK || parse_list_push(p, &e->list, &high) != CHORUS_OK ||
        (high->expr = parse_expr_level(p, SQL_LV_CMP)) == NULL)
        return NULL;
    return expr_finish(p, e);
}

static ast_expr *
make_isnull(parser *p, ast_expr *left, bool is_not)
{
    ast_expr *e = parse_expr_new(p, EXPR_ISNULL, left->span.start);

    if (e == NULL)
        return NULL;
    e->left = left;
    e->is_not = is_not;
    return expr_finish(p, e);
}

/* IS [NOT] [DISTINCT FROM] right; p->tok is IS. */
static ast_expr *
parse_is(parser *p, ast_expr *left)
{
    bool is_not;
    int op;

    parse_advance(p);
    is_not = parse_accept(p, TK_NOT);
    if (parse_accept(p, TK_DISTINCT)) {
        if (parse_expect(p, TK_FROM) != CHORUS_OK)
            return NULL;
        op = is_not ? AST_OP_IS : AST_OP_IS_NOT;
    } else {
        op = is_not ? AST_OP_IS_NOT : AST_OP_IS;
    }
    return make_binary(p, EXPR_BINARY, op, left, parse_expr_level(p, SQL_LV_CMP));
}

/* The equality-level operators other than = and !=. */
static ast_expr *
parse_equality_op(parser *p, ast_expr *left)
{
    bool is_not = false;

    switch (p->tok.type) {
    case TK_IS: return parse_is(p, left);
    case TK_ISNULL:
    case TK_NOTNULL: {
        bool notnull = p->tok.type == TK_NOTNULL;
        parse_advance(p);
        return make_isnull(p, left, notnull);
    }
    case TK_NOT:
        parse_advance(p);
        is_not = true;
        if (parse_accept(p, TK_NULL))
            return make_isnull(p, left, true);
        break;
    default:
        break;
    }
    switch (p->tok.type) {
    case TK_IN: return parse_in(p, left, is_not);
    case TK_LIKE:
    case TK_GLOB:
    case TK_REGEXP:
    case TK_MATCH: return parse_like(p, left, is_not);
    case TK_BETWEEN: return parse_between(p, left, is_not);
    default: parse_error_syntax(p); return NULL;
    }
}

static ast_expr *
parse_collate(parser *p, ast_expr *left)
{
    ast_expr *e = parse_expr_new(p, EXPR_COLLATE, left->span.start);

    if (e == NULL)
        return NULL;
    parse_advance(p);
    if (!parse_tok_is_ids(p)) {
        parse_error_syntax(p);
        return NULL;
    }
    e->left = left;
    e->name = parse_name(p);
    return expr_finish(p, e);
}

/* Applies the operators at p->tok of level min_level and above to left. */
static ast_expr *
parse_operators(parser *p, ast_expr *left, int min_level)
{
    int level;

    while (left != NULL && (level = operator_level(p)) != 0 && level >= min_level) {
        int t = p->tok.type;
        if (t == TK_COLLATE) {
            left = parse_collate(p, left);
        } else if (level == SQL_LV_EQ && t != TK_EQ && t != TK_NE) {
            left = parse_equality_op(p, left);
        } else {
            int op = binary_op(p);
            parse_advance(p);
            left = make_binary(p, EXPR_BINARY, op, left, parse_expr_level(p, level + 1));
        }
    }
    return left;
}

ast_expr *
parse_expr_level(parser *p, int min_level)
{
    ast_expr *e;

    if (parse_depth_enter(p) != CHORUS_OK)
        return NULL;
    e = parse_operators(p, parse_unary(p), min_level);
    parse_depth_leave(p);
    return e;
}

ast_expr *
parse_expr(parser *p)
{
    return parse_expr_level(p, SQL_LV_OR);
}

int
parse_expr_list(parser *p, ast_list *out)
{
    do {
        ast_list_item *item;
        if (parse_list_push(p, out, &item) != CHORUS_OK || (item->expr = parse_expr(p)) == NULL)
            return p->rc;
    } while (parse_accept(p, TK_COMMA));
    return p->rc;
}
