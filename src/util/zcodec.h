/* zcodec.h - compressors for the zstd and gzip content codings, over
 * libzstd and zlib, with output appended to a struct cw_buf.
 *
 * A struct cw_zenc is one compression stream: run it over the body in
 * pieces (flushing when a chunk must go out now), finish it, then reset it
 * for the next response, so a thread compressing many responses keeps one
 * encoder per coding instead of allocating compressor state each time.
 * cw_zcompress() is the one-shot form for a whole buffer. Neither is
 * thread-safe on one encoder; distinct encoders are independent. */
#ifndef CW_ZCODEC_H
#define CW_ZCODEC_H

#include <stddef.h>

#include "util/buf.h"
#include "util/coding.h"

/* Levels are 1 (fastest) to 9 (smallest); others are clamped. 9 keeps
 * zstd's window within the 8 MiB that RFC 9659 allows for HTTP. */
#define CW_ZLEVEL_MIN 1
#define CW_ZLEVEL_MAX 9

struct cw_zenc;

/* A new encoder for coding (CW_CODING_ZSTD or CW_CODING_GZIP) at level
 * (clamped to 1..9; the same number means zstd's level or zlib's). NULL
 * with errno EINVAL for another coding, or ENOMEM. The caller owns it and
 * frees it with cw_zenc_free(). */
struct cw_zenc *cw_zenc_new(int coding, int level);

/* Compress in[0..len) and append what comes out to out, never letting
 * out->len pass max (-1 with errno E2BIG if it would; out then holds a
 * partial stream). finish ends the stream: everything is flushed and the
 * trailer written; after that only cw_zenc_reset() or cw_zenc_free() may
 * follow. flush (without finish) makes everything given so far decodable
 * from out, so a chunk can be sent now (zstd's ZSTD_e_flush, zlib's
 * Z_SYNC_FLUSH); it costs a few bytes, so flush only when sending. Neither
 * (the usual case) lets the encoder keep output back until it has a block.
 * out's memory stays the caller's, grown with cw_buf_reserve(). 0 or -1
 * (E2BIG, ENOMEM, or EINVAL for a finished encoder or a library error);
 * after -1 the stream is unusable until reset. */
int cw_zenc_run(struct cw_zenc *z, const void *in, size_t len, int flush,
                int finish, struct cw_buf *out, size_t max);

/* Tell z the stream will be exactly size bytes (before its first
 * cw_zenc_run). zstd then writes the size into the frame header and sizes
 * its window and tables to the input, which is much less memory for a
 * small body; a stream of another length then fails. gzip ignores it. 0 or
 * -1 (EINVAL). */
int cw_zenc_set_size(struct cw_zenc *z, size_t size);

/* Limit zstd's window to 2^log bytes (before the first cw_zenc_run): a
 * stream of unknown length otherwise gets the level's full window, and
 * with it megabytes of state. gzip's window is always 32 KiB. 0 or -1. */
int cw_zenc_set_window(struct cw_zenc *z, int log);

/* Start a new stream on z with the same coding and level, keeping its
 * allocated state. 0, or -1 (z is then only fit for cw_zenc_free). */
int cw_zenc_reset(struct cw_zenc *z);

/* The coding z was made for. */
int cw_zenc_coding(const struct cw_zenc *z);

/* Free z and its compressor state. NULL is allowed. */
void cw_zenc_free(struct cw_zenc *z);

/* One shot: the whole of in[0..len) compressed as one stream in coding at
 * level, appended to out (not past max bytes in all: -1, E2BIG). On -1 out
 * is left at its old length (its capacity may have grown; the caller still
 * frees it). Allocates and frees a compressor per call, sized for len. 0
 * or -1. */
int cw_zcompress(int coding, int level, const void *in, size_t len,
                 struct cw_buf *out, size_t max);

#endif
