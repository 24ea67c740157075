/* options.h - the configuration options: CivetWeb 1.16's names, types and
 * defaults, civetd's own additions, validation, and the parsed values the
 * hot path reads (numbers and flags, so no request ever parses a string). */
#ifndef CW_OPTIONS_H
#define CW_OPTIONS_H

#include <stddef.h>

#include "civetweb.h"

struct cw_acl;
struct cw_throttle_rules; /* util/throttle_rules.h */

/* X(id, name, type, default, flags). Order is mg_get_valid_options()'s. */
#define CW_OPT_IMPL   1 /* implemented by civetd */
#define CW_OPT_MULTI  2 /* may be given several times; values accumulate */
#define CW_OPT_CIVETD 4 /* civetd's own option */

#define CW_OPTION_LIST(X)                                                      \
	X(LISTENING_PORTS, "listening_ports", STRING_LIST, "8080", 1)          \
	X(NUM_THREADS, "num_threads", NUMBER, "50", 1)                         \
	X(PRESPAWN_THREADS, "prespawn_threads", NUMBER, "0", 1)                \
	X(RUN_AS_USER, "run_as_user", STRING, NULL, 1)                         \
	X(TCP_NODELAY, "tcp_nodelay", NUMBER, "0", 1)                          \
	X(MAX_REQUEST_SIZE, "max_request_size", NUMBER, "16384", 1)            \
	X(LINGER_TIMEOUT_MS, "linger_timeout_ms", NUMBER, NULL, 1)             \
	X(CONNECTION_QUEUE, "connection_queue", NUMBER, "20", 1)               \
	X(LISTEN_BACKLOG, "listen_backlog", NUMBER, "200", 1)                  \
	X(ALLOW_SENDFILE_CALL, "allow_sendfile_call", BOOLEAN, "yes", 1)       \
	X(THROTTLE, "throttle", STRING_LIST, NULL, 1)                          \
	X(ENABLE_KEEP_ALIVE, "enable_keep_alive", BOOLEAN, "no", 1)            \
	X(REQUEST_TIMEOUT_MS, "request_timeout_ms", NUMBER, "30000", 1)        \
	X(KEEP_ALIVE_TIMEOUT_MS, "keep_alive_timeout_ms", NUMBER, "500", 1)    \
	X(WEBSOCKET_TIMEOUT_MS, "websocket_timeout_ms", NUMBER, NULL, 1)       \
	X(ENABLE_WEBSOCKET_PING_PONG, "enable_websocket_ping_pong", BOOLEAN,   \
	  "no", 1)                                                             \
	X(DECODE_URL, "decode_url", BOOLEAN, "yes", 1)                         \
	X(DECODE_QUERY_STRING, "decode_query_string", BOOLEAN, "no", 1)        \
	X(DOCUMENT_ROOT, "document_root", DIRECTORY, NULL, 1)                  \
	X(FALLBACK_DOCUMENT_ROOT, "fallback_document_root", DIRECTORY, NULL,   \
	  1)                                                                   \
	X(ACCESS_LOG_FILE, "access_log_file", FILE, NULL, 1)                   \
	X(ERROR_LOG_FILE, "error_log_file", FILE, NULL, 1)                     \
	X(CGI_PATTERN, "cgi_pattern", EXT_PATTERN, "**.cgi$|**.pl$|**.php$",   \
	  CW_OPT_IMPL)                                                         \
	X(CGI_ENVIRONMENT, "cgi_environment", STRING_LIST, NULL, 0)            \
	X(CGI_INTERPRETER, "cgi_interpreter", FILE, NULL, 0)                   \
	X(CGI_INTERPRETER_ARGS, "cgi_interpreter_args", STRING, NULL, 0)       \
	X(CGI_TIMEOUT_MS, "cgi_timeout_ms", NUMBER, NULL, 0)                   \
	X(CGI_BUFFERING, "cgi_buffering", BOOLEAN, "yes", 0)                   \
	X(CGI2_PATTERN, "cgi2_pattern", EXT_PATTERN, NULL, CW_OPT_IMPL)        \
	X(CGI2_ENVIRONMENT, "cgi2_environment", STRING_LIST, NULL, 0)          \
	X(CGI2_INTERPRETER, "cgi2_interpreter", FILE, NULL, 0)                 \
	X(CGI2_INTERPRETER_ARGS, "cgi2_interpreter_args", STRING, NULL, 0)     \
	X(CGI2_TIMEOUT_MS, "cgi2_timeout_ms", NUMBER, NULL, 0)                 \
	X(CGI2_BUFFERING, "cgi2_buffering", BOOLEAN, "yes", 0)                 \
	X(PUT_DELETE_AUTH_FILE, "put_delete_auth_file", FILE, NULL, 1)         \
	X(PROTECT_URI, "protect_uri", STRING_LIST, NULL, 1)                    \
	X(AUTHENTICATION_DOMAIN, "authentication_domain", STRING,              \
	  "mydomain.com", 1)                                                   \
	X(ENABLE_AUTH_DOMAIN_CHECK, "enable_auth_domain_check", BOOLEAN,       \
	  "yes", 1)                                                            \
	X(SSI_PATTERN, "ssi_pattern", EXT_PATTERN, "**.shtml$|**.shtm$", 0)    \
	X(ENABLE_DIRECTORY_LISTING, "enable_directory_listing", BOOLEAN,       \
	  "yes", 1)                                                            \
	X(ENABLE_WEBDAV, "enable_webdav", BOOLEAN, "no", 0)                    \
	X(GLOBAL_AUTH_FILE, "global_auth_file", FILE, NULL, 1)                 \
	X(INDEX_FILES, "index_files", STRING_LIST,                             \
	  "index.xhtml,index.html,index.htm,index.cgi,index.shtml,index.php",  \
	  1)                                                                   \
	X(ACCESS_CONTROL_LIST, "access_control_list", STRING_LIST, NULL, 1)    \
	X(EXTRA_MIME_TYPES, "extra_mime_types", STRING_LIST, NULL, 1)          \
	X(SSL_CERTIFICATE, "ssl_certificate", FILE, NULL, 1)                   \
	X(SSL_CERTIFICATE_CHAIN, "ssl_certificate_chain", FILE, NULL, 1)       \
	X(URL_REWRITE_PATTERNS, "url_rewrite_patterns", STRING_LIST, NULL, 1)  \
	X(HIDE_FILES_PATTERNS, "hide_files_patterns", EXT_PATTERN, NULL, 1)    \
	X(SSL_VERIFY_PEER, "ssl_verify_peer", YES_NO_OPTIONAL, "no", 1)        \
	X(SSL_CACHE_TIMEOUT, "ssl_cache_timeout", NUMBER, "-1", 1)             \
	X(SSL_CA_PATH, "ssl_ca_path", DIRECTORY, NULL, 1)                      \
	X(SSL_CA_FILE, "ssl_ca_file", FILE, NULL, 1)                           \
	X(SSL_VERIFY_DEPTH, "ssl_verify_depth", NUMBER, "9", 1)                \
	X(SSL_DEFAULT_VERIFY_PATHS, "ssl_default_verify_paths", BOOLEAN,       \
	  "yes", 1)                                                            \
	X(SSL_CIPHER_LIST, "ssl_cipher_list", STRING, NULL, 1)                 \
	X(SSL_PROTOCOL_VERSION, "ssl_protocol_version", NUMBER, "4", 1)        \
	X(SSL_SHORT_TRUST, "ssl_short_trust", BOOLEAN, "no", 1)                \
	X(WEBSOCKET_ROOT, "websocket_root", DIRECTORY, NULL, 0)                \
	X(FALLBACK_WEBSOCKET_ROOT, "fallback_websocket_root", DIRECTORY, NULL, \
	  0)                                                                   \
	X(ACCESS_CONTROL_ALLOW_ORIGIN, "access_control_allow_origin", STRING,  \
	  "*", 1)                                                              \
	X(ACCESS_CONTROL_ALLOW_METHODS, "access_control_allow_methods",        \
	  STRING, "*", 1)                                                      \
	X(ACCESS_CONTROL_ALLOW_HEADERS, "access_control_allow_headers",        \
	  STRING, "*", 1)                                                      \
	X(ERROR_PAGES, "error_pages", DIRECTORY, NULL, 1)                      \
	X(STATIC_FILE_MAX_AGE, "static_file_max_age", NUMBER, "3600", 1)       \
	X(STATIC_FILE_CACHE_CONTROL, "static_file_cache_control", STRING,      \
	  NULL, 1)                                                             \
	X(STRICT_TRANSPORT_SECURITY_MAX_AGE,                                   \
	  "strict_transport_security_max_age", NUMBER, NULL, 1)                \
	X(ADDITIONAL_HEADER, "additional_header", STRING_MULTILINE, NULL, 3)   \
	X(ALLOW_INDEX_SCRIPT_RESOURCE, "allow_index_script_resource", BOOLEAN, \
	  "no", 0)                                                             \
	X(NUM_WORKERS, "num_workers", NUMBER, NULL, 5)                         \
	X(ADMIN_SOCKET, "admin_socket", STRING, NULL, 5)                       \
	X(PID_FILE, "pid_file", FILE, NULL, 5)                                 \
	X(WORKER_SHUTDOWN_TIMEOUT_MS, "worker_shutdown_timeout_ms", NUMBER,    \
	  "10000", 5)                                                          \
	X(MAX_REQUESTS_PER_WORKER, "max_requests_per_worker", NUMBER, "0", 5)  \
	X(MAX_BODY_SIZE, "max_body_size", NUMBER, "1073741824", 5)             \
	X(WORKER_HANG_TIMEOUT_MS, "worker_hang_timeout_ms", NUMBER, "60000",   \
	  5)                                                                   \
	X(UPGRADE_TIMEOUT_MS, "upgrade_timeout_ms", NUMBER, "30000", 5)        \
	X(BODY_BUFFER_SIZE, "body_buffer_size", NUMBER, "65536", 5)            \
	X(MIN_RECEIVE_RATE, "min_receive_rate", NUMBER, "500", 5)              \
	X(MIN_SEND_RATE, "min_send_rate", NUMBER, "500", 5)                    \
	X(SSL_TICKET_KEY_FILE, "ssl_ticket_key_file", STRING, NULL, 5)         \
	X(ADD_DOMAIN, "add_domain", STRING, NULL, 7)                           \
	X(TCP_DEFER_ACCEPT, "tcp_defer_accept", BOOLEAN, "yes", 5)             \
	X(ALLOW_SYMLINKS_OUTSIDE_ROOT, "allow_symlinks_outside_root", BOOLEAN, \
	  "no", 5)                                                             \
	X(OPEN_FILE_CACHE_SIZE, "open_file_cache_size", NUMBER, "1000", 5)     \
	X(COMPRESSION, "compression", BOOLEAN, "no", 5)                        \
	X(COMPRESSION_MIN_SIZE, "compression_min_size", NUMBER, "1024", 5)     \
	X(COMPRESSION_LEVEL, "compression_level", NUMBER, "6", 5)              \
	X(COMPRESSION_MIME_TYPES, "compression_mime_types", STRING_LIST,       \
	  "text/*,application/javascript,application/json,application/xml,"    \
	  "application/wasm,image/svg+xml",                                    \
	  5)                                                                   \
	X(COMPRESSION_CACHE_SIZE, "compression_cache_size", NUMBER,            \
	  "33554432", 5)                                                       \
	X(COMPRESSION_DYNAMIC, "compression_dynamic", BOOLEAN, "no", 5)        \
	X(METRICS_LISTEN, "metrics_listen", STRING, NULL, 5)                   \
	X(STATUS_PAGE_URI, "status_page_uri", STRING, NULL, 5)                 \
	X(ACCESS_CONTROL_EXPOSE_HEADERS, "access_control_expose_headers",      \
	  STRING, NULL, 5)                                                     \
	X(ACCESS_CONTROL_ALLOW_CREDENTIALS,                                    \
	  "access_control_allow_credentials", STRING, NULL, 5)                 \
	X(ACCESS_CONTROL_MAX_AGE, "access_control_max_age", NUMBER, NULL, 5)   \
	X(WEBSOCKET_MAX_MESSAGE_SIZE, "websocket_max_message_size", NUMBER,    \
	  "16777216", 5)                                                       \
	X(WEBSOCKET_MAX_QUEUED, "websocket_max_queued", NUMBER, "33554432", 5) \
	X(HEALTH_CHECK_URI, "health_check_uri", STRING, NULL, 5)               \
	X(ACCESS_LOG_FORMAT, "access_log_format", STRING, "civetweb", 5)

