/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Address masquerading as Postfix's cleanup does it (cleanup_masquerade.c):
 * masquerade_domains strips the subdomains of an address's domain down to
 * the first listed parent ("!domain" keeps it and its subdomains as they
 * are), masquerade_exceptions names local parts left alone, and
 * masquerade_classes says which addresses it applies to. */
#ifndef RELAYMAIL_MAIL_MASQUERADE_H
#define RELAYMAIL_MAIL_MASQUERADE_H

#include <stdbool.h>

#include "base/error.h"
#include "conf/config.h"

struct masquerade;

/* Read masquerade_domains, masquerade_exceptions (a string match list:
 * names, /file/name, type:table, "!" negation; its tables opened now) and
 * masquerade_classes (the rewrite_class names of mail/rewrite.h). NULL
 * with ERROR_CONFIG naming the parameter and where it was set: a domain
 * that is no domain name, an unknown class, a table or file that cannot
 * be opened; ERROR_INTERNAL out of memory. */
struct masquerade *masquerade_new(const struct config *cfg, struct error *err);
void masquerade_free(struct masquerade *mq);

/* Whether addresses of class cls (one enum rewrite_class value) are
 * masqueraded: masquerade_domains lists a domain and masquerade_classes
 * the class. */
bool masquerade_applies(const struct masquerade *mq, unsigned cls);

/* addr in external form ("" and an address without a domain stay as they
 * are). The domains are tried in order; the first that is the address's
 * domain or a parent of it decides: a parent replaces the domain (in the
 * listed spelling, folded to lower case), the domain itself or a "!"
 * entry leaves the address alone. A local part in masquerade_exceptions
 * (its external form, the extension included) is never masqueraded.
 * *out malloc'd. -1 with the table's error when an exception lookup
 * fails (prefixed with masquerade_exceptions), ERROR_INTERNAL out of
 * memory. */
int masquerade_address(const struct masquerade *mq, const char *addr, char **out,
		       struct error *err);

#endif
