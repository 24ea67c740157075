/* options.c - the option table and its validation.
 *
 * Values are checked when they are set, so a bad configuration is refused
 * with the option's name and the reason before anything is bound or
 * started; cw_options_finish() then derives the numbers the request path
 * uses. Options CivetWeb has but civetd does not implement (CGI, Lua, ...)
 * are accepted, so that existing programs start, and reported by
 * cw_options_implemented() for the caller to warn about.
 *
 * Stricter than CivetWeb on purpose, where CivetWeb would silently read a
 * value as something else: numbers must be whole numbers in range,
 * booleans exactly yes or no, listening_ports must parse, every
 * additional_header line must be a header. additional_header given
 * several times keeps every line (CivetWeb's library keeps the last one
 * only; its manual promises all of them). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/listen_spec.h"
#include "core/options.h"
#include "util/acl.h"
#include "util/mime.h"
#include "util/throttle_rules.h"

#define CW_OPT_ROW(id, name, type, def, flags)                                 \
	{name, MG_CONFIG_TYPE_##type, def},
static const struct mg_option option_table[] = {
    CW_OPTION_LIST(CW_OPT_ROW){NULL, MG_CONFIG_TYPE_UNKNOWN, NULL}};
#undef CW_OPT_ROW

#define CW_OPT_FLAGS(id, name, type, def, flags) flags,
static const int option_flags[] = {CW_OPTION_LIST(CW_OPT_FLAGS) 0};
#undef CW_OPT_FLAGS

const struct mg_option *cw_options_table(void)
{
	return option_table;
}

int cw_options_find(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < CW_OPT_COUNT; i++)
		if (strcmp(option_table[i].name, name) == 0)
			return i;
	return -1;
}

int cw_options_implemented(enum cw_opt_id id)
{
	return (option_flags[id] & CW_OPT_IMPL) != 0;
}

const char *cw_options_get(const struct cw_options *o, enum cw_opt_id id)
{
	if (o->value[id] != NULL)
		return o->value[id];
	if (option_table[id].default_value != NULL)
		return option_table[id].default_value;
	return "";
}

int cw_options_is_set(const struct cw_options *o, enum cw_opt_id id)
{
	const char *def = option_table[id].default_value;

	if (o->value[id] == NULL)
		return 0;
	return def == NULL || strcmp(def, o->value[id]) != 0;
}

/* Parse a whole decimal integer (optional sign) into *out: 0, or -1 if
 * it is not a number, or -2 if it is one outside [min, max]. */
static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0')
		return -1;
	if (errno == ERANGE || v < min || v > max)
		return -2;
	*out = v;
	return 0;
}

/* CivetWeb reads a boolean as "yes" (any case) and everything else as
 * "no", so "true" or "1" silently mean no there. Refusing all but yes and
 * no keeps a configuration from meaning something else here. */
