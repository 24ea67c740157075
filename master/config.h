/* config.h - the prefork server's configuration: CivetWeb's file format
 * ("option value" lines, # comments) plus overrides, each option remembering
 * where it came from so that an error names the file and line. */
#ifndef CW_CONFIG_H
#define CW_CONFIG_H

#include <stddef.h>

#include "core/options.h"

struct cw_config {
	int n;
	char **names;
	char **values;
	char **origins;  /* "file:line" or "command line" */
	const char **kv; /* NULL-terminated name/value list for mg_start */
	struct cw_options opt; /* validated values */
	char *file;            /* the config file, or NULL */
	/* The add_domain files, each read as a configuration of its own,
	 * for mg_start_domain in every worker. */
	int n_domains;
	struct cw_config *domains;
};

/* Build a configuration from base options (name/value pairs; the pair
 * "config_file" FILE names a file read first, the other pairs override
 * it), and validate it completely, including listening_ports. On error:
 * -1 with "FILE:LINE: option: reason" (or "command line: ...") in err.
 * The caller frees *out with cw_config_free. */
int cw_config_load(const char **base, struct cw_config *out, char *err,
                   size_t errlen);
/* Free everything *c holds and zero it; safe on a zeroed or freed one. */
void cw_config_free(struct cw_config *c);

/* Value in effect of an option (default if not given, "" if none). */
const char *cw_config_get(const struct cw_config *c, enum cw_opt_id id);

#endif
