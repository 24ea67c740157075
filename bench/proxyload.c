/* proxyload.c - new-connection load for bench/proxy.sh: THREADS blocking
 * clients, each connecting, sending one "Connection: close" GET (behind a
 * PROXY protocol v1 header, in the same write, when asked) and reading
 * until the server closes, again and again for SECONDS. Prints
 * "requests errors rps". wrk cannot send the header: its Lua requests
 * must begin with a method.
 *
 * usage: proxyload PORT PATH SECONDS THREADS proxy|plain */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static char req[512];
static size_t req_len;
static double stop_at;
static atomic_long done, failed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One connection, one request: 0 if a 200 came and the server closed. */
static int one(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((unsigned short)port)};
	char buf[16384];
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, ok;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    send(fd, req, req_len, MSG_NOSIGNAL) != (ssize_t)req_len) {
		close(fd);
		return -1;
	}
	while ((n = recv(fd, buf + got, sizeof buf - got - 1, 0)) > 0 &&
	       got + (size_t)n < sizeof buf - 1)
		got += (size_t)n;
	buf[got] = '\0';
	ok = n == 0 && strncmp(buf, "HTTP/1.1 200 ", 13) == 0;
	close(fd);
	return ok ? 0 : -1;
}

static void *client(void *arg)
{
	(void)arg;
	while (now() < stop_at) {
		if (one() == 0)
			atomic_fetch_add(&done, 1);
		else
			atomic_fetch_add(&failed, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[256];
	int seconds, threads;
	double start;

	if (argc != 6) {
		fprintf(
		    stderr,
		    "usage: proxyload PORT PATH SECONDS THREADS proxy|plain\n");
		return 2;
	}
	port = atoi(argv[1]);
	seconds = atoi(argv[3]);
	threads = atoi(argv[4]);
	if (threads < 1 || threads > 256 || seconds < 1 || seconds > 60)
		return 2;
	snprintf(req, sizeof req,
	         "%sGET %s HTTP/1.1\r\nHost: localhost\r\n"
	         "Connection: close\r\n\r\n",
	         strcmp(argv[5], "proxy") == 0
	             ? "PROXY TCP4 192.0.2.1 198.51.100.2 56324 80\r\n"
	             : "",
	         argv[2]);
	req_len = strlen(req);
	start = now();
	stop_at = start + seconds;
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, client, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	printf("%ld %ld %.0f\n", atomic_load(&done), atomic_load(&failed),
	       (double)atomic_load(&done) / (now() - start));
	return 0;
}
