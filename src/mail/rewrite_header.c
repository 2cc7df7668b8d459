/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rewriting the addresses in sender-class and recipient-class header
 * fields (reference/postfix.md §3.1, §3.2). A field is split into its
 * mailboxes (groups kept), each address goes through the same rewriting
 * as the envelope, and only a field where something changed is
 * regenerated, keeping display names and comments. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "mail/address.h"
#include "mail/rewrite.h"

#define FOLD_BEFORE 70 /* cleanup_fold_header in Postfix's cleanup_message.c */

static const char *const sender_fields[] = {
	"From",
	"Sender",
	"Reply-To",
	"Return-Path",
	"Errors-To",
	"Return-Receipt-To",
	"Disposition-Notification-To",
	"Mail-Followup-To",
	"Resent-From",
	"Resent-Sender",
};
static const char *const recipient_fields[] = {
	"To",	     "Cc",	  "Bcc",	"Apparently-To",
	"Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Reply-To",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq_ci(name, list[i]))
			return true;
	return false;
}

/* How a field went: done (changed or not), left alone because its
 * syntax is not understood (Postfix's rule: such a field goes out as it
 * came), or failed with the error set. */
enum field_outcome { FIELD_DONE, FIELD_NOT_UNDERSTOOD, FIELD_FAILED };

static enum field_outcome field_nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return FIELD_FAILED;
}

/* One piece of a field: a mailbox, or group syntax kept as it is. */
struct piece {
	const char *s;
	size_t len;
	bool mailbox;
};

/* As many as the field has, which the intake keeps under
 * header_size_limit. */
struct pieces {
	struct piece *v;
	size_t n, cap;
};

/* -1 out of memory. */
static int piece_add(struct pieces *ps, const char *s, size_t len, bool mailbox)
{
	const char *end = s + len;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s == end)
		return 0;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap < 16 ? 16 : ps->cap * 2;
		struct piece *v = realloc(ps->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		ps->v = v;
		ps->cap = cap;
	}
	ps->v[ps->n++] = (struct piece){ s, (size_t)(end - s), mailbox };
	return 0;
}

/* Quoted strings, nested comments and domain literals with their quoted
 * pairs (RFC 5322 §3.2.1, §3.2.2, §3.2.4, §3.4.1), followed one byte at a
 * time. */
struct scan {
	size_t depth; /* of comments */
	bool quoted, literal, escaped;
};

/* Feed the next byte: true when it is plain text, outside quoted strings,
 * comments and domain literals ("[IPv6:::1]" holds colons) and none of
 * their delimiters. */
static bool scan_plain(struct scan *sc, char c)
{
	if (sc->escaped)
		sc->escaped = false;
	else if ((sc->quoted || sc->literal || sc->depth > 0) && c == '\\')
		sc->escaped = true;
	else if (sc->quoted)
		sc->quoted = c != '"';
	else if (sc->literal)
		sc->literal = c != ']';
	else if (c == '[' && sc->depth == 0)
		sc->literal = true;
	else if (c == '(')
		sc->depth++;
	else if (sc->depth > 0)
		sc->depth -= c == ')';
	else if (c == '"')
		sc->quoted = true;
	else
		return true;
	return false;
}

/* Split an unfolded value at top-level commas; "name:" and ";" of a group
 * become literal pieces. */
static enum field_outcome split_field(const char *v, size_t n, struct pieces *ps, struct error *err)
{
	struct scan sc = { 0 };
	size_t start = 0;
	bool angle = false, group = false;

	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		if (!scan_plain(&sc, c)) {
			continue;
		} else if (c == '<' || c == '>') {
			angle = c == '<';
		} else if (!angle && (c == ',' || (c == ';' && group))) {
			if (piece_add(ps, v + start, i - start, true) < 0 ||
			    (c == ';' && piece_add(ps, ";", 1, false) < 0))
				return field_nomem(err);
			group = group && c != ';';
			start = i + 1;
		} else if (!angle && c == ':' && !group) {
			if (piece_add(ps, v + start, i + 1 - start, false) < 0)
				return field_nomem(err);
			group = true;
			start = i + 1;
		}
	}
	if (sc.quoted || sc.literal || sc.depth > 0 || angle || group)
		return FIELD_NOT_UNDERSTOOD;
	return piece_add(ps, v + start, n - start, true) < 0 ? field_nomem(err) : FIELD_DONE;
}

