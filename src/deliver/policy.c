/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The relay transport policy of the configuration, read once: SASL, DNS,
 * source addresses, the HELO name and the stage timeouts here, TLS in
 * policy_tls.c; and the credentials for each server, looked up per
 * attempt. */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sasl.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/str.h"
#include "conf/matchlist.h"
#include "conf/table.h"
#include "deliver/authcache.h"
#include "deliver/policy.h"
#include "smtp/caps.h"

/* smtp_sasl_auth_cache_name and smtp_sasl_auth_cache_time. */
static int auth_cache_load(const struct config *cfg, struct sasl_settings *s, struct error *err)
{
	const char *name = config_get(cfg, "smtp_sasl_auth_cache_name");
	char why[ERROR_TEXT_MAX];

	if (config_get_time(cfg, "smtp_sasl_auth_cache_time", &s->auth_cache_ttl, err) < 0)
		return -1;
	if (*name == '\0')
		return 0;
	if ((s->auth_cache = authcache_path(name, err)) == NULL) {
		snprintf(why, sizeof(why), "%s", err->text);
		config_bad_value(err, cfg, "smtp_sasl_auth_cache_name", name, "%s", why);
		return -1;
	}
	return 0;
}

static int sasl_load(const struct config *cfg, struct sasl_settings *s, struct error *err)
{
	static const char *const options[] = {
		[SASL_SECURITY_PLAIN] = "smtp_sasl_security_options",
		[SASL_SECURITY_TLS] = "smtp_sasl_tls_security_options",
		[SASL_SECURITY_VERIFIED] = "smtp_sasl_tls_verified_security_options",
	};
	const char *delim;
	bool enabled;
	long seconds;

	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (sasl_options_parse(config_get(cfg, options[i]), &s->options[i], err) < 0) {
			error_prefix(err, "%s (%s)", options[i], config_where(cfg, options[i]));
			return -1;
		}
	}
	if (config_get_time(cfg, "smtp_sasl_oauth_token_timeout", &seconds, err) < 0 ||
	    config_get_bool(cfg, "smtp_sasl_auth_enable", &enabled, err) < 0)
		return -1;
	s->token_timeout = seconds * 1000;
	s->token_command = config_get(cfg, "smtp_sasl_oauth_token_command");
	delim = config_get(cfg, "smtp_sasl_password_result_delimiter");
	if (strlen(delim) != 1 || (unsigned char)*delim <= ' ' || (unsigned char)*delim >= 0x7f) {
		config_bad_value(err, cfg, "smtp_sasl_password_result_delimiter", delim,
				 _("use one visible character, such as :"));
		return -1;
	}
	s->delimiter = *delim;
	if (auth_cache_load(cfg, s, err) < 0)
		return -1;
	if (*config_get(cfg, "smtp_sasl_mechanism_filter") != '\0') {
		char where[512];

		snprintf(where, sizeof(where), "smtp_sasl_mechanism_filter (%s)",
			 config_where(cfg, "smtp_sasl_mechanism_filter"));
		s->filter = matchlist_open(config_get(cfg, "smtp_sasl_mechanism_filter"),
					   table_config_flags(cfg), where, err);
		if (s->filter == NULL)
			return -1;
	}
	if (!enabled)
		return 0;
	s->passwords = maps_open_param(cfg, "smtp_sasl_password_maps", TABLE_SECRET, err);
	return s->passwords != NULL ? 0 : -1;
}

int policy_inet_protocols(const struct config *cfg, enum net_family *out, struct error *err)
{
	const char *value = config_get(cfg, "inet_protocols");

	if (net_family_parse(value, out) == 0)
		return 0;
	config_bad_value(err, cfg, "inet_protocols", value, _("use all, ipv4, ipv6 or ipv4, ipv6"));
	return -1;
}

/* Whether unbracketed destinations get an MX lookup (postfix.md §4.1):
 * smtp_dns_support_level, else disable_dns_lookups. dnssec is taken as
 * enabled: there is no validating resolver here. */
