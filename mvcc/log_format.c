/*
 * mvcc/log_format.c: the byte layout of the logical log <db>-log, and its
 * checksum (mvcc R14).
 *
 * The log is redo only: one frame per committed write transaction, written
 * at commit, holding the final image of every row and index entry it wrote
 * (Hekaton-style logical logging; MVCC.md §1.6). All integers little-endian.
 *
 * File header (32 bytes, at offset 0)
 *   offset size  field
 *   0      8     magic "CHORUSLG"
 *   8      4     format version, 1
 *   12     4     header size, 32
 *   16     8     salt: random, new at every reset; every frame's checksum
 *                covers it, so frames of an earlier generation never pass
 *   24     4     reserved, 0
 *   28     4     CRC-32C of bytes 0..27
 *
 * Frame (at offset 32 and then back to back)
 *   offset size  field
 *   0      4     frame size in bytes, header and trailer included (>= 24)
 *   4      4     kind: 1 commit, 2 checkpoint mark
 *   8      8     commit timestamp (kind 1); checkpoint timestamp (kind 2):
 *                the B-tree holds every commit <= it
 *   16     4     number of records (0 for a checkpoint mark)
 *   20     ...   records
 *   size-4 4     CRC-32C of the salt (8 bytes) followed by bytes 0..size-5
 *
 * Record (inside a commit frame)
 *   offset size  field
 *   0      1     op: 1 row put, 2 row delete, 3 index put, 4 index delete,
 *                5 keyed row put
 *   1      4     object: table or index id
 *   5      8     rowid (two's complement); for a keyed row put, the length
 *                k of its key (a keyed row has no rowid)
 *   13     4     n: bytes that follow (record for a row put, key for index
 *                ops, 0 for a row delete, key then record for a keyed row
 *                put: k + the record's length, k < n)
 *   17     n     bytes
 *
 * A reader knows a frame is whole when its size fits in the file, its
 * checksum matches under the header's salt, and its records exactly fill
 * it. The first frame that fails any of these ends the log (mvcc R15).
 *
 * Invariants: none beyond the layout; the functions are pure.
 * Callers: mvcc/tx.c (commit frames), mvcc/log_writer.c, mvcc/log_recover.c.
 */
#include <stdlib.h>
#include <string.h>

#include "mvcc_int.h"

static const uint8_t log_magic[8] = {'C', 'H', 'O', 'R', 'U', 'S', 'L', 'G'};

static void
put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* --- CRC-32C (Castagnoli): SSE4.2 instruction when the CPU has it ---------- */

static uint32_t crc_table[256];

static void
crc_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t
crc_soft(uint32_t crc, const uint8_t *p, size_t n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, crc_table_init);
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
crc_hw(uint32_t crc, const uint8_t *p, size_t n)
{
    uint64_t c = crc;

    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
    }
    crc = (uint32_t)c;
    while (n--)
        crc = __builtin_ia32_crc32qi(crc, *p++);
    return crc;
}
#endif

uint32_t
mv_crc32c(uint32_t crc, const void *data, size_t n)
{
    crc = ~crc;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2"))
        return ~crc_hw(crc, data, n);
#endif
    return ~crc_soft(crc, data, n);
}

/* --- header ----------------------------------------------------------------- */

void
mv_log_header_encode(uint8_t *out, uint64_t salt)
{
    memcpy(out, log_magic, 8);
    put32(out + 8, 1);
    put32(out + 12, MV_LOG_HEADER_SIZE);
    put64(out + 16, salt);
    put32(out + 24, 0);
    put32(out + 28, mv_crc32c(0, out, 28));
}

/* CHORUS_OK, CHORUS_NOTADB (not a log), CHORUS_CORRUPT (a log header that
 * fails its checksum) or CHORUS_CORRUPT for an unknown version. */
