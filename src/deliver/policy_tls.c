/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The smtp_tls_* parameters: read and checked once (policy_tls_load),
 * then applied to each destination (policy_tls). The unset level is
 * relaymail's secure default: STARTTLS whenever offered, the certificate
 * verified against the trust store and the relay's name. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "deliver/policy.h"

/* The levels of smtp_tls_security_level and of a policy table entry. */
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
	/* Without DNSSEC, which relaymail does not do, Postfix's client
	 * makes dane may, with a warning (policy_tls); dane-only fails. */
	{ "dane", SESSION_TLS_MAY, TLS_VERIFY_NONE },
};
#define NLEVELS (sizeof(levels) / sizeof(levels[0]))

static int level_find(const char *name)
{
	for (size_t i = 0; i < NLEVELS; i++)
		if (str_eq_ci(name, levels[i].name))
			return (int)i;
	return -1;
}

static int level_parse(const struct config *cfg, bool wrapper, struct tls_settings *t,
		       struct error *err)
{
	const char *level = config_get(cfg, "smtp_tls_security_level");
	bool use, enforce, peername;
	int i;

	if (config_get_bool(cfg, "smtp_use_tls", &use, err) < 0 ||
	    config_get_bool(cfg, "smtp_enforce_tls", &enforce, err) < 0 ||
	    config_get_bool(cfg, "smtp_tls_enforce_peername", &peername, err) < 0)
		return -1;
	/* Postfix's older switches, when the level is not set (postfix.md
	 * §6): enforce is encrypt, or verify with the peer name checked. */
	if (*level == '\0' && (enforce || use))
		level = enforce ? (peername ? "verify" : "encrypt") : "may";
	if (*level == '\0') {
		t->level = "(default)";
		t->mode = wrapper ? SESSION_TLS_IMPLICIT : SESSION_TLS_MAY;
		t->verify = TLS_VERIFY_CHAIN_NAME;
		return 0;
	}
	if ((i = level_find(level)) >= 0) {
		t->level = levels[i].name;
		t->mode = levels[i].mode;
		t->verify = levels[i].verify;
		t->explicit_unverified = levels[i].verify == TLS_VERIFY_NONE;
		if (wrapper && t->mode != SESSION_TLS_REQUIRE) {
			error_set(err, ERROR_CONFIG,
				  _("smtp_tls_wrappermode = yes requires smtp_tls_security_level = "
				    "encrypt or stronger (it is \"%s\")"),
				  level);
			error_prefix(err, "%s", config_where(cfg, "smtp_tls_security_level"));
			return -1;
		}
		if (wrapper)
			t->mode = SESSION_TLS_IMPLICIT;
		return 0;
	}
	error_set(err, ERROR_CONFIG,
		  _("unsupported smtp_tls_security_level \"%s\"; relaymail supports none, may, "
		    "encrypt, fingerprint, verify and secure"),
		  level);
	error_prefix(err, "%s", config_where(cfg, "smtp_tls_security_level"));
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

/* GnuTLS priority string for a list of protocol items; *bad names the
 * item that is unknown, or is NULL when none is allowed at all. */
static int protocols_priority(char *const *items, char *out, size_t outsize, const char **bad)
{
	bool allowed[NVERSIONS] = { true, true, true, true }, inclusion = false, any = false;
	size_t len;

	*bad = NULL;
	for (size_t i = 0; items[i] != NULL; i++) {
		if (protocol_item(items[i], allowed, &inclusion) < 0) {
			*bad = items[i];
			return -1;
		}
	}
	len = (size_t)snprintf(out, outsize, "NORMAL:-VERS-ALL");
	for (size_t i = NVERSIONS; i-- > 0 && len < outsize;) {
		if (!allowed[i])
			continue;
		len += (size_t)snprintf(out + len, outsize - len, ":%s", versions[i].gnutls);
		any = true;
	}
	return any ? 0 : -1;
}

/* GnuTLS priority string for a smtp_tls_*protocols value (postfix.md §6.4). */
static int priority_for(const struct config *cfg, const char *param, char *out, size_t outsize,
			struct error *err)
{
	const char *value = config_get(cfg, param), *bad;
	char **items = config_list_split(value);
	int rc;

