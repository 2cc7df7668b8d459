/* SPDX-License-Identifier: GPL-3.0-or-later */
/* net/dns and net/mx without any DNS server: MX answers are packets built
 * here byte by byte (compression pointers, truncation, loops, bad codes),
 * also compared with the resolver library's own parser (dns_ref.c) on
 * every damaged and random packet; and mx_resolve runs on lookup
 * functions that answer from a table. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "net/conn.h"
#include "net/dns.h"
#include "net/mx.h"
#include "dns_ref.h"
#include "tap.h"

/* ---- building answer packets ---- */

struct pkt {
	unsigned char b[2048];
	size_t n;
};

static void put8(struct pkt *p, unsigned v)
{
	if (p->n >= sizeof(p->b))
		abort();
	p->b[p->n++] = (unsigned char)v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8 & 0xff);
	put8(p, v & 0xff);
}

/* Labels of a dotted name; with ptr >= 0 the name ends in a compression
 * pointer to offset ptr instead of the root label. */
static void put_name(struct pkt *p, const char *dotted, int ptr)
{
	const char *s = dotted;

	while (*s != '\0') {
		size_t len = strcspn(s, ".");

		put8(p, (unsigned)len);
		for (size_t i = 0; i < len; i++)
			put8(p, (unsigned char)s[i]);
		s += len;
		if (*s == '.')
			s++;
	}
	if (ptr >= 0)
		put16(p, 0xc000u | (unsigned)ptr);
	else
		put8(p, 0);
}

#define QNAME_OFFSET 12

/* Header (id 0x1234, a response with RD and RA) and one MX question. */
static void start(struct pkt *p, unsigned rcode, unsigned ancount)
{
	p->n = 0;
	put16(p, 0x1234);
	put16(p, 0x8180 | rcode);
	put16(p, 1);
	put16(p, ancount);
	put16(p, 0);
	put16(p, 0);
	put_name(p, "example.com", -1);
	put16(p, 15); /* MX */
	put16(p, 1);  /* IN */
}

/* An answer record owned by the question's name; the caller writes the
 * data after it and ends it with end_rr. Returns where rdlength is. */
static size_t begin_rr(struct pkt *p, unsigned type, unsigned class)
{
	size_t at;

	put16(p, 0xc000u | QNAME_OFFSET);
	put16(p, type);
	put16(p, class);
	put16(p, 0);
	put16(p, 300); /* TTL */
	at = p->n;
	put16(p, 0);
	return at;
}

static void end_rr(struct pkt *p, size_t at)
{
	size_t len = p->n - at - 2;

	p->b[at] = (unsigned char)(len >> 8);
	p->b[at + 1] = (unsigned char)len;
}

static void mx_rr(struct pkt *p, unsigned pref, const char *host, int ptr)
{
	size_t at = begin_rr(p, 15, 1);

	put16(p, pref);
	put_name(p, host, ptr);
	end_rr(p, at);
}

static int parse(const struct pkt *p, struct dns_mx *mx, int max, struct error *err)
{
	/* An exact-size heap copy, so the sanitizer sees any read past it. */
	unsigned char *copy = malloc(p->n > 0 ? p->n : 1);
	int n;

	memcpy(copy, p->b, p->n);
	error_clear(err);
	n = dns_mx_parse(copy, p->n, mx, max, err);
	free(copy);
	return n;
}

/* ---- the parser ---- */

