/*
 * core/catalog/define.c: turns the text of CREATE statements into catalog
 * objects (tables with their columns, constraints and autoindexes; indexes;
 * views; triggers). The same code reads sqlite_schema (load.c) and checks
 * new DDL (create.c), so a schema we write is a schema we can read.
 *
 * SQLite's rules reproduced here
 *   D1  A rowid alias (INTEGER PRIMARY KEY) is a single-column PRIMARY KEY
 *       whose declared type is exactly "INTEGER" (any case) in a rowid
 *       table; a column constraint PRIMARY KEY DESC is not an alias, while a
 *       table constraint PRIMARY KEY(x DESC) is.
 *   D2  Every other PRIMARY KEY and every UNIQUE constraint gets an
 *       autoindex sqlite_autoindex_<table>_<n>, numbered in the order the
 *       constraints appear; a constraint over the same columns and
 *       collations as an earlier one reuses its index.
 *   D3  In a WITHOUT ROWID table the primary key index is the table b-tree
 *       itself (same root, no sqlite_schema row), its columns are NOT NULL
 *       and each appears once (a repeat with the same collation is dropped).
 *   D4  A COLLATE clause may name any collation: a built-in one is stored
 *       by number, another by its process-wide id (record/collation_user.c
 *       CU1), so the schema loads on a connection that has not defined it.
 *       New DDL (create.c) passes define_collations_check: it may name only
 *       collations the connection has defined, as in sqlite3.
 *   D5  Any other index of a WITHOUT ROWID table ends its entries with the
 *       PRIMARY KEY columns that its key does not already hold with the same
 *       collation, in PK order, with the PK's collations (ki covers them);
 *       at most KEY_INFO_MAX fields in all. They keep the PK's DESC orders
 *       in a CREATE INDEX, but are ascending in an autoindex, as SQLite
 *       stores them (its ticket bba7b69f9849b5bf). Their key_info says so
 *       (layout KEY_LAYOUT_PK_SUFFIX, n_suffix), and the PK index's says
 *       KEY_LAYOUT_PK_ROW, for the version store (core/store S3).
 *   D6  A declared type spelled as one of the six standard names (ANY,
 *       BLOB, INT, INTEGER, REAL, TEXT; any case, nothing more) reads back
 *       in upper case (PRAGMA table_info, declared types of result
 *       columns), as SQLite 3.37+ keeps it; any other type as written. The
 *       stored CREATE text keeps its spelling.
 *   D7  Generated columns, as SQLite allows them: not every column, never
 *       in the PRIMARY KEY, never with a DEFAULT ("cannot use DEFAULT on a
 *       generated column" after AS, "error in generated column" before).
 *   D8  An index column's collation name reads back as written (PRAGMA
 *       index_xinfo): its COLLATE clause's, else its table column's, else
 *       the built-in name, as SQLite keeps it.
 *
 * Ownership: objects are built in the catalog's arena and are not attached
 * (schema.c attaches). Callers: load.c, create.c, alter.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

typedef struct def_ctx {
    catalog *cat;
    const char *text;               /* the statement, in the arena */
    char *err;                      /* malloc()ed message */
} def_ctx;

/* A UNIQUE/PRIMARY KEY constraint waiting to become an autoindex. */
typedef struct key_spec {
    int n;
    int16_t cols[KEY_INFO_MAX];
    uint8_t coll[KEY_INFO_MAX];
    const char *coll_name[KEY_INFO_MAX];   /* as written (D8), NULL: the built-in's */
    uint8_t desc[KEY_INFO_MAX];
    uint8_t conflict;
    char origin;
} key_spec;

static int
def_fail(def_ctx *d, const char *fmt, ...)
{
    va_list ap;

    free(d->err);
    va_start(ap, fmt);
    d->err = common_vmprintf(fmt, ap);
    va_end(ap);
    return d->err == NULL ? CHORUS_NOMEM : CHORUS_ERROR;
}

/* Parses text (copied into the arena) and checks the statement kind. */
static int
def_parse(def_ctx *d, const char *sql, int kind, ast_stmt **out)
{
    char *text = arena_strdup(&d->cat->mem, sql);
    const char *tail;
    ast_stmt *stmt = NULL;
    int rc;

    *out = NULL;
    if (text == NULL)
        return CHORUS_NOMEM;
    d->text = text;
    rc = sql_parse(text, (int)strlen(text), &d->cat->mem, &stmt, &tail, &d->err);
    if (rc != CHORUS_OK)
        return rc;
    if (stmt == NULL || stmt->kind != kind)
        return def_fail(d, "unexpected statement");
    *out = stmt;
    return CHORUS_OK;
}

static const char *
span_text(def_ctx *d, ast_span span)
{
    return arena_strndup(&d->cat->mem, d->text + span.start, span.len);
}

/* D4: any name is accepted here, so a connection that has not defined an
 * application collation still reads the schema; new DDL is checked by
 * define_collations_check. */
