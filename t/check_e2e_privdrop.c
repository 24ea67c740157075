/* check_e2e_privdrop.c - run_as_user, as root (CI runs the tests as
 * root; otherwise every test says why it skips). The prefork daemon: the
 * master and every worker run as nobody (their /proc status says so,
 * real, effective, saved and file-system ids, and groups), requests are
 * served, a file only root may read is refused because the worker cannot
 * open it, the access log (created by the master for the user) gets its
 * lines, civetctl works as root and as nobody, an unknown user is refused
 * at start and by `civetd -t` with where it was set, and a reload that
 * needs a port below 1024 is refused with the system's reason while the
 * old workers serve on. The library: mg_start binds, then becomes the
 * user, as CivetWeb's does; not root, it cannot, and mg_start fails. */
#include <check.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

#define NOBODY "nobody"

extern char **environ;

static uid_t nobody_uid;
static gid_t nobody_gid;

/* Root, and a user nobody: else say why not and pass. */
static int can_run(void)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		printf("check_e2e_privdrop: skipped, not root (run_as_user "
		       "needs root to drop from)\n");
		return 0;
	}
	pw = getpwnam(NOBODY);
	if (pw == NULL) {
		printf("check_e2e_privdrop: skipped, no user %s\n", NOBODY);
		return 0;
	}
	nobody_uid = pw->pw_uid;
	nobody_gid = pw->pw_gid;
	return 1;
}

/* Every id of /proc/PID/status's line key ("Uid:", "Gid:") is want. */
static int ids_are(pid_t pid, const char *key, unsigned want)
{
	char path[64], line[256];
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned a, b, c, d;

		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		ck_assert_int_eq(
		    sscanf(line + strlen(key), "%u %u %u %u", &a, &b, &c, &d),
		    4);
		ok = a == want && b == want && c == want && d == want;
	}
	fclose(f);
	return ok;
}

/* /proc/PID/status's Groups: is exactly the one group. */
static int groups_are(pid_t pid, unsigned want)
{
	char path[64], line[256], expect[64];
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	snprintf(expect, sizeof expect, "Groups:\t%u \n", want);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "Groups:", 7) == 0)
			ok = strcmp(line, expect) == 0;
	fclose(f);
	return ok;
}

/* ---- the prefork daemon ---------------------------------------------- */

struct daemon {
	pid_t pid;
	char *dir;
	char conf[512], sock[512], access[512], docs[512];
	int port;
};

