/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conf/table: the source text format (reference/postfix.md §9.4), the
 * hash: family read from source, inline: and static: (§2.5), map lists,
 * TABLE_SECRET, the errors for unknown types, empty names and missing
 * files, the hash map under the fixed tables, and the size caps. */
#include <config.h>

#include <errno.h>
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
#include "conf/list.h"
#include "conf/table.h"
#include "capture.h"
#include "tap.h"

static char dir[] = "/tmp/test-table.XXXXXX";

static const char *put(const char *name, const char *text, mode_t mode)
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
	chmod(p, mode);
	return p;
}

/* Look key up; the value, "(not found)" or "(error)", malloc'd. */
static char *q(const struct table *t, const char *key)
{
	struct error err = { 0 };
	char *v = NULL;
	int rc = table_lookup(t, key, &v, &err);

	if (rc == 1)
		return v;
	return strdup(rc == 0 ? "(not found)" : "(error)");
}

static void check(const struct table *t, const char *key, const char *want)
{
	char *v = t != NULL ? q(t, key) : NULL;

	is_str(v, want, "%s: %s", t != NULL ? table_spec(t) : "(no table)", key);
	free(v);
}

/* TABLE_UTF8 (smtputf8_enable): Unicode full case folding of stored and
 * looked-up keys, non-UTF-8 source lines skipped, keys that are not UTF-8
 * not found, results that are not an error; without it, ASCII only. */
static void test_utf8(void)
{
	struct error err = { 0 };
	struct capture cap;
	struct table *t;
	char spec[300], *out;
	const char *path = put("u8",
			       "Stra\xc3\x9f"
			       "e@x a\n"
			       "\xce\xa3\xce\x91\xce\xa3 b\n"
			       "bad\xff c\n"
			       "k8 v\xff\n"
			       "ASCII d\n",
			       0644);

	snprintf(spec, sizeof(spec), "texthash:%s", path);
	capture_begin(&cap);
	t = table_open(spec, TABLE_UTF8, NULL, &err);
	out = capture_end(&cap);
	ok(t != NULL, "UTF-8 texthash opens: %s", err.text);
	ok(strstr(out, "line 3: non-UTF-8 input \"bad? c\" -- ignoring this line") != NULL,
	   "a line that is not UTF-8 is skipped with Postfix's warning");
	free(out);
	check(t, "STRASSE@X", "a");
	check(t,
	      "stra\xc3\x9f"
	      "e@x",
	      "a");
	check(t, "\xcf\x83\xce\xb1\xcf\x82", "b"); /* final sigma folds to sigma */
	check(t, "ascii", "d");
	capture_begin(&cap);
	check(t, "bad\xff", "(not found)");
	out = capture_end(&cap);
	ok(strstr(out, ": non-UTF-8 key \"bad?\": malformed UTF-8 or invalid codepoint\n") != NULL,
	   "a key that is not UTF-8 is warned about");
	free(out);
	check(t, "k8", "(not found)"); /* its line is not UTF-8 */
	table_free(t);
	t = table_open("static:v\xff", TABLE_UTF8, NULL, &err);
	capture_begin(&cap);
	check(t, "k", "(error)");
	out = capture_end(&cap);
	ok(strstr(out, ": key \"k\": non-UTF-8 value \"v?\": malformed UTF-8") != NULL,
	   "a result that is not UTF-8 is warned about, and an error");
	free(out);
	table_free(t);

	t = table_open(spec, 0, NULL, &err);
	ok(t != NULL, "the same table without TABLE_UTF8 opens");
	check(t, "strasse@x", "(not found)");
	check(t,
	      "Stra\xc3\x9f"
	      "E@X",
	      "a");
	check(t, "bad\xff", "c");
	check(t, "k8", "v\xff");
	table_free(t);
	t = table_open("static:v\xff", 0, NULL, &err);
	check(t, "k", "v\xff");
	table_free(t);

	t = table_open("inline:{ \xc3\x84=upper }", TABLE_UTF8, NULL, &err);
	check(t, "\xc3\xa4", "upper");
	table_free(t);
	t = table_open("inline:{ k=\xff }", TABLE_UTF8, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG && strstr(err.text, "not valid UTF-8") != NULL,
	   "an inline table that is not UTF-8 is refused: %s", err.text);
}

/* The flags the configuration gives every table: TABLE_UTF8 unless
 * smtputf8_enable says no (a bad value keeps the default). */
