/* check_e2e_ws.c - the WebSocket server end to end: handshakes, frames,
 * strict framing, the close handshake, the deprecated callbacks, writes
 * from other threads, a peer that does not read, idle sockets that hold
 * no thread, mg_stop's "going away", and Python's websockets as an
 * independent client. Frames are written by hand (t/wstest.c). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"
#include "wstest.h"

/* ---- the server's handlers ------------------------------------------------
 */

static _Atomic int closes, readies;
static struct mg_connection *_Atomic last_ready;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int seen_bits[64], nseen;

static char seen_origin[64];

/* Refuses when asked to; remembers the Origin the client sent. */
static int on_connect(const struct mg_connection *c, void *cbdata)
{
	const char *origin = mg_get_header(c, "Origin");

	(void)cbdata;
	snprintf(seen_origin, sizeof seen_origin, "%s",
	         origin != NULL ? origin : "");
	return mg_get_header(c, "X-Refuse") != NULL;
}

static void on_ready(struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	atomic_fetch_add(&readies, 1);
	atomic_store(&last_ready, c);
}

/* Echo every data frame with its message's opcode; "quit" closes; the
 * bits of every frame are remembered. */
static int on_data(struct mg_connection *c, int bits, char *data, size_t len,
                   void *cbdata)
{
	int op = bits & 0x0f;

	(void)cbdata;
	pthread_mutex_lock(&seen_lock);
	if (nseen < 64)
		seen_bits[nseen++] = bits;
	pthread_mutex_unlock(&seen_lock);
	if (data[len] != '\0')
		return 0; /* the payload must be NUL-terminated */
	if (len == 4 && memcmp(data, "quit", 4) == 0)
		return 0;
	if (op <= 2)
		mg_websocket_write(c, op == 0 ? 1 : op, data, len);
	return 1;
}

static void on_close(const struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	if (atomic_load(&last_ready) == c)
		atomic_store(&last_ready, NULL);
	atomic_fetch_add(&closes, 1);
}

static int plain(struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	mg_send_http_ok(c, "text/plain", 2);
	mg_write(c, "ok", 2);
	return 200;
}

static const char *protos[] = {"chat", "echo"};
static struct mg_websocket_subprotocols subs = {2, protos};

static struct mg_context *start(const char **opts, int *port)
{
	struct mg_callbacks cb;
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	atomic_store(&closes, 0);
	atomic_store(&readies, 0);
	atomic_store(&last_ready, NULL);
	nseen = 0;
	ctx = tl_start(&cb, NULL, opts, port);
	mg_set_websocket_handler(ctx, "/echo", on_connect, on_ready, on_data,
	                         on_close, NULL);
	mg_set_websocket_handler_with_subprotocols(ctx, "/sub", &subs, NULL,
	                                           NULL, on_data, NULL, NULL);
	mg_set_request_handler(ctx, "/plain", plain, NULL);
	return ctx;
}

static void expect_echo(int fd, unsigned bits, const void *p, size_t n)
{
	struct wt_frame f;

	ck_assert_int_eq(wt_send(fd, bits, p, n, 0), 0);
	ck_assert_int_eq(wt_read(fd, &f, 10000), 0);
	ck_assert_int_eq(f.bits, 0x80 | (bits & 0x0f));
	ck_assert_int_eq(f.masked, 0);
	ck_assert_uint_eq(f.len, n);
	ck_assert(n == 0 || memcmp(f.payload, p, n) == 0);
	wt_free(&f);
}

static int closes_reach(void *arg)
{
	return atomic_load(&closes) >= *(int *)arg;
}

static int readies_reach(void *arg)
{
	return atomic_load(&readies) >= *(int *)arg;
}

/* ---- handshakes -----------------------------------------------------------
 */

START_TEST(handshake_and_echo_of_every_length)
{
	static const size_t lens[] = {0, 1, 125, 126, 65535, 65536, 1 << 20};
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	char *big = malloc(1 << 20);

	for (size_t i = 0; i < (1u << 20); i++)
		big[i] = (char)('a' + i % 26);
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
		expect_echo(fd, 0x81, big, lens[i]);
	expect_echo(fd, 0x82, "\x00\xff\x01", 3);
	ck_assert_int_eq(atomic_load(&readies), 1);
	close(fd);
	free(big);
	mg_stop(ctx);
}
END_TEST

