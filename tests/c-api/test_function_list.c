/*
 * tests/c-api/test_function_list.c: PRAGMA function_list lists the
 * connection's own functions (not built-in, 0x800 when deterministic, 'a'
 * for an aggregate) with the built-ins (core/vm/exec_pragma.c PR3).
 * Expected rows from Python's sqlite3 (SQLite 3.40.1) with the same
 * functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static void
zero(chorus_context *ctx, int argc, chorus_value **argv)
{
    (void)argc;
    (void)argv;
    chorus_result_null(ctx);
}

static void
zero_final(chorus_context *ctx)
{
    chorus_result_null(ctx);
}

static int
setup(void **state)
{
    capi_fixture *f;

    if (capi_fixture_setup(state, NULL) != 0)
        return -1;
    f = *state;
    if (chorus_create_function(f->conn, "myf", 2, 0, NULL, zero, NULL, NULL, NULL) != CHORUS_OK ||
        chorus_create_function(f->conn, "detf", 1, CHORUS_DETERMINISTIC, NULL, zero, NULL, NULL,
                               NULL) != CHORUS_OK ||
        chorus_create_function(f->conn, "mya", 1, 0, NULL, NULL, zero, zero_final, NULL) !=
            CHORUS_OK)
        return -1;
    return 0;
}

static void
test_user_functions_are_listed(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    capi_assert_query(conn,
                      "SELECT group_concat(name || ',' || builtin || ',' || type || ',' || enc || "
                      "',' || narg || ',' || flags, ';') FROM (SELECT * FROM pragma_function_list "
                      "WHERE name IN ('myf', 'detf', 'mya') ORDER BY name)",
                      "detf,0,s,utf8,1,2048;mya,0,a,utf8,1,0;myf,0,s,utf8,2,0");
    capi_assert_query(conn, "SELECT builtin FROM pragma_function_list WHERE name = 'abs'", "1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_user_functions_are_listed, setup,
                                        capi_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
