/* fuzz_multipart.c - a libFuzzer target for the multipart/form-data
 * parser (util/multipart.c) and its boundary extraction. The input's
 * first line is a Content-Type value; the rest is the body, handed over
 * in pieces of a size the first byte picks. Checked: no out-of-bounds
 * access or undefined behaviour, progress on every call, and that an
 * ending is sticky. Built and run by t/fuzz/run.sh. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ct[512], boundary[CW_MP_BOUNDARY_MAX + 1];
	const uint8_t *nl;
	struct cw_multipart mp;
	size_t step, off, ctlen;

	if (size < 2)
		return 0;
	step = 1 + data[0] % 32;
	data++, size--;
	nl = memchr(data, '\n', size);
	ctlen = nl != NULL ? (size_t)(nl - data) : size;
	if (ctlen >= sizeof ct)
		return 0;
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	if (cw_mp_boundary(ct, boundary, sizeof boundary) != 0 ||
	    cw_mp_init(&mp, boundary) != 0)
		return 0;
	off = ctlen + (nl != NULL);
	while (off < size) {
		size_t want = size - off < step ? size - off : step, used = 0;
		const char *piece;
		size_t plen;
		enum cw_mp_event e = cw_mp_push(&mp, (const char *)data + off,
		                                want, &used, &piece, &plen);

		assert(used <= want);
		if (e == CW_MP_ERROR || e == CW_MP_END) {
			assert(cw_mp_push(&mp, "x", 1, &used, &piece, &plen) ==
			       e);
			return 0;
		}
		if (e == CW_MP_MORE)
			assert(used == want);
		off += used;
	}
	(void)cw_mp_finish(&mp);
	return 0;
}
