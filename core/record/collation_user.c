/*
 * core/record/collation_user.c: application-defined collations
 * (chorus_create_collation): process-wide collation names and the
 * per-connection comparison functions behind them.
 *
 * A collation travels through plans, sorters and the catalog as a small
 * integer (enum collation, one byte in key_info). The built-ins are 0..2; any
 * other name gets an id in COLLATE_USER_FIRST..COLLATE_ID_MAX from a
 * process-wide table of interned names, so that a table or index stored with
 * COLLATE mycoll keeps the same id for every connection. What the id compares
 * with belongs to a connection: its collation_user_set maps ids to the
 * application's functions, and is the thread's scope while the connection
 * compiles or runs (core/vm stmt.c M4).
 *
 * Rules
 *   CU1  A name, once interned, keeps its id until the process ends; ids
 *        are never reused, so a catalog built by one connection is read
 *        correctly by all (at most COLLATE_ID_MAX - COLLATE_USER_FIRST + 1
 *        distinct names per process: CHORUS_FULL beyond).
 *   CU2  A comparison under an id that the thread's scope does not define
 *        compares as BINARY and records the id (the thread's first such
 *        since collation_user_missing_take); the engine turns that into
 *        "no such collation sequence" and rolls the statement back
 *        (core/vm stmt.c M5), so no result or write built on it survives.
 *   CU3  A function is replaced or removed only while no statement of its
 *        connection runs, and the connection's statements compile again
 *        before they next run (vm_conn_expire), so no comparison calls a
 *        removed function.
 *   CU4  Names are interned under names_mutex; an entry is published with a
 *        release store after its bytes are written, and read with an acquire
 *        load (its partner) without the mutex.
 * Callers: compare.c (compare, find, name), core/catalog (intern, defined),
 * core/vm (scope, missing), c-api.
 */
#include "record_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { N_USER_IDS = COLLATE_ID_MAX - COLLATE_USER_FIRST + 1 };

static pthread_mutex_t names_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Entry i names id COLLATE_USER_FIRST + i; owned, never freed (CU1, CU4). */
static _Atomic(char *) names[N_USER_IDS];

/* One function of a set. */
typedef struct user_entry {
    int id;
    collation_user_fn fn;
    void *arg;                  /* the caller's, given to fn */
} user_entry;

struct collation_user_set {
    int n, cap;
    user_entry *entries;        /* owned */
};

/* The set of the connection this thread is running, or NULL. */
static _Thread_local collation_user_set *current_set;
/* The first id compared without a function since the last take (CU2). */
static _Thread_local int missing_id = -1;

static const char *
name_get(int i)
{
    /* Acquire: pairs with the release store in collation_user_intern (CU4). */
    return atomic_load_explicit(&names[i], memory_order_acquire);
}

int
collation_user_intern(const char *name)
{
    int id = -1;

    pthread_mutex_lock(&names_mutex);
    for (int i = 0; i < N_USER_IDS && id < 0; i++) {
        /* Relaxed: names_mutex orders this with every other writer. */
        char *have = atomic_load_explicit(&names[i], memory_order_relaxed);
        if (have == NULL) {
            char *copy = strdup(name);
            if (copy == NULL)
                break;
            /* Release: the bytes of copy are visible to name_get's acquire load. */
            atomic_store_explicit(&names[i], copy, memory_order_release);
            id = COLLATE_USER_FIRST + i;
        } else if (strcasecmp(have, name) == 0) {
            id = COLLATE_USER_FIRST + i;
        }
    }
    pthread_mutex_unlock(&names_mutex);
    return id;
}

const char *
collation_user_name(int id)
{
    if (id < COLLATE_USER_FIRST || id > COLLATE_ID_MAX)
        return NULL;
    return name_get(id - COLLATE_USER_FIRST);
}

/* The index in set (may be NULL) of id's entry, or -1. */
static int
set_find(const collation_user_set *set, int id)
{
    for (int i = 0; set != NULL && i < set->n; i++)
        if (set->entries[i].id == id)
            return i;
    return -1;
}

/* The id of name when it was ever interned, else -1; takes no lock for
 * the common case of a name already seen. */
static int
id_of(const char *name)
{
    for (int i = 0; i < N_USER_IDS; i++) {
        const char *have = name_get(i);
        if (have == NULL)
            return -1;
        if (strcasecmp(have, name) == 0)
            return COLLATE_USER_FIRST + i;
    }
    return -1;
}

bool
collation_user_compare(int id, const char *a, int na, const char *b, int nb, int *out)
{
    int i = set_find(current_set, id);

    if (i < 0) {
        if (missing_id < 0)
            missing_id = id;    /* CU2 */
        return false;
    }
    *out = current_set->entries[i].fn(current_set->entries[i].arg, a, na, b, nb);
    return true;
}

int
collation_user_missing_take(void)
{
    int id = missing_id;

    missing_id = -1;
    return id;
}

bool
collation_user_defined(int id)
{
    return set_find(current_set, id) >= 0;
}

int
collation_user_set_new(collation_user_set **out)
{
    *out = calloc(1, sizeof **out);
    return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

void
collation_user_set_free(collation_user_set *set, void (*release)(void *arg))
{
    if (set == NULL)
        return;
    for (int i = 0; i < set->n; i++)
        release(set->entries[i].arg);
    free(set->entries);
    free(set);
}

int
collation_user_define(collation_user_set *set, const char *name, collation_user_fn fn,
                      void *arg, void **replaced_arg_out)
{
    int id = collation_user_intern(name);
    int i;

    *replaced_arg_out = NULL;
    if (id < 0)
        return name_get(N_USER_IDS - 1) != NULL ? CHORUS_FULL : CHORUS_NOMEM;
    i = set_find(set, id);
    if (i >= 0) {
        *replaced_arg_out = set->entries[i].arg;
        set->entries[i] = (user_entry){id, fn, arg};
        return CHORUS_OK;
    }
    if (set->n == set->cap) {
        int cap = set->cap ? set->cap * 2 : 4;
        user_entry *entries = realloc(set->entries, (size_t)cap * sizeof *entries);
        if (entries == NULL)
            return CHORUS_NOMEM;
        set->entries = entries;
        set->cap = cap;
    }
    set->entries[set->n++] = (user_entry){id, fn, arg};
    return CHORUS_OK;
}

bool
collation_user_remove(collation_user_set *set, const char *name, void **arg_out)
{
    int i = set_find(set, id_of(name));

    *arg_out = NULL;
    if (i < 0)
        return false;
    *arg_out = set->entries[i].arg;
    set->entries[i] = set->entries[--set->n];
    return true;
}

bool
collation_user_has(const collation_user_set *set, const char *name)
{
    return set_find(set, id_of(name)) >= 0;
}

collation_user_set *
collation_user_scope_enter(collation_user_set *set)
{
    collation_user_set *prev = current_set;

    current_set = set;
    return prev;
}

void
collation_user_scope_leave(collation_user_set *prev)
{
    current_set = prev;
}

int
collation_user_find(const char *name)
{
    int id = id_of(name);

    return set_find(current_set, id) >= 0 ? id : -1;
}
