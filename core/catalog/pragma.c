/*
 * core/catalog/pragma.c: the PRAGMA statements, each answering with a
 * materialized catalog_result in SQLite's column names and row order.
 *
 * Every pragma is one entry of the table pragmas[]: its name, what it needs
 * from the caller (catalog_pragma_access), its result columns and its
 * handler. A pragma that sets something and answers nothing in SQLite
 * (PRAGMA user_version = 3) returns no columns here either.
 *
 * Settings this engine does not change (auto_vacuum, temp_store,
 * legacy_alter_table, query_only, ...: the FIXED entries) answer SQLite's
 * default, which is how the engine behaves; setting one changes nothing.
 *
 * journal_mode: the single-writer engine always runs in WAL mode. Setting
 * "wal" or any other SQLite mode answers "wal" (SQLite answers with the
 * unchanged mode when it cannot switch); "mvcc" is not supported yet.
 *
 * Callers: the engine through catalog.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"
#include "func.h"

/* --- results ----------------------------------------------------------------- */

void
catalog_result_init(catalog_result *r)
{
    memset(r, 0, sizeof *r);
}

void
catalog_result_free(catalog_result *r)
{
    for (int64_t i = 0; r->cells != NULL && i < r->n_rows * r->n_cols; i++)
        value_clear(&r->cells[i]);
    free(r->cells);
    r->cells = NULL;
    r->n_rows = r->cap_rows = 0;
}

int
result_add_row(catalog_result *r, value **row_out)
{
    value *row;

    if (r->n_rows == r->cap_rows) {
        int64_t cap = r->cap_rows ? r->cap_rows * 2 : 8;
        value *cells = realloc(r->cells, (size_t)(cap * r->n_cols) * sizeof *cells + 1);
        if (cells == NULL)
            return CHORUS_NOMEM;
        r->cells = cells;
        r->cap_rows = cap;
    }
    row = &r->cells[r->n_rows * r->n_cols];
    for (int i = 0; i < r->n_cols; i++)
        value_set_null(&row[i]);
    r->n_rows++;
    *row_out = row;
    return CHORUS_OK;
}

int
catalog_result_add_row(catalog_result *r, value **row_out)
{
    return result_add_row(r, row_out);
}

static int
set_text(value *v, const char *s)
{
    if (s == NULL) {
        value_set_null(v);
        return CHORUS_OK;
    }
    return value_set_text_copy(v, s, (int32_t)strlen(s));
}

/* --- the pragma being run ----------------------------------------------------- */

typedef struct pragma_run {
    const catalog_pragma_env *env;
    const ast_pragma *p;
    catalog_result *out;
    char **errmsg;
} pragma_run;

typedef struct pragma_def {
    const char *name;
    int (*run)(pragma_run *r);
    int access_query;               /* catalog_pragma_access when queried */
    int access_set;                 /* ... when given a value */
    const char *const *cols;        /* result columns (when it answers) */
    int n_cols;
    bool silent_when_set;           /* a setting: PRAGMA x = v answers nothing */
} pragma_def;

/* A setting whose value this engine does not change (run_fixed). */
typedef struct fixed_def {
    pragma_def def;
    int64_t value;
    const char *text;               /* the value when not NULL */
} fixed_def;

static const fixed_def *fixed_find(const char *name);

static int
fail(pragma_run *r, int rc, const char *msg)
{
    *r->errmsg = common_mprintf("%s", msg);
    return rc;
}

/* The argument as text: a bare word, a string or a number's text. */
static const char *
arg_word(const pragma_run *r)
{
    const ast_expr *e = r->p->value;

    if (e == NULL)
        return NULL;
    if (e->kind == EXPR_COLUMN)
        return e->name;
    if (e->kind == EXPR_STRING)
        return e->str;
    return NULL;
}

static bool
arg_int(const pragma_run *r, int64_t *out)
{
    const ast_expr *e = r->p->value;
    bool neg = false;

    if (e == NULL)
        return false;
    if (e->kind == EXPR_UNARY && (e->op == AST_OP_NEG || e->op == AST_OP_PLUS) && e->left) {
        neg = e->op == AST_OP_NEG;
        e = e->left;
    }
    if (e->kind == EXPR_INTEGER) {
        *out = neg ? (int64_t)(0 - (uint64_t)e->ival) : e->ival;
        return true;
    }
    if (e->kind == EXPR_FLOAT) {
        *out = (int64_t)(neg ? -e->rval : e->rval);
        return true;
    }
    if (e->kind == EXPR_STRING || e->kind == EXPR_COLUMN) {
        value v;
        const char *s = e->kind == EXPR_STRING ? e->str : e->name;
        if (!value_text_to_numeric(s, (int)strlen(s), &v))
            return false;
        *out = v.type == VALUE_INTEGER ? v.u.i : (int64_t)v.u.r;
        *out = neg ? -*out : *out;
        return true;
    }
    return false;
}

