/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The envelope as it goes on the wire: smtp_generic_maps (mail/generic.h)
 * applied to the sender and each recipient of a built envelope, for
 * MAIL FROM and RCPT TO only; the mail log, the dead letter file and the
 * choice of relay keep the addresses before it, as Postfix's do. */
#ifndef RELAYMAIL_APP_WIRE_H
#define RELAYMAIL_APP_WIRE_H

#include "app/envelope.h"
#include "base/error.h"
#include "mail/address.h"
#include "mail/generic.h"

struct wire {
	char *sender;	       /* "" = null sender */
	struct addrlist rcpts; /* one per recipient of the envelope, in order */
	bool smtputf8;	       /* a mapped address has a non-ASCII local part */
};

/* w from env through g (NULL or empty: copies). A mapped address with a
 * non-ASCII domain gets A-labels, one with a non-ASCII local part sets
 * w->smtputf8 (the caller then needs SMTPUTF8, as for envelope_build's
 * addresses). A result that is no valid envelope address is ERROR_CONFIG
 * naming smtp_generic_maps; lookup errors as generic_address. w is empty
 * on failure. */
int wire_build(const struct generic *g, const struct envelope *env, struct wire *w,
	       struct error *err);
void wire_fini(struct wire *w);

#endif
