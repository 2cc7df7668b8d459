/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TAP output for the unit tests (done_testing style: the plan comes last). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

static int count;
static int failed;

static bool report(bool cond, const char *fmt, va_list ap)
{
	count++;
	printf("%sok %d - ", cond ? "" : "not ", count);
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond)
		failed++;
	fflush(stdout);
	return cond;
}

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return got == want;
}

bool is_str(const char *got, const char *want, const char *fmt, ...)
{
	bool same;
	va_list ap;

	same = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
	va_start(ap, fmt);
	report(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got ? got : "(null)",
		       want ? want : "(null)");
	return same;
}

static void dump(const char *label, const void *p, size_t n)
{
	const unsigned char *s = p;

	printf("#   %s (%zu bytes): \"", label, n);
	for (size_t i = 0; i < n && i < 400; i++) {
		if (s[i] == '\r')
			fputs("\\r", stdout);
		else if (s[i] == '\n')
			fputs("\\n", stdout);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			printf("\\x%02x", s[i]);
		else
			putchar(s[i]);
	}
	puts(n > 400 ? "...\"" : "\"");
}

bool is_mem(const void *got, size_t got_len, const void *want, size_t want_len, const char *fmt,
	    ...)
{
	bool same = got_len == want_len && (got_len == 0 || memcmp(got, want, got_len) == 0);
	va_list ap;

	va_start(ap, fmt);
	report(same, fmt, ap);
	va_end(ap);
	if (!same) {
		dump("got", got, got_len);
		dump("want", want, want_len);
	}
	return same;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int tap_done(void)
{
	printf("1..%d\n", count);
	return failed == 0 ? 0 : 1;
}
