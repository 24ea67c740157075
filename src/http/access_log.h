/* access_log.h - the access line of a finished request (CivetWeb's
 * format), to the log_access callback, else the access_log_file. */
#ifndef CW_HTTP_ACCESS_LOG_H
#define CW_HTTP_ACCESS_LOG_H

#include "http/exchange.h"

/* Is there an access log to write (callback or file)? */
int cw_access_log_wanted(const struct mg_context *ctx);

/* Log the request just finished on c (which has its exchange) with
 * status. */
void cw_access_log(const struct mg_connection *c, int status);

#endif
