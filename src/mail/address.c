/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mail addresses: a small RFC 5322 §3.4 tokenizer and address-list walker
 * that keeps only the addr-specs (groups, display names, comments and
 * obsolete routes are dropped), the envelope checks that run before an
 * address is formatted into an SMTP command, and the address list type. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "mail/address.h"

#define ADDRESS_LIST_MAX 1000	 /* addresses added by one parse call */
#define ADDRESS_TEXT_MAX 998	 /* RFC 5322 §2.1.1 line limit as an address cap */
#define ADDRESS_ENVELOPE_MAX 254 /* RFC 5321 §4.5.3.1.3 path minus brackets */
#define SHOW_MAX 128		 /* how much of a bad list an error quotes */
/* In a header read for recipients: between two words with only blanks
 * between them, where Postfix's parser adds the missing comma. The lexer
 * refuses control characters, so no token holds it. */
#define SPLIT '\001'

/* ---- address list type ---- */

void addrlist_fini(struct addrlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

int addrlist_add(struct addrlist *l, const char *addr)
{
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap < 8 ? 8 : l->cap * 2;
		char **v;

		if (cap > SIZE_MAX / sizeof(*v)) {
			errno = ENOMEM;
			return -1;
		}
		v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	copy = str_dup(addr);
	if (copy == NULL)
		return -1;
	l->v[l->n++] = copy;
	return 0;
}

/* Local parts compare exactly, domains without regard to ASCII case. */
/* The local parts differ for sure: a byte differs before any '@' or '"'
 * (the local part ends at the last unquoted '@'). Lets a list of a
 * thousand recipients be checked for duplicates without a thousand full
 * scans per address. */
static bool local_parts_differ(const char *a, const char *b)
{
	for (; *a == *b; a++, b++)
		if (*a == '\0' || *a == '@' || *a == '"')
			return false;
	return *a != '@' && *a != '"' && *b != '@' && *b != '"';
}

static bool address_equal(const char *a, const char *b)
{
	const char *da, *db;
	size_t la, lb;

	if (local_parts_differ(a, b))
		return false;
	da = address_domain(a);
	db = address_domain(b);
	la = da != NULL ? (size_t)(da - a) : strlen(a);
	lb = db != NULL ? (size_t)(db - b) : strlen(b);
	if (la != lb || memcmp(a, b, la) != 0)
		return false;
	if (da == NULL || db == NULL)
		return da == db;
	return str_eq_ci(da, db);
}

bool addrlist_contains(const struct addrlist *l, const char *addr)
{
	for (size_t i = 0; i < l->n; i++)
		if (address_equal(l->v[i], addr))
			return true;
	return false;
}

int addrlist_add_unique(struct addrlist *l, const char *addr)
{
	if (addrlist_contains(l, addr))
		return 0;
	return addrlist_add(l, addr);
}

/* ---- small helpers ---- */

/* The '@' that separates local part and domain: the last one outside a
 * quoted string, or NULL. */
static const char *address_at(const char *addr)
{
	const char *at = NULL;
	bool quoted = false;

	for (const char *p = addr; *p != '\0'; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '@')
			at = p;
	}
	return at;
}

const char *address_domain(const char *addr)
{
	const char *at = address_at(addr);

	return at != NULL ? at + 1 : NULL;
}

char *address_qualify(const char *addr, const char *domain)
{
	struct buf b = { 0 };

	if (address_at(addr) != NULL)
		return str_dup(addr);
	if (buf_append_str(&b, addr) < 0 || buf_append_char(&b, '@') < 0 ||
	    buf_append_str(&b, domain) < 0) {
		buf_fini(&b);
		return NULL;
	}
	return buf_steal(&b);
}

bool address_is_utf8(const char *addr)
{
	for (const unsigned char *p = (const unsigned char *)addr; *p != '\0'; p++)
		if (*p >= 0x80)
			return true;
	return false;
}

/* ---- envelope checks ---- */

/* Why addr cannot be an envelope address, or NULL when it can. */
static const char *envelope_problem(const char *addr, size_t len)
{
	const char *at = address_at(addr);
	bool quoted = false;

	if (len > ADDRESS_ENVELOPE_MAX)
		return _("it is longer than 254 bytes");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c < 0x20 || c == 0x7f)
			return _("it contains a control character");
		if (quoted && c == '\\' && i + 1 < len)
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == ' ' || c == '<' || c == '>'))
			return _("it contains a space or an angle bracket outside quotes");
	}
	if (quoted)
		return _("a quoted string is not terminated");
	if (addr[0] == '-')
		return _("it begins with \"-\"");
	if (at == addr)
		return _("the local part is empty");
	if (at != NULL && at[1] == '\0')
		return _("the domain is empty");
	return NULL;
}

