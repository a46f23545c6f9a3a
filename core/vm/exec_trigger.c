/*
 * core/vm/exec_trigger.c: sub-plans compiled while a statement runs:
 * trigger programs (WHEN and body statements) and the schema's row
 * expressions that the catalog's writer evaluates through its hooks
 * (expression and partial indexes, DEFAULT under REPLACE); RAISE().
 *
 * Rules
 *   G1  Sub-plans are compiled on first use and kept in the root
 *       statement's plan (plan_stmt.subs), keyed by the AST they come from;
 *       they live as long as that plan, which was compiled against the same
 *       catalog. A DDL statement's sub-plans are dropped after its run (its
 *       catalog changes under it).
 *   G2  A sub-plan runs with its own vm_run (a copy of the root's settings);
 *       its run state is released when it ends. A trigger program already
 *       running (recursion) gets another instance of its sub-plans.
 *   G3  A trigger body statement runs as a child vm_stmt that borrows the
 *       root's writer; its error becomes the parent's (message and code).
 *       changes() and last_insert_rowid() are restored after the program,
 *       as SQLite does; total_changes() keeps counting.
 *   G4  A trigger does not fire while it is already running unless PRAGMA
 *       recursive_triggers is on; at most the connection's TRIGGER_DEPTH
 *       limit (1000 unless lowered) programs nest ("too many levels of
 *       trigger recursion").
 *   G5  RAISE(IGNORE) unwinds with VM_RAISE_IGNORE to the firing that runs
 *       the program, which abandons the row; RAISE(ABORT|FAIL|ROLLBACK, msg)
 *       fails with CHORUS_CONSTRAINT_TRIGGER and msg, and the root records
 *       the conflict action for the statement's end.
 *   G6  The triggers of a table fire in SQLite's order: TEMP triggers that
 *       name it (temp.c TP6) in creation order, then its own, newest first.
 *       A TEMP trigger's program sees the temp schema (compile_env.temp_cat).
 *   G7  A statement of a trigger program writes with the OR action of the
 *       statement that fired the trigger when that one has one (its own OR
 *       clause or one it got so), else with its own, as SQLite does; the
 *       statements of foreign key actions keep their own (ABORT).
 *   G8  Preparing an INSERT, UPDATE or DELETE compiles the programs of the
 *       triggers its event fires on its table (UPDATE OF matched), and
 *       theirs in turn (not one already on the path), as SQLite codes them
 *       then: an error in a trigger body fails the prepare, also when no
 *       row would fire it ("no such table: main.t" inside a trigger of
 *       main, SQLite's words). REPLACE's delete triggers, upserts' update
 *       triggers and foreign key actions still compile at first use (G1).
 *   G9  The authorizer (stmt.c M11) judges trigger programs as they
 *       compile (G8, G1), as SQLite codes them into the statement that
 *       fires them: the body statement's own action (INSERT, UPDATE per SET
 *       column, DELETE) and the reads, selects and functions in it and in
 *       WHEN. A denial fails the compile; a body statement whose action is
 *       ignored is not compiled (nothing in it is asked about) and is
 *       skipped each time the program runs.
 * Ownership: sub-plan entries are malloc()ed here and freed by plan_free or
 * vm_subs_free. Callers: exec_dml.c, expr_eval.c (vm_raise), the writer.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

/* One running trigger program (G4), on the C stack. */
typedef struct vm_frame {
    const catalog_trigger *trg;
    struct vm_frame *up;
} vm_frame;

static vm_stmt *
root_of(vm_stmt *st)
{
    return st->root != NULL ? st->root : st;
}

/* The catalog sub-plans over t compile against: an attached database's
 * own for its tables (temp.c TP8), else the writer's when it writes main
 * (DDL edits it), else main's: the temp schema's comes in env.temp_cat. */
static const catalog *
sub_catalog(vm_stmt *root, const catalog_table *t)
{
    const catalog *own = t != NULL && !t->is_temp ? vm_schema_catalog_of(root->conn, t) : NULL;

    if (own != NULL)
        return own;
    if (root->writer != NULL && vm_schema_writer_fits(root->conn, root->writer, NULL))
        return catalog_writer_catalog(root->writer);
    return root->cat;
}

