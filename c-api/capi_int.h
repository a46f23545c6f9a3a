/*
 * c-api/capi_int.h: the handle structs behind chorus.h and the helpers that
 * c-api files share. Included only by the .c files of c-api/.
 *
 * Handles
 *   Every handle struct starts with a 32-bit magic naming its kind. Handles
 *   come from capi_handle_alloc() and go back through capi_handle_free(), which poisons
 *   the magic and keeps the memory in a per-kind pool for the next handle of
 *   the same kind; handle memory is never returned to malloc. Therefore a
 *   pointer to a closed or finalized handle still points at readable memory
 *   of the right size, and its magic check fails (CHORUS_MISUSE) until the
 *   slot is reused by a new handle of the same kind. What is detectable:
 *   NULL, a handle of the wrong kind, a closed/finalized handle whose slot
 *   has not been reused. What is not: a stale pointer whose slot now holds a
 *   new live handle (it then acts on the new handle), and pointers that never
 *   came from the library.
 *
 * Ownership: a chorus_db handle holds one reference on a shared database
 * entry (capi_shared); a chorus_conn owns its vm_conn and the list of its
 * statements; a chorus_stmt owns its vm_stmt and its column text cache.
 *
 * Callers: c-api/database.c, connection.c, transaction.c, statement.c,
 * column.c, handle.c, function.c, callback.c, collation.c, backup.c, blob.c.
 */
#ifndef CHORUS_CAPI_INT_H
#define CHORUS_CAPI_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "chorus.h"
#include "common.h"
#include "func.h"
#include "value.h"
#include "vm.h"

enum capi_magic {
    CAPI_MAGIC_DB = 0x43444221,     /* "CDB!" */
    CAPI_MAGIC_CONN = 0x43434e21,   /* "CCN!" */
    CAPI_MAGIC_STMT = 0x43535421,   /* "CST!" */
    CAPI_MAGIC_CONTEXT = 0x43435821,    /* "CCX!": a chorus_context during its callback */
    CAPI_MAGIC_BLOB = 0x43424c21,   /* "CBL!" */
    CAPI_MAGIC_DEAD = 0x44454144    /* "DEAD": a handle in the pool */
};

/* One open database, shared by every chorus_db handle on the same file. */
typedef struct capi_shared capi_shared;

struct chorus_db {
    uint32_t magic;             /* CAPI_MAGIC_DB while open */
    capi_shared *shared;        /* one reference held; guarded by the registry mutex */
    int n_conns;                /* open connections; guarded by the registry mutex */
};

struct chorus_conn {
    uint32_t magic;             /* CAPI_MAGIC_CONN while open */
    chorus_db *db;              /* borrowed; stays open while this connection is */
    vm_conn *vconn;             /* owned */
    chorus_stmt *stmts;         /* owned list of live statements (newest first) */
    /* Bumped by chorus_interrupt (any thread); chorus_run_transaction
     * compares it to stop its backoff. Relaxed: only the count matters. */
    atomic_uint interrupts;
    func_user_set *funcs;       /* owned: application functions (function.c F1), NULL
                                   until the first; vconn borrows it */
    collation_user_set *colls;  /* owned: application collations (collation.c), the same */
    int n_backups;              /* unfinished backups using this connection (backup.c B1) */
    chorus_blob *blobs;         /* owned list of open blob handles (blob.c BB1) */
};

/* Converted text of one result column in the current row. */
typedef struct capi_text_cache {
    uint64_t row;               /* stmt->row when buf was filled; 0 = never */
    char *buf;                  /* owned; grows, never shrinks until finalize */
    int32_t cap;
    int32_t n;                  /* bytes of text in buf (NUL not counted) */
} capi_text_cache;

struct chorus_stmt {
    uint32_t magic;             /* CAPI_MAGIC_STMT while live */
    chorus_conn *conn;          /* borrowed; finalizes this statement when it closes */
    vm_stmt *vstmt;             /* owned */
    chorus_stmt *prev, *next;   /* links in conn->stmts */
    bool has_row;               /* the last step returned CHORUS_ROW */
    uint64_t row;               /* counts rows produced; names the current row */
    int n_cache;                /* entries in cache */
    capi_text_cache *cache;     /* owned; one per result column */
};

