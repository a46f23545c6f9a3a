/*
 * core/sql/sql.h: the SQL front end's surface: the tokenizer, the parser of
 * SQLite's whole grammar, and the syntax tree (AST) it builds.
 *
 * The parser is recursive descent with precedence climbing for expressions,
 * following SQLite's operator precedence. Every node is allocated in the
 * arena the caller passes; nothing in the tree is freed on its own, and the
 * tree lives until that arena is reset or freed. Identifiers are stored
 * dequoted. Every expression, result column and statement keeps the span of
 * its source text (offsets into the SQL given to sql_parse), because SQLite
 * names result columns after the text of their expression and stores the
 * text of CREATE statements in sqlite_schema.
 *
 * The compiler annotates expressions in place through the fields marked
 * "compiler" below; the parser leaves them zero.
 */
#ifndef CHORUS_SQL_H
#define CHORUS_SQL_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"

typedef struct ast_expr ast_expr;
typedef struct ast_select ast_select;
typedef struct ast_stmt ast_stmt;

/* A span of the source text. */
typedef struct ast_span {
    uint32_t start;         /* byte offset into the parsed SQL */
    uint32_t len;
} ast_span;

/* ---------------------------------------------------------------- lists */

/* One entry of an expression list: plain expression lists, result columns
 * (with alias), ORDER BY terms (with direction), indexed columns. */
typedef struct ast_list_item {
    ast_expr *expr;
    const char *name;       /* alias of a result column (AS name) or NULL; for
                               SET lists the column name; for column lists
                               (INSERT columns, USING, CTE/view/REFERENCES columns)
                               the name with expr NULL (the last three may carry
                               collation and order, as SQLite's grammar allows) */
    int8_t order;           /* AST_ORDER_* for ORDER BY and indexed columns */
    int8_t nulls;           /* AST_NULLS_* */
    const char *collation;  /* COLLATE on an indexed column, else NULL */
} ast_list_item;

typedef struct ast_list {
    int n;
    ast_list_item *items;   /* n items in the arena */
} ast_list;

enum { AST_ORDER_DEFAULT = 0, AST_ORDER_ASC = 1, AST_ORDER_DESC = 2 };
enum { AST_NULLS_DEFAULT = 0, AST_NULLS_FIRST = 1, AST_NULLS_LAST = 2 };

/* ---------------------------------------------------------- expressions */

