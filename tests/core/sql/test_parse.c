/*
 * tests/core/sql/test_parse.c: sql_parse as a whole: statement splitting and
 * tails, error messages in SQLite's words, parameter numbering, depth
 * limits, every statement of the sqllogictest corpus, and random token
 * soups and truncations that must fail cleanly (run this under ASan).
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "parse_fixture.h"

static void
test_parse_returns_null_for_empty_input(void **state)
{
    ast_stmt *stmt = (ast_stmt *)1;
    const char *sql = "  ;; -- nothing\n /* at all */ ; ", *tail = NULL;
    char *err = NULL;
    (void)state;
    assert_int_equal(sql_parse(sql, -1, &parse_test_arena, &stmt, &tail, &err), CHORUS_OK);
    assert_null(stmt);
    assert_ptr_equal(tail, sql + strlen(sql));
}

static void
test_parse_sets_tail_after_the_first_statement(void **state)
{
    ast_stmt *stmt;
    const char *sql = "SELECT 1 ; SELECT 2", *tail;
    char *err;
    (void)state;
    assert_int_equal(sql_parse(sql, -1, &parse_test_arena, &stmt, &tail, &err), CHORUS_OK);
    assert_non_null(stmt);
    assert_string_equal(tail, " SELECT 2");
    assert_int_equal(stmt->span.start, 0);
    assert_int_equal(stmt->span.len, 8);
    assert_int_equal(sql_parse(tail, -1, &parse_test_arena, &stmt, &tail, &err), CHORUS_OK);
    assert_int_equal(stmt->kind, STMT_SELECT);
    assert_string_equal(tail, "");
}

static void
test_parse_honours_nbytes_and_stops_at_nul(void **state)
{
    ast_stmt *stmt;
    const char *tail;
    char *err;
    (void)state;
    assert_int_equal(sql_parse("SELECT 1 garbage", 8, &parse_test_arena, &stmt, &tail, &err),
                     CHORUS_OK);
    assert_non_null(stmt);
    assert_int_equal(sql_parse("SELECT 1\0 garbage", 17, &parse_test_arena, &stmt, &tail, &err),
                     CHORUS_OK);
    assert_non_null(stmt);
}

static void
test_parse_reports_syntax_errors_near_the_token(void **state)
{
    (void)state;
    assert_error("SELECT 1 2", "near \"2\": syntax error");
    assert_error("SELECT 1 +;", "near \";\": syntax error");
    assert_error("selectx", "near \"selectx\": syntax error");
    assert_error("SELECT a FROM t WHERE a NOT 1", "near \"1\": syntax error");
    assert_error("SELECT 1.2.3", "near \".3\": syntax error");
    assert_error("CREATE TABLE t(a) garbage(", "near \"(\": syntax error");
    assert_error("SELECT * FROM t1 LEFT OUTER", "incomplete input");
}

static void
test_parse_reports_incomplete_input_at_the_end(void **state)
{
    (void)state;
    assert_error("SELECT 1 +", "incomplete input");
    assert_error("SELECT 1 FROM", "incomplete input");
    assert_error("SELECT (", "incomplete input");
    assert_error("EXPLAIN", "incomplete input");
    assert_error("CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1;", "incomplete input");
}

static void
test_parse_reports_unrecognized_tokens(void **state)
{
    (void)state;
    assert_error("SELECT 123abc", "unrecognized token: \"123abc\"");
    assert_error("SELECT x'abc'", "unrecognized token: \"x'abc'\"");
    assert_error("SELECT x'zz'", "unrecognized token: \"x'zz'\"");
    assert_error("SELECT 'abc", "unrecognized token: \"'abc\"");
    assert_error("SELECT \"abc", "unrecognized token: \"\"abc\"");
    assert_error("SELECT [a]]b]", "unrecognized token: \"]\"");
    assert_error("SELECT ^", "unrecognized token: \"^\"");
    assert_error("SELECT !", "unrecognized token: \"!\"");
    assert_error("SELECT :", "unrecognized token: \":\"");
    assert_error("SELECT @", "unrecognized token: \"@\"");
    assert_error("SELECT 1e", "unrecognized token: \"1e\"");
    assert_error("SELECT $a::b(c d)", "unrecognized token: \"$a::b(c\"");
}