static int parse_bool(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0) {
		*out = 1;
		return 0;
	}
	if (strcasecmp(s, "no") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

/* Number ranges for the options whose range matters. */
static void number_range(int id, long *min, long *max)
{
	*min = LONG_MIN;
	*max = LONG_MAX;
	switch (id) {
	case CW_OPT_NUM_THREADS:
		*min = 1;
		*max = 4096;
		break;
	case CW_OPT_MAX_REQUEST_SIZE:
		*min = 1024;
		*max = 64L * 1024 * 1024;
		break;
	case CW_OPT_LISTEN_BACKLOG:
		*min = 1;
		*max = INT_MAX;
		break;
	case CW_OPT_REQUEST_TIMEOUT_MS:
	case CW_OPT_KEEP_ALIVE_TIMEOUT_MS:
	case CW_OPT_TCP_NODELAY:
	case CW_OPT_CONNECTION_QUEUE:
	case CW_OPT_STATIC_FILE_MAX_AGE:
	case CW_OPT_WORKER_SHUTDOWN_TIMEOUT_MS:
	case CW_OPT_MAX_REQUESTS_PER_WORKER:
	case CW_OPT_WORKER_HANG_TIMEOUT_MS:
	case CW_OPT_UPGRADE_TIMEOUT_MS:
	case CW_OPT_WEBSOCKET_TIMEOUT_MS:
	case CW_OPT_PRESPAWN_THREADS:
		*min = id == CW_OPT_PRESPAWN_THREADS ? -1 : 0;
		*max = INT_MAX;
		break;
	case CW_OPT_MAX_BODY_SIZE:
		*min = 0;
		*max = LONG_MAX;
		break;
	case CW_OPT_WEBSOCKET_MAX_MESSAGE_SIZE:
	case CW_OPT_WEBSOCKET_MAX_QUEUED:
		*min = 4096;
		*max = 1L << 40;
		break;
	case CW_OPT_BODY_BUFFER_SIZE:
		*min = 0;
		*max = 64L * 1024 * 1024;
		break;
	case CW_OPT_COMPRESSION_LEVEL:
		*min = 1;
		*max = 9;
		break;
	case CW_OPT_OPEN_FILE_CACHE_SIZE:
	case CW_OPT_COMPRESSION_MIN_SIZE:
		*min = 0;
		*max = INT_MAX;
		break;
	case CW_OPT_COMPRESSION_CACHE_SIZE:
		*min = 0;
		*max = 1L << 40;
		break;
	case CW_OPT_MIN_RECEIVE_RATE:
	case CW_OPT_MIN_SEND_RATE:
	case CW_OPT_ACCESS_CONTROL_MAX_AGE:
		*min = 0;
		*max = INT_MAX;
		break;
	case CW_OPT_LINGER_TIMEOUT_MS:
		*min = -2;
		*max = INT_MAX;
		break;
	case CW_OPT_NUM_WORKERS:
		*min = 1;
		*max = 1024;
		break;
	default:
		break;
	}
}

/* Why one additional_header line would not be a valid header field, or
 * NULL if it is one: a token name right before the colon, and a value
 * without control characters (it is copied into every response). */
static const char *header_line_problem(const char *line, size_t len)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	size_t i = 0;

	while (i < len && line[i] != ':') {
		unsigned char ch = (unsigned char)line[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || strchr(tchar, ch) != NULL) ||
		    ch == '\0')
			return "is not a 'Name: value' header line";
		i++;
	}
	if (i == 0 || i == len)
		return "is not a 'Name: value' header line";
	for (i++; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return "has a control character in its value";
	}
	return NULL;
}

/* additional_header: every line (CR or LF separated) must be a header. */
static int check_header_lines(const char *v, char *err, size_t errlen)
{
	while (*v) {
		size_t len = strcspn(v, "\r\n");
		const char *why = len ? header_line_problem(v, len) : NULL;

		if (why != NULL) {
			snprintf(err, errlen, "additional_header: '%.*s' %s",
			         (int)len, v, why);
			return -1;
		}
		v += len;
		v += strspn(v, "\r\n");
	}
	return 0;
}

/* The CORS options are copied into response heads as they are. */
static int is_cors_text(int id)
{
	return id == CW_OPT_ACCESS_CONTROL_ALLOW_ORIGIN ||
	       id == CW_OPT_ACCESS_CONTROL_ALLOW_METHODS ||
	       id == CW_OPT_ACCESS_CONTROL_ALLOW_HEADERS ||
	       id == CW_OPT_ACCESS_CONTROL_EXPOSE_HEADERS ||
	       id == CW_OPT_ACCESS_CONTROL_ALLOW_CREDENTIALS;
}

static int check_header_value(const char *name, const char *v, char *err,
                              size_t errlen)
{
	if (strlen(v) > CW_CORS_VALUE_MAX) {
		snprintf(err, errlen, "%s: longer than %d bytes", name,
		         CW_CORS_VALUE_MAX);
		return -1;
	}
	for (const char *p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			snprintf(err, errlen,
			         "%s: a control character in '%.40s'", name, v);
			return -1;
		}
	}
	return 0;
}

/* access_control_list: parsed here to refuse a bad entry where it is
 * given (a config file's line); the list is kept by cw_options_finish. */
static int check_acl(const char *v, char *err, size_t errlen)
{
	struct cw_acl *acl;
	char why[200];

	if (cw_acl_parse(v, &acl, why, sizeof why) != 0) {
		snprintf(err, errlen, "access_control_list: %s", why);
		return -1;
	}
	cw_acl_free(acl);
	return 0;
}

/* health_check_uri: empty (off) or a path, matched as the request's
 * path exactly as it arrives; access_log_format: civetweb or json. */
