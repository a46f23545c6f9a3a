/*
 * core/sql/sql_int.h: private to core/sql: token codes, the keyword table,
 * the tokenizer and the parser state shared by the parse_*.c files.
 *
 * Invariants
 *   P1  A parse function that returns a node returns NULL exactly when it has
 *       recorded an error in the parser (p->rc != CHORUS_OK); one that returns
 *       int returns p->rc. The first error recorded wins; later ones are
 *       dropped, so every caller may simply propagate.
 *   P2  p->tok is the lookahead: the first token not yet consumed, never a
 *       space or comment. After an error it is TK_EOF, so loops end.
 *   P3  Every node lives in p->arena; nothing here calls malloc except the
 *       error message, which sql_parse hands to its caller.
 *
 * Callers: only the files of core/sql (and tests/core/sql, which check the
 * tokenizer and the keyword table directly).
 */
#ifndef CHORUS_SQL_INT_H
#define CHORUS_SQL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sql.h"

/*
 * SQLite's keywords in alphabetical order (keywords.c searches them by
 * binary search, so the order matters; a test checks it). The second
 * column is the class: F  falls back to an identifier where a keyword is
 * not expected (SQLite's %fallback ID list), J  a join keyword (usable as a
 * name but not as an implicit alias), C  a context keyword that the
 * tokenizer turns into an identifier unless the next tokens make it a
 * keyword (WINDOW, OVER, FILTER), N  a reserved keyword.
 */
#define SQL_KEYWORD_LIST(X)                                                                        \
    X(ABORT, F) X(ACTION, F) X(ADD, N) X(AFTER, F) X(ALL, N) X(ALTER, N) X(ALWAYS, F)             \
    X(ANALYZE, F) X(AND, N) X(AS, N) X(ASC, F) X(ATTACH, F) X(AUTOINCREMENT, N) X(BEFORE, F)      \
    X(BEGIN, F) X(BETWEEN, N) X(BY, F) X(CASCADE, F) X(CASE, N) X(CAST, F) X(CHECK, N)            \
    X(COLLATE, N) X(COLUMN, F) X(COMMIT, N) X(CONFLICT, F) X(CONSTRAINT, N) X(CREATE, N)          \
    X(CROSS, J) X(CURRENT, F) X(CURRENT_DATE, F) X(CURRENT_TIME, F) X(CURRENT_TIMESTAMP, F)       \
    X(DATABASE, F) X(DEFAULT, N) X(DEFERRABLE, N) X(DEFERRED, F) X(DELETE, N) X(DESC, F)          \
    X(DETACH, F) X(DISTINCT, N) X(DO, F) X(DROP, N) X(EACH, F) X(ELSE, N) X(END, F)               \
    X(ESCAPE, N) X(EXCEPT, N) X(EXCLUDE, F) X(EXCLUSIVE, F) X(EXISTS, N) X(EXPLAIN, F)            \
    X(FAIL, F) X(FILTER, C) X(FIRST, F) X(FOLLOWING, F) X(FOR, F) X(FOREIGN, N) X(FROM, N)        \
    X(FULL, J) X(GENERATED, F) X(GLOB, F) X(GROUP, N) X(GROUPS, F) X(HAVING, N) X(IF, F)          \
    X(IGNORE, F) X(IMMEDIATE, F) X(IN, N) X(INDEX, N) X(INDEXED, N) X(INITIALLY, F) X(INNER, J)   \
    X(INSERT, N) X(INSTEAD, F) X(INTERSECT, N) X(INTO, N) X(IS, N) X(ISNULL, N) X(JOIN, N)        \
    X(KEY, F) X(LAST, F) X(LEFT, J) X(LIKE, F) X(LIMIT, N) X(MATCH, F) X(MATERIALIZED, F)         \
    X(NATURAL, J) X(NO, F) X(NOT, N) X(NOTHING, N) X(NOTNULL, N) X(NULL, N) X(NULLS, F) X(OF, F)  \
    X(OFFSET, F) X(ON, N) X(OR, N) X(ORDER, N) X(OTHERS, F) X(OUTER, J) X(OVER, C)                \
    X(PARTITION, F) X(PLAN, F) X(PRAGMA, F) X(PRECEDING, F) X(PRIMARY, N) X(QUERY, F) X(RAISE, F) \
    X(RANGE, F) X(RECURSIVE, F) X(REFERENCES, N) X(REGEXP, F) X(REINDEX, F) X(RELEASE, F)         \
    X(RENAME, F) X(REPLACE, F) X(RESTRICT, F) X(RETURNING, N) X(RIGHT, J) X(ROLLBACK, F)          \
    X(ROW, F) X(ROWS, F) X(SAVEPOINT, F) X(SELECT, N) X(SET, N) X(TABLE, N) X(TEMP, F)            \
    X(TEMPORARY, F) X(THEN, N) X(TIES, F) X(TO, N) X(TRANSACTION, N) X(TRIGGER, F)                \
    X(UNBOUNDED, F) X(UNION, N) X(UNIQUE, N) X(UPDATE, N) X(USING, N) X(VACUUM, F) X(VALUES, N)   \
    X(VIEW, F) X(VIRTUAL, F) X(WHEN, N) X(WHERE, N) X(WINDOW, C) X(WITH, F) X(WITHOUT, F)

