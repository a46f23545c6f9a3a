/*
 * tools/chorus-slt/slt.h: the pieces of the SQL logic test runner
 * chorus-slt: the record reader (parse.c), the runner of one file against
 * ChorusDB (run.c) and the result rendering it uses.
 *
 * The format is sqllogictest's, as ../shared/reference/TESTING.md section 1
 * describes it; the engine name this runner answers to is "sqlite", so that
 * the records written for SQLite run.
 */
#ifndef CHORUS_SLT_H
#define CHORUS_SLT_H

#include <stdbool.h>
#include <stddef.h>

#include "chorus.h"

#define SLT_ENGINE_NAME "sqlite"
enum { SLT_LABEL_MAX = 20, SLT_DEFAULT_THRESHOLD = 8 };

typedef enum slt_kind {
    SLT_STATEMENT,          /* statement ok | error */
    SLT_QUERY,              /* query <types> [sort] [label] */
    SLT_HASH_THRESHOLD,     /* hash-threshold <n> */
    SLT_HALT,               /* halt */
    SLT_BAD                 /* a record the runner cannot read: stops the file */
} slt_kind;

typedef enum slt_sort { SLT_NOSORT, SLT_ROWSORT, SLT_VALUESORT } slt_sort;

/*
 * One record. Text fields are borrowed from the reader (valid until the
 * next slt_reader_next or slt_reader_free).
 */
typedef struct slt_record {
    slt_kind kind;
    int line;                   /* 1-based line of the record's first line */
    bool skip;                  /* a skipif/onlyif line excludes this engine */
    bool expect_error;          /* statement error */
    const char *sql;            /* lines joined with '\n'; no trailing ';' added */
    const char *types;          /* query: one of I, T, R per column */
    slt_sort sort;
    char label[SLT_LABEL_MAX + 1];  /* query label or "" */
    int n_expected;             /* lines after ---- */
    const char **expected;
    int threshold;              /* hash-threshold value */
    const char *problem;        /* SLT_BAD: what is wrong (static text) */
} slt_record;

typedef struct slt_reader {
    char *text;                 /* owned copy of the file, cut into lines in place */
    int n_lines;
    char **lines;               /* owned array; entries point into text */
    int next;                   /* index of the next unread line */
    char *sql;                  /* owned buffer of the current record's SQL */
    size_t sql_cap;
    const char **expected;      /* owned array for the current record */
    int expected_cap;
} slt_reader;

/* Reads the n bytes at text (copied) into r: 0, or -1 when out of memory. */
int slt_reader_open(slt_reader *r, const char *text, size_t n);
/* Reads the next record into rec: 1, or 0 at the end of the file, or -1
 * when out of memory. Comment lines are dropped everywhere. */
int slt_reader_next(slt_reader *r, slt_record *rec);
void slt_reader_free(slt_reader *r);

/* --- results ------------------------------------------------------------- */

/* A query's rendered values, row-major. */
typedef struct slt_result {
    int n_values;
    int cap;
    char **values;              /* owned strings */
    int n_cols;
} slt_result;

void slt_result_clear(slt_result *res);
/* Appends a copy of s: 0, or -1 when out of memory. */
int slt_result_add(slt_result *res, const char *s);
/* Sorts as the record's sort mode says (strcmp order). */
void slt_result_sort(slt_result *res, slt_sort sort);
/* MD5 of every value followed by "\n", as 32 hex digits. */
void slt_result_hash(const slt_result *res, char hex[33]);
/* Renders column col of stmt's current row as the type letter says (I, T
 * or R) into buf: NULL, %d of a 32-bit int, %.3f, or text with "(empty)"
 * and '@' replacement. Returns buf. */
char *slt_render_value(chorus_stmt *stmt, int col, char type, char *buf, size_t n);

/* --- running a file ------------------------------------------------------- */

typedef struct slt_counts {
    int passed;
    int failed;
    int skipped;
} slt_counts;

typedef struct slt_options {
    bool verbose;               /* list every failure, not the first few */
    int threshold_override;     /* > 0: replaces every hash-threshold */
} slt_options;

/*
 * Runs the test file at path against a fresh database in dir (a directory
 * the caller creates and removes) and prints failures to stdout. counts is
 * updated after every record, so that a crash leaves the counts so far.
 * Returns 0, or -1 when the file could not be read or the database not
 * opened (counted as one failure).
 */
int slt_run_file(const char *path, const char *dir, const slt_options *opt,
                 volatile slt_counts *counts);

#endif /* CHORUS_SLT_H */
