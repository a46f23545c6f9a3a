/*
 * core/vm/rows.c: in-memory row stores: vm_rows (an append-only list of
 * rows with a stable sort; ORDER BY, GROUP BY, materialized subqueries,
 * collected UPDATE/DELETE targets) and vm_rowset (a hash set of rows;
 * DISTINCT, UNION, INTERSECT, EXCEPT, IN (select), DISTINCT aggregates).
 *
 * Invariants
 *   R1  A stored row owns nothing itself: its text and blob bytes are
 *       copied into the store's arena, so a row costs no malloc of its own
 *       (the arena grows in blocks; the row pointer array doubles).
 *   R2  Rows compare as value_compare under a per-column collation; the
 *       hash agrees with it: integers and reals with an integral value hash
 *       alike, NOCASE text hashes folded, RTRIM text without trailing spaces;
 *       text under an application collation (whose equality the engine
 *       cannot know) hashes to one value, so only the comparison decides.
 *   R3  The sort is a merge sort, stable: rows with equal keys keep their
 *       arrival order.
 *   R4  vm_rows_offer keeps the `keep` smallest rows offered (ORDER BY with
 *       LIMIT: a top-N sort) in a heap of row pointers; the keys must
 *       order rows totally (the caller adds an arrival number as the last
 *       key), and a row no better than the worst kept one is not copied.
 *       The rows come out in heap order: vm_rows_sort them after.
 *   R5  vm_rows_push / vm_rows_pop make the store a priority queue (a
 *       recursive CTE's ORDER BY): pop takes the smallest row under keys
 *       that order rows totally; its bytes stay in the arena until the
 *       store is freed.
 * Callers: the executor files of core/vm.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

int
vm_rows_new(int n_cols, vm_rows **out)
{
    vm_rows *r = calloc(1, sizeof *r);

    *out = NULL;
    if (r == NULL)
        return CHORUS_NOMEM;
    r->n_cols = n_cols;
    arena_init(&r->a);
    *out = r;
    return CHORUS_OK;
}

void
vm_rows_free(vm_rows *rows)
{
    if (rows == NULL)
        return;
    arena_free(&rows->a);
    free(rows->rows);
    free(rows);
}

/* Copies vals into memory of the arena (R1). */
static value *
row_copy(arena *a, const value *vals, int n)
{
    value *row = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *row);

    if (row == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        row[i] = vals[i];
        row[i].flags = VALUE_BORROWED;
        if ((vals[i].type == VALUE_TEXT || vals[i].type == VALUE_BLOB) && vals[i].n > 0) {
            char *z = arena_alloc(a, (size_t)vals[i].n + 1);
            if (z == NULL)
                return NULL;
            memcpy(z, vals[i].u.z, (size_t)vals[i].n);
            row[i].u.z = z;
        } else if (vals[i].type == VALUE_TEXT || vals[i].type == VALUE_BLOB) {
            row[i].u.z = "";
        }
    }
    return row;
}

