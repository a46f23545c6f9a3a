/*
 * tests/core/pager/test_restart_race.c: a page load that is in flight while
 * the WAL restarts (pager.c G4, README R4/R5), made deterministic.
 *
 * A reader whose snapshot is the newest commit starts loading a page from
 * its WAL frame; a VFS gate stops that read before it reaches the file.
 * Meanwhile a RESTART checkpoint backfills everything (the reader's snapshot
 * does not hold it back) and rewinds the WAL, and two commits write new
 * frames over the old ones. When the gate opens, the reader must still get
 * its snapshot's bytes: the pager has to notice the restart and read the
 * database file instead of the rewritten frame. With TRUNCATE the old frame
 * is cut off instead, and the read must not fail.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "pager_fixture.h"

enum { PS = 1024 };

/* --- the gate VFS: stops one armed read of the WAL until opened --------- */

typedef struct gate_file {
    os_file base;               /* must be first */
    os_file *inner;             /* owned; a posix file */
    bool is_wal;
} gate_file;

static pthread_mutex_t gate_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_armed;         /* the next WAL read stops; guarded by gate_mutex */
static bool gate_reached;       /* a read is stopped at the gate */
static bool gate_open;

static int
gate_vfs_open(os_vfs *vfs, const char *path, int flags, os_file **out)
{
    gate_file *f = calloc(1, sizeof *f);
    size_t n = strlen(path);
    int rc;

    *out = NULL;
    if (f == NULL)
        return CHORUS_NOMEM;
    if ((rc = os_vfs_posix()->open(os_vfs_posix(), path, flags, &f->inner)) != CHORUS_OK) {
        free(f);
        return rc;
    }
    f->base.vfs = vfs;
    f->is_wal = n > 4 && strcmp(path + n - 4, "-wal") == 0;
    *out = &f->base;
    return CHORUS_OK;
}

static int
gate_close(os_file *file)
{
    gate_file *f = (gate_file *)file;
    int rc = os_close(f->inner);
    free(f);
    return rc;
}

static int
gate_read(os_file *file, void *buf, size_t n, int64_t off)
{
    gate_file *f = (gate_file *)file;

    pthread_mutex_lock(&gate_mutex);
    if (f->is_wal && gate_armed) {
        gate_armed = false;
        gate_reached = true;
        pthread_cond_broadcast(&gate_cond);
        while (!gate_open)
            pthread_cond_wait(&gate_cond, &gate_mutex);
    }
    pthread_mutex_unlock(&gate_mutex);
    return os_read(f->inner, buf, n, off);
}

static int
gate_write(os_file *file, const void *buf, size_t n, int64_t off)
{
    return os_write(((gate_file *)file)->inner, buf, n, off);
}

static int
gate_sync(os_file *file, int flags)
{
    return os_sync(((gate_file *)file)->inner, flags);
}

static int
gate_size(os_file *file, int64_t *out)
{
    return os_size(((gate_file *)file)->inner, out);
}

static int
gate_truncate(os_file *file, int64_t size)
{
    return os_truncate(((gate_file *)file)->inner, size);
}

static int
gate_lock(os_file *file, int64_t off, int64_t len, int exclusive)
{
    os_file *inner = ((gate_file *)file)->inner;
    return inner->vfs->lock(inner, off, len, exclusive);
}

static int
gate_unlock(os_file *file, int64_t off, int64_t len)
{
    os_file *inner = ((gate_file *)file)->inner;
    return inner->vfs->unlock(inner, off, len);
}

static int
gate_remove(os_vfs *vfs, const char *path)
{
    return os_vfs_posix()->remove(os_vfs_posix(), path);
}

static int
gate_exists(os_vfs *vfs, const char *path, int *out)
{
    return os_vfs_posix()->exists(os_vfs_posix(), path, out);
}

static int
gate_sync_dir(os_vfs *vfs, const char *path)
{
    return os_vfs_posix()->sync_dir(os_vfs_posix(), path);
}

static os_vfs gate_vfs = {
    .name = "gate",
    .open = gate_vfs_open,
    .close = gate_close,
    .read = gate_read,
    .write = gate_write,
    .sync = gate_sync,
    .size = gate_size,
    .truncate = gate_truncate,
    .lock = gate_lock,
    .unlock = gate_unlock,
    .remove = gate_remove,
    .exists = gate_exists,
    .sync_dir = gate_sync_dir,
};

static void
gate_arm(void)
{
    pthread_mutex_lock(&gate_mutex);
    gate_armed = true;
    gate_reached = gate_open = false;
    pthread_mutex_unlock(&gate_mutex);
}

static void
gate_wait_reached(void)
{
    pthread_mutex_lock(&gate_mutex);
    while (!gate_reached)
        pthread_cond_wait(&gate_cond, &gate_mutex);
    pthread_mutex_unlock(&gate_mutex);
}

static void
gate_release(void)
{
    pthread_mutex_lock(&gate_mutex);
    gate_open = true;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_mutex);
}

/* --- the race ------------------------------------------------------------ */

typedef struct load {
    pager_tx *tx;               /* lent to the loading thread until joined */
    int rc;
    uint32_t value;
} load;

static void *
load_page2(void *arg)
{
    load *l = arg;
    pager_page *pg;

    l->rc = pager_page_get(l->tx, 2, &pg);
    if (l->rc == CHORUS_OK) {
        l->value = get32(pg->data);
        pager_page_release(pg);
    }
    return NULL;
}

/* Commits 1 and 2 are in the WAL (page 2's newest frame is 10); a reader
 * of commit 2 loads page 2 while ckpt_mode restarts the WAL and n_after
 * more commits (3, 4, ...) reuse frames from 1 on (8 frames each). */
static void
check_load_across_restart(int ckpt_mode, uint32_t n_after)
{
    /* a small cache: commits are not put into it, so the reader loads */
    pager_config cfg = {
        .create = true, .page_size = PS, .cache_bytes = 16 * PS, .vfs = &gate_vfs
    };
    load l = { 0 };
    pthread_t loader;
    pager *p;

    assert_int_equal(pager_open(db_path, &cfg, &p, NULL), CHORUS_OK);
    pager_set_autocheckpoint(p, 0);
    assert_int_equal(commit_pages_2_to_9(p, 1), CHORUS_OK);
    assert_int_equal(commit_pages_2_to_9(p, 2), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &l.tx), CHORUS_OK);
    gate_arm();
    pthread_create(&loader, NULL, load_page2, &l);
    gate_wait_reached();
    assert_int_equal(pager_checkpoint(p, ckpt_mode, NULL, NULL), CHORUS_OK);
    for (uint32_t c = 3; c < 3 + n_after; c++)
        assert_int_equal(commit_pages_2_to_9(p, c), CHORUS_OK);
    gate_release();
    pthread_join(loader, NULL);
    assert_int_equal(l.rc, CHORUS_OK);
    assert_int_equal(l.value, 2);
    assert_int_equal(page_get32(l.tx, 9, 0), 2);   /* the rest of the snapshot agrees */
    pager_tx_rollback(l.tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_load_in_flight_across_restart_reads_its_snapshot(void **state)
{
    check_load_across_restart(PAGER_CKPT_RESTART, 2);    /* frame 10: page 3 of commit 4 */
}

static void
test_load_in_flight_across_truncate_reads_its_snapshot(void **state)
{
    check_load_across_restart(PAGER_CKPT_TRUNCATE, 0);   /* frame 10: past the end */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_load_in_flight_across_restart_reads_its_snapshot),
        PAGER_TEST(test_load_in_flight_across_truncate_reads_its_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
