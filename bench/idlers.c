/* idlers.c - idle keep-alive connections, for bench/idle.sh.
 *
 * usage: idlers hold PORT PATH N
 *   Opens N connections to 127.0.0.1:PORT (at most 128 connecting at a
 *   time), sends one "GET PATH HTTP/1.1" (keep-alive) on each and reads the
 *   whole response, then keeps every connection open and idle. Source
 *   addresses are spread over 127.0.0.2, 127.0.0.3, ... (5,000 connections
 *   each, bind() before connect() with IP_BIND_ADDRESS_NO_PORT) so that
 *   19,000 connections do not run out of ephemeral ports. RLIMIT_NOFILE is
 *   raised to its hard limit. Prints to stdout, once every connection has
 *   its response:
 *     ready ok=K failed=F non200=S ms=T
 *   then holds until SIGTERM or SIGINT, counting connections the server
 *   closes meanwhile, and prints
 *     end open=K closed_by_server=C
 *   and closes them all with a reset (SO_LINGER 0: no TIME_WAIT).
 *
 * usage: idlers probe PORT PATH COUNT [GAP_MS]
 *   COUNT fresh requests, one after another GAP_MS (default 50) apart,
 *   each timed from socket() to the last byte of the response
 *   (connect + GET with "Connection: close" + read). Prints
 *     probe n=COUNT ok=K fail=F median_ms=M max_ms=X min_ms=N */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define PER_ADDR   5000
#define IN_FLIGHT  128
#define TIMEOUT_MS 20000

enum { CONNECTING, READING, IDLE, DONE };

struct idler {
	int fd;
	int state;
	int status;
	long long started;
	size_t got;
	long need; /* head + body bytes, -1 before the head is complete */
	char buf[1024];
};

static volatile sig_atomic_t stop;

static void on_signal(int s)
{
	(void)s;
	stop = 1;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int dial(int port, int index, int nonblock)
{
	struct sockaddr_in src, dst;
	int one = 1;
	int fd =
	    socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&src, 0, sizeof src);
	memset(&dst, 0, sizeof dst);
	if (index >= 0) {
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		           sizeof one);
		src.sin_family = AF_INET;
		/* 127.0.0.2, 127.0.0.3, ... */
		src.sin_addr.s_addr = htonl(0x7f000002u + index / PER_ADDR);
		if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
			close(fd);
			return -1;
		}
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bytes the response needs in all (head + Content-Length), once its head
 * is in buf; -1 while it is not. */
static long response_size(const char *buf, size_t got, int *status)
{
	const char *end = memmem(buf, got, "\r\n\r\n", 4);
	const char *p;
	long body = 0;

	if (end == NULL)
		return -1;
	*status = got > 12 ? atoi(buf + 9) : 0;
	for (p = buf; p < end; p++) {
		if ((p == buf || p[-1] == '\n') &&
		    strncasecmp(p, "Content-Length:", 15) == 0) {
			body = atol(p + 15);
			break;
		}
	}
	return (long)(end - buf) + 4 + body;
}

