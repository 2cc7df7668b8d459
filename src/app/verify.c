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
#include "app/wire.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/table.h"
#include "deliver/deliver.h"
#include "deliver/milter.h"
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
	if (tls->entry != NULL)
		fprintf(out, " by smtp_tls_policy_maps");
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
	found = policy_credentials_split(passwords, policy->sasl.delimiter, d, d->host, &cred, err);
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

/* non_smtpd_milters, in order; with live (-v), each one tried: connect,
 * negotiate, QUIT. A milter that fails is reported, not an error: what
 * a send does then is milter_default_action's. */
static void print_milters(FILE *out, const struct milters *ms, bool live, struct deadline dl)
{
	for (size_t i = 0; i < milters_count(ms); i++) {
		struct error err = { 0 };
		unsigned version;

		fprintf(out, "milter %zu: %s", i + 1, milters_name(ms, i));
		if (!live)
			fputc('\n', out);
		else if (milters_probe(ms, i, dl, &version, &err) == 0)
			fprintf(out, ": ok (protocol version %u)\n", version);
		else
			fprintf(out, ": failed: %s\n", err.text);
	}
}

struct probe_report {
	FILE *out;
	size_t n, failed;
	struct error first; /* the first relay's failure */
};

static void probed(void *arg, const struct destination *d, const struct deliver_outcome *one)
{
	struct probe_report *r = arg;
	char spec[SHOWN_MAX];

	r->n++;
	str_printable(spec, sizeof(spec), d->spec, strlen(d->spec));
	if (one->ok) {
		fprintf(r->out, "relay %zu: %s: ok (%s accepted the sender and every recipient)\n",
			r->n, spec, one->relay);
	} else {
		fprintf(r->out, "relay %zu: %s: failed: %s\n", r->n, spec, one->err.text);
		if (one->err.hint[0] != '\0')
			fprintf(r->out, "relay %zu: hint: %s\n", r->n, one->err.hint);
		if (r->failed++ == 0)
			r->first = one->err;
	}
	fflush(r->out);
}

/* -bv -v: each relay in turn, as a delivery would go, without the
 * message (deliver_request.probe). */
static int probe(const struct context *ctx, const struct envelope *env, FILE *out,
		 struct error *err)
{
	struct session_envelope senv = { 0 }, route_env;
	struct deliver_request rq = { 0 };
	struct probe_report r = { .out = out };
	struct deliver_outcome one;
	struct wire w;
	int rc;

	/* The relays see the addresses as a delivery sends them. */
	if (wire_build(ctx->generic, env, &w, err) < 0)
		return -1;
	senv.sender = env->sender;
	senv.rcpts = (const char *const *)env->rcpts.v;
	senv.nrcpts = env->rcpts.n;
	senv.smtputf8_if_offered = env->smtputf8_if_offered;
	senv.smtputf8 = env->smtputf8;
	route_env = senv;
	senv.smtputf8 = env->smtputf8 || w.smtputf8;
	senv.sender = w.sender;
	senv.rcpts = (const char *const *)w.rcpts.v;
	rq.set = &ctx->deliver;
	rq.env = &senv;
	rq.route_env = &route_env;
	rq.run = deadline_in(ctx->deadline);
	rq.probe = true;
	rq.probed = probed;
	rq.probe_arg = &r;
	fflush(out);
	rc = deliver_run(&rq, &one);
	wire_fini(&w);
	if (rc == 0)
		return 0;
	if (r.failed == 0) { /* the route itself, a table, a signal */
		*err = one.err;
		return -1;
	}
	error_set(err, r.first.cls, _("the route does not work: %zu of %zu relays failed"),
		  r.failed, r.n);
	return -1;
}

/* The envelope, and after each address that smtp_generic_maps changes
 * the address that goes on the wire. */
static int print_envelope(FILE *out, const struct context *ctx, const struct envelope *env,
			  struct error *err)
{
	struct wire w;

	if (wire_build(ctx->generic, env, &w, err) < 0)
		return -1;
	print_address(out, "sender", env->sender);
	if (strcmp(w.sender, env->sender) != 0)
		print_address(out, "sender on the wire", w.sender);
	for (size_t i = 0; i < env->rcpts.n; i++) {
		print_address(out, "recipient", env->rcpts.v[i]);
		if (strcmp(w.rcpts.v[i], env->rcpts.v[i]) != 0)
			print_address(out, "recipient on the wire", w.rcpts.v[i]);
	}
	wire_fini(&w);
	return 0;
}

int verify_run(const struct context *ctx, const struct submission *sub, FILE *out,
	       struct error *err)
{
	struct envelope env = { 0 };
	struct message *m;
	int rc;

	if (sub->nrcpts == 0) {
		error_set(err, ERROR_USAGE,
			  _("-bv checks the addresses given after it: relaymail -bv "
			    "you@example.org (add -v to try the relays live)"));
		return -1;
	}
	/* -bv reads no message: the envelope is built over an empty one. */
	m = message_from_mem("", 0, NULL, err);
	if (m == NULL)
		return -1;
	rc = envelope_build(&ctx->envelope, sub, m, &env, err);
	message_free(m);
	if (rc < 0)
		return -1;
	rc = print_envelope(out, ctx, &env, err);
	if (rc == 0)
		rc = print_route(out, &ctx->deliver, &env, err);
	if (rc == 0)
		print_milters(out, ctx->milters, log_verbosity() > 0, deadline_in(ctx->deadline));
	if (rc == 0 && log_verbosity() > 0)
		rc = probe(ctx, &env, out, err);
	envelope_fini(&env);
	if (fflush(out) != 0 && rc == 0) {
		error_set(err, ERROR_IO, "%s", _("cannot write the -bv report"));
		rc = -1;
	}
	return rc;
}
