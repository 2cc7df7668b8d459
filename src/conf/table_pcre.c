/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pcre: tables: PCRE2, loaded by the first open (pcre_lib.h), behind the
 * shared rule engine (reference/postfix.md §2.4). Flags as pcre_table(5):
 * i and s on by default, m and x off, A anchored, E dollar-end-only, U
 * ungreedy, each letter toggling; X (PCRE1's "extra") has no PCRE2
 * counterpart and is ignored with Postfix's warning. */
#include <config.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "base/i18n.h"
#include "conf/pcre_lib.h"
#include "conf/table_pattern.h"

/* The library: set by every table_pcre_open before it compiles a rule,
 * always to the same functions. */
static const struct pcre_lib *lib;

static bool pcre_flags(const char *f, size_t n, unsigned *opts, const struct pattern_where *w)
{
	uint32_t o = PCRE2_CASELESS | PCRE2_DOTALL;

	for (size_t i = 0; i < n; i++) {
		switch (f[i]) {
		case 'i':
			o ^= PCRE2_CASELESS;
			break;
		case 'm':
			o ^= PCRE2_MULTILINE;
			break;
		case 's':
			o ^= PCRE2_DOTALL;
			break;
		case 'x':
			o ^= PCRE2_EXTENDED;
			break;
		case 'A':
			o ^= PCRE2_ANCHORED;
			break;
		case 'E':
			o ^= PCRE2_DOLLAR_ENDONLY;
			break;
		case 'U':
			o ^= PCRE2_UNGREEDY;
			break;
		case 'X':
			pattern_warn(w, _("ignoring obsolete regexp option \"%c\""), f[i]);
			break;
		default:
			pattern_warn(w, _("unknown regexp option \"%c\": skipping this rule"),
				     f[i]);
			return false;
		}
	}
	*opts = o;
	return true;
}

static int pcre_compile(const char *pattern, unsigned opts, void **out, size_t *nsub,
			const struct pattern_where *w)
{
	PCRE2_UCHAR why[256];
	PCRE2_SIZE offset;
	uint32_t count = 0;
	int code;
	pcre2_code *re =
	    lib->compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &offset, NULL);

	if (re == NULL && code == PCRE2_ERROR_HEAP_FAILED)
		return -1;
	if (re == NULL) {
		lib->get_error_message(code, why, sizeof(why));
		pattern_warn(w, _("error in regex at offset %zu: %s"), (size_t)offset,
			     (const char *)why);
		return 0;
	}
	lib->pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &count);
	*nsub = count;
	*out = re;
	return 1;
}

static int pcre_match(const void *re, const char *key, size_t n, struct pattern_span *spans,
		      const struct pattern_where *w)
{
	pcre2_match_data *md = lib->match_data_create_from_pattern(re, NULL);
	PCRE2_SIZE *ov;
	int rc;

	if (md == NULL)
		return -1;
	rc = lib->match(re, (PCRE2_SPTR)key, strlen(key), 0, 0, md, NULL);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_NOMEMORY) {
		PCRE2_UCHAR why[256];

		/* PCRE2's words, as Postfix logs them ("match limit exceeded"). */
		lib->get_error_message(rc, why, sizeof(why));
		pattern_warn(w, "%s", (const char *)why);
	}
	ov = lib->get_ovector_pointer(md);
	for (size_t i = 0; rc > 0 && i < n; i++) {
		bool set = i < (size_t)rc && ov[2 * i] != PCRE2_UNSET;

		spans[i].so = set ? (long long)ov[2 * i] : -1;
		spans[i].eo = set ? (long long)ov[2 * i + 1] : -1;
	}
	lib->match_data_free(md);
	return rc > 0 ? 1 : rc == PCRE2_ERROR_NOMEMORY ? -1 : 0;
}

static void pcre_free(void *re)
{
	lib->code_free(re);
}

static const struct pattern_backend pcre_backend = {
	.type = "pcre",
	.pcre_words = true,
	.flags = pcre_flags,
	.compile = pcre_compile,
	.match = pcre_match,
	.free = pcre_free,
};

int table_pcre_open(struct table *t, const char *name, unsigned flags, struct error *err)
{
	if ((lib = pcre_lib(err)) == NULL)
		return -1;
	return pattern_open(t, name, flags, &pcre_backend, err);
}
