/*
 * core/vm/attach.c: the ATTACH and DETACH statements.
 *
 * ATTACH [DATABASE] file AS name adds a database to the connection
 * (temp.c keeps it as a vm_schema); DETACH [DATABASE] name removes it.
 * Both operands are expressions; a bare name means itself as text, as in
 * SQLite. A NULL operand counts as the empty text.
 *
 * Rules
 *   AT1 file ':memory:' or '' gives a new private in-memory database; any
 *       other file is opened through vm_db_open under its canonical path
 *       (db.c D3), created when missing, so every connection of the process
 *       that opens or attaches it shares one pager and sees its commits.
 *   AT2 Errors are SQLite's: "database X is already in use" (main, temp or
 *       an attached name, any case), "too many attached databases - max
 *       N" (the ATTACHED limit, 10 unless lowered: conn.c N3), "unable to
 *       open database: FILE"; DETACH: "no such database: X", "cannot
 *       detach database main" (and temp once the temp database exists;
 *       before, temp is "no such database"), and
 *       "database X is locked" while a statement of the open transaction
 *       read or wrote X, or statements run (vm_schema_in_use); a
 *       transaction that only joined X (temp.c TP2) is ended there.
 *   AT3 Like SQLite 3.40, ATTACH and DETACH run inside a transaction as
 *       well as outside it; they join no transaction themselves.
 *   AT4 A database file in journal_mode=mvcc cannot be attached (temp.c
 *       TP9): "not supported yet: ATTACH of a database in journal_mode=mvcc".
 * Callers: stmt.c (PLAN_ATTACH, PLAN_DETACH).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

/* Operand i of the statement as malloc()ed text (NULL gives ""). */
static int
operand_text(vm_stmt *st, int i, const ast_expr *e, char **out)
{
    value v;
    int rc;

    *out = NULL;
    if (st->plan->args[i] == NULL) {        /* a bare name */
        *out = strdup(e->name);
        return *out != NULL ? CHORUS_OK : CHORUS_NOMEM;
    }
    value_set_null(&v);
    rc = vm_eval(&st->run, st->plan->args[i], &v);
    if (rc == CHORUS_OK && v.type != VALUE_NULL)
        rc = value_apply_affinity(&v, AFFINITY_TEXT);
    if (rc == CHORUS_OK) {
        *out = v.type == VALUE_NULL ? strdup("") : strndup(v.u.z, (size_t)v.n);
        if (*out == NULL)
            rc = CHORUS_NOMEM;
    }
    value_clear(&v);
    return rc;
}

static bool
name_in_use(const vm_conn *conn, const char *name)
{
    return strcasecmp(name, "main") == 0 || strcasecmp(name, "temp") == 0 ||
           vm_schema_find(conn, name) > 0;
}

/* AT1: the database file names. */
static int
open_file(vm_stmt *st, const char *file, vm_db **out)
{
    char *canonical = NULL, *msg = NULL;
    int rc;

    if (file[0] == 0 || strcmp(file, ":memory:") == 0)
        return vm_db_open(":memory:", CHORUS_OPEN_MEMORY, out, &msg);
    canonical = vm_path_canonical(file);
    rc = canonical == NULL ? CHORUS_CANTOPEN
                           : vm_db_open(canonical, CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE,
                                        out, &msg);
    free(canonical);
    free(msg);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "unable to open database: %s", file);
    if (vm_mvcc_on(*out)) {                 /* AT4 */
        vm_db_close(*out);
        *out = NULL;
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "not supported yet: ATTACH of a database in journal_mode=mvcc");
    }
    return CHORUS_OK;
}

int
vm_attach_execute(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    const ast_misc *m = &st->ast->u.misc;
    char *file = NULL, *name = NULL;
    vm_db *db = NULL;
    int rc;

    rc = operand_text(st, 0, m->expr, &file);
    if (rc == CHORUS_OK)
        rc = operand_text(st, 1, m->alias, &name);
    if (rc != CHORUS_OK) {
        if (st->run.errmsg == NULL)
            vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    } else if (conn->n_schemas - 1 >= conn->limits[CHORUS_LIMIT_ATTACHED]) {    /* conn.c N3 */
        rc = vm_run_error(&st->run, CHORUS_ERROR, "too many attached databases - max %d",
                          conn->limits[CHORUS_LIMIT_ATTACHED]);
    } else if (name_in_use(conn, name)) {
        rc = vm_run_error(&st->run, CHORUS_ERROR, "database %s is already in use", name);
    } else {
        rc = open_file(st, file, &db);
        if (rc == CHORUS_OK)
            rc = vm_schema_attach(conn, name, db);  /* takes db */
        if (rc != CHORUS_OK && st->run.errmsg == NULL)
            vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    }
    free(file);
    free(name);
    return rc;
}

int
vm_detach_execute(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    char *name = NULL;
    int slot, rc;

    rc = operand_text(st, 0, st->ast->u.misc.expr, &name);
    if (rc != CHORUS_OK) {
        free(name);
        return st->run.errmsg != NULL ? rc : vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    }
    slot = vm_schema_find(conn, name);
    if (slot < 0 && (strcasecmp(name, "main") == 0 ||
                     (strcasecmp(name, "temp") == 0 && vm_temp_catalog(conn) != NULL)))
        rc = vm_run_error(&st->run, CHORUS_ERROR, "cannot detach database %s", name);
    else if (slot < 0)
        rc = vm_run_error(&st->run, CHORUS_ERROR, "no such database: %s", name);
    else if (vm_schema_in_use(conn, slot))
        rc = vm_run_error(&st->run, CHORUS_ERROR, "database %s is locked", name);  /* AT2 */
    else
        vm_schema_detach(conn, slot);
    free(name);
    return rc;
}
