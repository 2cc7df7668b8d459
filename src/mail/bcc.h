/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Automatic archive copies as Postfix's cleanup adds them to new mail
 * (cleanup_addr.c, cleanup_extracted.c): sender_bcc_maps looked up with
 * the envelope sender after canonical rewriting and masquerading,
 * recipient_bcc_maps with each envelope recipient likewise, and
 * always_bcc. Each copy is one more envelope recipient, no header field;
 * the caller qualifies and rewrites it as a recipient, and looks up no
 * copy of a copy. */
#ifndef RELAYMAIL_MAIL_BCC_H
#define RELAYMAIL_MAIL_BCC_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"
#include "mail/address.h"
#include "mail/rewrite.h"

struct bcc;

/* Open sender_bcc_maps and recipient_bcc_maps and check always_bcc (one
 * address, as in a header field). rw (the lookup context and the
 * recipient rewriting; it must outlive b). NULL with ERROR_CONFIG naming
 * the parameter, or ERROR_INTERNAL. */
struct bcc *bcc_new(const struct config *cfg, const struct rewriter *rw, struct error *err);
void bcc_free(struct bcc *b);

/* The copy for the envelope sender (external form, final: after the
 * canonical maps and masquerading), appended to out: the key order of
 * reference/postfix.md §3.4, no extension carried over; the null sender
 * gets none. A result of several addresses gives the first, with a
 * warning (Postfix supports one). -1 on a lookup error (ERROR_TEMP or the
 * table's class, prefixed with the parameter), a result that is no
 * address (ERROR_CONFIG), ERROR_INTERNAL. */
int bcc_sender(const struct bcc *b, const char *sender, struct addrlist *out, struct error *err);
/* The copy for one recipient (external form, after
 * recipient_canonical_maps, canonical_maps and masquerading, before any
 * alias), as bcc_sender. */
int bcc_recipient(const struct bcc *b, const char *rcpt, struct addrlist *out, struct error *err);
/* always_bcc, appended to out when set. -1 only out of memory. */
int bcc_always(const struct bcc *b, struct addrlist *out, struct error *err);

#endif
