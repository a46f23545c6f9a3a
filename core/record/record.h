/*
 * core/record/record.h: SQL values, varints, the SQLite record format and
 * the comparison of keys in index order. The surface of the record module,
 * used by btree (index key order), vm (row decoding and building) and every
 * layer that handles values.
 *
 * A value is a small tagged struct. Text and blob bytes are either borrowed
 * (VALUE_BORROWED: the pointer's owner says how long they live) or owned by
 * the value (VALUE_OWNED: freed by value_clear()). Text is UTF-8, not
 * necessarily NUL-terminated; n counts bytes.
 */
#ifndef CHORUS_RECORD_H
#define CHORUS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* Value types use the public numbering. */
enum value_type {
    VALUE_INTEGER = CHORUS_INTEGER,
    VALUE_REAL = CHORUS_FLOAT,
    VALUE_TEXT = CHORUS_TEXT,
    VALUE_BLOB = CHORUS_BLOB,
    VALUE_NULL = CHORUS_NULL
};

enum value_flags {
    VALUE_BORROWED = 0,     /* z points at someone else's bytes */
    VALUE_OWNED = 1         /* z was malloc()ed for this value */
};

typedef struct value {
    uint8_t type;           /* enum value_type */
    uint8_t flags;          /* enum value_flags */
    uint8_t subtype;        /* 'J' for JSON text produced by a JSON function, else 0 */
    int32_t n;              /* bytes of text or blob */
    union {
        int64_t i;
        double r;
        const char *z;      /* text or blob bytes, per flags */
    } u;
} value;

/* Constructors write *v without freeing what it held; call value_clear first
 * when v may own memory. */
static inline void value_set_null(value *v) { v->type = VALUE_NULL; v->flags = 0; v->subtype = 0; v->n = 0; v->u.i = 0; }
static inline void value_set_int(value *v, int64_t i) { v->type = VALUE_INTEGER; v->flags = 0; v->subtype = 0; v->n = 0; v->u.i = i; }
static inline void value_set_real(value *v, double r) { v->type = VALUE_REAL; v->flags = 0; v->subtype = 0; v->n = 0; v->u.r = r; }
/* Borrowing constructors: the bytes must outlive v. */
static inline void value_set_text_ref(value *v, const char *z, int32_t n) { v->type = VALUE_TEXT; v->flags = VALUE_BORROWED; v->subtype = 0; v->n = n; v->u.z = z; }
static inline void value_set_blob_ref(value *v, const void *z, int32_t n) { v->type = VALUE_BLOB; v->flags = VALUE_BORROWED; v->subtype = 0; v->n = n; v->u.z = (const char *)z; }

/* Copies n bytes into a new owned buffer (NUL-terminated for convenience).
 * CHORUS_NOMEM on failure (v is then NULL). */
int value_set_text_copy(value *v, const char *z, int32_t n);
int value_set_blob_copy(value *v, const void *z, int32_t n);
/* Takes ownership of malloc()ed z. */
void value_set_text_owned(value *v, char *z, int32_t n);
void value_set_blob_owned(value *v, void *z, int32_t n);
/* Frees owned bytes and sets NULL. */
void value_clear(value *v);
/* Makes dst an independent copy of src (owned bytes copied). dst must be
 * clear. CHORUS_NOMEM on failure. */
int value_copy(value *dst, const value *src);
/* Makes a borrowed v own its bytes (copies them). */
int value_make_owned(value *v);

/* --- varints ------------------------------------------------------------ */

enum { VARINT_MAX_LEN = 9 };

/* Decodes a varint from p (at most avail bytes). Returns bytes consumed
 * (1..9), or 0 if avail is too short. */
int varint_get(const uint8_t *p, size_t avail, uint64_t *out);
/* Encodes v into p (room for 9 bytes); returns bytes written. */
int varint_put(uint8_t *p, uint64_t v);
/* Bytes varint_put would write for v. */
int varint_len(uint64_t v);

/* --- record format ------------------------------------------------------ */

/* Serial type for a value (ints use the smallest encoding; 0 and 1 use 8/9
 * when file_format >= 4, which chorus always writes). */
