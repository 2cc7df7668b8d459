/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One message from intake to outcome: envelope, the failover walk, and on
 * failure the dead letter file. Shared by the default mode and -bs, which
 * calls it once per message with the envelope it received over SMTP. */
#ifndef RELAYMAIL_APP_SUBMIT_H
#define RELAYMAIL_APP_SUBMIT_H

#include <stdbool.h>

#include "app/cli.h"
#include "app/context.h"
#include "app/deadletter.h"
#include "app/envelope.h"
#include "base/error.h"
#include "deliver/reuse.h"
#include "mail/message.h"

struct submit_result {
	struct error err; /* cls ERROR_NONE on success */
	char relay[320];  /* relay that accepted, or the last one tried */
	char reply[512];  /* that relay's last reply */
	bool saved;	  /* the message went to the dead letter file */
	bool checks;	  /* header_checks refused it (REJECT, HOLD) before any
			   * relay: err.reply is its reason, "5.7.1 text" */
};

/* What the command line asks for (sender, recipients, -t, DSN, -B, -O);
 * sub points into o. */
void submit_from_options(const struct options *o, struct submission *sub);
/* Read the message from stdin under the context's limits; dot_ok: -i. */
struct message *submit_read(const struct context *ctx, bool dot_ok, struct error *err);
/* Build the envelope from sub and m, deliver, and keep m in the dead
 * letter file on failure (with the envelope when it was built, else with
 * sub). 0 or -1 (res->err). */
int submit_message(const struct context *ctx, const struct submission *sub, struct message *m,
		   struct submit_result *res);
/* The same over the connections of cache (deliver/reuse.h; NULL: none),
 * for -bs: a connection the last message went over carries this one. */
int submit_message_cached(const struct context *ctx, const struct submission *sub,
			  struct message *m, struct reuse_cache *cache, struct submit_result *res);
/* --resend: deliver m again with the envelope it was kept with (sender ""
 * null, rcpts final: no rewriting again; DSN and -B/-O from sub), and
 * keep it again with the new reason on failure. 0 or -1 (res->err). */
int submit_again(const struct context *ctx, const struct submission *sub, const char *sender,
		 const struct addrlist *rcpts, struct message *m, struct submit_result *res);
/* Keep m, which is not sent (incomplete input, a stop), with reason
 * (said on stderr first) and what the caller asked for (no envelope is
 * built from part of a message). true when it was kept. */
bool submit_keep(const struct context *ctx, const struct submission *sub, const struct message *m,
		 const char *reason, bool incomplete);
/* The same with the whole record given (--resend keeps a message again
 * with the envelope it had). */
bool submit_keep_entry(const struct context *ctx, const struct message *m,
		       const struct deadletter_entry *e);
/* Read and keep a message whose configuration cannot be used, with what
 * the command line asked for (sub) and why (reason); pl as far as the
 * configuration could say (dead_letter_file, dead_letter_spool). */
void submit_salvage(bool dot_ok, const struct submission *sub, const struct deadletter_places *pl,
		    const char *reason);

#endif
