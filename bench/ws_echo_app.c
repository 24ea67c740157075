/* ws_echo_app.c - the WebSocket benchmarks' server (bench/websocket.sh,
 * bench/ws_idle.sh): one plain CivetWeb program, built unchanged against
 * civetd and against CivetWeb itself. A WebSocket handler on /echo sends
 * every text or binary message back with mg_websocket_write(), with the
 * opcode it came with; nothing else is served. It runs until SIGINT or
 * SIGTERM. Built with -DPREFORK (civetd only), it is the same program made
 * a prefork server by civetd_run() (WORKERS workers, the handler
 * registered in init_context).
 * usage: ws_echo_app PORT [THREADS [WORKERS]]   (default 4 threads,
 *        2 workers); prints "ready VERSION" once it serves. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"
#if defined(PREFORK)
#include "civetd.h"
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Echo text and binary messages; control frames are the library's. */
static int on_data(struct mg_connection *conn, int bits, char *data, size_t len,
                   void *cbdata)
{
	int opcode = bits & 0x0f;

	(void)cbdata;
	if (opcode == MG_WEBSOCKET_OPCODE_TEXT ||
	    opcode == MG_WEBSOCKET_OPCODE_BINARY) {
		if (mg_websocket_write(conn, opcode, data, len) < 0)
			return 0;
	}
	return 1;
}

static void add_handler(struct mg_context *ctx)
{
	mg_set_websocket_handler(ctx, "/echo", NULL, NULL, on_data, NULL, NULL);
	printf("ready %s websocket=%d\n", mg_version(), mg_check_feature(16));
	fflush(stdout);
}

#if defined(PREFORK)
static void init_worker(const struct mg_context *ctx)
{
	add_handler((struct mg_context *)ctx);
}
#endif

int main(int argc, char **argv)
{
	const char *opts[16];
	struct mg_callbacks cb;
	struct mg_context *ctx;
	int n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [THREADS [WORKERS]]\n",
		        argv[0]);
		return 2;
	}
	opts[n++] = "listening_ports";
	opts[n++] = argv[1];
	opts[n++] = "num_threads";
	opts[n++] = argc > 2 ? argv[2] : "4";
	/* an idle WebSocket stays open for the idle benchmark's hold */
	opts[n++] = "websocket_timeout_ms";
	opts[n++] = "3600000";
	/* mg_websocket_write sends header and payload apart: without
	 * TCP_NODELAY, Nagle and delayed ACKs hold each echo ~40 ms */
	opts[n++] = "tcp_nodelay";
	opts[n++] = "1";
#if defined(PREFORK)
	opts[n++] = "num_workers";
	opts[n++] = argc > 3 ? argv[3] : "2";
#endif
	opts[n] = NULL;
	memset(&cb, 0, sizeof cb);
	signal(SIGPIPE, SIG_IGN);
#if defined(PREFORK)
	{
		struct mg_init_data init = {&cb, NULL, opts};
		struct mg_error_data err = {0};
		char text[256] = "";

		err.text = text;
		err.text_buffer_size = sizeof text;
		cb.init_context = init_worker;
		(void)ctx;
		if (civetd_run(&init, &err) != 0) {
			fprintf(stderr, "civetd_run: %s\n", text);
			return 1;
		}
		return 0;
	}
#endif
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ctx = mg_start(&cb, NULL, opts);
	if (ctx == NULL) {
		fprintf(stderr, "mg_start failed\n");
		return 1;
	}
	add_handler(ctx);
	while (!stop)
		pause();
	mg_stop(ctx);
	return 0;
}
