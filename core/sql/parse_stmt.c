/*
 * core/sql/parse_stmt.c: the data statements (INSERT, REPLACE, UPDATE,
 * DELETE with upsert and RETURNING) and the small ones: transactions,
 * PRAGMA, VACUUM, ANALYZE, REINDEX, ATTACH, DETACH.
 *
 * Invariants
 *   D1  Inside a trigger body (p->in_trigger) the target table of INSERT,
 *       UPDATE and DELETE is unqualified, and there is no RETURNING and no
 *       INSERT ... DEFAULT VALUES (a syntax error), as SQLite's grammar has
 *       it.
 *   D2  A SET list's row-value assignment (a, b) = v is one item per column:
 *       the first carries v, the others a NULL expr; set_group gives each
 *       item its group (or -1 for a plain column = value).
 *
 * Callers: parse.c (statement dispatch), parse_ddl.c (trigger bodies).
 */
#include "sql_int.h"

#include <string.h>

/* ROLLBACK | ABORT | FAIL | IGNORE | REPLACE, after OR or ON CONFLICT. */
static int
parse_resolve_type(parser *p, uint8_t *out)
{
    switch (p->tok.type) {
    case TK_ROLLBACK: *out = AST_CONFLICT_ROLLBACK; break;
    case TK_ABORT: *out = AST_CONFLICT_ABORT; break;
    case TK_FAIL: *out = AST_CONFLICT_FAIL; break;
    case TK_IGNORE: *out = AST_CONFLICT_IGNORE; break;
    case TK_REPLACE: *out = AST_CONFLICT_REPLACE; break;
    default: return parse_error_syntax(p);
    }
    parse_advance(p);
    return p->rc;
}

int
parse_conflict_clause(parser *p, uint8_t *out)
{
    if (!parse_accept(p, TK_ON) || parse_expect(p, TK_CONFLICT) != CHORUS_OK)
        return p->rc;
    return parse_resolve_type(p, out);
}

/* [schema.]table [AS alias] of INSERT, UPDATE and DELETE (D1). */
static int
parse_target(parser *p, const char **schema, const char **table, const char **alias)
{
    if ((*table = parse_name(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_DOT)) {
        if (p->in_trigger)
            return parse_error(p, CHORUS_ERROR,
                               "qualified table names are not allowed on INSERT, UPDATE, and "
                               "DELETE statements within triggers");
        *schema = *table;
        if ((*table = parse_name(p)) == NULL)
            return p->rc;
    }
    if (parse_accept(p, TK_AS))
        *alias = parse_name(p);
    return p->rc;
}

static int
parse_indexed(parser *p, const char **indexed_by, bool *not_indexed)
{
    if (parse_accept(p, TK_INDEXED)) {
        if (parse_expect(p, TK_BY) == CHORUS_OK)
            *indexed_by = parse_name(p);
    } else if (parse_accept(p, TK_NOT)) {
        if (parse_expect(p, TK_INDEXED) == CHORUS_OK)
            *not_indexed = true;
    }
    return p->rc;
}

/* Appends group to the per-item group array (grown like the list). */
static int
push_group(parser *p, int32_t **groups, int n, int32_t group)
{
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        int32_t *grown = parse_alloc(p, sizeof *grown * (size_t)(n == 0 ? 4 : 2 * n));
        if (grown == NULL)
            return p->rc;
        if (n > 0)
            memcpy(grown, *groups, sizeof *grown * (size_t)n);
        *groups = grown;
    }
    (*groups)[n] = group;
    return CHORUS_OK;
}

/* One "(a, b) = value" assignment (D2). */
static int
parse_set_row(parser *p, ast_list *set, int32_t **groups, int32_t group)
{
    int first = set->n;
    ast_expr *value;

    parse_advance(p);   /* ( */
    do {
        ast_list_item *item;
        const char *name = parse_name(p);
        if (name == NULL || push_group(p, groups, set->n, group) != CHORUS_OK ||
            parse_list_push(p, set, &item) != CHORUS_OK)
            return p->rc;
        item->name = name;
    } while (parse_accept(p, TK_COMMA));
    if (parse_expect(p, TK_RP) != CHORUS_OK || parse_expect(p, TK_EQ) != CHORUS_OK)
        return p->rc;
    if ((value = parse_expr(p)) == NULL)
        return p->rc;
    set->items[first].expr = value;
    return p->rc;
}

