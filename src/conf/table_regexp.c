/* SPDX-License-Identifier: GPL-3.0-or-later */
/* regexp: placeholder until the pattern engine lands. */
#include <config.h>

#include "base/i18n.h"
#include "conf/table_impl.h"

int table_regexp_open(struct table *t, const char *name, unsigned flags, struct error *err)
{
	(void)name;
	(void)flags;
	error_set(err, ERROR_CONFIG, _("%s: regexp: tables are not supported yet"), t->spec);
	return -1;
}
