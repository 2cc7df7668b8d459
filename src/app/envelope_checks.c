/* SPDX-License-Identifier: GPL-3.0-or-later */
/* header_checks and smtp_header_checks, with the checks of the body and
 * the MIME parts, as part of building the envelope: the checks
 * themselves are the mail layer's (mail/header_checks.h, body_checks.h);
 * here their verdict reaches the envelope: DISCARD, BCC, REDIRECT. */
#include <config.h>

#include "app/envelope_impl.h"

int envelope_checks(const struct envelope_settings *set, const struct header_checks *hc,
		    const struct body_checks *bc, struct message *m, struct envelope *env,
		    struct error *err)
{
	struct header_checks_who who = {
		.queue_id = env->queue_id[0] != '\0' ? env->queue_id : NULL,
		.sender = env->sender,
		.rcpt = env->rcpts.n > 0 ? env->rcpts.v[env->rcpts.n - 1] : NULL
	};
	struct header_checks_result res;
	int rc = 0;

	if (body_checks_apply_message(hc, bc, m, &who, &res, err) < 0)
		return -1;
	env->discard = res.verdict == HEADER_CHECKS_DISCARD;
	if (env->discard)
		env->discarded_by = hc == set->hdr.checks ? "header_checks" : "smtp_header_checks";
	/* Postfix's queue manager sends every recipient, a BCC one too, to
	 * the REDIRECT target. */
	for (size_t i = 0; i < res.bcc.n && rc == 0 && res.redirect == NULL; i++)
		rc = envelope_checks_rcpt(set, res.bcc.v[i], false, env, err);
	if (rc == 0 && res.redirect != NULL)
		rc = envelope_checks_rcpt(set, res.redirect, true, env, err);
	header_checks_result_fini(&res);
	return rc;
}
