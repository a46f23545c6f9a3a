/*
 * core/vm/vm_int.h: what the files of core/vm share: the database,
 * connection and statement structs, the run context of one statement
 * execution, and the executor's internal functions (expression evaluation,
 * query operators, row stores, transactions).
 * Included only by the .c files of core/vm.
 */
#ifndef CHORUS_VM_INT_H
#define CHORUS_VM_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "btree.h"
#include "store.h"
#include "catalog.h"
#include "compile.h"
#include "func.h"
#include "pager.h"
#include "sql.h"
#include "value.h"
#include "vm.h"

struct vm_db {
    pager *pager;           /* owned; immutable after open */
    char *path;             /* owned; immutable after open */
    pthread_mutex_t mu;
    catalog *cat;           /* the published catalog (a reference); guarded by mu */
    store_db *store;        /* owned: the storage seam; MVCC mode when it has a
                               version store (mvcc_mode.c) */
    int n_open_tx;          /* guarded by mu: connections with a transaction open (VM3) */
    uint64_t mvcc_gen;      /* guarded by mu: bumped when MVCC mode closes (VM3) */
    bool mode_switching;    /* guarded by mu: a journal_mode switch runs (VM3) */
    bool is_private;        /* in memory: never registered (db.c D3); immutable */
    struct vm_checkpointer *checkpointer;   /* owned; guarded by mu (checkpointer.c CK1) */
    int n_refs;             /* guarded by the registry mutex (db.c D3) */
    vm_db *next;            /* registry list; guarded by the registry mutex */
};

/* The databases of a connection other than main (temp.c): slot 0 is the
 * temp schema, slots 1..VM_MAX_ATTACHED the attached ones in ATTACH order. */
#define VM_MAX_ATTACHED 10
#define VM_N_SCHEMAS (1 + VM_MAX_ATTACHED)

typedef struct vm_savepoint {
    char *name;             /* owned */
    int id;                 /* pager savepoint id; -1 in MVCC mode unless the
                               transaction changes the schema (tx.c T6) */
    uint32_t mv_mark;       /* MVCC mode: the mv_tx savepoint (mvcc R18) */
    int schema_id[VM_N_SCHEMAS];    /* its savepoint in each other database (temp.c
                                       TP2), or -1 */
    int64_t fk_deferred, fk_deferred_imm;  /* the counters when it was opened (fkey.c K3) */
} vm_savepoint;

typedef struct vm_schema vm_schema; /* temp or an attached database (temp.c) */

/* All fields belong to the thread using the connection, except interrupt. */
struct vm_conn {
    vm_db *db;
    pager_tx *tx;           /* the open transaction, or NULL */
    store_tx stx;           /* the storage seam over tx (vm_store_tx) */
    bool explicit_tx;       /* inside BEGIN ... COMMIT (or a SAVEPOINT transaction) */
    bool tx_concurrent;     /* BEGIN CONCURRENT: its writes never take the MVCC
                               exclusive gate (mvcc_mode.c VM5) */
    bool tx_counted;        /* counted in db->n_open_tx (VM3) */
    bool tx_doomed;         /* a statement failed so that the tx must roll back */
    bool sp_began_tx;       /* the outermost SAVEPOINT began the transaction */
    int n_active;           /* running statements that use tx */
    catalog *cat;           /* reference: the schema this connection sees now */
    bool cat_editable;      /* cat is a private copy being edited by DDL in tx */
    uint64_t schema_gen;    /* bumped whenever cat changes */
    int n_sp, cap_sp;
    vm_savepoint *sp;       /* owned stack of SAVEPOINTs, innermost last */
    int errcode, ext_errcode;
    char *errmsg;           /* owned; NULL means "not an error" */
    int64_t changes, total_changes, last_rowid;
    int busy_ms;
    _Atomic int interrupt;  /* set by any thread; read by the running statement */
    bool foreign_keys, recursive_triggers;
    bool case_sensitive_like, automatic_index;      /* PRAGMAs the compiler reads
                                       (compile_env; changing one recompiles) */
    bool defer_foreign_keys;        /* PRAGMA defer_foreign_keys (fkey.c K3) */
    int64_t fk_deferred;    /* foreign key violations counted for COMMIT (fkey.c K3) */
    int64_t fk_deferred_imm;        /* those of immediate keys under defer_foreign_keys */
    int64_t cache_size;
    vm_schema *schemas[VM_N_SCHEMAS];       /* owned: [0] the temp database, NULL until
                                               first used (TP1); [1..n_schemas) attached */
    int n_schemas;          /* 1 + the number of attached databases */
    const char *attached_names[VM_MAX_ATTACHED];    /* PRAGMA's view of them (borrowed) */
    const char *attached_paths[VM_MAX_ATTACHED];
    catalog_writer *parked_writer;  /* owned: the last DML statement's writer, kept
                                       for the next one (writer_park.c WP1-WP3) */
    mv_tx *mvtx;            /* owned: the MVCC transaction context, made on first use */
    uint64_t mvtx_gen;      /* db->mvcc_gen when mvtx was made (stale after a switch) */
    int64_t now_ms;         /* 'now' of the date functions: wall clock at their first
                               call in the latest statement run; 0 until then */
    func_user_set *funcs;   /* borrowed from the c-api connection: application-defined
                               functions, the thread's func scope while compiling or
                               stepping (stmt.c M4); NULL when there are none */
    collation_user_set *colls;      /* the same for collations */
    int (*progress_fn)(void *);     /* vm_conn_set_progress: called every progress_n
                                       row visits (vm_run_tick); NULL: none */
    void *progress_arg;
    int progress_n, progress_count;
    void (*trace_fn)(void *, const char *);    /* vm_conn_set_trace; NULL: none */
    void *trace_arg;
    uint64_t write_gen;     /* runs of statements that may write (stmt.c M9) */
    int limits[CHORUS_LIMIT_COUNT];         /* vm_conn_limit (conn.c N3) */
    int (*auth_fn)(void *, int, const char *, const char *, const char *, const char *);
    void *auth_arg;         /* vm_conn_set_authorizer; auth_fn NULL: none */
};