static void
test_parse_rejects_bad_literals_and_join_types(void **state)
{
    (void)state;
    assert_error("SELECT 0x1234567890abcdef01", "hex literal too big: 0x1234567890abcdef01");
    assert_error("SELECT * FROM a NATURAL FOO JOIN b", "unknown join type: NATURAL FOO");
    assert_error("SELECT * FROM a OUTER JOIN b", "unknown join type: OUTER");
    assert_error("SELECT * FROM a INNER OUTER JOIN b", "unknown join type: INNER OUTER");
    assert_error("SELECT * FROM a ON 1", "a JOIN clause is required before ON");
    assert_error("CREATE TABLE t(a) WITHOUT foo", "unknown table option: foo");
    assert_error("CREATE TABLE t(a) loose", "unknown table option: loose");
    assert_error("CREATE TABLE t(a AS (1) wrong)", "error in generated column \"a\"");
}

static void
test_parse_numbers_parameters_as_sqlite(void **state)
{
    ast_stmt *stmt;
    const char *expected[] = {"?1", "?5", ":a#6", "?7", ":a#6", "@b#8", "?2", "$c#9"};
    (void)state;
    stmt = stmt_of("SELECT ?, ?5, :a, ?, :a, @b, ?2, $c", STMT_SELECT);
    assert_int_equal(stmt->n_params, 9);
    for (int i = 0; i < 8; i++)
        assert_dump(stmt->u.select->cores->result.items[i].expr, expected[i]);
}

static void
test_parse_rejects_out_of_range_parameters(void **state)
{
    (void)state;
    assert_error("SELECT ?0", "variable number must be between ?1 and ?32766");
    assert_error("SELECT ?32767", "variable number must be between ?1 and ?32766");
    assert_error("SELECT ?99999999999999999999", "variable number must be between ?1 and ?32766");
    assert_error("SELECT ?32766, ?", "too many SQL variables");
    assert_parses("SELECT ?32766");
}

/* A string of n copies of piece between head and tail; malloc()ed. */
static char *
repeat(const char *head, const char *piece, int n, const char *tail)
{
    size_t len = strlen(head) + strlen(piece) * (size_t)n + strlen(tail) + 1;
    char *s = malloc(len), *w = s;
    w += sprintf(w, "%s", head);
    for (int i = 0; i < n; i++)
        w += sprintf(w, "%s", piece);
    sprintf(w, "%s", tail);
    return s;
}

static void
test_parse_caps_expression_depth(void **state)
{
    static const struct {
        const char *head, *piece;
        int n;
        const char *tail;
    } too_deep[] = {
        {"SELECT 1", "+1", 1000, ""},
        {"SELECT ", "(", 5000, "1"},
        {"SELECT ", "- ", 100000, "1"},
        {"SELECT ", "NOT ", 5000, "1"},
        {"SELECT ", "(SELECT ", 3000, "1"},
        {"SELECT ", "CASE WHEN 1 THEN ", 3000, "1"},
    };
    char *sql;
    (void)state;
    sql = repeat("SELECT 1", "+1", 998, "");
    assert_parses(sql);
    free(sql);
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(too_deep); i++) {
        sql = repeat(too_deep[i].head, too_deep[i].piece, too_deep[i].n, too_deep[i].tail);
        assert_error(sql, "Expression tree is too large (maximum depth 1000)");
        free(sql);
    }
}

static void
test_parse_handles_explain_prefixes(void **state)
{
    ast_stmt *stmt;
    (void)state;
    stmt = stmt_of("EXPLAIN SELECT 1", STMT_SELECT);
    assert_int_equal(stmt->explain, AST_EXPLAIN);
    stmt = stmt_of("explain query plan select 1", STMT_SELECT);
    assert_int_equal(stmt->explain, AST_EXPLAIN_QUERY_PLAN);
    assert_int_equal(stmt->span.start, 0);
    assert_error("EXPLAIN QUERY SELECT 1", "near \"SELECT\": syntax error");
}

