/* SPDX-License-Identifier: GPL-3.0-or-later */
/* EHLO capabilities (RFC 5321 §4.1.1.1 and the extension RFCs). */
#ifndef RELAYMAIL_SMTP_CAPS_H
#define RELAYMAIL_SMTP_CAPS_H

#include <stdbool.h>

#include "smtp/reply.h"

struct caps {
	bool esmtp;		/* EHLO succeeded */
	bool pipelining;	/* RFC 2920 */
	bool starttls;		/* RFC 3207 */
	bool eightbitmime;	/* RFC 6152 */
	bool smtputf8;		/* RFC 6531 */
	bool dsn;		/* RFC 3461 */
	bool enhanced;		/* ENHANCEDSTATUSCODES, RFC 2034 */
	bool chunking;		/* RFC 3030 */
	bool size;		/* RFC 1870 */
	unsigned long size_max; /* 0 = no limit announced */
	bool auth;		/* AUTH (or the old AUTH=) was announced */
	char auth_mechs[512];	/* upper-case names separated by single spaces */
};

/* Fill caps from a 250 reply to EHLO (the first line is the greeting). */
void caps_parse(struct caps *c, const struct reply *r);
/* EHLO keywords that can be discarded (Postfix's
 * smtp_discard_ehlo_keywords): one bit each. */
enum caps_keyword {
	CAPS_8BITMIME = 1u << 0,
	CAPS_AUTH = 1u << 1,
	CAPS_CHUNKING = 1u << 2,
	CAPS_DSN = 1u << 3,
	CAPS_ENHANCEDSTATUSCODES = 1u << 4,
	CAPS_PIPELINING = 1u << 5,
	CAPS_SIZE = 1u << 6,
	CAPS_SMTPUTF8 = 1u << 7,
	CAPS_STARTTLS = 1u << 8,
};
/* The bit of keyword name (any case) in *bit: 1 when Postfix knows the
 * name (etrn, verp, vrfy, xclient, xforward and silent-discard are known but
 * give 0: relaymail never uses them), 0 when nobody does. */
int caps_keyword(const char *name, unsigned *bit);
/* Forget what the mask names, as if the relay had not offered it. */
void caps_discard(struct caps *c, unsigned mask);
/* Is mech (case-insensitive) in auth_mechs? */
bool caps_has_mech(const struct caps *c, const char *mech);

#endif
