/* proctab.c - the master's process table (see proctab.h): a singly linked
 * list of struct cw_worker, newest first. There are at most
 * CW_STATS_SLOTS workers, so a list walked in full is cheap and keeps
 * insertion and removal trivial. */
#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

#include "proctab.h"

struct cw_worker *cw_proctab_add(struct cw_proctab *t, struct cw_master *m,
                                 int slot, uint64_t gen, int ctl)
{
	struct cw_worker *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->m = m;
	w->slot = slot;
	w->gen = gen;
	w->ctl = ctl;
	w->next = t->head;
	t->head = w;
	return w;
}

void cw_proctab_remove(struct cw_proctab *t, struct cw_worker *w)
{
	struct cw_worker **pp = &t->head;

	while (*pp != w)
		pp = &(*pp)->next;
	*pp = w->next;
	if (w->ev != NULL)
		event_free(w->ev);
	close(w->ctl);
	free(w);
}

void cw_proctab_clear(struct cw_proctab *t)
{
	while (t->head != NULL)
		cw_proctab_remove(t, t->head);
}

struct cw_worker *cw_proctab_by_pid(struct cw_proctab *t, pid_t pid)
{
	struct cw_worker *w;

	for (w = t->head; w != NULL; w = w->next)
		if (w->pid == pid)
			return w;
	return NULL;
}

const struct cw_worker *cw_proctab_by_slot(const struct cw_proctab *t, int slot)
{
	const struct cw_worker *w;

	for (w = t->head; w != NULL; w = w->next)
		if (w->slot == slot)
			return w;
	return NULL;
}

int cw_proctab_count(const struct cw_proctab *t, uint64_t gen, int ready_only)
{
	const struct cw_worker *w;
	int n = 0;

	for (w = t->head; w != NULL; w = w->next)
		if ((gen == 0 || w->gen == gen) && (!ready_only || w->ready) &&
		    !w->draining && !w->recycling)
			n++;
	return n;
}

int cw_proctab_count_other(const struct cw_proctab *t, uint64_t gen)
{
	const struct cw_worker *w;
	int n = 0;

	for (w = t->head; w != NULL; w = w->next)
		n += w->gen != gen;
	return n;
}

struct cw_worker *cw_proctab_first(const struct cw_proctab *t)
{
	return t->head;
}

struct cw_worker *cw_proctab_next(const struct cw_worker *w)
{
	return w->next;
}

int cw_proctab_empty(const struct cw_proctab *t)
{
	return t->head == NULL;
}

int cw_proctab_free_slot(const struct cw_stats_area *area)
{
	for (int i = 0; i < CW_STATS_SLOTS; i++)
		if (atomic_load(&area->slots[i].state) == CW_WORKER_FREE)
			return i;
	return -1;
}
