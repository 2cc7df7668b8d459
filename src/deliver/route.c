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
#include "conf/table.h"
#include "deliver/route.h"
#include "mail/idn.h"

/* Look name up in "lmtp=24, smtp=25, smtps=submissions=465" style text:
 * 1 found, 0 not, -1 out of memory. */
static int known_port(const char *name, const char *known, unsigned *port)
{
	char **items = config_list_split(known);
	bool found = false;

	if (items == NULL)
		return -1;
	for (size_t i = 0; items[i] != NULL && !found; i++) {
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
	return found ? 1 : 0;
}

int route_port(const char *service, const char *known_ports, unsigned *port, struct error *err)
{
	unsigned long v;
	struct servent *se;
	int known = 0;

	if (service[0] >= '0' && service[0] <= '9') {
		if (str_to_ulong(service, 65535, &v) < 0 || v == 0) {
			error_set(err, ERROR_CONFIG, _("bad port \"%s\""), service);
			return -1;
		}
		*port = (unsigned)v;
		return 0;
	}
	if (known_ports != NULL)
		known = known_port(service, known_ports, port);
	if (known < 0) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	if (known > 0)
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
	if (d->host == NULL && err->cls == ERROR_DATA) {
		error_prefix(err, _("bad destination \"%s\""), d->spec);
		err->cls = ERROR_CONFIG;
	}
	if (d->host == NULL)
		return -1;
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
	if (d->spec == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		goto fail;
	}
	if (split_spec(spec, &host, &service, &d->mx, err) < 0)
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

int destination_copy(const struct destination *d, struct destination *out)
{
	*out = *d;
	out->spec = str_dup(d->spec);
	out->host = str_dup(d->host);
	if (out->spec != NULL && out->host != NULL)
		return 0;
	destination_fini(out);
	return -1;
}

/* Append a copy of each of v[0..n) to r. */
static int add_copies(struct route *r, const struct destination *v, size_t n, struct error *err)
{
	struct destination *grown;

	if (n == 0)
		return 0;
	grown = realloc(r->v, (r->n + n) * sizeof(*grown));
	if (grown == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	r->v = grown;
	for (size_t i = 0; i < n; i++) {
		if (destination_copy(&v[i], &r->v[r->n]) < 0) {
			error_set(err, ERROR_INTERNAL, _("out of memory"));
			return -1;
		}
		r->v[r->n++].sender_keys = r->sender_keys;
	}
	return 0;
}

/* Parse the destinations of a list value (from param, set where) into a
 * new array. */
static int parse_list(const struct route_settings *rs, const char *param, const char *where,
		      const char *value, bool fallback, struct destination **out, size_t *n,
		      struct error *err)
{
	char **items = config_list_split(value);
	size_t count = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (items == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return -1;
	}
	while (items[count] != NULL)
		count++;
	if (count > 0 && (*out = calloc(count, sizeof(**out))) == NULL) {
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		rc = -1;
	}
	for (size_t i = 0; i < count && rc == 0; i++) {
		rc =
		    destination_parse(items[i], rs->default_port, rs->known_ports, &(*out)[i], err);
		if (rc < 0) {
			error_prefix(err, "%s (%s)", param, where);
			break;
		}
		(*out)[i].fallback = fallback;
		(*out)[i].param = param;
		(*out)[i].where = where;
		*n = i + 1;
	}
	config_list_free(items);
	return rc;
}

static void destinations_free(struct destination *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		destination_fini(&v[i]);
	free(v);
}

/* known_tcp_ports: "name=...=number" items; smtp_tcp_port must resolve. */
static int ports_load(const struct config *cfg, struct route_settings *rs, struct error *err)
{
	char **items = config_list_split(rs->known_ports);
	unsigned port;
	int rc = items != NULL ? 0 : -1;

	if (items == NULL)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	for (size_t i = 0; items != NULL && items[i] != NULL && rc == 0; i++) {
		const char *eq = strrchr(items[i], '=');
		unsigned long v;

		if (eq == NULL || eq == items[i] || eq[-1] == '=' || items[i][0] == '=' ||
		    str_to_ulong(eq + 1, 65535, &v) < 0 || v == 0) {
			config_bad_value(err, cfg, "known_tcp_ports", items[i],
					 _("write name=number, for example submission=587"));
			rc = -1;
		}
	}
	config_list_free(items);
	if (rc == 0 && route_port(rs->default_port, rs->known_ports, &port, err) < 0) {
		error_prefix(err, "smtp_tcp_port (%s)", config_where(cfg, "smtp_tcp_port"));
		rc = -1;
	}
	return rc;
}

/* Nothing could ever name a relay: say which parameter to set, and where. */
static int no_relay(const struct route_settings *rs, struct error *err)
{
	if (rs->config_file != NULL)
		error_set(err, ERROR_CONFIG,
			  _("relayhost is not set: relaymail needs a relay (it does not "
			    "deliver directly to the recipients' mail servers); set "
			    "relayhost in %s"),
			  rs->config_file);
	else
		error_set(err, ERROR_CONFIG,
			  _("relayhost is not set and no configuration file was found: "
			    "relaymail needs a relay; create %s with a relayhost line, or "
			    "set RELAYMAIL_RELAYHOST"),
			  SYSCONFDIR "/relaymail/sendmail.conf");
	return -1;
}

int route_settings_load(const struct config *cfg, struct locality *loc, struct route_settings *rs,
			struct error *err)
{
	const char *fallback =
	    config_is_set(cfg, "smtp_fallback_relay") || !config_is_set(cfg, "fallback_relay")
		? "smtp_fallback_relay"
		: "fallback_relay";
	int rc;

	memset(rs, 0, sizeof(*rs));
	rs->default_port = config_get(cfg, "smtp_tcp_port");
	rs->known_ports = config_get(cfg, "known_tcp_ports");
	rs->fallback_param = fallback;
	rs->transport_where = config_where(cfg, "transport_maps");
	rs->sender_relay_where = config_where(cfg, "sender_dependent_relayhost_maps");
	rs->empty_key = config_get(cfg, "empty_address_relayhost_maps_lookup_key");
	rs->loc = loc;
	rs->af = locality_addrfind(loc);
	rs->config_file = config_file(cfg);
	rc = ports_load(cfg, rs, err);
	if (rc == 0)
		rc = parse_list(rs, "relayhost", config_where(cfg, "relayhost"),
				config_get(cfg, "relayhost"), false, &rs->relayhost,
				&rs->nrelayhost, err);
	if (rc == 0)
		rc =
		    parse_list(rs, fallback, config_where(cfg, fallback), config_get(cfg, fallback),
			       true, &rs->fallback, &rs->nfallback, err);
	if (rc == 0)
		rc = config_get_bool(cfg, "smtp_sender_dependent_authentication", &rs->sender_auth,
				     err);
	if (rc == 0 && (rs->transport = maps_open_param(cfg, "transport_maps", 0, err)) == NULL)
		rc = -1;
	if (rc == 0 && (rs->sender_relay = maps_open_param(cfg, "sender_dependent_relayhost_maps",
							   TABLE_NO_REGSUB, err)) == NULL)
		rc = -1;
	if (rc == 0 && rs->nrelayhost == 0 && rs->nfallback == 0 && maps_empty(rs->transport) &&
	    maps_empty(rs->sender_relay))
		rc = no_relay(rs, err);
	if (rc < 0)
		route_settings_fini(rs);
	return rc;
}

void route_settings_fini(struct route_settings *rs)
{
	destinations_free(rs->relayhost, rs->nrelayhost);
	destinations_free(rs->fallback, rs->nfallback);
	maps_free(rs->transport);
	maps_free(rs->sender_relay);
	memset(rs, 0, sizeof(*rs));
}

int route_build(const struct route_settings *rs, const struct session_envelope *env,
		struct route *r, struct error *err)
{
	struct destination *primary = NULL;
	size_t nprimary = 0;
	char *text = NULL;
	const char *from = NULL; /* stays NULL when the sender keys fail */
	int rc;

	memset(r, 0, sizeof(*r));
	rc = route_sender_keys(rs, env != NULL ? env->sender : NULL, &r->sender_keys, err);
	if (rc == 0)
		rc = route_lookup_primary(rs, env, &text, &from, err);
	r->primary_from = from;
	if (rc == 0 && text != NULL)
		rc = parse_list(rs, from,
				strcmp(from, "transport_maps") == 0 ? rs->transport_where
								    : rs->sender_relay_where,
				text, false, &primary, &nprimary, err);
	if (rc == 0)
		rc = text != NULL ? add_copies(r, primary, nprimary, err)
				  : add_copies(r, rs->relayhost, rs->nrelayhost, err);
	if (rc == 0)
		rc = add_copies(r, rs->fallback, rs->nfallback, err);
	destinations_free(primary, nprimary);
	free(text);
	if (rc == 0 && r->n == 0)
		rc = no_relay(rs, err);
	if (rc < 0)
		route_fini(r);
	return rc;
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
