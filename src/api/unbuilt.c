/* unbuilt.c - API functions whose feature is not built into this civetd
 * yet: WebSocket and TLS clients. Each exists so that programs link,
 * and fails the way CivetWeb documents for an unavailable feature (error
 * return, or NULL with a reason in the error buffer). The issues that
 * build these features replace them one by one. */
#include <stdio.h>

#define MG_EXPERIMENTAL_INTERFACES
#include "civetweb.h"

static void say(char *ebuf, size_t len, const char *what)
{
	if (ebuf != NULL && len > 0)
		snprintf(ebuf, len, "%s is not built into this civetd yet",
		         what);
}

int mg_websocket_client_write(struct mg_connection *conn, int opcode,
                              const char *data, size_t data_len)
{
	(void)conn, (void)opcode, (void)data, (void)data_len;
	return -1;
}

struct mg_connection *mg_connect_websocket_client(
    const char *host, int port, int use_ssl, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    mg_websocket_data_handler data_func, mg_websocket_close_handler close_func,
    void *user_data)
{
	(void)host, (void)port, (void)use_ssl, (void)path, (void)origin;
	(void)data_func, (void)close_func, (void)user_data;
	say(error_buffer, error_buffer_size, "WebSocket");
	return NULL;
}

struct mg_connection *mg_connect_websocket_client_extensions(
    const char *host, int port, int use_ssl, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    const char *extensions, mg_websocket_data_handler data_func,
    mg_websocket_close_handler close_func, void *user_data)
{
	(void)extensions;
	return mg_connect_websocket_client(host, port, use_ssl, error_buffer,
	                                   error_buffer_size, path, origin,
	                                   data_func, close_func, user_data);
}

struct mg_connection *mg_connect_websocket_client_secure(
    const struct mg_client_options *client_options, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    mg_websocket_data_handler data_func, mg_websocket_close_handler close_func,
    void *user_data)
{
	(void)client_options, (void)path, (void)origin, (void)data_func;
	(void)close_func, (void)user_data;
	say(error_buffer, error_buffer_size, "WebSocket over TLS");
	return NULL;
}

struct mg_connection *mg_connect_websocket_client_secure_extensions(
    const struct mg_client_options *client_options, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    const char *extensions, mg_websocket_data_handler data_func,
    mg_websocket_close_handler close_func, void *user_data)
{
	(void)extensions;
	return mg_connect_websocket_client_secure(
	    client_options, error_buffer, error_buffer_size, path, origin,
	    data_func, close_func, user_data);
}

int mg_get_connection_info(const struct mg_context *ctx, int idx, char *buffer,
                           int buflen)
{
	(void)ctx, (void)idx;
	if (buffer != NULL && buflen > 0)
		buffer[0] = '\0';
	return 0;
}
