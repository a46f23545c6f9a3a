/*
 * core/os/os.h: the VFS seam. Every byte the engine reads or writes, every
 * sync and every file lock goes through an os_vfs, so tests can swap in an
 * in-memory file system or a fault-injecting one.
 *
 * Three VFSs exist: os_vfs_posix() (real files, pread/pwrite/fdatasync,
 * fcntl locks), os_vfs_memory() (files held in memory, shared by name within
 * the process, for ":memory:" databases and tests) and the fault VFS
 * (os_fault_*), which wraps another VFS and fails the Nth I/O call.
 *
 * Thread rule: a VFS is thread-safe; one os_file may be used by several
 * threads at once for read/write at explicit offsets (pread semantics).
 */
#ifndef CHORUS_OS_H
#define CHORUS_OS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

typedef struct os_file os_file;
typedef struct os_vfs os_vfs;

enum os_open_flags {
    OS_OPEN_READONLY = 0x01,
    OS_OPEN_CREATE = 0x02,      /* create if missing */
    OS_OPEN_EXCLUSIVE = 0x04    /* fail if it exists */
};

enum os_sync_flags {
    OS_SYNC_DATA = 0x01,        /* fdatasync: data and the size, not timestamps */
    OS_SYNC_FULL = 0x02         /* fsync */
};

/*
 * The VFS operations. Result codes: CHORUS_OK; CHORUS_CANTOPEN from open;
 * CHORUS_IOERR_* extended codes for I/O failures; CHORUS_FULL for ENOSPC;
 * CHORUS_BUSY from lock when another process holds it.
 */
struct os_vfs {
    const char *name;
    int (*open)(os_vfs *vfs, const char *path, int flags, os_file **out);
    int (*close)(os_file *f);
    /* Reads n bytes at off. Bytes past the end of file read as zeros and the
     * result is CHORUS_IOERR_SHORT_READ (the buffer is fully written). */
    int (*read)(os_file *f, void *buf, size_t n, int64_t off);
    int (*write)(os_file *f, const void *buf, size_t n, int64_t off);
    int (*sync)(os_file *f, int flags);
    int (*size)(os_file *f, int64_t *out);
    int (*truncate)(os_file *f, int64_t size);
    /* Takes (exclusive != 0: write, else read) an advisory lock on the byte
     * range [off, off+len) without waiting; CHORUS_BUSY if another process
     * holds a conflicting one. unlock releases it. */
    int (*lock)(os_file *f, int64_t off, int64_t len, int exclusive);
    int (*unlock)(os_file *f, int64_t off, int64_t len);
    int (*remove)(os_vfs *vfs, const char *path);
    /* *out = 1 if path exists. */
    int (*exists)(os_vfs *vfs, const char *path, int *out);
    /* Makes a directory entry change (create/remove) durable. */
    int (*sync_dir)(os_vfs *vfs, const char *path);
};

/* Every os_file starts with a pointer to its VFS. */
struct os_file {
    os_vfs *vfs;
};

os_vfs *os_vfs_posix(void);
os_vfs *os_vfs_memory(void);

/* Convenience wrappers that dispatch through f->vfs. */
static inline int os_read(os_file *f, void *buf, size_t n, int64_t off) { return f->vfs->read(f, buf, n, off); }
static inline int os_write(os_file *f, const void *buf, size_t n, int64_t off) { return f->vfs->write(f, buf, n, off); }
static inline int os_sync(os_file *f, int flags) { return f->vfs->sync(f, flags); }
static inline int os_size(os_file *f, int64_t *out) { return f->vfs->size(f, out); }
static inline int os_truncate(os_file *f, int64_t size) { return f->vfs->truncate(f, size); }
static inline int os_close(os_file *f) { return f == NULL ? CHORUS_OK : f->vfs->close(f); }

/*
 * Fault injection (tests): a VFS wrapping base that counts I/O calls (read,
 * write, sync, truncate, size) and fails call number fail_at (1-based) with
 * code rc; with persistent != 0 every later call fails too. fail_at 0
 * disables. OS_FAULT_SHORT_WRITE or'ed into rc makes a failing write write
 * half its bytes first. A failing read zero-fills its buffer, as a short
 * read does. The counter is global to the fault VFS.
 */
enum { OS_FAULT_SHORT_WRITE = 0x40000000 };    /* above every result code */
os_vfs *os_fault_vfs(os_vfs *base);
void os_fault_arm(int64_t fail_at, int rc, int persistent);
void os_fault_disarm(void);
int64_t os_fault_calls(void);   /* I/O calls seen since the last arm */
int64_t os_fault_hits(void);    /* failures injected since the last arm */

#endif /* CHORUS_OS_H */
