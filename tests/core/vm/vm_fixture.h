/*
 * tests/core/vm/vm_fixture.h: what the vm tests share: one database and one
 * connection, opened by a cmocka setup (in memory, or on a file temp.db in
 * a fresh temporary directory, whose path the test may hand to sqlite3)
 * and closed by the teardown; and running every statement of some SQL.
 * Callers: tests/core/vm/test_stmt.c, tests/core/vm/test_temp.c.
 */
#ifndef CHORUS_TEST_VM_FIXTURE_H
#define CHORUS_TEST_VM_FIXTURE_H

#include "vm.h"

typedef struct fixture {
    char path[512];         /* the file of fx_setup_file; empty in memory */
    vm_db *db;
    vm_conn *conn;
} fixture;

/* cmocka setups (*state is the fixture) and their teardown. */
int fx_setup_memory(void **state);
int fx_setup_file(void **state);
int fx_teardown(void **state);

/* Test cases run inside the fixture, in memory or on a file. */
#define VM_TEST_MEMORY(f) cmocka_unit_test_setup_teardown(f, fx_setup_memory, fx_teardown)
#define VM_TEST_FILE(f) cmocka_unit_test_setup_teardown(f, fx_setup_file, fx_teardown)

/* Runs every statement of sql to its end; returns the first failure's
 * code (CHORUS_OK when all succeed). */
int fx_exec(vm_conn *conn, const char *sql);

#endif
