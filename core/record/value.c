/*
 * core/record/value.c: the owned-memory side of SQL values (record.h).
 *
 * A value owns its text or blob bytes only when flags == VALUE_OWNED; the
 * bytes then come from malloc() and value_clear() frees them. Owned copies
 * carry one extra NUL byte so text can be handed to C string functions.
 *
 * Thread rule: a value belongs to one thread at a time.
 * Callers: every layer that builds or keeps values (vm, catalog, btree tests).
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

/* Copies n bytes plus a NUL into a new buffer; NULL when out of memory. */
static char *
bytes_dup(const void *z, int32_t n)
{
    char *copy = malloc((size_t)n + 1);

    if (copy == NULL)
        return NULL;
    if (n > 0)
        memcpy(copy, z, (size_t)n);
    copy[n] = '\0';
    return copy;
}

int
value_set_text_copy(value *v, const char *z, int32_t n)
{
    char *copy = bytes_dup(z, n);

    if (copy == NULL) {
        value_set_null(v);
        return CHORUS_NOMEM;
    }
    value_set_text_owned(v, copy, n);
    return CHORUS_OK;
}

int
value_set_blob_copy(value *v, const void *z, int32_t n)
{
    char *copy = bytes_dup(z, n);

    if (copy == NULL) {
        value_set_null(v);
        return CHORUS_NOMEM;
    }
    value_set_blob_owned(v, copy, n);
    return CHORUS_OK;
}

void
value_set_text_owned(value *v, char *z, int32_t n)
{
    value_set_text_ref(v, z, n);
    v->flags = VALUE_OWNED;
}

void
value_set_blob_owned(value *v, void *z, int32_t n)
{
    value_set_blob_ref(v, z, n);
    v->flags = VALUE_OWNED;
}

void
value_clear(value *v)
{
    if (v->flags == VALUE_OWNED && (v->type == VALUE_TEXT || v->type == VALUE_BLOB))
        free((void *)v->u.z);
    value_set_null(v);
}

int
value_copy(value *dst, const value *src)
{
    *dst = *src;
    if (src->type != VALUE_TEXT && src->type != VALUE_BLOB) {
        dst->flags = VALUE_BORROWED;
        return CHORUS_OK;
    }
    dst->flags = VALUE_BORROWED;
    if (value_make_owned(dst) != CHORUS_OK) {
        value_set_null(dst);
        return CHORUS_NOMEM;
    }
    return CHORUS_OK;
}

int
value_make_owned(value *v)
{
    char *copy;

    if ((v->type != VALUE_TEXT && v->type != VALUE_BLOB) || v->flags == VALUE_OWNED)
        return CHORUS_OK;
    copy = bytes_dup(v->u.z, v->n);
    if (copy == NULL)
        return CHORUS_NOMEM;
    v->u.z = copy;
    v->flags = VALUE_OWNED;
    return CHORUS_OK;
}
