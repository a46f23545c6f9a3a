/*
 * tests/core/btree/btree_fixture.h: a database on a real pager in a fresh
 * temporary directory, shared by the btree tests (static functions, one copy
 * per test executable).
 */
#ifndef CHORUS_BTREE_FIXTURE_H
#define CHORUS_BTREE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "btree.h"
#include "test_support.h"

typedef struct fixture {
    char path[512];
    pager *pager;
    pager_tx *tx;
} fixture;

/* Opens (creating) path with page_size (0: default) and begins a write tx. */
static inline void
fixture_open_path(fixture *f, const char *path, uint32_t page_size)
{
    pager_config cfg = {.create = true, .page_size = page_size};
    char *err = NULL;

    if (path != f->path)
        snprintf(f->path, sizeof f->path, "%s", path);
    assert_int_equal(pager_open(f->path, &cfg, &f->pager, &err), CHORUS_OK);
    free(err);
    assert_int_equal(pager_tx_begin_write(f->pager, 1000, NULL, &f->tx), CHORUS_OK);
    assert_int_equal(btree_init_database(f->tx), CHORUS_OK);
}

static inline void
fixture_open(fixture *f, uint32_t page_size)
{
    char path[512];

    assert_non_null(test_tmpdir());
    fixture_open_path(f, test_path(path, sizeof path, "test.db"), page_size);
}

/* Commits the write tx and begins a new one. */
static inline void
fixture_commit(fixture *f)
{
    assert_int_equal(pager_tx_commit(f->tx), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(f->pager, 1000, NULL, &f->tx), CHORUS_OK);
}

/* Commits, closes the pager (keeping the files). */
static inline void
fixture_close(fixture *f)
{
    if (f->tx != NULL)
        assert_int_equal(pager_tx_commit(f->tx), CHORUS_OK);
    f->tx = NULL;
    assert_int_equal(pager_close(f->pager), CHORUS_OK);
    f->pager = NULL;
}

/* Runs the integrity check over roots and fails the test on any error line. */
static inline void
fixture_check(fixture *f, const uint32_t *roots, const key_info *const *kis, int n)
{
    strbuf errors;
    int n_errors = -1;

    strbuf_init(&errors);
    assert_int_equal(btree_integrity_check(f->tx, roots, kis, n, 100, &errors, &n_errors),
                     CHORUS_OK);
    if (n_errors != 0)
        fail_msg("integrity check:\n%s", errors.data ? errors.data : "");
    strbuf_free(&errors);
}

/* A payload of n bytes whose content depends on seed. */
static inline void
fill_payload(uint8_t *buf, uint32_t n, uint64_t seed)
{
    for (uint32_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        buf[i] = (uint8_t)(seed >> 56);
    }
}

#endif
