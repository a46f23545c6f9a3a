/*
 * core/compile/view_dml.c: INSERT, UPDATE and DELETE on a view, which run
 * the view's INSTEAD OF triggers in place of a write (SQLite's rules).
 *
 * Rules
 *   IV1 A view is a statement's target only when it has an INSTEAD OF
 *       trigger for the event (for UPDATE, one whose UPDATE OF list names a
 *       SET column, or that has no list), or, with RETURNING, any trigger at
 *       all (SQLite 3.45's quirk: then only RETURNING runs for each row;
 *       3.40 takes a view with no trigger too); otherwise the statement
 *       fails with "cannot modify v because it is a view", once the view
 *       itself compiled (a view over a dropped table fails with "no such
 *       table" first, as in SQLite). UPSERT on a view fails with "cannot
 *       UPSERT a view".
 *   IV2 The target is a stand-in table built here in the plan's arena: the
 *       view's column names, no affinity (NEW and OLD compare without one,
 *       as in SQLite's view triggers), no constraints, no rowid alias, root
 *       page 0 (no real table has it), and the view's INSTEAD OF triggers
 *       of its own schema (TEMP ones that name a main view are found by the
 *       VM, core/vm/exec_trigger.c G6). The VM fires them instead of
 *       writing and counts no change (core/vm/exec_dml.c W6).
 *   IV3 UPDATE and DELETE scan the view itself as the first FROM source
 *       (then UPDATE ... FROM's sources) with the statement's WHERE; it keeps
 *       its own name (an alias names nothing, as in SQLite 3.40). Their
 *       rows have a table target's shape (dml.c) with NULL rowids; the
 *       result affinities of UPDATE's new values are the view columns',
 *       which the VM applies to NEW as SQLite does.
 * Callers: dml.c.
 */
#include <string.h>
#include <strings.h>

#include "compile_int.h"

static bool
is_instead_of(const catalog_trigger *tr, const char *view)
{
    return tr->ast->time == AST_TRIGGER_INSTEAD_OF && strcasecmp(tr->table, view) == 0;
}

/* Whether view has an INSTEAD OF trigger for event (any event when event
 * is 0), in its schema or temp's (TP6). */
static bool
has_instead_of(cctx *c, const catalog *cat, const char *view, int event, const ast_list *set)
{
    for (int k = 0; k < 2; k++) {
        const catalog *in = k == 0 ? cat : c->env->temp_cat;
        for (int i = 0; in != NULL && (k == 0 || in != cat) && i < catalog_trigger_count(in);
             i++) {
            const catalog_trigger *tr = catalog_trigger_at(in, i);
            if (is_instead_of(tr, view) &&
                (event == 0 || (tr->ast->event == event &&
                                (event != AST_TRIGGER_UPDATE ||
                                 compile_trigger_update_of_matches(tr->ast, set)))))
                return true;
        }
    }
    return false;
}

int
cc_view_dml_source(cctx *c, ast_from_item *it, scope **out)
{
    plan_query *q = cc_alloc(c, sizeof *q);
    scope *s = cc_alloc(c, sizeof *s);

    *out = s;
    if (q == NULL || s == NULL)
        return CHORUS_NOMEM;
    memset(q, 0, sizeof *q);
    memset(s, 0, sizeof *s);
    q->kind = PQ_CORE;
    s->q = q;
    return cc_from(c, s, it);
}

int
cc_view_dml_check(cctx *c, const catalog *cat, const char *schema, const char *view, int event,
                  const ast_list *set, bool has_returning, ast_from_item **item_out)
{
    ast_from_item *it = cc_alloc(c, sizeof *it);
    scope *never_run;
    int rc;

    *item_out = NULL;
    if (it == NULL)
        return CHORUS_NOMEM;
    memset(it, 0, sizeof *it);
    it->kind = AST_FROM_TABLE;
    it->schema = schema;
    it->name = view;
    if (!has_instead_of(c, cat, view, event, set) &&
        !(has_returning && has_instead_of(c, cat, view, 0, NULL))) {
        rc = cc_view_dml_source(c, it, &never_run);
        return rc != CHORUS_OK ? rc : cc_error(c, "cannot modify %s because it is a view", view);
    }
    *item_out = it;
    return CHORUS_OK;
}

/* The view's INSTEAD OF triggers, in creation order, into t. */
static int
stand_in_triggers(cctx *c, const catalog *cat, const char *view, catalog_table *t)
{
    catalog_trigger **list;
    int n = 0;

    for (int i = 0; i < catalog_trigger_count(cat); i++)
        n += is_instead_of(catalog_trigger_at(cat, i), view);
    list = cc_alloc(c, (size_t)(n + 1) * sizeof *list);
    if (list == NULL)
        return CHORUS_NOMEM;
    n = 0;
    for (int i = 0; i < catalog_trigger_count(cat); i++)
        if (is_instead_of(catalog_trigger_at(cat, i), view))
            list[n++] = (catalog_trigger *)catalog_trigger_at(cat, i);
    t->n_triggers = n;
    t->triggers = list;
    return CHORUS_OK;
}

int
cc_view_dml_table(cctx *c, const catalog *cat, const scope_source *src, const char *view,
                  const catalog_table **out)
{
    catalog_table *t = cc_alloc(c, sizeof *t);
    catalog_column *cols = cc_alloc(c, (size_t)(src->n_cols + 1) * sizeof *cols);

    *out = NULL;
    if (t == NULL || cols == NULL)
        return CHORUS_NOMEM;
    memset(t, 0, sizeof *t);
    memset(cols, 0, (size_t)(src->n_cols + 1) * sizeof *cols);
    for (int i = 0; i < src->n_cols; i++) {
        cols[i].name = src->col_names[i];
        cols[i].affinity = AFFINITY_BLOB;
        cols[i].collation = src->col_coll[i];
        cols[i].stored_index = (int16_t)i;
    }
    t->name = view;
    t->sql = catalog_view_find(cat, view)->sql;
    t->n_cols = src->n_cols;
    t->cols = cols;
    t->rowid_alias = -1;
    t->is_temp = catalog_is_temp(cat);
    *out = t;
    return stand_in_triggers(c, cat, view, t);
}

bool
cc_view_dml_is_stand_in(const catalog_table *t)
{
    return t->root == 0;
}
