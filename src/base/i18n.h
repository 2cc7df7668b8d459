/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Translation macros: _() for text people read, N_() for such text in
 * static tables (translated where it is printed). Protocol text, log keys
 * and configuration keywords are never translated. */
#ifndef RELAYMAIL_BASE_I18N_H
#define RELAYMAIL_BASE_I18N_H

#include <config.h>

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) ((const char *)(s))
#define ngettext(one, many, n) ((n) == 1 ? (const char *)(one) : (const char *)(many))
#endif
#define N_(s) s

#endif
