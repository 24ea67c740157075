/* bench/wsframe.c - what the WebSocket protocol core costs per byte:
 * MB/s of cw_ws_parse() over masked client frames (binary 16 B and
 * 16 KiB; text 16 KiB of ASCII and of multi-byte UTF-8, which is also
 * validated), of cw_utf8_feed() alone, and of permessage-deflate on
 * 16 KiB text messages (compress, inflate). Input is parsed in 4 KiB
 * reads, as a connection would hand it over. Prints one line per case:
 *   case MB_per_s
 *
 * build and run (from the source tree):
 *   cc -O2 -Isrc -Isrc/include bench/wsframe.c src/util/ws_frame.c \
 *      src/util/utf8.c src/util/ws_deflate.c src/util/buf.c -lz \
 *      -o /tmp/wsframe && /tmp/wsframe */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "util/ws_deflate.h"
#include "util/ws_frame.h"

#define TOTAL ((size_t)256 << 20) /* bytes parsed per case */
#define READ  4096

static const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A stream of masked frames of size bytes each, about 1 MiB in all. */
static struct cw_buf frames(unsigned opcode, const char *payload, size_t size)
{
	struct cw_buf b = {0};
	unsigned char h[CW_WS_HEADER_MAX];

	while (b.len < ((size_t)1 << 20)) {
		size_t n = cw_ws_write_header(h, CW_WS_FIN, opcode, size, key);

		if (cw_buf_add(&b, h, n, (size_t)1 << 30) != 0 ||
		    cw_buf_add(&b, payload, size, (size_t)1 << 30) != 0)
			exit(1);
		cw_ws_mask((unsigned char *)b.data + b.len - size,
		           (unsigned char *)b.data + b.len - size, size, key,
		           0);
	}
	return b;
}

static void bench_parse(const char *name, unsigned opcode, const char *payload,
                        size_t size)
{
	struct cw_buf in = frames(opcode, payload, size);
	unsigned char *work = malloc(in.len);
	struct cw_ws_parser p;
	struct cw_ws_event ev;
	size_t done = 0, off, n, used;
	double t0 = now_s();

	cw_ws_parser_init(&p, CW_WS_SERVER, 0, 0);
	while (done < TOTAL) {
		memcpy(work, in.data, in.len); /* unmasking is in place */
		for (off = 0; off < in.len; off += n) {
			n = in.len - off < READ ? in.len - off : READ;
			used = 0;
			do {
				used += cw_ws_parse(&p, work + off + used,
				                    n - used, &ev);
				if (ev.type == CW_WS_EV_ERROR)
					exit(1);
			} while (ev.type != CW_WS_EV_MORE);
		}
		done += in.len;
	}
	printf("parse_%s %.0f\n", name, done / (now_s() - t0) / 1e6);
	free(work);
	cw_buf_free(&in);
}

static void bench_utf8(const char *name, const char *text, size_t size)
{
	struct cw_utf8 u;
	size_t done = 0;
	double t0 = now_s();

	while (done < TOTAL) {
		cw_utf8_init(&u);
		if (cw_utf8_feed(&u, text, size) != 0 || cw_utf8_end(&u) != 0)
			exit(1);
		done += size;
	}
	printf("utf8_%s %.0f\n", name, done / (now_s() - t0) / 1e6);
}

static void bench_deflate(const char *text, size_t size)
{
	static const struct cw_ws_deflate_params params = {0, 0, 15, 15};
	struct cw_ws_deflate srv, cli;
	struct cw_buf z = {0}, out = {0};
	size_t done = 0, total = TOTAL / 16;
	double t0, tc = 0, ti = 0;

	if (cw_ws_deflate_init(&srv, &params, CW_WS_SERVER, 1, 0) != 0 ||
	    cw_ws_deflate_init(&cli, &params, CW_WS_CLIENT, 1, 0) != 0)
		exit(1);
	while (done < total) {
		z.len = out.len = 0;
		t0 = now_s();
		if (cw_ws_compress(&srv, text, size, 1, &z, (size_t)1 << 30))
			exit(1);
		tc += now_s() - t0;
		t0 = now_s();
		if (cw_ws_decompress(&cli, z.data, z.len, 1, &out) ||
		    out.len != size)
			exit(1);
		ti += now_s() - t0;
		done += size;
	}
	printf("deflate_16k_compress %.0f\n", done / tc / 1e6);
	printf("deflate_16k_inflate %.0f\n", done / ti / 1e6);
	cw_ws_deflate_free(&srv);
	cw_ws_deflate_free(&cli);
	cw_buf_free(&z);
	cw_buf_free(&out);
}

int main(void)
{
	static char ascii[16384], multi[16384];
	static const char *const words[] = {"echo ", "frame ", "socket ",
	                                    "message "};
	size_t i, k;

	for (i = 0, k = 0; i < sizeof(ascii); i++) {
		const char *w = words[k % 4];

		ascii[i] = w[i % strlen(w)];
		if (i % 7 == 6)
			k++;
	}
	for (i = 0; i + 3 <= sizeof(multi); i += 3)
		memcpy(multi + i, "\xe2\x82\xac", 3); /* U+20AC */
	while (i < sizeof(multi))
		multi[i++] = 'x';
	bench_parse("binary_16", CW_WS_OP_BINARY, ascii, 16);
	bench_parse("binary_16k", CW_WS_OP_BINARY, ascii, sizeof(ascii));
	bench_parse("text_16k_ascii", CW_WS_OP_TEXT, ascii, sizeof(ascii));
	bench_parse("text_16k_utf8", CW_WS_OP_TEXT, multi, sizeof(multi));
	bench_utf8("ascii", ascii, sizeof(ascii));
	bench_utf8("3byte", multi, sizeof(multi));
	bench_deflate(ascii, sizeof(ascii));
	return 0;
}