/* ON/OFF/TRUE/FALSE/YES/NO or a number: 1, 0, or -1 when it is neither. */
static int
arg_bool(const pragma_run *r)
{
    static const char *const on[] = {"on", "true", "yes"}, *const off[] = {"off", "false", "no"};
    const char *w = arg_word(r);
    int64_t n;

    for (int i = 0; w != NULL && i < 3; i++) {
        if (catalog_name_eq(w, on[i]))
            return 1;
        if (catalog_name_eq(w, off[i]))
            return 0;
    }
    if (arg_int(r, &n))
        return n != 0;
    return -1;
}

static int
answer_int(pragma_run *r, int64_t v)
{
    value *row;
    int rc = result_add_row(r->out, &row);

    if (rc == CHORUS_OK)
        value_set_int(&row[0], v);
    return rc;
}

static int
answer_text(pragma_run *r, const char *s)
{
    value *row;
    int rc = result_add_row(r->out, &row);

    return rc == CHORUS_OK ? set_text(&row[0], s) : rc;
}

/* --- header fields ------------------------------------------------------------ */

static int
header_field(pragma_run *r, int field)
{
    uint32_t v = 0;
    int64_t n;
    int rc;

    if (r->p->value != NULL) {
        if (!arg_int(r, &n))
            n = 0;
        rc = btree_meta_set(r->env->tx, field, (uint32_t)n);
        if (rc == CHORUS_OK && field == BTREE_META_SCHEMA_COOKIE)
            r->out->schema_changed = true;
        return rc;
    }
    if (pager_tx_page_count(r->env->tx) > 0) {
        rc = btree_meta_get(r->env->tx, field, &v);
        if (rc != CHORUS_OK)
            return rc;
    }
    return answer_int(r, field == BTREE_META_USER_VERSION || field == BTREE_META_APPLICATION_ID
                             ? (int32_t)v : (int64_t)v);
}

static int
run_user_version(pragma_run *r)
{
    return header_field(r, BTREE_META_USER_VERSION);
}

static int
run_application_id(pragma_run *r)
{
    return header_field(r, BTREE_META_APPLICATION_ID);
}

static int
run_schema_version(pragma_run *r)
{
    return header_field(r, BTREE_META_SCHEMA_COOKIE);
}

static int
run_freelist_count(pragma_run *r)
{
    uint32_t v = 0;
    int rc = CHORUS_OK;

    if (pager_tx_page_count(r->env->tx) > 0)
        rc = btree_meta_get(r->env->tx, BTREE_META_FREELIST_COUNT, &v);
    return rc == CHORUS_OK ? answer_int(r, v) : rc;
}

static int
run_page_count(pragma_run *r)
{
    return answer_int(r, pager_tx_page_count(r->env->tx));
}

static int
run_page_size(pragma_run *r)
{
    if (r->p->value != NULL)            /* fixed once the file exists; accepted, ignored */
        return CHORUS_OK;
    return answer_int(r, pager_page_size(r->env->pager));
}

static int
run_encoding(pragma_run *r)
{
    if (r->p->value != NULL)
        return CHORUS_OK;
    return answer_text(r, "UTF-8");
}

/* A setting whose value this engine does not change: SQLite's default,
 * which is how the engine behaves; setting it answers nothing and changes
 * nothing. */
static int
run_fixed(pragma_run *r)
{
    const fixed_def *f = fixed_find(r->p->name);

    if (r->p->value != NULL)
        return CHORUS_OK;
    return f->text != NULL ? answer_text(r, f->text) : answer_int(r, f->value);
}

/* --- schema pragmas ------------------------------------------------------------- */

static const catalog_table *
arg_table(pragma_run *r)
{
    const char *name = arg_word(r);

    return name == NULL ? NULL : catalog_table_find(r->env->cat, name);
}

static int
pk_position(const catalog_table *t, int col)
{
    for (int k = 0; k < t->n_pk; k++)
        if (t->pk_cols[k] == col)
            return k + 1;
    return 0;
}

/* The columns of view v of cat as rows (name, type) in *cols (initialized
 * here; the caller frees it). */
