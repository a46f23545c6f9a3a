/*
 * core/sql/normalize.c: sql_normalize_create, the text SQLite keeps in
 * sqlite_schema.sql for a CREATE statement.
 *
 * SQLite writes "CREATE TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX ",
 * "CREATE VIEW ", "CREATE TRIGGER " or "CREATE VIRTUAL TABLE " and then the
 * text from the object's (unqualified) name on; TEMP, IF NOT EXISTS and the
 * schema qualifier are dropped. Where the text stops depends on the kind,
 * as SQLite's own code does it:
 *   - TABLE, TRIGGER, VIRTUAL TABLE: at the end of the last token;
 *   - INDEX: just before the terminating ';' (comments and spaces kept);
 *   - VIEW: before the ';', less trailing whitespace (comments kept).
 *
 * Callers: the catalog, when it records a new schema object.
 */
#include "sql_int.h"

#include <string.h>

typedef struct scan {
    const char *z;
    size_t n, pos;
    int type;
    size_t start, len;      /* the current significant token */
} scan;

static void
scan_next(scan *s)
{
    while (s->pos < s->n) {
        size_t len = sql_token_scan(s->z + s->pos, s->n - s->pos, &s->type);
        s->start = s->pos;
        s->len = len;
        s->pos += len;
        if (s->type != TK_SPACE && s->type != TK_COMMENT)
            return;
    }
    s->type = TK_EOF;
    s->start = s->n;
    s->len = 0;
}

/* Reads CREATE [TEMP] [UNIQUE|VIRTUAL] kind [IF NOT EXISTS]; the leading
 * words of the output in *words. 0 if the text is no CREATE statement. */
static int
scan_create_prefix(scan *s, const char **words, int *kind)
{
    scan_next(s);
    if (s->type != TK_CREATE)
        return 0;
    scan_next(s);
    if (s->type == TK_TEMP || s->type == TK_TEMPORARY)
        scan_next(s);
    *kind = s->type;
    switch (s->type) {
    case TK_TABLE: *words = "CREATE TABLE "; break;
    case TK_INDEX: *words = "CREATE INDEX "; break;
    case TK_VIEW: *words = "CREATE VIEW "; break;
    case TK_TRIGGER: *words = "CREATE TRIGGER "; break;
    case TK_UNIQUE: *words = "CREATE UNIQUE INDEX "; *kind = TK_INDEX; scan_next(s); break;
    case TK_VIRTUAL: *words = "CREATE VIRTUAL TABLE "; *kind = TK_TABLE; scan_next(s); break;
    default: return 0;
    }
    scan_next(s);
    if (s->type == TK_IF) {
        scan_next(s);
        if (s->type == TK_NOT)
            scan_next(s);
        scan_next(s);   /* EXISTS */
    }
    return 1;
}

char *
sql_normalize_create(const char *stmt_text, int nbytes)
{
    scan s = {stmt_text, 0, 0, TK_EOF, 0, 0};
    const char *words;
    size_t name_start, last_end, end;
    int kind;
    strbuf sb;

    if (stmt_text == NULL)
        return NULL;
    s.n = nbytes < 0 ? strlen(stmt_text) : (size_t)nbytes;
    if (!scan_create_prefix(&s, &words, &kind))
        return NULL;
    name_start = s.start;
    scan_next(&s);
    if (s.type == TK_DOT) {
        scan_next(&s);
        name_start = s.start;
    }
    /* The text ends at a final ';' if there is one; last_end is the end of
     * the last token before it. */
    last_end = s.start + s.len;
    end = s.n;
    while (s.type != TK_EOF) {
        if (s.type == TK_SEMI) {
            size_t before = last_end, semi = s.start;
            last_end = s.start + s.len;
            scan_next(&s);
            if (s.type == TK_EOF) {
                last_end = before;
                end = semi;
            }
            continue;
        }
        last_end = s.start + s.len;
        scan_next(&s);
    }
    if (kind == TK_INDEX) {
        last_end = end;
    } else if (kind == TK_VIEW) {
        last_end = end;
        while (last_end > name_start && strchr(" \t\n\v\f\r", stmt_text[last_end - 1]) != NULL)
            last_end--;
    }
    if (last_end < name_start)
        last_end = name_start;
    strbuf_init(&sb);
    strbuf_puts(&sb, words);
    strbuf_append(&sb, stmt_text + name_start, last_end - name_start);
    return strbuf_finish(&sb);
}