static void test_config_flags(void)
{
	static const struct {
		const char *text;
		unsigned want;
	} v[] = {
		{ "", TABLE_UTF8 },
		{ "smtputf8_enable = no\n", 0 },
		{ "compatibility_level = 0\n", 0 },
		{ "smtputf8_enable = maybe\n", TABLE_UTF8 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct error err = { 0 };
		struct config *c =
		    config_parse("t.cf", v[i].text, strlen(v[i].text), (char *[]){ NULL }, &err);

		ok(c != NULL && table_config_flags(c) == v[i].want, "table flags for \"%s\"",
		   v[i].text);
		config_free(c);
	}
}

static void test_texthash(void)
{
	static const char text[] = "# comment\n"
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
				   "[smtp.example.com]:587 dup:dup\n";
	const char *path = put("sasl_passwd", text, 0600);
	char spec[300], want[2048];
	struct error err = { 0 };
	struct capture cap;
	struct table *t;
	char *out;

	snprintf(spec, sizeof(spec), "texthash:%s", path);
	capture_begin(&cap);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	out = capture_end(&cap);
	ok(t != NULL, "9.4 table opens: %s", err.text);
	snprintf(want, sizeof(want),
		 "relaymail: warning: %s, line 8: record is in \"key: value\" format; is this an "
		 "alias file?\n"
		 "relaymail: warning: %s, line 11: expected format: key whitespace value -- "
		 "ignoring this line\n"
		 "relaymail: warning: %s, line 12: duplicate entry: \"[smtp.example.com]:587\"\n",
		 path, path, path);
	is_str(out, want, "9.4 warnings");
	free(out);
	check(t, "[smtp.example.com]:587", "user1:pa ss:word");
	check(t, "smtp.example.com", "user2:secret");
	check(t, "[MIXED.EXAMPLE.COM]:465", "user3:x");
	check(t, "\"quoted key\"", "qv");
	check(t, "quoted key", "(not found)");
	check(t, "key:", "aliasstyle");
	check(t, "cont", "first  second");
	check(t, "novalue", "(not found)");
	ok(t != NULL && !table_is_pattern(t), "texthash is a fixed table");
	table_free(t);

	snprintf(spec, sizeof(spec), "proxy:hash:%s", path);
	t = table_open(spec, 0, NULL, &err);
	check(t, "SMTP.example.com", "user2:secret");
	is_str(t ? table_spec(t) : NULL, spec, "spec kept as written");
	table_free(t);
}

static void test_secret(void)
{
	const char *path = put("open_passwd", "[relay]:587 u:p\n", 0644);
	char spec[300], want[1024];
	struct error err = { 0 };
	struct table *t;

	snprintf(spec, sizeof(spec), "hash:%s", path);
	t = table_open(spec, TABLE_SECRET, "smtp_sasl_password_maps in x.cf, line 3", &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "0644 secret table refused");
	snprintf(want, sizeof(want),
		 "smtp_sasl_password_maps in x.cf, line 3: %s holds passwords and must not be "
		 "readable by others (mode 0644); fix it with: chmod 0640 %s",
		 path, path);
	is_str(err.text, want, "refusal names the file, the mode and the fix");
	t = table_open(spec, 0, NULL, &err);
	ok(t != NULL, "the same file is fine when it holds no secret");
	table_free(t);
	chmod(path, 0600);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	check(t, "[relay]:587", "u:p");
	table_free(t);
	chmod(path, 0640);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	check(t, "[relay]:587", "u:p");
	table_free(t);
	chmod(path, 0660);
	t = table_open(spec, TABLE_SECRET, NULL, &err);
	ok(t == NULL && strstr(err.text, "(mode 0660)") != NULL,
	   "0660 refused (tests/unit/test-secret.c has every case)");

	snprintf(spec, sizeof(spec), "texthash:%s", dir);
	t = table_open(spec, 0, NULL, &err);
	ok(t == NULL && strstr(err.text, "is not a regular file") != NULL,
	   "a directory is refused: %s", err.text);
}

static void test_missing(void)
{
	char spec[300], want[1024], db[300];
	struct error err = { 0 };
	struct table *t;

	snprintf(spec, sizeof(spec), "hash:%s/nothing", dir);
	t = table_open(spec, 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG && strstr(err.text, "/nothing") != NULL,
	   "missing source is an error naming it: %s", err.text);
	put("compiled.db", "binary", 0600);
	snprintf(spec, sizeof(spec), "hash:%s/compiled", dir);
	t = table_open(spec, 0, NULL, &err);
	snprintf(db, sizeof(db), "%s/compiled", dir);
	snprintf(want, sizeof(want),
		 "only the compiled table %s.db exists, but relaymail reads the source text %s: "
		 "keep the file you ran postmap on next to it",
		 db, db);
	is_str(t == NULL ? err.text : NULL, want, "only the .db exists");
	snprintf(spec, sizeof(spec), "texthash:%s/compiled", dir);
	t = table_open(spec, 0, NULL, &err);
	ok(t == NULL && strstr(err.text, "cannot open") != NULL,
	   "texthash: does not look for a .db: %s", err.text);
}

static void test_inline_static(void)
{
	struct error err = { 0 };
	struct table *t;
	char *got;

	t = table_open("inline:{ [smtp.example.com]:587=user:pass, {smtp.example.com = u2:p w} }",
		       0, NULL, &err);
	ok(t != NULL, "2.5 inline opens: %s", err.text);
	check(t, "[smtp.example.com]:587", "user:pass");
	check(t, "SMTP.EXAMPLE.COM", "u2:p w");
	check(t, "other", "(not found)");
	table_free(t);
	t = table_open("inline:{a=1, A=2 }", 0, NULL, &err);
	check(t, "a", "2");
	table_free(t);
	/* Only a caller can put a newline in a name (--query's argv): it
	 * separates like any blank. */
	t = table_open("inline:{a=1,\nb=2\n}", 0, NULL, &err);
	got = t != NULL ? q(t, "b") : NULL;
	is_str(got, "2", "a newline in inline:{...} separates items");
	free(got);
	table_free(t);
	t = table_open("inline:{ }", 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "empty inline table refused: %s", err.text);
	t = table_open("inline:{ novalue }", 0, NULL, &err);
	is_str(t == NULL ? err.text : NULL,
	       "inline:{ novalue }: expected key=value or {key = value}, found \"novalue\"",
	       "inline item without = refused");
	t = table_open("inline:a=b", 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "inline without braces refused");
	/* Postfix's split_qnameval: the key may be empty, and only blanks may
	 * come between it and "="; extpar: nothing after a group's "}". */
	t = table_open("inline:{=v, a=1}", 0, NULL, &err);
	ok(t != NULL, "inline: an empty key is a key: %s", err.text);
	check(t, "", "v");
	check(t, "a", "1");
	table_free(t);
	t = table_open("inline:{ { = w } }", 0, NULL, &err);
	check(t, "", "w");
	table_free(t);
	t = table_open("inline:{ {a=1}x }", 0, NULL, &err);
	is_str(t == NULL ? err.text : NULL,
	       "inline:{ {a=1}x }: text after the closing \"}\" of \"{a=1}x\"; write "
	       "{ key = value }",
	       "inline: text after a group's } refused");
	t = table_open("inline:{ {a b = 1} }", 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "inline: a key with a blank in it refused: %s",
	   err.text);
	t = table_open("inline:{ {\"a b\" = 1} }", 0, NULL, &err);
	check(t, "\"a b\"", "1");
	table_free(t);
	t = table_open("inline:{ {} }", 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG, "inline: an empty group refused");

	t = table_open("static:relay.example", 0, NULL, &err);
	check(t, "anything@example.com", "relay.example");
	table_free(t);
	t = table_open("static:{ user name:pass }", 0, NULL, &err);
	check(t, "x", "user name:pass");
	table_free(t);

	struct capture cap;
	char *v = NULL, *out;

	t = table_open("static:{}", 0, NULL, &err);
	capture_begin(&cap);
	ok(t != NULL && table_lookup(t, "k", &v, &err) == 1 && v != NULL && *v == '\0',
	   "empty result is found and empty");
	out = capture_end(&cap);
	is_str(out,
	       "relaymail: warning: table static:{}: key k: empty string result is not allowed\n"
	       "relaymail: warning: table static:{} should return NO RESULT in case of NOT FOUND\n",
	       "empty result warned about");
	free(out);
	free(v);
	table_free(t);
}

static void test_errors_and_maps(void)
{
	struct error err = { 0 };
	struct table *t;
	struct maps *m;
	char *v = NULL;

	t = table_open("ldap:/etc/postfix/ldap.cf", 0, "sender_canonical_maps in a.cf, line 2",
		       &err);
	is_str(t == NULL ? err.text : NULL,
	       "sender_canonical_maps in a.cf, line 2: unsupported lookup table type ldap "
	       "(supported: texthash hash btree lmdb cdb dbm sdbm inline static regexp pcre)",
	       "unknown type names the supported ones");
	t = table_open("/etc/postfix/canonical", 0, NULL, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG && strstr(err.text, "type:name") != NULL,
	   "a table without type is refused");

	m = maps_open("inline:{a=first}, inline:{a=second, b=B} static:{ fall back }", 0, NULL,
		      &err);
	ok(m != NULL, "maps open: %s", err.text);
	if (m != NULL) {
		is_int((long long)maps_count(m), 3, "three tables");
		ok(!maps_empty(m), "not empty");
		ok(maps_lookup(m, "A", &v, &err) == 1 && strcmp(v, "first") == 0,
		   "first table wins");
		free(v);
		ok(maps_lookup(m, "b", &v, &err) == 1 && strcmp(v, "B") == 0, "second table");
		free(v);
		ok(maps_lookup(m, "zz", &v, &err) == 1 && strcmp(v, "fall back") == 0,
		   "static last");
		free(v);
		is_str(table_spec(maps_table(m, 2)), "static:{ fall back }", "maps_table");
		ok(maps_table(m, 3) == NULL, "maps_table past the end");
	}
	maps_free(m);
	m = maps_open("", 0, NULL, &err);
	ok(m != NULL && maps_empty(m) && maps_lookup(m, "x", &v, &err) == 0,
	   "empty value: empty list, nothing found");
	maps_free(m);
	m = maps_open("inline:{a=b}, nosuch:x", 0, "p in f, line 1", &err);
	ok(m == NULL && strncmp(err.text, "p in f, line 1: unsupported", 27) == 0,
	   "one bad table fails the list");
	maps_free(NULL);
	table_free(NULL);
}

/* The one-group check of inline:{...}, static:{...} and regexp:{...}:
 * the group starts at the first byte and closes at the last. */
static void test_list_group(void)
{
	static const char *const no[] = { "", "a", " {a}", "{a", "{a} {b}", "{a}b", "{a}}", "{" };
	const char *in = NULL;
	size_t len = 0;
	bool all = true;

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		all &= !list_group(no[i], strlen(no[i]), &in, &len);
	ok(all, "list_group: not one whole group");
	ok(list_group("{ a, {b} }", 10, &in, &len) && len == 6 && memcmp(in, "a, {b}", 6) == 0,
	   "list_group: the inside, blanks trimmed");
	ok(list_group("{}", 2, &in, &len) && len == 0, "list_group: an empty group");
}

/* Every type refuses an empty name, as Postfix's dict_open does. */
static void test_empty_names(void)
{
	static const char *const specs[] = { "static:", "texthash:", "regexp:", "inline:", ":x" };
	struct error err = { 0 };
	char want[256];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct table *t = table_open(specs[i], 0, NULL, &err);

		snprintf(want, sizeof(want),
			 "bad lookup table \"%s\": write it as type:name, for example "
			 "texthash:/etc/relaymail/sasl_passwd",
			 specs[i]);
		is_str(t == NULL ? err.text : "(opened)", want, "%s is refused", specs[i]);
		table_free(t);
	}
}

