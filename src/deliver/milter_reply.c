/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a milter's replies decide, as Postfix's milter8 client and cleanup
 * take them for a local submission: CONTINUE and ACCEPT let the message
 * go on, REJECT, TEMPFAIL and REPLYCODE stop it, DISCARD drops it,
 * QUARANTINE holds it, and after the end of the message the header,
 * envelope and body edits. A RCPT cannot be refused in a local
 * submission: that is a configuration error, and the message waits. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/stop.h"
#include "base/str.h"
#include "deliver/milter_impl.h"

#define REASON_MAX 100 /* octets of a QUARANTINE reason kept, as Postfix */
/* What a milter may add in one run: the message may grow to its size
 * limit (message_size_limit, or this when there is none), and no more
 * than this many recipients may be added or deleted. */
#define GROWTH_MAX ((size_t)64 * 1024 * 1024)
#define RCPT_EDITS_MAX 10000
#define HEADER_EDITS_MAX 10000

static const char *event_name(char event);

/* The event and the mail log's text of a verdict. */
static void set_log(struct milter_run *r, const char *text)
{
	r->res->event = event_name(r->event);
	r->res->rcpt = r->rcpt_addr;
	str_printable(r->res->text, sizeof(r->res->text), text, strlen(text));
}

/* A final verdict; with soft_bounce = yes a refusal becomes temporary,
 * its 5xx code and 5.x.x enhanced code made 4s, as Postfix's milter
 * client does to a reply code. */
static void set_final(struct milter_run *r, enum milter_verdict v, const char *reply,
		      const char *why)
{
	struct milters_result *res = r->res;
	size_t n;

	res->verdict = v;
	snprintf(res->reply, sizeof(res->reply), "%s", reply);
	str_printable(res->why, sizeof(res->why), why, strlen(why));
	if (v == MILTER_REJECT && r->ms->soft_bounce) {
		res->verdict = MILTER_TEMPFAIL;
		res->reply[0] = '4';
		if (res->reply[3] == ' ' && res->reply[4] == '5')
			res->reply[4] = '4';
		n = strlen(res->why);
		snprintf(res->why + n, sizeof(res->why) - n, "%s",
			 _(" (reported as temporary: soft_bounce = yes)"));
	}
	set_log(r, strlen(res->reply) > 4 ? res->reply + 4 : res->reply);
}

/* reason: the mail log's text, Postfix's "default_action" for the
 * default action. */
static void set_hold(struct milter_run *r, const char *why, const char *reason)
{
	if (r->res->verdict != MILTER_PASS)
		return;
	r->res->verdict = MILTER_HOLD;
	str_printable(r->res->why, sizeof(r->res->why), why, strlen(why));
	set_log(r, reason);
}

void milter_run_fail(struct milter_run *r, struct mconn *c, bool conf, const struct error *err)
{
	char why[ERROR_TEXT_MAX + 256];

	snprintf(why, sizeof(why), _("milter %s: %s"), c->c->name, err->text);
	c->state = MCONN_OFF;
	conn_free(c->conn);
	c->conn = NULL;
	/* A stop asked (SIGTERM...) is no failure of the milter: the run
	 * ends, and the message is kept, whatever the default action. */
	if (stop_error_is(err)) {
		*r->fatal = *err;
		error_prefix(r->fatal, _("milter %s"), c->c->name);
		return;
	}
	switch (c->c->action) {
	case MILTER_ACTION_ACCEPT:
		log_warning(_("%s; the message goes on without it (milter_default_action = "
			      "accept)"),
			    why);
		return;
	case MILTER_ACTION_QUARANTINE:
		set_hold(r, why, "default_action");
		return;
	case MILTER_ACTION_REJECT:
		if (!conf) {
			set_final(r, MILTER_REJECT, "550 5.5.0 Service unavailable", why);
			return;
		}
		break;
	case MILTER_ACTION_TEMPFAIL:
		break;
	}
	set_final(r, MILTER_TEMPFAIL,
		  conf ? "451 4.3.5 Server configuration problem - try again later"
		       : "451 4.7.1 Service unavailable - try again later",
		  why);
}

