/*
 * core/record/collation_user.c: application-defined collations
 * (chorus_create_collation): process-wide comparison slots and the
 * per-connection names that lead to them.
 *
 * A collation travels through plans and sorters as a small integer (enum
 * collation, one byte in key_info). The built-ins are 0..2; an application
 * collation gets a slot id in COLLATE_USER_FIRST..COLLATE_ID_MAX from a
 * process-wide table, and collation_compare() calls the slot's function. A
 * connection maps names to its slot ids in a collation_user_set, which is
 * the thread's scope while the connection compiles or runs (core/vm
 * stmt.c M4); collation_find() looks there after the built-ins.
 *
 * Rules
 *   CU1  Only statements of the owning connection hold a user id: the
 *        catalog never stores one (catalog/define.c refuses user
 *        collations in table and index definitions), so an id is used only
 *        on the thread running that connection.
 *   CU2  A slot is closed only while no statement of its connection runs,
 *        and the connection's statements compile again before they next
 *        run (vm_conn_expire), so no comparison reads a closed slot.
 *   CU3  Slots are taken and given back under slots_mutex. A slot pointer
 *        is published with a release store after its fields are written;
 *        collation_compare() reads it with an acquire load (its partner).
 * Callers: compare.c (compare, find, name), core/vm (scope), c-api.
 */
#include "record_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct collation_slot {
    collation_user_fn fn;
    void *arg;                  /* the caller's, given to fn */
    char *name;                 /* owned */
} collation_slot;

static pthread_mutex_t slots_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Slot i holds id COLLATE_USER_FIRST + i; NULL when free. Written under
 * slots_mutex, read anywhere (CU3). */
static _Atomic(collation_slot *) slots[COLLATE_ID_MAX - COLLATE_USER_FIRST + 1];

struct collation_user_set {
    int n, cap;
    int *ids;                   /* owned: the set's slot ids */
};

/* The set of the connection this thread is running, or NULL (CU1). */
static _Thread_local collation_user_set *current_set;

static collation_slot *
slot_get(int id)
{
    if (id < COLLATE_USER_FIRST || id > COLLATE_ID_MAX)
        return NULL;
    /* Acquire: pairs with the release store in slot_open (CU3). */
    return atomic_load_explicit(&slots[id - COLLATE_USER_FIRST], memory_order_acquire);
}

/* Takes a free slot for fn/arg/name; CHORUS_FULL when all are taken. */
static int
slot_open(const char *name, collation_user_fn fn, void *arg, int *id_out)
{
    collation_slot *slot = calloc(1, sizeof *slot);
    int rc = CHORUS_FULL;

    if (slot == NULL || (slot->name = strdup(name)) == NULL) {
        free(slot);
        return CHORUS_NOMEM;
    }
    slot->fn = fn;
    slot->arg = arg;
    pthread_mutex_lock(&slots_mutex);
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(slots); i++) {
        /* Relaxed: slots_mutex orders this with every other writer. */
        if (atomic_load_explicit(&slots[i], memory_order_relaxed) == NULL) {
            /* Release: the fields above are visible to collation_compare's
             * acquire load of this slot. */
            atomic_store_explicit(&slots[i], slot, memory_order_release);
            *id_out = COLLATE_USER_FIRST + (int)i;
            rc = CHORUS_OK;
            break;
        }
    }
    pthread_mutex_unlock(&slots_mutex);
    if (rc != CHORUS_OK) {
        free(slot->name);
        free(slot);
    }
    return rc;
}

static void
slot_close(int id)
{
    collation_slot *slot;

    pthread_mutex_lock(&slots_mutex);
    slot = atomic_load_explicit(&slots[id - COLLATE_USER_FIRST], memory_order_relaxed);
    /* Relaxed: no reader of this id is left (CU2). */
    atomic_store_explicit(&slots[id - COLLATE_USER_FIRST], NULL, memory_order_relaxed);
    pthread_mutex_unlock(&slots_mutex);
    free(slot->name);
    free(slot);
}

bool
collation_user_compare(int id, const char *a, int na, const char *b, int nb, int *out)
{
    const collation_slot *slot = slot_get(id);

    if (slot == NULL)
        return false;
    *out = slot->fn(slot->arg, a, na, b, nb);
    return true;
}

const char *
collation_user_name(int id)
{
    const collation_slot *slot = slot_get(id);

    return slot != NULL ? slot->name : NULL;
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
    for (int i = 0; i < set->n; i++) {
        release(slot_get(set->ids[i])->arg);
        slot_close(set->ids[i]);
    }
    free(set->ids);
    free(set);
}

/* The index in set of the collation called name, or -1. */
static int
set_find(const collation_user_set *set, const char *name)
{
    for (int i = 0; i < set->n; i++)
        if (strcasecmp(slot_get(set->ids[i])->name, name) == 0)
            return i;
    return -1;
}

int
collation_user_define(collation_user_set *set, const char *name, collation_user_fn fn,
                      void *arg, void **replaced_arg_out)
{
    int i = set_find(set, name);
    int id, rc;

    *replaced_arg_out = NULL;
    if (i < 0 && set->n == set->cap) {
        int cap = set->cap ? set->cap * 2 : 4;
        int *ids = realloc(set->ids, (size_t)cap * sizeof *ids);
        if (ids == NULL)
            return CHORUS_NOMEM;
        set->ids = ids;
        set->cap = cap;
    }
    rc = slot_open(name, fn, arg, &id);
    if (rc != CHORUS_OK)
        return rc;
    if (i >= 0) {
        *replaced_arg_out = slot_get(set->ids[i])->arg;
        slot_close(set->ids[i]);
        set->ids[i] = id;
    } else {
        set->ids[set->n++] = id;
    }
    return CHORUS_OK;
}

bool
collation_user_remove(collation_user_set *set, const char *name, void **arg_out)
{
    int i = set_find(set, name);

    *arg_out = NULL;
    if (i < 0)
        return false;
    *arg_out = slot_get(set->ids[i])->arg;
    slot_close(set->ids[i]);
    set->ids[i] = set->ids[--set->n];
    return true;
}

bool
collation_user_has(const collation_user_set *set, const char *name)
{
    return set != NULL && set_find(set, name) >= 0;
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
    const collation_user_set *set = current_set;
    int i = set != NULL ? set_find(set, name) : -1;

    return i < 0 ? -1 : set->ids[i];
}
