/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parameters relaymail knows: Postfix names with Postfix defaults
 * (reference/postfix.md §7), relaymail's own, and Postfix names that a
 * pasted main.cf may hold but relaymail does not use. */
#ifndef RELAYMAIL_CONF_PARAMS_H
#define RELAYMAIL_CONF_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

enum param_kind {
	PARAM_USED,    /* relaymail acts on it */
	PARAM_UNUSED,  /* a Postfix name relaymail ignores (warned about) */
	PARAM_DERIVED, /* used; default computed by config (myhostname...) */
	PARAM_RAW,     /* used; kept as written, without $name expansion: the
			* code that uses it expands it with names of its own
			* (luser_relay: $user, $domain... per recipient) */
};

struct param_info {
	const char *name;
	const char *def; /* raw default, may hold $name; NULL when derived */
	enum param_kind kind;
};

/* The table, and its length. */
const struct param_info *params_table(size_t *count);
/* The entry for name, or NULL. */
const struct param_info *params_find(const char *name);
/* The same for a name of len bytes, not NUL-terminated. */
const struct param_info *params_find_len(const char *name, size_t len);
/* True for Postfix names outside the table that relaymail knows it
 * ignores (smtpd_*, lmtp_*, postscreen_*, ..., sendmail_path,
 * process_name); the second for a name of len bytes. */
bool params_is_foreign(const char *name);
bool params_is_foreign_len(const char *name, size_t len);

#endif
