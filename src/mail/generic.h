/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp_generic_maps (generic(5)): the rewriting Postfix's SMTP client does
 * as mail leaves the machine, after cleanup's canonical rewriting and
 * masquerading: the envelope sender and recipients as written in MAIL
 * FROM and RCPT TO, and the addresses of the sender-class and
 * recipient-class header fields. One lookup per address (no rounds), with
 * the canonical key order and results (reference/postfix.md §3.4, §3.5);
 * the unmatched extension is carried over only when
 * propagate_unmatched_extensions lists "generic". Relay and credential
 * choices keep seeing the addresses before it. */
#ifndef RELAYMAIL_MAIL_GENERIC_H
#define RELAYMAIL_MAIL_GENERIC_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/message.h"
#include "mail/rewrite.h"

struct generic;

/* Open smtp_generic_maps once; rw (which must outlive g) gives the lookup
 * context and the qualifying of results. NULL with the table's error
 * naming the parameter (ERROR_CONFIG), ERROR_INTERNAL out of memory. */
struct generic *generic_new(const struct config *cfg, const struct rewriter *rw, struct error *err);
void generic_free(struct generic *g);
/* smtp_generic_maps is empty: nothing is ever rewritten. */
bool generic_empty(const struct generic *g);

/* One envelope address (external form) as it goes on the wire; the null
 * sender "" is never looked up. *out malloc'd, unchanged when nothing
 * matched. -1 as rewrite_map_once: a lookup error, or a result that is no
 * address (ERROR_TEMP, as Postfix defers the message). */
int generic_address(const struct generic *g, const char *addr, char **out, struct error *err);

/* The sender-class and recipient-class fields of m (mail/rewrite.h's
 * lists), each address looked up as generic_address does; a field is
 * regenerated and refolded when an address in it matched, even when the
 * result is the same address, as Postfix's smtp(8) does. -1 at the
 * first field that fails, with the errors of rewrite_headers. */
int generic_headers(const struct generic *g, struct message *m, struct error *err);

#endif
