/*
 * core/sql/complete.c: sql_complete, the test sqlite3_complete makes: does
 * the text end with a whole statement?
 *
 * A statement ends at a ';' outside quotes and comments, except inside a
 * CREATE TRIGGER, whose body holds ';'s: there only "END ;" ends it. The
 * trigger is recognized from the statement's leading words: [EXPLAIN]
 * CREATE [TEMP|TEMPORARY] TRIGGER. An unterminated quote or block comment
 * makes the text incomplete.
 *
 * Callers: the shell (to know when to run what was typed) and the C API.
 */
#include "sql_int.h"

#include <string.h>

/* Where a statement's leading words have got to. */
enum lead {
    LEAD_START, LEAD_EXPLAIN, LEAD_CREATE, LEAD_CREATE_TEMP, LEAD_TRIGGER, LEAD_OTHER
};

static enum lead
lead_next(enum lead lead, int type)
{
    switch (lead) {
    case LEAD_START:
        return type == TK_EXPLAIN ? LEAD_EXPLAIN : type == TK_CREATE ? LEAD_CREATE : LEAD_OTHER;
    case LEAD_EXPLAIN:
        return type == TK_CREATE ? LEAD_CREATE : LEAD_OTHER;
    case LEAD_CREATE:
        if (type == TK_TEMP || type == TK_TEMPORARY)
            return LEAD_CREATE_TEMP;
        return type == TK_TRIGGER ? LEAD_TRIGGER : LEAD_OTHER;
    case LEAD_CREATE_TEMP:
        return type == TK_TRIGGER ? LEAD_TRIGGER : LEAD_OTHER;
    default:
        return lead;
    }
}

/* An unterminated quote, bracket or block comment. */
static int
is_unterminated(const char *z, size_t len, int type)
{
    if (type == TK_ILLEGAL)
        return z[0] == '\'' || z[0] == '"' || z[0] == '`' || z[0] == '[';
    if (type == TK_COMMENT && z[0] == '/')
        return len < 4 || z[len - 2] != '*' || z[len - 1] != '/';
    return 0;
}

int
sql_complete(const char *sql)
{
    size_t n, pos = 0;
    enum lead lead = LEAD_START;
    int complete = 0, last_was_end = 0;

    if (sql == NULL)
        return 0;
    n = strlen(sql);
    while (pos < n) {
        int type;
        size_t len = sql_token_scan(sql + pos, n - pos, &type);
        if (is_unterminated(sql + pos, len, type))
            return 0;
        pos += len;
        if (type == TK_SPACE || type == TK_COMMENT)
            continue;
        if (type == TK_SEMI && (lead != LEAD_TRIGGER || last_was_end)) {
            complete = 1;
            lead = LEAD_START;
        } else if (type != TK_SEMI) {
            complete = 0;
            lead = lead_next(lead, type);
        }
        last_was_end = type == TK_END;
    }
    return complete;
}
