/* ws_handshake.c - the opening handshake and permessage-deflate offers
 * (ws_handshake.h).
 *
 * Header values are hostile: lists are walked in place with bounded
 * lengths, never copied, and anything that does not parse is a "no" (a
 * 400 for the handshake, a declined offer for an extension) rather than a
 * guess. The extension grammar is RFC 6455 9.1's: a comma list of
 * "name *(; param [= token | quoted-string])"; RFC 7692 7.1 says which
 * parameters permessage-deflate takes and when an offer must be declined.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "civetweb.h"
#include "util/codec.h"
#include "util/ws_handshake.h"

#define WS_GUID     "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_MAX  256
#define BITS_ABSENT (-1)
#define BITS_BARE   0 /* client_max_window_bits without a value */

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_ows(const char *p)
{
	while (is_ows(*p))
		p++;
	return p;
}

int cw_ws_has_token(const char *list, const char *token)
{
	size_t tlen = strlen(token);
	const char *p = list;

	if (p == NULL)
		return 0;
	while (*p != '\0') {
		const char *start = skip_ows(p), *end;

		p = start;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && is_ows(end[-1]))
			end--;
		if ((size_t)(end - start) == tlen &&
		    cw_memcaseeq(start, token, tlen) == 0)
			return 1;
		if (*p == ',')
			p++;
	}
	return 0;
}

int cw_ws_key_valid(const char *key)
{
	unsigned char raw[18];
	size_t len = sizeof(raw);

	/* 16 bytes are 24 base64 characters ending in "==". */
	if (key == NULL || strlen(key) != 24)
		return 0;
	if (mg_base64_decode(key, 24, raw, &len) != -1)
		return 0;
	return len == 17; /* 16 bytes and the NUL */
}

/* "1.1" or a later "M.N" (the HTTP parser lets no other form through,
 * but this must not depend on it). */
static int version_ok(const char *v)
{
	if (v == NULL || v[0] < '0' || v[0] > '9' || v[1] != '.' ||
	    v[2] < '0' || v[2] > '9' || v[3] != '\0')
		return 0;
	return v[0] > '1' || (v[0] == '1' && v[2] >= '1');
}

enum cw_ws_handshake cw_ws_handshake_check(const struct cw_ws_request *r)
{
	if (!cw_ws_has_token(r->upgrade, "websocket"))
		return CW_WS_HS_NONE;
	if (r->method == NULL || strcmp(r->method, "GET") != 0 ||
	    !version_ok(r->http_version) ||
	    !cw_ws_has_token(r->connection, "upgrade"))
		return CW_WS_HS_BAD;
	if (r->version == NULL || strcmp(r->version, "13") != 0)
		return CW_WS_HS_BAD_VERSION;
	if (!cw_ws_key_valid(r->key))
		return CW_WS_HS_BAD;
	return CW_WS_HS_OK;
}

/* SHA-1, fetched once for the life of the process (see codec.c's MD5 for
 * why an implicit fetch per digest is avoided). */
static EVP_MD *sha1_algo;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void fetch_sha1(void)
{
	sha1_algo = EVP_MD_fetch(NULL, "SHA1", NULL);
}

int cw_ws_accept_key(const char *key, char out[CW_WS_ACCEPT_SIZE])
{
	char in[WS_KEY_MAX + sizeof(WS_GUID)];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	size_t klen = key ? strlen(key) : 0, olen = CW_WS_ACCEPT_SIZE;

	out[0] = '\0';
	if (key == NULL || klen > WS_KEY_MAX)
		return -1;
	memcpy(in, key, klen);
	memcpy(in + klen, WS_GUID, sizeof(WS_GUID) - 1);
	pthread_once(&sha1_once, fetch_sha1);
	if (sha1_algo == NULL ||
	    !EVP_Digest(in, klen + sizeof(WS_GUID) - 1, md, &md_len, sha1_algo,
	                NULL) ||
	    md_len != 20)
		return -1;
	if (mg_base64_encode(md, md_len, out, &olen) != -1) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

const char *cw_ws_choose_subprotocol(const char *offered,
                                     const char *const *supported, size_t n)
{
	const char *p = offered;
	size_t i;

	if (p == NULL || supported == NULL)
		return NULL;
	while (*p != '\0') {
		const char *start = skip_ows(p), *end;

		p = start;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && is_ows(end[-1]))
			end--;
		for (i = 0; i < n && end > start; i++) {
			if (supported[i] != NULL &&
			    strlen(supported[i]) == (size_t)(end - start) &&
			    memcmp(supported[i], start, end - start) == 0)
				return supported[i];
		}
		if (*p == ',')
			p++;
	}
	return NULL;
}

/* ---- Sec-WebSocket-Extensions ------------------------------------------ */

