/* testlib.c - helpers of the end-to-end suites (see testlib.h). The client
 * side here is deliberately independent of the library under test: plain
 * sockets and a small strict response reader. */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

extern char **environ;

long long tl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tl_poll_until(int (*cond)(void *arg), void *arg, int ms)
{
	long long end = tl_now_ms() + ms;
	int step_us = 1000;

	while (!cond(arg)) {
		if (tl_now_ms() >= end)
			return -1;
		usleep((useconds_t)step_us);
		if (step_us < 16000)
			step_us *= 2;
	}
	return 0;
}

void tl_wait_until(int (*cond)(void *arg), void *arg, int ms, const char *fmt,
                   ...)
{
	char what[512];
	va_list ap;

	if (tl_poll_until(cond, arg, ms) == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	ck_abort_msg("timed out after %d ms waiting for %s", ms, what);
}

/* ---- cleanup that survives a failed test ----------------------------- */

#define MAX_GROUPS 16
#define MAX_DIRS   32

/* Written by the test's process, read by the runner's after the test. A
 * slot is claimed by a compare-and-swap, so threads may record at once. */
struct leftovers {
	_Atomic pid_t groups[MAX_GROUPS]; /* 0: free */
	_Atomic int dir_used[MAX_DIRS];
	char dirs[MAX_DIRS][64];
};

/* Mapped only while a TCase with the cleanup fixture runs. */
static struct leftovers *records;

static void cleanup_begin(void)
{
	void *p = mmap(NULL, sizeof *records, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		perror("testlib: cleanup records");
	else
		records = p; /* zero-filled */
}

static int group_gone(void *arg)
{
	pid_t pgid = *(pid_t *)arg;

	/* a member that is our own child (CK_FORK=no) must be reaped */
	while (waitpid(-pgid, NULL, WNOHANG) > 0)
		;
	return kill(-pgid, 0) != 0 && errno == ESRCH;
}

static void kill_group(pid_t pgid)
{
	fprintf(stderr, "cleanup: killing process group %d\n", (int)pgid);
	kill(-pgid, SIGKILL);
	if (tl_poll_until(group_gone, &pgid, 5000) != 0)
		fprintf(stderr, "cleanup: process group %d survives SIGKILL\n",
		        (int)pgid);
}

static void cleanup_end(void)
{
	if (records == NULL)
		return;
	/* processes first: they may still write into the directories */
	for (int i = 0; i < MAX_GROUPS; i++)
		if (records->groups[i] > 0)
			kill_group(records->groups[i]);
	for (int i = 0; i < MAX_DIRS; i++) {
		char dir[sizeof records->dirs[i]];

		if (!records->dir_used[i])
			continue;
		memcpy(dir, records->dirs[i], sizeof dir);
		fprintf(stderr, "cleanup: removing %s\n", dir);
		tl_rmdir(dir);
	}
	munmap(records, sizeof *records);
	records = NULL;
}

void tl_cleanup_fixture(TCase *tc)
{
	tcase_add_unchecked_fixture(tc, cleanup_begin, cleanup_end);
}

void tl_track_group(pid_t pgid)
{
	for (int i = 0; records != NULL && i < MAX_GROUPS; i++) {
		pid_t free_slot = 0;

		if (atomic_compare_exchange_strong(&records->groups[i],
		                                   &free_slot, pgid))
			return;
	}
	ck_assert_msg(records == NULL, "more than %d process groups to track",
	              MAX_GROUPS);
}

void tl_untrack_group(pid_t pgid)
{
	for (int i = 0; records != NULL && i < MAX_GROUPS; i++) {
		pid_t mine = pgid;

		atomic_compare_exchange_strong(&records->groups[i], &mine, 0);
	}
}

static void track_dir(const char *dir)
{
	for (int i = 0; records != NULL && i < MAX_DIRS; i++) {
		int free_slot = 0;

		if (atomic_compare_exchange_strong(&records->dir_used[i],
		                                   &free_slot, 1)) {
			snprintf(records->dirs[i], sizeof records->dirs[i],
			         "%s", dir);
			return;
		}
	}
	ck_assert_msg(records == NULL, "more than %d directories to track",
	              MAX_DIRS);
}

static void untrack_dir(const char *dir)
{
	for (int i = 0; records != NULL && i < MAX_DIRS; i++)
		if (records->dir_used[i] && strcmp(records->dirs[i], dir) == 0)
			atomic_store(&records->dir_used[i], 0);
}

/* ---- servers and clients ------------------------------------------------ */

struct mg_context *tl_start(const struct mg_callbacks *cb, void *user_data,
                            const char **opts, int *port)
{
	const char *all[128];
	struct mg_callbacks none;
	struct mg_server_port ports[4];
	struct mg_context *ctx;
	int n = 0;

	all[n++] = "listening_ports";
	all[n++] = "127.0.0.1:0";
	for (int i = 0; opts != NULL && opts[i] != NULL && n < 124; i += 2) {
		all[n++] = opts[i];
		all[n++] = opts[i + 1];
	}
	all[n] = NULL;
	memset(&none, 0, sizeof none);
	ctx = mg_start(cb ? cb : &none, user_data, all);
	ck_assert_msg(ctx != NULL, "mg_start failed");
	ck_assert_int_ge(mg_get_server_ports(ctx, 4, ports), 1);
	*port = ports[0].port;
	return ctx;
}

const char *tl_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL, "%s is not set (run through make check)",
	              name);
	return v;
}

