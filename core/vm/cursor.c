/*
 * core/vm/cursor.c: reading the current row of a plan cursor.
 *
 * A table cursor decodes its record lazily: only when a column is read,
 * once per row (have_rec), and only as much of the header as the highest
 * column read so far (record rule R3: the parsed offsets stay cached for
 * the row, so each serial type is parsed once per row). Values borrow from
 * the b-tree page (btree rule B4), so a column value is valid until the
 * cursor moves.
 *
 * Rules
 *   C1  The rowid alias column (INTEGER PRIMARY KEY) reads the rowid.
 *   C2  A column past the end of a short record (added by ALTER TABLE ADD
 *       COLUMN) reads as its default when that is a literal, else NULL.
 *   C3  A REAL column whose stored value is an integer reads as REAL
 *       (SQLite stores integral reals as integers to save space).
 *   C4  A cursor in null_row mode (outer join without match) reads NULL.
 *   C5  Column i is field cols[i].stored_index of the record; a VIRTUAL
 *       generated column has none (the compiler reads its expression
 *       instead, core/compile/expr.c X5) and reads NULL here.
 *   C6  A WITHOUT ROWID table's cursor is an index cursor under its PK
 *       index's key_info; its rows have no rowid (rowid reads 0). Its PK
 *       index as a level's cover (exec_loop.c) is the table itself: columns
 *       read as from the table.
 *   C8  vm_cursor_load leaves the rowid unread (rowid_unread) until a
 *       reader asks (vm_cursor_rowid, C1): a scan that never reads it pays
 *       nothing for it. Every other move sets rowid and clears the flag.
 *   C7  A cursor on an automatic index row (held, autoindex.c AI5) reads
 *       the columns that row holds from it; another column first moves the
 *       b-tree to the row's rowid (NULL if the row is gone). Any move of the
 *       cursor drops the row.
 *   C9  The record is parsed at a row's first column read through the
 *       highest field the compiler marked used on the cursor (a hint for
 *       record rule R3: a column outside it is still parsed on demand), so
 *       a row costs one header parse however many columns it reads.
 * Callers: expr_eval.c, exec_loop.c.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* C9: the highest record field the statement reads through cur (from the
 * columns the compiler marked used), so a row's header is parsed in one go. */
static int
highest_field_read(const plan_cursor *cur)
{
    const catalog_table *t = cur->table;
    int highest = 0;

    if (cur->used >> 63)            /* a column past 61: parse it all */
        return INT32_MAX;
    for (int col = 0; col < t->n_cols && col < 62; col++)
        if ((cur->used >> col & 1) && t->cols[col].stored_index > highest)
            highest = t->cols[col].stored_index;
    return highest;
}

int
vm_cursor_open_table(vm_run *r, plan_cursor *cur)
{
    const catalog_index *pk;
    pager_tx *tx;
    int rc;

    if (cur->bt != NULL)
        return CHORUS_OK;
    record_cursor_init(&cur->rec);
    cur->rec.reach_hint = highest_field_read(cur);
    rc = vm_schema_tx_for(r->conn, cur->table, &tx);    /* temp.c TP4 */
    if (rc != CHORUS_OK)
        return rc;
    pk = catalog_table_pk_index(cur->table);                  /* C6 */
    return store_cursor_open(vm_store_tx(r->conn, tx), cur->table->root,
                             pk != NULL ? &pk->ki : NULL, false, cur->table->name, &cur->bt);
}

void
vm_cursor_close(plan_cursor *cur)
{
    if (cur->bt != NULL) {
        store_cursor_close(cur->bt);
        cur->bt = NULL;
        record_cursor_free(&cur->rec);
    }
    if (cur->source != NULL) {      /* else the rows belong to the cursor's owner */
        vm_rows_free(cur->rows);
        cur->rows = NULL;
    }
    cur->filled = false;
    cur->have_rec = false;
    cur->rowid_unread = false;
    cur->held = NULL;
    cur->null_row = false;
    cur->row = NULL;
    cur->cover = NULL;
    cur->cover_bt = NULL;
}

/* The cursor moved: forget the decoded record. */
void
vm_cursor_reset(plan_cursor *cur)
{
    cur->have_rec = false;
    cur->held = NULL;
}

/* A table cursor moved to the row under its b-tree cursor (C8). */
int
vm_cursor_load(plan_cursor *cur)
{
    cur->have_rec = false;
    cur->held = NULL;
    cur->rowid = 0;                                           /* C6 */
    cur->rowid_unread = !cur->table->without_rowid;
    return CHORUS_OK;
}

