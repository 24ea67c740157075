/* ws_deflate.c - permessage-deflate over zlib (ws_deflate.h).
 *
 * Both directions write into the caller's struct cw_buf a chunk at a time,
 * so the caller decides where messages go and how much memory that takes;
 * an incoming message's bound is counted here, across pieces, so a small
 * compressed frame that would expand to gigabytes stops at max_message
 * plus one chunk. */
#include <string.h>

#include "util/ws_deflate.h"

#define CHUNK 16384
/* cw_buf_reserve's max for output the message bound limits instead. */
#define NO_LIMIT (SIZE_MAX / 2)

static const unsigned char sync_tail[4] = {0x00, 0x00, 0xff, 0xff};

int cw_ws_deflate_init(struct cw_ws_deflate *d,
                       const struct cw_ws_deflate_params *params,
                       enum cw_ws_role role, int level, uint64_t max_message)
{
	int server = role == CW_WS_SERVER;

	memset(d, 0, sizeof(*d));
	d->def_bits = server ? params->server_bits : params->client_bits;
	d->inf_bits = server ? params->client_bits : params->server_bits;
	d->def_no_context = (unsigned char)(server ? params->server_no_context
	                                           : params->client_no_context);
	d->inf_no_context = (unsigned char)(server ? params->client_no_context
	                                           : params->server_no_context);
	d->level = level < 1 ? 1 : (level > 9 ? 9 : level);
	d->max_message = max_message;
	if (d->def_bits < 9 || d->def_bits > 15 || d->inf_bits < 8 ||
	    d->inf_bits > 15)
		return -1;
	return 0;
}

void cw_ws_deflate_free(struct cw_ws_deflate *d)
{
	if (d->def_ready)
		deflateEnd(&d->def);
	if (d->inf_ready)
		inflateEnd(&d->inf);
	d->def_ready = d->inf_ready = 0;
}

static int def_start(struct cw_ws_deflate *d)
{
	if (d->def_ready)
		return 0;
	memset(&d->def, 0, sizeof(d->def));
	if (deflateInit2(&d->def, d->level, Z_DEFLATED, -d->def_bits, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	d->def_ready = 1;
	return 0;
}

/* Room for the next output chunk at the end of out: its size, 0 if none. */
static size_t out_room(struct cw_buf *out, size_t max)
{
	size_t room = CHUNK;

	if (out->len >= max)
		return 0;
	if (max - out->len < room)
		room = max - out->len;
	return cw_buf_reserve(out, room, max) == 0 ? room : 0;
}

static int compress_fail(struct cw_ws_deflate *d)
{
	deflateReset(&d->def);
	return -1;
}

int cw_ws_compress(struct cw_ws_deflate *d, const void *in, size_t n, int last,
                   struct cw_buf *out, size_t max)
{
	int flush = last ? Z_SYNC_FLUSH : Z_NO_FLUSH;
	z_stream *z = &d->def;

	if (def_start(d) != 0)
		return -1;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = 0;
	do {
		size_t room = out_room(out, max);

		/* zlib counts in uInt; feed a huge piece in slices. */
		if (z->avail_in == 0 && n > 0) {
			z->avail_in = n > CHUNK ? CHUNK : (uInt)n;
			n -= z->avail_in;
		}
		if (room == 0)
			return compress_fail(d);
		z->next_out = (Bytef *)out->data + out->len;
		z->avail_out = (uInt)room;
		if (deflate(z, n > 0 ? Z_NO_FLUSH : flush) == Z_STREAM_ERROR)
			return compress_fail(d);
		out->len += room - z->avail_out;
	} while (z->avail_in > 0 || n > 0 || z->avail_out == 0);
	if (!last)
		return 0;
	/* The sync flush just wrote its empty stored block: drop it. */
	if (out->len < 4 || memcmp(out->data + out->len - 4, sync_tail, 4))
		return compress_fail(d);
	out->len -= 4;
	if (d->def_no_context && deflateReset(z) != Z_OK)
		return -1;
	return 0;
}

static int inf_start(struct cw_ws_deflate *d)
{
	if (d->inf_ready)
		return 0;
	memset(&d->inf, 0, sizeof(d->inf));
	/* Always the full window: it inflates anything a smaller one made,
	 * and zlib-based peers asked for 8 bits compress with 9. */
	if (inflateInit2(&d->inf, -15) != Z_OK)
		return -1;
	d->inf_ready = 1;
	return 0;
}

/* One inflate call into a fresh chunk of out; *full if it filled the
 * chunk (more output may be pending). 0 or a cw_ws_decompress code. */
static int inflate_step(struct cw_ws_deflate *d, struct cw_buf *out, int *full)
{
	z_stream *z = &d->inf;
	int rc;

	if (cw_buf_reserve(out, CHUNK, NO_LIMIT) != 0)
		return -1;
	z->next_out = (Bytef *)out->data + out->len;
	z->avail_out = CHUNK;
	rc = inflate(z, Z_SYNC_FLUSH);
	out->len += CHUNK - z->avail_out;
	d->inflated += CHUNK - z->avail_out;
	*full = z->avail_out == 0;
	if (d->max_message && d->inflated > d->max_message)
		return CW_WS_CLOSE_TOO_BIG;
	if (rc == Z_STREAM_END)
		d->inf_ended = 1;
	else if (rc == Z_MEM_ERROR)
		return -1;
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		return CW_WS_CLOSE_BAD_DATA;
	return 0;
}

/* Run inflate over in[0..n) until it is all taken and no output is
 * pending. Input after the end of the peer's stream (BFINAL) is ignored.
 * 0 or a cw_ws_decompress code. */
static int inflate_piece(struct cw_ws_deflate *d, const unsigned char *in,
                         size_t n, struct cw_buf *out)
{
	z_stream *z = &d->inf;
	int full = 0, rc;

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = 0;
	while (!d->inf_ended) {
		/* zlib counts in uInt; feed a huge piece in slices. */
		if (z->avail_in == 0 && n > 0) {
			z->avail_in = n > CHUNK ? CHUNK : (uInt)n;
			n -= z->avail_in;
		}
		if (z->avail_in == 0 && !full)
			break;
		rc = inflate_step(d, out, &full);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int cw_ws_decompress(struct cw_ws_deflate *d, const void *in, size_t n,
                     int last, struct cw_buf *out)
{
	int rc;

	if (inf_start(d) != 0)
		return -1;
	rc = inflate_piece(d, in, n, out);
	if (rc == 0 && last)
		rc = inflate_piece(d, sync_tail, sizeof(sync_tail), out);
	/* With the tail in, a whole message leaves zlib between blocks
	 * (data_type's 128); anywhere else, the message was cut short. */
	if (rc == 0 && last && !d->inf_ended && !(d->inf.data_type & 128))
		rc = CW_WS_CLOSE_BAD_DATA;
	if (rc != 0 || last) {
		/* A new message starts from a clean window when the peer
		 * keeps no context, ended its stream, or this one failed. */
		if ((rc != 0 || d->inf_no_context || d->inf_ended) &&
		    inflateReset(&d->inf) != Z_OK)
			rc = rc ? rc : -1;
		d->inf_ended = 0;
		d->inflated = 0;
	}
	return rc;
}