/* The state of one execution of a statement. */
typedef struct vm_run {
    struct vm_stmt *stmt;
    vm_conn *conn;
    plan_stmt *plan;
    const value *params;    /* [1..n_params] */
    char *errmsg;           /* owned first error message */
    int ext_errcode;        /* extended code of the error, if any */
    uint32_t tick;          /* rows seen, for the interrupt check */
    func_env env;
    int n_held, cap_held;
    cx **held;              /* owned array: subquery nodes holding caches or sets (E3) */
} vm_run;

struct vm_stmt {
    vm_conn *conn;
    char *sql;              /* owned copy of this statement's text */
    int sql_len;
    char *text;             /* owned: the statement's own text (vm_stmt_sql) */
    arena parse_arena;      /* owns ast */
    ast_stmt *ast;
    plan_stmt *plan;        /* owned */
    catalog *cat;           /* reference: the catalog plan was compiled against */
    uint64_t gen;           /* conn->schema_gen at compile time */
    value *params;          /* owned [0..n_params] */
    int n_params;
    bool running;
    bool in_tx;             /* counted in conn->n_active */
    bool has_savepoint;
    int savepoint_id;
    uint32_t mv_mark;       /* MVCC: writes before this statement (mvcc R18) */
    bool done_writes;       /* DML/DDL/TX work done; the next step says DONE */
    catalog_writer *writer;
    catalog_result pres;    /* PRAGMA rows */
    /* triggers (exec_trigger.c): statements of trigger programs run as child
     * statements sharing the root's writer */
    struct vm_stmt *root;   /* the statement the application runs (itself at the top) */
    struct vm_frame *frames;        /* root: the trigger programs running, innermost first */
    int trig_depth;         /* root: their number */
    int raise_conflict;     /* root: the conflict action of a RAISE that failed the
                               statement (AST_CONFLICT_*), 0 if none */
    int conflict;           /* the OR action its rows are written with: its own, or that
                               of the statement whose trigger runs it (exec_trigger.c G7) */
    int64_t fk_immediate;   /* root: immediate foreign key violations (fkey.c K3) */
    int64_t fk_deferred_at_start, fk_deferred_imm_at_start;    /* root: conn's counters
                                                                   when it began */
    int64_t own_changes;    /* root: the rows its run counted itself, not its triggers'
                               (exec_dml.c W3) */
    catalog *schema_cats[VM_N_SCHEMAS];     /* references: the other schemas plan was
                                               compiled against (slots as conn->schemas) */
    uint32_t schema_sp_mask;        /* slots where this statement holds a savepoint (TP2) */
    int schema_sp[VM_N_SCHEMAS];
    struct vm_rows *returned;       /* RETURNING rows, owned */
    int64_t returned_pos;
    int64_t pres_pos;
    int64_t rows_pos;       /* PLAN_ROWS position */
    value *out;             /* current row (borrowed or owned as the plan says) */
    bool auth_ignored;      /* the authorizer said IGNORE to its action: runs do
                               nothing (stmt.c M11) */
    const value *pres_row;
    vm_run run;
};

