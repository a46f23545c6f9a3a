/*
 * c-api/function.c: application-defined SQL functions (chorus_create_function,
 * chorus_create_window_function): registration on a connection and the
 * trampolines through which the engine calls them.
 *
 * Each registration is a capi_function whose first member is the func_def
 * the engine calls (core/func/func.h). The def's callbacks are the
 * trampolines below: they wrap the engine's func_ctx and arguments in a
 * chorus_context and chorus_value array (callback.c reads them) and call the
 * application's function.
 *
 * Rules
 *   F1  A connection's functions live in its func_user_set, which borrows
 *       their defs; the set is freed, with every function, at disconnect. A
 *       replaced or removed function is freed at once (its destroy called):
 *       replacing or removing is refused with CHORUS_BUSY while a statement
 *       of the connection runs (a new name may be added: no running plan
 *       holds it), and vm_conn_expire() makes every other statement compile
 *       again before it next runs, so no plan calls a freed def.
 *   F2  An aggregate's engine state is an agg_state: zeroed until the first
 *       step, then the function and the chorus_aggregate_context memory.
 *       final() hands the memory to the application's final and zeroes the
 *       state. destroy() of a state never finalized (a window frame or
 *       partition ends, a statement stops inside a group) calls the
 *       application's final with its result and error dropped, as SQLite
 *       does, so final runs once for every context that step began.
 *   F3  chorus_context and chorus_value live on a trampoline's stack: valid
 *       only during the callback (chorus.h says so).
 *
 * Threads: the callbacks run on the thread stepping the statement (or
 * finalizing, resetting or disconnecting, for F2's cleanup); registration
 * follows the connection's one-thread rule.
 * Callers: the public API; connection.c frees the functions on disconnect.
 */
#include "capi_int.h"

#include <stdlib.h>
#include <string.h>

/* SQLite's limits on a function's name and argument count. */
enum { FUNCTION_MAX_ARGS = 127, FUNCTION_MAX_NAME = 255 };

/* The application's callbacks of one registration. */
typedef struct function_callbacks {
    chorus_function_fn scalar;
    chorus_function_fn step;
    chorus_final_fn final;
    chorus_final_fn value;
    chorus_function_fn inverse;
} function_callbacks;

typedef struct capi_function {
    func_def def;               /* first: the engine's ctx->def points here */
    char *name;                 /* owned; def.name */
    function_callbacks cb;
    void *user_data;            /* the application's; given to destroy */
    void (*destroy)(void *);    /* may be NULL */
} capi_function;

/* F2 */
typedef struct agg_state {
    const capi_function *fn;    /* set by the first step; NULL while zeroed */
    void *mem;                  /* owned: chorus_aggregate_context() memory, or NULL */
} agg_state;

/* Arguments up to this count are wrapped without allocating. */
enum { ARGS_ON_STACK = 8 };

static const capi_function *
function_of(const func_ctx *ctx)
{
    return (const capi_function *)ctx->def;
}

/*
 * Calls one application callback: wraps the arguments (F3), calls either
 * fn_args (with them) or fn_final, frees the argument copies. Returns
 * ctx->rc.
 */
static int
callback_run(func_ctx *ctx, const capi_function *fn, void **agg_mem, chorus_function_fn fn_args,
             chorus_final_fn fn_final, int argc, const value *argv)
{
    chorus_value stack_vals[ARGS_ON_STACK], *vals = stack_vals;
    chorus_value *stack_ptrs[ARGS_ON_STACK], **ptrs = stack_ptrs;
    chorus_context cctx = {CAPI_MAGIC_CONTEXT, ctx, fn->user_data, agg_mem};

    if (argc > ARGS_ON_STACK) {
        vals = malloc((size_t)argc * sizeof *vals);
        ptrs = malloc((size_t)argc * sizeof *ptrs);
        if (vals == NULL || ptrs == NULL) {
            free(vals);
            free(ptrs);
            func_error(ctx, CHORUS_NOMEM, "out of memory");
            return ctx->rc;
        }
    }
    for (int i = 0; i < argc; i++) {
        capi_value_init(&vals[i], &argv[i]);
        ptrs[i] = &vals[i];
    }
    if (fn_args != NULL)
        fn_args(&cctx, argc, ptrs);
    else
        fn_final(&cctx);
    cctx.magic = CAPI_MAGIC_DEAD;
    for (int i = 0; i < argc; i++)
        capi_value_clear(&vals[i]);
    if (vals != stack_vals) {
        free(vals);
        free(ptrs);
    }
    return ctx->rc;
}

