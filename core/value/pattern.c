/*
 * core/value/pattern.c: the LIKE and GLOB matchers.
 *
 * Both walk pattern and text once with one backtrack point: every pattern
 * element other than the "many" wildcard ('%' or '*') matches exactly one
 * character, so on a mismatch it is enough to retry from the latest "many"
 * wildcard one character further into the text. Worst case O(pattern x
 * text), no recursion, no allocation.
 *
 * Characters are UTF-8 code points; a malformed byte counts as a character
 * of its own. As in SQLite, which reads both strings as C strings, a NUL
 * byte ends the pattern or the text.
 *
 * Callers: core/func (like(), glob()), core/vm (LIKE and GLOB operators).
 */
#include <string.h>

#include "value.h"

/* A cursor over a UTF-8 string of known length. */
typedef struct utf8_in {
    const unsigned char *z;
    int n;
    int pos;
} utf8_in;

static void
utf8_init(utf8_in *in, const char *z, int n)
{
    const char *nul = n > 0 ? memchr(z, '\0', (size_t)n) : NULL;

    in->z = (const unsigned char *)z;
    in->n = nul != NULL ? (int)(nul - z) : (n > 0 ? n : 0);
    in->pos = 0;
}

/* Reads the next code point (the caller checked pos < n). */
static int
utf8_next(utf8_in *in)
{
    int c = in->z[in->pos++];

    if (c < 0xc0)
        return c;
    int bits = c >= 0xf0 ? 0x07 : c >= 0xe0 ? 0x0f : 0x1f;
    c &= bits;
    while (in->pos < in->n && (in->z[in->pos] & 0xc0) == 0x80)
        c = (c << 6) | (in->z[in->pos++] & 0x3f);
    return c;
}

static int
ascii_fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The rules one matcher follows. */
typedef struct pattern_rules {
    int many;               /* '%' or '*' */
    int one;                /* '_' or '?' */
    int escape;             /* LIKE's escape code point, -1 for none */
    bool fold;              /* ASCII case folding (LIKE without case_sensitive) */
    bool classes;           /* GLOB's [...] */
} pattern_rules;

/* Outcome of matching one pattern element against one text character. */
enum elem_match { ELEM_NO, ELEM_YES, ELEM_NEVER };

/*
 * Matches the class at pat (just after '[') against c; moves pat past the
 * closing ']'. ELEM_NEVER when the class is not closed.
 */
static enum elem_match
class_match(utf8_in *pat, int c)
{
    bool negate = false;
    bool seen = false;
    int prev = 0;

    if (pat->pos < pat->n && pat->z[pat->pos] == '^') {
        negate = true;
        pat->pos++;
    }
    if (pat->pos < pat->n && pat->z[pat->pos] == ']') {
        pat->pos++;
        seen = c == ']';
    }
    for (;;) {
        if (pat->pos >= pat->n)
            return ELEM_NEVER;
        int pc = utf8_next(pat);
        if (pc == ']')
            break;
        if (pc == '-' && prev != 0 && pat->pos < pat->n && pat->z[pat->pos] != ']') {
            int hi = utf8_next(pat);
            seen |= c >= prev && c <= hi;
            prev = 0;
        } else {
            seen |= c == pc;
            prev = pc;
        }
    }
    return seen != negate ? ELEM_YES : ELEM_NO;
}

/* Matches the pattern element at pat (not a "many") against c; moves pat
 * past the element. */
static enum elem_match
elem_match(utf8_in *pat, int c, const pattern_rules *r)
{
    int pc = utf8_next(pat);

    if (pc == r->one)
        return ELEM_YES;
    if (r->classes && pc == '[')
        return class_match(pat, c);
    if (pc == r->escape) {
        if (pat->pos >= pat->n)
            return ELEM_NEVER;
        pc = utf8_next(pat);
    }
    if (r->fold)
        return ascii_fold(pc) == ascii_fold(c) ? ELEM_YES : ELEM_NO;
    return pc == c ? ELEM_YES : ELEM_NO;
}

static bool
pattern_match(const char *pattern, int pn, const char *text, int tn, const pattern_rules *r)
{
    utf8_in pat, txt;
    int star_pat = -1;      /* pattern position after the latest "many" */
    int star_txt = 0;       /* text position that "many" is retried from */

    utf8_init(&pat, pattern, pn);
    utf8_init(&txt, text, tn);
    while (txt.pos < txt.n) {
        if (pat.pos < pat.n && pat.z[pat.pos] == r->many) {
            pat.pos++;
            star_pat = pat.pos;
            star_txt = txt.pos;
            continue;
        }
        if (pat.pos < pat.n) {
            int save_txt = txt.pos;
            int c = utf8_next(&txt);
            enum elem_match m = elem_match(&pat, c, r);
            if (m == ELEM_NEVER)
                return false;
            if (m == ELEM_YES)
                continue;
            txt.pos = save_txt;
        }
        if (star_pat < 0)
            return false;
        txt.pos = star_txt;
        utf8_next(&txt);
        star_txt = txt.pos;
        pat.pos = star_pat;
    }
    while (pat.pos < pat.n && pat.z[pat.pos] == r->many)
        pat.pos++;
    return pat.pos == pat.n;
}

bool
value_like(const char *pattern, int pn, const char *text, int tn, int escape,
           bool case_sensitive)
{
    pattern_rules r = { .many = '%', .one = '_', .escape = escape, .fold = !case_sensitive };

    /* An escape character that is also a wildcard is only the escape. */
    if (escape == '%')
        r.many = -2;
    if (escape == '_')
        r.one = -2;
    return pattern_match(pattern, pn, text, tn, &r);
}

bool
value_glob(const char *pattern, int pn, const char *text, int tn)
{
    pattern_rules r = { .many = '*', .one = '?', .escape = -1, .classes = true };

    return pattern_match(pattern, pn, text, tn, &r);
}