/* Token codes: the non-keyword tokens, then one code per keyword. */
enum sql_token_type {
    TK_EOF = 0,             /* end of input (or of the text before a NUL byte) */
    TK_SPACE,
    TK_COMMENT,
    TK_ILLEGAL,             /* unrecognized token: an error when the parser reaches it */
    TK_ID,                  /* plain, "double", [bracket] or `backtick` identifier */
    TK_STRING,              /* '...' */
    TK_INTEGER,
    TK_FLOAT,
    TK_BLOB,                /* x'...' */
    TK_VARIABLE,            /* ?, ?N, :a, @a, $a, #a */
    TK_SEMI, TK_LP, TK_RP, TK_COMMA, TK_DOT,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_REM,
    TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
    TK_LSHIFT, TK_RSHIFT, TK_BITAND, TK_BITOR, TK_BITNOT,
    TK_CONCAT,              /* || */
    TK_PTR,                 /* -> (2 bytes) or ->> (3 bytes) */
#define SQL_KW_ENUM(name, cls) TK_##name,
    SQL_KEYWORD_LIST(SQL_KW_ENUM)
#undef SQL_KW_ENUM
    TK_FIRST_KEYWORD = TK_ABORT,
    TK_LAST_KEYWORD = TK_WITHOUT
};

/* Keyword classes (see SQL_KEYWORD_LIST). */
enum { SQL_KW_N = 0, SQL_KW_F = 1, SQL_KW_J = 2, SQL_KW_C = 3 };

/* The token code of the keyword word[0..n) in any case, or TK_ID. */
int sql_keyword_code(const char *word, size_t n);
/* The class (SQL_KW_*) of a keyword token code; SQL_KW_N for other codes. */
int sql_keyword_class(int type);
/* The upper-case text of keyword number i (0-based), or NULL past the end;
 * for the table-order test. Borrowed static text. */
const char *sql_keyword_name(int i);

/*
 * Scans one token at z[0..n) (n > 0), stores its code in *type_out and
 * returns its length in bytes (at least 1). Keywords come back as their own
 * codes; spaces and comments as TK_SPACE and TK_COMMENT.
 */
size_t sql_token_scan(const char *z, size_t n, int *type_out);

/* --------------------------------------------------------- parser state */

typedef struct sql_token {
    int type;
    uint32_t start;         /* offset into the SQL */
    uint32_t len;
} sql_token;

/* One named (or ?NNN) parameter seen so far, for reuse of its index. */
typedef struct sql_param_name {
    const char *name;       /* borrowed from the SQL text */
    uint32_t len;
    int32_t index;
} sql_param_name;

typedef struct parser {
    const char *sql;        /* borrowed: the caller's text */
    uint32_t n;             /* bytes of sql we read (up to a NUL byte) */
    arena *arena;           /* borrowed: where every node goes */
    sql_token tok;          /* lookahead (P2) */
    sql_token prev;         /* the token consumed last */
    uint32_t pos;           /* offset just after tok */
    int rc;                 /* first error (P1) */
    char *errmsg;           /* owned until sql_parse hands it over */
    int depth;              /* recursion depth of expressions and selects */
    int in_trigger;         /* parsing a trigger body */
    int in_nested_from;     /* parsing a parenthesized join: ( a JOIN b ) */
    int32_t n_selects;      /* select cores numbered so far (ast_select_core.sel_id) */
    int32_t n_params;       /* largest parameter index so far */
    sql_param_name *params; /* arena array of named parameters */
    int32_t n_named, cap_named;
} parser;

