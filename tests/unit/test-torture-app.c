/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation failures in the app layer (torture.h), through its public
 * functions: the context opened over configurations of every kind
 * (relays and fallbacks, SASL with a password table and a mechanism
 * filter, canonical maps and aliases over inline: and regexp: tables,
 * transport and sender-dependent routes, bind addresses, TLS levels) and
 * over bad values; envelopes for -t messages, aliases, canonical
 * rewriting, added fields, UTF-8 and bad arguments; -bv reports, routes
 * and credentials included; and the failover walk over a DNS that fails,
 * so that nothing connects. Every run parses its configuration and opens
 * its context itself: the context loads some things on first use (the
 * host's own addresses), which a run must not leave behind for the next. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/cli.h"
#include "app/context.h"
#include "app/envelope.h"
#include "app/submit.h"
#include "app/verify.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "deliver/deliver.h"
#include "mail/message.h"
#include "net/mx.h"
#include "tap.h"
#include "torture.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define LIST(...) ((const char *const[]){ __VA_ARGS__ })
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[] = "/tmp/test-torture-app.XXXXXX";
static char *const noenv[] = { NULL };

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

/* ---- configurations -------------------------------------------------- */

/* What every configuration starts with: fixed names, the host's own
 * address fixed (no interface list), no system alias file. "@D@" stands
 * for the scratch folder that holds the table files. */
#define BASE                                                                                       \
	"myhostname = host.example.org\nmydomain = example.org\nmyorigin = example.org\n"          \
	"mydestination = $myorigin, localhost\ninet_interfaces = 127.0.0.1\n"                      \
	"recipient_delimiter = +\n"

static const struct file {
	const char *name, *text;
} files[] = {
	{ "sender.re", "# the legacy domain moved\n"
		       "/^(.*)@legacy\\.example$/\t${1}@modern.example\n"
		       "/^postmaster@(.*)$/\thostmaster@$1\n" },
	{ "rcpt.re", "/^bob@(.*)$/\trobert@$1\n"
		     "/^(.*)@legacy\\.example$/\t$1@modern.example\n" },
	{ "relay.re", "/@regexp\\.example$/\t[re.example]:2525\n"
		      "/^odd@/\t[odd.example]junk\n" },
	{ "mechs.re", "/^scram-/\tok\n" },
	{ "bad.re", "/(unclosed/\tx\n" },
};

static const char cf_relays[] =
    BASE "relayhost = [smtp.example.com]:submission\n"
	 "smtp_fallback_relay = backup.example.net:2525, [backup2.example.net]:smtps,\n"
	 "    [ipv6:2001:db8::1]:587, b\xc3\xbc"
	 "cher.example, [mine.example]:custom\n"
	 "known_tcp_ports = lmtp=24, smtp=25, smtps=submissions=465, submission=587, "
	 "custom=2526\n"
	 "alias_maps =\n";

static const char cf_sasl[] =
    BASE "relayhost = [smtp.example.com]:587\n"
	 "smtp_fallback_relay = backup.example.net\n"
	 "smtp_sasl_auth_enable = yes\n"
	 "smtp_sasl_password_maps = inline:{ {[smtp.example.com]:587 = login@isp.example:s3cret},\n"
	 "    {backup.example.net = second:pw}, {joe@example.org = joe:pw} }\n"
	 "smtp_sender_dependent_authentication = yes\n"
	 "smtp_sasl_mechanism_filter = !gssapi, inline:{ plain=yes, login=yes },\n"
	 "    regexp:@D@/mechs.re, xoauth2\n"
	 "smtp_sasl_tls_security_options = noanonymous\n"
	 "smtp_tls_security_level = encrypt\n"
	 "alias_maps =\n";

static const char cf_rewrite[] = BASE
    "relayhost = [smtp.example.com]:587\n"
    "sender_canonical_maps = inline:{ joe@example.org=joe@isp.example,\n"
    "    @old.example=@new.example }, regexp:@D@/sender.re\n"
    "recipient_canonical_maps = regexp:@D@/rcpt.re, inline:{ amy@else.example=amy@new.example }\n"
    "alias_maps = inline:{ {root = admin@example.com, ops}, {ops = oncall@example.com,\n"
    "    pager@example.com, root}, {postmaster = root} }\n";

static const char cf_routes[] =
    BASE "relayhost = [smtp.example.com]:587\n"
	 "transport_maps = inline:{ t@transport.example=smtp:[tr.example]:2525,\n"
	 "    {other.example = relay:[other-relay.example]} }\n"
	 "sender_dependent_relayhost_maps = inline:{ special@example.org=[special.example]:2525,\n"
	 "    broken@example.org=[broken, @dunno.example=DUNNO, {<> = [bounce.example]} },\n"
	 "    regexp:@D@/relay.re\n"
	 "smtp_fallback_relay = backup.example.net\n"
	 "smtp_sasl_auth_enable = yes\n"
	 "smtp_sasl_password_maps = inline:{ {[smtp.example.com]:587 = login@isp.example:pw},\n"
	 "    {special@example.org = special:pw}, {re.example = re:pw}, {nocolon@example.org = "
	 "nocolon} }\n"
	 "smtp_sender_dependent_authentication = yes\n"
	 "alias_maps =\n";

static const char cf_bind[] =
    BASE "relayhost = [smtp.example.com]:587\n"
	 "proxy_interfaces = 192.0.2.20, [2001:db8::20]\n"
	 "smtp_bind_address = 192.0.2.10\n"
	 "smtp_bind_address6 = [2001:db8::10]\n"
	 "smtp_bind_address_enforce = yes\n"
	 "inet_protocols = ipv4, ipv6\n"
	 "smtp_address_preference = ipv6\n"
	 "smtp_helo_name = [192.0.2.10]\n"
	 "smtp_tls_security_level = verify\n"
	 "smtp_tls_verify_cert_match = hostname, dot-nexthop, .example.com\n"
	 "alias_maps =\n";

static const char cf_fingerprint[] =
    BASE "relayhost = [smtp.example.com]:587\n"
	 "smtp_tls_security_level = fingerprint\n"
	 "smtp_tls_fingerprint_digest = sha256\n"
	 "smtp_tls_fingerprint_cert_match =\n"
	 "    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef,\n"
	 "    AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
	 "23:45:67:89\n"
	 "smtp_tls_protocols = !TLSv1, !TLSv1.1\n"
	 "smtp_tls_mandatory_protocols = >=TLSv1.2\n"
	 "alias_maps =\n";

static const char cf_secure[] =
    BASE "relayhost = [smtp.example.com]\n"
	 "smtp_fallback_relay = [192.0.2.1]\n"
	 "smtp_tls_security_level = secure\n"
	 "smtp_tls_wrappermode = yes\n"
	 "smtp_tls_secure_cert_match = nexthop, dot-nexthop, mx.example.com\n"
	 "smtp_tls_servername = hostname\n"
	 "alias_maps =\n";

static const char cf_walk[] =
    BASE "relayhost = relay.example\n"
	 "smtp_fallback_relay = [backup.example]:587, backup2.example:2525\n"
	 "transport_maps = inline:{ t@transport.example=smtp:[tr.example]:2525 }\n"
	 "sender_dependent_relayhost_maps = inline:{ broken@example.org=[broken },\n"
	 "    regexp:@D@/relay.re\n"
	 "smtp_tls_security_level = secure\n"
	 "smtp_tls_secure_cert_match = nexthop, dot-nexthop, .example.com\n"
	 "smtp_sasl_auth_enable = yes\n"
	 "smtp_sasl_password_maps = inline:{ relay.example=u:p }\n"
	 "smtp_sender_dependent_authentication = yes\n"
	 "alias_maps =\n";

/* Each fails at start, but for a bad regexp, which Postfix skips with a
 * warning. */
static const char *const bad_configurations[] = {
	BASE "relayhost = [smtp.example.com\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_tls_security_level = dane\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_tls_security_level = fingerprint\n"
	     "smtp_tls_fingerprint_digest = sha256\nsmtp_tls_fingerprint_cert_match = 01:zz\n"
	     "alias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_tls_security_level = fingerprint\n"
	     "alias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_bind_address = host.example.org\n"
	     "alias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nrelaymail_deadline = soon\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]:nosuchservice\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_sasl_mechanism_filter = regexp:@D@/nowhere.re\n"
	     "alias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsender_canonical_maps = regexp:@D@/bad.re\n"
	     "alias_maps = inline:{ {root = a@x.example, b@x.example} }\n",
	BASE "relayhost = [smtp.example.com]\nalias_maps = regexp:@D@/nowhere.re\n",
	BASE "relayhost = [smtp.example.com]\ntransport_maps = nosuchtype:x\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\n"
	     "smtp_tls_mandatory_protocols = >=TLSv1.3, <=TLSv1.2\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nknown_tcp_ports = smtp=25, =587\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_sasl_security_options = noanonymous, bogus\n"
	     "alias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nsmtp_dns_support_level = bogus\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\ninet_protocols = ipv5\nalias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nproxy_interfaces = [not an address]\n"
	     "alias_maps =\n",
	BASE "relayhost = [smtp.example.com]\nmyhostname = bad name!\nalias_maps =\n",
	BASE "relayhost =\nalias_maps =\n",
};

/* Which configuration a scenario runs over. */
enum cf { CF_RELAYS, CF_SASL, CF_REWRITE, CF_ROUTES, CF_BIND, CF_FINGERPRINT, CF_SECURE, CF_WALK };

static const struct {
	const char *name, *text;
} configurations[] = {
	[CF_RELAYS] = { "context: relayhost and fallbacks", cf_relays },
	[CF_SASL] = { "context: SASL", cf_sasl },
	[CF_REWRITE] = { "context: canonical maps and aliases", cf_rewrite },
	[CF_ROUTES] = { "context: transport and sender-dependent routes", cf_routes },
	[CF_BIND] = { "context: bind addresses, TLS verify", cf_bind },
	[CF_FINGERPRINT] = { "context: TLS fingerprint", cf_fingerprint },
	[CF_SECURE] = { "context: TLS secure in wrapper mode", cf_secure },
	[CF_WALK] = { "deliver_run", cf_walk },
};

/* A configuration with "@D@" replaced, made before the runs. */
struct conf {
	char text[4096];
};

static struct conf confs[COUNT(configurations)], bad[COUNT(bad_configurations)];

static void conf_init(struct conf *c, const char *text)
{
	size_t n = 0, dlen = strlen(dir);

	for (const char *p = text; *p != '\0' && n + dlen < sizeof(c->text);) {
		if (strncmp(p, "@D@", 3) == 0) {
			memcpy(c->text + n, dir, dlen);
			n += dlen;
			p += 3;
		} else {
			c->text[n++] = *p++;
		}
	}
	c->text[n] = '\0';
}

/* Parse text and open its context, as one step; NULL when either failed. */
static struct context *open_step(const char *text)
{
	struct error err = { 0 };
	struct context *ctx;
	struct config *cfg;

	torture_step_begin();
	cfg = config_parse("test.cf", text, strlen(text), noenv, &err);
	ctx = cfg != NULL ? context_open(cfg, &err) : NULL;
	if (ctx != NULL) {
		torture_step_end(false, "context: ok");
		return ctx;
	}
	config_free(cfg);
	torture_step_end(torture_is_oom(&err), "context: %s", torture_outcome(&err));
	return NULL;
}

/* ---- what a context holds -------------------------------------------- */

static void end_destinations(const char *what, const struct destination *v, size_t n)
{
	char text[600] = "";

	for (size_t i = 0; i < n; i++)
		say(text, sizeof(text), " %s=%s:%u%s%s%s", v[i].spec, v[i].host, v[i].port,
		    v[i].mx ? "/mx" : "", v[i].literal ? "/literal" : "",
		    v[i].fallback ? "/fallback" : "");
	torture_step_end(false, "%s:%s", what, text);
}

static void end_list(const char *what, char **v)
{
	char text[600] = "";

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		say(text, sizeof(text), " %s", v[i]);
	torture_step_end(false, "%s:%s", what, v != NULL ? text : " (none)");
}

/* The settings of each layer, one step each. */
static void describe(const struct context *ctx)
{
	const struct route_settings *r = &ctx->deliver.route;
	const struct policy *p = &ctx->deliver.policy;
	const struct tls_settings *t = &p->tls;
	const struct envelope_settings *e = &ctx->envelope;
	const struct message_opts *mo = &ctx->intake;

	torture_step_begin();
	end_destinations("relayhost", r->relayhost, r->nrelayhost);
	torture_step_begin();
	end_destinations(r->fallback_param, r->fallback, r->nfallback);
	torture_step_begin();
	torture_step_end(false,
			 "tables: transport %zu, sender relay %zu, passwords %zu, filter %s, "
			 "sender auth %d",
			 maps_count(r->transport), maps_count(r->sender_relay),
			 p->sasl.passwords != NULL ? maps_count(p->sasl.passwords) : 0,
			 p->sasl.filter != NULL ? "yes" : "no", r->sender_auth);
	torture_step_begin();
	torture_step_end(false, "sasl options %x %x %x, token timeout %ld", p->sasl.options[0],
			 p->sasl.options[1], p->sasl.options[2], p->sasl.token_timeout);
	torture_step_begin();
	torture_step_end(false, "tls: %s, mode %d, verify %d, %s, digest %s, servername \"%s\"",
			 t->level, (int)t->mode, (int)t->verify, t->priority,
			 t->digest != NULL ? t->digest : "-", t->servername);
	torture_step_begin();
	end_list("tls names", t->match);
	torture_step_begin();
	end_list("fingerprints", t->fingerprints);
	torture_step_begin();
	torture_step_end(false,
			 "bind %s %s enforce %d, helo %s, mx %d, limit %d, family %d prefer %d",
			 p->bind.has_v4 ? p->bind.v4.text : "-",
			 p->bind.has_v6 ? p->bind.v6.text : "-", p->bind.enforce, p->helo_name,
			 p->mx_lookups, p->address_limit, (int)p->family, (int)p->prefer);
	torture_step_begin();
	torture_step_end(false, "names %s %s, utf8 %d; limits %zu %zu %zu; %ld ms, %ld ms",
			 e->myorigin, e->myhostname, e->smtputf8, mo->header_max, mo->size_max,
			 mo->line_max, ctx->deadline, ctx->smtpd_timeout);
}

/* ---- -bv ------------------------------------------------------------- */

/* -bv for argv over ctx as one step: the report, or the error after what
 * was printed before it. true when it failed for want of memory. */
static bool verify_step(const struct context *ctx, char **argv)
{
	struct error err = { 0 };
	struct submission sub;
	struct options o;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int argc = 0, rc;
	bool oom;

	while (argv[argc] != NULL)
		argc++;
	torture_step_begin();
	if (cli_parse(argc, argv, &o, &err) < 0)
		return torture_step_end(torture_is_oom(&err), "%s: %s", argv[argc - 1],
					torture_outcome(&err));
	submit_from_options(&o, &sub);
	out = open_memstream(&text, &len);
	if (out == NULL)
		return torture_step_end(false, "open_memstream: %s", strerror(errno));
	rc = verify_run(ctx, &sub, out, &err);
	fclose(out);
	if (rc == 0)
		oom = torture_step_end(false, "%s", text);
	else
		oom = torture_step_end(torture_is_oom(&err), "%s\n%s", torture_outcome(&err), text);
	torture_free_foreign(text);
	return oom;
}

/* ---- context_open ---------------------------------------------------- */

/* Open, show what was read, use it once for -bv, free. */
static void run_context(const void *arg)
{
	const struct conf *c = arg;
	struct context *ctx = open_step(c->text);

	if (ctx == NULL)
		return;
	describe(ctx);
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "joe@example.org", "root",
			      "amy@else.example, bob@legacy.example"));
	context_free(ctx);
}

