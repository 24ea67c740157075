/* domain.h - the extra domains of a server (mg_start_domain): each has
 * options of its own - its authentication_domain names it - and, on a
 * server with TLS ports, a TLS context of its own. A request whose Host
 * names a domain is served with that domain's options, and a TLS client
 * that names it (SNI) gets its certificate. Domains are added while the
 * server runs and live until mg_stop: a reader walks the list without a
 * lock, a writer appends under the context's domain_lock. */
#ifndef CW_CORE_DOMAIN_H
#define CW_CORE_DOMAIN_H

#include <stddef.h>

#include "core/options.h"
#include "core/server.h"

struct cw_domain {
	struct cw_options opt;
	void *ssl_ctx; /* SSL_CTX, or NULL */
	int index;     /* 1, 2, ...: what mg_start_domain returned */
	struct cw_domain *_Atomic next;
};

/* The domain whose authentication_domain is name[0..len) (case-insensitive),
 * or NULL. */
const struct cw_domain *cw_domain_find(const struct mg_context *ctx,
                                       const char *name, size_t len);

/* The options a request for host (its Host header, a port after ':' is
 * ignored; may be NULL) is served with: its domain's, else the server's. */
const struct cw_options *cw_domain_options(const struct mg_context *ctx,
                                           const char *host);

#endif
