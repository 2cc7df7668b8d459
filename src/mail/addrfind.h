/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Looking an address up in a map list the way Postfix's mail_addr_find
 * does (reference/postfix.md §3.4): full address, address without its
 * extension, local part when the domain is local, then @domain; pattern
 * tables see only the full address. Shared by canonical mapping, the
 * sender-dependent relay and the sender-dependent SASL lookups. */
#ifndef RELAYMAIL_MAIL_ADDRFIND_H
#define RELAYMAIL_MAIL_ADDRFIND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "conf/config.h"
#include "conf/table.h"

/* Whether an address literal domain names one of the host's own
 * addresses (inet_interfaces, proxy_interfaces): addr is the text between
 * the brackets without its "IPv6:" tag, ipv6 whether the tag was there.
 * 1 yes, 0 no, -1 when that cannot be known (err set). */
struct addrfind_own {
	int (*is_own)(const char *addr, bool ipv6, void *arg, struct error *err);
	void *arg;
};

/* What makes a domain local and how extensions are split. The strings
 * belong to the caller (usually the loaded configuration). */
struct addrfind {
	const char *myorigin;
	const char *mydestination; /* list value; type:table items are ignored */
	const char *delimiters;	   /* recipient_delimiter: any of these chars */
	struct addrfind_own own;   /* zeroed: no address literal is local */
};

enum addrfind_flags {
	/* Also query the unquoted form of each key when it differs (the
	 * legacy callers: sender-dependent relayhost and SASL lookups). */
	ADDRFIND_UNQUOTED_TOO = 1 << 0,
};

struct addrfind_key {
	char *key;
	bool partial;  /* not the full address: fixed tables only */
	bool stripped; /* the extension was removed for this key */
};

struct addrfind_keys {
	struct addrfind_key v[10];
	size_t n;
	char *ext; /* the extension removed for the stripped keys, or NULL */
};

struct addrfind_hit {
	char *value;	 /* malloc'd */
	char *ext;	 /* the unmatched extension ("+x"), malloc'd, or NULL */
	char *localpart; /* of the key address, without that extension (external form) */
};

/* The address in RFC 5322 external form: the local part quoted when it is
 * not a dot-atom (Postfix's quote_822_local), "" for the null address
 * (so the null sender is looked up as the two characters ""). addr may
 * be quoted or not. malloc'd, NULL when out of memory. */
char *addrfind_external(const char *addr);
/* The internal (unquoted) form. malloc'd, NULL when out of memory. */
char *addrfind_internal(const char *addr);
/* Where the extension of the internal local part local[0..n) starts: the
 * index of the first delimiter, as Postfix's split_addr finds it (§3.4),
 * or 0 when the local part is not split (no delimiters, none in it, one
 * first, postmaster, mailer-daemon, double-bounce, and owner-* or
 * *-request when '-' is a delimiter). */
size_t addrfind_extension_at(const char *local, size_t n, const char *delims);
/* The context of cfg: myorigin, mydestination and recipient_delimiter,
 * with own (NULL: no address literal is local). The strings belong to
 * cfg. */
struct addrfind addrfind_context(const struct config *cfg, const struct addrfind_own *own);
/* Whether domain is local as Postfix's resolve_local decides (§3.4):
 * myorigin or an item of mydestination (ASCII case insensitive, one
 * trailing dot ignored), or an address literal, [192.0.2.1] or
 * [IPv6:2001:db8::1] (the tag in any case), that af->own says is the
 * host's. 1 local, 0 not, -1 when af->own failed (err as it set it). */
int addrfind_local(const struct addrfind *af, const char *domain, struct error *err);
/* The keys in the order they are tried, for addr (any form). -1 when out
 * of memory (ERROR_INTERNAL) or as addrfind_local. Free with
 * addrfind_keys_fini. */
int addrfind_keys(const struct addrfind *af, const char *addr, unsigned flags,
		  struct addrfind_keys *keys, struct error *err);
void addrfind_keys_fini(struct addrfind_keys *keys);
/* Each key against every table of m before the next key: 1 found (hit
 * filled), 0 not found, -1 on a lookup error (err as the table set it)
 * or an empty result (ERROR_CONFIG naming table and key). */
int addrfind_lookup(const struct addrfind *af, const struct maps *m, const char *addr,
		    unsigned flags, struct addrfind_hit *hit, struct error *err);
void addrfind_hit_fini(struct addrfind_hit *hit);

#endif