int
vm_cursor_rowid(plan_cursor *cur, int64_t *out)
{
    if (cur->rowid_unread) {                                  /* C8 */
        int rc = store_rowid(cur->bt, &cur->rowid);
        if (rc != CHORUS_OK)
            return rc;
        cur->rowid_unread = false;
    }
    *out = cur->rowid;
    return CHORUS_OK;
}

static int
decode(plan_cursor *cur)
{
    const uint8_t *data;
    uint32_t n;
    int rc = store_payload(cur->cover != NULL ? cur->cover_bt : cur->bt, &data, &n);

    if (rc != CHORUS_OK)
        return rc;
    rc = record_cursor_open(&cur->rec, data, n);
    if (rc == CHORUS_OK)
        cur->have_rec = true;
    return rc;
}

/* C2: the default of a column missing from a short record. */
static void
missing_column(const catalog_column *col, value *out)
{
    const ast_expr *d = col->default_expr;

    value_set_null(out);
    if (d == NULL)
        return;
    switch (d->kind) {
    case EXPR_INTEGER:
        value_set_int(out, d->ival);
        break;
    case EXPR_FLOAT:
        value_set_real(out, d->rval);
        break;
    case EXPR_STRING:
        value_set_text_ref(out, d->str, d->str_len);
        break;
    case EXPR_UNARY:
        if (d->op == AST_OP_NEG && d->left->kind == EXPR_INTEGER)
            value_set_int(out, -d->left->ival);
        else if (d->op == AST_OP_NEG && d->left->kind == EXPR_FLOAT)
            value_set_real(out, -d->left->rval);
        break;
    default:
        break;
    }
}

int
vm_cursor_column(vm_run *r, plan_cursor *cur, int col, value *out)
{
    const catalog_table *t;
    int rc, field;

    if (cur->null_row) {                                   /* C4 */
        value_set_null(out);
        return CHORUS_OK;
    }
    if (cur->kind == PC_EPHEMERAL) {
        if (col < 0) {
            value_set_int(out, cur->rowid);
        } else if (cur->row == NULL) {
            value_set_null(out);
        } else {
            *out = cur->row[col];
            out->flags = VALUE_BORROWED;
        }
        return CHORUS_OK;
    }
    t = cur->table;
    if (col < 0 || col == t->rowid_alias) {               /* C1 */
        int64_t id;
        if ((rc = vm_cursor_rowid(cur, &id)) != CHORUS_OK)
            return vm_run_error(r, rc, "database disk image is malformed");
        value_set_int(out, id);
        return CHORUS_OK;
    }
    if (cur->held != NULL) {                                /* C7 */
        bool eof, exact = false;
        if (cur->held_pos[col] >= 0) {
            *out = cur->held[cur->held_pos[col]];
            out->flags = VALUE_BORROWED;
            return CHORUS_OK;
        }
        rc = store_seek_rowid(cur->bt, cur->rowid, BTREE_SEEK_GE, &eof, &exact);
        if (rc != CHORUS_OK)
            return vm_run_error(r, rc, "database disk image is malformed");
        if (eof || !exact) {        /* deleted since the index was built: as SQLite's
                                       stale index shows no more of it */
            value_set_null(out);
            return CHORUS_OK;
        }
        cur->held = NULL;
        cur->have_rec = false;
    }
    if (!cur->have_rec && (rc = decode(cur)) != CHORUS_OK)
        return vm_run_error(r, rc, "database disk image is malformed");
    if (cur->cover != NULL && !catalog_index_is_table(cur->cover)) {     /* C6 */
        int k = 0;
        while (k < cur->cover->n_cols && cur->cover->cols[k].column != col)
            k++;
        if (k == cur->cover->n_cols) {  /* C6: a PK column after the key */
            int j = 0;
            while (j < cur->cover->n_suffix && cur->cover->suffix[j] != col)
                j++;
            k += j;
        }
        field = k;
    } else if ((field = t->cols[col].stored_index) < 0) {     /* C5 */
        value_set_null(out);
        return CHORUS_OK;
    }
    if (field >= cur->rec.n_cols && (rc = record_cursor_reach(&cur->rec, field)) != CHORUS_OK)
        return vm_run_error(r, rc, "database disk image is malformed");
    if (field >= cur->rec.n_cols) {
        if (cur->cover != NULL && !catalog_index_is_table(cur->cover))
            value_set_null(out);
        else
            missing_column(&t->cols[col], out);              /* C2 */
        return CHORUS_OK;
    }
    record_cursor_column(&cur->rec, field, out);
    if (out->type == VALUE_INTEGER && t->cols[col].affinity == AFFINITY_REAL)  /* C3 */
        value_set_real(out, (double)out->u.i);
    return CHORUS_OK;
}
