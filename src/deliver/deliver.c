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
 * tells the whole story. A stop signal ends the walk where it is: no
 * next relay, "try again later", the signal named. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/maillog.h"
#include "base/stop.h"
#include "base/str.h"
#include "deliver/attempt.h"
#include "deliver/deliver.h"
#include "deliver/hint.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "net/conn.h"
#include "net/mx.h"

#define FAILURES_MAX 8 /* failures remembered for the report */

/* Where the walk stands after one address or destination. */
enum step {
	STEP_DELIVERED, /* a relay accepted the message */
	STEP_NEXT,	/* this one failed in a way the next relay may not */
	STEP_STOP,	/* a verdict on the message, the configuration's fault, or a
			 * stop signal (base/stop.h) */
};

struct failure {
	struct error err;
	char relay[320];
	char reply[512];
	bool connected;
	struct deliver_status why;
	int64_t setup_done_ms;
};

struct walk {
	const struct deliver_request *rq;
	const struct policy *policy;
	struct deliver_outcome *out;
	struct failure failures[FAILURES_MAX];
	size_t nfailures;
	/* The last failure in a session, logged as "QUEUE_ID: reason" once
	 * something follows it (Postfix logs it only when another relay is
	 * tried; the final one is the delivery record's). */
	const struct deliver_status *unlogged;
};

/* Something follows the last failure: it was not the final one. */
static void log_previous(struct walk *w)
{
	if (w->unlogged != NULL && w->rq->queue_id != NULL)
		maillog_info("smtp", "%s: %s", w->rq->queue_id, w->unlogged->text);
	w->unlogged = NULL;
}

static void take_failure(struct deliver_outcome *out, const struct failure *f)
{
	out->err = f->err;
	snprintf(out->relay, sizeof(out->relay), "%s", f->relay);
	snprintf(out->reply, sizeof(out->reply), "%s", f->reply);
	out->connected = f->connected;
	out->why = f->why;
	out->setup_done_ms = f->setup_done_ms;
}

/* The walk ends on a setting that cannot be used (out->err): no relay
 * is to blame, and the records must not name the last one tried. */
static enum step stop_here(struct walk *w)
{
	log_previous(w);
	w->out->connected = false;
	w->out->setup_done_ms = 0;
	memset(&w->out->why, 0, sizeof(w->out->why));
	return STEP_STOP;
}

/* The addresses of d, each naming its host: the MX host for an MX
 * destination (net_addr.host), d->host otherwise. MX only when not
 * bracketed, not a literal, and DNS lookups are on (postfix.md §4.1). */
static int resolve(struct walk *w, const struct destination *d, struct net_addr *addrs,
		   struct error *err)
{
	const struct policy *p = w->policy;
	struct mx_query q = { .name = d->host, .port = d->port, .dl = w->rq->run };

	q.mx = d->mx && !d->literal && p->mx_lookups;
	q.family = p->family;
	q.prefer = p->prefer;
	return mx_resolve(&q, w->rq->lookups, addrs, p->address_limit, err);
}

/* A failure that would be final, which soft_bounce = yes makes temporary. */
static bool bounceable(enum error_class cls)
{
	switch (cls) {
	case ERROR_REJECTED:
	case ERROR_RECIPIENT:
	case ERROR_NOHOST:
	case ERROR_DATA:
	case ERROR_PROTOCOL:
	case ERROR_AUTH:
		return true;
	default:
		return false;
	}
}

