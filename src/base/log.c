/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stderr sink. Lines are formatted whole and written with one call so
 * that concurrent writers do not interleave within a line. */
#include <config.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/maillog.h"
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
static void emit_text(const char *tag, const char *text, size_t tlen)
{
	char line[2048];
	int n;
	size_t len;

	n = snprintf(line, sizeof(line), "%s: %s", progname, tag);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	str_printable(line + n, sizeof(line) - (size_t)n - 1, text, tlen);
	len = strlen(line);
	line[len++] = '\n';
	fflush(stdout);
	(void)!write(STDERR_FILENO, line, len);
}

__attribute__((format(printf, 2, 0))) static void emit(const char *tag, const char *fmt, va_list ap)
{
	char text[2048];
	int m = vsnprintf(text, sizeof(text), fmt, ap);

	if (m < 0)
		m = 0;
	emit_text(tag, text, (size_t)m < sizeof(text) ? (size_t)m : sizeof(text) - 1);
}

static void warning_tag(char *tag, size_t size)
{
	snprintf(tag, size, "%s: ", _("warning"));
}

void log_warning(const char *fmt, ...)
{
	va_list ap;
	char tag[64];

	if (quiet_warnings)
		return;
	warning_tag(tag, sizeof(tag));
	va_start(ap, fmt);
	emit(tag, fmt, ap);
	va_end(ap);
}

/* The notices, held in one static area (no allocation: nothing to fail
 * or to free): each one's text, and whether it went to stderr already. */
static struct {
	char store[LOG_NOTICE_STORE];
	size_t used;
	size_t at[LOG_NOTICE_MAX];
	bool shown[LOG_NOTICE_MAX];
	size_t n;
	bool deferred;	 /* not at once on stderr */
	bool to_maillog; /* the mail log is set up */
} notices;

void log_notices_immediate(bool immediate)
{
	notices.deferred = !immediate;
}

static void show(size_t i)
{
	char tag[64];
	const char *text = notices.store + notices.at[i];

	notices.shown[i] = true;
	if (quiet_warnings)
		return;
	warning_tag(tag, sizeof(tag));
	emit_text(tag, text, strlen(text));
}

void log_notice(const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	size_t i = notices.n, len;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
	text[len] = '\0';
	if (notices.to_maillog)
		maillog_warning("sendmail", "%s", text);
	if (i == LOG_NOTICE_MAX || len + 1 > sizeof(notices.store) - notices.used) {
		/* Nothing more can be held (the mail log has it, when there is
		 * one); immediate ones are said all the same. */
		if (!notices.deferred && !quiet_warnings)
			log_warning("%s", text);
		return;
	}
	notices.at[i] = notices.used;
	memcpy(notices.store + notices.used, text, len + 1);
	notices.used += len + 1;
	notices.shown[i] = false;
	notices.n++;
	if (!notices.deferred)
		show(i);
}

void log_notices_to_maillog(void)
{
	if (notices.to_maillog)
		return;
	notices.to_maillog = true;
	for (size_t i = 0; i < notices.n; i++)
		maillog_warning("sendmail", "%s", notices.store + notices.at[i]);
}

void log_notices_flush(void)
{
	for (size_t i = 0; i < notices.n; i++)
		if (!notices.shown[i])
			show(i);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	log_notices_flush();
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