typedef enum ast_expr_kind {
    EXPR_NULL = 1,          /* NULL literal */
    EXPR_INTEGER,           /* integer literal fitting int64: ival (a literal
                               9223372036854775808 is EXPR_FLOAT unless it is the
                               operand of unary minus, then EXPR_INTEGER INT64_MIN) */
    EXPR_FLOAT,             /* rval; also integer literals too big for int64 */
    EXPR_STRING,            /* text: str, str_len */
    EXPR_BLOB,              /* x'...': str (bytes), str_len */
    EXPR_PARAM,             /* ?, ?N, :name, @name, $name: param_index (1-based, assigned
                               by the parser as SQLite does), name (with prefix) or NULL */
    EXPR_COLUMN,            /* [schema.][table.]column: schema, table, name. Also bare
                               identifiers such as TRUE/FALSE, which the compiler resolves */
    EXPR_STAR,              /* * or table.* in a result list or count(*): table or NULL */
    EXPR_UNARY,             /* op: AST_OP_NEG/PLUS/NOT/BITNOT; left */
    EXPR_BINARY,            /* op: arithmetic, comparison, logic, ||, ->, ->>; left, right */
    EXPR_COLLATE,           /* left COLLATE name */
    EXPR_CAST,              /* CAST(left AS type_name): name = the type as a column's
                               type is kept (see ast_column_def.type); NULL for the
                               empty type CAST(x AS) that SQLite accepts */
    EXPR_FUNCTION,          /* name(args): args, is_distinct, is_star (count(*)),
                               filter, order_by (aggregate ORDER BY), over.
                               CURRENT_TIME / CURRENT_DATE / CURRENT_TIMESTAMP are
                               EXPR_FUNCTION too: name as written, no arguments */
    EXPR_CASE,              /* CASE [left] WHEN list[2i] THEN list[2i+1] ... [ELSE right] END */
    EXPR_BETWEEN,           /* left [NOT] BETWEEN list[0] AND list[1]; is_not */
    EXPR_IN_LIST,           /* left [NOT] IN (list); an empty list is allowed; is_not.
                               "x IN (y)" stays an IN (SQLite's rewrite to x = y is
                               the compiler's) */
    EXPR_IN_SELECT,         /* left [NOT] IN (select); is_not */
    EXPR_IN_TABLE,          /* left [NOT] IN [schema.]name[(args)]; is_not; ival: the
                               number SQLite gives its implied SELECT (sel_id) */
    EXPR_LIKE,              /* left [NOT] LIKE|GLOB|REGEXP|MATCH right [ESCAPE escape]:
                               op = AST_OP_LIKE/GLOB/REGEXP/MATCH; is_not */
    EXPR_ISNULL,            /* left ISNULL / IS NULL is parsed as BINARY IS with NULL;
                               this kind is for the postfix forms ISNULL and NOTNULL
                               (is_not for NOTNULL / NOT NULL) */
    EXPR_EXISTS,            /* [NOT] EXISTS (select); is_not (a prefix NOT applied
                               directly to EXISTS is folded into is_not) */
    EXPR_SUBQUERY,          /* (select) used as a scalar or row value */
    EXPR_VECTOR,            /* (a, b, ...): list */
    EXPR_RAISE              /* RAISE(IGNORE | ROLLBACK, msg | ABORT, msg | FAIL, msg):
                               op = AST_RAISE_*; right = message expression */
} ast_expr_kind;

typedef enum ast_op {
    AST_OP_NONE = 0,
    /* unary */
    AST_OP_NEG, AST_OP_PLUS, AST_OP_NOT, AST_OP_BITNOT,
    /* binary, by SQLite precedence, lowest first */
    AST_OP_OR, AST_OP_AND,
    AST_OP_EQ,              /* = and == */
    AST_OP_NE,              /* != and <> */
    AST_OP_IS, AST_OP_IS_NOT,   /* IS NOT DISTINCT FROM = IS; IS DISTINCT FROM = IS NOT */
    AST_OP_LT, AST_OP_LE, AST_OP_GT, AST_OP_GE,
    AST_OP_BITAND, AST_OP_BITOR, AST_OP_LSHIFT, AST_OP_RSHIFT,
    AST_OP_ADD, AST_OP_SUB,
    AST_OP_MUL, AST_OP_DIV, AST_OP_MOD,
    AST_OP_CONCAT,          /* || */
    AST_OP_JSON_GET,        /* -> */
    AST_OP_JSON_GET_SQL,    /* ->> */
    /* pattern operators (EXPR_LIKE) */
    AST_OP_LIKE, AST_OP_GLOB, AST_OP_REGEXP, AST_OP_MATCH,
    /* RAISE */
    AST_RAISE_IGNORE, AST_RAISE_ROLLBACK, AST_RAISE_ABORT, AST_RAISE_FAIL
} ast_op;

typedef struct ast_window ast_window;