/* civetctl as root, or as nobody (dropping in the child first). */
static int ctl_as(struct daemon *d, int as_nobody, const char *cmd, char *out,
                  size_t len)
{
	const char *argv[] = {tl_env("CIVETCTL_BIN"),
	                      "-s",
	                      d->sock,
	                      cmd,
	                      cmd && strcmp(cmd, "status") == 0 ? "--json"
	                                                        : NULL,
	                      NULL};
	int p[2], st, exe;
	pid_t pid;
	ssize_t n, got = 0;

	if (!as_nobody)
		return tl_run(argv, out, len);
	/* opened as root: the build directory may be one nobody cannot pass
	 * through (mktemp -d makes it 0700); civetctl itself is 0755 */
	exe = open(argv[0], O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(exe, 0);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (setgroups(0, NULL) != 0 || setgid(nobody_gid) != 0 ||
		    setuid(nobody_uid) != 0)
			_exit(126);
		fexecve(exe, (char *const *)argv, environ);
		_exit(127);
	}
	close(exe);
	close(p[1]);
	while ((size_t)got < len - 1 &&
	       (n = read(p[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int ready_workers(const char *js)
{
	int n = 0;

	for (const char *p = js;
	     (p = strstr(p, "\"state\": \"ready\"")) != NULL; p++)
		n++;
	return n;
}

static int two_ready(void *arg)
{
	char js[65536];

	return ctl_as(arg, 0, "status", js, sizeof js) == 0 &&
	       ready_workers(js) == 2;
}

/* The pids of the workers listed in status json, into pids. */
static int worker_pids(const char *js, pid_t *pids, int max)
{
	const char *p = strstr(js, "\"workers\": [");
	int n = 0;

	while (p != NULL && (p = strstr(p, "{\"slot\"")) != NULL && n < max) {
		const char *q = strstr(p, "\"pid\": ");

		ck_assert_ptr_nonnull(q);
		pids[n++] = (pid_t)atoi(q + 7);
		p = q;
	}
	return n;
}

static void write_conf(struct daemon *d, const char *ports, const char *user)
{
	FILE *f = fopen(d->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "# check_e2e_privdrop\n"
	        "listening_ports %s\nnum_workers 2\nnum_threads 2\n"
	        "admin_socket %s\ndocument_root %s\n"
	        "access_log_file %s\nerror_log_file %s/error.log\n"
	        "pid_file %s/run/civetd.pid\nrun_as_user %s\n",
	        ports, d->sock, d->docs, d->access, d->dir, d->dir, user);
	fclose(f);
}

/* A directory nobody can pass through (0755, root's), with docs/ (a
 * file anyone may read, one only root may) and run/ for the socket. */
static void make_dirs(struct daemon *d)
{
	char path[600];

	memset(d, 0, sizeof *d);
	d->dir = tl_mkdtemp();
	ck_assert_int_eq(chmod(d->dir, 0755), 0);
	snprintf(d->conf, sizeof d->conf, "%s/civetd.conf", d->dir);
	snprintf(d->sock, sizeof d->sock, "%s/run/admin.sock", d->dir);
	snprintf(d->access, sizeof d->access, "%s/access.log", d->dir);
	snprintf(d->docs, sizeof d->docs, "%s/docs", d->dir);
	snprintf(path, sizeof path, "%s/run", d->dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(mkdir(d->docs, 0755), 0);
	tl_write_file(d->docs, "public.txt", "for everyone\n", 13);
	tl_write_file(d->docs, "secret.txt", "root only\n", 10);
	snprintf(path, sizeof path, "%s/secret.txt", d->docs);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

static pid_t spawn(struct daemon *d, const char *flag)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (flag != NULL)
			execl(tl_env("CIVETD_BIN"), tl_env("CIVETD_BIN"), flag,
			      "-c", d->conf, (char *)NULL);
		else
			execl(tl_env("CIVETD_BIN"), tl_env("CIVETD_BIN"), "-c",
			      d->conf, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	tl_track_group(pid);
	return pid;
}

static void daemon_start(struct daemon *d)
{
	char js[65536];
	const char *p;

	make_dirs(d);
	write_conf(d, "127.0.0.1:0", NOBODY);
	tl_env("CIVETD_BIN");
	d->pid = spawn(d, NULL);
	tl_wait_until(two_ready, d, 15000, "2 ready workers");
	ck_assert_int_eq(ctl_as(d, 0, "status", js, sizeof js), 0);
	p = strstr(js, "\"ports\": [");
	ck_assert_ptr_nonnull(p);
	d->port = atoi(p + 10);
}

static void daemon_stop(struct daemon *d)
{
	int st;

	kill(d->pid, SIGTERM);
	ck_assert_int_eq(waitpid(d->pid, &st, 0), d->pid);
	tl_untrack_group(d->pid);
	tl_rmdir(d->dir);
	free(d->dir);
}

static int access_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, ch;

	if (f == NULL)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static int two_lines(void *arg)
{
	return access_lines(arg) >= 2;
}

START_TEST(master_and_workers_run_as_the_user_and_serve)
{
	struct daemon d;
	struct tl_resp r;
	struct stat st;
	char js[65536];
	pid_t pids[8];
	int n;

	if (!can_run())
		return;
	daemon_start(&d);
	ck_assert_msg(ids_are(d.pid, "Uid:", nobody_uid), "master's uids");
	ck_assert_msg(ids_are(d.pid, "Gid:", nobody_gid), "master's gids");
	ck_assert_msg(groups_are(d.pid, nobody_gid), "master's groups");
	ck_assert_int_eq(ctl_as(&d, 0, "status", js, sizeof js), 0);
	n = worker_pids(js, pids, 8);
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(ids_are(pids[i], "Uid:", nobody_uid),
		              "worker %d's uids", (int)pids[i]);
		ck_assert_msg(ids_are(pids[i], "Gid:", nobody_gid),
		              "worker %d's gids", (int)pids[i]);
		ck_assert_msg(groups_are(pids[i], nobody_gid),
		              "worker %d's groups", (int)pids[i]);
	}
	ck_assert_int_eq(tl_get(d.port, "/public.txt", &r), 200);
	ck_assert_str_eq(r.body, "for everyone\n");
	tl_resp_free(&r);
	/* root could read it; the worker cannot */
	ck_assert_int_eq(tl_get(d.port, "/secret.txt", &r), 403);
	ck_assert_ptr_null(strstr(r.body, "root only"));
	tl_resp_free(&r);
	tl_wait_until(two_lines, d.access, 5000, "2 access log lines");
	ck_assert_int_eq(stat(d.access, &st), 0);
	ck_assert_int_eq(st.st_uid, nobody_uid);
	daemon_stop(&d);
}
END_TEST

START_TEST(admin_socket_answers_root_and_the_user)
{
	struct daemon d;
	char out[65536];
	struct stat st;

	if (!can_run())
		return;
	daemon_start(&d);
	ck_assert_int_eq(stat(d.sock, &st), 0);
	ck_assert_int_eq(st.st_uid, nobody_uid);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(ctl_as(&d, 0, "status", out, sizeof out), 0);
	ck_assert_int_eq(ready_workers(out), 2);
	ck_assert_msg(ctl_as(&d, 1, "status", out, sizeof out) == 0,
	              "civetctl as nobody: %s", out);
	ck_assert_int_eq(ready_workers(out), 2);
	daemon_stop(&d);
}
END_TEST

START_TEST(unknown_user_is_refused_at_start_with_where_it_was_set)
{
	struct daemon d;
	char out[4096];
	const char *argv[] = {NULL, "-t", "-c", NULL, NULL};
	int st;
	pid_t pid;

	if (!can_run())
		return;
	make_dirs(&d);
	write_conf(&d, "127.0.0.1:0", "no_such_user_civetd");
	argv[0] = tl_env("CIVETD_BIN");
	argv[3] = d.conf;
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "civetd.conf:10: run_as_user: unknown user "
	                          "'no_such_user_civetd'") != NULL,
	              "%s", out);
	argv[1] = "-c";
	argv[2] = d.conf;
	argv[3] = NULL;
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "civetd.conf:10: run_as_user: unknown user "
	                          "'no_such_user_civetd'") != NULL,
	              "%s", out);
	/* and nothing was left running */
	pid = spawn(&d, NULL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	tl_untrack_group(pid);
	tl_rmdir(d.dir);
	free(d.dir);
}
END_TEST

/* After the drop the master cannot bind a port below 1024: the reload
 * is refused with the reason and the old workers serve on. */
START_TEST(reload_needing_a_privileged_port_is_refused)
{
	struct daemon d;
	struct tl_resp r;
	char out[4096], ports[64];
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	int start = 1024;

	if (!can_run())
		return;
	if (f != NULL) {
		if (fscanf(f, "%d", &start) != 1)
			start = 1024;
		fclose(f);
	}
	if (start <= 1) {
		printf("check_e2e_privdrop: reload test skipped, every port is "
		       "unprivileged here\n");
		return;
	}
	daemon_start(&d);
	snprintf(ports, sizeof ports, "127.0.0.1:0,127.0.0.1:1");
	write_conf(&d, ports, NOBODY);
	ck_assert_int_ne(ctl_as(&d, 0, "reload", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "127.0.0.1:1") != NULL &&
	                  strstr(out, "Permission denied") != NULL,
	              "%s", out);
	ck_assert_int_eq(tl_get(d.port, "/public.txt", &r), 200);
	tl_resp_free(&r);
	daemon_stop(&d);
}
END_TEST

static int has_exited(void *arg)
{
	const pid_t *pid = arg;

	return waitpid(*pid, NULL, WNOHANG) == *pid;
}

static pid_t pid_in_file(const struct daemon *d)
{
	char path[600];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof path, "%s/run/civetd.pid", d->dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

static int is_gone(void *arg)
{
	const pid_t *pid = arg;

	return kill(*pid, 0) != 0;
}

/* Whether the user may run the master's binary (an upgrade runs it as the
 * user; a build under a 0700 directory, as mktemp -d makes, is not). */
static int user_can_exec(pid_t master)
{
	char proc[64], exe[4096];
	ssize_t n;
	pid_t pid;
	int st;

	snprintf(proc, sizeof proc, "/proc/%d/exe", (int)master);
	n = readlink(proc, exe, sizeof exe - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(nobody_gid) != 0 ||
		    setuid(nobody_uid) != 0)
			_exit(2);
		_exit(access(exe, X_OK) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	printf("check_e2e_privdrop: upgrade test skipped, %s cannot run %s\n",
	       NOBODY, exe);
	return 0;
}

/* civetctl upgrade of a master that has dropped to the user: the new
 * binary runs as the user from the start, rewrites the pid file (the
 * user's since the drop) and takes over the sockets. */
START_TEST(upgrade_after_the_drop_runs_as_the_user)
{
	struct daemon d;
	struct tl_resp r;
	struct stat st;
	char out[4096], path[600];
	pid_t next;

	if (!can_run())
		return;
	daemon_start(&d);
	snprintf(path, sizeof path, "%s/run/civetd.pid", d.dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_uid, nobody_uid);
	if (!user_can_exec(d.pid)) {
		daemon_stop(&d);
		return;
	}
	ck_assert_msg(ctl_as(&d, 0, "upgrade", out, sizeof out) == 0,
	              "upgrade: %s", out);
	tl_wait_until(has_exited, &d.pid, 20000, "the old master's exit");
	next = pid_in_file(&d);
	ck_assert_int_ne(next, d.pid);
	ck_assert_msg(ids_are(next, "Uid:", nobody_uid), "new master's uids");
	tl_wait_until(two_ready, &d, 15000, "2 ready workers");
	ck_assert_int_eq(tl_get(d.port, "/public.txt", &r), 200);
	tl_resp_free(&r);
	kill(next, SIGTERM);
	tl_wait_until(is_gone, &next, 15000, "the new master's exit");
	tl_untrack_group(d.pid);
	tl_rmdir(d.dir);
	free(d.dir);
}
END_TEST

/* ---- the library -------------------------------------------------------- */

/* In a child process (the drop is for good): mg_start binds, becomes
 * nobody, serves. Exit codes say which step failed. */
static int library_child(void)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", "run_as_user",
	                      NOBODY, NULL};
	struct mg_callbacks cb;
	struct mg_server_port ports[2];
	struct mg_context *ctx;
	struct tl_resp r;
	int st;

	memset(&cb, 0, sizeof cb);
	ctx = mg_start(&cb, NULL, opts);
	if (ctx == NULL)
		return 10;
	if (getuid() != nobody_uid || geteuid() != nobody_uid ||
	    getgid() != nobody_gid)
		return 11;
	if (setuid(0) == 0)
		return 12;
	if (mg_get_server_ports(ctx, 2, ports) < 1)
		return 13;
	st = tl_get(ports[0].port, "/nothing-here", &r);
	tl_resp_free(&r);
	mg_stop(ctx);
	return st == 404 ? 0 : 14;
}

START_TEST(library_mg_start_becomes_the_user_after_binding)
{
	int st;
	pid_t pid;

	if (!can_run())
		return;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(library_child());
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	              "library child failed with %d", WEXITSTATUS(st));
}
END_TEST

START_TEST(library_unknown_user_fails_mg_start)
{
	char text[256] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	const char *opts[] = {"listening_ports", "127.0.0.1:0", "run_as_user",
	                      "no_such_user_civetd", NULL};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, NULL, opts};

	memset(&cb, 0, sizeof cb);
	ck_assert_ptr_null(mg_start2(&init, &err));
	ck_assert_msg(strstr(text, "unknown user 'no_such_user_civetd'") !=
	                  NULL,
	              "%s", text);
}
END_TEST

/* A process that is not root: run_as_user naming another user fails
 * mg_start with the system's reason (CivetWeb's mg_start fails too);
 * naming the user it already is does nothing. */
static int not_root_child(void)
{
	char text[256] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	const char *other[] = {"listening_ports", "127.0.0.1:0", "run_as_user",
	                       "root", NULL};
	const char *same[] = {"listening_ports", "127.0.0.1:0", "run_as_user",
	                      NOBODY, NULL};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, NULL, other};
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	if (setgroups(0, NULL) != 0 || setgid(nobody_gid) != 0 ||
	    setuid(nobody_uid) != 0)
		return 20;
	if (mg_start2(&init, &err) != NULL)
		return 21;
	if (strstr(text, "run_as_user root: ") == NULL ||
	    strstr(text, "Operation not permitted") == NULL)
		return 22;
	init.configuration_options = same;
	ctx = mg_start2(&init, &err);
	if (ctx == NULL)
		return 23;
	mg_stop(ctx);
	return 0;
}

START_TEST(library_not_root_cannot_change_user)
{
	int st;
	pid_t pid;

	if (!can_run())
		return;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(not_root_child());
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	              "not-root child failed with %d", WEXITSTATUS(st));
}
END_TEST

static TCase *own_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tl_cleanup_fixture(tc);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_privdrop");

	tcase_add_test(own_case(s, "ids"),
	               master_and_workers_run_as_the_user_and_serve);
	tcase_add_test(own_case(s, "admin"),
	               admin_socket_answers_root_and_the_user);
	tcase_add_test(own_case(s, "unknown"),
	               unknown_user_is_refused_at_start_with_where_it_was_set);
	tcase_add_test(own_case(s, "reload"),
	               reload_needing_a_privileged_port_is_refused);
	tcase_add_test(own_case(s, "upgrade"),
	               upgrade_after_the_drop_runs_as_the_user);
	tcase_add_test(own_case(s, "library"),
	               library_mg_start_becomes_the_user_after_binding);
	tcase_add_test(own_case(s, "library_not_root"),
	               library_not_root_cannot_change_user);
	tcase_add_test(own_case(s, "library_unknown"),
	               library_unknown_user_fails_mg_start);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