static int dns_load(const struct config *cfg, struct policy *p, struct error *err)
{
	static const char *const levels[] = { "", "disabled", "enabled", "dnssec" };
	static const char *const families[] = { "any", "ipv4", "ipv6" };
	unsigned long limit, sessions;
	bool disabled;
	int level, prefer;

	if ((level = config_get_enum(cfg, "smtp_dns_support_level", levels, 4, err)) < 0 ||
	    config_get_bool(cfg, "disable_dns_lookups", &disabled, err) < 0 ||
	    config_get_ulong(cfg, "smtp_mx_address_limit", &limit, err) < 0 ||
	    config_get_ulong(cfg, "smtp_mx_session_limit", &sessions, err) < 0 ||
	    (prefer = config_get_enum(cfg, "smtp_address_preference", families, 3, err)) < 0 ||
	    policy_inet_protocols(cfg, &p->family, err) < 0)
		return -1;
	p->mx_lookups = level == 0 ? !disabled : level != 1;
	/* 0 is Postfix's "no limit"; the walk's own is POLICY_ADDRESS_MAX. */
	p->session_limit = sessions > POLICY_ADDRESS_MAX ? POLICY_ADDRESS_MAX : (int)sessions;
	p->address_limit =
	    limit == 0 || limit > POLICY_ADDRESS_MAX ? POLICY_ADDRESS_MAX : (int)limit;
	p->prefer = prefer == 1 ? NET_IPV4 : prefer == 2 ? NET_IPV6 : NET_ANY;
	return 0;
}

/* smtp_bind_address, smtp_bind_address6, smtp_bind_address_enforce. */
static int bind_load(const struct config *cfg, struct net_bind *b, struct error *err)
{
	static const struct {
		const char *param;
		enum net_family family;
	} params[] = { { "smtp_bind_address", NET_IPV4 }, { "smtp_bind_address6", NET_IPV6 } };

	memset(b, 0, sizeof(*b));
	if (config_get_bool(cfg, "smtp_bind_address_enforce", &b->enforce, err) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		struct net_addr *addr = i == 0 ? &b->v4 : &b->v6;
		bool *set = i == 0 ? &b->has_v4 : &b->has_v6;

		if (net_bind_parse(config_get(cfg, params[i].param), params[i].family, addr, set,
				   err) < 0) {
			error_prefix(err, "%s (%s)", params[i].param,
				     config_where(cfg, params[i].param));
			return -1;
		}
	}
	return 0;
}

/* The keywords of smtp_discard_ehlo_keywords as Postfix's client logs
 * them ("discarding EHLO keywords: ..."): in its table's order, upper
 * case, none with silent-discard. */
static void discard_note(char *const *words, char *note, size_t size)
{
	static const char *const order[] = {
		"8BITMIME",
		"AUTH",
		"ETRN",
		"PIPELINING",
		"SIZE",
		"VERP",
		"VRFY",
		"XCLIENT",
		"XFORWARD",
		"STARTTLS",
		"ENHANCEDSTATUSCODES",
		"DSN",
		"SMTPUTF8",
		"CHUNKING",
	};
	size_t len = 0;

	note[0] = '\0';
	for (size_t i = 0; words[i] != NULL; i++)
		if (str_eq_ci(words[i], "silent-discard"))
			return;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (size_t i = 0; words[i] != NULL; i++) {
			if (!str_eq_ci(words[i], order[k]) || len >= size)
				continue;
			len += (size_t)snprintf(note + len, size - len, "%s%s", len > 0 ? " " : "",
						order[k]);
			break;
		}
	}
}

/* soft_bounce, smtp_sasl_auth_soft_bounce, smtp_skip_5xx_greeting,
 * smtp_discard_ehlo_keywords, smtp_tls_loglevel. */