uint64_t record_serial_type(const value *v);
/* Body bytes of a serial type; -1 for reserved types 10 and 11. */
int64_t record_serial_size(uint64_t serial_type);

/* Bytes needed to encode n values as one record. */
size_t record_size(const value *vals, int n);
/* Encodes n values into buf (record_size() bytes). Returns bytes written. */
size_t record_encode(const value *vals, int n, uint8_t *buf);
/* Encodes into a new malloc()ed buffer (owned by the caller). */
int record_build(const value *vals, int n, uint8_t **buf_out, size_t *nbytes_out);

/*
 * A record header decoded lazily (R3): serial types and body offsets of
 * columns 0 .. n_cols-1, parsed so far. The column values borrow from the
 * record bytes.
 */
typedef struct record_cursor {
    const uint8_t *rec;     /* borrowed record bytes */
    size_t nbytes;
    int n_cols;             /* columns parsed so far (all of them after _parse) */
    int cap;
    uint32_t hdr_len;       /* header length: the body starts here */
    uint32_t hdr_pos;       /* next serial type byte to parse; == hdr_len when done */
    uint64_t body;          /* body offset of column n_cols */
    int reach_hint;         /* reach parses at least through this column: the highest
                               its user reads (a hint, 0 after init) */
    uint64_t *types;        /* serial type of column i */
    uint32_t *offsets;      /* body offset of column i */
    uint64_t types_inline[16];
    uint32_t offsets_inline[16];
} record_cursor;

void record_cursor_init(record_cursor *rc);
/* Starts decoding rec: reads the header length only (n_cols 0).
 * CHORUS_CORRUPT for a malformed header length; CHORUS_NOMEM. */
int record_cursor_open(record_cursor *rc, const uint8_t *rec, size_t nbytes);
/* Parses serial types until column max(i, reach_hint) is decoded or the
 * header ends (then i >= n_cols: the record has no column i). CHORUS_CORRUPT for a malformed
 * serial type or a column body that runs past nbytes. */
int record_cursor_reach(record_cursor *rc, int i);
/* Opens rec and parses its whole header. CHORUS_CORRUPT for malformed
 * headers or bodies that run past nbytes; CHORUS_NOMEM. */
int record_cursor_parse(record_cursor *rc, const uint8_t *rec, size_t nbytes);
/* Column i as a value borrowing from the record bytes; i >= n_cols gives NULL. */
void record_cursor_column(const record_cursor *rc, int i, value *out);
void record_cursor_free(record_cursor *rc);

/* Decodes one column without a cursor (parses the header each time). */
int record_column(const uint8_t *rec, size_t nbytes, int i, value *out);

/* --- ordering ----------------------------------------------------------- */

typedef enum collation {
    COLLATE_BINARY = 0,
    COLLATE_NOCASE = 1,
    COLLATE_RTRIM = 2
} collation;

/* Compares text under a collation: <0, 0, >0. */
int collation_compare(collation coll, const char *a, int na, const char *b, int nb);
/* Looks up a collation by name (case-insensitive): a built-in, else one of
 * the thread's scope (below); -1 if unknown. */
int collation_find(const char *name);
const char *collation_name(collation coll);

/*
 * Application-defined collations (collation_user.c): every name other than
 * a built-in gets a process-wide id in COLLATE_USER_FIRST .. COLLATE_ID_MAX
 * (intern; -1 when all ids are taken or out of memory), which the catalog may
 * store. A connection keeps its comparison functions fn(arg, a, na, b, nb)
 * (returning <0, 0, >0) in a collation_user_set, made the thread's scope
 * while it compiles or runs a statement (the scope nests: enter returns the
 * previous one, to be given to leave). define adds or replaces name (the
 * replaced one's arg comes back through *replaced_arg_out); CHORUS_OK,
 * CHORUS_NOMEM, or CHORUS_FULL when every id of the process is taken. remove
 * gives back the arg of name, false when there is none. set_free hands every
 * arg to release. A set belongs to one connection's thread at a time.
 */
