/* check_ws_client.c - the WebSocket client (mg_connect_websocket_client*,
 * mg_websocket_client_write, mg_close_connection) against an independent
 * server: t/ws_echo_server.py, on Python's websockets package, in the
 * mode each test needs (echo with permessage-deflate offered, a close
 * with a code, a PING, a fragmented message, and misbehaviours the client
 * must refuse), over TCP and TLS. It prints the close code it got from
 * the client for every connection, which the tests read back. Without
 * python3 and websockets the suite fails, saying so. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"
#include "tlstest.h"

/* ---- the Python server ------------------------------------------------------
 */

struct pyserv {
	pid_t pid;
	int out; /* its stdout */
	int in;  /* its stdin: closing it ends the server */
	int port;
};

/* Read one line of the server's output within ms: 0, or -1. */
static int py_line(struct pyserv *s, char *line, size_t cap, int ms)
{
	size_t n = 0;
	long long end = tl_now_ms() + ms;

	while (n + 1 < cap) {
		struct pollfd p = {s->out, POLLIN, 0};
		long long left = end - tl_now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		if (read(s->out, line + n, 1) != 1)
			break;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
	line[n] = '\0';
	return -1;
}

static int py_try(struct pyserv *s, const char *python, const char *mode,
                  const char *pem, char *line, size_t cap)
{
	const char *script = getenv("WS_ECHO_SERVER");
	int o[2], i[2];

#ifdef WS_ECHO_DEFAULT
	if (script == NULL)
		script = WS_ECHO_DEFAULT; /* run outside make check */
#endif
	ck_assert_msg(script != NULL, "WS_ECHO_SERVER is not set (make check "
	                              "sets it to t/ws_echo_server.py)");
	ck_assert_int_eq(pipe(o), 0);
	ck_assert_int_eq(pipe(i), 0);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		setpgid(0, 0);
		dup2(o[1], 1);
		dup2(i[0], 0);
		close(o[0]), close(o[1]), close(i[0]), close(i[1]);
		if (pem != NULL)
			execlp(python, python, script, mode, "--tls", pem,
			       (char *)NULL);
		else
			execlp(python, python, script, mode, (char *)NULL);
		_exit(127);
	}
	setpgid(s->pid, s->pid);
	tl_track_group(s->pid);
	close(o[1]), close(i[0]);
	s->out = o[0];
	s->in = i[1];
	if (py_line(s, line, cap, 20000) == 0 &&
	    sscanf(line, "PORT %d", &s->port) == 1)
		return 0;
	close(s->in), close(s->out);
	waitpid(s->pid, NULL, 0);
	tl_untrack_group(s->pid);
	return -1;
}

/* Start the server in mode (TLS with pem if not NULL), with $PYTHON, or
 * the system's python3, or the first on PATH: whichever has websockets. */
static void py_start(struct pyserv *s, const char *mode, const char *pem)
{
	const char *cands[] = {getenv("PYTHON"), "/usr/bin/python3", "python3"};
	char line[256] = "";

	for (size_t k = 0; k < sizeof cands / sizeof cands[0]; k++)
		if (cands[k] != NULL &&
		    py_try(s, cands[k], mode, pem, line, sizeof line) == 0)
			return;
	ck_abort_msg("cannot start t/ws_echo_server.py: python3 with the "
	             "websockets package is needed (Debian: python3-websockets)"
	             " [%s]",
	             line);
}

/* The close code the server reports for the next connection that ends. */
static int py_closed(struct pyserv *s)
{
	char line[256];
	int code = -1;

	if (py_line(s, line, sizeof line, 15000) != 0 ||
	    sscanf(line, "closed %d", &code) != 1)
		return -1;
	return code;
}

static void py_stop(struct pyserv *s)
{
	close(s->in);
	kill(-s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	tl_untrack_group(s->pid);
	close(s->out);
}

/* ---- what the callbacks saw ---------------------------------------------- */

#define MAX_FRAMES 1024

struct seen {
	pthread_mutex_t m;
	int frames;
	int bits[MAX_FRAMES];
	size_t lens[MAX_FRAMES];
	char *last; /* a copy of the last frame's payload */
	size_t last_len;
	int nul_ok; /* every payload was NUL-terminated */
	int closes; /* close_func calls */
	int ret;    /* what data_func returns */
	int intact; /* two-writer messages that arrived whole, in order */
	int broken;
	int next[2];  /* the next sequence number per writer */
	int ud_wrong; /* calls where mg_get_user_data(mg_get_context(c)) was
	               * not the user_data given to the connect call */
};

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->m, NULL);
	s->ret = 1;
	s->nul_ok = 1;
}

