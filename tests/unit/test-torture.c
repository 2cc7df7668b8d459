/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocation failures in the lookup tables (torture.h): every table type
 * opened from a file and inline, with the warnings of every kind of bad
 * line, and looked up for hits, misses, substitutions and IF; missing and
 * compiled-only files; map lists; match lists with every kind of item;
 * kvmap, textfile_read and lines_next alone; main.cf text with a long
 * line and one past the cap. Then the
 * failures no file causes, through the same wrappers: regexec failing
 * for another reason than memory, fstat failing, reads interrupted, a
 * file longer than its size. */
#include <config.h>

#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/kvmap.h"
#include "conf/lines.h"
#include "conf/matchlist.h"
#include "conf/table.h"
#include "conf/textfile.h"
#include "tap.h"
#include "torture.h"

static struct table *do_open(const char *spec, unsigned flags, const char *where)
{
	struct error err = { 0 };
	struct table *t;

	torture_step_begin();
	t = table_open(spec, flags, where, &err);
	if (t != NULL)
		torture_step_end(false, "open %s: ok", spec);
	else
		torture_step_end(torture_is_oom(&err), "open %s: %s", spec, torture_outcome(&err));
	return t;
}

/* A lookup's result: the value, not found, or the error (with *value
 * left NULL). */
static void report_lookup(const char *key, int rc, char *value, const struct error *err)
{
	if (rc == 1)
		torture_step_end(false, "%s -> \"%s\"", key, value);
	else if (rc == 0)
		torture_step_end(false, "%s: not found%s", key,
				 value != NULL ? " (but a value)" : "");
	else
		torture_step_end(torture_is_oom(err) && value == NULL, "%s: %s%s", key,
				 torture_outcome(err), value != NULL ? " (but a value)" : "");
	free(value);
}

static void do_lookup(const struct table *t, const char *key)
{
	struct error err = { 0 };
	char *v = NULL;
	int rc;

	torture_step_begin();
	rc = table_lookup(t, key, &v, &err);
	report_lookup(key, rc, v, &err);
}

/* A table (or a map list), how to open it, and at most 15 keys. */
struct tcase {
	char spec[400];
	unsigned flags;
	const char *where;
	const char *keys[16];
	bool maps;
};

static void run_tcase(const void *arg)
{
	const struct tcase *c = arg;
	struct error err = { 0 };

	if (c->maps) {
		struct maps *m;
		char *v;
		int rc;

		torture_step_begin();
		if ((m = maps_open(c->spec, c->flags, c->where, &err)) == NULL) {
			torture_step_end(torture_is_oom(&err), "maps %s: %s", c->spec,
					 torture_outcome(&err));
			return;
		}
		torture_step_end(false, "maps %s: %zu tables", c->spec, maps_count(m));
		for (size_t i = 0; i < 16 && c->keys[i] != NULL; i++) {
			torture_step_begin();
			v = NULL;
			rc = maps_lookup(m, c->keys[i], &v, &err);
			report_lookup(c->keys[i], rc, v, &err);
		}
		maps_free(m);
		return;
	}
	struct table *t = do_open(c->spec, c->flags, c->where);

	for (size_t i = 0; t != NULL && i < 16 && c->keys[i] != NULL; i++)
		do_lookup(t, c->keys[i]);
	table_free(t);
}

/* ---- the scenarios ----------------------------------------------------- */

static char dir[] = "/tmp/test-torture.XXXXXX";

