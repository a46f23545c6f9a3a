/*
 * core/func/aggregate.c: the aggregate functions: count, sum, total, avg,
 * group_concat, string_agg, and the aggregate min and max.
 *
 * State lives in the zeroed bytes the executor hands in ctx->state (see
 * func.h); only group_concat's state owns memory, freed by its destroy().
 *
 * Summation follows SQLite 3.45: integers add exactly while every input is
 * an integer; the first non-integer input (or an integer overflow) switches
 * to a real sum kept with Kahan-Babuska-Neumaier compensation. sum()
 * reports "integer overflow" when an integer overflow was never followed
 * by a real input; total() and avg() never fail.
 *
 * Window frames: count, sum, total, avg and group_concat have an inverse()
 * that removes the oldest row still in the frame; min and max have none
 * (the executor recomputes their frame). value() returns the current result
 * without ending the aggregate.
 *
 * Callers: core/vm through func_find().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "func_int.h"

/* --- count ---------------------------------------------------------------- */

typedef struct count_state {
    int64_t n;
} count_state;

static int
count_step(func_ctx *ctx, int argc, const value *argv)
{
    if (argc == 0 || argv[0].type != VALUE_NULL)
        ((count_state *)ctx->state)->n++;
    return CHORUS_OK;
}

static int
count_inverse(func_ctx *ctx, int argc, const value *argv)
{
    if (argc == 0 || argv[0].type != VALUE_NULL)
        ((count_state *)ctx->state)->n--;
    return CHORUS_OK;
}

static int
count_final(func_ctx *ctx)
{
    func_result_int(ctx, ((count_state *)ctx->state)->n);
    return CHORUS_OK;
}

/* --- sum, total, avg ------------------------------------------------------- */

typedef struct sum_state {
    double r_sum;           /* the real sum, once approx */
    double r_err;           /* its compensation term */
    int64_t i_sum;          /* the exact sum while !approx */
    int64_t count;          /* non-NULL inputs */
    bool approx;            /* a non-integer input or an overflow was seen */
    bool overflow;          /* an integer overflow not yet excused by a real */
} sum_state;

/* Beyond 2^52 an int64 does not fit a double exactly. */
#define SUM_EXACT_LIMIT 4503599627370496LL

static void
kbn_add(sum_state *s, double r)
{
    double t = s->r_sum + r;

    if (fabs(s->r_sum) > fabs(r))
        s->r_err += (s->r_sum - t) + r;
    else
        s->r_err += (r - t) + s->r_sum;
    s->r_sum = t;
}

/* Adds a large integer in two exact parts, so no bits are lost early. */
static void
kbn_add_int(sum_state *s, int64_t i)
{
    if (i <= -SUM_EXACT_LIMIT || i >= SUM_EXACT_LIMIT) {
        int64_t small = i % 16384;
        kbn_add(s, (double)(i - small));
        kbn_add(s, (double)small);
    } else {
        kbn_add(s, (double)i);
    }
}

static void
sum_go_approx(sum_state *s)
{
    s->approx = true;
    s->r_sum = 0.0;
    s->r_err = 0.0;
    kbn_add_int(s, s->i_sum);
}

static int
sum_step(func_ctx *ctx, int argc, const value *argv)
{
    sum_state *s = ctx->state;
    value num;
    int type = func_arg_numeric(&argv[0], &num);

    if (type == VALUE_NULL)
        return CHORUS_OK;
    s->count++;
    if (type == VALUE_INTEGER) {
        int64_t sum;
        if (!s->approx && !__builtin_add_overflow(s->i_sum, num.u.i, &sum)) {
            s->i_sum = sum;
            return CHORUS_OK;
        }
        if (!s->approx) {
            s->overflow = true;
            sum_go_approx(s);
        }
        kbn_add_int(s, num.u.i);
        return CHORUS_OK;
    }
    if (!s->approx)
        sum_go_approx(s);
    else
        s->overflow = false;
    kbn_add(s, value_to_double(&num));
    return CHORUS_OK;
}

static int
sum_inverse(func_ctx *ctx, int argc, const value *argv)
{
    sum_state *s = ctx->state;
    value num;
    int type = func_arg_numeric(&argv[0], &num);

    if (type == VALUE_NULL)
        return CHORUS_OK;
    s->count--;
    if (!s->approx) {
        s->i_sum -= value_to_int64(&num);
    } else if (type == VALUE_INTEGER) {
        if (num.u.i != INT64_MIN) {
            kbn_add_int(s, -num.u.i);
        } else {
            kbn_add_int(s, INT64_MAX);
            kbn_add_int(s, 1);
        }
    } else {
        kbn_add(s, -value_to_double(&num));
    }
    return CHORUS_OK;
}

