/* ws_frame.c - the RFC 6455 frame parser and header writer (ws_frame.h).
 *
 * The parser is a two-state machine: collecting a header (2 to 14 bytes,
 * kept in the parser so a header split across reads needs no help from
 * the caller), then running through the payload. The first two bytes
 * already say whether a frame is acceptable (opcode, reserved bits, mask
 * bit, control-frame rules, fragmentation), so a bad frame is refused
 * before its extended length arrives; the length checks follow when it
 * has. Data payload is unmasked where it lies and handed back at once;
 * control payload is small and must be seen whole (a close's code and
 * reason, a ping's echo), so it is gathered into the parser first. */
#include <string.h>

#include "util/ws_frame.h"

#define MASK_BIT   0x80
#define LEN7_16BIT 126
#define LEN7_64BIT 127

void cw_ws_parser_init(struct cw_ws_parser *p, enum cw_ws_role role,
                       uint64_t max_message, int deflate)
{
	memset(p, 0, sizeof(*p));
	p->role = role;
	p->max_message = max_message;
	p->deflate = deflate != 0;
	p->in_header = 1;
	p->hdr_need = 2;
	cw_utf8_init(&p->utf8);
}

static int is_control(unsigned opcode)
{
	return (opcode & 0x8) != 0;
}

static int opcode_known(unsigned opcode)
{
	return opcode <= CW_WS_OP_BINARY ||
	       (opcode >= CW_WS_OP_CLOSE && opcode <= CW_WS_OP_PONG);
}

