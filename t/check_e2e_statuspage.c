/* check_e2e_statuspage.c - the live status page (status_page_uri) of a
 * running prefork server (civetd with 2 workers), on the master's
 * metrics_listen.
 *
 * Over plain HTTP: <uri>.json is the object `civetctl status --json`
 * prints (the same keys in the same order, the same processes), never
 * cached; <uri> is a self-contained HTML page made for phones; other paths
 * are 404 and /metrics is still there; the page answers while every worker
 * is stopped; a status_page_uri without metrics_listen, or one that is no
 * path, is refused with file:line. In headless Chromium, driven over the
 * DevTools protocol by t/cdp.py: the page updates itself, its request
 * counter follows the requests the test sends to the site, its worker
 * table shows both workers, it fits a 390 px phone screen without
 * scrolling sideways, and a reload error full of markup is shown as text.
 * Without /usr/bin/chromium (CHROMIUM_BIN overrides it) the browser test
 * says so and passes. */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define DEFAULT_CHROMIUM "/usr/bin/chromium"
#define PYTHON           "/usr/bin/python3"
#define START_MS         30000   /* for the browser to listen */
#define PAGE_WAIT_MS     "20000" /* for the page to show something */
#define SENT_BEFORE      5       /* requests before the page opens */
#define SENT_WHILE       50      /* requests while it is open */

extern char **environ;

/* ---- the server ------------------------------------------------------------
 */

struct srv {
	pid_t pid;
	char *dir;
	char conf[512], sock[512];
	int port, mport;
};

static void write_conf(const struct srv *s, const char *extra)
{
	FILE *f = fopen(s->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "listening_ports 127.0.0.1:%d\ndocument_root %s\n"
	        "num_workers 2\nnum_threads 4\nadmin_socket %s\n"
	        "metrics_listen 127.0.0.1:%d\nstatus_page_uri /status\n%s",
	        s->port, s->dir, s->sock, s->mport, extra);
	fclose(f);
}

/* `civetctl status --json` into out. */
static void civetctl_json(const struct srv *s, char *out, size_t len)
{
	const char *argv[] = {
	    getenv("CIVETCTL_BIN"), "-s", s->sock, "status", "--json", NULL};

	ck_assert_msg(tl_run(argv, out, len) == 0, "civetctl: %s", out);
}

/* Both workers are ready (the master binds the port before they are). */
static int workers_ready(void *arg)
{
	static char out[1 << 16];
	const char *argv[] = {getenv("CIVETCTL_BIN"),
	                      "-s",
	                      ((const struct srv *)arg)->sock,
	                      "status",
	                      "--json",
	                      NULL};
	const char *p = out;
	int ready = 0;

	if (tl_run(argv, out, sizeof out) != 0)
		return 0;
	while ((p = strstr(p, "\"state\": \"ready\"")) != NULL) {
		ready++;
		p++;
	}
	return ready == 2;
}

static void start(struct srv *s)
{
	const char *bin = getenv("CIVETD_BIN");
	char dash_c[] = "-c";
	char *const argv[] = {(char *)bin, dash_c, s->conf, NULL};
	posix_spawnattr_t at;

	ck_assert_ptr_nonnull(bin);
	ck_assert_ptr_nonnull(getenv("CIVETCTL_BIN"));
	s->dir = tl_mkdtemp();
	s->port = tl_free_port();
	s->mport = tl_free_port();
	snprintf(s->conf, sizeof s->conf, "%s/civetd.conf", s->dir);
	snprintf(s->sock, sizeof s->sock, "%s/admin.sock", s->dir);
	tl_write_file(s->dir, "hello.txt", "hello\n", 6);
	write_conf(s, "");
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	ck_assert_int_eq(posix_spawn(&s->pid, bin, NULL, &at, argv, environ),
	                 0);
	posix_spawnattr_destroy(&at);
	tl_track_group(s->pid);
	tl_wait_until(tl_listening, &s->port, 10000, "civetd on %d", s->port);
	tl_wait_until(tl_listening, &s->mport, 10000, "metrics on %d",
	              s->mport);
	tl_wait_until(workers_ready, s, 10000, "2 workers ready");
}

static void stop(struct srv *s)
{
	int st;

	kill(s->pid, SIGTERM);
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
	tl_untrack_group(s->pid);
	tl_rmdir(s->dir);
	free(s->dir);
}

static void send_requests(const struct srv *s, int n)
{
	struct tl_resp r;

	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(tl_get(s->port, "/hello.txt", &r), 200);
		tl_resp_free(&r);
	}
}

/* ---- reading the JSON --------------------------------------------------- */

