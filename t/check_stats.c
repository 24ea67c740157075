/* check_stats.c - the statistics layout's arithmetic: counting into a
 * thread block, summing blocks, folding totals, and latency percentiles
 * from the histogram; and the shared area's header. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/stats.h"

START_TEST(count_sorts_statuses_into_classes)
{
	static struct cw_thread_block b;
	struct cw_totals t;

	memset(&b, 0, sizeof b);
	cw_stats_count(&b, 200, 10);
	cw_stats_count(&b, 204, 10);
	cw_stats_count(&b, 304, 10);
	cw_stats_count(&b, 404, 10);
	cw_stats_count(&b, 503, 10);
	cw_stats_count(&b, 101, 10);
	cw_stats_count(&b, 0, 10);
	cw_stats_count(&b, 999, 10);
	memset(&t, 0, sizeof t);
	cw_stats_sum(&b, 1, NULL, &t);
	ck_assert_uint_eq(t.requests, 8);
	ck_assert_uint_eq(t.status[1], 1);
	ck_assert_uint_eq(t.status[2], 2);
	ck_assert_uint_eq(t.status[3], 1);
	ck_assert_uint_eq(t.status[4], 1);
	ck_assert_uint_eq(t.status[5], 1);
	ck_assert_uint_eq(t.status[0], 2);
}
END_TEST

START_TEST(sum_adds_blocks_bytes_and_connections)
{
	static struct cw_thread_block b[3];
	static struct cw_conn_counters cc;
	struct cw_totals t;

	memset(b, 0, sizeof b);
	memset(&cc, 0, sizeof cc);
	for (int i = 0; i < 3; i++) {
		cw_stats_count(&b[i], 200, 100);
		atomic_store(&b[i].bytes_in, 10u * (unsigned)(i + 1));
		atomic_store(&b[i].bytes_out, 100u * (unsigned)(i + 1));
	}
	atomic_store(&b[1].busy_since, 12345);
	atomic_store(&cc.accepted, 7);
	atomic_store(&cc.open, 4);
	memset(&t, 0, sizeof t);
	cw_stats_sum(b, 3, &cc, &t);
	ck_assert_uint_eq(t.requests, 3);
	ck_assert_uint_eq(t.bytes_in, 60);
	ck_assert_uint_eq(t.bytes_out, 600);
	ck_assert_uint_eq(t.accepted, 7);
	ck_assert_int_eq(t.open, 4);
	ck_assert_int_eq(t.busy, 1);
}
END_TEST

START_TEST(fold_keeps_totals_monotonic)
{
	struct cw_totals total, worker;

	memset(&total, 0, sizeof total);
	memset(&worker, 0, sizeof worker);
	worker.requests = 5;
	worker.status[2] = 5;
	worker.latency[3] = 5;
	cw_stats_add(&total, &worker);
	cw_stats_add(&total, &worker);
	ck_assert_uint_eq(total.requests, 10);
	ck_assert_uint_eq(total.status[2], 10);
	ck_assert_uint_eq(total.latency[3], 10);
}
END_TEST

START_TEST(percentiles_come_from_the_histogram)
{
	static struct cw_thread_block b;
	struct cw_totals t;

	memset(&b, 0, sizeof b);
	memset(&t, 0, sizeof t);
	ck_assert_uint_eq(cw_stats_percentile(&t, 50), 0);
	/* 98 fast requests (100 us) and 2 slow ones (5 ms) */
	for (int i = 0; i < 98; i++)
		cw_stats_count(&b, 200, 100);
	cw_stats_count(&b, 200, 5000);
	cw_stats_count(&b, 200, 5000);
	cw_stats_sum(&b, 1, NULL, &t);
	/* bucket bounds are powers of two: 100 us -> 128, 5 ms -> 8192 */
	ck_assert_uint_eq(cw_stats_percentile(&t, 50), 128);
	ck_assert_uint_eq(cw_stats_percentile(&t, 98), 128);
	ck_assert_uint_eq(cw_stats_percentile(&t, 99), 8192);
	ck_assert_uint_eq(cw_stats_percentile(&t, 99.9), 8192);
}
END_TEST

START_TEST(huge_latencies_land_in_the_last_bucket)
{
	static struct cw_thread_block b;
	struct cw_totals t;

	memset(&b, 0, sizeof b);
	memset(&t, 0, sizeof t);
	cw_stats_count(&b, 200, (int64_t)1 << 40);
	cw_stats_count(&b, 200, -5);
	cw_stats_sum(&b, 1, NULL, &t);
	ck_assert_uint_eq(t.latency[CW_LAT_BUCKETS - 1], 1);
	ck_assert_uint_eq(t.latency[0], 1);
}
END_TEST

