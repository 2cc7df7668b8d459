/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The host's own addresses (net/ownaddr.h): parameter values parsed into
 * binary addresses and pending host names, then, on the first query that
 * needs them, the interface addresses from getifaddrs (those that are up,
 * as Postfix's inet_addr_local takes them) and the names through
 * getaddrinfo. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/i18n.h"
#include "base/str.h"
#include "net/ownaddr.h"

#define ENTRY_MAX 255 /* a host name, or an address in brackets with a zone */

struct ip {
	int af;		     /* AF_INET or AF_INET6 */
	unsigned char b[16]; /* 4 or 16 bytes, network order */
};

struct pending {
	char *name;
	size_t label; /* index into labels */
};

enum ifmode { IF_NONE, IF_ALL, IF_LOOPBACK };

struct net_ownaddr {
	enum net_family family;
	enum ifmode ifmode;
	size_t ifmode_label;
	struct ip *v;
	size_t n, cap;
	size_t nfixed; /* v[0..nfixed) came from numeric entries */
	struct pending *names;
	size_t nnames;
	char **labels;
	size_t nlabels;
	bool loaded;
};

static int nomem(struct error *err)
{
	error_set(err, ERROR_INTERNAL, _("out of memory"));
	return -1;
}

static bool keeps(const struct net_ownaddr *o, int af)
{
	return o->family == NET_ANY || (o->family == NET_IPV4 && af == AF_INET) ||
	       (o->family == NET_IPV6 && af == AF_INET6);
}

static int push(struct net_ownaddr *o, int af, const void *bytes)
{
	struct ip *ip;

	if (!keeps(o, af))
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap != 0 ? o->cap * 2 : 8;
		struct ip *v = cap < SIZE_MAX / sizeof(*v) ? realloc(o->v, cap * sizeof(*v)) : NULL;

		if (v == NULL)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	ip = &o->v[o->n++];
	memset(ip, 0, sizeof(*ip));
	ip->af = af;
	memcpy(ip->b, bytes, af == AF_INET ? 4 : 16);
	return 0;
}

struct net_ownaddr *net_ownaddr_new(enum net_family family)
{
	struct net_ownaddr *o = calloc(1, sizeof(*o));

	if (o != NULL)
		o->family = family;
	return o;
}

void net_ownaddr_free(struct net_ownaddr *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->nnames; i++)
		free(o->names[i].name);
	for (size_t i = 0; i < o->nlabels; i++)
		free(o->labels[i]);
	free(o->names);
	free(o->labels);
	free(o->v);
	free(o);
}

/* An interface name after the "%" of an IPv6 address (RFC 4007 §11). */
static bool is_zone(const char *z)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._-";

	return *z != '\0' && strspn(z, chars) == strlen(z);
}

/* text[0..n) as a numeric address of af; an IPv6 one may carry a %zone,
 * which names an interface and is not part of the address. */
static bool parse_numeric(const char *text, size_t n, int af, unsigned char out[16])
{
	char buf[ENTRY_MAX + 1];
	char *zone;

	if (n == 0 || n > ENTRY_MAX)
		return false;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (af == AF_INET6 && (zone = strchr(buf, '%')) != NULL) {
		if (!is_zone(zone + 1))
			return false;
		*zone = '\0';
	}
	return inet_pton(af, buf, out) == 1;
}

/* Letters, digits, '-' and '_' in labels of at most 63 characters, one
 * trailing dot allowed; all digits and dots is a bad address, not a name. */
static bool is_hostname(const char *p, size_t n)
{
	size_t label = 0;
	bool numeric = true;

	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_') ||
		    ++label > 63)
			return false;
		if (c < '0' || c > '9')
			numeric = false;
	}
	return label > 0 && !numeric;
}