int milter_run_packet(struct mconn *c, struct deadline dl, struct milter_packet *pkt,
		      struct error *err)
{
	for (;;) {
		size_t used;
		ssize_t got;
		int rc;

		buf_consume(&c->in, c->consumed);
		c->consumed = 0;
		rc = milter_packet_parse(c->in.data, c->in.len, pkt, &used, err);
		if (rc != 0) {
			c->consumed = rc > 0 ? used : 0;
			return rc > 0 ? 0 : -1;
		}
		if (buf_reserve(&c->in, MILTER_CHUNK) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		got = conn_read(c->conn, c->in.data + c->in.len, MILTER_CHUNK, dl, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			error_set(err, ERROR_PROTOCOL,
				  c->in.len == 0 ? _("the connection was closed instead of a reply")
						 : _("the connection was closed in the middle of "
						     "a packet"));
			return -1;
		}
		c->in.len += (size_t)got;
		c->in.data[c->in.len] = '\0';
	}
}

/* The name of an event for messages. */
static const char *event_name(char event)
{
	switch (event) {
	case MILTER_C_CONNECT:
		return "CONNECT";
	case MILTER_C_HELO:
		return "HELO";
	case MILTER_C_MAIL:
		return "MAIL";
	case MILTER_C_RCPT:
		return "RCPT";
	case MILTER_C_DATA:
		return "DATA";
	case MILTER_C_HEADER:
		return "HEADER";
	case MILTER_C_EOH:
		return "EOH";
	case MILTER_C_BODY:
		return "BODY";
	default:
		return "END-OF-MESSAGE";
	}
}

/* "<addr>" or "addr" as the address alone. */
static char *bare_address(const char *a)
{
	const char *p = str_skip_space(a);
	size_t len = str_trim_len(p, strlen(p));

	if (len >= 2 && p[0] == '<' && p[len - 1] == '>') {
		p++;
		len -= 2;
	}
	return str_ndup(p, len);
}

/* A REPLYCODE's text: Sendmail's doubled '%' made single, a lone '%'
 * dropped, as Postfix does. */
static void reply_text(const struct milter_reply *rp, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < rp->len && rp->data[i] != '\0' && n + 1 < size; i++) {
		if (rp->data[i] == '%' && ++i >= rp->len)
			break;
		out[n++] = rp->data[i];
	}
	out[n] = '\0';
}

/* A body replacement ends with the first reply that is not part of it. */
static int body_end(struct milter_run *r, struct error *err)
{
	struct milter_body *b = r->body;

	r->body = NULL;
	r->body_done = true;
	return milter_edit_body_finish(b, r->m, err);
}

static int ignored_args(const struct mconn *c, const struct milter_reply *rp)
{
	if (rp->value[0] != '\0')
		log_warning(_("milter %s: ESMTP arguments \"%s\" ignored"), c->c->name, rp->value);
	return 0;
}

/* SMFIR_INSHEADER: Postfix counts the position in the header it stores,
 * where its own Received field, which no milter is shown, comes first;
 * relaymail has none, and puts the field where Postfix would put it
 * among the others (position 0 and 1 are both the top at first). */
static int insert(struct milter_run *r, const struct milter_reply *rp, const char *name,
		  const char *space, const char *value, struct error *err)
{
	size_t at = rp->index;

	if (at <= r->trace_at) {
		if (milter_edit_insert(r->m, at, name, space, value, err) < 0)
			return -1;
		r->trace_at++;
		return 0;
	}
	return milter_edit_insert(r->m, at - 1, name, space, value, err);
}

