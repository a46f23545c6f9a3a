/*
 * core/func/json.h: the iterator behind the table-valued functions
 * json_each(X[,P]) and json_tree(X[,P]), for the engine to wrap as a
 * virtual table. (The scalar and aggregate JSON functions are reached
 * through func_find() like every other function.)
 *
 * The table's columns, in order, are those of enum json_each_column: key,
 * value, type, atom, id, parent, fullkey, path, and the hidden columns json
 * (the X argument) and root (the P argument, '$' by default).
 *
 * Rows, as SQLite 3.45:
 *   - json_each visits the children of the container P names (one row for
 *     P itself when it is not a container); json_tree visits P and
 *     everything below it, parents before children.
 *   - key is the member name or array index (for P's own row: the last
 *     step of P, NULL for '$'); value is the SQL value (containers as JSON
 *     text with subtype 'J'); atom is value for non-containers, else NULL;
 *     parent is the id of the containing row's node (json_tree only);
 *     fullkey is the path of the row; path that of its container.
 *   - id numbers nodes as SQLite 3.40 did (keys count as nodes); SQLite
 *     3.45 uses byte offsets into its binary form, so ids match neither
 *     exactly across versions: use them only to join id with parent.
 *
 * Usage
 *     json_each *it;
 *     rc = json_each_open(&doc, &path_or_NULL, recursive, &it, &errmsg);
 *     while ((rc = json_each_next(it)) == CHORUS_ROW)
 *         json_each_column(it, JSON_EACH_KEY, &v) ...;   (value_clear(&v))
 *     json_each_close(it);
 *
 * Threads: an iterator belongs to one thread at a time; it shares nothing.
 */
#ifndef CHORUS_JSON_H
#define CHORUS_JSON_H

#include <stdbool.h>

#include "common.h"
#include "record.h"

enum json_each_column {
    JSON_EACH_KEY, JSON_EACH_VALUE, JSON_EACH_TYPE, JSON_EACH_ATOM, JSON_EACH_ID,
    JSON_EACH_PARENT, JSON_EACH_FULLKEY, JSON_EACH_PATH,
    JSON_EACH_JSON,             /* hidden: the document argument */
    JSON_EACH_ROOT,             /* hidden: the path argument */
    JSON_EACH_N_COLUMNS
};

typedef struct json_each json_each;

/* The column's name ("key", "value", ... "json", "root"), static; NULL out
 * of range. */
const char *json_each_column_name(int col);

/* Whether the column is hidden (json and root: the arguments). */
bool json_each_column_hidden(int col);

/*
 * Opens an iterator over doc (the X argument; copied, so doc may go away)
 * below path (the P argument; NULL when absent). recursive selects
 * json_tree. A NULL doc or NULL path gives an iterator with no rows.
 * Returns CHORUS_OK with *out (owned: json_each_close), CHORUS_NOMEM, or
 * CHORUS_ERROR with *errmsg_out (malloc()ed, "malformed JSON", "JSON path
 * error near '...'"; free() it) and *out NULL. errmsg_out may be NULL.
 */
int json_each_open(const value *doc, const value *path, bool recursive, json_each **out,
                   char **errmsg_out);

/* Moves to the next row (the first after open): CHORUS_ROW when there is
 * one, CHORUS_DONE at the end. */
int json_each_next(json_each *it);

/*
 * Column col of the current row into *out (owned by the caller:
 * value_clear()). CHORUS_OK, CHORUS_NOMEM, or CHORUS_RANGE for a bad col
 * or no current row.
 */
int json_each_column(json_each *it, int col, value *out);

/* Frees the iterator; NULL is fine. */
void json_each_close(json_each *it);

#endif /* CHORUS_JSON_H */