static int
view_columns(pragma_run *r, const catalog *cat, const catalog_view *v, catalog_result *cols)
{
    static const char *const names[] = {"name", "type"};

    catalog_result_init(cols);
    cols->n_cols = 2;
    cols->col_names = names;
    if (r->env->view_columns == NULL)
        return CHORUS_OK;
    return r->env->view_columns(r->env->view_columns_arg, cat, v, cols, r->errmsg);
}

/* table_info of a view: its result columns, never NOT NULL, without
 * defaults or key, as SQLite describes them. */
static int
view_info_rows(pragma_run *r, const catalog_view *v, bool extended)
{
    catalog_result cols;
    int rc = view_columns(r, r->env->cat, v, &cols);

    for (int64_t i = 0; rc == CHORUS_OK && i < cols.n_rows; i++) {
        const value *col = &cols.cells[i * 2];
        value *row;
        if ((rc = result_add_row(r->out, &row)) != CHORUS_OK)
            break;
        value_set_int(&row[0], i);
        rc = value_copy(&row[1], &col[0]);
        if (rc == CHORUS_OK)
            rc = col[1].type == VALUE_NULL ? set_text(&row[2], "") : value_copy(&row[2], &col[1]);
        value_set_int(&row[3], 0);
        value_set_int(&row[5], 0);
        if (extended)
            value_set_int(&row[6], 0);
    }
    catalog_result_free(&cols);
    return rc;
}

static int
table_info_rows(pragma_run *r, bool extended)
{
    const catalog_table *t = arg_table(r);
    const char *name = arg_word(r);
    int rc = CHORUS_OK;

    if (t == NULL && name != NULL && catalog_view_find(r->env->cat, name) != NULL)
        return view_info_rows(r, catalog_view_find(r->env->cat, name), extended);

    for (int i = 0; t != NULL && rc == CHORUS_OK && i < t->n_cols; i++) {
        const catalog_column *c = &t->cols[i];
        value *row;
        if (!extended && c->hidden != CATALOG_COL_NORMAL)
            continue;
        rc = result_add_row(r->out, &row);
        if (rc != CHORUS_OK)
            break;
        value_set_int(&row[0], i);
        rc = set_text(&row[1], c->name);
        if (rc == CHORUS_OK)
            rc = set_text(&row[2], c->type ? c->type : "");
        value_set_int(&row[3], c->not_null);
        if (rc == CHORUS_OK)
            rc = set_text(&row[4], c->default_text);
        value_set_int(&row[5], pk_position(t, i));
        if (extended)
            value_set_int(&row[6], c->hidden);
    }
    return rc;
}

static int
run_table_info(pragma_run *r)
{
    return table_info_rows(r, false);
}

static int
run_table_xinfo(pragma_run *r)
{
    return table_info_rows(r, true);
}

static int
run_index_list(pragma_run *r)
{
    const catalog_table *t = arg_table(r);
    int rc = CHORUS_OK, seq = 0;

    /* SQLite lists the newest index first. */
    for (int i = t ? t->n_indexes - 1 : -1; rc == CHORUS_OK && i >= 0; i--) {
        const catalog_index *idx = t->indexes[i];
        char origin[3] = {idx->origin, 0, 0};
        value *row;
        if (idx->origin == CATALOG_INDEX_PK)
            origin[1] = 'k';
        rc = result_add_row(r->out, &row);
        if (rc != CHORUS_OK)
            break;
        value_set_int(&row[0], seq++);
        rc = set_text(&row[1], idx->name);
        value_set_int(&row[2], idx->unique);
        if (rc == CHORUS_OK)
            rc = set_text(&row[3], origin);
        value_set_int(&row[4], idx->where != NULL);
    }
    return rc;
}

static int
index_column_row(pragma_run *r, const catalog_index *idx, int seqno, int cid, bool is_key,
                 bool desc, const char *coll, bool extended)
{
    const catalog_table *t = idx->table;
    value *row;
    int rc = result_add_row(r->out, &row);

    if (rc != CHORUS_OK)
        return rc;
    value_set_int(&row[0], seqno);
    value_set_int(&row[1], cid);
    if (cid >= 0)
        rc = set_text(&row[2], t->cols[cid].name);
    if (extended) {
        value_set_int(&row[3], desc);
        if (rc == CHORUS_OK)
            rc = set_text(&row[4], coll);
        value_set_int(&row[5], is_key);
    }
    return rc;
}

