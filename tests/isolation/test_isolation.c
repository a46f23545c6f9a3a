/*
 * tests/isolation/test_isolation.c: the runner of the interleaving specs in
 * tests/isolation/ (files NAME.spec, STYLE.md §10): each spec names connections and
 * their steps; every permutation runs on a fresh database, one step at a
 * time, in one thread (the steps are totally ordered, so no step waits).
 * The transcript of what each step returned (ok, rows, or the error's name)
 * must equal <name>.out beside the spec.
 *
 * Spec syntax
 *   # comment                               (the first names the anomaly)
 *   setup { SQL }                           run once per permutation
 *   conn NAME { step ID { SQL } ... }       a connection and its steps
 *   permutation ID ID ...   # comment       one run
 * A spec whose setup switches to MVCC (PRAGMA journal_mode = 'mvcc') is
 * skipped, and says so, while the engine answers "not supported" to it.
 *
 * Transcript lines: "permutation ID ...", then per step "ID: ok",
 * "ID: rows a|b c|d" (rows of the step's queries, one space apart) or
 * "ID: error NAME" (the step's remaining statements are not run).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chorus.h"
#include "test_support.h"

enum { MAX_CONNS = 4, MAX_STEPS = 32, MAX_PERMS = 16 };

typedef struct step {
    char id[16];
    int conn;
    char *sql;
} step;

typedef struct spec {
    char *setup;
    char conn_names[MAX_CONNS][16];
    int n_conns;
    step steps[MAX_STEPS];
    int n_steps;
    char *perms[MAX_PERMS];     /* space-separated step ids */
    int n_perms;
} spec;

/* A growable text buffer for transcripts. */
typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void
text_add(text *t, const char *fmt, ...)
{
    va_list ap;
    int need;

    va_start(ap, fmt);
    need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->n + (size_t)need + 1 > t->cap) {
        t->cap = (t->n + (size_t)need + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n += (size_t)need;
}

/* --- parsing ------------------------------------------------------------------ */

static const char *
skip_space(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p != '#')
            return p;
        while (*p != 0 && *p != '\n')
            p++;
    }
}

static const char *
word(const char *p, char *out, size_t cap)
{
    size_t n = 0;

    p = skip_space(p);
    while (*p != 0 && *p != ' ' && *p != '\t' && *p != '\n' && *p != '{' && *p != '}') {
        if (n + 1 < cap)
            out[n++] = *p;
        p++;
    }
    out[n] = 0;
    return p;
}

/* Reads "{ ... }" with nested braces; *out is malloc()ed. */
static const char *
block(const char *p, char **out)
{
    const char *start;
    int depth = 1;

    p = skip_space(p);
    assert_int_equal(*p, '{');
    start = ++p;
    while (*p != 0 && depth > 0) {
        if (*p == '{')
            depth++;
        else if (*p == '}')
            depth--;
        p++;
    }
    assert_int_equal(depth, 0);
    *out = strndup(start, (size_t)(p - 1 - start));
    return p;
}

static const char *
parse_conn(spec *s, const char *p)
{
    char *body, kw[16];
    const char *q;
    int c = s->n_conns++;

    assert_true(c < MAX_CONNS);
    p = word(p, s->conn_names[c], sizeof s->conn_names[c]);
    p = block(p, &body);
    for (q = body;;) {
        step *st;
        q = word(q, kw, sizeof kw);
        if (kw[0] == 0)
            break;
        assert_string_equal(kw, "step");
        assert_true(s->n_steps < MAX_STEPS);
        st = &s->steps[s->n_steps++];
        st->conn = c;
        q = word(q, st->id, sizeof st->id);
        q = block(q, &st->sql);
    }
    free(body);
    return p;
}

static void
parse_spec(const char *src, spec *s)
{
    const char *p = src;
    char kw[32];

    memset(s, 0, sizeof *s);
    for (;;) {
        p = word(p, kw, sizeof kw);
        if (kw[0] == 0)
            return;
        if (strcmp(kw, "setup") == 0) {
            p = block(p, &s->setup);
        } else if (strcmp(kw, "conn") == 0) {
            p = parse_conn(s, p);
        } else {
            const char *end = p;
            assert_string_equal(kw, "permutation");
            assert_true(s->n_perms < MAX_PERMS);
            while (*end != 0 && *end != '\n' && *end != '#')
                end++;
            s->perms[s->n_perms++] = strndup(p, (size_t)(end - p));
            p = end;
        }
    }
}

static void
spec_free(spec *s)
{
    free(s->setup);
    for (int i = 0; i < s->n_steps; i++)
        free(s->steps[i].sql);
    for (int i = 0; i < s->n_perms; i++)
        free(s->perms[i]);
}

/* --- running -------------------------------------------------------------------- */

static const char *
code_name(int rc)
{
    switch (rc & 0xff) {
    case CHORUS_CONFLICT: return "CONFLICT";
    case CHORUS_BUSY: return (rc == CHORUS_BUSY_SNAPSHOT) ? "BUSY_SNAPSHOT" : "BUSY";
    case CHORUS_CONSTRAINT: return "CONSTRAINT";
    case CHORUS_ERROR: return "ERROR";
    default: return "OTHER";
    }
}

