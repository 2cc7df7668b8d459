/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the SMTP client engine (smtp/session*.c) fed arbitrary
 * bytes as the relay's side of the connection, driven without I/O as
 * tests/unit/scripted.c drives it. The first byte chooses the settings
 * and the envelope (TLS mode, AUTH wanted and how, pipelining, the
 * SMTPUTF8, 8BITMIME and DSN flags), the second how many bytes each read
 * returns (1 to 64, the rest of the input when 0, from its low 7 bits)
 * and, with its high bit, that the caller fails (the TLS handshake, the
 * certificate in SMTPS mode, or no mechanism to choose); the rest is what
 * the relay sends. Otherwise
 * STARTTLS "succeeds" at once, AUTH goes with PLAIN (an initial
 * response) or LOGIN (challenges answered with fixed text, or cancelled
 * with "*" when the challenge's first byte is odd), the
 * body is a fixed message with a line that needs dot-stuffing, and the
 * end of the input is the relay closing the connection.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/session
 *	nice -n 19 fuzz/fuzz-session -max_total_time=120 \
 *	    work/session ../fuzz/corpus/session
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fuzz.h"
#include "smtp/session.h"

static const char *const rcpts[] = { "bob@example.net", "carol@example.net", "dave@example.org" };
static const char body[] = "Subject: hi\r\n\r\nhello\r\n.leading dot\r\nno final line end";

static void trace(void *arg, bool from_relay, const char *line, size_t len)
{
	size_t *total = arg;

	(void)from_relay;
	if (len > 0 && line[0] == '\0' && line[len - 1] == '\0')
		(*total)++; /* read every byte the engine hands out */
	*total += len;
}

struct relay {
	const char *p;
	size_t len, pos, chunk;
	bool login;
	bool caller_fails;
	int bodies;
};

static enum session_event on_read(struct session *s, struct relay *r)
{
	size_t n = r->len - r->pos;

	if (n == 0)
		return session_input(s, "", 0);
	if (r->chunk > 0 && n > r->chunk)
		n = r->chunk;
	r->pos += n;
	return session_input(s, r->p + r->pos - n, n);
}

static enum session_event on_body(struct session *s, struct relay *r)
{
	if (r->bodies++ == 0)
		return session_body(s, body, 20);
	if (r->bodies == 2)
		return session_body(s, body + 20, sizeof(body) - 1 - 20);
	return session_body_end(s);
}

static enum session_event step(struct session *s, enum session_event ev, struct relay *r)
{
	struct error err = { 0 };
	const char *out;
	size_t n;

	switch (ev) {
	case SESSION_WRITE:
		session_output(s, &out, &n);
		if (n > 0 && (out[0] == '\0' || out[n - 1] == '\0'))
			__builtin_trap(); /* touch the first and last byte */
		return session_written(s);
	case SESSION_READ:
		return on_read(s, r);
	case SESSION_STARTTLS:
		if (r->caller_fails) {
			error_set(&err, ERROR_TEMP, "TLS handshake failed");
			return session_abort(s, &err, SESSION_END_HANG_UP);
		}
		return session_tls_started(s);
	case SESSION_AUTH:
		if (r->caller_fails) {
			error_set(&err, ERROR_AUTH, "no mechanism");
			return session_abort(s, &err, SESSION_END_QUIT);
		}
		if (r->login)
			return session_auth(s, "LOGIN", NULL);
		return session_auth(s, "PLAIN", "AGFsaWNlAHNlY3JldA==");
	case SESSION_AUTH_CHALLENGE:
		/* A challenge whose first byte is odd: the caller cannot
		 * answer it and cancels. */
		if (session_challenge(s)[0] % 2 == 1) {
			error_set(&err, ERROR_AUTH, "SASL step failed");
			return session_auth_cancel(s, &err);
		}
		return session_auth_response(s, "c2VjcmV0");
	case SESSION_BODY:
		return on_body(s, r);
	case SESSION_DONE:
	case SESSION_FAILED:
		break;
	}
	return ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t traced = 0;
	struct session_settings st = {
		.helo_name = "client.example",
		.relay_name = "mx.example[192.0.2.1]:587",
		.trace = trace,
		.trace_arg = &traced,
	};
	struct session_envelope env = { .sender = "alice@example.org", .rcpts = rcpts };
	struct relay r = { 0 };
	const struct session_result *res;
	enum session_event ev;
	struct session *s;
	unsigned flags;

	fuzz_init();
	if (size < 2)
		return 0;
	flags = data[0];
	st.tls = (enum session_tls)(flags & 3);
	st.auth_wanted = flags & 4;
	r.login = flags & 8;
	st.use_pipelining = !(flags & 16);
	env.nrcpts = 1 + (flags >> 5 & 1) * 2;
	env.eightbit = flags & 64;
	env.smtputf8 = (flags & 192) == 192;
	env.smtputf8_if_offered = (flags & 192) == 128;
	if (flags & 128) {
		env.size = sizeof(body) - 1;
		env.dsn_notify = "SUCCESS,FAILURE";
		env.dsn_ret = "HDRS";
		env.dsn_envid = "abc+2Bdef";
	}
	r.chunk = (data[1] & 127) % 65;
	r.caller_fails = data[1] & 128;
	r.p = (const char *)data + 2;
	r.len = size - 2;
	s = session_new(&st, &env);
	if (s == NULL)
		abort();
	if (st.tls == SESSION_TLS_IMPLICIT && r.caller_fails) {
		struct error refused = { 0 };

		/* The certificate refused after the handshake. */
		error_set(&refused, ERROR_TEMP, "certificate refused");
		ev = session_start_refused(s, &refused);
	} else {
		ev = session_start(s);
	}
	/* Every step either consumes input or moves the engine on; the
	 * guard only catches an engine that loops. */
	for (size_t guard = 0; ev != SESSION_DONE && ev != SESSION_FAILED; guard++) {
		if (guard > 10000 + 4 * size)
			__builtin_trap();
		ev = step(s, ev, &r);
	}
	res = session_result(s);
	if (res->ok != (ev == SESSION_DONE) || (res->ok && res->failure != SESSION_FAILURE_NONE))
		__builtin_trap();
	(void)session_stage_name(session_stage(s));
	(void)session_caps(s);
	session_free(s);
	return 0;
}
