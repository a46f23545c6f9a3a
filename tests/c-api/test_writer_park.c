/*
 * tests/c-api/test_writer_park.c: the writer a connection keeps between
 * the DML statements of one transaction (core/vm/writer_park.c WP1-WP3),
 * in WAL and MVCC mode: failed statements, ROLLBACK TO, DDL, statements
 * that interleave, another connection's commits and checkpoints in
 * between, and the end of the transaction must each leave exactly the rows
 * SQLite would, and a database integrity_check accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"
#include "test_support.h"

typedef struct two_conns {
    chorus_db *db;
    chorus_conn *a, *b;
} two_conns;

static void
open_file(two_conns *t, const char *journal_mode)
{
    char path[512], sql[128];

    test_tmpdir();
    test_path(path, sizeof path, "park.db");
    assert_int_equal(chorus_open(path, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE, &t->db),
                     CHORUS_OK);
    assert_int_equal(chorus_connect(t->db, &t->a), CHORUS_OK);
    assert_int_equal(chorus_connect(t->db, &t->b), CHORUS_OK);
    snprintf(sql, sizeof sql, "PRAGMA journal_mode='%s'", journal_mode);
    assert_int_equal(chorus_exec(t->a, sql), CHORUS_OK);
    assert_int_equal(chorus_exec(t->a, "CREATE TABLE t(id INTEGER PRIMARY KEY, u TEXT UNIQUE, n INT);"
                                       "CREATE TABLE other(x)"),
                     CHORUS_OK);
}

static void
close_file(two_conns *t)
{
    capi_assert_query(t->a, "PRAGMA integrity_check", "ok");
    assert_int_equal(chorus_disconnect(t->a), CHORUS_OK);
    assert_int_equal(chorus_disconnect(t->b), CHORUS_OK);
    assert_int_equal(chorus_close(t->db), CHORUS_OK);
    test_tmpdir_remove();
}

static int
insert(chorus_stmt *ins, int64_t id, const char *u)
{
    char n[32];
    int rc;

    snprintf(n, sizeof n, "%lld", (long long)id);
    chorus_bind_int64(ins, 1, id);
    chorus_bind_text(ins, 2, u != NULL ? u : n, -1, CHORUS_TRANSIENT);
    rc = chorus_step(ins);
    chorus_reset(ins);
    return rc;
}

/* The statements of one transaction on t->a, between the caller's BEGIN
 * and COMMIT. */
