/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libresolv adapter: an MX query with a private resolver state
 * (res_nsearch, no process globals; the search list of resolv.conf applies
 * as it does for getaddrinfo), and the answer parsed with
 * ns_initparse/ns_parserr, which check every record against the packet's
 * end, and dn_expand, which follows compression pointers safely. */
#include <config.h>

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "net/dns.h"

/* The largest DNS message (RFC 1035 §4.2.2, over TCP). */
#define ANSWER_MAX 65535

/* Insert m after every record of the same or a lower preference: a stable
 * sort. When out is full the least preferred record falls off the end. */
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

/* RFC 1035 §3.3.9: a 16-bit preference, then the exchanger's name, which
 * may point back into the packet. 1 a record, 0 the root name (a null MX,
 * RFC 7505), -1 malformed. */
static int mx_rdata(const unsigned char *msg, size_t len, const ns_rr *rr, struct dns_mx *m)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	size_t rdlen = ns_rr_rdlen(*rr);
	int used;

	if (rdlen < 3)
		return -1;
	m->pref = (unsigned)rd[0] << 8 | rd[1];
	used = dn_expand(msg, msg + len, rd + 2, m->host, (int)sizeof(m->host));
	/* The name must end exactly where the record data does. */
	if (used < 0 || (size_t)used != rdlen - 2)
		return -1;
	if (m->host[0] == '\0' || strcmp(m->host, ".") == 0)
		return 0;
	return 1;
}

static int malformed(struct error *err)
{
	error_set(err, ERROR_TEMP, "%s", _("malformed DNS answer"));
	return -1;
}

int dns_mx_parse(const unsigned char *msg, size_t len, struct dns_mx *out, int max,
		 struct error *err)
{
	ns_msg h;
	int count, n = 0;
	bool null_mx = false;

	if (max <= 0) {
		error_set(err, ERROR_INTERNAL, "%s", _("no room for MX records"));
		return -1;
	}
	if (msg == NULL || len > ANSWER_MAX || ns_initparse(msg, (int)len, &h) < 0)
		return malformed(err);
	switch (ns_msg_getflag(h, ns_f_rcode)) {
	case ns_r_noerror:
		break;
	case ns_r_nxdomain:
		error_set(err, ERROR_NOHOST, "%s", _("no such domain"));
		return -1;
	default:
		error_set(err, ERROR_TEMP, _("the DNS server answered with error code %d"),
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
			  _("the domain publishes a null MX record (RFC 7505): "
			    "it accepts no mail"));
		return -1;
	}
	return n;
}

/* res_nsearch cannot be given a deadline; its retries can be made to fit.
 * glibc waits about retrans * (2^retry - 1) seconds in all. */
static void bound_timeouts(struct __res_state *st, struct deadline dl)
{
	int left_ms = deadline_poll_ms(dl), secs, retry;

	if (left_ms < 0)
		return;
	secs = left_ms / 1000 > 0 ? left_ms / 1000 : 1;
	retry = st->retry > 0 && st->retry < 8 ? st->retry : 1;
	if (st->retrans > 0 && st->retrans * ((1 << retry) - 1) <= secs)
		return;
	st->retry = 1;
	st->retrans = secs;
}

/* res_nsearch failed: 0 when the name exists without MX records. */
static int query_error(const char *domain, int herr, struct error *err)
{
	switch (herr) {
	case NO_DATA:
		return 0;
	case HOST_NOT_FOUND:
		error_set(err, ERROR_NOHOST, _("relay host %s not found"), domain);
		break;
	case TRY_AGAIN:
		error_set(err, ERROR_TEMP, _("temporary failure looking up the MX records of %s"),
			  domain);
		break;
	default:
		error_set(err, ERROR_TEMP, _("cannot look up the MX records of %s"), domain);
		break;
	}
	return -1;
}

int dns_mx_lookup(const char *domain, struct deadline dl, struct dns_mx *out, int max,
		  struct error *err)
{
	struct __res_state st;
	unsigned char *answer;
	int len, n;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0) {
		error_set(err, ERROR_TEMP, "%s", _("cannot initialize the DNS resolver"));
		return -1;
	}
	bound_timeouts(&st, dl);
	answer = malloc(ANSWER_MAX);
	if (answer == NULL) {
		res_nclose(&st);
		error_set(err, ERROR_INTERNAL, "%s", _("out of memory"));
		return -1;
	}
	len = res_nsearch(&st, domain, ns_c_in, ns_t_mx, answer, ANSWER_MAX);
	if (len < 0) {
		n = query_error(domain, st.res_h_errno, err);
	} else {
		size_t got = len < ANSWER_MAX ? (size_t)len : ANSWER_MAX;

		n = dns_mx_parse(answer, got, out, max, err);
		if (n < 0)
			error_prefix(err, _("MX lookup for %s"), domain);
	}
	res_nclose(&st);
	free(answer);
	return n;
}
