/* loadgen.c - a closed-loop HTTP/1.1 load generator that counts every
 * failure, for the reload benchmark: connect errors, resets (including a
 * connection closed before or during a response), non-2xx statuses, and
 * truncated bodies. A share of the requests ask for "Connection: close".
 * It prints per-second completions so throughput during an event (a
 * reload) can be compared with throughput before it.
 *
 * usage: loadgen PORT PATH SECONDS CONNECTIONS CLOSE_PERCENT [SERIES_FILE]
 * Output (stdout): one summary line of key=value pairs. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define THREADS     2
#define MAX_SECONDS 600

struct client {
	int fd;
	int want_close;
	size_t got;     /* bytes of the current response */
	long body_need; /* body bytes expected, -1 before the head */
	size_t head_len;
	int status;
	int server_close;
	int reused; /* the connection already carried a response */
	char buf[8192];
};

static int port, seconds, nconns, close_pct;
static const char *path;
static atomic_long ok_count, connect_err, resets, non2xx, truncated;
static atomic_long per_second[MAX_SECONDS];
static long long t_start;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_request(struct client *c)
{
	char req[512];
	int n;

	c->want_close = rand() % 100 < close_pct;
	n = snprintf(req, sizeof req,
	             "GET %s HTTP/1.1\r\nHost: bench\r\n%s\r\n", path,
	             c->want_close ? "Connection: close\r\n" : "");
	c->got = 0;
	c->body_need = -1;
	/* a fresh socket may still be connecting: send() then fails with
	 * EAGAIN and is retried on EPOLLOUT by the caller's loop */
	if (send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		c->status = -1;
	else
		c->status = 0;
}

static int open_client(int ep, struct client *c)
{
	struct epoll_event ev;

	c->fd = dial();
	c->reused = 0;
	if (c->fd < 0) {
		atomic_fetch_add(&connect_err, 1);
		return -1;
	}
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->status = -2; /* connecting */
	return 0;
}

static void reopen(int ep, struct client *c)
{
	close(c->fd);
	while (open_client(ep, c) != 0 && now_ms() - t_start < seconds * 1000L)
		usleep(1000);
}

/* Parse the head once it is complete. */
static int parse_head(struct client *c)
{
	char *end = memmem(c->buf, c->got, "\r\n\r\n", 4), *cl;

	if (end == NULL)
		return 0;
	c->head_len = (size_t)(end - c->buf) + 4;
	*end = '\0';
	c->status = atoi(c->buf + 9);
	cl = strcasestr(c->buf, "\r\nContent-Length:");
	c->body_need = cl ? atol(cl + 17) : 0;
	c->server_close = strcasestr(c->buf, "\r\nConnection: close") != NULL;
	return 1;
}

static void finished(int ep, struct client *c)
{
	long long s = (now_ms() - t_start) / 1000;

	if (c->status >= 200 && c->status < 300) {
		atomic_fetch_add(&ok_count, 1);
		if (s >= 0 && s < MAX_SECONDS)
			atomic_fetch_add(&per_second[s], 1);
	} else {
		atomic_fetch_add(&non2xx, 1);
	}
	c->reused = 1;
	if (c->want_close || c->server_close)
		reopen(ep, c);
	else
		send_request(c);
}

static void on_readable(int ep, struct client *c)
{
	for (;;) {
		ssize_t n =
		    recv(c->fd, c->buf + c->got, sizeof c->buf - c->got - 1, 0);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* closed or reset: before or inside a response */
			if (c->body_need >= 0)
				atomic_fetch_add(&truncated, 1);
			else
				atomic_fetch_add(&resets, 1);
			reopen(ep, c);
			return;
		}
		c->got += (size_t)n;
		if (c->body_need < 0 && !parse_head(c)) {
			if (c->got >= sizeof c->buf - 1) {
				atomic_fetch_add(&non2xx, 1);
				reopen(ep, c);
				return;
			}
			continue;
		}
		if (c->got >= c->head_len + (size_t)c->body_need) {
			finished(ep, c);
			return;
		}
		if (c->got >= sizeof c->buf - 1) {
			/* long bodies: keep only the count */
			c->body_need -= (long)(c->got - c->head_len);
			c->got = c->head_len;
		}
	}
}

static void *run(void *arg)
{
	int share = *(int *)arg, ep = epoll_create1(0);
	struct client *cs = calloc((size_t)share, sizeof *cs);
	struct epoll_event evs[256];

	for (int i = 0; i < share; i++)
		open_client(ep, &cs[i]);
	while (now_ms() - t_start < seconds * 1000L) {
		int n = epoll_wait(ep, evs, 256, 100);

		for (int i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;

			if (c->status == -2 && (evs[i].events & EPOLLOUT)) {
				struct epoll_event ev = {EPOLLIN, {.ptr = c}};

				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				send_request(c);
				if (c->status == -1) {
					atomic_fetch_add(
					    c->reused ? &resets : &connect_err,
					    1);
					reopen(ep, c);
				}
				continue;
			}
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				on_readable(ep, c);
		}
	}
	for (int i = 0; i < share; i++)
		close(cs[i].fd);
	free(cs);
	close(ep);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tids[THREADS];
	int share[THREADS];
	FILE *series = NULL;

	if (argc < 6) {
		fprintf(stderr, "usage: loadgen PORT PATH SECONDS CONNECTIONS "
		                "CLOSE_PERCENT [SERIES_FILE]\n");
		return 2;
	}
	port = atoi(argv[1]);
	path = argv[2];
	seconds = atoi(argv[3]);
	nconns = atoi(argv[4]);
	close_pct = atoi(argv[5]);
	if (seconds > MAX_SECONDS)
		seconds = MAX_SECONDS;
	t_start = now_ms();
	for (int i = 0; i < THREADS; i++) {
		share[i] = nconns / THREADS + (i < nconns % THREADS);
		pthread_create(&tids[i], NULL, run, &share[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(tids[i], NULL);
	if (argc > 6 && (series = fopen(argv[6], "w")) != NULL) {
		for (int s = 0; s < seconds; s++)
			fprintf(series, "%d %ld\n", s,
			        atomic_load(&per_second[s]));
		fclose(series);
	}
	printf("requests=%ld rps=%.0f connect_errors=%ld resets=%ld "
	       "non2xx=%ld truncated=%ld\n",
	       atomic_load(&ok_count), (double)atomic_load(&ok_count) / seconds,
	       atomic_load(&connect_err), atomic_load(&resets),
	       atomic_load(&non2xx), atomic_load(&truncated));
	return 0;
}
