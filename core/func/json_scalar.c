/*
 * core/func/json_scalar.c: SQLite's scalar JSON functions: json, json_array,
 * json_array_length, json_extract, json_insert, json_replace, json_set,
 * json_object, json_patch, json_remove, json_type, json_valid, json_quote,
 * json_error_position, json_pretty, and the -> and ->> operators
 * (registered as functions named "->" and "->>" for the compiler).
 *
 * Each call parses its document argument into a json_doc on the stack,
 * works on the tree and renders the result; nothing is cached between
 * calls. Results that are JSON text carry subtype 'J' so that JSON
 * functions they are passed to insert them as JSON, not as strings.
 *
 * Error messages are SQLite's ("malformed JSON", "JSON path error near
 * '...'", "JSON cannot hold BLOB values", argument count messages).
 *
 * Ownership: arguments are borrowed for the call; the document borrows
 * them; results are owned by ctx->result.
 * Callers: core/vm through func_find().
 */
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

/* Parses argv[0] into doc; false (NULL result or error recorded) when the
 * function has nothing more to do. */
static bool
open_doc(func_ctx *ctx, json_doc *doc, const value *arg, int32_t *root)
{
    json_doc_init(doc);
    *root = -1;
    if (arg->type == VALUE_NULL)
        return false;
    return json_parse_arg(ctx, doc, arg, root) == CHORUS_OK;
}

/* Finds path (or the root when path is NULL) in doc. Returns the node, or
 * -1 when there is none (error recorded when it was one). */
static int32_t
find_path(func_ctx *ctx, json_doc *doc, int32_t root, const value *path)
{
    int32_t node;

    if (path == NULL)
        return root;
    if (json_lookup_arg(ctx, doc, root, path, JSON_LOOKUP_FIND, &node) != JSON_FOUND)
        return -1;
    return node;
}

static int
fn_json(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root;

    (void)argc;
    if (open_doc(ctx, &doc, &argv[0], &root))
        json_result_json(ctx, &doc, root);
    json_doc_free(&doc);
    return ctx->rc;
}

static int
fn_json_array(func_ctx *ctx, int argc, const value *argv)
{
    strbuf sb;

    strbuf_init(&sb);
    strbuf_putc(&sb, '[');
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            strbuf_putc(&sb, ',');
        if (json_append_sql(ctx, &sb, &argv[i]) != CHORUS_OK) {
            strbuf_free(&sb);
            return ctx->rc;
        }
    }
    strbuf_putc(&sb, ']');
    return json_result_strbuf(ctx, &sb);
}

static int
fn_json_object(func_ctx *ctx, int argc, const value *argv)
{
    strbuf sb;

    if (argc % 2 != 0) {
        func_error(ctx, CHORUS_ERROR, "json_object() requires an even number of arguments");
        return ctx->rc;
    }
    strbuf_init(&sb);
    strbuf_putc(&sb, '{');
    for (int i = 0; i < argc; i += 2) {
        if (argv[i].type != VALUE_TEXT) {
            func_error(ctx, CHORUS_ERROR, "json_object() labels must be TEXT");
            strbuf_free(&sb);
            return ctx->rc;
        }
        if (i > 0)
            strbuf_putc(&sb, ',');
        json_append_string(&sb, argv[i].u.z, argv[i].n);
        strbuf_putc(&sb, ':');
        if (json_append_sql(ctx, &sb, &argv[i + 1]) != CHORUS_OK) {
            strbuf_free(&sb);
            return ctx->rc;
        }
    }
    strbuf_putc(&sb, '}');
    return json_result_strbuf(ctx, &sb);
}

static int
fn_json_array_length(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root, node;

    if (open_doc(ctx, &doc, &argv[0], &root) &&
        (node = find_path(ctx, &doc, root, argc > 1 ? &argv[1] : NULL)) >= 0) {
        int64_t n = 0;
        if (doc.nodes[node].type == JSON_ARRAY)
            for (int32_t c = doc.nodes[node].first; c >= 0; c = doc.nodes[c].next)
                n++;
        func_result_int(ctx, n);
    }
    json_doc_free(&doc);
    return ctx->rc;
}

/* json_extract with several paths: a JSON array of the answers, null for
 * the paths that find nothing. */
static int
extract_many(func_ctx *ctx, json_doc *doc, int32_t root, int argc, const value *argv)
{
    strbuf sb;

    strbuf_init(&sb);
    strbuf_putc(&sb, '[');
    for (int i = 1; i < argc; i++) {
        int32_t node = find_path(ctx, doc, root, &argv[i]);
        if (ctx->rc != CHORUS_OK) {
            strbuf_free(&sb);
            return ctx->rc;
        }
        if (i > 1)
            strbuf_putc(&sb, ',');
        if (node < 0)
            strbuf_puts(&sb, "null");
        else
            json_render(doc, node, NULL, &sb);
    }
    strbuf_putc(&sb, ']');
    return json_result_strbuf(ctx, &sb);
}

