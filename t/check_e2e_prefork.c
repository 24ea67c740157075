/* check_e2e_prefork.c - the prefork server with real processes: a CivetWeb
 * program made multi-process with civetd_run() (t/prefork_app.c), driven
 * through civetctl and signals: counters across reloads, generations,
 * worker crashes and hangs, requests in flight during a reload, bad
 * configurations, start-up failures, the admin socket's permissions, fd
 * and memory use over many reloads, `civetd -t`, init_context /
 * exit_context once per worker process, and the master's error log
 * following a rename.
 *
 * Each test is its own TCase with testlib's cleanup fixture: the server
 * runs in a process group of its own, recorded there, so that a failed
 * test leaves no prefork_app behind and no temporary directory. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "tlstest.h"
#include "wstest.h"

struct srv {
	pid_t pid;  /* the master, 0 once reaped */
	pid_t pgid; /* its process group: the master and its workers */
	int status; /* the master's, once reaped */
	char *dir;
	char conf[256], sock[256], applog[256], fail[256], errlog[256];
	char release[256];
	int port;
};

static int ctl(struct srv *s, const char *cmd, const char *arg, char *out,
               size_t len)
{
	return tl_civetctl(s->sock, cmd, arg, out, len);
}

/* A number after "key": inside the first object named section. */
static long long json_num(const char *json, const char *section,
                          const char *key)
{
	char k[64];
	const char *p = section ? strstr(json, section) : json;

	ck_assert_ptr_nonnull(p);
	snprintf(k, sizeof k, "\"%s\": ", key);
	p = strstr(p, k);
	ck_assert_msg(p != NULL, "no %s in %s", key, json);
	return atoll(p + strlen(k));
}

static void status(struct srv *s, char *out, size_t len)
{
	ck_assert_int_eq(ctl(s, "status", "--json", out, len), 0);
}

/* Worker pids in state ready of generation gen (0: any), into pids. */
static int ready_pids(const char *json, long long gen, int *pids, int max)
{
	const char *p = strstr(json, "\"workers\": [");
	int n = 0;

	while (p != NULL && (p = strstr(p, "{\"slot\"")) != NULL && n < max) {
		const char *end = strchr(p, '}');
		long long g = json_num(p, NULL, "generation");

		if (strstr(p, "\"state\": \"ready\"") != NULL &&
		    strstr(p, "\"state\": \"ready\"") < end &&
		    (gen == 0 || g == gen))
			pids[n++] = (int)json_num(p, NULL, "pid");
		p = end;
	}
	return n;
}

struct want_ready {
	struct srv *s;
	int n;
	long long gen;
};

static int is_ready(void *arg)
{
	struct want_ready *w = arg;
	char js[65536];
	int pids[64];

	return ctl(w->s, "status", "--json", js, sizeof js) == 0 &&
	       ready_pids(js, w->gen, pids, 64) == w->n;
}

/* Wait until exactly n workers of generation gen (0: any) are ready. */
static void wait_ready(struct srv *s, int n, long long gen, int ms)
{
	struct want_ready w = {s, n, gen};

	tl_wait_until(is_ready, &w, ms, "%d ready workers of generation %lld",
	              n, gen);
}