struct ast_expr {
    uint8_t kind;           /* ast_expr_kind */
    uint8_t op;             /* ast_op */
    bool is_not;
    bool is_distinct;       /* f(DISTINCT x) */
    bool is_star;           /* f(*) */
    bool is_quoted;         /* EXPR_COLUMN / EXPR_STRING: written as "x" (a double-quoted
                               identifier may fall back to a string literal, as SQLite) */
    ast_span span;          /* source text of the whole expression; a parenthesized
                               expression's span includes its parentheses. A result
                               column's expression has SQLite's column-name text
                               instead: up to the next token, comments included,
                               trailing spaces dropped ("SELECT 1 /x/ , 2") */
    ast_expr *left;
    ast_expr *right;
    ast_expr *escape;       /* LIKE ... ESCAPE */
    ast_expr *filter;       /* FILTER (WHERE ...) */
    ast_list list;          /* arguments, IN list, CASE arms, vector, BETWEEN bounds */
    ast_list order_by;      /* aggregate ORDER BY inside the call */
    ast_select *select;     /* subquery */
    ast_window *over;       /* OVER (...) or OVER name */
    const char *schema;
    const char *table;
    const char *name;       /* column, function, collation, parameter or type name */
    const char *str;        /* string or blob bytes (NUL-terminated for convenience) */
    int32_t str_len;
    int32_t param_index;
    int64_t ival;
    double rval;
    int32_t height;         /* parser: height of the tree under this node, a leaf is 1;
                               never above 1000 (subqueries not counted) */
    /* compiler */
    int32_t slot;           /* e.g. source cursor index or register */
    int32_t column;         /* e.g. column index within the source */
    int32_t aux_index;      /* e.g. aggregate or subquery index */
    uint8_t affinity;       /* e.g. affinity of a column reference */
    uint8_t collation;      /* e.g. resolved collation */
    void *aux;              /* e.g. resolved function definition */
};

/* Window specification (OVER clause or WINDOW definition). */
enum ast_frame_unit { AST_FRAME_NONE = 0, AST_FRAME_ROWS, AST_FRAME_RANGE, AST_FRAME_GROUPS };
enum ast_frame_bound {
    AST_BOUND_UNBOUNDED_PRECEDING = 1, AST_BOUND_PRECEDING, AST_BOUND_CURRENT_ROW,
    AST_BOUND_FOLLOWING, AST_BOUND_UNBOUNDED_FOLLOWING
};
enum ast_frame_exclude {
    AST_EXCLUDE_NO_OTHERS = 0, AST_EXCLUDE_CURRENT_ROW, AST_EXCLUDE_GROUP, AST_EXCLUDE_TIES
};

struct ast_window {
    const char *name;       /* WINDOW name AS (...) definition name, or OVER name */
    const char *base;       /* OVER (base PARTITION BY ...): the window it extends */
    ast_list partition_by;
    ast_list order_by;
    uint8_t unit;           /* ast_frame_unit; NONE = default frame */
    uint8_t start_bound, end_bound;   /* ast_frame_bound */
    uint8_t exclude;        /* ast_frame_exclude */
    ast_expr *start_expr;   /* N PRECEDING / FOLLOWING */
    ast_expr *end_expr;
    ast_window *next;       /* next WINDOW definition of a select */
};

/* ---------------------------------------------------------------- SELECT */

typedef enum ast_join_op {
    AST_JOIN_NONE = 0,      /* first item */
    AST_JOIN_COMMA,         /* a, b */
    AST_JOIN_INNER,         /* [INNER] JOIN */
    AST_JOIN_CROSS,
    AST_JOIN_LEFT,
    AST_JOIN_RIGHT,
    AST_JOIN_FULL
} ast_join_op;

typedef enum ast_from_kind {
    AST_FROM_TABLE = 1,     /* [schema.]name [AS alias] [INDEXED BY i | NOT INDEXED] */
    AST_FROM_SUBQUERY,      /* (select) [AS alias] */
    AST_FROM_FUNCTION,      /* name(args) [AS alias]: table-valued function */
    AST_FROM_NESTED         /* ( join ) [AS alias] of two or more items; a parenthesized
                               single item is that item ("FROM ((t)) AS x" = t AS x) */
} ast_from_kind;

typedef struct ast_from_item ast_from_item;
struct ast_from_item {
    uint8_t kind;           /* ast_from_kind */
    uint8_t join;           /* ast_join_op joining this item to the items before it */
    bool is_natural;
    bool not_indexed;
    const char *schema;
    const char *name;
    const char *alias;
    const char *indexed_by;
    ast_select *subquery;
    ast_list args;          /* table-valued function arguments */
    ast_from_item *nested;  /* AST_FROM_NESTED: first item of the inner join */
    ast_expr *on;           /* ON expression or NULL */
    ast_list using_cols;    /* USING (a, b): names only */
    ast_from_item *next;
};

