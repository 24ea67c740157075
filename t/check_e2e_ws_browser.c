/* check_e2e_ws_browser.c - a real browser speaks WebSocket to civetd.
 *
 * Headless Chromium (Debian's chromium, driven only by its command-line
 * flags: CI has no network for npm or playwright) loads a page that a
 * handler of the test serves. The page's script opens a WebSocket back to
 * the server, sends four messages one after another (ASCII, non-ASCII
 * text, 100 KiB of text, 64 KiB of binary) and writes each echo into the
 * page. It also POSTs every echo it received, exactly as it received it,
 * to /result, and at the end a summary with the extensions the browser
 * negotiated. The test waits, bounded, for that summary, then compares
 * the reported echoes byte for byte with what it expects, checks that the
 * browser offered and took permessage-deflate, and kills the browser's
 * process group. An <img src="/gate"> that the server holds until the
 * summary came keeps the page's load event back, so that --dump-dom
 * shows the finished page. Chromium's stderr goes to a file shown when a
 * test fails; its profile lives in a temporary directory removed
 * afterwards. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"
#include "tlstest.h"

#define DEFAULT_CHROMIUM "/usr/bin/chromium"
#define N_MSGS           4
#define BIG_TEXT         102400 /* message 2: 100 KiB of text */
#define BIG_BINARY       65536  /* message 3: 64 KiB of bytes */
#define MAX_BODY         (1 << 20)
#define WAIT_MS          30000 /* for the browser to do everything */
#define GATE_MS          20000 /* the longest /gate holds a request */
#define LOG_TAIL         2000  /* bytes of Chromium's stderr shown on failure */
#define MAX_BROWSER_ARGS 32

/* Message 1, as the page writes it (JavaScript escapes) and as UTF-8. */
#define UTF8_JS                                                                \
	"gr\\u00fc\\u00df dich, \\u65e5\\u672c\\u8a9e \\u2603 \\ud83d\\ude00"
#define UTF8_TEXT                                                              \
	"gr\xc3\xbc\xc3\x9f dich, \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "       \
	"\xe2\x98\x83 \xf0\x9f\x98\x80"

/* The page. The big messages are built by the same formulas as
 * expected() below. */
static const char page[] =
    "<!DOCTYPE html>\n"
    "<html><head><meta charset=\"utf-8\"><title>civetd ws</title></head>\n"
    "<body><pre id=\"out\"></pre>\n<script>\n"
    "\"use strict\";\n"
    "var out = document.getElementById(\"out\");\n"
    "function say(s) { out.textContent += s + \"\\n\"; }\n"
    "function report(q, body) {\n"
    "  return fetch(\"/result?\" + q, {method: \"POST\", body: body});\n"
    "}\n"
    "var a = [], i;\n"
    "for (i = 0; i < 102400; i++)\n"
    "  a.push(String.fromCharCode(97 + (i * i + 7 * i) % 26));\n"
    "var bin = new Uint8Array(65536);\n"
    "for (i = 0; i < bin.length; i++) bin[i] = (i * 31 + 7) & 255;\n"
    "var msgs = [\"hello civetd\", \"" UTF8_JS "\", a.join(\"\"), "
    "bin.buffer];\n"
    "var n = 0, matched = 0, finished = false;\n"
    "function same(x, y) {\n"
    "  if (typeof x === \"string\") return x === y;\n"
    "  if (!(y instanceof ArrayBuffer) || x.byteLength !== y.byteLength)\n"
    "    return false;\n"
    "  var p = new Uint8Array(x), q = new Uint8Array(y);\n"
    "  for (var k = 0; k < p.length; k++) if (p[k] !== q[k]) return false;\n"
    "  return true;\n"
    "}\n"
    "function fail(why) {\n"
    "  if (finished) return;\n"
    "  finished = true;\n"
    "  say(\"error: \" + why);\n"
    "  report(\"error=\" + encodeURIComponent(why), \"\");\n"
    "}\n"
    "var ws = new WebSocket((location.protocol === \"https:\" ? \"wss://\" :"
    " \"ws://\") + location.host + \"/ws\");\n"
    "ws.binaryType = \"arraybuffer\";\n"
    "ws.onopen = function () { ws.send(msgs[0]); };\n"
    "ws.onmessage = function (e) {\n"
    "  var k = n++;\n"
    "  if (k >= msgs.length) { fail(\"unexpected message\"); return; }\n"
    "  var ok = same(msgs[k], e.data);\n"
    "  if (ok) matched++;\n"
    "  say(\"echo \" + k + \": \" + (typeof e.data === \"string\" &&\n"
    "      e.data.length <= 100 ? e.data : ok ? \"same as sent\" :"
    " \"differs\"));\n"
    "  report(\"i=\" + k, e.data).then(function () {\n"
    "    if (n < msgs.length) { ws.send(msgs[n]); return; }\n"
    "    finished = true;\n"
    "    say(\"done: \" + matched + \" of \" + msgs.length +\n"
    "        \" echoes match; extensions: \" + ws.extensions);\n"
    "    report(\"done=1\", \"matched=\" + matched + \";extensions=\" +\n"
    "           ws.extensions);\n"
    "  }, function (err) { fail(\"report: \" + err); });\n"
    "};\n"
    "var errored = false;\n"
    "ws.onerror = function () { errored = true; };\n"
    "ws.onclose = function (e) {\n"
    "  fail(\"websocket \" + (errored ? \"error, \" : \"\") +\n"
    "       \"closed with code \" + e.code + \" after \" + n + \" echoes\");\n"
    "};\n"
    "</script>\n"
    "<img src=\"/gate\" alt=\"\">\n"
    "</body></html>\n";