struct chorus_blob {
    uint32_t magic;             /* CAPI_MAGIC_BLOB while open */
    chorus_conn *conn;          /* borrowed; closes this handle when it closes */
    vm_blob *vblob;             /* owned */
    chorus_blob *prev, *next;   /* links in conn->blobs */
};

/* --- handle.c ----------------------------------------------------------- */

/* Zeroed memory of the kind's size with the magic set, or NULL. */
void *capi_handle_alloc(uint32_t magic);
/* Poisons the magic and returns the memory to the kind's pool. */
void capi_handle_free(void *handle);

/* Live-handle checks: true when h is non-NULL and carries the magic. */
static inline bool
capi_db_live(const chorus_db *h)
{
    return h != NULL && h->magic == CAPI_MAGIC_DB;
}

static inline bool
capi_conn_live(const chorus_conn *h)
{
    return h != NULL && h->magic == CAPI_MAGIC_CONN;
}

static inline bool
capi_stmt_live(const chorus_stmt *h)
{
    return h != NULL && h->magic == CAPI_MAGIC_STMT;
}

static inline bool
capi_blob_live(const chorus_blob *h)
{
    return h != NULL && h->magic == CAPI_MAGIC_BLOB;
}

/* --- database.c ---------------------------------------------------------- */

/* The engine database behind a live handle. */
vm_db *capi_database_vm(chorus_db *db);
/* Counts a connection on db (+1 or -1) under the registry mutex, checking
 * under that mutex that db is still open: CHORUS_OK or CHORUS_MISUSE. */
int capi_database_count_conn(chorus_db *db, int delta);

/* --- statement.c --------------------------------------------------------- */

/* Finalizes stmt (a live handle): frees the vm_stmt, the cache and the handle. */
void capi_stmt_destroy(chorus_stmt *stmt);
/* Records error rc ("what: <errstr>") on stmt's connection; returns rc. */
int capi_stmt_fail(chorus_stmt *stmt, int rc, const char *what);
/* True when stmt is live and col names one of its result columns; records
 * CHORUS_RANGE on the connection otherwise. */
bool capi_stmt_column_check(chorus_stmt *stmt, int col);

/* --- function.c, callback.c ---------------------------------------------- */

/* One argument of an application function call (function.c F3). */
struct chorus_value {
    const value *v;             /* borrowed: the engine's argument */
    char *text;                 /* owned: NUL-terminated copy of text or blob bytes made
                                   by chorus_value_text, or NULL */
    char num[VALUE_REAL_BUF];   /* a number rendered as text by _text, _blob or _bytes */
    int num_len;                /* bytes in num; -1 until rendered */
};

/* One call of an application function (function.c F3). */
struct chorus_context {
    uint32_t magic;             /* CAPI_MAGIC_CONTEXT during the callback */
    func_ctx *fctx;             /* borrowed: the engine's call (result, error) */
    void *user_data;            /* the registration's */
    void **agg_mem;             /* aggregates: where chorus_aggregate_context keeps its
                                   memory (function.c F2); NULL for scalars */
};

/* Wraps argument v (borrowed) / frees what the wrapper made. */
void capi_value_init(chorus_value *cv, const value *v);
void capi_value_clear(chorus_value *cv);
/* Frees conn's functions, calling their destroy callbacks (disconnect). */
void capi_functions_free(chorus_conn *conn);
/* Records rc with message on conn (when live), calls destroy(user_data) if
 * not NULL (a failed registration releases user_data), returns rc. */
int capi_register_fail(chorus_conn *conn, int rc, const char *message, void *user_data,
                       void (*destroy)(void *));

/* --- collation.c ---------------------------------------------------------- */

/* Frees conn's collations, calling their destroy callbacks (disconnect). */
void capi_collations_free(chorus_conn *conn);

/* --- blob.c --------------------------------------------------------------- */

/* Closes blob (a live handle): frees the vm_blob and the handle. */
void capi_blob_destroy(chorus_blob *blob);

/* --- column.c ------------------------------------------------------------ */

/* Frees the column cache of stmt. */
void capi_column_cache_free(chorus_stmt *stmt);

#endif /* CHORUS_CAPI_INT_H */