int
mv_log_header_decode(const uint8_t *in, size_t n, uint64_t *salt_out)
{
    if (n < MV_LOG_HEADER_SIZE || memcmp(in, log_magic, 8) != 0)
        return CHORUS_NOTADB;
    if (get32(in + 28) != mv_crc32c(0, in, 28) || get32(in + 8) != 1 ||
        get32(in + 12) != MV_LOG_HEADER_SIZE)
        return CHORUS_CORRUPT_HERE();
    *salt_out = get64(in + 16);
    return CHORUS_OK;
}

/* --- frames ------------------------------------------------------------------- */

static int
frame_reserve(mv_frame_buf *fb, size_t more)
{
    if (fb->len + more <= fb->cap)
        return CHORUS_OK;
    if (fb->len + more > UINT32_MAX)
        return CHORUS_TOOBIG;
    size_t cap = fb->cap ? fb->cap : 256;
    while (cap < fb->len + more)
        cap *= 2;
    uint8_t *grown = realloc(fb->data, cap);
    if (grown == NULL)
        return CHORUS_NOMEM;
    fb->data = grown;
    fb->cap = cap;
    return CHORUS_OK;
}

int
mv_frame_begin(mv_frame_buf *fb)
{
    fb->len = 0;
    fb->n_records = 0;
    int rc = frame_reserve(fb, MV_LOG_FRAME_HEADER);
    if (rc == CHORUS_OK)
        fb->len = MV_LOG_FRAME_HEADER;
    return rc;
}

int
mv_frame_add(mv_frame_buf *fb, const mv_log_record *r)
{
    bool keyed = r->op == MV_LOG_KEYED_PUT;
    uint32_t nkey = keyed ? r->nkey : 0;
    size_t n = (size_t)nkey + r->nbytes;
    int rc = n <= UINT32_MAX ? frame_reserve(fb, MV_LOG_RECORD_HEADER + n) : CHORUS_TOOBIG;
    uint8_t *p;

    if (rc != CHORUS_OK)
        return rc;
    p = fb->data + fb->len;
    p[0] = (uint8_t)r->op;
    put32(p + 1, r->object);
    put64(p + 5, keyed ? (uint64_t)nkey : (uint64_t)r->rowid);
    put32(p + 13, (uint32_t)n);
    if (nkey > 0)
        memcpy(p + MV_LOG_RECORD_HEADER, r->key, nkey);
    if (r->nbytes > 0)
        memcpy(p + MV_LOG_RECORD_HEADER + nkey, r->data, r->nbytes);
    fb->len += MV_LOG_RECORD_HEADER + n;
    fb->n_records++;
    return CHORUS_OK;
}

void
mv_log_record_of(const mv_map *map, const mv_node *node, const mv_version *v,
                 mv_log_record *out)
{
    bool put = v->kind == MV_KIND_ROW;

    out->object = map->id;
    out->rowid = node->rowid;
    out->key = NULL;
    out->nkey = 0;
    if (!map->is_index) {
        out->op = put ? MV_LOG_ROW_PUT : MV_LOG_ROW_DELETE;
        out->data = put ? v->data : NULL;
        out->nbytes = put ? v->nbytes : 0;
    } else if (put && v->nbytes > 0) {
        out->op = MV_LOG_KEYED_PUT;             /* an entry that carries a row */
        out->data = v->data;
        out->nbytes = v->nbytes;
        out->key = mv_node_key(node);
        out->nkey = node->key_len;
    } else {
        out->op = put ? MV_LOG_INDEX_PUT : MV_LOG_INDEX_DELETE;
        out->data = mv_node_key(node);
        out->nbytes = node->key_len;
    }
}

int
mv_frame_finish(mv_frame_buf *fb, int kind, uint64_t ts)
{
    int rc = frame_reserve(fb, MV_LOG_FRAME_TRAILER);

    if (rc != CHORUS_OK)
        return rc;
    fb->len += MV_LOG_FRAME_TRAILER;
    put32(fb->data, (uint32_t)fb->len);
    put32(fb->data + 4, (uint32_t)kind);
    put64(fb->data + 8, ts);
    put32(fb->data + 16, fb->n_records);
    return CHORUS_OK;
}

