/*
 * core/value/value.h: the meaning of SQL values: type affinity, numeric
 * conversion, number rendering, CAST, arithmetic, truth, comparison under
 * SQLite's affinity rules, and the LIKE and GLOB matchers. The surface of the
 * value module, used by the compiler (affinity of declared types), the VM
 * (operators, comparisons, column affinity) and the built-in functions.
 *
 * Semantics follow SQLite 3.45 exactly; where this header says "as SQLite",
 * the sqlite3 CLI is the oracle the tests check against.
 *
 * Ownership: a function that writes a value through an out parameter writes
 * it without freeing what was there (call value_clear() first when it may
 * own memory). Outputs that may allocate say so; their owned bytes are freed
 * with value_clear(). Functions that modify a value in place (value_apply_
 * affinity, value_cast) free what the value owned when they replace it.
 *
 * Threads: every function here is pure apart from allocation and may be
 * called from any thread.
 */
#ifndef CHORUS_VALUE_H
#define CHORUS_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "record.h"

/* --- affinity ----------------------------------------------------------- */

/*
 * Type affinities, with SQLite's letters. AFFINITY_NONE is the affinity of
 * an expression that is neither a column reference nor a CAST; for storage
 * it behaves as BLOB (nothing is converted), but in comparisons it differs
 * from BLOB: TEXT affinity on the other side applies to a NONE operand and
 * not to a BLOB-affinity one (see value_compare_sql).
 */
enum affinity {
    AFFINITY_NONE = 0,
    AFFINITY_BLOB = 'A',
    AFFINITY_TEXT = 'B',
    AFFINITY_NUMERIC = 'C',
    AFFINITY_INTEGER = 'D',
    AFFINITY_REAL = 'E'
};

/*
 * The affinity of a declared column type, by SQLite's rules in order:
 * contains "INT" -> INTEGER; "CHAR", "CLOB" or "TEXT" -> TEXT; "BLOB" or no
 * type (NULL or empty) -> BLOB; "REAL", "FLOA" or "DOUB" -> REAL; otherwise
 * NUMERIC. Case-insensitive.
 */
char affinity_from_type(const char *decl_type);

/* The affinity CAST(x AS type_name) converts to: affinity_from_type, except
 * that no type name (CAST(x AS)) is NUMERIC, as in SQLite. */
char affinity_from_cast_type(const char *type_name);

/*
 * Converts *v as when it is stored into a column of affinity aff:
 *   TEXT: integers and reals become their text rendering.
 *   NUMERIC, INTEGER: text that is a whole number becomes INTEGER (or REAL
 *     when it needs a fraction or is out of the int64 range); a REAL with an
 *     exact integer value inside the int64 range becomes INTEGER.
 *   REAL: numeric text and integers become REAL.
 *   BLOB, NONE: nothing changes.
 * NULLs and blobs never change. Text that is not wholly numeric stays text.
 * Returns CHORUS_OK or CHORUS_NOMEM (v unchanged then). A new text value is
 * owned by v.
 */
int value_apply_affinity(value *v, char aff);

/*
 * Converts *v as a comparison does to an operand of affinity aff (index
 * probes, IN values): NUMERIC, INTEGER and REAL alike turn wholly numeric
 * text into a number (INTEGER when it is a whole number in range) and leave
 * numbers as they are, so 9223372036854775806 stays below the REAL
 * 9223372036854775808.0; TEXT, BLOB and NONE as value_apply_affinity.
 * Returns CHORUS_OK or CHORUS_NOMEM.
 */
int value_apply_compare_affinity(value *v, char aff);

/* --- numeric conversion ------------------------------------------------- */

/*
 * Whether z[0..n) is a number as SQLite's affinity rules see one: optional
 * leading and trailing spaces, an optional sign, digits with an optional
 * '.' and fraction, an optional exponent. "0x..." hex is not numeric text,
 * nor is "", "inf" or "1e".
 */
