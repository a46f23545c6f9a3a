/*
 * tests/core/func/test_json.c: the scalar and aggregate JSON functions of
 * core/func/json_*.c. Most cases run here and in libsqlite3 3.40 (the
 * oracle) and must agree, errors and their messages included; what 3.40
 * lacks (JSON5, json_error_position, json_valid flags, json_pretty, -> with
 * a negative index) is checked against literals from SQLite 3.45's
 * documentation and behaviour. A random-input loop checks that the parser
 * survives garbage and deep nesting.
 */
#include "func_oracle.inc"

enum { MAX_ARGS = 8 };

/*
 * An argument written as text: "N" NULL, "i:5" integer, "r:2.5" real,
 * "t:abc" text, "j:[1]" text with the JSON subtype (as json() returns it),
 * "b:ab" a blob of those bytes.
 */
static value
arg_parse(const char *spec)
{
    value v;

    switch (spec[0]) {
    case 'i':
        return v_int(strtoll(spec + 2, NULL, 10));
    case 'r':
        return v_real(strtod(spec + 2, NULL));
    case 't':
        return v_text(spec + 2);
    case 'j':
        v = v_text(spec + 2);
        v.subtype = 'J';
        return v;
    case 'b':
        return v_blob(spec + 2, (int)strlen(spec + 2));
    default:
        return v_null();
    }
}

/* The SQL that calls name on ?1..?argc in libsqlite3 (JSON-subtype
 * arguments pass through json()). */
static void
oracle_sql(const char *name, int argc, const value *argv, char *sql, size_t cap)
{
    size_t len = 0;
    bool op = strcmp(name, "->") == 0 || strcmp(name, "->>") == 0;

    len += (size_t)snprintf(sql + len, cap - len, "SELECT %s", op ? "" : name);
    if (!op)
        len += (size_t)snprintf(sql + len, cap - len, "(");
    for (int i = 0; i < argc; i++) {
        const char *sep = i == 0 ? "" : op ? name : ",";
        if (argv[i].subtype == 'J')
            len += (size_t)snprintf(sql + len, cap - len, "%s json(?%d)", sep, i + 1);
        else
            len += (size_t)snprintf(sql + len, cap - len, "%s ?%d", sep, i + 1);
    }
    snprintf(sql + len, cap - len, "%s", op ? "" : ")");
}

/* Runs one case here and in the oracle; returns 1 on a difference. */
static int
json_check(const char *name, const char *const *specs)
{
    value argv[MAX_ARGS], got;
    int argc = 0, diff, rc;
    char sql[512], *err;
    sqlite3_stmt *stmt;
    const func_def *def;
    func_ctx ctx;

    while (argc < MAX_ARGS && specs[argc] != NULL) {
        argv[argc] = arg_parse(specs[argc]);
        argc++;
    }
    oracle_sql(name, argc, argv, sql, sizeof sql);
    assert_int_equal(sqlite3_prepare_v2(oracle_db, sql, -1, &stmt, NULL), SQLITE_OK);
    for (int i = 0; i < argc; i++)
        oracle_bind(stmt, i + 1, &argv[i]);
    int src = sqlite3_step(stmt);
    def = func_find(name, argc, NULL);
    assert_non_null(def);
    ctx_init(&ctx);
    rc = def->scalar(&ctx, argc, argv);
    got = ctx.result;
    err = ctx.errmsg;
    if (src == SQLITE_ROW)
        diff = rc != CHORUS_OK || !oracle_same(stmt, 0, &got, 0);
    else
        diff = rc == CHORUS_OK || err == NULL || strcmp(err, sqlite3_errmsg(oracle_db)) != 0;
    if (diff) {
        print_message("%s differs:\n", sql);
        for (int i = 0; i < argc; i++)
            print_message("  arg %s\n", specs[i]);
        value_print("  chorus", &got);
        if (err != NULL)
            print_message("  chorus error: %s\n", err);
        if (src == SQLITE_ROW)
            print_message("  sqlite: type %d '%s'\n", sqlite3_column_type(stmt, 0),
                          (const char *)sqlite3_column_text(stmt, 0));
        else
            print_message("  sqlite error: %s\n", sqlite3_errmsg(oracle_db));
    }
    value_clear(&got);
    free(err);
    sqlite3_finalize(stmt);
    return diff;
}

typedef struct json_case {
    const char *name;
    const char *args[MAX_ARGS];
} json_case;

static int
check_cases(const json_case *cases, size_t n)
{
    int diffs = 0;

    for (size_t i = 0; i < n; i++)
        diffs += json_check(cases[i].name, cases[i].args);
    return diffs;
}

