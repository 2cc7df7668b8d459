/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a loaded configuration: plain and typed values, where each came
 * from, and list splitting. Everything here is pure; a loaded
 * configuration is never changed. */
#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "conf/config_impl.h"
#include "conf/list.h"

static const struct config_param *lookup(const struct config *c, const char *name)
{
	const struct config_param *p = config_param_find(c, name, strlen(name));

	if (p == NULL || (p->info == NULL && p->raw == NULL))
		return NULL;
	return p;
}

const char *config_get(const struct config *c, const char *name)
{
	const struct config_param *p = lookup(c, name);

	if (p == NULL)
		return NULL;
	if (p->info != NULL && p->info->kind == PARAM_RAW)
		return p->raw != NULL ? p->raw : p->info->def;
	return p->value;
}

bool config_is_set(const struct config *c, const char *name)
{
	const struct config_param *p = lookup(c, name);

	return p != NULL && p->raw != NULL;
}

const char *config_where(const struct config *c, const char *name)
{
	const struct config_param *p = lookup(c, name);

	return p != NULL && p->where != NULL ? p->where : _("default");
}

const char *config_file(const struct config *c)
{
	return c->file;
}

int config_check_secret(const struct config *c, const char *name, struct error *err)
{
	const struct config_param *p = lookup(c, name);

	if (c->file == NULL || !c->file_info.known || p == NULL || p->raw == NULL ||
	    (p->from_env && strchr(p->raw, '$') == NULL))
		return 0;
	if (textfile_check_secret(c->file, &c->file_info, err) == 0)
		return 0;
	error_prefix(err, _("%s (%s) holds a password in the configuration file itself"), name,
		     p->where);
	return -1;
}

static const char *value_of(const struct config *c, const char *name, struct error *err)
{
	const char *v = config_get(c, name);

	if (v == NULL)
		error_set(err, ERROR_INTERNAL, _("relaymail does not know parameter %s"), name);
	return v;
}

int config_get_bool(const struct config *c, const char *name, bool *out, struct error *err)
{
	const char *v = value_of(c, name, err);

	if (v == NULL)
		return -1;
	if (str_eq_ci(v, "yes") || str_eq_ci(v, "no")) {
		*out = str_eq_ci(v, "yes");
		return 0;
	}
	error_set(err, ERROR_CONFIG,
		  _("bad boolean value \"%s\" for parameter %s (%s): use yes or no"), v, name,
		  config_where(c, name));
	return -1;
}

/* Seconds per unit letter, 0 for an unknown one. */
static long unit_seconds(char u)
{
	switch (u) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 604800;
	default:
		return 0;
	}
}

int config_get_time(const struct config *c, const char *name, long *seconds, struct error *err)
{
	const char *v = value_of(c, name, err);
	char digits[32];
	size_t n;
	unsigned long num;
	long unit = 1;

	if (v == NULL)
		return -1;
	n = strspn(v, "0123456789");
	if (n > 0 && n < sizeof(digits) &&
	    (v[n] == '\0' || (v[n + 1] == '\0' && (unit = unit_seconds(v[n])) != 0))) {
		memcpy(digits, v, n);
		digits[n] = '\0';
		if (str_to_ulong(digits, (unsigned long)LONG_MAX / (unsigned long)unit, &num) ==
		    0) {
			*seconds = (long)num * unit;
			return 0;
		}
	}
	error_set(err, ERROR_CONFIG,
		  _("bad time value \"%s\" for parameter %s (%s): use a number with an "
		    "optional unit s, m, h, d or w"),
		  v, name, config_where(c, name));
	return -1;
}

int config_get_ulong(const struct config *c, const char *name, unsigned long *out,
		     struct error *err)
{
	const char *v = value_of(c, name, err);

	if (v == NULL)
		return -1;
	if (str_to_ulong(v, ULONG_MAX, out) == 0)
		return 0;
	error_set(err, ERROR_CONFIG,
		  _("bad numerical value \"%s\" for parameter %s (%s): use a whole number"), v,
		  name, config_where(c, name));
	return -1;
}

void config_bad_value(struct error *err, const struct config *c, const char *name,
		      const char *value, const char *fmt, ...)
{
	char why[ERROR_TEXT_MAX], shown[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	str_printable(shown, sizeof(shown), value, strlen(value));
	error_set(err, ERROR_CONFIG, _("bad value \"%s\" for parameter %s (%s): %s"), shown, name,
		  config_where(c, name), why);
}

int config_get_enum(const struct config *c, const char *name, const char *const *names, size_t n,
		    struct error *err)
{
	const char *v = value_of(c, name, err);
	char list[512] = "", last[128] = "";
	size_t len = 0;

	if (v == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (str_eq_ci(v, names[i]))
			return (int)i;
	/* "a, b or c"; an empty name (the unset default) is not offered. */
	for (size_t i = 0; i < n; i++) {
		if (names[i][0] == '\0')
			continue;
		if (last[0] != '\0' && len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						len > 0 ? ", " : "", last);
		snprintf(last, sizeof(last), "%s", names[i]);
	}
	if (len == 0) {
		config_bad_value(err, c, name, v, _("use %s"), last);
	} else {
		/* TRANSLATORS: the end of a list of allowed values: "a, b or c". */
		config_bad_value(err, c, name, v, _("use %s or %s"), list, last);
	}
	return -1;
}

char **config_list_split(const char *value)
{
	size_t len = strlen(value), pos = 0, n = 0, ilen;
	const char *item;
	bool braced;
	char **v;

	while (list_next(value, len, &pos, &item, &ilen, &braced))
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	pos = 0;
	for (size_t i = 0; i < n; i++) {
		list_next(value, len, &pos, &item, &ilen, &braced);
		if ((v[i] = str_ndup(item, ilen)) == NULL) {
			config_list_free(v);
			return NULL;
		}
	}
	return v;
}

void config_list_free(char **list)
{
	if (list == NULL)
		return;
	for (char **p = list; *p != NULL; p++)
		free(*p);
	free(list);
}