static int
collation_lookup(def_ctx *d, const char *name, uint8_t *out)
{
    int c = collation_find(name);

    if (c < 0)
        c = collation_user_intern(name);        /* record/collation_user.c CU1 */
    if (c < 0)
        return def_fail(d, "no such collation sequence: %s", name);
    *out = (uint8_t)c;
    return CHORUS_OK;
}

int
define_key_collation_undefined(const key_info *ki)
{
    for (int i = 0; i < ki->n_fields; i++)
        if (ki->coll[i] >= COLLATE_USER_FIRST && !collation_user_defined(ki->coll[i]))
            return ki->coll[i];
    return -1;
}

int
define_collations_check(const table_def *td, const catalog_index *idx, char **errmsg_out)
{
    int missing = idx != NULL ? define_key_collation_undefined(&idx->ki) : -1;
    strbuf sb;

    *errmsg_out = NULL;
    for (int i = 0; td != NULL && missing < 0 && i < td->pub.n_cols; i++) {
        uint8_t c = td->pub.cols[i].collation;
        if (c >= COLLATE_USER_FIRST && !collation_user_defined(c))
            missing = c;
    }
    for (int i = 0; td != NULL && missing < 0 && i < td->indexes.n; i++) {
        const catalog_index *autoindex = td->indexes.items[i];
        missing = define_key_collation_undefined(&autoindex->ki);
    }
    if (missing < 0)
        return CHORUS_OK;
    strbuf_init(&sb);
    strbuf_printf(&sb, "no such collation sequence: %s", collation_name((collation)missing));
    *errmsg_out = strbuf_finish(&sb);
    return *errmsg_out == NULL ? CHORUS_NOMEM : CHORUS_ERROR;
}

/* --- columns ----------------------------------------------------------------- */

/* SQLite's text for DEFAULT: the expression as written, without the
 * parentheses of DEFAULT (expr). */
static const char *
default_text(def_ctx *d, const ast_constraint *c)
{
    ast_span s = c->expr_span;
    const char *p = d->text + s.start;

    if (s.len >= 2 && p[0] == '(' && p[s.len - 1] == ')' && c->expr != NULL &&
        c->expr->span.start > s.start) {
        s.start++;
        s.len -= 2;
    }
    return span_text(d, s);
}

const char *
catalog_strict_type_name(int type)
{
    static const char *const names[] = {
        [CATALOG_STRICT_ANY] = "ANY",   [CATALOG_STRICT_BLOB] = "BLOB",
        [CATALOG_STRICT_INT] = "INT",   [CATALOG_STRICT_INTEGER] = "INTEGER",
        [CATALOG_STRICT_REAL] = "REAL", [CATALOG_STRICT_TEXT] = "TEXT"};

    return type > CATALOG_STRICT_NONE && type <= CATALOG_STRICT_TEXT ? names[type] : "";
}

/* Rule D6: a declared type that is one of the six standard names. */
static const char *
standard_type(const char *type)
{
    for (int t = CATALOG_STRICT_ANY; type != NULL && t <= CATALOG_STRICT_TEXT; t++)
        if (catalog_name_eq(type, catalog_strict_type_name(t)))
            return catalog_strict_type_name(t);
    return type;
}

/* A STRICT table's column must declare one of SQLite's six types. */
static int
strict_type_set(def_ctx *d, const char *table, catalog_column *col)
{
    if (col->type == NULL)
        return def_fail(d, "missing datatype for %s.%s", table, col->name);
    for (int t = CATALOG_STRICT_ANY; t <= CATALOG_STRICT_TEXT; t++) {
        if (catalog_name_eq(col->type, catalog_strict_type_name(t))) {
            col->strict_type = (uint8_t)t;
            return CHORUS_OK;
        }
    }
    return def_fail(d, "unknown datatype for %s.%s: \"%s\"", table, col->name, col->type);
}

/* --- constraints to key specs -------------------------------------------------- */

static bool
key_spec_same(const key_spec *a, const key_spec *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (a->cols[i] != b->cols[i] || a->coll[i] != b->coll[i])
            return false;
    return true;
}

/* The column an item of a table constraint names, with its COLLATE. */
static int
spec_item(def_ctx *d, const catalog_table *t, const ast_list_item *it, key_spec *ks)
{
    const ast_expr *e = it->expr;
    const char *coll_name = it->collation;
    int col;

    if (e != NULL && e->kind == EXPR_COLLATE) {
        coll_name = e->name;
        e = e->left;
    }
    if (e == NULL || (e->kind != EXPR_COLUMN && e->kind != EXPR_STRING) ||
        (e->kind == EXPR_COLUMN && e->table != NULL))
        return def_fail(d, "expressions prohibited in PRIMARY KEY and UNIQUE constraints");
    col = catalog_table_column_find(t, e->kind == EXPR_COLUMN ? e->name : e->str);
    if (col < 0)
        return def_fail(d, "no such column: %s", e->kind == EXPR_COLUMN ? e->name : e->str);
    if (ks->n == KEY_INFO_MAX)
        return def_fail(d, "too many columns in index");
    ks->cols[ks->n] = (int16_t)col;
    ks->coll[ks->n] = t->cols[col].collation;
    ks->coll_name[ks->n] = coll_name != NULL ? coll_name : t->cols[col].collation_name;
    ks->desc[ks->n] = it->order == AST_ORDER_DESC;
    if (coll_name != NULL) {
        int rc = collation_lookup(d, coll_name, &ks->coll[ks->n]);
        if (rc != CHORUS_OK)
            return rc;
    }
    ks->n++;
    return CHORUS_OK;
}

