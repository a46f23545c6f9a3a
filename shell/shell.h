/*
 * shell/shell.h: the pieces of the chorus command-line shell and the state
 * they share. Included only by the .c files of shell/.
 *
 * The shell works like the sqlite3 CLI (3.40): SQL from the command line,
 * from stdin or from .read files, results in list, csv, column, box, json
 * or line mode, errors on stderr. It uses only the public chorus.h API,
 * plus sql_complete() from the SQL front end to know when typed text ends
 * a statement.
 *
 * Files: main.c (options, start-up), input.c (reading statements and
 * running them), output.c (result modes), query_plan.c (EXPLAIN QUERY
 * PLAN trees), dot.c (dot commands), dump.c (.dump).
 */
#ifndef CHORUS_SHELL_H
#define CHORUS_SHELL_H

#include <stdbool.h>
#include <stdio.h>

#include "chorus.h"

typedef enum shell_mode {
    SHELL_MODE_LIST,
    SHELL_MODE_CSV,
    SHELL_MODE_COLUMN,
    SHELL_MODE_BOX,
    SHELL_MODE_JSON,
    SHELL_MODE_LINE,
    SHELL_MODE_INSERT
} shell_mode;

/* Where the SQL being run came from; decides the shape of error messages. */
typedef enum shell_source {
    SHELL_SOURCE_ARGUMENT,      /* "Error: in prepare, ..." */
    SHELL_SOURCE_INTERACTIVE,   /* "Parse error: ..." */
    SHELL_SOURCE_SCRIPT         /* "Parse error near line N: ..." */
} shell_source;

/* The longest .separator or .nullvalue text kept, terminator included
 * (longer ones are cut there). */
enum { SHELL_SEP_MAX = 64 };

typedef struct shell {
    chorus_db *db;              /* owned; closed by main */
    chorus_conn *conn;          /* owned; closed by main */
    FILE *out;                  /* results go here (stdout) */
    shell_mode mode;
    bool headers;
    bool headers_set;           /* headers chosen by the user (.headers, -header) */
    bool timer;
    bool bail;                  /* stop at the first error */
    bool quit;                  /* .quit / .exit seen */
    int exit_code;              /* .exit CODE, or -1 */
    int n_errors;               /* errors reported so far */
    int last_rc;                /* code of the last failed SQL statement */
    int read_depth;             /* nesting of .read, to stop runaway recursion */
    char colsep[SHELL_SEP_MAX];     /* list mode's separators (.separator; .mode list and */
    char rowsep[SHELL_SEP_MAX];     /* .mode csv reset them); "" until set: "|" and "\n" */
    char nullvalue[SHELL_SEP_MAX];  /* what a NULL prints as (.nullvalue); "" by default */
    char insert_table[SHELL_SEP_MAX];   /* the table of .mode insert */
} shell;

/* --- input.c --------------------------------------------------------------- */

/*
 * Reads statements and dot commands from in until its end, .quit, or an
 * error with bail on. interactive: prompts and line editing (when built
 * with libedit). name is used in messages. Returns 0, or 1 when it stopped
 * on an error because of bail.
 */
int shell_read_input(shell *sh, FILE *in, bool interactive);
/*
 * Runs every statement of sql, printing results. line is the input line the
 * text started on (for messages). Returns CHORUS_OK or the first failing
 * code (after reporting it on stderr); stops at the first failure.
 */
int shell_run_sql(shell *sh, const char *sql, shell_source source, int line);

/* --- output.c -------------------------------------------------------------- */

/* Runs stmt to its end, printing each row in sh->mode. Returns CHORUS_OK
 * or the code of the failing step. */
int output_statement(shell *sh, chorus_stmt *stmt);
/* Sets the mode from its name: true, or false for an unknown name. table:
 * the table of insert mode (NULL: "table"). */
bool output_mode_set(shell *sh, const char *name, const char *table);

/* --- query_plan.c ---------------------------------------------------------- */

/* Whether sql (one statement's text) is an EXPLAIN QUERY PLAN. */
bool query_plan_sql(const char *sql);
/* Runs an EXPLAIN QUERY PLAN statement, drawing its rows as the CLI's tree.
 * Returns CHORUS_OK or the code of the failing step. */
int output_query_plan(shell *sh, chorus_stmt *stmt);

/* --- dot.c ----------------------------------------------------------------- */

/* Runs one dot command line (starting with '.'). Returns 0, or 1 after
 * reporting an error. */
int dot_command_run(shell *sh, const char *line);
/* Whether an identifier must be double-quoted (not a plain word, or a
 * keyword), as the CLI decides. */
bool shell_name_needs_quotes(const char *name);
/* One schema entry as .schema and .dump print it: "CREATE TABLE "x"..."
 * becomes "CREATE TABLE IF NOT EXISTS "x"..." as in the CLI, a view gets the
 * comment naming its columns, and the text ends in ";". */
void shell_schema_line_print(shell *sh, const char *sql, const char *type, const char *name);

/* --- dump.c ---------------------------------------------------------------- */

/* .dump: prints the database as SQL text. CHORUS_OK or the code of the
 * failing statement (its message on the connection). */
int dump_run(shell *sh);
/* Column i of stmt's row as an SQL literal (dump's shapes, insert mode). */
void dump_value_put(FILE *out, chorus_stmt *stmt, int i);
/* name as an SQL identifier, double-quoted when it has to be. */
void dump_ident_put(FILE *out, const char *name);

#endif /* CHORUS_SHELL_H */