/* ------------------------------------------------ the sqllogictest corpus */

typedef struct slt_stats {
    long statements;
    long failures;
} slt_stats;

static void
slt_check(slt_stats *st, const char *path, int line, const char *sql)
{
    arena a;
    char *err = NULL;
    const char *tail = sql;
    arena_init(&a);
    st->statements++;
    while (*tail != '\0') {
        ast_stmt *stmt;
        if (sql_parse(tail, -1, &a, &stmt, &tail, &err) != CHORUS_OK) {
            if (st->failures++ < 20)
                print_message("%s:%d: %s\n    %s\n", path, line, err, sql);
            free(err);
            break;
        }
        if (stmt == NULL)
            break;
    }
    arena_free(&a);
}

/* Reads one .test file: every "statement ok" and "query" body, unless an
 * onlyif names another engine or skipif names sqlite. */
static void
slt_file(slt_stats *st, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[65536];
    strbuf sql;
    int lineno = 0, start_line = 0, in_sql = 0, skip = 0;

    assert_non_null(f);
    strbuf_init(&sql);
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        size_t len = got ? strlen(line) : 0;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (in_sql && (got == NULL || len == 0 || strcmp(line, "----") == 0)) {
            char *text = strbuf_finish(&sql);
            if (!skip && text != NULL)
                slt_check(st, path, start_line, text);
            free(text);
            strbuf_init(&sql);
            in_sql = 0;
            skip = 0;
        }
        if (got == NULL)
            break;
        if (in_sql) {
            strbuf_append(&sql, line, len);
            strbuf_putc(&sql, '\n');
        } else if (strncmp(line, "onlyif ", 7) == 0) {
            skip |= strcmp(line + 7, "sqlite") != 0;
        } else if (strcmp(line, "skipif sqlite") == 0) {
            skip = 1;
        } else if (strcmp(line, "statement ok") == 0 || strncmp(line, "query ", 6) == 0) {
            in_sql = 1;
            start_line = lineno + 1;
        } else if (strncmp(line, "statement error", 15) == 0) {
            skip = 1;
            in_sql = 1;
        } else if (len == 0) {
            skip = 0;
        }
    }
    strbuf_free(&sql);
    fclose(f);
}