int address_check_envelope(const char *addr, bool null_ok, struct error *err)
{
	char shown[SHOW_MAX];
	const char *why;
	size_t len = strlen(addr);

	if (len == 0) {
		if (null_ok)
			return 0;
		error_set(err, ERROR_USAGE, _("the null address \"\" is not allowed here"));
		return -1;
	}
	why = envelope_problem(addr, len);
	if (why == NULL)
		return 0;
	str_printable(shown, sizeof(shown), addr, len);
	error_set(err, ERROR_USAGE, _("invalid address \"%s\": %s"), shown, why);
	return -1;
}

/* ---- RFC 5322 address-list tokenizer ---- */

enum tok_kind {
	TOK_END,
	TOK_ATOM,    /* atext run (8-bit bytes allowed for UTF-8) */
	TOK_QSTRING, /* "..." with its quotes */
	TOK_LITERAL, /* [...] with its brackets */
	TOK_SPECIAL, /* one of < > @ , ; : . */
};

struct token {
	enum tok_kind kind;
	const char *s;
	size_t len;
	bool space_before; /* whitespace or a comment came before it */
};

struct lexer {
	const char *p;
	size_t n, i;
	const char *problem; /* set on a syntax error */
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_control(char c)
{
	unsigned char u = (unsigned char)c;

	return (u < 0x20 && !is_wsp(c)) || u == 0x7f;
}

static bool ends_atom(char c)
{
	return is_wsp(c) || is_control(c) || strchr("()<>@,;:.\"[", c) != NULL;
}

/* Skip a comment starting at '(' (nested, with quoted pairs). */
static bool skip_comment(struct lexer *lx)
{
	size_t depth = 0;

	for (; lx->i < lx->n; lx->i++) {
		char c = lx->p[lx->i];

		if (c == '\\')
			lx->i++;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0) {
			lx->i++;
			return true;
		}
	}
	lx->problem = _("a comment is not terminated");
	return false;
}

/* From an opening quote or bracket to the matching close, quoted pairs
 * skipped. */
static bool scan_delimited(struct lexer *lx, char close, struct token *t)
{
	size_t start = lx->i;

	for (lx->i++; lx->i < lx->n; lx->i++) {
		char c = lx->p[lx->i];

		if (c == '\\') {
			lx->i++;
		} else if (c == close) {
			lx->i++;
			t->s = lx->p + start;
			t->len = lx->i - start;
			return true;
		}
	}
	lx->problem = close == '"' ? _("a quoted string is not terminated")
				   : _("a domain literal is not terminated");
	return false;
}

/* Skip CFWS; false on an unterminated comment. */
static bool skip_cfws(struct lexer *lx, bool *space)
{
	while (lx->i < lx->n) {
		char c = lx->p[lx->i];

		if (is_wsp(c)) {
			lx->i++;
		} else if (c == '(') {
			if (!skip_comment(lx))
				return false;
		} else {
			break;
		}
		*space = true;
	}
	return true;
}

/* Next token; false with lx->problem set on a syntax error. */
static bool lex_next(struct lexer *lx, struct token *t)
{
	char c;

	t->space_before = false;
	if (!skip_cfws(lx, &t->space_before))
		return false;
	if (lx->i >= lx->n) {
		t->kind = TOK_END;
		return true;
	}
	c = lx->p[lx->i];
	if (c == '"' || c == '[') {
		t->kind = c == '"' ? TOK_QSTRING : TOK_LITERAL;
		return scan_delimited(lx, c == '"' ? '"' : ']', t);
	}
	t->s = lx->p + lx->i;
	if (is_control(c)) {
		lx->problem = _("it contains a control character");
		return false;
	}
	if (c == ')') {
		lx->problem = _("a \")\" has no \"(\"");
		return false;
	}
	if (strchr("<>@,;:.", c) != NULL) {
		t->kind = TOK_SPECIAL;
		t->len = 1;
		lx->i++;
		return true;
	}
	while (lx->i < lx->n && !ends_atom(lx->p[lx->i]))
		lx->i++;
	t->kind = TOK_ATOM;
	t->len = (size_t)(lx->p + lx->i - t->s);
	return true;
}

/* ---- address-list walker ---- */

struct walker {
	struct lexer lx;
	struct addrlist *out;
	size_t added;
	struct buf cand; /* the addr-spec being built (max ADDRESS_TEXT_MAX) */
	bool too_long;	 /* cand overflowed */
	bool nomem;	 /* cand could not grow: out of memory */
	bool phrase;	 /* two words in a row: a display name, not an address */
	bool angle;	 /* cand came from <...> */
	bool last_word;	 /* previous token was an atom or quoted string */
	bool header;	 /* recipients from a header: address_parse_header */
	size_t semi_end; /* header: just past the last top-level ';', or 0 */
};

