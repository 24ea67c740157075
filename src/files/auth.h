/* auth.h - which password file guards a request, as CivetWeb decides it:
 * protect_uri's file for a URI it lists, else global_auth_file, else (a
 * file of the document root) the .htpasswd nearest above it; PUT, DELETE
 * and MKCOL on files answer to put_delete_auth_file alone. Registered as
 * the context's authorize fallback (core/server.h). */
#ifndef CW_FILES_AUTH_H
#define CW_FILES_AUTH_H

#include "core/server.h"

/* 1: the request may go on; 0: it may not, and a 401 (or 500 when the
 * password file named cannot be read) was sent. to: enum cw_auth_to.
 * After a handler declined, only a .htpasswd is left to check: any other
 * password file was checked before the handler ran. */
int cw_auth_request(struct mg_connection *c, int to);

/* A method that writes files (PUT, DELETE, MKCOL)? */
int cw_auth_is_write(const char *method);

#endif
