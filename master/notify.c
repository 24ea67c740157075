/* notify.c - the systemd notification protocol, spoken directly.
 *
 * The protocol is one datagram of "KEY=value" lines sent to the AF_UNIX
 * socket whose name systemd puts in $NOTIFY_SOCKET (a path, or an abstract
 * name written with a leading '@'). That is all sd_notify() does; doing
 * it here spares a dependency on libsystemd for twenty lines, and keeps
 * civetd buildable where there is no systemd at all. Credentials need no
 * work: the kernel attaches the sender's pid when systemd asks for them,
 * and the master is the service's main process.
 *
 * Sends never block (the master's loop must not wait on the service
 * manager) and never fail visibly: a datagram that cannot go is dropped,
 * as sd_notify() callers do with its result. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "util/clock.h"

int cw_notify_open(struct cw_notify *n, char *err, size_t errlen)
{
	const char *name = getenv("NOTIFY_SOCKET");
	size_t len;

	memset(n, 0, sizeof *n);
	n->fd = -1;
	if (name == NULL || *name == '\0')
		return 0;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') ||
	    len >= sizeof n->addr.sun_path) {
		snprintf(err, errlen,
		         "NOTIFY_SOCKET: not a socket path or abstract name "
		         "(%.60s)",
		         name);
		unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, name, len);
	if (name[0] == '@')
		n->addr.sun_path[0] = '\0';
	/* a path's length includes its NUL; an abstract name's has none */
	n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	                         (name[0] == '/'));
	unsetenv("NOTIFY_SOCKET");
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		snprintf(err, errlen, "NOTIFY_SOCKET: socket: %s",
		         strerror(errno));
		return -1;
	}
	return 0;
}

static void send_text(struct cw_notify *n, const char *text, size_t len)
{
	if (n->fd < 0 || len == 0)
		return;
	(void)sendto(n->fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL,
	             (const struct sockaddr *)&n->addr, n->addrlen);
}

/* Append "STATUS=text\n" to buf (of size cap, holding *used bytes), with
 * newlines in text turned into spaces: one line is one assignment. */
static void put_status(char *buf, size_t cap, size_t *used, const char *text)
{
	int k;

	if (text == NULL || *text == '\0')
		return;
	k = snprintf(buf + *used, cap - *used, "STATUS=");
	if (k < 0 || (size_t)k >= cap - *used)
		return;
	*used += (size_t)k;
	for (; *text != '\0' && *used + 2 < cap; text++)
		buf[(*used)++] = *text == '\n' ? ' ' : *text;
	buf[(*used)++] = '\n';
	buf[*used] = '\0';
}

static void remember(struct cw_notify *n, const char *status)
{
	if (status == NULL)
		return;
	snprintf(n->last, sizeof n->last, "%s", status);
	n->last_ms = cw_now_ms();
}

void cw_notify_ready(struct cw_notify *n, const char *status)
{
	char buf[512] = "READY=1\n";
	size_t used = strlen(buf);

	put_status(buf, sizeof buf, &used, status);
	send_text(n, buf, used);
	remember(n, status);
}

void cw_notify_reloading(struct cw_notify *n)
{
	struct timespec ts;
	char buf[96];
	int k;

	if (n->fd < 0 || clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return;
	k = snprintf(buf, sizeof buf, "RELOADING=1\nMONOTONIC_USEC=%llu\n",
	             (unsigned long long)ts.tv_sec * 1000000ULL +
	                 (unsigned long long)ts.tv_nsec / 1000ULL);
	send_text(n, buf, (size_t)k);
}

void cw_notify_stopping(struct cw_notify *n)
{
	send_text(n, "STOPPING=1\n", 11);
}

void cw_notify_status(struct cw_notify *n, const char *status,
                      int min_interval_ms)
{
	char buf[512];
	size_t used = 0;

	if (n->fd < 0 || strncmp(n->last, status, sizeof n->last - 1) == 0 ||
	    cw_now_ms() - n->last_ms < min_interval_ms)
		return;
	buf[0] = '\0';
	put_status(buf, sizeof buf, &used, status);
	send_text(n, buf, used);
	remember(n, status);
}

void cw_notify_mainpid(struct cw_notify *n, pid_t pid, int ready)
{
	char buf[64];
	int k = snprintf(buf, sizeof buf, "MAINPID=%d\n%s", (int)pid,
	                 ready ? "READY=1\n" : "");

	send_text(n, buf, (size_t)k);
}

void cw_notify_name(const struct cw_notify *n, char *buf, size_t len)
{
	size_t plen = n->addrlen - offsetof(struct sockaddr_un, sun_path);

	buf[0] = '\0';
	if (n->fd < 0 || plen == 0 || plen >= len)
		return;
	memcpy(buf, n->addr.sun_path, plen);
	buf[plen] = '\0';
	if (buf[0] == '\0') /* abstract: written with a leading '@' */
		buf[0] = '@';
}

void cw_notify_close(struct cw_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