/* The first c in s[0..n) that is plain text, or NULL. */
static const char *find_plain(const char *s, size_t n, char c)
{
	struct scan sc = { 0 };

	for (size_t i = 0; i < n; i++)
		if (scan_plain(&sc, s[i]) && s[i] == c)
			return s + i;
	return NULL;
}

/* Append each top-level comment of s[0..n), with a space between two and
 * before the first when space; a "(" in a quoted string opens none. */
static int append_comments(struct buf *b, const char *s, size_t n, bool space)
{
	struct scan sc = { 0 };
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		size_t depth = sc.depth;

		scan_plain(&sc, s[i]);
		if (depth == 0 && sc.depth == 1) {
			start = i;
		} else if (depth == 1 && sc.depth == 0) {
			if (buf_printf(b, "%s%.*s", space ? " " : "", (int)(i + 1 - start),
				       s + start) < 0)
				return -1;
			space = true;
		}
	}
	return 0;
}

/* The mailbox text with its address replaced: "phrase <new>" and the
 * comments after the angle-addr, or, for a bare addr-spec, "new" and its
 * comments (where Postfix puts them too). Spaces as Postfix's
 * tok822_externalize has them: none after the ">", one between words. */
static int regenerate(struct buf *b, const struct piece *p, const char *addr)
{
	const char *end = p->s + p->len;
	const char *lt = find_plain(p->s, p->len, '<');
	const char *gt = lt != NULL ? find_plain(lt, (size_t)(end - lt), '>') : NULL;
	size_t plen = lt != NULL ? str_trim_len(p->s, (size_t)(lt - p->s)) : 0;

	if (lt == NULL)
		return buf_append_str(b, addr) < 0 ? -1 : append_comments(b, p->s, p->len, true);
	if ((plen > 0 ? buf_printf(b, "%.*s <%s>", (int)plen, p->s, addr)
		      : buf_printf(b, "<%s>", addr)) < 0)
		return -1;
	return gt != NULL ? append_comments(b, gt + 1, (size_t)(end - gt - 1), false) : 0;
}

