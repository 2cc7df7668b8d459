/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Header fields to and from a milter, and the body it replaces. A field
 * a milter gives is checked before it is stored: a name of ftext, and a
 * value whose newlines all fold, so that no edit can put a line into the
 * header that is not part of its field. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "mail/header.h"
#include "mail/message_impl.h"
#include "mail/milter_edit.h"

#define SHOWN_MAX 60 /* octets of a bad name or value quoted in an error */

int milter_edit_header_out(const struct message *m, size_t i, bool leadspc, struct buf *out)
{
	const struct header_field *f = &m->hdr.v[i];
	const char *v = f->raw + f->value_off, *end = f->raw + f->len;

	if (buf_append(out, f->name, strlen(f->name) + 1) < 0)
		return -1;
	if (!leadspc && v < end && *v == ' ')
		v++;
	for (; v < end; v++) {
		if (*v == '\r' && v + 1 < end && v[1] == '\n')
			continue;
		if (buf_append_char(out, *v) < 0)
			return -1;
	}
	return buf_append_char(out, '\0');
}

ssize_t milter_edit_body_read(const struct message *m, off_t off, char *dst, size_t cap,
			      const char **p, struct error *err)
{
	ssize_t r = spool_read(&m->body, off, dst, cap, p, err);

	return r > 0 && (size_t)r > cap ? (ssize_t)cap : r;
}

static int refuse(struct error *err, bool name, const char *text)
{
	char shown[SHOWN_MAX * 4 + 1];

	str_printable(shown, sizeof(shown), text, strnlen(text, SHOWN_MAX));
	if (name)
		error_set(err, ERROR_PROTOCOL,
			  _("the header name \"%s\" cannot be put in the header"), shown);
	else
		error_set(err, ERROR_PROTOCOL,
			  _("the header value \"%s\" cannot be put in the header"), shown);
	return -1;
}

/* "name:" space value, newlines as CRLF; NULL with err set. */
static char *field_text(const char *name, const char *space, const char *value, size_t *len,
			struct error *err)
{
	size_t nlen = strlen(name);
	struct buf b = { 0 };

	if (nlen == 0 || nlen > HEADER_NAME_MAX ||
	    header_classify(name, nlen, false) != HEADER_LINE_MORE) {
		refuse(err, true, name);
		return NULL;
	}
	if (buf_printf(&b, "%s:%s", name, space) < 0)
		goto nomem;
	for (const char *v = value; *v != '\0'; v++) {
		if (*v == '\r' && v[1] == '\n')
			continue;
		if (*v == '\r' || (*v == '\n' && v[1] != ' ' && v[1] != '\t')) {
			buf_fini(&b);
			refuse(err, false, value);
			return NULL;
		}
		if ((*v == '\n' ? buf_append(&b, "\r\n", 2) : buf_append_char(&b, *v)) < 0)
			goto nomem;
	}
	*len = b.len;
	if (b.data == NULL && buf_append(&b, "", 0) < 0)
		goto nomem;
	return buf_steal(&b);
nomem:
	buf_fini(&b);
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return NULL;
}