#define CW_OPT_ENUM(id, name, type, def, flags) CW_OPT_##id,
enum cw_opt_id { CW_OPTION_LIST(CW_OPT_ENUM) CW_OPT_COUNT };
#undef CW_OPT_ENUM

/* Longest value of a CORS option (they are copied into response heads). */
#define CW_CORS_VALUE_MAX 512

/* Why the last cw_options_set() failed. */
enum cw_opt_err {
	CW_OPT_ERR_NONE = 0,
	CW_OPT_ERR_NAME,  /* no such option */
	CW_OPT_ERR_NULL,  /* no value */
	CW_OPT_ERR_VALUE, /* a value the option does not take */
};

/* Option values: text as given (NULL: not given), and the parsed numbers
 * and flags the library reads on its paths. */
struct cw_options {
	char *value[CW_OPT_COUNT];
	int err_kind;       /* enum cw_opt_err of the last refusal */
	int err_id;         /* the option refused, -1 for an unknown name */
	char err_name[64];  /* the name refused, as given */
	char err_value[32]; /* the start of the value refused */
	int num_threads;
	int prespawn_threads;
	int tcp_nodelay;
	size_t max_request_size;
	int linger_timeout_ms; /* -2: leave SO_LINGER alone */
	int listen_backlog;
	int enable_keep_alive;
	int request_timeout_ms;
	int keep_alive_timeout_ms;
	int websocket_timeout_ms; /* request_timeout_ms when not given */
	int websocket_ping_pong;
	long long websocket_max_message; /* bytes of one received message */
	long long websocket_max_queued;  /* bytes waiting to go to one peer */
	int decode_url;
	int decode_query_string;
	int allow_sendfile;
	int tcp_defer_accept; /* listeners hand over connections with data */
	int static_file_max_age;
	long long max_body_size;
	int body_buffer_size; /* bodies received before the handler runs */
	int min_receive_rate; /* bytes/s a handler's reads must keep, 0: any */
	int min_send_rate;    /* bytes/s a handler's writes must keep, 0: any */
	char *additional_headers; /* "Name: value\r\n"..., or NULL */
	/* "Strict-Transport-Security: max-age=N\r\n" (for TLS connections
	 * only), or NULL */
	char *hsts_header;
	struct cw_acl *acl; /* access_control_list parsed; NULL: allow all */
	/* The throttle rules (util/throttle_rules.h); NULL: none */
	struct cw_throttle_rules *throttle;
	/* health_check_uri (http/health.c), NULL: off; access_log_format
	 * json (http/access_log.c) */
	const char *health_check_uri;
	int access_log_json;
};