typedef enum ast_compound_op {
    AST_COMPOUND_NONE = 0,  /* the first core */
    AST_COMPOUND_UNION,
    AST_COMPOUND_UNION_ALL,
    AST_COMPOUND_INTERSECT,
    AST_COMPOUND_EXCEPT
} ast_compound_op;

/* One SELECT core or VALUES clause of a (possibly compound) select. */
typedef struct ast_select_core ast_select_core;
struct ast_select_core {
    uint8_t compound;       /* ast_compound_op joining this core to the ones before */
    bool is_distinct;
    bool is_values;         /* VALUES (...), (...): values holds one EXPR_VECTOR per row */
    ast_list result;        /* result columns: expr (EXPR_STAR for * and t.*), name = alias,
                               span of each item in its expr */
    ast_list values;
    ast_from_item *from;    /* first FROM item or NULL */
    ast_expr *where;
    ast_list group_by;
    ast_expr *having;
    ast_window *windows;    /* WINDOW definitions */
    int32_t sel_id;         /* SQLite's number of this core (EXPLAIN QUERY PLAN "SCALAR
                               SUBQUERY n"): cores count from 1 in the order SQLite's
                               parser finishes them (nested ones first; a VALUES row
                               counts as one; the last core after ORDER BY/LIMIT) */
    ast_select_core *next;
};

/* A common table expression. */
typedef struct ast_cte ast_cte;
struct ast_cte {
    const char *name;
    ast_list columns;       /* optional column names */
    int8_t materialized;    /* 0 default, 1 MATERIALIZED, -1 NOT MATERIALIZED */
    ast_select *select;
    ast_cte *next;
};

typedef struct ast_with {
    bool is_recursive;
    ast_cte *ctes;
} ast_with;

struct ast_select {
    ast_with *with;
    ast_select_core *cores; /* first core; compound parts follow through next */
    ast_list order_by;
    ast_expr *limit;
    ast_expr *offset;       /* LIMIT x OFFSET y, or LIMIT y, x (offset first) */
    ast_span span;
};

/* ------------------------------------------------------------ statements */

typedef enum ast_conflict {
    AST_CONFLICT_DEFAULT = 0,   /* ABORT unless the constraint says otherwise */
    AST_CONFLICT_ROLLBACK,
    AST_CONFLICT_ABORT,
    AST_CONFLICT_FAIL,
    AST_CONFLICT_IGNORE,
    AST_CONFLICT_REPLACE
} ast_conflict;

typedef struct ast_upsert ast_upsert;
struct ast_upsert {
    ast_list target;        /* indexed columns of ON CONFLICT (...); n = 0 for none */
    ast_expr *target_where;
    bool do_nothing;
    ast_list set;           /* DO UPDATE SET: as ast_update's set */
    int32_t *set_group;     /* as ast_update's set_group */
    ast_expr *where;
    ast_upsert *next;
};

typedef struct ast_insert {
    uint8_t conflict;       /* INSERT OR ...; REPLACE INTO gives REPLACE */
    const char *schema, *table, *alias;
    ast_list columns;       /* names only */
    ast_select *select;     /* VALUES or SELECT source; NULL for DEFAULT VALUES */
    ast_upsert *upsert;
    ast_list returning;
} ast_insert;

/* SET column lists: an item's name is the column; a row-value assignment
 * (a, b) = (...) is stored as one item per column with expr set on the first
 * and the whole row value, with set_group marking the members. */
typedef struct ast_update {
    uint8_t conflict;
    const char *schema, *table, *alias;
    const char *indexed_by;
    bool not_indexed;
    ast_list set;
    int32_t *set_group;     /* per set item: index of its row-value group, or -1 */
    ast_from_item *from;
    ast_expr *where;
    ast_list returning;
    ast_list order_by;
    ast_expr *limit, *offset;
} ast_update;

