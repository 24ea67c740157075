/* bench/aclmatch.c - what access_control_list costs an accepted
 * connection: nanoseconds per cw_acl_allows() for lists of 1, 16, 256
 * and 1024 entries, for a client the last entry matches (the first one
 * looked at) and for one no entry matches (every entry looked at), IPv4
 * and IPv6. Prints one line per case:
 *   entries family case ns_per_call
 *
 * build and run (from the source tree):
 *   cc -O2 -Isrc bench/aclmatch.c src/util/acl.c -o /tmp/aclmatch &&
 *   /tmp/aclmatch */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/acl.h"

#define CALLS 2000000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* n entries 10.i.0.0/16 (or 2001:db8:i::/48), the last one allowing. */
static char *make_list(int n, int v6)
{
	char *s = malloc((size_t)n * 40 + 1), *p = s;

	for (int i = 0; i < n; i++)
		p += v6 ? sprintf(p, "%c2001:db8:%x::/48,",
		                  i == n - 1 ? '+' : '-', i)
		        : sprintf(p, "%c10.%d.%d.0/24,", i == n - 1 ? '+' : '-',
		                  i / 256, i % 256);
	p[-1] = '\0';
	return s;
}

static double time_calls(const struct cw_acl *acl, const struct sockaddr *sa)
{
	volatile int sink = 0;
	double t0 = now_ns();

	for (int i = 0; i < CALLS; i++)
		sink += cw_acl_allows(acl, sa);
	(void)sink;
	return (now_ns() - t0) / CALLS;
}

static void run(int n, int v6)
{
	char *list = make_list(n, v6), err[256];
	struct cw_acl *acl;
	struct sockaddr_in in4 = {.sin_family = AF_INET};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	const struct sockaddr *sa =
	    v6 ? (struct sockaddr *)&in6 : (struct sockaddr *)&in4;

	if (cw_acl_parse(list, &acl, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	/* the last entry's network: found first */
	if (v6) {
		char a[64];

		snprintf(a, sizeof a, "2001:db8:%x::1", n - 1);
		inet_pton(AF_INET6, a, &in6.sin6_addr);
	} else {
		char a[32];

		snprintf(a, sizeof a, "10.%d.%d.1", (n - 1) / 256,
		         (n - 1) % 256);
		inet_pton(AF_INET, a, &in4.sin_addr);
	}
	printf("%d %s last-entry %.1f\n", n, v6 ? "ipv6" : "ipv4",
	       time_calls(acl, sa));
	/* nobody's address: every entry is looked at */
	if (v6)
		inet_pton(AF_INET6, "2001:db9::1", &in6.sin6_addr);
	else
		inet_pton(AF_INET, "192.0.2.1", &in4.sin_addr);
	printf("%d %s no-match %.1f\n", n, v6 ? "ipv6" : "ipv4",
	       time_calls(acl, sa));
	cw_acl_free(acl);
	free(list);
}

int main(void)
{
	const int sizes[] = {1, 16, 256, 1024};

	for (int v6 = 0; v6 <= 1; v6++)
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
			run(sizes[i], v6);
	return 0;
}
