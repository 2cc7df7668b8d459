/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expanding a local recipient through the aliases: depth first, each
 * value qualified as a local submission would be, a name met again on its
 * own expansion path delivered as it is (aliases(5): "root: root, admin"),
 * each name expanded once per recipient (a name met again elsewhere adds
 * nothing: its addresses are already there), and luser_relay for local names nobody knows, expanded
 * per recipient with the names Postfix's local(8) gives it (postconf(5) luser_relay). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/expand.h"
#include "conf/kvmap.h"
#include "mail/alias.h"
#define LUSER_VALUE_MAX ((size_t)64 * 1024)
#define LUSER_WARNED_MAX 8

struct walk {
	const struct aliases *a;
	const struct alias_ctx *ctx;
	struct addrlist *out;
	const char *top; /* the recipient expanded, for errors */
	const char *path[ALIAS_DEPTH_MAX];
	size_t depth;
	/* Names whose expansion is complete: "0name", or "1name" inside a
	 * luser_relay result, where unknown names expand differently. */
	struct kvmap done;
	bool in_luser; /* expanding a luser_relay result: not applied again */
	/* $names of luser_relay already warned about (they point into it). */
	const char *warned[LUSER_WARNED_MAX];
	size_t warned_len[LUSER_WARNED_MAX], nwarned;
};

/* What local(8) offers luser_relay, one recipient's worth. */
enum luser_attr {
	LUSER_DOMAIN,
	LUSER_EXTENSION,
	LUSER_LOCAL,
	LUSER_RECIPIENT,
	LUSER_DELIMITER,
	LUSER_USER,
	LUSER_NONE, /* $home and $shell: an unknown name has neither */
	LUSER_ATTRS
};

static const struct {
	const char *name;
	enum luser_attr attr;
} luser_names[] = {
	{ "domain", LUSER_DOMAIN },	  { "extension", LUSER_EXTENSION },
	{ "home", LUSER_NONE },		  { "local", LUSER_LOCAL },
	{ "recipient", LUSER_RECIPIENT }, { "recipient_delimiter", LUSER_DELIMITER },
	{ "shell", LUSER_NONE },	  { "user", LUSER_USER },
	{ "mailbox", LUSER_LOCAL }, /* local(8)'s undocumented synonym */
};

struct luser {
	struct walk *w;
	const char *v[LUSER_ATTRS]; /* NULL: undefined */
};

static int expand(struct walk *w, const char *addr, struct error *err);

