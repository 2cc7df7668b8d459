/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: SASL challenges from the relay (auth/sasl.c, auth/oauth.c,
 * and libgsasl behind them), without a network. The first byte chooses
 * the mechanism: PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256,
 * SCRAM-SHA-256-PLUS (with fixed channel binding data), XOAUTH2 or
 * OAUTHBEARER; the rest, cut at line ends, is the relay's challenges, one
 * a line, as raw bytes the harness encodes in base64 (a line starting with
 * '!' goes as it is, to reach the base64 decoder). In a SCRAM
 * server-first message "%n" stands for the client's nonce, which is
 * random, so that the fuzzer reaches the salt, the iteration count and
 * the server signature; the run is otherwise the same whatever the
 * nonce. The whole input is also given to sasl_choose as the
 * mechanisms a relay offered.
 *
 * Any iteration count is sent: sasl.c refuses a SCRAM count over its cap
 * before libgsasl hashes anything, so no challenge pins the CPU.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/sasl
 *	nice -n 19 fuzz/fuzz-sasl -max_total_time=120 \
 *	    work/sasl ../fuzz/corpus/sasl
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "fuzz.h"
#include "auth/sasl.h"

static const char *const mechs[] = {
	"PLAIN",   "LOGIN",	  "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
	"XOAUTH2", "OAUTHBEARER",
};

static const unsigned char cb_data[32] = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz";

/* The r= value of a SCRAM client-first message, base64-encoded in b64. */
static char *client_nonce(const char *b64)
{
	size_t len = strlen(b64);
	unsigned char *raw = malloc(len / 4 * 3 + 1);
	long n;
	char *nonce = NULL, *r, *end;

	if (raw == NULL)
		abort();
	n = fuzz_base64_decode(b64, len, raw);
	if (n >= 0) {
		raw[n] = '\0';
		r = strstr((char *)raw, ",r=");
		if (r != NULL) {
			end = strchr(r + 3, ',');
			nonce = fuzz_strndup((const uint8_t *)r + 3,
					     end != NULL ? (size_t)(end - r - 3) : strlen(r + 3));
		}
	}
	free(raw);
	return nonce;
}

/* The challenge of one line: "%n" replaced by the nonce, base64. */
static char *challenge(const char *line, size_t len, const char *nonce)
{
	struct buf raw = { 0 };
	char *b64;

	for (size_t i = 0; i < len; i++) {
		if (nonce != NULL && line[i] == '%' && i + 1 < len && line[i + 1] == 'n') {
			buf_append_str(&raw, nonce);
			i++;
		} else {
			buf_append_char(&raw, line[i]);
		}
	}
	b64 = fuzz_base64(raw.data != NULL ? raw.data : "", raw.len);
	buf_fini(&raw);
	return b64;
}

static void choose(const uint8_t *data, size_t size)
{
	struct sasl_choice c = { 0 };
	struct error err = { 0 };
	char *offered = fuzz_strndup(data, size);
	char mech[64];

	c.offered = offered;
	c.tls = size % 2 == 0;
	c.channel_binding = size % 3 == 0;
	c.oauth = size % 5 == 0;
	c.options = SASL_NOANONYMOUS | (size % 7 == 0 ? SASL_NOPLAINTEXT : 0);
	(void)sasl_choose(&c, mech, sizeof(mech), &err);
	free(offered);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sasl_params p = {
		.user = "alice",
		.password = "pencil",
		.service = "smtp",
		.host = "mx.example",
		.port = 587,
		.token = "ya29.fuzz-token",
	};
	struct error err = { 0 };
	const char *in, *end;
	char *response = NULL, *nonce = NULL;
	struct sasl *s;

	fuzz_init();
	if (size < 1)
		return 0;
	choose(data, size);
	p.mech = mechs[data[0] % (sizeof(mechs) / sizeof(mechs[0]))];
	if (strstr(p.mech, "-PLUS") != NULL) {
		p.cb_type = "tls-exporter";
		p.cb_data = cb_data;
		p.cb_len = sizeof(cb_data);
	}
	s = sasl_new(&p, &err);
	if (s == NULL)
		return 0;
	(void)sasl_is_oauth(p.mech);
	if (sasl_has_initial_response(p.mech)) {
		if (sasl_step(s, NULL, &response, &err) < 0)
			goto done;
		if (strncmp(p.mech, "SCRAM", 5) == 0)
			nonce = client_nonce(response);
		free(response);
		response = NULL;
	}
	in = (const char *)data + 1;
	end = (const char *)data + size;
	while (in < end) {
		const char *lf = memchr(in, '\n', (size_t)(end - in));
		size_t len = lf != NULL ? (size_t)(lf - in) : (size_t)(end - in);
		char *b64;
		int rc;

		if (len > 0 && in[0] == '!')
			b64 = fuzz_strndup((const uint8_t *)in + 1, len - 1);
		else
			b64 = challenge(in, len, nonce);
		rc = sasl_step(s, b64, &response, &err);
		free(b64);
		free(response);
		response = NULL;
		if (rc < 0)
			break;
		in += len + 1;
	}
done:
	(void)sasl_failure_detail(s);
	sasl_free(s);
	free(nonce);
	return 0;
}
