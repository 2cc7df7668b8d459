/* SPDX-License-Identifier: GPL-3.0-or-later */
/* auth/sasl without GNU SASL: this program's copy of gsasl_lib.c loads a
 * file that does not exist (local.mk), as on a host where libgsasl was
 * removed. PLAIN, LOGIN and OAuth still work; a relay that offers only
 * mechanisms of the library gets the reason, not "no mechanism". */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "auth/sasl.h"
#include "base/error.h"
#include "tap.h"

static const char *choose(const char *offered, struct error *err)
{
	static char mech[32];
	struct sasl_choice c = { .offered = offered, .tls = true };

	error_clear(err);
	if (sasl_choose(&c, mech, sizeof(mech), err) < 0)
		return NULL;
	return mech;
}

int main(void)
{
	struct sasl_params p = { .mech = "PLAIN",
				 .user = "user@isp.test",
				 .password = "secret",
				 .service = "smtp",
				 .host = "smtp.isp.test" };
	struct error err = { 0 };
	const char *mech;
	char *r = NULL;
	struct sasl *s;

	mech = choose("SCRAM-SHA-256 PLAIN LOGIN", &err);
	is_str(mech, "PLAIN", "SCRAM offered but the library missing: PLAIN (%s)", err.text);
	mech = choose("LOGIN", &err);
	is_str(mech, "LOGIN", "LOGIN needs no library");
	mech = choose("SCRAM-SHA-256 CRAM-MD5", &err);
	ok(mech == NULL && err.cls == ERROR_CONFIG &&
	       strstr(err.text, "cannot load the GNU SASL library: libgsasl-missing.so.0: ") !=
		   NULL &&
	       strstr(err.hint, "libgsasl-missing.so.0") != NULL,
	   "only library mechanisms: the load error is the reason (%s)", err.text);
	s = sasl_new(&p, &err);
	ok(s != NULL && sasl_step(s, NULL, &r, &err) == 0 &&
	       strcmp(r, "AHVzZXJAaXNwLnRlc3QAc2VjcmV0") == 0,
	   "a PLAIN session runs without the library");
	free(r);
	sasl_free(s);
	p.mech = "CRAM-MD5";
	error_clear(&err);
	s = sasl_new(&p, &err);
	ok(s == NULL && err.cls == ERROR_CONFIG && strstr(err.text, "libgsasl-missing") != NULL,
	   "a CRAM-MD5 session says the library cannot be loaded (%s)", err.text);
	return tap_done();
}
