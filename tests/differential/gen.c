/*
 * tests/differential/gen.c: the seeded random SQL generator (gen.h).
 *
 * A script is schema, data, then actions. The generator keeps a model of the
 * schema (tables, their columns' affinity and collation, views) so that every
 * query names real columns; it does not model the data, so queries and
 * writes may fail, and then both engines must fail alike.
 *
 * Determinism rules (a query whose answer SQLite leaves open would report a
 * false difference):
 *   G1  LIMIT / OFFSET appear only under an ORDER BY over every result column.
 *   G2  Scalar subqueries are aggregates without GROUP BY (exactly one row).
 *   G3  group_concat() is wrapped in length(CAST(... AS BLOB)) unless its
 *       input is ordered: the byte count does not depend on the order, where
 *       length() of text stops at a NUL that a blob may bring to any place.
 *   G4  Aggregate queries show only grouping columns and aggregates, never a
 *       bare column.
 *   G5  Nothing random, time-dependent or version-dependent is called
 *       (random(), date('now'), sqlite_version(), changes()).
 *
 * Ownership: a script owns its statements' text. Callers: test_differential.c.
 */
#include "gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ string buffer */

static void
buf_reserve(gen_buf *buf, size_t extra)
{
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap *= 2;
    char *data = realloc(buf->data, cap);
    if (data == NULL) {
        fprintf(stderr, "differential: out of memory\n");
        exit(2);
    }
    buf->data = data;
    buf->cap = cap;
}

void
gen_buf_put(gen_buf *buf, const char *text)
{
    size_t n = strlen(text);
    buf_reserve(buf, n);
    memcpy(buf->data + buf->len, text, n + 1);
    buf->len += n;
}