typedef struct ast_delete {
    const char *schema, *table, *alias;
    const char *indexed_by;
    bool not_indexed;
    ast_expr *where;
    ast_list returning;
    ast_list order_by;
    ast_expr *limit, *offset;
} ast_delete;

/* Column and table constraints. */
typedef enum ast_constraint_kind {
    AST_CONS_PRIMARY_KEY = 1,
    AST_CONS_NOT_NULL,
    AST_CONS_NULL,          /* explicit NULL: accepted and ignored */
    AST_CONS_UNIQUE,
    AST_CONS_CHECK,
    AST_CONS_DEFAULT,
    AST_CONS_COLLATE,
    AST_CONS_FOREIGN_KEY,
    AST_CONS_GENERATED
} ast_constraint_kind;

typedef enum ast_fk_action {
    AST_FK_NONE = 0, AST_FK_SET_NULL, AST_FK_SET_DEFAULT, AST_FK_CASCADE, AST_FK_RESTRICT,
    AST_FK_NO_ACTION
} ast_fk_action;

typedef struct ast_constraint ast_constraint;
struct ast_constraint {
    uint8_t kind;           /* ast_constraint_kind */
    uint8_t conflict;       /* ON CONFLICT clause */
    int8_t order;           /* PRIMARY KEY ASC/DESC on a column */
    bool autoincrement;
    bool is_stored;         /* GENERATED ... STORED (else VIRTUAL) */
    bool deferred;          /* FOREIGN KEY ... DEFERRABLE INITIALLY DEFERRED */
    uint8_t on_delete, on_update;   /* ast_fk_action */
    const char *name;       /* CONSTRAINT name or NULL */
    ast_expr *expr;         /* CHECK, DEFAULT, GENERATED. DEFAULT -1 is a unary minus
                               node; DEFAULT word (an identifier) is EXPR_STRING with
                               the word, except true/false: EXPR_COLUMN, as SQLite */
    ast_span expr_span;     /* source text of the DEFAULT/CHECK/GENERATED expression:
                               inside the parentheses when it has them, with its sign
                               when it has one (what table_info's dflt_value shows) */
    const char *collation;  /* COLLATE */
    ast_list columns;       /* table constraints: indexed columns (expr, order,
                               collation); FOREIGN KEY: child columns (names only) */
    const char *fk_table;   /* REFERENCES table */
    ast_list fk_columns;    /* REFERENCES table (cols): names only */
    ast_constraint *next;
};

typedef struct ast_column_def ast_column_def;
struct ast_column_def {
    const char *name;
    const char *type;       /* declared type as written, from its first word to its
                               last token ("VARCHAR ( 10, 2 )", "UNSIGNED  BIG INT"
                               keep their spacing, as SQLite's table_info shows); a
                               type starting with a quote is dequoted up to the
                               closing quote, as SQLite does; NULL if none. SQLite
                               upper-cases exact standard names (int -> INT) when it
                               stores them; that is the catalog's business */
    ast_constraint *constraints;
    ast_column_def *next;
};

typedef struct ast_create_table {
    bool if_not_exists, is_temp, without_rowid, is_strict;
    const char *schema, *name;
    ast_column_def *columns;
    ast_constraint *constraints;    /* table constraints */
    ast_select *as_select;          /* CREATE TABLE ... AS SELECT */
} ast_create_table;

typedef struct ast_create_index {
    bool if_not_exists, is_unique;
    const char *schema, *name, *table;
    ast_list columns;       /* indexed columns: expr, order, collation */
    ast_expr *where;        /* partial index */
} ast_create_index;

typedef struct ast_create_view {
    bool if_not_exists, is_temp;
    const char *schema, *name;
    ast_list columns;       /* optional column names */
    ast_select *select;
} ast_create_view;

enum ast_trigger_time { AST_TRIGGER_BEFORE = 1, AST_TRIGGER_AFTER, AST_TRIGGER_INSTEAD_OF };
enum ast_trigger_event { AST_TRIGGER_INSERT = 1, AST_TRIGGER_UPDATE, AST_TRIGGER_DELETE };

