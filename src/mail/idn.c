/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libidn2 adapter: UTF-8 domains to A-labels (IDNA2008, RFC 5891,
 * non-transitional, input normalised to NFC), for relays without SMTPUTF8.
 * ASCII names pass through untouched so nothing depends on libidn2 for
 * ordinary mail. */
#include <config.h>

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/i18n.h"
#include "base/str.h"
#include "mail/address.h"
#include "mail/idn.h"

#define IDN_SHOW_MAX 256

static bool idn_is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

char *idn_to_ascii(const char *domain, struct error *err)
{
	char shown[IDN_SHOW_MAX];
	char *ace = NULL, *copy;
	int rc;

	if (idn_is_ascii(domain, strlen(domain))) {
		copy = str_dup(domain);
		if (copy == NULL)
			error_set(err, ERROR_INTERNAL, _("out of memory"));
		return copy;
	}
	rc = idn2_to_ascii_8z(domain, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		str_printable(shown, sizeof(shown), domain, strlen(domain));
		error_set(err, ERROR_DATA, _("invalid domain name \"%s\": %s"), shown,
			  idn2_strerror(rc));
		return NULL;
	}
	/* Hand out memory from our allocator, not libidn2's. */
	copy = str_dup(ace);
	idn2_free(ace);
	if (copy == NULL)
		error_set(err, ERROR_INTERNAL, _("out of memory"));
	return copy;
}

char *idn_address_to_ascii(const char *addr, struct error *err)
{
	char shown[IDN_SHOW_MAX];
	const char *domain = address_domain(addr);
	size_t local_len = domain != NULL ? (size_t)(domain - addr) : strlen(addr);
	struct buf b = { 0 };
	char *ace;

	if (!idn_is_ascii(addr, local_len)) {
		str_printable(shown, sizeof(shown), addr, strlen(addr));
		error_set(err, ERROR_DATA,
			  _("address %s has a non-ASCII local part; the relay must support "
			    "SMTPUTF8"),
			  shown);
		return NULL;
	}
	if (domain == NULL) {
		ace = str_dup(addr);
		if (ace == NULL)
			error_set(err, ERROR_INTERNAL, _("out of memory"));
		return ace;
	}
	ace = idn_to_ascii(domain, err);
	if (ace == NULL)
		return NULL;
	if (buf_append(&b, addr, local_len) < 0 || buf_append_str(&b, ace) < 0) {
		buf_fini(&b);
		free(ace);
		error_set(err, ERROR_INTERNAL, _("out of memory"));
		return NULL;
	}
	free(ace);
	return buf_steal(&b);
}
