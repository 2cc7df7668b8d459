/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drives struct session over a struct conn: writes what it asks, reads
 * with the stage's timeout (never past the run's deadline), starts TLS and
 * runs SASL steps when asked, and streams the body from the spool. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl.h"
#include "auth/tokencmd.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/stop.h"
#include "base/str.h"
#include "deliver/attempt.h"
#include "net/tls.h"

struct driver {
	const struct attempt *a;
	struct attempt_result *res;
	struct conn *conn;
	struct session *s;
	struct sasl *sasl;
	bool tls_verified;
	bool handshake_failed; /* STARTTLS was answered 220, then TLS failed */
};

static struct deadline stage_deadline(const struct driver *d)
{
	long ms = policy_stage_timeout(&d->a->policy->timeouts, session_stage(d->s));

	return deadline_min(d->a->run, deadline_in(ms));
}

static void trace(void *arg, bool from_relay, const char *line, size_t len)
{
	(void)arg;
	log_dialogue(from_relay ? "<<<" : ">>>", line, len);
}

static enum session_event do_write(struct driver *d)
{
	struct error err = { 0 };
	const char *p;
	size_t n;

	session_output(d->s, &p, &n);
	if (conn_write(d->conn, p, n, stage_deadline(d), &err) < 0) {
		/* As for a read: a stop's error says only what stopped us. */
		error_prefix(&err, _("relay %s, while %s"), d->res->relay,
			     session_stage_name(session_stage(d->s)));
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	return session_written(d->s);
}

static enum session_event do_read(struct driver *d)
{
	struct error err = { 0 };
	char buf[16384];
	ssize_t n;

