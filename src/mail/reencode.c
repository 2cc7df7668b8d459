/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Two passes over the stored body, each a MIME walk (mime.h) over its
 * lines. The first finds the parts that hold an over-long line and
 * decides, for each, quoted-printable (qp.h) or folding (fold.h); the
 * second writes the new body into a new spool. A message without a
 * Content-Type that gets re-encoded is labelled text/plain, with
 * charset=utf-8 when its 8-bit text is valid UTF-8, us-ascii when it is
 * 7-bit, and unknown-8bit (RFC 1428) when it is neither. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "mail/fold.h"
#include "mail/header.h"
#include "mail/message.h"
#include "mail/message_impl.h"
#include "mail/mime.h"
#include "mail/qp.h"
#include "mail/reencode.h"
#include "mail/spool.h"

#define CHUNK (64 * 1024)     /* read from the spool, and written to it */
#define LINE_HOLD (64 * 1024) /* a line up to this long is seen whole */

enum { PIECE_FIRST = 1, PIECE_LAST = 2, PIECE_EOL = 4 };

/* Why a part is folded rather than re-encoded (WHY_NONE: re-encoded). */
enum why {
	WHY_NONE,
	WHY_DKIM,
	WHY_SIGNED,
	WHY_MESSAGE,
	WHY_ENCODING,
	WHY_OPAQUE,
	WHY_BAD_HEADER,
	WHY_OUTSIDE, /* preamble, epilogue, boundary */
	WHY_HEADER,  /* a header line of a part */
};

struct step {
	size_t part;
	enum why why;
	char cte[MIME_CTE_NAME_MAX + 1]; /* for WHY_ENCODING */
	const char *charset;		 /* a Content-Type to add; NULL: keep the part's */
};

struct plan {
	struct step *v;
	size_t n, cap;
};

/* ---- lines from the spool ---- */

/* 0, -1 with the error set, or -2 when out of memory. */
typedef int (*piece_fn)(void *ctx, const char *p, size_t n, unsigned flags);

/* Hand every line of the body to fn: whole (PIECE_FIRST | PIECE_LAST)
 * up to LINE_HOLD octets, else in pieces. PIECE_EOL: a CRLF ended it. */
static int each_line(const struct spool *s, piece_fn fn, void *ctx, struct error *err)
{
	struct buf line = { 0 };
	char *chunk = malloc(CHUNK);
	unsigned first = PIECE_FIRST;
	off_t off = 0;
	int rc = 0;

	if (chunk == NULL)
		rc = -2;
	while (rc == 0) {
		const char *p;
		ssize_t r = spool_read(s, off, chunk, CHUNK, &p, err);

		if (r <= 0) {
			rc = (int)r;
			break;
		}
		off += r;
		while (r > 0 && rc == 0) {
			const char *nl = memchr(p, '\n', (size_t)r);
			size_t seg = nl != NULL ? (size_t)(nl - p) : (size_t)r;

			if (buf_append(&line, p, seg) < 0) {
				rc = -2;
				break;
			}
			p += seg + (nl != NULL);
			r -= (ssize_t)(seg + (nl != NULL));
			if (nl != NULL) {
				size_t n =
				    line.len - (line.len > 0 && line.data[line.len - 1] == '\r');

				rc = fn(ctx, line.data != NULL ? line.data : "", n,
					first | PIECE_LAST | PIECE_EOL);
				buf_reset(&line);
				first = PIECE_FIRST;
			} else if (line.len >= LINE_HOLD) {
				/* A CR at the end may be half of the CRLF: kept. */
				size_t n = line.len - (line.data[line.len - 1] == '\r');

				rc = fn(ctx, line.data, n, first);
				buf_consume(&line, n);
				first = 0;
			}
		}
	}
	if (rc == 0 && (line.len > 0 || first == 0))
		rc = fn(ctx, line.data != NULL ? line.data : "", line.len, first | PIECE_LAST);
	buf_fini(&line);
	free(chunk);
	if (rc == -2)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	return rc < 0 ? -1 : 0;
}

/* ---- the first pass: what each part needs ---- */

/* UTF-8 well-formedness (RFC 3629), one octet at a time. */
struct utf8 {
	unsigned need;	      /* continuation octets still to come */
	unsigned char lo, hi; /* the range of the next one */
	bool bad;
};

