/*
 * tests/sql/test_sql_files.c: runs the SQL test files under tests/sql (the
 * sqllogictest format, headers per STYLE.md section 10) with the chorus-slt
 * runner built next to the library; every record must pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void
test_every_sql_file_passes(void **state)
{
    const char *shell = getenv("CHORUS_SHELL");
    char cmd[4096];
    const char *here = __FILE__;            /* .../tests/sql/test_sql_files.c */
    const char *slash, *dir_end = strrchr(here, '/');

    if (shell == NULL || (slash = strrchr(shell, '/')) == NULL || dir_end == NULL)
        skip();
    snprintf(cmd, sizeof cmd, "%.*s/chorus-slt --strict %.*s", (int)(slash - shell), shell,
             (int)(dir_end - here), here);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sql_file_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
