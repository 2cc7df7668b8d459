/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where a message goes: the ordered list of destinations (relayhost, then
 * smtp_fallback_relay), each parsed from Postfix's destination syntax
 * (reference/postfix.md §4.1, §9.5), and the per-destination TLS and SASL
 * settings derived from the configuration. Pure: no network. */
#ifndef RELAYMAIL_DELIVER_ROUTE_H
#define RELAYMAIL_DELIVER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/config.h"

struct destination {
	char *spec;        /* the element exactly as configured: "[smtp.example.com]:587" */
	char *host;        /* without brackets; A-label form for names; bare IPv6 literal */
	unsigned port;
	bool mx;           /* not bracketed: MX lookup wanted */
	bool literal;      /* host is an IP address */
	bool fallback;     /* came from smtp_fallback_relay */
};

struct route {
	struct destination *v;
	size_t n;
};

/* Parse one destination. default_port: the smtp_tcp_port value;
 * known_ports: the known_tcp_ports value. ERROR_CONFIG naming the spec. */
int destination_parse(const char *spec, const char *default_port, const char *known_ports,
		      struct destination *d, struct error *err);
void destination_fini(struct destination *d);
/* Resolve a service name or number ("587", "submission") to a port. */
int route_port(const char *service, const char *known_ports, unsigned *port, struct error *err);

/* relayhost then smtp_fallback_relay (fallback_relay when that is unset).
 * An empty list is ERROR_CONFIG: relaymail never delivers directly to MX
 * hosts of the recipients. */
int route_build(const struct config *cfg, struct route *r, struct error *err);
void route_fini(struct route *r);

#endif
