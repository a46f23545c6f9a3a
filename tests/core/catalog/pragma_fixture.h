/*
 * tests/core/catalog/pragma_fixture.h: what the PRAGMA tests share: running
 * one PRAGMA through catalog_pragma() in a read transaction of the catalog
 * fixture, with the connection settings a connection would lend it
 * (busy_timeout 5000, foreign_keys and recursive_triggers off, cache_size
 * -2000), its rows formatted as sqlite3_exec prints them, and the check
 * that sqlite3 answers the same on the same file.
 * Callers: tests/core/catalog/test_fkcheck.c, tests/core/catalog/test_pragma.c.
 */
#ifndef CHORUS_TEST_PRAGMA_FIXTURE_H
#define CHORUS_TEST_PRAGMA_FIXTURE_H

#include "catalog_fixture.h"

/* The rows of r as "a|b\n" lines (integers and text; NULL as nothing). */
char *fx_pragma_rows_text(const catalog_result *r);
/* Runs text (one PRAGMA): its rows as text, or its error message (rc in
 * *rc_out); malloc()ed. */
char *fx_pragma_run(fixture *f, const char *text, int *rc_out);
/* Closes our pager, asks sqlite3, then runs text through us: the answers
 * must be the same. */
void fx_pragma_same_as_sqlite(fixture *f, const char *text);

#endif
