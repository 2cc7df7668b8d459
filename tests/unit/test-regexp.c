/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conf/table regexp: the §9.1 vectors of reference/postfix.md (re1
 * results, re2 results and warnings), the inline form, IF/ENDIF edge
 * cases (nesting without a limit), a trailing backslash, and
 * TABLE_NO_REGSUB. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"
#include "capture.h"
#include "tap.h"

static char dir[] = "/tmp/test-regexp.XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

static void check(const struct table *t, const char *key, const char *want)
{
	struct error err = { 0 };
	char *v = NULL;
	int rc = t != NULL ? table_lookup(t, key, &v, &err) : -1;

	is_str(rc == 1 ? v : rc == 0 ? "(not found)" : "(error)", want, "%s -> %s", key, want);
	free(v);
}

/* Open spec, capturing the load warnings into *warnings. */
static struct table *open_capture(const char *spec, unsigned flags, char **warnings)
{
	struct error err = { 0 };
	struct capture cap;
	struct table *t;

	capture_begin(&cap);
	t = table_open(spec, flags, NULL, &err);
	*warnings = capture_end(&cap);
	ok(t != NULL, "%s opens: %s", spec, err.text);
	return t;
}

static void test_re1(void)
{
	static const char re1[] =
	    "# sample sender rewriting table\n"
	    "/^root@.*$/                 admin@example.com\n"
	    "/^([^@+]+)(\\+[^@]*)?@host\\.example\\.com$/   ${1}@example.com\n"
	    "/^(.*)@localhost(\\.localdomain)?$/  $1@example.com\n"
	    "if /@example\\.org$/\n"
	    "/^bob@/                     robert@example.org\n"
	    "!/^(alice|carol)@/          nobody@example.org\n"
	    "endif\n"
	    "/^UPPER@example\\.net$/i     case-sensitive-hit@example.net\n"
	    "/^x(y)?z@test$/             got[$1]\n"
	    "/^dollar@test$/             cost$$5\n"
	    "/^multi@test$/              first\n"
	    "  second\n";
	static const char *const vec[][2] = {
		{ "root@host.example.com", "admin@example.com" },
		{ "root@anything.example", "admin@example.com" },
		{ "Root@Host.Example.Com", "admin@example.com" },
		{ "john+tag@host.example.com", "john@example.com" },
		{ "john@host.example.com", "john@example.com" },
		{ "JOHN@HOST.EXAMPLE.COM", "JOHN@example.com" },
		{ "fred@localhost", "fred@example.com" },
		{ "fred@localhost.localdomain", "fred@example.com" },
		{ "bob@example.org", "robert@example.org" },
		{ "alice@example.org", "(not found)" },
		{ "dave@example.org", "nobody@example.org" },
		{ "UPPER@example.net", "case-sensitive-hit@example.net" },
		{ "upper@example.net", "(not found)" },
		{ "xz@test", "got[]" },
		{ "xyz@test", "got[y]" },
		{ "dollar@test", "cost$5" },
		{ "multi@test", "first  second" },
		{ "nomatch@else", "(not found)" },
	};
	char spec[300], *warnings;
	struct table *t;

	snprintf(spec, sizeof(spec), "regexp:%s", put("re1", re1));
	t = open_capture(spec, 0, &warnings);
	is_str(warnings, "", "re1 loads without warnings");
	free(warnings);
	ok(t != NULL && table_is_pattern(t), "regexp: is a pattern table");
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
		check(t, vec[i][0], vec[i][1]);
	table_free(t);
}