static void reset_close(int fd)
{
	struct linger l = {1, 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

static int hold(int port, const char *path, int n)
{
	struct idler *v = calloc((size_t)n, sizeof *v);
	struct epoll_event ev, evs[256];
	char req[512];
	int reqlen, ep = epoll_create1(0);
	int next = 0, inflight = 0, finished = 0, ok = 0, failed = 0;
	int non200 = 0, closed = 0;
	long long t0 = now_us();

	if (v == NULL || ep < 0) {
		perror("idlers");
		return 1;
	}
	reqlen = snprintf(req, sizeof req,
	                  "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	while (finished < n && !stop) {
		while (inflight < IN_FLIGHT && next < n) {
			struct idler *c = &v[next];

			c->fd = dial(port, next, 1);
			c->need = -1;
			c->started = now_us();
			next++;
			if (c->fd < 0) {
				c->state = DONE;
				failed++;
				finished++;
				continue;
			}
			c->state = CONNECTING;
			ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
			ev.data.ptr = c;
			epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
			inflight++;
		}
		int k = epoll_wait(ep, evs, 256, 100);
		for (int i = 0; i < k; i++) {
			struct idler *c = evs[i].data.ptr;
			int bad = 0;

			if (c->state == IDLE) {
				/* the server closed (or wrote to) an idle
				 * connection already */
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->state = DONE;
				closed++;
				continue;
			}
			if (c->state == CONNECTING &&
			    (evs[i].events & EPOLLOUT)) {
				int err = 0;
				socklen_t el = sizeof err;

				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err,
				           &el);
				if (err != 0 || send(c->fd, req, (size_t)reqlen,
				                     MSG_NOSIGNAL) != reqlen) {
					bad = 1;
				} else {
					c->state = READING;
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd,
					          &ev);
				}
			} else if (c->state == READING) {
				ssize_t r = recv(c->fd, c->buf + c->got,
				                 sizeof c->buf - c->got, 0);

				if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
					bad = 1;
				} else if (r > 0) {
					c->got += (size_t)r;
					if (c->need < 0)
						c->need = response_size(
						    c->buf, c->got, &c->status);
					if (c->need < 0 &&
					    c->got == sizeof c->buf)
						bad = 1;
					else if (c->need >= 0 &&
					         (long)c->got >= c->need) {
						c->state = IDLE;
						inflight--;
						finished++;
						if (c->status == 200)
							ok++;
						else
							non200++;
						c->got = 0;
					} else if (c->need >= 0) {
						/* a body longer than buf:
						 * count it, drop the bytes */
						c->need -= (long)c->got;
						c->got = 0;
					}
				}
			} else if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
				bad = 1;
			}
			if (bad) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->state = DONE;
				inflight--;
				finished++;
				failed++;
			}
		}
		/* connections that take too long count as failed */
		long long t = now_us();
		for (int i = 0; i < next; i++) {
			struct idler *c = &v[i];

			if ((c->state == CONNECTING || c->state == READING) &&
			    t - c->started > TIMEOUT_MS * 1000LL) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->state = DONE;
				inflight--;
				finished++;
				failed++;
			}
		}
	}
	printf("ready ok=%d failed=%d non200=%d ms=%lld\n", ok, failed, non200,
	       (now_us() - t0) / 1000);
	fflush(stdout);

	/* hold: only the server closing a connection wakes us */
	while (!stop) {
		int k = epoll_wait(ep, evs, 256, 1000);

		for (int i = 0; i < k; i++) {
			struct idler *c = evs[i].data.ptr;

			if (c->state != IDLE)
				continue;
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			close(c->fd);
			c->state = DONE;
			closed++;
		}
	}
	int open = 0;
	for (int i = 0; i < next; i++) {
		if (v[i].state == IDLE) {
			open++;
			reset_close(v[i].fd);
		} else if (v[i].state != DONE) {
			reset_close(v[i].fd);
		}
	}
	printf("end open=%d closed_by_server=%d\n", open, closed);
	free(v);
	return 0;
}

/* One fresh request; its time in microseconds, or -1. */
static long long probe_one(int port, const char *path)
{
	char req[512], buf[4096];
	long long t0 = now_us();
	size_t got = 0;
	long need = -1;
	int status = 0, n, fd = dial(port, -1, 0);
	struct timeval tv = {5, 0};

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	n = snprintf(req, sizeof req,
	             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	             "Connection: close\r\n\r\n",
	             path);
	if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (need < 0)
			need = response_size(buf, got, &status);
		if (need >= 0 && (long)got >= need)
			break;
		if (got == sizeof buf) {
			if (need < 0)
				break;
			need -= (long)got;
			got = 0;
		}
	}
	close(fd);
	if (need < 0 || (long)got < need || status != 200)
		return -1;
	return now_us() - t0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int probe(int port, const char *path, int count, int gap_ms)
{
	long long *t = calloc((size_t)count, sizeof *t);
	int ok = 0, fail = 0;

	for (int i = 0; i < count; i++) {
		long long us = probe_one(port, path);

		if (us < 0)
			fail++;
		else
			t[ok++] = us;
		usleep((useconds_t)gap_ms * 1000);
	}
	qsort(t, (size_t)ok, sizeof *t, cmp_ll);
	if (ok == 0)
		printf("probe n=%d ok=0 fail=%d median_ms=- max_ms=- "
		       "min_ms=-\n",
		       count, fail);
	else
		printf("probe n=%d ok=%d fail=%d median_ms=%.3f max_ms=%.3f "
		       "min_ms=%.3f\n",
		       count, ok, fail,
		       (ok % 2 ? t[ok / 2] : (t[ok / 2 - 1] + t[ok / 2]) / 2) /
		           1000.0,
		       t[ok - 1] / 1000.0, t[0] / 1000.0);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: epoll_wait returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (argc >= 5 && strcmp(argv[1], "hold") == 0)
		return hold(atoi(argv[2]), argv[3], atoi(argv[4]));
	if (argc >= 5 && strcmp(argv[1], "probe") == 0)
		return probe(atoi(argv[2]), argv[3], atoi(argv[4]),
		             argc > 5 ? atoi(argv[5]) : 50);
	fprintf(stderr, "usage: idlers hold PORT PATH N\n"
	                "       idlers probe PORT PATH COUNT [GAP_MS]\n");
	return 2;
}
