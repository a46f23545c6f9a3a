/*
 * tests/core/os/test_vfs.c: the VFS contract of os.h, run against the POSIX
 * VFS (core/os/posix.c) and the memory VFS (core/os/memory.c): reads past
 * the end, sizes and truncation, open flags, byte-range locks between
 * handles, remove and exists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "os.h"
#include "test_support.h"

typedef struct fixture {
    os_vfs *vfs;
    char path[600];
} fixture;

static fixture posix_fx, memory_fx;

static int
setup_posix(void **state)
{
    assert_non_null(test_tmpdir());
    posix_fx.vfs = os_vfs_posix();
    test_path(posix_fx.path, sizeof posix_fx.path, "f.bin");
    *state = &posix_fx;
    return 0;
}

static int
teardown_posix(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static int
setup_memory(void **state)
{
    memory_fx.vfs = os_vfs_memory();
    snprintf(memory_fx.path, sizeof memory_fx.path, "mem-f.bin");
    *state = &memory_fx;
    return 0;
}

static int
teardown_memory(void **state)
{
    memory_fx.vfs->remove(memory_fx.vfs, memory_fx.path);
    return 0;
}

static os_file *
open_ok(fixture *fx, int flags)
{
    os_file *f = NULL;
    assert_int_equal(fx->vfs->open(fx->vfs, fx->path, flags, &f), CHORUS_OK);
    assert_non_null(f);
    return f;
}

static void
test_missing_file_cannot_be_opened_without_create(void **state)
{
    fixture *fx = *state;
    os_file *f = NULL;
    int exists = 1;

    assert_int_equal(fx->vfs->exists(fx->vfs, fx->path, &exists), CHORUS_OK);
    assert_false(exists);
    assert_int_equal(fx->vfs->open(fx->vfs, fx->path, 0, &f), CHORUS_CANTOPEN);
    assert_null(f);
}

static void
test_exclusive_open_fails_on_an_existing_file(void **state)
{
    fixture *fx = *state;
    os_file *f = open_ok(fx, OS_OPEN_CREATE), *g = NULL;

    assert_int_equal(fx->vfs->open(fx->vfs, fx->path, OS_OPEN_EXCLUSIVE, &g), CHORUS_CANTOPEN);
    os_close(f);
}

static void
test_written_bytes_read_back_and_set_the_size(void **state)
{
    fixture *fx = *state;
    os_file *f = open_ok(fx, OS_OPEN_CREATE);
    char buf[16];
    int64_t size;

    assert_int_equal(os_write(f, "hello", 5, 100), CHORUS_OK);
    assert_int_equal(os_size(f, &size), CHORUS_OK);
    assert_int_equal(size, 105);
    assert_int_equal(os_read(f, buf, 5, 100), CHORUS_OK);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(os_read(f, buf, 4, 0), CHORUS_OK);
    assert_memory_equal(buf, "\0\0\0\0", 4);     /* a hole reads as zeros */
    assert_int_equal(os_sync(f, OS_SYNC_DATA), CHORUS_OK);
    os_close(f);
}

static void
test_read_past_the_end_is_short_and_zero_filled(void **state)
{
    fixture *fx = *state;
    os_file *f = open_ok(fx, OS_OPEN_CREATE);
    char buf[8];

    assert_int_equal(os_write(f, "abc", 3, 0), CHORUS_OK);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(os_read(f, buf, sizeof buf, 1), CHORUS_IOERR_SHORT_READ);
    assert_memory_equal(buf, "bc\0\0\0\0\0\0", 8);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(os_read(f, buf, sizeof buf, 50), CHORUS_IOERR_SHORT_READ);
    assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
    os_close(f);
}