static const char *path_of(const char *name)
{
	static char path[16][300];
	static int next;
	char *p = path[next++ % 16];

	snprintf(p, 300, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text, mode_t mode)
{
	const char *p = path_of(name);
	FILE *f = fopen(p, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, mode);
}

/* "type:DIR/name", until the next call. */
static const char *spec_of(const char *type, const char *name)
{
	static char spec[320];

	snprintf(spec, sizeof(spec), "%s:%s/%s", type, dir, name);
	return spec;
}

static const char text_table[] = "# comment\n"
				 "[smtp.example.com]:587   user1:pa ss:word  \n"
				 "  # indented comment\n"
				 "smtp.example.com\tuser2:secret\n"
				 "\n"
				 "[Mixed.Example.COM]:465 user3:x\n"
				 "\"quoted key\"  qv\n"
				 "key:   aliasstyle\n"
				 "cont   first\n"
				 "  second\n"
				 "novalue\n"
				 "\"unbalanced key  x\n"
				 "[smtp.example.com]:587 dup:dup\n"
				 "k01 v01\nk02 v02\nk03 v03\nk04 v04\nk05 v05\nk06 v06\n"
				 "k07 v07\nk08 v08\nk09 v09\nk10 v10\nk11 v11\nk12 v12\n";

static const char regexp_table[] =
    "# sender rewriting\n"
    "/^root@.*$/                 admin@example.com\n"
    "/^([^@+]+)(\\+[^@]*)?@host\\.example\\.com$/   ${1}@example.com\n"
    "/^(.*)@localhost(\\.localdomain)?$/  $1@example.com\n"
    "if /@example\\.org$/\n"
    "/^bob@/                     robert@example.org\n"
    "!/^(alice|carol)@/          nobody@example.org\n"
    "endif\n"
    "/^UPPER@example\\.net$/i     case-hit\n"
    "/^x(y)?z@test$/             got[$1]\n"
    "/^dollar@test$/             cost$$5\n"
    "/^multi@test$/              first\n"
    "  second\n"
    "/^(a.*)@x$/!/^ab/           pair:$1\n"
    "/^zero@(.*)$/               $0\n"
    "/^two@(.*)$/                $2\n"
    "!/^neg(.*)$/                bad$1\n"
    "/^un(known)@x$/q            unknown-flag\n"
    "/^lit@x$/                   $1abc\n"
    "/^bad(/                     broken\n"
    "/^nores@x$/\n"
    "endif\n"
    "frobnicate\n"
    "/^unclosed\n"
    "if /^if@/ extra\n"
    "if /^if@z/\n"
    "/^if@(.*)$/                 inner:$1\n"
    "endif\n"
    "endif\n"
    "/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)@many$/ $12$11$1\n"
    "/^long@(.*)$/ a-result-longer-than-sixty-four-bytes-so-that-it-grows:$1:$1:$1\n"
    "/^r1@/ r1\n/^r2@/ r2\n/^r3@/ r3\n/^r4@/ r4\n"
    "if /^open@/\n"
    "/^open@(.*)/ open:$1\n";

static const char *const regexp_keys[] = {
	"root@host.example.com",
	"john+tag@host.example.com",
	"fred@localhost",
	"bob@example.org",
	"alice@example.org",
	"dave@example.org",
	"xz@test",
	"multi@test",
	"aab@x",
	"if@z",
	"abcdefghijkl@many",
	"long@qq",
	"nores@x",
	"open@o",
	"nomatch@else",
};

#if HAVE_PCRE2
static const char pcre_table[] = "/^root@.*$/                admin@example.com\n"
				 "/^([^@+]+)(\\+[^@]*)?@host\\.example\\.com$/ ${1}@example.com\n"
				 "/^UPPER@example\\.net$/i    case-sensitive-hit\n"
				 "/^line$/m                  multiline\n"
				 "/^(w+)/U                   ungreedy:$1\n"
				 "/^zero(.*)$/               $0\n"
				 "/^(a.*)@x$/!/^ab/          pair\n"
				 "/^bad(/                    broken\n"
				 "if !/@example\\.org$/\n"
				 "/^bob@/                    not-org\n"
				 "endif\n"
				 "/^(?<name>n)amed$/         named:$1\n"
				 "/^x(y)?z$/                 got[$1]\n";
#endif

static struct tcase tcases[64];
static size_t ntcases;

static void add(const char *spec, unsigned flags, const char *where, bool maps,
		const char *const *keys, size_t nkeys)
{
	struct tcase *c = &tcases[ntcases];

	if (ntcases == sizeof(tcases) / sizeof(tcases[0]) || nkeys > 15 ||
	    strlen(spec) >= sizeof(c->spec)) {
		ok(false, "room for the case %s", spec);
		return;
	}
	ntcases++;
	snprintf(c->spec, sizeof(c->spec), "%s", spec);
	c->flags = flags;
	c->where = where;
	c->maps = maps;
	for (size_t i = 0; i < nkeys; i++)
		c->keys[i] = keys[i];
}

#define KEYS(...)                                                                                  \
	(const char *const[]){ __VA_ARGS__ },                                                      \
	    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

/* More than 4 KiB, so reading it grows the buffer, with a logical line
 * longer than 64 bytes, so the line buffer grows too. */
static void put_big(void)
{
	struct buf b = { 0 };

	for (int i = 0; i < 40; i++)
		buf_printf(&b, "key%02d value-%02d-%0100d\n", i, i, 0);
	buf_append_str(&b, "joined start-of-a-long-logical-line\n"
			   "  continued-past-sixty-four-bytes-of-text\n"
			   "  and-once-more\n");
	put("big", b.data, 0600);
	buf_fini(&b);
}

/* Sixteen rules, then an IF: the rule array grows for the Itorture_faults. */
static void put_grow_if(void)
{
	struct buf b = { 0 };

	for (int i = 0; i < 16; i++)
		buf_printf(&b, "/^r%d@/ r%d\n", i, i);
	buf_append_str(&b, "if /^x/\n/^xy/ xy\nendif\n");
	put("grow_if", b.data, 0600);
	buf_fini(&b);
}

/* An inline rule of 63 bytes fills the 64 bytes the text gets first, so
 * the newline after it needs more. */
static const char *inline_63(void)
{
	static char spec[128];

	snprintf(spec, sizeof(spec), "regexp:{ {/^%.58s/ r} }",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	return spec;
}

/* The fixed tables, unknown types and map lists. */
static void add_fixed(void)
{
	static const char *const text_types[] = { "texthash", "hash", "btree", "lmdb",
						  "cdb",      "dbm",  "sdbm" };

	put("text", text_table, 0600);
	put("open", "[relay]:587 u:p\n", 0644);
	put("compiled.db", "binary", 0600);
	put("olddbm.dir", "binary", 0600);
	put_big();
	for (size_t i = 0; i < sizeof(text_types) / sizeof(text_types[0]); i++)
		add(spec_of(text_types[i], "text"), TABLE_SECRET, NULL, false,
		    KEYS("[smtp.example.com]:587", "SMTP.example.com", "[MIXED.EXAMPLE.COM]:465",
			 "\"quoted key\"", "cont", "novalue", "k12", "absent"));
	add(spec_of("texthash", "big"), 0, NULL, false, KEYS("key00", "KEY39", "joined", "key40"));
	add(spec_of("texthash", "open"), TABLE_SECRET, "smtp_sasl_password_maps in x.cf, line 3",
	    false, KEYS("[relay]:587"));
	add(spec_of("texthash", ""), 0, NULL, false, KEYS("x"));
	add(spec_of("hash", "nothing"), 0, NULL, false, KEYS("x"));
	add(spec_of("hash", "compiled"), 0, NULL, false, KEYS("x"));
	add(spec_of("dbm", "olddbm"), 0, NULL, false, KEYS("x"));
	add(spec_of("texthash", "compiled"), 0, NULL, false, KEYS("x"));
	add("inline:{ [smtp.example.com]:587=user:pass, {smtp.example.com = u2:p w}, a=1, A=2 }", 0,
	    NULL, false, KEYS("[smtp.example.com]:587", "SMTP.EXAMPLE.COM", "a", "other"));
	add("inline:{ }", 0, NULL, false, KEYS("x"));
	add("inline:{ a=1, novalue }", 0, NULL, false, KEYS("x"));
	add("inline:a=b", 0, NULL, false, KEYS("x"));
	add("static:relay.example", 0, NULL, false, KEYS("anything@example.com"));
	add("static:{ user name:pass }", 0, NULL, false, KEYS("x", "y"));
	add("static:{}", 0, NULL, false, KEYS("k"));
	add("static:{x}y", 0, NULL, false, KEYS("k"));
	add("ldap:/etc/postfix/ldap.cf", 0, "sender_canonical_maps in a.cf, line 2", false,
	    KEYS("x"));
	add("/etc/postfix/canonical", 0, NULL, false, KEYS("x"));
	add("inline:{a=first}, inline:{a=second, b=B} static:{ fall back }", 0, "p in f, line 1",
	    true, KEYS("A", "b", "zz"));
	add("inline:{a=b}, nosuch:x", 0, "p in f, line 2", true, KEYS("a"));
	add("", 0, NULL, true, KEYS("x"));
}

/* regexp: and pcre:, from files and inline. */
static void add_pattern(void)
{
	put("regexp", regexp_table, 0600);
	put("noregsub", "/^(.*)@x$/ [$1]\n/^y/ [y]\n", 0600);
	put_grow_if();
	add(spec_of("regexp", "regexp"), 0, NULL, false, regexp_keys,
	    sizeof(regexp_keys) / sizeof(regexp_keys[0]));
	add(spec_of("regexp", "noregsub"), TABLE_NO_REGSUB, NULL, false, KEYS("a@x", "yes"));
	add(spec_of("regexp", "grow_if"), 0, NULL, false, KEYS("xy", "r3@", "x"));
	add(spec_of("regexp", "missing"), 0, NULL, false, KEYS("x"));
	add(inline_63(), 0, NULL, false,
	    KEYS("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b"));
	add("regexp:{ {/^a@(.*)$/ b@$1}, {if !/x$/}, {/^c/ d}, {endif} }", 0, NULL, false,
	    KEYS("a@q", "cy", "cx"));
	add("regexp:{ }", 0, NULL, false, KEYS("x"));
	add("regexp:{ /a/ b }", 0, NULL, false, KEYS("x"));
	add("regexp:{ {/a/ b} c }", 0, NULL, false, KEYS("x"));
#if HAVE_PCRE2
	put("pcre", pcre_table, 0600);
	add(spec_of("pcre", "pcre"), 0, NULL, false,
	    KEYS("ROOT@x", "john+tag@host.example.com", "first\nline\nlast", "www", "aab@x",
		 "bob@example.com", "bob@example.org", "named", "xz", "xyz", "none"));
	add("pcre:{ {/^(.*)@old\\.example$/ ${1}@new.example} }", 0, NULL, false,
	    KEYS("me@old.example", "me@other.example"));
#endif
}

/* A match list, how to open it, and at most 15 names to test. */
struct mcase {
	char value[400];
	unsigned flags;
	const char *names[16];
};

static void run_mcase(const void *arg)
{
	const struct mcase *c = arg;
	struct error err = { 0 };
	struct matchlist *l;
	int rc;

	torture_step_begin();
	l = matchlist_open(c->value, c->flags, "smtp_sasl_mechanism_filter (t.cf, line 4)", &err);
	if (l == NULL) {
		torture_step_end(torture_is_oom(&err), "open %s: %s", c->value,
				 torture_outcome(&err));
		return;
	}
	torture_step_end(false, "open %s: %s", c->value, matchlist_empty(l) ? "empty" : "ok");
	for (size_t i = 0; i < 16 && c->names[i] != NULL; i++) {
		torture_step_begin();
		rc = matchlist_match(l, c->names[i], &err);
		if (rc < 0)
			torture_step_end(torture_is_oom(&err), "%s: %s", c->names[i],
					 torture_outcome(&err));
		else
			torture_step_end(false, "%s: %s", c->names[i],
					 rc == 1 ? "match" : "no match");
	}
	matchlist_free(l);
}

static struct mcase mcases[8];
static size_t nmcases;

/* value with "@" for the scenario directory. */
static void add_list(const char *value, unsigned flags, const char *const *names, size_t nnames)
{
	struct mcase *c = &mcases[nmcases];
	size_t n = 0;

	if (nmcases == sizeof(mcases) / sizeof(mcases[0]) || nnames > 15) {
		ok(false, "room for the list %s", value);
		return;
	}
	nmcases++;
	for (const char *p = value; *p != '\0' && n + strlen(dir) + 1 < sizeof(c->value); p++)
		if (*p == '@')
			n += (size_t)snprintf(c->value + n, sizeof(c->value) - n, "%s", dir);
		else
			c->value[n++] = *p;
	c->value[n] = '\0';
	c->flags = flags;
	for (size_t i = 0; i < nnames; i++)
		c->names[i] = names[i];
}

/* Strings, negations, every table kind, pattern files nested and
 * negated, the #comment warning, more patterns than the first array
 * holds, failing lookups, and the open errors. */
static void add_lists(void)
{
	char outer[300];

	put("mechs", "# mechanisms\nplain login\n  cram-md5\n!scram-sha-1 inline:{ntlm=x}\n", 0600);
	/* ASCII only: what Unicode folding gives, libunistring allocates
	 * behind the wrappers' back. */
	snprintf(outer, sizeof(outer), " indented\n%s/mechs #comment\nGSSAPI\n", dir);
	put("outer", outer, 0600);
	snprintf(outer, sizeof(outer), "%s/self\n", dir);
	put("self", outer, 0600);
	add_list("plain, !login, static:all", 0, KEYS("PLAIN", "LOGIN", "CRAM-MD5"));
	add_list("!@/mechs, inline:{ {scram-sha-256 = x}, gssapi=y }, regexp:{ {/^digest-/ z} }, "
		 "[x:y] {b r}",
		 0,
		 KEYS("PLAIN", "NTLM", "SCRAM-SHA-1", "SCRAM-SHA-256", "DIGEST-MD5", "[X:Y]",
		      "{B R}", "OTHER"));
	add_list("@/outer, static:all", TABLE_UTF8, KEYS("CRAM-MD5", "gssapi", "SCRAM-SHA-1", "X"));
	add_list("a b c d e f g h i j k l m n o p q", 0, KEYS("Q", "R"));
	add_list("plain, static:v\xff", TABLE_UTF8, KEYS("PLAIN", "LOGIN"));
	add_list("@/self", 0, KEYS("X"));
	add_list("plain, !@/missing", 0, KEYS("X"));
	add_list("plain, regexp:{ {/a/ b} }, !", 0, KEYS("X"));
}

/* The hash map alone: enough keys to grow it three times, a replaced
 * value, and lookups. A failed insertion ends the scenario. */
static void run_kvmap(const void *arg)
{
	struct kvmap m = { 0 };
	char key[16], value[32];
	const char *v;
	int rc;

	(void)arg;
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		snprintf(value, sizeof(value), "value of %d", i);
		torture_step_begin();
		rc = kvmap_put(&m, key, strlen(key), value, strlen(value), i % 2 == 0);
		if (torture_step_end(rc < 0, "put %s: %d", key, rc))
			goto done;
	}
	torture_step_begin();
	rc = kvmap_put(&m, "key7", 4, "replaced", 8, true);
	if (torture_step_end(rc < 0, "replace key7: %d", rc))
		goto done;
	torture_step_begin();
	rc = kvmap_put(&m, "key8", 4, "kept", 4, false);
	if (torture_step_end(rc < 0, "keep key8: %d", rc))
		goto done;
	for (int i = 0; i < 41; i += 5) {
		snprintf(key, sizeof(key), "key%d", i);
		torture_step_begin();
		v = kvmap_get(&m, key);
		torture_step_end(false, "get %s: %s", key, v != NULL ? v : "(none)");
	}
	v = kvmap_get(&m, "key7");
	torture_step_end(false, "get key7: %s", v != NULL ? v : "(none)");
done:
	kvmap_fini(&m);
}

/* textfile_read alone: a file of 4 KiB and more, one refused as a
 * secret, and one that does not exist. */
static void run_textfile(const void *arg)
{
	static const char *const names[] = { "big", "open", "nothing" };
	struct buf text = { 0 };
	struct error err = { 0 };
	bool absent;

	(void)arg;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned long h = 5381;

		torture_step_begin();
		if (textfile_read(path_of(names[i]), i == 1, &text, &absent, &err) < 0) {
			torture_step_end(torture_is_oom(&err), "%s: %s%s", names[i],
					 torture_outcome(&err), absent ? " (absent)" : "");
			continue;
		}
		for (size_t k = 0; k < text.len; k++)
			h = h * 33 + (unsigned char)text.data[k];
		torture_step_end(false, "%s: %zu bytes, hash %lx", names[i], text.len, h);
	}
	buf_wipe(&text);
}

