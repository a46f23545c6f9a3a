/*
 * core/sql/parse_select.c: SELECT and VALUES: WITH clauses, compound
 * selects, result columns, FROM with every join form, GROUP BY, HAVING,
 * WINDOW definitions, ORDER BY and LIMIT.
 *
 * Invariants
 *   S1  A result column's expression span is SQLite's column-name text: from
 *       its first token up to the next token after it, less trailing
 *       whitespace (so "SELECT 1 /x/ , 2" names its first column with the
 *       comment, as SQLite does).
 *   S2  A parenthesized join of one item is that item ("FROM ((t))" is
 *       "FROM t"); several items make an AST_FROM_NESTED item.
 *   S3  Nesting of selects counts against SQL_MAX_DEPTH like expressions.
 *
 * Callers: parse.c (statements), parse_expr.c (subqueries), parse_stmt.c
 * and parse_ddl.c (INSERT ... SELECT, views, CREATE TABLE AS).
 */
#include "sql_int.h"

#include <string.h>

int
parse_starts_select(const parser *p)
{
    return p->tok.type == TK_SELECT || p->tok.type == TK_VALUES || p->tok.type == TK_WITH;
}

/* ------------------------------------------------------------- WITH */

static ast_cte *
parse_cte(parser *p)
{
    ast_cte *cte = parse_alloc(p, sizeof *cte);

    if (cte == NULL || (cte->name = parse_name(p)) == NULL)
        return NULL;
    if (p->tok.type == TK_LP && parse_name_list(p, &cte->columns, 1) != CHORUS_OK)
        return NULL;
    if (parse_expect(p, TK_AS) != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_NOT)) {
        if (parse_expect(p, TK_MATERIALIZED) != CHORUS_OK)
            return NULL;
        cte->materialized = -1;
    } else if (parse_accept(p, TK_MATERIALIZED)) {
        cte->materialized = 1;
    }
    if (parse_expect(p, TK_LP) != CHORUS_OK || (cte->select = parse_select(p)) == NULL ||
        parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    return cte;
}

ast_with *
parse_with(parser *p)
{
    ast_with *with = parse_alloc(p, sizeof *with);
    ast_cte **link;

    if (with == NULL || parse_expect(p, TK_WITH) != CHORUS_OK)
        return NULL;
    with->is_recursive = parse_accept(p, TK_RECURSIVE);
    link = &with->ctes;
    do {
        if ((*link = parse_cte(p)) == NULL)
            return NULL;
        link = &(*link)->next;
    } while (parse_accept(p, TK_COMMA));
    return with;
}

/* ----------------------------------------------------------- lists */

int
parse_order_by(parser *p, ast_list *out)
{
    do {
        ast_list_item *item;
        if (parse_list_push(p, out, &item) != CHORUS_OK || (item->expr = parse_expr(p)) == NULL)
            return p->rc;
        if (parse_accept(p, TK_ASC))
            item->order = AST_ORDER_ASC;
        else if (parse_accept(p, TK_DESC))
            item->order = AST_ORDER_DESC;
        if (parse_accept(p, TK_NULLS)) {
            if (parse_accept(p, TK_FIRST))
                item->nulls = AST_NULLS_FIRST;
            else if (parse_expect(p, TK_LAST) == CHORUS_OK)
                item->nulls = AST_NULLS_LAST;
        }
    } while (parse_accept(p, TK_COMMA));
    return p->rc;
}

int
parse_sort_list(parser *p, ast_list *out, int indexed)
{
    if (parse_expect(p, TK_LP) != CHORUS_OK || parse_order_by(p, out) != CHORUS_OK)
        return p->rc;
    for (int i = 0; indexed && i < out->n; i++) {
        ast_list_item *item = &out->items[i];
        if (item->expr->kind == EXPR_COLLATE) {
            item->collation = item->expr->name;
            item->expr = item->expr->left;
        }
    }
    return parse_expect(p, TK_RP);
}

/* The end of a result column's name text (S1). */
static uint32_t
name_text_end(const parser *p)
{
    uint32_t end = p->tok.start;

    while (end > 0 && (p->sql[end - 1] == ' ' || (p->sql[end - 1] >= '\t' && p->sql[end - 1] <= '\r')))
        end--;
    return end;
}

static ast_expr *
parse_result_star(parser *p)
{
    uint32_t start = p->tok.start;
    ast_expr *e = parse_expr_new(p, EXPR_STAR, start);

    if (e == NULL)
        return NULL;
    if (p->tok.type != TK_STAR) {
        e->table = parse_name(p);
        if (e->table == NULL || parse_expect(p, TK_DOT) != CHORUS_OK)
            return NULL;
    }
    if (parse_expect(p, TK_STAR) != CHORUS_OK)
        return NULL;
    e->span = parse_span_from(p, start);
    return e;
}

