/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Walks the route: resolves each destination, tries each address, and
 * decides from each attempt's result whether to go on (DESIGN.md,
 * Failover). When no relay took the message, the reported error is the
 * most telling one:
 * - a verdict on the message (a 5xx to MAIL, RCPT, DATA or the end of
 *   data, a message too big) ends the walk and is reported as it is, and
 *   so does a configuration error, which no other relay would escape;
 * - else, when any relay failed temporarily (timeout, lost connection,
 *   4xx, refused connection, TLS not offered or not verified), "try again
 *   later" (75) is true and is reported, with the last such failure;
 * - else every relay failed in a way that waiting will not fix, and the
 *   first failure of the highest of these kinds is reported: refused
 *   authentication (77), a broken protocol (76), a message the relays
 *   cannot carry (65), a relay name that exists nowhere (68), any other.
 * The other failures are printed before it, one line each, so stderr
 * tells the whole story. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
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
#define FAILURES_MAX 8 /* failures remembered for the report */

struct failure {
	struct error err;
	char relay[320];
	char reply[512];
};

struct walk {
	const struct deliver_request *rq;
	struct deliver_outcome *out;
	struct maps *passwords;
	struct timeouts timeouts;
	struct failure failures[FAILURES_MAX];
	size_t nfailures;
};

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
	q.family = net_family_parse(config_get(cfg, "inet_protocols"));
	q.prefer = net_family_parse(config_get(cfg, "smtp_address_preference"));
	return mx_resolve(&q, w->rq->lookups, addrs, (int)limit, err);
}

/* Record a failed attempt; true when the walk may go on. */
static bool record(struct walk *w, const struct attempt_result *res)
{
	struct deliver_outcome *out = w->out;
	struct failure *f =
	    &w->failures[w->nfailures < FAILURES_MAX ? w->nfailures++ : FAILURES_MAX - 1];

	f->err = res->err;
	snprintf(f->relay, sizeof(f->relay), "%s", res->relay);
	snprintf(f->reply, sizeof(f->reply), "%s", res->reply);
	out->err = res->err;
	snprintf(out->relay, sizeof(out->relay), "%s", res->relay);
	snprintf(out->reply, sizeof(out->reply), "%s", res->reply);
	out->maybe_delivered |= res->maybe_delivered;
	if (res->next_relay)
		log_verbose(_("attempt %u failed: %s"), out->attempts, res->err.text);
	return res->next_relay;
}

/* How much a failure that allowed failover tells, when nothing is
 * temporary (see the top of this file); higher tells more. */
static int weight(enum error_class cls)
{
	switch (cls) {
	case ERROR_AUTH:
		return 4;
	case ERROR_PROTOCOL:
		return 3;
	case ERROR_DATA:
		return 2;
	case ERROR_NOHOST:
		return 1;
	default:
		return 0;
	}
}

/* The walk failed with every relay allowing failover: pick the most
 * telling failure, print the others. */
static void conclude(struct walk *w)
{
	size_t pick = 0;
	bool temp = false;

	for (size_t i = 0; i < w->nfailures; i++) {
		const struct error *e = &w->failures[i].err;

		if (e->cls == ERROR_TEMP) {
			pick = i;
			temp = true;
		} else if (!temp && weight(e->cls) > weight(w->failures[pick].err.cls)) {
			pick = i;
		}
	}
	for (size_t i = 0; i < w->nfailures; i++)
		if (i != pick)
			log_error("%s", w->failures[i].err.text);
	w->out->err = w->failures[pick].err;
	snprintf(w->out->relay, sizeof(w->out->relay), "%s", w->failures[pick].relay);
	snprintf(w->out->reply, sizeof(w->out->reply), "%s", w->failures[pick].reply);
}

/* -v: which key found the credentials for this server, or every key
 * that was tried in vain (postfix.md §5.2 order). */
static void note_credentials(const struct walk *w, const struct destination *d, const char *host,
			     const struct credentials *c)
{
	const struct addrfind_keys *sk = d->sender_keys;
	struct buf keys = { 0 };

	if (w->passwords == NULL || log_verbosity() == 0)
		return;
	if (c != NULL) {
		log_verbose(_("credentials for %s: the smtp_sasl_password_maps entry for \"%s\""),
			    host, c->key);
		return;
	}
	for (size_t i = 0; sk != NULL && i < sk->n; i++)
		buf_printf(&keys, "%s, ", sk->v[i].key);
	buf_printf(&keys, "%s, %s", host, d->spec);
	log_verbose(_("no credentials for %s in smtp_sasl_password_maps (keys tried: %s); "
		      "sending without authentication"),
		    host, keys.data != NULL ? keys.data : d->spec);
	buf_fini(&keys);
}

