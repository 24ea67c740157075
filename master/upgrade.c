/* upgrade.c - binary upgrades that drop no connection, as nginx's USR2 and
 * HAProxy's descriptor hand-off do it (`civetctl upgrade [PATH]`, SIGUSR2).
 *
 * The old master forks and execs the program it was started as (the path
 * /proc/self/exe named at start, its arguments from /proc/self/cmdline),
 * or PATH, with descriptors it keeps open across exec and their meaning in
 * environment variables: the listening sockets with their keys (so that
 * the new master's cw_listen_set_open() reuses them as a reload does, even
 * for port 0), the admin socket and the metrics listener (the new master
 * accepts on the same sockets: no unlink, no moment without a listener),
 * the stats area's memfd (both masters share one area, so that totals
 * never go back and `civetctl status` answers the same from either), a
 * channel back to the old master, and the old master's standard error.
 * The new master's standard error is a pipe to the old one until it is set
 * up, so that a new binary that cannot start says why (its first line is
 * the upgrade's answer); the old master copies what comes through to its
 * own standard error.
 *
 * The new master starts its first generation of workers beside the old
 * ones. When they are all ready (the moment a first start says READY=1)
 * it says MAINPID= to systemd, starts answering on the admin socket and
 * sends READY on the channel; only then does the old master say MAINPID=
 * too (systemd accepts it from the main process only), stop accepting on
 * the admin socket and the metrics listener, answer the command, and drain
 * its workers as a graceful stop does. Its exit closes the channel, which
 * tells the new master it is alone.
 *
 * If the new master cannot exec, exits, says a worker of its cannot
 * start, or is not ready within upgrade_timeout_ms, the old master kills it if
 * it still runs, writes the pid file again and serves on; the slots its workers
 * held are folded (the old master is a child subreaper meanwhile, so those
 * workers, made orphans, are reaped by it). One upgrade at a time; reloads wait
 * until it is over, on either master. */
#include <errno.h>
#include <event2/event.h>
#include <event2/util.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "master.h"
#include "util/clock.h"

#define ENV_PID     "CIVETD_UPGRADE"     /* the new master's pid */
#define ENV_FDS     "CIVETD_UPGRADE_FDS" /* chan stderr stats admin metrics */
#define ENV_LISTEN  "CIVETD_UPGRADE_LISTEN"  /* "fd=key fd=key ..." */
#define ENV_ADMIN   "CIVETD_UPGRADE_ADMIN"   /* the admin socket's path */
#define ENV_METRICS "CIVETD_UPGRADE_METRICS" /* metrics_listen's value */
#define MSG_READY   'R'
#define MSG_FAILED  'F' /* a worker cannot start; the reason follows */
#define SWEEP_TICKS 40  /* how long slots of a gone master are waited for */
#define MAX_CMDLINE (1 << 20)

struct cw_upgrade_run {
	pid_t pid;     /* the new master; 0 once reaped */
	int chan, err; /* the channel; the read end of its standard error */
	struct event *chan_ev, *err_ev;
	char line[300]; /* its first line on standard error */
	size_t line_len;
	int line_done;
	int64_t deadline;
	int timeout_ms;
	int timed_out;
	char worker_failed[320]; /* what it said of its workers, or "" */
	int ready;               /* it serves: this master drains */
	cw_done_fn done;
	void *arg;
};

/* ---- at start --------------------------------------------------------- */

/* The NUL-separated arguments of this process as an argv: one malloc'ed
 * block, the pointers first, then the text. NULL if they cannot be read. */
