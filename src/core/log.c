/* log.c - error and access logging.
 *
 * Each line is formatted into a stack buffer and written with one write()
 * to a file opened with O_APPEND, so lines from many threads (and many
 * worker processes sharing a file) never interleave and no lock is taken.
 * Reopening swaps the new file onto the old descriptor number with dup3(),
 * which is atomic for the threads writing meanwhile: each write goes to
 * the old file or the new one, never to a closed or reused descriptor.
 *
 * Files stay open (CivetWeb reopens for every line), so a rotation that
 * renames or removes the file without telling us would leave us writing
 * to a file nobody reads. Hence each file's writers check, at most once a
 * second, that the path still names the open file (stat of the path
 * against fstat of the descriptor: device and inode). The hot path costs
 * a coarse clock read and a relaxed atomic load; the one writer that wins
 * a compare-and-swap on the next check time does the stat and, if needed,
 * the reopen, while the others write on. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "util/clock.h"

#define CHECK_EVERY_MS 1000

struct cw_log {
	struct cw_log_file error;
	struct cw_log_file access;
};

/* ---- one log file -------------------------------------------------------- */

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int cw_log_file_open(struct cw_log_file *f, const char *path, char *err,
                     size_t errlen)
{
	f->fd = -1;
	f->path = NULL;
	atomic_init(&f->next_check_ms, cw_now_ms() + CHECK_EVERY_MS);
	if (path == NULL || *path == '\0')
		return 0;
	f->path = strdup(path);
	if (f->path == NULL) {
		snprintf(err, errlen,
		         "cannot open log file '%s': out of memory", path);
		return -1;
	}
	f->fd = open_append(path);
	if (f->fd < 0) {
		snprintf(err, errlen, "cannot open log file '%s': %s", path,
		         strerror(errno));
		free(f->path);
		f->path = NULL;
		return -1;
	}
	return 0;
}

void cw_log_file_close(struct cw_log_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	f->fd = -1;
	f->path = NULL;
}

int cw_log_file_reopen(struct cw_log_file *f)
{
	int nfd;

	if (f->fd < 0)
		return 0;
	nfd = open_append(f->path);
	if (nfd < 0)
		return -1;
	/* dup3, not dup2: the descriptor keeps its close-on-exec flag */
	if (dup3(nfd, f->fd, O_CLOEXEC) < 0) {
		close(nfd);
		return -1;
	}
	close(nfd);
	return 0;
}

/* Does the path still name the file we write to? A path that cannot be
 * stat'ed (removed) does not. */
static int still_there(const struct cw_log_file *f)
{
	struct stat at_path, open_file;

	if (stat(f->path, &at_path) != 0 || fstat(f->fd, &open_file) != 0)
		return 0;
	return at_path.st_dev == open_file.st_dev &&
	       at_path.st_ino == open_file.st_ino;
}

/* The once-a-second check; only the thread that moves the next check
 * time on makes it, so there is one stat() a second at most. */
static void follow_path(struct cw_log_file *f)
{
	int64_t now = cw_now_ms();
	int64_t due =
	    atomic_load_explicit(&f->next_check_ms, memory_order_relaxed);

	if (now < due || !atomic_compare_exchange_strong_explicit(
	                     &f->next_check_ms, &due, now + CHECK_EVERY_MS,
	                     memory_order_relaxed, memory_order_relaxed))
		return;
	if (!still_there(f))
		(void)cw_log_file_reopen(f); /* if not possible: the old file */
}

void cw_log_file_write(struct cw_log_file *f, const char *line, size_t len)
{
	if (f->fd < 0)
		return;
	follow_path(f);
	while (write(f->fd, line, len) < 0 && errno == EINTR)
		;
}

/* ---- the context's two logs ---------------------------------------------- */

static int open_logs(struct mg_context *ctx, const char *error_path,
                     const char *access_path, char *err, size_t errlen)
{
	struct cw_log *log = calloc(1, sizeof *log);

	if (log == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (cw_log_file_open(&log->error, error_path, err, errlen) != 0) {
		free(log);
		return -1;
	}
	if (cw_log_file_open(&log->access, access_path, err, errlen) != 0) {
		cw_log_file_close(&log->error);
		free(log);
		return -1;
	}
	ctx->log = log;
	return 0;
}

int cw_log_open(struct mg_context *ctx, char *err, size_t errlen)
{
	return open_logs(ctx, ctx->opt.value[CW_OPT_ERROR_LOG_FILE],
	                 ctx->opt.value[CW_OPT_ACCESS_LOG_FILE], err, errlen);
}

int cw_log_open_error_only(struct mg_context *ctx, const char *path)
{
	char err[300];

	if (ctx->log != NULL || path == NULL || *path == '\0')
		return 0;
	return open_logs(ctx, path, NULL, err, sizeof err);
}

void cw_log_close(struct mg_context *ctx)
{
	if (ctx->log == NULL)
		return;
	cw_log_file_close(&ctx->log->error);
	cw_log_file_close(&ctx->log->access);
	free(ctx->log);
	ctx->log = NULL;
}

int cw_log_reopen(struct mg_context *ctx)
{
	int rc = 0;

	if (ctx->log == NULL)
		return 0;
	if (cw_log_file_reopen(&ctx->log->error) != 0)
		rc = -1;
	if (cw_log_file_reopen(&ctx->log->access) != 0)
		rc = -1;
	return rc;
}

static void write_line(struct cw_log_file *f, char *line, size_t len,
                       size_t cap)
{
	if (len >= cap)
		len = cap - 1;
	line[len++] = '\n';
	cw_log_file_write(f, line, len);
}

/* The log_message callback. As in CivetWeb it always gets a connection:
 * without one, a stand-in on which mg_get_context() and
 * mg_get_user_data() work. 1 if the application logged the line. */
static int tell_application(struct mg_context *ctx,
                            const struct mg_connection *conn, const char *msg)
{
	struct mg_connection stand_in;

	if (conn != NULL)
		return ctx->cb.log_message(conn, msg) != 0;
	memset(&stand_in, 0, sizeof stand_in);
	stand_in.ctx = ctx;
	stand_in.fd = -1;
	return ctx->cb.log_message(&stand_in, msg) != 0;
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
	if (ctx->cb.log_message != NULL && tell_application(ctx, conn, msg))
		return;
	if (ctx->log == NULL || ctx->log->error.fd < 0)
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
		              conn->ri->request_uri ? conn->ri->request_uri
		                                    : "-");
	n += snprintf(line + n, sizeof line - 1 - (size_t)n, "%s", msg);
	write_line(&ctx->log->error, line, (size_t)n, sizeof line);
}

int cw_log_has_access_file(const struct mg_context *ctx)
{
	return ctx->log != NULL && ctx->log->access.fd >= 0;
}

void cw_log_access_write(const struct mg_context *ctx, char *line, size_t len,
                         size_t cap)
{
	if (ctx->log != NULL && ctx->log->access.fd >= 0)
		write_line(&ctx->log->access, line, len, cap);
}