static int
fn_json_extract(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root, node;

    if (argc < 2)
        return CHORUS_OK;
    if (open_doc(ctx, &doc, &argv[0], &root)) {
        if (argc > 2)
            extract_many(ctx, &doc, root, argc, argv);
        else if ((node = find_path(ctx, &doc, root, &argv[1])) >= 0)
            json_result_node(ctx, &doc, node);
    }
    json_doc_free(&doc);
    return ctx->rc;
}

/*
 * The path the right operand of -> and ->> names: a text starting with '$'
 * is a path; an integer N is $[N] ($[#-N] when negative); other text is a
 * key ($.text) or, starting with a digit or '[', an index ($[text], $text).
 * Returns false (nothing recorded) for a NULL operand.
 */
static bool
operand_path(const value *v, strbuf *sb)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z;

    if (v->type == VALUE_INTEGER) {
        if (v->u.i >= 0)
            strbuf_printf(sb, "$[%lld]", (long long)v->u.i);
        else
            strbuf_printf(sb, "$[#%lld]", (long long)v->u.i);
        return true;
    }
    if ((z = func_arg_text(v, buf, &n)) == NULL)
        return false;
    if (n > 0 && z[0] == '$')
        strbuf_append(sb, z, (size_t)n);
    else if (n > 0 && z[0] >= '0' && z[0] <= '9')
        strbuf_printf(sb, "$[%.*s]", n, z);
    else
        strbuf_printf(sb, "$%s%.*s", n > 0 && z[0] == '[' ? "" : ".", n, z);
    return true;
}

/* -> (as_json) and ->> (SQL value). */
static int
arrow(func_ctx *ctx, const value *argv, bool as_json)
{
    json_doc doc;
    int32_t root, node;
    strbuf path;
    value path_value;

    strbuf_init(&path);
    if (!operand_path(&argv[1], &path)) {
        strbuf_free(&path);
        return CHORUS_OK;
    }
    if (path.failed) {
        strbuf_free(&path);
        func_error(ctx, CHORUS_NOMEM, "out of memory");
        return ctx->rc;
    }
    value_set_text_ref(&path_value, path.data, (int32_t)path.len);
    if (open_doc(ctx, &doc, &argv[0], &root) &&
        (node = find_path(ctx, &doc, root, &path_value)) >= 0) {
        if (as_json)
            json_result_json(ctx, &doc, node);
        else
            json_result_node(ctx, &doc, node);
    }
    json_doc_free(&doc);
    strbuf_free(&path);
    return ctx->rc;
}

static int
fn_arrow_json(func_ctx *ctx, int argc, const value *argv)
{
    (void)argc;
    return arrow(ctx, argv, true);
}

static int
fn_arrow_sql(func_ctx *ctx, int argc, const value *argv)
{
    (void)argc;
    return arrow(ctx, argv, false);
}

static int
fn_json_type(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root, node;

    if (open_doc(ctx, &doc, &argv[0], &root) &&
        (node = find_path(ctx, &doc, root, argc > 1 ? &argv[1] : NULL)) >= 0) {
        const char *name = json_type_name(&doc, node);
        func_result_text(ctx, name, (int32_t)strlen(name));
    }
    json_doc_free(&doc);
    return ctx->rc;
}

/* json_valid(X[,FLAGS]): FLAGS 1 accepts RFC 8259 text, 2 JSON5 text; 4
 * and 8 ask for JSONB, which this build never takes a blob for. */
static int
fn_json_valid(func_ctx *ctx, int argc, const value *argv)
{
    int64_t flags = 1;
    json_doc doc;
    int32_t root;
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z;

    if (argc > 1) {
        if (argv[1].type == VALUE_NULL)
            return CHORUS_OK;
        flags = value_to_int64(&argv[1]);
        if (flags < 1 || flags > 15) {
            func_error(ctx, CHORUS_ERROR,
                       "FLAGS parameter to json_valid() must be between 1 and 15");
            return ctx->rc;
        }
    }
    if ((z = func_arg_text(&argv[0], buf, &n)) == NULL)
        return CHORUS_OK;
    if ((flags & 3) == 0) {
        func_result_int(ctx, 0);
        return CHORUS_OK;
    }
    json_doc_init(&doc);
    int rc = json_parse(&doc, z, n, &root);
    if (rc == CHORUS_NOMEM)
        func_error(ctx, CHORUS_NOMEM, "out of memory");
    else
        func_result_int(ctx, rc == CHORUS_OK && ((flags & 2) != 0 || !doc.nonstd));
    json_doc_free(&doc);
    return ctx->rc;
}

