/*
 * core/value/arith.c: SQL's binary arithmetic, bitwise and concatenation
 * operators and unary minus and ~, with SQLite's conversions.
 *
 * Rules (SQLite 3.45):
 *   A1  NULL in, NULL out.
 *   A2  Text and blob operands of + - * / % become numbers by their numeric
 *       prefix: INTEGER when the prefix is an integer literal in range, else
 *       REAL.
 *   A3  Two INTEGERs give an INTEGER unless + - * overflow or
 *       INT64_MIN / -1 is asked; then the operation is done in REAL.
 *   A4  / and % by zero give NULL; a REAL result that is NaN gives NULL.
 *   A5  % with a REAL operand (after A2) works on the integer values of
 *       the original operands (value_to_int64: '1e3' counts as 1) and
 *       gives a REAL.
 *   A6  & | << >> work on the integer value of each side (value_to_int64).
 *
 * Ownership: only CONCAT allocates (the result text, owned by *out).
 * Callers: core/vm, core/func.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "value.h"
#include "value_int.h"

/* The operand as a number (rule A2). */
static void
operand_numeric(const value *v, value *out)
{
    if (v->type == VALUE_TEXT || v->type == VALUE_BLOB)
        value_text_to_numeric(v->u.z, v->n, out);
    else
        *out = *v;
}

/* Sets a REAL result, NULL when it is NaN (rule A4). */
static void
real_result(double r, value *out)
{
    if (isnan(r))
        value_set_null(out);
    else
        value_set_real(out, r);
}

/* Integer arithmetic; false when the result needs REAL (rule A3). */
static bool
int_arith(int op, int64_t a, int64_t b, value *out)
{
    int64_t r;

    switch (op) {
    case AST_OP_ADD:
        if (__builtin_add_overflow(a, b, &r))
            return false;
        break;
    case AST_OP_SUB:
        if (__builtin_sub_overflow(a, b, &r))
            return false;
        break;
    case AST_OP_MUL:
        if (__builtin_mul_overflow(a, b, &r))
            return false;
        break;
    case AST_OP_DIV:
        if (b == 0) {
            value_set_null(out);
            return true;
        }
        if (a == INT64_MIN && b == -1)
            return false;
        r = a / b;
        break;
    default:    /* AST_OP_MOD */
        if (b == 0) {
            value_set_null(out);
            return true;
        }
        r = b == -1 ? 0 : a % b;
        break;
    }
    value_set_int(out, r);
    return true;
}

/* Real arithmetic on a and b; % uses the integer values of the original
 * operands (rule A5). */
static void
real_arith(int op, const value *orig_a, const value *orig_b, double a, double b, value *out)
{
    switch (op) {
    case AST_OP_ADD:
        real_result(a + b, out);
        break;
    case AST_OP_SUB:
        real_result(a - b, out);
        break;
    case AST_OP_MUL:
        real_result(a * b, out);
        break;
    case AST_OP_DIV:
        if (b == 0.0)
            value_set_null(out);
        else
            real_result(a / b, out);
        break;
    default: {  /* AST_OP_MOD, rule A5 */
        int64_t ia = value_to_int64(orig_a);
        int64_t ib = value_to_int64(orig_b);
        if (ib == 0)
            value_set_null(out);
        else
            value_set_real(out, (double)(ib == -1 ? 0 : ia % ib));
        break;
    }
    }
}

/* a << count (left) or a >> count, with SQLite's treatment of negative and
 * large counts (rule A6). */
static int64_t
shift(int64_t a, int64_t count, bool left)
{
    if (count < 0) {
        left = !left;
        count = count > -64 ? -count : 64;
    }
    if (count >= 64)
        return (a >= 0 || left) ? 0 : -1;
    uint64_t u = (uint64_t)a;
    if (left)
        return (int64_t)(u << count);
    u >>= count;
    if (a < 0 && count > 0)
        u |= UINT64_MAX << (64 - count);
    return (int64_t)u;
}

static void
bit_arith(int op, const value *a, const value *b, value *out)
{
    int64_t ia = value_to_int64(a);
    int64_t ib = value_to_int64(b);

    switch (op) {
    case AST_OP_BITAND:
        value_set_int(out, ia & ib);
        break;
    case AST_OP_BITOR:
        value_set_int(out, ia | ib);
        break;
    default:
        value_set_int(out, shift(ia, ib, op == AST_OP_LSHIFT));
        break;
    }
}

/* a || b as owned text; numbers rendered, blob bytes taken as text. */
static int
concat(const value *a, const value *b, value *out)
{
    value ta, tb;
    int rc;

    rc = value_to_text(a, &ta);
    if (rc != CHORUS_OK)
        return rc;
    rc = value_to_text(b, &tb);
    if (rc != CHORUS_OK) {
        value_clear(&ta);
        return rc;
    }
    size_t n = (size_t)ta.n + (size_t)tb.n;
    char *z = n > INT32_MAX ? NULL : malloc(n + 1);
    if (z == NULL) {
        rc = n > INT32_MAX ? CHORUS_TOOBIG : CHORUS_NOMEM;
    } else {
        if (ta.n > 0)
            memcpy(z, ta.u.z, (size_t)ta.n);
        if (tb.n > 0)
            memcpy(z + ta.n, tb.u.z, (size_t)tb.n);
        z[n] = '\0';
        value_set_text_owned(out, z, (int32_t)n);
    }
    value_clear(&ta);
    value_clear(&tb);
    return rc;
}

int
value_arith(int op, const value *a, const value *b, value *out)
{
    value na, nb;

    value_set_null(out);
    if (a->type == VALUE_NULL || b->type == VALUE_NULL)                /* A1 */
        return op >= AST_OP_BITAND && op <= AST_OP_CONCAT ? CHORUS_OK : CHORUS_MISUSE;
    switch (op) {
    case AST_OP_CONCAT:
        return concat(a, b, out);
    case AST_OP_BITAND:
    case AST_OP_BITOR:
    case AST_OP_LSHIFT:
    case AST_OP_RSHIFT:
        bit_arith(op, a, b, out);
        return CHORUS_OK;
    case AST_OP_ADD:
    case AST_OP_SUB:
    case AST_OP_MUL:
    case AST_OP_DIV:
    case AST_OP_MOD:
        operand_numeric(a, &na);                                        /* A2 */
        operand_numeric(b, &nb);
        if (na.type == VALUE_INTEGER && nb.type == VALUE_INTEGER &&
            int_arith(op, na.u.i, nb.u.i, out))
            return CHORUS_OK;
        real_arith(op, a, b, value_to_double(&na), value_to_double(&nb), out);
        return CHORUS_OK;
    default:
        return CHORUS_MISUSE;
    }
}

int
value_negate(const value *a, value *out)
{
    value zero;

    value_set_int(&zero, 0);
    return value_arith(AST_OP_SUB, &zero, a, out);
}

int
value_bitnot(const value *a, value *out)
{
    if (a->type == VALUE_NULL)
        value_set_null(out);
    else
        value_set_int(out, ~value_to_int64(a));
    return CHORUS_OK;
}
