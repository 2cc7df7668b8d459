/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A scripted relay for the session engine tests: it feeds each scripted
 * reply when the engine asks to read, answers STARTTLS, AUTH and BODY
 * events as told, and records every byte written, each write's size, the
 * trace and the challenges handed out. */
#ifndef RELAYMAIL_TESTS_SCRIPTED_H
#define RELAYMAIL_TESTS_SCRIPTED_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "smtp/session.h"

#define RELAY "mx.example[192.0.2.1]:587"
#define MAX_WRITES 64
#define EHLO_BASIC "250-mx.example\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"
#define EHLO_PIPE "250-mx.example\r\n250-PIPELINING\r\n250 SIZE\r\n"

struct scripted {
	/* Script: replies fed in order, one chunk each; NULL means EOF. */
	const char *const *replies;
	size_t nreplies;
	bool bytewise;		      /* feed every reply one byte at a time */
	const char *mech, *ir;	      /* for SESSION_AUTH; mech NULL: abort */
	const char *const *responses; /* for SESSION_AUTH_CHALLENGE; NULL: cancel */
	const char *const *body;      /* chunks, NULL-terminated */
	bool tls_fails;
	bool tls_refused;  /* the handshake works, the certificate does not */
	bool stop_at_body; /* return SESSION_BODY to the test */
	bool more_bodies;  /* a BODY after the end starts the body again (a
			    * second transaction) */
	/* Record. */
	size_t next_reply, next_resp, next_body;
	bool body_ended;
	struct buf sent, trace, challenges;
	size_t writes[MAX_WRITES], nwrites;
	int starttls;
};

/* Settings with helo "client.example", relay RELAY, TLS none, pipelining
 * allowed and the trace going to f. */
struct session_settings scripted_settings(struct scripted *f);
/* From alice@example.org to bob@ and carol@example.net. */
struct session_envelope scripted_envelope(void);
extern const char *const scripted_body1[];
/* Start a session and run it until it is done, failed, or waits for a
 * reply the script does not have (then SESSION_READ). */
enum session_event scripted_run(struct scripted *f, const struct session_settings *st,
				const struct session_envelope *env, struct session **out);
/* Drive an existing session from session_start on. */
enum session_event scripted_drive(struct scripted *f, struct session *s);
/* Drive it on from the event ev (session_reuse's, say). */
enum session_event scripted_continue(struct scripted *f, struct session *s, enum session_event ev);
void scripted_fini(struct scripted *f);

#define SCRIPT(f, ...)                                                                             \
	do {                                                                                       \
		static const char *const script_[] = { __VA_ARGS__ };                              \
		(f)->replies = script_;                                                            \
		(f)->nreplies = sizeof(script_) / sizeof(script_[0]);                              \
	} while (0)

#endif
