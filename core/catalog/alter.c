/*
 * core/catalog/alter.c: ALTER TABLE ... RENAME TO, RENAME COLUMN, ADD
 * COLUMN and DROP COLUMN by SQLite's rules (3.26+, legacy_alter_table=OFF),
 * rewriting the stored SQL.
 *
 * Rewriting edits the text of the stored statements at the places
 * rewrite.c finds, so everything else keeps its spelling:
 *   - RENAME TO puts the new name, double-quoted as SQLite writes it, in
 *     place of the table name in its CREATE TABLE, in the ON clause of its
 *     indexes, in REFERENCES clauses of every table, and wherever views
 *     and triggers name the table; autoindexes and the sqlite_sequence row
 *     follow the new name.
 *   - RENAME COLUMN renames the column in its table's definition, its
 *     indexes, REFERENCES lists that point at it, and the views and
 *     triggers whose references resolve to it.
 *   - ADD COLUMN inserts ", <column definition as written>" before the
 *     parenthesis that closes the column list. Existing records stay
 *     shorter than the table; readers take the DEFAULT for missing fields
 *     (catalog.h, catalog_column.stored_index).
 *   - DROP COLUMN cuts the column's definition out of the CREATE TABLE,
 *     checks that nothing else uses it (SQLite's "error in <kind> <name>
 *     after drop column: ..."), and rewrites every row without its field
 *     (a WITHOUT ROWID table's rows keep their key order: the field is not
 *     a PK field, which follow one another at the front).
 * The checks that need no rows (the table, the column, the new name) are
 * ddl_scope_alter_check, which prepare runs too (ddl_check.c DC1).
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

/* name double-quoted, as SQLite writes a renamed table (malloc()ed). */
static char *
quoted_name(const char *name)
{
    strbuf sb;

    strbuf_init(&sb);
    strbuf_putc(&sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_putc(&sb, '"');
        strbuf_putc(&sb, *p);
    }
    strbuf_putc(&sb, '"');
    return strbuf_finish(&sb);
}

/* Offset of the first token after keyword in s, or -1. */
static long
token_after(const char *s, const char *keyword)
{
    size_t pos = 0;
    sqltok t;

    while (sqltok_next(s, &pos, &t))
        if (sqltok_is(&t, keyword)) {
            size_t at = pos;
            if (sqltok_next(s, &at, &t))
                return t.p - s;
        }
    return -1;
}

/* The table name in CREATE TABLE [IF NOT EXISTS] name (...). */
static long
table_name_offset(const char *sql)
{
    size_t pos = 0;
    sqltok t;
    int i = 0;

    while (sqltok_next(sql, &pos, &t)) {
        if (i >= 2 && !sqltok_is(&t, "IF") && !sqltok_is(&t, "NOT") && !sqltok_is(&t, "EXISTS"))
            return t.p - sql;
        i++;
    }
    return -1;
}

/* Adds the token at off (from token_after/table_name_offset) to rl. */
static int
add_token_at(rewrite_list *rl, const char *sql, long off)
{
    size_t pos = (size_t)off;
    sqltok t;

    if (off < 0 || !sqltok_next(sql, &pos, &t))
        return CHORUS_CORRUPT_HERE();
    return rewrite_add(rl, (size_t)off, t.n);
}

/*
 * Applies rl to the sql of the schema row name (tbl_name too when
 * new_tbl_name is not NULL) and empties rl. Nothing to do when rl is empty
 * and the names stay.
 */
