/* metrics.c - the stats area in Prometheus' text exposition format
 * (version 0.0.4), for `civetctl metrics` and for an optional HTTP
 * listener of the master (metrics_listen) that a Prometheus server
 * scrapes.
 *
 * Per worker, each series has the labels worker (its slot) and pid; the
 * civetd_server_* families are the server's totals, which count exited
 * workers too and so never go down across reloads. The listener runs in
 * the master's event loop (libevent's evhttp): it never runs a request
 * handler and reads only the shared area, so it answers while every
 * worker is busy or hung. The same listener serves the status page
 * (status_page_uri, status_page.c). */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/listen_spec.h"
#include "master.h"
#include "util/buf.h"
#include "util/clock.h"

#define MAX_METRICS (4 << 20)

struct out {
	struct cw_buf *b;
	int failed;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cw_buf_vprintf(o->b, MAX_METRICS, fmt, ap) != 0)
		o->failed = 1;
	va_end(ap);
}

static void family(struct out *o, const char *name, const char *type,
                   const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One series of a worker (labels non-empty) or of the server. */
static void value(struct out *o, const char *name, const char *labels,
                  const char *more, unsigned long long v)
{
	const char *sep = *labels && *more ? "," : "";

	if (*labels || *more)
		put(o, "%s{%s%s%s} %llu\n", name, labels, sep, more, v);
	else
		put(o, "%s %llu\n", name, v);
}

static const char *const classes[6] = {"other", "1xx", "2xx",
                                       "3xx",   "4xx", "5xx"};

/* The families of one set of counters, under prefix ("civetd" for a
 * worker, "civetd_server" for the totals). */
struct set {
	const char *labels;
	const struct cw_totals *t;
};

static void requests(struct out *o, const char *prefix, const struct set *s,
                     int n)
{
	char name[96], more[32];

	snprintf(name, sizeof name, "%s_requests_total", prefix);
	family(o, name, "counter", "Requests answered, by status class.");
	for (int i = 0; i < n; i++)
		for (int c = 1; c <= 6; c++) {
			int k = c % 6; /* 1xx..5xx, then other */

			snprintf(more, sizeof more, "code=\"%s\"", classes[k]);
			value(o, name, s[i].labels, more, s[i].t->status[k]);
		}
}

static void counter(struct out *o, const char *prefix, const char *what,
                    const char *type, const char *help, const struct set *s,
                    int n, size_t off)
{
	char name[96];

	snprintf(name, sizeof name, "%s_%s", prefix, what);
	family(o, name, type, help);
	for (int i = 0; i < n; i++) {
		const char *base = (const char *)s[i].t + off;
		unsigned long long v;

		if (off == offsetof(struct cw_totals, busy) ||
		    off == offsetof(struct cw_totals, open)) {
			int64_t x;

			memcpy(&x, base, sizeof x);
			v = x > 0 ? (unsigned long long)x : 0;
		} else {
			uint64_t x;

			memcpy(&x, base, sizeof x);
			v = x;
		}
		value(o, name, s[i].labels, "", v);
	}
}

/* Bucket l holds latencies below 2^l microseconds; the last one the
 * rest. */
static void latency(struct out *o, const char *prefix, const struct set *s,
                    int n)
{
	char name[96], more[48];

	snprintf(name, sizeof name, "%s_request_duration_seconds", prefix);
	family(o, name, "histogram",
	       "Time from a request's first byte to its response's last.");
	for (int i = 0; i < n; i++) {
		const struct cw_totals *t = s[i].t;
		unsigned long long cum = 0;
		const char *sep = *s[i].labels ? "," : "";

		for (int l = 0; l < CW_LAT_BUCKETS; l++) {
			cum += t->latency[l];
			if (l == CW_LAT_BUCKETS - 1)
				snprintf(more, sizeof more, "le=\"+Inf\"");
			else
				snprintf(more, sizeof more, "le=\"%g\"",
				         (double)(1ull << l) / 1e6);
			put(o, "%s_bucket{%s%s%s} %llu\n", name, s[i].labels,
			    sep, more, cum);
		}
		if (*s[i].labels) {
			put(o, "%s_sum{%s} %.6f\n", name, s[i].labels,
			    (double)t->latency_us / 1e6);
			put(o, "%s_count{%s} %llu\n", name, s[i].labels, cum);
		} else {
			put(o, "%s_sum %.6f\n", name,
			    (double)t->latency_us / 1e6);
			put(o, "%s_count %llu\n", name, cum);
		}
	}
}

static void families(struct out *o, const char *prefix, const struct set *s,
                     int n)
{
	requests(o, prefix, s, n);
	counter(o, prefix, "received_bytes_total", "counter",
	        "Bytes received from clients.", s, n,
	        offsetof(struct cw_totals, bytes_in));
	counter(o, prefix, "sent_bytes_total", "counter",
	        "Bytes sent to clients.", s, n,
	        offsetof(struct cw_totals, bytes_out));
	counter(o, prefix, "connections_accepted_total", "counter",
	        "Connections accepted.", s, n,
	        offsetof(struct cw_totals, accepted));
	counter(o, prefix, "connections_too_slow_total", "counter",
	        "Connections closed below the minimum data rate.", s, n,
	        offsetof(struct cw_totals, too_slow));
	counter(o, prefix, "connections_open", "gauge", "Connections open now.",
	        s, n, offsetof(struct cw_totals, open));
	counter(o, prefix, "websockets_open", "gauge",
	        "WebSocket connections open now.", s, n,
	        offsetof(struct cw_totals, websockets));
	counter(o, prefix, "threads_busy", "gauge",
	        "Request threads running a request now (active connections).",
	        s, n, offsetof(struct cw_totals, busy));
	latency(o, prefix, s, n);
}

static void master_families(struct out *o, struct cw_master *m)
{
	struct cw_stats_area *a = m->area;
	int counts[CW_WORKER_FAILED + 1] = {0};

	for (const struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w)) {
		int st = atomic_load(&a->slots[w->slot].state);

		if (st >= 0 && st <= CW_WORKER_FAILED)
			counts[st]++;
	}
	family(o, "civetd_workers", "gauge", "Worker processes, by state.");
	for (int st = CW_WORKER_STARTING; st <= CW_WORKER_FAILED; st++) {
		char more[48];

		snprintf(more, sizeof more, "state=\"%s\"",
		         cw_status_state_name(st));
		value(o, "civetd_workers", "", more,
		      (unsigned long long)counts[st]);
	}
	family(o, "civetd_generation", "gauge",
	       "The generation of workers serving (one more per reload).");
	value(o, "civetd_generation", "", "", (unsigned long long)m->gen);
	family(o, "civetd_reloads_total", "counter", "Reloads begun.");
	value(o, "civetd_reloads_total", "", "",
	      (unsigned long long)atomic_load(&a->reloads));
	family(o, "civetd_last_reload_success", "gauge",
	       "1 if the last reload took effect, 0 if it was refused.");
	value(o, "civetd_last_reload_success", "", "",
	      atomic_load(&a->last_reload_time) == 0 ||
	              atomic_load(&a->last_reload_ok)
	          ? 1
	          : 0);
	family(o, "civetd_last_reload_timestamp_seconds", "gauge",
	       "When the last reload ended (0: none yet).");
	value(o, "civetd_last_reload_timestamp_seconds", "", "",
	      (unsigned long long)atomic_load(&a->last_reload_time));
	family(o, "civetd_start_time_seconds", "gauge",
	       "When the master started (unix time).");
	value(o, "civetd_start_time_seconds", "", "",
	      (unsigned long long)a->master_start);
}

