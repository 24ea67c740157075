/* wstest.c - the raw WebSocket client of the tests (see wstest.h). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "testlib.h"
#include "wstest.h"

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="

static const unsigned char mask_key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* base64(SHA-1(key + GUID)), computed independently of the server. */
static void expected_accept(char out[64])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char in[128];
	unsigned char md[SHA_DIGEST_LENGTH];

	snprintf(in, sizeof in, "%s%s", KEY, guid);
	SHA1((const unsigned char *)in, strlen(in), md);
	EVP_EncodeBlock((unsigned char *)out, md, SHA_DIGEST_LENGTH);
}

/* Read a response head byte by byte (so no frame behind it is eaten). */
static int read_head(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			return -1;
		n++;
		buf[n] = '\0';
		if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
			return 0;
	}
	return -1;
}

int wt_open(int port, const char *path, const char *extra, int *status,
            char *head, size_t head_len)
{
	char req[2048], h[8192], want[64], got[128];
	const char *acc;
	int fd = tl_connect(port), st = 0;

	if (status != NULL)
		*status = 0;
	if (fd < 0)
		return -1;
	snprintf(req, sizeof req,
	         "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	         "Sec-WebSocket-Key: " KEY "\r\n"
	         "Sec-WebSocket-Version: 13\r\n%s\r\n",
	         path, extra != NULL ? extra : "");
	if (tl_send(fd, req) != 0 || read_head(fd, h, sizeof h) != 0) {
		close(fd);
		return -1;
	}
	sscanf(h, "HTTP/1.1 %d", &st);
	if (status != NULL)
		*status = st;
	if (head != NULL)
		snprintf(head, head_len, "%s", h);
	expected_accept(want);
	acc = strstr(h, "Sec-WebSocket-Accept: ");
	if (st != 101 || acc == NULL ||
	    sscanf(acc, "Sec-WebSocket-Accept: %127s", got) != 1 ||
	    strcmp(got, want) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int wt_send(int fd, unsigned bits, const void *p, size_t n, int unmasked)
{
	unsigned char *f = malloc(n + 14);
	size_t h = 0;
	int r;

	if (f == NULL)
		return -1;
	f[h++] = (unsigned char)bits;
	if (n < 126) {
		f[h++] = (unsigned char)((unmasked ? 0 : 0x80) | n);
	} else if (n < 65536) {
		f[h++] = (unsigned char)((unmasked ? 0 : 0x80) | 126);
		f[h++] = (unsigned char)(n >> 8);
		f[h++] = (unsigned char)n;
	} else {
		f[h++] = (unsigned char)((unmasked ? 0 : 0x80) | 127);
		for (int i = 7; i >= 0; i--)
			f[h++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	if (!unmasked) {
		memcpy(f + h, mask_key, 4);
		h += 4;
	}
	for (size_t i = 0; i < n; i++)
		f[h + i] = ((const unsigned char *)p)[i] ^
		           (unmasked ? 0 : mask_key[i % 4]);
	r = tl_send_n(fd, f, h + n);
	free(f);
	return r;
}

static int read_n(int fd, void *buf, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, ms) <= 0)
			return -1;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int wt_read(int fd, struct wt_frame *f, int ms)
{
	unsigned char h[8], key[4];
	uint64_t len;

	memset(f, 0, sizeof *f);
	if (read_n(fd, h, 2, ms) != 0)
		return -1;
	f->bits = h[0];
	f->masked = (h[1] & 0x80) != 0;
	len = h[1] & 0x7f;
	if (len == 126) {
		if (read_n(fd, h, 2, ms) != 0)
			return -1;
		len = ((uint64_t)h[0] << 8) | h[1];
	} else if (len == 127) {
		if (read_n(fd, h, 8, ms) != 0)
			return -1;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = (len << 8) | h[i];
	}
	if (len > (64u << 20) || (f->masked && read_n(fd, key, 4, ms) != 0))
		return -1;
	f->payload = malloc(len + 1);
	if (f->payload == NULL || read_n(fd, f->payload, len, ms) != 0) {
		wt_free(f);
		return -1;
	}
	f->payload[len] = '\0';
	f->len = len;
	return 0;
}

void wt_free(struct wt_frame *f)
{
	free(f->payload);
	f->payload = NULL;
}

int wt_read_close(int fd, int ms)
{
	struct wt_frame f;

	while (wt_read(fd, &f, ms) == 0) {
		if ((f.bits & 0x0f) == 0x8) {
			int code = f.len >= 2
			               ? (f.payload[0] << 8) | f.payload[1]
			               : 1005;

			wt_free(&f);
			return code;
		}
		wt_free(&f);
	}
	return -1;
}
