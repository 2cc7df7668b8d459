/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Builds the records of one message from its envelope and the walk's
 * outcome, and hands them to the sink (base/maillog.h). The delays are
 * Postfix's (log_adhoc.c): a from arrival to the complete envelope, b to
 * the start of the walk, c to MAIL FROM of the attempt that decided (0
 * when none got that far, d then holding the whole walk), d to the end. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app/exitcode.h"
#include "app/msglog.h"
#include "base/deadline.h"
#include "base/i18n.h"

#define SYSLOG_NAME_MAX 64

/* A name that log readers can find again in "NAME/SERVICE[PID]:":
 * printable ASCII without blanks, colons or brackets. */
static bool syslog_name_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > SYSLOG_NAME_MAX)
		return false;
	for (const char *p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ':' || *p == '[' || *p == ']')
			return false;
	return true;
}

int msglog_settings_load(const struct config *cfg, struct maillog_settings *s, struct error *err)
{
	const char *const *names;
	size_t count;
	int i;

	memset(s, 0, sizeof(*s));
	s->name = config_get(cfg, "syslog_name");
	if (!syslog_name_ok(s->name)) {
		config_bad_value(err, cfg, "syslog_name", s->name,
				 _("use a name of at most %d characters without blanks, colons "
				   "or brackets, such as relaymail"),
				 SYSLOG_NAME_MAX);
		return -1;
	}
	names = maillog_facility_names(&count);
	if ((i = config_get_enum(cfg, "syslog_facility", names, count, err)) < 0)
		return -1;
	s->facility = maillog_facility_value((size_t)i);
	s->file = config_get(cfg, "maillog_file");
	if (*s->file != '\0' && *s->file != '/') {
		config_bad_value(err, cfg, "maillog_file", s->file,
				 _("use an absolute path, /dev/stdout or /dev/stderr"));
		return -1;
	}
	s->hostname = config_get(cfg, "myhostname");
	return 0;
}

void msglog_format_delay(char *out, size_t size, int64_t usec)
{
	/* Two significant digits, and never past hundredths. */
	int64_t res = usec < 1000000 ? 10000 : usec < 10000000 ? 100000 : 1000000;
	int64_t v, frac;
	char digits[8];
	int len;

	if (usec < 0)
		usec = 0;
	v = (usec + res / 2) / res * res;
	frac = v % 1000000;
	if (frac == 0) {
		snprintf(out, size, "%lld", (long long)(v / 1000000));
		return;
	}
	len = snprintf(digits, sizeof(digits), "%06lld", (long long)frac);
	while (len > 0 && digits[len - 1] == '0')
		digits[--len] = '\0';
	snprintf(out, size, "%lld.%s", (long long)(v / 1000000), digits);
}