typedef struct table_build {
    def_ctx *d;
    table_def *td;
    catalog_column *cols;
    key_spec specs[KEY_INFO_MAX];
    int n_specs;
    int pk_spec;                    /* index in specs of the PRIMARY KEY, or -1 */
    bool pk_is_column;              /* declared as a column constraint */
    bool pk_autoinc;
    catalog_check checks[64];
    int n_checks;
    catalog_fkey fkeys[64];
    int n_fkeys;
} table_build;

static int
spec_add(table_build *b, const key_spec *ks, bool is_pk, bool is_column, bool autoinc)
{
    if (is_pk) {
        if (b->pk_spec >= 0)
            return def_fail(b->d, "table \"%s\" has more than one primary key", b->td->pub.name);
        b->pk_is_column = is_column;
        b->pk_autoinc = autoinc;
    }
    if (b->n_specs == (int)CHORUS_ARRAY_LEN(b->specs))
        return def_fail(b->d, "too many constraints on table %s", b->td->pub.name);
    b->specs[b->n_specs] = *ks;
    if (is_pk)
        b->pk_spec = b->n_specs;
    b->n_specs++;
    return CHORUS_OK;
}

static int
check_add(table_build *b, const ast_constraint *c)
{
    if (b->n_checks == (int)CHORUS_ARRAY_LEN(b->checks))
        return def_fail(b->d, "too many CHECK constraints on table %s", b->td->pub.name);
    b->checks[b->n_checks].name = c->name;
    b->checks[b->n_checks].expr = c->expr;
    b->n_checks++;
    return CHORUS_OK;
}

static int
fkey_add(table_build *b, const ast_constraint *c, int16_t column)
{
    arena *a = &b->d->cat->mem;
    catalog_fkey *fk;
    int n = column >= 0 ? 1 : c->columns.n;
    int16_t *from;
    const char **to = NULL;

    if (b->n_fkeys == (int)CHORUS_ARRAY_LEN(b->fkeys))
        return def_fail(b->d, "too many foreign keys on table %s", b->td->pub.name);
    from = arena_alloc(a, sizeof *from * (size_t)(n ? n : 1));
    if (from == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n; i++) {
        const ast_list_item *it = column >= 0 ? NULL : &c->columns.items[i];
        const char *name = it == NULL ? NULL : (it->name ? it->name : it->expr ? it->expr->name : NULL);
        from[i] = column >= 0 ? column : (int16_t)catalog_table_column_find(&b->td->pub, name);
        if (from[i] < 0)
            return def_fail(b->d, "unknown column \"%s\" in foreign key definition",
                            name ? name : "?");
    }
    if (c->fk_columns.n > 0) {
        if (column >= 0 && c->fk_columns.n != 1)
            return def_fail(b->d, "foreign key on %s should reference only one column of "
                                  "table %s", b->td->pub.cols[column].name, c->fk_table);
        if (c->fk_columns.n != n)
            return def_fail(b->d, "number of columns in foreign key does not match the number "
                                  "of columns in the referenced table");
        to = arena_alloc(a, sizeof *to * (size_t)n);
        if (to == NULL)
            return CHORUS_NOMEM;
        for (int i = 0; i < n; i++) {
            const ast_list_item *it = &c->fk_columns.items[i];
            to[i] = it->name ? it->name : it->expr ? it->expr->name : NULL;
        }
    }
    fk = &b->fkeys[b->n_fkeys++];
    fk->n_cols = n;
    fk->from_cols = from;
    fk->to_table = c->fk_table;
    fk->to_cols = to;
    fk->on_delete = c->on_delete;
    fk->on_update = c->on_update;
    fk->deferred = c->deferred;
    return CHORUS_OK;
}

