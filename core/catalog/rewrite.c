/*
 * core/catalog/rewrite.c: finding the places in stored CREATE statements
 * that name a table or one of its columns, for ALTER TABLE RENAME TO,
 * RENAME COLUMN and DROP COLUMN (alter.c), as SQLite 3.26+ does with
 * legacy_alter_table=OFF.
 *
 * Two instruments, each where it is exact:
 *   - a token scanner over the statement text (strings, quoted identifiers
 *     and comments known) finds names the syntax tree keeps without a
 *     span: column definitions, constraint and REFERENCES column lists,
 *     indexed columns, FROM/INTO/UPDATE table names, INSERT column lists,
 *     UPDATE SET targets, a trigger's UPDATE OF list;
 *   - a walk of the syntax tree resolves column references in views and
 *     trigger bodies through their FROM scopes (innermost first, as
 *     SQLite resolves them) and finds the name token inside the
 *     reference's span.
 * Results go to a rewrite list: byte ranges of one statement text that all
 * take the same replacement, applied by rewrite_apply.
 *
 * Invariants
 *   RE1 Ranges always cover one whole token of the text they index.
 *   RE2 A column reference matches only when it resolves to the target
 *       table: a same-named column of another table in scope does not.
 * Ownership: a rewrite list owns its array; the texts are borrowed.
 * Callers: alter.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

/* --- tokens -------------------------------------------------------------------------- */

static bool
is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || (unsigned char)c >= 0x80 || c == '$';
}

bool
sqltok_next(const char *s, size_t *pos, sqltok *out)
{
    size_t i = *pos;

    for (;;) {
        while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')
            i++;
        if (s[i] == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n')
                i++;
        } else if (s[i] == '/' && s[i + 1] == '*') {
            const char *end = strstr(s + i + 2, "*/");
            i = end ? (size_t)(end - s) + 2 : strlen(s);
        } else {
            break;
        }
    }
    if (s[i] == '\0')
        return false;
    out->p = s + i;
    if (s[i] == '\'' || s[i] == '"' || s[i] == '`' || s[i] == '[') {
        char close = s[i] == '[' ? ']' : s[i];
        i++;
        while (s[i] && !(s[i] == close && !(close != ']' && s[i + 1] == close)))
            i += (s[i] == close) ? 2 : 1;
        if (s[i])
            i++;
    } else if (is_word_char(s[i])) {
        while (is_word_char(s[i]))
            i++;
    } else {
        i++;
    }
    out->n = (size_t)(s + i - out->p);
    *pos = i;
    return true;
}

bool
sqltok_is(const sqltok *t, const char *word)
{
    return strlen(word) == t->n && strncasecmp(t->p, word, t->n) == 0;
}

bool
sqltok_punct(const sqltok *t, char c)
{
    return t->n == 1 && t->p[0] == c;
}

/* An identifier token (bare, "x", `x` or [x]) whose name is name (C5). */
bool
sqltok_names(const sqltok *t, const char *name)
{
    size_t len = strlen(name), k = 0;
    char q = t->p[0];

    if (is_word_char(q))
        return t->n == len && strncasecmp(t->p, name, len) == 0;
    if (q != '"' && q != '`' && q != '[')
        return false;
    for (size_t i = 1; i + 1 < t->n; i++, k++) {
        char c = t->p[i];
        if (c == q && q != '[')
            i++;                    /* a doubled quote is one character */
        if (k >= len || (c | 0x20) != (name[k] | 0x20) ||
            ((c >= 'a' && c <= 'z') != ((name[k] | 0x20) >= 'a' && (name[k] | 0x20) <= 'z') &&
             c != name[k]))
            return false;
    }
    return k == len;
}

/* --- rewrite lists --------------------------------------------------------------------- */

