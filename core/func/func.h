/*
 * core/func/func.h: the registry of built-in SQL functions (scalar,
 * aggregate, math, date and time) and the calling convention the VM uses to
 * run them. The surface of the func module, used by the compiler (lookup,
 * arity and flags) and the VM (calls).
 *
 * Calling convention
 *   Scalar: the VM zeroes a func_ctx (result NULL, rc CHORUS_OK), calls
 *   scalar(ctx, argc, argv), then takes ctx->result (value_clear() it when
 *   done) and, when ctx->rc != CHORUS_OK, reports ctx->errmsg (free() it).
 *   Aggregate: the VM owns state_size zeroed bytes per group and points
 *   ctx->state at them; it calls step() per row, optionally inverse() and
 *   value() for window frames, then final() once, then destroy(state) if
 *   non-NULL. final() and value() set ctx->result like a scalar.
 *   Arguments are borrowed for the call; a function that keeps bytes beyond
 *   the call (aggregates) copies them into its state.
 *
 * Semantics and error messages are SQLite 3.45's; the sqlite3 CLI is the
 * oracle of the tests.
 *
 * Threads: the built-in registry is immutable; functions keep no shared
 * state except the PRNG of random()/randomblob(), which is thread-local.
 * User function sets belong to one connection, and so to one thread at a
 * time.
 */
#ifndef CHORUS_FUNC_H
#define CHORUS_FUNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "record.h"

struct func_env;

typedef struct func_ctx {
    value result;         /* set by the function; starts NULL; owned memory freed by the caller */
    int rc;               /* CHORUS_OK or an error code set with func_error() */
    char *errmsg;         /* malloc()ed; owned by the caller once set */
    collation coll;       /* collation of the first argument where it matters (min/max) */
    void *state;          /* aggregate state: state_size zeroed bytes owned by the executor */
    const struct func_env *env;  /* connection hooks (may be NULL) */
    const struct func_def *def;  /* the definition being called (user functions find their
                                    callbacks through it); NULL where the caller does not say */
} func_ctx;

/*
 * Connection hooks. Any hook may be NULL: changes() and friends then return
 * 0, and the date functions read the clock themselves.
 */
typedef struct func_env {
    void *conn;
    int64_t (*changes)(void *conn);
    int64_t (*total_changes)(void *conn);
    int64_t (*last_insert_rowid)(void *conn);
    /* Added: the statement's time for 'now', as Unix milliseconds. SQLite
     * keeps one time per statement execution; a NULL hook reads the clock
     * once per function call. */
    int64_t (*now_ms)(void *conn);
} func_env;

enum {
    FUNC_DETERMINISTIC = 1,     /* same arguments, same result (may be constant-folded) */
    FUNC_AGGREGATE = 2,         /* step/final (and perhaps inverse/value) */
    FUNC_WINDOW = 4,            /* usable as a window function: has value(); inverse() may be
                                   NULL (min, max), and then the executor recomputes the frame */
    FUNC_LAZY_ARGS = 8,         /* coalesce, ifnull, iif: the executor evaluates only the
                                   arguments needed (core/vm/expr_eval.c E5), not scalar() */
    FUNC_STATEMENT_STABLE = 16  /* date and time functions: not deterministic ('now'), yet
                                   SQLite lets a new index or generated column call them
                                   (its SQLITE_FUNC_SLOCHNG; core/catalog/ddl_check.c DC6) */
};

typedef struct func_def {
    const char *name;                   /* lower case */
    int n_args;                         /* -1 any */
    int flags;                          /* FUNC_* */
    int (*scalar)(func_ctx *ctx, int argc, const value *argv);
    size_t state_size;                  /* aggregates: bytes of zeroed state */
    int (*step)(func_ctx *ctx, int argc, const value *argv);
    int (*inverse)(func_ctx *ctx, int argc, const value *argv);  /* for window frames, may be NULL */
    int (*value)(func_ctx *ctx);        /* current result without ending (windows), may be NULL */
    int (*final)(func_ctx *ctx);        /* result; then the executor calls destroy */
    void (*destroy)(void *state);       /* frees what the state owns; may be NULL */
    int min_args;                       /* added: when n_args is -1, the fewest accepted */
} func_def;

