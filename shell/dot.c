/*
 * shell/dot.c: the shell's dot commands: .bail, .dump (dump.c), .exit,
 * .headers, .help, .indexes, .mode, .nullvalue, .quit, .read, .schema,
 * .separator, .tables and .timer.
 *
 * A dot command is one line: the command word and arguments separated by
 * spaces, an argument may be quoted with ' or ". Errors are printed on
 * stderr as "Error: ..." and counted like SQL errors.
 *
 * Callers: shell/input.c (lines starting with '.'), shell/main.c (-cmd).
 */
#include "shell.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

enum { DOT_MAX_ARGS = 8, DOT_MAX_READ_DEPTH = 25 };

/* Splits line (after the '.') into at most DOT_MAX_ARGS words in store.
 * Returns the number of words. */
static int
dot_split(const char *line, char *store, size_t cap, char *argv[DOT_MAX_ARGS])
{
    size_t used = 0;
    int argc = 0;

    line++;     /* the '.' */
    while (argc < DOT_MAX_ARGS) {
        char quote = 0;

        while (isspace((unsigned char)*line))
            line++;
        if (*line == '\0' || used + 1 >= cap)
            break;
        if (*line == '\'' || *line == '"')
            quote = *line++;
        argv[argc++] = store + used;
        while (*line != '\0' && used + 1 < cap
               && (quote ? *line != quote : !isspace((unsigned char)*line)))
            store[used++] = *line++;
        if (quote && *line == quote)
            line++;
        store[used++] = '\0';
    }
    return argc;
}

