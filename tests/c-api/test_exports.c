/*
 * tests/c-api/test_exports.c: libchorus.so exports exactly the public API:
 * every dynamic symbol it defines starts with "chorus_" (c-api/exports.map
 * and -fvisibility=hidden), and every function chorus.h declares is there.
 *
 * The library is found through $CHORUS_LIB, or next to the shell named by
 * $CHORUS_SHELL (both set by tests/CMakeLists.txt); the header through this
 * file's own path. Needs nm (binutils).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

enum { MAX_SYMBOLS = 512, NAME_LEN = 128 };

static char exported[MAX_SYMBOLS][NAME_LEN];
static int n_exported;

/* Where libchorus.so should be; false when no path is known. */
static bool
library_path(char *buf, size_t n)
{
    const char *lib = getenv("CHORUS_LIB");
    const char *shell = getenv("CHORUS_SHELL");
    const char *slash;

    if (lib != NULL) {
        snprintf(buf, n, "%s", lib);
        return true;
    }
    if (shell == NULL || (slash = strrchr(shell, '/')) == NULL)
        return false;
    snprintf(buf, n, "%.*s/libchorus.so", (int)(slash - shell), shell);
    return true;
}

static int
setup(void **state)
{
    char lib[1024], cmd[1200], line[512];
    FILE *p;

    (void)state;
    if (!library_path(lib, sizeof lib) || access(lib, R_OK) != 0)
        return 0;                   /* the cases skip */
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s'", lib);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    while (fgets(line, sizeof line, p) != NULL && n_exported < MAX_SYMBOLS) {
        char addr[64], kind[8], name[NAME_LEN];

        if (sscanf(line, "%63s %7s %127s", addr, kind, name) == 3)
            snprintf(exported[n_exported++], NAME_LEN, "%s", name);
    }
    return pclose(p) == 0 ? 0 : -1;
}

static bool
is_exported(const char *name)
{
    for (int i = 0; i < n_exported; i++)
        if (strcmp(exported[i], name) == 0)
            return true;
    return false;
}

static void
test_only_chorus_symbols_are_exported(void **state)
{
    (void)state;
    if (n_exported == 0)
        skip();
    for (int i = 0; i < n_exported; i++) {
        if (strncmp(exported[i], "chorus_", 7) != 0)
            fail_msg("libchorus.so exports %s", exported[i]);
    }
}

static void
test_every_function_of_the_header_is_exported(void **state)
{
    char header[1024], line[512];
    const char *slash = strrchr(__FILE__, '/');
    FILE *f;
    int n_declared = 0;

    (void)state;
    if (n_exported == 0)
        skip();
    snprintf(header, sizeof header, "%.*s/../../c-api/include/chorus.h",
             (int)(slash - __FILE__), __FILE__);
    f = fopen(header, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        char *name, *paren;

        if (strncmp(line, "CHORUS_API ", 11) != 0 || (paren = strchr(line, '(')) == NULL)
            continue;
        *paren = '\0';
        /* The function's name is the last chorus_ word before '(' (the
         * return type may be a chorus_ type too). */
        if ((name = strstr(line, "chorus_")) == NULL)
            continue;
        for (char *next; (next = strstr(name + 1, "chorus_")) != NULL;)
            name = next;
        n_declared++;
        if (!is_exported(name))
            fail_msg("chorus.h declares %s but libchorus.so does not export it", name);
    }
    fclose(f);
    assert_true(n_declared > 40);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_chorus_symbols_are_exported),
        cmocka_unit_test(test_every_function_of_the_header_is_exported),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