static void test_order(void)
{
	struct pkt p;
	struct dns_mx mx[8];
	struct error err = { 0 };

	start(&p, 0, 4);
	mx_rr(&p, 20, "mx2.example.com", -1);
	mx_rr(&p, 10, "mx1.example.com", -1);
	mx_rr(&p, 20, "mx3", QNAME_OFFSET);
	mx_rr(&p, 5, "mx0.example.net", -1);
	if (!is_int(parse(&p, mx, 8, &err), 4, "four MX records"))
		diag("%s", err.text);
	is_str(mx[0].host, "mx0.example.net", "preference 5 first");
	is_int(mx[0].pref, 5, "... with its preference");
	is_str(mx[1].host, "mx1.example.com", "then preference 10");
	is_str(mx[2].host, "mx2.example.com", "then the first preference 20 in the packet");
	is_str(mx[3].host, "mx3.example.com", "then the second, its name through a pointer");
	is_int(mx[3].pref, 20, "... preference 20");

	is_int(parse(&p, mx, 2, &err), 2, "max 2 keeps two records");
	is_str(mx[0].host, "mx0.example.net", "... the most preferred");
	is_str(mx[1].host, "mx1.example.com", "... and the next one");
}

static void test_skipped_records(void)
{
	struct pkt p;
	struct dns_mx mx[4];
	struct error err = { 0 };
	size_t at;

	start(&p, 0, 3);
	at = begin_rr(&p, 5, 1); /* CNAME example.com -> mail.example.org */
	put_name(&p, "mail.example.org", -1);
	end_rr(&p, at);
	at = begin_rr(&p, 15, 3); /* an MX of class CH */
	put16(&p, 1);
	put_name(&p, "chaos.example", -1);
	end_rr(&p, at);
	mx_rr(&p, 10, "mx.example.org", -1);
	is_int(parse(&p, mx, 4, &err), 1, "CNAME and non-IN records are skipped");
	is_str(mx[0].host, "mx.example.org", "... the IN MX record is kept");

	start(&p, 0, 0);
	is_int(parse(&p, mx, 4, &err), 0, "an answer without records: no MX");
	is_int(err.cls, ERROR_NONE, "... and no error");

	start(&p, 0, 1);
	at = begin_rr(&p, 1, 1); /* only an A record */
	put16(&p, 0xc000);
	put16(&p, 0x0201);
	end_rr(&p, at);
	is_int(parse(&p, mx, 4, &err), 0, "an answer with only an A record: no MX");
}

