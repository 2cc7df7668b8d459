/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Dot-stuffing with memchr over whole lines, so a large body costs one
 * scan and a few copies. Any LF counts as a line end here: doubling a dot
 * after a bare LF is harmless and keeps "<LF>.<LF>" from ending the data
 * early at a lenient server. */
#include <config.h>

#include <string.h>

#include "smtp/bodyenc.h"

void bodyenc_init(struct bodyenc *e)
{
	e->midline = false;
	e->last[0] = '\0';
	e->last[1] = '\0';
	e->nbytes = 0;
}

int bodyenc_add(struct bodyenc *e, struct buf *out, const char *p, size_t len)
{
	e->nbytes += len;
	while (len > 0) {
		const char *lf;
		size_t n;

		if (!e->midline && p[0] == '.' && buf_append_char(out, '.') < 0)
			return -1;
		lf = memchr(p, '\n', len);
		n = lf != NULL ? (size_t)(lf - p) + 1 : len;
		if (buf_append(out, p, n) < 0)
			return -1;
		e->midline = lf == NULL;
		e->last[0] = n >= 2 ? p[n - 2] : e->last[1];
		e->last[1] = p[n - 1];
		p += n;
		len -= n;
	}
	return 0;
}

int bodyenc_end(struct bodyenc *e, struct buf *out)
{
	const char *tail = "";

	if (e->nbytes > 0 && !(e->last[0] == '\r' && e->last[1] == '\n'))
		tail = e->last[1] == '\r' ? "\n" : "\r\n";
	if (buf_append_str(out, tail) < 0 || buf_append_str(out, ".\r\n") < 0)
		return -1;
	return 0;
}
