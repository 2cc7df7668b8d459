/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/addrfind, mail/rewrite: the key order of reference/postfix.md
 * §3.4, every canonical vector of §9.2 (table hits, extensions, @domain,
 * quoting, recursion, the loop, multi-valued results, pattern tables and
 * the null sender), the classes, the local rewrite and header rewriting
 * with exact output. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "mail/addrfind.h"
#include "mail/message.h"
#include "mail/rewrite.h"
#include "capture.h"
#include "tap.h"

static char dir[] = "/tmp/test-rewrite.XXXXXX";
static char *const noenv[] = { NULL };

static const char *put(const char *name, const char *text)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

struct fixture {
	struct config *cfg;
	struct rewriter *rw;
};

/* The §9.2 assumptions plus extra main.cf lines; own as rewriter_new
 * takes it. */
static struct fixture setup_own(const char *extra, const struct addrfind_own *own)
{
	struct fixture f = { 0 };
	struct error err = { 0 };
	struct buf text = { 0 };

	buf_printf(&text,
		   "myhostname = host.localdomain\n"
		   "myorigin = localdomain\n"
		   "mydestination = localhost.localdomain\n"
		   "recipient_delimiter = +\n"
		   "propagate_unmatched_extensions = canonical\n%s\n",
		   extra);
	f.cfg = config_parse("test.cf", text.data, text.len, noenv, &err);
	if (f.cfg != NULL)
		f.rw = rewriter_new(f.cfg, own, &err);
	if (f.rw == NULL)
		diag("setup: %s", err.text);
	buf_fini(&text);
	return f;
}

static struct fixture setup(const char *extra)
{
	return setup_own(extra, NULL);
}

static void teardown(struct fixture *f)
{
	rewriter_free(f->rw);
	config_free(f->cfg);
}

/* Recipient rewriting in the envelope class: the result, or "(error
 * CLASS)". */
static char *rcpt(const struct fixture *f, const char *addr)
{
	struct error err = { 0 };
	char *out = NULL;

	if (f->rw == NULL)
		return strdup("(no rewriter)");
	if (rewrite_recipient(f->rw, addr, REWRITE_ENVELOPE_RECIPIENT, &out, &err) < 0) {
		char text[64];

		snprintf(text, sizeof(text), "(error %s)", error_class_name(err.cls));
		return strdup(text);
	}
	return out;
}

static char *sender(const struct fixture *f, const char *addr, enum rewrite_class cls)
{
	struct error err = { 0 };
	char *out = NULL;

	if (f->rw == NULL || rewrite_sender(f->rw, addr, cls, &out, &err) < 0)
		return strdup("(error)");
	return out;
}

static void check_rcpt(const struct fixture *f, const char *addr, const char *want)
{
	char *got = rcpt(f, addr);

	is_str(got, want, "canonical: %s -> %s", addr, want);
	free(got);
}

