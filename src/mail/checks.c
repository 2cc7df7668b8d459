/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One line looked up in one table of checks, and the action its result
 * names (header_checks(5)): what Postfix's cleanup does with a match in
 * header_checks, mime_header_checks, nested_header_checks or
 * body_checks, and what its SMTP client does with the smtp_ forms, which
 * know only WARN, INFO, REPLACE, PREPEND, STRIP, IGNORE, DUNNO and OK,
 * and what its cleanup does with milter_header_checks, which knows no
 * PASS and only logs a PREPEND (Postfix never implemented it there).
 * FILTER, which needs a queue and a content filter, is warned about and
 * ignored. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/str.h"
#include "mail/checks_impl.h"
#include "mail/header.h"

/* Postfix logs at most this much of the line (cleanup_act_log). */
#define LOGGED_MAX 200

int check_table_open(struct check_table *t, const struct config *cfg, const char *param,
		     enum header_checks_kind kind, struct error *err)
{
	const char *value = config_get(cfg, param);
	char where[512];

	t->param = param;
	t->kind = kind;
	t->maps = NULL;
	snprintf(where, sizeof(where), "%s (%s)", param, config_where(cfg, param));
	/* Not maps_open_param: no TABLE_UTF8. A line is matched as the
	 * bytes it is, UTF-8 or not, as Postfix's cleanup matches it. */
	if ((t->maps = maps_open(value, 0, where, err)) == NULL)
		return -1;
	if (maps_empty(t->maps)) {
		maps_free(t->maps);
		t->maps = NULL;
	}
	return 0;
}

void check_table_fini(struct check_table *t)
{
	maps_free(t->maps);
	t->maps = NULL;
}

bool check_table_empty(const struct check_table *t)
{
	return t == NULL || t->maps == NULL;
}

bool check_is_mime_field(const char *line, size_t len)
{
	static const char *const names[] = {
		"Content-Description",	     "Content-Disposition", "Content-ID",
		"Content-Transfer-Encoding", "Content-Type",	    "MIME-Version",
	};
	const char *colon = memchr(line, ':', len);
	size_t n;

	if (colon == NULL)
		return false;
	n = (size_t)(colon - line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(line, names[i], n) == 0)
			return true;
	return false;
}

const struct check_table *check_table_for(const struct check_table *own,
					  const struct check_table *mime, const char *line,
					  size_t len)
{
	return check_is_mime_field(line, len) ? mime : own;
}

/* One mail log record for an action, in the service's own form. */
static void act_log(const struct check_table *t, const struct header_checks_who *who,
		    enum check_where where, const char *action, const char *line, const char *text)
{
	const char *sep = text[0] != '\0' ? ": " : "";
	const char *ctx = where == CHECK_HEADER ? "header" : "body";

	if (who == NULL || who->queue_id == NULL)
		return;
	/* cleanup_milter_hbc_log: the made-up client of a local submission,
	 * and ": TEXT" even when TEXT is empty. */
	if (t->kind == HEADER_CHECKS_MILTER) {
		maillog_info(
		    "cleanup",
		    "%s: milter-%s-%s: %s %.*s from localhost[127.0.0.1]; from=<%s>%s%s%s: %s",
		    who->queue_id, ctx, action, ctx, LOGGED_MAX, line, who->sender,
		    who->rcpt != NULL ? " to=<" : "", who->rcpt != NULL ? who->rcpt : "",
		    who->rcpt != NULL ? ">" : "", text);
		return;
	}
	if (t->kind == HEADER_CHECKS_SMTP) {
		maillog_info("smtp", "%s: %s: %s %.*s%s%s", who->queue_id, action, ctx, LOGGED_MAX,
			     line, sep, text);
		return;
	}
	maillog_info("cleanup", "%s: %s: %s %.*s from local; from=<%s>%s%s%s%s%s", who->queue_id,
		     action, ctx, LOGGED_MAX, line, who->sender, who->rcpt != NULL ? " to=<" : "",
		     who->rcpt != NULL ? who->rcpt : "", who->rcpt != NULL ? ">" : "", sep, text);
}