/* One step each, so a failure for want of memory need not stop the
 * others. */
static void run_bad(const void *arg)
{
	const struct conf *v = arg;

	for (size_t i = 0; i < COUNT(bad_configurations); i++)
		context_free(open_step(v[i].text));
}

/* ---- envelope_build -------------------------------------------------- */

struct ecase {
	const char *name;
	const char *msg;
	struct submission sub;
	bool fields; /* show the header fields afterwards */
};

static const char msg_t[] = "From: Joe <joe@example.org>\n"
			    "To: root, Bob <bob@else.example>, friends: amy@else.example;\n"
			    "Cc: x@legacy.example, \"Old\" <o@old.example>\n"
			    "Bcc: hidden@legacy.example\n"
			    "Reply-To: postmaster\n"
			    "Subject: report\n"
			    "\nbody\n";

static const char msg_resent[] = "From: a@example.org\n"
				 "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
				 "Message-ID: <1@example.org>\n"
				 "To: old@example.org\n"
				 "Resent-To: ops, q@old.example\n"
				 "Resent-Cc: bob@else.example\n"
				 "Resent-Bcc: secret@else.example\n"
				 "Subject: fwd\n"
				 "\nbody\n";

static const char msg_bare[] = "Subject: no From, no Date, no Message-ID\n"
			       "\nGr\xc3\xbc\xc3\x9f"
			       "e\n";