/* The canonical rewriting of one header address (arg: the rewriter). */
static int rewrite_one(void *arg, bool sender, const char *addr, char **out, struct error *err)
{
	const struct rewriter *rw = arg;
	char *local = rewrite_local(rw, addr);
	int rc;

	if (local == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = sender ? rewrite_sender(rw, local, REWRITE_HEADER_SENDER, out, err)
		    : rewrite_recipient(rw, local, REWRITE_HEADER_RECIPIENT, out, err);
	free(local);
	return rc;
}

/* Postfix's layout of a field it regenerated (cleanup_fold_header): v
 * holds a line break after each comma; a break becomes a space while the
 * line, counted without its indent, stays under FOLD_BEFORE bytes, and
 * otherwise starts a continuation line indented with a TAB
 * (cleanup_out_header). col is the width of "Name: " before v. */
static int fold(struct buf *out, const char *v, size_t col)
{
	size_t line = col;
	int rc = 0;

	for (const char *seg = v; rc == 0;) {
		const char *nl = strchr(seg, '\n');
		size_t n = nl != NULL ? (size_t)(nl - seg) : strlen(seg);

		if (seg != v) {
			bool join = line + 1 + n < FOLD_BEFORE;

			rc = buf_append_str(out, join ? " " : "\r\n\t");
			line = join ? line + 1 : 0;
		}
		line += n;
		if (rc == 0)
			rc = buf_append(out, seg, n);
		if (nl == NULL)
			break;
		seg = nl + 1;
	}
	return rc;
}

/* What goes before piece i: nothing first, a space after a group's
 * "name:" (before an empty group's ";" too, as Postfix writes it),
 * nothing before a group's ";", else a comma and the line break fold may
 * turn into a space. */
static const char *separator(const struct pieces *ps, size_t i)
{
	const struct piece *prev = i > 0 ? &ps->v[i - 1] : NULL;

	if (prev == NULL)
		return "";
	if (!prev->mailbox && prev->s[prev->len - 1] == ':')
		return " ";
	if (!ps->v[i].mailbox && ps->v[i].s[0] == ';')
		return "";
	return ",\n";
}

/* Mailbox p into b, its address rewritten; *changed set when it
 * differs. */
static enum field_outcome mailbox(const struct rewrite_field_map *fm, bool sender,
				  const struct piece *p, struct buf *b, bool *changed,
				  struct error *err)
{
	struct addrlist list = { 0 };
	struct error perr = { 0 };
	char *orig = NULL, *now = NULL;
	enum field_outcome r = FIELD_DONE;
	int mapped = 0;

	/* Only a syntax error (ERROR_DATA) means "not understood". */
	if (address_parse_list(p->s, p->len, &list, &perr) < 0 && perr.cls != ERROR_DATA) {
		*err = perr;
		r = FIELD_FAILED;
	} else if (perr.cls == ERROR_DATA || list.n != 1) {
		r = FIELD_NOT_UNDERSTOOD;
	} else if ((orig = addrfind_external(list.v[0])) == NULL) {
		r = field_nomem(err);
	} else if ((mapped = fm->fn(fm->arg, sender, orig, &now, err)) < 0) {
		r = FIELD_FAILED;
	} else if (mapped == 0 && strcmp(now, orig) == 0) {
		if (buf_append(b, p->s, p->len) < 0)
			r = field_nomem(err);
	} else {
		*changed = true;
		if (regenerate(b, p, now) < 0)
			r = field_nomem(err);
	}
	addrlist_fini(&list);
	free(orig);
	free(now);
	return r;
}

/* Rewrite each mailbox; *changed tells whether any address differs. */
static enum field_outcome build(const struct rewrite_field_map *fm, bool sender,
				const struct pieces *ps, struct buf *b, bool *changed,
				struct error *err)
{
	enum field_outcome r = FIELD_DONE;

	for (size_t i = 0; i < ps->n && r == FIELD_DONE; i++) {
		const struct piece *p = &ps->v[i];

		if (buf_append_str(b, separator(ps, i)) < 0)
			r = field_nomem(err);
		else if (p->mailbox)
			r = mailbox(fm, sender, p, b, changed, err);
		else if (buf_append(b, p->s, p->len) < 0)
			r = field_nomem(err);
	}
	return r;
}

/* value without its line breaks into flat. No cap of its own: the intake
 * keeps the whole header under header_size_limit, and a field it took is
 * rewritten whatever its size, never refused here. */
static enum field_outcome unfold(struct buf *flat, const char *value, struct error *err)
{
	size_t n = 0;

	for (const char *p = value; *p != '\0'; p++)
		n += *p != '\r' && *p != '\n';
	if (buf_reserve(flat, n) < 0)
		return field_nomem(err);
	for (const char *p = value; *p != '\0'; p++)
		if (*p != '\r' && *p != '\n')
			flat->data[flat->len++] = *p;
	flat->data[flat->len] = '\0';
	return FIELD_DONE;
}

int rewrite_header_value(const struct rewriter *rw, const char *name, const char *value, char **out,
			 struct error *err)
{
	struct rewrite_field_map fm = { rewrite_one, (void *)rw };

	return rewrite_header_value_map(&fm, name, value, out, err);
}

int rewrite_header_value_map(const struct rewrite_field_map *fm, const char *name,
			     const char *value, char **out, struct error *err)
{
	bool sender =
	    in_list(name, sender_fields, sizeof(sender_fields) / sizeof(sender_fields[0]));
	struct pieces ps = { 0 };
	struct buf flat = { 0 }, b = { 0 }, folded = { 0 };
	bool changed = false;
	enum field_outcome r;

	*out = NULL;
	if (!sender && !in_list(name, recipient_fields,
				sizeof(recipient_fields) / sizeof(recipient_fields[0])))
		return 0;
	r = unfold(&flat, value, err);
	if (r == FIELD_DONE)
		r = split_field(flat.data, flat.len, &ps, err);
	if (r == FIELD_DONE)
		r = build(fm, sender, &ps, &b, &changed, err);
	if (r == FIELD_DONE && changed &&
	    (fold(&folded, b.data, strlen(name) + 2) < 0 || (*out = buf_steal(&folded)) == NULL))
		r = field_nomem(err);
	buf_fini(&flat);
	buf_fini(&b);
	buf_fini(&folded);
	free(ps.v);
	return r == FIELD_FAILED ? -1 : 0;
}

int rewrite_headers(const struct rewriter *rw, struct message *m, struct error *err)
{
	int rc = 0;

	/* Only a field whose addresses changed is regenerated; every other
	 * one goes out exactly as it came in. */
	for (size_t i = 0; i < message_header_count(m) && rc == 0; i++) {
		char *now = NULL;

		if (message_header_verbatim(m, i))
			continue;
		rc = rewrite_header_value(rw, message_header_name(m, i), message_header_value(m, i),
					  &now, err);
		if (rc == 0 && now != NULL && message_header_set(m, i, now) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
		}
		free(now);
	}
	return rc;
}
