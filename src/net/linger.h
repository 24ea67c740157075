/* linger.h - closing a connection gracefully (net/linger.c). */
#ifndef CW_NET_LINGER_H
#define CW_NET_LINGER_H

#include "net/conn.h"

/* Close gracefully: shut the write side and drop the client's input
 * until it closes or two seconds pass (net/linger.c), so the response
 * just sent is not lost to a reset; closes at once when that is off
 * (linger_timeout_ms) or the context stops. */
void cw_conn_linger(struct mg_connection *c);

#endif
