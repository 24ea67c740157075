/* listen.c - listening sockets.
 *
 * The grammar is CivetWeb's: a comma-separated list of [addr:]port with
 * suffixes s (TLS), r (redirect to the TLS port) and o (optional), where
 * addr is an IPv4 address, a host name, or [IPv6], and "+port" listens on
 * IPv4 and IPv6 with one socket. Sockets are non-blocking: the master
 * thread accepts in a loop until EAGAIN. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/listen.h"

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
	if (parse_port(p, end, s) != 0)
		return fail(err, errlen, e, len, "bad port or suffix");
	if (s->is_ssl)
		return fail(err, errlen, e, len,
		            "TLS is not built yet in this civetd");
	if (s->is_redirect)
		return fail(err, errlen, e, len,
		            "redirect ports need a TLS port, and TLS is not "
		            "built yet in this civetd");
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
static int resolve(const struct cw_listen_spec *s, struct sockaddr_storage *ss,
                   socklen_t *len)
{
	struct addrinfo hints, *res;
	char port[8];

	memset(ss, 0, sizeof *ss);
	if (s->dual || (s->ipv6 && s->host[0] == '\0')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_any;
		a6->sin6_port = htons((uint16_t)s->port);
		*len = sizeof *a6;
		return 0;
	}
	if (s->host[0] == '\0') {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_ANY);
		a4->sin_port = htons((uint16_t)s->port);
		*len = sizeof *a4;
		return 0;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = s->ipv6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", s->port);
	if (getaddrinfo(s->host, port, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int cw_listen_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int bind_one(const struct cw_listen_spec *s, int backlog, int *fdp,
                    const char **why)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, v6only;

	*why = "cannot resolve address";
	if (resolve(s, &ss, &len) != 0)
		return -1;
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto os_error;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6) {
		v6only = !s->dual;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		           sizeof v6only);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(fd, backlog) != 0)
		goto os_error;
	*fdp = fd;
	return 0;
os_error:
	*why = strerror(errno);
	if (fd >= 0)
		close(fd);
	return -1;
}

int cw_listen_adopt(int fd, const struct cw_listen_spec *spec,
                    struct cw_listener *out)
{
	memset(out, 0, sizeof *out);
	out->fd = fd;
	out->port = cw_listen_port(fd);
	if (out->port < 0)
		return -1;
	out->is_ssl = spec->is_ssl;
	out->is_redirect = spec->is_redirect;
	out->protocol = spec->dual ? 3 : spec->ipv6 ? 2 : 1;
	if (!spec->dual && !spec->ipv6 && spec->host[0] != '\0') {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;

		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
		    ss.ss_family == AF_INET6)
			out->protocol = 2;
	}
	return 0;
}

int cw_listen_open(const struct cw_listen_spec *specs, int nspecs, int backlog,
                   struct cw_listener **out, int *n, char *err, size_t errlen)
{
	struct cw_listener *l = calloc((size_t)nspecs, sizeof *l);
	int count = 0;

	if (l == NULL)
		return fail(err, errlen, "", 0, "out of memory");
	for (int i = 0; i < nspecs; i++) {
		const char *why;
		int fd;

		if (bind_one(&specs[i], backlog, &fd, &why) != 0) {
			if (specs[i].optional)
				continue;
			snprintf(err, errlen,
			         "listening_ports: cannot listen on %s%s%s:%d: "
			         "%s",
			         specs[i].ipv6 ? "[" : "",
			         specs[i].host[0] ? specs[i].host : "*",
			         specs[i].ipv6 ? "]" : "", specs[i].port, why);
			cw_listen_close(l, count, 1);
			return -1;
		}
		cw_listen_adopt(fd, &specs[i], &l[count++]);
	}
	*out = l;
	*n = count;
	return 0;
}

void cw_listen_close(struct cw_listener *l, int n, int close_fds)
{
	if (l == NULL)
		return;
	for (int i = 0; close_fds && i < n; i++)
		if (l[i].fd >= 0)
			close(l[i].fd);
	free(l);
}
