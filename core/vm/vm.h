/*
 * core/vm/vm.h: the SQL engine's surface for the C API: databases,
 * connections and prepared statements.
 *
 * A vm_db is one database shared by all connections of the process (pager,
 * schema catalog); a vm_conn is one connection (transaction state, last
 * error, counters); a vm_stmt is one compiled statement of a connection.
 * The c-api layer validates handles and converts values; everything here
 * assumes valid arguments except where it says otherwise.
 *
 * Errors: every failing call on a connection or its statements records the
 * primary code, the extended code and a message on the connection
 * (vm_conn_errcode and friends); successful calls reset it to CHORUS_OK.
 *
 * Threads: vm_db functions are thread-safe; a vm_conn and its statements are
 * used by one thread at a time, except vm_conn_interrupt.
 */
#ifndef CHORUS_VM_H
#define CHORUS_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "record.h"

typedef struct vm_db vm_db;
typedef struct vm_conn vm_conn;
typedef struct vm_stmt vm_stmt;

/*
 * Opens the database at path (":memory:", "" or CHORUS_OPEN_MEMORY: a new
 * private in-memory database). flags are CHORUS_OPEN_*. A file is opened
 * once per process (db.c D3): opening a path that is open already, from
 * the C API or by ATTACH, gives the same vm_db with one more reference, so
 * pass the path in the form vm_path_canonical gives. On failure
 * *errmsg_out gets a malloc()ed message.
 */
int vm_db_open(const char *path, int flags, vm_db **out, char **errmsg_out);
/* Drops a reference; the last closes the database, after every connection
 * on it was closed. */
void vm_db_close(vm_db *db);
/* The canonical form of a file path: realpath() of the file, or of its
 * directory joined with the file name when the file does not exist.
 * malloc()ed; NULL when out of memory or when the directory cannot be
 * resolved. */
char *vm_path_canonical(const char *path);

int vm_conn_open(vm_db *db, vm_conn **out);
/* Rolls back an open transaction and frees the connection. Its statements
 * must have been finalized. */
void vm_conn_close(vm_conn *conn);

