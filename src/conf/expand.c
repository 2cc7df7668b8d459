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

static int syntax(const struct expand_ctx *ctx, const char *near, size_t len,
		  struct error *err)
{
	if (len > 40)
		len = 40;
	error_set(err, ERROR_CONFIG,
		  _("%s: the value of parameter %s has bad macro syntax near \"%.*s\""),
		  ctx->where, ctx->param, (int)len, near);
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

/* A "{text}" group at s[*i] (after blanks): its inside, *i moved past. */
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

static int expand_nested(const struct expand_ctx *ctx, const char *s, size_t len,
			 struct buf *out, int depth, struct error *err);

/* The "?value", ":value", "?{v1}:{v2}" tail after a name or comparison:
 * choose by truth and expand the chosen part. */
static int branch(const struct expand_ctx *ctx, const char *s, size_t len, bool truth,
		  struct buf *out, int depth, struct error *err)
{
	const char *yes = NULL, *no = NULL;
	size_t ylen = 0, nlen = 0, i = 1;

	if (len == 0)
		return 0;
	if (skip_space(s, len, 1) < len && s[skip_space(s, len, 1)] == '{') {
		const char **first = s[0] == '?' ? &yes : &no;
		size_t *flen = s[0] == '?' ? &ylen : &nlen;

		if (group(s, len, &i, first, flen) < 0)
			return syntax(ctx, s, len, err);
		if (s[0] == '?' && i < len && s[i] == ':') {
			i++;
			if (group(s, len, &i, &no, &nlen) < 0)
				return syntax(ctx, s, len, err);
		}
		if (i != len)
			return syntax(ctx, s, len, err);
	} else if (s[0] == '?') {
		yes = s + 1;
		ylen = len - 1;
	} else {
		no = s + 1;
		nlen = len - 1;
	}
	if (truth && yes != NULL)
		return expand_nested(ctx, yes, ylen, out, depth + 1, err);
	if (!truth && no != NULL)
		return expand_nested(ctx, no, nlen, out, depth + 1, err);
	return 0;
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

/* <0, 0, >0 like strcmp; numerically when both are all digits. */
static int compare(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	if (all_digits(a, alen) && all_digits(b, blen)) {
		while (alen > 1 && *a == '0')
			a++, alen--;
		while (blen > 1 && *b == '0')
			b++, blen--;
		if (alen != blen)
			return alen < blen ? -1 : 1;
		return memcmp(a, b, alen);
	}
	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0 || alen == blen)
		return c;
	return alen < blen ? -1 : 1;
}

/* Which operator s[*i] starts; moves *i past it. */
static int operator(const char *s, size_t len, size_t *i)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };

	for (int k = 0; k < 6; k++) {
		size_t n = strlen(ops[k]);

		if (*i + n <= len && memcmp(s + *i, ops[k], n) == 0) {
			*i += n;
			return k;
		}
	}
	return -1;
}

static bool holds(int op, int cmp)
{
	switch (op) {
	case 0: return cmp == 0;
	case 1: return cmp != 0;
	case 2: return cmp <= 0;
	case 3: return cmp >= 0;
	case 4: return cmp < 0;
	default: return cmp > 0;
	}
}

/* ${{a} op {b}?{x}:{y}}: s is the inside of the outer braces. */
static int relational(const struct expand_ctx *ctx, const char *s, size_t len,
		      struct buf *out, int depth, struct error *err)
{
	struct buf a = { 0 }, b = { 0 };
	const char *ra, *rb;
	size_t ralen, rblen, i = 0;
	int op, rc = -1;

	if (group(s, len, &i, &ra, &ralen) < 0 || (op = operator(s, len, &i)) < 0 ||
	    group(s, len, &i, &rb, &rblen) < 0 || (i < len && s[i] != '?' && s[i] != ':'))
		return syntax(ctx, s, len, err);
	if (expand_nested(ctx, ra, ralen, &a, depth + 1, err) == 0 &&
	    expand_nested(ctx, rb, rblen, &b, depth + 1, err) == 0) {
		bool truth = holds(op, compare(a.data ? a.data : "", a.len,
					       b.data ? b.data : "", b.len));

		rc = branch(ctx, s + i, len - i, truth, out, depth, err);
	}
	buf_fini(&a);
	buf_fini(&b);
	return rc;
}

/* The inside of ${...} or $(...). */
static int macro(const struct expand_ctx *ctx, const char *s, size_t len, struct buf *out,
		 int depth, struct error *err)
{
	const char *value = NULL;
	size_t n = 0;

	if (len > 0 && s[0] == '{')
		return relational(ctx, s, len, out, depth, err);
	while (n < len && is_name((unsigned char)s[n]))
		n++;
	if (n == 0)
		return syntax(ctx, s, len, err);
	if (n < len && s[n] != '?' && s[n] != ':')
		return syntax(ctx, s, len, err);
	if (ctx->resolve(ctx->arg, s, n, &value, err) < 0)
		return -1;
	if (n == len)
		return value == NULL || buf_append_str(out, value) == 0 ? 0 : oom(err);
	return branch(ctx, s + n, len - n, value != NULL && *value != '\0', out, depth, err);
}

static int expand_nested(const struct expand_ctx *ctx, const char *s, size_t len,
			 struct buf *out, int depth, struct error *err)
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
			error_set(err, ERROR_CONFIG,
				  _("%s: the value of parameter %s has an empty macro name "
				    "after \"$\"; write $$ for a literal $"),
				  ctx->where, ctx->param);
			return -1;
		}
	}
	if (out->data == NULL && buf_append(out, "", 0) < 0)
		return oom(err);
	return 0;
}

int expand_text(const struct expand_ctx *ctx, const char *text, size_t len,
		struct buf *out, struct error *err)
{
	return expand_nested(ctx, text, len, out, 0, err);
}
