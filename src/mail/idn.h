/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internationalised domain names through libidn2 (the one file that
 * includes it). */
#ifndef RELAYMAIL_MAIL_IDN_H
#define RELAYMAIL_MAIL_IDN_H

#include "base/error.h"

/* A-label form of a UTF-8 domain (IDNA2008, non-transitional), malloc'd;
 * ASCII input is returned unchanged. NULL with
 * ERROR_DATA when the name is not a valid IDN. */
char *idn_to_ascii(const char *domain, struct error *err);
/* Address with its domain converted to A-labels; the local part must be
 * ASCII (else ERROR_DATA saying SMTPUTF8 would be needed). */
char *idn_address_to_ascii(const char *addr, struct error *err);

#endif
