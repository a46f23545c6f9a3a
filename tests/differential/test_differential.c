/*
 * tests/differential/test_differential.c: the differential tester: random
 * scripts (gen.c) run on ChorusDB and on SQLite (compare.c) must agree.
 *
 * CTest mode (no arguments): seeds CHORUS_DIFF_SEED (default 1) onward, at
 * most CHORUS_DIFF_COUNT of them (default 200), for at most
 * CHORUS_DIFF_SECONDS (default 20). The default list is fixed, so CI is
 * reproducible; CHORUS_DIFF_SEED=random starts from a time-based seed, which
 * is printed first. The test fails if any seed shows a difference; each one
 * is reported with its seed, statement number, SQL and both answers, then a
 * reduced reproducer (a regress/<name>.sql candidate) on stdout.
 *
 * Standalone mode, for reproducing and exploring:
 *   test_differential --seed N [--count K] [--seconds S] [--actions A]
 *                     [--verbose] [--no-fork] [--random]
 * --verbose prints each script before running it; --no-fork runs seeds in
 * this process (for a debugger); --random picks a time-based first seed.
 *
 * Every seed runs in a child process (unless --no-fork) with an alarm, so a
 * crash or a hang in the engine is reported with its seed as a difference
 * instead of ending the run.
 *
 * Callers: CTest (tests/CMakeLists.txt), and people reproducing a seed.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"
#include "gen.h"

#define DEFAULT_SECONDS 20
#define DEFAULT_COUNT 200
#define DEFAULT_ACTIONS 60
#define SEED_ALARM_SECONDS 60
#define MAX_DIFFERING_SEEDS 5

typedef struct run_options {
    uint64_t first_seed;
    long count;
    double seconds;
    int n_actions;
    int is_verbose;
    int is_fork;
} run_options;

typedef struct run_totals {
    long n_seeds;
    long n_differing;
    diff_counts counts;
} run_totals;

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Runs one seed in this process. Returns 1 when the engines differ (after
 * printing the report and a reduced reproducer), else 0.
 */
static int
seed_run(uint64_t seed, const run_options *opt, diff_counts *counts)
{
    gen_script script = {0};
    gen_buf report = {0};
    gen_buf skips = {0};
    gen_script_make(seed, opt->n_actions, &script);
    if (opt->is_verbose) {
        printf("-- seed %" PRIu64 ": %zu statements\n", seed, script.n_stmts);
        diff_script_print(&script);
    }
    long at = diff_script_run(&script, &report, counts, &skips);
    if (opt->is_verbose && skips.len > 0)
        printf("-- seed %" PRIu64 " skipped:\n%s", seed, gen_buf_text(&skips));
    if (at >= 0) {
        printf("DIFFERENCE: seed %" PRIu64 ", statement %ld\n%s", seed, at + 1,
               gen_buf_text(&report));
        diff_script_reduce(&script, (size_t)at);
        printf("-- reproducer (seed %" PRIu64 ", reduced to %zu statements):\n", seed,
               script.n_stmts);
        diff_script_print(&script);
        printf("-- end of reproducer\n");
        fflush(stdout);
    }
    gen_script_free(&script);
    gen_buf_free(&report);
    gen_buf_free(&skips);
    return at >= 0;
}

