/* slowread.c - many clients that read a large file slowly, and a probe
 * that keeps asking for a small page meanwhile: does the server keep
 * answering at once while every slow reader holds a response open?
 *
 * usage: slowread PORT PATH CLIENTS RATE_BYTES_PER_S PROBE_PATH
 * Each client connects, sends GET PATH, then reads at most RATE bytes a
 * second (in ten slices a second) until the response's Content-Length is
 * in, and checks it got exactly that many body bytes. The probe opens a
 * fresh connection for GET PROBE_PATH every 100 ms while any client is
 * still reading, and times it. Output: one line of key=value pairs
 * (clients done, failures, seconds, probe count, p50, p99 and max in ms). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROBES 100000

struct reader {
	int fd;
	long long need; /* body bytes, -1 before the head */
	long long got;
	size_t head;
	char buf[16384];
	int done, failed;
};

static int port;
static _Atomic int running = 1;
static double probe_ms[MAX_PROBES];
static int nprobes;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dial(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One GET on a fresh connection; ms taken, or -1. */
static double probe_once(const char *path)
{
	char req[512], buf[4096];
	double t0 = now_ms();
	int fd = dial(), n;

	if (fd < 0)
		return -1;
	snprintf(req, sizeof req,
	         "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	         path);
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		return -1;
	}
	n = (int)read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 12 || strncmp(buf, "HTTP/1.1 200", 12) != 0)
		return -1;
	return now_ms() - t0;
}

static void *prober(void *arg)
{
	const char *path = arg;

	double start = now_ms();

	while (atomic_load(&running) && nprobes < MAX_PROBES) {
		double ms = probe_once(path);

		if (getenv("SLOWREAD_SHOW") != NULL && (ms < 0 || ms > 5))
			fprintf(stderr, "probe at %.1f s: %.2f ms\n",
			        (now_ms() - start) / 1e3, ms);
		probe_ms[nprobes++] = ms;
		usleep(100000);
	}
	return NULL;
}

/* Read up to max bytes for r; 0 go on, 1 finished, -1 failed. */
static int step(struct reader *r, long long max)
{
	static __thread char tmp[262144];
	ssize_t n;

	if (max > (long long)sizeof tmp)
		max = sizeof tmp;
	n = recv(r->fd, tmp, (size_t)max, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	if (r->need < 0) {
		size_t keep = r->head + (size_t)n < sizeof r->buf - 1
		                  ? (size_t)n
		                  : sizeof r->buf - 1 - r->head;
		char *end, *cl;

		memcpy(r->buf + r->head, tmp, keep);
		r->head += keep;
		r->buf[r->head] = '\0';
		end = strstr(r->buf, "\r\n\r\n");
		if (end == NULL)
			return 0;
		cl = strcasestr(r->buf, "\r\nContent-Length:");
		if (strncmp(r->buf, "HTTP/1.1 200", 12) != 0 || cl == NULL)
			return -1;
		r->need = atoll(cl + 17);
		/* the body bytes of this read: all it gave past the head */
		r->got = (long long)n - (long long)((size_t)(end + 4 - r->buf) -
		                                    (r->head - keep));
		return r->got >= r->need ? 1 : 0;
	}
	r->got += n;
	return r->got >= r->need ? 1 : 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int clients, left, failed = 0;
	long long rate;
	struct reader *r;
	char req[512];
	pthread_t probe;
	double t0, secs;

	if (argc != 6) {
		fprintf(stderr,
		        "usage: slowread PORT PATH CLIENTS RATE PROBE\n");
		return 2;
	}
	port = atoi(argv[1]);
	clients = atoi(argv[3]);
	rate = atoll(argv[4]);
	r = calloc((size_t)clients, sizeof *r);
	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
	         argv[2]);
	for (int i = 0; i < clients; i++) {
		int rcv = 262144;

		r[i].need = -1;
		r[i].fd = dial();
		if (r[i].fd < 0) {
			perror("connect");
			return 1;
		}
		/* a receive buffer of a quarter second: the pace is ours */
		setsockopt(r[i].fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
		if (write(r[i].fd, req, strlen(req)) < 0)
			return 1;
	}
	t0 = now_ms();
	pthread_create(&probe, NULL, prober, argv[5]);
	left = clients;
	while (left > 0) {
		for (int i = 0; i < clients; i++) {
			int s;

			if (r[i].done)
				continue;
			s = step(&r[i], rate / 10);
			if (s != 0) {
				r[i].done = 1;
				r[i].failed = s < 0;
				if (s < 0 && getenv("DEBUG"))
					fprintf(
					    stderr,
					    "client %d: got %lld of %lld: %s\n",
					    i, r[i].got, r[i].need,
					    strerror(errno));
				failed += s < 0;
				left--;
				close(r[i].fd);
			}
		}
		usleep(100000);
	}
	secs = (now_ms() - t0) / 1e3;
	atomic_store(&running, 0);
	pthread_join(probe, NULL);
	{
		int bad = 0, n = 0;
		double *ok = malloc(sizeof(double) * (size_t)(nprobes + 1));

		for (int i = 0; i < nprobes; i++)
			if (probe_ms[i] < 0)
				bad++;
			else
				ok[n++] = probe_ms[i];
		qsort(ok, (size_t)n, sizeof *ok, cmp);
		printf("clients=%d done=%d failed=%d seconds=%.1f probes=%d "
		       "probe_failed=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
		       clients, clients - failed, failed, secs, nprobes, bad,
		       n ? ok[n / 2] : -1, n ? ok[(n * 99) / 100] : -1,
		       n ? ok[n - 1] : -1);
		free(ok);
	}
	free(r);
	return failed == 0 ? 0 : 1;
}
