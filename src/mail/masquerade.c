/* SPDX-License-Identifier: GPL-3.0-or-later */
/* masquerade_domains, masquerade_exceptions and masquerade_classes, read
 * once; masquerading one address does no I/O beyond the exception
 * tables. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "conf/casefold.h"
#include "conf/matchlist.h"
#include "conf/table.h"
#include "mail/masquerade.h"
#include "mail/rewrite.h"

struct masq_domain {
	char *name; /* folded, without its '!'s */
	bool keep;  /* an odd number of '!': leave it and its subdomains */
};

struct masquerade {
	struct masq_domain *v;
	size_t n;
	struct matchlist *exceptions; /* NULL: none */
	unsigned classes;
	bool utf8;
};

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* A domain name as Postfix would find one in an address: labels of
 * letters, digits, '-' and '_' (bytes past ASCII for U-labels) apart by
 * single dots; Postfix takes any text, but anything else could never
 * match a domain and is a mistake (an address, a table). */
static bool domain_ok(const char *d)
{
	size_t label = 0;

	for (const char *p = d; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			label++;
		} else {
			return false;
		}
	}
	return label > 0;
}

static int parse_domains(const struct config *cfg, struct masquerade *mq, struct error *err)
{
	const char *param = "masquerade_domains";
	char **items = config_list_split(config_get(cfg, param));
	size_t n = 0;

	if (items == NULL)
		return nomem(err);
	while (items[n] != NULL)
		n++;
	mq->v = calloc(n > 0 ? n : 1, sizeof(*mq->v));
	if (mq->v == NULL) {
		config_list_free(items);
		return nomem(err);
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = items[i];
		bool keep = false;

		for (; *d == '!'; d++)
			keep = !keep;
		/* Postfix skips an item that is only '!'s. */
		if (*d == '\0')
			continue;
		if (!domain_ok(d)) {
			config_bad_value(err, cfg, param, items[i],
					 _("use domain names such as example.com, each "
					   "optionally after a \"!\""));
			config_list_free(items);
			return -1;
		}
		mq->v[mq->n].name = casefold_dup(d, mq->utf8);
		if (mq->v[mq->n].name == NULL) {
			config_list_free(items);
			return nomem(err);
		}
		mq->v[mq->n++].keep = keep;
	}
	config_list_free(items);
	return 0;
}

struct masquerade *masquerade_new(const struct config *cfg, struct error *err)
{
	const char *exceptions = config_get(cfg, "masquerade_exceptions");
	struct masquerade *mq = calloc(1, sizeof(*mq));

	if (mq == NULL) {
		nomem(err);
		return NULL;
	}
	mq->utf8 = (table_config_flags(cfg) & TABLE_UTF8) != 0;
	if (rewrite_classes_parse(cfg, "masquerade_classes", &mq->classes, err) < 0 ||
	    parse_domains(cfg, mq, err) < 0) {
		masquerade_free(mq);
		return NULL;
	}
	if (*exceptions != '\0') {
		char where[512];

		snprintf(where, sizeof(where), "masquerade_exceptions (%s)",
			 config_where(cfg, "masquerade_exceptions"));
		mq->exceptions = matchlist_open(exceptions, table_config_flags(cfg), where, err);
		if (mq->exceptions == NULL) {
			masquerade_free(mq);
			return NULL;
		}
	}
	return mq;
}

void masquerade_free(struct masquerade *mq)
{
	if (mq == NULL)
		return;
	for (size_t i = 0; i < mq->n; i++)
		free(mq->v[i].name);
	free(mq->v);
	matchlist_free(mq->exceptions);
	free(mq);
}

bool masquerade_applies(const struct masquerade *mq, unsigned cls)
{
	return mq != NULL && mq->n > 0 && (mq->classes & cls) != 0;
}

/* The entry that decides for the folded domain d, or NULL. */
static const struct masq_domain *deciding(const struct masquerade *mq, const char *d)
{
	size_t dlen = strlen(d);

	for (size_t i = 0; i < mq->n; i++) {
		const char *m = mq->v[i].name;
		size_t mlen = strlen(m);

		if (mlen == dlen && strcmp(m, d) == 0)
			return &mq->v[i];
		if (mlen < dlen && d[dlen - mlen - 1] == '.' && strcmp(d + dlen - mlen, m) == 0)
			return &mq->v[i];
	}
	return NULL;
}

int masquerade_address(const struct masquerade *mq, const char *addr, char **out, struct error *err)
{
	const char *at = strrchr(addr, '@');
	const struct masq_domain *hit = NULL;
	char *folded = NULL, *local;
	struct buf b = { 0 };
	int rc = 0;

	*out = NULL;
	if (at != NULL && mq->exceptions != NULL) {
		local = str_ndup(addr, (size_t)(at - addr));
		rc = local != NULL ? matchlist_match(mq->exceptions, local, err) : nomem(err);
		free(local);
		if (rc != 0)
			return rc < 0 ? -1 : (*out = str_dup(addr)) != NULL ? 0 : nomem(err);
	}
	if (at != NULL && (folded = casefold_dup(at + 1, mq->utf8)) == NULL)
		return nomem(err);
	if (folded != NULL)
		hit = deciding(mq, folded);
	/* The domain itself, or a "!" entry: as it is. */
	if (hit == NULL || hit->keep || strcmp(hit->name, folded) == 0)
		*out = str_dup(addr);
	else if (buf_printf(&b, "%.*s@%s", (int)(at - addr), addr, hit->name) == 0)
		*out = buf_steal(&b);
	buf_fini(&b);
	free(folded);
	return *out != NULL ? 0 : nomem(err);
}