static void utf8_octet(struct utf8 *u, unsigned char c)
{
	if (u->need > 0) {
		if (c < u->lo || c > u->hi)
			u->bad = true;
		u->need--;
		u->lo = 0x80;
		u->hi = 0xbf;
		return;
	}
	u->lo = 0x80;
	u->hi = 0xbf;
	if (c < 0x80)
		return;
	if (c >= 0xc2 && c <= 0xdf)
		u->need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		u->need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		u->need = 3;
	else
		u->bad = true;
	if (c == 0xe0)
		u->lo = 0xa0;
	else if (c == 0xed)
		u->hi = 0x9f;
	else if (c == 0xf0)
		u->lo = 0x90;
	else if (c == 0xf4)
		u->hi = 0x8f;
}

struct scan {
	struct mime_walk w;
	size_t line_max;
	bool dkim;
	struct plan *plan;
	enum mime_role role;
	size_t len;	       /* of the current line */
	bool counting;	       /* the body of a part is being read */
	struct mime_part info; /* of that part */
	size_t part;
	bool long_line, eight;
	struct utf8 utf8;
};

static enum why decide(const struct scan *s)
{
	if (s->dkim)
		return WHY_DKIM;
	if (s->info.is_signed)
		return WHY_SIGNED;
	if (s->info.kind == MIME_MESSAGE)
		return WHY_MESSAGE;
	if (s->info.kind != MIME_DISCRETE)
		return WHY_OPAQUE;
	if (s->info.bad_header)
		return WHY_BAD_HEADER;
	switch (s->info.enc) {
	case MIME_ENC_NONE:
	case MIME_ENC_7BIT:
	case MIME_ENC_8BIT:
		return WHY_NONE;
	default:
		return WHY_ENCODING;
	}
}

/* The part's body is over: a step for it when it has a long line. */
static int close_part(struct scan *s)
{
	struct step *st;

	if (!s->counting)
		return 0;
	s->counting = false;
	if (!s->long_line)
		return 0;
	if (s->plan->n == s->plan->cap) {
		size_t cap = s->plan->cap > 0 ? s->plan->cap * 2 : 8;
		struct step *v = realloc(s->plan->v, cap * sizeof(*v));

		if (v == NULL)
			return -2;
		s->plan->v = v;
		s->plan->cap = cap;
	}
	st = &s->plan->v[s->plan->n++];
	st->part = s->part;
	st->why = decide(s);
	memcpy(st->cte, s->info.cte, sizeof(st->cte));
	st->charset = NULL;
	if (!s->info.has_type)
		st->charset = !s->eight				  ? "us-ascii"
			      : !s->utf8.bad && s->utf8.need == 0 ? "utf-8"
								  : "unknown-8bit";
	return 0;
}

static int scan_piece(void *ctx, const char *p, size_t n, unsigned flags)
{
	struct scan *s = ctx;

	if (flags & PIECE_FIRST) {
		s->role = mime_walk_line(&s->w, p, n, (flags & PIECE_LAST) != 0);
		s->len = 0;
		if (s->role != MIME_BODY && close_part(s) < 0)
			return -2;
		if (s->role == MIME_BODY && !s->counting) {
			s->counting = true;
			s->part = s->w.part;
			s->info = s->w.cur;
			s->long_line = s->eight = false;
			memset(&s->utf8, 0, sizeof(s->utf8));
		}
	}
	if (s->role != MIME_BODY)
		return 0;
	s->len += n;
	for (size_t i = 0; i < n; i++) {
		s->eight = s->eight || (p[i] & 0x80) != 0;
		utf8_octet(&s->utf8, (unsigned char)p[i]);
	}
	if (flags & PIECE_LAST) {
		s->long_line = s->long_line || s->len > s->line_max;
		/* A sequence never spans a line end. */
		s->utf8.bad = s->utf8.bad || s->utf8.need > 0;
		s->utf8.need = 0;
	}
	return 0;
}

/* ---- the second pass: the new body ---- */

enum how {
	HOW_DONE, /* written whole when it started (a part's long header line) */
	HOW_SKIP, /* dropped (the old encoding of a part re-encoded) */
	HOW_QP,
	HOW_FOLD, /* copied, broken with CRLF SPACE past line_max */
};

struct writer {
	struct mime_walk w;
	size_t line_max;
	const struct plan *plan;
	size_t at; /* the first step not behind us */
	struct spool *out;
	struct buf ob; /* gathered, then appended to out */
	struct error *err;
	enum how how;
	enum why why; /* the cause, should the line need folding */
	struct qp qp;
	size_t col;
	unsigned folded;		 /* 1 << why for each cause of a fold */
	char cte[MIME_CTE_NAME_MAX + 1]; /* the first encoding that made a fold */
};

static const struct step *step_of(struct writer *wr, size_t part)
{
	while (wr->at < wr->plan->n && wr->plan->v[wr->at].part < part)
		wr->at++;
	if (wr->at < wr->plan->n && wr->plan->v[wr->at].part == part)
		return &wr->plan->v[wr->at];
	return NULL;
}

