/*
 * c-api/collation.c: application-defined collations (chorus_create_collation).
 *
 * Each registration is a capi_collation handed to the record module as the
 * argument of the connection's function for the name's process-wide id
 * (core/record/collation_user.c); collation_call calls the application's
 * compare. Tables and indexes may name the collation (catalog define.c D4);
 * a connection without it fails only the statements that compare under it
 * (core/vm stmt.c M5).
 *
 * Rules
 *   C1  As for functions (function.c F1): a collation is replaced or
 *       removed only while no statement of the connection runs (else
 *       CHORUS_BUSY; adding a new name is allowed), its destroy is called at
 *       once, and every statement of the connection compiles again before
 *       it next runs.
 *   C2  Built-in collation names (BINARY, NOCASE, RTRIM) cannot be
 *       redefined: tables and indexes store those by number, and sqlite3
 *       reads the same file with its own built-ins.
 *
 * Threads: compare runs on the thread stepping a statement of the
 * connection. Callers: the public API; connection.c on disconnect.
 */
#include "capi_int.h"

#include <stdlib.h>
#include <string.h>

enum { COLLATION_MAX_NAME = 255 };

typedef struct capi_collation {
    chorus_compare_fn compare;
    void *user_data;            /* the application's; given to destroy */
    void (*destroy)(void *);    /* may be NULL */
} capi_collation;

static int
collation_call(void *arg, const char *a, int na, const char *b, int nb)
{
    const capi_collation *coll = arg;

    return coll->compare(coll->user_data, na, a, nb, b);
}

static void
collation_free(void *arg)
{
    capi_collation *coll = arg;

    if (coll == NULL)
        return;
    if (coll->destroy != NULL)
        coll->destroy(coll->user_data);
    free(coll);
}

static bool
is_builtin(const char *name)
{
    collation_user_set *prev = collation_user_scope_enter(NULL);
    int id = collation_find(name);

    collation_user_scope_leave(prev);
    return id >= 0;
}

/* Defines (coll not NULL) or removes name in conn's set (C1). */
static int
collation_install(chorus_conn *conn, const char *name, capi_collation *coll)
{
    void *old = NULL;
    int rc;

    if (conn->colls == NULL) {
        if (coll == NULL)
            return CHORUS_OK;
        rc = collation_user_set_new(&conn->colls);
        if (rc != CHORUS_OK)
            return rc;
        vm_conn_set_user_defs(conn->vconn, conn->funcs, conn->colls);
    }
    if (coll != NULL) {
        rc = collation_user_define(conn->colls, name, collation_call, coll, &old);
        if (rc != CHORUS_OK)
            return rc;
    } else {
        collation_user_remove(conn->colls, name, &old);
    }
    vm_conn_expire(conn->vconn);
    collation_free(old);
    return CHORUS_OK;
}

int
chorus_create_collation(chorus_conn *conn, const char *name, void *user_data,
                        chorus_compare_fn compare, void (*destroy)(void *))
{
    capi_collation *coll = NULL;
    int rc;

    if (!capi_conn_live(conn) || name == NULL || name[0] == 0 ||
        strlen(name) > COLLATION_MAX_NAME)
        return capi_register_fail(conn, CHORUS_MISUSE, "bad parameter or other API misuse",
                                  user_data, destroy);
    if (is_builtin(name))       /* C2 */
        return capi_register_fail(conn, CHORUS_MISUSE, "cannot redefine a built-in collation",
                                  user_data, destroy);
    if (vm_conn_is_running(conn->vconn) && collation_user_has(conn->colls, name))
        return capi_register_fail(
            conn, CHORUS_BUSY, "unable to delete/modify collation sequence due to active statements",
            user_data, destroy);
    if (compare != NULL) {
        coll = malloc(sizeof *coll);
        if (coll == NULL)
            return capi_register_fail(conn, CHORUS_NOMEM, "out of memory", user_data, destroy);
        *coll = (capi_collation){compare, user_data, destroy};
    }
    rc = collation_install(conn, name, coll);
    if (rc != CHORUS_OK) {
        free(coll);
        return capi_register_fail(conn, rc,
                                  rc == CHORUS_FULL ? "too many collation names" : "out of memory",
                                  user_data, destroy);
    }
    if (coll == NULL && destroy != NULL)
        destroy(user_data);     /* a removal keeps nothing */
    vm_conn_clear_error(conn->vconn);
    return CHORUS_OK;
}

void
capi_collations_free(chorus_conn *conn)
{
    collation_user_set_free(conn->colls, collation_free);
    conn->colls = NULL;
}
