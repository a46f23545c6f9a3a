/*
 * core/catalog/alter.c: ALTER TABLE ... RENAME TO and ADD COLUMN by
 * SQLite's rules, rewriting the stored SQL; RENAME COLUMN and DROP COLUMN
 * answer "not supported yet".
 *
 * Rewriting works on the tokens of the stored statement (a small scanner
 * below that knows strings, quoted identifiers and comments):
 *   - RENAME TO puts the new name, double-quoted as SQLite writes it, in
 *     place of the table name in the table's CREATE TABLE and in the ON
 *     clause of its indexes and triggers; autoindexes and the
 *     sqlite_sequence row follow the new name. References inside views and
 *     trigger bodies are not rewritten yet.
 *   - ADD COLUMN inserts ", <column definition as written>" before the
 *     parenthesis that closes the column list. Existing records stay
 *     shorter than the table; readers take the DEFAULT for missing fields
 *     (catalog.h, catalog_column.stored_index).
 * After the schema rows change, the catalog is rebuilt from sqlite_schema
 * (catalog_reload below): ALTER is rare, and one code path (load.c) then
 * defines every object.
 *
 * Callers: catalog_ddl_execute.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

/* --- a token scanner ----------------------------------------------------------- */

typedef struct token {
    const char *p;
    size_t n;
} token;

static bool
is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || (unsigned char)c >= 0x80 || c == '$';
}

/* The next token at or after *pos; false at the end. */
static bool
token_next(const char *s, size_t *pos, token *out)
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

static bool
token_is(const token *t, const char *word)
{
    return strlen(word) == t->n && strncasecmp(t->p, word, t->n) == 0;
}

/* Offset of the first token after keyword (at depth 0) in s, or -1. */
static long
token_after(const char *s, const char *keyword)
{
    size_t pos = 0;
    token t;

    while (token_next(s, &pos, &t))
        if (token_is(&t, keyword)) {
            size_t at = pos;
            if (token_next(s, &at, &t))
                return t.p - s;
        }
    return -1;
}

/* Replaces the token at offset off of s with "name"; malloc()ed. */
static char *
replace_token(const char *s, long off, const char *name)
{
    size_t pos = (size_t)off;
    token t;
    strbuf sb;

    if (off < 0 || !token_next(s, &pos, &t))
        return NULL;
    strbuf_init(&sb);
    strbuf_append(&sb, s, (size_t)off);
    strbuf_putc(&sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_putc(&sb, '"');
        strbuf_putc(&sb, *p);
    }
    strbuf_putc(&sb, '"');
    strbuf_puts(&sb, s + off + t.n);
    return strbuf_finish(&sb);
}

/* The table name in CREATE TABLE [IF NOT EXISTS] name (...). */
static long
table_name_offset(const char *sql)
{
    size_t pos = 0;
    token t;
    int i = 0;

    while (token_next(sql, &pos, &t)) {
        if (i >= 2 && !token_is(&t, "IF") && !token_is(&t, "NOT") && !token_is(&t, "EXISTS"))
            return t.p - sql;
        i++;
    }
    return -1;
}

/* --- the catalog after a rewrite --------------------------------------------------- */

/* Rebuilds w->cat from sqlite_schema in place: the object memory of the
 * old contents stays alive (retired) until the catalog is released, since
 * statements may still hold pointers to them until they re-prepare. */
static int
catalog_reload(catalog_writer *w)
{
    catalog *fresh;
    char *err = NULL;
    int rc = catalog_load(w->tx, &fresh, &err);

    if (rc != CHORUS_OK)
        return writer_fail_take(w, rc, err);
    catalog tmp = *w->cat;
    w->cat->cookie = fresh->cookie;
    w->cat->mem = fresh->mem;
    w->cat->schema_table = fresh->schema_table;
    w->cat->tables = fresh->tables;
    w->cat->indexes = fresh->indexes;
    w->cat->views = fresh->views;
    w->cat->triggers = fresh->triggers;
    w->cat->retired = fresh;
    fresh->mem = tmp.mem;
    fresh->schema_table = tmp.schema_table;
    fresh->tables = tmp.tables;
    fresh->indexes = tmp.indexes;
    fresh->views = tmp.views;
    fresh->triggers = tmp.triggers;
    fresh->retired = tmp.retired;
    writer_cursors_close(w);
    return CHORUS_OK;
}

/* --- RENAME TO ----------------------------------------------------------------------- */

