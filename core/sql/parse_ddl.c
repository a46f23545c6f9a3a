/*
 * core/sql/parse_ddl.c: CREATE TABLE / INDEX / VIEW / TRIGGER / VIRTUAL
 * TABLE, DROP and ALTER TABLE.
 *
 * Invariants
 *   L1  A column's declared type is its text as written (see
 *       parse_type_name); a DEFAULT, CHECK or GENERATED expression keeps its
 *       source text in expr_span (inside the parentheses when it has them,
 *       with its sign when it has one), as sqlite_schema and table_info
 *       show it.
 *   L2  A standalone [NOT] DEFERRABLE clause of a column applies to the
 *       column's last REFERENCES constraint, as in SQLite.
 *   L3  A trigger's time is AST_TRIGGER_BEFORE when none is written.
 *
 * Callers: parse.c (statement dispatch).
 */
#include "sql_int.h"

#include <string.h>
#include <strings.h>

/* IF NOT EXISTS / IF EXISTS */
static int
parse_if_exists(parser *p, bool with_not, bool *out)
{
    if (!parse_accept(p, TK_IF))
        return p->rc;
    if (with_not && parse_expect(p, TK_NOT) != CHORUS_OK)
        return p->rc;
    if (parse_expect(p, TK_EXISTS) == CHORUS_OK)
        *out = true;
    return p->rc;
}

/* [schema.]name */
static int
parse_qualified(parser *p, const char **schema, const char **name)
{
    if ((*name = parse_name(p)) == NULL)
        return p->rc;
    if (parse_accept(p, TK_DOT)) {
        *schema = *name;
        *name = parse_name(p);
    }
    return p->rc;
}

/* -------------------------------------------------------- constraints */

static ast_constraint *
constraint_new(parser *p, int kind, const char *name)
{
    ast_constraint *c = parse_alloc(p, sizeof *c);

    if (c == NULL)
        return NULL;
    c->kind = (uint8_t)kind;
    c->name = name;
    return c;
}

/* ( expr ) with the text inside the parentheses in span_out. */
static ast_expr *
parse_paren_expr(parser *p, ast_span *span_out)
{
    ast_expr *e;

    if (parse_expect(p, TK_LP) != CHORUS_OK || (e = parse_expr(p)) == NULL)
        return NULL;
    *span_out = e->span;
    if (parse_expect(p, TK_RP) != CHORUS_OK)
        return NULL;
    return e;
}

/* SET NULL | SET DEFAULT | CASCADE | RESTRICT | NO ACTION */
static int
parse_fk_action(parser *p, uint8_t *out)
{
    if (parse_accept(p, TK_SET)) {
        if (parse_accept(p, TK_NULL))
            *out = AST_FK_SET_NULL;
        else if (parse_expect(p, TK_DEFAULT) == CHORUS_OK)
            *out = AST_FK_SET_DEFAULT;
    } else if (parse_accept(p, TK_CASCADE)) {
        *out = AST_FK_CASCADE;
    } else if (parse_accept(p, TK_RESTRICT)) {
        *out = AST_FK_RESTRICT;
    } else if (parse_expect(p, TK_NO) == CHORUS_OK && parse_expect(p, TK_ACTION) == CHORUS_OK) {
        *out = AST_FK_NO_ACTION;
    }
    return p->rc;
}

/* [NOT] DEFERRABLE [INITIALLY DEFERRED | INITIALLY IMMEDIATE], when present. */
static int
parse_defer_clause(parser *p, bool *deferred)
{
    bool is_not = false;

    if (p->tok.type == TK_NOT && parse_peek(p, 1) == TK_DEFERRABLE) {
        parse_advance(p);
        is_not = true;
    }
    if (!parse_accept(p, TK_DEFERRABLE))
        return p->rc;
    *deferred = false;
    if (parse_accept(p, TK_INITIALLY)) {
        if (parse_accept(p, TK_DEFERRED))
            *deferred = !is_not;
        else
            parse_expect(p, TK_IMMEDIATE);
    }
    return p->rc;
}

