/*
 * core/func/json_int.h: what the JSON files of core/func share: the parsed
 * document (a tree of nodes in one growable array), the parser, the
 * renderer, path lookup and editing, and the conversions between SQL
 * values and JSON.
 *
 * A document is a tree stored in doc->nodes and linked by indices (the
 * array may move when it grows, so nothing keeps a node pointer across an
 * append). Each node borrows its bytes: from the text it was parsed from
 * (owned by the caller, alive for the call) or from doc's pool (bytes the
 * document had to render itself, such as numbers that came from SQL).
 *
 * Invariants
 *   J1  Strings and keys keep the bytes between their quotes as written;
 *       their text kind says how to render and decode them. Numbers keep
 *       their literal; a JSON5 literal is rewritten when rendered.
 *   J2  A container lists its children first..last through next; every
 *       child's parent is the container. A member of an object carries its
 *       key; array elements and roots carry none.
 *   J3  Parsing refuses nesting deeper than JSON_MAX_DEPTH.
 *
 * Ownership: a json_doc owns its node array and pool (json_doc_free); the
 * texts it parsed stay the caller's.
 * Callers: json_scalar.c, json_aggregate.c, json_each.c.
 */
#ifndef CHORUS_JSON_INT_H
#define CHORUS_JSON_INT_H

#include "func_int.h"

enum { JSON_MAX_DEPTH = 1000, JSON_SUBTYPE = 'J' };

enum json_type {
    JSON_NULL, JSON_TRUE, JSON_FALSE, JSON_INT, JSON_REAL, JSON_STRING, JSON_ARRAY, JSON_OBJECT
};

/* How the bytes of a string or key are written (J1). */
enum json_text_kind {
    JSON_TEXT_PLAIN,    /* canonical JSON, no escapes: render and decode as is */
    JSON_TEXT_ESC,      /* canonical JSON with escapes: render as is, decode the escapes */
    JSON_TEXT_JSON5,    /* single quotes, JSON5 escapes or raw control characters */
    JSON_TEXT_SQL       /* SQL text: escaped when rendered, taken as is when decoded */
};

/* Number literals: canonical, or JSON5 (hex, leading '+' or '.', trailing
 * '.', Infinity) and rewritten when rendered. */
enum { JSON_NUM_PLAIN = 0, JSON_NUM_JSON5 = 1 };

typedef struct json_node {
    uint8_t type;           /* enum json_type */
    uint8_t kind;           /* strings: json_text_kind; numbers: JSON_NUM_* */
    uint8_t key_kind;       /* json_text_kind of key, for object members */
    uint32_t n;             /* bytes at z */
    uint32_t key_n;         /* bytes at key */
    const char *z;          /* string body or number literal; borrowed (see header) */
    const char *key;        /* member key body, NULL for non-members; borrowed */
    int32_t parent;         /* container, -1 for a root */
    int32_t first, last;    /* containers: first and last child, -1 when empty */
    int32_t next;           /* next sibling, -1 for the last */
    int32_t id;             /* json_each's id: SQLite 3.40's node number */
} json_node;

/* A chunk of bytes the document keeps for its nodes. */
typedef struct json_chunk json_chunk;

typedef struct json_doc {
    json_node *nodes;       /* owned */
    int32_t n_nodes, cap;
    int32_t next_id;        /* the id the next parsed node gets */
    json_chunk *pool;       /* owned list of kept bytes */
    bool nonstd;            /* a parse met JSON5 (json_valid) */
    bool oom;               /* an allocation failed */
    int64_t err_at;         /* byte offset of the last parse error, -1 none */
} json_doc;

void json_doc_init(json_doc *doc);
void json_doc_free(json_doc *doc);

/*
 * Parses z[0..n) (JSON with SQLite's JSON5 extensions) into doc as a new
 * root. Returns CHORUS_OK with *root_out, CHORUS_NOMEM, or CHORUS_ERROR
 * when the text is malformed (doc->err_at then says where). The nodes
 * borrow z: it must outlive doc.
 */
int json_parse(json_doc *doc, const char *z, int n, int32_t *root_out);

/*
 * Parses an SQL argument as a JSON document (numbers and blobs by their
 * text, as SQLite). Returns CHORUS_OK, or records in ctx "malformed JSON"
 * or no memory and returns that code. A NULL argument is the caller's
 * business.
 */