static int
schema_rewrite(catalog_writer *w, rewrite_list *rl, const char *name, const char *sql,
               const char *new_name, const char *new_tbl_name, const char *replacement)
{
    char *text = NULL;
    int rc;

    if (rl->n == 0 && new_name == NULL && new_tbl_name == NULL)
        return CHORUS_OK;
    if (rl->n > 0) {
        text = rewrite_apply(rl, sql, replacement);
        if (text == NULL)
            return CHORUS_NOMEM;
    }
    rc = ddl_schema_update(w, name, new_name, new_tbl_name, text);
    free(text);
    rl->n = 0;
    return rc;
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
    if (w->cat->is_temp)
        catalog_set_temp(fresh);
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

static char *
autoindex_name(const catalog_index *idx, const char *table, const char *new_name)
{
    const char *suffix = idx->name + strlen("sqlite_autoindex_") + strlen(table);

    return common_mprintf("sqlite_autoindex_%s%s", new_name, suffix);
}

/* Indexes and triggers of t, other tables' REFERENCES, views. */
static int
rename_dependents(catalog_writer *w, const catalog_table *t, const char *new_name,
                  const char *quoted, rewrite_list *rl)
{
    const catalog *cat = w->cat;
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        char *name;
        if (idx->root == t->root)
            continue;
        if (idx->sql != NULL) {
            rc = add_token_at(rl, idx->sql, token_after(idx->sql, "ON"));
            if (rc == CHORUS_OK)
                rc = schema_rewrite(w, rl, idx->name, idx->sql, NULL, new_name, quoted);
            continue;
        }
        name = autoindex_name(idx, t->name, new_name);
        rc = name == NULL ? CHORUS_NOMEM : ddl_schema_update(w, idx->name, name, new_name, NULL);
        free(name);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_table_count(cat); i++) {
        const catalog_table *o = catalog_table_at(cat, i);
        if (o != t && o->sql != NULL && (rc = rewrite_references(rl, o->sql, t->name, NULL)) ==
                                            CHORUS_OK)
            rc = schema_rewrite(w, rl, o->name, o->sql, NULL, NULL, quoted);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_view_count(cat); i++) {
        const catalog_view *v = catalog_view_at(cat, i);
        if ((rc = rewrite_table_names(rl, v->sql, t->name)) == CHORUS_OK)
            rc = schema_rewrite(w, rl, v->name, v->sql, NULL, NULL, quoted);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_trigger_count(cat); i++) {
        const catalog_trigger *tr = catalog_trigger_at(cat, i);
        bool own = catalog_name_eq(tr->table, t->name);
        if ((rc = rewrite_table_names(rl, tr->sql, t->name)) == CHORUS_OK)
            rc = schema_rewrite(w, rl, tr->name, tr->sql, NULL, own ? new_name : NULL, quoted);
    }
    return rc;
}

static int
sequence_rename(catalog_writer *w, const char *old_name, const char *new_name)
{
    const catalog_table *seq = catalog_table_find(w->cat, "sqlite_sequence");
    store_cursor *cur;
    bool eof;
    int rc;

    if (seq == NULL)
        return CHORUS_OK;
    rc = writer_cursor(w, seq->root, NULL, &cur);
    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        value rec[2];
        int64_t rowid;
        rc = store_payload(cur, &data, &nbytes);
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
            rc = store_rowid(cur, &rowid);
            if (rc == CHORUS_OK)
                rc = writer_buf_reserve(w, record_size(rec, 2));
            if (rc != CHORUS_OK)
                break;
            n = record_encode(rec, 2, w->buf);
            return store_insert(cur, rowid, w->buf, (uint32_t)n);
        }
        rc = store_next(cur, &eof);
    }
    return rc;
}

static int
alter_rename(catalog_writer *w, const ast_alter *a)
{
    const catalog_table *t = catalog_table_find(w->cat, a->table);   /* ddl_scope_alter_check */
    rewrite_list rl = {NULL, 0, 0};
    char *quoted;
    int rc;

    quoted = quoted_name(a->new_name);
    if (quoted == NULL)
        return CHORUS_NOMEM;
    rc = add_token_at(&rl, t->sql, table_name_offset(t->sql));
    if (rc == CHORUS_OK)
        rc = rewrite_references(&rl, t->sql, t->name, NULL);
    if (rc == CHORUS_OK)
        rc = schema_rewrite(w, &rl, t->name, t->sql, a->new_name, a->new_name, quoted);
    if (rc == CHORUS_OK)
        rc = rename_dependents(w, t, a->new_name, quoted, &rl);
    if (rc == CHORUS_OK && t->autoincrement)
        rc = sequence_rename(w, t->name, a->new_name);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_reload(w);
    rewrite_free(&rl);
    free(quoted);
    return rc;
}

/* --- RENAME COLUMN ------------------------------------------------------------------------ */

