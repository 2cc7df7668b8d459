/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Walks the route: resolves each destination, tries each address, and
 * decides from each attempt's result whether to go on. The error that is
 * reported is the most telling one: a verdict (5xx) ends the walk; among
 * temporary failures the last one is reported, except that "host not
 * found" is reported only when it was true of every destination. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/table.h"
#include "deliver/attempt.h"
#include "deliver/deliver.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "net/conn.h"
#include "net/mx.h"

#define ADDRESS_MAX 16

struct walk {
	const struct deliver_request *rq;
	struct deliver_outcome *out;
	struct maps *passwords;
	struct timeouts timeouts;
	bool all_nohost;
};

static enum net_family family_of(const char *value)
{
	if (str_eq_ci(value, "ipv4"))
		return NET_IPV4;
	if (str_eq_ci(value, "ipv6"))
		return NET_IPV6;
	return NET_ANY;
}

/* Whether d wants an MX lookup (reference/postfix.md §4.1): never for
 * bracketed names or address literals, nor with DNS lookups turned off.
 * dnssec is accepted as enabled: there is no validating resolver here. */
static int want_mx(const struct config *cfg, const struct destination *d, bool *mx,
		   struct error *err)
{
	const char *level = config_get(cfg, "smtp_dns_support_level");
	bool disabled;

	*mx = false;
	if (!d->mx || d->literal)
		return 0;
	if (*level == '\0') {
		if (config_get_bool(cfg, "disable_dns_lookups", &disabled, err) < 0)
			return -1;
		*mx = !disabled;
		return 0;
	}
	if (str_eq_ci(level, "enabled") || str_eq_ci(level, "dnssec"))
		*mx = true;
	else if (!str_eq_ci(level, "disabled")) {
		error_set(err, ERROR_CONFIG,
			  _("unknown smtp_dns_support_level \"%s\" (%s); use disabled, enabled or "
			    "dnssec"),
			  level, config_where(cfg, "smtp_dns_support_level"));
		return -1;
	}
	return 0;
}

/* The addresses of d, each naming its host: the MX host for an MX
 * destination (net_addr.host), d->host otherwise. */
static int resolve(struct walk *w, const struct destination *d, struct net_addr *addrs,
		   struct error *err)
{
	const struct config *cfg = w->rq->cfg;
	struct mx_query q = { .name = d->host, .port = d->port, .dl = w->rq->run };
	unsigned long limit;

	if (config_get_ulong(cfg, "smtp_mx_address_limit", &limit, err) < 0 ||
	    want_mx(cfg, d, &q.mx, err) < 0)
		return -1;
	if (limit == 0 || limit > ADDRESS_MAX)
		limit = ADDRESS_MAX;
	q.family = family_of(config_get(cfg, "inet_protocols"));
	q.prefer = family_of(config_get(cfg, "smtp_address_preference"));
	return mx_resolve(&q, NULL, addrs, (int)limit, err);
}

/* Record a failed attempt; true when the walk may go on. */
static bool record(struct walk *w, const struct attempt_result *res)
{
	struct deliver_outcome *out = w->out;

	out->err = res->err;
	snprintf(out->relay, sizeof(out->relay), "%s", res->relay);
	snprintf(out->reply, sizeof(out->reply), "%s", res->reply);
	out->maybe_delivered |= res->maybe_delivered;
	if (res->err.cls != ERROR_NOHOST)
		w->all_nohost = false;
	if (res->next_relay)
		log_verbose(_("attempt %u failed: %s"), out->attempts, res->err.text);
	return res->next_relay;
}

static int try_destination(struct walk *w, const struct destination *d)
{
	struct net_addr addrs[ADDRESS_MAX];
	struct attempt_result res = { 0 };
	struct credentials cred = { 0 };
	struct tls_policy tls;
	struct attempt a = { 0 };
	int n, rc = 1;

	if (policy_tls(w->rq->cfg, d, &tls, &w->out->err) < 0)
		return -1;
	n = policy_credentials(w->passwords, d, &cred, &w->out->err);
	if (n < 0) {
		policy_tls_fini(&tls);
		return -1;
	}
	if (n == 0 && w->passwords != NULL)
		log_verbose(_("no credentials for %s in smtp_sasl_password_maps (keys tried: %s, %s); "
			      "sending without authentication"), d->spec, d->host, d->spec);
	a.cfg = w->rq->cfg;
	a.dest = d;
	a.tls = &tls;
	a.cred = n > 0 ? &cred : NULL;
	a.env = w->rq->env;
	a.msg = w->rq->msg;
	a.timeouts = &w->timeouts;
	a.run = w->rq->run;
	a.helo_name = config_get(w->rq->cfg, "smtp_helo_name");
	n = resolve(w, d, addrs, &res.err);
	if (n < 0) {
		snprintf(res.relay, sizeof(res.relay), "%s", d->spec);
		res.next_relay = true;
		rc = record(w, &res) ? 1 : -1;
	}
	for (int i = 0; i < n && rc == 1; i++) {
		a.addr = &addrs[i];
		w->out->attempts++;
		attempt_run(&a, &res);
		if (res.ok) {
			w->out->ok = true;
			snprintf(w->out->relay, sizeof(w->out->relay), "%s", res.relay);
			snprintf(w->out->reply, sizeof(w->out->reply), "%s", res.reply);
			rc = 0;
		} else if (!record(w, &res)) {
			rc = -1;
		}
	}
	credentials_wipe(&cred);
	policy_tls_fini(&tls);
	return rc;
}

static int open_passwords(struct walk *w, struct error *err)
{
	const struct config *cfg = w->rq->cfg;
	bool enabled;

	if (config_get_bool(cfg, "smtp_sasl_auth_enable", &enabled, err) < 0)
		return -1;
	if (!enabled)
		return 0;
	w->passwords = maps_open(config_get(cfg, "smtp_sasl_password_maps"), TABLE_SECRET,
				 config_where(cfg, "smtp_sasl_password_maps"), err);
	return w->passwords == NULL ? -1 : 0;
}

int deliver_run(const struct deliver_request *rq, struct deliver_outcome *out)
{
	struct walk w = { .rq = rq, .out = out, .all_nohost = true };
	struct route route;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	if (route_build(rq->cfg, &route, &out->err) < 0)
		return -1;
	if (policy_timeouts(rq->cfg, &w.timeouts, &out->err) < 0 ||
	    open_passwords(&w, &out->err) < 0) {
		route_fini(&route);
		return -1;
	}
	for (size_t i = 0; i < route.n && rc == 1; i++) {
		if (deadline_expired(rq->run)) {
			error_set(&out->err, ERROR_TEMP,
				  _("the time allowed for delivery (relaymail_deadline) ran out"));
			rc = -1;
			break;
		}
		rc = try_destination(&w, &route.v[i]);
	}
	if (rc != 0 && out->err.cls == ERROR_NOHOST && !w.all_nohost)
		out->err.cls = ERROR_TEMP;
	maps_free(w.passwords);
	route_fini(&route);
	return rc == 0 ? 0 : -1;
}
