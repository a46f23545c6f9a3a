/*
 * core/store/merge.c: the MVCC path of a store cursor: one ordered walk that
 * merges the B-tree (the state as of the last checkpoint, read in the pager
 * transaction) with the version store under the MVCC transaction's snapshot,
 * and writes that go to the version store.
 *
 * The merge (store rule S2). Two sub-cursors move in the same direction:
 * the B-tree cursor and the version store cursor, which visits every key
 * that has a version chain, with its visibility (mvcc R5). At each step the
 * nearer key in the walk's direction wins:
 *   - a key only in the B-tree is a row;
 *   - a key in the store: MV_ROW is a row (the store's version), MV_DELETED
 *     hides the key, MV_ABSENT leaves the B-tree's row if it has one (a
 *     version created or removed after our snapshot) and hides it otherwise.
 *
 * Invariants
 *   M1  Outside a move, the current entry (src, rowid, key) is the nearest
 *       visible entry in the direction dir, and each sub-cursor sits on the
 *       current key or on the nearest key beyond it in that direction.
 *   M2  A move in the same direction steps exactly the sub-cursors that sit
 *       on the current key (M1); a change of direction, or any write through
 *       the cursor (need_seek), re-seeks both sub-cursors relative to the
 *       current key, so B2/B3 hold as on the B-tree path.
 *   M3  The version store is never told of a write the B-tree path would
 *       reject: inserts first ask which version is visible (store, then the
 *       B-tree) and publish an insert or an update accordingly (mvcc R8);
 *       an insert of a new rowid asks the B-tree and lets the store's
 *       insert answer for the store (store_mv_insert_new).
 *   M4  A transaction never reads a map that replaced a dropped one unless
 *       its snapshot is newer than the drop (mvcc R21): its B-tree snapshot
 *       may hold the old tree there. It gets CHORUS_CONFLICT_SCHEMA.
 *   M5  The B-tree under a cursor does not change while the cursor lives:
 *       the MVCC path reads a snapshot, and a transaction writes its B-tree
 *       only in DDL statements, which no open DML cursor outlives (the
 *       engine closes parked writers first: core/vm writer_park.c WP3). So a
 *       table cursor learns the B-tree's largest rowid once, and an insert
 *       above it (an append) needs no B-tree seek; neither does the rowid
 *       allocator's seed.
 *   M6  A WITHOUT ROWID table's tree (key_info layout PK_ROW) is an index map
 *       of keyed rows: key = the PRIMARY KEY's columns (K3), the version
 *       carries the row. The current store entry's row is borrowed from its
 *       version (kept while the cursor's epoch section is open: mvcc store.c
 *       D2), or from the cursor's copy of the row it just wrote. Its other
 *       indexes (PK_SUFFIX) are index maps whose entries are their key
 *       columns, UNIQUE on the leading ones (store_index_same_unique,
 *       mv_index_open_prefix).
 *   M7  A UNIQUE key holding a NULL is inserted as a plain entry: NULLs are
 *       distinct in SQL, so it is checked against nobody (mvcc R9).
 *
 * Ownership: buffers and sub-cursors are the cursor's; versions' bytes are
 * borrowed from the store until the cursor closes (mvcc store.c, D2).
 * Callers: store.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Index keys (S3) order by key_info, then rowid; this is the version
 * store's comparison for an index map. */
int
store_index_compare(void *ctx, const void *a, uint32_t na, const void *b, uint32_t nb)
{
    int rc;
    return record_compare(ctx, a, na, b, nb, &rc);
}

int
store_index_same_unique(void *ctx, const void *a, uint32_t na, const void *b, uint32_t nb)
{
    const key_info *ki = ctx;
    int n_unique = ki->n_fields - ki->n_suffix;
    value probe[KEY_INFO_MAX];
    record_cursor rec;
    int rc, c = 1;

    record_cursor_init(&rec);
    rc = record_cursor_parse(&rec, b, nb);
    if (rc == CHORUS_OK && rec.n_cols >= n_unique) {
        for (int i = 0; i < n_unique; i++)
            record_cursor_column(&rec, i, &probe[i]);
        c = record_compare_probe(ki, a, na, probe, n_unique, &rc);
    }
    record_cursor_free(&rec);
    return rc == CHORUS_OK ? c : 1;
}