/* Octets of a line, broken with CRLF SPACE past line_max (fold.h). */
static int fold_piece(struct writer *wr, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = wr->line_max - wr->col, take = n;

		if (n > room)
			take = fold_cut(p, room);
		if (buf_append(&wr->ob, p, take) < 0)
			return -2;
		wr->col += take;
		p += take;
		n -= take;
		if (n > 0) {
			if (buf_append(&wr->ob, "\r\n ", 3) < 0)
				return -2;
			wr->col = 1;
			wr->folded |= 1u << wr->why;
		}
	}
	return 0;
}

/* A whole header line of a part, folded as the message's own are. */
static int header_fold(struct writer *wr, const char *p, size_t n)
{
	size_t len = n;
	char *raw = str_ndup(p, n), *folded;
	int rc;

	if (raw == NULL || (folded = fold_header(raw, &len, wr->line_max)) == NULL) {
		free(raw);
		return -2;
	}
	wr->folded |= 1u << WHY_HEADER;
	rc = buf_append(&wr->ob, folded, len) < 0 ? -2 : 0;
	free(folded);
	return rc;
}

/* The fields of a part that is re-encoded, before the blank line that
 * ends its header (its own Content-Transfer-Encoding lines are skipped). */
static int label_part(struct writer *wr, const struct step *st)
{
	if (buf_append_str(&wr->ob, "Content-Transfer-Encoding: quoted-printable\r\n") < 0)
		return -2;
	if (st->charset != NULL &&
	    buf_printf(&wr->ob, "Content-Type: text/plain; charset=%s\r\n", st->charset) < 0)
		return -2;
	return 0;
}

/* How the line that starts here goes out. */
static int line_start(struct writer *wr, const char *p, size_t n, bool whole)
{
	enum mime_role role = mime_walk_line(&wr->w, p, n, whole);
	const struct step *st = role == MIME_BODY || role == MIME_HEADER || role == MIME_HEADER_END
				    ? step_of(wr, wr->w.part)
				    : NULL;
	bool qp = st != NULL && st->why == WHY_NONE;

	wr->how = HOW_FOLD;
	wr->why = WHY_OUTSIDE;
	switch (role) {
	case MIME_HEADER:
		wr->why = WHY_HEADER;
		if (qp && wr->w.cte_line)
			wr->how = HOW_SKIP;
		else if (whole && n > wr->line_max)
			wr->how = HOW_DONE;
		return wr->how == HOW_DONE ? header_fold(wr, p, n) : 0;
	case MIME_HEADER_END:
		return qp ? label_part(wr, st) : 0;
	case MIME_BODY:
		if (qp) {
			wr->how = HOW_QP;
		} else if (st != NULL) {
			wr->why = st->why;
			if (st->why == WHY_ENCODING && !(wr->folded & (1u << WHY_ENCODING)))
				memcpy(wr->cte, st->cte, sizeof(wr->cte));
		}
		return 0;
	case MIME_DELIMITER:
	case MIME_OTHER:
		break;
	}
	return 0;
}

static int write_piece(void *ctx, const char *p, size_t n, unsigned flags)
{
	struct writer *wr = ctx;
	int rc = 0;

	if ((flags & PIECE_FIRST) && (rc = line_start(wr, p, n, flags & PIECE_LAST)) < 0)
		return rc;
	switch (wr->how) {
	case HOW_SKIP:
		return 0;
	case HOW_DONE:
		break;
	case HOW_QP:
		rc = qp_data(&wr->qp, p, n, &wr->ob) < 0 ? -2 : 0;
		break;
	case HOW_FOLD:
		rc = fold_piece(wr, p, n);
		break;
	}
	if (rc == 0 && (flags & PIECE_LAST)) {
		wr->col = 0;
		if (wr->how == HOW_QP)
			rc = qp_eol(&wr->qp, &wr->ob) < 0 ? -2 : 0;
		else if (flags & PIECE_EOL)
			rc = buf_append(&wr->ob, "\r\n", 2) < 0 ? -2 : 0;
	}
	if (rc == 0 && wr->ob.len >= CHUNK) {
		rc = spool_append(wr->out, wr->ob.data, wr->ob.len, wr->err);
		buf_reset(&wr->ob);
	}
	return rc;
}

/* ---- the message ---- */

void reencode_warn_header(size_t line_max)
{
	log_warning(_("a header line longer than %zu bytes was folded "
		      "(smtp_line_length_limit)"),
		    line_max);
}

