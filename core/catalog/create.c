/*
 * core/catalog/create.c: CREATE TABLE (and AS SELECT), CREATE INDEX,
 * CREATE VIEW, CREATE TRIGGER, plus the sqlite_schema steps every DDL
 * statement shares (schema rows, the schema cookie).
 *
 * Every CREATE follows the same outline:
 *   1. check the schema name and the object name (reserved, taken), with
 *      the functions of ddl_check.c, which prepare runs too (DC1);
 *   2. normalize the statement text (sql_normalize_create) and build the
 *      object from it with define.c, which reports SQLite's errors before
 *      anything is written (catalog.h rule C4);
 *   3. create the b-trees (the table's root first, then its autoindexes),
 *      insert the sqlite_schema rows, fill a new index from the table;
 *   4. bump the schema cookie and attach the object to the catalog.
 *
 * Callers: catalog_ddl_execute (and drop.c/alter.c for the shared steps).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

/* --- shared steps -------------------------------------------------------------- */

int
ddl_check_schema_name(catalog_writer *w, const char *schema)
{
    ddl_scope scope = writer_scope(w);
    char *err = NULL;
    int rc = ddl_scope_schema_check(&scope, schema, &err);

    return rc == CHORUS_OK ? CHORUS_OK : writer_fail_take(w, rc, err);
}

int
ddl_schema_insert(catalog_writer *w, const char *type, const char *name, const char *tbl_name,
                  uint32_t root, const char *sql)
{
    store_cursor *cur;
    value rec[5];
    int64_t max = 0;
    size_t nbytes;
    bool eof;
    int rc = writer_cursor(w, 1, NULL, &cur);

    if (rc == CHORUS_OK)
        rc = store_last(cur, &eof);
    if (rc == CHORUS_OK && !eof)
        rc = store_rowid(cur, &max);
    if (rc != CHORUS_OK)
        return rc;
    value_set_text_ref(&rec[0], type, (int32_t)strlen(type));
    value_set_text_ref(&rec[1], name, (int32_t)strlen(name));
    value_set_text_ref(&rec[2], tbl_name, (int32_t)strlen(tbl_name));
    value_set_int(&rec[3], root);
    if (sql != NULL)
        value_set_text_ref(&rec[4], sql, (int32_t)strlen(sql));
    else
        value_set_null(&rec[4]);
    nbytes = record_size(rec, 5);
    rc = writer_buf_reserve(w, nbytes);
    if (rc != CHORUS_OK)
        return rc;
    nbytes = record_encode(rec, 5, w->buf);
    return store_insert(cur, max + 1, w->buf, (uint32_t)nbytes);
}

/* Rewrites the rows of sqlite_schema whose name is name (NULL arguments
 * keep their column). */
