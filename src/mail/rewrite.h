/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Address rewriting of a local submission as Postfix's cleanup does it
 * (reference/postfix.md §3): the local-context rewrite (bare user gets
 * @$myorigin), sender_canonical_maps, recipient_canonical_maps and
 * canonical_maps with their classes, then masquerading (mail/masquerade.h)
 * with its classes, for envelope addresses and for the sender-class and
 * recipient-class header fields. */
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

/* Which item of propagate_unmatched_extensions a lookup obeys. */
enum rewrite_propagate {
	REWRITE_PROPAGATE_CANONICAL, /* canonical maps */
	REWRITE_PROPAGATE_GENERIC,   /* smtp_generic_maps */
};

/* A *_classes parameter (canonical_classes, masquerade_classes...) as
 * enum rewrite_class bits: envelope_sender, envelope_recipient,
 * header_sender, header_recipient, case ignored. -1 with ERROR_CONFIG
 * naming param for any other item. */
int rewrite_classes_parse(const struct config *cfg, const char *param, unsigned *out,
			  struct error *err);

/* Open the maps once (sender_canonical_maps, recipient_canonical_maps,
 * canonical_maps) and read the classes, the masquerade_* parameters,
 * myorigin, mydestination, recipient_delimiter,
 * propagate_unmatched_extensions and the local rewrite switches. own says which address literals
 * are the host's (NULL: none is; its arg must outlive rw). ERROR_CONFIG naming the parameter. */
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

/* One lookup of addr (external form) in m with the key order of §3.4, and
 * its result as one address as §3.5 makes it (the first of several, with
 * a warning; qualified; the unmatched extension carried over when which
 * is listed in propagate_unmatched_extensions). title names m in
 * messages. 1 with *out malloc'd, 0 when nothing matched, -1 on a lookup
 * error (prefixed "TITLE lookup problem for ADDR") or a result that is
 * no address (ERROR_TEMP). */
int rewrite_map_once(const struct rewriter *rw, const struct maps *m, const char *title,
		     const char *addr, enum rewrite_propagate which, char **out, struct error *err);

/* sender_canonical_maps then canonical_maps, each only when cls (one
 * enum rewrite_class value) is in its classes; each map applied until the
 * address is stable, at most 10 rounds (§3.5); then masquerading when cls
 * is in masquerade_classes. addr is in external form, "" for the null
 * sender (looked up as ""). *out is malloc'd. -1 with ERROR_TEMP or
 * ERROR_CONFIG on lookup errors and non-address results. */
int rewrite_sender(const struct rewriter *rw, const char *addr, enum rewrite_class cls, char **out,
		   struct error *err);
/* recipient_canonical_maps then canonical_maps, then masquerading,
 * likewise. */
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

/* One address of a header field mapped by fn: *out malloc'd (the same
 * text when nothing changed), or -1 with err set. 1 regenerates the
 * field even when the address stays the same (Postfix's smtp(8) does so
 * for every address its generic maps match), 0 only when it changed.
 * sender: the field is a sender-class one. */
struct rewrite_field_map {
	int (*fn)(void *arg, bool sender, const char *addr, char **out, struct error *err);
	void *arg;
};

/* rewrite_header_value with fm in place of the canonical rewriting: the
 * same fields, the same parsing, regeneration and folding. */
int rewrite_header_value_map(const struct rewrite_field_map *fm, const char *name,
			     const char *value, char **out, struct error *err);

#endif
