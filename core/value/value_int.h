/*
 * core/value/value_int.h: what the files of the value module share and no
 * other module sees: the scanner of numeric text.
 *
 * Included only by the .c files of core/value.
 */
#ifndef CHORUS_VALUE_INT_H
#define CHORUS_VALUE_INT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The longest numeric prefix of a text, as SQLite reads one: leading spaces,
 * a sign, digits, an optional '.' and fraction, an optional exponent (only
 * when digits follow the 'e' and its sign).
 */
typedef struct num_scan {
    bool has_digits;        /* the prefix holds at least one digit */
    bool is_int;            /* the prefix is sign and digits only */
    bool int_fits;          /* is_int and the integer is within int64 */
    bool whole;             /* nothing but spaces follows the prefix */
    int64_t i;              /* the integer when int_fits */
    double r;               /* the prefix's value as a correctly rounded double */
} num_scan;

/* Scans z[0..n) (no allocation). With no digits the result is all zero and
 * whole is false. */
void num_scan_text(const char *z, int n, num_scan *out);

/* Whether c is a space as SQLite's numeric parser sees one. */
static inline bool
num_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

#endif /* CHORUS_VALUE_INT_H */
