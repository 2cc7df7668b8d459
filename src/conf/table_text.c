/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fixed-key tables: texthash: and the hash: family read from their
 * postmap source text (reference/postfix.md §2.2), inline:{...} and
 * static: (§2.5). Keys are folded to lower case when stored and when
 * looked up, as postmap and Postfix's fixed tables do. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/casefold.h"
#include "conf/kvmap.h"
#include "conf/lines.h"
#include "conf/list.h"
#include "conf/table_impl.h"
#include "conf/textfile.h"

#define TEXT_LINE_MAX ((size_t)64 * 1024)

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

static int fixed_lookup(const void *impl, const char *key, char **value, struct error *err)
{
	const char *v = kvmap_get(impl, key);

	if (v == NULL)
		return 0;
	if ((*value = str_dup(v)) == NULL)
		return nomem(err);
	return 1;
}

/* Also the cleanup of a map being loaded: impl is never NULL. */
static void fixed_free(void *impl)
{
	kvmap_fini(impl);
	free(impl);
}

static const struct table_ops fixed_ops = { fixed_lookup, fixed_free, false };

#define KEY_OPEN_QUOTE ((size_t)-1)

/* Where the key at the start of s ends, scanned as dict_thash and
 * Postfix's split_qnameval do: at the first whitespace (or "=" when
 * at_equals) outside double quotes, a backslash escaping the next byte
 * inside quotes or not. KEY_OPEN_QUOTE when a quote is left open. */
static size_t key_end(const char *s, size_t len, bool at_equals)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\') {
			if (++i == len)
				break;
		} else if (s[i] == '"') {
			quoted = !quoted;
		} else if (!quoted &&
			   (lines_is_space((unsigned char)s[i]) || (at_equals && s[i] == '='))) {
			break;
		}
	}
	return quoted ? KEY_OPEN_QUOTE : i;
}

/* Length of the key at the start of s, scanned as postmap and
 * dict_thash do: up to the first whitespace outside double quotes, a
 * backslash escaping the next byte inside quotes or not. 0 when a quote
 * is left open. */
static size_t key_length(const char *s, size_t len)
{
	size_t i = key_end(s, len, false);

	return i == KEY_OPEN_QUOTE ? 0 : i;
}

/* One logical line "key whitespace value", with the warnings of
 * dict_thash (texthash:) or of postmap building the compiled file (the
 * hash: family). */
static int text_line(struct kvmap *m, const char *name, unsigned flags, bool texthash,
		     size_t lineno, char *s, size_t len)
{
	bool utf8 = (flags & TABLE_UTF8) != 0, secret = (flags & TABLE_SECRET) != 0;
	size_t klen, v;
	char *key;
	int rc;

	/* A secret's lines hold passwords: warnings give the line number. */
	if (lines_is_space((unsigned char)s[0]) && secret) {
		log_notice(_("%s, line %zu: ignoring a line that starts with whitespace"), name,
			   lineno);
		return 0;
	}
	if (lines_is_space((unsigned char)s[0])) {
		lines_warn_leading(name, s);
		return 0;
	}
	if (utf8 && !str_is_utf8(s, len)) {
		if (secret)
			log_notice(_("%s, line %zu: non-UTF-8 input -- ignoring this line"), name,
				   lineno);
		else
			log_notice(_("%s, line %zu: non-UTF-8 input \"%s\" -- ignoring this line"),
				   name, lineno, s);
		return 0;
	}
	if ((klen = key_length(s, len)) == 0) {
		if (secret)
			log_notice(_("%s, line %zu: unbalanced '\"' -- ignoring this line"), name,
				   lineno);
		else
			log_notice(_("%s, line %zu: unbalanced '\"' in '%s' -- ignoring this line"),
				   name, lineno, s);
		return 0;
	}
	for (v = klen; v < len && lines_is_space((unsigned char)s[v]); v++)
		;
	if (v == len && texthash) {
		log_notice(_("%s, line %zu: expected format: key whitespace value -- ignoring "
			     "this line"),
			   name, lineno);
		return 0;
	}
	if (v == len) {
		log_notice(_("%s, line %zu: expected format: key whitespace value"), name, lineno);
		return 0;
	}
	if (s[klen - 1] == ':')
		log_notice(_("%s, line %zu: record is in \"key: value\" format; is this an alias "
			     "file?"),
			   name, lineno);
	s[klen] = '\0';
	if ((key = casefold_dup(s, utf8)) == NULL)
		return -1;
	/* postmap names the .db file for a duplicate; the source line says
	 * more. */
	if ((rc = kvmap_put(m, key, strlen(key), s + v, len - v, false)) == 0)
		log_notice(_("%s, line %zu: duplicate entry: \"%s\""), name, lineno, key);
	free(key);
	return rc < 0 ? -1 : 0;
}

static int text_parse(struct kvmap *m, const char *name, bool texthash, unsigned flags,
		      const char *text, size_t len, struct error *err)
{
	struct lines l;
	struct buf line;
	size_t lineno = 0;
	int rc;

	lines_init(&l, name, text, len);
	buf_init(&line, TEXT_LINE_MAX);
	line.secret = (flags & TABLE_SECRET) != 0;
	while ((rc = lines_next(&l, &line, &lineno, err)) == 1)
		if ((rc = text_line(m, name, flags, texthash, lineno, line.data, line.len)) < 0) {
			nomem(err);
			break;
		}
	buf_wipe(&line);
	return rc < 0 ? -1 : 0;
}

/* The source is missing: say so, and say more when only the compiled
 * file postmap made from it is there (or out of memory, when the name of
 * that file cannot be made). */
