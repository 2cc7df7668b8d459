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

struct message *submit_read(const struct options *o, const struct config *cfg, struct error *err)
{
	struct message_opts mo = { 0 };
	unsigned long header_max, size_max, line_max;

	if (config_get_ulong(cfg, "header_size_limit", &header_max, err) < 0 ||
	    config_get_ulong(cfg, "message_size_limit", &size_max, err) < 0 ||
	    config_get_ulong(cfg, "smtp_line_length_limit", &line_max, err) < 0)
		return NULL;
	mo.dot_ends = !o->dot_ok;
	mo.header_max = header_max;
	mo.size_max = size_max;
	mo.line_max = line_max == 0 ? MESSAGE_LINE_UNLIMITED : line_max;
	return message_read(STDIN_FILENO, &mo, err);
}

static int send_message(const struct options *o, const struct config *cfg, const struct message *m,
			const struct envelope *env, struct submit_result *res)
{
	struct session_envelope senv = { 0 };
	struct deliver_request rq = { 0 };
	struct deliver_outcome out;
	long deadline;
	int rc;

	if (config_get_time(cfg, "relaymail_deadline", &deadline, &res->err) < 0)
		return -1;
	senv.sender = env->sender;
	senv.rcpts = (const char *const *)env->rcpts.v;
	senv.nrcpts = env->rcpts.n;
	senv.size = message_size(m);
	senv.eightbit = env->eightbit;
	senv.smtputf8 = env->smtputf8;
	senv.smtputf8_if_offered = env->smtputf8_if_offered;
	senv.dsn_notify = o->notify;
	senv.dsn_ret = o->ret;
	senv.dsn_envid = o->envid;
	rq.cfg = cfg;
	rq.msg = m;
	rq.env = &senv;
	rq.run = deadline_in(deadline * 1000);
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
static bool save(const struct config *cfg, const struct message *m, const char *sender,
		 const struct addrlist *rcpts)
{
	struct error err = { 0 };
	char path[4096];

	if (deadletter_path(cfg, path, sizeof(path), &err) < 0 ||
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

/* The configuration is unusable: read the message anyway and keep it. */
void submit_salvage(const struct options *o)
{
	struct message_opts mo = { .dot_ends = !o->dot_ok };
	struct error err = { 0 };
	struct message *m = message_read(STDIN_FILENO, &mo, &err);

	if (m == NULL) {
		log_error(_("the message could not be read: %s"), err.text);
		return;
	}
	if (message_size(m) > 0)
		save(NULL, m, o->sender, NULL);
	message_free(m);
}

int submit_message(const struct options *o, const struct config *cfg, struct message *m,
		   struct submit_result *res)
{
	struct envelope env = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = envelope_build(o, cfg, m, &env, &res->err);
	if (rc == 0)
		rc = send_message(o, cfg, m, &env, res);
	if (rc < 0) {
		log_error("%s", res->err.text);
		res->saved = save(cfg, m, env.sender != NULL ? env.sender : o->sender,
				  env.rcpts.n > 0 ? &env.rcpts : NULL);
	}
	envelope_fini(&env);
	return rc;
}
