/*
 * chorus.h: the public C API of ChorusDB, an embedded SQL database that speaks
 * SQLite's dialect and file format and lets many connections of one process
 * write at once (PRAGMA journal_mode = 'mvcc' plus BEGIN CONCURRENT).
 *
 * This is the only public header. Every handle is opaque; only chorus_*
 * symbols are exported from libchorus.
 *
 * Objects and threads
 *   chorus_db    one database file, shared by all of its connections; the same
 *                path opened twice in one process yields the same underlying
 *                database object. Thread-safe.
 *   chorus_conn  one connection to a chorus_db. Used by one thread at a time
 *                (any thread, but not two at once), except chorus_interrupt(),
 *                which any thread may call at any time.
 *   chorus_stmt  one prepared statement of a connection; follows its
 *                connection's thread rule.
 *
 * Result codes keep SQLite's numbers where the meaning is the same. The
 * message of the last failure on a connection is available from
 * chorus_errmsg().
 *
 * Misuse. Functions that take a handle return CHORUS_MISUSE (or the NULL / 0
 * their entry names) for a NULL handle, a handle of another kind, and a
 * closed or finalized handle, and never crash on them: freed handles keep
 * readable, poisoned memory that is only reused for a new handle of the
 * same kind. Not detectable: a stale handle whose memory already serves a
 * new handle (the call then acts on the new one), pointers that never came
 * from this library, and two threads using one connection at once.
 */
#ifndef CHORUS_H
#define CHORUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define CHORUS_API __declspec(dllexport)
#else
#define CHORUS_API __attribute__((visibility("default")))
#endif

/*
 * Result codes, listed once: X(number, NAME, default message). chorus_errstr()
 * and each binding's constant table are generated from this list.
 */
#define CHORUS_RESULT_CODES(X)                                                      \
    X(0, OK, "not an error")                                                        \
    X(1, ERROR, "SQL logic error")                                                  \
    X(2, INTERNAL, "internal logic error")                                          \
    X(3, PERM, "access permission denied")                                          \
    X(4, ABORT, "query aborted")                                                    \
    X(5, BUSY, "database is locked")                                                \
    X(6, LOCKED, "database table is locked")                                        \
    X(7, NOMEM, "out of memory")                                                    \
    X(8, READONLY, "attempt to write a readonly database")                          \
    X(9, INTERRUPT, "interrupted")                                                  \
    X(10, IOERR, "disk I/O error")                                                  \
    X(11, CORRUPT, "database disk image is malformed")                              \
    X(12, NOTFOUND, "unknown operation")                                            \
    X(13, FULL, "database or disk is full")                                         \
    X(14, CANTOPEN, "unable to open database file")                                 \
    X(15, PROTOCOL, "locking protocol")                                             \
    X(17, SCHEMA, "database schema has changed")                                    \
    X(18, TOOBIG, "string or blob too big")                                         \
    X(19, CONSTRAINT, "constraint failed")                                          \
    X(20, MISMATCH, "datatype mismatch")                                            \
    X(21, MISUSE, "bad parameter or other API misuse")                              \
    X(23, AUTH, "authorization denied")                                             \
    X(25, RANGE, "column index out of range")                                       \
    X(26, NOTADB, "file is not a database")                                         \
    X(40, CONFLICT, "conflict with a concurrent transaction")                       \
    X(100, ROW, "another row available")                                            \
    X(101, DONE, "no more rows available")

#define CHORUS_RESULT_ENUM_(num, name, msg) CHORUS_##name = num,
enum { CHORUS_RESULT_CODES(CHORUS_RESULT_ENUM_) };
#undef CHORUS_RESULT_ENUM_

/*
 * Extended result codes: the primary code in the low byte, a refinement above
 * it, with SQLite's numbers. chorus_errcode() returns the primary code,
 * chorus_extended_errcode() the extended one.
 *
 * CHORUS_CONFLICT_SCHEMA (ChorusDB's own): in journal_mode 'mvcc', a write
 * transaction that began before a schema change (any DDL) committed fails
 * at COMMIT with it ("conflict: the database schema changed since the
 * transaction began; roll it back and retry"), and so does a statement of
 * an older transaction that opens a table or index the change dropped or
 * rewrote. Its primary code is CHORUS_CONFLICT: the transaction is over, and
 * retrying it (chorus_run_transaction does) runs it on the new schema.
 */
#define CHORUS_EXTENDED_CODES(X)                                                    \
    X(CHORUS_BUSY | (2 << 8), BUSY_SNAPSHOT)                                        \
    X(CHORUS_IOERR | (1 << 8), IOERR_READ)                                          \
    X(CHORUS_IOERR | (2 << 8), IOERR_SHORT_READ)                                    \
    X(CHORUS_IOERR | (3 << 8), IOERR_WRITE)                                         \
    X(CHORUS_IOERR | (4 << 8), IOERR_FSYNC)                                         \
    X(CHORUS_IOERR | (6 << 8), IOERR_TRUNCATE)                                      \
    X(CHORUS_IOERR | (7 << 8), IOERR_FSTAT)                                         \
    X(CHORUS_IOERR | (15 << 8), IOERR_LOCK)                                         \
    X(CHORUS_CORRUPT | (1 << 8), CORRUPT_VTAB)                                      \
    X(CHORUS_READONLY | (1 << 8), READONLY_RECOVERY)                                \
    X(CHORUS_CONSTRAINT | (1 << 8), CONSTRAINT_CHECK)                               \
    X(CHORUS_CONSTRAINT | (3 << 8), CONSTRAINT_FOREIGNKEY)                          \
    X(CHORUS_CONSTRAINT | (5 << 8), CONSTRAINT_NOTNULL)                             \
    X(CHORUS_CONSTRAINT | (6 << 8), CONSTRAINT_PRIMARYKEY)                          \
    X(CHORUS_CONSTRAINT | (7 << 8), CONSTRAINT_TRIGGER)                             \
    X(CHORUS_CONSTRAINT | (8 << 8), CONSTRAINT_UNIQUE)                              \
    X(CHORUS_CONSTRAINT | (10 << 8), CONSTRAINT_ROWID)                              \
    X(CHORUS_CONSTRAINT | (12 << 8), CONSTRAINT_DATATYPE)                           \
    X(CHORUS_CONFLICT | (1 << 8), CONFLICT_SCHEMA)