static void test_codes(void)
{
	struct pkt p;
	struct dns_mx mx[4];
	struct error err = { 0 };

	start(&p, 3, 0);
	is_int(parse(&p, mx, 4, &err), -1, "NXDOMAIN fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_NOHOST), "... as no such host");
	is_str(err.text, "no such domain", "... saying so");
	start(&p, 2, 0);
	is_int(parse(&p, mx, 4, &err), -1, "SERVFAIL fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily");
	is_str(err.text, "the DNS server answered with error code 2", "... naming the code");

	start(&p, 0, 1);
	mx_rr(&p, 0, "", -1);
	is_int(parse(&p, mx, 4, &err), -1, "a null MX fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_REJECTED), "... for good");
	is_str(err.text, "the domain publishes a null MX record (RFC 7505): it accepts no mail",
	       "... saying why");
	start(&p, 0, 2);
	mx_rr(&p, 0, "", -1);
	mx_rr(&p, 10, "mx.example.com", -1);
	is_int(parse(&p, mx, 4, &err), 1, "a root exchanger beside a real one is skipped");
	is_str(mx[0].host, "mx.example.com", "... the real one is kept");
}

static void expect_malformed(const struct pkt *p, const char *what)
{
	struct dns_mx mx[4];
	struct error err = { 0 };

	is_int(parse(p, mx, 4, &err), -1, "%s is refused", what);
	is_str(err.text, "malformed DNS answer", "... as a malformed answer");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily");
}

static void test_malformed(void)
{
	struct pkt good, p;
	struct dns_mx mx[4];
	struct error err = { 0 };
	size_t at, bad = 0;
	int odd = 0;

	start(&good, 0, 2);
	mx_rr(&good, 10, "mx1", QNAME_OFFSET);
	mx_rr(&good, 20, "mx2.example.com", -1);
	for (size_t cut = 0; cut < good.n; cut++) {
		p = good;
		p.n = cut;
		if (parse(&p, mx, 4, &err) != -1 || err.cls != ERROR_TEMP)
			bad++;
	}
	is_int((long long)bad, 0, "every truncation of a %zu-byte answer is refused", good.n);

	p = good;
	p.b[p.n++] = 0;
	expect_malformed(&p, "a byte after the last record");

	start(&p, 0, 1);
	at = begin_rr(&p, 15, 1);
	put16(&p, 10);
	put16(&p, 0xc000u | (unsigned)p.n); /* a pointer to itself */
	end_rr(&p, at);
	expect_malformed(&p, "a compression pointer loop");

	start(&p, 0, 1);
	at = begin_rr(&p, 15, 1);
	put16(&p, 10);
	put16(&p, 0xc000u | 0x3ff); /* beyond the packet */
	end_rr(&p, at);
	expect_malformed(&p, "a compression pointer past the end");

	start(&p, 0, 1);
	at = begin_rr(&p, 15, 1);
	put16(&p, 10);
	put_name(&p, "mx.example.com", -1);
	put8(&p, 0x55); /* data past the name */
	end_rr(&p, at);
	expect_malformed(&p, "MX data longer than its name");

	start(&p, 0, 1);
	at = begin_rr(&p, 15, 1);
	put8(&p, 10);
	end_rr(&p, at);
	expect_malformed(&p, "MX data of one byte");

	p.n = 0;
	expect_malformed(&p, "an empty packet");

	/* Every single byte changed: any result but never a crash (the
	 * sanitizers watch the reads). */
	for (size_t i = 0; i < good.n; i++) {
		for (unsigned v = 0; v < 256; v += 51) {
			int n;

			p = good;
			p.b[i] = (unsigned char)v;
			n = parse(&p, mx, 4, &err);
			odd += n < -1 || n > 4;
		}
	}
	is_int(odd, 0, "damaged packets give a count or an error");
}

/* Which outcome a packet has: records, none, or an error. */
static void n_kind(const struct pkt *p, struct dns_mx *mx, struct error *err, int results[3])
{
	int n = parse(p, mx, 4, err);

	results[n > 0 ? 0 : n == 0 ? 1 : 2]++;
}

/* ---- the parser against the resolver library's ---- */

static unsigned long long seed = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned below)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(seed >> 33) % below;
}

/* A name of a few labels, now and then ending in a pointer anywhere in
 * what is written so far (or past it), now and then the root alone. */
static void random_name(struct pkt *p)
{
	static const char *const labels[] = { "mx", "example", "com", "a", "" };
	unsigned n = rnd(4);

	for (unsigned i = 0; i < n && p->n + 16 < sizeof(p->b); i++) {
		const char *l = labels[rnd(5)];
		size_t len = *l != '\0' ? strlen(l) : rnd(64);

		put8(p, (unsigned)len);
		for (size_t j = 0; j < len; j++)
			put8(p, *l != '\0' ? (unsigned char)l[j] : 'a' + rnd(26));
	}
	if (rnd(3) == 0)
		put16(p, 0xc000u | (rnd(4) == 0 ? rnd((unsigned)p->n + 8) : QNAME_OFFSET));
	else
		put8(p, 0);
}

