/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The search order of Postfix's address lookups (reference/postfix.md
 * §3.4) and the external/internal address forms it queries. Which keys are
 * tried is computed first, so tests and -v output can show them; the
 * lookup then walks them, each key against every table in order. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "conf/config.h"
#include "mail/addrfind.h"
#include "mail/address.h"

/* Postfix's is_822_dot_string: atoms separated by single dots. */
static bool is_dot_string(const char *p, size_t n)
{
	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c == '.' && i + 1 < n && p[i + 1] == '.') || c == ' ' || c < 0x20 ||
		    c == 0x7f || strchr("()<>@,;:\\\"[]", c) != NULL)
			return false;
	}
	return true;
}

/* Append the local part p[0..n) (internal form) in external form. */
static int quote_local(struct buf *b, const char *p, size_t n)
{
	if (is_dot_string(p, n))
		return buf_append(b, p, n);
	if (buf_append_char(b, '"') < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (((p[i] == '"' || p[i] == '\\') && buf_append_char(b, '\\') < 0) ||
		    buf_append_char(b, p[i]) < 0)
			return -1;
	return buf_append_char(b, '"');
}

/* Append the local part p[0..n) (any form) in internal form. */
static int unquote_local(struct buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			continue;
		if (p[i] == '\\' && i + 1 < n)
			i++;
		if (buf_append_char(b, p[i]) < 0)
			return -1;
	}
	return 0;
}

static char *convert(const char *addr, bool external)
{
	const char *domain = address_domain(addr);
	const char *at = domain != NULL ? domain - 1 : NULL;
	size_t llen = at != NULL ? (size_t)(at - addr) : strlen(addr);
	struct buf local = { 0 }, out = { 0 };
	char *result = NULL;

	if (unquote_local(&local, addr, llen) == 0 &&
	    (external ? quote_local(&out, local.data != NULL ? local.data : "", local.len)
		      : buf_append(&out, local.data != NULL ? local.data : "", local.len)) == 0 &&
	    (at == NULL || buf_append_str(&out, at) == 0))
		result = out.data != NULL ? buf_steal(&out) : str_dup("");
	buf_fini(&local);
	buf_fini(&out);
	return result;
}

char *addrfind_external(const char *addr)
{
	return convert(addr, true);
}

char *addrfind_internal(const char *addr)
{
	return convert(addr, false);
}

