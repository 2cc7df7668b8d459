/* SPDX-License-Identifier: GPL-3.0-or-later */
/* net/ownaddr without DNS: explicit lists in IPv4 and IPv6 forms, the
 * inet_protocols filter, bad entries, "all" and "loopback-only" checked
 * against what getifaddrs says here, and "localhost" from /etc/hosts. */
#include <config.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/error.h"
#include "net/ownaddr.h"
#include "tap.h"

#define LABEL "inet_interfaces (test.cf, line 3)"

/* A set of family holding what value names; NULL (and a diagnostic) when
 * net_ownaddr_add refuses it. */
static struct net_ownaddr *set_of(enum net_family family, const char *value, bool keywords)
{
	struct net_ownaddr *o = net_ownaddr_new(family);
	struct error err = { 0 };

	if (o != NULL && net_ownaddr_add(o, LABEL, value, keywords, &err) == 0)
		return o;
	diag("%s: %s", value, err.text);
	net_ownaddr_free(o);
	return NULL;
}

static int has(struct net_ownaddr *o, const char *addr, enum net_family family)
{
	struct error err = { 0 };
	int rc = net_ownaddr_has(o, addr, family, &err);

	if (rc < 0)
		diag("%s: %s", addr, err.text);
	return rc;
}

static void test_ipv4_list(void)
{
	struct net_ownaddr *o = set_of(NET_ANY, " 127.0.0.1,192.0.2.7\t[198.51.100.1] ", false);

	ok(o != NULL, "IPv4 list: accepted");
	if (o == NULL)
		return;
	is_int(has(o, "127.0.0.1", NET_IPV4), 1, "IPv4 list: first entry");
	is_int(has(o, "192.0.2.7", NET_IPV4), 1, "IPv4 list: after a comma");
	is_int(has(o, "198.51.100.1", NET_IPV4), 1, "IPv4 list: in brackets");
	is_int(has(o, "192.0.2.8", NET_IPV4), 0, "IPv4 list: another address");
	is_int(has(o, "127.0.0.1", NET_IPV6), 0, "IPv4 list: not as IPv6");
	is_int(has(o, "::ffff:127.0.0.1", NET_IPV6), 0, "IPv4 list: not IPv4-mapped");
	is_int(has(o, "127.0.0.01", NET_IPV4), 0, "IPv4 list: a leading zero is no address");
	is_int(has(o, "127.1", NET_IPV4), 0, "IPv4 list: a short form is no address");
	is_int(has(o, "localhost", NET_IPV4), 0, "IPv4 list: a name is no address");
	is_int(has(o, "", NET_IPV4), 0, "IPv4 list: empty");
	net_ownaddr_free(o);
}

static void test_ipv6_list(void)
{
	struct net_ownaddr *o = set_of(NET_ANY, "[::1] 2001:DB8:0::0:1, fe80::1%eth0", false);

	ok(o != NULL, "IPv6 list: accepted");
	if (o == NULL)
		return;
	is_int(has(o, "::1", NET_IPV6), 1, "IPv6 list: ::1");
	is_int(has(o, "0:0:0:0:0:0:0:1", NET_IPV6), 1, "IPv6 list: ::1 written out");
	is_int(has(o, "0000::0001", NET_IPV6), 1, "IPv6 list: ::1 with zeros");
	is_int(has(o, "2001:db8::1", NET_IPV6), 1, "IPv6 list: case and compression");
	is_int(has(o, "fe80::1", NET_IPV6), 1, "IPv6 list: the zone is not compared");
	is_int(has(o, "fe80::1%eth0", NET_IPV6), 0, "IPv6 list: a literal has no zone");
	is_int(has(o, "2001:db8::2", NET_IPV6), 0, "IPv6 list: another address");
	is_int(has(o, "::1", NET_IPV4), 0, "IPv6 list: not as IPv4");
	is_int(has(o, "[::1]", NET_IPV6), 0, "IPv6 list: brackets are the caller's");
	net_ownaddr_free(o);
}

static void test_families(void)
{
	struct net_ownaddr *o = set_of(NET_IPV4, "127.0.0.1 ::1", false);

	ok(o != NULL && has(o, "127.0.0.1", NET_IPV4) == 1 && has(o, "::1", NET_IPV6) == 0,
	   "inet_protocols = ipv4 leaves the IPv6 entries out");
	net_ownaddr_free(o);
	o = set_of(NET_IPV6, "127.0.0.1 ::1", false);
	ok(o != NULL && has(o, "127.0.0.1", NET_IPV4) == 0 && has(o, "::1", NET_IPV6) == 1,
	   "inet_protocols = ipv6 leaves the IPv4 entries out");
	net_ownaddr_free(o);
	o = set_of(NET_IPV4, "", false);
	ok(o != NULL && has(o, "127.0.0.1", NET_IPV4) == 0, "an empty value: nothing");
	net_ownaddr_free(o);
}

static void test_bad_entries(void)
{
	static const char *const bad[] = {
		"300.1.2.3", "1.2.3",	    "[127.0.0.1", "[localhost]", "[]",
		"::1::2",    "IPv6:::1",    "bad!name",	  "a..b",	 ".example",
		"fe80::1%",  "fe80::1%e/0", "[[::1]]",	  "10.0.0.1/8",
	};
	struct net_ownaddr *o = net_ownaddr_new(NET_ANY);
	struct error err = { 0 };
	char want[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error_clear(&err);
		snprintf(want, sizeof(want),
			 LABEL ": \"%s\" is neither an IP address nor a host name", bad[i]);
		ok(net_ownaddr_add(o, LABEL, bad[i], true, &err) == -1 && err.cls == ERROR_CONFIG,
		   "bad entry %s: ERROR_CONFIG", bad[i]);
		is_str(err.text, want, "bad entry %s: one line naming the parameter", bad[i]);
	}
	error_clear(&err);
	ok(net_ownaddr_add(o, LABEL, "127.0.0.1, 999.0.0.1", false, &err) == -1 &&
	       strstr(err.text, "\"999.0.0.1\"") != NULL,
	   "a bad entry after a good one is named");
	net_ownaddr_free(o);
}