static int
fn_json_quote(func_ctx *ctx, int argc, const value *argv)
{
    strbuf sb;

    (void)argc;
    strbuf_init(&sb);
    if (json_append_sql(ctx, &sb, &argv[0]) != CHORUS_OK) {
        strbuf_free(&sb);
        return ctx->rc;
    }
    return json_result_strbuf(ctx, &sb);
}

/* 0 for valid JSON (JSON5 included), else the 1-based character position
 * of the first error. */
static int
fn_json_error_position(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root;
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z = func_arg_text(&argv[0], buf, &n);

    (void)argc;
    if (z == NULL)
        return CHORUS_OK;
    json_doc_init(&doc);
    int rc = json_parse(&doc, z, n, &root);
    if (rc == CHORUS_NOMEM) {
        func_error(ctx, CHORUS_NOMEM, "out of memory");
    } else if (rc == CHORUS_OK) {
        func_result_int(ctx, 0);
    } else {
        int64_t pos = 1;
        for (int64_t k = 0; k < doc.err_at && k < n; k++)
            pos += ((unsigned char)z[k] & 0xc0) != 0x80;
        func_result_int(ctx, pos);
    }
    json_doc_free(&doc);
    return ctx->rc;
}

static int
fn_json_pretty(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root;
    strbuf sb, indent;
    char buf[VALUE_REAL_BUF];
    int n = 4;
    const char *z = argc > 1 ? func_arg_text(&argv[1], buf, &n) : NULL;

    strbuf_init(&indent);
    strbuf_append(&indent, z != NULL ? z : "    ", (size_t)(z != NULL ? n : 4));
    strbuf_putc(&indent, '\0');
    if (open_doc(ctx, &doc, &argv[0], &root)) {
        strbuf_init(&sb);
        json_render(&doc, root, indent.failed ? "    " : indent.data, &sb);
        json_result_strbuf(ctx, &sb);
    }
    json_doc_free(&doc);
    strbuf_free(&indent);
    return ctx->rc;
}

/* --- editing functions -------------------------------------------------------------- */

enum edit_kind { EDIT_INSERT, EDIT_REPLACE, EDIT_SET };

/* Applies one path/value pair of json_insert, json_replace or json_set. */
static int
edit_one(func_ctx *ctx, json_doc *doc, int32_t root, const value *path, const value *v,
         int kind)
{
    int mode = kind == EDIT_REPLACE ? JSON_LOOKUP_FIND : JSON_LOOKUP_CREATE;
    int32_t node, replacement;
    int found = json_lookup_arg(ctx, doc, root, path, mode, &node);

    if (found < 0)
        return ctx->rc;
    if (found == JSON_NOT_FOUND || (found == JSON_FOUND && kind == EDIT_INSERT))
        return CHORUS_OK;
    if (json_node_from_sql(ctx, doc, v, &replacement) != CHORUS_OK)
        return ctx->rc;
    json_node_replace(doc, node, replacement);
    return CHORUS_OK;
}

static int
edit(func_ctx *ctx, int argc, const value *argv, int kind)
{
    static const char *const names[] = { "insert", "replace", "set" };
    json_doc doc;
    int32_t root;

    if (argc < 1)
        return CHORUS_OK;
    if (argc % 2 == 0) {
        func_error(ctx, CHORUS_ERROR, "json_%s() needs an odd number of arguments", names[kind]);
        return ctx->rc;
    }
    if (open_doc(ctx, &doc, &argv[0], &root)) {
        for (int i = 1; i < argc && ctx->rc == CHORUS_OK; i += 2)
            edit_one(ctx, &doc, root, &argv[i], &argv[i + 1], kind);
        if (ctx->rc == CHORUS_OK)
            json_result_json(ctx, &doc, root);
    }
    json_doc_free(&doc);
    return ctx->rc;
}

static int
fn_json_insert(func_ctx *ctx, int argc, const value *argv)
{
    return edit(ctx, argc, argv, EDIT_INSERT);
}

static int
fn_json_replace(func_ctx *ctx, int argc, const value *argv)
{
    return edit(ctx, argc, argv, EDIT_REPLACE);
}

static int
fn_json_set(func_ctx *ctx, int argc, const value *argv)
{
    return edit(ctx, argc, argv, EDIT_SET);
}

