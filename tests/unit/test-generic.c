/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/masquerade, mail/generic and mail/bcc: the vectors of Postfix's
 * cleanup_masq.ref and the order and classes of masquerading; generic(5)
 * keys, one lookup, extensions, the null sender and header fields; the
 * keys and results of the BCC maps and always_bcc; and the configuration
 * errors of each parameter. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "mail/bcc.h"
#include "mail/generic.h"
#include "mail/masquerade.h"
#include "mail/message.h"
#include "mail/rewrite.h"
#include "capture.h"
#include "tap.h"

static char *const noenv[] = { NULL };

struct fixture {
	struct config *cfg;
	struct rewriter *rw;
	struct generic *g;
	struct bcc *bcc;
	struct error err; /* of the setup */
};

/* host.example.com is local (mydestination), myorigin is it too. */
static struct fixture setup(const char *extra)
{
	struct fixture f = { 0 };
	struct buf text = { 0 };

	buf_printf(&text,
		   "myhostname = host.example.com\n"
		   "mydomain = example.com\n"
		   "recipient_delimiter = +\n"
		   "%s\n",
		   extra);
	f.cfg = config_parse("test.cf", text.data, text.len, noenv, &f.err);
	if (f.cfg != NULL)
		f.rw = rewriter_new(f.cfg, NULL, &f.err);
	if (f.rw != NULL)
		f.g = generic_new(f.cfg, f.rw, &f.err);
	if (f.g != NULL)
		f.bcc = bcc_new(f.cfg, f.rw, &f.err);
	buf_fini(&text);
	return f;
}

static void teardown(struct fixture *f)
{
	bcc_free(f->bcc);
	generic_free(f->g);
	rewriter_free(f->rw);
	config_free(f->cfg);
}

/* --- Masquerading. ------------------------------------------------------ */

/* One masquerade_address call on its own, as Postfix's cleanup_masq test
 * driver makes it. */
static void check_masq(const char *exceptions, const char *domains, const char *addr,
		       const char *want)
{
	struct buf text = { 0 };
	struct error err = { 0 };
	struct config *cfg;
	struct masquerade *mq = NULL;
	char *got = NULL;

	buf_printf(&text, "masquerade_exceptions = %s\nmasquerade_domains = %s\n", exceptions,
		   domains);
	cfg = config_parse("test.cf", text.data, text.len, noenv, &err);
	if (cfg != NULL)
		mq = masquerade_new(cfg, &err);
	if (mq == NULL || masquerade_address(mq, addr, &got, &err) < 0)
		diag("masquerade: %s", err.text);
	is_str(got, want, "masquerade [%s] [%s] %s -> %s", exceptions, domains, addr, want);
	free(got);
	masquerade_free(mq);
	config_free(cfg);
	buf_fini(&text);
}

static void test_masq_vectors(void)
{
	/* Postfix's cleanup_masq.ref. */
	check_masq("", "a.b.c,b.c", "xxx@aa.a.b.c", "xxx@a.b.c");
	check_masq("", "A.B.C,B.C", "xxx@aa.a.b.c", "xxx@a.b.c");
	check_masq("", "a.b.c,b.c", "xxx@AA.A.B.C", "xxx@a.b.c");
	check_masq("xxx", "a.b.c,b.c", "xxx@aa.a.b.c", "xxx@aa.a.b.c");
	check_masq("yyy", "a.b.c,b.c", "xxx@aa.a.b.c", "xxx@a.b.c");
	check_masq("", "!a.b.c,b.c", "xxx@aa.a.b.c", "xxx@aa.a.b.c");
	check_masq("", "a.b.c,b.c", "xxx@a.b.c", "xxx@a.b.c");
	check_masq("", "!a.b.c,b.c", "xxx@a.b.c", "xxx@a.b.c");
	check_masq("", "a.b.c,b.c", "xxx@aaa.b.c", "xxx@b.c");
	check_masq("", "a.b.c,b.c", "xxx@b.c", "xxx@b.c");
	/* More: a listed domain keeps its own case, no partial labels, "!!"
	 * is no negation, the exceptions are whole local parts, folded. */
	check_masq("", "b.c", "xxx@B.C", "xxx@B.C");
	check_masq("", "Sub_1-x.B.C", "xxx@a.sub_1-X.b.c", "xxx@sub_1-x.b.c");
	check_masq("", "b.c", "xxx@ab.c", "xxx@ab.c");
	check_masq("", "!!a.b.c", "xxx@x.a.b.c", "xxx@a.b.c");
	check_masq("", "!, b.c", "xxx@a.b.c", "xxx@b.c");
	check_masq("root", "b.c", "root+x@a.b.c", "root+x@b.c");
	check_masq("root", "b.c", "ROOT@a.b.c", "ROOT@a.b.c");
	check_masq("!root, inline:{root=x}", "b.c", "root@a.b.c", "root@b.c");
	check_masq("", "b.c", "", "");
	check_masq("", "b.c", "nodomain", "nodomain");
	check_masq("", "b.c", "\"a@b\"@x.b.c", "\"a@b\"@b.c");
}