typedef struct ast_create_trigger {
    bool if_not_exists, is_temp, for_each_row;
    uint8_t time, event;    /* time is AST_TRIGGER_BEFORE when none is written */
    const char *schema, *name, *table;  /* schema: of the trigger name, else of the
                                           ON table when that one is qualified */
    ast_list update_of;     /* UPDATE OF a, b: names only */
    ast_expr *when;
    ast_stmt *body;         /* statements chained through next */
} ast_create_trigger;

typedef struct ast_create_virtual {
    bool if_not_exists;
    const char *schema, *name, *module;
    ast_span args;          /* module arguments as written: the text inside the
                               parentheses, trimmed; len 0 without parentheses */
} ast_create_virtual;

enum ast_drop_kind { AST_DROP_TABLE = 1, AST_DROP_INDEX, AST_DROP_VIEW, AST_DROP_TRIGGER };

typedef struct ast_drop {
    uint8_t what;           /* ast_drop_kind */
    bool if_exists;
    const char *schema, *name;
} ast_drop;

enum ast_alter_kind {
    AST_ALTER_RENAME_TABLE = 1, AST_ALTER_RENAME_COLUMN, AST_ALTER_ADD_COLUMN,
    AST_ALTER_DROP_COLUMN
};

typedef struct ast_alter {
    uint8_t action;         /* ast_alter_kind */
    const char *schema, *table;
    const char *old_name;   /* RENAME COLUMN old / DROP COLUMN name */
    const char *new_name;   /* RENAME TO / RENAME COLUMN ... TO */
    ast_column_def *column; /* ADD COLUMN definition */
    ast_span column_span;   /* its text, for rewriting sqlite_schema */
} ast_alter;

enum ast_tx_kind {
    AST_TX_BEGIN = 1, AST_TX_COMMIT, AST_TX_ROLLBACK, AST_TX_SAVEPOINT, AST_TX_RELEASE,
    AST_TX_ROLLBACK_TO
};
enum ast_tx_mode {
    AST_TX_DEFERRED = 0, AST_TX_IMMEDIATE, AST_TX_EXCLUSIVE, AST_TX_CONCURRENT
};

typedef struct ast_transaction {
    uint8_t kind;           /* ast_tx_kind */
    uint8_t mode;           /* ast_tx_mode, for BEGIN */
    const char *savepoint;  /* SAVEPOINT / RELEASE / ROLLBACK TO name */
} ast_transaction;

typedef struct ast_pragma {
    const char *schema, *name;
    ast_expr *value;        /* PRAGMA x = value or PRAGMA x(value); NULL when queried.
                               A bare word value (ON, wal, NORMAL, DELETE, DEFAULT)
                               is an EXPR_COLUMN with name set; a string EXPR_STRING;
                               a signed number one literal with the sign folded in
                               (-2000 is EXPR_INTEGER -2000). */
} ast_pragma;

/* VACUUM [schema] [INTO expr]: schema, expr. ANALYZE / REINDEX [x | x.y]:
 * name (x or y), schema (x when qualified). ATTACH [DATABASE] expr AS expr
 * [KEY expr]: expr, alias, name (the alias when it is a plain word or
 * string); the KEY is parsed and dropped. DETACH [DATABASE] expr: expr, and
 * name when it is a plain word or string. */
typedef struct ast_misc {
    const char *schema, *name;
    ast_expr *expr;         /* VACUUM INTO / ATTACH file */
    ast_expr *alias;        /* ATTACH ... AS */
} ast_misc;

typedef enum ast_stmt_kind {
    STMT_SELECT = 1, STMT_INSERT, STMT_UPDATE, STMT_DELETE,
    STMT_CREATE_TABLE, STMT_CREATE_INDEX, STMT_CREATE_VIEW, STMT_CREATE_TRIGGER,
    STMT_CREATE_VIRTUAL, STMT_DROP, STMT_ALTER, STMT_TRANSACTION, STMT_PRAGMA,
    STMT_VACUUM, STMT_ANALYZE, STMT_REINDEX, STMT_ATTACH, STMT_DETACH
} ast_stmt_kind;