static void seen_free(struct seen *s)
{
	free(s->last);
	pthread_mutex_destroy(&s->m);
}

/* A two-writer message: "A0042" or "B0042" then the letter repeated. */
static void check_writer_message(struct seen *s, const char *d, size_t n)
{
	int w = n > 5 ? d[0] - 'A' : -1, seq = -1;

	if (w == 0 || w == 1)
		seq = atoi(d + 1);
	for (size_t i = 5; w >= 0 && i < n; i++)
		if (d[i] != d[0])
			w = -1;
	if ((w == 0 || w == 1) && seq == s->next[w]) {
		s->next[w]++;
		s->intact++;
	} else {
		s->broken++;
	}
}

static int on_data(struct mg_connection *c, int bits, char *data, size_t len,
                   void *arg)
{
	struct seen *s = arg;
	int r;

	pthread_mutex_lock(&s->m);
	if (mg_get_user_data(mg_get_context(c)) != arg)
		s->ud_wrong++;
	if (s->frames < MAX_FRAMES) {
		s->bits[s->frames] = bits;
		s->lens[s->frames] = len;
	}
	s->frames++;
	if (data[len] != '\0')
		s->nul_ok = 0;
	free(s->last);
	s->last = malloc(len + 1);
	memcpy(s->last, data, len);
	s->last_len = len;
	if (len > 5 && (data[0] == 'A' || data[0] == 'B') && data[1] == '0')
		check_writer_message(s, data, len);
	r = s->ret;
	pthread_mutex_unlock(&s->m);
	return r;
}

static void on_close(const struct mg_connection *c, void *arg)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->m);
	if (mg_get_user_data(mg_get_context(c)) != arg)
		s->ud_wrong++;
	s->closes++;
	pthread_mutex_unlock(&s->m);
}

struct wait_for {
	struct seen *s;
	int frames;
	int closes;
};

static int reached(void *arg)
{
	struct wait_for *w = arg;
	int ok;

	pthread_mutex_lock(&w->s->m);
	ok = w->s->frames >= w->frames && w->s->closes >= w->closes;
	pthread_mutex_unlock(&w->s->m);
	return ok;
}

static void wait_frames(struct seen *s, int frames)
{
	struct wait_for w = {s, frames, 0};

	tl_wait_until(reached, &w, 20000, "%d frames", frames);
}

static void wait_closed(struct seen *s)
{
	struct wait_for w = {s, 0, 1};

	tl_wait_until(reached, &w, 20000, "close_func");
}

static struct mg_connection *ws_open(struct pyserv *py, struct seen *s,
                                     const char *ext)
{
	char ebuf[256] = "x";
	struct mg_connection *c = mg_connect_websocket_client_extensions(
	    "127.0.0.1", py->port, 0, ebuf, sizeof ebuf, "/echo", NULL, ext,
	    on_data, on_close, s);

	ck_assert_msg(c != NULL, "connect failed: %s", ebuf);
	ck_assert_str_eq(ebuf, "");
	return c;
}

/* A payload of n bytes: printable text, or every byte value. */
static char *pattern(size_t n, int binary)
{
	char *p = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		p[i] = binary ? (char)((i * 7 + i / 251) & 0xff)
		              : (char)('a' + (i * 13 + i / 97) % 26);
	return p;
}

