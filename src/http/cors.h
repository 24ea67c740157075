/* cors.h - the CORS preflight, answered by the server as CivetWeb answers
 * it, before any handler or the document root sees the request. */
#ifndef CW_CORS_H
#define CW_CORS_H

#include "civetweb.h"

/* If the request is a CORS preflight the server answers (OPTIONS with
 * Origin and Access-Control-Request-Method, access_control_allow_origin
 * and access_control_allow_methods not empty), answer it: 200 with
 * Access-Control-Allow-Origin, -Methods ("*" gives the method asked
 * for), -Headers (when asked; "*" gives the headers asked for) and
 * -Max-Age, and return 1. Otherwise 0, nothing sent. */
int cw_cors_preflight(struct mg_connection *c);

#endif
