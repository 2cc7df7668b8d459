/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One message from intake to outcome: envelope, the failover walk, and on
 * failure the dead letter file. Shared by the default mode and -bs, which
 * calls it once per message with the envelope it received over SMTP. */
#ifndef RELAYMAIL_APP_SUBMIT_H
#define RELAYMAIL_APP_SUBMIT_H

#include <stdbool.h>

#include "app/cli.h"
#include "app/context.h"
#include "app/envelope.h"
#include "base/error.h"
#include "mail/message.h"

struct submit_result {
	struct error err; /* cls ERROR_NONE on success */
	char relay[320];  /* relay that accepted, or the last one tried */
	char reply[512];  /* that relay's last reply */
	bool saved;	  /* the message went to the dead letter file */
};

/* What the command line asks for (sender, recipients, -t, DSN, -B, -O);
 * sub points into o. */
void submit_from_options(const struct options *o, struct submission *sub);
/* Read the message from stdin under the context's limits; dot_ok: -i. */
struct message *submit_read(const struct context *ctx, bool dot_ok, struct error *err);
/* Build the envelope from sub and m, deliver, and save m in the dead
 * letter file on failure. 0 or -1 (res->err). */
int submit_message(const struct context *ctx, const struct submission *sub, struct message *m,
		   struct submit_result *res);
/* Keep m, which is not to be sent (message_incomplete), in the dead
 * letter file: reason on stderr first, then the sender and recipients as
 * sub gives them (no envelope is built from part of a message). */
void submit_keep(const struct context *ctx, const struct submission *sub, const struct message *m,
		 const char *reason);
/* Read and keep a message whose configuration cannot be used: dead_letter
 * is dead_letter_file as configured (NULL: not set, or no configuration). */
void submit_salvage(bool dot_ok, const char *sender, const char *dead_letter);

#endif
