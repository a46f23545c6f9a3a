/*
 * core/func/json_each.c: the row iterator of json_each and json_tree (see
 * json.h for the rows and columns).
 *
 * The iterator parses its own copy of the document once, finds the node
 * the root path names, then walks the tree: json_each over that node's
 * children, json_tree over the whole subtree in preorder. A stack holds,
 * for each level below the root, the node visited there and its index
 * among its siblings, which gives keys, array indices and full keys
 * without searching.
 *
 * Ownership: the iterator owns the document copy, the path copy, the
 * parse and the stack; column values are handed to the caller.
 * Callers: the engine's table-valued function support (not yet written),
 * tests/core/func/test_json_each.c.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_int.h"

typedef struct each_level {
    int32_t node;           /* the node visited at this level */
    int64_t index;          /* its index among its siblings */
} each_level;

struct json_each {
    json_doc doc;           /* the parse of text */
    char *text;             /* owned copy of the document */
    char *root_path;        /* owned, NUL-terminated: P or "$" */
    int32_t top;            /* the node root_path names, -1 for no rows */
    bool recursive;         /* json_tree */
    bool started;
    bool done;
    int32_t cur;            /* the current row's node, valid while started && !done */
    each_level *stack;      /* owned: levels below top; cur is the deepest (or top) */
    int depth, cap;
};

static const char *const column_names[JSON_EACH_N_COLUMNS] = {
    "key", "value", "type", "atom", "id", "parent", "fullkey", "path", "json", "root",
};

const char *
json_each_column_name(int col)
{
    return col >= 0 && col < JSON_EACH_N_COLUMNS ? column_names[col] : NULL;
}

bool
json_each_column_hidden(int col)
{
    return col == JSON_EACH_JSON || col == JSON_EACH_ROOT;
}

/* Copies v's text (NUL-terminated) into *out; false on no memory. */
static bool
copy_text(const value *v, char **out, int *n_out)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z = func_arg_text(v, buf, &n);

    *out = malloc((size_t)n + 1);
    if (*out == NULL)
        return false;
    memcpy(*out, z, (size_t)n);
    (*out)[n] = '\0';
    *n_out = n;
    return true;
}

/* Parses the copy and finds the root; CHORUS_ERROR with a message. */
static int
each_find_root(json_each *it, int n, char **errmsg_out)
{
    func_ctx ctx;
    int32_t root;
    value root_path;

    memset(&ctx, 0, sizeof ctx);
    if (json_parse_arg(&ctx, &it->doc, &(value){ .type = VALUE_TEXT, .n = n, .u.z = it->text },
                       &root) == CHORUS_OK) {
        value_set_text_ref(&root_path, it->root_path, (int32_t)strlen(it->root_path));
        if (json_lookup_arg(&ctx, &it->doc, root, &root_path, JSON_LOOKUP_FIND, &it->top) !=
            JSON_FOUND)
            it->top = -1;
    }
    if (ctx.rc != CHORUS_OK && errmsg_out != NULL)
        *errmsg_out = ctx.errmsg;
    else
        free(ctx.errmsg);
    return ctx.rc;
}

int
json_each_open(const value *doc, const value *path, bool recursive, json_each **out,
               char **errmsg_out)
{
    json_each *it = calloc(1, sizeof *it);
    int n = 0, path_n;
    int rc = CHORUS_NOMEM;

    *out = NULL;
    if (errmsg_out != NULL)
        *errmsg_out = NULL;
    if (it == NULL)
        return CHORUS_NOMEM;
    json_doc_init(&it->doc);
    it->recursive = recursive;
    it->top = -1;
    if (!copy_text(path != NULL && path->type != VALUE_NULL ? path : &(value){
                       .type = VALUE_TEXT, .n = 1, .u.z = "$" }, &it->root_path, &path_n))
        goto fail;
    if (doc->type == VALUE_NULL || (path != NULL && path->type == VALUE_NULL)) {
        *out = it;
        return CHORUS_OK;
    }
    if (!copy_text(doc, &it->text, &n))
        goto fail;
    rc = each_find_root(it, n, errmsg_out);
    if (rc != CHORUS_OK)
        goto fail;
    *out = it;
    return CHORUS_OK;
fail:
    json_each_close(it);
    return rc;
}

