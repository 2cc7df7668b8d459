/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SMTP reply parser: it finds one whole reply at the start of what the
 * relay sent, checks every line against RFC 5321 §4.2 with hard size caps,
 * and picks out the RFC 3463 enhanced status code. It keeps no state, so
 * the caller simply retries with more bytes. */
#include <config.h>

#include <stdbool.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "smtp/reply.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Can these first bytes of a line (fewer than 4 allowed) still start a
 * valid reply line? Lets garbage fail early instead of at the size cap. */
static bool prefix_ok(const char *p, size_t n)
{
	if (n > 0 && (p[0] < '2' || p[0] > '5'))
		return false;
	if (n > 1 && !is_digit(p[1]))
		return false;
	if (n > 2 && !is_digit(p[2]))
		return false;
	if (n > 3 && p[3] != '-' && p[3] != ' ' && p[3] != '\r' && p[3] != '\n')
		return false;
	return true;
}

static int bad(struct error *err, const char *what)
{
	error_set(err, ERROR_PROTOCOL, "%s", what);
	return -1;
}

/* One line without its line ending: code, whether more lines follow, and
 * where its text starts. */
static int parse_line(const char *p, size_t n, int *code, bool *more, size_t *text_off,
		      struct error *err)
{
	if (n < 3 || !prefix_ok(p, n < 4 ? n : 4) || (n > 3 && p[3] == '\r'))
		return bad(err, _("the relay sent a reply line without a valid "
				  "three-digit code"));
	*code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	*more = n > 3 && p[3] == '-';
	*text_off = n > 3 ? 4 : 3;
	return 0;
}

static void append_text(struct reply *r, const char *p, size_t n)
{
	size_t room = sizeof(r->text) - 1 - r->text_len;

	if (r->nlines > 1 && room > 0) {
		r->text[r->text_len++] = '\n';
		room--;
	}
	if (n > room)
		n = room;
	memcpy(r->text + r->text_len, p, n);
	r->text_len += n;
	r->text[r->text_len] = '\0';
}

/* RFC 3463: class "." subject "." detail, 1-3 digits each, the class
 * matching the reply code's first digit. */
static void find_enhanced(struct reply *r)
{
	const char *p = r->text;
	size_t i = 0;

	r->enhanced[0] = '\0';
	if (p[0] != (char)('0' + r->code / 100) || p[0] == '3' || p[1] != '.')
		return;
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t start = i;

		while (is_digit(p[i]) && i - start < 4)
			i++;
		if (i == start || i - start > 3)
			return;
		if (part == 0 && p[i++] != '.')
			return;
	}
	if (p[i] != '\0' && p[i] != ' ' && p[i] != '\n')
		return;
	memcpy(r->enhanced, p, i);
	r->enhanced[i] = '\0';
}

static void reply_clear(struct reply *r)
{
	r->code = 0;
	r->enhanced[0] = '\0';
	r->nlines = 0;
	r->text[0] = '\0';
	r->text_len = 0;
}

int reply_parse(const char *data, size_t len, struct reply *r, size_t *consumed, struct error *err)
{
	size_t pos = 0;
	bool more = true;

	reply_clear(r);
	while (more) {
		const char *line = data + pos;
		size_t avail = len - pos, scan = avail < REPLY_LINE_MAX ? avail : REPLY_LINE_MAX;
		const char *lf = memchr(line, '\n', scan);
		size_t n, off;
		int code;

		if (lf == NULL) {
			if (avail >= REPLY_LINE_MAX)
				return bad(err, _("the relay sent a reply line that is too long"));
			if (!prefix_ok(line, avail < 4 ? avail : 4))
				return bad(err, _("the relay sent a reply line without a "
						  "valid three-digit code"));
			return 0;
		}
		n = (size_t)(lf - line);
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (parse_line(line, n, &code, &more, &off, err) < 0)
			return -1;
		if (r->nlines > 0 && code != r->code)
			return bad(err, _("the relay sent a multi-line reply whose lines "
					  "have different codes"));
		if (r->nlines == REPLY_LINES_MAX)
			return bad(err, _("the relay sent a reply with too many lines"));
		r->code = code;
		r->nlines++;
		append_text(r, line + off, n - off);
	}
	find_enhanced(r);
	*consumed = pos;
	return 1;
}

int reply_class(const struct reply *r)
{
	return r->code / 100;
}

/* Continuation lines often repeat the enhanced code; say it once. */
static size_t skip_repeated_enhanced(const struct reply *r, const char *p, size_t n)
{
	size_t elen = strlen(r->enhanced);

	if (elen > 0 && n >= elen && memcmp(p, r->enhanced, elen) == 0 &&
	    (n == elen || p[elen] == ' '))
		return n == elen ? elen : elen + 1;
	return 0;
}

void reply_format(const struct reply *r, char *out, size_t outsize)
{
	char joined[REPLY_TEXT_MAX + 8];
	size_t o, pos = 0;

	joined[0] = (char)('0' + (r->code / 100) % 10);
	joined[1] = (char)('0' + (r->code / 10) % 10);
	joined[2] = (char)('0' + r->code % 10);
	o = 3;
	for (size_t line = 0; pos <= r->text_len; line++) {
		const char *p = r->text + pos;
		const char *nl = memchr(p, '\n', r->text_len - pos);
		size_t n = nl != NULL ? (size_t)(nl - p) : r->text_len - pos;
		size_t skip = line > 0 ? skip_repeated_enhanced(r, p, n) : 0;

		pos += n + 1;
		if (n - skip == 0)
			continue;
		joined[o++] = ' ';
		memcpy(joined + o, p + skip, n - skip);
		o += n - skip;
	}
	str_printable(out, outsize, joined, o);
}
