/*
 * shell/dump.c: .dump, the database as SQL text that rebuilds it, in the
 * shapes and order of the sqlite3 3.40 CLI:
 *
 *   PRAGMA foreign_keys=OFF; BEGIN TRANSACTION;
 *   each table (sqlite_schema order, sqlite_sequence last): its CREATE
 *     statement, then one "INSERT INTO t VALUES(...);" per row, of the
 *     columns that are not generated; sqlite_stat1 is announced by
 *     "ANALYZE sqlite_schema;" and sqlite_sequence by "DELETE FROM
 *     sqlite_sequence;", other sqlite_ tables are left out;
 *   then every index, trigger and view, in sqlite_schema order; COMMIT;
 *
 * Values: NULL, integers, a real with an integral value as "N.0", other
 * reals with 17 significant digits (enough to read back the same double;
 * the CLI writes 20), text quoted with '' (a text holding a newline or a
 * carriage return as replace('..\n..','\n',char(10)), as the CLI does),
 * blobs as X'..'.
 *
 * Callers: dot.c (.dump), output.c (insert mode's values).
 */
#include "shell.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Text as an SQL literal (dump's shape for newlines and carriage returns). */
static void
text_put(FILE *out, const char *z)
{
    bool nl = strchr(z, '\n') != NULL, cr = strchr(z, '\r') != NULL;

    if (nl)
        fputs("replace(", out);
    if (cr)
        fputs("replace(", out);
    putc('\'', out);
    for (const char *p = z; *p != '\0'; p++) {
        if (*p == '\'')
            fputs("''", out);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\r')
            fputs("\\r", out);
        else
            putc(*p, out);
    }
    putc('\'', out);
    if (cr)
        fputs(",'\\r',char(13))", out);
    if (nl)
        fputs(",'\\n',char(10))", out);
}

void
dump_value_put(FILE *out, chorus_stmt *stmt, int i)
{
    switch (chorus_column_type(stmt, i)) {
    case CHORUS_INTEGER:
        fprintf(out, "%" PRId64, chorus_column_int64(stmt, i));
        break;
    case CHORUS_FLOAT: {
        double r = chorus_column_double(stmt, i);
        if (r >= -9.2e18 && r <= 9.2e18 && r == (double)(int64_t)r)
            fprintf(out, "%" PRId64 ".0", (int64_t)r);
        else
            fprintf(out, "%.17g", r);
        break;
    }
    case CHORUS_TEXT:
        text_put(out, (const char *)chorus_column_text(stmt, i));
        break;
    case CHORUS_BLOB: {
        const unsigned char *b = chorus_column_blob(stmt, i);
        int n = chorus_column_bytes(stmt, i);
        fputs("X'", out);
        for (int k = 0; k < n; k++)
            fprintf(out, "%02x", b[k]);
        putc('\'', out);
        break;
    }
    default:
        fputs("NULL", out);
    }
}

void
dump_ident_put(FILE *out, const char *name)
{
    if (!shell_name_needs_quotes(name)) {
        fputs(name, out);
        return;
    }
    putc('"', out);
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"')
            putc('"', out);
        putc(*p, out);
    }
    putc('"', out);
}

/* The SELECT of table's columns that are not generated, malloc()ed. */
static char *
rows_query(shell *sh, const char *table)
{
    chorus_stmt *cols;
    size_t len = 0;
    char *sql = NULL;
    FILE *mem;

    if (chorus_prepare(sh->conn, "SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0", -1,
                       &cols, NULL) != CHORUS_OK)
        return NULL;
    chorus_bind_text(cols, 1, table, -1, CHORUS_STATIC);
    mem = open_memstream(&sql, &len);
    if (mem != NULL) {
        fputs("SELECT ", mem);
        for (int n = 0; chorus_step(cols) == CHORUS_ROW; n++) {
            if (n > 0)
                putc(',', mem);
            dump_ident_put(mem, (const char *)chorus_column_text(cols, 0));
        }
        fputs(" FROM ", mem);
        dump_ident_put(mem, table);
        fclose(mem);
    }
    chorus_finalize(cols);
    return sql;
}

/* One INSERT per row of table. */
static int
rows_dump(shell *sh, const char *table)
{
    char *sql = rows_query(sh, table);
    chorus_stmt *rows;
    int rc;

    if (sql == NULL)
        return CHORUS_NOMEM;
    rc = chorus_prepare(sh->conn, sql, -1, &rows, NULL);
    free(sql);
    if (rc != CHORUS_OK)
        return rc;
    while ((rc = chorus_step(rows)) == CHORUS_ROW) {
        fputs("INSERT INTO ", sh->out);
        dump_ident_put(sh->out, table);
        fputs(" VALUES(", sh->out);
        for (int i = 0; i < chorus_column_count(rows); i++) {
            if (i > 0)
                putc(',', sh->out);
            dump_value_put(sh->out, rows, i);
        }
        fputs(");\n", sh->out);
    }
    chorus_finalize(rows);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

/* A table's part of the dump (name, sql: one row of sqlite_schema). */
static int
table_dump(shell *sh, const char *name, const char *sql)
{
    if (strcmp(name, "sqlite_sequence") == 0)
        fputs("DELETE FROM sqlite_sequence;\n", sh->out);
    else if (strncmp(name, "sqlite_stat", 11) == 0)
        fputs("ANALYZE sqlite_schema;\n", sh->out);
    else if (strncmp(name, "sqlite_", 7) == 0)
        return CHORUS_OK;
    else
        shell_schema_line_print(sh, sql, "table", name);
    return rows_dump(sh, name);
}

/* Runs sql (rows of name, sql) and dumps each row's object. tables: they
 * are tables (else their SQL is printed as it is). */
static int
objects_dump(shell *sh, const char *sql, bool tables)
{
    chorus_stmt *stmt;
    int rc = chorus_prepare(sh->conn, sql, -1, &stmt, NULL);

    if (rc != CHORUS_OK)
        return rc;
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        /* copied: dumping a table runs statements of its own */
        char *name = strdup((const char *)chorus_column_text(stmt, 0));
        char *text = strdup((const char *)chorus_column_text(stmt, 1));
        int done = CHORUS_OK;

        if (name == NULL || text == NULL)
            done = CHORUS_NOMEM;
        else if (tables)
            done = table_dump(sh, name, text);
        else
            fprintf(sh->out, "%s;\n", text);
        free(name);
        free(text);
        if (done != CHORUS_OK) {
            rc = done;
            break;
        }
    }
    chorus_finalize(stmt);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

int
dump_run(shell *sh)
{
    int rc;

    fputs("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n", sh->out);
    rc = objects_dump(sh, "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql "
                          "NOT NULL ORDER BY tbl_name = 'sqlite_sequence', rowid", true);
    if (rc == CHORUS_OK)
        rc = objects_dump(sh, "SELECT name, sql FROM sqlite_schema WHERE sql NOT NULL AND type "
                              "IN ('index', 'trigger', 'view') ORDER BY rowid", false);
    fputs(rc == CHORUS_OK ? "COMMIT;\n" : "ROLLBACK; -- due to errors\n", sh->out);
    return rc;
}
