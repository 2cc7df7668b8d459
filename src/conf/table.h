/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Postfix lookup tables (reference/postfix.md §2): a table is "type:name";
 * a map list (a *_maps parameter) is searched in order. texthash:, and
 * hash:/btree:/lmdb:/cdb:/dbm: read from their postmap source text,
 * inline:{...}, static:, regexp:, pcre: (when built with PCRE2). */
#ifndef RELAYMAIL_CONF_TABLE_H
#define RELAYMAIL_CONF_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct table;
struct maps;

enum table_flags {
	/* The table holds secrets: its file must pass textfile_check_secret
	 * (conf/textfile.h: group-readable only when owned by root or the
	 * caller, never by others nor writable but by its owner); ERROR_CONFIG
	 * naming the file and the fix. */
	TABLE_SECRET = 1 << 0,
	/* Pattern tables refuse $number in results, as Postfix does for
	 * sender_dependent_relayhost_maps (the rule is skipped, warned). */
	TABLE_NO_REGSUB = 1 << 1,
	/* smtputf8_enable = yes: keys and results must be UTF-8 (a key that
	 * is not is not found, with a warning; a result that is not is an
	 * error); fixed tables fold keys with Unicode case folding; a line
	 * of a source file that is not UTF-8 is skipped with a warning. */
	TABLE_UTF8 = 1 << 2,
};

struct config;

/* The flags the configuration asks every table for: TABLE_UTF8 unless
 * smtputf8_enable = no (a bad value keeps the default; the envelope code
 * reports it). */
unsigned table_config_flags(const struct config *cfg);

/* Open one table. where: context for messages ("smtp_sasl_password_maps in
 * /etc/relaymail/sendmail.conf, line 3"), may be NULL. */
struct table *table_open(const char *spec, unsigned flags, const char *where, struct error *err);
void table_free(struct table *t);
/* 1 found (*value malloc'd, caller frees), 0 not found, -1 error. Fixed
 * tables fold the key (casefold_dup); pattern tables see it unchanged. */
int table_lookup(const struct table *t, const char *key, char **value, struct error *err);
/* regexp: and pcre: only ever see whole addresses (§3.4). */
bool table_is_pattern(const struct table *t);
const char *table_spec(const struct table *t);

/* A list of tables from a parameter value (config_list_split syntax).
 * An empty value gives an empty list (every lookup: not found). */
struct maps *maps_open(const char *value, unsigned flags, const char *where, struct error *err);
/* The tables of parameter param of cfg, with the configuration's flags
 * (table_config_flags) added to flags; errors name the parameter and
 * where it was set. With TABLE_SECRET, an inline: or static: table puts
 * the configuration file under the secret rule (config_check_secret). */
struct maps *maps_open_param(const struct config *cfg, const char *param, unsigned flags,
			     struct error *err);
void maps_free(struct maps *m);
/* First table that has the key wins: 1 found, 0 not found, -1 error. */
int maps_lookup(const struct maps *m, const char *key, char **value, struct error *err);
bool maps_empty(const struct maps *m);
size_t maps_count(const struct maps *m);
const struct table *maps_table(const struct maps *m, size_t i);

#endif