static int
dot_fail(shell *sh, const char *fmt, const char *arg)
{
    fflush(sh->out);
    fputs("Error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    sh->n_errors++;
    return 1;
}

/* on/off style argument: 1, 0, or -1 when it is neither. */
static int
parse_bool(const char *s)
{
    static const char *const yes[] = { "on", "yes", "true", "1" };
    static const char *const no[] = { "off", "no", "false", "0" };

    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

static int
dot_flag(shell *sh, int argc, char **argv, bool *flag)
{
    int v = argc == 2 ? parse_bool(argv[1]) : -1;

    if (v < 0)
        return dot_fail(sh, "Usage: .%s on|off", argv[0]);
    *flag = v == 1;
    return 0;
}

static int
dot_help(shell *sh)
{
    fputs(".bail on|off             Stop after hitting an error.  Default OFF\n"
          ".dump                    Render the database content as SQL\n"
          ".exit ?CODE?             Exit this program with return-code CODE\n"
          ".headers on|off          Turn display of headers on or off\n"
          ".help                    Show this message\n"
          ".indexes ?TABLE?         Show names of indexes\n"
          ".mode MODE ?TABLE?       Set output mode: box column csv insert json line list\n"
          ".nullvalue STRING        Use STRING in place of NULL values\n"
          ".quit                    Exit this program\n"
          ".read FILE               Read input from FILE\n"
          ".schema ?PATTERN?        Show the CREATE statements matching PATTERN\n"
          ".separator COL ?ROW?     Change the column and row separators\n"
          ".tables ?PATTERN?        List names of tables matching LIKE pattern PATTERN\n"
          ".timer on|off            Turn SQL timer on or off\n",
          sh->out);
    return 0;
}

static int
dot_read(shell *sh, const char *path)
{
    FILE *f;
    int stopped;

    if (sh->read_depth >= DOT_MAX_READ_DEPTH)
        return dot_fail(sh, "too many nested .read of \"%s\"", path);
    f = fopen(path, "r");
    if (f == NULL)
        return dot_fail(sh, "cannot open \"%s\"", path);
    sh->read_depth++;
    stopped = shell_read_input(sh, f, false);
    sh->read_depth--;
    fclose(f);
    return stopped;
}

/* --- .tables ------------------------------------------------------------------- */

typedef struct name_list {
    char **names;       /* owned */
    int n, cap;
    int max_width;
} name_list;

static int
names_add(name_list *list, const char *name)
{
    int w = (int)strlen(name);

    if (list->n == list->cap) {
        int cap = list->cap == 0 ? 16 : list->cap * 2;
        char **grown = realloc(list->names, (size_t)cap * sizeof *grown);

        if (grown == NULL)
            return -1;
        list->names = grown;
        list->cap = cap;
    }
    if ((list->names[list->n] = strdup(name)) == NULL)
        return -1;
    list->n++;
    if (w > list->max_width)
        list->max_width = w;
    return 0;
}

/* Prints the names down columns that fill 80 characters, as the CLI does. */
static void
names_print(shell *sh, const name_list *list)
{
    int n_cols = 80 / (list->max_width + 2);
    int n_rows;

    if (n_cols < 1)
        n_cols = 1;
    n_rows = (list->n + n_cols - 1) / n_cols;
    for (int i = 0; i < n_rows; i++) {
        for (int j = i; j < list->n; j += n_rows)
            fprintf(sh->out, "%s%-*s", j < n_rows ? "" : "  ", list->max_width, list->names[j]);
        putc('\n', sh->out);
    }
}

/* .tables and .indexes: the names sql (one parameter, a LIKE pattern)
 * selects, in columns. */
static int
names_run(shell *sh, const char *sql, const char *pattern)
{
    name_list list = { 0 };
    chorus_stmt *stmt;
    int rc;

    rc = chorus_prepare(sh->conn, sql, -1, &stmt, NULL);
    if (rc != CHORUS_OK)
        return dot_fail(sh, "%s", chorus_errmsg(sh->conn));
    chorus_bind_text(stmt, 1, pattern != NULL ? pattern : "%", -1, CHORUS_STATIC);
    while ((rc = chorus_step(stmt)) == CHORUS_ROW)
        if (names_add(&list, chorus_column_text(stmt, 0)) != 0)
            rc = CHORUS_NOMEM;
    if (rc == CHORUS_DONE)
        names_print(sh, &list);
    else
        dot_fail(sh, "%s", chorus_errmsg(sh->conn));
    chorus_finalize(stmt);
    for (int i = 0; i < list.n; i++)
        free(list.names[i]);
    free(list.names);
    return rc == CHORUS_DONE ? 0 : 1;
}

static int
dot_tables(shell *sh, const char *pattern)
{
    return names_run(sh, "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') "
                         "AND name NOT LIKE 'sqlite_%' AND name LIKE ?1 ORDER BY 1", pattern);
}

/* The indexes of the tables matching pattern, autoindexes included. */
static int
dot_indexes(shell *sh, const char *pattern)
{
    return names_run(sh, "SELECT name FROM sqlite_schema WHERE type = 'index' "
                         "AND tbl_name LIKE ?1 ORDER BY 1", pattern);
}

/* Copies text into a separator or null-value buffer, with the CLI's
 * backslash escapes (\n, \t, \r, \\). */
static void
sep_set(char dst[SHELL_SEP_MAX], const char *text)
{
    size_t n = 0;

    for (const char *p = text; *p != '\0' && n + 1 < SHELL_SEP_MAX; p++) {
        char c = *p;
        if (c == '\\' && p[1] != '\0') {
            p++;
            c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
        }
        dst[n++] = c;
    }
    dst[n] = '\0';
}

/* --- .schema ------------------------------------------------------------------- */

bool
shell_name_needs_quotes(const char *name)
{
    if (!isalpha((unsigned char)name[0]) && name[0] != '_')
        return true;
    for (const char *p = name; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return true;
    return sql_is_keyword(name, (int)strlen(name)) != 0;
}

/* After a view's SQL the CLI adds, on a new line, an SQL comment with the
 * view's name and its column names in parentheses, quoted where needed.
 * Nothing is printed when the view cannot be read. */
static void
view_columns_print(shell *sh, const char *view)
{
    char *sql = malloc(strlen(view) * 2 + 32);
    chorus_stmt *stmt = NULL;
    char *q;

    if (sql == NULL)
        return;
    q = sql + sprintf(sql, "SELECT * FROM \"");
    for (const char *p = view; *p != '\0'; p++) {
        if (*p == '"')
            *q++ = '"';
        *q++ = *p;
    }
    strcpy(q, "\"");
    if (chorus_prepare(sh->conn, sql, -1, &stmt, NULL) == CHORUS_OK && stmt != NULL) {
        fprintf(sh->out, "\n/* %s(", view);
        for (int i = 0; i < chorus_column_count(stmt); i++) {
            const char *name = chorus_column_name(stmt, i);
            const char *quote = shell_name_needs_quotes(name) ? "\"" : "";

            fprintf(sh->out, "%s%s%s%s", i > 0 ? "," : "", quote, name, quote);
        }
        fputs(") */", sh->out);
    }
    chorus_finalize(stmt);
    free(sql);
}

void
shell_schema_line_print(shell *sh, const char *sql, const char *type, const char *name)
{
    if (strncmp(sql, "CREATE TABLE ", 13) == 0 && (sql[13] == '"' || sql[13] == '\''))
        fprintf(sh->out, "CREATE TABLE IF NOT EXISTS %s", sql + 13);
    else
        fputs(sql, sh->out);
    if (strcmp(type, "view") == 0)
        view_columns_print(sh, name);
    fputs(";\n", sh->out);
}

static int
dot_schema(shell *sh, const char *pattern)
{
    bool glob = pattern != NULL && strpbrk(pattern, "*?[") != NULL;
    char sql[256];
    chorus_stmt *stmt;
    int rc;

    snprintf(sql, sizeof sql,
             "SELECT sql, type, name FROM sqlite_schema WHERE sql IS NOT NULL%s ORDER BY rowid",
             pattern == NULL ? "" : glob ? " AND lower(tbl_name) GLOB ?1"
                                         : " AND lower(tbl_name) LIKE ?1 ESCAPE '\\'");
    rc = chorus_prepare(sh->conn, sql, -1, &stmt, NULL);
    if (rc != CHORUS_OK)
        return dot_fail(sh, "%s", chorus_errmsg(sh->conn));
    if (pattern != NULL)
        chorus_bind_text(stmt, 1, pattern, -1, CHORUS_STATIC);
    /* Rows are copied out before the view comment runs its own query. */
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        char *text = strdup(chorus_column_text(stmt, 0));
        char *type = strdup(chorus_column_text(stmt, 1));
        char *name = strdup(chorus_column_text(stmt, 2));

        if (text != NULL && type != NULL && name != NULL)
            shell_schema_line_print(sh, text, type, name);
        free(text);
        free(type);
        free(name);
    }
    if (rc != CHORUS_DONE)
        dot_fail(sh, "%s", chorus_errmsg(sh->conn));
    chorus_finalize(stmt);
    return rc == CHORUS_DONE ? 0 : 1;
}

/* --- dispatch ------------------------------------------------------------------- */

static int
dot_mode(shell *sh, int argc, char **argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[1], "insert") != 0) ||
        !output_mode_set(sh, argv[1], argc == 3 ? argv[2] : NULL))
        return dot_fail(sh, "mode should be one of: %s", "box column csv insert json line list");
    return 0;
}