int cw_metrics_text(struct cw_master *m, struct cw_buf *b)
{
	struct out o = {b, 0};
	struct cw_totals per[CW_STATS_SLOTS];
	char labels[CW_STATS_SLOTS][48];
	struct set sets[CW_STATS_SLOTS];
	struct cw_totals all;
	struct set total = {"", &all};
	int n = 0;

	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		const struct cw_worker *w = cw_proctab_by_slot(&m->procs, i);

		if (w == NULL)
			continue;
		cw_status_slot_totals(&m->area->slots[i], &per[n]);
		snprintf(labels[n], sizeof labels[n],
		         "worker=\"%d\",pid=\"%d\"", i, (int)w->pid);
		sets[n].labels = labels[n];
		sets[n].t = &per[n];
		n++;
	}
	cw_status_totals(m, &all);
	master_families(&o, m);
	families(&o, "civetd", sets, n);
	families(&o, "civetd_server", &total, 1);
	return o.failed ? -1 : 0;
}

/* ---- the HTTP listener --------------------------------------------------- */

static void on_scrape(struct evhttp_request *req, void *arg)
{
	struct cw_master *m = arg;
	struct cw_buf b = {NULL, 0, 0};
	struct evbuffer *body;
	const char *path = evhttp_request_get_uri(req);

	if (cw_status_page_serve(m, req))
		return;
	if (path == NULL || (strcmp(path, "/metrics") != 0 &&
	                     strncmp(path, "/metrics?", 9) != 0)) {
		evhttp_send_error(req, 404, "Not Found");
		return;
	}
	body = evhttp_request_get_output_buffer(req);
	if (cw_metrics_text(m, &b) != 0 ||
	    evbuffer_add(body, b.data, b.len) != 0) {
		cw_buf_free(&b);
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	cw_buf_free(&b);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "Content-Type", "text/plain; version=0.0.4");
	evhttp_send_reply(req, 200, "OK", NULL);
}