/* Record a failed attempt; true when the walk may go on. */
static bool record(struct walk *w, const struct attempt_result *res)
{
	struct deliver_outcome *out = w->out;
	struct failure *f =
	    &w->failures[w->nfailures < FAILURES_MAX ? w->nfailures++ : FAILURES_MAX - 1];

	log_previous(w);
	f->err = res->err;
	snprintf(f->relay, sizeof(f->relay), "%s", res->relay);
	snprintf(f->reply, sizeof(f->reply), "%s", res->reply);
	f->connected = res->connected;
	f->why = res->why;
	f->setup_done_ms = res->setup_done_ms;
	take_failure(out, f);
	/* A connection that failed has its record already (attempt.c). */
	if (res->connected)
		w->unlogged = &f->why;
	if (res->maybe_delivered && !out->maybe_delivered)
		snprintf(out->maybe_relay, sizeof(out->maybe_relay), "%s", res->relay);
	out->maybe_delivered |= res->maybe_delivered;
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
			log_failure(&w->failures[i].err);
	/* The delivery records give the picked failure; the log still shows
	 * the last one when that is another. */
	if (w->unlogged != &w->failures[pick].why)
		log_previous(w);
	take_failure(w->out, &w->failures[pick]);
}

/* A stop was asked (base/stop.h): no further relay is tried, and the
 * outcome names the signal. When the stop cut the last attempt short,
 * that attempt's failure says so already, and where; otherwise the stop
 * is named against relay, the one at hand. The failures before it are
 * printed, as conclude does. */
static enum step stopped(struct walk *w, const char *relay)
{
	size_t n = w->nfailures;
	bool cut = n > 0 && stop_error_is(&w->failures[n - 1].err);

	for (size_t i = 0; i + (cut ? 1 : 0) < n; i++)
		log_failure(&w->failures[i].err);
	if (cut) {
		/* The records say what the cut attempt saw. */
		if (w->unlogged != &w->failures[n - 1].why)
			log_previous(w);
		w->unlogged = NULL;
		take_failure(w->out, &w->failures[n - 1]);
		return STEP_STOP;
	}
	stop_here(w);
	stop_error(&w->out->err);
	error_prefix(&w->out->err, _("relay %s"), relay);
	return STEP_STOP;
}

/* The smtp_sasl_password_maps keys tried for this server, in the order
 * of postfix.md §5.2: "a, b, c". */
static void keys_tried(const struct destination *d, const char *host, struct buf *keys)
{
	const struct addrfind_keys *sk = d->sender_keys;

	for (size_t i = 0; sk != NULL && i < sk->n; i++)
		buf_printf(keys, "%s, ", sk->v[i].key);
	if (!str_eq_ci(host, d->spec))
		buf_printf(keys, "%s, ", host);
	buf_printf(keys, "%s", d->spec);
}

/* -v: which key found the credentials for this server, or every key
 * that was tried in vain. */
static void note_credentials(const struct walk *w, const char *host, const struct credentials *c,
			     const char *keys)
{
	if (w->policy->sasl.passwords == NULL || log_verbosity() == 0)
		return;
	if (c != NULL)
		log_verbose(_("credentials for %s: the smtp_sasl_password_maps entry for \"%s\""),
			    host, c->key);
	else
		log_verbose(_("no credentials for %s in smtp_sasl_password_maps (keys tried: %s); "
			      "sending without authentication"),
			    host, keys);
}

/* One attempt at one address, with the credentials for the server it
 * belongs to (an MX destination's exchangers may differ). */
