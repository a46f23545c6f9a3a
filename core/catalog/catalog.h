/*
 * core/catalog/catalog.h: the schema of a database (tables, columns,
 * indexes, views, triggers), the DDL that changes it, the row write path
 * that changes table and index b-trees for DML, and the PRAGMAs.
 *
 * Catalogs
 *   C1  A catalog is read from sqlite_schema (root page 1) by catalog_load()
 *       and describes the database as of one schema cookie (page 1 offset
 *       40, catalog_cookie()).
 *   C2  A published catalog is immutable and shared by every connection of
 *       a database; it lives while someone holds a reference
 *       (catalog_retain/catalog_release are thread-safe). Every object
 *       pointer a lookup returns is borrowed from the catalog and valid while
 *       the caller holds a reference to that catalog.
 *   C3  DDL runs inside a write transaction on a private copy (from
 *       catalog_edit_begin, or a fresh catalog_load, which is private to its
 *       caller until published). The caller publishes the copy after COMMIT,
 *       or releases it on ROLLBACK. After ROLLBACK TO a savepoint that covers
 *       DDL, the caller reloads the copy with catalog_load() on the same
 *       transaction (the catalog does not undo its own edits). Nothing edits
 *       a catalog once it is published.
 *   C4  A DDL call that fails leaves the editable catalog unchanged (its
 *       b-tree writes are undone by the caller's statement savepoint), except
 *       after CHORUS_NOMEM, when the caller reloads as in C3.
 *   C5  Names compare case-insensitively (ASCII only), as in SQLite.
 *
 * Row write path (catalog_writer)
 *   W1  catalog_row_insert/update/delete are the only code that changes
 *       table and index b-trees for DML. This is the seam where the MVCC
 *       store plugs in later; keep callers off btree_insert for user rows.
 *   W2  A writer belongs to one statement of one write transaction: it keeps
 *       its b-tree cursors and row buffers open across the statement's rows
 *       (no malloc per row) and must be closed before the transaction ends
 *       (btree rule B1). Parked (catalog_writer_park), it keeps its cursors
 *       for the next statement of the same transaction; it must then be
 *       closed before the transaction ends, a savepoint rolls back or DDL
 *       runs.
 *   W3  The caller wraps each statement in a pager savepoint and undoes it
 *       on failure; the writer never opens savepoints itself.
 *   W4  The caller evaluates DEFAULT and CHECK constraints; the writer applies
 *       column affinity, NOT NULL, rowid rules, PRIMARY KEY/UNIQUE conflict
 *       resolution and maintains every index. Expressions the writer needs
 *       (expression index columns, partial index WHERE, a column's DEFAULT
 *       under REPLACE) are evaluated through catalog_hooks.eval.
 *
 * Error reporting: functions return CHORUS_OK or a result code. Constraint
 * failures return the extended code (CHORUS_CONSTRAINT_UNIQUE,
 * _PRIMARYKEY, _NOTNULL; rc & 0xff is CHORUS_CONSTRAINT). The message in
 * SQLite's words is on the writer (catalog_writer_errmsg) or given through
 * an errmsg_out parameter where there is no writer.
 *
 * Threads: catalog objects are read-only after publication and may be read
 * from any thread; a writer is used by one thread.
 */
#ifndef CHORUS_CATALOG_H
#define CHORUS_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "btree.h"
#include "store.h"
#include "common.h"
#include "pager.h"
#include "record.h"
#include "sql.h"
#include "value.h"

typedef struct catalog catalog;
typedef struct catalog_table catalog_table;
typedef struct catalog_index catalog_index;
typedef struct catalog_view catalog_view;
typedef struct catalog_trigger catalog_trigger;
typedef struct catalog_writer catalog_writer;

/* ------------------------------------------------------------ objects */

/* catalog_column.hidden, with PRAGMA table_xinfo's numbers. */
enum catalog_hidden {
    CATALOG_COL_NORMAL = 0,
    CATALOG_COL_VIRTUAL = 2,        /* GENERATED ALWAYS AS (...) VIRTUAL */
    CATALOG_COL_STORED = 3          /* GENERATED ALWAYS AS (...) STORED */
};