static int
index_info_rows(pragma_run *r, bool extended)
{
    const char *name = arg_word(r);
    const catalog_index *idx = name ? catalog_index_find(r->env->cat, name) : NULL;
    int rc = CHORUS_OK, seq = 0;

    if (idx == NULL)
        return CHORUS_OK;
    for (int i = 0; rc == CHORUS_OK && i < idx->n_cols; i++, seq++)
        rc = index_column_row(r, idx, seq, idx->cols[i].column, true, idx->cols[i].desc,
                              idx->cols[i].collation_name, extended);
    if (!extended)
        return rc;
    for (int j = 0; rc == CHORUS_OK && j < idx->n_suffix; j++, seq++)   /* define.c D5 */
        rc = index_column_row(r, idx, seq, idx->suffix[j], false, idx->ki.desc[idx->n_cols + j],
                              collation_name((collation)idx->ki.coll[idx->n_cols + j]), true);
    if (idx->table->without_rowid && !catalog_index_is_table(idx))
        return rc;
    if (idx->root != idx->table->root)
        return rc == CHORUS_OK ? index_column_row(r, idx, seq, -1, false, false, "BINARY", true)
                               : rc;
    /* WITHOUT ROWID primary key: the other columns follow as non-key columns. */
    for (int c = 0; rc == CHORUS_OK && c < idx->table->n_cols; c++) {
        bool in_key = false;
        for (int i = 0; i < idx->n_cols; i++)
            in_key = in_key || idx->cols[i].column == c;
        if (!in_key && idx->table->cols[c].stored_index >= 0)
            rc = index_column_row(r, idx, seq++, c, false, false, "BINARY", true);
    }
    return rc;
}

static int
run_index_info(pragma_run *r)
{
    return index_info_rows(r, false);
}

static int
run_index_xinfo(pragma_run *r)
{
    return index_info_rows(r, true);
}

static const char *
fk_action_name(int action)
{
    switch (action) {
    case AST_FK_SET_NULL: return "SET NULL";
    case AST_FK_SET_DEFAULT: return "SET DEFAULT";
    case AST_FK_CASCADE: return "CASCADE";
    case AST_FK_RESTRICT: return "RESTRICT";
    default: return "NO ACTION";
    }
}

static int
run_foreign_key_list(pragma_run *r)
{
    const catalog_table *t = arg_table(r);
    int rc = CHORUS_OK, id = 0;

    /* SQLite numbers the last declared foreign key 0. */
    for (int i = t ? t->n_fkeys - 1 : -1; rc == CHORUS_OK && i >= 0; i--, id++) {
        const catalog_fkey *fk = &t->fkeys[i];
        for (int k = 0; rc == CHORUS_OK && k < fk->n_cols; k++) {
            value *row;
            rc = result_add_row(r->out, &row);
            if (rc != CHORUS_OK)
                break;
            value_set_int(&row[0], id);
            value_set_int(&row[1], k);
            rc = set_text(&row[2], fk->to_table);
            if (rc == CHORUS_OK)
                rc = set_text(&row[3], t->cols[fk->from_cols[k]].name);
            if (rc == CHORUS_OK)
                rc = set_text(&row[4], fk->to_cols ? fk->to_cols[k] : NULL);
            if (rc == CHORUS_OK)
                rc = set_text(&row[5], fk_action_name(fk->on_update));
            if (rc == CHORUS_OK)
                rc = set_text(&row[6], fk_action_name(fk->on_delete));
            if (rc == CHORUS_OK)
                rc = set_text(&row[7], "NONE");
        }
    }
    return rc;
}

static int
run_foreign_key_check(pragma_run *r)
{
    return fkcheck_run(r->env->tx, r->env->stx, r->env->cat, r->env->hooks, arg_word(r), r->out,
                       r->errmsg);
}

static int
table_list_row(pragma_run *r, const char *schema, const char *name, const char *type,
               int64_t ncol, bool without_rowid, bool strict)
{
    value *row;
    int rc = result_add_row(r->out, &row);

    if (rc == CHORUS_OK)
        rc = set_text(&row[0], schema);
    if (rc == CHORUS_OK)
        rc = set_text(&row[1], name);
    if (rc == CHORUS_OK)
        rc = set_text(&row[2], type);
    value_set_int(&row[3], ncol);
    value_set_int(&row[4], without_rowid);
    value_set_int(&row[5], strict);
    return rc;
}

