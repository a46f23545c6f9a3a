/*
 * core/catalog/catalog_int.h: layouts and functions shared by the files of
 * the catalog module only (never included from outside core/catalog).
 *
 * Memory: every object of a catalog (its strings, the ASTs of its CREATE
 * statements, column and index arrays) lives in the catalog's arena and is
 * freed with the catalog. Only the growable pointer lists (the catalog's
 * object lists and each table's index and trigger lists) are malloc()ed,
 * because they change size as DDL edits an editable catalog.
 */
#ifndef CHORUS_CATALOG_INT_H
#define CHORUS_CATALOG_INT_H

#include <stdatomic.h>

#include "catalog.h"
#include "store.h"

/* A growable list of object pointers (malloc()ed array). */
typedef struct ptr_list {
    void **items;
    int n;
    int cap;
} ptr_list;

int ptr_list_push(ptr_list *l, void *p);
void ptr_list_remove_at(ptr_list *l, int i);
void ptr_list_free(ptr_list *l);

/*
 * A table with the lists DDL edits. The public part comes first so a
 * catalog_table pointer of this catalog converts to its table_def.
 */
typedef struct table_def {
    catalog_table pub;
    ptr_list indexes;               /* catalog_index *, creation order; pub.indexes
                                       mirrors it (catalog_table_sync) */
    ptr_list triggers;              /* catalog_trigger * */
    const ast_create_table *ast;    /* NULL for sqlite_schema */
} table_def;

struct catalog {
    _Atomic int refs;               /* atomic; the owner of the last reference frees */
    uint32_t cookie;                /* immutable once published */
    arena mem;                      /* owns every object below */
    table_def *schema_table;        /* sqlite_schema, root page 1 */
    ptr_list tables;                /* table_def *, schema order */
    ptr_list indexes;               /* catalog_index * */
    ptr_list views;                 /* catalog_view * */
    ptr_list triggers;              /* catalog_trigger * */
    catalog *retired;               /* owned: contents replaced by ALTER (alter.c), kept
                                       alive until this catalog is freed */
    bool is_temp;                   /* the temp schema of a connection (catalog_set_temp) */
    _Atomic(catalog_writer *) spare_writer; /* owned: a closed writer whose buffers the
                                       next catalog_writer_open reuses (writer.c); atomic:
                                       connections of a published catalog open writers
                                       concurrently */
};

static inline table_def *
table_def_of(const catalog_table *t)
{
    return (table_def *)t;
}

/* --- schema.c: objects, lists, lookups ---------------------------------- */

int catalog_new(catalog **out);
/* Case-insensitive ASCII comparisons. */
int catalog_name_cmp(const char *a, const char *b);
bool catalog_name_eq(const char *a, const char *b);
bool catalog_name_is_reserved(const char *name);      /* sqlite_ prefix */
/* Re-points pub.indexes/pub.triggers at the lists after they change. */
void catalog_table_sync(table_def *td);
/* Adds a detached table (and the autoindexes it carries) to cat. */
int catalog_table_attach(catalog *cat, table_def *td);
int catalog_index_attach(catalog *cat, catalog_index *idx);
int catalog_view_attach(catalog *cat, catalog_view *v);
int catalog_trigger_attach(catalog *cat, catalog_trigger *tr);
/* Remove objects from cat (memory stays in the arena until the catalog is
 * freed). Removing a table removes its indexes and triggers. */
void catalog_table_detach(catalog *cat, const catalog_table *t);
void catalog_index_detach(catalog *cat, const catalog_index *idx);
void catalog_view_detach(catalog *cat, const catalog_view *v);
void catalog_trigger_detach(catalog *cat, const catalog_trigger *tr);
/* Any object of any kind by name: 't'able, 'v'iew, 'i'ndex, 'r' trigger, 0. */
char catalog_object_kind(const catalog *cat, const char *name);

/* --- define.c: CREATE statements to objects ----------------------------- */

