/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parsing and evaluating regexp:/pcre: rules the way Postfix's
 * dict_regexp does: bad rules are skipped with a warning naming the map
 * and line, never the whole table; rules run top to bottom over the whole
 * key; a failed IF jumps past its ENDIF, or ends the lookup without one. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/lines.h"
#include "conf/list.h"
#include "conf/table_pattern.h"
#include "conf/textfile.h"

#define PATTERN_LINE_MAX ((size_t)64 * 1024)
#define NO_RULE ((size_t)-1)

enum op { OP_MATCH, OP_IF, OP_ENDIF };

struct rule {
	enum op op;
	size_t lineno;
	void *first, *second;
	bool first_match, second_match;
	char *repl;
	size_t max_sub;
	size_t endif;  /* OP_IF: index of its ENDIF, or NO_RULE */
	size_t parent; /* OP_IF: the IF it is nested in, or NO_RULE */
};

struct ptable {
	const struct pattern_backend *be;
	char *map;
	struct rule *v;
	size_t n, cap;
	size_t open_if; /* while loading: the innermost IF without ENDIF, or NO_RULE */
	size_t max_sub; /* the largest $number of any rule */
};

struct pat {
	char *re;
	bool match;
	unsigned opts;
};

void pattern_warn(const struct pattern_where *w, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_notice(_("%s map %s, line %zu: %s"), w->type, w->map, w->lineno, text);
}

static bool is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* One pattern with its '!'s and flags at s[*i]. 1 ok, 0 skipped (warned),
 * -1 out of memory. */
static int get_pat(const struct pattern_backend *be, const struct pattern_where *w, const char *s,
		   size_t len, size_t *i, struct pat *pat)
{
	size_t at = *i, start, f;
	char delim;

	pat->match = true;
	for (; at < len && (s[at] == '!' || lines_is_space((unsigned char)s[at])); at++)
		if (s[at] == '!')
			pat->match = !pat->match;
	if (at >= len) {
		pattern_warn(w, _("no regexp: skipping this rule"));
		return 0;
	}
	delim = s[at++];
	/* A backslash escapes first, as in dict_regexp and dict_pcre: with
	 * "\\" as the delimiter, no backslash but a trailing one can close. */
	for (start = at; at < len; at++) {
		if (s[at] == '\\') {
			if (at + 1 < len)
				at++;
			else if (be->backslash_closes)
				break;
		} else if (s[at] == delim) {
			break;
		}
	}
	if (at >= len && be->pcre_words) {
		pattern_warn(w, _("no closing regexp delimiter \"%c\": ignoring this rule"), delim);
		return 0;
	}
	if (at >= len) {
		pattern_warn(w, _("no closing regexp delimiter \"%c\": skipping this rule"), delim);
		return 0;
	}
	for (f = at + 1; f < len && !lines_is_space((unsigned char)s[f]) &&
			 !(be->second_pattern && s[f] == '!');
	     f++)
		;
	if (!be->flags(s + at + 1, f - at - 1, &pat->opts, w))
		return 0;
	if ((pat->re = str_ndup(s + start, at - start)) == NULL)
		return -1;
	*i = f;
	return 1;
}

/* The next piece of a result: literal text (*ref false) or a $reference
 * (*ref true), as Postfix's mac_parse splits it: ${...} and $(...) end at
 * the bracket that balances the opening one. 1 a piece, 0 the end, and
 * for bad syntax REPL_TRUNCATED or REPL_EMPTY. */
enum { REPL_TRUNCATED = -1, REPL_EMPTY = -2, REPL_BAD_INDEX = -3 };

