/*
 * core/func/registry.c: the registry of built-in functions (lookup by name
 * and arity), the result and error helpers every function uses, and the
 * argument helpers of func_int.h.
 *
 * The registry is the union of the per-file tables (string, printf, misc,
 * math, aggregate, datetime, json, build_info), all static and immutable, so lookups need no
 * lock. A lookup is a linear scan: it runs when a statement is compiled,
 * never per row. The functions the application defined on the connection
 * that is compiling come first (user.c U1).
 *
 * Ownership: ctx->result owns what the result helpers put there; errmsg is
 * malloc()ed and handed to the caller.
 * Callers: core/compile (func_find), core/vm (calls), the rest of core/func.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "func_int.h"

static const func_table *const tables[] = {
    &func_string_table, &func_printf_table, &func_misc_table,
    &func_math_table, &func_aggregate_table, &func_datetime_table,
    &func_json_table, &func_json_aggregate_table, &func_build_info_table,
};

const func_def *
func_find(const char *name, int n_args, bool *exists_out)
{
    bool exists = false;
    const func_def *user = func_user_find(name, n_args, &exists);

    if (user != NULL) {
        if (exists_out != NULL)
            *exists_out = true;
        return user;                /* user.c U1 */
    }
    for (size_t t = 0; t < CHORUS_ARRAY_LEN(tables); t++) {
        for (int i = 0; i < tables[t]->n; i++) {
            const func_def *def = &tables[t]->defs[i];
            if (strcasecmp(def->name, name) != 0)
                continue;
            exists = true;
            if (def->n_args == n_args || (def->n_args == -1 && n_args >= def->min_args)) {
                if (exists_out != NULL)
                    *exists_out = true;
                return def;
            }
        }
    }
    if (exists_out != NULL)
        *exists_out = exists;
    return NULL;
}

const func_def *
func_at(int i)
{
    for (size_t t = 0; t < CHORUS_ARRAY_LEN(tables) && i >= 0; t++) {
        if (i < tables[t]->n)
            return &tables[t]->defs[i];
        i -= tables[t]->n;
    }
    return NULL;
}

void
func_error(func_ctx *ctx, int rc, const char *fmt, ...)
{
    va_list ap;
    strbuf sb;

    strbuf_init(&sb);
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    free(ctx->errmsg);
    ctx->errmsg = strbuf_finish(&sb);     /* NULL on no memory: the code still tells */
    ctx->rc = rc;
}

void
func_result_null(func_ctx *ctx)
{
    value_clear(&ctx->result);
}

void
func_result_int(func_ctx *ctx, int64_t i)
{
    value_clear(&ctx->result);
    value_set_int(&ctx->result, i);
}

void
func_result_real(func_ctx *ctx, double r)
{
    value_clear(&ctx->result);
    if (r != r)
        return;     /* NaN is NULL, as in SQLite */
    value_set_real(&ctx->result, r);
}

/* Records no memory or too big for a result of n bytes. */
static int
result_fail(func_ctx *ctx, int64_t n)
{
    if (n > FUNC_MAX_LENGTH)
        func_error(ctx, CHORUS_TOOBIG, "string or blob too big");
    else
        func_error(ctx, CHORUS_NOMEM, "out of memory");
    return ctx->rc;
}

int
func_result_text(func_ctx *ctx, const char *z, int32_t n)
{
    value_clear(&ctx->result);
    if (n > FUNC_MAX_LENGTH || value_set_text_copy(&ctx->result, z, n) != CHORUS_OK)
        return result_fail(ctx, n);
    return CHORUS_OK;
}

int
func_result_blob(func_ctx *ctx, const void *z, int32_t n)
{
    value_clear(&ctx->result);
    if (n > FUNC_MAX_LENGTH || value_set_blob_copy(&ctx->result, z, n) != CHORUS_OK)
        return result_fail(ctx, n);
    return CHORUS_OK;
}

void
func_result_text_owned(func_ctx *ctx, char *z, int32_t n)
{
    value_clear(&ctx->result);
    value_set_text_owned(&ctx->result, z, n);
}

int
func_result_value(func_ctx *ctx, const value *v)
{
    value_clear(&ctx->result);
    if (value_copy(&ctx->result, v) != CHORUS_OK)
        return result_fail(ctx, 0);
    return CHORUS_OK;
}

int
func_result_strbuf(func_ctx *ctx, strbuf *sb)
{
    size_t len = sb->len;
    bool failed = sb->failed;
    char *z;

    if (len > FUNC_MAX_LENGTH) {
        strbuf_free(sb);
        return result_fail(ctx, (int64_t)len);
    }
    z = strbuf_finish(sb);
    if (z == NULL && len == 0 && !failed)
        z = calloc(1, 1);   /* an empty result is empty text, not NULL */
    if (z == NULL)
        return result_fail(ctx, 0);
    func_result_text_owned(ctx, z, (int32_t)len);
    return CHORUS_OK;
}

const char *
func_arg_text(const value *v, char buf[VALUE_REAL_BUF], int *n_out)
{
    switch (v->type) {
    case VALUE_TEXT:
    case VALUE_BLOB:
        *n_out = v->n;
        return v->n > 0 ? v->u.z : "";
    case VALUE_INTEGER:
        *n_out = value_format_int(v->u.i, buf);
        return buf;
    case VALUE_REAL:
        *n_out = value_format_real(v->u.r, buf);
        return buf;
    default:
        *n_out = 0;
        return NULL;
    }
}

int
func_arg_numeric(const value *v, value *out)
{
    *out = *v;
    if (v->type == VALUE_TEXT) {
        value num;
        if (value_text_to_numeric(v->u.z, v->n, &num))
            *out = num;
    }
    return out->type;
}