#define CHORUS_EXTENDED_ENUM_(num, name) CHORUS_##name = (num),
enum { CHORUS_EXTENDED_CODES(CHORUS_EXTENDED_ENUM_) };
#undef CHORUS_EXTENDED_ENUM_

/* Column and value types. */
enum {
    CHORUS_INTEGER = 1,
    CHORUS_FLOAT = 2,
    CHORUS_TEXT = 3,
    CHORUS_BLOB = 4,
    CHORUS_NULL = 5
};

/* chorus_open() flags. With neither READONLY nor READWRITE, READWRITE |
 * CREATE is assumed; with READWRITE and no CREATE, a missing file is
 * CHORUS_CANTOPEN. */
enum {
    CHORUS_OPEN_READONLY = 0x01,
    CHORUS_OPEN_READWRITE = 0x02,
    CHORUS_OPEN_CREATE = 0x04,
    CHORUS_OPEN_MEMORY = 0x80
};

/* Transaction modes for chorus_run_transaction(). */
enum {
    CHORUS_TX_DEFERRED = 0,
    CHORUS_TX_IMMEDIATE = 1,
    CHORUS_TX_CONCURRENT = 2
};

typedef struct chorus_db chorus_db;
typedef struct chorus_conn chorus_conn;
typedef struct chorus_stmt chorus_stmt;

/* Destructor argument for bind_text/bind_blob: the bytes are copied at once. */
#define CHORUS_TRANSIENT ((void (*)(void *))-1)
/* The bytes stay valid and unchanged until the statement is finalized or
 * rebound; the engine does not copy them. */
#define CHORUS_STATIC ((void (*)(void *))0)

/* ---------------------------------------------------------------- library */

/* chorus_version: the library version, "0.1.0". Static string; any thread. */
CHORUS_API const char *chorus_version(void);

/* chorus_version_number: MAJOR*1000000 + MINOR*1000 + PATCH (1000 for
 * 0.1.0). Any thread. */
CHORUS_API int chorus_version_number(void);

/*
 * chorus_errstr: the English text of result code rc, primary or extended
 * (an extended code reads as its primary: CHORUS_CONSTRAINT_UNIQUE gives
 * "constraint failed"). Unknown codes give "unknown error". Static string;
 * any thread.
 */
CHORUS_API const char *chorus_errstr(int rc);

/* --------------------------------------------------------------- database */

/*
 * chorus_open: opens (or creates) the database file at path.
 *
 *   path   a file name, or ":memory:" (or "", or flags with
 *          CHORUS_OPEN_MEMORY) for a new private in-memory database.
 *   flags  CHORUS_OPEN_* ; 0 means READWRITE | CREATE.
 *   out    receives the handle.
 *
 * Opening one file several times in a process (by any spelling of its path:
 * the path is made canonical with realpath) gives a new handle each time
 * on one shared database object; each handle needs its own chorus_close().
 * In-memory databases are never shared. Another process holding the file
 * gives CHORUS_BUSY with a message saying so.
 *
 * Returns CHORUS_OK and sets *out; or an error (CHORUS_CANTOPEN,
 * CHORUS_NOTADB, CHORUS_CORRUPT, CHORUS_BUSY, CHORUS_IOERR, CHORUS_NOMEM),
 * sets *out to NULL and leaves the reason in chorus_open_errmsg(). NULL path
 * or out: CHORUS_MISUSE. Thread-safe.
 */
CHORUS_API int chorus_open(const char *path, int flags, chorus_db **out);

/*
 * chorus_open_errmsg: the message of the calling thread's last failed
 * chorus_open(), or NULL when it succeeded. Owned by the library; valid
 * until the same thread calls chorus_open() again or exits.
 */
CHORUS_API const char *chorus_open_errmsg(void);

/*
 * chorus_close: releases the handle db. When the last handle on a database
 * is closed, the database is closed (a WAL is checkpointed and removed).
 *
 * Returns CHORUS_OK; CHORUS_BUSY, closing nothing, while connections made
 * through this handle are open (disconnect them, then close again); NULL
 * db: CHORUS_OK, nothing done. A handle already closed: CHORUS_MISUSE (see
 * "Misuse" below). Thread-safe.
 */
CHORUS_API int chorus_close(chorus_db *db);

/* ------------------------------------------------------------- connection */

/*
 * chorus_connect: opens a new connection on db, with a busy timeout of
 * 5000 ms. Returns CHORUS_OK and sets *out; CHORUS_NOMEM; CHORUS_MISUSE
 * for a NULL or closed db or a NULL out. *out is NULL after a failure.
 * Thread-safe; the connection is then used by one thread at a time.
 */
CHORUS_API int chorus_connect(chorus_db *db, chorus_conn **out);

/*
 * chorus_disconnect: finalizes every statement of conn (their handles
 * become invalid), rolls back an open transaction and frees conn. Returns
 * CHORUS_OK; CHORUS_BUSY (nothing done) while a backup started by
 * chorus_backup_init on conn is not finished; NULL conn: CHORUS_OK, nothing
 * done; a closed conn: CHORUS_MISUSE.
 */
CHORUS_API int chorus_disconnect(chorus_conn *conn);

/*
 * chorus_exec: runs every statement of the UTF-8 text sql in order,
 * dropping result rows. Stops at the first failure and returns its code,
 * with the message in chorus_errmsg(); statements before it stay done.
 * Text holding only whitespace and comments: CHORUS_OK. NULL conn or sql:
 * CHORUS_MISUSE.
 */
CHORUS_API int chorus_exec(chorus_conn *conn, const char *sql);

/*
 * chorus_errcode / chorus_extended_errcode: the primary or extended result
 * code of the last call on conn (or on one of its statements) that failed;
 * CHORUS_OK after a call that succeeded. NULL or closed conn:
 * CHORUS_MISUSE.
 */
CHORUS_API int chorus_errcode(chorus_conn *conn);
CHORUS_API int chorus_extended_errcode(chorus_conn *conn);

/*
 * chorus_errmsg: the English message of the last failure on conn, naming
 * the object and the cause ("no such table: t2", "UNIQUE constraint failed:
 * t.email"); the code's chorus_errstr() text when there is none. Borrowed:
 * valid until the next call on conn or its statements. NULL or closed conn:
 * a static text about misuse.
 */