static int check_ops_option(int id, const char *v, char *err, size_t errlen)
{
	if (id == CW_OPT_HEALTH_CHECK_URI && *v != '\0' &&
	    (v[0] != '/' || v[strcspn(v, " ?#\t\r\n")] != '\0')) {
		snprintf(err, errlen,
		         "health_check_uri: '%.60s' is not a path (it must "
		         "start with / and have no space, ? or #)",
		         v);
		return -1;
	}
	if (id == CW_OPT_ACCESS_LOG_FORMAT && strcmp(v, "civetweb") != 0 &&
	    strcmp(v, "json") != 0) {
		snprintf(err, errlen,
		         "access_log_format: expected civetweb or json, got "
		         "'%.60s'",
		         v);
		return -1;
	}
	return 0;
}

static int check_value(int id, const char *v, char *err, size_t errlen)
{
	const char *name = option_table[id].name;
	struct stat st;
	long n, min, max;
	int b;

	switch (option_table[id].type) {
	case MG_CONFIG_TYPE_NUMBER:
		number_range(id, &min, &max);
		switch (parse_int(v, min, max, &n)) {
		case 0:
			return 0;
		case -1:
			snprintf(err, errlen, "%s: '%s' is not a number", name,
			         v);
			return -1;
		default:
			if (min == LONG_MIN && max == LONG_MAX)
				snprintf(err, errlen,
				         "%s: '%s' is out of range", name, v);
			else if (max == LONG_MAX || max == INT_MAX)
				snprintf(
				    err, errlen,
				    "%s: '%s' is out of range (at least %ld)",
				    name, v, min);
			else
				snprintf(
				    err, errlen,
				    "%s: '%s' is out of range (%ld to %ld)",
				    name, v, min, max);
			return -1;
		}
	case MG_CONFIG_TYPE_BOOLEAN:
		if (parse_bool(v, &b) != 0) {
			snprintf(err, errlen,
			         "%s: expected yes or no, got '%s'", name, v);
			return -1;
		}
		return 0;
	case MG_CONFIG_TYPE_YES_NO_OPTIONAL:
		if (parse_bool(v, &b) != 0 && strcasecmp(v, "optional") != 0) {
			snprintf(err, errlen,
			         "%s: expected yes, no or optional, got '%s'",
			         name, v);
			return -1;
		}
		return 0;
	case MG_CONFIG_TYPE_DIRECTORY:
		if (!cw_options_implemented(id) || *v == '\0')
			return 0;
		if (stat(v, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: '%s' is not a directory",
			         name, v);
			return -1;
		}
		return 0;
	default:
		break;
	}
	if (id == CW_OPT_EXTRA_MIME_TYPES &&
	    cw_mime_check_extra(v, err, errlen) != 0)
		return -1;
	if (id == CW_OPT_ADDITIONAL_HEADER)
		return check_header_lines(v, err, errlen);
	if (id == CW_OPT_HEALTH_CHECK_URI || id == CW_OPT_ACCESS_LOG_FORMAT)
		return check_ops_option(id, v, err, errlen);
	if (id == CW_OPT_ACCESS_CONTROL_LIST)
		return check_acl(v, err, errlen);
	if (is_cors_text(id))
		return check_header_value(option_table[id].name, v, err,
		                          errlen);
	if (id == CW_OPT_THROTTLE) {
		struct cw_throttle_rules *t;

		if (cw_throttle_parse(v, &t, err, errlen) != 0)
			return -1;
		cw_throttle_free(t);
	}
	if (id == CW_OPT_LISTENING_PORTS) {
		struct cw_listen_spec *specs;
		int nspecs;

		if (cw_listen_parse(v, &specs, &nspecs, err, errlen) != 0)
			return -1;
		free(specs);
	}
	return 0;
}

/* additional_header accumulates lines; everything else is replaced. */
static int store_value(struct cw_options *o, int id, const char *value)
{
	char *v;

	if ((option_flags[id] & CW_OPT_MULTI) && o->value[id] != NULL &&
	    *value != '\0') {
		size_t a = strlen(o->value[id]), b = strlen(value);

		v = malloc(a + b + 3);
		if (v == NULL)
			return -1;
		memcpy(v, o->value[id], a);
		memcpy(v + a, "\r\n", 2);
		memcpy(v + a + 2, value, b + 1);
	} else {
		v = strdup(value);
		if (v == NULL)
			return -1;
	}
	free(o->value[id]);
	o->value[id] = v;
	return 0;
}