/* What the browser did, as the server saw it. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static struct {
	char offer[256]; /* Sec-WebSocket-Extensions of the upgrade */
	int upgrades;
	char *result[N_MSGS]; /* each echo as the page reported it */
	size_t result_len[N_MSGS];
	char summary[512]; /* the page's last report */
	char error[256];   /* what the page said went wrong */
	int done;
	/* the message being received on the WebSocket, in fragments */
	unsigned char *msg;
	size_t msg_len;
	int msg_opcode;
} run;

/* Expected message k (malloc'ed; *len its bytes), made as the page makes
 * it. */
static char *expected(int k, size_t *len)
{
	char *m;

	switch (k) {
	case 0:
		return *len = 12, strdup("hello civetd");
	case 1:
		return *len = strlen(UTF8_TEXT), strdup(UTF8_TEXT);
	case 2:
		m = malloc(BIG_TEXT);
		ck_assert_ptr_nonnull(m);
		for (unsigned long long i = 0; i < BIG_TEXT; i++)
			m[i] = (char)('a' + (i * i + 7 * i) % 26);
		return *len = BIG_TEXT, m;
	default:
		m = malloc(BIG_BINARY);
		ck_assert_ptr_nonnull(m);
		for (size_t i = 0; i < BIG_BINARY; i++)
			m[i] = (char)((i * 31 + 7) & 255);
		return *len = BIG_BINARY, m;
	}
}

/* ---- the server's side -------------------------------------------------- */

static int page_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\n"
	          "Content-Type: text/html; charset=utf-8\r\n"
	          "Cache-Control: no-store\r\nContent-Length: %zu\r\n\r\n",
	          sizeof page - 1);
	mg_write(c, page, sizeof page - 1);
	return 200;
}

/* The request body, up to MAX_BODY bytes (malloc'ed), or NULL. */
static char *read_body(struct mg_connection *c, size_t *len)
{
	long long want = mg_get_request_info(c)->content_length;
	size_t got = 0;
	char *b;

	if (want < 0 || want > MAX_BODY)
		return NULL;
	b = malloc((size_t)want + 1);
	if (b == NULL)
		return NULL;
	while (got < (size_t)want) {
		int r = mg_read(c, b + got, (size_t)want - got);

		if (r <= 0) {
			free(b);
			return NULL;
		}
		got += (size_t)r;
	}
	b[got] = '\0';
	*len = got;
	return b;
}

/* Takes what the page reports: an echo (?i=K), the summary (?done=1) or
 * an error (?error=why). */