/* REFERENCES table [(cols)] [ON DELETE|UPDATE action | MATCH name]... [defer] */
static int
parse_fk_clause(parser *p, ast_constraint *c)
{
    if (parse_expect(p, TK_REFERENCES) != CHORUS_OK || (c->fk_table = parse_name(p)) == NULL)
        return p->rc;
    if (p->tok.type == TK_LP && parse_name_list(p, &c->fk_columns, 1) != CHORUS_OK)
        return p->rc;
    for (;;) {
        if (parse_accept(p, TK_MATCH)) {
            if (parse_name(p) == NULL)
                return p->rc;
        } else if (p->tok.type == TK_ON && parse_peek(p, 1) != TK_CONFLICT) {
            parse_advance(p);
            if (parse_accept(p, TK_DELETE))
                parse_fk_action(p, &c->on_delete);
            else if (parse_accept(p, TK_UPDATE))
                parse_fk_action(p, &c->on_update);
            else if (parse_expect(p, TK_INSERT) == CHORUS_OK) {
                uint8_t ignored = 0;
                parse_fk_action(p, &ignored);
            }
            if (p->rc != CHORUS_OK)
                return p->rc;
        } else {
            return parse_defer_clause(p, &c->deferred);
        }
    }
}

/* DEFAULT term | (expr) | +term | -term | id */
static int
parse_default(parser *p, ast_constraint *c)
{
    uint32_t start = p->tok.start;
    ast_expr *e;

    if (p->tok.type == TK_LP) {
        c->expr = parse_paren_expr(p, &c->expr_span);
        return p->rc;
    }
    if (p->tok.type == TK_PLUS || p->tok.type == TK_MINUS) {
        int negative = p->tok.type == TK_MINUS;
        parse_advance(p);
        if ((e = parse_literal_term(p)) == NULL)
            return p->rc;
        if (negative && e->kind == EXPR_FLOAT && e->rval == 9223372036854775808.0 &&
            p->sql[p->prev.start] != '0' &&
            memchr(p->sql + p->prev.start, '.', p->prev.len) == NULL &&
            memchr(p->sql + p->prev.start, 'e', p->prev.len) == NULL &&
            memchr(p->sql + p->prev.start, 'E', p->prev.len) == NULL) {
            /* -9223372036854775808 is the integer, as in expressions */
            e->kind = EXPR_INTEGER;
            e->ival = INT64_MIN;
            e->rval = 0;
            e->span = parse_span_from(p, start);
        } else if (negative) {
            ast_expr *neg = parse_expr_new(p, EXPR_UNARY, start);
            if (neg == NULL)
                return p->rc;
            neg->op = AST_OP_NEG;
            neg->left = e;
            neg->height = e->height + 1;
            e = neg;
        }
    } else if (parse_tok_is_id(p) && p->tok.type != TK_CURRENT_TIME &&
               p->tok.type != TK_CURRENT_DATE && p->tok.type != TK_CURRENT_TIMESTAMP) {
        sql_token t = p->tok;
        if ((e = parse_expr_new(p, EXPR_STRING, start)) == NULL)
            return p->rc;
        parse_advance(p);
        e->str = parse_token_text(p, &t);
        if (e->str != NULL && (strcasecmp(e->str, "true") == 0 || strcasecmp(e->str, "false") == 0)) {
            e->kind = EXPR_COLUMN;
            e->name = e->str;
            e->str = NULL;
        } else {
            e->str_len = e->str != NULL ? (int32_t)strlen(e->str) : 0;
        }
    } else if ((e = parse_literal_term(p)) == NULL) {
        return p->rc;
    }
    e->span = parse_span_from(p, start);
    c->expr = e;
    c->expr_span = e->span;
    return p->rc;
}

/* ( expr ) [STORED | VIRTUAL], after [GENERATED ALWAYS] AS. */
static int
parse_generated(parser *p, ast_constraint *c, const char *column)
{
    if ((c->expr = parse_paren_expr(p, &c->expr_span)) == NULL)
        return p->rc;
    if (!parse_tok_is_id(p))
        return p->rc;
    if (parse_tok_is_word(p, "stored"))
        c->is_stored = true;
    else if (!parse_tok_is_word(p, "virtual"))
        return parse_error(p, CHORUS_ERROR, "error in generated column \"%s\"", column);
    parse_advance(p);
    return p->rc;
}

