/*
 * core/func/math.c: round() and the math functions SQLite builds with
 * SQLITE_ENABLE_MATH_FUNCTIONS: acos ... trunc, log in its forms, pi, mod,
 * pow/power.
 *
 * Arguments must be numbers or text that wholly reads as one (SQLite's
 * numeric type test); anything else gives NULL, and so does a NaN result
 * (domain errors such as sqrt(-1)). ceil, floor and trunc keep INTEGER
 * arguments as they are. log(X) is base 10; log(B, X) needs B > 1.
 *
 * Callers: core/vm through func_find().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "func_int.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The argument as a double, or false when it is not numeric. */
static bool
arg_double(const value *v, double *out)
{
    value num;
    int type = func_arg_numeric(v, &num);

    if (type != VALUE_INTEGER && type != VALUE_REAL)
        return false;
    *out = value_to_double(&num);
    return true;
}

typedef double (*math1_fn)(double);
typedef double (*math2_fn)(double, double);

static double
degrees(double x)
{
    return x * (180.0 / M_PI);
}

static double
radians(double x)
{
    return x * (M_PI / 180.0);
}

/* One table drives the one-argument functions: name -> C function. */
static const struct {
    const char *name;
    math1_fn fn;
} math1_fns[] = {
    { "acos", acos }, { "acosh", acosh }, { "asin", asin }, { "asinh", asinh },
    { "atan", atan }, { "atanh", atanh }, { "cos", cos }, { "cosh", cosh },
    { "degrees", degrees }, { "exp", exp }, { "radians", radians }, { "sin", sin },
    { "sinh", sinh }, { "sqrt", sqrt }, { "tan", tan }, { "tanh", tanh },
};

static int
math1(func_ctx *ctx, const value *v, math1_fn fn)
{
    double x;

    if (arg_double(v, &x))
        func_result_real(ctx, fn(x));
    return CHORUS_OK;
}

#define MATH1(i)                                                    \
    static int fn_math1_##i(func_ctx *ctx, int argc, const value *argv) \
    {                                                               \
        return math1(ctx, &argv[0], math1_fns[i].fn);               \
    }
MATH1(0) MATH1(1) MATH1(2) MATH1(3) MATH1(4) MATH1(5) MATH1(6) MATH1(7)
MATH1(8) MATH1(9) MATH1(10) MATH1(11) MATH1(12) MATH1(13) MATH1(14) MATH1(15)
#undef MATH1

static int
math2(func_ctx *ctx, const value *argv, math2_fn fn)
{
    double x, y;

    if (arg_double(&argv[0], &x) && arg_double(&argv[1], &y))
        func_result_real(ctx, fn(x, y));
    return CHORUS_OK;
}

static int
fn_atan2(func_ctx *ctx, int argc, const value *argv)
{
    return math2(ctx, argv, atan2);
}

static int
fn_pow(func_ctx *ctx, int argc, const value *argv)
{
    return math2(ctx, argv, pow);
}

static int
fn_mod(func_ctx *ctx, int argc, const value *argv)
{
    return math2(ctx, argv, fmod);
}

static int
fn_pi(func_ctx *ctx, int argc, const value *argv)
{
    func_result_real(ctx, M_PI);
    return CHORUS_OK;
}

/* ceil, floor, trunc: integers pass through, reals are rounded. */
static int
integral(func_ctx *ctx, const value *v, math1_fn fn)
{
    value num;

    switch (func_arg_numeric(v, &num)) {
    case VALUE_INTEGER:
        func_result_int(ctx, num.u.i);
        break;
    case VALUE_REAL:
        func_result_real(ctx, fn(num.u.r));
        break;
    default:
        break;
    }
    return CHORUS_OK;
}

static int
fn_ceil(func_ctx *ctx, int argc, const value *argv)
{
    return integral(ctx, &argv[0], ceil);
}

static int
fn_floor(func_ctx *ctx, int argc, const value *argv)
{
    return integral(ctx, &argv[0], floor);
}

static int
fn_trunc(func_ctx *ctx, int argc, const value *argv)
{
    return integral(ctx, &argv[0], trunc);
}

/* Logarithms; base 0 is ln, else 2 or 10; log(B, X) divides by ln(B). */
static int
logarithm(func_ctx *ctx, int argc, const value *argv, int base)
{
    double x, b;

    if (!arg_double(&argv[0], &x) || x <= 0.0)
        return CHORUS_OK;
    if (argc == 2) {
        b = log(x);
        x = value_to_double(&argv[1]);
        if (b <= 0.0 || x <= 0.0)
            return CHORUS_OK;
        func_result_real(ctx, log(x) / b);
        return CHORUS_OK;
    }
    func_result_real(ctx, base == 10 ? log10(x) : base == 2 ? log2(x) : log(x));
    return CHORUS_OK;
}

