/*
 * core/record/record_int.h: helpers shared by the files of the record module
 * only (record.c, compare.c). Nothing outside core/record includes it.
 */
#ifndef CHORUS_RECORD_INT_H
#define CHORUS_RECORD_INT_H

#include "record.h"

/*
 * Decodes the body bytes of one column of serial type st (record_serial_size
 * bytes at body, already bounds-checked by the caller) into out. Text and
 * blob values borrow from body.
 */
void record_value_decode(uint64_t st, const uint8_t *body, value *out);

/*
 * Reads the header length varint of rec. Returns CHORUS_OK and *hdr_len_out,
 * *pos_out (the offset of the first serial type) or CHORUS_CORRUPT when the
 * header length is malformed or runs past nbytes.
 */
int record_header_open(const uint8_t *rec, size_t nbytes, uint32_t *hdr_len_out,
                       uint32_t *pos_out);

#endif /* CHORUS_RECORD_INT_H */
