/*
 * tests/core/catalog/pragma_fixture.c: running a PRAGMA for the catalog
 * tests (pragma_fixture.h).
 */
#include "pragma_fixture.h"

char *
fx_pragma_rows_text(const catalog_result *r)
{
    strbuf sb;

    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    for (int64_t i = 0; i < r->n_rows; i++) {
        for (int c = 0; c < r->n_cols; c++) {
            const value *v = &r->cells[i * r->n_cols + c];
            if (c)
                strbuf_putc(&sb, '|');
            if (v->type == VALUE_INTEGER)
                strbuf_printf(&sb, "%lld", (long long)v->u.i);
            else if (v->type == VALUE_TEXT)
                strbuf_printf(&sb, "%.*s", (int)v->n, v->u.z);
        }
        strbuf_putc(&sb, '\n');
    }
    return strbuf_finish(&sb);
}

char *
fx_pragma_run(fixture *f, const char *text, int *rc_out)
{
    catalog_pragma_env env;
    catalog_result r;
    int busy = 5000;
    bool fk = false, rt = false;
    int64_t cache = -2000;
    char *err = NULL, *out;
    ast_stmt *stmt = fx_parse(f, text);

    memset(&env, 0, sizeof env);
    assert_int_equal(fx_begin_read(f, &err), CHORUS_OK);
    env.pager = f->p;
    env.path = f->path;
    env.tx = f->tx;
    env.cat = f->cat;
    env.busy_timeout_ms = &busy;
    env.foreign_keys = &fk;
    env.recursive_triggers = &rt;
    env.cache_size = &cache;
    catalog_result_init(&r);
    *rc_out = catalog_pragma(&env, &stmt->u.pragma, &r, &err);
    out = *rc_out == CHORUS_OK ? fx_pragma_rows_text(&r) : err;
    catalog_result_free(&r);
    fx_end_read(f);
    return out;
}

void
fx_pragma_same_as_sqlite(fixture *f, const char *text)
{
    char *ours, *theirs;
    int rc;

    fx_close(f);
    theirs = fx_sqlite_query(f->path, text);
    ours = fx_pragma_run(f, text, &rc);
    assert_int_equal(rc, CHORUS_OK);
    if (strcmp(ours, theirs) != 0)
        fail_msg("%s\n ours:\n%s\n sqlite3:\n%s", text, ours, theirs);
    free(ours);
    free(theirs);
}
