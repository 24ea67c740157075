/* ws_deflate.h - permessage-deflate (RFC 7692): compressing outgoing and
 * inflating incoming WebSocket messages with zlib's raw deflate.
 *
 * One struct cw_ws_deflate serves one connection in both directions, with
 * the parameters cw_ws_deflate_negotiate() agreed on. Messages go through
 * in pieces: a compressed message's payload is what deflate writes for it
 * up to a sync flush, minus the 00 00 ff ff that flush ends with (7.2.1);
 * inflating puts that tail back (7.2.2). With context takeover the LZ77
 * window carries over from one message to the next; without it, the side
 * that asked for none resets after every message. zlib's state (a few
 * hundred KiB for deflate) is allocated on first use in each direction,
 * so a socket that never compresses costs nothing. Not thread-safe on one
 * struct: the connection's owner serialises its use. */
#ifndef CW_WS_DEFLATE_H
#define CW_WS_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "util/buf.h"
#include "util/ws_frame.h"
#include "util/ws_handshake.h"

struct cw_ws_deflate {
	z_stream def;
	z_stream inf;
	unsigned char def_ready, inf_ready;
	unsigned char def_no_context, inf_no_context;
	unsigned char inf_ended; /* the peer's stream ended (BFINAL) */
	int def_bits, inf_bits, level;
	uint64_t max_message, inflated;
};

/* Set d up for role's end of a connection with the agreed params: a server
 * compresses with the server_* parameters and inflates what the client
 * compressed with client_*, a client the other way round. level is zlib's
 * (1..9; others clamp). max_message bounds one inflated message (0: no
 * bound). 0, or -1 if this side would have to compress with an 8-bit
 * window, which zlib's raw deflate does not offer. Nothing is allocated
 * until the first message; cw_ws_deflate_free() releases it. */
int cw_ws_deflate_init(struct cw_ws_deflate *d,
                       const struct cw_ws_deflate_params *params,
                       enum cw_ws_role role, int level, uint64_t max_message);

void cw_ws_deflate_free(struct cw_ws_deflate *d);

/* Compress in[0..n), a piece of an outgoing message; last ends the
 * message. What comes out is appended to out (the caller's buffer, grown
 * with cw_buf_reserve, never past max bytes); everything appended is
 * payload for the message's frames, the first of which carries RSV1. 0,
 * or -1 (out would pass max, out of memory, a zlib failure); after -1 the
 * compressor is reset and the message must be abandoned. */
int cw_ws_compress(struct cw_ws_deflate *d, const void *in, size_t n, int last,
                   struct cw_buf *out, size_t max);

/* Inflate in[0..n), a piece of an incoming compressed message's payload
 * (frames already unmasked); last: the message ends with this piece.
 * What comes out is appended to out (the caller's; it may take pieces out
 * between calls). Returns 0, CW_WS_CLOSE_TOO_BIG when the message
 * inflates past max_message, CW_WS_CLOSE_BAD_DATA for input that is not
 * deflate data, or -1 when memory runs out: on anything but 0, fail the
 * connection with that code (1011 for -1). */
int cw_ws_decompress(struct cw_ws_deflate *d, const void *in, size_t n,
                     int last, struct cw_buf *out);

#endif
