/* prefork_app.c - a CivetWeb program made multi-process with one call,
 * civetd_run(); the prefork end-to-end tests run it as their server.
 *   /hello       "Hello, world!\n"
 *   /sleep?MS    sleeps MS milliseconds, then sends 64 KiB of a known
 *                pattern (so a reload's effect on it can be checked byte
 *                for byte)
 *   /hold        the same, but waits until the file $APP_RELEASE exists
 *                (at most 60 s) instead of sleeping: a request that stays
 *                in flight exactly as long as a test wants
 *   /pid         the worker's pid
 *   /ws          a WebSocket that echoes text and binary messages
 * Each worker appends "init PID" / "exit PID" lines to $APP_LOG from
 * init_context / exit_context, "ssl_ctx_new PID" / "ssl_ctx_free PID" from
 * external_ssl_ctx and "init_ssl PID" from init_ssl (both return 0, and
 * note "bad_user_data PID" if user_data is not what civetd_run got), and
 * "sleep PID" / "hold PID" when one of
 * those handlers starts (so that a test knows its request is in flight);
 * if the file $APP_FAIL exists when a worker starts, that worker exits
 * with status 3 before serving.
 * usage: prefork_app [-OPTION VALUE ...]   (-config_file FILE for a file) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetd.h"
#include "civetweb.h"

#define SLEEP_BODY (64 * 1024)

/* Filled once in main(), before any thread or worker exists; read-only
 * after that. */
static char pattern[SLEEP_BODY];

static void note(const char *what)
{
	const char *path = getenv("APP_LOG");
	char line[64];
	int fd, n;

	if (path == NULL)
		return;
	n = snprintf(line, sizeof line, "%s %d\n", what, (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			perror("APP_LOG");
		close(fd);
	}
}

static int hello(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	             "Content-Length: 14\r\n\r\nHello, world!\n");
	return 200;
}

static int send_pattern(struct mg_connection *c)
{
	mg_send_http_ok(c, "text/plain", SLEEP_BODY);
	mg_write(c, pattern, SLEEP_BODY);
	return 200;
}

static int sleeper(struct mg_connection *c, void *cb)
{
	const char *q = mg_get_request_info(c)->query_string;

	(void)cb;
	note("sleep");
	usleep((useconds_t)(q ? atoi(q) : 1000) * 1000);
	return send_pattern(c);
}

static int holder(struct mg_connection *c, void *cb)
{
	const char *release = getenv("APP_RELEASE");

	(void)cb;
	note("hold");
	for (int i = 0;
	     i < 6000 && release != NULL && access(release, F_OK) != 0; i++)
		usleep(10000);
	return send_pattern(c);
}

static int pid(struct mg_connection *c, void *cb)
{
	char body[32];
	int n = snprintf(body, sizeof body, "%d\n", (int)getpid());

	(void)cb;
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

static int ws_echo(struct mg_connection *c, int bits, char *data, size_t len,
                   void *cbdata)
{
	int op = bits & 0x0f;

	(void)cbdata;
	if (op == MG_WEBSOCKET_OPCODE_TEXT || op == MG_WEBSOCKET_OPCODE_BINARY)
		return mg_websocket_write(c, op, data, len) >= 0;
	return 1;
}

static void init_context(const struct mg_context *ctx)
{
	struct mg_context *c = (struct mg_context *)ctx;
	const char *fail = getenv("APP_FAIL");

	if (fail != NULL && access(fail, F_OK) == 0)
		_exit(3);
	note("init");
	mg_set_request_handler(c, "/hello", hello, NULL);
	mg_set_request_handler(c, "/sleep", sleeper, NULL);
	mg_set_request_handler(c, "/hold", holder, NULL);
	mg_set_request_handler(c, "/pid", pid, NULL);
	mg_set_websocket_handler(c, "/ws", NULL, NULL, ws_echo, NULL, NULL);
}

static int app_data; /* user_data: its address */

static int init_ssl(void *ssl_ctx, void *user_data)
{
	(void)ssl_ctx;
	note(user_data == &app_data ? "init_ssl" : "bad_user_data");
	return 0;
}

static int external_ssl_ctx(void **ssl_ctx, void *user_data)
{
	if (user_data != &app_data)
		note("bad_user_data");
	note(*ssl_ctx == NULL ? "ssl_ctx_new" : "ssl_ctx_free");
	return 0;
}

static void exit_context(const struct mg_context *ctx)
{
	(void)ctx;
	note("exit");
}

int main(int argc, char **argv)
{
	const char *opts[256];
	char text[1024] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, &app_data, opts};
	int n = 0;

	for (int i = 0; i < SLEEP_BODY; i++)
		pattern[i] = (char)('a' + i % 26);
	memset(&cb, 0, sizeof cb);
	cb.init_context = init_context;
	cb.exit_context = exit_context;
	cb.init_ssl = init_ssl;
	cb.external_ssl_ctx = external_ssl_ctx;
	for (int i = 1; i + 1 < argc && n < 250; i += 2) {
		opts[n++] = argv[i][0] == '-' ? argv[i] + 1 : argv[i];
		opts[n++] = argv[i + 1];
	}
	opts[n] = NULL;
	if (civetd_run(&init, &err) != 0) {
		fprintf(stderr, "prefork_app: %s\n", text);
		return 1;
	}
	return 0;
}
