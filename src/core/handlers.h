/* handlers.h - the URI handler registry: request, WebSocket and
 * authorization handlers, set and removed while the server runs. */
#ifndef CW_HANDLERS_H
#define CW_HANDLERS_H

#include <stddef.h>

#include "civetweb.h"

enum cw_handler_type {
	CW_HANDLER_REQUEST,
	CW_HANDLER_WEBSOCKET,
	CW_HANDLER_AUTH,
};

/* One registered handler. Immutable once published: replacing a handler
 * publishes a new entry and retires the old one. */
struct cw_handler {
	char *uri;
	size_t uri_len;
	int type;
	mg_request_handler request;
	mg_authorization_handler auth;
	mg_websocket_connect_handler ws_connect;
	mg_websocket_ready_handler ws_ready;
	mg_websocket_data_handler ws_data;
	mg_websocket_close_handler ws_close;
	struct mg_websocket_subprotocols *subprotocols;
	void *cbdata;
	int refcount; /* callers running it; under the registry lock */
	struct cw_handler *next;
};

struct cw_handlers *cw_handlers_new(void);
void cw_handlers_free(struct cw_handlers *hs);

/* Register (fields from tmpl, uri copied) or, when every callback in tmpl
 * is NULL, remove the handler registered for exactly this uri and type.
 * Waits until a replaced or removed handler is no longer running. */
int cw_handlers_set(struct cw_handlers *hs, const char *uri,
                    const struct cw_handler *tmpl);

/* The most specific handler of a type for uri, held (refcount) until
 * cw_handlers_release(); NULL if none. Specificity: an exact match, then
 * the longest prefix ending at a '/' boundary, then the pattern (see
 * match.h) that matches the most characters. */
struct cw_handler *cw_handlers_find(struct cw_handlers *hs, int type,
                                    const char *uri);
void cw_handlers_release(struct cw_handlers *hs, struct cw_handler *h);

/* Cheap check used on the hot path: is any handler of this type set? */
int cw_handlers_any(const struct cw_handlers *hs, int type);

#endif
