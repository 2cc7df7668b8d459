/* SPDX-License-Identifier: GPL-3.0-or-later */
/* non_smtpd_milters: the milters Postfix's cleanup runs a locally
 * submitted message through (MILTER_README), driven here over inet: or
 * unix: sockets with the protocol of smtp/milter_proto.h. Each milter is
 * told of a made-up connection from localhost, EHLO, MAIL and RCPT, then
 * DATA and the message; its verdict and its edits come back. Every wait
 * has a deadline (milter_connect_timeout, milter_command_timeout,
 * milter_content_timeout, and the caller's), and a milter that cannot be
 * reached or breaks the protocol gets milter_default_action. */
#ifndef RELAYMAIL_DELIVER_MILTER_H
#define RELAYMAIL_DELIVER_MILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/deadline.h"
#include "base/error.h"
#include "conf/config.h"
#include "mail/address.h"
#include "mail/message.h"

struct milters;

/* Parse non_smtpd_milters (with Postfix's per-milter "{ name,
 * default_action=..., command_timeout=... }" form), the milter_*
 * timeouts, milter_protocol, milter_default_action, the macro lists,
 * milter_macro_defaults and milter_header_checks (mail/milter_checks.h,
 * applied to the header fields the milters add or change). *out is NULL
 * when non_smtpd_milters is empty.
 * -1 with ERROR_CONFIG naming the parameter and the bad word. size_max
 * bounds a body a milter replaces (0: none). */
int milters_load(const struct config *cfg, size_t size_max, struct milters **out,
		 struct error *err);
void milters_free(struct milters *ms); /* NULL is harmless */

/* What the milters are told of the envelope. */
struct milter_envelope {
	const char *queue_id; /* the {i} macro */
	const char *log_id;   /* the mail log's queue ID; NULL: no mail log */
	const char *sender;   /* "" for the null sender */
	const char *const *rcpts;
	size_t nrcpts;
};

enum milter_verdict {
	MILTER_PASS,	 /* send it, with the edits */
	MILTER_HOLD,	 /* SMFIR_QUARANTINE, or the default action
			  * quarantine: Postfix puts it on hold */
	MILTER_DISCARD,	 /* SMFIR_DISCARD: not sent, and a success */
	MILTER_REJECT,	 /* a 5xx: the message is refused for good */
	MILTER_TEMPFAIL, /* a 4xx: try again later */
};

struct milters_result {
	enum milter_verdict verdict;
	char reply[512];	  /* REJECT, TEMPFAIL: "550 5.7.1 text" */
	char why[1024];		  /* HOLD, REJECT, TEMPFAIL: what happened, naming the
				   * milter (one line, printable) */
	const char *event;	  /* not PASS: the event it came after, as Postfix's
				   * mail log names it ("END-OF-MESSAGE", "RCPT"...) */
	const char *rcpt;	  /* not PASS: the recipient being told of, or the
				   * last one (the mail log's to=); NULL before RCPT */
	char text[512];		  /* not PASS: what Postfix's mail log gives after
				   * the event ("5.7.1 Command rejected", a reason) */
	char *sender;		  /* SMFIR_CHGFROM's address; NULL: unchanged */
	struct addrlist add, del; /* SMFIR_ADDRCPT(_PAR), SMFIR_DELRCPT, in order;
				   * add ends with milter_header_checks' BCCs */
	char *redirect;		  /* milter_header_checks' REDIRECT; NULL: none */
	bool by_checks;		  /* the verdict is milter_header_checks', logged
				   * already (event is NULL) */
};
void milters_result_fini(struct milters_result *r);

/* Run the message through every milter in order; m gets their header and
 * body edits as each milter finishes (the next one sees them), res the
 * verdict and the envelope edits, which are the caller's to apply. 0
 * whatever the verdict; -1 only when the message cannot be read back or
 * memory runs out (ERROR_IO, ERROR_INTERNAL), or for a body replaced
 * past the size limit (ERROR_DATA). run: the whole run's deadline. */
int milters_run(const struct milters *ms, const struct milter_envelope *env, struct message *m,
		struct deadline run, struct milters_result *res, struct error *err);

/* For -bv: how many milters there are (0 for NULL), the name of milter
 * i as configured, and a probe of it within dl: connect, negotiate, QUIT.
 * 0 with the protocol version it answered; -1 with err saying what
 * failed (ERROR_TEMP, ERROR_PROTOCOL, ERROR_CONFIG). */
size_t milters_count(const struct milters *ms);
const char *milters_name(const struct milters *ms, size_t i);
int milters_probe(const struct milters *ms, size_t i, struct deadline dl, unsigned *version,
		  struct error *err);

#endif
