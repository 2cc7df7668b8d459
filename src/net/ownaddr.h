/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host's own addresses as Postfix's own_inet_addr and proxy_inet_addr
 * know them (inet_interfaces, proxy_interfaces): every address of the
 * interfaces that are up, only the loopback ones, or a list of addresses
 * and host names. Values are checked when they are added; the interfaces
 * are listed and the names resolved only when a query first needs them.
 * Addresses compare in binary form. Knows nothing of mail. */
#ifndef RELAYMAIL_NET_OWNADDR_H
#define RELAYMAIL_NET_OWNADDR_H

#include <stdbool.h>

#include "base/error.h"
#include "net/conn.h"

struct net_ownaddr;

/* An empty set that keeps addresses of family only (inet_protocols;
 * NET_ANY: IPv4 and IPv6). NULL when out of memory. */
struct net_ownaddr *net_ownaddr_new(enum net_family family);
void net_ownaddr_free(struct net_ownaddr *o); /* NULL is harmless */

/* Add what one parameter value names: a list, separated by blanks or
 * commas, of IPv4 addresses, IPv6 addresses (brackets and a %zone
 * allowed) and host names. With keywords (inet_interfaces), the whole
 * value may instead be "all" (the address of every interface that is up)
 * or "loopback-only" (those of them in 127.0.0.0/8 and ::1). Addresses of
 * a family the set does not keep are left out. label names the parameter
 * in messages, as the caller wants it shown ("inet_interfaces (FILE, line
 * 3)"). -1: ERROR_CONFIG naming label and the entry that is neither an
 * address nor a host name; ERROR_INTERNAL when out of memory. */
int net_ownaddr_add(struct net_ownaddr *o, const char *label, const char *value, bool keywords,
		    struct error *err);

/* Whether addr, the numeric form of an address of family (NET_IPV4: a
 * dotted quad; NET_IPV6), is in the set: 1 yes; 0 no, also when addr is
 * not such an address or the set does not keep its family. The first
 * query that needs them lists the interfaces (ERROR_OS when that fails)
 * and resolves the host names (ERROR_CONFIG naming label and the name
 * when it does not exist, ERROR_TEMP when the resolver failed): -1. */
int net_ownaddr_has(struct net_ownaddr *o, const char *addr, enum net_family family,
		    struct error *err);

#endif
