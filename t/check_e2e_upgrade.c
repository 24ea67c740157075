/* check_e2e_upgrade.c - binary upgrades of the real daemon (`civetctl
 * upgrade [PATH]`, SIGUSR2): under a load of keep-alive and
 * `Connection: close` clients not one request fails, the master and the
 * workers are new processes, `civetctl status` answers throughout and its
 * totals never go back, the pid file follows, and the new master can be
 * upgraded again. A new binary that cannot start (exits, cannot be run,
 * refuses the configuration, is never ready) leaves the old master serving
 * with its pid, and the command says why; a reload or a second upgrade
 * while one runs is refused. Under systemd (a datagram socket plays its
 * part) the service's main pid moves to the new master.
 *
 * The test process is a child subreaper, so that a new master (the old
 * one's child) is reparented to it when the old master exits, and can be
 * waited for. Every server runs in a process group of its own that the
 * cleanup fixture kills if a test fails. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

struct srv {
	pid_t pid;  /* the master now */
	pid_t pgid; /* the first master's group: every master and worker */
	char *dir;
	char conf[256], sock[256], errlog[256], pidfile[256];
	char notify[256]; /* NOTIFY_SOCKET for the first master, or "" */
	char fail[256];   /* prefork_app's workers fail while this exists */
	int app;          /* run t/prefork_app (civetd_run in a program) */
	int port;
};

static int ctl(struct srv *s, const char *cmd, const char *arg, char *out,
               size_t len)
{
	return tl_civetctl(s->sock, cmd, arg, out, len);
}

/* A number after "key": in json, from the first section named. */
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

/* The pids of the ready workers, into pids. */
static int ready_pids(const char *json, int *pids, int max)
{
	const char *p = strstr(json, "\"workers\": [");
	int n = 0;

	while (p != NULL && (p = strstr(p, "{\"slot\"")) != NULL && n < max) {
		const char *end = strchr(p, '}');
		const char *st = strstr(p, "\"state\": \"ready\"");

		if (st != NULL && st < end)
			pids[n++] = (int)json_num(p, NULL, "pid");
		p = end;
	}
	return n;
}

static int two_ready(void *arg)
{
	char js[65536];
	int pids[64];

	return ctl(arg, "status", "--json", js, sizeof js) == 0 &&
	       ready_pids(js, pids, 64) == 2;
}

static void write_conf(struct srv *s, const char *extra)
{
	FILE *f = fopen(s->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "# written by check_e2e_upgrade\n"
	        "listening_ports 127.0.0.1:0\nnum_workers 2\nnum_threads 4\n"
	        "enable_keep_alive yes\nkeep_alive_timeout_ms 10000\n"
	        "document_root %s/www\nadmin_socket %s\n"
	        "worker_shutdown_timeout_ms 8000\nerror_log_file %s\n"
	        "pid_file %s\n%s",
	        s->dir, s->sock, s->errlog, s->pidfile, extra ? extra : "");
	fclose(f);
}

/* Port 0 stays 0 here: the new master matches the sockets it is handed
 * to listening_ports entries as written, as a reload does. */

/* The first master: a group of its own, killed if this process dies. */
static void exec_server(struct srv *s, pid_t parent)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (s->notify[0] != '\0')
		setenv("NOTIFY_SOCKET", s->notify, 1);
	if (s->app) {
		setenv("APP_FAIL", s->fail, 1);
		execl(tl_env("PREFORK_APP"), tl_env("PREFORK_APP"),
		      "-config_file", s->conf, (char *)NULL);
	}
	execl(tl_env("CIVETD_BIN"), tl_env("CIVETD_BIN"), "-c", s->conf,
	      (char *)NULL);
	_exit(127);
}

/* Start civetd, or prefork_app if app; notify: a NOTIFY_SOCKET path for
 * it, or NULL. */