CHORUS_API const char *chorus_errmsg(chorus_conn *conn);

/*
 * chorus_changes: rows inserted, updated or deleted by the most recent
 * INSERT, UPDATE or DELETE on conn. chorus_total_changes: the same summed
 * since the connection opened. NULL or closed conn: 0.
 */
CHORUS_API int64_t chorus_changes(chorus_conn *conn);
CHORUS_API int64_t chorus_total_changes(chorus_conn *conn);

/* chorus_last_insert_rowid: the rowid of the most recent successful INSERT
 * on conn, 0 if none. NULL or closed conn: 0. */
CHORUS_API int64_t chorus_last_insert_rowid(chorus_conn *conn);

/* chorus_in_transaction: 1 inside an explicit transaction (BEGIN ...), 0 in
 * autocommit mode. NULL or closed conn: 0. */
CHORUS_API int chorus_in_transaction(chorus_conn *conn);

/*
 * chorus_busy_timeout: how long a statement of conn waits for a lock held
 * by another connection (the write lock, a checkpoint) before failing with
 * CHORUS_BUSY, in milliseconds; 0 or negative: fail at once. The default is
 * 5000. Returns CHORUS_OK; NULL or closed conn: CHORUS_MISUSE.
 */
CHORUS_API int chorus_busy_timeout(chorus_conn *conn, int ms);

/*
 * chorus_interrupt: makes the statement running on conn (or its busy wait,
 * or the backoff of chorus_run_transaction) stop with CHORUS_INTERRUPT at
 * its next check. Statements started after the running one has finished
 * are not affected. Callable from any thread while conn is open; NULL or
 * closed conn: nothing happens.
 */
CHORUS_API void chorus_interrupt(chorus_conn *conn);

/* The body of a transaction for chorus_run_transaction: returns CHORUS_OK
 * to commit, or the code of its failure (for instance the code of a
 * chorus_* call it made) to roll back. */
typedef int (*chorus_tx_fn)(chorus_conn *conn, void *arg);

/*
 * chorus_run_transaction: runs fn(conn, arg) inside BEGIN <mode> ...
 * COMMIT, retrying the whole transaction after a write-write conflict.
 *
 *   mode          CHORUS_TX_DEFERRED, CHORUS_TX_IMMEDIATE or
 *                 CHORUS_TX_CONCURRENT (needs journal_mode 'mvcc').
 *   max_attempts  attempts in all; 0 or negative means 8.
 *   fn, arg       the transaction body; it may run several times, so it
 *                 must not keep effects outside the database between tries.
 *
 * When fn or COMMIT fails with CHORUS_CONFLICT (or CHORUS_BUSY whose
 * extended code is CHORUS_BUSY_SNAPSHOT), the transaction is rolled back
 * and tried again after a random pause: between half and all of 0.2 ms
 * doubled per failed attempt, at most 50 ms, drawn apart in each thread. Any other failure of fn or COMMIT is
 * rolled back and returned; a failing BEGIN is returned as it is (an
 * outer transaction is left alone).
 *
 * Returns CHORUS_OK after a commit; the last failure's code (message in
 * chorus_errmsg()) when attempts run out; CHORUS_INTERRUPT when
 * chorus_interrupt() was called during a pause; CHORUS_MISUSE for a NULL or
 * closed conn, a NULL fn or an unknown mode. On return conn is never inside
 * a transaction this call began.
 */
CHORUS_API int chorus_run_transaction(chorus_conn *conn, int mode, int max_attempts,
                                      chorus_tx_fn fn, void *arg);

/* -------------------------------------------------------------- statement */

/*
 * chorus_prepare: compiles the first statement of the UTF-8 text sql.
 *
 *   nbytes  length of sql in bytes, or negative to read up to the NUL.
 *   out     receives the statement, or NULL when sql holds only whitespace
 *           and comments (then CHORUS_OK).
 *   tail    if not NULL, receives the first byte after the statement (loop
 *           on it to run a script).
 *
 * Returns CHORUS_OK, or an error (CHORUS_ERROR for syntax and unknown
 * objects, message in chorus_errmsg()) with *out NULL. NULL or closed conn,
 * NULL sql or out: CHORUS_MISUSE. The statement belongs to conn: free it
 * with chorus_finalize(); chorus_disconnect() frees any left.
 */
CHORUS_API int chorus_prepare(chorus_conn *conn, const char *sql, int nbytes, chorus_stmt **out,
                              const char **tail);

/*
 * Binding parameters (?, ?N, :name, @name, $name); idx is 1-based. Text is
 * UTF-8; nbytes is its length, or negative for text up to the NUL (a blob
 * needs nbytes >= 0). A NULL text or data pointer binds NULL. destructor:
 * CHORUS_TRANSIENT or CHORUS_STATIC (the library copies the bytes during the
 * call either way), or a function the library calls on the pointer once,
 * before returning, whether the bind succeeded or not.
 *
 * Returns CHORUS_OK; CHORUS_RANGE for an idx outside 1 ..
 * chorus_bind_parameter_count(); CHORUS_MISUSE while the statement is
 * running (between a step that returned CHORUS_ROW and chorus_reset()), for
 * a NULL or finalized statement, or a negative blob size. Bindings stay
 * across chorus_reset().
 */
CHORUS_API int chorus_bind_null(chorus_stmt *stmt, int idx);
CHORUS_API int chorus_bind_int64(chorus_stmt *stmt, int idx, int64_t value);
CHORUS_API int chorus_bind_double(chorus_stmt *stmt, int idx, double value);
CHORUS_API int chorus_bind_text(chorus_stmt *stmt, int idx, const char *text, int nbytes,
                                void (*destructor)(void *));
CHORUS_API int chorus_bind_blob(chorus_stmt *stmt, int idx, const void *data, int nbytes,
                                void (*destructor)(void *));

/* chorus_bind_parameter_count: the number of parameters (the largest index
 * used). NULL or finalized stmt: 0. */
CHORUS_API int chorus_bind_parameter_count(chorus_stmt *stmt);

/* chorus_bind_parameter_index: the index of the parameter named name, given
 * with its prefix (":a", "@a", "$a"); 0 if there is none, or for a NULL
 * name or statement. */
