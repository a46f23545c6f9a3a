/*
 * core/common/common.h: what every module of the engine shares: result codes,
 * the corruption constructor, arenas and growable strings.
 *
 * Result codes are the public ones from chorus.h, so a code travels from the
 * pager up to the C API without translation.
 *
 * Arenas: an arena hands out memory that lives until arena_reset() or
 * arena_free(); nothing allocated from it is freed on its own. The parser's
 * AST and a statement's per-run temporaries live in arenas.
 */
#ifndef CHORUS_COMMON_H
#define CHORUS_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chorus.h"

#define CHORUS_LIKELY(x) __builtin_expect(!!(x), 1)
#define CHORUS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CHORUS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * CHORUS_CORRUPT_HERE: the result code for corrupt file bytes. It records the
 * file and line of the first detection in a thread-local (see
 * common_corrupt_site), so one breakpoint on common_corrupt_at catches every
 * case.
 */
#define CHORUS_CORRUPT_HERE() common_corrupt_at(__FILE__, __LINE__)
int common_corrupt_at(const char *file, int line);
/* The site of this thread's last CHORUS_CORRUPT_HERE(); borrowed static text. */
const char *common_corrupt_site(void);

/* --- arena ------------------------------------------------------------- */

typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;      /* owned chain of blocks, newest first */
    size_t used;            /* bytes used in head */
    size_t cap;             /* usable bytes in head */
} arena;

void arena_init(arena *a);
/* Returns 8-byte aligned zeroed memory owned by the arena, or NULL (no memory). */
void *arena_alloc(arena *a, size_t nbytes);
/* Copies n bytes of s into the arena and adds a NUL; NULL on no memory. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* Frees every block except the first, which is kept for reuse. */
void arena_reset(arena *a);
void arena_free(arena *a);

/* --- strbuf: a growable NUL-terminated byte string ----------------------- */

typedef struct strbuf {
    char *data;             /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    bool failed;            /* an allocation failed; later appends do nothing */
} strbuf;

void strbuf_init(strbuf *sb);
void strbuf_append(strbuf *sb, const char *s, size_t n);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, char c);
/* Appends name as an SQL identifier in double quotes, doubling any '"'. */
void strbuf_put_quoted(strbuf *sb, const char *name);
void strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* Transfers the buffer to the caller (free() it); NULL if an append failed.
 * The strbuf is empty afterwards. */
char *strbuf_finish(strbuf *sb);
void strbuf_free(strbuf *sb);

/* Formats into a new malloc()ed string; NULL on no memory. */
char *common_mprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *common_vmprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Monotonic clock in nanoseconds. */
int64_t common_now_ns(void);

#endif /* CHORUS_COMMON_H */
