/*
 * core/value/affinity.c: type affinity (from declared types, applied when a
 * value is stored into a column) and CAST.
 *
 * Storage affinity converts only what converts losslessly: text becomes a
 * number only when the whole text is one number, and a real becomes an
 * integer only when it is exact and inside the int64 range. CAST converts
 * always, reading numeric prefixes (convert.c).
 *
 * Ownership: a value converted in place loses what it owned (freed here)
 * when it becomes a number; a number turned into text owns the new bytes.
 * On CHORUS_NOMEM the value is left as it was.
 * Callers: core/compile (affinity_from_type), core/vm (column affinity,
 * CAST), core/value/compare.c.
 */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "value.h"
#include "value_int.h"

/* Whether decl contains word (upper case) ignoring case. */
static bool
type_contains(const char *decl, const char *word)
{
    size_t wn = strlen(word);

    for (const char *p = decl; *p; p++) {
        size_t i = 0;
        while (i < wn && p[i] && toupper((unsigned char)p[i]) == word[i])
            i++;
        if (i == wn)
            return true;
    }
    return false;
}

char
affinity_from_type(const char *decl_type)
{
    if (decl_type == NULL || decl_type[0] == '\0')
        return AFFINITY_BLOB;
    if (type_contains(decl_type, "INT"))
        return AFFINITY_INTEGER;
    if (type_contains(decl_type, "CHAR") || type_contains(decl_type, "CLOB") ||
        type_contains(decl_type, "TEXT"))
        return AFFINITY_TEXT;
    if (type_contains(decl_type, "BLOB"))
        return AFFINITY_BLOB;
    if (type_contains(decl_type, "REAL") || type_contains(decl_type, "FLOA") ||
        type_contains(decl_type, "DOUB"))
        return AFFINITY_REAL;
    return AFFINITY_NUMERIC;
}

char
affinity_from_cast_type(const char *type_name)
{
    return type_name == NULL || type_name[0] == '\0' ? AFFINITY_NUMERIC
                                                     : affinity_from_type(type_name);
}

/* Replaces *v (freeing what it owned) with its text rendering. */
static int
number_to_text(value *v)
{
    value text;
    int rc = value_to_text(v, &text);

    if (rc != CHORUS_OK)
        return rc;
    *v = text;      /* numbers own nothing, so nothing is lost */
    return CHORUS_OK;
}

/* A real with an exact integer value strictly inside the int64 range
 * becomes an integer (SQLite's integer affinity for reals). */
static void
real_try_int(value *v)
{
    double r = v->u.r;

    if (r > -9223372036854775808.0 && r < 9223372036854775808.0) {
        int64_t i = (int64_t)r;
        if ((double)i == r && i != INT64_MAX)
            value_set_int(v, i);
    }
}

/* Numeric text becomes a number; other text stays. try_int as real_try_int. */
static void
text_to_number(value *v, bool try_int)
{
    num_scan s;

    num_scan_text(v->u.z, v->n, &s);
    if (!s.has_digits || !s.whole)
        return;
    value_clear(v);
    if (s.int_fits && try_int) {
        value_set_int(v, s.i);
        return;
    }
    value_set_real(v, s.r);
    if (try_int)
        real_try_int(v);
}

int
value_apply_compare_affinity(value *v, char aff)
{
    if (aff != AFFINITY_NUMERIC && aff != AFFINITY_INTEGER && aff != AFFINITY_REAL)
        return value_apply_affinity(v, aff);
    if (v->type == VALUE_TEXT)
        text_to_number(v, true);
    return CHORUS_OK;
}

int
value_apply_affinity(value *v, char aff)
{
    switch (aff) {
    case AFFINITY_TEXT:
        if (v->type == VALUE_INTEGER || v->type == VALUE_REAL)
            return number_to_text(v);
        return CHORUS_OK;
    case AFFINITY_NUMERIC:
    case AFFINITY_INTEGER:
        if (v->type == VALUE_TEXT)
            text_to_number(v, true);
        else if (v->type == VALUE_REAL)
            real_try_int(v);
        return CHORUS_OK;
    case AFFINITY_REAL:
        if (v->type == VALUE_TEXT)
            text_to_number(v, false);
        else if (v->type == VALUE_INTEGER)
            value_set_real(v, (double)v->u.i);
        return CHORUS_OK;
    default:
        return CHORUS_OK;
    }
}

int
value_cast_affinity(value *v, char aff)
{
    value num;
    int rc;

    if (v->type == VALUE_NULL)
        return CHORUS_OK;
    switch (aff) {
    case AFFINITY_TEXT:
    case AFFINITY_BLOB:
        if (v->type == VALUE_INTEGER || v->type == VALUE_REAL) {
            rc = number_to_text(v);
            if (rc != CHORUS_OK)
                return rc;
        }
        v->type = aff == AFFINITY_TEXT ? VALUE_TEXT : VALUE_BLOB;
        v->subtype = 0;
        return CHORUS_OK;
    case AFFINITY_INTEGER:
        num.u.i = value_to_int64(v);
        value_clear(v);
        value_set_int(v, num.u.i);
        return CHORUS_OK;
    case AFFINITY_REAL:
        num.u.r = value_to_double(v);
        value_clear(v);
        value_set_real(v, num.u.r);
        return CHORUS_OK;
    default:
        value_to_numeric(v, &num);
        if (v->type == VALUE_TEXT || v->type == VALUE_BLOB)
            value_clear(v);
        *v = num;
        return CHORUS_OK;
    }
}

int
value_cast(value *v, const char *type_name)
{
    return value_cast_affinity(v, affinity_from_cast_type(type_name));
}
