/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The match list as one array of patterns, each a folded string or an
 * opened table, with its sense. Everything that needs a file or a table is
 * done by matchlist_open, so a match is a walk over the array and table
 * lookups in memory. */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/casefold.h"
#include "conf/lines.h"
#include "conf/list.h"
#include "conf/matchlist.h"
#include "conf/table.h"
#include "conf/textfile.h"

#define PATTERN_FILE_LINE_MAX ((size_t)64 * 1024)

struct pattern {
	bool negated;
	char *name;	     /* folded; NULL when table is set */
	struct table *table; /* its key test decides */
};

struct matchlist {
	char *text;
	char *where;
	bool utf8; /* TABLE_UTF8: fold with Unicode case folding */
	struct pattern *v;
	size_t n, cap;
};

/* What matchlist_open needs while it reads. */
struct reader {
	struct matchlist *l;
	unsigned table_flags;
	size_t files; /* pattern files read so far */
	bool located; /* the error names the file and line it came from */
};

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* Postfix folds in UTF-8 mode only what it can: other bytes stay as they
 * are, which for ASCII folding they do too. */
static char *fold(const char *s, bool utf8)
{
	return casefold_dup(s, utf8 && str_is_utf8(s, strlen(s)));
}

static struct pattern *add_pattern(struct reader *r, bool negated, struct error *err)
{
	struct matchlist *l = r->l;

	if (l->n == MATCHLIST_PATTERNS_MAX) {
		error_set(err, ERROR_CONFIG, _("more than %d patterns"), MATCHLIST_PATTERNS_MAX);
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap == 0 ? 8 : l->cap * 2;
		struct pattern *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			nomem(err);
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = (struct pattern){ .negated = negated };
	return &l->v[l->n];
}

static int add_string(struct reader *r, const char *item, size_t len, bool negated,
		      struct error *err)
{
	struct pattern *p = add_pattern(r, negated, err);
	char *raw;

	if (p == NULL)
		return -1;
	if ((raw = str_ndup(item, len)) == NULL)
		return nomem(err);
	p->name = fold(raw, r->l->utf8);
	free(raw);
	if (p->name == NULL)
		return nomem(err);
	r->l->n++;
	return 0;
}

static int add_table(struct reader *r, const char *item, size_t len, bool negated,
		     struct error *err)
{
	struct pattern *p = add_pattern(r, negated, err);
	char *spec;

	if (p == NULL)
		return -1;
	if ((spec = str_ndup(item, len)) == NULL)
		return nomem(err);
	p->table = table_open(spec, r->table_flags, NULL, err);
	free(spec);
	if (p->table == NULL)
		return -1;
	r->l->n++;
	return 0;
}

static int read_items(struct reader *r, const char *s, size_t len, bool negated, const char *file,
		      size_t lineno, struct error *err);

/* Each logical line of the file holds items, read with the sense the
 * file's own item had. */
static int read_file(struct reader *r, const char *item, size_t len, bool negated,
		     struct error *err)
{
	struct buf text = { 0 }, line;
	struct lines ls;
	size_t lineno = 0;
	char *path;
	int rc = -1;