/* Every schema row that names column col of t gets rl's replacement. */
static int
rename_column_everywhere(catalog_writer *w, const catalog_table *t, const char *col,
                         const char *replacement, rewrite_list *rl)
{
    const catalog *cat = w->cat;
    int rc = rewrite_table_columns(rl, t->sql, t->name, col);

    if (rc == CHORUS_OK)
        rc = schema_rewrite(w, rl, t->name, t->sql, NULL, NULL, replacement);
    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        if (idx->sql != NULL && (rc = rewrite_index_columns(rl, idx->sql, col)) == CHORUS_OK)
            rc = schema_rewrite(w, rl, idx->name, idx->sql, NULL, NULL, replacement);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_table_count(cat); i++) {
        const catalog_table *o = catalog_table_at(cat, i);
        if (o != t && o->sql != NULL &&
            (rc = rewrite_references(rl, o->sql, t->name, col)) == CHORUS_OK)
            rc = schema_rewrite(w, rl, o->name, o->sql, NULL, NULL, replacement);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_view_count(cat); i++) {
        const catalog_view *v = catalog_view_at(cat, i);
        if ((rc = rewrite_view_columns(rl, cat, v, t, col, NULL)) == CHORUS_OK)
            rc = schema_rewrite(w, rl, v->name, v->sql, NULL, NULL, replacement);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_trigger_count(cat); i++) {
        const catalog_trigger *tr = catalog_trigger_at(cat, i);
        if ((rc = rewrite_trigger_columns(rl, cat, tr, t, col, NULL)) == CHORUS_OK)
            rc = schema_rewrite(w, rl, tr->name, tr->sql, NULL, NULL, replacement);
    }
    return rc;
}

static int
alter_rename_column(catalog_writer *w, const ast_alter *a)
{
    const catalog_table *t;
    rewrite_list rl = {NULL, 0, 0};
    strbuf sb;
    char *replacement;
    int col, other, rc;

    t = catalog_table_find(w->cat, a->table);          /* ddl_scope_alter_check: both exist */
    col = catalog_table_column_find(t, a->old_name);
    other = catalog_table_column_find(t, a->new_name);
    if (other >= 0 && other != col)
        return writer_fail(w, CHORUS_ERROR, "error in table %s after rename: duplicate column "
                                            "name: %s", t->name, a->new_name);
    strbuf_init(&sb);
    ddl_identifier_put(&sb, a->new_name);
    replacement = strbuf_finish(&sb);
    if (replacement == NULL)
        return CHORUS_NOMEM;
    rc = rename_column_everywhere(w, t, t->cols[col].name, replacement, &rl);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_reload(w);
    rewrite_free(&rl);
    free(replacement);
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
    store_cursor *cur;
    bool eof = true;
    int rc = writer_cursor(w, t->root, NULL, &cur);

    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    *out = !eof;
    return rc;
}

static int
add_column_check(catalog_writer *w, const catalog_table *t, const ast_column_def *cd)
{
    const ast_constraint *dflt = NULL;
    bool not_null = false, stored = false, has_rows;
    int rc;

    for (const ast_constraint *c = cd->constraints; c != NULL; c = c->next) {
        if (c->kind == AST_CONS_DEFAULT)
            dflt = c;
        not_null = not_null || c->kind == AST_CONS_NOT_NULL;
        stored = stored || (c->kind == AST_CONS_GENERATED && c->is_stored);
    }
    rc = table_has_rows(w, t, &has_rows);
    if (rc != CHORUS_OK || !has_rows)
        return rc;                  /* SQLite checks the rest against rows only */
    if (dflt != NULL && !is_constant(dflt->expr))
        return writer_fail(w, CHORUS_ERROR, "Cannot add a column with non-constant default");
    if (stored)
        return writer_fail(w, CHORUS_ERROR, "cannot add a STORED column");
    if (not_null && (dflt == NULL || dflt->expr == NULL || dflt->expr->kind == EXPR_NULL))
        return writer_fail(w, CHORUS_ERROR, "Cannot add a NOT NULL column with default value "
                                            "NULL");
    return CHORUS_OK;
}

/* The table's new CREATE statement must define a table (SQLite's "error in
 * table t after add column: ..."), checked before anything is written.
 * *nt_out (may be NULL until then) gets the definition: altered_table_free. */