/* Send and get back one message of n bytes: frame bits and bytes equal. */
static void echo_one(struct mg_connection *c, struct seen *s, size_t n,
                     int binary, int want_bits)
{
	char *p = pattern(n, binary);
	int before = s->frames;

	ck_assert_int_eq(
	    mg_websocket_client_write(c,
	                              binary ? MG_WEBSOCKET_OPCODE_BINARY
	                                     : MG_WEBSOCKET_OPCODE_TEXT,
	                              p, n),
	    (int)n);
	wait_frames(s, before + 1);
	pthread_mutex_lock(&s->m);
	ck_assert_int_eq(s->bits[before], want_bits);
	ck_assert_uint_eq(s->last_len, n);
	ck_assert_msg(memcmp(s->last, p, n) == 0, "echo of %zu bytes differs",
	              n);
	pthread_mutex_unlock(&s->m);
	free(p);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(text_and_binary_echo_small_70k_1m)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;
	size_t sizes[] = {5, 70 * 1024, 1 << 20};

	seen_init(&s);
	py_start(&py, "echo", NULL);
	c = ws_open(&py, &s, NULL);
	for (size_t i = 0; i < 3; i++) {
		echo_one(c, &s, sizes[i], 0, 0x81);
		echo_one(c, &s, sizes[i], 1, 0x82);
	}
	ck_assert(s.nul_ok);
	ck_assert_int_eq(s.closes, 0);
	/* the client closes first: 1000, close_func once, by the return */
	mg_close_connection(c);
	ck_assert_int_eq(s.closes, 1);
	ck_assert_int_eq(py_closed(&py), 1000);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

/* As in CivetWeb, the connection's context carries the user_data given
 * to the connect call: data_func and close_func (CivetWeb's examples and
 * test suite) find it with mg_get_user_data(mg_get_context(conn)). Two
 * connections at once each see their own. */
START_TEST(handlers_find_user_data_through_the_context)
{
	struct pyserv py;
	struct seen s1, s2;
	struct mg_connection *c1, *c2;

	seen_init(&s1);
	seen_init(&s2);
	py_start(&py, "echo", NULL);
	c1 = ws_open(&py, &s1, NULL);
	c2 = ws_open(&py, &s2, NULL);
	ck_assert_ptr_eq(mg_get_user_data(mg_get_context(c1)), &s1);
	ck_assert_ptr_eq(mg_get_user_data(mg_get_context(c2)), &s2);
	echo_one(c1, &s1, 5, 0, 0x81);
	echo_one(c2, &s2, 5, 0, 0x81);
	mg_close_connection(c1);
	mg_close_connection(c2);
	ck_assert_int_eq(s1.closes, 1);
	ck_assert_int_eq(s2.closes, 1);
	ck_assert_int_eq(s1.ud_wrong, 0);
	ck_assert_int_eq(s2.ud_wrong, 0);
	py_stop(&py);
	seen_free(&s1);
	seen_free(&s2);
}
END_TEST

START_TEST(empty_message_returns_header_length)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "echo", NULL);
	c = ws_open(&py, &s, NULL);
	/* CivetWeb returns the header's length for an empty payload: 2 + 4
	 * bytes of mask */
	ck_assert_int_eq(
	    mg_websocket_client_write(c, MG_WEBSOCKET_OPCODE_TEXT, "", 0), 6);
	wait_frames(&s, 1);
	ck_assert_int_eq(s.bits[0], 0x81);
	ck_assert_uint_eq(s.lens[0], 0);
	mg_close_connection(c);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

START_TEST(server_close_reaches_data_func_and_close_func_once)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "close", NULL);
	c = ws_open(&py, &s, NULL);
	ck_assert_int_eq(
	    mg_websocket_client_write(c, MG_WEBSOCKET_OPCODE_TEXT, "hi", 2), 2);
	wait_closed(&s);
	/* the close frame itself reached data_func: code 4000, "bye" */
	ck_assert_int_eq(s.frames, 1);
	ck_assert_int_eq(s.bits[0], 0x88);
	ck_assert_uint_eq(s.last_len, 5);
	ck_assert(memcmp(s.last,
	                 "\x0f\xa0"
	                 "bye",
	                 5) == 0);
	/* the client answered with the same code */
	ck_assert_int_eq(py_closed(&py), 4000);
	/* closing after the server closed is safe and calls nothing again */
	mg_close_connection(c);
	ck_assert_int_eq(s.closes, 1);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

START_TEST(data_func_returning_zero_closes_with_1000)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	s.ret = 0;
	py_start(&py, "echo", NULL);
	c = ws_open(&py, &s, NULL);
	ck_assert_int_eq(
	    mg_websocket_client_write(c, MG_WEBSOCKET_OPCODE_TEXT, "one", 3),
	    3);
	wait_closed(&s);
	ck_assert_int_eq(s.frames, 1);
	ck_assert_int_eq(py_closed(&py), 1000);
	mg_close_connection(c);
	ck_assert_int_eq(s.closes, 1);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