/* Lines of the app log that start with what ("sleep", "hold", ...). */
static int app_notes(struct srv *s, const char *what)
{
	char line[64];
	int n = 0;
	size_t len = strlen(what);
	FILE *f = fopen(s->applog, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		n += strncmp(line, what, len) == 0 && line[len] == ' ';
	fclose(f);
	return n;
}

static int hold_started(void *arg)
{
	return app_notes(arg, "hold") >= 1;
}

static int sleep_started(void *arg)
{
	return app_notes(arg, "sleep") >= 1;
}

/* The first /hold or /sleep request has reached its handler. */
static void wait_in_handler(struct srv *s, const char *what)
{
	tl_wait_until(strcmp(what, "hold") == 0 ? hold_started : sleep_started,
	              s, 10000, "a worker to start handling /%s", what);
}

/* Let every /hold request answer. */
static void release_holds(struct srv *s)
{
	int fd = open(s->release, O_CREAT | O_WRONLY, 0644);

	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* The pid in the first app log line "what PID", or 0. */
static int app_note_pid(struct srv *s, const char *what)
{
	char line[64], w[16];
	int pid = 0, p;
	FILE *f = fopen(s->applog, "r");

	if (f == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%15s %d", w, &p) == 2 && strcmp(w, what) == 0)
			pid = p;
	fclose(f);
	return pid;
}

/* Is worker pid listed in json, in state (its own word for it)? */
static int worker_in_state(const char *json, int pid, const char *state)
{
	const char *p = strstr(json, "\"workers\": [");
	char want[64];

	snprintf(want, sizeof want, "\"state\": \"%s\"", state);
	while (p != NULL && (p = strstr(p, "{\"slot\"")) != NULL) {
		const char *end = strchr(p, '}'), *st = strstr(p, want);

		if (json_num(p, NULL, "pid") == pid)
			return st != NULL && st < end;
		p = end;
	}
	return 0;
}

struct want_state {
	struct srv *s;
	int pid;
};

static int holder_draining(void *arg)
{
	struct want_state *w = arg;
	char js[65536];

	return ctl(w->s, "status", "--json", js, sizeof js) == 0 &&
	       worker_in_state(js, w->pid, "draining");
}

/* A reload is half-way: the new generation serves, and the worker that
 * runs the /hold request drains (it says so itself, just before it stops
 * keeping connections alive). */
static void wait_holder_draining(struct srv *s)
{
	struct want_state w = {s, app_note_pid(s, "hold")};

	ck_assert_int_gt(w.pid, 0);
	tl_wait_until(holder_draining, &w, 15000,
	              "worker %d (running /hold) to drain", w.pid);
}

/* The server's process: in a process group of its own that the cleanup
 * fixture kills if the test fails, and killed if the test's process dies
 * first (Check ends a failed test with _exit). */
static void exec_server(struct srv *s, pid_t parent)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setenv("APP_LOG", s->applog, 1);
	setenv("APP_FAIL", s->fail, 1);
	setenv("APP_RELEASE", s->release, 1);
	execl(tl_env("PREFORK_APP"), tl_env("PREFORK_APP"), "-config_file",
	      s->conf, (char *)NULL);
	_exit(127);
}

/* Start prefork_app with a configuration of listening_ports ports, the
 * lines extra (may be NULL) and that many workers, in a directory of its
 * own. */
static void srv_start_on(struct srv *s, const char *ports, const char *extra,
                         int workers)
{
	FILE *f;
	pid_t parent;

	memset(s, 0, sizeof *s);
	s->dir = tl_mkdtemp();
	snprintf(s->conf, sizeof s->conf, "%s/civetd.conf", s->dir);
	snprintf(s->sock, sizeof s->sock, "%s/run/admin.sock", s->dir);
	snprintf(s->applog, sizeof s->applog, "%s/app.log", s->dir);
	snprintf(s->fail, sizeof s->fail, "%s/fail", s->dir);
	snprintf(s->errlog, sizeof s->errlog, "%s/error.log", s->dir);
	snprintf(s->release, sizeof s->release, "%s/release", s->dir);
	f = fopen(s->conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "# written by check_e2e_prefork\n"
	        "listening_ports %s\nnum_workers %d\nnum_threads 4\n"
	        "enable_keep_alive yes\nkeep_alive_timeout_ms 10000\n"
	        "admin_socket %s\nworker_shutdown_timeout_ms 8000\n"
	        "error_log_file %s\n%s",
	        ports, workers, s->sock, s->errlog, extra ? extra : "");
	fclose(f);
	tl_env("PREFORK_APP"); /* fails here, not in the child */
	parent = getpid();
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0)
		exec_server(s, parent);
	setpgid(s->pid, s->pid); /* whichever of the two runs first */
	s->pgid = s->pid;
	tl_track_group(s->pgid);
	if (workers > 0)
		wait_ready(s, workers, 0, 10000);
}

static void srv_start(struct srv *s, const char *extra, int workers)
{
	srv_start_on(s, "127.0.0.1:0", extra, workers);
}

/* "ports": [N]: json_num wants "key": so read it by hand. */
static int port_of(const char *json)
{
	const char *p = strstr(json, "\"ports\": [");

	ck_assert_ptr_nonnull(p);
	return atoi(p + 10);
}

static int reaped(void *arg)
{
	struct srv *s = arg;

	if (waitpid(s->pid, &s->status, WNOHANG) != s->pid)
		return 0;
	s->pid = 0;
	return 1;
}

/* Wait up to ms for the master to exit: its exit status (128 if killed by
 * a signal), or -1 if it is still running. */
static int srv_wait(struct srv *s, int ms)
{
	if (s->pid > 0 && tl_poll_until(reaped, s, ms) != 0)
		return -1;
	return WIFEXITED(s->status) ? WEXITSTATUS(s->status) : 128;
}

static void srv_stop(struct srv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		if (srv_wait(s, 15000) < 0) {
			kill(s->pid, SIGKILL);
			srv_wait(s, 5000);
		}
	}
	if (s->pid == 0)
		tl_untrack_group(s->pgid);
	tl_rmdir(s->dir);
	free(s->dir);
}

static void start(struct srv *s, const char *extra, int workers)
{
	char js[65536];

	srv_start(s, extra, workers);
	status(s, js, sizeof js);
	s->port = port_of(js);
	ck_assert_int_gt(s->port, 0);
}

static int get_ok(int port, const char *path)
{
	struct tl_resp r;
	int st = tl_get(port, path, &r);

	tl_resp_free(&r);
	return st == 200;
}

/* ---- counters and generations ---------------------------------------- */

struct want_total {
	struct srv *s;
	long long n;
};

static int total_is(void *arg)
{
	struct want_total *w = arg;
	char js[65536];

	status(w->s, js, sizeof js);
	return json_num(js, "\"totals\"", "requests") == w->n;
}

/* Requests are counted when they end, just after the response left. */
static void wait_total(struct srv *s, long long n)
{
	struct want_total w = {s, n};

	tl_wait_until(total_is, &w, 5000, "totals.requests == %lld", n);
}

START_TEST(status_totals_count_requests_across_reloads)
{
	struct srv s;
	char js[65536], out[4096];
	int fd;
	struct tl_resp r;

	start(&s, NULL, 2);
	fd = tl_connect(s.port);
	for (int i = 0; i < 150; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		tl_resp_free(&r);
	}
	close(fd);
	for (int i = 0; i < 50; i++)
		ck_assert(get_ok(s.port, "/hello"));
	wait_total(&s, 200);
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	status(&s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"master\"", "generation"), 2);
	ck_assert_int_eq(json_num(js, "\"totals\"", "requests"), 200);
	ck_assert_int_eq(json_num(js, "\"totals\"", "status_2xx"), 200);
	for (int i = 0; i < 25; i++)
		ck_assert(get_ok(s.port, "/hello"));
	wait_total(&s, 225);
	srv_stop(&s);
}
END_TEST

START_TEST(each_reload_adds_one_generation)
{
	struct srv s;
	char js[65536], out[4096];

	start(&s, NULL, 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
		ck_assert(get_ok(s.port, "/hello"));
	}
	status(&s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"master\"", "generation"), 4);
	ck_assert_int_eq(json_num(js, "\"master\"", "reloads"), 3);
	ck_assert_ptr_nonnull(strstr(js, "\"ok\": true"));
	srv_stop(&s);
}
END_TEST

/* ---- crashes ------------------------------------------------------------ */

