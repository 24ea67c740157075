/* ws_conn.h - the state of one server WebSocket, shared by the protocol
 * that reads it (ws_server.c) and the writer (ws_send.c). Private to the
 * http layer's WebSocket modules.
 *
 * Ownership: the pool thread that runs the connection (owner) parses,
 * inflates and calls the handlers without any lock. Everything that sends
 * holds the connection lock (c->lock, recursive: mg_lock_connection):
 * frames are built and compressed under it, so a handler, a thread of the
 * application and the library's own control frames never interleave. The
 * state is freed under that lock, and a writer that finds
 * c->proto_data NULL knows the WebSocket is gone. */
#ifndef CW_HTTP_WS_CONN_H
#define CW_HTTP_WS_CONN_H

#include <stdatomic.h>

#include "civetweb.h"
#include "core/server.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/ws_deflate.h"
#include "util/ws_frame.h"

struct cw_ws {
	struct cw_ws_parser parser;
	struct cw_ws_deflate *deflate; /* NULL: not negotiated */
	struct cw_buf frame;           /* a frame that came in pieces */
	struct cw_utf8 inflated_utf8;  /* a compressed text message's check */
	struct mg_request_info *info;  /* the upgrade request's, copied */
	/* the handlers (copied at the upgrade; legacy: the deprecated
	 * websocket_* callbacks of mg_callbacks instead) */
	mg_websocket_ready_handler ready;
	mg_websocket_data_handler data;
	mg_websocket_close_handler close;
	void *cbdata;
	int legacy;
	unsigned char bits; /* first byte of the frame coming in */
	unsigned char ready_done;
	unsigned char pings;      /* keep-alive pings without input since */
	unsigned char close_sent; /* under c->lock */
	/* the pool thread running the connection now, or NULL: a write
	 * from it goes straight out, any other is posted */
	struct cw_thread *_Atomic owner;
	/* a writer overflowed the queue (the peer does not read): the
	 * owner closes the connection when it next runs */
	_Atomic int doomed;
};

#endif