static void
statements_in_one_transaction(two_conns *t)
{
    chorus_stmt *ins;

    assert_int_equal(chorus_prepare(t->a, "INSERT INTO t(id, u, n) VALUES (?, ?, 1)", -1, &ins, NULL),
                     CHORUS_OK);
    for (int64_t id = 1; id <= 100; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    assert_int_equal(insert(ins, 101, "7"), CHORUS_CONSTRAINT);   /* statement undone */
    assert_int_equal(insert(ins, 101, NULL), CHORUS_DONE);
    assert_int_equal(chorus_exec(t->a, "SAVEPOINT s"), CHORUS_OK);
    for (int64_t id = 102; id <= 200; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    assert_int_equal(chorus_exec(t->a, "ROLLBACK TO s"), CHORUS_OK);
    for (int64_t id = 201; id <= 210; id++)         /* beyond every row rolled back */
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    for (int64_t id = 150; id <= 160; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    assert_int_equal(chorus_exec(t->a, "UPDATE t SET n = n + 1 WHERE id % 10 = 0"), CHORUS_OK);
    assert_int_equal(chorus_exec(t->a, "DELETE FROM t WHERE id BETWEEN 20 AND 29"), CHORUS_OK);
    assert_int_equal(chorus_exec(t->a, "INSERT INTO other VALUES (1)"), CHORUS_OK);   /* another tree */
    for (int64_t id = 161; id <= 170; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    chorus_finalize(ins);
}

/* As sqlite3 3.40 gives for the same statements: 122 rows, sum(n) 134. */
static void
check_rows(chorus_conn *conn)
{
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM t"), 122);
    assert_int_equal(capi_query_int(conn, "SELECT sum(n) FROM t"), 134);
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM t WHERE id BETWEEN 102 AND 149"), 0);
    assert_int_equal(capi_query_int(conn, "SELECT count(*) FROM t INDEXED BY sqlite_autoindex_t_1"
                                          " WHERE u > ''"), 122);
}

static void
test_wal_transaction_of_many_statements(void **state)
{
    two_conns t;

    (void)state;
    open_file(&t, "wal");
    assert_int_equal(chorus_exec(t.a, "BEGIN"), CHORUS_OK);
    statements_in_one_transaction(&t);
    assert_int_equal(chorus_exec(t.a, "CREATE INDEX t_n ON t(n)"), CHORUS_OK);  /* DDL */
    assert_int_equal(chorus_exec(t.a, "INSERT INTO t(id, u, n) VALUES (300, 'x', 0)"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "DELETE FROM t WHERE id = 300"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "COMMIT"), CHORUS_OK);
    check_rows(t.b);
    close_file(&t);
}

static void
test_wal_rolled_back_transaction_leaves_nothing(void **state)
{
    two_conns t;

    (void)state;
    open_file(&t, "wal");
    assert_int_equal(chorus_exec(t.a, "BEGIN"), CHORUS_OK);
    statements_in_one_transaction(&t);
    assert_int_equal(chorus_exec(t.a, "ROLLBACK"), CHORUS_OK);
    assert_int_equal(capi_query_int(t.b, "SELECT count(*) FROM t"), 0);
    assert_int_equal(chorus_exec(t.a, "BEGIN; INSERT INTO t(id, u) VALUES (1, 'a'); COMMIT"), CHORUS_OK);
    assert_int_equal(capi_query_int(t.b, "SELECT count(*) FROM t"), 1);
    close_file(&t);
}

/* ROLLBACK TO brings back rows a parked writer's cursor had deleted. */
static void
test_rollback_to_after_deletes(void **state)
{
    two_conns t;
    chorus_stmt *ins;

    (void)state;
    open_file(&t, "wal");
    assert_int_equal(chorus_prepare(t.a, "INSERT INTO t(id, u, n) VALUES (?, ?, 1)", -1, &ins, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "BEGIN"), CHORUS_OK);
    for (int64_t id = 1; id <= 50; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    assert_int_equal(chorus_exec(t.a, "SAVEPOINT s"), CHORUS_OK);
    for (int64_t id = 50; id > 30; id--) {
        char sql[64];
        snprintf(sql, sizeof sql, "DELETE FROM t WHERE id = %lld", (long long)id);
        assert_int_equal(chorus_exec(t.a, sql), CHORUS_OK);
    }
    assert_int_equal(chorus_exec(t.a, "ROLLBACK TO s"), CHORUS_OK);
    for (int64_t id = 51; id <= 60; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    chorus_finalize(ins);
    assert_int_equal(chorus_exec(t.a, "COMMIT"), CHORUS_OK);
    assert_int_equal(capi_query_int(t.b, "SELECT count(*) FROM t"), 60);
    assert_int_equal(capi_query_int(t.b, "SELECT sum(id) FROM t"), 60 * 61 / 2);
    close_file(&t);
}

static void
test_interleaved_statements_share_the_tree(void **state)
{
    two_conns t;
    chorus_stmt *ret, *ins;

    (void)state;
    open_file(&t, "wal");
    assert_int_equal(chorus_exec(t.a, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_prepare(t.a, "INSERT INTO t(u) VALUES ('r1'), ('r2'), ('r3') RETURNING id",
                                    -1, &ret, NULL), CHORUS_OK);
    assert_int_equal(chorus_prepare(t.a, "INSERT INTO t(id, u) VALUES (?, ?)", -1, &ins, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(ret), CHORUS_ROW);             /* still running */
    for (int64_t id = 10; id < 20; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    while (chorus_step(ret) == CHORUS_ROW)
        ;
    assert_int_equal(chorus_reset(ret), CHORUS_OK);
    for (int64_t id = 20; id < 30; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    chorus_finalize(ret);
    chorus_finalize(ins);
    assert_int_equal(chorus_exec(t.a, "COMMIT"), CHORUS_OK);
    assert_int_equal(capi_query_int(t.b, "SELECT count(*) FROM t"), 23);
    close_file(&t);
}

static void
test_mvcc_transaction_of_many_statements(void **state)
{
    two_conns t;
    chorus_stmt *ins;

    (void)state;
    open_file(&t, "mvcc");
    capi_assert_query(t.b, "SELECT * FROM pragma_journal_mode", "mvcc");
    assert_int_equal(chorus_exec(t.a, "BEGIN CONCURRENT"), CHORUS_OK);
    statements_in_one_transaction(&t);
    /* Another connection commits and checkpoints while a's writer is parked. */
    assert_int_equal(chorus_prepare(t.b, "INSERT INTO t(id, u, n) VALUES (?, ?, 0)", -1, &ins, NULL),
                     CHORUS_OK);
    for (int64_t id = 1000; id < 1500; id++) {
        char u[32];
        snprintf(u, sizeof u, "b%lld", (long long)id);
        assert_int_equal(insert(ins, id, u), CHORUS_DONE);
    }
    chorus_finalize(ins);
    assert_int_equal(chorus_exec(t.b, "PRAGMA wal_checkpoint(TRUNCATE)"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "INSERT INTO t(id, u, n) VALUES (2000, 'late', 0)"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "DELETE FROM t WHERE id = 2000"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "COMMIT"), CHORUS_OK);
    assert_int_equal(capi_query_int(t.b, "SELECT count(*) FROM t WHERE id >= 1000"), 500);
    assert_int_equal(chorus_exec(t.b, "DELETE FROM t WHERE id >= 1000"), CHORUS_OK);
    check_rows(t.b);
    close_file(&t);
}

/* store/merge.c M5: inserts below and above the B-tree's largest rowid,
 * after a checkpoint moved rows there, and across another connection's
 * commit and checkpoint while the transaction's writer is parked. */
static void
test_mvcc_inserts_against_checkpointed_rows(void **state)
{
    two_conns t;
    chorus_stmt *ins;

    (void)state;
    open_file(&t, "mvcc");
    assert_int_equal(chorus_prepare(t.a, "INSERT INTO t(id, u, n) VALUES (?, ?, 0)", -1, &ins, NULL),
                     CHORUS_OK);
    for (int64_t id = 1; id <= 10; id++)
        assert_int_equal(insert(ins, id, NULL), CHORUS_DONE);
    assert_int_equal(chorus_exec(t.a, "PRAGMA wal_checkpoint(TRUNCATE)"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "BEGIN CONCURRENT"), CHORUS_OK);
    assert_int_equal(insert(ins, 5, "x5"), CHORUS_CONSTRAINT);      /* in the B-tree */
    assert_int_equal(insert(ins, 11, NULL), CHORUS_DONE);           /* above it */
    assert_int_equal(insert(ins, 11, "y11"), CHORUS_CONSTRAINT);    /* our own, in the store */
    assert_int_equal(chorus_exec(t.b, "INSERT INTO t(id, u) VALUES (12, 'b12'); "
                                      "PRAGMA wal_checkpoint(TRUNCATE)"), CHORUS_OK);
    assert_int_equal(insert(ins, 13, NULL), CHORUS_DONE);
    assert_int_equal(insert(ins, 12, NULL), CHORUS_CONFLICT);       /* b's, after our snapshot */
    chorus_finalize(ins);
    assert_int_equal(chorus_exec(t.a, "ROLLBACK"), CHORUS_OK);
    assert_int_equal(chorus_exec(t.a, "INSERT INTO t(id, u) VALUES (12, 'again')"),
                     CHORUS_CONSTRAINT);
    assert_int_equal(chorus_exec(t.a, "INSERT INTO t(u) VALUES ('next')"), CHORUS_OK);
    /* mvcc R10: the allocator stays above every rowid it was told of (13) */
    capi_assert_query(t.a, "SELECT max(id) || ':' || count(*) FROM t", "14:12");
    close_file(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wal_transaction_of_many_statements),
        cmocka_unit_test(test_wal_rolled_back_transaction_leaves_nothing),
        cmocka_unit_test(test_rollback_to_after_deletes),
        cmocka_unit_test(test_interleaved_statements_share_the_tree),
        cmocka_unit_test(test_mvcc_transaction_of_many_statements),
        cmocka_unit_test(test_mvcc_inserts_against_checkpointed_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
