/*
 * core/vm/stmt.c: prepared statements: prepare (parse + compile), step,
 * reset, finalize, parameters and result columns.
 *
 * States of a statement
 *   ready --vm_step--> running --DONE / error / vm_reset--> ready
 * A statement joins the connection's transaction when it starts running
 * (tx.c) and leaves it when it stops; it re-compiles itself at that point
 * when the connection's schema changed since it was compiled (tx.c T2).
 *
 * Rules
 *   M1  A write statement (INSERT, UPDATE, DELETE, DDL) does all its work
 *       in its first step, which then returns CHORUS_DONE.
 *   M2  Errors: the first error message of a run (vm_run.errmsg) becomes
 *       the connection's error, with the extended code.
 *   M3  Column values are borrowed until the next step, reset or finalize.
 *   M4  While a statement is prepared or stepped, the connection's
 *       application-defined functions and collations are the thread's
 *       scopes (func.h, record.h), so compiling anywhere inside finds them.
 *   M5  A step that compared under a collation the connection has not
 *       defined (a table or index of the schema may name one: catalog
 *       define.c D4) fails with "no such collation sequence: X" instead of
 *       returning its row or end, and the statement rolls back (stmt_stop).
 *       sqlite3 reports it at prepare; here it comes from the first step
 *       that needs the collation.
 *   M6  The trace callback (vm_conn_set_trace) sees each run of a statement
 *       once, before its first step does anything, as SQLITE_TRACE_STMT;
 *       then the start of the run counts as one unit of work for the
 *       progress handler (so every statement meets it, as in sqlite3), and
 *       its asking to stop fails the run before it starts ("interrupted").
 *   M7  Compiling a DDL statement checks it against the schema it targets
 *       as sqlite3_prepare does (catalog ddl_check.c DC1): "table t already
 *       exists", "no such table: x" fail the prepare; a re-compile at the
 *       first step after a schema change checks again, and so does the
 *       step itself. Compiling an INSERT, UPDATE or DELETE compiles the
 *       trigger programs it fires too (exec_trigger.c G8).
 *   M8  A statement whose re-compile failed (its table dropped, its DDL
 *       now clashing) has no plan until a step compiles it again; until
 *       then it has no columns and counts as read-only, and each step fails
 *       with the compile's error, or runs once the schema allows it.
 *   M9  Each run of a statement that may write (or end a transaction)
 *       bumps conn->write_gen before it starts, so an open blob handle
 *       (blob.c BL2) knows to check whether its row changed.
 *   M10 Limits (conn.c N3): a statement's text longer than SQL_LENGTH, more
 *       parameters than VARIABLE_NUMBER, a CREATE TABLE or result row of
 *       more columns than COLUMN fail the prepare (and a re-compile);
 *       EXPR_DEPTH and FUNCTION_ARG are the compiler's (compile_env.limits);
 *       a bound value, or a value of a result row, longer than LENGTH is
 *       CHORUS_TOOBIG. The row check runs only while LENGTH is lowered.
 *   M11 The authorizer (vm_conn_set_authorizer) judges each compile: the
 *       compiler asks about reads, selects and functions, stmt_compile
 *       about the statement's own action (core/compile/authorize.c AZ2); a
 *       denial fails the compile, and IGNORE of the statement's action
 *       makes each run return CHORUS_DONE at once, doing nothing.
 * Callers: c-api.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <strings.h>

#include "vm_int.h"

/* LENGTH's highest value (conn.c N3): below it, result rows are checked (M10). */
enum { limit_length_highest = 1000000000 };

static int64_t
env_changes(void *conn)
{
    return ((vm_conn *)conn)->changes;
}

static int64_t
env_total_changes(void *conn)
{
    return ((vm_conn *)conn)->total_changes;
}

static int64_t
env_last_rowid(void *conn)
{
    return ((vm_conn *)conn)->last_rowid;
}

