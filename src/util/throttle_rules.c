/* throttle_rules.c - the `throttle` option (see throttle_rules.h): parsed
 * once when the options are read, into one allocation holding the rules
 * and the text of their URI patterns, so a request only compares
 * addresses and runs patterns, and never parses.
 *
 * CivetWeb reads an entry it cannot understand as nothing (its rate fails
 * sscanf and the entry is skipped; a subnet it cannot parse becomes a URI
 * pattern that can never match, since a URI starts with '/'). Here such
 * an entry refuses the whole value, with the entry and the reason, so a
 * typing error cannot silently mean "unlimited". A subnet's address is
 * masked to its prefix (CivetWeb compares the unmasked address, so
 * "10.0.0.1/8" never matches there). */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/match.h"
#include "util/throttle_rules.h"

/* Bound on the option's size and its rule count: it comes from a
 * configuration file, and a request runs through every rule. */
#define MAX_SPEC  65536
#define MAX_RULES 1024

enum rule_kind { RULE_ALL, RULE_NET4, RULE_NET6, RULE_URI };

struct rule {
	unsigned char kind;     /* enum rule_kind */
	unsigned char bits;     /* prefix length of a subnet */
	int rate;               /* bytes per second, 0: unlimited */
	unsigned char addr[16]; /* the subnet, masked (IPv4: the first 4) */
	uint32_t pat, pat_len;  /* a URI pattern: text[pat..pat+pat_len) */
};

struct cw_throttle_rules {
	int n;
	char *text; /* the patterns, after the rules in the same block */
	struct rule rule[];
};

/* One entry of the list, trimmed of blanks. */
struct entry {
	const char *key, *val;
	size_t key_len, val_len;
	int has_eq;
};

static int fail(char *err, size_t errlen, const struct entry *e,
                const char *why)
{
	snprintf(err, errlen, "throttle: '%.*s' %s",
	         (int)(e->val + e->val_len - e->key), e->key, why);
	return -1;
}

