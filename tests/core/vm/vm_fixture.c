/*
 * tests/core/vm/vm_fixture.c: the shared vm test fixture (vm_fixture.h).
 */
#include "vm_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_support.h"

/* Opens path (a file, or ":memory:") and one connection to it. */
static int
fixture_open(void **state, const char *file_name)
{
    fixture *f = calloc(1, sizeof *f);
    char *err = NULL;

    assert_non_null(f);
    if (file_name != NULL) {
        assert_non_null(test_tmpdir());
        test_path(f->path, sizeof f->path, file_name);
    }
    assert_int_equal(vm_db_open(file_name != NULL ? f->path : ":memory:", CHORUS_OPEN_CREATE,
                                &f->db, &err),
                     CHORUS_OK);
    assert_int_equal(vm_conn_open(f->db, &f->conn), CHORUS_OK);
    *state = f;
    return 0;
}

int
fx_setup_memory(void **state)
{
    return fixture_open(state, NULL);
}

int
fx_setup_file(void **state)
{
    return fixture_open(state, "temp.db");
}

int
fx_teardown(void **state)
{
    fixture *f = *state;

    vm_conn_close(f->conn);
    vm_db_close(f->db);
    if (f->path[0] != '\0')
        test_tmpdir_remove();
    free(f);
    return 0;
}

int
fx_exec(vm_conn *conn, const char *sql)
{
    const char *tail = sql;

    while (tail != NULL && *tail) {
        vm_stmt *st;
        int rc = vm_prepare(conn, tail, -1, &st, &tail);
        if (rc != CHORUS_OK)
            return rc;
        if (st == NULL)
            break;
        while ((rc = vm_step(st)) == CHORUS_ROW)
            ;
        vm_finalize(st);
        if (rc != CHORUS_DONE)
            return rc;
    }
    return CHORUS_OK;
}
