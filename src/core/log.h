/* log.h - the library's only way to report: the error log (log_message
 * callback, else error_log_file) and the access log file (the access line
 * itself and the log_access callback are http/access_log.c). The library
 * never prints on its own.
 *
 * A log file (struct cw_log_file) stays open, and follows its path: once
 * a second at most, a writer checks that the path still names the open
 * file, and if it was renamed or removed (rotation without a signal), a
 * fresh file at the path takes its place. The master's own log uses the
 * same type. */
#ifndef CW_LOG_H
#define CW_LOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/server.h"

struct cw_log_file {
	int fd;     /* -1: none. The number stays the same for its lifetime */
	char *path; /* as configured */
	_Atomic int64_t next_check_ms; /* coarse monotonic clock */
};

/* Open path for appending (created 0644 if missing) into *f. path NULL or
 * "" is no file: fd -1 and 0. -1 with a reason in err if it cannot be
 * opened (or out of memory), *f then holding no file. f is the caller's;
 * cw_log_file_close() releases what this took. */
int cw_log_file_open(struct cw_log_file *f, const char *path, char *err,
                     size_t errlen);

/* Close the file and free the path copy; *f then holds no file. Safe on a
 * file that was never opened (fd -1, path NULL). No writer may be running
 * on f. */
void cw_log_file_close(struct cw_log_file *f);

/* Reopen under the same path (after a rotation that signals), keeping the
 * descriptor number, so writers on other threads meanwhile write to the
 * old file or the new one, never to a closed descriptor. 0, or -1 if the
 * path cannot be opened (the old file stays in use). Does nothing for no
 * file. */
int cw_log_file_reopen(struct cw_log_file *f);

/* Write one line of len bytes (its newline included) with one write(),
 * after the once-a-second check that the path still names the file.
 * Thread-safe: any number of threads may write to one f. */
void cw_log_file_write(struct cw_log_file *f, const char *line, size_t len);

/* Open the log files named by the options. -1 with a reason on failure.
 * The context owns the result; cw_log_close() frees it. */
int cw_log_open(struct mg_context *ctx, char *err, size_t errlen);
void cw_log_close(struct mg_context *ctx);

/* Open only the error log, at path (NULL or "": none), when no log is open
 * yet: mg_start refusing its options still writes why to error_log_file, as
 * CivetWeb does. 0, or -1 if the file cannot be opened. The context owns
 * the result; cw_log_close() frees it. */
int cw_log_open_error_only(struct mg_context *ctx, const char *path);

/* Reopen both files under the same names (after log rotation). -1 if one
 * of them could not be reopened; it then stays on its old file. */
int cw_log_reopen(struct mg_context *ctx);

/* Log an error. conn may be NULL; ctx may be NULL only when conn is not. */
void cw_log_error(struct mg_context *ctx, const struct mg_connection *conn,
                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Is an access_log_file open? */
int cw_log_has_access_file(const struct mg_context *ctx);

/* Write line[0..len) (cap bytes of room) to the access_log_file as one
 * line, if one is open. */
void cw_log_access_write(const struct mg_context *ctx, char *line, size_t len,
                         size_t cap);

#endif