static int pid_behind(int fd)
{
	struct tl_resp r;
	int pid;

	ck_assert_int_eq(tl_send(fd, "GET /pid HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	pid = atoi(r.body);
	tl_resp_free(&r);
	return pid;
}

struct kill_watch {
	struct srv *s;
	int victim;
};

static int replaced_by_two(void *arg)
{
	struct kill_watch *r = arg;
	static char js[65536];
	int pids[8];

	status(r->s, js, sizeof js);
	return ready_pids(js, 0, pids, 8) == 2 && pids[0] != r->victim &&
	       pids[1] != r->victim;
}

START_TEST(killed_worker_is_replaced_within_a_second)
{
	struct srv s;
	char js[65536];
	int pids[8], fds[24], owner[24], victim, survivors = 0;
	long long t0;

	start(&s, NULL, 2);
	status(&s, js, sizeof js);
	ck_assert_int_eq(ready_pids(js, 0, pids, 8), 2);
	for (int i = 0; i < 24; i++) {
		fds[i] = tl_connect(s.port);
		owner[i] = pid_behind(fds[i]);
	}
	/* kill the worker with fewer of our clients; watch the others */
	for (int i = 0, a = 0; i < 24; i++) {
		a += owner[i] == pids[0] ? 1 : -1;
		victim = a > 0 ? pids[1] : pids[0];
	}
	t0 = tl_now_ms();
	kill(victim, SIGKILL);
	/* clients of the other worker see no error */
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 24; i++) {
			if (owner[i] == victim)
				continue;
			ck_assert_int_eq(pid_behind(fds[i]), owner[i]);
			survivors++;
		}
	}
	/* the status may list the killed worker until the master has
	 * reaped it: wait for two ready workers that are not it */
	{
		struct kill_watch r = {&s, victim};

		tl_wait_until(replaced_by_two, &r, 1000,
		              "two ready workers other than %d", victim);
	}
	ck_assert_int_lt(tl_now_ms() - t0, 1500);
	for (int i = 0; i < 24; i++)
		close(fds[i]);
	ck_assert(get_ok(s.port, "/hello"));
	fprintf(stderr, "kill: %d requests on the other worker, all answered\n",
	        survivors);
	srv_stop(&s);
}
END_TEST

struct want_failures {
	struct srv *s;
	long long n;
	char js[65536]; /* the status that showed them */
};

static int failures_reach(void *arg)
{
	struct want_failures *w = arg;

	status(w->s, w->js, sizeof w->js);
	return json_num(w->js, "\"master\"", "respawn_failures") >= w->n;
}

START_TEST(startup_failures_are_not_respawned_in_a_loop)
{
	static struct want_failures w;
	struct srv s;
	char out[256];
	int fd, pids[8];
	long long t0, took;

	start(&s, NULL, 1);
	fd = open(s.fail, O_CREAT | O_WRONLY, 0644);
	close(fd);
	status(&s, w.js, sizeof w.js);
	ready_pids(w.js, 0, pids, 8);
	t0 = tl_now_ms();
	kill(pids[0], SIGKILL);
	/* a serving worker is replaced at once; its replacements fail at
	 * start-up and are retried after 100, 200, 400, 800, 1600 ms: the
	 * sixth failure cannot come before 3.1 s, less 4 ms a step for the
	 * master's coarse clock (without the backoff, the master's 250 ms
	 * tick would get there in about 1.5 s) */
	w.s = &s;
	w.n = 6;
	tl_wait_until(failures_reach, &w, 20000, "6 respawn failures");
	took = tl_now_ms() - t0;
	fprintf(stderr, "6 start-up failures in %lld ms\n", took);
	ck_assert_int_ge(took, 3000);
	ck_assert_int_le(json_num(w.js, "\"master\"", "respawn_failures"), 7);
	ck_assert_int_eq(ready_pids(w.js, 0, pids, 8), 0);
	unlink(s.fail);
	/* an operator action starts workers again at once */
	ck_assert_int_eq(ctl(&s, "workers", "1", out, sizeof out), 0);
	wait_ready(&s, 1, 0, 3000);
	ck_assert(get_ok(s.port, "/hello"));
	srv_stop(&s);
}
END_TEST

START_TEST(hung_worker_is_killed_and_replaced)
{
	struct srv s;
	char js[65536];
	int pids[8], fds[2], before;

	start(&s, "worker_hang_timeout_ms 1000\nnum_threads 2\n", 1);
	status(&s, js, sizeof js);
	ready_pids(js, 0, pids, 8);
	before = pids[0];
	for (int i = 0; i < 2; i++) {
		fds[i] = tl_connect(s.port);
		ck_assert_int_eq(tl_send(fds[i], "GET /sleep?20000 HTTP/1.1\r\n"
		                                 "Host: x\r\n\r\n"),
		                 0);
	}
	ck_assert_int_eq(tl_closed_within(fds[0], 6000), 1);
	wait_ready(&s, 1, 0, 3000);
	status(&s, js, sizeof js);
	ready_pids(js, 0, pids, 8);
	ck_assert_int_ne(pids[0], before);
	ck_assert(get_ok(s.port, "/hello"));
	close(fds[0]);
	close(fds[1]);
	srv_stop(&s);
}
END_TEST

/* ---- reloads ------------------------------------------------------------- */

struct reloader {
	struct srv *s;
	int rc;
	_Atomic int done; /* civetctl reload has answered */
};

static void *reload_thread(void *arg)
{
	struct reloader *r = arg;
	char out[4096];

	r->rc = ctl(r->s, "reload", NULL, out, sizeof out);
	atomic_store(&r->done, 1);
	return NULL;
}