/* lines_next alone: logical lines longer than the 64 bytes the buffer
 * gets first, and one past its cap, which is no failure of memory; arg
 * is the cap (0: none, and the long line is read). */
static void run_lines(const void *arg)
{
	const size_t *max = arg;
	static const char text[] = "first line\n"
				   "joined start-of-a-long-logical-line\n"
				   "  continued-past-sixty-four-bytes-of-text\n"
				   "# comment\n"
				   "  and-once-more\n"
				   "short\n"
				   "0123456789012345678901234567890123456789"
				   "0123456789012345678901234567890123456789\n"
				   "last\n";
	struct error err = { 0 };
	struct buf line;
	struct lines l;
	size_t lineno = 0;
	int rc;

	buf_init(&line, *max);
	lines_init(&l, "f.cf", text, sizeof(text) - 1);
	do {
		torture_step_begin();
		rc = lines_next(&l, &line, &lineno, &err);
		if (rc == 1)
			torture_step_end(false, "line %zu: %s", lineno, line.data);
		else if (rc == 0)
			torture_step_end(false, "end");
		else
			torture_step_end(torture_is_oom(&err), "%s", torture_outcome(&err));
	} while (rc == 1);
	buf_fini(&line);
}

/* main.cf text: a value longer than the line buffer's first 64 bytes,
 * then a line past the 1 MiB cap. */
