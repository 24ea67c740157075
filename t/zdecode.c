/* zdecode.c - the reference decoders behind zdecode.h. */
#include <check.h>
#include <stdlib.h>

#define ZLIB_CONST
#include <zlib.h>
#include <zstd.h>

#include "util/coding.h"
#include "zdecode.h"

/* RFC 9659: HTTP zstd decoders need not accept windows above 8 MiB. */
#define ZSTD_HTTP_WINDOW_LOG 23

#define OUT_MAX ((size_t)1 << 30)

struct zdec {
	int coding;
	int ended;
	ZSTD_DStream *zd;
	z_stream zs;
};

struct zdec *zdec_new(int coding)
{
	struct zdec *d = calloc(1, sizeof(*d));

	ck_assert_ptr_nonnull(d);
	d->coding = coding;
	if (coding == CW_CODING_ZSTD) {
		d->zd = ZSTD_createDStream();
		ck_assert_ptr_nonnull(d->zd);
		ck_assert(!ZSTD_isError(ZSTD_DCtx_setParameter(
		    d->zd, ZSTD_d_windowLogMax, ZSTD_HTTP_WINDOW_LOG)));
	} else {
		ck_assert_int_eq(coding, CW_CODING_GZIP);
		ck_assert_int_eq(inflateInit2(&d->zs, 15 + 16), Z_OK);
	}
	return d;
}

static int zstd_feed(struct zdec *d, const void *in, size_t len,
                     struct cw_buf *out)
{
	ZSTD_inBuffer ib = {in, len, 0};

	for (;;) {
		ZSTD_outBuffer ob;
		size_t r;

		ck_assert_int_eq(cw_buf_reserve(out, 65536, OUT_MAX), 0);
		ob.dst = out->data + out->len;
		ob.size = out->cap - out->len - 1;
		ob.pos = 0;
		if (d->ended && ib.pos < ib.size)
			return -1; /* bytes after the frame */
		r = ZSTD_decompressStream(d->zd, &ob, &ib);
		if (ZSTD_isError(r))
			return -1;
		out->len += ob.pos;
		if (r == 0)
			d->ended = 1;
		/* Done when all input is in and the output was not filled
		 * (a full output may hide more). */
		if (ib.pos == ib.size && ob.pos < ob.size)
			return 0;
	}
}

static int gzip_feed(struct zdec *d, const void *in, size_t len,
                     struct cw_buf *out)
{
	d->zs.next_in = in;
	d->zs.avail_in = (uInt)len;
	for (;;) {
		int r;

		if (d->ended)
			return d->zs.avail_in > 0 ? -1 : 0;
		ck_assert_int_eq(cw_buf_reserve(out, 65536, OUT_MAX), 0);
		d->zs.next_out = (Bytef *)out->data + out->len;
		d->zs.avail_out = (uInt)(out->cap - out->len - 1);
		r = inflate(&d->zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)d->zs.next_out - out->data);
		if (r == Z_STREAM_END) {
			d->ended = 1;
			continue;
		}
		if (r == Z_BUF_ERROR && d->zs.avail_in == 0)
			return 0;
		if (r != Z_OK)
			return -1;
		if (d->zs.avail_in == 0 && d->zs.avail_out > 0)
			return 0;
	}
}

int zdec_feed(struct zdec *d, const void *in, size_t len, struct cw_buf *out)
{
	if (d->coding == CW_CODING_ZSTD)
		return zstd_feed(d, in, len, out);
	return gzip_feed(d, in, len, out);
}

int zdec_ended(const struct zdec *d)
{
	return d->ended;
}

void zdec_free(struct zdec *d)
{
	if (d->coding == CW_CODING_ZSTD)
		ZSTD_freeDStream(d->zd);
	else
		inflateEnd(&d->zs);
	free(d);
}

int zdec_all(int coding, const void *in, size_t len, struct cw_buf *out)
{
	struct zdec *d = zdec_new(coding);
	int r;

	out->len = 0;
	r = zdec_feed(d, in, len, out);
	if (r == 0 && !zdec_ended(d))
		r = -1;
	zdec_free(d);
	return r;
}
