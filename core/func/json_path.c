/*
 * core/func/json_path.c: JSON paths and tree edits: following a path
 * ($, .key, ."quoted key", [N], [#], [#-N]) from a root, creating what a
 * path names for json_set and json_insert, replacing, removing and
 * appending nodes, and comparing object keys.
 *
 * A path is checked only as far as it is followed: a step after a missing
 * member is not parsed, so json_extract('{}', '$.a[') is NULL and not an
 * error, as in SQLite. When creating, the rest of the path after the
 * missing step builds objects (.key) and arrays ([0]) around a new null;
 * any other rest makes the path "not found" and nothing changes.
 *
 * Ownership: created keys borrow the path text, which the caller keeps
 * alive with the document (json_lookup_arg copies it into the pool).
 * Callers: json_scalar.c, json_each.c.
 */
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

/* --- keys --------------------------------------------------------------------- */

/* Whether a key body reads as its own bytes (no escapes to resolve). */
static bool
key_is_literal(const char *z, int n, int kind)
{
    return kind == JSON_TEXT_PLAIN || kind == JSON_TEXT_SQL || memchr(z, '\\', (size_t)n) == NULL;
}

static bool
keys_equal(const char *a, int an, int akind, const char *b, int bn, int bkind)
{
    strbuf da, db;
    bool same;

    if (key_is_literal(a, an, akind) && key_is_literal(b, bn, bkind))
        return an == bn && memcmp(a, b, (size_t)an) == 0;
    strbuf_init(&da);
    strbuf_init(&db);
    json_text_decode(a, an, akind, &da);
    json_text_decode(b, bn, bkind, &db);
    same = da.len == db.len && (da.len == 0 || memcmp(da.data, db.data, da.len) == 0);
    strbuf_free(&da);
    strbuf_free(&db);
    return same;
}

int32_t
json_object_find(const json_doc *doc, int32_t obj, const char *key, int n, int kind)
{
    for (int32_t c = doc->nodes[obj].first; c >= 0; c = doc->nodes[c].next) {
        const json_node *node = &doc->nodes[c];
        if (keys_equal(node->key, (int)node->key_n, node->key_kind, key, n, kind))
            return c;
    }
    return -1;
}

/* --- edits --------------------------------------------------------------------- */

void
json_node_replace(json_doc *doc, int32_t dst, int32_t src)
{
    json_node keep = doc->nodes[dst];
    json_node *node = &doc->nodes[dst];

    *node = doc->nodes[src];
    node->key = keep.key;
    node->key_n = keep.key_n;
    node->key_kind = keep.key_kind;
    node->parent = keep.parent;
    node->next = keep.next;
    node->id = keep.id;
    for (int32_t c = node->first; c >= 0; c = doc->nodes[c].next)
        doc->nodes[c].parent = dst;
}

void
json_node_remove(json_doc *doc, int32_t node)
{
    int32_t parent = doc->nodes[node].parent, prev = -1;
    json_node *p = &doc->nodes[parent];

    for (int32_t c = p->first; c != node; c = doc->nodes[c].next)
        prev = c;
    if (prev < 0)
        p->first = doc->nodes[node].next;
    else
        doc->nodes[prev].next = doc->nodes[node].next;
    if (p->last == node)
        p->last = prev;
    doc->nodes[node].parent = -1;
    doc->nodes[node].next = -1;
}

/* --- path steps ------------------------------------------------------------------ */

enum step_kind { STEP_KEY, STEP_INDEX, STEP_FROM_END };

typedef struct path_step {
    int kind;               /* enum step_kind */
    const char *key;        /* STEP_KEY: the key bytes (borrowed from the path) */
    int key_n;
    int key_kind;           /* json_text_kind of the key */
    int64_t index;          /* STEP_INDEX: N; STEP_FROM_END: N of [#-N] */
    const char *end;        /* the path after this step */
} path_step;

