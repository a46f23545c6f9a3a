/*
 * tests/differential/compare.c: runs each statement on ChorusDB and on SQLite
 * and compares the answers (compare.h).
 *
 * Comparison rules
 *   C1  Values compare by storage class first: an integer 1 and a real 1.0
 *       differ, as typeof() would show.
 *   C2  Integers, text and blobs compare exactly (bytes).
 *   C3  Reals compare with a relative tolerance of 1e-12 (both NaN, or both
 *       the same infinity, are equal; -0.0 equals 0.0): engines may sum in
 *       different orders. Their text rendering is checked wherever a query
 *       turns a real into text (CAST, ||, printf, quote), exactly.
 *   C4  Rows compare in order for queries whose ORDER BY covers every
 *       result column, otherwise as multisets (both sides sorted). Rows
 *       that ORDER BY may leave tied (1 and 1.0; 'a' and 'A' under NOCASE)
 *       may come in either order.
 *   C5  A statement that fails must fail on both engines; the messages are
 *       not compared. An error after some rows counts as a failure.
 *       ChorusDB's "not supported yet" is a skip, not a difference.
 *   C6  After every write or transaction statement, both engines must agree
 *       on changes() (after a successful INSERT / UPDATE / DELETE), on
 *       being inside a transaction, and on the contents of every table
 *       (rowid included where the table has one), compared as multisets.
 *       Once a table holds rowid 9223372036854775807 the script ends (as a
 *       skip): SQLite then picks new rowids at random.
 *
 * Ownership: a diff_engines owns its two connections. Result rows are
 * copied out of both engines before the next step (owned by the diff_result).
 * Callers: test_differential.c, test_regressions.c.
 */
#include "compare.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "chorus.h"

struct diff_engines {
    chorus_db *chorus_db;       /* owned */
    chorus_conn *chorus;        /* owned */
    sqlite3 *oracle;            /* owned */
};

/* One value copied out of an engine; type is a CHORUS_* column type
 * (SQLITE_* types have the same numbers). */
typedef struct diff_value {
    int type;
    int64_t integer;
    double real;
    char *bytes;                /* owned; text or blob */
    int n_bytes;
} diff_value;

typedef struct diff_result {
    int is_error;
    int is_skip;
    char *errmsg;               /* owned */
    int n_cols;
    diff_value *values;         /* owned; n_rows * n_cols, row after row */
    size_t n_rows;
    size_t cap_rows;
} diff_result;

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "differential: out of memory\n");
        exit(2);
    }
    return p;
}

static char *
xstrdup(const char *text)
{
    size_t n = strlen(text);
    char *copy = xmalloc(n + 1);
    memcpy(copy, text, n + 1);
    return copy;
}

static char *
bytes_copy(const void *data, int n)
{
    char *copy = xmalloc((size_t)n + 1);
    if (n > 0)
        memcpy(copy, data, (size_t)n);
    copy[n] = '\0';
    return copy;
}

/* ---------------------------------------------------------------- engines */

int
diff_engines_open(diff_engines **out)
{
    diff_engines *e = calloc(1, sizeof *e);
    *out = NULL;
    if (e == NULL)
        return -1;
    if (chorus_open(":memory:", 0, &e->chorus_db) != CHORUS_OK) {
        fprintf(stderr, "differential: chorus_open: %s\n", chorus_open_errmsg());
        goto fail;
    }
    if (chorus_connect(e->chorus_db, &e->chorus) != CHORUS_OK) {
        fprintf(stderr, "differential: chorus_connect failed\n");
        goto fail;
    }
    if (sqlite3_open(":memory:", &e->oracle) != SQLITE_OK) {
        fprintf(stderr, "differential: sqlite3_open failed\n");
        goto fail;
    }
    *out = e;
    return 0;
fail:
    diff_engines_close(e);
    return -1;
}

void
diff_engines_close(diff_engines *e)
{
    if (e == NULL)
        return;
    chorus_disconnect(e->chorus);
    chorus_close(e->chorus_db);
    sqlite3_close(e->oracle);
    free(e);
}

/* ---------------------------------------------------------------- results */

static void
result_clear(diff_result *r)
{
    for (size_t i = 0; i < r->n_rows * (size_t)r->n_cols; i++)
        free(r->values[i].bytes);
    free(r->values);
    free(r->errmsg);
    memset(r, 0, sizeof *r);
}