/* One column constraint of column i. */
static int
column_constraint(table_build *b, int i, const ast_constraint *c)
{
    catalog_column *col = &b->cols[i];
    key_spec ks;

    memset(&ks, 0, sizeof ks);
    switch (c->kind) {
    case AST_CONS_PRIMARY_KEY:
    case AST_CONS_UNIQUE:
        ks.n = 1;
        ks.cols[0] = (int16_t)i;
        ks.coll[0] = col->collation;
        ks.coll_name[0] = col->collation_name;
        ks.desc[0] = c->kind == AST_CONS_PRIMARY_KEY && c->order == AST_ORDER_DESC;
        ks.conflict = c->conflict;
        ks.origin = c->kind == AST_CONS_PRIMARY_KEY ? CATALOG_INDEX_PK : CATALOG_INDEX_UNIQUE;
        if (c->kind == AST_CONS_PRIMARY_KEY)
            b->td->pub.pk_conflict = c->conflict;
        return spec_add(b, &ks, c->kind == AST_CONS_PRIMARY_KEY, true, c->autoincrement);
    case AST_CONS_NOT_NULL:
        col->not_null = true;
        col->not_null_conflict = c->conflict;
        return CHORUS_OK;
    case AST_CONS_CHECK:
        return check_add(b, c);
    case AST_CONS_DEFAULT:
        if (col->generated_expr != NULL)
            return def_fail(b->d, "cannot use DEFAULT on a generated column");   /* D7 */
        col->default_expr = c->expr;
        col->default_text = default_text(b->d, c);
        return col->default_text == NULL ? CHORUS_NOMEM : CHORUS_OK;
    case AST_CONS_COLLATE:
        col->collation_name = c->collation;
        return collation_lookup(b->d, c->collation, &col->collation);
    case AST_CONS_FOREIGN_KEY:
        return fkey_add(b, c, (int16_t)i);
    case AST_CONS_GENERATED:
        if (col->default_expr != NULL)
            return def_fail(b->d, "error in generated column \"%s\"", col->name);     /* D7 */
        col->generated_expr = c->expr;
        col->hidden = c->is_stored ? CATALOG_COL_STORED : CATALOG_COL_VIRTUAL;
        b->td->pub.n_generated++;
        return CHORUS_OK;
    default:
        return CHORUS_OK;
    }
}

/* Rule D7: where a table may have generated columns. */
static int
generated_columns_check(table_build *b)
{
    const catalog_table *t = &b->td->pub;
    int n_plain = 0;

    for (int i = 0; i < t->n_cols; i++)
        n_plain += b->cols[i].generated_expr == NULL;
    if (n_plain == 0)
        return def_fail(b->d, "must have at least one non-generated column");
    for (int k = 0; b->pk_spec >= 0 && k < b->specs[b->pk_spec].n; k++)
        if (b->cols[b->specs[b->pk_spec].cols[k]].generated_expr != NULL)
            return def_fail(b->d, "generated columns cannot be part of the PRIMARY KEY");
    return CHORUS_OK;
}

/* Columns with their types and constraints. COLLATE is applied before the
 * key constraints of the same column read it, so collations come first. */
static int
table_columns(table_build *b, const ast_create_table *ct)
{
    int n = 0, rc;

    for (const ast_column_def *cd = ct->columns; cd != NULL; cd = cd->next)
        n++;
    b->cols = arena_alloc(&b->d->cat->mem, sizeof *b->cols * (size_t)(n ? n : 1));
    if (b->cols == NULL)
        return CHORUS_NOMEM;
    b->td->pub.cols = b->cols;
    n = 0;
    for (const ast_column_def *cd = ct->columns; cd != NULL; cd = cd->next, n++) {
        catalog_column *col = &b->cols[n];
        if (catalog_table_column_find(&b->td->pub, cd->name) >= 0)
            return def_fail(b->d, "duplicate column name: %s", cd->name);
        col->name = cd->name;
        col->type = standard_type(cd->type);                /* D6 */
        col->affinity = affinity_from_type(cd->type);
        if (ct->is_strict && cd->type != NULL && catalog_name_eq(cd->type, "ANY"))
            col->affinity = AFFINITY_BLOB;
        col->collation = COLLATE_BINARY;
        b->td->pub.n_cols = n + 1;
        if (ct->is_strict && (rc = strict_type_set(b->d, b->td->pub.name, col)) != CHORUS_OK)
            return rc;
        for (const ast_constraint *c = cd->constraints; c != NULL; c = c->next)
            if (c->kind == AST_CONS_COLLATE && (rc = column_constraint(b, n, c)) != CHORUS_OK)
                return rc;
        for (const ast_constraint *c = cd->constraints; c != NULL; c = c->next)
            if (c->kind != AST_CONS_COLLATE && (rc = column_constraint(b, n, c)) != CHORUS_OK)
                return rc;
    }
    return CHORUS_OK;
}