typedef struct sub_spec {
    const catalog_table *t;
    const char *sql;
    const ast_stmt *stmt;   /* trigger body statement, or NULL */
    const ast_expr *expr;   /* row expression or WHEN */
    bool trigger;
    bool sees_temp;         /* compiled with the temp schema in view (G6, TP4) */
} sub_spec;

/* Finds a free instance of key's sub-plan, or compiles one (G1, G2). */
static int
sub_get(vm_stmt *st, const void *key, const sub_spec *spec, plan_sub **out)
{
    vm_stmt *root = root_of(st);
    compile_env env;
    plan_sub *s;
    char *msg = NULL;
    int n = 0, rc;

    for (s = root->plan->subs; s != NULL; s = s->next) {
        if (s->key != key)
            continue;
        if (!s->busy) {
            *out = s;
            return CHORUS_OK;
        }
        n++;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return CHORUS_NOMEM;
    memset(&env, 0, sizeof env);
    env.cat = sub_catalog(root, spec->t);
    env.sql = spec->sql;
    env.temp_cat = spec->sees_temp ? vm_temp_catalog(root->conn) : NULL;
    if (spec->trigger && !spec->sees_temp && vm_schema_catalog_of(root->conn, spec->t) == NULL)
        env.view_schema = "main";   /* G8: an unknown table's error names main */
    if (spec->trigger) {
        env.auth = root->conn->auth_fn;                         /* G9 */
        env.auth_arg = root->conn->auth_arg;
        rc = spec->stmt != NULL
                 ? compile_authorize_stmt(&env, spec->stmt, &s->auth_ignored, &msg)
                 : CHORUS_OK;
        if (rc == CHORUS_OK && !s->auth_ignored)
            rc = compile_trigger_stmt(&env, spec->t, spec->stmt, spec->expr, &s->plan, &msg);
    } else {
        rc = compile_row_expr(&env, spec->t, spec->expr, &s->plan, &msg);
    }
    if (rc != CHORUS_OK) {
        free(s);
        rc = vm_run_error(&st->run, rc, "%s", msg != NULL ? msg : chorus_errstr(rc));
        free(msg);
        return rc;
    }
    s->key = key;
    s->instance = n;
    s->next = root->plan->subs;
    root->plan->subs = s;
    *out = s;
    return CHORUS_OK;
}

/* A run for sub-plan p with the settings of parent (G2). */
static void
sub_run_init(vm_run *r, const vm_run *parent, vm_stmt *st, plan_stmt *p)
{
    *r = *parent;
    r->stmt = st;
    r->plan = p;
    r->errmsg = NULL;
    r->ext_errcode = 0;
    r->n_held = 0;
    r->cap_held = 0;
    r->held = NULL;
}

static void
sub_run_end(vm_run *r, plan_stmt *p)
{
    if (p->query != NULL)
        vm_query_close(r, p->query);
    for (int i = 0; i < p->n_cursors; i++)
        vm_cursor_close(&p->cursors[i]);
    vm_eval_release(r);
    free(r->held);
    r->held = NULL;
}

/* Hands a sub-run's error to the parent run. */
static int
sub_error(vm_run *parent, vm_run *r, int rc)
{
    if (rc == CHORUS_OK || rc == VM_RAISE_IGNORE || r->errmsg == NULL) {
        free(r->errmsg);
        r->errmsg = NULL;
        return rc;
    }
    vm_run_error(parent, r->ext_errcode ? r->ext_errcode : rc, "%s", r->errmsg);
    free(r->errmsg);
    r->errmsg = NULL;
    return rc;
}

static const char *
expr_sql(const catalog_table *t, const ast_expr *expr)
{
    for (int i = 0; i < t->n_indexes; i++) {
        const catalog_index *ix = t->indexes[i];
        if (ix->where == expr)
            return ix->sql;
        for (int k = 0; k < ix->n_cols; k++)
            if (ix->cols[k].expr == expr)
                return ix->sql;
    }
    return t->sql;
}

int
vm_hooks_eval(void *arg, const catalog_table *t, const ast_expr *expr, const value *row,
              int64_t rowid, value *out, char **errmsg_out)
{
    vm_stmt *st = arg;
    sub_spec spec = {t, expr_sql(t, expr), NULL, expr, false, vm_temp_owns(st->conn, t)};
    plan_sub *sub;
    vm_run r;
    value v;
    int rc;

    *errmsg_out = NULL;
    rc = sub_get(st, expr, &spec, &sub);
    if (rc != CHORUS_OK) {
        *errmsg_out = st->run.errmsg;
        st->run.errmsg = NULL;
        return rc;
    }
    sub->plan->cursors[0].row = row;
    sub->plan->cursors[0].rowid = rowid;
    sub_run_init(&r, &st->run, st, sub->plan);
    sub->busy = true;
    rc = vm_eval(&r, sub->plan->row_expr, &v);
    if (rc == CHORUS_OK) {
        rc = value_copy(out, &v);
        value_clear(&v);
    }
    sub->busy = false;
    sub_run_end(&r, sub->plan);
    *errmsg_out = r.errmsg;
    return rc;
}

int
vm_raise(vm_run *r, cx *e)
{
    vm_stmt *root = root_of(r->stmt);
    value msg;
    int rc;

    if (e->op == AST_RAISE_IGNORE)
        return VM_RAISE_IGNORE;
    rc = vm_eval(r, e->left, &msg);
    if (rc != CHORUS_OK)
        return rc;
    root->raise_conflict = e->op == AST_RAISE_FAIL ? AST_CONFLICT_FAIL
                           : e->op == AST_RAISE_ROLLBACK ? AST_CONFLICT_ROLLBACK
                                                        : AST_CONFLICT_ABORT;
    rc = vm_run_error(r, CHORUS_CONSTRAINT_TRIGGER, "%.*s", msg.type == VALUE_TEXT ? (int)msg.n : 0,
                      msg.type == VALUE_TEXT ? msg.u.z : "");
    r->ext_errcode = CHORUS_CONSTRAINT_TRIGGER;
    value_clear(&msg);
    return rc;
}

/* ------------------------------------------------------------ firing */

/* G6: whether trg, a trigger of the temp schema tcat, names t, a table or
 * view of main. */
static bool
temp_trigger_on(const catalog *tcat, const catalog_trigger *trg, const catalog_table *t)
{
    return !t->is_temp && strcasecmp(trg->table, t->name) == 0 &&
           catalog_table_find(tcat, trg->table) == NULL &&
           catalog_view_find(tcat, trg->table) == NULL;
}

/* G6: how many triggers t has; list (room for that many, or NULL) gets
 * them in firing order. */
static int
triggers_list(const vm_conn *conn, const catalog_table *t, const catalog_trigger **list)
{
    const catalog *tcat = vm_temp_catalog(conn);
    int n = 0;

    for (int i = 0; tcat != NULL && i < catalog_trigger_count(tcat); i++) {
        const catalog_trigger *trg = catalog_trigger_at(tcat, i);
        if (temp_trigger_on(tcat, trg, t)) {
            if (list != NULL)
                list[n] = trg;
            n++;
        }
    }
    for (int i = t->n_triggers - 1; i >= 0; i--) {
        if (list != NULL)
            list[n] = t->triggers[i];
        n++;
    }
    return n;
}

/* Whether trg belongs to the temp schema (G6). */
static bool
trigger_is_temp(const vm_conn *conn, const catalog_table *t, const catalog_trigger *trg)
{
    const catalog *tcat = vm_temp_catalog(conn);

    if (tcat == NULL)
        return false;
    if (t->is_temp)
        return true;
    for (int i = 0; i < catalog_trigger_count(tcat); i++)
        if (catalog_trigger_at(tcat, i) == trg)
            return true;
    return false;
}

bool
vm_triggers_any(const vm_stmt *st, const catalog_table *t, int event, int time)
{
    const catalog *tcat = vm_temp_catalog(st->conn);

    for (int i = 0; i < t->n_triggers; i++)
        if (t->triggers[i]->ast->event == event && t->triggers[i]->ast->time == time)
            return true;
    for (int i = 0; tcat != NULL && i < catalog_trigger_count(tcat); i++) {
        const catalog_trigger *trg = catalog_trigger_at(tcat, i);
        if (trg->ast->event == event && trg->ast->time == time && temp_trigger_on(tcat, trg, t))
            return true;
    }
    return false;
}

/* Whether trg may fire now (G4); an error when nesting is too deep. */
static int
may_fire(vm_stmt *st, const catalog_trigger *trg, bool *ok)
{
    vm_stmt *root = root_of(st);

    *ok = true;
    if (!st->conn->recursive_triggers)
        for (vm_frame *f = root->frames; f != NULL; f = f->up)
            if (f->trg == trg)
                *ok = false;
    if (*ok && root->trig_depth >= st->conn->limits[CHORUS_LIMIT_TRIGGER_DEPTH])
        return vm_run_error(&st->run, CHORUS_ERROR, "too many levels of trigger recursion");
    return CHORUS_OK;
}

static void
set_rows(plan_stmt *p, const value *old_row, int64_t old_rowid, const value *new_row,
         int64_t new_rowid)
{
    p->cursors[0].row = new_row;
    p->cursors[0].rowid = new_rowid;
    p->cursors[1].row = old_row;
    p->cursors[1].rowid = old_rowid;
}

/* Runs one body statement as a child statement of st (G3), with st's OR
 * action when inherit (G7); *n_rows_out (may be NULL): the rows a SELECT
 * gave. */
static int
run_body_stmt(vm_stmt *st, plan_stmt *p, bool inherit, int64_t *n_rows_out)
{
    vm_stmt child;
    int rc;

    memset(&child, 0, sizeof child);
    child.conn = st->conn;
    child.plan = p;
    child.ast = (ast_stmt *)p->ast;
    child.writer = root_of(st)->writer;
    child.root = root_of(st);
    child.conflict = inherit && p->kind != PLAN_DELETE && st->conflict != AST_CONFLICT_DEFAULT
                         ? st->conflict : p->conflict;     /* G7: a DELETE passes on none */
    if (child.writer != NULL && p->table != NULL &&
        !vm_schema_writer_fits(st->conn, child.writer, p->table))
        child.writer = NULL;        /* another database (temp.c): a writer of its own */
    sub_run_init(&child.run, &st->run, &child, p);
    switch (p->kind) {
    case PLAN_INSERT:
        rc = vm_exec_insert(&child);
        break;
    case PLAN_UPDATE:
        rc = vm_exec_update(&child);
        break;
    case PLAN_DELETE:
        rc = vm_exec_delete(&child);
        break;
    case PLAN_SELECT:
        rc = vm_query_open(&child.run, p->query);
        while (rc == CHORUS_OK && (rc = vm_query_next(&child.run, p->query)) == CHORUS_ROW) {
            rc = CHORUS_OK;
            if (n_rows_out != NULL)
                (*n_rows_out)++;
        }
        if (rc == CHORUS_DONE)
            rc = CHORUS_OK;
        break;
    default:
        rc = vm_run_error(&child.run, CHORUS_ERROR, "not supported yet: this statement in a "
                          "trigger");
        break;
    }
    vm_rows_free(child.returned);
    if (child.writer != NULL && child.writer != root_of(st)->writer) {
        if (rc == CHORUS_OK && (rc = catalog_writer_finish(child.writer)) != CHORUS_OK)
            vm_run_error(&child.run, rc, "%s", catalog_writer_errmsg(child.writer));
        catalog_writer_close(child.writer);
    }
    sub_run_end(&child.run, p);
    return sub_error(&st->run, &child.run, rc);
}

/* WHEN, then the body of one trigger. */
static int
run_program(vm_stmt *st, const catalog_trigger *trg, const catalog_table *t,
            const value *old_row, int64_t old_rowid, const value *new_row, int64_t new_rowid)
{
    const ast_create_trigger *a = trg->ast;
    sub_spec spec = {t, trg->sql, NULL, a->when, true, trigger_is_temp(st->conn, t, trg)};
    plan_sub *sub;
    int rc;

    if (a->when != NULL) {
        vm_run r;
        int truth = 0;
        rc = sub_get(st, a->when, &spec, &sub);
        if (rc != CHORUS_OK)
            return rc;
        set_rows(sub->plan, old_row, old_rowid, new_row, new_rowid);
        sub_run_init(&r, &st->run, st, sub->plan);
        rc = vm_eval_truth(&r, sub->plan->row_expr, &truth);
        sub_run_end(&r, sub->plan);
        rc = sub_error(&st->run, &r, rc);
        if (rc != CHORUS_OK || truth != 1)
            return rc;
    }
    spec.expr = NULL;
    for (const ast_stmt *b = a->body; b != NULL; b = b->next) {
        spec.stmt = b;
        rc = sub_get(st, b, &spec, &sub);
        if (rc != CHORUS_OK)
            return rc;
        if (sub->auth_ignored)
            continue;                                           /* G9 */
        set_rows(sub->plan, old_row, old_rowid, new_row, new_rowid);
        sub->busy = true;
        rc = run_body_stmt(st, sub->plan, true, NULL);
        sub->busy = false;
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

int
vm_triggers_fire(vm_stmt *st, const catalog_table *t, int event, int time,
                 const ast_list *set, const value *old_row, int64_t old_rowid,
                 const value *new_row, int64_t new_rowid, bool *ignore_out)
{
    vm_stmt *root = root_of(st);
    vm_conn *conn = st->conn;
    int64_t changes = conn->changes, last_rowid = conn->last_rowid;
    const catalog_trigger *few[16], **list = few;
    int n = triggers_list(conn, t, NULL), rc = CHORUS_OK;

    *ignore_out = false;
    if (n > (int)(sizeof few / sizeof few[0]) && (list = calloc((size_t)n, sizeof *list)) == NULL)
        return CHORUS_NOMEM;
    triggers_list(conn, t, list);
    for (int i = 0; i < n && rc == CHORUS_OK; i++) {
        const catalog_trigger *trg = list[i];
        vm_frame frame = {trg, root->frames};
        bool ok;
        if (trg->ast->event != event || trg->ast->time != time ||
            (event == AST_TRIGGER_UPDATE && !compile_trigger_update_of_matches(trg->ast, set)))
            continue;
        rc = may_fire(st, trg, &ok);
        if (rc != CHORUS_OK || !ok)
            continue;
        root->frames = &frame;
        root->trig_depth++;
        rc = run_program(st, trg, t, old_row, old_rowid, new_row, new_rowid);
        root->trig_depth--;
        root->frames = frame.up;
        if (rc == VM_RAISE_IGNORE) {
            *ignore_out = true;
            rc = CHORUS_OK;
            break;
        }
    }
    if (list != few)
        free(list);
    conn->changes = changes;
    conn->last_rowid = last_rowid;
    return rc;
}

/* G8: the trigger event a DML plan fires, or -1; *set_out: its SET list. */
static int
plan_event(const plan_stmt *p, const ast_list **set_out)
{
    *set_out = NULL;
    if (p == NULL || p->table == NULL || p->ast == NULL)
        return -1;
    switch (p->kind) {
    case PLAN_INSERT:
        return AST_TRIGGER_INSERT;
    case PLAN_UPDATE:
        *set_out = &p->ast->u.update.set;
        return AST_TRIGGER_UPDATE;
    case PLAN_DELETE:
        return AST_TRIGGER_DELETE;
    default:
        return -1;
    }
}

enum { PREPARE_DEPTH_MAX = 16 };

/* G8: compiles the WHEN and body of every trigger p fires, then (depth
 * permitting) what their body statements fire; path: the triggers being
 * compiled above this one. */
static int
programs_prepare(vm_stmt *st, const plan_stmt *p, const catalog_trigger **path, int depth)
{
    const ast_list *set;
    int event = plan_event(p, &set), n, rc = CHORUS_OK;
    const catalog_trigger *few[16], **list = few;

    if (event < 0 || depth >= PREPARE_DEPTH_MAX)
        return CHORUS_OK;
    n = triggers_list(st->conn, p->table, NULL);
    if (n > (int)(sizeof few / sizeof few[0]) && (list = calloc((size_t)n, sizeof *list)) == NULL)
        return CHORUS_NOMEM;
    triggers_list(st->conn, p->table, list);
    for (int i = 0; i < n && rc == CHORUS_OK; i++) {
        const catalog_trigger *trg = list[i];
        const ast_create_trigger *a = trg->ast;
        sub_spec spec = {p->table, trg->sql, NULL, a->when, true,
                         trigger_is_temp(st->conn, p->table, trg)};
        bool on_path = false;
        plan_sub *sub;
        for (int k = 0; k < depth; k++)
            on_path |= path[k] == trg;
        if (on_path || a->event != event ||
            (event == AST_TRIGGER_UPDATE && !compile_trigger_update_of_matches(a, set)))
            continue;
        if (a->when != NULL)
            rc = sub_get(st, a->when, &spec, &sub);
        spec.expr = NULL;
        path[depth] = trg;
        for (const ast_stmt *b = a->body; b != NULL && rc == CHORUS_OK; b = b->next) {
            spec.stmt = b;
            rc = sub_get(st, b, &spec, &sub);
            if (rc == CHORUS_OK && !sub->auth_ignored)          /* G9: no plan */
                rc = programs_prepare(st, sub->plan, path, depth + 1);
        }
    }
    if (list != few)
        free(list);
    return rc;
}

int
vm_triggers_prepare(vm_stmt *st, char **errmsg_out)
{
    const catalog_trigger *path[PREPARE_DEPTH_MAX];
    int rc = programs_prepare(st, st->plan, path, 0);

    *errmsg_out = NULL;
    if (rc != CHORUS_OK) {
        *errmsg_out = st->run.errmsg;
        st->run.errmsg = NULL;
    }
    return rc;
}

/* Compiles generated SQL (foreign keys) once per key (G1). */
static int
sql_sub_get(vm_stmt *st, const void *key, const catalog_table *t,
            char *(*build)(const void *arg), const void *arg, plan_sub **out)
{
    vm_stmt *root = root_of(st);
    compile_env env;
    ast_stmt *ast = NULL;
    plan_sub *s;
    char *msg = NULL;
    int rc;

    for (s = root->plan->subs; s != NULL; s = s->next)
        if (s->key == key && !s->busy) {
            *out = s;
            return CHORUS_OK;
        }
    s = calloc(1, sizeof *s);
    if (s == NULL || (s->ast_arena = calloc(1, sizeof *s->ast_arena)) == NULL ||
        (s->sql = build(arg)) == NULL) {
        if (s != NULL)
            free(s->ast_arena);
        free(s);
        return CHORUS_NOMEM;
    }
    arena_init(s->ast_arena);
    s->key = key;
    s->next = root->plan->subs;
    root->plan->subs = s;   /* freed with the plan from here on */
    rc = sql_parse(s->sql, -1, s->ast_arena, &ast, NULL, &msg);
    if (rc == CHORUS_OK) {
        memset(&env, 0, sizeof env);
        env.cat = sub_catalog(root, t);
        env.sql = s->sql;
        env.temp_cat = vm_temp_owns(root->conn, t) ? vm_temp_catalog(root->conn) : NULL;
        rc = compile_trigger_stmt(&env, t, ast, NULL, &s->plan, &msg);
    }
    if (rc != CHORUS_OK) {
        root->plan->subs = s->next;
        s->next = NULL;
        arena_free(s->ast_arena);
        free(s->ast_arena);
        free(s->sql);
        free(s);
        rc = vm_run_error(&st->run, rc, "%s", msg != NULL ? msg : chorus_errstr(rc));
        free(msg);
        return rc;
    }
    *out = s;
    return CHORUS_OK;
}

int
vm_sub_sql_run(vm_stmt *st, const void *key, const catalog_table *t,
               char *(*build)(const void *arg), const void *arg, const value *old_row,
               int64_t old_rowid, const value *new_row, int64_t new_rowid, int64_t *n_rows_out)
{
    plan_sub *sub = NULL;
    int rc = sql_sub_get(st, key, t, build, arg, &sub);

    if (rc != CHORUS_OK)
        return rc;
    set_rows(sub->plan, old_row, old_rowid, new_row, new_rowid);
    sub->busy = true;
    *n_rows_out = 0;
    rc = run_body_stmt(st, sub->plan, false, n_rows_out);
    sub->busy = false;
    return rc;
}
