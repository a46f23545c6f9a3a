/*
 * core/sql/keywords.c: SQLite's keyword table and its lookup.
 *
 * The table is SQL_KEYWORD_LIST of sql_int.h, in alphabetical order, so a
 * word is looked up by upper-casing it into a small buffer and a binary
 * search (eight comparisons at most for 147 words); no allocation, no
 * initialization at run time, safe from any thread.
 *
 * Invariants
 *   K1  keyword_names[i] is the keyword whose token code is TK_FIRST_KEYWORD + i.
 *   K2  keyword_names is sorted by strcmp (tests/core/sql/test_tokenize.c checks).
 *
 * Callers: tokenize.c (every identifier), complete.c, normalize.c, and
 * sql_is_keyword for the rest of the engine.
 */
#include "sql_int.h"

#include <string.h>

#define KW_NAME(name, cls) #name,
static const char *const keyword_names[] = {SQL_KEYWORD_LIST(KW_NAME)};
#undef KW_NAME

#define KW_CLASS(name, cls) SQL_KW_##cls,
static const unsigned char keyword_classes[] = {SQL_KEYWORD_LIST(KW_CLASS)};
#undef KW_CLASS

enum { KEYWORD_MAX_LEN = 17 };  /* CURRENT_TIMESTAMP */

int
sql_keyword_code(const char *word, size_t n)
{
    char upper[KEYWORD_MAX_LEN + 1];
    int lo = 0, hi = (int)CHORUS_ARRAY_LEN(keyword_names) - 1;

    if (n < 2 || n > KEYWORD_MAX_LEN)
        return TK_ID;
    for (size_t i = 0; i < n; i++) {
        char c = word[i];
        upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    upper[n] = '\0';
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int cmp = strcmp(upper, keyword_names[mid]);
        if (cmp == 0)
            return TK_FIRST_KEYWORD + mid;
        if (cmp < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return TK_ID;
}

int
sql_keyword_class(int type)
{
    if (type < TK_FIRST_KEYWORD || type > TK_LAST_KEYWORD)
        return SQL_KW_N;
    return keyword_classes[type - TK_FIRST_KEYWORD];
}

const char *
sql_keyword_name(int i)
{
    if (i < 0 || i >= (int)CHORUS_ARRAY_LEN(keyword_names))
        return NULL;
    return keyword_names[i];
}

int
sql_is_keyword(const char *word, int n)
{
    if (word == NULL || n < 0)
        return 0;
    return sql_keyword_code(word, (size_t)n) != TK_ID;
}
