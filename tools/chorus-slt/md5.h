/*
 * tools/chorus-slt/md5.h: MD5 (RFC 1321), written for the SQL logic test
 * runner, whose result hashes are MD5 over the rendered values.
 *
 * Not for security: MD5 here only names result sets.
 */
#ifndef CHORUS_SLT_MD5_H
#define CHORUS_SLT_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct md5_ctx {
    uint32_t state[4];      /* A, B, C, D */
    uint64_t n_bytes;       /* message length so far */
    uint8_t block[64];      /* pending input, n_bytes % 64 bytes of it */
} md5_ctx;

void md5_init(md5_ctx *ctx);
void md5_update(md5_ctx *ctx, const void *data, size_t n);
/* Finishes the digest and writes it as 32 lowercase hex digits and a NUL.
 * ctx must be initialised again before reuse. */
void md5_hex(md5_ctx *ctx, char hex[33]);

#endif /* CHORUS_SLT_MD5_H */
