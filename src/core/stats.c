/* stats.c - counting requests into per-thread blocks, summing blocks,
 * latency percentiles, and the shared area: its creation as a memfd that
 * a new master can map again, slot claims, folding and the server's
 * totals (see stats.h). */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* Spins bounded so that a master killed in the middle of a fold (a few
 * hundred instructions) cannot stop the other: past the bound it goes on
 * as if the lock were free, costing at worst one slot's counts. */
#define SPIN_TRIES 100000

static void fold_lock(struct cw_stats_area *a)
{
	for (int i = 0; i < SPIN_TRIES; i++) {
		uint64_t s = atomic_load(&a->fold_seq);

		if ((s & 1) == 0 &&
		    atomic_compare_exchange_weak(&a->fold_seq, &s, s + 1))
			return;
		if (i % 64 == 63)
			sched_yield();
	}
	atomic_fetch_or(&a->fold_seq, 1);
}

static void fold_unlock(struct cw_stats_area *a)
{
	atomic_fetch_add(&a->fold_seq, 1);
}

static void init_header(struct cw_stats_area *a)
{
	/* new mappings are zeroed: only the header needs values */
	a->magic = CW_STATS_MAGIC;
	a->version = CW_STATS_VERSION;
	a->size = sizeof *a;
	a->master_pid = getpid();
	a->master_start = (int64_t)time(NULL);
}

struct cw_stats_area *cw_stats_area_new_fd(int *fd)
{
	struct cw_stats_area *a;

	*fd = memfd_create("civetd-stats", MFD_CLOEXEC);
	if (*fd < 0)
		return NULL;
	if (ftruncate(*fd, (off_t)sizeof *a) != 0)
		goto fail;
	a = mmap(NULL, sizeof *a, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (a == MAP_FAILED)
		goto fail;
	init_header(a);
	return a;
fail:
	close(*fd);
	*fd = -1;
	return NULL;
}

struct cw_stats_area *cw_stats_area_new(void)
{
	int fd;
	struct cw_stats_area *a = cw_stats_area_new_fd(&fd);

	if (a != NULL)
		close(fd);
	return a;
}

struct cw_stats_area *cw_stats_area_adopt(int fd, char *err, size_t errlen)
{
	struct cw_stats_area *a;
	struct stat st;

	if (fstat(fd, &st) != 0 || st.st_size != (off_t)sizeof *a) {
		snprintf(err, errlen,
		         "the statistics area is not of this "
		         "layout (size)");
		return NULL;
	}
	a = mmap(NULL, sizeof *a, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED) {
		snprintf(err, errlen, "cannot map the statistics area: %s",
		         strerror(errno));
		return NULL;
	}
	if (a->magic != CW_STATS_MAGIC || a->version != CW_STATS_VERSION ||
	    a->size != sizeof *a) {
		snprintf(err, errlen,
		         "the statistics area is of layout version %u, not %u",
		         a->version, CW_STATS_VERSION);
		munmap(a, sizeof *a);
		return NULL;
	}
	return a;
}

int cw_stats_claim_slot(struct cw_stats_area *a, uint64_t gen)
{
	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		struct cw_worker_slot *s = &a->slots[i];
		int want = CW_WORKER_FREE;

		if (!atomic_compare_exchange_strong(&s->state, &want,
		                                    CW_WORKER_STARTING))
			continue;
		/* all but the state: it is ours already */
		memset((char *)s + sizeof s->state, 0,
		       sizeof *s - sizeof s->state);
		s->generation = gen;
		s->start_time = (int64_t)time(NULL);
		return i;
	}
	return -1;
}

void cw_stats_fold(struct cw_stats_area *a, struct cw_worker_slot *slot)
{
	struct cw_totals t;

	memset(&t, 0, sizeof t);
	fold_lock(a);
	cw_stats_sum(slot->threads, CW_STATS_THREADS, &slot->conns, &t);
	t.busy = t.open = 0;
	cw_stats_add(&a->folded, &t);
	memset((char *)slot + sizeof slot->state, 0,
	       sizeof *slot - sizeof slot->state);
	atomic_store(&slot->state, CW_WORKER_FREE);
	fold_unlock(a);
}

static void read_totals(const struct cw_stats_area *a, struct cw_totals *t)
{
	*t = a->folded;
	t->busy = t->open = 0;
	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		const struct cw_worker_slot *s = &a->slots[i];

		if (atomic_load(&s->state) != CW_WORKER_FREE)
			cw_stats_sum(s->threads, CW_STATS_THREADS, &s->conns,
			             t);
	}
}

void cw_stats_server_totals(const struct cw_stats_area *a, struct cw_totals *t)
{
	for (int i = 0; i < SPIN_TRIES; i++) {
		uint64_t before = atomic_load(&a->fold_seq);

		if ((before & 1) == 0) {
			read_totals(a, t);
			if (atomic_load(&a->fold_seq) == before)
				return;
		}
		sched_yield();
	}
	read_totals(a, t); /* a folder died mid-fold: near enough */
}

void cw_stats_area_free(struct cw_stats_area *a)
{
	if (a != NULL)
		munmap(a, sizeof *a);
}
