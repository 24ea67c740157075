/* log.h - the library's only way to report: the error log (log_message
 * callback, else error_log_file) and the access log file (the access line
 * itself and the log_access callback are http/access_log.c). The library
 * never prints on its own. */
#ifndef CW_LOG_H
#define CW_LOG_H

#include "core/server.h"

/* Open the log files named by the options. -1 with a reason on failure.
 * The context owns the result; cw_log_close() frees it. */
int cw_log_open(struct mg_context *ctx, char *err, size_t errlen);
void cw_log_close(struct mg_context *ctx);

/* Reopen both files under the same names (after log rotation). */
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