void
json_each_close(json_each *it)
{
    if (it == NULL)
        return;
    json_doc_free(&it->doc);
    free(it->text);
    free(it->root_path);
    free(it->stack);
    free(it);
}

/* --- walking -------------------------------------------------------------- */

static bool
each_push(json_each *it, int32_t node)
{
    if (it->depth == it->cap) {
        int cap = it->cap ? it->cap * 2 : 8;
        each_level *stack = realloc(it->stack, (size_t)cap * sizeof *stack);
        if (stack == NULL)
            return false;
        it->stack = stack;
        it->cap = cap;
    }
    it->stack[it->depth].node = node;
    it->stack[it->depth].index = 0;
    it->depth++;
    it->cur = node;
    return true;
}

/* Moves the deepest level to its next sibling, popping exhausted levels
 * (json_tree) or ending (json_each). */
static int
each_advance_sibling(json_each *it)
{
    while (it->depth > 0) {
        each_level *level = &it->stack[it->depth - 1];
        int32_t next = it->doc.nodes[level->node].next;
        if (next >= 0) {
            level->node = next;
            level->index++;
            it->cur = next;
            return CHORUS_ROW;
        }
        if (!it->recursive)
            break;
        it->depth--;
    }
    it->done = true;
    return CHORUS_DONE;
}

static bool
is_container(const json_each *it, int32_t node)
{
    return it->doc.nodes[node].type == JSON_ARRAY || it->doc.nodes[node].type == JSON_OBJECT;
}

/* The first row: the root for json_tree and for a json_each over a
 * non-container, else the root's first child. */
static int
each_first(json_each *it)
{
    it->started = true;
    it->cur = it->top;
    if (it->top < 0) {
        it->done = true;
        return CHORUS_DONE;
    }
    if (it->recursive || !is_container(it, it->top))
        return CHORUS_ROW;
    if (it->doc.nodes[it->top].first < 0) {
        it->done = true;
        return CHORUS_DONE;
    }
    return each_push(it, it->doc.nodes[it->top].first) ? CHORUS_ROW : CHORUS_NOMEM;
}

int
json_each_next(json_each *it)
{
    int32_t first;

    if (it->done)
        return CHORUS_DONE;
    if (!it->started)
        return each_first(it);
    if (!it->recursive && it->depth == 0) {
        it->done = true;
        return CHORUS_DONE;
    }
    first = it->doc.nodes[it->cur].first;
    if (it->recursive && is_container(it, it->cur) && first >= 0)
        return each_push(it, first) ? CHORUS_ROW : CHORUS_NOMEM;
    return each_advance_sibling(it);
}

/* --- columns -------------------------------------------------------------- */

/* Whether a key body can follow '.' in a path unquoted. */
static bool
key_is_bare(const char *z, uint32_t n)
{
    if (n == 0 || !((z[0] | 0x20) >= 'a' && (z[0] | 0x20) <= 'z'))
        return false;
    for (uint32_t i = 1; i < n; i++)
        if (!((z[i] | 0x20) >= 'a' && (z[i] | 0x20) <= 'z') && !(z[i] >= '0' && z[i] <= '9'))
            return false;
    return true;
}

/* Appends the path of the row at level depth (0: the root). */
static void
append_path(const json_each *it, int depth, strbuf *sb)
{
    strbuf_puts(sb, it->root_path);
    for (int d = 0; d < depth; d++) {
        const json_node *node = &it->doc.nodes[it->stack[d].node];
        if (node->key == NULL)
            strbuf_printf(sb, "[%lld]", (long long)it->stack[d].index);
        else if (key_is_bare(node->key, node->key_n))
            strbuf_printf(sb, ".%.*s", (int)node->key_n, node->key);
        else
            strbuf_printf(sb, ".\"%.*s\"", (int)node->key_n, node->key);
    }
}

