/*
 * core/sql/parse.c: the parser's entry (sql_parse), its token stream with one
 * token of lookahead, error messages in SQLite's words, and the helpers for
 * names and lists that every parse_*.c file uses.
 *
 * Token stream: parse_advance() skips spaces and comments and decides the
 * context keywords as SQLite's tokenizer does: WINDOW is a keyword only
 * when an identifier and AS follow it, OVER only after ')' and before '(' or
 * an identifier, FILTER only after ')' and before '('. Otherwise they are
 * identifiers. An unrecognized token is an error when it becomes the
 * lookahead, which is when SQLite's parser would read it.
 *
 * Invariants: P1-P3 of sql_int.h. The error message is malloc()ed once (the
 * first error) and handed to the caller of sql_parse.
 * Callers: sql_parse is the front end's entry, called by the compiler and
 * the C API; the other functions are called by parse_*.c only.
 */
#include "sql_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Scans the first token at or after offset from that is not a space or a
 * comment; TK_EOF at the end of the input or at a NUL byte. */
static void
scan_significant(const parser *p, uint32_t from, sql_token *t)
{
    while (from < p->n && p->sql[from] != '\0') {
        int type;
        size_t len = sql_token_scan(p->sql + from, p->n - from, &type);
        if (type != TK_SPACE && type != TK_COMMENT) {
            t->type = type;
            t->start = from;
            t->len = (uint32_t)len;
            return;
        }
        from += (uint32_t)len;
    }
    t->type = TK_EOF;
    t->start = p->n;
    t->len = 0;
}

/* SQLite's classification of a token that follows a context keyword: any
 * identifier-like token counts as an identifier. */
static int
type_is_id_like(int type)
{
    int cls = sql_keyword_class(type);
    return type == TK_ID || type == TK_STRING || (type >= TK_FIRST_KEYWORD && cls != SQL_KW_N);
}

/* Decides whether the context keyword in p->tok acts as a keyword. */
static int
context_keyword_type(const parser *p)
{
    sql_token next, after;

    scan_significant(p, p->pos, &next);
    switch (p->tok.type) {
    case TK_WINDOW:
        if (!type_is_id_like(next.type))
            return TK_ID;
        scan_significant(p, next.start + next.len, &after);
        return after.type == TK_AS ? TK_WINDOW : TK_ID;
    case TK_OVER:
        if (p->prev.type == TK_RP && (next.type == TK_LP || type_is_id_like(next.type)))
            return TK_OVER;
        return TK_ID;
    default:    /* TK_FILTER */
        return p->prev.type == TK_RP && next.type == TK_LP ? TK_FILTER : TK_ID;
    }
}

void
parse_advance(parser *p)
{
    if (p->rc != CHORUS_OK) {
        p->tok.type = TK_EOF;
        return;
    }
    p->prev = p->tok;
    scan_significant(p, p->pos, &p->tok);
    p->pos = p->tok.start + p->tok.len;
    if (sql_keyword_class(p->tok.type) == SQL_KW_C)
        p->tok.type = context_keyword_type(p);
    if (p->tok.type == TK_ILLEGAL)
        parse_error(p, CHORUS_ERROR, "unrecognized token: \"%.*s\"", (int)p->tok.len,
                    p->sql + p->tok.start);
}

int
parse_peek(parser *p, int k)
{
    sql_token t = p->tok;

    for (int i = 0; i < k && t.type != TK_EOF; i++)
        scan_significant(p, t.start + t.len, &t);
    return sql_keyword_class(t.type) == SQL_KW_C ? TK_ID : t.type;
}

int
parse_accept(parser *p, int type)
{
    if (p->tok.type != type || p->rc != CHORUS_OK)
        return 0;
    parse_advance(p);
    return 1;
}

int
parse_expect(parser *p, int type)
{
    if (parse_accept(p, type))
        return CHORUS_OK;
    return parse_error_syntax(p);
}

int
parse_error(parser *p, int rc, const char *fmt, ...)
{
    va_list ap;

    if (p->rc != CHORUS_OK)
        return p->rc;
    p->rc = rc;
    if (rc != CHORUS_NOMEM) {
        strbuf sb;
        strbuf_init(&sb);
        va_start(ap, fmt);
        strbuf_vprintf(&sb, fmt, ap);
        va_end(ap);
        p->errmsg = strbuf_finish(&sb);
    }
    p->tok.type = TK_EOF;
    return rc;
}

int
parse_error_syntax(parser *p)
{
    if (p->tok.type == TK_EOF)
        return parse_error(p, CHORUS_ERROR, "incomplete input");
    return parse_error(p, CHORUS_ERROR, "near \"%.*s\": syntax error", (int)p->tok.len,
                       p->sql + p->tok.start);
}