static int
fn_ln(func_ctx *ctx, int argc, const value *argv)
{
    return logarithm(ctx, argc, argv, 0);
}

static int
fn_log(func_ctx *ctx, int argc, const value *argv)
{
    return logarithm(ctx, argc, argv, 10);
}

static int
fn_log2(func_ctx *ctx, int argc, const value *argv)
{
    return logarithm(ctx, argc, argv, 2);
}

/*
 * round(X[, N]): N clamped to 0..30. Without digits, halves round away
 * from zero; with digits, through SQLite's "%!.*f" rendering and back.
 * Values beyond 2^52 have no fraction and are returned as they are.
 */
static int
fn_round(func_ctx *ctx, int argc, const value *argv)
{
    int64_t digits = 0;
    double r;

    if (argc == 2) {
        if (argv[1].type == VALUE_NULL)
            return CHORUS_OK;
        /* Read as a C int, as SQLite's sqlite3_value_int does. */
        digits = (int32_t)(uint32_t)(uint64_t)value_to_int64(&argv[1]);
        digits = digits > 30 ? 30 : digits < 0 ? 0 : digits;
    }
    if (argv[0].type == VALUE_NULL)
        return CHORUS_OK;
    r = value_to_double(&argv[0]);
    if (r < -4503599627370496.0 || r > 4503599627370496.0) {
        /* nothing to round */
    } else if (digits == 0) {
        r = (double)(int64_t)(r + (r < 0 ? -0.5 : 0.5));
    } else {
        value_real_spec spec = { .conv = 'f', .precision = (int)digits, .alt2 = true };
        strbuf sb;
        strbuf_init(&sb);
        value_format_real_spec(r, &spec, &sb);
        if (sb.failed) {
            func_error(ctx, CHORUS_NOMEM, "out of memory");
            return ctx->rc;
        }
        value text;
        value_set_text_ref(&text, sb.data, (int32_t)sb.len);
        r = value_to_double(&text);
        strbuf_free(&sb);
    }
    func_result_real(ctx, r);
    return CHORUS_OK;
}

#define DET FUNC_DETERMINISTIC
#define M1(nm, i) { .name = nm, .n_args = 1, .flags = DET, .scalar = fn_math1_##i }
static const func_def defs[] = {
    M1("acos", 0), M1("acosh", 1), M1("asin", 2), M1("asinh", 3), M1("atan", 4),
    M1("atanh", 5), M1("cos", 6), M1("cosh", 7), M1("degrees", 8), M1("exp", 9),
    M1("radians", 10), M1("sin", 11), M1("sinh", 12), M1("sqrt", 13), M1("tan", 14),
    M1("tanh", 15),
    { .name = "atan2", .n_args = 2, .flags = DET, .scalar = fn_atan2 },
    { .name = "pow", .n_args = 2, .flags = DET, .scalar = fn_pow },
    { .name = "power", .n_args = 2, .flags = DET, .scalar = fn_pow },
    { .name = "mod", .n_args = 2, .flags = DET, .scalar = fn_mod },
    { .name = "pi", .n_args = 0, .flags = DET, .scalar = fn_pi },
    { .name = "ceil", .n_args = 1, .flags = DET, .scalar = fn_ceil },
    { .name = "ceiling", .n_args = 1, .flags = DET, .scalar = fn_ceil },
    { .name = "floor", .n_args = 1, .flags = DET, .scalar = fn_floor },
    { .name = "trunc", .n_args = 1, .flags = DET, .scalar = fn_trunc },
    { .name = "ln", .n_args = 1, .flags = DET, .scalar = fn_ln },
    { .name = "log", .n_args = 1, .flags = DET, .scalar = fn_log },
    { .name = "log", .n_args = 2, .flags = DET, .scalar = fn_log },
    { .name = "log10", .n_args = 1, .flags = DET, .scalar = fn_log },
    { .name = "log2", .n_args = 1, .flags = DET, .scalar = fn_log2 },
    { .name = "round", .n_args = 1, .flags = DET, .scalar = fn_round },
    { .name = "round", .n_args = 2, .flags = DET, .scalar = fn_round },
};
#undef M1

const func_table func_math_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