/* The real sum: the compensation is left out when it overflowed. */
static double
sum_real(const sum_state *s)
{
    if (!s->approx)
        return (double)s->i_sum;
    return isinf(s->r_err) || isnan(s->r_err) ? s->r_sum : s->r_sum + s->r_err;
}

static int
sum_final(func_ctx *ctx)
{
    sum_state *s = ctx->state;

    if (s->count == 0)
        return CHORUS_OK;
    if (s->approx && s->overflow) {
        func_error(ctx, CHORUS_ERROR, "integer overflow");
        return ctx->rc;
    }
    if (s->approx)
        func_result_real(ctx, sum_real(s));
    else
        func_result_int(ctx, s->i_sum);
    return CHORUS_OK;
}

static int
total_final(func_ctx *ctx)
{
    func_result_real(ctx, sum_real(ctx->state));
    return CHORUS_OK;
}

static int
avg_final(func_ctx *ctx)
{
    sum_state *s = ctx->state;

    if (s->count > 0)
        func_result_real(ctx, sum_real(s) / (double)s->count);
    return CHORUS_OK;
}

/* --- group_concat, string_agg ----------------------------------------------- */

/*
 * The text so far, plus for the window inverse the length of every piece
 * (the value with the separator that preceded it) still in the frame, in
 * arrival order from head.
 */
typedef struct concat_state {
    strbuf text;            /* owned */
    size_t start;           /* bytes of text already removed from the front */
    int32_t *pieces;        /* owned; piece lengths (value bytes) */
    int32_t *seps;          /* owned; separator bytes before each piece */
    int head, n, cap;       /* pieces[head .. n) are live */
    bool started;           /* a value was added since the text was last empty */
} concat_state;

static bool
concat_remember(concat_state *s, int32_t piece, int32_t sep)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        int32_t *p = realloc(s->pieces, (size_t)cap * sizeof *p);
        if (p == NULL)
            return false;
        s->pieces = p;
        int32_t *q = realloc(s->seps, (size_t)cap * sizeof *q);
        if (q == NULL)
            return false;
        s->seps = q;
        s->cap = cap;
    }
    s->pieces[s->n] = piece;
    s->seps[s->n] = sep;
    s->n++;
    return true;
}

static int
concat_step(func_ctx *ctx, int argc, const value *argv)
{
    concat_state *s = ctx->state;
    char buf[VALUE_REAL_BUF], sep_buf[VALUE_REAL_BUF];
    int n, sep_n = 1;
    const char *z = func_arg_text(&argv[0], buf, &n);
    const char *sep = ",";

    if (z == NULL)
        return CHORUS_OK;
    if (argc == 2) {
        sep = func_arg_text(&argv[1], sep_buf, &sep_n);
        if (sep == NULL)
            sep_n = 0;
    }
    if (!s->started)
        sep_n = 0;      /* the first piece has no separator before it */
    s->started = true;
    if (sep_n > 0)
        strbuf_append(&s->text, sep, (size_t)sep_n);
    strbuf_append(&s->text, z, (size_t)n);
    if (s->text.failed || !concat_remember(s, n, sep_n)) {
        func_error(ctx, CHORUS_NOMEM, "out of memory");
        return ctx->rc;
    }
    if (s->text.len - s->start > FUNC_MAX_LENGTH) {
        func_error(ctx, CHORUS_TOOBIG, "string or blob too big");
        return ctx->rc;
    }
    return CHORUS_OK;
}

/* Drops the oldest piece, and the separator of the piece after it. */
static int
concat_inverse(func_ctx *ctx, int argc, const value *argv)
{
    concat_state *s = ctx->state;

    if (argv[0].type == VALUE_NULL || s->head >= s->n)
        return CHORUS_OK;
    size_t drop = (size_t)s->seps[s->head] + (size_t)s->pieces[s->head];
    s->head++;
    if (s->head < s->n) {
        drop += (size_t)s->seps[s->head];
        s->seps[s->head] = 0;
    }
    s->start += drop;
    if (s->start >= s->text.len) {
        /* As SQLite: once the text is empty the next value starts afresh,
         * and the empty pieces left are forgotten. */
        s->start = s->text.len;
        s->head = s->n;
        s->started = false;
    }
    return CHORUS_OK;
}

