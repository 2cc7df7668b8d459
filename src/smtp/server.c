/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SMTP as a server speaks it (RFC 5321 §4.1, §4.5.2; RFC 1870, 3461, 6531
 * for the parameters), as pure functions: a line in, a decision or the
 * reply that refuses it out. The replies follow Postfix's wording so that
 * client logs read the same. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "smtp/server.h"

enum arg_rule { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

struct verb_info {
	const char *name;
	enum server_verb verb;
	enum arg_rule arg;
	const char *syntax;
};

/* QUIT takes any argument: a client that wants out should get out. */
static const struct verb_info verbs[] = {
	{ "HELO", SERVER_HELO, ARG_REQUIRED, "HELO hostname" },
	{ "EHLO", SERVER_EHLO, ARG_REQUIRED, "EHLO hostname" },
	{ "MAIL", SERVER_MAIL, ARG_REQUIRED, "MAIL FROM:<address>" },
	{ "RCPT", SERVER_RCPT, ARG_REQUIRED, "RCPT TO:<address>" },
	{ "DATA", SERVER_DATA, ARG_NONE, "DATA" },
	{ "RSET", SERVER_RSET, ARG_NONE, "RSET" },
	{ "NOOP", SERVER_NOOP, ARG_OPTIONAL, "NOOP" },
	{ "QUIT", SERVER_QUIT, ARG_OPTIONAL, "QUIT" },
	{ "VRFY", SERVER_VRFY, ARG_REQUIRED, "VRFY address" },
	{ "HELP", SERVER_HELP, ARG_OPTIONAL, "HELP" },
};

/* Commands of other SMTP servers that a -bs session has no use for. */
static const char *const unimplemented[] = {
	"AUTH", "ATRN", "BDAT",	    "ETRN", "EXPN",    "SAML",
	"SEND", "SOML", "STARTTLS", "TURN", "XCLIENT", "XFORWARD",
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool same_word(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	char a[16];

	if (len != n || n >= sizeof(a))
		return false;
	memcpy(a, p, n);
	a[n] = '\0';
	return str_eq_ci(a, word);
}

static int refuse(char *reply, size_t size, const char *text)
{
	snprintf(reply, size, "%s", text);
	return -1;
}

static bool has_control(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

static int verb_lookup(const char *p, size_t n, const struct verb_info **vi, char *reply,
		       size_t size)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (same_word(p, n, verbs[i].name)) {
			*vi = &verbs[i];
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(unimplemented) / sizeof(unimplemented[0]); i++)
		if (same_word(p, n, unimplemented[i]))
			return refuse(reply, size, "502 5.5.1 Error: command not implemented");
	return refuse(reply, size, "500 5.5.2 Error: command not recognized");
}

int server_command_parse(const char *line, size_t len, struct server_command *cmd, char *reply,
			 size_t size)
{
	const struct verb_info *vi = NULL;
	size_t n = 0, a;

	memset(cmd, 0, sizeof(*cmd));
	cmd->arg = "";
	if (len > SERVER_LINE_MAX)
		return refuse(reply, size, "500 5.5.2 Error: line too long");
	if (has_control(line, len))
		return refuse(reply, size, "500 5.5.2 Error: bad character in command");
	while (n < len && !is_blank(line[n]))
		n++;
	if (n == 0)
		return refuse(reply, size, "500 5.5.2 Error: bad syntax");
	if (verb_lookup(line, n, &vi, reply, size) < 0)
		return -1;
	for (a = n; a < len && is_blank(line[a]); a++)
		;
	cmd->verb = vi->verb;
	cmd->arg = line + a;
	cmd->arg_len = str_trim_len(line + a, len - a);
	if ((vi->arg == ARG_NONE && cmd->arg_len > 0) ||
	    (vi->arg == ARG_REQUIRED && cmd->arg_len == 0)) {
		snprintf(reply, size, "501 5.5.4 Syntax: %s", vi->syntax);
		return -1;
	}
	return 0;
}

/* ---- MAIL and RCPT ---- */

struct path_kind {
	const char *keyword;  /* "FROM:" or "TO:" */
	const char *syntax;   /* the 501 for a missing keyword */
	const char *bad_addr; /* the 501 for a path we cannot read */
	bool mail;
};

static const struct path_kind kind_mail = {
	"FROM:",
	"501 5.5.4 Syntax: MAIL FROM:<address>",
	"501 5.1.7 Bad sender address syntax",
	true,
};
static const struct path_kind kind_rcpt = {
	"TO:",
	"501 5.5.4 Syntax: RCPT TO:<address>",
	"501 5.1.3 Bad recipient address syntax",
	false,
};

/* End of "<...>" starting at p[0] == '<': the index of the '>' that is
 * not inside a quoted string, or 0 when there is none. */
static size_t bracket_end(const char *p, size_t len)
{
	bool quoted = false;

	for (size_t i = 1; i < len; i++) {
		if (quoted && p[i] == '\\' && i + 1 < len)
			i++;
		else if (p[i] == '"')
			quoted = !quoted;
		else if (!quoted && p[i] == '>')
			return i;
		else if (!quoted && p[i] == '<')
			return 0;
	}
	return 0;
}

/* The path at the start of p: sets the address and returns the length of
 * the path text, or 0 when it is malformed. */
static size_t path_take(const char *p, size_t len, struct server_path *out)
{
	size_t end, used;
	const char *a;
	size_t n;

	if (len > 0 && p[0] == '<') {
		if ((end = bracket_end(p, len)) == 0)
			return 0;
		a = p + 1;
		n = end - 1;
		used = end + 1;
	} else {
		for (n = 0; n < len && !is_blank(p[n]); n++)
			if (p[n] == '<' || p[n] == '>')
				return 0;
		a = p;
		used = n;
		if (n == 0)
			return 0;
	}
	if (used > SERVER_PATH_MAX)
		return 0;
	/* A source route "@one,@two:" is ignored (RFC 5321 §4.1.2, C.). */
	if (n > 0 && a[0] == '@') {
		const char *colon = memchr(a, ':', n);

		if (colon == NULL || memchr(a, '"', (size_t)(colon - a)) != NULL)
			return 0;
		n -= (size_t)(colon + 1 - a);
		a = colon + 1;
		if (n == 0)
			return 0;
	}
	out->addr = a;
	out->addr_len = n;
	return used;
}

/* xtext (RFC 3461 §4): xchar or "+" two hex digits; returns the decoded
 * length, or (size_t)-1 when the text is not xtext. */
static size_t xtext_len(const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEFabcdef";
	size_t count = 0;

	for (size_t i = 0; i < n; i++, count++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '+') {
			if (i + 2 >= n || memchr(hex, p[i + 1], 22) == NULL ||
			    memchr(hex, p[i + 2], 22) == NULL)
				return (size_t)-1;
			i += 2;
		} else if (c < 33 || c > 126 || c == '=') {
			return (size_t)-1;
		}
	}
	return count;
}

static bool parse_size(const char *v, size_t n, unsigned long *out)
{
	unsigned long x = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x > (ULONG_MAX - 9) / 10 ? ULONG_MAX : x * 10 + (unsigned long)(v[i] - '0');
	}
	*out = x;
	return true;
}

/* NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1). */
static bool parse_notify(const char *v, size_t n, char *out, size_t size)
{
	static const char *const words[] = { "NEVER", "SUCCESS", "FAILURE", "DELAY" };
	unsigned seen = 0;
	size_t at = 0;

	while (n > 0) {
		const char *comma = memchr(v, ',', n);
		size_t w = comma != NULL ? (size_t)(comma - v) : n;
		unsigned i;

		for (i = 0; i < 4 && !same_word(v, w, words[i]); i++)
			;
		if (i == 4 || (seen & (1u << i)) || (i == 0 && seen != 0) || (seen & 1u))
			return false;
		seen |= 1u << i;
		at += (size_t)snprintf(out + at, size - at, "%s%s", at > 0 ? "," : "", words[i]);
		if (at >= size)
			return false;
		if (comma == NULL)
			return true;
		v += w + 1;
		n -= w + 1;
		if (n == 0)
			return false;
	}
	return false;
}

enum param_bit {
	P_SIZE = 1u << 0,
	P_BODY = 1u << 1,
	P_SMTPUTF8 = 1u << 2,
	P_RET = 1u << 3,
	P_ENVID = 1u << 4,
	P_NOTIFY = 1u << 5,
	P_ORCPT = 1u << 6,
};

struct param_info {
	const char *name;
	unsigned bit;
	bool mail; /* a MAIL parameter, else RCPT */
};