static diff_value *
result_add_row(diff_result *r)
{
    if (r->n_rows == r->cap_rows) {
        r->cap_rows = r->cap_rows ? r->cap_rows * 2 : 16;
        r->values = realloc(r->values, r->cap_rows * (size_t)(r->n_cols ? r->n_cols : 1) *
                                           sizeof *r->values);
        if (r->values == NULL) {
            fprintf(stderr, "differential: out of memory\n");
            exit(2);
        }
    }
    return &r->values[r->n_rows++ * (size_t)r->n_cols];
}

static void
result_fail(diff_result *r, const char *msg)
{
    r->is_error = 1;
    r->errmsg = xstrdup(msg ? msg : "(no message)");
    r->is_skip = strstr(r->errmsg, "not supported") != NULL;
}

static void
chorus_value_copy(chorus_stmt *stmt, int col, diff_value *v)
{
    memset(v, 0, sizeof *v);
    v->type = chorus_column_type(stmt, col);
    switch (v->type) {
    case CHORUS_INTEGER:
        v->integer = chorus_column_int64(stmt, col);
        break;
    case CHORUS_FLOAT:
        v->real = chorus_column_double(stmt, col);
        break;
    case CHORUS_TEXT:
        v->bytes = bytes_copy(chorus_column_text(stmt, col), chorus_column_bytes(stmt, col));
        v->n_bytes = chorus_column_bytes(stmt, col);
        break;
    case CHORUS_BLOB:
        v->n_bytes = chorus_column_bytes(stmt, col);
        v->bytes = bytes_copy(chorus_column_blob(stmt, col), v->n_bytes);
        break;
    default:
        break;
    }
}

/* Runs sql on ChorusDB, collecting every row (C5: an error drops them). */
static void
chorus_collect(chorus_conn *conn, const char *sql, diff_result *r)
{
    chorus_stmt *stmt = NULL;
    const char *tail = NULL;
    memset(r, 0, sizeof *r);
    if (chorus_prepare(conn, sql, -1, &stmt, &tail) != CHORUS_OK) {
        result_fail(r, chorus_errmsg(conn));
        return;
    }
    if (stmt == NULL)
        return;
    r->n_cols = chorus_column_count(stmt);
    int rc;
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        diff_value *row = result_add_row(r);
        for (int c = 0; c < r->n_cols; c++)
            chorus_value_copy(stmt, c, &row[c]);
    }
    if (rc != CHORUS_DONE)
        result_fail(r, chorus_errmsg(conn));
    chorus_finalize(stmt);
}

static void
sqlite_value_copy(sqlite3_stmt *stmt, int col, diff_value *v)
{
    memset(v, 0, sizeof *v);
    v->type = sqlite3_column_type(stmt, col);
    switch (v->type) {
    case SQLITE_INTEGER:
        v->integer = sqlite3_column_int64(stmt, col);
        break;
    case SQLITE_FLOAT:
        v->real = sqlite3_column_double(stmt, col);
        break;
    case SQLITE_TEXT:
        v->bytes = bytes_copy(sqlite3_column_text(stmt, col), sqlite3_column_bytes(stmt, col));
        v->n_bytes = sqlite3_column_bytes(stmt, col);
        break;
    case SQLITE_BLOB:
        v->n_bytes = sqlite3_column_bytes(stmt, col);
        v->bytes = bytes_copy(sqlite3_column_blob(stmt, col), v->n_bytes);
        break;
    default:
        v->type = CHORUS_NULL;
        break;
    }
}

static void
sqlite_collect(sqlite3 *db, const char *sql, diff_result *r)
{
    sqlite3_stmt *stmt = NULL;
    memset(r, 0, sizeof *r);
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        result_fail(r, sqlite3_errmsg(db));
        r->is_skip = 0;
        return;
    }
    if (stmt == NULL)
        return;
    r->n_cols = sqlite3_column_count(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        diff_value *row = result_add_row(r);
        for (int c = 0; c < r->n_cols; c++)
            sqlite_value_copy(stmt, c, &row[c]);
    }
    if (rc != SQLITE_DONE) {
        result_fail(r, sqlite3_errmsg(db));
        r->is_skip = 0;
    }
    sqlite3_finalize(stmt);
}