	if (items == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	rc = protocols_priority(items, out, outsize, &bad);
	if (rc < 0 && bad != NULL)
		config_bad_value(err, cfg, param, bad,
				 _("unknown TLS protocol; use TLSv1, TLSv1.1, TLSv1.2 or "
				   "TLSv1.3 with >=, <= or !"));
	else if (rc < 0)
		config_bad_value(err, cfg, param, value, _("it allows no TLS protocol version"));
	config_list_free(items);
	return rc;
}

/* A cert match list (postfix.md §6.1), checked for size. */
static int match_list(const struct config *cfg, const char *param, char ***out, struct error *err)
{
	const char *value = config_get(cfg, param);
	char **items = config_list_split(value);
	size_t n = 0;

	*out = NULL;
	if (items == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	while (items[n] != NULL)
		n++;
	if (n == 0 || n > POLICY_TLS_NAMES_MAX) {
		config_bad_value(err, cfg, param, value,
				 n == 0 ? _("it is empty, so no certificate name would match")
					: _("it lists more than 8 names"));
		config_list_free(items);
		return -1;
	}
	*out = items;
	return 0;
}

/* The verify and secure lists are both checked and kept (a policy table
 * entry may ask for either level); match is the level's, or NULL. */
static int names_load(const struct config *cfg, struct tls_settings *t, struct error *err)
{
	if (match_list(cfg, "smtp_tls_verify_cert_match", &t->match_verify, err) < 0 ||
	    match_list(cfg, "smtp_tls_secure_cert_match", &t->match_secure, err) < 0)
		return -1;
	if (t->verify == TLS_VERIFY_CHAIN_NAME)
		t->match = str_eq_ci(t->level, "secure") ? t->match_secure : t->match_verify;
	return 0;
}

static int fingerprints_load(const struct config *cfg, struct tls_settings *t, struct error *err)
{
	const char *digest = config_get(cfg, "smtp_tls_fingerprint_digest");

	if (!tls_digest_known(digest)) {
		config_bad_value(err, cfg, "smtp_tls_fingerprint_digest", digest,
				 _("use sha256, sha1, sha224, sha384, sha512 or md5"));
		return -1;
	}
	t->digest = digest;
	t->fingerprints = config_list_split(config_get(cfg, "smtp_tls_fingerprint_cert_match"));
	if (t->fingerprints == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	for (size_t i = 0; t->fingerprints[i] != NULL; i++) {
		if (!tls_fingerprint_valid(t->fingerprints[i], digest)) {
			config_bad_value(
			    err, cfg, "smtp_tls_fingerprint_cert_match", t->fingerprints[i],
			    _("a fingerprint is the digest of smtp_tls_fingerprint_digest "
			      "in hexadecimal digits, pairs may be separated by colons"));
			return -1;
		}
	}
	if (t->verify == TLS_VERIFY_FINGERPRINT && t->fingerprints[0] == NULL) {
		error_set(err, ERROR_CONFIG,
			  _("smtp_tls_security_level = fingerprint needs "
			    "smtp_tls_fingerprint_cert_match"));
		error_prefix(err, "%s", config_where(cfg, "smtp_tls_security_level"));
		return -1;
	}
	return 0;
}

/* A file named by param, checked by check, with the parameter and where
 * it was set in front of the reason. */
static int file_check(const struct config *cfg, const char *param, int rc, struct error *err)
{
	if (rc < 0)
		error_prefix(err, "%s (%s)", param, config_where(cfg, param));
	return rc;
}

/* Only the files the user named are read: the system trust store is left
 * to the handshake. CA files matter where a chain is verified; the client
 * certificate wherever TLS may be used. */
static int files_load(const struct config *cfg, struct tls_settings *t, struct error *err)
{
	const char *cert = config_get(cfg, "smtp_tls_cert_file");
	const char *key = config_get(cfg, "smtp_tls_key_file");

	t->cafile = config_get(cfg, "smtp_tls_CAfile");
	t->capath = config_get(cfg, "smtp_tls_CApath");
	t->cert_file = *cert != '\0' ? cert : NULL;
	t->key_file = *key != '\0' ? key : NULL;
	if (t->verify == TLS_VERIFY_CHAIN_NAME) {
		if (*t->cafile != '\0' &&
		    file_check(cfg, "smtp_tls_CAfile", tls_check_cafile(t->cafile, err), err) < 0)
			return -1;
		if (*t->capath != '\0' &&
		    file_check(cfg, "smtp_tls_CApath", tls_check_capath(t->capath, err), err) < 0)
			return -1;
	}
	if (t->mode == SESSION_TLS_NONE || (t->cert_file == NULL && t->key_file == NULL))
		return 0;
	if (t->cert_file == NULL) {
		error_set(err, ERROR_CONFIG,
			  _("smtp_tls_key_file is set but smtp_tls_cert_file is not: set both or "
			    "neither"));
		return file_check(cfg, "smtp_tls_key_file", -1, err);
	}
	return file_check(
	    cfg, "smtp_tls_cert_file",
	    tls_check_keypair(t->cert_file, t->key_file != NULL ? t->key_file : t->cert_file, err),
	    err);
}

int policy_tls_load(const struct config *cfg, struct tls_settings *t, struct error *err)
{
	bool wrapper;

	memset(t, 0, sizeof(*t));
	if (config_get_bool(cfg, "smtp_tls_wrappermode", &wrapper, err) < 0 ||
	    level_parse(cfg, wrapper, t, err) < 0 ||
	    priority_for(cfg, "smtp_tls_protocols", t->may_priority, sizeof(t->may_priority), err) <
		0 ||
	    priority_for(cfg, "smtp_tls_mandatory_protocols", t->mandatory_priority,
			 sizeof(t->mandatory_priority), err) < 0)
		return -1;
	memcpy(t->may_protocols, t->may_priority, sizeof(t->may_protocols));
	memcpy(t->mandatory_protocols, t->mandatory_priority, sizeof(t->mandatory_protocols));
	if (policy_ciphers(cfg, t->may_priority, t->mandatory_priority, sizeof(t->may_priority),
			   err) < 0)
		return -1;
	t->wrapper_set = config_is_set(cfg, "smtp_tls_wrappermode");
	t->wrapper = wrapper;
	snprintf(t->priority, sizeof(t->priority), "%s",
		 t->mode == SESSION_TLS_MAY ? t->may_priority : t->mandatory_priority);
	t->servername = config_get(cfg, "smtp_tls_servername");
	t->policy_where = config_where(cfg, "smtp_tls_policy_maps");
	if (names_load(cfg, t, err) < 0 || fingerprints_load(cfg, t, err) < 0 ||
	    files_load(cfg, t, err) < 0 ||
	    (t->policy_maps = maps_open_param(cfg, "smtp_tls_policy_maps", 0, err)) == NULL) {
		policy_tls_settings_fini(t);
		return -1;
	}
	if (maps_empty(t->policy_maps)) {
		maps_free(t->policy_maps);
		t->policy_maps = NULL;
	}
	return 0;
}

void policy_tls_settings_fini(struct tls_settings *t)
{
	config_list_free(t->match_verify);
	config_list_free(t->match_secure);
	config_list_free(t->fingerprints);
	maps_free(t->policy_maps);
	t->match = t->match_verify = t->match_secure = NULL;
	t->fingerprints = NULL;
	t->policy_maps = NULL;
}

/* SNI by default for names (many hosted relays need it); never for IP
 * literals (RFC 6066 §3). */
static int sni_for(const struct tls_settings *t, const struct destination *d,
		   struct tls_policy *out)
{
	const char *sni = t->servername;

	if (*sni == '\0' || str_eq_ci(sni, "hostname") || str_eq_ci(sni, "nexthop")) {
		if (d->literal)
			return 0;
		out->sni = str_dup(d->host);
	} else {
		out->sni = str_dup(sni);
	}
	return out->sni != NULL ? 0 : -1;
}

/* One item of a *_cert_match list (postfix.md §6.1): "hostname" is the
 * relay's host name and "nexthop" the destination's, which are the same
 * for the bracketed destinations relaymail routes to; "dot-nexthop" is any
 * name below it; anything else is a literal name or ".domain". */
static int match_item(const struct destination *d, const char *item, struct tls_policy *out)
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
	for (size_t i = 0; i < out->nnames; i++) {
		if (str_eq_ci(out->names[i], name)) {
			free(name);
			return 0;
		}
	}
	out->names[out->nnames++] = name;
	return 0;
}

/* The smtp_tls_policy_maps entry for d: its destination as configured,
 * then, for a bare domain, each parent domain as ".parent" (postfix.md
 * §6.4). 1 found (out->entry, out->entry_key), 0 none, -1 error. */
static int map_lookup(const struct tls_settings *t, const struct destination *d,
		      struct tls_policy *out, struct error *err)
{
	bool bare = d->mx && !d->literal && strchr(d->spec, ':') == NULL;
	const char *key = d->spec;
	int rc;

	for (;;) {
		snprintf(out->entry_key, sizeof(out->entry_key), "%s%s", key == d->spec ? "" : ".",
			 key);
		rc = maps_lookup(t->policy_maps, out->entry_key, &out->entry, err);
		if (rc != 0 || !bare || (key = strchr(key, '.')) == NULL || *++key == '\0')
			return rc;
	}
}

/* An entry that cannot be used: say which, where. */
static int bad_entry(const struct tls_settings *t, const struct tls_policy *out, const char *why,
		     struct error *err)
{
	error_set(err, ERROR_CONFIG,
		  _("smtp_tls_policy_maps (%s): the entry \"%s\" for %s cannot be used: %s"),
		  t->policy_where, out->entry, out->entry_key, why);
	return -1;
}

/* Split value at each sep into items[0..max), NUL-terminated in place. */
static size_t split_at(char *value, char sep, char **items, size_t max)
{
	size_t n = 0;

	for (char *p = value; p != NULL && n < max;) {
		char *next = strchr(p, sep);

		if (next != NULL)
			*next++ = '\0';
		if (*p != '\0')
			items[n++] = p;
		p = next;
	}
	return n;
}

/* What an entry's protocols= and exclude= say, before they are joined. */
struct entry_ciphers {
	char protocols[POLICY_PRIORITY_MAX]; /* "": main.cf's for the level */
	char removals[POLICY_PRIORITY_MAX];
	bool exclude; /* exclude= given: its removals replace main.cf's */
};

/* One attribute of an entry (postfix.md §6.4). names collects match= at
 * verify and secure; fingerprints go straight into out. */
static int entry_attribute(const struct tls_settings *t, struct tls_policy *out, char *word,
			   char **names, size_t *nnames, struct entry_ciphers *ec,
			   struct error *err)
{
	static const char *const grades[] = { "high", "medium", "low", "export" };
	char *value = strchr(word, '=');
	char *items[POLICY_TLS_NAMES_MAX + 1];
	const char *bad;
	size_t n;

	if (value == NULL)
		return bad_entry(t, out, _("an attribute is written name=value"), err);
	*value++ = '\0';
	if (str_eq_ci(word, "match") && out->verify == TLS_VERIFY_FINGERPRINT) {
		size_t have = 0;

		while (have < POLICY_TLS_NAMES_MAX && out->fingerprints[have] != NULL)
			have++;
		n = split_at(value, '|', items, POLICY_TLS_NAMES_MAX);
		for (size_t i = 0; i < n; i++) {
			if (!tls_fingerprint_valid(items[i], t->digest))
				return bad_entry(t, out, _("a fingerprint is not valid"), err);
			if (have >= POLICY_TLS_NAMES_MAX)
				return bad_entry(t, out, _("it lists more than 8 names"), err);
			out->fingerprints[have++] = str_dup(items[i]);
			if (out->fingerprints[have - 1] == NULL)
				return -1;
		}
	} else if (str_eq_ci(word, "match")) {
		n = split_at(value, ':', items, POLICY_TLS_NAMES_MAX);
		for (size_t i = 0; i < n; i++) {
			if (*nnames >= POLICY_TLS_NAMES_MAX)
				return bad_entry(t, out, _("it lists more than 8 names"), err);
			names[(*nnames)++] = items[i];
		}
	} else if (str_eq_ci(word, "protocols")) {
		n = split_at(value, ':', items, POLICY_TLS_NAMES_MAX);
		items[n] = NULL;
		if (protocols_priority(items, ec->protocols, sizeof(ec->protocols), &bad) < 0)
			return bad_entry(t, out, _("protocols= allows no TLS protocol version"),
					 err);
	} else if (str_eq_ci(word, "exclude")) {
		ec->exclude = true;
		if (policy_exclude(value, ec->removals, sizeof(ec->removals)) < 0)
			return bad_entry(t, out, _("it lists too many exclusions"), err);
	} else if (str_eq_ci(word, "ciphers")) {
		for (size_t i = 0; i < sizeof(grades) / sizeof(grades[0]); i++)
			if (str_eq_ci(value, grades[i]))
				return 0;
		return bad_entry(t, out, _("use ciphers=high, medium, low or export"), err);
	} else if (str_eq_ci(word, "servername")) {
		free(out->sni);
		out->sni = *value != '\0' ? str_dup(value) : NULL;
	} else if (!str_eq_ci(word, "connection_reuse") && !str_eq_ci(word, "enable_rpk")) {
		return bad_entry(t, out,
				 _("relaymail knows the attributes match, protocols, ciphers, "
				   "exclude, servername, connection_reuse and enable_rpk"),
				 err);
	}
	return 0;
}

/* The GnuTLS priority of an entry: its protocols= or main.cf's for the
 * level, then its exclude= or main.cf's exclusions for the level. */
static int entry_priority(const struct tls_settings *t, struct tls_policy *out,
			  const struct entry_ciphers *ec, struct error *err)
{
	bool may = out->mode == SESSION_TLS_MAY;
	const char *protocols = may ? t->may_protocols : t->mandatory_protocols;
	const char *removals = may ? t->may_priority + strlen(t->may_protocols)
				   : t->mandatory_priority + strlen(t->mandatory_protocols);

	if (ec->protocols[0] != '\0')
		protocols = ec->protocols;
	if (ec->exclude)
		removals = ec->removals;
	if ((size_t)snprintf(out->priority_buf, sizeof(out->priority_buf), "%s%s", protocols,
			     removals) >= sizeof(out->priority_buf))
		return bad_entry(t, out, _("it lists too many exclusions"), err);
	out->priority = out->priority_buf;
	return 0;
}

/* Apply out->entry: its level, then its attributes, over main.cf's. */
static int apply_entry(const struct tls_settings *t, const struct destination *d,
		       struct tls_policy *out, struct error *err)
{
	char **words = config_list_split(out->entry);
	char *names[POLICY_TLS_NAMES_MAX];
	struct entry_ciphers ec = { .exclude = false };
	size_t nnames = 0;
	int i, rc = 0;

	if (words == NULL)
		return -1;
	if (words[0] == NULL || (i = level_find(words[0])) < 0) {
		rc = bad_entry(t, out,
			       _("it must start with a level: none, may, encrypt, fingerprint, "
				 "verify or secure"),
			       err);
		goto done;
	}
	out->level = levels[i].name;
	out->mode = levels[i].mode;
	out->verify = levels[i].verify;
	out->explicit_unverified = levels[i].verify == TLS_VERIFY_NONE;
	out->priority = out->mode == SESSION_TLS_MAY ? t->may_priority : t->mandatory_priority;
	if (t->wrapper && out->mode != SESSION_TLS_REQUIRE) {
		rc = bad_entry(t, out, _("smtp_tls_wrappermode = yes needs encrypt or stronger"),
			       err);
		goto done;
	}
	if (t->wrapper)
		out->mode = SESSION_TLS_IMPLICIT;
	for (size_t k = 1; words[k] != NULL && rc == 0; k++)
		rc = entry_attribute(t, out, words[k], names, &nnames, &ec, err);
	if (rc == 0)
		rc = entry_priority(t, out, &ec, err);
	if (rc == 0 && out->verify == TLS_VERIFY_FINGERPRINT && out->fingerprints[0] == NULL &&
	    (t->fingerprints == NULL || t->fingerprints[0] == NULL))
		rc = bad_entry(t, out, _("the fingerprint level needs match=fingerprint"), err);
	if (rc == 0 && out->verify == TLS_VERIFY_CHAIN_NAME) {
		char **list = str_eq_ci(out->level, "secure") ? t->match_secure : t->match_verify;

		for (size_t k = 0; k < nnames && rc == 0; k++)
			rc = match_item(d, names[k], out);
		for (size_t k = 0; nnames == 0 && list != NULL && list[k] != NULL && rc == 0; k++)
			rc = match_item(d, list[k], out);
	}
done:
	config_list_free(words);
	return rc;
}

int policy_tls(const struct policy *p, const struct destination *d, struct tls_policy *out,
	       struct error *err)
{
	const struct tls_settings *t = &p->tls;
	struct error mine = { 0 }; /* set by the table and the entry, not by malloc */
	int rc = 0, found = 0;

	memset(out, 0, sizeof(*out));
	out->mode = t->mode;
	out->verify = t->verify;
	out->level = t->level;
	out->explicit_unverified = t->explicit_unverified;
	out->priority = t->priority;
	rc = sni_for(t, d, out);
	if (rc == 0 && t->policy_maps != NULL)
		found = map_lookup(t, d, out, &mine);
	if (found > 0) {
		rc = apply_entry(t, d, out, &mine);
	} else if (found < 0) {
		rc = -1;
	} else {
		for (size_t i = 0; t->match != NULL && t->match[i] != NULL && rc == 0; i++)
			rc = match_item(d, t->match[i], out);
	}
	if (rc == 0 && str_eq_ci(out->level, "dane"))
		log_notice(_("%s: dane configured with DNSSEC lookups disabled: TLS level may "
			     "(relaymail does no DNSSEC)"),
			   d->spec);
	/* Port 465 is SMTPS (RFC 8314 §3.3): without an explicit
	 * smtp_tls_wrappermode, a relay there gets TLS at once, so a STARTTLS
	 * primary on 587 and an SMTPS fallback on 465 both work. Postfix would
	 * wait for a greeting that never comes (a deliberate difference). */
	if (!t->wrapper_set && d->port == 465 && out->mode != SESSION_TLS_NONE)
		out->mode = SESSION_TLS_IMPLICIT;
	if (rc < 0) {
		if (error_is_set(&mine))
			*err = mine;
		else
			error_set(err, ERROR_INTERNAL, _("out of memory"));
		policy_tls_fini(out);
	}
	return rc;
}

void policy_tls_fini(struct tls_policy *t)
{
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	for (size_t i = 0; i < POLICY_TLS_NAMES_MAX; i++)
		free(t->fingerprints[i]);
	if (t->entry != NULL)
		free(t->entry);
	free(t->sni);
	memset(t, 0, sizeof(*t));
}

void policy_tls_params(const struct policy *p, const struct tls_policy *t, struct tls_params *out)
{
	const struct tls_settings *s = &p->tls;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->verify = t->verify;
	out->match_names = (const char *const *)t->names;
	out->nmatch_names = t->nnames;
	out->sni = t->sni;
	out->cafile = s->cafile;
	out->capath = s->capath;
	out->cert_file = s->cert_file;
	out->key_file = s->key_file;
	out->priority = t->priority;
	out->digest = s->digest;
	if (t->fingerprints[0] != NULL) {
		while (n < POLICY_TLS_NAMES_MAX && t->fingerprints[n] != NULL)
			n++;
		out->fingerprints = (const char *const *)t->fingerprints;
		out->nfingerprints = n;
		return;
	}
	while (s->fingerprints != NULL && s->fingerprints[n] != NULL)
		n++;
	out->fingerprints = (const char *const *)s->fingerprints;
	out->nfingerprints = n;
}