int
dot_command_run(shell *sh, const char *line)
{
    char store[1024];
    char *argv[DOT_MAX_ARGS];
    int argc = dot_split(line, store, sizeof store, argv);
    const char *cmd = argc > 0 ? argv[0] : "";

    if (strcmp(cmd, "bail") == 0)
        return dot_flag(sh, argc, argv, &sh->bail);
    if (strcmp(cmd, "headers") == 0 || strcmp(cmd, "header") == 0) {
        sh->headers_set = true;
        return dot_flag(sh, argc, argv, &sh->headers);
    }
    if (strcmp(cmd, "timer") == 0)
        return dot_flag(sh, argc, argv, &sh->timer);
    if (strcmp(cmd, "mode") == 0)
        return dot_mode(sh, argc, argv);
    if (strcmp(cmd, "help") == 0)
        return dot_help(sh);
    if ((strcmp(cmd, "quit") == 0 || strcmp(cmd, "exit") == 0) && argc <= 2) {
        sh->quit = true;
        if (argc == 2)
            sh->exit_code = atoi(argv[1]);
        return 0;
    }
    if (strcmp(cmd, "read") == 0 && argc == 2)
        return dot_read(sh, argv[1]);
    if (strcmp(cmd, "tables") == 0 && argc <= 2)
        return dot_tables(sh, argc == 2 ? argv[1] : NULL);
    if ((strcmp(cmd, "indexes") == 0 || strcmp(cmd, "indices") == 0) && argc <= 2)
        return dot_indexes(sh, argc == 2 ? argv[1] : NULL);
    if (strcmp(cmd, "separator") == 0 && (argc == 2 || argc == 3)) {
        sep_set(sh->colsep, argv[1]);
        if (argc == 3)
            sep_set(sh->rowsep, argv[2]);
        return 0;
    }
    if (strcmp(cmd, "nullvalue") == 0) {
        if (argc != 2) {
            fflush(sh->out);
            fputs("Usage: .nullvalue STRING\n", stderr);     /* no "Error: ", as the CLI */
            sh->n_errors++;
            return 1;
        }
        sep_set(sh->nullvalue, argv[1]);
        return 0;
    }
    if (strcmp(cmd, "schema") == 0 && argc <= 2)
        return dot_schema(sh, argc == 2 ? argv[1] : NULL);
    if (strcmp(cmd, "dump") == 0 && argc == 1)
        return dump_run(sh) == CHORUS_OK ? 0 : dot_fail(sh, "%s", chorus_errmsg(sh->conn));
    return dot_fail(sh, "unknown command or invalid arguments:  \"%s\". Enter \".help\" for help",
                    cmd);
}
