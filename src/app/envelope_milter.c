/* SPDX-License-Identifier: GPL-3.0-or-later */
/* non_smtpd_milters as part of building the envelope (deliver/milter.h
 * runs them): where Postfix's cleanup runs them, after header_checks and
 * the header fixes and before smtp_header_checks; here their verdict
 * becomes the envelope's error, and their envelope edits are applied as
 * cleanup applies them: a new sender and added recipients qualified and
 * rewritten by the canonical maps, deleted recipients matched as the
 * milters were given them, and milter_header_checks' BCC and REDIRECT
 * as its header_checks' ones. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/envelope_impl.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/str.h"

/* The verdict as the envelope's error, with the reply a -bs client gets
 * ("5.7.1 text", the code's class being the error's). */
static int verdict_error(const struct milters_result *res, struct error *err)
{
	const char *text = res->reply;
	size_t len;

	if (res->verdict == MILTER_HOLD) {
		static const char held[] = "4.7.1 message held";

		error_set(err, ERROR_TEMP,
			  _("the message is held by non_smtpd_milters and was not "
			    "sent: %s"),
			  res->why);
		error_set_reply(err, held, sizeof(held) - 1);
		return -1;
	}
	if (res->verdict == MILTER_REJECT)
		error_set(err, ERROR_DATA, _("the message was rejected by non_smtpd_milters: %s"),
			  res->why);
	else
		error_set(err, ERROR_TEMP,
			  _("non_smtpd_milters cannot take the message now (try again later): %s"),
			  res->why);
	if (strlen(text) > 4)
		text += 4;
	len = strcspn(text, "\r\n");
	/* The class goes with the reply: a text without an enhanced status
	 * code of its own gets the class's 5.7.1 or 4.7.1. */
	if (!(len > 2 && (text[0] == '4' || text[0] == '5') && text[1] == '.')) {
		char reply[ERROR_REPLY_MAX];

		snprintf(reply, sizeof(reply), "%s %.*s",
			 res->verdict == MILTER_REJECT ? "5.7.1" : "4.7.1", (int)len, text);
		error_set_reply(err, reply, strlen(reply));
		return -1;
	}
	error_set_reply(err, text, len);
	return -1;
}

/* The mail log's record of a verdict, as Postfix's cleanup writes it for
 * a local submission. */
static void log_verdict(const struct envelope *env, const struct milters_result *res)
{
	const char *action = res->verdict == MILTER_HOLD      ? "milter-hold"
			     : res->verdict == MILTER_DISCARD ? "milter-discard"
							      : "milter-reject";

	if (env->queue_id[0] == '\0' || res->verdict == MILTER_PASS || res->event == NULL)
		return;
	maillog_info("cleanup", "%s: %s: %s from localhost[127.0.0.1]: %s; from=<%s>%s%s%s",
		     env->queue_id, action, res->event, res->text, env->sender,
		     res->rcpt != NULL ? " to=<" : "", res->rcpt != NULL ? res->rcpt : "",
		     res->rcpt != NULL ? ">" : "");
}

/* SMFIR_DELRCPT: every recipient equal to the address goes. */
static void delete_rcpt(struct envelope *env, const char *addr)
{
	size_t k = 0;

	for (size_t i = 0; i < env->rcpts.n; i++) {
		if (strcmp(env->rcpts.v[i], addr) == 0)
			free(env->rcpts.v[i]);
		else
			env->rcpts.v[k++] = env->rcpts.v[i];
	}
	env->rcpts.n = k;
}

static int apply_edits(const struct envelope_settings *set, const struct milters_result *res,
		       struct envelope *env, struct error *err)
{
	int rc = 0;

	if (res->sender != NULL)
		rc = envelope_checks_sender(set, res->sender, env, err);
	for (size_t i = 0; rc == 0 && i < res->del.n; i++)
		delete_rcpt(env, res->del.v[i]);
	for (size_t i = 0; rc == 0 && i < res->add.n; i++)
		rc = envelope_checks_rcpt(set, res->add.v[i], false, env, err);
	/* milter_header_checks' REDIRECT: Postfix's queue manager sends it
	 * to that address alone. */
	if (rc == 0 && res->redirect != NULL)
		rc = envelope_checks_rcpt(set, res->redirect, true, env, err);
	if (rc == 0 && env->rcpts.n == 0) {
		error_set(err, ERROR_DATA, _("non_smtpd_milters removed every recipient"));
		rc = -1;
	}
	return rc;
}

int envelope_milters(const struct envelope_settings *set, const struct milters *ms,
		     struct deadline run, struct message *m, struct envelope *env,
		     struct error *err)
{
	struct milter_envelope me = { .queue_id = env->queue_id,
				      .log_id = env->queue_id[0] != '\0' ? env->queue_id : NULL,
				      .sender = env->sender,
				      .rcpts = (const char *const *)env->rcpts.v,
				      .nrcpts = env->rcpts.n };
	struct milters_result res;
	char qid[MAILLOG_QUEUE_ID_MAX];
	int rc;

	if (ms == NULL)
		return 0;
	/* The {i} macro: milters log it (OpenDKIM's "NOQUEUE" otherwise). */
	if (me.queue_id[0] == '\0') {
		maillog_queue_id(qid, sizeof(qid));
		me.queue_id = qid;
	}
	if (milters_run(ms, &me, m, run, &res, err) < 0)
		return -1;
	log_verdict(env, &res);
	switch (res.verdict) {
	case MILTER_DISCARD:
		env->discard = true;
		env->discarded_by = res.by_checks ? "milter_header_checks" : "non_smtpd_milters";
		rc = 0;
		break;
	case MILTER_PASS:
		rc = apply_edits(set, &res, env, err);
		break;
	default:
		rc = verdict_error(&res, err);
		break;
	}
	milters_result_fini(&res);
	return rc;
}
