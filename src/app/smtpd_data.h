/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The DATA of one -bs transaction on its way to a struct message: kept in
 * memory up to a bound, then in an unlinked temporary file, so a large
 * message does not grow the process. Counts the octets against
 * message_size_limit and drops the rest once past it. */
#ifndef RELAYMAIL_APP_SMTPD_DATA_H
#define RELAYMAIL_APP_SMTPD_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"
#include "mail/message.h"

struct smtpd_data {
	struct buf mem;	 /* the text, or once in a file the write buffer */
	int fd;		 /* -1 while in memory */
	size_t size;	 /* octets offered so far, kept or not */
	size_t size_max; /* 0 = no limit */
	bool too_big;	 /* size went past size_max: nothing more is kept */
	bool failed;	 /* storing failed; err says why */
	struct error err;
};

void smtpd_data_init(struct smtpd_data *d, size_t size_max);
/* Keep n more octets. Never fails: a storage failure sets failed (and err)
 * and later octets are counted only, so the caller can read on to the end
 * of the data before it answers. */
void smtpd_data_add(struct smtpd_data *d, const char *p, size_t n);
/* The message read from what was kept (mo as for message_read). NULL
 * with err set when it cannot be read back. */
struct message *smtpd_data_message(struct smtpd_data *d, const struct message_opts *mo,
				   struct error *err);
/* Release memory and the file; harmless when called twice. */
void smtpd_data_fini(struct smtpd_data *d);

#endif
