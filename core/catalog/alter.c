/*
 * core/catalog/alter.c: ALTER TABLE: RENAME TO, ADD COLUMN, RENAME COLUMN,
 * DROP COLUMN, by SQLite's rules, rewriting the stored SQL.
 *
 * Callers: catalog_ddl_execute.
 */
#include "catalog_int.h"

int
ddl_alter(catalog_writer *w, const ast_stmt *stmt, const char *sql)
{
    return writer_fail(w, CHORUS_ERROR, "not supported yet: ALTER TABLE");
}
