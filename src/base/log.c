/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stderr sink. Lines are formatted whole and written with one call so
 * that concurrent writers do not interleave within a line. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/str.h"
#include "base/i18n.h"

static const char *progname = "relaymail";
static int verbosity;
static bool quiet_warnings;

void log_init(const char *name, int verbose)
{
	const char *slash;

	if (name != NULL && *name != '\0') {
		slash = strrchr(name, '/');
		progname = slash != NULL ? slash + 1 : name;
	}
	verbosity = verbose;
}

void log_quiet_warnings(bool quiet)
{
	quiet_warnings = quiet;
}

const char *log_progname(void)
{
	return progname;
}

int log_verbosity(void)
{
	return verbosity;
}

/* The text is passed through str_printable, as Postfix's msg_output
 * does: a table line or a key with control bytes or broken UTF-8 cannot
 * write escape sequences to the terminal. */
__attribute__((format(printf, 2, 0))) static void emit(const char *tag, const char *fmt, va_list ap)
{
	char text[2048], line[2048];
	int n, m;
	size_t len;

	n = snprintf(line, sizeof(line), "%s: %s", progname, tag);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(text, sizeof(text), fmt, ap);
	if (m < 0)
		m = 0;
	str_printable(line + n, sizeof(line) - (size_t)n - 1, text,
		      (size_t)m < sizeof(text) ? (size_t)m : sizeof(text) - 1);
	len = strlen(line);
	line[len++] = '\n';
	fflush(stdout);
	(void)!write(STDERR_FILENO, line, len);
}

void log_warning(const char *fmt, ...)
{
	va_list ap;
	char tag[64];

	if (quiet_warnings)
		return;
	snprintf(tag, sizeof(tag), "%s: ", _("warning"));
	va_start(ap, fmt);
	emit(tag, fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void log_failure(const struct error *err)
{
	log_error("%s", err->text);
	if (err->hint[0] != '\0')
		log_error(_("hint: %s"), err->hint);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void log_dialogue(const char *dir, const char *line, size_t len)
{
	char safe[1100];

	if (verbosity < 1)
		return;
	len = str_trim_len(line, len);
	str_printable(safe, sizeof(safe), line, len);
	fprintf(stderr, "%s %s\n", dir, safe);
}