int
rewrite_add(rewrite_list *rl, size_t off, size_t len)
{
    for (int i = 0; i < rl->n; i++)
        if (rl->items[i].off == off)
            return CHORUS_OK;
    if (rl->n == rl->cap) {
        int cap = rl->cap ? rl->cap * 2 : 8;
        rewrite_range *r = realloc(rl->items, (size_t)cap * sizeof *r);
        if (r == NULL)
            return CHORUS_NOMEM;
        rl->items = r;
        rl->cap = cap;
    }
    rl->items[rl->n++] = (rewrite_range){off, len};
    return CHORUS_OK;
}

static int
range_cmp(const void *a, const void *b)
{
    const rewrite_range *x = a, *y = b;

    return (x->off > y->off) - (x->off < y->off);
}

char *
rewrite_apply(rewrite_list *rl, const char *text, const char *replacement)
{
    size_t at = 0;
    strbuf sb;

    qsort(rl->items, (size_t)rl->n, sizeof *rl->items, range_cmp);
    strbuf_init(&sb);
    for (int i = 0; i < rl->n; i++) {
        if (rl->items[i].off < at)
            continue;
        strbuf_append(&sb, text + at, rl->items[i].off - at);
        strbuf_puts(&sb, replacement);
        at = rl->items[i].off + rl->items[i].len;
    }
    strbuf_puts(&sb, text + at);
    return strbuf_finish(&sb);
}

void
rewrite_free(rewrite_list *rl)
{
    free(rl->items);
    rl->items = NULL;
    rl->n = rl->cap = 0;
}

static int
add_token(rewrite_list *rl, const char *text, const sqltok *t)
{
    return rewrite_add(rl, (size_t)(t->p - text), t->n);
}

/* --- CREATE TABLE, CREATE INDEX and REFERENCES by tokens --------------------------------- */

static bool
is_constraint_word(const sqltok *t)
{
    static const char *const words[] = {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE",
                                        "CHECK", "DEFAULT", "COLLATE", "REFERENCES",
                                        "GENERATED", "AS", NULL};

    for (int i = 0; words[i] != NULL; i++)
        if (sqltok_is(t, words[i]))
            return true;
    return false;
}

/*
 * The names of column col in the CREATE TABLE text of table, itself named
 * self: column definitions, constraint column lists and expressions, and
 * REFERENCES lists that point back at the table. Type names, collation and
 * constraint names, function names and the parent columns of other tables
 * are not names of col.
 */
int
rewrite_table_columns(rewrite_list *rl, const char *sql, const char *self, const char *col)
{
    size_t pos = 0;
    sqltok t;
    int depth = 0, rc = CHORUS_OK;
    bool col_start = false, in_type = false, skip_next = false;
    int ref_depth = -1;             /* depth of a REFERENCES list of another table */
    bool after_ref = false, ref_self = false;

    while (rc == CHORUS_OK && sqltok_next(sql, &pos, &t)) {
        size_t save = pos;
        sqltok next = {"", 0};
        bool has_next = sqltok_next(sql, &save, &next);
        if (sqltok_punct(&t, '(')) {
            depth++;
            if (after_ref && !ref_self)
                ref_depth = depth;
            after_ref = false;
            col_start = depth == 1;
            continue;
        }
        if (sqltok_punct(&t, ')')) {
            if (depth == ref_depth)
                ref_depth = -1;
            depth--;
            continue;
        }
        if (depth == 1 && sqltok_punct(&t, ',')) {
            col_start = true;
            in_type = false;
            continue;
        }
        if (depth == 1 && col_start) {
            col_start = false;
            in_type = !(sqltok_is(&t, "CONSTRAINT") || sqltok_is(&t, "PRIMARY") ||
                        sqltok_is(&t, "UNIQUE") || sqltok_is(&t, "CHECK") ||
                        sqltok_is(&t, "FOREIGN"));
            if (in_type && sqltok_names(&t, col))
                rc = add_token(rl, sql, &t);
            skip_next = sqltok_is(&t, "CONSTRAINT");
            continue;
        }
        if (depth == 1 && in_type && is_constraint_word(&t))
            in_type = false;
        if (after_ref) {            /* the parent table's name */
            ref_self = sqltok_names(&t, self);
            after_ref = sqltok_punct(&next, '(');
            continue;
        }
        if (sqltok_is(&t, "REFERENCES")) {
            after_ref = true;
            continue;
        }
        if (skip_next || (depth == 1 && in_type) || ref_depth > 0 || depth == 0) {
            skip_next = false;
            continue;
        }
        if (sqltok_is(&t, "COLLATE") || sqltok_is(&t, "CONSTRAINT") ||
            (sqltok_is(&t, "DEFAULT") && has_next && !sqltok_punct(&next, '(')))
            skip_next = true;
        else if (sqltok_names(&t, col) && !(has_next && sqltok_punct(&next, '(')))
            rc = add_token(rl, sql, &t);
    }
    return rc;
}