/* ---- the automatic MVCC checkpoint's thread (checkpointer.c) */
typedef struct vm_checkpointer vm_checkpointer;
/* After a writing commit: asks for a checkpoint when one is due (CK2), or
 * runs it here when the log is far behind (CK3, within busy_ms). */
void vm_checkpointer_commit_done(vm_db *db, int busy_ms);
/* Stops and frees the database's checkpointer, if any (CK1). */
void vm_checkpointer_stop(vm_db *db);

/* ---- MVCC mode (mvcc_mode.c) */
bool vm_mvcc_on(const vm_db *db);
int vm_mvcc_open_existing(vm_db *db, char **errmsg_out);
void vm_mvcc_close(vm_db *db);
/* Begins the MVCC transaction (VM2); exclusive: as its writer (VM5). */
int vm_mvcc_tx_begin(vm_conn *conn, bool exclusive);
/* Ends the connection's MVCC transaction, if any, and frees its context. */
void vm_mvcc_conn_close(vm_conn *conn);
/* Makes the open MVCC transaction the exclusive writer (VM5). */
int vm_mvcc_make_exclusive(vm_conn *conn);
/* Ends it: the pager side too (VM4: a schema change commits its B-tree
 * first). Leaves conn->tx NULL. */
int vm_mvcc_tx_end(vm_conn *conn, bool commit);
/* COMMIT's wait for an open exclusive writer, which leaves the transaction
 * open on CHORUS_BUSY (VM5). */
int vm_mvcc_commit_wait(vm_conn *conn);
/* VM3: counts conn's transaction in the database's open ones; CHORUS_BUSY
 * while a journal_mode switch runs. vm_tx_uncount undoes it. */
int vm_tx_count(vm_conn *conn);
void vm_tx_uncount(vm_conn *conn);
/* T6: a pager savepoint for each open SQL savepoint that lacks one, once a
 * schema change began conn's pager write transaction. */
int vm_tx_savepoints_to_pager(vm_conn *conn);
/* Before a DDL statement in MVCC mode: the exclusive B-tree transaction it
 * runs in (holding the transaction's own row writes), or an error for what
 * MVCC mode cannot change. */
int vm_mvcc_ddl_begin(vm_stmt *st);
/* PRAGMA journal_mode under MVCC rules; *handled false leaves it to the catalog. */
int vm_mvcc_journal_mode(vm_stmt *st, bool *handled);
/* PRAGMA wal_checkpoint in MVCC mode (mvcc_mode.c VM8); *handled false
 * when it is another pragma or the database is not in MVCC mode. */
int vm_mvcc_checkpoint_pragma(vm_stmt *st, bool *handled);
/* Checkpoints every commit the horizon allows (the oldest live snapshot, or
 * the clock when none is live) into the B-tree and truncates the log,
 * waiting for a running checkpoint and (busy_ms) the writer lock:
 * CHORUS_BUSY when that lock stayed taken. Not while holding the pager's
 * writer lock. (mvcc_mode.c VM8) */
int vm_mvcc_checkpoint_all(vm_db *db, int busy_ms);