mv_key_compare
store_index_same_unique_fn(const key_info *ki)
{
    return ki->layout == KEY_LAYOUT_PK_SUFFIX ? store_index_same_unique : NULL;
}

int
store_mv_open(store_cursor *cur, uint32_t root, const char *name)
{
    store_tx *tx = cur->tx;
    mv_db *mv = tx->db->mv;
    char fallback[32];
    key_info *ki;
    int rc;

    if (name == NULL) {
        snprintf(fallback, sizeof fallback, "root %u", (unsigned)root);
        name = fallback;
    }
    if (cur->ki == NULL) {
        rc = mv_table_open(mv, root, name, &cur->table);
        if (rc == CHORUS_OK && !mv_table_usable(cur->table, tx->mv))
            rc = store_outcome(cur, MV_CONFLICT_SCHEMA, NULL, 0);      /* M4 */
        if (rc == CHORUS_OK)
            rc = mv_cursor_open_table(tx->mv, cur->table, &cur->mv);
        return rc;
    }
    rc = store_db_index_ctx(tx->db, root, cur->ki, &ki);
    if (rc == CHORUS_OK)
        rc = mv_index_open_prefix(mv, root, name, store_index_compare,
                                  store_index_same_unique_fn(ki), ki, &cur->index);
    if (rc == CHORUS_OK && !mv_index_usable(cur->index, tx->mv))
        rc = store_outcome(cur, MV_CONFLICT_SCHEMA, NULL, 0);          /* M4 */
    if (rc == CHORUS_OK)
        rc = mv_cursor_open_index(tx->mv, cur->index, &cur->mv);
    return rc;
}

void
store_mv_close(store_cursor *cur)
{
    mv_cursor_close(cur->mv);
    cur->mv = NULL;
}

/* --- keys of the sub-cursors ------------------------------------------------ */

/* Loads the B-tree entry's key (index: split per S3, cached until it moves). */
static int
bt_load(store_cursor *cur, int64_t *rowid_out)
{
    const uint8_t *data;
    uint32_t n;
    int rc;

    if (cur->ki == NULL)
        return btree_rowid(cur->bt, rowid_out);
    if (!cur->bt_key_ok) {
        rc = btree_payload(cur->bt, &data, &n);
        if (rc == CHORUS_OK)
            rc = store_key_split(cur->ki, data, n, &cur->bt_key, &cur->bt_rowid);
        if (rc != CHORUS_OK)
            return rc;
        cur->bt_key_ok = true;
    }
    *rowid_out = cur->bt_rowid;
    return CHORUS_OK;
}

/* Orders key (k, nk, rowid) against (k2, nk2, rowid2). */
static int
key_cmp(const store_cursor *cur, const uint8_t *k, uint32_t nk, int64_t rowid,
        const uint8_t *k2, uint32_t nk2, int64_t rowid2)
{
    if (cur->ki != NULL) {
        int rc, c = record_compare(cur->ki, k, nk, k2, nk2, &rc);
        if (c != 0)
            return c;
    }
    return rowid < rowid2 ? -1 : rowid > rowid2;
}

/* Orders the B-tree entry against the store cursor's entry. */
static int
bt_vs_mv(store_cursor *cur, int *cmp_out)
{
    const void *mk;
    uint32_t nmk = 0;
    int64_t rowid;
    int rc = bt_load(cur, &rowid);

    if (rc != CHORUS_OK)
        return rc;
    mk = mv_cursor_key(cur->mv, &nmk);
    *cmp_out = key_cmp(cur, cur->bt_key.p, cur->bt_key.n, rowid, mk, nmk,
                       mv_cursor_rowid(cur->mv));
    return CHORUS_OK;
}

/* Makes the current entry the B-tree's or the store cursor's key (and, for
 * a WITHOUT ROWID table's store entry, row: M6). */
