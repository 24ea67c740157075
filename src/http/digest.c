/* digest.c - digest access authentication (see digest.h), and the API's
 * mg_check_digest_access_authentication() and
 * mg_send_digest_access_authentication_request().
 *
 * The Authorization header is parsed into a bounded buffer; the response
 * is compared in constant time; the nonce must be one of the server's,
 * current, and its request counter must count up (core/nonces.h), so a
 * captured request cannot be replayed, on this worker or another. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/log.h"
#include "core/nonces.h"
#include "core/options.h"
#include "http/digest.h"
#include "http/exchange.h"
#include "http/response.h"
#include "util/htpasswd.h"

/* The parameters of a "Digest ..." header, NUL-terminated in buf. */
struct digest_params {
	char buf[2048];
	const char *username, *nonce, *uri, *response, *qop, *nc, *cnonce,
	    *algorithm;
};

static const char *realm_of(const struct mg_connection *c, const char *realm)
{
	return realm != NULL ? realm
	                     : cw_options_get(cw_req_opts(c),
	                                      CW_OPT_AUTHENTICATION_DOMAIN);
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* One value at *s (quoted, with backslash escapes, or a token) copied to
 * out; *s moves past it. 0, or -1 if malformed or out of room. */
static int copy_value(const char **s, char **out, const char *end)
{
	const char *p = *s;
	char *o = *out;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p == '\0' || o >= end)
				return -1;
			*o++ = *p;
		}
		p++;
	} else {
		for (; *p != '\0' && *p != ',' && !is_space(*p); p++) {
			if (o >= end)
				return -1;
			*o++ = *p;
		}
	}
	if (o >= end)
		return -1;
	*o++ = '\0';
	*s = p;
	*out = o;
	return 0;
}

static void keep(struct digest_params *d, const char *name, size_t n,
                 const char *value)
{
	static const char *const names[] = {"username", "nonce",    "uri",
	                                    "response", "qop",      "nc",
	                                    "cnonce",   "algorithm"};
	const char **slots[] = {&d->username, &d->nonce,    &d->uri,
	                        &d->response, &d->qop,      &d->nc,
	                        &d->cnonce,   &d->algorithm};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n &&
		    strncasecmp(names[i], name, n) == 0)
			*slots[i] = value;
}

/* 0 with d filled from the request's "Authorization: Digest ...". */
static int parse_header(const struct mg_connection *c, struct digest_params *d)
{
	const char *s = mg_get_header(c, "Authorization");
	char *o = d->buf, *end = d->buf + sizeof d->buf;

	d->username = d->nonce = d->uri = d->response = NULL;
	d->qop = d->nc = d->cnonce = d->algorithm = NULL;
	if (s == NULL || strncasecmp(s, "Digest", 6) != 0 || !is_space(s[6]))
		return -1;
	for (s += 7;;) {
		const char *name, *value;
		size_t n;

		while (is_space(*s) || *s == ',')
			s++;
		if (*s == '\0')
			return 0;
		for (name = s; is_name_char(*s); s++)
			;
		n = (size_t)(s - name);
		if (n == 0 || *s != '=')
			return -1;
		value = o;
		s++;
		if (copy_value(&s, &o, end) != 0)
			return -1;
		keep(d, name, n, value);
	}
}

/* 0 and *v set if s is 1 to 8 hex digits. */
static int parse_nc(const char *s, uint32_t *v)
{
	uint32_t r = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 8)
		return -1;
	for (; *s != '\0'; s++) {
		char ch = *s | 0x20;
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;
		if (d < 0)
			return -1;
		r = r << 4 | (uint32_t)d;
	}
	*v = r;
	return 0;
}

/* Equal, in time that depends only on the length, and regardless of the
 * case of hex letters. */
static int same_hex(const char *a, const char *b, size_t n)
{
	unsigned diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned)((a[i] | 0x20) ^ (b[i] | 0x20));
	return diff == 0;
}

/* The digest's uri names this request's resource: its path is the
 * request's (the query is left out, as decode_query_string may have
 * changed it). */
