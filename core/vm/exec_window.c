/*
 * core/vm/exec_window.c: window functions. The rows of a core (its loops,
 * or its groups when it aggregates) are evaluated into window rows
 * (plan_query.wcols, core/compile/window.c) and stored; then, for each
 * window definition, the rows are sorted by its PARTITION BY and ORDER BY
 * keys and every call of that definition writes its result into its slot
 * of each row; the core's output then reads the stored rows in order.
 *
 * Rules
 *   WN1 Definitions are processed from the last to the first with stable
 *       sorts, so rows come out in the first definition's order, ties in
 *       the order the later ones left (compile window.c W2).
 *   WN2 Frames are computed per row as a half-open range [start, end) of
 *       the partition, minus the rows EXCLUDE removes. Aggregates slide:
 *       rows entering the frame are stepped, rows leaving it inverted, in
 *       order; a frame with exclusions, a function without inverse() whose
 *       frame start moved, or a frame that shrank is recomputed from its
 *       rows. FILTER skips a row for both step and inverse.
 *   WN3 Peers are rows of a partition with equal ORDER BY keys (all rows
 *       when there is no ORDER BY); RANGE and GROUPS bounds and CURRENT ROW
 *       outside ROWS move by peer groups.
 *   WN4 A result written into a window row copies its bytes into the row
 *       store's arena (rows.c R1): no malloc per row.
 * Callers: exec_query.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* One partition being computed: rows[0..n) of the store, its peer groups
 * (grp[i]: the group of row i; gb[g]: the first row of group g, gb[ng] = n). */
typedef struct part {
    value **rows;
    int64_t n;
    int64_t *grp;
    int64_t *gb;
    int64_t ng;
} part;

/* The frame offsets of a definition, evaluated once per run. */
typedef struct frame_off {
    value start, end;       /* N of N PRECEDING / FOLLOWING (owned) */
} frame_off;

/* ------------------------------------------------------------- storing */

/* WN4: copies v into slot, bytes into the store's arena. */
static int
slot_set(vm_rows *rows, value *slot, const value *v)
{
    *slot = *v;
    slot->flags = VALUE_BORROWED;
    if (v->type == VALUE_TEXT || v->type == VALUE_BLOB) {
        char *z = arena_alloc(&rows->a, (size_t)v->n + 1);
        if (z == NULL)
            return CHORUS_NOMEM;
        if (v->n > 0)
            memcpy(z, v->u.z, (size_t)v->n);
        z[v->n] = 0;
        slot->u.z = z;
    }
    return CHORUS_OK;
}

