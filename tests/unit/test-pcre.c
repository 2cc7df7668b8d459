/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conf/table pcre: (reference/postfix.md §2.4): PCRE2 syntax, the pcre
 * flag defaults (i and s on), the shared rule checks; in a build without
 * PCRE2, the clear configuration error instead. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "conf/table.h"
#include "capture.h"
#include "tap.h"

#if HAVE_PCRE2
static void check(const struct table *t, const char *key, const char *want)
{
	struct error err = { 0 };
	char *v = NULL;
	int rc = t != NULL ? table_lookup(t, key, &v, &err) : -1;
	char name[64];
	size_t n = 0;

	for (const char *k = key; *k != '\0' && n + 3 < sizeof(name); k++) {
		if (*k == '\n')
			name[n++] = '\\', name[n++] = 'n';
		else
			name[n++] = *k;
	}
	name[n] = '\0';
	is_str(rc == 1 ? v : rc == 0 ? "(not found)" : "(error)", want, "%s -> %s", name, want);
	free(v);
}

static void test_pcre(void)
{
	static const char text[] = "/^root@.*$/                admin@example.com\n"
				   "/^([^@+]+)(\\+[^@]*)?@host\\.example\\.com$/ ${1}@example.com\n"
				   "/^UPPER@example\\.net$/i    case-sensitive-hit\n"
				   "/^dot.all$/                dotall-default\n"
				   "/^line$/m                  multiline\n"
				   "/^s p a c e d$/x           extended\n"
				   "/^\\Qa.b\\E$/               quoted\n"
				   "/^(w+)/U                   ungreedy:$1\n"
				   "/^zero(.*)$/               $0\n"
				   "/^two(.*)$/                $2\n"
				   "!/^neg(.*)$/               bad$1\n"
				   "/^(a.*)@x$/!/^ab/          pair\n"
				   "/^bad(/                    broken\n"
				   "if !/@example\\.org$/\n"
				   "/^bob@/                    not-org\n"
				   "endif\n"
				   "/^(?<name>n)amed$/         named:$1\n"
				   "/^x(y)?z$/                 got[$1]\n";
	char path[] = "/tmp/test-pcre.XXXXXX";
	char spec[64], want[4096], *warnings;
	struct error err = { 0 };
	struct capture cap;
	struct table *t;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		ok(false, "temp file");
		return;
	}
	fputs(text, f);
	fclose(f);
	snprintf(spec, sizeof(spec), "pcre:%s", path);
	capture_begin(&cap);
	t = table_open(spec, 0, NULL, &err);
	warnings = capture_end(&cap);
	ok(t != NULL && table_is_pattern(t), "pcre table opens: %s", err.text);
#define W "relaymail: warning: pcre map %1$s, line "
	snprintf(want, sizeof(want),
		 W "9: out of range replacement index \"0\"\n" W
		   "9: bad replacement syntax: skipping this rule\n" W
		   "10: out of range replacement index \"2\": skipping this rule\n" W
		   "11: $number found in negative match replacement text: skipping this rule\n" W
		   "12: unknown regexp option \"!\": skipping this rule\n" W
		   "13: error in regex at offset 5: missing closing parenthesis\n",
		 path);
#undef W
	is_str(warnings, want, "pcre load warnings");
	free(warnings);
	check(t, "ROOT@x", "admin@example.com");
	check(t, "john+tag@host.example.com", "john@example.com");
	check(t, "UPPER@example.net", "case-sensitive-hit");
	check(t, "upper@example.net", "(not found)");
	check(t, "dot\nall", "dotall-default");
	check(t, "first\nline\nlast", "multiline");
	check(t, "spaced", "extended");
	check(t, "a.b", "quoted");
	check(t, "axb", "(not found)");
	check(t, "www", "ungreedy:w");
	check(t, "aab@x", "(not found)");
	check(t, "bob@example.com", "not-org");
	check(t, "bob@example.org", "(not found)");
	check(t, "named", "named:n");
	check(t, "xz", "got[]");
	check(t, "xyz", "got[y]");
	table_free(t);
	remove(path);

	t = table_open("pcre:{ {/^(.*)@old\\.example$/ ${1}@new.example} }", 0, NULL, &err);
	check(t, "me@old.example", "me@new.example");
	table_free(t);

	/* With "\\" as the delimiter no backslash closes (dict_pcre): the rule
	 * and the IF are skipped, and the ENDIF is a stray one. */
	capture_begin(&cap);
	t = table_open("pcre:{ {\\a\\ b}, {IF \\x\\}, {/a/ after}, {ENDIF} }", 0, NULL, &err);
	warnings = capture_end(&cap);
	is_str(warnings,
	       "relaymail: warning: pcre map { {\\a\\ b}, {IF \\x\\}, {/a/ after}, {ENDIF} }, line "
	       "1: no closing regexp delimiter \"\\\": ignoring this rule\n"
	       "relaymail: warning: pcre map { {\\a\\ b}, {IF \\x\\}, {/a/ after}, {ENDIF} }, line "
	       "2: no closing regexp delimiter \"\\\": ignoring this rule\n"
	       "relaymail: warning: pcre map { {\\a\\ b}, {IF \\x\\}, {/a/ after}, {ENDIF} }, line "
	       "4: ignoring ENDIF without matching IF\n",
	       "backslash delimiter: the rule and the IF are skipped");
	free(warnings);
	check(t, "a", "after");
	table_free(t);
}
#else
static void test_pcre(void)
{
	struct error err = { 0 };
	struct table *t = table_open("pcre:/etc/postfix/x.pcre", 0, NULL, &err);

	ok(t == NULL && err.cls == ERROR_CONFIG, "pcre: refused without PCRE2");
	is_str(err.text,
	       "pcre:/etc/postfix/x.pcre: pcre: tables are not supported in this build; rebuild "
	       "with libpcre2-dev installed",
	       "the refusal says how to get pcre:");
}
#endif

int main(void)
{
	test_pcre();
	return tap_done();
}
