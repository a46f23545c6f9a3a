/*
 * c-api/column.c: the values of the current row (chorus_column_type, _int64,
 * _double, _text, _blob, _bytes) with SQLite's conversions.
 *
 * Conversions (the value module does the arithmetic):
 *   int64:  integer as is; real truncated; text and blob by numeric prefix
 *           (value_to_int64); NULL 0.
 *   double: value_to_double; NULL 0.0.
 *   text:   text as is; integer and real rendered as SQLite renders them
 *           (value_format_int, value_format_real: "%!.15g"); blob bytes as
 *           text; NULL gives NULL.
 *   blob:   blob and text bytes as they are; numbers as their text; NULL and
 *           zero-length values give NULL.
 *   bytes:  the byte count of what _text or _blob returns (NUL excluded).
 *
 * Text cache: the engine's text is not NUL-terminated and numbers have no
 * text at all, so chorus_column_text copies or renders into a per-column
 * buffer owned by the statement. A buffer is filled at most once per column
 * per row (stmt->row names the row it holds) and only grows, so a scan
 * allocates nothing per row once the buffers are big enough.
 *
 * Invariants
 *   K1  cache[i].row == stmt->row means cache[i].buf holds column i of the
 *       current row, NUL-terminated, cache[i].n bytes long.
 *   K2  Pointers returned into the cache stay valid until the next step,
 *       reset or finalize (each changes stmt->row or frees the cache).
 *
 * Locking: none; the connection's thread rule applies.
 * Callers: the public API; statement.c frees the cache on finalize.
 */
#include "capi_int.h"

#include <stdlib.h>
#include <string.h>

#include "value.h"

/* The current row's column col, or NULL after recording MISUSE (no row)
 * or RANGE (col out of range) on the connection. */
static const value *
column_value(chorus_stmt *stmt, int col)
{
    if (!capi_stmt_live(stmt))
        return NULL;
    if (!stmt->has_row) {
        capi_stmt_fail(stmt, CHORUS_MISUSE, "no current row");
        return NULL;
    }
    if (!capi_stmt_column_check(stmt, col))
        return NULL;
    return vm_column(stmt->vstmt, col);
}

/* The cache entry of col with room for nbytes + 1, or NULL (no memory). */
static capi_text_cache *
cache_reserve(chorus_stmt *stmt, int col, int32_t nbytes)
{
    capi_text_cache *c;

    if (col >= stmt->n_cache) {
        int n = vm_column_count(stmt->vstmt);
        capi_text_cache *grown = realloc(stmt->cache, (size_t)n * sizeof *grown);

        if (grown == NULL)
            return NULL;
        memset(grown + stmt->n_cache, 0, (size_t)(n - stmt->n_cache) * sizeof *grown);
        stmt->cache = grown;
        stmt->n_cache = n;
    }
    c = &stmt->cache[col];
    if (c->cap < nbytes + 1) {
        int32_t cap = nbytes + 1 < 32 ? 32 : nbytes + 1;
        char *buf = realloc(c->buf, (size_t)cap);

        if (buf == NULL)
            return NULL;
        c->buf = buf;
        c->cap = cap;
    }
    return c;
}

/*
 * Column col of the current row as text in the cache (K1), filling it when
 * this row has not been converted yet. NULL for SQL NULL, or after recording
 * an error (no row, range, no memory).
 */
static capi_text_cache *
column_text_cached(chorus_stmt *stmt, int col)
{
    const value *v = column_value(stmt, col);
    char num[VALUE_REAL_BUF > VALUE_INT_BUF ? VALUE_REAL_BUF : VALUE_INT_BUF];
    const char *src;
    int32_t n;
    capi_text_cache *c;

    if (v == NULL || v->type == VALUE_NULL)
        return NULL;
    if (col < stmt->n_cache && stmt->cache[col].row == stmt->row)
        return &stmt->cache[col];
    if (v->type == VALUE_INTEGER) {
        n = value_format_int(v->u.i, num);
        src = num;
    } else if (v->type == VALUE_REAL) {
        n = value_format_real(v->u.r, num);
        src = num;
    } else {
        n = v->n;
        src = v->u.z;
    }
    c = cache_reserve(stmt, col, n);
    if (c == NULL) {
        capi_stmt_fail(stmt, CHORUS_NOMEM, "column text");
        return NULL;
    }
    if (n > 0)
        memcpy(c->buf, src, (size_t)n);
    c->buf[n] = '\0';
    c->n = n;
    c->row = stmt->row;
    return c;
}

void
capi_column_cache_free(chorus_stmt *stmt)
{
    for (int i = 0; i < stmt->n_cache; i++)
        free(stmt->cache[i].buf);
    free(stmt->cache);
    stmt->cache = NULL;
    stmt->n_cache = 0;
}

int
chorus_column_type(chorus_stmt *stmt, int col)
{
    const value *v = column_value(stmt, col);

    return v != NULL ? v->type : CHORUS_NULL;
}

int64_t
chorus_column_int64(chorus_stmt *stmt, int col)
{
    const value *v = column_value(stmt, col);

    if (v == NULL)
        return 0;
    return v->type == VALUE_INTEGER ? v->u.i : value_to_int64(v);
}

double
chorus_column_double(chorus_stmt *stmt, int col)
{
    const value *v = column_value(stmt, col);

    if (v == NULL)
        return 0.0;
    return v->type == VALUE_REAL ? v->u.r : value_to_double(v);
}

const char *
chorus_column_text(chorus_stmt *stmt, int col)
{
    capi_text_cache *c = column_text_cached(stmt, col);

    return c != NULL ? c->buf : NULL;
}

const void *
chorus_column_blob(chorus_stmt *stmt, int col)
{
    const value *v = column_value(stmt, col);
    capi_text_cache *c;

    if (v == NULL || v->type == VALUE_NULL)
        return NULL;
    if (v->type == VALUE_BLOB || v->type == VALUE_TEXT)
        return v->n > 0 ? v->u.z : NULL;
    c = column_text_cached(stmt, col);
    return c != NULL ? c->buf : NULL;
}

int
chorus_column_bytes(chorus_stmt *stmt, int col)
{
    const value *v = column_value(stmt, col);
    capi_text_cache *c;

    if (v == NULL || v->type == VALUE_NULL)
        return 0;
    if (v->type == VALUE_BLOB || v->type == VALUE_TEXT)
        return v->n;
    c = column_text_cached(stmt, col);
    return c != NULL ? c->n : 0;
}
