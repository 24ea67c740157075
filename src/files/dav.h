/* dav.h - the WebDAV-lite methods on the document root, as CivetWeb
 * answers them once put_delete_auth_file allows them: PUT (201 for a new
 * file, 200 for a replaced one; missing directories are made), DELETE
 * (204; a directory goes with all it holds), MKCOL (201; 405 if it
 * exists, 409 without its parent, 415 with a body). The caller has
 * authorized the request and refused hidden names. */
#ifndef CW_FILES_DAV_H
#define CW_FILES_DAV_H

#include "core/server.h"

/* Answer the PUT, DELETE or MKCOL of uri (the request's normalized
 * path) below the directory root. */
void cw_dav_serve(struct mg_connection *c, const char *root, const char *uri);

#endif
