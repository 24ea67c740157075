/* status.c - what `civetctl status` shows: the master, each worker's slot
 * and the totals (folded counts of exited workers plus the live slots), as
 * a table for people or as one JSON object for scripts. Read-only over the
 * shared area: a worker that died mid-update cannot block it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civetd.h"
#include "master.h"
#include "net/listen.h"
#include "util/buf.h"
#include "util/clock.h"

#define MAX_STATUS (4 << 20)

/* The output buffer and whether an append failed (out of memory): the
 * status is sent whole or not at all. */
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
	if (cw_buf_vprintf(o->b, MAX_STATUS, fmt, ap) != 0)
		o->failed = 1;
	va_end(ap);
}

static void put_bytes(struct out *o, const void *p, size_t n)
{
	if (cw_buf_add(o->b, p, n, MAX_STATUS) != 0)
		o->failed = 1;
}

const char *cw_status_state_name(int s)
{
	static const char *const names[] = {"free",     "starting", "ready",
	                                    "draining", "exited",   "failed"};

	return s >= 0 && s <= CW_WORKER_FAILED ? names[s] : "unknown";
}

void cw_status_slot_totals(const struct cw_worker_slot *s, struct cw_totals *t)
{
	memset(t, 0, sizeof *t);
	cw_stats_sum(s->threads, CW_STATS_THREADS, &s->conns, t);
}

void cw_status_totals(const struct cw_master *m, struct cw_totals *t)
{
	/* every live slot, also those of another master during an upgrade */
	cw_stats_server_totals(m->area, t);
}

static void iso_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* JSON string escaping for the one free-text field (reload errors). */
static void json_str(struct out *b, const char *s)
{
	put_bytes(b, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			put(b, "\\%c", ch);
		else if (ch < 0x20)
			put(b, "\\u%04x", ch);
		else
			put_bytes(b, s, 1);
	}
	put_bytes(b, "\"", 1);
}

static void json_counts(struct out *b, const struct cw_totals *t)
{
	put(b,
	    "\"requests\": %llu, \"bytes_in\": %llu, "
	    "\"bytes_out\": %llu, \"accepted_connections\": %llu, "
	    "\"too_slow_connections\": %llu, \"websockets\": %lld, "
	    "\"status_1xx\": %llu, \"status_2xx\": %llu, "
	    "\"status_3xx\": %llu, \"status_4xx\": %llu, "
	    "\"status_5xx\": %llu, \"p50_us\": %llu, \"p99_us\": %llu",
	    (unsigned long long)t->requests, (unsigned long long)t->bytes_in,
	    (unsigned long long)t->bytes_out, (unsigned long long)t->accepted,
	    (unsigned long long)t->too_slow, (long long)t->websockets,
	    (unsigned long long)t->status[1], (unsigned long long)t->status[2],
	    (unsigned long long)t->status[3], (unsigned long long)t->status[4],
	    (unsigned long long)t->status[5],
	    (unsigned long long)cw_stats_percentile(t, 50),
	    (unsigned long long)cw_stats_percentile(t, 99));
}

/* The bound ports (port 0 in the configuration shows its real port). */
static void json_ports(const struct cw_master *m, struct out *b)
{
	put(b, "\"ports\": [");
	for (int i = 0; i < m->ls.n; i++)
		put(b, "%s%d", i ? ", " : "", cw_listen_port(m->ls.fds[i]));
	put(b, "], ");
}

static void json_master(struct cw_master *m, struct out *b)
{
	struct cw_stats_area *a = m->area;
	int64_t when = atomic_load(&a->last_reload_time);
	char t[32];

	put(b, "\"master\": {");
	json_ports(m, b);
	put(b,
	    "\"pid\": %d, \"version\": \"%s\", "
	    "\"generation\": %llu, \"uptime_s\": %lld, "
	    "\"reloads\": %llu, \"workers_wanted\": %d, "
	    "\"respawn_failures\": %d, \"respawn_stopped\": %s, "
	    "\"last_failure\": ",
	    (int)getpid(), CIVETD_VERSION, (unsigned long long)m->gen,
	    (long long)((cw_now_ms() - m->start_ms) / 1000),
	    (unsigned long long)atomic_load(&a->reloads), m->want, m->failures,
	    m->gave_up ? "true" : "false");
	json_str(b, m->last_failure);
	put(b, ", \"last_reload\": {");
	if (when == 0) {
		put(b, "\"ok\": null, \"time\": null, \"error\": null}}");
		return;
	}
	iso_time(when, t, sizeof t);
	put(b, "\"ok\": %s, \"time\": \"%s\", \"error\": ",
	    atomic_load(&a->last_reload_ok) ? "true" : "false", t);
	json_str(b, a->last_reload_error);
	put(b, "}}");
}

static void json_worker(struct cw_master *m, const struct cw_worker *w,
                        struct out *b)
{
	const struct cw_worker_slot *s = &m->area->slots[w->slot];
	struct cw_totals t;

	cw_status_slot_totals(s, &t);
	put(b,
	    "{\"slot\": %d, \"pid\": %d, \"generation\": %llu, "
	    "\"state\": \"%s\", \"uptime_s\": %lld, "
	    "\"req_per_s\": %.1f, \"active_connections\": %lld, "
	    "\"idle_connections\": %lld, ",
	    w->slot, (int)w->pid, (unsigned long long)w->gen,
	    cw_status_state_name(atomic_load(&s->state)),
	    (long long)(time(NULL) - s->start_time), w->rate, (long long)t.busy,
	    (long long)(t.open > t.busy ? t.open - t.busy : 0));
	json_counts(b, &t);
	put(b, "}");
}