static void random_packet(struct pkt *p)
{
	static const unsigned types[] = { 15, 15, 15, 5, 1, 28, 0 };
	static const unsigned rcodes[] = { 0, 0, 0, 0, 2, 3, 5 };
	unsigned count[4] = { rnd(3), rnd(5), rnd(3), rnd(3) };

	p->n = 0;
	put16(p, rnd(65536));
	put16(p, 0x8180 | rcodes[rnd(7)]);
	for (int s = 0; s < 4; s++)
		put16(p, rnd(20) == 0 ? rnd(65536) : count[s]);
	for (unsigned i = 0; i < count[0] && p->n + 300 < sizeof(p->b); i++) {
		random_name(p);
		put16(p, 15);
		put16(p, 1);
	}
	for (int s = 1; s < 4; s++)
		for (unsigned i = 0; i < count[s] && p->n + 300 < sizeof(p->b); i++) {
			unsigned type = types[rnd(7)];
			size_t at;

			random_name(p);
			put16(p, type != 0 ? type : rnd(65536));
			put16(p, rnd(6) == 0 ? 3 : 1);
			put16(p, 0);
			put16(p, 300);
			at = p->n;
			put16(p, 0);
			if (type == 15) {
				put16(p, rnd(4) * 10);
				random_name(p);
			} else {
				for (unsigned j = rnd(6); j > 0; j--)
					put8(p, rnd(256));
			}
			end_rr(p, at);
			if (rnd(40) == 0) /* a wrong length */
				p->b[at + 1] = (unsigned char)rnd(256);
		}
	if (rnd(20) == 0)
		p->n = rnd((unsigned)p->n + 1);
	for (unsigned j = rnd(8) == 0 ? rnd(3) + 1 : 0; j > 0 && p->n > 0; j--)
		p->b[rnd((unsigned)p->n)] = (unsigned char)rnd(256);
}

/* One packet through both parsers: 0 they agree, 1 not (said once). */
static int differs(const struct pkt *p, int max, int *said)
{
	unsigned char *copy = malloc(p->n > 0 ? p->n : 1);
	char why[512];
	bool same;

	memcpy(copy, p->b, p->n);
	same = dns_ref_agrees(copy, p->n, max, why, sizeof(why));
	free(copy);
	if (!same && (*said)++ == 0) {
		diag("first packet the parsers read differently (%zu bytes): %s", p->n, why);
		for (size_t i = 0; i < p->n; i += 16) {
			char line[64] = "";

			for (size_t j = i; j < p->n && j < i + 16; j++)
				snprintf(line + strlen(line), sizeof(line) - strlen(line), " %02x",
					 p->b[j]);
			diag("%04zx:%s", i, line);
		}
	}
	return !same;
}

static void test_against_resolver(void)
{
	struct pkt good, p;
	int bad = 0, said = 0, results[3] = { 0 };
	size_t at;

	start(&good, 0, 3);
	mx_rr(&good, 10, "mx1", QNAME_OFFSET);
	mx_rr(&good, 20, "mx2.example.com", -1);
	at = begin_rr(&good, 5, 1);
	put_name(&good, "alias.example.com", -1);
	end_rr(&good, at);
	for (size_t i = 0; i < good.n; i++)
		for (unsigned v = 0; v < 256; v++) {
			p = good;
			p.b[i] = (unsigned char)v;
			bad += differs(&p, 4, &said);
		}
	for (size_t cut = 0; cut <= good.n; cut++) {
		p = good;
		p.n = cut;
		bad += differs(&p, 4, &said);
	}
	is_int(bad, 0,
	       "every byte of a %zu-byte answer at every value, and every truncation: "
	       "read as the resolver library reads it",
	       good.n);

	bad = said = 0;
	for (int i = 0; i < 30000; i++) {
		struct dns_mx mx[4];
		struct error err = { 0 };

		random_packet(&p);
		bad += differs(&p, 1 + (int)rnd(4), &said);
		n_kind(&p, mx, &err, results);
	}
	is_int(bad, 0, "30000 random answers: read as the resolver library reads them");
	/* The random answers reach every outcome, or the comparison proves
	 * little. */
	ok(results[0] > 1000 && results[1] > 1000 && results[2] > 1000,
	   "... with records (%d), without (%d) and refused (%d)", results[0], results[1],
	   results[2]);
}

/* ---- mx_resolve through table lookups ---- */

struct fake_host {
	const char *name;
	const char *addrs[3];
	enum error_class fails; /* ERROR_NONE: answers */
};

struct fake_dns {
	int mx_result; /* count, or -1 with mx_error */
	enum error_class mx_error;
	struct dns_mx mx[4];
	const struct fake_host *hosts;
	char asked[512]; /* host lookups, in order, space separated */
	int mx_asked;
};