static void test_re2(void)
{
	static const char re2[] = "/^zero@(.*)$/       $0\n"
				  "/^two@(.*)$/        $2\n"
				  "!/^neg(.*)$/        bad$1\n"
				  "/^(a.*)@x$/!/^ab/   pair:$1\n"
				  "|^pipe/slash@(x)$|  delim:$1\n"
				  "/^esc\\/slash@x$/    escaped\n"
				  "/^bre(x)\\{2\\}@x$/x  bre-match:$1\n"
				  "/^ere(x){2}@x$/     ere-match:$1\n"
				  "/^nores@x$/\n"
				  "endif\n"
				  "/^un(known)@x$/q    unknown-flag\n"
				  "/^lit@x$/           $1abc\n"
				  "/^num@(x)$/         ${1}abc $(1)def\n"
				  "if /^if@/\n"
				  "/^if@(.*)$/ inner:$1\n";
	static const char *const vec[][2] = {
		{ "zero@x", "(not found)" },
		{ "two@x", "(not found)" },
		{ "negative", "(not found)" },
		{ "aab@x", "pair:aab" },
		{ "ab@x", "(not found)" },
		{ "after@x", "pair:after" },
		{ "pipe/slash@x", "delim:x" },
		{ "esc/slash@x", "escaped" },
		{ "brexx@x", "(not found)" },
		{ "erexx@x", "ere-match:x" },
		{ "nores@x", "" },
		{ "unknown@x", "(not found)" },
		{ "lit@x", "(not found)" },
		{ "num@x", "xabc xdef" },
		{ "if@z", "inner:z" },
		{ "ifnot@z", "(not found)" },
	};
	char spec[300], want[4096], *warnings;
	const char *path = put("re2", re2);
	struct table *t;

	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = open_capture(spec, 0, &warnings);
#define W "relaymail: warning: regexp map %1$s, line "
	snprintf(want, sizeof(want),
		 W "1: out-of-range replacement index \"0\"\n" W
		   "1: bad replacement syntax: skipping this rule\n" W
		   "2: out of range replacement index \"2\": skipping this rule\n" W
		   "3: $number found in negative match replacement text: skipping this rule\n" W
		   "7: out of range replacement index \"1\": skipping this rule\n" W
		   "9: no replacement text: using empty string\n" W
		   "10: ignoring ENDIF without matching IF\n" W
		   "11: unknown regexp option \"q\": skipping this rule\n" W
		   "12: non-numeric replacement index \"1abc\"\n" W
		   "12: bad replacement syntax: skipping this rule\n" W
		   "14: IF has no matching ENDIF\n",
		 path);
#undef W
	is_str(warnings, want, "re2 warnings exactly as Postfix");
	free(warnings);
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
		check(t, vec[i][0], vec[i][1]);
	table_free(t);
}

static void test_inline(void)
{
	static const char cf[] =
	    "mydomain = example.com\n"
	    "sender_canonical_maps = regexp:{ {/^(.*)@host\\.example\\.com$$/ $${1}@$mydomain} }\n";
	char *const env[] = { NULL };
	struct error err = { 0 };
	struct config *c = config_parse("t.cf", cf, strlen(cf), env, &err);
	struct maps *m =
	    c ? maps_open(config_get(c, "sender_canonical_maps"), 0, NULL, &err) : NULL;
	char *v = NULL;

	ok(m != NULL, "9.7 inline regexp from main.cf opens: %s", err.text);
	ok(m != NULL && maps_lookup(m, "john@host.example.com", &v, &err) == 1 && v != NULL &&
	       strcmp(v, "john@example.com") == 0,
	   "inline regexp rewrites: %s", v ? v : "(none)");
	free(v);
	maps_free(m);
	config_free(c);

	struct table *t = table_open("regexp:{ {/^a@(.*)$/ b@$1}, {if !/x$/}, {/^c/ d}, {endif} }",
				     0, NULL, &err);
	check(t, "a@q", "b@q");
	check(t, "cy", "d");
	check(t, "cx", "(not found)");
	table_free(t);
	t = table_open("regexp:{ /a/ b }", 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "inline rules must be braced: %s", err.text);
}

