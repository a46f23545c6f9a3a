/*
 * tools/chorus-slt/main.c: the SQL logic test runner's command line.
 *
 *   chorus-slt [-v] [--strict] [-ht N] [--timeout SECONDS] FILE|DIR ...
 *
 * Every FILE, and every *.test file under each DIR (recursively, in name
 * order), runs in its own child process with its own fresh database in a
 * temporary directory, so that a crash, an early exit (a sanitizer's) or a
 * hang (the per-file timeout, 300 s by default) is reported as that file's
 * failure and the run goes on.
 * The child keeps its counts in memory shared with the parent, so a crash
 * still reports what passed before it.
 *
 * Output: failures as they happen, a line "path: N passed, N failed, N
 * skipped" per file, and the totals as the last line. Exit status 0 (also
 * with failures) unless --strict is given and something failed (1); 2 for
 * a usage error.
 *
 * Callers: people and ci/test.
 */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slt.h"

typedef struct file_list {
    char **paths;       /* owned strings */
    int n, cap;
} file_list;

static file_list *walk_target;      /* the list nftw appends to */

static int
list_add(file_list *list, const char *path)
{
    if (list->n == list->cap) {
        int cap = list->cap == 0 ? 64 : list->cap * 2;
        char **grown = realloc(list->paths, (size_t)cap * sizeof *grown);

        if (grown == NULL)
            return -1;
        list->paths = grown;
        list->cap = cap;
    }
    if ((list->paths[list->n] = strdup(path)) == NULL)
        return -1;
    list->n++;
    return 0;
}

static int
collect_test_file(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    size_t n = strlen(path);

    (void)sb; (void)ftw;
    if (flag == FTW_F && n > 5 && strcmp(path + n - 5, ".test") == 0)
        return list_add(walk_target, path);
    return 0;
}

static int
compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds FILE, or the *.test files under DIR in name order: 0 or -1. */
static int
list_add_target(file_list *list, const char *target)
{
    struct stat st;
    int first = list->n;

    if (stat(target, &st) != 0) {
        fprintf(stderr, "chorus-slt: %s: %s\n", target, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return list_add(list, target);
    walk_target = list;
    if (nftw(target, collect_test_file, 16, FTW_PHYS) != 0)
        return -1;
    qsort(list->paths + first, (size_t)(list->n - first), sizeof *list->paths, compare_paths);
    return 0;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

/* Runs one file in a child process; adds its counts to total. */
static void
run_one(const char *path, const slt_options *opt, unsigned timeout_s, slt_counts *total,
        volatile slt_counts *shared)
{
    char dir[4096];
    const char *tmp = getenv("TMPDIR");
    pid_t pid;
    int status;

    shared->passed = shared->failed = shared->skipped = 0;
    snprintf(dir, sizeof dir, "%s/chorus-slt-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        printf("%s: cannot make a temporary directory: %s\n", path, strerror(errno));
        shared->failed++;
    } else {
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            alarm(timeout_s);
            slt_run_file(path, dir, opt, shared);
            fflush(stdout);
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) < 0) {
            printf("%s: cannot run: %s\n", path, strerror(errno));
            shared->failed++;
        } else if (WIFSIGNALED(status)) {
            printf("%s: %s (signal %d: %s) after %d records\n", path,
                   WTERMSIG(status) == SIGALRM ? "timed out" : "crashed", WTERMSIG(status),
                   strsignal(WTERMSIG(status)), shared->passed + shared->failed + shared->skipped);
            shared->failed++;
        } else if (WEXITSTATUS(status) != 0) {
            /* A sanitizer or the engine ended the child early. */
            printf("%s: stopped with exit status %d after %d records\n", path, WEXITSTATUS(status),
                   shared->passed + shared->failed + shared->skipped);
            shared->failed++;
        }
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    printf("%s: %d passed, %d failed, %d skipped\n", path, shared->passed, shared->failed,
           shared->skipped);
    total->passed += shared->passed;
    total->failed += shared->failed;
    total->skipped += shared->skipped;
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: chorus-slt [-v] [--strict] [-ht N] [--timeout SECONDS] FILE|DIR ...\n"
                 "  -v          list every failure (default: the first few per file)\n"
                 "  --strict    exit 1 when any record failed\n"
                 "  -ht N       hash threshold N for every file (overrides hash-threshold)\n"
                 "  --timeout S give up on a file after S seconds (default 300)\n");
}

int
main(int argc, char **argv)
{
    slt_options opt = { 0 };
    slt_counts total = { 0 };
    file_list files = { 0 };
    unsigned timeout_s = 300;
    bool strict = false;
    volatile slt_counts *shared;
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            opt.verbose = true;
        else if (strcmp(argv[i], "--strict") == 0)
            strict = true;
        else if (strcmp(argv[i], "-ht") == 0 && i + 1 < argc)
            opt.threshold_override = atoi(argv[++i]);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            timeout_s = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i == argc) {
        usage(stderr);
        return 2;
    }
    for (; i < argc; i++)
        if (list_add_target(&files, argv[i]) != 0)
            return 2;
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("chorus-slt: mmap");
        return 2;
    }
    for (i = 0; i < files.n; i++) {
        run_one(files.paths[i], &opt, timeout_s, &total, shared);
        free(files.paths[i]);
    }
    free(files.paths);
    printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
    return strict && total.failed > 0 ? 1 : 0;
}
