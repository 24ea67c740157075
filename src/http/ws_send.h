/* ws_send.h - frames a server WebSocket sends (ws_send.c), for the
 * WebSocket protocol's own use; applications call mg_websocket_write. */
#ifndef CW_HTTP_WS_SEND_H
#define CW_HTTP_WS_SEND_H

#include <stddef.h>

struct mg_connection;

/* One frame with FIN (a data message compressed when agreed), from any
 * thread. 0, or -1: the WebSocket is gone, closing, or its peer does not
 * read (the connection is then closed by its owner). */
int cw_ws_send(struct mg_connection *c, unsigned op, const void *data,
               size_t len);

/* A close frame with code (0: none) and reason; later sends fail. */
int cw_ws_send_close(struct mg_connection *c, unsigned code,
                     const char *reason);

#endif