/* The keys of a JSON text in order ("a,b,c,"): every string followed by
 * a colon. Values here never hold a quote followed by a colon. */
static void keys_of(const char *json, char *keys, size_t len)
{
	size_t n = 0;

	keys[0] = '\0';
	for (const char *p = json; (p = strchr(p, '"')) != NULL;) {
		const char *end = strchr(p + 1, '"');

		ck_assert_ptr_nonnull(end);
		if (end[1] == ':') {
			int w = snprintf(keys + n, len - n, "%.*s,",
			                 (int)(end - p - 1), p + 1);

			ck_assert_int_lt(n + (size_t)w, len);
			n += (size_t)w;
		}
		p = end + 1;
	}
}

/* The number after the first "key": at or after from, or -1. */
static long long number_after(const char *from, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof pat, "\"%s\": ", key);
	p = strstr(from, pat);
	return p != NULL ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static long long total_requests(const char *json)
{
	const char *t = strstr(json, "\"totals\": {");

	ck_assert_ptr_nonnull(t);
	return number_after(t, "requests");
}

/* The pid of the worker in slot. */
static int worker_pid(const char *json, int slot)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof pat, "{\"slot\": %d, ", slot);
	p = strstr(json, pat);
	ck_assert_msg(p != NULL, "no slot %d in %s", slot, json);
	return (int)number_after(p, "pid");
}

struct want_total {
	const struct srv *s;
	long long n;
};

/* The status page's JSON counts n requests in total. */
static int json_counts(void *arg)
{
	const struct want_total *w = arg;
	struct tl_resp r;
	long long got;

	if (tl_get(w->s->mport, "/status.json", &r) != 200) {
		tl_resp_free(&r);
		return 0;
	}
	got = total_requests(r.body);
	tl_resp_free(&r);
	return got == w->n;
}

/* ---- over plain HTTP ------------------------------------------------------
 */

START_TEST(test_json_is_civetctls_status)
{
	static char ctl[1 << 16], ctl_keys[8192], page_keys[8192];
	struct srv s;
	struct tl_resp r;

	start(&s);
	send_requests(&s, 3);
	ck_assert_int_eq(tl_get(s.mport, "/status.json", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "application/json");
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "no-store");
	civetctl_json(&s, ctl, sizeof ctl);
	keys_of(ctl, ctl_keys, sizeof ctl_keys);
	keys_of(r.body, page_keys, sizeof page_keys);
	ck_assert_str_eq(page_keys, ctl_keys);
	ck_assert_ptr_nonnull(strstr(page_keys, "workers,slot,pid,"));
	ck_assert_int_eq(number_after(r.body, "pid"), s.pid); /* the master */
	ck_assert_int_eq(worker_pid(r.body, 0), worker_pid(ctl, 0));
	ck_assert_int_eq(worker_pid(r.body, 1), worker_pid(ctl, 1));
	ck_assert_int_eq(total_requests(r.body), 3);
	tl_resp_free(&r);
	/* a query is not part of the path */
	ck_assert_int_eq(tl_get(s.mport, "/status.json?t=1", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_ask(s.mport, "HEAD", "/status.json", NULL, &r),
	                 200);
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
	stop(&s);
}
END_TEST

START_TEST(test_page_is_self_contained_html)
{
	struct srv s;
	struct tl_resp r;
	static const char *const not_found[] = {"/status/",   "/status.json/",
	                                        "/statusx",   "/status.jso",
	                                        "/hello.txt", "/"};

	start(&s);
	ck_assert_int_eq(tl_get(s.mport, "/status", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"),
	                 "text/html; charset=utf-8");
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "no-store");
	ck_assert_ptr_nonnull(strstr(tl_header(&r, "Content-Security-Policy"),
	                             "default-src 'none'"));
	ck_assert_int_eq(strncmp(r.body, "<!DOCTYPE html>", 15), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "<meta name=\"viewport\" "
	                                     "content=\"width=device-width"));
	ck_assert_ptr_nonnull(strstr(r.body, "<style>"));
	ck_assert_ptr_nonnull(strstr(r.body, "<script>"));
	ck_assert_ptr_nonnull(strstr(r.body, "location.pathname + '.json'"));
	/* nothing from elsewhere: no URL, no linked resource, no markup
	 * made from data */
	ck_assert_ptr_null(strstr(r.body, "http:"));
	ck_assert_ptr_null(strstr(r.body, "https:"));
	ck_assert_ptr_null(strstr(r.body, "src="));
	ck_assert_ptr_null(strstr(r.body, "<link"));
	ck_assert_ptr_null(strstr(r.body, "innerHTML"));
	tl_resp_free(&r);
	for (size_t i = 0; i < sizeof not_found / sizeof *not_found; i++) {
		ck_assert_msg(tl_get(s.mport, not_found[i], &r) == 404,
		              "%s: %d", not_found[i], r.status);
		tl_resp_free(&r);
	}
	ck_assert_int_eq(tl_get(s.mport, "/metrics", &r), 200);
	tl_resp_free(&r);
	stop(&s);
}
END_TEST

