/* check_e2e_notify.c - civetd under a service manager, with this suite
 * playing systemd's part: a datagram socket named in NOTIFY_SOCKET (a
 * path or an abstract name) that must receive READY=1 only once the port
 * answers with every worker ready, RELOADING=1 with the time of the reload
 * and then READY=1 around `civetctl reload` (also a refused one, which
 * must fail the command), and STOPPING=1 on SIGTERM, in that order; and
 * listening sockets handed over as systemd does (LISTEN_FDS, LISTEN_PID),
 * by this suite itself and by systemd-socket-activate when installed.
 *
 * The civetd binary runs in a process group of its own, recorded with
 * testlib's cleanup fixture, so that a failed test leaves nothing behind. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

struct srv {
	pid_t pid;  /* civetd, 0 once reaped */
	pid_t pgid; /* its process group */
	int status;
	char *dir;
	char conf[256], sock[256], errlog[256], notify[160];
	int nfd;     /* our end: the socket named in NOTIFY_SOCKET */
	int pass[2]; /* listening sockets to hand over, -1: none */
	int npass;
	const char *wrapper; /* systemd-socket-activate, or NULL */
	char listen_at[64];  /* its -l argument */
	int port;
};

/* Run argv, its stdout and stderr into out; its exit status. posix_spawn,
 * as in check_e2e_prefork.c. */
static int run(const char *const argv[], char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	ck_assert_int_eq(
	    posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ),
	    0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (n + 1 < len && (r = read(p[0], out + n, len - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int ctl(struct srv *s, const char *cmd, const char *arg, char *out,
               size_t len)
{
	const char *argv[] = {tl_env("CIVETCTL_BIN"),
	                      "-s",
	                      s->sock,
	                      (char *)cmd,
	                      (char *)arg,
	                      NULL};

	return run(argv, out, len);
}

static long long mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* ---- the service manager's side ----------------------------------------- */

/* Bind the notification socket: a file in the test's directory, or an
 * abstract name (written "@name" in NOTIFY_SOCKET). */
static void notify_bind(struct srv *s, int abstract)
{
	struct sockaddr_un sa;
	socklen_t len;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (abstract)
		snprintf(s->notify, sizeof s->notify, "@civetd-test-%d-%lld",
		         (int)getpid(), mono_usec());
	else
		snprintf(s->notify, sizeof s->notify, "%s/notify", s->dir);
	ck_assert_uint_lt(strlen(s->notify), sizeof sa.sun_path);
	memcpy(sa.sun_path, s->notify, strlen(s->notify));
	if (abstract)
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	                  strlen(s->notify) + !abstract);
	s->nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s->nfd, 0);
	ck_assert_int_eq(bind(s->nfd, (struct sockaddr *)&sa, len), 0);
}

/* The next datagram that says more than STATUS=, into buf; fails the
 * test if none comes within 20 s. */
static void next_event(struct srv *s, char *buf, size_t len)
{
	for (;;) {
		struct pollfd p = {s->nfd, POLLIN, 0};
		ssize_t n;

		ck_assert_msg(poll(&p, 1, 20000) == 1,
		              "no notification within 20 s");
		n = recv(s->nfd, buf, len - 1, 0);
		ck_assert_int_gt(n, 0);
		buf[n] = '\0';
		if (strncmp(buf, "STATUS=", 7) != 0 ||
		    strchr(buf, '\n') != buf + n - 1)
			return;
	}
}

/* A line of a datagram: "KEY=" at the start of a line; its value. */
static const char *field(const char *msg, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = msg; p != NULL && *p != '\0';
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, k) == 0)
			return p + k;
	return NULL;
}

static void expect_event(struct srv *s, const char *key, char *buf, size_t len)
{
	next_event(s, buf, len);
	ck_assert_msg(field(buf, key) != NULL, "expected %s, got \"%s\"", key,
	              buf);
}

/* ---- the server -----------------------------------------------------------
 */

static void write_conf(struct srv *s, const char *ports, const char *extra)
{
	FILE *f = fopen(s->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "# written by check_e2e_notify\n"
	        "listening_ports %s\nnum_workers 2\nnum_threads 2\n"
	        "document_root %s\nadmin_socket %s\nerror_log_file %s\n"
	        "worker_shutdown_timeout_ms 3000\n%s",
	        ports, s->dir, s->sock, s->errlog, extra ? extra : "");
	fclose(f);
}

