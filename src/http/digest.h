/* digest.h - HTTP digest access authentication (RFC 7616, qop=auth, MD5)
 * as CivetWeb speaks it: checking a request's Authorization header
 * against a password file (util/htpasswd.h), and sending the 401
 * challenge, with nonces from the server's shared table
 * (core/nonces.h). */
#ifndef CW_HTTP_DIGEST_H
#define CW_HTTP_DIGEST_H

#include "core/server.h"

/* Is the request's Authorization header a valid digest response for a
 * user of realm (NULL: authentication_domain) in the password file open
 * on fd? 1 yes (the nonce's counter is recorded, remote_user set), 0 no;
 * a right answer on a stale nonce is remembered, so that the challenge
 * sent next says stale=true. */
int cw_digest_check(struct mg_connection *c, int fd, const char *realm);

/* Send 401 with a fresh challenge for realm (NULL: authentication_domain).
 * 0, or -1 if no response can be sent. */
int cw_digest_challenge(struct mg_connection *c, const char *realm);

#endif
