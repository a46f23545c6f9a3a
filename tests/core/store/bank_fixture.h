/*
 * tests/core/store/bank_fixture.h: a bank of accounts on the MVCC store path,
 * shared by the threaded store tests. BANK_ACCOUNTS rows of BANK_START each
 * in one B-tree table under an MVCC store with a log; writers transfer 7
 * between two random accounts through merged cursors (retrying on
 * CHORUS_CONFLICT, mvcc R8); readers check in each snapshot that the count
 * and the sum never change (store rule S2). Threads report their first
 * failure into the bank; the test asserts on it after joining them.
 */
#ifndef BANK_FIXTURE_H
#define BANK_FIXTURE_H

#include <stdatomic.h>
#include <stdint.h>

#include "store.h"

enum { BANK_ACCOUNTS = 64, BANK_START = 100 };

typedef struct bank {
    char path[512];
    char log_path[512];
    pager *pager;
    store_db *store;
    uint32_t table;
    int transfers;                  /* successful transfers per writer */
    int64_t min_checkpoints;        /* writers keep going until this many checkpoints */
    _Atomic int writers_left;
    _Atomic int64_t conflicts;
    _Atomic int64_t checks;
    _Atomic int64_t checkpoints;    /* counted by the test's checkpointer */
    _Atomic int failed;             /* first failure code seen by a thread */
} bank;

/* Creates the database, the accounts and the MVCC store (cmocka asserts);
 * transfers and min_checkpoints are the caller's to set afterwards. */
void bank_open(bank *b);
void bank_fail_with(bank *b, int rc);
/* MVCC snapshot first, then the B-tree's (the checkpoint horizon). */
int bank_begin(bank *b, mv_tx *mtx, pager_tx **ptx, store_tx *st);
/* CHORUS_INTERNAL when the count or the sum in st's snapshot is off. */
int bank_check_snapshot(bank *b, store_tx *st);
/* bank_check_snapshot in a fresh snapshot of mtx. */
int bank_check_once(bank *b, mv_tx *mtx);
/* Thread bodies: arg is the bank. */
void *bank_writer_main(void *arg);
void *bank_reader_main(void *arg);

#endif