static int
scalar_call(func_ctx *ctx, int argc, const value *argv)
{
    const capi_function *fn = function_of(ctx);

    return callback_run(ctx, fn, NULL, fn->cb.scalar, NULL, argc, argv);
}

static int
step_call(func_ctx *ctx, int argc, const value *argv)
{
    const capi_function *fn = function_of(ctx);
    agg_state *st = ctx->state;

    st->fn = fn;
    return callback_run(ctx, fn, &st->mem, fn->cb.step, NULL, argc, argv);
}

static int
inverse_call(func_ctx *ctx, int argc, const value *argv)
{
    const capi_function *fn = function_of(ctx);
    agg_state *st = ctx->state;

    return callback_run(ctx, fn, &st->mem, fn->cb.inverse, NULL, argc, argv);
}

static int
value_call(func_ctx *ctx)
{
    const capi_function *fn = function_of(ctx);
    agg_state *st = ctx->state;

    return callback_run(ctx, fn, &st->mem, NULL, fn->cb.value, 0, NULL);
}

/* The application's final over st (F2); frees the context memory and
 * zeroes st. */
static int
final_run(func_ctx *ctx, const capi_function *fn, agg_state *st)
{
    int rc = callback_run(ctx, fn, &st->mem, NULL, fn->cb.final, 0, NULL);

    free(st->mem);
    memset(st, 0, sizeof *st);
    return rc;
}

static int
final_call(func_ctx *ctx)
{
    return final_run(ctx, function_of(ctx), ctx->state);
}

/* F2: a state dropped without final (window frames, stopped statements). */
static void
state_destroy(void *state)
{
    agg_state *st = state;
    func_ctx ctx;

    if (st->fn == NULL)
        return;
    memset(&ctx, 0, sizeof ctx);
    value_set_null(&ctx.result);
    ctx.def = &st->fn->def;
    ctx.state = st;
    final_run(&ctx, st->fn, st);
    value_clear(&ctx.result);
    free(ctx.errmsg);
}

static void
function_free(const func_def *def)
{
    capi_function *fn = (capi_function *)def;

    if (fn->destroy != NULL)
        fn->destroy(fn->user_data);
    free(fn->name);
    free(fn);
}

/* A new function for the callbacks in cb (ownership of user_data is taken
 * only on success). */
static capi_function *
function_new(const char *name, int n_args, int flags, void *user_data,
             const function_callbacks *cb, void (*destroy)(void *))
{
    capi_function *fn = calloc(1, sizeof *fn);

    if (fn == NULL || (fn->name = strdup(name)) == NULL) {
        free(fn);
        return NULL;
    }
    fn->cb = *cb;
    fn->user_data = user_data;
    fn->destroy = destroy;
    fn->def.name = fn->name;
    fn->def.n_args = n_args;
    fn->def.min_args = n_args < 0 ? 0 : n_args;
    fn->def.flags = (flags & CHORUS_DETERMINISTIC) ? FUNC_DETERMINISTIC : 0;
    if (cb->scalar != NULL) {
        fn->def.scalar = scalar_call;
        return fn;
    }
    fn->def.flags |= FUNC_AGGREGATE;
    fn->def.state_size = sizeof(agg_state);
    fn->def.step = step_call;
    fn->def.final = final_call;
    fn->def.destroy = state_destroy;
    if (cb->value != NULL) {
        fn->def.flags |= FUNC_WINDOW;
        fn->def.value = value_call;
        fn->def.inverse = inverse_call;
    }
    return fn;
}

/* Whether cb is one of the shapes chorus.h allows; *remove_out: all NULL. */
static bool
callbacks_valid(const function_callbacks *cb, bool window, bool *remove_out)
{
    bool any = cb->scalar || cb->step || cb->final || cb->value || cb->inverse;
    bool aggregate = cb->step && cb->final;

    *remove_out = !any;
    if (!any)
        return true;
    if (window)
        return aggregate && cb->value && cb->inverse;
    return cb->scalar ? !cb->step && !cb->final : aggregate;
}

