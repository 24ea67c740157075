/* civetctl.c - the admin client: sends one command to the master's admin
 * socket (protocol in src/admin_proto.h) and prints the answer. Exit status
 * 0 on success; 1 with a one-line reason otherwise (no server, permission
 * denied, the command failed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/admin_proto.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: civetctl [-s SOCKET] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  status [--json]  workers, counters, last reload\n"
	    "  reload           re-read the configuration, replace the "
	    "workers\n"
	    "  upgrade [PATH]   run a new binary (PATH, else the same path) "
	    "and hand\n"
	    "                   the sockets over; answers when it serves\n"
	    "  stop             graceful stop\n"
	    "  reopen           reopen the log files\n"
	    "  workers N        run N workers\n"
	    "  config           the options in effect\n"
	    "  version          the server's version\n"
	    "  help             the server's command list\n"
	    "SOCKET defaults to $CIVETD_ADMIN_SOCKET, else %s\n",
	    CW_ADMIN_DEFAULT_SOCKET);
}

static int dial(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "civetctl: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "civetctl: no server at %s: %s\n", path,
		        strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The command line as the protocol wants it ("status --json" becomes
 * "status json"). */
static int build_request(int argc, char **argv, char *out, size_t len)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		int r;

		if (strcmp(w, "--json") == 0)
			w = "json";
		r = snprintf(out + n, len - n, "%s%s", i ? " " : "", w);
		if (r < 0 || (size_t)r >= len - n)
			return -1;
		n += (size_t)r;
	}
	if (n + 2 > len)
		return -1;
	out[n++] = '\n';
	out[n] = '\0';
	return (int)n;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Print the answer: payload to stdout on OK, the reason to stderr on ERR. */
static int read_answer(int fd)
{
	char buf[65536], first[CW_ADMIN_MAX_LINE];
	size_t flen = 0;
	int in_first = 1, ok = -1;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		char *p = buf, *end = buf + n;

		while (in_first && p < end) {
			if (*p == '\n') {
				first[flen] = '\0';
				in_first = 0;
				ok = strcmp(first, "OK") == 0;
				if (!ok)
					fprintf(stderr, "civetctl: %s\n",
					        strncmp(first, "ERR ", 4) == 0
					            ? first + 4
					            : first);
			} else if (flen + 1 < sizeof first) {
				first[flen++] = *p;
			}
			p++;
		}
		if (ok == 1 && p < end &&
		    fwrite(p, 1, (size_t)(end - p), stdout) !=
		        (size_t)(end - p))
			return 1;
	}
	if (ok < 0) {
		fprintf(stderr,
		        "civetctl: the server closed without an answer\n");
		return 1;
	}
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *path = getenv("CIVETD_ADMIN_SOCKET");
	char req[CW_ADMIN_MAX_LINE];
	int i = 1, fd, n, rc;

	if (path == NULL || *path == '\0')
		path = CW_ADMIN_DEFAULT_SOCKET;
	if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	n = build_request(argc - i, argv + i, req, sizeof req);
	if (n < 0) {
		fprintf(stderr, "civetctl: command too long\n");
		return 2;
	}
	fd = dial(path);
	if (fd < 0)
		return 1;
	/* a server that refuses us may answer and close before we have
	 * sent: read its answer even when sending failed */
	if (send_all(fd, req, (size_t)n) == 0)
		shutdown(fd, SHUT_WR);
	rc = read_answer(fd);
	close(fd);
	return rc;
}
