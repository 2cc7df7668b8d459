/* SPDX-License-Identifier: GPL-3.0-or-later */
/* EHLO capabilities: each line after the greeting line of a 250 reply is a
 * keyword and its parameters (RFC 5321 §4.1.1.1). Keywords match without
 * regard to case; AUTH lines in either form are merged into one list. */
#include <config.h>

#include <limits.h>
#include <string.h>

#include "base/str.h"
#include "smtp/caps.h"

#define MECH_NAME_MAX 20 /* RFC 4422 §3.1 */

static bool kw_is(const char *p, size_t n, const char *kw)
{
	size_t k = strlen(kw);

	if (n != k)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 'a' + 'A') : p[i];

		if (c != kw[i])
			return false;
	}
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 4422 §3.1: upper-case letters, digits, hyphen and underscore. */
static bool mech_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool has_mech(const char *list, const char *p, size_t n)
{
	while (*list != '\0') {
		size_t k = strcspn(list, " ");

		if (k == n) {
			bool same = true;

			for (size_t i = 0; i < n && same; i++) {
				char a = list[i], b = p[i];

				if (b >= 'a' && b <= 'z')
					b = (char)(b - 'a' + 'A');
				if (a >= 'a' && a <= 'z')
					a = (char)(a - 'a' + 'A');
				same = a == b;
			}
			if (same)
				return true;
		}
		list += k;
		while (*list == ' ')
			list++;
	}
	return false;
}

static void add_mech(struct caps *c, const char *p, size_t n)
{
	size_t len = strlen(c->auth_mechs);

	if (n == 0 || n > MECH_NAME_MAX || has_mech(c->auth_mechs, p, n))
		return;
	for (size_t i = 0; i < n; i++)
		if (!mech_char(p[i]))
			return;
	if (len + (len > 0) + n >= sizeof(c->auth_mechs))
		return;
	if (len > 0)
		c->auth_mechs[len++] = ' ';
	for (size_t i = 0; i < n; i++)
		c->auth_mechs[len++] = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 'a' + 'A') : p[i];
	c->auth_mechs[len] = '\0';
}

static void add_mechs(struct caps *c, const char *p, size_t n)
{
	size_t i = 0;

	c->auth = true;
	while (i < n) {
		size_t start;

		while (i < n && is_blank(p[i]))
			i++;
		start = i;
		while (i < n && !is_blank(p[i]))
			i++;
		add_mech(c, p + start, i - start);
	}
}

/* "SIZE" alone or with a limit; a limit we cannot read counts as none. */
static void set_size(struct caps *c, const char *p, size_t n)
{
	char num[24];
	unsigned long v;

	c->size = true;
	c->size_max = 0;
	while (n > 0 && is_blank(*p)) {
		p++;
		n--;
	}
	n = str_trim_len(p, n);
	if (n == 0 || n >= sizeof(num))
		return;
	memcpy(num, p, n);
	num[n] = '\0';
	if (str_to_ulong(num, ULONG_MAX, &v) == 0)
		c->size_max = v;
}

static void parse_line(struct caps *c, const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && !is_blank(p[k]) && p[k] != '=')
		k++;
	if (k < n && p[k] == '=') {
		/* The pre-RFC 4954 form "AUTH=LOGIN PLAIN". */
		if (kw_is(p, k, "AUTH"))
			add_mechs(c, p + k + 1, n - k - 1);
		return;
	}
	if (kw_is(p, k, "PIPELINING"))
		c->pipelining = true;
	else if (kw_is(p, k, "STARTTLS"))
		c->starttls = true;
	else if (kw_is(p, k, "8BITMIME"))
		c->eightbitmime = true;
	else if (kw_is(p, k, "SMTPUTF8"))
		c->smtputf8 = true;
	else if (kw_is(p, k, "DSN"))
		c->dsn = true;
	else if (kw_is(p, k, "ENHANCEDSTATUSCODES"))
		c->enhanced = true;
	else if (kw_is(p, k, "CHUNKING"))
		c->chunking = true;
	else if (kw_is(p, k, "SIZE"))
		set_size(c, p + k, n - k);
	else if (kw_is(p, k, "AUTH"))
		add_mechs(c, p + k, n - k);
}

void caps_parse(struct caps *c, const struct reply *r)
{
	const char *p = r->text, *end = r->text + r->text_len;
	const char *nl = memchr(p, '\n', r->text_len);

	memset(c, 0, sizeof(*c));
	c->esmtp = true;
	while (nl != NULL) {
		p = nl + 1;
		nl = memchr(p, '\n', (size_t)(end - p));
		parse_line(c, p, (size_t)((nl != NULL ? nl : end) - p));
	}
	/* Like Postfix: a server that speaks SMTPUTF8 takes 8-bit data. */
	if (c->smtputf8)
		c->eightbitmime = true;
}

int caps_keyword(const char *name, unsigned *bit)
{
	static const struct {
		const char *name;
		unsigned bit;
	} keywords[] = {
		{ "8bitmime", CAPS_8BITMIME },
		{ "auth", CAPS_AUTH },
		{ "chunking", CAPS_CHUNKING },
		{ "dsn", CAPS_DSN },
		{ "enhancedstatuscodes", CAPS_ENHANCEDSTATUSCODES },
		{ "pipelining", CAPS_PIPELINING },
		{ "size", CAPS_SIZE },
		{ "smtputf8", CAPS_SMTPUTF8 },
		{ "starttls", CAPS_STARTTLS },
		{ "etrn", 0 },
		{ "verp", 0 },
		{ "vrfy", 0 },
		{ "xclient", 0 },
		{ "xforward", 0 },
		{ "silent-discard", 0 },
	};

	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (str_eq_ci(name, keywords[i].name)) {
			*bit = keywords[i].bit;
			return 1;
		}
	}
	*bit = 0;
	return 0;
}

void caps_discard(struct caps *c, unsigned mask)
{
	if (mask & CAPS_8BITMIME)
		c->eightbitmime = false;
	if (mask & CAPS_AUTH) {
		c->auth = false;
		c->auth_mechs[0] = '\0';
	}
	if (mask & CAPS_CHUNKING)
		c->chunking = false;
	if (mask & CAPS_DSN)
		c->dsn = false;
	if (mask & CAPS_ENHANCEDSTATUSCODES)
		c->enhanced = false;
	if (mask & CAPS_PIPELINING)
		c->pipelining = false;
	if (mask & CAPS_SIZE) {
		c->size = false;
		c->size_max = 0;
	}
	if (mask & CAPS_SMTPUTF8)
		c->smtputf8 = false;
	if (mask & CAPS_STARTTLS)
		c->starttls = false;
}

bool caps_has_mech(const struct caps *c, const char *mech)
{
	return mech != NULL && *mech != '\0' && has_mech(c->auth_mechs, mech, strlen(mech));
}