int tl_free_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

int tl_listening(void *arg)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)*(int *)arg);
	ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

int tl_connect(int port)
{
	struct sockaddr_in a;
	struct timeval tv = {10, 0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

int tl_send_n(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int tl_send(int fd, const char *s)
{
	return tl_send_n(fd, s, strlen(s));
}

/* Buffered reading state is kept per fd for pipelined responses. */
struct rbuf {
	int fd;
	char data[65536];
	size_t len;
};
static __thread struct rbuf rb;

static int fill(int fd)
{
	ssize_t n;

	if (rb.fd != fd) {
		rb.fd = fd;
		rb.len = 0;
	}
	if (rb.len == sizeof rb.data)
		return -1;
	do {
		n = recv(fd, rb.data + rb.len, sizeof rb.data - rb.len, 0);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	rb.len += (size_t)n;
	return 0;
}

static void drop(size_t n)
{
	memmove(rb.data, rb.data + n, rb.len - n);
	rb.len -= n;
}

static int read_exact(int fd, char *out, size_t n)
{
	while (n > 0) {
		size_t take;

		if ((rb.fd != fd || rb.len == 0) && fill(fd) != 0)
			return -1;
		take = rb.len < n ? rb.len : n;
		memcpy(out, rb.data, take);
		drop(take);
		out += take;
		n -= take;
	}
	return 0;
}

static int read_line(int fd, char *out, size_t cap)
{
	for (;;) {
		char *nl = rb.fd == fd ? memchr(rb.data, '\n', rb.len) : NULL;

		if (nl != NULL) {
			size_t n = (size_t)(nl - rb.data) + 1;

			if (n >= cap)
				return -1;
			memcpy(out, rb.data, n);
			out[n] = '\0';
			drop(n);
			return 0;
		}
		if (fill(fd) != 0)
			return -1;
	}
}

static void append(struct tl_resp *r, const char *p, size_t n)
{
	r->body = realloc(r->body, r->body_len + n + 1);
	memcpy(r->body + r->body_len, p, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static int read_chunked(int fd, struct tl_resp *r)
{
	char line[256], *buf;

	for (;;) {
		unsigned long n;

		if (read_line(fd, line, sizeof line) != 0)
			return -1;
		n = strtoul(line, NULL, 16);
		if (n == 0)
			break;
		buf = malloc(n + 2);
		if (read_exact(fd, buf, n + 2) != 0) {
			free(buf);
			return -1;
		}
		append(r, buf, n);
		free(buf);
	}
	do { /* trailers */
		if (read_line(fd, line, sizeof line) != 0)
			return -1;
	} while (strcmp(line, "\r\n") != 0);
	return 0;
}

static int read_head(int fd, struct tl_resp *r)
{
	for (;;) {
		char *end =
		    rb.fd == fd ? memmem(rb.data, rb.len, "\r\n\r\n", 4) : NULL;

		if (end != NULL) {
			size_t n = (size_t)(end - rb.data) + 4;

			if (n >= sizeof r->head)
				return -1;
			memcpy(r->head, rb.data, n);
			r->head[n] = '\0';
			drop(n);
			return 0;
		}
		if (fill(fd) != 0)
			return -1;
	}
}

int tl_read_response(int fd, const char *method, struct tl_resp *r)
{
	const char *cl, *te, *conn;

	memset(r, 0, sizeof *r);
	r->body = calloc(1, 1);
	do {
		if (read_head(fd, r) != 0 ||
		    sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
			return -1;
	} while (r->status >= 100 && r->status < 200 && r->status != 101);
	cl = tl_header(r, "Content-Length");
	te = tl_header(r, "Transfer-Encoding");
	if (strcmp(method, "HEAD") == 0 || r->status == 204 ||
	    r->status == 304) {
		/* no body */
	} else if (te != NULL && strcasestr(te, "chunked") != NULL) {
		r->chunked = 1;
		if (read_chunked(fd, r) != 0)
			return -1;
	} else if (cl != NULL) {
		size_t n = strtoul(cl, NULL, 10);
		char *buf = malloc(n + 1);

		if (read_exact(fd, buf, n) != 0) {
			free(buf);
			return -1;
		}
		append(r, buf, n);
		free(buf);
	} else {
		char buf[4096];
		ssize_t n;

		if (rb.fd == fd && rb.len > 0) {
			append(r, rb.data, rb.len);
			rb.len = 0;
		}
		while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
			append(r, buf, (size_t)n);
		r->closed = 1;
	}
	conn = tl_header(r, "Connection");
	if (conn != NULL && strcasecmp(conn, "close") == 0)
		r->closed = 1;
	return r->status;
}

void tl_resp_free(struct tl_resp *r)
{
	free(r->body);
	r->body = NULL;
}

int tl_request(int port, const char *raw, struct tl_resp *r)
{
	int fd = tl_connect(port), st;
	char method[16] = "";

	sscanf(raw, "%15s", method);
	ck_assert_int_eq(tl_send(fd, raw), 0);
	st = tl_read_response(fd, method, r);
	close(fd);
	rb.fd = -1;
	rb.len = 0;
	return st;
}

int tl_get(int port, const char *path, struct tl_resp *r)
{
	char req[4096];

	snprintf(req, sizeof req,
	         "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: "
	         "close\r\n\r\n",
	         path);
	return tl_request(port, req, r);
}

const char *tl_header(const struct tl_resp *r, const char *name)
{
	static __thread char value[4096];
	size_t nl = strlen(name);
	const char *p = strstr(r->head, "\r\n");

	while (p != NULL && p[2] != '\r') {
		const char *line = p + 2, *eol = strstr(line, "\r\n");

		if (eol == NULL)
			break;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			size_t n;

			while (*v == ' ')
				v++;
			n = (size_t)(eol - v);
			if (n >= sizeof value)
				n = sizeof value - 1;
			memcpy(value, v, n);
			value[n] = '\0';
			return value;
		}
		p = eol;
	}
	return NULL;
}

int tl_closed_within(int fd, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	long long end = tl_now_ms() + ms;

	for (;;) {
		char c;
		int left = (int)(end - tl_now_ms());

		if (left < 0)
			return 0;
		if (poll(&p, 1, left) <= 0)
			return 0;
		if (recv(fd, &c, 1, MSG_DONTWAIT) <= 0)
			return 1;
	}
}

size_t tl_read_all(int fd, char *buf, size_t cap, int ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	size_t len = 0;
	long long end = tl_now_ms() + ms;

	if (rb.fd == fd && rb.len > 0) {
		len = rb.len < cap ? rb.len : cap;
		memcpy(buf, rb.data, len);
		rb.len = 0;
	}
	while (len < cap) {
		int left = (int)(end - tl_now_ms());
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, buf + len, cap - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return len;
}

char *tl_mkdtemp(void)
{
	char tmpl[] = "/tmp/civetd-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	track_dir(d);
	return strdup(d);
}

void tl_rmdir(const char *dir)
{
	char cmd[512];

	if (dir == NULL || strncmp(dir, "/tmp/civetd-test-", 17) != 0)
		return;
	untrack_dir(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

void tl_write_file(const char *dir, const char *name, const char *data,
                   size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

int tl_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

long tl_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

void tl_http_date(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void tl_file_validators(const char *dir, const char *name, char *etag,
                        size_t elen, char *date, size_t dlen, time_t *mtime)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	ck_assert_int_eq(stat(p, &st), 0);
	snprintf(etag, elen, "\"%lx.%lld\"", (unsigned long)st.st_mtime,
	         (long long)st.st_size);
	tl_http_date(st.st_mtime, date, dlen);
	if (mtime != NULL)
		*mtime = st.st_mtime;
}

int tl_ask(int port, const char *method, const char *target, const char *extra,
           struct tl_resp *r)
{
	char raw[8192];

	snprintf(raw, sizeof raw,
	         "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
	         "%s\r\n",
	         method, target, extra ? extra : "");
	return tl_request(port, raw, r);
}

/* ---- running a program ------------------------------------------------- */

/* posix_spawn, not fork: the test process has threads (a server's), and
 * a forked child of a threaded process may run nothing but
 * async-signal-safe code before exec (under ThreadSanitizer a forked
 * child could deadlock in the sanitizer's own locks). The pipe is
 * close-on-exec, so that a program another thread starts meanwhile does
 * not hold it open (dup2 clears the flag on 1 and 2). */
int tl_run(const char *const argv[], char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	ck_assert_msg(argv[0] != NULL, "no program (run through make check)");
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
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int tl_civetctl(const char *sock, const char *cmd, const char *arg, char *out,
                size_t len)
{
	const char *argv[] = {
	    tl_env("CIVETCTL_BIN"), "-s", sock, cmd, arg, NULL};

	return tl_run(argv, out, len);
}
