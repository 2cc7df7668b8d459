/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Quoted-printable, one octet held back: how an octet is written, and
 * whether it still fits the line, depends on whether it is the last of
 * its line. A blank at the end of a line is encoded (rule 3: a relay may
 * strip trailing blanks), so is "=", every octet outside 33..126 but the
 * blank and the tab (rules 1 and 2), and, right after a soft break, a "-"
 * (a line that starts "--" there could pass for a boundary with a reader
 * that matches only its start, RFC 2046 §5.1.1) and an "F" (a "From "
 * there would become ">From " in an mbox). A "." that starts a line is
 * left as it is: SMTP dot-stuffing comes later, on the wire. */
#include <config.h>

#include "mail/qp.h"

static const char hex[] = "0123456789ABCDEF";

static bool literal(unsigned char c, bool last)
{
	if (c == ' ' || c == '\t')
		return !last;
	return c >= 33 && c <= 126 && c != '=';
}

/* Write the held octet; last: it ends the line, which may then be full. */
static int put_held(struct qp *q, bool last, struct buf *out)
{
	unsigned char c = q->held;
	size_t w = literal(c, last) ? 1 : 3;
	/* A line that goes on keeps room for its soft break "=". */
	size_t room = last ? QP_LINE_MAX : QP_LINE_MAX - 1;

	q->holding = false;
	if (q->col + w > room) {
		if (buf_append(out, "=\r\n", 3) < 0)
			return -1;
		q->col = 0;
		if (c == '-' || c == 'F')
			w = 3;
	}
	q->col += w;
	if (w == 1)
		return buf_append_char(out, (char)c);
	{
		char enc[3] = { '=', hex[c >> 4], hex[c & 0x0f] };

		return buf_append(out, enc, sizeof(enc));
	}
}

int qp_data(struct qp *q, const char *p, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (q->holding && put_held(q, false, out) < 0)
			return -1;
		q->held = (unsigned char)p[i];
		q->holding = true;
	}
	return 0;
}

int qp_eol(struct qp *q, struct buf *out)
{
	if (q->holding && put_held(q, true, out) < 0)
		return -1;
	q->col = 0;
	return buf_append(out, "\r\n", 2);
}
