/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The MIME walk: a stack of the boundaries of the multiparts we are in,
 * and the header of the current part read one field at a time, keeping
 * only Content-Type and Content-Transfer-Encoding. A boundary line must
 * be "--", the boundary, perhaps "--", then only blanks (RFC 2046 §5.1.1
 * transport padding); a boundary of an enclosing multipart also ends the
 * parts inside it, so a missing close delimiter loses nothing. */
#include <config.h>

#include <string.h>

#include "mail/header.h"
#include "mail/mime.h"

#define VALUE_MAX 8192 /* of a Content-Type value: more is not read */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* p[0..n) equals lit, ASCII case-insensitive. */
static bool ci_eq(const char *p, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n && lit[i] != '\0'; i++)
		if (lower(p[i]) != lit[i])
			return false;
	return i == n && lit[i] == '\0';
}

/* Blanks, line ends and comments (RFC 5322 CFWS, nested parentheses). */
static size_t skip_cfws(const char *v, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		char c = v[i];

		if (depth > 0) {
			if (c == '\\')
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
		} else if (c == '(') {
			depth = 1;
		} else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			break;
		}
	}
	return i < n ? i : n;
}

/* The end of an RFC 2045 token starting at i. */
static size_t token_end(const char *v, size_t n, size_t i)
{
	static const char tspecials[] = "()<>@,;:\\\"/[]?=";

	while (i < n && v[i] > 32 && v[i] < 127 && strchr(tspecials, v[i]) == NULL)
		i++;
	return i;
}

/* A parameter value, token or quoted-string, into dst (cap octets with
 * the NUL); its length, or 0 when it is empty or does not fit. *i moves
 * past it. */
static size_t param_value(const char *v, size_t n, size_t *i, char *dst, size_t cap)
{
	size_t k = *i, len = 0;
	bool fits = true;

	if (k < n && v[k] == '"') {
		for (k++; k < n && v[k] != '"'; k++) {
			if (v[k] == '\\' && k + 1 < n)
				k++;
			if (v[k] == '\r' || v[k] == '\n')
				continue; /* folding inside the quotes */
			if (len + 1 < cap)
				dst[len++] = v[k];
			else
				fits = false;
		}
		*i = k < n ? k + 1 : n;
	} else {
		size_t e = token_end(v, n, k);

		fits = e - k < cap;
		len = fits ? e - k : 0;
		memcpy(dst, v + k, len);
		*i = e;
	}
	dst[len] = '\0';
	return fits ? len : 0;
}

void mime_parse_type(struct mime_part *p, const char *v, size_t n)
{
	size_t i = skip_cfws(v, n, 0), t = i, tn, s, sn;
	char junk[MIME_BOUNDARY_MAX + 1];

	p->has_type = true;
	p->kind = MIME_DISCRETE; /* RFC 2045 §5.2: what cannot be read is text/plain */
	tn = token_end(v, n, i) - t;
	i = skip_cfws(v, n, t + tn);
	if (i >= n || v[i] != '/' || tn == 0)
		return;
	s = skip_cfws(v, n, i + 1);
	sn = token_end(v, n, s) - s;
	if (sn == 0)
		return;
	if (ci_eq(v + t, tn, "message")) {
		p->kind = MIME_MESSAGE;
		p->nests = ci_eq(v + s, sn, "rfc822") || ci_eq(v + s, sn, "global");
		return;
	}
	if (!ci_eq(v + t, tn, "multipart"))
		return;
	p->kind = MIME_MULTIPART;
	p->digest = ci_eq(v + s, sn, "digest");
	p->signs = ci_eq(v + s, sn, "signed");
	i = s + sn;
	for (;;) {
		size_t a, an;

		i = skip_cfws(v, n, i);
		if (i >= n || v[i] != ';')
			break;
		a = skip_cfws(v, n, i + 1);
		an = token_end(v, n, a) - a;
		i = skip_cfws(v, n, a + an);
		if (an == 0 || i >= n || v[i] != '=')
			break;
		i = skip_cfws(v, n, i + 1);
		if (ci_eq(v + a, an, "boundary"))
			p->boundary_len = param_value(v, n, &i, p->boundary, sizeof(p->boundary));
		else
			param_value(v, n, &i, junk, sizeof(junk));
	}
}

enum mime_enc mime_parse_cte(const char *v, size_t n, char name[MIME_CTE_NAME_MAX + 1])
{
	static const struct {
		const char *name;
		enum mime_enc enc;
	} names[] = {
		{ "7bit", MIME_ENC_7BIT },     { "8bit", MIME_ENC_8BIT },
		{ "binary", MIME_ENC_BINARY }, { "quoted-printable", MIME_ENC_QP },
		{ "base64", MIME_ENC_BASE64 },
	};
	size_t i = skip_cfws(v, n, 0), e = token_end(v, n, i);

	if (name != NULL) {
		size_t len = e - i < MIME_CTE_NAME_MAX ? e - i : MIME_CTE_NAME_MAX;

		for (size_t k = 0; k < len; k++)
			name[k] = lower(v[i + k]);
		name[len] = '\0';
	}
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (ci_eq(v + i, e - i, names[k].name))
			return names[k].enc;
	return MIME_ENC_OTHER;
}

void mime_walk_init(struct mime_walk *w)
{
	memset(w, 0, sizeof(*w));
	buf_init(&w->value, VALUE_MAX);
}

void mime_walk_fini(struct mime_walk *w)
{
	buf_fini(&w->value);
}

