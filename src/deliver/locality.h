/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What counts as local in address lookups, from the configuration
 * (reference/postfix.md §3.4): $myorigin, mydestination and, for address
 * literals, the host's own addresses of inet_interfaces and
 * proxy_interfaces, filtered by inet_protocols (net/ownaddr). Interfaces
 * are listed and host names resolved only when an address literal asks. */
#ifndef RELAYMAIL_DELIVER_LOCALITY_H
#define RELAYMAIL_DELIVER_LOCALITY_H

#include "base/error.h"
#include "conf/config.h"
#include "mail/addrfind.h"

struct locality;

/* Read inet_interfaces, proxy_interfaces and inet_protocols of cfg (which
 * must outlive the result). NULL with ERROR_CONFIG naming the parameter,
 * where it was set and the entry that is neither an address nor a host
 * name; ERROR_INTERNAL when out of memory. */
struct locality *locality_new(const struct config *cfg, struct error *err);
void locality_free(struct locality *l); /* NULL is harmless */
/* The own-address predicate of struct addrfind over l, valid while l
 * lives. Its errors: those of net_ownaddr_has, naming the parameter. */
struct addrfind_own locality_own(struct locality *l);
/* addrfind_context of l's configuration with locality_own(l). */
struct addrfind locality_addrfind(struct locality *l);

#endif
