/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Message intake: a streaming state machine that turns the bytes of stdin
 * into header fields and a spooled body (reference/postfix.md §1.4). Line
 * ends: LF and CRLF become CRLF, CRs before an LF are dropped (unless
 * sendmail_fix_line_endings says otherwise), and a bare CR is taken as a
 * line end (old Mac text) so no lone CR ever reaches the
 * relay, where it could be read as part of a line end (SMTP smuggling).
 * NUL bytes become spaces, in the header and in the body: RFC 5322 text
 * and 8BITMIME both forbid them, and a relay may refuse the message for
 * one stray NUL. Header lines longer than smtp_line_length_limit are
 * folded (fold.h); a long body line is only noted, and at the end
 * reencode.h re-encodes or folds what holds one, so the stored form is
 * the one that goes on the wire. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "mail/fold.h"
#include "mail/header.h"
#include "mail/intake.h"
#include "mail/message.h"
#include "mail/message_impl.h"
#include "mail/reencode.h"
#include "mail/spool.h"

#define HEAD_MAX 2048 /* enough of a line to tell a field or a From_ line */
#define DEFAULT_MEM_MAX (1024 * 1024)
#define DEFAULT_HEADER_MAX 102400 /* Postfix header_size_limit */
#define DEFAULT_LINE_MAX 998	  /* Postfix smtp_line_length_limit */

enum phase {
	PHASE_FROM,   /* leading "From " lines may still come */
	PHASE_HEADER, /* header fields */
	PHASE_BODY,
};

enum line_state {
	LINE_UNDECIDED, /* start of the line gathered in head */
	LINE_SKIP,	/* a dropped From_ line */
	LINE_FIELD,	/* first line of a stored field */
	LINE_CONT,	/* continuation of a stored field */
	LINE_DISCARD,	/* header text past header_size_limit */
};

struct intake {
	struct message *m;
	struct error *err;  /* &error: where the steps below report */
	struct error error; /* the first failure, kept for every later call */
	bool failed;
	bool dot_ends;
	size_t header_max, size_max;
	size_t line_max;    /* longer lines are folded or re-encoded */
	size_t body_col;    /* octets in the current body line */
	bool body_long;	    /* a body line was longer than line_max */
	bool header_folded; /* a header line was */
	enum phase phase;
	enum line_state line;
	struct buf head;    /* start of the current line (max HEAD_MAX) */
	struct buf field;   /* the open header field, raw */
	bool field_open;    /* field holds a stored field */
	bool seen_field;    /* a field line came (so WSP lines continue it) */
	bool header_full;   /* header_size_limit reached: drop the rest */
	size_t header_used; /* octets of committed fields, CRLF included */
	bool at_line_start;
	bool dot_pending;  /* the line so far is "." */
	bool done;	   /* the lone dot ended the input */
	size_t pending_cr; /* CRs at the end of a chunk, LF or not unknown */
	enum message_eol fix_eol;
};

static int body_data(struct intake *in, const char *p, size_t n);
static int body_eol(struct intake *in);

/* ---- size accounting ---- */

static int size_check(struct intake *in, size_t more)
{
	size_t total = in->header_used + in->field.len + 2 + in->m->body.size;

	if (in->size_max == 0 || (more <= in->size_max && total <= in->size_max - more))
		return 0;
	error_set(in->err, ERROR_DATA,
		  _("message is too big: limit is %zu bytes (message_size_limit)"), in->size_max);
	return -1;
}

