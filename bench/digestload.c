/* digestload.c - a closed-loop keep-alive load of GETs, either plain or
 * answering the server's digest challenge (RFC 7616, qop=auth, MD5) as a
 * browser does: each connection takes a nonce from its first 401 and
 * counts nc up with every request; a 401 with stale=true takes a fresh
 * nonce. The same client for both, so their ratio is the server's cost
 * of authentication. Counts 200s; anything else is an error.
 *
 * usage: digestload PORT PATH SECONDS CONNECTIONS [USER PASSWORD REALM]
 * Output: one line "requests=N seconds=S rps=R errors=E".
 * Build: gcc -O2 -pthread digestload.c -lcrypto */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port, seconds;
static const char *path, *user, *pass, *realm;
static atomic_long done_ok, errors;
static atomic_int stop;

static EVP_MD *md5; /* fetched once: the client must cost little */

static void md5_hex(char out[33], const char *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	EVP_Digest(s, strlen(s), md, &n, md5, NULL);
	for (unsigned i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static int dial(void)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read one response into buf: the status, -1 on a broken connection. */
static int read_response(int fd, char *buf, size_t cap, char *nonce,
                         size_t ncap)
{
	size_t got = 0, head = 0;
	long need = -1;

	for (;;) {
		ssize_t r;
		char *e;

		if (need < 0 && (e = memmem(buf, got, "\r\n\r\n", 4)) != NULL) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			head = (size_t)(e - buf) + 4;
			need = cl != NULL ? atol(cl + 17) : 0;
		}
		if (need >= 0 && got >= head + (size_t)need)
			break;
		if (got == cap - 1)
			got = head = 0,
			need = need >= 0 ? need - (long)cap : -1;
		r = recv(fd, buf + got, cap - 1 - got, 0);
		if (r <= 0)
			return -1;
		got += (size_t)r;
		buf[got] = '\0';
	}
	if (strncmp(buf, "HTTP/1.1 ", 9) != 0)
		return -1;
	if (nonce != NULL) {
		char *n = strstr(buf, "nonce=\"");

		if (n != NULL) {
			size_t k = strcspn(n + 7, "\"");

			if (k < ncap) {
				memcpy(nonce, n + 7, k);
				nonce[k] = '\0';
			}
		}
	}
	return atoi(buf + 9);
}

static void *run(void *arg)
{
	char req[2048], buf[16384], nonce[256] = "", ha1[33], ha2[33], rs[33];
	char tmp[1024];
	unsigned nc = 0;
	int fd = -1;

	(void)arg;
	if (user != NULL) {
		snprintf(tmp, sizeof tmp, "%s:%s:%s", user, realm, pass);
		md5_hex(ha1, tmp);
		snprintf(tmp, sizeof tmp, "GET:%s", path);
		md5_hex(ha2, tmp);
	}
	while (!atomic_load(&stop)) {
		int n, st;

		if (fd < 0 && (fd = dial()) < 0) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		if (user == NULL || nonce[0] == '\0') {
			n = snprintf(req, sizeof req,
			             "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
			             path);
		} else {
			nc++;
			snprintf(tmp, sizeof tmp, "%s:%s:%08x:c0ffee:auth:%s",
			         ha1, nonce, nc, ha2);
			md5_hex(rs, tmp);
			n = snprintf(req, sizeof req,
			             "GET %s HTTP/1.1\r\nHost: x\r\n"
			             "Authorization: Digest username=\"%s\", "
			             "realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
			             "qop=auth, nc=%08x, cnonce=\"c0ffee\", "
			             "response=\"%s\"\r\n\r\n",
			             path, user, realm, nonce, path, nc, rs);
		}
		if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n ||
		    (st = read_response(fd, buf, sizeof buf, nonce,
		                        sizeof nonce)) < 0) {
			atomic_fetch_add(&errors, 1);
			close(fd);
			fd = -1;
			continue;
		}
		if (st == 200)
			atomic_fetch_add(&done_ok, 1);
		else if (st == 401 && user != NULL)
			nc = 0; /* the nonce was taken from the challenge */
		else
			atomic_fetch_add(&errors, 1);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[256];
	struct timespec t0, t1;
	int conns;
	double secs;

	if (argc != 5 && argc != 8) {
		fprintf(stderr, "usage: digestload PORT PATH SECONDS "
		                "CONNECTIONS [USER PASSWORD REALM]\n");
		return 2;
	}
	port = atoi(argv[1]);
	path = argv[2];
	seconds = atoi(argv[3]);
	conns = atoi(argv[4]);
	if (conns < 1 || conns > 256)
		return 2;
	if (argc == 8)
		user = argv[5], pass = argv[6], realm = argv[7];
	md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, run, NULL);
	sleep((unsigned)seconds);
	atomic_store(&stop, 1);
	for (int i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("requests=%ld seconds=%.1f rps=%.0f errors=%ld\n",
	       atomic_load(&done_ok), secs,
	       (double)atomic_load(&done_ok) / secs, atomic_load(&errors));
	return 0;
}