/* The table_list rows of one schema (cat NULL: an empty temp schema). */
static int
table_list_schema(pragma_run *r, const catalog *cat, bool temp, const char *only)
{
    const char *schema = temp ? "temp" : r->env->schema_name ? r->env->schema_name : "main";
    const char *self = temp ? "sqlite_temp_schema" : "sqlite_schema";
    int rc = CHORUS_OK;

    for (int i = 0; cat != NULL && rc == CHORUS_OK && i < catalog_table_count(cat); i++) {
        const catalog_table *t = catalog_table_at(cat, i);
        if (only == NULL || catalog_name_eq(only, t->name))
            rc = table_list_row(r, schema, t->name, "table", t->n_cols, t->without_rowid,
                                t->is_strict);
    }
    for (int i = 0; cat != NULL && rc == CHORUS_OK && i < catalog_view_count(cat); i++) {
        const catalog_view *v = catalog_view_at(cat, i);
        catalog_result cols;
        if (only != NULL && !catalog_name_eq(only, v->name))
            continue;
        rc = view_columns(r, cat, v, &cols);
        if (rc == CHORUS_OK)
            rc = table_list_row(r, schema, v->name, "view", cols.n_rows, false, false);
        catalog_result_free(&cols);
    }
    if (rc == CHORUS_OK && (only == NULL || catalog_name_eq(only, self)))
        rc = table_list_row(r, schema, self, "table", 5, false, false);
    return rc;
}

static int
run_table_list(pragma_run *r)
{
    const catalog *cat = r->env->cat;
    const char *only = arg_word(r);
    int rc;

    if (cat->is_temp)
        return table_list_schema(r, cat, true, only);
    rc = table_list_schema(r, cat, false, only);
    if (rc == CHORUS_OK && r->p->schema == NULL)
        rc = table_list_schema(r, r->env->temp_cat, true, only);
    return rc;
}

static int
database_list_fixed(pragma_run *r)
{
    value *row;
    int rc = result_add_row(r->out, &row);

    if (rc != CHORUS_OK)
        return rc;
    value_set_int(&row[0], 0);
    rc = set_text(&row[1], "main");
    if (rc == CHORUS_OK)
        rc = set_text(&row[2], r->env->path ? r->env->path : "");
    if (rc != CHORUS_OK || r->env->temp_cat == NULL)
        return rc;
    rc = result_add_row(r->out, &row);
    if (rc != CHORUS_OK)
        return rc;
    value_set_int(&row[0], 1);
    rc = set_text(&row[1], "temp");
    return rc == CHORUS_OK ? set_text(&row[2], "") : rc;
}

/* database_list: main, temp when it exists, then the attached databases
 * (their seq counts from 2, as SQLite's slots). */
static int
run_database_list(pragma_run *r)
{
    int rc = database_list_fixed(r);

    for (int i = 0; rc == CHORUS_OK && i < r->env->n_attached; i++) {
        value *row;
        rc = result_add_row(r->out, &row);
        if (rc != CHORUS_OK)
            return rc;
        value_set_int(&row[0], 2 + i);
        rc = set_text(&row[1], r->env->attached_names[i]);
        if (rc == CHORUS_OK)
            rc = set_text(&row[2], r->env->attached_paths[i]);
    }
    return rc;
}

static int
run_compile_options(pragma_run *r)
{
    const char *option;
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && (option = func_compile_option_at(i)) != NULL; i++)
        rc = answer_text(r, option);
    return rc;
}

/* The connection's collations: its own, newest first, then the built-ins,
 * as SQLite lists them. */
static int
run_collation_list(pragma_run *r)
{
    static const char *const builtin[] = {"RTRIM", "NOCASE", "BINARY"};
    int64_t seq = 0;
    value *row;
    int rc = CHORUS_OK;

    for (int id = COLLATE_ID_MAX; rc == CHORUS_OK && id >= COLLATE_USER_FIRST; id--) {
        if (collation_user_name(id) == NULL || !collation_user_defined(id))
            continue;
        if ((rc = result_add_row(r->out, &row)) == CHORUS_OK) {
            value_set_int(&row[0], seq++);
            rc = set_text(&row[1], collation_user_name(id));
        }
    }
    for (size_t i = 0; rc == CHORUS_OK && i < CHORUS_ARRAY_LEN(builtin); i++) {
        if ((rc = result_add_row(r->out, &row)) == CHORUS_OK) {
            value_set_int(&row[0], seq++);
            rc = set_text(&row[1], builtin[i]);
        }
    }
    return rc;
}