bool value_looks_numeric(const char *z, int n);

/*
 * Parses z[0..n) as a number. *out receives the value of the longest
 * numeric prefix (after leading spaces): INTEGER when that prefix is an
 * integer literal that fits in int64, else REAL; integer 0 when there is no
 * numeric prefix. Returns 1 when the whole text (trailing spaces allowed)
 * was that number, 0 otherwise.
 */
int value_text_to_numeric(const char *z, int n, value *out);

/*
 * Integer value as CAST(x AS INTEGER): NULL -> 0; real -> truncated toward
 * zero, saturating to the int64 range (NaN -> 0); text and blob bytes -> the
 * longest numeric prefix as an integer, saturating ("12abc" -> 12,
 * "1e3" -> 1000, "9999999999999999999" -> INT64_MAX).
 */
int64_t value_to_int64(const value *v);

/* Real value as CAST(x AS REAL): NULL -> 0.0; text and blob bytes -> the
 * longest numeric prefix ("1.5xyz" -> 1.5, "abc" -> 0.0). */
double value_to_double(const value *v);

/*
 * *out = CAST(v AS NUMERIC): integers and reals as they are; NULL stays
 * NULL; text and blob bytes -> the longest numeric prefix, as INTEGER when
 * it is an integer literal in range or a real with an exact integer value
 * (CAST('1.0' AS NUMERIC) = 1, CAST('1.5x' AS NUMERIC) = 1.5). Never
 * allocates; always CHORUS_OK.
 */
int value_to_numeric(const value *v, value *out);

/* --- text rendering ----------------------------------------------------- */

/* Longest text value_format_real / value_format_int write, NUL included. */
enum { VALUE_REAL_BUF = 32, VALUE_INT_BUF = 24 };

/*
 * Renders r as SQLite's "%!.15g": "1.0", "0.1", "1.0e+20", "-1.5e-07",
 * "1.23456789012346e+17", "Inf", "-Inf" (NaN renders as NULL in SQLite; here
 * it renders as "NaN" and callers that care check isnan first). Writes a
 * NUL-terminated string into buf; returns its length.
 */
int value_format_real(double r, char buf[VALUE_REAL_BUF]);
/* Renders i in decimal into buf (NUL-terminated); returns its length. */
int value_format_int(int64_t i, char buf[VALUE_INT_BUF]);

/*
 * A floating-point conversion of SQLite's printf, for format()/printf():
 * conv is 'f', 'e', 'E', 'g' or 'G'; precision < 0 means the default 6.
 * Flags as SQLite's: alt '#' keeps the point, alt2 '!' keeps one digit
 * after the point for %g and allows 26 significant digits instead of 16,
 * zero_pad '0' turns infinities into 9e+999 (so the text reads back as
 * infinity), sign_prefix is '+', ' ' or 0 for non-negative numbers. Width
 * is the caller's business. Appends to out (check out->failed).
 */
typedef struct value_real_spec {
    char conv;
    int precision;
    bool alt;
    bool alt2;
    bool zero_pad;
    char sign_prefix;
} value_real_spec;

void value_format_real_spec(double r, const value_real_spec *spec, strbuf *out);

/*
 * *out = v as text: text is borrowed from v (the same bytes; valid as long
 * as v's bytes), blobs are borrowed as their bytes retyped to text, numbers
 * are rendered into owned memory, NULL gives NULL. CHORUS_OK or
 * CHORUS_NOMEM (*out NULL then).
 */
int value_to_text(const value *v, value *out);

/* "integer", "real", "text", "blob" or "null": static text (typeof()). */
const char *value_type_name(int type);

/* --- CAST ---------------------------------------------------------------- */

/*
 * CAST(*v AS type_name), in place. The target is affinity_from_cast_type(
 * type_name): BLOB -> the bytes of the text rendering; TEXT -> text;
 * NUMERIC -> value_to_numeric; INTEGER -> value_to_int64; REAL ->
 * value_to_double. NULL stays NULL. CHORUS_OK or CHORUS_NOMEM (v unchanged).
 */