/* json_remove: a NULL path, or removing the root, makes the result NULL. */
static int
fn_json_remove(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root, node;
    bool gone = false;

    if (argc < 1)
        return CHORUS_OK;
    if (open_doc(ctx, &doc, &argv[0], &root)) {
        for (int i = 1; i < argc && !gone; i++) {
            int found = json_lookup_arg(ctx, &doc, root, &argv[i], JSON_LOOKUP_FIND, &node);
            if (found < 0)
                break;
            gone = argv[i].type == VALUE_NULL || (found == JSON_FOUND && node == root);
            if (found == JSON_FOUND && !gone)
                json_node_remove(&doc, node);
        }
        if (ctx->rc == CHORUS_OK && !gone)
            json_result_json(ctx, &doc, root);
    }
    json_doc_free(&doc);
    return ctx->rc;
}

/*
 * RFC 7396 MergePatch of patch into target (-1 for none). Returns the node
 * that is the result: target changed in place, a new object, or patch
 * itself. Members moved out of patch keep their keys.
 */
static int32_t
merge_patch(json_doc *doc, int32_t target, int32_t patch)
{
    int32_t member, next;

    if (doc->nodes[patch].type != JSON_OBJECT)
        return patch;
    if (target < 0 || doc->nodes[target].type != JSON_OBJECT)
        if ((target = json_node_new(doc, JSON_OBJECT)) < 0)
            return -1;
    for (member = doc->nodes[patch].first; member >= 0; member = next) {
        const json_node *m = &doc->nodes[member];
        int32_t old = json_object_find(doc, target, m->key, (int)m->key_n, m->key_kind);
        int32_t merged;
        next = m->next;
        if (m->type == JSON_NULL) {
            if (old >= 0)
                json_node_remove(doc, old);
            continue;
        }
        if ((merged = merge_patch(doc, old, member)) < 0)
            return -1;
        if (old >= 0) {
            if (merged != old)
                json_node_replace(doc, old, merged);
            continue;
        }
        doc->nodes[merged].key = doc->nodes[member].key;
        doc->nodes[merged].key_n = doc->nodes[member].key_n;
        doc->nodes[merged].key_kind = doc->nodes[member].key_kind;
        json_node_append(doc, target, merged);
    }
    return target;
}

static int
fn_json_patch(func_ctx *ctx, int argc, const value *argv)
{
    json_doc doc;
    int32_t root, patch, result;

    (void)argc;
    if (open_doc(ctx, &doc, &argv[0], &root) && argv[1].type != VALUE_NULL &&
        json_parse_arg(ctx, &doc, &argv[1], &patch) == CHORUS_OK) {
        if ((result = merge_patch(&doc, root, patch)) < 0)
            func_error(ctx, CHORUS_NOMEM, "out of memory");
        else
            json_result_json(ctx, &doc, result);
    }
    json_doc_free(&doc);
    return ctx->rc;
}

#define DET FUNC_DETERMINISTIC
static const func_def defs[] = {
    { .name = "json", .n_args = 1, .flags = DET, .scalar = fn_json },
    { .name = "json_array", .n_args = -1, .flags = DET, .scalar = fn_json_array },
    { .name = "json_array_length", .n_args = 1, .flags = DET, .scalar = fn_json_array_length },
    { .name = "json_array_length", .n_args = 2, .flags = DET, .scalar = fn_json_array_length },
    { .name = "json_extract", .n_args = -1, .flags = DET, .scalar = fn_json_extract },
    { .name = "->", .n_args = 2, .flags = DET, .scalar = fn_arrow_json },
    { .name = "->>", .n_args = 2, .flags = DET, .scalar = fn_arrow_sql },
    { .name = "json_insert", .n_args = -1, .flags = DET, .scalar = fn_json_insert },
    { .name = "json_replace", .n_args = -1, .flags = DET, .scalar = fn_json_replace },
    { .name = "json_set", .n_args = -1, .flags = DET, .scalar = fn_json_set },
    { .name = "json_object", .n_args = -1, .flags = DET, .scalar = fn_json_object },
    { .name = "json_patch", .n_args = 2, .flags = DET, .scalar = fn_json_patch },
    { .name = "json_remove", .n_args = -1, .flags = DET, .scalar = fn_json_remove },
    { .name = "json_type", .n_args = 1, .flags = DET, .scalar = fn_json_type },
    { .name = "json_type", .n_args = 2, .flags = DET, .scalar = fn_json_type },
    { .name = "json_valid", .n_args = 1, .flags = DET, .scalar = fn_json_valid },
    { .name = "json_valid", .n_args = 2, .flags = DET, .scalar = fn_json_valid },
    { .name = "json_quote", .n_args = 1, .flags = DET, .scalar = fn_json_quote },
    { .name = "json_error_position", .n_args = 1, .flags = DET,
      .scalar = fn_json_error_position },
    { .name = "json_pretty", .n_args = 1, .flags = DET, .scalar = fn_json_pretty },
    { .name = "json_pretty", .n_args = 2, .flags = DET, .scalar = fn_json_pretty },
};

const func_table func_json_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