/* The names of col in a CREATE INDEX text: after ON table, every identifier
 * but collation and function names. */
int
rewrite_index_columns(rewrite_list *rl, const char *sql, const char *col)
{
    size_t pos = 0;
    sqltok t;
    bool seen_on = false, table_next = false, skip_next = false;
    int rc = CHORUS_OK;

    while (rc == CHORUS_OK && sqltok_next(sql, &pos, &t)) {
        size_t save = pos;
        sqltok next;
        bool call = sqltok_next(sql, &save, &next) && sqltok_punct(&next, '(');
        if (!seen_on) {
            seen_on = sqltok_is(&t, "ON");
            table_next = seen_on;
        } else if (table_next) {
            table_next = call ? false : sqltok_punct(&next, '.');
        } else if (skip_next) {
            skip_next = false;
        } else if (sqltok_is(&t, "COLLATE")) {
            skip_next = true;
        } else if (!call && sqltok_names(&t, col)) {
            rc = add_token(rl, sql, &t);
        }
    }
    return rc;
}

/* REFERENCES parent [(cols)] in any CREATE TABLE: the parent name tokens
 * (col NULL) or the names of col in the lists of parent. */
int
rewrite_references(rewrite_list *rl, const char *sql, const char *parent, const char *col)
{
    size_t pos = 0;
    sqltok t;
    int rc = CHORUS_OK;

    while (rc == CHORUS_OK && sqltok_next(sql, &pos, &t)) {
        if (!sqltok_is(&t, "REFERENCES") || !sqltok_next(sql, &pos, &t) ||
            !sqltok_names(&t, parent))
            continue;
        if (col == NULL) {
            rc = add_token(rl, sql, &t);
            continue;
        }
        size_t save = pos;
        if (!sqltok_next(sql, &save, &t) || !sqltok_punct(&t, '('))
            continue;
        pos = save;
        while (rc == CHORUS_OK && sqltok_next(sql, &pos, &t) && !sqltok_punct(&t, ')'))
            if (sqltok_names(&t, col))
                rc = add_token(rl, sql, &t);
    }
    return rc;
}

static bool
is_conflict_word(const sqltok *t)
{
    return sqltok_is(t, "ROLLBACK") || sqltok_is(t, "ABORT") || sqltok_is(t, "FAIL") ||
           sqltok_is(t, "IGNORE") || sqltok_is(t, "REPLACE");
}

/*
 * Table name tokens of table in a view or trigger text: FROM/JOIN items
 * (and the items after commas in a FROM clause), INSERT INTO, UPDATE
 * [OR action], a trigger's ON, and qualifiers (table.column).
 */
