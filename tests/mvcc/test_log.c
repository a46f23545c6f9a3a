/*
 * tests/mvcc/test_log.c: the logical log: round trip through both writers
 * (io_uring and pwrite), torn tails at every byte (mvcc R15), corrupt
 * checksums, salts, checkpoint marks, bad headers, preallocated zeros
 * (log_writer.c W10), and commits from the store reaching the log (mvcc R12).
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mvcc.h"
#include "test_support.h"

typedef struct seen {
    int n;
    uint64_t ts[256];
    int n_records[256];
    mv_log_record first[256];
    char first_data[256][32];
} seen;

static int
collect(void *ctx, const mv_log_frame *frame)
{
    seen *s = ctx;
    uint32_t pos = 0;
    mv_log_record rec;
    int i = s->n++, r;

    s->ts[i] = frame->commit_ts;
    s->n_records[i] = 0;
    while ((r = mv_log_frame_next(frame, &pos, &rec)) == 1) {
        if (s->n_records[i]++ == 0) {
            s->first[i] = rec;
            memset(s->first_data[i], 0, 32);
            if (rec.nbytes > 0)
                memcpy(s->first_data[i], rec.data, rec.nbytes < 31 ? rec.nbytes : 31);
        }
    }
    return r == 0 ? CHORUS_OK : r;
}

static void
append_frame(mv_log *log, uint64_t ts, mv_sync sync)
{
    char text[32];
    snprintf(text, sizeof text, "row-%llu", (unsigned long long)ts);
    mv_log_record recs[3] = {
        {MV_LOG_ROW_PUT, 7, (int64_t)ts, (const uint8_t *)text, (uint32_t)strlen(text), NULL, 0},
        {MV_LOG_ROW_DELETE, 7, -(int64_t)ts, NULL, 0, NULL, 0},
        {MV_LOG_INDEX_PUT, 9, (int64_t)ts, (const uint8_t *)"key", 3, NULL, 0},
    };
    assert_int_equal(mv_log_append(log, ts, recs, 3, sync), CHORUS_OK);
}

static int64_t
file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void
write_log(const char *path, int n_frames, int use_uring, const char **backend)
{
    mv_log_options opts = {.use_uring = use_uring};
    mv_log_recovery rec;
    mv_log *log;

    assert_int_equal(mv_log_open(path, &opts, NULL, NULL, &rec, &log), CHORUS_OK);
    assert_int_equal(rec.n_frames, 0);
    for (int i = 1; i <= n_frames; i++)
        append_frame(log, (uint64_t)i * 10, i % 2 ? MV_SYNC_FULL : MV_SYNC_NORMAL);
    if (backend != NULL)
        *backend = mv_log_backend(log);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
}

static void
round_trip(int use_uring, const char *want_backend)
{
    char path[512];
    seen s = {0};
    mv_log_recovery rec;
    const char *backend;

    test_path(path, sizeof path, "db-log");
    write_log(path, 5, use_uring, &backend);
    print_message("log backend: %s\n", backend);
    if (want_backend != NULL)
        assert_string_equal(backend, want_backend);
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 5);
    assert_int_equal(rec.n_frames, 5);
    assert_int_equal(rec.max_ts, 50);
    assert_false(rec.torn_tail);
    assert_int_equal(rec.end_offset, file_size(path));
    for (int i = 0; i < 5; i++) {
        char want[32];
        assert_int_equal(s.ts[i], (uint64_t)(i + 1) * 10);
        assert_int_equal(s.n_records[i], 3);
        assert_int_equal(s.first[i].op, MV_LOG_ROW_PUT);
        assert_int_equal(s.first[i].object, 7);
        assert_int_equal(s.first[i].rowid, (i + 1) * 10);
        snprintf(want, sizeof want, "row-%d", (i + 1) * 10);
        assert_string_equal(s.first_data[i], want);
    }
}

static void
test_log_round_trip_with_pwrite_writer(void **state)
{
    (void)state;
    test_tmpdir();
    round_trip(0, "pwrite");
    test_tmpdir_remove();
}

static void
test_log_round_trip_with_uring_writer_or_its_fallback(void **state)
{
    (void)state;
    test_tmpdir();
    round_trip(1, NULL);
    test_tmpdir_remove();
}

static void
test_environment_turns_uring_off(void **state)
{
    (void)state;
    test_tmpdir();
    setenv("CHORUS_URING", "0", 1);
    round_trip(1, "pwrite");
    unsetenv("CHORUS_URING");
    test_tmpdir_remove();
}

static void
test_reopened_log_appends_after_what_it_recovered(void **state)
{
    char path[512];
    seen s = {0};
    mv_log_recovery rec;
    mv_log *log;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    write_log(path, 3, 0, NULL);
    assert_int_equal(mv_log_open(path, NULL, collect, &s, &rec, &log), CHORUS_OK);
    assert_int_equal(s.n, 3);
    append_frame(log, 40, MV_SYNC_FULL);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.ts[3], 40);
    test_tmpdir_remove();
}

static void
copy_prefix(const char *from, const char *to, int64_t nbytes)
{
    char *data = test_read_file(from);
    FILE *f = fopen(to, "wb");
    assert_non_null(data);
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, (size_t)nbytes, f), (size_t)nbytes);
    fclose(f);
    free(data);
}

/* log_writer.c W10: a synced batch writes zeros ahead of the log's end;
 * recovery reads them as the end of the log, not as a torn tail, an open
 * keeps them and writes over them, and a clean close cuts them. */
