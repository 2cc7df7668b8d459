/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The submission path of one message (DESIGN.md steps 3 to 7): intake,
 * envelope, delivery, and the outcome: the mail log's records, a line
 * when -v asks, the reason on stderr and the dead letter file on
 * failure. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/deadletter.h"
#include "app/envelope.h"
#include "app/msglog.h"
#include "app/submit.h"
#include "app/wire.h"
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
	int64_t arrival = deadline_now_ms();
	struct message *m;

	mo.dot_ends = !dot_ok;
	m = message_read(STDIN_FILENO, &mo, err);
	if (m != NULL)
		message_set_arrival(m, arrival);
	return m;
}

/* After a failure: the recipients the relay did not take, into left,
 * when it took the message for some (a 452 "too many recipients" split
 * it and a later part failed); left stays empty when it took none, or
 * when memory is short (then all are kept: better twice than lost). */
static void not_delivered(const struct addrlist *all, const bool *delivered, struct addrlist *left)
{
	size_t n = 0;

	for (size_t i = 0; delivered != NULL && i < all->n; i++)
		n += delivered[i] ? 1 : 0;
	if (n == 0)
		return;
	for (size_t i = 0; i < all->n; i++) {
		if (!delivered[i] && addrlist_add(left, all->v[i]) < 0) {
			addrlist_fini(left);
			return;
		}
	}
	log_error(ngettext("the relay accepted the message for %zu recipient; it is kept for "
			   "the other %zu",
			   "the relay accepted the message for %zu recipients; it is kept for "
			   "the other %zu",
			   n),
		  n, left->n);
}

/* Deliver m by the deadline run; on failure, left gets the recipients to
 * keep it for when they are not all of env's (not_delivered). */
static int send_message(const struct context *ctx, const struct submission *sub,
			const struct message *m, const struct envelope *env, struct deadline run,
			struct reuse_cache *cache, struct addrlist *left, struct submit_result *res)
{
	struct session_envelope senv = { 0 }, route_env;
	struct deliver_request rq = { 0 };
	struct deliver_outcome out;
	struct msglog ml;
	struct wire w;
	int rc;

	if (wire_build(ctx->generic, env, &w, &res->err) < 0)
		return -1;
	senv.sender = w.sender;
	senv.rcpts = (const char *const *)w.rcpts.v;
	senv.nrcpts = w.rcpts.n;
	senv.size = message_size(m);
	senv.eightbit = env->eightbit;
	senv.smtputf8 = env->smtputf8 || w.smtputf8;
	senv.smtputf8_if_offered = env->smtputf8_if_offered;
	senv.dsn_notify = sub->notify;
	senv.dsn_ret = sub->ret;
	senv.dsn_envid = sub->envid;
	route_env = senv;
	route_env.sender = env->sender;
	route_env.rcpts = (const char *const *)env->rcpts.v;
	rq.set = &ctx->deliver;
	rq.msg = m;
	rq.env = &senv;
	rq.route_env = &route_env;
	rq.run = run;
	msglog_begin(&ml, env, m);
	rq.queue_id = msglog_queue_id(&ml);
	rq.rcpt = ml.rcpt;
	rq.cache = cache;
	rq.delivered = calloc(env->rcpts.n > 0 ? env->rcpts.n : 1, sizeof(*rq.delivered));
	rc = deliver_run(&rq, &out);
	msglog_end(&ml, env, &out);
	wire_fini(&w);
	res->err = out.err;
	snprintf(res->relay, sizeof(res->relay), "%s", out.relay);
	snprintf(res->reply, sizeof(res->reply), "%s", out.reply);
	if (rc < 0)
		not_delivered(&env->rcpts, rq.delivered, left);
	free(rq.delivered);
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
	/* The next relay took it (as Postfix sends it on): the first may
	 * have delivered it too. Not silent, though the send succeeded. */
	if (out.maybe_delivered)
		log_warning(_("the connection with %s was lost after the message was sent; it "
			      "went through %s, and may arrive twice"),
			    out.maybe_relay, out.relay);
	return 0;
}

/* Nothing lost: keep the message with what a resend needs, and say
 * where. */
