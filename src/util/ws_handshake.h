/* ws_handshake.h - the server side of the RFC 6455 opening handshake and
 * the RFC 7692 permessage-deflate negotiation, on header values the HTTP
 * parser already split out. Pure: no I/O, no allocation.
 *
 * The HTTP layer asks cw_ws_handshake_check() whether a request is a
 * WebSocket upgrade it must accept (101), a bad one (400, with
 * "Sec-WebSocket-Version: 13" when the version is the fault), or no
 * upgrade at all (a plain request); then cw_ws_accept_key() gives the
 * Sec-WebSocket-Accept value, cw_ws_choose_subprotocol() the protocol,
 * and cw_ws_deflate_negotiate() the extension response. A client checks
 * the server's answer with cw_ws_client_response_ok() and
 * cw_ws_deflate_client_check(). */
#ifndef CW_WS_HANDSHAKE_H
#define CW_WS_HANDSHAKE_H

#include <stddef.h>

/* The request's values, NULL for a header it lacks. http_version as in
 * mg_request_info ("1.1"). */
struct cw_ws_request {
	const char *method;
	const char *http_version;
	const char *upgrade;
	const char *connection;
	const char *version; /* Sec-WebSocket-Version */
	const char *key;     /* Sec-WebSocket-Key */
};

enum cw_ws_handshake {
	CW_WS_HS_OK,          /* a valid upgrade: answer 101 */
	CW_WS_HS_NONE,        /* no "Upgrade: websocket": not a WebSocket */
	CW_WS_HS_BAD,         /* 400 */
	CW_WS_HS_BAD_VERSION, /* 400 with "Sec-WebSocket-Version: 13" */
};

/* Length of a Sec-WebSocket-Accept value, and its buffer with the NUL. */
#define CW_WS_ACCEPT_LEN  28
#define CW_WS_ACCEPT_SIZE 29

enum cw_ws_handshake cw_ws_handshake_check(const struct cw_ws_request *r);

/* 1 if the comma-separated list (a header value; NULL is empty) holds
 * token, compared without regard to ASCII case, else 0. */
int cw_ws_has_token(const char *list, const char *token);

/* 1 if key (a Sec-WebSocket-Key value) is base64 for exactly 16 bytes. */
int cw_ws_key_valid(const char *key);

/* Sec-WebSocket-Accept for key: base64 of SHA-1(key + the RFC's GUID),
 * NUL-terminated into the caller's out. 0, or -1 if key is longer than a
 * header could reasonably hold (over 256 bytes) or SHA-1 is unavailable. */
int cw_ws_accept_key(const char *key, char out[CW_WS_ACCEPT_SIZE]);

/* The first protocol of the client's comma-separated list (offered, a
 * Sec-WebSocket-Protocol value) that is one of the server's n supported
 * names (exact match, as protocol names are case-sensitive): a pointer to
 * the server's string, or NULL if none matches. */
const char *cw_ws_choose_subprotocol(const char *offered,
                                     const char *const *supported, size_t n);

/* What permessage-deflate agreed on. *_bits are the LZ77 window sizes
 * (8..15) each side compresses with; no_context: that side resets its
 * compressor after every message. */
struct cw_ws_deflate_params {
	int server_no_context;
	int client_no_context;
	int server_bits;
	int client_bits;
};

/* Accept the first acceptable permessage-deflate offer in a
 * Sec-WebSocket-Extensions value (NULL: none). An offer with an unknown,
 * repeated or malformed parameter is declined (RFC 7692 5), as is one
 * asking server_max_window_bits=8, which zlib cannot honour. 1 with *out
 * set and the response extension text in resp (resp_size bytes,
 * NUL-terminated; 128 is always enough), 0 if no offer is acceptable. */
int cw_ws_deflate_negotiate(const char *offers,
                            struct cw_ws_deflate_params *out, char *resp,
                            size_t resp_size);

/* The client's end: check the server's Sec-WebSocket-Extensions answer
 * (response, NULL if none) against the offer it was sent. 1 with *out set
 * when permessage-deflate was agreed, 0 when the server did not take it,
 * -1 when the answer must fail the connection (RFC 6455 4.1, RFC 7692
 * 7.1): an extension not offered, permessage-deflate twice, a parameter
 * unknown, malformed or not fitting the offer, or client_max_window_bits=8
 * (zlib cannot compress with it). */
int cw_ws_deflate_client_check(const char *offer, const char *response,
                               struct cw_ws_deflate_params *out);

/* The client's end of the opening handshake, for a 101 answer: 1 if its
 * Upgrade and Connection hold the tokens and accept is the
 * Sec-WebSocket-Accept value for the key the client sent, else 0. */
int cw_ws_client_response_ok(const char *key, const char *upgrade,
                             const char *connection, const char *accept);

#endif
