/* proxy_parse.c - the PROXY protocol header, versions 1 and 2, as HAProxy's
 * specification (proxy-protocol.txt) defines them:
 *
 *   v1  "PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n" or
 *       "PROXY UNKNOWN[ anything]\r\n", at most 107 bytes
 *   v2  a 12-byte signature, version and command (LOCAL or PROXY), family
 *       and transport, a 16-bit length, the addresses, then TLVs
 *
 * Strict: a byte that cannot begin or continue a header makes it bad at
 * once, so a client that sends a plain request to a port that requires
 * the header is refused when its first bytes come, not at a timeout. */
#include <arpa/inet.h>
#include <string.h>

#include "util/proxy_parse.h"

static const unsigned char v2_sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                         0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
static const char v1_sig[] = "PROXY ";

/* Do the len bytes at buf begin sig (or the other way round)? */
static int agrees(const unsigned char *buf, size_t len, const void *sig,
                  size_t siglen)
{
	return memcmp(buf, sig, len < siglen ? len : siglen) == 0;
}

/* ---- version 1 ---------------------------------------------------------- */

#define V1_FIELDS 6

/* Split line (len bytes, no CRLF) at single spaces into at most V1_FIELDS
 * fields. The number of fields, or -1 if one is empty or there are too
 * many. */
static int split(const char *line, size_t len, const char *f[], size_t flen[])
{
	int n = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || n == V1_FIELDS)
			return -1;
		f[n] = line + start;
		flen[n++] = i - start;
		start = i + 1;
	}
	return n;
}

/* A decimal port without leading zeros: 0 or -1. */
static int v1_port(const char *s, size_t len, in_port_t *port)
{
	unsigned long v = 0;

	if (len == 0 || len > 5 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = htons((in_port_t)v);
	return 0;
}

/* An address of family af and its port into *a: 0 or -1. */
static int v1_addr(int af, const char *s, size_t len, const char *ps,
                   size_t plen, union cw_proxy_addr *a)
{
	char text[INET6_ADDRSTRLEN];
	in_port_t port;

	if (len >= sizeof text || v1_port(ps, plen, &port) != 0)
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	memset(a, 0, sizeof *a);
	if (af == AF_INET) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = port;
		return inet_pton(AF_INET, text, &a->in.sin_addr) == 1 ? 0 : -1;
	}
	a->in6.sin6_family = AF_INET6;
	a->in6.sin6_port = port;
	return inet_pton(AF_INET6, text, &a->in6.sin6_addr) == 1 ? 0 : -1;
}