/* Calls name with specs here only; returns the result (owned) and rc. */
static int
call(const char *name, const char *const *specs, value *out, char **err)
{
    value argv[MAX_ARGS];
    int argc = 0;

    while (argc < MAX_ARGS && specs[argc] != NULL) {
        argv[argc] = arg_parse(specs[argc]);
        argc++;
    }
    return call_scalar(name, argc, argv, out, err);
}

/* Asserts name(specs) returns text want. */
#define EXPECT_TEXT(want, name, ...)                                          \
    do {                                                                      \
        const char *specs_[] = { __VA_ARGS__, NULL };                         \
        value out_;                                                           \
        assert_int_equal(call(name, specs_, &out_, NULL), CHORUS_OK);         \
        if (out_.type != VALUE_TEXT)                                          \
            value_print("got", &out_);                                        \
        assert_int_equal(out_.type, VALUE_TEXT);                              \
        assert_string_equal(out_.u.z, want);                                  \
        value_clear(&out_);                                                   \
    } while (0)

#define EXPECT_INT(want, name, ...)                                           \
    do {                                                                      \
        const char *specs_[] = { __VA_ARGS__, NULL };                         \
        value out_;                                                           \
        assert_int_equal(call(name, specs_, &out_, NULL), CHORUS_OK);         \
        if (out_.type != VALUE_INTEGER)                                       \
            value_print("got", &out_);                                        \
        assert_int_equal(out_.type, VALUE_INTEGER);                           \
        assert_int_equal(out_.u.i, want);                                     \
    } while (0)

#define EXPECT_ERROR(want, name, ...)                                         \
    do {                                                                      \
        const char *specs_[] = { __VA_ARGS__, NULL };                         \
        value out_;                                                           \
        char *err_;                                                           \
        assert_int_equal(call(name, specs_, &out_, &err_), CHORUS_ERROR);     \
        assert_string_equal(err_, want);                                      \
        free(err_);                                                           \
        value_clear(&out_);                                                   \
    } while (0)

/* --- cases the oracle answers ------------------------------------------------ */

