/* hello.c - a plain CivetWeb program: nothing civetd-specific, so it
 * builds unchanged against CivetWeb or against civetd:
 *   cc hello.c $(pkg-config --cflags --libs civetd)
 * usage: hello [PORT] [DOCROOT]   (Ctrl-C stops it) */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int hello(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	char body[256];
	int n = snprintf(body, sizeof body, "Hello from %s, you asked for %s\n",
	                 mg_version(), ri->local_uri);

	(void)cbdata;
	mg_send_http_ok(conn, "text/plain", n);
	mg_write(conn, body, (size_t)n);
	return 200;
}

int main(int argc, char **argv)
{
	const char *options[] = {"listening_ports",
	                         argc > 1 ? argv[1] : "8080",
	                         "document_root",
	                         argc > 2 ? argv[2] : ".",
	                         "enable_keep_alive",
	                         "yes",
	                         NULL};
	struct mg_context *ctx;

	mg_init_library(0);
	ctx = mg_start(NULL, NULL, options);
	if (ctx == NULL) {
		fprintf(stderr, "hello: cannot start the server\n");
		return 1;
	}
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		pause();
	mg_stop(ctx);
	mg_exit_library();
	return 0;
}
