/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The submission path of one message (DESIGN.md steps 3 to 7): intake,
 * envelope, delivery, and the outcome: a log line when -v asks, the
 * reason on stderr and the dead letter file on failure. */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/deadletter.h"
#include "app/envelope.h"
#include "app/submit.h"
#include "base/i18n.h"
#include "base/log.h"
#include "deliver/deliver.h"

void submit_from_options(const struct options *o, struct submission *sub)
{
	memset(sub, 0, sizeof(*sub));
	sub->sender = o->sender;
	sub->fullname = o->fullname;
	sub->rcpts = (const char *const *)o->rcpts;
	sub->nrcpts = o->nrcpts > 0 ? (size_t)o->nrcpts : 0;
	sub->extract = o->extract;
	sub->notify = o->notify;
	sub->ret = o->ret;
	sub->envid = o->envid;
	sub->body_7bit = o->body_7bit;
	sub->body_8bit = o->body_8bit;
	sub->smtputf8 = o->smtputf8;
}

struct message *submit_read(const struct context *ctx, bool dot_ok, struct error *err)
{
	struct message_opts mo = ctx->intake;

	mo.dot_ends = !dot_ok;
	return message_read(STDIN_FILENO, &mo, err);
}

static int send_message(const struct context *ctx, const struct submission *sub,
			const struct message *m, const struct envelope *env,
			struct submit_result *res)
{
	struct session_envelope senv = { 0 };
	struct deliver_request rq = { 0 };
	struct deliver_outcome out;
	int rc;

	senv.sender = env->sender;
	senv.rcpts = (const char *const *)env->rcpts.v;
	senv.nrcpts = env->rcpts.n;
	senv.size = message_size(m);
	senv.eightbit = env->eightbit;
	senv.smtputf8 = env->smtputf8;
	senv.smtputf8_if_offered = env->smtputf8_if_offered;
	senv.dsn_notify = sub->notify;
	senv.dsn_ret = sub->ret;
	senv.dsn_envid = sub->envid;
	rq.set = &ctx->deliver;
	rq.msg = m;
	rq.env = &senv;
	rq.run = deadline_in(ctx->deadline);
	rc = deliver_run(&rq, &out);
	res->err = out.err;
	snprintf(res->relay, sizeof(res->relay), "%s", out.relay);
	snprintf(res->reply, sizeof(res->reply), "%s", out.reply);
	if (rc < 0) {
		if (out.maybe_delivered)
			log_warning(
			    _("the connection was lost after the message was sent; it may "
			      "have been delivered, and sending it again may duplicate it"));
		return -1;
	}
	log_verbose(ngettext("delivered to %zu recipient through %s: %s",
			     "delivered to %zu recipients through %s: %s", env->rcpts.n),
		    env->rcpts.n, out.relay, out.reply);
	return 0;
}

/* Nothing lost: keep the message in the dead letter file and say where. */
static bool save(const char *dead_letter, const struct message *m, const char *sender,
		 const struct addrlist *rcpts)
{
	struct error err = { 0 };
	char path[4096];

	if (deadletter_path(dead_letter, path, sizeof(path), &err) < 0 ||
	    (path[0] != '\0' && deadletter_save(path, m, sender, rcpts, &err) < 0)) {
		log_error(_("the message could not be saved: %s"), err.text);
		return false;
	}
	if (path[0] == '\0') {
		log_error(_("the message was not saved (dead_letter_file is empty)"));
		return false;
	}
	log_error(_("the message was saved in %s"), path);
	return true;
}

void submit_keep(const struct context *ctx, const struct submission *sub, const struct message *m,
		 const char *reason)
{
	struct addrlist rcpts = { 0 };

	/* Bad syntax leaves what was read before; the rest is in the text. */
	for (size_t i = 0; i < sub->nrcpts; i++)
		address_parse_list(sub->rcpts[i], strlen(sub->rcpts[i]), &rcpts, NULL);
	log_error("%s", reason);
	save(ctx->dead_letter, m, sub->sender, rcpts.n > 0 ? &rcpts : NULL);
	addrlist_fini(&rcpts);
}

/* The configuration is unusable: read the message anyway and keep it. */
void submit_salvage(bool dot_ok, const char *sender, const char *dead_letter)
{
	struct message_opts mo = { .dot_ends = !dot_ok };
	struct error err = { 0 };
	struct message *m = message_read(STDIN_FILENO, &mo, &err);

	if (m == NULL) {
		log_error(_("the message could not be read: %s"), err.text);
		return;
	}
	if (message_size(m) > 0)
		save(dead_letter, m, sender, NULL);
	message_free(m);
}

int submit_message(const struct context *ctx, const struct submission *sub, struct message *m,
		   struct submit_result *res)
{
	struct envelope env = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = envelope_build(&ctx->envelope, sub, m, &env, &res->err);
	if (rc == 0)
		rc = send_message(ctx, sub, m, &env, res);
	if (rc < 0) {
		log_error("%s", res->err.text);
		res->saved =
		    save(ctx->dead_letter, m, env.sender != NULL ? env.sender : sub->sender,
			 env.rcpts.n > 0 ? &env.rcpts : NULL);
	}
	envelope_fini(&env);
	return rc;
}