int milter_edit_insert(struct message *m, size_t at, const char *name, const char *space,
		       const char *value, struct error *err)
{
	struct header *h = &m->hdr;
	size_t len;
	char *raw = field_text(name, space, value, &len, err);
	struct header_field f;

	if (raw == NULL)
		return -1;
	if (header_append_raw(h, raw, len) < 0) {
		free(raw);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (at < h->n - 1) {
		f = h->v[h->n - 1];
		memmove(h->v + at + 1, h->v + at, (h->n - 1 - at) * sizeof(*h->v));
		h->v[at] = f;
	}
	return 0;
}

int milter_edit_add(struct message *m, const char *name, const char *space, const char *value,
		    struct error *err)
{
	return milter_edit_insert(m, m->hdr.n, name, space, value, err);
}

long milter_edit_find(const struct message *m, uint32_t index, const char *name)
{
	const struct header *h = &m->hdr;
	size_t seen = 0;

	if (index == 0)
		index = 1;
	for (size_t i = 0; i < h->n; i++)
		if (str_eq_ci(h->v[i].name, name) && ++seen == index)
			return (long)i;
	return -1;
}

int milter_edit_change(struct message *m, uint32_t index, const char *name, const char *space,
		       const char *value, struct error *err)
{
	struct header *h = &m->hdr;
	long found = milter_edit_find(m, index, name);
	size_t i = (size_t)found;

	if (found < 0)
		return value[0] == '\0' ? 0 : milter_edit_add(m, name, space, value, err);
	if (value[0] == '\0') {
		free(h->v[i].raw);
		free(h->v[i].name);
		memmove(h->v + i, h->v + i + 1, (h->n - i - 1) * sizeof(*h->v));
		h->n--;
		return 0;
	}
	return milter_edit_set(m, i, name, space, value, err);
}

int milter_edit_set(struct message *m, size_t i, const char *name, const char *space,
		    const char *value, struct error *err)
{
	struct header *h = &m->hdr;
	size_t len;
	char *raw;
	struct header_field old;

	if ((raw = field_text(name, space, value, &len, err)) == NULL)
		return -1;
	/* Appended, then moved into the old field's place. */
	if (header_append_raw(h, raw, len) < 0) {
		free(raw);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	old = h->v[i];
	h->v[i] = h->v[h->n - 1];
	h->n--;
	free(old.raw);
	free(old.name);
	return 0;
}

struct milter_body {
	struct spool spool;
	size_t max;
	bool cr;       /* the last piece ended in CR */
	char last;     /* the last octet stored; '\n' while empty */
	bool line_end; /* what was stored so far ends a line (or is empty) */
};

struct milter_body *milter_edit_body_new(const struct message *m, size_t max, struct error *err)
{
	struct milter_body *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	spool_init(&b->spool, m->body.mem_max, m->body.tmpdir);
	b->max = max;
	b->last = '\n';
	b->line_end = true;
	return b;
}

void milter_edit_body_free(struct milter_body *b)
{
	if (b == NULL)
		return;
	spool_fini(&b->spool);
	free(b);
}

static int body_put(struct milter_body *b, const char *p, size_t n, struct error *err)
{
	if (n == 0)
		return 0;
	if (b->max > 0 && (n > b->max || b->spool.size > b->max - n)) {
		error_set(err, ERROR_DATA, _("the body a milter gave is larger than %zu octets"),
			  b->max);
		return -1;
	}
	if (spool_append(&b->spool, p, n, err) < 0)
		return -1;
	b->line_end = p[n - 1] == '\n' && (n >= 2 ? p[n - 2] : b->last) == '\r';
	b->last = p[n - 1];
	return 0;
}

int milter_edit_body_add(struct milter_body *b, const char *p, size_t n, struct error *err)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		/* A CR at the end of the previous piece and this LF are CRLF. */
		bool crlf = i > 0 ? p[i - 1] == '\r' : b->cr;

		if (p[i] != '\n' || crlf)
			continue;
		if (body_put(b, p + start, i - start, err) < 0 || body_put(b, "\r\n", 2, err) < 0)
			return -1;
		start = i + 1;
	}
	if (body_put(b, p + start, n - start, err) < 0)
		return -1;
	if (n > 0)
		b->cr = p[n - 1] == '\r';
	return 0;
}

int milter_edit_body_finish(struct milter_body *b, struct message *m, struct error *err)
{
	if ((!b->line_end && b->spool.size > 0 && body_put(b, "\r\n", 2, err) < 0) ||
	    spool_finish(&b->spool, err) < 0) {
		milter_edit_body_free(b);
		return -1;
	}
	spool_fini(&m->body);
	m->body = b->spool;
	free(b);
	return 0;
}