/* Limits, as SQLite's defaults (SQLITE_MAX_EXPR_DEPTH, SQLITE_MAX_VARIABLE_NUMBER). */
enum { SQL_MAX_DEPTH = 1000, SQL_MAX_PARAMS = 32766 };

/* Expression precedence levels, lowest first (SQLite's %left/%right order). */
enum {
    SQL_LV_OR = 1, SQL_LV_AND, SQL_LV_NOT, SQL_LV_EQ, SQL_LV_CMP, SQL_LV_ESCAPE, SQL_LV_BIT,
    SQL_LV_ADD, SQL_LV_MUL, SQL_LV_CONCAT, SQL_LV_COLLATE
};

/* parse.c: token stream, errors, names */
void parse_advance(parser *p);
int parse_peek(parser *p, int k);           /* type of the k-th token after tok (k >= 1) */
int parse_accept(parser *p, int type);      /* consume tok if it is type; 1 if consumed */
int parse_expect(parser *p, int type);      /* consume tok or record a syntax error */
int parse_error_syntax(parser *p);          /* 'near "X": syntax error' / 'incomplete input' */
int parse_error(parser *p, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int parse_depth_enter(parser *p);
void parse_depth_leave(parser *p);
void *parse_alloc(parser *p, size_t nbytes);
int parse_tok_is_id(const parser *p);       /* ID, INDEXED or a fallback keyword */
int parse_tok_is_nm(const parser *p);       /* id, a join keyword or a string */
int parse_tok_is_ids(const parser *p);      /* id (less INDEXED) or a string: aliases, type words */
int parse_tok_is_word(const parser *p, const char *word);  /* tok's text equals word, any case */
const char *parse_name(parser *p);          /* consume an nm token; its dequoted text */
const char *parse_token_text(parser *p, const sql_token *t);   /* dequoted copy */
ast_span parse_span_from(const parser *p, uint32_t start);     /* start .. end of prev */
int parse_list_push(parser *p, ast_list *list, ast_list_item **item_out);
/* ( a, b, ... ): names only; with_order lets each carry COLLATE x and
 * ASC/DESC (SQLite's eidlist of CTE, view and REFERENCES columns). */
int parse_name_list(parser *p, ast_list *out, int with_order);

/* parse_expr.c */
ast_expr *parse_expr(parser *p);
ast_expr *parse_expr_level(parser *p, int min_level);
ast_expr *parse_expr_new(parser *p, int kind, uint32_t start);
int parse_expr_list(parser *p, ast_list *out);          /* expr, expr, ... (one or more) */
int parse_window_spec(parser *p, ast_window *w);        /* inside the parentheses */
ast_expr *parse_literal_term(parser *p);                /* DEFAULT term: literal or CTIME */
const char *parse_type_name(parser *p, int in_column);  /* typetoken; NULL if absent */

/* parse_select.c */
ast_select *parse_select(parser *p);
ast_select *parse_select_after_with(parser *p, ast_with *with, uint32_t start);
ast_with *parse_with(parser *p);
int parse_order_by(parser *p, ast_list *out);           /* after ORDER BY */
int parse_result_columns(parser *p, ast_list *out);
ast_from_item *parse_from(parser *p);
int parse_sort_list(parser *p, ast_list *out, int indexed);   /* ( ) lists of indexed columns */
int parse_starts_select(const parser *p);               /* tok is SELECT, VALUES or WITH */

/* parse_stmt.c */
int parse_insert(parser *p, ast_stmt *stmt);
int parse_update(parser *p, ast_stmt *stmt);
int parse_delete(parser *p, ast_stmt *stmt);
int parse_transaction(parser *p, ast_stmt *stmt);
int parse_pragma(parser *p, ast_stmt *stmt);
int parse_misc(parser *p, ast_stmt *stmt);              /* VACUUM ANALYZE REINDEX ATTACH DETACH */
int parse_conflict_clause(parser *p, uint8_t *out);     /* [ON CONFLICT resolve-type] */

/* parse_ddl.c */
int parse_create(parser *p, ast_stmt *stmt);
int parse_drop(parser *p, ast_stmt *stmt);
int parse_alter(parser *p, ast_stmt *stmt);

/* parse.c: one statement at tok (used for trigger bodies too) */
ast_stmt *parse_statement(parser *p);

#endif /* CHORUS_SQL_INT_H */