/* The declared type of a STRICT table's column (SQLite's six). */
enum catalog_strict_type {
    CATALOG_STRICT_NONE = 0,        /* not a STRICT table */
    CATALOG_STRICT_ANY,
    CATALOG_STRICT_BLOB,
    CATALOG_STRICT_INT,
    CATALOG_STRICT_INTEGER,
    CATALOG_STRICT_REAL,
    CATALOG_STRICT_TEXT
};

/* "INT", "TEXT", ... for a catalog_strict_type ("" for NONE). */
const char *catalog_strict_type_name(int type);

typedef struct catalog_column {
    const char *name;               /* in the catalog's arena, as all strings below */
    const char *type;               /* declared type as written, or NULL */
    uint8_t strict_type;            /* enum catalog_strict_type */
    char affinity;                  /* enum affinity (value.h), never NONE */
    uint8_t collation;              /* enum collation (COLLATE clause, else BINARY) */
    const char *collation_name;     /* as written, or NULL for the default */
    bool not_null;
    uint8_t not_null_conflict;      /* ast_conflict of NOT NULL ON CONFLICT */
    bool is_pk;                     /* part of the PRIMARY KEY */
    uint8_t hidden;                 /* enum catalog_hidden */
    int16_t stored_index;           /* its field in the table's records; -1 for a VIRTUAL
                                       generated column, which records do not hold. A
                                       record shorter than the table (after ALTER TABLE
                                       ADD COLUMN) means DEFAULT for the missing fields */
    const ast_expr *default_expr;   /* DEFAULT expression or NULL */
    const char *default_text;       /* its source text (PRAGMA table_info dflt_value) */
    const ast_expr *generated_expr; /* GENERATED ALWAYS AS expression or NULL */
} catalog_column;

typedef struct catalog_check {
    const char *name;               /* CONSTRAINT name or NULL */
    const ast_expr *expr;
} catalog_check;

typedef struct catalog_fkey {
    int n_cols;
    const int16_t *from_cols;       /* child column indexes */
    const char *to_table;           /* parent table as written */
    const char *const *to_cols;     /* parent column names, or NULL: its PRIMARY KEY */
    uint8_t on_delete, on_update;   /* ast_fk_action */
    bool deferred;
} catalog_fkey;

struct catalog_table {
    const char *name;
    const char *sql;                /* text in sqlite_schema; NULL for sqlite_schema itself */
    uint32_t root;                  /* root page of the table b-tree */
    int n_cols;
    const catalog_column *cols;
    int rowid_alias;                /* column that is the INTEGER PRIMARY KEY, or -1 */
    bool without_rowid;
    bool autoincrement;
    bool is_strict;
    int n_pk;                       /* PRIMARY KEY columns in key order (0: none) */
    const int16_t *pk_cols;
    uint8_t pk_conflict;            /* ast_conflict of the PRIMARY KEY constraint */
    int n_checks;
    const catalog_check *checks;
    int n_generated;                /* columns with a GENERATED ALWAYS AS expression */
    int n_fkeys;
    const catalog_fkey *fkeys;
    int n_indexes;                  /* every index on the table, creation order */
    catalog_index *const *indexes;
    int n_triggers;                 /* triggers on the table, creation order */
    catalog_trigger *const *triggers;
    bool is_temp;                   /* a table of a temp catalog (catalog_set_temp): its
                                       b-trees live in the connection's temp database */
    int64_t stat_rows;              /* sqlite_stat1 row "tbl, NULL, n" (ANALYZE): n; 0 none */
    int stat_size;                  /* its "sz=N" word: N, the row size guess; 0 none */
};

/* catalog_index_column.column for entries that are not a table column. */
enum {
    CATALOG_COLUMN_ROWID = -1,      /* the rowid */
    CATALOG_COLUMN_EXPR = -2        /* an expression (expr holds it) */
};

typedef struct catalog_index_column {
    int16_t column;                 /* table column, or CATALOG_COLUMN_EXPR */
    bool desc;
    uint8_t collation;              /* enum collation used by the key */
    const char *collation_name;     /* "BINARY", "NOCASE", "RTRIM" */
    const ast_expr *expr;           /* CATALOG_COLUMN_EXPR only */
} catalog_index_column;

/* catalog_index.origin: how the index came to exist (PRAGMA index_list). */
enum catalog_index_origin {
    CATALOG_INDEX_CREATE = 'c',     /* CREATE INDEX */
    CATALOG_INDEX_UNIQUE = 'u',     /* UNIQUE constraint (an autoindex) */
    CATALOG_INDEX_PK = 'p'          /* PRIMARY KEY constraint (an autoindex) */
};

