/* acl.h - access_control_list: which client addresses may connect.
 *
 * The list is CivetWeb's: comma-separated entries, each '+' (allow) or
 * '-' (deny) and an IPv4 or IPv6 subnet (a.b.c.d[/n], [v6][/n] or
 * v6[/n]; without /n a single address). It is parsed once, when the
 * server starts; a connection is then judged against the parsed entries,
 * with no string work. Without a list every client is allowed; with one,
 * a client no entry matches is denied, and the last entry that matches
 * decides. */
#ifndef CW_ACL_H
#define CW_ACL_H

#include <stddef.h>
#include <sys/socket.h>

/* Parsed list; opaque outside acl.c. */
struct cw_acl;

/* Entries a list may hold (a longer one is refused). */
#define CW_ACL_MAX_ENTRIES 1024

/* Parse list into *out (malloc'ed, the caller frees it with
 * cw_acl_free()). A NULL list gives *out = NULL: everyone allowed. On a
 * bad entry returns -1 with err naming the entry and what is wrong,
 * *out = NULL. */
int cw_acl_parse(const char *list, struct cw_acl **out, char *err,
                 size_t errlen);

/* May the peer sa connect? 1 yes, 0 no. acl NULL: yes. An IPv4 entry
 * also matches the IPv4-mapped IPv6 form of its addresses (::ffff:a.b.c.d,
 * how a dual-stack port sees IPv4 clients). */
int cw_acl_allows(const struct cw_acl *acl, const struct sockaddr *sa);

/* How many entries acl holds (0 for NULL). */
int cw_acl_count(const struct cw_acl *acl);

void cw_acl_free(struct cw_acl *acl);

#endif