/* Each one-letter key goes in after 38 keys that extend it ("a0" ..
 * "a37"), so a probe for it passes over them (the branch where a stored
 * key starts with the one looked up); 1014 keys make the map grow six
 * times but not after the letters. */
static void test_kvmap(void)
{
	struct kvmap m = { 0 };
	char key[16], value[24];
	bool all = true;

	ok(kvmap_get(&m, "a") == NULL, "an empty kvmap finds nothing");
	for (int pass = 0; pass < 2; pass++) {
		for (int c = 'a'; c <= 'z'; c++) {
			for (int i = 0; i < (pass == 0 ? 38 : 1); i++) {
				if (pass == 0)
					snprintf(key, sizeof(key), "%c%d", c, i);
				else
					snprintf(key, sizeof(key), "%c", c);
				snprintf(value, sizeof(value), "v-%s", key);
				all &= kvmap_put(&m, key, strlen(key), value, strlen(value),
						 false) == 1;
			}
		}
	}
	ok(all, "1014 keys inserted");
	is_int((long long)m.n, 1014, "1014 keys counted");
	for (int c = 'a'; c <= 'z' && all; c++) {
		for (int i = -1; i < 38 && all; i++) {
			const char *v;

			if (i < 0)
				snprintf(key, sizeof(key), "%c", c);
			else
				snprintf(key, sizeof(key), "%c%d", c, i);
			snprintf(value, sizeof(value), "v-%s", key);
			v = kvmap_get(&m, key);
			all = v != NULL && strcmp(v, value) == 0;
			if (!all)
				diag("%s: %s", key, v != NULL ? v : "(none)");
		}
	}
	ok(all, "every key finds its own value, not a prefix's or an extension's");
	ok(kvmap_get(&m, "a38") == NULL && kvmap_get(&m, "a1x") == NULL &&
	       kvmap_get(&m, "") == NULL,
	   "prefixes and extensions of stored keys are not found");
	is_int(kvmap_put(&m, "k7", 2, "other", 5, false), 0, "an existing key is not replaced");
	is_str(kvmap_get(&m, "k7"), "v-k7", "the first value stays");
	is_int(kvmap_put(&m, "k7x", 2, "last", 4, true), 0, "klen bounds the key; replace wins");
	is_str(kvmap_get(&m, "k7"), "last", "the new value is stored");
	is_int((long long)m.n, 1014, "replacing adds no key");
	kvmap_fini(&m);
	ok(m.slots == NULL && m.n == 0 && m.cap == 0, "kvmap_fini leaves an empty map");
}