START_TEST(ping_is_answered_and_passed_on)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "ping", NULL);
	c = ws_open(&py, &s, NULL);
	/* the server sends "pong ok" only after our PONG came */
	wait_frames(&s, 2);
	ck_assert_int_eq(s.bits[0], 0x89);
	ck_assert_uint_eq(s.lens[0], 2);
	ck_assert_int_eq(s.bits[1], 0x81);
	ck_assert_uint_eq(s.last_len, 7);
	ck_assert(memcmp(s.last, "pong ok", 7) == 0);
	mg_close_connection(c);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

START_TEST(fragments_reach_data_func_frame_by_frame)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "frag", NULL);
	c = ws_open(&py, &s, NULL);
	wait_frames(&s, 2);
	/* as CivetWeb: the first byte of each frame, no FIN on the first */
	ck_assert_int_eq(s.bits[0], 0x01);
	ck_assert_int_eq(s.bits[1], 0x80);
	ck_assert(memcmp(s.last, "def", 3) == 0);
	mg_close_connection(c);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

static void refused(const char *mode, int code)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, mode, NULL);
	c = ws_open(&py, &s, NULL);
	wait_closed(&s);
	ck_assert_int_eq(s.frames, 0);
	ck_assert_int_eq(py_closed(&py), code);
	mg_close_connection(c);
	ck_assert_int_eq(s.closes, 1);
	py_stop(&py);
	seen_free(&s);
}

START_TEST(masked_server_frame_fails_with_1002)
{
	refused("masked", 1002);
}
END_TEST

START_TEST(invalid_utf8_text_fails_with_1007)
{
	refused("badutf8", 1007);
}
END_TEST

START_TEST(permessage_deflate_both_ways)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "echo", NULL);
	c = ws_open(&py, &s, "permessage-deflate; client_max_window_bits");
	/* RSV1 in the bits: the server compressed; the bytes are inflated */
	echo_one(c, &s, 70 * 1024, 0, 0xc1);
	echo_one(c, &s, 1 << 20, 1, 0xc2);
	echo_one(c, &s, 5, 0, 0xc1);
	mg_close_connection(c);
	ck_assert_int_eq(py_closed(&py), 1000);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

struct writer {
	struct mg_connection *c;
	char letter;
	int count;
	int failed;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	char msg[1500];

	for (int i = 0; i < w->count; i++) {
		size_t n = 600 + (size_t)(i % 7) * 120;

		memset(msg, w->letter, n);
		snprintf(msg, sizeof msg, "%c%04d", w->letter, i);
		msg[5] = w->letter;
		if (mg_websocket_client_write(w->c, MG_WEBSOCKET_OPCODE_TEXT,
		                              msg, n) != (int)n)
			w->failed++;
	}
	return NULL;
}

static void two_writers(struct mg_connection *c, struct seen *s)
{
	struct writer a = {c, 'A', 300, 0}, b = {c, 'B', 300, 0};
	pthread_t ta, tb;

	pthread_create(&ta, NULL, write_many, &a);
	pthread_create(&tb, NULL, write_many, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ck_assert_int_eq(a.failed + b.failed, 0);
	wait_frames(s, 600);
	ck_assert_int_eq(s->broken, 0);
	ck_assert_int_eq(s->intact, 600);
}

START_TEST(writes_from_two_threads_arrive_intact)
{
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "echo", NULL);
	c = ws_open(&py, &s, NULL);
	two_writers(c, &s);
	mg_close_connection(c);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

START_TEST(non_websocket_server_gives_null_and_reason)
{
	int port;
	struct mg_context *ctx = tl_start(NULL, NULL, NULL, &port);
	char ebuf[256] = "";
	struct seen s;
	struct mg_connection *c;

	seen_init(&s);
	c = mg_connect_websocket_client("127.0.0.1", port, 0, ebuf, sizeof ebuf,
	                                "/", NULL, on_data, on_close, &s);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(ebuf, "Unexpected server reply") != NULL,
	              "ebuf: %s", ebuf);
	ck_assert_int_eq(s.closes, 0);
	mg_stop(ctx);
	seen_free(&s);
}
END_TEST

START_TEST(unreachable_port_gives_null_and_reason)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char ebuf[256] = "";

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd); /* nobody listens there now */
	ck_assert_ptr_null(mg_connect_websocket_client(
	    "127.0.0.1", ntohs(a.sin_port), 0, ebuf, sizeof ebuf, "/", NULL,
	    on_data, on_close, NULL));
	ck_assert_msg(ebuf[0] != '\0', "no reason given");
}
END_TEST