static void run_config(const void *arg)
{
	static char *const noenv[] = { NULL };
	struct error err = { 0 };
	struct config *c;
	const char *text = arg;

	torture_step_begin();
	c = config_parse("x.cf", text, strlen(text), noenv, &err);
	if (c != NULL)
		torture_step_end(false, "parsed: %s", config_get(c, "relayhost"));
	else
		torture_step_end(torture_is_oom(&err), "%s", torture_outcome(&err));
	config_free(c);
}

/* regexec failing for a reason other than memory: warned about, and the
 * rule counts as not matching, as in Postfix. */
static void test_regexec_error(void)
{
	const char *spec = "regexp:{ {/^a/ first}, {/^a/ second} }";
	char why[256] = "", want[512];
	struct error err = { 0 };
	struct table *t = table_open(spec, 0, NULL, &err);
	char *v = NULL;
	int rc = -1;
	regex_t re;

	if (regcomp(&re, "a", REG_EXTENDED) == 0) {
		regerror(REG_BADPAT, &re, why, sizeof(why));
		regfree(&re);
	}
	snprintf(want, sizeof(want),
		 "relaymail: warning: regexp map { {/^a/ first}, {/^a/ second} }, line 1: %s\n",
		 why);
	torture_faults.hits = 0;
	torture_step_begin();
	if (t != NULL) {
		torture_faults.regexec_rc = REG_BADPAT;
		rc = table_lookup(t, "ab", &v, &err);
	}
	torture_faults.regexec_rc = 0;
	is_int(torture_faults.hits, 1, "regexec failed once");
	is_str(rc == 1 ? v : NULL, "second", "a rule whose regexec fails does not match");
	is_str(torture_warnings(), want, "... and is warned about with regerror's words");
	free(v);
	table_free(t);
}