static int
fill_rows(vm_run *r, plan_query *q)
{
    int width = q->n_wcols + q->n_windows;
    value *tmp = calloc((size_t)(width ? width : 1), sizeof *tmp);
    int rc;

    if (tmp == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < width; i++)
        value_set_null(&tmp[i]);
    rc = vm_rows_new(width, &q->win_rows);
    while (rc == CHORUS_OK) {
        rc = q->is_agg ? vm_agg_next(r, q) : vm_loop_next(r, q);
        if (rc != CHORUS_ROW)
            break;
        rc = CHORUS_OK;
        for (int i = 0; i < q->n_wcols && rc == CHORUS_OK; i++)
            rc = vm_eval(r, q->wcols[i], &tmp[i]);
        if (rc == CHORUS_OK)
            rc = vm_rows_append(q->win_rows, tmp);
        vm_values_clear(tmp, q->n_wcols);
    }
    free(tmp);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

/* -------------------------------------------------------------- frames */

static int
offset_eval(vm_run *r, cx *e, bool is_range, bool is_start, value *out)
{
    value v;
    int rc;

    value_set_null(out);
    if (e == NULL)
        return CHORUS_OK;
    rc = vm_eval(r, e, &v);
    if (rc != CHORUS_OK)
        return rc;
    rc = value_copy(out, &v);
    value_clear(&v);
    if (rc != CHORUS_OK)
        return rc;
    if (out->type == VALUE_TEXT && value_looks_numeric(out->u.z, out->n)) {
        value n;
        value_text_to_numeric(out->u.z, out->n, &n);
        value_clear(out);
        *out = n;
    }
    if ((out->type == VALUE_INTEGER && out->u.i >= 0) ||
        (out->type == VALUE_REAL && out->u.r >= 0 &&
         (is_range || out->u.r == floor(out->u.r))))
        return CHORUS_OK;
    value_clear(out);
    return vm_run_error(r, CHORUS_ERROR, "frame %s offset must be a non-negative %s",
                        is_start ? "starting" : "ending", is_range ? "number" : "integer");
}

/* An integer offset, clamped to [0, limit]. */
static int64_t
offset_rows(const value *v, int64_t limit)
{
    double d = v->type == VALUE_INTEGER ? (double)v->u.i : v->u.r;

    if (d > (double)limit)
        return limit;
    return v->type == VALUE_INTEGER ? v->u.i : (int64_t)d;
}

/* The RANGE bound key(i) -/+ N, as the ORDER BY direction reads it. */
static void
range_target(const value *key, const value *off, bool preceding, bool desc, value *out)
{
    bool sub = preceding != desc;
    double k, o;

    if (key->type != VALUE_INTEGER && key->type != VALUE_REAL) {
        *out = *key;        /* text and blobs: the bound is the value itself */
        return;
    }
    if (key->type == VALUE_INTEGER && off->type == VALUE_INTEGER) {
        int64_t res;
        if (!(sub ? __builtin_sub_overflow(key->u.i, off->u.i, &res)
                  : __builtin_add_overflow(key->u.i, off->u.i, &res))) {
            value_set_int(out, res);
            return;
        }
    }
    k = key->type == VALUE_INTEGER ? (double)key->u.i : key->u.r;
    o = off->type == VALUE_INTEGER ? (double)off->u.i : off->u.r;
    value_set_real(out, sub ? k - o : k + o);
}

/* First row j of the partition for which the key, compared with target,
 * passes: is_end picks "key beyond target", otherwise "key not before
 * target" (in the ORDER BY direction). The predicate is monotone. */
static int64_t
range_search(const part *p, int key, const value *target, bool desc, bool is_end)
{
    int64_t lo = 0, hi = p->n;

    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int cmp = value_compare(&p->rows[mid][key], target, COLLATE_BINARY);
        bool pass;
        if (desc)
            cmp = -cmp;
        pass = is_end ? cmp > 0 : cmp >= 0;
        if (desc && p->rows[mid][key].type == VALUE_NULL)
            pass = true;        /* NULLs sort last in descending order */
        if (pass)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The frame bound b of row i: a row index of the partition, a start
 * (first row in) or an end (first row out). */
static int64_t
frame_bound(const plan_windef *d, const part *p, int64_t i, uint8_t b, const value *off,
            bool is_end)
{
    int64_t g = p->grp[i], n;

    switch (b) {
    case AST_BOUND_UNBOUNDED_PRECEDING:
        return 0;
    case AST_BOUND_UNBOUNDED_FOLLOWING:
        return p->n;
    case AST_BOUND_CURRENT_ROW:
        if (d->unit == AST_FRAME_ROWS)
            return is_end ? i + 1 : i;
        return is_end ? p->gb[g + 1] : p->gb[g];
    default:
        break;
    }
    if (d->unit == AST_FRAME_ROWS) {
        n = offset_rows(off, p->n);
        if (b == AST_BOUND_PRECEDING)
            return i - n + is_end < 0 ? 0 : i - n + is_end;
        return i + n + is_end > p->n ? p->n : i + n + is_end;
    }
    if (d->unit == AST_FRAME_GROUPS) {
        n = offset_rows(off, p->ng);
        g = b == AST_BOUND_PRECEDING ? g - n : g + n;
        if (g < 0)
            return 0;
        if (g >= p->ng)
            return p->n;
        return is_end ? p->gb[g + 1] : p->gb[g];
    }
    {
        int key = d->first_key + d->n_part;
        const value *k = &p->rows[i][key];
        bool desc = d->desc[d->n_part];
        value target;
        if (k->type == VALUE_NULL)
            return is_end ? p->gb[g + 1] : p->gb[g];
        range_target(k, off, b == AST_BOUND_PRECEDING, desc, &target);
        return range_search(p, key, &target, desc, is_end);
    }
}

/* Whether row j of the frame of row i is excluded (EXCLUDE ...). */
static bool
excluded(const plan_windef *d, const part *p, int64_t i, int64_t j)
{
    switch (d->exclude) {
    case AST_EXCLUDE_CURRENT_ROW:
        return j == i;
    case AST_EXCLUDE_GROUP:
        return p->grp[j] == p->grp[i];
    case AST_EXCLUDE_TIES:
        return j != i && p->grp[j] == p->grp[i];
    default:
        return false;
    }
}

static void
frame_of(const plan_windef *d, const part *p, const frame_off *off, int64_t i,
         int64_t *start, int64_t *end)
{
    *start = frame_bound(d, p, i, d->start_bound, &off->start, false);
    *end = frame_bound(d, p, i, d->end_bound, &off->end, true);
    if (*end < *start)
        *end = *start;
}

/* ---------------------------------------------------------- aggregates */

typedef struct agg_run {
    vm_run *r;
    const plan_window *w;
    void *state;
    int64_t cs, ce;         /* rows [cs, ce) are stepped in; cs < 0: nothing valid */
} agg_run;

static int
agg_call(agg_run *a, const value *row, bool inverse)
{
    const plan_window *w = a->w;
    func_ctx ctx;
    int rc;

    if (w->filter_col >= 0 && value_truth(&row[w->filter_col]) != 1)
        return CHORUS_OK;
    memset(&ctx, 0, sizeof ctx);
    value_set_null(&ctx.result);
    ctx.state = a->state;
    ctx.coll = (collation)w->coll;
    ctx.env = &a->r->env;
    ctx.def = w->fn;
    if (inverse)
        w->fn->inverse(&ctx, w->n_args, row + w->first_arg);
    else
        w->fn->step(&ctx, w->n_args, row + w->first_arg);
    rc = ctx.rc;
    value_clear(&ctx.result);
    if (rc != CHORUS_OK)
        rc = vm_run_error(a->r, rc, "%s", ctx.errmsg ? ctx.errmsg : "window function failed");
    free(ctx.errmsg);
    return rc;
}

static void
agg_reset(agg_run *a)
{
    if (a->w->fn->destroy != NULL)
        a->w->fn->destroy(a->state);
    memset(a->state, 0, a->w->fn->state_size);
}

/* WN2: brings the state to the frame of row i. */
static int
agg_move(agg_run *a, const plan_windef *d, const part *p, int64_t i, int64_t fs, int64_t fe)
{
    bool slide = d->exclude == AST_EXCLUDE_NO_OTHERS && a->cs >= 0 && fs >= a->cs &&
                 fe >= a->ce && fe > fs && (fs == a->cs || a->w->fn->inverse != NULL);
    int rc = CHORUS_OK;

    if (!slide) {
        agg_reset(a);
        for (int64_t j = fs; j < fe && rc == CHORUS_OK; j++)
            if (!excluded(d, p, i, j))
                rc = agg_call(a, p->rows[j], false);
        a->cs = d->exclude == AST_EXCLUDE_NO_OTHERS ? fs : -1;
        a->ce = fe;
        return rc;
    }
    for (int64_t j = a->ce; j < fe && rc == CHORUS_OK; j++)
        rc = agg_call(a, p->rows[j], false);
    for (int64_t j = a->cs; j < fs && rc == CHORUS_OK; j++)
        rc = agg_call(a, p->rows[j], true);
    a->cs = fs;
    a->ce = fe;
    return rc;
}

static int
agg_value(agg_run *a, value *out)
{
    func_ctx ctx;
    int rc;

    memset(&ctx, 0, sizeof ctx);
    value_set_null(&ctx.result);
    ctx.state = a->state;
    ctx.coll = (collation)a->w->coll;
    ctx.env = &a->r->env;
    ctx.def = a->w->fn;
    a->w->fn->value(&ctx);
    rc = ctx.rc;
    if (rc != CHORUS_OK) {
        value_clear(&ctx.result);
        rc = vm_run_error(a->r, rc, "%s", ctx.errmsg ? ctx.errmsg : "window function failed");
    }
    free(ctx.errmsg);
    *out = ctx.result;
    return rc;
}

static int
compute_aggregate(vm_run *r, plan_query *q, const plan_windef *d, const plan_window *w,
                  const part *p, const frame_off *off, int slot)
{
    agg_run a = {r, w, NULL, -1, 0};
    int rc = CHORUS_OK;

    a.state = calloc(1, w->fn->state_size ? w->fn->state_size : 1);
    if (a.state == NULL)
        return CHORUS_NOMEM;
    for (int64_t i = 0; i < p->n && rc == CHORUS_OK; i++) {
        int64_t fs, fe;
        value v;
        frame_of(d, p, off, i, &fs, &fe);
        rc = agg_move(&a, d, p, i, fs, fe);
        if (rc == CHORUS_OK)
            rc = agg_value(&a, &v);
        if (rc == CHORUS_OK) {
            rc = slot_set(q->win_rows, &p->rows[i][slot], &v);
            value_clear(&v);
        }
    }
    if (w->fn->destroy != NULL)
        w->fn->destroy(a.state);
    free(a.state);
    return rc;
}

/* ------------------------------------------------------------ built-ins */

/* An argument as an integer, when it is one (reals with an integral value
 * count). */
static bool
arg_integer(const value *v, int64_t *out)
{
    if (v->type == VALUE_INTEGER) {
        *out = v->u.i;
        return true;
    }
    if (v->type == VALUE_REAL && v->u.r == floor(v->u.r) && fabs(v->u.r) < 9.2e18) {
        *out = (int64_t)v->u.r;
        return true;
    }
    return false;
}

/* The k-th (0-based) row of row i's frame that is not excluded, or -1. */
static int64_t
frame_row(const plan_windef *d, const part *p, const frame_off *off, int64_t i, int64_t k,
          bool from_end)
{
    int64_t fs, fe;

    frame_of(d, p, off, i, &fs, &fe);
    if (!from_end) {
        for (int64_t j = fs; j < fe; j++)
            if (!excluded(d, p, i, j) && k-- == 0)
                return j;
    } else {
        for (int64_t j = fe - 1; j >= fs; j--)
            if (!excluded(d, p, i, j) && k-- == 0)
                return j;
    }
    return -1;
}

static int64_t
ntile_of(int64_t i, int64_t n, int64_t buckets)
{
    int64_t size, extra;

    if (buckets >= n)
        return i + 1;
    size = n / buckets;
    extra = n % buckets;
    if (i < extra * (size + 1))
        return i / (size + 1) + 1;
    return extra + (i - extra * (size + 1)) / size + 1;
}

/* The value of built-in w for row i into *out (borrowed from the rows). */
static int
builtin_value(vm_run *r, const plan_windef *d, const plan_window *w, const part *p,
              const frame_off *off, int64_t i, value *out)
{
    const value *row = p->rows[i], *args = row + w->first_arg;
    int64_t g = p->grp[i], k, j;

    value_set_null(out);
    switch (w->builtin) {
    case WIN_ROW_NUMBER:
        value_set_int(out, i + 1);
        break;
    case WIN_RANK:
        value_set_int(out, p->gb[g] + 1);
        break;
    case WIN_DENSE_RANK:
        value_set_int(out, g + 1);
        break;
    case WIN_PERCENT_RANK:
        value_set_real(out, p->n > 1 ? (double)p->gb[g] / (double)(p->n - 1) : 0.0);
        break;
    case WIN_CUME_DIST:
        value_set_real(out, (double)p->gb[g + 1] / (double)p->n);
        break;
    case WIN_NTILE:
        if (!arg_integer(&args[0], &k) || k <= 0)
            return vm_run_error(r, CHORUS_ERROR, "argument of ntile must be a positive integer");
        value_set_int(out, ntile_of(i, p->n, k));
        break;
    case WIN_LAG:
    case WIN_LEAD:
        k = 1;
        j = -1;             /* a non-integer offset reads no row: the default */
        if (w->n_args < 2 || arg_integer(&args[1], &k))
            j = w->builtin == WIN_LAG ? i - k : i + k;
        if (j >= 0 && j < p->n)
            *out = p->rows[j][w->first_arg];
        else if (w->n_args == 3)
            *out = args[2];
        out->flags = VALUE_BORROWED;
        break;
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
        j = frame_row(d, p, off, i, 0, w->builtin == WIN_LAST_VALUE);
        if (j >= 0) {
            *out = p->rows[j][w->first_arg];
            out->flags = VALUE_BORROWED;
        }
        break;
    case WIN_NTH_VALUE:
        if (!arg_integer(&args[1], &k) || k <= 0)
            return vm_run_error(r, CHORUS_ERROR,
                                "second argument to nth_value must be a positive integer");
        j = frame_row(d, p, off, i, k - 1, false);
        if (j >= 0) {
            *out = p->rows[j][w->first_arg];
            out->flags = VALUE_BORROWED;
        }
        break;
    default:
        break;
    }
    return CHORUS_OK;
}

static int
compute_builtin(vm_run *r, plan_query *q, const plan_windef *d, const plan_window *w,
                const part *p, const frame_off *off, int slot)
{
    value *vals = malloc((size_t)(p->n ? p->n : 1) * sizeof *vals);
    int rc = CHORUS_OK;

    if (vals == NULL)
        return CHORUS_NOMEM;
    /* All values first: lag/lead read other rows' arguments, not results. */
    for (int64_t i = 0; i < p->n && rc == CHORUS_OK; i++)
        rc = builtin_value(r, d, w, p, off, i, &vals[i]);
    for (int64_t i = 0; i < p->n && rc == CHORUS_OK; i++)
        rc = slot_set(q->win_rows, &p->rows[i][slot], &vals[i]);
    free(vals);
    return rc;
}

/* ---------------------------------------------------------- partitions */

static void
part_groups(const plan_windef *d, part *p)
{
    int first = d->first_key + d->n_part;

    p->ng = 0;
    for (int64_t i = 0; i < p->n; i++) {
        if (i == 0 || vm_row_compare(p->rows[i - 1] + first, p->rows[i] + first, d->n_order,
                                     d->coll + d->n_part) != 0)
            p->gb[p->ng++] = i;
        p->grp[i] = p->ng - 1;
    }
    p->gb[p->ng] = p->n;
}

static int
compute_partition(vm_run *r, plan_query *q, int def, part *p, const frame_off *off)
{
    const plan_windef *d = &q->windefs[def];
    int rc = CHORUS_OK;

    part_groups(d, p);
    for (int k = 0; k < q->n_windows && rc == CHORUS_OK; k++) {
        const plan_window *w = &q->windows[k];
        int slot = q->n_wcols + k;
        if (w->def != def)
            continue;
        if (w->builtin == WIN_AGGREGATE)
            rc = compute_aggregate(r, q, d, w, p, off, slot);
        else
            rc = compute_builtin(r, q, d, w, p, off, slot);
    }
    return rc;
}

static int
sort_for(plan_query *q, const plan_windef *d)
{
    int nk = d->n_part + d->n_order;
    int *cols;
    int rc;

    if (nk == 0)
        return CHORUS_OK;
    cols = malloc((size_t)nk * sizeof *cols);
    if (cols == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < nk; i++)
        cols[i] = d->first_key + i;
    rc = vm_rows_sort(q->win_rows, nk, cols, d->desc, d->coll);
    free(cols);
    return rc;
}

/* WN1: one definition over every partition. */
static int
compute_def(vm_run *r, plan_query *q, int def, int64_t *grp, int64_t *gb)
{
    const plan_windef *d = &q->windefs[def];
    vm_rows *rows = q->win_rows;
    frame_off off;
    int rc;

    value_set_null(&off.start);
    value_set_null(&off.end);
    rc = sort_for(q, d);
    if (rc == CHORUS_OK)
        rc = offset_eval(r, d->start_expr, d->unit == AST_FRAME_RANGE, true, &off.start);
    if (rc == CHORUS_OK)
        rc = offset_eval(r, d->end_expr, d->unit == AST_FRAME_RANGE, false, &off.end);
    for (int64_t p0 = 0; p0 < rows->n && rc == CHORUS_OK;) {
        int64_t p1 = p0 + 1;
        part p;
        while (p1 < rows->n && vm_row_compare(rows->rows[p0] + d->first_key,
                                              rows->rows[p1] + d->first_key, d->n_part,
                                              d->coll) == 0)
            p1++;
        p.rows = rows->rows + p0;
        p.n = p1 - p0;
        p.grp = grp;
        p.gb = gb;
        rc = compute_partition(r, q, def, &p, &off);
        p0 = p1;
    }
    value_clear(&off.start);
    value_clear(&off.end);
    return rc;
}

static int
window_fill(vm_run *r, plan_query *q)
{
    int64_t *grp = NULL, *gb = NULL;
    int rc = fill_rows(r, q);

    if (rc != CHORUS_OK)
        return rc;
    grp = malloc((size_t)(q->win_rows->n + 1) * sizeof *grp);
    gb = malloc((size_t)(q->win_rows->n + 2) * sizeof *gb);
    if (grp == NULL || gb == NULL)
        rc = CHORUS_NOMEM;
    for (int def = q->n_windefs - 1; def >= 0 && rc == CHORUS_OK; def--)
        rc = compute_def(r, q, def, grp, gb);
    free(grp);
    free(gb);
    q->win_pos = 0;
    return rc;
}

int
vm_window_next(vm_run *r, plan_query *q)
{
    int rc;

    if (q->win_rows == NULL) {
        rc = window_fill(r, q);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (q->win_pos >= q->win_rows->n) {
        q->win_row = NULL;
        return CHORUS_DONE;
    }
    q->win_row = q->win_rows->rows[q->win_pos++];
    return CHORUS_ROW;
}

void
vm_window_close(vm_run *r, plan_query *q)
{
    vm_rows_free(q->win_rows);
    q->win_rows = NULL;
    q->win_row = NULL;
    q->win_pos = 0;
}
