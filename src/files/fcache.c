/* fcache.c - the open-file cache (see fcache.h).
 *
 * A hash table of entries under one mutex per stripe of buckets, with a
 * least-recently-used list per stripe for eviction. An entry is
 * reference-counted: a request holds it while it reads the descriptor,
 * and an entry replaced or evicted meanwhile is closed and freed when its
 * last holder lets go. A hit takes one lock, no allocation and no system
 * call; an entry past its second costs one stat() of the path (the
 * metadata still match: kept) or a reopen. A small file's content is read
 * once, when its entry is made, and sent from memory after. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/fcache.h"
#include "util/clock.h"

#define STRIPES 16
#define BUCKETS 256 /* per stripe */

struct node {
	struct cw_fentry e;            /* first: held entries are nodes */
	_Atomic long long *data_bytes; /* the cache's count, for data */
	struct node *next;             /* in the bucket */
	struct node *lru_prev, *lru_next;
	int refs; /* holders, + 1 while in the table */
	int key;
	unsigned hash;
	_Atomic int64_t checked_ms; /* read without the lock */
	char path[];
};

struct stripe {
	pthread_mutex_t lock;
	struct node *bucket[BUCKETS];
	struct node *newest, *oldest; /* the recency list */
	int count;
};

struct cw_fcache {
	int max_per_stripe;
	_Atomic long long data_bytes; /* kept by all entries' data */
	struct stripe s[STRIPES];
};