static int result_handler(struct mg_connection *c, void *cb)
{
	const char *q = mg_get_request_info(c)->query_string;
	size_t qlen = q ? strlen(q) : 0, len = 0;
	char v[256];
	char *body = read_body(c, &len);
	int status = body != NULL ? 204 : 400;

	(void)cb;
	pthread_mutex_lock(&lock);
	if (body != NULL && mg_get_var(q, qlen, "i", v, sizeof v) > 0) {
		int k = atoi(v);

		if (k >= 0 && k < N_MSGS && run.result[k] == NULL) {
			run.result[k] = body;
			run.result_len[k] = len;
			body = NULL;
		}
	} else if (body != NULL &&
	           mg_get_var(q, qlen, "done", v, sizeof v) > 0) {
		snprintf(run.summary, sizeof run.summary, "%s", body);
		run.done = 1;
	} else if (mg_get_var(q, qlen, "error", v, sizeof v) > 0) {
		snprintf(run.error, sizeof run.error, "%s", v);
		run.done = 1;
	}
	pthread_cond_broadcast(&finished);
	pthread_mutex_unlock(&lock);
	free(body);
	mg_printf(c, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", status,
	          status == 204 ? "No Content" : "Bad Request");
	return status;
}

/* Holds the page's image, and so its load event, until the page has
 * reported everything (at most GATE_MS). */