/* RFC 9110 tchar. */
static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A token at *pp: its length (0 if none), *pp moved past it. */
static size_t take_token(const char **pp)
{
	const char *p = *pp;
	size_t n;

	while (is_tchar((unsigned char)*p))
		p++;
	n = (size_t)(p - *pp);
	*pp = p;
	return n;
}

/* A parameter value at *pp, a token or a quoted-string, unquoted into
 * val (val_size bytes, NUL-terminated). 0, or -1 if malformed or too long
 * for any value permessage-deflate knows. */
static int take_value(const char **pp, char *val, size_t val_size)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p != '"') {
		n = take_token(pp);
		if (n == 0 || n >= val_size)
			return -1;
		memcpy(val, p, n);
		val[n] = '\0';
		return 0;
	}
	for (p++; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		if (*p == '\0' || n + 1 >= val_size)
			return -1;
		val[n++] = *p;
	}
	val[n] = '\0';
	*pp = p + 1;
	return 0;
}

/* A window size: "8".."15", digits only, no leading zero. */
static int window_bits(const char *v)
{
	if (v[0] >= '8' && v[0] <= '9' && v[1] == '\0')
		return v[0] - '0';
	if (v[0] == '1' && v[1] >= '0' && v[1] <= '5' && v[2] == '\0')
		return 10 + (v[1] - '0');
	return -1;
}

struct pmd_offer {
	int snc, cnc;
	int smwb, cmwb;
};

static int name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && cw_memcaseeq(name, want, n) == 0;
}

/* Apply one parameter (value NULL when it has none) to o. 0, or -1 when
 * RFC 7692 says to decline the offer. */
static int pmd_param(struct pmd_offer *o, const char *name, size_t n,
                     const char *value)
{
	int *flag = NULL;

	if (name_is(name, n, "server_no_context_takeover"))
		flag = &o->snc;
	else if (name_is(name, n, "client_no_context_takeover"))
		flag = &o->cnc;
	if (flag != NULL) {
		if (*flag || value != NULL)
			return -1;
		*flag = 1;
		return 0;
	}
	if (name_is(name, n, "server_max_window_bits")) {
		if (o->smwb != BITS_ABSENT || value == NULL)
			return -1;
		o->smwb = window_bits(value);
		return o->smwb < 0 ? -1 : 0;
	}
	if (name_is(name, n, "client_max_window_bits")) {
		if (o->cmwb != BITS_ABSENT)
			return -1;
		o->cmwb = value ? window_bits(value) : BITS_BARE;
		return o->cmwb < 0 ? -1 : 0;
	}
	return -1;
}

/* Parse "; param[=value]"s of one list element at *pp into o (if o is not
 * NULL, i.e. the element is permessage-deflate). 0, or -1 if malformed or
 * declined; *pp ends at the ',' or the NUL that closes the element when
 * the element parses. */
static int take_params(const char **pp, struct pmd_offer *o)
{
	const char *p = skip_ows(*pp), *name;
	char value[16];
	size_t n;
	int has_value;

	while (*p == ';') {
		p = skip_ows(p + 1);
		name = p;
		n = take_token(&p);
		if (n == 0)
			return -1;
		p = skip_ows(p);
		has_value = *p == '=';
		if (has_value) {
			p = skip_ows(p + 1);
			if (take_value(&p, value, sizeof(value)) != 0)
				return -1;
			p = skip_ows(p);
		}
		if (o != NULL &&
		    pmd_param(o, name, n, has_value ? value : NULL) != 0)
			return -1;
	}
	*pp = p;
	return (*p == ',' || *p == '\0') ? 0 : -1;
}

/* Move past the current list element, minding quoted commas. */
static const char *skip_element(const char *p)
{
	int quoted = 0;

	for (; *p != '\0'; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			break;
	}
	return p;
}

static int pmd_response(const struct pmd_offer *o, char *resp, size_t size)
{
	int n = snprintf(resp, size, "permessage-deflate%s%s",
	                 o->snc ? "; server_no_context_takeover" : "",
	                 o->cnc ? "; client_no_context_takeover" : "");
	int k;

	if (n < 0 || (size_t)n >= size)
		return -1;
	if (o->smwb > 0) {
		k = snprintf(resp + n, size - n, "; server_max_window_bits=%d",
		             o->smwb);
		if (k < 0 || (size_t)k >= size - n)
			return -1;
		n += k;
	}
	if (o->cmwb > 0) {
		k = snprintf(resp + n, size - n, "; client_max_window_bits=%d",
		             o->cmwb);
		if (k < 0 || (size_t)k >= size - n)
			return -1;
	}
	return 0;
}

