/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening a "type:name" table by handing it to its type's constructor,
 * looking keys up through the type's operations, and map lists searched
 * in order. Every table is loaded whole when opened; lookups do no I/O. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/casefold.h"
#include "conf/config.h"
#include "conf/table_impl.h"

struct maps {
	struct table **v;
	size_t n;
};

/* Types read from their postmap source text, with the compiled file's
 * suffix (to explain a missing source). */
static const struct {
	const char *type;
	const char *suffix;
} text_types[] = {
	{ "texthash", NULL }, { "hash", ".db" }, { "btree", ".db" }, { "lmdb", ".lmdb" },
	{ "cdb", ".cdb" },    { "dbm", ".dir" }, { "sdbm", ".dir" },
};

#define SUPPORTED "texthash hash btree lmdb cdb dbm sdbm inline static regexp pcre"

static int dispatch(struct table *t, const char *type, size_t tlen, const char *name,
		    unsigned flags, struct error *err)
{
	for (size_t i = 0; i < sizeof(text_types) / sizeof(text_types[0]); i++)
		if (strlen(text_types[i].type) == tlen &&
		    memcmp(type, text_types[i].type, tlen) == 0)
			return table_text_open(t, name, text_types[i].suffix, flags, err);
	if (tlen == 6 && memcmp(type, "inline", 6) == 0)
		return table_inline_open(t, name, flags, err);
	if (tlen == 6 && memcmp(type, "static", 6) == 0)
		return table_static_open(t, name, err);
	if (tlen == 6 && memcmp(type, "regexp", 6) == 0)
		return table_regexp_open(t, name, flags, err);
	if (tlen == 4 && memcmp(type, "pcre", 4) == 0)
		return table_pcre_open(t, name, flags, err);
	error_set(err, ERROR_CONFIG, _("unsupported lookup table type %.*s (supported: %s)"),
		  (int)tlen, type, SUPPORTED);
	return -1;
}

/* inline: and static: hold their data in the value itself: the type
 * (after any proxy:), else NULL. */
static const char *data_in_spec(const char *spec)
{
	while (strncmp(spec, "proxy:", 6) == 0)
		spec += 6;
	return strncmp(spec, "inline:", 7) == 0 || strncmp(spec, "static:", 7) == 0 ? spec : NULL;
}

/* What messages call the table: its spec, but for a secret whose data is
 * in the spec, only the type. */
static char *shown_spec(const char *spec, unsigned flags)
{
	const char *type = data_in_spec(spec);
	char shown[32];

	if ((flags & TABLE_SECRET) == 0 || type == NULL)
		return str_dup(spec);
	snprintf(shown, sizeof(shown), "%.7s{...}", type);
	return str_dup(shown);
}

struct table *table_open(const char *spec, unsigned flags, const char *where, struct error *err)
{
	const char *s = spec, *colon;
	struct table *t;

	while (strncmp(s, "proxy:", 6) == 0)
		s += 6;
	colon = strchr(s, ':');
	/* Postfix refuses an empty type or name for every type alike
	 * ("static:" included, which would otherwise answer ""). */
	if (colon == NULL || colon == s || colon[1] == '\0') {
		error_set(err, ERROR_CONFIG,
			  _("bad lookup table \"%s\": write it as type:name, for example "
			    "texthash:/etc/relaymail/sasl_passwd"),
			  spec);
	} else if ((t = calloc(1, sizeof(*t))) == NULL || (t->spec = str_dup(spec)) == NULL ||
		   (t->shown = shown_spec(spec, flags)) == NULL) {
		if (t != NULL)
			free(t->spec);
		free(t);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	} else {
		t->utf8 = (flags & TABLE_UTF8) != 0;
		t->secret = (flags & TABLE_SECRET) != 0;
		if (dispatch(t, s, (size_t)(colon - s), colon + 1, flags, err) == 0)
			return t;
		table_wipe_spec(t);
		free(t);
	}
	if (where != NULL)
		error_prefix(err, "%s", where);
	return NULL;
}

void table_wipe_spec(struct table *t)
{
	if (t->secret)
		str_wipe(t->spec, strlen(t->spec));
	free(t->spec);
	free(t->shown);
	t->spec = t->shown = NULL;
}