static int
table_constraints(table_build *b, const ast_create_table *ct)
{
    int rc = CHORUS_OK;

    for (const ast_constraint *c = ct->constraints; c != NULL && rc == CHORUS_OK; c = c->next) {
        key_spec ks;
        memset(&ks, 0, sizeof ks);
        switch (c->kind) {
        case AST_CONS_PRIMARY_KEY:
        case AST_CONS_UNIQUE:
            for (int i = 0; i < c->columns.n && rc == CHORUS_OK; i++)
                rc = spec_item(b->d, &b->td->pub, &c->columns.items[i], &ks);
            if (rc != CHORUS_OK)
                return rc;
            ks.conflict = c->conflict;
            ks.origin = c->kind == AST_CONS_PRIMARY_KEY ? CATALOG_INDEX_PK : CATALOG_INDEX_UNIQUE;
            if (c->kind == AST_CONS_PRIMARY_KEY)
                b->td->pub.pk_conflict = c->conflict;
            rc = spec_add(b, &ks, c->kind == AST_CONS_PRIMARY_KEY, false, c->autoincrement);
            break;
        case AST_CONS_CHECK:
            rc = check_add(b, c);
            break;
        case AST_CONS_FOREIGN_KEY:
            rc = fkey_add(b, c, -1);
            break;
        default:
            break;
        }
    }
    return rc;
}

/* --- primary key and autoindexes ---------------------------------------------- */

/* Rule D1 (without_rowid false: whether the key has an alias's shape). */
static bool
is_rowid_alias(const table_build *b, bool without_rowid)
{
    const key_spec *pk;

    if (b->pk_spec < 0 || without_rowid)
        return false;
    pk = &b->specs[b->pk_spec];
    if (pk->n != 1 || b->cols[pk->cols[0]].type == NULL ||
        !catalog_name_eq(b->cols[pk->cols[0]].type, "INTEGER"))
        return false;
    return !(b->pk_is_column && pk->desc[0]);
}

static int
autoindex_build(table_build *b, const key_spec *ks, int number, catalog_index **out)
{
    arena *a = &b->d->cat->mem;
    catalog_index *idx = arena_alloc(a, sizeof *idx);
    catalog_index_column *cols = arena_alloc(a, sizeof *cols * (size_t)ks->n);
    strbuf name;

    if (idx == NULL || cols == NULL)
        return CHORUS_NOMEM;
    strbuf_init(&name);
    strbuf_printf(&name, "sqlite_autoindex_%s_%d", b->td->pub.name, number);
    idx->name = name.failed ? NULL : arena_strdup(a, name.data);
    strbuf_free(&name);
    if (idx->name == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < ks->n; i++) {
        cols[i].column = ks->cols[i];
        cols[i].desc = ks->desc[i];
        cols[i].collation = ks->coll[i];
        cols[i].collation_name = ks->coll_name[i] != NULL ? ks->coll_name[i]
                                                          : collation_name(ks->coll[i]);   /* D8 */
        idx->ki.desc[i] = ks->desc[i];
        idx->ki.coll[i] = ks->coll[i];
    }
    idx->ki.n_fields = ks->n;
    idx->table = &b->td->pub;
    idx->n_cols = ks->n;
    idx->cols = cols;
    idx->unique = true;
    idx->on_conflict = ks->conflict;
    idx->origin = ks->origin;
    *out = idx;
    return CHORUS_OK;
}

/* Rule D5: the PK suffix of idx, a secondary index of a WITHOUT ROWID
 * table (whose PK index is already built). */
static int
index_suffix(def_ctx *d, catalog_index *idx)
{
    const catalog_table *t = idx->table;
    const catalog_index *pk = catalog_table_pk_index(t);
    int16_t *suffix;
    int n = 0;

    if (pk != NULL && catalog_index_is_table(idx))
        idx->ki.layout = KEY_LAYOUT_PK_ROW;
    if (pk == NULL || catalog_index_is_table(idx))
        return CHORUS_OK;
    suffix = arena_alloc(&d->cat->mem, sizeof *suffix * (size_t)t->n_pk);
    if (suffix == NULL)
        return CHORUS_NOMEM;
    for (int k = 0; k < t->n_pk; k++) {
        bool dup = false;
        for (int i = 0; i < idx->n_cols && !dup; i++)
            dup = idx->cols[i].column == pk->cols[k].column &&
                  idx->cols[i].collation == pk->cols[k].collation;
        if (dup)
            continue;
        if (idx->n_cols + n >= KEY_INFO_MAX)
            return def_fail(d, "too many columns on %s", idx->name);
        suffix[n] = pk->cols[k].column;
        idx->ki.coll[idx->n_cols + n] = pk->cols[k].collation;
        idx->ki.desc[idx->n_cols + n] = idx->origin == CATALOG_INDEX_CREATE && pk->cols[k].desc;
        n++;
    }
    idx->suffix = suffix;
    idx->n_suffix = n;
    idx->ki.n_fields = idx->n_cols + n;
    idx->ki.layout = KEY_LAYOUT_PK_SUFFIX;
    idx->ki.n_suffix = (uint16_t)n;
    return CHORUS_OK;
}

