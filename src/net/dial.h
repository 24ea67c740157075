/* dial.h - outgoing TCP connections for the client side of the API:
 * resolve, connect with a bound on the wait, TCP_NODELAY. */
#ifndef CW_NET_DIAL_H
#define CW_NET_DIAL_H

#include <stddef.h>

#include "core/server.h"

/* Why a dial failed (MG_ERROR_DATA_CODE_* and an errno, or 0). */
struct cw_dial_error {
	unsigned code;
	unsigned sub;
	char text[192];
};

/* A connected non-blocking socket to host:port (a name, an IPv4 literal,
 * or an IPv6 literal with or without brackets: "[::1]"), trying every
 * address the name resolves to, each within timeout_ms; its address in
 * *peer. Returns the fd (the caller owns it), or -1 with *e filled. */
int cw_dial(const char *host, int port, int timeout_ms, union cw_sockaddr *peer,
            struct cw_dial_error *e);

#endif
