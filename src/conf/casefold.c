/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libunistring adapter: the only file that includes <unicase.h>. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unicase.h>

#include "base/str.h"
#include "conf/casefold.h"

static bool all_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

char *casefold_dup(const char *s, bool utf8)
{
	size_t len = strlen(s), n = 0;
	uint8_t *folded;
	char *out;

	if (!utf8 || all_ascii(s))
		return (out = str_dup(s)) != NULL ? str_lower(out) : NULL;
	/* No language (Turkish dotless i is not special), no normalization:
	 * what u_strFoldCase(U_FOLD_CASE_DEFAULT) gives Postfix. */
	folded = u8_casefold((const uint8_t *)s, len, NULL, NULL, NULL, &n);
	if (folded == NULL)
		return NULL;
	if ((out = malloc(n + 1)) != NULL) {
		memcpy(out, folded, n);
		out[n] = '\0';
	}
	free(folded);
	return out;
}