/* The body of one column constraint whose keyword is at p->tok. */
static int
parse_column_constraint_body(parser *p, ast_constraint *c, const char *column)
{
    int t = p->tok.type;

    parse_advance(p);
    switch (t) {
    case TK_DEFAULT: c->kind = AST_CONS_DEFAULT; return parse_default(p, c);
    case TK_NULL: c->kind = AST_CONS_NULL; return parse_conflict_clause(p, &c->conflict);
    case TK_NOT:
        c->kind = AST_CONS_NOT_NULL;
        if (parse_expect(p, TK_NULL) != CHORUS_OK)
            return p->rc;
        return parse_conflict_clause(p, &c->conflict);
    case TK_PRIMARY:
        c->kind = AST_CONS_PRIMARY_KEY;
        if (parse_expect(p, TK_KEY) != CHORUS_OK)
            return p->rc;
        if (parse_accept(p, TK_ASC))
            c->order = AST_ORDER_ASC;
        else if (parse_accept(p, TK_DESC))
            c->order = AST_ORDER_DESC;
        if (parse_conflict_clause(p, &c->conflict) == CHORUS_OK)
            c->autoincrement = parse_accept(p, TK_AUTOINCREMENT);
        return p->rc;
    case TK_UNIQUE: c->kind = AST_CONS_UNIQUE; return parse_conflict_clause(p, &c->conflict);
    case TK_CHECK:
        c->kind = AST_CONS_CHECK;
        c->expr = parse_paren_expr(p, &c->expr_span);
        return p->rc;
    case TK_COLLATE:
        c->kind = AST_CONS_COLLATE;
        if (!parse_tok_is_ids(p))
            return parse_error_syntax(p);
        c->collation = parse_name(p);
        return p->rc;
    case TK_GENERATED:
        c->kind = AST_CONS_GENERATED;
        if (parse_expect(p, TK_ALWAYS) != CHORUS_OK || parse_expect(p, TK_AS) != CHORUS_OK)
            return p->rc;
        return parse_generated(p, c, column);
    default:    /* TK_AS */
        c->kind = AST_CONS_GENERATED;
        return parse_generated(p, c, column);
    }
}

/* Applies a standalone defer clause to the column's last REFERENCES (L2). */
static int
parse_column_defer(parser *p, ast_constraint *list)
{
    ast_constraint *fk = NULL;
    bool deferred = false;

    for (ast_constraint *c = list; c != NULL; c = c->next)
        if (c->kind == AST_CONS_FOREIGN_KEY)
            fk = c;
    if (parse_defer_clause(p, &deferred) == CHORUS_OK && fk != NULL)
        fk->deferred = deferred;
    return p->rc;
}

/* The constraints of a column, appended to col->constraints. */
static int
parse_column_constraints(parser *p, ast_column_def *col)
{
    ast_constraint **link = &col->constraints;

    for (;;) {
        const char *name = NULL;
        ast_constraint *c;
        int t;
        if (parse_accept(p, TK_CONSTRAINT) && (name = parse_name(p)) == NULL)
            return p->rc;
        t = p->tok.type;
        if (t == TK_DEFERRABLE || (t == TK_NOT && parse_peek(p, 1) == TK_DEFERRABLE)) {
            if (parse_column_defer(p, col->constraints) != CHORUS_OK)
                return p->rc;
            continue;
        }
        if (t != TK_DEFAULT && t != TK_NULL && t != TK_NOT && t != TK_PRIMARY && t != TK_UNIQUE &&
            t != TK_CHECK && t != TK_COLLATE && t != TK_GENERATED && t != TK_AS &&
            t != TK_REFERENCES) {
            if (name != NULL)
                continue;   /* CONSTRAINT name alone: allowed and dropped, as SQLite */
            return p->rc;
        }
        if ((c = constraint_new(p, 0, name)) == NULL)
            return p->rc;
        if (t == TK_REFERENCES) {
            c->kind = AST_CONS_FOREIGN_KEY;
            parse_fk_clause(p, c);
        } else {
            parse_column_constraint_body(p, c, col->name);
        }
        if (p->rc != CHORUS_OK)
            return p->rc;
        *link = c;
        link = &c->next;
    }
}

