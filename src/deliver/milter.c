/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run of non_smtpd_milters, in Postfix's cleanup order: every milter is
 * connected and negotiated, then each envelope event (a connection from
 * localhost, EHLO localhost, MAIL, RCPT, DATA) goes to each milter in
 * turn, then each milter in turn gets the whole message and edits it
 * before the next one reads it. Every event first sends its macros. A
 * final verdict ends the run; a milter that fails gets its
 * milter_default_action (milter_reply.c). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "deliver/milter_impl.h"

/* Events that the protocol version must have for us to send them. */
#define NOSEND_MASK                                                                                \
	(MILTER_P_NOCONNECT | MILTER_P_NOHELO | MILTER_P_NOMAIL | MILTER_P_NORCPT |                \
	 MILTER_P_NOBODY | MILTER_P_NOHDRS | MILTER_P_NOEOH | MILTER_P_NOUNKNOWN |                 \
	 MILTER_P_NODATA)

/* The made-up client of a local submission, as Postfix's cleanup has it. */
#define LOCAL_NAME "localhost"
#define LOCAL_ADDR "127.0.0.1"

void milters_result_fini(struct milters_result *r)
{
	free(r->sender);
	free(r->redirect);
	addrlist_fini(&r->add);
	addrlist_fini(&r->del);
	memset(r, 0, sizeof(*r));
}

static bool over(const struct milter_run *r)
{
	enum milter_verdict v = r->res->verdict;

	return error_is_set(r->fatal) || v == MILTER_DISCARD || v == MILTER_REJECT ||
	       v == MILTER_TEMPFAIL;
}

/* The value of a macro for a local submission ({name} form), or NULL. */
static const char *macro_value(const struct milter_run *r, const char *name)
{
	const struct milters *ms = r->ms;
	static const struct {
		const char *name, *value;
	} fixed[] = {
		{ "{_}", LOCAL_NAME " [" LOCAL_ADDR "]" },
		{ "{daemon_addr}", LOCAL_ADDR },
		{ "{daemon_port}", "0" },
		{ "{client_addr}", LOCAL_ADDR },
		{ "{client_name}", LOCAL_NAME },
		{ "{client_ptr}", LOCAL_NAME },
		{ "{client_port}", "0" },
	};

	if (strcmp(name, "{j}") == 0)
		return ms->myhostname;
	if (strcmp(name, "{daemon_name}") == 0)
		return ms->daemon_name;
	if (strcmp(name, "{v}") == 0)
		return ms->v_macro;
	if (strcmp(name, "{i}") == 0)
		return r->env->queue_id;
	if (strcmp(name, "{mail_addr}") == 0 && r->mail_addr != NULL)
		return r->mail_addr;
	if (strcmp(name, "{rcpt_addr}") == 0 && r->rcpt_addr != NULL)
		return r->rcpt_addr;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(name, fixed[i].name) == 0)
			return fixed[i].value;
	for (size_t i = 0; i < ms->ndefaults; i++)
		if (strcmp(name, ms->defaults[i].name) == 0)
			return ms->defaults[i].value;
	return NULL;
}

/* One name of a macro list, with its value when it has one. */
static int macro_pair(const struct milter_run *r, const char *name, size_t len, struct buf *pairs)
{
	char canon[128];
	const char *value;

	if (len == 0 || len > sizeof(canon) - 3)
		return 0;
	if (name[0] == '{') {
		memcpy(canon, name, len);
		canon[len] = '\0';
	} else {
		canon[0] = '{';
		memcpy(canon + 1, name, len);
		memcpy(canon + 1 + len, "}", 2);
	}
	if ((value = macro_value(r, canon)) == NULL)
		return 0;
	if (buf_append(pairs, name, len) < 0 || buf_append_char(pairs, '\0') < 0)
		return -1;
	return buf_append(pairs, value, strlen(value) + 1);
}

/* The MACRO packet for event cmd of stage into out: the milter's own
 * list when it gave one, else the configured one. */
static int put_macros(const struct milter_run *r, const struct mconn *c, int stage, char cmd,
		      struct buf *out)
{
	const char *p = c->macros[stage] != NULL ? c->macros[stage] : r->ms->macros[stage];
	struct buf pairs = { 0 };
	int rc = 0;

	while (rc == 0 && *p != '\0') {
		size_t len = strcspn(p, ", \t");

		rc = macro_pair(r, p, len, &pairs);
		p += len + (p[len] != '\0');
	}
	if (rc == 0)
		rc = milter_put_macros(out, cmd, pairs.data, pairs.len);
	buf_fini(&pairs);
	return rc;
}