static void
test_preallocated_zeros_end_the_log_and_a_close_cuts_them(void **state)
{
    char path[512], copy[512];
    seen s = {0};
    mv_log_recovery rec;
    mv_log *log;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    test_path(copy, sizeof copy, "copy-log");
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, &rec, &log), CHORUS_OK);
    append_frame(log, 10, MV_SYNC_FULL);
    append_frame(log, 20, MV_SYNC_FULL);
    /* The file as a crash now would leave it. */
    int64_t size = file_size(path);
    copy_prefix(path, copy, size);
    assert_int_equal(mv_log_recover(copy, NULL, NULL, &rec), CHORUS_OK);
    assert_true(size - rec.end_offset > 512 * 1024);
    assert_false(rec.torn_tail);
    assert_int_equal(rec.alloc_end, size);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(file_size(path), rec.end_offset);

    /* Reopened, the crashed copy goes on over its zeros. */
    assert_int_equal(mv_log_open(copy, NULL, collect, &s, &rec, &log), CHORUS_OK);
    assert_int_equal(s.n, 2);
    assert_false(rec.torn_tail);
    assert_int_equal(file_size(copy), size);
    append_frame(log, 30, MV_SYNC_FULL);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(mv_log_recover(copy, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ts[2], 30);
    assert_false(rec.torn_tail);
    assert_int_equal(file_size(copy), rec.end_offset);

    /* One byte other than zero after the frames is a torn tail again. */
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, &rec, &log), CHORUS_OK);
    append_frame(log, 40, MV_SYNC_FULL);
    size = file_size(path);
    copy_prefix(path, copy, size);
    int fd = open(copy, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "x", 1, size - 1), 1);
    close(fd);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(mv_log_open(copy, NULL, collect, &s, &rec, &log), CHORUS_OK);
    assert_int_equal(s.n, 3);
    assert_true(rec.torn_tail);
    assert_int_equal(file_size(copy), rec.end_offset);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    test_tmpdir_remove();
}

static void
test_torn_last_frame_at_every_byte_recovers_the_prefix(void **state)
{
    char path[512], cut[512], before[512];
    mv_log_recovery rec;
    seen s;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    test_path(cut, sizeof cut, "cut-log");
    test_path(before, sizeof before, "before-log");
    write_log(before, 3, 0, NULL);
    int64_t last_start = file_size(before);
    write_log(path, 4, 0, NULL);
    int64_t end = file_size(path);
    assert_true(end > last_start);
    for (int64_t len = last_start; len < end; len++) {
        copy_prefix(path, cut, len);
        memset(&s, 0, sizeof s);
        assert_int_equal(mv_log_recover(cut, collect, &s, &rec), CHORUS_OK);
        assert_int_equal(s.n, 3);
        assert_int_equal(rec.end_offset, last_start);
        assert_int_equal(rec.torn_tail, len > last_start);
    }
    /* Opening a torn log cuts the tail; new frames then follow the prefix. */
    copy_prefix(path, cut, end - 1);
    mv_log *log;
    assert_int_equal(mv_log_open(cut, NULL, NULL, NULL, &rec, &log), CHORUS_OK);
    assert_true(rec.torn_tail);
    append_frame(log, 99, MV_SYNC_FULL);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    memset(&s, 0, sizeof s);
    assert_int_equal(mv_log_recover(cut, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.ts[3], 99);
    assert_false(rec.torn_tail);
    test_tmpdir_remove();
}

static void
flip_byte(const char *path, int64_t off)
{
    int fd = open(path, O_RDWR);
    uint8_t b;
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x40;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static void
test_corrupt_checksum_ends_the_log(void **state)
{
    char path[512], two[512];
    mv_log_recovery rec;
    seen s = {0};
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    test_path(two, sizeof two, "two-log");
    write_log(two, 2, 0, NULL);
    write_log(path, 4, 0, NULL);
    int64_t third = file_size(two);
    flip_byte(path, third + 30);        /* inside frame 3's records */
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 2);           /* frame 4 is intact but comes after the bad one */
    assert_int_equal(rec.end_offset, third);
    assert_true(rec.torn_tail);
    test_tmpdir_remove();
}

static void
test_checkpoint_mark_skips_frames_the_btree_holds(void **state)
{
    char path[512];
    mv_log_recovery rec;
    seen s = {0};
    mv_log *log;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, NULL, &log), CHORUS_OK);
    append_frame(log, 1, MV_SYNC_FULL);
    append_frame(log, 3, MV_SYNC_FULL);
    append_frame(log, 2, MV_SYNC_FULL);     /* log order need not be ts order */
    assert_int_equal(mv_log_checkpoint(log, 2, MV_SYNC_FULL), CHORUS_OK);
    append_frame(log, 4, MV_SYNC_OFF);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(rec.checkpoint_ts, 2);
    assert_int_equal(rec.n_skipped, 2);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ts[0], 3);
    assert_int_equal(s.ts[1], 4);
    test_tmpdir_remove();
}