static int
altered_table_define(catalog_writer *w, const catalog_table *t, const char *sql, const char *what,
                     table_def **nt_out)
{
    char *err = NULL;
    int rc = define_table(w->cat, sql, t->root, nt_out, &err);

    if (rc == CHORUS_ERROR) {
        rc = writer_fail(w, rc, "error in table %s after %s: %s", t->name, what, err ? err : "");
        free(err);
    } else if (rc != CHORUS_OK) {
        rc = writer_fail_take(w, rc, err);
    }
    return rc;
}

static void
altered_table_free(table_def *nt)
{
    if (nt != NULL) {               /* its memory is in the arena; only the lists are not */
        ptr_list_free(&nt->indexes);
        ptr_list_free(&nt->triggers);
    }
}

/* Whether t starts a table constraint in a CREATE TABLE's list. */
static bool
starts_table_constraint(const sqltok *t)
{
    return sqltok_is(t, "CONSTRAINT") || sqltok_is(t, "PRIMARY") || sqltok_is(t, "UNIQUE") ||
           sqltok_is(t, "CHECK") || sqltok_is(t, "FOREIGN");
}

/* Offset where a new column definition goes in a CREATE TABLE: after the
 * last column, before any table constraint (as SQLite places it), or -1. */
static long
column_defs_end(const char *sql)
{
    size_t pos = 0;
    int depth = 0;
    const char *comma = NULL;
    sqltok t;

    while (sqltok_next(sql, &pos, &t)) {
        if (comma != NULL && starts_table_constraint(&t))
            return comma - sql;
        comma = NULL;
        if (sqltok_punct(&t, '('))
            depth++;
        else if (sqltok_punct(&t, ')') && --depth == 0)
            return t.p - sql;
        else if (sqltok_punct(&t, ',') && depth == 1)
            comma = t.p;
    }
    return -1;
}

static int
alter_add_column(catalog_writer *w, const ast_alter *a, const char *stmt_sql)
{
    const catalog_table *t = catalog_table_find(w->cat, a->table);
    table_def *nt = NULL;
    long end;
    strbuf sb;
    char *sql;
    int rc;

    rc = add_column_check(w, t, a->column);
    if (rc != CHORUS_OK)
        return rc;
    end = column_defs_end(t->sql);
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
    rc = altered_table_define(w, t, sql, "add column", &nt);
    altered_table_free(nt);
    if (rc == CHORUS_OK)
        rc = ddl_schema_update(w, t->name, NULL, NULL, sql);
    free(sql);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_reload(w);
    if (rc == CHORUS_OK && (t = catalog_table_find(w->cat, a->table)) != NULL) {
        char *err;
        rc = define_collations_check(table_def_of(t), NULL, &err);       /* define.c D4 */
        if (rc != CHORUS_OK)
            rc = writer_fail_take(w, rc, err);
    }
    return rc;
}

/* --- DROP COLUMN ---------------------------------------------------------------------------- */

static char *
drop_column_error(const catalog_table *t, int col)
{
    const ast_column_def *cd = table_def_of(t)->ast->columns;
    const char *name = t->cols[col].name;

    for (int i = 0; i < col && cd != NULL; i++)
        cd = cd->next;
    if (t->cols[col].is_pk)
        return common_mprintf("cannot drop PRIMARY KEY column: \"%s\"", name);
    for (const ast_constraint *c = cd != NULL ? cd->constraints : NULL; c != NULL; c = c->next)
        if (c->kind == AST_CONS_UNIQUE)
            return common_mprintf("cannot drop UNIQUE column: \"%s\"", name);
    if (t->n_cols == 1)
        return common_mprintf("cannot drop column \"%s\": no other columns exist", name);
    return NULL;
}

/*
 * The CREATE TABLE text without column col's definition, cut as SQLite
 * does: from the definition to the next item, or, for the last item, from
 * the end of the one before it. malloc()ed; NULL when out of memory.
 */