static void start_as(struct srv *s, const char *extra, const char *notify,
                     int app)
{
	char js[65536];
	pid_t parent = getpid();
	const char *p;

	memset(s, 0, sizeof *s);
	s->app = app;
	snprintf(s->notify, sizeof s->notify, "%s", notify ? notify : "");
	/* new masters come back to us when the old one exits */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	s->dir = tl_mkdtemp();
	snprintf(s->conf, sizeof s->conf, "%s/civetd.conf", s->dir);
	snprintf(s->sock, sizeof s->sock, "%s/run/admin.sock", s->dir);
	snprintf(s->errlog, sizeof s->errlog, "%s/error.log", s->dir);
	snprintf(s->pidfile, sizeof s->pidfile, "%s/civetd.pid", s->dir);
	snprintf(s->fail, sizeof s->fail, "%s/fail", s->dir);
	snprintf(js, sizeof js, "%s/www", s->dir);
	ck_assert_int_eq(mkdir(js, 0755), 0);
	tl_write_file(js, "index.html", "hello\n", 6);
	write_conf(s, extra);
	tl_env(app ? "PREFORK_APP"
	           : "CIVETD_BIN"); /* fails here, not in the child */
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0)
		exec_server(s, parent);
	setpgid(s->pid, s->pid);
	s->pgid = s->pid;
	tl_track_group(s->pgid);
	tl_wait_until(two_ready, s, 20000, "2 ready workers");
	status(s, js, sizeof js);
	p = strstr(js, "\"ports\": [");
	ck_assert_ptr_nonnull(p);
	s->port = atoi(p + 10);
	ck_assert_int_gt(s->port, 0);
}

static void start(struct srv *s, const char *extra)
{
	start_as(s, extra, NULL, 0);
}

struct proc {
	pid_t pid;
};

static int proc_gone(void *arg)
{
	struct proc *p = arg;
	int st;

	if (waitpid(p->pid, &st, WNOHANG) == p->pid)
		return 1;
	return kill(p->pid, 0) != 0 && errno == ESRCH;
}

/* Wait for process pid (our child: the first master, or a later one made
 * ours by the subreaper) to exit. */
static void wait_exit(pid_t pid, int ms)
{
	struct proc p = {pid};

	tl_wait_until(proc_gone, &p, ms, "process %d to exit", (int)pid);
}

static void stop(struct srv *s)
{
	struct proc p = {s->pid};

	kill(s->pid, SIGTERM);
	if (tl_poll_until(proc_gone, &p, 15000) != 0)
		kill(-s->pgid, SIGKILL);
	else
		tl_untrack_group(s->pgid);
	tl_rmdir(s->dir);
	free(s->dir);
}

static int master_pid(struct srv *s)
{
	char js[65536];

	status(s, js, sizeof js);
	return (int)json_num(js, "\"master\"", "pid");
}

static long long total_requests(struct srv *s)
{
	char js[65536];

	status(s, js, sizeof js);
	return json_num(js, "\"totals\"", "requests");
}