static ast_column_def *
parse_column_def(parser *p)
{
    ast_column_def *col = parse_alloc(p, sizeof *col);

    if (col == NULL || (col->name = parse_name(p)) == NULL)
        return NULL;
    col->type = parse_type_name(p, 1);
    if (parse_column_constraints(p, col) != CHORUS_OK)
        return NULL;
    return col;
}

/* PRIMARY KEY (cols [AUTOINCREMENT]) | UNIQUE (cols) | CHECK (e) | FOREIGN KEY ... */
static ast_constraint *
parse_table_constraint(parser *p, const char *name)
{
    ast_constraint *c;
    int t = p->tok.type;

    if ((c = constraint_new(p, 0, name)) == NULL)
        return NULL;
    parse_advance(p);
    switch (t) {
    case TK_PRIMARY:
        c->kind = AST_CONS_PRIMARY_KEY;
        if (parse_expect(p, TK_KEY) != CHORUS_OK || parse_expect(p, TK_LP) != CHORUS_OK ||
            parse_order_by(p, &c->columns) != CHORUS_OK)
            return NULL;
        c->autoincrement = parse_accept(p, TK_AUTOINCREMENT);
        for (int i = 0; i < c->columns.n; i++) {
            ast_list_item *item = &c->columns.items[i];
            if (item->expr->kind == EXPR_COLLATE) {
                item->collation = item->expr->name;
                item->expr = item->expr->left;
            }
        }
        if (parse_expect(p, TK_RP) != CHORUS_OK)
            return NULL;
        break;
    case TK_UNIQUE:
        c->kind = AST_CONS_UNIQUE;
        if (parse_sort_list(p, &c->columns, 1) != CHORUS_OK)
            return NULL;
        break;
    case TK_CHECK:
        c->kind = AST_CONS_CHECK;
        if ((c->expr = parse_paren_expr(p, &c->expr_span)) == NULL)
            return NULL;
        break;
    case TK_FOREIGN:
        c->kind = AST_CONS_FOREIGN_KEY;
        if (parse_expect(p, TK_KEY) != CHORUS_OK || parse_name_list(p, &c->columns, 1) != CHORUS_OK ||
            parse_fk_clause(p, c) != CHORUS_OK)
            return NULL;
        return c;
    }
    return parse_conflict_clause(p, &c->conflict) == CHORUS_OK ? c : NULL;
}

static int
starts_table_constraint(const parser *p)
{
    int t = p->tok.type;
    return t == TK_CONSTRAINT || t == TK_PRIMARY || t == TK_UNIQUE || t == TK_CHECK ||
           t == TK_FOREIGN;
}

/* The table constraints after the columns, separated by optional commas.
 * A CONSTRAINT name with no constraint after it is allowed and dropped, as
 * in SQLite. */
static int
parse_table_constraints(parser *p, ast_create_table *ct)
{
    ast_constraint **link = &ct->constraints;

    for (;;) {
        const char *name = NULL;
        int t;
        if (parse_accept(p, TK_CONSTRAINT) && (name = parse_name(p)) == NULL)
            return p->rc;
        t = p->tok.type;
        if (t == TK_PRIMARY || t == TK_UNIQUE || t == TK_CHECK || t == TK_FOREIGN) {
            if ((*link = parse_table_constraint(p, name)) == NULL)
                return p->rc;
            link = &(*link)->next;
        } else if (name == NULL) {
            return parse_error_syntax(p);
        }
        if (!parse_accept(p, TK_COMMA) && !starts_table_constraint(p))
            return p->rc;
    }
}