/* ------------------------------------------------------------- comparison */

/* A total order on values (type, then value; exact), for sorting rows. */
static int
value_order(const diff_value *a, const diff_value *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case CHORUS_INTEGER:
        return (a->integer > b->integer) - (a->integer < b->integer);
    case CHORUS_FLOAT:
        if (isnan(a->real) || isnan(b->real))
            return isnan(a->real) - isnan(b->real);
        return (a->real > b->real) - (a->real < b->real);
    case CHORUS_TEXT:
    case CHORUS_BLOB: {
        int n = a->n_bytes < b->n_bytes ? a->n_bytes : b->n_bytes;
        int c = n ? memcmp(a->bytes, b->bytes, (size_t)n) : 0;
        if (c != 0)
            return c;
        return (a->n_bytes > b->n_bytes) - (a->n_bytes < b->n_bytes);
    }
    default:
        return 0;
    }
}

/* Equality by rules C1-C3. */
static int
value_equal(const diff_value *a, const diff_value *b)
{
    if (a->type != b->type)
        return 0;
    if (a->type != CHORUS_FLOAT)
        return value_order(a, b) == 0;
    if (isnan(a->real) || isnan(b->real))
        return isnan(a->real) && isnan(b->real);
    if (a->real == b->real)
        return 1;
    if (isinf(a->real) || isinf(b->real))
        return 0;
    double scale = fmax(fabs(a->real), fabs(b->real));
    return fabs(a->real - b->real) <= 1e-12 * scale;
}

static int g_sort_cols;     /* the row width for row_order (qsort has no context) */

static int
row_order(const void *pa, const void *pb)
{
    const diff_value *a = pa;
    const diff_value *b = pb;
    for (int c = 0; c < g_sort_cols; c++) {
        int order = value_order(&a[c], &b[c]);
        if (order != 0)
            return order;
    }
    return 0;
}

static void
result_sort(diff_result *r)
{
    if (r->n_cols == 0 || r->n_rows < 2)
        return;
    size_t row_size = (size_t)r->n_cols * sizeof *r->values;
    g_sort_cols = r->n_cols;
    /* qsort sorts elements of one size: sort whole rows as blocks. */
    qsort(r->values, r->n_rows, row_size, row_order);
}

static int
results_equal(const diff_result *a, const diff_result *b)
{
    if (a->is_error || b->is_error)
        return a->is_error && b->is_error;
    if (a->n_cols != b->n_cols || a->n_rows != b->n_rows)
        return 0;
    for (size_t i = 0; i < a->n_rows * (size_t)a->n_cols; i++)
        if (!value_equal(&a->values[i], &b->values[i]))
            return 0;
    return 1;
}

/* Equality up to what ORDER BY may treat as a tie: numbers by value (1 and
 * 1.0), text up to ASCII case and trailing spaces (NOCASE, RTRIM). */
static int
value_tie(const diff_value *a, const diff_value *b)
{
    int a_num = a->type == CHORUS_INTEGER || a->type == CHORUS_FLOAT;
    int b_num = b->type == CHORUS_INTEGER || b->type == CHORUS_FLOAT;
    if (a_num && b_num) {
        double x = a->type == CHORUS_INTEGER ? (double)a->integer : a->real;
        double y = b->type == CHORUS_INTEGER ? (double)b->integer : b->real;
        return x == y;
    }
    if (a->type != b->type)
        return 0;
    if (a->type != CHORUS_TEXT)
        return value_order(a, b) == 0;
    int n_a = a->n_bytes;
    int n_b = b->n_bytes;
    while (n_a > 0 && a->bytes[n_a - 1] == ' ')
        n_a--;
    while (n_b > 0 && b->bytes[n_b - 1] == ' ')
        n_b--;
    return n_a == n_b && strncasecmp(a->bytes, b->bytes, (size_t)n_a) == 0;
}

/*
 * Rule C4 for ordered results: the same rows in the same order, or, where
 * ORDER BY leaves ties (equal under the collation or by numeric value), the
 * same multiset with tied rows in each position. Sorts both on the second
 * path.
 */
