/* SPDX-License-Identifier: GPL-3.0-or-later */
/* header_checks and smtp_header_checks (header_checks(5)) on the primary
 * header: a first pass looks every field up and decides (checks.c),
 * logging as Postfix logs; only when no field stops the message does a
 * second pass rebuild the header, so a rejected message is kept exactly
 * as it came. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "mail/checks_impl.h"
#include "mail/fold.h"
#include "mail/header.h"
#include "mail/header_checks.h"
#include "mail/message_impl.h"

#define LINE_MAX_RFC 998 /* RFC 5322 §2.1.1 */

/* The parameter's own table, and the MIME one for the MIME fields
 * (mime_header_checks or smtp_mime_header_checks), as Postfix's cleanup
 * and SMTP client choose between them. */
struct header_checks {
	struct check_table own, mime;
};

struct header_checks *header_checks_open(const struct config *cfg, const char *param,
					 enum header_checks_kind kind, struct error *err)
{
	struct header_checks *hc = calloc(1, sizeof(*hc));
	const char *mime =
	    kind == HEADER_CHECKS_SMTP ? "smtp_mime_header_checks" : "mime_header_checks";

	if (hc == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	if (check_table_open(&hc->own, cfg, param, kind, err) < 0 ||
	    check_table_open(&hc->mime, cfg, mime, kind, err) < 0) {
		header_checks_free(hc);
		return NULL;
	}
	return hc;
}

void header_checks_free(struct header_checks *hc)
{
	if (hc == NULL)
		return;
	check_table_fini(&hc->own);
	check_table_fini(&hc->mime);
	free(hc);
}

bool header_checks_empty(const struct header_checks *hc)
{
	return hc == NULL || (check_table_empty(&hc->own) && check_table_empty(&hc->mime));
}

/* The field as Postfix's MIME parser hands it over: continuation lines
 * joined by LF, not CRLF. */
static char *logical_line(const struct header_field *f)
{
	char *line = malloc(f->len + 1);
	size_t n = 0;

	if (line == NULL)
		return NULL;
	for (size_t i = 0; i < f->len; i++)
		if (!(f->raw[i] == '\r' && i + 1 < f->len && f->raw[i + 1] == '\n'))
			line[n++] = f->raw[i];
	line[n] = '\0';
	return line;
}

static void decisions_free(struct check_decision *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].text);
	free(d);
}

/* A new field from a table's text, folded when longer than RFC 5322
 * allows a line (a REPLACE with $1 of a long field), as Postfix's SMTP
 * client would break it; -1 when out of memory. */
static int put_text(struct header *h, const char *text, bool verbatim)
{
	size_t len = 0;
	char *raw = malloc(2 * strlen(text) + 1), *folded;

	/* $1 of a folded field holds its LF: folding again, with CRLF; an LF
	 * that would not fold (no blank after it) becomes a blank. */
	for (const char *p = text; raw != NULL && *p != '\0'; p++) {
		if (*p == '\n' && (p[1] == ' ' || p[1] == '\t')) {
			raw[len++] = '\r';
			raw[len++] = '\n';
		} else {
			raw[len++] = *p == '\n' || *p == '\r' ? ' ' : *p;
		}
	}
	if (raw != NULL)
		raw[len] = '\0';

	if (raw != NULL && len > LINE_MAX_RFC) {
		if ((folded = fold_header(raw, &len, LINE_MAX_RFC)) == NULL) {
			free(raw);
			return -1;
		}
		raw = folded;
	}
	if (raw == NULL || header_append_raw(h, raw, len) < 0) {
		free(raw);
		return -1;
	}
	h->v[h->n - 1].verbatim = verbatim;
	return 0;
}

/* Second pass: the header rebuilt as the decisions say, into a copy, so
 * that running out of memory leaves the message as it was. */
static int rebuild(struct header *h, const struct check_decision *d)
{
	struct header out = { 0 };

	for (size_t i = 0; i < h->n; i++) {
		const struct header_field *f = &h->v[i];
		char *raw = NULL;

		/* A REPLACE result is a field like any other, as in Postfix. */
		if ((d[i].act == ACT_PREPEND || d[i].act == ACT_REPLACE) &&
		    put_text(&out, d[i].text, d[i].act == ACT_PREPEND) < 0)
			goto fail;
		if (d[i].act != ACT_KEEP && d[i].act != ACT_PREPEND)
			continue;
		if ((raw = str_ndup(f->raw, f->len)) == NULL ||
		    header_append_raw(&out, raw, f->len) < 0) {
			free(raw);
			goto fail;
		}
		out.v[out.n - 1].verbatim = f->verbatim;
	}
	header_fini(h);
	*h = out;
	return 0;
fail:
	header_fini(&out);
	return -1;
}

void header_checks_result_fini(struct header_checks_result *r)
{
	free(r->redirect);
	addrlist_fini(&r->bcc);
	memset(r, 0, sizeof(*r));
}

/* What REDIRECT and BCC decided, into res. -1 when out of memory. */
static int envelope_actions(const struct check_decision *d, size_t n,
			    struct header_checks_result *res)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].act == ACT_REDIRECT) {
			free(res->redirect);
			if ((res->redirect = str_dup(d[i].text)) == NULL)
				return -1;
		} else if (d[i].act == ACT_BCC && addrlist_add(&res->bcc, d[i].text) < 0) {
			return -1;
		}
	}
	return 0;
}

int header_checks_apply(const struct header_checks *hc, struct message *m,
			const struct header_checks_who *who, struct header_checks_result *res,
			struct error *err)
{
	struct header *h = &m->hdr;
	size_t n = h->n;
	struct check_decision *d;
	bool change = false;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (header_checks_empty(hc) || h->n == 0)
		return 0;
	if ((d = calloc(n, sizeof(*d))) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *line = logical_line(&h->v[i]);
		const struct check_table *t;

		if (line == NULL) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
			break;
		}
		t = check_table_for(&hc->own, &hc->mime, line, strlen(line));
		if (check_line(t, who, CHECK_HEADER, line, &d[i], err) < 0) {
			rc = -1;
		} else if (d[i].act == ACT_REJECT || d[i].act == ACT_HOLD) {
			check_stop_error(t, &d[i], err);
			rc = -1;
		} else if (d[i].act == ACT_DISCARD) {
			res->verdict = HEADER_CHECKS_DISCARD;
		}
		change = change || d[i].act == ACT_DROP || d[i].act == ACT_REPLACE ||
			 d[i].act == ACT_PREPEND;
		free(line);
	}
	if (rc == 0 && (envelope_actions(d, n, res) < 0 ||
			(change && res->verdict == HEADER_CHECKS_PASS && rebuild(h, d) < 0))) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	if (rc < 0)
		header_checks_result_fini(res);
	decisions_free(d, n);
	return rc;
}