/* SET list of UPDATE and DO UPDATE (D2). */
static int
parse_set_list(parser *p, ast_list *set, int32_t **groups_out)
{
    int32_t n_groups = 0;

    *groups_out = NULL;
    do {
        ast_list_item *item;
        const char *name;
        if (p->tok.type == TK_LP) {
            if (parse_set_row(p, set, groups_out, n_groups++) != CHORUS_OK)
                return p->rc;
            continue;
        }
        if ((name = parse_name(p)) == NULL || parse_expect(p, TK_EQ) != CHORUS_OK ||
            push_group(p, groups_out, set->n, -1) != CHORUS_OK ||
            parse_list_push(p, set, &item) != CHORUS_OK)
            return p->rc;
        item->name = name;
        item->expr = parse_expr(p);
    } while (p->rc == CHORUS_OK && parse_accept(p, TK_COMMA));
    return p->rc;
}

/* ON CONFLICT [(target) [WHERE e]] DO NOTHING | DO UPDATE SET ... [WHERE e] */
static ast_upsert *
parse_upsert(parser *p)
{
    ast_upsert *u = parse_alloc(p, sizeof *u);

    if (u == NULL || parse_expect(p, TK_ON) != CHORUS_OK || parse_expect(p, TK_CONFLICT) != CHORUS_OK)
        return NULL;
    if (p->tok.type == TK_LP) {
        if (parse_sort_list(p, &u->target, 1) != CHORUS_OK)
            return NULL;
        if (parse_accept(p, TK_WHERE) && (u->target_where = parse_expr(p)) == NULL)
            return NULL;
    }
    if (parse_expect(p, TK_DO) != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_NOTHING)) {
        u->do_nothing = true;
        return u;
    }
    if (parse_expect(p, TK_UPDATE) != CHORUS_OK || parse_expect(p, TK_SET) != CHORUS_OK ||
        parse_set_list(p, &u->set, &u->set_group) != CHORUS_OK)
        return NULL;
    if (parse_accept(p, TK_WHERE) && (u->where = parse_expr(p)) == NULL)
        return NULL;
    return u;
}

static int
parse_returning(parser *p, ast_list *out)
{
    if (p->in_trigger && p->tok.type == TK_RETURNING)
        return parse_error_syntax(p);           /* D1 */
    if (!parse_accept(p, TK_RETURNING))
        return p->rc;
    return parse_result_columns(p, out);
}

int
parse_insert(parser *p, ast_stmt *stmt)
{
    ast_insert *ins = &stmt->u.insert;
    ast_upsert **link = &ins->upsert;

    stmt->kind = STMT_INSERT;
    if (parse_accept(p, TK_REPLACE)) {
        ins->conflict = AST_CONFLICT_REPLACE;
    } else if (parse_expect(p, TK_INSERT) == CHORUS_OK && parse_accept(p, TK_OR)) {
        parse_resolve_type(p, &ins->conflict);
    }
    if (parse_expect(p, TK_INTO) != CHORUS_OK ||
        parse_target(p, &ins->schema, &ins->table, &ins->alias) != CHORUS_OK)
        return p->rc;
    if (p->tok.type == TK_LP && parse_name_list(p, &ins->columns, 0) != CHORUS_OK)
        return p->rc;
    if (p->in_trigger && p->tok.type == TK_DEFAULT)
        return parse_error_syntax(p);           /* D1 */
    if (parse_accept(p, TK_DEFAULT))
        return parse_expect(p, TK_VALUES) == CHORUS_OK ? parse_returning(p, &ins->returning) : p->rc;
    if (!parse_starts_select(p))
        return parse_error_syntax(p);
    if ((ins->select = parse_select(p)) == NULL)
        return p->rc;
    while (p->tok.type == TK_ON) {
        if ((*link = parse_upsert(p)) == NULL)
            return p->rc;
        link = &(*link)->next;
    }
    return parse_returning(p, &ins->returning);
}

