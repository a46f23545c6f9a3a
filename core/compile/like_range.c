/*
 * core/compile/like_range.c: SQLite's LIKE optimization. A term
 * "x LIKE 'abc%'" or "x GLOB 'abc*'" gives the range x >= 'abc' AND
 * x < 'abd' under the collation the pattern's case rule agrees with, as two
 * stand-in comparisons that only serve access paths (where.c P14): an index
 * on x of that collation then reads only the prefix's entries
 * ("SEARCH t USING INDEX i (x>? AND x<?)").
 *
 * Rules (SQLite 3.40's conditions)
 *   LK1 The term is LIKE or GLOB, not negated; its left side a column of a
 *       table (not the rowid or its alias: no index holds those), its
 *       pattern a string literal whose prefix (the bytes before its first
 *       wildcard: % _ for LIKE, * ? [ for GLOB) is not empty and does not
 *       end in byte 0xFF. A LIKE ESCAPE is a one-byte string literal other
 *       than % and _; an escaped character belongs to the prefix, the
 *       escape itself does not, and a pattern ending in the escape gives no
 *       range.
 *   LK2 The range's collation is NOCASE for a case-insensitive LIKE (the
 *       default) and BINARY for GLOB and for LIKE under PRAGMA
 *       case_sensitive_like (compile_env.case_sensitive_like); only an index
 *       column of that collation serves it (where.c P2).
 *   LK3 Unless the column has TEXT affinity, a number could match the
 *       pattern while sorting outside the range: then no range when the
 *       prefix, or the prefix with its last byte raised, reads as a number
 *       (value_looks_numeric), or the prefix is "-".
 *   LK4 The upper bound is the prefix with its last byte raised by one,
 *       that byte first folded to lower case under NOCASE (which compares
 *       folded to lower case), so every value with the prefix sorts inside.
 *       The LIKE term stays the filter (where.c P1): the range only narrows.
 * Callers: where.c (add_stand_ins).
 */
#include <string.h>

#include "compile_int.h"

enum { ESCAPE_NONE = -1 };

/* The literal text of a string-literal constant, or NULL. */
static const value *
literal_text(const cx *e)
{
    if (e == NULL || e->kind != CX_CONST || e->ast == NULL || e->ast->kind != EXPR_STRING ||
        e->v.type != VALUE_TEXT)
        return NULL;
    return &e->v;
}

/* LK1: the escape character of t, ESCAPE_NONE, or -2 when it rules the
 * range out. */
static int
like_escape(const cx *t)
{
    const value *esc;

    if (t->extra == NULL)
        return ESCAPE_NONE;
    esc = literal_text(t->extra);
    if (esc == NULL || esc->n != 1 || esc->u.z[0] == '%' || esc->u.z[0] == '_')
        return -2;
    return (unsigned char)esc->u.z[0];
}

/* LK1: whether e is a column of a table other than its rowid. */
static bool
table_column(cctx *c, const cx *e)
{
    const plan_cursor *cur;

    if (e->kind != CX_COLUMN || e->column < 0)
        return false;
    cur = cc_cursor(c, e->cursor);
    return cur->kind == PC_TABLE && e->column != cur->table->rowid_alias;
}

static bool
is_wildcard(bool glob, char ch)
{
    return glob ? ch == '*' || ch == '?' || ch == '[' : ch == '%' || ch == '_';
}

/* LK1: copies the prefix of pattern p into buf (p->n bytes) without its
 * escapes; its length, or -1 when there is no usable prefix. */
static int
pattern_prefix(const value *p, bool glob, int escape, char *buf)
{
    int n = 0;

    for (int i = 0; i < p->n && !is_wildcard(glob, p->u.z[i]); i++) {
        if ((unsigned char)p->u.z[i] == escape) {
            if (++i == p->n)
                return -1;
        }
        buf[n++] = p->u.z[i];
    }
    if (n == 0 || (unsigned char)buf[n - 1] == 0xFF)
        return -1;
    return n;
}

/* LK3: whether a number could match a pattern with this prefix. */
static bool
prefix_numeric(char *prefix, int n)
{
    bool numeric;

    if (n == 1 && prefix[0] == '-')
        return true;
    if (value_looks_numeric(prefix, n))
        return true;
    prefix[n - 1]++;
    numeric = value_looks_numeric(prefix, n);
    prefix[n - 1]--;
    return numeric;
}

static cx *
bound(cctx *c, const cx *col, int op, const char *text, int n, uint8_t coll)
{
    cx *k = cx_new(c, CX_CONST, NULL);
    cx *e = cx_new(c, CX_CMP, NULL);
    char *z = cc_alloc(c, (size_t)n + 1);

    if (k == NULL || e == NULL || z == NULL)
        return NULL;
    memcpy(z, text, (size_t)n);
    z[n] = '\0';
    value_set_text_ref(&k->v, z, n);      /* a string literal: no affinity */
    e->op = (uint8_t)op;
    e->left = (cx *)col;
    e->right = k;
    e->coll = coll;
    return e;
}

int
cc_like_range(cctx *c, const cx *t, cx **lo_out, cx **hi_out)
{
    bool glob = t->op == AST_OP_GLOB;
    bool nocase = !glob && !c->env->case_sensitive_like;        /* LK2 */
    int escape = glob ? ESCAPE_NONE : like_escape(t);
    const value *p = literal_text(t->right);
    char *prefix;
    int n;

    *lo_out = *hi_out = NULL;
    if (t->is_not || (t->op != AST_OP_LIKE && !glob) || p == NULL || !table_column(c, t->left) ||
        escape == -2)
        return CHORUS_OK;
    if ((prefix = cc_alloc(c, (size_t)p->n + 1)) == NULL)
        return CHORUS_NOMEM;
    n = pattern_prefix(p, glob, escape, prefix);
    if (n < 0 || (t->left->aff != AFFINITY_TEXT && prefix_numeric(prefix, n)))
        return CHORUS_OK;
    *lo_out = bound(c, t->left, AST_OP_GE, prefix, n, nocase ? COLLATE_NOCASE : COLLATE_BINARY);
    if (nocase && prefix[n - 1] >= 'A' && prefix[n - 1] <= 'Z')            /* LK4 */
        prefix[n - 1] = (char)(prefix[n - 1] - 'A' + 'a');
    prefix[n - 1]++;
    *hi_out = bound(c, t->left, AST_OP_LT, prefix, n, nocase ? COLLATE_NOCASE : COLLATE_BINARY);
    return *lo_out == NULL || *hi_out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}
