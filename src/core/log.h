/* log.h - the library's only way to report: the error log (log_message
 * callback, else error_log_file) and the access log (log_access callback,
 * else access_log_file). The library never prints on its own. */
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

/* Log the access line for the request just finished on conn. */
void cw_log_access(const struct mg_connection *conn, int status);

/* Is there an access log to write (callback or file)? */
int cw_log_wants_access(const struct mg_context *ctx);

#endif