/* Turn an accepted offer into the agreed parameters and the response. */
static int pmd_accept(const struct pmd_offer *o,
                      struct cw_ws_deflate_params *out, char *resp,
                      size_t resp_size)
{
	/* zlib's raw deflate has no 256-byte window. */
	if (o->smwb == 8)
		return 0;
	if (pmd_response(o, resp, resp_size) != 0)
		return 0;
	out->server_no_context = o->snc;
	out->client_no_context = o->cnc;
	out->server_bits = o->smwb > 0 ? o->smwb : 15;
	out->client_bits = o->cmwb > 0 ? o->cmwb : 15;
	return 1;
}

enum ext_element { EL_END, EL_PMD, EL_BAD_PMD, EL_OTHER, EL_BAD };

/* The next element of an extension list at *pp (moved past it): EL_END
 * when there is none, EL_PMD with *o filled for a permessage-deflate that
 * parses, EL_BAD_PMD for one that does not, EL_OTHER / EL_BAD for another
 * extension that does / does not. Empty elements are skipped. */
static enum ext_element next_element(const char **pp, struct pmd_offer *o)
{
	const char *p = *pp, *name;
	enum ext_element rc;
	size_t n;
	int pmd;

	p = skip_ows(p);
	while (*p == ',')
		p = skip_ows(p + 1);
	if (*p == '\0') {
		*pp = p;
		return EL_END;
	}
	o->snc = o->cnc = 0;
	o->smwb = o->cmwb = BITS_ABSENT;
	name = p;
	n = take_token(&p);
	pmd = name_is(name, n, "permessage-deflate");
	if (n > 0 && take_params(&p, pmd ? o : NULL) == 0) {
		rc = pmd ? EL_PMD : EL_OTHER;
	} else {
		p = skip_element(p);
		rc = pmd ? EL_BAD_PMD : EL_BAD;
	}
	if (*p == ',')
		p++;
	*pp = p;
	return rc;
}

int cw_ws_deflate_negotiate(const char *offers,
                            struct cw_ws_deflate_params *out, char *resp,
                            size_t resp_size)
{
	const char *p = offers;
	struct pmd_offer o;
	enum ext_element e;

	if (resp_size > 0)
		resp[0] = '\0';
	if (p == NULL)
		return 0;
	while ((e = next_element(&p, &o)) != EL_END) {
		if (e == EL_PMD && pmd_accept(&o, out, resp, resp_size))
			return 1;
	}
	if (resp_size > 0)
		resp[0] = '\0';
	return 0;
}

/* RFC 7692 7.1: what the server answered must fit what was offered. */
static int pmd_answer_fits(const struct pmd_offer *mine,
                           const struct pmd_offer *got)
{
	if (got->cmwb != BITS_ABSENT) {
		/* Only if offered, and then with a value within the offer. */
		if (mine->cmwb == BITS_ABSENT || got->cmwb == BITS_BARE ||
		    (mine->cmwb > 0 && got->cmwb > mine->cmwb))
			return 0;
	}
	if (mine->smwb > 0 &&
	    (got->smwb == BITS_ABSENT || got->smwb > mine->smwb))
		return 0;
	if (mine->snc && !got->snc)
		return 0;
	/* zlib cannot compress with a 256-byte window. */
	return got->cmwb != 8;
}

int cw_ws_deflate_client_check(const char *offer, const char *response,
                               struct cw_ws_deflate_params *out)
{
	struct pmd_offer mine = {0, 0, BITS_ABSENT, BITS_ABSENT};
	struct pmd_offer got = mine, answer = mine;
	const char *p = offer ? offer : "";
	enum ext_element e;
	int offered, seen = 0;

	do
		e = next_element(&p, &mine);
	while (e != EL_END && e != EL_PMD);
	offered = e == EL_PMD;
	p = response ? response : "";
	while ((e = next_element(&p, &got)) != EL_END) {
		/* Nothing but the one permessage-deflate we offered. */
		if (e != EL_PMD || seen || !offered)
			return -1;
		answer = got;
		seen = 1;
	}
	if (!seen)
		return 0;
	if (!pmd_answer_fits(&mine, &answer))
		return -1;
	out->server_no_context = answer.snc;
	out->client_no_context = answer.cnc;
	out->server_bits = answer.smwb > 0 ? answer.smwb : 15;
	out->client_bits = answer.cmwb > 0 ? answer.cmwb : 15;
	return 1;
}

int cw_ws_client_response_ok(const char *key, const char *upgrade,
                             const char *connection, const char *accept)
{
	char want[CW_WS_ACCEPT_SIZE];

	if (!cw_ws_has_token(upgrade, "websocket") ||
	    !cw_ws_has_token(connection, "upgrade") || accept == NULL ||
	    cw_ws_accept_key(key, want) != 0)
		return 0;
	return strcmp(accept, want) == 0;
}