static void trim(const char **p, size_t *len)
{
	while (*len > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
		(*len)--;
}

/* The rate of an entry: a finite decimal number >= 0, then k or m or
 * nothing; truncated to whole bytes per second as CivetWeb does (so a
 * rate below 1 is unlimited there and here). */
static int parse_rate(const struct entry *e, int *rate, char *err,
                      size_t errlen)
{
	char buf[64], *end;
	double v;

	if (e->val_len == 0 || e->val_len >= sizeof buf ||
	    !((e->val[0] >= '0' && e->val[0] <= '9') || e->val[0] == '.'))
		return fail(err, errlen, e, "needs a rate in bytes per second");
	memcpy(buf, e->val, e->val_len);
	buf[e->val_len] = '\0';
	v = strtod(buf, &end);
	if (end == buf || !isfinite(v) || v < 0 ||
	    (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')))
		return fail(err, errlen, e, "needs a rate in bytes per second");
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1048576, end++;
	if (*end != '\0')
		return fail(err, errlen, e,
		            "has a rate other than a number with k or m");
	if (v > 2147483647.0)
		return fail(err, errlen, e,
		            "has a rate above 2147483647 bytes per second");
	*rate = (int)v;
	return 0;
}

/* "/bits" after an address, up to max; the whole length if none. */
static int parse_bits(const char *p, size_t len, int max, int *bits)
{
	int v = 0;

	if (len == 0) {
		*bits = max;
		return 0;
	}
	if (p[0] != '/' || len < 2 || len > 4)
		return -1;
	for (size_t i = 1; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (v > max)
		return -1;
	*bits = v;
	return 0;
}

static void mask(unsigned char *a, int bytes, int bits)
{
	for (int i = 0; i < bytes; i++) {
		int keep = bits - 8 * i;

		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

/* A subnet key: digits start IPv4, '[' starts IPv6. */
static int parse_net(const struct entry *e, struct rule *r, char *err,
                     size_t errlen)
{
	const char *k = e->key;
	size_t alen;
	char buf[64];
	int v6 = k[0] == '[', bits;

	if (v6) {
		const char *close = memchr(k, ']', e->key_len);

		if (close == NULL)
			return fail(err, errlen, e, "is not a valid subnet");
		k++;
		alen = (size_t)(close - k);
	} else {
		alen = strcspn(k, "/");
		if (alen > e->key_len)
			alen = e->key_len;
	}
	if (alen == 0 || alen >= sizeof buf)
		return fail(err, errlen, e, "is not a valid subnet");
	memcpy(buf, k, alen);
	buf[alen] = '\0';
	k += alen + (size_t)v6;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, r->addr) != 1 ||
	    parse_bits(k, e->key_len - (size_t)(k - e->key), v6 ? 128 : 32,
	               &bits) != 0)
		return fail(err, errlen, e, "is not a valid subnet");
	r->kind = v6 ? RULE_NET6 : RULE_NET4;
	r->bits = (unsigned char)bits;
	mask(r->addr, v6 ? 16 : 4, bits);
	return 0;
}

/* Split the next entry off *p; 0 with e filled, 1 at the end, or an
 * empty entry (skipped by the caller). */
static int next_entry(const char **p, struct entry *e)
{
	const char *s = *p, *eq;
	size_t len;

	if (*s == '\0')
		return 1;
	len = strcspn(s, ",");
	*p = s + len + (s[len] == ',');
	eq = memchr(s, '=', len);
	e->key = s;
	e->key_len = eq != NULL ? (size_t)(eq - s) : len;
	e->val = eq != NULL ? eq + 1 : s + len;
	e->val_len = eq != NULL ? len - e->key_len - 1 : 0;
	e->has_eq = eq != NULL;
	trim(&e->key, &e->key_len);
	trim(&e->val, &e->val_len);
	return 0;
}

static int parse_entry(const struct entry *e, struct rule *r, char *text,
                       size_t *text_len, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	if (e->key_len == 0)
		return fail(err, errlen, e, "has no key before '='");
	if (!e->has_eq)
		return fail(err, errlen, e, "has no '=rate'");
	if (parse_rate(e, &r->rate, err, errlen) != 0)
		return -1;
	if (e->key_len == 1 && e->key[0] == '*') {
		r->kind = RULE_ALL;
		return 0;
	}
	if ((e->key[0] >= '0' && e->key[0] <= '9') || e->key[0] == '[')
		return parse_net(e, r, err, errlen);
	r->kind = RULE_URI;
	r->pat = (uint32_t)*text_len;
	r->pat_len = (uint32_t)e->key_len;
	memcpy(text + *text_len, e->key, e->key_len);
	*text_len += e->key_len;
	text[(*text_len)++] = '\0';
	return 0;
}

static int count_entries(const char *spec)
{
	int n = 1;

	for (const char *p = spec; *p; p++)
		n += *p == ',';
	return n;
}

int cw_throttle_parse(const char *spec, struct cw_throttle_rules **out,
                      char *err, size_t errlen)
{
	size_t len = spec != NULL ? strlen(spec) : 0, text_len = 0;
	int cap = spec != NULL ? count_entries(spec) : 0;
	struct cw_throttle_rules *r;
	struct entry e;

	*out = NULL;
	if (len == 0)
		return 0;
	if (len > MAX_SPEC || cap > MAX_RULES) {
		snprintf(err, errlen,
		         "throttle: more than %d rules or %d bytes", MAX_RULES,
		         MAX_SPEC);
		return -1;
	}
	r = malloc(sizeof *r + (size_t)cap * sizeof r->rule[0] + len + 1);
	if (r == NULL) {
		snprintf(err, errlen, "throttle: out of memory");
		return -1;
	}
	r->n = 0;
	r->text = (char *)&r->rule[cap];
	while (next_entry(&spec, &e) == 0) {
		if (e.key_len == 0 && !e.has_eq)
			continue; /* an empty entry: ",," or a final comma */
		if (parse_entry(&e, &r->rule[r->n], r->text, &text_len, err,
		                errlen) != 0) {
			free(r);
			return -1;
		}
		r->n++;
	}
	if (r->n == 0) {
		free(r);
		return 0;
	}
	*out = r;
	return 0;
}

void cw_throttle_free(struct cw_throttle_rules *r)
{
	free(r);
}

int cw_throttle_count(const struct cw_throttle_rules *r)
{
	return r != NULL ? r->n : 0;
}

/* The peer's address bytes and family, an IPv4-mapped IPv6 address as
 * IPv4. 0, or -1 for no usable address. */
static int peer_addr(const struct sockaddr *peer, unsigned char a[16], int *v6)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
	                                         0, 0, 0, 0, 0xff, 0xff};

	if (peer == NULL)
		return -1;
	if (peer->sa_family == AF_INET) {
		memcpy(a,
		       (const char *)peer +
		           offsetof(struct sockaddr_in, sin_addr),
		       4);
		*v6 = 0;
		return 0;
	}
	if (peer->sa_family != AF_INET6)
		return -1;
	memcpy(a, (const char *)peer + offsetof(struct sockaddr_in6, sin6_addr),
	       16);
	*v6 = memcmp(a, mapped, sizeof mapped) != 0;
	if (!*v6)
		memmove(a, a + 12, 4);
	return 0;
}

static int in_net(const struct rule *r, const unsigned char *a)
{
	unsigned char m[16];

	memcpy(m, a, 16);
	mask(m, r->kind == RULE_NET6 ? 16 : 4, r->bits);
	return memcmp(m, r->addr, r->kind == RULE_NET6 ? 16 : 4) == 0;
}

static int rule_matches(const struct cw_throttle_rules *rs,
                        const struct rule *r, int have_addr, int v6,
                        const unsigned char *a, const char *uri)
{
	switch (r->kind) {
	case RULE_ALL:
		return 1;
	case RULE_NET4:
	case RULE_NET6:
		return have_addr && v6 == (r->kind == RULE_NET6) &&
		       in_net(r, a);
	default:
		return uri != NULL &&
		       cw_match(rs->text + r->pat, r->pat_len, uri, NULL) > 0;
	}
}

int cw_throttle_rate(const struct cw_throttle_rules *r,
                     const struct sockaddr *peer, const char *uri)
{
	unsigned char a[16] = {0};
	int v6 = 0, have_addr;

	if (r == NULL)
		return 0;
	have_addr = peer_addr(peer, a, &v6) == 0;
	/* the last match wins: look from the end */
	for (int i = r->n - 1; i >= 0; i--)
		if (rule_matches(r, &r->rule[i], have_addr, v6, a, uri))
			return r->rule[i].rate;
	return 0;
}