static int
results_equal_ordered(diff_result *a, diff_result *b)
{
    if (results_equal(a, b))
        return 1;
    if (a->is_error || b->is_error || a->n_cols != b->n_cols || a->n_rows != b->n_rows)
        return 0;
    for (size_t i = 0; i < a->n_rows * (size_t)a->n_cols; i++)
        if (!value_tie(&a->values[i], &b->values[i]))
            return 0;
    result_sort(a);
    result_sort(b);
    return results_equal(a, b);
}

/* ---------------------------------------------------------------- reports */

static void
value_render(gen_buf *out, const diff_value *v)
{
    switch (v->type) {
    case CHORUS_INTEGER:
        gen_buf_printf(out, "%lld", (long long)v->integer);
        break;
    case CHORUS_FLOAT:
        gen_buf_printf(out, "%.17g(real)", v->real);
        break;
    case CHORUS_TEXT:
        gen_buf_put(out, "'");
        for (int i = 0; i < v->n_bytes; i++) {
            unsigned char ch = (unsigned char)v->bytes[i];
            if (ch == '\'')
                gen_buf_put(out, "''");
            else if (ch < 32 || ch == 127)
                gen_buf_printf(out, "\\x%02x", ch);
            else
                gen_buf_printf(out, "%c", ch);
        }
        gen_buf_put(out, "'");
        break;
    case CHORUS_BLOB:
        gen_buf_put(out, "x'");
        for (int i = 0; i < v->n_bytes; i++)
            gen_buf_printf(out, "%02x", (unsigned char)v->bytes[i]);
        gen_buf_put(out, "'");
        break;
    default:
        gen_buf_put(out, "NULL");
        break;
    }
}

#define REPORT_MAX_ROWS 30

static void
result_render(gen_buf *out, const char *engine, const diff_result *r)
{
    if (r->is_error) {
        gen_buf_printf(out, "  %s: error: %s\n", engine, r->errmsg);
        return;
    }
    gen_buf_printf(out, "  %s: %zu row(s)\n", engine, r->n_rows);
    for (size_t i = 0; i < r->n_rows && i < REPORT_MAX_ROWS; i++) {
        gen_buf_put(out, "    ");
        for (int c = 0; c < r->n_cols; c++) {
            if (c)
                gen_buf_put(out, " | ");
            value_render(out, &r->values[i * (size_t)r->n_cols + c]);
        }
        gen_buf_put(out, "\n");
    }
    if (r->n_rows > REPORT_MAX_ROWS)
        gen_buf_printf(out, "    ... %zu more\n", r->n_rows - REPORT_MAX_ROWS);
}

/* Runs sql on both, compares, and reports under the heading what. */
static int
compare_query(diff_engines *e, const char *sql, int is_ordered, const char *what,
              gen_buf *report)
{
    diff_result mine;
    diff_result oracle;
    int outcome = DIFF_SAME;
    chorus_collect(e->chorus, sql, &mine);
    sqlite_collect(e->oracle, sql, &oracle);
    if (mine.is_skip && !oracle.is_error) {
        if (report != NULL)
            gen_buf_printf(report, "%s\n", mine.errmsg);
        outcome = DIFF_SKIPPED;
        goto done;
    }
    int is_equal;
    if (is_ordered) {
        is_equal = results_equal_ordered(&mine, &oracle);
    } else {
        result_sort(&mine);
        result_sort(&oracle);
        is_equal = results_equal(&mine, &oracle);
    }
    if (!is_equal) {
        outcome = DIFF_DIFFERENT;
        if (report != NULL) {
            gen_buf_printf(report, "%s: %s\n", what, sql);
            result_render(report, "chorus", &mine);
            result_render(report, "sqlite", &oracle);
        }
    }
done:
    result_clear(&mine);
    result_clear(&oracle);
    return outcome;
}

/* Does table name hold rowid 9223372036854775807 (after which SQLite
 * chooses new rowids at random)? */
static int
table_has_max_rowid(sqlite3 *db, const char *name)
{
    sqlite3_stmt *stmt = NULL;
    int has_max = 0;
    char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE rowid = 9223372036854775807", name);
    if (sql != NULL && sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK)
        has_max = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    sqlite3_free(sql);
    return has_max;
}

/* Rule C6: the tables, as the oracle lists them, hold the same rows; a table
 * holding the largest rowid ends the script (DIFF_SKIPPED). */