static unsigned hash_of(const char *p, int key)
{
	unsigned h = 2166136261u ^ (unsigned)key;

	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

struct cw_fcache *cw_fcache_new(int max)
{
	struct cw_fcache *fc;

	if (max <= 0)
		return NULL;
	fc = calloc(1, sizeof *fc);
	if (fc == NULL)
		return NULL;
	fc->max_per_stripe = max / STRIPES > 0 ? max / STRIPES : 1;
	for (int i = 0; i < STRIPES; i++) {
		pthread_mutex_init(&fc->s[i].lock, NULL);
	}
	return fc;
}

static void node_free(struct node *n)
{
	if (n->e.fd >= 0)
		close(n->e.fd);
	if (n->e.data != NULL) {
		atomic_fetch_sub(n->data_bytes, n->e.size);
		free((void *)n->e.data);
	}
	free(n);
}

/* Drop one reference (under the stripe's lock); the last frees. */
static void unref(struct node *n)
{
	if (--n->refs == 0)
		node_free(n);
}

/* The recency list: lru_prev towards the newest, lru_next the oldest. */
static void lru_unlink(struct stripe *s, struct node *n)
{
	if (n->lru_prev != NULL)
		n->lru_prev->lru_next = n->lru_next;
	else
		s->newest = n->lru_next;
	if (n->lru_next != NULL)
		n->lru_next->lru_prev = n->lru_prev;
	else
		s->oldest = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
}

static void lru_push(struct stripe *s, struct node *n)
{
	n->lru_prev = NULL;
	n->lru_next = s->newest;
	if (s->newest != NULL)
		s->newest->lru_prev = n;
	else
		s->oldest = n;
	s->newest = n;
}

/* Take n out of the table (it lives on while held). */
static void remove_node(struct stripe *s, struct node *n)
{
	struct node **pp = &s->bucket[(n->hash / STRIPES) % BUCKETS];

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	lru_unlink(s, n);
	s->count--;
	unref(n);
}

void cw_fcache_free(struct cw_fcache *fc)
{
	if (fc == NULL)
		return;
	for (int i = 0; i < STRIPES; i++) {
		while (fc->s[i].newest != NULL)
			remove_node(&fc->s[i], fc->s[i].newest);
		pthread_mutex_destroy(&fc->s[i].lock);
	}
	free(fc);
}

static void fill(struct cw_fentry *e, int fd, int err, const struct stat *st)
{
	e->fd = fd;
	e->err = err;
	if (st == NULL)
		return;
	e->is_dir = S_ISDIR(st->st_mode);
	e->size = (long long)st->st_size;
	e->mtime = st->st_mtim.tv_sec;
	e->mtime_ns = st->st_mtim.tv_nsec;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
}

/* Keep the content of a small regular file with its entry, within the
 * cache's budget. Without it (too large, over the budget, a short read:
 * the file is being written) the entry has its descriptor only. */
static void keep_data(struct node *n, _Atomic long long *budget)
{
	long long size = n->e.size;
	char *data;

	if (size <= 0 || size > CW_FCACHE_DATA_MAX)
		return;
	if (atomic_fetch_add(budget, size) + size > CW_FCACHE_DATA_BUDGET) {
		atomic_fetch_sub(budget, size);
		return;
	}
	data = malloc((size_t)size);
	if (data == NULL || pread(n->e.fd, data, (size_t)size, 0) != size) {
		free(data);
		atomic_fetch_sub(budget, size);
		return;
	}
	n->e.data = data;
	n->data_bytes = budget;
}

/* Open path into a new node (outside any lock). NULL on ENOMEM. A
 * directory keeps no descriptor; anything not regular is EACCES. */
static struct node *make_node(struct cw_fcache *fc, const char *path, int key,
                              unsigned hash, cw_fcache_open_fn open_fn,
                              void *arg)
{
	size_t len = strlen(path);
	struct node *n = calloc(1, sizeof *n + len + 1);
	struct stat st;
	int fd;

	if (n == NULL)
		return NULL;
	memcpy(n->path, path, len + 1);
	n->key = key;
	n->hash = hash;
	n->refs = 1;
	atomic_store_explicit(&n->checked_ms, cw_now_ms(),
	                      memory_order_relaxed);
	fd = open_fn(arg, path);
	if (fd < 0) {
		fill(&n->e, -1, errno, NULL);
	} else if (fstat(fd, &st) != 0) {
		fill(&n->e, -1, errno, NULL);
		close(fd);
	} else if (S_ISREG(st.st_mode)) {
		fill(&n->e, fd, 0, &st);
		keep_data(n, &fc->data_bytes);
	} else {
		fill(&n->e, -1, S_ISDIR(st.st_mode) ? 0 : EACCES, &st);
		close(fd);
	}
	return n;
}

/* Does what is at path now still match what n holds? One stat(). */
static int still_current(const struct node *n)
{
	struct stat st;

	if (stat(n->path, &st) != 0)
		return n->e.err != 0 && errno == n->e.err;
	if (n->e.err != 0 && !(n->e.err == EACCES && !S_ISREG(st.st_mode) &&
	                       !S_ISDIR(st.st_mode)))
		return 0;
	return st.st_dev == n->e.dev && st.st_ino == n->e.ino &&
	       (long long)st.st_size == n->e.size &&
	       st.st_mtim.tv_sec == n->e.mtime &&
	       st.st_mtim.tv_nsec == n->e.mtime_ns;
}

static struct node *find(struct stripe *s, const char *path, int key,
                         unsigned hash)
{
	struct node *n = s->bucket[(hash / STRIPES) % BUCKETS];

	for (; n != NULL; n = n->next)
		if (n->hash == hash && n->key == key &&
		    strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

/* Put fresh in the table in place of any entry for its path, evicting
 * the least recently used beyond the limit. Under the lock. */
static void insert(struct cw_fcache *fc, struct stripe *s, struct node *fresh)
{
	struct node *old = find(s, fresh->path, fresh->key, fresh->hash);
	struct node **b = &s->bucket[(fresh->hash / STRIPES) % BUCKETS];

	if (old != NULL)
		remove_node(s, old);
	while (s->count >= fc->max_per_stripe && s->oldest != NULL)
		remove_node(s, s->oldest);
	fresh->next = *b;
	*b = fresh;
	lru_push(s, fresh);
	s->count++;
	fresh->refs++; /* the table's reference */
}

const struct cw_fentry *cw_fcache_get(struct cw_fcache *fc, const char *path,
                                      int key, cw_fcache_open_fn open_fn,
                                      void *arg)
{
	unsigned hash;
	struct stripe *s;
	struct node *n, *fresh;
	int64_t now;

	if (fc == NULL)
		return NULL;
	hash = hash_of(path, key);
	s = &fc->s[hash % STRIPES];
	now = cw_now_ms();
	pthread_mutex_lock(&s->lock);
	n = find(s, path, key, hash);
	if (n != NULL) {
		n->refs++;
		lru_unlink(s, n);
		lru_push(s, n);
	}
	pthread_mutex_unlock(&s->lock);
	if (n != NULL &&
	    now - atomic_load_explicit(&n->checked_ms, memory_order_relaxed) <
	        CW_FCACHE_TTL_MS)
		return &n->e;
	if (n != NULL && still_current(n)) {
		atomic_store_explicit(&n->checked_ms, now,
		                      memory_order_relaxed);
		return &n->e;
	}
	/* missing or changed: open it again */
	fresh = make_node(fc, path, key, hash, open_fn, arg);
	pthread_mutex_lock(&s->lock);
	if (n != NULL)
		unref(n);
	if (fresh != NULL)
		insert(fc, s, fresh);
	pthread_mutex_unlock(&s->lock);
	return fresh != NULL ? &fresh->e : NULL;
}

void cw_fcache_release(struct cw_fcache *fc, const struct cw_fentry *e)
{
	struct node *n = (struct node *)(void *)e;
	struct stripe *s;

	if (e == NULL)
		return;
	s = &fc->s[n->hash % STRIPES];
	pthread_mutex_lock(&s->lock);
	unref(n);
	pthread_mutex_unlock(&s->lock);
}
