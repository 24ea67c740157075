/* stats.c - counting requests into per-thread blocks, summing blocks,
 * latency percentiles, and the shared area's creation (see stats.h). */
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/stats.h"

static void add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static int bucket_of(int64_t usec)
{
	int b = 0;

	while (b < CW_LAT_BUCKETS - 1 && usec >= ((int64_t)1 << b))
		b++;
	return b;
}

void cw_stats_count(struct cw_thread_block *b, int status, int64_t usec)
{
	int cls = status >= 100 && status < 600 ? status / 100 : 0;

	add(&b->requests, 1);
	add(&b->status[cls], 1);
	add(&b->latency[bucket_of(usec)], 1);
	add(&b->latency_us, usec > 0 ? (uint64_t)usec : 0);
}

void cw_stats_sum(const struct cw_thread_block *blocks, int nthreads,
                  const struct cw_conn_counters *conns, struct cw_totals *t)
{
	for (int i = 0; i < nthreads; i++) {
		const struct cw_thread_block *b = &blocks[i];

		t->requests += get(&b->requests);
		for (int s = 0; s < 6; s++)
			t->status[s] += get(&b->status[s]);
		t->bytes_in += get(&b->bytes_in);
		t->bytes_out += get(&b->bytes_out);
		for (int l = 0; l < CW_LAT_BUCKETS; l++)
			t->latency[l] += get(&b->latency[l]);
		t->latency_us += get(&b->latency_us);
		if (atomic_load_explicit(&b->busy_since, memory_order_relaxed))
			t->busy++;
	}
	if (conns != NULL) {
		t->accepted += get(&conns->accepted);
		t->too_slow += get(&conns->too_slow);
		t->open +=
		    atomic_load_explicit(&conns->open, memory_order_relaxed);
		t->websockets += atomic_load_explicit(&conns->websockets,
		                                      memory_order_relaxed);
	}
}

void cw_stats_add(struct cw_totals *t, const struct cw_totals *a)
{
	t->requests += a->requests;
	for (int s = 0; s < 6; s++)
		t->status[s] += a->status[s];
	t->bytes_in += a->bytes_in;
	t->bytes_out += a->bytes_out;
	for (int l = 0; l < CW_LAT_BUCKETS; l++)
		t->latency[l] += a->latency[l];
	t->latency_us += a->latency_us;
	t->accepted += a->accepted;
	t->too_slow += a->too_slow;
	t->busy += a->busy;
	t->open += a->open;
	t->websockets += a->websockets;
}

uint64_t cw_stats_percentile(const struct cw_totals *t, double p)
{
	uint64_t n = 0, seen = 0, want;

	for (int l = 0; l < CW_LAT_BUCKETS; l++)
		n += t->latency[l];
	if (n == 0)
		return 0;
	/* nearest rank: the ceil(p% of n)-th sample, counted from 1 */
	want = (uint64_t)ceil((double)n * p / 100.0);
	want = want > 0 ? want - 1 : 0;
	if (want >= n)
		want = n - 1;
	for (int l = 0; l < CW_LAT_BUCKETS; l++) {
		seen += t->latency[l];
		if (seen > want)
			return (uint64_t)1 << l;
	}
	return (uint64_t)1 << (CW_LAT_BUCKETS - 1);
}

struct cw_stats_area *cw_stats_area_new(void)
{
	struct cw_stats_area *a = mmap(NULL, sizeof *a, PROT_READ | PROT_WRITE,
	                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED)
		return NULL;
	/* anonymous mappings are zeroed: only the header needs values */
	a->magic = CW_STATS_MAGIC;
	a->version = CW_STATS_VERSION;
	a->size = sizeof *a;
	a->master_pid = getpid();
	a->master_start = (int64_t)time(NULL);
	return a;
}

void cw_stats_area_free(struct cw_stats_area *a)
{
	if (a != NULL)
		munmap(a, sizeof *a);
}
