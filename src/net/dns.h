/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MX records through the system resolver (res_nsearch; the one file that
 * includes <resolv.h>): the query, and a parser of answer packets that
 * takes (pointer, length) so tests and fuzzers can feed it any bytes. */
#ifndef RELAYMAIL_NET_DNS_H
#define RELAYMAIL_NET_DNS_H

#include <stddef.h>

#include "base/deadline.h"
#include "base/error.h"

#define DNS_NAME_MAX 256 /* presentation form of a name, with its NUL */

struct dns_mx {
	unsigned pref;
	char host[DNS_NAME_MAX]; /* exchanger, no trailing dot */
};

/* Parse a DNS answer packet for the MX records of its answer section,
 * sorted by preference, lowest first; records of equal preference keep the
 * packet's order (servers rotate it). At most max records are kept: the
 * most preferred. Other record types (a CNAME before the MX records) are
 * skipped. Returns the count, 0 when the name exists but has no MX record.
 * Errors: ERROR_NOHOST (NXDOMAIN); ERROR_REJECTED (a null MX, RFC 7505:
 * the domain's owner says it accepts no mail); ERROR_TEMP (another error code, or a packet that is
 * malformed or truncated). Texts do not name the domain: callers prefix
 * it. */
int dns_mx_parse(const unsigned char *msg, size_t len, struct dns_mx *out, int max,
		 struct error *err);

/* Look up the MX records of domain (A-label form) with the resolver of
 * resolv.conf and its search list, as dns_mx_parse orders them. The resolver's own timeouts
 * are shortened so the lookup ends near dl (it cannot be interrupted
 * exactly). Returns the count (0: no MX record, use the host's own
 * addresses) or -1: ERROR_NOHOST when the name does not exist,
 * ERROR_REJECTED for a null MX, ERROR_TEMP when the resolver failed; texts
 * name the domain. */
int dns_mx_lookup(const char *domain, struct deadline dl, struct dns_mx *out, int max,
		  struct error *err);

#endif