int
ddl_schema_update(catalog_writer *w, const char *name, const char *new_name,
                  const char *new_tbl_name, const char *new_sql)
{
    store_cursor *cur;
    bool eof;
    int rc = writer_cursor(w, 1, NULL, &cur);

    if (rc == CHORUS_OK)
        rc = store_first(cur, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        value row[5];
        int64_t rowid;
        size_t n;
        rc = store_payload(cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            rc = record_cursor_parse(&w->rec[1], data, nbytes);
        if (rc != CHORUS_OK)
            break;
        for (int i = 0; i < 5; i++)
            record_cursor_column(&w->rec[1], i, &row[i]);
        if (row[1].type == VALUE_TEXT && (size_t)row[1].n == strlen(name) &&
            strncasecmp(row[1].u.z, name, (size_t)row[1].n) == 0) {
            if (new_name != NULL)
                value_set_text_ref(&row[1], new_name, (int32_t)strlen(new_name));
            if (new_tbl_name != NULL)
                value_set_text_ref(&row[2], new_tbl_name, (int32_t)strlen(new_tbl_name));
            if (new_sql != NULL)
                value_set_text_ref(&row[4], new_sql, (int32_t)strlen(new_sql));
            rc = store_rowid(cur, &rowid);
            if (rc == CHORUS_OK)
                rc = writer_buf_reserve(w, record_size(row, 5));
            if (rc != CHORUS_OK)
                break;
            n = record_encode(row, 5, w->buf);  /* row borrows the page: encode first */
            rc = store_insert(cur, rowid, w->buf, (uint32_t)n);
        }
        if (rc == CHORUS_OK)
            rc = store_next(cur, &eof);
    }
    return rc;
}

int
ddl_cookie_bump(catalog_writer *w)
{
    uint32_t cookie;
    int rc = btree_meta_get(w->tx, BTREE_META_SCHEMA_COOKIE, &cookie);

    if (rc == CHORUS_OK)
        rc = btree_meta_set(w->tx, BTREE_META_SCHEMA_COOKIE, cookie + 1);
    if (rc == CHORUS_OK)
        w->cat->cookie = cookie + 1;
    return rc;
}

/* Step 1 for tables, views and indexes, which share one name space
 * (ddl_check.c DC1). */
static int
name_check(catalog_writer *w, const char *schema, const char *name, char kind,
           bool if_not_exists, bool *exists_out)
{
    ddl_scope scope = writer_scope(w);
    char *err = NULL;
    int rc = ddl_scope_name_check(&scope, schema, name, kind, if_not_exists, exists_out, &err);

    return rc == CHORUS_OK ? CHORUS_OK : writer_fail_take(w, rc, err);
}

static int
normalized(catalog_writer *w, const ast_stmt *stmt, const char *sql, char **out)
{
    *out = sql_normalize_create(sql + stmt->span.start, (int)stmt->span.len);
    return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

/* --- CREATE TABLE ------------------------------------------------------------------ */

static int
sequence_table_create(catalog_writer *w)
{
    static const char sql[] = "CREATE TABLE sqlite_sequence(name,seq)";
    table_def *td;
    char *err = NULL;
    uint32_t root;
    int rc = btree_create(w->tx, BTREE_TABLE, &root);

    if (rc == CHORUS_OK)
        rc = ddl_schema_insert(w, "table", "sqlite_sequence", "sqlite_sequence", root, sql);
    if (rc == CHORUS_OK)
        rc = define_table(w->cat, sql, root, &td, &err);
    if (rc == CHORUS_OK)
        rc = catalog_table_attach(w->cat, td);
    free(err);
    return rc;
}

/* Steps 3 and 4 for a table built by define_table from text. */
static int
table_store(catalog_writer *w, table_def *td, const char *text)
{
    catalog_table *t = &td->pub;
    uint32_t root;
    int rc = btree_create(w->tx, t->without_rowid ? BTREE_INDEX : BTREE_TABLE, &root);

    if (rc != CHORUS_OK)
        return rc;
    t->root = root;
    for (int i = 0; rc == CHORUS_OK && i < td->indexes.n; i++) {
        catalog_index *idx = td->indexes.items[i];
        if (t->without_rowid && idx->origin == CATALOG_INDEX_PK)
            idx->root = root;               /* define.c rule D3 */
        else
            rc = btree_create(w->tx, BTREE_INDEX, &idx->root);
    }
    if (rc == CHORUS_OK)
        rc = ddl_schema_insert(w, "table", t->name, t->name, root, text);
    for (int i = 0; rc == CHORUS_OK && i < td->indexes.n; i++) {
        catalog_index *idx = td->indexes.items[i];
        if (!(t->without_rowid && idx->origin == CATALOG_INDEX_PK))
            rc = ddl_schema_insert(w, "index", idx->name, t->name, idx->root, NULL);
    }
    if (rc == CHORUS_OK && t->autoincrement && catalog_table_find(w->cat, "sqlite_sequence") == NULL)
        rc = sequence_table_create(w);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_table_attach(w->cat, td);
    return rc;
}

static int
table_create_text(catalog_writer *w, const char *text, const catalog_table **out)
{
    table_def *td;
    char *err = NULL;
    int rc = ddl_table_define(w->cat, text, &td, &err);        /* D4, DC3 */

    if (rc == CHORUS_ERROR)
        return writer_fail_take(w, rc, err);
    free(err);
    if (rc == CHORUS_OK)
        rc = table_store(w, td, text);
    if (rc == CHORUS_OK && out != NULL)
        *out = &td->pub;
    return rc;
}

int
ddl_create_table(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    const ast_create_table *ct = &stmt->u.create_table;
    bool exists;
    char *text;
    int rc;

    if (ct->as_select != NULL)
        return writer_fail(w, CHORUS_MISUSE, "CREATE TABLE AS goes through "
                                             "catalog_create_table_as");
    if (ct->is_temp && !w->cat->is_temp)
        return writer_fail(w, CHORUS_ERROR, "not supported yet: TEMP tables");
    rc = name_check(w, ct->schema, ct->name, 't', ct->if_not_exists, &exists);
    if (rc != CHORUS_OK || exists)
        return rc;
    rc = normalized(w, stmt, sql, &text);
    if (rc == CHORUS_OK)
        rc = table_create_text(w, text, NULL);
    free(text);
    return rc;
}

/* --- CREATE TABLE AS --------------------------------------------------------------- */

static bool
needs_quotes(const char *name)
{
    if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
          name[0] == '_'))
        return true;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return true;
    return sql_is_keyword(name, (int)strlen(name)) != 0;
}

