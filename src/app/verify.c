/* SPDX-License-Identifier: GPL-3.0-or-later */
/* -bv as a dry run (DESIGN.md): the envelope comes from envelope_build, so
 * whatever rewriting a submission gets, -bv shows; the relays come from
 * route_build and the per-destination policy, exactly as the failover walk
 * will see them. Nothing is read from stdin and nothing connects. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "app/envelope.h"
#include "app/verify.h"
#include "base/i18n.h"
#include "base/str.h"
#include "conf/table.h"
#include "deliver/deliver.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "mail/message.h"

#define SHOWN_MAX 512

static void print_address(FILE *out, const char *key, const char *addr)
{
	char safe[SHOWN_MAX];

	str_printable(safe, sizeof(safe), addr, strlen(addr));
	fprintf(out, "%s: <%s>\n", key, safe);
}

/* The level as configured ("verify"); the unset default is
 * "verify-if-offered"; "smtps+" in front for wrapper mode. */
static void print_tls(FILE *out, const struct tls_policy *tls)
{
	bool dflt = strcmp(tls->level, "(default)") == 0;
	bool smtps = tls->mode == SESSION_TLS_IMPLICIT;

	fprintf(out, "tls: %s%s", smtps ? "smtps+" : "",
		!dflt	? tls->level
		: smtps ? "verify"
			: "verify-if-offered");
}

static int print_destination(FILE *out, size_t i, const struct policy *policy,
			     const struct destination *d, struct error *err)
{
	const struct maps *passwords = policy->sasl.passwords;
	struct credentials cred = { 0 };
	struct tls_policy tls;
	char safe[SHOWN_MAX];
	int found;

	if (policy_tls(policy, d, &tls, err) < 0)
		return -1;
	/* -bv resolves nothing: for an MX destination, the lookup uses its
	 * own name where delivery uses each exchanger's (postfix.md §5.2). */
	found = policy_credentials(passwords, d, d->host, &cred, err);
	if (found >= 0) {
		str_printable(safe, sizeof(safe), d->spec, strlen(d->spec));
		fprintf(out, "relay %zu: %s (%s", i + 1, safe, d->fallback ? "fallback, " : "");
		print_tls(out, &tls);
		if (found > 0) {
			str_printable(safe, sizeof(safe), cred.user, strlen(cred.user));
			fprintf(out, ", auth: yes as %s)\n", safe);
		} else {
			fprintf(out, ", auth: %s)\n",
				passwords != NULL ? "no entry in smtp_sasl_password_maps" : "no");
		}
	}
	credentials_wipe(&cred);
	policy_tls_fini(&tls);
	return found < 0 ? -1 : 0;
}

static int print_route(FILE *out, const struct deliver_settings *set, const struct envelope *env,
		       struct error *err)
{
	struct session_envelope senv = { 0 };
	struct route route;
	int rc = 0;

	/* The route depends on the envelope (transport_maps,
	 * sender_dependent_relayhost_maps, sender-dependent SASL keys). */
	senv.sender = env->sender;
	senv.rcpts = (const char *const *)env->rcpts.v;
	senv.nrcpts = env->rcpts.n;
	if (route_build(&set->route, &senv, &route, err) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < route.n; i++)
		rc = print_destination(out, i, &set->policy, &route.v[i], err);
	route_fini(&route);
	return rc;
}

int verify_run(const struct context *ctx, const struct submission *sub, FILE *out,
	       struct error *err)
{
	struct envelope env = { 0 };
	struct message *m;
	int rc;

	/* -bv reads no message: the envelope is built over an empty one. */
	m = message_from_mem("", 0, NULL, err);
	if (m == NULL)
		return -1;
	rc = envelope_build(&ctx->envelope, sub, m, &env, err);
	message_free(m);
	if (rc < 0)
		return -1;
	print_address(out, "sender", env.sender);
	for (size_t i = 0; i < env.rcpts.n; i++)
		print_address(out, "recipient", env.rcpts.v[i]);
	rc = print_route(out, &ctx->deliver, &env, err);
	envelope_fini(&env);
	if (fflush(out) != 0 && rc == 0) {
		error_set(err, ERROR_IO, "%s", _("cannot write the -bv report"));
		rc = -1;
	}
	return rc;
}
