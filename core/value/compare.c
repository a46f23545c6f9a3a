/*
 * core/value/compare.c: comparison of two values under SQLite's comparison
 * affinity rules (the = < <= > >= <> IS operators, IN and BETWEEN).
 *
 * The affinity of a comparison comes from both operands' affinities:
 *   - both have one (not NONE): NUMERIC if either is numeric, else none;
 *   - only one has one: that one (BLOB meaning none);
 *   - neither: none.
 * NUMERIC converts text that is wholly numeric into a number; TEXT renders
 * numbers as text when the other operand is text. The conversions are made
 * on stack copies, so comparing never allocates.
 *
 * Callers: core/vm (comparison opcodes), core/func (min/max use plain
 * value_compare instead).
 */
#include "value.h"

static bool
affinity_is_numeric(char aff)
{
    return aff >= AFFINITY_NUMERIC;
}

/* The affinity to apply to both operands of a comparison. */
static char
comparison_affinity(char aff_a, char aff_b)
{
    if (aff_a != AFFINITY_NONE && aff_b != AFFINITY_NONE)
        return affinity_is_numeric(aff_a) || affinity_is_numeric(aff_b) ? AFFINITY_NUMERIC
                                                                        : AFFINITY_BLOB;
    return aff_a != AFFINITY_NONE ? aff_a : aff_b;
}

/* Wholly numeric text in *v becomes a number (v is a copy: nothing owned
 * is lost). */
static void
numeric_apply(value *v)
{
    value num;

    if (v->type == VALUE_TEXT && value_text_to_numeric(v->u.z, v->n, &num))
        *v = num;
}

/* A number in *v becomes its rendering in buf. */
static void
text_apply(value *v, char buf[VALUE_REAL_BUF])
{
    int n;

    if (v->type == VALUE_INTEGER)
        n = value_format_int(v->u.i, buf);
    else if (v->type == VALUE_REAL)
        n = value_format_real(v->u.r, buf);
    else
        return;
    value_set_text_ref(v, buf, n);
}

int
value_compare_sql(const value *a, char aff_a, const value *b, char aff_b, collation coll)
{
    value ca = *a;
    value cb = *b;
    char buf_a[VALUE_REAL_BUF];
    char buf_b[VALUE_REAL_BUF];
    char aff = comparison_affinity(aff_a, aff_b);

    if (affinity_is_numeric(aff)) {
        numeric_apply(&ca);
        numeric_apply(&cb);
    } else if (aff == AFFINITY_TEXT && (ca.type == VALUE_TEXT || cb.type == VALUE_TEXT)) {
        text_apply(&ca, buf_a);
        text_apply(&cb, buf_b);
    }
    return value_compare(&ca, &cb, coll);
}
