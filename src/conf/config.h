/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The configuration: main.cf syntax (reference/postfix.md §0.1), Postfix
 * parameter names and defaults, RELAYMAIL_<NAME> environment overrides.
 * Loaded once, then read-only: every value is expanded at load time, but
 * for the few Postfix keeps raw (luser_relay). */
#ifndef RELAYMAIL_CONF_CONFIG_H
#define RELAYMAIL_CONF_CONFIG_H

#include <stdbool.h>

#include "base/error.h"

struct config;

/* Load the configuration. path: the file named by -C (must exist), or NULL
 * to use the first of $RELAYMAIL_CONFIG, $XDG_CONFIG_HOME/relaymail/
 * sendmail.conf (else ~/.config/...), SYSCONFDIR/relaymail/sendmail.conf;
 * when none of the default files exists the result is an empty
 * configuration (defaults only). env: the environment to read overrides
 * from (NULL = environ). Errors (ERROR_CONFIG) name file, line and
 * parameter. Unknown parameters produce one warning each (file:line), never
 * an error. */
struct config *config_load(const char *path, char *const *env, struct error *err);
/* Parse text as if it were the file named name (tests, inline use). */
struct config *config_parse(const char *name, const char *text, size_t len, char *const *env,
			    struct error *err);
void config_free(struct config *c);

/* Expanded value of a parameter: the configured one, else the Postfix
 * default (itself expanded), else "". Never NULL for known names; NULL
 * for a name relaymail does not know. A PARAM_RAW parameter (luser_relay)
 * comes as written, $name unexpanded, as postconf -x shows it: its user
 * expands it with names of its own; a value that refers to it with $name
 * gets it expanded. */
const char *config_get(const struct config *c, const char *name);
/* true when the parameter was set in the file or the environment. */
bool config_is_set(const struct config *c, const char *name);
/* "FILE, line N" where the parameter was set, "environment variable
 * RELAYMAIL_NAME", or "default". For error messages. */
const char *config_where(const struct config *c, const char *name);

/* Typed getters; on bad syntax -1 with an ERROR_CONFIG naming where. */
int config_get_bool(const struct config *c, const char *name, bool *out, struct error *err);
/* Time with unit s m h d w (default s). */
int config_get_time(const struct config *c, const char *name, long *seconds, struct error *err);
int config_get_ulong(const struct config *c, const char *name, unsigned long *out,
		     struct error *err);
/* One of names[0..n): its index, or -1 with an ERROR_CONFIG that names
 * the parameter, where it was set and the values allowed. Case is
 * ignored, as Postfix ignores it for keywords. */
int config_get_enum(const struct config *c, const char *name, const char *const *names, size_t n,
		    struct error *err);
/* An ERROR_CONFIG for a value (or one item of a list value) that cannot
 * be used: 'bad value "VALUE" for parameter NAME (WHERE): ' followed by
 * the printf-style explanation, which says what is allowed. */
void config_bad_value(struct error *err, const struct config *c, const char *name,
		      const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The file the configuration came from, or NULL when none was found. */
const char *config_file(const struct config *c);
/* Parameter name holds a secret in its value itself (inline: or static:
 * in smtp_sasl_password_maps): when that value comes from the file
 * config_load read (set there, or from the environment but naming other
 * parameters with $), the file must pass the secret rule
 * (textfile_check_secret, on what was seen as it was read). 0, or -1
 * with ERROR_CONFIG naming the parameter, where it was set, and the fix. */
int config_check_secret(const struct config *c, const char *name, struct error *err);

/* Split a list value (commas and/or whitespace, { } groups kept whole,
 * outer braces of a group removed) into a NULL-terminated malloc'd array
 * of malloc'd strings; free with config_list_free. */
char **config_list_split(const char *value);
void config_list_free(char **list);

#endif
