/*
 * shell/query_plan.c: EXPLAIN QUERY PLAN shown as the sqlite3 CLI shows it,
 * a tree under "QUERY PLAN" drawn from the rows' id and parent columns:
 *
 *   QUERY PLAN
 *   |--SCAN a
 *   `--SEARCH b USING INTEGER PRIMARY KEY (rowid=?)
 *
 * Rules: a row is drawn under the row whose id is its parent (0: the top),
 * children in the order the statement returned them; a row whose parent is
 * missing is not drawn (as in the CLI).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

typedef struct plan_row {
    int id, parent;
    char *detail;               /* owned */
} plan_row;

typedef struct plan_rows {
    plan_row *rows;             /* owned */
    int n, cap;
} plan_rows;

/* Skips white space and SQL comments. */
static const char *
skip_space(const char *s)
{
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (s[0] == '-' && s[1] == '-') {
            while (*s != '\0' && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            s = end != NULL ? end + 2 : s + strlen(s);
        } else {
            return s;
        }
    }
}

/* Accepts the keyword kw (case-insensitive, whole word) at *s. */
static bool
accept_word(const char **s, const char *kw)
{
    const char *p = skip_space(*s);
    size_t n = strlen(kw);

    if (strncasecmp(p, kw, n) != 0 || isalnum((unsigned char)p[n]) || p[n] == '_')
        return false;
    *s = p + n;
    return true;
}

bool
query_plan_sql(const char *sql)
{
    return accept_word(&sql, "EXPLAIN") && accept_word(&sql, "QUERY") && accept_word(&sql, "PLAN");
}

static void
rows_free(plan_rows *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->rows[i].detail);
    free(r->rows);
}

static int
rows_add(plan_rows *r, chorus_stmt *stmt)
{
    const char *detail = (const char *)chorus_column_text(stmt, 3);

    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        plan_row *grown = realloc(r->rows, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return CHORUS_NOMEM;
        r->rows = grown;
        r->cap = cap;
    }
    r->rows[r->n].detail = strdup(detail != NULL ? detail : "");
    if (r->rows[r->n].detail == NULL)
        return CHORUS_NOMEM;
    r->rows[r->n].id = (int)chorus_column_int64(stmt, 0);
    r->rows[r->n].parent = (int)chorus_column_int64(stmt, 1);
    r->n++;
    return CHORUS_OK;
}

/* Draws the children of parent with prefix before each line. */
static void
draw(FILE *out, const plan_rows *r, int parent, char *prefix, size_t len, size_t cap)
{
    for (int i = 0; i < r->n; i++) {
        bool last = true;

        if (r->rows[i].parent != parent)
            continue;
        for (int j = i + 1; j < r->n && last; j++)
            last = r->rows[j].parent != parent;
        fprintf(out, "%s%s%s\n", prefix, last ? "`--" : "|--", r->rows[i].detail);
        if (len + 4 < cap && r->rows[i].id != parent) {
            memcpy(prefix + len, last ? "   " : "|  ", 4);
            draw(out, r, r->rows[i].id, prefix, len + 3, cap);
            prefix[len] = '\0';
        }
    }
}

int
output_query_plan(shell *sh, chorus_stmt *stmt)
{
    plan_rows r = {0};
    char prefix[256] = "";
    int rc;

    while ((rc = chorus_step(stmt)) == CHORUS_ROW && (rc = rows_add(&r, stmt)) == CHORUS_OK)
        ;
    if (rc == CHORUS_DONE) {
        rc = CHORUS_OK;
        if (r.n > 0) {
            fputs("QUERY PLAN\n", sh->out);
            draw(sh->out, &r, 0, prefix, 0, sizeof prefix);
        }
    }
    rows_free(&r);
    return rc;
}