START_TEST(wss_echo_with_verified_certificate)
{
	char *dir = tl_mkdtemp();
	struct pyserv py;
	struct seen s;
	struct mg_connection *c;
	struct mg_client_options o;
	char ebuf[256] = "x";

	tt_make_certs(dir);
	seen_init(&s);
	py_start(&py, "echo", tt_path(dir, "server.pem"));
	memset(&o, 0, sizeof o);
	o.host = "127.0.0.1";
	o.port = py.port;
	o.host_name = "localhost";
	o.server_cert = strdup(tt_path(dir, "ca.pem"));
	c = mg_connect_websocket_client_secure(&o, ebuf, sizeof ebuf, "/", NULL,
	                                       on_data, on_close, &s);
	ck_assert_msg(c != NULL, "wss connect failed: %s", ebuf);
	echo_one(c, &s, 70 * 1024, 0, 0x81);
	echo_one(c, &s, 1 << 20, 1, 0x82);
	two_writers(c, &s);
	mg_close_connection(c);
	ck_assert_int_eq(s.closes, 1);
	ck_assert_int_eq(py_closed(&py), 1000);
	py_stop(&py);
	free((char *)o.server_cert);
	seen_free(&s);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* data_func closes its own connection: mg_close_connection returns at
 * once, close_func still comes once, and the reader frees everything. */
static int close_from_data(struct mg_connection *c, int bits, char *data,
                           size_t len, void *arg)
{
	on_data(c, bits, data, len, arg);
	mg_close_connection(c);
	return 1;
}

START_TEST(close_from_inside_data_func_is_safe)
{
	struct pyserv py;
	struct seen s;
	char ebuf[256] = "";
	struct mg_connection *c;

	seen_init(&s);
	py_start(&py, "echo", NULL);
	c = mg_connect_websocket_client("127.0.0.1", py.port, 0, ebuf,
	                                sizeof ebuf, "/", NULL, close_from_data,
	                                on_close, &s);
	ck_assert_msg(c != NULL, "connect failed: %s", ebuf);
	ck_assert_int_eq(
	    mg_websocket_client_write(c, MG_WEBSOCKET_OPCODE_TEXT, "x", 1), 1);
	wait_closed(&s);
	ck_assert_int_eq(py_closed(&py), 1000);
	ck_assert_int_eq(s.frames, 1);
	ck_assert_int_eq(s.closes, 1);
	py_stop(&py);
	seen_free(&s);
}
END_TEST

START_TEST(write_on_a_plain_client_connection_fails)
{
	struct pyserv py;
	char ebuf[256] = "";
	struct mg_connection *c;

	py_start(&py, "echo", NULL);
	c = mg_connect_client("127.0.0.1", py.port, 0, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "connect failed: %s", ebuf);
	ck_assert_int_eq(
	    mg_websocket_client_write(c, MG_WEBSOCKET_OPCODE_TEXT, "x", 1), -1);
	ck_assert_int_eq(
	    mg_websocket_client_write(NULL, MG_WEBSOCKET_OPCODE_TEXT, "x", 1),
	    -1);
	mg_close_connection(c);
	py_stop(&py);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ws_client");
	TCase *t = tcase_create("ws_client");

	tl_cleanup_fixture(t);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, text_and_binary_echo_small_70k_1m);
	tcase_add_test(t, empty_message_returns_header_length);
	tcase_add_test(t, handlers_find_user_data_through_the_context);
	tcase_add_test(t, server_close_reaches_data_func_and_close_func_once);
	tcase_add_test(t, data_func_returning_zero_closes_with_1000);
	tcase_add_test(t, ping_is_answered_and_passed_on);
	tcase_add_test(t, fragments_reach_data_func_frame_by_frame);
	tcase_add_test(t, masked_server_frame_fails_with_1002);
	tcase_add_test(t, invalid_utf8_text_fails_with_1007);
	tcase_add_test(t, permessage_deflate_both_ways);
	tcase_add_test(t, writes_from_two_threads_arrive_intact);
	tcase_add_test(t, non_websocket_server_gives_null_and_reason);
	tcase_add_test(t, unreachable_port_gives_null_and_reason);
	tcase_add_test(t, wss_echo_with_verified_certificate);
	tcase_add_test(t, close_from_inside_data_func_is_safe);
	tcase_add_test(t, write_on_a_plain_client_connection_fails);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
