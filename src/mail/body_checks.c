/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One pass over the stored body, a MIME walk (mime.h) that goes into
 * attached messages: each line is cut into Postfix's pieces, part header
 * fields are gathered into logical lines, and each piece or field is
 * looked up in its table (checks.c). What the actions leave is written
 * into a new spool, which replaces the body only when something changed
 * and nothing stopped the message, so a rejected message is kept as it
 * came. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "mail/body_checks.h"
#include "mail/checks_impl.h"
#include "mail/fold.h"
#include "mail/header.h"
#include "mail/message_impl.h"
#include "mail/mime.h"
#include "mail/spool.h"

#define CHUNK (64 * 1024)
/* line_length_limit, Postfix's record size, within Postfix's bounds. */
#define PIECE_MIN 512
#define PIECE_LIMIT 2147483647UL
#define FIELD_MAX (100 * 1024) /* of a part header field looked up; more is kept as it is */

struct body_checks {
	struct check_table body, mime, nested;
	unsigned long size_limit; /* 0: every line */
	size_t line_max;	  /* smtp_line_length_limit; SIZE_MAX: none */
	size_t piece_max;	  /* line_length_limit: the pieces a line is cut in */
};

/* line_length_limit, as Postfix's int parameter with its minimum of 512. */
static int piece_max(const struct config *cfg, size_t *out, struct error *err)
{
	unsigned long v;

	if (config_get_ulong(cfg, "line_length_limit", &v, err) < 0)
		return -1;
	if (v < PIECE_MIN || v > PIECE_LIMIT || v > SIZE_MAX / 2) {
		config_bad_value(err, cfg, "line_length_limit",
				 config_get(cfg, "line_length_limit"),
				 _("use a number of bytes from %d to %lu"), PIECE_MIN, PIECE_LIMIT);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

struct body_checks *body_checks_open(const struct config *cfg, enum header_checks_kind kind,
				     struct error *err)
{
	bool smtp = kind == HEADER_CHECKS_SMTP;
	struct body_checks *bc = calloc(1, sizeof(*bc));
	unsigned long line_max;

	if (bc == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	if (check_table_open(&bc->body, cfg, smtp ? "smtp_body_checks" : "body_checks", kind, err) <
		0 ||
	    check_table_open(&bc->mime, cfg,
			     smtp ? "smtp_mime_header_checks" : "mime_header_checks", kind,
			     err) < 0 ||
	    check_table_open(&bc->nested, cfg,
			     smtp ? "smtp_nested_header_checks" : "nested_header_checks", kind,
			     err) < 0 ||
	    (!smtp && config_get_ulong(cfg, "body_checks_size_limit", &bc->size_limit, err) < 0) ||
	    config_get_ulong(cfg, "smtp_line_length_limit", &line_max, err) < 0 ||
	    piece_max(cfg, &bc->piece_max, err) < 0) {
		body_checks_free(bc);
		return NULL;
	}
	bc->line_max = line_max == 0 ? SIZE_MAX : line_max < FOLD_MIN ? FOLD_MIN : line_max;
	return bc;
}

void body_checks_free(struct body_checks *bc)
{
	if (bc == NULL)
		return;
	check_table_fini(&bc->body);
	check_table_fini(&bc->mime);
	check_table_fini(&bc->nested);
	free(bc);
}

bool body_checks_empty(const struct body_checks *bc)
{
	return bc == NULL || (check_table_empty(&bc->body) && check_table_empty(&bc->mime) &&
			      check_table_empty(&bc->nested));
}

struct walk {
	const struct body_checks *bc;
	const struct header_checks_who *who;
	struct header_checks_result *res;
	struct error *err;
	struct mime_walk w;
	struct spool out;
	struct buf field;    /* the part header field being read, raw */
	bool field_open;     /* field holds one */
	bool field_nested;   /* it is in a nested message's header */
	bool field_cut;	     /* longer than FIELD_MAX: written, not looked up */
	enum mime_role role; /* of the line the pieces belong to */
	size_t offset;	     /* of the next body piece in its segment */
	size_t col;	     /* octets on the output line so far */
	bool changed;
	bool stopped; /* REJECT or HOLD: err says why */
};

static int put(struct walk *k, const char *p, size_t n)
{
	return spool_append(&k->out, p, n, k->err);
}

static int nomem_err(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

static int nomem(struct walk *k)
{
	return nomem_err(k->err);
}

/* The end of an output line. */
static int put_eol(struct walk *k)
{
	k->col = 0;
	return put(k, "\r\n", 2);
}

/* Text of a body line. What a REPLACE or PREPEND made longer than
 * smtp_line_length_limit is broken with CRLF SPACE, as Postfix's SMTP
 * client breaks it (the lines of the message itself are no longer
 * already: mail/reencode.h). */
static int put_text(struct walk *k, const char *p, size_t n)
{
	while (n > k->bc->line_max - k->col) {
		size_t room = k->bc->line_max - k->col;
		size_t cut = room > 0 ? fold_cut(p, room) : 0;

		if (room > 0 && cut == 0)
			cut = room;
		if (put(k, p, cut) < 0 || put(k, "\r\n ", 3) < 0)
			return -1;
		k->col = 1;
		p += cut;
		n -= cut;
	}
	k->col += n;
	return put(k, p, n);
}

/* What REDIRECT, BCC and DISCARD decided, into the result. */
static int note(struct walk *k, const struct check_decision *d)
{
	if (d->act == ACT_DISCARD) {
		k->res->verdict = HEADER_CHECKS_DISCARD;
	} else if (d->act == ACT_REDIRECT) {
		free(k->res->redirect);
		if ((k->res->redirect = str_dup(d->text)) == NULL)
			goto nomem;
	} else if (d->act == ACT_BCC && addrlist_add(&k->res->bcc, d->text) < 0) {
		goto nomem;
	}
	return 0;
nomem:
	error_set(k->err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* Look line up in t; 1 with *d to act on, 0 when the message stops or
 * when nothing is to be done, -1 on failure. */
static int lookup(struct walk *k, const struct check_table *t, enum check_where where,
		  const char *line, struct check_decision *d)
{
	int rc = check_line(t, k->who, where, line, d, k->err);

	if (rc <= 0)
		return rc;
	if (d->act == ACT_REJECT || d->act == ACT_HOLD) {
		if (!k->stopped)
			check_stop_error(t, d, k->err);
		k->stopped = true;
		return 0;
	}
	if (note(k, d) < 0)
		return -1;
	return 1;
}

/* A table's text as a field: a folded $1 keeps its folding as CRLF,
 * any other line end becomes a blank; folded when a line of it is
 * longer than smtp_line_length_limit. */
static int put_field_text(struct walk *k, const char *text)
{
	struct buf b = { 0 };
	size_t len;
	char *raw, *folded;
	int rc;

	for (const char *p = text; *p != '\0'; p++) {
		const char *c = p;

		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t'))
			c = "\r\n";
		else if (*p == '\n' || *p == '\r')
			c = " ";
		if (buf_append(&b, c, c == p ? 1 : strlen(c)) < 0) {
			buf_fini(&b);
			return nomem(k);
		}
	}
	len = b.len;
	if ((raw = buf_steal(&b)) == NULL)
		return nomem(k);
	folded = k->bc->line_max == SIZE_MAX ? raw : fold_header(raw, &len, k->bc->line_max);
	if (folded == NULL) {
		free(raw);
		return nomem(k);
	}
	rc = put(k, folded, len) < 0 || put_eol(k) < 0 ? -1 : 0;
	free(folded);
	return rc;
}

/* The part header field read so far: looked up, then written as its
 * action says. */
static int field_flush(struct walk *k)
{
	struct check_decision d = { 0 };
	const struct check_table *t;
	char *line = NULL;
	size_t n = 0;
	int rc;

	if (!k->field_open)
		return 0;
	k->field_open = false;
	if (k->field_cut)
		return put_eol(k);
	if (buf_append(&k->field, "", 1) < 0 || (line = malloc(k->field.len)) == NULL) {
		error_set(k->err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	k->field.len--;
	/* Postfix joins the lines of a field with LF. */
	for (size_t i = 0; i < k->field.len; i++)
		if (!(k->field.data[i] == '\r' && k->field.data[i + 1] == '\n'))
			line[n++] = k->field.data[i];
	line[n] = '\0';
	t = k->field_nested ? check_table_for(&k->bc->nested, &k->bc->mime, line, n) : &k->bc->mime;
	rc = lookup(k, t, CHECK_HEADER, line, &d);
	free(line);
	if (rc < 0)
		goto out;
	if (d.act == ACT_PREPEND || d.act == ACT_REPLACE || d.act == ACT_DROP)
		k->changed = true;
	if ((d.act == ACT_PREPEND || d.act == ACT_REPLACE) && put_field_text(k, d.text) < 0)
		rc = -1;
	else if (d.act != ACT_REPLACE && d.act != ACT_DROP &&
		 (put(k, k->field.data, k->field.len) < 0 || put_eol(k) < 0))
		rc = -1;
out:
	free(d.text);
	buf_reset(&k->field);
	return rc < 0 ? -1 : 0;
}

/* A piece of a part header line, into the open field; first and last:
 * it starts and ends the line. A field too long to look up (Postfix
 * cuts its own at header_size_limit) is written as it comes. */
static int header_piece(struct walk *k, const char *p, size_t n, bool first, bool last)
{
	bool cont = first && n > 0 && (p[0] == ' ' || p[0] == '\t');

	if (first && !cont) {
		if (field_flush(k) < 0)
			return -1;
		k->field_open = true;
		k->field_nested = k->w.nested;
		k->field_cut = false;
	}
	if (!k->field_open) /* a stray continuation: kept */
		return put(k, p, n) < 0 || (last && put_eol(k) < 0) ? -1 : 0;
	if (cont && k->field_cut && put(k, "\r\n", 2) < 0)
		return -1;
	if (cont && !k->field_cut && buf_append(&k->field, "\r\n", 2) < 0)
		return nomem(k);
	if (!k->field_cut && k->field.len + n > FIELD_MAX) {
		k->field_cut = true;
		if (put(k, k->field.data, k->field.len) < 0)
			return -1;
		buf_reset(&k->field);
	}
	if (k->field_cut)
		return put(k, p, n);
	return buf_append(&k->field, p, n) < 0 ? nomem(k) : 0;
}

/* A piece of a body line: looked up while its offset is under the
 * limit, then written as its action says. first and last: it starts
 * and ends the line. */
static int body_piece(struct walk *k, const char *p, size_t n, bool first, bool last)
{
	struct check_decision d = { 0 };
	bool checked = k->bc->size_limit == 0 || k->offset < k->bc->size_limit;
	char *line = checked && !check_table_empty(&k->bc->body) ? str_ndup(p, n) : NULL;
	int rc = 0;

	if (line != NULL)
		rc = lookup(k, &k->bc->body, CHECK_BODY, line, &d);
	else if (checked && !check_table_empty(&k->bc->body))
		rc = -1, error_set(k->err, ERROR_INTERNAL, _("out of memory"));
	free(line);
	k->offset += n + 1;
	if (rc < 0)
		goto out;
	rc = 0;
	if (d.act == ACT_PREPEND || d.act == ACT_REPLACE || d.act == ACT_DROP)
		k->changed = true;
	if (d.act == ACT_PREPEND && (put_text(k, d.text, strlen(d.text)) < 0 || put_eol(k) < 0))
		rc = -1;
	else if (d.act == ACT_REPLACE && put_text(k, d.text, strlen(d.text)) < 0)
		rc = -1;
	else if (d.act != ACT_REPLACE && d.act != ACT_DROP && put_text(k, p, n) < 0)
		rc = -1;
	/* A line dropped whole leaves nothing; the last piece of one, its
	 * end. */
	if (rc == 0 && last && !(d.act == ACT_DROP && first) && put_eol(k) < 0)
		rc = -1;
out:
	free(d.text);
	return rc < 0 ? -1 : 0;
}

/* One piece of a line of the body; first: it starts the line, last: it
 * ends it. */
static int piece(struct walk *k, const char *p, size_t n, bool first, bool last)
{
	if (first) {
		bool in_header = k->w.in_header;

		k->role = mime_walk_line(&k->w, p, n, last);
		/* Postfix's body segment begins at the line that ends a
		 * header (blank or not), and again at a close delimiter. */
		if ((in_header && k->role != MIME_HEADER) ||
		    (k->role == MIME_DELIMITER && !k->w.in_header))
			k->offset = 0;
	}
	if (k->role == MIME_HEADER)
		return header_piece(k, p, n, first, last);
	if (first && field_flush(k) < 0)
		return -1;
	return body_piece(k, p, n, first, last);
}

/* Every line of the body, in pieces of at most line_length_limit octets,
 * without its CRLF (the stored body has no other CR). */
static int each_piece(struct walk *k, const struct spool *s)
{
	struct buf line = { 0 };
	char *chunk = malloc(CHUNK);
	size_t max = k->bc->piece_max;
	bool first = true;
	off_t off = 0;
	int rc = 0;

	if (chunk == NULL) {
		error_set(k->err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	while (rc == 0 && !k->stopped) {
		const char *p;
		ssize_t r = spool_read(s, off, chunk, CHUNK, &p, k->err);

		if (r <= 0) {
			rc = (int)r;
			break;
		}
		off += r;
		for (const char *q = p, *end = p + r; q < end && rc == 0;) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t seg = nl != NULL ? (size_t)(nl - q) : (size_t)(end - q);

			while (seg > 0 && rc == 0) {
				size_t take = max + 1 - line.len;

				take = take < seg ? take : seg;
				if (buf_append(&line, q, take) < 0) {
					error_set(k->err, ERROR_INTERNAL, _("out of memory"));
					rc = -1;
				} else if (line.len > max) {
					rc = piece(k, line.data, max, first, false);
					buf_consume(&line, max);
					first = false;
				}
				q += take;
				seg -= take;
			}
			if (nl != NULL && rc == 0) {
				size_t n =
				    line.len - (line.len > 0 && line.data[line.len - 1] == '\r');

				rc = piece(k, line.data != NULL ? line.data : "", n, first, true);
				buf_reset(&line);
				first = true;
				q = nl + 1;
			}
		}
	}
	if (rc == 0 && !k->stopped && (line.len > 0 || !first))
		rc = piece(k, line.data != NULL ? line.data : "", line.len, first, true);
	if (rc == 0 && !k->stopped)
		rc = field_flush(k);
	buf_fini(&line);
	free(chunk);
	return rc;
}

static const char *field_value(const struct header *h, const char *name)
{
	long i = header_find(h, name);

	return i >= 0 ? h->v[i].raw + h->v[i].value_off : NULL;
}

/* The walk, its results added to res; on failure m is unchanged and res
 * is the caller's to drop. */
static int walk_body(const struct body_checks *bc, struct message *m,
		     const struct header_checks_who *who, struct header_checks_result *res,
		     struct error *err)
{
	struct walk k = { .bc = bc, .who = who, .res = res, .err = err };
	int rc;

	if (body_checks_empty(bc))
		return 0;
	mime_walk_init(&k.w);
	k.w.descend = true;
	mime_walk_start(&k.w, field_value(&m->hdr, "Content-Type"),
			field_value(&m->hdr, "Content-Transfer-Encoding"));
	spool_init(&k.out, m->body.mem_max, NULL);
	buf_init(&k.field, 0);
	/* The blank line after the header is the segment's first line. */
	k.offset = 1;
	rc = each_piece(&k, &m->body);
	if (rc == 0 && !k.stopped && k.changed && res->verdict == HEADER_CHECKS_PASS)
		rc = spool_finish(&k.out, err);
	if (rc == 0 && k.stopped)
		rc = -1;
	if (rc == 0 && k.changed && res->verdict == HEADER_CHECKS_PASS) {
		spool_fini(&m->body);
		m->body = k.out;
	} else {
		spool_fini(&k.out);
	}
	mime_walk_fini(&k.w);
	buf_fini(&k.field);
	return rc;
}

int body_checks_apply(const struct body_checks *bc, struct message *m,
		      const struct header_checks_who *who, struct header_checks_result *res,
		      struct error *err)
{
	memset(res, 0, sizeof(*res));
	if (walk_body(bc, m, who, res, err) < 0) {
		header_checks_result_fini(res);
		return -1;
	}
	return 0;
}

/* A copy of h, to put back. -1 when out of memory. */
static int header_copy(const struct header *h, struct header *copy)
{
	memset(copy, 0, sizeof(*copy));
	for (size_t i = 0; i < h->n; i++) {
		char *raw = str_ndup(h->v[i].raw, h->v[i].len);

		if (raw == NULL || header_append_raw(copy, raw, h->v[i].len) < 0) {
			free(raw);
			header_fini(copy);
			return -1;
		}
		copy->v[copy->n - 1].verbatim = h->v[i].verbatim;
	}
	return 0;
}

int body_checks_apply_message(const struct header_checks *hc, const struct body_checks *bc,
			      struct message *m, const struct header_checks_who *who,
			      struct header_checks_result *res, struct error *err)
{
	struct header saved = { 0 };
	bool keep = !header_checks_empty(hc) && !body_checks_empty(bc);

	memset(res, 0, sizeof(*res));
	if (keep && header_copy(&m->hdr, &saved) < 0)
		return nomem_err(err);
	if (header_checks_apply(hc, m, who, res, err) < 0) {
		header_fini(&saved);
		return -1;
	}
	if (walk_body(bc, m, who, res, err) < 0) {
		if (keep) {
			header_fini(&m->hdr);
			m->hdr = saved;
		}
		header_checks_result_fini(res);
		return -1;
	}
	header_fini(&saved);
	return 0;
}
