/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Canonical mapping (reference/postfix.md §3.1, §3.4, §3.5): the local
 * rewrite, then sender or recipient canonical maps, then canonical_maps,
 * each applied until the address stops changing. The result of a lookup
 * replaces the whole address, "@domain" keeps the local part, and an
 * extension stripped for the match is carried over. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "mail/address.h"
#include "mail/masquerade.h"
#include "mail/rewrite.h"

#define MAP_ROUNDS 10 /* Postfix's MAX_RECURSION in cleanup_map11.c */

struct rewriter {
	struct addrfind af;
	const char *mydomain;
	struct maps *sender, *recipient, *canonical;
	struct masquerade *masq;
	unsigned sender_classes, recipient_classes, canonical_classes;
	bool propagate, propagate_generic, append_at, append_dot, bangpath, percent;
};

int rewrite_classes_parse(const struct config *cfg, const char *param, unsigned *out,
			  struct error *err)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "envelope_sender", REWRITE_ENVELOPE_SENDER },
		{ "envelope_recipient", REWRITE_ENVELOPE_RECIPIENT },
		{ "header_sender", REWRITE_HEADER_SENDER },
		{ "header_recipient", REWRITE_HEADER_RECIPIENT },
	};
	char **items = config_list_split(config_get(cfg, param));
	int rc = items != NULL ? 0 : -1;

	*out = 0;
	for (size_t i = 0; items != NULL && items[i] != NULL && rc == 0; i++) {
		size_t k = 0;

		while (k < sizeof(names) / sizeof(names[0]) && !str_eq_ci(items[i], names[k].name))
			k++;
		if (k == sizeof(names) / sizeof(names[0])) {
			error_set(err, ERROR_CONFIG,
				  _("unknown %s value \"%s\" (%s); use envelope_sender, "
				    "envelope_recipient, header_sender or header_recipient"),
				  param, items[i], config_where(cfg, param));
			rc = -1;
		} else {
			*out |= names[k].bit;
		}
	}
	if (items == NULL)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	config_list_free(items);
	return rc;
}

/* propagate_unmatched_extensions: whether "canonical" and "generic" are
 * listed; every item must be one Postfix knows (the others concern its
 * delivery agents, which relaymail does not have). */
static int parse_propagate(const struct config *cfg, bool *canonical, bool *generic,
			   struct error *err)
{
	static const char *const known[] = { "canonical", "virtual", "alias",
					     "forward",	  "include", "generic" };
	const char *param = "propagate_unmatched_extensions";
	char **items = config_list_split(config_get(cfg, param));
	int rc = items != NULL ? 0 : -1;

	*canonical = false;
	*generic = false;
	if (items == NULL)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	for (size_t i = 0; items != NULL && items[i] != NULL && rc == 0; i++) {
		size_t k = 0;

		while (k < sizeof(known) / sizeof(known[0]) && !str_eq_ci(items[i], known[k]))
			k++;
		if (k == sizeof(known) / sizeof(known[0])) {
			config_bad_value(err, cfg, param, items[i],
					 _("use canonical, virtual, alias, forward, include or "
					   "generic"));
			rc = -1;
		}
		*canonical = *canonical || k == 0;
		*generic = *generic || k == 5;
	}
	config_list_free(items);
	return rc;
}

struct rewriter *rewriter_new(const struct config *cfg, const struct addrfind_own *own,
			      struct error *err)
{
	struct rewriter *rw = calloc(1, sizeof(*rw));

