/* optable.c - prints the option list of civetd.conf(5) from the X-macro
 * list of src/core/options.h: run at build time (Makefile.am), so that
 * the installed man page names every option with its default and cannot
 * drift from the code. The compiler reads the list; nothing parses it. */
#include <stdio.h>
#include <string.h>

#include "core/options.h"

/* Text as roff wants it on a line of its own words: backslashes and
 * hyphens escaped. */
static void put(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

/* STRING_LIST -> "string list" */
static void put_type(const char *t)
{
	for (; *t != '\0'; t++)
		putchar(*t == '_' ? ' ' : (char)(*t - 'A' + 'a'));
}

static void row(const char *name, const char *type, const char *def, int flags)
{
	fputs(".TP\n.B ", stdout);
	put(name);
	fputs("\n", stdout);
	put_type(type);
	fputs("; default: ", stdout);
	if (def != NULL && *def != '\0') {
		fputs("\\fB", stdout);
		put(def);
		fputs("\\fR", stdout);
	} else {
		fputs("(none)", stdout);
	}
	if (flags & CW_OPT_MULTI)
		fputs("; may be given more than once", stdout);
	if (flags & CW_OPT_CIVETD)
		fputs("; civetd's own option", stdout);
	if (!(flags & CW_OPT_IMPL))
		fputs("; accepted for CivetWeb programs, has no effect "
		      "(a log line says so)",
		      stdout);
	fputs(".\n", stdout);
}

#define ROW(id, name, type, def, flags) row(name, #type, def, flags);

int main(void)
{
	CW_OPTION_LIST(ROW)
	return ferror(stdout) ? 1 : 0;
}
