/*
 * shell/output.c: prints query results in the shell's modes, byte for byte
 * as the sqlite3 3.40 CLI does where that is practical.
 *
 *   list    values joined by '|', one row per line (.separator changes
 *           both); NULL prints as .nullvalue (nothing by default), as in
 *           every mode but json
 *   csv     RFC 4180-style: values quoted when empty or when they hold a
 *           space, a control character, a quote, an apostrophe, a comma or
 *           a non-ASCII byte; rows end in "\r\n"
 *   line    one "name = value" line per column, names right-aligned to
 *           the longest (at least 5), a blank line between rows
 *   column  every value left-aligned in a column as wide as its widest
 *           value or name, two spaces between columns, a dashed line under
 *           the names; a value with newlines spans several lines, and then
 *           rows are separated by a blank line
 *   box     the same inside Unicode box-drawing lines, names centred,
 *           always with the names
 *   insert  "INSERT INTO <table>[(names)] VALUES(...);" a row, values as
 *           .dump writes them (dump.c)
 *   json    an array of objects, one per row, "null" for NULL, reals with
 *           20 significant digits, blobs as strings
 * Names are printed (list, csv, column) only with .headers on, and only
 * when there is at least one row.
 *
 * Ownership: column and box modes keep every cell of the result until it
 * is printed (a cell_table, freed here); the other modes stream.
 * Callers: shell/input.c (each statement that returns columns), dot.c.
 */
#include "shell.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool
output_mode_set(shell *sh, const char *name, const char *table)
{
    static const struct {
        const char *name;
        shell_mode mode;
    } modes[] = {
        { "list", SHELL_MODE_LIST }, { "csv", SHELL_MODE_CSV },   { "column", SHELL_MODE_COLUMN },
        { "box", SHELL_MODE_BOX },   { "json", SHELL_MODE_JSON }, { "line", SHELL_MODE_LINE },
        { "insert", SHELL_MODE_INSERT },
    };

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(name, modes[i].name) == 0) {
            sh->mode = modes[i].mode;
            if (sh->mode == SHELL_MODE_LIST || sh->mode == SHELL_MODE_CSV)
                sh->colsep[0] = sh->rowsep[0] = '\0';  /* the mode's own, as the CLI resets */
            snprintf(sh->insert_table, sizeof sh->insert_table, "%s",
                     table != NULL ? table : "table");
            /* As in the CLI, column mode shows the names unless the user
             * has said otherwise; the choice outlives the mode. */
            if (sh->mode == SHELL_MODE_COLUMN && !sh->headers_set)
                sh->headers = true;
            return true;
        }
    }
    return false;
}

/* Display width of UTF-8 text: code points, continuation bytes not counted. */
static int
text_width(const char *s, size_t n)
{
    int w = 0;

    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            w++;
    return w;
}

static void
put_spaces(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        putc(' ', out);
}

/* --- list and csv ----------------------------------------------------------- */

static bool
csv_needs_quotes(const char *s)
{
    if (*s == '\0')
        return true;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= ' ' || *p == '"' || *p == '\'' || *p == ',' || *p >= 0x7f)
            return true;
    return false;
}