/* fstat failing on the opened file, reads interrupted by a signal, and
 * a file that goes on past the size fstat gave. */
static void test_syscalls(void)
{
	const char *path = path_of("big");
	struct buf text = { 0 }, again = { 0 };
	struct error err = { 0 };
	char want[512];
	int rc;

	torture_faults.hits = 0;
	torture_faults.fstat_errno = EIO;
	rc = textfile_read(path, false, &text, NULL, &err);
	torture_faults.fstat_errno = 0;
	if (torture_faults.hits == 0) {
		ok(true, "# SKIP fstat is not called by that name here");
	} else {
		snprintf(want, sizeof(want), "cannot examine %s: %s", path, strerror(EIO));
		is_str(rc < 0 && err.cls == ERROR_CONFIG ? err.text : NULL, want,
		       "a failing fstat is a configuration error naming the file");
	}
	rc = textfile_read(path, false, &text, NULL, &err);
	torture_faults.hits = 0;
	torture_faults.read_eintr = 2;
	if (textfile_read(path, false, &again, NULL, &err) < 0 || rc < 0) {
		ok(false, "textfile_read: %s", err.text);
	} else {
		is_int(torture_faults.hits, 2, "two reads interrupted");
		is_mem(again.data, again.len, text.data, text.len, "interrupted reads are retried");
	}
	torture_faults.read_eintr = 0;
	torture_faults.hits = 0;
	torture_faults.read_endless = true;
	rc = textfile_read(path, false, &text, NULL, &err);
	torture_faults.read_endless = false;
	snprintf(want, sizeof(want), "%s is larger than %zu bytes", path, TEXTFILE_MAX);
	is_str(rc < 0 && err.cls == ERROR_CONFIG ? err.text : NULL, want,
	       "a file longer than its size is refused at the cap");
	buf_fini(&text);
	buf_fini(&again);
}