/* Parses the object step at p ('.'). Returns false on a path error. */
static bool
parse_key_step(const char *p, path_step *step)
{
    const char *k = p + 1;

    step->kind = STEP_KEY;
    if (*k == '"') {
        const char *close = strchr(k + 1, '"');
        if (close == NULL)
            return false;
        step->key = k + 1;
        step->key_n = (int)(close - k - 1);
        step->key_kind = memchr(step->key, '\\', (size_t)step->key_n) ? JSON_TEXT_ESC
                                                                      : JSON_TEXT_SQL;
        step->end = close + 1;
        return true;
    }
    step->key = k;
    while (*k != '\0' && *k != '.' && *k != '[')
        k++;
    step->key_n = (int)(k - step->key);
    step->key_kind = JSON_TEXT_SQL;
    step->end = k;
    return step->key_n > 0;
}

/* Parses the array step at p ('['). Returns false on a path error. */
static bool
parse_index_step(const char *p, path_step *step)
{
    const char *d = p + 1;
    int64_t x = 0;

    step->kind = STEP_INDEX;
    if (*d == '#') {
        step->kind = STEP_FROM_END;
        d++;
        if (d[0] == '-' && d[1] >= '0' && d[1] <= '9')
            d++;
    }
    const char *digits = d;
    for (; *d >= '0' && *d <= '9'; d++)
        x = x < INT64_MAX / 10 ? x * 10 + (*d - '0') : INT64_MAX;
    if (*d != ']' || (d == digits && step->kind == STEP_INDEX))
        return false;
    step->index = x;
    step->end = d + 1;
    return true;
}

/* Parses the step at p (not at the end). Returns false on a path error
 * (near p, or near the key for an empty one). */
static bool
parse_step(const char *p, path_step *step, const char **err_at)
{
    *err_at = p;
    if (*p == '.') {
        *err_at = p + 1;
        return parse_key_step(p, step);
    }
    return *p == '[' && parse_index_step(p, step);
}

/* The index-th child of array arr (from the end for [#-N]), or -1; *count
 * receives the number of children. */
static int32_t
array_child(const json_doc *doc, int32_t arr, const path_step *step, int64_t *count)
{
    int64_t n = 0, want;
    int32_t c;

    for (c = doc->nodes[arr].first; c >= 0; c = doc->nodes[c].next)
        n++;
    *count = n;
    want = step->kind == STEP_FROM_END ? n - step->index : step->index;
    if (want < 0 || want >= n)
        return -1;
    for (c = doc->nodes[arr].first; want-- > 0; c = doc->nodes[c].next)
        ;
    return c;
}

/* --- creation ------------------------------------------------------------------------ */

/*
 * Builds what the rest of a path p needs below a missing step: a null for
 * an empty rest, an object for ".key...", an array for "[0]...". Returns
 * JSON_CREATED with *top_out (the new subtree) and *leaf_out (its null),
 * JSON_NOT_FOUND for another rest, JSON_PATH_ERROR, or -CHORUS_NOMEM.
 */
static int
create_rest(json_doc *doc, const char *p, int32_t *top_out, int32_t *leaf_out,
            const char **err_at)
{
    path_step step;
    int32_t top, child;
    int rc;

    if (*p == '\0') {
        if ((top = json_node_new(doc, JSON_NULL)) < 0)
            return -CHORUS_NOMEM;
        *top_out = *leaf_out = top;
        return JSON_CREATED;
    }
    if (*p == '.') {
        if (!parse_step(p, &step, err_at))
            return JSON_PATH_ERROR;
    } else if (strncmp(p, "[0]", 3) == 0) {
        step.kind = STEP_INDEX;
        step.end = p + 3;
    } else {
        return JSON_NOT_FOUND;
    }
    if ((top = json_node_new(doc, step.kind == STEP_KEY ? JSON_OBJECT : JSON_ARRAY)) < 0)
        return -CHORUS_NOMEM;
    rc = create_rest(doc, step.end, &child, leaf_out, err_at);
    if (rc != JSON_CREATED)
        return rc;
    if (step.kind == STEP_KEY) {
        doc->nodes[child].key = step.key;
        doc->nodes[child].key_n = (uint32_t)step.key_n;
        doc->nodes[child].key_kind = (uint8_t)step.key_kind;
    }
    json_node_append(doc, top, child);
    *top_out = top;
    return JSON_CREATED;
}