CHORUS_API int chorus_bind_parameter_index(chorus_stmt *stmt, const char *name);

/* chorus_bind_parameter_name: the name of parameter idx with its prefix;
 * NULL for a nameless one ("?", "?N") or an idx out of range. Borrowed:
 * valid until the statement is finalized. */
CHORUS_API const char *chorus_bind_parameter_name(chorus_stmt *stmt, int idx);

/* chorus_clear_bindings: sets every parameter to NULL. Returns CHORUS_OK;
 * CHORUS_MISUSE while running or for a NULL or finalized statement. */
CHORUS_API int chorus_clear_bindings(chorus_stmt *stmt);

/*
 * chorus_step: runs the statement to its next row.
 *
 * Returns CHORUS_ROW (the row is readable through chorus_column_*() until
 * the next step, reset or finalize), CHORUS_DONE (finished; stepping again
 * starts over), or an error: CHORUS_BUSY (the lock was not free within the
 * busy timeout), CHORUS_CONFLICT (a concurrent transaction won a write; roll
 * back and retry), CHORUS_CONSTRAINT, CHORUS_INTERRUPT, ... with the
 * message in chorus_errmsg(). After an error, reset the statement before
 * running it again. NULL or finalized stmt (also: one whose connection was
 * closed): CHORUS_MISUSE.
 */
CHORUS_API int chorus_step(chorus_stmt *stmt);

/* chorus_column_count: the number of result columns, known right after
 * prepare; 0 for statements that return no rows, and for a NULL or
 * finalized statement. */
CHORUS_API int chorus_column_count(chorus_stmt *stmt);

/*
 * Result column metadata, col 0-based. Each string is borrowed: valid until
 * the statement is finalized. col out of range: NULL and CHORUS_RANGE on the
 * connection; NULL or finalized stmt: NULL.
 *   chorus_column_name         the column's name as SQLite names it (the
 *                              alias, the column, or the expression's text)
 *   chorus_column_decltype     the declared type of the table column behind
 *                              it; NULL for an expression
 *   chorus_column_table_name   the table behind it, or NULL
 *   chorus_column_origin_name  the table column behind it, or NULL
 */
CHORUS_API const char *chorus_column_name(chorus_stmt *stmt, int col);
CHORUS_API const char *chorus_column_decltype(chorus_stmt *stmt, int col);
CHORUS_API const char *chorus_column_table_name(chorus_stmt *stmt, int col);
CHORUS_API const char *chorus_column_origin_name(chorus_stmt *stmt, int col);

/*
 * Values of the current row, col 0-based, with SQLite's conversions:
 *   chorus_column_type    CHORUS_INTEGER, _FLOAT, _TEXT, _BLOB or _NULL
 *                         (the stored type; reading converted values does
 *                         not change it)
 *   chorus_column_int64   reals truncated toward zero; text and blobs by
 *                         their numeric prefix ("12abc" is 12, "abc" 0);
 *                         NULL 0
 *   chorus_column_double  the same as a real; NULL 0.0
 *   chorus_column_text    NUL-terminated UTF-8; numbers rendered as SQLite
 *                         renders them (1, 2.5, 1.0e+20); blob bytes as
 *                         text; NULL for SQL NULL
 *   chorus_column_blob    the bytes of blobs and text; numbers as their
 *                         text; NULL for SQL NULL and empty values
 *   chorus_column_bytes   the length in bytes of what _text and _blob
 *                         return (the NUL not counted)
 * Text and blob pointers belong to the statement: valid until the next
 * chorus_step(), chorus_reset() or chorus_finalize() on it; repeated calls
 * for one column of one row return the same pointer. No current row (before
 * the first step, after CHORUS_DONE or an error): 0 / NULL and
 * CHORUS_MISUSE on the connection; col out of range: 0 / NULL and
 * CHORUS_RANGE; NULL or finalized stmt: 0 / NULL (type CHORUS_NULL).
 */
CHORUS_API int chorus_column_type(chorus_stmt *stmt, int col);
CHORUS_API int64_t chorus_column_int64(chorus_stmt *stmt, int col);
CHORUS_API double chorus_column_double(chorus_stmt *stmt, int col);
CHORUS_API const char *chorus_column_text(chorus_stmt *stmt, int col);
CHORUS_API const void *chorus_column_blob(chorus_stmt *stmt, int col);
CHORUS_API int chorus_column_bytes(chorus_stmt *stmt, int col);

/* chorus_reset: rewinds the statement so that it can run again (ending its
 * part of an autocommit transaction); bindings stay. Returns CHORUS_OK, not
 * the code of an earlier failure; NULL or finalized stmt: CHORUS_MISUSE. */
CHORUS_API int chorus_reset(chorus_stmt *stmt);

/* chorus_finalize: frees the statement; its handle becomes invalid. Returns
 * CHORUS_OK; NULL: CHORUS_OK, nothing done; already finalized:
 * CHORUS_MISUSE. */
CHORUS_API int chorus_finalize(chorus_stmt *stmt);

/* chorus_stmt_readonly: 1 if the statement never writes the database, else
 * 0 (also for a NULL or finalized statement). */
CHORUS_API int chorus_stmt_readonly(chorus_stmt *stmt);

/* chorus_stmt_sql: the statement's SQL text. Borrowed: valid until the
 * statement is finalized. NULL or finalized stmt: NULL. */
CHORUS_API const char *chorus_stmt_sql(chorus_stmt *stmt);

/* ---------------------------------------------- application functions */

/*
 * Application-defined SQL functions, per connection, as SQLite's
 * sqlite3_create_function_v2 and sqlite3_create_window_function.
 *
 * A call of such a function hands the callback a chorus_context (the call:
 * result, error, aggregate memory, user data) and its arguments as
 * chorus_value pointers. Both are valid only until the callback returns;
 * copy what must outlive it. Callbacks run on the thread that steps the
 * statement (chorus_step, chorus_exec), and an aggregate's final also on
 * the thread that resets or finalizes a statement stopped inside a group, or
 * disconnects; never on two threads at once for one connection. A callback
 * may use other connections, but must not change the functions of its own
 * connection (CHORUS_BUSY) nor close it.
 *
 * Errors: a callback that calls chorus_result_error or
 * chorus_result_error_code makes the statement fail with that code
 * (CHORUS_ERROR for chorus_result_error) and message, as any SQL error.
 */
