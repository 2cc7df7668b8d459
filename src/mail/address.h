/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mail addresses: RFC 5322 address lists from headers and argv (groups,
 * comments, quoted local parts, display names), envelope address checks
 * before anything is formatted into an SMTP command. */
#ifndef RELAYMAIL_MAIL_ADDRESS_H
#define RELAYMAIL_MAIL_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct addrlist {
	char **v; /* addr-specs in external form: local@domain, "a b"@domain */
	size_t n;
	size_t cap;
};

void addrlist_fini(struct addrlist *l);
int addrlist_add(struct addrlist *l, const char *addr);
/* Add unless an equal address (domain case-insensitive) is present. */
int addrlist_add_unique(struct addrlist *l, const char *addr);
bool addrlist_contains(const struct addrlist *l, const char *addr);

/* Parse an RFC 5322 address-list (header value, unfolded or folded; also
 * argv recipients). Appends each addr-spec to out; group names, display
 * names and comments are dropped; an empty group adds nothing. -1 with
 * ERROR_DATA (what and where) on syntax it cannot read, ERROR_INTERNAL
 * when out of memory; out may then hold what was read before. */
int address_parse_list(const char *text, size_t len, struct addrlist *out, struct error *err);
/* The same for the recipients of a header field (-t), where a broken
 * field must never lose a recipient it shows: what Postfix's sendmail
 * reads the same way is read as it does (words in a row are separate
 * addresses, "a@x b@y"; a second <...> is another address; a '>' without
 * '<' is ignored), and what Postfix would turn into a made-up recipient
 * or lose is ERROR_DATA: a ':' with no ';' after it (PHP's "To: bob@x
 * Bcc: carol@y"), a group name that holds an address, a bare name next
 * to an address, text after a <...>, an encoded-word or a second '@' in
 * place of an address, and what address_parse_list refuses. */
int address_parse_header(const char *text, size_t len, struct addrlist *out, struct error *err);
/* Check an envelope address before use: no CR, LF, NUL or other control
 * characters, at most 254 octets (RFC 5321 §4.5.3.1.3), a local part and,
 * when there is an '@', a non-empty domain. "" (null sender) is accepted
 * only when null_ok. ERROR_USAGE naming the address. */
int address_check_envelope(const char *addr, bool null_ok, struct error *err);
/* addr with "@domain" appended when it has no '@' (malloc'd). */
char *address_qualify(const char *addr, const char *domain);
/* Pointer to the domain part (after the last '@'), or NULL. */
const char *address_domain(const char *addr);
/* true when any byte is >= 0x80. */
bool address_is_utf8(const char *addr);

#endif
