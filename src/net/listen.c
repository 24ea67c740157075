/* listen.c - listening sockets: binding what core/listen_spec.c parsed,
 * adopting sockets a prefork master bound, describing them. Sockets are
 * non-blocking: the master thread accepts in a loop until EAGAIN. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/listen.h"

int cw_listen_resolve(const struct cw_listen_spec *s,
                      struct sockaddr_storage *ss, socklen_t *len)
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
	if (cw_listen_resolve(s, &ss, &len) != 0)
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

void cw_listen_defer_accept(const struct cw_listener *l, int n, int on)
{
	/* seconds before a silent client is handed over anyway */
	int secs = on ? 1 : 0;

	for (int i = 0; i < n; i++)
		setsockopt(l[i].fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
		           sizeof secs);
}

int cw_listen_adopt(int fd, const struct cw_listen_spec *spec,
                    struct cw_listener *out)
{
	int one = 1;

	/* Always, and set here once: accepted sockets inherit it. civetd
	 * coalesces its own writes, so Nagle's algorithm would only add the
	 * 40 ms delayed-ACK stall CivetWeb is known for. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(out, 0, sizeof *out);
	out->fd = fd;
	out->port = cw_listen_port(fd);
	if (out->port < 0)
		return -1;
	out->is_ssl = spec->is_ssl;
	out->is_redirect = spec->is_redirect;
	out->is_proxy = spec->is_proxy;
	/* as CivetWeb reports it: 3 for every IPv6 socket, dual-stack or
	 * not (its header's 2 for IPv6 alone is never given) */
	out->protocol = spec->dual || spec->ipv6 ? 3 : 1;
	if (!spec->dual && !spec->ipv6 && spec->host[0] != '\0') {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;

		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
		    ss.ss_family == AF_INET6)
			out->protocol = 3;
	}
	return 0;
}

int cw_listen_open(const struct cw_listen_spec *specs, int nspecs, int backlog,
                   struct cw_listener **out, int *n, char *err, size_t errlen)
{
	struct cw_listener *l = calloc((size_t)nspecs, sizeof *l);
	int count = 0;

	if (l == NULL) {
		snprintf(err, errlen, "listening_ports: out of memory");
		return -1;
	}
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