enum ast_explain { AST_EXPLAIN_NONE = 0, AST_EXPLAIN = 1, AST_EXPLAIN_QUERY_PLAN = 2 };

struct ast_stmt {
    uint8_t kind;           /* ast_stmt_kind */
    uint8_t explain;        /* ast_explain */
    ast_span span;          /* the statement's text without the trailing ';' */
    ast_with *with;         /* WITH prefix of INSERT/UPDATE/DELETE (SELECT keeps its own) */
    union {
        ast_select *select;
        ast_insert insert;
        ast_update update;
        ast_delete del;
        ast_create_table create_table;
        ast_create_index create_index;
        ast_create_view create_view;
        ast_create_trigger create_trigger;
        ast_create_virtual create_virtual;
        ast_drop drop;
        ast_alter alter;
        ast_transaction tx;
        ast_pragma pragma;
        ast_misc misc;
    } u;
    int32_t n_params;       /* largest parameter index used (sqlite3_bind_parameter_count) */
    ast_stmt *next;         /* next statement of a trigger body */
};

/* -------------------------------------------------------------- parsing */

/*
 * Parses the first statement of sql[0..nbytes) (nbytes < 0: up to the NUL;
 * a NUL byte ends the text in any case). On success *out is the statement
 * (NULL when only whitespace, comments and ';' remain) and *tail (when tail
 * is not NULL) the first byte after it and its ';'. On failure returns
 * CHORUS_ERROR (or CHORUS_NOMEM, CHORUS_MISUSE for NULL sql or a), *tail is
 * the end of the text and *errmsg_out gets a malloc()ed message (free() it)
 * in SQLite's words: 'near "x": syntax error', 'incomplete input',
 * 'unrecognized token: "x"', 'Expression tree is too large (maximum depth
 * 1000)', 'variable number must be between ?1 and ?32766', 'too many SQL
 * variables', 'hex literal too big: 0x...', 'unknown join type: ...',
 * 'unknown table option: x', 'a JOIN clause is required before ON',
 * 'ORDER BY clause should come after UNION not before', ... Spans are
 * offsets from sql. The tree lives in a (borrowed names point into a too).
 * Thread-safe: no global state.
 */
int sql_parse(const char *sql, int nbytes, arena *a, ast_stmt **out, const char **tail,
              char **errmsg_out);

/* 1 when sql (NUL-terminated) ends with a complete statement (a ';' outside
 * quotes, comments and trigger bodies), as sqlite3_complete; 0 for NULL. */
int sql_complete(const char *sql);

/* The keyword table: 1 if the word (n bytes, any case) is an SQL keyword. */
int sql_is_keyword(const char *word, int n);

/* Writes the text of a CREATE statement as sqlite_schema stores it: the
 * leading keywords normalized ("CREATE TABLE", "CREATE INDEX", "CREATE
 * UNIQUE INDEX", "CREATE VIEW", "CREATE TRIGGER", "CREATE VIRTUAL TABLE";
 * TEMP, IF NOT EXISTS and the schema qualifier of the object name removed),
 * then the text from the object name on. stmt_text is one statement from
 * its first token, optionally followed by its ';' (sql + span.start up to
 * the tail sql_parse returned); nbytes < 0 means NUL-terminated. Where the
 * text ends follows SQLite: tables, triggers and virtual tables end at
 * their last token; an index keeps everything up to the ';'; a view too,
 * less trailing spaces. CREATE TABLE ... AS SELECT is stored by SQLite as
 * a generated column list, which the catalog must build itself.
 * Returns a malloc()ed string, or NULL when the text is no CREATE
 * statement or memory runs out. */
char *sql_normalize_create(const char *stmt_text, int nbytes);

#endif /* CHORUS_SQL_H */
