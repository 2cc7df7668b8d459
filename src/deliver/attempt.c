/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives struct session over a struct conn: writes what it asks, reads
 * with the stage's timeout (never past the run's deadline), starts TLS and
 * runs SASL steps when asked, and streams the body from the spool. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/stop.h"
#include "base/str.h"
#include "deliver/attempt.h"
#include "deliver/attempt_impl.h"
#include "deliver/hint.h"
#include "net/tls.h"

void driver_failed(struct driver *d, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	if (status_is_set(&d->why))
		return;
	snprintf(d->why.dsn, sizeof(d->why.dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(d->why.text, sizeof(d->why.text), fmt, ap);
	va_end(ap);
}

static void driver_io_failed(struct driver *d, struct deadline dl)
{
	if (!status_is_set(&d->why))
		status_io(&d->why, d->namaddr, session_stage(d->s), deadline_expired(dl));
}

/* How long the goodbye to a relay refused at the TLS handshake may take. */
#define REFUSED_BYE_MS 3000

static struct deadline stage_deadline(const struct driver *d)
{
	long ms = policy_stage_timeout(&d->a->policy->timeouts, session_stage(d->s));

	if (session_stale(d->s) && ms > REUSE_RSET_MS)
		ms = REUSE_RSET_MS;
	/* The goodbye to a relay refused at the TLS handshake: not worth
	 * smtp_helo_timeout's wait. */
	if (d->tls_refused && ms > REFUSED_BYE_MS)
		ms = REFUSED_BYE_MS;

	return deadline_min(d->a->run, deadline_in(ms));
}

static void trace(void *arg, bool from_relay, const char *line, size_t len)
{
	(void)arg;
	log_dialogue(from_relay ? "<<<" : ">>>", line, len);
}

/* The same for a relay in debug_peer_list, and each line to the mail log
 * as Postfix's verbose smtp_chat writes it: "> host[addr]:port: EHLO x"
 * for what went out, "< ..." for the reply. arg: the relay's name, which
 * lives as long as the session's settings. Secrets are masked already. */
static void trace_peer(void *arg, bool from_relay, const char *line, size_t len)
{
	const char *relay = arg;
	int n = len > MAILLOG_TEXT_MAX ? MAILLOG_TEXT_MAX : (int)len;

	log_dialogue(from_relay ? "<<<" : ">>>", line, len);
	maillog_info("smtp", "%s %s: %.*s", from_relay ? "<" : ">", relay, n, line);
}

/* The trace of the attempt's session: the -v dialogue on stderr, and the
 * mail log's when the relay is in debug_peer_list (this attempt only:
 * the next address or relay is matched on its own). */
static void set_trace(const struct attempt *a, struct session_settings *set, const char *relay)
{
	const char *host = a->addr->host[0] != '\0' ? a->addr->host : a->dest->host;

	set->trace = log_verbosity() > 0 ? trace : NULL;
	set->trace_arg = NULL;
	if (maillog_active() && policy_debug_peer(a->policy, host, a->addr->text)) {
		set->trace = trace_peer;
		set->trace_arg = (void *)relay;
	}
}

static enum session_event do_write(struct driver *d)
{
	struct deadline dl = stage_deadline(d);
	struct error err = { 0 };
	const char *p;
	size_t n;

	/* The log's delays: connection set-up ends as MAIL FROM goes out. */
	if (session_stage(d->s) == SESSION_STAGE_MAIL && d->res->setup_done_ms == 0)
		d->res->setup_done_ms = deadline_now_ms();
	session_output(d->s, &p, &n);
	/* A relay that closed the connection before the final dot cannot
	 * have taken the message: its loss is not "may have been delivered". */
	if (session_stage(d->s) == SESSION_STAGE_DOT && conn_peer_closed(d->conn)) {
		d->dot_unsent = true;
		driver_failed(d, "4.4.2", "lost connection with %s while sending message body",
			      d->namaddr);
		error_set(&err, ERROR_TEMP,
			  _("relay %s closed the connection before the end of the message"),
			  d->res->relay);
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	if (conn_write(d->conn, p, n, dl, &err) < 0) {
		driver_io_failed(d, dl);
		/* As for a read: a stop's error says only what stopped us. */
		error_prefix(&err, _("relay %s, while %s"), d->res->relay,
			     session_stage_name(session_stage(d->s)));
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	return session_written(d->s);
}

static enum session_event do_read(struct driver *d)
{
	struct deadline dl = stage_deadline(d);
	struct error err = { 0 };
	char buf[16384];
	ssize_t n;

	n = conn_read(d->conn, buf, sizeof(buf), dl, &err);
	if (n < 0) {
		driver_io_failed(d, dl);
		if (session_stage(d->s) == SESSION_STAGE_GREETING)
			hint_greeting(&err, d->a->dest, d->a->tls);
		error_prefix(&err, _("relay %s, while %s"), d->res->relay,
			     session_stage_name(session_stage(d->s)));
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	return session_input(d->s, buf, (size_t)n);
}

/* An MX host's certificate: at secure, the next-hop domain or a name
 * below it (Postfix's smtp_tls_secure_cert_match = nexthop, dot-nexthop);
 * otherwise the MX host name as DNS gave it, or the domain (Postfix's
 * smtp_tls_verify_cert_match = hostname), and SNI names the MX host. */
static void mx_names(const struct attempt *a, struct tls_params *params, const char *names[2],
		     char *dot, size_t dotsize)
{
	const char *host = a->addr->host;

	if (!a->dest->mx || host[0] == '\0' || str_eq_ci(host, a->dest->host))
		return;
	names[0] = a->dest->host;
	if (strcmp(a->tls->level, "secure") == 0) {
		snprintf(dot, dotsize, ".%s", a->dest->host);
		names[1] = dot;
	} else {
		names[1] = host;
		if (params->sni != NULL && str_eq_ci(params->sni, a->dest->host))
			params->sni = host;
	}
	params->match_names = names;
	params->nmatch_names = 2;
}

/* Postfix's TLS summary (smtp_tls_loglevel 1): the handshake is done,
 * whether or not the certificate passed. */
static void log_tls(const struct driver *d, const struct tls_info *info)
{
	if (d->a->queue_id == NULL || info->version[0] == '\0' ||
	    d->a->policy->answers.tls_loglevel == 0)
		return;
	maillog_info("smtp", "%s TLS connection established to %s: %s with cipher %s (%u/%u bits)",
		     info->verified ? "Verified" : "Untrusted", d->res->relay, info->version,
		     info->cipher, info->bits, info->bits);
}

/* -v: the peer certificate, as Postfix logs it at smtp_tls_loglevel 1. */
static void log_certificate(const struct tls_info *info)
{
	if (info->peer_subject[0] == '\0')
		return;
	log_verbose(_("certificate: subject %s, issuer %s"), info->peer_subject, info->peer_issuer);
}

static void tls_failed(struct driver *d, const struct tls_info *info, const struct error *err)
{
	if (err->cls == ERROR_CONFIG)
		driver_failed(d, "4.7.0", "client TLS configuration problem");
	else if (info->version[0] != '\0')
		driver_failed(d, "4.7.5", "Server certificate not verified");
	else
		driver_failed(d, "4.7.5", "Cannot start TLS: handshake failure");
}

static int start_tls(struct driver *d, struct deadline dl, struct tls_info *out, struct error *err)
{
	struct tls_params params;
	struct tls_info info;
	const char *names[2];
	char dot[sizeof(d->a->addr->host) + 1];

	policy_tls_params(d->a->policy, d->a->tls, &params);
	mx_names(d->a, &params, names, dot, sizeof(dot));
	params.describe = log_verbosity() > 0; /* log_certificate */
	/* tls_start's errors name the relay already. */
	if (tls_start(d->conn, &params, dl, &info, err) < 0) {
		log_tls(d, &info);
		log_certificate(&info);
		tls_failed(d, &info, err);
		hint_tls(err, d->a->policy, d->a->dest, d->a->tls, &info);
		*out = info;
		return -1;
	}
	log_certificate(&info);
	log_tls(d, &info);
	d->tls_active = true;
	d->tls_verified = info.verified;
	/* Two whole sentences, so that translators see each one. */
	if (info.verified)
		log_verbose(_("Verified TLS connection established to %s: %s with cipher %s "
			      "(%u bits)"),
			    d->res->relay, info.version, info.cipher, info.bits);
	else
		log_verbose(_("Untrusted TLS connection established to %s: %s with cipher %s "
			      "(%u bits)"),
			    d->res->relay, info.version, info.cipher, info.bits);
	if (!info.verified && d->a->cred != NULL && d->a->tls->explicit_unverified)
		log_notice(_("credentials for %s are sent over a TLS session whose certificate "
			     "was not verified (smtp_tls_security_level = %s)"),
			   d->res->relay, d->a->tls->level);
	return 0;
}

static enum session_event do_starttls(struct driver *d)
{
	struct error err = { 0 };
	struct tls_info info;

	if (start_tls(d, deadline_min(d->a->run, deadline_in(d->a->policy->timeouts.starttls)),
		      &info, &err) < 0) {
		d->handshake_failed = err.cls != ERROR_CONFIG;
		/* A certificate that failed the checks after a handshake
		 * that completed: QUIT over TLS, as Postfix does. */
		if (err.cls != ERROR_CONFIG && info.version[0] != '\0' && conn_tls(d->conn))
			return session_tls_refused(d->s, &err);
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	return session_tls_started(d->s);
}

static enum session_event do_body(struct driver *d)
{
	struct message_cursor *cur = malloc(sizeof(*cur));
	struct error err = { 0 };
	enum session_event ev = SESSION_BODY;
	const char *p;
	ssize_t n;

	if (cur == NULL) {
		error_set(&err, ERROR_INTERNAL, _("out of memory"));
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	message_rewind(d->a->msg, cur);
	while (ev == SESSION_BODY && (n = message_next(d->a->msg, cur, &p, &err)) > 0) {
		ev = session_body(d->s, p, (size_t)n);
		while (ev == SESSION_WRITE)
			ev = do_write(d);
	}
	free(cur);
	if (error_is_set(&err)) {
		driver_failed(d, "4.3.0", "error reading the message while sending message body");
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	if (ev != SESSION_BODY)
		return ev;
	return session_body_end(d->s);
}

/* An MX destination's address names its exchanger (net_addr.host):
 * "host[addr]:port", and without the port as the log's reasons name it. */
static void relay_name(const struct attempt *a, char *out, size_t size, char *namaddr, size_t nsize)
{
	const char *host = a->addr->host[0] != '\0' ? a->addr->host : a->dest->host;
	int n = snprintf(out, size, "%s[%s]:%u", host, a->addr->text, a->dest->port);

	/* Only a 255-byte name comes close; cut, it still says which relay. */
	if (n < 0 && size > 0)
		out[0] = '\0';
	if (snprintf(namaddr, nsize, "%s[%s]", host, a->addr->text) < 0 && nsize > 0)
		namaddr[0] = '\0';
}

/* A refused OAuth token: the relay's error JSON says why (expired, wrong
 * scope), which its 535 text does not. */
static void add_oauth_detail(struct driver *d)
{
	const char *detail = sasl_failure_detail(d->sasl);
	struct error *err = &d->res->err;
	char text[sizeof(err->text)], reply[sizeof(err->reply)];

	if (*detail == '\0' || !error_is_set(err))
		return;
	memcpy(text, err->text, sizeof(text));
	memcpy(reply, err->reply, sizeof(reply));
	error_set(err, err->cls, _("%s (the relay's OAuth error: %s)"), text, detail);
	error_set_reply(err, reply, strlen(reply));
}

/* Each recipient the relay refused, in the log's words. */
static void rcpt_statuses(const struct driver *d, const struct session_result *r)
{
	struct deliver_status *st = d->a->rcpt;

	for (size_t i = 0; d->a->delivered != NULL && i < d->a->env->nrcpts; i++)
		d->a->delivered[i] = r->rcpt[i].delivered;
	for (size_t i = 0; st != NULL && i < d->a->env->nrcpts; i++) {
		int code = r->rcpt[i].code;

		if (r->rcpt[i].delivered && !r->ok)
			status_sent(&st[i], r->rcpt[i].reply);
		else if (code != 0 && code / 100 != 2)
			status_said(&st[i], d->namaddr, r->rcpt[i].reply, SESSION_STAGE_RCPT);
		else
			st[i].dsn[0] = '\0';
	}
}

/* The advice for what the session's end says (deliver/hint.h). */
static void add_hint(const struct driver *d, const struct session_result *r)
{
	const struct credentials *c = d->a->cred;
	struct hint_session h = {
		.policy = d->a->policy,
		.dest = d->a->dest,
		.tls = d->a->tls,
		.cred_key = c != NULL ? c->key : NULL,
		.cred_user = c != NULL ? c->user : NULL,
		.result = r,
		.caps = session_caps(d->s),
		.tls_active = d->tls_active,
		.auth_cache = d->a->policy->sasl.auth_cache,
		.auth_cached = d->auth_cached,
		.auth_recorded = d->auth_recorded,
	};

	hint_session(&d->res->err, &h);
}

/* smtp_tls_note_starttls_offer: a relay spoken to in plaintext offered
 * STARTTLS; Postfix's words. */
static void note_starttls(const struct driver *d)
{
	if (d->a->queue_id != NULL && d->a->policy->answers.note_starttls && !d->tls_active &&
	    session_caps(d->s)->starttls)
		maillog_info("smtp", "Host offered STARTTLS: [%s]",
			     d->a->addr->host[0] != '\0' ? d->a->addr->host : d->a->dest->host);
}

/* smtp_discard_ehlo_keywords: Postfix's note, once for each EHLO. */
static void note_discard(const struct driver *d, const struct session_result *r)
{
	if (d->a->queue_id == NULL || d->a->policy->answers.discard_note[0] == '\0')
		return;
	for (unsigned i = 0; i < r->nehlo; i++)
		maillog_info("smtp", "discarding EHLO keywords: %s",
			     d->a->policy->answers.discard_note);
}

static void finish(struct driver *d)
{
	const struct session_result *r = session_result(d->s);
	struct deliver_status *why = &d->res->why;

	d->res->ok = r->ok;
	d->res->next_relay = r->next_relay;
	d->res->maybe_delivered = r->maybe_delivered && !d->dot_unsent;
	d->res->some_delivered = !r->ok && r->ndelivered > 0;
	d->res->err = r->err;
	/* smtp_sasl_auth_soft_bounce: a refused password is not final. */
	if (r->err.cls == ERROR_AUTH && r->stage == SESSION_STAGE_AUTH &&
	    r->failure == SESSION_FAILURE_REPLY && d->a->policy->answers.auth_soft_bounce)
		d->res->err.cls = ERROR_TEMP;
	if (r->last.code != 0)
		reply_format(&r->last, d->res->reply, sizeof(d->res->reply));
	add_oauth_detail(d);
	driver_record_refusal(d, r);
	add_hint(d, r);
	note_starttls(d);
	note_discard(d, r);
	if (r->ok)
		status_sent(why, d->res->reply);
	else if (status_is_set(&d->why) && r->failure == SESSION_FAILURE_ABORTED)
		*why = d->why;
	else
		status_session(why, r, d->namaddr, d->a->env->size, session_caps(d->s)->size_max);
	rcpt_statuses(d, r);
}

static void drive_from(struct driver *d, enum session_event ev, bool tls)
{
	while (ev != SESSION_DONE && ev != SESSION_FAILED) {
		switch (ev) {
		case SESSION_WRITE:
			ev = do_write(d);
			break;
		case SESSION_READ:
			ev = do_read(d);
			break;
		case SESSION_STARTTLS:
			ev = do_starttls(d);
			tls = ev != SESSION_FAILED;
			break;
		case SESSION_AUTH:
			ev = driver_auth(d, tls);
			break;
		case SESSION_AUTH_CHALLENGE:
			ev = driver_challenge(d);
			break;
		case SESSION_BODY:
			ev = do_body(d);
			break;
		default:
			ev = SESSION_FAILED;
			break;
		}
	}
	finish(d);
}

static void drive(struct driver *d, bool tls)
{
	drive_from(d, session_start(d->s), tls);
}

/* The session's TLS setting. Secure default: with credentials and no
 * explicit level, a relay that does not offer STARTTLS (or had it
 * stripped) is not good enough. */
static enum session_tls session_tls_for(const struct attempt *a)
{
	if (a->cred != NULL && a->tls->mode == SESSION_TLS_MAY && !a->tls->explicit_unverified)
		return SESSION_TLS_REQUIRE;
	return a->tls->mode;
}

/* Postfix logs every connection that could not be made, final or not,
 * as a record of its own without the queue ID. */
static void connect_failed(const struct attempt *a, struct attempt_result *res, bool timed_out)
{
	int errnum = timed_out ? ETIMEDOUT : res->err.errnum;

	if (errnum == 0) {
		status_by_class(&res->why, res->err.cls);
		return;
	}
	hint_connect(&res->err, a->dest, errnum, timed_out);
	status_connect(&res->why, res->relay, errnum);
	if (a->queue_id != NULL)
		maillog_info("smtp", "%s", res->why.text);
}

/* What a kept connection must match to carry a's message (reuse.h). */
static bool cache_key(const struct attempt *a, enum session_tls mode, char *key, size_t size)
{
	return reuse_key(key, size, a->dest->spec, a->addr->text, a->dest->port, (int)mode,
			 a->cred != NULL ? a->cred->user : NULL);
}

/* With a cache, the entry that will hold the new connection when it is
 * kept: the session's settings live in it. */
static struct reuse_conn *cache_entry(const struct attempt *a, enum session_tls mode)
{
	struct reuse_conn *rc;

	if (a->cache == NULL || (rc = reuse_conn_new()) == NULL)
		return NULL;
	if (!cache_key(a, mode, rc->key, sizeof(rc->key))) {
		reuse_conn_close(rc, false);
		return NULL;
	}
	rc->opened_ms = deadline_now_ms();
	rc->quit_ms = a->policy->timeouts.quit;
	return rc;
}

/* Keep the connection of d, idle after the message, in the cache. */
static bool cache_keep(struct driver *d, struct reuse_conn *rc)
{
	if (rc == NULL || !d->res->ok || !rc->settings.keep_open)
		return false;
	rc->conn = d->conn;
	rc->s = d->s;
	rc->uses = 1;
	rc->tls_verified = d->tls_verified;
	reuse_put(d->a->cache, rc);
	return true;
}

/* The message over the connection the cache kept for this relay: true
 * when that settled the attempt; false when none was kept, or the relay
 * had dropped it while it was idle (nothing of the message went out), and
 * a new connection is due. */
static bool run_cached(const struct attempt *a, struct attempt_result *res)
{
	struct driver d = { .a = a, .res = res };
	char key[REUSE_KEY_MAX];
	struct reuse_conn *rc;

	if (a->cache == NULL || !cache_key(a, session_tls_for(a), key, sizeof(key)) ||
	    (rc = reuse_take(a->cache, key)) == NULL)
		return false;
	memset(res, 0, sizeof(*res));
	relay_name(a, res->relay, sizeof(res->relay), d.namaddr, sizeof(d.namaddr));
	res->connected = true;
	d.conn = rc->conn;
	d.s = rc->s;
	d.tls_verified = rc->tls_verified;
	d.tls_active = session_result(rc->s)->tls;
	rc->settings.keep_open = reuse_may_keep(a->cache, rc);
	set_trace(a, &rc->settings, rc->relay);
	res->conn_use = (unsigned)rc->uses + 1;
	log_verbose(_("reusing the connection to %s"), res->relay);
	drive_from(&d, session_reuse(d.s, a->env), session_result(d.s)->tls);
	if (session_stale(d.s) && stop_signal() == 0) {
		log_verbose(_("relay %s closed the idle connection (%s); connecting again"),
			    res->relay, res->err.text);
		reuse_conn_close(rc, false);
		return false;
	}
	rc->uses++;
	if (res->ok && rc->settings.keep_open)
		reuse_put(a->cache, rc);
	else
		reuse_conn_close(rc, false);
	return true;
}

/* One connection to a->addr with the given TLS setting. */
static void run_session(const struct attempt *a, struct attempt_result *res, enum session_tls mode,
			bool *handshake_failed)
{
	struct session_settings own = { 0 };
	struct reuse_conn *rc = cache_entry(a, mode);
	struct session_settings *settings = rc != NULL ? &rc->settings : &own;
	struct driver d = { .a = a, .res = res };
	struct error refused = { 0 };
	const struct timeouts *t = &a->policy->timeouts;
	struct deadline dl;
	bool tls = false;

	memset(res, 0, sizeof(*res));
	relay_name(a, res->relay, sizeof(res->relay), d.namaddr, sizeof(d.namaddr));
	dl = deadline_min(a->run, deadline_in(t->connect));
	log_verbose(_("connecting to %s"), res->relay);
	d.conn = conn_connect(a->addr, a->dest->port, &a->policy->bind, dl, &res->err);
	if (d.conn == NULL) {
		res->next_relay = true;
		connect_failed(a, res, deadline_expired(dl));
		reuse_conn_close(rc, false);
		return;
	}
	res->connected = true;
	if (mode == SESSION_TLS_IMPLICIT) {
		struct tls_info info;

		dl = deadline_min(a->run, deadline_in(t->starttls));
		if (start_tls(&d, dl, &info, &refused) < 0 && refused.cls != ERROR_CONFIG &&
		    info.version[0] != '\0' && conn_tls(d.conn)) {
			/* The handshake completed and the certificate failed:
			 * the session says goodbye (session_start_refused). */
			d.tls_refused = true;
		} else if (error_is_set(&refused)) {
			res->err = refused;
			res->next_relay = res->err.cls != ERROR_CONFIG;
			res->why = d.why;
			conn_free(d.conn);
			reuse_conn_close(rc, false);
			return;
		}
		tls = true;
	}
	settings->helo_name = a->policy->helo_name;
	settings->relay_name = res->relay;
	settings->tls = mode;
	settings->auth_wanted = a->cred != NULL;
	settings->use_pipelining = true;
	settings->probe = a->probe;
	settings->discard = a->policy->answers.discard;
	settings->greeting_5xx_final = a->policy->answers.greeting_5xx_final;
	settings->hello = a->policy->answers.hello;
	set_trace(a, settings, res->relay);
	if (rc != NULL) {
		/* The session may outlive res. */
		snprintf(rc->relay, sizeof(rc->relay), "%s", res->relay);
		settings->relay_name = rc->relay;
		settings->keep_open = reuse_may_keep(a->cache, rc);
		set_trace(a, settings, rc->relay);
	}
	d.s = session_new(settings, a->env);
	if (d.s == NULL) {
		error_set(&res->err, ERROR_INTERNAL, _("out of memory"));
		status_by_class(&res->why, ERROR_INTERNAL);
	} else if (d.tls_refused) {
		drive_from(&d, session_start_refused(d.s, &refused), true);
	} else {
		drive(&d, tls);
	}
	*handshake_failed = d.handshake_failed;
	sasl_free(d.sasl);
	if (cache_keep(&d, rc))
		return;
	session_free(d.s);
	conn_free(d.conn);
	reuse_conn_close(rc, false);
}

void attempt_run(const struct attempt *a, struct attempt_result *res)
{
	enum session_tls mode = session_tls_for(a);
	bool handshake_failed = false;

	if (run_cached(a, res))
		return;
	run_session(a, res, mode, &handshake_failed);
	/* postfix.md §4.4: at an explicit "may", a relay whose TLS handshake
	 * fails gets the message in plaintext, at once and on a new
	 * connection, but never when a password would go with it. */
	if (res->ok || !handshake_failed || mode != SESSION_TLS_MAY ||
	    !a->tls->explicit_unverified || a->cred != NULL || deadline_expired(a->run) ||
	    stop_signal() != 0)
		return;
	log_verbose(_("%s; trying %s again without TLS (smtp_tls_security_level = may)"),
		    res->err.text, res->relay);
	if (a->queue_id != NULL)
		maillog_info("smtp", "%s: %s", a->queue_id, res->why.text);
	run_session(a, res, SESSION_TLS_NONE, &handshake_failed);
}
