/* nonces.c - issuing and checking digest-authentication nonces in a
 * table shared by the processes of a server (see nonces.h). */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "core/nonces.h"
#include "util/siphash.h"
#include "util/sysio.h"

/* A slot: the nonce that owns it (its sequence number), the highest nc
 * seen with it, and which of the WINDOW counters below that were seen
 * too: requests on parallel connections may arrive out of order, so a
 * counter may come late, but never twice. A tiny lock guards the slot;
 * a holder that died (the process was killed inside) costs only that
 * nonce: a checker that cannot take the lock calls the nonce stale. */
#define NC_MAX     0xffffffffu
#define WINDOW     64
#define SPIN_LIMIT 100000

struct slot {
	atomic_flag busy;
	uint64_t seq;
	uint32_t max_nc;
	uint64_t seen; /* bit i: max_nc - i was seen */
};

struct cw_nonces {
	_Atomic uint64_t next; /* the next sequence number */
	unsigned char key[16]; /* SipHash's */
	struct slot slot[CW_NONCE_SLOTS];
};

struct cw_nonces *cw_nonces_new_shared(void)
{
	struct cw_nonces *t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE,
	                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t start;

	if (t == MAP_FAILED)
		return NULL;
	if (cw_random_bytes(t->key, sizeof t->key) != 0 ||
	    cw_random_bytes(&start, sizeof start) != 0) {
		munmap(t, sizeof *t);
		return NULL;
	}
	/* sequence numbers start anywhere, so slots of 0 match nothing */
	atomic_init(&t->next, (start >> 1) + 1);
	for (size_t i = 0; i < CW_NONCE_SLOTS; i++)
		atomic_flag_clear(&t->slot[i].busy);
	return t;
}

void cw_nonces_free_shared(struct cw_nonces *t)
{
	if (t == NULL)
		return;
	explicit_bzero(t->key, sizeof t->key);
	munmap(t, sizeof *t);
}

static void put_hex(char *out, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	while (digits-- > 0) {
		out[digits] = hex[v & 15];
		v >>= 4;
	}
}

static int get_hex(const char *in, int digits, uint64_t *v)
{
	uint64_t r = 0;

	for (int i = 0; i < digits; i++) {
		char ch = in[i];
		int d = ch >= '0' && ch <= '9'   ? ch - '0'
		        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
		                                 : -1;

		if (d < 0)
			return -1;
		r = r << 4 | (uint64_t)d;
	}
	*v = r;
	return 0;
}

/* The MAC of the nonce's first 24 characters, as 16 hex digits. */
static int mac_of(const struct cw_nonces *t, const char *text, char out[16])
{
	put_hex(out, cw_siphash(t->key, text, 24), 16);
	return 0;
}

static int lock(struct slot *sl)
{
	for (int i = 0;
	     atomic_flag_test_and_set_explicit(&sl->busy, memory_order_acquire);
	     i++)
		if (i >= SPIN_LIMIT)
			return -1;
	return 0;
}

static void unlock(struct slot *sl)
{
	atomic_flag_clear_explicit(&sl->busy, memory_order_release);
}

int cw_nonce_issue(struct cw_nonces *t, char out[CW_NONCE_LEN + 1])
{
	uint64_t seq =
	    atomic_fetch_add_explicit(&t->next, 1, memory_order_relaxed);
	struct slot *sl = &t->slot[seq % CW_NONCE_SLOTS];

	put_hex(out, (uint64_t)(uint32_t)time(NULL), 8);
	put_hex(out + 8, seq, 16);
	if (mac_of(t, out, out + 24) != 0 || lock(sl) != 0)
		return -1;
	out[CW_NONCE_LEN] = '\0';
	sl->seq = seq;
	sl->max_nc = 0;
	sl->seen = 0;
	unlock(sl);
	return 0;
}

/* Ours and not forged: 0 with *made and *seq set. */
static int verify(const struct cw_nonces *t, const char *nonce, size_t len,
                  uint64_t *made, uint64_t *seq)
{
	char mac[16];

	if (len != CW_NONCE_LEN || get_hex(nonce, 8, made) != 0 ||
	    get_hex(nonce + 8, 16, seq) != 0 || mac_of(t, nonce, mac) != 0)
		return -1;
	return CRYPTO_memcmp(mac, nonce + 24, sizeof mac) == 0 ? 0 : -1;
}

/* Record nc in a slot the nonce owns: 0, or -1 if it was seen (or is
 * too old to tell). */
static int record(struct slot *sl, uint32_t nc)
{
	uint32_t back;

	if (nc > sl->max_nc) {
		uint32_t up = nc - sl->max_nc;

		sl->seen = up >= WINDOW ? 0 : sl->seen << up;
		sl->seen |= 1;
		sl->max_nc = nc;
		return 0;
	}
	back = sl->max_nc - nc;
	if (back >= WINDOW || (sl->seen >> back & 1))
		return -1;
	sl->seen |= 1ull << back;
	return 0;
}

enum cw_nonce_check cw_nonce_check(struct cw_nonces *t, const char *nonce,
                                   size_t len, uint32_t nc)
{
	uint64_t made, seq, now = (uint64_t)(uint32_t)time(NULL);
	enum cw_nonce_check r;
	struct slot *sl;

	if (verify(t, nonce, len, &made, &seq) != 0)
		return CW_NONCE_BAD;
	if (now < made || now - made > CW_NONCE_LIFETIME_S || nc == NC_MAX)
		return CW_NONCE_STALE;
	if (nc == 0)
		return CW_NONCE_REPLAY;
	sl = &t->slot[seq % CW_NONCE_SLOTS];
	if (lock(sl) != 0)
		return CW_NONCE_STALE;
	if (sl->seq != seq)
		r = CW_NONCE_STALE;
	else
		r = record(sl, nc) == 0 ? CW_NONCE_OK : CW_NONCE_REPLAY;
	unlock(sl);
	return r;
}