static int repl_next(const char *s, size_t len, size_t *i, const char **p, size_t *n, bool *ref)
{
	size_t at = *i, end;

	if (at >= len)
		return 0;
	*ref = false;
	*p = s + at;
	if (s[at] != '$') {
		const char *d = memchr(s + at, '$', len - at);

		*n = (d != NULL ? (size_t)(d - s) : len) - at;
		*i = at + *n;
		return 1;
	}
	if (at + 1 < len && s[at + 1] == '$') {
		*n = 1;
		*i = at + 2;
		return 1;
	}
	*ref = true;
	if (at + 1 < len && (s[at + 1] == '{' || s[at + 1] == '(')) {
		char open = s[at + 1], close = open == '{' ? '}' : ')';
		size_t level = 1;

		for (end = at + 2; end < len; end++) {
			if (s[end] == open)
				level++;
			else if (s[end] == close && --level == 0)
				break;
		}
		if (end >= len)
			return REPL_TRUNCATED;
		*p = s + at + 2;
		*n = end - at - 2;
		*i = end + 1;
		return *n > 0 ? 1 : REPL_EMPTY;
	}
	for (end = at + 1; end < len && (is_alnum((unsigned char)s[end]) || s[end] == '_'); end++)
		;
	*p = s + at + 1;
	*n = end - at - 1;
	*i = end;
	return *n > 0 ? 1 : REPL_EMPTY;
}

/* The group a $number names, computed as Postfix does (atoi, then the
 * int stored in a size_t): digits past LONG_MAX saturate, the result
 * keeps its low 32 bits as a signed number, and a negative one becomes a
 * huge index. So $4294967297 is $1 and $2147483648 is out of range. */
static size_t repl_index(const char *p, size_t n)
{
	unsigned long long v = 0;
	long long low;

	for (size_t k = 0; k < n; k++) {
		unsigned d = (unsigned)(p[k] - '0');

		v = v > (0x7fffffffffffffffULL - d) / 10 ? 0x7fffffffffffffffULL : v * 10 + d;
	}
	low = (long long)(v & 0xffffffffULL);
	if (low > 0x7fffffffLL)
		low -= 0x100000000LL;
	return (size_t)low;
}

/* The index as Postfix prints it (an int). */
static long long index_shown(size_t v)
{
	long long low = (long long)(v & 0xffffffffU);

	return low > 0x7fffffffLL ? low - 0x100000000LL : low;
}

/* Postfix's compile-time check of a result: every $reference a number
 * from 1; *max_sub the largest. false after warnings: mac_parse's own
 * (which quote the whole result), then the rule's. */
static bool prescan(const struct pattern_backend *be, const struct pattern_where *w, const char *s,
		    size_t *max_sub)
{
	size_t i = 0, n, len = strlen(s);
	const char *p;
	bool ref;
	int rc;

	*max_sub = 0;
	while ((rc = repl_next(s, len, &i, &p, &n, &ref)) == 1) {
		size_t v;

		if (!ref)
			continue;
		if (strspn(p, "0123456789") < n) {
			pattern_warn(w, _("non-numeric replacement index \"%.*s\""), (int)n, p);
			rc = REPL_BAD_INDEX;
			break;
		}
		if ((v = repl_index(p, n)) == 0) {
			if (be->pcre_words)
				pattern_warn(w, _("out of range replacement index \"%.*s\""),
					     (int)n, p);
			else
				pattern_warn(w, _("out-of-range replacement index \"%.*s\""),
					     (int)n, p);
			rc = REPL_BAD_INDEX;
			break;
		}
		if (v > *max_sub)
			*max_sub = v;
	}
	if (rc == REPL_TRUNCATED)
		log_notice(_("truncated macro reference: \"%s\""), s);
	else if (rc == REPL_EMPTY)
		log_notice(_("empty macro name: \"%s\""), s);
	if (rc < 0)
		pattern_warn(w, _("bad replacement syntax: skipping this rule"));
	return rc == 0;
}

static struct rule *add_rule(struct ptable *pt, enum op op, size_t lineno)
{
	struct rule *r;

