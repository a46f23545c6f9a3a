/*
 * tests/differential/gen.h: the random SQL generator of the differential
 * tester (test code only; see tests/differential/README.md).
 *
 * One 64-bit seed fixes a whole script: a schema of 2-4 tables (affinity and
 * collation edge cases, keys, UNIQUE / NOT NULL / DEFAULT, indexes, views),
 * rows of edge-case values, then queries and DML interleaved. The same seed
 * gives the same script on every machine: the generator draws only from its
 * own PRNG (splitmix64 seeding xoshiro256**), never from rand() or the clock.
 *
 * Callers: tests/differential/test_differential.c (and the string buffer is
 * shared with compare.c).
 */
#ifndef CHORUS_DIFF_GEN_H
#define CHORUS_DIFF_GEN_H

#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated string. Out of memory ends the test process
 * (test code only). A zeroed gen_buf is empty and valid. */
typedef struct gen_buf {
    char *data;         /* owned; NULL while empty */
    size_t len;
    size_t cap;
} gen_buf;

void gen_buf_put(gen_buf *buf, const char *text);
void gen_buf_printf(gen_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty). Borrowed: valid until the next change. */
const char *gen_buf_text(const gen_buf *buf);
/* Hands the text over to the caller (free() it) and empties buf. */
char *gen_buf_take(gen_buf *buf);
void gen_buf_free(gen_buf *buf);

/* What a statement of a script is, which decides how it is compared. */
enum gen_stmt_kind {
    GEN_STMT_SCHEMA = 1,    /* CREATE TABLE / INDEX / VIEW */
    GEN_STMT_DATA,          /* the initial INSERTs */
    GEN_STMT_QUERY,         /* SELECT: rows compared */
    GEN_STMT_WRITE,         /* INSERT / UPDATE / DELETE: tables compared after */
    GEN_STMT_TX             /* BEGIN / COMMIT / ROLLBACK / SAVEPOINT */
};

typedef struct gen_stmt {
    int kind;               /* enum gen_stmt_kind */
    int is_ordered;         /* a query whose ORDER BY covers every result column */
    char *sql;              /* owned */
} gen_stmt;

typedef struct gen_script {
    gen_stmt *stmts;        /* owned, n_stmts of them */
    size_t n_stmts;
    size_t cap;
} gen_script;

/*
 * gen_script_make: fills script (which must be zeroed) with the script of
 * seed: the schema and data, then n_actions queries and writes. Free it with
 * gen_script_free().
 */
void gen_script_make(uint64_t seed, int n_actions, gen_script *script);

/* gen_script_add: appends a copy of sql as a statement of the given kind. */
void gen_script_add(gen_script *script, int kind, int is_ordered, const char *sql);

void gen_script_free(gen_script *script);

#endif