/* One table option: WITHOUT ROWID or STRICT. */
static int
parse_table_option(parser *p, ast_create_table *ct)
{
    int without = parse_accept(p, TK_WITHOUT);
    sql_token t = p->tok;

    if (!parse_tok_is_nm(p))
        return parse_error_syntax(p);
    parse_advance(p);
    if (p->tok.type != TK_COMMA && p->tok.type != TK_SEMI && p->tok.type != TK_EOF)
        return parse_error_syntax(p);
    if (without && t.len == 5 && strncasecmp(p->sql + t.start, "rowid", 5) == 0)
        ct->without_rowid = true;
    else if (!without && t.len == 6 && strncasecmp(p->sql + t.start, "strict", 6) == 0)
        ct->is_strict = true;
    else
        return parse_error(p, CHORUS_ERROR, "unknown table option: %.*s", (int)t.len,
                           p->sql + t.start);
    return p->rc;
}

/* Table options separated by commas; SQLite's grammar lets the first one
 * be empty ("CREATE TABLE t(a), STRICT"). */
static int
parse_table_options(parser *p, ast_create_table *ct)
{
    if ((p->tok.type == TK_WITHOUT || parse_tok_is_nm(p)) && parse_table_option(p, ct) != CHORUS_OK)
        return p->rc;
    while (parse_accept(p, TK_COMMA))
        if (parse_table_option(p, ct) != CHORUS_OK)
            return p->rc;
    return p->rc;
}

/* After CREATE [TEMP] TABLE. */
static int
parse_create_table(parser *p, ast_stmt *stmt, bool is_temp)
{
    ast_create_table *ct = &stmt->u.create_table;
    ast_column_def **link = &ct->columns;

    stmt->kind = STMT_CREATE_TABLE;
    ct->is_temp = is_temp;
    if (parse_if_exists(p, true, &ct->if_not_exists) != CHORUS_OK ||
        parse_qualified(p, &ct->schema, &ct->name) != CHORUS_OK)
        return p->rc;
    if (parse_accept(p, TK_AS)) {
        ct->as_select = parse_select(p);
        return p->rc;
    }
    if (parse_expect(p, TK_LP) != CHORUS_OK)
        return p->rc;
    for (;;) {
        if ((*link = parse_column_def(p)) == NULL)
            return p->rc;
        link = &(*link)->next;
        if (!parse_accept(p, TK_COMMA))
            break;
        if (starts_table_constraint(p)) {
            if (parse_table_constraints(p, ct) != CHORUS_OK)
                return p->rc;
            break;
        }
    }
    if (parse_expect(p, TK_RP) != CHORUS_OK)
        return p->rc;
    return parse_table_options(p, ct);
}

/* After CREATE [UNIQUE] INDEX. */
static int
parse_create_index(parser *p, ast_stmt *stmt, bool is_unique)
{
    ast_create_index *ci = &stmt->u.create_index;

    stmt->kind = STMT_CREATE_INDEX;
    ci->is_unique = is_unique;
    if (parse_if_exists(p, true, &ci->if_not_exists) != CHORUS_OK ||
        parse_qualified(p, &ci->schema, &ci->name) != CHORUS_OK ||
        parse_expect(p, TK_ON) != CHORUS_OK || (ci->table = parse_name(p)) == NULL ||
        parse_sort_list(p, &ci->columns, 1) != CHORUS_OK)
        return p->rc;
    if (parse_accept(p, TK_WHERE))
        ci->where = parse_expr(p);
    return p->rc;
}

/* After CREATE [TEMP] VIEW. */
static int
parse_create_view(parser *p, ast_stmt *stmt, bool is_temp)
{
    ast_create_view *cv = &stmt->u.create_view;

    stmt->kind = STMT_CREATE_VIEW;
    cv->is_temp = is_temp;
    if (parse_if_exists(p, true, &cv->if_not_exists) != CHORUS_OK ||
        parse_qualified(p, &cv->schema, &cv->name) != CHORUS_OK)
        return p->rc;
    if (p->tok.type == TK_LP && parse_name_list(p, &cv->columns, 1) != CHORUS_OK)
        return p->rc;
    if (parse_expect(p, TK_AS) == CHORUS_OK)
        cv->select = parse_select(p);
    return p->rc;
}

