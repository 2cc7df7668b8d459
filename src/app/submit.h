/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One message from intake to outcome: envelope, the failover walk, and on
 * failure the dead letter file. Shared by the default mode and -bs, which
 * calls it once per message with the envelope it received over SMTP. */
#ifndef RELAYMAIL_APP_SUBMIT_H
#define RELAYMAIL_APP_SUBMIT_H

#include <stdbool.h>

#include "app/cli.h"
#include "base/error.h"
#include "conf/config.h"
#include "mail/message.h"

struct submit_result {
	struct error err; /* cls ERROR_NONE on success */
	char relay[320];  /* relay that accepted, or the last one tried */
	char reply[512];  /* that relay's last reply */
	bool saved;	  /* the message went to the dead letter file */
};

/* Read the message from stdin as the options say (-i, limits). */
struct message *submit_read(const struct options *o, const struct config *cfg, struct error *err);
/* Build the envelope from o (sender, recipients, -t) and m, deliver, and
 * save m in the dead letter file on failure. 0 or -1 (res->err). */
int submit_message(const struct options *o, const struct config *cfg, struct message *m,
		   struct submit_result *res);
/* Keep a message whose configuration could not be loaded (cfg NULL). */
void submit_salvage(const struct options *o);

#endif