static int pid_in_file(struct srv *s)
{
	FILE *f = fopen(s->pidfile, "r");
	int pid = 0;

	if (f != NULL) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

/* ---- the load ---------------------------------------------------------- */

struct load {
	int port;
	atomic_int stop;
	atomic_long ok, failed;
	char why[256]; /* the first failure */
	pthread_mutex_t lock;
};

struct client {
	struct load *l;
	int keep_alive;
	pthread_t t;
};

static void failure(struct load *l, const char *what, int st)
{
	atomic_fetch_add(&l->failed, 1);
	pthread_mutex_lock(&l->lock);
	if (l->why[0] == '\0')
		snprintf(l->why, sizeof l->why, "%s: %d (errno %d)", what, st,
		         errno);
	pthread_mutex_unlock(&l->lock);
}

static const char req_ka[] = "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n";
static const char req_close[] =
    "GET /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

/* Requests until told to stop; a keep-alive client reconnects only when
 * the server said Connection: close (a draining worker does). */
static void *client_loop(void *arg)
{
	struct client *c = arg;
	struct load *l = c->l;
	int fd = -1;

	while (!atomic_load(&l->stop)) {
		struct tl_resp r;
		int st;

		if (fd < 0 && (fd = tl_connect(l->port)) < 0) {
			failure(l, "connect", fd);
			continue;
		}
		if (tl_send(fd, c->keep_alive ? req_ka : req_close) != 0) {
			failure(l, c->keep_alive ? "send (keep-alive)" : "send",
			        -1);
			close(fd);
			fd = -1;
			continue;
		}
		st = tl_read_response(fd, "GET", &r);
		if (st == 200 && r.body_len == 6)
			atomic_fetch_add(&l->ok, 1);
		else
			failure(l, c->keep_alive ? "keep-alive" : "close", st);
		if (st != 200 || r.closed || !c->keep_alive) {
			close(fd);
			fd = -1;
		}
		tl_resp_free(&r);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

#define CLIENTS 4

struct run {
	struct load l;
	struct client c[CLIENTS];
};

static void load_start(struct run *run, int port)
{
	memset(run, 0, sizeof *run);
	run->l.port = port;
	pthread_mutex_init(&run->l.lock, NULL);
	for (int i = 0; i < CLIENTS; i++) {
		run->c[i].l = &run->l;
		run->c[i].keep_alive = i % 2 == 0;
		ck_assert_int_eq(
		    pthread_create(&run->c[i].t, NULL, client_loop, &run->c[i]),
		    0);
	}
}

struct want_ok {
	struct load *l;
	long n;
};

static int ok_reached(void *arg)
{
	struct want_ok *w = arg;

	return atomic_load(&w->l->ok) >= w->n;
}

/* Wait until the clients have had n more successful requests. */
static void load_more(struct run *run, long n)
{
	struct want_ok w = {&run->l, atomic_load(&run->l.ok) + n};

	tl_wait_until(ok_reached, &w, 30000, "%ld more requests", n);
}

static void load_stop(struct run *run)
{
	atomic_store(&run->l.stop, 1);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(run->c[i].t, NULL);
	pthread_mutex_destroy(&run->l.lock);
	ck_assert_msg(atomic_load(&run->l.failed) == 0,
	              "%ld of %ld requests failed; first: %s",
	              atomic_load(&run->l.failed),
	              atomic_load(&run->l.ok) + atomic_load(&run->l.failed),
	              run->l.why);
}

/* ---- civetctl status throughout ----------------------------------------- */

struct poller {
	struct srv *s;
	atomic_int stop;
	int calls, failed, backwards;
	long long last;
	char why[512];
	pthread_t t;
};

/* totals.requests of a status --json answer, or -1 */
static long long totals_of(const char *json)
{
	const char *p = strstr(json, "\"totals\"");

	p = p ? strstr(p, "\"requests\": ") : NULL;
	return p ? atoll(p + 12) : -1;
}

/* Ask for the status again and again: every answer must come, and the
 * totals must never go back, whichever master answers. */
static void *poll_status(void *arg)
{
	struct poller *p = arg;
	static char js[65536];

	while (!atomic_load(&p->stop)) {
		int rc = ctl(p->s, "status", "--json", js, sizeof js);
		long long v = rc == 0 ? totals_of(js) : -1;

		p->calls++;
		if (rc != 0 || v < 0) {
			if (p->failed++ == 0)
				snprintf(p->why, sizeof p->why, "%.500s", js);
		} else if (v < p->last) {
			if (p->backwards++ == 0)
				snprintf(p->why, sizeof p->why,
				         "totals went from %lld to %lld",
				         p->last, v);
		}
		if (v > p->last)
			p->last = v;
	}
	return NULL;
}

static void poller_start(struct poller *p, struct srv *s)
{
	memset(p, 0, sizeof *p);
	p->s = s;
	ck_assert_int_eq(pthread_create(&p->t, NULL, poll_status, p), 0);
}

static void poller_stop(struct poller *p)
{
	atomic_store(&p->stop, 1);
	pthread_join(p->t, NULL);
	ck_assert_msg(p->failed == 0 && p->backwards == 0,
	              "of %d status calls %d failed, %d went back: %s",
	              p->calls, p->failed, p->backwards, p->why);
	ck_assert_int_gt(p->calls, 0);
}

/* ---- upgrades that work ------------------------------------------------ */

struct want_new {
	struct srv *s;
	int old;
};

static int other_master_answers(void *arg)
{
	struct want_new *w = arg;
	char js[65536];
	int pids[64];

	return ctl(w->s, "status", "--json", js, sizeof js) == 0 &&
	       json_num(js, "\"master\"", "pid") != w->old &&
	       ready_pids(js, pids, 64) == 2;
}

struct want_total {
	struct srv *s;
	long long n;
};

static int total_at_least(void *arg)
{
	struct want_total *w = arg;

	return total_requests(w->s) >= w->n;
}

/* Upgrade s under load (by civetctl, or by SIGUSR2) and check what a user
 * relies on; s then names the new master. */
static void upgrade_under_load(struct srv *s, int by_signal)
{
	struct run run;
	struct poller poller;
	struct want_new w = {s, s->pid};
	struct want_total t = {s, 0};
	char js[65536], out[4096];
	int before[64], after[64], nb, na;
	long long total_before;

	status(s, js, sizeof js);
	nb = ready_pids(js, before, 64);
	ck_assert_int_eq(nb, 2);
	load_start(&run, s->port);
	load_more(&run, 200);
	total_before = total_requests(s);
	poller_start(&poller, s);
	if (by_signal) {
		/* to the whole group, as `systemctl kill -s USR2` does: the
		 * workers ignore it, the master upgrades */
		ck_assert_int_eq(kill(-s->pgid, SIGUSR2), 0);
	} else {
		ck_assert_msg(ctl(s, "upgrade", NULL, out, sizeof out) == 0,
		              "upgrade: %s", out);
		ck_assert_ptr_nonnull(strstr(out, "serving"));
	}
	tl_wait_until(other_master_answers, &w, 30000,
	              "a new master with 2 ready workers");
	wait_exit(w.old, 20000);
	load_more(&run, 200);
	poller_stop(&poller);
	load_stop(&run);
	s->pid = master_pid(s);
	ck_assert_int_ne(s->pid, w.old);
	ck_assert_int_eq(pid_in_file(s), s->pid);
	status(s, js, sizeof js);
	na = ready_pids(js, after, 64);
	ck_assert_int_eq(na, 2);
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			ck_assert_int_ne(after[i], before[j]);
	/* every request the clients saw answered is counted, and the totals
	 * went on from where they were */
	ck_assert_int_ge(total_requests(s), total_before);
	t.n = atomic_load(&run.l.ok);
	tl_wait_until(total_at_least, &t, 5000, "totals.requests >= %lld", t.n);
}

START_TEST(upgrade_under_load_loses_no_request)
{
	struct srv s;

	start(&s, NULL);
	upgrade_under_load(&s, 0);
	stop(&s);
}
END_TEST

START_TEST(sigusr2_upgrades_like_the_command)
{
	struct srv s;
	char line[512];
	FILE *f;
	int found = 0;

	start(&s, NULL);
	upgrade_under_load(&s, 1);
	f = fopen(s.errlog, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		found |= strstr(line, "upgrade (SIGUSR2) done") != NULL;
	fclose(f);
	ck_assert_msg(found, "no 'upgrade (SIGUSR2) done' in the log");
	stop(&s);
}
END_TEST

START_TEST(new_master_can_be_upgraded_again)
{
	struct srv s;
	int first;

	start(&s, NULL);
	first = s.pid;
	upgrade_under_load(&s, 0);
	upgrade_under_load(&s, 0);
	ck_assert_int_ne(s.pid, first);
	ck_assert_int_ge(total_requests(&s), 800);
	stop(&s);
}
END_TEST

/* systemd's side of the notification protocol: a datagram socket. */
static int notify_socket(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

struct notes {
	int fd;
	char all[16384]; /* every datagram so far, one after the other */
	size_t len;
	char want[64];
};

static int note_seen(void *arg)
{
	struct notes *n = arg;
	ssize_t k;

	while (n->len + 1 < sizeof n->all &&
	       (k = recv(n->fd, n->all + n->len, sizeof n->all - n->len - 1,
	                 0)) > 0)
		n->len += (size_t)k;
	n->all[n->len] = '\0';
	return strstr(n->all, n->want) != NULL;
}

START_TEST(systemd_is_told_the_new_main_pid)
{
	struct srv s;
	struct notes n;
	char path[300], *dir = tl_mkdtemp();
	int old;

	snprintf(path, sizeof path, "%s/notify.sock", dir);
	memset(&n, 0, sizeof n);
	n.fd = notify_socket(path);
	start_as(&s, NULL, path, 0);
	snprintf(n.want, sizeof n.want, "READY=1");
	tl_wait_until(note_seen, &n, 10000, "READY=1");
	old = s.pid;
	upgrade_under_load(&s, 0);
	snprintf(n.want, sizeof n.want, "MAINPID=%d\n", (int)s.pid);
	tl_wait_until(note_seen, &n, 10000, "MAINPID=%d", (int)s.pid);
	/* the old master handed the service over: it never said it stops */
	ck_assert_msg(strstr(n.all, "STOPPING=1") == NULL, "%s", n.all);
	ck_assert_int_ne(s.pid, old);
	stop(&s);
	snprintf(n.want, sizeof n.want, "STOPPING=1");
	note_seen(&n);
	close(n.fd);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- upgrades that fail ------------------------------------------------- */

/* An executable script in s's directory. */
static void script(struct srv *s, const char *name, const char *body,
                   char *path, size_t len)
{
	tl_write_file(s->dir, name, body, strlen(body));
	snprintf(path, len, "%s/%s", s->dir, name);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

/* The old master serves on as before: same pid, same workers, a 200. */
static void still_serving(struct srv *s, const int *workers)
{
	char js[65536];
	int pids[64];
	struct tl_resp r;

	ck_assert_int_eq(tl_get(s->port, "/index.html", &r), 200);
	tl_resp_free(&r);
	status(s, js, sizeof js);
	ck_assert_int_eq(json_num(js, "\"master\"", "pid"), s->pid);
	ck_assert_int_eq(ready_pids(js, pids, 64), 2);
	for (int i = 0; i < 2; i++)
		ck_assert(pids[i] == workers[0] || pids[i] == workers[1]);
	ck_assert_int_eq(pid_in_file(s), s->pid);
}

static void workers_of(struct srv *s, int *pids)
{
	char js[65536];

	status(s, js, sizeof js);
	ck_assert_int_eq(ready_pids(js, pids, 64), 2);
}

START_TEST(broken_binary_is_refused_and_old_master_serves_on)
{
	struct srv s;
	char path[300], out[4096];
	int workers[64];

	start(&s, NULL);
	workers_of(&s, workers);
	script(&s, "broken",
	       "#!/bin/sh\necho 'broken build: no way' >&2\n"
	       "exit 1\n",
	       path, sizeof path);
	ck_assert_int_eq(ctl(&s, "upgrade", path, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "exited with status 1: broken build: no "
	                          "way") != NULL,
	              "%s", out);
	still_serving(&s, workers);
	snprintf(path, sizeof path, "%s/missing", s.dir);
	ck_assert_int_eq(ctl(&s, "upgrade", path, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "status 127: cannot run") != NULL, "%s", out);
	still_serving(&s, workers);
	/* and a good one still works after them */
	upgrade_under_load(&s, 0);
	stop(&s);
}
END_TEST

START_TEST(refused_configuration_is_the_answer)
{
	struct srv s;
	char out[4096];
	int workers[64];

	start(&s, NULL);
	workers_of(&s, workers);
	write_conf(&s, "no_such_option 1\n");
	ck_assert_int_eq(ctl(&s, "upgrade", NULL, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "exited with status 1") != NULL &&
	                  strstr(out, "no_such_option") != NULL,
	              "%s", out);
	still_serving(&s, workers);
	stop(&s);
}
END_TEST

/* civetd_run() in a program of its own upgrades the same way; a new
 * master whose workers cannot start is given up at once. */
START_TEST(embedding_program_upgrades_and_failing_workers_are_refused)
{
	struct srv s;
	char out[4096];
	int workers[64], fd;

	start_as(&s, NULL, NULL, 1);
	upgrade_under_load(&s, 0);
	workers_of(&s, workers);
	fd = open(s.fail, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ctl(&s, "upgrade", NULL, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "the new master's workers cannot start: "
	                          "exit status 3") != NULL,
	              "%s", out);
	unlink(s.fail);
	still_serving(&s, workers);
	stop(&s);
}
END_TEST

START_TEST(new_master_never_ready_is_killed_after_the_timeout)
{
	struct srv s;
	char path[300], out[4096];
	int workers[64];

	start(&s, "upgrade_timeout_ms 1500\n");
	workers_of(&s, workers);
	script(&s, "stuck", "#!/bin/sh\nexec sleep 60\n", path, sizeof path);
	ck_assert_int_eq(ctl(&s, "upgrade", path, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "was not ready within 2 s (killed)") != NULL,
	              "%s", out);
	still_serving(&s, workers);
	stop(&s);
}
END_TEST

struct bg_upgrade {
	struct srv *s;
	const char *path;
	int rc;
	char out[4096];
	pthread_t t;
};

static void *upgrade_thread(void *arg)
{
	struct bg_upgrade *b = arg;
	const char *argv[] = {
	    getenv("CIVETCTL_BIN"), "-s", b->s->sock, "upgrade",
	    (char *)b->path,        NULL};

	b->rc = tl_run(argv, b->out, sizeof b->out);
	return NULL;
}

/* The pid in the log line "upgrade: started PATH as pid N", or 0. */
static int started_pid(void *arg)
{
	struct srv *s = arg;
	char line[512];
	const char *p;
	int pid = 0;
	FILE *f = fopen(s->errlog, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, "upgrade: started") != NULL &&
		    (p = strstr(line, " as pid ")) != NULL)
			pid = atoi(p + 8);
	fclose(f);
	return pid;
}

START_TEST(reload_and_second_upgrade_are_refused_while_one_runs)
{
	struct srv s;
	struct bg_upgrade b;
	char path[300], out[4096];
	int workers[64], pid;

	start(&s, NULL);
	workers_of(&s, workers);
	script(&s, "slow", "#!/bin/sh\nexec sleep 60\n", path, sizeof path);
	memset(&b, 0, sizeof b);
	b.s = &s;
	b.path = path;
	ck_assert_int_eq(pthread_create(&b.t, NULL, upgrade_thread, &b), 0);
	tl_wait_until(started_pid, &s, 10000, "the upgrade to start");
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "busy: an upgrade is running") != NULL, "%s",
	              out);
	ck_assert_int_eq(ctl(&s, "upgrade", NULL, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "busy: an upgrade is running") != NULL, "%s",
	              out);
	/* the stuck new master dies: the upgrade answers, the old serves */
	pid = started_pid(&s);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	pthread_join(b.t, NULL);
	ck_assert_int_eq(b.rc, 1);
	ck_assert_msg(strstr(b.out, "was killed by signal 9") != NULL, "%s",
	              b.out);
	still_serving(&s, workers);
	/* and reloads work again */
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	stop(&s);
}
END_TEST

static TCase *own_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 180);
	tl_cleanup_fixture(tc);
	suite_add_tcase(s, tc);
	return tc;
}

int main(void)
{
	Suite *s = suite_create("e2e_upgrade");
	SRunner *sr;
	int failed;

	tcase_add_test(own_case(s, "load"),
	               upgrade_under_load_loses_no_request);
	tcase_add_test(own_case(s, "usr2"), sigusr2_upgrades_like_the_command);
	tcase_add_test(own_case(s, "again"), new_master_can_be_upgraded_again);
	tcase_add_test(own_case(s, "systemd"),
	               systemd_is_told_the_new_main_pid);
	tcase_add_test(own_case(s, "broken"),
	               broken_binary_is_refused_and_old_master_serves_on);
	tcase_add_test(own_case(s, "config"),
	               refused_configuration_is_the_answer);
	tcase_add_test(
	    own_case(s, "embedded"),
	    embedding_program_upgrades_and_failing_workers_are_refused);
	tcase_add_test(own_case(s, "timeout"),
	               new_master_never_ready_is_killed_after_the_timeout);
	tcase_add_test(own_case(s, "busy"),
	               reload_and_second_upgrade_are_refused_while_one_runs);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
