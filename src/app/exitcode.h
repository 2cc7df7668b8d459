/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one table from error classes to exit statuses (sysexits.h values,
 * DESIGN.md Decisions). */
#ifndef RELAYMAIL_APP_EXITCODE_H
#define RELAYMAIL_APP_EXITCODE_H

#include "base/error.h"

int exitcode_for(enum error_class cls);

#endif
