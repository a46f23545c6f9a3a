/*
 * core/func/misc.c: the scalar functions that are neither string, printf,
 * math nor date functions: abs, changes, coalesce, ifnull, iif, nullif,
 * last_insert_rowid, total_changes, likelihood, likely, unlikely, scalar
 * max/min, random, randomblob, zeroblob, typeof, sign (sqlite_version and
 * the other build questions are in build_info.c).
 *
 * coalesce, ifnull and iif are usually compiled into short-circuit code;
 * these definitions give them a home in the registry and serve calls the
 * compiler leaves as calls.
 *
 * random() and randomblob() draw from a thread-local xorshift generator
 * seeded from the clock and the thread's stack address: unpredictable
 * enough for SQL's random(), not for cryptography.
 *
 * Callers: core/vm through func_find().
 */
#include <stdlib.h>
#include <string.h>

#include "func_int.h"

static int
fn_abs(func_ctx *ctx, int argc, const value *argv)
{
    switch (argv[0].type) {
    case VALUE_NULL:
        return CHORUS_OK;
    case VALUE_INTEGER:
        if (argv[0].u.i == INT64_MIN) {
            func_error(ctx, CHORUS_ERROR, "integer overflow");
            return ctx->rc;
        }
        func_result_int(ctx, argv[0].u.i < 0 ? -argv[0].u.i : argv[0].u.i);
        return CHORUS_OK;
    default: {
        double r = value_to_double(&argv[0]);
        func_result_real(ctx, r < 0 ? -r : r);
        return CHORUS_OK;
    }
    }
}

static int64_t
env_call(const func_ctx *ctx, int64_t (*hook)(void *conn))
{
    return ctx->env != NULL && hook != NULL ? hook(ctx->env->conn) : 0;
}

static int
fn_changes(func_ctx *ctx, int argc, const value *argv)
{
    func_result_int(ctx, env_call(ctx, ctx->env ? ctx->env->changes : NULL));
    return CHORUS_OK;
}

static int
fn_total_changes(func_ctx *ctx, int argc, const value *argv)
{
    func_result_int(ctx, env_call(ctx, ctx->env ? ctx->env->total_changes : NULL));
    return CHORUS_OK;
}

static int
fn_last_insert_rowid(func_ctx *ctx, int argc, const value *argv)
{
    func_result_int(ctx, env_call(ctx, ctx->env ? ctx->env->last_insert_rowid : NULL));
    return CHORUS_OK;
}

/* coalesce, ifnull: the first argument that is not NULL. */
static int
fn_coalesce(func_ctx *ctx, int argc, const value *argv)
{
    for (int i = 0; i < argc; i++)
        if (argv[i].type != VALUE_NULL)
            return func_result_value(ctx, &argv[i]);
    return CHORUS_OK;
}

static int
fn_iif(func_ctx *ctx, int argc, const value *argv)
{
    return func_result_value(ctx, value_truth(&argv[0]) == 1 ? &argv[1] : &argv[2]);
}

static int
fn_nullif(func_ctx *ctx, int argc, const value *argv)
{
    if (value_compare(&argv[0], &argv[1], ctx->coll) == 0)
        return CHORUS_OK;
    return func_result_value(ctx, &argv[0]);
}

/* likely, unlikely, likelihood: planner hints that return their argument. */
static int
fn_first_arg(func_ctx *ctx, int argc, const value *argv)
{
    return func_result_value(ctx, &argv[0]);
}

/* Scalar max/min: NULL when any argument is NULL, else the greatest (least)
 * under ctx->coll; among equals max keeps the first and min the last, as
 * SQLite does. */
static int
minmax(func_ctx *ctx, int argc, const value *argv, bool is_max)
{
    int best = 0;

    for (int i = 0; i < argc; i++) {
        if (argv[i].type == VALUE_NULL)
            return CHORUS_OK;
        int cmp = i > 0 ? value_compare(&argv[i], &argv[best], ctx->coll) : 0;
        if (i > 0 && (is_max ? cmp > 0 : cmp <= 0))
            best = i;
    }
    return func_result_value(ctx, &argv[best]);
}

static int
fn_max(func_ctx *ctx, int argc, const value *argv)
{
    return minmax(ctx, argc, argv, true);
}

static int
fn_min(func_ctx *ctx, int argc, const value *argv)
{
    return minmax(ctx, argc, argv, false);
}

static _Thread_local uint64_t prng_state;

static uint64_t
prng_next(void)
{
    if (prng_state == 0) {
        int local;
        prng_state = (uint64_t)common_now_ns() ^ ((uint64_t)(uintptr_t)&local << 16) ^
                     0x9e3779b97f4a7c15u;
        if (prng_state == 0)
            prng_state = 1;
    }
    prng_state ^= prng_state << 13;
    prng_state ^= prng_state >> 7;
    prng_state ^= prng_state << 17;
    return prng_state;
}