/*
 * An index b-tree's entries are records of the n_cols key values followed by
 * the rowid; ki orders the key columns (the rowid after them compares
 * BINARY ascending). unique: no two entries whose key columns are all
 * non-NULL may be equal (NULLs are distinct).
 *
 * WITHOUT ROWID tables (define.c D3, D5): the PRIMARY KEY index is the table
 * b-tree itself (catalog_index_is_table); its entries are the table's
 * records (PK columns first). Any other index of such a table ends its
 * entries with the n_suffix PK columns its key does not hold (same column
 * and collation), in PK order, instead of a rowid; ki covers them too.
 */
struct catalog_index {
    const char *name;
    const char *sql;                /* NULL for autoindexes */
    const catalog_table *table;
    uint32_t root;
    int n_cols;
    const catalog_index_column *cols;
    key_info ki;
    bool unique;
    uint8_t on_conflict;            /* ast_conflict of the UNIQUE/PRIMARY KEY constraint */
    char origin;                    /* enum catalog_index_origin */
    const ast_expr *where;          /* partial index condition or NULL */
    int n_suffix;                   /* WITHOUT ROWID secondary index: PK columns after the
                                       key (suffix holds their table columns); else 0 */
    const int16_t *suffix;
    /* sqlite_stat1 numbers (ANALYZE), read by catalog_load; for the planner.
     * n_stat 0: not analyzed. stat[0] estimates the entries; stat[i] (1 <= i
     * < n_stat, at most n_cols) the entries per distinct value of the first i
     * key columns. */
    int n_stat;
    const int64_t *stat;
    int stat_size;                  /* "sz=N" in its stat row: N, the entry size guess; 0 none */
};

struct catalog_view {
    const char *name;
    const char *sql;
    const ast_list *columns;        /* CREATE VIEW v(a, b): names; n = 0 when not given */
    const ast_select *select;
};

struct catalog_trigger {
    const char *name;
    const char *sql;
    const char *table;              /* the table or view it fires on */
    const ast_create_trigger *ast;  /* time, event, UPDATE OF, WHEN, body */
};

/* --------------------------------------------------- load and lifetime */

/*
 * Reads sqlite_schema in tx (read or write) and builds a catalog, owned by
 * the caller (reference count 1; release with catalog_release). An empty
 * file gives an empty catalog with cookie 0. A stored statement that does
 * not parse or describe a valid object gives CHORUS_CORRUPT and
 * *errmsg_out (malloc()ed) "malformed database schema (name)" with the
 * reason appended as SQLite does (" - near "x": syntax error").
 */
int catalog_load(pager_tx *tx, catalog **out, char **errmsg_out);

/* Thread-safe reference counting; release frees at zero; NULL is a no-op. */
catalog *catalog_retain(catalog *cat);
void catalog_release(catalog *cat);

/* The schema cookie the catalog describes. */
uint32_t catalog_cookie(const catalog *cat);

/*
 * Makes a private editable copy of base for DDL (rule C3). The copy is owned
 * by the caller (reference count 1) and shares nothing with base.
 */
int catalog_edit_begin(const catalog *base, catalog **out);

/*
 * The temp schema (core/vm/temp.c). A connection keeps its TEMP objects in
 * a private in-memory database whose catalog is marked with
 * catalog_set_temp right after catalog_load (catalog_edit_begin copies the
 * mark). DDL through a writer on a temp catalog accepts the TEMP keyword
 * and the schema name "temp" (the caller decides which statements go
 * there); the stored text has TEMP removed, as in SQLite's
 * sqlite_temp_schema. catalog_table_find on a temp catalog also knows
 * sqlite_temp_schema and sqlite_temp_master. Every table of a temp
 * catalog has is_temp set. A main catalog still refuses TEMP objects.
 */
void catalog_set_temp(catalog *cat);
bool catalog_is_temp(const catalog *cat);

/* ------------------------------------------------------------ lookups */

/* Case-insensitive lookups; NULL when absent. Borrowed (rule C2).
 * catalog_table_find finds sqlite_schema (and sqlite_master) too. */