static char *through(const struct fixture *f, bool sender, const char *addr, unsigned cls)
{
	struct error err = { 0 };
	char *out = NULL;

	if (f->rw == NULL)
		return strdup("(no rewriter)");
	if ((sender ? rewrite_sender(f->rw, addr, cls, &out, &err)
		    : rewrite_recipient(f->rw, addr, cls, &out, &err)) < 0) {
		free(out);
		return strdup(err.text);
	}
	return out;
}

static void check_through(const struct fixture *f, bool sender, const char *addr, unsigned cls,
			  const char *want, const char *what)
{
	char *got = through(f, sender, addr, cls);

	is_str(got, want, "%s: %s -> %s", what, addr, want);
	free(got);
}

static void test_masq_classes(void)
{
	struct fixture f = setup("masquerade_domains = example.com\n"
				 "sender_canonical_maps = inline:{ {joe@home.example = "
				 "joe@sub.example.com} }");

	check_through(&f, true, "joe@home.example", REWRITE_ENVELOPE_SENDER, "joe@example.com",
		      "default classes: envelope sender, after the canonical maps");
	check_through(&f, true, "amy@x.example.com", REWRITE_HEADER_SENDER, "amy@example.com",
		      "default classes: header sender");
	check_through(&f, false, "amy@x.example.com", REWRITE_HEADER_RECIPIENT, "amy@example.com",
		      "default classes: header recipient");
	check_through(&f, false, "amy@x.example.com", REWRITE_ENVELOPE_RECIPIENT,
		      "amy@x.example.com", "default classes: not the envelope recipient");
	check_through(&f, true, "", REWRITE_ENVELOPE_SENDER, "", "the null sender stays null");
	teardown(&f);

	f = setup("masquerade_domains = example.com\n"
		  "masquerade_classes = envelope_recipient");
	check_through(&f, false, "amy@x.example.com", REWRITE_ENVELOPE_RECIPIENT, "amy@example.com",
		      "envelope_recipient: the envelope recipient");
	check_through(&f, true, "joe@x.example.com", REWRITE_ENVELOPE_SENDER, "joe@x.example.com",
		      "envelope_recipient: not the envelope sender");
	teardown(&f);

	f = setup("masquerade_classes = envelope_sender");
	check_through(&f, true, "joe@x.example.com", REWRITE_ENVELOPE_SENDER, "joe@x.example.com",
		      "no masquerade_domains: nothing happens");
	teardown(&f);
}

/* --- smtp_generic_maps. ------------------------------------------------- */

static char *wire(const struct fixture *f, const char *addr)
{
	struct error err = { 0 };
	char *out = NULL;

	if (f->g == NULL)
		return strdup("(no generic)");
	if (generic_address(f->g, addr, &out, &err) < 0) {
		char text[1200];

		snprintf(text, sizeof(text), "(%s) %s", error_class_name(err.cls), err.text);
		free(out);
		return strdup(text);
	}
	return out;
}

static void check_wire(const struct fixture *f, const char *addr, const char *want)
{
	char *got = wire(f, addr);

	is_str(got, want, "generic: %s -> %s", addr, want);
	free(got);
}