static void test_keys(void)
{
	struct addrfind af = { "localdomain", "localhost.localdomain", "+", { NULL, NULL } };
	struct error err = { 0 };
	struct addrfind_keys k;
	struct buf b = { 0 };
	char *ext;

	addrfind_keys(&af, "fred+z@localhost.localdomain", 0, &k, &err);
	for (size_t i = 0; i < k.n; i++)
		buf_printf(&b, "%s%s%s", i ? " " : "", k.v[i].key, k.v[i].partial ? "*" : "");
	is_str(b.data,
	       "fred+z@localhost.localdomain fred@localhost.localdomain* fred+z* fred* "
	       "@localhost.localdomain*",
	       "keys: local domain (* = fixed tables only)");
	is_str(k.ext, "+z", "keys: the extension removed");
	addrfind_keys_fini(&k);
	buf_reset(&b);
	addrfind_keys(&af, "nobody+z@elsewhere.example", 0, &k, &err);
	for (size_t i = 0; i < k.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", k.v[i].key);
	is_str(b.data, "nobody+z@elsewhere.example nobody@elsewhere.example @elsewhere.example",
	       "keys: remote domain");
	addrfind_keys_fini(&k);
	buf_reset(&b);
	af.delimiters = "-";
	addrfind_keys(&af, "mailer-daemon@localdomain", 0, &k, &err);
	for (size_t i = 0; i < k.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", k.v[i].key);
	is_str(b.data, "mailer-daemon@localdomain mailer-daemon @localdomain",
	       "keys: mailer-daemon is never split");
	addrfind_keys_fini(&k);
	addrfind_keys(&af, "owner-list@x.example", 0, &k, &err);
	is_int((long long)k.n, 2, "keys: owner-* is never split at \"-\"");
	addrfind_keys_fini(&k);
	addrfind_keys(&af, "list-request@x.example", 0, &k, &err);
	is_int((long long)k.n, 2, "keys: *-request is never split at \"-\"");
	addrfind_keys_fini(&k);
	addrfind_keys(&af, "a-b@x.example", 0, &k, &err);
	is_str(k.n == 3 ? k.v[1].key : NULL, "a@x.example", "keys: \"-\" as delimiter");
	addrfind_keys_fini(&k);
	af.delimiters = "+";
	buf_reset(&b);
	addrfind_keys(&af, "+foo@x.example", 0, &k, &err);
	is_int((long long)k.n, 2, "keys: no split that leaves an empty local part");
	addrfind_keys_fini(&k);
	is_int((long long)addrfind_extension_at("a-b+c", 5, "+-"), 1,
	       "extension: the first of several delimiters");
	is_int((long long)addrfind_extension_at("ab+", 3, "+"), 2,
	       "extension: a delimiter last gives an empty extension");
	is_int((long long)addrfind_extension_at("ab+c", 2, "+"), 0,
	       "extension: only local[0..n) is looked at");
	is_int((long long)addrfind_extension_at("owner-x+y", 9, "+-"), 0,
	       "extension: owner-* is not split when \"-\" is a delimiter");
	is_int((long long)addrfind_extension_at("ab+c", 4, ""), 0, "extension: no delimiters");
	addrfind_keys(&af, "\"a b\"@example.net", ADDRFIND_UNQUOTED_TOO, &k, &err);
	for (size_t i = 0; i < k.n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", k.v[i].key);
	is_str(b.data, "\"a b\"@example.net|a b@example.net|@example.net",
	       "keys: legacy callers also query the unquoted form");
	addrfind_keys_fini(&k);
	addrfind_keys(&af, "", 0, &k, &err);
	is_int((long long)k.n, 1, "keys: the null address has one key");
	is_str(k.v[0].key, "\"\"", "keys: the null address is looked up as \"\"");
	addrfind_keys_fini(&k);
	buf_fini(&b);
	ext = addrfind_external("\"joe\"@x");
	is_str(ext, "joe@x", "external form drops quotes that are not needed");
	free(ext);
	ext = addrfind_external("a..b@x");
	is_str(ext, "\"a..b\"@x", "external form quotes a local part that is not a dot-atom");
	free(ext);
}

/* The host's own addresses for the tests, as "v4:addr" or "v6:addr"
 * exactly as the predicate is asked (normalizing is net/ownaddr's job);
 * the last question is kept, and fail makes every question an error. */
struct own_list {
	const char *const *v;
	char asked[128];
	bool fail;
};

static int own_in_list(const char *addr, bool ipv6, void *arg, struct error *err)
{
	struct own_list *l = arg;

	snprintf(l->asked, sizeof(l->asked), "%s:%s", ipv6 ? "v6" : "v4", addr);
	if (l->fail) {
		error_set(err, ERROR_TEMP, "inet_interfaces (test.cf, line 1): lookup failed");
		return -1;
	}
	for (size_t i = 0; l->v[i] != NULL; i++)
		if (strcmp(l->v[i], l->asked) == 0)
			return 1;
	return 0;
}

/* The keys of addr joined by spaces, "(error TEXT)" on failure. */
static char *keys_of(const struct addrfind *af, const char *addr)
{
	struct addrfind_keys k;
	struct error err = { 0 };
	struct buf b = { 0 };

	if (addrfind_keys(af, addr, 0, &k, &err) < 0) {
		buf_printf(&b, "(error %s)", err.text);
		return buf_steal(&b);
	}
	for (size_t i = 0; i < k.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", k.v[i].key);
	addrfind_keys_fini(&k);
	return buf_steal(&b);
}

static void check_keys(struct addrfind *af, const char *addr, const char *want, const char *asked,
		       const char *what)
{
	struct own_list *l = af->own.arg;
	char *got;

	if (l != NULL)
		l->asked[0] = '\0';
	got = keys_of(af, addr);
	is_str(got, want, "literal keys: %s", what);
	if (l != NULL)
		is_str(l->asked, asked, "literal keys: %s: asked %s", what,
		       *asked ? asked : "nothing");
	free(got);
}

static void test_literal_keys(void)
{
	static const char *const mine[] = { "v4:127.0.0.1", "v6:::1", "v4:192.0.2.9", NULL };
	struct own_list l = { mine, "", false };
	struct addrfind af = { "localdomain", "localhost.localdomain", "+", { own_in_list, &l } };
	struct error err = { 0 };
	struct addrfind_hit hit;

	check_keys(&af, "joe@[127.0.0.1]", "joe@[127.0.0.1] joe @[127.0.0.1]", "v4:127.0.0.1",
		   "an own IPv4 address is local");
	check_keys(&af, "joe+x@[IPv6:::1]", "joe+x@[IPv6:::1] joe@[IPv6:::1] joe+x joe @[IPv6:::1]",
		   "v6:::1", "an own IPv6 address, extension and all");
	check_keys(&af, "joe@[ipv6:::1]", "joe@[ipv6:::1] joe @[ipv6:::1]", "v6:::1",
		   "the IPv6 tag in any case");
	check_keys(&af, "joe@[192.0.2.1]", "joe@[192.0.2.1] @[192.0.2.1]", "v4:192.0.2.1",
		   "another address is not local");
	check_keys(&af, "joe@[192.0.2.9].", "joe@[192.0.2.9]. joe @[192.0.2.9].", "v4:192.0.2.9",
		   "one trailing dot is dropped first");
	check_keys(&af, "joe@[::1]", "joe@[::1] @[::1]", "v4:::1",
		   "without the tag the address is IPv4");
	check_keys(&af, "joe@127.0.0.1", "joe@127.0.0.1 @127.0.0.1", "", "no brackets, no literal");
	check_keys(&af, "joe@[]", "joe@[] @[]", "", "empty brackets");
	check_keys(&af, "joe@[IPv6:]", "joe@[IPv6:] @[IPv6:]", "", "a tag and nothing");
	check_keys(&af, "joe@localdomain", "joe@localdomain joe @localdomain", "",
		   "$myorigin needs no question");
	l.fail = true;
	check_keys(&af, "joe@[127.0.0.1]",
		   "(error inet_interfaces (test.cf, line 1): lookup failed)", "v4:127.0.0.1",
		   "a failing predicate fails the keys");
	ok(addrfind_lookup(&af, NULL, "joe@[127.0.0.1]", 0, &hit, &err) == -1 &&
	       err.cls == ERROR_TEMP,
	   "literal keys: ... and the lookup, with its error");
	l.fail = false;
	af.own.is_own = NULL;
	check_keys(&af, "joe@[127.0.0.1]", "joe@[127.0.0.1] @[127.0.0.1]", "",
		   "without a predicate no literal is local");
	is_int(addrfind_local(&af, "[127.0.0.1]", &err), 0, "addrfind_local: no predicate");
	af.own.is_own = own_in_list;
	is_int(addrfind_local(&af, "[127.0.0.1]", &err), 1, "addrfind_local: own address");
	is_int(addrfind_local(&af, "LOCALHOST.localdomain.", &err), 1,
	       "addrfind_local: mydestination, case and trailing dot");
	is_int(addrfind_local(&af, "[127.0.0.1]..", &err), 0, "addrfind_local: not dot-dot");
	check_keys(&af, "[127.0.0.1]", "\"[127.0.0.1]\"", "", "no @: a local part, no domain");
}

/* The rewriter asks the same predicate: the bare local part of an
 * address at an own literal is a key, with own as rewriter_new takes it. */
static void test_literal_rewrite(void)
{
	static const char *const mine[] = { "v4:127.0.0.1", NULL };
	struct own_list l = { mine, "", false };
	struct addrfind_own own = { own_in_list, &l };
	const char *canon = "canonical_maps = inline:{ {joe = joe-bare@example.com} }";
	struct fixture f = setup_own(canon, &own);

	check_rcpt(&f, "joe@[127.0.0.1]", "joe-bare@example.com");
	check_rcpt(&f, "joe@[192.0.2.1]", "joe@[192.0.2.1]");
	is_str(l.asked, "v4:192.0.2.1", "rewriter: the predicate is asked");
	teardown(&f);
	f = setup(canon);
	check_rcpt(&f, "joe@[127.0.0.1]", "joe@[127.0.0.1]");
	teardown(&f);
}

static void test_vectors(void)
{
	const char *canon = put("canon", "joe@localdomain          Joe.User@example.com\n"
					 "joe                      joe-bare@example.com\n"
					 "root                     admin@example.com\n"
					 "@localhost.localdomain   @example.com\n"
					 "jane+news@example.org    news-jane@example.org\n"
					 "jane@example.org         Jane.Doe@example.org\n"
					 "@old.example             @new.example\n"
					 "\"a b\"@example.net        ab@example.net\n");
	char line[512];
	struct fixture f;

	snprintf(line, sizeof(line), "canonical_maps = texthash:%s", canon);
	f = setup(line);
	check_rcpt(&f, "joe@localdomain", "Joe.User@example.com");
	check_rcpt(&f, "joe+x@localdomain", "Joe.User+x@example.com");
	check_rcpt(&f, "JOE@LOCALDOMAIN", "Joe.User@example.com");
	check_rcpt(&f, "joe@localhost.localdomain", "joe-bare@example.com");
	check_rcpt(&f, "root@localhost.localdomain", "admin@example.com");
	check_rcpt(&f, "root+y@localdomain", "admin+y@example.com");
	check_rcpt(&f, "fred@localhost.localdomain", "fred@example.com");
	check_rcpt(&f, "fred+z@localhost.localdomain", "fred+z@example.com");
	check_rcpt(&f, "joe@elsewhere.example", "joe@elsewhere.example");
	check_rcpt(&f, "jane+news@example.org", "news-jane@example.org");
	check_rcpt(&f, "jane+other@example.org", "Jane.Doe+other@example.org");
	check_rcpt(&f, "bob+q@old.example", "bob+q@new.example");
	check_rcpt(&f, "\"a b\"@example.net", "ab@example.net");
	check_rcpt(&f, "root@remote.example", "root@remote.example");
	teardown(&f);

	snprintf(line, sizeof(line),
		 "canonical_maps = texthash:%s\npropagate_unmatched_extensions = virtual", canon);
	f = setup(line);
	check_rcpt(&f, "jane+other@example.org", "Jane.Doe@example.org");
	teardown(&f);
	f = setup("canonical_maps = inline:{ jane@example.org=@other.example }");
	check_rcpt(&f, "jane+x@example.org", "jane+x@other.example");
	teardown(&f);
}

static void test_recursion(void)
{
	struct capture cap;
	struct fixture f;
	char *got, *warn;

	f = setup("canonical_maps = inline:{ @host.example.com=@example.com, "
		  "bob@example.com=Robert.Smith@example.com }");
	check_rcpt(&f, "bob@host.example.com", "Robert.Smith@example.com");
	check_rcpt(&f, "bob+tag@host.example.com", "Robert.Smith+tag@example.com");
	teardown(&f);

	f = setup("canonical_maps = inline:{ a@x=b@x, b@x=a@x }");
	capture_begin(&cap);
	got = rcpt(&f, "a@x");
	warn = capture_end(&cap);
	is_str(got, "a@x", "loop: stops after 10 rounds at a@x");
	is_str(warn, "relaymail: warning: unreasonable canonical_maps map nesting for a@x\n",
	       "loop: Postfix's warning");
	free(got);
	free(warn);
	teardown(&f);

	f = setup("canonical_maps = inline:{ {multi@x = one@x, two@x} }");
	capture_begin(&cap);
	got = rcpt(&f, "multi@x");
	warn = capture_end(&cap);
	is_str(got, "one@x", "multi-valued: the first address");
	is_str(warn,
	       "relaymail: warning: multi-valued canonical_maps entry for multi@x; using the "
	       "first address, one@x\n",
	       "multi-valued: warned");
	free(got);
	free(warn);
	teardown(&f);

	f = setup("canonical_maps = inline:{ {bad@x = a b c} }");
	capture_begin(&cap);
	got = rcpt(&f, "bad@x");
	free(capture_end(&cap));
	is_str(got, "(error temp)", "a result that is not an address is a temporary error");
	free(got);
	teardown(&f);

	f = setup("canonical_maps = inline:{ {noat@x = someone} }");
	check_rcpt(&f, "noat@x", "someone@localdomain");
	teardown(&f);
}

static void test_patterns(void)
{
	const char *re = put("re", "/^fred$/ wrong@example.com\n"
				   "/^(.*)@localhost\\.localdomain$/ $1@example.com\n");
	const char *nul = put("null", "/^$/ a@x\n/^\"\"$/ b@x\n");
	char line[512];
	struct fixture f;
	char *got;

	snprintf(line, sizeof(line), "canonical_maps = regexp:%s", re);
	f = setup(line);
	check_rcpt(&f, "fred@localdomain", "fred@localdomain");
	check_rcpt(&f, "fred+z@localhost.localdomain", "fred+z@example.com");
	teardown(&f);

	f = setup("canonical_maps = static:relay@example.com");
	check_rcpt(&f, "anyone@anywhere.example", "relay@example.com");
	teardown(&f);

	snprintf(line, sizeof(line), "sender_canonical_maps = regexp:%s", nul);
	f = setup(line);
	got = sender(&f, "", REWRITE_ENVELOPE_SENDER);
	is_str(got, "b@x", "null sender: looked up as \"\", /^$/ never matches it");
	free(got);
	teardown(&f);
	f = setup("sender_canonical_maps = regexp:{ {/.+/ me@example.com} }");
	got = sender(&f, "", REWRITE_ENVELOPE_SENDER);
	is_str(got, "me@example.com", "null sender: /.+/ rewrites it");
	free(got);
	teardown(&f);
	f = setup("sender_canonical_maps = inline:{ x@y=z@y }");
	got = sender(&f, "", REWRITE_ENVELOPE_SENDER);
	is_str(got, "", "null sender: stays null without a match");
	free(got);
	teardown(&f);
}

static void test_classes(void)
{
	struct fixture f;
	char *got;

	f = setup("sender_canonical_maps = inline:{ a@x=s@x }\n"
		  "recipient_canonical_maps = inline:{ a@x=r@x }\n"
		  "canonical_maps = inline:{ s@x=sc@x, r@x=rc@x }\n"
		  "sender_canonical_classes = envelope_sender\n"
		  "canonical_classes = header_sender, envelope_recipient");
	got = sender(&f, "a@x", REWRITE_ENVELOPE_SENDER);
	is_str(got, "s@x", "classes: envelope sender through sender_canonical only");
	free(got);
	got = sender(&f, "a@x", REWRITE_HEADER_SENDER);
	is_str(got, "a@x", "classes: header sender not in sender_canonical_classes");
	free(got);
	check_rcpt(&f, "a@x", "rc@x");
	teardown(&f);

	f = setup("sender_canonical_classes = envelope_sender, bogus");
	ok(f.rw == NULL, "classes: an unknown class is a configuration error");
	teardown(&f);
}

static void test_local(void)
{
	struct fixture f = setup("append_dot_mydomain = no");
	const char *in[] = { "root",	     "site!user", "user%dom.example", "@a,@b:u@d.example",
			     "u@d.example.", "" };
	const char *want[] = { "root@localdomain", "user@site",	  "user@dom.example",
			       "u@d.example",	   "u@d.example", "" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]) && f.rw != NULL; i++) {
		char *got = rewrite_local(f.rw, in[i]);

		is_str(got, want[i], "local rewrite: \"%s\"", in[i]);
		free(got);
	}
	teardown(&f);
}

static void check_header(const struct fixture *f, const char *name, const char *value,
			 const char *want)
{
	struct error err = { 0 };
	char *got = NULL;

	if (f->rw == NULL || rewrite_header_value(f->rw, name, value, &got, &err) < 0)
		got = strdup("(error)");
	is_str(got, want, "header %s:%s", name, value);
	free(got);
}

static void test_headers(void)
{
	struct fixture f =
	    setup("sender_canonical_maps = inline:{ joe@home.example=joe@isp.example }\n"
		  "recipient_canonical_maps = inline:{ bob@old.example=bob@new.example,\n"
		  "    {\"b (y)\"@old.example = by@new.example} }");
	struct message_opts mo = { 0 };
	struct error err = { 0 };
	struct message *m;
	static const char msg[] = "From: \"Joe Q. Public\" <joe@home.example>\n"
				  "Subject: hi\n"
				  "To: bob@old.example (Bob), Amy <amy@else.example>\n"
				  "Cc: friends: bob@old.example, x@y.example;, root\n"
				  "X-Other: joe@home.example\n"
				  "\nbody\n";

	check_header(&f, "From", " \"Joe Q. Public\" <joe@home.example>",
		     "\"Joe Q. Public\" <joe@isp.example>");
	check_header(&f, "Reply-To", " joe@home.example (Joe)", "joe@isp.example (Joe)");
	check_header(&f, "From", " other@else.example", NULL);
	check_header(&f, "To", " joe@home.example", NULL);
	check_header(&f, "To", " bob@old.example (Bob), Amy <amy@else.example>",
		     "bob@new.example (Bob), Amy <amy@else.example>");
	check_header(&f, "Cc", " friends: bob@old.example, x@y.example;, z@y.example",
		     "friends: bob@new.example, x@y.example;, z@y.example");
	check_header(&f, "To", " undisclosed-recipients:;", NULL);
	check_header(&f, "To", " bob@old.example, undisclosed-recipients:;",
		     "bob@new.example, undisclosed-recipients: ;");
	check_header(&f, "To", " root", "root@localdomain");
	check_header(&f, "To",
		     " bob@old.example, a-very-long-name@a-very-long-domain.example, "
		     "another-long-name@another-domain.example",
		     "bob@new.example, a-very-long-name@a-very-long-domain.example,\r\n\t"
		     "another-long-name@another-domain.example");
	/* Postfix's fold: a line of 69 bytes stays, one of 70 breaks. */
	check_header(&f, "To", " bob@old.example, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org",
		     "bob@new.example, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org");
	check_header(&f, "To",
		     " bob@old.example, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org",
		     "bob@new.example,\r\n\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org");
	check_header(&f, "Subject", " joe@home.example", NULL);
	check_header(&f, "To", " broken <", NULL);
	/* Found by tests/canonical.sh, against Postfix's cleanup. */
	check_header(&f, "Reply-To", " Joe   <joe@home.example>  (home) (2)",
		     "Joe <joe@isp.example>(home) (2)");
	check_header(&f, "From", " \"Smith <s>\" <joe@home.example>",
		     "\"Smith <s>\" <joe@isp.example>");
	check_header(&f, "Errors-To", " joe@home.example (see <here>)",
		     "joe@isp.example (see <here>)");
	check_header(&f, "To", " \"b (y)\"@old.example (real)", "by@new.example (real)");
	check_header(&f, "To", " (before) bob@old.example (after)",
		     "bob@new.example (before) (after)");
	/* A domain literal is one token: its colons are no group. */
	check_header(&f, "To", " bob@[IPv6:2001:db8::1], bob@old.example",
		     "bob@[IPv6:2001:db8::1], bob@new.example");
	check_header(&f, "Cc", " team: bob@old.example, x@[IPv6:::1];",
		     "team: bob@new.example, x@[IPv6:::1];");
	check_header(&f, "To", " \"Lab\" <x@[IPv6:::1]>, bob@old.example (at [lab])",
		     "\"Lab\" <x@[IPv6:::1]>, bob@new.example (at [lab])");
	check_header(&f, "To", " bob@old.example, x@[IPv6:::1", NULL);

	m = message_from_mem(msg, sizeof(msg) - 1, &mo, &err);
	ok(m != NULL && rewrite_headers(f.rw, m, &err) == 0, "rewrite_headers: runs");
	if (m != NULL) {
		const char *want[][2] = {
			{ "From", "\"Joe Q. Public\" <joe@isp.example>" },
			{ "Subject", "hi" },
			{ "To", "bob@new.example (Bob), Amy <amy@else.example>" },
			{ "Cc", "friends: bob@new.example, x@y.example;, root@localdomain" },
			{ "X-Other", "joe@home.example" },
		};

		is_int((long long)message_header_count(m), 5, "rewrite_headers: five fields");
		for (size_t i = 0; i < 5 && i < message_header_count(m); i++) {
			is_str(message_header_name(m, i), want[i][0], "rewrite_headers: field %zu",
			       i);
			is_str(message_header_value(m, i) + 1, want[i][1], "rewrite_headers: %s",
			       want[i][0]);
		}
	}
	message_free(m);
	teardown(&f);
	f = setup("sender_canonical_maps = inline:{ joe@home.example=joe@isp.example }\n"
		  "sender_canonical_classes = envelope_sender");
	check_header(&f, "From", " <joe@home.example>", NULL);
	teardown(&f);
}

/* An own-address predicate that cannot tell, failing with the class arg
 * points to. */
static int own_unknown(const char *addr, bool ipv6, void *arg, struct error *err)
{
	const enum error_class *cls = arg;

	(void)ipv6;
	error_set(err, *cls, "cannot tell whether %s is ours", addr);
	return -1;
}

/* rewrite_header_value's result as "-> VALUE", "unchanged" or
 * "class: text" (malloc'd). */
static char *header_outcome(const struct fixture *f, const char *name, const char *value)
{
	struct error err = { 0 };
	struct buf b = { 0 };
	char *got = NULL;

	if (f->rw == NULL)
		buf_append_str(&b, "(no rewriter)");
	else if (rewrite_header_value(f->rw, name, value, &got, &err) < 0)
		buf_printf(&b, "%s: %s", error_class_name(err.cls), err.text);
	else if (got == NULL)
		buf_append_str(&b, "unchanged");
	else
		buf_printf(&b, "-> %s", got);
	free(got);
	return buf_steal(&b);
}

/* A field is left alone only when it cannot be parsed (Postfix's rule);
 * a failing lookup and a result that is no address are errors that reach
 * the caller, and a field of any size or number of addresses is
 * rewritten whole. */
static void test_header_errors(void)
{
	const char *maps = "recipient_canonical_maps = inline:{ bob@old.example=bob@new.example }\n"
			   "sender_canonical_maps = inline:{ {bad@x.example = (} }";
	enum error_class cls = ERROR_DATA;
	struct addrfind_own own = { own_unknown, &cls };
	struct fixture f = setup_own(maps, &own);
	struct message_opts mo = { 0 };
	struct buf big = { 0 };
	struct error err = { 0 };
	struct message *m;
	char *got;

	got = header_outcome(&f, "To", " bob@old.example, x@[192.0.2.1]");
	is_str(got,
	       "data: recipient_canonical_maps lookup problem for x@[192.0.2.1]: cannot tell "
	       "whether 192.0.2.1 is ours",
	       "header errors: a lookup error is passed on, whatever its class");
	free(got);
	cls = ERROR_TEMP;
	got = header_outcome(&f, "To", " x@[192.0.2.1]");
	is_str(got,
	       "temp: recipient_canonical_maps lookup problem for x@[192.0.2.1]: cannot tell "
	       "whether 192.0.2.1 is ours",
	       "header errors: ... a temporary one too");
	free(got);
	got = header_outcome(&f, "Reply-To", " joe@x.example, bad@x.example");
	is_str(got,
	       "temp: sender_canonical_maps lookup of bad@x.example returns a result that is not "
	       "an address: \"(\"",
	       "header errors: a result that is no address");
	free(got);
	got = header_outcome(&f, "To", " bob@old.example, (nobody)");
	is_str(got, "unchanged", "header errors: a mailbox without an address leaves it alone");
	free(got);
	got = header_outcome(&f, "To", " bob@old.example, a@b c@d");
	is_str(got, "unchanged", "header errors: two addresses in one mailbox leave it alone");
	free(got);

	m = message_from_mem("To: x@[192.0.2.1]\nCc: bob@old.example\n\nbody\n", 44, &mo, &err);
	ok(m != NULL && rewrite_headers(f.rw, m, &err) == -1 && err.cls == ERROR_TEMP,
	   "header errors: rewrite_headers returns -1 with the error");
	message_free(m);

	/* 90 KiB once the line breaks are taken out, between the 64 KiB
	 * this once stopped at and header_size_limit: rewritten whole. */
	buf_append_str(&big, " bob@old.example");
	while (big.len < 90 * 1024)
		buf_append_str(&big, ",\r\n x@y.example");
	buf_append_str(&big, ",\r\n bob@old.example, last@y.example");
	got = header_outcome(&f, "Cc", big.data);
	ok(got != NULL && strncmp(got, "-> bob@new.example, x@y.example, x@y.example,", 45) == 0 &&
	       strstr(got, "x@y.example,\r\n\tbob@new.example, last@y.example") != NULL &&
	       strstr(got, "old.example") == NULL,
	   "header errors: a 90 KiB value is rewritten whole, not refused");
	free(got);
	buf_reset(&big);
	for (int i = 1; i <= 300; i++)
		buf_printf(&big, "%su%d", i > 1 ? ", " : " ", i);
	got = header_outcome(&f, "To", big.data);
	ok(got != NULL && strncmp(got, "-> u1@localdomain, u2@localdomain,", 34) == 0 &&
	       strstr(got, "u300@localdomain") != NULL,
	   "header errors: 300 addresses are all rewritten");
	free(got);
	buf_fini(&big);
	teardown(&f);
}

/* The stored form of m's header and blank line (malloc'd). */
static char *header_text(const struct message *m)
{
	static struct message_cursor c;
	struct error e = { 0 };
	struct buf b = { 0 };
	const char *p;
	ssize_t r;

	message_rewind(m, &c);
	while ((r = message_next(m, &c, &p, &e)) > 0)
		buf_append(&b, p, (size_t)r);
	if (buf_append_char(&b, '\0') < 0)
		return NULL;
	*strstr(b.data, "\r\n\r\n") = '\0';
	return buf_steal(&b);
}

/* Only the fields that changed are regenerated; the others stay byte for
 * byte, odd spacing and folding included. */
static void test_headers_in_place(void)
{
	struct fixture f =
	    setup("recipient_canonical_maps = inline:{ bob@old.example=bob@new.example }");
	struct message_opts mo = { 0 };
	struct error err = { 0 };
	static const char msg[] = "From:joe@home.example\n"
				  "To:bob@old.example\n"
				  "Subject:\t no space\n"
				  "Cc:  amy@else.example,\n\t carl@else.example\n"
				  "Reply-To :joe@home.example\n"
				  "\nbody\n";
	struct message *m = message_from_mem(msg, sizeof(msg) - 1, &mo, &err);
	char *text;

	ok(m != NULL && rewrite_headers(f.rw, m, &err) == 0, "in place: runs");
	text = m != NULL ? header_text(m) : NULL;
	is_str(text,
	       "From:joe@home.example\r\n"
	       "To: bob@new.example\r\n"
	       "Subject:\t no space\r\n"
	       "Cc:  amy@else.example,\r\n\t carl@else.example\r\n"
	       "Reply-To :joe@home.example",
	       "in place: only To regenerated, the rest byte-exact");
	free(text);
	message_free(m);
	teardown(&f);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_keys();
	test_literal_keys();
	test_vectors();
	test_literal_rewrite();
	test_recursion();
	test_patterns();
	test_classes();
	test_local();
	test_headers();
	test_headers_in_place();
	test_header_errors();
	unlink(put("canon", ""));
	unlink(put("re", ""));
	unlink(put("null", ""));
	rmdir(dir);
	return tap_done();
}
