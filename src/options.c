/* options.c - the option table and its validation.
 *
 * Values are checked when they are set, so a bad configuration is refused
 * with the option's name and the reason before anything is bound or
 * started; cw_options_finish() then derives the numbers the request path
 * uses. Options CivetWeb has but civetd does not implement (CGI, Lua, ...)
 * are accepted, so that existing programs start, and reported by
 * cw_options_implemented() for the caller to warn about. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mime.h"
#include "options.h"

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

/* Parse a whole decimal integer (optional sign) into *out. */
static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "1", "on"};
	static const char *const no[] = {"no", "false", "0", "off"};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
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
	case CW_OPT_PRESPAWN_THREADS:
		*min = id == CW_OPT_PRESPAWN_THREADS ? -1 : 0;
		*max = INT_MAX;
		break;
	case CW_OPT_MAX_BODY_SIZE:
		*min = 0;
		*max = LONG_MAX;
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

static int check_value(int id, const char *v, char *err, size_t errlen)
{
	const char *name = option_table[id].name;
	struct stat st;
	long n, min, max;
	int b;

	switch (option_table[id].type) {
	case MG_CONFIG_TYPE_NUMBER:
		number_range(id, &min, &max);
		if (parse_int(v, min, max, &n) != 0) {
			snprintf(err, errlen, "%s: invalid number '%s'", name, v);
			return -1;
		}
		return 0;
	case MG_CONFIG_TYPE_BOOLEAN:
		if (parse_bool(v, &b) != 0) {
			snprintf(err, errlen, "%s: expected yes or no, got '%s'",
			         name, v);
			return -1;
		}
		return 0;
	case MG_CONFIG_TYPE_YES_NO_OPTIONAL:
		if (parse_bool(v, &b) != 0 && strcasecmp(v, "optional") != 0) {
			snprintf(err, errlen,
			         "%s: expected yes, no or optional, got '%s'", name,
			         v);
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
	if (id == CW_OPT_EXTRA_MIME_TYPES) {
		char why[160];

		if (cw_mime_check_extra(v, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s: %s", name, why);
			return -1;
		}
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

int cw_options_set(struct cw_options *o, const char *name, const char *value,
                   char *err, size_t errlen)
{
	int id = cw_options_find(name);

	if (id < 0) {
		snprintf(err, errlen, "%s: unknown option", name ? name : "(null)");
		return -1;
	}
	if (value == NULL) {
		snprintf(err, errlen, "%s: missing value", name);
		return -1;
	}
	if (check_value(id, value, err, errlen) != 0)
		return -1;
	if (store_value(o, id, value) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	return 0;
}

int cw_options_parse(struct cw_options *o, const char **kv, char *err,
                     size_t errlen)
{
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

static int flag_of(const struct cw_options *o, enum cw_opt_id id)
{
	int b = 0;

	(void)parse_bool(cw_options_get(o, id), &b);
	return b;
}

/* additional_header lines become one "Name: value\r\n..." block; each line
 * must look like a header, or it would corrupt every response. */
static int build_additional_headers(struct cw_options *o, char *err,
                                    size_t errlen)
{
	const char *v = o->value[CW_OPT_ADDITIONAL_HEADER];
	size_t n;
	char *out, *p;

	if (v == NULL || *v == '\0')
		return 0;
	n = strlen(v);
	out = malloc(n + 3);
	if (out == NULL) {
		snprintf(err, errlen, "additional_header: out of memory");
		return -1;
	}
	p = out;
	while (*v) {
		size_t len = strcspn(v, "\r\n");
		const char *colon = memchr(v, ':', len);

		if (len > 0) {
			if (colon == NULL || colon == v) {
				snprintf(err, errlen,
				         "additional_header: '%.*s' is not a "
				         "'Name: value' header line",
				         (int)len, v);
				free(out);
				return -1;
			}
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
	return 0;
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
	o->enable_keep_alive = flag_of(o, CW_OPT_ENABLE_KEEP_ALIVE);
	o->request_timeout_ms = number_of(o, CW_OPT_REQUEST_TIMEOUT_MS);
	o->keep_alive_timeout_ms = number_of(o, CW_OPT_KEEP_ALIVE_TIMEOUT_MS);
	o->decode_url = flag_of(o, CW_OPT_DECODE_URL);
	o->decode_query_string = flag_of(o, CW_OPT_DECODE_QUERY_STRING);
	o->allow_sendfile = flag_of(o, CW_OPT_ALLOW_SENDFILE_CALL);
	o->static_file_max_age = number_of(o, CW_OPT_STATIC_FILE_MAX_AGE);
	o->max_body_size = atoll(cw_options_get(o, CW_OPT_MAX_BODY_SIZE));
	free(o->additional_headers);
	o->additional_headers = NULL;
	return build_additional_headers(o, err, errlen);
}

void cw_options_free(struct cw_options *o)
{
	for (int i = 0; i < CW_OPT_COUNT; i++) {
		free(o->value[i]);
		o->value[i] = NULL;
	}
	free(o->additional_headers);
	o->additional_headers = NULL;
}
