/*
 * core/func/json_aggregate.c: the aggregates json_group_array(X) and
 * json_group_object(NAME, X), usable as window functions.
 *
 * The state is the JSON text built so far, "[" or "{" followed by the
 * members with their commas; final() and value() close it. inverse()
 * drops the oldest member by scanning the text to the first comma outside
 * strings and brackets, as SQLite does.
 *
 * A NULL name in json_group_object writes no key at all (SQLite 3.40 to
 * 3.45 do the same, producing text that is not valid JSON).
 *
 * Ownership: the state owns its strbuf, freed by destroy().
 * Callers: core/vm through func_find().
 */
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

typedef struct group_state {
    strbuf text;            /* "[" or "{" and the members; empty before the first step */
} group_state;

/* Opens the text with open, or adds a comma after a member. */
static void
group_start(group_state *s, char open)
{
    if (s->text.len == 0)
        strbuf_putc(&s->text, open);
    else if (s->text.len > 1)
        strbuf_putc(&s->text, ',');
}

static int
group_array_step(func_ctx *ctx, int argc, const value *argv)
{
    group_state *s = ctx->state;

    (void)argc;
    group_start(s, '[');
    return json_append_sql(ctx, &s->text, &argv[0]);
}

static int
group_object_step(func_ctx *ctx, int argc, const value *argv)
{
    group_state *s = ctx->state;
    char buf[VALUE_REAL_BUF];
    int n;
    const char *key = func_arg_text(&argv[0], buf, &n);

    (void)argc;
    group_start(s, '{');
    if (key != NULL)
        json_append_string(&s->text, key, n);
    strbuf_putc(&s->text, ':');
    return json_append_sql(ctx, &s->text, &argv[1]);
}

/* Removes the oldest member from the text. */
static int
group_inverse(func_ctx *ctx, int argc, const value *argv)
{
    group_state *s = ctx->state;
    char *z = s->text.data;
    size_t n = s->text.len, i;
    int nest = 0;
    bool in_string = false;

    (void)argc;
    (void)argv;
    for (i = 1; i < n && (z[i] != ',' || in_string || nest > 0); i++) {
        if (z[i] == '"')
            in_string = !in_string;
        else if (z[i] == '\\')
            i++;
        else if (!in_string && (z[i] == '[' || z[i] == '{'))
            nest++;
        else if (!in_string && (z[i] == ']' || z[i] == '}'))
            nest--;
    }
    if (i < n) {
        memmove(z + 1, z + i + 1, n - i - 1);
        s->text.len = n - i;
    } else if (n > 0) {
        s->text.len = 1;
    }
    if (z != NULL)
        z[s->text.len] = '\0';
    return CHORUS_OK;
}

/* The text so far closed with close; empty groups give "[]" or "{}". */
static int
group_result(func_ctx *ctx, char open, char close)
{
    group_state *s = ctx->state;
    strbuf sb;

    if (s->text.failed) {
        func_error(ctx, CHORUS_NOMEM, "out of memory");
        return ctx->rc;
    }
    strbuf_init(&sb);
    if (s->text.len == 0)
        strbuf_putc(&sb, open);
    else
        strbuf_append(&sb, s->text.data, s->text.len);
    strbuf_putc(&sb, close);
    return json_result_strbuf(ctx, &sb);
}

static int
group_array_final(func_ctx *ctx)
{
    return group_result(ctx, '[', ']');
}

static int
group_object_final(func_ctx *ctx)
{
    return group_result(ctx, '{', '}');
}

static void
group_destroy(void *state)
{
    strbuf_free(&((group_state *)state)->text);
}

#define AGG (FUNC_AGGREGATE | FUNC_WINDOW | FUNC_DETERMINISTIC)
static const func_def defs[] = {
    { .name = "json_group_array", .n_args = 1, .flags = AGG, .state_size = sizeof(group_state),
      .step = group_array_step, .inverse = group_inverse, .value = group_array_final,
      .final = group_array_final, .destroy = group_destroy },
    { .name = "json_group_object", .n_args = 2, .flags = AGG, .state_size = sizeof(group_state),
      .step = group_object_step, .inverse = group_inverse, .value = group_object_final,
      .final = group_object_final, .destroy = group_destroy },
};

const func_table func_json_aggregate_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