static const struct param_info params[] = {
	{ "SIZE", P_SIZE, true },    { "BODY", P_BODY, true },	 { "SMTPUTF8", P_SMTPUTF8, true },
	{ "RET", P_RET, true },	     { "ENVID", P_ENVID, true }, { "NOTIFY", P_NOTIFY, false },
	{ "ORCPT", P_ORCPT, false },
};

/* ORCPT=addr-type;xtext (RFC 3461 §4.2). Checked, then dropped: the
 * relay gets the recipient itself, which is the original one here. */
static bool orcpt_ok(const char *v, size_t n)
{
	const char *semi = memchr(v, ';', n);
	size_t t;

	if (semi == NULL || semi == v || n > 500)
		return false;
	for (t = 0; v + t < semi; t++)
		if (!is_alnum(v[t]) && v[t] != '-')
			return false;
	return xtext_len(semi + 1, n - t - 1) != (size_t)-1 && n - t - 1 > 0;
}

/* One known parameter's value (v is NULL when there is no "="); false
 * when it is not valid. */
static bool param_value(unsigned bit, const char *v, size_t n, struct server_path *p)
{
	if (bit == P_SMTPUTF8) {
		p->smtputf8 = true;
		return v == NULL;
	}
	if (v == NULL)
		return false;
	switch (bit) {
	case P_SIZE:
		p->has_size = parse_size(v, n, &p->size);
		return p->has_size;
	case P_BODY:
		p->body = same_word(v, n, "7BIT") ? 7 : same_word(v, n, "8BITMIME") ? 8 : 0;
		return p->body != 0;
	case P_RET:
		p->ret = same_word(v, n, "FULL") ? "FULL" : same_word(v, n, "HDRS") ? "HDRS" : NULL;
		return p->ret != NULL;
	case P_ENVID:
		p->envid = v;
		p->envid_len = n;
		return n > 0 && xtext_len(v, n) <= SERVER_ENVID_MAX;
	case P_NOTIFY:
		return parse_notify(v, n, p->notify, sizeof(p->notify));
	default:
		return orcpt_ok(v, n);
	}
}

static int param_parse(const char *t, size_t n, bool mail, unsigned *seen, struct server_path *p,
		       char *reply, size_t size)
{
	const char *eq = memchr(t, '=', n);
	size_t k = eq != NULL ? (size_t)(eq - t) : n;
	const struct param_info *pi = NULL;

	for (size_t i = 0; i < k; i++)
		if (!is_alnum(t[i]) && (i == 0 || t[i] != '-'))
			return refuse(reply, size, "501 5.5.4 Bad parameter syntax");
	if (k == 0 || k > 32)
		return refuse(reply, size, "501 5.5.4 Bad parameter syntax");
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (params[i].mail == mail && same_word(t, k, params[i].name))
			pi = &params[i];
	if (pi == NULL) {
		snprintf(reply, size, "555 5.5.4 Unsupported option: %.*s", (int)k, t);
		return -1;
	}
	if (*seen & pi->bit) {
		snprintf(reply, size, "501 5.5.4 Duplicate %s parameter", pi->name);
		return -1;
	}
	*seen |= pi->bit;
	if (!param_value(pi->bit, eq != NULL ? eq + 1 : NULL, eq != NULL ? n - k - 1 : 0, p)) {
		snprintf(reply, size, "501 5.5.4 Bad %s parameter", pi->name);
		return -1;
	}
	return 0;
}

static int path_parse(const char *arg, size_t len, const struct path_kind *kind,
		      struct server_path *p, char *reply, size_t size)
{
	size_t kw = strlen(kind->keyword), i, used;
	unsigned seen = 0;

	memset(p, 0, sizeof(*p));
	p->addr = "";
	if (len < kw || !same_word(arg, kw, kind->keyword))
		return refuse(reply, size, kind->syntax);
	for (i = kw; i < len && is_blank(arg[i]); i++)
		;
	if (i == len)
		return refuse(reply, size, kind->syntax);
	used = path_take(arg + i, len - i, p);
	if (used == 0)
		return refuse(reply, size, kind->bad_addr);
	i += used;
	if (i < len && !is_blank(arg[i]))
		return refuse(reply, size, kind->bad_addr);
	while (i < len) {
		size_t n;

		for (; i < len && is_blank(arg[i]); i++)
			;
		for (n = 0; i + n < len && !is_blank(arg[i + n]); n++)
			;
		if (n > 0 && param_parse(arg + i, n, kind->mail, &seen, p, reply, size) < 0)
			return -1;
		i += n;
	}
	return 0;
}

