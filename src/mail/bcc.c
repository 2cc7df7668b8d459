/* SPDX-License-Identifier: GPL-3.0-or-later */
/* always_bcc, sender_bcc_maps and recipient_bcc_maps: the tables opened
 * once, a lookup per address, the result read as one address. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "conf/table.h"
#include "mail/addrfind.h"
#include "mail/bcc.h"

struct bcc {
	const struct rewriter *rw;
	struct maps *sender, *recipient;
	char *always; /* the address of always_bcc, or NULL */
};

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* value as one address: the first of a list. 0 and *out NULL when it
 * holds none or cannot be read. */
static int one_address(const char *value, char **out, size_t *n, struct error *err)
{
	struct addrlist list = { 0 };
	struct error perr = { 0 };

	*out = NULL;
	*n = 0;
	if (address_parse_list(value, strlen(value), &list, &perr) < 0 && perr.cls != ERROR_DATA) {
		*err = perr;
		addrlist_fini(&list);
		return -1;
	}
	if (perr.cls != ERROR_DATA && list.n > 0) {
		*n = list.n;
		*out = list.v[0];
		list.v[0] = NULL;
	}
	for (size_t i = 1; i < list.n; i++)
		free(list.v[i]);
	free(list.v);
	return 0;
}

struct bcc *bcc_new(const struct config *cfg, const struct rewriter *rw, struct error *err)
{
	const char *always = config_get(cfg, "always_bcc");
	struct bcc *b = calloc(1, sizeof(*b));
	size_t n;

	if (b == NULL) {
		nomem(err);
		return NULL;
	}
	b->rw = rw;
	if (*always != '\0' && one_address(always, &b->always, &n, err) < 0) {
		bcc_free(b);
		return NULL;
	}
	if (*always != '\0' && (b->always == NULL || n > 1 || b->always[0] == '\0')) {
		config_bad_value(err, cfg, "always_bcc", always,
				 _("use one address, such as archive@example.com"));
		bcc_free(b);
		return NULL;
	}
	if ((b->sender = maps_open_param(cfg, "sender_bcc_maps", 0, err)) == NULL ||
	    (b->recipient = maps_open_param(cfg, "recipient_bcc_maps", 0, err)) == NULL) {
		bcc_free(b);
		return NULL;
	}
	return b;
}

void bcc_free(struct bcc *b)
{
	if (b == NULL)
		return;
	maps_free(b->sender);
	maps_free(b->recipient);
	free(b->always);
	free(b);
}

static int lookup(const struct bcc *b, const struct maps *m, const char *title, const char *addr,
		  struct addrlist *out, struct error *err)
{
	struct addrfind_hit hit;
	char *copy = NULL;
	size_t n;
	int rc;

	if (*addr == '\0' || maps_empty(m))
		return 0;
	rc = addrfind_lookup(rewriter_addrfind(b->rw), m, addr, 0, &hit, err);
	if (rc <= 0) {
		if (rc < 0)
			error_prefix(err, _("%s lookup problem for %s"), title, addr);
		return rc;
	}
	rc = one_address(hit.value, &copy, &n, err);
	if (rc == 0 && (copy == NULL || copy[0] == '\0')) {
		error_set(err, ERROR_CONFIG,
			  _("%s lookup of %s returns a result that is not an address: \"%s\""),
			  title, addr, hit.value);
		rc = -1;
	}
	if (rc == 0 && n > 1)
		log_warning(_("multi-valued %s entry for %s; using the first address, %s"), title,
			    addr, copy);
	if (rc == 0 && addrlist_add_unique(out, copy) < 0)
		rc = nomem(err);
	free(copy);
	addrfind_hit_fini(&hit);
	return rc;
}

int bcc_sender(const struct bcc *b, const char *sender, struct addrlist *out, struct error *err)
{
	return lookup(b, b->sender, "sender_bcc_maps", sender, out, err);
}

int bcc_recipient(const struct bcc *b, const char *rcpt, struct addrlist *out, struct error *err)
{
	return lookup(b, b->recipient, "recipient_bcc_maps", rcpt, out, err);
}

int bcc_always(const struct bcc *b, struct addrlist *out, struct error *err)
{
	if (b->always != NULL && addrlist_add_unique(out, b->always) < 0)
		return nomem(err);
	return 0;
}