int
rewrite_table_names(rewrite_list *rl, const char *sql, const char *table)
{
    enum { MAX_DEPTH = 64 };
    bool in_from[MAX_DEPTH] = {false};
    size_t pos = 0;
    sqltok t, prev = {"", 0}, prev2 = {"", 0};
    int depth = 0, rc = CHORUS_OK;

    while (rc == CHORUS_OK && sqltok_next(sql, &pos, &t)) {
        size_t save = pos;
        sqltok next = {"", 0};
        bool has_next = sqltok_next(sql, &save, &next);
        int d = depth < MAX_DEPTH ? depth : MAX_DEPTH - 1;
        if (sqltok_punct(&t, '(')) {
            depth++;
            if (depth < MAX_DEPTH)
                in_from[depth] = false;
        } else if (sqltok_punct(&t, ')')) {
            depth = depth > 0 ? depth - 1 : 0;
        } else if (sqltok_is(&t, "FROM") || sqltok_is(&t, "JOIN")) {
            in_from[d] = true;
        } else if (sqltok_is(&t, "WHERE") || sqltok_is(&t, "GROUP") ||
                   sqltok_is(&t, "HAVING") || sqltok_is(&t, "ORDER") ||
                   sqltok_is(&t, "LIMIT") || sqltok_is(&t, "WINDOW") ||
                   sqltok_is(&t, "UNION") || sqltok_is(&t, "INTERSECT") ||
                   sqltok_is(&t, "EXCEPT") || sqltok_is(&t, "SELECT") ||
                   sqltok_is(&t, "VALUES") || sqltok_is(&t, "ON") ||
                   sqltok_is(&t, "USING") || sqltok_is(&t, "RETURNING") ||
                   sqltok_is(&t, "SET") || sqltok_is(&t, ";") || sqltok_is(&t, "END")) {
            in_from[d] = false;
        } else if (sqltok_names(&t, table) && !sqltok_punct(&prev, '.')) {
            bool is_name = (has_next && sqltok_punct(&next, '.')) ||
                           sqltok_is(&prev, "FROM") || sqltok_is(&prev, "JOIN") ||
                           sqltok_is(&prev, "INTO") || sqltok_is(&prev, "UPDATE") ||
                           sqltok_is(&prev, "ON") ||
                           (sqltok_is(&prev2, "OR") && is_conflict_word(&prev)) ||
                           (sqltok_punct(&prev, ',') && in_from[d]);
            if (is_name)
                rc = add_token(rl, sql, &t);
        }
        prev2 = prev;
        prev = t;
    }
    return rc;
}

/* --- column references through scopes (views and triggers) ------------------------------ */

typedef struct scope scope;
struct scope {
    const ast_from_item *from;      /* the FROM list of a select core, or NULL */
    const char *target;             /* UPDATE/DELETE/INSERT target table, or NULL */
    const char *target_alias;
    const char *trigger_table;      /* NEW and OLD name this table */
    const scope *up;
};

typedef struct ref_walk {
    const catalog *cat;
    const catalog_table *t;         /* the target table */
    const char *col;                /* the column sought */
    const char *sql;                /* the text the spans index */
    rewrite_list *rl;
    const ast_expr *first;          /* the first reference found (DROP COLUMN's error) */
    int rc;
} ref_walk;

static void walk_expr(ref_walk *rw, const ast_expr *e, const scope *sc);
static void walk_select(ref_walk *rw, const ast_select *s, const scope *up);

/* Whether table name has column name (a table of the catalog). */
static bool
table_has(const ref_walk *rw, const char *table, const char *name, bool *is_target)
{
    const catalog_table *t = catalog_table_find(rw->cat, table);

    *is_target = t == rw->t;
    return t != NULL && catalog_table_column_resolve(t, name) != -2;
}

/* A subquery item's result names (aliases, or column names). */
static bool
subquery_has(const ast_select *s, const char *name)
{
    const ast_select_core *c = s != NULL ? s->cores : NULL;

    for (int i = 0; c != NULL && i < c->result.n; i++) {
        const ast_list_item *it = &c->result.items[i];
        if (it->name != NULL ? catalog_name_eq(it->name, name)
                             : it->expr != NULL && it->expr->kind == EXPR_COLUMN &&
                                   catalog_name_eq(it->expr->name, name))
            return true;
    }
    return false;
}

/* Looks for the FROM item named q (alias, else name) in the list;
 * nested joins included. */