static bool keep(const struct deadletter_places *pl, const struct message *m,
		 const struct deadletter_entry *e)
{
	struct error err = { 0 };
	char path[4096];
	bool temporary;
	int rc = deadletter_keep(pl, m, e, path, sizeof(path), &temporary, &err);

	if (rc < 0) {
		log_error(_("the message could not be saved (%s); set dead_letter_file to a file "
			    "you can write"),
			  err.text);
		return false;
	}
	if (rc == 0) {
		log_error(_("the message was not saved (dead_letter_file is empty)"));
		return false;
	}
	log_error(_("the message was saved in %s"), path);
	if (temporary)
		log_warning(
		    _("%s may not survive a reboot: send it with relaymail --resend, or set "
		      "dead_letter_file"),
		    path);
	return true;
}

bool submit_keep(const struct context *ctx, const struct submission *sub, const struct message *m,
		 const char *reason, bool incomplete)
{
	struct deadletter_entry e = { .reason = reason, .incomplete = incomplete, .sub = sub };

	log_error("%s", reason);
	return keep(&ctx->dead, m, &e);
}

bool submit_keep_entry(const struct context *ctx, const struct message *m,
		       const struct deadletter_entry *e)
{
	return keep(&ctx->dead, m, e);
}

/* The configuration is unusable: read the message anyway and keep it. */
void submit_salvage(bool dot_ok, const struct submission *sub, const struct deadletter_places *pl,
		    const char *reason)
{
	struct message_opts mo = { .dot_ends = !dot_ok };
	struct deadletter_entry e = { .reason = reason, .sub = sub };
	struct error err = { 0 };
	struct message *m = message_read(STDIN_FILENO, &mo, &err);

	if (m == NULL) {
		log_error(_("the message could not be read: %s"), err.text);
		return;
	}
	if (message_size(m) > 0)
		keep(pl, m, &e);
	message_free(m);
}

int submit_message(const struct context *ctx, const struct submission *sub, struct message *m,
		   struct submit_result *res)
{
	return submit_message_cached(ctx, sub, m, NULL, res);
}

int submit_message_cached(const struct context *ctx, const struct submission *sub,
			  struct message *m, struct reuse_cache *cache, struct submit_result *res)
{
	/* One deadline for the milters and the relays. */
	struct deadline run = deadline_in(ctx->deadline);
	struct envelope env = { 0 };
	struct addrlist left = { 0 };
	bool built;
	int rc;

	memset(res, 0, sizeof(*res));
	built =
	    envelope_build_milters(&ctx->envelope, ctx->milters, run, sub, m, &env, &res->err) == 0;
	/* Only header_checks and the milters give the envelope's error a
	 * reply. */
	res->checks = !built && res->err.reply[0] != '\0';
	if (built && env.discard) {
		/* DISCARD: Postfix says the message went. */
		log_verbose(_("the message was discarded by %s"), env.discarded_by);
		snprintf(res->reply, sizeof(res->reply), "Ok: discarded");
		envelope_fini(&env);
		return 0;
	}
	/* smtp_generic_maps last, on the header as it leaves (the envelope
	 * gets it in send_message, so a resend applies it again). */
	if (built && generic_headers(ctx->generic, m, &res->err) < 0) {
		envelope_fini(&env);
		built = false;
	}
	rc = built ? send_message(ctx, sub, m, &env, run, cache, &left, res) : -1;
	if (rc < 0) {
		struct deadletter_entry e = { .reason = res->err.text, .sub = sub };

		if (built) {
			e.sender = env.sender;
			e.rcpts = left.n > 0 ? &left : &env.rcpts;
		}
		log_failure(&res->err);
		res->saved = keep(&ctx->dead, m, &e);
	}
	addrlist_fini(&left);
	envelope_fini(&env);
	return rc;
}

int submit_again(const struct context *ctx, const struct submission *sub, const char *sender,
		 const struct addrlist *rcpts, struct message *m, struct submit_result *res)
{
	struct envelope env = { 0 };
	struct addrlist left = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	env.sender = (char *)sender;
	env.rcpts = *rcpts;
	rc = envelope_flags(&ctx->envelope, sub, m, &env, &res->err);
	if (rc == 0)
		rc = send_message(ctx, sub, m, &env, deadline_in(ctx->deadline), NULL, &left, res);
	if (rc < 0) {
		struct deadletter_entry e = { .reason = res->err.text,
					      .sender = sender,
					      .rcpts = left.n > 0 ? &left : rcpts,
					      .sub = sub };

		log_failure(&res->err);
		res->saved = keep(&ctx->dead, m, &e);
	}
	addrlist_fini(&left);
	return rc;
}
