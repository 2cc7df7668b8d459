/* SPDX-License-Identifier: GPL-3.0-or-later */
/* header_checks and smtp_header_checks (header_checks(5)): a first pass
 * looks every field up and decides, logging as Postfix logs; only when no
 * field stops the message does a second pass rebuild the header, so a
 * rejected message is kept exactly as it came. FILTER, which needs a
 * queue and a content filter, is warned about and ignored. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/str.h"
#include "conf/table.h"
#include "mail/fold.h"
#include "mail/header.h"
#include "mail/header_checks.h"
#include "mail/message_impl.h"

/* Postfix logs at most this much of the field (cleanup_act_log). */
#define LOGGED_MAX 200
#define LINE_MAX_RFC 998 /* RFC 5322 §2.1.1 */

struct header_checks {
	struct maps *maps;
	const char *param; /* the map class in warnings */
	enum header_checks_kind kind;
};

enum act {
	ACT_KEEP,
	ACT_DROP,    /* IGNORE, STRIP */
	ACT_REPLACE, /* text is the new field */
	ACT_PREPEND, /* text goes before the field */
	ACT_REJECT,  /* text is the reason */
	ACT_HOLD,
	ACT_DISCARD,
	ACT_REDIRECT, /* text is the address */
	ACT_BCC,      /* text is the address */
};

struct decision {
	enum act act;
	char *text; /* malloc'd: the new field or the reason; NULL for the rest */
};

struct header_checks *header_checks_open(const struct config *cfg, const char *param,
					 enum header_checks_kind kind, struct error *err)
{
	struct header_checks *hc = calloc(1, sizeof(*hc));
	char where[512];

