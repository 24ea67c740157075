/* dial.c - outgoing TCP connections (see dial.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/dial.h"

static void fail(struct cw_dial_error *e, unsigned code, unsigned sub,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(struct cw_dial_error *e, unsigned code, unsigned sub,
                 const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	e->sub = sub;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

/* connect() with a bound on the wait. 0, or -1 with errno. */
static int connect_within(int fd, const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd p = {fd, POLLOUT, 0};
	int err = 0, r;
	socklen_t len = sizeof err;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -1;
	errno = err;
	return err == 0 ? 0 : -1;
}

/* "[::1]" names the address "::1", as in a URL. */
static const char *unbracket(const char *host, char *buf, size_t len)
{
	size_t n = strlen(host);

	if (n < 2 || host[0] != '[' || host[n - 1] != ']' || n - 2 >= len)
		return host;
	memcpy(buf, host + 1, n - 2);
	buf[n - 2] = '\0';
	return buf;
}

static int try_address(const struct addrinfo *ai, int timeout_ms,
                       union cw_sockaddr *peer)
{
	int one = 1, fd = socket(ai->ai_family,
	                         SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect_within(fd, ai, timeout_ms) != 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	memset(peer, 0, sizeof *peer);
	if (ai->ai_addrlen <= sizeof *peer)
		memcpy(peer, ai->ai_addr, ai->ai_addrlen);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

int cw_dial(const char *host, int port, int timeout_ms, union cw_sockaddr *peer,
            struct cw_dial_error *e)
{
	struct addrinfo hints, *res, *ai;
	char service[8], name[256];
	const char *h = unbracket(host, name, sizeof name);
	int fd = -1, r;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof service, "%d", port);
	r = getaddrinfo(h, service, &hints, &res);
	if (r != 0) {
		fail(e, MG_ERROR_DATA_CODE_HOST_NOT_FOUND, 0,
		     "host not found: %s (%s)", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = try_address(ai, timeout_ms, peer);
		if (fd >= 0)
			break;
		fail(e,
		     errno == ETIMEDOUT ? MG_ERROR_DATA_CODE_CONNECT_TIMEOUT
		                        : MG_ERROR_DATA_CODE_CONNECT_FAILED,
		     (unsigned)errno, "connect(%s:%d): %s", host, port,
		     errno == ETIMEDOUT ? "timed out" : strerror(errno));
	}
	freeaddrinfo(res);
	return fd;
}
