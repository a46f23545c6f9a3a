/*
 * tests/isolation/test_mvcc_tree_names.c: a conflict on a WITHOUT ROWID
 * table created in journal_mode=mvcc names the table, not its PRIMARY KEY
 * index (core/catalog/writer.c root_name; store S4), whichever cursor opens
 * the table's map first: the writer's (a first INSERT) or a reader's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chorus.h"
#include "mvcc_fixture.h"

static int
setup(void **state)
{
    static mvcc_pair p;

    return mvcc_pair_setup(state, &p, "names.db", "PRAGMA user_version = 1", 200);
}

static void
test_conflict_names_table_created_in_mvcc(void **state)
{
    mvcc_pair *f = *state;

    mvcc_exec_ok(f->a, "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID");
    mvcc_exec_ok(f->a, "BEGIN CONCURRENT; INSERT INTO w VALUES ('n', 1)");
    mvcc_exec_ok(f->b, "BEGIN CONCURRENT");
    assert_int_equal(chorus_exec(f->b, "INSERT INTO w VALUES ('n', 2)"), CHORUS_CONFLICT);
    assert_string_equal(chorus_errmsg(f->b),
                        "conflict: row ('n') of table w was changed by a concurrent transaction");
    mvcc_exec_ok(f->b, "ROLLBACK");
    mvcc_exec_ok(f->a, "COMMIT");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conflict_names_table_created_in_mvcc, setup,
                                        mvcc_pair_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
