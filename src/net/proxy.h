/* proxy.h - the PROXY protocol (HAProxy's, versions 1 and 2) on the
 * listening ports that ask for it (the `p` suffix of listening_ports):
 * the connection protocol their connections start in, before the TLS
 * handshake or HTTP/1. */
#ifndef CW_NET_PROXY_H
#define CW_NET_PROXY_H

#include "core/server.h"
#include "net/proto.h"

/* Reads the header and nothing after it (the request or the ClientHello
 * may come in the same segment), parked while it waits, within
 * request_timeout_ms of the accept. The client the header names becomes
 * the connection's peer (a LOCAL or UNKNOWN header keeps the real one),
 * access_control_list is applied to it, and the connection goes on in
 * its listener's after_proxy protocol (NULL: the context's first). A
 * missing, bad or late header closes the connection, nothing sent. */
extern const struct cw_protocol cw_proxy_protocol;

/* Make every PROXY port of ctx start in cw_proxy_protocol, going on in
 * the protocol it started in before (call after the TLS ports got
 * theirs). */
void cw_proxy_ports_init(struct mg_context *ctx);

#endif
