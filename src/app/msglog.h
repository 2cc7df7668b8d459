/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mail log records of one message (reference/postfix.md §8.1), the
 * ones Postfix writes for a message submitted with sendmail(1):
 *	pickup:  QUEUE_ID: uid=1000 from=<joe>
 *	cleanup: QUEUE_ID: message-id=<...>
 *	qmgr:    QUEUE_ID: from=<joe@example.com>, size=612, nrcpt=1 (queue active)
 *	smtp:    QUEUE_ID: to=<bob@example.net>, relay=host[addr]:port, delay=0.85,
 *	         delays=0.02/0/0.55/0.28, dsn=2.0.0, status=sent (250 2.0.0 Ok)
 *	qmgr:    QUEUE_ID: removed
 * one delivery record per recipient, so that pflogsumm and other readers
 * of Postfix's logs count relaymail's messages as Postfix's. status is
 * "sent", "deferred" when relaymail exits 75 (try again later: the
 * message waits in the dead letter file) and "bounced" for any other
 * failure. Also the settings of the sink, read once at start. */
#ifndef RELAYMAIL_APP_MSGLOG_H
#define RELAYMAIL_APP_MSGLOG_H

#include <stddef.h>
#include <stdint.h>

#include "app/envelope.h"
#include "base/error.h"
#include "base/maillog.h"
#include "conf/config.h"
#include "deliver/deliver.h"
#include "deliver/status.h"
#include "mail/message.h"

/* syslog_name (no blanks, colons or brackets), syslog_facility (Postfix's
 * names), maillog_file (an absolute path, /dev/stdout or /dev/stderr)
 * and myhostname; strings point into cfg. -1 with ERROR_CONFIG naming
 * the parameter. */
int msglog_settings_load(const struct config *cfg, struct maillog_settings *s, struct error *err);

struct msglog {
	char queue_id[MAILLOG_QUEUE_ID_MAX]; /* "" when the log goes nowhere */
	int64_t arrival_ms;		     /* monotonic: the message began to arrive */
	int64_t active_ms;		     /* its envelope was complete */
	struct deliver_status *rcpt;	     /* for deliver_request.rcpt; may be NULL */
};

/* The message is in, with its envelope: a queue ID, the pickup, cleanup
 * and qmgr records. Nothing is done when the log goes nowhere. */
void msglog_begin(struct msglog *ml, const struct envelope *env, const struct message *m);
/* What deliver_request.queue_id takes: NULL when nothing is logged. */
const char *msglog_queue_id(const struct msglog *ml);
/* One delivery record per recipient from the walk's outcome, then
 * "removed"; frees what msglog_begin allocated. */
void msglog_end(struct msglog *ml, const struct envelope *env, const struct deliver_outcome *out);

/* The pieces, without I/O, for tests. */
/* Seconds as Postfix's format_tv writes them with two significant digits
 * and at most two decimals: 0.004 is "0", 0.123 "0.12", 1.05 "1.1", 9.96
 * "10", 99.5 "100", 123.4 "123". */
void msglog_format_delay(char *out, size_t size, int64_t usec);

struct msglog_delivery {
	const char *queue_id, *rcpt, *relay, *status;
	unsigned conn_use;		/* 2 and up: the connection carried earlier messages */
	int64_t delay_us, delays_us[4]; /* Postfix's a/b/c/d */
	const struct deliver_status *st;
};

/* "QUEUE_ID: to=<RCPT>, relay=RELAY, [conn_use=N, ]delay=D,
 * delays=A/B/C/D, dsn=X.Y.Z, status=STATUS (TEXT)"; the length (cut to
 * fit). conn_use as Postfix's smtp(8) logs a cached connection's use. */
size_t msglog_format_delivery(char *out, size_t size, const struct msglog_delivery *d);
/* The log's status of a failed walk: "deferred" or "bounced". */
const char *msglog_failure_status(enum error_class cls);

#endif
