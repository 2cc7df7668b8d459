/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: aliases(5) text and the expansion of recipients through
 * it (mail/alias.c, mail/alias_expand.c). The input up to its first NUL
 * byte is the aliases file, parsed both leniently (bad lines skipped)
 * and strictly (newaliases); the lines after it are recipients to
 * expand (a fixed few when there are none), under luser_relay with
 * every $name it knows.
 *
 * Any input is expanded: alias_expand remembers the names it has
 * expanded and caps the depth and the size, so no aliases file makes the
 * work grow faster than the file.
 *
 * Fuzz with clang and libFuzzer (README, Fuzzing) in a build folder
 * beside the source; new inputs go to work/, the seeds stay as they are:
 *	../configure CC=clang --enable-fuzzing && make -j2
 *	mkdir -p work/alias
 *	nice -n 19 fuzz/fuzz-alias -max_total_time=120 \
 *	    work/alias ../fuzz/corpus/alias
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "conf/config.h"
#include "fuzz.h"
#include "mail/address.h"
#include "mail/alias.h"
#include "mail/rewrite.h"

static const char main_cf[] = "myhostname = host.example\n"
			      "mydomain = example\n"
			      "myorigin = host.example\n"
			      "recipient_delimiter = +\n"
			      "luser_relay = $user+$extension.$local.$domain@relay.example\n";

static const char *const default_rcpts[] = {
	"postmaster@host.example",     "root@host.example",	   "Bob+Tag@HOST.Example",
	"\"web master\"@host.example", "nobody@elsewhere.example", "daemon@host.example",
};

static bool is_user(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "daemon") == 0;
}

static const struct alias_ctx *setup(void)
{
	static char *const noenv[] = { NULL };
	static struct alias_ctx ctx;
	static struct config *cfg;
	struct error err = { 0 };

	if (ctx.rw != NULL)
		return &ctx;
	cfg = config_parse("fuzz.cf", main_cf, sizeof(main_cf) - 1, noenv, &err);
	if (cfg == NULL || (ctx.rw = rewriter_new(cfg, NULL, &err)) == NULL)
		abort(); /* the configuration above is valid */
	ctx.luser_relay = config_get(cfg, "luser_relay");
	ctx.luser_relay_where = config_where(cfg, "luser_relay");
	ctx.is_user = is_user;
	return &ctx;
}

static void expand(const struct aliases *a, const struct alias_ctx *ctx, const char *rcpt)
{
	struct addrlist out = { 0 };
	struct error err = { 0 };
	char *value = NULL;

	if (alias_lookup(a, rcpt, &value, &err) == 1)
		free(value);
	(void)alias_expand(a, ctx, rcpt, &out, &err);
	addrlist_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct alias_ctx *ctx;
	const uint8_t *text, *rcpts;
	size_t text_size, rcpts_size;
	struct error err = { 0 };
	struct aliases *a;
	char *list;

	fuzz_init();
	ctx = setup();
	fuzz_split(data, size, &text, &text_size, &rcpts, &rcpts_size);
	a = alias_parse("fuzz-aliases", (const char *)text, text_size, true, &err);
	alias_free(a);
	a = alias_parse("fuzz-aliases", (const char *)text, text_size, false, &err);
	if (a == NULL)
		return 0;
	list = fuzz_strndup(rcpts, rcpts_size);
	if (rcpts_size == 0) {
		for (size_t i = 0; i < sizeof(default_rcpts) / sizeof(default_rcpts[0]); i++)
			expand(a, ctx, default_rcpts[i]);
	}
	for (char *r = list, *next; rcpts_size > 0 && r != NULL; r = next) {
		next = strchr(r, '\n');
		if (next != NULL)
			*next++ = '\0';
		expand(a, ctx, r);
	}
	free(list);
	alias_free(a);
	return 0;
}