static void
slt_walk(slt_stats *st, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;

    if (d == NULL)
        return;
    while ((ent = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;
        size_t n = strlen(ent->d_name);
        if (ent->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            slt_walk(st, path);
        else if (n > 5 && strcmp(ent->d_name + n - 5, ".test") == 0)
            slt_file(st, path);
    }
    closedir(d);
}

static void
test_parse_accepts_every_statement_of_the_slt_corpus(void **state)
{
    const char *dir = getenv("CHORUS_SLT_DIR");
    slt_stats st = {0, 0};
    (void)state;
    if (dir == NULL)
        dir = "/work/shared/slt";
    slt_walk(&st, dir);
    print_message("parsed %ld sqllogictest statements, %ld failures\n", st.statements, st.failures);
    if (st.statements == 0)
        skip();
    assert_int_equal(st.failures, 0);
}

/* ------------------------------------------------------------ fuzzing */

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ull;

static uint32_t
fuzz_next(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return (uint32_t)fuzz_state;
}

/* Parses sql[0..n) and its continuation; only crashes and leaks fail. */
static void
fuzz_parse(const char *sql, int n)
{
    arena a;
    const char *tail = sql;
    arena_init(&a);
    for (int i = 0; i < 4 && tail < sql + n; i++) {
        ast_stmt *stmt;
        char *err = NULL;
        int rc = sql_parse(tail, (int)(sql + n - tail), &a, &stmt, &tail, &err);
        if (rc != CHORUS_OK) {
            assert_non_null(err);
            free(err);
            break;
        }
        if (stmt == NULL)
            break;
    }
    arena_free(&a);
    (void)sql_complete(sql);
}

static const char *const fuzz_pieces[] = {
    "SELECT", "FROM", "WHERE", "(", ")", ",", ";", "a", "t.b", "*", "+", "-", "NOT", "NULL", "IN",
    "BETWEEN", "AND", "OR", "CASE", "WHEN", "THEN", "ELSE", "END", "1", "2.5", "'s'", "x'00'", "?",
    ":p", "JOIN", "LEFT", "ON", "USING", "GROUP", "BY", "ORDER", "LIMIT", "OFFSET", "UNION", "ALL",
    "VALUES", "INSERT", "INTO", "UPDATE", "SET", "DELETE", "CREATE", "TABLE", "INDEX", "TRIGGER",
    "BEGIN", "WITH", "AS", "OVER", "FILTER", "WINDOW", "PARTITION", "ROWS", "PRECEDING", "CAST",
    "COLLATE", "IS", "DISTINCT", "EXISTS", "RAISE", "->", "||", "=", "<", "DEFAULT", "PRIMARY",
    "KEY", "REFERENCES", "CHECK", "PRAGMA", "ALTER", "DROP", "RETURNING", "DO", "NOTHING", "\"q",
    "/*", "--", "[", "`",
};

static void
test_parse_survives_random_token_soups(void **state)
{
    char buf[512];
    (void)state;
    for (int round = 0; round < 20000; round++) {
        int n = 0, count = 1 + (int)(fuzz_next() % 24);
        for (int i = 0; i < count; i++) {
            const char *piece = fuzz_pieces[fuzz_next() % CHORUS_ARRAY_LEN(fuzz_pieces)];
            n += snprintf(buf + n, sizeof buf - (size_t)n, "%s ", piece);
            if (n > (int)sizeof buf - 32)
                break;
        }
        fuzz_parse(buf, n);
    }
}

static void
test_parse_survives_every_truncation_of_valid_sql(void **state)
{
    static const char *const valid[] = {
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<9) SELECT "
        "sum(x) FILTER (WHERE x>1) OVER (PARTITION BY x%2 ORDER BY x ROWS BETWEEN 1 PRECEDING "
        "AND CURRENT ROW EXCLUDE TIES) AS s FROM c LEFT JOIN t USING (x) WHERE x IN (1,2) "
        "AND x NOT BETWEEN 3 AND 4 GROUP BY x HAVING count(*)>0 ORDER BY 1 DESC NULLS LAST "
        "LIMIT 5 OFFSET 1;",
        "CREATE TABLE IF NOT EXISTS main.t(a INTEGER PRIMARY KEY AUTOINCREMENT, b TEXT NOT NULL "
        "DEFAULT 'x' COLLATE nocase, c REAL CHECK (c > 0), d REFERENCES p(id) ON DELETE CASCADE "
        "DEFERRABLE INITIALLY DEFERRED, e AS (a+1) STORED, UNIQUE (b, c) ON CONFLICT REPLACE, "
        "FOREIGN KEY (d) REFERENCES p) WITHOUT ROWID, STRICT;",
        "CREATE TRIGGER r BEFORE UPDATE OF a ON t FOR EACH ROW WHEN new.a > 0 BEGIN "
        "INSERT INTO log VALUES (new.a) ON CONFLICT (a) DO UPDATE SET (b, c) = (1, 2) WHERE 1; "
        "UPDATE t SET a = a + 1; DELETE FROM t WHERE a = 1; SELECT RAISE(ABORT, 'no'); END;",
        "INSERT OR REPLACE INTO t(a, b) SELECT * FROM u WHERE 1 ON CONFLICT DO NOTHING "
        "RETURNING *, a AS x; PRAGMA main.cache_size = -2000;",
    };
    (void)state;
    for (size_t k = 0; k < CHORUS_ARRAY_LEN(valid); k++) {
        int n = (int)strlen(valid[k]);
        assert_parses(valid[k]);
        for (int len = 0; len < n; len++) {
            char *copy = malloc((size_t)len + 1);
            memcpy(copy, valid[k], (size_t)len);
            copy[len] = '\0';
            fuzz_parse(copy, len);
            free(copy);
        }
    }
}

/* ------------------------------------------- sqlite3 as the oracle */

/* SQLite's message when it is one the parser must give too, else "". */
static const char *
oracle_syntax_message(sqlite3 *db, const char *sql)
{
    static const char *const kinds[] = {
        "syntax error", "incomplete input", "unrecognized token", "unknown join type",
        "hex literal", "variable number", "JOIN clause is required", "should come after",
    };
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    const char *msg = rc != SQLITE_OK ? sqlite3_errmsg(db) : "";
    sqlite3_finalize(st);
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(kinds); i++)
        if (strstr(msg, kinds[i]) != NULL)
            return msg;
    return "";
}