/* Read a NULL-terminated name/value list into o (zeroed by the caller).
 * Unknown names and bad values are refused: -1 with "option: reason" in
 * err, and o->err_kind, o->err_id and o->err_name saying what was
 * refused. On success the caller owns o and frees it with cw_options_free(). */
int cw_options_parse(struct cw_options *o, const char **kv, char *err,
                     size_t errlen);

/* Set one option (the same checks); used by the config-file reader. */
int cw_options_set(struct cw_options *o, const char *name, const char *value,
                   char *err, size_t errlen);

/* Check every value together and derive the parsed fields. */
int cw_options_finish(struct cw_options *o, char *err, size_t errlen);

/* Give o every value it was not given from from (an extra domain takes the
 * server's), and derive the parsed fields again. 0, or -1 with the reason
 * in err. */
int cw_options_inherit(struct cw_options *o, const struct cw_options *from,
                       char *err, size_t errlen);

void cw_options_free(struct cw_options *o);

/* The value in effect: as given, else the default, else "". */
const char *cw_options_get(const struct cw_options *o, enum cw_opt_id id);

/* A boolean option's value in effect: 1 for "yes", else 0. */
int cw_options_flag(const struct cw_options *o, enum cw_opt_id id);

/* Index of an option name, or -1. */
int cw_options_find(const char *name);

/* The table behind mg_get_valid_options(). */
const struct mg_option *cw_options_table(void);

/* Is the option's text value given and not equal to its default? */
int cw_options_is_set(const struct cw_options *o, enum cw_opt_id id);

/* Does the option do anything in this build? */
int cw_options_implemented(enum cw_opt_id id);

#endif
