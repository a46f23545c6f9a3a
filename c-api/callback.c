/*
 * c-api/callback.c: what an application function does inside its callback:
 * read its arguments (chorus_value_*), set its result or error
 * (chorus_result_*), keep per-group memory (chorus_aggregate_context) and
 * reach its registration's data (chorus_user_data).
 *
 * Conversions of arguments are column.c's: int64 and double by
 * value_to_int64 / value_to_double; text renders numbers as SQLite does and
 * gives blob bytes as text; blob gives text and blob bytes, numbers as their
 * text, NULL for SQL NULL and empty values; bytes is the length of what
 * _text and _blob give.
 *
 * Invariants
 *   V1  A chorus_value's text copy and rendered number are made at most once
 *       per call and freed when the callback returns (function.c F3).
 *   V2  Results copy their bytes at once; a destructor the application
 *       passes is called once, before the result function returns.
 *
 * The connection's progress handler and statement trace
 * (chorus_progress_handler, chorus_trace) are registered here too; the
 * engine calls them (core/vm conn.c vm_run_tick, stmt.c M6).
 *
 * Locking: none; only the thread running the callback sees these objects.
 * Callers: the public API, from inside function callbacks; function.c.
 */
#include "capi_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool
context_live(const chorus_context *ctx)
{
    return ctx != NULL && ctx->magic == CAPI_MAGIC_CONTEXT;
}

void
capi_value_init(chorus_value *cv, const value *v)
{
    cv->v = v;
    cv->text = NULL;
    cv->num_len = -1;
}

void
capi_value_clear(chorus_value *cv)
{
    free(cv->text);
    cv->text = NULL;
}

/* The text of a number argument, rendered once into cv->num (V1). */
static const char *
number_text(chorus_value *cv)
{
    if (cv->num_len < 0)
        cv->num_len = cv->v->type == VALUE_INTEGER ? value_format_int(cv->v->u.i, cv->num)
                                                   : value_format_real(cv->v->u.r, cv->num);
    return cv->num;
}

int
chorus_value_type(chorus_value *cv)
{
    return cv == NULL ? CHORUS_NULL : cv->v->type;
}

int64_t
chorus_value_int64(chorus_value *cv)
{
    return cv == NULL ? 0 : value_to_int64(cv->v);
}

double
chorus_value_double(chorus_value *cv)
{
    return cv == NULL ? 0.0 : value_to_double(cv->v);
}

const char *
chorus_value_text(chorus_value *cv)
{
    if (cv == NULL || cv->v->type == VALUE_NULL)
        return NULL;
    if (cv->v->type == VALUE_INTEGER || cv->v->type == VALUE_REAL)
        return number_text(cv);
    if (cv->text == NULL) {
        cv->text = malloc((size_t)cv->v->n + 1);
        if (cv->text == NULL)
            return NULL;
        if (cv->v->n > 0)
            memcpy(cv->text, cv->v->u.z, (size_t)cv->v->n);
        cv->text[cv->v->n] = 0;
    }
    return cv->text;
}

const void *
chorus_value_blob(chorus_value *cv)
{
    if (cv == NULL || cv->v->type == VALUE_NULL)
        return NULL;
    if (cv->v->type == VALUE_INTEGER || cv->v->type == VALUE_REAL)
        return number_text(cv);
    return cv->v->n > 0 ? cv->v->u.z : NULL;
}

int
chorus_value_bytes(chorus_value *cv)
{
    if (cv == NULL || cv->v->type == VALUE_NULL)
        return 0;
    if (cv->v->type == VALUE_INTEGER || cv->v->type == VALUE_REAL) {
        number_text(cv);
        return cv->num_len;
    }
    return cv->v->n;
}

void
chorus_result_null(chorus_context *ctx)
{
    if (context_live(ctx))
        func_result_null(ctx->fctx);
}

void
chorus_result_int64(chorus_context *ctx, int64_t value)
{
    if (context_live(ctx))
        func_result_int(ctx->fctx, value);
}

void
chorus_result_double(chorus_context *ctx, double value)
{
    if (context_live(ctx) && isnan(value))
        func_result_null(ctx->fctx);        /* as SQLite: a NaN result is NULL */
    else if (context_live(ctx))
        func_result_real(ctx->fctx, value);
}

/* Calls an application destructor that is a real function (V2). */
static void
release_bytes(const void *bytes, void (*destructor)(void *))
{
    if (bytes != NULL && destructor != CHORUS_STATIC && destructor != CHORUS_TRANSIENT)
        destructor((void *)bytes);
}

void
chorus_result_text(chorus_context *ctx, const char *text, int nbytes, void (*destructor)(void *))
{
    if (context_live(ctx)) {
        if (text == NULL)
            func_result_null(ctx->fctx);
        else
            func_result_text(ctx->fctx, text, nbytes < 0 ? (int32_t)strlen(text) : nbytes);
    }
    release_bytes(text, destructor);
}

void
chorus_result_blob(chorus_context *ctx, const void *data, int nbytes, void (*destructor)(void *))
{
    if (context_live(ctx)) {
        if (nbytes < 0)
            func_error(ctx->fctx, CHORUS_MISUSE, "chorus_result_blob: negative size");
        else if (data == NULL)
            func_result_null(ctx->fctx);
        else
            func_result_blob(ctx->fctx, data, nbytes);
    }
    release_bytes(data, destructor);
}

void
chorus_result_error(chorus_context *ctx, const char *message, int nbytes)
{
    if (!context_live(ctx))
        return;
    if (message == NULL)
        message = "";
    if (nbytes < 0)
        nbytes = (int)strlen(message);
    func_error(ctx->fctx, CHORUS_ERROR, "%.*s", nbytes, message);
}

void
chorus_result_error_code(chorus_context *ctx, int rc)
{
    if (!context_live(ctx) || rc == CHORUS_OK || rc == CHORUS_ROW || rc == CHORUS_DONE)
        return;
    if (ctx->fctx->errmsg == NULL)
        func_error(ctx->fctx, rc, "%s", chorus_errstr(rc));
    else
        ctx->fctx->rc = rc;
}

void *
chorus_aggregate_context(chorus_context *ctx, int nbytes)
{
    if (!context_live(ctx) || ctx->agg_mem == NULL)
        return NULL;
    if (*ctx->agg_mem == NULL && nbytes > 0) {
        *ctx->agg_mem = calloc(1, (size_t)nbytes);
        if (*ctx->agg_mem == NULL)
            func_error(ctx->fctx, CHORUS_NOMEM, "out of memory");
    }
    return *ctx->agg_mem;
}

void *
chorus_user_data(chorus_context *ctx)
{
    return context_live(ctx) ? ctx->user_data : NULL;
}

/* ------------------------------------------------- progress and trace */

int
chorus_progress_handler(chorus_conn *conn, int n_steps, int (*callback)(void *), void *arg)
{
    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    vm_conn_set_progress(conn->vconn, n_steps, callback, arg);
    return CHORUS_OK;
}

int
chorus_trace(chorus_conn *conn, void (*callback)(void *arg, const char *sql), void *arg)
{
    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    vm_conn_set_trace(conn->vconn, callback, arg);
    return CHORUS_OK;
}