static bool is_special(const struct token *t, char c)
{
	return t->kind == TOK_SPECIAL && t->s[0] == c;
}

static void cand_reset(struct walker *w)
{
	buf_reset(&w->cand);
	w->too_long = false;
	w->phrase = false;
	w->angle = false;
	w->last_word = false;
}

/* Append a token to the candidate; quoted text is unfolded (RFC 5322
 * §3.2.2: CRLF inside folding whitespace is removed). */
static void cand_add(struct walker *w, const struct token *t)
{
	bool word = t->kind == TOK_ATOM || t->kind == TOK_QSTRING;

	if (word && w->last_word && t->space_before) {
		w->phrase = true;
		if (w->header && !w->angle && !w->too_long && buf_append_char(&w->cand, SPLIT) < 0)
			w->nomem = true;
	}
	w->last_word = word;
	for (size_t i = 0; i < t->len && !w->too_long && !w->nomem; i++) {
		if (t->s[i] == '\r' || t->s[i] == '\n')
			continue;
		if (w->cand.len == w->cand.max)
			w->too_long = true;
		else if (buf_append_char(&w->cand, t->s[i]) < 0)
			w->nomem = true;
	}
}

static int walker_fail(struct walker *w, const char *why, struct error *err)
{
	char shown[SHOW_MAX];

	str_printable(shown, sizeof(shown), w->lx.p, w->lx.n);
	error_set(err, ERROR_DATA, _("invalid address list \"%s\": %s"), shown, why);
	return -1;
}

/* Unquoted '@' in s (n bytes). */
static size_t count_at(const char *s, size_t n)
{
	bool quoted = false;
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		if (quoted && s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == '@')
			at++;
	}
	return at;
}

