/* codec.c - the CivetWeb API's byte-level encoders: URL (percent) coding,
 * base64, MD5 and ASCII case-insensitive comparison.
 *
 * Everything here is pure and reentrant: these functions run on request
 * data in many worker threads at once, so they keep no state and, apart
 * from the digest context OpenSSL allocates for MD5, allocate nothing.
 * Return values follow CivetWeb 1.16 exactly (including its odd ones, such
 * as base64 returning -1 for success); where CivetWeb would read or write
 * outside the caller's buffers, we refuse instead and say so below. */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "civetweb.h"
#include "util/codec.h"

/* Locale-independent: CivetWeb runs in the C locale, where only ASCII
 * letters fold, and a server must not change behaviour with LC_CTYPE. */
static int codec_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int cw_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cw_memcaseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (codec_lower((unsigned char)a[i]) !=
		    codec_lower((unsigned char)b[i]))
			return 1;
	}
	return 0;
}

/* The result is the difference of the first differing folded bytes, as
 * CivetWeb returns it (callers may depend on the sign only, but tests of
 * ported programs sometimes print it). A NULL string sorts first, where
 * CivetWeb would crash. */
int mg_strcasecmp(const char *s1, const char *s2)
{
	return mg_strncasecmp(s1, s2, SIZE_MAX);
}

int mg_strncasecmp(const char *s1, const char *s2, size_t len)
{
	size_t i;
	int diff;

	if (s1 == NULL || s2 == NULL)
		return (s1 == s2) ? 0 : (s1 == NULL ? -1 : 1);
	for (i = 0; i < len; i++) {
		diff = codec_lower((unsigned char)s1[i]) -
		       codec_lower((unsigned char)s2[i]);
		if (diff != 0 || s1[i] == '\0')
			return diff;
	}
	return 0;
}

/* Percent-decoding as CivetWeb does it: a '%' not followed by two hex
 * digits inside src_len is copied literally, '+' becomes a space only in
 * form encoding, and decoding stops when dst is full, which is reported as
 * -1 (dst is still NUL-terminated). dst (dst_len bytes) belongs to the
 * caller. CivetWeb writes dst[0] even when dst_len is 0; we do not write at
 * all then. */
int mg_url_decode(const char *src, int src_len, char *dst, int dst_len,
                  int is_form_url_encoded)
{
	int i = 0, j = 0;

	if (dst == NULL || dst_len <= 0)
		return -1;
	if (src == NULL && src_len > 0) {
		dst[0] = '\0';
		return -1;
	}
	while (i < src_len && j < dst_len - 1) {
		int hi = (src_len - i > 2 && src[i] == '%')
		             ? cw_hex_value((unsigned char)src[i + 1])
		             : -1;
		int lo = hi >= 0 ? cw_hex_value((unsigned char)src[i + 2]) : -1;

		if (lo >= 0) {
			dst[j++] = (char)((hi << 4) | lo);
			i += 3;
		} else if (is_form_url_encoded && src[i] == '+') {
			dst[j++] = ' ';
			i++;
		} else {
			dst[j++] = src[i++];
		}
	}
	dst[j] = '\0';
	return (i >= src_len) ? j : -1;
}

/* CivetWeb's set of bytes sent unescaped: alphanumerics and "._-$,;~()".
 * Everything else becomes %xx with lower-case hex digits. */
static int codec_url_safe(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("._-$,;~()", c) != NULL;
}

/* Returns the encoded length, or -1 if dst (dst_len bytes including the
 * NUL) cannot hold all of it; dst then holds the longest prefix made of
 * whole escapes, NUL-terminated, as in CivetWeb. dst is the caller's. */
int mg_url_encode(const char *src, char *dst, size_t dst_len)
{
	static const char hex[] = "0123456789abcdef";
	size_t pos = 0, cap;

	if (dst == NULL || dst_len == 0)
		return -1;
	cap = dst_len - 1;
	if (cap > INT_MAX)
		cap = INT_MAX;
	if (src == NULL) {
		dst[0] = '\0';
		return -1;
	}
	for (; *src != '\0'; src++) {
		unsigned char c = (unsigned char)*src;

		if (codec_url_safe(c)) {
			if (pos + 1 > cap)
				break;
			dst[pos++] = (char)c;
		} else {
			if (pos + 3 > cap)
				break;
			dst[pos++] = '%';
			dst[pos++] = hex[c >> 4];
			dst[pos++] = hex[c & 0x0f];
		}
	}
	dst[pos] = '\0';
	return (*src == '\0') ? (int)pos : -1;
}

/* Encoded size including the terminating NUL, or 0 if it does not fit in
 * a size_t. */
static size_t codec_b64_size(size_t src_len)
{
	size_t groups = src_len / 3 + (src_len % 3 != 0);

	if (groups > (SIZE_MAX - 1) / 4)
		return 0;
	return groups * 4 + 1;
}

static void codec_b64_group(const unsigned char *in, size_t n, char *out)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = (unsigned)in[0] << 16;

	if (n > 1)
		v |= (unsigned)in[1] << 8;
	if (n > 2)
		v |= in[2];
	out[0] = b64[(v >> 18) & 63];
	out[1] = b64[(v >> 12) & 63];
	out[2] = n > 1 ? b64[(v >> 6) & 63] : '=';
	out[3] = n > 2 ? b64[v & 63] : '=';
}

