/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the configuration means for one destination. The unset TLS level
 * is relaymail's secure default: STARTTLS whenever offered, certificate
 * verified against the trust store and the relay's name. */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "deliver/policy.h"

static int level_parse(const char *level, bool wrapper, struct tls_policy *p, struct error *err)
{
	static const struct {
		const char *name;
		enum session_tls mode;
		enum tls_verify verify;
	} levels[] = {
		{ "none", SESSION_TLS_NONE, TLS_VERIFY_NONE },
		{ "may", SESSION_TLS_MAY, TLS_VERIFY_NONE },
		{ "encrypt", SESSION_TLS_REQUIRE, TLS_VERIFY_NONE },
		{ "fingerprint", SESSION_TLS_REQUIRE, TLS_VERIFY_FINGERPRINT },
		{ "verify", SESSION_TLS_REQUIRE, TLS_VERIFY_CHAIN_NAME },
		{ "secure", SESSION_TLS_REQUIRE, TLS_VERIFY_CHAIN_NAME },
	};

	if (*level == '\0') {
		p->level = "(default)";
		p->mode = wrapper ? SESSION_TLS_IMPLICIT : SESSION_TLS_MAY;
		p->verify = TLS_VERIFY_CHAIN_NAME;
		return 0;
	}
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (!str_eq_ci(level, levels[i].name))
			continue;
		p->level = levels[i].name;
		p->mode = levels[i].mode;
		p->verify = levels[i].verify;
		p->explicit_unverified = levels[i].verify == TLS_VERIFY_NONE;
		if (wrapper && p->mode != SESSION_TLS_REQUIRE) {
			error_set(err, ERROR_CONFIG,
				  _("smtp_tls_wrappermode = yes requires smtp_tls_security_level = "
				    "encrypt or stronger (it is \"%s\")"),
				  level);
			return -1;
		}
		if (wrapper)
			p->mode = SESSION_TLS_IMPLICIT;
		return 0;
	}
	error_set(err, ERROR_CONFIG,
		  _("unsupported smtp_tls_security_level \"%s\"; relaymail supports none, may, "
		    "encrypt, fingerprint, verify and secure"),
		  level);
	return -1;
}

/* Protocol versions, lowest first, as Postfix names them and as GnuTLS does. */
static const struct {
	const char *postfix;
	const char *gnutls;
} versions[] = {
	{ "TLSv1", "+VERS-TLS1.0" },
	{ "TLSv1.1", "+VERS-TLS1.1" },
	{ "TLSv1.2", "+VERS-TLS1.2" },
	{ "TLSv1.3", "+VERS-TLS1.3" },
};
#define NVERSIONS (sizeof(versions) / sizeof(versions[0]))

static int version_index(const char *name)
{
	for (size_t i = 0; i < NVERSIONS; i++)
		if (str_eq_ci(name, versions[i].postfix))
			return (int)i;
	return -1;
}

/* Apply one item of a protocols list: ">=V", "<=V", "!V", or a bare "V"
 * (the legacy inclusion form). SSLv2/SSLv3 are never allowed anyway. */
static int protocol_item(const char *item, bool allowed[NVERSIONS], bool *inclusion)
{
	int cmp = item[0] == '>' ? 1 : item[0] == '<' ? -1 : 0;
	bool neg = item[0] == '!';
	const char *name = cmp != 0 ? item + (item[1] == '=' ? 2 : 1) : neg ? item + 1 : item;
	int v = version_index(name);

	if (v < 0)
		return str_prefix_ci(name, "SSLv") ? 0 : -1;
	for (int i = 0; i < (int)NVERSIONS; i++) {
		if ((cmp > 0 && i < v) || (cmp < 0 && i > v) || (neg && i == v))
			allowed[i] = false;
	}
	if (cmp == 0 && !neg) {
		if (!*inclusion)
			memset(allowed, 0, NVERSIONS * sizeof(bool));
		*inclusion = true;
		allowed[v] = true;
	}
	return 0;
}

/* GnuTLS priority string for a smtp_tls_*protocols value (postfix.md §6.4). */
static int priority_for(const char *param, const char *protocols, char *out, size_t outsize,
			struct error *err)
{
	bool allowed[NVERSIONS] = { true, true, true, true }, inclusion = false, any = false;
	char **items = config_list_split(protocols);
	size_t len;
	int rc = 0;

	for (size_t i = 0; items != NULL && items[i] != NULL && rc == 0; i++) {
		rc = protocol_item(items[i], allowed, &inclusion);
		if (rc < 0)
			error_set(err, ERROR_CONFIG, _("unknown TLS protocol \"%s\" in %s"),
				  items[i], param);
	}
	config_list_free(items);
	len = (size_t)snprintf(out, outsize, "NORMAL:-VERS-ALL");
	for (size_t i = NVERSIONS; i-- > 0 && len < outsize;) {
		if (!allowed[i])
			continue;
		len += (size_t)snprintf(out + len, outsize - len, ":%s", versions[i].gnutls);
		any = true;
	}
	if (rc == 0 && !any) {
		error_set(err, ERROR_CONFIG, _("%s allows no TLS protocol version"), param);
		rc = -1;
	}
	return rc;
}