START_TEST(bad_handshakes_are_refused)
{
	int port, st, fd;
	struct mg_context *ctx = start(NULL, &port);
	struct tl_resp r;

	/* a version civetd does not speak: 400 naming the one it does */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	               "Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
	               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	               &r),
	    400);
	ck_assert_str_eq(tl_header(&r, "Sec-WebSocket-Version"), "13");
	tl_resp_free(&r);
	/* a key that is not 16 bytes */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	               "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	               "Sec-WebSocket-Key: c2hvcnQ=\r\n\r\n",
	               &r),
	    400);
	tl_resp_free(&r);
	/* no key at all */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	               "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	               "\r\n",
	               &r),
	    400);
	tl_resp_free(&r);
	/* HTTP/1.0 has no upgrade (RFC 6455 4.1: 1.1 or higher) */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET /echo HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\n"
	               "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	               &r),
	    400);
	tl_resp_free(&r);
	/* POST is no upgrade */
	ck_assert_int_eq(
	    tl_request(
	        port,
	        "POST /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	        "Content-Length: 0\r\n"
	        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	        &r),
	    400);
	tl_resp_free(&r);
	/* no WebSocket handler: 404, even where a request handler is */
	fd = wt_open(port, "/plain", NULL, &st, NULL, 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(st, 404);
	/* tokens in any case and position; the connect handler sees
	 * Origin */
	fd = wt_open(port, "/echo",
	             "Connection: keep-alive, UPGRADE\r\n"
	             "Origin: https://app.example\r\n",
	             &st, NULL, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(seen_origin, "https://app.example");
	close(fd);
	/* the connect handler refuses: closed with nothing sent */
	fd = wt_open(port, "/echo", "X-Refuse: 1\r\n", &st, NULL, 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(tl_get(port, "/plain", &r), 200);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

START_TEST(subprotocol_is_the_clients_first_supported)
{
	int port, fd;
	char head[8192];
	struct mg_context *ctx = start(NULL, &port);

	fd =
	    wt_open(port, "/sub", "Sec-WebSocket-Protocol: foo, echo, chat\r\n",
	            NULL, head, sizeof head);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(strstr(head, "Sec-WebSocket-Protocol: echo\r\n"));
	close(fd);
	fd = wt_open(port, "/sub", NULL, NULL, head, sizeof head);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(strstr(head, "Sec-WebSocket-Protocol"));
	close(fd);
	mg_stop(ctx);
}
END_TEST

/* ---- frames ---------------------------------------------------------------
 */

START_TEST(fragments_reach_the_handler_per_frame_with_a_ping_between)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	struct wt_frame f;

	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(wt_send(fd, 0x01, "ab", 2, 0), 0);
	ck_assert_int_eq(wt_send(fd, 0x89, "p!", 2, 0), 0);
	ck_assert_int_eq(wt_send(fd, 0x00, "cd", 2, 0), 0);
	ck_assert_int_eq(wt_send(fd, 0x80, "ef", 2, 0), 0);
	/* echoes of "ab" (as text), then the pong, then "cd", "ef" */
	ck_assert_int_eq(wt_read(fd, &f, 5000), 0);
	ck_assert_int_eq(f.bits, 0x81);
	ck_assert_str_eq((char *)f.payload, "ab");
	wt_free(&f);
	ck_assert_int_eq(wt_read(fd, &f, 5000), 0);
	ck_assert_int_eq(f.bits, 0x8a);
	ck_assert_str_eq((char *)f.payload, "p!");
	wt_free(&f);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(wt_read(fd, &f, 5000), 0);
		ck_assert_str_eq((char *)f.payload, i == 0 ? "cd" : "ef");
		wt_free(&f);
	}
	pthread_mutex_lock(&seen_lock);
	ck_assert_int_eq(nseen, 4);
	ck_assert_int_eq(seen_bits[0], 0x01);
	ck_assert_int_eq(seen_bits[1], 0x89); /* pings too, as CivetWeb */
	ck_assert_int_eq(seen_bits[2], 0x00);
	ck_assert_int_eq(seen_bits[3], 0x80);
	pthread_mutex_unlock(&seen_lock);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(a_message_split_at_every_byte_and_pipelined)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	unsigned char frame[64] = {0x81, 0x80 | 5, 1, 2, 3, 4};
	struct wt_frame f;
	char req[512];
	size_t n;

	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 5; i++)
		frame[6 + i] = (unsigned char)("hello"[i] ^ frame[2 + i % 4]);
	for (int i = 0; i < 11; i++) {
		ck_assert_int_eq(tl_send_n(fd, frame + i, 1), 0);
		usleep(2000);
	}
	ck_assert_int_eq(wt_read(fd, &f, 5000), 0);
	ck_assert_str_eq((char *)f.payload, "hello");
	wt_free(&f);
	close(fd);
	/* a frame in the same write as the upgrade request */
	fd = tl_connect(port);
	snprintf(req, sizeof req,
	         "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
	         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
	n = strlen(req);
	memcpy(req + n, frame, 11);
	ck_assert_int_eq(tl_send_n(fd, req, n + 11), 0);
	{
		char buf[4096];
		n = tl_read_all(fd, buf, sizeof buf, 1000);

		buf[n < sizeof buf ? n : sizeof buf - 1] = '\0';
		ck_assert_ptr_nonnull(strstr(buf, "101 Switching"));
		ck_assert_msg(
		    n > 7 && memcmp(buf + n - 7, "\x81\x05hello", 7) == 0,
		    "%zu bytes, the last %02x %02x", n,
		    (unsigned char)buf[n - 7], (unsigned char)buf[n - 6]);
	}
	close(fd);
	mg_stop(ctx);
}
END_TEST

struct bad {
	const char *what;
	unsigned bits;
	const char *payload;
	size_t len;
	int unmasked;
	int code;
};

START_TEST(bad_frames_fail_the_connection_with_their_code)
{
	static const struct bad cases[] = {
	    {"unmasked", 0x81, "hi", 2, 1, 1002},
	    {"RSV1 without deflate", 0xc1, "hi", 2, 0, 1002},
	    {"opcode 3", 0x83, "hi", 2, 0, 1002},
	    {"opcode 0xB", 0x8b, "", 0, 0, 1002},
	    {"fragmented ping", 0x09, "", 0, 0, 1002},
	    {"continuation without a start", 0x80, "x", 1, 0, 1002},
	    {"close code 1005", 0x88, "\x03\xed", 2, 0, 1002},
	    {"close code 999", 0x88, "\x03\xe7", 2, 0, 1002},
	    {"one-byte close", 0x88, "\x03", 1, 0, 1002},
	    {"close code 1004", 0x88, "\x03\xec", 2, 0, 1002},
	    {"close code 5000", 0x88, "\x13\x88", 2, 0, 1002},
	    {"close reason not UTF-8", 0x88, "\x03\xe8\xff", 3, 0, 1007},
	    {"invalid UTF-8", 0x81, "a\xc3\x28", 3, 0, 1007},
	    {"surrogate", 0x81, "\xed\xa0\x80", 3, 0, 1007},
	};
	const char *opts[] = {"websocket_max_message_size", "4096", NULL};
	int port, fd;
	struct mg_context *ctx = start(opts, &port);
	char *big = calloc(1, 5000);
	struct tl_resp r;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(wt_send(fd, cases[i].bits, cases[i].payload,
		                         cases[i].len, cases[i].unmasked),
		                 0);
		ck_assert_msg(wt_read_close(fd, 5000) == cases[i].code,
		              "%s: not closed with %d", cases[i].what,
		              cases[i].code);
		ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
		close(fd);
	}
	/* a 126-byte ping, and UTF-8 broken across two fragments */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_send(fd, 0x89, big, 126, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1002);
	close(fd);
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_send(fd, 0x01, "a\xe2\x82", 3, 0), 0);
	ck_assert_int_eq(wt_send(fd, 0x80, "b", 1, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1007);
	close(fd);
	/* a new message begun inside a fragmented one */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_send(fd, 0x01, "ab", 2, 0), 0);
	ck_assert_int_eq(wt_send(fd, 0x81, "cd", 2, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1002);
	close(fd);
	/* a message over websocket_max_message_size */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_send(fd, 0x82, big, 5000, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1009);
	close(fd);
	/* and the server goes on */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	expect_echo(fd, 0x81, "still", 5);
	close(fd);
	ck_assert_int_eq(tl_get(port, "/plain", &r), 200);
	tl_resp_free(&r);
	free(big);
	mg_stop(ctx);
}
END_TEST