static void
csv_put(FILE *out, const char *s)
{
    if (!csv_needs_quotes(s)) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

/* Column i's text, .nullvalue for NULL (borrowed until the next step). */
static const char *
cell_text(shell *sh, chorus_stmt *stmt, int i)
{
    const char *s = chorus_column_text(stmt, i);

    return s != NULL ? s : sh->nullvalue;
}

/* One row of list or csv mode; names instead of values when names is set. */
static void
delimited_row(shell *sh, chorus_stmt *stmt, bool names)
{
    bool csv = sh->mode == SHELL_MODE_CSV;
    int n = chorus_column_count(stmt);

    for (int i = 0; i < n; i++) {
        const char *s = names ? chorus_column_name(stmt, i) : chorus_column_text(stmt, i);

        if (i > 0)
            fputs(sh->colsep[0] != '\0' ? sh->colsep : csv ? "," : "|", sh->out);
        if (s == NULL)
            fputs(sh->nullvalue, sh->out);      /* as it is, in csv too */
        else if (csv)
            csv_put(sh->out, s);
        else
            fputs(s, sh->out);
    }
    fputs(sh->rowsep[0] != '\0' ? sh->rowsep : csv ? "\r\n" : "\n", sh->out);
}

/* --- insert --------------------------------------------------------------- */

/* One row as "INSERT INTO t VALUES(...);", with the column names after the
 * table when headers are on. */
static void
insert_row(shell *sh, chorus_stmt *stmt)
{
    int n = chorus_column_count(stmt);

    fputs("INSERT INTO ", sh->out);
    dump_ident_put(sh->out, sh->insert_table);
    for (int i = 0; sh->headers && i < n; i++) {
        putc(i == 0 ? '(' : ',', sh->out);
        dump_ident_put(sh->out, chorus_column_name(stmt, i));
    }
    fputs(sh->headers && n > 0 ? ") VALUES(" : " VALUES(", sh->out);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            putc(',', sh->out);
        dump_value_put(sh->out, stmt, i);
    }
    fputs(");\n", sh->out);
}

/* --- line ---------------------------------------------------------------- */

static void
line_row(shell *sh, chorus_stmt *stmt, int row)
{
    int n = chorus_column_count(stmt), width = 5;

    for (int i = 0; i < n; i++) {
        const char *name = chorus_column_name(stmt, i);
        int w = name != NULL ? (int)strlen(name) : 0;

        if (w > width)
            width = w;
    }
    if (row > 0)
        putc('\n', sh->out);
    for (int i = 0; i < n; i++) {
        const char *name = chorus_column_name(stmt, i);
        fprintf(sh->out, "%*s = %s\n", width, name != NULL ? name : "", cell_text(sh, stmt, i));
    }
}

/* --- json ---------------------------------------------------------------- */

static void
json_put_string(FILE *out, const char *s, int n)
{
    putc('"', out);
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (c < 0x20)
                fprintf(out, "\\u%04x", c);
            else
                putc(c, out);
        }
    }
    putc('"', out);
}

/*
 * A real as the CLI's JSON mode prints it ("%!.20g"): 20 significant
 * digits, trailing zeros dropped but at least one digit after the point,
 * infinities as 1e999 and -1e999.
 */
static void
json_put_real(FILE *out, double r)
{
    char buf[64], *e;

    if (isinf(r)) {
        fputs(r > 0 ? "1e999" : "-1e999", out);
        return;
    }
    snprintf(buf, sizeof buf, "%.20g", r);
    e = strchr(buf, 'e');
    if (strchr(buf, '.') == NULL && strchr(buf, 'n') == NULL) {
        if (e != NULL)
            fprintf(out, "%.*s.0%s", (int)(e - buf), buf, e);
        else
            fprintf(out, "%s.0", buf);
        return;
    }
    fputs(buf, out);
}

static void
json_row(shell *sh, chorus_stmt *stmt, int row)
{
    int n = chorus_column_count(stmt);

    fputs(row == 0 ? "[{" : ",\n{", sh->out);
    for (int i = 0; i < n; i++) {
        const char *name = chorus_column_name(stmt, i);

        json_put_string(sh->out, name != NULL ? name : "", name != NULL ? (int)strlen(name) : 0);
        putc(':', sh->out);
        switch (chorus_column_type(stmt, i)) {
        case CHORUS_NULL:
            fputs("null", sh->out);
            break;
        case CHORUS_FLOAT:
            json_put_real(sh->out, chorus_column_double(stmt, i));
            break;
        case CHORUS_INTEGER:
            fputs(chorus_column_text(stmt, i), sh->out);
            break;
        case CHORUS_BLOB: {
            const char *blob = chorus_column_blob(stmt, i);
            json_put_string(sh->out, blob != NULL ? blob : "", chorus_column_bytes(stmt, i));
            break;
        }
        default:
            json_put_string(sh->out, chorus_column_text(stmt, i), chorus_column_bytes(stmt, i));
        }
        if (i < n - 1)
            putc(',', sh->out);
    }
    putc('}', sh->out);
}