/* Send GET /hold on a new connection and wait until its handler runs. */
static int hold_request(struct srv *s)
{
	int fd = tl_connect(s->port);

	ck_assert_int_eq(tl_send(fd, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	wait_in_handler(s, "hold");
	return fd;
}

/* A keep-alive connection, idle after one request, to worker pid. Which
 * worker a new connection reaches is the kernel's choice (the first one
 * waiting on the socket), so this tries for up to 5 s. */
static int idle_conn_on(struct srv *s, int pid)
{
	long long end = tl_now_ms() + 5000;
	int tries = 0;

	while (tl_now_ms() < end) {
		int fd = tl_connect(s->port);

		tries++;
		if (pid_behind(fd) == pid)
			return fd;
		close(fd);
		usleep(2000);
	}
	ck_abort_msg("no connection reached worker %d in 5 s (%d tries)", pid,
	             tries);
	return -1;
}

/* An open WebSocket is counted in its worker's slot, and a reload tells
 * it "going away" (1001) as the old worker drains. */
START_TEST(websockets_are_counted_and_told_going_away_on_reload)
{
	struct srv s;
	char js[65536], out[4096];
	struct wt_frame f;
	int fd;

	start(&s, NULL, 1);
	fd = wt_open(s.port, "/ws", NULL, NULL, NULL, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(wt_send(fd, 0x81, "hi", 2, 0), 0);
	ck_assert_int_eq(wt_read(fd, &f, 10000), 0);
	ck_assert_str_eq((char *)f.payload, "hi");
	wt_free(&f);
	status(&s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"workers\"", "websockets"), 1);
	ck_assert_int_eq(json_num(js, "\"totals\"", "websockets"), 1);
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	ck_assert_int_eq(wt_read_close(fd, 10000), 1001);
	ck_assert_int_eq(tl_closed_within(fd, 10000), 1);
	close(fd);
	status(&s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"totals\"", "websockets"), 0);
	srv_stop(&s);
}
END_TEST

START_TEST(request_in_flight_completes_byte_exact_during_reload)
{
	struct srv s;
	struct reloader rl;
	struct tl_resp r;
	pthread_t tid;
	int fd, idle;

	start(&s, NULL, 2);
	fd = hold_request(&s);
	idle = idle_conn_on(&s, app_note_pid(&s, "hold"));
	rl.s = &s;
	atomic_init(&rl.done, 0);
	pthread_create(&tid, NULL, reload_thread, &rl);
	/* the new generation serves, the old one drains: it closes its idle
	 * connection (so it keeps none alive any more); the reload cannot
	 * answer before the old worker's request has */
	wait_holder_draining(&s);
	ck_assert_int_eq(tl_closed_within(idle, 10000), 1);
	close(idle);
	ck_assert_int_eq(atomic_load(&rl.done), 0);
	release_holds(&s);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_uint_eq(r.body_len, 64 * 1024);
	for (size_t i = 0; i < r.body_len; i++)
		ck_assert_int_eq(r.body[i], 'a' + (int)(i % 26));
	/* the old worker answers its last request with Connection: close */
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	close(fd);
	pthread_join(tid, NULL);
	ck_assert_int_eq(rl.rc, 0);
	ck_assert(get_ok(s.port, "/hello"));
	srv_stop(&s);
}
END_TEST

START_TEST(bad_config_reload_keeps_workers_and_says_where)
{
	struct srv s;
	char js[65536], out[4096], js2[65536];
	int before[8], after[8], n;
	FILE *f;

	start(&s, NULL, 2);
	status(&s, js, sizeof js);
	n = ready_pids(js, 0, before, 8);
	f = fopen(s.conf, "a");
	fprintf(f, "num_threads lots\n");
	fclose(f);
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "civetd.conf:10: num_threads") != NULL, "%s",
	              out);
	status(&s, js2, sizeof js2);
	ck_assert_int_eq(ready_pids(js2, 0, after, 8), n);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(after[i], before[i]);
	ck_assert_ptr_nonnull(strstr(js2, "\"ok\": false"));
	ck_assert_int_eq(json_num(js2, "\"master\"", "generation"), 1);
	ck_assert(get_ok(s.port, "/hello"));
	srv_stop(&s);
}
END_TEST

START_TEST(second_reload_while_one_runs_is_busy)
{
	struct srv s;
	struct reloader rl;
	pthread_t tid;
	char out[4096];
	int fd;

	start(&s, NULL, 1);
	/* the first reload stays half-way while the old worker's /hold
	 * request is in flight */
	fd = hold_request(&s);
	rl.s = &s;
	atomic_init(&rl.done, 0);
	pthread_create(&tid, NULL, reload_thread, &rl);
	wait_holder_draining(&s);
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 1);
	ck_assert_ptr_nonnull(strstr(out, "busy"));
	ck_assert_int_eq(atomic_load(&rl.done), 0);
	release_holds(&s);
	pthread_join(tid, NULL);
	ck_assert_int_eq(rl.rc, 0);
	close(fd);
	srv_stop(&s);
}
END_TEST

static int fd_count(pid_t pid)
{
	char cmd[128], out[64];
	FILE *p;

	snprintf(cmd, sizeof cmd, "ls /proc/%d/fd | wc -l", (int)pid);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(fgets(out, sizeof out, p));
	pclose(p);
	return atoi(out);
}

static long rss_of(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

START_TEST(fifty_reloads_leave_master_fds_and_memory_flat)
{
	struct srv s;
	char out[4096];
	int fds_before;
	long rss_before, rss_after;

	start(&s, NULL, 1);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	fds_before = fd_count(s.pid);
	rss_before = rss_of(s.pid);
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
		ck_assert(get_ok(s.port, "/hello"));
	}
	rss_after = rss_of(s.pid);
	fprintf(stderr,
	        "master after 50 reloads: fds %d -> %d, RSS %ld -> "
	        "%ld KiB\n",
	        fds_before, fd_count(s.pid), rss_before, rss_after);
	ck_assert_int_eq(fd_count(s.pid), fds_before);
#if defined(TL_TSAN)
	/* TSan's shadow memory and history grow with every access; leaks are
	 * ASan's job: only the descriptors are checked here */
	(void)rss_after;
#elif defined(TL_ASAN)
	/* ASan's quarantine keeps freed memory resident; leaks are its job */
	ck_assert_int_lt(rss_after - rss_before, 16 * 1024);
#else
	ck_assert_int_lt(rss_after - rss_before, 512);
#endif
	srv_stop(&s);
}
END_TEST

