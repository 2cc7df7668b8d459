/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checks behind the configuration's warnings that Postfix does not
 * give, for mistakes that copying from a guide makes: a space that is
 * not ASCII, a "# comment" after a value, $HOME, a misspelt
 * RELAYMAIL_<NAME>. Warnings are notices (base/log.h). Nothing outside
 * conf includes this. */
#ifndef RELAYMAIL_CONF_CONFIG_CHECK_H
#define RELAYMAIL_CONF_CONFIG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/params.h"

/* The UTF-8 byte order mark some editors put at the start of a file. */
#define CONFIG_BOM "\xef\xbb\xbf"

/* The first no-break space (U+00A0) or full-width space (U+3000) in
 * s[0..len): its offset, and its name for messages ("U+3000 ..."); false
 * when there is none. */
bool config_check_space(const char *s, size_t len, size_t *at, const char **what);

/* Where a "#" after whitespace starts what was meant as a comment: its
 * offset in value, or false. Postfix keeps it as part of the value. */
bool config_check_comment(const char *value, size_t *at);

/* Whether name (len bytes) reads like an environment variable (upper
 * case: HOME, USER), which main.cf's $name never is. */
bool config_check_env_like(const char *name, size_t len);

/* The parameter of t[0..n) that the variable suffix (what follows
 * RELAYMAIL_) comes close to: equal ignoring case and "_", or (for a
 * suffix of six letters or more) at most two edits apart ignoring case.
 * NULL when none is. */
const char *config_check_near(const char *suffix, const struct param_info *t, size_t n);

/* A no-break or full-width space in the logical line s[0..len) (said
 * where): before value_at (in the name or around "="), or in the value of
 * a parameter relaymail uses, -1 with an ERROR_CONFIG naming it; in a
 * value relaymail ignores, a notice and 0. */
int config_check_spaces(const char *s, size_t len, size_t value_at, const char *where,
			struct error *err);

/* The variable var (len bytes up to its "=") has the RELAYMAIL_ prefix
 * but names no parameter: a notice when it comes close to one. */
void config_check_env_name(const char *var, size_t len);

#endif
