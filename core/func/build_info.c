/*
 * core/func/build_info.c: what SQL can ask about the build: sqlite_version(),
 * sqlite_source_id(), sqlite_compileoption_used(), sqlite_compileoption_get(),
 * and the list of compile options that PRAGMA compile_options shows too.
 *
 * Rules
 *   BI1 sqlite_version() names the SQLite release whose SQL ChorusDB follows;
 *       sqlite_source_id() names ChorusDB itself (chorus_version()), in
 *       SQLite's shape "<date> <time> <id>", so tools that split it still can.
 *   BI2 The compile options are one list (func_compile_option_at), without
 *       the SQLITE_ prefix, as SQLite lists them. sqlite_compileoption_used(X)
 *       drops an optional "SQLITE_" prefix from X (any case) and is 1 when X
 *       is an option's name up to its end or its '=', compared without case;
 *       NULL for NULL. sqlite_compileoption_get(N) takes N as sqlite3_value_int
 *       does (the low 32 bits of the integer; NULL and text that is no
 *       number are 0) and is NULL past either end of the list.
 *   BI3 None of these is deterministic (SQLite's flags): an index expression
 *       refuses them.
 *
 * Callers: core/vm through func_find(); core/catalog/pragma.c
 * (PRAGMA compile_options) through func_compile_option_at().
 */
#include <string.h>
#include <strings.h>

#include "func_int.h"

static const char *const compile_options[] = {
    "ENABLE_MATH_FUNCTIONS", "JOURNAL_MODE_WAL", "THREADSAFE=1",
};

const char *
func_compile_option_at(int i)
{
    return i >= 0 && i < (int)CHORUS_ARRAY_LEN(compile_options) ? compile_options[i] : NULL;
}

static int
fn_sqlite_version(func_ctx *ctx, int argc, const value *argv)
{
    return func_result_text(ctx, "3.45.0", 6);
}

static int
fn_sqlite_source_id(func_ctx *ctx, int argc, const value *argv)
{
    static const char source_id[] = "2026-11-26 00:00:00 chorusdb-0.1.0";

    return func_result_text(ctx, source_id, (int32_t)strlen(source_id));
}

/* BI2: whether name (n bytes, no SQLITE_ prefix) names option. */
static bool
option_named(const char *option, const char *name, int n)
{
    return strncasecmp(option, name, (size_t)n) == 0
           && (option[n] == '\0' || option[n] == '=');
}

static int
fn_compileoption_used(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *name = func_arg_text(&argv[0], buf, &n);
    const char *option;

    if (name == NULL)
        return CHORUS_OK;
    if (n >= 7 && strncasecmp(name, "SQLITE_", 7) == 0) {
        name += 7;
        n -= 7;
    }
    /* A NUL inside the argument ends the name, as in C. */
    n = (int)strnlen(name, (size_t)n);
    for (int i = 0; (option = func_compile_option_at(i)) != NULL; i++) {
        if (option_named(option, name, n)) {
            func_result_int(ctx, 1);
            return CHORUS_OK;
        }
    }
    func_result_int(ctx, 0);
    return CHORUS_OK;
}

static int
fn_compileoption_get(func_ctx *ctx, int argc, const value *argv)
{
    int index = (int)(int32_t)(uint32_t)value_to_int64(&argv[0]);
    const char *option = func_compile_option_at(index);

    if (option == NULL)
        return CHORUS_OK;
    return func_result_text(ctx, option, (int32_t)strlen(option));
}

static const func_def defs[] = {
    { .name = "sqlite_version", .n_args = 0, .scalar = fn_sqlite_version },
    { .name = "sqlite_source_id", .n_args = 0, .scalar = fn_sqlite_source_id },
    { .name = "sqlite_compileoption_used", .n_args = 1, .scalar = fn_compileoption_used },
    { .name = "sqlite_compileoption_get", .n_args = 1, .scalar = fn_compileoption_get },
};

const func_table func_build_info_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