static void
test_reset_log_never_replays_the_old_generation(void **state)
{
    char path[512];
    mv_log_recovery rec;
    seen s = {0};
    mv_log *log;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, NULL, &log), CHORUS_OK);
    for (int i = 1; i <= 5; i++)
        append_frame(log, (uint64_t)i, MV_SYNC_FULL);
    assert_int_equal(mv_log_reset(log), CHORUS_OK);
    assert_int_equal(file_size(path), 32);
    append_frame(log, 6, MV_SYNC_FULL);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ts[0], 6);
    test_tmpdir_remove();
}

static void
write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void
test_file_that_is_not_a_log_is_refused(void **state)
{
    char path[512];
    char junk[100];
    mv_log_recovery rec;
    mv_log *log;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    memset(junk, 'x', sizeof junk);
    write_bytes(path, junk, sizeof junk);
    assert_int_equal(mv_log_recover(path, NULL, NULL, &rec), CHORUS_NOTADB);
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, &rec, &log), CHORUS_NOTADB);
    test_tmpdir_remove();
}

static void
test_log_header_with_bad_checksum_fails_closed(void **state)
{
    char path[512];
    mv_log_recovery rec;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    write_log(path, 2, 0, NULL);
    flip_byte(path, 17);    /* the salt */
    assert_int_equal(mv_log_recover(path, NULL, NULL, &rec), CHORUS_CORRUPT);
    test_tmpdir_remove();
}

static void
test_torn_header_of_an_empty_log_starts_fresh(void **state)
{
    char path[512];
    mv_log_recovery rec;
    mv_log *log;
    seen s = {0};
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    write_bytes(path, "CHORUS", 6);
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, &rec, &log), CHORUS_OK);
    append_frame(log, 1, MV_SYNC_FULL);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 1);
    test_tmpdir_remove();
}

static void
test_missing_log_cannot_be_recovered(void **state)
{
    mv_log_recovery rec;
    (void)state;
    assert_int_equal(mv_log_recover("/nonexistent/dir/db-log", NULL, NULL, &rec), CHORUS_CANTOPEN);
}

static int
replay_fails(void *ctx, const mv_log_frame *frame)
{
    (void)ctx;
    (void)frame;
    return CHORUS_CORRUPT;
}

static void
test_replay_error_stops_recovery(void **state)
{
    char path[512];
    mv_log_recovery rec;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    write_log(path, 3, 0, NULL);
    assert_int_equal(mv_log_recover(path, replay_fails, NULL, &rec), CHORUS_CORRUPT);
    test_tmpdir_remove();
}

/* --- commits through the store -------------------------------------------------- */

