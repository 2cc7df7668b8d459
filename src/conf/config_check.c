/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Configuration checks: byte scans for the spaces that are not ASCII and
 * for trailing comments, and a small edit distance for misspelt
 * parameter names in the environment; the two that concern a single line
 * or variable also say what they found. */
#include <config.h>

#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "conf/config_check.h"
#include "conf/lines.h"

#define ENV_PREFIX "RELAYMAIL_"

#define NEAR_NAME_MAX 64 /* longer names are never compared */
#define NEAR_EDITS 2

bool config_check_space(const char *s, size_t len, size_t *at, const char **what)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] == '\xc2' && s[i + 1] == '\xa0') {
			*at = i;
			*what = "U+00A0 (no-break space)";
			return true;
		}
		if (i + 2 < len && s[i] == '\xe3' && s[i + 1] == '\x80' && s[i + 2] == '\x80') {
			*at = i;
			*what = "U+3000 (ideographic space)";
			return true;
		}
	}
	return false;
}

bool config_check_comment(const char *value, size_t *at)
{
	if (value[0] == '\0')
		return false;
	for (size_t i = 1; value[i] != '\0'; i++) {
		if (value[i] == '#' && lines_is_space((unsigned char)value[i - 1])) {
			*at = i;
			return true;
		}
	}
	return false;
}

bool config_check_env_like(const char *name, size_t len)
{
	bool upper = false;

	for (size_t i = 0; i < len; i++) {
		if (name[i] >= 'a' && name[i] <= 'z')
			return false;
		if (name[i] >= 'A' && name[i] <= 'Z')
			upper = true;
	}
	return upper;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s in lower case into out, without "_" when squeeze; its length, or 0
 * when it does not fit. */
static size_t fold(const char *s, bool squeeze, char *out)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (squeeze && *s == '_')
			continue;
		if (n + 1 >= NEAR_NAME_MAX)
			return 0;
		out[n++] = lower(*s);
	}
	out[n] = '\0';
	return n;
}

/* Levenshtein distance of a and b, capped at NEAR_EDITS + 1. */
static size_t distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t row[NEAR_NAME_MAX], prev, best;

	if ((an > bn ? an - bn : bn - an) > NEAR_EDITS)
		return NEAR_EDITS + 1;
	for (size_t j = 0; j <= bn; j++)
		row[j] = j;
	for (size_t i = 1; i <= an; i++) {
		prev = row[0];
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= bn; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1, here = prev + cost;

			if (row[j] + 1 < here)
				here = row[j] + 1;
			if (row[j - 1] + 1 < here)
				here = row[j - 1] + 1;
			prev = row[j];
			row[j] = here;
			if (here < best)
				best = here;
		}
		if (best > NEAR_EDITS)
			return NEAR_EDITS + 1;
	}
	return row[bn];
}

const char *config_check_near(const char *suffix, const struct param_info *names, size_t n)
{
	char s[NEAR_NAME_MAX], sq[NEAR_NAME_MAX], t[NEAR_NAME_MAX], tq[NEAR_NAME_MAX];
	size_t slen = fold(suffix, false, s), best = NEAR_EDITS + 1;
	const char *pick = NULL;

	if (slen == 0 || fold(suffix, true, sq) == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t tlen = fold(names[i].name, false, t), d;

		if (tlen == 0 || fold(names[i].name, true, tq) == 0)
			continue;
		if (strcmp(sq, tq) == 0)
			return names[i].name;
		/* A short name is close to too many others to guess. */
		if (slen < 6)
			continue;
		if ((d = distance(s, slen, t, tlen)) < best) {
			best = d;
			pick = names[i].name;
		}
	}
	return pick;
}

/* A no-break or full-width space (pasted from a web page or a Japanese
 * guide) is no space to Postfix: where it breaks "name = value", or
 * would become part of a value relaymail uses, it is an error naming
 * it; in a value relaymail ignores, a notice. */
int config_check_spaces(const char *s, size_t len, size_t value_at, const char *where,
			struct error *err)
{
	const struct param_info *info;
	const char *what;
	size_t at, n = 0;

	if (!config_check_space(s, len, &at, &what))
		return 0;
	while (n < len && name_char(s[n]))
		n++;
	if (at < value_at) {
		error_set(err, ERROR_CONFIG,
			  _("%s: a %s stands where a parameter name or \"=\" is expected; "
			    "write an ASCII space"),
			  where, what);
		return -1;
	}
	info = params_find_len(s, n);
	if (info != NULL && info->kind != PARAM_UNUSED) {
		error_set(err, ERROR_CONFIG,
			  _("%s: the value of parameter %.*s holds a %s, which Postfix does "
			    "not take for a space; write an ASCII space"),
			  where, (int)n, s, what);
		return -1;
	}
	log_notice(_("%s: the value of parameter %.*s holds a %s, which Postfix does not "
		     "take for a space"),
		   where, (int)n, s, what);
	return 0;
}

/* RELAYMAIL_RELAY_HOST, which names no parameter but comes close to
 * one: say which was meant. Other variables with the prefix (the test
 * suite's RELAYMAIL_TEST_POSTFIX) are left alone. */
void config_check_env_name(const char *var, size_t len)
{
	const struct param_info *t;
	char suffix[128], upper[128];
	const char *meant;
	size_t count, plen = strlen(ENV_PREFIX);

	if (len - plen >= sizeof(suffix))
		return;
	memcpy(suffix, var + plen, len - plen);
	suffix[len - plen] = '\0';
	t = params_table(&count);
	if ((meant = config_check_near(suffix, t, count)) == NULL || strlen(meant) >= sizeof(upper))
		return;
	for (size_t i = 0; i <= strlen(meant); i++)
		upper[i] =
		    meant[i] >= 'a' && meant[i] <= 'z' ? (char)(meant[i] - 'a' + 'A') : meant[i];
	log_notice(_("environment variable %.*s names no parameter and is ignored; for "
		     "parameter %s, write %s%s"),
		   (int)len, var, meant, ENV_PREFIX, upper);
}