static char *
column_def_cut(const char *sql, int col)
{
    size_t pos = 0, start = 0, end = 0, prev_end = 0, cut_start, cut_end;
    int depth = 0, item = -1;
    bool want_start = false, have_next = false;
    sqltok t;
    strbuf sb;

    while (sqltok_next(sql, &pos, &t)) {
        bool open = sqltok_punct(&t, '('), close = sqltok_punct(&t, ')');
        if ((open && depth == 0) || (depth == 1 && sqltok_punct(&t, ','))) {
            want_start = true;
        } else if (close && depth == 1) {
            break;
        } else if (want_start) {
            want_start = false;
            if (++item == col + 1) {
                have_next = true;
                end = (size_t)(t.p - sql);
                break;
            }
            if (item == col)
                start = (size_t)(t.p - sql);
        }
        depth += open ? 1 : close ? -1 : 0;
        if (depth >= 1 && !want_start && !(depth == 1 && open)) {
            if (item == col - 1)
                prev_end = pos;
            if (item == col)
                end = pos;
        }
    }
    cut_start = have_next ? start : prev_end;
    cut_end = end;
    strbuf_init(&sb);
    strbuf_append(&sb, sql, cut_start);
    strbuf_puts(&sb, sql + cut_end);
    return strbuf_finish(&sb);
}

static int
drop_fail_ref(catalog_writer *w, const char *kind, const char *name, const ast_expr *e,
              const char *col)
{
    if (e != NULL && e->table != NULL)
        return writer_fail(w, CHORUS_ERROR, "error in %s %s after drop column: no such column: "
                                            "%s.%s", kind, name, e->table, e->name);
    return writer_fail(w, CHORUS_ERROR, "error in %s %s after drop column: no such column: %s",
                       kind, name, e != NULL ? e->name : col);
}

/* The table as it would be (nt) against its own expressions and indexes. */
static int
drop_validate_table(catalog_writer *w, const catalog_table *t, const catalog_table *nt, int col)
{
    const ast_expr *bad = NULL;

    for (int i = 0; bad == NULL && i < nt->n_checks; i++)
        bad = rewrite_unresolved(nt, nt->checks[i].expr);
    for (int i = 0; bad == NULL && i < nt->n_cols; i++)
        bad = rewrite_unresolved(nt, nt->cols[i].generated_expr);
    if (bad != NULL)
        return drop_fail_ref(w, "table", t->name, bad, NULL);
    for (int i = 0; i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        if (idx->sql == NULL)
            continue;
        bad = rewrite_unresolved(nt, idx->where);
        for (int j = 0; bad == NULL && j < idx->n_cols; j++) {
            if (idx->cols[j].column == col)
                return drop_fail_ref(w, "index", idx->name, NULL, t->cols[col].name);
            bad = rewrite_unresolved(nt, idx->cols[j].expr);
        }
        if (bad != NULL)
            return drop_fail_ref(w, "index", idx->name, bad, NULL);
    }
    return CHORUS_OK;
}

/* Views and triggers whose expressions use the column (SQLite does not
 * check the targets of INSERT and UPDATE in trigger bodies). */
static int
drop_validate_users(catalog_writer *w, const catalog_table *t, const char *col)
{
    rewrite_list rl = {NULL, 0, 0};
    const ast_expr *first = NULL;
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < catalog_view_count(w->cat); i++) {
        const catalog_view *v = catalog_view_at(w->cat, i);
        rc = rewrite_view_columns(&rl, w->cat, v, t, col, &first);
        if (rc == CHORUS_OK && first != NULL)
            rc = drop_fail_ref(w, "view", v->name, first, col);
    }
    for (int i = 0; rc == CHORUS_OK && i < catalog_trigger_count(w->cat); i++) {
        const catalog_trigger *tr = catalog_trigger_at(w->cat, i);
        rc = rewrite_trigger_columns(&rl, w->cat, tr, t, col, &first);
        if (rc == CHORUS_OK && first != NULL)
            rc = drop_fail_ref(w, "trigger", tr->name, first, col);
    }
    rewrite_free(&rl);
    return rc;
}