const catalog_table *catalog_table_find(const catalog *cat, const char *name);
const catalog_index *catalog_index_find(const catalog *cat, const char *name);
const catalog_view *catalog_view_find(const catalog *cat, const char *name);
const catalog_trigger *catalog_trigger_find(const catalog *cat, const char *name);

/* The PRIMARY KEY index of a WITHOUT ROWID table (its own b-tree), else NULL.
 * Borrowed (C2). */
const catalog_index *catalog_table_pk_index(const catalog_table *t);
/* Whether idx is the b-tree of its WITHOUT ROWID table (D3). */
static inline bool
catalog_index_is_table(const catalog_index *idx)
{
    return idx->table->without_rowid && idx->origin == CATALOG_INDEX_PK;
}
/* Fields of an index entry: the key, then the rowid or the PK suffix. */
static inline int
catalog_index_entry_fields(const catalog_index *idx)
{
    return idx->n_cols + (idx->table->without_rowid ? idx->n_suffix : 1);
}
/* For each PK column k of idx's WITHOUT ROWID table, the field of idx's
 * entries that holds it, into field_out[k] (room for t->n_pk). */
void catalog_index_pk_fields(const catalog_index *idx, int16_t *field_out);

/* Index of column name in t, or -1. */
int catalog_table_column_find(const catalog_table *t, const char *name);
/*
 * Resolves a column name the way SQLite does: a declared column first,
 * then "rowid", "oid" or "_rowid_" (any case) mean the rowid: gives the
 * rowid alias column when there is one, else CATALOG_COLUMN_ROWID (rowid
 * tables only). -2 when the name means nothing.
 */
int catalog_table_column_resolve(const catalog_table *t, const char *name);

/* Iteration in sqlite_schema order; i in [0, count). Borrowed (C2). The
 * table list does not include sqlite_schema itself. */
int catalog_table_count(const catalog *cat);
const catalog_table *catalog_table_at(const catalog *cat, int i);
int catalog_view_count(const catalog *cat);
const catalog_view *catalog_view_at(const catalog *cat, int i);
int catalog_index_count(const catalog *cat);
const catalog_index *catalog_index_at(const catalog *cat, int i);
int catalog_trigger_count(const catalog *cat);
const catalog_trigger *catalog_trigger_at(const catalog *cat, int i);

/* ------------------------------------------------------- the writer */

/*
 * Evaluation of the expressions the writer needs (rule W4), supplied by the
 * engine. eval computes expr over one row of table t (row holds t->n_cols
 * values, rowid its rowid) into *out, which starts as NULL; out may own
 * memory, which the writer frees. On failure it returns a code and may set
 * *errmsg_out (malloc()ed). eval may be NULL when the schema has no
 * expression indexes, partial indexes or defaults needed under REPLACE;
 * the writer then fails with "not supported yet: ..." when it needs one.
 */
typedef struct catalog_hooks {
    void *arg;
    int (*eval)(void *arg, const catalog_table *t, const ast_expr *expr, const value *row,
                int64_t rowid, value *out, char **errmsg_out);
} catalog_hooks;

/*
 * Opens a writer for one statement in write transaction tx over cat (a read
 * transaction is allowed for a writer used only to read, e.g. by checks)
 * (borrowed: the caller keeps cat alive until catalog_writer_close). DDL
 * through the writer edits cat, which must be private (rule C3). hooks is
 * copied; may be NULL.
 */
int catalog_writer_open(pager_tx *tx, catalog *cat, const catalog_hooks *hooks,
                        catalog_writer **out);
/*
 * Ends the statement's writes: AUTOINCREMENT counters that grew go to
 * sqlite_sequence now, once per statement (as SQLite does), not per row.
 * Call it when the statement's rows are written and before the statement
 * savepoint is released; a failure is the statement's failure (message on
 * the writer). The writer may then be closed, or used for more rows.
 */
int catalog_writer_finish(catalog_writer *w);
/*
 * For a writer of a temp catalog: main (borrowed until the writer closes)
 * holds the tables and views a CREATE TEMP TRIGGER may name, as SQLite
 * lets TEMP triggers fire on main's tables.
 */
void catalog_writer_set_main(catalog_writer *w, const catalog *main);
/*
 * For a writer of an attached database's catalog (core/vm/temp.c): name
 * (borrowed until the writer closes) is the schema name its DDL may be
 * qualified with, where a main catalog's accepts "main".
 */
