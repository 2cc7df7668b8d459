/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Folding lookup keys the way Postfix's casefold() does: ASCII lower case,
 * or with smtputf8_enable the Unicode full case folding (Postfix uses
 * ICU's u_strFoldCase; this adapter uses libunistring's u8_casefold, the
 * same CaseFolding.txt mappings: "Straße" is "strasse", "ΣΑΣ" "σασ"). */
#ifndef RELAYMAIL_CONF_CASEFOLD_H
#define RELAYMAIL_CONF_CASEFOLD_H

#include <stdbool.h>

/* The folded copy of s, malloc'd. utf8: s must be valid UTF-8 (the
 * caller checked it, str_is_utf8); ASCII text is only lower-cased either
 * way. NULL when out of memory. */
char *casefold_dup(const char *s, bool utf8);

#endif