/* Offset in root_path of its last step, or its length for "$". */
static size_t
last_step_at(const char *path)
{
    size_t i = 1, last = strlen(path);

    while (path[i] != '\0') {
        last = i;
        if (path[i] == '.' && path[i + 1] == '"') {
            const char *close = strchr(path + i + 2, '"');
            i = close != NULL ? (size_t)(close - path) + 1 : strlen(path);
        } else {
            for (i++; path[i] != '\0' && path[i] != '.' && path[i] != '['; i++)
                ;
        }
    }
    return last;
}

/* key of the root row: the last step of the root path. */
static int
root_key(const json_each *it, value *out)
{
    const char *p = it->root_path + last_step_at(it->root_path);
    size_t n = strlen(p);

    if (n == 0)
        return CHORUS_OK;
    if (p[0] == '[') {
        value_set_int(out, strtoll(p + 1, NULL, 10));
        return CHORUS_OK;
    }
    if (p[1] == '"')
        return value_set_text_copy(out, p + 2, (int32_t)(n > 2 ? n - 3 : 0));
    return value_set_text_copy(out, p + 1, (int32_t)n - 1);
}

static int
column_key(const json_each *it, value *out)
{
    const json_node *node;
    strbuf sb;
    char *z;
    size_t len;

    if (it->depth == 0)
        return root_key(it, out);
    node = &it->doc.nodes[it->cur];
    if (node->key == NULL) {
        value_set_int(out, it->stack[it->depth - 1].index);
        return CHORUS_OK;
    }
    strbuf_init(&sb);
    json_text_decode(node->key, (int)node->key_n, node->key_kind, &sb);
    len = sb.len;
    if ((z = strbuf_finish(&sb)) == NULL && (z = calloc(1, 1)) == NULL)
        return CHORUS_NOMEM;
    value_set_text_owned(out, z, (int32_t)len);
    return CHORUS_OK;
}

/* value (or atom, which is NULL for containers). */
static int
column_value(const json_each *it, bool atom, value *out)
{
    func_ctx ctx;

    if (atom && is_container(it, it->cur))
        return CHORUS_OK;
    memset(&ctx, 0, sizeof ctx);
    json_result_node(&ctx, &it->doc, it->cur);
    free(ctx.errmsg);
    *out = ctx.result;
    return ctx.rc;
}

/* fullkey (the row's path) or path (its container's). */
static int
column_path(const json_each *it, bool full, value *out)
{
    strbuf sb;
    size_t len;
    char *z;

    strbuf_init(&sb);
    if (full || (it->depth == 0 && !it->recursive))
        append_path(it, it->depth, &sb);
    else if (it->depth == 0)
        strbuf_append(&sb, it->root_path, last_step_at(it->root_path));
    else
        append_path(it, it->depth - 1, &sb);
    len = sb.len;
    if ((z = strbuf_finish(&sb)) == NULL)
        return CHORUS_NOMEM;
    value_set_text_owned(out, z, (int32_t)len);
    return CHORUS_OK;
}

int
json_each_column(json_each *it, int col, value *out)
{
    value_set_null(out);
    if (!it->started || it->done || col < 0 || col >= JSON_EACH_N_COLUMNS)
        return CHORUS_RANGE;
    switch (col) {
    case JSON_EACH_KEY:
        return column_key(it, out);
    case JSON_EACH_VALUE:
    case JSON_EACH_ATOM:
        return column_value(it, col == JSON_EACH_ATOM, out);
    case JSON_EACH_TYPE: {
        const char *name = json_type_name(&it->doc, it->cur);
        return value_set_text_copy(out, name, (int32_t)strlen(name));
    }
    case JSON_EACH_ID:
        value_set_int(out, it->doc.nodes[it->cur].id);
        return CHORUS_OK;
    case JSON_EACH_PARENT:
        if (it->recursive && it->depth > 0)
            value_set_int(out, it->doc.nodes[it->doc.nodes[it->cur].parent].id);
        return CHORUS_OK;
    case JSON_EACH_FULLKEY:
    case JSON_EACH_PATH:
        return column_path(it, col == JSON_EACH_FULLKEY, out);
    case JSON_EACH_JSON:
        return value_set_text_copy(out, it->text, (int32_t)strlen(it->text));
    default:
        return value_set_text_copy(out, it->root_path, (int32_t)strlen(it->root_path));
    }
}
