/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expansion of main.cf values. Each construct is found by bracket
 * matching on the raw text, its parts expanded recursively; the values of
 * other parameters come already expanded from the resolver, so $$ in them
 * has been turned into $ exactly once, as postconf -x does. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "base/i18n.h"
#include "conf/expand.h"
#include "conf/lines.h"

#define EXPAND_NEST_MAX 64
/* Postfix's GOOD_MAJOR: the major part shifted left by 20 bits must fit
 * a (64-bit) long. */
#define COMPAT_MAJOR_MAX (0x7fffffffffffffffLL >> 20)

static int is_name(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int oom(struct error *err)
{
	if (errno == EMSGSIZE)
		error_set(err, ERROR_CONFIG, _("a parameter value is too long"));
	else
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* A default value has no file and line; translated only on error, as a
 * lookup of the translation for each of 150 defaults cost more than the
 * expansion itself. */
static const char *where(const struct expand_ctx *ctx)
{
	return ctx->where != NULL ? ctx->where : _("default");
}

static int syntax(const struct expand_ctx *ctx, const char *near, size_t len, struct error *err)
{
	if (len > 40)
		len = 40;
	error_set(err, ERROR_CONFIG,
		  _("%s: the value of parameter %s has bad macro syntax near \"%.*s\""), where(ctx),
		  ctx->param, (int)len, near);
	return -1;
}

static int empty_name(const struct expand_ctx *ctx, struct error *err)
{
	error_set(err, ERROR_CONFIG,
		  _("%s: the value of parameter %s has an empty macro name "
		    "after \"$\"; write $$ for a literal $"),
		  where(ctx), ctx->param);
	return -1;
}

/* Index of the bracket closing the one at s[open_at], or len. */
static size_t closing(const char *s, size_t len, size_t open_at)
{
	char open = s[open_at], close = open == '{' ? '}' : ')';
	size_t depth = 0;

	for (size_t i = open_at; i < len; i++) {
		if (s[i] == open)
			depth++;
		else if (s[i] == close && --depth == 0)
			return i;
	}
	return len;
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && lines_is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* A "{text}" group at s[*i] (after blanks): its inside, *i moved past
 * it and the blanks after it. -1 when there is none or it is open. */
static int group(const char *s, size_t len, size_t *i, const char **in, size_t *inlen)
{
	size_t at = skip_space(s, len, *i), end;

	if (at >= len || s[at] != '{')
		return -1;
	end = closing(s, len, at);
	if (end >= len)
		return -1;
	*in = s + at + 1;
	*inlen = end - at - 1;
	*i = skip_space(s, len, end + 1);
	return 0;
}

static bool at_group(const char *s, size_t len, size_t i)
{
	i = skip_space(s, len, i);
	return i < len && s[i] == '{';
}

static int expand_nested(const struct expand_ctx *ctx, const char *s, size_t len, struct buf *out,
			 int depth, struct error *err);

/* What follows "?" or ":" (s[i] is just past it), as Postfix's
 * mac_expand reads it: "{value}" with blanks around it, or else all the
 * rest of the text as the value; after a "?" part, a ":" part may follow.
 * The part that truth selects is expanded. */
/* One part of a "?" or ":": "{value}" with blanks around it, or else the
 * rest of the text. -1 when a "{" is left open. */
static int part_at(const char *s, size_t len, size_t *i, const char **part, size_t *plen)
{
	if (at_group(s, len, *i))
		return group(s, len, i, part, plen);
	*part = s + *i;
	*plen = len - *i;
	*i = len;
	return 0;
}

static int branch(const struct expand_ctx *ctx, const char *s, size_t len, size_t i, char op,
		  bool truth, struct buf *out, int depth, struct error *err)
{
	const char *part;
	size_t plen;

	if (op == '?') {
		if (part_at(s, len, &i, &part, &plen) < 0)
			return syntax(ctx, s, len, err);
		if (truth && expand_nested(ctx, part, plen, out, depth + 1, err) < 0)
			return -1;
		if (i == len)
			return 0;
		if (s[i] != ':')
			return syntax(ctx, s, len, err);
		i++;
	}
	if (part_at(s, len, &i, &part, &plen) < 0 || i != len)
		return syntax(ctx, s, len, err);
	return truth ? 0 : expand_nested(ctx, part, plen, out, depth + 1, err);
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* <0, 0, >0 like strcmp; numerically when both are all digits, where a
 * number past a long is an error (Postfix's "bad conversion"). */
static int compare(const char *a, size_t alen, const char *b, size_t blen, bool *range)
{
	static const char long_max[] = "9223372036854775807";
	int c;

	if (all_digits(a, alen) && all_digits(b, blen)) {
		while (alen > 1 && *a == '0')
			a++, alen--;
		while (blen > 1 && *b == '0')
			b++, blen--;
		*range = alen > sizeof(long_max) - 1 || blen > sizeof(long_max) - 1 ||
			 (alen == sizeof(long_max) - 1 && memcmp(a, long_max, alen) > 0) ||
			 (blen == sizeof(long_max) - 1 && memcmp(b, long_max, blen) > 0);
		if (alen != blen)
			return alen < blen ? -1 : 1;
		return memcmp(a, b, alen);
	}
	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0 || alen == blen)
		return c;
	return alen < blen ? -1 : 1;
}

long long expand_compat_level(const char *s, size_t len)
{
	long long part[3] = { 0, 0, 0 };
	size_t i = 0;

	for (int k = 0; k < 3; k++) {
		bool minus = false;
		size_t start;

		/* Each part is read with strtol: blanks and a sign may lead. */
		i = skip_space(s, len, i);
		if (i < len && (s[i] == '+' || s[i] == '-'))
			minus = s[i++] == '-';
		for (start = i;
		     i < len && s[i] >= '0' && s[i] <= '9' && part[k] <= COMPAT_MAJOR_MAX;)
			part[k] = part[k] * 10 + (s[i++] - '0');
		if (i == start || (minus && part[k] != 0) || (k > 0 && part[k] > 1023) ||
		    part[0] > COMPAT_MAJOR_MAX)
			return -1;
		if (i == len)
			return (part[0] << 20) | (part[1] << 10) | part[2];
		if (s[i++] != '.')
			return -1;
	}
	return -1;
}

/* Which operator s[*i] starts; moves *i past it. Like Postfix, the whole
 * run of operator characters must be one operator ("===" is none); a
 * "level" suffix (<level, >=level...) compares compatibility levels. */
static int operator(const char *s, size_t len, size_t *i, bool *level)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	size_t n = 0, w = 0;

	while (*i + n < len && strchr("<>!=?+-*/~&|%", s[*i + n]) != NULL)
		n++;
	while (*i + n + w < len && is_name((unsigned char)s[*i + n + w]) && s[*i + n + w] != '_')
		w++;
	*level = w == 5 && memcmp(s + *i + n, "level", 5) == 0;
	if (w > 0 && !*level)
		return -1;
	for (int k = 0; k < 6; k++) {
		if (n == strlen(ops[k]) && memcmp(s + *i, ops[k], n) == 0) {
			*i += n + w;
			return k;
		}
	}
	return -1;
}

static bool holds(int op, int cmp)
{
	switch (op) {
	case 0:
		return cmp == 0;
	case 1:
		return cmp != 0;
	case 2:
		return cmp <= 0;
	case 3:
		return cmp >= 0;
	case 4:
		return cmp < 0;
	default:
		return cmp > 0;
	}
}

static int level_syntax(const struct expand_ctx *ctx, const struct buf *v, struct error *err)
{
	error_set(err, ERROR_CONFIG,
		  _("%s: the value of parameter %s compares \"%s\", which is not a "
		    "compatibility level (major[.minor[.patch]])"),
		  where(ctx), ctx->param, v->data ? v->data : "");
	return -1;
}

/* ${{a} op {b}?{x}:{y}}: s is the inside of the outer braces, from the
 * "{" of a. Without "?" or ":" the comparison itself is the value: "true"
 * or empty, as in Postfix. */
static int relational(const struct expand_ctx *ctx, const char *s, size_t len, struct buf *out,
		      int depth, struct error *err)
{
	struct buf a = { 0 }, b = { 0 };
	const char *ra, *rb;
	size_t ralen, rblen, i = 0;
	bool truth, range = false, level;
	int op, rc = -1;

	if (group(s, len, &i, &ra, &ralen) < 0 || (op = operator(s, len, &i, &level)) < 0 ||
	    group(s, len, &i, &rb, &rblen) < 0 || (i < len && s[i] != '?' && s[i] != ':'))
		return syntax(ctx, s, len, err);
	if (expand_nested(ctx, ra, ralen, &a, depth + 1, err) == 0 &&
	    expand_nested(ctx, rb, rblen, &b, depth + 1, err) == 0) {
		long long la = level ? expand_compat_level(a.data ? a.data : "", a.len) : 0;
		long long lb = level ? expand_compat_level(b.data ? b.data : "", b.len) : 0;

		if (level)
			truth = holds(op, la < lb ? -1 : la > lb);
		else
			truth = holds(op, compare(a.data ? a.data : "", a.len, b.data ? b.data : "",
						  b.len, &range));
		if (la < 0 || lb < 0)
			rc = level_syntax(ctx, la < 0 ? &a : &b, err);
		else if (range)
			rc = syntax(ctx, s, len, err);
		else if (i == len)
			rc = truth && buf_append_str(out, "true") < 0 ? oom(err) : 0;
		else
			rc = branch(ctx, s, len, i + 1, s[i], truth, out, depth, err);
	}
	buf_fini(&a);
	buf_fini(&b);
	return rc;
}

/* The inside of ${...} or $(...): a comparison, or a name with blanks
 * allowed around it and an optional "?" or ":" part. */
static int macro(const struct expand_ctx *ctx, const char *s, size_t len, struct buf *out,
		 int depth, struct error *err)
{
	const char *value = NULL;
	size_t start = skip_space(s, len, 0), n, next;
	bool set = false;

	if (start < len && s[start] == '{')
		return relational(ctx, s + start, len - start, out, depth, err);
	for (n = start;; n++) {
		next = skip_space(s, len, n);
		if (next == len || s[next] == '?' || s[next] == ':')
			break;
		if (!is_name((unsigned char)s[n]))
			return syntax(ctx, s, len, err);
	}
	/* "${}" is Postfix's "empty macro name"; "${ }" and "${?x}" name
	 * nothing, which is undefined. */
	if (len == 0)
		return empty_name(ctx, err);
	if (next == len) {
		if (n > start && ctx->resolve(ctx->arg, s + start, n - start, &value, err) < 0)
			return -1;
		return value == NULL || buf_append_str(out, value) == 0 ? 0 : oom(err);
	}
	if (n > start && ctx->test != NULL) {
		if (ctx->test(ctx->arg, s + start, n - start, &set, err) < 0)
			return -1;
	} else if (n > start) {
		if (ctx->resolve(ctx->arg, s + start, n - start, &value, err) < 0)
			return -1;
		set = value != NULL && *value != '\0';
	}
	return branch(ctx, s, len, next + 1, s[next], set, out, depth, err);
}

static int expand_nested(const struct expand_ctx *ctx, const char *s, size_t len, struct buf *out,
			 int depth, struct error *err)
{
	size_t i = 0;

	if (depth > EXPAND_NEST_MAX)
		return syntax(ctx, s, len, err);
	while (i < len) {
		const char *dollar = memchr(s + i, '$', len - i);
		size_t at = dollar != NULL ? (size_t)(dollar - s) : len, end;

		if (buf_append(out, s + i, at - i) < 0)
			return oom(err);
		if (at == len)
			break;
		i = at + 1;
		if (i < len && s[i] == '$') {
			if (buf_append_char(out, '$') < 0)
				return oom(err);
			i++;
		} else if (i < len && (s[i] == '{' || s[i] == '(')) {
			end = closing(s, len, i);
			if (end >= len)
				return syntax(ctx, s + at, len - at, err);
			if (macro(ctx, s + i + 1, end - i - 1, out, depth, err) < 0)
				return -1;
			i = end + 1;
		} else if (i < len && is_name((unsigned char)s[i])) {
			const char *value = NULL;

			for (end = i; end < len && is_name((unsigned char)s[end]); end++)
				;
			if (ctx->resolve(ctx->arg, s + i, end - i, &value, err) < 0)
				return -1;
			if (value != NULL && buf_append_str(out, value) < 0)
				return oom(err);
			i = end;
		} else {
			return empty_name(ctx, err);
		}
	}
	if (out->data == NULL && buf_append(out, "", 0) < 0)
		return oom(err);
	return 0;
}

int expand_text(const struct expand_ctx *ctx, const char *text, size_t len, struct buf *out,
		struct error *err)
{
	return expand_nested(ctx, text, len, out, 0, err);
}