/* Creates the missing step's node (and the rest of the path) under
 * container cur. */
static int
create_missing(json_doc *doc, int32_t cur, const path_step *step, int32_t *node_out,
               const char **err_at)
{
    int32_t top, leaf;
    int rc = create_rest(doc, step->end, &top, &leaf, err_at);

    if (rc != JSON_CREATED)
        return rc;
    if (step->kind == STEP_KEY) {
        doc->nodes[top].key = step->key;
        doc->nodes[top].key_n = (uint32_t)step->key_n;
        doc->nodes[top].key_kind = (uint8_t)step->key_kind;
    }
    json_node_append(doc, cur, top);
    *node_out = leaf;
    return JSON_CREATED;
}

/* --- lookup --------------------------------------------------------------------------- */

int
json_lookup(json_doc *doc, int32_t root, const char *path, int mode, int32_t *node_out,
            const char **err_at_out)
{
    int32_t cur = root;
    const char *p = path + 1;
    path_step step;

    *node_out = -1;
    *err_at_out = path;
    if (path[0] != '$')
        return JSON_PATH_ERROR;
    while (*p != '\0') {
        int32_t next = -1;
        int64_t count = 0;
        int type = doc->nodes[cur].type;
        if (*p == '.' && type != JSON_OBJECT)
            return JSON_NOT_FOUND;      /* before the key is checked, as SQLite 3.40 */
        if (!parse_step(p, &step, err_at_out))
            return JSON_PATH_ERROR;
        if (step.kind == STEP_KEY && type == JSON_OBJECT)
            next = json_object_find(doc, cur, step.key, step.key_n, step.key_kind);
        else if (step.kind != STEP_KEY && type == JSON_ARRAY)
            next = array_child(doc, cur, &step, &count);
        else
            return JSON_NOT_FOUND;
        if (next < 0) {
            bool can_create = step.kind == STEP_KEY ||
                              (step.kind == STEP_INDEX ? step.index : count - step.index) == count;
            if (mode != JSON_LOOKUP_CREATE || !can_create)
                return JSON_NOT_FOUND;
            return create_missing(doc, cur, &step, node_out, err_at_out);
        }
        cur = next;
        p = step.end;
    }
    *node_out = cur;
    return JSON_FOUND;
}

/* Records "JSON path error near '...'" in ctx, quotes doubled as %q does. */
static void
path_error(func_ctx *ctx, const char *near)
{
    strbuf sb;

    strbuf_init(&sb);
    for (; *near; near++) {
        if (*near == '\'')
            strbuf_putc(&sb, '\'');
        strbuf_putc(&sb, *near);
    }
    func_error(ctx, CHORUS_ERROR, "JSON path error near '%s'", sb.data ? sb.data : "");
    strbuf_free(&sb);
}

int
json_lookup_arg(func_ctx *ctx, json_doc *doc, int32_t root, const value *path, int mode,
                int32_t *node_out)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *z = func_arg_text(path, buf, &n);
    const char *err_at;
    int rc;

    *node_out = -1;
    if (z == NULL)
        return JSON_NOT_FOUND;
    if ((z = json_doc_keep(doc, z, (size_t)n)) == NULL) {
        rc = -CHORUS_NOMEM;
    } else {
        rc = json_lookup(doc, root, z, mode, node_out, &err_at);
        if (rc == JSON_PATH_ERROR) {
            path_error(ctx, err_at);
            return -1;
        }
    }
    if (rc < 0) {
        func_error(ctx, CHORUS_NOMEM, "out of memory");
        return -1;
    }
    return rc;
}