int
parse_depth_enter(parser *p)
{
    if (++p->depth > SQL_MAX_DEPTH)
        return parse_error(p, CHORUS_ERROR, "Expression tree is too large (maximum depth %d)",
                           SQL_MAX_DEPTH);
    return p->rc;
}

void
parse_depth_leave(parser *p)
{
    p->depth--;
}

void *
parse_alloc(parser *p, size_t nbytes)
{
    void *mem;

    if (p->rc != CHORUS_OK)
        return NULL;
    mem = arena_alloc(p->arena, nbytes);
    if (mem == NULL)
        parse_error(p, CHORUS_NOMEM, "out of memory");
    return mem;
}

int
parse_tok_is_id(const parser *p)
{
    int t = p->tok.type;
    return t == TK_ID || t == TK_INDEXED || sql_keyword_class(t) == SQL_KW_F;
}

int
parse_tok_is_nm(const parser *p)
{
    return parse_tok_is_id(p) || p->tok.type == TK_STRING ||
           sql_keyword_class(p->tok.type) == SQL_KW_J;
}

int
parse_tok_is_ids(const parser *p)
{
    int t = p->tok.type;
    return t == TK_ID || t == TK_STRING || sql_keyword_class(t) == SQL_KW_F;
}

int
parse_tok_is_word(const parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->tok.len != n)
        return 0;
    return strncasecmp(p->sql + p->tok.start, word, n) == 0;
}

/* Copies the token's text without its quotes, undoubling escaped quotes. */
const char *
parse_token_text(parser *p, const sql_token *t)
{
    const char *z = p->sql + t->start;
    char quote = z[0], *out;
    uint32_t i, j = 0;

    if (quote != '"' && quote != '\'' && quote != '`' && quote != '[') {
        out = arena_strndup(p->arena, z, t->len);
        if (out == NULL)
            parse_error(p, CHORUS_NOMEM, "out of memory");
        return out;
    }
    out = parse_alloc(p, t->len);
    if (out == NULL)
        return NULL;
    if (quote == '[')
        quote = ']';
    for (i = 1; i + 1 < t->len; i++) {
        out[j++] = z[i];
        if (z[i] == quote && quote != ']')
            i++;    /* the doubled quote stands for one */
    }
    out[j] = '\0';
    return out;
}

const char *
parse_name(parser *p)
{
    sql_token t = p->tok;

    if (!parse_tok_is_nm(p)) {
        parse_error_syntax(p);
        return NULL;
    }
    parse_advance(p);
    return parse_token_text(p, &t);
}

ast_span
parse_span_from(const parser *p, uint32_t start)
{
    ast_span s;
    uint32_t end = p->prev.start + p->prev.len;

    s.start = start;
    s.len = end > start ? end - start : 0;
    return s;
}

/* Lists grow in the arena by doubling; the capacity is implied by n: 4
 * items, then the next power of two. */
int
parse_list_push(parser *p, ast_list *list, ast_list_item **item_out)
{
    int n = list->n;

    *item_out = NULL;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        ast_list_item *items = parse_alloc(p, sizeof *items * (size_t)(n == 0 ? 4 : 2 * n));
        if (items == NULL)
            return p->rc;
        if (n > 0)
            memcpy(items, list->items, sizeof *items * (size_t)n);
        list->items = items;
    }
    *item_out = &list->items[list->n++];
    return CHORUS_OK;
}

int
parse_name_list(parser *p, ast_list *out, int with_order)
{
    if (parse_expect(p, TK_LP) != CHORUS_OK)
        return p->rc;
    do {
        ast_list_item *item;
        const char *name = parse_name(p);
        if (name == NULL || parse_list_push(p, out, &item) != CHORUS_OK)
            return p->rc;
        item->name = name;
        if (with_order && parse_accept(p, TK_COLLATE)) {
            if (!parse_tok_is_ids(p))
                return parse_error_syntax(p);
            item->collation = parse_name(p);
        }
        if (with_order && parse_accept(p, TK_ASC))
            item->order = AST_ORDER_ASC;
        else if (with_order && parse_accept(p, TK_DESC))
            item->order = AST_ORDER_DESC;
    } while (parse_accept(p, TK_COMMA));
    return parse_expect(p, TK_RP);
}

/* WITH ... followed by SELECT, INSERT, UPDATE or DELETE. */
static int
parse_with_statement(parser *p, ast_stmt *stmt, uint32_t start)
{
    ast_with *with = parse_with(p);

    if (with == NULL)
        return p->rc;
    switch (p->tok.type) {
    case TK_SELECT:
    case TK_VALUES:
        stmt->kind = STMT_SELECT;
        stmt->u.select = parse_select_after_with(p, with, start);
        return p->rc;
    case TK_INSERT:
    case TK_REPLACE:
        stmt->with = with;
        return parse_insert(p, stmt);
    case TK_UPDATE:
        stmt->with = with;
        return parse_update(p, stmt);
    case TK_DELETE:
        stmt->with = with;
        return parse_delete(p, stmt);
    default:
        return parse_error_syntax(p);
    }
}

