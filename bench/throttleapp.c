/* throttleapp.c - the server of bench/throttle.sh: a document root with
 * `throttle` rules, and a handler whose output is throttled the same way.
 *   throttleapp PORT DOCROOT THROTTLE
 *   GET /stream?n=BYTES  BYTES bytes in 16 KiB mg_write calls
 *   GET /hello           a few bytes (the hot path) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int stream(struct mg_connection *c, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	static char block[16384];
	char n[32] = "0";
	long long left;

	(void)cbdata;
	if (ri->query_string != NULL)
		mg_get_var(ri->query_string, strlen(ri->query_string), "n", n,
		           sizeof n);
	left = atoll(n);
	memset(block, 'z', sizeof block);
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream"
	          "\r\nContent-Length: %lld\r\n\r\n",
	          left);
	while (left > 0) {
		size_t k = left > (long long)sizeof block ? sizeof block
		                                          : (size_t)left;

		if (mg_write(c, block, k) != (int)k)
			return 500;
		left -= (long long)k;
	}
	return 200;
}

static int hello(struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	mg_send_http_ok(c, "text/plain", 6);
	mg_write(c, "hello\n", 6);
	return 200;
}

int main(int argc, char **argv)
{
	const char *options[] = {"listening_ports",
	                         argc > 1 ? argv[1] : "8080",
	                         "document_root",
	                         argc > 2 ? argv[2] : ".",
	                         "throttle",
	                         argc > 3 ? argv[3] : "",
	                         "enable_keep_alive",
	                         "yes",
	                         "num_threads",
	                         "8",
	                         NULL};
	struct mg_context *ctx = mg_start(NULL, NULL, options);

	if (ctx == NULL) {
		fprintf(stderr, "throttleapp: cannot start the server\n");
		return 1;
	}
	mg_set_request_handler(ctx, "/stream", stream, NULL);
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		pause();
	mg_stop(ctx);
	return 0;
}
