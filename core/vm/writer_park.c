/*
 * core/vm/writer_park.c: a connection keeps its last DML statement's
 * catalog writer, cursors and all, for the next statement of the same
 * transaction, so a transaction of many one-row INSERTs opens its b-tree
 * and store cursors once instead of once per statement.
 *
 * Rules
 *   WP1 Only a writer that finished its statement without failure, of a
 *       top-level DML statement on the main database, is parked; its
 *       cursors are suspended (store_cursor_suspend: no MVCC epoch section
 *       is held between statements). One writer at most is parked.
 *   WP2 A statement takes the parked writer only when it would open the
 *       same thing: the same catalog, pager transaction and store
 *       transaction. Any other writer it needs closes the parked one first.
 *   WP3 The parked writer is closed (vm_writer_drop_parked) before anything
 *       that invalidates its cursors (catalog rule W2): the end of the
 *       transaction or its commit that keeps reading, a savepoint or
 *       statement rollback, any statement other than SELECT, INSERT,
 *       UPDATE, DELETE or a transaction statement, a change of the
 *       catalog the connection sees (the writer borrows it) and the
 *       connection's close (tx.c, conn.c).
 * Ownership: conn->parked_writer is owned by the connection.
 * Callers: exec_dml.c (open), stmt.c (stop), tx.c, conn.c.
 */
#include "vm_int.h"

void
vm_writer_drop_parked(vm_conn *conn)
{
    catalog_writer *w = conn->parked_writer;

    if (w == NULL)
        return;
    conn->parked_writer = NULL;
    catalog_writer_close(w);
}

void
vm_writer_park(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    catalog_writer *w = st->writer;

    st->writer = NULL;
    if (conn->parked_writer != NULL || st->plan->is_ddl || conn->tx == NULL ||
        catalog_writer_tx(w) != conn->tx) {                  /* WP1 */
        catalog_writer_close(w);
        return;
    }
    catalog_writer_park(w);
    conn->parked_writer = w;
}

bool
vm_writer_unpark(vm_stmt *st, catalog *cat, bool shared_store, const catalog_hooks *hooks)
{
    vm_conn *conn = st->conn;
    catalog_writer *w = conn->parked_writer;

    if (w == NULL)
        return false;
    if (catalog_writer_catalog(w) != cat || catalog_writer_tx(w) != conn->tx ||
        (catalog_writer_store(w) == &conn->stx) != shared_store) {     /* WP2 */
        vm_writer_drop_parked(conn);
        return false;
    }
    conn->parked_writer = NULL;
    catalog_writer_resume(w, hooks);
    st->writer = w;
    return true;
}