	if (rw == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	rw->af = addrfind_context(cfg, own);
	rw->mydomain = config_get(cfg, "mydomain");
	if (parse_propagate(cfg, &rw->propagate, &rw->propagate_generic, err) < 0 ||
	    config_get_bool(cfg, "append_at_myorigin", &rw->append_at, err) < 0 ||
	    config_get_bool(cfg, "append_dot_mydomain", &rw->append_dot, err) < 0 ||
	    config_get_bool(cfg, "swap_bangpath", &rw->bangpath, err) < 0 ||
	    config_get_bool(cfg, "allow_percent_hack", &rw->percent, err) < 0 ||
	    rewrite_classes_parse(cfg, "sender_canonical_classes", &rw->sender_classes, err) < 0 ||
	    rewrite_classes_parse(cfg, "recipient_canonical_classes", &rw->recipient_classes, err) <
		0 ||
	    rewrite_classes_parse(cfg, "canonical_classes", &rw->canonical_classes, err) < 0 ||
	    (rw->masq = masquerade_new(cfg, err)) == NULL ||
	    (rw->sender = maps_open_param(cfg, "sender_canonical_maps", 0, err)) == NULL ||
	    (rw->recipient = maps_open_param(cfg, "recipient_canonical_maps", 0, err)) == NULL ||
	    (rw->canonical = maps_open_param(cfg, "canonical_maps", 0, err)) == NULL) {
		rewriter_free(rw);
		return NULL;
	}
	return rw;
}

void rewriter_free(struct rewriter *rw)
{
	if (rw == NULL)
		return;
	maps_free(rw->sender);
	maps_free(rw->recipient);
	maps_free(rw->canonical);
	masquerade_free(rw->masq);
	free(rw);
}

const struct addrfind *rewriter_addrfind(const struct rewriter *rw)
{
	return &rw->af;
}

/* site!user -> user@site, user%domain -> user@domain (internal form,
 * only for an address without '@'). -1 out of memory, b unchanged. */
static int swap_route(const struct rewriter *rw, struct buf *b)
{
	char *bang = rw->bangpath ? strchr(b->data, '!') : NULL;
	char *pct = rw->percent ? strrchr(b->data, '%') : NULL;
	struct buf out = { 0 };

	if (bang != NULL && bang != b->data && bang[1] != '\0') {
		*bang = '\0';
		if (buf_printf(&out, "%s@%s", bang + 1, b->data) < 0) {
			*bang = '!';
			return -1;
		}
		buf_fini(b);
		*b = out;
	} else if (pct != NULL && pct != b->data && pct[1] != '\0') {
		*pct = '@';
	}
	return 0;
}

char *rewrite_local(const struct rewriter *rw, const char *addr)
{
	const char *colon = addr[0] == '@' ? strchr(addr, ':') : NULL;
	struct buf b = { 0 };
	char *in, *out = NULL;
	const char *domain;
	bool has_domain;
	int rc;

	if (colon != NULL)
		addr = colon + 1; /* source route @a,@b:user@d */
	if (*addr == '\0')
		return str_dup("");
	has_domain = address_domain(addr) != NULL;
	in = addrfind_internal(addr);
	rc = in != NULL ? buf_append_str(&b, in) : -1;
	free(in);
	if (rc == 0 && !has_domain && strchr(addr, '"') == NULL) {
		rc = swap_route(rw, &b);
		has_domain = strchr(b.data, '@') != NULL;
	}
	if (rc == 0 && !has_domain && rw->append_at && *rw->af.myorigin != '\0')
		rc = buf_printf(&b, "@%s", rw->af.myorigin);
	domain = rc == 0 ? strrchr(b.data, '@') : NULL;
	if (domain != NULL && rw->append_dot && strchr(domain, '.') == NULL && domain[1] != '[' &&
	    *rw->mydomain != '\0')
		rc = buf_printf(&b, ".%s", rw->mydomain);
	if (rc == 0 && b.len > 1 && b.data[b.len - 1] == '.' && strrchr(b.data, '@') != NULL)
		b.data[--b.len] = '\0';
	if (rc == 0)
		out = addrfind_external(b.data);
	buf_fini(&b);
	return out;
}

/* Insert the extension before the '@' of addr (external form). */
static char *add_extension(const char *addr, const char *ext)
{
	char *in = addrfind_internal(addr), *at, *out = NULL;
	struct buf b = { 0 };

	if (in == NULL)
		return NULL;
	at = strrchr(in, '@');
	if (at != NULL)
		*at = '\0';
	if (buf_printf(&b, "%s%s%s%s", in, ext, at != NULL ? "@" : "", at != NULL ? at + 1 : "") ==
	    0)
		out = addrfind_external(b.data);
	buf_fini(&b);
	free(in);
	return out;
}

/* The lookup result as one address (§3.5): "@domain" keeps the local part,
 * the result is parsed and qualified, the first of several is used, and
 * the unmatched extension is carried over when configured. */
static int result_address(const struct rewriter *rw, const char *title, const char *addr,
			  const struct addrfind_hit *hit, bool propagate, char **out,
			  struct error *err)
{
	struct addrlist list = { 0 };
	struct error perr = { 0 };
	struct buf b = { 0 };
	char *value = hit->value, *q = NULL, *local;