static const ast_from_item *
from_find(const ast_from_item *it, const char *q)
{
    for (; it != NULL; it = it->next) {
        const ast_from_item *found;
        if (it->kind == AST_FROM_NESTED && it->alias == NULL &&
            (found = from_find(it->nested, q)) != NULL)
            return found;
        if (it->alias != NULL ? catalog_name_eq(it->alias, q)
                              : it->name != NULL && catalog_name_eq(it->name, q))
            return it;
    }
    return NULL;
}

/* Counts the items of the list that have column name; *target_out when
 * one of them is the target table. */
static int
from_count(const ref_walk *rw, const ast_from_item *it, const char *name, bool *target_out)
{
    int n = 0;

    for (; it != NULL; it = it->next) {
        bool is_target = false;
        if (it->kind == AST_FROM_NESTED)
            n += from_count(rw, it->nested, name, target_out);
        else if (it->kind == AST_FROM_TABLE && table_has(rw, it->name, name, &is_target))
            n++;
        else if (it->kind == AST_FROM_SUBQUERY && subquery_has(it->subquery, name))
            n++;
        *target_out = *target_out || is_target;
    }
    return n;
}

/* Rule RE2: whether e (an EXPR_COLUMN) names the target column. */
static bool
column_resolves(const ref_walk *rw, const ast_expr *e, const scope *sc)
{
    for (; sc != NULL; sc = sc->up) {
        bool is_target = false;
        if (e->table != NULL) {
            const ast_from_item *it = from_find(sc->from, e->table);
            if (sc->trigger_table != NULL && (catalog_name_eq(e->table, "new") ||
                                              catalog_name_eq(e->table, "old")))
                return catalog_table_find(rw->cat, sc->trigger_table) == rw->t &&
                       catalog_name_eq(e->name, rw->col);
            if (it != NULL)
                return it->kind == AST_FROM_TABLE &&
                       catalog_table_find(rw->cat, it->name) == rw->t &&
                       catalog_name_eq(e->name, rw->col);
            if (sc->target != NULL &&
                catalog_name_eq(e->table, sc->target_alias ? sc->target_alias : sc->target))
                return catalog_table_find(rw->cat, sc->target) == rw->t &&
                       catalog_name_eq(e->name, rw->col);
            continue;
        }
        int n = from_count(rw, sc->from, e->name, &is_target);
        if (sc->target != NULL && table_has(rw, sc->target, e->name, &is_target))
            n++;
        if (n > 0)
            return is_target && catalog_name_eq(e->name, rw->col);
    }
    return false;
}

/* The last token of span: the column name of a reference. */
static void
add_span_last(ref_walk *rw, ast_span span)
{
    size_t pos = span.start, end = (size_t)span.start + span.len;
    sqltok t, last = {NULL, 0};

    while (sqltok_next(rw->sql, &pos, &t) && (size_t)(t.p - rw->sql) < end)
        last = t;
    if (last.p != NULL && rw->rc == CHORUS_OK)
        rw->rc = add_token(rw->rl, rw->sql, &last);
}

static void
walk_list(ref_walk *rw, const ast_list *l, const scope *sc)
{
    for (int i = 0; i < l->n; i++)
        walk_expr(rw, l->items[i].expr, sc);
}

static void
walk_window(ref_walk *rw, const ast_window *w, const scope *sc)
{
    for (; w != NULL; w = w->next) {
        walk_list(rw, &w->partition_by, sc);
        walk_list(rw, &w->order_by, sc);
        walk_expr(rw, w->start_expr, sc);
        walk_expr(rw, w->end_expr, sc);
    }
}

