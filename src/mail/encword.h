/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RFC 2047 encoded-words for a display name that is not ASCII (a full
 * name from -F, $NAME or the GECOS field): UTF-8, Q encoding, each word
 * at most 75 characters and holding whole characters only (§2, §5). */
#ifndef RELAYMAIL_MAIL_ENCWORD_H
#define RELAYMAIL_MAIL_ENCWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define ENCWORD_MAX 75	/* RFC 2047 §2: the longest encoded-word */
#define ENCWORD_LINE 78 /* RFC 5322 §2.1.1: fold before passing this */

/* true when text (len octets) needs encoding: a byte >= 0x80. */
bool encword_needed(const char *text, size_t len);
/* Append text as "=?UTF-8?Q?...?=" words usable as an RFC 5322 phrase,
 * separated by a space, or by CRLF SPACE (folding) when the line would
 * pass ENCWORD_LINE columns. *col is the column where the output starts
 * and is updated to where it ends. -1 when out cannot grow. */
int encword_phrase(struct buf *out, const char *text, size_t len, size_t *col);

#endif
