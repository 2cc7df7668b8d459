/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The milter settings, shared by milter_conf.c (parsing) and milter.c
 * (the run); internal to deliver. */
#ifndef RELAYMAIL_DELIVER_MILTER_IMPL_H
#define RELAYMAIL_DELIVER_MILTER_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "deliver/milter.h"
#include "mail/milter_checks.h"
#include "mail/milter_edit.h"
#include "net/conn.h"
#include "smtp/milter_proto.h"

/* milter_default_action; Postfix's "shutdown" is TEMPFAIL here (there is
 * no SMTP session to end). */
enum milter_action {
	MILTER_ACTION_TEMPFAIL,
	MILTER_ACTION_REJECT,
	MILTER_ACTION_ACCEPT,
	MILTER_ACTION_QUARANTINE,
};

struct milter_conf {
	char *name; /* as configured: "inet:host:port" or "unix:/path" */
	char *host; /* inet: the host (no brackets); NULL for unix: */
	unsigned port;
	char *path; /* unix: the socket */
	long connect_ms, command_ms, content_ms;
	uint32_t version, events; /* milter_protocol */
	enum milter_action action;
};

struct milter_macro_default {
	char *name; /* "{name}" form */
	char *value;
};

struct milters {
	struct milter_conf *v;
	size_t n;
	const char *macros[MILTER_STAGE_COUNT]; /* names per stage, as configured */
	struct milter_macro_default *defaults;
	size_t ndefaults;
	const char *myhostname, *daemon_name, *v_macro;
	size_t size_max;
	bool soft_bounce;	   /* a refusal is reported as temporary */
	struct milter_checks *hbc; /* milter_header_checks; NULL: none */
};

/* One milter's connection during a run. */
enum mconn_state {
	MCONN_OPEN,	/* taking events */
	MCONN_ACCEPTED, /* SMFIR_ACCEPT: no more events for this message */
	MCONN_OFF,	/* failed, held or closed: no more events */
};

struct mconn {
	const struct milter_conf *c;
	struct conn *conn;
	struct buf in;			  /* bytes read, from the current packet on */
	size_t consumed;		  /* of in, by the packet handed out last */
	uint32_t version;		  /* the milter's protocol version */
	uint32_t events;		  /* the milter's SMFIP_* mask */
	uint32_t nonproto;		  /* events its protocol version does not have */
	char *macros[MILTER_STAGE_COUNT]; /* its SETSYMLIST lists, or NULL */
	enum mconn_state state;
	char skip;	 /* SMFIR_SKIP: events of this command are not sent */
	bool in_message; /* between DATA and the end of the message */
};

/* A run over all milters (milter.c), with what the replies decide
 * (milter_reply.c). */
struct milter_run {
	const struct milters *ms;
	const struct milter_envelope *env;
	struct message *m;
	struct deadline run;
	struct milters_result *res;
	struct mconn *mc;
	size_t n;
	const char *mail_addr, *rcpt_addr; /* for {mail_addr} and {rcpt_addr} */
	struct milter_body *body;	   /* an SMFIR_REPLBODY under way */
	bool body_done;			   /* a body replacement ended */
	char event;			   /* the MILTER_C_* event under way */
	int header_edits;		   /* so far, all milters together */
	size_t trace_at;		   /* where Postfix's own Received field would be: the
					    * number of fields above it */
	struct error *fatal;		   /* set with a failure of ours (memory, spool) */
	struct milter_checks_state hbc;	   /* what milter_header_checks decided */
};

/* After a milter failed (err says how, naming what it sent): a warning,
 * and milter_default_action. The milter gets no more events. */
void milter_run_fail(struct milter_run *r, struct mconn *c, bool conf, const struct error *err);

/* Read the next packet from c, for the deadline dl. -1 with err (the
 * milter's failure: closed, timed out, a bad length). */
int milter_run_packet(struct mconn *c, struct deadline dl, struct milter_packet *pkt,
		      struct error *err);

/* The replies to event (a MILTER_C_* command) up to the final one, with
 * the modifications of the end of the message applied. false when the
 * run is over: a final verdict, or r->fatal. */
bool milter_run_replies(struct milter_run *r, struct mconn *c, char event, struct deadline dl);

#endif
