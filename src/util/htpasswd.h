/* htpasswd.h - password files as CivetWeb keeps them: one
 * "user:realm:ha1" line per user, ha1 being MD5("user:realm:password")
 * in lower-case hex. Looking a user up in an open file, and adding,
 * changing or removing a user (the file rewritten through a temporary
 * file renamed into place, so a reader sees the old file or the new one,
 * never half of one). */
#ifndef CW_UTIL_HTPASSWD_H
#define CW_UTIL_HTPASSWD_H

#include <stddef.h>

/* The longest user, realm and ha1 a line may hold (CivetWeb's limits). */
#define CW_HTPASSWD_FIELD_MAX 255

/* Look user (ulen bytes) up under realm in the file open on fd, read from
 * offset 0 with pread (fd may be shared). 1 with ha1 set (NUL-ended, at
 * most CW_HTPASSWD_FIELD_MAX characters), 0 if absent, -1 on a read
 * error. Lines longer than a line may be are skipped. */
int cw_htpasswd_lookup(int fd, const char *user, size_t ulen, const char *realm,
                       char ha1[CW_HTPASSWD_FIELD_MAX + 1]);

#endif
