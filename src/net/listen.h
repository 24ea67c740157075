/* listen.h - listening_ports: parsing the option, binding the sockets,
 * and describing them (mg_get_server_ports). The prefork master binds with
 * these functions once; its workers adopt the descriptors it hands them. */
#ifndef CW_LISTEN_H
#define CW_LISTEN_H

#include <stddef.h>

#include "core/server.h"

/* One parsed listening_ports entry. */
struct cw_listen_spec {
	char host[256]; /* "" for any address */
	int port;
	int ipv6;        /* [addr] form */
	int dual;        /* "+port": IPv4 and IPv6 on one socket */
	int is_ssl;      /* 's' */
	int is_redirect; /* 'r' */
	int optional;    /* 'o': failing to bind is not an error */
};

/* Parse the option into *specs (malloc'ed, caller frees) and *n.
 * -1 with "listening_ports: 'entry': reason" in err. */
int cw_listen_parse(const char *option, struct cw_listen_spec **specs, int *n,
                    char *err, size_t errlen);

/* Bind and listen on every spec. On success *out (malloc'ed, caller frees
 * with cw_listen_close) holds *n listeners; an optional entry that cannot
 * be bound is left out. -1 with a reason in err otherwise. */
int cw_listen_open(const struct cw_listen_spec *specs, int nspecs, int backlog,
                   struct cw_listener **out, int *n, char *err, size_t errlen);

/* The local port a socket is bound to, or -1. */
int cw_listen_port(int fd);

/* Close (when close_fds) and free listeners. */
void cw_listen_close(struct cw_listener *l, int n, int close_fds);

/* Describe an inherited socket as a listener (port and family from the
 * socket itself, TLS flags from spec). */
int cw_listen_adopt(int fd, const struct cw_listen_spec *spec,
                    struct cw_listener *out);

#endif
