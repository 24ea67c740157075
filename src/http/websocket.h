/* websocket.h - WebSocket (RFC 6455) on server connections: the upgrade a
 * request can turn into, and the protocol the connection runs afterwards
 * (http/ws_server.c), and the frames the server sends (http/ws_send.c:
 * mg_websocket_write and the library's own control frames).
 *
 * A WebSocket is a protocol of the connection (net/proto.h): between
 * frames it is parked in the event set with no thread and no input
 * buffer; a pool thread runs it when bytes arrive, calls the data handler
 * for each frame, and parks it again. Its state is a struct cw_ws in
 * c->proto_data (http/ws_conn.h). */
#ifndef CW_HTTP_WEBSOCKET_H
#define CW_HTTP_WEBSOCKET_H

struct mg_connection;

/* Does the request ask for a WebSocket (Upgrade: websocket) where one
 * could be served (a WebSocket handler is registered, or a deprecated
 * websocket_* callback is set)? Cheap: for the dispatch. */
int cw_ws_requested(const struct mg_connection *c);

/* The request running on c asks for a WebSocket (an Upgrade: websocket
 * header): answer it. 1 if this took the request (101 and the connection
 * switched to the WebSocket protocol, a 400 for a bad handshake, a
 * connect handler that refused, or no WebSocket handler for the URI: see
 * ws_server.c), 0 if it is not a WebSocket request. */
int cw_ws_upgrade(struct mg_connection *c);

/* WebSockets open in this context's process now (its stats). */
long long cw_ws_open_count(const struct mg_connection *c);

#endif
