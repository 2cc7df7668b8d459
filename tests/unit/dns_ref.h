/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reference for net/dns.c's parser: the same answers read with the
 * resolver library's own parser (ns_initparse, ns_parserr), which
 * relaymail no longer links. test-dns and fuzz-dns compare the two. */
#ifndef RELAYMAIL_TESTS_DNS_REF_H
#define RELAYMAIL_TESTS_DNS_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "net/dns.h"

/* As dns_mx_parse: the count of MX records into out (sorted, at most
 * max), or -1 with err set to the same class and text. */
int dns_ref_parse(const unsigned char *msg, size_t len, struct dns_mx *out, int max,
		  struct error *err);

/* Both parsers on the same packet: true when they agree on the count,
 * every record and the error's class and text; *why says how they
 * differ otherwise. */
bool dns_ref_agrees(const unsigned char *msg, size_t len, int max, char *why, size_t size);

#endif
