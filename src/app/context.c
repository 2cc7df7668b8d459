/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Builds the context layer by layer: message limits, the names and
 * rewriting of the envelope, the routes and the transport policy, and the
 * few settings of the program itself. Each loader checks its own
 * parameters; the first bad one ends the start. */
#include <config.h>

#include <stdlib.h>

#include "app/context.h"
#include "app/submitacl.h"
#include "conf/matchlist.h"
#include "app/msglog.h"
#include "base/i18n.h"
#include "base/log.h"
#include "mail/intake.h"

#define SMTPD_TIMEOUT_DEFAULT 300 /* seconds: Postfix's smtpd_timeout */

/* A relative path would depend on the folder the caller happens to be
 * in (cron's is the home, a web server's anything): such a value is
 * refused at start, and not used to keep a message meanwhile. */
static bool place_ok(const char *path)
{
	return path[0] == '\0' || path[0] == '/';
}

void context_places(const struct config *cfg, struct deadletter_places *pl)
{
	const char *file = config_get(cfg, "dead_letter_file");
	const char *spool = config_get(cfg, "dead_letter_spool");

	pl->file = config_is_set(cfg, "dead_letter_file") && place_ok(file) ? file : NULL;
	pl->spool = place_ok(spool) ? spool : "";
}

static int places_check(const struct config *cfg, struct error *err)
{
	const char *file = config_get(cfg, "dead_letter_file");
	const char *spool = config_get(cfg, "dead_letter_spool");

	if (!place_ok(file)) {
		config_bad_value(err, cfg, "dead_letter_file", file,
				 _("use an absolute path, or nothing to keep no message"));
		return -1;
	}
	if (!place_ok(spool)) {
		config_bad_value(err, cfg, "dead_letter_spool", spool,
				 _("use an absolute path, or nothing for no spool"));
		return -1;
	}
	return 0;
}

static int program_load(struct context *ctx, struct error *err)
{
	long deadline, timeout;

	if (config_get_time(ctx->cfg, "relaymail_deadline", &deadline, err) < 0 ||
	    config_get_time(ctx->cfg, "smtpd_timeout", &timeout, err) < 0)
		return -1;
	/* 0: no limit on the whole, only the stage timeouts (deadline_in). */
	ctx->deadline = deadline * 1000;
	ctx->smtpd_timeout = (timeout > 0 ? timeout : SMTPD_TIMEOUT_DEFAULT) * 1000;
	context_places(ctx->cfg, &ctx->dead);
	if (places_check(ctx->cfg, err) < 0)
		return -1;
	return 0;
}

struct context *context_open(struct config *cfg, struct error *err)
{
	struct context *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	ctx->cfg = cfg;
	if (program_load(ctx, err) < 0 || msglog_settings_load(cfg, &ctx->log, err) < 0 ||
	    intake_opts_load(cfg, &ctx->intake, err) < 0 ||
	    (ctx->loc = locality_new(cfg, err)) == NULL)
		goto fail;
	if ((ctx->submit_acl = submitacl_open(cfg, err)) == NULL)
		goto fail;
	if (envelope_settings_load(cfg, ctx->loc, &ctx->envelope, err) < 0)
		goto fail;
	if ((ctx->generic = generic_new(cfg, ctx->envelope.rw, err)) == NULL ||
	    milters_load(cfg, ctx->intake.size_max, &ctx->milters, err) < 0 ||
	    deliver_settings_load(cfg, ctx->loc, &ctx->deliver, err) < 0) {
		milters_free(ctx->milters);
		generic_free(ctx->generic);
		envelope_settings_fini(&ctx->envelope);
		goto fail;
	}
	maillog_init(&ctx->log);
	log_notices_to_maillog();
	return ctx;
fail:
	matchlist_free(ctx->submit_acl);
	locality_free(ctx->loc);
	free(ctx);
	return NULL;
}

void context_free(struct context *ctx)
{
	if (ctx == NULL)
		return;
	maillog_fini();
	deliver_settings_fini(&ctx->deliver);
	milters_free(ctx->milters);
	generic_free(ctx->generic);
	envelope_settings_fini(&ctx->envelope);
	locality_free(ctx->loc);
	matchlist_free(ctx->submit_acl);
	config_free(ctx->cfg);
	free(ctx);
}
