/* SPDX-License-Identifier: GPL-3.0-or-later */
/* app: -bv prints the envelope after rewriting and the relays in the
 * order they would be tried, with TLS level and AUTH, without connecting. */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/submit.h"
#include "app/verify.h"
#include "base/log.h"
#include "conf/config.h"
#include "tap.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static char pwfile[] = "/tmp/relaymail-test-verify.XXXXXX";

/* Run -bv with argv over the configuration text; the report, malloc'd,
 * or NULL on failure (err filled). */
static char *bv(char **argv, const char *conf, struct error *err)
{
	struct submission sub;
	struct context *ctx;
	struct options o;
	struct config *cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int argc = 0, rc;

	while (argv[argc] != NULL)
		argc++;
	error_clear(err);
	if (cli_parse(argc, argv, &o, err) < 0)
		return NULL;
	cfg = config_parse("test.cf", conf, strlen(conf), (char *[]){ NULL }, err);
	if (cfg == NULL)
		return NULL;
	ctx = context_open(cfg, err);
	if (ctx == NULL) {
		config_free(cfg);
		return NULL;
	}
	submit_from_options(&o, &sub);
	out = open_memstream(&text, &len);
	rc = verify_run(ctx, &sub, out, err);
	fclose(out);
	context_free(ctx);
	if (rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void check(char **argv, const char *conf, const char *want, const char *name)
{
	struct error err = { 0 };
	char *got = bv(argv, conf, &err);

	if (got == NULL)
		diag("error: %s", err.text);
	is_str(got, want, "%s", name);
	free(got);
}

static void test_reports(void)
{
	char conf[2048];
	const struct passwd *pw = getpwuid(getuid());
	char want[1024];

	snprintf(conf, sizeof(conf),
		 "relayhost = [smtp.example.com]:587\n"
		 "smtp_fallback_relay = backup.example.net, [192.0.2.1]:smtps\n"
		 "myhostname = host.example.org\n"
		 "myorigin = example.org\n"
		 "smtp_sasl_auth_enable = yes\n"
		 "smtp_sasl_password_maps = texthash:%s\n"
		 "smtp_tls_security_level = verify\n",
		 pwfile);
	check(ARGV("sendmail", "-bv", "-f", "Me <me@example.org>", "root",
		   "\"A, B\" <ab@x.example>, c@BÜCHER.example"),
	      conf,
	      "sender: <me@example.org>\n"
	      "recipient: <root@example.org>\n"
	      "recipient: <ab@x.example>\n"
	      "recipient: <c@xn--bcher-kva.example>\n"
	      "relay 1: [smtp.example.com]:587 (tls: verify, auth: yes as login@isp.example)\n"
	      "relay 2: backup.example.net (fallback, tls: verify, auth: no entry in "
	      "smtp_sasl_password_maps)\n"
	      "relay 3: [192.0.2.1]:smtps (fallback, tls: smtps+verify, auth: yes as second@isp)\n",
	      "-bv: rewritten envelope, three relays in order, TLS and AUTH of each; port 465 is "
	      "SMTPS");
	check(ARGV("sendmail", "-bv", "-f", "me@example.org", "x@y.example"),
	      "relayhost = [smtp.example.com]:587\n"
	      "smtp_fallback_relay = [a.example]:465, [b.example]:2465\n",
	      "sender: <me@example.org>\n"
	      "recipient: <x@y.example>\n"
	      "relay 1: [smtp.example.com]:587 (tls: verify-if-offered, auth: no)\n"
	      "relay 2: [a.example]:465 (fallback, tls: smtps+verify, auth: no)\n"
	      "relay 3: [b.example]:2465 (fallback, tls: verify-if-offered, auth: no)\n",
	      "-bv: the port rule is per relay: STARTTLS on 587, SMTPS on 465, STARTTLS elsewhere");
	check(ARGV("sendmail", "-bv", "-f", "me@example.org", "x@y.example"),
	      "relayhost = [a.example]:465\nsmtp_tls_wrappermode = no\n",
	      "sender: <me@example.org>\n"
	      "recipient: <x@y.example>\n"
	      "relay 1: [a.example]:465 (tls: verify-if-offered, auth: no)\n",
	      "-bv: an explicit smtp_tls_wrappermode = no keeps STARTTLS on port 465");
	check(ARGV("sendmail", "-bv", "-f", "<>", "x@y.example"),
	      "relayhost = [relay.example]\nsmtp_tls_wrappermode = yes\n"
	      "smtp_tls_security_level = encrypt\n",
	      "sender: <>\n"
	      "recipient: <x@y.example>\n"
	      "relay 1: [relay.example] (tls: smtps+encrypt, auth: no)\n",
	      "-bv: null sender, wrapper mode, SASL off");
	check(ARGV("sendmail", "-bv", "-f", "MAILER-DAEMON", "x@y.example"),
	      "relayhost = relay.example\nmyorigin = example.org\n",
	      "sender: <>\n"
	      "recipient: <x@y.example>\n"
	      "relay 1: relay.example (tls: verify-if-offered, auth: no)\n",
	      "-bv: mailer-daemon@$myorigin is the null sender; the unset TLS level");
	snprintf(want, sizeof(want),
		 "sender: <%s@o.example>\nrecipient: <x@o.example>\n"
		 "relay 1: [r.example]:2525 (tls: none, auth: no)\n",
		 pw != NULL ? pw->pw_name : "?");
	check(
	    ARGV("mailq", "-bv", "x"),
	    "relayhost = [r.example]:2525\nmyorigin = o.example\nsmtp_tls_security_level = none\n",
	    want, "-bv: the login as sender, qualified; -bv after mailq wins");
}

/* The route follows the envelope, as a submission's would. */
static void test_sender_dependent(void)
{
	static const char conf[] = "relayhost = [smtp.example.com]:587\n"
				   "sender_dependent_relayhost_maps = "
				   "inline:{ me@example.org=[special.example]:2525 }\n"
				   "myorigin = example.org\n";

	check(ARGV("sendmail", "-bv", "-f", "me@example.org", "x@y.example"), conf,
	      "sender: <me@example.org>\n"
	      "recipient: <x@y.example>\n"
	      "relay 1: [special.example]:2525 (tls: verify-if-offered, auth: no)\n",
	      "-bv: sender_dependent_relayhost_maps picks the relay for this sender");
	check(ARGV("sendmail", "-bv", "-f", "other", "x@y.example"), conf,
	      "sender: <other@example.org>\n"
	      "recipient: <x@y.example>\n"
	      "relay 1: [smtp.example.com]:587 (tls: verify-if-offered, auth: no)\n",
	      "-bv: another sender gets relayhost");
}

static void test_failures(void)
{
	struct error err = { 0 };
	char *got;

	got = bv(ARGV("sendmail", "-bv", "a@b.example"), "myorigin = x.example\n", &err);
	ok(got == NULL && err.cls == ERROR_CONFIG, "-bv without relayhost: configuration error");
	ok(strstr(err.text, "relayhost is not set") != NULL, "-bv: the message names relayhost");
	free(got);
	got = bv(ARGV("sendmail", "-bv"), "relayhost = r.example\n", &err);
	ok(got == NULL && err.cls == ERROR_USAGE, "-bv without recipients: usage error");
	free(got);
	got = bv(ARGV("sendmail", "-bv", "a@b.example"),
		 "relayhost = r.example\nsmtp_tls_security_level = dane-only\n", &err);
	ok(got == NULL && err.cls == ERROR_CONFIG, "-bv with level dane-only: configuration error");
	free(got);
	got = bv(ARGV("sendmail", "-bv", "a@b.example"),
		 "relayhost = r.example\nsmtp_sasl_auth_enable = yes\n"
		 "smtp_sasl_password_maps = texthash:/nonexistent/relaymail/pw\n",
		 &err);
	ok(got == NULL && err.cls == ERROR_CONFIG, "-bv with a missing password file: error");
	free(got);
}

int main(void)
{
	int fd;

	log_init("sendmail", 0);
	fd = mkstemp(pwfile);
	if (fd < 0 || fchmod(fd, 0600) < 0 ||
	    dprintf(fd, "[smtp.example.com]:587 login@isp.example:secret\n"
			"[192.0.2.1]:smtps second@isp:pw2\n") < 0) {
		diag("cannot write %s", pwfile);
		return 1;
	}
	close(fd);
	test_reports();
	test_sender_dependent();
	test_failures();
	unlink(pwfile);
	return tap_done();
}
