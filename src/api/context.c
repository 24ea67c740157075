/* context.c - a server's life (mg_start, mg_start2, mg_stop) and the small
 * accessors of the API that read a context or a connection.
 *
 * mg_start2 does everything that can fail before any thread exists:
 * options, log files, listening sockets; so a bad configuration returns
 * NULL with the option and the reason, and leaves nothing behind. Then
 * init_context runs, then the threads start: no request can arrive before
 * init_context has returned (handlers registered there are in place). */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/context.h"
#include "core/handlers.h"
#include "core/log.h"
#include "core/nonces.h"
#include "core/privdrop.h"
#include "files/auth.h"
#include "files/static_file.h"
#include "http/http1.h"
#include "net/conn.h"
#include "net/listen.h"
#include "net/pool.h"
#include "net/proxy.h"
#include "net/tls.h"
#include "util/clock.h"

static _Atomic int library_users;

unsigned mg_init_library(unsigned features)
{
	atomic_fetch_add(&library_users, 1);
	return features & mg_check_feature(MG_FEATURES_ALL);
}

unsigned mg_exit_library(void)
{
	if (atomic_load(&library_users) <= 0)
		return 0;
	atomic_fetch_sub(&library_users, 1);
	return 1;
}

/* Options CivetWeb has but civetd does not implement: say so, once. */
static void warn_unimplemented(struct mg_context *ctx)
{
	for (int i = 0; i < CW_OPT_COUNT; i++) {
		if (!cw_options_implemented((enum cw_opt_id)i) &&
		    cw_options_is_set(&ctx->opt, (enum cw_opt_id)i))
			cw_log_error(ctx, NULL,
			             "option %s is accepted but has no effect "
			             "in this civetd",
			             cw_options_table()[i].name);
	}
}

/* Sockets a prefork master bound, described as listeners. */
static unsigned adopt_listeners(struct mg_context *ctx,
                                const struct cw_start_extra *inh,
                                const struct cw_listen_spec *specs, int n,
                                char *err, size_t errlen)
{
	ctx->listeners = calloc((size_t)inh->num_fds, sizeof *ctx->listeners);
	ctx->listeners_owned = 0;
	if (ctx->listeners == NULL) {
		snprintf(err, errlen, "out of memory");
		return MG_ERROR_DATA_CODE_OUT_OF_MEMORY;
	}
	ctx->num_listeners = inh->num_fds;
	for (int i = 0; i < inh->num_fds; i++) {
		if (cw_listen_adopt(inh->fds[i], &specs[i < n ? i : n - 1],
		                    &ctx->listeners[i]) != 0) {
			snprintf(err, errlen, "cannot use inherited sockets");
			return MG_ERROR_DATA_CODE_OS_ERROR;
		}
	}
	return MG_ERROR_DATA_CODE_OK;
}

/* The listening sockets: the inherited ones, else bound here. Returns an
 * MG_ERROR_DATA_CODE_* with a reason in err. */
