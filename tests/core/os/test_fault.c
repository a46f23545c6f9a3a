/*
 * tests/core/os/test_fault.c: the fault-injecting VFS (core/os/fault.c):
 * it counts I/O calls, fails the chosen one (or every one from there),
 * writes half a buffer on a short write and zero-fills failed reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "os.h"

static const char *PATH = "fault-test.bin";

static os_file *
open_fault(void)
{
    os_vfs *vfs = os_fault_vfs(os_vfs_memory());
    os_file *f = NULL;
    assert_int_equal(vfs->open(vfs, PATH, OS_OPEN_CREATE, &f), CHORUS_OK);
    return f;
}

static int
teardown(void **state)
{
    os_fault_disarm();
    os_vfs_memory()->remove(os_vfs_memory(), PATH);
    return 0;
}

static void
test_calls_are_counted_without_failing_when_disarmed(void **state)
{
    os_file *f = open_fault();
    int64_t size;

    os_fault_arm(0, CHORUS_IOERR, 0);
    assert_int_equal(os_write(f, "ab", 2, 0), CHORUS_OK);
    assert_int_equal(os_size(f, &size), CHORUS_OK);
    assert_int_equal(os_sync(f, OS_SYNC_DATA), CHORUS_OK);
    assert_int_equal(os_fault_calls(), 3);
    assert_int_equal(os_fault_hits(), 0);
    os_close(f);
}

static void
test_only_the_chosen_call_fails(void **state)
{
    os_file *f = open_fault();
    char buf[2];

    os_fault_arm(2, CHORUS_IOERR_READ, 0);
    assert_int_equal(os_write(f, "ab", 2, 0), CHORUS_OK);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(os_read(f, buf, 2, 0), CHORUS_IOERR_READ);
    assert_memory_equal(buf, "\0\0", 2);          /* F3 */
    assert_int_equal(os_read(f, buf, 2, 0), CHORUS_OK);
    assert_memory_equal(buf, "ab", 2);
    assert_int_equal(os_fault_hits(), 1);
    os_close(f);
}

static void
test_persistent_failure_fails_every_later_call(void **state)
{
    os_file *f = open_fault();

    os_fault_arm(1, CHORUS_IOERR_FSYNC, 1);
    assert_int_equal(os_sync(f, OS_SYNC_DATA), CHORUS_IOERR_FSYNC);
    assert_int_equal(os_truncate(f, 0), CHORUS_IOERR_FSYNC);
    assert_int_equal(os_write(f, "a", 1, 0), CHORUS_IOERR_FSYNC);
    assert_int_equal(os_fault_hits(), 3);
    os_fault_disarm();
    assert_int_equal(os_write(f, "a", 1, 0), CHORUS_OK);
    os_close(f);
}

static void
test_short_write_writes_half_then_fails(void **state)
{
    os_file *f = open_fault();
    int64_t size;

    os_fault_arm(1, CHORUS_FULL | OS_FAULT_SHORT_WRITE, 0);
    assert_int_equal(os_write(f, "abcdefgh", 8, 0), CHORUS_FULL);
    os_fault_disarm();
    assert_int_equal(os_size(f, &size), CHORUS_OK);
    assert_int_equal(size, 4);                    /* F2 */
    os_close(f);
}

static void
test_extended_codes_pass_through_unchanged(void **state)
{
    os_file *f = open_fault();

    os_fault_arm(1, CHORUS_IOERR_WRITE, 0);
    assert_int_equal(os_write(f, "a", 1, 0), CHORUS_IOERR_WRITE);
    os_close(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_calls_are_counted_without_failing_when_disarmed, teardown),
        cmocka_unit_test_teardown(test_only_the_chosen_call_fails, teardown),
        cmocka_unit_test_teardown(test_persistent_failure_fails_every_later_call, teardown),
        cmocka_unit_test_teardown(test_short_write_writes_half_then_fails, teardown),
        cmocka_unit_test_teardown(test_extended_codes_pass_through_unchanged, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
