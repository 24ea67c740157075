/* ticket_keys.c - making, rotating, reading and loading session ticket
 * keys (see ticket_keys.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/ticket_keys.h"
#include "util/sysio.h"

struct cw_ticket_keys *cw_ticket_keys_new_shared(void)
{
	struct cw_ticket_keys *k = mmap(NULL, sizeof *k, PROT_READ | PROT_WRITE,
	                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (k == MAP_FAILED)
		return NULL;
	memset(k, 0, sizeof *k);
	return k;
}

void cw_ticket_keys_free_shared(struct cw_ticket_keys *k)
{
	if (k == NULL)
		return;
	explicit_bzero(k, sizeof *k);
	munmap(k, sizeof *k);
}

/* The writer's side of the sequence counter. */
static void write_begin(struct cw_ticket_keys *k)
{
	atomic_fetch_add_explicit(&k->seq, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
}

static void write_end(struct cw_ticket_keys *k)
{
	atomic_thread_fence(memory_order_release);
	atomic_fetch_add_explicit(&k->seq, 1, memory_order_release);
}

int cw_ticket_keys_rotate(struct cw_ticket_keys *k)
{
	struct cw_ticket_key fresh;

	memset(&fresh, 0, sizeof fresh);
	if (cw_random_bytes(fresh.name, sizeof fresh.name) != 0 ||
	    cw_random_bytes(fresh.hmac, sizeof fresh.hmac) != 0 ||
	    cw_random_bytes(fresh.aes, sizeof fresh.aes) != 0)
		return -1;
	write_begin(k);
	k->k[1] = k->k[0];
	k->k[0] = fresh;
	k->n = k->n == 0 ? 1 : 2;
	k->rotating = 1;
	write_end(k);
	explicit_bzero(&fresh, sizeof fresh);
	return 0;
}

/* One key file into *key: 0, or -1 with the reason in err. */
static int load_one(const char *path, struct cw_ticket_key *key, char *err,
                    size_t errlen)
{
	unsigned char buf[81];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "ssl_ticket_key_file: %s: %s", path,
		         strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n != 80 && n != 48) {
		snprintf(err, errlen,
		         "ssl_ticket_key_file: %s: must hold 80 or 48 bytes "
		         "(it holds %zd)",
		         path, n < 0 ? (ssize_t)0 : n);
		return -1;
	}
	memset(key, 0, sizeof *key);
	memcpy(key->name, buf, 16);
	key->aes128 = n == 48;
	memcpy(key->hmac, buf + 16, key->aes128 ? 16 : 32);
	memcpy(key->aes, buf + (key->aes128 ? 32 : 48), key->aes128 ? 16 : 32);
	explicit_bzero(buf, sizeof buf);
	return 0;
}

int cw_ticket_keys_load(struct cw_ticket_keys *k, const char *list, char *err,
                        size_t errlen)
{
	struct cw_ticket_key keys[CW_TICKET_KEYS_MAX];
	char path[1024];
	int n = 0;

	for (const char *p = list; *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (n == CW_TICKET_KEYS_MAX) {
			snprintf(err, errlen,
			         "ssl_ticket_key_file: at most %d files",
			         CW_TICKET_KEYS_MAX);
			return -1;
		}
		if (len == 0 || len >= sizeof path) {
			snprintf(err, errlen, "ssl_ticket_key_file: bad list");
			return -1;
		}
		memcpy(path, p, len);
		path[len] = '\0';
		if (load_one(path, &keys[n++], err, errlen) != 0)
			return -1;
		p += len + (p[len] == ',');
	}
	write_begin(k);
	memcpy(k->k, keys, (size_t)n * sizeof keys[0]);
	k->n = n;
	k->rotating = 0;
	write_end(k);
	explicit_bzero(keys, sizeof keys);
	return 0;
}

int cw_ticket_lifetime(const char *ssl_cache_timeout)
{
	long v = ssl_cache_timeout != NULL ? strtol(ssl_cache_timeout, NULL, 10)
	                                   : -1;

	return v > 0 && v < 86400 * 7 ? (int)v : 300;
}

void cw_ticket_keys_read(const struct cw_ticket_keys *k,
                         struct cw_ticket_keys *out)
{
	uint32_t before, after;

	do {
		before = atomic_load_explicit(&k->seq, memory_order_acquire);
		memcpy(out->k, k->k, sizeof out->k);
		out->n = k->n;
		out->rotating = k->rotating;
		atomic_thread_fence(memory_order_acquire);
		after = atomic_load_explicit(&k->seq, memory_order_relaxed);
	} while ((before & 1) != 0 || before != after);
	atomic_store_explicit(&out->seq, after, memory_order_relaxed);
}