/*
 * Finds the function name (case-insensitive) taking n_args arguments.
 * Returns a static definition, or NULL if none. *exists_out (may be NULL)
 * tells whether a function of that name exists with another arity, so the
 * caller can say "wrong number of arguments to function X()" rather than
 * "no such function: X". min/max with 1 argument are the aggregates, with
 * more the scalars. count(*) is count with 0 arguments. A variadic
 * definition (n_args -1) accepts min_args or more arguments (coalesce and
 * scalar max/min take at least 2).
 */
const func_def *func_find(const char *name, int n_args, bool *exists_out);

/* The i-th registered definition (0-based), NULL past the end: for
 * PRAGMA function_list and tests. */
const func_def *func_at(int i);

/* The i-th compile option (0-based) without its SQLITE_ prefix, NULL past
 * the end: PRAGMA compile_options and sqlite_compileoption_get() (build_info.c
 * BI2). Static strings. */
const char *func_compile_option_at(int i);

/*
 * Application-defined functions (user.c). A connection keeps its own set;
 * while the connection compiles or runs a statement it makes the set the
 * calling thread's scope, and func_find() then looks there first: a user
 * function of the name that accepts the argument count wins over a built-in
 * (exact arity before variadic), as in SQLite.
 *
 * The set borrows each definition until it leaves the set:
 * func_user_define() adds def, handing back through *replaced_out the
 * definition it replaced (same name and n_args), or NULL; func_user_remove()
 * hands back the removed one, or NULL. CHORUS_OK or CHORUS_NOMEM.
 * func_user_set_free() hands each definition still in the set to release.
 * func_user_scope_enter() returns the previous scope, to be given back to
 * func_user_scope_leave(): scopes nest (a function may run a statement of
 * another connection). One thread at a time uses a set.
 */
typedef struct func_user_set func_user_set;

int func_user_set_new(func_user_set **out);
void func_user_set_free(func_user_set *set, void (*release)(const func_def *def));
int func_user_define(func_user_set *set, const func_def *def, const func_def **replaced_out);
const func_def *func_user_remove(func_user_set *set, const char *name, int n_args);
/* Whether set (may be NULL) defines exactly name with n_args. */
bool func_user_has(const func_user_set *set, const char *name, int n_args);
func_user_set *func_user_scope_enter(func_user_set *set);
void func_user_scope_leave(func_user_set *prev);
/* The scope's function for (name, n_args), or NULL; *exists_out tells
 * whether the scope has a function of that name at all. */
const func_def *func_user_find(const char *name, int n_args, bool *exists_out);
/* The i-th function (from 0) of the current scope's set, or NULL past the
 * last or without a scope (PRAGMA function_list). */
const func_def *func_user_at(int i);

/*
 * Records an error in ctx: rc (e.g. CHORUS_ERROR, CHORUS_NOMEM, CHORUS_TOOBIG)
 * and a printf-formatted message (malloc()ed into ctx->errmsg, replacing an
 * earlier one). Returns nothing; functions return ctx->rc after it.
 */
void func_error(func_ctx *ctx, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The result helpers: free what ctx->result held, then set it. The text and
 * blob variants copy; on no memory they record CHORUS_NOMEM in ctx (and
 * CHORUS_TOOBIG "string or blob too big" past 1e9 bytes) and return it.
 * func_result_text_owned takes ownership of malloc()ed z. A NaN real
 * becomes NULL, as in SQLite.
 */
void func_result_null(func_ctx *ctx);
void func_result_int(func_ctx *ctx, int64_t i);
void func_result_real(func_ctx *ctx, double r);
int func_result_text(func_ctx *ctx, const char *z, int32_t n);
int func_result_blob(func_ctx *ctx, const void *z, int32_t n);
void func_result_text_owned(func_ctx *ctx, char *z, int32_t n);
/* ctx->result = a copy of v (owned). */
int func_result_value(func_ctx *ctx, const value *v);

/*
 * printf()/format() as SQLite: formats fmt with the arguments argv[0..argc)
 * into *out (owned text). Exposed for the shell and the compiler's error
 * text. CHORUS_OK or CHORUS_NOMEM.
 */
int func_format(const char *fmt, int argc, const value *argv, value *out);

#endif /* CHORUS_FUNC_H */
