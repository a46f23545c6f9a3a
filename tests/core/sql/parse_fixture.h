/*
 * tests/core/sql/parse_fixture.h: what the parser tests share: an arena for
 * the trees of one test group, parse-or-fail helpers, and assertions on
 * error messages, source spans and expression dumps.
 *
 * Ownership: trees from stmt_of() live in parse_test_arena until the
 * group teardown (parse_fixture_teardown); parse_test_sql borrows the text
 * last given to stmt_of(), which the caller keeps alive while it
 * checks spans. parse_error_of() uses an arena of its own, so it also
 * serves tests that run without the group fixture.
 *
 * Header-only (static inline functions) because each test file is its own
 * program; a test file that leaves a helper unused gets no warning.
 * Callers: tests/core/sql/test_parse*.c.
 */
#ifndef CHORUS_TEST_PARSE_FIXTURE_H
#define CHORUS_TEST_PARSE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "sql.h"
#include "ast_dump.h"

static arena parse_test_arena;
static const char *parse_test_sql;

/* Group setup and teardown: the arena that holds every tree of the group. */
static inline int
parse_fixture_setup(void **state)
{
    (void)state;
    arena_init(&parse_test_arena);
    return 0;
}

static inline int
parse_fixture_teardown(void **state)
{
    (void)state;
    arena_free(&parse_test_arena);
    return 0;
}

/* Parses sql, which must give one statement of the given kind; fails the
 * test otherwise. The tree lives in parse_test_arena. */
static inline ast_stmt *
stmt_of(const char *sql, int kind)
{
    ast_stmt *stmt;
    const char *tail;
    char *err = NULL;
    parse_test_sql = sql;
    if (sql_parse(sql, -1, &parse_test_arena, &stmt, &tail, &err) != CHORUS_OK)
        fail_msg("%s: %s", sql, err);
    assert_int_equal(stmt->kind, kind);
    return stmt;
}

static inline ast_select *
select_of(const char *sql)
{
    return stmt_of(sql, STMT_SELECT)->u.select;
}

/* The error message of parsing sql, "" when it parses. Owned: free() it. */
static inline char *
parse_error_of(const char *sql)
{
    arena a;
    ast_stmt *stmt;
    const char *tail;
    char *err = NULL;
    int rc;
    arena_init(&a);
    rc = sql_parse(sql, -1, &a, &stmt, &tail, &err);
    arena_free(&a);
    if (rc == CHORUS_OK)
        return strdup("");
    assert_int_equal(rc, CHORUS_ERROR);
    assert_non_null(err);
    return err;
}

/* Parsing sql fails with exactly the message expected ("": it parses). */
static inline void
assert_error(const char *sql, const char *expected)
{
    char *err = parse_error_of(sql);
    if (strcmp(err, expected) != 0)
        fail_msg("%s\n  expected: %s\n  got:      %s", sql, expected, err);
    free(err);
}

static inline void
assert_parses(const char *sql)
{
    assert_error(sql, "");
}

/* The span covers exactly the text expected of the last stmt_of(). */
static inline void
assert_span_text(ast_span span, const char *expected)
{
    const char *text = parse_test_sql + span.start;
    if (span.len != strlen(expected) || memcmp(text, expected, span.len) != 0)
        fail_msg("span [%.*s], expected [%s]", (int)span.len, text, expected);
}

/* The expression dumps (ast_dump.h) as expected. */
static inline void
assert_dump(const ast_expr *e, const char *expected)
{
    char *got = dump_expr_string(e);
    assert_string_equal(got, expected);
    free(got);
}

#endif