static int
fn_random(func_ctx *ctx, int argc, const value *argv)
{
    func_result_int(ctx, (int64_t)prng_next());
    return CHORUS_OK;
}

/* The blob size argument of randomblob and zeroblob, or -1 when too big. */
static int64_t
blob_size(const value *v, int64_t min)
{
    int64_t n = value_to_int64(v);

    if (n < min)
        n = min;
    return n > FUNC_MAX_LENGTH ? -1 : n;
}

static int
fn_randomblob(func_ctx *ctx, int argc, const value *argv)
{
    int64_t n = blob_size(&argv[0], 1);
    uint8_t *z;

    if (n < 0 || (z = malloc((size_t)n)) == NULL) {
        func_error(ctx, n < 0 ? CHORUS_TOOBIG : CHORUS_NOMEM,
                   n < 0 ? "string or blob too big" : "out of memory");
        return ctx->rc;
    }
    for (int64_t i = 0; i < n; i += 8) {
        uint64_t r = prng_next();
        memcpy(z + i, &r, (size_t)(n - i < 8 ? n - i : 8));
    }
    value_clear(&ctx->result);
    value_set_blob_owned(&ctx->result, z, (int32_t)n);
    return CHORUS_OK;
}

static int
fn_zeroblob(func_ctx *ctx, int argc, const value *argv)
{
    int64_t n = blob_size(&argv[0], 0);
    uint8_t *z;

    if (n < 0 || (z = calloc(1, (size_t)n + 1)) == NULL) {
        func_error(ctx, n < 0 ? CHORUS_TOOBIG : CHORUS_NOMEM,
                   n < 0 ? "string or blob too big" : "out of memory");
        return ctx->rc;
    }
    value_clear(&ctx->result);
    value_set_blob_owned(&ctx->result, z, (int32_t)n);
    return CHORUS_OK;
}

static int
fn_typeof(func_ctx *ctx, int argc, const value *argv)
{
    const char *name = value_type_name(argv[0].type);

    return func_result_text(ctx, name, (int32_t)strlen(name));
}

/* sign(): NULL unless the argument is (or wholly reads as) a number. */
static int
fn_sign(func_ctx *ctx, int argc, const value *argv)
{
    value num;
    int type = func_arg_numeric(&argv[0], &num);

    if (type != VALUE_INTEGER && type != VALUE_REAL)
        return CHORUS_OK;
    double r = value_to_double(&num);
    func_result_int(ctx, r < 0 ? -1 : r > 0 ? 1 : 0);
    return CHORUS_OK;
}

#define DET FUNC_DETERMINISTIC
#define LAZY FUNC_LAZY_ARGS
static const func_def defs[] = {
    { .name = "abs", .n_args = 1, .flags = DET, .scalar = fn_abs },
    { .name = "changes", .n_args = 0, .scalar = fn_changes },
    { .name = "total_changes", .n_args = 0, .scalar = fn_total_changes },
    { .name = "last_insert_rowid", .n_args = 0, .scalar = fn_last_insert_rowid },
    { .name = "coalesce", .n_args = -1, .min_args = 2, .flags = DET | LAZY,
      .scalar = fn_coalesce },
    { .name = "ifnull", .n_args = 2, .flags = DET | LAZY, .scalar = fn_coalesce },
    { .name = "iif", .n_args = 3, .flags = DET | LAZY, .scalar = fn_iif },
    { .name = "nullif", .n_args = 2, .flags = DET, .scalar = fn_nullif },
    { .name = "likely", .n_args = 1, .flags = DET, .scalar = fn_first_arg },
    { .name = "unlikely", .n_args = 1, .flags = DET, .scalar = fn_first_arg },
    { .name = "likelihood", .n_args = 2, .flags = DET, .scalar = fn_first_arg },
    { .name = "max", .n_args = -1, .min_args = 2, .flags = DET, .scalar = fn_max },
    { .name = "min", .n_args = -1, .min_args = 2, .flags = DET, .scalar = fn_min },
    { .name = "random", .n_args = 0, .scalar = fn_random },
    { .name = "randomblob", .n_args = 1, .scalar = fn_randomblob },
    { .name = "zeroblob", .n_args = 1, .flags = DET, .scalar = fn_zeroblob },
    { .name = "typeof", .n_args = 1, .flags = DET, .scalar = fn_typeof },
    { .name = "sign", .n_args = 1, .flags = DET, .scalar = fn_sign },
};

const func_table func_misc_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
