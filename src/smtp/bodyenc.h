/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The message body as it goes after DATA (RFC 5321 §4.5.2): a "." that
 * starts a line is doubled, the body ends in CRLF, and "." ends the data.
 * Input comes in chunks of any size; the state carries across them. */
#ifndef RELAYMAIL_SMTP_BODYENC_H
#define RELAYMAIL_SMTP_BODYENC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

struct bodyenc {
	bool midline;  /* the last byte seen was not LF */
	char last[2];  /* the last two bytes seen, oldest first */
	size_t nbytes; /* body bytes seen (before stuffing) */
};

void bodyenc_init(struct bodyenc *e);
/* Append p[0..len) to out with dot-stuffing. -1 when out cannot grow. */
int bodyenc_add(struct bodyenc *e, struct buf *out, const char *p, size_t len);
/* Append a CRLF when the body did not end with one (none for an empty
 * body), then ".\r\n". -1 when out cannot grow. */
int bodyenc_end(struct bodyenc *e, struct buf *out);

#endif