static int
rename_check(catalog_writer *w, const catalog_table *t, const ast_alter *a)
{
    if (t == NULL) {
        if (catalog_view_find(w->cat, a->table) != NULL)
            return writer_fail(w, CHORUS_ERROR, "view %s may not be altered", a->table);
        return writer_fail(w, CHORUS_ERROR, "no such table: %s", a->table);
    }
    if (catalog_name_is_reserved(t->name))
        return writer_fail(w, CHORUS_ERROR, "table %s may not be altered", t->name);
    if (catalog_name_is_reserved(a->new_name))
        return writer_fail(w, CHORUS_ERROR, "object name reserved for internal use: %s",
                           a->new_name);
    if (catalog_object_kind(w->cat, a->new_name) != 0 &&
        catalog_object_kind(w->cat, a->new_name) != 'r')
        return writer_fail(w, CHORUS_ERROR, "there is already another table or index with "
                                            "this name: %s", a->new_name);
    return CHORUS_OK;
}

static char *
autoindex_name(const catalog_index *idx, const char *table, const char *new_name)
{
    const char *suffix = idx->name + strlen("sqlite_autoindex_") + strlen(table);

    return common_mprintf("sqlite_autoindex_%s%s", new_name, suffix);
}

static int
rename_dependents(catalog_writer *w, const catalog_table *t, const char *new_name)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        char *name = NULL, *sql = NULL;
        if (idx->root == t->root)
            continue;
        if (idx->sql == NULL)
            name = autoindex_name(idx, t->name, new_name);
        else
            sql = replace_token(idx->sql, token_after(idx->sql, "ON"), new_name);
        rc = (name == NULL && sql == NULL) ? CHORUS_NOMEM
             : ddl_schema_update(w, idx->name, name, new_name, sql);
        free(name);
        free(sql);
    }
    for (int i = 0; rc == CHORUS_OK && i < t->n_triggers; i++) {
        const catalog_trigger *tr = t->triggers[i];
        char *sql = replace_token(tr->sql, token_after(tr->sql, "ON"), new_name);
        rc = sql == NULL ? CHORUS_NOMEM : ddl_schema_update(w, tr->name, NULL, new_name, sql);
        free(sql);
    }
    return rc;
}

static int
sequence_rename(catalog_writer *w, const char *old_name, const char *new_name)
{
    const catalog_table *seq = catalog_table_find(w->cat, "sqlite_sequence");
    btree_cursor *cur;
    bool eof;
    int rc;

    if (seq == NULL)
        return CHORUS_OK;
    rc = writer_cursor(w, seq->root, NULL, &cur);
    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        value rec[2];
        int64_t rowid;
        rc = btree_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(&w->rec[1], data, nbytes);
        if (rc != CHORUS_OK)
            break;
        record_cursor_column(&w->rec[1], 0, &rec[0]);
        record_cursor_column(&w->rec[1], 1, &rec[1]);
        if (rec[0].type == VALUE_TEXT && (size_t)rec[0].n == strlen(old_name) &&
            memcmp(rec[0].u.z, old_name, (size_t)rec[0].n) == 0) {
            size_t n;
            value_set_text_ref(&rec[0], new_name, (int32_t)strlen(new_name));
            rc = btree_rowid(cur, &rowid);
            if (rc == CHORUS_OK)
                rc = writer_buf_reserve(w, record_size(rec, 2));
            if (rc != CHORUS_OK)
                break;
            n = record_encode(rec, 2, w->buf);
            return btree_insert(cur, rowid, w->buf, (uint32_t)n);
        }
        rc = btree_next(cur, &eof);
    }
    return rc;
}

static int
alter_rename(catalog_writer *w, const ast_alter *a)
{
    const catalog_table *t = catalog_table_find(w->cat, a->table);
    char *sql;
    int rc = rename_check(w, t, a);

    if (rc != CHORUS_OK)
        return rc;
    sql = replace_token(t->sql, table_name_offset(t->sql), a->new_name);
    if (sql == NULL)
        return CHORUS_NOMEM;
    rc = ddl_schema_update(w, t->name, a->new_name, a->new_name, sql);
    free(sql);
    if (rc == CHORUS_OK)
        rc = rename_dependents(w, t, a->new_name);
    if (rc == CHORUS_OK && t->autoincrement)
        rc = sequence_rename(w, t->name, a->new_name);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_reload(w);
    return rc;
}

/* --- ADD COLUMN ------------------------------------------------------------------------ */

/* A DEFAULT made of literals and operators only. */
static bool
is_constant(const ast_expr *e)
{
    if (e == NULL)
        return true;
    switch (e->kind) {
    case EXPR_NULL: case EXPR_INTEGER: case EXPR_FLOAT: case EXPR_STRING: case EXPR_BLOB:
        return true;
    case EXPR_UNARY: case EXPR_BINARY: case EXPR_COLLATE: case EXPR_CAST:
        return is_constant(e->left) && is_constant(e->right);
    case EXPR_COLUMN:           /* TRUE, FALSE and CURRENT_TIME & co. are words here */
        return e->table == NULL && (strcasecmp(e->name, "true") == 0 ||
                                    strcasecmp(e->name, "false") == 0);
    default:
        return false;
    }
}