static const struct ecase header_cases[] = {
	{ "-t", msg_t, { .sender = "joe", .fullname = "Joe", .extract = true }, true },
	{ "-t resent",
	  msg_resent,
	  { .sender = "x@legacy.example", .fullname = "Resender", .extract = true },
	  true },
};

static const struct ecase from_cases[] = {
	{ "From added, UTF-8 name",
	  msg_bare,
	  { .sender = "joe@example.org",
	    .fullname = "J\xc3\xb6rg Q. Public",
	    .rcpts = LIST("amy@else.example"),
	    .nrcpts = 1 },
	  true },
	{ "From added, quoted name",
	  msg_bare,
	  { .sender = "a@old.example",
	    .fullname = "A. \"Quote\" Name",
	    .rcpts = LIST("ops"),
	    .nrcpts = 1,
	    .body_7bit = true },
	  true },
	{ "From added, null sender",
	  msg_bare,
	  { .sender = "MAILER-DAEMON", .fullname = "", .rcpts = LIST("root"), .nrcpts = 1 },
	  true },
};

/* A UTF-8 key reaches libunistring, whose allocations the harness does
 * not see: these run over a configuration without tables. */
static const struct ecase utf8_cases[] = {
	{ "UTF-8 local part",
	  "Subject: x\n\nx\n",
	  { .sender = "j\xc3\xb6rg@example.org",
	    .fullname = "",
	    .rcpts = LIST("m\xc3\xbcller@b\xc3\xbc"
			  "cher.example, amy@b\xc3\xbc"
			  "cher.example"),
	    .nrcpts = 1 },
	  false },
	{ "UTF-8 domains only",
	  "Subject: Gr\xc3\xbc\xc3\x9f"
	  "e\n\nx\n",
	  { .sender = "a@b\xc3\xbc"
		      "cher.example",
	    .fullname = "",
	    .rcpts = LIST("b@b\xc3\xbc"
			  "cher.example"),
	    .nrcpts = 1,
	    .body_8bit = true },
	  true },
	{ "a domain that is no IDN",
	  "Subject: x\n\nx\n",
	  { .sender = "a@x.example",
	    .fullname = "",
	    .rcpts = LIST("b@-bad-.\xc3\xa9"),
	    .nrcpts = 1 },
	  false },
};

