/*
 * core/pager/lock.c: the OS lock that makes one pager the only user of its
 * database file across processes (README R13).
 *
 * While open, the pager holds a lock on SQLite's lock-byte range: PENDING
 * (0x40000000), RESERVED (+1) and the SHARED range (+2 .. +511). A writable
 * pager locks it exclusively, so another ChorusDB process fails to open
 * with CHORUS_BUSY and stock sqlite3 cannot take even its SHARED lock, so
 * it never reads a file we are changing. A read-only pager takes it shared:
 * other readers may open, no writer can.
 *
 * Locking: called once at open and once at close, before and after the
 * pager is shared.
 * Callers: pager.c.
 */
#include "pager_int.h"

int
pager_os_lock(pager *p)
{
    return p->db->vfs->lock(p->db, PAGER_PENDING_BYTE, PAGER_LOCK_RANGE, !p->is_readonly);
}

void
pager_os_unlock(pager *p)
{
    p->db->vfs->unlock(p->db, PAGER_PENDING_BYTE, PAGER_LOCK_RANGE);
}