START_TEST(sighup_reloads_and_sigterm_stops_gracefully)
{
	struct srv s;
	char js[65536];
	struct tl_resp r;
	int fd;

	start(&s, NULL, 1);
	kill(s.pid, SIGHUP);
	wait_ready(&s, 1, 2, 5000);
	status(&s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"master\"", "generation"), 2);
	fd = tl_connect(s.port);
	ck_assert_int_eq(
	    tl_send(fd, "GET /sleep?800 HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	wait_in_handler(&s, "sleep");
	kill(s.pid, SIGTERM);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_uint_eq(r.body_len, 64 * 1024);
	tl_resp_free(&r);
	close(fd);
	ck_assert_int_eq(srv_wait(&s, 10000), 0);
	srv_stop(&s);
}
END_TEST

/* The file's contents ("" if none), at most len - 1 bytes. */
static const char *read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

START_TEST(master_log_follows_a_renamed_error_log)
{
	struct srv s;
	char old[300], out[256], text[16384];

	start(&s, NULL, 1);
	snprintf(old, sizeof old, "%s.1", s.errlog);
	ck_assert_ptr_nonnull(
	    strstr(read_text(s.errlog, text, sizeof text), "listening on"));
	ck_assert_int_eq(rename(s.errlog, old), 0);
	usleep(1300000);
	/* the reload answers after the master has logged it */
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	ck_assert_msg(strstr(read_text(s.errlog, text, sizeof text),
	                     "reload: starting generation 2") != NULL,
	              "not in the new error log: '%s'", text);
	read_text(old, text, sizeof text);
	ck_assert_ptr_nonnull(strstr(text, "listening on"));
	ck_assert_ptr_null(strstr(text, "reload:"));
	srv_stop(&s);
}
END_TEST

START_TEST(workers_command_scales_without_reload)
{
	struct srv s;
	char js[65536], out[256];

	start(&s, NULL, 1);
	ck_assert_int_eq(ctl(&s, "workers", "3", out, sizeof out), 0);
	wait_ready(&s, 3, 1, 5000);
	ck_assert_int_eq(ctl(&s, "workers", "1", out, sizeof out), 0);
	wait_ready(&s, 1, 1, 5000);
	status(&s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"master\"", "generation"), 1);
	ck_assert_int_eq(ctl(&s, "workers", "zero", out, sizeof out), 1);
	srv_stop(&s);
}
END_TEST

struct replaced {
	struct srv *s;
	int old_pid;
};

/* One worker is ready, and it is not old_pid. */
static int one_other_ready(void *arg)
{
	struct replaced *w = arg;
	char js[65536];
	int pids[8];

	status(w->s, js, sizeof js);
	return ready_pids(js, 0, pids, 8) == 1 && pids[0] != w->old_pid;
}

START_TEST(max_requests_per_worker_recycles_without_errors)
{
	struct srv s;
	struct replaced w = {&s, 0};
	char js[65536];
	int first[8];

	start(&s, "max_requests_per_worker 100\n", 1);
	status(&s, js, sizeof js);
	ck_assert_int_eq(ready_pids(js, 0, first, 8), 1);

	for (int i = 0; i < 400; i++)
		ck_assert(get_ok(s.port, "/hello"));
	/* the recycling worker is replaced by a new one */
	w.old_pid = first[0];
	tl_wait_until(one_other_ready, &w, 5000,
	              "one ready worker other than %d", first[0]);
	wait_total(&s, 400);
	srv_stop(&s);
}
END_TEST

static int process_gone(void *arg)
{
	return kill(*(int *)arg, 0) != 0;
}

START_TEST(workers_die_with_their_master)
{
	struct srv s;
	char js[65536];
	int pids[8], n;

	start(&s, NULL, 2);
	status(&s, js, sizeof js);
	n = ready_pids(js, 0, pids, 8);
	ck_assert_int_eq(n, 2);
	kill(s.pid, SIGKILL);
	ck_assert_int_eq(srv_wait(&s, 2000), 128);
	for (int i = 0; i < n; i++)
		tl_wait_until(process_gone, &pids[i], 2000,
		              "worker %d to die with its master", pids[i]);
	srv_stop(&s);
}
END_TEST

/* ---- admin socket -------------------------------------------------------- */

/* Speak the admin protocol without civetctl (which another user may not
 * be allowed to execute where the tests were built). */
