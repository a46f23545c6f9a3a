/*
 * core/store/store.c: the storage seam's front: the store_db, transactions,
 * and the cursor calls, each of which takes the B-tree path (straight to
 * btree.h) or hands over to the merged MVCC cursor (merge.c).
 *
 * Invariants
 *   ST1 cur->mv == NULL exactly when the cursor takes the B-tree path; the
 *       path is chosen at open (the transaction's mv) and never changes.
 *   ST2 On the B-tree path every call is one branch plus the btree call:
 *       no allocation, no copy (the single-writer path must not pay for
 *       MVCC).
 *
 * Locking: store_db.mu guards the index context list (cursor open only).
 * Ownership: a cursor owns its B-tree and version store cursors and buffers;
 * it borrows its store_tx.
 * Callers: core/catalog (row writes, DDL scans), core/vm (plan cursors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* --- the database ------------------------------------------------------- */

int
store_db_open(store_db **out)
{
    store_db *db = calloc(1, sizeof *db);

    *out = NULL;
    if (db == NULL)
        return CHORUS_NOMEM;
    pthread_mutex_init(&db->mu, NULL);
    *out = db;
    return CHORUS_OK;
}

void
store_db_close(store_db *db)
{
    if (db == NULL)
        return;
    store_mvcc_close(db);
    while (db->indexes != NULL) {
        store_index_ctx *next = db->indexes->next;
        free(db->indexes);
        db->indexes = next;
    }
    pthread_mutex_destroy(&db->mu);
    free(db);
}

void
store_db_attach_mvcc(store_db *db, mv_db *mv)
{
    pthread_mutex_lock(&db->mu);
    db->mv = mv;
    pthread_mutex_unlock(&db->mu);
}

mv_db *
store_db_mvcc(const store_db *db)
{
    return db->mv;
}

int
store_db_index_ctx(store_db *db, uint32_t root, const key_info *ki, key_info **out)
{
    store_index_ctx *c;
    key_info fetched;
    int rc = CHORUS_OK;

    /* The newest entry of root first; a root reused by another index after
     * a DROP (mvcc R21) gets an entry of its own: the old one stays for the
     * dropped map that compares with it. */
    pthread_mutex_lock(&db->mu);
    for (c = db->indexes; c != NULL; c = c->next)
        if (c->root == root)
            break;
    pthread_mutex_unlock(&db->mu);
    if (c != NULL && (ki == NULL || memcmp(&c->ki, ki, sizeof *ki) == 0)) {
        *out = &c->ki;
        return CHORUS_OK;
    }
    if (ki == NULL) {
        rc = db->info != NULL ? db->info(db->info_ctx, root, true, &fetched, NULL, 0)
                              : CHORUS_CORRUPT;
        ki = &fetched;
    }
    c = rc == CHORUS_OK ? malloc(sizeof *c) : NULL;
    if (c != NULL) {
        c->root = root;
        c->ki = *ki;
        pthread_mutex_lock(&db->mu);
        c->next = db->indexes;
        db->indexes = c;
        pthread_mutex_unlock(&db->mu);
    } else if (rc == CHORUS_OK) {
        rc = CHORUS_NOMEM;
    }
    *out = c != NULL ? &c->ki : NULL;
    return rc;
}

/* --- transactions -------------------------------------------------------- */

void
store_tx_init(store_tx *tx, store_db *db, pager_tx *pager, mv_tx *mv)
{
    tx->db = db;
    tx->pager = pager;
    tx->mv = mv;
    tx->msg = NULL;
}

void
store_tx_clear(store_tx *tx)
{
    free(tx->msg);
    tx->msg = NULL;
}

const char *
store_tx_errmsg(const store_tx *tx)
{
    return tx->msg != NULL ? tx->msg : "";
}

/* S4: a printable form of an index key for conflict messages. */
static char *
key_text(const uint8_t *key, uint32_t nkey)
{
    record_cursor rc;
    strbuf sb;

    strbuf_init(&sb);
    record_cursor_init(&rc);
    if (record_cursor_parse(&rc, key, nkey) == CHORUS_OK) {
        strbuf_append(&sb, "(", 1);
        for (int i = 0; i < rc.n_cols; i++) {
            value v;
            record_cursor_column(&rc, i, &v);
            if (i > 0)
                strbuf_append(&sb, ", ", 2);
            if (v.type == VALUE_INTEGER)
                strbuf_printf(&sb, "%lld", (long long)v.u.i);
            else if (v.type == VALUE_REAL)
                strbuf_printf(&sb, "%g", v.u.r);
            else if (v.type == VALUE_TEXT)
                strbuf_printf(&sb, "'%.*s'", (int)v.n, v.u.z);
            else if (v.type == VALUE_NULL)
                strbuf_append(&sb, "NULL", 4);
            else
                strbuf_append(&sb, "blob", 4);
        }
        strbuf_append(&sb, ")", 1);
    }
    record_cursor_free(&rc);
    return strbuf_finish(&sb);
}

