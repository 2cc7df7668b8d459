/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Destination syntax and the destination list. "[host]:port" means no MX
 * lookup, "host:port" and "host" mean MX lookup (split at the rightmost
 * colon); IPv6 literals go in brackets, with or without an "ipv6:" prefix;
 * services are looked up in known_tcp_ports first, then services(5). */
#include <config.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "base/str.h"
#include "conf/config.h"
#include "deliver/route.h"
#include "mail/idn.h"

/* Look name up in "lmtp=24, smtp=25, smtps=submissions=465" style text. */
static bool known_port(const char *name, const char *known, unsigned *port)
{
	char **items = config_list_split(known);
	bool found = false;

	for (size_t i = 0; items != NULL && items[i] != NULL && !found; i++) {
		char *value = strrchr(items[i], '=');
		unsigned long v;

		if (value == NULL || str_to_ulong(value + 1, 65535, &v) < 0)
			continue;
		*value = '\0';
		for (char *p = items[i], *eq; p != NULL && !found; p = eq ? eq + 1 : NULL) {
			eq = strchr(p, '=');
			if (eq != NULL)
				*eq = '\0';
			if (str_eq_ci(p, name)) {
				*port = (unsigned)v;
				found = true;
			}
		}
	}
	config_list_free(items);
	return found;
}

int route_port(const char *service, const char *known_ports, unsigned *port, struct error *err)
{
	unsigned long v;
	struct servent *se;

	if (service[0] >= '0' && service[0] <= '9') {
		if (str_to_ulong(service, 65535, &v) < 0 || v == 0) {
			error_set(err, ERROR_CONFIG, _("bad port \"%s\""), service);
			return -1;
		}
		*port = (unsigned)v;
		return 0;
	}
	if (known_ports != NULL && known_port(service, known_ports, port))
		return 0;
	se = getservbyname(service, "tcp");
	if (se == NULL) {
		error_set(err, ERROR_CONFIG, _("unknown service \"%s\""), service);
		return -1;
	}
	*port = ntohs((unsigned short)se->s_port);
	return 0;
}

static bool is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* Split spec into host text and service text; sets mx. */
static int split_spec(const char *spec, char **host, const char **service, bool *mx,
		      struct error *err)
{
	const char *colon, *end;

	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (end == NULL) {
			error_set(err, ERROR_CONFIG, _("bad destination \"%s\": missing \"]\""),
				  spec);
			return -1;
		}
		if (end[1] != '\0' && end[1] != ':') {
			error_set(err, ERROR_CONFIG,
				  _("bad destination \"%s\": garbage after \"]\""), spec);
			return -1;
		}
		*host = str_ndup(spec + 1, (size_t)(end - spec - 1));
		*service = end[1] == ':' && end[2] != '\0' ? end + 2 : NULL;
		*mx = false;
	} else {
		colon = strrchr(spec, ':');
		*host = colon != NULL ? str_ndup(spec, (size_t)(colon - spec)) : str_dup(spec);
		*service = colon != NULL && colon[1] != '\0' ? colon + 1 : NULL;
		*mx = true;
	}
	if (*host == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	return 0;
}

/* Strip an "ipv6:" prefix, check and convert the host name. */
static int finish_host(struct destination *d, char *host, struct error *err)
{
	if (str_prefix_ci(host, "ipv6:"))
		memmove(host, host + 5, strlen(host + 5) + 1);
	if (host[0] == '\0') {
		error_set(err, ERROR_CONFIG, _("bad destination \"%s\": missing host information"),
			  d->spec);
		free(host);
		return -1;
	}
	d->literal = is_ip_literal(host);
	if (d->literal) {
		d->host = host;
		return 0;
	}
	if (strchr(host, ':') != NULL) {
		error_set(err, ERROR_CONFIG, _("bad destination \"%s\": malformed IPv6 address"),
			  d->spec);
		free(host);
		return -1;
	}
	d->host = idn_to_ascii(host, err);
	free(host);
	if (d->host == NULL) {
		error_prefix(err, _("bad destination \"%s\""), d->spec);
		err->cls = ERROR_CONFIG;
		return -1;
	}
	return 0;
}

int destination_parse(const char *spec, const char *default_port, const char *known_ports,
		      struct destination *d, struct error *err)
{
	const char *service;
	char *host;
	bool numeric_garbage;