int cw_ws_close_code_valid(unsigned code)
{
	return (code >= 1000 && code <= 1003) ||
	       (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

void cw_ws_mask(unsigned char *dst, const unsigned char *src, size_t n,
                const unsigned char key[4], uint64_t offset)
{
	unsigned char k[8];
	uint64_t kw, w;
	size_t i;

	for (i = 0; i < sizeof(k); i++)
		k[i] = key[(offset + i) & 3];
	memcpy(&kw, k, sizeof(kw));
	for (i = 0; n - i >= sizeof(w); i += sizeof(w)) {
		memcpy(&w, src + i, sizeof(w));
		w ^= kw;
		memcpy(dst + i, &w, sizeof(w));
	}
	for (; i < n; i++)
		dst[i] = src[i] ^ k[i & 7];
}

/* The rules the first two bytes decide. 0 or the close code. */
static unsigned check_start(const struct cw_ws_parser *p)
{
	unsigned b0 = p->hdr[0], b1 = p->hdr[1];
	unsigned opcode = b0 & 0x0f, rsv = b0 & 0x70;
	int masked = (b1 & MASK_BIT) != 0;

	if (!opcode_known(opcode))
		return CW_WS_CLOSE_PROTOCOL;
	if (masked != (p->role == CW_WS_SERVER))
		return CW_WS_CLOSE_PROTOCOL;
	if (is_control(opcode))
		return (rsv || !(b0 & CW_WS_FIN) || (b1 & 0x7f) > 125)
		           ? CW_WS_CLOSE_PROTOCOL
		           : 0;
	if (rsv & (CW_WS_RSV2 | CW_WS_RSV3))
		return CW_WS_CLOSE_PROTOCOL;
	/* RSV1 marks a compressed message, on its first frame only. */
	if ((rsv & CW_WS_RSV1) && (!p->deflate || opcode == CW_WS_OP_CONT))
		return CW_WS_CLOSE_PROTOCOL;
	if ((opcode == CW_WS_OP_CONT) != (p->msg_opcode != 0))
		return CW_WS_CLOSE_PROTOCOL;
	return 0;
}

/* Header bytes still to come once the first two are known. */
static unsigned header_size(unsigned b1)
{
	unsigned n = 2, len7 = b1 & 0x7f;

	if (len7 == LEN7_16BIT)
		n += 2;
	else if (len7 == LEN7_64BIT)
		n += 8;
	return n + ((b1 & MASK_BIT) ? 4 : 0);
}

static uint64_t read_be(const unsigned char *s, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = (v << 8) | s[i];
	return v;
}

/* Decode the complete header into p->frame and open or continue the
 * message. 0 or the close code. */
static unsigned finish_header(struct cw_ws_parser *p)
{
	struct cw_ws_frame *f = &p->frame;
	unsigned len7 = p->hdr[1] & 0x7f, pos = 2;

	f->bits = p->hdr[0];
	f->opcode = p->hdr[0] & 0x0f;
	f->fin = (p->hdr[0] & CW_WS_FIN) != 0;
	f->masked = (p->hdr[1] & MASK_BIT) != 0;
	if (len7 == LEN7_16BIT) {
		f->len = read_be(p->hdr + 2, 2);
		pos += 2;
	} else if (len7 == LEN7_64BIT) {
		f->len = read_be(p->hdr + 2, 8);
		pos += 8;
		if (f->len >> 63)
			return CW_WS_CLOSE_PROTOCOL;
	} else {
		f->len = len7;
	}
	memset(f->mask, 0, sizeof(f->mask));
	if (f->masked)
		memcpy(f->mask, p->hdr + pos, 4);
	if (is_control(f->opcode))
		return 0;
	if (f->opcode != CW_WS_OP_CONT) {
		p->msg_opcode = f->opcode;
		p->msg_compressed = (f->bits & CW_WS_RSV1) != 0;
		p->msg_size = 0;
		cw_utf8_init(&p->utf8);
	}
	if (p->max_message && f->len > p->max_message - p->msg_size)
		return CW_WS_CLOSE_TOO_BIG;
	p->msg_size += f->len;
	return 0;
}

/* Gather header bytes; returns how many were used. 0 in *code unless
 * the header is refused. */
static size_t take_header(struct cw_ws_parser *p, const unsigned char *s,
                          size_t n, unsigned *code)
{
	size_t used = 0;

	*code = 0;
	while (used < n && p->hdr_have < p->hdr_need) {
		p->hdr[p->hdr_have++] = s[used++];
		if (p->hdr_have == 2) {
			*code = check_start(p);
			if (*code)
				return used;
			p->hdr_need = (unsigned char)header_size(p->hdr[1]);
		}
	}
	if (p->hdr_have == p->hdr_need) {
		*code = finish_header(p);
		p->in_header = 0;
		p->done = 0;
	}
	return used;
}

static void next_header(struct cw_ws_parser *p)
{
	p->in_header = 1;
	p->hdr_have = 0;
	p->hdr_need = 2;
}

static size_t fail(struct cw_ws_parser *p, struct cw_ws_event *ev,
                   unsigned code, size_t used)
{
	p->close_code = code;
	ev->type = CW_WS_EV_ERROR;
	ev->close_code = code;
	return used;
}

/* A whole control frame is in p->ctl: check a close's payload. */
static unsigned finish_control(struct cw_ws_parser *p, struct cw_ws_event *ev)
{
	size_t n = (size_t)p->frame.len;

	ev->type = CW_WS_EV_CONTROL;
	ev->frame = &p->frame;
	ev->opcode = p->frame.opcode;
	ev->data = p->ctl;
	ev->len = n;
	next_header(p);
	if (p->frame.opcode != CW_WS_OP_CLOSE)
		return 0;
	if (n == 0) {
		ev->close_code = 1005;
		return 0;
	}
	if (n == 1)
		return CW_WS_CLOSE_PROTOCOL;
	ev->close_code = (unsigned)read_be(p->ctl, 2);
	ev->data = p->ctl + 2;
	ev->len = n - 2;
	if (!cw_ws_close_code_valid(ev->close_code))
		return CW_WS_CLOSE_PROTOCOL;
	if (cw_utf8_valid(ev->data, ev->len) != 0)
		return CW_WS_CLOSE_BAD_DATA;
	return 0;
}

static size_t take_control(struct cw_ws_parser *p, unsigned char *s, size_t n,
                           struct cw_ws_event *ev)
{
	size_t want = (size_t)(p->frame.len - p->done), k;
	unsigned code;

	k = n < want ? n : want;
	memcpy(p->ctl + p->done, s, k);
	cw_ws_mask(p->ctl + p->done, p->ctl + p->done, k, p->frame.mask,
	           p->done);
	p->done += k;
	if (p->done < p->frame.len)
		return k;
	code = finish_control(p, ev);
	if (code) {
		memset(ev, 0, sizeof(*ev));
		return fail(p, ev, code, k);
	}
	return k;
}

static size_t take_data(struct cw_ws_parser *p, unsigned char *s, size_t n,
                        struct cw_ws_event *ev)
{
	uint64_t want = p->frame.len - p->done;
	size_t k = (want < n) ? (size_t)want : n;
	int text = p->msg_opcode == CW_WS_OP_TEXT && !p->msg_compressed;

	if (k == 0 && want > 0)
		return 0;
	cw_ws_mask(s, s, k, p->frame.mask, p->done);
	p->done += k;
	if (text && cw_utf8_feed(&p->utf8, s, k) != 0)
		return fail(p, ev, CW_WS_CLOSE_BAD_DATA, k);
	ev->type = CW_WS_EV_DATA;
	ev->frame = &p->frame;
	ev->data = s;
	ev->len = k;
	ev->opcode = p->msg_opcode;
	ev->compressed = p->msg_compressed;
	ev->frame_end = p->done == p->frame.len;
	ev->message_end = ev->frame_end && p->frame.fin;
	if (ev->frame_end)
		next_header(p);
	if (ev->message_end) {
		p->msg_opcode = 0;
		if (text && cw_utf8_end(&p->utf8) != 0)
			return fail(p, ev, CW_WS_CLOSE_BAD_DATA, k);
	}
	return k;
}

size_t cw_ws_parse(struct cw_ws_parser *p, unsigned char *buf, size_t len,
                   struct cw_ws_event *ev)
{
	size_t used = 0;
	unsigned code;

	memset(ev, 0, sizeof(*ev));
	if (p->close_code)
		return fail(p, ev, p->close_code, 0);
	for (;;) {
		if (p->in_header) {
			used += take_header(p, buf + used, len - used, &code);
			if (code)
				return fail(p, ev, code, used);
			if (p->in_header)
				return used; /* CW_WS_EV_MORE */
			if (!is_control(p->frame.opcode)) {
				ev->type = CW_WS_EV_FRAME;
				ev->frame = &p->frame;
				ev->opcode = p->msg_opcode;
				ev->compressed = p->msg_compressed;
				return used;
			}
		}
		if (is_control(p->frame.opcode)) {
			used += take_control(p, buf + used, len - used, ev);
		} else {
			used += take_data(p, buf + used, len - used, ev);
		}
		if (ev->type != CW_WS_EV_MORE || used == len)
			return used;
	}
}

size_t cw_ws_write_header(unsigned char *out, unsigned flags, unsigned opcode,
                          uint64_t len, const unsigned char *mask)
{
	unsigned mbit = mask ? MASK_BIT : 0, i;
	size_t n;

	if (opcode > 0x0f || (len >> 63))
		return 0;
	if (is_control(opcode) && (!(flags & CW_WS_FIN) || len > 125))
		return 0;
	out[0] = (unsigned char)((flags & 0xf0) | opcode);
	if (len < LEN7_16BIT) {
		out[1] = (unsigned char)(mbit | len);
		n = 2;
	} else if (len <= 0xffff) {
		out[1] = (unsigned char)(mbit | LEN7_16BIT);
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		n = 4;
	} else {
		out[1] = (unsigned char)(mbit | LEN7_64BIT);
		for (i = 0; i < 8; i++)
			out[2 + i] = (unsigned char)(len >> (56 - 8 * i));
		n = 10;
	}
	if (mask) {
		memcpy(out + n, mask, 4);
		n += 4;
	}
	return n;
}

size_t cw_ws_close_payload(unsigned char *out, unsigned code,
                           const char *reason, size_t reason_len)
{
	size_t room = CW_WS_CONTROL_MAX - 2;

	if (code == 0)
		return 0;
	out[0] = (unsigned char)(code >> 8);
	out[1] = (unsigned char)code;
	if (reason == NULL)
		return 2;
	if (reason_len > room) {
		reason_len = room;
		/* Do not end inside a code point. */
		while (reason_len > 0 &&
		       ((unsigned char)reason[reason_len] & 0xc0) == 0x80)
			reason_len--;
	}
	memcpy(out + 2, reason, reason_len);
	return 2 + reason_len;
}
