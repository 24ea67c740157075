/* listen.h - listening sockets: binding the parsed listening_ports
 * (core/listen_spec.h), adopting sockets a prefork master bound, and
 * describing them (mg_get_server_ports). The prefork master binds with
 * these functions once; its workers adopt the descriptors it hands them. */
#ifndef CW_NET_LISTEN_H
#define CW_NET_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#include "core/listen_spec.h"
#include "core/server.h"

struct cw_listener {
	int fd;
	int port; /* actual port (after binding port 0) */
	int is_ssl;
	int is_redirect;
	int is_proxy;  /* 'p': a PROXY header comes first (net/proxy.h) */
	int protocol;  /* 1 IPv4, 3 IPv6 (as CivetWeb) */
	int inherited; /* fd handed in by the prefork master */
	/* The transport of its connections; NULL: plain (net/transport.h). */
	const struct cw_transport *xprt;
	/* The protocol they start in; NULL: the context's first. */
	const struct cw_protocol *proto;
	/* On a PROXY port, the one they go on in after the header; NULL:
	 * the context's first. */
	const struct cw_protocol *after_proxy;
};

/* Bind and listen on every spec. On success *out (malloc'ed, caller frees
 * with cw_listen_close) holds *n listeners; an optional entry that cannot
 * be bound is left out. -1 with a reason in err otherwise. */
int cw_listen_open(const struct cw_listen_spec *specs, int nspecs, int backlog,
                   struct cw_listener **out, int *n, char *err, size_t errlen);

/* The address a spec binds to (its host resolved, or the wildcard of its
 * family) into *ss and *len: 0, or -1 if the host does not resolve. */
int cw_listen_resolve(const struct cw_listen_spec *s,
                      struct sockaddr_storage *ss, socklen_t *len);

/* The local port a socket is bound to, or -1. */
int cw_listen_port(int fd);

/* Close (when close_fds) and free listeners. */
void cw_listen_close(struct cw_listener *l, int n, int close_fds);

/* Have the kernel hand over a connection only once its first bytes have
 * come (TCP_DEFER_ACCEPT, as Apache's default accept filter does), or
 * not (on 0). Applies to the socket itself, so to every process that
 * shares it. */
void cw_listen_defer_accept(const struct cw_listener *l, int n, int on);

/* Describe an inherited socket as a listener (port and family from the
 * socket itself, TLS flags from spec). */
int cw_listen_adopt(int fd, const struct cw_listen_spec *spec,
                    struct cw_listener *out);

#endif
