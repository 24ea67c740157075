/* request.h - running requests on a connection: read, parse, dispatch to
 * callbacks, handlers or files, finish, and park or close. */
#ifndef CW_REQUEST_H
#define CW_REQUEST_H

#include "net/conn.h"

/* Run requests on c (ACTIVE, owned by the calling pool thread t) while it
 * has complete ones; then park it or close it. */
void cw_request_serve(struct mg_connection *c, struct cw_thread *t);

/* A new connection: peer address and the init_connection callback. */
void cw_request_first_contact(struct mg_connection *c);

/* The deadline of a parked connection passed (c is owned, CLOSING): answer
 * 408 to a partial request, then close. */
void cw_request_timeout(struct mg_connection *c);

#endif