static int
take_key(store_cursor *cur, int src, bool from_bt, const void *row, uint32_t nrow)
{
    const void *k = NULL;
    uint32_t n = 0;
    int rc;

    cur->src = src;
    cur->row = row;
    cur->nrow = nrow;
    if (from_bt) {
        rc = bt_load(cur, &cur->rowid);
        if (rc != CHORUS_OK || cur->ki == NULL)
            return rc;
        k = cur->bt_key.p;
        n = cur->bt_key.n;
    } else {
        cur->rowid = mv_cursor_rowid(cur->mv);
        if (cur->ki == NULL)
            return CHORUS_OK;
        k = mv_cursor_key(cur->mv, &n);
    }
    rc = store_buf_reserve(&cur->key, n);
    if (rc != CHORUS_OK)
        return rc;
    memcpy(cur->key.p, k, n);
    cur->key.n = n;
    return CHORUS_OK;
}

/* Steps the B-tree sub-cursor one entry in dir. */
static int
bt_step(store_cursor *cur, int dir)
{
    bool eof;

    cur->bt_key_ok = false;
    return dir > 0 ? btree_next(cur->bt, &eof) : btree_prev(cur->bt, &eof);
}

static void
mv_step(store_cursor *cur, int dir)
{
    if (dir > 0)
        mv_cursor_next(cur->mv);
    else
        mv_cursor_prev(cur->mv);
}

/*
 * From the sub-cursors' positions, finds the nearest visible entry in dir
 * (M1) and makes it current; SRC_NONE at the end.
 */
static int
settle(store_cursor *cur, int dir, bool *eof_out)
{
    int rc = CHORUS_OK;

    cur->dir = dir;
    for (;;) {
        bool have_bt = !btree_eof(cur->bt), have_mv = mv_cursor_valid(cur->mv);
        const void *row = NULL;
        uint32_t nrow = 0;
        int c = 0;
        mv_outcome o;

        if (!have_bt && !have_mv) {
            cur->src = SRC_NONE;
            break;
        }
        if (have_bt && have_mv && (rc = bt_vs_mv(cur, &c)) != CHORUS_OK)
            break;
        if (have_bt && (!have_mv || (c != 0 && (c < 0) == (dir > 0)))) {
            rc = take_key(cur, SRC_BTREE, true, NULL, 0);   /* only the B-tree has it */
            break;
        }
        o = mv_cursor_row(cur->mv, &row, &nrow);
        if (o == MV_DOOMED) {
            cur->src = SRC_NONE;
            rc = store_outcome(cur, o, NULL, 0);
            break;
        }
        if (o == MV_ROW || (o == MV_ABSENT && have_bt && c == 0)) {
            rc = take_key(cur, o == MV_ROW ? SRC_STORE : SRC_BTREE, o != MV_ROW, row, nrow);
            break;
        }
        if (have_bt && c == 0 && (rc = bt_step(cur, dir)) != CHORUS_OK)
            break;                      /* the store hides the B-tree's row */
        mv_step(cur, dir);
    }
    if (eof_out != NULL)
        *eof_out = cur->src == SRC_NONE;
    return rc;
}

/* --- positioning ------------------------------------------------------------- */

/* Parses the current index key into probe values plus the rowid. */
static int
current_probe(store_cursor *cur, record_cursor *rc_out, value *probe, int *n_out)
{
    int rc = record_cursor_parse(rc_out, cur->key.p, cur->key.n);

    if (rc != CHORUS_OK)
        return rc;
    for (int i = 0; i < rc_out->n_cols && i < KEY_INFO_MAX; i++)
        record_cursor_column(rc_out, i, &probe[i]);
    *n_out = rc_out->n_cols < KEY_INFO_MAX ? rc_out->n_cols : KEY_INFO_MAX;
    if (cur->ki->layout == KEY_LAYOUT_ROWID) {
        value_set_int(&probe[*n_out], cur->rowid);
        (*n_out)++;
    }
    return CHORUS_OK;
}

/* Places the store cursor strictly beyond (dir) or at-or-beyond (!strict)
 * the key (k, nk, rowid). */
