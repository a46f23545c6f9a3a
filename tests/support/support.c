/*
 * tests/support/support.c: temporary directories for tests and a
 * runner of external commands (the shell, the slt runner, sqlite3 as an
 * oracle) that captures their output.
 *
 * Callers: any test; declared in tests/support/test_support.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "test_support.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[512];

const char *
test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/chorus-test-XXXXXX", base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL)
        return NULL;
    return tmpdir;
}

char *
test_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

void
test_tmpdir_remove(void)
{
    if (tmpdir[0] != '\0')
        nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmpdir[0] = '\0';
}

char *
test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            char *grown = realloc(buf, cap = (n + 4096 + 1) * 2);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Makes an empty temporary file for one stream of a command; 0 or -1. */
static int
capture_file(char path[64], const char *text)
{
    int fd;

    snprintf(path, 64, "/tmp/chorus-run-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return -1;
    if (text != NULL && write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
test_run_command(const char *cmd, const char *stdin_text, char **out, char **err)
{
    char in_path[64], out_path[64], err_path[64];
    char *line;
    int status = -1;

    if (out != NULL)
        *out = NULL;
    if (err != NULL)
        *err = NULL;
    if (capture_file(in_path, stdin_text) != 0 || capture_file(out_path, NULL) != 0
        || capture_file(err_path, NULL) != 0)
        return -1;
    line = malloc(strlen(cmd) + 3 * 64 + 16);
    if (line != NULL) {
        sprintf(line, "%s <%s >%s 2>%s", cmd, in_path, out_path, err_path);
        status = system(line);
        status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        free(line);
    }
    if (out != NULL)
        *out = test_read_file(out_path);
    if (err != NULL)
        *err = test_read_file(err_path);
    unlink(in_path);
    unlink(out_path);
    unlink(err_path);
    return status;
}

int64_t
test_query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int64_t v = -1;

    if (chorus_prepare(conn, sql, -1, &stmt, NULL) != CHORUS_OK)
        return -2;
    if (chorus_step(stmt) == CHORUS_ROW)
        v = chorus_column_int64(stmt, 0);
    chorus_finalize(stmt);
    return v;
}
