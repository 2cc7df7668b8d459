/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The advice that goes with a failed attempt (struct error.hint): one
 * line saying what to change, naming the parameter and where it is set.
 * Each function looks only at facts the attempt saw, and adds nothing
 * when none of its cases fits (a hint set earlier stays). */
#ifndef RELAYMAIL_DELIVER_HINT_H
#define RELAYMAIL_DELIVER_HINT_H

#include <stdbool.h>

#include "base/error.h"
#include "deliver/policy.h"
#include "deliver/route.h"
#include "net/tls.h"
#include "smtp/caps.h"
#include "smtp/session.h"

/* No connection to d: errnum from connect, or timed out. */
void hint_connect(struct error *err, const struct destination *d, int errnum, bool timed_out);
/* The wait for the greeting failed (timeout, lost connection) while the
 * relay was spoken to in plaintext: maybe it is an SMTPS port. */
void hint_greeting(struct error *err, const struct destination *d, const struct tls_policy *tls);
/* TLS failed: in wrapper mode before any protocol was agreed (a
 * plaintext port), or on the certificate (info->problem). */
void hint_tls(struct error *err, const struct policy *p, const struct destination *d,
	      const struct tls_policy *tls, const struct tls_info *info);
/* What the session's end says: the sender refused, the password refused
 * (key: the smtp_sasl_password_maps key that gave it), no mechanism in
 * common, AUTH only after a STARTTLS that TLS settings turned off. */
struct hint_session {
	const struct policy *policy;
	const struct destination *dest;
	const struct tls_policy *tls;
	const char *cred_key; /* NULL: not authenticating */
	const char *cred_user;
	const struct session_result *result;
	const struct caps *caps;
	bool tls_active;
	/* smtp_sasl_auth_cache_name (NULL: none), and whether this refusal
	 * came from it (no AUTH sent) or was just recorded in it. */
	const char *auth_cache;
	bool auth_cached, auth_recorded;
};
void hint_session(struct error *err, const struct hint_session *h);
/* The relay refused something while we sent no credentials, because
 * smtp_sasl_password_maps had no entry under any of keys (the keys
 * tried, "a, b, c"): say so, and show a near miss in the table (the same
 * relay written with or without brackets or port) when there is one. */
void hint_no_credentials(struct error *err, const struct policy *p, const struct destination *d,
			 const char *keys);

#endif