void catalog_writer_set_schema_name(catalog_writer *w, const char *name);
/*
 * Makes the writer's cursors use st (borrowed until catalog_writer_close)
 * instead of the B-tree path over its pager transaction: the engine passes
 * the connection's store transaction in journal_mode=mvcc (core/store).
 */
void catalog_writer_use_store(catalog_writer *w, store_tx *st);
/*
 * Park: a finished statement's writer keeps its cursors, suspended
 * (store_cursor_suspend), for the next statement of the same transaction
 * on the same catalog and store; the caller holds it and must close it
 * before the transaction ends, a savepoint rolls back or DDL runs (W2).
 * Resume: that next statement takes it, with its own hooks, as if from
 * catalog_writer_open.
 */
void catalog_writer_park(catalog_writer *w);
void catalog_writer_resume(catalog_writer *w, const catalog_hooks *hooks);
/* The pager transaction and store transaction the writer works in. */
pager_tx *catalog_writer_tx(const catalog_writer *w);
const store_tx *catalog_writer_store(const catalog_writer *w);
/* Closes its cursors and frees it (its buffers are kept for the catalog's
 * next writer). Calls catalog_writer_finish when rows were written since
 * the last finish; an error there is lost, so callers should finish first.
 * NULL is a no-op. */
void catalog_writer_close(catalog_writer *w);
/* Message of the writer's last failure in SQLite's words; "" if none.
 * Borrowed until the next call on w. */
const char *catalog_writer_errmsg(const catalog_writer *w);
/* The conflict action that applied to the last constraint failure
 * (AST_CONFLICT_ABORT, _FAIL or _ROLLBACK): the caller undoes the statement
 * (ABORT), keeps its earlier rows (FAIL) or rolls back the transaction. */
int catalog_writer_conflict(const catalog_writer *w);
/* The catalog the writer works on. Borrowed. */
catalog *catalog_writer_catalog(const catalog_writer *w);

/* --------------------------------------------------------------- DML */

typedef struct catalog_row_result {
    int64_t rowid;                  /* the written row's rowid */
    bool ignored;                   /* OR IGNORE skipped the row; nothing written */
    int64_t n_replaced;             /* rows REPLACE deleted to make room */
} catalog_row_result;

/*
 * Inserts a row into t. vals holds t->n_cols values (caller's, unchanged:
 * the writer applies affinity to its own copies). The rowid: for a table
 * with a rowid alias, vals[t->rowid_alias] (NULL: allocate) and rowid must
 * be NULL; otherwise *rowid, or allocated when rowid is NULL or points at
 * SQL NULL. Allocation: max rowid + 1; at INT64_MAX a random unused rowid
 * (CHORUS_FULL after many tries); AUTOINCREMENT: above every rowid ever
 * used, kept in sqlite_sequence ("database or disk is full" at INT64_MAX).
 * A non-integer rowid value: CHORUS_MISMATCH "datatype mismatch".
 * conflict: the statement's OR action (AST_CONFLICT_DEFAULT: each
 * constraint's own, else ABORT). *out is always written on CHORUS_OK.
 */
int catalog_row_insert(catalog_writer *w, const catalog_table *t, const value *vals,
                       const value *rowid, int conflict, catalog_row_result *out);

/* The rowid catalog_row_insert would give a new row of t whose rowid is left
 * to the table (for the caller to pass on explicitly). An AUTOINCREMENT
 * table's sqlite_sequence counts it, inserted or not, as SQLite's does. */
int catalog_row_new_rowid(catalog_writer *w, const catalog_table *t, int64_t *out);
/* Counts a rowid given explicitly to a row of an AUTOINCREMENT table t that
 * the caller then does not insert (an upsert took another path), as SQLite
 * counts it; nothing for another table. */
int catalog_row_rowid_used(catalog_writer *w, const catalog_table *t, int64_t rowid);

/* Deletes the row with rowid from t and its index entries. A missing row
 * is not an error. */
int catalog_row_delete(catalog_writer *w, const catalog_table *t, int64_t rowid);