static uint32_t
frame_checksum(const uint8_t *frame, size_t nbytes, uint64_t salt)
{
    uint8_t s[8];

    put64(s, salt);
    return mv_crc32c(mv_crc32c(0, s, 8), frame, nbytes - MV_LOG_FRAME_TRAILER);
}

void
mv_frame_seal(uint8_t *frame, size_t nbytes, uint64_t salt)
{
    put32(frame + nbytes - MV_LOG_FRAME_TRAILER, frame_checksum(frame, nbytes, salt));
}

void
mv_frames_reseal(uint8_t *frames, size_t nbytes, uint64_t salt)
{
    size_t at = 0;

    while (at < nbytes) {
        uint32_t size = get32(frames + at);
        mv_frame_seal(frames + at, size, salt);
        at += size;
    }
}

int
mv_log_frame_next(const mv_log_frame *frame, uint32_t *pos, mv_log_record *out)
{
    const uint8_t *p;
    uint32_t n;

    if (*pos == frame->nbytes)
        return 0;
    if (frame->nbytes - *pos < MV_LOG_RECORD_HEADER)
        return CHORUS_CORRUPT_HERE();
    p = frame->records + *pos;
    n = get32(p + 13);
    if (p[0] < MV_LOG_ROW_PUT || p[0] > MV_LOG_KEYED_PUT ||
        n > frame->nbytes - *pos - MV_LOG_RECORD_HEADER)
        return CHORUS_CORRUPT_HERE();
    out->op = (mv_log_op)p[0];
    out->object = get32(p + 1);
    out->rowid = (int64_t)get64(p + 5);
    out->nbytes = n;
    out->data = n > 0 ? p + MV_LOG_RECORD_HEADER : NULL;
    out->key = NULL;
    out->nkey = 0;
    if (out->op == MV_LOG_KEYED_PUT) {
        if ((uint64_t)out->rowid >= n)
            return CHORUS_CORRUPT_HERE();       /* a key and a non-empty record */
        out->nkey = (uint32_t)out->rowid;
        out->key = p + MV_LOG_RECORD_HEADER;
        out->data = out->key + out->nkey;
        out->nbytes = n - out->nkey;
        out->rowid = 0;
    }
    *pos += MV_LOG_RECORD_HEADER + n;
    return 1;
}

int
mv_frame_parse(const uint8_t *buf, size_t avail, uint64_t salt, mv_log_frame *frame, int *kind,
               uint32_t *size)
{
    uint32_t n, k;

    if (avail < MV_LOG_FRAME_HEADER + MV_LOG_FRAME_TRAILER)
        return 0;
    n = get32(buf);
    k = get32(buf + 4);
    if (n < MV_LOG_FRAME_HEADER + MV_LOG_FRAME_TRAILER || n > avail)
        return 0;
    if (k != MV_LOG_FRAME_COMMIT && k != MV_LOG_FRAME_CHECKPOINT)
        return 0;
    if (get32(buf + n - MV_LOG_FRAME_TRAILER) != frame_checksum(buf, n, salt))
        return 0;
    frame->commit_ts = get64(buf + 8);
    frame->n_records = get32(buf + 16);
    frame->records = buf + MV_LOG_FRAME_HEADER;
    frame->nbytes = n - MV_LOG_FRAME_HEADER - MV_LOG_FRAME_TRAILER;
    /* The records must fill the frame exactly. */
    uint32_t pos = 0, count = 0;
    mv_log_record rec;
    int r;
    while ((r = mv_log_frame_next(frame, &pos, &rec)) == 1)
        count++;
    if (r != 0 || count != frame->n_records)
        return 0;
    *kind = (int)k;
    *size = n;
    return 1;
}
