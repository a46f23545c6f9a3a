/*
 * tests/isolation/mvcc_workers.c: thread groups for the MVCC workload tests
 * (mvcc_workers.h).
 *
 * Ownership: a group's threads each own one connection for their life;
 * the group's counters are atomics shared by its threads; failure_msg is
 * written only by the one thread that won the CAS on first_failure and read
 * after join (pthread_join orders it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mvcc_workers.h"
#include "test_support.h"

chorus_db *
mw_open_mvcc(const char *name, const char *setup)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    bool on;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, name);
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, setup), CHORUS_OK);
    on = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    if (!on) {
        chorus_close(db);
        return NULL;
    }
    return db;
}

int64_t
mw_query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int64_t v = -1;
    int rc;

    if (chorus_prepare(conn, sql, -1, &stmt, NULL) != CHORUS_OK)
        return INT64_MIN;
    rc = chorus_step(stmt);
    if (rc == CHORUS_ROW)
        v = chorus_column_int64(stmt, 0);
    else if (rc != CHORUS_DONE)
        v = INT64_MIN;
    chorus_finalize(stmt);
    return v;
}

void
mw_assert_text(chorus_conn *conn, const char *sql, const char *want)
{
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), want);
    chorus_finalize(stmt);
}

static void
record_failure(mw_group *g, int rc, const char *msg)
{
    int none = 0;

    atomic_fetch_add(&g->failures, 1);
    if (atomic_compare_exchange_strong(&g->first_failure, &none, rc))
        snprintf(g->failure_msg, sizeof g->failure_msg, "%s", msg);
}

int
mw_group_fail(mw_group *g, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    record_failure(g, MW_BROKEN, msg);
    return MW_BROKEN;
}

static void *
thread_main(void *arg)
{
    mw_thread *t = arg;
    mw_group *g = t->group;
    chorus_conn *conn;

    if (chorus_connect(g->db, &conn) != CHORUS_OK) {
        record_failure(g, CHORUS_CANTOPEN, "chorus_connect failed");
        return NULL;
    }
    for (int i = 0; g->n_steps == 0 ? !mw_group_stopping(g) : i < g->n_steps; i++) {
        int rc = g->step(g, conn, t->index, i);
        if (rc == CHORUS_OK)
            atomic_fetch_add(&g->commits, 1);
        else if (rc == CHORUS_CONFLICT)
            atomic_fetch_add(&g->conflicts, 1);
        else if (rc != MW_BROKEN)   /* MW_BROKEN was recorded by mw_group_fail() */
            record_failure(g, rc, chorus_errmsg(conn));
    }
    chorus_disconnect(conn);
    return NULL;
}

void
mw_group_start(mw_group *g)
{
    assert_true(g->n_threads >= 1 && g->n_threads <= MW_MAX_THREADS);
    for (int i = 0; i < g->n_threads; i++) {
        g->threads[i].group = g;
        g->threads[i].index = i;
        assert_int_equal(pthread_create(&g->threads[i].handle, NULL, thread_main,
                                        &g->threads[i]), 0);
    }
}

void
mw_group_stop(mw_group *g)
{
    atomic_store(&g->stopping, true);
}

bool
mw_group_stopping(mw_group *g)
{
    return atomic_load(&g->stopping);
}

void
mw_group_join(mw_group *g)
{
    for (int i = 0; i < g->n_threads; i++)
        pthread_join(g->threads[i].handle, NULL);
}

void
mw_group_assert_clean(mw_group *g, const char *what)
{
    if (atomic_load(&g->failures) != 0)
        print_message("%s: %d failures, first (rc %d): %s\n", what, atomic_load(&g->failures),
                      atomic_load(&g->first_failure), g->failure_msg);
    assert_int_equal(atomic_load(&g->failures), 0);
}

uint32_t
mw_draw(int thread, int i, uint32_t salt)
{
    /* splitmix32-style mixing of the coordinates. */
    uint32_t x = (uint32_t)thread * 0x9e3779b9u ^ (uint32_t)i * 0x85ebca6bu ^ salt * 0xc2b2ae35u;

    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}