/* ---- errors (conn.c) */
void vm_conn_take_error(vm_conn *conn, int rc, char *msg);
int vm_run_error(vm_run *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vm_run_check_interrupt(vm_run *r);
/* One unit of work for the progress handler (a row visit, or the start of a
 * run: stmt.c M6): true when the handler ran and asked to stop. */
bool vm_conn_progress_stop(vm_conn *conn);

/* One row visit of a loop: checks the interrupt flag every 256 visits and
 * calls the progress handler every progress_n (CHORUS_INTERRUPT when it
 * asks to stop). Inline: the loop's hot path pays two tests. */
static inline int
vm_run_tick(vm_run *r)
{
    int rc;

    if ((++r->tick & 0xff) == 0 && (rc = vm_run_check_interrupt(r)) != CHORUS_OK)
        return rc;
    if (r->conn->progress_fn != NULL && vm_conn_progress_stop(r->conn))
        return vm_run_error(r, CHORUS_INTERRUPT, "interrupted");
    return CHORUS_OK;
}

/* ---- transactions (tx.c) */
int vm_tx_statement_begin(vm_stmt *st);
void vm_tx_statement_end(vm_stmt *st, int rc);
int vm_tx_statement_finish(vm_stmt *st, int rc, int conflict);
int vm_tx_execute(vm_stmt *st);
int vm_tx_editable_catalog(vm_conn *conn, catalog **out);
int vm_tx_ensure(vm_conn *conn, bool write);
void vm_tx_end(vm_conn *conn, bool commit, int *rc_io);

/* ---- parked writers (writer_park.c) */
/* Parks st's finished writer on its connection, or closes it (WP1). */
void vm_writer_park(vm_stmt *st);
/* Gives st the parked writer when it fits (WP2: shared_store says whether
 * the writer is to use the connection's store transaction); otherwise
 * closes the parked one and returns false. */
bool vm_writer_unpark(vm_stmt *st, catalog *cat, bool shared_store, const catalog_hooks *hooks);
/* Closes the parked writer, if any (WP3). */
void vm_writer_drop_parked(vm_conn *conn);

/* ---- the other databases of a connection: temp and attached (temp.c) */
/* Creates the connection's temp database unless it exists (TP1). */
int vm_temp_open(vm_conn *conn);
/* Closes every other database of the connection (vm_conn_close). */
void vm_schemas_close(vm_conn *conn);
/* Whether sql (len bytes) may name the temp schema before it exists
 * (temp.x, sqlite_temp_schema): the caller then creates it first. */
bool vm_temp_mentioned(const char *sql, int len);
/* The temp catalog the connection sees now, or NULL when it has none. */
catalog *vm_temp_catalog(const vm_conn *conn);
/* Whether t is a table of the temp schema. */
bool vm_temp_owns(const vm_conn *conn, const catalog_table *t);
/* The catalog of the temp or attached database that holds t (TP4), or
 * NULL when t is main's. */
catalog *vm_schema_catalog_of(const vm_conn *conn, const catalog_table *t);
/* The transaction t's b-trees are read through: main's, or that of the
 * temp or attached database holding t (TP4). */
int vm_schema_tx_for(vm_conn *conn, const catalog_table *t, pager_tx **out);
/* The storage seam over tx, a transaction of the connection (cursor.c).
 * Borrowed from conn until the transaction ends. */
store_tx *vm_store_tx(vm_conn *conn, pager_tx *tx);
/* Whether st writes no database but temp or attached ones (their DDL, DML
 * on their tables without triggers): main's transaction then stays a read
 * one (TP5). */
bool vm_schema_only(const vm_stmt *st);
/* Joins the other databases' transactions (TP2). */
int vm_schema_statement_begin(vm_stmt *st);
void vm_schema_statement_finish(vm_stmt *st, bool failed, int conflict);
/* Commits or rolls back their transactions after main's (TP7). */
int vm_schema_tx_end(vm_conn *conn, bool commit);
/* The other databases' side of SAVEPOINT (sp->schema_id) and of RELEASE /
 * ROLLBACK TO. */
int vm_schema_savepoint_open(vm_conn *conn, vm_savepoint *sp);
int vm_schema_savepoint_end(vm_conn *conn, const vm_savepoint *sp, bool rollback_to);
/* For a DDL statement that belongs to temp or an attached database:
 * creates the temp database if needed, opens st->writer on that database's
 * editable catalog and sets *other_out; otherwise *other_out is false and
 * nothing is done. */
int vm_schema_ddl_writer(vm_stmt *st, bool *other_out);
/* The checks sqlite3_prepare makes on DDL statement st->ast (catalog
 * ddl_check.c DC1), against the schema the statement targets; CHORUS_OK
 * when that schema does not exist yet. *errmsg_out: malloc()ed. */
int vm_schema_ddl_check(const vm_stmt *st, char **errmsg_out);
/* For DML on t, a table of temp or an attached database: opens st->writer
 * on its transaction (unless open) and sets *other_out. */
int vm_schema_dml_writer(vm_stmt *st, const catalog_table *t, bool *other_out);
/* Whether writer w writes the database that holds t. */
bool vm_schema_writer_fits(const vm_conn *conn, const catalog_writer *w, const catalog_table *t);
/* After main's table or view name was dropped: the TEMP triggers that
 * named it are dropped too (TP6). */
int vm_temp_drop_triggers_on(vm_stmt *st, const char *name);
/* Points env at the database the PRAGMA is about (temp.x, aux.x, or a
 * table or index that temp or an attached database holds) and fills its
 * lists of the other databases. */
int vm_schema_pragma_env(vm_run *r, const ast_pragma *p, catalog_pragma_env *env);
/* Takes st's references to the other schemas (st->schema_cats), first
 * bringing an attached file's catalog up to date when no transaction holds
 * it (T2), and points env at them; names: room for VM_N_SCHEMAS names. Also
 * gives env the connection's planner settings (exec_pragma.c PR5). */
void vm_schema_compile_env(vm_stmt *st, compile_env *env, const char **names);
/* ATTACH (attach.c): adds database db (a reference, taken) as name; the
 * caller checked that a slot is free. */
int vm_schema_attach(vm_conn *conn, const char *name, vm_db *db);
/* DETACH: slot (1..n_schemas-1) leaves the connection. */
void vm_schema_detach(vm_conn *conn, int slot);
/* The slot (1..) of the attached database named name, or -1. */
int vm_schema_find(const vm_conn *conn, const char *name);
/* Whether slot's database is in use: a statement of this transaction read
 * or wrote it, or statements run (attach.c AT2). */
bool vm_schema_in_use(const vm_conn *conn, int slot);

/* ---- ATTACH and DETACH (attach.c) */
int vm_attach_execute(vm_stmt *st);
int vm_detach_execute(vm_stmt *st);

/* ---- databases (db.c) */
/* T2: *cat_io becomes the catalog of db that tx's snapshot describes
 * (kept when its cookie matches, else db's published one, else loaded
 * from tx); *changed_out says whether it was replaced. */
int vm_db_catalog_sync(vm_db *db, pager_tx *tx, catalog **cat_io, bool *changed_out,
                       char **errmsg_out);
/* T3: cat (committed DDL) becomes db's published catalog (D1). */
void vm_db_catalog_publish(vm_db *db, catalog *cat);
/* A new reference to db's published catalog. */
catalog *vm_db_catalog(vm_db *db);
/* VM3: counts a transaction opening on db (CHORUS_BUSY while its
 * journal_mode switches); vm_db_tx_uncount when it ends. */
int vm_db_tx_count(vm_db *db);
void vm_db_tx_uncount(vm_db *db);

/* ---- expressions (expr_eval.c) */
int vm_eval(vm_run *r, cx *e, value *out);
/* Truth of e: 1, 0 or -1 (NULL); negative codes are not used: errors go
 * through *rc_out. */
int vm_eval_truth(vm_run *r, cx *e, int *truth_out);
/* Whether condition e (WHERE, ON, HAVING, CASE WHEN) holds, tested as
 * SQLite's jumps do (expr_eval.c E4). */
int vm_eval_condition(vm_run *r, cx *e, bool *pass);
/* Evaluates an optional integer (LIMIT/OFFSET). */
int vm_eval_int(vm_run *r, cx *e, int64_t dflt, int64_t *out);
/* Drops every subquery cache and set of the run (expr_eval.c rule E3). */
void vm_eval_release(vm_run *r);

/* ---- cursors (cursor.c) */
int vm_cursor_column(vm_run *r, plan_cursor *cur, int col, value *out);
void vm_cursor_reset(plan_cursor *cur);
int vm_cursor_open_table(vm_run *r, plan_cursor *cur);
void vm_cursor_close(plan_cursor *cur);
int vm_cursor_load(plan_cursor *cur);
/* The rowid of the row under a table cursor, read on first use (C8). */
int vm_cursor_rowid(plan_cursor *cur, int64_t *out);

/* ---- queries (exec_query.c) */
int vm_query_open(vm_run *r, plan_query *q);
int vm_query_next(vm_run *r, plan_query *q);
void vm_query_close(vm_run *r, plan_query *q);

/* ---- loops (exec_loop.c) */
int vm_loop_next(vm_run *r, plan_query *q);
void vm_loop_close(vm_run *r, plan_query *q);

/* ---- aggregation (agg.c) */
int vm_agg_next(vm_run *r, plan_query *q);
void vm_agg_close(vm_run *r, plan_query *q);

/* ---- row values (eval_rowvalue.c) */
/* (a, b, ...) [NOT] IN (SELECT ...) into *out. */
int vm_eval_in_vector(vm_run *r, cx *e, value *out);

/* ---- window functions (exec_window.c) */
/* The next window row of a core with window functions (q->win_row). */
int vm_window_next(vm_run *r, plan_query *q);
void vm_window_close(vm_run *r, plan_query *q);

/* ---- row stores (rows.c) */
typedef struct vm_rows vm_rows;
struct vm_rows {
    int n_cols;
    int64_t n, cap;
    value **rows;           /* owned array; rows in a */
    arena a;
};
int vm_rows_new(int n_cols, vm_rows **out);
void vm_rows_free(vm_rows *rows);
/* Copies n_cols values (bytes included) into the store. */
int vm_rows_append(vm_rows *rows, const value *vals);
/* Stable sort by keys key_col[i] with desc/coll per key. */
int vm_rows_sort(vm_rows *rows, int n_keys, const int *key_col, const uint8_t *desc,
                 const uint8_t *coll);
/* Top-N (rows.c R4): offers a row to a store that keeps the keep smallest
 * rows under keys that order rows totally. */
int vm_rows_offer(vm_rows *rows, int64_t keep, int n_keys, const int *key_col,
                  const uint8_t *desc, const uint8_t *coll, const value *vals);
/* Priority queue (rows.c R5): push copies a row in; pop returns the
 * smallest under keys that order rows totally (NULL when empty). */
int vm_rows_push(vm_rows *rows, int n_keys, const int *key_col, const uint8_t *desc,
                 const uint8_t *coll, const value *vals);
value *vm_rows_pop(vm_rows *rows, int n_keys, const int *key_col, const uint8_t *desc,
                   const uint8_t *coll);
/* Compares two rows on the first n columns (BINARY unless coll given). */
int vm_row_compare(const value *a, const value *b, int n, const uint8_t *coll);

/* ---- automatic indexes (autoindex.c) */
typedef struct vm_autoindex vm_autoindex;
/* Builds the transient index of PA_AUTO_INDEX level lv by reading its
 * table through cur (AI1-AI4). */
int vm_autoindex_build(vm_run *r, const plan_level *lv, plan_cursor *cur, vm_autoindex **out);
void vm_autoindex_free(vm_autoindex *ix);
/* Starts a probe for key (the level's n_eq probe values, kept by the caller
 * while the probe runs); vm_autoindex_next then puts cur on each row holding
 * it in turn (AI3, AI5), and gives false after the last. */
void vm_autoindex_probe(vm_autoindex *ix, const value *key);
bool vm_autoindex_next(vm_autoindex *ix, plan_cursor *cur);
/* Puts a filled materialized source's cursor on the row of that rowid. */
void vm_autoindex_position(plan_cursor *cur, int64_t rowid);

/* The hash of n values under per-column collations that agrees with
 * value_compare (rows.c R2). */
uint64_t vm_values_hash(const value *vals, int n, const uint8_t *coll);
typedef struct vm_rowset vm_rowset;
int vm_rowset_new(int n_cols, const uint8_t *coll, vm_rowset **out);
void vm_rowset_free(vm_rowset *set);
void vm_rowset_clear(vm_rowset *set);
/* Adds the row unless present; *added_out tells which. */
int vm_rowset_add(vm_rowset *set, const value *vals, bool *added_out);
bool vm_rowset_contains(vm_rowset *set, const value *vals);

/* ---- statements (exec_dml.c) */
int vm_exec_insert(vm_stmt *st);
int vm_exec_update(vm_stmt *st);
int vm_exec_delete(vm_stmt *st);
int vm_exec_ddl(vm_stmt *st);
int vm_exec_create_as(vm_stmt *st);

/* ---- PRAGMAs (exec_pragma.c) */
int vm_exec_pragma(vm_stmt *st);
/* PR2: the rows of PRAGMA name (of schema, or of schema_arg's database
 * when that is TEXT), given arg unless it is NULL or SQL NULL, into out
 * (initialized by the caller). */
int vm_pragma_table(vm_run *r, const char *name, const char *schema, const value *arg,
                    const value *schema_arg, catalog_result *out);

/* ---- triggers, upsert, row expressions (exec_trigger.c, exec_upsert.c) */
/* Internal code of RAISE(IGNORE), unwinding to the trigger firing that
 * catches it; never reaches the application. */
#define VM_RAISE_IGNORE 0x7e01
int vm_raise(vm_run *r, cx *e);
/* catalog_hooks.eval with arg the root vm_stmt. */
int vm_hooks_eval(void *arg, const catalog_table *t, const ast_expr *expr, const value *row,
                  int64_t rowid, value *out, char **errmsg_out);
/* exec_trigger.c G8: compiles, at prepare, the trigger programs st's plan
 * fires; on failure the message goes to *errmsg_out (malloc()ed). */
int vm_triggers_prepare(vm_stmt *st, char **errmsg_out);
/* Whether t has a trigger for event at time (ast_trigger_*), its own or a
 * TEMP trigger that names it (exec_trigger.c G6). */
bool vm_triggers_any(const vm_stmt *st, const catalog_table *t, int event, int time);
/* Fires t's triggers for event at time over one row (old_row / new_row: t->n_cols
 * values or NULL). set: the SET list of an UPDATE (UPDATE OF), or NULL.
 * *ignore_out: a RAISE(IGNORE) abandoned the row. */
int vm_triggers_fire(vm_stmt *st, const catalog_table *t, int event, int time,
                     const ast_list *set, const value *old_row, int64_t old_rowid,
                     const value *new_row, int64_t new_rowid, bool *ignore_out);
/* Runs the statement build(arg) gives (malloc()ed SQL text, built on first
 * use and kept under key) where NEW and OLD are rows of t; *n_rows_out gets
 * the number of rows a SELECT gave (0 for other statements). */
int vm_sub_sql_run(vm_stmt *st, const void *key, const catalog_table *t,
                   char *(*build)(const void *arg), const void *arg, const value *old_row,
                   int64_t old_rowid, const value *new_row, int64_t new_rowid,
                   int64_t *n_rows_out);
/* Foreign keys (fkey.c K1-K6), when PRAGMA foreign_keys is on. Before an
 * UPDATE or DELETE writes row old_rowid of t (new_row: UPDATE's new values
 * after affinity, else NULL): */
int vm_fkeys_before(vm_stmt *st, const catalog_table *t, const value *old_row, int64_t old_rowid,
                    const value *new_row, int64_t new_rowid);
/* Whether writes to t have foreign key work (t is a child or a parent). */
bool vm_fkeys_involve(vm_stmt *st, const catalog_table *t);
/* After a row of t was written (event: ast_trigger_event): */
int vm_fkeys_after(vm_stmt *st, const catalog_table *t, int event, const value *old_row,
                   int64_t old_rowid, const value *new_row, int64_t new_rowid);
/* The counters, put back when a write that vm_fkeys_before counted does not
 * happen after all (an OR IGNORE conflict). */
typedef struct vm_fk_counts {
    int64_t immediate, deferred, deferred_imm;
} vm_fk_counts;
void vm_fkeys_counts_get(vm_stmt *st, vm_fk_counts *out);
void vm_fkeys_counts_set(vm_stmt *st, const vm_fk_counts *counts);
/* A root statement's counters (K3): begin, and end with rc (its result), which
 * becomes a failure when violations remain. */
void vm_fkeys_statement_begin(vm_stmt *st);
int vm_fkeys_statement_end(vm_stmt *st, int rc);
/* COMMIT (K3): fails while deferred violations remain. */
int vm_fkeys_commit_check(vm_stmt *st);
void vm_fkeys_savepoint_save(const vm_conn *conn, vm_savepoint *sp);
void vm_fkeys_savepoint_restore(vm_conn *conn, const vm_savepoint *sp);
/* The end of a transaction clears the counters and defer_foreign_keys. */
void vm_fkeys_tx_end(vm_conn *conn);
/* The RETURNING row of a written row (vals: t->n_cols values). */
int vm_returning_add(vm_stmt *st, const value *vals, int64_t rowid);

/* ---- values */
/* Frees what each of n values owns and sets them NULL. */
void vm_values_clear(value *vals, int n);

#endif /* CHORUS_VM_INT_H */