int
vm_rows_append(vm_rows *rows, const value *vals)
{
    value *row;

    if (rows->n == rows->cap) {
        int64_t cap = rows->cap ? rows->cap * 2 : 64;
        value **p = realloc(rows->rows, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        rows->rows = p;
        rows->cap = cap;
    }
    row = row_copy(&rows->a, vals, rows->n_cols);
    if (row == NULL)
        return CHORUS_NOMEM;
    rows->rows[rows->n++] = row;
    return CHORUS_OK;
}

int
vm_row_compare(const value *a, const value *b, int n, const uint8_t *coll)
{
    for (int i = 0; i < n; i++) {
        int c = value_compare(&a[i], &b[i], coll ? (collation)coll[i] : COLLATE_BINARY);
        if (c != 0)
            return c;
    }
    return 0;
}

typedef struct sort_keys {
    int n;
    const int *col;
    const uint8_t *desc;
    const uint8_t *coll;
} sort_keys;

static int
key_compare(const sort_keys *k, const value *a, const value *b)
{
    for (int i = 0; i < k->n; i++) {
        const value *x = &a[k->col[i]], *y = &b[k->col[i]];
        int c;
        if (x->type == VALUE_INTEGER && y->type == VALUE_INTEGER)    /* the usual key, inline */
            c = (x->u.i > y->u.i) - (x->u.i < y->u.i);
        else
            c = value_compare(x, y, (collation)k->coll[i]);
        if (c == 0)
            continue;
        if (k->desc[i] & PLAN_ORDER_DESC)
            c = -c;
        if ((k->desc[i] & PLAN_ORDER_NULLS_FLIP) &&
            (x->type == VALUE_NULL) != (y->type == VALUE_NULL))
            c = -c;
        return c;
    }
    return 0;
}

static void
merge_sort(value **a, value **tmp, int64_t n, const sort_keys *k)
{
    int64_t mid, i, j, o;

    if (n < 2)
        return;
    mid = n / 2;
    merge_sort(a, tmp, mid, k);
    merge_sort(a + mid, tmp, n - mid, k);
    if (key_compare(k, a[mid - 1], a[mid]) <= 0)
        return;
    memcpy(tmp, a, (size_t)mid * sizeof *tmp);
    i = 0;
    j = mid;
    o = 0;
    while (i < mid && j < n) {
        if (key_compare(k, a[j], tmp[i]) < 0)
            a[o++] = a[j++];
        else
            a[o++] = tmp[i++];
    }
    while (i < mid)
        a[o++] = tmp[i++];
}

int
vm_rows_sort(vm_rows *rows, int n_keys, const int *key_col, const uint8_t *desc,
             const uint8_t *coll)
{
    sort_keys k = {n_keys, key_col, desc, coll};
    value **tmp;

    if (rows->n < 2)
        return CHORUS_OK;
    tmp = malloc((size_t)(rows->n / 2 + 1) * sizeof *tmp);
    if (tmp == NULL)
        return CHORUS_NOMEM;
    merge_sort(rows->rows, tmp, rows->n, &k);
    free(tmp);
    return CHORUS_OK;
}

/* R4, R5: heaps of row pointers; sign 1 keeps the largest row under the
 * keys at the root, -1 the smallest. */
static void
heap_sift_down(value **h, int64_t n, int64_t i, const sort_keys *k, int sign)
{
    for (;;) {
        int64_t l = 2 * i + 1, top = i;
        if (l < n && sign * key_compare(k, h[l], h[top]) > 0)
            top = l;
        if (l + 1 < n && sign * key_compare(k, h[l + 1], h[top]) > 0)
            top = l + 1;
        if (top == i)
            return;
        value *t = h[i];
        h[i] = h[top];
        h[top] = t;
        i = top;
    }
}

static void
heap_sift_up(value **h, int64_t i, const sort_keys *k, int sign)
{
    for (; i > 0 && sign * key_compare(k, h[(i - 1) / 2], h[i]) < 0; i = (i - 1) / 2) {
        value *t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
    }
}

int
vm_rows_offer(vm_rows *rows, int64_t keep, int n_keys, const int *key_col,
              const uint8_t *desc, const uint8_t *coll, const value *vals)
{
    sort_keys k = {n_keys, key_col, desc, coll};
    value *row;

    if (rows->n < keep) {
        int rc = vm_rows_append(rows, vals);
        if (rc == CHORUS_OK)
            heap_sift_up(rows->rows, rows->n - 1, &k, 1);
        return rc;
    }
    if (keep <= 0 || key_compare(&k, vals, rows->rows[0]) >= 0)
        return CHORUS_OK;       /* no better than the worst kept row */
    row = row_copy(&rows->a, vals, rows->n_cols);   /* the old root's bytes stay in the arena */
    if (row == NULL)
        return CHORUS_NOMEM;
    rows->rows[0] = row;
    heap_sift_down(rows->rows, rows->n, 0, &k, 1);
    return CHORUS_OK;
}

int
vm_rows_push(vm_rows *rows, int n_keys, const int *key_col, const uint8_t *desc,
             const uint8_t *coll, const value *vals)
{
    sort_keys k = {n_keys, key_col, desc, coll};
    int rc = vm_rows_append(rows, vals);

    if (rc == CHORUS_OK)
        heap_sift_up(rows->rows, rows->n - 1, &k, -1);
    return rc;
}

value *
vm_rows_pop(vm_rows *rows, int n_keys, const int *key_col, const uint8_t *desc,
            const uint8_t *coll)
{
    sort_keys k = {n_keys, key_col, desc, coll};
    value *top;

    if (rows->n == 0)
        return NULL;
    top = rows->rows[0];
    rows->rows[0] = rows->rows[--rows->n];
    heap_sift_down(rows->rows, rows->n, 0, &k, -1);
    return top;
}

/* ---------------------------------------------------------------- rowset */

struct vm_rowset {
    int n_cols;
    uint8_t coll[KEY_INFO_MAX];
    uint64_t n, cap;        /* cap is a power of two */
    value **slots;          /* NULL or a row in a */
    uint64_t *hashes;
    arena a;
};

int
vm_rowset_new(int n_cols, const uint8_t *coll, vm_rowset **out)
{
    vm_rowset *s = calloc(1, sizeof *s);

    *out = NULL;
    if (s == NULL)
        return CHORUS_NOMEM;
    s->n_cols = n_cols;
    for (int i = 0; i < n_cols && i < KEY_INFO_MAX; i++)
        s->coll[i] = coll ? coll[i] : COLLATE_BINARY;
    arena_init(&s->a);
    *out = s;
    return CHORUS_OK;
}

void
vm_rowset_clear(vm_rowset *set)
{
    if (set->slots != NULL)
        memset(set->slots, 0, (size_t)set->cap * sizeof *set->slots);
    set->n = 0;
    arena_reset(&set->a);
}

void
vm_rowset_free(vm_rowset *set)
{
    if (set == NULL)
        return;
    arena_free(&set->a);
    free(set->slots);
    free(set->hashes);
    free(set);
}

static uint64_t
mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t
hash_text(const value *v, uint8_t coll)
{
    uint64_t h = 1469598103934665603ULL;
    int n = v->n;

    if (coll >= COLLATE_USER_FIRST)
        return h;                   /* R2 */
    if (coll == COLLATE_RTRIM)
        while (n > 0 && v->u.z[n - 1] == ' ')
            n--;
    for (int i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v->u.z[i];
        if (coll == COLLATE_NOCASE && ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch + 32);
        h = (h ^ ch) * 1099511628211ULL;
    }
    return h;
}

/* R2. */
uint64_t
vm_values_hash(const value *vals, int n, const uint8_t *coll)
{
    uint64_t h = 0;

    for (int i = 0; i < n; i++) {
        const value *v = &vals[i];
        uint64_t x;
        switch (v->type) {
        case VALUE_INTEGER:
            x = (uint64_t)v->u.i;
            break;
        case VALUE_REAL:
            if (v->u.r >= -9223372036854775808.0 && v->u.r < 9223372036854775808.0 &&
                v->u.r == floor(v->u.r)) {      /* every integral real an int64 holds */
                x = (uint64_t)(int64_t)v->u.r;
            } else {
                memcpy(&x, &v->u.r, sizeof x);
            }
            break;
        case VALUE_TEXT:
            x = hash_text(v, coll[i]) ^ 0x7;
            break;
        case VALUE_BLOB: {
            value t = *v;
            x = hash_text(&t, COLLATE_BINARY) ^ 0x11;
            break;
        }
        default:
            x = 0x5555;
            break;
        }
        h = mix(h, x);
    }
    return h;
}

static uint64_t
hash_row(const vm_rowset *s, const value *vals)
{
    return vm_values_hash(vals, s->n_cols, s->coll);
}

static bool
row_equal(const vm_rowset *s, const value *a, const value *b)
{
    for (int i = 0; i < s->n_cols; i++)
        if (value_compare(&a[i], &b[i], (collation)s->coll[i]) != 0)
            return false;
    return true;
}

static int
grow(vm_rowset *s)
{
    uint64_t cap = s->cap ? s->cap * 2 : 64;
    value **slots = calloc((size_t)cap, sizeof *slots);
    uint64_t *hashes = calloc((size_t)cap, sizeof *hashes);

    if (slots == NULL || hashes == NULL) {
        free(slots);
        free(hashes);
        return CHORUS_NOMEM;
    }
    for (uint64_t i = 0; i < s->cap; i++) {
        uint64_t j;
        if (s->slots[i] == NULL)
            continue;
        for (j = s->hashes[i] & (cap - 1); slots[j] != NULL; j = (j + 1) & (cap - 1))
            ;
        slots[j] = s->slots[i];
        hashes[j] = s->hashes[i];
    }
    free(s->slots);
    free(s->hashes);
    s->slots = slots;
    s->hashes = hashes;
    s->cap = cap;
    return CHORUS_OK;
}

static uint64_t
find_slot(const vm_rowset *s, const value *vals, uint64_t h, bool *found)
{
    uint64_t j = h & (s->cap - 1);

    *found = false;
    for (; s->slots[j] != NULL; j = (j + 1) & (s->cap - 1)) {
        if (s->hashes[j] == h && row_equal(s, s->slots[j], vals)) {
            *found = true;
            break;
        }
    }
    return j;
}

int
vm_rowset_add(vm_rowset *set, const value *vals, bool *added_out)
{
    uint64_t h = hash_row(set, vals), j;
    bool found;
    int rc;

    *added_out = false;
    if ((set->n + 1) * 2 > set->cap) {
        rc = grow(set);
        if (rc != CHORUS_OK)
            return rc;
    }
    j = find_slot(set, vals, h, &found);
    if (found)
        return CHORUS_OK;
    set->slots[j] = row_copy(&set->a, vals, set->n_cols);
    if (set->slots[j] == NULL)
        return CHORUS_NOMEM;
    set->hashes[j] = h;
    set->n++;
    *added_out = true;
    return CHORUS_OK;
}

/* vals NULL asks whether the set is non-empty. */
bool
vm_rowset_contains(vm_rowset *set, const value *vals)
{
    bool found;

    if (set == NULL || set->cap == 0)
        return false;
    if (vals == NULL)
        return set->n > 0;
    find_slot(set, vals, hash_row(set, vals), &found);
    return found;
}
