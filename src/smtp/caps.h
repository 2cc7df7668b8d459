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
/* Is mech (case-insensitive) in auth_mechs? */
bool caps_has_mech(const struct caps *c, const char *mech);

#endif