	if (value[0] == '@') {
		if (buf_printf(&b, "%s%s", hit->localpart, value) < 0 ||
		    (q = addrfind_external(b.data)) == NULL) {
			buf_fini(&b);
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		value = q;
	}
	/* A result that does not parse is the table's fault; running out
	 * of memory while parsing it is not. */
	if (address_parse_list(value, strlen(value), &list, &perr) < 0 && perr.cls != ERROR_DATA) {
		*err = perr;
		addrlist_fini(&list);
		buf_fini(&b);
		free(q);
		return -1;
	}
	if (perr.cls == ERROR_DATA || list.n == 0) {
		log_warning(_("%s lookup of %s returns non-address result \"%s\""), title, addr,
			    hit->value);
		error_set(err, ERROR_TEMP,
			  _("%s lookup of %s returns a result that is not an address: \"%s\""),
			  title, addr, hit->value);
		addrlist_fini(&list);
		buf_fini(&b);
		free(q);
		return -1;
	}
	if (list.n > 1)
		log_warning(_("multi-valued %s entry for %s; using the first address, %s"), title,
			    addr, list.v[0]);
	local = rewrite_local(rw, list.v[0]);
	*out =
	    local != NULL && propagate && hit->ext != NULL ? add_extension(local, hit->ext) : local;
	if (*out != local)
		free(local);
	addrlist_fini(&list);
	buf_fini(&b);
	free(q);
	if (*out == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

int rewrite_map_once(const struct rewriter *rw, const struct maps *m, const char *title,
		     const char *addr, enum rewrite_propagate which, char **out, struct error *err)
{
	bool propagate = which == REWRITE_PROPAGATE_GENERIC ? rw->propagate_generic : rw->propagate;
	struct addrfind_hit hit;
	int rc = addrfind_lookup(&rw->af, m, addr, 0, &hit, err);

	*out = NULL;
	if (rc <= 0) {
		if (rc < 0)
			error_prefix(err, _("%s lookup problem for %s"), title, addr);
		return rc;
	}
	rc = result_address(rw, title, addr, &hit, propagate, out, err);
	addrfind_hit_fini(&hit);
	return rc < 0 ? -1 : 1;
}

/* One map list applied until the address is stable (cleanup_map11). */
static int map_rounds(const struct rewriter *rw, const struct maps *m, const char *title,
		      char **addr, struct error *err)
{
	for (int round = 0; round < MAP_ROUNDS; round++) {
		char *next;
		bool same;
		int rc =
		    rewrite_map_once(rw, m, title, *addr, REWRITE_PROPAGATE_CANONICAL, &next, err);

		if (rc <= 0)
			return rc;
		same = strcasecmp(next, *addr) == 0;
		free(*addr);
		*addr = next;
		if (same)
			return 0;
	}
	log_warning(_("unreasonable %s map nesting for %s"), title, *addr);
	return 0;
}

/* Masquerading after the maps (cleanup_addr.c): *addr replaced. */
static int masquerade_step(const struct rewriter *rw, char **addr, struct error *err)
{
	char *masked;

	if (masquerade_address(rw->masq, *addr, &masked, err) < 0) {
		free(*addr);
		*addr = NULL;
		return -1;
	}
	free(*addr);
	*addr = masked;
	return 0;
}

static int rewrite_with(const struct rewriter *rw, const struct maps *first,
			const char *first_title, unsigned first_classes, const char *addr,
			enum rewrite_class cls, char **out, struct error *err)
{
	*out = addrfind_external(addr);
	if (*out == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	/* The null sender is looked up as "" but stays null when no entry
	 * matches it. */
	if (((first_classes & cls) && !maps_empty(first) &&
	     map_rounds(rw, first, first_title, out, err) < 0) ||
	    ((rw->canonical_classes & cls) && !maps_empty(rw->canonical) &&
	     map_rounds(rw, rw->canonical, "canonical_maps", out, err) < 0)) {
		free(*out);
		*out = NULL;
		return -1;
	}
	if (strcmp(*out, "\"\"") == 0)
		(*out)[0] = '\0';
	return masquerade_applies(rw->masq, cls) ? masquerade_step(rw, out, err) : 0;
}

int rewrite_sender(const struct rewriter *rw, const char *addr, enum rewrite_class cls, char **out,
		   struct error *err)
{
	return rewrite_with(rw, rw->sender, "sender_canonical_maps", rw->sender_classes, addr, cls,
			    out, err);
}

int rewrite_recipient(const struct rewriter *rw, const char *addr, enum rewrite_class cls,
		      char **out, struct error *err)
{
	return rewrite_with(rw, rw->recipient, "recipient_canonical_maps", rw->recipient_classes,
			    addr, cls, out, err);
}
