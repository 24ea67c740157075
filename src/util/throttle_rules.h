/* throttle_rules.h - the `throttle` option, parsed once into a compact
 * table and asked per request which rate applies.
 *
 * The option is CivetWeb's: a comma-separated list of key=rate, where key
 * is `*` (every connection), an IPv4 subnet `a.b.c.d[/bits]`, an IPv6
 * subnet `[addr][/bits]`, or else a URI pattern (util/match.h, matched
 * against a prefix of the request's local URI). A rate is bytes per
 * second, a decimal number optionally followed by `k` (x1024) or `m`
 * (x1048576); 0 means unlimited. The last rule that matches wins. */
#ifndef CW_UTIL_THROTTLE_RULES_H
#define CW_UTIL_THROTTLE_RULES_H

#include <stddef.h>
#include <sys/socket.h>

struct cw_throttle_rules;

/* Parse spec. 0 with *out set (NULL for a list without rules: nothing is
 * ever limited), or -1 with "throttle: reason" in err and *out NULL. The
 * caller owns *out and frees it with cw_throttle_free(). Stricter than
 * CivetWeb, which silently skips an entry it cannot read. */
int cw_throttle_parse(const char *spec, struct cw_throttle_rules **out,
                      char *err, size_t errlen);

void cw_throttle_free(struct cw_throttle_rules *r);

/* Rules in the table (0 for NULL). */
int cw_throttle_count(const struct cw_throttle_rules *r);

/* The rate for a request from peer (NULL: matches no subnet) for uri
 * (NULL: matches no pattern), in bytes per second: the last matching
 * rule's, 0 (unlimited) when none matches or r is NULL. An IPv4 client
 * seen as an IPv4-mapped IPv6 address matches IPv4 subnets. */
int cw_throttle_rate(const struct cw_throttle_rules *r,
                     const struct sockaddr *peer, const char *uri);

#endif