static int
compare_tables(diff_engines *e, gen_buf *report)
{
    diff_result names;
    int outcome = DIFF_SAME;
    sqlite_collect(e->oracle,
                   "SELECT name FROM sqlite_schema WHERE type = 'table' "
                   "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                   &names);
    for (size_t i = 0; i < names.n_rows && outcome == DIFF_SAME; i++) {
        const char *name = names.values[i].bytes;
        gen_buf sql = {0};
        gen_buf what = {0};
        sqlite3_stmt *probe = NULL;
        gen_buf_printf(&sql, "SELECT rowid, * FROM \"%s\"", name);
        if (sqlite3_prepare_v2(e->oracle, gen_buf_text(&sql), -1, &probe, NULL) != SQLITE_OK) {
            gen_buf_free(&sql);
            gen_buf_printf(&sql, "SELECT * FROM \"%s\"", name);
        }
        sqlite3_finalize(probe);
        gen_buf_printf(&what, "table %s differs afterwards", name);
        outcome = compare_query(e, gen_buf_text(&sql), 0, gen_buf_text(&what), report);
        if (outcome == DIFF_SKIPPED)
            outcome = DIFF_DIFFERENT;
        if (outcome == DIFF_SAME && table_has_max_rowid(e->oracle, name)) {
            /* SQLite picks the next new rowid at random: the script must end. */
            if (report != NULL)
                gen_buf_printf(report, "rowid 9223372036854775807 in %s: new rowids are random\n",
                               name);
            outcome = DIFF_SKIPPED;
        }
        gen_buf_free(&sql);
        gen_buf_free(&what);
    }
    result_clear(&names);
    return outcome;
}

/* Is sql an INSERT, UPDATE, DELETE or REPLACE (whose changes() counts)? */
static int
is_row_write(const char *sql)
{
    static const char *const WORDS[] = {"INSERT", "UPDATE", "DELETE", "REPLACE"};
    while (isspace((unsigned char)*sql))
        sql++;
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (strncasecmp(sql, WORDS[i], strlen(WORDS[i])) == 0)
            return 1;
    return 0;
}

static int
compare_write_state(diff_engines *e, const char *sql, int is_success, gen_buf *report)
{
    int mine_in_tx = chorus_in_transaction(e->chorus);
    int oracle_in_tx = !sqlite3_get_autocommit(e->oracle);
    if (mine_in_tx != oracle_in_tx) {
        if (report != NULL)
            gen_buf_printf(report,
                           "transaction state differs after: %s\n  chorus: %s\n  sqlite: %s\n",
                           sql, mine_in_tx ? "in a transaction" : "autocommit",
                           oracle_in_tx ? "in a transaction" : "autocommit");
        return DIFF_DIFFERENT;
    }
    if (is_success && is_row_write(sql)) {
        long long mine = (long long)chorus_changes(e->chorus);
        long long oracle = (long long)sqlite3_changes(e->oracle);
        if (mine != oracle) {
            if (report != NULL)
                gen_buf_printf(report, "changes() differs after: %s\n  chorus: %lld\n"
                               "  sqlite: %lld\n", sql, mine, oracle);
            return DIFF_DIFFERENT;
        }
    }
    return compare_tables(e, report);
}

int
diff_engines_run(diff_engines *e, const char *sql, int is_ordered, int is_write,
                 gen_buf *report)
{
    diff_result mine;
    diff_result oracle;
    int outcome = DIFF_SAME;
    if (!is_write)
        return compare_query(e, sql, is_ordered, "query", report);
    chorus_collect(e->chorus, sql, &mine);
    sqlite_collect(e->oracle, sql, &oracle);
    if (mine.is_skip && !oracle.is_error) {
        if (report != NULL)
            gen_buf_printf(report, "%s\n", mine.errmsg);
        outcome = DIFF_SKIPPED;
    } else if (!results_equal(&mine, &oracle)) {
        outcome = DIFF_DIFFERENT;
        if (report != NULL) {
            gen_buf_printf(report, "statement: %s\n", sql);
            result_render(report, "chorus", &mine);
            result_render(report, "sqlite", &oracle);
        }
    } else {
        outcome = compare_write_state(e, sql, !mine.is_error, report);
    }
    result_clear(&mine);
    result_clear(&oracle);
    return outcome;
}

/* ---------------------------------------------------------------- scripts */

long
diff_script_run(const gen_script *script, gen_buf *report, diff_counts *counts,
                gen_buf *skip_log)
{
    diff_engines *e;
    diff_counts local = {0};
    long first_diff = -1;
    if (diff_engines_open(&e) != 0)
        return 0;
    for (size_t i = 0; i < script->n_stmts; i++) {
        const gen_stmt *st = &script->stmts[i];
        gen_buf note = {0};
        int is_write = st->kind != GEN_STMT_QUERY;
        int outcome = diff_engines_run(e, st->sql, st->is_ordered, is_write, &note);
        local.n_stmts++;
        if (outcome == DIFF_DIFFERENT) {
            if (report != NULL)
                gen_buf_put(report, gen_buf_text(&note));
            gen_buf_free(&note);
            first_diff = (long)i;
            break;
        }
        if (outcome == DIFF_SKIPPED) {
            local.n_skipped++;
            if (skip_log != NULL)
                gen_buf_printf(skip_log, "%s", gen_buf_text(&note));
            gen_buf_free(&note);
            if (is_write) {
                local.n_cut_short++;
                break;
            }
            continue;
        }
        gen_buf_free(&note);
        local.n_same++;
    }
    diff_engines_close(e);
    if (counts != NULL) {
        counts->n_stmts += local.n_stmts;
        counts->n_same += local.n_same;
        counts->n_skipped += local.n_skipped;
        counts->n_cut_short += local.n_cut_short;
    }
    return first_diff;
}

void
diff_script_reduce(gen_script *script, size_t last)
{
    /* Keep statements 0..last, then try dropping each one but the last,
     * newest first (later statements depend on earlier ones). */
    for (size_t i = last + 1; i < script->n_stmts; i++)
        free(script->stmts[i].sql);
    script->n_stmts = last + 1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = script->n_stmts - 1; k-- > 0;) {
            gen_stmt dropped = script->stmts[k];
            memmove(&script->stmts[k], &script->stmts[k + 1],
                    (script->n_stmts - k - 1) * sizeof *script->stmts);
            script->n_stmts--;
            long at = diff_script_run(script, NULL, NULL, NULL);
            if (at == (long)script->n_stmts - 1) {
                free(dropped.sql);
                continue;
            }
            memmove(&script->stmts[k + 1], &script->stmts[k],
                    (script->n_stmts - k) * sizeof *script->stmts);
            script->stmts[k] = dropped;
            script->n_stmts++;
        }
    }
}