/* "Name: value" as Postfix's is_header accepts it. */
static bool is_field(const char *text)
{
	return header_classify(text, strlen(text), true) == HEADER_LINE_FIELD;
}

/* Postfix's dsn_prepend: the text's own "D.DDD.DDD " code when it starts
 * with one, else 5.7.1 before it; no text is Postfix's own reason. The
 * class must be 4 or 5 (Postfix warns and defers on any other). */
static char *reject_reason(const struct check_table *t, const char *text)
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
		log_warning(_("%s: bad DSN action in %s -- need 4.x.x or 5.x.x"), t->param, text);
		if (buf_printf(&b, "4%s", text + 1) < 0)
			return NULL;
		return buf_steal(&b);
	}
	return str_dup(text);
}

/* REPLACE and PREPEND: for a header, the text must be a whole field. */
static int decide_edit(const struct check_table *t, const struct header_checks_who *who,
		       enum check_where where, const char *line, bool replace, const char *text,
		       struct check_decision *d)
{
	const char *cmd = replace ? "REPLACE" : "PREPEND";

	if (text[0] == '\0') {
		log_warning(_("%s action without text in %s map"), cmd, t->param);
		return 0;
	}
	if (where == CHECK_HEADER && !is_field(text)) {
		log_warning(_("bad %s header text \"%s\" in %s map -- need \"headername: "
			      "headervalue\""),
			    cmd, text, t->param);
		return 0;
	}
	act_log(t, who, where, replace ? "replace" : "prepend", line, text);
	if (!replace && t->kind == HEADER_CHECKS_MILTER) {
		/* Postfix's text, as its cleanup gives no more than that. */
		log_warning(_("the milter_header/body_checks prepend action is not implemented"));
		return 0;
	}
	d->act = replace ? ACT_REPLACE : ACT_PREPEND;
	return (d->text = str_dup(text)) == NULL ? -1 : 0;
}

/* REDIRECT and BCC: the text must be an address with a domain. */
static int decide_address(const struct check_table *t, const struct header_checks_who *who,
			  enum check_where where, const char *line, bool redirect, const char *text,
			  struct check_decision *d)
{
	if (strchr(text, '@') == NULL || str_has_crlfnul(text, strlen(text))) {
		log_warning(redirect ? _("bad REDIRECT target \"%s\" in %s map -- need "
					 "user@domain")
				     : _("bad BCC address \"%s\" in %s map -- need user@domain"),
			    text, t->param);
		return 0;
	}
	act_log(t, who, where, redirect ? "redirect" : "bcc", line, text);
	d->act = redirect ? ACT_REDIRECT : ACT_BCC;
	return (d->text = str_dup(text)) == NULL ? -1 : 0;
}

/* The actions only cleanup has; false when cmd is none of them. */
static bool decide_cleanup(const struct check_table *t, const struct header_checks_who *who,
			   enum check_where where, const char *line, const char *value,
			   const char *cmd, const char *text, struct check_decision *d, int *rc)
{
	if (str_eq_ci(cmd, "REJECT")) {
		d->act = ACT_REJECT;
		if ((d->text = reject_reason(t, text)) == NULL)
			*rc = -1;
		else
			act_log(t, who, where, "reject", line, d->text);
	} else if (str_eq_ci(cmd, "DISCARD") || str_eq_ci(cmd, "HOLD")) {
		d->act = str_eq_ci(cmd, "HOLD") ? ACT_HOLD : ACT_DISCARD;
		act_log(t, who, where, d->act == ACT_HOLD ? "hold" : "discard", line, text);
	} else if (str_eq_ci(cmd, "PASS")) {
		act_log(t, who, where, "pass", line, text);
	} else if (str_eq_ci(cmd, "REDIRECT") || str_eq_ci(cmd, "BCC")) {
		*rc = decide_address(t, who, where, line, str_eq_ci(cmd, "REDIRECT"), text, d);
	} else if (str_eq_ci(cmd, "FILTER")) {
		log_warning(where == CHECK_HEADER
				? _("%s: the action %s is not supported by relaymail (no queue); "
				    "the header is kept")
				: _("%s: the action %s is not supported by relaymail (no queue); "
				    "the line is kept"),
			    t->param, value);
	} else {
		return false;
	}
	return true;
}