/*
 * Random selects made of tokens SQLite 3.40 and 3.45 treat alike (the
 * oracle is the system's sqlite3): every one must give SQLite's syntax
 * error, or parse where SQLite does.
 */
static void
test_parse_agrees_with_sqlite_on_random_selects(void **state)
{
    static const char *const pieces[] = {
        "a", "b", "t", "t.a", "1", "2.5", "'s'", "NULL", "?", "(", ")", "(", ")", ",", "+", "-",
        "*", "/", "=", "<", ">=", "<>", "||", "NOT", "AND", "OR", "IS", "IN", "LIKE", "GLOB",
        "BETWEEN", "ISNULL", "NOTNULL", "COLLATE", "nocase", "CASE", "WHEN", "THEN", "ELSE", "END",
        "CAST", "AS", "INT", "EXISTS", "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER",
        "LIMIT", "OFFSET", "UNION", "ALL", "DISTINCT", "JOIN", "ON", "USING", "VALUES", "ESCAPE",
        "DESC", "ASC", "NULLS", "FIRST", "OVER", "FILTER", "PARTITION", "ROWS", "x", "->", "~",
        "&", "<<", "f", "count",
    };
    static const char *const starts[] = {
        "SELECT ", "SELECT a FROM t WHERE ", "SELECT * FROM ", "VALUES (",
    };
    sqlite3 *db;
    int differences = 0;
    (void)state;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    for (int round = 0; round < 5000; round++) {
        char sql[512];
        int n = snprintf(sql, sizeof sql, "%s", starts[fuzz_next() % CHORUS_ARRAY_LEN(starts)]);
        int count = 1 + (int)(fuzz_next() % 10);
        const char *expected;
        char *got;
        for (int i = 0; i < count; i++)
            n += snprintf(sql + n, sizeof sql - (size_t)n, "%s ",
                          pieces[fuzz_next() % CHORUS_ARRAY_LEN(pieces)]);
        expected = oracle_syntax_message(db, sql);
        got = parse_error_of(sql);
        if (strcmp(expected, got) != 0 && differences++ < 10)
            print_message("%s\n  sqlite: %s\n  ours:   %s\n", sql, expected, got);
        free(got);
    }
    sqlite3_close(db);
    assert_int_equal(differences, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_returns_null_for_empty_input),
        cmocka_unit_test(test_parse_sets_tail_after_the_first_statement),
        cmocka_unit_test(test_parse_honours_nbytes_and_stops_at_nul),
        cmocka_unit_test(test_parse_reports_syntax_errors_near_the_token),
        cmocka_unit_test(test_parse_reports_incomplete_input_at_the_end),
        cmocka_unit_test(test_parse_reports_unrecognized_tokens),
        cmocka_unit_test(test_parse_rejects_bad_literals_and_join_types),
        cmocka_unit_test(test_parse_numbers_parameters_as_sqlite),
        cmocka_unit_test(test_parse_rejects_out_of_range_parameters),
        cmocka_unit_test(test_parse_caps_expression_depth),
        cmocka_unit_test(test_parse_handles_explain_prefixes),
        cmocka_unit_test(test_parse_accepts_every_statement_of_the_slt_corpus),
        cmocka_unit_test(test_parse_survives_random_token_soups),
        cmocka_unit_test(test_parse_survives_every_truncation_of_valid_sql),
        cmocka_unit_test(test_parse_agrees_with_sqlite_on_random_selects),
    };
    return cmocka_run_group_tests(tests, parse_fixture_setup, parse_fixture_teardown);
}
