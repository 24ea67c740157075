/* handlers.c - the URI handler registry.
 *
 * Lookups take a mutex only long enough to pick the entry and bump its
 * reference count, then run the callback unlocked. Removing or replacing a
 * handler unlinks it at once (new requests no longer see it) and waits for
 * the requests still running it, as CivetWeb documents; so a handler must
 * not remove or replace itself (CivetWeb would wait forever too).
 *
 * Which handler a URI gets. CivetWeb 1.16 makes three passes over the
 * handlers of a type, in registration order, and takes the first hit:
 * exact match; then a registered URI that is a prefix of the request
 * followed by '/' ("/a" for "/a/b"); then the registered URI used as a
 * pattern (match.h), which matches a prefix of the path case-insensitively.
 * civetd keeps the three tiers and their order but picks the most specific
 * entry within a tier instead of the first registered: the longest prefix,
 * and the pattern that matches the most characters (ties: the first
 * registered). A registered URI ending in '/' ("/a/") counts as a prefix
 * of anything below it; CivetWeb finds it only in its pattern pass.
 *
 * Consequences that follow CivetWeb on purpose: "/a" also matches "/ab"
 * and "/A/b" (pattern pass: a plain URI is a pattern without wildcards),
 * but any exact or '/'-bounded match beats that, so "/ab" goes to an "/ab"
 * handler whenever one exists. A strict boundary is a pattern: "/a$" for
 * "/a" alone, "/a/" for what lies below it.
 *
 * Handler types (request, WebSocket, authorization) never affect one
 * another: setting or removing one type leaves the others as they are. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/handlers.h"
#include "util/match.h"

struct cw_handlers {
	pthread_mutex_t lock;
	pthread_cond_t released;
	struct cw_handler *list;
	_Atomic int count[3];
};

struct cw_handlers *cw_handlers_new(void)
{
	struct cw_handlers *hs = calloc(1, sizeof *hs);

	if (hs == NULL)
		return NULL;
	pthread_mutex_init(&hs->lock, NULL);
	pthread_cond_init(&hs->released, NULL);
	return hs;
}

static void free_handler(struct cw_handler *h)
{
	free(h->uri);
	free(h);
}

void cw_handlers_free(struct cw_handlers *hs)
{
	struct cw_handler *h, *next;

	if (hs == NULL)
		return;
	for (h = hs->list; h != NULL; h = next) {
		next = h->next;
		free_handler(h);
	}
	pthread_cond_destroy(&hs->released);
	pthread_mutex_destroy(&hs->lock);
	free(hs);
}

int cw_handlers_any(const struct cw_handlers *hs, int type)
{
	return atomic_load_explicit(&hs->count[type], memory_order_relaxed) > 0;
}

static int is_removal(const struct cw_handler *t)
{
	return t->request == NULL && t->auth == NULL && t->ws_connect == NULL &&
	       t->ws_ready == NULL && t->ws_data == NULL && t->ws_close == NULL;
}

/* Wait (lock held) until nobody runs h, then free it. */
static void retire(struct cw_handlers *hs, struct cw_handler *h)
{
	while (h->refcount > 0)
		pthread_cond_wait(&hs->released, &hs->lock);
	free_handler(h);
}

int cw_handlers_set(struct cw_handlers *hs, const char *uri,
                    const struct cw_handler *tmpl)
{
	struct cw_handler **pp, *old = NULL, *nh = NULL;

	if (uri == NULL)
		return -1;
	if (!is_removal(tmpl)) {
		nh = malloc(sizeof *nh);
		if (nh == NULL)
			return -1;
		*nh = *tmpl;
		nh->uri = strdup(uri);
		if (nh->uri == NULL) {
			free(nh);
			return -1;
		}
		nh->uri_len = strlen(uri);
		nh->refcount = 0;
	}
	pthread_mutex_lock(&hs->lock);
	for (pp = &hs->list; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->type == tmpl->type && strcmp((*pp)->uri, uri) == 0)
			break;
	old = *pp;
	if (nh != NULL && old != NULL) {
		/* replace in place: the count of the type never drops to 0 on
		 * the way (cw_handlers_any() reads it without the lock), and
		 * the entry keeps its registration order, as in CivetWeb */
		nh->next = old->next;
		*pp = nh;
	} else if (nh != NULL) {
		nh->next = NULL;
		*pp = nh; /* pp is the list's end: registration order */
		atomic_fetch_add(&hs->count[tmpl->type], 1);
	} else if (old != NULL) {
		*pp = old->next;
		atomic_fetch_sub(&hs->count[tmpl->type], 1);
	}
	if (old != NULL)
		retire(hs, old);
	pthread_mutex_unlock(&hs->lock);
	return 0;
}

/* How well h matches uri: 3<<24 exact, 2<<24 + length for a '/'-bounded
 * prefix, 1<<24 + matched length for a pattern, 0 for no match. */
static long score(const struct cw_handler *h, const char *uri, size_t ulen)
{
	ptrdiff_t m;

	if (h->uri_len == ulen && memcmp(h->uri, uri, ulen) == 0)
		return 3L << 24;
	if (h->uri_len < ulen && memcmp(h->uri, uri, h->uri_len) == 0 &&
	    (uri[h->uri_len] == '/' ||
	     (h->uri_len > 0 && h->uri[h->uri_len - 1] == '/')))
		return (2L << 24) + (long)h->uri_len;
	m = cw_match(h->uri, h->uri_len, uri, NULL);
	if (m > 0)
		return (1L << 24) + (long)m;
	return 0;
}

struct cw_handler *cw_handlers_find(struct cw_handlers *hs, int type,
                                    const char *uri)
{
	struct cw_handler *h, *best = NULL;
	size_t ulen;
	long best_score = 0;

	if (uri == NULL || !cw_handlers_any(hs, type))
		return NULL;
	ulen = strlen(uri);
	pthread_mutex_lock(&hs->lock);
	for (h = hs->list; h != NULL; h = h->next) {
		long s;

		if (h->type != type)
			continue;
		s = score(h, uri, ulen);
		if (s > best_score) {
			best_score = s;
			best = h;
		}
	}
	if (best != NULL)
		best->refcount++;
	pthread_mutex_unlock(&hs->lock);
	return best;
}

void cw_handlers_release(struct cw_handlers *hs, struct cw_handler *h)
{
	pthread_mutex_lock(&hs->lock);
	if (--h->refcount == 0)
		pthread_cond_broadcast(&hs->released);
	pthread_mutex_unlock(&hs->lock);
}
