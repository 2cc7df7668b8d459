/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From a destination name to the addresses to try: MX records first when
 * asked, each exchanger's addresses in turn under one address limit
 * (Postfix's smtp_mx_address_limit), the name's own addresses when it has
 * no MX record. */
#include <config.h>

#include <string.h>

#include "base/i18n.h"
#include "net/mx.h"

/* More exchangers than anyone publishes; the address limit is lower. */
#define MX_MAX 32

static int system_mx(void *arg, const char *domain, struct deadline dl, struct dns_mx *out, int max,
		     struct error *err)
{
	(void)arg;
	return dns_mx_lookup(domain, dl, out, max, err);
}

static int system_host(void *arg, const char *host, unsigned port, enum net_family family,
		       enum net_family prefer, struct net_addr *out, int max, struct error *err)
{
	(void)arg;
	return net_resolve(host, port, family, prefer, out, max, err);
}

static bool same_address(const struct net_addr *a, const struct net_addr *b)
{
	return a->len == b->len && a->ss.ss_family == b->ss.ss_family &&
	       memcmp(&a->ss, &b->ss, a->len) == 0;
}

/* out[0..n) are kept; of the added out[n..n+added), drop those already
 * listed. Returns the new count. */
static int drop_duplicates(struct net_addr *out, int n, int added)
{
	int kept = n;

	for (int i = n; i < n + added; i++) {
		bool dup = false;

		for (int j = 0; j < kept && !dup; j++)
			dup = same_address(&out[j], &out[i]);
		if (dup)
			continue;
		if (kept != i)
			out[kept] = out[i];
		kept++;
	}
	return kept;
}

static int exchangers(const struct mx_query *q, const struct mx_lookups *lk,
		      const struct dns_mx *mxs, int n, struct net_addr *out, int max,
		      struct error *err)
{
	struct error last = { 0 };
	bool temporary = false;
	int count = 0;

	for (int i = 0; i < n && count < max; i++) {
		int got = lk->host(lk->arg, mxs[i].host, q->port, q->family, q->prefer, out + count,
				   max - count, &last);

		if (got < 0) {
			temporary |= last.cls != ERROR_NOHOST;
			continue;
		}
		count = drop_duplicates(out, count, got);
	}
	if (count > 0)
		return count;
	*err = last;
	err->cls = temporary ? ERROR_TEMP : ERROR_NOHOST;
	error_prefix(err, _("no MX host of %s has a usable address"), q->name);
	return -1;
}

int mx_resolve(const struct mx_query *q, const struct mx_lookups *lk, struct net_addr *out, int max,
	       struct error *err)
{
	static const struct mx_lookups system = { system_mx, system_host, NULL };
	struct dns_mx mxs[MX_MAX];
	int n;

	if (lk == NULL)
		lk = &system;
	if (max <= 0) {
		error_set(err, ERROR_INTERNAL, "%s", _("no room for addresses"));
		return -1;
	}
	if (!q->mx)
		return lk->host(lk->arg, q->name, q->port, q->family, q->prefer, out, max, err);
	n = lk->mx(lk->arg, q->name, q->dl, mxs, MX_MAX, err);
	if (n < 0 && err->cls != ERROR_NOHOST)
		return -1;
	/* RFC 5321 §5.1: without MX records the name itself is the host. A
	 * name DNS does not know may still be known to the system's resolver
	 * (/etc/hosts, a container's host entries); if not, its error says
	 * the host was not found. */
	if (n <= 0) {
		error_clear(err);
		return lk->host(lk->arg, q->name, q->port, q->family, q->prefer, out, max, err);
	}
	return exchangers(q, lk, mxs, n, out, max, err);
}