void cw_metrics_close(struct cw_master *m)
{
	if (m->metrics != NULL)
		evhttp_free(m->metrics);
	m->metrics = NULL;
	m->metrics_fd = -1;
	m->metrics_addr[0] = '\0';
}

/* "host:port" (one listening_ports entry, no suffix) into spec. */
static int parse_addr(const char *addr, struct cw_listen_spec *spec, char *err,
                      size_t errlen)
{
	struct cw_listen_spec *s = NULL;
	int n = 0;

	if (cw_listen_parse(addr, &s, &n, err, errlen) != 0)
		return -1;
	if (n != 1 || s[0].is_ssl || s[0].is_redirect || s[0].dual ||
	    s[0].optional || s[0].is_proxy) {
		snprintf(err, errlen,
		         "metrics_listen: '%s': one address:port, no suffix",
		         addr);
		free(s);
		return -1;
	}
	*spec = s[0];
	free(s);
	return 0;
}

int cw_metrics_check(const char *addr, char *err, size_t errlen)
{
	struct cw_listen_spec spec;

	return *addr == '\0' ? 0 : parse_addr(addr, &spec, err, errlen);
}

int cw_metrics_listen(struct cw_master *m, const char *addr, char *err,
                      size_t errlen)
{
	struct cw_listen_spec spec;
	struct evhttp_bound_socket *bs;
	struct evhttp *http;
	int passed;

	if (strcmp(addr, m->metrics_addr) == 0)
		return 0; /* unchanged */
	if (*addr == '\0') {
		cw_metrics_close(m);
		return 0;
	}
	if (parse_addr(addr, &spec, err, errlen) != 0)
		return -1;
	http = evhttp_new(m->base);
	if (http == NULL) {
		snprintf(err, errlen, "metrics_listen: out of memory");
		return -1;
	}
	evhttp_set_timeout(http, 10);
	evhttp_set_max_headers_size(http, 8192);
	evhttp_set_max_body_size(http, 0);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(http, on_scrape, m);
	/* the socket a previous master handed over (upgrade.c), if any */
	passed = cw_upgrade_take_metrics(m, addr);
	bs = passed >= 0 ? evhttp_accept_socket_with_handle(http, passed)
	                 : evhttp_bind_socket_with_handle(
	                       http, spec.host[0] ? spec.host : "0.0.0.0",
	                       (ev_uint16_t)spec.port);
	if (bs == NULL) {
		if (passed >= 0)
			close(passed);
		snprintf(err, errlen, "metrics_listen: cannot listen on '%s'",
		         addr);
		evhttp_free(http);
		return -1;
	}
	cw_metrics_close(m);
	m->metrics = http;
	m->metrics_fd = (int)evhttp_bound_socket_get_fd(bs);
	snprintf(m->metrics_addr, sizeof m->metrics_addr, "%s", addr);
	return 0;
}
