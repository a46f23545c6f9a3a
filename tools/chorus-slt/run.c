/*
 * tools/chorus-slt/run.c: runs one sqllogictest file against ChorusDB and
 * checks each record's outcome (TESTING.md section 1).
 *
 * A file gets a fresh database (dir/test.db, PRAGMA synchronous = OFF).
 * Records run in order: statements must succeed or fail as they say;
 * queries are rendered (slt_render_value), sorted, then compared value by
 * value, or, when there are more values than the hash threshold, as the
 * line "N values hashing to <md5>". A query with a label also checks that
 * every query with that label hashes alike; a skipped query with a label
 * only registers or checks its expected hash.
 *
 * Output: each failure is printed as "path:line: reason", then the SQL and,
 * for wrong results, what was expected and what came back. Without
 * --verbose only the first SLT_SHOWN_FAILURES of a file are printed.
 *
 * Ownership: the runner owns its reader, result buffers and label table,
 * all freed when the file is done.
 * Callers: tools/chorus-slt/main.c (in a child process per file).
 */
#include "slt.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md5.h"

enum { SLT_SHOWN_FAILURES = 5, SLT_SHOWN_VALUES = 12 };

/* --- results -------------------------------------------------------------- */

void
slt_result_clear(slt_result *res)
{
    for (int i = 0; i < res->n_values; i++)
        free(res->values[i]);
    res->n_values = 0;
}

int
slt_result_add(slt_result *res, const char *s)
{
    char *copy;

    if (res->n_values == res->cap) {
        int cap = res->cap == 0 ? 64 : res->cap * 2;
        char **grown = realloc(res->values, (size_t)cap * sizeof *grown);

        if (grown == NULL)
            return -1;
        res->values = grown;
        res->cap = cap;
    }
    copy = strdup(s);
    if (copy == NULL)
        return -1;
    res->values[res->n_values++] = copy;
    return 0;
}

static int sort_width;      /* columns per row while qsort runs (rowsort) */