/* Rewrites every record of rowid table t without field k. */
static int
drop_rows(catalog_writer *w, const catalog_table *t, int k)
{
    store_cursor *scan = NULL, *out;
    record_cursor *rec = &w->rec[0];
    bool eof = true;
    int rc = writer_cursor(w, t->root, NULL, &out);

    if (rc == CHORUS_OK)
        rc = store_cursor_open(w->st, t->root, NULL, false, NULL, &scan);
    if (rc == CHORUS_OK)
        rc = store_first(scan, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        int64_t rowid = 0;
        int n = 0;
        rc = store_payload(scan, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(rec, data, nbytes);
        if (rc == CHORUS_OK)
            rc = writer_row_reserve(w, rec->n_cols);
        if (rc == CHORUS_OK)
            rc = store_rowid(scan, &rowid);
        if (rc != CHORUS_OK || rec->n_cols <= k) {
            if (rc == CHORUS_OK)
                rc = store_next(scan, &eof);
            continue;
        }
        for (int i = 0; i < rec->n_cols; i++)
            if (i != k)
                record_cursor_column(rec, i, &w->enc[n++]);
        rc = writer_buf_reserve(w, record_size(w->enc, n));
        if (rc == CHORUS_OK) {
            size_t len = record_encode(w->enc, n, w->buf);     /* before the page changes */
            rc = store_insert(out, rowid, w->buf, (uint32_t)len);
        }
        if (rc == CHORUS_OK)
            rc = store_next(scan, &eof);
    }
    store_cursor_close(scan);
    return rc;
}

/* Appends one record (its length, then its bytes) to a growable buffer. */
static int
records_append(uint8_t **all, size_t *len, size_t *cap, const value *vals, int n)
{
    uint32_t size = (uint32_t)record_size(vals, n);

    if (*len + sizeof size + size > *cap) {
        size_t want = (*cap ? *cap * 2 : 4096) + sizeof size + size;
        uint8_t *grown = realloc(*all, want);
        if (grown == NULL)
            return CHORUS_NOMEM;
        *all = grown;
        *cap = want;
    }
    memcpy(*all + *len, &size, sizeof size);
    record_encode(vals, n, *all + *len + sizeof size);
    *len += sizeof size + size;
    return CHORUS_OK;
}

/* Rewrites every record of WITHOUT ROWID table t without field k, which
 * follows the PK fields, so each record keeps its place in the key order.
 * The new records are all built first (the scan must not meet its own
 * inserts), then replace the old entries. */
static int
drop_rows_key(catalog_writer *w, const catalog_table *t, int k)
{
    record_cursor *rec = &w->rec[0];
    store_cursor *cur;
    uint8_t *all = NULL;
    size_t len = 0, cap = 0;
    bool eof = true;
    int rc = writer_cursor(w, t->root, &catalog_table_pk_index(t)->ki, &cur);

    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        int n = 0;
        rc = store_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(rec, data, nbytes);
        if (rc == CHORUS_OK)
            rc = writer_row_reserve(w, rec->n_cols);
        for (int i = 0; rc == CHORUS_OK && i < rec->n_cols; i++)
            if (i != k)
                record_cursor_column(rec, i, &w->enc[n++]);
        if (rc == CHORUS_OK)
            rc = records_append(&all, &len, &cap, w->enc, n);
        if (rc == CHORUS_OK)
            rc = store_next(cur, &eof);
    }
    while (rc == CHORUS_OK && (rc = store_first(cur, &eof)) == CHORUS_OK && !eof)
        rc = store_delete(cur);
    for (size_t off = 0; rc == CHORUS_OK && off < len;) {
        uint32_t size;
        memcpy(&size, all + off, sizeof size);
        rc = store_index_insert(cur, all + off + sizeof size, size, false);
        off += sizeof size + size;
    }
    free(all);
    return rc;
}

static int
alter_drop_column(catalog_writer *w, const ast_alter *a)
{
    const catalog_table *t;
    table_def *nt = NULL;
    char *sql = NULL;
    int col, rc;

    t = catalog_table_find(w->cat, a->table);          /* ddl_scope_alter_check: both exist */
    col = catalog_table_column_find(t, a->old_name);
    sql = column_def_cut(t->sql, col);
    if (sql == NULL)
        return CHORUS_NOMEM;
    rc = altered_table_define(w, t, sql, "drop column", &nt);
    if (rc == CHORUS_OK)
        rc = drop_validate_table(w, t, &nt->pub, col);
    altered_table_free(nt);
    if (rc == CHORUS_OK)
        rc = drop_validate_users(w, t, t->cols[col].name);
    if (rc == CHORUS_OK && t->cols[col].stored_index >= 0)
        rc = t->without_rowid ? drop_rows_key(w, t, t->cols[col].stored_index)
                              : drop_rows(w, t, t->cols[col].stored_index);
    if (rc == CHORUS_OK)
        rc = ddl_schema_update(w, t->name, NULL, NULL, sql);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_reload(w);
    free(sql);
    return rc;
}