	if (hc == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	hc->param = param;
	hc->kind = kind;
	snprintf(where, sizeof(where), "%s (%s)", param, config_where(cfg, param));
	/* Not maps_open_param: no TABLE_UTF8. A field is matched as the
	 * bytes it is, UTF-8 or not, as Postfix's cleanup matches it. */
	hc->maps = maps_open(config_get(cfg, param), 0, where, err);
	if (hc->maps == NULL) {
		free(hc);
		return NULL;
	}
	return hc;
}

void header_checks_free(struct header_checks *hc)
{
	if (hc == NULL)
		return;
	maps_free(hc->maps);
	free(hc);
}

bool header_checks_empty(const struct header_checks *hc)
{
	return hc == NULL || maps_empty(hc->maps);
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

/* One mail log record for an action, in the service's own form. */
static void act_log(const struct header_checks *hc, const struct header_checks_who *who,
		    const char *action, const char *line, const char *text)
{
	const char *sep = text[0] != '\0' ? ": " : "";

	if (who == NULL || who->queue_id == NULL)
		return;
	if (hc->kind == HEADER_CHECKS_SMTP) {
		maillog_info("smtp", "%s: %s: header %.*s%s%s", who->queue_id, action, LOGGED_MAX,
			     line, sep, text);
		return;
	}
	maillog_info("cleanup", "%s: %s: header %.*s from local; from=<%s>%s%s%s%s%s",
		     who->queue_id, action, LOGGED_MAX, line, who->sender,
		     who->rcpt != NULL ? " to=<" : "", who->rcpt != NULL ? who->rcpt : "",
		     who->rcpt != NULL ? ">" : "", sep, text);
}

/* "Name: value" as Postfix's is_header accepts it. */
static bool is_field(const char *text)
{
	return header_classify(text, strlen(text), true) == HEADER_LINE_FIELD;
}

/* Postfix's dsn_prepend: the text's own "D.DDD.DDD " code when it starts
 * with one, else 5.7.1 before it; no text is Postfix's own reason. The
 * class must be 4 or 5 (Postfix warns and defers on any other). */
static char *reject_reason(const struct header_checks *hc, const char *text)
{
	const char *p = text;
	struct buf b = { 0 };
	size_t k;

	if (text[0] == '\0')
		return str_dup("5.7.1 message content rejected");
	for (k = 0; k < 3; k++) {
		size_t digits = strspn(p, "0123456789");

		if (digits == 0 || digits > (k == 0 ? 1 : 3) || p[digits] != (k < 2 ? '.' : ' '))
			break;
		p += digits + 1;
	}
	if (k < 3) {
		if (buf_printf(&b, "5.7.1 %s", text) < 0)
			return NULL;
		return buf_steal(&b);
	}
	if (text[0] != '4' && text[0] != '5') {
		log_warning(_("%s: bad DSN action in %s -- need 4.x.x or 5.x.x"), hc->param, text);
		if (buf_printf(&b, "4%s", text + 1) < 0)
			return NULL;
		return buf_steal(&b);
	}
	return str_dup(text);
}

/* REPLACE and PREPEND: the text must be a whole field. */
static int decide_edit(const struct header_checks *hc, const struct header_checks_who *who,
		       const char *line, bool replace, const char *text, struct decision *d)
{
	const char *cmd = replace ? "REPLACE" : "PREPEND";

	if (text[0] == '\0') {
		log_warning(_("%s action without text in %s map"), cmd, hc->param);
		return 0;
	}
	if (!is_field(text)) {
		log_warning(_("bad %s header text \"%s\" in %s map -- need \"headername: "
			      "headervalue\""),
			    cmd, text, hc->param);
		return 0;
	}
	act_log(hc, who, replace ? "replace" : "prepend", line, text);
	d->act = replace ? ACT_REPLACE : ACT_PREPEND;
	return (d->text = str_dup(text)) == NULL ? -1 : 0;
}

/* REDIRECT and BCC: the text must be an address with a domain. */
static int decide_address(const struct header_checks *hc, const struct header_checks_who *who,
			  const char *line, bool redirect, const char *text, struct decision *d)
{
	if (strchr(text, '@') == NULL || str_has_crlfnul(text, strlen(text))) {
		log_warning(redirect ? _("bad REDIRECT target \"%s\" in %s map -- need "
					 "user@domain")
				     : _("bad BCC address \"%s\" in %s map -- need user@domain"),
			    text, hc->param);
		return 0;
	}
	act_log(hc, who, redirect ? "redirect" : "bcc", line, text);
	d->act = redirect ? ACT_REDIRECT : ACT_BCC;
	return (d->text = str_dup(text)) == NULL ? -1 : 0;
}

/* The actions only cleanup has; false when cmd is none of them. */
static bool decide_cleanup(const struct header_checks *hc, const struct header_checks_who *who,
			   const char *line, const char *value, const char *cmd, const char *text,
			   struct decision *d, int *rc)
{
	if (str_eq_ci(cmd, "REJECT")) {
		d->act = ACT_REJECT;
		if ((d->text = reject_reason(hc, text)) == NULL)
			*rc = -1;
		else
			act_log(hc, who, "reject", line, d->text);
	} else if (str_eq_ci(cmd, "DISCARD") || str_eq_ci(cmd, "HOLD")) {
		d->act = str_eq_ci(cmd, "HOLD") ? ACT_HOLD : ACT_DISCARD;
		act_log(hc, who, d->act == ACT_HOLD ? "hold" : "discard", line, text);
	} else if (str_eq_ci(cmd, "PASS")) {
		act_log(hc, who, "pass", line, text);
	} else if (str_eq_ci(cmd, "REDIRECT") || str_eq_ci(cmd, "BCC")) {
		*rc = decide_address(hc, who, line, str_eq_ci(cmd, "REDIRECT"), text, d);
	} else if (str_eq_ci(cmd, "FILTER")) {
		log_warning(_("%s: the action %s is not supported by relaymail (no queue); the "
			      "header is kept"),
			    hc->param, value);
	} else {
		return false;
	}
	return true;
}

/* What the table's result value says for the field line: the action,
 * logged as Postfix logs it. -1 only when out of memory. */
static int decide(const struct header_checks *hc, const struct header_checks_who *who,
		  const char *line, const char *value, struct decision *d)
{
	size_t len = strcspn(value, " \t");
	const char *text = value + len;
	char cmd[16];
	int rc = 0;

	while (*text == ' ' || *text == '\t')
		text++;
	snprintf(cmd, sizeof(cmd), "%.*s", len < sizeof(cmd) ? (int)len : 0, value);
	d->act = ACT_KEEP;
	d->text = NULL;
	if (str_eq_ci(cmd, "WARN") || str_eq_ci(cmd, "INFO"))
		act_log(hc, who, str_eq_ci(cmd, "WARN") ? "warning" : "info", line, text);
	else if (str_eq_ci(cmd, "REPLACE") || str_eq_ci(cmd, "PREPEND"))
		rc = decide_edit(hc, who, line, str_eq_ci(cmd, "REPLACE"), text, d);
	else if (str_eq_ci(cmd, "IGNORE"))
		d->act = ACT_DROP; /* not logged, as in Postfix */
	else if (str_eq_ci(cmd, "STRIP")) {
		act_log(hc, who, "strip", line, text);
		d->act = ACT_DROP;
	} else if (str_eq_ci(cmd, "DUNNO") || str_eq_ci(cmd, "OK"))
		; /* nothing */
	else if (hc->kind == HEADER_CHECKS_SMTP ||
		 !decide_cleanup(hc, who, line, value, cmd, text, d, &rc))
		log_warning(_("unknown command in %s map: %s"), hc->param, value);
	return rc;
}

static void decisions_free(struct decision *d, size_t n)
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
static int rebuild(struct header *h, const struct decision *d)
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
static int envelope_actions(const struct decision *d, size_t n, struct header_checks_result *res)
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

/* The error of a REJECT or HOLD, with the reason for a -bs reply. */
static void stop_error(const struct header_checks *hc, const struct decision *d, struct error *err)
{
	static const char held[] = "4.7.1 message held";

	if (d->act == ACT_REJECT) {
		error_set(err, d->text[0] == '4' ? ERROR_TEMP : ERROR_DATA,
			  _("the message was rejected by %s: %s"), hc->param, d->text);
		error_set_reply(err, d->text, strlen(d->text));
		return;
	}
	error_set(err, ERROR_TEMP, _("the message is held by %s and was not sent"), hc->param);
	error_set_reply(err, held, sizeof(held) - 1);
}

int header_checks_apply(const struct header_checks *hc, struct message *m,
			const struct header_checks_who *who, struct header_checks_result *res,
			struct error *err)
{
	struct header *h = &m->hdr;
	size_t n = h->n;
	struct decision *d;
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
		char *line = logical_line(&h->v[i]), *value = NULL;
		int found = line != NULL ? maps_lookup(hc->maps, line, &value, err) : -1;

		if (line == NULL || (found > 0 && decide(hc, who, line, value, &d[i]) < 0)) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
		} else if (found < 0) {
			/* Out of memory stays what it is. */
			if (err->cls != ERROR_INTERNAL) {
				error_prefix(err,
					     _("%s map lookup problem; the message is not sent"),
					     hc->param);
				err->cls = ERROR_TEMP;
			}
			rc = -1;
		} else if (d[i].act == ACT_REJECT || d[i].act == ACT_HOLD) {
			stop_error(hc, &d[i], err);
			rc = -1;
		} else if (d[i].act == ACT_DISCARD) {
			res->verdict = HEADER_CHECKS_DISCARD;
		}
		change = change || d[i].act == ACT_DROP || d[i].act == ACT_REPLACE ||
			 d[i].act == ACT_PREPEND;
		free(value);
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
