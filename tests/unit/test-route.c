/* SPDX-License-Identifier: GPL-3.0-or-later */
/* deliver/route: Postfix destination syntax (reference/postfix.md §9.5). */
#include <config.h>

#include <string.h>

#include "deliver/route.h"
#include "tap.h"

static const char *known = "lmtp=24, smtp=25, smtps=submissions=465, submission=587";

static void good(const char *spec, const char *host, unsigned port, bool mx)
{
	struct destination d;
	struct error err = { 0 };

	if (!ok(destination_parse(spec, "smtp", known, &d, &err) == 0, "%s parses", spec)) {
		diag("%s", err.text);
		return;
	}
	is_str(d.host, host, "%s: host", spec);
	is_int(d.port, port, "%s: port", spec);
	is_int(d.mx, mx, "%s: MX lookup %s", spec, mx ? "wanted" : "not wanted");
	destination_fini(&d);
}

static void bad(const char *spec, const char *words)
{
	struct destination d;
	struct error err = { 0 };

	ok(destination_parse(spec, "smtp", known, &d, &err) < 0 && err.cls == ERROR_CONFIG,
	   "%s refused", spec);
	ok(strstr(err.text, words) != NULL, "%s: message says %s", spec, words);
}

int main(void)
{
	good("[smtp.example.com]:587", "smtp.example.com", 587, false);
	good("[smtp.example.com]", "smtp.example.com", 25, false);
	good("[smtp.example.com]:submissions", "smtp.example.com", 465, false);
	good("[smtp.example.com]:submission", "smtp.example.com", 587, false);
	good("[smtp.example.com]:smtps", "smtp.example.com", 465, false);
	good("smtp.example.com:587", "smtp.example.com", 587, true);
	good("example.com", "example.com", 25, true);
	good("[192.0.2.1]:2525", "192.0.2.1", 2525, false);
	good("[ipv6:2001:db8::1]:587", "2001:db8::1", 587, false);
	good("[2001:db8::1]:587", "2001:db8::1", 587, false);
	good("[b\xc3\xbc"
	     "cher.example]:587",
	     "xn--bcher-kva.example", 587, false);
	bad("[smtp.example.com", "missing \"]\"");
	bad("[smtp.example.com]x", "garbage after \"]\"");
	bad("smtp.example.com:58x", "garbage after numerical service");
	bad("[smtp.example.com]:0", "bad port");
	bad("[smtp.example.com]:70000", "bad port");
	bad("[smtp.example.com]:nosuchservice", "unknown service");
	bad("[]:587", "missing host");
	return tap_done();
}