/* --- column and box: the whole result is kept, then laid out -------------- */

typedef struct cell_table {
    int n_cols;
    int n_rows;                 /* rows of values, names not counted */
    int cap_rows;
    char **cells;               /* owned; (n_rows + 1) * n_cols, row 0 = names */
    int *widths;                /* owned; n_cols */
    bool multiline;             /* some value holds a newline */
} cell_table;

static void
table_free(cell_table *t)
{
    for (int i = 0; i < (t->n_rows + 1) * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->widths);
}

/* Stores a copy of text (NULL: empty) as cell (row, col) and widens the
 * column to fit each of its lines. 0 or -1 (no memory). */
static int
table_set(cell_table *t, int row, int col, const char *text)
{
    char *copy = strdup(text != NULL ? text : "");
    const char *line;

    if (copy == NULL)
        return -1;
    t->cells[row * t->n_cols + col] = copy;
    for (line = copy;;) {
        const char *nl = strchr(line, '\n');
        int w = text_width(line, nl != NULL ? (size_t)(nl - line) : strlen(line));

        if (w > t->widths[col])
            t->widths[col] = w;
        if (nl == NULL)
            break;
        if (row > 0)
            t->multiline = true;
        line = nl + 1;
    }
    return 0;
}

/* Adds the current row of stmt (or its names when row is 0). */
static int
table_add_row(shell *sh, cell_table *t, chorus_stmt *stmt, int row)
{
    if (row + 1 > t->cap_rows) {
        int cap = t->cap_rows == 0 ? 16 : t->cap_rows * 2;
        char **grown = realloc(t->cells, (size_t)cap * (size_t)t->n_cols * sizeof *grown);

        if (grown == NULL)
            return -1;
        memset(grown + (size_t)t->cap_rows * (size_t)t->n_cols, 0,
               (size_t)(cap - t->cap_rows) * (size_t)t->n_cols * sizeof *grown);
        t->cells = grown;
        t->cap_rows = cap;
    }
    for (int i = 0; i < t->n_cols; i++) {
        const char *s = row == 0 ? chorus_column_name(stmt, i) : cell_text(sh, stmt, i);
        if (table_set(t, row, i, s) != 0)
            return -1;
    }
    if (row > 0)
        t->n_rows = row;
    return 0;
}

static const char box_h[] = "\xe2\x94\x80";     /* ─ */
static const char box_v[] = "\xe2\x94\x82";     /* │ */

/* A horizontal box line: left, the joints and right are box characters. */
static void
box_rule(shell *sh, const cell_table *t, const char *left, const char *joint, const char *right)
{
    fputs(left, sh->out);
    for (int i = 0; i < t->n_cols; i++) {
        for (int j = 0; j < t->widths[i] + 2; j++)
            fputs(box_h, sh->out);
        fputs(i < t->n_cols - 1 ? joint : right, sh->out);
    }
    putc('\n', sh->out);
}

/* Prints the part of text up to the next newline, padded to width, and
 * advances *text past that newline (to NULL after the last line). */
static void
cell_line_put(FILE *out, const char **text, int width)
{
    const char *s = *text, *nl;
    size_t n;

    if (s == NULL) {
        put_spaces(out, width);
        return;
    }
    nl = strchr(s, '\n');
    n = nl != NULL ? (size_t)(nl - s) : strlen(s);
    fwrite(s, 1, n, out);
    put_spaces(out, width - text_width(s, n));
    *text = nl != NULL ? nl + 1 : NULL;
}

/* Prints one row of the table, as many lines as its tallest cell. */
static void
table_row_put(shell *sh, const cell_table *t, int row, bool box)
{
    const char *rest[t->n_cols];
    bool more = true;

    for (int i = 0; i < t->n_cols; i++)
        rest[i] = t->cells[row * t->n_cols + i];
    while (more) {
        more = false;
        if (box)
            fputs(box_v, sh->out);
        for (int i = 0; i < t->n_cols; i++) {
            fputs(box ? " " : i > 0 ? "  " : "", sh->out);
            cell_line_put(sh->out, &rest[i], t->widths[i]);
            if (box)
                fprintf(sh->out, " %s", box_v);
            more |= rest[i] != NULL;
        }
        putc('\n', sh->out);
    }
}