	n = conn_read(d->conn, buf, sizeof(buf), stage_deadline(d), &err);
	if (n < 0) {
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

static int start_tls(struct driver *d, struct deadline dl, struct error *err)
{
	struct tls_params params;
	struct tls_info info;
	const char *names[2];
	char dot[sizeof(d->a->addr->host) + 1];

	policy_tls_params(d->a->policy, d->a->tls, &params);
	mx_names(d->a, &params, names, dot, sizeof(dot));
	/* tls_start's errors name the relay already. */
	if (tls_start(d->conn, &params, dl, &info, err) < 0)
		return -1;
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
		log_warning(_("credentials for %s are sent over a TLS session whose certificate "
			      "was not verified (smtp_tls_security_level = %s)"),
			    d->res->relay, d->a->tls->level);
	return 0;
}

static enum session_event do_starttls(struct driver *d)
{
	struct error err = { 0 };

	if (start_tls(d, deadline_min(d->a->run, deadline_in(d->a->policy->timeouts.starttls)),
		      &err) < 0) {
		d->handshake_failed = err.cls != ERROR_CONFIG;
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	return session_tls_started(d->s);
}

/* The security options for this connection: without TLS, over TLS, over
 * verified TLS. */
static void sasl_policy(const struct driver *d, bool tls, struct sasl_choice *choice)
{
	static const char *const params[] = {
		[SASL_SECURITY_PLAIN] = "smtp_sasl_security_options",
		[SASL_SECURITY_TLS] = "smtp_sasl_tls_security_options",
		[SASL_SECURITY_VERIFIED] = "smtp_sasl_tls_verified_security_options",
	};
	enum sasl_security which = !tls		     ? SASL_SECURITY_PLAIN
				   : d->tls_verified ? SASL_SECURITY_VERIFIED
						     : SASL_SECURITY_TLS;

	choice->options_name = params[which];
	choice->options = d->a->policy->sasl.options[which];
}

/* The bearer token for XOAUTH2/OAUTHBEARER from the configured command
 * (auth/tokencmd.h), run with the SASL user name in its environment. */
static int fetch_token(const struct driver *d, char **token, struct error *err)
{
	const struct sasl_settings *s = &d->a->policy->sasl;
	struct tokencmd tc = { .command = s->token_command,
			       .param = "smtp_sasl_oauth_token_command",
			       .user = d->a->cred->user,
			       .timeout_ms = s->token_timeout };

	return tokencmd_run(&tc, d->a->run, token, err);
}

static enum session_event do_auth(struct driver *d, bool tls)
{
	struct error err = { 0 };
	struct sasl_choice choice = { 0 };
	struct sasl_params params = { 0 };
	unsigned char cb[128];
	size_t cblen = sizeof(cb);
	char mech[64];
	char *initial = NULL, *token = NULL;
	enum session_event ev;

	choice.offered = session_caps(d->s)->auth_mechs;
	choice.filter = d->a->policy->sasl.filter;
	choice.tls = tls;
	choice.oauth = *d->a->policy->sasl.token_command != '\0';
	params.cb_type = tls ? tls_channel_binding_type(d->conn) : NULL;
	if (params.cb_type != NULL &&
	    tls_channel_binding(d->conn, params.cb_type, cb, &cblen) == 0) {
		choice.channel_binding = true;
		params.cb_data = cb;
		params.cb_len = cblen;
	}
	sasl_policy(d, tls, &choice);
	if (sasl_choose(&choice, mech, sizeof(mech), &err) < 0)
		goto fail;
	params.mech = mech;
	params.user = d->a->cred->user;
	params.password = d->a->cred->password;
	params.service = "smtp";
	params.host = d->a->addr->host[0] != '\0' ? d->a->addr->host : d->a->dest->host;
	params.port = d->a->dest->port;
	if (sasl_is_oauth(mech) && fetch_token(d, &token, &err) < 0)
		goto fail;
	params.token = token;
	d->sasl = sasl_new(&params, &err);
	tokencmd_wipe(token);
	if (d->sasl == NULL)
		goto fail;
	if (sasl_has_initial_response(mech) && sasl_step(d->sasl, NULL, &initial, &err) < 0)
		goto fail;
	log_verbose(_("authenticating to %s as %s with %s"), d->res->relay, d->a->cred->user, mech);
	ev = session_auth(d->s, mech, initial);
	if (initial != NULL)
		str_wipe(initial, strlen(initial));
	free(initial);
	return ev;
fail:
	error_prefix(&err, _("relay %s"), d->res->relay);
	return session_abort(d->s, &err, SESSION_END_QUIT);
}

static enum session_event do_challenge(struct driver *d)
{
	struct error err = { 0 };
	char *response = NULL;
	enum session_event ev;

	if (sasl_step(d->sasl, session_challenge(d->s), &response, &err) < 0) {
		error_prefix(&err, _("relay %s"), d->res->relay);
		return session_abort(d->s, &err, SESSION_END_QUIT);
	}
	ev = session_auth_response(d->s, response);
	str_wipe(response, strlen(response));
	free(response);
	return ev;
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
	if (error_is_set(&err))
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	if (ev != SESSION_BODY)
		return ev;
	return session_body_end(d->s);
}

/* An MX destination's address names its exchanger (net_addr.host). */
static void relay_name(const struct attempt *a, char *out, size_t size)
{
	const char *host = a->addr->host[0] != '\0' ? a->addr->host : a->dest->host;
	int n = snprintf(out, size, "%s[%s]:%u", host, a->addr->text, a->dest->port);

	/* Only a 255-byte name comes close; cut, it still says which relay. */
	if (n < 0 && size > 0)
		out[0] = '\0';
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

static void finish(struct driver *d)
{
	const struct session_result *r = session_result(d->s);

	d->res->ok = r->ok;
	d->res->next_relay = r->next_relay;
	d->res->maybe_delivered = r->maybe_delivered;
	d->res->err = r->err;
	if (r->last.code != 0)
		reply_format(&r->last, d->res->reply, sizeof(d->res->reply));
	add_oauth_detail(d);
}

static void drive(struct driver *d, bool tls)
{
	enum session_event ev = session_start(d->s);

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
			ev = do_auth(d, tls);
			break;
		case SESSION_AUTH_CHALLENGE:
			ev = do_challenge(d);
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

/* The session's TLS setting. Secure default: with credentials and no
 * explicit level, a relay that does not offer STARTTLS (or had it
 * stripped) is not good enough. */
static enum session_tls session_tls_for(const struct attempt *a)
{
	if (a->cred != NULL && a->tls->mode == SESSION_TLS_MAY && !a->tls->explicit_unverified)
		return SESSION_TLS_REQUIRE;
	return a->tls->mode;
}

/* One connection to a->addr with the given TLS setting. */
static void run_session(const struct attempt *a, struct attempt_result *res, enum session_tls mode,
			bool *handshake_failed)
{
	struct session_settings settings = { 0 };
	struct driver d = { .a = a, .res = res };
	const struct timeouts *t = &a->policy->timeouts;
	struct deadline dl;
	bool tls = false;

	memset(res, 0, sizeof(*res));
	relay_name(a, res->relay, sizeof(res->relay));
	dl = deadline_min(a->run, deadline_in(t->connect));
	log_verbose(_("connecting to %s"), res->relay);
	d.conn = conn_connect(a->addr, a->dest->port, &a->policy->bind, dl, &res->err);
	if (d.conn == NULL) {
		res->next_relay = true;
		return;
	}
	if (mode == SESSION_TLS_IMPLICIT) {
		dl = deadline_min(a->run, deadline_in(t->starttls));
		if (start_tls(&d, dl, &res->err) < 0) {
			res->next_relay = res->err.cls != ERROR_CONFIG;
			conn_free(d.conn);
			return;
		}
		tls = true;
	}
	settings.helo_name = a->policy->helo_name;
	settings.relay_name = res->relay;
	settings.tls = mode;
	settings.auth_wanted = a->cred != NULL;
	settings.use_pipelining = true;
	settings.trace = log_verbosity() > 0 ? trace : NULL;
	d.s = session_new(&settings, a->env);
	if (d.s == NULL)
		error_set(&res->err, ERROR_INTERNAL, _("out of memory"));
	else
		drive(&d, tls);
	*handshake_failed = d.handshake_failed;
	session_free(d.s);
	sasl_free(d.sasl);
	conn_free(d.conn);
}

void attempt_run(const struct attempt *a, struct attempt_result *res)
{
	enum session_tls mode = session_tls_for(a);
	bool handshake_failed = false;

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
	run_session(a, res, SESSION_TLS_NONE, &handshake_failed);
}