/* Names are resolved only when a query needs them: a numeric entry
 * answers first, so this asks no resolver. */
static void test_names_later(void)
{
	struct net_ownaddr *o = set_of(NET_ANY, "127.0.0.1 relay.invalid", false);

	ok(o != NULL, "a host name is accepted without a lookup");
	if (o != NULL)
		is_int(has(o, "127.0.0.1", NET_IPV4), 1, "... a numeric entry answers first");
	net_ownaddr_free(o);
	o = set_of(NET_ANY, "ALL", true);
	ok(o != NULL, "keywords are case-sensitive: ALL is a host name");
	net_ownaddr_free(o);
	o = set_of(NET_ANY, "all, 127.0.0.1", true);
	ok(o != NULL && has(o, "127.0.0.1", NET_IPV4) == 1,
	   "all in a list is a host name too (not looked up here)");
	net_ownaddr_free(o);
}

static void test_localhost(void)
{
	struct net_ownaddr *o = set_of(NET_ANY, "localhost", false);

	ok(o != NULL && has(o, "127.0.0.1", NET_IPV4) == 1, "localhost resolves to 127.0.0.1");
	if (o != NULL)
		is_int(has(o, "192.0.2.1", NET_IPV4), 0, "... and not to 192.0.2.1");
	net_ownaddr_free(o);
	o = set_of(NET_IPV6, "localhost", false);
	ok(o != NULL && has(o, "127.0.0.1", NET_IPV4) == 0,
	   "localhost with inet_protocols = ipv6: not 127.0.0.1");
	net_ownaddr_free(o);
}

/* Every interface address this host has, in the set or not as mode says. */
static void test_interfaces(void)
{
	struct net_ownaddr *all = set_of(NET_ANY, "all", true);
	struct net_ownaddr *lo = set_of(NET_ANY, "  loopback-only ", true);
	struct net_ownaddr *lo4 = set_of(NET_IPV4, "loopback-only", true);
	struct ifaddrs *list = NULL;
	bool saw_127 = false, all_ok = true, lo_ok = true, lo4_ok = true;
	size_t n = 0;

	if (all == NULL || lo == NULL || lo4 == NULL || getifaddrs(&list) < 0) {
		ok(false, "interfaces: sets and getifaddrs");
		goto done;
	}
	for (const struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;
		char text[INET6_ADDRSTRLEN];
		enum net_family fam;
		bool loopback;

		if (sa == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
			continue;
		if (sa->sa_family == AF_INET) {
			const struct in_addr *a =
			    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;

			inet_ntop(AF_INET, a, text, sizeof(text));
			loopback = (ntohl(a->s_addr) >> 24) == 127;
			fam = NET_IPV4;
			saw_127 |= strcmp(text, "127.0.0.1") == 0;
		} else {
			const struct in6_addr *a =
			    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

			inet_ntop(AF_INET6, a, text, sizeof(text));
			loopback = IN6_IS_ADDR_LOOPBACK(a);
			fam = NET_IPV6;
		}
		n++;
		if (has(all, text, fam) != 1) {
			diag("all: %s missing", text);
			all_ok = false;
		}
		if (has(lo, text, fam) != (loopback ? 1 : 0)) {
			diag("loopback-only: %s %s", text, loopback ? "missing" : "listed");
			lo_ok = false;
		}
		if (has(lo4, text, fam) != (loopback && fam == NET_IPV4 ? 1 : 0)) {
			diag("loopback-only, ipv4: %s", text);
			lo4_ok = false;
		}
	}
	ok(n > 0, "interfaces: getifaddrs lists %zu addresses", n);
	ok(all_ok, "all: every address of an interface that is up");
	ok(lo_ok, "loopback-only: exactly the loopback ones");
	ok(lo4_ok, "loopback-only with inet_protocols = ipv4: the IPv4 loopback ones");
	if (saw_127)
		is_int(has(lo, "127.0.0.1", NET_IPV4), 1, "loopback-only: 127.0.0.1");
	else
		ok(true, "# SKIP lo has no 127.0.0.1 here");
	is_int(has(all, "0.0.0.0", NET_IPV4), 0, "all: never the unspecified address");
	is_int(has(all, "::", NET_IPV6), 0, "all: never ::");
done:
	if (list != NULL)
		freeifaddrs(list);
	net_ownaddr_free(all);
	net_ownaddr_free(lo);
	net_ownaddr_free(lo4);
}

/* Two parameters in one set, as inet_interfaces and proxy_interfaces. */
static void test_two_values(void)
{
	struct net_ownaddr *o = set_of(NET_ANY, "loopback-only", true);
	struct error err = { 0 };

	ok(o != NULL && net_ownaddr_add(o, "proxy_interfaces", "192.0.2.1", false, &err) == 0,
	   "two values: accepted");
	if (o == NULL)
		return;
	is_int(has(o, "192.0.2.1", NET_IPV4), 1, "two values: the proxy address");
	is_int(has(o, "192.0.2.2", NET_IPV4), 0, "two values: not another one");
	net_ownaddr_free(o);
}

int main(void)
{
	test_ipv4_list();
	test_ipv6_list();
	test_families();
	test_bad_entries();
	test_names_later();
	test_localhost();
	test_interfaces();
	test_two_values();
	return tap_done();
}