static void
test_json_minifies_and_keeps_literals_as_written(void **state)
{
    static const json_case cases[] = {
        { "json", { "t: [1, 2.50, -0, 1E5, \"\\u0041\"] " } },
        { "json", { "t:{\"a\" : {\"b\":[true,false,null]}, \"c\":\"x\\ty\"}" } },
        { "json", { "t:\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"" } },
        { "json", { "t:[]" } }, { "json", { "t:{}" } }, { "json", { "t:[[],{}]" } },
        { "json", { "t:  1  " } }, { "json", { "t:-1.5e-3" } }, { "json", { "t:0" } },
        { "json", { "t:123456789012345678901234567890" } },
        { "json", { "t:\"h\xc3\xa9llo\"" } },
        { "json", { "t:{\"a\":1,\"a\":2}" } },
        { "json", { "i:5" } }, { "json", { "r:2.5" } }, { "json", { "N" } },
        { "json", { "j:[1,2]" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_rejects_malformed_text(void **state)
{
    static const json_case cases[] = {
        { "json", { "t:" } }, { "json", { "t:[1,2" } }, { "json", { "t:{\"a\" 1}" } },
        { "json", { "t:01" } }, { "json", { "t:tru" } },
        { "json", { "t:truex" } }, { "json", { "t:\"abc" } }, { "json", { "t:[1]x" } },
        { "json", { "t:\"\\q\"" } }, { "json", { "t:\"\\u12\"" } }, { "json", { "t:-" } },
        { "json", { "t:1e" } }, { "json", { "t:{1:2}" } }, { "json", { "t:abc" } },
        { "json", { "i:12" } }, { "json_extract", { "t:{", "t:$" } },
        { "json_type", { "t:[", "t:$" } }, { "json_array_length", { "t:x" } },
        { "json_remove", { "t:[", "t:$[0]" } }, { "json_set", { "t:[", "t:$[0]", "i:1" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_array_and_object_render_sql_values(void **state)
{
    static const json_case cases[] = {
        { "json_array", { NULL } },
        { "json_array", { "i:1", "r:2.5", "t:a\"b", "N", "j:{\"x\":[1]}", "t:[1]" } },
        { "json_array", { "r:1e20", "r:0.1", "r:1.0", "r:-0.0001", "i:-9223372036854775808" } },
        { "json_array", { "t:\x01\x1f\n\t\\" } },
        { "json_array", { "b:ab" } },
        { "json_object", { NULL } },
        { "json_object", { "t:a", "i:1", "t:b", "j:[2]", "t:c", "t:[3]" } },
        { "json_object", { "t:a\"", "N" } },
        { "json_object", { "t:a" } },
        { "json_object", { "i:1", "i:2" } },
        { "json_object", { "t:a", "b:x" } },
        { "json_quote", { "t:it's \"q\"" } }, { "json_quote", { "i:3" } },
        { "json_quote", { "r:3.5" } }, { "json_quote", { "N" } }, { "json_quote", { "j:[1]" } },
        { "json_quote", { "b:x" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_extract_follows_paths(void **state)
{
    static const char doc[] =
        "t:{\"a\":{\"b\":[10,20.5,\"x\\u0041\",true,false,null,{\"c d\":7}]},\"e\":-0,"
        "\"big\":123456789012345678901234,\"min\":-9223372036854775808}";
    static const json_case cases[] = {
        { "json_extract", { doc, "t:$" } }, { "json_extract", { doc, "t:$.a" } },
        { "json_extract", { doc, "t:$.a.b[0]" } }, { "json_extract", { doc, "t:$.a.b[1]" } },
        { "json_extract", { doc, "t:$.a.b[2]" } }, { "json_extract", { doc, "t:$.a.b[3]" } },
        { "json_extract", { doc, "t:$.a.b[4]" } }, { "json_extract", { doc, "t:$.a.b[5]" } },
        { "json_extract", { doc, "t:$.a.b[6].\"c d\"" } },
        { "json_extract", { doc, "t:$.a.b[#-1]" } }, { "json_extract", { doc, "t:$.a.b[#-7]" } },
        { "json_extract", { doc, "t:$.a.b[#-8]" } }, { "json_extract", { doc, "t:$.a.b[#]" } },
        { "json_extract", { doc, "t:$.a.b[7]" } }, { "json_extract", { doc, "t:$.e" } },
        { "json_extract", { doc, "t:$.big" } }, { "json_extract", { doc, "t:$.min" } },
        { "json_extract", { doc, "t:$.nope" } }, { "json_extract", { doc, "t:$.a[0]" } },
        { "json_extract", { doc, "t:$.a.b.c" } }, { "json_extract", { doc, "N" } },
        { "json_extract", { doc, "t:$.a", "t:$.e", "t:$.zz" } },
        { "json_extract", { doc, "t:$.a.b[2]", "t:$.a.b[6]" } },
        { "json_extract", { "N", "t:$" } }, { "json_extract", { doc } },
        { "json_extract", { "t:{}", "t:$.a[" } },
        { "json_extract", { "t:[1]", "t:$[]" } },
        { "json_extract", { "t:[1]", "t:$[1x]" } },
        { "json_extract", { "t:[1]", "t:$." } },
        { "json_extract", { "t:[1]", "t:$a" } },
        { "json_extract", { "t:[1]", "t:a'b" } },
        { "json_extract", { "t:{\"a\":1}", "t:$.\"a" } },
        { "json_extract", { "t:[1]", "i:1" } },
        { "json_extract", { "t:{\"a.b\":1}", "t:$.\"a.b\"" } },
        { "json_extract", { "t:[[1,[2,3]]]", "t:$[0][1][1]" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_arrow_operators_take_paths_keys_and_indexes(void **state)
{
    static const char doc[] = "t:{\"a\":{\"b\":\"x\"},\"c\":[1,2.5,null],\"1\":\"one\"}";
    static const json_case cases[] = {
        { "->", { doc, "t:$.a" } }, { "->>", { doc, "t:$.a" } },
        { "->", { doc, "t:a" } }, { "->>", { doc, "t:a" } },
        { "->", { doc, "t:a.b" } }, { "->>", { doc, "t:a.b" } },
        { "->", { doc, "t:c" } }, { "->>", { doc, "t:$.c[1]" } },
        { "->", { doc, "t:$.c[2]" } }, { "->>", { doc, "t:$.c[2]" } },
        { "->", { "t:[5,6]", "i:1" } }, { "->>", { "t:[5,6]", "i:0" } },
        { "->", { "t:[5,6]", "t:1" } }, { "->>", { "t:[5,6]", "t:[1]" } },
        { "->", { doc, "t:zz" } }, { "->>", { doc, "N" } }, { "->", { "N", "t:a" } },
        { "->", { "t:[", "t:a" } }, { "->>", { "t:[1]", "r:1.5" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_type_and_array_length_name_what_a_path_finds(void **state)
{
    static const char doc[] = "t:{\"a\":[1,2.0,\"s\",true,false,null,[],{}]}";
    static const json_case cases[] = {
        { "json_type", { doc } }, { "json_type", { doc, "t:$.a" } },
        { "json_type", { doc, "t:$.a[0]" } }, { "json_type", { doc, "t:$.a[1]" } },
        { "json_type", { doc, "t:$.a[2]" } }, { "json_type", { doc, "t:$.a[3]" } },
        { "json_type", { doc, "t:$.a[4]" } }, { "json_type", { doc, "t:$.a[5]" } },
        { "json_type", { doc, "t:$.a[6]" } }, { "json_type", { doc, "t:$.a[7]" } },
        { "json_type", { doc, "t:$.x" } }, { "json_type", { doc, "t:x" } },
        { "json_type", { "N" } }, { "json_type", { "i:1" } }, { "json_type", { "r:1.5" } },
        { "json_array_length", { doc } }, { "json_array_length", { doc, "t:$.a" } },
        { "json_array_length", { doc, "t:$.a[6]" } }, { "json_array_length", { doc, "t:$.b" } },
        { "json_array_length", { "t:[1,[2,3]]", "t:$[1]" } },
        { "json_array_length", { "t:[1,2", "t:$" } }, { "json_array_length", { doc, "t:$[" } },
        { "json_array_length", { "N" } }, { "json_array_length", { "t:[1]", "N" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_set_insert_replace_edit_as_sqlite(void **state)
{
    static const char doc[] = "t:{\"a\":1,\"b\":[1,2],\"c\":{\"d\":null}}";
    static const json_case cases[] = {
        { "json_set", { doc, "t:$.a", "i:9" } }, { "json_insert", { doc, "t:$.a", "i:9" } },
        { "json_replace", { doc, "t:$.a", "i:9" } }, { "json_set", { doc, "t:$.z", "t:new" } },
        { "json_insert", { doc, "t:$.z", "r:1.5" } }, { "json_replace", { doc, "t:$.z", "i:1" } },
        { "json_set", { doc, "t:$.b[2]", "i:3" } }, { "json_set", { doc, "t:$.b[#]", "i:3" } },
        { "json_set", { doc, "t:$.b[5]", "i:3" } }, { "json_set", { doc, "t:$.b[0]", "N" } },
        { "json_insert", { doc, "t:$.b[0]", "i:0" } }, { "json_set", { doc, "t:$.b[#-1]", "i:7" } },
        { "json_set", { doc, "t:$.x.y.z", "i:1" } }, { "json_set", { doc, "t:$.x[0]", "i:1" } },
        { "json_set", { doc, "t:$.x[0].y", "i:1" } }, { "json_set", { doc, "t:$.x[1]", "i:1" } },
        { "json_set", { doc, "t:$.x[#]", "i:1" } }, { "json_set", { doc, "t:$.a.b", "i:1" } },
        { "json_set", { doc, "t:$.c.d", "j:{\"e\":[1]}" } },
        { "json_set", { doc, "t:$.c.d", "t:{\"e\":[1]}" } },
        { "json_replace", { doc, "t:$", "j:[]" } },
        { "json_insert", { doc, "t:$", "i:5" } },
        { "json_set", { doc, "t:$.a", "i:2", "t:$.a", "i:3", "t:$.q", "i:4" } },
        { "json_set", { doc, "t:$.a", "b:x" } }, { "json_set", { doc, "t:$.a" } },
        { "json_insert", { doc, "t:$.a", "i:1", "t:$.b" } },
        { "json_set", { doc, "t:$.\"q r\"", "i:1" } }, { "json_set", { doc, "t:a", "i:1" } },
        { "json_set", { doc, "t:$.x[", "i:1" } }, { "json_set", { doc, "N", "i:1" } },
        { "json_set", { "N", "t:$.a", "i:1" } }, { "json_set", { doc } },
        { "json_set", { doc, "t:$.x.", "i:1" } },
        { "json_set", { "t:{\"a\":{}}", "t:$.a.\"b\\\"c\"", "i:1" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_remove_drops_members_and_elements(void **state)
{
    static const char doc[] = "t:{\"a\":1,\"b\":[0,1,2],\"c\":{\"d\":null}}";
    static const json_case cases[] = {
        { "json_remove", { doc, "t:$.a" } }, { "json_remove", { doc, "t:$.b[0]" } },
        { "json_remove", { doc, "t:$.b[0]", "t:$.b[0]" } }, { "json_remove", { doc, "t:$.b[#-1]" } },
        { "json_remove", { doc, "t:$.b[2]", "t:$.b[1]", "t:$.b[0]" } },
        { "json_remove", { doc, "t:$.c.d" } }, { "json_remove", { doc, "t:$.zz" } },
        { "json_remove", { doc, "t:$" } }, { "json_remove", { doc, "N" } },
        { "json_remove", { doc, "t:$[" } }, { "json_remove", { doc } },
        { "json_remove", { "N", "t:$.a" } }, { "json_remove", { "t:[1,2]", "t:$[5]" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_patch_merges_as_rfc_7396(void **state)
{
    static const json_case cases[] = {
        { "json_patch", { "t:{\"a\":1,\"b\":2}", "t:{\"b\":null,\"c\":3}" } },
        { "json_patch", { "t:{\"a\":{\"x\":1}}", "t:{\"a\":{\"y\":2}}" } },
        { "json_patch", { "t:{\"a\":{\"x\":1}}", "t:{\"a\":[1]}" } },
        { "json_patch", { "t:{\"a\":1}", "t:{\"a\":{\"b\":null,\"c\":{\"d\":null}}}" } },
        { "json_patch", { "t:[1,2]", "t:{\"a\":null,\"b\":2}" } },
        { "json_patch", { "t:{\"a\":1}", "t:[1]" } },
        { "json_patch", { "t:{\"a\":1}", "t:5" } },
        { "json_patch", { "t:{}", "t:{}" } },
        { "json_patch", { "t:{\"a\":1,\"a\":2}", "t:{\"a\":3}" } },
        { "json_patch", { "N", "t:{}" } }, { "json_patch", { "t:{}", "N" } },
        { "json_patch", { "t:{", "t:{}" } }, { "json_patch", { "t:{}", "t:{" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

static void
test_json_valid_accepts_only_rfc_8259_by_default(void **state)
{
    static const json_case cases[] = {
        { "json_valid", { "t:{\"a\":1}" } }, { "json_valid", { "t:{\"a\":1" } },
        { "json_valid", { "t:" } }, { "json_valid", { "i:5" } },
        { "json_valid", { "t:[1,]" } }, { "json_valid", { "t:{a:1}" } },
        { "json_valid", { "t:'x'" } },
    };

    (void)state;
    assert_int_equal(check_cases(cases, CHORUS_ARRAY_LEN(cases)), 0);
}

/* --- SQLite 3.42+ behaviour, by hand -------------------------------------------- */

static void
test_json_accepts_json5_and_writes_canonical_json(void **state)
{
    (void)state;
    EXPECT_TEXT("{\"a\":1,\"b\":[2,3]}", "json", "t:{a:1, 'b':[2,3,],}");
    EXPECT_TEXT("[31,-31,0.5,5.0,5.0e3,1,-0.5]", "json", "t:[0x1F,-0x1f,.5,5.,5.e3,+1,-.5]");
    EXPECT_TEXT("[9.0e999,-9.0e999,null,9.0e999]", "json", "t:[Infinity,-Infinity,NaN,+inf]");
    EXPECT_TEXT("[\"it's\",\"a\\\"b\"]", "json", "t:['it\\'s','a\"b']");
    EXPECT_TEXT("\"\\u0041\\u000b\\u0000ab\"", "json", "t:'\\x41\\v\\0a\\\nb'");
    EXPECT_TEXT("\"a\\tb\\u0001\"", "json", "t:\"a\tb\x01\"");
    EXPECT_TEXT("[1,2]", "json", "t:/* c */ [1, // line\n 2]\v");
    EXPECT_TEXT("[1]", "json", "t:\xc2\xa0[1]\xe2\x80\xa8");
    EXPECT_TEXT("{\"$x_1\":1}", "json", "t:{$x_1:1}");
    EXPECT_INT(16, "json_extract", "t:[0x10]", "t:$[0]");
    EXPECT_INT(1, "json_extract", "t:{a:[1]}", "t:$.a[0]");
    EXPECT_TEXT("it's", "json_extract", "t:['it\\'s']", "t:$[0]");
    EXPECT_TEXT("1.0", "json", "t:1.");
    EXPECT_TEXT("real", "json_type", "t:[Infinity]", "t:$[0]");
    EXPECT_TEXT("null", "json_type", "t:[NaN]", "t:$[0]");
}

static void
test_json_valid_flags_choose_rfc_or_json5(void **state)
{
    (void)state;
    EXPECT_INT(0, "json_valid", "t:{a:1}");
    EXPECT_INT(0, "json_valid", "t:{a:1}", "i:1");
    EXPECT_INT(1, "json_valid", "t:{a:1}", "i:2");
    EXPECT_INT(1, "json_valid", "t:{\"a\":1}", "i:3");
    EXPECT_INT(0, "json_valid", "t:{\"a\":1}", "i:4");
    EXPECT_INT(0, "json_valid", "t:{a:", "i:2");
    value out;
    const char *null_doc[] = { "N", NULL }, *null_flags[] = { "t:1", "N", NULL };
    assert_int_equal(call("json_valid", null_doc, &out, NULL), CHORUS_OK);
    assert_int_equal(out.type, VALUE_NULL);
    assert_int_equal(call("json_valid", null_flags, &out, NULL), CHORUS_OK);
    assert_int_equal(out.type, VALUE_NULL);
    EXPECT_ERROR("FLAGS parameter to json_valid() must be between 1 and 15", "json_valid",
                 "t:1", "i:16");
    EXPECT_ERROR("FLAGS parameter to json_valid() must be between 1 and 15", "json_valid",
                 "t:1", "i:0");
}

static void
test_json_error_position_counts_characters(void **state)
{
    (void)state;
    EXPECT_INT(0, "json_error_position", "t:{\"a\":1}");
    EXPECT_INT(0, "json_error_position", "t:{a:1,}");
    EXPECT_INT(5, "json_error_position", "t:[1,2");
    EXPECT_INT(6, "json_error_position", "t:{\"a\" 1}");
    EXPECT_INT(5, "json_error_position", "t:[\"\xc3\xa9\"x]");
    EXPECT_INT(1, "json_error_position", "t:");
    value out;
    const char *specs[] = { "N", NULL };
    assert_int_equal(call("json_error_position", specs, &out, NULL), CHORUS_OK);
    assert_int_equal(out.type, VALUE_NULL);
}

static void
test_json_pretty_indents_four_spaces_or_the_given_text(void **state)
{
    (void)state;
    EXPECT_TEXT("{\n    \"a\": [\n        1,\n        {}\n    ],\n    \"b\": []\n}", "json_pretty",
                "t:{\"a\":[1,{}],\"b\":[]}");
    EXPECT_TEXT("[\n\t1\n]", "json_pretty", "t:[1]", "t:\t");
    EXPECT_TEXT("5", "json_pretty", "t:5");
}

static void
test_json_set_on_the_root_returns_json_text(void **state)
{
    (void)state;
    EXPECT_TEXT("5", "json_set", "t:{\"a\":1}", "t:$", "i:5");    /* 3.40 returned integer 5 */
    EXPECT_TEXT("\"x\"", "json_replace", "t:[1]", "t:$", "t:x");
}

static void
test_arrow_takes_a_negative_integer_from_the_end(void **state)
{
    (void)state;
    EXPECT_TEXT("6", "->", "t:[5,6]", "i:-1");
    EXPECT_INT(5, "->>", "t:[5,6]", "i:-2");
}

static void
test_json_results_carry_the_json_subtype(void **state)
{
    static const struct { const char *name; const char *args[4]; char subtype; } cases[] = {
        { "json", { "t:[1]" }, 'J' }, { "json_array", { "i:1" }, 'J' },
        { "json_object", { "t:a", "i:1" }, 'J' }, { "json_quote", { "t:a" }, 'J' },
        { "json_set", { "t:[1]", "t:$[0]", "i:2" }, 'J' }, { "json_remove", { "t:[1]" }, 'J' },
        { "json_patch", { "t:{}", "t:{}" }, 'J' }, { "json_extract", { "t:[[1]]", "t:$[0]" }, 'J' },
        { "json_extract", { "t:[\"a\"]", "t:$[0]" }, 0 }, { "->", { "t:[\"a\"]", "i:0" }, 'J' },
        { "->>", { "t:[[1]]", "i:0" }, 'J' }, { "->>", { "t:[\"a\"]", "i:0" }, 0 },
        { "json_type", { "t:[1]" }, 0 },
    };

    (void)state;
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(cases); i++) {
        value out;
        assert_int_equal(call(cases[i].name, cases[i].args, &out, NULL), CHORUS_OK);
        if (out.subtype != cases[i].subtype)
            print_message("%s: subtype %d\n", cases[i].name, out.subtype);
        assert_int_equal(out.subtype, cases[i].subtype);
        value_clear(&out);
    }
}

/* --- aggregates ------------------------------------------------------------------- */

/* Runs aggregate name over rows of argc values; returns the final result. */
static value
run_aggregate(const char *name, int argc, int n_rows, const value *rows, int n_inverse,
              int *rc_out)
{
    const func_def *def = func_find(name, argc, NULL);
    void *st;
    func_ctx ctx;
    value out;

    assert_non_null(def);
    st = calloc(1, def->state_size);
    ctx_init(&ctx);
    ctx.state = st;
    for (int r = 0; r < n_rows && ctx.rc == CHORUS_OK; r++)
        def->step(&ctx, argc, &rows[r * argc]);
    for (int r = 0; r < n_inverse && ctx.rc == CHORUS_OK; r++)
        def->inverse(&ctx, argc, &rows[r * argc]);
    if (ctx.rc == CHORUS_OK)
        def->final(&ctx);
    *rc_out = ctx.rc;
    out = ctx.result;
    free(ctx.errmsg);
    def->destroy(st);
    free(st);
    return out;
}

static void
test_json_group_array_collects_values_and_removes_the_oldest(void **state)
{
    value rows[] = { v_int(1), v_text("a\"b"), v_null(), v_real(2.5), v_text("[1,\"x,y\"]") };
    value out;
    int rc;

    (void)state;
    rows[4].subtype = 'J';
    out = run_aggregate("json_group_array", 1, 5, rows, 0, &rc);
    assert_int_equal(rc, CHORUS_OK);
    assert_string_equal(out.u.z, "[1,\"a\\\"b\",null,2.5,[1,\"x,y\"]]");
    assert_int_equal(out.subtype, 'J');
    value_clear(&out);
    out = run_aggregate("json_group_array", 1, 5, rows, 4, &rc);
    assert_string_equal(out.u.z, "[[1,\"x,y\"]]");
    value_clear(&out);
    out = run_aggregate("json_group_array", 1, 2, rows, 2, &rc);
    assert_string_equal(out.u.z, "[]");
    value_clear(&out);
    out = run_aggregate("json_group_array", 1, 0, rows, 0, &rc);
    assert_string_equal(out.u.z, "[]");
    value_clear(&out);
    rows[1] = v_blob("x", 1);
    out = run_aggregate("json_group_array", 1, 3, rows, 0, &rc);
    assert_int_equal(rc, CHORUS_ERROR);
    value_clear(&out);
}

static void
test_json_group_object_pairs_names_with_values(void **state)
{
    value rows[] = { v_text("a"), v_int(1), v_int(2), v_text("x"), v_null(), v_int(3),
                     v_text("o"), v_text("{\"k\":[1,2]}") };
    value out;
    int rc;

    (void)state;
    rows[7].subtype = 'J';
    out = run_aggregate("json_group_object", 2, 2, rows, 0, &rc);
    assert_string_equal(out.u.z, "{\"a\":1,\"2\":\"x\"}");
    value_clear(&out);
    out = run_aggregate("json_group_object", 2, 3, rows, 0, &rc);
    assert_string_equal(out.u.z, "{\"a\":1,\"2\":\"x\",:3}");      /* as SQLite 3.40 */
    value_clear(&out);
    out = run_aggregate("json_group_object", 2, 4, rows, 3, &rc);
    assert_string_equal(out.u.z, "{\"o\":{\"k\":[1,2]}}");
    value_clear(&out);
    out = run_aggregate("json_group_object", 2, 0, rows, 0, &rc);
    assert_string_equal(out.u.z, "{}");
    value_clear(&out);
}

/* --- robustness ------------------------------------------------------------------------ */

/* Nesting of depth brackets: valid up to JSON_MAX_DEPTH (1000). */
static int
nested_valid(int depth)
{
    char *z = malloc((size_t)depth * 2 + 1);
    value arg, out;
    int valid;

    for (int i = 0; i < depth; i++) {
        z[i] = '[';
        z[depth * 2 - 1 - i] = ']';
    }
    z[depth * 2] = '\0';
    arg = v_text(z);
    assert_int_equal(call_scalar("json_valid", 1, &arg, &out, NULL), CHORUS_OK);
    valid = (int)out.u.i;
    free(z);
    return valid;
}

static void
test_parser_caps_nesting_at_1000_levels(void **state)
{
    (void)state;
    assert_int_equal(nested_valid(1000), 1);
    assert_int_equal(nested_valid(1001), 0);
    assert_int_equal(nested_valid(100000), 0);
}

/* Cheap deterministic PRNG for the garbage loop. */
static uint32_t
next_random(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static void
test_parser_survives_random_input(void **state)
{
    static const char alphabet[] = "[]{}\":,'\\ 0123456789.-+eExXabtrufnlsIN/*\n\x01\xc3\xa9\xe2\x80";
    static const char *const fns[] = { "json", "json_valid", "json_error_position",
                                       "json_type", "json_array_length" };
    uint64_t seed = 42;
    char buf[64];
    value arg, out;

    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        int n = (int)(next_random(&seed) % sizeof buf);
        for (int i = 0; i < n; i++)
            buf[i] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
        value_set_text_ref(&arg, buf, n);
        char *err = NULL;
        call_scalar(fns[iter % CHORUS_ARRAY_LEN(fns)], 1, &arg, &out, &err);
        value_clear(&out);
        free(err);
    }
}

/* Random documents agree with the oracle on validity and minified form. */
static void
test_random_json_agrees_with_libsqlite3(void **state)
{
    static const char *const pieces[] = { "[", "]", "{", "}", ",", ":", "\"k\"", "1", "-2.5e3",
                                          "true", "null", "\"s\\n\"", " ", "0", "\"\"" };
    uint64_t seed = 7;
    int diffs = 0;
    char buf[256];

    (void)state;
    for (int iter = 0; iter < 3000 && diffs < 5; iter++) {
        size_t len = 0;
        int n = 1 + (int)(next_random(&seed) % 16);
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s",
                                    pieces[next_random(&seed) % CHORUS_ARRAY_LEN(pieces)]);
        char spec[260];
        snprintf(spec, sizeof spec, "t:%s", buf);
        const char *specs[] = { spec, NULL };
        diffs += json_check("json", specs);
        diffs += json_check("json_valid", specs);
    }
    assert_int_equal(diffs, 0);
}

/* Random paths over a few documents agree with the oracle in the path
 * functions (errors included). */
static void
test_random_paths_agree_with_libsqlite3(void **state)
{
    static const char *const docs[] = {
        "t:{\"a\":[1,{\"b\":2,\"a\":[3]}],\"b\":{\"a\":null},\"c d\":\"s\"}",
        "t:[[0,1],{\"a\":{\"b\":[]}},\"x\",2.5]", "t:5", "t:{}",
    };
    static const char *const steps[] = { ".a", ".b", "[0]", "[1]", "[#-1]", "[#]", ".\"c d\"",
                                         "[2]", ".", "[", "x" };
    static const char *const fns[] = { "json_extract", "json_set", "json_insert",
                                       "json_replace", "json_remove", "json_type",
                                       "json_array_length", "->", "->>" };
    uint64_t seed = 99;
    int diffs = 0;

    (void)state;
    for (int iter = 0; iter < 4000 && diffs < 5; iter++) {
        char path[64] = "t:$";
        size_t len = 3;
        int n = (int)(next_random(&seed) % 4);
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(path + len, sizeof path - len, "%s",
                                    steps[next_random(&seed) % CHORUS_ARRAY_LEN(steps)]);
        const char *fn = fns[next_random(&seed) % CHORUS_ARRAY_LEN(fns)];
        const char *specs[] = { docs[next_random(&seed) % CHORUS_ARRAY_LEN(docs)], path,
                                "j:[7]", NULL };
        bool edit = strncmp(fn, "json_set", 8) == 0 || strncmp(fn, "json_ins", 8) == 0 ||
                    strncmp(fn, "json_rep", 8) == 0;
        if (edit && strcmp(path, "t:$") == 0)
            continue;                   /* 3.40 returned the new root's SQL value */
        if (!edit)
            specs[2] = NULL;
        diffs += json_check(fn, specs);
    }
    assert_int_equal(diffs, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_minifies_and_keeps_literals_as_written),
        cmocka_unit_test(test_json_rejects_malformed_text),
        cmocka_unit_test(test_json_array_and_object_render_sql_values),
        cmocka_unit_test(test_json_extract_follows_paths),
        cmocka_unit_test(test_arrow_operators_take_paths_keys_and_indexes),
        cmocka_unit_test(test_json_type_and_array_length_name_what_a_path_finds),
        cmocka_unit_test(test_json_set_insert_replace_edit_as_sqlite),
        cmocka_unit_test(test_json_remove_drops_members_and_elements),
        cmocka_unit_test(test_json_patch_merges_as_rfc_7396),
        cmocka_unit_test(test_json_valid_accepts_only_rfc_8259_by_default),
        cmocka_unit_test(test_json_accepts_json5_and_writes_canonical_json),
        cmocka_unit_test(test_json_valid_flags_choose_rfc_or_json5),
        cmocka_unit_test(test_json_error_position_counts_characters),
        cmocka_unit_test(test_json_pretty_indents_four_spaces_or_the_given_text),
        cmocka_unit_test(test_json_set_on_the_root_returns_json_text),
        cmocka_unit_test(test_arrow_takes_a_negative_integer_from_the_end),
        cmocka_unit_test(test_json_results_carry_the_json_subtype),
        cmocka_unit_test(test_json_group_array_collects_values_and_removes_the_oldest),
        cmocka_unit_test(test_json_group_object_pairs_names_with_values),
        cmocka_unit_test(test_parser_caps_nesting_at_1000_levels),
        cmocka_unit_test(test_parser_survives_random_input),
        cmocka_unit_test(test_random_json_agrees_with_libsqlite3),
        cmocka_unit_test(test_random_paths_agree_with_libsqlite3),
    };

    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
