/* zcodec.c - zstd and gzip streaming compressors writing into cw_buf.
 *
 * Both libraries work on a window of caller memory: we hand them the free
 * tail of the output buffer directly, so compressed bytes are written once,
 * where they will be sent from, and the buffer grows only when the library
 * has filled it. max bounds that growth; a stream that needs more than max
 * fails with E2BIG instead of growing without limit, which lets a caller
 * stop compressing a file as soon as it is not going to be worth it. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "util/zcodec.h"

/* Grow the output when less than this is free: small windows would make
 * the libraries return (and zlib emit flush markers) too often. */
#define OUT_MIN 512
/* ... by at least this much, cw_buf_reserve doubling beyond it. */
#define OUT_STEP (16 * 1024)

/* gzip: 2^15 window, +16 for the gzip header and trailer (RFC 1952). */
#define GZIP_WINDOW_BITS (15 + 16)
#define GZIP_MEM_LEVEL   8

struct cw_zenc {
	int coding;
	int level;
	int done;        /* finished, or failed: only reset or free now */
	ZSTD_CCtx *zstd; /* CW_CODING_ZSTD */
	z_stream gz;     /* CW_CODING_GZIP, after deflateInit2 */
};

static int clamp_level(int level)
{
	if (level < CW_ZLEVEL_MIN)
		return CW_ZLEVEL_MIN;
	if (level > CW_ZLEVEL_MAX)
		return CW_ZLEVEL_MAX;
	return level;
}

/* Make sure out has OUT_MIN bytes free if max allows, and give the number
 * of bytes the library may write at out->data + out->len. */
