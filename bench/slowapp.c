/* slowapp.c - the civetd prefork server of bench/slow.sh: the static files
 * of document_root, /hello, and /body, a handler that reads the whole
 * request body with mg_read() before it answers 200 (what a form or API
 * handler does), so a client that sends its body slowly holds the request.
 *
 * usage: slowapp CONFIG_FILE [OPTION VALUE]...
 *   CONFIG_FILE is civetd's format (read through civetd_run's config_file),
 *   the pairs override it. */
#include <stdio.h>
#include <string.h>

#include "civetd.h"
#include "civetweb.h"

static int body(struct mg_connection *conn, void *cbdata)
{
	char buf[8192];
	long long total = 0;
	int n;

	(void)cbdata;
	while ((n = mg_read(conn, buf, sizeof buf)) > 0)
		total += n;
	if (n < 0)
		return 0; /* the client went away or timed out */
	mg_printf(conn,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "Content-Length: %d\r\n\r\n%s",
	          (int)strlen("read\n"), "read\n");
	return 200;
}

static int hello(struct mg_connection *conn, void *cbdata)
{
	static const char text[] = "Hello, world!\n";

	(void)cbdata;
	mg_printf(conn,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "Content-Length: %d\r\n\r\n%s",
	          (int)strlen(text), text);
	return 200;
}

/* Runs once in each worker process. */
static void init_context(const struct mg_context *ctx)
{
	mg_set_request_handler((struct mg_context *)ctx, "/body", body, NULL);
	mg_set_request_handler((struct mg_context *)ctx, "/hello", hello, NULL);
}

int main(int argc, char **argv)
{
	const char *opts[64] = {"config_file",
	                        argc > 1 ? argv[1] : "civetd.conf"};
	char text[512] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, NULL, opts};
	int n = 2;

	for (int i = 2; i + 1 < argc && n < 62; i += 2) {
		opts[n++] = argv[i];
		opts[n++] = argv[i + 1];
	}
	opts[n] = NULL;
	memset(&cb, 0, sizeof cb);
	cb.init_context = init_context;
	if (civetd_run(&init, &err) != 0) {
		fprintf(stderr, "slowapp: %s\n", text);
		return 1;
	}
	return 0;
}
