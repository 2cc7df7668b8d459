/* SPDX-License-Identifier: GPL-3.0-or-later */
/* aliases(5) files and alias expansion of local recipients (cron's
 * "root"). Files are read once; the expansion walks the aliases depth
 * first, keeps the names being expanded on a path to stop loops, and
 * refuses |command, /file and :include: targets, which need a local
 * delivery agent relaymail does not have. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/config.h"
#include "conf/kvmap.h"
#include "conf/lines.h"
#include "conf/table.h"
#include "conf/textfile.h"
#include "mail/alias.h"

#define ALIAS_LINE_MAX ((size_t)64 * 1024)

struct alias_source {
	struct kvmap map;    /* parsed aliases(5) text */
	struct table *table; /* or a lookup table */
	char *name;	     /* the file, or the table as given, for messages */
};

struct aliases {
	struct alias_source *v;
	size_t n;
};

static const char *const source_types[] = { "hash:", "btree:", "lmdb:", "cdb:", "dbm:", "sdbm:" };

/* Report a bad line: an error when strict, else a warning. */
static int bad_line(bool strict, const char *name, size_t lineno, const char *why,
		    struct error *err)
{
	if (strict) {
		error_set(err, ERROR_CONFIG, _("%s, line %zu: %s"), name, lineno, why);
		return -1;
	}
	log_warning(_("%s, line %zu: %s; line ignored"), name, lineno, why);
	return 0;
}

/* The name before the ':' (quotes removed, lower case) into key, and in
 * *value the text after the ':', or NULL when there is none. -1 out of
 * memory. */
static int split_entry(const char *s, struct buf *key, const char **value)
{
	bool quoted = false;

	*value = NULL;
	for (; *s != '\0'; s++) {
		if (quoted && *s == '\\' && s[1] != '\0') {
			if (buf_append_char(key, *++s) < 0)
				return -1;
		} else if (*s == '"') {
			quoted = !quoted;
		} else if (!quoted && *s == ':') {
			*value = s + 1;
			return 0;
		} else if (buf_append_char(key, (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a')
									 : *s) < 0) {
			return -1;
		}
	}
	return 0;
}

static int parse_line(struct kvmap *map, const char *name, size_t lineno, const char *line,
		      bool strict, struct error *err)
{
	struct buf key = { 0 };
	const char *value;
	size_t klen;
	int rc = 0;

	if (lines_is_space((unsigned char)line[0]))
		return bad_line(strict, name, lineno,
				_("a continuation line comes before any alias"), err);
	if (split_entry(line, &key, &value) < 0) {
		buf_fini(&key);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	klen = key.data != NULL ? str_trim_len(key.data, key.len) : 0;
	value = value != NULL ? str_skip_space(value) : NULL;
	if (value == NULL)
		rc = bad_line(strict, name, lineno, _("need name:value pair"), err);
	else if (klen == 0)
		rc = bad_line(strict, name, lineno, _("the alias name is empty"), err);
	else if (*value == '\0')
		rc = bad_line(strict, name, lineno, _("the alias has no value"), err);
	else if ((rc = kvmap_put(map, key.data, klen, value, strlen(value), false)) < 0)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	else if (rc == 0)
		log_warning(_("%s, line %zu: duplicate alias %.*s ignored"), name, lineno,
			    (int)klen, key.data);
	buf_fini(&key);
	return rc < 0 ? -1 : 0;
}

static int parse_into(struct kvmap *map, const char *name, const char *text, size_t len,
		      bool strict, struct error *err)
{
	struct lines l;
	struct buf line;
	size_t lineno;
	int rc;

	buf_init(&line, ALIAS_LINE_MAX);
	lines_init(&l, name, text, len);
	while ((rc = lines_next(&l, &line, &lineno, err)) == 1)
		if (parse_line(map, name, lineno, line.data, strict, err) < 0)
			break;
	buf_fini(&line);
	return rc == 0 ? 0 : -1;
}

static struct alias_source *add_source(struct aliases *a, const char *name)
{
	struct alias_source *v = realloc(a->v, (a->n + 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	a->v = v;
	memset(&v[a->n], 0, sizeof(v[0]));
	if ((v[a->n].name = str_dup(name)) == NULL)
		return NULL;
	return &v[a->n++];
}

struct aliases *alias_parse(const char *name, const char *text, size_t len, bool strict,
			    struct error *err)
{
	struct aliases *a = calloc(1, sizeof(*a));
	struct alias_source *s = a != NULL ? add_source(a, name) : NULL;

	if (s == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		alias_free(a);
		return NULL;
	}
	if (parse_into(&s->map, name, text, len, strict, err) < 0) {
		alias_free(a);
		return NULL;
	}
	return a;
}

static int open_one(struct aliases *a, const char *spec, bool strict, bool missing_ok,
		    struct error *err)
{
	struct alias_source *s = add_source(a, spec);
	struct buf text = { 0 };
	bool absent = false;
	size_t i = 0;
	int rc;

	if (s == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	while (i < sizeof(source_types) / sizeof(source_types[0]) &&
	       strncmp(spec, source_types[i], strlen(source_types[i])) != 0)
		i++;
	if (i == sizeof(source_types) / sizeof(source_types[0])) {
		s->table = table_open(spec, 0, "alias_maps", err);
		return s->table != NULL ? 0 : -1;
	}
	spec += strlen(source_types[i]);
	rc = textfile_read(spec, false, &text, &absent, err);
	if (rc < 0 && absent && missing_ok) {
		error_clear(err);
		rc = 0;
	} else if (rc == 0) {
		rc = parse_into(&s->map, spec, text.data != NULL ? text.data : "", text.len, strict,
				err);
	}
	buf_fini(&text);
	return rc;
}

struct aliases *alias_open(const char *maps, bool strict, bool missing_ok, struct error *err)
{
	struct aliases *a = calloc(1, sizeof(*a));
	char **items = config_list_split(maps);

	if (a == NULL || items == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		goto fail;
	}
	for (size_t i = 0; items[i] != NULL; i++)
		if (open_one(a, items[i], strict, missing_ok, err) < 0)
			goto fail;
	config_list_free(items);
	return a;
fail:
	config_list_free(items);
	alias_free(a);
	return NULL;
}

void alias_free(struct aliases *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		kvmap_fini(&a->v[i].map);
		table_free(a->v[i].table);
		free(a->v[i].name);
	}
	free(a->v);
	free(a);
}

int alias_lookup(const struct aliases *a, const char *name, char **value, struct error *err)
{
	return alias_lookup_from(a, name, value, NULL, err);
}

int alias_lookup_from(const struct aliases *a, const char *name, char **value, const char **source,
		      struct error *err)
{
	char *folded = str_dup(name);
	int rc = 0;

	*value = NULL;
	if (source != NULL)
		*source = NULL;
	if (folded == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	str_lower(folded);
	for (size_t i = 0; i < a->n && rc == 0; i++) {
		const char *v;

		if (a->v[i].table != NULL) {
			rc = table_lookup(a->v[i].table, name, value, err);
		} else if ((v = kvmap_get(&a->v[i].map, folded)) != NULL) {
			*value = str_dup(v);
			rc = *value != NULL ? 1 : -1;
			if (rc < 0)
				error_set(err, ERROR_INTERNAL, _("out of memory"));
		}
		if (rc > 0 && source != NULL)
			*source = a->v[i].name;
	}
	free(folded);
	return rc;
}
