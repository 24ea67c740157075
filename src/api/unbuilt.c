/* unbuilt.c - API functions whose feature is not built into this civetd
 * yet: WebSocket and TLS clients. Each exists so that programs link,
 * and fails the way CivetWeb documents for an unavailable feature (error
 * return, or NULL with a reason in the error buffer). The issues that
 * build these features replace them one by one. */
#define MG_EXPERIMENTAL_INTERFACES
#include "civetweb.h"

int mg_websocket_write(struct mg_connection *conn, int opcode, const char *data,
                       size_t data_len)
{
	(void)conn, (void)opcode, (void)data, (void)data_len;
	return -1;
}

int mg_get_connection_info(const struct mg_context *ctx, int idx, char *buffer,
                           int buflen)
{
	(void)ctx, (void)idx;
	if (buffer != NULL && buflen > 0)
		buffer[0] = '\0';
	return 0;
}