/* SNI by default for names (many hosted relays need it); never for IP
 * literals (RFC 6066 §3). */
static int sni_for(const struct config *cfg, const struct destination *d, struct tls_policy *p,
		   struct error *err)
{
	const char *sni = config_get(cfg, "smtp_tls_servername");

	if (*sni == '\0' || str_eq_ci(sni, "hostname") || str_eq_ci(sni, "nexthop")) {
		if (d->literal)
			return 0;
		p->sni = str_dup(d->host);
	} else {
		p->sni = str_dup(sni);
	}
	if (p->sni != NULL)
		return 0;
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

/* One item of a *_cert_match list (postfix.md §6.1): "hostname" is the
 * relay's host name and "nexthop" the destination's, which are the same
 * for the bracketed destinations relaymail routes to; "dot-nexthop" is any
 * name below it; anything else is a literal name or ".domain". */
static int match_item(const struct destination *d, const char *item, struct tls_policy *p)
{
	size_t len = strlen(d->host);
	char *name;

	if (str_eq_ci(item, "hostname") || str_eq_ci(item, "nexthop")) {
		name = str_dup(d->host);
	} else if (str_eq_ci(item, "dot-nexthop")) {
		if (d->literal)
			return 0; /* no name lies below an address */
		if ((name = malloc(len + 2)) != NULL) {
			name[0] = '.';
			memcpy(name + 1, d->host, len + 1);
		}
	} else {
		name = str_dup(item);
	}
	if (name == NULL)
		return -1;
	str_lower(name);
	for (size_t i = 0; i < p->nnames; i++) {
		if (str_eq_ci(p->names[i], name)) {
			free(name);
			return 0;
		}
	}
	p->names[p->nnames++] = name;
	return 0;
}

static int names_for(const struct config *cfg, const struct destination *d, struct tls_policy *p,
		     struct error *err)
{
	const char *param = str_eq_ci(p->level, "secure") ? "smtp_tls_secure_cert_match"
							  : "smtp_tls_verify_cert_match";
	char **items =
	    p->verify == TLS_VERIFY_CHAIN_NAME ? config_list_split(config_get(cfg, param)) : NULL;
	size_t n = 0;
	int rc = 0;

	while (items != NULL && items[n] != NULL)
		n++;
	if (p->verify == TLS_VERIFY_CHAIN_NAME && n == 0) {
		error_set(err, ERROR_CONFIG, _("%s (%s) is empty: no certificate name would match"),
			  param, config_where(cfg, param));
		rc = -1;
	} else if (n > POLICY_TLS_NAMES_MAX) {
		error_set(err, ERROR_CONFIG, _("%s (%s) lists more than %d names"), param,
			  config_where(cfg, param), POLICY_TLS_NAMES_MAX);
		rc = -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = match_item(d, items[i], p);
		if (rc < 0)
			error_set(err, ERROR_INTERNAL, _("out of memory"));
	}
	config_list_free(items);
	return rc < 0 ? -1 : sni_for(cfg, d, p, err);
}

int policy_tls(const struct config *cfg, const struct destination *d, struct tls_policy *p,
	       struct error *err)
{
	const char *param;
	bool wrapper;

