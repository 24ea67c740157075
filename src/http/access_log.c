/* access_log.c - the access line: the Common Log Format plus referer and
 * user agent, as CivetWeb writes it, formatted on the stack and written
 * with one write() (core/log.c). */
#include <stdio.h>
#include <time.h>

#include "core/log.h"
#include "http/access_log.h"

int cw_access_log_wanted(const struct mg_context *ctx)
{
	return ctx->cb.log_access != NULL || cw_log_has_access_file(ctx);
}

static const char *header_or_dash(const struct mg_request_info *ri,
                                  const char *name)
{
	const char *v = cw_http_header(ri->http_headers, ri->num_headers, name);

	return v != NULL ? v : "-";
}

void cw_access_log(const struct mg_connection *c, int status)
{
	const struct mg_context *ctx = c->ctx;
	const struct mg_request_info *ri = &c->x->ri;
	char date[64], line[2048];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%d/%b/%Y:%H:%M:%S %z", &tm);
	n = snprintf(line, sizeof line - 1,
	             "%s - %s [%s] \"%s %s%s%s HTTP/%s\" %d %lld %s %s",
	             ri->remote_addr, ri->remote_user ? ri->remote_user : "-",
	             date, ri->request_method ? ri->request_method : "-",
	             ri->request_uri ? ri->request_uri : "-",
	             ri->query_string ? "?" : "",
	             ri->query_string ? ri->query_string : "",
	             ri->http_version ? ri->http_version : "-", status,
	             c->x->s.resp.bytes, header_or_dash(ri, "Referer"),
	             header_or_dash(ri, "User-Agent"));
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n] = '\0';
	if (ctx->cb.log_access != NULL && ctx->cb.log_access(c, line) != 0)
		return;
	cw_log_access_write(ctx, line, (size_t)n, sizeof line);
}
