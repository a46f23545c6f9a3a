/*
 * c-api/backup.c: the online backup API (chorus_backup_*), SQLite's
 * sqlite3_backup_* over the engine's vm_backup (core/vm/backup.c, which
 * states how pages are copied).
 *
 * Rules
 *   B1  A backup keeps both connections in use: chorus_disconnect of
 *       either returns CHORUS_BUSY until chorus_backup_finish (counted in
 *       conn->n_backups).
 *   B2  An error other than CHORUS_BUSY and CHORUS_LOCKED ends the backup:
 *       every later step returns it again, and chorus_backup_finish returns
 *       it and leaves it as the destination's error (as sqlite3 does).
 *   B3  Errors of chorus_backup_init and of steps are recorded on the
 *       destination connection.
 *
 * Ownership: a chorus_backup is malloc()ed by init and freed by finish; its
 * magic is cleared first, so a finished handle is refused while its memory
 * is not reused. Threads: one at a time per backup and per connection.
 * Callers: the public API.
 */
#include "capi_int.h"

#include <stdlib.h>
#include <strings.h>

enum { CAPI_MAGIC_BACKUP = 0x43424b21 };    /* "CBK!" */

struct chorus_backup {
    uint32_t magic;             /* CAPI_MAGIC_BACKUP until finish */
    chorus_conn *dest, *src;    /* borrowed; kept open by B1 */
    vm_backup *vb;              /* owned */
    int rc;                     /* the error that ended the backup (B2), else CHORUS_OK */
    bool done;                  /* a step returned CHORUS_DONE */
};

static bool
backup_live(const chorus_backup *b)
{
    return b != NULL && b->magic == CAPI_MAGIC_BACKUP;
}

/* Only "main" is a schema a backup copies (NULL means "main"). */
static bool
schema_ok(chorus_conn *conn, const char *name)
{
    if (name == NULL || strcasecmp(name, "main") == 0)
        return true;
    vm_conn_set_error(conn->vconn, CHORUS_ERROR, "unknown database %s", name);
    return false;
}

chorus_backup *
chorus_backup_init(chorus_conn *dest, const char *dest_name, chorus_conn *src,
                   const char *src_name)
{
    chorus_backup *b;
    vm_backup *vb;

    if (!capi_conn_live(dest) || !capi_conn_live(src))
        return NULL;
    if (dest == src) {
        vm_conn_set_error(dest->vconn, CHORUS_ERROR, "source and destination must be distinct");
        return NULL;
    }
    if (!schema_ok(dest, src_name) || !schema_ok(dest, dest_name))
        return NULL;
    if (vm_backup_open(dest->vconn, src->vconn, &vb) != CHORUS_OK)
        return NULL;
    b = calloc(1, sizeof *b);
    if (b == NULL) {
        vm_backup_close(vb);
        vm_conn_set_error(dest->vconn, CHORUS_NOMEM, "out of memory");
        return NULL;
    }
    *b = (chorus_backup){CAPI_MAGIC_BACKUP, dest, src, vb, CHORUS_OK, false};
    dest->n_backups++;          /* B1 */
    src->n_backups++;
    vm_conn_clear_error(dest->vconn);
    return b;
}

int
chorus_backup_step(chorus_backup *b, int n_pages)
{
    int rc;

    if (!backup_live(b))
        return CHORUS_MISUSE;
    if (b->rc != CHORUS_OK)
        return b->rc;           /* B2 */
    if (b->done)
        return CHORUS_DONE;
    rc = vm_backup_step(b->vb, n_pages);
    if (rc == CHORUS_DONE)
        b->done = true;
    else if (rc != CHORUS_OK && rc != CHORUS_BUSY && rc != CHORUS_LOCKED)
        b->rc = rc;
    if (rc != CHORUS_OK && rc != CHORUS_DONE && vm_conn_errcode(b->dest->vconn) != (rc & 0xff))
        vm_conn_set_error(b->dest->vconn, rc, "%s", chorus_errstr(rc));   /* B3 */
    return rc;
}

int
chorus_backup_remaining(chorus_backup *b)
{
    return backup_live(b) ? (int)vm_backup_remaining(b->vb) : 0;
}

int
chorus_backup_pagecount(chorus_backup *b)
{
    return backup_live(b) ? (int)vm_backup_page_count(b->vb) : 0;
}

int
chorus_backup_finish(chorus_backup *b)
{
    int rc;

    if (b == NULL)
        return CHORUS_OK;
    if (!backup_live(b))
        return CHORUS_MISUSE;
    rc = b->rc;
    vm_backup_close(b->vb);     /* rolls back an unfinished copy */
    b->dest->n_backups--;
    b->src->n_backups--;
    if (rc != CHORUS_OK && vm_conn_errcode(b->dest->vconn) != (rc & 0xff))
        vm_conn_set_error(b->dest->vconn, rc, "%s", chorus_errstr(rc));    /* B2 */
    else if (rc == CHORUS_OK)
        vm_conn_clear_error(b->dest->vconn);
    b->magic = 0;
    free(b);
    return rc;
}