static void
mv_place(store_cursor *cur, const uint8_t *k, uint32_t nk, int64_t rowid, int dir, bool strict)
{
    bool valid = cur->ki == NULL ? mv_cursor_seek_rowid(cur->mv, rowid)
                                 : mv_cursor_seek_key(cur->mv, k, nk, rowid);

    if (dir > 0) {
        if (strict && valid) {
            const void *mk;
            uint32_t nmk = 0;
            mk = mv_cursor_key(cur->mv, &nmk);
            if (key_cmp(cur, mk, nmk, mv_cursor_rowid(cur->mv), k, nk, rowid) == 0)
                mv_cursor_next(cur->mv);
        }
        return;
    }
    if (!valid) {
        mv_cursor_last(cur->mv);
        return;
    }
    if (!strict) {
        const void *mk;
        uint32_t nmk = 0;
        mk = mv_cursor_key(cur->mv, &nmk);
        if (key_cmp(cur, mk, nmk, mv_cursor_rowid(cur->mv), k, nk, rowid) == 0)
            return;
    }
    mv_cursor_prev(cur->mv);
}

/* M2: re-seeks both sub-cursors strictly beyond the current key in dir. */
static int
reseek(store_cursor *cur, int dir)
{
    value probe[KEY_INFO_MAX + 1];
    record_cursor rec;
    bool eof;
    int n, rc;

    cur->bt_key_ok = false;
    cur->need_seek = false;
    if (cur->ki == NULL) {
        rc = btree_seek_rowid(cur->bt, cur->rowid, dir > 0 ? BTREE_SEEK_GT : BTREE_SEEK_LT,
                              &eof, NULL);
        if (rc == CHORUS_OK)
            mv_place(cur, NULL, 0, cur->rowid, dir, true);
        return rc;
    }
    record_cursor_init(&rec);
    rc = current_probe(cur, &rec, probe, &n);
    if (rc == CHORUS_OK)
        rc = btree_seek_key(cur->bt, probe, n, dir > 0 ? BTREE_SEEK_GT : BTREE_SEEK_LT, &eof);
    record_cursor_free(&rec);
    if (rc == CHORUS_OK)
        mv_place(cur, cur->key.p, cur->key.n, cur->rowid, dir, true);
    return rc;
}

/* Whether a sub-cursor sits on the current key. */
static int
on_current(store_cursor *cur, bool bt_side, bool *out)
{
    const void *k;
    uint32_t nk = 0;
    int64_t rowid;
    int rc;

    *out = false;
    if (bt_side) {
        if (btree_eof(cur->bt))
            return CHORUS_OK;
        rc = bt_load(cur, &rowid);
        if (rc != CHORUS_OK)
            return rc;
        k = cur->bt_key.p;
        nk = cur->bt_key.n;
    } else {
        if (!mv_cursor_valid(cur->mv))
            return CHORUS_OK;
        rowid = mv_cursor_rowid(cur->mv);
        k = mv_cursor_key(cur->mv, &nk);
    }
    *out = key_cmp(cur, k, nk, rowid, cur->key.p, cur->key.n, cur->rowid) == 0;
    return CHORUS_OK;
}

static int
move(store_cursor *cur, int dir, bool *eof_out)
{
    bool on;
    int rc;

    if (cur->src == SRC_NONE) {
        *eof_out = true;
        return CHORUS_OK;
    }
    if (cur->need_seek || cur->dir != dir) {
        rc = reseek(cur, dir);
    } else {
        rc = on_current(cur, true, &on);
        if (rc == CHORUS_OK && on)
            rc = bt_step(cur, dir);
        if (rc == CHORUS_OK && on_current(cur, false, &on) == CHORUS_OK && on)
            mv_step(cur, dir);
    }
    if (rc != CHORUS_OK)
        return rc;
    return settle(cur, dir, eof_out);
}

int
store_mv_next(store_cursor *cur, bool *eof_out)
{
    return move(cur, 1, eof_out);
}

int
store_mv_prev(store_cursor *cur, bool *eof_out)
{
    return move(cur, -1, eof_out);
}

int
store_mv_first(store_cursor *cur, bool *eof_out)
{
    bool eof;
    int rc = btree_first(cur->bt, &eof);

    cur->bt_key_ok = false;
    cur->need_seek = false;
    if (rc != CHORUS_OK)
        return rc;
    mv_cursor_first(cur->mv);
    return settle(cur, 1, eof_out);
}

