/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The table-driven parts of the route (reference/postfix.md §4.3, §4.5,
 * §5.2): transport_maps next hops for the recipients, the
 * sender_dependent_relayhost_maps result for the sender, and the sender
 * keys for SASL credentials, over the tables route_settings_load opened;
 * every error names the parameter. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "conf/table.h"
#include "deliver/route.h"

/* One key against every table (fixed tables only when partial). */
static int lookup_key(const struct maps *m, const char *key, bool partial, char **value,
		      struct error *err)
{
	int rc = 0;

	for (size_t i = 0; i < maps_count(m) && rc == 0; i++)
		if (!partial || !table_is_pattern(maps_table(m, i)))
			rc = table_lookup(maps_table(m, i), key, value, err);
	return rc;
}

/* transport_maps search order: the address, without its extension, the
 * domain, each parent domain as ".parent", then "*". */
static int transport_find(const struct route_settings *rs, const char *addr, char **value,
			  struct error *err)
{
	/* Only the first two keys are used: locality does not matter. */
	struct addrfind af = rs->af;
	const struct maps *m = rs->transport;
	struct addrfind_keys k;
	const char *domain = strrchr(addr, '@');
	int rc;

	af.own.is_own = NULL;
	if (addrfind_keys(&af, addr, 0, &k, err) < 0)
		return -1;
	rc = lookup_key(m, k.v[0].key, false, value, err);
	if (rc == 0 && k.n > 1 && k.v[1].stripped && strchr(k.v[1].key, '@') != NULL)
		rc = lookup_key(m, k.v[1].key, true, value, err);
	addrfind_keys_fini(&k);
	if (rc == 0 && domain != NULL)
		rc = lookup_key(m, domain + 1, true, value, err);
	for (const char *d = domain != NULL ? strchr(domain + 1, '.') : NULL; rc == 0 && d != NULL;
	     d = strchr(d + 1, '.'))
		rc = lookup_key(m, d, true, value, err);
	if (rc == 0)
		rc = lookup_key(m, "*", true, value, err);
	return rc;
}

/* "transport:nexthop" to a destination list, or NULL (*out) for "no
 * change". Only smtp and relay carry mail to a relay. */
static int transport_nexthop(const char *addr, const char *value, char **out, struct error *err)
{
	const char *colon = strchr(value, ':');
	size_t tlen = colon != NULL ? (size_t)(colon - value) : strlen(value);
	const char *nexthop = colon != NULL ? colon + 1 : "";

	*out = NULL;
	if ((tlen == 5 && strncmp(value, "error", 5) == 0) ||
	    (tlen == 7 && strncmp(value, "discard", 7) == 0)) {
		error_set(err, ERROR_CONFIG,
			  _("transport_maps entry for %s is \"%s\": relaymail cannot reject or "
			    "discard recipients itself; remove the entry"),
			  addr, value);
		return -1;
	}
	if (tlen > 0 && !(tlen == 4 && strncmp(value, "smtp", 4) == 0) &&
	    !(tlen == 5 && strncmp(value, "relay", 5) == 0)) {
		error_set(err, ERROR_CONFIG,
			  _("transport_maps entry for %s is \"%s\": relaymail only relays, so the "
			    "transport must be smtp: or relay:"),
			  addr, value);
		return -1;
	}
	if (*nexthop == '\0' && tlen > 0) {
		error_set(
		    err, ERROR_CONFIG,
		    _("transport_maps entry for %s is \"%s\": without a next hop it means "
		      "delivery to the recipient's domain, which relaymail does not do; write "
		      "smtp:[relay.example]:587"),
		    addr, value);
		return -1;
	}
	if (*nexthop != '\0' && (*out = str_dup(nexthop)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

/* The next hop shared by every recipient, or NULL when none has one. */
static int transport_route(const struct route_settings *rs, const struct session_envelope *env,
			   char **out, struct error *err)
{
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < env->nrcpts && rc == 0; i++) {
		char *value = NULL, *hop = NULL;

		rc = transport_find(rs, env->rcpts[i], &value, err);
		if (rc >= 0)
			rc = rc == 1 ? transport_nexthop(env->rcpts[i], value, &hop, err) : 0;
		if (rc == 0 && i > 0 &&
		    !((hop == NULL && *out == NULL) ||
		      (hop != NULL && *out != NULL && strcmp(hop, *out) == 0))) {
			error_set(err, ERROR_CONFIG,
				  _("transport_maps sends %s and %s to different next hops; "
				    "relaymail sends a message through one route, so send it once "
				    "for each"),
				  env->rcpts[0], env->rcpts[i]);
			rc = -1;
		}
		free(value);
		if (i == 0)
			*out = hop;
		else
			free(hop);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* sender_dependent_relayhost_maps: §3.4 keys for the sender, the
 * empty_address_relayhost_maps_lookup_key for the null sender. */
static int sender_route(const struct route_settings *rs, const char *sender, char **out,
			struct error *err)
{
	struct addrfind_hit hit = { 0 };
	int rc;

	*out = NULL;
	if (*sender == '\0')
		rc = maps_lookup(rs->sender_relay, rs->empty_key, &hit.value, err);
	else
		rc = addrfind_lookup(&rs->af, rs->sender_relay, sender, ADDRFIND_UNQUOTED_TOO, &hit,
				     err);
	if (rc == 1 && !str_eq_ci(hit.value, "DUNNO")) {
		*out = hit.value;
		hit.value = NULL;
	}
	addrfind_hit_fini(&hit);
	return rc < 0 ? -1 : 0;
}

int route_lookup_primary(const struct route_settings *rs, const struct session_envelope *env,
			 char **out, const char **from, struct error *err)
{
	*from = "relayhost";
	if (env == NULL) {
		*out = NULL;
		return 0;
	}
	if (transport_route(rs, env, out, err) < 0)
		return -1;
	if (*out != NULL) {
		*from = "transport_maps";
		return 0;
	}
	if (sender_route(rs, env->sender != NULL ? env->sender : "", out, err) < 0) {
		error_prefix(err, "sender_dependent_relayhost_maps");
		return -1;
	}
	if (*out != NULL)
		*from = "sender_dependent_relayhost_maps";
	return 0;
}

int route_sender_keys(const struct route_settings *rs, const char *sender,
		      struct addrfind_keys **keys, struct error *err)
{
	*keys = NULL;
	if (!rs->sender_auth || sender == NULL || *sender == '\0')
		return 0;
	*keys = calloc(1, sizeof(**keys));
	if (*keys == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (addrfind_keys(&rs->af, sender, ADDRFIND_UNQUOTED_TOO, *keys, err) < 0) {
		free(*keys);
		*keys = NULL;
		return -1;
	}
	return 0;
}