/* ---- closing ------------------------------------------------------------- */

START_TEST(close_handshakes_and_the_close_handler)
{
	int port, fd, want;
	struct mg_context *ctx = start(NULL, &port);

	/* the client closes: answered with its code, then closed */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_send(fd, 0x88, "\x03\xe8", 2, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1000);
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	close(fd);
	want = 1;
	tl_wait_until(closes_reach, &want, 5000, "the close handler");
	/* the data handler returns 0: a close frame 1000 */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_send(fd, 0x81, "quit", 4, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1000);
	close(fd);
	want = 2;
	tl_wait_until(closes_reach, &want, 5000, "the close handler");
	/* the peer just goes */
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	expect_echo(fd, 0x81, "x", 1);
	close(fd);
	want = 3;
	tl_wait_until(closes_reach, &want, 5000, "the close handler");
	mg_stop(ctx);
	ck_assert_int_eq(atomic_load(&closes), 3);
}
END_TEST

START_TEST(mg_stop_says_going_away)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);

	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	expect_echo(fd, 0x81, "x", 1);
	mg_stop(ctx);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1001);
	ck_assert_int_eq(atomic_load(&closes), 1);
	close(fd);
}
END_TEST

/* ---- the deprecated callbacks ---------------------------------------------
 */

static _Atomic int legacy_ready, legacy_closes;