/* [BEFORE | AFTER | INSTEAD OF] DELETE | INSERT | UPDATE [OF cols] */
static int
parse_trigger_event(parser *p, ast_create_trigger *tr)
{
    tr->time = AST_TRIGGER_BEFORE;     /* L3 */
    if (parse_accept(p, TK_AFTER)) {
        tr->time = AST_TRIGGER_AFTER;
    } else if (parse_accept(p, TK_INSTEAD)) {
        if (parse_expect(p, TK_OF) != CHORUS_OK)
            return p->rc;
        tr->time = AST_TRIGGER_INSTEAD_OF;
    } else {
        parse_accept(p, TK_BEFORE);
    }
    if (parse_accept(p, TK_DELETE)) {
        tr->event = AST_TRIGGER_DELETE;
    } else if (parse_accept(p, TK_INSERT)) {
        tr->event = AST_TRIGGER_INSERT;
    } else if (parse_expect(p, TK_UPDATE) == CHORUS_OK) {
        tr->event = AST_TRIGGER_UPDATE;
        if (parse_accept(p, TK_OF)) {
            do {
                ast_list_item *item;
                const char *name = parse_name(p);
                if (name == NULL || parse_list_push(p, &tr->update_of, &item) != CHORUS_OK)
                    return p->rc;
                item->name = name;
            } while (parse_accept(p, TK_COMMA));
        }
    }
    return p->rc;
}

/* BEGIN statement; ... END */
static int
parse_trigger_body(parser *p, ast_create_trigger *tr)
{
    ast_stmt **link = &tr->body;

    if (parse_expect(p, TK_BEGIN) != CHORUS_OK)
        return p->rc;
    p->in_trigger = 1;
    do {
        if ((*link = parse_statement(p)) == NULL || parse_expect(p, TK_SEMI) != CHORUS_OK)
            return p->rc;
        link = &(*link)->next;
    } while (p->tok.type != TK_END);
    p->in_trigger = 0;
    return parse_expect(p, TK_END);
}

/* After CREATE [TEMP] TRIGGER. */
static int
parse_create_trigger(parser *p, ast_stmt *stmt, bool is_temp)
{
    ast_create_trigger *tr = &stmt->u.create_trigger;
    const char *table_schema = NULL;

    stmt->kind = STMT_CREATE_TRIGGER;
    tr->is_temp = is_temp;
    if (parse_if_exists(p, true, &tr->if_not_exists) != CHORUS_OK ||
        parse_qualified(p, &tr->schema, &tr->name) != CHORUS_OK ||
        parse_trigger_event(p, tr) != CHORUS_OK || parse_expect(p, TK_ON) != CHORUS_OK ||
        parse_qualified(p, &table_schema, &tr->table) != CHORUS_OK)
        return p->rc;
    if (tr->schema == NULL)
        tr->schema = table_schema;
    if (parse_accept(p, TK_FOR)) {
        if (parse_expect(p, TK_EACH) != CHORUS_OK || parse_expect(p, TK_ROW) != CHORUS_OK)
            return p->rc;
        tr->for_each_row = true;
    }
    if (parse_accept(p, TK_WHEN) && (tr->when = parse_expr(p)) == NULL)
        return p->rc;
    return parse_trigger_body(p, tr);
}

/* The module arguments: any tokens with balanced parentheses. */
static int
parse_module_args(parser *p, ast_span *args)
{
    int depth = 1;
    uint32_t start;

    if (!parse_accept(p, TK_LP))
        return p->rc;
    start = p->tok.start;
    while (depth > 0) {
        if (p->tok.type == TK_EOF || p->tok.type == TK_SEMI)
            return parse_error_syntax(p);
        if (p->tok.type == TK_LP)
            depth++;
        else if (p->tok.type == TK_RP && --depth == 0)
            break;
        parse_advance(p);
    }
    args->start = start;
    args->len = p->tok.start - start;
    while (args->len > 0 && (p->sql[start + args->len - 1] == ' ' ||
                             (p->sql[start + args->len - 1] >= '\t' && p->sql[start + args->len - 1] <= '\r')))
        args->len--;
    return parse_expect(p, TK_RP);
}