/* Runs one step's statements on conn; appends its transcript line. */
static void
run_step(chorus_conn *conn, const step *st, text *out)
{
    const char *sql = st->sql;
    bool any_rows = false;
    int rc = CHORUS_OK;

    text_add(out, "%s:", st->id);
    while (rc == CHORUS_OK && *sql != 0) {
        chorus_stmt *stmt = NULL;
        const char *tail = NULL;
        rc = chorus_prepare(conn, sql, -1, &stmt, &tail);
        if (rc != CHORUS_OK)
            break;
        sql = tail;
        if (stmt == NULL)
            break;
        while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
            text_add(out, any_rows ? " " : " rows ");
            any_rows = true;
            for (int c = 0; c < chorus_column_count(stmt); c++) {
                const char *v = chorus_column_text(stmt, c);
                text_add(out, "%s%s", c > 0 ? "|" : "", v != NULL ? v : "NULL");
            }
        }
        if (rc == CHORUS_DONE)
            rc = CHORUS_OK;
        else
            rc = chorus_extended_errcode(conn);
        chorus_finalize(stmt);
    }
    if (rc != CHORUS_OK)
        text_add(out, " error %s", code_name(rc));
    else if (!any_rows)
        text_add(out, " ok");
    text_add(out, "\n");
}

/* Runs the setup; false when it switches to MVCC and the engine cannot. */
static bool
setup_runs(chorus_conn *conn, const char *setup)
{
    bool mvcc = strstr(setup, "'mvcc'") != NULL;
    chorus_stmt *stmt;
    bool on;

    if (chorus_exec(conn, setup) != CHORUS_OK) {
        if (mvcc && strstr(chorus_errmsg(conn), "not supported") != NULL)
            return false;
        fail_msg("setup failed: %s", chorus_errmsg(conn));
    }
    if (!mvcc)
        return true;
    assert_int_equal(chorus_prepare(conn, "PRAGMA journal_mode", -1, &stmt, NULL), CHORUS_OK);
    on = chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    return on;
}

/* Runs one permutation; false when the spec must be skipped. */
static bool
run_permutation(const spec *s, int perm, text *out)
{
    chorus_conn *conns[MAX_CONNS], *setup;
    char path[512], name[32], id[16];
    const char *p = s->perms[perm];
    chorus_db *db;

    static int n_dbs;           /* a fresh file for every run of every spec */

    snprintf(name, sizeof name, "iso%d-%d.db", n_dbs++, perm);
    test_path(path, sizeof path, name);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &setup), CHORUS_OK);
    if (!setup_runs(setup, s->setup)) {
        chorus_disconnect(setup);
        chorus_close(db);
        return false;
    }
    chorus_disconnect(setup);
    for (int c = 0; c < s->n_conns; c++)
        assert_int_equal(chorus_connect(db, &conns[c]), CHORUS_OK);
    text_add(out, "permutation");
    for (const char *q = word(p, id, sizeof id); id[0] != 0; q = word(q, id, sizeof id))
        text_add(out, " %s", id);
    text_add(out, "\n");
    for (;;) {
        int k = 0;
        p = word(p, id, sizeof id);
        if (id[0] == 0)
            break;
        while (k < s->n_steps && strcmp(s->steps[k].id, id) != 0)
            k++;
        if (k == s->n_steps)
            fail_msg("unknown step %s", id);
        run_step(conns[s->steps[k].conn], &s->steps[k], out);
    }
    for (int c = 0; c < s->n_conns; c++)
        chorus_disconnect(conns[c]);
    assert_int_equal(chorus_close(db), CHORUS_OK);
    return true;
}

/* Runs the spec at path; returns 1 when it passed, 0 when skipped. */
static int
run_spec(const char *dir, const char *file)
{
    char path[2048], out_path[2100];
    char *src, *want;
    text got = {0};
    spec s;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(out_path, sizeof out_path, "%.*s.out", (int)(strlen(path) - 5), path);
    src = test_read_file(path);
    assert_non_null(src);
    parse_spec(src, &s);
    for (int i = 0; i < s.n_perms; i++) {
        if (!run_permutation(&s, i, &got)) {
            print_message("%s: skipped (journal_mode=mvcc not supported yet)\n", file);
            spec_free(&s);
            free(src);
            free(got.p);
            return 0;
        }
    }
    want = test_read_file(out_path);
    if (want == NULL || strcmp(want, got.p) != 0)
        fail_msg("%s: transcript differs\n--- expected (%s)\n%s--- got\n%s", file, out_path,
                 want != NULL ? want : "(missing)\n", got.p);
    free(want);
    spec_free(&s);
    free(src);
    free(got.p);
    return 1;
}

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static void
test_every_isolation_spec_gives_its_expected_transcript(void **state)
{
    char dir[1024];
    struct dirent *e;
    DIR *d;
    int n_run = 0, n_skipped = 0;

    snprintf(dir, sizeof dir, "%s", __FILE__);
    *strrchr(dir, '/') = 0;
    assert_non_null(test_tmpdir());
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".spec") == 0) {
            if (run_spec(dir, e->d_name))
                n_run++;
            else
                n_skipped++;
        }
    }
    closedir(d);
    print_message("isolation: %d specs passed, %d skipped\n", n_run, n_skipped);
    assert_true(n_run + n_skipped > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_isolation_spec_gives_its_expected_transcript,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
