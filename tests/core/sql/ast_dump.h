/*
 * tests/core/sql/ast_dump.h: prints expressions of the syntax tree as
 * S-expressions, so tests can check a tree's shape in one string compare:
 * "a + b * c" dumps as "(+ a (* b c))".
 *
 * Forms: literals as written (strings quoted with '), ?N / :name#N for
 * parameters, [schema.][table.]column, (op l r) for unary and binary
 * operators, (COLLATE x c), (CAST x type), (f args) with DISTINCT, * and
 * [FILTER e] [OVER name|(..)] markers, (CASE [base] (WHEN a b).. [(ELSE c)]),
 * ([NOT-]BETWEEN x lo hi), ([NOT-]IN x (list) | SELECT | table),
 * ([NOT-]LIKE x p [esc]) (GLOB, REGEXP, MATCH alike), (ISNULL x),
 * (NOTNULL x), ([NOT-]EXISTS SELECT), (SELECT), (VECTOR ..), (RAISE kind msg).
 *
 * Header-only (static functions) because each test file is its own program.
 */
#ifndef CHORUS_TEST_AST_DUMP_H
#define CHORUS_TEST_AST_DUMP_H

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "sql.h"

static void dump_expr(strbuf *sb, const ast_expr *e);

static const char *
dump_op_name(int op)
{
    static const char *const names[] = {
        [AST_OP_NEG] = "-", [AST_OP_PLUS] = "+", [AST_OP_NOT] = "NOT", [AST_OP_BITNOT] = "~",
        [AST_OP_OR] = "OR", [AST_OP_AND] = "AND", [AST_OP_EQ] = "=", [AST_OP_NE] = "!=",
        [AST_OP_IS] = "IS", [AST_OP_IS_NOT] = "ISNOT", [AST_OP_LT] = "<", [AST_OP_LE] = "<=",
        [AST_OP_GT] = ">", [AST_OP_GE] = ">=", [AST_OP_BITAND] = "&", [AST_OP_BITOR] = "|",
        [AST_OP_LSHIFT] = "<<", [AST_OP_RSHIFT] = ">>", [AST_OP_ADD] = "+", [AST_OP_SUB] = "-",
        [AST_OP_MUL] = "*", [AST_OP_DIV] = "/", [AST_OP_MOD] = "%", [AST_OP_CONCAT] = "||",
        [AST_OP_JSON_GET] = "->", [AST_OP_JSON_GET_SQL] = "->>", [AST_OP_LIKE] = "LIKE",
        [AST_OP_GLOB] = "GLOB", [AST_OP_REGEXP] = "REGEXP", [AST_OP_MATCH] = "MATCH",
        [AST_RAISE_IGNORE] = "IGNORE", [AST_RAISE_ROLLBACK] = "ROLLBACK",
        [AST_RAISE_ABORT] = "ABORT", [AST_RAISE_FAIL] = "FAIL",
    };
    return op < (int)(sizeof names / sizeof names[0]) && names[op] ? names[op] : "?";
}

static void
dump_list(strbuf *sb, const ast_list *l)
{
    for (int i = 0; i < l->n; i++) {
        if (i > 0)
            strbuf_putc(sb, ' ');
        if (l->items[i].expr != NULL)
            dump_expr(sb, l->items[i].expr);
        else
            strbuf_puts(sb, l->items[i].name ? l->items[i].name : "<null>");
    }
}

static void
dump_function(strbuf *sb, const ast_expr *e)
{
    strbuf_printf(sb, "(%s", e->name);
    if (e->is_distinct)
        strbuf_puts(sb, " DISTINCT");
    if (e->is_star)
        strbuf_puts(sb, " *");
    if (e->list.n > 0) {
        strbuf_putc(sb, ' ');
        dump_list(sb, &e->list);
    }
    if (e->order_by.n > 0) {
        strbuf_puts(sb, " ORDER-BY ");
        dump_list(sb, &e->order_by);
    }
    if (e->filter != NULL) {
        strbuf_puts(sb, " [FILTER ");
        dump_expr(sb, e->filter);
        strbuf_putc(sb, ']');
    }
    if (e->over != NULL)
        strbuf_printf(sb, " [OVER %s]", e->over->name ? e->over->name : "(..)");
    strbuf_putc(sb, ')');
}

static void
dump_case(strbuf *sb, const ast_expr *e)
{
    strbuf_puts(sb, "(CASE");
    if (e->left != NULL) {
        strbuf_putc(sb, ' ');
        dump_expr(sb, e->left);
    }
    for (int i = 0; i + 1 < e->list.n; i += 2) {
        strbuf_puts(sb, " (WHEN ");
        dump_expr(sb, e->list.items[i].expr);
        strbuf_putc(sb, ' ');
        dump_expr(sb, e->list.items[i + 1].expr);
        strbuf_putc(sb, ')');
    }
    if (e->right != NULL) {
        strbuf_puts(sb, " (ELSE ");
        dump_expr(sb, e->right);
        strbuf_putc(sb, ')');
    }
    strbuf_putc(sb, ')');
}

