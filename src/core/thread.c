/* thread.c - which library thread is running: the per-thread cw_thread
 * (server.h) that pool threads set when they start, and its counter
 * block. */
#include <stddef.h>

#include "core/server.h"

static __thread struct cw_thread *self;

struct cw_thread *cw_thread_self(void)
{
	return self;
}

void cw_thread_set_self(struct cw_thread *t)
{
	self = t;
}

struct cw_thread_block *cw_thread_stats(const struct mg_context *ctx)
{
	struct cw_thread *t = self;

	return t != NULL && t->ctx == ctx ? t->stats : NULL;
}
