/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.cf macro expansion (reference/postfix.md §0.1): $name, ${name},
 * $(name), $$, the ?/: conditionals and the relational ${{a} op {b}?..:..}.
 * Pure: names are resolved through a callback. */
#ifndef RELAYMAIL_CONF_EXPAND_H
#define RELAYMAIL_CONF_EXPAND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"

struct expand_ctx {
	/* Expanded value of a parameter name (not NUL-terminated in the
	 * text): 0 with *value set, or NULL for "undefined"; -1 on error
	 * (err filled). */
	int (*resolve)(void *arg, const char *name, size_t len, const char **value,
		       struct error *err);
	void *arg;
	const char *where; /* "FILE, line N" of the value, for messages; NULL: a default */
	const char *param; /* the parameter whose value this is */
	/* For ${name?...} and ${name:...}: whether name counts as set, 0 or
	 * -1 as resolve. NULL: set means that resolve gives a non-empty
	 * value. postconf tests the value as written, unexpanded. */
	int (*test)(void *arg, const char *name, size_t len, bool *set, struct error *err);
};

/* A compatibility level "major[.minor[.patch]]" as one comparable
 * number, as Postfix's compat_level_from_string makes it (minor and patch
 * 0..1023, ten bits each; each part read as strtol reads it). -1 when the
 * text is not one. The <level, ==level... operators compare these. */
long long expand_compat_level(const char *s, size_t len);

/* Append the expansion of text[0..len) to out. -1 with ERROR_CONFIG
 * naming ctx->where and ctx->param on bad syntax. */
int expand_text(const struct expand_ctx *ctx, const char *text, size_t len, struct buf *out,
		struct error *err);

#endif