void
ddl_identifier_put(strbuf *sb, const char *name)
{
    if (!needs_quotes(name)) {
        strbuf_puts(sb, name);
        return;
    }
    strbuf_put_quoted(sb, name);
}

static const char *
ctas_type(char aff)
{
    switch (aff) {
    case AFFINITY_TEXT: return " TEXT";
    case AFFINITY_NUMERIC: return " NUM";
    case AFFINITY_INTEGER: return " INT";
    case AFFINITY_REAL: return " REAL";
    default: return "";
    }
}

char **
catalog_names_unique(int n, const char *const *names)
{
    char **out = calloc((size_t)(n ? n : 1), sizeof *out);

    for (int i = 0; out != NULL && i < n; i++) {
        const char *base = names[i] ? names[i] : "";
        out[i] = common_mprintf("%s", base);
        for (int k = 1; out[i] != NULL; k++) {
            bool dup = false;
            for (int j = 0; j < i && !dup; j++)
                dup = catalog_name_eq(out[j], out[i]);
            if (!dup)
                break;
            free(out[i]);
            out[i] = common_mprintf("%s:%d", base, k);
        }
        if (out[i] == NULL) {
            for (int j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
    }
    return out;
}

/* SQLite's measure of a name in a CREATE TABLE AS text: its characters,
 * each '"' twice, plus 2. */
static size_t
ctas_name_width(const char *name)
{
    size_t n = 2;

    for (const char *p = name; *p; p++)
        n += *p == '"' ? 2 : 1;
    return n;
}

/* The text SQLite writes for CREATE TABLE AS: on one line when the names
 * (5 more each) and the table's name measure under 50, else one column a
 * line. */
static char *
ctas_text(const char *table, int n, char *const *names, const char *affinities)
{
    size_t width = ctas_name_width(table);
    bool one_line;
    strbuf sb;

    for (int i = 0; i < n; i++)
        width += ctas_name_width(names[i]) + 5;
    one_line = width < 50;
    strbuf_init(&sb);
    strbuf_puts(&sb, "CREATE TABLE ");
    ddl_identifier_put(&sb, table);
    strbuf_putc(&sb, '(');
    for (int i = 0; i < n; i++) {
        strbuf_puts(&sb, one_line ? (i ? "," : "") : (i ? ",\n  " : "\n  "));
        ddl_identifier_put(&sb, names[i]);
        strbuf_puts(&sb, ctas_type(affinities ? affinities[i] : 0));
    }
    strbuf_puts(&sb, one_line ? ")" : "\n)");
    return strbuf_finish(&sb);
}

int
catalog_create_table_as(catalog_writer *w, const ast_stmt *stmt, int n_cols,
                        const char *const *names, const char *affinities,
                        const catalog_table **table_out)
{
    const ast_create_table *ct = &stmt->u.create_table;
    char **uniq;
    char *text;
    bool exists;
    int rc;

    *table_out = NULL;
    free(w->errmsg);
    w->errmsg = NULL;
    rc = writer_seq_flush(w);       /* counters of earlier rows name the old catalog */
    if (rc != CHORUS_OK)
        return rc;
    writer_cursors_close(w);
    if (ct->is_temp && !w->cat->is_temp)
        return writer_fail(w, CHORUS_ERROR, "not supported yet: TEMP tables");
    rc = name_check(w, ct->schema, ct->name, 't', ct->if_not_exists, &exists);
    if (rc != CHORUS_OK || exists)
        return rc;
    uniq = catalog_names_unique(n_cols, names);
    if (uniq == NULL)
        return CHORUS_NOMEM;
    text = ctas_text(ct->name, n_cols, uniq, affinities);
    for (int i = 0; i < n_cols; i++)
        free(uniq[i]);
    free(uniq);
    if (text == NULL)
        return CHORUS_NOMEM;
    rc = btree_init_database(w->tx);
    if (rc == CHORUS_OK)
        rc = table_create_text(w, text, table_out);
    free(text);
    return rc;
}

/* --- CREATE INDEX -------------------------------------------------------------------- */

/* Adds the entry of one table row to a new index. */
static int
index_fill_row(catalog_writer *w, const catalog_index *idx, int64_t rowid)
{
    bool skip, has_null, found = false;
    int64_t other;
    int rc = constraint_index_key(w, idx, w->old, rowid, w->key, &skip, &has_null);

    if (rc != CHORUS_OK || skip)
        return rc;
    if (idx->unique && !has_null && idx->table->without_rowid)
        rc = row_unique_probe_key(w, idx, w->key, NULL, &found, w->tmp);
    else if (idx->unique && !has_null)
        rc = constraint_unique_probe(w, idx, w->key, rowid, &found, &other);
    if (rc == CHORUS_OK && found)
        rc = constraint_unique_fail(w, idx);
    if (rc == CHORUS_OK)
        rc = constraint_index_insert(w, idx, w->key);
    constraint_key_clear(idx, w->key);
    return rc;
}

/* Step 3 for indexes: every existing row gets its entry (also REINDEX). */
int
ddl_index_fill(catalog_writer *w, const catalog_index *idx)
{
    const catalog_table *t = idx->table;
    const catalog_index *pk = catalog_table_pk_index(t);
    store_cursor *scan = NULL;
    bool eof;
    int rc = writer_row_reserve(w, t->n_cols);

    if (rc == CHORUS_OK)
        rc = store_cursor_open(w->st, t->root, pk != NULL ? &pk->ki : NULL, false, NULL, &scan);
    if (rc == CHORUS_OK)
        rc = store_first(scan, &eof);
    while (rc == CHORUS_OK && !eof) {
        int64_t rowid = 0;
        if (!t->without_rowid)
            rc = store_rowid(scan, &rowid);
        if (rc == CHORUS_OK)
            rc = writer_row_load(w, t, scan, rowid, 0, w->old);
        if (rc == CHORUS_OK)
            rc = index_fill_row(w, idx, rowid);
        if (rc == CHORUS_OK)
            rc = store_next(scan, &eof);
    }
    store_cursor_close(scan);
    return rc;
}

int
ddl_create_index(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    const ast_create_index *ci = &stmt->u.create_index;
    catalog_index *idx = NULL;
    char *text = NULL, *err = NULL;
    bool exists;
    int rc = name_check(w, ci->schema, ci->name, 'i', ci->if_not_exists, &exists);

    if (rc != CHORUS_OK || exists)
        return rc;
    rc = define_index_check(w->cat, ci->schema, ci, &err);     /* ddl_check.c DC6 */
    if (rc != CHORUS_OK)
        return writer_fail_take(w, rc, err);
    rc = normalized(w, stmt, sql, &text);
    if (rc == CHORUS_OK)
        rc = define_index(w->cat, text, 0, &idx, &err);
    if (rc == CHORUS_OK)
        rc = define_collations_check(NULL, idx, &err);          /* define.c D4 */
    if (rc == CHORUS_ERROR) {
        free(text);
        return writer_fail_take(w, rc, err);
    }
    free(err);
    if (rc == CHORUS_OK)
        rc = btree_create(w->tx, BTREE_INDEX, &idx->root);
    if (rc == CHORUS_OK)
        rc = ddl_schema_insert(w, "index", idx->name, idx->table->name, idx->root, text);
    if (rc == CHORUS_OK)
        rc = ddl_index_fill(w, idx);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = catalog_index_attach(w->cat, idx);
    free(text);
    return rc;
}

/* --- CREATE VIEW and CREATE TRIGGER ----------------------------------------------------- */

/* What CREATE VIEW and CREATE TRIGGER share once their checks passed:
 * the normalized text defines the object, its sqlite_schema row (no
 * b-tree: root page 0) is written, the cookie bumped, and the object
 * joins the catalog. */
static int
create_schema_object(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    bool is_view = stmt->kind == STMT_CREATE_VIEW;
    catalog_view *v = NULL;
    catalog_trigger *tr = NULL;
    char *text = NULL, *err = NULL;
    int rc = normalized(w, stmt, sql, &text);

    if (rc == CHORUS_OK)
        rc = is_view ? define_view(w->cat, text, &v, &err)
                     : define_trigger(w->cat, text, &tr, &err);
    if (rc == CHORUS_ERROR) {
        free(text);
        return writer_fail_take(w, rc, err);
    }
    free(err);
    if (rc == CHORUS_OK)
        rc = is_view ? ddl_schema_insert(w, "view", v->name, v->name, 0, text)
                     : ddl_schema_insert(w, "trigger", tr->name, tr->table, 0, text);
    if (rc == CHORUS_OK)
        rc = ddl_cookie_bump(w);
    if (rc == CHORUS_OK)
        rc = is_view ? catalog_view_attach(w->cat, v) : catalog_trigger_attach(w->cat, tr);
    free(text);
    return rc;
}

int
ddl_create_view(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    const ast_create_view *cv = &stmt->u.create_view;
    char *err = NULL;
    bool exists;
    int rc = ddl_params_check(stmt, &err);                      /* ddl_check.c DC7 */

    if (rc != CHORUS_OK)
        return writer_fail_take(w, rc, err);
    if (cv->is_temp && !w->cat->is_temp)
        return writer_fail(w, CHORUS_ERROR, "not supported yet: TEMP views");
    rc = name_check(w, cv->schema, cv->name, 'v', cv->if_not_exists, &exists);
    if (rc != CHORUS_OK || exists)
        return rc;
    return create_schema_object(w, stmt, sql);
}

void
catalog_writer_set_main(catalog_writer *w, const catalog *main)
{
    w->main = main;
}

void
catalog_writer_set_schema_name(catalog_writer *w, const char *name)
{
    w->schema_name = name;
}

int
ddl_create_trigger(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    ddl_scope scope = writer_scope(w);
    char *err = NULL;
    bool exists;
    int rc = ddl_scope_trigger_check(&scope, &stmt->u.create_trigger, &exists, &err);

    if (rc == CHORUS_OK)
        rc = ddl_params_check(stmt, &err);                      /* ddl_check.c DC7 */
    if (rc != CHORUS_OK)
        return writer_fail_take(w, rc, err);
    return exists ? CHORUS_OK : create_schema_object(w, stmt, sql);
}

/* --- dispatch ---------------------------------------------------------------------------- */

int
catalog_ddl_execute(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    int rc;

    free(w->errmsg);
    w->errmsg = NULL;
    rc = writer_seq_flush(w);       /* counters of earlier rows name the old catalog */
    if (rc != CHORUS_OK)
        return rc;
    writer_cursors_close(w);
    rc = btree_init_database(w->tx);
    if (rc != CHORUS_OK)
        return rc;
    switch (stmt->kind) {
    case STMT_CREATE_TABLE:
        return ddl_create_table(w, stmt, sql);
    case STMT_CREATE_INDEX:
        return ddl_create_index(w, stmt, sql);
    case STMT_CREATE_VIEW:
        return ddl_create_view(w, stmt, sql);
    case STMT_CREATE_TRIGGER:
        return ddl_create_trigger(w, stmt, sql);
    case STMT_DROP:
        return ddl_drop(w, stmt);
    case STMT_ALTER:
        return ddl_alter(w, stmt, sql);
    case STMT_REINDEX:
        return ddl_reindex(w, stmt);
    case STMT_ANALYZE:
        return ddl_analyze(w, stmt);
    case STMT_VACUUM:
        return ddl_vacuum(w, stmt);
    case STMT_CREATE_VIRTUAL:
        return writer_fail(w, CHORUS_ERROR, "not supported yet: virtual tables");
    default:
        return writer_fail(w, CHORUS_MISUSE, "not a DDL statement");
    }
}
