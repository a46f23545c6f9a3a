/*
 * core/compile/cost.c: the planner's estimates, in SQLite's LogEst units
 * (10 * log2 of a count: 0 is 1, 10 is 2, 33 is 10, 200 is about 2^20):
 * rows of a table, rows an index equality prefix selects, sizes of table
 * rows and index entries. where.c and join_order.c turn them into costs.
 *
 * Rules
 *   CO1 Row counts come from sqlite_stat1 (catalog_table.stat_rows,
 *       catalog_index.stat) when ANALYZE or a hand-written row gave them,
 *       else from SQLite's default guesses: a table holds about 1M rows
 *       (LogEst 200), a partial index half of them; equalities on the
 *       first 1, 2, 3, 4, 5 index columns select 10, 9, 8, 7, 6 rows, on
 *       more 5, and on every column of a UNIQUE index 1 row.
 *   CO2 The table's count is its own stat row's ("tbl, NULL, n"), else the
 *       first analyzed full (non-partial) index's entry count, else CO1's
 *       guess; while an index of the table has no numbers, a count below
 *       about 1000 (LogEst 99) is raised to that, as SQLite does when it
 *       gives such an index its guesses. An analyzed index's numbers are
 *       taken as they are.
 *   CO3 Estimates only choose among access paths and join orders; they
 *       never change a result (where.c P1).
 *   CO4 Row and entry sizes are SQLite's guesses from the declared column
 *       types, or the "sz=N" of a stat row (LogEst of N), as SQLite reads it.
 *   CO5 A materialized view or subquery holds CO1's 1M rows, except: VALUES
 *       its rows, a core without FROM or an aggregate without GROUP BY one,
 *       with GROUP BY 100 when an index gives the groups in order, else one
 *       (SQLite 3.40's nSelectRow of a sorted GROUP BY), a compound the sum
 *       of its arms', each at most its constant LIMIT.
 * Callers: where.c, join_order.c.
 */
#include <ctype.h>
#include <stdlib.h>

#include "compile_int.h"

int
cost_log(uint64_t x)
{
    static const int frac[] = {0, 2, 3, 5, 6, 7, 8, 9};
    int y = 40;

    if (x < 8) {
        if (x < 2)
            return 0;
        while (x < 8) {
            y -= 10;
            x <<= 1;
        }
    } else {
        while (x > 255) {
            y += 40;
            x >>= 4;
        }
        while (x > 15) {
            y += 10;
            x >>= 1;
        }
    }
    return frac[x & 7] + y - 10;
}

int
cost_add(int a, int b)
{
    /* log(2^a + 2^b) = max + a small correction by the gap */
    static const int gap_add[] = {10, 10, 9, 9, 8, 8, 7, 7, 7, 6, 6, 6, 5, 5, 5, 4, 4, 4,
                                  4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2};
    int hi = a > b ? a : b, gap = a > b ? a - b : b - a;

    if (gap >= 49)
        return hi;
    if (gap > 31)
        return hi + 1;
    return hi + gap_add[gap];
}

int
cost_seek(int rows)
{
    return rows <= 10 ? 0 : cost_log((uint64_t)rows) - 33;
}

enum { GUESSED_INDEX_MIN_ROWS = 99 };    /* CO2: about 1000 */

int
cost_query_rows(const plan_query *q)
{
    int rows = COST_DEFAULT_ROWS;

    switch (q->kind) {
    case PQ_VALUES:
        rows = cost_log((uint64_t)q->n_rows);
        break;
    case PQ_CORE:
        if (q->n_levels == 0 || (q->is_agg && q->n_group == 0))
            rows = 0;
        else if (q->n_group > 0)
            rows = q->group_in_order ? 66 : 0;  /* 100 groups; sorted: SQLite's 1 */
        break;
    case PQ_COMPOUND:
        rows = cost_add(cost_query_rows(q->left), cost_query_rows(q->right));
        break;
    default:
        break;
    }
    if (q->limit != NULL && q->limit->kind == CX_CONST && q->limit->v.type == VALUE_INTEGER &&
        q->limit->v.u.i >= 0 && cost_log((uint64_t)q->limit->v.u.i) < rows)
        rows = cost_log((uint64_t)q->limit->v.u.i);
    return rows;
}

