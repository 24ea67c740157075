/* tlsload.c - TLS handshakes per second: THREADS threads, each in a loop
 * connecting, completing a handshake (a full one, or resuming the session
 * of its previous connection), sending one GET with "Connection: close" and
 * reading the response to its end. Counts handshakes, how many resumed,
 * and every failure; the same client for every server, so that their
 * figures compare.
 *
 * usage: tlsload PORT SECONDS THREADS new|reuse [PATH]
 * Output: one line "handshakes_per_s=... resumed=... failed=..." (resumed:
 * the share of handshakes that resumed a session; failed: connections
 * that did not end in a 200). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port, seconds, reuse;
static const char *path = "/hello.txt";
static SSL_CTX *ctx;
static _Atomic long done, resumed, failed;
static _Atomic int stop;

static int dial(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct timeval tv = {5, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One connection: 0 done, -1 failed. *sess: the session to resume, and
 * then the one to resume next time. */
static int one(SSL_SESSION **sess)
{
	char req[256], buf[16384];
	size_t n;
	int fd = dial(), ok = 0, len;
	SSL *ssl;

	if (fd < 0)
		return -1;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	if (reuse && *sess != NULL)
		SSL_set_session(ssl, *sess);
	len = snprintf(req, sizeof req,
	               "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	               "Connection: close\r\n\r\n",
	               path);
	if (SSL_connect(ssl) == 1 &&
	    SSL_write_ex(ssl, req, (size_t)len, &n) == 1) {
		size_t got = 0;

		while (SSL_read_ex(ssl, buf + (got ? 16 : 0), sizeof buf - 16,
		                   &n) == 1)
			got += n;
		ok = got > 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0;
		if (SSL_session_reused(ssl))
			atomic_fetch_add(&resumed, 1);
		if (reuse) {
			SSL_SESSION_free(*sess);
			*sess = SSL_get1_session(ssl);
		}
	}
	SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
	close(fd);
	return ok ? 0 : -1;
}

static void *worker(void *arg)
{
	SSL_SESSION *sess = NULL;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (one(&sess) == 0)
			atomic_fetch_add(&done, 1);
		else
			atomic_fetch_add(&failed, 1);
	}
	SSL_SESSION_free(sess);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	int nt;

	if (argc < 5) {
		fprintf(stderr, "usage: tlsload PORT SECONDS THREADS new|reuse "
		                "[PATH]\n");
		return 2;
	}
	port = atoi(argv[1]);
	seconds = atoi(argv[2]);
	nt = atoi(argv[3]);
	reuse = strcmp(argv[4], "reuse") == 0;
	if (argc > 5)
		path = argv[5];
	if (nt < 1 || nt > 64)
		nt = 1;
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
	for (int i = 0; i < nt; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	sleep((unsigned)seconds);
	atomic_store(&stop, 1);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	printf("handshakes_per_s=%.0f resumed=%.3f failed=%ld\n",
	       (double)done / seconds,
	       done > 0 ? (double)resumed / (double)done : 0.0, (long)failed);
	SSL_CTX_free(ctx);
	return 0;
}