static int legacy_connect(const struct mg_connection *c)
{
	return mg_get_header(c, "X-Refuse") != NULL;
}

static int legacy_ready_cb(struct mg_connection *c)
{
	(void)c;
	atomic_fetch_add(&legacy_ready, 1);
	return 1;
}

static int legacy_data(struct mg_connection *c, int bits, char *data,
                       size_t len)
{
	if ((bits & 0x0f) == 0x8)
		return 0;
	if (len == 4 && memcmp(data, "quit", 4) == 0)
		return 0;
	mg_websocket_write(c, bits & 0x0f, data, len);
	return 1;
}

static void legacy_close(const struct mg_connection *c)
{
	(void)c;
	atomic_fetch_add(&legacy_closes, 1);
}

static int legacy_closes_reach(void *arg)
{
	return atomic_load(&legacy_closes) >= *(int *)arg;
}

START_TEST(deprecated_callbacks_as_the_seed_describes)
{
	struct mg_callbacks cb;
	struct mg_context *ctx;
	int port, fd, st, want = 1;

	memset(&cb, 0, sizeof cb);
	cb.websocket_connect = legacy_connect;
	cb.websocket_ready = legacy_ready_cb;
	cb.websocket_data = legacy_data;
	cb.connection_close = legacy_close;
	ctx = tl_start(&cb, NULL, NULL, &port);
	/* 1: closed without a handshake */
	fd = wt_open(port, "/any", "X-Refuse: 1\r\n", &st, NULL, 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(st, 0);
	tl_wait_until(legacy_closes_reach, &want, 5000, "connection_close");
	/* 0: the handshake, websocket_ready, websocket_data per frame */
	fd = wt_open(port, "/any", NULL, &st, NULL, 0);
	ck_assert_int_ge(fd, 0);
	expect_echo(fd, 0x82, "bin", 3);
	ck_assert_int_eq(atomic_load(&legacy_ready), 1);
	/* websocket_data returning 0 closes */
	ck_assert_int_eq(wt_send(fd, 0x81, "quit", 4, 0), 0);
	ck_assert_int_eq(wt_read_close(fd, 5000), 1000);
	close(fd);
	want = 2;
	tl_wait_until(legacy_closes_reach, &want, 5000,
	              "connection_close for the WebSocket");
	mg_stop(ctx);
}
END_TEST

/* ---- writes from other threads --------------------------------------------
 */

struct writer {
	int n, size, failed_at;
	int pause_us; /* between writes */
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	char *msg = calloc(1, (size_t)w->size + 32);

	w->failed_at = -1;
	for (int i = 0; i < w->n; i++) {
		struct mg_connection *c = atomic_load(&last_ready);
		int len = snprintf(msg, 32, "m%d", i);

		if (w->size > len)
			len = w->size;
		if (c == NULL) {
			w->failed_at = i;
			break;
		}
		mg_lock_connection(c);
		if (mg_websocket_write(c, 1, msg, (size_t)len) < 0) {
			mg_unlock_connection(c);
			w->failed_at = i;
			break;
		}
		mg_unlock_connection(c);
		if (w->pause_us > 0)
			usleep((useconds_t)w->pause_us);
	}
	free(msg);
	return NULL;
}

START_TEST(writes_from_another_thread_arrive_in_order)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	struct writer w = {1000, 0, 0, 0};
	pthread_t tid;

	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	expect_echo(fd, 0x81, "x", 1);
	pthread_create(&tid, NULL, write_many, &w);
	for (int i = 0; i < 1000; i++) {
		struct wt_frame f;
		char want[32];

		ck_assert_int_eq(wt_read(fd, &f, 10000), 0);
		snprintf(want, sizeof want, "m%d", i);
		ck_assert_str_eq((char *)f.payload, want);
		wt_free(&f);
	}
	pthread_join(tid, NULL);
	ck_assert_int_eq(w.failed_at, -1);
	close(fd);
	mg_stop(ctx);
}
END_TEST