/* The line after "PROXY ", without its CRLF. */
static int v1_line(const char *line, size_t len, struct cw_proxy_hdr *h)
{
	const char *f[V1_FIELDS];
	size_t flen[V1_FIELDS];
	int n, af;

	if (len >= 7 && memcmp(line, "UNKNOWN", 7) == 0 &&
	    (len == 7 || line[7] == ' ')) {
		h->keep_peer = 1; /* the rest is to be ignored */
		return CW_PROXY_DONE;
	}
	n = split(line, len, f, flen);
	if (n != 5 || flen[0] != 4)
		return CW_PROXY_BAD;
	if (memcmp(f[0], "TCP4", 4) == 0)
		af = AF_INET;
	else if (memcmp(f[0], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return CW_PROXY_BAD;
	if (v1_addr(af, f[1], flen[1], f[3], flen[3], &h->src) != 0 ||
	    v1_addr(af, f[2], flen[2], f[4], flen[4], &h->dst) != 0)
		return CW_PROXY_BAD;
	return CW_PROXY_DONE;
}

static int parse_v1(const unsigned char *buf, size_t len,
                    struct cw_proxy_hdr *h)
{
	size_t max = len < CW_PROXY_V1_MAX ? len : CW_PROXY_V1_MAX, eol;
	const unsigned char *cr = memchr(buf, '\r', max);
	const unsigned char *lf = memchr(buf, '\n', max);

	if (lf != NULL && (cr == NULL || lf < cr))
		return CW_PROXY_BAD; /* a bare LF */
	if (cr == NULL)
		return len >= CW_PROXY_V1_MAX ? CW_PROXY_BAD
		                              : CW_PROXY_NEED_MORE;
	eol = (size_t)(cr - buf);
	if (eol + 2 > CW_PROXY_V1_MAX)
		return CW_PROXY_BAD;
	if (eol + 1 == len)
		return CW_PROXY_NEED_MORE;
	if (buf[eol + 1] != '\n')
		return CW_PROXY_BAD;
	h->version = 1;
	h->len = eol + 2;
	return v1_line((const char *)buf + 6, eol - 6, h);
}

/* ---- version 2 ---------------------------------------------------------- */

#define V2_LOCAL 0x0
#define V2_PROXY 0x1

/* The family and transport bytes the spec allows with PROXY: UNSPEC, and
 * INET, INET6, UNIX over STREAM or DGRAM. */
static int v2_family_ok(unsigned char fam)
{
	return fam == 0x00 || fam == 0x11 || fam == 0x12 || fam == 0x21 ||
	       fam == 0x22 || fam == 0x31 || fam == 0x32;
}

/* The version/command and family bytes, as far as they have come. */
static int v2_fixed_ok(const unsigned char *buf, size_t len)
{
	if (len > 12 && ((buf[12] >> 4) != 2 || (buf[12] & 0x0F) > V2_PROXY))
		return 0;
	/* LOCAL ignores the family, whatever it says */
	if (len > 13 && (buf[12] & 0x0F) == V2_PROXY && !v2_family_ok(buf[13]))
		return 0;
	return 1;
}

/* TLVs (type, 16-bit length, value) must tile [p, end) exactly. */
static int v2_tlvs_ok(const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		size_t vlen;

		if (end - p < 3)
			return 0;
		vlen = ((size_t)p[1] << 8) | p[2];
		if (vlen > (size_t)(end - p) - 3)
			return 0;
		p += 3 + vlen;
	}
	return 1;
}

/* The address block of family fam into h; its length, or 0 if it is not
 * long enough. */
static size_t v2_addresses(const unsigned char *a, size_t len,
                           unsigned char fam, struct cw_proxy_hdr *h)
{
	switch (fam >> 4) {
	case 1: /* INET: src, dst, sport, dport */
		if (len < 12)
			return 0;
		h->src.in.sin_family = h->dst.in.sin_family = AF_INET;
		memcpy(&h->src.in.sin_addr, a, 4);
		memcpy(&h->dst.in.sin_addr, a + 4, 4);
		memcpy(&h->src.in.sin_port, a + 8, 2);
		memcpy(&h->dst.in.sin_port, a + 10, 2);
		return 12;
	case 2: /* INET6 */
		if (len < 36)
			return 0;
		h->src.in6.sin6_family = h->dst.in6.sin6_family = AF_INET6;
		memcpy(&h->src.in6.sin6_addr, a, 16);
		memcpy(&h->dst.in6.sin6_addr, a + 16, 16);
		memcpy(&h->src.in6.sin6_port, a + 32, 2);
		memcpy(&h->dst.in6.sin6_port, a + 34, 2);
		return 36;
	default: /* UNIX: two 108-byte paths, no address we can use */
		if (len < 216)
			return 0;
		h->keep_peer = 1;
		return 216;
	}
}

static int parse_v2(const unsigned char *buf, size_t len,
                    struct cw_proxy_hdr *h)
{
	size_t body, used;

	if (!v2_fixed_ok(buf, len))
		return CW_PROXY_BAD;
	if (len < CW_PROXY_V2_FIXED)
		return CW_PROXY_NEED_MORE;
	body = ((size_t)buf[14] << 8) | buf[15];
	h->len = CW_PROXY_V2_FIXED + body;
	if (len < h->len)
		return CW_PROXY_NEED_MORE;
	h->version = 2;
	if ((buf[12] & 0x0F) == V2_LOCAL || buf[13] == 0x00) {
		h->keep_peer = 1; /* nothing in the block is to be used */
		return CW_PROXY_DONE;
	}
	used = v2_addresses(buf + CW_PROXY_V2_FIXED, body, buf[13], h);
	if (used == 0 ||
	    !v2_tlvs_ok(buf + CW_PROXY_V2_FIXED + used, buf + h->len)) {
		memset(h, 0, sizeof *h);
		return CW_PROXY_BAD;
	}
	return CW_PROXY_DONE;
}

int cw_proxy_parse(const unsigned char *buf, size_t len, struct cw_proxy_hdr *h)
{
	memset(h, 0, sizeof *h);
	if (len == 0)
		return CW_PROXY_NEED_MORE;
	if (agrees(buf, len, v2_sig, sizeof v2_sig))
		return parse_v2(buf, len, h);
	if (agrees(buf, len, v1_sig, sizeof v1_sig - 1))
		return len < sizeof v1_sig - 1 ? CW_PROXY_NEED_MORE
		                               : parse_v1(buf, len, h);
	return CW_PROXY_BAD;
}