static void
dump_column(strbuf *sb, const ast_expr *e)
{
    if (e->schema != NULL)
        strbuf_printf(sb, "%s.", e->schema);
    if (e->table != NULL)
        strbuf_printf(sb, "%s.", e->table);
    strbuf_puts(sb, e->name);
}

static void
dump_operands(strbuf *sb, const char *head, const ast_expr *e)
{
    strbuf_printf(sb, "(%s%s ", e->is_not ? "NOT-" : "", head);
    dump_expr(sb, e->left);
    if (e->right != NULL) {
        strbuf_putc(sb, ' ');
        dump_expr(sb, e->right);
    }
    if (e->escape != NULL) {
        strbuf_putc(sb, ' ');
        dump_expr(sb, e->escape);
    }
    if (e->list.n > 0) {
        strbuf_putc(sb, ' ');
        dump_list(sb, &e->list);
    }
    strbuf_putc(sb, ')');
}

static void
dump_expr(strbuf *sb, const ast_expr *e)
{
    switch (e->kind) {
    case EXPR_NULL: strbuf_puts(sb, "NULL"); break;
    case EXPR_INTEGER: strbuf_printf(sb, "%lld", (long long)e->ival); break;
    case EXPR_FLOAT: strbuf_printf(sb, "%.17g", e->rval); break;
    case EXPR_STRING: strbuf_printf(sb, "'%s'", e->str); break;
    case EXPR_BLOB:
        strbuf_puts(sb, "x'");
        for (int i = 0; i < e->str_len; i++)
            strbuf_printf(sb, "%02x", (unsigned char)e->str[i]);
        strbuf_putc(sb, '\'');
        break;
    case EXPR_PARAM:
        if (e->name != NULL && e->name[0] != '?')
            strbuf_printf(sb, "%s#%d", e->name, e->param_index);
        else
            strbuf_printf(sb, "?%d", e->param_index);
        break;
    case EXPR_COLUMN: dump_column(sb, e); break;
    case EXPR_STAR: strbuf_printf(sb, "%s%s*", e->table ? e->table : "", e->table ? "." : ""); break;
    case EXPR_UNARY:
    case EXPR_BINARY: dump_operands(sb, dump_op_name(e->op), e); break;
    case EXPR_COLLATE:
        strbuf_puts(sb, "(COLLATE ");
        dump_expr(sb, e->left);
        strbuf_printf(sb, " %s)", e->name);
        break;
    case EXPR_CAST:
        strbuf_puts(sb, "(CAST ");
        dump_expr(sb, e->left);
        strbuf_printf(sb, " %s)", e->name ? e->name : "<none>");
        break;
    case EXPR_FUNCTION: dump_function(sb, e); break;
    case EXPR_CASE: dump_case(sb, e); break;
    case EXPR_BETWEEN: dump_operands(sb, "BETWEEN", e); break;
    case EXPR_IN_LIST:
        strbuf_printf(sb, "(%sIN ", e->is_not ? "NOT-" : "");
        dump_expr(sb, e->left);
        strbuf_puts(sb, " (");
        dump_list(sb, &e->list);
        strbuf_puts(sb, "))");
        break;
    case EXPR_IN_SELECT:
        strbuf_printf(sb, "(%sIN ", e->is_not ? "NOT-" : "");
        dump_expr(sb, e->left);
        strbuf_puts(sb, " SELECT)");
        break;
    case EXPR_IN_TABLE:
        strbuf_printf(sb, "(%sIN ", e->is_not ? "NOT-" : "");
        dump_expr(sb, e->left);
        strbuf_printf(sb, " %s%s%s)", e->schema ? e->schema : "", e->schema ? "." : "", e->name);
        break;
    case EXPR_LIKE: dump_operands(sb, dump_op_name(e->op), e); break;
    case EXPR_ISNULL:
        strbuf_puts(sb, e->is_not ? "(NOTNULL " : "(ISNULL ");
        dump_expr(sb, e->left);
        strbuf_putc(sb, ')');
        break;
    case EXPR_EXISTS: strbuf_puts(sb, e->is_not ? "(NOT-EXISTS SELECT)" : "(EXISTS SELECT)"); break;
    case EXPR_SUBQUERY: strbuf_puts(sb, "(SELECT)"); break;
    case EXPR_VECTOR:
        strbuf_puts(sb, "(VECTOR ");
        dump_list(sb, &e->list);
        strbuf_putc(sb, ')');
        break;
    case EXPR_RAISE:
        strbuf_printf(sb, "(RAISE %s", dump_op_name(e->op));
        if (e->right != NULL) {
            strbuf_putc(sb, ' ');
            dump_expr(sb, e->right);
        }
        strbuf_putc(sb, ')');
        break;
    default: strbuf_printf(sb, "<kind %d>", e->kind); break;
    }
}

/* The dump of e in a malloc()ed string. */
__attribute__((unused)) static char *
dump_expr_string(const ast_expr *e)
{
    strbuf sb;
    strbuf_init(&sb);
    dump_expr(&sb, e);
    return strbuf_finish(&sb);
}

#endif
