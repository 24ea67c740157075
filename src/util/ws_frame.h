/* ws_frame.h - RFC 6455 WebSocket frames: a streaming parser with strict
 * validation, and a frame-header writer. Pure: no I/O, no allocation.
 *
 * The parser takes bytes as they come off the wire, split anywhere, and
 * returns one event per call: a data frame's header, a piece of its
 * payload (unmasked in place in the caller's buffer), a whole control
 * frame (buffered inside the parser: at most 125 bytes), or an error with
 * the close code to fail the connection with (1002 protocol error, 1007
 * invalid UTF-8, 1009 message too big). Text messages that are not
 * compressed are UTF-8-checked as they stream; compressed ones must be
 * checked by the caller after inflating (ws_deflate.h).
 *
 * The server's WebSocket protocol (http/ws_server.c) and the client
 * (http/ws_client.c) run every connection's input through it. */
#ifndef CW_WS_FRAME_H
#define CW_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "util/utf8.h"

enum cw_ws_opcode {
	CW_WS_OP_CONT = 0x0,
	CW_WS_OP_TEXT = 0x1,
	CW_WS_OP_BINARY = 0x2,
	CW_WS_OP_CLOSE = 0x8,
	CW_WS_OP_PING = 0x9,
	CW_WS_OP_PONG = 0xa
};

/* The first byte's bits. */
#define CW_WS_FIN  0x80
#define CW_WS_RSV1 0x40
#define CW_WS_RSV2 0x20
#define CW_WS_RSV3 0x10

/* Close codes the parser fails with. */
#define CW_WS_CLOSE_NORMAL   1000
#define CW_WS_CLOSE_GOING    1001
#define CW_WS_CLOSE_PROTOCOL 1002
#define CW_WS_CLOSE_BAD_DATA 1007
#define CW_WS_CLOSE_TOO_BIG  1009

/* Longest frame header: 2 + 8 (length) + 4 (mask). */
#define CW_WS_HEADER_MAX  14
#define CW_WS_CONTROL_MAX 125

/* Which end of the connection parses: a server requires masked frames, a
 * client unmasked ones. */
enum cw_ws_role { CW_WS_SERVER, CW_WS_CLIENT };

/* One frame's header as received. bits is the first byte as it came (FIN,
 * RSV, opcode: what CivetWeb hands its data callbacks). */
struct cw_ws_frame {
	unsigned char bits;
	unsigned char opcode;
	unsigned char fin;
	unsigned char masked;
	unsigned char mask[4];
	uint64_t len;
};

enum cw_ws_event_type {
	CW_WS_EV_MORE,    /* all input used; push more */
	CW_WS_EV_FRAME,   /* a data frame's header (ev->frame) */
	CW_WS_EV_DATA,    /* a piece of a data frame's payload */
	CW_WS_EV_CONTROL, /* a whole control frame, payload in ev->data */
	CW_WS_EV_ERROR    /* fail the connection with ev->close_code */
};

/* What one cw_ws_parse() call found. data points into the caller's buffer
 * (DATA, unmasked in place) or into the parser (CONTROL; valid until the
 * next call). For DATA: frame_end on the frame's last piece (also a
 * zero-length piece for an empty frame), message_end when that frame had
 * FIN; opcode is the message's (TEXT or BINARY, never CONT) and compressed
 * says RSV1 was set on its first frame. For a CLOSE control frame,
 * close_code is the code in it (1005 "none" for an empty payload) and
 * data/len the reason after it; for ERROR, the code to close with. */
struct cw_ws_event {
	enum cw_ws_event_type type;
	const struct cw_ws_frame *frame;
	unsigned char *data;
	size_t len;
	unsigned char opcode;
	unsigned char compressed;
	unsigned char frame_end;
	unsigned char message_end;
	unsigned close_code;
};

/* Parser state. Embed it anywhere; cw_ws_parser_init() sets it up and
 * nothing needs freeing. Fields are private to ws_frame.c. */
struct cw_ws_parser {
	enum cw_ws_role role;
	unsigned char deflate;   /* permessage-deflate negotiated: RSV1 ok */
	unsigned char in_header; /* collecting a header */
	unsigned char hdr_have;
	unsigned char hdr_need;
	unsigned char hdr[CW_WS_HEADER_MAX];
	struct cw_ws_frame frame;
	uint64_t done; /* payload bytes of this frame already consumed */
	uint64_t max_message;
	uint64_t msg_size;
	unsigned char msg_opcode; /* 0: no data message open */
	unsigned char msg_compressed;
	unsigned close_code; /* sticky error, 0 while healthy */
	struct cw_utf8 utf8;
	unsigned char ctl[CW_WS_CONTROL_MAX];
};

/* max_message bounds the payload of one data message (the sum of its
 * frames; for a compressed message, the compressed size): a frame that
 * would pass it fails with 1009 before any of its payload is read. 0
 * means no bound. deflate says permessage-deflate was negotiated. */
void cw_ws_parser_init(struct cw_ws_parser *p, enum cw_ws_role role,
                       uint64_t max_message, int deflate);

/* Parse from buf[0..len), which may be changed (payload is unmasked in
 * place). Returns how many bytes were used and fills *ev; call again with
 * the rest until the event is CW_WS_EV_MORE (everything used), also when
 * the rest is empty: a FRAME event may use the last bytes, and the empty
 * DATA piece of a zero-length frame comes from the next call. After an
 * ERROR every later call returns the same error and uses nothing. */
size_t cw_ws_parse(struct cw_ws_parser *p, unsigned char *buf, size_t len,
                   struct cw_ws_event *ev);

/* XOR buf[0..n) with key, as if it started offset bytes into the payload
 * (so a payload can be masked or unmasked in pieces). dst may equal src. */
void cw_ws_mask(unsigned char *dst, const unsigned char *src, size_t n,
                const unsigned char key[4], uint64_t offset);

/* Write a frame header for a payload of len bytes into out (at least
 * CW_WS_HEADER_MAX bytes). flags are FIN and RSV bits; mask is NULL for an
 * unmasked frame or the 4-byte key (the caller masks the payload with
 * cw_ws_mask). Returns the header's length, or 0 for an opcode over 15, a
 * len with the top bit set, or a control frame that is not FIN or longer
 * than 125 bytes. */
size_t cw_ws_write_header(unsigned char *out, unsigned flags, unsigned opcode,
                          uint64_t len, const unsigned char *mask);

/* 1 if code may be sent in a close frame (RFC 6455 7.4 and the IANA
 * registry): 1000-1003, 1007-1014, 3000-4999. */
int cw_ws_close_code_valid(unsigned code);

/* Build a close payload: code (0 for none, then reason is ignored) and up
 * to 123 bytes of reason (longer is cut, at a UTF-8 boundary). Returns the
 * payload length (out has room for CW_WS_CONTROL_MAX). */
size_t cw_ws_close_payload(unsigned char *out, unsigned code,
                           const char *reason, size_t reason_len);

#endif