int
parse_result_columns(parser *p, ast_list *out)
{
    do {
        ast_list_item *item;
        uint32_t start = p->tok.start;
        if (parse_list_push(p, out, &item) != CHORUS_OK)
            return p->rc;
        if (p->tok.type == TK_STAR ||
            (parse_tok_is_nm(p) && parse_peek(p, 1) == TK_DOT && parse_peek(p, 2) == TK_STAR)) {
            if ((item->expr = parse_result_star(p)) == NULL)
                return p->rc;
            continue;
        }
        if ((item->expr = parse_expr(p)) == NULL)
            return p->rc;
        item->expr->span.start = start;
        item->expr->span.len = name_text_end(p) - start;
        if (parse_accept(p, TK_AS)) {
            if ((item->name = parse_name(p)) == NULL)
                return p->rc;
        } else if (parse_tok_is_ids(p)) {
            item->name = parse_name(p);
        }
    } while (parse_accept(p, TK_COMMA));
    return p->rc;
}

/* ------------------------------------------------------------- FROM */

/* SQLite's join keyword rules: NATURAL, LEFT, RIGHT, FULL, OUTER, INNER,
 * CROSS in up to three words before JOIN. */
enum { JT_NATURAL = 1, JT_LEFT = 2, JT_RIGHT = 4, JT_OUTER = 8, JT_INNER = 16, JT_CROSS = 32,
       JT_ERROR = 64 };

static int
join_word_flags(const parser *p)
{
    static const struct { const char *word; int flags; } words[] = {
        {"natural", JT_NATURAL}, {"left", JT_LEFT | JT_OUTER}, {"right", JT_RIGHT | JT_OUTER},
        {"full", JT_LEFT | JT_RIGHT | JT_OUTER}, {"outer", JT_OUTER}, {"inner", JT_INNER},
        {"cross", JT_INNER | JT_CROSS},
    };
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(words); i++)
        if (parse_tok_is_word(p, words[i].word))
            return words[i].flags;
    return JT_ERROR;
}

/* JOIN_KW [nm [nm]] JOIN; p->tok is a join keyword. */
static int
parse_join_words(parser *p, ast_from_item *item)
{
    uint32_t start = p->tok.start;
    int flags = 0, n_words = 0;

    while (p->tok.type != TK_JOIN && n_words < 3 && (n_words == 0 || parse_tok_is_nm(p))) {
        flags |= join_word_flags(p);
        n_words++;
        parse_advance(p);
    }
    if (p->tok.type != TK_JOIN)
        return parse_error_syntax(p);
    if ((flags & (JT_INNER | JT_OUTER)) == (JT_INNER | JT_OUTER) || (flags & JT_ERROR) != 0 ||
        (flags & (JT_OUTER | JT_LEFT | JT_RIGHT)) == JT_OUTER) {
        ast_span span = parse_span_from(p, start);
        return parse_error(p, CHORUS_ERROR, "unknown join type: %.*s", (int)span.len,
                           p->sql + start);
    }
    parse_advance(p);
    item->is_natural = (flags & JT_NATURAL) != 0;
    if (flags & JT_CROSS)
        item->join = AST_JOIN_CROSS;
    else if ((flags & (JT_LEFT | JT_RIGHT)) == (JT_LEFT | JT_RIGHT))
        item->join = AST_JOIN_FULL;
    else if (flags & JT_LEFT)
        item->join = AST_JOIN_LEFT;
    else if (flags & JT_RIGHT)
        item->join = AST_JOIN_RIGHT;
    else
        item->join = AST_JOIN_INNER;
    return p->rc;
}

