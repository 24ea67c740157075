/* domain.c - mg_start_domain / mg_start_domain2: an extra domain on a
 * running server (core/domain.h), with CivetWeb's return values:
 *   > 0 the domain's index (1 for the first)
 *    -1 a parameter error        (MG_ERROR_DATA_CODE_INVALID_PARAM)
 *    -2 an invalid option        (_INVALID_OPTION)
 *    -3 TLS could not be set up  (_INIT_TLS_FAILED)
 *    -4 authentication_domain missing (_MISSING_OPTION)
 *    -5 a domain of that name exists  (_DUPLICATE_DOMAIN)
 *    -6 out of memory            (_OUT_OF_MEMORY)
 *    -7 the server is stopping   (_SERVER_STOPPED)
 * Options the domain is not given are the server's; those that belong to
 * the server as a whole (ports, threads, timeouts) are accepted and have
 * no effect, as in CivetWeb. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MG_EXPERIMENTAL_INTERFACES
#include "api/context.h"
#include "core/domain.h"
#include "core/error_data.h"
#include "core/log.h"
#include "net/tls.h"

static int fail(struct mg_error_data *e, int r, unsigned code, const char *text)
{
	cw_set_error(e, code, text);
	return r;
}

static int taken(const struct mg_context *ctx, const char *name)
{
	const char *own =
	    cw_options_get(&ctx->opt, CW_OPT_AUTHENTICATION_DOMAIN);

	return strcasecmp(own, name) == 0 ||
	       cw_domain_find(ctx, name, strlen(name)) != NULL;
}

/* Append d to ctx's list (under domain_lock): its index, or -5 when a
 * domain of its name came meanwhile. */
static int append(struct mg_context *ctx, struct cw_domain *d)
{
	const char *name = d->opt.value[CW_OPT_AUTHENTICATION_DOMAIN];
	struct cw_domain *_Atomic *at = &ctx->domains;
	int index;

	pthread_mutex_lock(&ctx->domain_lock);
	if (taken(ctx, name)) {
		pthread_mutex_unlock(&ctx->domain_lock);
		return -5;
	}
	while (atomic_load(at) != NULL)
		at = &atomic_load(at)->next;
	index = d->index = ++ctx->num_domains;
	atomic_store_explicit(at, d, memory_order_release);
	pthread_mutex_unlock(&ctx->domain_lock);
	return index;
}

static void free_domain(struct mg_context *ctx, struct cw_domain *d)
{
	cw_tls_domain_free(ctx, d);
	cw_options_free(&d->opt);
	free(d);
}

int mg_start_domain2(struct mg_context *ctx, const char **configuration_options,
                     struct mg_error_data *error)
{
	struct cw_domain *d;
	char err[512] = "";
	const char *name;
	int r;

	cw_set_error(error, MG_ERROR_DATA_CODE_OK, "");
	if (ctx == NULL || configuration_options == NULL)
		return fail(error, -1, MG_ERROR_DATA_CODE_INVALID_PARAM,
		            "no context or no options");
	if (atomic_load(&ctx->stopping))
		return fail(error, -7, MG_ERROR_DATA_CODE_SERVER_STOPPED,
		            "the server is stopping");
	d = calloc(1, sizeof *d);
	if (d == NULL)
		return fail(error, -6, MG_ERROR_DATA_CODE_OUT_OF_MEMORY,
		            "out of memory");
	if (cw_options_parse(&d->opt, configuration_options, err, sizeof err) !=
	    0) {
		free_domain(ctx, d);
		cw_log_error(ctx, NULL, "%s", err);
		return fail(error, -2, MG_ERROR_DATA_CODE_INVALID_OPTION, err);
	}
	name = d->opt.value[CW_OPT_AUTHENTICATION_DOMAIN];
	if (name == NULL || *name == '\0') {
		free_domain(ctx, d);
		return fail(error, -4, MG_ERROR_DATA_CODE_MISSING_OPTION,
		            "authentication_domain is required for a domain");
	}
	if (taken(ctx, name)) {
		free_domain(ctx, d);
		return fail(error, -5, MG_ERROR_DATA_CODE_DUPLICATE_DOMAIN,
		            "a domain of that name exists");
	}
	if (cw_options_inherit(&d->opt, &ctx->opt, err, sizeof err) != 0) {
		free_domain(ctx, d);
		return fail(error, -6, MG_ERROR_DATA_CODE_OUT_OF_MEMORY, err);
	}
	if (cw_tls_domain_init(ctx, d, err, sizeof err) != 0) {
		cw_log_error(ctx, NULL, "domain %s: %s", name, err);
		free_domain(ctx, d);
		return fail(error, -3, MG_ERROR_DATA_CODE_INIT_TLS_FAILED, err);
	}
	r = append(ctx, d);
	if (r < 0) {
		free_domain(ctx, d);
		return fail(error, r, MG_ERROR_DATA_CODE_DUPLICATE_DOMAIN,
		            "a domain of that name exists");
	}
	return r;
}

int mg_start_domain(struct mg_context *ctx, const char **configuration_options)
{
	return mg_start_domain2(ctx, configuration_options, NULL);
}

void cw_domains_free(struct mg_context *ctx)
{
	struct cw_domain *d = atomic_load(&ctx->domains);

	atomic_store(&ctx->domains, NULL);
	while (d != NULL) {
		struct cw_domain *next = atomic_load(&d->next);

		free_domain(ctx, d);
		d = next;
	}
}
