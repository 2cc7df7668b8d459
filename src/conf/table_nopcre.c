/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pcre: in a build without PCRE2: a clear configuration error instead of
 * silently reading the rules as regexp:, whose syntax differs. */
#include <config.h>

#include "base/i18n.h"
#include "conf/table_impl.h"

int table_pcre_open(struct table *t, const char *name, unsigned flags, struct error *err)
{
	(void)name;
	(void)flags;
	error_set(err, ERROR_CONFIG,
		  _("%s: pcre: tables are not supported in this build; rebuild with "
		    "libpcre2-dev installed"),
		  t->spec);
	return -1;
}