/* What the table's result value says for the line: the action, logged
 * as Postfix logs it. -1 only when out of memory. */
static int decide(const struct check_table *t, const struct header_checks_who *who,
		  enum check_where where, const char *line, const char *value,
		  struct check_decision *d)
{
	size_t len = strcspn(value, " \t");
	const char *text = value + len;
	char cmd[16];
	int rc = 0;

	while (*text == ' ' || *text == '\t')
		text++;
	snprintf(cmd, sizeof(cmd), "%.*s", len < sizeof(cmd) ? (int)len : 0, value);
	if (str_eq_ci(cmd, "WARN") || str_eq_ci(cmd, "INFO"))
		act_log(t, who, where, str_eq_ci(cmd, "WARN") ? "warning" : "info", line, text);
	else if (str_eq_ci(cmd, "REPLACE") || str_eq_ci(cmd, "PREPEND"))
		rc = decide_edit(t, who, where, line, str_eq_ci(cmd, "REPLACE"), text, d);
	else if (str_eq_ci(cmd, "IGNORE"))
		d->act = ACT_DROP; /* not logged, as in Postfix */
	else if (str_eq_ci(cmd, "STRIP")) {
		act_log(t, who, where, "strip", line, text);
		d->act = ACT_DROP;
	} else if (str_eq_ci(cmd, "DUNNO") || str_eq_ci(cmd, "OK"))
		; /* nothing */
	else if (t->kind == HEADER_CHECKS_SMTP ||
		 (t->kind == HEADER_CHECKS_MILTER && str_eq_ci(cmd, "PASS")))
		log_warning(_("unsupported command in %s map: %s"), t->param, value);
	else if (!decide_cleanup(t, who, where, line, value, cmd, text, d, &rc))
		log_warning(t->kind == HEADER_CHECKS_MILTER ? _("unsupported command in %s map: %s")
							    : _("unknown command in %s map: %s"),
			    t->param, value);
	return rc;
}

int check_line(const struct check_table *t, const struct header_checks_who *who,
	       enum check_where where, const char *line, struct check_decision *d,
	       struct error *err)
{
	char *value = NULL;
	int found;

	d->act = ACT_KEEP;
	d->text = NULL;
	/* Postfix never looks up an empty key: an empty line matches
	 * nothing, not even /^$/. */
	if (check_table_empty(t) || line[0] == '\0')
		return 0;
	found = maps_lookup(t->maps, line, &value, err);
	if (found < 0) {
		/* Out of memory stays what it is. */
		if (err->cls != ERROR_INTERNAL) {
			error_prefix(err, _("%s map lookup problem; the message is not sent"),
				     t->param);
			err->cls = ERROR_TEMP;
		}
		return -1;
	}
	if (found == 0)
		return 0;
	if (decide(t, who, where, line, value, d) < 0) {
		free(value);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	free(value);
	return 1;
}

void check_stop_error(const struct check_table *t, const struct check_decision *d,
		      struct error *err)
{
	static const char held[] = "4.7.1 message held";

	if (d->act == ACT_REJECT) {
		error_set(err, d->text[0] == '4' ? ERROR_TEMP : ERROR_DATA,
			  _("the message was rejected by %s: %s"), t->param, d->text);
		error_set_reply(err, d->text, strlen(d->text));
		return;
	}
	error_set(err, ERROR_TEMP, _("the message is held by %s and was not sent"), t->param);
	error_set_reply(err, held, sizeof(held) - 1);
}