static void refused(struct cw_options *o, int kind, int id, const char *name,
                    const char *value)
{
	o->err_kind = kind;
	o->err_id = id;
	snprintf(o->err_name, sizeof o->err_name, "%s", name ? name : "(null)");
	snprintf(o->err_value, sizeof o->err_value, "%s", value ? value : "");
}

int cw_options_set(struct cw_options *o, const char *name, const char *value,
                   char *err, size_t errlen)
{
	int id = cw_options_find(name);

	if (id < 0) {
		refused(o, CW_OPT_ERR_NAME, -1, name, value);
		snprintf(err, errlen, "%s: unknown option",
		         name ? name : "(null)");
		return -1;
	}
	if (value == NULL) {
		refused(o, CW_OPT_ERR_NULL, id, name, value);
		snprintf(err, errlen, "%s: missing value", name);
		return -1;
	}
	if (check_value(id, value, err, errlen) != 0) {
		refused(o, CW_OPT_ERR_VALUE, id, name, value);
		return -1;
	}
	if (store_value(o, id, value) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	return 0;
}

int cw_options_parse(struct cw_options *o, const char **kv, char *err,
                     size_t errlen)
{
	/* CivetWeb stores every option before it checks a value, so an unknown
	 * name or a missing value is what it reports even when an earlier
	 * option has a bad value: refuse those first, in the list's order. */
	for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
		if (cw_options_find(kv[i]) < 0 || kv[i + 1] == NULL)
			return cw_options_set(o, kv[i], kv[i + 1], err, errlen);
	}
	for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
		if (cw_options_set(o, kv[i], kv[i + 1], err, errlen) != 0)
			return -1;
	}
	return cw_options_finish(o, err, errlen);
}

static int number_of(const struct cw_options *o, enum cw_opt_id id)
{
	const char *v = cw_options_get(o, id);

	return *v ? atoi(v) : 0;
}

int cw_options_flag(const struct cw_options *o, enum cw_opt_id id)
{
	int b = 0;

	(void)parse_bool(cw_options_get(o, id), &b);
	return b;
}

/* strict_transport_security_max_age 0 or more: the line CivetWeb sends
 * with the additional_header lines (civetd only on TLS connections). */
static int build_hsts(struct cw_options *o, char *err, size_t errlen)
{
	const char *v = o->value[CW_OPT_STRICT_TRANSPORT_SECURITY_MAX_AGE];
	long age = v != NULL && *v != '\0' ? strtol(v, NULL, 10) : -1;

	if (age < 0)
		return 0;
	o->hsts_header = malloc(64);
	if (o->hsts_header == NULL) {
		snprintf(err, errlen, "%s", "out of memory");
		return -1;
	}
	snprintf(o->hsts_header, 64,
	         "Strict-Transport-Security: max-age=%ld\r\n",
	         age > 0x7fffffffL ? 0x7fffffffL : age);
	return 0;
}

/* additional_header lines become one "Name: value\r\n..." block. The
 * lines were checked when set; they are checked again here because a
 * caller may have filled o->value directly. */
static int build_additional_headers(struct cw_options *o, char *err,
                                    size_t errlen)
{
	const char *v = o->value[CW_OPT_ADDITIONAL_HEADER];
	char *out, *p;

	if (v == NULL || *v == '\0')
		return build_hsts(o, err, errlen);
	if (check_header_lines(v, err, errlen) != 0)
		return -1;
	/* each line gains at most one byte: a lone CR or LF becomes CRLF */
	out = malloc(2 * strlen(v) + 3);
	if (out == NULL) {
		snprintf(err, errlen, "additional_header: out of memory");
		return -1;
	}
	p = out;
	while (*v) {
		size_t len = strcspn(v, "\r\n");

		if (len > 0) {
			memcpy(p, v, len);
			p += len;
			*p++ = '\r';
			*p++ = '\n';
		}
		v += len;
		v += strspn(v, "\r\n");
	}
	*p = '\0';
	o->additional_headers = out;
	return build_hsts(o, err, errlen);
}

/* The parsed access_control_list, kept for the accept path. */
static int build_acl(struct cw_options *o, char *err, size_t errlen)
{
	char why[200];

	if (cw_acl_parse(o->value[CW_OPT_ACCESS_CONTROL_LIST], &o->acl, why,
	                 sizeof why) != 0) {
		snprintf(err, errlen, "access_control_list: %s", why);
		return -1;
	}
	return 0;
}