	memset(d, 0, sizeof(*d));
	d->spec = str_dup(spec);
	if (d->spec == NULL || split_spec(spec, &host, &service, &d->mx, err) < 0)
		goto fail;
	if (finish_host(d, host, err) < 0)
		goto fail;
	if (service == NULL)
		service = default_port;
	numeric_garbage = service[0] >= '0' && service[0] <= '9' &&
			  strspn(service, "0123456789") != strlen(service);
	if (numeric_garbage) {
		error_set(err, ERROR_CONFIG,
			  _("bad destination \"%s\": garbage after numerical service"), spec);
		goto fail;
	}
	if (route_port(service, known_ports, &d->port, err) < 0) {
		error_prefix(err, _("bad destination \"%s\""), spec);
		goto fail;
	}
	return 0;
fail:
	destination_fini(d);
	return -1;
}

void destination_fini(struct destination *d)
{
	free(d->spec);
	free(d->host);
	memset(d, 0, sizeof(*d));
}

/* Parse the destinations of value (from param) and append them. */
static int add_list(const struct config *cfg, const char *param, const char *value, bool fallback,
		    struct route *r, struct error *err)
{
	char **items = config_list_split(value);
	const char *port = config_get(cfg, "smtp_tcp_port");
	const char *known = config_get(cfg, "known_tcp_ports");
	int rc = items != NULL ? 0 : -1;

	for (size_t i = 0; items != NULL && items[i] != NULL && rc == 0; i++) {
		struct destination *v = realloc(r->v, (r->n + 1) * sizeof(*v));

		if (v == NULL) {
			rc = -1;
			break;
		}
		r->v = v;
		rc = destination_parse(items[i], port, known, &v[r->n], err);
		if (rc < 0) {
			error_prefix(err, "%s (%s)", param, config_where(cfg, param));
			break;
		}
		v[r->n].sender_keys = r->sender_keys;
		v[r->n++].fallback = fallback;
	}
	if (rc < 0 && !error_is_set(err))
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	config_list_free(items);
	return rc;
}

int route_build(const struct config *cfg, const struct session_envelope *env, struct route *r,
		struct error *err)
{
	const char *fallback =
	    config_is_set(cfg, "smtp_fallback_relay") || !config_is_set(cfg, "fallback_relay")
		? "smtp_fallback_relay"
		: "fallback_relay";
	struct locality *loc = locality_new(cfg, err);
	char *primary = NULL;
	int rc = loc != NULL ? 0 : -1;

	memset(r, 0, sizeof(*r));
	if (rc == 0)
		rc = route_sender_keys(cfg, loc, env != NULL ? env->sender : NULL, &r->sender_keys,
				       err);
	if (rc == 0)
		rc = route_lookup_primary(cfg, loc, env, &primary, &r->primary_from, err);
	locality_free(loc);
	if (rc == 0)
		rc = add_list(cfg, r->primary_from,
			      primary != NULL ? primary : config_get(cfg, "relayhost"), false, r,
			      err);
	if (rc == 0)
		rc = add_list(cfg, fallback, config_get(cfg, fallback), true, r, err);
	free(primary);
	if (rc < 0) {
		route_fini(r);
		return -1;
	}
	if (r->n == 0) {
		if (config_file(cfg) != NULL)
			error_set(err, ERROR_CONFIG,
				  _("relayhost is not set: relaymail needs a relay (it does not "
				    "deliver directly to the recipients' mail servers); set "
				    "relayhost in %s"),
				  config_file(cfg));
		else
			error_set(err, ERROR_CONFIG,
				  _("relayhost is not set and no configuration file was found: "
				    "relaymail needs a relay; create %s with a relayhost line, or "
				    "set RELAYMAIL_RELAYHOST"),
				  SYSCONFDIR "/relaymail/sendmail.conf");
		route_fini(r);
		return -1;
	}
	return 0;
}

void route_fini(struct route *r)
{
	for (size_t i = 0; i < r->n; i++)
		destination_fini(&r->v[i]);
	free(r->v);
	if (r->sender_keys != NULL)
		addrfind_keys_fini(r->sender_keys);
	free(r->sender_keys);
	memset(r, 0, sizeof(*r));
}
