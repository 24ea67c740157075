/* config.c - reading and validating the prefork server's configuration.
 *
 * The master validates everything before it touches a running server: each
 * value with the library's own option checks, then the whole with the
 * listening_ports grammar, so a reload with a bad file is refused with the
 * file, the line and the reason while the old workers keep serving. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/listen_spec.h"

#define MAX_LINE 8192

static int push(struct cw_config *c, const char *name, const char *value,
                const char *origin)
{
	char **n = realloc(c->names, (size_t)(c->n + 1) * sizeof *n);
	char **v, **o;

	if (n == NULL)
		return -1;
	c->names = n;
	v = realloc(c->values, (size_t)(c->n + 1) * sizeof *v);
	if (v == NULL)
		return -1;
	c->values = v;
	o = realloc(c->origins, (size_t)(c->n + 1) * sizeof *o);
	if (o == NULL)
		return -1;
	c->origins = o;
	c->names[c->n] = strdup(name);
	c->values[c->n] = strdup(value);
	c->origins[c->n] = strdup(origin);
	if (c->names[c->n] == NULL || c->values[c->n] == NULL ||
	    c->origins[c->n] == NULL) {
		free(c->names[c->n]);
		free(c->values[c->n]);
		free(c->origins[c->n]);
		return -1;
	}
	c->n++;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One line of the file: "name value", "name=value" is not CivetWeb's. */
static int read_line(struct cw_config *c, char *line, const char *origin,
                     char *err, size_t errlen)
{
	char *s = trim(line), *v;

	if (*s == '\0' || *s == '#')
		return 0;
	v = s + strcspn(s, " \t");
	if (*v == '\0') {
		snprintf(err, errlen, "%s: option '%s' has no value", origin,
		         s);
		return -1;
	}
	*v++ = '\0';
	v = trim(v);
	if (cw_options_find(s) < 0) {
		snprintf(err, errlen, "%s: unknown option '%s'", origin, s);
		return -1;
	}
	if (push(c, s, v, origin) != 0) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return -1;
	}
	return 0;
}