/* The spec as a TAP description: no newline, no '#'. */
static const char *describe(const struct tcase *c)
{
	static char name[sizeof(c->spec) + 8];
	size_t n = 0;

	for (const char *p = c->maps ? "maps " : ""; *p != '\0'; p++)
		name[n++] = *p;
	for (const char *p = c->spec; *p != '\0' && n + 1 < sizeof(name); p++)
		name[n++] = *p == '\n' || *p == '#' ? ' ' : *p;
	name[n] = '\0';
	return name;
}

/* The value as a TAP description: no newline, no '#', no other byte
 * that is not printable ASCII. */
static const char *describe_list(const struct mcase *c)
{
	static char name[sizeof(c->value) + 8];
	size_t n = 0;

	for (const char *p = "list "; *p != '\0'; p++)
		name[n++] = *p;
	for (const char *p = c->value; *p != '\0' && n + 1 < sizeof(name); p++)
		name[n++] = *p == '#' || *p < ' ' || *p > '~' ? ' ' : *p;
	name[n] = '\0';
	return name;
}

int main(void)
{
	struct buf config_long = { 0 };
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	add_fixed();
	add_pattern();
	add_lists();
	if (!torture_init(dir)) {
		ok(false, "capturing stderr: %s", strerror(errno));
		return tap_done();
	}
	for (size_t i = 0; i < ntcases; i++)
		torture_run(describe(&tcases[i]), run_tcase, &tcases[i]);
	for (size_t i = 0; i < nmcases; i++)
		torture_run(describe_list(&mcases[i]), run_mcase, &mcases[i]);
	torture_run("kvmap", run_kvmap, NULL);
	torture_run("textfile_read", run_textfile, NULL);
	torture_run("lines_next", run_lines, &(const size_t){ 79 });
	torture_run("lines_next without a cap", run_lines, &(const size_t){ 0 });
	torture_run("config_parse", run_config,
		    "relayhost = [a-relay-name-long-enough-to-grow-the-buffer.example]:587\n");
	buf_append_str(&config_long, "relayhost = [relay.example]\nmynote = ");
	for (size_t i = 0; i < (size_t)1024 * 1024; i += 8)
		buf_append_str(&config_long, "xxxxxxxx");
	torture_run("config_parse, a line past the cap", run_config, config_long.data);
	buf_fini(&config_long);
	test_regexec_error();
	test_syscalls();
	torture_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}
