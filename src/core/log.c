/* log.c - error and access logging.
 *
 * Each line is formatted into a stack buffer and written with one write()
 * to a file opened with O_APPEND, so lines from many threads (and many
 * worker processes sharing a file) never interleave and no lock is taken.
 * Reopening swaps the new file onto the old descriptor number with dup2(),
 * which is atomic for the threads writing meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

struct cw_log {
	int error_fd;  /* -1 if none */
	int access_fd; /* -1 if none */
};

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static int open_one(const char *path, int *fd, char *err, size_t errlen)
{
	*fd = -1;
	if (path == NULL || *path == '\0')
		return 0;
	*fd = open_append(path);
	if (*fd < 0) {
		snprintf(err, errlen, "cannot open log file '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	return 0;
}

int cw_log_open(struct mg_context *ctx, char *err, size_t errlen)
{
	struct cw_log *log = calloc(1, sizeof *log);

	if (log == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	log->access_fd = -1;
	if (open_one(ctx->opt.value[CW_OPT_ERROR_LOG_FILE], &log->error_fd, err,
	             errlen) != 0 ||
	    open_one(ctx->opt.value[CW_OPT_ACCESS_LOG_FILE], &log->access_fd,
	             err, errlen) != 0) {
		if (log->error_fd >= 0)
			close(log->error_fd);
		free(log);
		return -1;
	}
	ctx->log = log;
	return 0;
}

void cw_log_close(struct mg_context *ctx)
{
	if (ctx->log == NULL)
		return;
	if (ctx->log->error_fd >= 0)
		close(ctx->log->error_fd);
	if (ctx->log->access_fd >= 0)
		close(ctx->log->access_fd);
	free(ctx->log);
	ctx->log = NULL;
}

static int reopen_one(const char *path, int fd)
{
	int nfd;

	if (fd < 0)
		return 0;
	nfd = open_append(path);
	if (nfd < 0)
		return -1;
	if (dup2(nfd, fd) < 0) {
		close(nfd);
		return -1;
	}
	close(nfd);
	return 0;
}

int cw_log_reopen(struct mg_context *ctx)
{
	int rc = 0;

	if (ctx->log == NULL)
		return 0;
	if (reopen_one(ctx->opt.value[CW_OPT_ERROR_LOG_FILE],
	               ctx->log->error_fd) != 0)
		rc = -1;
	if (reopen_one(ctx->opt.value[CW_OPT_ACCESS_LOG_FILE],
	               ctx->log->access_fd) != 0)
		rc = -1;
	return rc;
}

static void write_line(int fd, char *line, size_t len, size_t cap)
{
	if (len >= cap)
		len = cap - 1;
	line[len++] = '\n';
	while (write(fd, line, len) < 0 && errno == EINTR)
		;
}

void cw_log_error(struct mg_context *ctx, const struct mg_connection *conn,
                  const char *fmt, ...)
{
	char msg[1024], line[1400];
	va_list ap;
	struct tm tm;
	time_t now;
	int n;

	if (ctx == NULL && conn != NULL)
		ctx = conn->ctx;
	if (ctx == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ctx->cb.log_message != NULL && ctx->cb.log_message(conn, msg) != 0)
		return;
	if (ctx->log == NULL || ctx->log->error_fd < 0)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof line - 1,
	             "[%04d-%02d-%02dT%02d:%02d:%02dZ] [error] [pid %d] ",
	             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	             tm.tm_min, tm.tm_sec, (int)getpid());
	if (conn != NULL && conn->ri != NULL &&
	    conn->ri->request_method != NULL)
		n += snprintf(line + n, sizeof line - 1 - (size_t)n,
		              "[client %s] %s %s: ", conn->ri->remote_addr,
		              conn->ri->request_method,
		              conn->ri->request_uri ? conn->ri->request_uri : "-");
	n += snprintf(line + n, sizeof line - 1 - (size_t)n, "%s", msg);
	write_line(ctx->log->error_fd, line, (size_t)n, sizeof line);
}

int cw_log_has_access_file(const struct mg_context *ctx)
{
	return ctx->log != NULL && ctx->log->access_fd >= 0;
}

void cw_log_access_write(const struct mg_context *ctx, char *line, size_t len,
                         size_t cap)
{
	if (ctx->log != NULL && ctx->log->access_fd >= 0)
		write_line(ctx->log->access_fd, line, len, cap);
}
