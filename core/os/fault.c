/*
 * core/os/fault.c: the fault-injecting VFS for tests. It wraps another VFS,
 * counts the I/O calls (read, write, sync, size, truncate) made through any
 * of its files and fails call number fail_at, and with persistent every
 * call after it, with a chosen result code (os.h).
 *
 * A fault test runs one body with fail_at = 1, 2, 3, ... until the body
 * completes without a hit; at each step it checks the body failed cleanly
 * and that the files still hold a consistent state.
 *
 * Invariants
 *   F1  Exactly one call is counted per I/O operation, before it runs.
 *   F2  A failing write with OS_FAULT_SHORT_WRITE writes the first half of
 *       its bytes through the base VFS, then reports the failure.
 *   F3  A failing read zero-fills its buffer, like a read past the end.
 *
 * Locking: the counters are atomics; the arm state is set by the test thread
 * before the body runs (relaxed loads suffice: arm/disarm are not raced with
 * I/O in any test, and a stale read only shifts which call fails).
 * Ownership: fault files are malloc()ed wrappers owning their base file.
 * Callers: tests, through os_fault_vfs() and the arm functions.
 */
#include "os.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct fault_file {
    os_file base;           /* must be first */
    os_file *inner;         /* owned; opened through the base VFS */
} fault_file;

static os_vfs *fault_base;             /* set by os_fault_vfs(); test thread only */
static _Atomic int64_t fault_fail_at;  /* 0: disarmed */
static _Atomic int fault_rc;
static _Atomic int fault_persistent;
static _Atomic int64_t fault_calls;
static _Atomic int64_t fault_hits;

/* Counts one I/O call (F1); returns the code to fail it with, or CHORUS_OK.
 * Relaxed: see the file comment. */
static int
fault_tick(void)
{
    int64_t n = atomic_fetch_add_explicit(&fault_calls, 1, memory_order_relaxed) + 1;
    int64_t at = atomic_load_explicit(&fault_fail_at, memory_order_relaxed);

    if (at <= 0)
        return CHORUS_OK;
    if (n == at || (n > at && atomic_load_explicit(&fault_persistent, memory_order_relaxed))) {
        atomic_fetch_add_explicit(&fault_hits, 1, memory_order_relaxed);
        return atomic_load_explicit(&fault_rc, memory_order_relaxed);
    }
    return CHORUS_OK;
}

static int
fault_open(os_vfs *vfs, const char *path, int flags, os_file **out)
{
    fault_file *f;
    int rc;

    *out = NULL;
    f = calloc(1, sizeof *f);
    if (f == NULL)
        return CHORUS_NOMEM;
    rc = fault_base->open(fault_base, path, flags, &f->inner);
    if (rc != CHORUS_OK) {
        free(f);
        return rc;
    }
    f->base.vfs = vfs;
    *out = &f->base;
    return CHORUS_OK;
}

static int
fault_close(os_file *file)
{
    fault_file *f = (fault_file *)file;
    int rc = os_close(f->inner);
    free(f);
    return rc;
}

static int
fault_read(os_file *file, void *buf, size_t n, int64_t off)
{
    int rc = fault_tick();
    if (rc != CHORUS_OK) {
        memset(buf, 0, n);      /* the buffer is always fully written (os.h) */
        return rc & ~OS_FAULT_SHORT_WRITE;
    }
    return os_read(((fault_file *)file)->inner, buf, n, off);
}

static int
fault_write(os_file *file, const void *buf, size_t n, int64_t off)
{
    os_file *inner = ((fault_file *)file)->inner;
    int rc = fault_tick();

    if (rc == CHORUS_OK)
        return os_write(inner, buf, n, off);
    if (rc & OS_FAULT_SHORT_WRITE)
        os_write(inner, buf, n / 2, off);      /* F2; its own result is moot */
    return rc & ~OS_FAULT_SHORT_WRITE;
}

static int
fault_sync(os_file *file, int flags)
{
    int rc = fault_tick();
    if (rc != CHORUS_OK)
        return rc & ~OS_FAULT_SHORT_WRITE;
    return os_sync(((fault_file *)file)->inner, flags);
}

static int
fault_size(os_file *file, int64_t *out)
{
    int rc = fault_tick();
    *out = 0;
    if (rc != CHORUS_OK)
        return rc & ~OS_FAULT_SHORT_WRITE;
    return os_size(((fault_file *)file)->inner, out);
}

static int
fault_truncate(os_file *file, int64_t size)
{
    int rc = fault_tick();
    if (rc != CHORUS_OK)
        return rc & ~OS_FAULT_SHORT_WRITE;
    return os_truncate(((fault_file *)file)->inner, size);
}

static int
fault_lock(os_file *file, int64_t off, int64_t len, int exclusive)
{
    os_file *inner = ((fault_file *)file)->inner;
    return inner->vfs->lock(inner, off, len, exclusive);
}

static int
fault_unlock(os_file *file, int64_t off, int64_t len)
{
    os_file *inner = ((fault_file *)file)->inner;
    return inner->vfs->unlock(inner, off, len);
}

static int
fault_remove(os_vfs *vfs, const char *path)
{
    return fault_base->remove(fault_base, path);
}

static int
fault_exists(os_vfs *vfs, const char *path, int *out)
{
    return fault_base->exists(fault_base, path, out);
}

static int
fault_sync_dir(os_vfs *vfs, const char *path)
{
    return fault_base->sync_dir(fault_base, path);
}

static os_vfs fault_vfs = {
    .name = "fault",
    .open = fault_open,
    .close = fault_close,
    .read = fault_read,
    .write = fault_write,
    .sync = fault_sync,
    .size = fault_size,
    .truncate = fault_truncate,
    .lock = fault_lock,
    .unlock = fault_unlock,
    .remove = fault_remove,
    .exists = fault_exists,
    .sync_dir = fault_sync_dir,
};

os_vfs *
os_fault_vfs(os_vfs *base)
{
    fault_base = base;
    return &fault_vfs;
}

void
os_fault_arm(int64_t fail_at, int rc, int persistent)
{
    atomic_store_explicit(&fault_calls, 0, memory_order_relaxed);
    atomic_store_explicit(&fault_hits, 0, memory_order_relaxed);
    atomic_store_explicit(&fault_rc, rc, memory_order_relaxed);
    atomic_store_explicit(&fault_persistent, persistent, memory_order_relaxed);
    atomic_store_explicit(&fault_fail_at, fail_at, memory_order_relaxed);
}

void
os_fault_disarm(void)
{
    atomic_store_explicit(&fault_fail_at, 0, memory_order_relaxed);
}

int64_t
os_fault_calls(void)
{
    return atomic_load_explicit(&fault_calls, memory_order_relaxed);
}

int64_t
os_fault_hits(void)
{
    return atomic_load_explicit(&fault_hits, memory_order_relaxed);
}