static int out_window(struct cw_buf *out, size_t max, size_t *avail)
{
	size_t limit = out->len < max ? max - out->len : 0;

	if (limit > 0 && out->cap < out->len + 1 + OUT_MIN) {
		if (cw_buf_reserve(out, limit < OUT_STEP ? limit : OUT_STEP,
		                   max) != 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	*avail = out->cap > out->len ? out->cap - out->len - 1 : 0;
	if (*avail > limit)
		*avail = limit;
	return 0;
}

/* Account for n bytes the library wrote, keeping cw_buf's NUL. */
static void out_commit(struct cw_buf *out, size_t n)
{
	out->len += n;
	if (out->cap > out->len)
		out->data[out->len] = '\0';
}

static int zstd_errno(size_t r)
{
	return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? ENOMEM
	                                                            : EINVAL;
}

static int zstd_run(struct cw_zenc *z, const void *in, size_t len,
                    ZSTD_EndDirective mode, struct cw_buf *out, size_t max)
{
	ZSTD_inBuffer ib = {in, len, 0};
	char spare;

	for (;;) {
		ZSTD_outBuffer ob;
		size_t avail, r;

		if (out_window(out, max, &avail) != 0)
			return -1;
		ob.dst = avail > 0 ? out->data + out->len : &spare;
		ob.size = avail;
		ob.pos = 0;
		r = ZSTD_compressStream2(z->zstd, &ob, &ib, mode);
		if (ZSTD_isError(r)) {
			errno = zstd_errno(r);
			return -1;
		}
		out_commit(out, ob.pos);
		/* For flush and end, r is what is still to be written. */
		if (mode == ZSTD_e_continue ? ib.pos == ib.size : r == 0)
			return 0;
		if (ob.pos == ob.size && out->len >= max) {
			errno = E2BIG;
			return -1;
		}
	}
}

static int gzip_run(struct cw_zenc *z, const void *in, size_t len, int flush,
                    struct cw_buf *out, size_t max)
{
	const unsigned char *next = in;
	z_stream *s = &z->gz;
	unsigned char spare;

	s->avail_in = 0;
	for (;;) {
		size_t avail, wrote;
		int mode, r;

		/* avail_in is a uInt: feed a larger input in slices. */
		if (s->avail_in == 0 && len > 0) {
			s->next_in = next;
			s->avail_in = len > UINT_MAX ? UINT_MAX : (uInt)len;
			next += s->avail_in;
			len -= s->avail_in;
		}
		mode = len > 0 ? Z_NO_FLUSH : flush;
		if (out_window(out, max, &avail) != 0)
			return -1;
		if (avail > UINT_MAX)
			avail = UINT_MAX;
		s->next_out =
		    avail > 0 ? (Bytef *)out->data + out->len : &spare;
		s->avail_out = (uInt)avail;
		r = deflate(s, mode);
		wrote = avail - s->avail_out;
		out_commit(out, wrote);
		if (r == Z_STREAM_END)
			return 0;
		/* Z_BUF_ERROR only says no progress was possible this time. */
		if (r != Z_OK && r != Z_BUF_ERROR) {
			errno = r == Z_MEM_ERROR ? ENOMEM : EINVAL;
			return -1;
		}
		/* A flush is complete when deflate leaves output space free. */
		if (len == 0 && s->avail_in == 0 &&
		    (mode == Z_NO_FLUSH ||
		     (mode == Z_SYNC_FLUSH && s->avail_out > 0)))
			return 0;
		if (s->avail_out == 0 && out->len >= max) {
			errno = E2BIG;
			return -1;
		}
	}
}

struct cw_zenc *cw_zenc_new(int coding, int level)
{
	struct cw_zenc *z;

	if (coding != CW_CODING_ZSTD && coding != CW_CODING_GZIP) {
		errno = EINVAL;
		return NULL;
	}
	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return NULL;
	z->coding = coding;
	z->level = clamp_level(level);
	if (coding == CW_CODING_ZSTD) {
		z->zstd = ZSTD_createCCtx();
		if (z->zstd == NULL ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(
		        z->zstd, ZSTD_c_compressionLevel, z->level))) {
			ZSTD_freeCCtx(z->zstd);
			free(z);
			errno = ENOMEM;
			return NULL;
		}
		return z;
	}
	if (deflateInit2(&z->gz, z->level, Z_DEFLATED, GZIP_WINDOW_BITS,
	                 GZIP_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		errno = ENOMEM;
		return NULL;
	}
	return z;
}

int cw_zenc_run(struct cw_zenc *z, const void *in, size_t len, int flush,
                int finish, struct cw_buf *out, size_t max)
{
	int r;

	if (z->done) {
		errno = EINVAL;
		return -1;
	}
	if (z->coding == CW_CODING_ZSTD)
		r = zstd_run(z, in, len,
		             finish  ? ZSTD_e_end
		             : flush ? ZSTD_e_flush
		                     : ZSTD_e_continue,
		             out, max);
	else
		r = gzip_run(z, in, len,
		             finish  ? Z_FINISH
		             : flush ? Z_SYNC_FLUSH
		                     : Z_NO_FLUSH,
		             out, max);
	if (r != 0 || finish)
		z->done = 1;
	return r;
}

int cw_zenc_set_size(struct cw_zenc *z, size_t size)
{
	if (z->coding != CW_CODING_ZSTD)
		return 0;
	if (ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(
	        z->zstd, (unsigned long long)size))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int cw_zenc_set_window(struct cw_zenc *z, int log)
{
	if (z->coding != CW_CODING_ZSTD)
		return 0;
	if (ZSTD_isError(
	        ZSTD_CCtx_setParameter(z->zstd, ZSTD_c_windowLog, log))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int cw_zenc_reset(struct cw_zenc *z)
{
	if (z->coding == CW_CODING_ZSTD) {
		/* The session only: the level set in cw_zenc_new stays. */
		if (ZSTD_isError(
		        ZSTD_CCtx_reset(z->zstd, ZSTD_reset_session_only))) {
			errno = EINVAL;
			return -1;
		}
	} else if (deflateReset(&z->gz) != Z_OK) {
		errno = EINVAL;
		return -1;
	}
	z->done = 0;
	return 0;
}

int cw_zenc_coding(const struct cw_zenc *z)
{
	return z->coding;
}

void cw_zenc_free(struct cw_zenc *z)
{
	if (z == NULL)
		return;
	if (z->coding == CW_CODING_ZSTD)
		ZSTD_freeCCtx(z->zstd);
	else
		deflateEnd(&z->gz);
	free(z);
}

int cw_zcompress(int coding, int level, const void *in, size_t len,
                 struct cw_buf *out, size_t max)
{
	size_t old = out->len, room = old < max ? max - old : 0, bound;
	struct cw_zenc *z;
	int r, saved;

	z = cw_zenc_new(coding, level);
	if (z == NULL)
		return -1;
	/* Room for the worst case up front (within max) is one allocation
	 * instead of a doubling series, and lets zstd compress straight
	 * into it. */
	bound = coding == CW_CODING_ZSTD ? ZSTD_compressBound(len)
	                                 : deflateBound(&z->gz, (uLong)len);
	if (bound > room)
		bound = room;
	r = cw_zenc_set_size(z, len);
	if (r == 0 && bound > 0 && cw_buf_reserve(out, bound, max) != 0) {
		errno = ENOMEM;
		r = -1;
	}
	if (r == 0)
		r = cw_zenc_run(z, in, len, 0, 1, out, max);
	saved = errno;
	cw_zenc_free(z);
	if (r != 0) {
		out->len = old;
		if (out->cap > old)
			out->data[old] = '\0';
		errno = saved;
	}
	return r;
}