/* The master answers while no worker can: both are stopped. */
START_TEST(test_answers_while_workers_are_stopped)
{
	static char ctl[1 << 16];
	struct srv s;
	struct tl_resp r;
	int pid[2];

	start(&s);
	send_requests(&s, 2);
	civetctl_json(&s, ctl, sizeof ctl);
	pid[0] = worker_pid(ctl, 0);
	pid[1] = worker_pid(ctl, 1);
	ck_assert_int_eq(kill(pid[0], SIGSTOP), 0);
	ck_assert_int_eq(kill(pid[1], SIGSTOP), 0);
	ck_assert_int_eq(tl_get(s.mport, "/status.json", &r), 200);
	ck_assert_int_eq(total_requests(r.body), 2);
	ck_assert_int_eq(worker_pid(r.body, 1), pid[1]);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(s.mport, "/status", &r), 200);
	tl_resp_free(&r);
	kill(pid[0], SIGCONT);
	kill(pid[1], SIGCONT);
	stop(&s);
}
END_TEST

static int civetctl_reload(const struct srv *s, char *out, size_t len)
{
	const char *argv[] = {getenv("CIVETCTL_BIN"), "-s", s->sock, "reload",
	                      NULL};

	return tl_run(argv, out, len);
}

/* A reload moves the page; one that keeps the page without the listener
 * is refused and changes nothing. */
START_TEST(test_reload_moves_the_page)
{
	struct srv s;
	struct tl_resp r;
	char out[2048], conf[2048];
	FILE *f;

	start(&s);
	write_conf(&s, "status_page_uri /ops/status\n");
	ck_assert_msg(civetctl_reload(&s, out, sizeof out) == 0, "%s", out);
	ck_assert_int_eq(tl_get(s.mport, "/ops/status", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(s.mport, "/ops/status.json", &r), 200);
	ck_assert_int_eq(number_after(r.body, "reloads"), 1);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(s.mport, "/status", &r), 404);
	tl_resp_free(&r);
	/* the same file without metrics_listen */
	snprintf(conf, sizeof conf,
	         "listening_ports 127.0.0.1:%d\ndocument_root %s\n"
	         "num_workers 2\nnum_threads 4\nadmin_socket %s\n"
	         "status_page_uri /status\n",
	         s.port, s.dir, s.sock);
	f = fopen(s.conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs(conf, f);
	fclose(f);
	ck_assert_int_eq(civetctl_reload(&s, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "civetd.conf:6: status_page_uri needs "
	                          "metrics_listen") != NULL,
	              "civetctl said: %s", out);
	ck_assert_int_eq(tl_get(s.mport, "/ops/status.json", &r), 200);
	tl_resp_free(&r);
	stop(&s);
}
END_TEST

/* civetd -t on a file with lines; what it says (exit status 1 wanted). */
static void refused(const char *lines, const char *line_no, const char *why)
{
	const char *bin = getenv("CIVETD_BIN");
	char *dir = tl_mkdtemp(), conf[600], out[2048], where[700];
	const char *argv[] = {bin, "-t", "-c", conf, NULL};
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	snprintf(conf, sizeof conf, "%s/bad.conf", dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "listening_ports 127.0.0.1:1\n%s", lines);
	fclose(f);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 1);
	snprintf(where, sizeof where, "%s:%s: ", conf, line_no);
	ck_assert_msg(strstr(out, where) != NULL, "said: %s", out);
	ck_assert_msg(strstr(out, why) != NULL, "said: %s", out);
	tl_rmdir(dir);
	free(dir);
}

START_TEST(test_bad_status_page_uri_is_refused)
{
	refused("status_page_uri /status\n", "2",
	        "status_page_uri needs metrics_listen");
	refused("metrics_listen 127.0.0.1:1\nstatus_page_uri status\n", "3",
	        "'status' is not a path");
	refused("metrics_listen 127.0.0.1:1\nstatus_page_uri /status/\n", "3",
	        "not a path");
	refused("metrics_listen 127.0.0.1:1\nstatus_page_uri /s?x=1\n", "3",
	        "not a path");
	refused("metrics_listen 127.0.0.1:1\nstatus_page_uri /metrics\n", "3",
	        "/metrics is the metrics endpoint's");
}
END_TEST

