/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SASL steps of an attempt (deliver/attempt_impl.h): the mechanism
 * chosen under the security options of this connection, the OAuth token
 * fetched, each challenge answered, and the run's deadline checked after
 * each step, since the computation is not a wait. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "auth/sasl.h"
#include "auth/tokencmd.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "deliver/attempt_impl.h"
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
	params.mech = mech;
	params.user = d->a->cred->user;
	params.password = d->a->cred->password;
	params.service = "smtp";
	params.host = d->a->addr->host[0] != '\0' ? d->a->addr->host : d->a->dest->host;
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