static void srv_init(struct srv *s)
{
	memset(s, 0, sizeof *s);
	s->nfd = -1;
	s->pass[0] = s->pass[1] = -1;
	s->dir = tl_mkdtemp();
	snprintf(s->conf, sizeof s->conf, "%s/civetd.conf", s->dir);
	snprintf(s->sock, sizeof s->sock, "%s/run/admin.sock", s->dir);
	snprintf(s->errlog, sizeof s->errlog, "%s/error.log", s->dir);
	tl_write_file(s->dir, "hello.txt", "hello\n", 6);
}

/* In the child: the passed sockets go to 3, 4, ... as systemd puts them,
 * with LISTEN_FDS and this process's pid in LISTEN_PID (exec keeps it). */
static void hand_over(struct srv *s)
{
	char num[16];

	int high[2];

	/* out of the way first: a passed socket may sit on 3 or 4 */
	for (int i = 0; i < s->npass; i++)
		if ((high[i] = fcntl(s->pass[i], F_DUPFD_CLOEXEC, 100)) < 0)
			_exit(126);
	for (int i = 0; i < s->npass; i++)
		if (dup2(high[i], 3 + i) < 0)
			_exit(126);
	snprintf(num, sizeof num, "%d", s->npass);
	setenv("LISTEN_FDS", num, 1);
	snprintf(num, sizeof num, "%d", (int)getpid());
	setenv("LISTEN_PID", num, 1);
}

static void exec_server(struct srv *s, pid_t parent)
{
	const char *bin = tl_env("CIVETD_BIN");

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (s->notify[0] != '\0')
		setenv("NOTIFY_SOCKET", s->notify, 1);
	if (s->npass > 0)
		hand_over(s);
	if (s->wrapper != NULL)
		execl(s->wrapper, s->wrapper, "-l", s->listen_at, bin, "-c",
		      s->conf, (char *)NULL);
	else
		execl(bin, bin, "-c", s->conf, (char *)NULL);
	_exit(127);
}

static void srv_spawn(struct srv *s)
{
	pid_t parent = getpid();

	tl_env("CIVETD_BIN");
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0)
		exec_server(s, parent);
	setpgid(s->pid, s->pid);
	s->pgid = s->pid;
	tl_track_group(s->pgid);
}

static int port_of(const char *json)
{
	const char *p = strstr(json, "\"ports\": [");

	ck_assert_msg(p != NULL, "%s", json);
	return atoi(p + 10);
}

/* The workers in state ready in `civetctl status --json`. */
static int count_ready(const char *js)
{
	int n = 0;

	for (const char *p = js; (p = strstr(p, "\"state\": \"ready\"")); p++)
		n++;
	return n;
}

static int ready_workers(struct srv *s, char *js, size_t len)
{
	ck_assert_int_eq(ctl(s, "status", "--json", js, len), 0);
	return count_ready(js);
}

static int reaped(void *arg)
{
	struct srv *s = arg;

	if (waitpid(s->pid, &s->status, WNOHANG) != s->pid)
		return 0;
	s->pid = 0;
	return 1;
}

/* SIGTERM, then wait for civetd to exit: its exit status. */
static int srv_stop(struct srv *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		if (tl_poll_until(reaped, s, 20000) != 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &s->status, 0);
			s->pid = 0;
			return -1;
		}
	}
	return WIFEXITED(s->status) ? WEXITSTATUS(s->status) : 128;
}

static void srv_free(struct srv *s)
{
	if (s->pid > 0)
		srv_stop(s);
	if (s->pid == 0)
		tl_untrack_group(s->pgid);
	if (s->nfd >= 0)
		close(s->nfd);
	for (int i = 0; i < 2; i++)
		if (s->pass[i] >= 0)
			close(s->pass[i]);
	tl_rmdir(s->dir);
	free(s->dir);
}

static int get_hello(int port)
{
	struct tl_resp r;
	int st = tl_get(port, "/hello.txt", &r), ok;

	ok = st == 200 && r.body_len == 6 && memcmp(r.body, "hello\n", 6) == 0;
	tl_resp_free(&r);
	return ok;
}

/* Start civetd with a notification socket, wait for READY=1 and check
 * that by then every worker is ready and the port answers. */
static void start_notified(struct srv *s, int abstract, const char *ports)
{
	char msg[512], js[65536];

	notify_bind(s, abstract);
	write_conf(s, ports, NULL);
	srv_spawn(s);
	expect_event(s, "READY=1", msg, sizeof msg);
	ck_assert_int_eq(ready_workers(s, js, sizeof js), 2);
	ck_assert_msg(field(msg, "STATUS=2 of 2 workers ready") != NULL, "%s",
	              msg);
	s->port = port_of(js);
	ck_assert_int_gt(s->port, 0);
	ck_assert(get_hello(s->port));
}

/* ---- the notification protocol --------------------------------------------
 */