/*
 * Replaces the row old_rowid of t with vals (t->n_cols values; every column,
 * changed or not). The new rowid is vals[t->rowid_alias] for a table with a
 * rowid alias (new_rowid must be NULL), else *new_rowid, or old_rowid when
 * new_rowid is NULL. Index entries change only for indexes whose columns
 * changed. Conflicts as catalog_row_insert; a REPLACE removes the other
 * rows in the way.
 */
int catalog_row_update(catalog_writer *w, const catalog_table *t, int64_t old_rowid,
                       const value *vals, const value *new_rowid, int conflict,
                       catalog_row_result *out);

/*
 * The rows a REPLACE would delete to make room for vals, found as
 * catalog_row_insert (old_rowid NULL; rowid as there) or catalog_row_update
 * of *old_rowid would find them, without writing anything, so that the
 * engine can delete them itself with their triggers and foreign key work.
 * victims (room for 1 + t->n_indexes) gets *n_out rowids in the order the
 * write would delete them. A conflict under another action gives what the
 * write would: its failure (message on the writer), or *ignored_out.
 */
int catalog_row_replace_victims(catalog_writer *w, const catalog_table *t, const value *vals,
                                const value *rowid, const int64_t *old_rowid, int conflict,
                                int64_t *victims, int *n_out, bool *ignored_out);
/*
 * WITHOUT ROWID tables have no rowid: a row is named by its PRIMARY KEY,
 * taken from key_row (t->n_cols values as stored; only the PK columns are
 * read). catalog_row_delete_key deletes that row and its index entries (a
 * missing row is not an error); catalog_row_update_key replaces it with
 * vals as catalog_row_update does (out->ignored when it is gone). Their
 * REPLACE deletes the rows in the way itself; the engine names them first
 * with catalog_row_replace_victims_key (catalog_row_replace_victims names
 * none for these tables). catalog_row_insert works on them as on any table
 * (rowid must be NULL; out->rowid is 0).
 */
int catalog_row_delete_key(catalog_writer *w, const catalog_table *t, const value *key_row);
int catalog_row_update_key(catalog_writer *w, const catalog_table *t, const value *key_row,
                           const value *vals, int conflict, catalog_row_result *out);
/*
 * catalog_row_replace_victims for a WITHOUT ROWID table (old_row: the row
 * an UPDATE changes, as key_row above; NULL for an INSERT): the rows in the
 * way go into victims (room for t->n_indexes rows of t->n_cols values,
 * each row at victims[i * t->n_cols]) as copies the caller owns (clear
 * each value with value_clear).
 */
int catalog_row_replace_victims_key(catalog_writer *w, const catalog_table *t, const value *vals,
                                    const value *old_row, int conflict, value *victims, int *n_out,
                                    bool *ignored_out);

/* Row rowid of t as stored (t->n_cols values, borrowed from the writer until
 * its next call); *found_out false when there is none. */
int catalog_row_read(catalog_writer *w, const catalog_table *t, int64_t rowid,
                     const value **row_out, bool *found_out);

/* The values the last successful insert/update stored (after affinity; the
 * rowid alias column holds the rowid). t->n_cols values borrowed until the
 * next call on w. */
const value *catalog_writer_row(const catalog_writer *w);

/* --------------------------------------------------------------- DDL */

/*
 * Executes a DDL statement (STMT_CREATE_TABLE without AS SELECT,
 * STMT_CREATE_INDEX, STMT_CREATE_VIEW, STMT_CREATE_TRIGGER, STMT_DROP,
 * STMT_ALTER) parsed from sql (stmt's spans index sql) on the writer's
 * private catalog (rule C3): creates or frees b-trees, writes sqlite_schema and
 * bumps the schema cookie. IF [NOT] EXISTS cases that do nothing return
 * CHORUS_OK and change nothing. Errors in SQLite's words on the writer:
 * "table t already exists", "no such table: t", "duplicate column name: a",
 * "UNIQUE constraint failed: t.a" (CREATE UNIQUE INDEX over duplicates)...
 */
int catalog_ddl_execute(catalog_writer *w, const ast_stmt *stmt, const char *sql);

/*
 * Column names made unique as SQLite names the columns of a CREATE TABLE AS
 * table, a view or a subquery: a name equal (any case) to an earlier one
 * becomes "name:1", then "name:2"... (NULL names count as ""). Owned: a
 * malloc()ed array of n malloc()ed strings; NULL when out of memory.
 */
char **catalog_names_unique(int n, const char *const *names);