static const struct ecase argument_cases[] = {
	{ "-f a list",
	  "Subject: x\n\nx\n",
	  { .sender = "first@x.example, second@y.example",
	    .fullname = "",
	    .rcpts = LIST("a@z.example", "b@z.example, \"c d\"@z.example"),
	    .nrcpts = 2,
	    .smtputf8 = true },
	  false },
	{ "bad -f",
	  "Subject: x\n\nx\n",
	  { .sender = "bad (unterminated",
	    .fullname = "",
	    .rcpts = LIST("a@z.example"),
	    .nrcpts = 1 },
	  false },
	{ "bad -f after a good address",
	  "Subject: x\n\nx\n",
	  { .sender = "a@x.example, b@y.example, (unterminated",
	    .fullname = "",
	    .rcpts = LIST("a@z.example"),
	    .nrcpts = 1 },
	  false },
	{ "-f with a line break",
	  "Subject: x\n\nx\n",
	  { .sender = "a@x.example\nRCPT TO:<b@y.example>",
	    .fullname = "",
	    .rcpts = LIST("a@z.example"),
	    .nrcpts = 1 },
	  false },
	{ "-f <>",
	  "Subject: x\n\nx\n",
	  { .sender = "<>", .fullname = "", .rcpts = LIST("a@z.example"), .nrcpts = 1 },
	  false },
	{ "-f \"\"",
	  "Subject: x\n\nx\n",
	  { .sender = "\"\"", .fullname = "", .rcpts = LIST("a@z.example"), .nrcpts = 1 },
	  false },
	{ "-f empty",
	  "Subject: x\n\nx\n",
	  { .sender = "", .fullname = "", .rcpts = LIST("postmaster"), .nrcpts = 1 },
	  false },
	{ "bad recipient",
	  "Subject: x\n\nx\n",
	  { .sender = "a@x.example",
	    .fullname = "",
	    .rcpts = LIST("two words <no-close"),
	    .nrcpts = 1 },
	  false },
	{ "the login name",
	  "Subject: x\n\nx\n",
	  { .fullname = "", .rcpts = LIST("a@z.example"), .nrcpts = 1 },
	  false },
	{ "recipient with a line break",
	  "Subject: x\n\nx\n",
	  { .sender = "a@x.example",
	    .fullname = "",
	    .rcpts = LIST("a@z.example", "b@z.example\r\nDATA"),
	    .nrcpts = 2 },
	  false },
	{ "no recipient", "Subject: x\n\nx\n", { .sender = "a@x.example", .fullname = "" }, false },
	{ "-t without recipients",
	  "Subject: x\nTo: undisclosed-recipients:;\n\nx\n",
	  { .sender = "a@x.example", .fullname = "", .extract = true },
	  false },
};