static char **read_cmdline(void)
{
	char *text = NULL, **argv;
	size_t len = 0, cap = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC), argc = 0;
	ssize_t n = 1;

	if (fd < 0)
		return NULL;
	while (n > 0 && len < MAX_CMDLINE) {
		if (len + 4096 > cap) {
			char *t = realloc(text, cap + 8192);

			if (t == NULL)
				break;
			text = t;
			cap += 8192;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (n != 0 || len == 0) {
		free(text);
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		argc += text[i] == '\0';
	argv = malloc((size_t)(argc + 1) * sizeof *argv + len);
	if (argv != NULL) {
		char *p = (char *)(argv + argc + 1);

		memcpy(p, text, len);
		for (int i = 0; i < argc; i++) {
			argv[i] = p;
			p += strlen(p) + 1;
		}
		argv[argc] = NULL;
	}
	free(text);
	return argv;
}

static void keep_cloexec(int fd)
{
	if (fd >= 0)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* "fd=key fd=key ...": the listening sockets, keyed. */
static struct cw_listen_set *parse_listeners(const char *text)
{
	struct cw_listen_set *ls = calloc(1, sizeof *ls);
	char *copy = strdup(text), *save = NULL, *tok;

	if (ls == NULL || copy == NULL) {
		free(ls);
		free(copy);
		return NULL;
	}
	for (tok = strtok_r(copy, " ", &save);
	     tok != NULL && ls->n < CW_MAX_LISTENERS;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		struct stat st;
		int fd = atoi(tok);

		if (eq == NULL || fd < 3 || fstat(fd, &st) != 0 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		keep_cloexec(fd);
		ls->fds[ls->n] = fd;
		snprintf(ls->keys[ls->n], sizeof ls->keys[0], "%s", eq + 1);
		ls->n++;
	}
	free(copy);
	return ls;
}

static void take_inherited(struct cw_upgrade *u)
{
	const char *pid = getenv(ENV_PID), *fds = getenv(ENV_FDS);
	const char *ls = getenv(ENV_LISTEN), *admin = getenv(ENV_ADMIN);
	const char *metrics = getenv(ENV_METRICS);
	int v[5];

	/* as LISTEN_PID: only the process they were set for takes them */
	if (pid != NULL && fds != NULL && atol(pid) == (long)getpid() &&
	    sscanf(fds, "%d %d %d %d %d", &v[0], &v[1], &v[2], &v[3], &v[4]) ==
	        5) {
		u->inherited = 1;
		u->prev_pid = getppid();
		u->chan = v[0];
		u->real_stderr = v[1];
		u->stats_fd = v[2];
		u->admin_fd = v[3];
		u->metrics_fd = v[4];
		for (int i = 0; i < 5; i++)
			keep_cloexec(v[i]);
		snprintf(u->admin_path, sizeof u->admin_path, "%s",
		         admin != NULL ? admin : "");
		snprintf(u->metrics_addr, sizeof u->metrics_addr, "%s",
		         metrics != NULL ? metrics : "");
		u->listen = parse_listeners(ls != NULL ? ls : "");
	}
	unsetenv(ENV_PID);
	unsetenv(ENV_FDS);
	unsetenv(ENV_LISTEN);
	unsetenv(ENV_ADMIN);
	unsetenv(ENV_METRICS);
}

void cw_upgrade_init(struct cw_master *m)
{
	struct cw_upgrade *u = &m->up;
	ssize_t n = readlink("/proc/self/exe", u->exe, sizeof u->exe - 1);

	u->exe[n > 0 ? n : 0] = '\0';
	u->argv = read_cmdline();
	u->stats_fd = u->chan = u->real_stderr = -1;
	u->admin_fd = u->metrics_fd = -1;
	take_inherited(u);
}

const struct cw_listen_set *cw_upgrade_listeners(struct cw_master *m)
{
	return m->up.inherited ? m->up.listen : NULL;
}

struct cw_stats_area *cw_upgrade_stats_area(struct cw_master *m)
{
	struct cw_upgrade *u = &m->up;
	char err[160];

	if (u->stats_fd >= 0) {
		struct cw_stats_area *a =
		    cw_stats_area_adopt(u->stats_fd, err, sizeof err);

		if (a != NULL)
			return a;
		cw_master_log(m, "upgrade: %s: counting from zero", err);
		close(u->stats_fd);
	}
	return cw_stats_area_new_fd(&u->stats_fd);
}

/* A passed descriptor for what was configured as want, or -1 (and the
 * descriptor closed when the configuration no longer names it). */
static int take(int *fd, const char *had, const char *want)
{
	int got = *fd;

	*fd = -1;
	if (got < 0)
		return -1;
	if (strcmp(had, want) != 0) {
		close(got);
		return -1;
	}
	return got;
}

int cw_upgrade_take_admin(struct cw_master *m, const char *path)
{
	return take(&m->up.admin_fd, m->up.admin_path, path);
}

int cw_upgrade_take_metrics(struct cw_master *m, const char *addr)
{
	int fd = take(&m->up.metrics_fd, m->up.metrics_addr, addr);

	if (fd >= 0 && evutil_make_socket_nonblocking(fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the new master's side ---------------------------------------------- */

/* The previous master's end of the channel closed: it has exited. */
static void on_prev(evutil_socket_t fd, short what, void *arg)
{
	struct cw_master *m = arg;
	struct cw_upgrade *u = &m->up;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	(void)what;
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	event_free(u->chan_ev);
	u->chan_ev = NULL;
	close(u->chan);
	u->chan = -1;
	cw_master_log(m, "upgrade: the previous master (pid %d) has exited",
	              (int)u->prev_pid);
	u->prev_pid = 0;
	u->sweep = SWEEP_TICKS;
	cw_admin_enable(m); /* if it went before this master was ready */
}

void cw_upgrade_setup_done(struct cw_master *m)
{
	struct cw_upgrade *u = &m->up;

	if (u->real_stderr >= 0) {
		(void)dup2(u->real_stderr, 2);
		close(u->real_stderr);
		u->real_stderr = -1;
	}
	if (u->admin_fd >= 0) /* not configured any more */
		close(u->admin_fd);
	if (u->metrics_fd >= 0)
		close(u->metrics_fd);
	u->admin_fd = u->metrics_fd = -1;
	if (u->chan < 0)
		return;
	u->chan_ev =
	    event_new(m->base, u->chan, EV_READ | EV_PERSIST, on_prev, m);
	if (u->chan_ev == NULL || event_add(u->chan_ev, NULL) != 0)
		cw_master_log(m, "upgrade: cannot watch the previous master");
}

void cw_upgrade_ready(struct cw_master *m)
{
	struct cw_upgrade *u = &m->up;
	char msg = MSG_READY;

	if (!u->inherited || u->told_ready)
		return;
	u->told_ready = 1;
	cw_notify_mainpid(&m->notify, getpid(), 0);
	cw_admin_enable(m);
	if (u->chan >= 0 && send(u->chan, &msg, 1, MSG_NOSIGNAL) != 1)
		cw_master_log(m, "upgrade: cannot tell the previous master: %s",
		              strerror(errno));
}

void cw_upgrade_worker_failed(struct cw_master *m, const char *why)
{
	struct cw_upgrade *u = &m->up;
	char msg[330];
	int n;

	if (!u->inherited || u->told_ready || u->chan < 0)
		return;
	n = snprintf(msg, sizeof msg, "%c%s", MSG_FAILED, why);
	(void)send(u->chan, msg, n < (int)sizeof msg ? (size_t)n : sizeof msg,
	           MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* ---- the old master's side: starting the new one -------------------- */

static void put_listeners(const struct cw_listen_set *ls, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < ls->n; i++) {
		int k = snprintf(buf + used, len - used, "%s%d=%s",
		                 i ? " " : "", ls->fds[i], ls->keys[i]);

		if (k < 0 || (size_t)k >= len - used)
			return;
		used += (size_t)k;
	}
}

static void inherit(int fd)
{
	if (fd >= 0)
		(void)fcntl(fd, F_SETFD, 0);
}

/* In the child: make the hand-over's descriptors survive exec, describe
 * them, and exec. Never returns. */
static void exec_new(struct cw_master *m, const char *exe, int chan, int errw)
{
	static char listen[CW_MAX_LISTENERS * 340];
	struct cw_upgrade *u = &m->up;
	int real = dup(2), admin = cw_admin_fd(m);
	char fds[96], pid[24], notify[120];
	sigset_t none;

	/* nothing else crosses: an admin client's socket the new master held
	 * would never see its answer end */
	(void)close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	inherit(chan);
	inherit(real);
	inherit(u->stats_fd);
	inherit(admin);
	inherit(m->metrics_fd);
	for (int i = 0; i < m->ls.n; i++)
		inherit(m->ls.fds[i]);
	put_listeners(&m->ls, listen, sizeof listen);
	snprintf(fds, sizeof fds, "%d %d %d %d %d", chan, real, u->stats_fd,
	         admin, m->metrics_fd);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv(ENV_PID, pid, 1);
	setenv(ENV_FDS, fds, 1);
	setenv(ENV_LISTEN, listen, 1);
	setenv(ENV_ADMIN, cw_config_get(&m->cfg, CW_OPT_ADMIN_SOCKET), 1);
	setenv(ENV_METRICS, m->metrics_addr, 1);
	cw_notify_name(&m->notify, notify, sizeof notify);
	if (*notify != '\0')
		setenv("NOTIFY_SOCKET", notify, 1);
	if (errw != 2) {
		dup2(errw, 2);
		close(errw);
	}
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(exe, u->argv);
	dprintf(2, "cannot run %s: %s\n", exe, strerror(errno));
	_exit(127);
}

static void free_run(struct cw_master *m)
{
	struct cw_upgrade_run *r = m->up.run;

	if (r == NULL)
		return;
	if (r->chan_ev != NULL)
		event_free(r->chan_ev);
	if (r->err_ev != NULL)
		event_free(r->err_ev);
	if (r->chan >= 0)
		close(r->chan);
	if (r->err >= 0)
		close(r->err);
	free(r);
	m->up.run = NULL;
}

/* Keep the first line; pass everything on to this master's standard
 * error. 0 at the end of the pipe, 1 after some bytes, 2 when it would
 * block. */
static int read_err(struct cw_upgrade_run *r)
{
	char buf[4096];
	ssize_t n = read(r->err, buf, sizeof buf);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 2;
	if (n <= 0)
		return 0;
	if (write(2, buf, (size_t)n) < 0) { /* nowhere to copy it: fine */
	}
	for (ssize_t i = 0; i < n && !r->line_done; i++) {
		if (buf[i] == '\n' || r->line_len + 1 >= sizeof r->line)
			r->line_done = r->line_len > 0;
		else
			r->line[r->line_len++] = buf[i];
	}
	r->line[r->line_len] = '\0';
	return 1;
}

static void on_err(evutil_socket_t fd, short what, void *arg)
{
	struct cw_upgrade_run *r = arg;

	(void)fd, (void)what;
	if (read_err(r) == 0) {
		event_free(r->err_ev);
		r->err_ev = NULL;
		close(r->err);
		r->err = -1;
	}
}

/* The new master's workers are all ready: it takes over, this one goes. */
static void hand_over(struct cw_master *m)
{
	struct cw_upgrade_run *r = m->up.run;
	char msg[160];

	r->ready = 1;
	cw_notify_mainpid(&m->notify, r->pid, 0);
	cw_notify_close(&m->notify); /* the service is the new master's */
	cw_admin_hand_over(m);
	cw_metrics_close(m);
	m->up.handed_over = 1;
	snprintf(msg, sizeof msg,
	         "new master %d serving; old master %d draining", (int)r->pid,
	         (int)getpid());
	cw_master_log(m, "upgrade: %s", msg);
	r->done(r->arg, 1, msg);
	r->done = NULL;
	/* the channel stays open until this master exits: its end tells the
	 * new master it is alone */
	cw_master_stop(m, 0);
}

static void on_chan(evutil_socket_t fd, short what, void *arg)
{
	struct cw_master *m = arg;
	struct cw_upgrade_run *r = m->up.run;
	char msg[sizeof r->worker_failed + 1];
	ssize_t n = recv(fd, msg, sizeof msg - 1, MSG_DONTWAIT);

	(void)what;
	if (n >= 1 && msg[0] == MSG_READY && !r->ready) {
		hand_over(m);
	} else if (n >= 1 && msg[0] == MSG_FAILED && !r->ready) {
		msg[n] = '\0';
		snprintf(r->worker_failed, sizeof r->worker_failed, "%s",
		         msg + 1);
		if (r->pid > 0)
			kill(r->pid,
			     SIGKILL); /* its reaping ends the upgrade */
	} else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		event_free(r->chan_ev); /* it exited: its reaping says how */
		r->chan_ev = NULL;
	}
}

static int watch(struct cw_master *m, struct cw_upgrade_run *r)
{
	int fl = fcntl(r->err, F_GETFL);

	if (fl < 0 || fcntl(r->err, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	r->chan_ev =
	    event_new(m->base, r->chan, EV_READ | EV_PERSIST, on_chan, m);
	r->err_ev = event_new(m->base, r->err, EV_READ | EV_PERSIST, on_err, r);
	return r->chan_ev != NULL && r->err_ev != NULL &&
	               event_add(r->chan_ev, NULL) == 0 &&
	               event_add(r->err_ev, NULL) == 0
	           ? 0
	           : -1;
}

/* Fork and exec exe; r gets the child and this side's descriptors. */
static int spawn(struct cw_master *m, struct cw_upgrade_run *r, const char *exe,
                 char *why, size_t len)
{
	int sv[2], ep[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(why, len, "socketpair: %s", strerror(errno));
		return -1;
	}
	if (pipe2(ep, O_CLOEXEC) != 0) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	r->chan = sv[0];
	r->err = ep[0];
	/* orphaned workers of a new master that dies come back to us */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	r->pid = fork();
	if (r->pid == 0)
		exec_new(m, exe, sv[1], ep[1]);
	close(sv[1]);
	close(ep[1]);
	if (r->pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		r->pid = 0;
		return -1;
	}
	if (watch(m, r) != 0) {
		snprintf(why, len, "cannot watch the new master");
		kill(r->pid, SIGKILL);
		return -1;
	}
	return 0;
}

int cw_upgrade_busy(const struct cw_master *m, char *why, size_t len)
{
	const struct cw_upgrade *u = &m->up;

	if (u->run != NULL)
		snprintf(
		    why, len,
		    u->run->ready
		        ? "busy: handing over to the new master (pid %d)"
		        : "busy: an upgrade is running (new master pid %d)",
		    (int)u->run->pid);
	else if (u->prev_pid != 0)
		snprintf(why, len,
		         "busy: an upgrade is running (the previous master, "
		         "pid %d, has not exited yet)",
		         (int)u->prev_pid);
	else
		return 0;
	return 1;
}

void cw_upgrade_begin(struct cw_master *m, const char *path, cw_done_fn done,
                      void *arg)
{
	const char *exe = path != NULL ? path : m->up.exe;
	struct cw_upgrade_run *r;
	char why[400];

	if (m->stopping) {
		done(arg, 0, "the server is stopping");
		return;
	}
	if (m->reload != NULL) {
		done(arg, 0, "busy: a reload is running");
		return;
	}
	if (cw_upgrade_busy(m, why, sizeof why)) {
		done(arg, 0, why);
		return;
	}
	if (*exe == '\0' || m->up.argv == NULL) {
		done(arg, 0,
		     "this program's path or arguments are unknown "
		     "(no /proc?)");
		return;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL) {
		done(arg, 0, "out of memory");
		return;
	}
	r->chan = r->err = -1;
	r->done = done;
	r->arg = arg;
	r->timeout_ms = atoi(cw_config_get(&m->cfg, CW_OPT_UPGRADE_TIMEOUT_MS));
	r->deadline = cw_now_ms() + r->timeout_ms;
	m->up.run = r;
	if (spawn(m, r, exe, why, sizeof why) != 0) {
		r->done = NULL;
		free_run(m);
		cw_master_log(m, "upgrade: cannot start %s: %s", exe, why);
		done(arg, 0, why);
		return;
	}
	cw_master_log(m, "upgrade: started %s as pid %d", exe, (int)r->pid);
}

/* ---- the old master's side: failure ----------------------------------- */

/* The new master is gone before it took over: serve on, say why. */
static void failed(struct cw_master *m, const char *why)
{
	struct cw_upgrade_run *r = m->up.run;
	cw_done_fn done = r->done;
	void *arg = r->arg;
	char err[300];

	cw_master_log(m, "upgrade failed: %s", why);
	free_run(m);
	m->up.sweep = SWEEP_TICKS;
	cw_notify_mainpid(&m->notify, getpid(), 0);
	if (cw_master_write_pid_file(m, err, sizeof err) != 0)
		cw_master_log(m, "upgrade: %s", err);
	if (done != NULL)
		done(arg, 0, why);
}

static void describe(const struct cw_upgrade_run *r, int status, char *buf,
                     size_t len)
{
	char how[64];

	if (r->worker_failed[0] != '\0') {
		snprintf(buf, len, "the new master's workers cannot start: %s",
		         r->worker_failed);
		return;
	}
	if (r->timed_out)
		snprintf(how, sizeof how, "was not ready within %d s (killed)",
		         (r->timeout_ms + 999) / 1000);
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "was killed by signal %d",
		         WTERMSIG(status));
	else
		snprintf(how, sizeof how, "exited with status %d",
		         WEXITSTATUS(status));
	snprintf(buf, len, "the new master %s%s%s", how,
	         r->line_len > 0 ? ": " : "", r->line);
}

/* A worker of a master that died was reaped here (we are its subreaper):
 * fold its slot. */
static void orphan(struct cw_master *m, pid_t pid)
{
	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		struct cw_worker_slot *s = &m->area->slots[i];

		if (atomic_load(&s->state) != CW_WORKER_FREE && s->pid == pid &&
		    cw_proctab_by_slot(&m->procs, i) == NULL)
			cw_stats_fold(m->area, s);
	}
}

void cw_upgrade_reaped(struct cw_master *m, pid_t pid, int status)
{
	struct cw_upgrade_run *r = m->up.run;
	char why[500];

	if (r == NULL || pid != r->pid) {
		orphan(m, pid);
		return;
	}
	r->pid = 0;
	if (r->ready) {
		cw_master_log(m, "upgrade: the new master exited after it took "
		                 "over");
		return;
	}
	while (r->err >= 0 && read_err(r) == 1) /* all it said */
		;
	describe(r, status, why, sizeof why);
	failed(m, why);
}

/* Slots of a master that is gone whose workers are gone too (or never
 * were: claimed, then the master died before the fork) are folded. */
static void sweep(struct cw_master *m)
{
	int left = 0;

	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		struct cw_worker_slot *s = &m->area->slots[i];

		if (atomic_load(&s->state) == CW_WORKER_FREE ||
		    cw_proctab_by_slot(&m->procs, i) != NULL)
			continue;
		if (s->pid == 0 || (kill(s->pid, 0) != 0 && errno == ESRCH))
			cw_stats_fold(m->area, s);
		else
			left++;
	}
	m->up.sweep = left > 0 ? m->up.sweep - 1 : 0;
}

void cw_upgrade_tick(struct cw_master *m)
{
	struct cw_upgrade_run *r = m->up.run;

	if (r != NULL && !r->ready && !r->timed_out && r->pid > 0 &&
	    cw_now_ms() > r->deadline) {
		r->timed_out = 1;
		kill(r->pid, SIGKILL); /* its reaping ends the upgrade */
	}
	if (m->up.sweep > 0 && m->up.run == NULL && m->up.prev_pid == 0)
		sweep(m);
}

void cw_upgrade_abort(struct cw_master *m, const char *why)
{
	struct cw_upgrade_run *r = m->up.run;

	if (r == NULL || r->ready)
		return;
	if (r->pid > 0)
		kill(r->pid, SIGKILL);
	failed(m, why);
}

void cw_upgrade_free(struct cw_master *m)
{
	struct cw_upgrade *u = &m->up;

	if (u->run != NULL && !u->run->ready && u->run->pid > 0)
		kill(u->run->pid, SIGKILL);
	free_run(m);
	if (u->chan_ev != NULL)
		event_free(u->chan_ev);
	u->chan_ev = NULL;
	if (u->chan >= 0)
		close(u->chan);
	if (u->stats_fd >= 0)
		close(u->stats_fd);
	if (u->real_stderr >= 0)
		close(u->real_stderr);
	if (u->admin_fd >= 0)
		close(u->admin_fd);
	if (u->metrics_fd >= 0)
		close(u->metrics_fd);
	u->chan = u->stats_fd = u->real_stderr = -1;
	u->admin_fd = u->metrics_fd = -1;
	free(u->listen);
	u->listen = NULL;
	free(u->argv);
	u->argv = NULL;
}