/*
 * The checks of DDL statement stmt that sqlite3_prepare makes (ddl_check.c
 * DC1): the name a CREATE gives is free, the object a DROP names exists with
 * that kind, the table of a CREATE INDEX (and its columns) or CREATE TRIGGER
 * exists; a new table's definition is valid. cat: the catalog stmt targets;
 * main: main's catalog when cat is the temp schema's, else NULL;
 * schema_name: an attached database's name, else NULL; sql: the text
 * stmt's spans index. Reads only. CHORUS_OK, or CHORUS_ERROR with *errmsg_out
 * (malloc()ed); catalog_ddl_execute checks again when it runs.
 */
int catalog_ddl_check(const catalog *cat, const catalog *main, const char *schema_name,
                      const ast_stmt *stmt, const char *sql, char **errmsg_out);

/*
 * CREATE TABLE ... AS SELECT: creates the table with n_cols columns named
 * names[i] (the select's result names; duplicates become "a:1" as SQLite)
 * whose declared types follow affinities[i] (enum affinity; NONE allowed)
 * as SQLite writes them ("INT", "TEXT", "REAL", "NUM", ""). The caller then
 * inserts the rows with catalog_row_insert. *table_out is borrowed from the
 * writer's catalog; NULL (and CHORUS_OK) when IF NOT EXISTS found the table.
 */
int catalog_create_table_as(catalog_writer *w, const ast_stmt *stmt, int n_cols,
                            const char *const *names, const char *affinities,
                            const catalog_table **table_out);

/* ------------------------------------------------------ maintenance */

/*
 * REINDEX, ANALYZE and VACUUM run as DDL statements through
 * catalog_ddl_execute (STMT_REINDEX, STMT_ANALYZE, STMT_VACUUM). REINDEX
 * rebuilds index b-trees; ANALYZE writes sqlite_stat1 (created as SQLite
 * does, bumping the schema cookie) and updates the n_stat/stat numbers of
 * the writer's catalog; VACUUM rewrites the whole file compactly in the
 * writer's transaction (new root pages in the writer's catalog, schema
 * cookie bumped; the caller refuses it inside BEGIN ... COMMIT or while
 * other statements run); VACUUM INTO 'file' writes a compact copy to a new
 * file ("output file already exists" when there is one).
 */

/* ----------------------------------------------------------- PRAGMAs */

/* A materialized result: column names and rows of values. */
typedef struct catalog_result {
    int n_cols;
    const char *const *col_names;   /* static strings */
    int64_t n_rows;
    int64_t cap_rows;
    value *cells;                   /* owned; row r column c at cells[r * n_cols + c];
                                       text and blob values own their bytes */
    bool schema_changed;            /* the pragma changed the schema cookie: reload */
} catalog_result;

void catalog_result_init(catalog_result *r);
/* Appends a row of n_cols NULLs; *row_out points at it until the next call. */
int catalog_result_add_row(catalog_result *r, value **row_out);
/* Frees the cells; the struct can be reused after catalog_result_init. */
void catalog_result_free(catalog_result *r);

/* One row of PRAGMA function_list (the engine's function registry is above
 * the catalog: the caller describes each function). */
typedef struct catalog_function_info {
    const char *name;               /* static, or borrowed for the pragma's run */
    bool builtin;
    char type;                      /* 's' scalar, 'a' aggregate, 'w' window-capable */
    int n_args;                     /* -1: any number */
    int flags;                      /* SQLite's bits: SQLITE_DETERMINISTIC 0x800,
                                       SQLITE_DIRECTONLY 0x80000, SQLITE_SUBTYPE 0x100000,
                                       SQLITE_INNOCUOUS 0x200000 */
} catalog_function_info;

/* What a pragma needs from the caller before catalog_pragma runs. */
enum catalog_pragma_access {
    CATALOG_PRAGMA_NO_TX = 0,       /* connection settings only, or wal_checkpoint:
                                       run outside any transaction of this connection */
    CATALOG_PRAGMA_READ = 1,        /* a read (or write) transaction */
    CATALOG_PRAGMA_WRITE = 2        /* a write transaction (and a writer for DDL-like
                                       changes of the header) */
};
int catalog_pragma_access(const ast_pragma *p);