void table_free(struct table *t)
{
	if (t == NULL)
		return;
	/* table_open hands out only tables whose type has set them up. */
	t->ops->free(t->impl);
	table_wipe_spec(t);
	free(t);
}

unsigned table_config_flags(const struct config *cfg)
{
	struct error err = { 0 };
	bool utf8 = true;

	if (config_get_bool(cfg, "smtputf8_enable", &utf8, &err) < 0)
		utf8 = true;
	return utf8 ? TABLE_UTF8 : 0;
}

/* What Postfix's dict_utf8 layer does around a lookup. */
int table_lookup(const struct table *t, const char *key, char **value, struct error *err)
{
	char *folded = NULL;
	int rc;

	*value = NULL;
	if (t->utf8 && !str_is_utf8(key, strlen(key))) {
		log_notice(_("%s: non-UTF-8 key \"%s\": malformed UTF-8 or invalid codepoint"),
			   t->shown, key);
		return 0;
	}
	if (!t->ops->pattern && (folded = casefold_dup(key, t->utf8)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = t->ops->lookup(t->impl, folded != NULL ? folded : key, value, err);
	free(folded);
	if (rc == 1 && t->utf8 && !str_is_utf8(*value, strlen(*value))) {
		if (t->secret)
			log_notice(_("%s: key \"%s\": non-UTF-8 value: malformed UTF-8 or invalid "
				     "codepoint"),
				   t->shown, key);
		else
			log_notice(_("%s: key \"%s\": non-UTF-8 value \"%s\": malformed UTF-8 or "
				     "invalid codepoint"),
				   t->shown, key, *value);
		if (t->secret)
			str_wipe(*value, strlen(*value));
		error_set(err, ERROR_CONFIG,
			  _("table %s: the result for %s is not valid UTF-8; correct the table, "
			    "or set smtputf8_enable = no"),
			  t->shown, key);
		free(*value);
		*value = NULL;
		return -1;
	}
	if (rc == 1 && **value == '\0') {
		log_notice(_("table %s: key %s: empty string result is not allowed"), t->shown,
			   key);
		log_notice(_("table %s should return NO RESULT in case of NOT FOUND"), t->shown);
	}
	return rc;
}

bool table_is_pattern(const struct table *t)
{
	return t->ops->pattern;
}

const char *table_spec(const struct table *t)
{
	return t->spec;
}

struct maps *maps_open(const char *value, unsigned flags, const char *where, struct error *err)
{
	char **list = config_list_split(value);
	struct maps *m = calloc(1, sizeof(*m));
	size_t n = 0;

	while (list != NULL && list[n] != NULL)
		n++;
	if (list == NULL || m == NULL || (m->v = calloc(n + 1, sizeof(*m->v))) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		goto fail;
	}
	for (; m->n < n; m->n++)
		if ((m->v[m->n] = table_open(list[m->n], flags, where, err)) == NULL)
			goto fail;
	config_list_free(list);
	return m;
fail:
	config_list_free(list);
	maps_free(m);
	return NULL;
}

struct maps *maps_open_param(const struct config *cfg, const char *param, unsigned flags,
			     struct error *err)
{
	char where[512];
	struct maps *m;

	snprintf(where, sizeof(where), "%s (%s)", param, config_where(cfg, param));
	m = maps_open(config_get(cfg, param), flags | table_config_flags(cfg), where, err);
	for (size_t i = 0; m != NULL && (flags & TABLE_SECRET) != 0 && i < m->n; i++) {
		if (data_in_spec(m->v[i]->spec) != NULL &&
		    config_check_secret(cfg, param, err) < 0) {
			maps_free(m);
			return NULL;
		}
	}
	return m;
}

void maps_free(struct maps *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		table_free(m->v[i]);
	free(m->v);
	free(m);
}

int maps_lookup(const struct maps *m, const char *key, char **value, struct error *err)
{
	*value = NULL;
	for (size_t i = 0; i < m->n; i++) {
		int rc = table_lookup(m->v[i], key, value, err);

		if (rc != 0)
			return rc;
	}
	return 0;
}

bool maps_empty(const struct maps *m)
{
	return m->n == 0;
}

size_t maps_count(const struct maps *m)
{
	return m->n;
}

const struct table *maps_table(const struct maps *m, size_t i)
{
	return i < m->n ? m->v[i] : NULL;
}
