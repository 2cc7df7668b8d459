/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The scripted relay: the fake caller every session test drives the
 * engine with (see scripted.h). */
#include <config.h>

#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "scripted.h"
#include "smtp/session.h"
#include "tap.h"

static void trace_fn(void *arg, bool from_relay, const char *line, size_t len)
{
	struct scripted *f = arg;

	buf_append_str(&f->trace, from_relay ? "S: " : "C: ");
	buf_append(&f->trace, line, len);
	buf_append_char(&f->trace, '\n');
}

struct session_settings scripted_settings(struct scripted *f)
{
	struct session_settings st = {
		.helo_name = "client.example",
		.relay_name = RELAY,
		.tls = SESSION_TLS_NONE,
		.use_pipelining = true,
		.trace = trace_fn,
		.trace_arg = f,
	};
	return st;
}

static const char *const rcpts2[] = { "bob@example.net", "carol@example.net" };
const char *const scripted_body1[] = { "Subject: hi\r\n\r\nhello\r\n", NULL };

struct session_envelope scripted_envelope(void)
{
	struct session_envelope env = {
		.sender = "alice@example.org",
		.rcpts = rcpts2,
		.nrcpts = 2,
	};
	return env;
}

static enum session_event on_write(struct scripted *f, struct session *s)
{
	const char *p;
	size_t n;

	session_output(s, &p, &n);
	buf_append(&f->sent, p, n);
	if (f->nwrites < MAX_WRITES)
		f->writes[f->nwrites] = n;
	f->nwrites++;
	return session_written(s);
}

static enum session_event on_read(struct scripted *f, struct session *s)
{
	const char *r = f->replies[f->next_reply++];
	enum session_event ev = SESSION_READ;

	if (r == NULL)
		return session_input(s, "", 0);
	if (!f->bytewise)
		return session_input(s, r, strlen(r));
	for (size_t i = 0; r[i] != '\0' && ev == SESSION_READ; i++)
		ev = session_input(s, r + i, 1);
	return ev;
}

static enum session_event on_starttls(struct scripted *f, struct session *s)
{
	struct error err = { 0 };

	f->starttls++;
	if (f->tls_fails) {
		error_set(&err, ERROR_TEMP, "TLS handshake failed");
		return session_abort(s, &err, SESSION_END_HANG_UP);
	}
	buf_append_str(&f->sent, "<TLS>");
	if (f->tls_refused) {
		error_set(&err, ERROR_TEMP, "certificate not verified");
		return session_tls_refused(s, &err);
	}
	return session_tls_started(s);
}

static enum session_event on_auth(struct scripted *f, struct session *s)
{
	struct error err = { 0 };

	if (f->mech != NULL)
		return session_auth(s, f->mech, f->ir);
	error_set(&err, ERROR_CONFIG, "no acceptable mechanism");
	return session_abort(s, &err, SESSION_END_QUIT);
}

/* The next scripted response; NULL: the SASL step failed, cancel. */
static enum session_event on_challenge(struct scripted *f, struct session *s)
{
	const char *r = f->responses[f->next_resp++];
	struct error err = { 0 };

	if (r != NULL)
		return session_auth_response(s, r);
	error_set(&err, ERROR_AUTH, "the SASL step failed");
	return session_auth_cancel(s, &err);
}

static enum session_event on_body(struct scripted *f, struct session *s)
{
	const char *chunk;

	if (f->body_ended && f->more_bodies) {
		f->next_body = 0;
		f->body_ended = false;
	}
	chunk = f->body != NULL ? f->body[f->next_body] : NULL;
	if (chunk != NULL) {
		f->next_body++;
		return session_body(s, chunk, strlen(chunk));
	}
	if (f->body_ended) {
		ok(0, "BODY asked for again after the end");
		return SESSION_FAILED;
	}
	f->body_ended = true;
	return session_body_end(s);
}

enum session_event scripted_drive(struct scripted *f, struct session *s)
{
	return scripted_continue(f, s, session_start(s));
}

enum session_event scripted_continue(struct scripted *f, struct session *s, enum session_event ev)
{
	for (int guard = 0; guard < 100000; guard++) {
		switch (ev) {
		case SESSION_WRITE:
			ev = on_write(f, s);
			break;
		case SESSION_READ:
			if (f->next_reply >= f->nreplies)
				return ev;
			ev = on_read(f, s);
			break;
		case SESSION_STARTTLS:
			ev = on_starttls(f, s);
			break;
		case SESSION_AUTH:
			ev = on_auth(f, s);
			break;
		case SESSION_AUTH_CHALLENGE:
			buf_append_str(&f->challenges, session_challenge(s));
			buf_append_char(&f->challenges, '|');
			ev = on_challenge(f, s);
			break;
		case SESSION_BODY:
			if (f->stop_at_body)
				return ev;
			ev = on_body(f, s);
			break;
		case SESSION_DONE:
		case SESSION_FAILED:
			return ev;
		}
	}
	return SESSION_READ;
}

void scripted_fini(struct scripted *f)
{
	buf_fini(&f->sent);
	buf_fini(&f->trace);
	buf_fini(&f->challenges);
}

enum session_event scripted_run(struct scripted *f, const struct session_settings *st,
				const struct session_envelope *env, struct session **out)
{
	struct session *s = session_new(st, env);
	enum session_event ev = scripted_drive(f, s);

	*out = s;
	return ev;
}
