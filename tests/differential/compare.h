/*
 * tests/differential/compare.h: runs SQL on ChorusDB (through chorus.h) and
 * on SQLite (libsqlite3, the oracle; tests only) side by side and compares
 * what they answer (see tests/differential/README.md for the rules).
 *
 * Callers: test_differential.c and test_regressions.c.
 */
#ifndef CHORUS_DIFF_COMPARE_H
#define CHORUS_DIFF_COMPARE_H

#include <stddef.h>

#include "gen.h"

/* The outcome of one statement on the pair of engines. */
enum diff_outcome {
    DIFF_SAME = 0,      /* same rows (or both failed), same tables afterwards */
    DIFF_DIFFERENT,     /* a difference; the report says what */
    DIFF_SKIPPED        /* ChorusDB answered "not supported yet" */
};

/* A fresh in-memory database on each engine. */
typedef struct diff_engines diff_engines;

/* Returns 0 and sets *out, or -1 (with a message on stderr). */
int diff_engines_open(diff_engines **out);
void diff_engines_close(diff_engines *engines);

/*
 * diff_engines_run: runs sql on both engines and compares the result rows
 * (in order when is_ordered, else as multisets), whether each failed, and
 * for writes (is_write) the rows changed, the transaction state and the
 * contents of every table afterwards. On DIFF_DIFFERENT a description of
 * both answers is appended to report; on DIFF_SKIPPED the engine's message.
 */
int diff_engines_run(diff_engines *engines, const char *sql, int is_ordered, int is_write,
                     gen_buf *report);

/* Counts of a script run. */
typedef struct diff_counts {
    long n_stmts;           /* statements run on both engines */
    long n_same;
    long n_both_failed;     /* of n_same: both engines refused the statement */
    long n_skipped;         /* "not supported yet" in ChorusDB */
    long n_cut_short;       /* scripts ended early by a skipped write */
} diff_counts;

/*
 * diff_script_run: runs the statements of script on fresh engines in order
 * until the first difference. Returns the index of the differing statement,
 * or -1 when there is none (also when the script was cut short because
 * ChorusDB did not support a schema or write statement, after which the
 * engines' states would part). report (may be NULL) receives the
 * difference; counts (may be NULL) are added to; skip_log (may be NULL)
 * receives one line per skipped statement.
 */
long diff_script_run(const gen_script *script, gen_buf *report, diff_counts *counts,
                     gen_buf *skip_log);

/*
 * diff_script_reduce: drops statements of script (whose statement
 * last differs) as long as the first difference stays at the last statement
 * kept; script keeps the reduced statements, the differing one last.
 */
void diff_script_reduce(gen_script *script, size_t last);

/* diff_script_print: writes the statements of script as an SQL script
 * (a reproducer, the form of regress/<name>.sql files) to stdout. */
void diff_script_print(const gen_script *script);

/*
 * diff_script_parse: splits the SQL text of a regression file into
 * statements. A statement preceded by a line "-- ordered" is compared in
 * order; SELECT / VALUES / WITH statements are queries, the rest writes.
 */
void diff_script_parse(const char *text, gen_script *script);

#endif
