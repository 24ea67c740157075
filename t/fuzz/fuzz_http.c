/* fuzz_http.c - a libFuzzer target for the HTTP text parsers: request and
 * response heads, the chunked decoder fed in pieces, path decoding and
 * normalization, Range, Accept-Encoding, HTTP dates, form fields and
 * cookies, and CivetWeb's glob patterns. The first input byte picks the
 * parser and how the rest is split; what is checked is that nothing reads
 * or writes out of bounds or trips UBSan, and a few invariants of each
 * parser's output. Built and run by t/fuzz/run.sh. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civetweb.h"
#include "files/precond.h"
#include "files/range.h"
#include "http/http_parse.h"
#include "util/coding.h"
#include "util/match.h"

/* data as a NUL-terminated string (the parsers take C strings). */
static char *dup_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void request(const uint8_t *data, size_t size)
{
	char *buf = dup_str(data, size);
	struct cw_http_request req;
	int status = 0;
	int n = cw_http_parse_request(buf, size, 8192, &req, &status);

	if (n > 0) {
		assert((size_t)n <= size);
		assert(req.num_headers >= 0 &&
		       req.num_headers <= MG_MAX_HEADERS);
		assert(req.method != NULL && req.path != NULL);
		/* what a request would do next with its path */
		char *path = strdup(req.path);

		if (cw_http_decode_path(path) == 0)
			(void)cw_http_normalize_path(path);
		free(path);
	} else if (n < 0) {
		assert(status >= 400 && status < 600);
	}
	free(buf);
}

static void response(const uint8_t *data, size_t size)
{
	char *buf = dup_str(data, size);
	struct cw_http_response resp;
	int n = cw_http_parse_response(buf, size, 8192, &resp);

	if (n > 0)
		assert(resp.num_headers <= MG_MAX_HEADERS);
	free(buf);
}

/* The chunked decoder over the input handed over step bytes at a time,
 * data bytes taken as a body reader takes them. */
static void chunked(const uint8_t *data, size_t size, size_t step)
{
	struct cw_chunked c = {0};
	size_t off = 0;

	while (off < size && !c.done) {
		size_t want = size - off < step ? size - off : step, used = 0;

		if (c.data_left > 0) {
			size_t take =
			    c.data_left < want ? (size_t)c.data_left : want;

			c.data_left -= take;
			off += take;
			continue;
		}
		if (cw_chunked_step(&c, (const char *)data + off, want, &used) <
		    0)
			return;
		assert(used <= want);
		assert(used == want || c.data_left > 0 || c.done);
		off += used;
	}
}

static void headers(const uint8_t *data, size_t size)
{
	char *s = dup_str(data, size), *sep = memchr(s, '\n', size);
	struct cw_range r[CW_RANGE_MAX];
	char out[256];
	const char *pat = s, *str = "";

	(void)cw_range_parse(s, (long long)size * 1000, r);
	(void)cw_range_parse(s, 0, r);
	(void)cw_coding_choose(s, 7);
	(void)cw_http_date_parse(s);
	(void)mg_get_var(s, size, "a", out, sizeof out);
	(void)mg_get_var2(s, size, "b", out, sizeof out, 1);
	(void)mg_get_cookie(s, "c", out, sizeof out);
	if (sep != NULL) {
		*sep = '\0';
		str = sep + 1;
	}
	(void)cw_match_str(pat, str);
	free(s);
}

static void form(const uint8_t *data, size_t size)
{
	char *s = dup_str(data, size);
	struct mg_header fields[16];
	int n = mg_split_form_urlencoded(s, fields, 16);

	assert(n <= 16);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0:
		request(data + 1, size - 1);
		break;
	case 1:
		response(data + 1, size - 1);
		break;
	case 2:
		chunked(data + 1, size - 1, 1 + data[0] / 6 % 7);
		break;
	case 3:
		chunked(data + 1, size - 1, size);
		break;
	case 4:
		headers(data + 1, size - 1);
		break;
	default:
		form(data + 1, size - 1);
		break;
	}
	return 0;
}