int server_mail_parse(const char *arg, size_t len, struct server_path *p, char *reply, size_t size)
{
	return path_parse(arg, len, &kind_mail, p, reply, size);
}

int server_rcpt_parse(const char *arg, size_t len, struct server_path *p, char *reply, size_t size)
{
	if (path_parse(arg, len, &kind_rcpt, p, reply, size) < 0)
		return -1;
	if (p->addr_len == 0)
		return refuse(reply, size, kind_rcpt.bad_addr);
	return 0;
}

/* ---- DATA ---- */

size_t server_data_step(struct server_data *d, const char *p, size_t n, size_t *keep)
{
	const char *nl;
	size_t used;

	*keep = 0;
	if (d->done || n == 0)
		return 0;
	if (!d->mid_line && p[0] == '.') {
		/* ".", ".\r": the next byte decides. */
		if (n == 1 || (n == 2 && p[1] == '\r'))
			return 0;
		if (p[1] == '\n' || (p[1] == '\r' && p[2] == '\n')) {
			d->done = true;
			return p[1] == '\n' ? 2 : 3;
		}
		d->mid_line = true;
		return 1;
	}
	nl = memchr(p, '\n', n);
	used = nl != NULL ? (size_t)(nl - p) + 1 : n;
	d->mid_line = nl == NULL;
	*keep = used;
	return used;
}

/* ---- replies ---- */

int server_ehlo_reply(struct buf *out, const char *host, unsigned long size_max)
{
	int rc = buf_printf(out, "250-%s\r\n250-PIPELINING\r\n", host);

	if (rc == 0 && size_max > 0)
		rc = buf_printf(out, "250-SIZE %lu\r\n", size_max);
	else if (rc == 0)
		rc = buf_append_str(out, "250-SIZE\r\n");
	if (rc == 0)
		rc = buf_append_str(out, "250-ENHANCEDSTATUSCODES\r\n"
					 "250-8BITMIME\r\n"
					 "250-DSN\r\n"
					 "250-SMTPUTF8\r\n"
					 "250 HELP\r\n");
	return rc;
}

/* Append n bytes of s at *at, printable ASCII only, never past cap. */
static void put(char *out, size_t cap, size_t *at, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *at + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		out[(*at)++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[*at] = '\0';
}

/* "d.d{1,3}.d{1,3}" at p; its length, or 0. */
static size_t enhanced_len(const char *p, size_t n)
{
	size_t i = 1, parts = 0;

	if (n == 0 || (p[0] != '2' && p[0] != '4' && p[0] != '5'))
		return 0;
	while (parts < 2) {
		size_t digits = 0;

		if (i >= n || p[i] != '.')
			return 0;
		for (i++; i < n && p[i] >= '0' && p[i] <= '9' && digits < 4; i++)
			digits++;
		if (digits == 0 || digits > 3)
			return 0;
		parts++;
	}
	return i == n || p[i] == ' ' ? i : 0;
}

void server_reply_relay(char *out, size_t size, int code, const char *enh, const char *prefix,
			const char *relay_reply, const char *suffix)
{
	const char *t = relay_reply != NULL ? relay_reply : "";
	size_t n = strlen(t), e, at = 0;
	size_t cap = size < SERVER_REPLY_MAX - 1 ? size : SERVER_REPLY_MAX - 1;
	char head[32];

	if (size == 0)
		return;
	if (n >= 3 && t[0] >= '2' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' &&
	    t[2] <= '9' && (n == 3 || t[3] == ' ' || t[3] == '-')) {
		t += n > 3 ? 4 : 3;
		n -= n > 3 ? 4 : 3;
	}
	e = enhanced_len(t, n);
	snprintf(head, sizeof(head), "%d %.*s ", code,
		 e > 0 && t[0] - '0' == code / 100 ? (int)e : (int)strlen(enh),
		 e > 0 && t[0] - '0' == code / 100 ? t : enh);
	if (e > 0) {
		t += e < n ? e + 1 : e;
		n -= e < n ? e + 1 : e;
	}
	put(out, cap, &at, head, strlen(head));
	if (prefix != NULL)
		put(out, cap, &at, prefix, strlen(prefix));
	put(out, cap, &at, t, n);
	if (suffix != NULL)
		put(out, cap, &at, suffix, strlen(suffix));
}