static int
run_function_list(pragma_run *r)
{
    catalog_function_info f;
    char type[2] = {0, 0};
    value *row;
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && r->env->function_at != NULL &&
                    r->env->function_at(i, &f); i++) {
        if ((rc = result_add_row(r->out, &row)) != CHORUS_OK)
            break;
        type[0] = f.type;
        rc = set_text(&row[0], f.name);
        value_set_int(&row[1], f.builtin);
        if (rc == CHORUS_OK)
            rc = set_text(&row[2], type);
        if (rc == CHORUS_OK)
            rc = set_text(&row[3], "utf8");
        value_set_int(&row[4], f.n_args);
        value_set_int(&row[5], f.flags);
    }
    return rc;
}

static int
run_integrity_check(pragma_run *r)
{
    int64_t n = 100;

    if (!arg_int(r, &n) || n <= 0)
        n = 100;
    return integrity_run(r->env->tx, r->env->cat, r->env->hooks, false, (int)n, r->out,
                         r->errmsg);
}

static int
run_quick_check(pragma_run *r)
{
    int64_t n = 100;

    if (!arg_int(r, &n) || n <= 0)
        n = 100;
    return integrity_run(r->env->tx, r->env->cat, r->env->hooks, true, (int)n, r->out,
                         r->errmsg);
}

/* --- connection settings --------------------------------------------------------- */

static int
run_journal_mode(pragma_run *r)
{
    const char *mode = arg_word(r);

    if (mode != NULL && catalog_name_eq(mode, "mvcc"))
        return fail(r, CHORUS_ERROR, "not supported yet: journal_mode=mvcc");
    /* An in-memory database keeps its journal in memory, as SQLite says. */
    if (r->env->path == NULL || r->env->path[0] == '\0')
        return answer_text(r, "memory");
    return answer_text(r, r->env->mvcc && r->env->schema_name == NULL ? "mvcc" : "wal");
}

static int
run_synchronous(pragma_run *r)
{
    static const char *const names[] = {"off", "normal", "full", "extra"};
    const char *word = arg_word(r);
    int64_t level = -1;

    if (r->p->value == NULL)
        return answer_int(r, pager_synchronous(r->env->pager));
    for (int i = 0; word != NULL && i < 4; i++)
        if (catalog_name_eq(word, names[i]))
            level = i;
    if (level < 0 && !arg_int(r, &level))
        level = PAGER_SYNC_FULL;
    if (level < 0 || level > 3)
        level = PAGER_SYNC_FULL;
    pager_set_synchronous(r->env->pager, (int)level);
    return CHORUS_OK;
}

static int
run_busy_timeout(pragma_run *r)
{
    int64_t ms;

    if (r->env->busy_timeout_ms == NULL)
        return answer_int(r, 0);
    if (arg_int(r, &ms))
        *r->env->busy_timeout_ms = ms < 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
    return answer_int(r, *r->env->busy_timeout_ms);
}

static int
run_cache_size(pragma_run *r)
{
    int64_t n;

    if (r->p->value == NULL)
        return answer_int(r, r->env->cache_size ? *r->env->cache_size : -2000);
    if (arg_int(r, &n)) {
        if (r->env->cache_size != NULL)
            *r->env->cache_size = n;
        pager_set_cache_bytes(r->env->pager, n < 0 ? -n * 1024
                                                   : n * (int64_t)pager_page_size(r->env->pager));
    }
    return CHORUS_OK;
}

static int
flag_pragma(pragma_run *r, bool *flag)
{
    int v;

    if (r->p->value == NULL)
        return answer_int(r, flag != NULL && *flag);
    v = arg_bool(r);
    if (v >= 0 && flag != NULL)
        *flag = v == 1;
    return CHORUS_OK;
}

static int
run_foreign_keys(pragma_run *r)
{
    return flag_pragma(r, r->env->foreign_keys);
}

static int
run_defer_foreign_keys(pragma_run *r)
{
    return flag_pragma(r, r->env->defer_foreign_keys);
}

static int
run_recursive_triggers(pragma_run *r)
{
    return flag_pragma(r, r->env->recursive_triggers);
}

static int
run_automatic_index(pragma_run *r)
{
    return flag_pragma(r, r->env->automatic_index);
}

/* SQLite answers no row when it is queried. */
static int
run_case_sensitive_like(pragma_run *r)
{
    return r->p->value == NULL ? CHORUS_OK : flag_pragma(r, r->env->case_sensitive_like);
}

/* Pages of WAL (or, in MVCC mode, of log growth) after which a checkpoint
 * runs by itself; negative values turn it off as 0 does, as in SQLite. */
