/* listen_spec.c - the listening_ports option: CivetWeb's grammar, a
 * comma-separated list of [addr:]port with suffixes s (TLS), r (redirect to
 * the TLS port) and o (optional), and civetd's p (the connections begin
 * with a PROXY protocol header, net/proxy.c), where addr is an IPv4 address, a
 * host name, or [IPv6], and "+port" listens on IPv4 and IPv6 with one socket.
 * Parsing only: net/listen.c binds what this describes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/listen_spec.h"

static int fail(char *err, size_t errlen, const char *entry, size_t len,
                const char *why)
{
	snprintf(err, errlen, "listening_ports: '%.*s': %s", (int)len, entry,
	         why);
	return -1;
}

/* Suffix letters after the port number. */
static int parse_suffix(const char *p, const char *end,
                        struct cw_listen_spec *s)
{
	for (; p < end; p++) {
		int *flag = *p == 's'   ? &s->is_ssl
		            : *p == 'r' ? &s->is_redirect
		            : *p == 'o' ? &s->optional
		            : *p == 'p' ? &s->is_proxy
		                        : NULL;
		if (flag == NULL || *flag)
			return -1;
		*flag = 1;
	}
	return s->is_ssl && s->is_redirect ? -1 : 0;
}

static int parse_port(const char *p, const char *end, struct cw_listen_spec *s)
{
	long port = 0;
	const char *q = p;

	while (q < end && *q >= '0' && *q <= '9' && q - p < 6)
		port = port * 10 + (*q++ - '0');
	if (q == p || port > 65535)
		return -1;
	s->port = (int)port;
	return parse_suffix(q, end, s);
}

static int parse_entry(const char *e, size_t len, struct cw_listen_spec *s,
                       char *err, size_t errlen)
{
	const char *end = e + len, *p = e, *colon;

	memset(s, 0, sizeof *s);
	if (len > 0 && *p == 'x')
		return fail(err, errlen, e, len,
		            "unix domain sockets are not supported");
	if (len > 0 && *p == '+') {
		s->dual = 1;
		p++;
	} else if (len > 0 && *p == '[') {
		const char *close = memchr(p, ']', len);

		if (close == NULL || close + 1 >= end || close[1] != ':' ||
		    (size_t)(close - p - 1) >= sizeof s->host)
			return fail(err, errlen, e, len, "bad IPv6 address");
		memcpy(s->host, p + 1, (size_t)(close - p - 1));
		s->ipv6 = 1;
		p = close + 2;
	} else if ((colon = memchr(p, ':', len)) != NULL) {
		if ((size_t)(colon - p) >= sizeof s->host || colon == p)
			return fail(err, errlen, e, len, "bad address");
		memcpy(s->host, p, (size_t)(colon - p));
		p = colon + 1;
	}
	/* CivetWeb reads the port after an address with sscanf's %u, which
	 * takes a sign: "[::1]:+8080" is [::1] port 8080 there (its own test
	 * suite listens so), not a dual-stack socket. */
	if (p != e && *e != '+' && p < end && *p == '+')
		p++;
	if (parse_port(p, end, s) != 0)
		return fail(err, errlen, e, len, "bad port or suffix");
	return 0;
}

int cw_listen_parse(const char *option, struct cw_listen_spec **specs, int *n,
                    char *err, size_t errlen)
{
	const char *p = option;
	int count = 0, cap = 4;
	struct cw_listen_spec *v = malloc((size_t)cap * sizeof *v);

	if (v == NULL)
		return fail(err, errlen, "", 0, "out of memory");
	while (*p) {
		size_t len;

		p += strspn(p, " \t,");
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			break;
		if (count == cap) {
			struct cw_listen_spec *nv;

			cap *= 2;
			nv = realloc(v, (size_t)cap * sizeof *v);
			if (nv == NULL) {
				free(v);
				return fail(err, errlen, "", 0,
				            "out of memory");
			}
			v = nv;
		}
		if (parse_entry(p, len, &v[count], err, errlen) != 0) {
			free(v);
			return -1;
		}
		count++;
		p += len;
		p += strcspn(p, ",");
	}
	if (count == 0) {
		free(v);
		return fail(err, errlen, option, strlen(option),
		            "no port to listen on");
	}
	*specs = v;
	*n = count;
	return 0;
}

/* Resolve a spec to one socket address. */