	memset(p, 0, sizeof(*p));
	if (config_get_bool(cfg, "smtp_tls_wrappermode", &wrapper, err) < 0)
		return -1;
	if (level_parse(config_get(cfg, "smtp_tls_security_level"), wrapper, p, err) < 0) {
		error_prefix(err, "%s", config_where(cfg, "smtp_tls_security_level"));
		return -1;
	}
	param = p->mode == SESSION_TLS_MAY ? "smtp_tls_protocols" : "smtp_tls_mandatory_protocols";
	if (priority_for(param, config_get(cfg, param), p->priority, sizeof(p->priority), err) <
	    0) {
		error_prefix(err, "%s", config_where(cfg, param));
		return -1;
	}
	if (names_for(cfg, d, p, err) < 0) {
		policy_tls_fini(p);
		return -1;
	}
	if (p->verify == TLS_VERIFY_FINGERPRINT) {
		p->fingerprints =
		    config_list_split(config_get(cfg, "smtp_tls_fingerprint_cert_match"));
		if (p->fingerprints == NULL || p->fingerprints[0] == NULL) {
			error_set(err, ERROR_CONFIG,
				  _("smtp_tls_security_level = fingerprint needs "
				    "smtp_tls_fingerprint_cert_match"));
			policy_tls_fini(p);
			return -1;
		}
	}
	return 0;
}

void policy_tls_fini(struct tls_policy *p)
{
	for (size_t i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->sni);
	config_list_free(p->fingerprints);
	memset(p, 0, sizeof(*p));
}

void policy_tls_params(const struct config *cfg, const struct tls_policy *p, struct tls_params *out)
{
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->verify = p->verify;
	out->match_names = (const char *const *)p->names;
	out->nmatch_names = p->nnames;
	out->sni = p->sni;
	out->cafile = config_get(cfg, "smtp_tls_CAfile");
	out->capath = config_get(cfg, "smtp_tls_CApath");
	out->cert_file =
	    *config_get(cfg, "smtp_tls_cert_file") ? config_get(cfg, "smtp_tls_cert_file") : NULL;
	out->key_file =
	    *config_get(cfg, "smtp_tls_key_file") ? config_get(cfg, "smtp_tls_key_file") : NULL;
	out->priority = p->priority;
	out->digest = config_get(cfg, "smtp_tls_fingerprint_digest");
	while (p->fingerprints != NULL && p->fingerprints[n] != NULL)
		n++;
	out->fingerprints = (const char *const *)p->fingerprints;
	out->nfingerprints = n;
}

static int split_credentials(char *value, struct credentials *c, const char *key, struct error *err)
{
	char *colon = strchr(value, ':');

	if (colon == NULL) {
		error_set(err, ERROR_CONFIG,
			  _("smtp_sasl_password_maps entry for \"%s\" is not in the form "
			    "username:password"),
			  key);
		return -1;
	}
	c->user = str_ndup(value, (size_t)(colon - value));
	c->password = str_dup(colon + 1);
	if (c->user == NULL || c->password == NULL) {
		credentials_wipe(c);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 1;
}

const char *policy_server_host(const struct destination *d, const struct net_addr *addr)
{
	if (!d->mx || d->literal || addr == NULL || addr->host[0] == '\0')
		return d->host;
	return addr->host;
}

/* The sender keys (§3.4 order; pattern tables see only the full
 * address), then the host name, then the destination as configured. */
static int find_password(const struct maps *passwords, const struct destination *d,
			 const char *host, char **value, const char **key, struct error *err)
{
	const struct addrfind_keys *sk = d->sender_keys;
	const char *literal[2] = { host, d->spec };
	int rc = 0;

	for (size_t i = 0; sk != NULL && i < sk->n && rc == 0; i++) {
		for (size_t t = 0; t < maps_count(passwords) && rc == 0; t++) {
			const struct table *tab = maps_table(passwords, t);

			if (!sk->v[i].partial || !table_is_pattern(tab))
				rc = table_lookup(tab, sk->v[i].key, value, err);
		}
		*key = sk->v[i].key;
	}
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		rc = maps_lookup(passwords, literal[i], value, err);
		*key = literal[i];
	}
	return rc;
}

int policy_credentials(const struct maps *passwords, const struct destination *d, const char *host,
		       struct credentials *c, struct error *err)
{
	const char *key = NULL;
	char *value = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if (passwords == NULL)
		return 0;
	rc = find_password(passwords, d, host, &value, &key, err);
	if (rc != 1)
		return rc;
	rc = split_credentials(value, c, key, err);
	str_wipe(value, strlen(value));
	free(value);
	if (rc == 1)
		c->key = key;
	return rc;
}

void credentials_wipe(struct credentials *c)
{
	if (c->user != NULL)
		str_wipe(c->user, strlen(c->user));
	if (c->password != NULL)
		str_wipe(c->password, strlen(c->password));
	free(c->user);
	free(c->password);
	c->user = NULL;
	c->password = NULL;
	c->key = NULL;
}

int policy_timeouts(const struct config *cfg, struct timeouts *t, struct error *err)
{
	static const struct {
		const char *name;
		size_t offset;
	} params[] = {
		{ "smtp_connect_timeout", offsetof(struct timeouts, connect) },
		{ "smtp_helo_timeout", offsetof(struct timeouts, helo) },
		{ "smtp_starttls_timeout", offsetof(struct timeouts, starttls) },
		{ "smtp_mail_timeout", offsetof(struct timeouts, mail) },
		{ "smtp_rcpt_timeout", offsetof(struct timeouts, rcpt) },
		{ "smtp_data_init_timeout", offsetof(struct timeouts, data_init) },
		{ "smtp_data_xfer_timeout", offsetof(struct timeouts, data_xfer) },
		{ "smtp_data_done_timeout", offsetof(struct timeouts, data_done) },
		{ "smtp_quit_timeout", offsetof(struct timeouts, quit) },
	};

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		long seconds;

		if (config_get_time(cfg, params[i].name, &seconds, err) < 0)
			return -1;
		*(long *)((char *)t + params[i].offset) = seconds * 1000;
	}
	return 0;
}

long policy_stage_timeout(const struct timeouts *t, enum session_stage stage)
{
	switch (stage) {
	case SESSION_STAGE_GREETING:
	case SESSION_STAGE_EHLO:
	case SESSION_STAGE_AUTH:
		return t->helo;
	case SESSION_STAGE_STARTTLS:
		return t->starttls;
	case SESSION_STAGE_MAIL:
		return t->mail;
	case SESSION_STAGE_RCPT:
		return t->rcpt;
	case SESSION_STAGE_DATA:
		return t->data_init;
	case SESSION_STAGE_BODY:
		return t->data_xfer;
	case SESSION_STAGE_DOT:
		return t->data_done;
	case SESSION_STAGE_QUIT:
	case SESSION_STAGE_END:
		break;
	}
	return t->quit;
}
