/* status_text.c - the reason phrase for an HTTP status code, as written
 * after the code in a status line and in error pages.
 *
 * The phrases are CivetWeb 1.16's, spelling included ("Request Time-out",
 * "Unproccessable entity"), because programs compare them and tests of
 * ported applications expect them. Codes CivetWeb does not name get the
 * name of their class; codes outside 100..599 get "". The table is sorted
 * for a binary search: this runs for every response. */
#include <stddef.h>

#include "civetweb.h"

struct status_text {
	int code;
	const char *text;
};

static const struct status_text status_table[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {102, "Processing"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {208, "Already Reported"},
    {226, "IM used"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Time-out"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Large"},
    {415, "Unsupported Media Type"},
    {416, "Requested range not satisfiable"},
    {417, "Expectation Failed"},
    {418, "I am a teapot"},
    {419, "Authentication Timeout"},
    {420, "Enhance Your Calm"},
    {421, "Misdirected Request"},
    {422, "Unproccessable entity"},
    {423, "Locked"},
    {424, "Failed Dependency"},
    {426, "Upgrade Required"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {440, "Login Timeout"},
    {451, "Unavailable For Legal Reasons"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Time-out"},
    {505, "HTTP Version not supported"},
    {506, "Variant Also Negotiates"},
    {507, "Insufficient Storage"},
    {508, "Loop Detected"},
    {509, "Bandwidth Limit Exceeded"},
    {510, "Not Extended"},
    {511, "Network Authentication Required"},
};

#define STATUS_COUNT (sizeof(status_table) / sizeof(status_table[0]))

static const char *status_lookup(int code)
{
	size_t lo = 0, hi = STATUS_COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (status_table[mid].code == code)
			return status_table[mid].text;
		if (code < status_table[mid].code)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The returned string is static. conn is unused: CivetWeb only uses it to
 * log unknown codes, which is no reason to fill a server's error log. */
const char *mg_get_response_code_text(const struct mg_connection *conn,
                                      int response_code)
{
	static const char *const class_text[] = {"Information", "Success",
	                                         "Redirection", "Client Error",
	                                         "Server Error"};
	const char *text;

	(void)conn;
	if (response_code < 100 || response_code > 599)
		return "";
	text = status_lookup(response_code);
	return text != NULL ? text : class_text[response_code / 100 - 1];
}
