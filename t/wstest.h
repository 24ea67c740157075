/* wstest.h - a raw WebSocket client for tests (t/wstest.c): the opening
 * handshake and frames written and read byte by byte on a blocking socket
 * from t/testlib.h, so that a test can send exactly what it means to,
 * malformed frames included. */
#ifndef T_WSTEST_H
#define T_WSTEST_H

#include <stddef.h>

/* A frame as read. payload is malloc'ed (NUL-terminated); wt_free(). */
struct wt_frame {
	unsigned char bits; /* first byte */
	size_t len;
	unsigned char *payload;
	int masked;
};

/* Connect to port and upgrade path (extra header lines may be NULL).
 * Returns the fd after a 101 whose Sec-WebSocket-Accept is right, or -1
 * (the status in *status when not NULL, 0 if none came); the response
 * head into head when not NULL. */
int wt_open(int port, const char *path, const char *extra, int *status,
            char *head, size_t head_len);

/* Send a frame with first byte bits and payload p[0..n), masked with a
 * fixed key unless unmasked. 0 or -1. */
int wt_send(int fd, unsigned bits, const void *p, size_t n, int unmasked);

/* Read one frame within ms: 0, or -1 (closed, timed out, malformed). */
int wt_read(int fd, struct wt_frame *f, int ms);
void wt_free(struct wt_frame *f);

/* Read frames until a close frame: its code (1005 for none), or -1 when
 * the connection ended without one. Other frames are dropped. */
int wt_read_close(int fd, int ms);

#endif
