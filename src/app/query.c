/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --query, --expand and -bi: what a user runs to see what relaymail makes
 * of their tables and main.cf. --query copies postmap -q exactly, so the
 * tests can compare the two byte for byte (reference/postfix.md §2.2). */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "app/query.h"
#include "base/i18n.h"
#include "base/log.h"
#include "conf/params.h"
#include "conf/table.h"
#include "mail/alias.h"

#define QUERY_LINE_MAX 65536
#define QUERY_FOUND 0
#define QUERY_NOT_FOUND 1
#define QUERY_FATAL 1 /* postmap: fatal ... exits 1 */

/* The tables of --query, each opened when a key first gets to it, as
 * postmap opens them: a key found in the first table never opens (nor
 * hears the warnings of) the later ones. */
struct query_maps {
	char **specs;
	struct table **t;
	int n;
	unsigned flags;
};

/* Tables tried in order: 1 found (*value), 0 not found, -1 error. */
static int lookup(struct query_maps *q, const char *key, char **value, struct error *err)
{
	for (int i = 0; i < q->n; i++) {
		int rc;

		if (q->t[i] == NULL &&
		    (q->t[i] = table_open(q->specs[i], q->flags, NULL, err)) == NULL)
			return -1;
		if ((rc = table_lookup(q->t[i], key, value, err)) != 0)
			return rc;
	}
	return 0;
}

/* Keys from stdin, one a line: "key<TAB>value" for each hit. */
static int query_stdin(struct query_maps *q, struct error *err)
{
	int status = QUERY_NOT_FOUND;
	size_t cap = 0;
	char *line = NULL, *value;
	ssize_t len;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > QUERY_LINE_MAX) {
			error_set(err, ERROR_DATA,
				  _("a key on standard input is longer than %d bytes"),
				  QUERY_LINE_MAX);
			status = -1;
			break;
		}
		switch (lookup(q, line, &value, err)) {
		case 1:
			printf("%s\t%s\n", line, value);
			free(value);
			status = QUERY_FOUND;
			break;
		case 0:
			break;
		default:
			status = -1;
		}
		if (status < 0)
			break;
	}
	free(line);
	return status;
}

int query_tables(const struct options *o, const struct config *cfg)
{
	struct query_maps q = { o->rcpts, NULL, o->nrcpts, table_config_flags(cfg) };
	struct error err = { 0 };
	int status = QUERY_NOT_FOUND;
	char *value;

	if (o->nrcpts == 0) {
		log_error(_("usage: relaymail --query KEY TYPE:NAME..."));
		return EX_USAGE;
	}
	if ((q.t = calloc((size_t)o->nrcpts + 1, sizeof(*q.t))) == NULL)
		status = -1;
	else if (strcmp(o->query_key, "-") == 0)
		status = query_stdin(&q, &err);
	else if ((status = lookup(&q, o->query_key, &value, &err)) == 1) {
		printf("%s\n", value);
		free(value);
		status = QUERY_FOUND;
	} else if (status == 0) {
		status = QUERY_NOT_FOUND;
	}
	for (int i = 0; q.t != NULL && i < q.n; i++)
		table_free(q.t[i]);
	free(q.t);
	if (fflush(stdout) != 0 && status >= 0) {
		error_set(&err, ERROR_IO, _("cannot write the result"));
		status = -1;
	}
	if (status < 0) {
		log_error("%s", error_is_set(&err) ? err.text : _("out of memory"));
		return QUERY_FATAL;
	}
	return status;
}

/* postconf prints values with every run of whitespace as one space, and
 * none at either end. */
static void print_folded(const char *value)
{
	bool space = false, started = false;

	for (const char *p = value; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = true;
			continue;
		}
		if (space && started)
			putchar(' ');
		space = false;
		started = true;
		putchar(*p);
	}
	putchar('\n');
}

int query_expand(const struct options *o, const struct config *cfg)
{
	if (o->nrcpts == 0) {
		log_error(_("usage: relaymail [-C FILE] --expand NAME..."));
		return EX_USAGE;
	}
	for (int i = 0; i < o->nrcpts; i++) {
		/* As postconf: a name set in the file but unknown prints nothing. */
		const char *value =
		    params_find(o->rcpts[i]) != NULL ? config_get(cfg, o->rcpts[i]) : NULL;

		if (value == NULL)
			log_warning(_("%s: unknown parameter"), o->rcpts[i]);
		else
			print_folded(value);
	}
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int query_aliases(const struct config *cfg)
{
	struct error err = { 0 };
	struct aliases *a;

	a = alias_open(config_get(cfg, "alias_maps"), true, !config_is_set(cfg, "alias_maps"),
		       &err);
	if (a == NULL) {
		log_error(_("alias_maps (%s): %s"), config_where(cfg, "alias_maps"), err.text);
		return EX_CONFIG;
	}
	alias_free(a);
	return EX_OK;
}
