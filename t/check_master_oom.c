/* check_master_oom.c - the master when libevent cannot allocate: a spawn
 * whose control channel cannot be watched starts no child and leaves
 * nothing behind, and an admin client that cannot be served is told so
 * (or dropped) instead of crashing the master. The failures are injected
 * by linking with -Wl,--wrap for the libevent calls in question, so only
 * the library's own calls to them fail. */
#include <check.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "master.h"

/* ---- the failure switches --------------------------------------------- */

static int fail_event_new, fail_bufferevent_new, fail_add_printf;

struct event *__real_event_new(struct event_base *base, evutil_socket_t fd,
                               short what, event_callback_fn cb, void *arg);
struct event *__wrap_event_new(struct event_base *base, evutil_socket_t fd,
                               short what, event_callback_fn cb, void *arg);
struct bufferevent *__real_bufferevent_socket_new(struct event_base *base,
                                                  evutil_socket_t fd,
                                                  int options);
struct bufferevent *__wrap_bufferevent_socket_new(struct event_base *base,
                                                  evutil_socket_t fd,
                                                  int options);
int __wrap_evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...);

struct event *__wrap_event_new(struct event_base *base, evutil_socket_t fd,
                               short what, event_callback_fn cb, void *arg)
{
	if (fail_event_new)
		return NULL;
	return __real_event_new(base, fd, what, cb, arg);
}

struct bufferevent *__wrap_bufferevent_socket_new(struct event_base *base,
                                                  evutil_socket_t fd,
                                                  int options)
{
	if (fail_bufferevent_new)
		return NULL;
	return __real_bufferevent_socket_new(base, fd, options);
}

int __wrap_evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fail_add_printf)
		return -1;
	va_start(ap, fmt);
	n = evbuffer_add_vprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- a master with just what the code under test touches ------------- */

static struct cw_master m;
static char dir[64], log_path[128], sock_path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/civetd-oom-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log_path, sizeof log_path, "%s/error.log", dir);
	snprintf(sock_path, sizeof sock_path, "%s/admin.sock", dir);
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(cw_log_file_open(&m.log, log_path, NULL, 0), 0);
	m.base = event_base_new();
	m.area = cw_stats_area_new();
	ck_assert_ptr_nonnull(m.base);
	ck_assert_ptr_nonnull(m.area);
}

static void teardown(void)
{
	cw_admin_close(&m);
	cw_proctab_clear(&m.procs);
	event_base_free(m.base);
	cw_stats_area_free(m.area);
	cw_log_file_close(&m.log);
	unlink(log_path);
	unlink(sock_path);
	rmdir(dir);
}

static int log_has(const char *text)
{
	char buf[4096];
	int fd = open(log_path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* Run the master's loop until the client fd has its whole answer (EOF),
 * at most 5 s. Returns what it read. */
static size_t converse(int fd, const char *request, char *buf, size_t cap)
{
	long long end = (long long)time(NULL) + 5;
	size_t len = 0;

	if (request != NULL)
		ck_assert_int_eq(
		    send(fd, request, strlen(request), MSG_NOSIGNAL),
		    (ssize_t)strlen(request));
	while ((long long)time(NULL) <= end) {
		ssize_t n;

		event_base_loop(m.base, EVLOOP_NONBLOCK);
		n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			len += (size_t)n;
		else if (errno != EAGAIN)
			break;
		else
			usleep(2000);
	}
	buf[len] = '\0';
	return len;
}

static int dial(void)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, sock_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

static void open_admin(void)
{
	char err[256];

	ck_assert_msg(cw_admin_open(&m, sock_path, err, sizeof err) == 0, "%s",
	              err);
}

/* ---- tests ----------------------------------------------------------- */

START_TEST(spawn_without_an_event_starts_no_child_and_leaks_nothing)
{
	int fds = 0;

	for (int fd = 0; fd < 1024; fd++)
		fds += fcntl(fd, F_GETFD) != -1;
	fail_event_new = 1;
	ck_assert_int_eq(cw_master_spawn(&m, 1, &m.cfg, &m.ls), -1);
	fail_event_new = 0;
	ck_assert_int_eq(cw_proctab_empty(&m.procs), 1);
	ck_assert_int_eq(atomic_load(&m.area->slots[0].state), CW_WORKER_FREE);
	ck_assert_int_eq(cw_proctab_free_slot(m.area), 0);
	/* no child was forked (none to reap), no descriptor left open */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	for (int fd = 0; fd < 1024; fd++)
		fds -= fcntl(fd, F_GETFD) != -1;
	ck_assert_int_eq(fds, 0);
	ck_assert(log_has("cannot start a worker: out of memory"));
}
END_TEST

START_TEST(admin_client_without_a_bufferevent_is_refused)
{
	char buf[256];
	int fd;

	open_admin();
	fail_bufferevent_new = 1;
	fd = dial();
	converse(fd, NULL, buf, sizeof buf);
	fail_bufferevent_new = 0;
	close(fd);
	ck_assert_str_eq(buf, "ERR out of memory\n");
	ck_assert(log_has("admin: out of memory, refusing a client"));
	/* the master serves the next client as usual */
	fd = dial();
	converse(fd, "version\n", buf, sizeof buf);
	close(fd);
	ck_assert_msg(strncmp(buf, "OK\ncivetd ", 10) == 0, "got '%s'", buf);
}
END_TEST

START_TEST(admin_answer_that_cannot_be_queued_drops_the_client)
{
	char buf[256];
	int fd;

	open_admin();
	fd = dial();
	fail_add_printf = 1;
	ck_assert_uint_eq(converse(fd, "version\n", buf, sizeof buf), 0);
	fail_add_printf = 0;
	close(fd);
	ck_assert(log_has("admin: out of memory, dropping a client"));
	fd = dial();
	converse(fd, "help\n", buf, sizeof buf);
	close(fd);
	ck_assert_msg(strncmp(buf, "OK\nstatus", 9) == 0, "got '%s'", buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("master_oom");
	TCase *tc = tcase_create("master_oom");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(
	    tc, spawn_without_an_event_starts_no_child_and_leaks_nothing);
	tcase_add_test(tc, admin_client_without_a_bufferevent_is_refused);
	tcase_add_test(tc, admin_answer_that_cannot_be_queued_drops_the_client);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
