/* stats.h - the statistics layout, defined once for everyone who reads or
 * writes it: the library's request threads (their counter blocks), the
 * prefork master (which creates the shared area before forking, folds the
 * counts of exited workers into the totals and reports them), and the
 * workers (whose context writes into its own slot).
 *
 * Every counter has exactly one writer or is updated with atomic adds, and
 * every block sits on its own cache lines, so a request thread never
 * writes a line another thread writes. A worker that dies mid-update
 * leaves at worst a count off by one; it can never leave a lock held,
 * because there is none: the master and civetctl only read.
 *
 * Two masters may share the area for the length of a binary upgrade
 * (master/upgrade.c): it is a memfd mapping whose descriptor the new
 * master inherits across exec. Each claims free slots with a compare and
 * swap, folds its own exited workers under a short spin lock, and reads
 * the server's totals (folded plus every live slot, whichever master
 * owns it) under the same sequence number, so that neither sees a
 * worker counted twice or not at all while the other folds. */
#ifndef CW_STATS_H
#define CW_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CW_STATS_MAGIC   0x63697664u /* "civd" */
#define CW_STATS_VERSION 5u
#define CW_STATS_SLOTS   64  /* worker slots: two generations of 32 */
#define CW_STATS_THREADS 256 /* counter blocks per worker slot */
#define CW_LAT_BUCKETS   24  /* bucket i: latency < 2^i microseconds */

/* One request thread's counters. */
struct cw_thread_block {
	_Atomic uint64_t requests;
	_Atomic uint64_t status[6]; /* [1..5]: 1xx..5xx, [0]: other */
	_Atomic uint64_t bytes_in;
	_Atomic uint64_t bytes_out;
	_Atomic int64_t busy_since; /* ms it took a connection, 0 idle */
	_Atomic uint64_t latency[CW_LAT_BUCKETS];
	_Atomic uint64_t latency_us; /* the sum of the latencies */
} __attribute__((aligned(64)));

/* Connection counters of one process (several writers: atomic adds). */
struct cw_conn_counters {
	_Atomic uint64_t accepted;
	_Atomic int64_t open;
	_Atomic int64_t max_open;
	_Atomic uint64_t too_slow;  /* closed: below the minimum data rate */
	_Atomic int64_t websockets; /* open WebSocket connections */
} __attribute__((aligned(64)));

/* Sums over blocks (plain numbers, for reporting and folding). */
struct cw_totals {
	uint64_t requests;
	uint64_t status[6];
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t latency[CW_LAT_BUCKETS];
	uint64_t latency_us;
	uint64_t accepted;
	uint64_t too_slow;
	int64_t busy;       /* threads in a request right now */
	int64_t open;       /* connections open right now */
	int64_t websockets; /* of which WebSockets */
};

enum cw_worker_state {
	CW_WORKER_FREE = 0,
	CW_WORKER_STARTING,
	CW_WORKER_READY,
	CW_WORKER_DRAINING,
	CW_WORKER_EXITED,
	CW_WORKER_FAILED,
};

/* A worker's slot: written by that worker (counters) and by the master
 * (identity and state, before fork and after reaping). */
struct cw_worker_slot {
	_Atomic int state; /* enum cw_worker_state */
	pid_t pid;
	uint64_t generation;
	int64_t start_time;          /* unix seconds */
	_Atomic int64_t heartbeat;   /* monotonic ms, from the worker */
	_Atomic int64_t oldest_busy; /* ms of its oldest running request, 0 */
	char pad[64 - 40];
	struct cw_conn_counters conns;
	struct cw_thread_block threads[CW_STATS_THREADS];
};

/* The shared area. */
struct cw_stats_area {
	uint32_t magic;
	uint32_t version;
	uint64_t size;
	pid_t master_pid;
	int64_t master_start; /* unix seconds */
	_Atomic uint64_t generation;
	_Atomic uint64_t reloads;
	_Atomic int64_t last_reload_time; /* unix seconds, 0: never */
	_Atomic int last_reload_ok;
	char last_reload_error[256];
	/* odd while a master folds a slot into folded (cw_stats_fold) */
	_Atomic uint64_t fold_seq;
	struct cw_totals folded; /* workers that have exited */
	struct cw_worker_slot slots[CW_STATS_SLOTS];
};

/* Counting from the request path. status: the status sent; usec: time
 * from the first byte of the request to the end of the response. */
void cw_stats_count(struct cw_thread_block *b, int status, int64_t usec);

/* Add the blocks of nthreads threads and the connection counters into t
 * (t is not zeroed first). */
void cw_stats_sum(const struct cw_thread_block *blocks, int nthreads,
                  const struct cw_conn_counters *conns, struct cw_totals *t);

/* Add a into t. */
void cw_stats_add(struct cw_totals *t, const struct cw_totals *a);

/* Latency percentile (0 < p < 100) in microseconds from the histogram:
 * the upper bound of the bucket holding it; 0 without samples. */
uint64_t cw_stats_percentile(const struct cw_totals *t, double p);

/* Create (a memfd, mapped shared) and initialise the area: NULL on
 * failure. Free with cw_stats_area_free. cw_stats_area_new_fd() also
 * gives the memfd (close-on-exec) in *fd, the caller's to close, so that
 * a new master can map the same area (cw_stats_area_adopt); the mapping
 * does not need it to stay open. */
struct cw_stats_area *cw_stats_area_new(void);
struct cw_stats_area *cw_stats_area_new_fd(int *fd);
/* Map the area another process created, from its memfd fd (which stays
 * the caller's). NULL, with the reason in err, if fd is not such an area
 * of this layout (magic, version and size must match). */
struct cw_stats_area *cw_stats_area_adopt(int fd, char *err, size_t errlen);
void cw_stats_area_free(struct cw_stats_area *a);

/* Claim a FREE slot for a worker of generation gen (its state becomes
 * STARTING, its counters zero): its index, or -1 if all are taken. Safe
 * against another process claiming at the same time. */
int cw_stats_claim_slot(struct cw_stats_area *a, uint64_t gen);

/* Add the counters of slot (whose worker has exited) to a->folded and
 * free the slot (state FREE last). */
void cw_stats_fold(struct cw_stats_area *a, struct cw_worker_slot *slot);

/* The server's totals: a->folded plus every slot that is not FREE
 * (busy and open from the live slots only). t is overwritten. */
void cw_stats_server_totals(const struct cw_stats_area *a, struct cw_totals *t);

#endif
