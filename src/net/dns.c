/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libresolv adapter: an MX query with a private resolver state
 * (res_nsearch, no process globals; the search list of resolv.conf applies
 * as it does for getaddrinfo), and the answer parsed here, every record
 * checked against the packet's end as ns_initparse and ns_parserr check
 * it, with dn_skipname and dn_expand (which follows compression pointers
 * safely) for the names. Those two and res_nsearch are in glibc's libc
 * since 2.34; ns_initparse is not, and libresolv would be one more
 * library for every run to load. */
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

/* A reader of one packet: every step checks the packet's end. */
struct packet {
	const unsigned char *msg, *end, *p;
};

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Past a name without following its pointers (dn_skipname checks the
 * labels' lengths against the end); 0, or -1 when it does not fit. */
static int skip_name(struct packet *k)
{
	int n = dn_skipname(k->p, k->end);

	if (n < 0)
		return -1;
	k->p += n;
	return 0;
}

/* The fixed part of a resource record after its name (RFC 1035 §4.1.3):
 * type, class, TTL and the data, which must lie inside the packet. */
struct rr {
	unsigned type, class;
	const unsigned char *data;
	size_t len;
};

static int read_rr(struct packet *k, struct rr *rr)
{
	if (k->end - k->p < 10)
		return -1;
	rr->type = get16(k->p);
	rr->class = get16(k->p + 2);
	rr->len = get16(k->p + 8);
	rr->data = k->p + 10;
	k->p += 10;
	if ((size_t)(k->end - k->p) < rr->len)
		return -1;
	k->p += rr->len;
	return 0;
}

/* Every section of the packet, record by record, as far as it must end
 * exactly at the packet's end: what ns_initparse checks. The answer
 * section starts at *answers. */
static int check_layout(struct packet *k, const unsigned count[4], const unsigned char **answers)
{
	struct rr rr;

	for (unsigned i = 0; i < count[0]; i++) {
		if (skip_name(k) < 0 || k->end - k->p < 4)
			return -1;
		k->p += 4; /* type and class */
	}
	*answers = k->p;
	for (int s = 1; s < 4; s++)
		for (unsigned i = 0; i < count[s]; i++)
			if (skip_name(k) < 0 || read_rr(k, &rr) < 0)
				return -1;
	return k->p == k->end ? 0 : -1;
}

/* RFC 1035 §3.3.9: a 16-bit preference, then the exchanger's name, which
 * may point back into the packet. 1 a record, 0 the root name (a null MX,
 * RFC 7505), -1 malformed. */
static int mx_rdata(const struct packet *k, const struct rr *rr, struct dns_mx *m)
{
	int used;

	if (rr->len < 3)
		return -1;
	m->pref = get16(rr->data);
	used = dn_expand(k->msg, k->end, rr->data + 2, m->host, (int)sizeof(m->host));
	/* The name must end exactly where the record data does. */
	if (used < 0 || (size_t)used != rr->len - 2)
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

/* The answer section's MX records into out; -1 malformed. */
static int read_answers(struct packet *k, unsigned count, struct dns_mx *out, int max, int *n,
			bool *null_mx)
{
	/* An owner name must expand, as the resolver's own parser asks,
	 * although only the record's data is used. */
	char owner[NS_MAXDNAME];
	struct dns_mx m;
	struct rr rr;
	int used;

	for (unsigned i = 0; i < count; i++) {
		used = dn_expand(k->msg, k->end, k->p, owner, (int)sizeof(owner));
		if (used < 0)
			return -1;
		k->p += used;
		if (read_rr(k, &rr) < 0)
			return -1;
		if (rr.type != ns_t_mx || rr.class != ns_c_in)
			continue;
		switch (mx_rdata(k, &rr, &m)) {
		case -1:
			return -1;
		case 0:
			*null_mx = true;
			break;
		default:
			insert_sorted(out, n, max, &m);
			break;
		}
	}
	return 0;
}

int dns_mx_parse(const unsigned char *msg, size_t len, struct dns_mx *out, int max,
		 struct error *err)
{
	struct packet k = { msg, msg + len, msg + NS_HFIXEDSZ };
	const unsigned char *answers;
	unsigned count[4], rcode;
	bool null_mx = false;
	int n = 0;

	if (max <= 0) {
		error_set(err, ERROR_INTERNAL, "%s", _("no room for MX records"));
		return -1;
	}
	/* The header (RFC 1035 §4.1.1): ID, flags, then the four counts. */
	if (msg == NULL || len < NS_HFIXEDSZ || len > ANSWER_MAX)
		return malformed(err);
	for (int s = 0; s < 4; s++)
		count[s] = get16(msg + 4 + 2 * s);
	if (check_layout(&k, count, &answers) < 0)
		return malformed(err);
	rcode = msg[3] & 0x0fu;
	switch (rcode) {
	case ns_r_noerror:
		break;
	case ns_r_nxdomain:
		error_set(err, ERROR_NOHOST, "%s", _("no such domain"));
		return -1;
	default:
		error_set(err, ERROR_TEMP, _("the DNS server answered with error code %d"),
			  (int)rcode);
		return -1;
	}
	k.p = answers;
	if (read_answers(&k, count[1], out, max, &n, &null_mx) < 0)
		return malformed(err);
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