/* Wall-clock milliseconds since the Unix epoch. */
static int64_t
wall_clock_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 'now' of the statement run: read from the clock on first use, then the
 * same for the rest of the run (SQLite's rule: one 'now' per statement),
 * so runs that never ask pay no clock read. 0 means not read yet. */
static int64_t
env_now(void *arg)
{
    vm_conn *conn = arg;

    if (conn->now_ms == 0)
        conn->now_ms = wall_clock_ms();
    return conn->now_ms;
}

/* M10: the limits a parsed statement of len bytes meets before compiling. */
static int
parsed_limits_check(const vm_conn *conn, const ast_stmt *ast, int len, char **errmsg_out)
{
    const char *msg = NULL;
    int rc = CHORUS_ERROR;

    if (len > conn->limits[CHORUS_LIMIT_SQL_LENGTH]) {
        msg = "string or blob too big";     /* sqlite3 3.40's words */
        rc = CHORUS_TOOBIG;
    } else if (ast->n_params > conn->limits[CHORUS_LIMIT_VARIABLE_NUMBER]) {
        msg = "too many SQL variables";
    } else if (ast->kind == STMT_CREATE_TABLE) {
        int n = 0;
        for (const ast_column_def *c = ast->u.create_table.columns; c != NULL; c = c->next)
            n++;
        if (n > conn->limits[CHORUS_LIMIT_COLUMN]) {
            *errmsg_out = common_mprintf("too many columns on %s", ast->u.create_table.name);
            return *errmsg_out != NULL ? CHORUS_ERROR : CHORUS_NOMEM;
        }
    }
    if (msg == NULL)
        return CHORUS_OK;
    *errmsg_out = strdup(msg);
    return *errmsg_out != NULL ? rc : CHORUS_NOMEM;
}

static int
stmt_compile(vm_stmt *st, char **errmsg_out)
{
    vm_conn *conn = st->conn;
    const char *schema_names[VM_N_SCHEMAS];
    compile_env env = {0};
    int rc;

    if (conn->schemas[0] == NULL && vm_temp_mentioned(st->sql, st->sql_len)) {
        rc = vm_temp_open(conn);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (conn->tx == NULL && !conn->cat_editable) {
        pthread_mutex_lock(&conn->db->mu);
        if (conn->cat != conn->db->cat) {
            catalog_release(conn->cat);
            conn->cat = catalog_retain(conn->db->cat);
            conn->schema_gen++;
        }
        pthread_mutex_unlock(&conn->db->mu);
    }
    plan_free(st->plan);
    st->plan = NULL;
    catalog_release(st->cat);
    st->cat = catalog_retain(conn->cat);
    vm_schema_compile_env(st, &env, schema_names);        /* temp.c TP4 */
    st->gen = conn->schema_gen;
    env.cat = st->cat;
    env.sql = st->sql;
    env.limits = conn->limits;
    env.auth = conn->auth_fn;
    env.auth_arg = conn->auth_arg;
    rc = compile_authorize_stmt(&env, st->ast, &st->auth_ignored, errmsg_out);   /* M11 */
    if (rc == CHORUS_OK)
        rc = compile_stmt(&env, st->ast, &st->plan, errmsg_out);
    if (rc == CHORUS_OK && vm_column_count(st) > conn->limits[CHORUS_LIMIT_COLUMN]) {  /* M10 */
        plan_free(st->plan);
        st->plan = NULL;
        *errmsg_out = strdup("too many columns in result set");
        return *errmsg_out != NULL ? CHORUS_ERROR : CHORUS_NOMEM;
    }
    if (rc == CHORUS_OK && ((st->plan->kind == PLAN_DDL &&
                             (rc = vm_schema_ddl_check(st, errmsg_out)) != CHORUS_OK) ||
                            (rc = vm_triggers_prepare(st, errmsg_out)) != CHORUS_OK)) {
        plan_free(st->plan);        /* as a failed compile leaves it (M7, exec_trigger.c G8) */
        st->plan = NULL;
    }
    if (rc != CHORUS_OK)
        return rc;
    if (st->plan->n_params > st->n_params) {
        value *p = realloc(st->params, (size_t)(st->plan->n_params + 1) * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        for (int i = st->n_params + 1; i <= st->plan->n_params; i++)
            value_set_null(&p[i]);
        if (st->n_params == 0)
            value_set_null(&p[0]);
        st->params = p;
        st->n_params = st->plan->n_params;
    }
    return CHORUS_OK;
}

static int
prepare_in_scope(vm_conn *conn, const char *sql, int nbytes, vm_stmt **out, const char **tail)
{
    const char *end = NULL;
    char *msg = NULL;
    vm_stmt *st;
    int rc;

    *out = NULL;
    if (nbytes < 0)
        nbytes = (int)strlen(sql);
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return CHORUS_NOMEM;
    st->conn = conn;
    arena_init(&st->parse_arena);
    catalog_result_init(&st->pres);
    rc = sql_parse(sql, nbytes, &st->parse_arena, &st->ast, &end, &msg);
    if (tail != NULL)
        *tail = rc == CHORUS_OK ? end : sql + nbytes;
    if (rc == CHORUS_OK && st->ast == NULL) {
        vm_finalize(st);
        vm_conn_clear_error(conn);
        return CHORUS_OK;
    }
    if (rc == CHORUS_OK) {
        st->sql_len = (int)(end - sql);
        st->sql = malloc((size_t)st->sql_len + 1);
        if (st->sql == NULL) {
            rc = CHORUS_NOMEM;
        } else {
            memcpy(st->sql, sql, (size_t)st->sql_len);
            st->sql[st->sql_len] = 0;
            st->text = strndup(st->sql + st->ast->span.start, st->ast->span.len);
            rc = st->text == NULL ? CHORUS_NOMEM
                                  : parsed_limits_check(conn, st->ast, st->sql_len, &msg);
            if (rc == CHORUS_OK)
                rc = stmt_compile(st, &msg);
        }
    }
    if (rc != CHORUS_OK) {
        vm_conn_take_error(conn, rc, msg);
        vm_finalize(st);
        return rc;
    }
    free(msg);
    vm_conn_clear_error(conn);
    *out = st;
    return CHORUS_OK;
}

/* Releases what a run holds (cursors, stores, the writer, caches). */
static void
run_close(vm_stmt *st)
{
    plan_stmt *p = st->plan;

    if (p != NULL && p->query != NULL)
        vm_query_close(&st->run, p->query);
    if (p != NULL)
        for (int i = 0; i < p->n_cursors; i++)
            vm_cursor_close(&p->cursors[i]);
    vm_eval_release(&st->run);
    catalog_result_free(&st->pres);
    catalog_result_init(&st->pres);
    vm_rows_free(st->returned);
    st->returned = NULL;
    st->returned_pos = 0;
    if (p != NULL && (p->kind == PLAN_DDL || p->kind == PLAN_CREATE_AS || p->kind == PLAN_PRAGMA))
        plan_subs_free(p);          /* exec_trigger.c G1 */
}

/* Stops a running statement with rc (M2); returns the code to report. */
static int
stmt_stop(vm_stmt *st, int rc)
{
    vm_run *r = &st->run;
    int conflict = AST_CONFLICT_ABORT;
    bool failed = rc != CHORUS_OK && rc != CHORUS_DONE && rc != CHORUS_ROW;

    if (st->writer != NULL) {
        int frc;
        if (!failed && (frc = catalog_writer_finish(st->writer)) != CHORUS_OK) {
            /* AUTOINCREMENT counters are written once per statement, inside its
             * savepoint: their failure is the statement's */
            const char *msg = catalog_writer_errmsg(st->writer);
            rc = vm_run_error(r, frc, "%s", msg != NULL && msg[0] ? msg : chorus_errstr(frc));
            failed = true;
        }
        if (failed && (rc & 0xff) == CHORUS_CONSTRAINT)
            conflict = st->raise_conflict ? st->raise_conflict
                                          : catalog_writer_conflict(st->writer);
        if (failed)
            catalog_writer_close(st->writer);
        else
            vm_writer_park(st);                 /* writer_park.c WP1 */
        st->writer = NULL;
    }
    run_close(st);
    st->raise_conflict = 0;
    rc = vm_tx_statement_finish(st, rc, conflict);
    if (failed && conflict != AST_CONFLICT_FAIL && st->plan != NULL &&
        (st->plan->kind == PLAN_INSERT || st->plan->kind == PLAN_UPDATE ||
         st->plan->kind == PLAN_DELETE)) {
        st->conn->changes = 0;                  /* exec_dml.c W3: it was rolled back */
        st->conn->total_changes -= st->own_changes;
    }
    st->running = false;
    st->done_writes = false;
    if (rc != CHORUS_OK && rc != CHORUS_DONE && rc != CHORUS_ROW) {
        char *msg = r->errmsg;
        int code = r->ext_errcode && (r->ext_errcode & 0xff) == (rc & 0xff) ? r->ext_errcode : rc;
        r->errmsg = NULL;
        vm_conn_take_error(st->conn, code, msg);
        return rc & 0xff;
    }
    free(r->errmsg);
    r->errmsg = NULL;
    return rc;
}

static void
run_init(vm_stmt *st)
{
    vm_run *r = &st->run;

    r->stmt = st;
    r->conn = st->conn;
    r->plan = st->plan;
    r->params = st->params;
    r->errmsg = NULL;
    r->ext_errcode = 0;
    r->env.conn = st->conn;
    r->env.changes = env_changes;
    r->env.total_changes = env_total_changes;
    r->env.last_insert_rowid = env_last_rowid;
    r->env.now_ms = env_now;
    st->conn->now_ms = 0;       /* read lazily by env_now: one 'now' per statement run */
}

/* Runs the work of a statement that is not a query (M1). */
static int
stmt_execute(vm_stmt *st)
{
    switch (st->plan->kind) {
    case PLAN_INSERT:
        return vm_exec_insert(st);
    case PLAN_UPDATE:
        return vm_exec_update(st);
    case PLAN_DELETE:
        return vm_exec_delete(st);
    case PLAN_DDL:
        return vm_exec_ddl(st);
    case PLAN_CREATE_AS:
        return vm_exec_create_as(st);
    case PLAN_PRAGMA:
        return vm_exec_pragma(st);
    default:
        return CHORUS_OK;
    }
}

static int
stmt_start(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    char *msg = NULL;
    int rc;

    if (conn->n_active == 0)
        atomic_store_explicit(&conn->interrupt, 0, memory_order_relaxed);
    run_init(st);
    st->running = true;
    st->own_changes = 0;
    st->rows_pos = 0;
    st->pres_pos = 0;
    if (st->plan->kind == PLAN_TX || st->plan->kind == PLAN_ATTACH ||
        st->plan->kind == PLAN_DETACH) {
        rc = st->plan->kind == PLAN_TX       ? vm_tx_execute(st)
             : st->plan->kind == PLAN_ATTACH ? vm_attach_execute(st)
                                             : vm_detach_execute(st);
        st->done_writes = true;
        return rc;
    }
    if (st->plan->kind == PLAN_PRAGMA &&
        catalog_pragma_access(&st->ast->u.pragma) == CATALOG_PRAGMA_NO_TX)
        return stmt_execute(st);
    rc = vm_tx_statement_begin(st);
    if (rc == CHORUS_OK && (st->cat != conn->cat || st->gen != conn->schema_gen)) {
        rc = stmt_compile(st, &msg);
        if (rc != CHORUS_OK) {
            vm_run_error(&st->run, rc, "%s", msg ? msg : "SQL logic error");
            free(msg);
            return rc;
        }
        run_init(st);
    }
    if (rc != CHORUS_OK) {
        if (conn->errcode == rc && conn->errmsg != NULL)
            vm_run_error(&st->run, rc, "%s", conn->errmsg);
        else if (rc == CHORUS_ERROR && conn->tx_doomed)
            vm_run_error(&st->run, rc, "cannot continue: the transaction was rolled back");
        else
            vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
        return rc;
    }
    if (st->plan->kind == PLAN_SELECT)
        return vm_query_open(&st->run, st->plan->query);
    rc = stmt_execute(st);
    st->done_writes = st->plan->kind != PLAN_PRAGMA && st->plan->kind != PLAN_ROWS;
    return rc;
}

static int
stmt_produce(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    int rc;

    if (st->done_writes) {          /* RETURNING rows, collected by the write */
        if (st->returned == NULL || st->returned_pos >= st->returned->n)
            return CHORUS_DONE;
        st->out = st->returned->rows[st->returned_pos++];
        return CHORUS_ROW;
    }
    switch (p->kind) {
    case PLAN_SELECT:
        rc = vm_query_next(&st->run, p->query);
        if (rc == CHORUS_ROW)
            st->out = p->query->row;
        return rc;
    case PLAN_PRAGMA:
        if (st->pres_pos >= st->pres.n_rows)
            return CHORUS_DONE;
        st->out = &st->pres.cells[st->pres_pos++ * st->pres.n_cols];
        return CHORUS_ROW;
    case PLAN_ROWS:
        if (st->rows_pos >= p->n_rows)
            return CHORUS_DONE;
        st->out = &p->rows[st->rows_pos++ * p->n_cols];
        return CHORUS_ROW;
    default:
        return CHORUS_DONE;
    }
}

/* An autocommit write in MVCC mode, which the engine retries on conflict
 * (DESIGN.md "Transactions"; mvcc_mode.c). */
static bool
retryable_write(const vm_stmt *st)
{
    const vm_conn *conn = st->conn;
    int kind = st->plan->kind;

    return vm_mvcc_on(conn->db) && !conn->explicit_tx && conn->n_active == 0
           && !st->plan->readonly && kind != PLAN_TX && kind != PLAN_PRAGMA && kind != PLAN_DDL;
}

/* Waits before retry number attempt (jittered, doubling, at most 5 ms);
 * false once busy_timeout has passed since *start_ms (0: not started). */
static bool
retry_wait(vm_stmt *st, int attempt, int64_t *start_ms)
{
    int64_t now = wall_clock_ms();
    unsigned us = 100u << (attempt < 6 ? attempt : 6);

    if (*start_ms == 0)
        *start_ms = now;
    if (now - *start_ms >= st->conn->busy_ms || atomic_load(&st->conn->interrupt))
        return false;
    us = us / 2 + (unsigned)(common_now_ns() % (us / 2 + 1));
    usleep(us < 5000 ? us : 5000);
    return true;
}

/* M5: a row or the end, unless a comparison of this step used a collation
 * the connection has not defined (record/collation_user.c CU2). */
static int
stmt_produce_checked(vm_stmt *st)
{
    int rc = stmt_produce(st);
    int missing = collation_user_missing_take();
    int max_length = st->conn->limits[CHORUS_LIMIT_LENGTH];

    if (missing >= 0 && (rc == CHORUS_ROW || rc == CHORUS_DONE))
        rc = vm_run_error(&st->run, CHORUS_ERROR, "no such collation sequence: %s",
                          collation_name((collation)missing));
    if (rc == CHORUS_ROW && max_length < limit_length_highest)            /* M10 */
        for (int i = 0; i < vm_column_count(st); i++)
            if ((st->out[i].type == VALUE_TEXT || st->out[i].type == VALUE_BLOB) &&
                st->out[i].n > max_length)
                return vm_run_error(&st->run, CHORUS_TOOBIG, "string or blob too big");
    return rc;
}

/* M8: compiles again a statement whose last re-compile failed; the error
 * again (on the connection) when it still fails. */
static int
stmt_plan_restore(vm_stmt *st)
{
    char *msg = NULL;
    int rc = stmt_compile(st, &msg);

    if (rc != CHORUS_OK) {
        vm_conn_take_error(st->conn, rc, msg);
        return rc;
    }
    free(msg);
    return CHORUS_OK;
}

static int
step_in_scope(vm_stmt *st)
{
    int rc;

    collation_user_missing_take();      /* M5: only this step's comparisons count */
    if (!st->running) {
        int64_t start_ms = 0;
        if (st->conn->trace_fn != NULL)
            st->conn->trace_fn(st->conn->trace_arg, st->sql);     /* M6 */
        if (vm_conn_progress_stop(st->conn)) {
            vm_conn_set_error(st->conn, CHORUS_INTERRUPT, "interrupted");
            return CHORUS_INTERRUPT;
        }
        if (st->plan == NULL && (rc = stmt_plan_restore(st)) != CHORUS_OK)
            return rc;                                      /* M8 */
        if (st->auth_ignored)
            return CHORUS_DONE;                             /* M11 */
        if (!st->plan->readonly || st->plan->kind == PLAN_TX)
            st->conn->write_gen++;                          /* M9 */
        for (int attempt = 0;; attempt++) {
            bool retry = retryable_write(st);
            vm_conn_clear_error(st->conn);
            rc = stmt_start(st);
            if (rc == CHORUS_OK) {
                rc = stmt_produce_checked(st);
                if (rc == CHORUS_ROW)
                    return rc;
            }
            rc = stmt_stop(st, rc);
            /* Nothing was returned yet: the engine runs it again itself. */
            if (!retry || rc != CHORUS_CONFLICT || !retry_wait(st, attempt, &start_ms))
                return rc;
        }
    }
    rc = stmt_produce_checked(st);
    if (rc == CHORUS_ROW)
        return rc;
    return stmt_stop(st, rc);
}

/* M4: the scopes a statement of conn compiles and runs in. */
typedef struct user_scope {
    func_user_set *funcs;
    collation_user_set *colls;
} user_scope;

static user_scope
scope_enter(vm_conn *conn)
{
    user_scope prev;

    prev.funcs = func_user_scope_enter(conn->funcs);
    prev.colls = collation_user_scope_enter(conn->colls);
    return prev;
}

static void
scope_leave(user_scope prev)
{
    func_user_scope_leave(prev.funcs);
    collation_user_scope_leave(prev.colls);
}

int
vm_prepare(vm_conn *conn, const char *sql, int nbytes, vm_stmt **out, const char **tail)
{
    user_scope prev = scope_enter(conn);
    int rc = prepare_in_scope(conn, sql, nbytes, out, tail);

    scope_leave(prev);
    return rc;
}

int
vm_step(vm_stmt *st)
{
    user_scope prev = scope_enter(st->conn);
    int rc = step_in_scope(st);

    scope_leave(prev);
    return rc;
}

int
vm_reset(vm_stmt *st)
{
    if (st->running)
        stmt_stop(st, CHORUS_OK);
    return CHORUS_OK;
}

void
vm_finalize(vm_stmt *st)
{
    if (st == NULL)
        return;
    vm_reset(st);
    free(st->run.held);
    plan_free(st->plan);
    catalog_release(st->cat);
    for (int i = 0; i < VM_N_SCHEMAS; i++)
        catalog_release(st->schema_cats[i]);
    if (st->params != NULL)
        vm_values_clear(st->params, st->n_params + 1);
    free(st->params);
    catalog_result_free(&st->pres);
    arena_free(&st->parse_arena);
    free(st->sql);
    free(st->text);
    free(st);
}

vm_conn *
vm_stmt_conn(vm_stmt *st)
{
    return st->conn;
}

bool
vm_stmt_is_running(vm_stmt *st)
{
    return st->running;
}

bool
vm_stmt_is_readonly(vm_stmt *st)
{
    return st->plan == NULL || st->plan->readonly;          /* M8 */
}

const char *
vm_stmt_sql(vm_stmt *st)
{
    return st->text;
}

/* ------------------------------------------------------------ parameters */

int
vm_param_count(vm_stmt *st)
{
    return st->n_params;
}

const char *
vm_param_name(vm_stmt *st, int idx)
{
    if (st->plan == NULL || idx < 1 || idx > st->plan->n_params)
        return NULL;                                        /* M8 */
    return st->plan->param_names[idx];
}

int
vm_param_index(vm_stmt *st, const char *name)
{
    for (int i = 1; st->plan != NULL && i <= st->plan->n_params; i++)     /* M8 */
        if (st->plan->param_names[i] != NULL && strcmp(st->plan->param_names[i], name) == 0)
            return i;
    return 0;
}

int
vm_bind(vm_stmt *st, int idx, const value *v)
{
    if (idx < 1 || idx > st->n_params)
        return CHORUS_RANGE;
    if ((v->type == VALUE_TEXT || v->type == VALUE_BLOB) &&
        v->n > st->conn->limits[CHORUS_LIMIT_LENGTH]) {                 /* M10 */
        vm_conn_set_error(st->conn, CHORUS_TOOBIG, "string or blob too big");
        return CHORUS_TOOBIG;
    }
    value_clear(&st->params[idx]);
    return value_copy(&st->params[idx], v);
}

void
vm_clear_bindings(vm_stmt *st)
{
    for (int i = 1; i <= st->n_params; i++)
        value_clear(&st->params[i]);
}

/* --------------------------------------------------------------- columns */

int
vm_column_count(vm_stmt *st)
{
    const char *const *names;

    if (st->plan == NULL)
        return 0;                                           /* M8 */
    if (st->plan->kind == PLAN_PRAGMA)
        return catalog_pragma_columns(&st->ast->u.pragma, &names);
    return st->plan->n_cols;
}

const char *
vm_column_name(vm_stmt *st, int col)
{
    const char *const *names;

    if (st->plan == NULL)
        return NULL;                                        /* M8 */
    if (st->plan->kind == PLAN_PRAGMA)
        return col < catalog_pragma_columns(&st->ast->u.pragma, &names) ? names[col] : NULL;
    return st->plan->col_names[col];
}

const char *
vm_column_decltype(vm_stmt *st, int col)
{
    return st->plan != NULL && st->plan->col_decltypes != NULL ? st->plan->col_decltypes[col]
                                                                : NULL;
}

const char *
vm_column_table(vm_stmt *st, int col)
{
    return st->plan != NULL && st->plan->col_tables != NULL ? st->plan->col_tables[col] : NULL;
}

const char *
vm_column_origin(vm_stmt *st, int col)
{
    return st->plan != NULL && st->plan->col_origins != NULL ? st->plan->col_origins[col]
                                                              : NULL;
}

const value *
vm_column(vm_stmt *st, int col)
{
    return &st->out[col];
}