struct escenario {
	const char *name;
	enum cf cf;
	const struct ecase *cases;
	size_t n;
};

static const struct escenario escenarios[] = {
	{ "envelope: -t and Resent- fields", CF_REWRITE, header_cases, COUNT(header_cases) },
	{ "envelope: added From", CF_REWRITE, from_cases, COUNT(from_cases) },
	{ "envelope: arguments", CF_REWRITE, argument_cases, COUNT(argument_cases) },
	{ "envelope: UTF-8", CF_RELAYS, utf8_cases, COUNT(utf8_cases) },
};

/* The value of a field, unless it holds the time or a random part. */
static const char *shown_value(const char *name, const char *value)
{
	static const char *const varying[] = { "Date", "Message-Id", "Resent-Date",
					       "Resent-Message-Id" };

	for (size_t i = 0; i < COUNT(varying); i++)
		if (strcasecmp(name, varying[i]) == 0)
			return " (varies)";
	return value;
}

/* The envelope, then the header fields when asked, as steps; true after
 * a failure for want of memory. */
static bool envelope_case(const struct context *ctx, const struct ecase *c)
{
	struct error err = { 0 };
	struct envelope env;
	struct message *m;
	char text[500] = "";

	torture_step_begin();
	m = message_from_mem(c->msg, strlen(c->msg), &ctx->intake, &err);
	if (m == NULL)
		return torture_step_end(torture_is_oom(&err), "%s: message: %s", c->name,
					torture_outcome(&err));
	if (envelope_build(&ctx->envelope, &c->sub, m, &env, &err) < 0) {
		message_free(m);
		return torture_step_end(torture_is_oom(&err), "%s: %s", c->name,
					torture_outcome(&err));
	}
	for (size_t i = 0; i < env.rcpts.n; i++)
		say(text, sizeof(text), " <%s>", env.rcpts.v[i]);
	torture_step_end(false, "%s: <%s> ->%s; 8bit %d, smtputf8 %d, if offered %d", c->name,
			 env.sender, text, env.eightbit, env.smtputf8, env.smtputf8_if_offered);
	envelope_fini(&env);
	for (size_t i = 0; c->fields && i < message_header_count(m); i++) {
		const char *name = message_header_name(m, i);

		torture_step_begin();
		torture_step_end(false, "%s:%s", name,
				 shown_value(name, message_header_value(m, i)));
	}
	message_free(m);
	return false;
}

