/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dead letter file (DESIGN.md, Nothing lost): on any failure after
 * the message was read, the message is kept with what is needed to send
 * it again (relaymail --resend), in the first place that works:
 *   1. dead_letter_file when it is set (empty: nothing is kept);
 *   2. $XDG_STATE_HOME/relaymail/dead.letter, else
 *      ~/.local/state/relaymail/dead.letter;
 *   3. the system spool, dead_letter_spool, that make install prepares
 *      (sticky and writable by all, as /tmp), one file per message;
 *   4. $TMPDIR (else /tmp), one file per message, with a warning that it
 *      may not survive a reboot.
 * 1 and 2 are mbox files, appended under an fcntl lock; 3 and 4 are new
 * files with names nobody can guess or take in advance. Every file is
 * the user's own, mode 0600, and never opened through a symbolic link. */
#ifndef RELAYMAIL_APP_DEADLETTER_H
#define RELAYMAIL_APP_DEADLETTER_H

#include <stdbool.h>
#include <stddef.h>

#include "app/envelope.h"
#include "base/error.h"
#include "mail/address.h"
#include "mail/message.h"

/* The places of the list above that can be configured. */
struct deadletter_places {
	const char *file;  /* dead_letter_file as configured; NULL: not set; "": off */
	const char *spool; /* dead_letter_spool; NULL or "": none */
};

/* What is kept with a message. The envelope it was to be sent with when
 * it was built (sender "" for the null sender, rcpts non-NULL); else what
 * the caller asked for (sub), so that a resend builds it then. */
struct deadletter_entry {
	const char *reason; /* why it is kept, one line */
	bool incomplete;    /* only part of the input was read: never sent again */
	const char *sender;
	const struct addrlist *rcpts;
	const struct submission *sub; /* may be NULL when rcpts is set */
};

/* Keep m in the first place that works. 1: kept, path (size bytes) says
 * where and *temporary is true for $TMPDIR; 0: not kept, dead_letter_file
 * is empty; -1: no place could be written, err says what was tried
 * (ERROR_IO). */
int deadletter_keep(const struct deadletter_places *pl, const struct message *m,
		    const struct deadletter_entry *e, char *path, size_t size, bool *temporary,
		    struct error *err);

/* The mbox file of places 1 and 2 (path "" when there is none). */
int deadletter_mbox_path(const struct deadletter_places *pl, char *path, size_t size,
			 struct error *err);
/* Append m with e to the mbox at path, creating it (and its folder, 0700)
 * as needed. */
int deadletter_append(const char *path, const struct message *m, const struct deadletter_entry *e,
		      struct error *err);

/* Open path for an update: the user's own regular file, not a link,
 * locked with fcntl; a lock that waits notices when the file was renamed
 * away (--resend took it) and opens the new one. The descriptor, or -1
 * (err); with create, the file and its folder are made when missing. */
int deadletter_open_locked(const char *path, bool create, struct error *err);

/* The files in which this user's messages may be, for --resend: the mbox
 * (and any file a resend had taken from it and not finished), and the
 * user's files in the spool and in $TMPDIR. A NULL-terminated malloc'd
 * array of malloc'd paths (free with deadletter_files_free). */
char **deadletter_files(const struct deadletter_places *pl, struct error *err);
void deadletter_files_free(char **files);

#endif