static bool domain_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb || la == 0)
		return false;
	for (size_t i = 0; i < la; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

struct addrfind addrfind_context(const struct config *cfg, const struct addrfind_own *own)
{
	struct addrfind af = { config_get(cfg, "myorigin"),
			       config_get(cfg, "mydestination"),
			       config_get(cfg, "recipient_delimiter"),
			       { NULL, NULL } };

	if (own != NULL)
		af.own = *own;
	return af;
}

/* An address literal domain, [addr] or [IPv6:addr], to af->own. What is
 * not an address literal, or too long for one, is not the host's. */
static int own_literal(const struct addrfind *af, const char *domain, struct error *err)
{
	char addr[64];
	size_t n = strlen(domain);
	const char *p = domain + 1;
	bool ipv6;

	/* Postfix's resolve_local drops one trailing dot first. */
	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (af->own.is_own == NULL || n < 3 || domain[0] != '[' || domain[n - 1] != ']')
		return 0;
	n -= 2;
	ipv6 = n >= 5 && strncasecmp(p, "IPv6:", 5) == 0;
	if (ipv6) {
		p += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(addr))
		return 0;
	memcpy(addr, p, n);
	addr[n] = '\0';
	return af->own.is_own(addr, ipv6, af->own.arg, err);
}

int addrfind_local(const struct addrfind *af, const char *domain, struct error *err)
{
	char **items;
	bool local = false;

	if (af->myorigin != NULL && domain_eq(domain, af->myorigin))
		return 1;
	if (af->mydestination != NULL && *af->mydestination != '\0') {
		if ((items = config_list_split(af->mydestination)) == NULL) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		for (size_t i = 0; items[i] != NULL && !local; i++)
			local = strchr(items[i], ':') == NULL && domain_eq(domain, items[i]);
		config_list_free(items);
	}
	return local ? 1 : own_literal(af, domain, err);
}

size_t addrfind_extension_at(const char *local, size_t n, const char *delims)
{
	static const char *const special[] = { "postmaster", "mailer-daemon", "double-bounce" };
	size_t at;

	if (delims == NULL || *delims == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strlen(special[i]) == n && strncasecmp(local, special[i], n) == 0)
			return 0;
	if (strchr(delims, '-') != NULL &&
	    ((n > 6 && strncasecmp(local, "owner-", 6) == 0) ||
	     (n > 8 && strncasecmp(local + n - 8, "-request", 8) == 0)))
		return 0;
	at = strcspn(local, delims);
	return at < n && at > 0 ? at : 0;
}

/* Add key (internal form text[0..n), then "@domain" when domain) in
 * external form, and its unquoted form when flags ask and it differs. */
static int add_key(struct addrfind_keys *k, const char *text, size_t n, const char *domain,
		   bool partial, bool stripped, unsigned flags)
{
	struct buf b = { 0 }, u = { 0 };
	int rc = -1;

	if (quote_local(&b, text, n) == 0 &&
	    (domain == NULL || buf_printf(&b, "@%s", domain) == 0) &&
	    buf_append(&u, text, n) == 0 &&
	    (domain == NULL || buf_printf(&u, "@%s", domain) == 0) &&
	    (k->v[k->n].key = buf_steal(&b)) != NULL) {
		k->v[k->n].partial = partial;
		k->v[k->n++].stripped = stripped;
		rc = 0;
		if ((flags & ADDRFIND_UNQUOTED_TOO) &&
		    strcmp(k->v[k->n - 1].key, u.data != NULL ? u.data : "") != 0) {
			k->v[k->n].partial = partial;
			k->v[k->n].stripped = stripped;
			if ((k->v[k->n++].key = buf_steal(&u)) == NULL)
				rc = -1;
		}
	}
	buf_fini(&b);
	buf_fini(&u);
	return rc;
}

int addrfind_keys(const struct addrfind *af, const char *addr, unsigned flags,
		  struct addrfind_keys *k, struct error *err)
{
	char *in = addrfind_internal(addr);
	const char *at = in != NULL ? strrchr(in, '@') : NULL;
	const char *domain = at != NULL ? at + 1 : NULL;
	size_t llen = in == NULL ? 0 : at != NULL ? (size_t)(at - in) : strlen(in);
	size_t ext = in != NULL ? addrfind_extension_at(in, llen, af->delimiters) : 0;
	int rc = in == NULL ? -1 : 0, local = 0;

	memset(k, 0, sizeof(*k));
	if (rc == 0)
		rc = add_key(k, in, llen, domain, false, false, flags);
	if (rc == 0 && ext > 0 && (k->ext = str_ndup(in + ext, llen - ext)) == NULL)
		rc = -1;
	if (rc == 0 && ext > 0 && domain != NULL)
		rc = add_key(k, in, ext, domain, true, true, flags);
	if (rc == 0 && domain != NULL && (local = addrfind_local(af, domain, err)) < 0) {
		free(in);
		addrfind_keys_fini(k);
		return -1;
	}
	if (rc == 0 && local) {
		rc = add_key(k, in, llen, NULL, true, false, flags);
		if (rc == 0 && ext > 0)
			rc = add_key(k, in, ext, NULL, true, true, flags);
	}
	if (rc == 0 && domain != NULL && (k->v[k->n].key = str_dup(at)) != NULL)
		k->v[k->n++].partial = true;
	else if (rc == 0 && domain != NULL)
		rc = -1;
	free(in);
	if (rc < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		addrfind_keys_fini(k);
	}
	return rc;
}

void addrfind_keys_fini(struct addrfind_keys *k)
{
	for (size_t i = 0; i < sizeof(k->v) / sizeof(k->v[0]); i++)
		free(k->v[i].key);
	free(k->ext);
	memset(k, 0, sizeof(*k));
}

static int fill_hit(const struct addrfind_keys *k, const struct addrfind_key *key, const char *addr,
		    char *value, struct addrfind_hit *hit)
{
	char *in = addrfind_internal(addr);
	const char *at = in != NULL ? strrchr(in, '@') : NULL;
	size_t llen = in == NULL ? 0 : at != NULL ? (size_t)(at - in) : strlen(in);

	hit->value = value;
	if (key->stripped && k->ext != NULL) {
		hit->ext = str_dup(k->ext);
		llen -= strlen(k->ext);
	}
	hit->localpart = in != NULL ? str_ndup(in, llen) : NULL;
	free(in);
	if (hit->localpart == NULL || (key->stripped && hit->ext == NULL)) {
		addrfind_hit_fini(hit);
		return -1;
	}
	return 1;
}

int addrfind_lookup(const struct addrfind *af, const struct maps *m, const char *addr,
		    unsigned flags, struct addrfind_hit *hit, struct error *err)
{
	struct addrfind_keys k;
	int rc = 0;

	memset(hit, 0, sizeof(*hit));
	if (addrfind_keys(af, addr, flags, &k, err) < 0)
		return -1;
	for (size_t i = 0; i < k.n && rc == 0; i++) {
		for (size_t t = 0; t < maps_count(m) && rc == 0; t++) {
			const struct table *tab = maps_table(m, t);
			char *value;

			if (k.v[i].partial && table_is_pattern(tab))
				continue;
			rc = table_lookup(tab, k.v[i].key, &value, err);
			if (rc == 1 && *value == '\0') {
				error_set(
				    err, ERROR_CONFIG,
				    _("table %s: lookup of %s returns an empty string result, "
				      "which is not allowed"),
				    table_spec(tab), k.v[i].key);
				free(value);
				rc = -1;
			} else if (rc == 1 && fill_hit(&k, &k.v[i], addr, value, hit) < 0) {
				error_set(err, ERROR_INTERNAL, _("out of memory"));
				rc = -1;
			}
		}
	}
	addrfind_keys_fini(&k);
	return rc;
}

void addrfind_hit_fini(struct addrfind_hit *hit)
{
	free(hit->value);
	free(hit->ext);
	free(hit->localpart);
	memset(hit, 0, sizeof(*hit));
}