/* Puts fn (NULL: removes name/n_args) into conn's set and expires the
 * connection's statements (F1). */
static int
function_install(chorus_conn *conn, capi_function *fn, const char *name, int n_args)
{
    const func_def *old = NULL;
    int rc;

    if (conn->funcs == NULL) {
        if (fn == NULL)
            return CHORUS_OK;
        rc = func_user_set_new(&conn->funcs);
        if (rc != CHORUS_OK)
            return rc;
        vm_conn_set_user_defs(conn->vconn, conn->funcs, conn->colls);
    }
    if (fn != NULL) {
        rc = func_user_define(conn->funcs, &fn->def, &old);
        if (rc != CHORUS_OK)
            return rc;
    } else {
        old = func_user_remove(conn->funcs, name, n_args);
    }
    vm_conn_expire(conn->vconn);
    if (old != NULL)
        function_free(old);
    return CHORUS_OK;
}

int
capi_register_fail(chorus_conn *conn, int rc, const char *message, void *user_data,
                   void (*destroy)(void *))
{
    if (capi_conn_live(conn))
        vm_conn_set_error(conn->vconn, rc, "%s", message);
    if (destroy != NULL)
        destroy(user_data);
    return rc;
}

static int
function_register(chorus_conn *conn, const char *name, int n_args, int flags, void *user_data,
                  const function_callbacks *cb, bool window, void (*destroy)(void *))
{
    capi_function *fn = NULL;
    bool remove;
    int rc;

    if (!capi_conn_live(conn))
        return capi_register_fail(conn, CHORUS_MISUSE, "", user_data, destroy);
    if (name == NULL || name[0] == 0 || strlen(name) > FUNCTION_MAX_NAME ||
        n_args < -1 || n_args > FUNCTION_MAX_ARGS || (flags & ~CHORUS_DETERMINISTIC) != 0 ||
        !callbacks_valid(cb, window, &remove))
        return capi_register_fail(conn, CHORUS_MISUSE, "bad parameter or other API misuse",
                             user_data, destroy);
    if (vm_conn_is_running(conn->vconn) && func_user_has(conn->funcs, name, n_args))
        return capi_register_fail(conn, CHORUS_BUSY,
                             "unable to delete/modify user-function due to active statements",
                             user_data, destroy);
    if (!remove && (fn = function_new(name, n_args, flags, user_data, cb, destroy)) == NULL)
        return capi_register_fail(conn, CHORUS_NOMEM, "out of memory", user_data, destroy);
    rc = function_install(conn, fn, name, n_args);
    if (rc != CHORUS_OK) {
        if (fn != NULL) {
            fn->destroy = NULL;         /* register_fail calls it */
            function_free(&fn->def);
        }
        return capi_register_fail(conn, rc, "out of memory", user_data, destroy);
    }
    if (remove && destroy != NULL)
        destroy(user_data);     /* a removal keeps nothing */
    vm_conn_clear_error(conn->vconn);
    return CHORUS_OK;
}

int
chorus_create_function(chorus_conn *conn, const char *name, int n_args, int flags,
                       void *user_data, chorus_function_fn scalar, chorus_function_fn step,
                       chorus_final_fn final, void (*destroy)(void *))
{
    function_callbacks cb = {scalar, step, final, NULL, NULL};

    return function_register(conn, name, n_args, flags, user_data, &cb, false, destroy);
}

int
chorus_create_window_function(chorus_conn *conn, const char *name, int n_args, int flags,
                              void *user_data, chorus_function_fn step, chorus_final_fn final,
                              chorus_final_fn value, chorus_function_fn inverse,
                              void (*destroy)(void *))
{
    function_callbacks cb = {NULL, step, final, value, inverse};

    return function_register(conn, name, n_args, flags, user_data, &cb, true, destroy);
}

void
capi_functions_free(chorus_conn *conn)
{
    func_user_set_free(conn->funcs, function_free);
    conn->funcs = NULL;
}