START_TEST(ready_reloading_ready_stopping_in_order)
{
	struct srv s;
	char msg[512], out[4096];
	long long before, after, at;
	const char *usec;

	srv_init(&s);
	start_notified(&s, 0, "127.0.0.1:0");
	before = mono_usec();
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	after = mono_usec();
	expect_event(&s, "RELOADING=1", msg, sizeof msg);
	usec = field(msg, "MONOTONIC_USEC=");
	ck_assert_msg(usec != NULL, "no MONOTONIC_USEC in \"%s\"", msg);
	at = atoll(usec);
	ck_assert_msg(at >= before && at <= after,
	              "MONOTONIC_USEC %lld not within the reload [%lld, %lld]",
	              at, before, after);
	expect_event(&s, "READY=1", msg, sizeof msg);
	ck_assert(get_hello(s.port));
	ck_assert_int_eq(srv_stop(&s), 0);
	expect_event(&s, "STOPPING=1", msg, sizeof msg);
	srv_free(&s);
}
END_TEST

START_TEST(abstract_notify_socket_gets_ready_and_stopping)
{
	struct srv s;
	char msg[512];

	srv_init(&s);
	start_notified(&s, 1, "127.0.0.1:0");
	ck_assert_int_eq(srv_stop(&s), 0);
	expect_event(&s, "STOPPING=1", msg, sizeof msg);
	srv_free(&s);
}
END_TEST

/* ExecReload=civetctl reload: a configuration civetd refuses fails the
 * command (so systemctl reload fails), and the service says READY=1
 * again with the reason in its status, serving as before. */
START_TEST(refused_reload_fails_civetctl_and_says_ready_again)
{
	struct srv s;
	char msg[512], out[4096];

	srv_init(&s);
	start_notified(&s, 0, "127.0.0.1:0");
	write_conf(&s, "127.0.0.1:0", "no_such_option 1\n");
	ck_assert_int_ne(ctl(&s, "reload", NULL, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "no_such_option") != NULL, "%s", out);
	expect_event(&s, "RELOADING=1", msg, sizeof msg);
	expect_event(&s, "READY=1", msg, sizeof msg);
	ck_assert_msg(strstr(msg, "last reload failed") != NULL &&
	                  strstr(msg, "no_such_option") != NULL,
	              "%s", msg);
	ck_assert(get_hello(s.port));
	ck_assert_int_eq(srv_stop(&s), 0);
	expect_event(&s, "STOPPING=1", msg, sizeof msg);
	srv_free(&s);
}
END_TEST

struct want_status {
	struct srv *s;
	char msg[512];
};

/* A STATUS= datagram that counts requests (not 0.0 requests/s). */
static int busy_status(void *arg)
{
	struct want_status *w = arg;
	struct pollfd p = {w->s->nfd, POLLIN, 0};
	ssize_t n;

	get_hello(w->s->port);
	if (poll(&p, 1, 100) != 1)
		return 0;
	n = recv(w->s->nfd, w->msg, sizeof w->msg - 1, 0);
	if (n <= 0)
		return 0;
	w->msg[n] = '\0';
	return field(w->msg, "STATUS=") != NULL &&
	       strstr(w->msg, " 0.0 requests/s") == NULL &&
	       strstr(w->msg, "requests/s") != NULL;
}

START_TEST(status_shows_requests_per_second_under_load)
{
	struct want_status w;
	struct srv s;

	srv_init(&s);
	start_notified(&s, 0, "127.0.0.1:0");
	w.s = &s;
	tl_wait_until(busy_status, &w, 20000,
	              "a STATUS= with requests/s above 0");
	ck_assert_msg(strstr(w.msg, "2 of 2 workers ready") != NULL, "%s",
	              w.msg);
	ck_assert_int_eq(srv_stop(&s), 0);
	srv_free(&s);
}
END_TEST

static int file_has(const char *path, const char *text)
{
	char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static int both_ready(void *arg)
{
	struct srv *s = arg;
	char js[65536];

	if (ctl(s, "status", "--json", js, sizeof js) != 0 ||
	    count_ready(js) != 2)
		return 0;
	s->port = port_of(js);
	return 1;
}

/* A NOTIFY_SOCKET that names no socket is logged, and civetd serves. */
START_TEST(unusable_notify_socket_is_logged_and_ignored)
{
	struct srv s;

	srv_init(&s);
	snprintf(s.notify, sizeof s.notify, "relative/notify");
	write_conf(&s, "127.0.0.1:0", NULL);
	srv_spawn(&s);
	tl_wait_until(both_ready, &s, 20000, "both workers to be ready");
	ck_assert(get_hello(s.port));
	ck_assert_msg(file_has(s.errlog, "NOTIFY_SOCKET"),
	              "no log line on the unusable NOTIFY_SOCKET");
	ck_assert_int_eq(srv_stop(&s), 0);
	srv_free(&s);
}
END_TEST

/* ---- socket activation ------------------------------------------------------
 */

/* A listening TCP socket on 127.0.0.1 and a port the kernel chose. */
static int listener(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Which inode the descriptor fd of process pid is, or 0. */
static ino_t inode_of(pid_t pid, int fd)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)pid, fd);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The socket the suite holds listening on port P is civetd's port: were
 * it to bind 127.0.0.1:P itself, that would fail (the port is taken), so
 * an answer there means it adopted the passed one. A second passed socket
 * that no listening_ports entry names is closed, with a log line. */