static int read_file(struct cw_config *c, const char *path, char *err,
                     size_t errlen)
{
	char line[MAX_LINE], origin[512];
	int lineno = 0, r = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (r == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		snprintf(origin, sizeof origin, "%s:%d", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s: line too long", origin);
			r = -1;
			break;
		}
		r = read_line(c, line, origin, err, errlen);
	}
	if (r == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	fclose(f);
	return r;
}

static const char *origin_of(const struct cw_config *c, const char *name)
{
	for (int i = c->n - 1; i >= 0; i--)
		if (strcmp(c->names[i], name) == 0)
			return c->origins[i];
	return "defaults";
}

/* status_page_uri: a path of its own (no query, no trailing slash, not
 * /metrics), served on metrics_listen, without which there is nowhere to
 * serve it. */
static int check_status_page(const struct cw_config *c, char *err,
                             size_t errlen)
{
	static const char path_chars[] = "abcdefghijklmnopqrstuvwxyz"
	                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                 "0123456789-._~!$&'()*+,;=:@%/";
	const char *uri = cw_options_get(&c->opt, CW_OPT_STATUS_PAGE_URI);
	const char *origin = origin_of(c, "status_page_uri");
	size_t len = strlen(uri);

	if (len == 0)
		return 0;
	if (uri[0] != '/' || uri[len - 1] == '/' || len > 256 ||
	    strspn(uri, path_chars) != len) {
		snprintf(err, errlen,
		         "%s: status_page_uri: '%.300s' is not a path such as "
		         "/status (no query, no trailing slash)",
		         origin, uri);
		return -1;
	}
	if (strcmp(uri, "/metrics") == 0) {
		snprintf(err, errlen,
		         "%s: status_page_uri: /metrics is the metrics "
		         "endpoint's",
		         origin);
		return -1;
	}
	if (*cw_options_get(&c->opt, CW_OPT_METRICS_LISTEN) == '\0') {
		snprintf(
		    err, errlen,
		    "%s: status_page_uri needs metrics_listen: the page is "
		    "served by the master's own listener",
		    origin);
		return -1;
	}
	return 0;
}

/* Every value through the library's checks, reporting its origin. */
static int validate(struct cw_config *c, char *err, size_t errlen)
{
	char why[512];
	struct cw_listen_spec *specs;
	int n;

	for (int i = 0; i < c->n; i++) {
		if (cw_options_set(&c->opt, c->names[i], c->values[i], why,
		                   sizeof why) != 0) {
			snprintf(err, errlen, "%s: %s", c->origins[i], why);
			return -1;
		}
	}
	if (cw_options_finish(&c->opt, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s",
		         origin_of(c, "additional_header"), why);
		return -1;
	}
	if (cw_listen_parse(cw_options_get(&c->opt, CW_OPT_LISTENING_PORTS),
	                    &specs, &n, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s", origin_of(c, "listening_ports"),
		         why);
		return -1;
	}
	free(specs);
	return check_status_page(c, err, errlen);
}

/* Each add_domain line names a file with a domain's options: read them,
 * as a configuration of their own (errors name that file and line). */
static int load_domains(struct cw_config *c, char *err, size_t errlen)
{
	const char *v = c->opt.value[CW_OPT_ADD_DOMAIN];
	char path[1024];
	int cap = 0;

	for (const char *p = v; p != NULL && *p != '\0';) {
		size_t len = strcspn(p, "\r\n");
		const char *base[] = {"config_file", path, NULL};

		if (len > 0 && len < sizeof path) {
			memcpy(path, p, len);
			path[len] = '\0';
			if (c->n_domains == cap) {
				struct cw_config *m = realloc(
				    c->domains, (size_t)(cap + 4) * sizeof *m);

				if (m == NULL) {
					snprintf(err, errlen, "out of memory");
					return -1;
				}
				c->domains = m;
				cap += 4;
			}
			if (cw_config_load(base, &c->domains[c->n_domains], err,
			                   errlen) != 0)
				return -1;
			c->n_domains++;
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	return 0;
}

static int build_kv(struct cw_config *c)
{
	c->kv = calloc((size_t)c->n * 2 + 1, sizeof *c->kv);
	if (c->kv == NULL)
		return -1;
	for (int i = 0; i < c->n; i++) {
		c->kv[2 * i] = c->names[i];
		c->kv[2 * i + 1] = c->values[i];
	}
	return 0;
}

int cw_config_load(const char **base, struct cw_config *out, char *err,
                   size_t errlen)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; base != NULL && base[i] != NULL; i += 2) {
		if (strcmp(base[i], "config_file") != 0 || base[i + 1] == NULL)
			continue;
		free(out->file);
		out->file = strdup(base[i + 1]);
		if (out->file == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (out->file != NULL && read_file(out, out->file, err, errlen) != 0)
		goto fail;
	for (int i = 0; base != NULL && base[i] != NULL; i += 2) {
		if (strcmp(base[i], "config_file") == 0)
			continue;
		if (base[i + 1] == NULL) {
			snprintf(err, errlen,
			         "command line: option '%s' has no "
			         "value",
			         base[i]);
			goto fail;
		}
		if (push(out, base[i], base[i + 1], "command line") != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (validate(out, err, errlen) != 0 ||
	    load_domains(out, err, errlen) != 0)
		goto fail;
	if (build_kv(out) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return 0;
fail:
	cw_config_free(out);
	return -1;
}

void cw_config_free(struct cw_config *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->values[i]);
		free(c->origins[i]);
	}
	free(c->names);
	free(c->values);
	free(c->origins);
	free(c->kv);
	free(c->file);
	for (int i = 0; i < c->n_domains; i++)
		cw_config_free(&c->domains[i]);
	free(c->domains);
	cw_options_free(&c->opt);
	memset(c, 0, sizeof *c);
}

const char *cw_config_get(const struct cw_config *c, enum cw_opt_id id)
{
	return cw_options_get(&c->opt, id);
}
