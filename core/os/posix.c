/*
 * core/os/posix.c: the POSIX VFS: real files through pread/pwrite,
 * fdatasync/fsync and open-file-description (OFD) byte-range locks.
 *
 * Why OFD locks: classic fcntl locks belong to the process, so closing any
 * descriptor of a file drops every lock the process holds on it, and two
 * opens in one process never conflict. OFD locks belong to the open file,
 * conflict with each other even inside one process, and also conflict with
 * the classic locks that stock sqlite3 takes, which is what keeps sqlite3
 * out of a file we are changing (pager R13).
 *
 * Invariants
 *   P1  A read always fills the whole buffer; bytes past end of file are
 *       zeros and the result is CHORUS_IOERR_SHORT_READ.
 *   P2  Writes and reads loop until every byte moved or a real error.
 *
 * Locking: none; each call is one or a few system calls at explicit offsets,
 * so one os_file may be used by several threads at once (os.h).
 * Ownership: os_file objects are malloc()ed by posix_open and freed by
 * posix_close, which also closes the descriptor.
 * Callers: through the os_vfs table only (os.h wrappers, fault.c).
 */
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct posix_file {
    os_file base;           /* must be first: os_file * <-> posix_file * */
    int fd;                 /* owned; immutable until close */
} posix_file;

static int
posix_open(os_vfs *vfs, const char *path, int flags, os_file **out)
{
    posix_file *f;
    int oflags = O_CLOEXEC;
    int fd;

    *out = NULL;
    oflags |= (flags & OS_OPEN_READONLY) ? O_RDONLY : O_RDWR;
    if (flags & OS_OPEN_CREATE)
        oflags |= O_CREAT;
    if (flags & OS_OPEN_EXCLUSIVE)
        oflags |= O_CREAT | O_EXCL;
    do {
        fd = open(path, oflags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return CHORUS_CANTOPEN;
    f = calloc(1, sizeof *f);
    if (f == NULL) {
        close(fd);
        return CHORUS_NOMEM;
    }
    f->base.vfs = vfs;
    f->fd = fd;
    *out = &f->base;
    return CHORUS_OK;
}

static int
posix_close(os_file *file)
{
    posix_file *f = (posix_file *)file;
    int rc = CHORUS_OK;

    if (close(f->fd) != 0 && errno != EINTR)
        rc = CHORUS_IOERR;
    free(f);
    return rc;
}

static int
posix_read(os_file *file, void *buf, size_t n, int64_t off)
{
    posix_file *f = (posix_file *)file;
    uint8_t *p = buf;
    size_t done = 0;

    while (done < n) {
        ssize_t got = pread(f->fd, p + done, n - done, (off_t)(off + (int64_t)done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return CHORUS_IOERR_READ;
        }
        if (got == 0) {
            memset(p + done, 0, n - done);      /* P1 */
            return CHORUS_IOERR_SHORT_READ;
        }
        done += (size_t)got;
    }
    return CHORUS_OK;
}

static int
posix_write(os_file *file, const void *buf, size_t n, int64_t off)
{
    posix_file *f = (posix_file *)file;
    const uint8_t *p = buf;
    size_t done = 0;

    while (done < n) {
        ssize_t put = pwrite(f->fd, p + done, n - done, (off_t)(off + (int64_t)done));
        if (put < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOSPC ? CHORUS_FULL : CHORUS_IOERR_WRITE;
        }
        done += (size_t)put;
    }
    return CHORUS_OK;
}

static int
posix_sync(os_file *file, int flags)
{
    posix_file *f = (posix_file *)file;
    int r;

    do {
        r = (flags & OS_SYNC_FULL) ? fsync(f->fd) : fdatasync(f->fd);
    } while (r != 0 && errno == EINTR);
    return r == 0 ? CHORUS_OK : CHORUS_IOERR_FSYNC;
}

static int
posix_size(os_file *file, int64_t *out)
{
    posix_file *f = (posix_file *)file;
    struct stat st;

    *out = 0;
    if (fstat(f->fd, &st) != 0)
        return CHORUS_IOERR_FSTAT;
    *out = (int64_t)st.st_size;
    return CHORUS_OK;
}

static int
posix_truncate(os_file *file, int64_t size)
{
    posix_file *f = (posix_file *)file;
    int r;

    do {
        r = ftruncate(f->fd, (off_t)size);
    } while (r != 0 && errno == EINTR);
    return r == 0 ? CHORUS_OK : CHORUS_IOERR_TRUNCATE;
}

static int
posix_lock_set(posix_file *f, int64_t off, int64_t len, short type)
{
    struct flock fl;

    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)off;
    fl.l_len = (off_t)len;
    fl.l_pid = 0;               /* required for OFD locks */
    if (fcntl(f->fd, F_OFD_SETLK, &fl) == 0)
        return CHORUS_OK;
    if (errno == EAGAIN || errno == EACCES)
        return CHORUS_BUSY;
    return CHORUS_IOERR_LOCK;
}

static int
posix_lock(os_file *file, int64_t off, int64_t len, int exclusive)
{
    return posix_lock_set((posix_file *)file, off, len, exclusive ? F_WRLCK : F_RDLCK);
}

static int
posix_unlock(os_file *file, int64_t off, int64_t len)
{
    return posix_lock_set((posix_file *)file, off, len, F_UNLCK);
}

static int
posix_remove(os_vfs *vfs, const char *path)
{
    if (unlink(path) == 0 || errno == ENOENT)
        return CHORUS_OK;
    return CHORUS_IOERR;
}

static int
posix_exists(os_vfs *vfs, const char *path, int *out)
{
    *out = access(path, F_OK) == 0;
    return CHORUS_OK;
}

/* Syncs the directory holding path so a created or removed entry survives a
 * crash. */
static int
posix_sync_dir(os_vfs *vfs, const char *path)
{
    char *copy = strdup(path);
    int fd;
    int rc = CHORUS_OK;

    if (copy == NULL)
        return CHORUS_NOMEM;
    fd = open(dirname(copy), O_RDONLY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return CHORUS_IOERR_FSYNC;
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = CHORUS_IOERR_FSYNC;
    close(fd);
    return rc;
}

static os_vfs posix_vfs = {
    .name = "posix",
    .open = posix_open,
    .close = posix_close,
    .read = posix_read,
    .write = posix_write,
    .sync = posix_sync,
    .size = posix_size,
    .truncate = posix_truncate,
    .lock = posix_lock,
    .unlock = posix_unlock,
    .remove = posix_remove,
    .exists = posix_exists,
    .sync_dir = posix_sync_dir,
};

os_vfs *
os_vfs_posix(void)
{
    return &posix_vfs;
}
