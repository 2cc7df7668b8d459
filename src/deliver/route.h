/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where a message goes: the ordered list of destinations (a transport_maps
 * next hop, else sender_dependent_relayhost_maps, else relayhost; then
 * smtp_fallback_relay), each parsed from Postfix's destination syntax
 * (reference/postfix.md §4.1-§4.5, §9.5). Pure: no network. */
#ifndef RELAYMAIL_DELIVER_ROUTE_H
#define RELAYMAIL_DELIVER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/config.h"
#include "deliver/locality.h"
#include "mail/addrfind.h"
#include "smtp/session.h"

struct destination {
	char *spec; /* the element exactly as configured: "[smtp.example.com]:587" */
	char *host; /* without brackets; A-label form for names; bare IPv6 literal */
	unsigned port;
	bool mx;       /* not bracketed: MX lookup wanted */
	bool literal;  /* host is an IP address */
	bool fallback; /* came from smtp_fallback_relay */
	/* Where it was configured, for hints: the parameter ("relayhost",
	 * "transport_maps", ...) and config_where's text. Static or owned by
	 * the configuration; NULL for a destination parsed alone. */
	const char *param, *where;
	/* Sender keys tried first for SASL credentials (postfix.md §5.2, with
	 * smtp_sender_dependent_authentication), or NULL. Owned by the route. */
	const struct addrfind_keys *sender_keys;
};

struct route {
	struct destination *v;
	size_t n;
	struct addrfind_keys *sender_keys;
	const char *primary_from; /* the parameter the primary destinations came from */
};

/* Parse one destination. default_port: the smtp_tcp_port value;
 * known_ports: the known_tcp_ports value. ERROR_CONFIG naming the spec. */
int destination_parse(const char *spec, const char *default_port, const char *known_ports,
		      struct destination *d, struct error *err);
void destination_fini(struct destination *d);
/* Resolve a service name or number ("587", "submission") to a port. */
int route_port(const char *service, const char *known_ports, unsigned *port, struct error *err);

/* The routing parameters, read once: relayhost and smtp_fallback_relay
 * (fallback_relay when that is unset) parsed into destinations, the
 * transport_maps and sender_dependent_relayhost_maps tables opened, the
 * port defaults checked. loc (what is local for the sender's keys) and
 * cfg must outlive rs. A configuration that could never route anything
 * (no relayhost, no fallback, no table that could name one) is an error
 * here. ERROR_CONFIG naming the parameter, or the table's own error. */
struct route_settings {
	const char *default_port, *known_ports; /* smtp_tcp_port, known_tcp_ports */
	struct destination *relayhost, *fallback;
	size_t nrelayhost, nfallback;
	const char *fallback_param; /* the parameter the fallbacks came from */
	struct maps *transport, *sender_relay;
	const char *transport_where, *sender_relay_where;
	const char *empty_key; /* empty_address_relayhost_maps_lookup_key */
	bool sender_auth;      /* smtp_sender_dependent_authentication */
	struct addrfind af;    /* myorigin, mydestination, own addresses */
	struct locality *loc;
	const char *config_file; /* for the "no relayhost" message; NULL: none found */
};

int route_settings_load(const struct config *cfg, struct locality *loc, struct route_settings *rs,
			struct error *err);
void route_settings_fini(struct route_settings *rs); /* harmless when zeroed */

/* The primary destinations, then the fallbacks. Primary: the
 * transport_maps next hop of the recipients (smtp: and relay: only; they
 * must all agree), else the sender_dependent_relayhost_maps result for
 * env->sender (DUNNO: none), else relayhost. An empty list is
 * ERROR_CONFIG: relaymail never delivers directly to MX hosts of the
 * recipients. Lookup errors keep their class. */
int route_build(const struct route_settings *rs, const struct session_envelope *env,
		struct route *r, struct error *err);
void route_fini(struct route *r);
/* A deep copy of d into out. -1 when out of memory. */
int destination_copy(const struct destination *d, struct destination *out);

/* The primary destination list text and the parameter it came from
 * (route_lookup.c). *out is malloc'd, NULL when relayhost applies. */
int route_lookup_primary(const struct route_settings *rs, const struct session_envelope *env,
			 char **out, const char **from, struct error *err);
/* The sender keys for SASL lookups: NULL (*keys) when
 * smtp_sender_dependent_authentication is off or the sender is null. */
int route_sender_keys(const struct route_settings *rs, const char *sender,
		      struct addrfind_keys **keys, struct error *err);

#endif