static void run_envelope(const void *arg)
{
	const struct escenario *s = arg;
	struct context *ctx = open_step(confs[s->cf].text);

	if (ctx == NULL)
		return;
	for (size_t i = 0; i < s->n && !envelope_case(ctx, &s->cases[i]); i++)
		continue;
	context_free(ctx);
}

/* ---- -bv over routes and credentials ---------------------------------- */

static void run_verify(const void *arg)
{
	const struct conf *c = arg;
	struct context *ctx = open_step(c->text);

	if (ctx == NULL)
		return;
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "joe@example.org", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "special@example.org", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "someone@regexp.example", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "<>", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "<>", "t@transport.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "broken@example.org", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "odd@example.org", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "a@dunno.example", "x@other.example",
			      "y@other.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "a@dunno.example", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "nocolon@example.org", "x@y.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "a@x.example", "x@y.example",
			      "t@transport.example"));
	verify_step(ctx, ARGV("sendmail", "-bv", "-f", "a@x.example", "two words <no-close"));
	context_free(ctx);
}

/* ---- the failover walk over a DNS that fails --------------------------- */

struct fake_dns {
	int mx, host;
};

static int failing_mx(void *arg, const char *domain, struct deadline dl, struct dns_mx *out,
		      int max, struct error *err)
{
	struct fake_dns *f = arg;

	(void)dl;
	(void)out;
	(void)max;
	f->mx++;
	error_set(err, ERROR_TEMP, "fake DNS: no answer for the MX records of %s", domain);
	return -1;
}