size_t msglog_format_delivery(char *out, size_t size, const struct msglog_delivery *d)
{
	char delay[24], dl[4][24], use[32] = "";
	int n;

	msglog_format_delay(delay, sizeof(delay), d->delay_us);
	for (size_t i = 0; i < 4; i++)
		msglog_format_delay(dl[i], sizeof(dl[i]), d->delays_us[i]);
	if (d->conn_use > 1)
		snprintf(use, sizeof(use), "conn_use=%u, ", d->conn_use);
	n = snprintf(
	    out, size,
	    "%s: to=<%s>, relay=%s, %sdelay=%s, delays=%s/%s/%s/%s, dsn=%s, status=%s (%s)",
	    d->queue_id, d->rcpt, d->relay, use, delay, dl[0], dl[1], dl[2], dl[3], d->st->dsn,
	    d->status, d->st->text);
	if (n < 0 || size == 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* relaymail exits 75: "try again later". */
static bool deferred(enum error_class cls)
{
	return exitcode_for(cls) == EX_TEMPFAIL;
}

const char *msglog_failure_status(enum error_class cls)
{
	return deferred(cls) ? "deferred" : "bounced";
}

/* A header value as one line: folding undone, blanks trimmed. */
static void unfold(const char *value, char *out, size_t size)
{
	size_t o = 0;

	value = value + strspn(value, " \t\r\n");
	for (const char *p = value; *p != '\0' && o + 1 < size; p++)
		if (*p != '\r' && *p != '\n')
			out[o++] = *p;
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = '\0';
}

/* cleanup(8) logs the Message-ID the message has, and the Resent-
 * Message-ID of a resent one; "<>" when it has none. */
static void log_message_id(const char *qid, const struct message *m)
{
	const char *id = message_header_find(m, "Message-ID");
	const char *resent = message_header_find(m, "Resent-Message-ID");
	char text[MAILLOG_TEXT_MAX];

	if (id != NULL || resent == NULL) {
		unfold(id != NULL ? id : "<>", text, sizeof(text));
		maillog_info("cleanup", "%s: message-id=%s", qid, text);
	}
	if (resent != NULL) {
		unfold(resent, text, sizeof(text));
		maillog_info("cleanup", "%s: resent-message-id=%s", qid, text);
	}
}

void msglog_begin(struct msglog *ml, const struct envelope *env, const struct message *m)
{
	memset(ml, 0, sizeof(*ml));
	ml->active_ms = deadline_now_ms();
	ml->arrival_ms = message_arrival(m) > 0 ? message_arrival(m) : ml->active_ms;
	if (!maillog_active())
		return;
	/* The envelope's when header_checks logged under it already. */
	if (env->queue_id[0] != '\0')
		snprintf(ml->queue_id, sizeof(ml->queue_id), "%s", env->queue_id);
	else
		maillog_queue_id(ml->queue_id, sizeof(ml->queue_id));
	/* Without this array every recipient shares the message's status. */
	ml->rcpt = calloc(env->rcpts.n > 0 ? env->rcpts.n : 1, sizeof(*ml->rcpt));
	maillog_info("pickup", "%s: uid=%lu from=<%s>", ml->queue_id, (unsigned long)getuid(),
		     env->sender_given != NULL ? env->sender_given : env->sender);
	log_message_id(ml->queue_id, m);
	maillog_info("qmgr", "%s: from=<%s>, size=%zu, nrcpt=%zu (queue active)", ml->queue_id,
		     env->sender, message_size(m), env->rcpts.n);
}

const char *msglog_queue_id(const struct msglog *ml)
{
	return ml->queue_id[0] != '\0' ? ml->queue_id : NULL;
}

static int64_t span(int64_t from, int64_t to)
{
	return from > 0 && to > from ? (to - from) * 1000 : 0;
}

/* What the log says of recipient i. */
static void rcpt_status(const struct msglog *ml, const struct deliver_outcome *out, size_t i,
			struct deliver_status *st)
{
	if (out->ok) {
		*st = out->why;
		return;
	}
	/* A 452 split the message and a later part failed: this recipient
	 * had it already. */
	if (ml->rcpt != NULL && ml->rcpt[i].dsn[0] == '2') {
		*st = ml->rcpt[i];
		return;
	}
	if (out->err.cls == ERROR_RECIPIENT && ml->rcpt != NULL) {
		/* Any refused recipient stops the message for all of them
		 * (DESIGN.md): the others are not sent either. */
		if (status_is_set(&ml->rcpt[i]))
			*st = ml->rcpt[i];
		else
			status_set(st, "5.0.0", "message not sent: another recipient was refused");
	} else if (status_is_set(&out->why)) {
		*st = out->why;
	} else {
		status_by_class(st, out->err.cls);
	}
	status_set_class(st, deferred(out->err.cls) ? '4' : '5');
}

void msglog_end(struct msglog *ml, const struct envelope *env, const struct deliver_outcome *out)
{
	struct msglog_delivery d = { .queue_id = ml->queue_id };
	char line[MAILLOG_TEXT_MAX + 1];
	struct deliver_status st;
	int64_t done = out->setup_done_ms;

	if (ml->queue_id[0] == '\0')
		return;
	d.relay = out->connected ? out->relay : "none";
	d.conn_use = out->conn_use;
	d.delay_us = span(ml->arrival_ms, out->end_ms);
	d.delays_us[0] = span(ml->arrival_ms, ml->active_ms);
	d.delays_us[1] = span(ml->active_ms, out->start_ms);
	d.delays_us[2] = done > 0 ? span(out->start_ms, done) : 0;
	d.delays_us[3] = span(done > 0 ? done : out->start_ms, out->end_ms);
	d.st = &st;
	for (size_t i = 0; i < env->rcpts.n; i++) {
		rcpt_status(ml, out, i, &st);
		d.status = st.dsn[0] == '2' ? "sent" : msglog_failure_status(out->err.cls);
		d.rcpt = env->rcpts.v[i];
		msglog_format_delivery(line, sizeof(line), &d);
		maillog_info("smtp", "%s", line);
	}
	maillog_info("qmgr", "%s: removed", ml->queue_id);
	free(ml->rcpt);
	ml->rcpt = NULL;
}