/* CivetWeb 1.16 contract: -1 on success with *dst_len set to the length
 * written including the NUL; 0 if *dst_len is too small, with *dst_len set
 * to the size needed (so {len = 0} queries the size) and dst emptied if it
 * has room for a NUL. dst is the caller's; a NULL dst_len means the caller
 * vouches for its size, as in CivetWeb. */
int mg_base64_encode(const unsigned char *src, size_t src_len, char *dst,
                     size_t *dst_len)
{
	size_t need = codec_b64_size(src_len), i, j = 0;

	if (dst_len != NULL && (need == 0 || dst == NULL || *dst_len < need)) {
		if (dst != NULL && *dst_len > 0)
			dst[0] = '\0';
		*dst_len = need ? need : SIZE_MAX;
		return 0;
	}
	if (dst == NULL || (src == NULL && src_len > 0))
		return 0;
	for (i = 0; i < src_len; i += 3, j += 4)
		codec_b64_group(src + i, src_len - i, dst + j);
	dst[j++] = '\0';
	if (dst_len != NULL)
		*dst_len = j;
	return -1;
}

/* 0..63 for a base64 digit, 64 for the '=' pad, 65 for anything else. */
static unsigned codec_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return c == '=' ? 64 : 65;
}

/* Store byte b at *used if it fits; count it either way, so that the caller
 * learns the size it would have needed. */
static void codec_put(unsigned char *dst, size_t limit, size_t *used,
                      unsigned b)
{
	if (*used < limit)
		dst[*used] = (unsigned char)b;
	(*used)++;
}

/* Position of an invalid character as CivetWeb reports it (an int). */
static int codec_pos(size_t pos)
{
	return pos > INT_MAX ? INT_MAX : (int)pos;
}

/* Decodes groups of four characters. As in CivetWeb: input must come in
 * whole groups (a missing character is an invalid one, reported at its
 * position), '=' may pad the third and fourth places only, decoding goes
 * on after a padded group, and the first invalid character's position is
 * returned with *dst_len left 0. On success *dst_len counts the NUL.
 * Output never goes past *dst_len bytes of the caller's dst (with a NULL
 * dst_len the caller vouches for the size, as in CivetWeb). */
int mg_base64_decode(const char *src, size_t src_len, unsigned char *dst,
                     size_t *dst_len)
{
	size_t limit = SIZE_MAX, used = 0, i, k;
	unsigned v[4];

	if (dst_len != NULL) {
		limit = (dst == NULL) ? 0 : *dst_len;
		*dst_len = 0;
	} else if (dst == NULL) {
		limit = 0;
	}
	for (i = 0; i < src_len; i += 4) {
		for (k = 0; k < 4; k++) {
			v[k] = (src_len - i > k)
			           ? codec_b64_value((unsigned char)src[i + k])
			           : 65;
			if (v[k] == 65 || (k < 2 && v[k] == 64))
				return codec_pos(i + k);
		}
		codec_put(dst, limit, &used, (v[0] << 2 | v[1] >> 4) & 0xff);
		if (v[2] == 64)
			continue;
		codec_put(dst, limit, &used, (v[1] << 4 | v[2] >> 2) & 0xff);
		if (v[3] != 64)
			codec_put(dst, limit, &used, (v[2] << 6 | v[3]) & 0xff);
	}
	codec_put(dst, limit, &used, '\0');
	if (dst_len != NULL)
		*dst_len = used;
	return used > limit ? 0 : -1;
}

static void codec_hex(const unsigned char *md, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* OpenSSL's MD5, fetched once: passing EVP_md5() to every digest would
 * make OpenSSL 3 look the algorithm up again each time, under a lock,
 * which costs more than the hashing itself (digest authentication hashes
 * twice per request). Kept for the life of the process. */
static EVP_MD *md5_algo;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

static void fetch_md5(void)
{
	md5_algo = EVP_MD_fetch(NULL, "MD5", NULL);
}

static const EVP_MD *md5(void)
{
	pthread_once(&md5_once, fetch_md5);
	return md5_algo;
}

/* out is the caller's. On a digest failure (an OpenSSL without MD5, e.g.
 * in FIPS mode) out is the empty string: it never equals a real hash, so
 * authentication that compares against it fails closed. */
void cw_md5_hex(const void *buf, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (md5() == NULL || !EVP_Digest(buf, len, md, &md_len, md5(), NULL) ||
	    md_len != 16) {
		out[0] = '\0';
		return;
	}
	codec_hex(md, md_len, out);
}

/* Hashes the concatenation of the NULL-terminated list of strings. The
 * streaming EVP interface needs a heap context; it is freed before
 * returning. The result lives in the caller's buf, which is returned. */
char *mg_md5(char buf[33], ...)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *p;
	va_list ap;
	int ok =
	    ctx != NULL && md5() != NULL && EVP_DigestInit_ex(ctx, md5(), NULL);

	va_start(ap, buf);
	while ((p = va_arg(ap, const char *)) != NULL) {
		if (ok)
			ok = EVP_DigestUpdate(ctx, p, strlen(p));
	}
	va_end(ap);
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, md, &md_len) && md_len == 16;
	EVP_MD_CTX_free(ctx);
	if (ok)
		codec_hex(md, md_len, buf);
	else
		buf[0] = '\0';
	return buf;
}
