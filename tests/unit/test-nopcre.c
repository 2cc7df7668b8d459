/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pcre: tables on a host without libpcre2-8: this program's copy of
 * pcre_lib.c loads a file that does not exist (local.mk), as on a host
 * where the library was removed. Opening a pcre: table fails as a table
 * that cannot be read does, with the reason and the package to install;
 * regexp: tables, which need no library, still work. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "conf/table.h"
#include "tap.h"

#define WHERE "sender_canonical_maps (main.cf, line 3)"
#define LOAD_ERROR                                                                                 \
	WHERE ": cannot load the PCRE2 library: /nonexistent/relaymail-test/libpcre2-8.so.0: "     \
	      "cannot open shared object file"
#define HINT                                                                                       \
	"pcre: tables need /nonexistent/relaymail-test/libpcre2-8.so.0: install it (on "           \
	"Debian and Ubuntu, the package libpcre2-8-0)"

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int main(void)
{
	char path[] = "/tmp/test-nopcre.XXXXXX", spec[64];
	struct error err = { 0 }, unreadable = { 0 };
	struct table *t;
	char *v = NULL;
	int fd = mkstemp(path);

	if (!ok(fd >= 0 && write(fd, "/^(.*)@old\\.example$/ ${1}@new.example\n", 39) == 39,
		"the rules written to %s", path))
		return tap_done();
	close(fd);
	snprintf(spec, sizeof(spec), "pcre:%s", path);

	t = table_open(spec, 0, WHERE, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG && starts(err.text, LOAD_ERROR),
	   "a pcre: file: the load error, after where the table is named (%s)", err.text);
	is_str(err.hint, HINT, "the hint names the file and the Debian package");
	table_free(t);

	/* As a table file that cannot be read: the same class, so the same
	 * exit status (78) and a message kept as dead letter. */
	t = table_open("regexp:/nonexistent/relaymail-test/table", 0, WHERE, &unreadable);
	ok(t == NULL && unreadable.cls == err.cls,
	   "the same class as a table that cannot be read (%s)", unreadable.text);
	table_free(t);

	error_clear(&err);
	t = table_open("pcre:{ {/^(.*)@old\\.example$/ ${1}@new.example} }", 0, WHERE, &err);
	ok(t == NULL && err.cls == ERROR_CONFIG && starts(err.text, LOAD_ERROR),
	   "an inline pcre: table, asked again: the load error again (%s)", err.text);
	table_free(t);

	snprintf(spec, sizeof(spec), "regexp:%s", path);
	error_clear(&err);
	t = table_open(spec, 0, WHERE, &err);
	ok(t != NULL, "the same rules as a regexp: table open (%s)", err.text);
	if (t != NULL && table_lookup(t, "joe@old.example", &v, &err) < 0)
		diag("%s", err.text);
	is_str(v, "joe@new.example", "... and rewrite joe@old.example");
	free(v);
	table_free(t);
	unlink(path);
	return tap_done();
}