/* The content of a message/rfc822 part begins: its header first. */
static void nest(struct mime_walk *w)
{
	bool is_signed = w->cur.is_signed;

	memset(&w->cur, 0, sizeof(w->cur));
	w->cur.is_signed = is_signed;
	w->part++;
	w->in_header = true;
	w->in_parts = false;
	w->nested = true;
	w->field = FIELD_NONE;
	buf_reset(&w->value);
}

/* The header of the current part is over (blank: with its blank line):
 * a multipart opens a level. */
static void end_header(struct mime_walk *w, bool blank)
{
	struct mime_level *l;

	w->nested = false;
	if (w->descend && blank && w->cur.kind == MIME_MESSAGE && w->cur.nests) {
		nest(w);
		return;
	}
	w->in_header = false;
	w->in_parts = true;
	if (w->cur.kind != MIME_MULTIPART)
		return;
	if (w->cur.boundary_len == 0 || w->depth == MIME_DEPTH_MAX) {
		w->cur.kind = MIME_OPAQUE;
		return;
	}
	l = &w->level[w->depth++];
	l->len = w->cur.boundary_len;
	memcpy(l->boundary, w->cur.boundary, l->len + 1);
	l->digest = w->cur.digest;
	l->is_signed = w->cur.is_signed || w->cur.signs;
	w->in_parts = false; /* the preamble comes first */
}

void mime_walk_start(struct mime_walk *w, const char *type, const char *cte)
{
	memset(&w->cur, 0, sizeof(w->cur));
	w->part = 0;
	w->depth = 0;
	w->nested = false;
	if (type != NULL)
		mime_parse_type(&w->cur, type, strlen(type));
	if (cte != NULL)
		w->cur.enc = mime_parse_cte(cte, strlen(cte), w->cur.cte);
	end_header(w, true);
}

/* What the field just read says about the part; the first of each wins. */
static void finish_field(struct mime_walk *w)
{
	const char *v = w->value.data != NULL ? w->value.data : "";

	if (w->field == FIELD_TYPE && !w->cur.has_type)
		mime_parse_type(&w->cur, v, w->value.len);
	else if (w->field == FIELD_CTE && w->cur.enc == MIME_ENC_NONE)
		w->cur.enc = mime_parse_cte(v, w->value.len, w->cur.cte);
	w->field = FIELD_NONE;
	buf_reset(&w->value);
}

static void keep_value(struct mime_walk *w, const char *p, size_t n)
{
	size_t room = VALUE_MAX - w->value.len;

	if (w->field != FIELD_NONE)
		buf_append(&w->value, p, n < room ? n : room);
}

static enum mime_role header_line(struct mime_walk *w, const char *p, size_t n, bool whole)
{
	const char *colon;

	if (n == 0 && whole) {
		finish_field(w);
		end_header(w, true);
		return MIME_HEADER_END;
	}
	if (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
		w->cte_line = w->field == FIELD_CTE;
		keep_value(w, p, n);
		return MIME_HEADER;
	}
	if (header_classify(p, n, true) != HEADER_LINE_FIELD) {
		/* Text where a field or the blank line should be: the header
		 * ends here, and this line is the first of what follows. */
		finish_field(w);
		end_header(w, false);
		w->cur.bad_header = true;
		return mime_walk_line(w, p, n, whole);
	}
	finish_field(w);
	colon = memchr(p, ':', n);
	{
		size_t nl = (size_t)(colon - p);

		while (nl > 0 && (p[nl - 1] == ' ' || p[nl - 1] == '\t'))
			nl--;
		if (ci_eq(p, nl, "content-type"))
			w->field = FIELD_TYPE;
		else if (ci_eq(p, nl, "content-transfer-encoding"))
			w->field = FIELD_CTE;
	}
	w->cte_line = w->field == FIELD_CTE;
	keep_value(w, colon + 1, n - (size_t)(colon - p) - 1);
	return MIME_HEADER;
}

/* -1: not a boundary line of l; 0: a delimiter; 1: the close delimiter. */
static int boundary_match(const struct mime_level *l, const char *p, size_t n)
{
	size_t i = 2 + l->len;
	int close = 0;

	if (n < i || memcmp(p + 2, l->boundary, l->len) != 0)
		return -1;
	if (n - i >= 2 && p[i] == '-' && p[i + 1] == '-') {
		close = 1;
		i += 2;
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return -1;
	return close;
}

/* A delimiter of level i: a new part, which by default is text/plain, or
 * message/rfc822 in a digest (RFC 2046 §5.1.5). */
static void new_part(struct mime_walk *w, const struct mime_level *l)
{
	memset(&w->cur, 0, sizeof(w->cur));
	w->cur.kind = l->digest ? MIME_MESSAGE : MIME_DISCRETE;
	w->cur.nests = l->digest;
	w->cur.is_signed = l->is_signed;
	w->part++;
	w->in_header = true;
	w->in_parts = false;
	w->nested = false;
	w->field = FIELD_NONE;
	buf_reset(&w->value);
}

enum mime_role mime_walk_line(struct mime_walk *w, const char *p, size_t n, bool whole)
{
	w->cte_line = false;
	if (w->in_header)
		return header_line(w, p, n, whole);
	if (whole && n >= 2 && p[0] == '-' && p[1] == '-') {
		for (size_t i = w->depth; i-- > 0;) {
			int close = boundary_match(&w->level[i], p, n);

			if (close < 0)
				continue;
			if (close) {
				w->depth = i; /* and every level inside it */
				w->in_parts = false;
			} else {
				w->depth = i + 1;
				new_part(w, &w->level[i]);
			}
			return MIME_DELIMITER;
		}
	}
	return w->in_parts ? MIME_BODY : MIME_OTHER;
}
