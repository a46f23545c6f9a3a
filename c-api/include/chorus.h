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
 * Result codes keep SQLite's numbers where the meaning is the same. Functions
 * that take a handle return CHORUS_MISUSE for a NULL or closed handle and never
 * crash on it. The message of the last failure on a connection is available
 * from chorus_errmsg().
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

/* chorus_open() flags. With neither READONLY nor READWRITE, READWRITE is
 * assumed; with READWRITE and no CREATE, a missing file is CHORUS_CANTOPEN. */
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

/* chorus_version: the library version as "MAJOR.MINOR.PATCH". Static string. */
CHORUS_API const char *chorus_version(void);
/* chorus_version_number: MAJOR*1000000 + MINOR*1000 + PATCH. */
CHORUS_API int chorus_version_number(void);
/* chorus_errstr: the English text of result code rc (primary or extended).
 * Static string; unknown codes give "unknown error". */
CHORUS_API const char *chorus_errstr(int rc);

/* --------------------------------------------------------------- database */

/*
 * chorus_open: opens (or creates) the database at path.
 *
 * path ":memory:" (or flags & CHORUS_OPEN_MEMORY) opens a private in-memory
 * database. Opening the same file twice in one process returns a handle to the
 * same shared database object (each handle must be closed). Another process
 * holding the file gives CHORUS_BUSY with a message saying so.
 *
 * Returns CHORUS_OK and sets *out, or an error code (CHORUS_CANTOPEN,
 * CHORUS_NOTADB, CHORUS_CORRUPT, CHORUS_BUSY, CHORUS_IOERR, CHORUS_NOMEM) and
 * sets *out to NULL; the message is available from chorus_open_errmsg().
 * NULL path or out: CHORUS_MISUSE. Thread-safe.
 */
CHORUS_API int chorus_open(const char *path, int flags, chorus_db **out);

/* chorus_open_errmsg: the message of the calling thread's last failed
 * chorus_open(), or NULL. Valid until that thread's next chorus_open(). */
CHORUS_API const char *chorus_open_errmsg(void);

/*
 * chorus_close: releases this handle. When the last handle on a database and
 * all of its connections are closed, the WAL is checkpointed and removed.
 * Returns CHORUS_BUSY (and closes nothing) while connections remain open.
 * NULL is a harmless no-op returning CHORUS_OK.
 */
CHORUS_API int chorus_close(chorus_db *db);

/* ------------------------------------------------------------- connection */

/*
 * chorus_connect: opens a new connection on db with busy timeout 5000 ms.
 * Returns CHORUS_OK and sets *out; CHORUS_NOMEM or CHORUS_MISUSE and sets *out
 * to NULL. Thread-safe.
 */
CHORUS_API int chorus_connect(chorus_db *db, chorus_conn **out);

/*
 * chorus_disconnect: finalizes every statement of conn, rolls back an open
 * transaction and frees conn. NULL is a no-op returning CHORUS_OK.
 */
CHORUS_API int chorus_disconnect(chorus_conn *conn);

/*
 * chorus_exec: runs every statement in the UTF-8 text sql, dropping rows.
 * Stops at the first failure and returns its code (message in chorus_errmsg).
 */
CHORUS_API int chorus_exec(chorus_conn *conn, const char *sql);

/* chorus_errcode / chorus_extended_errcode: the primary or extended code of
 * the last call on conn that failed (CHORUS_OK after success). NULL conn:
 * CHORUS_MISUSE. */
CHORUS_API int chorus_errcode(chorus_conn *conn);
CHORUS_API int chorus_extended_errcode(chorus_conn *conn);

/*
 * chorus_errmsg: the English message of the last failed call on conn, naming
 * the object and cause ("no such table: t2", "UNIQUE constraint failed:
 * t.email"). Borrowed: valid until the next call on conn. NULL conn: a static
 * message about misuse.
 */
CHORUS_API const char *chorus_errmsg(chorus_conn *conn);

/* chorus_changes: rows changed by the most recent INSERT, UPDATE or DELETE on
 * conn. chorus_total_changes: since the connection opened. */
CHORUS_API int64_t chorus_changes(chorus_conn *conn);
CHORUS_API int64_t chorus_total_changes(chorus_conn *conn);

/* chorus_last_insert_rowid: rowid of the most recent successful INSERT on
 * conn, 0 if none. */
CHORUS_API int64_t chorus_last_insert_rowid(chorus_conn *conn);

/* chorus_in_transaction: 1 inside an explicit transaction, 0 in autocommit
 * mode, CHORUS_MISUSE (negative-free: 21) never; NULL conn gives 0. */
CHORUS_API int chorus_in_transaction(chorus_conn *conn);

/* chorus_busy_timeout: how long a write waits for the write lock (ms); 0 or
 * negative means fail at once with CHORUS_BUSY. Default 5000. */
CHORUS_API int chorus_busy_timeout(chorus_conn *conn, int ms);

/*
 * chorus_interrupt: makes the statement running on conn (or the next busy
 * wait) stop with CHORUS_INTERRUPT at its next check. Callable from any thread
 * while conn is open. Statements started after the running one completes are
 * not affected.
 */
CHORUS_API void chorus_interrupt(chorus_conn *conn);

typedef int (*chorus_tx_fn)(chorus_conn *conn, void *arg);