int value_cast(value *v, const char *type_name);
/* The same with the affinity already resolved (aff is not NONE). */
int value_cast_affinity(value *v, char aff);

/* --- operators ----------------------------------------------------------- */

/*
 * *out = a op b for op in AST_OP_ADD, SUB, MUL, DIV, MOD, BITAND, BITOR,
 * LSHIFT, RSHIFT, CONCAT (ast_op codes from sql.h):
 *   - NULL on either side gives NULL.
 *   - Text and blob operands of arithmetic are converted by their numeric
 *     prefix as value_text_to_numeric does ('3.0' + 0 is REAL 3.0, '1abc' +
 *     1 is INTEGER 2).
 *   - Integer + - * that overflow are done in REAL instead.
 *   - Integer / and % by zero give NULL; so do real / by 0.0 and % whose
 *     truncated divisor is 0.
 *   - % with a REAL operand works on the int64-truncated operands and gives
 *     a REAL (5.5 % 2 = 1.0).
 *   - Bitwise operators and shifts work on value_to_int64 of each side; a
 *     negative shift count shifts the other way; counts >= 64 give 0 (or -1
 *     for a right shift of a negative number).
 *   - CONCAT renders numbers as text; blob bytes are taken as text. The
 *     result is owned text.
 * Returns CHORUS_OK, CHORUS_NOMEM, or CHORUS_MISUSE for another op.
 */
int value_arith(int op, const value *a, const value *b, value *out);

/* *out = -a: NULL stays NULL; -INT64_MIN becomes REAL 9.22337203685478e+18;
 * text converts by numeric prefix first. Always CHORUS_OK. */
int value_negate(const value *a, value *out);
/* *out = ~a on value_to_int64(a); NULL stays NULL. Always CHORUS_OK. */
int value_bitnot(const value *a, value *out);

/*
 * Truth value of v as in WHERE or NOT: 1 true, 0 false, -1 NULL. Numbers are
 * true when non-zero; text and blobs by their numeric prefix as a real
 * ('1abc' and '0.5' are true, 'abc' is false).
 */
int value_truth(const value *v);

/* --- comparison ---------------------------------------------------------- */

/*
 * Compares a (of affinity aff_a) with b (of affinity aff_b) as SQLite's
 * = < > operators do, after the comparison affinity rules:
 *   1. If either side has INTEGER, REAL or NUMERIC affinity and the other
 *      does not, numeric text on the other side is converted to a number.
 *   2. Otherwise, if one side has TEXT affinity and the other has NONE,
 *      numbers on the NONE side are rendered as text.
 *   3. Otherwise (both TEXT, TEXT vs BLOB, BLOB vs NONE, ...) nothing is
 *      converted.
 * The conversions apply to copies; then the values compare as
 * value_compare() (numbers < text < blob; text by coll). Returns <0, 0, >0.
 * NULL operands are the caller's business (they compare lowest here).
 * Never allocates.
 */
int value_compare_sql(const value *a, char aff_a, const value *b, char aff_b, collation coll);

/* --- pattern matching ---------------------------------------------------- */

/*
 * SQL LIKE: does text[0..tn) match pattern[0..pn)? '%' matches any run of
 * characters, '_' one UTF-8 character; escape (a code point, or -1 for
 * none) makes the next pattern character literal. Unless case_sensitive,
 * ASCII letters match either case (SQLite's default). No allocation.
 */
bool value_like(const char *pattern, int pn, const char *text, int tn, int escape,
                bool case_sensitive);

/*
 * SQL GLOB (case-sensitive): '*' any run, '?' one UTF-8 character,
 * '[abc]', '[a-z]', '[^...]' character classes (a ']' first in the class is
 * literal). No allocation.
 */
bool value_glob(const char *pattern, int pn, const char *text, int tn);

#endif /* CHORUS_VALUE_H */