typedef struct chorus_context chorus_context;
typedef struct chorus_value chorus_value;

/* flags of chorus_create_function: the function gives the same result for
 * the same arguments, so the planner may evaluate it once (SQLite's value). */
enum { CHORUS_DETERMINISTIC = 0x800 };

/* A scalar function, or an aggregate's step or inverse: argc arguments in
 * argv[0 .. argc). */
typedef void (*chorus_function_fn)(chorus_context *ctx, int argc, chorus_value **argv);
/* An aggregate's final, or a window function's value. */
typedef void (*chorus_final_fn)(chorus_context *ctx);

/*
 * chorus_create_function: defines (or redefines, or removes) the SQL
 * function name taking n_args arguments on conn.
 *
 *   name       UTF-8, 1 to 255 bytes, case-insensitive.
 *   n_args     -1 (any number) or 0 to 127. A call uses the definition of
 *              its exact argument count, else the n_args -1 one.
 *   flags      0 or CHORUS_DETERMINISTIC.
 *   user_data  handed to the callbacks through chorus_user_data().
 *   scalar     for a scalar function; step and final NULL.
 *   step/final for an aggregate: step per row of a group, final once per
 *              group (also for an empty group) to set the result; scalar
 *              NULL. final also runs, its result dropped, for a group whose
 *              statement stops early.
 *   destroy    if not NULL, called with user_data once the definition is
 *              gone: replaced, removed, at chorus_disconnect; and at once
 *              when this call fails or is itself a removal.
 * All of scalar, step and final NULL removes the definition of name and
 * n_args (nothing happens when there is none). A definition takes
 * precedence over a built-in function of the name for the argument counts
 * it accepts. Statements already prepared on conn compile again before
 * their next run.
 *
 * Returns CHORUS_OK; CHORUS_BUSY when replacing or removing a definition
 * while a statement of conn is running (reset it first); CHORUS_NOMEM; CHORUS_MISUSE for a NULL or closed conn, a bad
 * name, n_args or flags, or callbacks that do not form one of the shapes
 * above. The message is in chorus_errmsg(). One thread at a time, as conn.
 */
CHORUS_API int chorus_create_function(chorus_conn *conn, const char *name, int n_args, int flags,
                                      void *user_data, chorus_function_fn scalar,
                                      chorus_function_fn step, chorus_final_fn final,
                                      void (*destroy)(void *));

/*
 * chorus_create_window_function: as chorus_create_function for an
 * aggregate that may also serve as a window function (OVER ...): step,
 * final, value (the current result, the state unchanged) and inverse
 * (remove the oldest row of the frame) are all required; all four NULL
 * removes the definition. As a window function, final runs when a
 * partition or frame state ends, with its result dropped. Same results and
 * rules as chorus_create_function.
 */
CHORUS_API int chorus_create_window_function(chorus_conn *conn, const char *name, int n_args,
                                             int flags, void *user_data, chorus_function_fn step,
                                             chorus_final_fn final, chorus_final_fn value,
                                             chorus_function_fn inverse,
                                             void (*destroy)(void *));

/*
 * Arguments, with the conversions of chorus_column_*:
 *   chorus_value_type    CHORUS_INTEGER, _FLOAT, _TEXT, _BLOB or _NULL
 *   chorus_value_int64   reals truncated; text and blobs by numeric prefix;
 *                        NULL 0
 *   chorus_value_double  the same as a real
 *   chorus_value_text    NUL-terminated UTF-8; numbers rendered as SQLite
 *                        renders them; NULL for SQL NULL (or no memory)
 *   chorus_value_blob    the bytes of blobs and text; numbers as their text;
 *                        NULL for SQL NULL and empty values
 *   chorus_value_bytes   length in bytes of what _text and _blob return
 * Pointers are valid until the callback returns. A NULL value reads as SQL
 * NULL.
 */
CHORUS_API int chorus_value_type(chorus_value *value);
CHORUS_API int64_t chorus_value_int64(chorus_value *value);
CHORUS_API double chorus_value_double(chorus_value *value);
CHORUS_API const char *chorus_value_text(chorus_value *value);
CHORUS_API const void *chorus_value_blob(chorus_value *value);
CHORUS_API int chorus_value_bytes(chorus_value *value);

/*
 * Results. The last call wins; with none the result is NULL. Text (UTF-8,
 * nbytes negative: up to the NUL) and blobs (nbytes >= 0) are copied during
 * the call; destructor, if neither CHORUS_STATIC nor CHORUS_TRANSIENT, is
 * called on the pointer before the call returns. A NULL text or data
 * pointer gives NULL.
 *   chorus_result_error       fails the statement with CHORUS_ERROR and the
 *                             message (nbytes negative: up to the NUL)
 *   chorus_result_error_code  fails it with rc (for instance CHORUS_NOMEM,
 *                             CHORUS_TOOBIG, CHORUS_CONSTRAINT), keeping a
 *                             message already set, else chorus_errstr(rc);
 *                             CHORUS_OK, _ROW and _DONE are ignored
 * A NULL or stale ctx: nothing happens.
 */
CHORUS_API void chorus_result_null(chorus_context *ctx);
CHORUS_API void chorus_result_int64(chorus_context *ctx, int64_t value);
CHORUS_API void chorus_result_double(chorus_context *ctx, double value);
CHORUS_API void chorus_result_text(chorus_context *ctx, const char *text, int nbytes,
                                   void (*destructor)(void *));
CHORUS_API void chorus_result_blob(chorus_context *ctx, const void *data, int nbytes,
                                   void (*destructor)(void *));
CHORUS_API void chorus_result_error(chorus_context *ctx, const char *message, int nbytes);
CHORUS_API void chorus_result_error_code(chorus_context *ctx, int rc);

/*
 * chorus_aggregate_context: the memory of the current group (or window
 * state) of an aggregate: nbytes zeroed bytes made at the first call with
 * nbytes > 0, the same pointer at later calls of step, inverse, value and
 * final for that group. Returns NULL when nothing was made yet and nbytes
 * <= 0 (final of an empty group), outside an aggregate, or when out of
 * memory (the statement then fails with CHORUS_NOMEM). Owned by the engine:
 * freed after final; free what the memory points to in final.
 */