/* Runs one seed in a child process so that a crash or hang is caught. */
static int
seed_run_forked(uint64_t seed, const run_options *opt, diff_counts *counts)
{
    int fds[2];
    fflush(stdout);
    if (pipe(fds) != 0)
        return seed_run(seed, opt, counts);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return seed_run(seed, opt, counts);
    }
    if (pid == 0) {
        diff_counts mine = {0};
        close(fds[0]);
        alarm(SEED_ALARM_SECONDS);
        int differs = seed_run(seed, opt, &mine);
        ssize_t n = write(fds[1], &mine, sizeof mine);
        fflush(stdout);
        _exit(n == (ssize_t)sizeof mine ? differs : 3);
    }
    close(fds[1]);
    diff_counts child = {0};
    ssize_t n;
    do {
        n = read(fds[0], &child, sizeof child);
    } while (n < 0 && errno == EINTR);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof child) {
        counts->n_stmts += child.n_stmts;
        counts->n_same += child.n_same;
        counts->n_skipped += child.n_skipped;
        counts->n_cut_short += child.n_cut_short;
    }
    if (WIFSIGNALED(status)) {
        printf("DIFFERENCE: seed %" PRIu64 ": the run died with signal %d (%s); rerun with "
               "--seed %" PRIu64 " --count 1 --no-fork --verbose\n",
               seed, WTERMSIG(status), strsignal(WTERMSIG(status)), seed);
        return 1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

static void
run_seeds(const run_options *opt, run_totals *totals)
{
    double deadline = now_seconds() + opt->seconds;
    memset(totals, 0, sizeof *totals);
    printf("differential: first seed %" PRIu64 ", up to %ld seeds, %.0f s\n", opt->first_seed,
           opt->count, opt->seconds);
    fflush(stdout);
    for (long i = 0; i < opt->count; i++) {
        uint64_t seed = opt->first_seed + (uint64_t)i;
        if (i > 0 && now_seconds() > deadline) {
            printf("differential: time is up after %ld seeds\n", i);
            break;
        }
        int differs = opt->is_fork ? seed_run_forked(seed, opt, &totals->counts)
                                   : seed_run(seed, opt, &totals->counts);
        totals->n_seeds++;
        if (differs && ++totals->n_differing >= MAX_DIFFERING_SEEDS) {
            printf("differential: stopping after %d differing seeds\n", MAX_DIFFERING_SEEDS);
            break;
        }
    }
    printf("differential: %ld seeds (%" PRIu64 "..), %ld statements, %ld agreed, "
           "%ld skipped (not supported), %ld scripts cut short, %ld differing seeds\n",
           totals->n_seeds, opt->first_seed, totals->counts.n_stmts, totals->counts.n_same,
           totals->counts.n_skipped, totals->counts.n_cut_short, totals->n_differing);
    fflush(stdout);
}

static uint64_t
time_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}

static void
options_from_env(run_options *opt)
{
    const char *seed = getenv("CHORUS_DIFF_SEED");
    const char *seconds = getenv("CHORUS_DIFF_SECONDS");
    const char *count = getenv("CHORUS_DIFF_COUNT");
    memset(opt, 0, sizeof *opt);
    opt->first_seed = 1;
    opt->count = DEFAULT_COUNT;
    opt->seconds = DEFAULT_SECONDS;
    opt->n_actions = DEFAULT_ACTIONS;
    opt->is_fork = 1;
    if (seed != NULL && strcmp(seed, "random") == 0)
        opt->first_seed = time_seed();
    else if (seed != NULL && *seed != '\0')
        opt->first_seed = strtoull(seed, NULL, 0);
    if (seconds != NULL && *seconds != '\0')
        opt->seconds = atof(seconds);
    if (count != NULL && *count != '\0')
        opt->count = atol(count);
}

static void
test_differential_random_scripts_agree_with_sqlite(void **state)
{
    run_options opt;
    run_totals totals;
    options_from_env(&opt);
    run_seeds(&opt, &totals);
    assert_int_equal(totals.n_differing, 0);
}

static int
usage(void)
{
    fprintf(stderr, "usage: test_differential [--seed N] [--count K] [--seconds S] "
                    "[--actions A] [--verbose] [--no-fork] [--random]\n");
    return 2;
}

static int
run_standalone(int argc, char **argv)
{
    run_options opt;
    run_totals totals;
    options_from_env(&opt);
    opt.count = 1;
    opt.seconds = 1e9;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--verbose") == 0)
            opt.is_verbose = 1;
        else if (strcmp(arg, "--no-fork") == 0)
            opt.is_fork = 0;
        else if (strcmp(arg, "--random") == 0)
            opt.first_seed = time_seed();
        else if (value == NULL)
            return usage();
        else if (strcmp(arg, "--seed") == 0 && ++i)
            opt.first_seed = strtoull(value, NULL, 0);
        else if (strcmp(arg, "--count") == 0 && ++i)
            opt.count = atol(value);
        else if (strcmp(arg, "--seconds") == 0 && ++i)
            opt.seconds = atof(value);
        else if (strcmp(arg, "--actions") == 0 && ++i)
            opt.n_actions = atoi(value);
        else
            return usage();
    }
    run_seeds(&opt, &totals);
    return totals.n_differing ? 1 : 0;
}

int
main(int argc, char **argv)
{
    if (argc > 1)
        return run_standalone(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential_random_scripts_agree_with_sqlite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