/* The window's current text: NULL when it is empty (SQLite's rule). */
static int
concat_value(func_ctx *ctx)
{
    concat_state *s = ctx->state;

    if (s->start >= s->text.len)
        return CHORUS_OK;
    return func_result_text(ctx, s->text.data + s->start, (int32_t)(s->text.len - s->start));
}

/* The final text: empty text counts once a value was added. */
static int
concat_final(func_ctx *ctx)
{
    concat_state *s = ctx->state;

    if (!s->started)
        return CHORUS_OK;
    if (s->start >= s->text.len)
        return func_result_text(ctx, "", 0);
    return concat_value(ctx);
}

static void
concat_destroy(void *state)
{
    concat_state *s = state;

    strbuf_free(&s->text);
    free(s->pieces);
    free(s->seps);
}

/* --- min, max --------------------------------------------------------------- */

typedef struct minmax_state {
    bool has_best;          /* a non-NULL input was seen (the state starts zeroed) */
    value best;             /* owned copy, valid when has_best */
} minmax_state;

static int
minmax_step(func_ctx *ctx, const value *v, int sign)
{
    minmax_state *s = ctx->state;

    if (v->type == VALUE_NULL)
        return CHORUS_OK;
    if (s->has_best && value_compare(v, &s->best, ctx->coll) * sign <= 0)
        return CHORUS_OK;
    if (s->has_best)
        value_clear(&s->best);
    s->has_best = value_copy(&s->best, v) == CHORUS_OK;
    if (!s->has_best) {
        func_error(ctx, CHORUS_NOMEM, "out of memory");
        return ctx->rc;
    }
    return CHORUS_OK;
}

static int
max_step(func_ctx *ctx, int argc, const value *argv)
{
    return minmax_step(ctx, &argv[0], 1);
}

static int
min_step(func_ctx *ctx, int argc, const value *argv)
{
    return minmax_step(ctx, &argv[0], -1);
}

static int
minmax_final(func_ctx *ctx)
{
    minmax_state *s = ctx->state;

    if (!s->has_best)
        return CHORUS_OK;
    return func_result_value(ctx, &s->best);
}

static void
minmax_destroy(void *state)
{
    minmax_state *s = state;

    if (s->has_best)
        value_clear(&s->best);
}

#define AGG (FUNC_AGGREGATE | FUNC_WINDOW | FUNC_DETERMINISTIC)
static const func_def defs[] = {
    { .name = "count", .n_args = 0, .flags = AGG, .state_size = sizeof(count_state),
      .step = count_step, .inverse = count_inverse, .value = count_final, .final = count_final },
    { .name = "count", .n_args = 1, .flags = AGG, .state_size = sizeof(count_state),
      .step = count_step, .inverse = count_inverse, .value = count_final, .final = count_final },
    { .name = "sum", .n_args = 1, .flags = AGG, .state_size = sizeof(sum_state),
      .step = sum_step, .inverse = sum_inverse, .value = sum_final, .final = sum_final },
    { .name = "total", .n_args = 1, .flags = AGG, .state_size = sizeof(sum_state),
      .step = sum_step, .inverse = sum_inverse, .value = total_final, .final = total_final },
    { .name = "avg", .n_args = 1, .flags = AGG, .state_size = sizeof(sum_state),
      .step = sum_step, .inverse = sum_inverse, .value = avg_final, .final = avg_final },
    { .name = "group_concat", .n_args = 1, .flags = AGG, .state_size = sizeof(concat_state),
      .step = concat_step, .inverse = concat_inverse, .value = concat_value,
      .final = concat_final, .destroy = concat_destroy },
    { .name = "group_concat", .n_args = 2, .flags = AGG, .state_size = sizeof(concat_state),
      .step = concat_step, .inverse = concat_inverse, .value = concat_value,
      .final = concat_final, .destroy = concat_destroy },
    { .name = "string_agg", .n_args = 2, .flags = AGG, .state_size = sizeof(concat_state),
      .step = concat_step, .inverse = concat_inverse, .value = concat_value,
      .final = concat_final, .destroy = concat_destroy },
    { .name = "max", .n_args = 1, .flags = AGG, .state_size = sizeof(minmax_state),
      .step = max_step, .value = minmax_final, .final = minmax_final, .destroy = minmax_destroy },
    { .name = "min", .n_args = 1, .flags = AGG, .state_size = sizeof(minmax_state),
      .step = min_step, .value = minmax_final, .final = minmax_final, .destroy = minmax_destroy },
};

const func_table func_aggregate_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
