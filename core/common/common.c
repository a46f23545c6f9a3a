/*
 * core/common/common.c: arenas, growable strings and the corruption site
 * recorder declared in common.h.
 *
 * Thread rule: an arena or strbuf belongs to one thread at a time; the
 * corruption site is thread-local.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Thread_local char corrupt_site[160];

int
common_corrupt_at(const char *file, int line)
{
    snprintf(corrupt_site, sizeof corrupt_site, "%s:%d", file, line);
    return CHORUS_CORRUPT;
}

const char *
common_corrupt_site(void)
{
    return corrupt_site;
}

/* --- arena ------------------------------------------------------------- */

struct arena_block {
    arena_block *next;
    size_t cap;
    max_align_t data[];
};

enum { ARENA_MIN_BLOCK = 4096 - sizeof(arena_block) };

void
arena_init(arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->cap = 0;
}

void *
arena_alloc(arena *a, size_t nbytes)
{
    size_t need = (nbytes + 7) & ~(size_t)7;
    if (need == 0)
        need = 8;
    if (a->head == NULL || a->cap - a->used < need) {
        size_t cap = need > ARENA_MIN_BLOCK ? need : ARENA_MIN_BLOCK;
        if (a->head != NULL && a->head->cap * 2 > cap && need <= a->head->cap * 2)
            cap = a->head->cap * 2 < (1u << 20) ? a->head->cap * 2 : cap;
        arena_block *b = malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
        a->used = 0;
        a->cap = cap;
    }
    void *p = (char *)a->head->data + a->used;
    a->used += need;
    memset(p, 0, need);
    return p;
}

char *
arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void
arena_reset(arena *a)
{
    arena_block *b = a->head;
    if (b == NULL)
        return;
    while (b->next != NULL) {
        arena_block *older = b->next;
        b->next = older->next;
        free(older);
    }
    a->used = 0;
    a->cap = b->cap;
}

void
arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b != NULL) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a);
}

/* --- strbuf ------------------------------------------------------------ */

void
strbuf_init(strbuf *sb)
{
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
    sb->failed = false;
}

static bool
strbuf_reserve(strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap * 2 : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *p = realloc(sb->data, cap);
    if (p == NULL) {
        sb->failed = true;
        return false;
    }
    sb->data = p;
    sb->cap = cap;
    return true;
}

void
strbuf_append(strbuf *sb, const char *s, size_t n)
{
    if (!strbuf_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void
strbuf_puts(strbuf *sb, const char *s)
{
    strbuf_append(sb, s, strlen(s));
}

void
strbuf_putc(strbuf *sb, char c)
{
    strbuf_append(sb, &c, 1);
}

void
strbuf_put_quoted(strbuf *sb, const char *name)
{
    strbuf_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_putc(sb, '"');
        strbuf_putc(sb, *p);
    }
    strbuf_putc(sb, '"');
}

void
strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !strbuf_reserve(sb, (size_t)n))
        return;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void
strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

char *
strbuf_finish(strbuf *sb)
{
    char *p = sb->failed ? NULL : sb->data;
    if (p == NULL && !sb->failed)
        p = calloc(1, 1);
    if (sb->failed)
        free(sb->data);
    strbuf_init(sb);
    return p;
}

void
strbuf_free(strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb);
}

char *
common_vmprintf(const char *fmt, va_list ap)
{
    strbuf sb;

    strbuf_init(&sb);
    strbuf_vprintf(&sb, fmt, ap);
    return strbuf_finish(&sb);
}

char *
common_mprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = common_vmprintf(fmt, ap);
    va_end(ap);
    return s;
}

int64_t
common_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