static enum step try_address(struct walk *w, const struct destination *d,
			     const struct tls_policy *tls, const struct net_addr *addr)
{
	const char *host = policy_server_host(d, addr);
	struct attempt_result res = { 0 };
	struct credentials cred;
	struct attempt a = { 0 };
	struct buf keys = { 0 };
	int found;

	found = policy_credentials_split(w->policy->sasl.passwords, w->policy->sasl.delimiter, d,
					 host, &cred, &w->out->err);
	if (found < 0)
		return stop_here(w);
	keys_tried(d, host, &keys);
	note_credentials(w, host, found > 0 ? &cred : NULL, keys.data != NULL ? keys.data : "");
	a.policy = w->policy;
	a.dest = d;
	a.addr = addr;
	a.tls = tls;
	a.cred = found > 0 ? &cred : NULL;
	a.env = w->rq->env;
	a.msg = w->rq->msg;
	a.run = w->rq->run;
	a.queue_id = w->rq->queue_id;
	a.probe = w->rq->probe;
	a.rcpt = w->rq->rcpt;
	a.delivered = w->rq->delivered;
	a.cache = w->rq->cache;
	w->out->attempts++;
	log_previous(w);
	attempt_run(&a, &res);
	credentials_wipe(&cred);
	/* A refusal when no password went: the missing entry is the cause. */
	if (found == 0 && !res.ok && res.connected && res.err.reply[0] != '\0')
		hint_no_credentials(&res.err, w->policy, d, keys.data != NULL ? keys.data : "");
	buf_fini(&keys);
	/* soft_bounce = yes: a refusal for good is no verdict either, and the
	 * next relay is tried, as Postfix keeps the recipients for a backup
	 * server (smtp_trouble.c); the walk's end reports it as temporary.
	 * Not when some recipients have the message already: another relay
	 * would deliver it to them twice. */
	if (!res.ok && w->policy->answers.soft_bounce && bounceable(res.err.cls) &&
	    !res.some_delivered && !res.maybe_delivered)
		res.next_relay = true;
	if (!res.ok && !record(w, &res))
		return STEP_STOP;
	if (!res.ok)
		return stop_signal() != 0 ? stopped(w, res.relay) : STEP_NEXT;
	w->out->ok = true;
	snprintf(w->out->relay, sizeof(w->out->relay), "%s", res.relay);
	snprintf(w->out->reply, sizeof(w->out->reply), "%s", res.reply);
	w->out->connected = true;
	w->out->why = res.why;
	w->out->setup_done_ms = res.setup_done_ms;
	w->out->conn_use = res.conn_use;
	return STEP_DELIVERED;
}

/* Postfix's words for a destination without addresses (smtp_addr.c). */
static void not_found(const struct walk *w, const struct destination *d, struct attempt_result *res)
{
	const char *type = d->mx && !d->literal && w->policy->mx_lookups ? "MX" : "A";

	if (res->err.cls == ERROR_NOHOST)
		status_set(&res->why, "5.4.4",
			   "Host or domain name not found. Name service error for name=%s type=%s: "
			   "Host not found",
			   d->host, type);
	else if (res->err.cls == ERROR_TEMP)
		status_set(&res->why, "4.4.3",
			   "Host or domain name not found. Name service error for name=%s type=%s: "
			   "Host not found, try again",
			   d->host, type);
	else
		status_by_class(&res->why, res->err.cls);
}

/* A destination that cannot be resolved is passed over. */
static enum step try_destination(struct walk *w, const struct destination *d)
{
	struct net_addr addrs[POLICY_ADDRESS_MAX];
	struct attempt_result res = { 0 };
	enum step step = STEP_NEXT;
	struct tls_policy tls;
	int n;

	if (policy_tls(w->policy, d, &tls, &w->out->err) < 0)
		return stop_here(w);
	n = resolve(w, d, addrs, &res.err);
	if (n < 0) {
		not_found(w, d, &res);
		snprintf(res.relay, sizeof(res.relay), "%s", d->spec);
		res.next_relay = true;
		step = record(w, &res) ? STEP_NEXT : STEP_STOP;
	}
	/* DNS lookups cannot be interrupted (they have their own timeouts);
	 * a stop that came during one is seen here. */
	if (step == STEP_NEXT && stop_signal() != 0)
		step = stopped(w, d->spec);
	/* smtp_mx_session_limit: sessions that got as far as a connection
	 * count; addresses that refuse one do not (postfix.md §4). */
	for (int i = 0, sessions = 0; i < n && step == STEP_NEXT; i++) {
		if (w->policy->session_limit > 0 && sessions >= w->policy->session_limit)
			break;
		step = try_address(w, d, &tls, &addrs[i]);
		sessions += step == STEP_NEXT && w->out->connected;
	}
	policy_tls_fini(&tls);
	return step;
}

