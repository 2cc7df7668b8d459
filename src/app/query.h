/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The test modes for people writing tables and configuration: --query
 * works like postmap -q (same output, same exit statuses), --expand like
 * postconf -x -h, and -bi (newaliases) checks the alias tables. */
#ifndef RELAYMAIL_APP_QUERY_H
#define RELAYMAIL_APP_QUERY_H

#include "app/cli.h"
#include "conf/config.h"

/* o->query_key in the tables named by the operands: 0 found (value on
 * stdout), 1 not found; "-" reads one key a line from stdin and prints
 * "key<TAB>value" per hit (0 when any was found). Errors: 1, as postmap's
 * fatal errors. The tables open with the configuration's flags
 * (smtputf8_enable), as postmap reads main.cf. */
int query_tables(const struct options *o, const struct config *cfg);
/* The expanded value of each parameter named by the operands, one a line;
 * an unknown name is warned about and skipped. 0, or 64 without names. */
int query_expand(const struct options *o, const struct config *cfg);
/* Parse every alias_maps table strictly: 0, or 78 with the first error
 * (file and line) on stderr. */
int query_aliases(const struct config *cfg);

#endif