static int
table_has_rows(catalog_writer *w, const catalog_table *t, bool *out)
{
    btree_cursor *cur;
    bool eof = true;
    int rc = writer_cursor(w, t->root, NULL, &cur);

    if (rc == CHORUS_OK)
        rc = btree_first(cur, &eof);
    *out = !eof;
    return rc;
}

static int
add_column_check(catalog_writer *w, const catalog_table *t, const ast_column_def *cd)
{
    const ast_constraint *dflt = NULL;
    bool not_null = false, stored = false, has_rows;
    int rc;

    if (catalog_table_column_find(t, cd->name) >= 0)
        return writer_fail(w, CHORUS_ERROR, "duplicate column name: %s", cd->name);
    for (const ast_constraint *c = cd->constraints; c != NULL; c = c->next) {
        if (c->kind == AST_CONS_PRIMARY_KEY)
            return writer_fail(w, CHORUS_ERROR, "Cannot add a PRIMARY KEY column");
        if (c->kind == AST_CONS_UNIQUE)
            return writer_fail(w, CHORUS_ERROR, "Cannot add a UNIQUE column");
        if (c->kind == AST_CONS_DEFAULT)
            dflt = c;
        not_null = not_null || c->kind == AST_CONS_NOT_NULL;
        stored = stored || (c->kind == AST_CONS_GENERATED && c->is_stored);
    }
    if (dflt != NULL && !is_constant(dflt->expr))
        return writer_fail(w, CHORUS_ERROR, "Cannot add a column with non-constant default");
    rc = table_has_rows(w, t, &has_rows);
    if (rc != CHORUS_OK || !has_rows)
        return rc;
    if (stored)
        return writer_fail(w, CHORUS_ERROR, "cannot add a STORED column");
    if (not_null && (dflt == NULL || dflt->expr == NULL || dflt->expr->kind == EXPR_NULL))
        return writer_fail(w, CHORUS_ERROR, "Cannot add a NOT NULL column with default value "
                                            "NULL");
    return CHORUS_OK;
}

/* Offset of the ')' closing the column list of a CREATE TABLE, or -1. */
static long
column_list_end(const char *sql)
{
    size_t pos = 0;
    int depth = 0;
    token t;

    while (token_next(sql, &pos, &t)) {
        if (t.n == 1 && t.p[0] == '(')
            depth++;
        else if (t.n == 1 && t.p[0] == ')' && --depth == 0)
            return t.p - sql;
    }
    return -1;
}

static int
alter_add_column(catalog_writer *w, const ast_alter *a, const char *stmt_sql)
{
    const catalog_table *t = catalog_table_find(w->cat, a->table);
    long end;
    strbuf sb;
    char *sql;
    int rc;

    if (t == NULL)
        return catalog_view_find(w->cat, a->table) != NULL
                   ? writer_fail(w, CHORUS_ERROR, "Cannot add a column to a view")
                   : writer_fail(w, CHORUS_ERROR, "no such table: %s", a->table);
    if (catalog_name_is_reserved(t->name))
        return writer_fail(w, CHORUS_ERROR, "table %s may not be altered", t->name);
    rc = add_column_check(w, t, a->column);
    if (rc != CHORUS_OK)
        return rc;
    end = column_list_end(t->sql);
    if (end < 0)
        return CHORUS_CORRUPT_HERE();
    strbuf_init(&sb);
    strbuf_append(&sb, t->sql, (size_t)end);
    strbuf_puts(&sb, ", ");
    strbuf_append(&sb, stmt_sql + a->column_span.start, a->column_span.len);
    strbuf_puts(&sb, t->sql + end);
    sql = strbuf_finish(&sb);
    if (sql == NULL)
        return CHORUS_NOMEM;
    rc = ddl_schema_update(w, t->name, NULL, NULL, sql);
    free(sql);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_reload(w);
    return rc;
}

int
ddl_alter(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    const ast_alter *a = &stmt->u.alter;
    int rc = ddl_check_schema_name(w, a->schema);

    if (rc != CHORUS_OK)
        return rc;
    switch (a->action) {
    case AST_ALTER_RENAME_TABLE:
        return alter_rename(w, a);
    case AST_ALTER_ADD_COLUMN:
        return alter_add_column(w, a, sql);
    case AST_ALTER_RENAME_COLUMN:
        return writer_fail(w, CHORUS_ERROR, "not supported yet: ALTER TABLE RENAME COLUMN");
    default:
        return writer_fail(w, CHORUS_ERROR, "not supported yet: ALTER TABLE DROP COLUMN");
    }
}
