/* zdecode.h - what the compression suites decode with: the reference
 * decoders of libzstd and zlib, fed in pieces, so a test can check that
 * each flushed prefix of a stream is decodable on its own and that a
 * finished stream ends exactly where it should. */
#ifndef ZDECODE_H
#define ZDECODE_H

#include <stddef.h>

#include "util/buf.h"

struct zdec;

/* A decoder for coding (CW_CODING_ZSTD, with the 8 MiB window limit of
 * RFC 9659, or CW_CODING_GZIP). Aborts the test on failure. */
struct zdec *zdec_new(int coding);

/* Decode in[0..len), appending everything it yields to *out. -1 if the
 * input is not a valid stream (or has bytes after its end). */
int zdec_feed(struct zdec *d, const void *in, size_t len, struct cw_buf *out);

/* Has the stream fed so far ended (zstd frame or gzip trailer complete)? */
int zdec_ended(const struct zdec *d);

void zdec_free(struct zdec *d);

/* The whole of in decoded into *out (which is emptied first): 0 if in is
 * exactly one complete stream, -1 otherwise. */
int zdec_all(int coding, const void *in, size_t len, struct cw_buf *out);

#endif
