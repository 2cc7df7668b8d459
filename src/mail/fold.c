/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Folding of over-long lines. In a header a break before an existing blank
 * is a true fold that unfolding undoes; only a line without such a blank
 * gets CRLF SPACE, which adds one blank to the text, as in the body. */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "mail/fold.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

size_t fold_cut(const char *p, size_t room)
{
	size_t k = room;

	/* Back over at most three UTF-8 continuation bytes (10xxxxxx). */
	while (k > 0 && room - k < 3 && ((unsigned char)p[k] & 0xc0) == 0x80)
		k--;
	return k > 0 ? k : room;
}

/* The last blank at p[j], min <= j <= room, or 0 for none. */
static size_t blank_cut(const char *p, size_t min, size_t room)
{
	for (size_t j = room; j >= min && j > 0; j--)
		if (is_blank(p[j]))
			return j;
	return 0;
}

/* One line s..e (no CRLF) into out, broken into lines of at most max
 * octets. min: the first offset a blank may be broken at, so that the
 * first piece keeps the field name and colon, or some text. */
static int fold_line(struct buf *out, const char *s, const char *e, size_t min, size_t max)
{
	size_t lead = 0; /* 1 after an inserted SPACE */

	while ((size_t)(e - s) + lead > max) {
		size_t room = max - lead, j = blank_cut(s, min, room);

		if (j > 0) {
			if (buf_append(out, s, j) < 0 || buf_append(out, "\r\n", 2) < 0)
				return -1;
			lead = 0;
			/* The next piece starts with the blank: it needs text too. */
			min = 1;
			while (s + j + min < e && is_blank(s[j + min]))
				min++;
			min++;
		} else {
			j = fold_cut(s, room);
			if (buf_append(out, s, j) < 0 || buf_append(out, "\r\n ", 3) < 0)
				return -1;
			lead = 1;
			min = 1;
		}
		s += j;
	}
	return buf_append(out, s, (size_t)(e - s));
}

static bool needs_fold(const char *raw, size_t len, size_t max)
{
	const char *p = raw, *end = raw + len;

	while (p < end) {
		const char *crlf = memchr(p, '\n', (size_t)(end - p));
		size_t n = crlf != NULL ? (size_t)(crlf - p) - 1 : (size_t)(end - p);

		if (n > max)
			return true;
		p = crlf != NULL ? crlf + 1 : end;
	}
	return false;
}

char *fold_header(char *raw, size_t *len, size_t max)
{
	const char *colon = memchr(raw, ':', *len);
	const char *p = raw, *end = raw + *len;
	struct buf out = { 0 };
	size_t min;

	if (max < FOLD_MIN)
		max = FOLD_MIN;
	if (!needs_fold(raw, *len, max))
		return raw;
	min = colon != NULL ? (size_t)(colon - raw) + 1 : 1;
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *e = lf != NULL ? lf - 1 : end;

		if (fold_line(&out, p, e, min, max) < 0 ||
		    (lf != NULL && buf_append(&out, "\r\n", 2) < 0)) {
			buf_fini(&out);
			return NULL;
		}
		p = lf != NULL ? lf + 1 : end;
		for (min = 1; p + min < end && is_blank(p[min]); min++)
			;
		min++;
	}
	*len = out.len;
	free(raw);
	return buf_steal(&out);
}