	if (++r->files > MATCHLIST_FILES_MAX) {
		error_set(err, ERROR_CONFIG,
			  _("more than %d pattern files (does one of them name itself?)"),
			  MATCHLIST_FILES_MAX);
		return -1;
	}
	if ((path = str_ndup(item, len)) == NULL)
		return nomem(err);
	buf_init(&line, PATTERN_FILE_LINE_MAX);
	if (textfile_read(path, (r->table_flags & TABLE_SECRET) != 0, &text, NULL, err) < 0)
		goto done;
	lines_init(&ls, path, text.data, text.len);
	while ((rc = lines_next(&ls, &line, &lineno, err)) == 1) {
		/* readllines() warns about these and skips them. */
		if (lines_is_space((unsigned char)line.data[0])) {
			lines_warn_leading(path, line.data);
			continue;
		}
		if (read_items(r, line.data, line.len, negated, path, lineno, err) < 0) {
			rc = -2;
			break;
		}
	}
	/* Only the innermost file names its line: the files around it would
	 * repeat themselves (one that names itself, twenty times). lines_next
	 * names it itself. */
	if (rc == -1) {
		r->located = true;
	} else if (rc == -2 && !r->located) {
		error_prefix(err, _("%s, line %zu"), path, lineno);
		r->located = true;
	}
done:
	free(path);
	buf_fini(&line);
	buf_fini(&text);
	return rc < 0 ? -1 : 0;
}

/* mystrtokq_cw's check (Postfix 3.9 and later): a '#' is no comment in
 * main.cf values, so what follows it would be taken for patterns. rest:
 * the text after the item, up to rlen bytes of which are quoted. */
static void warn_comment(const struct reader *r, const char *file, size_t lineno, const char *item,
			 size_t len, const char *rest, size_t rlen)
{
	const char *where = r->l->where != NULL ? r->l->where : _("match list");
	int shown = rlen < 20 ? (int)rlen : 20;

	if (file == NULL)
		log_notice(_("%s: #comment after other text is not allowed: %.*s %.*s..."), where,
			   (int)len, item, shown, rest);
	else
		log_notice(_("%s: %s, line %zu: #comment after other text is not allowed: %.*s "
			     "%.*s..."),
			   where, file, lineno, (int)len, item, shown, rest);
}

/* The items of s[0..len): each pattern added, each file read. file and
 * lineno: where s came from, NULL for the value itself. */
static int read_items(struct reader *r, const char *s, size_t len, bool negated, const char *file,
		      size_t lineno, struct error *err)
{
	size_t pos = 0;
	const char *item, *inner;
	size_t ilen, inlen;
	bool braced, neg;

	for (;;) {
		/* list_next drops the braces of a { } group; Postfix keeps
		 * them, so the item is taken from where list_next started. */
		while (pos < len && (s[pos] == ',' || lines_is_space((unsigned char)s[pos])))
			pos++;
		item = s + pos;
		if (!list_next(s, len, &pos, &inner, &inlen, &braced))
			return 0;
		ilen = (size_t)(s + pos - item);
		if (item[0] == '#') {
			/* Postfix quotes from past the separator. */
			size_t next = pos < len ? pos + 1 : len;

			warn_comment(r, file, lineno, item, ilen, s + next, len - next);
			return 0;
		}
		for (neg = negated; ilen > 0 && item[0] == '!'; item++, ilen--)
			neg = !neg;
		if (ilen == 0) {
			error_set(err, ERROR_CONFIG, _("no pattern after '!'"));
			return -1;
		}
		if (item[0] == '/') {
			if (read_file(r, item, ilen, neg, err) < 0)
				return -1;
		} else if (item[0] != '[' && memchr(item, ':', ilen) != NULL) {
			if (add_table(r, item, ilen, neg, err) < 0)
				return -1;
		} else if (add_string(r, item, ilen, neg, err) < 0) {
			return -1;
		}
	}
}

struct matchlist *matchlist_open(const char *value, unsigned table_flags, const char *where,
				 struct error *err)
{
	struct matchlist *l = calloc(1, sizeof(*l));
	struct reader r = { .l = l, .table_flags = table_flags };

	if (value == NULL)
		value = "";
	if (l == NULL || (l->text = str_dup(value)) == NULL ||
	    (where != NULL && (l->where = str_dup(where)) == NULL)) {
		nomem(err);
		goto fail;
	}
	l->utf8 = (table_flags & TABLE_UTF8) != 0;
	if (read_items(&r, value, strlen(value), false, NULL, 0, err) == 0)
		return l;
fail:
	if (where != NULL)
		error_prefix(err, "%s", where);
	matchlist_free(l);
	return NULL;
}

void matchlist_free(struct matchlist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		table_free(l->v[i].table);
	}
	free(l->v);
	free(l->text);
	free(l->where);
	free(l);
}

int matchlist_match(const struct matchlist *l, const char *name, struct error *err)
{
	char *folded = fold(name, l->utf8);
	int rc = 0;

	if (folded == NULL)
		return nomem(err);
	for (size_t i = 0; i < l->n; i++) {
		const struct pattern *p = &l->v[i];
		char *value = NULL;
		int hit;

		if (p->table == NULL) {
			hit = strcmp(p->name, folded) == 0;
		} else if ((hit = table_lookup(p->table, folded, &value, err)) < 0) {
			if (l->where != NULL)
				error_prefix(err, "%s", l->where);
			rc = -1;
			break;
		}
		free(value);
		if (hit) {
			rc = p->negated ? 0 : 1;
			break;
		}
	}
	free(folded);
	return rc;
}

bool matchlist_empty(const struct matchlist *l)
{
	return l->n == 0;
}

const char *matchlist_text(const struct matchlist *l)
{
	return l->text;
}

/* ---- host name and address lists (Postfix's namadr_list) ---- */

#define V4_CHARS "0123456789."
#define V6_CHARS V4_CHARS "abcdef:"

/* Postfix's match_hostname, with parent_domain_matches_subdomains on
 * for the list: "example.com" also matches "mx.example.com"; a table
 * that is no pattern table is asked for the name, then for each parent
 * domain. 1, 0, or -1 with the table's error. */
