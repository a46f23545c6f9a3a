/*
 * tests/isolation/mvcc_fixture.c: the two-connection MVCC fixture
 * (mvcc_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "mvcc_fixture.h"
#include "mvcc_workers.h"
#include "test_support.h"

int
mvcc_pair_setup(void **state, mvcc_pair *p, const char *name, const char *schema_sql,
                int busy_ms)
{
    p->db = mw_open_mvcc(name, schema_sql);
    if (p->db == NULL || chorus_connect(p->db, &p->a) != CHORUS_OK ||
        chorus_connect(p->db, &p->b) != CHORUS_OK)
        return -1;
    test_path(p->path, sizeof p->path, name);
    chorus_busy_timeout(p->a, busy_ms);
    chorus_busy_timeout(p->b, busy_ms);
    *state = p;
    return 0;
}

int
mvcc_pair_teardown(void **state)
{
    mvcc_pair *p = *state;

    chorus_disconnect(p->a);
    chorus_disconnect(p->b);
    chorus_close(p->db);
    test_tmpdir_remove();
    return 0;
}

void
mvcc_exec_ok(chorus_conn *conn, const char *sql)
{
    int rc = chorus_exec(conn, sql);

    if (rc != CHORUS_OK)
        fail_msg("%s: %d %s", sql, rc, chorus_errmsg(conn));
}

const char *
mvcc_rows_of(chorus_conn *conn, const char *sql)
{
    static char buf[1024];
    chorus_stmt *stmt;
    size_t n = 0;
    int rc;

    buf[0] = 0;
    if (chorus_prepare(conn, sql, -1, &stmt, NULL) != CHORUS_OK)
        fail_msg("%s: %s", sql, chorus_errmsg(conn));
    while ((rc = chorus_step(stmt)) == CHORUS_ROW) {
        for (int i = 0; i < chorus_column_count(stmt); i++) {
            const char *v = (const char *)chorus_column_text(stmt, i);
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? "|" : (n ? "," : ""),
                                  v ? v : "NULL");
        }
    }
    if (rc != CHORUS_DONE)
        fail_msg("%s: %d %s", sql, rc, chorus_errmsg(conn));
    chorus_finalize(stmt);
    return buf;
}