/* ---- in a browser ----------------------------------------------------------
 */

struct browser {
	pid_t pid;
	char *dir;
	char port_file[600], log[600];
	int devtools; /* its remote-debugging port */
	int reaped;
};

static const char *chromium_path(void)
{
	const char *p = getenv("CHROMIUM_BIN");

	return p != NULL && *p != '\0' ? p : DEFAULT_CHROMIUM;
}

/* The child: its own process group, output into the log. Only
 * async-signal-safe calls. */
static void exec_browser(const struct browser *b, char *const argv[])
{
	int fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	setpgid(0, 0);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execv(argv[0], argv);
	_exit(127);
}

/* The port Chromium writes into DevToolsActivePort once it listens. */
static int devtools_port(void *arg)
{
	struct browser *b = arg;
	FILE *f = fopen(b->port_file, "r");
	int port = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%d", &port) != 1)
		port = 0;
	fclose(f);
	b->devtools = port;
	return port > 0;
}

static void browser_start(struct browser *b, int site_port)
{
	char profile[700], ports[64];
	const char *argv[] = {chromium_path(),
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
	                      "--remote-debugging-port=0",
	                      profile,
	                      ports,
	                      "about:blank",
	                      NULL};

	memset(b, 0, sizeof *b);
	b->dir = tl_mkdtemp();
	snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", b->dir);
	snprintf(ports, sizeof ports, "--explicitly-allowed-ports=%d",
	         site_port);
	snprintf(b->port_file, sizeof b->port_file,
	         "%s/profile/DevToolsActivePort", b->dir);
	snprintf(b->log, sizeof b->log, "%s/chromium.log", b->dir);
	/* nothing written into the real home (this test process's
	 * environment: only the browser and t/cdp.py start after this) */
	ck_assert_int_eq(setenv("HOME", b->dir, 1), 0);
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", b->dir, 1), 0);
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", b->dir, 1), 0);
	b->pid = fork();
	ck_assert_int_ge(b->pid, 0);
	if (b->pid == 0)
		exec_browser(b, (char *const *)argv);
	setpgid(b->pid, b->pid); /* either of us may get there first */
	tl_track_group(b->pid);
	tl_wait_until(devtools_port, b, START_MS, "chromium's DevTools port");
}

static int browser_exited(void *arg)
{
	struct browser *b = arg;

	if (!b->reaped && waitpid(b->pid, NULL, WNOHANG) == b->pid)
		b->reaped = 1;
	return b->reaped;
}

/* The whole process group, politely then not; the profile goes. */
static void browser_stop(struct browser *b)
{
	kill(-b->pid, SIGTERM);
	(void)tl_poll_until(browser_exited, b, 5000);
	kill(-b->pid, SIGKILL);
	if (!b->reaped)
		(void)tl_poll_until(browser_exited, b, 5000);
	tl_untrack_group(b->pid);
	tl_rmdir(b->dir);
	free(b->dir);
}

/* Run t/cdp.py against the browser: its output into out (the value it
 * printed, one line); fails the test if it fails. */