START_TEST(passed_sockets_are_used_and_strays_closed)
{
	struct srv s;
	char ports[64], js[65536], line[128];
	int port, stray_port;
	struct stat st;

	srv_init(&s);
	s.pass[0] = listener(&port);
	s.pass[1] = listener(&stray_port);
	s.npass = 2;
	snprintf(ports, sizeof ports, "127.0.0.1:%d", port);
	start_notified(&s, 0, ports);
	ck_assert_int_eq(s.port, port);
	ck_assert_int_eq(ready_workers(&s, js, sizeof js), 2);
	snprintf(line, sizeof line, "127.0.0.1:%d", stray_port);
	ck_assert_msg(file_has(s.errlog, line) &&
	                  file_has(s.errlog, "no listening_ports entry"),
	              "no log line on the stray socket %s", line);
	ck_assert_int_eq(fstat(s.pass[1], &st), 0);
	ck_assert_msg(inode_of(s.pid, 4) != st.st_ino,
	              "the master still holds the stray socket");
	ck_assert(get_hello(port));
	ck_assert_int_eq(srv_stop(&s), 0);
	srv_free(&s);
}
END_TEST

/* A reload keeps the adopted socket (and can add a port of its own). */
START_TEST(reload_keeps_a_passed_socket)
{
	struct srv s;
	char ports[64], out[4096], msg[512];
	int port;

	srv_init(&s);
	s.pass[0] = listener(&port);
	s.npass = 1;
	snprintf(ports, sizeof ports, "127.0.0.1:%d", port);
	start_notified(&s, 0, ports);
	snprintf(ports, sizeof ports, "127.0.0.1:%d,127.0.0.1:0", port);
	write_conf(&s, ports, NULL);
	ck_assert_int_eq(ctl(&s, "reload", NULL, out, sizeof out), 0);
	expect_event(&s, "RELOADING=1", msg, sizeof msg);
	expect_event(&s, "READY=1", msg, sizeof msg);
	ck_assert(get_hello(port));
	ck_assert_int_eq(srv_stop(&s), 0);
	srv_free(&s);
}
END_TEST

static int hello_answers(void *arg)
{
	int port = *(int *)arg, fd;
	struct sockaddr_in sa;

	/* tl_get asserts on a refused connection: try it bare first */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	return get_hello(port);
}

/* systemd's own tool: it listens, and execs civetd on the first
 * connection with the socket in LISTEN_FDS. */
START_TEST(systemd_socket_activate_starts_civetd)
{
	static const char tool[] = "/usr/bin/systemd-socket-activate";
	struct srv s;
	char ports[64];
	int port, fd;

	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "skipped: no %s\n", tool);
		return;
	}
	srv_init(&s);
	fd = listener(&port); /* a port the kernel chose, given back now */
	close(fd);
	snprintf(ports, sizeof ports, "127.0.0.1:%d", port);
	snprintf(s.listen_at, sizeof s.listen_at, "127.0.0.1:%d", port);
	s.wrapper = tool;
	write_conf(&s, ports, NULL);
	srv_spawn(&s);
	tl_wait_until(hello_answers, &port, 20000,
	              "civetd to answer on the activated socket");
	ck_assert_int_eq(srv_stop(&s), 0);
	srv_free(&s);
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

int main(void)
{
	Suite *s = suite_create("e2e_notify");
	SRunner *sr;
	int failed;

	ADD(s, ready_reloading_ready_stopping_in_order);
	ADD(s, abstract_notify_socket_gets_ready_and_stopping);
	ADD(s, refused_reload_fails_civetctl_and_says_ready_again);
	ADD(s, status_shows_requests_per_second_under_load);
	ADD(s, unusable_notify_socket_is_logged_and_ignored);
	ADD(s, passed_sockets_are_used_and_strays_closed);
	ADD(s, reload_keeps_a_passed_socket);
	ADD(s, systemd_socket_activate_starts_civetd);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