static struct deadline dl_for(const struct milter_run *r, long ms)
{
	return deadline_min(r->run, deadline_in(ms));
}

/* Send event cmd (packet pkt, built by the caller) to c after the macros
 * of stage (-1: none), as Postfix's milter8_event: not at all when c's
 * protocol lacks the event or it asked to skip it, the macros alone when
 * it does not want the event, no wait when it sends no reply to it.
 * false when the run is over. */
static bool event(struct milter_run *r, struct mconn *c, char cmd, int stage, uint32_t no_event,
		  uint32_t no_reply, const struct buf *pkt, bool content)
{
	struct deadline dl = dl_for(r, content ? c->c->content_ms : c->c->command_ms);
	struct buf out = { 0 };
	struct error err = { 0 };
	bool send_event;
	int rc = 0;

	r->event = cmd;
	if (c->state != MCONN_OPEN || (no_event & c->nonproto) != 0)
		return true;
	if (c->skip != 0 && c->skip == cmd)
		return true;
	c->skip = 0;
	send_event = (no_event & c->events) == 0;
	if (stage >= 0)
		rc = put_macros(r, c, stage, cmd, &out);
	if (rc == 0 && send_event)
		rc = buf_append(&out, pkt->data, pkt->len);
	if (rc < 0) {
		buf_fini(&out);
		error_set(r->fatal, ERROR_INTERNAL, _("out of memory"));
		return false;
	}
	rc = out.len > 0 ? conn_write(c->conn, out.data, out.len, dl, &err) : 0;
	buf_fini(&out);
	if (rc < 0) {
		milter_run_fail(r, c, false, &err);
		return !over(r);
	}
	if (!send_event || (no_reply & c->events) != 0)
		return true;
	return milter_run_replies(r, c, cmd, dl);
}

/* The same event to every milter in order, until a verdict. */
static bool event_all(struct milter_run *r, char cmd, int stage, uint32_t no_event,
		      uint32_t no_reply, const struct buf *pkt)
{
	for (size_t i = 0; i < r->n; i++)
		if (!event(r, &r->mc[i], cmd, stage, no_event, no_reply, pkt, false))
			return false;
	return true;
}

/* Connect to c's milter: inet: tries each address of the host. */
static struct conn *milter_connect(const struct milter_conf *mc, struct deadline dl,
				   struct error *err)
{
	struct net_addr addrs[4];
	struct conn *conn = NULL;
	int n;

	if (mc->path != NULL)
		return conn_connect_unix(mc->path, dl, err);
	n = net_resolve(mc->host, mc->port, NET_ANY, NET_ANY, addrs, 4, err);
	for (int i = 0; i < n && conn == NULL; i++)
		conn = conn_connect(&addrs[i], mc->port, NULL, dl, err);
	return conn;
}

/* The milter's version below ours: the events its version lacks. */
static uint32_t version_events(uint32_t version)
{
	uint32_t v, events;
	char word[4];
	struct error ignored;

	v = version >= 6 ? 6 : version >= 4 ? 4 : version;
	snprintf(word, sizeof(word), "%u", (unsigned)v);
	return milter_protocol_parse(word, &v, &events, &ignored) == 0 ? events : 0;
}

/* Connect and negotiate (SMFIC_OPTNEG); false with err on failure. */
static bool negotiate(struct milter_run *r, struct mconn *c, struct error *err)
{
	const struct milter_conf *mc = c->c;
	struct deadline dl = dl_for(r, mc->command_ms);
	struct milter_packet pkt;
	struct milter_optneg o;
	struct buf out = { 0 };
	int rc;

	if ((c->conn = milter_connect(mc, dl_for(r, mc->connect_ms), err)) == NULL)
		return false;
	rc = milter_put_optneg(&out, mc->version, MILTER_F_ALL, mc->events);
	if (rc < 0)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	else
		rc = conn_write(c->conn, out.data, out.len, dl, err);
	buf_fini(&out);
	if (rc < 0 || milter_run_packet(c, dl, &pkt, err) < 0 ||
	    milter_optneg_decode(&pkt, &o, err) < 0)
		return false;
	if (o.version > mc->version || o.version < 2) {
		error_set(err, ERROR_PROTOCOL, _("protocol version %lu, where ours is %lu"),
			  (unsigned long)o.version, (unsigned long)mc->version);
		return false;
	}
	if ((o.actions & ~MILTER_F_ALL) != 0) {
		error_set(err, ERROR_PROTOCOL, _("request mask 0x%lx beyond ours, 0x%lx"),
			  (unsigned long)o.actions, (unsigned long)MILTER_F_ALL);
		return false;
	}
	c->events = o.protocol;
	c->version = o.version;
	c->nonproto = NOSEND_MASK & ~mc->events;
	if (o.version < mc->version)
		c->nonproto |= NOSEND_MASK & ~version_events(o.version);
	for (int s = 0; s < MILTER_STAGE_COUNT; s++) {
		if (o.macros[s] != NULL && (c->macros[s] = str_dup(o.macros[s])) == NULL) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return false;
		}
	}
	c->state = MCONN_OPEN;
	return true;
}

