/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The logical-line reader shared by the configuration and the table
 * parsers. It works on text already in memory and does no I/O, so every
 * parser above it takes (pointer, length). */
#include <config.h>

#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "conf/lines.h"

int lines_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void lines_warn_leading(const char *name, const char *line)
{
	/* Postfix quotes the first 30 bytes. */
	log_notice(_("%s: logical line must not start with whitespace: \"%.30s%s\""), name, line,
		   strlen(line) > 30 ? "..." : "");
}

void lines_init(struct lines *l, const char *name, const char *text, size_t len)
{
	l->name = name;
	l->p = text;
	l->end = text + len;
	l->lineno = 1;
}

/* One physical line at l->p: start and length without "\n"; advances
 * past it. A "\r" before the "\n" stays, as in Postfix's readllines():
 * being whitespace, it is trimmed at the end of a logical line, but kept
 * where a continuation joins on ("v \r" + "  w" is "v \r  w"). */
static void physical(struct lines *l, const char **s, size_t *len)
{
	const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	const char *stop = nl != NULL ? nl : l->end;

	*s = l->p;
	*len = (size_t)(stop - l->p);
	l->p = nl != NULL ? nl + 1 : l->end;
	l->lineno++;
}

/* Blank, whitespace-only, or first non-blank is '#'. */
static int ignorable(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	return i == len || s[i] == '#';
}

int lines_next(struct lines *l, struct buf *out, size_t *lineno, struct error *err)
{
	int have = 0;

	buf_reset(out);
	while (l->p < l->end) {
		const char *save = l->p, *s;
		size_t save_no = l->lineno, len;

		physical(l, &s, &len);
		if (ignorable(s, len))
			continue;
		if (have && !lines_is_space((unsigned char)s[0])) {
			l->p = save;
			l->lineno = save_no;
			break;
		}
		if (!have)
			*lineno = save_no;
		have = 1;
		/* The cap is tested here, not told from errno after a failed
		 * append, so that running out of memory is never taken for
		 * a long line. */
		if (out->max != 0 && len > out->max - out->len) {
			error_set(err, ERROR_CONFIG,
				  _("%s, line %zu: the line is longer than %zu bytes"), l->name,
				  *lineno, out->max);
			return -1;
		}
		if (buf_append(out, s, len) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
	}
	if (!have)
		return 0;
	/* Blank lines were skipped, so out holds a byte that is not blank
	 * and the trim stops inside it. */
	while (lines_is_space((unsigned char)out->data[out->len - 1]))
		out->len--;
	out->data[out->len] = '\0';
	return 1;
}