/* --- checks (ddl_check.c DC1) ---------------------------------------------------------- */

/* The table ALTER names, with SQLite's errors for views and system tables. */
static char *
alter_target_error(const catalog *cat, const ast_alter *a, const catalog_table **out)
{
    const catalog_table *t = catalog_table_find(cat, a->table);

    *out = t;
    if (t == NULL && catalog_view_find(cat, a->table) != NULL) {
        switch (a->action) {
        case AST_ALTER_RENAME_TABLE:
            return common_mprintf("view %s may not be altered", a->table);
        case AST_ALTER_ADD_COLUMN:
            return common_mprintf("Cannot add a column to a view");
        case AST_ALTER_RENAME_COLUMN:
            return common_mprintf("cannot rename columns of view \"%s\"", a->table);
        default:
            return common_mprintf("cannot drop column from view \"%s\"", a->table);
        }
    }
    if (t == NULL)
        return common_mprintf("no such table: %s%s%s", a->schema ? a->schema : "",
                              a->schema ? "." : "", a->table);
    if (t->root == 1)
        return common_mprintf("table sqlite_master may not be altered");
    if (catalog_name_is_reserved(t->name))
        return common_mprintf("table %s may not be altered", t->name);
    return NULL;
}

/* What the action itself needs of t, checked without reading rows. */
static char *
alter_action_error(const catalog *cat, const catalog_table *t, const ast_alter *a)
{
    const ast_column_def *cd = a->column;
    int col = a->old_name != NULL ? catalog_table_column_find(t, a->old_name) : -1;
    char kind;

    switch (a->action) {
    case AST_ALTER_RENAME_TABLE:
        if (catalog_name_is_reserved(a->new_name))
            return common_mprintf("object name reserved for internal use: %s", a->new_name);
        kind = catalog_object_kind(cat, a->new_name);
        if (kind != 0 && kind != 'r')
            return common_mprintf("there is already another table or index with this name: %s",
                                  a->new_name);
        return NULL;
    case AST_ALTER_ADD_COLUMN:
        if (catalog_table_column_find(t, cd->name) >= 0)
            return common_mprintf("duplicate column name: %s", cd->name);
        for (const ast_constraint *c = cd->constraints; c != NULL; c = c->next) {
            if (c->kind == AST_CONS_PRIMARY_KEY)
                return common_mprintf("Cannot add a PRIMARY KEY column");
            if (c->kind == AST_CONS_UNIQUE)
                return common_mprintf("Cannot add a UNIQUE column");
        }
        return NULL;
    case AST_ALTER_RENAME_COLUMN:
        if (col < 0)
            return common_mprintf("no such column: \"%s\"", a->old_name);
        return NULL;                /* a clash with another column: at step, as SQLite */
    default:
        if (col < 0)
            return common_mprintf("no such column: \"%s\"", a->old_name);
        return drop_column_error(t, col);
    }
}

int
ddl_scope_alter_check(const ddl_scope *s, const ast_alter *a, char **err_out)
{
    const catalog_table *t;
    int rc = ddl_scope_schema_check(s, a->schema, err_out);

    if (rc != CHORUS_OK)
        return rc;
    *err_out = alter_target_error(s->cat, a, &t);
    if (*err_out == NULL && t != NULL)
        *err_out = alter_action_error(s->cat, t, a);
    return *err_out != NULL ? CHORUS_ERROR : CHORUS_OK;
}

int
ddl_alter(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    const ast_alter *a = &stmt->u.alter;
    ddl_scope scope = writer_scope(w);
    char *err = NULL;
    int rc = ddl_scope_alter_check(&scope, a, &err);

    if (rc != CHORUS_OK)
        return writer_fail_take(w, rc, err);
    switch (a->action) {
    case AST_ALTER_RENAME_TABLE:
        return alter_rename(w, a);
    case AST_ALTER_ADD_COLUMN:
        return alter_add_column(w, a, sql);
    case AST_ALTER_RENAME_COLUMN:
        return alter_rename_column(w, a);
    default:
        return alter_drop_column(w, a);
    }
}
