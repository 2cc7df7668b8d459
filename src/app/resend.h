/* SPDX-License-Identifier: GPL-3.0-or-later */
/* relaymail --resend [FILE...]: the messages kept after a failure
 * (app/deadletter.h), sent again through the normal path with the
 * envelope they were kept with. Each file is first taken away from its
 * name (renamed to NAME.resend-XXXXXX, locked), so a failure that keeps a
 * message meanwhile starts a new file and a second --resend leaves it
 * alone; each message that was sent, or kept again with the new reason,
 * is marked done (in NAME.resend-XXXXXX.pos) before the next one, so a
 * --resend that is stopped goes on where it was, and no message is sent
 * twice unless the relay took it in the very moment of the stop. */
#ifndef RELAYMAIL_APP_RESEND_H
#define RELAYMAIL_APP_RESEND_H

#include "app/context.h"

/* Send the messages of files (NULL-terminated; NULL or empty: every
 * file of the calling user, deadletter_files). The exit status: 0 when
 * nothing is left; 75 when a message is kept for a temporary failure or
 * a file is in use by another --resend; else the status of the first
 * message kept for good (64-78). Each message kept says so on stderr. */
int resend_run(const struct context *ctx, char *const *files);

#endif