static int fake_mx(void *arg, const char *domain, struct deadline dl, struct dns_mx *out, int max,
		   struct error *err)
{
	struct fake_dns *f = arg;

	(void)domain;
	(void)dl;
	f->mx_asked++;
	if (f->mx_result < 0) {
		error_set(err, f->mx_error, "MX lookup for %s failed", domain);
		return -1;
	}
	for (int i = 0; i < f->mx_result && i < max; i++)
		out[i] = f->mx[i];
	return f->mx_result;
}

static int fake_host(void *arg, const char *host, unsigned port, enum net_family family,
		     enum net_family prefer, struct net_addr *out, int max, struct error *err)
{
	struct fake_dns *f = arg;
	size_t len = strlen(f->asked);
	int n = 0;

	(void)family;
	(void)prefer;
	snprintf(f->asked + len, sizeof(f->asked) - len, "%s%s", len > 0 ? " " : "", host);
	for (const struct fake_host *h = f->hosts; h->name != NULL; h++) {
		if (strcmp(h->name, host) != 0)
			continue;
		if (h->fails != ERROR_NONE) {
			error_set(err, h->fails, "relay host %s not found", host);
			return -1;
		}
		for (int i = 0; i < 3 && h->addrs[i] != NULL && n < max; i++) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&out[n].ss;

			memset(&out[n], 0, sizeof(out[n]));
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			inet_pton(AF_INET, h->addrs[i], &sin->sin_addr);
			out[n].len = sizeof(*sin);
			snprintf(out[n].text, sizeof(out[n].text), "%s", h->addrs[i]);
			snprintf(out[n].host, sizeof(out[n].host), "%s", host);
			n++;
		}
		return n;
	}
	error_set(err, ERROR_NOHOST, "relay host %s not found", host);
	return -1;
}

static const struct fake_host hosts[] = {
	{ "example.com", { "192.0.2.1", NULL, NULL }, ERROR_NONE },
	{ "mx1.example.com", { "192.0.2.11", "192.0.2.12", NULL }, ERROR_NONE },
	{ "mx2.example.com", { "192.0.2.21", "192.0.2.12", "192.0.2.22" }, ERROR_NONE },
	{ "gone.example.com", { NULL, NULL, NULL }, ERROR_NOHOST },
	{ "slow.example.com", { NULL, NULL, NULL }, ERROR_TEMP },
	{ NULL, { NULL, NULL, NULL }, ERROR_NONE },
};

static void set_mx(struct fake_dns *f, int n, const char *const *names)
{
	memset(f, 0, sizeof(*f));
	f->hosts = hosts;
	f->mx_result = n;
	for (int i = 0; i < n; i++) {
		f->mx[i].pref = 10u * (unsigned)(i + 1);
		snprintf(f->mx[i].host, sizeof(f->mx[i].host), "%s", names[i]);
	}
}

static int run(struct fake_dns *f, const char *name, bool mx, int max, struct net_addr *out,
	       struct error *err)
{
	struct mx_lookups lk = { fake_mx, fake_host, f };
	struct mx_query q = { .name = name, .port = 587, .mx = mx };

	error_clear(err);
	return mx_resolve(&q, &lk, out, max, err);
}