static int add_label(struct net_ownaddr *o, const char *label)
{
	char **v = realloc(o->labels, (o->nlabels + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	o->labels = v;
	if ((v[o->nlabels] = str_dup(label)) == NULL)
		return -1;
	o->nlabels++;
	return 0;
}

static int add_name(struct net_ownaddr *o, const char *p, size_t n)
{
	struct pending *v = realloc(o->names, (o->nnames + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	o->names = v;
	if ((v[o->nnames].name = str_ndup(p, n)) == NULL)
		return -1;
	v[o->nnames++].label = o->nlabels - 1;
	return 0;
}

/* One list entry p[0..n): [address], address, or host name. */
static int add_entry(struct net_ownaddr *o, const char *label, const char *p, size_t n,
		     struct error *err)
{
	unsigned char b[16];
	bool bracket = n >= 2 && p[0] == '[' && p[n - 1] == ']';
	const char *a = bracket ? p + 1 : p;
	size_t an = bracket ? n - 2 : n;
	int rc;

	if (parse_numeric(a, an, AF_INET, b))
		rc = push(o, AF_INET, b);
	else if (parse_numeric(a, an, AF_INET6, b))
		rc = push(o, AF_INET6, b);
	else if (!bracket && is_hostname(p, n))
		rc = add_name(o, p, n);
	else {
		char shown[ENTRY_MAX + 1];

		str_printable(shown, sizeof(shown), p, n);
		error_set(err, ERROR_CONFIG,
			  _("%s: \"%s\" is neither an IP address nor a host name"), label, shown);
		return -1;
	}
	return rc < 0 ? nomem(err) : 0;
}

int net_ownaddr_add(struct net_ownaddr *o, const char *label, const char *value, bool keywords,
		    struct error *err)
{
	static const char sep[] = " \t\r\n,";
	const char *p = str_skip_space(value);
	size_t len = str_trim_len(p, strlen(p));
	int rc = 0;

	/* Whatever was listed or resolved is gone: v[0..n) are numeric
	 * entries again, and the next query loads the rest anew. */
	o->n = o->nfixed;
	o->loaded = false;
	if (add_label(o, label) < 0)
		return nomem(err);
	if (keywords && ((len == 3 && strncmp(p, "all", 3) == 0) ||
			 (len == 13 && strncmp(p, "loopback-only", 13) == 0))) {
		/* Postfix compares the whole value, case and all. */
		o->ifmode = len == 3 ? IF_ALL : IF_LOOPBACK;
		o->ifmode_label = o->nlabels - 1;
		return 0;
	}
	while (rc == 0 && *(p += strspn(p, sep)) != '\0') {
		size_t n = strcspn(p, sep);

		rc = add_entry(o, label, p, n, err);
		p += n;
	}
	o->nfixed = o->n;
	return rc;
}

static bool is_loopback(int af, const unsigned char *b)
{
	static const unsigned char v6[16] = { [15] = 1 };

	return af == AF_INET ? b[0] == 127 : memcmp(b, v6, 16) == 0;
}

static bool is_unspecified(int af, const unsigned char *b)
{
	static const unsigned char zero[16];

	return memcmp(b, zero, af == AF_INET ? 4 : 16) == 0;
}

static int add_interfaces(struct net_ownaddr *o, struct error *err)
{
	struct ifaddrs *list, *ifa;
	int rc = 0;

	if (getifaddrs(&list) < 0) {
		error_set_errno(
		    err, ERROR_OS, errno,
		    _("%s: cannot list the addresses of this host's network interfaces"),
		    o->labels[o->ifmode_label]);
		return -1;
	}
	for (ifa = list; ifa != NULL && rc == 0; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;
		const unsigned char *b;

		/* As Postfix's inet_addr_local: up, not necessarily running. */
		if (sa == NULL || !(ifa->ifa_flags & IFF_UP))
			continue;
		if (sa->sa_family == AF_INET)
			b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
				->sin_addr;
		else if (sa->sa_family == AF_INET6)
			b = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)
				->sin6_addr;
		else
			continue;
		if (is_unspecified(sa->sa_family, b) ||
		    (o->ifmode == IF_LOOPBACK && !is_loopback(sa->sa_family, b)))
			continue;
		rc = push(o, sa->sa_family, b);
	}
	freeifaddrs(list);
	return rc < 0 ? nomem(err) : 0;
}

static int resolve_error(const struct net_ownaddr *o, const struct pending *name, int rc,
			 int errnum, struct error *err)
{
	const char *label = o->labels[name->label];

	switch (rc) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
	case EAI_ADDRFAMILY:
#endif
		error_set(err, ERROR_CONFIG, _("%s: host name %s not found"), label, name->name);
		break;
	case EAI_AGAIN:
		error_set(err, ERROR_TEMP, _("%s: temporary failure resolving host name %s: %s"),
			  label, name->name, gai_strerror(rc));
		break;
	case EAI_SYSTEM:
		error_set_errno(err, ERROR_TEMP, errnum, _("%s: cannot resolve host name %s"),
				label, name->name);
		break;
	default:
		error_set(err, ERROR_TEMP, _("%s: cannot resolve host name %s: %s"), label,
			  name->name, gai_strerror(rc));
		break;
	}
	return -1;
}

/* Every address of the name; those of families the set does not keep
 * are left out, as Postfix's inet_addr_host leaves them out. */
static int add_resolved(struct net_ownaddr *o, const struct pending *name, struct error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(name->name, NULL, &hints, &res);

	if (rc != 0)
		return resolve_error(o, name, rc, errno, err);
	for (const struct addrinfo *ai = res; ai != NULL && rc == 0; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in))
			rc = push(
			    o, AF_INET,
			    &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6))
			rc = push(
			    o, AF_INET6,
			    &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr);
	}
	freeaddrinfo(res);
	return rc < 0 ? nomem(err) : 0;
}

static int load(struct net_ownaddr *o, struct error *err)
{
	int rc = 0;

	if (o->loaded)
		return 0;
	o->n = o->nfixed;
	if (o->ifmode != IF_NONE)
		rc = add_interfaces(o, err);
	for (size_t i = 0; i < o->nnames && rc == 0; i++)
		rc = add_resolved(o, &o->names[i], err);
	if (rc < 0) {
		o->n = o->nfixed;
		return -1;
	}
	o->loaded = true;
	return 0;
}

static bool listed(const struct net_ownaddr *o, size_t from, size_t to, int af,
		   const unsigned char *b)
{
	for (size_t i = from; i < to; i++)
		if (o->v[i].af == af && memcmp(o->v[i].b, b, af == AF_INET ? 4 : 16) == 0)
			return true;
	return false;
}

int net_ownaddr_has(struct net_ownaddr *o, const char *addr, enum net_family family,
		    struct error *err)
{
	int af = family == NET_IPV6 ? AF_INET6 : AF_INET;
	unsigned char b[16];

	/* inet_pton takes neither a name nor a %zone: a literal has none. */
	if (family == NET_ANY || !keeps(o, af) || inet_pton(af, addr, b) != 1)
		return 0;
	/* The numeric entries answer without asking the system. */
	if (listed(o, 0, o->nfixed, af, b))
		return 1;
	if (o->ifmode == IF_NONE && o->nnames == 0)
		return 0;
	if (load(o, err) < 0)
		return -1;
	return listed(o, o->nfixed, o->n, af, b) ? 1 : 0;
}
