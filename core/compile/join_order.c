/*
 * core/compile/join_order.c: the order of the nested loops of a core
 * (where.c P3): the order of least
 * estimated cost in SQLite's nested-loop model. A level's run cost (its
 * access path's work, given the levels outside it and the rows they pass
 * on) is paid once per row those levels pass on; its rows out multiply
 * theirs. (A one-time cost, as an automatic index's, comes spread over
 * those rows: where.c P15.)
 *
 * Rules
 *   J1 Only the loop order changes, never the rows: where.c gives every
 *      term to the innermost level it reads in the chosen order (P1).
 *   J2 Up to SEARCH_ALL_MAX levels every order is weighed, as the cheapest
 *      way to reach each set of levels (one level added at a time); beyond
 *      that, as SQLite does, only the BEAM_WIDTH cheapest partial orders
 *      are extended at each step.
 *   J3 Of equal costs the FROM order wins: sets are reached by adding
 *      their last level in FROM order first, and only a cheaper way
 *      replaces a known one.
 *   J4 A level runs inside every level its requires set names (a LEFT
 *      JOIN's right side inside the sources before it); the FROM order
 *      keeps every such rule, so an order is always found.
 * Callers: where.c (order_levels).
 */
#include <stdbool.h>
#include <string.h>

#include "compile_int.h"

enum { SEARCH_ALL_MAX = 8, BEAM_WIDTH = 10 };

typedef struct way {
    bool known;
    int cost, rows;         /* LogEst: the work so far, rows passed on */
    int last;               /* the level added last */
} way;

/* The cost of adding level j after the levels of ready reached through w. */
static void
way_extend(const way *w, bool empty, cc_level_cost_fn cost, void *arg, int j, uint32_t ready,
           way *out)
{
    int run, rows;

    cost(arg, j, ready, empty ? 0 : w->rows, &run, &rows);
    out->known = true;
    out->last = j;
    out->cost = empty ? run : cost_add(w->cost, w->rows + run);
    out->rows = (empty ? 0 : w->rows) + rows;
}

static void
search_all(int n, const uint32_t *requires, cc_level_cost_fn cost, void *arg, int *order)
{
    way ways[1u << SEARCH_ALL_MAX] = {{false, 0, 0, 0}};
    uint32_t all = (1u << n) - 1;

    ways[0].known = true;
    for (uint32_t set = 1; set <= all; set++) {
        for (int j = n - 1; j >= 0; j--) {             /* J3 */
            uint32_t before = set & ~(1u << j);
            way w;
            if (!(set & (1u << j)) || !ways[before].known || (requires[j] & ~before))
                continue;       /* J4 */
            way_extend(&ways[before], before == 0, cost, arg, j, before, &w);
            if (!ways[set].known || w.cost < ways[set].cost)
                ways[set] = w;
        }
    }
    for (int i = n - 1; i >= 0; i--) {
        order[i] = ways[all].last;
        all &= ~(1u << order[i]);
    }
}

/* A way to run the levels of set, in order[0..its size). */
typedef struct path {
    uint32_t set;
    int cost, rows;
    int8_t order[JOIN_ORDER_MAX_LEVELS];
} path;

/* Keeps w among the BEAM_WIDTH cheapest paths of *n in beam: a path over
 * the same set is replaced only by a cheaper one, a full beam's costliest
 * path only by a cheaper one. */
static void
beam_keep(path *beam, int *n, const path *w)
{
    int worst = 0;

    for (int i = 0; i < *n; i++) {
        if (beam[i].set == w->set) {
            if (w->cost < beam[i].cost)
                beam[i] = *w;
            return;
        }
        if (beam[i].cost > beam[worst].cost)
            worst = i;
    }
    if (*n < BEAM_WIDTH)
        beam[(*n)++] = *w;
    else if (w->cost < beam[worst].cost)
        beam[worst] = *w;
}

static void
search_beam(int n, const uint32_t *requires, cc_level_cost_fn cost, void *arg, int *order)
{
    path from[BEAM_WIDTH], to[BEAM_WIDTH];
    int n_from = 1, best = 0;

    memset(&from[0], 0, sizeof from[0]);
    for (int step = 0; step < n; step++) {
        int n_to = 0;
        for (int p = 0; p < n_from; p++) {
            for (int j = 0; j < n; j++) {
                path w;
                int run, rows;
                if ((from[p].set & (1u << j)) || (requires[j] & ~from[p].set))
                    continue;       /* J4 */
                cost(arg, j, from[p].set, from[p].rows, &run, &rows);
                w = from[p];
                w.set |= 1u << j;
                w.order[step] = (int8_t)j;
                w.cost = step == 0 ? run : cost_add(from[p].cost, from[p].rows + run);
                w.rows = from[p].rows + rows;
                beam_keep(to, &n_to, &w);
            }
        }
        memcpy(from, to, (size_t)n_to * sizeof *to);
        n_from = n_to;
    }
    for (int p = 1; p < n_from; p++)
        if (from[p].cost < from[best].cost)
            best = p;
    for (int i = 0; i < n; i++)
        order[i] = from[best].order[i];
}

void
cc_join_order(int n, const uint32_t *requires, cc_level_cost_fn cost, void *arg, int *order)
{
    if (n <= SEARCH_ALL_MAX)
        search_all(n, requires, cost, arg, order);
    else
        search_beam(n, requires, cost, arg, order);
}