CHORUS_API void *chorus_aggregate_context(chorus_context *ctx, int nbytes);

/* chorus_user_data: the user_data of the function's registration; NULL for
 * a NULL or stale ctx. */
CHORUS_API void *chorus_user_data(chorus_context *ctx);

/* ---------------------------------------------------------- collations */

/* Compares a (na bytes) with b (nb bytes), UTF-8 text not NUL-terminated:
 * negative, zero or positive as a sorts before, equal to or after b. It
 * must be a consistent order and cannot fail. */
typedef int (*chorus_compare_fn)(void *user_data, int na, const void *a, int nb, const void *b);

/*
 * chorus_create_collation: defines (or redefines, or with compare NULL
 * removes) the collation name on conn, usable in queries as COLLATE name
 * (comparisons, ORDER BY, GROUP BY, DISTINCT, min/max) and in CREATE TABLE
 * and CREATE INDEX, whose b-trees it then orders. A connection that has not
 * defined name still opens the database and reads such tables; a statement
 * of it that must compare under name fails with "no such collation
 * sequence: name" (at its first step that compares, or at prepare for
 * COLLATE name in its own text; writes to an index ordered by name fail
 * always), and rolls back. In journal_mode mvcc a checkpoint that must place
 * such index keys fails (CHORUS_ERROR; the rows stay in the log) on a
 * connection without the collation, and so does DDL, which checkpoints
 * first. The built-ins (BINARY, NOCASE, RTRIM) cannot be redefined.
 *
 *   name       UTF-8, 1 to 255 bytes, case-insensitive.
 *   user_data  handed to compare.
 *   destroy    as for chorus_create_function.
 * compare runs on the thread stepping the statement. Statements already
 * prepared on conn compile again before their next run.
 *
 * Returns CHORUS_OK; CHORUS_BUSY when replacing or removing name while a
 * statement of conn runs; CHORUS_FULL when the process has seen 253
 * distinct application collation names (names are never forgotten, so that
 * a stored schema keeps its meaning); CHORUS_NOMEM;
 * CHORUS_MISUSE for a NULL or closed conn, a bad name or a built-in name.
 * Message in chorus_errmsg(). One thread at a time, as conn.
 */
CHORUS_API int chorus_create_collation(chorus_conn *conn, const char *name, void *user_data,
                                       chorus_compare_fn compare, void (*destroy)(void *));

/* --------------------------------------------------- progress and trace */

/*
 * chorus_progress_handler: makes callback(arg) run every n_steps steps of
 * work (the start of each statement run, and each row visit of a scan or
 * join) of conn's statements, as sqlite3_progress_handler; a nonzero return
 * stops the statement with CHORUS_INTERRUPT ("interrupted"). n_steps < 1 or
 * callback NULL removes the handler; a new one replaces the old. callback
 * runs on the thread stepping the statement and must not use conn. Returns
 * CHORUS_OK; CHORUS_MISUSE for a NULL or closed conn. One thread at a time,
 * as conn.
 */
CHORUS_API int chorus_progress_handler(chorus_conn *conn, int n_steps, int (*callback)(void *),
                                       void *arg);

/*
 * chorus_trace: makes callback(arg, sql) run each time a statement of conn
 * starts running (its first chorus_step after prepare or reset, before any
 * work), as sqlite3_trace_v2 with SQLITE_TRACE_STMT: sql is the text given
 * to chorus_prepare for it, up to its tail, parameters not expanded;
 * borrowed for the call. Statements inside triggers are not reported.
 * callback NULL removes the trace. callback runs on the stepping thread and
 * must not use conn. Returns CHORUS_OK; CHORUS_MISUSE for a NULL or closed
 * conn. One thread at a time, as conn.
 */
CHORUS_API int chorus_trace(chorus_conn *conn, void (*callback)(void *arg, const char *sql),
                            void *arg);

/* ------------------------------------------------------------------ backup */

typedef struct chorus_backup chorus_backup;

/*
 * chorus_backup_init: starts an online backup that copies the database
 * src_name of src into the database dest_name of dest, as sqlite3_backup_init.
 * Both names must be "main" (or NULL); src and dest must be different
 * connections on different databases, and dest must not be reading or
 * writing in a transaction ("destination database is in use"; a BEGIN that
 * has run no statement yet is fine, as in sqlite3) nor be in journal_mode
 * mvcc.
 * Nothing is copied yet.
 *
 * Returns the backup, or NULL with the error recorded on dest (NULL or
 * closed connections: NULL, nothing recorded). The backup keeps both
 * connections in use: chorus_disconnect of either returns CHORUS_BUSY until
 * chorus_backup_finish. One thread at a time per backup and per connection.
 */
CHORUS_API chorus_backup *chorus_backup_init(chorus_conn *dest, const char *dest_name,
                                             chorus_conn *src, const char *src_name);

/*
 * chorus_backup_step: copies up to n_pages more pages (all remaining when
 * n_pages is negative). Each step reads a fresh snapshot of the source's
 * committed data; when the source changed since the previous step (a
 * commit by any connection), the copy starts again from the first page. In
 * journal_mode mvcc the source's log is first checkpointed into its pages,
 * so committed rows not yet checkpointed are in the copy. The first step
 * takes the destination's write lock and keeps it until the copy is done:
 * the destination's readers see the old database until then.
 *
 * Returns CHORUS_OK while pages remain; CHORUS_DONE when the destination
 * holds the copy (committed; its connections load the new schema);
 * CHORUS_BUSY or CHORUS_LOCKED when a lock could not be had (the
 * destination's writer lock, or an mvcc source whose log a live snapshot
 * keeps from being checkpointed): wait and call again; CHORUS_READONLY
 * when the page sizes differ (every ChorusDB database is in WAL mode,
 * where sqlite3 refuses a page size change too); any other error ends the
 * backup (later steps return it again). Errors are recorded on dest.
 * A finished or NULL backup: CHORUS_MISUSE.
 */
CHORUS_API int chorus_backup_step(chorus_backup *backup, int n_pages);

/* chorus_backup_remaining, chorus_backup_pagecount: the pages left to copy
 * and the source's size in pages, as of the latest step (0 before it). */
