/* form.c - reading application/x-www-form-urlencoded data and Cookie
 * headers for request handlers: mg_get_var(), mg_get_var2(),
 * mg_split_form_urlencoded() and mg_get_cookie().
 *
 * The input is whatever the client sent, so every scan is bounded by the
 * length the caller gave or by the string's NUL, and nothing is allocated:
 * results go into the caller's buffers. Results match CivetWeb 1.16,
 * quirks included (a variable name matches case-insensitively; cookies are
 * separated by "; " exactly), except where noted. */
#include <limits.h>
#include <string.h>

#include "civetweb.h"
#include "util/codec.h"

/* mg_get_var2() for the first occurrence. */
int mg_get_var(const char *data, size_t data_len, const char *var_name,
               char *dst, size_t dst_len)
{
	return mg_get_var2(data, data_len, var_name, dst, dst_len, 0);
}

/* Start of the value of the occurrence-th "name=" field in data[0..len),
 * with *value_len set, or NULL. Fields start the data or follow a '&'. */
static const char *form_find(const char *data, size_t len, const char *name,
                             size_t occurrence, size_t *value_len)
{
	size_t name_len = strlen(name);
	const char *p = data, *e = data + len, *amp;

	while (p != NULL && (size_t)(e - p) > name_len) {
		if (p[name_len] == '=' &&
		    cw_memcaseeq(p, name, name_len) == 0 && occurrence-- == 0) {
			p += name_len + 1;
			amp = memchr(p, '&', (size_t)(e - p));
			*value_len = (size_t)((amp != NULL ? amp : e) - p);
			return p;
		}
		amp = memchr(p, '&', (size_t)(e - p));
		p = (amp != NULL) ? amp + 1 : NULL;
	}
	return NULL;
}

/* Returns the decoded length, -1 if there is no such occurrence, -2 if dst
 * is NULL, empty or too small. dst is always NUL-terminated when it has
 * room; when too small it holds the decoded prefix that fitted, as in
 * CivetWeb. A field without '=' ("a&b=1") has no value and is not found.
 * dst (dst_len bytes) belongs to the caller. */
int mg_get_var2(const char *data, size_t data_len, const char *var_name,
                char *dst, size_t dst_len, size_t occurrence)
{
	const char *value;
	size_t value_len = 0;
	int len;

	if (dst == NULL || dst_len == 0)
		return -2;
	dst[0] = '\0';
	if (data == NULL || var_name == NULL || data_len == 0)
		return -1;
	value = form_find(data, data_len, var_name, occurrence, &value_len);
	if (value == NULL)
		return -1;
	/* An int result cannot describe more; such a value does not fit. */
	if (value_len > INT_MAX)
		return -2;
	len = mg_url_decode(value, (int)value_len, dst,
	                    dst_len > INT_MAX ? INT_MAX : (int)dst_len, 1);
	return len < 0 ? -2 : len;
}

/* Form-decode a NUL-terminated string in place; the result is never
 * longer than the input. */
static void form_decode_in_place(char *s)
{
	char *out = s;

	while (*s != '\0') {
		int hi = (s[0] == '%') ? cw_hex_value((unsigned char)s[1]) : -1;
		int lo = (hi >= 0) ? cw_hex_value((unsigned char)s[2]) : -1;

		if (lo >= 0) {
			*out++ = (char)((hi << 4) | lo);
			s += 3;
		} else {
			*out++ = (*s == '+') ? ' ' : *s;
			s++;
		}
	}
	*out = '\0';
}

/* With form_fields NULL and num_form_fields 0, CivetWeb answers how many
 * fields data would need: one more than its '&'s, 0 when empty. */
static int form_count(const char *data)
{
	size_t n = 1;

	if (*data == '\0')
		return 0;
	for (; *data != '\0'; data++) {
		if (*data == '&')
			n++;
	}
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* Splits data in place: the pairs are cut at '&' and '=' with NULs. */
static unsigned form_split(char *data, struct mg_header *fields, unsigned max)
{
	unsigned num = 0;
	char *b;

	while (num < max) {
		while (*data == ' ' || *data == '\t')
			data++;
		if (*data == '\0')
			break;
		fields[num].name = data;
		fields[num].value = NULL;
		b = data + strcspn(data, "&=");
		if (*b == '=') {
			*b = '\0';
			data = b + 1;
			fields[num].value = data;
		}
		num++;
		b = strchr(data, '&');
		if (b == NULL)
			break;
		*b = '\0';
		data = b + 1;
	}
	return num;
}

/* Splits data in place into at most num_form_fields name/value pairs and
 * decodes them. A field without '=' gets value NULL; "a=" gets "". Leading
 * blanks of a field are skipped; an empty field between "&&" counts, a
 * trailing '&' does not. Once the array is full, the rest is ignored. The
 * pointers point into data, which the caller owns. */
int mg_split_form_urlencoded(char *data, struct mg_header *form_fields,
                             unsigned num_form_fields)
{
	unsigned num, i;

	if (data == NULL)
		return -1;
	if (form_fields == NULL && num_form_fields == 0)
		return form_count(data);
	if (form_fields == NULL || num_form_fields == 0 ||
	    num_form_fields > INT_MAX)
		return -1;
	num = form_split(data, form_fields, num_form_fields);
	for (i = 0; i < num; i++) {
		form_decode_in_place((char *)form_fields[i].name);
		if (form_fields[i].value != NULL)
			form_decode_in_place((char *)form_fields[i].value);
	}
	return (int)num;
}

/* Value of the cookie named var_name (case-insensitively) in a Cookie
 * header, copied into buf: its length, -1 if absent (also for a name
 * without '='), -2 if buf is NULL or empty, -3 if buf is too small (buf is
 * then ""). -3 is what CivetWeb 1.16 returns and programs see, though its
 * header comment says -2.
 * As in CivetWeb a cookie name must start the header or follow a space, a
 * value ends at a space (a ';' before it is dropped), and one pair of
 * surrounding double quotes is removed. buf belongs to the caller. */
int mg_get_cookie(const char *cookie, const char *var_name, char *buf,
                  size_t buf_len)
{
	size_t name_len;
	const char *s, *p, *end;

	if (buf == NULL || buf_len == 0)
		return -2;
	buf[0] = '\0';
	if (cookie == NULL || var_name == NULL)
		return -1;
	name_len = strlen(var_name);
	end = cookie + strlen(cookie);
	for (s = cookie;; s++) {
		if ((size_t)(end - s) > name_len && s[name_len] == '=' &&
		    cw_memcaseeq(s, var_name, name_len) == 0)
			break;
		s = strchr(s, ' ');
		if (s == NULL)
			return -1;
	}
	s += name_len + 1;
	p = strchr(s, ' ');
	if (p == NULL)
		p = end;
	if (p > s && p[-1] == ';')
		p--;
	if (p - s >= 2 && s[0] == '"' && p[-1] == '"') {
		s++;
		p--;
	}
	if ((size_t)(p - s) >= buf_len || p - s > INT_MAX)
		return -3;
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = '\0';
	return (int)(p - s);
}
