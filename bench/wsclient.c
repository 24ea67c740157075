/* bench/wsclient.c - throughput of the WebSocket client alone, against a
 * raw-socket peer in this program that does nothing but answer the
 * handshake and then either discard (send: mg_websocket_client_write,
 * masked frames) or send pre-built unmasked binary frames as fast as the
 * socket takes them (recv: the reader thread's parse and data_func).
 * Prints one line per run:
 *   mode size count seconds MB/s messages/s
 * usage: wsclient send|recv SIZE TOTAL_MB */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "civetweb.h"

static int mode_send;
static size_t size, count;
static int lfd;
static _Atomic size_t got;    /* bytes data_func saw */
static _Atomic int sink_done; /* the peer read everything */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t header_len(size_t n, int masked)
{
	return (n < 126 ? 2 : n < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/* Read the upgrade request, answer 101 with the right accept value. */
static void handshake(int fd)
{
	char req[8192] = "", key[128], cat[256], out[512];
	unsigned char sha[SHA_DIGEST_LENGTH], acc[64];
	size_t n = 0;
	const char *k;

	while (n < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
		ssize_t r = read(fd, req + n, sizeof req - 1 - n);

		if (r <= 0)
			exit(1);
		n += (size_t)r;
		req[n] = '\0';
	}
	k = strcasestr(req, "Sec-WebSocket-Key: ");
	if (k == NULL || sscanf(k + 19, "%127[^\r]", key) != 1)
		exit(1);
	snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
	         key);
	SHA1((unsigned char *)cat, strlen(cat), sha);
	EVP_EncodeBlock(acc, sha, sizeof sha);
	n = (size_t)snprintf(out, sizeof out,
	                     "HTTP/1.1 101 Switching Protocols\r\n"
	                     "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	                     "Sec-WebSocket-Accept: %s\r\n\r\n",
	                     acc);
	if (write(fd, out, n) != (ssize_t)n)
		exit(1);
}

static void sink(int fd)
{
	size_t want = count * (size + header_len(size, 1)), have = 0;
	static char buf[1 << 16];

	while (have < want) {
		ssize_t r = read(fd, buf, sizeof buf);

		if (r <= 0)
			break;
		have += (size_t)r;
	}
	atomic_store(&sink_done, 1);
}

static void source(int fd)
{
	size_t h = header_len(size, 0), batch = size < 65536 ? 65536 / size : 1;
	unsigned char *frames = calloc(batch, h + size);

	for (size_t i = 0; i < batch; i++) {
		unsigned char *f = frames + i * (h + size);

		f[0] = 0x82;
		if (size < 126) {
			f[1] = (unsigned char)size;
		} else if (size < 65536) {
			f[1] = 126, f[2] = (unsigned char)(size >> 8),
			f[3] = (unsigned char)size;
		} else {
			f[1] = 127;
			for (int b = 0; b < 8; b++)
				f[2 + b] = (unsigned char)((uint64_t)size >>
				                           (56 - 8 * b));
		}
	}
	for (size_t sent = 0; sent < count; sent += batch) {
		size_t k = count - sent < batch ? count - sent : batch;
		size_t len = k * (h + size), off = 0;

		while (off < len) {
			ssize_t r = write(fd, frames + off, len - off);

			if (r <= 0)
				exit(1);
			off += (size_t)r;
		}
	}
	free(frames);
}

static void *peer(void *arg)
{
	int fd = accept(lfd, NULL, NULL);

	(void)arg;
	if (fd < 0)
		exit(1);
	handshake(fd);
	if (mode_send)
		sink(fd);
	else
		source(fd);
	pause(); /* the process exits when the client is done */
	return NULL;
}

static int on_data(struct mg_connection *c, int bits, char *d, size_t n,
                   void *u)
{
	(void)c, (void)bits, (void)d, (void)u;
	atomic_fetch_add(&got, n);
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	pthread_t t;
	char ebuf[256];
	struct mg_connection *c;
	double t0, t1;

	if (argc != 4)
		return 2;
	mode_send = strcmp(argv[1], "send") == 0;
	size = strtoul(argv[2], NULL, 10);
	count = (strtoul(argv[3], NULL, 10) << 20) / size;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) != 0)
		return 1;
	pthread_create(&t, NULL, peer, NULL);
	c = mg_connect_websocket_client("127.0.0.1", ntohs(a.sin_port), 0, ebuf,
	                                sizeof ebuf, "/", NULL, on_data, NULL,
	                                NULL);
	if (c == NULL) {
		fprintf(stderr, "connect: %s\n", ebuf);
		return 1;
	}
	t0 = now();
	if (mode_send) {
		char *msg = calloc(1, size);

		for (size_t i = 0; i < count; i++)
			if (mg_websocket_client_write(
			        c, MG_WEBSOCKET_OPCODE_BINARY, msg, size) !=
			    (int)size)
				return 1;
		while (!atomic_load(&sink_done))
			usleep(100);
		free(msg);
	} else {
		while (atomic_load(&got) < count * size)
			usleep(100);
	}
	t1 = now();
	printf("%s %zu %zu %.3f %.1f %.0f\n", argv[1], size, count, t1 - t0,
	       (double)(count * size) / (t1 - t0) / 1e6,
	       (double)count / (t1 - t0));
	fflush(stdout);
	_exit(0);
}
