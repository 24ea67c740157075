/* access_log.c - the access line of a finished request.
 *
 * Two formats (access_log_format): CivetWeb's (the Common Log Format plus
 * referer and user agent), and json, one object per line for log
 * shippers. The log_access callback always gets CivetWeb's line, whatever
 * the format, as CivetWeb's callback contract says; the format only
 * chooses what goes to access_log_file when the callback did not take the
 * line. Either line is formatted on the stack and written with one
 * write() (core/log.c): nothing is allocated per request. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/access_log.h"
#include "util/clock.h"
#include "util/json.h"

/* The JSON line: the longest strings are cut to these (escaped) lengths,
 * so that every field fits in the line buffer. */
#define JSON_LINE      10240
#define JSON_LONG_STR  2048
#define JSON_MID_STR   1024
#define JSON_SHORT_STR 256
#define CIVETWEB_LINE  2048 /* as CivetWeb's own */

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

/* CivetWeb's line into line[0..cap-1); its length. */
static size_t civetweb_line(const struct mg_connection *c, int status,
                            char *line, size_t cap)
{
	const struct mg_request_info *ri = &c->x->ri;
	char date[64];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%d/%b/%Y:%H:%M:%S %z", &tm);
	n = snprintf(line, cap - 1,
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
		return 0;
	if ((size_t)n >= cap - 1)
		n = (int)cap - 2;
	line[n] = '\0';
	return (size_t)n;
}

/* "2026-12-03T07:40:00.123Z" (RFC 3339, UTC, milliseconds) */
static void json_time(struct cw_json *j)
{
	struct timespec ts;
	struct tm tm;
	char text[40];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(text, sizeof text,
	             "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"",
	             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	             tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	cw_json_raw(j, text, (size_t)n);
}

static void json_field(struct cw_json *j, const char *key, const char *v,
                       size_t max)
{
	cw_json_key(j, key, 0);
	cw_json_str(j, v, v != NULL ? strlen(v) : 0, max);
}

static void json_number(struct cw_json *j, const char *key, long long v)
{
	cw_json_key(j, key, 0);
	cw_json_int(j, v);
}

/* "HTTP/1.1", or null for a head that never parsed */
static void json_protocol(struct cw_json *j, const char *version)
{
	char text[JSON_SHORT_STR];

	cw_json_key(j, "protocol", 0);
	if (version == NULL) {
		cw_json_raw(j, "null", 4);
		return;
	}
	snprintf(text, sizeof text, "HTTP/%s", version);
	cw_json_str(j, text, strlen(text), JSON_SHORT_STR);
}

static void json_request(struct cw_json *j, const struct mg_connection *c)
{
	const struct mg_request_info *ri = &c->x->ri;

	json_field(j, "user", ri->remote_user, JSON_SHORT_STR);
	json_field(j, "method", ri->request_method, JSON_SHORT_STR);
	json_field(j, "uri", ri->request_uri, JSON_LONG_STR);
	json_field(j, "path", ri->local_uri, JSON_LONG_STR);
	json_field(j, "query", ri->query_string, JSON_MID_STR);
	json_protocol(j, ri->http_version);
}

/* The JSON line into line[0..cap-1); its length, 0 if it did not fit. */
static size_t json_line(const struct mg_connection *c, int status, char *line,
                        size_t cap)
{
	const struct mg_request_info *ri = &c->x->ri;
	struct cw_json j;
	int64_t t0 = c->x->s.t0_us;

	cw_json_init(&j, line, cap - 1);
	cw_json_raw(&j, "{", 1);
	cw_json_key(&j, "time", 1);
	json_time(&j);
	json_field(&j, "remote_addr", ri->remote_addr, JSON_SHORT_STR);
	json_number(&j, "remote_port", ri->remote_port);
	json_request(&j, c);
	json_number(&j, "status", status);
	json_number(&j, "bytes_sent", c->x->s.resp.bytes);
	cw_json_key(&j, "duration_us", 0);
	if (t0 > 0)
		cw_json_int(&j, (long long)(cw_clock_us() - t0));
	else
		cw_json_raw(&j, "null", 4);
	json_field(&j, "referer",
	           cw_http_header(ri->http_headers, ri->num_headers, "Referer"),
	           JSON_MID_STR);
	json_field(
	    &j, "user_agent",
	    cw_http_header(ri->http_headers, ri->num_headers, "User-Agent"),
	    JSON_MID_STR);
	json_field(&j, "host",
	           cw_http_header(ri->http_headers, ri->num_headers, "Host"),
	           JSON_SHORT_STR);
	cw_json_key(&j, "tls", 0);
	cw_json_raw(&j, ri->is_ssl ? "true" : "false", ri->is_ssl ? 4 : 5);
	json_number(&j, "pid", (long long)getpid());
	cw_json_raw(&j, "}", 1);
	return j.overflow ? 0 : j.len;
}

void cw_access_log(const struct mg_connection *c, int status)
{
	const struct mg_context *ctx = c->ctx;
	char line[JSON_LINE];
	size_t n = 0;

	if (ctx->cb.log_access != NULL && !c->x->s.internal) {
		n = civetweb_line(c, status, line, CIVETWEB_LINE);
		if (ctx->cb.log_access(c, line) != 0)
			return;
	}
	if (!cw_log_has_access_file(ctx))
		return;
	if (ctx->opt.access_log_json)
		n = json_line(c, status, line, sizeof line);
	else if (n == 0)
		n = civetweb_line(c, status, line, CIVETWEB_LINE);
	if (n > 0)
		cw_log_access_write(ctx, line, n, sizeof line);
}