/* SMFIR_CHGHEADER: a field deleted above Postfix's Received moves it up. */
static int change(struct milter_run *r, const struct milter_reply *rp, const char *name,
		  const char *space, const char *value, struct error *err)
{
	long at;

	if (rp->value[0] == '\0') {
		at = milter_edit_find(r->m, rp->index, rp->name);
		if (at >= 0 && (size_t)at < r->trace_at)
			r->trace_at--;
		return milter_edit_change(r->m, rp->index, rp->name, space, rp->value, err);
	}
	/* name and value may be a REPLACE of milter_header_checks: that
	 * field, whatever its name, where the milter's would have been. */
	if ((at = milter_edit_find(r->m, rp->index, rp->name)) < 0)
		return milter_edit_add(r->m, name, space, value, err);
	return milter_edit_set(r->m, (size_t)at, name, space, value, err);
}

/* A verdict that ends the run (milter_header_checks' REJECT, DISCARD or
 * failure, before the milter's own final reply): every later edit is
 * skipped, as Postfix's milter client skips them once cleanup answered
 * one. */
static bool final(const struct milter_run *r)
{
	enum milter_verdict v = r->res->verdict;

	return v == MILTER_REJECT || v == MILTER_TEMPFAIL || v == MILTER_DISCARD;
}

/* What milter_header_checks decided for the message, as the run's
 * verdict; logged by the checks already, so no event is recorded. */
static void checks_verdict(struct milter_run *r, const struct mconn *c)
{
	const struct milter_checks_state *st = &r->hbc;
	char why[1024], reply[600];

	if (st->reject != NULL) {
		snprintf(why, sizeof(why),
			 _("milter_header_checks, on the header field \"%.200s\" from milter %s: "
			   "%s"),
			 st->field, c->c->name, st->reject);
		/* Postfix's reply: 550 with the class of the reason. */
		snprintf(reply, sizeof(reply), "%c50 %s", st->reject[0], st->reject);
		set_final(r, reply[0] == '5' ? MILTER_REJECT : MILTER_TEMPFAIL, reply, why);
	} else if (st->discard) {
		r->res->verdict = MILTER_DISCARD;
	} else if (st->hold && r->res->verdict == MILTER_PASS) {
		snprintf(why, sizeof(why),
			 _("milter_header_checks, on the header field \"%.200s\" from milter %s: "
			   "HOLD action"),
			 st->field, c->c->name);
		set_hold(r, why, "");
	} else {
		return;
	}
	r->res->by_checks = true;
	r->res->event = NULL;
}

/* The field (name, space, value) looked up in milter_header_checks, and
 * the edit made, or not, as the result says. */
