/* fuzz_proxy.c - a libFuzzer target for the PROXY protocol header parser
 * (util/proxy_parse.c), versions 1 and 2. Checked: no out-of-bounds
 * access or undefined behaviour; a whole header never claims more bytes
 * than it was given; the answer does not depend on how much followed:
 * every shorter beginning of a header is NEED_MORE, and every longer
 * input parses to the same header; NEED_MORE's hint, when there is one,
 * is more than what it had. Built and run by t/fuzz/run.sh. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/proxy_parse.h"

static void same_header(const struct cw_proxy_hdr *a,
                        const struct cw_proxy_hdr *b)
{
	assert(a->len == b->len && a->version == b->version &&
	       a->keep_peer == b->keep_peer);
	if (!a->keep_peer)
		assert(memcmp(&a->src, &b->src, sizeof a->src) == 0 &&
		       memcmp(&a->dst, &b->dst, sizeof a->dst) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees a read past the end */
	unsigned char *buf = malloc(size ? size : 1);
	struct cw_proxy_hdr whole, part;
	int rc;

	memcpy(buf, data, size);
	memset(&whole, 0, sizeof whole);
	rc = cw_proxy_parse(buf, size, &whole);
	assert(rc == CW_PROXY_BAD || rc == CW_PROXY_NEED_MORE ||
	       rc == CW_PROXY_DONE);
	if (rc == CW_PROXY_NEED_MORE)
		assert(whole.len == 0 || whole.len > size);
	if (rc == CW_PROXY_DONE) {
		assert(whole.len > 0 && whole.len <= size);
		for (size_t n = 0; n < whole.len; n++) {
			memset(&part, 0, sizeof part);
			assert(cw_proxy_parse(buf, n, &part) ==
			       CW_PROXY_NEED_MORE);
		}
		memset(&part, 0, sizeof part);
		assert(cw_proxy_parse(buf, whole.len, &part) == CW_PROXY_DONE);
		same_header(&whole, &part);
	}
	free(buf);
	return 0;
}