int cw_status_json(struct cw_master *m, struct cw_buf *out)
{
	struct out o = {out, 0}, *b = &o;
	struct cw_totals t;
	int first = 1;

	put(b, "{");
	json_master(m, b);
	put(b, ", \"workers\": [");
	for (int slot = 0; slot < CW_STATS_SLOTS; slot++) {
		const struct cw_worker *w = cw_proctab_by_slot(&m->procs, slot);

		if (w == NULL)
			continue;
		put(b, first ? "" : ", ");
		json_worker(m, w, b);
		first = 0;
	}
	cw_status_totals(m, &t);
	put(b, "], \"totals\": {");
	json_counts(b, &t);
	put(b, "}}\n");
	return o.failed ? -1 : 0;
}

/* ---- the table ---------------------------------------------------------- */

static void human_bytes(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void human_us(uint64_t us, char *buf, size_t len)
{
	if (us < 1000)
		snprintf(buf, len, "%lluus", (unsigned long long)us);
	else if (us < 1000000)
		snprintf(buf, len, "%.1fms", (double)us / 1000);
	else
		snprintf(buf, len, "%.1fs", (double)us / 1000000);
}

static void human_age(int64_t s, char *buf, size_t len)
{
	if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
		         (long long)(s % 60));
	else
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
}

static void row(struct out *b, const char *slot, const char *pid,
                const char *gen, const char *state, const char *up,
                const struct cw_totals *t, double rate, int conns)
{
	char in[16], out[16], p50[16], p99[16], r[16], act[16], idle[16];
	char ws[16];

	human_bytes(t->bytes_in, in, sizeof in);
	human_bytes(t->bytes_out, out, sizeof out);
	human_us(cw_stats_percentile(t, 50), p50, sizeof p50);
	human_us(cw_stats_percentile(t, 99), p99, sizeof p99);
	snprintf(r, sizeof r, rate >= 0 ? "%.1f" : "-", rate);
	snprintf(act, sizeof act, conns ? "%lld" : "-", (long long)t->busy);
	snprintf(idle, sizeof idle, conns ? "%lld" : "-",
	         (long long)(t->open > t->busy ? t->open - t->busy : 0));
	snprintf(ws, sizeof ws, conns ? "%lld" : "-", (long long)t->websockets);
	put(b,
	    "%-5s %-8s %-4s %-9s %-7s %11llu %9s %6s %6s %6s %9s %9s "
	    "%8s %8s\n",
	    slot, pid, gen, state, up, (unsigned long long)t->requests, r, act,
	    idle, ws, in, out, p50, p99);
}

int cw_status_text(struct cw_master *m, struct cw_buf *out)
{
	struct out o = {out, 0}, *b = &o;
	struct cw_stats_area *a = m->area;
	int64_t when = atomic_load(&a->last_reload_time);
	char up[32], t[32];
	struct cw_totals tot;

	human_age((cw_now_ms() - m->start_ms) / 1000, up, sizeof up);
	put(b,
	    "civetd %s  master pid %d  generation %llu  up %s  "
	    "reloads %llu\n",
	    CIVETD_VERSION, (int)getpid(), (unsigned long long)m->gen, up,
	    (unsigned long long)atomic_load(&a->reloads));
	if (when != 0) {
		iso_time(when, t, sizeof t);
		put(b, "last reload: %s at %s%s%s\n",
		    atomic_load(&a->last_reload_ok) ? "ok" : "FAILED", t,
		    atomic_load(&a->last_reload_ok) ? "" : ": ",
		    atomic_load(&a->last_reload_ok) ? ""
		                                    : a->last_reload_error);
	}
	if (m->gave_up)
		put(b, "respawning stopped: %s\n", m->last_failure);
	put(b,
	    "%-5s %-8s %-4s %-9s %-7s %11s %9s %6s %6s %6s %9s %9s %8s "
	    "%8s\n",
	    "SLOT", "PID", "GEN", "STATE", "UPTIME", "REQUESTS", "REQ/S",
	    "ACTIVE", "IDLE", "WS", "BYTES_IN", "BYTES_OUT", "P50", "P99");
	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		const struct cw_worker *w = cw_proctab_by_slot(&m->procs, i);
		const struct cw_worker_slot *s = &a->slots[i];
		char slot[8], pid[12], gen[12], age[16];
		struct cw_totals st;

		if (w == NULL)
			continue;
		cw_status_slot_totals(s, &st);
		snprintf(slot, sizeof slot, "%d", w->slot);
		snprintf(pid, sizeof pid, "%d", (int)w->pid);
		snprintf(gen, sizeof gen, "%llu", (unsigned long long)w->gen);
		human_age(time(NULL) - s->start_time, age, sizeof age);
		row(b, slot, pid, gen,
		    cw_status_state_name(atomic_load(&s->state)), age, &st,
		    w->rate, 1);
	}
	cw_status_totals(m, &tot);
	row(b, "total", "", "", "", "", &tot, -1, 0);
	put(b,
	    "status: 2xx %llu  3xx %llu  4xx %llu  5xx %llu  "
	    "accepted connections %llu  too slow %llu  websockets %lld\n",
	    (unsigned long long)tot.status[2],
	    (unsigned long long)tot.status[3],
	    (unsigned long long)tot.status[4],
	    (unsigned long long)tot.status[5], (unsigned long long)tot.accepted,
	    (unsigned long long)tot.too_slow, (long long)tot.websockets);
	return o.failed ? -1 : 0;
}