static void
walk_expr(ref_walk *rw, const ast_expr *e, const scope *sc)
{
    if (e == NULL || rw->rc != CHORUS_OK)
        return;
    if (e->kind == EXPR_COLUMN) {
        if (column_resolves(rw, e, sc)) {
            if (rw->first == NULL)
                rw->first = e;
            if (rw->rl != NULL)
                add_span_last(rw, e->span);
        }
        return;
    }
    walk_expr(rw, e->left, sc);
    walk_expr(rw, e->right, sc);
    walk_expr(rw, e->escape, sc);
    walk_expr(rw, e->filter, sc);
    walk_list(rw, &e->list, sc);
    walk_list(rw, &e->order_by, sc);
    if (e->over != NULL && e->over->name == NULL)
        walk_window(rw, e->over, sc);
    if (e->select != NULL)
        walk_select(rw, e->select, sc);
}

static void
walk_from(ref_walk *rw, const ast_from_item *it, const scope *outer, const scope *sc)
{
    for (; it != NULL; it = it->next) {
        if (it->subquery != NULL)
            walk_select(rw, it->subquery, outer);
        if (it->nested != NULL)
            walk_from(rw, it->nested, outer, sc);
        walk_list(rw, &it->args, outer);
        walk_expr(rw, it->on, sc);
    }
}

static void
walk_select(ref_walk *rw, const ast_select *s, const scope *up)
{
    scope first = {NULL, NULL, NULL, NULL, up};

    if (s == NULL)
        return;
    for (const ast_cte *c = s->with ? s->with->ctes : NULL; c != NULL; c = c->next)
        walk_select(rw, c->select, up);
    for (const ast_select_core *c = s->cores; c != NULL; c = c->next) {
        scope sc = {c->from, NULL, NULL, NULL, up};
        if (c == s->cores)
            first = sc;
        walk_from(rw, c->from, up, &sc);
        walk_list(rw, &c->result, &sc);
        walk_list(rw, &c->values, &sc);
        walk_expr(rw, c->where, &sc);
        walk_list(rw, &c->group_by, &sc);
        walk_expr(rw, c->having, &sc);
        walk_window(rw, c->windows, &sc);
    }
    walk_list(rw, &s->order_by, &first);
    walk_expr(rw, s->limit, up);
    walk_expr(rw, s->offset, up);
}

/* Names of the target column in a column-name list of stmt text between
 * offsets [from, to) whose tokens fall outside every expression span of
 * skip (SET lists), or all of them (skip NULL). */
static void
names_in_region(ref_walk *rw, size_t from, size_t to, const ast_list *skip)
{
    size_t pos = from;
    sqltok t;

    while (rw->rc == CHORUS_OK && sqltok_next(rw->sql, &pos, &t) &&
           (size_t)(t.p - rw->sql) < to) {
        size_t off = (size_t)(t.p - rw->sql);
        bool inside = false;
        for (int i = 0; skip != NULL && i < skip->n; i++) {
            const ast_expr *e = skip->items[i].expr;
            inside = inside || (e != NULL && off >= e->span.start &&
                                off < (size_t)e->span.start + e->span.len);
        }
        if (!inside && sqltok_names(&t, rw->col))
            rw->rc = add_token(rw->rl, rw->sql, &t);
    }
}

/* Offset of the first token word at or after from in [from, to), or to. */
static size_t
word_at(const char *sql, size_t from, size_t to, const char *word)
{
    size_t pos = from;
    sqltok t;

    while (sqltok_next(sql, &pos, &t) && (size_t)(t.p - sql) < to)
        if (sqltok_is(&t, word))
            return (size_t)(t.p - sql);
    return to;
}

/* INSERT INTO target(cols): the list region. */
static void
walk_insert_columns(ref_walk *rw, const ast_stmt *st)
{
    size_t start = st->span.start, end = start + st->span.len;
    size_t pos = word_at(rw->sql, start, end, "INTO");
    sqltok t;
    int depth = 0;

    if (pos == end || st->u.insert.columns.n == 0)
        return;
    while (sqltok_next(rw->sql, &pos, &t) && (size_t)(t.p - rw->sql) < end) {
        if (sqltok_punct(&t, '(') && depth++ == 0)
            start = pos;
        else if (sqltok_punct(&t, ')') && --depth == 0) {
            names_in_region(rw, start, (size_t)(t.p - rw->sql), NULL);
            return;
        }
    }
}