static void cdp(const struct browser *b, char *out, size_t len, const char *cmd,
                const char *a1, const char *a2, const char *a3)
{
	char port[16];
	const char *argv[] = {PYTHON, CDP_PY, port, cmd, a1, a2, a3, NULL};
	size_t n;

	snprintf(port, sizeof port, "%d", b->devtools);
	ck_assert_msg(tl_run(argv, out, len) == 0, "%s", out);
	n = strlen(out);
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

/* What the page shows, as "updates=U requests=R rows=W states=S" once
 * cond (JavaScript, over u and r: updates and requests shown) holds. */
#define PAGE_STATE(cond)                                                       \
	"(function () { var d = document, u = +d.body.dataset.updates,"        \
	" r = +d.getElementById('t-requests').textContent.replace(/,/g, ''),"  \
	" rows = d.querySelectorAll('#workers tbody tr'),"                     \
	" st = Array.prototype.map.call(rows, function (tr) {"                 \
	" return tr.cells[2].textContent; });"                                 \
	" return (" cond ") ? 'updates=' + u + ' requests=' + r + ' rows=' +"  \
	" rows.length + ' states=' + st.join(',') : ''; })()"

/* Once the page shows the refused reload: whether an element was made of
 * the error's markup, and whether the markup is there as text. */
#define SHOWN_ERROR                                                            \
	"(function () { var d = document,"                                     \
	" t = d.getElementById('last-reload').textContent;"                    \
	" if (t.indexOf('failed') < 0) return '';"                             \
	" return 'images=' + d.querySelectorAll('img').length +"               \
	" ' title=' + d.title + ' markup=' +"                                  \
	" (d.getElementById('alert').textContent.indexOf("                     \
	" \"unknown option '<img/src=x/onerror=\") >= 0 ? 'as-text' : "        \
	"'gone');"                                                             \
	" })()"

START_TEST(test_browser_shows_live_counts)
{
	struct srv s;
	struct browser b;
	struct want_total want;
	char url[96], out[4096], cond[96], expr[1024], states[64];
	int updates, rows, again, width, scroll;
	long long shown;

	if (access(chromium_path(), X_OK) != 0) {
		printf("SKIP test_browser_shows_live_counts: %s is missing "
		       "(apt-get install chromium)\n",
		       chromium_path());
		return;
	}
	ck_assert_msg(access(PYTHON, X_OK) == 0,
	              PYTHON " is needed (Debian: python3-websockets)");
	start(&s);
	send_requests(&s, SENT_BEFORE);
	want.s = &s;
	want.n = SENT_BEFORE;
	tl_wait_until(json_counts, &want, 10000, "%d requests counted",
	              SENT_BEFORE);
	browser_start(&b, s.mport);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/status", s.mport);
	cdp(&b, out, sizeof out, "navigate", url, NULL, NULL);

	/* the first update shows what was sent before */
	snprintf(expr, sizeof expr, "%s", PAGE_STATE("u >= 1"));
	cdp(&b, out, sizeof out, "wait", PAGE_WAIT_MS, expr, NULL);
	ck_assert_msg(sscanf(out, "updates=%d requests=%lld rows=%d", &updates,
	                     &shown, &rows) == 3,
	              "page: %s", out);
	ck_assert_int_eq(shown, SENT_BEFORE);
	ck_assert_int_eq(rows, 2);

	/* load while it is open: two more updates at least, and the counter
	 * ends at exactly what was sent (the page's own requests go to the
	 * master, not to the workers) */
	send_requests(&s, SENT_WHILE);
	snprintf(cond, sizeof cond, "u >= %d && r >= %d", updates + 2,
	         SENT_BEFORE + SENT_WHILE);
	snprintf(expr, sizeof expr, PAGE_STATE("%s"), cond);
	cdp(&b, out, sizeof out, "wait", PAGE_WAIT_MS, expr, NULL);
	ck_assert_msg(sscanf(out,
	                     "updates=%d requests=%lld rows=%d states=%63s",
	                     &again, &shown, &rows, states) == 4,
	              "page: %s", out);
	ck_assert_int_ge(again, updates + 2);
	ck_assert_int_eq(shown, SENT_BEFORE + SENT_WHILE);
	ck_assert_int_eq(rows, 2);
	ck_assert_str_eq(states, "ready,ready");

	/* a phone: the viewport meta gives a 390 px layout viewport, and
	 * nothing is wider than it */
	cdp(&b, out, sizeof out, "phone", "390", "844",
	    "innerWidth + ' ' + document.documentElement.scrollWidth");
	ck_assert_msg(sscanf(out, "%d %d", &width, &scroll) == 2, "%s", out);
	ck_assert_msg(width == 390 && scroll <= width,
	              "on a 390 px phone: layout viewport %d px, page %d px "
	              "wide",
	              width, scroll);

	/* data is text: a refused reload whose error is markup */
	write_conf(&s, "<img/src=x/onerror=document.title='xss'> 1\n");
	ck_assert_int_eq(civetctl_reload(&s, out, sizeof out), 1);
	cdp(&b, out, sizeof out, "wait", PAGE_WAIT_MS, SHOWN_ERROR, NULL);
	ck_assert_str_eq(out, "images=0 title=civetd status markup=as-text");
	browser_stop(&b);
	stop(&s);
}
END_TEST

#define ADD(s, test, secs)                                                     \
	do {                                                                   \
		TCase *tc = tcase_create(#test);                               \
		tl_cleanup_fixture(tc);                                        \
		tcase_set_timeout(tc, secs);                                   \
		tcase_add_test(tc, test);                                      \
		suite_add_tcase(s, tc);                                        \
	} while (0)

int main(void)
{
	Suite *s = suite_create("e2e_statuspage");
	SRunner *sr;
	int failed;

	ADD(s, test_json_is_civetctls_status, 60);
	ADD(s, test_page_is_self_contained_html, 60);
	ADD(s, test_answers_while_workers_are_stopped, 60);
	ADD(s, test_bad_status_page_uri_is_refused, 30);
	ADD(s, test_reload_moves_the_page, 60);
	ADD(s, test_browser_shows_live_counts, 120);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
