/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Mechanism policy with no SASL library behind it: the Postfix security
 * options and mechanism filter, relaymail's TLS rule and preference order.
 * sasl.c supplies libgsasl's run-time support check; tests supply their
 * own. */
#ifndef RELAYMAIL_AUTH_SASL_POLICY_H
#define RELAYMAIL_AUTH_SASL_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/sasl.h"
#include "base/error.h"

/* sasl_choose with the question "does the library implement MECH?"
 * answered by supported(mech, arg). Same results and errors. */
int sasl_policy_choose(const struct sasl_choice *c, bool (*supported)(const char *mech, void *arg),
		       void *arg, char *mech, size_t mechsize, struct error *err);

#endif