/* ORDER BY ... LIMIT ... of UPDATE and DELETE. */
static int
parse_dml_order_limit(parser *p, ast_list *order_by, ast_expr **limit, ast_expr **offset)
{
    if (parse_accept(p, TK_ORDER) &&
        (parse_expect(p, TK_BY) != CHORUS_OK || parse_order_by(p, order_by) != CHORUS_OK))
        return p->rc;
    if (!parse_accept(p, TK_LIMIT) || (*limit = parse_expr(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_OFFSET)) {
        *offset = parse_expr(p);
    } else if (parse_accept(p, TK_COMMA)) {
        *offset = *limit;
        *limit = parse_expr(p);
    }
    return p->rc;
}

int
parse_update(parser *p, ast_stmt *stmt)
{
    ast_update *up = &stmt->u.update;

    stmt->kind = STMT_UPDATE;
    if (parse_expect(p, TK_UPDATE) != CHORUS_OK)
        return p->rc;
    if (parse_accept(p, TK_OR) && parse_resolve_type(p, &up->conflict) != CHORUS_OK)
        return p->rc;
    if (parse_target(p, &up->schema, &up->table, &up->alias) != CHORUS_OK ||
        parse_indexed(p, &up->indexed_by, &up->not_indexed) != CHORUS_OK ||
        parse_expect(p, TK_SET) != CHORUS_OK || parse_set_list(p, &up->set, &up->set_group) != CHORUS_OK)
        return p->rc;
    if (parse_accept(p, TK_FROM) && (up->from = parse_from(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_WHERE) && (up->where = parse_expr(p)) == NULL)
        return p->rc;
    if (parse_returning(p, &up->returning) != CHORUS_OK)
        return p->rc;
    return parse_dml_order_limit(p, &up->order_by, &up->limit, &up->offset);
}

int
parse_delete(parser *p, ast_stmt *stmt)
{
    ast_delete *del = &stmt->u.del;

    stmt->kind = STMT_DELETE;
    if (parse_expect(p, TK_DELETE) != CHORUS_OK || parse_expect(p, TK_FROM) != CHORUS_OK ||
        parse_target(p, &del->schema, &del->table, &del->alias) != CHORUS_OK ||
        parse_indexed(p, &del->indexed_by, &del->not_indexed) != CHORUS_OK)
        return p->rc;
    if (parse_accept(p, TK_WHERE) && (del->where = parse_expr(p)) == NULL)
        return p->rc;
    if (parse_returning(p, &del->returning) != CHORUS_OK)
        return p->rc;
    return parse_dml_order_limit(p, &del->order_by, &del->limit, &del->offset);
}

/* ------------------------------------------------------- transactions */

/* [TRANSACTION [name]] */
static int
parse_transaction_opt(parser *p)
{
    if (parse_accept(p, TK_TRANSACTION) && parse_tok_is_nm(p))
        parse_advance(p);
    return p->rc;
}

static int
parse_begin(parser *p, ast_transaction *tx)
{
    tx->kind = AST_TX_BEGIN;
    switch (p->tok.type) {
    case TK_DEFERRED: tx->mode = AST_TX_DEFERRED; parse_advance(p); break;
    case TK_IMMEDIATE: tx->mode = AST_TX_IMMEDIATE; parse_advance(p); break;
    case TK_EXCLUSIVE: tx->mode = AST_TX_EXCLUSIVE; parse_advance(p); break;
    default:
        if (p->tok.type == TK_ID && parse_tok_is_word(p, "concurrent")) {
            tx->mode = AST_TX_CONCURRENT;
            parse_advance(p);
        }
        break;
    }
    return parse_transaction_opt(p);
}

static int
parse_rollback(parser *p, ast_transaction *tx)
{
    tx->kind = AST_TX_ROLLBACK;
    if (parse_transaction_opt(p) != CHORUS_OK || !parse_accept(p, TK_TO))
        return p->rc;
    tx->kind = AST_TX_ROLLBACK_TO;
    parse_accept(p, TK_SAVEPOINT);
    tx->savepoint = parse_name(p);
    return p->rc;
}

int
parse_transaction(parser *p, ast_stmt *stmt)
{
    ast_transaction *tx = &stmt->u.tx;
    int t = p->tok.type;

    stmt->kind = STMT_TRANSACTION;
    parse_advance(p);
    switch (t) {
    case TK_BEGIN: return parse_begin(p, tx);
    case TK_COMMIT:
    case TK_END:
        tx->kind = AST_TX_COMMIT;
        return parse_transaction_opt(p);
    case TK_ROLLBACK: return parse_rollback(p, tx);
    case TK_SAVEPOINT:
        tx->kind = AST_TX_SAVEPOINT;
        tx->savepoint = parse_name(p);
        return p->rc;
    default:    /* RELEASE */
        tx->kind = AST_TX_RELEASE;
        parse_accept(p, TK_SAVEPOINT);
        tx->savepoint = parse_name(p);
        return p->rc;
    }
}

/* ------------------------------------------------------------- PRAGMA */

/* [+|-] number as a literal node; a minus is folded into the value. */
static ast_expr *
parse_signed_number(parser *p)
{
    uint32_t start = p->tok.start;
    int negative = 0;
    ast_expr *e;

    if (parse_accept(p, TK_MINUS))
        negative = 1;
    else
        parse_accept(p, TK_PLUS);
    if (p->tok.type != TK_INTEGER && p->tok.type != TK_FLOAT) {
        parse_error_syntax(p);
        return NULL;
    }
    if ((e = parse_literal_term(p)) == NULL)
        return NULL;
    if (negative && e->kind == EXPR_INTEGER) {
        e->ival = -e->ival;
    } else if (negative) {
        if (e->rval == 9223372036854775808.0 && p->sql[p->prev.start] != '0' &&
            memchr(p->sql + p->prev.start, '.', p->prev.len) == NULL) {
            e->kind = EXPR_INTEGER;
            e->ival = INT64_MIN;
        } else {
            e->rval = -e->rval;
        }
    }
    e->span = parse_span_from(p, start);
    return e;
}

/* A pragma value: number, string, name, or ON / DELETE / DEFAULT. */
static ast_expr *
parse_pragma_value(parser *p)
{
    ast_expr *e;
    sql_token t = p->tok;

    if (t.type == TK_PLUS || t.type == TK_MINUS || t.type == TK_INTEGER || t.type == TK_FLOAT)
        return parse_signed_number(p);
    if (t.type == TK_STRING)
        return parse_literal_term(p);
    if (!parse_tok_is_nm(p) && t.type != TK_ON && t.type != TK_DELETE && t.type != TK_DEFAULT) {
        parse_error_syntax(p);
        return NULL;
    }
    if ((e = parse_expr_new(p, EXPR_COLUMN, t.start)) == NULL)
        return NULL;
    parse_advance(p);
    e->name = parse_token_text(p, &t);
    e->is_quoted = p->sql[t.start] == '"';
    e->span = parse_span_from(p, t.start);
    return e;
}

int
parse_pragma(parser *p, ast_stmt *stmt)
{
    ast_pragma *pr = &stmt->u.pragma;

    stmt->kind = STMT_PRAGMA;
    parse_advance(p);
    if ((pr->name = parse_name(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_DOT)) {
        pr->schema = pr->name;
        if ((pr->name = parse_name(p)) == NULL)
            return p->rc;
    }
    if (parse_accept(p, TK_EQ)) {
        pr->value = parse_pragma_value(p);
    } else if (parse_accept(p, TK_LP)) {
        if ((pr->value = parse_pragma_value(p)) != NULL)
            parse_expect(p, TK_RP);
    }
    return p->rc;
}

/* ------------------------------------------------ VACUUM ... DETACH */

/* [schema.]name or name, for ANALYZE and REINDEX. */
static int
parse_optional_qualified(parser *p, ast_misc *m)
{
    if (!parse_tok_is_nm(p))
        return p->rc;
    if ((m->name = parse_name(p)) != NULL && parse_accept(p, TK_DOT)) {
        m->schema = m->name;
        m->name = parse_name(p);
    }
    return p->rc;
}

/* The name an ATTACH alias or DETACH operand spells, when it is a plain
 * identifier or string. */
static const char *
expr_simple_name(const ast_expr *e)
{
    if (e->kind == EXPR_COLUMN && e->table == NULL)
        return e->name;
    if (e->kind == EXPR_STRING)
        return e->str;
    return NULL;
}

int
parse_misc(parser *p, ast_stmt *stmt)
{
    ast_misc *m = &stmt->u.misc;
    int t = p->tok.type;

    parse_advance(p);
    switch (t) {
    case TK_VACUUM:
        stmt->kind = STMT_VACUUM;
        if (parse_tok_is_nm(p))
            m->schema = parse_name(p);
        if (parse_accept(p, TK_INTO))
            m->expr = parse_expr(p);
        return p->rc;
    case TK_ANALYZE:
        stmt->kind = STMT_ANALYZE;
        return parse_optional_qualified(p, m);
    case TK_REINDEX:
        stmt->kind = STMT_REINDEX;
        return parse_optional_qualified(p, m);
    case TK_ATTACH:
        stmt->kind = STMT_ATTACH;
        parse_accept(p, TK_DATABASE);
        if ((m->expr = parse_expr(p)) == NULL || parse_expect(p, TK_AS) != CHORUS_OK ||
            (m->alias = parse_expr(p)) == NULL)
            return p->rc;
        m->name = expr_simple_name(m->alias);
        if (parse_accept(p, TK_KEY))
            parse_expr(p);  /* encryption key: accepted and ignored, as SQLite */
        return p->rc;
    default:    /* DETACH */
        stmt->kind = STMT_DETACH;
        parse_accept(p, TK_DATABASE);
        if ((m->expr = parse_expr(p)) != NULL)
            m->name = expr_simple_name(m->expr);
        return p->rc;
    }
}