static int walker_add(struct walker *w, const char *s, size_t n, struct error *err)
{
	char *copy;
	int rc;

	if (w->added >= ADDRESS_LIST_MAX)
		return walker_fail(w, _("it holds more than 1000 addresses"), err);
	if ((copy = str_ndup(s, n)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = addrlist_add(w->out, copy);
	free(copy);
	if (rc < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	w->added++;
	return 0;
}

/* The candidate of a header read for recipients. Words in a row are
 * separate addresses, as Postfix reads them ("a@x b@y"), but only when
 * each has its '@': a bare word there is a display name Postfix would
 * send to ("Bob bob@x" gives Bob@$myorigin). An encoded-word in place of
 * an address and a second '@' are refused too: Postfix would make up a
 * recipient from them. */
static int header_flush(struct walker *w, struct error *err)
{
	const char *s = w->cand.data, *end = s + w->cand.len;
	bool split = memchr(s, SPLIT, w->cand.len) != NULL;

	if (w->angle && w->phrase)
		return walker_fail(w, _("it holds a name without an address"), err);
	while (s < end) {
		const char *e = memchr(s, SPLIT, (size_t)(end - s));
		size_t n = e != NULL ? (size_t)(e - s) : (size_t)(end - s), at = count_at(s, n);

		if (split && !w->angle && at == 0)
			return walker_fail(w, _("it holds a name without an address"), err);
		if (at > 1)
			return walker_fail(w, _("an address holds more than one \"@\""), err);
		if (at == 0 && n >= 4 && memcmp(s, "=?", 2) == 0 && memcmp(s + n - 2, "?=", 2) == 0)
			return walker_fail(w,
					   _("an encoded-word (RFC 2047) stands where an address "
					     "should be"),
					   err);
		if (walker_add(w, s, n, err) < 0)
			return -1;
		s += n + (e != NULL);
	}
	cand_reset(w);
	return 0;
}

/* The candidate is complete: add it (an empty one adds nothing). */
static int walker_flush(struct walker *w, struct error *err)
{
	if (w->nomem) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (w->too_long)
		return walker_fail(w, _("an address is longer than 998 bytes"), err);
	if (w->header && w->cand.len > 0)
		return header_flush(w, err);
	if (w->cand.len > 0) {
		/* The list itself is quoted by walker_fail; the candidate has
		 * lost its spaces and would misquote the user. */
		if (w->phrase)
			return walker_fail(w, _("it holds a name without an address"), err);
		if (w->added >= ADDRESS_LIST_MAX)
			return walker_fail(w, _("it holds more than 1000 addresses"), err);
		if (addrlist_add(w->out, w->cand.data) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		w->added++;
	}
	cand_reset(w);
	return 0;
}

/* After '<': the angle-addr up to '>'. A leading obsolete route
 * (RFC 5322 §4.4, "@a,@b:") is dropped at its ':'. */
static int walker_angle(struct walker *w, struct error *err)
{
	struct token t;

	cand_reset(w);
	w->angle = true;
	for (;;) {
		if (!lex_next(&w->lx, &t))
			return walker_fail(w, w->lx.problem, err);
		if (is_special(&t, '>'))
			return 0;
		if (t.kind == TOK_END || is_special(&t, '<') || is_special(&t, ';') ||
		    (is_special(&t, ',') && (w->cand.len == 0 || w->cand.data[0] != '@')))
			return walker_fail(w, _("a \"<\" is not closed by \">\""), err);
		if (is_special(&t, ':')) {
			cand_reset(w);
			w->angle = true;
		} else if (!is_special(&t, ',')) {
			cand_add(w, &t);
		}
	}
}

/* Just past the last ';' of the list outside <...>, or 0: Postfix reads
 * the list from its end, and every ':' before a ';' starts a group there.
 * Found once, so a list of many ':' costs no more than one pass. */
static size_t last_semicolon(const char *text, size_t len)
{
	struct lexer lx = { .p = text, .n = len };
	struct token t;
	bool angle = false;
	size_t end = 0;

	while (lex_next(&lx, &t) && t.kind != TOK_END) {
		if (is_special(&t, '<') || is_special(&t, '>'))
			angle = is_special(&t, '<');
		else if (!angle && is_special(&t, ';'))
			end = lx.i;
	}
	return end;
}

/* A ':' in a header read for recipients. Postfix starts a group only
 * where a ';' follows; elsewhere it glues the ':' into an address
 * ("Bcc:carol"@$myorigin from PHP's "To: bob@x  Bcc: carol@y"), and a
 * group name that holds an address loses it. Both are refused. */
static int header_colon(struct walker *w, struct error *err)
{
	if (w->semi_end <= w->lx.i || w->angle)
		return walker_fail(
		    w,
		    _("a \":\" starts no group (\"name: address, ...;\"); was a line "
		      "break lost before a field name?"),
		    err);
	if (w->cand.len > 0 && count_at(w->cand.data, w->cand.len) > 0)
		return walker_fail(
		    w,
		    _("a group name holds an address; was a line break lost before a "
		      "field name?"),
		    err);
	cand_reset(w);
	return 0;
}

/* One token at the top level of the list. In a header read for
 * recipients, as Postfix reads it: a second <...> is another address, a
 * '>' without '<' ends the address before it; text after a <...>, which
 * Postfix would make a recipient of, is refused. */
static int walker_token(struct walker *w, const struct token *t, struct error *err)
{
	if (t->kind == TOK_END || is_special(t, ',') || is_special(t, ';'))
		return walker_flush(w, err);
	if (is_special(t, ':')) {
		if (w->header)
			return header_colon(w, err);
		cand_reset(w); /* a group's display name */
		return 0;
	}
	if (is_special(t, '<')) {
		if (w->angle && w->header && walker_flush(w, err) < 0)
			return -1;
		return w->angle ? walker_fail(w, _("a \"<\" is not closed by \">\""), err)
				: walker_angle(w, err);
	}
	if (is_special(t, '>'))
		return w->header && !w->angle ? 0 : walker_fail(w, _("a \">\" has no \"<\""), err);
	if (!w->angle)
		cand_add(w, t);
	else if (w->header)
		return walker_fail(w, _("text follows an address in \"<\" and \">\""), err);
	return 0; /* text after a <...> is ignored */
}

static int parse(const char *text, size_t len, bool header, struct addrlist *out, struct error *err)
{
	struct walker w = { .lx = { .p = text, .n = len }, .out = out, .header = header };
	struct token t;
	int rc = 0;

	buf_init(&w.cand, ADDRESS_TEXT_MAX);
	if (header)
		w.semi_end = last_semicolon(text, len);
	do {
		if (!lex_next(&w.lx, &t)) {
			rc = walker_fail(&w, w.lx.problem, err);
			break;
		}
		rc = walker_token(&w, &t, err);
	} while (rc == 0 && t.kind != TOK_END);
	buf_fini(&w.cand);
	return rc;
}

int address_parse_list(const char *text, size_t len, struct addrlist *out, struct error *err)
{
	return parse(text, len, false, out, err);
}

int address_parse_header(const char *text, size_t len, struct addrlist *out, struct error *err)
{
	return parse(text, len, true, out, err);
}