static void warn(unsigned folded, const char *cte, size_t max)
{
	if (folded & (1u << WHY_HEADER))
		log_warning(_("a line longer than %zu bytes in the header of a part was folded"),
			    max);
	if (folded & (1u << WHY_DKIM))
		log_warning(_("a body line longer than %zu bytes was folded, not re-encoded: "
			      "the message has a DKIM signature, which re-encoding would break"),
			    max);
	if (folded & (1u << WHY_SIGNED))
		log_warning(
		    _("a line longer than %zu bytes in signed content "
		      "(multipart/signed) was folded: re-encoding would break the signature"),
		    max);
	if (folded & (1u << WHY_MESSAGE))
		log_warning(_("a line longer than %zu bytes in an attached message "
			      "(message/rfc822) was folded: such a part is never re-encoded"),
			    max);
	if (folded & (1u << WHY_ENCODING))
		log_warning(_("a line longer than %zu bytes in a part with "
			      "Content-Transfer-Encoding %s was folded: such a part is never "
			      "re-encoded, and its lines should be short"),
			    max, cte);
	if (folded & (1u << WHY_OPAQUE))
		log_warning(_("a line longer than %zu bytes in a multipart without a usable "
			      "boundary was folded"),
			    max);
	if (folded & (1u << WHY_BAD_HEADER))
		log_warning(_("a line longer than %zu bytes in a part whose header does not end "
			      "in a blank line was folded"),
			    max);
	if (folded & (1u << WHY_OUTSIDE))
		log_warning(_("a line longer than %zu bytes outside the parts of a multipart "
			      "(preamble, boundary or epilogue) was folded"),
			    max);
}

static const char *field_value(const struct header *h, const char *name)
{
	long i = header_find(h, name);

	return i >= 0 ? h->v[i].raw + h->v[i].value_off : NULL;
}

/* The message itself is re-encoded: its MIME fields say so. */
static int label_message(struct header *h, const struct step *st)
{
	char type[64];

	header_remove(h, "Content-Transfer-Encoding");
	if (header_find(h, "MIME-Version") < 0 && header_insert(h, h->n, "MIME-Version", "1.0") < 0)
		return -1;
	if (st->charset != NULL) {
		snprintf(type, sizeof(type), "text/plain; charset=%s", st->charset);
		if (header_insert(h, h->n, "Content-Type", type) < 0)
			return -1;
	}
	return header_insert(h, h->n, "Content-Transfer-Encoding", "quoted-printable");
}

static void walk_start(struct mime_walk *w, const struct header *h)
{
	mime_walk_init(w);
	mime_walk_start(w, field_value(h, "Content-Type"),
			field_value(h, "Content-Transfer-Encoding"));
}

static int plan_body(struct message *m, size_t max, struct plan *plan, struct error *err)
{
	struct scan s = { .line_max = max, .plan = plan };
	int rc;

	s.dkim = header_find(&m->hdr, "DKIM-Signature") >= 0 ||
		 header_find(&m->hdr, "ARC-Message-Signature") >= 0;
	walk_start(&s.w, &m->hdr);
	rc = each_line(&m->body, scan_piece, &s, err);
	if (rc == 0 && close_part(&s) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	mime_walk_fini(&s.w);
	return rc;
}

int reencode_long_lines(struct message *m, size_t line_max, struct error *err)
{
	struct plan plan = { 0 };
	struct spool out;
	struct writer wr = { .plan = &plan, .out = &out, .err = err };
	size_t qp = 0;
	int rc;

	wr.line_max = line_max < FOLD_MIN ? FOLD_MIN : line_max;
	if (plan_body(m, wr.line_max, &plan, err) < 0) {
		free(plan.v);
		return -1;
	}
	spool_init(&out, m->body.mem_max, m->body.tmpdir);
	walk_start(&wr.w, &m->hdr);
	rc = each_line(&m->body, write_piece, &wr, err);
	if (rc == 0)
		rc = spool_append(&out, wr.ob.data, wr.ob.len, err);
	if (rc == 0)
		rc = spool_finish(&out, err);
	if (rc == 0 && plan.n > 0 && plan.v[0].part == 0 && plan.v[0].why == WHY_NONE &&
	    label_message(&m->hdr, &plan.v[0]) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	mime_walk_fini(&wr.w);
	buf_fini(&wr.ob);
	if (rc < 0) {
		spool_fini(&out);
		free(plan.v);
		return -1;
	}
	for (size_t i = 0; i < plan.n; i++)
		qp += plan.v[i].why == WHY_NONE;
	free(plan.v);
	spool_fini(&m->body);
	m->body = out;
	warn(wr.folded, wr.cte, wr.line_max);
	if (qp > 0)
		log_verbose(_("lines longer than %zu bytes: %zu part(s) re-encoded as "
			      "quoted-printable"),
			    wr.line_max, qp);
	return 0;
}