static int answers_load(const struct config *cfg, struct answer_settings *a, struct error *err)
{
	char **words;
	bool skip, never, always;
	int rc = 0;

	if (config_get_bool(cfg, "soft_bounce", &a->soft_bounce, err) < 0 ||
	    config_get_bool(cfg, "smtp_sasl_auth_soft_bounce", &a->auth_soft_bounce, err) < 0 ||
	    config_get_bool(cfg, "smtp_skip_5xx_greeting", &skip, err) < 0 ||
	    config_get_ulong(cfg, "smtp_tls_loglevel", &a->tls_loglevel, err) < 0)
		return -1;
	a->greeting_5xx_final = !skip;
	if (config_get_bool(cfg, "smtp_tls_note_starttls_offer", &a->note_starttls, err) < 0 ||
	    config_get_bool(cfg, "smtp_never_send_ehlo", &never, err) < 0 ||
	    config_get_bool(cfg, "smtp_always_send_ehlo", &always, err) < 0)
		return -1;
	a->hello = never     ? SESSION_HELLO_HELO
		   : !always ? SESSION_HELLO_IF_ESMTP
			     : SESSION_HELLO_EHLO;
	if ((words = config_list_split(config_get(cfg, "smtp_discard_ehlo_keywords"))) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	for (size_t i = 0; words[i] != NULL && rc == 0; i++) {
		unsigned bit;

		if (caps_keyword(words[i], &bit) == 0) {
			config_bad_value(err, cfg, "smtp_discard_ehlo_keywords", words[i],
					 _("use EHLO keywords such as pipelining, chunking, "
					   "starttls, auth, size, dsn, 8bitmime, smtputf8 or "
					   "enhancedstatuscodes"));
			rc = -1;
		}
		a->discard |= bit;
	}
	discard_note(words, a->discard_note, sizeof(a->discard_note));
	config_list_free(words);
	return rc;
}

/* What EHLO can carry: a name or an address literal, one word of visible
 * ASCII (RFC 5321 §4.1.1.1). */
static int helo_load(const struct config *cfg, struct policy *p, struct error *err)
{
	const char *name = config_get(cfg, "smtp_helo_name");
	size_t len = strlen(name);

	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)name[i] <= 0x20 || (unsigned char)name[i] >= 0x7f) {
			len = 0;
			break;
		}
	}
	if (len == 0 || len > 255) {
		config_bad_value(err, cfg, "smtp_helo_name", name,
				 _("use a host name or an address literal such as [192.0.2.1]"));
		return -1;
	}
	p->helo_name = name;
	return 0;
}

/* debug_peer_list, a host and address list, and debug_peer_level. */
static int debug_load(const struct config *cfg, struct policy *p, struct error *err)
{
	const char *list = config_get(cfg, "debug_peer_list");
	char where[512];

	if (config_get_ulong(cfg, "debug_peer_level", &p->debug_level, err) < 0)
		return -1;
	if (p->debug_level == 0) {
		config_bad_value(err, cfg, "debug_peer_level", config_get(cfg, "debug_peer_level"),
				 _("use a number greater than 0"));
		return -1;
	}
	snprintf(where, sizeof(where), "debug_peer_list (%s)",
		 config_where(cfg, "debug_peer_list"));
	if ((p->debug_peers = matchlist_open(list, table_config_flags(cfg), where, err)) == NULL ||
	    matchlist_check_networks(p->debug_peers, err) < 0)
		return -1;
	if (matchlist_empty(p->debug_peers)) {
		matchlist_free(p->debug_peers);
		p->debug_peers = NULL;
	}
	return 0;
}

bool policy_debug_peer(const struct policy *p, const char *host, const char *addr)
{
	struct error err = { 0 };
	int rc;

	if (p->debug_peers == NULL)
		return false;
	if ((rc = matchlist_match_host(p->debug_peers, host, addr, &err)) < 0)
		log_warning("%s", err.text);
	return rc > 0;
}

int policy_load(const struct config *cfg, struct policy *p, struct error *err)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	if (policy_tls_load(cfg, &p->tls, err) < 0 || sasl_load(cfg, &p->sasl, err) < 0 ||
	    policy_timeouts(cfg, &p->timeouts, err) < 0 ||
	    answers_load(cfg, &p->answers, err) < 0 || dns_load(cfg, p, err) < 0 ||
	    bind_load(cfg, &p->bind, err) < 0 || helo_load(cfg, p, err) < 0 ||
	    debug_load(cfg, p, err) < 0) {
		policy_fini(p);
		return -1;
	}
	return 0;
}

void policy_fini(struct policy *p)
{
	policy_tls_settings_fini(&p->tls);
	maps_free(p->sasl.passwords);
	p->sasl.passwords = NULL;
	matchlist_free(p->sasl.filter);
	p->sasl.filter = NULL;
	matchlist_free(p->debug_peers);
	p->debug_peers = NULL;
}

static int split_credentials(char *value, char delim, struct credentials *c, const char *key,
			     struct error *err)
{
	char *colon = strchr(value, delim);

	if (colon == NULL) {
		error_set(err, ERROR_CONFIG,
			  _("smtp_sasl_password_maps entry for \"%s\" is not in the form "
			    "username%cpassword"),
			  key, delim);
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
	return policy_credentials_split(passwords, ':', d, host, c, err);
}

int policy_credentials_split(const struct maps *passwords, char delim, const struct destination *d,
			     const char *host, struct credentials *c, struct error *err)
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
	rc = split_credentials(value, delim, c, key, err);
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
