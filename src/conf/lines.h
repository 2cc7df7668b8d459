/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Logical lines of main.cf and of table source files (reference/postfix.md
 * §0.1, §2.2): blank and comment lines are skipped, and a line that starts
 * with whitespace continues the previous one, even across comments. */
#ifndef RELAYMAIL_CONF_LINES_H
#define RELAYMAIL_CONF_LINES_H

#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"

struct lines {
	const char *name; /* the file, for messages; borrowed */
	const char *p;
	const char *end;
	size_t lineno; /* number of the next physical line */
};

/* Read text (len bytes) of the file name, which must outlive l. */
void lines_init(struct lines *l, const char *name, const char *text, size_t len);
/* Put the next logical line in out (reset first): physical lines joined
 * with nothing in between, each without its "\n" (a "\r" before it is
 * kept, as Postfix keeps it), the whole without trailing whitespace.
 * *lineno is the number of its first physical line. A logical line
 * starting with whitespace means a continuation line came first; the
 * caller decides what to say. 1 for a line, 0 at the end, -1 with
 * ERROR_CONFIG ("NAME, line N: the line is longer than MAX bytes") when
 * the logical line does not fit out's maximum, or ERROR_INTERNAL when
 * out of memory. */
int lines_next(struct lines *l, struct buf *out, size_t *lineno, struct error *err);

/* Postfix's readllines() warning for a logical line of the table file
 * name that starts with whitespace; the table parsers then skip it. */
void lines_warn_leading(const char *name, const char *line);

/* True for the bytes Postfix's ISSPACE accepts in these files. */
int lines_is_space(int c);

#endif
