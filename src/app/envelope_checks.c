/* SPDX-License-Identifier: GPL-3.0-or-later */
/* header_checks and smtp_header_checks, with the checks of the body and
 * the MIME parts, as part of building the envelope: the checks
 * themselves are the mail layer's (mail/header_checks.h, body_checks.h);
 * here their verdict reaches the envelope: DISCARD, BCC, REDIRECT. */
#include <config.h>

#include <stdlib.h>

#include "app/envelope_impl.h"
#include "base/i18n.h"

/* The body's verdict joined to the header's: the last REDIRECT, every
 * BCC, and DISCARD from either. -1 when out of memory. */
static int join(struct header_checks_result *res, struct header_checks_result *body,
		struct error *err)
{
	if (body->verdict == HEADER_CHECKS_DISCARD)
		res->verdict = HEADER_CHECKS_DISCARD;
	if (body->redirect != NULL) {
		free(res->redirect);
		res->redirect = body->redirect;
		body->redirect = NULL;
	}
	for (size_t i = 0; i < body->bcc.n; i++) {
		if (addrlist_add(&res->bcc, body->bcc.v[i]) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
	}
	return 0;
}

int envelope_checks(const struct envelope_settings *set, const struct header_checks *hc,
		    const struct body_checks *bc, struct message *m, struct envelope *env,
		    struct error *err)
{
	struct header_checks_who who = {
		.queue_id = env->queue_id[0] != '\0' ? env->queue_id : NULL,
		.sender = env->sender,
		.rcpt = env->rcpts.n > 0 ? env->rcpts.v[env->rcpts.n - 1] : NULL
	};
	struct header_checks_result res, body;
	int rc = 0;

	if (header_checks_apply(hc, m, &who, &res, err) < 0)
		return -1;
	/* The header first, as Postfix's cleanup and SMTP client read it;
	 * a REJECT in the body keeps the header's edits. */
	if (body_checks_apply(bc, m, &who, &body, err) < 0) {
		header_checks_result_fini(&res);
		return -1;
	}
	rc = join(&res, &body, err);
	header_checks_result_fini(&body);
	env->discard = res.verdict == HEADER_CHECKS_DISCARD;
	/* Postfix's queue manager sends every recipient, a BCC one too, to
	 * the REDIRECT target. */
	for (size_t i = 0; i < res.bcc.n && rc == 0 && res.redirect == NULL; i++)
		rc = envelope_checks_rcpt(set, res.bcc.v[i], false, env, err);
	if (rc == 0 && res.redirect != NULL)
		rc = envelope_checks_rcpt(set, res.redirect, true, env, err);
	header_checks_result_fini(&res);
	return rc;
}
