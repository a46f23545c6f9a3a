/*
 * tools/chorus-slt/parse.c: reads sqllogictest files into records.
 *
 * Rules (TESTING.md section 1):
 *   P1  The text is split on '\n'; a trailing '\r' is stripped.
 *   P2  A line starting with '#' is a comment and is dropped everywhere,
 *       also inside a record; it does not end a record.
 *   P3  A line of only whitespace is empty; empty lines separate records.
 *   P4  The first line of a record is split on whitespace and only its
 *       first four tokens count.
 *   P5  skipif <db> / onlyif <db> lines before the record decide whether
 *       this engine (SLT_ENGINE_NAME, compared case-insensitively) skips it.
 *
 * Ownership: the reader owns a copy of the file cut into lines; records
 * borrow from it until the next record is read.
 * Callers: tools/chorus-slt/run.c, tests/tools/test_parse.c.
 */
#include "slt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
slt_reader_open(slt_reader *r, const char *text, size_t n)
{
    int cap = 64;

    memset(r, 0, sizeof *r);
    r->text = malloc(n + 1);
    r->lines = malloc((size_t)cap * sizeof *r->lines);
    if (r->text == NULL || r->lines == NULL) {
        slt_reader_free(r);
        return -1;
    }
    memcpy(r->text, text, n);
    r->text[n] = '\0';
    for (char *p = r->text; p != NULL && (size_t)(p - r->text) <= n;) {
        char *nl = strchr(p, '\n');
        size_t len;

        if (nl == NULL && *p == '\0')
            break;                  /* no line after a final '\n' */
        if (nl != NULL)
            *nl = '\0';
        len = strlen(p);
        if (len > 0 && p[len - 1] == '\r')     /* P1 */
            p[len - 1] = '\0';
        if (r->n_lines == cap) {
            char **grown = realloc(r->lines, (size_t)(cap *= 2) * sizeof *grown);
            if (grown == NULL) {
                slt_reader_free(r);
                return -1;
            }
            r->lines = grown;
        }
        r->lines[r->n_lines++] = p;
        p = nl != NULL ? nl + 1 : NULL;
    }
    return 0;
}

void
slt_reader_free(slt_reader *r)
{
    free(r->text);
    free(r->lines);
    free(r->sql);
    free(r->expected);
    memset(r, 0, sizeof *r);
}