int
store_outcome(store_cursor *cur, mv_outcome o, const uint8_t *key, uint32_t nkey)
{
    store_tx *tx = cur->tx;
    char *text = NULL;
    char *msg = NULL;
    int rc;

    if (o == MV_OK || o == MV_ROW || o == MV_DELETED || o == MV_ABSENT)
        return CHORUS_OK;
    if (cur->index != NULL && key != NULL)
        text = key_text(key, nkey);
    if (o == MV_DOOMED && mv_tx_conflict_outcome(tx->mv) != MV_OK)
        o = mv_tx_conflict_outcome(tx->mv);
    if (cur->index != NULL)         /* a WITHOUT ROWID table's row names its PRIMARY KEY */
        rc = mv_outcome_rc(o, cur->ki->layout == KEY_LAYOUT_PK_ROW ? "table" : "index",
                           mv_index_name(cur->index), cur->rowid, text, &msg);
    else
        rc = mv_outcome_rc(o, "table", mv_table_name(cur->table), cur->rowid, NULL, &msg);
    free(text);
    free(tx->msg);
    tx->msg = msg;
    return rc;
}

/* S4 at commit: the write that lost its UNIQUE check (mvcc R9) names its
 * index and key; other outcomes (schema change, wound) need no object. A
 * failed log names the log file and the reason (mvcc R13). */
int
store_tx_commit(store_tx *tx, mv_sync sync)
{
    int rc = mv_tx_commit(tx->mv, sync);
    mv_outcome o;
    bool is_index;
    const char *name = NULL;
    const void *key = NULL;
    uint32_t nkey = 0;
    int64_t rowid = 0;
    char *text = NULL;
    char *msg = NULL;

    if (((rc & 0xff) == CHORUS_IOERR || rc == CHORUS_FULL) && tx->db != NULL &&
        tx->db->log != NULL) {
        free(tx->msg);
        tx->msg = mv_log_errmsg(tx->db->log);       /* names the log and the cause */
        return rc;
    }
    if (rc != CHORUS_CONFLICT)
        return rc;
    o = mv_tx_conflict_outcome(tx->mv);
    if (mv_tx_conflict_where(tx->mv, &is_index, &name, &rowid, &key, &nkey)) {
        if (is_index && key != NULL)
            text = key_text(key, nkey);
        rc = mv_outcome_rc(o, is_index ? "index" : "table", name, rowid, text, &msg);
    } else {
        rc = mv_outcome_rc(o != MV_OK ? o : MV_DOOMED, "table", "?", 0, NULL, &msg);
    }
    free(text);
    free(tx->msg);
    tx->msg = msg;
    return rc;
}

/* --- cursors --------------------------------------------------------------- */

int
store_cursor_open(store_tx *tx, uint32_t root, const key_info *ki, bool writable,
                  const char *name, store_cursor **out)
{
    /* Not calloc: glibc's calloc skips the per-thread cache, and a statement
     * opens a cursor per tree at every execution (btree_cursor_open too). */
    store_cursor *cur = malloc(sizeof *cur);
    bool mvcc = tx->mv != NULL && tx->db != NULL && tx->db->mv != NULL;
    int rc;

    *out = NULL;
    if (cur == NULL)
        return CHORUS_NOMEM;
    *cur = (store_cursor){0};
    cur->tx = tx;
    cur->ki = ki;
    /* The MVCC path writes to the version store only: its B-tree cursor reads. */
    rc = btree_cursor_open(tx->pager, root, ki, writable && !mvcc, &cur->bt);
    if (rc == CHORUS_OK && mvcc)
        rc = store_mv_open(cur, root, name);
    if (rc != CHORUS_OK) {
        store_cursor_close(cur);
        return rc;
    }
    *out = cur;
    return CHORUS_OK;
}

void
store_cursor_close(store_cursor *cur)
{
    if (cur == NULL)
        return;
    if (cur->mv != NULL)
        store_mv_close(cur);
    if (cur->bt != NULL)
        btree_cursor_close(cur->bt);
    store_buf_free(&cur->key);
    store_buf_free(&cur->bt_key);
    store_buf_free(&cur->payload);
    free(cur);
}

