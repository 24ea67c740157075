/* cors.c - the CORS preflight (see cors.h).
 *
 * CivetWeb answers a preflight itself, after begin_request and before the
 * handlers and the document root, so a handler never sees one while the
 * server is configured for CORS: the options say what is allowed, and
 * "*" grants what the browser asked for. The CORS lines of ordinary
 * responses are response.c's (cw_resp_cors_lines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/cors.h"
#include "http/response.h"

/* The preflight's lines into out (cap bytes); the length they need. */
static size_t preflight_lines(const struct mg_connection *c, char *out,
                              size_t cap)
{
	const struct cw_options *o = cw_req_opts(c);
	const char *origin =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_ORIGIN);
	const char *methods =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_METHODS);
	const char *headers =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_HEADERS);
	const char *cred =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_CREDENTIALS);
	const char *age = cw_options_get(o, CW_OPT_ACCESS_CONTROL_MAX_AGE);
	const char *asked_m = mg_get_header(c, "Access-Control-Request-Method");
	const char *asked_h =
	    mg_get_header(c, "Access-Control-Request-Headers");
	int give_h = asked_h != NULL && *headers != '\0';
	int n;

	n = snprintf(out, cap,
	             "Access-Control-Allow-Origin: %s\r\n"
	             "Access-Control-Allow-Methods: %s\r\n"
	             "%s%s%s"
	             "%s%s%s"
	             "Access-Control-Max-Age: %s\r\n",
	             origin, methods[0] == '*' ? asked_m : methods,
	             give_h ? "Access-Control-Allow-Headers: " : "",
	             give_h ? (headers[0] == '*' ? asked_h : headers) : "",
	             give_h ? "\r\n" : "",
	             *cred ? "Access-Control-Allow-Credentials: " : "", cred,
	             *cred ? "\r\n" : "", *age ? age : "60");
	return n < 0 ? 0 : (size_t)n;
}

static int is_preflight(const struct mg_connection *c)
{
	const struct cw_options *o = cw_req_opts(c);

	return strcmp(c->x->ri.request_method, "OPTIONS") == 0 &&
	       *cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_ORIGIN) != '\0' &&
	       *cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_METHODS) !=
	           '\0' &&
	       mg_get_header(c, "Origin") != NULL &&
	       mg_get_header(c, "Access-Control-Request-Method") != NULL;
}

int cw_cors_preflight(struct mg_connection *c)
{
	char stack[2048], *lines = stack;
	size_t n;

	if (!is_preflight(c))
		return 0;
	/* the headers asked for are echoed: as long as the request allows */
	n = preflight_lines(c, stack, sizeof stack);
	if (n >= sizeof stack) {
		lines = malloc(n + 1);
		if (lines == NULL) {
			cw_send_error(c, 500, "%s", "Out of memory");
			return 1;
		}
		preflight_lines(c, lines, n + 1);
	}
	if (cw_resp_head(c, 200, lines, 0, 0) != 0)
		c->x->s.must_close = 1;
	if (lines != stack)
		free(lines);
	return 1;
}