static void
test_truncate_shrinks_and_grows(void **state)
{
    fixture *fx = *state;
    os_file *f = open_ok(fx, OS_OPEN_CREATE);
    char buf[4];
    int64_t size;

    assert_int_equal(os_write(f, "abcdef", 6, 0), CHORUS_OK);
    assert_int_equal(os_truncate(f, 2), CHORUS_OK);
    assert_int_equal(os_size(f, &size), CHORUS_OK);
    assert_int_equal(size, 2);
    assert_int_equal(os_truncate(f, 4), CHORUS_OK);
    assert_int_equal(os_read(f, buf, 4, 0), CHORUS_OK);
    assert_memory_equal(buf, "ab\0\0", 4);       /* bytes cut off do not come back */
    os_close(f);
}

static void
test_exclusive_lock_excludes_another_handle(void **state)
{
    fixture *fx = *state;
    os_file *a = open_ok(fx, OS_OPEN_CREATE), *b = open_ok(fx, 0);

    assert_int_equal(a->vfs->lock(a, 1000, 10, 1), CHORUS_OK);
    assert_int_equal(b->vfs->lock(b, 1005, 10, 0), CHORUS_BUSY);
    assert_int_equal(b->vfs->lock(b, 1005, 10, 1), CHORUS_BUSY);
    assert_int_equal(b->vfs->lock(b, 2000, 10, 1), CHORUS_OK);     /* disjoint range */
    assert_int_equal(a->vfs->unlock(a, 1000, 10), CHORUS_OK);
    assert_int_equal(b->vfs->lock(b, 1005, 10, 1), CHORUS_OK);
    os_close(a);
    os_close(b);
}

static void
test_shared_locks_coexist_and_block_exclusive(void **state)
{
    fixture *fx = *state;
    os_file *a = open_ok(fx, OS_OPEN_CREATE), *b = open_ok(fx, 0);

    assert_int_equal(a->vfs->lock(a, 0, 512, 0), CHORUS_OK);
    assert_int_equal(b->vfs->lock(b, 0, 512, 0), CHORUS_OK);
    assert_int_equal(b->vfs->lock(b, 0, 512, 1), CHORUS_BUSY);
    os_close(a);                                  /* closing releases a's locks */
    assert_int_equal(b->vfs->lock(b, 0, 512, 1), CHORUS_OK);
    os_close(b);
}

static void
test_remove_deletes_the_file(void **state)
{
    fixture *fx = *state;
    os_file *f = open_ok(fx, OS_OPEN_CREATE);
    int exists = 0;

    os_close(f);
    assert_int_equal(fx->vfs->exists(fx->vfs, fx->path, &exists), CHORUS_OK);
    assert_true(exists);
    assert_int_equal(fx->vfs->remove(fx->vfs, fx->path), CHORUS_OK);
    assert_int_equal(fx->vfs->exists(fx->vfs, fx->path, &exists), CHORUS_OK);
    assert_false(exists);
    assert_int_equal(fx->vfs->remove(fx->vfs, fx->path), CHORUS_OK);   /* already gone */
    assert_int_equal(fx->vfs->sync_dir(fx->vfs, fx->path), CHORUS_OK);
}

static void
test_read_only_handle_cannot_write(void **state)
{
    fixture *fx = *state;
    os_file *f = open_ok(fx, OS_OPEN_CREATE), *r;

    os_close(f);
    r = open_ok(fx, OS_OPEN_READONLY);
    assert_int_not_equal(os_write(r, "x", 1, 0), CHORUS_OK);
    os_close(r);
}

#define BOTH(fn)                                                              \
    cmocka_unit_test_setup_teardown(fn, setup_posix, teardown_posix),         \
    cmocka_unit_test_setup_teardown(fn, setup_memory, teardown_memory)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_missing_file_cannot_be_opened_without_create),
        BOTH(test_exclusive_open_fails_on_an_existing_file),
        BOTH(test_written_bytes_read_back_and_set_the_size),
        BOTH(test_read_past_the_end_is_short_and_zero_filled),
        BOTH(test_truncate_shrinks_and_grows),
        BOTH(test_exclusive_lock_excludes_another_handle),
        BOTH(test_shared_locks_coexist_and_block_exclusive),
        BOTH(test_remove_deletes_the_file),
        BOTH(test_read_only_handle_cannot_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
