/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SMTP replies (RFC 5321 §4.2): parsed from (pointer, length) with hard
 * caps, multi-line replies joined, the enhanced status code (RFC 3463)
 * picked out. No I/O, no state beyond the caller's buffer. */
#ifndef RELAYMAIL_SMTP_REPLY_H
#define RELAYMAIL_SMTP_REPLY_H

#include <stddef.h>

#include "base/error.h"

#define REPLY_LINE_MAX 2048 /* octets per line, CRLF included (RFC: 512) */
#define REPLY_LINES_MAX 200
#define REPLY_TEXT_MAX 8192

struct reply {
	int code;	   /* 200..599 */
	char enhanced[16]; /* "5.7.1" when the relay sent one, else "" */
	size_t nlines;
	/* The text of every line after the code and separator, joined by
	 * "\n"; raw bytes (may hold anything but CR and LF). Truncated to
	 * REPLY_TEXT_MAX - 1. */
	char text[REPLY_TEXT_MAX];
	size_t text_len;
};

/* Look for one complete reply at the start of data. Returns 1 and sets
 * *consumed when a whole reply is there; 0 when more input is needed
 * (nothing consumed); -1 with ERROR_PROTOCOL when the input can never
 * become a valid reply (bad code, mixed codes, a line or reply too long).
 * Lines end in CRLF; a bare LF is accepted. */
int reply_parse(const char *data, size_t len, struct reply *r, size_t *consumed, struct error *err);
/* Class of the code: 2, 3, 4 or 5. */
int reply_class(const struct reply *r);
/* One printable line: "550 5.1.1 text" with lines joined by spaces and
 * control characters replaced; for messages and logs. */
void reply_format(const struct reply *r, char *out, size_t outsize);

#endif