int
store_mv_last(store_cursor *cur, bool *eof_out)
{
    bool eof;
    int rc = btree_last(cur->bt, &eof);

    cur->bt_key_ok = false;
    cur->need_seek = false;
    if (rc != CHORUS_OK)
        return rc;
    mv_cursor_last(cur->mv);
    return settle(cur, -1, eof_out);
}

int
store_mv_seek_rowid(store_cursor *cur, int64_t rowid, int op, bool *eof_out, bool *exact_out)
{
    int dir = op == BTREE_SEEK_GE || op == BTREE_SEEK_GT ? 1 : -1;
    bool strict = op == BTREE_SEEK_GT || op == BTREE_SEEK_LT;
    bool eof;
    int rc = btree_seek_rowid(cur->bt, rowid, op, &eof, NULL);

    cur->bt_key_ok = false;
    cur->need_seek = false;
    if (rc != CHORUS_OK)
        return rc;
    mv_place(cur, NULL, 0, rowid, dir, strict);
    rc = settle(cur, dir, eof_out);
    if (exact_out != NULL)
        *exact_out = rc == CHORUS_OK && cur->src != SRC_NONE && cur->rowid == rowid;
    return rc;
}

/* Whether a probe of n values ends with the rowid (it exceeds the key's
 * columns of an index of a rowid table). */
static bool
probe_has_rowid(const store_cursor *cur, int n)
{
    return n > cur->ki->n_fields && cur->ki->layout == KEY_LAYOUT_ROWID;
}

/* Orders the store cursor's key against a probe prefix of n values (the
 * last one the rowid when probe_has_rowid). */
static int
mv_vs_probe(store_cursor *cur, const value *probe, int n)
{
    int nk = n < cur->ki->n_fields ? n : cur->ki->n_fields;
    uint32_t nmk = 0;
    const void *mk = mv_cursor_key(cur->mv, &nmk);
    int rc, c = record_compare_probe(cur->ki, mk, nmk, probe, nk, &rc);
    int64_t rowid = mv_cursor_rowid(cur->mv);

    if (c != 0 || !probe_has_rowid(cur, n))
        return c;
    return rowid < probe[nk].u.i ? -1 : rowid > probe[nk].u.i;
}

/* Places the store cursor for a prefix seek (btree_seek_key's meaning). */
static int
mv_place_probe(store_cursor *cur, const value *probe, int n, int op)
{
    int nk = n < cur->ki->n_fields ? n : cur->ki->n_fields;
    int64_t rowid = probe_has_rowid(cur, n) ? probe[nk].u.i : INT64_MIN;
    uint8_t *rec = NULL;
    size_t nrec = 0;
    bool valid;
    int rc = record_build(probe, nk, &rec, &nrec);

    if (rc != CHORUS_OK)
        return rc;
    valid = mv_cursor_seek_key(cur->mv, rec, (uint32_t)nrec, rowid);
    free(rec);
    if (op == BTREE_SEEK_GT || op == BTREE_SEEK_LE)
        while (valid && mv_vs_probe(cur, probe, n) == 0)
            valid = mv_cursor_next(cur->mv);
    if (op == BTREE_SEEK_LE || op == BTREE_SEEK_LT) {
        if (valid)
            mv_cursor_prev(cur->mv);
        else
            mv_cursor_last(cur->mv);
    }
    return CHORUS_OK;
}

int
store_mv_seek_key(store_cursor *cur, const value *probe, int n, int op, bool *eof_out)
{
    int dir = op == BTREE_SEEK_GE || op == BTREE_SEEK_GT ? 1 : -1;
    bool eof;
    int rc = btree_seek_key(cur->bt, probe, n, op, &eof);

    cur->bt_key_ok = false;
    cur->need_seek = false;
    if (rc == CHORUS_OK)
        rc = mv_place_probe(cur, probe, n, op);
    if (rc != CHORUS_OK)
        return rc;
    return settle(cur, dir, eof_out);
}

/* --- reading ------------------------------------------------------------------ */

