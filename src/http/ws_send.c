/* ws_send.c - frames a server WebSocket sends: mg_websocket_write from
 * any thread, and the library's own pings, pongs and closes.
 *
 * Every frame is built under the connection lock (ws_conn.h). The thread
 * that runs the connection writes straight to the socket what it takes
 * now and queues the rest; any other thread (one of the application's,
 * a timer, the timer thread of the library) only queues, and the
 * connection's next run writes it out, so no thread ever waits on a slow
 * peer and only the owner touches the transport. The queue is bounded by
 * websocket_max_queued: a write that would pass it fails, and the
 * connection is closed, as the peer is not reading. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/ws_conn.h"
#include "http/ws_send.h"
#include "net/conn.h"

static int is_data_opcode(unsigned op)
{
	return op == CW_WS_OP_TEXT || op == CW_WS_OP_BINARY ||
	       op == CW_WS_OP_CONT;
}

/* Hand header + payload to the connection (lock held). 0 or -1. */
static int put_frame(struct mg_connection *c, struct cw_ws *ws,
                     const unsigned char *hdr, size_t hlen, const void *data,
                     size_t len)
{
	struct iovec iov[2] = {{(void *)hdr, hlen}, {(void *)data, len}};
	struct cw_thread *self = cw_thread_self();
	size_t max = (size_t)c->ctx->opt.websocket_max_queued;
	int r;

	if (self != NULL && atomic_load(&ws->owner) == self)
		r = cw_conn_send_queued(c, iov, len > 0 ? 2 : 1, max);
	else
		r = cw_conn_postv(c, iov, len > 0 ? 2 : 1, max);
	if (r != 0) {
		atomic_store(&ws->doomed, 1);
		cw_conn_post_expire(c);
	}
	return r;
}

/* One frame, compressed when permessage-deflate was agreed and it is a
 * whole data message (lock held). 0 or -1. */
static int send_locked(struct mg_connection *c, struct cw_ws *ws, unsigned op,
                       const void *data, size_t len)
{
	unsigned char hdr[CW_WS_HEADER_MAX];
	unsigned flags = CW_WS_FIN;
	struct cw_buf z = {0};
	size_t hlen;
	int r;

	if (ws->close_sent || atomic_load(&ws->doomed))
		return -1;
	/* an empty message goes as it is (RFC 7692 lets any message go
	 * uncompressed; zlib has nothing to flush for it) */
	if (ws->deflate != NULL && len > 0 &&
	    (op == CW_WS_OP_TEXT || op == CW_WS_OP_BINARY)) {
		if (cw_ws_compress(ws->deflate, data, len, 1, &z,
		                   (size_t)c->ctx->opt.websocket_max_queued) !=
		    0) {
			cw_buf_free(&z);
			return -1;
		}
		data = z.data;
		len = z.len;
		flags |= CW_WS_RSV1;
	}
	hlen = cw_ws_write_header(hdr, flags, op, len, NULL);
	r = hlen == 0 ? -1 : put_frame(c, ws, hdr, hlen, data, len);
	cw_buf_free(&z);
	if (r == 0 && op == CW_WS_OP_CLOSE)
		ws->close_sent = 1;
	return r;
}

int cw_ws_send(struct mg_connection *c, unsigned op, const void *data,
               size_t len)
{
	struct cw_ws *ws;
	int r = -1;

	pthread_mutex_lock(&c->lock);
	ws = c->proto_data;
	if (ws != NULL)
		r = send_locked(c, ws, op, data, len);
	pthread_mutex_unlock(&c->lock);
	return r;
}

int cw_ws_send_close(struct mg_connection *c, unsigned code, const char *reason)
{
	unsigned char pl[CW_WS_CONTROL_MAX];
	size_t n = cw_ws_close_payload(pl, code, reason,
	                               reason != NULL ? strlen(reason) : 0);

	return cw_ws_send(c, CW_WS_OP_CLOSE, pl, n);
}

int mg_websocket_write(struct mg_connection *conn, int opcode, const char *data,
                       size_t data_len)
{
	if (conn == NULL || (data == NULL && data_len > 0) || opcode < 0 ||
	    opcode > 15)
		return -1;
	if (conn->is_client) /* masked, as a client must */
		return mg_websocket_client_write(conn, opcode, data, data_len);
	if (!is_data_opcode((unsigned)opcode) && data_len > CW_WS_CONTROL_MAX)
		return -1;
	if (cw_ws_send(conn, (unsigned)opcode, data, data_len) != 0)
		return -1;
	/* as CivetWeb: the payload's length, or the header's for an empty
	 * frame */
	return data_len > 0 ? (int)(data_len > INT32_MAX ? INT32_MAX : data_len)
	                    : 2;
}