CHORUS_API int chorus_backup_remaining(chorus_backup *backup);
CHORUS_API int chorus_backup_pagecount(chorus_backup *backup);

/*
 * chorus_backup_finish: ends the backup and frees it (an unfinished copy is
 * rolled back, leaving the destination as it was). Returns CHORUS_OK when no
 * step failed (finished or not), else the error that ended the backup,
 * which also stays the destination's error. NULL: CHORUS_OK.
 */
CHORUS_API int chorus_backup_finish(chorus_backup *backup);

/* ------------------------------------------------------------------ limits */

/* Run-time limits of a connection, with SQLite's ids (SQLITE_LIMIT_*). */
enum {
    CHORUS_LIMIT_LENGTH = 0,
    CHORUS_LIMIT_SQL_LENGTH = 1,
    CHORUS_LIMIT_COLUMN = 2,
    CHORUS_LIMIT_EXPR_DEPTH = 3,
    CHORUS_LIMIT_COMPOUND_SELECT = 4,
    CHORUS_LIMIT_VDBE_OP = 5,
    CHORUS_LIMIT_FUNCTION_ARG = 6,
    CHORUS_LIMIT_ATTACHED = 7,
    CHORUS_LIMIT_LIKE_PATTERN_LENGTH = 8,
    CHORUS_LIMIT_VARIABLE_NUMBER = 9,
    CHORUS_LIMIT_TRIGGER_DEPTH = 10,
    CHORUS_LIMIT_WORKER_THREADS = 11,
    CHORUS_LIMIT_COUNT = 12
};

/*
 * chorus_limit: sets limit id of conn to new_value (negative: leaves it) and
 * returns its value before the call, as sqlite3_limit; a value above the
 * limit's highest is lowered to it. The defaults are the highest values,
 * sqlite3 3.40's defaults: LENGTH and SQL_LENGTH 1000000000, COLUMN 2000,
 * EXPR_DEPTH 1000, COMPOUND_SELECT 500, VDBE_OP 250000000, FUNCTION_ARG 127,
 * ATTACHED 10, LIKE_PATTERN_LENGTH 50000, VARIABLE_NUMBER 32766,
 * TRIGGER_DEPTH 1000, WORKER_THREADS 0 (highest 8).
 *
 * Enforced, with sqlite3's messages: LENGTH on bound text and blobs
 * (CHORUS_TOOBIG from chorus_bind_*) and on each value of a result row
 * ("string or blob too big"); SQL_LENGTH on the text of each statement
 * prepared (CHORUS_TOOBIG, "string or blob too big"); COLUMN on CREATE TABLE
 * ("too many columns on t") and result rows ("too many columns in result
 * set"); EXPR_DEPTH ("Expression tree is too large (maximum depth N)");
 * FUNCTION_ARG ("too many arguments on function f"); VARIABLE_NUMBER ("too
 * many SQL variables"); ATTACHED ("too many attached databases - max N");
 * TRIGGER_DEPTH ("too many levels of trigger recursion"). The compile-time
 * limits apply to statements prepared (or compiled again) after the change.
 * COMPOUND_SELECT, VDBE_OP (there is no bytecode), LIKE_PATTERN_LENGTH and
 * WORKER_THREADS are kept and reported only.
 *
 * Returns -1 for an unknown id and for a NULL or closed conn.
 */
CHORUS_API int chorus_limit(chorus_conn *conn, int id, int new_value);

/* -------------------------------------------------------------- authorizer */

/* Authorizer actions, with SQLite's numbers and arguments (a, b):
 * SQLITE_CREATE_INDEX is CHORUS_AUTH_CREATE_INDEX, and so on. */
enum {
    CHORUS_AUTH_CREATE_INDEX = 1,           /* index, table */
    CHORUS_AUTH_CREATE_TABLE = 2,           /* table, NULL */
    CHORUS_AUTH_CREATE_TEMP_INDEX = 3,      /* index, table */
    CHORUS_AUTH_CREATE_TEMP_TABLE = 4,      /* table, NULL */
    CHORUS_AUTH_CREATE_TEMP_TRIGGER = 5,    /* trigger, table */
    CHORUS_AUTH_CREATE_TEMP_VIEW = 6,       /* view, NULL */
    CHORUS_AUTH_CREATE_TRIGGER = 7,         /* trigger, table */
    CHORUS_AUTH_CREATE_VIEW = 8,            /* view, NULL */
    CHORUS_AUTH_DELETE = 9,                 /* table, NULL */
    CHORUS_AUTH_DROP_INDEX = 10,            /* index, table */
    CHORUS_AUTH_DROP_TABLE = 11,            /* table, NULL */
    CHORUS_AUTH_DROP_TEMP_INDEX = 12,       /* index, table */
    CHORUS_AUTH_DROP_TEMP_TABLE = 13,       /* table, NULL */
    CHORUS_AUTH_DROP_TEMP_TRIGGER = 14,     /* trigger, table */
    CHORUS_AUTH_DROP_TEMP_VIEW = 15,        /* view, NULL */
    CHORUS_AUTH_DROP_TRIGGER = 16,          /* trigger, table */
    CHORUS_AUTH_DROP_VIEW = 17,             /* view, NULL */
    CHORUS_AUTH_INSERT = 18,                /* table, NULL */
    CHORUS_AUTH_PRAGMA = 19,                /* pragma name, its value or NULL */
    CHORUS_AUTH_READ = 20,                  /* table, column */
    CHORUS_AUTH_SELECT = 21,                /* NULL, NULL */
    CHORUS_AUTH_TRANSACTION = 22,           /* "BEGIN", "COMMIT" or "ROLLBACK", NULL */
    CHORUS_AUTH_UPDATE = 23,                /* table, column */
    CHORUS_AUTH_ATTACH = 24,                /* file name, NULL */
    CHORUS_AUTH_DETACH = 25,                /* database name, NULL */
    CHORUS_AUTH_ALTER_TABLE = 26,           /* database name, table */
    CHORUS_AUTH_REINDEX = 27,               /* index or table name, NULL */
    CHORUS_AUTH_ANALYZE = 28,               /* table name, NULL */
    CHORUS_AUTH_FUNCTION = 31,              /* NULL, function name */
    CHORUS_AUTH_SAVEPOINT = 32              /* "BEGIN", "RELEASE" or "ROLLBACK", name */
};

