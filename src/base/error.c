/* SPDX-License-Identifier: GPL-3.0-or-later */
/* struct error: fixed-size, so filling one never allocates or fails. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/str.h"

void error_setv(struct error *err, enum error_class cls, const char *fmt, va_list ap)
{
	if (err == NULL)
		return;
	err->cls = cls;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	err->reply[0] = '\0';
	err->errnum = 0;
	err->hint[0] = '\0';
}

void error_set(struct error *err, enum error_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_setv(err, cls, fmt, ap);
	va_end(ap);
}

void error_set_errno(struct error *err, enum error_class cls, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	error_setv(err, cls, fmt, ap);
	va_end(ap);
	len = strlen(err->text);
	snprintf(err->text + len, sizeof(err->text) - len, ": %s", strerror(errnum));
	err->errnum = errnum;
}

void error_set_reply(struct error *err, const char *reply, size_t len)
{
	if (err == NULL)
		return;
	str_printable(err->reply, sizeof(err->reply), reply, len);
}

void error_prefix(struct error *err, const char *fmt, ...)
{
	char prefix[ERROR_TEXT_MAX];
	size_t plen, tlen;
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 3);
	plen += 2;
	tlen = strlen(err->text);
	if (plen + tlen >= sizeof(err->text))
		tlen = sizeof(err->text) - 1 - plen;
	memmove(err->text + plen, err->text, tlen);
	memcpy(err->text, prefix, plen);
	err->text[plen + tlen] = '\0';
}

void error_hint(struct error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->hint[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void error_clear(struct error *err)
{
	if (err == NULL)
		return;
	err->cls = ERROR_NONE;
	err->text[0] = '\0';
	err->reply[0] = '\0';
	err->errnum = 0;
	err->hint[0] = '\0';
}

bool error_is_set(const struct error *err)
{
	return err != NULL && err->cls != ERROR_NONE;
}

const char *error_class_name(enum error_class cls)
{
	static const char *const names[] = {
		[ERROR_NONE] = "none",
		[ERROR_USAGE] = "usage",
		[ERROR_DATA] = "data",
		[ERROR_NOHOST] = "nohost",
		[ERROR_REJECTED] = "rejected",
		[ERROR_RECIPIENT] = "recipient",
		[ERROR_INTERNAL] = "internal",
		[ERROR_OS] = "os",
		[ERROR_IO] = "io",
		[ERROR_TEMP] = "temp",
		[ERROR_PROTOCOL] = "protocol",
		[ERROR_AUTH] = "auth",
		[ERROR_CONFIG] = "config",
	};

	if ((size_t)cls >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[cls];
}
