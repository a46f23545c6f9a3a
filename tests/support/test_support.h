/*
 * tests/support/test_support.h: helpers every test may use: a fresh
 * temporary directory per test and paths inside it, running a command,
 * reading a file, one integer from a query.
 */
#ifndef CHORUS_TEST_SUPPORT_H
#define CHORUS_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus.h"

/* Creates a fresh empty directory under $TMPDIR (or /tmp) and returns its
 * path (static storage, valid until the next call). */
const char *test_tmpdir(void);
/* Writes dir/name into buf (size n) and returns buf. */
char *test_path(char *buf, size_t n, const char *name);
/* Removes the directory made by test_tmpdir() and everything in it. */
void test_tmpdir_remove(void);

/*
 * Runs the shell command line cmd (through /bin/sh) with stdin_text (NULL:
 * empty) on its standard input. *out and *err (either may be NULL to drop
 * it) receive its standard output and error as malloc()ed strings. Returns
 * the exit status, or -1 when the command could not be run (or died by a
 * signal).
 */
int test_run_command(const char *cmd, const char *stdin_text, char **out, char **err);
/* The whole file at path as a malloc()ed string, or NULL. */
char *test_read_file(const char *path);
/* The first column of sql's first row on conn as an integer; -1 when it
 * returns no row, -2 when it does not prepare. Never asserts, so a forked
 * child may call it. */
int64_t test_query_int(chorus_conn *conn, const char *sql);

#endif