int vm_conn_errcode(vm_conn *conn);             /* primary code */
int vm_conn_extended_errcode(vm_conn *conn);
/* Borrowed until the next call on conn. Never NULL. */
const char *vm_conn_errmsg(vm_conn *conn);
/* Records an error on conn (for failures the c-api layer detects). */
void vm_conn_set_error(vm_conn *conn, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void vm_conn_clear_error(vm_conn *conn);

int64_t vm_conn_changes(vm_conn *conn);
int64_t vm_conn_total_changes(vm_conn *conn);
int64_t vm_conn_last_insert_rowid(vm_conn *conn);
bool vm_conn_in_transaction(vm_conn *conn);
void vm_conn_set_busy_timeout(vm_conn *conn, int ms);
/* Thread-safe: asks the running statement to stop with CHORUS_INTERRUPT. */
void vm_conn_interrupt(vm_conn *conn);

/*
 * Application-defined functions and collations: funcs and colls
 * (borrowed, may be NULL; see func.h and record.h) are the thread's scopes
 * while conn prepares or steps a statement. vm_conn_expire makes every
 * statement of conn compile again before its next run, so none keeps a
 * definition that changed; the caller changes definitions only while no
 * statement of conn is running.
 */
typedef struct func_user_set func_user_set;
void vm_conn_set_user_defs(vm_conn *conn, func_user_set *funcs, collation_user_set *colls);
void vm_conn_expire(vm_conn *conn);
/* sqlite3_limit: limit id (CHORUS_LIMIT_*) of conn set to new_value (negative:
 * unchanged; above the highest: the highest); returns the old value, or -1
 * for an unknown id (conn.c N3). */
int vm_conn_limit(vm_conn *conn, int id, int new_value);
/* sqlite3_set_authorizer (core/compile/authorize.c AZ1-AZ3, stmt.c M11): fn
 * (NULL: none) judges each statement conn compiles from now on; every
 * statement of conn compiles again before its next run. */
void vm_conn_set_authorizer(vm_conn *conn,
                            int (*fn)(void *, int, const char *, const char *, const char *,
                                      const char *),
                            void *arg);
/* True while a statement of conn runs (between its first step and its end). */
bool vm_conn_is_running(vm_conn *conn);
/* The progress handler: fn(arg) runs every n units of work of conn's
 * statements (the start of a run, each row visit), on the stepping thread; a
 * nonzero return stops the statement with CHORUS_INTERRUPT ("interrupted").
 * n < 1 or fn NULL removes it. */
void vm_conn_set_progress(vm_conn *conn, int n, int (*fn)(void *), void *arg);
/* The statement trace: fn(arg, sql) runs when a statement of conn starts a
 * run (its first step after prepare or reset), with the text given to
 * vm_prepare for it (from where prepare began up to its tail, as
 * sqlite3_sql), on the stepping thread. fn NULL removes it. */
void vm_conn_set_trace(vm_conn *conn, void (*fn)(void *, const char *), void *arg);

/*
 * Compiles the first statement of sql. *out is NULL when only whitespace or
 * comments remain. *tail (may be NULL) gets the first byte after it.
 */
int vm_prepare(vm_conn *conn, const char *sql, int nbytes, vm_stmt **out, const char **tail);
/* CHORUS_ROW, CHORUS_DONE or an error. Re-prepares itself when the schema
 * changed since it was compiled. */
int vm_step(vm_stmt *stmt);
/* Rewinds; ends the statement's part of an autocommit transaction. */
int vm_reset(vm_stmt *stmt);
/* Frees the statement (resetting it first). NULL is a no-op. */
void vm_finalize(vm_stmt *stmt);

vm_conn *vm_stmt_conn(vm_stmt *stmt);
/* True between the first vm_step and the CHORUS_DONE/error or reset. */
bool vm_stmt_is_running(vm_stmt *stmt);
bool vm_stmt_is_readonly(vm_stmt *stmt);
/* Borrowed until finalize. */
const char *vm_stmt_sql(vm_stmt *stmt);

/* Parameters, 1-based. vm_bind copies v (text and blob bytes included). */
int vm_param_count(vm_stmt *stmt);
const char *vm_param_name(vm_stmt *stmt, int idx);
int vm_param_index(vm_stmt *stmt, const char *name);
int vm_bind(vm_stmt *stmt, int idx, const value *v);
void vm_clear_bindings(vm_stmt *stmt);

/* Result columns, 0-based. Names borrowed until finalize; NULL where SQLite
 * gives NULL (decltype of an expression). */
int vm_column_count(vm_stmt *stmt);
const char *vm_column_name(vm_stmt *stmt, int col);
const char *vm_column_decltype(vm_stmt *stmt, int col);
const char *vm_column_table(vm_stmt *stmt, int col);
const char *vm_column_origin(vm_stmt *stmt, int col);
/* Column col of the current row; borrowed until the next step, reset or
 * finalize. Valid only after vm_step returned CHORUS_ROW. */
const value *vm_column(vm_stmt *stmt, int col);

/*
 * Online backup (backup.c): copies src's main database into dest's, page by
 * page. open: CHORUS_ERROR (message on dest) when both are one database, dest
 * has a transaction open or is in MVCC mode; CHORUS_NOMEM. step copies up to
 * n pages (all when negative): CHORUS_OK while pages remain, CHORUS_DONE once
 * dest holds the copy (committed), CHORUS_BUSY (dest's writer lock taken,
 * or an MVCC source could not be checkpointed: retry), or an error, after
 * which the backup starts again from the first page. page_count and
 * remaining describe the source at the latest step. close rolls back an
 * unfinished copy; NULL is a no-op. The caller keeps both connections open
 * until close, and uses a backup from one thread at a time.
 */
typedef struct vm_backup vm_backup;
int vm_backup_open(vm_conn *dest, vm_conn *src, vm_backup **out);
int vm_backup_step(vm_backup *b, int n);
uint32_t vm_backup_page_count(const vm_backup *b);
uint32_t vm_backup_remaining(const vm_backup *b);
void vm_backup_close(vm_backup *b);

/*
 * Incremental blob I/O (blob.c BL1-BL4): one text or blob value of row rowid
 * of table.column in database db_name (NULL: "main"), read and written in
 * place without changing its size. open fails with sqlite3's messages on
 * conn; read and write of n bytes at offset: CHORUS_ERROR outside the
 * value, CHORUS_READONLY for a handle opened without write, CHORUS_ABORT once
 * the row changed under the handle (BL2). reopen moves the handle to another
 * row of the same table (a failure leaves it expired). close frees it; NULL
 * is a no-op. Handles are closed before their connection.
 */
typedef struct vm_blob vm_blob;
int vm_blob_open(vm_conn *conn, const char *db_name, const char *table, const char *column,
                 int64_t rowid, bool write, vm_blob **out);
int vm_blob_bytes(const vm_blob *b);
int vm_blob_read(vm_blob *b, void *buf, int n, int offset);
int vm_blob_write(vm_blob *b, const void *buf, int n, int offset);
int vm_blob_reopen(vm_blob *b, int64_t rowid);
void vm_blob_close(vm_blob *b);

#endif /* CHORUS_VM_H */
