/* http1.h - HTTP/1.x server connections (http1.c): the protocol every
 * plain server connection starts in. */
#ifndef CW_HTTP_HTTP1_H
#define CW_HTTP_HTTP1_H

#include "net/proto.h"

extern const struct cw_protocol cw_http1_protocol;

#endif
