/* proxy_parse.h - the PROXY protocol header (HAProxy's, versions 1 and 2)
 * that a load balancer puts in front of a connection's first byte to say
 * whom it is relaying. A pure parser over the bytes received so far; the
 * connection protocol that reads them is net/proxy.c. */
#ifndef CW_UTIL_PROXY_PARSE_H
#define CW_UTIL_PROXY_PARSE_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

/* Results of cw_proxy_parse. */
#define CW_PROXY_BAD       (-1) /* not a valid header: close */
#define CW_PROXY_NEED_MORE 0    /* a valid beginning: wait for more */
#define CW_PROXY_DONE      1    /* a whole header, h->len bytes */

/* The longest version 1 header, its CRLF included (the spec's 107). */
#define CW_PROXY_V1_MAX 107
/* The version 2 signature and fixed part. */
#define CW_PROXY_V2_FIXED 16

/* An address from the header: IPv4 or IPv6, with its port. */
union cw_proxy_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct cw_proxy_hdr {
	/* DONE: bytes of the header (what follows belongs to the client).
	 * NEED_MORE: the fewest bytes that can complete it, when known (a
	 * version 2 header's whole length), else 0. */
	size_t len;
	int version; /* 1 or 2 */
	/* 1: the header names no client to use (v1 UNKNOWN; v2 LOCAL, an
	 * unspecified family or AF_UNIX): keep the real peer's address. */
	int keep_peer;
	union cw_proxy_addr src; /* the client, unless keep_peer */
	union cw_proxy_addr dst; /* the address it reached, unless keep_peer */
};

/* Parse the len bytes at buf, the first a connection received, as a PROXY
 * header: CW_PROXY_DONE (and *h filled), CW_PROXY_NEED_MORE (the bytes
 * are a valid beginning of one) or CW_PROXY_BAD. A version 2 header's
 * TLVs are checked to fit its length, then skipped. */
int cw_proxy_parse(const unsigned char *buf, size_t len,
                   struct cw_proxy_hdr *h);

#endif
