/*
 * core/func/func_int.h: what the files of the func module share: each
 * file's table of definitions (collected by registry.c) and the argument
 * helpers every function uses.
 *
 * Included only by the .c files of core/func.
 */
#ifndef CHORUS_FUNC_INT_H
#define CHORUS_FUNC_INT_H

#include "func.h"
#include "value.h"

/* One file's definitions. */
typedef struct func_table {
    const func_def *defs;
    int n;
} func_table;

extern const func_table func_string_table;
extern const func_table func_printf_table;
extern const func_table func_misc_table;
extern const func_table func_math_table;
extern const func_table func_aggregate_table;
extern const func_table func_datetime_table;
extern const func_table func_json_table;
extern const func_table func_json_aggregate_table;
extern const func_table func_build_info_table;

/* SQLite's length limit for strings and blobs a function builds. */
enum { FUNC_MAX_LENGTH = 1000000000 };

/*
 * The text of an argument without allocating: text and blob bytes are
 * borrowed from v, numbers are rendered into buf; NULL gives NULL (and
 * *n_out 0). Valid while v and buf are.
 */
const char *func_arg_text(const value *v, char buf[VALUE_REAL_BUF], int *n_out);

/*
 * SQLite's sqlite3_value_numeric_type: numbers stay; text that is wholly
 * numeric becomes a number (*out); other text, blobs and NULL keep their
 * type. Returns out->type.
 */
int func_arg_numeric(const value *v, value *out);

/* Sets ctx->result to owned text z of n bytes built in sb, or records
 * CHORUS_NOMEM / CHORUS_TOOBIG. Frees sb's buffer either way. */
int func_result_strbuf(func_ctx *ctx, strbuf *sb);

#endif /* CHORUS_FUNC_INT_H */