/* One attempt at one address, with the credentials for the server it
 * belongs to (an MX destination's exchangers may differ). 0 delivered,
 * 1 go on, -1 stop. */
static int try_address(struct walk *w, const struct destination *d, const struct tls_policy *tls,
		       const struct net_addr *addr)
{
	const char *host = policy_server_host(d, addr);
	struct attempt_result res = { 0 };
	struct credentials cred;
	struct attempt a = { 0 };
	int found;

	found = policy_credentials(w->passwords, d, host, &cred, &w->out->err);
	if (found < 0)
		return -1;
	note_credentials(w, d, host, found > 0 ? &cred : NULL);
	a.cfg = w->rq->cfg;
	a.dest = d;
	a.addr = addr;
	a.tls = tls;
	a.cred = found > 0 ? &cred : NULL;
	a.env = w->rq->env;
	a.msg = w->rq->msg;
	a.timeouts = &w->timeouts;
	a.run = w->rq->run;
	a.helo_name = config_get(w->rq->cfg, "smtp_helo_name");
	w->out->attempts++;
	attempt_run(&a, &res);
	credentials_wipe(&cred);
	if (!res.ok)
		return record(w, &res) ? 1 : -1;
	w->out->ok = true;
	snprintf(w->out->relay, sizeof(w->out->relay), "%s", res.relay);
	snprintf(w->out->reply, sizeof(w->out->reply), "%s", res.reply);
	return 0;
}

/* A destination that cannot be resolved is passed over, unless the
 * configuration is at fault: then every destination would fail alike,
 * and the fix is the configuration's, not a relay's. */
static int try_destination(struct walk *w, const struct destination *d)
{
	struct net_addr addrs[ADDRESS_MAX];
	struct attempt_result res = { 0 };
	struct tls_policy tls;
	int n, rc = 1;

	if (policy_tls(w->rq->cfg, d, &tls, &w->out->err) < 0)
		return -1;
	n = resolve(w, d, addrs, &res.err);
	if (n < 0 && res.err.cls == ERROR_CONFIG) {
		w->out->err = res.err;
		snprintf(w->out->relay, sizeof(w->out->relay), "%s", d->spec);
		rc = -1;
	} else if (n < 0) {
		snprintf(res.relay, sizeof(res.relay), "%s", d->spec);
		res.next_relay = true;
		rc = record(w, &res) ? 1 : -1;
	}
	for (int i = 0; i < n && rc == 1; i++)
		rc = try_address(w, d, &tls, &addrs[i]);
	policy_tls_fini(&tls);
	return rc;
}

int deliver_passwords_open(const struct config *cfg, struct maps **out, struct error *err)
{
	bool enabled;

	*out = NULL;
	if (config_get_bool(cfg, "smtp_sasl_auth_enable", &enabled, err) < 0)
		return -1;
	if (!enabled)
		return 0;
	*out = maps_open(config_get(cfg, "smtp_sasl_password_maps"),
			 TABLE_SECRET | table_config_flags(cfg),
			 config_where(cfg, "smtp_sasl_password_maps"), err);
	return *out == NULL ? -1 : 0;
}

int deliver_run(const struct deliver_request *rq, struct deliver_outcome *out)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct route route;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	if (w == NULL) {
		error_set(&out->err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	w->rq = rq;
	w->out = out;
	if (route_build(rq->cfg, rq->env, &route, &out->err) < 0) {
		free(w);
		return -1;
	}
	if (policy_timeouts(rq->cfg, &w->timeouts, &out->err) < 0 ||
	    deliver_passwords_open(rq->cfg, &w->passwords, &out->err) < 0) {
		route_fini(&route);
		free(w);
		return -1;
	}
	for (size_t i = 0; i < route.n && rc == 1; i++) {
		if (deadline_expired(rq->run)) {
			struct attempt_result res = { .next_relay = true };

			error_set(&res.err, ERROR_TEMP,
				  _("the time allowed for delivery (relaymail_deadline) ran out"));
			record(w, &res);
			break;
		}
		rc = try_destination(w, &route.v[i]);
	}
	/* rc 1: every relay was tried and each allowed the next one. */
	if (rc == 1 && w->nfailures > 0)
		conclude(w);
	maps_free(w->passwords);
	route_fini(&route);
	free(w);
	return rc == 0 ? 0 : -1;
}
