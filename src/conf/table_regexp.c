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

/* The ']' that closes the bracket expression opened at p (a ']' first
 * in it is a member; so are the ones of "[:alpha:]", "[.-.]", "[=a=]"),
 * or the end of the string. */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++) {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char kind = p[1];

			for (p += 2; *p != '\0' && !(p[0] == kind && p[1] == ']'); p++)
				;
			if (*p == '\0')
				break;
			p++;
		}
	}
	return p;
}

/* The last character of the interval "{m,n}" (ERE) or "\{m,n\}" (BRE)
 * whose digits start at p, or NULL when there is none: then "{" is no
 * interval. */
static const char *interval_end(const char *p, bool extended)
{
	if (!(*p >= '0' && *p <= '9') && *p != ',')
		return NULL;
	while ((*p >= '0' && *p <= '9') || *p == ',')
		p++;
	if (extended)
		return *p == '}' ? p : NULL;
	return p[0] == '\\' && p[1] == '}' ? p + 1 : NULL;
}

/* true when a duplication symbol (*, +, ?, an interval) follows another.
 * glibc compiles "a++" by copying what the first '+' built for each
 * further one: twenty take gigabytes and seconds (found by
 * fuzz/fuzz-table-regexp). POSIX leaves adjacent duplication symbols
 * undefined (XBD 9.3.6, 9.4.6), so a portable table has none. A '*'
 * that starts the pattern or a group is a literal in a BRE. */
static bool stacked_repeat(const char *pattern, bool extended)
{
	bool after_repeat = false, at_start = true;

	for (const char *p = pattern; *p != '\0'; p++) {
		bool repeat = false, start = false;
		const char *end;

		if (*p == '[') {
			p = bracket_end(p);
			if (*p == '\0')
				break;
		} else if (*p == '\\' && p[1] != '\0') {
			p++;
			start = !extended && (*p == '(' || *p == '|');
			if (!extended && (*p == '+' || *p == '?'))
				repeat = true;
			if (!extended && *p == '{' && (end = interval_end(p + 1, false)) != NULL) {
				repeat = true;
				p = end;
			}
		} else if (*p == '*') {
			repeat = extended || !at_start;
		} else if (extended && (*p == '+' || *p == '?')) {
			repeat = true;
		} else if (extended && *p == '{' && (end = interval_end(p + 1, true)) != NULL) {
			repeat = true;
			p = end;
		} else {
			start = (*p == '^' && at_start) || (extended && (*p == '(' || *p == '|'));
		}
		if (repeat && after_repeat)
			return true;
		after_repeat = repeat;
		at_start = start;
	}
	return false;
}

static int regexp_compile(const char *pattern, unsigned opts, void **out, size_t *nsub,
			  const struct pattern_where *w)
{
	regex_t *re;
	locale_t c, saved;
	char why[256];
	int rc;

	if (stacked_repeat(pattern, (opts & REG_EXTENDED) != 0)) {
		pattern_warn(w, _("repetition operators one after another (as in \"a++\") are "
				  "undefined in POSIX regular expressions: skipping this rule"));
		return 0;
	}
	re = malloc(sizeof(*re));
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