/* w writes to the last WebSocket made ready, whose peer does not read:
 * the server refuses a write at last, and closes that socket. */
static void refused_then_closed(struct writer *w)
{
	pthread_t tid;
	int one = 1;

	pthread_create(&tid, NULL, write_many, w);
	pthread_join(tid, NULL);
	ck_assert_int_gt(w->failed_at, 0);
	ck_assert_int_lt(w->failed_at, w->n);
	tl_wait_until(closes_reach, &one, 10000,
	              "the close of the socket that does not read");
}

START_TEST(a_peer_that_does_not_read_is_closed_not_waited_for)
{
	const char *opts[] = {"websocket_max_queued", "1048576", NULL};
	int port, fd, other, want = 1;
	struct mg_context *ctx = start(opts, &port);
	struct writer w = {100000, 65536, 0, 0};

	other = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_ge(other, 0);
	/* the writer writes to the last WebSocket made ready: other's ready
	 * may run after its 101 has gone, so wait for it before fd opens */
	tl_wait_until(readies_reach, &want, 10000, "other's ready");
	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	want = 2;
	tl_wait_until(readies_reach, &want, 10000, "fd's ready");
	expect_echo(fd, 0x81, "x", 1);
	refused_then_closed(&w); /* fd never reads again */
	expect_echo(other, 0x81, "alive", 5);
	close(fd);
	close(other);
	mg_stop(ctx);
}
END_TEST

/* Written slowly enough for the server to keep up, the socket fills
 * before the queue: the queue then overflows while no writability will
 * ever come, and the socket must still be closed. */
