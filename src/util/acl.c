/* acl.c - access_control_list parsed once and matched per connection
 * (see acl.h).
 *
 * Entries are kept in the list's order as a family and a network and
 * mask of 128 bits (an IPv4 one in its IPv4-mapped form); a client is
 * judged by scanning them from the end, two masked comparisons each, so
 * the first hit is the last match, which is CivetWeb's rule.
 *
 * Stricter than CivetWeb where it would silently accept an entry that can
 * never do what it says: an address with bits set beyond its prefix
 * (CivetWeb compares the masked client with the unmasked network, so
 * "-10.1.2.3/8" matches nobody) is refused, as is anything inet_pton()
 * does not read as an address. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/acl.h"

/* Longest entry read, sign and prefix included ("[" v6 "]/128"). */
#define ENTRY_MAX 64

/* An address as two big-endian halves; an IPv4 address in its
 * IPv4-mapped form (::ffff:a.b.c.d), so one comparison serves both. */
struct addr128 {
	uint64_t hi, lo;
};

struct acl_entry {
	struct addr128 net, mask;
	unsigned char allow; /* '+': 1, '-': 0 */
	unsigned char v6;    /* 0: an IPv4 entry, 1: an IPv6 one */
};

struct cw_acl {
	int n;
	struct acl_entry e[];
};

static struct addr128 load128(const unsigned char *b)
{
	struct addr128 a = {0, 0};

	for (int i = 0; i < 8; i++) {
		a.hi = a.hi << 8 | b[i];
		a.lo = a.lo << 8 | b[i + 8];
	}
	return a;
}

static struct addr128 load_v4(const unsigned char *b)
{
	struct addr128 a = {0, 0xffff00000000ULL};

	a.lo |= (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
	        (uint64_t)b[2] << 8 | b[3];
	return a;
}

/* The first bits of 128 set. */
static struct addr128 mask_of(unsigned bits)
{
	struct addr128 m;

	m.hi = bits >= 64 ? ~0ULL : bits == 0 ? 0 : ~0ULL << (64 - bits);
	m.lo = bits >= 128 ? ~0ULL : bits <= 64 ? 0 : ~0ULL << (128 - bits);
	return m;
}

static int in_net(const struct addr128 *a, const struct acl_entry *e)
{
	return (((a->hi ^ e->net.hi) & e->mask.hi) |
	        ((a->lo ^ e->net.lo) & e->mask.lo)) == 0;
}

/* Are all bits of addr past the prefix zero? */
static int host_bits_clear(const unsigned char *addr, unsigned len,
                           unsigned bits)
{
	for (unsigned i = 0; i < len; i++) {
		unsigned keep = bits > 8 * i ? bits - 8 * i : 0;
		unsigned mask =
		    keep >= 8 ? 0xffu : (0xffu << (8 - keep)) & 0xffu;

		if (addr[i] & ~mask & 0xffu)
			return 0;
	}
	return 1;
}

/* "/n" after an address: n in 0..max, digits only. -1 if malformed. */
static int parse_prefix(const char *s, unsigned max)
{
	unsigned n = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (unsigned)(*s - '0');
	}
	return n <= max ? (int)n : -1;
}

/* The address part of an entry (without sign and prefix): its family
 * into e, its bytes into b. */
static const char *parse_address(char *a, struct acl_entry *e,
                                 unsigned char b[16])
{
	size_t len = strlen(a);

	if (a[0] == '[') {
		if (len < 3 || a[len - 1] != ']')
			return "is not an IPv4 or IPv6 address";
		a[len - 1] = '\0';
		a++;
		e->v6 = 1;
	} else {
		e->v6 = strchr(a, ':') != NULL;
	}
	if (inet_pton(e->v6 ? AF_INET6 : AF_INET, a, b) != 1)
		return "is not an IPv4 or IPv6 address";
	return NULL;
}

