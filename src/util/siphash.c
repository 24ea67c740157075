/* siphash.c - SipHash-2-4 as its paper specifies it (see siphash.h). */
#include <string.h>

#include "util/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void round_once(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static uint64_t load_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	round_once(s);
	round_once(s);
	s->v0 ^= m;
}

uint64_t cw_siphash(const unsigned char key[16], const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t k0 = load_le(key, 8), k1 = load_le(key + 8, 8);
	struct sip s = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
	                k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		absorb(&s, load_le(p + i, 8));
	absorb(&s, load_le(p + i, len - i) | (uint64_t)(len & 0xff) << 56);
	s.v2 ^= 0xff;
	for (int r = 0; r < 4; r++)
		round_once(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