/* The source of one FROM item: (select), (join), name(args) or name. */
static int
parse_from_source(parser *p, ast_from_item *item)
{
    if (parse_accept(p, TK_LP)) {
        if (parse_starts_select(p)) {
            item->kind = AST_FROM_SUBQUERY;
            item->subquery = parse_select(p);
        } else {
            ast_from_item *inner;
            p->in_nested_from++;
            inner = parse_from(p);
            p->in_nested_from--;
            if (inner == NULL)
                return p->rc;
            if (inner->next == NULL)
                *item = *inner;     /* S2 */
            else {
                item->kind = AST_FROM_NESTED;
                item->nested = inner;
            }
        }
        return parse_expect(p, TK_RP);
    }
    item->kind = AST_FROM_TABLE;
    if ((item->name = parse_name(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_DOT)) {
        item->schema = item->name;
        if ((item->name = parse_name(p)) == NULL)
            return p->rc;
    }
    if (parse_accept(p, TK_LP)) {
        item->kind = AST_FROM_FUNCTION;
        if (p->tok.type != TK_RP && parse_expr_list(p, &item->args) != CHORUS_OK)
            return p->rc;
        return parse_expect(p, TK_RP);
    }
    return p->rc;
}

/* ON or USING after the first FROM item is an error that SQLite reports
 * once the clause is complete and the token after it fits, so a bad token
 * there is a syntax error first. */
static int
join_required_error(parser *p, const ast_from_item *item)
{
    switch (p->tok.type) {
    case TK_COMMA: case TK_JOIN: case TK_RP:
        break;
    case TK_WHERE: case TK_GROUP: case TK_HAVING: case TK_WINDOW: case TK_ORDER: case TK_LIMIT:
    case TK_UNION: case TK_INTERSECT: case TK_EXCEPT: case TK_SEMI: case TK_EOF:
    case TK_RETURNING: case TK_ON:
        if (p->in_nested_from)
            return parse_error_syntax(p);
        break;
    default:
        if (sql_keyword_class(p->tok.type) != SQL_KW_J)
            return parse_error_syntax(p);
    }
    return parse_error(p, CHORUS_ERROR, "a JOIN clause is required before %s",
                       item->on != NULL ? "ON" : "USING");
}

/* [AS] alias, INDEXED BY / NOT INDEXED, ON / USING after a source. */
static int
parse_from_suffix(parser *p, ast_from_item *item, int is_first)
{
    if (parse_accept(p, TK_AS)) {
        if ((item->alias = parse_name(p)) == NULL)
            return p->rc;
    } else if (parse_tok_is_ids(p)) {
        item->alias = parse_name(p);
    }
    if (item->kind == AST_FROM_TABLE) {
        if (parse_accept(p, TK_INDEXED)) {
            if (parse_expect(p, TK_BY) != CHORUS_OK || (item->indexed_by = parse_name(p)) == NULL)
                return p->rc;
        } else if (parse_accept(p, TK_NOT)) {
            if (parse_expect(p, TK_INDEXED) != CHORUS_OK)
                return p->rc;
            item->not_indexed = true;
        }
    }
    if (parse_accept(p, TK_ON))
        item->on = parse_expr(p);
    else if (parse_accept(p, TK_USING))
        parse_name_list(p, &item->using_cols, 0);
    else
        return p->rc;
    if (is_first && p->rc == CHORUS_OK)
        return join_required_error(p, item);
    return p->rc;
}

ast_from_item *
parse_from(parser *p)
{
    ast_from_item *first = NULL, **link = &first;
    int join = AST_JOIN_NONE;

    for (;;) {
        ast_from_item *item = parse_alloc(p, sizeof *item);
        uint8_t natural = 0;
        if (item == NULL)
            return NULL;
        if (join == -1) {   /* a join keyword sequence */
            if (parse_join_words(p, item) != CHORUS_OK)
                return NULL;
            join = item->join;
            natural = item->is_natural;
        }
        if (parse_from_source(p, item) != CHORUS_OK)
            return NULL;
        item->join = (uint8_t)join;
        item->is_natural = natural;
        item->next = NULL;
        if (parse_from_suffix(p, item, first == NULL) != CHORUS_OK)
            return NULL;
        *link = item;
        link = &item->next;
        if (parse_accept(p, TK_COMMA))
            join = AST_JOIN_COMMA;
        else if (parse_accept(p, TK_JOIN))
            join = AST_JOIN_INNER;
        else if (sql_keyword_class(p->tok.type) == SQL_KW_J)
            join = -1;
        else
            return first;
    }
}

/* ----------------------------------------------------------- SELECT */

static int
parse_window_defs(parser *p, ast_select_core *core)
{
    ast_window **link = &core->windows;

    parse_advance(p);   /* WINDOW */
    do {
        ast_window *w = parse_alloc(p, sizeof *w);
        if (w == NULL || (w->name = parse_name(p)) == NULL || parse_expect(p, TK_AS) != CHORUS_OK ||
            parse_expect(p, TK_LP) != CHORUS_OK || parse_window_spec(p, w) != CHORUS_OK ||
            parse_expect(p, TK_RP) != CHORUS_OK)
            return p->rc;
        *link = w;
        link = &w->next;
    } while (parse_accept(p, TK_COMMA));
    return p->rc;
}

/* VALUES (row), (row) ...; each row is an EXPR_VECTOR. */
static int
parse_values_rows(parser *p, ast_select_core *core)
{
    core->is_values = true;
    do {
        ast_list_item *item;
        ast_expr *row = parse_expr_new(p, EXPR_VECTOR, p->tok.start);
        if (row == NULL || parse_expect(p, TK_LP) != CHORUS_OK ||
            parse_expr_list(p, &row->list) != CHORUS_OK || parse_expect(p, TK_RP) != CHORUS_OK ||
            parse_list_push(p, &core->values, &item) != CHORUS_OK)
            return p->rc;
        row->span = parse_span_from(p, row->span.start);
        for (int i = 0; i < row->list.n; i++)
            if (row->list.items[i].expr->height >= row->height)
                row->height = row->list.items[i].expr->height + 1;
        item->expr = row;
    } while (parse_accept(p, TK_COMMA));
    return p->rc;
}

static ast_select_core *
parse_select_core(parser *p)
{
    ast_select_core *core = parse_alloc(p, sizeof *core);

    if (core == NULL)
        return NULL;
    if (parse_accept(p, TK_VALUES))
        return parse_values_rows(p, core) == CHORUS_OK ? core : NULL;
    if (parse_expect(p, TK_SELECT) != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_DISTINCT))
        core->is_distinct = true;
    else
        parse_accept(p, TK_ALL);
    if (parse_result_columns(p, &core->result) != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_FROM) && (core->from = parse_from(p)) == NULL)
        return NULL;
    if (parse_accept(p, TK_WHERE) && (core->where = parse_expr(p)) == NULL)
        return NULL;
    if (parse_accept(p, TK_GROUP) &&
        (parse_expect(p, TK_BY) != CHORUS_OK || parse_expr_list(p, &core->group_by) != CHORUS_OK))
        return NULL;
    if (parse_accept(p, TK_HAVING) && (core->having = parse_expr(p)) == NULL)
        return NULL;
    if (p->tok.type == TK_WINDOW && parse_window_defs(p, core) != CHORUS_OK)
        return NULL;
    return core;
}

