/*
 * core/vm/checkpointer.c: the automatic MVCC checkpoint (mvcc_mode.c VM8)
 * on a thread of its own, so that a writer's commit does not carry the
 * checkpoint's work (writing the B-tree, the log rewrite, GC) on its
 * thread while other cores sit idle.
 *
 * Rules
 *   CK1 One checkpointer per database at most, started by the first commit
 *       that finds a checkpoint due (a database that never grows its log
 *       past wal_autocheckpoint never has the thread) and stopped before
 *       MVCC mode closes (vm_checkpointer_stop: database close, the switch
 *       back to WAL), after which nothing of it runs.
 *   CK2 A commit that finds a checkpoint due asks for one and goes on;
 *       the thread runs checkpoints, trying the locks without waiting as
 *       the inline one did (busy: the next request tries again), until
 *       none is due.
 *   CK3 Backpressure: a commit that finds the log grown by
 *       CK_BACKLOG_FACTOR thresholds runs the checkpoint itself, waiting
 *       for the checkpoint lock (mv_log ckpt_mu): writers faster than one
 *       checkpointer are slowed to its pace rather than let the log and the
 *       version store grow without bound. So does a commit whose request
 *       cannot start the thread.
 * Locking: ck->mu guards requested and stop; it is a leaf, never held
 * across a checkpoint. db->checkpointer is set and cleared under db->mu.
 * Ownership: the database owns its checkpointer (db->checkpointer).
 * Callers: mvcc_mode.c (commit, close, mode switch).
 */
#include <pthread.h>
#include <stdlib.h>

#include "vm_int.h"

#define CK_BACKLOG_FACTOR 4     /* CK3 */

struct vm_checkpointer {
    vm_db *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool requested;             /* guarded by mu */
    bool stop;                  /* guarded by mu */
};

static int64_t
threshold_bytes(vm_db *db)
{
    return (int64_t)pager_autocheckpoint(db->pager) * pager_page_size(db->pager);
}

/* One checkpoint: the locks tried, or waited for (CK3: the checkpoint
 * lock, and the writer lock within busy_ms). */
static bool
run_once(vm_db *db, bool wait, int busy_ms)
{
    store_checkpoint_info info;
    int rc = store_mvcc_checkpoint_run(db->store, db->pager, wait ? busy_ms : 0, wait, &info);

    return rc == CHORUS_OK && !info.busy;
}

static void *
checkpointer_main(void *arg)
{
    vm_checkpointer *ck = arg;
    vm_db *db = ck->db;

    pthread_mutex_lock(&ck->mu);
    for (;;) {
        while (!ck->requested && !ck->stop)
            pthread_cond_wait(&ck->cv, &ck->mu);
        if (ck->stop)
            break;
        ck->requested = false;
        pthread_mutex_unlock(&ck->mu);
        /* CK2: until none is due, or a try finds the locks taken. */
        while (mv_log_checkpoint_due(store_mvcc_log(db->store), threshold_bytes(db)) &&
               run_once(db, false, 0)) {
        }
        pthread_mutex_lock(&ck->mu);
    }
    pthread_mutex_unlock(&ck->mu);
    return NULL;
}

static vm_checkpointer *
checkpointer_start(vm_db *db)
{
    vm_checkpointer *ck = calloc(1, sizeof *ck);

    if (ck == NULL)
        return NULL;
    ck->db = db;
    pthread_mutex_init(&ck->mu, NULL);
    pthread_cond_init(&ck->cv, NULL);
    if (pthread_create(&ck->thread, NULL, checkpointer_main, ck) != 0) {
        pthread_mutex_destroy(&ck->mu);
        pthread_cond_destroy(&ck->cv);
        free(ck);
        return NULL;
    }
    return ck;
}

void
vm_checkpointer_commit_done(vm_db *db, int busy_ms)
{
    mv_log *log = store_mvcc_log(db->store);
    int64_t threshold = threshold_bytes(db);
    vm_checkpointer *ck;

    if (!mv_log_checkpoint_due(log, threshold))
        return;
    if (mv_log_checkpoint_due(log, threshold * CK_BACKLOG_FACTOR)) {
        run_once(db, true, busy_ms);                            /* CK3 */
        return;
    }
    pthread_mutex_lock(&db->mu);
    if (db->checkpointer == NULL)
        db->checkpointer = checkpointer_start(db);              /* CK1 */
    ck = db->checkpointer;
    pthread_mutex_unlock(&db->mu);
    if (ck == NULL) {
        run_once(db, false, 0);                                 /* CK3: no thread */
        return;
    }
    pthread_mutex_lock(&ck->mu);
    ck->requested = true;
    pthread_cond_signal(&ck->cv);
    pthread_mutex_unlock(&ck->mu);
}

void
vm_checkpointer_stop(vm_db *db)
{
    vm_checkpointer *ck;

    pthread_mutex_lock(&db->mu);
    ck = db->checkpointer;
    db->checkpointer = NULL;
    pthread_mutex_unlock(&db->mu);
    if (ck == NULL)
        return;
    pthread_mutex_lock(&ck->mu);
    ck->stop = true;
    pthread_cond_signal(&ck->cv);
    pthread_mutex_unlock(&ck->mu);
    pthread_join(ck->thread, NULL);
    pthread_mutex_destroy(&ck->mu);
    pthread_cond_destroy(&ck->cv);
    free(ck);
}
