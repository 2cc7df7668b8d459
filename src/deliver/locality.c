/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The configuration's own addresses for address lookups: inet_interfaces
 * (all, loopback-only, or a list) and proxy_interfaces (a list) in one
 * net/ownaddr set, asked through struct addrfind's predicate. Messages
 * name the parameter and where it was set. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "base/i18n.h"
#include "deliver/locality.h"
#include "deliver/policy.h"
#include "net/ownaddr.h"

struct locality {
	const struct config *cfg;
	struct net_ownaddr *own;
};

static int add_param(struct locality *l, const char *param, bool keywords, struct error *err)
{
	char label[512];

	snprintf(label, sizeof(label), "%s (%s)", param, config_where(l->cfg, param));
	return net_ownaddr_add(l->own, label, config_get(l->cfg, param), keywords, err);
}

struct locality *locality_new(const struct config *cfg, struct error *err)
{
	enum net_family family;
	struct locality *l;

	if (policy_inet_protocols(cfg, &family, err) < 0)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->own = net_ownaddr_new(family)) == NULL) {
		free(l);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	l->cfg = cfg;
	if (add_param(l, "inet_interfaces", true, err) < 0 ||
	    add_param(l, "proxy_interfaces", false, err) < 0) {
		locality_free(l);
		return NULL;
	}
	return l;
}

void locality_free(struct locality *l)
{
	if (l == NULL)
		return;
	net_ownaddr_free(l->own);
	free(l);
}

static int is_own(const char *addr, bool ipv6, void *arg, struct error *err)
{
	struct locality *l = arg;

	return net_ownaddr_has(l->own, addr, ipv6 ? NET_IPV6 : NET_IPV4, err);
}

struct addrfind_own locality_own(struct locality *l)
{
	struct addrfind_own own = { is_own, l };

	return own;
}

struct addrfind locality_addrfind(struct locality *l)
{
	struct addrfind_own own = locality_own(l);

	return addrfind_context(l->cfg, &own);
}