/* Dispatches on the statement's first keyword. */
static int
parse_statement_body(parser *p, ast_stmt *stmt, uint32_t start)
{
    int t = p->tok.type;

    if (p->in_trigger && t != TK_SELECT && t != TK_VALUES && t != TK_WITH && t != TK_INSERT &&
        t != TK_REPLACE && t != TK_UPDATE && t != TK_DELETE)
        return parse_error_syntax(p);
    switch (t) {
    case TK_SELECT:
    case TK_VALUES:
        stmt->kind = STMT_SELECT;
        stmt->u.select = parse_select(p);
        return p->rc;
    case TK_WITH: return parse_with_statement(p, stmt, start);
    case TK_INSERT:
    case TK_REPLACE: return parse_insert(p, stmt);
    case TK_UPDATE: return parse_update(p, stmt);
    case TK_DELETE: return parse_delete(p, stmt);
    case TK_CREATE: return parse_create(p, stmt);
    case TK_DROP: return parse_drop(p, stmt);
    case TK_ALTER: return parse_alter(p, stmt);
    case TK_BEGIN:
    case TK_COMMIT:
    case TK_END:
    case TK_ROLLBACK:
    case TK_SAVEPOINT:
    case TK_RELEASE: return parse_transaction(p, stmt);
    case TK_PRAGMA: return parse_pragma(p, stmt);
    case TK_VACUUM:
    case TK_ANALYZE:
    case TK_REINDEX:
    case TK_ATTACH:
    case TK_DETACH: return parse_misc(p, stmt);
    default: return parse_error_syntax(p);
    }
}

ast_stmt *
parse_statement(parser *p)
{
    uint32_t start = p->tok.start;
    ast_stmt *stmt = parse_alloc(p, sizeof *stmt);

    if (stmt == NULL || parse_statement_body(p, stmt, start) != CHORUS_OK)
        return NULL;
    stmt->span = parse_span_from(p, start);
    return stmt;
}

/* [EXPLAIN [QUERY PLAN]] statement */
static ast_stmt *
parse_explain_statement(parser *p)
{
    int explain = AST_EXPLAIN_NONE;
    uint32_t start = p->tok.start;
    ast_stmt *stmt;

    if (parse_accept(p, TK_EXPLAIN)) {
        explain = AST_EXPLAIN;
        if (parse_accept(p, TK_QUERY)) {
            if (parse_expect(p, TK_PLAN) != CHORUS_OK)
                return NULL;
            explain = AST_EXPLAIN_QUERY_PLAN;
        }
    }
    stmt = parse_statement(p);
    if (stmt == NULL)
        return NULL;
    stmt->explain = (uint8_t)explain;
    stmt->span = parse_span_from(p, start);
    stmt->n_params = p->n_params;
    return stmt;
}

int
sql_parse(const char *sql, int nbytes, arena *a, ast_stmt **out, const char **tail,
          char **errmsg_out)
{
    parser p;
    ast_stmt *stmt;

    *out = NULL;
    *errmsg_out = NULL;
    if (tail != NULL)
        *tail = sql;
    if (sql == NULL || a == NULL)
        return CHORUS_MISUSE;
    memset(&p, 0, sizeof p);
    p.sql = sql;
    /* No scan of the whole input here: a script is parsed one statement at
     * a time, so that would make running it quadratic. A NUL byte between
     * tokens ends the input (scan_significant). */
    p.n = (uint32_t)(nbytes < 0 ? strlen(sql) : (size_t)nbytes);
    p.arena = a;
    p.rc = CHORUS_OK;
    parse_advance(&p);
    while (parse_accept(&p, TK_SEMI)) {
    }
    if (p.tok.type == TK_EOF && p.rc == CHORUS_OK) {
        if (tail != NULL)
            *tail = sql + p.n;
        return CHORUS_OK;
    }
    stmt = parse_explain_statement(&p);
    if (stmt != NULL && p.tok.type != TK_SEMI && p.tok.type != TK_EOF)
        parse_error_syntax(&p);
    if (p.rc != CHORUS_OK) {
        *errmsg_out = p.errmsg;
        if (tail != NULL)
            *tail = sql + p.n;
        return p.rc;
    }
    if (tail != NULL)
        *tail = sql + p.tok.start + p.tok.len;
    *out = stmt;
    return CHORUS_OK;
}
