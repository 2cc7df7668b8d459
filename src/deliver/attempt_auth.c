/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SASL steps of an attempt (deliver/attempt_impl.h): the mechanism
 * chosen under the security options of this connection, the OAuth token
 * fetched, each challenge answered, and the run's deadline checked after
 * each step, since the computation is not a wait. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl.h"
#include "auth/tokencmd.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "deliver/attempt_impl.h"
#include "deliver/authcache.h"
#include "net/tls.h"

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

static void sasl_failed(struct driver *d, const char *why)
{
	driver_failed(d, "4.7.0",
		      "SASL authentication failed; cannot authenticate to server %s: %s",
		      d->namaddr, why);
}

/* The server's name as SASL and the refused-login cache know it: the MX
 * host, else the destination's host. */
static const char *auth_host(const struct driver *d)
{
	return d->a->addr->host[0] != '\0' ? d->a->addr->host : d->a->dest->host;
}

/* "3 h", "2 d": how long ago, for the error. */
static void age_text(long s, char *out, size_t size)
{
	if (s < 120)
		snprintf(out, size, _("%ld s"), s < 0 ? 0 : s);
	else if (s < 2 * 3600)
		snprintf(out, size, _("%ld min"), s / 60);
	else if (s < 2 * 86400)
		snprintf(out, size, _("%ld h"), s / 3600);
	else
		snprintf(out, size, _("%ld days"), s / 86400);
}

/* smtp_sasl_auth_cache_name: the relay refused this very login before;
 * the password is not offered again (Postfix's words in the mail log).
 * A cache that cannot be read is a warning, and the login goes ahead. */
static bool refused_before(struct driver *d, struct error *err)
{
	const struct sasl_settings *s = &d->a->policy->sasl;
	struct authcache_hit hit;
	struct error why = { 0 };
	char ago[32];
	int rc;

	if (s->auth_cache == NULL)
		return false;
	rc = authcache_find(s->auth_cache, s->auth_cache_ttl, auth_host(d), d->a->cred->user,
			    d->a->cred->password, &hit, &why);
	/* A file this user may not read (a system-wide setting, another
	 * user's file) stays quiet here: a refusal says it, when storing. */
	if (rc < 0 && why.errnum != EACCES)
		log_warning(_("%s (smtp_sasl_auth_cache_name); logging in without it"), why.text);
	if (rc <= 0)
		return false;
	if (d->a->policy->answers.auth_soft_bounce && hit.dsn[0] == '5')
		hit.dsn[0] = '4';
	driver_failed(d, hit.dsn, "SASL [CACHED] authentication failed; server %s said: %s",
		      auth_host(d), hit.reply);
	age_text(hit.age, ago, sizeof(ago));
	error_set(err, d->a->policy->answers.auth_soft_bounce ? ERROR_TEMP : ERROR_AUTH,
		  _("relay %s refused the login of %s %s ago, and its password has not changed; "
		    "it was not offered again: %s"),
		  d->res->relay, d->a->cred->user, ago, hit.reply);
	error_set_reply(err, hit.reply, strlen(hit.reply));
	d->auth_cached = true;
	return true;
}

void driver_record_refusal(struct driver *d, const struct session_result *r)
{
	const struct sasl_settings *s = &d->a->policy->sasl;
	struct error why = { 0 };
	const char *dsn = r->last.enhanced[0] != '\0' ? r->last.enhanced : "5.7.8";
	char reply[ERROR_REPLY_MAX];

	if (s->auth_cache == NULL || d->a->cred == NULL || r->stage != SESSION_STAGE_AUTH ||
	    r->failure != SESSION_FAILURE_REPLY || r->last.code != 535 || !d->password_offered)
		return;
	reply_format(&r->last, reply, sizeof(reply));
	if (authcache_store(s->auth_cache, auth_host(d), d->a->cred->user, d->a->cred->password,
			    dsn, reply, &why) < 0) {
		log_warning(_("%s (smtp_sasl_auth_cache_name); the next run will try this login "
			      "again"),
			    why.text);
		return;
	}
	d->auth_recorded = true;
}

static bool offers_plus(const char *offered)
{
	for (const char *p = offered; p != NULL && *p != '\0'; p++)
		if (*p == '-' && str_prefix_ci(p, "-PLUS"))
			return true;
	return false;
}

enum session_event driver_auth(struct driver *d, bool tls)
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
	/* The binding data is derived only for a relay that offers a -PLUS
	 * mechanism. */
	params.cb_type =
	    tls && offers_plus(choice.offered) ? tls_channel_binding_type(d->conn) : NULL;
	if (params.cb_type != NULL &&
	    tls_channel_binding(d->conn, params.cb_type, cb, &cblen) == 0) {
		choice.channel_binding = true;
		params.cb_data = cb;
		params.cb_len = cblen;
	}
	sasl_policy(d, tls, &choice);
	if (sasl_choose(&choice, mech, sizeof(mech), &err) < 0) {
		sasl_failed(d, "no mechanism available");
		goto fail;
	}
	if (!sasl_is_oauth(mech) && refused_before(d, &err))
		return session_abort(d->s, &err, SESSION_END_QUIT);
	params.mech = mech;
	params.user = d->a->cred->user;
	params.password = d->a->cred->password;
	params.service = "smtp";
	params.host = auth_host(d);
	params.port = d->a->dest->port;
	if (sasl_is_oauth(mech) && fetch_token(d, &token, &err) < 0) {
		sasl_failed(d, "no OAuth token from smtp_sasl_oauth_token_command");
		goto fail;
	}
	params.token = token;
	d->sasl = sasl_new(&params, &err);
	tokencmd_wipe(token);
	if (d->sasl == NULL)
		goto fail;
	if (sasl_has_initial_response(mech) && sasl_step(d->sasl, NULL, &initial, &err) < 0)
		goto fail;
	log_verbose(_("authenticating to %s as %s with %s"), d->res->relay, d->a->cred->user, mech);
	d->password_offered = !sasl_is_oauth(mech);
	ev = session_auth(d->s, mech, initial);
	if (initial != NULL)
		str_wipe(initial, strlen(initial));
	free(initial);
	return ev;
fail:
	sasl_failed(d, "SASL client failure");
	error_prefix(&err, _("relay %s"), d->res->relay);
	return session_abort(d->s, &err, SESSION_END_QUIT);
}

/* A SASL step is computation that no wait bounds (SCRAM's PBKDF2, kept
 * short by auth/sasl.h's cap), so the run's deadline is checked after it. */
static bool overran(struct driver *d, struct error *err)
{
	if (!deadline_expired(d->a->run))
		return false;
	driver_failed(d, "4.4.7", "delivery time limit exceeded (relaymail_deadline)");
	error_set(err, ERROR_TEMP,
		  _("the time allowed for delivery (relaymail_deadline) ran out while "
		    "authenticating"));
	return true;
}

enum session_event driver_challenge(struct driver *d)
{
	struct error err = { 0 };
	char *response = NULL;
	enum session_event ev;

	if (sasl_step(d->sasl, session_challenge(d->s), &response, &err) < 0) {
		sasl_failed(d, "SASL client failure");
		error_prefix(&err, _("relay %s"), d->res->relay);
		return session_auth_cancel(d->s, &err);
	}
	if (overran(d, &err)) {
		str_wipe(response, strlen(response));
		free(response);
		error_prefix(&err, _("relay %s"), d->res->relay);
		/* No time left to wait for the reply to "*". */
		return session_abort(d->s, &err, SESSION_END_HANG_UP);
	}
	ev = session_auth_response(d->s, response);
	str_wipe(response, strlen(response));
	free(response);
	return ev;
}
