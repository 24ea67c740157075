/* domain.c - finding a server's extra domains by name (see domain.h). */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "core/domain.h"

const struct cw_domain *cw_domain_find(const struct mg_context *ctx,
                                       const char *name, size_t len)
{
	const struct cw_domain *d =
	    atomic_load_explicit(&ctx->domains, memory_order_acquire);

	for (; d != NULL;
	     d = atomic_load_explicit(&d->next, memory_order_acquire)) {
		const char *n = d->opt.value[CW_OPT_AUTHENTICATION_DOMAIN];

		if (n != NULL && strlen(n) == len &&
		    strncasecmp(n, name, len) == 0)
			return d;
	}
	return NULL;
}

const struct cw_options *cw_domain_options(const struct mg_context *ctx,
                                           const char *host)
{
	const struct cw_domain *d;
	size_t len;

	if (host == NULL ||
	    atomic_load_explicit(&ctx->domains, memory_order_relaxed) == NULL)
		return &ctx->opt;
	len = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	d = cw_domain_find(ctx, host, len);
	return d != NULL ? &d->opt : &ctx->opt;
}