/*
 * chorus_run_transaction: BEGIN <mode>; fn(conn, arg); COMMIT. When fn or
 * COMMIT returns CHORUS_CONFLICT (or CHORUS_BUSY for a snapshot conflict),
 * rolls back, sleeps a jittered, growing backoff and tries again, at most
 * max_attempts times (<= 0 means 8). Any other non-OK result of fn rolls back
 * and is returned. Returns CHORUS_OK after a successful commit.
 */
CHORUS_API int chorus_run_transaction(chorus_conn *conn, int mode, int max_attempts,
                                      chorus_tx_fn fn, void *arg);

/* -------------------------------------------------------------- statement */

/*
 * chorus_prepare: compiles the first statement of sql (nbytes < 0: up to the
 * NUL). Sets *out to the statement, or to NULL when sql holds only whitespace
 * and comments; sets *tail (if tail is not NULL) to the first byte after the
 * statement. Returns CHORUS_OK or an error (message in chorus_errmsg).
 */
CHORUS_API int chorus_prepare(chorus_conn *conn, const char *sql, int nbytes, chorus_stmt **out,
                              const char **tail);

/*
 * Binding: idx is 1-based. text/blob take a destructor: CHORUS_TRANSIENT
 * copies the bytes now, CHORUS_STATIC borrows them, any other function is
 * called on the pointer when the engine no longer needs it (also on failure).
 * nbytes < 0 for text means up to the NUL. Returns CHORUS_OK, CHORUS_RANGE
 * for a bad idx, CHORUS_MISUSE while the statement is running (reset first).
 */
CHORUS_API int chorus_bind_null(chorus_stmt *stmt, int idx);
CHORUS_API int chorus_bind_int64(chorus_stmt *stmt, int idx, int64_t value);
CHORUS_API int chorus_bind_double(chorus_stmt *stmt, int idx, double value);
CHORUS_API int chorus_bind_text(chorus_stmt *stmt, int idx, const char *text, int nbytes,
                                void (*destructor)(void *));
CHORUS_API int chorus_bind_blob(chorus_stmt *stmt, int idx, const void *data, int nbytes,
                                void (*destructor)(void *));
/* Number of parameters (the largest index used). */
CHORUS_API int chorus_bind_parameter_count(chorus_stmt *stmt);
/* Index of the named parameter (name with its prefix: ":a", "@a", "$a"), 0 if none. */
CHORUS_API int chorus_bind_parameter_index(chorus_stmt *stmt, const char *name);
/* Name of parameter idx with its prefix, NULL for nameless ("?") or bad idx.
 * Borrowed: valid until the statement is finalized. */
CHORUS_API const char *chorus_bind_parameter_name(chorus_stmt *stmt, int idx);
CHORUS_API int chorus_clear_bindings(chorus_stmt *stmt);

/*
 * chorus_step: runs the statement to its next row. Returns CHORUS_ROW (a row
 * is available through chorus_column_*), CHORUS_DONE, or an error; after an
 * error the statement must be reset before it runs again.
 */
CHORUS_API int chorus_step(chorus_stmt *stmt);

/* Columns of the result. count is known right after prepare. */
CHORUS_API int chorus_column_count(chorus_stmt *stmt);
/* Name of column col as SQLite names it. Borrowed until finalize. */
CHORUS_API const char *chorus_column_name(chorus_stmt *stmt, int col);
/* Declared type of the table column behind result column col, or NULL for an
 * expression. Borrowed until finalize. */
CHORUS_API const char *chorus_column_decltype(chorus_stmt *stmt, int col);
/* Table and column behind result column col, or NULL. Borrowed until finalize. */
CHORUS_API const char *chorus_column_table_name(chorus_stmt *stmt, int col);
CHORUS_API const char *chorus_column_origin_name(chorus_stmt *stmt, int col);

/* Values of the current row. Type is CHORUS_INTEGER..CHORUS_NULL. Text and
 * blob pointers belong to the statement and are valid until the next step,
 * reset or finalize. Conversions follow SQLite's rules. Out of range col or no
 * current row: 0 / NULL, and the connection's error is CHORUS_RANGE or
 * CHORUS_MISUSE. */
CHORUS_API int chorus_column_type(chorus_stmt *stmt, int col);
CHORUS_API int64_t chorus_column_int64(chorus_stmt *stmt, int col);
CHORUS_API double chorus_column_double(chorus_stmt *stmt, int col);
CHORUS_API const char *chorus_column_text(chorus_stmt *stmt, int col);
CHORUS_API const void *chorus_column_blob(chorus_stmt *stmt, int col);
CHORUS_API int chorus_column_bytes(chorus_stmt *stmt, int col);

/* chorus_reset: rewinds the statement so it can run again; bindings stay.
 * Returns CHORUS_OK (not the code of a previous failure). */
CHORUS_API int chorus_reset(chorus_stmt *stmt);
/* chorus_finalize: frees the statement. NULL is a no-op returning CHORUS_OK. */
CHORUS_API int chorus_finalize(chorus_stmt *stmt);
/* chorus_stmt_readonly: 1 if the statement never writes the database. */
CHORUS_API int chorus_stmt_readonly(chorus_stmt *stmt);
/* chorus_stmt_sql: the statement's SQL text. Borrowed until finalize. */
CHORUS_API const char *chorus_stmt_sql(chorus_stmt *stmt);

#ifdef __cplusplus
}
#endif
#endif /* CHORUS_H */
