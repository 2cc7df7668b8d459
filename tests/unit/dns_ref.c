/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dns_ref_parse: an MX answer read with ns_initparse and ns_parserr, the
 * way net/dns.c read it before it had its own parser. */
#include <config.h>

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "dns_ref.h"

static void insert_sorted(struct dns_mx *out, int *n, int max, const struct dns_mx *m)
{
	int at = *n, last;

	while (at > 0 && out[at - 1].pref > m->pref)
		at--;
	if (at >= max)
		return;
	last = *n < max ? *n : max - 1;
	memmove(&out[at + 1], &out[at], (size_t)(last - at) * sizeof(*out));
	out[at] = *m;
	if (*n < max)
		(*n)++;
}

static int mx_rdata(const unsigned char *msg, size_t len, const ns_rr *rr, struct dns_mx *m)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	size_t rdlen = ns_rr_rdlen(*rr);
	int used;

	if (rdlen < 3)
		return -1;
	m->pref = (unsigned)rd[0] << 8 | rd[1];
	used = dn_expand(msg, msg + len, rd + 2, m->host, (int)sizeof(m->host));
	if (used < 0 || (size_t)used != rdlen - 2)
		return -1;
	if (m->host[0] == '\0' || strcmp(m->host, ".") == 0)
		return 0;
	return 1;
}

static int malformed(struct error *err)
{
	error_set(err, ERROR_TEMP, "%s", "malformed DNS answer");
	return -1;
}

int dns_ref_parse(const unsigned char *msg, size_t len, struct dns_mx *out, int max,
		  struct error *err)
{
	ns_msg h;
	int count, n = 0;
	bool null_mx = false;

	if (msg == NULL || len > 65535 || ns_initparse(msg, (int)len, &h) < 0)
		return malformed(err);
	switch (ns_msg_getflag(h, ns_f_rcode)) {
	case ns_r_noerror:
		break;
	case ns_r_nxdomain:
		error_set(err, ERROR_NOHOST, "%s", "no such domain");
		return -1;
	default:
		error_set(err, ERROR_TEMP, "the DNS server answered with error code %d",
			  ns_msg_getflag(h, ns_f_rcode));
		return -1;
	}
	count = ns_msg_count(h, ns_s_an);
	for (int i = 0; i < count; i++) {
		struct dns_mx m;
		ns_rr rr;

		if (ns_parserr(&h, ns_s_an, i, &rr) < 0)
			return malformed(err);
		if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in)
			continue;
		switch (mx_rdata(msg, len, &rr, &m)) {
		case -1:
			return malformed(err);
		case 0:
			null_mx = true;
			break;
		default:
			insert_sorted(out, &n, max, &m);
			break;
		}
	}
	if (null_mx && n == 0) {
		error_set(err, ERROR_REJECTED, "%s",
			  "the domain publishes a null MX record (RFC 7505): it accepts no mail");
		return -1;
	}
	return n;
}

bool dns_ref_agrees(const unsigned char *msg, size_t len, int max, char *why, size_t size)
{
	struct dns_mx ours[16], ref[16];
	struct error e1 = { 0 }, e2 = { 0 };
	int n1, n2;

	if (max > 16)
		max = 16;
	n1 = dns_mx_parse(msg, len, ours, max, &e1);
	n2 = dns_ref_parse(msg, len, ref, max, &e2);
	if (n1 != n2) {
		snprintf(why, size, "count %d (%s), the resolver's %d (%s)", n1, e1.text, n2,
			 e2.text);
		return false;
	}
	if (n1 < 0 && (e1.cls != e2.cls || strcmp(e1.text, e2.text) != 0)) {
		snprintf(why, size, "error \"%s\", the resolver's \"%s\"", e1.text, e2.text);
		return false;
	}
	for (int i = 0; i < n1; i++)
		if (ours[i].pref != ref[i].pref || strcmp(ours[i].host, ref[i].host) != 0) {
			snprintf(why, size, "record %d: %u %s, the resolver's %u %s", i,
				 ours[i].pref, ours[i].host, ref[i].pref, ref[i].host);
			return false;
		}
	return true;
}