/* A file of size bytes: text, then a hole (sparse, so 16 MiB cost nothing). */
static const char *sized(const char *name, const char *text, off_t size)
{
	const char *path = put(name, text, 0600);

	if (truncate(path, size) < 0)
		diag("truncate %s: %s", path, strerror(errno));
	return path;
}

/* The hard caps and the files that are not text. */
static void test_limits(void)
{
	char spec[300], want[600];
	struct error err = { 0 };
	struct table *t;
	struct buf long_line = { 0 };
	const char *path;

	buf_append_str(&long_line, "first line\nk ");
	for (int i = 0; i < 65536 / 8; i++)
		buf_append_str(&long_line, "xxxxxxxx");
	buf_append_str(&long_line, "\n");
	path = put("long", long_line.data, 0600);
	snprintf(spec, sizeof(spec), "texthash:%s", path);
	t = table_open(spec, 0, NULL, &err);
	snprintf(want, sizeof(want), "%s, line 2: the line is longer than 65536 bytes", path);
	is_str(t == NULL ? err.text : "(opened)", want, "texthash: a line past 64 KiB");
	table_free(t);
	is_str(error_class_name(err.cls), error_class_name(ERROR_CONFIG), "... is ERROR_CONFIG");
	snprintf(spec, sizeof(spec), "regexp:%s", path);
	t = table_open(spec, 0, NULL, &err);
	is_str(t == NULL ? err.text : "(opened)", want, "regexp: a line past 64 KiB");
	table_free(t);
	buf_fini(&long_line);

	path = sized("nul", "a b\n", 5);
	snprintf(spec, sizeof(spec), "texthash:%s", path);
	t = table_open(spec, 0, NULL, &err);
	snprintf(want, sizeof(want), "%s holds a NUL byte; it is not a text file", path);
	is_str(t == NULL ? err.text : "(opened)", want, "a NUL byte is refused");
	table_free(t);

	path = sized("huge", "a b\n", (off_t)16 * 1024 * 1024 + 1);
	snprintf(spec, sizeof(spec), "texthash:%s", path);
	t = table_open(spec, 0, NULL, &err);
	snprintf(want, sizeof(want), "%s is larger than 16777216 bytes", path);
	is_str(t == NULL ? err.text : "(opened)", want, "a file past 16 MiB is refused");
	table_free(t);

	path = sized("empty", "", 0);
	snprintf(spec, sizeof(spec), "texthash:%s", path);
	t = table_open(spec, 0, NULL, &err);
	check(t, "a", "(not found)");
	table_free(t);

	/* A regular file whose read fails: /proc/self/mem at offset 0. */
	t = table_open("texthash:/proc/self/mem", 0, NULL, &err);
	if (t == NULL && strncmp(err.text, "cannot open", 11) == 0)
		ok(true, "# SKIP /proc/self/mem cannot be opened here");
	else
		is_str(t == NULL ? err.text : "(opened)",
		       "cannot read /proc/self/mem: Input/output error", "a failing read is named");
	table_free(t);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL) {
		ok(false, "mkdtemp");
		return tap_done();
	}
	test_texthash();
	test_secret();
	test_missing();
	test_inline_static();
	test_errors_and_maps();
	test_list_group();
	test_empty_names();
	test_kvmap();
	test_limits();
	test_utf8();
	test_config_flags();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return tap_done();
}
