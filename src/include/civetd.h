/* civetd.h - what civetd adds to the CivetWeb API (prefix civetd_).
 * A program that only uses civetweb.h never needs this header.
 *
 * The prefork server: one call turns a CivetWeb program into a master
 * process that forks worker processes, each running its own server context
 * with the program's callbacks (so init_context/exit_context run once per
 * worker process: register request handlers in init_context). docs/prefork.md
 * describes the processes, the options and the admin socket. */
#ifndef CIVETD_HEADER_INCLUDED
#define CIVETD_HEADER_INCLUDED

#include "civetweb.h"

#define CIVETD_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The civetd version string, e.g. "0.1.0". */
CIVETWEB_API const char *civetd_version(void);

/* Run the calling process as the master of a preforked server until it is
 * stopped (SIGTERM/SIGINT graceful, SIGQUIT immediate, `civetctl stop`).
 * init->configuration_options takes every CivetWeb option and civetd's own
 * (num_workers, admin_socket, pid_file, worker_shutdown_timeout_ms,
 * max_requests_per_worker, ...); the pair "config_file" FILE names a
 * CivetWeb-style configuration file that is read first and re-read on each
 * reload, the other pairs override it. init->callbacks and user_data are
 * used by every worker's context.
 * Returns 0 after a stop, -1 if the server could not start (error filled:
 * code and "file:line: reason" text). Call it from the main thread, before
 * starting threads of your own: it forks. */
CIVETWEB_API int civetd_run(const struct mg_init_data *init,
                            struct mg_error_data *error);

/* Validate a configuration as civetd_run would, without binding or
 * starting anything. 0 if valid, -1 with the reason in error. */
CIVETWEB_API int civetd_check_config(const struct mg_init_data *init,
                                     struct mg_error_data *error);

/* Compress the response the handler is about to write, as
 * `compression_dynamic yes` does for every response: call it before the
 * head (mg_send_http_ok, mg_response_header_send, or a head written with
 * mg_printf/mg_write). The response is then sent with Content-Encoding
 * zstd or gzip, chunked, if the client accepts one of them and the
 * response qualifies (2xx but not 204/206, no Content-Encoding of its own,
 * a type in compression_mime_types, no Content-Length below
 * compression_min_size, and not a "Transfer-Encoding: chunked" head the
 * handler frames itself; mg_send_http_ok(conn, type, -1) with
 * mg_send_chunk is compressed, each chunk flushed). Returns 0, or -1 when
 * the response has already begun (nothing changes). */
CIVETWEB_API int civetd_compress_response(struct mg_connection *conn);

#ifdef __cplusplus
}
#endif

#endif
