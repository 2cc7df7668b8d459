/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mail/alias: aliases(5) parsing (continuations, comments, quoted names,
 * duplicates, errors with file and line), expansion of local names only,
 * recursion, loops, refused command/file/:include: targets, luser_relay
 * with its per-recipient $names, duplicate removal, each name expanded
 * once (a doubling chain in linear time), Postfix's nesting limit, the
 * result limit, and a bad value kept out of the error text. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "mail/alias.h"
#include "mail/rewrite.h"
#include "capture.h"
#include "tap.h"

static char *const noenv[] = { NULL };

static const char aliases_text[] = "# system aliases\n"
				   "postmaster:    root\n"
				   "root: admin@example.com,\n"
				   "  # a comment inside the entry\n"
				   "\tops\n"
				   "ops: ops, oncall@example.com\n"
				   "\"web master\": web@example.com\n"
				   "Upper: upper@example.com\n"
				   "loop1: loop2\n"
				   "loop2: loop1\n"
				   "pipe: \"|/usr/bin/procmail\", keep@example.com\n"
				   "file: /var/log/mail.txt\n"
				   "incl: :include:/etc/list\n"
				   "twice: a@example.com, a@EXAMPLE.COM, a@example.com\n"
				   "root: ignored@example.com\n"
				   "lost: ghost1, ghost2\n";

static bool is_user(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "daemon") == 0;
}

struct fixture {
	struct config *cfg;
	struct rewriter *rw;
	struct aliases *a;
	struct alias_ctx ctx;
};

/* The only own address of these tests: [127.0.0.1]. */
static int own_loopback(const char *addr, bool ipv6, void *arg, struct error *err)
{
	(void)arg;
	(void)err;
	return !ipv6 && strcmp(addr, "127.0.0.1") == 0;
}

static void setup_own(struct fixture *f, const char *extra, const struct addrfind_own *own)
{
	struct error err = { 0 };
	struct buf text = { 0 };
	struct capture cap;

	memset(f, 0, sizeof(*f));
	buf_printf(&text,
		   "myhostname = host.example\nmydomain = example\n"
		   "myorigin = host.example\nrecipient_delimiter = +\n%s\n",
		   extra);
	f->cfg = config_parse("test.cf", text.data, text.len, noenv, &err);
	buf_fini(&text);
	if (f->cfg != NULL)
		f->rw = rewriter_new(f->cfg, own, &err);
	capture_begin(&cap);
	f->a = alias_parse("aliases", aliases_text, sizeof(aliases_text) - 1, false, &err);
	free(capture_end(&cap));
	if (f->rw == NULL || f->a == NULL)
		diag("setup: %s", err.text);
	f->ctx.rw = f->rw;
	f->ctx.luser_relay = config_get(f->cfg, "luser_relay");
	f->ctx.luser_relay_where = config_where(f->cfg, "luser_relay");
	f->ctx.is_user = is_user;
}

static void setup(struct fixture *f, const char *extra)
{
	setup_own(f, extra, NULL);
}

static void teardown(struct fixture *f)
{
	alias_free(f->a);
	rewriter_free(f->rw);
	config_free(f->cfg);
}