static void test_generic(void)
{
	struct fixture f = setup("smtp_generic_maps = inline:{ {joe@host.example.com = "
				 "joe@isp.example}, {sue = sue@isp.example}, "
				 "{@localhost.example.com = nobody@isp.example}, "
				 "{kim@example.org = @other.example}, {a@x.example = b@x.example}, "
				 "{b@x.example = c@x.example}, {bare@example.org = bare}, "
				 "{list@example.org = one@isp.example, two@isp.example}, "
				 "{\"a b\"@example.org = ab@isp.example} }");
	struct capture cap;
	char *warned;

	ok(!generic_empty(f.g), "generic: a map is set");
	check_wire(&f, "joe@host.example.com", "joe@isp.example");
	check_wire(&f, "JOE@Host.Example.Com", "joe@isp.example");
	check_wire(&f, "joe+list@host.example.com", "joe@isp.example");
	check_wire(&f, "sue+x@host.example.com", "sue@isp.example");
	check_wire(&f, "sue@elsewhere.example", "sue@elsewhere.example");
	check_wire(&f, "tom@localhost.example.com", "nobody@isp.example");
	check_wire(&f, "kim+y@example.org", "kim@other.example");
	check_wire(&f, "a@x.example", "b@x.example");
	check_wire(&f, "bare@example.org", "bare@host.example.com");
	check_wire(&f, "\"a b\"@example.org", "ab@isp.example");
	check_wire(&f, "", "");
	capture_begin(&cap);
	check_wire(&f, "list@example.org", "one@isp.example");
	warned = capture_end(&cap);
	ok(strstr(warned, "multi-valued smtp_generic_maps") != NULL,
	   "generic: a list result is warned about");
	free(warned);
	teardown(&f);

	f = setup("propagate_unmatched_extensions = canonical, generic\n"
		  "smtp_generic_maps = inline:{ {joe@host.example.com = joe@isp.example} }");
	check_wire(&f, "joe+list@host.example.com", "joe+list@isp.example");
	teardown(&f);

	f = setup("smtp_generic_maps = static:relay@isp.example");
	check_wire(&f, "", "");
	check_wire(&f, "anyone@anywhere.example", "relay@isp.example");
	teardown(&f);

	f = setup("smtp_generic_maps = inline:{ {x@example.org = a b c} }");
	capture_begin(&cap);
	check_wire(&f, "x@example.org",
		   "(temp) smtp_generic_maps lookup of x@example.org returns a result that "
		   "is not an address: \"a b c\"");
	free(capture_end(&cap));
	teardown(&f);

	f = setup("");
	ok(generic_empty(f.g), "generic: empty by default");
	check_wire(&f, "joe@host.example.com", "joe@host.example.com");
	teardown(&f);
}

static void test_generic_headers(void)
{
	static const char text[] =
	    "From: \"Doe, Jane\" <jane@host.example.com>\r\n"
	    "To: Amy <amy@example.org>, friends: dan@host.example.com, eve@other.example;\r\n"
	    "Cc: bob@other.example\r\n"
	    "Reply-To: Same  <same@other.example>,\r\n\tbob@other.example\r\n"
	    "X-Address: x@host.example.com\r\n"
	    "Subject: jane@host.example.com\r\n"
	    "\r\n"
	    "body\r\n";
	struct fixture f = setup("smtp_generic_maps = inline:{ {@host.example.com = "
				 "@isp.example}, {same@other.example = same@other.example} }");
	struct error err = { 0 };
	struct message *m = message_from_mem(text, sizeof(text) - 1, NULL, &err);

	is_int(m != NULL && f.g != NULL ? generic_headers(f.g, m, &err) : -2, 0,
	       "generic headers: runs");
	if (m != NULL) {
		is_str(message_header_find(m, "From"), " \"Doe, Jane\" <jane@isp.example>",
		       "generic headers: From, the name kept");
		is_str(message_header_find(m, "To"),
		       " Amy <amy@example.org>, friends: dan@isp.example,\r\n\teve@other.example;",
		       "generic headers: To with a group, refolded as Postfix folds");
		is_str(message_header_find(m, "Cc"), " bob@other.example",
		       "generic headers: Cc unchanged, as it came");
		is_str(message_header_find(m, "Reply-To"),
		       " Same <same@other.example>, bob@other.example",
		       "generic headers: a match to the same address writes the field anew");
		is_str(message_header_find(m, "X-Address"), " x@host.example.com",
		       "generic headers: other fields are left alone");
		is_str(message_header_find(m, "Subject"), " jane@host.example.com",
		       "generic headers: Subject too");
	}
	message_free(m);
	teardown(&f);
}

/* --- BCC. --------------------------------------------------------------- */

