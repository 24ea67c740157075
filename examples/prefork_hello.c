/* prefork_hello.c - a CivetWeb program made multi-process with one call.
 *
 * The handler code is exactly what a CivetWeb program has; the only
 * change is that handlers are registered in init_context (which runs in
 * every worker process) and that main() calls civetd_run() instead of
 * mg_start() + a wait loop. The arguments follow the shared benchmark's
 * hello.c, so bench/ can run it beside CivetWeb and nginx:
 *   prefork_hello PORT THREADS DOCROOT [OPTION VALUE]...
 * e.g. prefork_hello 8080 8 ./site num_workers 2 admin_socket /tmp/a/s */
#include <stdio.h>
#include <string.h>

#include "civetd.h"
#include "civetweb.h"

static int hello(struct mg_connection *conn, void *cbdata)
{
	static const char body[] = "Hello, world!\n";

	(void)cbdata;
	mg_printf(conn,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "Content-Length: %d\r\n\r\n%s",
	          (int)strlen(body), body);
	return 200;
}

/* Runs once in each worker process, before its first request. */
static void init_context(const struct mg_context *ctx)
{
	mg_set_request_handler((struct mg_context *)ctx, "/hello", hello, NULL);
}

int main(int argc, char **argv)
{
	const char *opts[64] = {
	    "listening_ports",   argc > 1 ? argv[1] : "8080",
	    "num_threads",       argc > 2 ? argv[2] : "16",
	    "document_root",     argc > 3 ? argv[3] : ".",
	    "enable_keep_alive", "yes"};
	char text[512] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, NULL, opts};
	int n = 8;

	for (int i = 4; i + 1 < argc && n < 62; i += 2) {
		opts[n++] = argv[i];
		opts[n++] = argv[i + 1];
	}
	opts[n] = NULL;
	memset(&cb, 0, sizeof cb);
	cb.init_context = init_context;
	if (civetd_run(&init, &err) != 0) {
		fprintf(stderr, "prefork_hello: %s\n", text);
		return 1;
	}
	return 0;
}