/* The expansion joined by spaces, "(error)" on failure; warnings in *warn. */
static char *expand(struct fixture *f, const char *addr, char **warn)
{
	struct addrlist out = { 0 };
	struct error err = { 0 };
	struct buf b = { 0 };
	struct capture cap;
	int rc;

	capture_begin(&cap);
	rc = f->a != NULL ? alias_expand(f->a, &f->ctx, addr, &out, &err) : -1;
	*warn = capture_end(&cap);
	for (size_t i = 0; i < out.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", out.v[i]);
	addrlist_fini(&out);
	if (rc < 0) {
		buf_fini(&b);
		return strdup("(error)");
	}
	return b.data != NULL ? buf_steal(&b) : strdup("");
}

static void check(struct fixture *f, const char *addr, const char *want, const char *want_warn)
{
	char *warn, *got = expand(f, addr, &warn);

	is_str(got, want, "expand %s", addr);
	is_str(warn, want_warn, "expand %s: warnings", addr);
	free(got);
	free(warn);
}

/* The extension is split as Postfix's split_addr splits it: with '-' a
 * delimiter, owner-x and x-request are names of their own, never x. */
static void test_extension_split(void)
{
	struct fixture f;
	const char *root = "admin@example.com ops@host.example oncall@example.com";

	setup(&f, "recipient_delimiter = -");
	check(&f, "root-cron@host.example", root, "");
	check(&f, "root-request@host.example", "root-request@host.example", "");
	check(&f, "owner-root@host.example", "owner-root@host.example", "");
	teardown(&f);
}

static void test_expand(void)
{
	struct fixture f;

	setup(&f, "");
	check(&f, "root@host.example", "admin@example.com ops@host.example oncall@example.com", "");
	check(&f, "postmaster@localhost", "admin@example.com ops@host.example oncall@example.com",
	      "");
	check(&f, "root@elsewhere.example", "root@elsewhere.example", "");
	check(&f, "\"web master\"@host.example", "web@example.com", "");
	check(&f, "UPPER@host.example", "upper@example.com", "");
	check(&f, "root+cron@host.example", "admin@example.com ops@host.example oncall@example.com",
	      "");
	check(&f, "loop1@host.example", "loop1@host.example", "");
	check(&f, "twice@host.example", "a@example.com", "");
	check(
	    &f, "pipe@host.example", "keep@example.com",
	    "relaymail: warning: alias pipe: \"\"|/usr/bin/procmail\"\" is not supported "
	    "(relaymail delivers no mail to commands, files or :include: lists); entry ignored\n");
	check(&f, "file@host.example", "",
	      "relaymail: warning: alias file: \"/var/log/mail.txt\" is not supported (relaymail "
	      "delivers no mail to commands, files or :include: lists); entry ignored\n");
	check(&f, "incl@host.example", "",
	      "relaymail: warning: alias incl: \":include:/etc/list\" is not supported (relaymail "
	      "delivers no mail to commands, files or :include: lists); entry ignored\n");
	check(&f, "nobody@host.example", "nobody@host.example", "");
	teardown(&f);

	setup(&f, "luser_relay = catchall@example.com");
	check(&f, "nobody@host.example", "catchall@example.com", "");
	check(&f, "daemon@host.example", "daemon@host.example", "");
	check(&f, "root@host.example", "admin@example.com ops@host.example oncall@example.com", "");
	check(&f, "nobody@elsewhere.example", "nobody@elsewhere.example", "");
	teardown(&f);
}

/* An address literal of the host is a local domain (Postfix's
 * resolve_local): its names are aliases. */
static void test_expand_literal(void)
{
	struct addrfind_own own = { own_loopback, NULL };
	struct fixture f;

	setup_own(&f, "", &own);
	check(&f, "root@[127.0.0.1]", "admin@example.com ops@host.example oncall@example.com", "");
	check(&f, "root@[192.0.2.1]", "root@[192.0.2.1]", "");
	check(&f, "root@[IPv6:::1]", "root@[IPv6:::1]", "");
	teardown(&f);
	setup(&f, "");
	check(&f, "root@[127.0.0.1]", "root@[127.0.0.1]", "");
	teardown(&f);
}

/* f with the aliases of text in place of aliases_text. */
static void use_aliases(struct fixture *f, const char *text)
{
	struct error err = { 0 };

	alias_free(f->a);
	f->a = alias_parse("/etc/aliases", text, strlen(text), true, &err);
	if (f->a == NULL)
		diag("use_aliases: %s", err.text);
}

/* Expand addr, which must fail with ERROR_CONFIG; the error text. */
static char *expand_fails(struct fixture *f, const char *addr, char **warn)
{
	struct addrlist out = { 0 };
	struct error err = { 0 };
	struct capture cap;
	int rc;

	capture_begin(&cap);
	rc = f->a != NULL ? alias_expand(f->a, &f->ctx, addr, &out, &err) : 0;
	*warn = capture_end(&cap);
	addrlist_fini(&out);
	ok(rc < 0 && err.cls == ERROR_CONFIG, "expand %s fails (ERROR_CONFIG)", addr);
	return strdup(rc < 0 ? err.text : "");
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "a0: a1, a1", "a1: a2, a2", ... : 2^n paths, n + 1 names. */
static void doubling_chain(struct buf *b, int n, const char *last)
{
	buf_reset(b);
	for (int i = 0; i < n; i++)
		buf_printf(b, "a%d: a%d, a%d\n", i, i + 1, i + 1);
	buf_printf(b, "a%d: %s\n", n, last);
}

/* Each name is expanded once per recipient: a doubling chain as deep as
 * the nesting limit allows (2^24 paths) is as quick as a straight one,
 * and the 40-level chain of the report stops at the limit, at once. */
static void test_doubling(void)
{
	struct buf text = { 0 };
	struct timespec t0;
	struct fixture f;
	char *warn, *got;

	setup(&f, "");
	doubling_chain(&text, ALIAS_DEPTH_MAX - 1, "end@example.com, a0, a7");
	use_aliases(&f, text.data);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check(&f, "a0@host.example", "end@example.com a0@host.example a7@host.example", "");
	ok(seconds_since(&t0) < 2.0, "doubling chain of %d: linear time (%.3f s)",
	   ALIAS_DEPTH_MAX - 1, seconds_since(&t0));

	doubling_chain(&text, 40, "end@example.com");
	use_aliases(&f, text.data);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	got = expand_fails(&f, "a0@host.example", &warn);
	is_str(got,
	       "alias_maps: the aliases for <a0@host.example> nest more than 25 deep (an alias "
	       "loop?)",
	       "doubling chain of 40: the nesting limit");
	ok(seconds_since(&t0) < 2.0, "doubling chain of 40: stops at once (%.3f s)",
	   seconds_since(&t0));
	free(got);
	free(warn);
	teardown(&f);
	buf_fini(&text);
}

/* Postfix's local(8), measured (Postfix 3.7.11): in a chain of aliases
 * the 26th is refused, and what the 25th gives is delivered, a local
 * name that is no alias too. A loop is no nesting: the name met again is
 * sent as it is. */
static void test_depth(void)
{
	struct buf text = { 0 };
	struct fixture f;
	char *warn, *got;

	setup(&f, "");
	for (int i = 0; i < ALIAS_DEPTH_MAX - 1; i++)
		buf_printf(&text, "c%d: c%d\n", i, i + 1);
	buf_printf(&text, "c%d: far@example.com, nobody, c1\n", ALIAS_DEPTH_MAX - 1);
	buf_printf(&text, "d0: c1\n");
	buf_printf(&text, "e0: c0, e1\n");
	buf_printf(&text, "e1: e2\ne2: c0\n");
	use_aliases(&f, text.data);
	check(&f, "c0@host.example", "far@example.com nobody@host.example c1@host.example", "");
	check(&f, "d0@host.example", "far@example.com nobody@host.example c1@host.example", "");
	got = expand_fails(&f, "e0@host.example", &warn);
	is_str(got,
	       "alias_maps: the aliases for <e0@host.example> nest more than 25 deep (an alias "
	       "loop?)",
	       "depth: the 26th alias of a chain is refused");
	free(got);
	free(warn);
	teardown(&f);
	buf_fini(&text);
}

/* At most ALIAS_RESULT_MAX final addresses; duplicates do not count. */
static void test_result_limit(void)
{
	struct buf text = { 0 };
	struct fixture f;
	char *warn, *got;

	setup(&f, "");
	buf_append_str(&text, "many: u0@example.com");
	for (int i = 1; i < ALIAS_RESULT_MAX; i++)
		buf_printf(&text, ", u%d@example.com", i);
	buf_append_str(&text, ", u0@example.com, u1@EXAMPLE.COM\n");
	buf_append_str(&text, "more: many, one.more@example.com\n");
	use_aliases(&f, text.data);
	got = expand(&f, "many@host.example", &warn);
	ok(strncmp(got, "u0@example.com u1@example.com ", 30) == 0 &&
	       strstr(got, " u999@example.com") != NULL && strstr(got, "EXAMPLE") == NULL,
	   "result limit: %d addresses and duplicates expand", ALIAS_RESULT_MAX);
	free(got);
	free(warn);
	got = expand_fails(&f, "more@host.example", &warn);
	is_str(got, "alias expansion gives more than 1000 recipients",
	       "result limit: one more is an error");
	free(got);
	free(warn);
	teardown(&f);
	buf_fini(&text);
}

/* A value that is not an address list fails the recipient; the error
 * (a -bs client reads it in the 451) names the recipient, the alias and
 * the file, never the value, which only the warning quotes. */
static void test_bad_value(void)
{
	struct fixture f;
	char *warn, *got;

	setup(&f, "");
	use_aliases(&f, "root: ops\nops: a;(secret\n");
	got = expand_fails(&f, "root@host.example", &warn);
	is_str(got,
	       "alias_maps: the alias ops for <root@host.example> is not a list of addresses "
	       "(/etc/aliases)",
	       "bad value: the error names recipient, alias and file");
	is_str(warn,
	       "relaymail: warning: /etc/aliases: alias ops: invalid address list \"a;(secret\": "
	       "a comment is not terminated\n",
	       "bad value: the warning quotes it");
	free(got);
	free(warn);
	teardown(&f);
}

/* One luser_relay setting (a main.cf line), one recipient. */
static void luser(const char *line, const char *addr, const char *want, const char *want_warn)
{
	struct fixture f;

	setup(&f, line);
	check(&f, addr, want, want_warn);
	teardown(&f);
}

static void luser_fails(const char *line, const char *addr, const char *want_err)
{
	struct addrlist out = { 0 };
	struct error err = { 0 };
	struct capture cap;
	struct fixture f;
	int rc;

	setup(&f, line);
	capture_begin(&cap);
	rc = f.a != NULL ? alias_expand(f.a, &f.ctx, addr, &out, &err) : 0;
	free(capture_end(&cap));
	ok(rc < 0 && err.cls == ERROR_CONFIG, "%s: %s fails (ERROR_CONFIG)", line, addr);
	is_str(rc < 0 ? err.text : NULL, want_err, "%s: %s: the message", line, addr);
	addrlist_fini(&out);
	teardown(&f);
}

#define UNSUPPORTED(name)                                                                          \
	"relaymail: warning: test.cf, line 5: $" name " is not expanded in luser_relay and "       \
	"gives the empty string; the names expanded there are $domain, $extension, $home, "        \
	"$local, $recipient, $recipient_delimiter, $shell and $user\n"

static void test_luser_names(void)
{
	/* Each name local(8) gives luser_relay; local part and domain in
	 * lower case, $recipient as it came. */
	luser("luser_relay = $user@relay.example", "Bob+Tag@HOST.Example", "bob@relay.example", "");
	luser("luser_relay = $local@relay.example", "Bob+Tag@HOST.Example", "bob+tag@relay.example",
	      "");
	luser("luser_relay = $extension@relay.example", "Bob+Tag@HOST.Example", "tag@relay.example",
	      "");
	luser("luser_relay = $domain@relay.example", "Bob+Tag@HOST.Example",
	      "host.example@relay.example", "");
	luser("luser_relay = u$recipient_delimiter@relay.example", "Bob+Tag@HOST.Example",
	      "u+@relay.example", "");
	luser("luser_relay = r.$recipient", "Bob+Tag@HOST.Example", "r.Bob+Tag@HOST.Example", "");
	luser("luser_relay = h${home}s$(shell)x@relay.example", "bob@host.example",
	      "hsx@relay.example", "");
	luser("luser_relay = ${user}.$(user)@relay.example", "bob@host.example",
	      "bob.bob@relay.example", "");
	luser("luser_relay = $mailbox@relay.example", "Bob+Tag@host.example",
	      "bob+tag@relay.example", "");
	luser("luser_relay = admin+$local", "\"a b\"@host.example", "\"admin+a b\"@host.example",
	      "");
	luser("luser_relay = $$x@relay.example", "bob@host.example", "$x@relay.example", "");

	/* No extension: $extension and $recipient_delimiter are undefined. */
	luser("luser_relay = $user-$extension-$recipient_delimiter-x@relay.example",
	      "bob@host.example", "bob---x@relay.example", "");
	luser("luser_relay = $local@relay.example", "bob@host.example", "bob@relay.example", "");
	/* A delimiter last: an empty extension, but a delimiter. */
	luser("luser_relay = $user.$recipient_delimiter.x${extension?yes}@relay.example",
	      "bob+@host.example", "bob.+.x@relay.example", "");
	/* A delimiter first does not split. */
	luser("luser_relay = $user@relay.example", "+bob@host.example", "+bob@relay.example", "");

	/* Several delimiters: the first one found splits, and is the one
	 * $recipient_delimiter gives. */
	luser("recipient_delimiter = +-\nluser_relay = "
	      "$user.$extension.$recipient_delimiter@r.example",
	      "bob-tag+more@host.example", "bob.tag+more.-@r.example", "");
	luser("recipient_delimiter = +-\nluser_relay = "
	      "$user.$extension.$recipient_delimiter@r.example",
	      "bob+tag-more@host.example", "bob.tag-more.+@r.example", "");
	luser("recipient_delimiter = +-\nluser_relay = $user@r.example", "owner-list@host.example",
	      "owner-list@r.example", "");
	luser("recipient_delimiter =\nluser_relay = $user.${extension:none}@r.example",
	      "bob+tag@host.example", "bob+tag.none@r.example", "");

	/* An extension with "/" is dropped, as local(8) does. */
	luser("luser_relay = x${extension?{-$extension}}@relay.example", "bob+a/b@host.example",
	      "x@relay.example",
	      "relaymail: warning: bob+a/b@host.example: address with illegal extension (it "
	      "holds \"/\"); luser_relay gets an empty $extension\n");
}

static void test_luser_conditionals(void)
{
	static const char both[] =
	    "luser_relay = ${extension?{$user+$extension}:{$user}}@relay.example";
	static const char plain[] =
	    "luser_relay = $user${extension?-has}${extension:-none}@relay.example";
	static const char braced[] =
	    "luser_relay = $user${extension?{-has}}${extension:{-none}}@relay.example";

	luser(both, "bob+tag@host.example", "bob+tag@relay.example", "");
	luser(both, "bob@host.example", "bob@relay.example", "");
	luser(plain, "bob+tag@host.example", "bob-has@relay.example", "");
	luser(plain, "bob@host.example", "bob-none@relay.example", "");
	luser(braced, "bob+tag@host.example", "bob-has@relay.example", "");
	luser(braced, "bob@host.example", "bob-none@relay.example", "");
	luser("luser_relay = ${home?{home}:{nohome}}@relay.example", "bob@host.example",
	      "nohome@relay.example", "");
	/* An empty extension is a false one. */
	luser(braced, "bob+@host.example", "bob-none@relay.example", "");
}

static void test_luser_unsupported(void)
{
	struct fixture f;

	/* Postfix leaves main.cf parameters out: $mydomain is undefined here,
	 * and the address is the one Postfix makes. */
	luser("luser_relay = $user-$mydomain-x@relay.example", "bob@host.example",
	      "bob--x@relay.example", UNSUPPORTED("mydomain"));
	luser("luser_relay = ${mydomain?{$user}:{x}}@relay.example", "bob@host.example",
	      "x@relay.example", UNSUPPORTED("mydomain"));
	/* One warning per name, however often it comes. */
	luser("luser_relay = a$nosuch-$(nosuch)-$myhostname-$user@relay.example",
	      "bob@host.example", "a---bob@relay.example",
	      UNSUPPORTED("nosuch") UNSUPPORTED("myhostname"));
	setup(&f, "luser_relay = $user-${myorigin}@relay.example");
	check(&f, "lost@host.example", "ghost1-@relay.example ghost2-@relay.example",
	      UNSUPPORTED("myorigin"));
	teardown(&f);
	/* A name in a branch not taken is not looked at. */
	luser("luser_relay = ${extension?{$nosuch}:{$user}}@relay.example", "bob@host.example",
	      "bob@relay.example", "");
}

static void test_luser_errors(void)
{
	luser_fails("luser_relay = ${user", "bob@host.example",
		    "test.cf, line 5: the value of parameter luser_relay has bad macro syntax "
		    "near \"${user\"");
	luser_fails("luser_relay = $user@$", "bob@host.example",
		    "test.cf, line 5: the value of parameter luser_relay has an empty macro name "
		    "after \"$\"; write $$ for a literal $");
	luser_fails("luser_relay = ${user?{a}x}@relay.example", "bob@host.example",
		    "test.cf, line 5: the value of parameter luser_relay has bad macro syntax "
		    "near \"user?{a}x\"");
	luser_fails("luser_relay = $extension", "bob@host.example",
		    "test.cf, line 5: luser_relay gives an empty address for bob@host.example");
	/* The classic mistake: $mydomain is empty here, the domain too. */
	luser_fails("luser_relay = $user@$mydomain", "bob@host.example",
		    "test.cf, line 5: luser_relay gives a bad address for bob@host.example: "
		    "invalid address \"bob@\": the domain is empty");
	/* Bad syntax matters only where luser_relay is applied. */
	luser("luser_relay = ${user", "root@elsewhere.example", "root@elsewhere.example", "");
	luser("luser_relay = ${user", "daemon@host.example", "daemon@host.example", "");
}

static void test_luser_aliases(void)
{
	struct fixture f;

	/* The result is a new recipient: qualified and expanded through the
	 * aliases, extension stripping included. */
	luser("luser_relay = root", "nobody@host.example",
	      "admin@example.com ops@host.example oncall@example.com", "");
	luser("luser_relay = postmaster+$user", "nobody@host.example",
	      "admin@example.com ops@host.example oncall@example.com", "");
	/* But luser_relay is not applied again in there. */
	luser("luser_relay = lost-$user", "nobody@host.example", "lost-nobody@host.example", "");
	luser("luser_relay = $local", "Nobody@host.example", "nobody@host.example", "");
	luser("luser_relay = lost", "nobody@host.example",
	      "ghost1@host.example ghost2@host.example", "");
	/* Outside that subtree it is, for each unknown name. */
	setup(&f, "luser_relay = catch+$user@relay.example");
	check(&f, "lost@host.example", "catch+ghost1@relay.example catch+ghost2@relay.example", "");
	check(&f, "daemon@host.example", "daemon@host.example", "");
	check(&f, "Ghost3@HOST.example", "catch+ghost3@relay.example", "");
	teardown(&f);
}

static void check_parse(const char *text, bool strict, const char *want_err, const char *want_warn)
{
	struct error err = { 0 };
	struct capture cap;
	struct aliases *a;
	char *warn;

	capture_begin(&cap);
	a = alias_parse("/etc/aliases", text, strlen(text), strict, &err);
	warn = capture_end(&cap);
	is_str(a == NULL ? err.text : NULL, want_err, "parse%s: error", strict ? " (strict)" : "");
	is_str(warn, want_warn, "parse%s: warnings", strict ? " (strict)" : "");
	free(warn);
	alias_free(a);
}

/* A logical line past 64 KiB is a configuration error naming file and
 * the line it starts on, strict or not. */
static void test_parse_long(void)
{
	struct buf text = { 0 };
	struct error err = { 0 };
	struct aliases *a;

	buf_append_str(&text, "a: b\nbig: first,\n  ");
	for (int i = 0; i < 65536 / 8; i++)
		buf_append_str(&text, "x@y.com,");
	buf_append_str(&text, "\nc: d\n");
	a = alias_parse("/etc/aliases", text.data, text.len, false, &err);
	ok(a == NULL && err.cls == ERROR_CONFIG, "parse: a line past 64 KiB is ERROR_CONFIG");
	is_str(err.text, "/etc/aliases, line 2: the line is longer than 65536 bytes",
	       "parse: ... naming file and line");
	alias_free(a);
	buf_fini(&text);
}

static void test_parse(void)
{
	struct error err = { 0 };
	struct capture cap;
	struct aliases *a;
	char *v = NULL, *warn;

	capture_begin(&cap);
	a = alias_parse("/etc/aliases", aliases_text, sizeof(aliases_text) - 1, true, &err);
	warn = capture_end(&cap);
	is_str(warn, "relaymail: warning: /etc/aliases, line 15: duplicate alias root ignored\n",
	       "parse: a duplicate is warned, the first kept");
	ok(a != NULL && alias_lookup(a, "root", &v, &err) == 1, "parse: root found");
	is_str(v, "admin@example.com,\tops", "parse: continuation joined, comment skipped");
	free(v);
	ok(a != NULL && alias_lookup(a, "web master", &v, &err) == 1, "parse: quoted name");
	free(v);
	ok(a != NULL && alias_lookup(a, "nosuch", &v, &err) == 0, "parse: unknown name");
	free(warn);
	alias_free(a);

	check_parse("a: b\nno colon here\nc: d\n", true,
		    "/etc/aliases, line 2: need name:value pair", "");
	check_parse("a: b\nno colon here\nc: d\n", false, NULL,
		    "relaymail: warning: /etc/aliases, line 2: need name:value pair; line "
		    "ignored\n");
	check_parse(" x: y\n", true,
		    "/etc/aliases, line 1: a continuation line comes before "
		    "any alias",
		    "");
	check_parse("a:\n", true, "/etc/aliases, line 1: the alias has no value", "");
	check_parse(": b\n", true, "/etc/aliases, line 1: the alias name is empty", "");
}

static void test_open(void)
{
	char dir[] = "/tmp/test-alias.XXXXXX", path[256], spec[512];
	struct error err = { 0 };
	struct aliases *a;
	FILE *fp;
	char *v = NULL;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/aliases", dir);
	snprintf(spec, sizeof(spec), "hash:%s, inline:{ other=x@y.example }", path);
	a = alias_open(spec, true, false, &err);
	ok(a == NULL && err.cls == ERROR_CONFIG, "open: a missing file is an error");
	a = alias_open(spec, true, true, &err);
	ok(a != NULL, "open: a missing file is skipped when allowed");
	ok(a != NULL && alias_lookup(a, "other", &v, &err) == 1 && strcmp(v, "x@y.example") == 0,
	   "open: inline: table as alias map");
	free(v);
	alias_free(a);
	fp = fopen(path, "w");
	if (fp != NULL) {
		fputs("Root: r@example.com\n", fp);
		fclose(fp);
	}
	a = alias_open(spec, true, false, &err);
	ok(a != NULL && alias_lookup(a, "root", &v, &err) == 1 && strcmp(v, "r@example.com") == 0,
	   "open: hash: reads the aliases(5) source");
	free(v);
	alias_free(a);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_expand();
	test_expand_literal();
	test_extension_split();
	test_doubling();
	test_depth();
	test_result_limit();
	test_bad_value();
	test_luser_names();
	test_luser_conditionals();
	test_luser_unsupported();
	test_luser_errors();
	test_luser_aliases();
	test_parse();
	test_parse_long();
	test_open();
	return tap_done();
}
