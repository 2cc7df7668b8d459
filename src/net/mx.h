/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The addresses of a destination: those of its MX hosts in preference
 * order, or its own when it has no MX record (RFC 5321 §5.1), or its own
 * at once when no MX lookup is wanted. The two lookups are function
 * pointers, so tests need no DNS. */
#ifndef RELAYMAIL_NET_MX_H
#define RELAYMAIL_NET_MX_H

#include <stdbool.h>

#include "base/deadline.h"
#include "base/error.h"
#include "net/conn.h"
#include "net/dns.h"

struct mx_lookups {
	/* As dns_mx_lookup. */
	int (*mx)(void *arg, const char *domain, struct deadline dl, struct dns_mx *out, int max,
		  struct error *err);
	/* As net_resolve. */
	int (*host)(void *arg, const char *host, unsigned port, enum net_family family,
		    enum net_family prefer, struct net_addr *out, int max, struct error *err);
	void *arg;
};

struct mx_query {
	const char *name; /* A-label form, or an address literal */
	unsigned port;
	enum net_family family; /* inet_protocols */
	enum net_family prefer; /* smtp_address_preference */
	bool mx;		/* look up MX records first */
	struct deadline dl;
};

/* At most max addresses (smtp_mx_address_limit), each with net_addr.host
 * naming the host it belongs to: the exchanger for MX hosts, q->name
 * otherwise. An address two exchangers share is listed once. An exchanger
 * without addresses is skipped; when none has any, the error is the last
 * exchanger's, ERROR_TEMP if any failure was temporary, else ERROR_NOHOST.
 * When DNS says the name does not exist, the name's own addresses are
 * still asked for (the system resolver may know it from /etc/hosts), so
 * ERROR_NOHOST comes from that lookup. The MX lookup's other errors pass
 * through (ERROR_REJECTED for a null MX, ERROR_TEMP). lk NULL:
 * dns_mx_lookup and net_resolve.
 * Returns the count (>= 1) or -1. */
int mx_resolve(const struct mx_query *q, const struct mx_lookups *lk, struct net_addr *out, int max,
	       struct error *err);

#endif