static void explain_missing(const char *name, const char *suffix, struct error *err)
{
	struct buf compiled = { 0 };
	struct stat st;

	if (suffix == NULL)
		return;
	if (buf_printf(&compiled, "%s%s", name, suffix) < 0)
		nomem(err);
	else if (stat(compiled.data, &st) == 0)
		error_set(err, ERROR_CONFIG,
			  _("only the compiled table %s exists, but relaymail reads the source "
			    "text %s: keep the file you ran postmap on next to it"),
			  compiled.data, name);
	buf_fini(&compiled);
}

int table_text_open(struct table *t, const char *name, const char *compiled_suffix, unsigned flags,
		    struct error *err)
{
	struct kvmap *m = calloc(1, sizeof(*m));
	struct buf text = { 0 };
	bool absent = false;
	int rc = -1;

	if (m == NULL)
		return nomem(err);
	if (textfile_read(name, (flags & TABLE_SECRET) != 0, &text, &absent, err) < 0) {
		if (absent)
			explain_missing(name, compiled_suffix, err);
	} else {
		rc = text_parse(m, name, compiled_suffix == NULL, flags, text.data, text.len, err);
	}
	buf_wipe(&text);
	if (rc < 0) {
		fixed_free(m);
		return -1;
	}
	t->ops = &fixed_ops;
	t->impl = m;
	return 0;
}

static size_t trim_len(const char *s, size_t n)
{
	while (n > 0 && lines_is_space((unsigned char)s[n - 1]))
		n--;
	return n;
}

/* One "key=value" or "{ key = value }" element of inline:{...}, as
 * Postfix's split_qnameval reads it: the key (which may be empty, or
 * quoted) ends at whitespace or "=", and only whitespace may come
 * between it and the "="; the value is trimmed. */
static int inline_item(struct kvmap *m, const struct table *t, bool utf8, const char *s, size_t n,
		       struct error *err)
{
	size_t klen = key_end(s, n, true), i;
	const char *v;
	char *key, *folded;
	int rc;

	for (i = klen; klen != KEY_OPEN_QUOTE && i < n && lines_is_space((unsigned char)s[i]); i++)
		;
	if ((n == 0 || klen == KEY_OPEN_QUOTE || i == n || s[i] != '=') && t->secret) {
		error_set(err, ERROR_CONFIG, _("%s: expected key=value or {key = value}"),
			  t->shown);
		return -1;
	}
	if (n == 0 || klen == KEY_OPEN_QUOTE || i == n || s[i] != '=') {
		error_set(err, ERROR_CONFIG,
			  _("%s: expected key=value or {key = value}, found \"%.*s\""), t->spec,
			  (int)n, s);
		return -1;
	}
	for (v = s + i + 1; v < s + n && lines_is_space((unsigned char)*v); v++)
		;
	n = trim_len(v, (size_t)(s + n - v));
	if ((key = str_ndup(s, klen)) == NULL)
		return nomem(err);
	folded = casefold_dup(key, utf8);
	free(key);
	if (folded == NULL)
		return nomem(err);
	rc = kvmap_put(m, folded, strlen(folded), v, n, true);
	free(folded);
	return rc < 0 ? nomem(err) : 0;
}

int table_inline_open(struct table *t, const char *name, unsigned flags, struct error *err)
{
	bool utf8 = (flags & TABLE_UTF8) != 0;

	struct kvmap *m = calloc(1, sizeof(*m));
	const char *in, *item;
	size_t len, pos = 0, ilen;
	bool group;

	if (m == NULL)
		return nomem(err);
	if (utf8 && !str_is_utf8(name, strlen(name))) {
		error_set(err, ERROR_CONFIG,
			  _("%s: the inline table is not valid UTF-8 (smtputf8_enable = yes)"),
			  t->shown);
		goto fail;
	}
	if (!list_group(name, strlen(name), &in, &len)) {
		error_set(err, ERROR_CONFIG,
			  _("%s: write an inline table as inline:{ key=value, "
			    "{ key = value } }"),
			  t->shown);
		goto fail;
	}
	while (list_next(in, len, &pos, &item, &ilen, &group)) {
		/* "{a=1}x": Postfix's extpar refuses text after the group. */
		if (item[0] == '{' && !group) {
			error_set(err, ERROR_CONFIG,
				  _("%s: text after the closing \"}\" of \"%.*s\"; write "
				    "{ key = value }"),
				  t->shown, t->secret ? 3 : (int)ilen, t->secret ? "..." : item);
			goto fail;
		}
		if (inline_item(m, t, utf8, item, ilen, err) < 0)
			goto fail;
	}
	if (m->n == 0) {
		error_set(err, ERROR_CONFIG, _("%s: the inline table is empty"), t->shown);
		goto fail;
	}
	t->ops = &fixed_ops;
	t->impl = m;
	return 0;
fail:
	fixed_free(m);
	return -1;
}

static int static_lookup(const void *impl, const char *key, char **value, struct error *err)
{
	(void)key;
	if ((*value = str_dup(impl)) == NULL)
		return nomem(err);
	return 1;
}

static void static_free(void *impl)
{
	str_wipe(impl, strlen(impl));
	free(impl);
}

static const struct table_ops static_ops = { static_lookup, static_free, false };

int table_static_open(struct table *t, const char *name, struct error *err)
{
	const char *in = name;
	size_t n = strlen(name), len = n;

	if (name[0] == '{' && !list_group(name, n, &in, &len)) {
		error_set(err, ERROR_CONFIG,
			  _("%s: unbalanced braces, or text after them; write static:{ text }"),
			  t->shown);
		return -1;
	}
	if ((t->impl = str_ndup(in, len)) == NULL)
		return nomem(err);
	t->ops = &static_ops;
	return 0;
}