static int gate_handler(struct mg_connection *c, void *cb)
{
	struct timespec until;

	(void)cb;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += GATE_MS / 1000;
	pthread_mutex_lock(&lock);
	while (!run.done)
		if (pthread_cond_timedwait(&finished, &lock, &until) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&lock);
	mg_printf(c, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
	return 204;
}

static int ws_connect(const struct mg_connection *c, void *cb)
{
	const char *ext = mg_get_header(c, "Sec-WebSocket-Extensions");

	(void)cb;
	pthread_mutex_lock(&lock);
	snprintf(run.offer, sizeof run.offer, "%s", ext ? ext : "");
	run.upgrades++;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Adds a fragment to the message being received: 0, or -1 when it
 * would pass MAX_BODY or memory ran out. Called under the lock. */
static int gather(int opcode, const char *data, size_t len)
{
	unsigned char *m;

	if (opcode != MG_WEBSOCKET_OPCODE_CONTINUATION) {
		run.msg_len = 0;
		run.msg_opcode = opcode;
	}
	if (run.msg_len + len > MAX_BODY)
		return -1;
	m = realloc(run.msg, run.msg_len + len + 1);
	if (m == NULL)
		return -1;
	run.msg = m;
	memcpy(run.msg + run.msg_len, data, len);
	run.msg_len += len;
	return 0;
}

/* Echoes each message whole, with its opcode, once its last fragment
 * came. (The lock is for the sanitizers: frames of one connection may
 * come on different pool threads.) */
static int ws_data(struct mg_connection *c, int bits, char *data, size_t len,
                   void *cb)
{
	int opcode = bits & 0x0f, ok;

	(void)cb;
	if (opcode != MG_WEBSOCKET_OPCODE_TEXT &&
	    opcode != MG_WEBSOCKET_OPCODE_BINARY &&
	    opcode != MG_WEBSOCKET_OPCODE_CONTINUATION)
		return 1;
	pthread_mutex_lock(&lock);
	ok = gather(opcode, data, len) == 0;
	if (ok && (bits & 0x80)) {
		ok = mg_websocket_write(c, run.msg_opcode, (char *)run.msg,
		                        run.msg_len) > 0;
		run.msg_len = 0;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

/* A server on 127.0.0.1, TLS if cert is given, with the page's handlers;
 * *port gets its port. */
static struct mg_context *start(const char *cert, int *port)
{
	const char *opts[] = {"listening_ports",
	                      cert ? "127.0.0.1:0s" : "127.0.0.1:0",
	                      cert ? "ssl_certificate" : NULL, cert, NULL};
	struct mg_callbacks none;
	struct mg_server_port ports[2];
	struct mg_context *ctx;

	memset(&none, 0, sizeof none);
	ctx = mg_start(&none, NULL, opts);
	ck_assert_msg(ctx != NULL, "mg_start failed");
	ck_assert_int_eq(mg_get_server_ports(ctx, 2, ports), 1);
	*port = ports[0].port;
	mg_set_request_handler(ctx, "/page$", page_handler, NULL);
	mg_set_request_handler(ctx, "/result$", result_handler, NULL);
	mg_set_request_handler(ctx, "/gate$", gate_handler, NULL);
	mg_set_websocket_handler(ctx, "/ws$", ws_connect, NULL, ws_data, NULL,
	                         NULL);
	return ctx;
}

static void reset_run(void)
{
	pthread_mutex_lock(&lock);
	for (int k = 0; k < N_MSGS; k++) {
		free(run.result[k]);
		run.result[k] = NULL;
	}
	free(run.msg);
	run.msg = NULL;
	run.msg_len = 0;
	run.offer[0] = run.summary[0] = run.error[0] = '\0';
	run.upgrades = run.done = 0;
	pthread_mutex_unlock(&lock);
}

/* ---- the browser -------------------------------------------------------- */

struct browser {
	pid_t pid; /* also its process group */
	char *dir; /* profile; stdout and stderr files */
	char log[512], dom[512];
	int reaped;
};

static const char *chromium_path(void)
{
	const char *p = getenv("CHROMIUM_BIN");

	return p != NULL && *p != '\0' ? p : DEFAULT_CHROMIUM;
}

/* The environment for the browser: this one, with HOME and the XDG
 * directories in dir, so nothing is written into the real home. Made
 * before the fork: the child of a threaded process should only exec. */
static char **browser_env(const char *dir)
{
	extern char **environ;
	static const char *const moved[] = {"HOME", "XDG_CONFIG_HOME",
	                                    "XDG_CACHE_HOME"};
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	env = calloc(n + 4, sizeof *env);
	ck_assert_ptr_nonnull(env);
	for (size_t i = 0; i < n; i++) {
		int skip = 0;

		for (size_t m = 0; m < 3; m++) {
			size_t len = strlen(moved[m]);

			skip |= strncmp(environ[i], moved[m], len) == 0 &&
			        environ[i][len] == '=';
		}
		if (!skip)
			env[k++] = environ[i];
	}
	for (size_t m = 0; m < 3; m++) {
		size_t len = strlen(moved[m]) + strlen(dir) + 2;

		env[k] = malloc(len);
		ck_assert_ptr_nonnull(env[k]);
		snprintf(env[k++], len, "%s=%s", moved[m], dir);
	}
	return env;
}

static void free_env(char **env)
{
	size_t n = 0;

	while (env[n] != NULL)
		n++;
	for (size_t m = n - 3; m < n; m++) /* ours are the last three */
		free(env[m]);
	free(env);
}

/* The child: its own process group, output into the files, then
 * Chromium. Only async-signal-safe calls. */
static void exec_browser(const struct browser *b, char *const argv[],
                         char *const env[])
{
	static const char msg[] = "cannot exec the browser\n";
	int out = open(b->dom, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = open(b->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	setpgid(0, 0);
	if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	execve(argv[0], argv, env);
	(void)!write(2, msg, sizeof msg - 1);
	_exit(127);
}

/* Start Chromium headless on url; flags (NULL-terminated, may be NULL)
 * are added. Fails the test, saying what to install, without it. */
static void browser_start(struct browser *b, const char *url, int port,
                          const char *const *flags)
{
	char profile[600], ports[64];
	const char *path = chromium_path();
	const char *argv[MAX_BROWSER_ARGS] = {
	    path,
	    "--headless=new",
	    "--no-sandbox",
	    "--disable-gpu",
	    "--disable-dev-shm-usage",
	    "--no-first-run",
	    "--no-default-browser-check",
	    "--disable-extensions",
	    "--disable-background-networking",
	    "--disable-component-update",
	    "--disable-sync",
	    "--password-store=basic",
	    "--use-mock-keychain",
	    "--enable-logging=stderr",
	    profile,
	    ports,
	};
	int n = 0;
	char **env;

	ck_assert_msg(access(path, X_OK) == 0,
	              "%s is missing: this test needs Debian's chromium "
	              "(apt-get install chromium), or CHROMIUM_BIN set to a "
	              "Chromium binary",
	              path);
	memset(b, 0, sizeof *b);
	b->dir = tl_mkdtemp();
	snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", b->dir);
	snprintf(ports, sizeof ports, "--explicitly-allowed-ports=%d", port);
	snprintf(b->log, sizeof b->log, "%s/stderr.txt", b->dir);
	snprintf(b->dom, sizeof b->dom, "%s/stdout.txt", b->dir);
	while (argv[n] != NULL)
		n++;
	for (int i = 0; flags != NULL && flags[i] != NULL; i++)
		if (n < MAX_BROWSER_ARGS - 2)
			argv[n++] = flags[i];
	argv[n++] = url;
	argv[n] = NULL;
	env = browser_env(b->dir);
	b->pid = fork();
	ck_assert_int_ge(b->pid, 0);
	if (b->pid == 0)
		exec_browser(b, (char *const *)argv, env);
	free_env(env);
	setpgid(b->pid, b->pid); /* either of us may get there first */
	tl_track_group(b->pid);
}

/* The end of Chromium's stderr, for failure messages: its last LOG_TAIL
 * bytes without the lines about D-Bus, which a container does not have
 * and which say nothing about the test. */
static const char *browser_log(const struct browser *b)
{
	static char tail[LOG_TAIL + 1];
	char line[1024];
	FILE *f = fopen(b->log, "r");
	size_t len = 0;

	tail[0] = '\0';
	if (f == NULL)
		return "(no stderr file)";
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);

		if (strstr(line, ":ERROR:dbus/") != NULL)
			continue;
		if (n > LOG_TAIL)
			n = LOG_TAIL;
		if (len + n > LOG_TAIL) { /* drop the oldest bytes */
			size_t drop = len + n - LOG_TAIL;

			memmove(tail, tail + drop, len - drop);
			len -= drop;
		}
		memcpy(tail + len, line, n);
		len += n;
	}
	tail[len] = '\0';
	fclose(f);
	return len > 0 ? tail : "(nothing but D-Bus complaints)";
}

static int browser_exited(void *arg)
{
	struct browser *b = arg;

	if (!b->reaped && waitpid(b->pid, NULL, WNOHANG) == b->pid)
		b->reaped = 1;
	return b->reaped;
}

/* Stop the whole process group (politely, then not), reap the browser,
 * remove its profile. */
static void browser_stop(struct browser *b)
{
	if (!b->reaped)
		kill(-b->pid, SIGTERM);
	(void)tl_poll_until(browser_exited, b, 5000);
	kill(-b->pid, SIGKILL);
	if (!b->reaped)
		(void)tl_poll_until(browser_exited, b, 5000);
	tl_untrack_group(b->pid);
	tl_rmdir(b->dir);
	free(b->dir);
	b->dir = NULL;
}

/* ---- checks ------------------------------------------------------------- */

static int page_done(void *arg)
{
	int done;

	(void)arg;
	pthread_mutex_lock(&lock);
	done = run.done;
	pthread_mutex_unlock(&lock);
	return done;
}

/* Wait for the page's summary; fail with Chromium's stderr if it does not
 * come or the page reports an error. */
static void wait_for_page(struct browser *b)
{
	int r = tl_poll_until(page_done, NULL, WAIT_MS);

	pthread_mutex_lock(&lock);
	ck_assert_msg(r == 0,
	              "no report from the page in %d ms (%d upgrades, echo 0 "
	              "%sreported); chromium's stderr ends:\n%s",
	              WAIT_MS, run.upgrades, run.result[0] ? "" : "not ",
	              browser_log(b));
	ck_assert_msg(run.error[0] == '\0', "the page says: %s; stderr:\n%s",
	              run.error, browser_log(b));
	pthread_mutex_unlock(&lock);
}

/* Every echo reached the browser unchanged, over permessage-deflate. */
static void check_echoes(void)
{
	pthread_mutex_lock(&lock);
	ck_assert_int_eq(run.upgrades, 1);
	ck_assert_msg(strstr(run.offer, "permessage-deflate") != NULL,
	              "the browser offered \"%s\"", run.offer);
	for (int k = 0; k < N_MSGS; k++) {
		size_t len;
		char *want = expected(k, &len);

		ck_assert_msg(run.result[k] != NULL, "echo %d not reported", k);
		ck_assert_uint_eq(run.result_len[k], len);
		ck_assert_msg(memcmp(run.result[k], want, len) == 0,
		              "echo %d differs from what was sent", k);
		free(want);
	}
	ck_assert_msg(strstr(run.summary, "matched=4;") != NULL &&
	                  strstr(run.summary, "permessage-deflate") != NULL,
	              "the page's summary: %s", run.summary);
	pthread_mutex_unlock(&lock);
}

static void run_page(const char *scheme, const char *cert,
                     const char *const *flags)
{
	struct browser b;
	char url[128];
	int port;
	struct mg_context *ctx;

	reset_run();
	ctx = start(cert, &port);
	snprintf(url, sizeof url, "%s://127.0.0.1:%d/page", scheme, port);
	browser_start(&b, url, port, flags);
	wait_for_page(&b);
	check_echoes();
	browser_stop(&b);
	mg_stop(ctx);
	reset_run();
}

START_TEST(browser_gets_echoes_over_ws_with_permessage_deflate)
{
	run_page("http", NULL, NULL);
}
END_TEST

START_TEST(browser_gets_echoes_over_wss)
{
	const char *flags[] = {"--ignore-certificate-errors", NULL};
	char *dir = tl_mkdtemp();

	tt_make_certs(dir);
	run_page("https", tt_path(dir, "server.pem"), flags);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* The <pre> of a dumped DOM, or its start (for failure messages). */
static const char *shown(const char *dom)
{
	static char text[2048];
	const char *pre = strstr(dom, "<pre id=\"out\">");
	const char *end = pre ? strstr(pre, "</pre>") : NULL;
	size_t n;

	if (pre == NULL)
		pre = dom;
	n = end != NULL ? (size_t)(end - pre) + 6 : strlen(pre);
	if (n >= sizeof text)
		n = sizeof text - 1;
	memcpy(text, pre, n);
	text[n] = '\0';
	return text;
}

/* --dump-dom prints the page after its load event, which the gate holds
 * until the echoes are in: the DOM shows them. */
START_TEST(dumped_dom_shows_the_echoes)
{
	const char *flags[] = {"--dump-dom", NULL};
	struct browser b;
	char url[128], dom[8192];
	int port;
	struct mg_context *ctx;
	FILE *f;
	size_t n;

	reset_run();
	ctx = start(NULL, &port);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/page", port);
	browser_start(&b, url, port, flags);
	wait_for_page(&b);
	ck_assert_msg(tl_poll_until(browser_exited, &b, WAIT_MS) == 0,
	              "chromium --dump-dom did not exit; stderr:\n%s",
	              browser_log(&b));
	f = fopen(b.dom, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(dom, 1, sizeof dom - 1, f);
	dom[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(dom, "echo 0: hello civetd\n") != NULL &&
	                  strstr(dom, "echo 1: " UTF8_TEXT "\n") != NULL &&
	                  strstr(dom, "echo 2: same as sent\n") != NULL &&
	                  strstr(dom, "echo 3: same as sent\n") != NULL &&
	                  strstr(dom, "done: 4 of 4 echoes match; "
	                              "extensions: permessage-deflate") != NULL,
	              "the page's text:\n%s\nstderr:\n%s", shown(dom),
	              browser_log(&b));
	browser_stop(&b);
	mg_stop(ctx);
	reset_run();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_ws_browser");
	struct {
		const char *name;
		const TTest *test;
	} tests[] = {
	    {"ws", browser_gets_echoes_over_ws_with_permessage_deflate},
	    {"wss", browser_gets_echoes_over_wss},
	    {"dom", dumped_dom_shows_the_echoes},
	};

	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		TCase *tc = tcase_create(tests[i].name);

		tl_cleanup_fixture(tc);
		tcase_set_timeout(tc, 90);
		tcase_add_test(tc, tests[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