int
cost_table_rows(const catalog_table *t)
{
    int rows = COST_DEFAULT_ROWS;
    bool guessed = false;

    for (int i = t->n_indexes - 1; i >= 0; i--) {
        const catalog_index *ix = t->indexes[i];
        if (ix->where == NULL && ix->n_stat > 0)
            rows = cost_log((uint64_t)ix->stat[0]);
        guessed = guessed || ix->n_stat == 0;
    }
    if (t->stat_rows > 0)
        rows = cost_log((uint64_t)t->stat_rows);
    return guessed && rows < GUESSED_INDEX_MIN_ROWS ? GUESSED_INDEX_MIN_ROWS : rows;
}

int
cost_index_rows(const catalog_index *ix, int n_eq)
{
    static const int guess[] = {33, 32, 30, 28, 26};

    if (n_eq < ix->n_stat)
        return cost_log((uint64_t)ix->stat[n_eq]);
    if (n_eq == 0)
        return cost_table_rows(ix->table) - (ix->where != NULL ? 10 : 0);
    if (ix->unique && n_eq >= ix->n_cols)
        return 0;
    if (ix->n_stat > 1)         /* analyzed, but not this deep: no more than the last */
        return cost_log((uint64_t)ix->stat[ix->n_stat - 1]);
    return n_eq <= 5 ? guess[n_eq - 1] : 23;
}

/* SQLite's size estimate of a column (szEst; an integer is 1), from its
 * declared type as its affinity rules read it: TEXT, CLOB or BLOB 5,
 * CHAR(k) or BLOB(k) k/4 + 1, others (and no type) 1. */
static unsigned
column_size_estimate(const char *type)
{
    uint32_t h = 0;
    const char *at = NULL, *digits;
    bool text_or_blob = false, numeric = true;
    unsigned v = 0;

    for (const char *p = type; p != NULL && *p != '\0'; ) {
        h = (h << 8) + (uint32_t)tolower((unsigned char)*p++);
        if (h == 0x63686172u) {                         /* char */
            text_or_blob = true;
            numeric = false;
            at = p;
        } else if (h == 0x636c6f62u || h == 0x74657874u) {      /* clob, text */
            text_or_blob = true;
            numeric = false;
        } else if (h == 0x626c6f62u && numeric) {       /* blob */
            text_or_blob = true;
            numeric = false;
            if (*p == '(')
                at = p;
        } else if ((h & 0xffffffu) == 0x696e74u) {      /* int */
            text_or_blob = false;
            break;
        }
    }
    if (type == NULL || *type == '\0' || !text_or_blob)
        return 1;
    if (at == NULL)
        v = 16;
    for (digits = at; digits != NULL && *digits != '\0'; digits++) {
        if (isdigit((unsigned char)*digits)) {
            v = (unsigned)strtoul(digits, NULL, 10);
            break;
        }
    }
    v = v / 4 + 1;
    return v > 255 ? 255 : v;
}

int
cost_table_row_size(const catalog_table *t)
{
    unsigned w = t->rowid_alias < 0 ? 1 : 0;

    if (t->stat_size > 0)
        return cost_log((uint64_t)t->stat_size);     /* CO4 */
    for (int i = 0; i < t->n_cols; i++)
        w += column_size_estimate(t->cols[i].type);
    return cost_log((uint64_t)w * 4);
}

int
cost_index_row_size(const catalog_index *ix)
{
    const catalog_table *t = ix->table;
    unsigned w = t->without_rowid ? 0 : 1;     /* the rowid */

    if (ix->stat_size > 0)
        return cost_log((uint64_t)ix->stat_size);    /* CO4 */
    for (int k = 0; k < ix->n_cols; k++)
        w += ix->cols[k].column >= 0
                 ? column_size_estimate(ix->table->cols[ix->cols[k].column].type)
                 : 1;
    for (int j = 0; j < ix->n_suffix; j++)     /* a WITHOUT ROWID index ends with the PK */
        w += column_size_estimate(t->cols[ix->suffix[j]].type);
    for (int i = 0; catalog_index_is_table(ix) && i < t->n_cols; i++)
        if (!t->cols[i].is_pk && t->cols[i].stored_index >= 0)     /* the table's own record */
            w += column_size_estimate(t->cols[i].type);
    return cost_log((uint64_t)w * 4);
}