static int
run_wal_autocheckpoint(pragma_run *r)
{
    int64_t n;

    if (arg_int(r, &n))
        pager_set_autocheckpoint(r->env->pager, n < 0 ? 0 : n > INT32_MAX ? INT32_MAX : (int)n);
    return answer_int(r, pager_autocheckpoint(r->env->pager));
}

static int
run_wal_checkpoint(pragma_run *r)
{
    static const char *const modes[] = {"passive", "full", "restart", "truncate"};
    const char *word = arg_word(r);
    int mode = PAGER_CKPT_PASSIVE, frames = -1, done = -1, rc;
    value *row;

    for (int i = 0; word != NULL && i < 4; i++)
        if (catalog_name_eq(word, modes[i]))
            mode = i;
    rc = pager_checkpoint(r->env->pager, mode, &frames, &done);
    if (rc != CHORUS_OK && rc != CHORUS_BUSY)
        return rc;
    rc = rc == CHORUS_BUSY ? 1 : 0;
    {
        int err = result_add_row(r->out, &row);
        if (err != CHORUS_OK)
            return err;
    }
    value_set_int(&row[0], rc);
    value_set_int(&row[1], frames);
    value_set_int(&row[2], done);
    return CHORUS_OK;
}

/* --- the table ------------------------------------------------------------------- */

#define COLS(...) (const char *const[]){__VA_ARGS__}, \
    (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

enum { NO_TX = CATALOG_PRAGMA_NO_TX, RD = CATALOG_PRAGMA_READ, WR = CATALOG_PRAGMA_WRITE };

static const pragma_def pragmas[] = {
    {"application_id", run_application_id, RD, WR, COLS("application_id"), true},
    {"automatic_index", run_automatic_index, NO_TX, NO_TX, COLS("automatic_index"), true},
    {"busy_timeout", run_busy_timeout, NO_TX, NO_TX, COLS("timeout"), false},
    {"cache_size", run_cache_size, NO_TX, NO_TX, COLS("cache_size"), true},
    {"case_sensitive_like", run_case_sensitive_like, NO_TX, NO_TX, COLS("case_sensitive_like"),
     true},
    {"collation_list", run_collation_list, NO_TX, NO_TX, COLS("seq", "name"), false},
    {"compile_options", run_compile_options, NO_TX, NO_TX, COLS("compile_options"), false},
    {"database_list", run_database_list, NO_TX, NO_TX, COLS("seq", "name", "file"), false},
    {"defer_foreign_keys", run_defer_foreign_keys, NO_TX, NO_TX, COLS("defer_foreign_keys"),
     true},
    {"encoding", run_encoding, NO_TX, NO_TX, COLS("encoding"), true},
    {"foreign_key_check", run_foreign_key_check, RD, RD,
     COLS("table", "rowid", "parent", "fkid"), false},
    {"foreign_key_list", run_foreign_key_list, RD, RD,
     COLS("id", "seq", "table", "from", "to", "on_update", "on_delete", "match"), false},
    {"foreign_keys", run_foreign_keys, NO_TX, NO_TX, COLS("foreign_keys"), true},
    {"freelist_count", run_freelist_count, RD, RD, COLS("freelist_count"), false},
    {"function_list", run_function_list, NO_TX, NO_TX,
     COLS("name", "builtin", "type", "enc", "narg", "flags"), false},
    {"index_info", run_index_info, RD, RD, COLS("seqno", "cid", "name"), false},
    {"index_list", run_index_list, RD, RD, COLS("seq", "name", "unique", "origin", "partial"), false},
    {"index_xinfo", run_index_xinfo, RD, RD,
     COLS("seqno", "cid", "name", "desc", "coll", "key"), false},
    {"integrity_check", run_integrity_check, RD, RD, COLS("integrity_check"), false},
    {"journal_mode", run_journal_mode, NO_TX, NO_TX, COLS("journal_mode"), false},
    {"page_count", run_page_count, RD, RD, COLS("page_count"), false},
    {"page_size", run_page_size, NO_TX, NO_TX, COLS("page_size"), true},
    {"quick_check", run_quick_check, RD, RD, COLS("quick_check"), false},
    {"recursive_triggers", run_recursive_triggers, NO_TX, NO_TX, COLS("recursive_triggers"), true},
    {"schema_version", run_schema_version, RD, WR, COLS("schema_version"), true},
    {"synchronous", run_synchronous, NO_TX, NO_TX, COLS("synchronous"), true},
    {"table_info", run_table_info, RD, RD,
     COLS("cid", "name", "type", "notnull", "dflt_value", "pk"), false},
    {"table_list", run_table_list, RD, RD, COLS("schema", "name", "type", "ncol", "wr", "strict"), false},
    {"table_xinfo", run_table_xinfo, RD, RD,
     COLS("cid", "name", "type", "notnull", "dflt_value", "pk", "hidden"), false},
    {"user_version", run_user_version, RD, WR, COLS("user_version"), true},
    {"wal_autocheckpoint", run_wal_autocheckpoint, NO_TX, NO_TX, COLS("wal_autocheckpoint"),
     false},
    {"wal_checkpoint", run_wal_checkpoint, NO_TX, NO_TX, COLS("busy", "log", "checkpointed"), false},
};

#define FIXED(name, value, text) {{name, run_fixed, NO_TX, NO_TX, COLS(name), true}, value, text}
static const fixed_def fixed_pragmas[] = {
    FIXED("analysis_limit", 0, NULL),
    FIXED("auto_vacuum", 0, NULL),
    FIXED("cell_size_check", 0, NULL),
    FIXED("checkpoint_fullfsync", 0, NULL),
    FIXED("count_changes", 0, NULL),
    FIXED("empty_result_callbacks", 0, NULL),
    FIXED("full_column_names", 0, NULL),
    FIXED("fullfsync", 0, NULL),
    FIXED("hard_heap_limit", 0, NULL),
    FIXED("ignore_check_constraints", 0, NULL),
    FIXED("journal_size_limit", -1, NULL),
    FIXED("legacy_alter_table", 0, NULL),
    FIXED("locking_mode", 0, "normal"),
    FIXED("max_page_count", 1073741823, NULL),
    FIXED("query_only", 0, NULL),
    FIXED("read_uncommitted", 0, NULL),
    FIXED("reverse_unordered_selects", 0, NULL),
    FIXED("short_column_names", 1, NULL),
    FIXED("soft_heap_limit", 0, NULL),
    FIXED("temp_store", 0, NULL),
    FIXED("threads", 0, NULL),
    FIXED("trusted_schema", 1, NULL),
    FIXED("writable_schema", 0, NULL),
};
#undef FIXED

static const fixed_def *
fixed_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < CHORUS_ARRAY_LEN(fixed_pragmas); i++)
        if (catalog_name_eq(fixed_pragmas[i].def.name, name))
            return &fixed_pragmas[i];
    return NULL;
}