/* One entry, "+a.b.c.d/n" and the like, into e; NULL or what is wrong. */
static const char *parse_entry(const char *s, size_t len, struct acl_entry *e)
{
	char buf[ENTRY_MAX + 1], *slash;
	unsigned char b[16];
	const char *why;
	int prefix;

	if (s[0] != '+' && s[0] != '-')
		return "does not begin with + (allow) or - (deny)";
	if (len > ENTRY_MAX)
		return "is too long for an address";
	memset(e, 0, sizeof *e);
	e->allow = s[0] == '+';
	memcpy(buf, s + 1, len - 1);
	buf[len - 1] = '\0';
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if ((why = parse_address(buf, e, b)) != NULL)
		return why;
	prefix = e->v6 ? 128 : 32;
	if (slash != NULL &&
	    (prefix = parse_prefix(slash + 1, e->v6 ? 128 : 32)) < 0)
		return e->v6 ? "has a prefix length other than /0 to /128"
		             : "has a prefix length other than /0 to /32";
	if (!host_bits_clear(b, e->v6 ? 16 : 4, (unsigned)prefix))
		return "has address bits set beyond its prefix length";
	e->net = e->v6 ? load128(b) : load_v4(b);
	e->mask = mask_of(e->v6 ? (unsigned)prefix : 96u + (unsigned)prefix);
	return NULL;
}

/* The next entry of a comma-separated list, spaces and tabs around it
 * trimmed, empty ones skipped (as CivetWeb reads lists). NULL at the
 * end; else the entry's start, with its length in *len. */
static const char *next_entry(const char **list, size_t *len)
{
	const char *p = *list, *end;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			return NULL;
		end = p + strcspn(p, ",");
		*list = *end ? end + 1 : end;
		*len = (size_t)(end - p);
		while (*len > 0 && (p[*len - 1] == ' ' || p[*len - 1] == '\t'))
			(*len)--;
		if (*len > 0)
			return p;
		p = *list;
	}
}

static int count_entries(const char *list)
{
	size_t len;
	int n = 0;

	while (next_entry(&list, &len) != NULL)
		n++;
	return n;
}

int cw_acl_parse(const char *list, struct cw_acl **out, char *err,
                 size_t errlen)
{
	struct cw_acl *acl;
	const char *s;
	size_t len;
	int n;

	*out = NULL;
	if (list == NULL)
		return 0;
	n = count_entries(list);
	if (n > CW_ACL_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d entries",
		         CW_ACL_MAX_ENTRIES);
		return -1;
	}
	acl = malloc(sizeof *acl + (size_t)n * sizeof acl->e[0]);
	if (acl == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	acl->n = 0;
	while ((s = next_entry(&list, &len)) != NULL) {
		const char *why = parse_entry(s, len, &acl->e[acl->n]);

		if (why != NULL) {
			snprintf(err, errlen, "'%.*s' %s",
			         (int)(len > 80 ? 80 : len), s, why);
			free(acl);
			return -1;
		}
		acl->n++;
	}
	*out = acl;
	return 0;
}

int cw_acl_allows(const struct cw_acl *acl, const struct sockaddr *sa)
{
	struct addr128 a = {0, 0};
	int is_v4 = 0, is_v6 = 0;

	if (acl == NULL)
		return 1;
	if (sa->sa_family == AF_INET) {
		a = load_v4((const unsigned char *)&(
		                (const struct sockaddr_in *)(const void *)sa)
		                ->sin_addr);
		is_v4 = 1;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *in6 =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		a = load128(in6->s6_addr);
		is_v6 = 1;
		is_v4 = IN6_IS_ADDR_V4MAPPED(in6);
	}
	for (int i = acl->n - 1; i >= 0; i--) {
		const struct acl_entry *e = &acl->e[i];

		if ((e->v6 ? is_v6 : is_v4) && in_net(&a, e))
			return e->allow;
	}
	return 0;
}

int cw_acl_count(const struct cw_acl *acl)
{
	return acl != NULL ? acl->n : 0;
}

void cw_acl_free(struct cw_acl *acl)
{
	free(acl);
}