/* After CREATE VIRTUAL. */
static int
parse_create_virtual(parser *p, ast_stmt *stmt)
{
    ast_create_virtual *cv = &stmt->u.create_virtual;

    stmt->kind = STMT_CREATE_VIRTUAL;
    if (parse_expect(p, TK_TABLE) != CHORUS_OK ||
        parse_if_exists(p, true, &cv->if_not_exists) != CHORUS_OK ||
        parse_qualified(p, &cv->schema, &cv->name) != CHORUS_OK ||
        parse_expect(p, TK_USING) != CHORUS_OK || (cv->module = parse_name(p)) == NULL)
        return p->rc;
    return parse_module_args(p, &cv->args);
}

int
parse_create(parser *p, ast_stmt *stmt)
{
    bool is_temp = false;

    parse_advance(p);   /* CREATE */
    if (parse_accept(p, TK_TEMP) || parse_accept(p, TK_TEMPORARY))
        is_temp = true;
    switch (p->tok.type) {
    case TK_TABLE:
        parse_advance(p);
        return parse_create_table(p, stmt, is_temp);
    case TK_VIEW:
        parse_advance(p);
        return parse_create_view(p, stmt, is_temp);
    case TK_TRIGGER:
        parse_advance(p);
        return parse_create_trigger(p, stmt, is_temp);
    case TK_UNIQUE:
    case TK_INDEX: {
        bool is_unique = !is_temp && parse_accept(p, TK_UNIQUE);
        if (is_temp || parse_expect(p, TK_INDEX) != CHORUS_OK)
            return parse_error_syntax(p);
        return parse_create_index(p, stmt, is_unique);
    }
    case TK_VIRTUAL:
        if (is_temp)
            return parse_error_syntax(p);
        parse_advance(p);
        return parse_create_virtual(p, stmt);
    default:
        return parse_error_syntax(p);
    }
}

int
parse_drop(parser *p, ast_stmt *stmt)
{
    ast_drop *d = &stmt->u.drop;

    stmt->kind = STMT_DROP;
    parse_advance(p);   /* DROP */
    switch (p->tok.type) {
    case TK_TABLE: d->what = AST_DROP_TABLE; break;
    case TK_INDEX: d->what = AST_DROP_INDEX; break;
    case TK_VIEW: d->what = AST_DROP_VIEW; break;
    case TK_TRIGGER: d->what = AST_DROP_TRIGGER; break;
    default: return parse_error_syntax(p);
    }
    parse_advance(p);
    if (parse_if_exists(p, false, &d->if_exists) != CHORUS_OK)
        return p->rc;
    return parse_qualified(p, &d->schema, &d->name);
}

int
parse_alter(parser *p, ast_stmt *stmt)
{
    ast_alter *al = &stmt->u.alter;

    stmt->kind = STMT_ALTER;
    parse_advance(p);   /* ALTER */
    if (parse_expect(p, TK_TABLE) != CHORUS_OK || parse_qualified(p, &al->schema, &al->table) != CHORUS_OK)
        return p->rc;
    if (parse_accept(p, TK_RENAME)) {
        if (parse_accept(p, TK_TO)) {
            al->action = AST_ALTER_RENAME_TABLE;
            al->new_name = parse_name(p);
            return p->rc;
        }
        al->action = AST_ALTER_RENAME_COLUMN;
        parse_accept(p, TK_COLUMN);
        if ((al->old_name = parse_name(p)) == NULL || parse_expect(p, TK_TO) != CHORUS_OK)
            return p->rc;
        al->new_name = parse_name(p);
        return p->rc;
    }
    if (parse_accept(p, TK_ADD)) {
        uint32_t start;
        al->action = AST_ALTER_ADD_COLUMN;
        parse_accept(p, TK_COLUMN);
        start = p->tok.start;
        if ((al->column = parse_column_def(p)) != NULL)
            al->column_span = parse_span_from(p, start);
        return p->rc;
    }
    if (parse_expect(p, TK_DROP) != CHORUS_OK)
        return p->rc;
    al->action = AST_ALTER_DROP_COLUMN;
    parse_accept(p, TK_COLUMN);
    al->old_name = parse_name(p);
    return p->rc;
}