/* UNION [ALL] | INTERSECT | EXCEPT at p->tok, consumed; NONE otherwise. */
static int
parse_compound_op(parser *p)
{
    if (parse_accept(p, TK_UNION))
        return parse_accept(p, TK_ALL) ? AST_COMPOUND_UNION_ALL : AST_COMPOUND_UNION;
    if (parse_accept(p, TK_INTERSECT))
        return AST_COMPOUND_INTERSECT;
    if (parse_accept(p, TK_EXCEPT))
        return AST_COMPOUND_EXCEPT;
    return AST_COMPOUND_NONE;
}

static int
parse_limit(parser *p, ast_select *s)
{
    if ((s->limit = parse_expr(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_OFFSET)) {
        s->offset = parse_expr(p);
    } else if (parse_accept(p, TK_COMMA)) {
        s->offset = s->limit;
        s->limit = parse_expr(p);
    }
    return p->rc;
}

static const char *
compound_op_name(int op)
{
    switch (op) {
    case AST_COMPOUND_UNION_ALL: return "UNION ALL";
    case AST_COMPOUND_INTERSECT: return "INTERSECT";
    case AST_COMPOUND_EXCEPT: return "EXCEPT";
    default: return "UNION";
    }
}

/* ORDER BY and LIMIT of the select; SQLite's grammar lets them end any
 * SELECT core (not VALUES) of a compound and then rejects them before a
 * compound operator. */
static int
parse_select_tail(parser *p, ast_select *s)
{
    if (parse_accept(p, TK_ORDER) &&
        (parse_expect(p, TK_BY) != CHORUS_OK || parse_order_by(p, &s->order_by) != CHORUS_OK))
        return p->rc;
    if (parse_accept(p, TK_LIMIT))
        parse_limit(p, s);
    return p->rc;
}

ast_select *
parse_select_after_with(parser *p, ast_with *with, uint32_t start)
{
    ast_select *s = parse_alloc(p, sizeof *s);
    ast_select_core **link;
    int compound = AST_COMPOUND_NONE;

    if (s == NULL)
        return NULL;
    s->with = with;
    link = &s->cores;
    for (;;) {
        ast_select_core *core = parse_select_core(p);
        if (core == NULL)
            return NULL;
        core->compound = (uint8_t)compound;
        *link = core;
        link = &core->next;
        if (compound != AST_COMPOUND_NONE && (s->order_by.n > 0 || s->limit != NULL)) {
            parse_error(p, CHORUS_ERROR, "%s clause should come after %s not before",
                        s->order_by.n > 0 ? "ORDER BY" : "LIMIT", compound_op_name(compound));
            return NULL;
        }
        if (!core->is_values && parse_select_tail(p, s) != CHORUS_OK)
            return NULL;
        p->n_selects += core->is_values ? core->values.n : 1;
        core->sel_id = p->n_selects;
        if ((compound = parse_compound_op(p)) == AST_COMPOUND_NONE)
            break;
    }
    s->span = parse_span_from(p, start);
    return p->rc == CHORUS_OK ? s : NULL;
}

ast_select *
parse_select(parser *p)
{
    uint32_t start = p->tok.start;
    ast_with *with = NULL;
    ast_select *s = NULL;

    if (parse_depth_enter(p) != CHORUS_OK)
        return NULL;
    if (p->tok.type != TK_WITH || (with = parse_with(p)) != NULL)
        s = parse_select_after_with(p, with, start);
    parse_depth_leave(p);
    return s;
}
