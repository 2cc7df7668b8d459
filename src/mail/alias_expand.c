/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Expanding a local recipient through the aliases: depth first, each
 * value qualified as a local submission would be, a name met again on its
 * own expansion path delivered as it is (aliases(5): "root: root, admin"),
 * and luser_relay for local names nobody knows. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "mail/alias.h"

#define ALIAS_DEPTH_MAX 100
#define ALIAS_RESULT_MAX 1000

struct walk {
	const struct aliases *a;
	const struct alias_ctx *ctx;
	struct addrlist *out;
	const char *path[ALIAS_DEPTH_MAX];
	size_t depth;
};

static int expand(struct walk *w, const char *addr, struct error *err);

static int deliver(struct walk *w, const char *addr, struct error *err)
{
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
static int expand_item(struct walk *w, const char *name, const char *item, size_t len,
                       struct error *err)
{
	struct addrlist list = {0};
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
		error_prefix(err, _("alias %s"), name);
		err->cls = ERROR_CONFIG;
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
static int expand_value(struct walk *w, const char *name, const char *value, struct error *err)
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

			rc = expand_item(w, name, s, s < p ? str_trim_len(s, (size_t)(p - s)) : 0,
			                 err);
			start = p + 1;
			if (*p == '\0')
				break;
		}
	}
	return rc;
}

static int lookup(struct walk *w, const char *local, char **value, struct error *err)
{
	const char *delims = rewriter_addrfind(w->ctx->rw)->delimiters;
	size_t ext = delims != NULL && *delims != '\0' ? strcspn(local, delims) : 0;
	char *bare;
	int rc = alias_lookup(w->a, local, value, err);

	if (rc != 0 || ext == 0 || local[ext] == '\0')
		return rc;
	if ((bare = str_ndup(local, ext)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = alias_lookup(w->a, bare, value, err);
	free(bare);
	return rc;
}

static int unknown(struct walk *w, const char *addr, const char *local, struct error *err)
{
	const struct alias_ctx *c = w->ctx;
	char *q;
	int rc;

	if (c->luser_relay == NULL || *c->luser_relay == '\0' ||
	    (c->is_user != NULL && c->is_user(local, c->arg)))
		return deliver(w, addr, err);
	q = rewrite_local(c->rw, c->luser_relay);
	if (q == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = deliver(w, q, err);
	free(q);
	return rc;
}

static bool on_path(const struct walk *w, const char *local)
{
	for (size_t i = 0; i < w->depth; i++)
		if (strcasecmp(w->path[i], local) == 0)
			return true;
	return false;
}

static int expand(struct walk *w, const char *addr, struct error *err)
{
	const char *domain = address_domain(addr);
	char *local, *at, *value = NULL;
	int rc;

	if (domain == NULL || !addrfind_is_local(rewriter_addrfind(w->ctx->rw), domain))
		return deliver(w, addr, err);
	if ((local = addrfind_internal(addr)) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if ((at = strrchr(local, '@')) != NULL)
		*at = '\0';
	if (on_path(w, local) || w->depth == ALIAS_DEPTH_MAX) {
		rc = deliver(w, addr, err);
	} else if ((rc = lookup(w, local, &value, err)) == 0) {
		rc = unknown(w, addr, local, err);
	} else if (rc > 0) {
		w->path[w->depth++] = local;
		rc = expand_value(w, local, value, err);
		w->depth--;
	}
	free(value);
	free(local);
	return rc;
}

int alias_expand(const struct aliases *a, const struct alias_ctx *ctx, const char *addr,
                 struct addrlist *out, struct error *err)
{
	struct walk w = {.a = a, .ctx = ctx, .out = out};

	return expand(&w, addr, err);
}