START_TEST(a_full_socket_of_a_peer_that_does_not_read_is_closed)
{
	const char *opts[] = {"websocket_max_queued", "1048576", NULL};
	int port, fd, one = 1;
	struct mg_context *ctx = start(opts, &port);
	struct writer w = {100000, 65536, 0, 1000};

	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	tl_wait_until(readies_reach, &one, 10000, "the ready");
	expect_echo(fd, 0x81, "x", 1);
	refused_then_closed(&w); /* fd never reads again */
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(idle_websockets_hold_no_thread)
{
	const char *opts[] = {"num_threads", "2", NULL};
	enum { N = 200 };
	int port, fds[N];
	struct mg_context *ctx = start(opts, &port);

	for (int i = 0; i < N; i++) {
		fds[i] = wt_open(port, "/echo", NULL, NULL, NULL, 0);
		ck_assert_msg(fds[i] >= 0, "socket %d was not opened", i);
	}
	for (int i = N - 1; i >= 0; i--)
		expect_echo(fds[i], 0x81, "idle", 4);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	mg_stop(ctx);
}
END_TEST

START_TEST(keep_alive_pings_when_asked)
{
	const char *opts[] = {"websocket_timeout_ms", "200",
	                      "enable_websocket_ping_pong", "yes", NULL};
	int port, fd;
	struct mg_context *ctx = start(opts, &port);
	struct wt_frame f;

	fd = wt_open(port, "/echo", NULL, NULL, NULL, 0);
	ck_assert_int_eq(wt_read(fd, &f, 5000), 0);
	ck_assert_int_eq(f.bits, 0x89);
	wt_free(&f);
	/* unanswered: a few more, then closed with 1001 */
	ck_assert_int_eq(wt_read_close(fd, 5000), 1001);
	close(fd);
	mg_stop(ctx);
}
END_TEST

/* ---- civetd's own client ----------------------------------------------- */

struct got {
	pthread_mutex_t lock;
	char text[128];
	int frames, closed;
};

static int client_data(struct mg_connection *c, int bits, char *data,
                       size_t len, void *user)
{
	struct got *g = user;

	(void)c;
	pthread_mutex_lock(&g->lock);
	if ((bits & 0x0f) == 1 && len < sizeof g->text) {
		memcpy(g->text, data, len);
		g->text[len] = '\0';
		g->frames++;
	}
	pthread_mutex_unlock(&g->lock);
	return 1;
}

static void client_close(const struct mg_connection *c, void *user)
{
	struct got *g = user;

	(void)c;
	pthread_mutex_lock(&g->lock);
	g->closed++;
	pthread_mutex_unlock(&g->lock);
}

static int got_frames(void *arg)
{
	struct got *g = arg;
	int n;

	pthread_mutex_lock(&g->lock);
	n = g->frames;
	pthread_mutex_unlock(&g->lock);
	return n >= 2;
}

START_TEST(civetds_own_client_echoes_through_the_server)
{
	int port, want = 1;
	struct mg_context *ctx = start(NULL, &port);
	struct got g = {PTHREAD_MUTEX_INITIALIZER, "", 0, 0};
	char ebuf[256] = "";
	struct mg_connection *c = mg_connect_websocket_client_extensions(
	    "127.0.0.1", port, 0, ebuf, sizeof ebuf, "/echo", NULL,
	    "permessage-deflate", client_data, client_close, &g);

	ck_assert_msg(c != NULL, "%s", ebuf);
	ck_assert_int_eq(mg_websocket_client_write(c, 1, "one", 3), 3);
	ck_assert_int_eq(mg_websocket_client_write(c, 1, "two", 3), 3);
	tl_wait_until(got_frames, &g, 10000, "two echoes");
	pthread_mutex_lock(&g.lock);
	ck_assert_str_eq(g.text, "two");
	pthread_mutex_unlock(&g.lock);
	mg_close_connection(c);
	ck_assert_int_eq(g.closed, 1);
	tl_wait_until(closes_reach, &want, 5000, "the server's close handler");
	mg_stop(ctx);
}
END_TEST

/* ---- an independent client ---------------------------------------------- */

START_TEST(python_websockets_client_echoes)
{
	int port;
	struct mg_context *ctx = start(NULL, &port);
	char url[64], out[4096];
	const char *script = getenv("WS_PY_CLIENT");
	const char *argv[] = {"/usr/bin/python3", script, url, NULL};

	ck_assert_msg(script != NULL, "WS_PY_CLIENT is not set (make check)");
	ck_assert_msg(
	    access("/usr/bin/python3", X_OK) == 0,
	    "/usr/bin/python3 is needed (Debian: python3-websockets)");
	snprintf(url, sizeof url, "ws://127.0.0.1:%d/echo", port);
	ck_assert_msg(tl_run(argv, out, sizeof out) == 0, "%s", out);
	mg_stop(ctx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_ws");
	TCase *tc = tcase_create("ws");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, handshake_and_echo_of_every_length);
	tcase_add_test(tc, bad_handshakes_are_refused);
	tcase_add_test(tc, subprotocol_is_the_clients_first_supported);
	tcase_add_test(
	    tc, fragments_reach_the_handler_per_frame_with_a_ping_between);
	tcase_add_test(tc, a_message_split_at_every_byte_and_pipelined);
	tcase_add_test(tc, bad_frames_fail_the_connection_with_their_code);
	tcase_add_test(tc, close_handshakes_and_the_close_handler);
	tcase_add_test(tc, mg_stop_says_going_away);
	tcase_add_test(tc, deprecated_callbacks_as_the_seed_describes);
	tcase_add_test(tc, writes_from_another_thread_arrive_in_order);
	tcase_add_test(tc, a_peer_that_does_not_read_is_closed_not_waited_for);
	tcase_add_test(tc,
	               a_full_socket_of_a_peer_that_does_not_read_is_closed);
	tcase_add_test(tc, idle_websockets_hold_no_thread);
	tcase_add_test(tc, keep_alive_pings_when_asked);
	tcase_add_test(tc, civetds_own_client_echoes_through_the_server);
	tcase_add_test(tc, python_websockets_client_echoes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? 0 : 1;
}