/* CONNECT, HELO, MAIL, each RCPT, DATA. */
static bool envelope_events(struct milter_run *r)
{
	const struct milter_envelope *env = r->env;
	struct buf pkt = { 0 };
	const char *s[1];
	bool ok;

	ok = milter_put_connect(&pkt, LOCAL_NAME, '4', 0, LOCAL_ADDR) == 0 &&
	     event_all(r, MILTER_C_CONNECT, MILTER_STAGE_CONNECT, MILTER_P_NOCONNECT,
		       MILTER_P_NR_CONN, &pkt);
	buf_reset(&pkt);
	s[0] = LOCAL_NAME;
	ok =
	    ok && milter_put_strings(&pkt, MILTER_C_HELO, s, 1) == 0 &&
	    event_all(r, MILTER_C_HELO, MILTER_STAGE_HELO, MILTER_P_NOHELO, MILTER_P_NR_HELO, &pkt);
	buf_reset(&pkt);
	r->mail_addr = s[0] = env->sender;
	ok =
	    ok && milter_put_strings(&pkt, MILTER_C_MAIL, s, 1) == 0 &&
	    event_all(r, MILTER_C_MAIL, MILTER_STAGE_MAIL, MILTER_P_NOMAIL, MILTER_P_NR_MAIL, &pkt);
	for (size_t i = 0; ok && i < env->nrcpts; i++) {
		buf_reset(&pkt);
		r->rcpt_addr = s[0] = env->rcpts[i];
		ok = milter_put_strings(&pkt, MILTER_C_RCPT, s, 1) == 0 &&
		     event_all(r, MILTER_C_RCPT, MILTER_STAGE_RCPT, MILTER_P_NORCPT,
			       MILTER_P_NR_RCPT, &pkt);
	}
	buf_reset(&pkt);
	for (size_t i = 0; i < r->n; i++)
		r->mc[i].in_message = r->mc[i].state == MCONN_OPEN;
	ok =
	    ok && milter_put(&pkt, MILTER_C_DATA, NULL, 0) == 0 &&
	    event_all(r, MILTER_C_DATA, MILTER_STAGE_DATA, MILTER_P_NODATA, MILTER_P_NR_DATA, &pkt);
	buf_fini(&pkt);
	if (!ok && !over(r))
		error_set(r->fatal, ERROR_INTERNAL, _("out of memory"));
	return ok;
}

/* The header fields, EOH, the body in chunks and the end of the message
 * to one milter, which edits m. */
static bool content_events(struct milter_run *r, struct mconn *c, char *chunk)
{
	bool leadspc = (c->events & MILTER_P_HDR_LEADSPC) != 0, ok = true;
	struct buf pkt = { 0 }, field = { 0 };
	off_t off = 0;

	for (size_t i = 0; ok && i < message_header_count(r->m) && c->state == MCONN_OPEN; i++) {
		buf_reset(&pkt);
		buf_reset(&field);
		ok = milter_edit_header_out(r->m, i, leadspc, &field) == 0 &&
		     milter_put(&pkt, MILTER_C_HEADER, field.data, field.len) == 0;
		if (!ok)
			error_set(r->fatal, ERROR_INTERNAL, _("out of memory"));
		ok = ok && event(r, c, MILTER_C_HEADER, MILTER_STAGE_EOH, MILTER_P_NOHDRS,
				 MILTER_P_NR_HDR, &pkt, true);
	}
	buf_reset(&pkt);
	ok = ok && milter_put(&pkt, MILTER_C_EOH, NULL, 0) == 0 &&
	     event(r, c, MILTER_C_EOH, MILTER_STAGE_EOH, MILTER_P_NOEOH, MILTER_P_NR_EOH, &pkt,
		   true);
	while (ok && c->state == MCONN_OPEN && (c->events & MILTER_P_NOBODY) == 0) {
		const char *p;
		ssize_t got = milter_edit_body_read(r->m, off, chunk, MILTER_CHUNK, &p, r->fatal);

		if (got <= 0) {
			ok = got == 0;
			break;
		}
		off += got;
		buf_reset(&pkt);
		ok = milter_put(&pkt, MILTER_C_BODY, p, (size_t)got) == 0 &&
		     event(r, c, MILTER_C_BODY, MILTER_STAGE_EOM, MILTER_P_NOBODY, MILTER_P_NR_BODY,
			   &pkt, true);
	}
	buf_reset(&pkt);
	r->body_done = false;
	ok = ok && milter_put(&pkt, MILTER_C_BODYEOB, NULL, 0) == 0 &&
	     event(r, c, MILTER_C_BODYEOB, MILTER_STAGE_EOM, 0, 0, &pkt, true);
	buf_fini(&pkt);
	buf_fini(&field);
	if (!ok && !over(r))
		error_set(r->fatal, ERROR_INTERNAL, _("out of memory"));
	return ok;
}