static const pragma_def *
pragma_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < CHORUS_ARRAY_LEN(pragmas); i++)
        if (catalog_name_eq(pragmas[i].name, name))
            return &pragmas[i];
    return fixed_find(name) != NULL ? &fixed_find(name)->def : NULL;
}

int
catalog_pragma_access(const ast_pragma *p)
{
    const pragma_def *def = pragma_find(p->name);

    if (def == NULL)
        return CATALOG_PRAGMA_NO_TX;
    return p->value != NULL ? def->access_set : def->access_query;
}

int
catalog_pragma_table(const char *name, const char *const **names_out)
{
    const pragma_def *def = pragma_find(name);

    *names_out = NULL;
    /* SQLite has no table for the pragmas with side effects. */
    if (def == NULL || def->run == run_wal_checkpoint || def->run == run_wal_autocheckpoint)
        return 0;
    *names_out = def->cols;
    return def->n_cols;
}

int
catalog_pragma_columns(const ast_pragma *p, const char *const **names_out)
{
    const pragma_def *def = pragma_find(p->name);

    *names_out = NULL;
    if (def == NULL || (p->value != NULL && def->silent_when_set))
        return 0;
    *names_out = def->cols;
    return def->n_cols;
}

int
catalog_pragma(const catalog_pragma_env *env, const ast_pragma *p, catalog_result *out,
               char **errmsg_out)
{
    const pragma_def *def = pragma_find(p->name);
    pragma_run r = {env, p, out, errmsg_out};
    int rc;

    *errmsg_out = NULL;
    if (p->schema != NULL && !catalog_name_eq(p->schema, env->schema_name != NULL ? env->schema_name
                                                         : env->cat->is_temp   ? "temp"
                                                                               : "main")) {
        *errmsg_out = common_mprintf("unknown database %s", p->schema);
        return CHORUS_ERROR;
    }
    if (def == NULL)
        return CHORUS_OK;               /* SQLite ignores unknown pragmas */
    out->n_cols = catalog_pragma_columns(p, &out->col_names);
    rc = def->run(&r);
    if (rc != CHORUS_OK)
        catalog_result_free(out);
    return rc;
}