enum { COLLATE_USER_FIRST = 3, COLLATE_ID_MAX = 255 };
typedef int (*collation_user_fn)(void *arg, const char *a, int na, const char *b, int nb);
typedef struct collation_user_set collation_user_set;

int collation_user_set_new(collation_user_set **out);
void collation_user_set_free(collation_user_set *set, void (*release)(void *arg));
int collation_user_define(collation_user_set *set, const char *name, collation_user_fn fn,
                          void *arg, void **replaced_arg_out);
bool collation_user_remove(collation_user_set *set, const char *name, void **arg_out);
/* Whether set (may be NULL) defines name. */
bool collation_user_has(const collation_user_set *set, const char *name);
collation_user_set *collation_user_scope_enter(collation_user_set *set);
void collation_user_scope_leave(collation_user_set *prev);
/* The id of name when the scope defines it, or -1. */
int collation_user_find(const char *name);
/* The id of name, interned for the process when new (CU1); -1 when full. */
int collation_user_intern(const char *name);
/* Whether the thread's scope defines user collation id. */
bool collation_user_defined(int id);
/* Compares under user collation id into *out with the scope's function;
 * false (nothing done) when the scope has none, which is recorded (CU2). */
bool collation_user_compare(int id, const char *a, int na, const char *b, int nb, int *out);
/* The first user id the thread compared under without a function since the
 * last call, or -1; clears it (CU2). */
int collation_user_missing_take(void);
/* The name of user collation id, NULL when no name has that id. */
const char *collation_user_name(int id);

/* Compares two values in SQLite's sort order (NULL < numbers < text < blob;
 * integers and reals compared numerically, text by coll). No affinity is
 * applied. */
int value_compare(const value *a, const value *b, collation coll);

/*
 * How index keys compare: n_fields leading columns with a collation and a
 * direction each; columns beyond n_fields (the rowid of an index entry)
 * compare in BINARY ascending order.
 */
typedef struct key_info {
    int n_fields;
    uint8_t desc[64];       /* 1 = descending */
    uint8_t coll[64];       /* enum collation */
    uint16_t layout;        /* enum key_layout: what an entry holds past its key */
    uint16_t n_suffix;      /* KEY_LAYOUT_PK_SUFFIX: trailing PK fields among n_fields */
} key_info;

/* What follows the n_fields key columns of an index entry (the version
 * store keys an entry by them: core/store S3). */
enum key_layout {
    KEY_LAYOUT_ROWID = 0,       /* the rowid: an index of a rowid table */
    KEY_LAYOUT_PK_ROW = 1,      /* the rest of the row: a WITHOUT ROWID table's tree,
                                   n_fields = its PRIMARY KEY */
    KEY_LAYOUT_PK_SUFFIX = 2    /* nothing: an index of a WITHOUT ROWID table, whose last
                                   n_suffix fields are PK columns (catalog define.c D5) */
};

enum { KEY_INFO_MAX = 64 };

/*
 * Compares record bytes rec (an index entry) with the unpacked key probe
 * (n_probe values). Only min(n_probe, columns of rec) columns are compared;
 * if they are equal the result is 0 (a prefix match). Returns <0, 0, >0
 * as rec sorts before, equal to, after probe; CHORUS_CORRUPT is reported
 * through *rc_out (set to CHORUS_OK otherwise).
 */
int record_compare_probe(const key_info *ki, const uint8_t *rec, size_t nbytes,
                         const value *probe, int n_probe, int *rc_out);
/* Compares two encoded records field by field under ki (full-length
 * comparison; a shorter record that is a prefix sorts first). */
int record_compare(const key_info *ki, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                   int *rc_out);
/*
 * record_compare() with the second record given unpacked, as its n_vals
 * column values (for instance from record_cursor_column()): the same result
 * as comparing rec with that record's encoding, without parsing it again
 * for every comparison. A caller comparing one key with many records (a
 * b-tree seek) unpacks the key once.
 */
int record_compare_unpacked(const key_info *ki, const uint8_t *rec, size_t nbytes,
                            const value *vals, int n_vals, int *rc_out);

#endif /* CHORUS_RECORD_H */
