/*
 * core/func/datetime.c: the date and time functions (placeholder while the
 * full implementation is written): the registry lists none yet.
 *
 * Callers: core/func/registry.c.
 */
#include "func_int.h"

const func_table func_datetime_table = { NULL, 0 };
