/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Capturing what the code under test writes on stderr (log_warning), so
 * the conf tests can compare warnings exactly. Header-only: each test
 * program that needs it includes it once. */
#ifndef RELAYMAIL_TESTS_CAPTURE_H
#define RELAYMAIL_TESTS_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct capture {
	int saved;
	FILE *tmp;
};

static inline void capture_begin(struct capture *cap)
{
	fflush(stderr);
	cap->tmp = tmpfile();
	cap->saved = dup(STDERR_FILENO);
	if (cap->tmp != NULL)
		dup2(fileno(cap->tmp), STDERR_FILENO);
}

/* Restore stderr; the captured text, malloc'd ("" when nothing). */
static inline char *capture_end(struct capture *cap)
{
	char *text = calloc(1, 65536);
	size_t n = 0;

	fflush(stderr);
	dup2(cap->saved, STDERR_FILENO);
	close(cap->saved);
	if (cap->tmp != NULL && text != NULL) {
		rewind(cap->tmp);
		n = fread(text, 1, 65535, cap->tmp);
		text[n] = '\0';
	}
	if (cap->tmp != NULL)
		fclose(cap->tmp);
	return text;
}

#endif