int json_parse_arg(func_ctx *ctx, json_doc *doc, const value *v, int32_t *root_out);

/* Renders the subtree at node (without its key) into sb; indent NULL for
 * minified text, else the indentation of each level (json_pretty). */
void json_render(const json_doc *doc, int32_t node, const char *indent, strbuf *sb);

/* Appends z[0..n) as a JSON string literal, quotes included. */
void json_append_string(strbuf *sb, const char *z, int n);

/*
 * Appends SQL value v as JSON (NULL -> null, numbers, text quoted unless
 * its subtype is JSON). A blob records "JSON cannot hold BLOB values" in
 * ctx and returns CHORUS_ERROR.
 */
int json_append_sql(func_ctx *ctx, strbuf *sb, const value *v);

/* Decodes a string or key body into SQL text (escapes resolved). */
void json_text_decode(const char *z, int n, int kind, strbuf *sb);

/*
 * Sets ctx->result to node's SQL value: null, 1/0 for true/false,
 * numbers, decoded text, or JSON text (subtype J) for containers.
 */
int json_result_node(func_ctx *ctx, const json_doc *doc, int32_t node);

/* Sets ctx->result to the rendering of node (subtype J). */
int json_result_json(func_ctx *ctx, const json_doc *doc, int32_t node);

/* Sets ctx->result to sb's text with subtype J (frees sb's buffer). */
int json_result_strbuf(func_ctx *ctx, strbuf *sb);

/* "null", "true", "integer", ... (json_type()). */
const char *json_type_name(const json_doc *doc, int32_t node);

/* --- paths ---------------------------------------------------------------- */

enum json_lookup_mode {
    JSON_LOOKUP_FIND,       /* find only */
    JSON_LOOKUP_CREATE      /* create what is missing (json_set, json_insert) */
};

enum json_lookup_result {
    JSON_FOUND,             /* *node_out is the node the path names */
    JSON_CREATED,           /* *node_out is a new JSON null where the path pointed */
    JSON_NOT_FOUND,
    JSON_PATH_ERROR         /* *err_at_out points at the path text the error is near */
};

/*
 * Follows path (NUL-terminated, starting at '$') from root. In CREATE
 * mode a missing object member or the array element one past the end is
 * added (as a JSON null for the caller to replace), with the objects and
 * arrays the rest of the path needs. Returns a json_lookup_result, or a
 * negative CHORUS_NOMEM. Created keys borrow the path text.
 */
int json_lookup(json_doc *doc, int32_t root, const char *path, int mode, int32_t *node_out,
                const char **err_at_out);

/*
 * Runs json_lookup for an SQL path argument and reports errors in ctx
 * ("JSON path error near '...'", no memory). Returns the
 * json_lookup_result, or -1 when an error was recorded.
 */
int json_lookup_arg(func_ctx *ctx, json_doc *doc, int32_t root, const value *path, int mode,
                    int32_t *node_out);

/* --- editing -------------------------------------------------------------- */

/* Appends a new node of type to doc (no key, no parent). Returns its index
 * or -1 when out of memory. */
int32_t json_node_new(json_doc *doc, int type);

/* Keeps a copy of z[0..n) in doc's pool; NULL when out of memory. */
const char *json_doc_keep(json_doc *doc, const char *z, size_t n);

/*
 * Builds a node from SQL value v (text with subtype J is parsed; other text
 * is a string). Returns CHORUS_OK with *node_out, or records in ctx the
 * blob or malformed-JSON error or no memory and returns that code.
 */
int json_node_from_sql(func_ctx *ctx, json_doc *doc, const value *v, int32_t *node_out);

/* Puts the subtree at src where dst is (dst keeps its key, parent and
 * place among its siblings). */
void json_node_replace(json_doc *doc, int32_t dst, int32_t src);

/* Unlinks node from its parent (a root cannot be removed). */
void json_node_remove(json_doc *doc, int32_t node);

/* Links child as the last child of container parent. */
void json_node_append(json_doc *doc, int32_t parent, int32_t child);

/* The member of object obj whose key equals key (kind per json_text_kind),
 * or -1. */
int32_t json_object_find(const json_doc *doc, int32_t obj, const char *key, int n, int kind);

#endif /* CHORUS_JSON_INT_H */