/*
 * Each parses sql (a stored or normalized CREATE statement) into cat's arena
 * and builds the object without adding it to cat. Errors: CHORUS_ERROR with
 * *errmsg_out (malloc()ed) in SQLite's words, CHORUS_NOMEM.
 * The table's autoindexes are named sqlite_autoindex_<t>_<n> with root 0
 * until the caller sets them.
 */
int define_table(catalog *cat, const char *sql, uint32_t root, table_def **out,
                 char **errmsg_out);
int define_index(catalog *cat, const char *sql, uint32_t root, catalog_index **out,
                 char **errmsg_out);
int define_view(catalog *cat, const char *sql, catalog_view **out, char **errmsg_out);
int define_trigger(catalog *cat, const char *sql, catalog_trigger **out, char **errmsg_out);
/* Builds sqlite_schema's own table object. */
int define_schema_table(catalog *cat, table_def **out);
/* define.c D4: CHORUS_ERROR with "no such collation sequence: X" in
 * *errmsg_out (malloc()ed) when td's columns and autoindexes or idx (either
 * may be NULL) name a collation the thread's scope does not define. */
int define_collations_check(const table_def *td, const catalog_index *idx, char **errmsg_out);
/* The first user collation of ki that the thread's scope does not define,
 * or -1 (define.c D4). */
int define_key_collation_undefined(const key_info *ki);

/* --- writer.c: the write context ---------------------------------------- */

typedef struct writer_slot {
    uint32_t root;
    const key_info *ki;             /* borrowed from the index (NULL: table) */
    store_cursor *cur;              /* owned */
} writer_slot;

/*
 * The sqlite_sequence row of one AUTOINCREMENT table, read on the
 * statement's first rowid allocation and written back once, when the
 * statement's writes end (writer_seq_flush), as SQLite does.
 */
typedef struct writer_seq {
    const catalog_table *t;         /* borrowed from the writer's catalog */
    int64_t row;                    /* its rowid in sqlite_sequence, 0 if none yet */
    int64_t seq;                    /* the largest rowid the table has used */
    bool dirty;                     /* seq grew: write it back */
} writer_seq;

struct catalog_writer {
    pager_tx *tx;                   /* borrowed; a write transaction */
    store_tx own_st;                /* the B-tree path over tx (catalog_writer_open) */
    store_tx *st;                   /* what the cursors use: own_st, or borrowed */
    catalog *cat;                   /* borrowed */
    const catalog *main;            /* borrowed, or NULL: for a temp catalog's writer, the
                                       main catalog whose tables and views TEMP triggers
                                       may name (catalog_writer_set_main) */
    const char *schema_name;        /* borrowed, or NULL: the attached database's name
                                       (catalog_writer_set_schema_name) */
    catalog_hooks hooks;
    char *errmsg;                   /* owned; NULL when no failure */
    int conflict;                   /* action of the last constraint failure */
    writer_slot *cursors;           /* owned, n_cursors used */
    int n_cursors, cap_cursors;
    value *row;                     /* new row after affinity: cap_row values */
    value *old;                     /* the row being updated or deleted */
    value *tmp;                     /* a conflicting row being replaced */
    value *enc;                     /* a row laid out as its record (borrowed copies) */
    int cap_row;
    value key[KEY_INFO_MAX + 1];    /* an index key being built (+ rowid) */
    value key2[KEY_INFO_MAX + 1];   /* a second key (old row, deleted row) */
    uint8_t *buf;                   /* owned record buffer (encoding) */
    size_t cap_buf;
    uint8_t *rowbuf[2];             /* owned copies of rows read back: old, tmp */
    size_t cap_rowbuf[2];
    record_cursor rec[2];           /* their decoders */
    writer_seq *seqs;               /* owned: AUTOINCREMENT counters of the statement */
    int n_seqs, cap_seqs;
    int n_row_used;                 /* row/old/tmp values that may own memory */
    uint64_t rand_state;            /* random rowids */
};