/* A statement of a trigger body. */
static void
walk_trigger_stmt(ref_walk *rw, const ast_stmt *st, const scope *trig)
{
    size_t start = st->span.start, end = start + st->span.len;

    switch (st->kind) {
    case STMT_SELECT:
        walk_select(rw, st->u.select, trig);
        break;
    case STMT_INSERT: {
        if (catalog_table_find(rw->cat, st->u.insert.table) == rw->t)
            walk_insert_columns(rw, st);
        walk_select(rw, st->u.insert.select, trig);
        break;
    }
    case STMT_UPDATE: {
        const ast_update *u = &st->u.update;
        scope sc = {u->from, u->table, u->alias, NULL, trig};
        if (catalog_table_find(rw->cat, u->table) == rw->t) {
            size_t set = word_at(rw->sql, start, end, "SET");
            size_t stop = u->where != NULL ? u->where->span.start : end;
            names_in_region(rw, set, stop, &u->set);
        }
        walk_from(rw, u->from, trig, &sc);
        walk_list(rw, &u->set, &sc);
        walk_expr(rw, u->where, &sc);
        break;
    }
    case STMT_DELETE: {
        scope sc = {NULL, st->u.del.table, st->u.del.alias, NULL, trig};
        walk_expr(rw, st->u.del.where, &sc);
        break;
    }
    default:
        break;
    }
}

/* The target column's references in a view. */
int
rewrite_view_columns(rewrite_list *rl, const catalog *cat, const catalog_view *v,
                     const catalog_table *t, const char *col, const ast_expr **first_out)
{
    ref_walk rw = {cat, t, col, v->sql, rl, NULL, CHORUS_OK};

    walk_select(&rw, v->select, NULL);
    if (first_out != NULL)
        *first_out = rw.first;
    return rw.rc;
}

/* The target column's references in a trigger: UPDATE OF, WHEN, body. */
int
rewrite_trigger_columns(rewrite_list *rl, const catalog *cat, const catalog_trigger *tr,
                        const catalog_table *t, const char *col, const ast_expr **first_out)
{
    ref_walk rw = {cat, t, col, tr->sql, rl, NULL, CHORUS_OK};
    const ast_create_trigger *a = tr->ast;
    scope trig = {NULL, NULL, NULL, tr->table, NULL};

    if (a->update_of.n > 0 && catalog_table_find(cat, tr->table) == t) {
        size_t end = strlen(tr->sql);
        size_t of = word_at(tr->sql, word_at(tr->sql, 0, end, "UPDATE"), end, "OF");
        names_in_region(&rw, of, word_at(tr->sql, of, end, "ON"), NULL);
    }
    walk_expr(&rw, a->when, &trig);
    for (const ast_stmt *st = a->body; st != NULL; st = st->next)
        walk_trigger_stmt(&rw, st, &trig);
    if (first_out != NULL)
        *first_out = rw.first;
    return rw.rc;
}

/* --- DROP COLUMN: expressions of the table itself ------------------------------------------ */

/* The first column reference in e that t does not resolve, or NULL. */
const ast_expr *
rewrite_unresolved(const catalog_table *t, const ast_expr *e)
{
    const ast_expr *bad;

    if (e == NULL)
        return NULL;
    if (e->kind == EXPR_COLUMN)
        return catalog_table_column_resolve(t, e->name) == -2 &&
                       !(e->table == NULL && (catalog_name_eq(e->name, "true") ||
                                              catalog_name_eq(e->name, "false")))
                   ? e : NULL;
    if ((bad = rewrite_unresolved(t, e->left)) != NULL ||
        (bad = rewrite_unresolved(t, e->right)) != NULL ||
        (bad = rewrite_unresolved(t, e->escape)) != NULL)
        return bad;
    for (int i = 0; i < e->list.n; i++)
        if ((bad = rewrite_unresolved(t, e->list.items[i].expr)) != NULL)
            return bad;
    return NULL;
}