static void check_bcc(const struct fixture *f, bool sender, const char *addr, const char *want)
{
	struct addrlist out = { 0 };
	struct error err = { 0 };
	struct buf b = { 0 };
	int rc = f->bcc == NULL ? -2
		 : sender	? bcc_sender(f->bcc, addr, &out, &err)
				: bcc_recipient(f->bcc, addr, &out, &err);

	if (rc < 0)
		buf_printf(&b, "(%s) %s", error_class_name(err.cls), err.text);
	for (size_t i = 0; rc == 0 && i < out.n; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", out.v[i]);
	is_str(b.data != NULL ? b.data : "", want, "%s BCC of %s: %s",
	       sender ? "sender" : "recipient", addr, want);
	buf_fini(&b);
	addrlist_fini(&out);
}

static void test_bcc(void)
{
	struct fixture f =
	    setup("sender_bcc_maps = inline:{ {joe@example.com = joe-copy@example.net}, "
		  "{sue = sue-copy}, {@example.org = org@example.net}, "
		  "{two@example.com = a@example.net, b@example.net}, {bad@example.com = a b c} }\n"
		  "recipient_bcc_maps = regexp:{ {/^amy@/ amy-copy@example.net} }\n"
		  "always_bcc = Archive <archive@example.net>");
	struct addrlist out = { 0 };
	struct error err = { 0 };
	struct capture cap;
	char *warned;

	check_bcc(&f, true, "joe@example.com", "joe-copy@example.net");
	check_bcc(&f, true, "joe+x@example.com", "joe-copy@example.net");
	check_bcc(&f, true, "sue+x@host.example.com", "sue-copy");
	check_bcc(&f, true, "sue@elsewhere.example", "");
	check_bcc(&f, true, "any@example.org", "org@example.net");
	check_bcc(&f, true, "", "");
	check_bcc(&f, true, "bad@example.com",
		  "(config) sender_bcc_maps lookup of bad@example.com returns a result "
		  "that is not an address: \"a b c\"");
	capture_begin(&cap);
	check_bcc(&f, true, "two@example.com", "a@example.net");
	warned = capture_end(&cap);
	ok(strstr(warned, "multi-valued sender_bcc_maps") != NULL,
	   "sender BCC: a list result is warned about");
	free(warned);
	check_bcc(&f, false, "amy@example.org", "amy-copy@example.net");
	check_bcc(&f, false, "bob@example.org", "");
	is_int(bcc_always(f.bcc, &out, &err), 0, "always_bcc: added");
	is_int((long long)out.n, 1, "always_bcc: one address");
	is_str(out.n > 0 ? out.v[0] : NULL, "archive@example.net", "always_bcc: the address");
	is_int(bcc_always(f.bcc, &out, &err), 0, "always_bcc: added again");
	is_int((long long)out.n, 1, "always_bcc: ... but not twice");
	addrlist_fini(&out);
	teardown(&f);

	f = setup("");
	is_int(bcc_always(f.bcc, &out, &err), 0, "no always_bcc: nothing to add");
	is_int((long long)out.n, 0, "no always_bcc: nothing added");
	check_bcc(&f, true, "joe@example.com", "");
	teardown(&f);
}

/* --- Configuration errors. ---------------------------------------------- */

static void check_config(const char *line, const char *want)
{
	struct fixture f = setup(line);

	ok(f.bcc == NULL && f.err.cls == ERROR_CONFIG && strstr(f.err.text, want) != NULL,
	   "%s: ERROR_CONFIG saying \"%s\"", line, want);
	if (f.bcc != NULL || strstr(f.err.text, want) == NULL)
		diag("got: %s", f.err.text);
	teardown(&f);
}

static void test_config(void)
{
	check_config("masquerade_domains = example.com, user@example.com",
		     "bad value \"user@example.com\" for parameter masquerade_domains (test.cf, "
		     "line 4)");
	check_config("masquerade_domains = [192.0.2.1]", "masquerade_domains");
	check_config("masquerade_domains = example..com", "masquerade_domains");
	check_config("masquerade_domains = .example.com", "masquerade_domains");
	check_config("masquerade_classes = envelope_sender, bogus",
		     "unknown masquerade_classes value \"bogus\"");
	check_config("masquerade_exceptions = texthash:/no/such/file",
		     "masquerade_exceptions (test.cf, line 4)");
	check_config("smtp_generic_maps = regexp:/no/such/file", "smtp_generic_maps");
	check_config("sender_bcc_maps = regexp:/no/such/file", "sender_bcc_maps");
	check_config("recipient_bcc_maps = regexp:/no/such/file", "recipient_bcc_maps");
	check_config("always_bcc = a@example.net, b@example.net",
		     "bad value \"a@example.net, b@example.net\" for parameter always_bcc");
	check_config("always_bcc = <>", "always_bcc");
	check_config("always_bcc = <unclosed@example.net", "always_bcc");
}

int main(void)
{
	test_masq_vectors();
	test_masq_classes();
	test_generic();
	test_generic_headers();
	test_bcc();
	test_config();
	return tap_done();
}