/* --- ddl_check.c: DDL checks that only read the schema (DC1) ---------- */

/* What a DDL check reads: the target catalog, and the writer's context. */
typedef struct ddl_scope {
    const catalog *cat;             /* the schema the statement changes */
    const catalog *main;            /* for a temp catalog: main's (TEMP triggers may name
                                       its tables), else NULL */
    const char *schema_name;        /* an attached database's name, else NULL */
} ddl_scope;

static inline ddl_scope
writer_scope(const catalog_writer *w)
{
    ddl_scope s = {w->cat, w->main, w->schema_name};
    return s;
}

/*
 * Each returns CHORUS_OK, or CHORUS_ERROR (CHORUS_NOMEM) with *err_out
 * malloc()ed in SQLite's words. *exists_out / *absent_out: an IF [NOT]
 * EXISTS statement that has nothing to do.
 */
int ddl_scope_schema_check(const ddl_scope *s, const char *schema, char **err_out);
/* kind: 't', 'v' or 'i' (tables, views and indexes share one name space). */
int ddl_scope_name_check(const ddl_scope *s, const char *schema, const char *name, char kind,
                         bool if_not_exists, bool *exists_out, char **err_out);
int ddl_scope_trigger_check(const ddl_scope *s, const ast_create_trigger *tr, bool *exists_out,
                            char **err_out);
int ddl_scope_drop_check(const ddl_scope *s, const ast_drop *d, bool *absent_out,
                         char **err_out);
/* define_table of new DDL text (normalized) with the checks new tables pass
 * (D4's collations, DC3); on failure nothing is left to free. */
int ddl_table_define(catalog *cat, const char *text, table_def **out, char **err_out);
/* alter.c: the table, column and new name an ALTER TABLE names. */
int ddl_scope_alter_check(const ddl_scope *s, const ast_alter *a, char **err_out);
/* DC7: a CREATE VIEW or CREATE TRIGGER stmt uses no parameter. */
int ddl_params_check(const ast_stmt *stmt, char **err_out);
/* DC3: the DEFAULT, CHECK and generated column expressions of new table t. */
int ddl_table_exprs_check(const catalog_table *t, char **err_out);
/* DC5: the columns and WHERE of CREATE INDEX ci on t; with_functions adds
 * DC6 (a CREATE, not a load). */
int ddl_index_exprs_check(const catalog_table *t, const ast_create_index *ci, bool with_functions,
                          char **err_out);
/* define.c: CREATE INDEX ci's table exists in cat (of the attached database
 * schema_name, NULL: main or temp), may be indexed, and has the columns ci
 * names, calling only the functions DC6 allows. */
int define_index_check(const catalog *cat, const char *schema_name, const ast_create_index *ci,
                       char **err_out);