static int nomem(struct intake *in)
{
	error_set(in->err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* ---- header phase ---- */

static int field_commit(struct intake *in)
{
	size_t len = in->field.len;
	char *raw;

	if (!in->field_open)
		return 0;
	in->field_open = false;
	raw = buf_steal(&in->field);
	if (raw != NULL && in->line_max != SIZE_MAX) {
		char *folded = fold_header(raw, &len, in->line_max);

		if (folded == NULL) {
			free(raw);
			return nomem(in);
		}
		in->header_folded = in->header_folded || folded != raw;
		raw = folded;
	}
	if (raw == NULL || header_append_raw(&in->m->hdr, raw, len) < 0) {
		free(raw);
		return nomem(in);
	}
	in->header_used += len + 2;
	return size_check(in, 0);
}

/* Octets the open field may still grow by under header_size_limit. */
static size_t field_room(const struct intake *in)
{
	size_t used = in->header_used + in->field.len + 2;

	return used < in->header_max ? in->header_max - used : 0;
}

/* Append to the open field, cutting at the limit; NULs become spaces. */
static int field_add(struct intake *in, const char *p, size_t n)
{
	size_t from = in->field.len, room = field_room(in);
	char *z;

	if (n > room) {
		n = room;
		in->header_full = true;
		in->line = LINE_DISCARD;
	}
	if (buf_append(&in->field, p, n) < 0)
		return nomem(in);
	while ((z = memchr(in->field.data + from, '\0', in->field.len - from)) != NULL)
		*z = ' ';
	return 0;
}

/* A field is kept when its name and colon fit; its value may be cut. The
 * test looks at the name only, so it does not depend on read sizes. */
static int start_field(struct intake *in)
{
	const char *colon = memchr(in->head.data, ':', in->head.len);
	size_t name_len = (size_t)(colon - in->head.data) + 1;

	if (field_commit(in) < 0)
		return -1;
	in->seen_field = true;
	if (in->header_full || in->header_used + name_len + 2 > in->header_max) {
		in->header_full = true;
		in->line = LINE_DISCARD;
		return 0;
	}
	in->field_open = true;
	in->line = LINE_FIELD;
	return field_add(in, in->head.data, in->head.len);
}

/* A continuation needs room for CRLF and its first blank, or the stored
 * field would end in a line that is empty. */
static int start_continuation(struct intake *in)
{
	if (!in->field_open || in->header_full || field_room(in) < 3) {
		in->header_full = in->header_full || in->field_open;
		in->line = LINE_DISCARD;
		return 0;
	}
	in->line = LINE_CONT;
	if (field_add(in, "\r\n", 2) < 0)
		return -1;
	return field_add(in, in->head.data, in->head.len);
}

/* A line that is not a field ends the header; it and all after it is body. */
static int start_body(struct intake *in)
{
	if (field_commit(in) < 0)
		return -1;
	in->phase = PHASE_BODY;
	return body_data(in, in->head.data, in->head.len);
}

enum line_kind { KIND_MORE, KIND_FIELD, KIND_CONT, KIND_BODY };

/* What the line gathered in head is, when that can be told. */
static enum line_kind line_kind(const struct intake *in, bool at_eol)
{
	if (in->head.len > 0 && (in->head.data[0] == ' ' || in->head.data[0] == '\t'))
		return in->seen_field ? KIND_CONT : KIND_BODY;
	switch (header_classify(in->head.data, in->head.len, at_eol)) {
	case HEADER_LINE_FIELD:
		return KIND_FIELD;
	case HEADER_LINE_MORE:
		return in->head.len >= HEAD_MAX ? KIND_BODY : KIND_MORE;
	case HEADER_LINE_NOT_FIELD:
		break;
	}
	return KIND_BODY;
}

static int header_decide(struct intake *in, bool at_eol)
{
	int rc;

	switch (line_kind(in, at_eol)) {
	case KIND_MORE:
		return 0;
	case KIND_FIELD:
		rc = start_field(in);
		break;
	case KIND_CONT:
		rc = start_continuation(in);
		break;
	case KIND_BODY:
	default:
		rc = start_body(in);
		break;
	}
	buf_reset(&in->head);
	return rc;
}

static int header_data(struct intake *in, const char *p, size_t n)
{
	while (n > 0 && in->phase == PHASE_HEADER) {
		size_t take;

		if (in->line == LINE_FIELD || in->line == LINE_CONT)
			return field_add(in, p, n);
		if (in->line == LINE_DISCARD)
			return 0;
		take = HEAD_MAX - in->head.len < n ? HEAD_MAX - in->head.len : n;
		if (buf_append(&in->head, p, take) < 0)
			return nomem(in);
		p += take;
		n -= take;
		if (header_decide(in, false) < 0)
			return -1;
	}
	return n > 0 ? body_data(in, p, n) : 0;
}

static int header_eol(struct intake *in)
{
	enum line_state line = in->line;

	in->line = LINE_UNDECIDED;
	if (line != LINE_UNDECIDED)
		return 0;
	if (in->head.len == 0) {
		/* The empty line between header and body is not stored. */
		if (field_commit(in) < 0)
			return -1;
		in->phase = PHASE_BODY;
		return 0;
	}
	if (header_decide(in, true) < 0)
		return -1;
	if (in->phase == PHASE_BODY)
		return body_eol(in);
	in->line = LINE_UNDECIDED;
	return 0;
}

/* ---- leading From_ lines ---- */

enum from_match { FROM_NO, FROM_YES, FROM_MORE };

/* ">*From " at the start of a line (mbox envelope, quoted or not). */
static enum from_match from_match(const char *p, size_t len, bool at_eol)
{
	static const char from[] = "From ";
	size_t i = 0, k;

	while (i < len && p[i] == '>')
		i++;
	for (k = 0; k < 5 && i + k < len; k++)
		if (p[i + k] != from[k])
			return FROM_NO;
	if (k == 5)
		return FROM_YES;
	return at_eol || len >= HEAD_MAX ? FROM_NO : FROM_MORE;
}

static int from_data(struct intake *in, const char *p, size_t n)
{
	size_t take;

	if (in->line == LINE_SKIP)
		return 0;
	take = HEAD_MAX - in->head.len < n ? HEAD_MAX - in->head.len : n;
	if (buf_append(&in->head, p, take) < 0)
		return nomem(in);
	switch (from_match(in->head.data, in->head.len, false)) {
	case FROM_MORE:
		return 0;
	case FROM_YES:
		in->line = LINE_SKIP;
		buf_reset(&in->head);
		return 0;
	case FROM_NO:
		break;
	}
	in->phase = PHASE_HEADER;
	if (header_decide(in, false) < 0)
		return -1;
	if (in->phase == PHASE_BODY)
		return body_data(in, p + take, n - take);
	return header_data(in, p + take, n - take);
}

static int from_eol(struct intake *in)
{
	if (in->line == LINE_SKIP) {
		in->line = LINE_UNDECIDED;
		return 0;
	}
	in->phase = PHASE_HEADER;
	return header_eol(in);
}

/* ---- body ---- */

/* Into the spool, NULs as spaces. */
static int body_put(struct intake *in, const char *p, size_t n)
{
	const char *z;

	if (size_check(in, n) < 0)
		return -1;
	while ((z = memchr(p, '\0', n)) != NULL) {
		size_t k = (size_t)(z - p);

		if (spool_append(&in->m->body, p, k, in->err) < 0 ||
		    spool_append(&in->m->body, " ", 1, in->err) < 0)
			return -1;
		p += k + 1;
		n -= k + 1;
	}
	return spool_append(&in->m->body, p, n, in->err);
}

/* Body text: never CR or LF, which come through body_eol. A line longer
 * than line_max is stored as it is, and noted for intake_finish. */
static int body_data(struct intake *in, const char *p, size_t n)
{
	if (n > in->line_max - in->body_col)
		in->body_long = true;
	else
		in->body_col += n;
	return body_put(in, p, n);
}

static int body_eol(struct intake *in)
{
	in->body_col = 0;
	return body_put(in, "\r\n", 2);
}

/* ---- line layer: line ends and the lone dot ---- */

static int phase_data(struct intake *in, const char *p, size_t n)
{
	switch (in->phase) {
	case PHASE_FROM:
		return from_data(in, p, n);
	case PHASE_HEADER:
		return header_data(in, p, n);
	case PHASE_BODY:
		break;
	}
	return body_data(in, p, n);
}

static int line_data(struct intake *in, const char *p, size_t n)
{
	if (n == 0 || in->done)
		return 0;
	if (in->at_line_start) {
		in->at_line_start = false;
		if (in->dot_ends && n == 1 && p[0] == '.') {
			in->dot_pending = true;
			return 0;
		}
	} else if (in->dot_pending) {
		in->dot_pending = false;
		if (phase_data(in, ".", 1) < 0)
			return -1;
	}
	return phase_data(in, p, n);
}

static int line_end(struct intake *in)
{
	if (in->done)
		return 0;
	if (in->dot_pending) {
		/* A line of exactly "." ends the input (no -i). */
		in->dot_pending = false;
		in->done = true;
		return 0;
	}
	in->at_line_start = true;
	switch (in->phase) {
	case PHASE_FROM:
		return from_eol(in);
	case PHASE_HEADER:
		return header_eol(in);
	case PHASE_BODY:
		break;
	}
	return body_eol(in);
}

static int line_ends(struct intake *in, size_t count)
{
	while (count-- > 0)
		if (line_end(in) < 0)
			return -1;
	return 0;
}

/* An LF, after crs CRs: one line end, the CRs dropped or, under
 * sendmail_fix_line_endings = never (or strict, when the first line had
 * none), blanks at the end of the line; a line of "." and a CR is then
 * no lone dot, as in Postfix's sendmail. */
static int lf_end(struct intake *in, size_t crs)
{
	if (in->fix_eol == MESSAGE_EOL_STRICT)
		in->fix_eol = crs > 0 ? MESSAGE_EOL_ALWAYS : MESSAGE_EOL_NEVER;
	if (in->fix_eol == MESSAGE_EOL_NEVER)
		for (; crs > 0; crs--)
			if (line_data(in, " ", 1) < 0)
				return -1;
	return line_end(in);
}

/* CRs ended the last chunk: count more CRs, then an LF makes them one line
 * end, anything else makes each a line end. Bytes consumed, or -1. */
static long feed_pending_cr(struct intake *in, const char *p, size_t n)
{
	size_t run;
	int rc;

	for (run = 0; run < n && p[run] == '\r'; run++)
		;
	if (run == n) {
		in->pending_cr += run;
		return (long)n;
	}
	if (p[run] == '\n') {
		rc = lf_end(in, in->pending_cr + run);
		in->pending_cr = 0;
		run++;
	} else {
		rc = line_ends(in, in->pending_cr + run);
		in->pending_cr = 0;
	}
	return rc < 0 ? -1 : (long)run;
}

/* Feed one chunk: memchr finds line ends, bytes between them go on in
 * pieces, and nothing is copied per line. */
static int feed(struct intake *in, const char *p, size_t n)
{
	while (n > 0 && !in->done) {
		const char *nl, *cr;
		size_t seg, before, run;
		long used;
		int rc;

		if (in->pending_cr > 0) {
			if ((used = feed_pending_cr(in, p, n)) < 0)
				return -1;
			p += used;
			n -= (size_t)used;
			continue;
		}
		nl = memchr(p, '\n', n);
		seg = nl != NULL ? (size_t)(nl - p) : n;
		cr = memchr(p, '\r', seg);
		before = cr != NULL ? (size_t)(cr - p) : seg;
		if (line_data(in, p, before) < 0)
			return -1;
		for (run = 0; before + run < seg && p[before + run] == '\r'; run++)
			;
		if (cr == NULL || before + run == seg) {
			/* CRs right before LF are dropped; at the chunk end, wait. */
			if (nl == NULL)
				in->pending_cr = run;
			rc = nl != NULL ? lf_end(in, run) : 0;
			seg += nl != NULL ? 1 : 0;
		} else {
			rc = line_ends(in, run);
			seg = before + run;
		}
		if (rc < 0)
			return -1;
		p += seg;
		n -= seg;
	}
	return 0;
}

/* ---- the push interface ---- */

int intake_opts_load(const struct config *cfg, struct message_opts *o, struct error *err)
{
	static const char *const eols[] = { "always", "strict", "never" };
	unsigned long header_max, size_max, line_max;
	int eol = config_get_enum(cfg, "sendmail_fix_line_endings", eols, 3, err);

	/* Postfix's sendmail takes these in lower case only. */
	if (eol >= 0 && strcmp(config_get(cfg, "sendmail_fix_line_endings"), eols[eol]) != 0) {
		config_bad_value(err, cfg, "sendmail_fix_line_endings",
				 config_get(cfg, "sendmail_fix_line_endings"),
				 _("use always, strict or never"));
		return -1;
	}
	if (eol < 0 || config_get_ulong(cfg, "header_size_limit", &header_max, err) < 0 ||
	    config_get_ulong(cfg, "message_size_limit", &size_max, err) < 0 ||
	    config_get_ulong(cfg, "smtp_line_length_limit", &line_max, err) < 0)
		return -1;
	if (header_max == 0) {
		config_bad_value(err, cfg, "header_size_limit",
				 config_get(cfg, "header_size_limit"),
				 _("use a number of bytes greater than 0"));
		return -1;
	}
	o->header_max = header_max;
	o->size_max = size_max;
	o->line_max = line_max == 0 ? MESSAGE_LINE_UNLIMITED : line_max;
	o->fix_eol = (enum message_eol)eol;
	return 0;
}

struct intake *intake_new(const struct message_opts *o, struct error *err)
{
	struct message_opts none = { 0 };
	struct intake *in = calloc(1, sizeof(*in));

	if (o == NULL)
		o = &none;
	if (in == NULL || (in->m = calloc(1, sizeof(*in->m))) == NULL) {
		free(in);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	spool_init(&in->m->body, o->mem_max != 0 ? o->mem_max : DEFAULT_MEM_MAX, o->tmpdir);
	in->err = &in->error;
	in->dot_ends = o->dot_ends;
	in->fix_eol = o->fix_eol;
	in->header_max = o->header_max != 0 ? o->header_max : DEFAULT_HEADER_MAX;
	in->size_max = o->size_max;
	in->line_max = o->line_max == 0		? DEFAULT_LINE_MAX
		       : o->line_max < FOLD_MIN ? FOLD_MIN
						: o->line_max;
	in->phase = PHASE_FROM;
	in->line = LINE_UNDECIDED;
	in->at_line_start = true;
	buf_init(&in->head, HEAD_MAX);
	buf_init(&in->field, 0);
	return in;
}

/* The first failure, for the caller (err may be NULL). */
static int failed(struct intake *in, struct error *err)
{
	in->failed = true;
	if (err != NULL)
		*err = in->error;
	return -1;
}

int intake_feed(struct intake *in, const char *p, size_t n, struct error *err)
{
	/* After the lone dot the rest is read and dropped, so the writer
	 * never gets SIGPIPE. */
	if (in->failed || feed(in, p, n) < 0)
		return failed(in, err);
	return 0;
}

bool intake_over(const struct intake *in)
{
	return in->done;
}

void intake_free(struct intake *in)
{
	if (in == NULL)
		return;
	message_free(in->m);
	buf_fini(&in->head);
	buf_fini(&in->field);
	free(in);
}

/* End of input: CRs still waiting are line ends, an unfinished last line
 * is ended, the open field is stored and the spool written out. */
struct message *intake_finish(struct intake *in, struct error *err)
{
	struct message *m = in->m;
	bool bad = in->failed;

	if (!bad && !in->done)
		bad = line_ends(in, in->pending_cr) < 0 ||
		      ((!in->at_line_start || in->dot_pending) && line_end(in) < 0);
	if (!bad)
		bad = field_commit(in) < 0 || spool_finish(&m->body, in->err) < 0 ||
		      (in->body_long && reencode_long_lines(m, in->line_max, in->err) < 0);
	if (!bad && in->header_folded)
		reencode_warn_header(in->line_max);
	if (bad) {
		failed(in, err);
		intake_free(in);
		return NULL;
	}
	/* The spool keeps tmpdir only while appending. */
	m->body.tmpdir = NULL;
	in->m = NULL;
	intake_free(in);
	return m;
}