static int
compare_values(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
compare_rows(const void *a, const void *b)
{
    char *const *ra = a, *const *rb = b;

    for (int i = 0; i < sort_width; i++) {
        int c = strcmp(ra[i], rb[i]);
        if (c != 0)
            return c;
    }
    return 0;
}

void
slt_result_sort(slt_result *res, slt_sort sort)
{
    if (res->n_values == 0)
        return;
    if (sort == SLT_VALUESORT) {
        qsort(res->values, (size_t)res->n_values, sizeof *res->values, compare_values);
    } else if (sort == SLT_ROWSORT && res->n_cols > 0) {
        /* Rows are runs of n_cols pointers; qsort moves them as units. */
        sort_width = res->n_cols;
        qsort(res->values, (size_t)(res->n_values / res->n_cols),
              (size_t)res->n_cols * sizeof *res->values, compare_rows);
    }
}

void
slt_result_hash(const slt_result *res, char hex[33])
{
    md5_ctx ctx;

    md5_init(&ctx);
    for (int i = 0; i < res->n_values; i++) {
        md5_update(&ctx, res->values[i], strlen(res->values[i]));
        md5_update(&ctx, "\n", 1);
    }
    md5_hex(&ctx, hex);
}

/*
 * "%.3f" as SQLite's printf writes it: like C's, except that at most 16
 * significant digits are produced (rounded there) and zeros follow, so
 * -2^63 prints as -9223372036854776000.000.
 */
static void
render_real(double r, char *buf, size_t n)
{
    char fixed[400], sci[32], digits[400];
    int n_sig = 0, exp10;
    const char *p;

    snprintf(fixed, sizeof fixed, "%.3f", r);
    for (p = fixed; *p != '\0'; p++) {
        if (*p >= '1' && *p <= '9')
            n_sig++;
        else if (*p == '0' && n_sig > 0)
            n_sig++;
    }
    if (n_sig <= 16 || r != r) {
        snprintf(buf, n, "%s", fixed);
        return;
    }
    /* More than 16 digits means |r| >= 1e13: take 16 rounded digits and
     * lay them out with zeros up to three decimals. */
    snprintf(sci, sizeof sci, "%.15e", r < 0 ? -r : r);
    exp10 = atoi(strchr(sci, 'e') + 1);
    digits[0] = sci[0];
    memcpy(digits + 1, sci + 2, 15);
    for (int i = 16; i < exp10 + 4 && i < (int)sizeof digits; i++)
        digits[i] = '0';
    snprintf(buf, n, "%s%.*s.%.3s", r < 0 ? "-" : "", exp10 + 1, digits, digits + exp10 + 1);
}

char *
slt_render_value(chorus_stmt *stmt, int col, char type, char *buf, size_t n)
{
    if (chorus_column_type(stmt, col) == CHORUS_NULL) {
        snprintf(buf, n, "NULL");
    } else if (type == 'I') {
        /* sqlite3_column_int: the low 32 bits of the 64-bit value. */
        snprintf(buf, n, "%d", (int)(int32_t)(uint32_t)chorus_column_int64(stmt, col));
    } else if (type == 'R') {
        render_real(chorus_column_double(stmt, col), buf, n);
    } else {
        const char *text = chorus_column_text(stmt, col);
        size_t i = 0;

        if (text == NULL || text[0] == '\0')
            text = "(empty)";
        for (; text[i] != '\0' && i + 1 < n; i++) {
            unsigned char c = (unsigned char)text[i];
            buf[i] = c < 0x20 || c > 0x7e ? '@' : (char)c;
        }
        buf[i] = '\0';
    }
    return buf;
}

/* --- one file --------------------------------------------------------------- */

typedef struct label_entry {
    char label[SLT_LABEL_MAX + 1];
    char hash[33];
} label_entry;

typedef struct runner {
    const char *path;
    const slt_options *opt;
    volatile slt_counts *counts;
    chorus_db *db;
    chorus_conn *conn;
    int threshold;
    int n_shown;                /* failures printed so far */
    slt_result result;
    char *render_buf;           /* owned; holds one rendered value */
    size_t render_cap;
    label_entry *labels;        /* owned */
    int n_labels;
} runner;

/* Counts a failure and prints its first line; false when details should
 * not be printed (beyond the shown limit). */
static bool
fail_begin(runner *rn, const slt_record *rec, const char *reason, const char *detail)
{
    rn->counts->failed++;
    if (!rn->opt->verbose && rn->n_shown >= SLT_SHOWN_FAILURES)
        return false;
    rn->n_shown++;
    printf("%s:%d: %s%s%s\n", rn->path, rec->line, reason, detail != NULL ? ": " : "",
           detail != NULL ? detail : "");
    printf("    %s\n", rec->sql != NULL ? rec->sql : "");
    return true;
}

static void
print_lines(const char *title, const char *const *lines, int n)
{
    printf("  %s (%d):", title, n);
    for (int i = 0; i < n && i < SLT_SHOWN_VALUES; i++)
        printf(" %s", lines[i]);
    printf("%s\n", n > SLT_SHOWN_VALUES ? " ..." : "");
}

static void
run_statement(runner *rn, const slt_record *rec)
{
    int rc = chorus_exec(rn->conn, rec->sql);

    if (rc == CHORUS_OK && rec->expect_error)
        fail_begin(rn, rec, "statement should have failed", NULL);
    else if (rc != CHORUS_OK && !rec->expect_error)
        fail_begin(rn, rec, "statement failed", chorus_errmsg(rn->conn));
    else
        rn->counts->passed++;
}

/* The label's remembered hash, registering hash when the label is new.
 * NULL when the label is new (or when memory ran out). */
static const char *
label_check(runner *rn, const char *label, const char *hash)
{
    label_entry *grown;

    for (int i = 0; i < rn->n_labels; i++)
        if (strcmp(rn->labels[i].label, label) == 0)
            return rn->labels[i].hash;
    grown = realloc(rn->labels, (size_t)(rn->n_labels + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    rn->labels = grown;
    snprintf(grown[rn->n_labels].label, sizeof grown->label, "%s", label);
    snprintf(grown[rn->n_labels].hash, sizeof grown->hash, "%s", hash);
    rn->n_labels++;
    return NULL;
}

/* Steps stmt to its end, rendering every value into rn->result. Returns
 * CHORUS_OK or the failing code. */
static int
collect_rows(runner *rn, chorus_stmt *stmt, const char *types)
{
    int n_cols = (int)strlen(types);
    int rc;

    rn->result.n_cols = n_cols;
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        for (int i = 0; i < n_cols; i++) {
            /* Room for the text, or for %.3f of a real up to 1e308. */
            int need = chorus_column_bytes(stmt, i) + 400;

            if ((size_t)need > rn->render_cap) {
                char *grown = realloc(rn->render_buf, (size_t)need);
                if (grown == NULL)
                    return CHORUS_NOMEM;
                rn->render_buf = grown;
                rn->render_cap = (size_t)need;
            }
            slt_render_value(stmt, i, types[i], rn->render_buf, rn->render_cap);
            if (slt_result_add(&rn->result, rn->render_buf) != 0)
                return CHORUS_NOMEM;
        }
    }
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

/* Compares the rendered result with the expected block; prints the
 * failure. True when they match. */
static bool
compare_result(runner *rn, const slt_record *rec, const char *hash)
{
    const slt_result *res = &rn->result;
    char line[80];

    if (rn->threshold > 0 && res->n_values > rn->threshold) {
        snprintf(line, sizeof line, "%d values hashing to %s", res->n_values, hash);
        if (rec->n_expected == 1 && strcmp(rec->expected[0], line) == 0)
            return true;
        if (fail_begin(rn, rec, "wrong result hash", NULL)) {
            print_lines("expected", rec->expected, rec->n_expected);
            printf("  got: %s\n", line);
        }
        return false;
    }
    for (int i = 0; i < res->n_values && i < rec->n_expected; i++) {
        if (strcmp(res->values[i], rec->expected[i]) != 0) {
            if (fail_begin(rn, rec, "wrong result", NULL)) {
                print_lines("expected", rec->expected, rec->n_expected);
                print_lines("got", (const char *const *)res->values, res->n_values);
            }
            return false;
        }
    }
    if (res->n_values == rec->n_expected)
        return true;
    if (fail_begin(rn, rec, res->n_values > rec->n_expected ? "too many rows" : "too few rows",
                   NULL)) {
        print_lines("expected", rec->expected, rec->n_expected);
        print_lines("got", (const char *const *)res->values, res->n_values);
    }
    return false;
}

/* A labelled result must hash like every earlier one with its label. */
static bool
label_agrees(runner *rn, const slt_record *rec, const char *hash)
{
    const char *seen;

    if (rec->label[0] == '\0')
        return true;
    seen = label_check(rn, rec->label, hash);
    if (seen == NULL || strcmp(seen, hash) == 0)
        return true;
    if (fail_begin(rn, rec, "result differs from an earlier query with label", rec->label))
        printf("  expected hash %s, got %s\n", seen, hash);
    return false;
}

static void
run_query(runner *rn, const slt_record *rec)
{
    chorus_stmt *stmt = NULL;
    char hash[33];
    int rc;

    slt_result_clear(&rn->result);
    rc = chorus_prepare(rn->conn, rec->sql, -1, &stmt, NULL);
    if (rc != CHORUS_OK || stmt == NULL) {
        fail_begin(rn, rec, "query failed", rc != CHORUS_OK ? chorus_errmsg(rn->conn) : "no SQL");
        return;
    }
    if (chorus_column_count(stmt) != (int)strlen(rec->types)) {
        char detail[64];

        snprintf(detail, sizeof detail, "%d columns, %d types", chorus_column_count(stmt),
                 (int)strlen(rec->types));
        fail_begin(rn, rec, "wrong column count", detail);
        chorus_finalize(stmt);
        return;
    }
    /* As the reference runner's SQLite engine does, an error while stepping
     * ends the rows (the result is what came before it); only a statement
     * that does not prepare fails the record. Running out of memory in the
     * runner itself still fails it. */
    rc = collect_rows(rn, stmt, rec->types);
    if (rc == CHORUS_NOMEM) {
        fail_begin(rn, rec, "query failed", "out of memory");
        chorus_finalize(stmt);
        return;
    }
    chorus_finalize(stmt);
    slt_result_sort(&rn->result, rec->sort);
    slt_result_hash(&rn->result, hash);
    if (compare_result(rn, rec, hash) && label_agrees(rn, rec, hash))
        rn->counts->passed++;
}

/* A skipped query with a label still registers (or checks) the hash of its
 * expected block. */
static void
skip_query(runner *rn, const slt_record *rec)
{
    char hash[33];
    md5_ctx ctx;
    const char *h;

    rn->counts->skipped++;
    if (rec->label[0] == '\0' || rec->n_expected == 0)
        return;
    if (rec->n_expected == 1 && (h = strstr(rec->expected[0], " values hashing to ")) != NULL) {
        snprintf(hash, sizeof hash, "%s", h + strlen(" values hashing to "));
    } else {
        md5_init(&ctx);
        for (int i = 0; i < rec->n_expected; i++) {
            md5_update(&ctx, rec->expected[i], strlen(rec->expected[i]));
            md5_update(&ctx, "\n", 1);
        }
        md5_hex(&ctx, hash);
    }
    label_check(rn, rec->label, hash);
}

/* Runs every record of the reader; stops at halt or a bad record. */
static void
run_records(runner *rn, slt_reader *reader)
{
    slt_record rec;
    int got;

    while ((got = slt_reader_next(reader, &rec)) == 1) {
        if (rec.kind == SLT_BAD) {
            rn->counts->failed++;
            rn->n_shown++;
            printf("%s:%d: cannot read the record (%s); the rest of the file is skipped\n",
                   rn->path, rec.line, rec.problem);
            return;
        }
        if (rec.skip) {
            if (rec.kind == SLT_QUERY)
                skip_query(rn, &rec);
            else if (rec.kind == SLT_STATEMENT)
                rn->counts->skipped++;
            continue;
        }
        if (rec.kind == SLT_HALT)
            return;
        if (rec.kind == SLT_HASH_THRESHOLD)
            rn->threshold = rn->opt->threshold_override > 0 ? rn->opt->threshold_override
                                                            : rec.threshold;
        else if (rec.kind == SLT_STATEMENT)
            run_statement(rn, &rec);
        else
            run_query(rn, &rec);
        fflush(stdout);
    }
    if (got < 0) {
        rn->counts->failed++;
        rn->n_shown++;
        printf("%s: out of memory while reading\n", rn->path);
    }
}

/* Reads the whole file at path into a malloc()ed buffer. */
static char *
file_read(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *grown = realloc(buf, cap = cap == 0 ? 65536 : cap * 2);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *n_out = n;
    return buf;
}

/* Opens the fresh database of the file: 0 or -1 (message printed). */
static int
runner_open(runner *rn, const char *dir)
{
    char path[4096];
    int rc;

    snprintf(path, sizeof path, "%s/test.db", dir);
    rc = chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &rn->db);
    if (rc == CHORUS_OK)
        rc = chorus_connect(rn->db, &rn->conn);
    if (rc == CHORUS_OK)
        rc = chorus_exec(rn->conn, "PRAGMA synchronous = OFF");
    if (rc != CHORUS_OK) {
        printf("%s: cannot open a database: %s\n", rn->path,
               rn->conn != NULL ? chorus_errmsg(rn->conn)
               : chorus_open_errmsg() != NULL ? chorus_open_errmsg() : chorus_errstr(rc));
        return -1;
    }
    return 0;
}

int
slt_run_file(const char *path, const char *dir, const slt_options *opt,
             volatile slt_counts *counts)
{
    runner rn = { .path = path, .opt = opt, .counts = counts };
    slt_reader reader;
    size_t n;
    char *text = file_read(path, &n);
    int status = 0;

    rn.threshold = opt->threshold_override > 0 ? opt->threshold_override : SLT_DEFAULT_THRESHOLD;
    if (text == NULL || slt_reader_open(&reader, text, n) != 0) {
        printf("%s: cannot read the file\n", path);
        counts->failed++;
        free(text);
        return -1;
    }
    free(text);
    if (runner_open(&rn, dir) == 0) {
        run_records(&rn, &reader);
    } else {
        counts->failed++;
        rn.n_shown++;
        status = -1;
    }
    if (!opt->verbose && rn.n_shown < counts->failed)
        printf("%s: %d more failures not shown (use -v)\n", path, counts->failed - rn.n_shown);
    slt_reader_free(&reader);
    slt_result_clear(&rn.result);
    free(rn.result.values);
    free(rn.render_buf);
    free(rn.labels);
    chorus_disconnect(rn.conn);
    chorus_close(rn.db);
    return status;
}