void
diff_script_print(const gen_script *script)
{
    for (size_t i = 0; i < script->n_stmts; i++) {
        if (script->stmts[i].is_ordered)
            printf("-- ordered\n");
        printf("%s;\n", script->stmts[i].sql);
    }
}

static int
is_query_text(const char *sql)
{
    static const char *const WORDS[] = {"SELECT", "VALUES", "WITH"};
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (strncasecmp(sql, WORDS[i], strlen(WORDS[i])) == 0)
            return 1;
    return 0;
}

void
diff_script_parse(const char *text, gen_script *script)
{
    gen_buf stmt = {0};
    int is_ordered = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
        const char *q = p;
        while (q < p + n && isspace((unsigned char)*q))
            q++;
        if (stmt.len == 0 && strncmp(q, "--", 2) == 0) {
            if (strncmp(q, "-- ordered", 10) == 0)
                is_ordered = 1;
            p += n;
            continue;
        }
        gen_buf_printf(&stmt, "%.*s", (int)n, p);
        p += n;
        if (sqlite3_complete(gen_buf_text(&stmt)) || *p == '\0') {
            char *sql = gen_buf_take(&stmt);
            char *start = sql;
            while (isspace((unsigned char)*start))
                start++;
            size_t len = strlen(start);
            while (len > 0 && (isspace((unsigned char)start[len - 1]) || start[len - 1] == ';'))
                start[--len] = '\0';
            if (len > 0)
                gen_script_add(script, is_query_text(start) ? GEN_STMT_QUERY : GEN_STMT_WRITE,
                               is_ordered, start);
            free(sql);
            is_ordered = 0;
        }
    }
    gen_buf_free(&stmt);
}