/*
 * The result columns PRAGMA p answers with, known before it runs (SQLite
 * reports them right after prepare): returns their number and sets
 * *names_out to static names. 0 for unknown pragmas and for settings being
 * set (PRAGMA user_version = 5 answers nothing).
 */
int catalog_pragma_columns(const ast_pragma *p, const char *const **names_out);
/*
 * SQLite's table-valued pragma_<name>: the result columns of PRAGMA name
 * read as a table (the pragma queried, or given the table's arg), or 0 when
 * name is no pragma or one with side effects (wal_checkpoint).
 */
int catalog_pragma_table(const char *name, const char *const **names_out);

/*
 * Connection and database state the pragmas read and change. The pointers
 * to settings belong to the connection; the pragma writes them when set.
 */
typedef struct catalog_pragma_env {
    pager *pager;
    const char *path;               /* the database file (PRAGMA database_list); "" in memory */
    pager_tx *tx;                   /* per catalog_pragma_access; NULL for NO_TX */
    store_tx *stx;                  /* the storage seam over tx (MVCC mode: the merged
                                       view of the transaction); NULL: the B-tree path */
    catalog *cat;                   /* the catalog the connection sees (a temp catalog for
                                       PRAGMA temp.x: pager and tx are then temp's too) */
    const catalog *temp_cat;        /* the connection's temp schema, or NULL when it has
                                       none (database_list, table_list list it) */
    const char *schema_name;        /* cat is an attached database's of this name (the
                                       pragma's schema), or NULL: "main" or "temp" */
    int n_attached;                 /* the attached databases in order (database_list) */
    const char *const *attached_names;
    const char *const *attached_paths;      /* "" for an in-memory one */
    const catalog_hooks *hooks;     /* for integrity_check of expression and partial
                                       indexes (NULL: their contents are not checked) */
    int *busy_timeout_ms;
    bool *foreign_keys;
    bool *defer_foreign_keys;
    bool *recursive_triggers;
    bool *case_sensitive_like;      /* set only: querying it answers no row, as SQLite */
    bool *automatic_index;
    int64_t *cache_size;            /* PRAGMA cache_size as last set (pages, or -KiB) */
    bool mvcc;                      /* main runs in journal_mode=mvcc (switched by the
                                       engine: journal_mode only reports it) */
    bool (*function_at)(int i, catalog_function_info *out);  /* PRAGMA function_list: the
                                       i-th function (from 0), false past the last; NULL
                                       lists none */
    /* The result columns of view v of cat (the engine compiles its SELECT):
     * one row (name, declared type or NULL) each into out, whose n_cols the
     * catalog sets to 2. CHORUS_ERROR with *errmsg_out (malloc()ed) when the
     * view does not compile. NULL: views have no columns here. */
    int (*view_columns)(void *arg, const catalog *cat, const catalog_view *v,
                        catalog_result *out, char **errmsg_out);
    void *view_columns_arg;
} catalog_pragma_env;

/*
 * Runs PRAGMA p and fills out (initialized by the caller) with its result
 * rows: table_info, table_xinfo, index_list, index_info, index_xinfo,
 * foreign_key_list, integrity_check, quick_check, user_version,
 * application_id, schema_version, page_size, page_count, freelist_count,
 * encoding, table_list, database_list, compile_options, journal_mode,
 * synchronous, busy_timeout, cache_size, wal_checkpoint, foreign_keys,
 * defer_foreign_keys, recursive_triggers, case_sensitive_like,
 * automatic_index, collation_list (the collations
 * the thread's scope defines, then RTRIM, NOCASE, BINARY) and function_list
 * (through env->function_at), and settings this engine does not change
 * (auto_vacuum, temp_store, query_only, ...: SQLite's default, setting
 * them changes nothing). Unknown pragmas give no rows and no error, as
 * SQLite.
 * journal_mode: "wal" ("memory" for an in-memory database); setting "wal"
 * or another SQLite mode reports it unchanged, as SQLite answers when it
 * cannot switch; "mvcc" fails with "not supported yet: journal_mode=mvcc"
 * (the engine switches to MVCC before the catalog sees it: core/vm).
 * Errors: a code and *errmsg_out (malloc()ed).
 */
int catalog_pragma(const catalog_pragma_env *env, const ast_pragma *p, catalog_result *out,
                   char **errmsg_out);

#endif /* CHORUS_CATALOG_H */