void
gen_buf_printf(gen_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(buf, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
}

const char *
gen_buf_text(const gen_buf *buf)
{
    return buf->data ? buf->data : "";
}

char *
gen_buf_take(gen_buf *buf)
{
    char *text = buf->data;
    if (text == NULL) {
        text = calloc(1, 1);
        if (text == NULL) {
            fprintf(stderr, "differential: out of memory\n");
            exit(2);
        }
    }
    memset(buf, 0, sizeof *buf);
    return text;
}

void
gen_buf_free(gen_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

/* ------------------------------------------------------------------- script */

void
gen_script_add(gen_script *script, int kind, int is_ordered, const char *sql)
{
    if (script->n_stmts == script->cap) {
        size_t cap = script->cap ? script->cap * 2 : 64;
        gen_stmt *stmts = realloc(script->stmts, cap * sizeof *stmts);
        if (stmts == NULL) {
            fprintf(stderr, "differential: out of memory\n");
            exit(2);
        }
        script->stmts = stmts;
        script->cap = cap;
    }
    gen_stmt *st = &script->stmts[script->n_stmts++];
    st->kind = kind;
    st->is_ordered = is_ordered;
    st->sql = strdup(sql);
    if (st->sql == NULL) {
        fprintf(stderr, "differential: out of memory\n");
        exit(2);
    }
}

void
gen_script_free(gen_script *script)
{
    for (size_t i = 0; i < script->n_stmts; i++)
        free(script->stmts[i].sql);
    free(script->stmts);
    memset(script, 0, sizeof *script);
}

/* --------------------------------------------------------------------- PRNG */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void
rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t
rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A number in [0, n); n > 0. The tiny modulo bias does not matter here. */
static int
rng_below(rng *r, int n)
{
    return (int)(rng_next(r) % (uint64_t)n);
}

static int
rng_chance(rng *r, int percent)
{
    return rng_below(r, 100) < percent;
}

#define PICK(r, array) ((array)[rng_below((r), (int)(sizeof(array) / sizeof((array)[0])))])

/* -------------------------------------------------------------- schema model */

#define GEN_MAX_TABLES 4
#define GEN_MAX_VIEWS 2
#define GEN_MAX_COLS 5
#define GEN_MAX_SOURCES 3
#define GEN_MAX_SCOPES 4

enum { AFF_BLOB, AFF_TEXT, AFF_NUMERIC, AFF_INTEGER, AFF_REAL, AFF_KEY };
enum { COLL_BINARY, COLL_NOCASE, COLL_RTRIM };

typedef struct gen_column {
    char name[16];
    int affinity;
    int collation;
    int is_desc_indexed;    /* a DESC index starts with this column */
} gen_column;

typedef struct gen_table {
    char name[16];
    int n_cols;
    gen_column cols[GEN_MAX_COLS];
    int is_view;
} gen_table;

/* One FROM clause's tables, with their aliases; scopes nest for
 * correlated subqueries (scope 0 is the innermost). */
typedef struct gen_source {
    const gen_table *table;
    char alias[16];
} gen_source;

typedef struct gen_scope {
    gen_source sources[GEN_MAX_SOURCES];
    int n_sources;
    int is_aggregate;       /* an aggregate query's scope */
} gen_scope;

typedef struct gen {
    rng rng;
    gen_table tables[GEN_MAX_TABLES + GEN_MAX_VIEWS];
    int n_tables;           /* base tables come first */
    int n_base;
    int alias_seq;          /* makes every alias of a statement unique */
    const gen_table *dml_target;    /* UPDATE/DELETE: the table subqueries stay off
                                       (deliberate difference F13, see README) */
    int is_no_subquery;     /* gen_expr() makes no subqueries */
    const gen_scope *scopes[GEN_MAX_SCOPES];
    int n_scopes;
    int n_refs[GEN_MAX_SCOPES];     /* column references into each open scope */
} gen;

/* ------------------------------------------------------------------- values */

static const char *const INT_LITERALS[] = {
    "0", "1", "-1", "2", "3", "7", "10", "-3", "100", "9223372036854775806",
    "-9223372036854775808", "2147483647", "4294967296", "-4294967296",
};
/* (No 9223372036854775807 in INT_LITERALS either: INSERT ... SELECT copies
 * values into INTEGER PRIMARY KEY columns, and after that largest rowid both
 * engines pick new rowids at random.) */
/* Keys for INTEGER PRIMARY KEY columns: no 9223372036854775807, after which
 * SQLite picks new rowids at random. */
static const char *const KEY_LITERALS[] = {
    "NULL", "0", "1", "2", "3", "7", "10", "100", "4294967296", "'5'", "3.0", "NULL",
    "-1", "-9223372036854775808",
};
static const char *const REAL_LITERALS[] = {
    "0.0", "-0.0", "0.5", "1.0", "2.5", "-1.25", "1e308", "-1e308", "1.5e-7",
    "3.0", "1e18", "9.3e18", "0.1", "-2.0", "123.456",
};
static const char *const TEXT_LITERALS[] = {
    "'a'", "'A'", "'abc'", "'ABC'", "'abc '", "''", "' '", "'12'", "' 12 '", "'1e3'",
    "'0x10'", "'-0'", "'12abc'", "'3.0'", "'1'", "'b%'", "'a_c'", "'it''s'", "'Abc'",
    "'x'", "'-7'", "'  abc'", "'1.5'", "'9223372036854775808'",
};
static const char *const BLOB_LITERALS[] = {
    "x''", "x'00ff'", "x'41'", "x'3132'", "x'616263'",
};

/* Appends a literal: NULL, an integer, a real, a text or a blob, with edge
 * cases over-represented and a small domain so that equal values recur. */
static void
gen_literal(gen *g, gen_buf *b)
{
    int roll = rng_below(&g->rng, 100);
    if (roll < 12)
        gen_buf_put(b, "NULL");
    else if (roll < 50)
        gen_buf_put(b, PICK(&g->rng, INT_LITERALS));
    else if (roll < 65)
        gen_buf_put(b, PICK(&g->rng, REAL_LITERALS));
    else if (roll < 92)
        gen_buf_put(b, PICK(&g->rng, TEXT_LITERALS));
    else
        gen_buf_put(b, PICK(&g->rng, BLOB_LITERALS));
}

/* A literal that suits a column of the given affinity most of the time. */
static void
gen_value_for(gen *g, gen_buf *b, int affinity)
{
    if (affinity != AFF_KEY && rng_chance(&g->rng, 40)) {
        gen_literal(g, b);
        return;
    }
    if (affinity == AFF_KEY) {
        gen_buf_put(b, PICK(&g->rng, KEY_LITERALS));
        return;
    }
    switch (affinity) {
    case AFF_INTEGER:
    case AFF_NUMERIC:
        gen_buf_put(b, PICK(&g->rng, INT_LITERALS));
        break;
    case AFF_REAL:
        gen_buf_put(b, PICK(&g->rng, REAL_LITERALS));
        break;
    case AFF_TEXT:
        gen_buf_put(b, PICK(&g->rng, TEXT_LITERALS));
        break;
    default:
        gen_literal(g, b);
        break;
    }
}

/* ------------------------------------------------------------------- schema */

typedef struct decl_type {
    const char *text;
    int affinity;
} decl_type;

static const decl_type DECL_TYPES[] = {
    {"INTEGER", AFF_INTEGER}, {"INT", AFF_INTEGER}, {"BIGINT", AFF_INTEGER},
    {"REAL", AFF_REAL}, {"DOUBLE", AFF_REAL}, {"FLOAT", AFF_REAL},
    {"TEXT", AFF_TEXT}, {"VARCHAR(10)", AFF_TEXT}, {"CLOB", AFF_TEXT},
    {"BLOB", AFF_BLOB}, {"", AFF_BLOB}, {"", AFF_BLOB},
    {"NUMERIC", AFF_NUMERIC}, {"DECIMAL(10,2)", AFF_NUMERIC}, {"BOOLEAN", AFF_NUMERIC},
    {"DATE", AFF_NUMERIC},
};

static void
gen_column_def(gen *g, gen_buf *b, gen_column *col, int is_ipk)
{
    const decl_type *type = &PICK(&g->rng, DECL_TYPES);
    if (is_ipk) {
        gen_buf_printf(b, "%s INTEGER PRIMARY KEY", col->name);
        col->affinity = AFF_KEY;
        return;
    }
    col->affinity = type->affinity;
    gen_buf_printf(b, "%s%s%s", col->name, type->text[0] ? " " : "", type->text);
    if (rng_chance(&g->rng, 10))
        gen_buf_put(b, " NOT NULL");
    if (rng_chance(&g->rng, 12))
        gen_buf_put(b, " UNIQUE");
    if (rng_chance(&g->rng, 15)) {
        gen_buf value = {0};
        gen_value_for(g, &value, col->affinity);
        gen_buf_printf(b, " DEFAULT %s", gen_buf_text(&value));
        gen_buf_free(&value);
    }
    if (rng_chance(&g->rng, 25)) {
        col->collation = rng_chance(&g->rng, 75) ? COLL_NOCASE : COLL_RTRIM;
        gen_buf_put(b, col->collation == COLL_NOCASE ? " COLLATE NOCASE" : " COLLATE RTRIM");
    }
}

static void
gen_create_table(gen *g, gen_script *script, gen_table *t)
{
    gen_buf b = {0};
    int key_kind = rng_below(&g->rng, 10); /* 0-3: INTEGER PRIMARY KEY, 4: PK, 5: composite PK */
    t->n_cols = 2 + rng_below(&g->rng, GEN_MAX_COLS - 1);
    gen_buf_printf(&b, "CREATE TABLE %s(", t->name);
    for (int i = 0; i < t->n_cols; i++) {
        gen_column *col = &t->cols[i];
        snprintf(col->name, sizeof col->name, "c%d", i);
        if (i > 0)
            gen_buf_put(&b, ", ");
        size_t def_at = b.len;
        gen_column_def(g, &b, col, i == 0 && key_kind < 4);
        if (i == 0 && key_kind == 4) {
            gen_buf_put(&b, " PRIMARY KEY");
            /* "INTEGER ... PRIMARY KEY" is a rowid alias too: its keys stay
             * literal (KEY_LITERALS), or rowids after the largest go random. */
            if (strncmp(gen_buf_text(&b) + def_at, "c0 INTEGER ", 11) == 0)
                col->affinity = AFF_KEY;
        }
    }
    if (key_kind == 5)
        gen_buf_printf(&b, ", PRIMARY KEY(c%d, c%d)", t->n_cols - 1, 0);
    if (rng_chance(&g->rng, 10))
        gen_buf_put(&b, ", UNIQUE(c0, c1)");
    gen_buf_put(&b, ")");
    gen_script_add(script, GEN_STMT_SCHEMA, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

static void
gen_create_index(gen *g, gen_script *script, gen_table *t, int index_no)
{
    gen_buf b = {0};
    int n_keys = 1 + rng_below(&g->rng, 2);
    gen_buf_printf(&b, "CREATE %sINDEX %s_i%d ON %s(", rng_chance(&g->rng, 15) ? "UNIQUE " : "",
                   t->name, index_no, t->name);
    for (int k = 0; k < n_keys; k++) {
        gen_column *col = &t->cols[rng_below(&g->rng, t->n_cols)];
        gen_buf_printf(&b, "%s%s", k ? ", " : "", col->name);
        if (rng_chance(&g->rng, 20))
            gen_buf_put(&b, rng_chance(&g->rng, 70) ? " COLLATE NOCASE" : " COLLATE BINARY");
        if (rng_chance(&g->rng, 25)) {
            gen_buf_put(&b, " DESC");
            col->is_desc_indexed |= k == 0;
        }
    }
    gen_buf_put(&b, ")");
    gen_script_add(script, GEN_STMT_SCHEMA, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

static void gen_expr(gen *g, gen_buf *b, int depth);

/* Pushes a scope naming one fresh alias for table t (for single-table
 * statements and subqueries); pop it with scope_pop(). */
static void
scope_push(gen *g, gen_scope *scope)
{
    g->n_refs[g->n_scopes] = 0;
    g->scopes[g->n_scopes++] = scope;
}

static void
scope_pop(gen *g)
{
    g->n_scopes--;
}

static void
source_init(gen *g, gen_source *src, const gen_table *t)
{
    src->table = t;
    snprintf(src->alias, sizeof src->alias, "a%d", g->alias_seq++);
}

/* A view over one base table: a few columns and expressions, named v0.., with
 * columns c0.. (their affinity is unknown: BLOB is assumed). */
static void
gen_create_view(gen *g, gen_script *script, gen_table *v)
{
    gen_buf b = {0};
    gen_scope scope = {0};
    const gen_table *base = &g->tables[rng_below(&g->rng, g->n_base)];
    source_init(g, &scope.sources[0], base);
    scope.n_sources = 1;
    scope_push(g, &scope);
    v->n_cols = 1 + rng_below(&g->rng, 3);
    v->is_view = 1;
    gen_buf_printf(&b, "CREATE VIEW %s(", v->name);
    for (int i = 0; i < v->n_cols; i++) {
        snprintf(v->cols[i].name, sizeof v->cols[i].name, "c%d", i);
        v->cols[i].affinity = AFF_BLOB;
        gen_buf_printf(&b, "%sc%d", i ? ", " : "", i);
    }
    gen_buf_put(&b, ") AS SELECT ");
    for (int i = 0; i < v->n_cols; i++) {
        if (i)
            gen_buf_put(&b, ", ");
        if (rng_chance(&g->rng, 60))
            gen_buf_printf(&b, "%s.%s", scope.sources[0].alias,
                           base->cols[rng_below(&g->rng, base->n_cols)].name);
        else
            gen_expr(g, &b, 2);
    }
    gen_buf_printf(&b, " FROM %s AS %s", base->name, scope.sources[0].alias);
    if (rng_chance(&g->rng, 50)) {
        gen_buf_put(&b, " WHERE ");
        gen_expr(g, &b, 2);
    }
    scope_pop(g);
    gen_script_add(script, GEN_STMT_SCHEMA, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

static void
gen_insert_row(gen *g, gen_script *script, const gen_table *t)
{
    gen_buf b = {0};
    int is_named[GEN_MAX_COLS];
    int is_all = rng_chance(&g->rng, 70);
    gen_buf_printf(&b, "INSERT INTO %s", t->name);
    for (int i = 0; i < t->n_cols; i++)
        is_named[i] = is_all || i == 0 || rng_chance(&g->rng, 60);
    if (!is_all) {
        gen_buf_put(&b, "(c0");
        for (int i = 1; i < t->n_cols; i++)
            if (is_named[i])
                gen_buf_printf(&b, ", %s", t->cols[i].name);
        gen_buf_put(&b, ")");
    }
    gen_buf_put(&b, " VALUES(");
    for (int i = 0; i < t->n_cols; i++) {
        if (!is_named[i])
            continue;
        if (i)
            gen_buf_put(&b, ", ");
        gen_value_for(g, &b, t->cols[i].affinity);
    }
    gen_buf_put(&b, ")");
    gen_script_add(script, GEN_STMT_DATA, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

static void
gen_schema_and_data(gen *g, gen_script *script)
{
    g->n_base = 2 + rng_below(&g->rng, GEN_MAX_TABLES - 1);
    for (int i = 0; i < g->n_base; i++) {
        gen_table *t = &g->tables[i];
        snprintf(t->name, sizeof t->name, "t%d", i);
        gen_create_table(g, script, t);
        int n_indexes = rng_below(&g->rng, 3);
        for (int k = 0; k < n_indexes; k++)
            gen_create_index(g, script, t, k);
    }
    g->n_tables = g->n_base;
    for (int i = 0; i < g->n_base; i++) {
        int n_rows = rng_below(&g->rng, 12);
        for (int r = 0; r < n_rows; r++)
            gen_insert_row(g, script, &g->tables[i]);
    }
    int n_views = rng_below(&g->rng, GEN_MAX_VIEWS + 1);
    for (int i = 0; i < n_views; i++) {
        gen_table *v = &g->tables[g->n_tables];
        snprintf(v->name, sizeof v->name, "v%d", i);
        gen_create_view(g, script, v);
        g->n_tables++;
    }
}

/* -------------------------------------------------------------- expressions */

/* Appends a column reference from any scope in sight (inner ones more
 * often), or a literal when there is none. */
static void
gen_column_ref(gen *g, gen_buf *b, const gen_column **col_out)
{
    *col_out = NULL;
    if (g->n_scopes == 0) {
        gen_literal(g, b);
        return;
    }
    int depth = 0;
    while (depth + 1 < g->n_scopes && rng_chance(&g->rng, 25))
        depth++;
    const gen_scope *scope = g->scopes[g->n_scopes - 1 - depth];
    if (scope->n_sources == 0) {
        gen_literal(g, b);
        return;
    }
    g->n_refs[g->n_scopes - 1 - depth]++;
    const gen_source *src = &scope->sources[rng_below(&g->rng, scope->n_sources)];
    const gen_column *col = &src->table->cols[rng_below(&g->rng, src->table->n_cols)];
    gen_buf_printf(b, "%s.%s", src->alias, col->name);
    *col_out = col;
}

static void
gen_leaf(gen *g, gen_buf *b)
{
    const gen_column *col;
    if (rng_chance(&g->rng, 65))
        gen_column_ref(g, b, &col);
    else
        gen_literal(g, b);
}

/* An operand: wrapped in parentheses most of the time; bare operands test
 * that both engines give the text the same precedence. */
static void
gen_operand(gen *g, gen_buf *b, int depth)
{
    if (depth > 0 && rng_chance(&g->rng, 60)) {
        gen_buf_put(b, "(");
        gen_expr(g, b, depth);
        gen_buf_put(b, ")");
    } else {
        gen_expr(g, b, depth);
    }
}

static const char *const BINARY_OPS[] = {
    "+", "-", "*", "/", "%", "||", "&", "|", "<<", ">>", "=", "==", "!=", "<>", "<", "<=",
    ">", ">=", "AND", "OR", "IS", "IS NOT", "+", "=", "<", "AND", "OR",
};

static void gen_subquery_expr(gen *g, gen_buf *b, int depth);

static void
gen_function(gen *g, gen_buf *b, int depth)
{
    static const char *const ONE_ARG[] = {
        "abs", "length", "upper", "lower", "trim", "ltrim", "rtrim", "typeof", "hex", "quote",
        "round", "unicode",
    };
    static const char *const TWO_ARG[] = {
        "coalesce", "ifnull", "nullif", "instr", "trim", "ltrim", "rtrim", "min", "max",
        "substr", "round",
    };
    int kind = rng_below(&g->rng, 10);
    if (kind < 4) {
        const char *name = PICK(&g->rng, ONE_ARG);
        gen_buf arg = {0};
        gen_expr(g, &arg, depth);
        if (strcmp(name, "quote") == 0) {
            /* A real that "%!.15g" does not give back exactly is quoted in
             * "%!.20e", whose digits past the 17th SQLite 3.40 takes from long
             * double arithmetic and 3.45 (ChorusDB) from the exact value: quote
             * reals of 14 digits only (infinity becomes 0.0). */
            gen_buf_printf(b, "quote(iif(typeof(%s) = 'real', CAST(printf('%%.13e', %s) AS REAL),"
                              " %s))", gen_buf_text(&arg), gen_buf_text(&arg), gen_buf_text(&arg));
        } else {
            gen_buf_printf(b, "%s(%s)", name, gen_buf_text(&arg));
        }
        gen_buf_free(&arg);
    } else if (kind < 8) {
        const char *name = PICK(&g->rng, TWO_ARG);
        gen_buf_printf(b, "%s(", name);
        gen_expr(g, b, depth);
        gen_buf_put(b, ", ");
        if (strcmp(name, "round") == 0)
            gen_buf_printf(b, "%d", rng_below(&g->rng, 4));
        else
            gen_expr(g, b, depth);
        gen_buf_put(b, ")");
    } else if (kind == 8) {
        static const char *const THREE_ARG[] = {"substr", "replace", "coalesce", "min", "max",
                                                "iif"};
        const char *name = PICK(&g->rng, THREE_ARG);
        gen_buf_printf(b, "%s(", name);
        for (int i = 0; i < 3; i++) {
            if (i)
                gen_buf_put(b, ", ");
            if (strcmp(name, "substr") == 0 && i > 0 && rng_chance(&g->rng, 60))
                gen_buf_printf(b, "%d", rng_below(&g->rng, 7) - 3);
            else
                gen_expr(g, b, depth);
        }
        gen_buf_put(b, ")");
    } else {
        static const char *const FORMATS[] = {"'%d'", "'%s'", "'%5s|%-4d'", "'%x'",
                                              "'%c'", "'%%%s'", "'%q'"};
        gen_buf_printf(b, "printf(%s, ", PICK(&g->rng, FORMATS));
        gen_expr(g, b, depth);
        gen_buf_put(b, ", ");
        gen_expr(g, b, depth);
        gen_buf_put(b, ")");
    }
}

static void
gen_case(gen *g, gen_buf *b, int depth)
{
    int has_base = rng_chance(&g->rng, 40);
    int n_whens = 1 + rng_below(&g->rng, 3);
    gen_buf_put(b, "CASE");
    if (has_base) {
        gen_buf_put(b, " ");
        gen_operand(g, b, depth);
    }
    for (int i = 0; i < n_whens; i++) {
        gen_buf_put(b, " WHEN ");
        gen_operand(g, b, depth);
        gen_buf_put(b, " THEN ");
        gen_operand(g, b, depth);
    }
    if (rng_chance(&g->rng, 60)) {
        gen_buf_put(b, " ELSE ");
        gen_operand(g, b, depth);
    }
    gen_buf_put(b, " END");
}

static void
gen_in_list(gen *g, gen_buf *b, int depth)
{
    int n = rng_below(&g->rng, 4);
    gen_operand(g, b, depth);
    gen_buf_put(b, rng_chance(&g->rng, 30) ? " NOT IN (" : " IN (");
    for (int i = 0; i < n; i++) {
        if (i)
            gen_buf_put(b, ", ");
        if (rng_chance(&g->rng, 70))
            gen_literal(g, b);
        else
            gen_expr(g, b, depth);
    }
    gen_buf_put(b, ")");
}

static void
gen_like(gen *g, gen_buf *b, int depth)
{
    static const char *const PATTERNS[] = {
        "'a%'", "'%c'", "'_b_'", "'%'", "'A%'", "'a\\%%'", "'1%'", "'%1%'", "''", "'abc'",
    };
    static const char *const GLOBS[] = {"'a*'", "'*c'", "'?b?'", "'[a-c]*'", "'[^a]*'", "'*'",
                                        "'1*'", "'A*'"};
    int is_glob = rng_chance(&g->rng, 30);
    /* The oracle is built with LIKE_DOESNT_MATCH_BLOBS (Debian), stock SQLite
     * is not: keep blobs out of LIKE and GLOB by casting to text. */
    gen_buf_put(b, "CAST(");
    gen_expr(g, b, depth);
    gen_buf_put(b, " AS TEXT)");
    gen_buf_put(b, rng_chance(&g->rng, 25) ? " NOT" : "");
    gen_buf_put(b, is_glob ? " GLOB " : " LIKE ");
    if (rng_chance(&g->rng, 75)) {
        gen_buf_put(b, is_glob ? PICK(&g->rng, GLOBS) : PICK(&g->rng, PATTERNS));
    } else {
        gen_buf_put(b, "CAST(");
        gen_expr(g, b, depth);
        gen_buf_put(b, " AS TEXT)");
    }
    if (!is_glob && rng_chance(&g->rng, 20))
        gen_buf_put(b, " ESCAPE '\\'");
}

static void
gen_cast(gen *g, gen_buf *b, int depth)
{
    static const char *const TYPES[] = {"INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "INT",
                                        "VARCHAR(3)", "FLOAT"};
    gen_buf_put(b, "CAST(");
    gen_expr(g, b, depth);
    gen_buf_printf(b, " AS %s)", PICK(&g->rng, TYPES));
}

/* gen_expr: appends a random scalar expression of at most depth levels over
 * the columns in scope. */
static void
gen_expr(gen *g, gen_buf *b, int depth)
{
    if (depth <= 0) {
        gen_leaf(g, b);
        return;
    }
    depth--;
    int kind = rng_below(&g->rng, 100);
    if (kind < 25) {
        gen_leaf(g, b);
    } else if (kind < 47) {
        gen_operand(g, b, depth);
        gen_buf_printf(b, " %s ", PICK(&g->rng, BINARY_OPS));
        gen_operand(g, b, depth);
    } else if (kind < 52) {
        static const char *const UNARY[] = {"-", "+", "NOT ", "~"};
        gen_buf_put(b, PICK(&g->rng, UNARY));
        gen_operand(g, b, depth);
    } else if (kind < 64) {
        gen_function(g, b, depth);
    } else if (kind < 68) {
        gen_case(g, b, depth);
    } else if (kind < 72) {
        gen_cast(g, b, depth);
    } else if (kind < 76) {
        gen_like(g, b, depth);
    } else if (kind < 80) {
        gen_in_list(g, b, depth);
    } else if (kind < 84) {
        gen_operand(g, b, depth);
        gen_buf_put(b, rng_chance(&g->rng, 25) ? " NOT BETWEEN " : " BETWEEN ");
        gen_operand(g, b, depth);
        gen_buf_put(b, " AND ");
        gen_operand(g, b, depth);
    } else if (kind < 88) {
        static const char *const NULL_TESTS[] = {" IS NULL", " IS NOT NULL", " ISNULL", " NOTNULL",
                                                 " NOT NULL"};
        gen_operand(g, b, depth);
        gen_buf_put(b, PICK(&g->rng, NULL_TESTS));
    } else if (kind < 91) {
        static const char *const COLLATIONS[] = {" COLLATE NOCASE", " COLLATE BINARY",
                                                 " COLLATE RTRIM"};
        gen_operand(g, b, depth);
        gen_buf_put(b, PICK(&g->rng, COLLATIONS));
    } else if (g->is_no_subquery) {
        gen_leaf(g, b);
    } else {
        gen_subquery_expr(g, b, depth);
    }
}

/* A condition that often holds for some rows: a column compared with a
 * literal or another column, or any expression. */
static void
gen_condition(gen *g, gen_buf *b, int depth)
{
    static const char *const CMP[] = {"=", "<", ">", "<=", ">=", "!=", "IS", "IS NOT"};
    int kind = rng_below(&g->rng, 10);
    const gen_column *col;
    if (kind < 4) {
        gen_column_ref(g, b, &col);
        gen_buf_printf(b, " %s ", PICK(&g->rng, CMP));
        if (rng_chance(&g->rng, 50))
            gen_column_ref(g, b, &col);
        else
            gen_value_for(g, b, col ? col->affinity : AFF_BLOB);
    } else if (kind < 6) {
        gen_condition(g, b, depth - 1 > 0 ? depth - 1 : 0);
        gen_buf_put(b, rng_chance(&g->rng, 50) ? " AND " : " OR ");
        gen_condition(g, b, depth - 1 > 0 ? depth - 1 : 0);
    } else {
        gen_expr(g, b, depth);
    }
}

/* ---------------------------------------------------------------- subqueries */


/*
 * Appends aggregate call fmt (a printf format with one %s) over a random
 * argument. sum(), total() and avg() see only values within +-1e9: SQLite
 * 3.40 adds in doubles where 3.45 (ChorusDB's target) adds integers exactly
 * and compensates real sums, so larger values differ by version, and so do
 * sums where 4294967296 and -4294967296 cancel around a real (seed 700494).
 */
static void
gen_aggregate(gen *g, gen_buf *b, const char *fmt, int depth)
{
    gen_buf arg = {0};
    int level = g->n_scopes - 1;
    int n_refs = level >= 0 ? g->n_refs[level] : 0;
    gen_expr(g, &arg, depth);   /* outer columns too: the aggregate may belong to an
                                   outer query (finding F1) */
    if (level >= 1 && g->n_refs[level] == n_refs && !g->scopes[level - 1]->is_aggregate &&
        g->scopes[level]->n_sources > 0) {
        /* It would make the enclosing plain query an aggregate, whose other
         * result columns would then be bare (rule G4): name a column of the
         * subquery, keeping the value, to keep the aggregate there (not
         * with IS NULL, which folds away on a column never NULL). */
        const gen_source *src = &g->scopes[level]->sources[0];
        gen_buf owned = {0};
        gen_buf_printf(&owned, "CASE WHEN typeof(%s.%s) = 'null' THEN %s ELSE %s END",
                       src->alias, src->table->cols[0].name, gen_buf_text(&arg),
                       gen_buf_text(&arg));
        gen_buf_free(&arg);
        arg = owned;
    }
    if (strstr(fmt, "sum(") || strstr(fmt, "total(") || strstr(fmt, "avg(")) {
        gen_buf guarded = {0};
        gen_buf_printf(&guarded, "CASE WHEN (%s) + 0 BETWEEN -1e9 AND 1e9 THEN %s END",
                       gen_buf_text(&arg), gen_buf_text(&arg));
        gen_buf_free(&arg);
        arg = guarded;
    }
    gen_buf_printf(b, fmt, gen_buf_text(&arg));
    gen_buf_free(&arg);
}

static const gen_table *
pick_table(gen *g, int is_base_only)
{
    int n = is_base_only ? g->n_base : g->n_tables;
    return &g->tables[rng_below(&g->rng, n)];
}

/* A base table other than t (views may read t), or NULL when there is none. */
static const gen_table *
pick_other_base(gen *g, const gen_table *t)
{
    const gen_table *u;
    if (g->n_base < 2)
        return NULL;
    u = &g->tables[rng_below(&g->rng, g->n_base - 1)];
    return u == t ? &g->tables[g->n_base - 1] : u;
}

static int
table_has_desc_index(const gen_table *t)
{
    for (int i = 0; i < t->n_cols; i++)
        if (t->cols[i].is_desc_indexed)
            return 1;
    return 0;
}

/* Scalar (an aggregate: one row, rule G2), IN (SELECT ...) or EXISTS, over
 * one table, often correlated with the scopes outside. */
static void
gen_subquery_expr(gen *g, gen_buf *b, int depth)
{
    static const char *const AGGS[] = {"count(%s)", "max(%s)", "min(%s)", "sum(%s)", "total(%s)",
                                       "avg(%s)"};
    gen_scope scope = {0};
    const gen_table *t = g->dml_target != NULL ? pick_other_base(g, g->dml_target)
                                               : pick_table(g, 0);
    int kind = rng_below(&g->rng, 3);
    if (g->n_scopes >= GEN_MAX_SCOPES || t == NULL) {
        gen_literal(g, b);
        return;
    }
    gen_buf b_outer_first = {0};
    if (kind == 1) {
        /* The left operand is generated in the outer scope. */
        gen_operand(g, &b_outer_first, depth);
    }
    source_init(g, &scope.sources[0], t);
    scope.n_sources = 1;
    scope_push(g, &scope);
    const char *alias = scope.sources[0].alias;
    if (kind == 0) {
        gen_buf_put(b, "(SELECT ");
        gen_aggregate(g, b, PICK(&g->rng, AGGS), depth);
    } else if (kind == 1) {
        gen_buf_printf(b, "%s%s (SELECT ", gen_buf_text(&b_outer_first),
                       rng_chance(&g->rng, 30) ? " NOT IN" : " IN");
        const gen_column *col = &t->cols[rng_below(&g->rng, t->n_cols)];
        /* SQLite 3.40 answers 0 instead of NULL for x IN (SELECT c ...) when
         * c has a DESC index and holds a NULL: "+" keeps the index out. */
        if (rng_chance(&g->rng, 70)) {
            gen_buf_printf(b, "%s%s.%s", col->is_desc_indexed ? "+" : "", alias, col->name);
        } else {
            /* The expression may be such a column too (seed 700228). */
            gen_buf_put(b, table_has_desc_index(t) ? "+(" : "(");
            gen_expr(g, b, depth);
            gen_buf_put(b, ")");
        }
    } else {
        gen_buf_put(b, rng_chance(&g->rng, 25) ? "NOT EXISTS (SELECT 1" : "EXISTS (SELECT 1");
    }
    gen_buf_printf(b, " FROM %s AS %s", t->name, alias);
    if (rng_chance(&g->rng, 75)) {
        gen_buf_put(b, " WHERE ");
        gen_condition(g, b, depth);
    }
    gen_buf_put(b, ")");
    scope_pop(g);
    gen_buf_free(&b_outer_first);
}

/* ------------------------------------------------------------------ queries */

/* Appends FROM with 1-3 sources, filling scope (joins get ON conditions
 * over the sources so far). The second source's INNER JOIN and LEFT OUTER
 * JOIN are written FULL JOIN and RIGHT JOIN (no draw of its own, so seeds
 * keep their scripts otherwise), and so are the third's after such a join:
 * SQLite 3.40 loses the rows a RIGHT JOIN adds when an inner join before it
 * has a constant false ON (differential seeds 500026, 500038). */
static void
gen_from(gen *g, gen_buf *b, gen_scope *scope)
{
    static const char *const JOINS[] = {", ", " JOIN ", " LEFT JOIN ", " CROSS JOIN ",
                                        " INNER JOIN ", " LEFT OUTER JOIN "};
    int n = 1 + rng_below(&g->rng, 3);
    if (rng_chance(&g->rng, 40))
        n = 1;
    int is_outer_right = 0;     /* the last join is RIGHT or FULL */
    gen_buf_put(b, " FROM ");
    scope->n_sources = 0;
    for (int i = 0; i < n; i++) {
        gen_source *src = &scope->sources[scope->n_sources];
        source_init(g, src, pick_table(g, 0));
        const char *join = i ? PICK(&g->rng, JOINS) : "";
        if (i == 1 || (i == 2 && is_outer_right)) {
            if (strcmp(join, " INNER JOIN ") == 0)
                join = " FULL JOIN ";
            else if (strcmp(join, " LEFT OUTER JOIN ") == 0)
                join = " RIGHT JOIN ";
        }
        is_outer_right = strstr(join, "FULL") != NULL || strstr(join, "RIGHT") != NULL;
        gen_buf_printf(b, "%s%s AS %s", join, src->table->name, src->alias);
        scope->n_sources++;
        if (i && (strstr(join, "JOIN") != NULL && strstr(join, "CROSS") == NULL)) {
            gen_buf_put(b, " ON ");
            gen_condition(g, b, 1);
        }
    }
}

/* A result list with an ORDER BY over every result column (rule G1). */
static void
gen_order_all(gen *g, gen_buf *b, int n_results)
{
    gen_buf_put(b, " ORDER BY ");
    for (int i = 0; i < n_results; i++) {
        gen_buf_printf(b, "%s%d", i ? ", " : "", i + 1);
        if (rng_chance(&g->rng, 30))
            gen_buf_put(b, " DESC");
        if (rng_chance(&g->rng, 15))
            gen_buf_put(b, rng_chance(&g->rng, 50) ? " NULLS FIRST" : " NULLS LAST");
    }
}

static void
gen_limit(gen *g, gen_buf *b)
{
    gen_buf_printf(b, " LIMIT %d", rng_below(&g->rng, 6) - (rng_chance(&g->rng, 10) ? 2 : 0));
    if (rng_chance(&g->rng, 40))
        gen_buf_printf(b, " OFFSET %d", rng_below(&g->rng, 4));
}

/* One SELECT core (no ORDER BY): plain or aggregate. n_results: how many
 * result columns, chosen here when 0; the count is returned. */
static int
gen_select_core(gen *g, gen_buf *b, int n_results)
{
    static const char *const AGGS[] = {
        "count(%s)", "sum(%s)", "total(%s)", "avg(%s)", "min(%s)", "max(%s)",
        "count(DISTINCT %s)", "length(CAST(group_concat(%s) AS BLOB))",
        "length(CAST(group_concat(DISTINCT %s) AS BLOB))", "sum(DISTINCT %s)",
        "length(CAST(group_concat(%s, '|') AS BLOB))",
    };
    gen_scope scope = {0};
    gen_buf from = {0};
    gen_buf rest = {0};
    int is_aggregate = rng_chance(&g->rng, 30);
    if (n_results == 0)
        n_results = 1 + rng_below(&g->rng, 3);
    gen_from(g, &from, &scope);
    scope.is_aggregate = is_aggregate;
    scope_push(g, &scope);
    gen_buf_put(b, "SELECT ");
    if (rng_chance(&g->rng, 15))
        gen_buf_put(b, "DISTINCT ");
    if (!is_aggregate) {
        for (int i = 0; i < n_results; i++) {
            if (i)
                gen_buf_put(b, ", ");
            gen_expr(g, b, 1 + rng_below(&g->rng, 3));
        }
    } else {
        /* Grouping columns first, then aggregates (rule G4). */
        int n_keys = rng_below(&g->rng, n_results);
        gen_buf keys = {0};
        for (int i = 0; i < n_keys; i++) {
            const gen_column *col;
            gen_buf key = {0};
            gen_column_ref(g, &key, &col);
            /* A group holds values that compare equal but may differ ('A' and
             * 'a' under NOCASE, 'x ' under RTRIM, 3 and 3.0); which one the
             * group shows depends on the engine's plan, so show a form that is
             * the same for all of them. */
            gen_buf_printf(b, "%sCASE WHEN typeof(%s) IN ('integer', 'real') THEN %s + 0.0"
                              " ELSE rtrim(lower(%s)) END", i ? ", " : "", gen_buf_text(&key),
                           gen_buf_text(&key), gen_buf_text(&key));
            gen_buf_printf(&keys, "%s%s", i ? ", " : "", gen_buf_text(&key));
            gen_buf_free(&key);
        }
        for (int i = n_keys; i < n_results; i++) {
            if (i)
                gen_buf_put(b, ", ");
            if (rng_chance(&g->rng, 15)) {
                gen_buf_put(b, "count(*)");
                continue;
            }
            gen_aggregate(g, b, PICK(&g->rng, AGGS), rng_below(&g->rng, 3));
        }
        if (n_keys > 0)
            gen_buf_printf(&rest, " GROUP BY %s", gen_buf_text(&keys));
        if (rng_chance(&g->rng, 30)) {
            gen_buf_put(&rest, " HAVING ");
            gen_aggregate(g, &rest, PICK(&g->rng, AGGS), 1);
            gen_buf_printf(&rest, " > %d", rng_below(&g->rng, 4));
        }
        gen_buf_free(&keys);
    }
    gen_buf_put(b, gen_buf_text(&from));
    if (rng_chance(&g->rng, 60)) {
        gen_buf_put(b, " WHERE ");
        gen_condition(g, b, 2);
    }
    gen_buf_put(b, gen_buf_text(&rest));
    scope_pop(g);
    gen_buf_free(&from);
    gen_buf_free(&rest);
    return n_results;
}

static void
gen_query(gen *g, gen_script *script)
{
    static const char *const COMPOUNDS[] = {" UNION ALL ", " UNION ALL ", " UNION ",
                                            " INTERSECT ", " EXCEPT "};
    gen_buf b = {0};
    int is_ordered = 0;
    int n_results = gen_select_core(g, &b, 0);
    if (rng_chance(&g->rng, 15)) {
        gen_buf_put(&b, PICK(&g->rng, COMPOUNDS));
        gen_select_core(g, &b, n_results);
    }
    if (rng_chance(&g->rng, 45)) {
        gen_order_all(g, &b, n_results);
        is_ordered = 1;
        if (rng_chance(&g->rng, 50))
            gen_limit(g, &b);
    }
    gen_script_add(script, GEN_STMT_QUERY, is_ordered, gen_buf_text(&b));
    gen_buf_free(&b);
}

/* ------------------------------------------------------------------- writes */

static const char *const CONFLICT_CLAUSES[] = {"", "", "", " OR IGNORE", " OR REPLACE",
                                               " OR ABORT", " OR FAIL", " OR ROLLBACK"};

static void
gen_insert(gen *g, gen_script *script)
{
    const gen_table *t = pick_table(g, 1);
    gen_buf b = {0};
    if (rng_chance(&g->rng, 8))
        gen_buf_printf(&b, "REPLACE INTO %s", t->name);
    else
        gen_buf_printf(&b, "INSERT%s INTO %s", PICK(&g->rng, CONFLICT_CLAUSES), t->name);
    int kind = rng_below(&g->rng, 10);
    if (kind < 6) {
        int n_rows = 1 + rng_below(&g->rng, 3);
        gen_buf_put(&b, " VALUES");
        for (int r = 0; r < n_rows; r++) {
            gen_buf_put(&b, r ? ", (" : "(");
            for (int i = 0; i < t->n_cols; i++) {
                if (i)
                    gen_buf_put(&b, ", ");
                /* Keys stay literal (no 9223372036854775807, see KEY_LITERALS). */
                if (t->cols[i].affinity == AFF_KEY || rng_chance(&g->rng, 85))
                    gen_value_for(g, &b, t->cols[i].affinity);
                else
                    gen_expr(g, &b, 1);
            }
            gen_buf_put(&b, ")");
        }
    } else if (kind < 9) {
        /* Rowids follow the order of the rows: order them all (rule G1). */
        gen_buf_put(&b, " ");
        gen_select_core(g, &b, t->n_cols);
        gen_order_all(g, &b, t->n_cols);
    } else {
        gen_buf_put(&b, " DEFAULT VALUES");
    }
    gen_script_add(script, GEN_STMT_WRITE, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

static void
gen_update(gen *g, gen_script *script)
{
    const gen_table *t = pick_table(g, 1);
    gen_buf b = {0};
    gen_scope scope = {0};
    scope.sources[0].table = t;
    snprintf(scope.sources[0].alias, sizeof scope.sources[0].alias, "%s", t->name);
    scope.n_sources = 1;
    scope_push(g, &scope);
    g->dml_target = t;
    /* Every clause: F3 is fixed (core/vm/exec_dml.c W4 reads each target of a
     * two-pass UPDATE again, as SQLite does). */
    gen_buf_printf(&b, "UPDATE%s %s SET ", PICK(&g->rng, CONFLICT_CLAUSES), t->name);
    int n_sets = 1 + rng_below(&g->rng, 2);
    int first = rng_below(&g->rng, t->n_cols);
    for (int i = 0; i < n_sets; i++) {
        int c = (first + i) % t->n_cols;
        gen_buf_printf(&b, "%s%s = ", i ? ", " : "", t->cols[c].name);
        if (t->cols[c].affinity == AFF_KEY || rng_chance(&g->rng, 50))
            gen_value_for(g, &b, t->cols[c].affinity);
        else
            gen_expr(g, &b, 2);
    }
    if (rng_chance(&g->rng, 80)) {
        gen_buf_put(&b, " WHERE ");
        gen_condition(g, &b, 2);
    }
    g->dml_target = NULL;
    scope_pop(g);
    gen_script_add(script, GEN_STMT_WRITE, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

static void
gen_delete(gen *g, gen_script *script)
{
    const gen_table *t = pick_table(g, 1);
    gen_buf b = {0};
    gen_scope scope = {0};
    scope.sources[0].table = t;
    snprintf(scope.sources[0].alias, sizeof scope.sources[0].alias, "%s", t->name);
    scope.n_sources = 1;
    scope_push(g, &scope);
    gen_buf_printf(&b, "DELETE FROM %s WHERE ", t->name);
    g->dml_target = t;
    gen_condition(g, &b, 2);
    g->dml_target = NULL;
    scope_pop(g);
    gen_script_add(script, GEN_STMT_WRITE, 0, gen_buf_text(&b));
    gen_buf_free(&b);
}

/* Transaction control, kept balanced by the state in *in_tx. */
static void
gen_tx(gen *g, gen_script *script, int *in_tx)
{
    if (!*in_tx) {
        static const char *const BEGINS[] = {"BEGIN", "BEGIN IMMEDIATE", "BEGIN DEFERRED",
                                             "SAVEPOINT s1"};
        gen_script_add(script, GEN_STMT_TX, 0, PICK(&g->rng, BEGINS));
        *in_tx = 1;
    } else {
        static const char *const ENDS[] = {"COMMIT", "ROLLBACK", "END"};
        gen_script_add(script, GEN_STMT_TX, 0, PICK(&g->rng, ENDS));
        *in_tx = 0;
    }
}

void
gen_script_make(uint64_t seed, int n_actions, gen_script *script)
{
    gen g;
    memset(&g, 0, sizeof g);
    rng_seed(&g.rng, seed);
    gen_schema_and_data(&g, script);
    int in_tx = 0;
    for (int i = 0; i < n_actions; i++) {
        g.alias_seq = 0;
        int roll = rng_below(&g.rng, 100);
        if (roll < 60)
            gen_query(&g, script);
        else if (roll < 75)
            gen_insert(&g, script);
        else if (roll < 86)
            gen_update(&g, script);
        else if (roll < 94)
            gen_delete(&g, script);
        else
            gen_tx(&g, script, &in_tx);
    }
    if (in_tx)
        gen_script_add(script, GEN_STMT_TX, 0, "COMMIT");
}
