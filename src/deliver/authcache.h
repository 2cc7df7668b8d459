/* SPDX-License-Identifier: GPL-3.0-or-later */
/* smtp_sasl_auth_cache_name: the logins relays refused with 535, kept in
 * a file so that the next run does not offer the same password again. An
 * ISP may lock an account after a few failed logins, and cron, which
 * sends every few minutes, gets there within the hour.
 *
 * One entry for each relay host and user name: when the relay refused
 * it, a salted PBKDF2 of the password (so a changed password is tried
 * again at once), and the relay's reply. Postfix keeps the same in a
 * database behind its proxymap service, with an unsalted SHA-1 of the
 * password; relaymail has no daemon, so this is its own text file, one
 * line an entry, changed under an exclusive lock (flock) by whichever
 * run refuses or expires an entry. A file that is not relaymail's (a
 * Postfix database at the pasted path) is never read or written. */
#ifndef RELAYMAIL_DELIVER_AUTHCACHE_H
#define RELAYMAIL_DELIVER_AUTHCACHE_H

#include "base/error.h"

#define AUTHCACHE_DSN_MAX 16

struct authcache_hit {
	long age; /* seconds since the refusal */
	char dsn[AUTHCACHE_DSN_MAX];
	char reply[ERROR_REPLY_MAX];
};

/* The path in a smtp_sasl_auth_cache_name value: Postfix's
 * "proxy:btree:/var/lib/postfix/sasl_auth_cache", "TYPE:/path", or a
 * plain absolute path. NULL with err (ERROR_CONFIG, without the
 * parameter's name) when there is none or more than one. */
const char *authcache_path(const char *value, struct error *err);

/* 1 and hit filled when the relay host refused this user with this very
 * password less than ttl seconds ago; 0 when not (an entry that expired,
 * is for another password or cannot be read is removed); -1 with err
 * when the cache cannot be used (a warning for the caller: the send goes
 * on as without a cache). No file: 0. */
int authcache_find(const char *path, long ttl, const char *host, const char *user,
		   const char *password, struct authcache_hit *hit, struct error *err);

/* Record that the relay host refused user with password, its reply and
 * DSN: the entry replaces any for the same host and user. The file is
 * created (mode 0600) when missing. -1 with err when it cannot be. */
int authcache_store(const char *path, const char *host, const char *user, const char *password,
		    const char *dsn, const char *reply, struct error *err);

#endif
