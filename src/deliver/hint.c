/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-line advice for the classic mistakes of a relay setup, each naming
 * the parameter to change and where it is set (config_where): a port that
 * speaks the other TLS mode, a CA file that does not hold the relay's
 * issuer, a password table key that does not match the relay, a sender the
 * relay does not accept. The texts are people's; the facts come from the
 * attempt (deliver/attempt.c) and the walk (deliver/deliver.c). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "conf/config.h"
#include "conf/table.h"
#include "deliver/hint.h"

static const char *where(const struct policy *p, const char *name)
{
	return p->cfg != NULL ? config_where(p->cfg, name) : _("default");
}

void hint_connect(struct error *err, const struct destination *d, int errnum, bool timed_out)
{
	if (d->param == NULL)
		return;
	if (errnum == ECONNREFUSED)
		error_hint(err, _("nothing listens on port %u of %s; check %s (%s)"), d->port,
			   d->host, d->param, d->where);
	else if (timed_out || errnum == ETIMEDOUT || errnum == EHOSTUNREACH ||
		 errnum == ENETUNREACH)
		error_hint(err,
			   _("port %u of %s does not answer; check %s (%s), and that no firewall "
			     "blocks the port"),
			   d->port, d->host, d->param, d->where);
}

void hint_greeting(struct error *err, const struct destination *d, const struct tls_policy *tls)
{
	if (tls->mode == SESSION_TLS_IMPLICIT)
		return;
	error_hint(err,
		   _("if port %u of %s expects TLS at once (SMTPS, usually port 465), set "
		     "smtp_tls_wrappermode = yes or use its STARTTLS port (usually 587) in %s"),
		   d->port, d->host, d->param != NULL ? d->param : "relayhost");
}

static void hint_certificate(struct error *err, const struct policy *p, const struct destination *d,
			     const struct tls_info *info)
{
	const char *cafile = p->tls.cafile;

	switch (info->problem) {
	case TLS_PROBLEM_ISSUER:
		if (cafile != NULL && *cafile != '\0')
			error_hint(err,
				   _("the certificate of %s was issued by %s, which is not in "
				     "smtp_tls_CAfile %s (%s); set smtp_tls_CAfile to the "
				     "certificate of the CA that issued it"),
				   d->host, info->peer_issuer, cafile, where(p, "smtp_tls_CAfile"));
		else
			error_hint(err,
				   _("the certificate of %s was issued by %s, which the system's "
				     "trust store does not hold; set smtp_tls_CAfile to the "
				     "certificate of the CA that issued it"),
				   d->host, info->peer_issuer);
		break;
	case TLS_PROBLEM_NAME:
		error_hint(err,
			   _("the certificate (%s) is not for the name in %s (%s); write the "
			     "relay's name as its certificate has it, or list that name in "
			     "smtp_tls_verify_cert_match"),
			   info->peer_subject, d->param != NULL ? d->param : "relayhost",
			   d->where != NULL ? d->where : where(p, "relayhost"));
		break;
	case TLS_PROBLEM_FINGERPRINT:
		error_hint(err,
			   _("if the relay changed its certificate on purpose, put its new "
			     "fingerprint in smtp_tls_fingerprint_cert_match (%s)"),
			   where(p, "smtp_tls_fingerprint_cert_match"));
		break;
	default:
		break;
	}
}

void hint_tls(struct error *err, const struct policy *p, const struct destination *d,
	      const struct tls_policy *tls, const struct tls_info *info)
{
	if (info->version[0] != '\0') {
		hint_certificate(err, p, d, info);
		return;
	}
	if (tls->mode != SESSION_TLS_IMPLICIT || err->cls == ERROR_CONFIG)
		return;
	if (p->tls.wrapper_set)
		error_hint(err,
			   _("if port %u of %s speaks plain SMTP first (STARTTLS, usually port "
			     "587), set smtp_tls_wrappermode = no (%s)"),
			   d->port, d->host, where(p, "smtp_tls_wrappermode"));
	else
		error_hint(err,
			   _("port 465 gets TLS at once (SMTPS); if %s speaks plain SMTP first "
			     "there, set smtp_tls_wrappermode = no"),
			   d->host);
}

static void hint_sender(struct error *err, const struct hint_session *h)
{
	const struct config *cfg = h->policy->cfg;

	if (cfg != NULL && *config_get(cfg, "sender_canonical_maps") != '\0')
		error_hint(err,
			   _("the relay does not accept this envelope sender; make "
			     "sender_canonical_maps (%s) give the address of your account there, "
			     "or pass it with -f"),
			   config_where(cfg, "sender_canonical_maps"));
	else
		error_hint(err,
			   _("the relay accepts only the address of your account there as envelope "
			     "sender; rewrite the sender with sender_canonical_maps, or pass it "
			     "with -f"));
}

