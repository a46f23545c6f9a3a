/*
 * core/func/user.c: application-defined functions of one connection (the
 * set behind chorus_create_function) and the per-thread scope through which
 * func_find() sees them.
 *
 * A func_user_set is a list of borrowed definitions, at most one per (name,
 * n_args). The compiler calls func_find() without naming a connection, so
 * the connection makes its set current for the calling thread while it
 * compiles or runs a statement (func_user_scope_enter/leave, which nest: a
 * function may run a statement of another connection).
 *
 * Rules
 *   U1  User definitions win over built-ins: when the current set holds a
 *       function of the name that accepts the argument count, func_find()
 *       returns it (an exact arity before a variadic one), as SQLite prefers
 *       application functions.
 *   U2  The set borrows its definitions; the caller keeps them alive while
 *       they are in the set and frees what func_user_define/remove hand back.
 *   U3  The scope is thread-local and belongs to the thread running the
 *       connection; nothing here is shared between threads.
 * Callers: registry.c (func_find), core/vm (scope), c-api (define/remove).
 */
#include <stdlib.h>
#include <strings.h>

#include "func_int.h"

struct func_user_set {
    int n, cap;
    const func_def **defs;  /* owned array of borrowed definitions (U2) */
};

/* The set of the connection this thread is running, or NULL (U3). */
static _Thread_local func_user_set *current_set;

int
func_user_set_new(func_user_set **out)
{
    *out = calloc(1, sizeof **out);
    return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

void
func_user_set_free(func_user_set *set, void (*release)(const func_def *def))
{
    if (set == NULL)
        return;
    for (int i = 0; i < set->n; i++)
        release(set->defs[i]);
    free(set->defs);
    free(set);
}

/* The index of the definition of exactly (name, n_args), or -1. */
static int
slot_find(const func_user_set *set, const char *name, int n_args)
{
    for (int i = 0; i < set->n; i++)
        if (set->defs[i]->n_args == n_args && strcasecmp(set->defs[i]->name, name) == 0)
            return i;
    return -1;
}

int
func_user_define(func_user_set *set, const func_def *def, const func_def **replaced_out)
{
    int i = slot_find(set, def->name, def->n_args);

    *replaced_out = NULL;
    if (i >= 0) {
        *replaced_out = set->defs[i];
        set->defs[i] = def;
        return CHORUS_OK;
    }
    if (set->n == set->cap) {
        int cap = set->cap ? set->cap * 2 : 8;
        const func_def **defs = realloc(set->defs, (size_t)cap * sizeof *defs);
        if (defs == NULL)
            return CHORUS_NOMEM;
        set->defs = defs;
        set->cap = cap;
    }
    set->defs[set->n++] = def;
    return CHORUS_OK;
}

const func_def *
func_user_remove(func_user_set *set, const char *name, int n_args)
{
    int i = slot_find(set, name, n_args);
    const func_def *def;

    if (i < 0)
        return NULL;
    def = set->defs[i];
    set->defs[i] = set->defs[--set->n];
    return def;
}

bool
func_user_has(const func_user_set *set, const char *name, int n_args)
{
    return set != NULL && slot_find(set, name, n_args) >= 0;
}

func_user_set *
func_user_scope_enter(func_user_set *set)
{
    func_user_set *prev = current_set;

    current_set = set;
    return prev;
}

void
func_user_scope_leave(func_user_set *prev)
{
    current_set = prev;
}

const func_def *
func_user_at(int i)
{
    const func_user_set *set = current_set;

    return set != NULL && i >= 0 && i < set->n ? set->defs[i] : NULL;
}

const func_def *
func_user_find(const char *name, int n_args, bool *exists_out)
{
    const func_user_set *set = current_set;
    const func_def *variadic = NULL;

    *exists_out = false;
    if (set == NULL)
        return NULL;
    for (int i = 0; i < set->n; i++) {
        const func_def *def = set->defs[i];
        if (strcasecmp(def->name, name) != 0)
            continue;
        *exists_out = true;
        if (def->n_args == n_args)
            return def;             /* U1: an exact arity first */
        if (def->n_args == -1)
            variadic = def;
    }
    return variadic;
}