static int deliver(struct walk *w, const char *addr, struct error *err)
{
	if (addrlist_contains(w->out, addr))
		return 0;
	if (w->out->n >= ALIAS_RESULT_MAX) {
		error_set(err, ERROR_CONFIG, _("alias expansion gives more than %d recipients"),
			  ALIAS_RESULT_MAX);
		return -1;
	}
	if (addrlist_add_unique(w->out, addr) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

/* |command, /file and :include: need a local delivery agent. */
static bool refused(const char *item, size_t len)
{
	if (len >= 2 && item[0] == '"' && item[len - 1] == '"')
		item++;
	return item[0] == '|' || item[0] == '/' || strncasecmp(item, ":include:", 9) == 0;
}

/* One item of an alias value: refuse it, or qualify and expand each of
 * its addresses. */
static int expand_item(struct walk *w, const char *name, const char *source, const char *item,
		       size_t len, struct error *err)
{
	struct addrlist list = { 0 };
	int rc = 0;

	if (len == 0)
		return 0;
	if (refused(item, len)) {
		log_warning(_("alias %s: \"%.*s\" is not supported (relaymail delivers no mail to "
			      "commands, files or :include: lists); entry ignored"),
			    name, (int)len, item);
		return 0;
	}
	if (address_parse_list(item, len, &list, err) < 0) {
		/* What was read before the bad part is in list. The value is
		 * the table's contents: only the warning quotes it, never the
		 * error, which a -bs client reads in the reply. */
		addrlist_fini(&list);
		if (err->cls != ERROR_DATA)
			return -1;
		log_warning(_("%s: alias %s: %s"), source, name, err->text);
		error_set(err, ERROR_CONFIG,
			  _("alias_maps: the alias %s for <%s> is not a list of addresses (%s)"),
			  name, w->top, source);
		return -1;
	}
	for (size_t i = 0; i < list.n && rc == 0; i++) {
		char *q = rewrite_local(w->ctx->rw, list.v[i]);

		if (q == NULL) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			rc = -1;
		} else {
			rc = expand(w, q, err);
		}
		free(q);
	}
	addrlist_fini(&list);
	return rc;
}

/* Split value at commas outside quotes and expand each item. */
static int expand_value(struct walk *w, const char *name, const char *source, const char *value,
			struct error *err)
{
	bool quoted = false;
	const char *start = value;
	int rc = 0;

	for (const char *p = value; rc == 0; p++) {
		if (quoted && *p == '\\' && p[1] != '\0') {
			p++;
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (*p == '\0' || (*p == ',' && !quoted)) {
			const char *s = str_skip_space(start);

			rc = expand_item(w, name, source, s,
					 s < p ? str_trim_len(s, (size_t)(p - s)) : 0, err);
			start = p + 1;
			if (*p == '\0')
				break;
		}
	}
	return rc;
}

static int lookup(struct walk *w, const char *local, char **value, const char **source,
		  struct error *err)
{
	const char *delims = rewriter_addrfind(w->ctx->rw)->delimiters;
	/* Postfix's split_addr: owner-list and list-request keep their '-'. */
	size_t ext = addrfind_extension_at(local, strlen(local), delims);
	char *bare;
	int rc = alias_lookup_from(w->a, local, value, source, err);

	if (rc != 0 || ext == 0)
		return rc;
	if ((bare = str_ndup(local, ext)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = alias_lookup_from(w->a, bare, value, source, err);
	free(bare);
	return rc;
}

static const char *luser_where(const struct walk *w)
{
	return w->ctx->luser_relay_where != NULL ? w->ctx->luser_relay_where : _("default");
}

/* A name local(8) does not know expands to nothing (undefined); one
 * warning per name, for who expected $mydomain to work here. */
static void luser_unsupported(struct walk *w, const char *name, size_t len)
{
	for (size_t i = 0; i < w->nwarned; i++)
		if (w->warned_len[i] == len && memcmp(w->warned[i], name, len) == 0)
			return;
	if (w->nwarned < LUSER_WARNED_MAX) {
		w->warned[w->nwarned] = name;
		w->warned_len[w->nwarned++] = len;
	}
	log_warning(_("%s: $%.*s is not expanded in luser_relay and gives the empty string; "
		      "the names expanded there are $domain, $extension, $home, $local, "
		      "$recipient, $recipient_delimiter, $shell and $user"),
		    luser_where(w), (int)len, name);
}

static int luser_resolve(void *arg, const char *name, size_t len, const char **value,
			 struct error *err)
{
	struct luser *l = arg;

	(void)err;
	for (size_t i = 0; i < sizeof(luser_names) / sizeof(luser_names[0]); i++) {
		if (strlen(luser_names[i].name) == len &&
		    memcmp(luser_names[i].name, name, len) == 0) {
			*value = l->v[luser_names[i].attr];
			return 0;
		}
	}
	*value = NULL;
	luser_unsupported(l->w, name, len);
	return 0;
}

/* luser_relay expanded for addr (external form) whose local part, in
 * internal form, is local; the result, in internal form as local(8) has
 * it, into out. */
static int luser_value(struct walk *w, const char *addr, const char *local, struct buf *out,
		       struct error *err)
{
	const char *domain = address_domain(addr);
	struct luser l = { .w = w };
	struct expand_ctx x = { luser_resolve, &l, luser_where(w), "luser_relay", NULL };
	char *lower = str_dup(local), *dom = str_dup(domain != NULL ? domain : "");
	char *rcpt = addrfind_internal(addr), *user = NULL, delim[2] = { 0 };
	size_t at = 0;
	int rc = -1;

	if (lower != NULL) {
		str_lower(lower);
		at = addrfind_extension_at(lower, strlen(lower),
					   rewriter_addrfind(w->ctx->rw)->delimiters);
		user = str_ndup(lower, at > 0 ? at : strlen(lower));
	}
	if (dom == NULL || rcpt == NULL || user == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		goto out;
	}
	str_lower(dom);
	l.v[LUSER_DOMAIN] = dom;
	l.v[LUSER_LOCAL] = lower;
	l.v[LUSER_RECIPIENT] = rcpt;
	l.v[LUSER_USER] = user;
	if (at > 0) {
		delim[0] = lower[at];
		l.v[LUSER_DELIMITER] = delim;
		l.v[LUSER_EXTENSION] = lower + at + 1;
	}
	/* As local(8): a "/" could reach a file name (~/.forward+ext). */
	if (at > 0 && strchr(lower + at + 1, '/') != NULL) {
		log_warning(_("%s: address with illegal extension (it holds \"/\"); luser_relay "
			      "gets an empty $extension"),
			    addr);
		l.v[LUSER_EXTENSION] = NULL;
	}
	rc = expand_text(&x, w->ctx->luser_relay, strlen(w->ctx->luser_relay), out, err);
out:
	free(lower);
	free(dom);
	free(rcpt);
	free(user);
	return rc;
}

/* luser_relay in place of addr: expanded, qualified, and a new recipient
 * (aliases included), as local(8) delivers it, but never to luser_relay
 * again. */
static int luser(struct walk *w, const char *addr, const char *local, struct error *err)
{
	struct buf value;
	char *ext = NULL, *q = NULL;
	int rc;

	buf_init(&value, LUSER_VALUE_MAX);
	rc = luser_value(w, addr, local, &value, err);
	if (rc == 0 && value.len == 0) {
		error_set(err, ERROR_CONFIG, _("%s: luser_relay gives an empty address for %s"),
			  luser_where(w), addr);
		rc = -1;
	}
	if (rc == 0 && ((ext = addrfind_external(value.data)) == NULL ||
			(q = rewrite_local(w->ctx->rw, ext)) == NULL)) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	if (rc == 0 && address_check_envelope(q, false, err) < 0) {
		error_prefix(err, _("%s: luser_relay gives a bad address for %s"), luser_where(w),
			     addr);
		err->cls = ERROR_CONFIG;
		rc = -1;
	}
	if (rc == 0) {
		w->in_luser = true;
		rc = expand(w, q, err);
		w->in_luser = false;
	}
	free(q);
	free(ext);
	buf_fini(&value);
	return rc;
}

static int unknown(struct walk *w, const char *addr, const char *local, struct error *err)
{
	const struct alias_ctx *c = w->ctx;

	if (w->in_luser || c->luser_relay == NULL || *c->luser_relay == '\0' ||
	    (c->is_user != NULL && c->is_user(local, c->arg)))
		return deliver(w, addr, err);
	return luser(w, addr, local, err);
}

static bool on_path(const struct walk *w, const char *local)
{
	for (size_t i = 0; i < w->depth; i++)
		if (strcasecmp(w->path[i], local) == 0)
			return true;
	return false;
}

/* The key of local in w->done (malloc'd, lower case), NULL out of memory. */
static char *done_key(const struct walk *w, const char *local)
{
	size_t len = strlen(local);
	char *key = malloc(len + 2);

	if (key == NULL)
		return NULL;
	key[0] = w->in_luser ? '1' : '0';
	memcpy(key + 1, local, len + 1);
	str_lower(key + 1);
	return key;
}

/* local has an alias: expand its value once (see alias_expand). */
static int expand_alias(struct walk *w, const char *local, const char *source, const char *value,
			struct error *err)
{
	char *key = done_key(w, local);
	int rc;

	if (key == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (kvmap_get(&w->done, key) != NULL) {
		free(key);
		return 0;
	}
	w->path[w->depth++] = local;
	rc = expand_value(w, local, source, value, err);
	w->depth--;
	if (rc == 0 && kvmap_put(&w->done, key, strlen(key), "", 0, false) < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	free(key);
	return rc;
}

static int expand(struct walk *w, const char *addr, struct error *err)
{
	const char *domain = address_domain(addr), *source = NULL;
	char *local, *at, *value = NULL;
	int rc = domain != NULL ? addrfind_local(rewriter_addrfind(w->ctx->rw), domain, err) : 0;

	if (rc < 0)
		return -1;
	if (rc == 0)
		return deliver(w, addr, err);
	if ((local = addrfind_internal(addr)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if ((at = strrchr(local, '@')) != NULL)
		*at = '\0';
	if (on_path(w, local)) {
		rc = deliver(w, addr, err);
	} else if ((rc = lookup(w, local, &value, &source, err)) == 0) {
		rc = unknown(w, addr, local, err);
	} else if (rc > 0 && w->depth == ALIAS_DEPTH_MAX) {
		/* Postfix's local(8) bounces it: "alias database loop" (5.4.6). */
		error_set(err, ERROR_CONFIG,
			  _("alias_maps: the aliases for <%s> nest more than %d deep (an alias "
			    "loop?)"),
			  w->top, ALIAS_DEPTH_MAX);
		rc = -1;
	} else if (rc > 0) {
		rc = expand_alias(w, local, source != NULL ? source : "alias_maps", value, err);
	}
	free(value);
	free(local);
	return rc;
}

int alias_expand(const struct aliases *a, const struct alias_ctx *ctx, const char *addr,
		 struct addrlist *out, struct error *err)
{
	struct walk w = { .a = a, .ctx = ctx, .out = out, .top = addr };
	int rc = expand(&w, addr, err);

	kvmap_fini(&w.done);
	return rc;
}