static void test_edges(void)
{
	static const char text[] = "if /^a/ extra\n"
				   "/^ab/ one\n"
				   "ENDIF\n"
				   "frobnicate\n"
				   "/^unclosed\n"
				   "IF !/^z/\n"
				   "IF /y$/\n"
				   "/^(.*)/ ys:$1\n"
				   "Endif junk\n"
				   "/^q/m!/^qq/ q-not-qq\n"
				   "/^r/ !/^rr/ r-space\n"
				   "endif\n"
				   "  /^cont/ continued\n";
	char spec[300], want[4096], *warnings;
	const char *path = put("edges", text);
	struct table *t;

	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = open_capture(spec, 0, &warnings);
#define W "relaymail: warning: regexp map %1$s, line "
	snprintf(want, sizeof(want),
		 W "1: ignoring extra text after IF statement: \"extra\"\n" W
		   "1: do not prepend whitespace to statements between IF and ENDIF\n" W
		   "4: ignoring unrecognized request\n" W
		   "5: no closing regexp delimiter \"/\": skipping this rule\n" W
		   "9: ignoring extra text after ENDIF\n" W "12: ignoring extra text after ENDIF\n",
		 path);
#undef W
	is_str(warnings, want, "edge-case warnings");
	free(warnings);
	check(t, "abc", "one");
	check(t, "zy", "(not found)");
	check(t, "ay", "ys:ay");
	check(t, "qa", "q-not-qq");
	check(t, "qqa", "(not found)");
	check(t, "rra", "!/^rr/ r-space");
	check(t, "cont", "(not found)");
	table_free(t);

	/* A first logical line that starts with whitespace continues
	 * nothing: Postfix's readllines() warns and the rule is skipped. */
	snprintf(spec, sizeof(spec), "regexp:%s",
		 put("lead", "  /^lead/ leading-ok\n /^more/ joined\n/^next/ next-ok\n"));
	t = open_capture(spec, 0, &warnings);
	ok(strstr(warnings, "lead: logical line must not start with whitespace: "
			    "\"  /^lead/ leading-ok /^more/ j...\"\n") != NULL,
	   "a leading continuation is reported, 30 bytes of it");
	free(warnings);
	check(t, "leader", "(not found)");
	check(t, "next", "next-ok");
	table_free(t);

	snprintf(spec, sizeof(spec), "regexp:%s", put("noregsub", "/^(.*)@x$/ [$1]\n/^y/ [y]\n"));
	t = open_capture(spec, TABLE_NO_REGSUB, &warnings);
	ok(strstr(warnings, "line 1: regular expression substitution is not allowed: "
			    "skipping this rule") != NULL,
	   "TABLE_NO_REGSUB skips $n rules");
	free(warnings);
	check(t, "a@x", "(not found)");
	check(t, "yes", "[y]");
	table_free(t);

	struct error err = { 0 };
	chmod(path, 0644);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	ok(t == NULL && strstr(err.text, "chmod 0640") != NULL, "TABLE_SECRET applies to regexp:");
}

/* postmap: a backslash that ends the line ends a regexp: pattern; the
 * rule then has no flags and an empty result. */
static void test_trailing_backslash(void)
{
	char spec[300], want[1024], *warnings;
	const char *path = put("backslash", "/abc\\\n/^(.*)$/ last:$1\n/^a/!/b\\\n");
	struct table *t;

	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = open_capture(spec, 0, &warnings);
	snprintf(want, sizeof(want),
		 "relaymail: warning: regexp map %s, line 1: no replacement text: using empty "
		 "string\n"
		 "relaymail: warning: regexp map %s, line 3: no replacement text: using empty "
		 "string\n",
		 path, path);
	is_str(warnings, want, "trailing backslash: the rules load, with empty results");
	free(warnings);
	check(t, "xabcx", "");
	check(t, "abd", "last:abd");
	table_free(t);
}

/* A backslash escapes before it can close, as in dict_regexp: with "\\"
 * as the delimiter only a backslash that ends the line closes the
 * pattern, so "\\a\\ b" has none, and "IF \\x\\" is IF /x/. */
static void test_backslash_delimiter(void)
{
	char spec[300], want[1024], *warnings;
	const char *path = put("bsdelim", "\\a\\ b\nIF \\x\\\n/a/ in-if\nENDIF\n");
	struct table *t;

	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = open_capture(spec, 0, &warnings);
	snprintf(want, sizeof(want),
		 "relaymail: warning: regexp map %s, line 1: no closing regexp delimiter "
		 "\"\\\": skipping this rule\n",
		 path);
	is_str(warnings, want, "backslash delimiter: the rule is skipped with Postfix's warning");
	free(warnings);
	check(t, "a", "(not found)");
	check(t, "xa", "in-if");
	table_free(t);
}

/* IF nests without a limit (Postfix has none): 300 levels, the innermost
 * one false for "ab"; unclosed IFs are reported innermost first. */
