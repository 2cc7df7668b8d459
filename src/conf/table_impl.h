/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The inside of struct table: one set of operations per table type, and
 * the constructors table.c dispatches to. Nothing outside conf includes
 * this. */
#ifndef RELAYMAIL_CONF_TABLE_IMPL_H
#define RELAYMAIL_CONF_TABLE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/table.h"

struct table_ops {
	/* 1 found (*value malloc'd), 0 not found, -1 error. The key of a
	 * fixed table arrives folded (table_lookup does it, as Postfix's
	 * dict_utf8 layer does); its constructor folds the keys it stores. */
	int (*lookup)(const void *impl, const char *key, char **value, struct error *err);
	/* impl as the constructor set it: never NULL. */
	void (*free)(void *impl);
	bool pattern;
};

struct table {
	char *spec;
	char *shown; /* spec for messages: a secret's inline:/static: data
		      * left out (table_open) */
	bool secret; /* TABLE_SECRET: no message quotes a value or a line */
	const struct table_ops *ops;
	void *impl;
	bool utf8; /* TABLE_UTF8 */
};

/* Free t->spec and t->shown (a secret's spec wiped first). */
void table_wipe_spec(struct table *t);

/* Each fills t->ops and t->impl, or returns -1 with err set. name is the
 * text after "type:", never empty. */
/* texthash:, and hash:/btree:/... whose compiled file has the suffix
 * given (NULL for texthash:), read from the source text. */
int table_text_open(struct table *t, const char *name, const char *compiled_suffix, unsigned flags,
		    struct error *err);
int table_inline_open(struct table *t, const char *name, unsigned flags, struct error *err);
int table_static_open(struct table *t, const char *name, struct error *err);
int table_regexp_open(struct table *t, const char *name, unsigned flags, struct error *err);
int table_pcre_open(struct table *t, const char *name, unsigned flags, struct error *err);

#endif