static int ask_admin(const char *path, const char *req, char *out, size_t len)
{
	struct sockaddr_un sa;
	size_t n = 0;
	ssize_t r;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return -1;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		return -1;
	while (n + 1 < len && (r = read(fd, out + n, len - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fd);
	return 0;
}

START_TEST(admin_socket_is_private)
{
	struct srv s;
	struct stat st;
	char dir[300];

	start(&s, NULL, 1);
	ck_assert_int_eq(stat(s.sock, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(dir, sizeof dir, "%s/run", s.dir);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 022, 0);
	srv_stop(&s);
}
END_TEST

/* In a child as uid 65534: 0 if the admin socket refused it, 2 if it let
 * it in, 1 if it could not ask, 99 if it could not become that user. */
static void ask_as_nobody(const char *sock)
{
	char out[256];

	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(99);
	if (ask_admin(sock, "status\n", out, sizeof out) != 0)
		_exit(1);
	_exit(strncmp(out, "ERR permission denied", 21) == 0 ? 0 : 2);
}

START_TEST(admin_socket_refuses_other_users)
{
	struct srv s;
	char dir[300];
	int st;
	pid_t pid;

	ck_assert_msg(geteuid() == 0,
	              "needs root, to connect as another user (uid 65534)");
	start(&s, NULL, 1);
	/* another user, even one allowed through the file modes */
	snprintf(dir, sizeof dir, "%s/run", s.dir);
	ck_assert_int_eq(chmod(s.dir, 0755), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(chmod(s.sock, 0666), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		ask_as_nobody(s.sock);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	              "uid 65534 was not refused (child status %#x)", st);
	srv_stop(&s);
}
END_TEST

START_TEST(civetctl_fails_cleanly_without_server)
{
	char out[512];
	const char *argv[] = {tl_env("CIVETCTL_BIN"), "-s",
	                      "/tmp/civetd-test-none/admin.sock", "status",
	                      NULL};

	ck_assert_int_eq(tl_run(argv, out, sizeof out), 1);
	ck_assert_ptr_nonnull(strstr(out, "no server"));
}
END_TEST

/* ---- civetd -t ---------------------------------------------------------- */

START_TEST(check_mode_validates_without_binding)
{
	char *dir = tl_mkdtemp(), good[300], bad[300], out[2048];
	FILE *f;
	const char *argv[] = {tl_env("CIVETD_BIN"), "-t", "-c", good, NULL};
	const char *argv_bad[] = {tl_env("CIVETD_BIN"), "-t", "-c", bad, NULL};

	snprintf(good, sizeof good, "%s/good.conf", dir);
	snprintf(bad, sizeof bad, "%s/bad.conf", dir);
	f = fopen(good, "w");
	/* port 1 is privileged or taken: -t must not try to bind it */
	fprintf(f, "# ok\nlistening_ports 127.0.0.1:1\nnum_workers 2\n");
	fclose(f);
	f = fopen(bad, "w");
	fprintf(f, "listening_ports 8080\n\nno_such_option 1\n");
	fclose(f);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 0);
	ck_assert_int_eq(tl_run(argv_bad, out, sizeof out), 1);
	ck_assert_msg(
	    strstr(out, "bad.conf:3: unknown option 'no_such_option'"), "%s",
	    out);
	f = fopen(bad, "w");
	fprintf(f, "listening_ports 8080x\n");
	fclose(f);
	ck_assert_int_eq(tl_run(argv_bad, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "bad.conf:1: listening_ports"), "%s", out);
	/* a TLS port: the certificate is read, and its key must match */
	tt_make_certs(dir);
	f = fopen(good, "w");
	fprintf(f, "listening_ports 127.0.0.1:1s\nssl_certificate %s\n",
	        tt_path(dir, "server.pem"));
	fclose(f);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 0);
	f = fopen(bad, "w");
	fprintf(f, "listening_ports 127.0.0.1:1s\nssl_certificate %s\n",
	        tt_path(dir, "gone.pem"));
	fclose(f);
	ck_assert_int_eq(tl_run(argv_bad, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "ssl_certificate") && strstr(out, "gone.pem"),
	              "%s", out);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- init_context / exit_context ---------------------------------------- */

START_TEST(init_and_exit_context_run_once_per_worker_process)
{
	struct srv s;
	char out[4096], line[64], what[16];
	int pids[16], inits[16] = {0}, exits[16] = {0}, n = 0, pid;
	FILE *f;

	start(&s, NULL, 2);
	ck_assert(get_ok(s.port, "/hello"));
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	ck_assert(get_ok(s.port, "/hello"));
	kill(s.pid, SIGTERM);
	ck_assert_int_eq(srv_wait(&s, 10000), 0);
	f = fopen(s.applog, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL) {
		int i;

		ck_assert_int_eq(sscanf(line, "%15s %d", what, &pid), 2);
		for (i = 0; i < n && pids[i] != pid; i++)
			;
		if (i == n)
			pids[n++] = pid;
		if (strcmp(what, "init") == 0)
			inits[i]++;
		else if (strcmp(what, "exit") == 0)
			exits[i]++;
	}
	fclose(f);
	ck_assert_int_eq(n, 4); /* two generations of two workers */
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(inits[i], 1);
		ck_assert_int_eq(exits[i], 1);
	}
	srv_stop(&s);
}
END_TEST

/* A TCase of its own for one test, so that the cleanup fixture runs after
 * each test (an unchecked fixture runs once per TCase). */
/* ---- TLS in the workers ---------------------------------------------- */

/* A TLS connection held open after one GET /pid: the pid that answered. */
static int tls_pid(SSL *ssl)
{
	char body[32];

	ck_assert_int_eq(tt_send(ssl, "GET /pid HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tt_read_response(ssl, body, sizeof body), 200);
	return atoi(body);
}

/* Every worker makes its own TLS context, but the ticket keys are the
 * master's: a session one worker began resumes on the other. The
 * connections are held open, so that the balance between the workers
 * sends new ones to both. */
START_TEST(tls_sessions_resume_on_any_worker)
{
	enum { N = 40 };
	char *certs = tl_mkdtemp(), extra[600], js[65536];
	SSL_CTX *cc;
	SSL_SESSION *sess = NULL;
	SSL *held[N];
	int fds[N], first = 0, other = 0;
	struct srv s;

	tt_make_certs(certs);
	snprintf(extra, sizeof extra, "ssl_certificate %s\n",
	         tt_path(certs, "server.pem"));
	srv_start_on(&s, "127.0.0.1:0s", extra, 2);
	status(&s, js, sizeof js);
	s.port = port_of(js);
	cc = tt_client_ctx(tt_path(certs, "ca.pem"), NULL);
	for (int i = 0; i < N; i++) {
		int pid;

		fds[i] = tl_connect(s.port);
		held[i] = SSL_new(cc);
		SSL_set_fd(held[i], fds[i]);
		if (sess != NULL)
			SSL_set_session(held[i], sess);
		ck_assert_int_eq(SSL_connect(held[i]), 1);
		ck_assert_int_eq(SSL_session_reused(held[i]), i > 0);
		pid = tls_pid(held[i]);
		if (i == 0)
			first = pid;
		else if (pid != first)
			other = pid;
		/* the session to resume next (TLS 1.3: the new ticket this
		 * connection got with its response) */
		SSL_SESSION_free(sess);
		sess = SSL_get1_session(held[i]);
	}
	ck_assert_msg(other != 0, "all %d connections went to pid %d", N,
	              first);
	for (int i = 0; i < N; i++)
		tt_close(held[i], fds[i]);
	SSL_SESSION_free(sess);
	SSL_CTX_free(cc);
	srv_stop(&s);
	tl_rmdir(certs);
	free(certs);
}
END_TEST

/* The TLS callbacks are per-process callbacks: in each worker, once,
 * external_ssl_ctx to make the context, init_ssl, then init_context; at
 * the end exit_context, then external_ssl_ctx to free it. With the
 * user_data civetd_run got. */
START_TEST(tls_callbacks_run_once_per_worker_process)
{
	enum { MAXP = 16 };
	static const char *const order[] = {"ssl_ctx_new", "init_ssl", "init",
	                                    "exit", "ssl_ctx_free"};
	char *certs = tl_mkdtemp(), extra[600], js[65536], out[4096];
	char line[64], what[32];
	int pids[MAXP], seen[MAXP] = {0}, n = 0, pid;
	struct srv s;
	FILE *f;

	tt_make_certs(certs);
	snprintf(extra, sizeof extra, "ssl_certificate %s\n",
	         tt_path(certs, "server.pem"));
	srv_start_on(&s, "127.0.0.1:0s", extra, 2);
	status(&s, js, sizeof js);
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	kill(s.pid, SIGTERM);
	ck_assert_int_eq(srv_wait(&s, 10000), 0);
	f = fopen(s.applog, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL) {
		int i;

		ck_assert_int_eq(sscanf(line, "%31s %d", what, &pid), 2);
		ck_assert_str_ne(what, "bad_user_data");
		for (i = 0; i < n && pids[i] != pid; i++)
			;
		if (i == n) {
			ck_assert_int_lt(n, MAXP);
			pids[n++] = pid;
		}
		/* each process says the five in order, each once */
		ck_assert_int_lt(seen[i], 5);
		ck_assert_msg(strcmp(what, order[seen[i]]) == 0,
		              "pid %d: '%s' where '%s' was due", pid, what,
		              order[seen[i]]);
		seen[i]++;
	}
	fclose(f);
	ck_assert_int_eq(n, 4); /* two generations of two workers */
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(seen[i], 5);
	srv_stop(&s);
	tl_rmdir(certs);
	free(certs);
}
END_TEST

static long serial_of_peer(SSL *ssl)
{
	X509 *x = SSL_get1_peer_certificate(ssl);
	long v = x != NULL ? ASN1_INTEGER_get(X509_get_serialNumber(x)) : -1;

	X509_free(x);
	return v;
}

/* A renewed certificate (the file replaced) is taken up by `civetctl
 * reload`: new handshakes get it, and a request in flight on a TLS
 * connection to an old worker completes byte for byte. */
START_TEST(tls_certificate_renewed_by_reload_keeps_requests_in_flight)
{
	char *certs = tl_mkdtemp(), extra[600], js[65536], live[512];
	char body[70000];
	SSL_CTX *cc = tt_client_ctx(NULL, NULL);
	struct reloader rl;
	pthread_t tid;
	struct srv s;
	SSL *held, *fresh;
	int fd, fd2;

	tt_make_certs(certs);
	snprintf(live, sizeof live, "%s", tt_path(certs, "live.pem"));
	tt_replace_file(tt_path(certs, "server.pem"), live);
	snprintf(extra, sizeof extra, "ssl_certificate %s\n", live);
	srv_start_on(&s, "127.0.0.1:0s", extra, 2);
	status(&s, js, sizeof js);
	s.port = port_of(js);
	held = tt_connect(cc, s.port, &fd);
	ck_assert_ptr_nonnull(held);
	ck_assert_int_eq(serial_of_peer(held), 2);
	ck_assert_int_eq(tt_send(held, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	wait_in_handler(&s, "hold");
	tt_replace_file(tt_path(certs, "other.pem"), live);
	rl.s = &s;
	atomic_init(&rl.done, 0);
	pthread_create(&tid, NULL, reload_thread, &rl);
	wait_holder_draining(&s);
	/* the other worker of generation 1 drains too: no old worker may
	 * take the fresh connection */
	wait_ready(&s, 0, 1, 15000);
	fresh = tt_connect(cc, s.port, &fd2);
	ck_assert_ptr_nonnull(fresh);
	ck_assert_int_eq(serial_of_peer(fresh), 7);
	tt_close(fresh, fd2);
	release_holds(&s);
	ck_assert_int_eq(tt_read_response(held, body, sizeof body), 200);
	ck_assert_uint_eq(strlen(body), 64 * 1024);
	for (size_t i = 0; i < 64 * 1024; i++)
		ck_assert_int_eq(body[i], 'a' + (int)(i % 26));
	tt_close(held, fd);
	pthread_join(tid, NULL);
	ck_assert_int_eq(rl.rc, 0);
	SSL_CTX_free(cc);
	srv_stop(&s);
	tl_rmdir(certs);
	free(certs);
}
END_TEST

/* add_domain FILE in the daemon's configuration: every worker adds the
 * domain; SNI gets its certificate and Host its document root. A domain
 * file that cannot be used makes a reload fail with its reason. */
START_TEST(tls_add_domain_in_every_worker)
{
	char *certs = tl_mkdtemp(), extra[1200], js[65536], out[4096];
	char domfile[512], body[64];
	SSL_CTX *cc = tt_client_ctx(NULL, NULL);
	struct srv s;
	FILE *f;

	tt_make_certs(certs);
	tl_write_file(certs, "only-there.txt", "there", 5);
	snprintf(domfile, sizeof domfile, "%s", tt_path(certs, "other.conf"));
	f = fopen(domfile, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "authentication_domain other.test\nssl_certificate %s\n",
	        tt_path(certs, "other.pem"));
	fprintf(f, "document_root %s\n", certs);
	fclose(f);
	snprintf(extra, sizeof extra, "ssl_certificate %s\nadd_domain %s\n",
	         tt_path(certs, "server.pem"), domfile);
	srv_start_on(&s, "127.0.0.1:0s", extra, 2);
	status(&s, js, sizeof js);
	s.port = port_of(js);
	/* both workers have it: several connections, all get the domain's */
	for (int i = 0; i < 6; i++) {
		int fd;
		SSL *ssl = SSL_new(cc);

		fd = tl_connect(s.port);
		SSL_set_fd(ssl, fd);
		SSL_set_tlsext_host_name(ssl, "other.test");
		ck_assert_int_eq(SSL_connect(ssl), 1);
		ck_assert_int_eq(serial_of_peer(ssl), 7);
		ck_assert_int_eq(tt_send(ssl, "GET /only-there.txt HTTP/1.1\r\n"
		                              "Host: other.test\r\n\r\n"),
		                 0);
		ck_assert_int_eq(tt_read_response(ssl, body, sizeof body), 200);
		ck_assert_str_eq(body, "there");
		tt_close(ssl, fd);
	}
	/* a domain file naming a certificate that is gone */
	f = fopen(domfile, "a");
	fprintf(f, "ssl_certificate %s\n", tt_path(certs, "gone.pem"));
	fclose(f);
	ck_assert_int_ne(ctl(&s, "reload", NULL, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "add_domain") && strstr(out, "gone.pem"),
	              "reload said: %s", out);
	SSL_CTX_free(cc);
	srv_stop(&s);
	tl_rmdir(certs);
	free(certs);
}
END_TEST

/* A reload whose certificate cannot be used is refused with the file and
 * the reason; the old workers serve on, open TLS connections too. */
START_TEST(tls_reload_with_bad_certificate_is_refused)
{
	char *certs = tl_mkdtemp(), extra[600], js[65536], out[4096];
	SSL_CTX *cc;
	SSL *ssl;
	int fd;
	struct srv s;
	FILE *f;

	tt_make_certs(certs);
	snprintf(extra, sizeof extra, "ssl_certificate %s\n",
	         tt_path(certs, "server.pem"));
	srv_start_on(&s, "127.0.0.1:0s", extra, 2);
	status(&s, js, sizeof js);
	s.port = port_of(js);
	cc = tt_client_ctx(tt_path(certs, "ca.pem"), NULL);
	ssl = tt_connect(cc, s.port, &fd);
	ck_assert_ptr_nonnull(ssl);
	ck_assert_int_gt(tls_pid(ssl), 0);
	/* the configuration now names a certificate that does not exist */
	f = fopen(s.conf, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "ssl_certificate %s\n", tt_path(certs, "gone.pem"));
	fclose(f);
	ck_assert_int_ne(ctl(&s, "reload", NULL, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "gone.pem") != NULL, "reload said: %s", out);
	/* the open connection and new ones are still served */
	ck_assert_int_gt(tls_pid(ssl), 0);
	tt_close(ssl, fd);
	ssl = tt_connect(cc, s.port, &fd);
	ck_assert_ptr_nonnull(ssl);
	ck_assert_int_gt(tls_pid(ssl), 0);
	tt_close(ssl, fd);
	SSL_CTX_free(cc);
	srv_stop(&s);
	tl_rmdir(certs);
	free(certs);
}
END_TEST

static TCase *own_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tl_cleanup_fixture(tc);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return tc;
}

#define ADD(s, test) tcase_add_test(own_case((s), #test), test)

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_prefork");

	ADD(s, tls_sessions_resume_on_any_worker);
	ADD(s, tls_reload_with_bad_certificate_is_refused);
	ADD(s, tls_callbacks_run_once_per_worker_process);
	ADD(s, tls_add_domain_in_every_worker);
	ADD(s, tls_certificate_renewed_by_reload_keeps_requests_in_flight);

	ADD(s, status_totals_count_requests_across_reloads);
	ADD(s, each_reload_adds_one_generation);
	ADD(s, killed_worker_is_replaced_within_a_second);
	ADD(s, startup_failures_are_not_respawned_in_a_loop);
	ADD(s, hung_worker_is_killed_and_replaced);
	ADD(s, request_in_flight_completes_byte_exact_during_reload);
	ADD(s, websockets_are_counted_and_told_going_away_on_reload);
	ADD(s, bad_config_reload_keeps_workers_and_says_where);
	ADD(s, second_reload_while_one_runs_is_busy);
	ADD(s, fifty_reloads_leave_master_fds_and_memory_flat);
	ADD(s, sighup_reloads_and_sigterm_stops_gracefully);
	ADD(s, master_log_follows_a_renamed_error_log);
	ADD(s, workers_command_scales_without_reload);
	ADD(s, max_requests_per_worker_recycles_without_errors);
	ADD(s, workers_die_with_their_master);
	ADD(s, admin_socket_is_private);
	ADD(s, admin_socket_refuses_other_users);
	ADD(s, civetctl_fails_cleanly_without_server);
	ADD(s, check_mode_validates_without_binding);
	ADD(s, init_and_exit_context_run_once_per_worker_process);
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
