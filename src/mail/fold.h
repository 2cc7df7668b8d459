/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Lines longer than smtp_line_length_limit (RFC 5321 §4.5.3.1.6: 998
 * octets before CRLF). Header lines are folded before a blank where one
 * exists (RFC 5322 §2.2.3, no change in meaning), else, like every long
 * body line, broken with CRLF SPACE as Postfix's SMTP client does
 * (reference/postfix.md §1.4 item 10). Internal to the mail layer. */
#ifndef RELAYMAIL_MAIL_FOLD_H
#define RELAYMAIL_MAIL_FOLD_H

#include <stddef.h>

#define FOLD_MIN 40 /* a smaller limit is taken as this one */

/* Where to break a run of text when room octets fit: room, or a little
 * less so that a UTF-8 sequence is not cut in two. p must hold more than
 * room octets. */
size_t fold_cut(const char *p, size_t room);

/* raw: a stored header field ("Name:value", lines joined by CRLF, len
 * octets, NUL-terminated). Returns raw when no line is longer than max,
 * else a new string (raw freed) with *len updated; NULL when out of
 * memory (raw untouched). */
char *fold_header(char *raw, size_t *len, size_t max);

#endif
