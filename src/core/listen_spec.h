/* listen_spec.h - the listening_ports option, parsed (core/listen_spec.c);
 * net/listen.h binds it. */
#ifndef CW_CORE_LISTEN_SPEC_H
#define CW_CORE_LISTEN_SPEC_H

#include <stddef.h>

/* One parsed listening_ports entry. */
struct cw_listen_spec {
	char host[256]; /* "" for any address */
	int port;
	int ipv6;        /* [addr] form */
	int dual;        /* "+port": IPv4 and IPv6 on one socket */
	int is_ssl;      /* 's' */
	int is_redirect; /* 'r' */
	int optional;    /* 'o': failing to bind is not an error */
	int is_proxy;    /* 'p': connections begin with a PROXY header */
};

/* Parse the option into *specs (malloc'ed, caller frees) and *n.
 * -1 with "listening_ports: 'entry': reason" in err. */
int cw_listen_parse(const char *option, struct cw_listen_spec **specs, int *n,
                    char *err, size_t errlen);

#endif