static bool
line_is_empty(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

static bool
line_is_comment(const char *s)
{
    return s[0] == '#';     /* P2 */
}

/* Splits line into at most 4 whitespace-separated tokens (P4), copied into
 * store (NUL-separated). Returns the number of tokens. */
static int
tokenize(const char *line, char store[256], const char *tokens[4])
{
    size_t used = 0;
    int n = 0;

    for (int i = 0; i < 4; i++)
        tokens[i] = "";
    while (n < 4) {
        size_t len = 0;

        while (isspace((unsigned char)*line))
            line++;
        if (*line == '\0')
            break;
        while (line[len] != '\0' && !isspace((unsigned char)line[len]))
            len++;
        if (used + len + 1 > 256)
            break;
        memcpy(store + used, line, len);
        store[used + len] = '\0';
        tokens[n++] = store + used;
        used += len + 1;
        line += len;
    }
    return n;
}

/* Collects the lines of the record starting at r->next, comments dropped,
 * into lines_out (borrowed pointers into r). Returns the count; 0 at EOF. */
static int
record_lines(slt_reader *r, int *first_line, const char ***lines_out)
{
    int start, n = 0;

    while (r->next < r->n_lines
           && (line_is_empty(r->lines[r->next]) || line_is_comment(r->lines[r->next])))
        r->next++;
    start = r->next;
    *first_line = start + 1;
    /* Comment lines are removed by compacting the pointers in place: the
     * line array is the reader's own and the comments are never read. */
    while (r->next < r->n_lines && !line_is_empty(r->lines[r->next])) {
        if (!line_is_comment(r->lines[r->next]))
            r->lines[start + n++] = r->lines[r->next];
        r->next++;
    }
    *lines_out = (const char **)r->lines + start;
    return n;
}

/* Joins lines[0..n) with '\n' into r->sql. 0 or -1 (no memory). */
static int
join_sql(slt_reader *r, const char **lines, int n)
{
    size_t need = 1, used = 0;

    for (int i = 0; i < n; i++)
        need += strlen(lines[i]) + 1;
    if (need > r->sql_cap) {
        char *grown = realloc(r->sql, need);
        if (grown == NULL)
            return -1;
        r->sql = grown;
        r->sql_cap = need;
    }
    r->sql[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(lines[i]);

        if (i > 0)
            r->sql[used++] = '\n';
        memcpy(r->sql + used, lines[i], len);
        used += len;
    }
    r->sql[used] = '\0';
    return 0;
}

static bool
types_valid(const char *types)
{
    if (*types == '\0')
        return false;
    for (; *types != '\0'; types++)
        if (*types != 'I' && *types != 'T' && *types != 'R')
            return false;
    return true;
}

static int
bad(slt_record *rec, const char *problem)
{
    rec->kind = SLT_BAD;
    rec->problem = problem;
    return 1;
}

/* query <types> [<sort>] [<label>]: lines[1..n) are SQL, ----, values. */
static int
parse_query(slt_reader *r, slt_record *rec, const char *tokens[4], const char **lines, int n)
{
    int sql_end = n;

    rec->kind = SLT_QUERY;
    rec->types = tokens[1];
    if (!types_valid(rec->types))
        return bad(rec, "query types must be letters I, T and R");
    if (tokens[2][0] == '\0' || strcmp(tokens[2], "nosort") == 0)
        rec->sort = SLT_NOSORT;
    else if (strcmp(tokens[2], "rowsort") == 0)
        rec->sort = SLT_ROWSORT;
    else if (strcmp(tokens[2], "valuesort") == 0)
        rec->sort = SLT_VALUESORT;
    else
        return bad(rec, "unknown sort mode (nosort, rowsort or valuesort)");
    snprintf(rec->label, sizeof rec->label, "%s", tokens[3]);
    for (int i = 1; i < n; i++) {
        if (strcmp(lines[i], "----") == 0) {
            sql_end = i;
            break;
        }
    }
    if (join_sql(r, lines + 1, sql_end - 1) != 0)
        return -1;
    rec->sql = r->sql;
    rec->expected = sql_end < n ? lines + sql_end + 1 : NULL;
    rec->n_expected = sql_end < n ? n - sql_end - 1 : 0;
    return 1;
}

/* P5: true when the condition line excludes this engine. */
static bool
condition_skips(const char *tokens[4])
{
    bool is_us = strcasecmp(tokens[1], SLT_ENGINE_NAME) == 0;

    return strcmp(tokens[0], "skipif") == 0 ? is_us : !is_us;
}

static bool
is_condition(const char *token)
{
    return strcmp(token, "skipif") == 0 || strcmp(token, "onlyif") == 0;
}

int
slt_reader_next(slt_reader *r, slt_record *rec)
{
    char store[256];
    const char *tokens[4];
    const char **lines;
    int n;

    memset(rec, 0, sizeof *rec);
    n = record_lines(r, &rec->line, &lines);
    if (n == 0)
        return 0;
    tokenize(lines[0], store, tokens);
    while (is_condition(tokens[0])) {
        rec->skip |= condition_skips(tokens);
        lines++;
        if (--n == 0)
            return bad(rec, "skipif/onlyif without a record");
        tokenize(lines[0], store, tokens);
    }
    /* The tokens point into store, which dies with this call: keep the
     * types in the first line itself, which the reader owns. */
    if (strcmp(tokens[0], "statement") == 0) {
        rec->kind = SLT_STATEMENT;
        if (strcmp(tokens[1], "ok") != 0 && strcmp(tokens[1], "error") != 0)
            return bad(rec, "statement must be followed by ok or error");
        rec->expect_error = strcmp(tokens[1], "error") == 0;
        if (join_sql(r, lines + 1, n - 1) != 0)
            return -1;
        rec->sql = r->sql;
        return 1;
    }
    if (strcmp(tokens[0], "query") == 0) {
        char *first = (char *)lines[0];
        char *types = first + strspn(first, " \t") + strlen("query");

        types += strspn(types, " \t");
        types[strcspn(types, " \t")] = '\0';   /* cut the line after the types */
        tokens[1] = types;
        return parse_query(r, rec, tokens, lines, n);
    }
    if (strcmp(tokens[0], "hash-threshold") == 0) {
        rec->kind = SLT_HASH_THRESHOLD;
        rec->threshold = atoi(tokens[1]);
        return 1;
    }
    if (strcmp(tokens[0], "halt") == 0) {
        rec->kind = SLT_HALT;
        return 1;
    }
    return bad(rec, "unknown record type");
}