static int header_edit(struct milter_run *r, struct mconn *c, const struct milter_reply *rp,
		       const char *space, struct error *err)
{
	const char *name = rp->name, *value = rp->value;
	struct header_checks_who who = { .queue_id = r->env->log_id,
					 .sender = r->env->sender,
					 .rcpt = r->env->nrcpts > 0
						     ? r->env->rcpts[r->env->nrcpts - 1]
						     : NULL };
	struct buf field = { 0 };
	char *text = NULL, *colon;
	int act = MILTER_CHECKS_KEEP, rc;

	/* Postfix looks up no field a milter deletes. */
	if (r->ms->hbc != NULL && !(rp->cmd == MILTER_R_CHGHEADER && value[0] == '\0')) {
		if (buf_printf(&field, "%s:%s%s", name, space, value) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		act = milter_checks_field(r->ms->hbc, &who, field.data, &r->hbc, &text, err);
		buf_fini(&field);
		if (act < 0 && err->cls == ERROR_TEMP) {
			/* The message waits, as with Postfix's "map lookup
			 * problem -- message not accepted, try again later". */
			set_final(r, MILTER_TEMPFAIL, "451 4.3.0 Error: queue file write error",
				  err->text);
			r->res->by_checks = true;
			r->res->event = NULL;
			error_clear(err);
			return 0;
		}
		if (act < 0)
			return -1;
	}
	if (act == MILTER_CHECKS_REPLACE) {
		/* The table's text is the whole field: "Name: value". */
		colon = strchr(text, ':');
		*colon = '\0';
		name = text;
		space = "";
		value = colon + 1;
	}
	if (act == MILTER_CHECKS_DROP)
		rc = 0;
	else if (rp->cmd == MILTER_R_ADDHEADER)
		rc = milter_edit_add(r->m, name, space, value, err);
	else if (rp->cmd == MILTER_R_INSHEADER)
		rc = insert(r, rp, name, space, value, err);
	else
		rc = change(r, rp, name, space, value, err);
	free(text);
	if (rc == 0)
		checks_verdict(r, c);
	return rc;
}

/* An edit after the end of the message: 0, or -1 with err (ERROR_PROTOCOL
 * for the milter's fault, else ours). */
static int edit(struct milter_run *r, struct mconn *c, const struct milter_reply *rp,
		struct error *err)
{
	const char *space = c->events & MILTER_P_HDR_LEADSPC ? "" : " ";
	struct milters_result *res = r->res;
	char *addr = NULL;
	int rc = 0;

	if (final(r))
		return 0;
	if (rp->cmd == MILTER_R_ADDHEADER || rp->cmd == MILTER_R_INSHEADER ||
	    rp->cmd == MILTER_R_CHGHEADER) {
		if (rp->name[0] == '\0') {
			error_set(err, ERROR_PROTOCOL, _("an empty header name"));
			return -1;
		}
		if (++r->header_edits > HEADER_EDITS_MAX) {
			error_set(err, ERROR_PROTOCOL, _("more than %d header changes"),
				  HEADER_EDITS_MAX);
			return -1;
		}
		rc = header_edit(r, c, rp, space, err);
		if (rc == 0 &&
		    message_size(r->m) > (r->ms->size_max > 0 ? r->ms->size_max : GROWTH_MAX)) {
			error_set(err, ERROR_PROTOCOL,
				  _("header changes past the size limit of the message"));
			rc = -1;
		}
		return rc;
	}
	if (rp->cmd == MILTER_R_REPLBODY) {
		if (r->body_done) {
			error_set(err, ERROR_PROTOCOL,
				  _("body replacement requests mixed with other requests"));
			return -1;
		}
		if (r->body == NULL &&
		    (r->body = milter_edit_body_new(r->m, r->ms->size_max, err)) == NULL)
			return -1;
		return milter_edit_body_add(r->body, rp->data, rp->len, err);
	}
	if (res->add.n + res->del.n >= RCPT_EDITS_MAX) {
		error_set(err, ERROR_PROTOCOL, _("more than %d recipient changes"), RCPT_EDITS_MAX);
		return -1;
	}
	if ((addr = bare_address(rp->name)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (rp->cmd == MILTER_R_CHGFROM) {
		free(res->sender);
		res->sender = addr;
		return ignored_args(c, rp);
	}
	if (addr[0] == '\0')
		log_warning(_("milter %s: an empty recipient address is ignored"), c->c->name);
	else if (addrlist_add(rp->cmd == MILTER_R_DELRCPT ? &res->del : &res->add, addr) < 0)
		rc = -1;
	free(addr);
	if (rc < 0)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	return rc < 0 ? -1 : ignored_args(c, rp);
}

/* A verdict reply; true when it ends the event. */
static bool verdict(struct milter_run *r, struct mconn *c, char event,
		    const struct milter_reply *rp, bool *stop)
{
	bool conn_event = event == MILTER_C_CONNECT || event == MILTER_C_HELO;
	char text[512], why[700];
	enum milter_verdict v;
	const char *reply;

	*stop = false;
	/* milter_header_checks decided already: the milter's own verdict
	 * only ends its reply. */
	if (final(r) && strchr("acsdrt4y", rp->cmd) != NULL && rp->cmd != '\0') {
		*stop = true;
		return true;
	}
	switch (rp->cmd) {
	case MILTER_R_CONTINUE:
		return true;
	case MILTER_R_ACCEPT:
		c->state = MCONN_ACCEPTED;
		return true;
	case MILTER_R_SKIP:
		c->skip = event;
		return true;
	case MILTER_R_DISCARD:
		if (conn_event) {
			log_warning(_("milter %s: DISCARD action is not allowed for connect or "
				      "helo"),
				    c->c->name);
			return true;
		}
		r->res->verdict = MILTER_DISCARD;
		set_log(r, "milter triggers DISCARD action");
		*stop = true;
		return true;
	case MILTER_R_REJECT:
		reply = "550 5.7.1 Command rejected";
		break;
	case MILTER_R_TEMPFAIL:
		reply = "451 4.7.1 Service unavailable - try again later";
		break;
	case MILTER_R_SHUTDOWN:
		reply = "421 4.7.0 Service unavailable";
		break;
	case MILTER_R_REPLYCODE:
		reply_text(rp, text, sizeof(text));
		reply = text;
		break;
	default:
		return false;
	}
	v = reply[0] == '5' ? MILTER_REJECT : MILTER_TEMPFAIL;
	snprintf(why, sizeof(why), _("milter %s: %s after %s"), c->c->name, reply,
		 event_name(event));
	if (event == MILTER_C_RCPT) {
		/* Postfix: a milter cannot reject the recipients of a local
		 * submission; the message stays in the queue. */
		snprintf(why, sizeof(why),
			 _("milter %s refused the recipient <%s> (%s), which it cannot do for a "
			   "local submission: a milter configuration error"),
			 c->c->name, r->rcpt_addr, reply);
		set_final(r, MILTER_TEMPFAIL, "451 4.3.5 Server configuration error", why);
		/* Postfix logs the milter's own reply. */
		set_log(r, strlen(reply) > 4 ? reply + 4 : reply);
		*stop = true;
		return true;
	}
	set_final(r, v, reply, why);
	*stop = true;
	return true;
}

bool milter_run_replies(struct milter_run *r, struct mconn *c, char event, struct deadline dl)
{
	struct error err = { 0 };
	char name[24];

	for (;;) {
		struct milter_packet pkt;
		struct milter_reply rp;
		bool stop;

		if (milter_run_packet(c, dl, &pkt, &err) < 0 ||
		    milter_reply_decode(&pkt, &rp, &err) < 0)
			break;
		if (r->body != NULL && rp.cmd != MILTER_R_REPLBODY && body_end(r, &err) < 0)
			break;
		if (rp.cmd == MILTER_R_PROGRESS)
			continue;
		if (rp.cmd == MILTER_R_QUARANTINE) {
			char why[REASON_MAX + 256], reason[REASON_MAX + 1];
			size_t len = rp.len < REASON_MAX ? rp.len : REASON_MAX;

			memcpy(reason, rp.data, len);
			reason[len] = '\0';
			snprintf(why, sizeof(why), _("milter %s: quarantine: %s"), c->c->name,
				 reason);
			set_hold(r, why,
				 reason[0] != '\0' ? reason : "milter triggers HOLD action");
			c->state = MCONN_OFF;
			continue;
		}
		if (rp.cmd == MILTER_R_REPLYCODE && !milter_smtp_reply_ok(rp.data, rp.len)) {
			char shown[200];

			str_printable(shown, sizeof(shown), rp.data, rp.len < 120 ? rp.len : 120);
			error_set(&err, ERROR_PROTOCOL, _("malformed reply: %s"), shown);
			milter_run_fail(r, c, true, &err);
			return r->res->verdict == MILTER_PASS || r->res->verdict == MILTER_HOLD;
		}
		if (verdict(r, c, event, &rp, &stop))
			return !stop;
		if (event != MILTER_C_BODYEOB) {
			error_set(&err, ERROR_PROTOCOL, _("unexpected reply %s after %s"),
				  milter_reply_name(rp.cmd, name, sizeof(name)), event_name(event));
			break;
		}
		if (edit(r, c, &rp, &err) < 0)
			break;
	}
	if (r->body != NULL) {
		milter_edit_body_free(r->body);
		r->body = NULL;
	}
	if (err.cls != ERROR_PROTOCOL && err.cls != ERROR_TEMP) {
		*r->fatal = err;
		error_prefix(r->fatal, _("milter %s"), c->c->name);
		return false;
	}
	milter_run_fail(r, c, false, &err);
	return r->res->verdict == MILTER_PASS || r->res->verdict == MILTER_HOLD;
}
