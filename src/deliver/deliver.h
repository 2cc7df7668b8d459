/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The failover walk (DESIGN.md, Failover): every address of every
 * destination in order, relayhost first, then smtp_fallback_relay, until
 * one relay accepts the message or gives a verdict on it (5xx). */
#ifndef RELAYMAIL_DELIVER_DELIVER_H
#define RELAYMAIL_DELIVER_DELIVER_H

#include <stdbool.h>

#include "base/deadline.h"
#include "base/error.h"
#include "conf/config.h"
#include "deliver/locality.h"
#include "deliver/policy.h"
#include "deliver/reuse.h"
#include "deliver/route.h"
#include "deliver/status.h"
#include "mail/message.h"
#include "net/mx.h"
#include "smtp/session.h"

/* What the walk needs from the configuration, read once at start. */
struct deliver_settings {
	struct route_settings route;
	struct policy policy;
	struct reuse_settings reuse; /* smtp_connection_reuse_*_limit */
};

/* Load them (route_settings_load, policy_load, reuse_settings_load); loc and cfg must outlive
 * s. -1 with their errors. */
int deliver_settings_load(const struct config *cfg, struct locality *loc,
			  struct deliver_settings *s, struct error *err);
void deliver_settings_fini(struct deliver_settings *s);

struct deliver_outcome;

struct deliver_request {
	const struct deliver_settings *set;
	const struct message *msg;
	const struct session_envelope *env;
	/* The addresses relays and credentials are chosen by, when they are
	 * not env's (env has smtp_generic_maps applied, as on the wire;
	 * Postfix's lookups see the addresses before it). NULL: env. */
	const struct session_envelope *route_env;
	struct deadline run;
	const struct mx_lookups *lookups; /* NULL: the system's DNS (tests inject theirs) */
	/* The mail log (postfix.md §8.1): with queue_id set, the walk writes
	 * the records Postfix's smtp(8) writes before the delivery records:
	 * TLS summaries, connections that failed, and "QUEUE_ID: reason" for
	 * each failure after which another relay is tried. */
	const char *queue_id;	     /* NULL: log nothing */
	struct deliver_status *rcpt; /* NULL, or env->nrcpts entries: filled with the
				      * status of each recipient the last relay refused */
	bool *delivered;	     /* NULL, or env->nrcpts entries: true for each
				      * recipient the last relay accepted the message
				      * for (a 452 "too many recipients" splits it
				      * into transactions; a later one may fail) */
	struct reuse_cache *cache;   /* NULL, or the connections kept between the
				      * messages of one process (reuse.h) */
	/* A diagnosis (-bv -v): msg may be NULL; every destination is tried
	 * in turn, up to RCPT then RSET (session_settings.probe), whatever
	 * the others gave; probed(probe_arg, d, one) follows each, with that
	 * destination's outcome. deliver_run returns 0 when all passed. */
	bool probe;
	void (*probed)(void *arg, const struct destination *d, const struct deliver_outcome *one);
	void *probe_arg;
};

struct deliver_outcome {
	bool ok;
	bool maybe_delivered;
	char maybe_relay[320]; /* the relay that may have it (maybe_delivered) */
	struct error err;      /* the decisive failure when !ok */
	char relay[320];       /* the relay that accepted, or the last one tried */
	char reply[512];       /* that relay's last reply */
	unsigned attempts;
	/* For the delivery records, from the attempt that accepted the
	 * message or gave the decisive failure: */
	bool connected;		   /* relay[] names its session; else the log says none */
	struct deliver_status why; /* its final reply or failure; dsn "" when no relay was
				    * involved (a table or setting that cannot be used) */
	int64_t start_ms;	   /* monotonic ms when the walk began */
	int64_t setup_done_ms;	   /* when that attempt sent MAIL FROM; 0: it never did */
	int64_t end_ms;		   /* when the walk ended */
	unsigned conn_use;	   /* the accepting connection's use when it was reused
				    * (2 and up), else 0 (msglog's conn_use) */
};

/* 0 when a relay accepted the message, -1 otherwise (outcome->err). A
 * configuration error (ERROR_CONFIG: a table result that cannot be used,
 * a client certificate GnuTLS refuses) ends the walk at once, whatever
 * relays remain; so does a stop signal (base/stop.h), as ERROR_TEMP
 * naming it, with maybe_delivered when it cut an attempt short after the
 * final dot was sent. */
int deliver_run(const struct deliver_request *rq, struct deliver_outcome *out);

#endif