int
store_mv_payload(store_cursor *cur, const uint8_t **data_out, uint32_t *nbytes_out)
{
    const void *rec;
    uint32_t n;
    int rc;

    if (cur->src == SRC_NONE)
        return CHORUS_MISUSE;
    if (cur->src == SRC_BTREE && !cur->need_seek)
        return btree_payload(cur->bt, data_out, nbytes_out);
    if (cur->ki != NULL && cur->ki->layout == KEY_LAYOUT_PK_ROW) {
        if (cur->row == NULL)
            return CHORUS_MISUSE;   /* deleted through this cursor; not reread */
        *data_out = cur->row;       /* M6 */
        *nbytes_out = cur->nrow;
        return CHORUS_OK;
    }
    if (cur->ki != NULL && cur->ki->layout == KEY_LAYOUT_PK_SUFFIX) {
        *data_out = cur->key.p;     /* the entry is its key columns (K3) */
        *nbytes_out = cur->key.n;
        return CHORUS_OK;
    }
    if (cur->ki != NULL) {
        rc = store_key_join(cur->key.p, cur->key.n, cur->rowid, &cur->payload);
        *data_out = cur->payload.p;
        *nbytes_out = cur->payload.n;
        return rc;
    }
    if (cur->src == SRC_BTREE)
        return CHORUS_MISUSE;   /* deleted through this cursor; not reread */
    switch (mv_table_get(cur->tx->mv, cur->table, cur->rowid, &rec, &n)) {
    case MV_ROW:
        *data_out = rec;
        *nbytes_out = n;
        return CHORUS_OK;
    case MV_ABSENT: {
        /* GC removed the chain since the cursor settled on it: the B-tree
         * holds its one version for every live snapshot (mvcc R11c). */
        bool eof, exact;
        rc = btree_seek_rowid(cur->bt, cur->rowid, BTREE_SEEK_GE, &eof, &exact);
        cur->bt_key_ok = false;
        if (rc != CHORUS_OK)
            return rc;
        return exact ? btree_payload(cur->bt, data_out, nbytes_out) : CHORUS_CORRUPT_HERE();
    }
    default:
        return CHORUS_MISUSE;
    }
}

/* --- writing ------------------------------------------------------------------ */

int
store_mv_insert(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes)
{
    const void *rec;
    uint32_t n;
    bool eof, exact = false;
    mv_outcome o;
    int rc;

    cur->rowid = rowid;
    o = mv_table_get(cur->tx->mv, cur->table, rowid, &rec, &n);
    if (o == MV_ABSENT) {                                           /* M3 */
        rc = btree_seek_rowid(cur->bt, rowid, BTREE_SEEK_GE, &eof, &exact);
        cur->bt_key_ok = false;
        if (rc != CHORUS_OK)
            return rc;
    }
    if (o == MV_ROW || exact)
        o = mv_table_update(cur->tx->mv, cur->table, rowid, data, nbytes);
    else if (o == MV_DELETED || o == MV_ABSENT)
        o = mv_table_insert(cur->tx->mv, cur->table, rowid, data, nbytes);
    if (o != MV_OK)
        return store_outcome(cur, o, NULL, 0);
    mv_table_rowid_seen(cur->table, rowid);
    cur->src = SRC_STORE;
    cur->need_seek = true;
    return CHORUS_OK;
}

/*
 * M3 for a row that must be new (store_insert_new), in one B-tree seek and
 * one map search: a rowid the B-tree lacks is visible only through the
 * store, whose insert answers MV_EXISTS for a visible row there; a rowid the
 * B-tree holds takes the general questions (the store may hide it).
 */
/* M5: the B-tree's largest rowid (INT64_MIN when it is empty), read once. */
static int
bt_max_rowid(store_cursor *cur, int64_t *out)
{
    bool eof;
    int rc = CHORUS_OK;

    if (!cur->bt_max_known) {
        cur->bt_key_ok = false;
        cur->bt_max = INT64_MIN;
        rc = btree_last(cur->bt, &eof);
        if (rc == CHORUS_OK && !eof)
            rc = btree_rowid(cur->bt, &cur->bt_max);
        cur->bt_max_known = rc == CHORUS_OK;
    }
    *out = cur->bt_max;
    return rc;
}