/* Records a failure message (printf style) and returns rc. */
int writer_fail(catalog_writer *w, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Takes a malloc()ed message (NULL: no message) and returns rc. */
int writer_fail_take(catalog_writer *w, int rc, char *msg);
/* A cursor on root (ki NULL for tables), opened once per writer. */
int writer_cursor(catalog_writer *w, uint32_t root, const key_info *ki, store_cursor **out);
/* Closes every cursor (before DDL frees or creates trees). */
void writer_cursors_close(catalog_writer *w);
/* Frees a writer without pooling it (catalog_release frees the spare). */
void writer_free(catalog_writer *w);
/* Makes sure row/old/tmp hold n values. */
int writer_row_reserve(catalog_writer *w, int n);
/* Makes sure buf holds n bytes. */
int writer_buf_reserve(catalog_writer *w, size_t n);
/* Reads row rowid of t into vals (t->n_cols values) through row buffer
 * slot (0: old, 1: tmp): the values borrow from that buffer and stay valid
 * until the next read into the same slot. *found_out false if absent. */
int writer_row_read(catalog_writer *w, const catalog_table *t, int64_t rowid, int slot,
                    value *vals, bool *found_out);
/* Copies the record under cur (a row of t whose rowid is rowid) into row
 * buffer slot and lays it out in vals as writer_row_read does. */
int writer_row_load(catalog_writer *w, const catalog_table *t, store_cursor *cur, int64_t rowid,
                    int slot, value *vals);
/* WITHOUT ROWID tables: positions the writer's cursor on t's b-tree
 * (*cur_out, borrowed from w) at the row whose PK equals key_row's (t->n_cols
 * values; *found_out false: none), and reads that row as writer_row_read
 * does (key_row may borrow from another slot). */
int writer_row_seek_key(catalog_writer *w, const catalog_table *t, const value *key_row,
                        store_cursor **cur_out, bool *found_out);
int writer_row_read_key(catalog_writer *w, const catalog_table *t, const value *key_row, int slot,
                        value *vals, bool *found_out);
/* Encodes vals (t->n_cols; the rowid alias stored as NULL) into buf. */
int writer_row_encode(catalog_writer *w, const catalog_table *t, const value *vals,
                      size_t *nbytes_out);
/* Evaluates expr over (vals, rowid) of t through the hooks into *out
 * (owned by the caller, cleared with value_clear). */
int writer_eval(catalog_writer *w, const catalog_table *t, const ast_expr *expr,
                const value *vals, int64_t rowid, value *out);
/* The DEFAULT of column col into *out (NULL when it has none). */
int writer_default(catalog_writer *w, const catalog_table *t, int col, value *out);

/* --- constraint.c: keys, uniqueness, conflicts -------------------------- */

/* The action that applies: the statement's, else the constraint's, else ABORT. */
int constraint_action(int stmt_conflict, int own_conflict);
/*
 * Builds idx's key for the row (vals, rowid) into key[0..n_cols] (the rowid
 * last). *skip_out: the row has no entry (a partial index whose WHERE is
 * not true). *has_null_out: a key column is NULL (never a unique conflict).
 * Expression columns own their values: release with constraint_key_clear.
 */
int constraint_index_key(catalog_writer *w, const catalog_index *idx, const value *vals,
                         int64_t rowid, value *key, bool *skip_out, bool *has_null_out);
void constraint_key_clear(const catalog_index *idx, value *key);
/* Whether two keys of idx (rowid included) are the same bytes. */
bool constraint_key_same(const catalog_index *idx, const value *a, const value *b);
/* Finds an entry of idx equal to key[0..n_cols) whose rowid differs from
 * rowid; *other_out gets it, *found_out whether there is one. */
int constraint_unique_probe(catalog_writer *w, const catalog_index *idx, const value *key,
                            int64_t rowid, bool *found_out, int64_t *other_out);
/* Records "UNIQUE constraint failed: ..." for idx and returns its code. */
int constraint_unique_fail(catalog_writer *w, const catalog_index *idx);
/* Inserts / deletes the entry key[0..n_cols] (rowid included). */
int constraint_index_insert(catalog_writer *w, const catalog_index *idx, const value *key);
int constraint_index_delete(catalog_writer *w, const catalog_index *idx, const value *key);

/* --- row_write.c --------------------------------------------------------- */

/* Writes the AUTOINCREMENT counters that grew to sqlite_sequence and
 * forgets them all (statement end, and before DDL changes the catalog). */
int writer_seq_flush(catalog_writer *w);
/* Deletes row rowid (found in vals) of t and its index entries (a WITHOUT
 * ROWID table's row by the key in vals). */
int row_delete_known(catalog_writer *w, const catalog_table *t, int64_t rowid,
                     const value *vals);
/* Steps shared with without_rowid.c: the writer's error state reset (and
 * sqlite_schema refused); vals into w->row with affinity; NOT NULL over
 * w->row; the action a failure leaves on w; index entries (not the table's
 * own b-tree) for w->row, and moved from w->old to w->row. */
int row_write_check(catalog_writer *w, const catalog_table *t);
int row_prepare(catalog_writer *w, const catalog_table *t, const value *vals);
int row_not_null(catalog_writer *w, const catalog_table *t, int conflict, catalog_row_result *out);
void row_fail_action(catalog_writer *w, int action);
int row_indexes_insert(catalog_writer *w, const catalog_table *t, int64_t rowid);
int row_indexes_update(catalog_writer *w, const catalog_table *t, int64_t old_rowid, int64_t rowid);

/* --- without_rowid.c: rows named by their PRIMARY KEY -------------------- */

/* catalog_row_insert on a WITHOUT ROWID table (checked by the caller). */
int row_insert_key(catalog_writer *w, const catalog_table *t, const value *vals, int conflict,
                   catalog_row_result *out);
/* row_delete_known on a WITHOUT ROWID table. */
int row_delete_known_key(catalog_writer *w, const catalog_table *t, const value *vals);
/* A UNIQUE index idx of a WITHOUT ROWID table: whether an entry other than
 * self's (a row, or NULL: any) has key[0..n_cols); the other row's PK
 * columns then go into other (t->n_cols values; borrowed until the writer's
 * index cursor moves). */
int row_unique_probe_key(catalog_writer *w, const catalog_index *idx, const value *key,
                         const value *self, bool *found_out, value *other);

/* --- create.c / drop.c / alter.c: DDL ------------------------------------ */

int ddl_create_table(catalog_writer *w, const ast_stmt *stmt, const char *sql);
int ddl_create_index(catalog_writer *w, const ast_stmt *stmt, const char *sql);
int ddl_create_view(catalog_writer *w, const ast_stmt *stmt, const char *sql);
int ddl_create_trigger(catalog_writer *w, const ast_stmt *stmt, const char *sql);
int ddl_drop(catalog_writer *w, const ast_stmt *stmt);
int ddl_alter(catalog_writer *w, const ast_stmt *stmt, const char *sql);

/* Shared DDL steps (create.c). */
int ddl_check_schema_name(catalog_writer *w, const char *schema);
int ddl_schema_insert(catalog_writer *w, const char *type, const char *name,
                      const char *tbl_name, uint32_t root, const char *sql);
int ddl_cookie_bump(catalog_writer *w);
/* Fills an empty index b-tree from every row of its table (CREATE INDEX,
 * REINDEX); a UNIQUE index over duplicates fails as CREATE UNIQUE INDEX. */
int ddl_index_fill(catalog_writer *w, const catalog_index *idx);
/* Appends name as SQLite writes an identifier: bare, or "quoted" when it
 * is not a plain word or is a keyword. */
void ddl_identifier_put(strbuf *sb, const char *name);
/* Deletes the sqlite_schema rows for which match(type, name, tbl_name) is true. */
int ddl_schema_delete(catalog_writer *w, bool (*match)(void *arg, const value *row), void *arg);
/* Rewrites the sql column of the sqlite_schema rows named name. */
int ddl_schema_update(catalog_writer *w, const char *name, const char *new_name,
                      const char *new_tbl_name, const char *new_sql);

/* --- rewrite.c: names in stored CREATE statements (ALTER TABLE) --------- */

/* A token of SQL text: p points into the text, n bytes. */
typedef struct sqltok {
    const char *p;
    size_t n;
} sqltok;

/* The next token at or after *pos (strings, quoted identifiers and
 * comments known; comments skipped); false at the end. */
bool sqltok_next(const char *s, size_t *pos, sqltok *out);
bool sqltok_is(const sqltok *t, const char *word);       /* keyword, any case */
bool sqltok_punct(const sqltok *t, char c);
bool sqltok_names(const sqltok *t, const char *name);     /* identifier naming name */

/* Byte ranges of one text that all take the same replacement. */
typedef struct rewrite_range {
    size_t off, len;
} rewrite_range;
typedef struct rewrite_list {
    rewrite_range *items;           /* owned */
    int n, cap;
} rewrite_list;

int rewrite_add(rewrite_list *rl, size_t off, size_t len);
/* text with every range replaced (malloc()ed; NULL when out of memory). */
char *rewrite_apply(rewrite_list *rl, const char *text, const char *replacement);
void rewrite_free(rewrite_list *rl);
/* Where a CREATE TABLE (named self), a CREATE INDEX or any CREATE TABLE's
 * REFERENCES clauses name column col (col NULL for REFERENCES: the parent
 * table names). */
int rewrite_table_columns(rewrite_list *rl, const char *sql, const char *self, const char *col);
int rewrite_index_columns(rewrite_list *rl, const char *sql, const char *col);
int rewrite_references(rewrite_list *rl, const char *sql, const char *parent, const char *col);
/* Where a view or trigger text names table (FROM, INTO, UPDATE, ON,
 * qualifiers). */
int rewrite_table_names(rewrite_list *rl, const char *sql, const char *table);
/* Where a view or trigger refers to column col of t, resolved through
 * its scopes; *first_out (may be NULL) the first expression found. */
int rewrite_view_columns(rewrite_list *rl, const catalog *cat, const catalog_view *v,
                         const catalog_table *t, const char *col, const ast_expr **first_out);
int rewrite_trigger_columns(rewrite_list *rl, const catalog *cat, const catalog_trigger *tr,
                            const catalog_table *t, const char *col,
                            const ast_expr **first_out);
/* The first column reference in e that t does not have, or NULL. */
const ast_expr *rewrite_unresolved(const catalog_table *t, const ast_expr *e);

/* --- reindex.c / analyze.c / vacuum.c: maintenance statements ---------- */

/* REINDEX [name]: rebuilds the index b-trees named (all, a table's, one
 * index, or those using a collation). */
int ddl_reindex(catalog_writer *w, const ast_stmt *stmt);
/* ANALYZE [name]: writes sqlite_stat1 (created when missing). */
int ddl_analyze(catalog_writer *w, const ast_stmt *stmt);
/* VACUUM [main] [INTO 'file']: rebuilds the database compactly in the
 * writer's transaction, or writes a compact copy to a new file. The engine
 * checks first that no transaction or other statement is open. */
int ddl_vacuum(catalog_writer *w, const ast_stmt *stmt);
/* Reads sqlite_stat1 (if any) into the n_stat/stat numbers of cat's
 * indexes (catalog_load); copies them from base (catalog_edit_begin). */
int analyze_stats_load(pager_tx *tx, catalog *cat);
int analyze_stats_copy(catalog *cat, const catalog *base);

/* --- fkcheck.c ------------------------------------------------------------ */

/* PRAGMA foreign_key_check rows (table, rowid, parent, fkid) of table
 * (NULL: every table) into out, read in tx through st (MVCC mode: what the
 * transaction sees; NULL: the B-tree path); "no such table: x", "foreign
 * key mismatch - ..." through *errmsg_out (malloc()ed). */
int fkcheck_run(pager_tx *tx, store_tx *st, catalog *cat, const catalog_hooks *hooks, const char *table,
                catalog_result *out, char **errmsg_out);

/* --- integrity.c ---------------------------------------------------------- */

/* Appends one row per problem found (at most max_errors), or "ok". A failure
 * that has a message (an index under a collation the connection lacks:
 * define.c D4) leaves it, malloc()ed, in *errmsg_out. */
int integrity_run(pager_tx *tx, const catalog *cat, const catalog_hooks *hooks, bool quick,
                  int max_errors, catalog_result *out, char **errmsg_out);

/* --- pragma.c (result helpers) ------------------------------------------- */

/* Appends a row of NULLs; *row_out points at its n_cols values (valid until
 * the next append). */
int result_add_row(catalog_result *r, value **row_out);

#endif /* CHORUS_CATALOG_INT_H */
