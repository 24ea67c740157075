/* check_proctab.c - the master's process table: records come and go, are
 * found by pid and by slot, are counted by generation and readiness the
 * way respawn and reload decisions need, and take their control channel
 * with them when removed. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "proctab.h"

static int open_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static struct cw_worker *add(struct cw_proctab *t, int slot, pid_t pid,
                             uint64_t gen)
{
	struct cw_worker *w = cw_proctab_add(t, NULL, slot, gen, open_fd());

	ck_assert_ptr_nonnull(w);
	w->pid = pid;
	return w;
}

START_TEST(added_records_are_found_by_pid_and_slot)
{
	struct cw_proctab t = {NULL};
	struct cw_worker *a, *b;

	ck_assert_int_eq(cw_proctab_empty(&t), 1);
	a = add(&t, 3, 100, 1);
	b = add(&t, 7, 200, 1);
	ck_assert_int_eq(cw_proctab_empty(&t), 0);
	ck_assert_ptr_eq(cw_proctab_by_pid(&t, 100), a);
	ck_assert_ptr_eq(cw_proctab_by_pid(&t, 200), b);
	ck_assert_ptr_null(cw_proctab_by_pid(&t, 300));
	ck_assert_ptr_eq(cw_proctab_by_slot(&t, 7), b);
	ck_assert_ptr_null(cw_proctab_by_slot(&t, 4));
	ck_assert_int_eq(a->slot, 3);
	ck_assert_uint_eq(a->gen, 1);
	ck_assert_int_eq(a->ready || a->draining || a->recycling, 0);
	ck_assert_ptr_null(a->ev);
	cw_proctab_clear(&t);
	ck_assert_int_eq(cw_proctab_empty(&t), 1);
}
END_TEST

START_TEST(iteration_visits_each_record_newest_first)
{
	struct cw_proctab t = {NULL};
	pid_t seen[4];
	int n = 0;

	add(&t, 0, 10, 1);
	add(&t, 1, 11, 1);
	add(&t, 2, 12, 2);
	for (struct cw_worker *w = cw_proctab_first(&t); w != NULL;
	     w = cw_proctab_next(w))
		seen[n++] = w->pid;
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(seen[0], 12);
	ck_assert_int_eq(seen[1], 11);
	ck_assert_int_eq(seen[2], 10);
	cw_proctab_clear(&t);
}
END_TEST

START_TEST(counts_skip_draining_and_recycling_workers)
{
	struct cw_proctab t = {NULL};
	struct cw_worker *ready = add(&t, 0, 10, 1);
	struct cw_worker *starting = add(&t, 1, 11, 1);
	struct cw_worker *draining = add(&t, 2, 12, 1);
	struct cw_worker *recycling = add(&t, 3, 13, 1);
	struct cw_worker *next_gen = add(&t, 4, 14, 2);

	(void)starting;
	ready->ready = 1;
	draining->ready = draining->draining = 1;
	recycling->ready = recycling->recycling = 1;
	next_gen->ready = 1;
	ck_assert_int_eq(cw_proctab_count(&t, 1, 0), 2);
	ck_assert_int_eq(cw_proctab_count(&t, 1, 1), 1);
	ck_assert_int_eq(cw_proctab_count(&t, 2, 1), 1);
	ck_assert_int_eq(cw_proctab_count(&t, 0, 0), 3);
	/* "old generation left" counts every state */
	ck_assert_int_eq(cw_proctab_count_other(&t, 2), 4);
	ck_assert_int_eq(cw_proctab_count_other(&t, 1), 1);
	cw_proctab_clear(&t);
}
END_TEST

START_TEST(remove_unlinks_and_closes_the_control_channel)
{
	struct cw_proctab t = {NULL};
	struct cw_worker *a = add(&t, 0, 10, 1);
	struct cw_worker *b = add(&t, 1, 11, 1);
	struct cw_worker *c = add(&t, 2, 12, 1);
	int fd = b->ctl;

	ck_assert_int_eq(is_open(fd), 1);
	cw_proctab_remove(&t, b);
	ck_assert_int_eq(is_open(fd), 0);
	ck_assert_ptr_null(cw_proctab_by_pid(&t, 11));
	ck_assert_ptr_eq(cw_proctab_first(&t), c);
	ck_assert_ptr_eq(cw_proctab_next(c), a);
	ck_assert_ptr_null(cw_proctab_next(a));
	fd = a->ctl;
	cw_proctab_remove(&t, a); /* the last one */
	ck_assert_int_eq(is_open(fd), 0);
	ck_assert_ptr_eq(cw_proctab_first(&t), c);
	ck_assert_ptr_null(cw_proctab_next(c));
	cw_proctab_clear(&t);
}
END_TEST

START_TEST(free_slot_is_the_first_free_one_in_the_area)
{
	struct cw_stats_area *a = cw_stats_area_new();

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(cw_proctab_free_slot(a), 0);
	atomic_store(&a->slots[0].state, CW_WORKER_READY);
	atomic_store(&a->slots[1].state, CW_WORKER_STARTING);
	ck_assert_int_eq(cw_proctab_free_slot(a), 2);
	for (int i = 0; i < CW_STATS_SLOTS; i++)
		atomic_store(&a->slots[i].state, CW_WORKER_DRAINING);
	ck_assert_int_eq(cw_proctab_free_slot(a), -1);
	cw_stats_area_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proctab");
	TCase *tc = tcase_create("proctab");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, added_records_are_found_by_pid_and_slot);
	tcase_add_test(tc, iteration_visits_each_record_newest_first);
	tcase_add_test(tc, counts_skip_draining_and_recycling_workers);
	tcase_add_test(tc, remove_unlinks_and_closes_the_control_channel);
	tcase_add_test(tc, free_slot_is_the_first_free_one_in_the_area);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
