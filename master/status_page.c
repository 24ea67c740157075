/* status_page.c - the live status page (status_page_uri) on the master's
 * own HTTP listener (metrics_listen, metrics.c).
 *
 * <uri> is a self-contained page (status_page_html.c: inline CSS and
 * script, nothing fetched from elsewhere) whose script polls <uri>.json
 * every second; <uri>.json is exactly what `civetctl status --json`
 * prints, made by the same function (cw_status_json). Both are answered
 * by the master's event loop from the shared area, like /metrics, so the
 * page keeps updating while every worker is busy or hung. The option is
 * read per request: a reload that changes it takes effect when the new
 * configuration does. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>

#include "master.h"
#include "util/buf.h"

/* The page loads nothing but its own JSON; no frames, forms or plugins. */
#define PAGE_CSP                                                               \
	"default-src 'none'; script-src 'unsafe-inline'; "                     \
	"style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; "     \
	"form-action 'none'; frame-ancestors 'none'"

enum page { PAGE_NONE, PAGE_HTML, PAGE_JSON };

static enum page page_of(const char *uri, const char *path)
{
	size_t n = strlen(uri);

	if (n == 0 || path == NULL || strncmp(path, uri, n) != 0)
		return PAGE_NONE;
	if (path[n] == '\0')
		return PAGE_HTML;
	return strcmp(path + n, ".json") == 0 ? PAGE_JSON : PAGE_NONE;
}

/* What both answers carry: never cached, never sniffed as another type. */
static struct evkeyvalq *common_headers(struct evhttp_request *req,
                                        const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	return h;
}

static void send_html(struct evhttp_request *req)
{
	struct evbuffer *body = evhttp_request_get_output_buffer(req);
	struct evkeyvalq *h;

	if (evbuffer_add_reference(body, cw_status_page_html,
	                           cw_status_page_html_len, NULL, NULL) != 0) {
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	h = common_headers(req, "text/html; charset=utf-8");
	evhttp_add_header(h, "Content-Security-Policy", PAGE_CSP);
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void send_json(struct cw_master *m, struct evhttp_request *req)
{
	struct evbuffer *body = evhttp_request_get_output_buffer(req);
	struct cw_buf b = {NULL, 0, 0};

	if (cw_status_json(m, &b) != 0 ||
	    evbuffer_add(body, b.data, b.len) != 0) {
		cw_buf_free(&b);
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	cw_buf_free(&b);
	common_headers(req, "application/json");
	evhttp_send_reply(req, 200, "OK", NULL);
}

int cw_status_page_serve(struct cw_master *m, struct evhttp_request *req)
{
	const char *uri = cw_config_get(&m->cfg, CW_OPT_STATUS_PAGE_URI);
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);

	switch (page_of(uri, u != NULL ? evhttp_uri_get_path(u) : NULL)) {
	case PAGE_HTML:
		send_html(req);
		return 1;
	case PAGE_JSON:
		send_json(m, req);
		return 1;
	default:
		return 0;
	}
}
