/*
 * shell/input.c: reads the shell's input a line at a time, gathers lines
 * into complete SQL statements, and runs them.
 *
 * Rules (as the sqlite3 CLI):
 *   I1  A line starting with '.' while no SQL is pending is a dot command;
 *       one starting with '#' then is a comment.
 *   I2  Other lines are appended to the pending SQL; when sql_complete()
 *       says it ends with a complete statement, the pending text runs.
 *   I3  Pending SQL left at the end of the input runs as it is (the engine
 *       reports it when it is incomplete).
 *   I4  Errors go to stderr; shaped by where the SQL came from (see
 *       shell_source); with bail on, the first error stops the input.
 *
 * Interactive input (a terminal on stdin) shows the prompts "chorus> " and
 * "   ...> "; built with libedit (CHORUS_HAVE_EDITLINE) it also gets line
 * editing and a history kept in ~/.chorus_history.
 *
 * Ownership: the pending SQL buffer is owned here and freed at the end.
 * Callers: shell/main.c, shell/dot.c (.read).
 */
#include "shell.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifdef CHORUS_HAVE_EDITLINE
#include <editline/readline.h>
#endif

#include "sql.h"

/* --- running SQL --------------------------------------------------------------- */

static double
seconds_of(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

typedef struct run_timer {
    struct timespec wall;
    struct rusage usage;
} run_timer;

static void
timer_start(run_timer *t)
{
    clock_gettime(CLOCK_MONOTONIC, &t->wall);
    getrusage(RUSAGE_SELF, &t->usage);
}

static void
timer_print(shell *sh, const run_timer *t)
{
    struct timespec now;
    struct rusage usage;

    clock_gettime(CLOCK_MONOTONIC, &now);
    getrusage(RUSAGE_SELF, &usage);
    fprintf(sh->out, "Run Time: real %.3f user %f sys %f\n",
            (double)(now.tv_sec - t->wall.tv_sec) + (double)(now.tv_nsec - t->wall.tv_nsec) * 1e-9,
            seconds_of(usage.ru_utime) - seconds_of(t->usage.ru_utime),
            seconds_of(usage.ru_stime) - seconds_of(t->usage.ru_stime));
}

/* Reports a failed statement on stderr in the CLI's shape for source. */
static void
report_error(shell *sh, shell_source source, int line, bool in_prepare, int rc)
{
    const char *msg = chorus_errmsg(sh->conn);
    char code[16] = "";

    /* The CLI names the result code unless it is plain SQLITE_ERROR. */
    if ((rc & 0xff) > CHORUS_ERROR)
        snprintf(code, sizeof code, " (%d)", rc & 0xff);
    fflush(sh->out);
    if (source == SHELL_SOURCE_ARGUMENT) {
        if (in_prepare)
            fprintf(stderr, "Error: in prepare, %s\n", msg);
        else
            fprintf(stderr, "Error: stepping, %s%s\n", msg, code);
    } else {
        char where[40] = "";

        if (source == SHELL_SOURCE_SCRIPT)
            snprintf(where, sizeof where, " near line %d", line);
        if (in_prepare)
            fprintf(stderr, "Parse error%s: %s\n", where, msg);
        else
            fprintf(stderr, "Runtime error%s: %s%s\n", where, msg, code);
    }
    sh->n_errors++;
    sh->last_rc = rc & 0xff;
}

int
shell_run_sql(shell *sh, const char *sql, shell_source source, int line)
{
    const char *tail = sql;
    chorus_stmt *stmt;
    run_timer timer;
    int rc = CHORUS_OK;

    if (sh->timer)
        timer_start(&timer);
    while (*tail != '\0') {
        const char *text = tail;

        rc = chorus_prepare(sh->conn, tail, -1, &stmt, &tail);
        if (rc != CHORUS_OK) {
            report_error(sh, source, line, true, rc);
            break;
        }
        if (stmt == NULL)
            break;
        rc = query_plan_sql(text) ? output_query_plan(sh, stmt) : output_statement(sh, stmt);
        if (rc != CHORUS_OK)
            report_error(sh, source, line, false, rc);
        chorus_finalize(stmt);
        if (rc != CHORUS_OK)
            break;
    }
    if (sh->timer)
        timer_print(sh, &timer);
    fflush(sh->out);
    return rc;
}

/* --- reading lines --------------------------------------------------------------- */

#ifdef CHORUS_HAVE_EDITLINE
static char history_path[1024];

static void
history_open(void)
{
    const char *home = getenv("HOME");

    if (home == NULL || history_path[0] != '\0')
        return;
    snprintf(history_path, sizeof history_path, "%s/.chorus_history", home);
    using_history();
    read_history(history_path);
}
#endif

/*
 * The next line of input without its newline, in *buf (owned by the
 * caller, grown as needed), or NULL at the end of the input. continued:
 * SQL is pending (the continuation prompt).
 */
static char *
line_read(FILE *in, bool interactive, bool continued, char **buf, size_t *cap)
{
    ssize_t n;

#ifdef CHORUS_HAVE_EDITLINE
    if (interactive) {
        char *line = readline(continued ? "   ...> " : "chorus> ");

        if (line == NULL)
            return NULL;
        if (line[0] != '\0') {
            add_history(line);
            write_history(history_path);
        }
        free(*buf);
        *buf = line;
        *cap = strlen(line) + 1;
        return line;
    }
#else
    if (interactive) {
        fputs(continued ? "   ...> " : "chorus> ", stdout);
        fflush(stdout);
    }
#endif
    n = getline(buf, cap, in);
    if (n < 0)
        return NULL;
    if (n > 0 && (*buf)[n - 1] == '\n')
        (*buf)[--n] = '\0';
    return *buf;
}

static bool
is_blank(const char *s)
{
    return s[strspn(s, " \t\r\n\f\v")] == '\0';
}

/* The pending SQL text; grows by whole lines. */
typedef struct pending {
    char *text;
    size_t len, cap;
    int start_line;             /* input line where the text began */
} pending;

static int
pending_add(pending *p, const char *line, int line_no)
{
    size_t n = strlen(line);

    if (p->len + n + 2 > p->cap) {
        size_t cap = (p->len + n + 2) * 2;
        char *grown = realloc(p->text, cap);

        if (grown == NULL)
            return -1;
        p->text = grown;
        p->cap = cap;
    }
    if (p->len == 0)
        p->start_line = line_no;
    else
        p->text[p->len++] = '\n';     /* between lines, as the sqlite3 CLI joins them */
    memcpy(p->text + p->len, line, n);
    p->len += n;
    p->text[p->len] = '\0';
    return 0;
}

/* Runs the pending SQL and empties it: the code of the run. */
static int
pending_run(shell *sh, pending *p, bool interactive)
{
    int rc = CHORUS_OK;

    if (p->len > 0 && !is_blank(p->text))
        rc = shell_run_sql(sh, p->text, interactive ? SHELL_SOURCE_INTERACTIVE : SHELL_SOURCE_SCRIPT,
                           p->start_line);
    p->len = 0;
    return rc;
}

/* Handles one input line (I1, I2). Returns non-zero on a failure. */
static int
line_handle(shell *sh, pending *p, const char *line, int line_no, bool interactive)
{
    if (p->len == 0 && line[0] == '.')
        return dot_command_run(sh, line);
    if (p->len == 0 && (line[0] == '#' || is_blank(line)))
        return 0;
    if (pending_add(p, line, line_no) != 0) {
        fprintf(stderr, "Error: out of memory\n");
        sh->n_errors++;
        return 1;
    }
    return sql_complete(p->text) ? pending_run(sh, p, interactive) : 0;
}

int
shell_read_input(shell *sh, FILE *in, bool interactive)
{
    pending p = { 0 };
    char *buf = NULL;
    size_t cap = 0;
    int line_no = 0, stopped = 0;
    const char *line;

#ifdef CHORUS_HAVE_EDITLINE
    if (interactive)
        history_open();
#endif
    while (!sh->quit && (line = line_read(in, interactive, p.len > 0, &buf, &cap)) != NULL) {
        line_no++;
        if (line_handle(sh, &p, line, line_no, interactive) != 0 && sh->bail) {
            stopped = 1;
            break;
        }
    }
    if (!stopped && !sh->quit && pending_run(sh, &p, interactive) != CHORUS_OK && sh->bail)
        stopped = 1;        /* I3 */
    free(p.text);
    free(buf);
    return stopped;
}