static void test_mx_resolve(void)
{
	static const char *const two[] = { "mx1.example.com", "mx2.example.com" };
	static const char *const bad[] = { "gone.example.com", "mx2.example.com" };
	static const char *const dead[] = { "gone.example.com", "slow.example.com" };
	static const char *const gone[] = { "gone.example.com" };
	struct net_addr a[8];
	struct error err = { 0 };
	struct fake_dns f;

	set_mx(&f, 2, two);
	is_int(run(&f, "example.com", true, 8, a, &err), 4,
	       "two exchangers give four distinct addresses");
	is_str(f.asked, "mx1.example.com mx2.example.com", "... looked up in MX order");
	is_str(a[0].text, "192.0.2.11", "first address of mx1");
	is_str(a[1].text, "192.0.2.12", "second address of mx1");
	is_str(a[2].text, "192.0.2.21", "mx2's own address; the shared one is listed once");
	is_str(a[3].text, "192.0.2.22", "mx2's last address");
	is_str(a[0].host, "mx1.example.com", "an address names its exchanger");
	is_str(a[3].host, "mx2.example.com", "... mx2 too");
	is_int(ntohs(((struct sockaddr_in *)&a[3].ss)->sin_port), 587, "... with the port");

	set_mx(&f, 2, two);
	is_int(run(&f, "example.com", true, 3, a, &err), 3, "the address limit caps the list");
	is_str(f.asked, "mx1.example.com mx2.example.com", "... filled in MX order");
	set_mx(&f, 2, two);
	is_int(run(&f, "example.com", true, 2, a, &err), 2, "a limit mx1 fills alone");
	is_str(f.asked, "mx1.example.com", "... asks nothing of mx2");

	set_mx(&f, 0, NULL);
	is_int(run(&f, "example.com", true, 8, a, &err), 1, "no MX record: the name's own address");
	is_str(a[0].text, "192.0.2.1", "... 192.0.2.1");
	is_str(a[0].host, "example.com", "... named after the domain");
	is_int(f.mx_asked, 1, "... after one MX lookup");

	set_mx(&f, 2, two);
	is_int(run(&f, "example.com", false, 8, a, &err), 1,
	       "no MX lookup wanted: the name's own address");
	is_int(f.mx_asked, 0, "... and no MX lookup");

	set_mx(&f, -1, NULL);
	f.mx_error = ERROR_NOHOST;
	is_int(run(&f, "nowhere.example", true, 8, a, &err), -1,
	       "NXDOMAIN for the MX lookup and no address fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_NOHOST), "... as no such host");
	is_str(err.text, "relay host nowhere.example not found", "... naming the host");
	is_str(f.asked, "nowhere.example", "... after asking for its own address");
	set_mx(&f, -1, NULL);
	f.mx_error = ERROR_NOHOST;
	is_int(run(&f, "example.com", true, 8, a, &err), 1,
	       "NXDOMAIN for the MX lookup, but the system resolver knows the name");
	is_str(a[0].text, "192.0.2.1", "... its address is used");
	set_mx(&f, -1, NULL);
	f.mx_error = ERROR_TEMP;
	is_int(run(&f, "example.com", true, 8, a, &err), -1, "a failing MX lookup fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... temporarily");
	is_str(f.asked, "", "... without asking for addresses");
	set_mx(&f, -1, NULL);
	f.mx_error = ERROR_REJECTED;
	is_int(run(&f, "example.com", true, 8, a, &err), -1, "a null MX fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_REJECTED), "... for good");
	is_str(f.asked, "", "... without asking for addresses");

	set_mx(&f, 2, bad);
	is_int(run(&f, "example.com", true, 8, a, &err), 3,
	       "an exchanger without address is skipped");
	is_str(a[0].host, "mx2.example.com", "... the next one is used");
	set_mx(&f, 1, gone);
	is_int(run(&f, "example.com", true, 8, a, &err), -1, "no exchanger with an address fails");
	is_str(error_class_name(err.cls), error_class_name(ERROR_NOHOST), "... as no such host");
	is_str(err.text,
	       "no MX host of example.com has a usable address: relay host gone.example.com "
	       "not found",
	       "... naming the domain and the last failure");
	set_mx(&f, 2, dead);
	is_int(run(&f, "example.com", true, 8, a, &err), -1, "a temporary failure among them");
	is_str(error_class_name(err.cls), error_class_name(ERROR_TEMP), "... makes it temporary");
}

int main(void)
{
	test_order();
	test_skipped_records();
	test_codes();
	test_malformed();
	test_against_resolver();
	test_mx_resolve();
	return tap_done();
}
