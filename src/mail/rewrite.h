/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Address rewriting of a local submission as Postfix's cleanup does it
 * (reference/postfix.md §3): the local-context rewrite (bare user gets
 * @$myorigin), sender_canonical_maps, recipient_canonical_maps and
 * canonical_maps with their classes, for envelope addresses and for the
 * sender-class and recipient-class header fields. */
#ifndef RELAYMAIL_MAIL_REWRITE_H
#define RELAYMAIL_MAIL_REWRITE_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/addrfind.h"
#include "mail/message.h"

enum rewrite_class {
	REWRITE_ENVELOPE_SENDER = 1 << 0,
	REWRITE_ENVELOPE_RECIPIENT = 1 << 1,
	REWRITE_HEADER_SENDER = 1 << 2,
	REWRITE_HEADER_RECIPIENT = 1 << 3,
};

struct rewriter;

/* Open the maps once (sender_canonical_maps, recipient_canonical_maps,
 * canonical_maps) and read the classes, myorigin, mydestination,
 * recipient_delimiter, propagate_unmatched_extensions and the local
 * rewrite switches. own says which address literals are the host's
 * (NULL: none is; its arg must outlive rw). ERROR_CONFIG naming the
 * parameter. */
struct rewriter *rewriter_new(const struct config *cfg, const struct addrfind_own *own,
			      struct error *err);
void rewriter_free(struct rewriter *rw);
/* The lookup context (myorigin, mydestination, delimiter, own addresses)
 * rw uses. */
const struct addrfind *rewriter_addrfind(const struct rewriter *rw);

/* Local-context rewrite (§3.1 step 1): source route stripped, site!user and
 * user%domain swapped, @$myorigin appended when append_at_myorigin,
 * .$mydomain when append_dot_mydomain, one trailing dot dropped. "" stays
 * "". External form in, external form out; malloc'd, NULL out of memory. */
char *rewrite_local(const struct rewriter *rw, const char *addr);

/* sender_canonical_maps then canonical_maps, each only when cls (one
 * enum rewrite_class value) is in its classes; each map applied until the
 * address is stable, at most 10 rounds (§3.5). addr is in external form,
 * "" for the null sender (looked up as ""). *out is malloc'd. -1 with
 * ERROR_TEMP or ERROR_CONFIG on lookup errors and non-address results. */
int rewrite_sender(const struct rewriter *rw, const char *addr, enum rewrite_class cls, char **out,
		   struct error *err);
/* recipient_canonical_maps then canonical_maps, likewise. */
int rewrite_recipient(const struct rewriter *rw, const char *addr, enum rewrite_class cls,
		      char **out, struct error *err);

/* The header fields of §3.2: sender-class fields get rewrite_local and
 * rewrite_sender(REWRITE_HEADER_SENDER), recipient-class fields
 * rewrite_local and rewrite_recipient(REWRITE_HEADER_RECIPIENT). A field
 * is regenerated only when an address in it changed ("Name <addr>" items
 * joined by ", ", display names and comments kept, folded after a comma
 * as Postfix's cleanup folds); a field whose syntax cannot be parsed
 * (or a mailbox of it that is not one address) is left alone, as
 * Postfix leaves it. Anything else that stops a field from being
 * rewritten is an error: -1 at the first one, with what the lookup set
 * (as rewrite_sender), ERROR_DATA for a field longer than 64 KiB
 * unfolded, ERROR_INTERNAL when out of memory. The fields before it
 * are rewritten already. */
int rewrite_headers(const struct rewriter *rw, struct message *m, struct error *err);
/* The regenerated value of one field (for tests and rewrite_headers):
 * *out NULL when nothing changed or the field is left alone; errors as
 * rewrite_headers. */
int rewrite_header_value(const struct rewriter *rw, const char *name, const char *value, char **out,
			 struct error *err);

#endif