int deliver_settings_load(const struct config *cfg, struct locality *loc,
			  struct deliver_settings *s, struct error *err)
{
	memset(s, 0, sizeof(*s));
	if (route_settings_load(cfg, loc, &s->route, err) < 0)
		return -1;
	if (policy_load(cfg, &s->policy, err) < 0) {
		route_settings_fini(&s->route);
		return -1;
	}
	if (reuse_settings_load(cfg, &s->reuse, err) < 0) {
		deliver_settings_fini(s);
		return -1;
	}
	return 0;
}

void deliver_settings_fini(struct deliver_settings *s)
{
	route_settings_fini(&s->route);
	policy_fini(&s->policy);
}

/* soft_bounce = yes (postfix.md): what a relay refused for good is
 * reported as temporary, so that the caller tries again later; a setting,
 * a usage error or a stop is left as it is. */
static void soft_bounce(const struct policy *p, struct deliver_outcome *out)
{
	size_t n;

	if (!p->answers.soft_bounce || !bounceable(out->err.cls))
		return;
	out->err.cls = ERROR_TEMP;
	n = strlen(out->err.text);
	snprintf(out->err.text + n, sizeof(out->err.text) - n, "%s",
		 _(" (reported as temporary: soft_bounce = yes)"));
}

/* A diagnosis: each destination on its own, reported as it ends. */
static int probe_route(struct walk *w, const struct route *route)
{
	bool all = true;

	for (size_t i = 0; i < route->n; i++) {
		enum step step;

		w->nfailures = 0;
		w->out->ok = false;
		step = try_destination(w, &route->v[i]);
		if (step == STEP_NEXT && w->nfailures > 0)
			conclude(w);
		w->rq->probed(w->rq->probe_arg, &route->v[i], w->out);
		all &= step == STEP_DELIVERED;
		if (stop_signal() != 0 || w->out->err.cls == ERROR_CONFIG)
			return -1;
	}
	return all ? 0 : -1;
}

int deliver_run(const struct deliver_request *rq, struct deliver_outcome *out)
{
	/* Not zeroed whole: failures (about 30 KB) is read only up to
	 * nfailures, and clearing it cost a run its memset and the stack
	 * pages it touched. */
	struct walk w;
	enum step step = STEP_NEXT;
	struct route route;

	w.rq = rq;
	w.policy = &rq->set->policy;
	w.out = out;
	w.nfailures = 0;
	w.unlogged = NULL;
	memset(out, 0, sizeof(*out));
	out->start_ms = deadline_now_ms();
	if (route_build(&rq->set->route, rq->route_env != NULL ? rq->route_env : rq->env, &route,
			&out->err) < 0) {
		out->end_ms = deadline_now_ms();
		return -1;
	}
	if (rq->probe) {
		int rc = probe_route(&w, &route);

		route_fini(&route);
		out->end_ms = deadline_now_ms();
		return rc;
	}
	for (size_t i = 0; i < route.n && step == STEP_NEXT; i++) {
		if (stop_signal() != 0) {
			step = stopped(&w, route.v[i].spec);
			break;
		}
		if (deadline_expired(rq->run)) {
			struct attempt_result res = { .next_relay = true };

			error_set(&res.err, ERROR_TEMP,
				  _("the time allowed for delivery (relaymail_deadline) ran out"));
			status_set(&res.why, "4.4.7",
				   "delivery time limit exceeded (relaymail_deadline)");
			record(&w, &res);
			break;
		}
		step = try_destination(&w, &route.v[i]);
	}
	/* Every relay was tried and each allowed the next one. */
	if (step == STEP_NEXT && w.nfailures > 0)
		conclude(&w);
	if (step != STEP_DELIVERED)
		soft_bounce(w.policy, out);
	route_fini(&route);
	out->end_ms = deadline_now_ms();
	return step == STEP_DELIVERED ? 0 : -1;
}
