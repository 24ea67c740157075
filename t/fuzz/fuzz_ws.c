/* fuzz_ws.c - a libFuzzer target for the WebSocket parsers: the frame
 * parser (server and client role, with and without permessage-deflate,
 * the input handed over in pieces of a size the first byte picks), the
 * inflater fed what the parser delivers, UTF-8 validation, and the
 * handshake's header checks and extension negotiation. Checked: no
 * out-of-bounds access or undefined behaviour, the parser uses no more
 * than it was given, always makes progress, and an error is sticky.
 * Built and run by t/fuzz/run.sh. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "util/ws_deflate.h"
#include "util/ws_frame.h"
#include "util/ws_handshake.h"

static void frames(const uint8_t *data, size_t size, unsigned flags)
{
	enum cw_ws_role role = flags & 1 ? CW_WS_CLIENT : CW_WS_SERVER;
	int deflate = (flags >> 1) & 1;
	size_t step = 1 + (flags >> 2) % 16, off = 0;
	unsigned char *buf = malloc(size + 1);
	struct cw_ws_parser p;
	struct cw_ws_deflate d;
	struct cw_ws_deflate_params params = {0, 0, 15, 15};
	struct cw_buf out = {0};
	struct cw_ws_event ev;
	int errored = 0;

	memcpy(buf, data, size);
	cw_ws_parser_init(&p, role, 1 << 20, deflate);
	cw_ws_deflate_init(&d, &params, role, 6, 1 << 20);
	while (off < size) {
		size_t want = size - off < step ? size - off : step;
		size_t used = cw_ws_parse(&p, buf + off, want, &ev);

		assert(used <= want);
		if (ev.type == CW_WS_EV_ERROR) {
			assert(ev.close_code >= 1000 && ev.close_code < 5000);
			errored = 1;
			break;
		}
		if (ev.type == CW_WS_EV_DATA && ev.compressed && deflate) {
			if (cw_ws_decompress(&d, ev.data, ev.len,
			                     ev.message_end, &out) != 0)
				break;
			if (ev.message_end) {
				(void)cw_utf8_valid(out.data, out.len);
				out.len = 0;
			}
		}
		if (ev.type == CW_WS_EV_CONTROL)
			assert(ev.len <= CW_WS_CONTROL_MAX);
		off += used;
	}
	if (errored) {
		assert(cw_ws_parse(&p, buf, size, &ev) == 0);
		assert(ev.type == CW_WS_EV_ERROR);
	}
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
	free(buf);
}

/* Header values, NUL-separated: Connection, Upgrade, key, extensions. */
static void handshake(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *v[4] = {NULL};
	char resp[256], accept[CW_WS_ACCEPT_SIZE];
	struct cw_ws_deflate_params params;
	size_t at = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	for (int i = 0; i < 4; i++) {
		v[i] = s + at;
		at += strlen(s + at);
		if (at < size)
			at++;
	}
	(void)cw_ws_has_token(v[0], "upgrade");
	(void)cw_ws_has_token(v[1], "websocket");
	if (cw_ws_key_valid(v[2]))
		(void)cw_ws_accept_key(v[2], accept);
	(void)cw_ws_deflate_negotiate(v[3], &params, resp, sizeof resp);
	(void)cw_ws_deflate_client_check(v[0], v[3], &params);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] == 0xff)
		handshake(data + 1, size - 1);
	else
		frames(data + 1, size - 1, data[0]);
	return 0;
}
