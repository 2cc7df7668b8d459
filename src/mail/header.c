/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The header field store: recognising a field line (RFC 5322 §2.2 and the
 * obsolete "name WSP :" of §4.5), keeping fields as raw text in order,
 * finding, removing and adding them, and the -t recipient rule. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "mail/header.h"

/* Blanks allowed between an obsolete field name and its colon. */
#define HEADER_OBS_BLANKS_MAX 64

/* RFC 5322 §3.6.8: ftext is printable US-ASCII except ':'. */
static bool is_ftext(char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

static size_t name_span(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_ftext(p[i]))
		i++;
	return i;
}

enum header_line header_classify(const char *p, size_t len, bool at_eol)
{
	size_t i = name_span(p, len), j;

	if (i > HEADER_NAME_MAX || (i == 0 && len > 0))
		return HEADER_LINE_NOT_FIELD;
	if (i == len)
		return at_eol ? HEADER_LINE_NOT_FIELD : HEADER_LINE_MORE;
	for (j = i; j < len && (p[j] == ' ' || p[j] == '\t'); j++)
		;
	if (j - i > HEADER_OBS_BLANKS_MAX)
		return HEADER_LINE_NOT_FIELD;
	if (j == len)
		return at_eol ? HEADER_LINE_NOT_FIELD : HEADER_LINE_MORE;
	return p[j] == ':' ? HEADER_LINE_FIELD : HEADER_LINE_NOT_FIELD;
}

void header_fini(struct header *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].raw);
		free(h->v[i].name);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
}

static int header_grow(struct header *h)
{
	struct header_field *v;
	size_t cap;

	if (h->n < h->cap)
		return 0;
	cap = h->cap < 16 ? 16 : h->cap * 2;
	if (cap > SIZE_MAX / sizeof(*v)) {
		errno = ENOMEM;
		return -1;
	}
	v = realloc(h->v, cap * sizeof(*v));
	if (v == NULL)
		return -1;
	h->v = v;
	h->cap = cap;
	return 0;
}

/* Fill f from a raw field; raw must start with a valid field line. */
static int field_init(struct header_field *f, char *raw, size_t len)
{
	size_t nlen = name_span(raw, len);
	const char *colon = memchr(raw + nlen, ':', len - nlen);

	if (nlen == 0 || colon == NULL) {
		errno = EINVAL;
		return -1;
	}
	f->name = str_ndup(raw, nlen);
	if (f->name == NULL)
		return -1;
	f->raw = raw;
	f->len = len;
	f->verbatim = false;
	f->value_off = (size_t)(colon - raw) + 1;
	return 0;
}

static int header_put(struct header *h, size_t at, char *raw, size_t len)
{
	struct header_field f;

	if (at > h->n || header_grow(h) < 0 || field_init(&f, raw, len) < 0)
		return -1;
	memmove(h->v + at + 1, h->v + at, (h->n - at) * sizeof(*h->v));
	h->v[at] = f;
	h->n++;
	return 0;
}

int header_append_raw(struct header *h, char *raw, size_t len)
{
	return header_put(h, h->n, raw, len);
}

/* CR and LF only as folding: CRLF followed by a blank (RFC 5322 §2.2.3). */
static bool value_ok(const char *v)
{
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\n')
			return false;
		if (*p == '\r') {
			if (p[1] != '\n' || (p[2] != ' ' && p[2] != '\t'))
				return false;
			p++;
		}
	}
	return true;
}

/* "Name: value" (or "Name:" for an empty value), malloc'd; NULL with errno
 * EINVAL for a bad name or value, ENOMEM. */
static char *field_format(const char *name, const char *value, size_t *len)
{
	size_t nlen = strlen(name);
	struct buf b = { 0 };
	char *raw;

	if (nlen == 0 || nlen > HEADER_NAME_MAX || name_span(name, nlen) != nlen ||
	    !value_ok(value)) {
		errno = EINVAL;
		return NULL;
	}
	if (buf_append(&b, name, nlen) < 0 || buf_append_char(&b, ':') < 0 ||
	    (value[0] != '\0' && buf_append_char(&b, ' ') < 0) || buf_append_str(&b, value) < 0) {
		buf_fini(&b);
		errno = ENOMEM;
		return NULL;
	}
	*len = b.len;
	raw = buf_steal(&b);
	if (raw == NULL)
		errno = ENOMEM;
	return raw;
}

int header_insert(struct header *h, size_t at, const char *name, const char *value)
{
	size_t len;
	char *raw = field_format(name, value, &len);

	if (raw == NULL)
		return -1;
	if (header_put(h, at, raw, len) < 0) {
		free(raw);
		return -1;
	}
	return 0;
}

int header_set(struct header *h, size_t i, const char *value)
{
	struct header_field *f;
	size_t len;
	char *raw;

	if (i >= h->n) {
		errno = EINVAL;
		return -1;
	}
	f = &h->v[i];
	raw = field_format(f->name, value, &len);
	if (raw == NULL)
		return -1;
	free(f->raw);
	f->raw = raw;
	f->len = len;
	f->value_off = strlen(f->name) + 1;
	return 0;
}

long header_find(const struct header *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (str_eq_ci(h->v[i].name, name))
			return (long)i;
	return -1;
}

size_t header_remove(struct header *h, const char *name)
{
	size_t kept = 0, gone = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (str_eq_ci(h->v[i].name, name)) {
			free(h->v[i].raw);
			free(h->v[i].name);
			gone++;
		} else {
			h->v[kept++] = h->v[i];
		}
	}
	h->n = kept;
	return gone;
}

size_t header_size(const struct header *h)
{
	size_t size = 0;

	for (size_t i = 0; i < h->n; i++)
		size += h->v[i].len + 2;
	return size;
}

bool header_is_8bit(const struct header *h)
{
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = 0; j < h->v[i].len; j++)
			if ((unsigned char)h->v[i].raw[j] >= 0x80)
				return true;
	return false;
}

/* Postfix marks these as "Resent-" headers (header_opts.c, HDR_OPT_RR):
 * the presence of any switches -t to the Resent- recipients. */
static const char *const resent_names[] = {
	"Resent-Bcc",	     "Resent-Cc",	"Resent-Date",	 "Resent-From",
	"Resent-Message-Id", "Resent-Reply-To", "Resent-Sender", "Resent-To",
};

static bool header_has_resent(const struct header *h)
{
	for (size_t i = 0; i < sizeof(resent_names) / sizeof(resent_names[0]); i++)
		if (header_find(h, resent_names[i]) >= 0)
			return true;
	return false;
}

int header_recipients(const struct header *h, struct addrlist *out, struct error *err)
{
	static const char *const plain[] = { "To", "Cc", "Bcc" };
	static const char *const resent[] = { "Resent-To", "Resent-Cc", "Resent-Bcc" };
	const char *const *names = header_has_resent(h) ? resent : plain;

	for (size_t i = 0; i < h->n; i++) {
		const struct header_field *f = &h->v[i];

		if (!str_eq_ci(f->name, names[0]) && !str_eq_ci(f->name, names[1]) &&
		    !str_eq_ci(f->name, names[2]))
			continue;
		if (address_parse_header(f->raw + f->value_off, f->len - f->value_off, out, err) <
		    0) {
			error_prefix(err, _("in the %s header field"), f->name);
			return -1;
		}
	}
	return 0;
}
