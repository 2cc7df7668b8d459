/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation failures in the mail layer (torture.h), through its public
 * functions: address lists and envelope checks. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "mail/address.h"
#include "tap.h"
#include "torture.h"

static char dir[] = "/tmp/test-torture-mail.XXXXXX";

/* Append to the text of a step: what the test prints must not allocate,
 * or its own allocations would be made to fail. */
static void say(char *s, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *s, size_t size, const char *fmt, ...)
{
	size_t used = strlen(s);
	va_list ap;

	va_start(ap, fmt);
	if (used < size)
		vsnprintf(s + used, size - used, fmt, ap);
	va_end(ap);
}

/* A step that gave an address list: the addresses joined by spaces, or
 * the error; true when that error is out of memory. */
static bool end_list(const char *what, int rc, const struct addrlist *l, const struct error *err)
{
	char text[500] = "";

	for (size_t i = 0; i < l->n; i++)
		say(text, sizeof(text), "%s%s", i > 0 ? " " : "", l->v[i]);
	if (rc == 0)
		return torture_step_end(false, "%s: [%s]", what, text);
	return torture_step_end(torture_is_oom(err), "%s: %s", what, torture_outcome(err));
}

/* A step whose only failure is out of memory, told by a NULL result. */
static bool end_nomem_str(const char *what, char *s)
{
	bool oom = s == NULL;

	torture_step_end(oom, "%s: %s", what, s != NULL ? s : "(out of memory)");
	free(s);
	return oom;
}

/* ---- addresses ------------------------------------------------------- */

static const char *const address_lists[] = {
	"joe@example.com",
	"\"Joe Q. Public\" <joe@example.com>, amy@example.org (Amy), <@route,@r2:rt@x.example>",
	"friends: a@x.example, \"b c\"@x.example;, undisclosed-recipients:;, last@x.example",
	"a-local-part-long-enough-to-grow-the-candidate-buffer@a-long-domain.example",
	"a1@x, a2@x, a3@x, a4@x, a5@x, a6@x, a7@x, a8@x, a9@x, a10@x, a11@x, a12@x, a13@x, "
	"a14@x, a15@x, a16@x, a17@x",
	"x@[IPv6:2001:db8::1], \"q\\\"uote\"@x (a (nested) comment)",
	"bad (unterminated",
	"two words <no-close",
	"Name Only",
	"a >b",
	NULL,
};

/* An address of 999 bytes, one past the cap: a fault of the input,
 * which a failed allocation must not be taken for (main fills it). */
static char address_999[1000];

static void run_address(const void *arg)
{
	static const char *const envelope[] = { "joe@example.com", "",	   "-oQ@x",
						"a b@x",	   "joe@", "\"open@x" };
	struct addrlist l = { 0 };
	struct error err = { 0 };
	char what[32];
	int rc;

	(void)arg;
	for (size_t i = 0; address_lists[i] != NULL; i++) {
		torture_step_begin();
		rc = address_parse_list(address_lists[i], strlen(address_lists[i]), &l, &err);
		snprintf(what, sizeof(what), "list %zu", i);
		if (end_list(what, rc, &l, &err))
			goto done;
		addrlist_fini(&l);
	}
	torture_step_begin();
	rc = address_parse_list(address_999, strlen(address_999), &l, &err);
	if (end_list("999 bytes", rc, &l, &err))
		goto done;
	for (size_t i = 0; i < sizeof(envelope) / sizeof(envelope[0]); i++) {
		torture_step_begin();
		rc = address_check_envelope(envelope[i], i == 1, &err);
		torture_step_end(false, "envelope \"%s\": %s", envelope[i],
				 rc == 0 ? "ok" : torture_outcome(&err));
	}
	torture_step_begin();
	if (end_nomem_str("qualify", address_qualify("root", "example.com")))
		goto done;
	torture_step_begin();
	rc = addrlist_add_unique(&l, "a@Example.COM");
	if (rc == 0)
		rc = addrlist_add_unique(&l, "a@example.com");
	if (rc == 0)
		rc = addrlist_add_unique(&l, "A@example.com");
	torture_step_end(rc < 0, "unique: %d, %zu addresses", rc, l.n);
done:
	addrlist_fini(&l);
}

static void test_addresses(void)
{
	memset(address_999, 'a', sizeof(address_999) - 1);
	memcpy(address_999 + sizeof(address_999) - 6, "@x.ex", 5);
	torture_run("addresses", run_address, NULL);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	if (!torture_init(dir)) {
		ok(false, "capturing stderr: %s", strerror(errno));
		return tap_done();
	}
	test_addresses();
	torture_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}