void hint_session(struct error *err, const struct hint_session *h)
{
	const struct session_result *r = h->result;
	const struct policy *p = h->policy;

	if (r->ok)
		return;
	if (r->sender_refused) {
		hint_sender(err, h);
	} else if (h->auth_cached && h->cred_key != NULL) {
		error_hint(err,
			   _("correct the password for %s in the smtp_sasl_password_maps entry "
			     "\"%s\" (%s), or delete the relay's line from %s "
			     "(smtp_sasl_auth_cache_name) to offer it again"),
			   h->cred_user, h->cred_key, where(p, "smtp_sasl_password_maps"),
			   h->auth_cache);
	} else if (r->stage == SESSION_STAGE_AUTH && r->failure == SESSION_FAILURE_REPLY &&
		   r->last.code == 535 && h->auth_recorded && h->cred_key != NULL) {
		error_hint(err,
			   _("the relay refused the password for %s from the "
			     "smtp_sasl_password_maps entry \"%s\" (%s); correct it there. Until "
			     "then it is not offered again: %s (smtp_sasl_auth_cache_name) records "
			     "the refusal"),
			   h->cred_user, h->cred_key, where(p, "smtp_sasl_password_maps"),
			   h->auth_cache);
	} else if (r->stage == SESSION_STAGE_AUTH && r->failure == SESSION_FAILURE_REPLY &&
		   err->cls == ERROR_AUTH && h->cred_key != NULL) {
		error_hint(err,
			   _("the relay refused the password for %s from the "
			     "smtp_sasl_password_maps entry \"%s\" (%s); correct it there"),
			   h->cred_user, h->cred_key, where(p, "smtp_sasl_password_maps"));
	} else if (r->stage == SESSION_STAGE_AUTH && err->cls == ERROR_AUTH &&
		   r->failure != SESSION_FAILURE_REPLY) {
		error_hint(
		    err,
		    _("allow one of the relay's mechanisms (%s) in smtp_sasl_mechanism_filter "
		      "(%s) and the smtp_sasl_*security_options"),
		    *h->caps->auth_mechs != '\0' ? h->caps->auth_mechs : "-",
		    where(p, "smtp_sasl_mechanism_filter"));
	} else if (r->failure == SESSION_FAILURE_NO_AUTH && !h->tls_active && h->caps->starttls &&
		   h->tls->mode == SESSION_TLS_NONE && h->tls->entry != NULL) {
		error_hint(err,
			   _("the relay offers AUTH only after STARTTLS, which the "
			     "smtp_tls_policy_maps (%s) entry for %s turns off; make it encrypt or "
			     "verify"),
			   where(p, "smtp_tls_policy_maps"), h->tls->entry_key);
	} else if (r->failure == SESSION_FAILURE_NO_AUTH && !h->tls_active && h->caps->starttls &&
		   h->tls->mode == SESSION_TLS_NONE) {
		error_hint(err,
			   _("the relay offers AUTH only after STARTTLS, which "
			     "smtp_tls_security_level = %s (%s) turns off; set it to encrypt or "
			     "verify"),
			   h->tls->level, where(p, "smtp_tls_security_level"));
	} else if (r->failure == SESSION_FAILURE_NO_AUTH) {
		error_hint(err,
			   _("port %u of %s offers no AUTH; check that %s (%s) names the relay's "
			     "submission port (usually 587, or 465 for SMTPS)"),
			   h->dest->port, h->dest->host,
			   h->dest->param != NULL ? h->dest->param : "relayhost",
			   h->dest->where != NULL ? h->dest->where : where(p, "relayhost"));
	}
}

/* Does the table have an entry under key? The value is a secret and is
 * wiped at once. */
static bool has_key(const struct maps *m, const char *key)
{
	struct error err = { 0 };
	char *value = NULL;
	int rc = maps_lookup(m, key, &value, &err);

	if (value != NULL) {
		str_wipe(value, strlen(value));
		free(value);
	}
	return rc == 1;
}

/* The same relay written the other ways: brackets or not, its port or
 * none, the usual submission ports. The first the table holds. */
static bool near_miss(const struct maps *m, const struct destination *d, char *out, size_t size)
{
	static const unsigned ports[] = { 0, 25, 587, 465 };

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		unsigned port = i == 0 ? d->port : ports[i];

		for (int bracket = 1; bracket >= 0; bracket--) {
			for (int with_port = 1; with_port >= 0; with_port--) {
				if (!with_port && i > 0)
					continue;
				if (with_port)
					snprintf(out, size, bracket ? "[%s]:%u" : "%s:%u", d->host,
						 port);
				else
					snprintf(out, size, bracket ? "[%s]" : "%s", d->host);
				if (!str_eq_ci(out, d->spec) && !str_eq_ci(out, d->host) &&
				    has_key(m, out))
					return true;
			}
		}
	}
	return false;
}

void hint_no_credentials(struct error *err, const struct policy *p, const struct destination *d,
			 const char *keys)
{
	char near[300];

	if (p->sasl.passwords == NULL)
		return;
	/* The cause of any other advice (the sender "not logged in"). */
	err->hint[0] = '\0';
	if (near_miss(p->sasl.passwords, d, near, sizeof(near)))
		error_hint(err,
			   _("no password was sent: smtp_sasl_password_maps has no entry for %s "
			     "(keys tried: %s), but has one for \"%s\"; write the key exactly as "
			     "%s (%s) names the relay"),
			   d->spec, keys, near, d->param != NULL ? d->param : "relayhost",
			   d->where != NULL ? d->where : where(p, "relayhost"));
	else
		error_hint(err,
			   _("no password was sent: smtp_sasl_password_maps (%s) has no entry for "
			     "%s (keys tried: %s)"),
			   where(p, "smtp_sasl_password_maps"), d->spec, keys);
}