int
store_mv_insert_new(store_cursor *cur, int64_t rowid, const uint8_t *data, uint32_t nbytes,
                    bool *taken_out)
{
    bool eof, exact = false;
    mv_outcome o;
    int64_t max;
    int rc = bt_max_rowid(cur, &max);

    if (rc == CHORUS_OK && rowid <= max)          /* M5: else no B-tree row has it */
        rc = btree_seek_rowid(cur->bt, rowid, BTREE_SEEK_GE, &eof, &exact);
    cur->bt_key_ok = false;
    *taken_out = false;
    if (rc == CHORUS_OK && exact)
        rc = store_mv_seek_rowid(cur, rowid, BTREE_SEEK_GE, &eof, taken_out);
    if (rc != CHORUS_OK || *taken_out)
        return rc;
    if (exact)
        return store_mv_insert(cur, rowid, data, nbytes);
    o = mv_table_insert(cur->tx->mv, cur->table, rowid, data, nbytes);
    if (o == MV_EXISTS) {
        *taken_out = true;              /* the cursor goes to that row (store.h) */
        return store_mv_seek_rowid(cur, rowid, BTREE_SEEK_GE, &eof, NULL);
    }
    if (o != MV_OK)
        return store_outcome(cur, o, NULL, 0);
    cur->rowid = rowid;
    mv_table_rowid_seen(cur->table, rowid);
    cur->src = SRC_STORE;
    cur->need_seek = true;
    return CHORUS_OK;
}

int
store_mv_index_insert(store_cursor *cur, const uint8_t *key, uint32_t nbytes, bool unique)
{
    bool keyed_row = cur->ki->layout == KEY_LAYOUT_PK_ROW;
    int64_t rowid;
    mv_outcome o;
    int rc = store_key_split(cur->ki, key, nbytes, &cur->payload, &rowid);

    if (rc != CHORUS_OK)
        return rc;
    cur->rowid = rowid;
    if (unique && store_key_has_null(cur->payload.p, cur->payload.n,
                                     cur->ki->n_fields - cur->ki->n_suffix))
        unique = false;     /* M7 */
    if (keyed_row)          /* a WITHOUT ROWID table's row under its PRIMARY KEY */
        o = mv_index_put_row(cur->tx->mv, cur->index, cur->payload.p, cur->payload.n, key,
                             nbytes);
    else
        o = mv_index_insert(cur->tx->mv, cur->index, cur->payload.p, cur->payload.n, rowid,
                            unique);
    if (o != MV_OK)
        return store_outcome(cur, o, cur->payload.p, cur->payload.n);
    rc = store_buf_reserve(&cur->key, cur->payload.n);
    if (rc != CHORUS_OK)
        return rc;
    memcpy(cur->key.p, cur->payload.p, cur->payload.n);
    cur->key.n = cur->payload.n;
    cur->src = SRC_STORE;
    cur->need_seek = true;
    cur->row = NULL;
    if (keyed_row && (rc = store_buf_reserve(&cur->payload, nbytes)) == CHORUS_OK) {
        memcpy(cur->payload.p, key, nbytes);    /* M6: the row just written */
        cur->row = cur->payload.p;
        cur->nrow = nbytes;
    }
    return rc;
}

int
store_mv_delete(store_cursor *cur)
{
    mv_outcome o;

    if (cur->src == SRC_NONE)
        return CHORUS_MISUSE;
    if (cur->ki == NULL)
        o = mv_table_delete(cur->tx->mv, cur->table, cur->rowid);
    else
        o = mv_index_delete(cur->tx->mv, cur->index, cur->key.p, cur->key.n, cur->rowid);
    if (o != MV_OK)
        return store_outcome(cur, o, cur->key.p, cur->key.n);
    cur->need_seek = true;
    cur->row = NULL;
    return CHORUS_OK;
}

int
store_mv_rowid_next(store_cursor *cur, int64_t *out)
{
    int64_t max;
    int rc = bt_max_rowid(cur, &max);

    cur->need_seek = true;
    if (rc != CHORUS_OK)
        return rc;
    if (max > 0)
        mv_table_rowid_seen(cur->table, max);       /* mvcc R10: seeded by the B-tree */
    *out = mv_table_rowid_next(cur->table);
    if (*out <= 0)
        return CHORUS_FULL;
    return CHORUS_OK;
}