static void
test_committed_transactions_appear_in_the_log_with_their_final_images(void **state)
{
    char path[512];
    mv_log_recovery rec;
    seen s = {0};
    mv_log *log;
    mv_db *db;
    mv_table *t;
    mv_index *ix;
    mv_tx *tx;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, NULL, &log), CHORUS_OK);
    assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
    mv_db_attach_log(db, log);
    mv_table_open(db, 7, "t", &t);
    mv_index_open(db, 9, "ix", NULL, NULL, &ix);
    assert_int_equal(mv_tx_new(db, &tx), CHORUS_OK);

    mv_tx_begin(tx);
    assert_int_equal(mv_table_insert(tx, t, 1, "first", 5), MV_OK);
    assert_int_equal(mv_table_update(tx, t, 1, "final", 5), MV_OK);    /* one image logged */
    assert_int_equal(mv_index_insert(tx, ix, "k", 1, 1, true), MV_OK);
    assert_int_equal(mv_tx_commit(tx, MV_SYNC_FULL), CHORUS_OK);
    uint64_t ts1 = mv_tx_commit_ts(tx);
    mv_tx_begin(tx);
    assert_int_equal(mv_table_insert(tx, t, 2, "gone", 4), MV_OK);
    mv_tx_rollback(tx);                                                 /* not logged */
    mv_tx_begin(tx);
    assert_int_equal(mv_table_delete(tx, t, 1), MV_OK);
    assert_int_equal(mv_tx_commit(tx, MV_SYNC_NORMAL), CHORUS_OK);
    mv_tx_free(tx);
    mv_db_close(db);
    assert_int_equal(mv_log_close(log), CHORUS_OK);

    assert_int_equal(mv_log_recover(path, collect, &s, &rec), CHORUS_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ts[0], ts1);
    assert_int_equal(s.n_records[0], 2);
    assert_int_equal(s.first[0].op, MV_LOG_ROW_PUT);
    assert_string_equal(s.first_data[0], "final");
    assert_int_equal(s.n_records[1], 1);
    assert_int_equal(s.first[1].op, MV_LOG_ROW_DELETE);
    assert_int_equal(s.first[1].rowid, 1);
    test_tmpdir_remove();
}

typedef struct committer {
    mv_db *db;
    mv_table *t;
    int n;
    int failures;
} committer;

static void *
commit_loop(void *arg)
{
    committer *c = arg;
    mv_tx *tx;

    assert_int_equal(mv_tx_new(c->db, &tx), CHORUS_OK);
    for (int i = 0; i < c->n; i++) {
        int64_t rowid = mv_table_rowid_next(c->t);
        mv_tx_begin(tx);
        if (mv_table_insert(tx, c->t, rowid, &rowid, sizeof rowid) != MV_OK ||
            mv_tx_commit(tx, MV_SYNC_FULL) != CHORUS_OK)
            c->failures++;
    }
    mv_tx_free(tx);
    return NULL;
}

static int
count_frames(void *ctx, const mv_log_frame *frame)
{
    (void)frame;
    (*(int *)ctx)++;
    return CHORUS_OK;
}

static void
test_concurrent_full_commits_share_syncs_and_all_reach_the_log(void **state)
{
    enum { THREADS = 4, PER = 300 };
    char path[512];
    pthread_t th[THREADS];
    committer c[THREADS];
    mv_log_recovery rec;
    mv_log_stats st;
    mv_log *log;
    mv_db *db;
    mv_table *t;
    int frames = 0;
    (void)state;

    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, NULL, NULL, NULL, NULL, &log), CHORUS_OK);
    assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
    mv_db_attach_log(db, log);
    mv_table_open(db, 1, "t", &t);
    for (int i = 0; i < THREADS; i++) {
        c[i] = (committer){db, t, PER, 0};
        pthread_create(&th[i], NULL, commit_loop, &c[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(c[i].failures, 0);
    }
    mv_log_get_stats(log, &st);
    print_message("%lld frames, %lld writes, %lld syncs\n", (long long)st.n_frames,
                  (long long)st.n_writes, (long long)st.n_syncs);
    assert_int_equal(st.n_frames, THREADS * PER);
    assert_true(st.n_syncs <= st.n_frames);
    mv_db_close(db);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, count_frames, &frames, &rec), CHORUS_OK);
    assert_int_equal(frames, THREADS * PER);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_round_trip_with_pwrite_writer),
        cmocka_unit_test(test_log_round_trip_with_uring_writer_or_its_fallback),
        cmocka_unit_test(test_environment_turns_uring_off),
        cmocka_unit_test(test_reopened_log_appends_after_what_it_recovered),
        cmocka_unit_test(test_preallocated_zeros_end_the_log_and_a_close_cuts_them),
        cmocka_unit_test(test_torn_last_frame_at_every_byte_recovers_the_prefix),
        cmocka_unit_test(test_corrupt_checksum_ends_the_log),
        cmocka_unit_test(test_checkpoint_mark_skips_frames_the_btree_holds),
        cmocka_unit_test(test_reset_log_never_replays_the_old_generation),
        cmocka_unit_test(test_file_that_is_not_a_log_is_refused),
        cmocka_unit_test(test_log_header_with_bad_checksum_fails_closed),
        cmocka_unit_test(test_torn_header_of_an_empty_log_starts_fresh),
        cmocka_unit_test(test_missing_log_cannot_be_recovered),
        cmocka_unit_test(test_replay_error_stops_recovery),
        cmocka_unit_test(test_committed_transactions_appear_in_the_log_with_their_final_images),
        cmocka_unit_test(test_concurrent_full_commits_share_syncs_and_all_reach_the_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