START_TEST(shared_area_is_shared_across_fork_and_versioned)
{
	struct cw_stats_area *a = cw_stats_area_new();
	pid_t pid;
	int st;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->magic, CW_STATS_MAGIC);
	ck_assert_uint_eq(a->version, CW_STATS_VERSION);
	ck_assert_uint_eq(a->size, sizeof *a);
	ck_assert_int_eq(a->master_pid, getpid());
	pid = fork();
	if (pid == 0) {
		cw_stats_count(&a->slots[3].threads[7], 200, 50);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	ck_assert_uint_eq(atomic_load(&a->slots[3].threads[7].requests), 1);
	/* every block on its own cache lines */
	ck_assert_uint_eq(sizeof(struct cw_thread_block) % 64, 0);
	ck_assert_uint_eq((uintptr_t)&a->slots[1] % 64, 0);
	cw_stats_area_free(a);
}
END_TEST

START_TEST(memfd_area_maps_again_and_refuses_other_layouts)
{
	int fd;
	struct cw_stats_area *a = cw_stats_area_new_fd(&fd), *b;
	char err[160];

	ck_assert_ptr_nonnull(a);
	ck_assert_int_ge(fd, 0);
	/* a second mapping of the same memfd is the same area */
	b = cw_stats_area_adopt(fd, err, sizeof err);
	ck_assert_ptr_nonnull(b);
	cw_stats_count(&a->slots[5].threads[2], 404, 10);
	ck_assert_uint_eq(atomic_load(&b->slots[5].threads[2].status[4]), 1);
	cw_stats_area_free(b);
	/* another layout version is refused, with the reason */
	a->version = CW_STATS_VERSION + 1;
	ck_assert_ptr_null(cw_stats_area_adopt(fd, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "layout version"));
	a->version = CW_STATS_VERSION;
	cw_stats_area_free(a);
	close(fd);
}
END_TEST

START_TEST(claims_folds_and_totals_across_two_owners)
{
	struct cw_stats_area *a = cw_stats_area_new();
	struct cw_totals t;
	int i, j;

	ck_assert_ptr_nonnull(a);
	i = cw_stats_claim_slot(a, 3);
	j = cw_stats_claim_slot(a, 4);
	ck_assert_int_eq(i, 0);
	ck_assert_int_eq(j, 1);
	ck_assert_int_eq(atomic_load(&a->slots[i].state), CW_WORKER_STARTING);
	ck_assert_uint_eq(a->slots[j].generation, 4);
	/* slots of either owner count in the server's totals */
	cw_stats_count(&a->slots[i].threads[0], 200, 5);
	cw_stats_count(&a->slots[j].threads[9], 500, 5);
	atomic_store(&a->slots[j].conns.open, 3);
	cw_stats_server_totals(a, &t);
	ck_assert_uint_eq(t.requests, 2);
	ck_assert_int_eq(t.open, 3);
	/* folding keeps the counts, frees the slot, and forgets the open */
	cw_stats_fold(a, &a->slots[j]);
	ck_assert_int_eq(atomic_load(&a->slots[j].state), CW_WORKER_FREE);
	cw_stats_server_totals(a, &t);
	ck_assert_uint_eq(t.requests, 2);
	ck_assert_uint_eq(t.status[5], 1);
	ck_assert_int_eq(t.open, 0);
	ck_assert_uint_eq(atomic_load(&a->fold_seq) % 2, 0);
	/* a freed slot is claimed again, zeroed */
	ck_assert_int_eq(cw_stats_claim_slot(a, 5), j);
	ck_assert_uint_eq(atomic_load(&a->slots[j].threads[9].requests), 0);
	for (int k = 2; k < CW_STATS_SLOTS; k++)
		ck_assert_int_eq(cw_stats_claim_slot(a, 5), k);
	ck_assert_int_eq(cw_stats_claim_slot(a, 5), -1);
	cw_stats_area_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, count_sorts_statuses_into_classes);
	tcase_add_test(tc, sum_adds_blocks_bytes_and_connections);
	tcase_add_test(tc, fold_keeps_totals_monotonic);
	tcase_add_test(tc, percentiles_come_from_the_histogram);
	tcase_add_test(tc, huge_latencies_land_in_the_last_bucket);
	tcase_add_test(tc, shared_area_is_shared_across_fork_and_versioned);
	tcase_add_test(tc, memfd_area_maps_again_and_refuses_other_layouts);
	tcase_add_test(tc, claims_folds_and_totals_across_two_owners);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