	if (pt->n == pt->cap) {
		size_t cap = pt->cap ? pt->cap * 2 : 16;
		struct rule *v = realloc(pt->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		pt->v = v;
		pt->cap = cap;
	}
	r = &pt->v[pt->n++];
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->lineno = lineno;
	r->endif = NO_RULE;
	r->parent = NO_RULE;
	return r;
}

/* Compile pat into *re: 1, 0 after a warning, -1 out of memory. */
static int compile(const struct ptable *pt, struct pat *pat, void **re, size_t *nsub,
		   const struct pattern_where *w)
{
	int rc = pt->be->compile(pat->re, pat->opts, re, nsub, w);

	free(pat->re);
	pat->re = NULL;
	return rc;
}

/* The checks of a match rule, in dict_regexp's order. 1 keep, 0 skip,
 * -1 out of memory. */
static int check_match(struct ptable *pt, unsigned flags, const struct pattern_where *w,
		       struct pat *first, struct pat *second, const char *repl, struct rule *r)
{
	size_t nsub = 0, n2;
	int rc;

	if (*repl == '\0')
		pattern_warn(w, _("no replacement text: using empty string"));
	if (!prescan(pt->be, w, repl, &r->max_sub))
		return 0;
	if (r->max_sub > 0 && !first->match) {
		pattern_warn(w, _("$number found in negative match replacement text: "
				  "skipping this rule"));
		return 0;
	}
	if (r->max_sub > 0 && (flags & TABLE_NO_REGSUB) != 0) {
		pattern_warn(w, _("regular expression substitution is not allowed: "
				  "skipping this rule"));
		return 0;
	}
	if ((rc = compile(pt, first, &r->first, &nsub, w)) != 1)
		return rc;
	r->first_match = first->match;
	if (r->max_sub > nsub) {
		pattern_warn(w, _("out of range replacement index \"%lld\": skipping this rule"),
			     index_shown(r->max_sub));
		return 0;
	}
	if (second->re != NULL) {
		if ((rc = compile(pt, second, &r->second, &n2, w)) != 1)
			return rc;
		r->second_match = second->match;
	}
	if (r->max_sub > pt->max_sub)
		pt->max_sub = r->max_sub;
	return 1;
}

static void rule_fini(const struct pattern_backend *be, struct rule *r)
{
	if (r->first != NULL)
		be->free(r->first);
	if (r->second != NULL)
		be->free(r->second);
	free(r->repl);
}

/* "/re/flags [!/re2/flags] result". -1 only when out of memory. */
static int parse_match(struct ptable *pt, unsigned flags, const struct pattern_where *w,
		       const char *s, size_t len)
{
	struct pat first = { 0 }, second = { 0 };
	struct rule *r;
	size_t i = 0;
	int rc;

	rc = get_pat(pt->be, w, s, len, &i, &first);
	if (rc == 1 && pt->be->second_pattern && i < len && s[i] == '!')
		rc = get_pat(pt->be, w, s, len, &i, &second);
	while (rc == 1 && i < len && lines_is_space((unsigned char)s[i]))
		i++;
	if (rc == 1 && (r = add_rule(pt, OP_MATCH, w->lineno)) == NULL)
		rc = -1;
	if (rc == 1 && (r->repl = str_ndup(s + i, len - i)) == NULL) {
		pt->n--;
		rc = -1;
	}
	if (rc == 1 && (rc = check_match(pt, flags, w, &first, &second, r->repl, r)) != 1) {
		rule_fini(pt->be, r);
		pt->n--;
	}
	free(first.re);
	free(second.re);
	return rc < 0 ? -1 : 0;
}

/* "if /re/flags": the IF becomes the innermost open one. Nesting has no
 * limit, as in Postfix: the open IFs are chained through the rules. */
static int parse_if(struct ptable *pt, const struct pattern_where *w, const char *s, size_t len)
{
	struct pat pat = { 0 };
	struct rule *r;
	size_t i = 2, nsub;
	int rc;

	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	if ((rc = get_pat(pt->be, w, s, len, &i, &pat)) != 1)
		return rc;
	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	if (i < len) {
		pattern_warn(w, _("ignoring extra text after IF statement: \"%s\""), s + i);
		pattern_warn(w, _("do not prepend whitespace to statements between IF and ENDIF"));
	}
	if ((r = add_rule(pt, OP_IF, w->lineno)) == NULL) {
		free(pat.re);
		return -1;
	}
	r->first_match = pat.match;
	if ((rc = compile(pt, &pat, &r->first, &nsub, w)) != 1) {
		pt->n--;
		return rc;
	}
	r->parent = pt->open_if;
	pt->open_if = pt->n - 1;
	return 0;
}

static int parse_endif(struct ptable *pt, const struct pattern_where *w, const char *s, size_t len)
{
	size_t i = 5;

	if (pt->open_if == NO_RULE) {
		pattern_warn(w, _("ignoring ENDIF without matching IF"));
		return 0;
	}
	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	if (i < len)
		pattern_warn(w, _("ignoring extra text after ENDIF"));
	if (add_rule(pt, OP_ENDIF, w->lineno) == NULL)
		return -1;
	pt->v[pt->open_if].endif = pt->n - 1;
	pt->open_if = pt->v[pt->open_if].parent;
	return 0;
}

static bool keyword(const char *s, size_t len, const char *kw)
{
	size_t n = strlen(kw);

	return len >= n && str_prefix_ci(s, kw) && (len == n || !is_alnum((unsigned char)s[n]));
}

static int parse_line(struct ptable *pt, unsigned flags, const struct pattern_where *w,
		      const char *s, size_t len)
{
	if (lines_is_space((unsigned char)s[0])) {
		lines_warn_leading(pt->map, s);
		return 0;
	}
	if (!is_alnum((unsigned char)s[0]))
		return parse_match(pt, flags, w, s, len);
	if (keyword(s, len, "if"))
		return parse_if(pt, w, s, len);
	if (keyword(s, len, "endif"))
		return parse_endif(pt, w, s, len);
	pattern_warn(w, _("ignoring unrecognized request"));
	return 0;
}

static int load(struct ptable *pt, unsigned flags, const char *text, size_t len, struct error *err)
{
	struct pattern_where w = { pt->be->type, pt->map, 0 };
	struct lines l;
	struct buf line;
	int rc;

	lines_init(&l, pt->map, text, len);
	buf_init(&line, PATTERN_LINE_MAX);
	while ((rc = lines_next(&l, &line, &w.lineno, err)) == 1)
		if ((rc = parse_line(pt, flags, &w, line.data, line.len)) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			break;
		}
	for (size_t i = pt->open_if; rc == 0 && i != NO_RULE; i = pt->v[i].parent) {
		w.lineno = pt->v[i].lineno;
		pattern_warn(&w, _("IF has no matching ENDIF"));
	}
	buf_wipe(&line);
	return rc < 0 ? -1 : 0;
}

/* Whether re matches key as the rule wants (match, or !match for a
 * negated pattern): 1 or 0; -1 out of memory. */
static int holds(const struct ptable *pt, const struct rule *r, void *re, bool match,
		 const char *key, size_t n, struct pattern_span *spans)
{
	struct pattern_where w = { pt->be->type, pt->map, r->lineno };
	int rc = pt->be->match(re, key, n, spans, &w);

	return rc < 0 ? -1 : (rc == 1) == match;
}

/* The result of rule r with its $numbers replaced by what they matched. */
static int substitute(const struct rule *r, const char *key, const struct pattern_span *spans,
		      char **value, struct error *err)
{
	struct buf out = { 0 };
	size_t i = 0, n, len = strlen(r->repl);
	const char *p;
	bool ref;

	while (repl_next(r->repl, len, &i, &p, &n, &ref) == 1) {
		size_t k;
		int rc = 0;

		if (!ref) {
			rc = buf_append(&out, p, n);
		} else {
			k = repl_index(p, n);
			if (spans[k].so >= 0 && spans[k].eo > spans[k].so)
				rc = buf_append(&out, key + spans[k].so,
						(size_t)(spans[k].eo - spans[k].so));
		}
		if (rc < 0)
			goto oom;
	}
	if (out.data == NULL && buf_append(&out, "", 0) < 0)
		goto oom;
	*value = buf_steal(&out);
	return 1;
oom:
	buf_fini(&out);
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

static int ptable_lookup(const void *impl, const char *key, char **value, struct error *err)
{
	const struct ptable *pt = impl;
	struct pattern_span *spans = calloc(pt->max_sub + 1, sizeof(*spans));
	int rc = 0;

	if (spans == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	for (size_t i = 0; i < pt->n && rc == 0; i++) {
		const struct rule *r = &pt->v[i];
		int h;

		if (r->op == OP_ENDIF)
			continue;
		if (r->op == OP_MATCH)
			h = holds(pt, r, r->first, r->first_match, key, r->max_sub + 1, spans);
		else
			h = holds(pt, r, r->first, r->first_match, key, 0, NULL);
		if (h == 1 && r->second != NULL)
			h = holds(pt, r, r->second, r->second_match, key, 0, NULL);
		if (h < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
		} else if (r->op == OP_MATCH && h == 1) {
			rc = substitute(r, key, spans, value, err);
		} else if (r->op == OP_IF && h == 0) {
			if (r->endif == NO_RULE)
				break;
			i = r->endif;
		}
	}
	free(spans);
	return rc;
}

/* Also the cleanup of a table being loaded: impl is never NULL. */
static void ptable_free(void *impl)
{
	struct ptable *pt = impl;

	for (size_t i = 0; i < pt->n; i++)
		rule_fini(pt->be, &pt->v[i]);
	free(pt->v);
	free(pt->map);
	free(pt);
}

static const struct table_ops pattern_ops = { ptable_lookup, ptable_free, true };

/* regexp:{ {rule}, {rule} }: one line per group. */
static int inline_text(const char *spec, const char *name, struct buf *text, struct error *err)
{
	size_t len = strlen(name), pos = 0, in_len, ilen;
	const char *in, *item;
	bool whole;

	if (!list_group(name, len, &in, &in_len))
		goto bad;
	while (list_next(in, in_len, &pos, &item, &ilen, &whole)) {
		if (!whole)
			goto bad;
		if (buf_append(text, item, ilen) < 0 || buf_append_char(text, '\n') < 0)
			goto nomem;
	}
	/* Text even when there are no rules, as textfile_read gives. */
	if (buf_append(text, "", 0) < 0)
		goto nomem;
	return 0;
nomem:
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
bad:
	error_set(err, ERROR_CONFIG,
		  _("%s: write an inline pattern table as "
		    "type:{ {rule}, {rule} }"),
		  spec);
	return -1;
}

int pattern_open(struct table *t, const char *name, unsigned flags,
		 const struct pattern_backend *be, struct error *err)
{
	struct ptable *pt = calloc(1, sizeof(*pt));
	struct buf text = { 0 };
	int rc;

	if (pt == NULL || (pt->map = str_dup(name)) == NULL) {
		free(pt);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	pt->be = be;
	pt->open_if = NO_RULE;
	if (name[0] == '{')
		rc = inline_text(t->spec, name, &text, err);
	else
		rc = textfile_read(name, (flags & TABLE_SECRET) != 0, &text, NULL, err);
	if (rc == 0)
		rc = load(pt, flags, text.data, text.len, err);
	buf_wipe(&text);
	if (rc < 0) {
		ptable_free(pt);
		return -1;
	}
	t->ops = &pattern_ops;
	t->impl = pt;
	return 0;
}