/* An authorizer's answers besides CHORUS_OK (SQLITE_DENY, SQLITE_IGNORE). */
enum { CHORUS_DENY = 1, CHORUS_IGNORE = 2 };

/* The authorizer: action and its arguments a, b (above), db the database
 * ("main", "temp", an ATTACH name) or NULL, inner always NULL (sqlite3's
 * trigger or view name). Returns CHORUS_OK, CHORUS_DENY or CHORUS_IGNORE. */
typedef int (*chorus_authorizer_fn)(void *arg, int action, const char *a, const char *b,
                                    const char *db, const char *inner);

/*
 * chorus_set_authorizer: makes fn(arg, ...) judge each action of the
 * statements conn compiles, as sqlite3_set_authorizer; fn NULL removes it.
 * Statements already prepared compile again (and are judged) before their
 * next run. fn is called while a statement is prepared or compiled again
 * (so from chorus_prepare, or chorus_step after a schema change), on that
 * thread, and must not use conn.
 *
 * Asked: READ for every column a statement names and every column of a
 * `*` (the rowid as its alias or "ROWID"), SELECT for every select core,
 * FUNCTION for every function call, and the statement's own action:
 * INSERT, UPDATE for each SET column, DELETE, CREATE_* and DROP_* (TEMP
 * variants for the temp schema), ALTER_TABLE, TRANSACTION, SAVEPOINT,
 * PRAGMA, ATTACH, DETACH, ANALYZE, REINDEX. Not asked: the reads and writes
 * a statement makes for itself (schema rows, old rows of an UPDATE).
 *
 * CHORUS_DENY fails the prepare with CHORUS_AUTH: "access to t.c is
 * prohibited" for READ ("access to db.t.c ..." outside main or with
 * databases attached), "not authorized" otherwise; for FUNCTION it is
 * CHORUS_ERROR "not authorized to use function: f" (as SQLite).
 * CHORUS_IGNORE: a READ column reads NULL, a FUNCTION call gives NULL,
 * INSERT, DDL, TRANSACTION, PRAGMA, ATTACH and the like do nothing (the
 * statement succeeds), DELETE deletes all the same (as SQLite), SELECT is
 * allowed; an UPDATE whose SET columns are all ignored does nothing, one
 * that ignores only some fails ("not supported yet: ..."). Any other
 * answer: CHORUS_ERROR "authorizer malfunction".
 *
 * Returns CHORUS_OK; CHORUS_MISUSE for a NULL or closed conn. One thread
 * at a time, as conn.
 */
CHORUS_API int chorus_set_authorizer(chorus_conn *conn, chorus_authorizer_fn fn, void *arg);

/* ------------------------------------------------------ incremental blob I/O */

typedef struct chorus_blob chorus_blob;

/*
 * chorus_blob_open: opens the text or blob value in column column of the row
 * rowid of table in database db_name ("main", "temp", an ATTACH name; NULL:
 * "main") for reading in pieces, and with flags nonzero for writing too, as
 * sqlite3_blob_open. Fails (CHORUS_ERROR, *out NULL, message in
 * chorus_errmsg()) with sqlite3's messages: "no such table: main.t",
 * "cannot open view: v", "cannot open table without rowid: t", "no such
 * column: \"c\"", "no such rowid: 7", "cannot open value of type integer";
 * for writing also "cannot open indexed column for writing" (any index on
 * the column, or an expression index on the table) and, with PRAGMA
 * foreign_keys on, "cannot open foreign key column for writing".
 *
 * While open outside BEGIN ... COMMIT, the handle keeps a statement of conn
 * running, which keeps the connection's read snapshot (commits of other
 * connections are not seen, as in sqlite3); inside a transaction it holds
 * no statement between calls, so ROLLBACK works (and expires the handle
 * when it undid a change to the row).
 *
 * Expiry: once a statement of conn changes the row (deletes it, or changes
 * any of its values; writing the same values does not count), the next
 * read or write fails with CHORUS_ABORT ("query aborted"), and so does every
 * later read, write and reopen; chorus_blob_bytes is then 0.
 *
 * NULL or closed conn, NULL table, column or out: CHORUS_MISUSE. The blob
 * belongs to conn: chorus_disconnect closes those left open.
 */
CHORUS_API int chorus_blob_open(chorus_conn *conn, const char *db_name, const char *table,
                                const char *column, int64_t rowid, int flags,
                                chorus_blob **out);

/* chorus_blob_bytes: the size of the value in bytes; 0 once the handle
 * expired, and for a NULL or closed blob. */
CHORUS_API int chorus_blob_bytes(chorus_blob *blob);

/*
 * chorus_blob_read / chorus_blob_write: copy n bytes at byte offset of the
 * value into buf / from buf. The size never changes: a range outside the
 * value (negative n or offset, offset + n beyond the size) is CHORUS_ERROR.
 * A write on a blob opened without the write flag: CHORUS_READONLY. A write
 * is an UPDATE of the column of that row in conn's transaction (outside
 * BEGIN ... COMMIT it commits at once): the table's constraints are checked
 * and its UPDATE triggers fire (sqlite3's blob writes skip them); a failed
 * write expires the handle. CHORUS_ABORT once expired (above). Errors are
 * recorded on the blob's connection. NULL or closed blob, NULL buf with n >
 * 0: CHORUS_MISUSE.
 */
CHORUS_API int chorus_blob_read(chorus_blob *blob, void *buf, int n, int offset);
CHORUS_API int chorus_blob_write(chorus_blob *blob, const void *buf, int n, int offset);

/* chorus_blob_reopen: points the handle at row rowid of the same column,
 * with chorus_blob_open's row checks ("no such rowid: N", the value's type);
 * a failure leaves the handle expired (only chorus_blob_close then). An
 * expired handle: CHORUS_ABORT. NULL or closed blob: CHORUS_MISUSE. */
CHORUS_API int chorus_blob_reopen(chorus_blob *blob, int64_t rowid);

/* chorus_blob_close: frees the handle; it becomes invalid. Returns CHORUS_OK;
 * NULL: CHORUS_OK, nothing done; already closed: CHORUS_MISUSE. */
CHORUS_API int chorus_blob_close(chorus_blob *blob);

#ifdef __cplusplus
}
#endif
#endif /* CHORUS_H */
