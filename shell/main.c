/*
 * shell/main.c: the chorus shell's command line and start-up.
 *
 *   chorus [OPTIONS] [FILE] [SQL ...]
 *
 * FILE is opened (created when missing; ":memory:" when none is given).
 * Each -cmd COMMAND runs first, then each SQL argument; with no SQL
 * argument, statements and dot commands are read from stdin, with prompts
 * and line editing when stdin is a terminal.
 *
 * Exit status: the code given to .exit; else, after SQL arguments, the
 * result code of the last failure (0 if none); else 1 when any error was
 * reported, 0 otherwise.
 *
 * Callers: people and scripts; tests/shell/ runs it.
 */
#include "shell.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_CMDS = 32 };

typedef struct options {
    const char *path;
    const char *cmds[MAX_CMDS];     /* borrowed from argv */
    int n_cmds;
    char **sql;                     /* the SQL arguments, borrowed from argv */
    int n_sql;
} options;

static void
usage(FILE *out)
{
    fputs("Usage: chorus [OPTIONS] FILENAME [SQL]\n"
          "FILENAME is the name of a ChorusDB (SQLite format) database. A new database\n"
          "is created if the file does not previously exist.\n"
          "OPTIONS include:\n"
          "   -bail                stop after hitting an error\n"
          "   -box                 set output mode to 'box'\n"
          "   -cmd COMMAND         run \"COMMAND\" before reading stdin\n"
          "   -column              set output mode to 'column'\n"
          "   -csv                 set output mode to 'csv'\n"
          "   -[no]header          turn headers on or off\n"
          "   -help                show this message\n"
          "   -json                set output mode to 'json'\n"
          "   -line                set output mode to 'line'\n"
          "   -list                set output mode to 'list'\n"
          "   -version             show ChorusDB version\n",
          out);
}

/*
 * Applies one option (argv[*i], possibly consuming the next argument).
 * Returns 0, 1 to exit with success (-help, -version), or -1 on a bad
 * option.
 */
static int
option_apply(shell *sh, options *opt, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + (argv[*i][1] == '-' ? 2 : 1);    /* -x and --x alike */

    if (strcmp(arg, "cmd") == 0) {
        if (*i + 1 >= argc || opt->n_cmds == MAX_CMDS)
            return -1;
        opt->cmds[opt->n_cmds++] = argv[++*i];
    } else if (strcmp(arg, "bail") == 0) {
        sh->bail = true;
    } else if (strcmp(arg, "header") == 0 || strcmp(arg, "noheader") == 0) {
        sh->headers = arg[0] == 'h';
        sh->headers_set = true;
    } else if (strcmp(arg, "version") == 0) {
        printf("%s\n", chorus_version());
        return 1;
    } else if (strcmp(arg, "help") == 0) {
        usage(stdout);
        return 1;
    } else if (!output_mode_set(sh, arg, NULL)) {
        return -1;
    }
    return 0;
}

/* Parses the command line into sh and opt: 0, 1 (done, exit 0) or -1. */
static int
options_parse(shell *sh, options *opt, int argc, char **argv)
{
    opt->sql = calloc((size_t)argc, sizeof *opt->sql);
    if (opt->sql == NULL)
        return -1;
    for (int i = 1; i < argc; i++) {
        int rc;

        if (argv[i][0] != '-' || argv[i][1] == '\0') {
            if (opt->path == NULL)
                opt->path = argv[i];
            else
                opt->sql[opt->n_sql++] = argv[i];
            continue;
        }
        rc = option_apply(sh, opt, argc, argv, &i);
        if (rc < 0)
            fprintf(stderr, "chorus: Error: unknown option: %s\nUse -help for a list of options.\n",
                    argv[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int
database_open(shell *sh, const char *path)
{
    int rc = chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &sh->db);

    if (rc == CHORUS_OK)
        rc = chorus_connect(sh->db, &sh->conn);
    if (rc != CHORUS_OK) {
        const char *why = chorus_open_errmsg();

        fprintf(stderr, "Error: unable to open database \"%s\": %s\n", path,
                why != NULL ? why : chorus_errstr(rc));
        return -1;
    }
    return 0;
}

/* Runs a -cmd or SQL argument: a dot command or SQL. Non-zero on failure. */
static int
argument_run(shell *sh, const char *text)
{
    if (text[0] == '.')
        return dot_command_run(sh, text);
    return shell_run_sql(sh, text, SHELL_SOURCE_ARGUMENT, 1) != CHORUS_OK;
}

/* Runs the -cmd commands, then the SQL arguments or stdin. */
static void
shell_run(shell *sh, const options *opt)
{
    for (int i = 0; i < opt->n_cmds && !sh->quit; i++)
        if (argument_run(sh, opt->cmds[i]) != 0 && sh->bail)
            return;
    if (opt->n_sql > 0) {
        for (int i = 0; i < opt->n_sql && !sh->quit; i++)
            if (argument_run(sh, opt->sql[i]) != 0 && sh->bail)
                return;
        return;
    }
    if (!sh->quit && isatty(STDIN_FILENO)) {
        printf("ChorusDB version %s\nEnter \".help\" for usage hints.\n", chorus_version());
        shell_read_input(sh, stdin, true);
    } else if (!sh->quit) {
        shell_read_input(sh, stdin, false);
    }
}

int
main(int argc, char **argv)
{
    shell sh = { .out = stdout, .mode = SHELL_MODE_LIST, .exit_code = -1 };
    options opt = { 0 };
    int rc = options_parse(&sh, &opt, argc, argv);

    if (rc != 0) {
        free(opt.sql);
        return rc > 0 ? 0 : 1;
    }
    if (database_open(&sh, opt.path != NULL ? opt.path : ":memory:") != 0) {
        free(opt.sql);
        return 1;
    }
    shell_run(&sh, &opt);
    fflush(sh.out);
    chorus_disconnect(sh.conn);
    chorus_close(sh.db);
    free(opt.sql);
    if (sh.exit_code >= 0)
        return sh.exit_code;
    if (opt.n_sql > 0)
        return sh.last_rc;
    return sh.n_errors > 0 ? 1 : 0;
}