/* What cw_options_finish derives, freed before it derives it again. */
static void free_derived(struct cw_options *o)
{
	free(o->additional_headers);
	o->additional_headers = NULL;
	free(o->hsts_header);
	o->hsts_header = NULL;
	cw_acl_free(o->acl);
	o->acl = NULL;
	cw_throttle_free(o->throttle);
	o->throttle = NULL;
}

int cw_options_finish(struct cw_options *o, char *err, size_t errlen)
{
	o->num_threads = number_of(o, CW_OPT_NUM_THREADS);
	o->prespawn_threads = number_of(o, CW_OPT_PRESPAWN_THREADS);
	o->tcp_nodelay = number_of(o, CW_OPT_TCP_NODELAY);
	o->max_request_size = (size_t)number_of(o, CW_OPT_MAX_REQUEST_SIZE);
	o->linger_timeout_ms = *cw_options_get(o, CW_OPT_LINGER_TIMEOUT_MS)
	                           ? number_of(o, CW_OPT_LINGER_TIMEOUT_MS)
	                           : -2;
	o->listen_backlog = number_of(o, CW_OPT_LISTEN_BACKLOG);
	o->enable_keep_alive = cw_options_flag(o, CW_OPT_ENABLE_KEEP_ALIVE);
	o->request_timeout_ms = number_of(o, CW_OPT_REQUEST_TIMEOUT_MS);
	o->keep_alive_timeout_ms = number_of(o, CW_OPT_KEEP_ALIVE_TIMEOUT_MS);
	o->websocket_timeout_ms =
	    *cw_options_get(o, CW_OPT_WEBSOCKET_TIMEOUT_MS)
	        ? number_of(o, CW_OPT_WEBSOCKET_TIMEOUT_MS)
	        : o->request_timeout_ms;
	o->websocket_ping_pong =
	    cw_options_flag(o, CW_OPT_ENABLE_WEBSOCKET_PING_PONG);
	o->websocket_max_message =
	    atoll(cw_options_get(o, CW_OPT_WEBSOCKET_MAX_MESSAGE_SIZE));
	o->websocket_max_queued =
	    atoll(cw_options_get(o, CW_OPT_WEBSOCKET_MAX_QUEUED));
	o->decode_url = cw_options_flag(o, CW_OPT_DECODE_URL);
	o->decode_query_string = cw_options_flag(o, CW_OPT_DECODE_QUERY_STRING);
	o->allow_sendfile = cw_options_flag(o, CW_OPT_ALLOW_SENDFILE_CALL);
	o->tcp_defer_accept = cw_options_flag(o, CW_OPT_TCP_DEFER_ACCEPT);
	o->static_file_max_age = number_of(o, CW_OPT_STATIC_FILE_MAX_AGE);
	o->max_body_size = atoll(cw_options_get(o, CW_OPT_MAX_BODY_SIZE));
	o->body_buffer_size = number_of(o, CW_OPT_BODY_BUFFER_SIZE);
	o->min_receive_rate = number_of(o, CW_OPT_MIN_RECEIVE_RATE);
	o->min_send_rate = number_of(o, CW_OPT_MIN_SEND_RATE);
	o->health_check_uri = *cw_options_get(o, CW_OPT_HEALTH_CHECK_URI)
	                          ? cw_options_get(o, CW_OPT_HEALTH_CHECK_URI)
	                          : NULL;
	o->access_log_json =
	    strcmp(cw_options_get(o, CW_OPT_ACCESS_LOG_FORMAT), "json") == 0;
	free_derived(o);
	if (build_acl(o, err, errlen) != 0 ||
	    cw_throttle_parse(o->value[CW_OPT_THROTTLE], &o->throttle, err,
	                      errlen) != 0)
		return -1;
	return build_additional_headers(o, err, errlen);
}

int cw_options_inherit(struct cw_options *o, const struct cw_options *from,
                       char *err, size_t errlen)
{
	for (int i = 0; i < CW_OPT_COUNT; i++) {
		if (o->value[i] != NULL || from->value[i] == NULL)
			continue;
		o->value[i] = strdup(from->value[i]);
		if (o->value[i] == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return cw_options_finish(o, err, errlen);
}

void cw_options_free(struct cw_options *o)
{
	for (int i = 0; i < CW_OPT_COUNT; i++) {
		free(o->value[i]);
		o->value[i] = NULL;
	}
	free_derived(o);
}