void
store_cursor_suspend(store_cursor *cur)
{
    if (cur->mv == NULL)
        return;
    mv_cursor_suspend(cur->mv);
    cur->src = SRC_NONE;
    cur->need_seek = true;
}

void
store_cursor_resume(store_cursor *cur)
{
    if (cur->mv != NULL)
        mv_cursor_resume(cur->mv);
}

int
store_first(store_cursor *cur, bool *eof_out)
{
    return cur->mv == NULL ? btree_first(cur->bt, eof_out) : store_mv_first(cur, eof_out);
}

int
store_last(store_cursor *cur, bool *eof_out)
{
    return cur->mv == NULL ? btree_last(cur->bt, eof_out) : store_mv_last(cur, eof_out);
}

int
store_next(store_cursor *cur, bool *eof_out)
{
    return cur->mv == NULL ? btree_next(cur->bt, eof_out) : store_mv_next(cur, eof_out);
}

int
store_prev(store_cursor *cur, bool *eof_out)
{
    return cur->mv == NULL ? btree_prev(cur->bt, eof_out) : store_mv_prev(cur, eof_out);
}

bool
store_eof(store_cursor *cur)
{
    return cur->mv == NULL ? btree_eof(cur->bt) : cur->src == SRC_NONE;
}

int
store_seek_rowid(store_cursor *cur, int64_t rowid, int op, bool *eof_out, bool *exact_out)
{
    if (cur->mv == NULL)
        return btree_seek_rowid(cur->bt, rowid, op, eof_out, exact_out);
    return store_mv_seek_rowid(cur, rowid, op, eof_out, exact_out);
}

int
store_seek_key(store_cursor *cur, const value *probe, int n, int op, bool *eof_out)
{
    if (cur->mv == NULL)
        return btree_seek_key(cur->bt, probe, n, op, eof_out);
    return store_mv_seek_key(cur, probe, n, op, eof_out);
}

int
store_rowid(store_cursor *cur, int64_t *out)
{
    if (cur->mv == NULL)
        return btree_rowid(cur->bt, out);
    if (cur->src == SRC_NONE)
        return CHORUS_MISUSE;
    *out = cur->rowid;
    return CHORUS_OK;
}

int
store_payload(store_cursor *cur, const uint8_t **data_out, uint32_t *nbytes_out)
{
    if (cur->mv == NULL)
        return btree_payload(cur->bt, data_out, nbytes_out);
    return store_mv_payload(cur, data_out, nbytes_out);
}

int
store_insert(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes)
{
    if (cur->mv == NULL)
        return btree_insert(cur->bt, rowid, data, nbytes);
    return store_mv_insert(cur, rowid, data, nbytes);
}

int
store_insert_new(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes,
                 bool *taken_out)
{
    if (cur->mv == NULL)
        return btree_insert_new(cur->bt, rowid, data, nbytes, taken_out);
    return store_mv_insert_new(cur, rowid, data, nbytes, taken_out);
}

int
store_index_insert(store_cursor *cur, const uint8_t *key, uint32_t nbytes, bool unique)
{
    if (cur->mv == NULL)
        return btree_index_insert(cur->bt, key, nbytes);
    return store_mv_index_insert(cur, key, nbytes, unique);
}

int
store_delete(store_cursor *cur)
{
    return cur->mv == NULL ? btree_delete(cur->bt) : store_mv_delete(cur);
}

int
store_count(store_cursor *cur, int64_t *out)
{
    int64_t n = 0;
    bool eof;
    int rc;

    if (cur->mv == NULL)
        return btree_count(cur->bt, out);
    for (rc = store_mv_first(cur, &eof); rc == CHORUS_OK && !eof; rc = store_mv_next(cur, &eof))
        n++;
    *out = n;
    return rc;
}

bool
store_cursor_is_mvcc(const store_cursor *cur)
{
    return cur->mv != NULL;
}

int
store_rowid_next(store_cursor *cur, int64_t *out)
{
    int64_t max = 0;
    bool eof;
    int rc;

    if (cur->mv != NULL)
        return store_mv_rowid_next(cur, out);
    rc = btree_last(cur->bt, &eof);
    if (rc == CHORUS_OK && !eof)
        rc = btree_rowid(cur->bt, &max);
    if (rc != CHORUS_OK)
        return rc;
    if (max == INT64_MAX)
        return CHORUS_FULL;
    *out = max + 1;
    return CHORUS_OK;
}