/* Rule D2: one index per distinct key spec, numbered in order. */
static int
table_autoindexes(table_build *b, bool alias)
{
    catalog_index *made[CHORUS_ARRAY_LEN(b->specs)];
    int number = 0;

    for (int i = 0; i < b->n_specs; i++) {
        key_spec *ks = &b->specs[i];
        int rc, dup = -1;
        made[i] = NULL;
        if (alias && i == b->pk_spec)
            continue;
        for (int j = 0; j < i && dup < 0; j++)
            if (made[j] != NULL && key_spec_same(&b->specs[j], ks))
                dup = j;
        if (dup >= 0) {
            key_spec *old = &b->specs[dup];
            if (old->conflict != ks->conflict && old->conflict != AST_CONFLICT_DEFAULT &&
                ks->conflict != AST_CONFLICT_DEFAULT)
                return def_fail(b->d, "conflicting ON CONFLICT clauses specified");
            if (i == b->pk_spec) {
                made[dup]->origin = CATALOG_INDEX_PK;
                if (b->td->pub.without_rowid)
                    made[dup]->root = b->td->pub.root;  /* rule D3 */
            }
            continue;
        }
        rc = autoindex_build(b, ks, ++number, &made[i]);
        if (rc == CHORUS_OK)
            rc = ptr_list_push(&b->td->indexes, made[i]);
        if (rc != CHORUS_OK)
            return rc;
        if (i == b->pk_spec && b->td->pub.without_rowid)
            made[i]->root = b->td->pub.root;        /* rule D3 */
    }
    catalog_table_sync(b->td);
    for (int i = 0; i < b->td->indexes.n; i++) {
        int rc = index_suffix(b->d, b->td->indexes.items[i]);      /* rule D5 */
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* Rule D3: a WITHOUT ROWID key names each column (and collation) once, as
 * SQLite drops the repeats: PRIMARY KEY(a, a) is PRIMARY KEY(a). */
static void
key_spec_dedupe(key_spec *ks)
{
    int n = 0;

    for (int i = 0; i < ks->n; i++) {
        bool dup = false;
        for (int k = 0; k < n && !dup; k++)
            dup = ks->cols[k] == ks->cols[i] && ks->coll[k] == ks->coll[i];
        if (dup)
            continue;
        ks->cols[n] = ks->cols[i];
        ks->coll[n] = ks->coll[i];
        ks->desc[n] = ks->desc[i];
        n++;
    }
    ks->n = n;
}

static int
table_primary_key(table_build *b, const ast_create_table *ct)
{
    catalog_table *t = &b->td->pub;
    bool alias = is_rowid_alias(b, ct->without_rowid);
    int16_t *pk;

    t->rowid_alias = -1;
    if (ct->without_rowid && b->pk_spec < 0)
        return def_fail(b->d, "PRIMARY KEY missing on table %s", t->name);
    if (b->pk_autoinc && !is_rowid_alias(b, false))
        return def_fail(b->d, "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
    if (b->pk_autoinc && ct->without_rowid)
        return def_fail(b->d, "AUTOINCREMENT not allowed on WITHOUT ROWID tables");
    t->autoincrement = b->pk_autoinc;
    if (b->pk_spec < 0)
        return table_autoindexes(b, false);
    if (ct->without_rowid)
        key_spec_dedupe(&b->specs[b->pk_spec]);
    const key_spec *ks = &b->specs[b->pk_spec];
    pk = arena_alloc(&b->d->cat->mem, sizeof *pk * (size_t)ks->n);
    if (pk == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < ks->n; i++) {
        pk[i] = ks->cols[i];
        b->cols[ks->cols[i]].is_pk = true;
        if (ct->without_rowid)
            b->cols[ks->cols[i]].not_null = true;   /* rule D3 */
    }
    t->n_pk = ks->n;
    t->pk_cols = pk;
    if (alias)
        t->rowid_alias = ks->cols[0];
    return table_autoindexes(b, alias);
}

/* Record positions: VIRTUAL generated columns are not stored; a WITHOUT
 * ROWID table's records hold the primary key columns first. */
static void
table_stored_index(table_build *b)
{
    const catalog_table *t = &b->td->pub;
    int16_t next = 0;

    for (int i = 0; i < t->n_cols; i++)
        b->cols[i].stored_index = -2;
    for (int k = 0; t->without_rowid && k < t->n_pk; k++)
        b->cols[t->pk_cols[k]].stored_index = next++;
    for (int i = 0; i < t->n_cols; i++)
        if (b->cols[i].stored_index == -2)
            b->cols[i].stored_index = b->cols[i].hidden == CATALOG_COL_VIRTUAL ? -1 : next++;
}

static int
table_copy_lists(table_build *b)
{
    arena *a = &b->d->cat->mem;
    catalog_table *t = &b->td->pub;

    if (b->n_checks > 0) {
        catalog_check *c = arena_alloc(a, sizeof *c * (size_t)b->n_checks);
        if (c == NULL)
            return CHORUS_NOMEM;
        memcpy(c, b->checks, sizeof *c * (size_t)b->n_checks);
        t->checks = c;
        t->n_checks = b->n_checks;
    }
    if (b->n_fkeys > 0) {
        catalog_fkey *f = arena_alloc(a, sizeof *f * (size_t)b->n_fkeys);
        if (f == NULL)
            return CHORUS_NOMEM;
        memcpy(f, b->fkeys, sizeof *f * (size_t)b->n_fkeys);
        t->fkeys = f;
        t->n_fkeys = b->n_fkeys;
    }
    return CHORUS_OK;
}

static int
table_from_ast(def_ctx *d, const ast_create_table *ct, uint32_t root, table_def *td)
{
    table_build *b = calloc(1, sizeof *b);
    int rc;

    if (b == NULL)
        return CHORUS_NOMEM;
    b->d = d;
    b->td = td;
    b->pk_spec = -1;
    td->ast = ct;
    td->pub.name = ct->name;
    td->pub.sql = d->text;
    td->pub.root = root;
    td->pub.is_temp = d->cat->is_temp;
    td->pub.without_rowid = ct->without_rowid;
    td->pub.is_strict = ct->is_strict;
    td->pub.rowid_alias = -1;
    if (ct->columns == NULL)
        rc = def_fail(d, "no columns in table %s", ct->name);
    else
        rc = table_columns(b, ct);
    if (rc == CHORUS_OK)
        rc = table_constraints(b, ct);
    if (rc == CHORUS_OK)
        rc = generated_columns_check(b);
    if (rc == CHORUS_OK)
        rc = table_primary_key(b, ct);
    if (rc == CHORUS_OK)
        rc = table_copy_lists(b);
    if (rc == CHORUS_OK)
        table_stored_index(b);
    free(b);
    return rc;
}

int
define_table(catalog *cat, const char *sql, uint32_t root, table_def **out, char **errmsg_out)
{
    def_ctx d = {cat, NULL, NULL};
    ast_stmt *stmt;
    table_def *td;
    int rc;

    *out = NULL;
    *errmsg_out = NULL;
    rc = def_parse(&d, sql, STMT_CREATE_TABLE, &stmt);
    if (rc == CHORUS_OK && stmt->u.create_table.as_select != NULL)
        rc = def_fail(&d, "unexpected CREATE TABLE AS");
    if (rc != CHORUS_OK)
        goto fail;
    td = arena_alloc(&cat->mem, sizeof *td);
    if (td == NULL) {
        rc = CHORUS_NOMEM;
        goto fail;
    }
    rc = table_from_ast(&d, &stmt->u.create_table, root, td);
    if (rc != CHORUS_OK) {
        ptr_list_free(&td->indexes);
        goto fail;
    }
    *out = td;
    return CHORUS_OK;
fail:
    *errmsg_out = d.err;
    return rc;
}

int
define_schema_table(catalog *cat, table_def **out)
{
    char *err = NULL;
    int rc = define_table(cat,
                          "CREATE TABLE sqlite_schema(type text,name text,tbl_name text,"
                          "rootpage int,sql text)",
                          1, out, &err);

    free(err);
    if (rc == CHORUS_OK)
        (*out)->pub.sql = NULL;
    return rc == CHORUS_NOMEM ? rc : rc != CHORUS_OK ? CHORUS_INTERNAL : CHORUS_OK;
}

/* --- indexes ------------------------------------------------------------------ */

static int
index_column(def_ctx *d, const catalog_table *t, const ast_list_item *it,
             catalog_index_column *col)
{
    const ast_expr *e = it->expr;
    const char *coll_name = it->collation;
    int c;

    if (e != NULL && e->kind == EXPR_COLLATE) {
        coll_name = e->name;
        e = e->left;
    }
    col->desc = it->order == AST_ORDER_DESC;
    col->collation = COLLATE_BINARY;
    c = e != NULL && e->kind == EXPR_COLUMN && e->table == NULL
            ? catalog_table_column_find(t, e->name) : -1;
    if (c >= 0) {                                   /* index_target: never the rowid (DC5) */
        col->column = (int16_t)c;
        col->collation = t->cols[c].collation;
    } else {
        col->column = CATALOG_COLUMN_EXPR;
        col->expr = it->expr;
        if (it->expr != NULL && it->expr->kind == EXPR_COLLATE)
            col->expr = it->expr->left;
    }
    if (coll_name != NULL) {
        int rc = collation_lookup(d, coll_name, &col->collation);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (coll_name != NULL)
        col->collation_name = coll_name;                            /* D8 */
    else if (col->column >= 0 && t->cols[col->column].collation_name != NULL)
        col->collation_name = t->cols[col->column].collation_name;
    else
        col->collation_name = collation_name(col->collation);
    return CHORUS_OK;
}

/* The table ci indexes, in cat (of schema schema_name, NULL: main or temp),
 * with the columns ci names by name; with_functions: a CREATE's function
 * checks too (ddl_check.c DC6). */
static int
index_target(def_ctx *d, const catalog *cat, const char *schema_name,
             const ast_create_index *ci, bool with_functions, const catalog_table **out)
{
    const catalog_table *t = catalog_table_find(cat, ci->table);

    *out = NULL;
    if (t == NULL) {
        if (catalog_view_find(cat, ci->table) != NULL)
            return def_fail(d, "views may not be indexed");
        return def_fail(d, "no such table: %s.%s",
                        schema_name ? schema_name : cat->is_temp ? "temp" : "main", ci->table);
    }
    if (t == &cat->schema_table->pub || catalog_name_is_reserved(t->name))
        return def_fail(d, "table %s may not be indexed", ci->table);
    if (ci->columns.n > KEY_INFO_MAX)
        return def_fail(d, "too many columns in index %s", ci->name);
    if (ddl_index_exprs_check(t, ci, with_functions, &d->err) != CHORUS_OK)   /* DC5, DC6 */
        return d->err == NULL ? CHORUS_NOMEM : CHORUS_ERROR;
    *out = t;
    return CHORUS_OK;
}

int
define_index_check(const catalog *cat, const char *schema_name, const ast_create_index *ci,
                   char **err_out)
{
    def_ctx d = {NULL, NULL, NULL};             /* reads cat only (ddl_check.c DC2) */
    const catalog_table *t;
    int rc = index_target(&d, cat, schema_name, ci, true, &t);

    *err_out = d.err;
    return rc;
}

static int
index_from_ast(def_ctx *d, const ast_create_index *ci, uint32_t root, catalog_index *idx)
{
    const catalog_table *t;
    catalog_index_column *cols;
    int rc = index_target(d, d->cat, NULL, ci, false, &t);

    if (rc != CHORUS_OK)
        return rc;
    cols = arena_alloc(&d->cat->mem, sizeof *cols * (size_t)(ci->columns.n ? ci->columns.n : 1));
    if (cols == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < ci->columns.n; i++) {
        rc = index_column(d, t, &ci->columns.items[i], &cols[i]);
        if (rc != CHORUS_OK)
            return rc;
        idx->ki.desc[i] = cols[i].desc;
        idx->ki.coll[i] = cols[i].collation;
    }
    idx->ki.n_fields = ci->columns.n;
    idx->name = ci->name;
    idx->sql = d->text;
    idx->table = t;
    idx->root = root;
    idx->n_cols = ci->columns.n;
    idx->cols = cols;
    idx->unique = ci->is_unique;
    idx->on_conflict = AST_CONFLICT_DEFAULT;
    idx->origin = CATALOG_INDEX_CREATE;
    idx->where = ci->where;
    return index_suffix(d, idx);                    /* rule D5 */
}

int
define_index(catalog *cat, const char *sql, uint32_t root, catalog_index **out,
             char **errmsg_out)
{
    def_ctx d = {cat, NULL, NULL};
    ast_stmt *stmt;
    catalog_index *idx;
    int rc;

    *out = NULL;
    rc = def_parse(&d, sql, STMT_CREATE_INDEX, &stmt);
    if (rc == CHORUS_OK) {
        idx = arena_alloc(&cat->mem, sizeof *idx);
        rc = idx == NULL ? CHORUS_NOMEM : index_from_ast(&d, &stmt->u.create_index, root, idx);
    }
    *errmsg_out = d.err;
    if (rc == CHORUS_OK)
        *out = idx;
    return rc;
}

/* --- views and triggers -------------------------------------------------------- */

int
define_view(catalog *cat, const char *sql, catalog_view **out, char **errmsg_out)
{
    def_ctx d = {cat, NULL, NULL};
    ast_stmt *stmt;
    catalog_view *v;
    int rc;

    *out = NULL;
    rc = def_parse(&d, sql, STMT_CREATE_VIEW, &stmt);
    *errmsg_out = d.err;
    if (rc != CHORUS_OK)
        return rc;
    v = arena_alloc(&cat->mem, sizeof *v);
    if (v == NULL)
        return CHORUS_NOMEM;
    v->name = stmt->u.create_view.name;
    v->sql = d.text;
    v->columns = &stmt->u.create_view.columns;
    v->select = stmt->u.create_view.select;
    *out = v;
    return CHORUS_OK;
}

int
define_trigger(catalog *cat, const char *sql, catalog_trigger **out, char **errmsg_out)
{
    def_ctx d = {cat, NULL, NULL};
    ast_stmt *stmt;
    catalog_trigger *tr;
    int rc;

    *out = NULL;
    rc = def_parse(&d, sql, STMT_CREATE_TRIGGER, &stmt);
    *errmsg_out = d.err;
    if (rc != CHORUS_OK)
        return rc;
    tr = arena_alloc(&cat->mem, sizeof *tr);
    if (tr == NULL)
        return CHORUS_NOMEM;
    tr->name = stmt->u.create_trigger.name;
    tr->sql = d.text;
    tr->table = stmt->u.create_trigger.table;
    tr->ast = &stmt->u.create_trigger;
    *out = tr;
    return CHORUS_OK;
}