static int uri_matches(const struct mg_connection *c, const char *uri)
{
	const char *target = c->x->ri.request_uri;
	size_t n = strcspn(uri, "?");

	return target != NULL && strlen(target) == n &&
	       memcmp(target, uri, n) == 0;
}

static int complete(const struct digest_params *d)
{
	return d->username != NULL && d->nonce != NULL && d->uri != NULL &&
	       d->response != NULL && d->qop != NULL && d->nc != NULL &&
	       d->cnonce != NULL && strcmp(d->qop, "auth") == 0 &&
	       strlen(d->response) == 32 &&
	       (d->algorithm == NULL || strcasecmp(d->algorithm, "MD5") == 0);
}

static void set_remote_user(struct mg_connection *c, const char *user)
{
	struct cw_exchange *x = c->x;

	snprintf(x->remote_user, sizeof x->remote_user, "%s", user);
	x->ri.remote_user = x->remote_user;
}

int cw_digest_check(struct mg_connection *c, int fd, const char *realm)
{
	struct digest_params d;
	char ha1[CW_HTPASSWD_FIELD_MAX + 1], ha2[33], want[33];
	uint32_t nc;
	int known;

	if (c == NULL || c->x == NULL || parse_header(c, &d) != 0 ||
	    !complete(&d) || parse_nc(d.nc, &nc) != 0 || !uri_matches(c, d.uri))
		return 0;
	set_remote_user(c, d.username);
	known = cw_htpasswd_lookup(fd, d.username, strlen(d.username),
	                           realm_of(c, realm), ha1) == 1;
	if (!known) /* the same work, so the time tells nothing */
		snprintf(ha1, sizeof ha1, "%032d", 0);
	mg_md5(ha2, c->x->ri.request_method, ":", d.uri, NULL);
	mg_md5(want, ha1, ":", d.nonce, ":", d.nc, ":", d.cnonce, ":", d.qop,
	       ":", ha2, NULL);
	if (!same_hex(want, d.response, 32) || !known || want[0] == '\0')
		return 0;
	switch (cw_nonce_check(c->ctx->nonces, d.nonce, strlen(d.nonce), nc)) {
	case CW_NONCE_OK:
		return 1;
	case CW_NONCE_REPLAY:
		cw_log_error(c->ctx, c, "digest: nonce replayed by user %s",
		             d.username);
		return 0;
	default: /* the password was right: let the client retry */
		c->x->s.auth_stale = 1;
		return 0;
	}
}

int cw_digest_challenge(struct mg_connection *c, const char *realm)
{
	char nonce[CW_NONCE_LEN + 1], extra[1024];
	const char *r = realm_of(c, realm);
	int n;

	if (c == NULL || c->x == NULL || cw_resp_started(c) ||
	    strchr(r, '"') != NULL || strchr(r, '\\') != NULL ||
	    cw_nonce_issue(c->ctx->nonces, nonce) != 0)
		return -1;
	n = snprintf(extra, sizeof extra,
	             "%sWWW-Authenticate: Digest qop=\"auth\", realm=\"%s\", "
	             "nonce=\"%s\", algorithm=MD5%s\r\n",
	             cw_no_cache_headers, r, nonce,
	             c->x->s.auth_stale ? ", stale=true" : "");
	if (n < 0 || (size_t)n >= sizeof extra)
		return -1;
	return cw_resp_head(c, 401, extra, 0, 0);
}

/* ---- the API ------------------------------------------------------------- */

int mg_send_digest_access_authentication_request(struct mg_connection *conn,
                                                 const char *realm)
{
	return cw_digest_challenge(conn, realm);
}

int mg_check_digest_access_authentication(struct mg_connection *conn,
                                          const char *realm,
                                          const char *filename)
{
	int fd, r;

	if (conn == NULL || conn->x == NULL || filename == NULL)
		return -1;
	fd = open(filename, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -2;
	r = cw_digest_check(conn, fd, realm);
	close(fd);
	return r;
}