static unsigned open_listeners(struct mg_context *ctx,
                               const struct cw_start_extra *inh, char *err,
                               size_t errlen)
{
	struct cw_listen_spec *specs;
	unsigned code = MG_ERROR_DATA_CODE_OK;
	int n;

	if (cw_listen_parse(cw_options_get(&ctx->opt, CW_OPT_LISTENING_PORTS),
	                    &specs, &n, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_INVALID_OPTION;
	if (inh != NULL && inh->num_fds > 0) {
		code = adopt_listeners(ctx, inh, specs, n, err, errlen);
	} else {
		ctx->listeners_owned = 1;
		if (cw_listen_open(specs, n, ctx->opt.listen_backlog,
		                   &ctx->listeners, &ctx->num_listeners, err,
		                   errlen) != 0) {
			code = MG_ERROR_DATA_CODE_INIT_PORTS_FAILED;
		} else if (ctx->num_listeners == 0) {
			snprintf(err, errlen,
			         "listening_ports: cannot listen "
			         "on any of the (optional) ports");
			code = MG_ERROR_DATA_CODE_INIT_PORTS_FAILED;
		}
	}
	free(specs);
	return code;
}

/* The error_log_file CivetWeb would know when it refuses these options:
 * it reads the list up to an unknown name or a missing value, and checks
 * values only once it has read them all. NULL for none. */
static const char *error_log_named(const char **kv)
{
	const char *path = NULL;

	for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
		if (cw_options_find(kv[i]) < 0 || kv[i + 1] == NULL)
			break;
		if (strcmp(kv[i], "error_log_file") == 0)
			path = kv[i + 1];
	}
	return path;
}

/* CivetWeb's words for a refused option (its log line begins with them);
 * civetd's reason follows. */
static const char *option_wording(const struct cw_options *o)
{
	if (o->err_kind == CW_OPT_ERR_NAME)
		return "Invalid option";
	char *end;

	if (o->err_kind == CW_OPT_ERR_NULL || o->err_id != CW_OPT_NUM_THREADS)
		return "Invalid option value";
	return strtol(o->err_value, &end, 10) > 0 && *end == '\0'
	           ? "Too many worker threads"
	           : "Invalid number of worker threads";
}

/* Was the list refused? CivetWeb says so with its own code and words:
 * "Failed to setup access control list" (civetd's reason follows). */
static int acl_refused(const struct cw_options *o, const char *err)
{
	return (o->err_kind == CW_OPT_ERR_VALUE &&
	        o->err_id == CW_OPT_ACCESS_CONTROL_LIST) ||
	       strncmp(err, "access_control_list:", 20) == 0;
}

/* Say why the start failed: to the log (CivetWeb's wording first), and in
 * error, where an option CivetWeb would name is named in its words. */
static void start_failed(struct mg_context *ctx, struct mg_error_data *error,
                         unsigned code, const char *err)
{
	const struct cw_options *o = &ctx->opt;
	char text[600];

	if (code == MG_ERROR_DATA_CODE_INVALID_OPTION &&
	    o->err_kind == CW_OPT_ERR_NAME)
		/* CivetWeb's line exactly: the name is the whole reason */
		cw_log_error(ctx, NULL, "Invalid option: %s", o->err_name);
	else if (code == MG_ERROR_DATA_CODE_INVALID_OPTION &&
	         o->err_kind != CW_OPT_ERR_NONE)
		cw_log_error(ctx, NULL, "%s: %s", option_wording(o), err);
	else if (code == MG_ERROR_DATA_CODE_INIT_ACL_FAILED)
		cw_log_error(ctx, NULL,
		             "Failed to setup access control list: %s", err);
	else
		cw_log_error(ctx, NULL, "%s", err);
	snprintf(text, sizeof text, "%s", err);
	if (code == MG_ERROR_DATA_CODE_INIT_ACL_FAILED)
		snprintf(text, sizeof text,
		         "Failed to setup access control list: %.500s", err);
	if (code == MG_ERROR_DATA_CODE_INVALID_OPTION &&
	    o->err_kind == CW_OPT_ERR_NAME)
		snprintf(text, sizeof text, "Invalid configuration option: %s",
		         o->err_name);
	else if (code == MG_ERROR_DATA_CODE_INVALID_OPTION &&
	         o->err_kind == CW_OPT_ERR_NULL)
		snprintf(text, sizeof text,
		         "Invalid configuration option value: %s", o->err_name);
	cw_set_error(error, code, text);
	if (error != NULL && code == MG_ERROR_DATA_CODE_INVALID_OPTION &&
	    o->err_kind != CW_OPT_ERR_NONE)
		error->code_sub = (unsigned)o->err_id;
}

/* The TLS ports' connections start with a handshake over TLS. */
static unsigned start_tls(struct mg_context *ctx, char *err, size_t errlen)
{
	if (cw_tls_context_init(ctx, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_INIT_TLS_FAILED;
	for (int i = 0; i < ctx->num_listeners; i++) {
		if (!ctx->listeners[i].is_ssl)
			continue;
		ctx->listeners[i].xprt = &cw_tls_transport;
		ctx->listeners[i].proto = &cw_tls_handshake_protocol;
	}
	return MG_ERROR_DATA_CODE_OK;
}

static void destroy(struct mg_context *ctx)
{
	cw_domains_free(ctx);
	cw_tls_context_free(ctx);
	cw_listen_close(ctx->listeners, ctx->num_listeners,
	                ctx->listeners_owned);
	cw_handlers_free(ctx->handlers);
	cw_conns_free(ctx);
	cw_static_stop(ctx);
	if (ctx->nonces_owned)
		cw_nonces_free_shared(ctx->nonces);
	cw_log_close(ctx);
	cw_options_free(&ctx->opt);
	if (ctx->stats_owned)
		free(ctx->tstats);
	if (ctx->conns_owned)
		free(ctx->conns_ctr);
	pthread_mutex_destroy(&ctx->user_lock);
	pthread_mutex_destroy(&ctx->domain_lock);
	free(ctx);
}

/* run_as_user, as CivetWeb's mg_start: once the ports are bound and the
 * log and TLS files read, before init_context and any thread. A prefork
 * worker already runs as the user (its master dropped): nothing to do. */
static unsigned drop_privileges(struct mg_context *ctx, char *err,
                                size_t errlen)
{
	const char *name = cw_options_get(&ctx->opt, CW_OPT_RUN_AS_USER);
	struct cw_user u;

	if (*name == '\0')
		return MG_ERROR_DATA_CODE_OK;
	if (cw_privdrop_lookup(name, &u, err, errlen) != 0 ||
	    cw_privdrop_become(&u, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_OS_ERROR;
	return MG_ERROR_DATA_CODE_OK;
}

struct mg_context *cw_context_start(struct mg_init_data *init,
                                    struct mg_error_data *error,
                                    const struct cw_start_extra *extra)
{
	struct mg_context *ctx;
	char err[512] = "";
	unsigned code = MG_ERROR_DATA_CODE_OUT_OF_MEMORY;

	cw_set_error(error, MG_ERROR_DATA_CODE_OK, "");
	if (init == NULL) {
		cw_set_error(error, MG_ERROR_DATA_CODE_INVALID_PARAM,
		             "no init data");
		return NULL;
	}
	ctx = calloc(1, sizeof *ctx);
	if (ctx == NULL) {
		cw_set_error(error, code, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ctx->user_lock, NULL);
	pthread_mutex_init(&ctx->domain_lock, NULL);
	ctx->epfd = -1;
	ctx->first_proto = &cw_http1_protocol;
	ctx->fallbacks.serve = cw_static_serve;
	ctx->fallbacks.error_page = cw_static_error_page;
	ctx->fallbacks.authorize = cw_auth_request;
	if (init->callbacks != NULL)
		ctx->cb = *init->callbacks;
	ctx->user_data = init->user_data;
	ctx->start_ms = cw_now_ms();
	ctx->start_time = time(NULL);
	if (cw_options_parse(&ctx->opt, init->configuration_options, err,
	                     sizeof err) != 0) {
		code = acl_refused(&ctx->opt, err)
		           ? MG_ERROR_DATA_CODE_INIT_ACL_FAILED
		           : MG_ERROR_DATA_CODE_INVALID_OPTION;
		(void)cw_log_open_error_only(
		    ctx, error_log_named(init->configuration_options));
		goto fail;
	}
	if (cw_log_open(ctx, err, sizeof err) != 0) {
		code = MG_ERROR_DATA_CODE_INVALID_OPTION;
		goto fail;
	}
	if (cw_static_start(ctx) != 0) {
		snprintf(err, sizeof err, "%s", "out of memory");
		goto fail;
	}
	warn_unimplemented(ctx);
	if (extra != NULL) {
		ctx->tstats = extra->blocks;
		ctx->nblocks = extra->nblocks;
		ctx->conns_ctr = extra->conns;
		ctx->runners_target = extra->runners_target;
		ctx->accept_ok = extra->accept_ok;
		ctx->accept_arg = extra->accept_arg;
		ctx->ticket_keys = extra->ticket_keys;
		ctx->nonces = extra->nonces;
	}
	if (ctx->nonces == NULL) {
		ctx->nonces = cw_nonces_new_shared();
		ctx->nonces_owned = 1;
		if (ctx->nonces == NULL) {
			snprintf(err, sizeof err, "%s", "out of memory");
			goto fail;
		}
	}
	code = open_listeners(ctx, extra, err, sizeof err);
	if (code != MG_ERROR_DATA_CODE_OK)
		goto fail;
	cw_listen_defer_accept(ctx->listeners, ctx->num_listeners,
	                       ctx->opt.tcp_defer_accept);
	code = start_tls(ctx, err, sizeof err);
	if (code == MG_ERROR_DATA_CODE_OK)
		code = drop_privileges(ctx, err, sizeof err);
	if (code != MG_ERROR_DATA_CODE_OK)
		goto fail;
	cw_proxy_ports_init(ctx);
	code = MG_ERROR_DATA_CODE_OUT_OF_MEMORY;
	ctx->handlers = cw_handlers_new();
	if (ctx->conns_ctr == NULL) {
		ctx->conns_ctr = aligned_alloc(64, sizeof *ctx->conns_ctr);
		if (ctx->conns_ctr != NULL)
			memset(ctx->conns_ctr, 0, sizeof *ctx->conns_ctr);
		ctx->conns_owned = 1;
	}
	if (ctx->handlers == NULL || ctx->conns_ctr == NULL ||
	    cw_conns_init(ctx) != 0) {
		snprintf(err, sizeof err, "out of memory");
		goto fail;
	}
	/* a client that goes away must not kill the process */
	signal(SIGPIPE, SIG_IGN);
	if (ctx->cb.init_context != NULL)
		ctx->cb.init_context(ctx);
	if (cw_pool_start(ctx, err, sizeof err) != 0) {
		code = MG_ERROR_DATA_CODE_OS_ERROR;
		if (ctx->cb.exit_context != NULL)
			ctx->cb.exit_context(ctx);
		goto fail;
	}
	return ctx;
fail:
	start_failed(ctx, error, code, err);
	destroy(ctx);
	return NULL;
}

struct mg_context *mg_start2(struct mg_init_data *init,
                             struct mg_error_data *error)
{
	return cw_context_start(init, error, NULL);
}

struct mg_context *mg_start(const struct mg_callbacks *callbacks,
                            void *user_data, const char **options)
{
	struct mg_init_data init;

	init.callbacks = callbacks;
	init.user_data = user_data;
	init.configuration_options = options;
	return mg_start2(&init, NULL);
}

void mg_stop(struct mg_context *ctx)
{
	if (ctx == NULL)
		return;
	cw_pool_stop(ctx);
	if (ctx->cb.exit_context != NULL)
		ctx->cb.exit_context(ctx);
	destroy(ctx);
}

/* ---- options and ports --------------------------------------------------- */

const char *mg_get_option(const struct mg_context *ctx, const char *name)
{
	int id = cw_options_find(name);

	if (id < 0)
		return NULL;
	if (ctx == NULL)
		return "";
	return cw_options_get(&ctx->opt, (enum cw_opt_id)id);
}

const struct mg_option *mg_get_valid_options(void)
{
	return cw_options_table();
}

int mg_get_server_ports(const struct mg_context *ctx, int size,
                        struct mg_server_port *ports)
{
	int n = 0;

	if (ctx == NULL || ports == NULL || size <= 0)
		return -1;
	memset(ports, 0, (size_t)size * sizeof *ports);
	for (int i = 0; i < ctx->num_listeners && n < size; i++, n++) {
		ports[n].protocol = ctx->listeners[i].protocol;
		ports[n].port = ctx->listeners[i].port;
		ports[n].is_ssl = ctx->listeners[i].is_ssl;
		ports[n].is_redirect = ctx->listeners[i].is_redirect;
	}
	return n;
}

/* ---- accessors ---------------------------------------------------------- */

struct mg_context *mg_get_context(const struct mg_connection *conn)
{
	return conn != NULL ? conn->ctx : NULL;
}

void *mg_get_user_data(const struct mg_context *ctx)
{
	return ctx != NULL ? ctx->user_data : NULL;
}

void *mg_get_user_context_data(const struct mg_connection *conn)
{
	return conn != NULL && conn->ctx != NULL ? conn->ctx->user_data : NULL;
}

void *mg_get_thread_pointer(const struct mg_connection *conn)
{
	struct cw_thread *t = cw_thread_self();

	(void)conn;
	return t != NULL ? t->user_ptr : NULL;
}

void *mg_get_user_connection_data(const struct mg_connection *conn)
{
	return conn != NULL ? conn->conn_data : NULL;
}

void mg_lock_context(struct mg_context *ctx)
{
	if (ctx != NULL)
		pthread_mutex_lock(&ctx->user_lock);
}

void mg_unlock_context(struct mg_context *ctx)
{
	if (ctx != NULL)
		pthread_mutex_unlock(&ctx->user_lock);
}

void mg_lock_connection(struct mg_connection *conn)
{
	if (conn != NULL)
		pthread_mutex_lock(&conn->lock);
}

void mg_unlock_connection(struct mg_connection *conn)
{
	if (conn != NULL)
		pthread_mutex_unlock(&conn->lock);
}

int mg_start_thread(mg_thread_func_t f, void *p)
{
	if (f == NULL)
		return -1;
	return cw_pool_detached_thread(f, p) == 0 ? 0 : -1;
}

void mg_cry(const struct mg_connection *conn, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (conn == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cw_log_error(NULL, conn, "%s", msg);
}

/* ---- handler registration ----------------------------------------------- */

void mg_set_request_handler(struct mg_context *ctx, const char *uri,
                            mg_request_handler handler, void *cbdata)
{
	struct cw_handler h;

	if (ctx == NULL)
		return;
	memset(&h, 0, sizeof h);
	h.type = CW_HANDLER_REQUEST;
	h.request = handler;
	h.cbdata = cbdata;
	cw_handlers_set(ctx->handlers, uri, &h);
}

void mg_set_auth_handler(struct mg_context *ctx, const char *uri,
                         mg_authorization_handler handler, void *cbdata)
{
	struct cw_handler h;

	if (ctx == NULL)
		return;
	memset(&h, 0, sizeof h);
	h.type = CW_HANDLER_AUTH;
	h.auth = handler;
	h.cbdata = cbdata;
	cw_handlers_set(ctx->handlers, uri, &h);
}

void mg_set_websocket_handler_with_subprotocols(
    struct mg_context *ctx, const char *uri,
    struct mg_websocket_subprotocols *subprotocols,
    mg_websocket_connect_handler connect_handler,
    mg_websocket_ready_handler ready_handler,
    mg_websocket_data_handler data_handler,
    mg_websocket_close_handler close_handler, void *cbdata)
{
	struct cw_handler h;

	if (ctx == NULL)
		return;
	memset(&h, 0, sizeof h);
	h.type = CW_HANDLER_WEBSOCKET;
	h.subprotocols = subprotocols;
	h.ws_connect = connect_handler;
	h.ws_ready = ready_handler;
	h.ws_data = data_handler;
	h.ws_close = close_handler;
	h.cbdata = cbdata;
	cw_handlers_set(ctx->handlers, uri, &h);
}

void mg_set_websocket_handler(struct mg_context *ctx, const char *uri,
                              mg_websocket_connect_handler connect_handler,
                              mg_websocket_ready_handler ready_handler,
                              mg_websocket_data_handler data_handler,
                              mg_websocket_close_handler close_handler,
                              void *cbdata)
{
	mg_set_websocket_handler_with_subprotocols(
	    ctx, uri, NULL, connect_handler, ready_handler, data_handler,
	    close_handler, cbdata);
}
