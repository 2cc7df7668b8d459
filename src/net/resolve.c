/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host name to addresses through getaddrinfo: literals never touch the
 * resolver, names are filtered by family and ordered by preference, and
 * resolver failures become ERROR_NOHOST (the name exists nowhere) or
 * ERROR_TEMP (ask again later). Bind addresses are literals only. */
#include <config.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/error.h"
#include "base/i18n.h"
#include "base/str.h"
#include "net/conn.h"

static int family_af(enum net_family f)
{
	switch (f) {
	case NET_IPV4:
		return AF_INET;
	case NET_IPV6:
		return AF_INET6;
	default:
		return AF_UNSPEC;
	}
}

int net_family_parse(const char *value, enum net_family *out)
{
	static const char blanks[] = ", \t\r\n";
	bool v4 = false, v6 = false;
	const char *p = value;

	for (p += strspn(p, blanks); *p != '\0'; p += strspn(p, blanks)) {
		size_t n = strcspn(p, blanks);

		if (n == 3 && strncasecmp(p, "all", 3) == 0)
			v4 = v6 = true;
		else if (n == 4 && strncasecmp(p, "ipv4", 4) == 0)
			v4 = true;
		else if (n == 4 && strncasecmp(p, "ipv6", 4) == 0)
			v6 = true;
		else
			return -1;
		p += n;
	}
	if (!v4 && !v6)
		return -1;
	*out = v4 && v6 ? NET_ANY : v4 ? NET_IPV4 : NET_IPV6;
	return 0;
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static bool already_listed(const struct net_addr *out, int n, const struct addrinfo *ai)
{
	for (int i = 0; i < n; i++)
		if (out[i].len == ai->ai_addrlen && out[i].ss.ss_family == ai->ai_family &&
		    memcmp(&out[i].ss, ai->ai_addr, ai->ai_addrlen) == 0)
			return true;
	return false;
}

/* Append the entries of res whose family is af (AF_UNSPEC: any) and not
 * skip_af, without duplicates, up to max; returns the new count. */
static int collect(const struct addrinfo *res, int af, int skip_af, const char *host, unsigned port,
		   struct net_addr *out, int n, int max)
{
	for (const struct addrinfo *ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		struct net_addr *a = &out[n];

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if ((af != AF_UNSPEC && ai->ai_family != af) || ai->ai_family == skip_af)
			continue;
		if (ai->ai_addrlen > sizeof(a->ss) || already_listed(out, n, ai))
			continue;
		memset(a, 0, sizeof(*a));
		memcpy(&a->ss, ai->ai_addr, ai->ai_addrlen);
		a->len = ai->ai_addrlen;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a->text, sizeof(a->text), NULL, 0,
				NI_NUMERICHOST) != 0)
			continue;
		set_port(&a->ss, port);
		snprintf(a->host, sizeof(a->host), "%s", host);
		n++;
	}
	return n;
}

static void resolve_error(const char *host, enum net_family family, int rc, int errnum,
			  struct error *err)
{
	switch (rc) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
#endif
		if (family == NET_IPV4)
			error_set(err, ERROR_NOHOST, _("relay host %s has no IPv4 address"), host);
		else if (family == NET_IPV6)
			error_set(err, ERROR_NOHOST, _("relay host %s has no IPv6 address"), host);
		else
			error_set(err, ERROR_NOHOST, _("relay host %s not found"), host);
		break;
	case EAI_AGAIN:
		error_set(err, ERROR_TEMP, _("temporary failure resolving relay host %s: %s"), host,
			  gai_strerror(rc));
		break;
	case EAI_SYSTEM:
		error_set_errno(err, ERROR_TEMP, errnum, _("cannot resolve relay host %s"), host);
		break;
	default:
		error_set(err, ERROR_TEMP, _("cannot resolve relay host %s: %s"), host,
			  gai_strerror(rc));
		break;
	}
}

int net_resolve(const char *host, unsigned port, enum net_family family, enum net_family prefer,
		struct net_addr *out, int max, struct error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res = NULL;
	int rc, n, pref_af;

	if (host == NULL || *host == '\0' || max <= 0 || port > 65535) {
		error_set(err, ERROR_INTERNAL, _("invalid arguments to resolve a relay host"));
		return -1;
	}
	/* A literal needs no resolver, and AI_ADDRCONFIG must not hide it. */
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc == EAI_NONAME) {
		hints.ai_flags = AI_ADDRCONFIG;
		hints.ai_family = family_af(family);
		rc = getaddrinfo(host, NULL, &hints, &res);
	}
	if (rc != 0) {
		resolve_error(host, family, rc, errno, err);
		return -1;
	}
	if (family == NET_ANY && prefer != NET_ANY) {
		pref_af = family_af(prefer);
		n = collect(res, pref_af, AF_UNSPEC, host, port, out, 0, max);
		n = collect(res, AF_UNSPEC, pref_af, host, port, out, n, max);
	} else {
		n = collect(res, family_af(family), AF_UNSPEC, host, port, out, 0, max);
	}
	freeaddrinfo(res);
	if (n == 0) {
		resolve_error(host, family, EAI_NONAME, 0, err);
		return -1;
	}
	return n;
}

static int bad_bind(const char *text, enum net_family family, struct error *err)
{
	if (family == NET_IPV6)
		error_set(err, ERROR_CONFIG, _("\"%s\" is not an IPv6 address"), text);
	else
		error_set(err, ERROR_CONFIG, _("\"%s\" is not an IPv4 address"), text);
	return -1;
}

int net_bind_parse(const char *text, enum net_family family, struct net_addr *out, bool *set,
		   struct error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res = NULL;
	char literal[sizeof(out->text)];
	size_t len = strlen(text);
	int n;

	*set = false;
	if (len == 0)
		return 0;
	if (text[0] == '[' && len >= 2 && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(literal))
		return bad_bind(text, family, err);
	memcpy(literal, text, len);
	literal[len] = '\0';
	hints.ai_family = family_af(family);
	if (getaddrinfo(literal, NULL, &hints, &res) != 0)
		return bad_bind(literal, family, err);
	n = collect(res, hints.ai_family, AF_UNSPEC, literal, 0, out, 0, 1);
	freeaddrinfo(res);
	if (n != 1)
		return bad_bind(literal, family, err);
	*set = true;
	return 0;
}