static void test_deep_if(void)
{
	struct buf text = { 0 };
	char spec[300], want[256], *warnings, *nl;
	const char *path;
	struct table *t;

	for (int i = 0; i < 300; i++)
		buf_append_str(&text, "if /^a/\n");
	buf_append_str(&text, "if /^c/\n/^ab/ deep-hit\nendif\n/^ab/ depth-300\n");
	for (int i = 0; i < 300; i++)
		buf_append_str(&text, "endif\n");
	buf_append_str(&text, "/b/ outside\nif /x/\nif /y/\n/xy/ open\n");
	path = put("deep", text.data);
	buf_fini(&text);
	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = open_capture(spec, 0, &warnings);
	nl = strchr(warnings, '\n');
	snprintf(want, sizeof(want),
		 "relaymail: warning: regexp map %s, line 607: IF has no "
		 "matching ENDIF",
		 path);
	is_mem(warnings, nl != NULL ? (size_t)(nl - warnings) : strlen(warnings), want,
	       strlen(want), "unclosed IFs: the innermost first");
	ok(nl != NULL && strstr(nl, "line 606: IF has no matching ENDIF\n") != NULL &&
	       strchr(nl + 1, '\n')[1] == '\0',
	   "unclosed IFs: then the outer one, and nothing else");
	free(warnings);
	check(t, "ab", "depth-300");
	check(t, "cab", "outside");
	check(t, "xy", "open");
	check(t, "xb", "outside");
	table_free(t);
}

/* Postfix has no limit on $numbers but the groups: $100 and $101 of a
 * rule with 101 groups. */
static void test_many_groups(void)
{
	struct buf text = { 0 }, key = { 0 };
	char spec[300], *warnings;
	struct table *t;

	buf_append_str(&text, "/^");
	for (int i = 0; i < 100; i++) {
		buf_append_str(&text, "(a)");
		buf_append_str(&key, "a");
	}
	buf_append_str(&text, "(b)$/ r=$100$101\n/^(a)/ $2\n/.*/ other\n");
	buf_append_str(&key, "b");
	snprintf(spec, sizeof(spec), "regexp:%s", put("groups", text.data));
	t = open_capture(spec, 0, &warnings);
	ok(strstr(warnings, "line 2: out of range replacement index \"2\": skipping this rule") !=
		   NULL &&
	       strstr(warnings, "line 1") == NULL,
	   "101 groups: $101 is in range, $2 of one group is not");
	free(warnings);
	check(t, key.data, "r=ab");
	check(t, "aab", "other");
	table_free(t);
	buf_fini(&text);
	buf_fini(&key);
}

/* Duplication symbols one after another are undefined in POSIX, and
 * glibc copies the whole tree for each further '+': the rule is skipped
 * with a warning before regcomp sees it (fuzz/corpus/table-regexp/
 * oom-stacked-plus took 3 GB). Lone ones, bracketed and escaped ones, a
 * group repeated, and a BRE's leading '*' still work. */
static void test_stacked_repeat(void)
{
	char spec[300], *warnings;
	const char *path = put("stacked", "/r++++++++++++++++++++++/ plus\n"
					  "/^a+?$/ lazy\n"
					  "/^b{2}{3}$/ interval\n"
					  "/^c*+$/ star-plus\n"
					  "/^d\\+*$/x bre\n"
					  "/^e\\{2\\}*$/x bre-interval\n"
					  "/^[+*]+$/ bracket\n"
					  "/^[[:digit:]]+$/ class\n"
					  "/^(f+)+$/ group\n"
					  "/^g\\++$/ escaped\n"
					  "/^*h$/x bre-star\n"
					  "/^i{2}$/ ok-interval\n");
	struct table *t;

	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = open_capture(spec, 0, &warnings);
	for (int line = 1; line <= 6; line++) {
		char want[64];

		snprintf(want, sizeof(want), "line %d: repetition operators one after another",
			 line);
		ok(strstr(warnings, want) != NULL, "stacked repetition: %s", want);
	}
	ok(strstr(warnings, "line 7") == NULL && strstr(warnings, "line 12") == NULL,
	   "stacked repetition: only lines 1 to 6 are refused: %s", warnings);
	ok(strstr(warnings, "as in \"a++\") are undefined in POSIX regular expressions: "
			    "skipping this rule") != NULL,
	   "stacked repetition: the warning says why");
	free(warnings);
	check(t, "rr", "(not found)");
	check(t, "a", "(not found)");
	check(t, "+*+", "bracket");
	check(t, "123", "class");
	check(t, "fff", "group");
	check(t, "g++", "escaped");
	check(t, "*h", "bre-star");
	check(t, "ii", "ok-interval");
	table_free(t);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp");
		return tap_done();
	}
	test_re1();
	test_re2();
	test_inline();
	test_edges();
	test_trailing_backslash();
	test_backslash_delimiter();
	test_deep_if();
	test_many_groups();
	test_stacked_repeat();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}
