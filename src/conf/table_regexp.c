/* SPDX-License-Identifier: GPL-3.0-or-later */
/* regexp: tables: POSIX regular expressions behind the shared rule engine.
 * Flags as regexp_table(5): i and x are on by default and toggle
 * REG_ICASE and REG_EXTENDED, m toggles REG_NEWLINE. Patterns compile and
 * match in the C locale, as in Postfix's daemons, whatever the caller's
 * LC_CTYPE: "." is one byte and "i" folds ASCII only, so a table means
 * the same under LANG=ja_JP.UTF-8 as in Postfix. */
#include <config.h>

#include <locale.h>
#include <regex.h>
#include <stdlib.h>

#include "base/i18n.h"
#include "conf/table_pattern.h"

/* Groups reported without allocating: every rule but a rare few. */
#define SMALL_MATCH 10

static bool regexp_flags(const char *f, size_t n, unsigned *opts, const struct pattern_where *w)
{
	*opts = REG_EXTENDED | REG_ICASE;
	for (size_t i = 0; i < n; i++) {
		switch (f[i]) {
		case 'i':
			*opts ^= REG_ICASE;
			break;
		case 'x':
			*opts ^= REG_EXTENDED;
			break;
		case 'm':
			*opts ^= REG_NEWLINE;
			break;
		default:
			pattern_warn(w, _("unknown regexp option \"%c\": skipping this rule"),
				     f[i]);
			return false;
		}
	}
	return true;
}

/* Switch this thread to the C locale; false when that failed (out of
 * memory), with nothing switched. */
static bool c_locale_enter(locale_t *c, locale_t *saved)
{
	if ((*c = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		return false;
	*saved = uselocale(*c);
	return true;
}

static void c_locale_leave(locale_t c, locale_t saved)
{
	uselocale(saved);
	freelocale(c);
}

static int regexp_compile(const char *pattern, unsigned opts, void **out, size_t *nsub,
			  const struct pattern_where *w)
{
	regex_t *re = malloc(sizeof(*re));
	locale_t c, saved;
	char why[256];
	int rc;

	if (re == NULL)
		return -1;
	if (!c_locale_enter(&c, &saved)) {
		free(re);
		return -1;
	}
	rc = regcomp(re, pattern, (int)opts);
	if (rc != 0 && rc != REG_ESPACE)
		regerror(rc, re, why, sizeof(why));
	c_locale_leave(c, saved);
	if (rc == REG_ESPACE) {
		free(re);
		return -1;
	}
	if (rc != 0) {
		pattern_warn(w, "%s", why);
		free(re);
		return 0;
	}
	*nsub = re->re_nsub;
	*out = re;
	return 1;
}

static int regexp_match(const void *re, const char *key, size_t n, struct pattern_span *spans,
			const struct pattern_where *w)
{
	regmatch_t small[SMALL_MATCH], *pm = n <= SMALL_MATCH ? small : calloc(n, sizeof(*pm));
	locale_t c, saved;
	char why[256];
	int rc;

	if (pm == NULL)
		return -1;
	if (!c_locale_enter(&c, &saved)) {
		if (pm != small)
			free(pm);
		return -1;
	}
	rc = regexec(re, key, n, n > 0 ? pm : NULL, 0);
	if (rc != 0 && rc != REG_NOMATCH && rc != REG_ESPACE)
		regerror(rc, re, why, sizeof(why));
	c_locale_leave(c, saved);
	if (rc != 0 && rc != REG_NOMATCH && rc != REG_ESPACE)
		pattern_warn(w, "%s", why);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		spans[i].so = pm[i].rm_so;
		spans[i].eo = pm[i].rm_eo;
	}
	if (pm != small)
		free(pm);
	return rc == 0 ? 1 : rc == REG_ESPACE ? -1 : 0;
}

static void regexp_free(void *re)
{
	regfree(re);
	free(re);
}

static const struct pattern_backend regexp_backend = {
	.type = "regexp",
	.second_pattern = true,
	.backslash_closes = true,
	.flags = regexp_flags,
	.compile = regexp_compile,
	.match = regexp_match,
	.free = regexp_free,
};

int table_regexp_open(struct table *t, const char *name, unsigned flags, struct error *err)
{
	return pattern_open(t, name, flags, &regexp_backend, err);
}
