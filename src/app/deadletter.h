/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dead letter file (DESIGN.md, Nothing lost): on any failure after
 * the message was read, the message is appended in mbox format, under a
 * lock, with its envelope, so nothing is lost and it can be sent again. */
#ifndef RELAYMAIL_APP_DEADLETTER_H
#define RELAYMAIL_APP_DEADLETTER_H

#include <stddef.h>

#include "base/error.h"
#include "mail/address.h"
#include "mail/message.h"

/* The path to use: configured (dead_letter_file when set; "" is off and
 * gives path ""), else $XDG_STATE_HOME/relaymail/dead.letter, else
 * ~/.local/state/relaymail/dead.letter. configured NULL: not set. */
int deadletter_path(const char *configured, char *path, size_t size, struct error *err);
/* Append m. sender NULL: unknown. rcpts may be NULL. The file is created
 * 0600 in a 0700 folder, never through a symbolic link. */
int deadletter_save(const char *path, const struct message *m, const char *sender,
		    const struct addrlist *rcpts, struct error *err);

#endif