/* QUIT to every milter still connected, as Postfix's cleanup ends a
 * local submission (it never sends ABORT), and close. */
static void quit_all(struct milter_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct mconn *c = &r->mc[i];
		struct buf out = { 0 };
		struct error ignored;

		if (c->conn != NULL && milter_put(&out, MILTER_C_QUIT, NULL, 0) == 0)
			(void)conn_write(c->conn, out.data, out.len, dl_for(r, c->c->command_ms),
					 &ignored);
		buf_fini(&out);
		conn_free(c->conn);
		buf_fini(&c->in);
		for (int s = 0; s < MILTER_STAGE_COUNT; s++)
			free(c->macros[s]);
	}
}

size_t milters_count(const struct milters *ms)
{
	return ms != NULL ? ms->n : 0;
}

const char *milters_name(const struct milters *ms, size_t i)
{
	return ms->v[i].name;
}

int milters_probe(const struct milters *ms, size_t i, struct deadline dl, unsigned *version,
		  struct error *err)
{
	struct milters_result res = { 0 };
	struct milter_run r = { .ms = ms, .run = dl, .res = &res, .fatal = err, .n = 1 };
	struct mconn c = { .c = &ms->v[i], .state = MCONN_OFF };
	bool ok;

	error_clear(err);
	r.mc = &c;
	ok = negotiate(&r, &c, err);
	*version = c.version;
	quit_all(&r);
	return ok ? 0 : -1;
}

/* milter_header_checks' REDIRECT and BCCs, for the caller to apply with
 * the milters' own envelope edits. -1 when out of memory. */
static int checks_envelope(struct milter_run *r)
{
	struct milters_result *res = r->res;

	for (size_t i = 0; i < r->hbc.bcc.n; i++)
		if (addrlist_add(&res->add, r->hbc.bcc.v[i]) < 0)
			return -1;
	res->redirect = r->hbc.redirect;
	r->hbc.redirect = NULL;
	return 0;
}

int milters_run(const struct milters *ms, const struct milter_envelope *env, struct message *m,
		struct deadline run, struct milters_result *res, struct error *err)
{
	struct milter_run r = {
		.ms = ms, .env = env, .m = m, .run = run, .res = res, .fatal = err
	};
	char *chunk = malloc(MILTER_CHUNK);

	memset(res, 0, sizeof(*res));
	error_clear(err);
	r.mc = calloc(ms->n, sizeof(*r.mc));
	if (r.mc == NULL || chunk == NULL) {
		free(chunk);
		free(r.mc);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	r.n = ms->n;
	for (size_t i = 0; i < r.n; i++) {
		r.mc[i].c = &ms->v[i];
		r.mc[i].state = MCONN_OFF;
	}
	/* Postfix connects as it reports the connect event. */
	r.event = MILTER_C_CONNECT;
	for (size_t i = 0; i < r.n && !over(&r); i++) {
		struct error e = { 0 };

		if (!negotiate(&r, &r.mc[i], &e)) {
			if (e.cls == ERROR_INTERNAL)
				*err = e;
			else
				milter_run_fail(&r, &r.mc[i], e.cls == ERROR_CONFIG, &e);
		}
	}
	if (!over(&r) && envelope_events(&r)) {
		for (size_t i = 0; i < r.n && !over(&r); i++)
			if (r.mc[i].state == MCONN_OPEN && !content_events(&r, &r.mc[i], chunk))
				break;
	}
	quit_all(&r);
	free(r.mc);
	free(chunk);
	if (!error_is_set(err) && checks_envelope(&r) < 0)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	milter_checks_state_fini(&r.hbc);
	if (error_is_set(err)) {
		milters_result_fini(res);
		return -1;
	}
	return 0;
}