static void
table_names_put(shell *sh, const cell_table *t, bool box)
{
    if (box) {
        box_rule(sh, t, "\xe2\x94\x8c", "\xe2\x94\xac", "\xe2\x94\x90");    /* ┌ ┬ ┐ */
        fputs(box_v, sh->out);
        for (int i = 0; i < t->n_cols; i++) {
            int pad = t->widths[i] - text_width(t->cells[i], strlen(t->cells[i]));

            put_spaces(sh->out, 1 + pad / 2);
            fputs(t->cells[i], sh->out);
            put_spaces(sh->out, pad - pad / 2 + 1);
            fputs(box_v, sh->out);
        }
        putc('\n', sh->out);
        box_rule(sh, t, "\xe2\x94\x9c", "\xe2\x94\xbc", "\xe2\x94\xa4");    /* ├ ┼ ┤ */
        return;
    }
    table_row_put(sh, t, 0, false);
    for (int i = 0; i < t->n_cols; i++) {
        fputs(i > 0 ? "  " : "", sh->out);
        for (int j = 0; j < t->widths[i]; j++)
            putc('-', sh->out);
    }
    putc('\n', sh->out);
}

static void
table_put(shell *sh, const cell_table *t)
{
    bool box = sh->mode == SHELL_MODE_BOX;

    if (box || sh->headers)
        table_names_put(sh, t, box);
    for (int row = 1; row <= t->n_rows; row++) {
        if (row > 1 && t->multiline) {
            if (box)
                box_rule(sh, t, "\xe2\x94\x9c", "\xe2\x94\xbc", "\xe2\x94\xa4");
            else
                putc('\n', sh->out);
        }
        table_row_put(sh, t, row, box);
    }
    if (box)
        box_rule(sh, t, "\xe2\x94\x94", "\xe2\x94\xb4", "\xe2\x94\x98");        /* └ ┴ ┘ */
}

static int
output_table(shell *sh, chorus_stmt *stmt)
{
    cell_table t = { .n_cols = chorus_column_count(stmt) };
    int rc, row = 0;

    t.widths = calloc((size_t)t.n_cols, sizeof *t.widths);
    if (t.widths == NULL || table_add_row(sh, &t, stmt, 0) != 0) {
        table_free(&t);
        return CHORUS_NOMEM;
    }
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        if (table_add_row(sh, &t, stmt, ++row) != 0) {
            table_free(&t);
            return CHORUS_NOMEM;
        }
    }
    if (t.n_rows > 0)
        table_put(sh, &t);
    table_free(&t);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

/* --- dispatch ----------------------------------------------------------------- */

int
output_statement(shell *sh, chorus_stmt *stmt)
{
    int rc, row = 0;

    if (chorus_column_count(stmt) == 0) {
        while ((rc = chorus_step(stmt)) == CHORUS_ROW)
            ;
        return rc == CHORUS_DONE ? CHORUS_OK : rc;
    }
    if (sh->mode == SHELL_MODE_COLUMN || sh->mode == SHELL_MODE_BOX)
        return output_table(sh, stmt);
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        if (sh->mode == SHELL_MODE_LINE) {
            line_row(sh, stmt, row);
        } else if (sh->mode == SHELL_MODE_INSERT) {
            insert_row(sh, stmt);
        } else if (sh->mode == SHELL_MODE_JSON) {
            json_row(sh, stmt, row);
        } else {
            if (row == 0 && sh->headers)
                delimited_row(sh, stmt, true);
            delimited_row(sh, stmt, false);
        }
        row++;
    }
    if (sh->mode == SHELL_MODE_JSON && row > 0)
        fputs("]\n", sh->out);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}