static int failing_host(void *arg, const char *host, unsigned port, enum net_family family,
			enum net_family prefer, struct net_addr *out, int max, struct error *err)
{
	struct fake_dns *f = arg;

	(void)port;
	(void)family;
	(void)prefer;
	(void)out;
	(void)max;
	f->host++;
	error_set(err, ERROR_NOHOST, "fake DNS: host %s not found", host);
	return -1;
}

/* deliver_run from sender to rcpt as one step; true when it failed for
 * want of memory. */
static bool walk_step(const struct context *ctx, const char *sender, const char *rcpt)
{
	const char *rcpts[1] = { rcpt };
	struct session_envelope env = { .sender = sender, .rcpts = rcpts, .nrcpts = 1 };
	struct fake_dns f = { 0 };
	struct mx_lookups lk = { failing_mx, failing_host, &f };
	struct deliver_request rq = { 0 };
	struct deliver_outcome out;
	struct error err = { 0 };
	struct message *m;
	int rc;

	torture_step_begin();
	m = message_from_mem("Subject: x\r\n\r\nx\r\n", 17, &ctx->intake, &err);
	if (m == NULL)
		return torture_step_end(torture_is_oom(&err), "message: %s", torture_outcome(&err));
	env.size = message_size(m);
	rq.set = &ctx->deliver;
	rq.msg = m;
	rq.env = &env;
	rq.run = deadline_in(600000);
	rq.lookups = &lk;
	rc = deliver_run(&rq, &out);
	message_free(m);
	return torture_step_end(rc < 0 && torture_is_oom(&out.err),
				"<%s> to <%s>: %d, %s; relay %s, reply \"%s\", %u attempts%s; "
				"%d MX and %d host lookups",
				sender, rcpt, rc, torture_outcome(&out.err), out.relay, out.reply,
				out.attempts, out.maybe_delivered ? ", maybe delivered" : "", f.mx,
				f.host);
}

static void run_walk(const void *arg)
{
	const struct conf *c = arg;
	struct context *ctx = open_step(c->text);

	if (ctx == NULL)
		return;
	walk_step(ctx, "a@example.org", "r@x.example");
	walk_step(ctx, "", "r@x.example");
	walk_step(ctx, "a@example.org", "t@transport.example");
	walk_step(ctx, "broken@example.org", "r@x.example");
	walk_step(ctx, "odd@example.org", "r@x.example");
	walk_step(ctx, "someone@regexp.example", "r@x.example");
	context_free(ctx);
}

/* ---- main ------------------------------------------------------------ */

static bool write_files(void)
{
	char path[256];
	FILE *f;

	for (size_t i = 0; i < COUNT(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		f = fopen(path, "w");
		if (f == NULL || fputs(files[i].text, f) < 0 || fclose(f) != 0)
			return false;
	}
	return true;
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	if (!write_files() || !torture_init(dir)) {
		ok(false, "setting up %s: %s", dir, strerror(errno));
		return tap_done();
	}
	for (size_t i = 0; i < COUNT(configurations); i++)
		conf_init(&confs[i], configurations[i].text);
	for (size_t i = 0; i < COUNT(bad_configurations); i++)
		conf_init(&bad[i], bad_configurations[i]);
	for (size_t i = CF_RELAYS; i <= CF_SECURE; i++)
		torture_run(configurations[i].name, run_context, &confs[i]);
	torture_run("context: bad values", run_bad, bad);
	for (size_t i = 0; i < COUNT(escenarios); i++)
		torture_run(escenarios[i].name, run_envelope, &escenarios[i]);
	torture_run("-bv: routes and credentials", run_verify, &confs[CF_ROUTES]);
	torture_run("deliver_run: DNS fails, route errors", run_walk, &confs[CF_WALK]);
	torture_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}
