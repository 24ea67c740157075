/* health.h - the health endpoint for load balancers (health_check_uri):
 * answered by the worker itself, before any callback or handler. */
#ifndef CW_HTTP_HEALTH_H
#define CW_HTTP_HEALTH_H

#include "http/exchange.h"

/* If c's request is a GET or HEAD of exactly health_check_uri, answer it
 * (200 "ok", or 503 "draining" with Connection: close once the context
 * drains or stops) and return 1; else return 0 and touch nothing. */
int cw_health_answer(struct mg_connection *c);

#endif