static int host_hit(const struct pattern *p, const char *name, struct error *err)
{
	size_t nl = strlen(name), pl;

	if (p->table != NULL) {
		for (const char *e = name; *e != '\0';) {
			const char *next;

			if (e == name || !table_is_pattern(p->table)) {
				char *value = NULL;
				int hit = table_lookup(p->table, e, &value, err);

				free(value);
				if (hit != 0)
					return hit;
			}
			if ((next = strchr(e + 1, '.')) == NULL)
				break;
			e = next + 1;
		}
		return 0;
	}
	if (strcmp(p->name, name) == 0)
		return 1;
	pl = strlen(p->name);
	return nl > pl && name[nl - pl - 1] == '.' && strcmp(name + nl - pl, p->name) == 0;
}

/* A pattern Postfix reads as a network ("net/len", IPv6 in brackets or
 * not): its parts into bytes; false when it is no valid one. */
static bool parse_net(const char *pat, unsigned char net[16], int *family, unsigned long *bits)
{
	char host[64];
	const char *slash = strchr(pat, '/');
	size_t len;
	unsigned long max;

	if (slash == NULL)
		return false;
	len = (size_t)(slash - pat);
	if (len >= 2 && pat[0] == '[' && pat[len - 1] == ']') {
		pat++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(host))
		return false;
	memcpy(host, pat, len);
	host[len] = '\0';
	*family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	max = *family == AF_INET6 ? 128 : 32;
	if (inet_pton(*family, host, net) != 1 || str_to_ulong(slash + 1, max, bits) < 0)
		return false;
	/* Postfix refuses host bits under the mask: a typo, not a network. */
	for (unsigned long b = *bits; b < max; b++)
		if (net[b / 8] & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* The pattern's shape is a network to Postfix (match_hostaddr's test,
 * less the family of the address). */
static bool net_shaped(const char *pat)
{
	return pat[strcspn(pat, ":/")] != '\0' && pat[strspn(pat, V4_CHARS)] != '\0' &&
	       pat[strspn(pat, V6_CHARS "[]/")] == '\0' && strchr(pat, '/') != NULL;
}

/* Postfix's match_hostaddr: the address as written, "[address]", a
 * network, or a table's key. */
static int addr_hit(const struct pattern *p, const char *addr, struct error *err)
{
	unsigned char net[16], a[16];
	unsigned long bits;
	int family;
	size_t al = strlen(addr);

	if (addr[0] == '\0' || addr[strspn(addr, V6_CHARS)] != '\0')
		return 0;
	if (p->table != NULL) {
		char *value = NULL;
		int hit = table_lookup(p->table, addr, &value, err);

		free(value);
		return hit;
	}
	if (strcmp(p->name, addr) == 0 ||
	    (p->name[0] == '[' && strncmp(p->name + 1, addr, al) == 0 &&
	     strcmp(p->name + 1 + al, "]") == 0))
		return 1;
	if ((strchr(addr, ':') == NULL) != (strchr(p->name, ':') == NULL) || !net_shaped(p->name) ||
	    !parse_net(p->name, net, &family, &bits) || inet_pton(family, addr, a) != 1)
		return 0;
	for (unsigned long b = 0; b < bits; b++)
		if ((net[b / 8] ^ a[b / 8]) & (0x80 >> (b % 8)))
			return 0;
	return 1;
}

int matchlist_check_networks(const struct matchlist *l, struct error *err)
{
	unsigned char net[16];
	unsigned long bits;
	int family;

	for (size_t i = 0; i < l->n; i++) {
		const char *pat = l->v[i].name;

		if (pat != NULL && net_shaped(pat) && !parse_net(pat, net, &family, &bits)) {
			error_set(err, ERROR_CONFIG,
				  _("%s: \"%s\" is not a network (address/length, with no bit "
				    "set past the length)"),
				  l->where != NULL ? l->where : "", pat);
			return -1;
		}
	}
	return 0;
}

int matchlist_match_host(const struct matchlist *l, const char *name, const char *addr,
			 struct error *err)
{
	char *fname = fold(name != NULL ? name : "", l->utf8);
	char *faddr = fold(addr != NULL ? addr : "", false);
	int rc = 0;

	if (fname == NULL || faddr == NULL) {
		free(fname);
		free(faddr);
		return nomem(err);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct pattern *p = &l->v[i];
		int hit = fname[0] != '\0' ? host_hit(p, fname, err) : 0;

		if (hit == 0)
			hit = addr_hit(p, faddr, err);
		if (hit < 0) {
			if (l->where != NULL)
				error_prefix(err, "%s", l->where);
			rc = -1;
			break;
		}
		if (hit) {
			rc = p->negated ? 0 : 1;
			break;
		}
	}
	free(fname);
	free(faddr);
	return rc;
}
